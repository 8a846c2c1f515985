"""Observation ids: UUID 4 strings, unique in a process and between processes, with distinct
OpenTelemetry span ids."""

from __future__ import annotations

import os
from uuid import UUID

import pytest

import fluxloop_runtime as fluxloop
from fluxloop_runtime.spans import new_id, span_id_of


def test_recorded_ids_are_uuid4_strings_with_distinct_span_ids(store):
    with fluxloop.instrument("run"):
        for number in range(1000):
            fluxloop.tool(lambda n: n)(number)
    ids = [observation["id"] for observation in store.observations()]
    assert len(ids) == 1000
    for text in ids:
        parsed = UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == "specified in RFC 4122"
    assert len(set(ids)) == len({span_id_of(text) for text in ids}) == 1000


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")
def test_a_forked_child_draws_other_ids_than_its_parent():
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(writing, "\n".join(new_id() for _ in range(100)).encode())
        os._exit(0)
    os.close(writing)
    parent_ids = {new_id() for _ in range(100)}
    with os.fdopen(reading) as stream:
        child_ids = set(stream.read().split())
    os.waitpid(child, 0)
    assert len(child_ids) == 100
    assert not child_ids & parent_ids
    assert not {span_id_of(text) for text in child_ids} & {span_id_of(text) for text in parent_ids}


def test_ids_stay_uuid4_strings_when_their_count_runs_out(store, monkeypatch):
    """After 2**31 ids at least, the id source draws new tails and counts again; a recording
    call never sees the end (simulated here by an id source already at its end)."""
    from fluxloop_runtime.spans import _ids

    ids = [new_id() for _ in range(600)]  # across two changes of the counted head
    monkeypatch.setattr(_ids, "next_id", iter(()).__next__)
    with fluxloop.instrument("run"):
        fluxloop.tool(lambda n: n)(1)
    ids += [new_id(), store.observations()[0]["id"]]
    for text in ids:
        parsed = UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == "specified in RFC 4122"
    assert len(set(ids)) == len({span_id_of(text) for text in ids}) == 602
