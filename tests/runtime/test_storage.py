"""The offline store: line format, batching, failures, flushing at exit."""

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import fluxloop_runtime as fluxloop
from fluxloop_runtime.storage import offline_store


def test_line_format_matches_the_sdk(store):
    @fluxloop.tool
    def step(n):
        return None

    with fluxloop.instrument("run", session_id=None):
        step(1)
    [observation] = store.observations()
    assert list(observation) == ["id", "type", "name", "start_time", "end_time", "input", "level", "metadata", "trace_id"]
    assert observation["level"] == "info" and observation["metadata"] == {}
    [trace] = store.traces()
    assert list(trace) == ["id", "name", "start_time", "end_time", "metadata", "tags"]
    for value in (observation["start_time"], observation["end_time"], trace["start_time"]):
        assert value.endswith("+00:00")


def test_lines_are_buffered_until_the_root_trace_ends(store):
    with fluxloop.instrument("run"):
        fluxloop.tool(lambda: 1)()
        assert offline_store.pending() == 1
        assert not (store.directory / "observations.jsonl").exists()
    assert offline_store.pending() == 0
    assert (store.directory / "observations.jsonl").exists()


def test_a_full_buffer_is_written_before_the_trace_ends(store):
    fluxloop.configure(max_queue_size=5)
    with fluxloop.instrument("run"):
        for _ in range(12):
            fluxloop.tool(lambda: 1)()
        assert len((store.directory / "observations.jsonl").read_text().splitlines()) == 10


def record_three_traces(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="fluxloop_runtime"):
        for _ in range(3):
            with fluxloop.instrument("run"):
                assert fluxloop.tool(lambda: 7)() == 7


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_an_unwritable_directory_is_logged_once_and_the_code_carries_on(tmp_path, caplog):
    blocked = tmp_path / "blocked"
    blocked.mkdir(mode=0o500)
    fluxloop.configure(offline_store_dir=str(blocked / "artifacts"))
    record_three_traces(caplog)
    assert caplog.text.count("not writable") == 1


def test_a_path_that_is_a_file_is_logged_once_and_the_code_carries_on(tmp_path, caplog):
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    fluxloop.configure(offline_store_dir=str(not_a_directory / "artifacts"))
    record_three_traces(caplog)
    assert caplog.text.count("not writable") == 1
    fluxloop.configure(offline_store_dir=str(tmp_path / "ok"))
    with fluxloop.instrument("run"):
        fluxloop.tool(lambda: 7)()
    assert (tmp_path / "ok" / "observations.jsonl").exists()


def test_a_full_disk_is_logged_once(tmp_path, caplog):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    directory = tmp_path / "full"
    directory.mkdir()
    (directory / "observations.jsonl").symlink_to("/dev/full")
    fluxloop.configure(offline_store_dir=str(directory))
    record_three_traces(caplog)
    assert caplog.text.count("not writable") == 1
    assert "No space left" in caplog.text


def test_lines_still_buffered_are_written_at_interpreter_exit(tmp_path):
    script = textwrap.dedent(
        """
        import fluxloop_runtime as fluxloop
        fluxloop.configure(offline_store_dir=OUT)

        @fluxloop.tool
        def step(n):
            return n

        fluxloop.instrument("run").__enter__()  # a trace still open when the interpreter exits
        step(1)
        """
    ).replace("OUT", repr(str(tmp_path)))
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path)
    lines = (tmp_path / "observations.jsonl").read_text().splitlines()
    assert [json.loads(line)["input"] for line in lines] == [{"n": 1}]
    assert not (tmp_path / "traces.jsonl").exists()


def test_a_directory_removed_between_traces_is_made_again_and_appends_keep_earlier_lines(store):
    tool = fluxloop.tool(lambda n: n)
    with fluxloop.instrument("first"):
        tool(1)
    assert [line["input"] for line in store.observations()] == [{"n": 1}]
    for name in os.listdir(store.directory):
        os.remove(store.directory / name)
    store.directory.rmdir()
    with fluxloop.instrument("second"):
        tool(2)
    with fluxloop.instrument("third"):
        tool("é")
    assert [line["input"] for line in store.observations()] == [{"n": 2}, {"n": "é"}]
    assert [trace["name"] for trace in store.traces()] == ["second", "third"]
