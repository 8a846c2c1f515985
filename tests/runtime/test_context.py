"""The context: manual push/pop (Pattern A), nesting of instrument(), leaving it elsewhere."""

import asyncio
import contextvars
import logging
from datetime import datetime, timezone
from uuid import uuid4

import pytest

import fluxloop_runtime as fluxloop
from fluxloop_runtime import ObservationData, ObservationType, get_current_context


def observation(name: str) -> ObservationData:
    return ObservationData(type=ObservationType.SPAN, name=name)


def test_no_context_outside_instrument():
    assert get_current_context() is None
    with fluxloop.instrument("run") as context:
        assert get_current_context() is context
        assert context.is_enabled()
    assert get_current_context() is None


def test_push_sets_trace_and_parent_and_pop_restores_the_parent(store):
    with fluxloop.instrument("run") as context:
        outer, inner = observation("outer"), observation("inner")
        context.push_observation(outer)
        context.push_observation(inner)
        assert context.current_observation() is inner
        assert context.pop_observation() is inner
        assert context.current_observation() is outer
        assert context.pop_observation(outer) is outer
        assert context.current_observation() is None
    records = store.by_name()
    assert records["inner"]["parent_observation_id"] == records["outer"]["id"] == str(outer.id)
    assert records["outer"]["trace_id"] == str(context.trace.id)
    assert inner.end_time is not None


def test_popping_an_outer_observation_is_logged_and_does_not_corrupt_the_trace(store, caplog):
    with fluxloop.instrument("run") as context:
        outer, inner = observation("outer"), observation("inner")
        context.push_observation(outer)
        context.push_observation(inner)
        with caplog.at_level(logging.WARNING, logger="fluxloop_runtime"):
            context.pop_observation(outer)
        assert "while 'inner' is the current observation" in caplog.text
        assert context.current_observation() is None
        sibling = observation("sibling")
        context.push_observation(sibling)
        context.pop_observation(sibling)
        with caplog.at_level(logging.WARNING, logger="fluxloop_runtime"):
            context.pop_observation(inner)  # late pop: still recorded, chain untouched
        assert "not open in this task" in caplog.text
    records = store.by_name()
    assert set(records) == {"outer", "inner", "sibling"}
    assert "parent_observation_id" not in records["sibling"]
    assert records["inner"]["parent_observation_id"] == records["outer"]["id"]


def test_double_pop_and_pop_with_nothing_pushed_write_nothing_twice(store, caplog):
    with fluxloop.instrument("run") as context:
        with caplog.at_level(logging.WARNING, logger="fluxloop_runtime"):
            assert context.pop_observation() is None
        assert "no observation pushed" in caplog.text
        once = observation("once")
        context.push_observation(once)
        context.pop_observation(once)
        context.pop_observation(once)
    assert [o["name"] for o in store.observations()] == ["once"]


def test_pushing_a_finished_observation_writes_it_once(store):
    with fluxloop.instrument("run") as context:
        event = ObservationData(type=ObservationType.EVENT, name="event", end_time=datetime.now(timezone.utc))
        context.push_observation(event)
        assert context.current_observation() is None  # a finished one is nobody's parent
        context.pop_observation(event)
    assert [o["name"] for o in store.observations()] == ["event"]


def test_nested_instrument_is_a_child_span_of_the_same_trace(store):
    @fluxloop.tool
    def step():
        return "done"

    with fluxloop.instrument("run", user_id="u1", metadata={"a": 1}, tags=["outer"]) as outer:
        with fluxloop.instrument("phase", metadata={"phase": 2}, tags=["inner"]) as inner:
            assert inner is outer
            step()
    records = store.by_name()
    assert records["phase"]["type"] == "span"
    assert records["phase"]["metadata"] == {"phase": 2}
    assert records["step"]["parent_observation_id"] == records["phase"]["id"]
    [trace] = store.traces()
    assert trace["user_id"] == "u1" and trace["metadata"] == {"a": 1}
    assert trace["tags"] == ["outer", "inner"]


def test_a_different_trace_id_opens_a_new_root(store):
    other = uuid4()
    with fluxloop.instrument("run") as outer:
        with fluxloop.instrument("other", trace_id=str(other)) as inner:
            assert inner is not outer and inner.trace.id == other
        assert get_current_context() is outer
    assert {t["id"] for t in store.traces()} == {str(outer.trace.id), str(other)}


def test_an_error_in_a_child_span_is_recorded(store):
    with fluxloop.instrument("run"):
        with pytest.raises(ZeroDivisionError):
            with fluxloop.instrument("phase"):
                1 / 0
    [span] = store.observations()
    assert span["error"] == "division by zero"
    assert span["metadata"]["error_type"] == "ZeroDivisionError"


def test_exit_in_another_context_is_logged_at_debug_not_raised(store, caplog):
    caplog.set_level(logging.DEBUG, logger="fluxloop_runtime")
    block = fluxloop.instrument("run")
    entered = contextvars.copy_context()
    entered.run(block.__enter__)
    contextvars.copy_context().run(block.__exit__, None, None, None)  # another Context
    assert "left in another context" in caplog.text
    assert [t["name"] for t in store.traces()] == ["run"]


def test_async_with(store):
    async def main():
        async with fluxloop.instrument("run") as context:
            return context

    context = asyncio.run(main())
    [trace] = store.traces()
    assert trace["id"] == str(context.trace.id) and "end_time" in trace


def test_trace_helpers(store):
    with fluxloop.instrument("run") as context:
        context.add_metadata("k", "v")
        context.add_tag("t")
        context.add_tag("t")
        context.set_user("someone")
    [trace] = store.traces()
    assert trace["metadata"] == {"k": "v"} and trace["tags"] == ["t"] and trace["user_id"] == "someone"


def test_unsampled_and_disabled_traces_record_nothing(store):
    @fluxloop.tool
    def step():
        return 1

    fluxloop.configure(sample_rate=0.0)
    with fluxloop.instrument("run") as context:
        assert not context.is_enabled()
        step()
        context.push_observation(observation("manual"))
    fluxloop.configure(sample_rate=1.0, enabled=False)
    with fluxloop.instrument("run"):
        step()
    assert store.observations() == [] and store.traces() == []


def test_one_instrument_object_can_be_entered_again(store):
    block = fluxloop.instrument("again")
    with fluxloop.instrument("run"):
        with block:
            pass
    with block as context:
        assert get_current_context() is context
    assert [t["name"] for t in store.traces()] == ["run", "again"]
    assert [o["name"] for o in store.observations()] == ["again"]


def test_pop_after_disabling_unwinds_the_parent_chain_and_records_nothing(store, caplog):
    @fluxloop.tool
    def t(x):
        return x

    with fluxloop.instrument("run") as context:
        m3 = observation("m3")
        context.push_observation(m3)
        fluxloop.configure(enabled=False)
        with caplog.at_level(logging.WARNING, logger="fluxloop_runtime"):
            assert context.pop_observation(m3) is None
            context.push_observation(observation("skipped"))  # not pushed while disabled
            assert context.pop_observation() is None
        assert caplog.records == []
        assert context.current_observation() is None
        fluxloop.configure(enabled=True)
        assert t(9) == 9
    [recorded] = store.observations()
    assert recorded["name"] == "t"
    assert "parent_observation_id" not in recorded
