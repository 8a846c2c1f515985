"""OTLP export: real OTLP/HTTP requests from the SDK's exporter to a loopback receiver,
decoded with opentelemetry-proto."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import pytest

import fluxloop_runtime as fluxloop
from fluxloop_runtime import ObservationData, ObservationType
from tests.runtime.otlp_receiver import Receiver, start_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver, server = start_receiver()
    fluxloop.configure(exporters=["jsonl", "otlp"], otlp_endpoint=receiver.url, service_name="support-bot")
    yield receiver
    fluxloop.configure(exporters=["jsonl"])
    server.shutdown()


@fluxloop.tool(name="search", description="Search the docs")
def search(query: str) -> list[str]:
    return [f"doc about {query}"]


@fluxloop.prompt(name="answer", model="gpt-test")
def answer(question: str) -> dict:
    return {"text": "ok", "usage": {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14}}


@fluxloop.agent(name="support")
def support(question: str) -> str:
    search(question)
    answer(question)
    return "done"


def by_name(spans):
    named = {span.name: span for span in spans}
    assert len(named) == len(spans)
    return named


def test_a_trace_becomes_spans_with_fluxloop_ids_parents_times_and_attributes(store, receiver):
    session = __import__("uuid").uuid4()
    with fluxloop.instrument("support_run", session_id=session, user_id="u-7", tags=["smoke"]) as context:
        support("refund policy")
    fluxloop.flush()
    spans = by_name(receiver.wait_for(4))
    observations = {line["name"]: line for line in store.observations()}

    root = spans["support_run"]
    trace_hex = context.trace_id.replace("-", "")
    assert {span.trace_id for span in spans.values()} == {trace_hex}
    assert root.parent_span_id == ""
    assert root.attributes["session.id"] == str(session)
    assert root.attributes["user.id"] == "u-7"
    assert root.attributes["tag.tags"] == ["smoke"]
    assert root.attributes["openinference.span.kind"] == "CHAIN"
    assert root.resource["service.name"] == "support-bot"

    agent = spans["invoke_agent support"]
    tool = spans["execute_tool search"]
    chat = spans["chat gpt-test"]
    for span, line in ((agent, observations["support"]), (tool, observations["search"]), (chat, observations["answer"])):
        assert span.span_id == line["id"].replace("-", "")[:16]
        assert span.attributes["fluxloop.observation.id"] == line["id"]
    assert agent.parent_span_id == root.span_id
    assert tool.parent_span_id == chat.parent_span_id == agent.span_id
    assert root.start_ns <= agent.start_ns <= tool.start_ns <= tool.end_ns <= agent.end_ns <= root.end_ns

    assert agent.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert agent.attributes["gen_ai.agent.name"] == "support"
    assert agent.attributes["openinference.span.kind"] == "AGENT"
    assert agent.attributes["langfuse.observation.type"] == "agent"
    assert tool.attributes["gen_ai.operation.name"] == "execute_tool"
    assert tool.attributes["gen_ai.tool.name"] == "search"
    assert tool.attributes["openinference.span.kind"] == "TOOL"
    assert tool.attributes["input.value"] == '{"query": "refund policy"}'
    assert tool.attributes["input.mime_type"] == "application/json"
    assert tool.attributes["output.value"] == '["doc about refund policy"]'
    assert chat.attributes["gen_ai.operation.name"] == "chat"
    assert chat.attributes["gen_ai.request.model"] == "gpt-test"
    assert chat.attributes["gen_ai.usage.input_tokens"] == 11
    assert chat.attributes["gen_ai.usage.output_tokens"] == 3
    assert chat.attributes["openinference.span.kind"] == "LLM"
    assert chat.kind == 3  # SPAN_KIND_CLIENT


def test_an_error_sets_status_an_exception_event_and_error_type(store, receiver):
    @fluxloop.tool(name="broken")
    def broken() -> None:
        raise LookupError("no such order")

    with fluxloop.instrument("run"), pytest.raises(LookupError):
        broken()
    fluxloop.flush()
    span = by_name(receiver.wait_for(2))["execute_tool broken"]
    assert span.status_code == 2  # STATUS_CODE_ERROR
    assert span.status_message == "no such order"
    assert span.attributes["error.type"] == "LookupError"
    assert ("exception", {"exception.type": "LookupError", "exception.message": "no such order"}) in span.events


def test_event_observations_become_events_of_their_parent(store, receiver):
    with fluxloop.instrument("run") as context:
        step = ObservationData(type=ObservationType.SPAN, name="step")
        context.push_observation(step)
        try:
            note = ObservationData(type=ObservationType.EVENT, name="cache_miss", input={"key": "k1"})
            note.end_time = note.start_time
            context.push_observation(note)
        finally:
            context.pop_observation(step)
    fluxloop.flush()
    spans = by_name(receiver.wait_for(2))
    assert set(spans) == {"run", "step"}
    [(name, attributes)] = spans["step"].events
    assert name == "cache_miss" and attributes["input.value"] == '{"key": "k1"}'
    assert [line["name"] for line in store.observations()] == ["cache_miss", "step"]  # the JSONL keeps both


def test_otlp_alone_writes_no_offline_files(store, receiver):
    fluxloop.configure(exporters=["otlp"])
    with fluxloop.instrument("run"):
        search("x")
    fluxloop.flush()
    assert {span.name for span in receiver.wait_for(2)} == {"run", "execute_tool search"}
    assert not store.directory.exists()


def test_endpoint_and_headers_from_the_standard_variables(store, monkeypatch):
    receiver, server = start_receiver()
    try:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url)
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-api-team=evals,authorization=Basic abc")
        monkeypatch.setenv("OTEL_SERVICE_NAME", "from-env")
        monkeypatch.setenv("FLUXLOOP_EXPORTERS", "jsonl,otlp")
        fluxloop.reset_config()
        assert fluxloop.get_config().exporters == ("jsonl", "otlp")
        with fluxloop.instrument("run"):
            search("x")
        fluxloop.flush()
        [span, *_] = receiver.wait_for(2)
        assert span.resource["service.name"] == "from-env"
        assert receiver.headers[0]["x-api-team"] == "evals"
        assert receiver.headers[0]["authorization"] == "Basic abc"
    finally:
        monkeypatch.delenv("FLUXLOOP_EXPORTERS")
        fluxloop.reset_config()
        server.shutdown()


def test_configured_headers_are_sent(store, receiver):
    fluxloop.configure(otlp_headers="authorization=Bearer t0k")
    with fluxloop.instrument("run"):
        search("x")
    fluxloop.flush()
    receiver.wait_for(2)
    assert receiver.headers[-1]["authorization"] == "Bearer t0k"


def test_unknown_exporter_is_a_value_error_and_the_old_configuration_stays():
    with pytest.raises(ValueError, match="exporters.*unknown exporter 'zipkin' \\(known: jsonl, otlp\\)"):
        fluxloop.configure(exporters=["jsonl", "zipkin"])
    assert fluxloop.get_config().exporters == ("jsonl",)


def test_without_the_otlp_extra_turning_it_on_is_a_clear_value_error(tmp_path):
    # An interpreter where the OpenTelemetry SDK cannot be imported.
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text(
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.startswith('opentelemetry'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
    )
    script = textwrap.dedent(
        """
        import fluxloop_runtime as fluxloop
        try:
            fluxloop.configure(exporters=["jsonl", "otlp"])
        except ValueError as error:
            print(error)
        """
    )
    environment = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.getcwd()}"}
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=True)
    assert 'pip install "fluxloop-lint[otlp]"' in completed.stdout
    assert "opentelemetry" in completed.stdout


def test_a_full_queue_drops_spans_counts_and_logs_them_once(store, receiver, monkeypatch, caplog):
    import fluxloop_runtime.otlp as otlp

    monkeypatch.setattr(otlp, "MAX_QUEUE", 5)
    fluxloop.configure(otlp_headers={"x": "rebuild"})  # a new exporter, with the small queue
    with caplog.at_level("WARNING", logger="fluxloop_runtime"):
        with fluxloop.instrument("run"):
            for _ in range(20):
                search("x")
        fluxloop.flush()
    assert len(receiver.wait_for(5)) == 5
    queue_full = [record for record in caplog.records if "queue full" in record.getMessage()]
    assert [record.getMessage() for record in queue_full] == [
        "FluxLoop OTLP export queue full (5 spans): spans are dropped until it drains; the count is logged when it does",
        "FluxLoop OTLP export dropped 16 spans (queue full)",
    ]
    assert len(store.observations()) == 20  # the JSONL store is not bounded by the OTLP queue


def _silent_port() -> socket.socket:
    """A listening socket that never accepts: requests to it hang until they time out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    return listener


PROGRAM = """
import sys
import fluxloop_runtime as fluxloop
if sys.argv[1] == "otlp":
    fluxloop.configure(exporters=["jsonl", "otlp"], otlp_endpoint=sys.argv[2], offline_store_dir=sys.argv[3])
else:
    fluxloop.configure(offline_store_dir=sys.argv[3])

@fluxloop.tool
def step(i):
    return i

for _ in range(50):
    with fluxloop.instrument("run"):
        for i in range(20):
            step(i)
fluxloop.flush()
"""


def test_an_unreachable_endpoint_never_blocks_the_program_and_its_exit_by_more_than_5_s(tmp_path):
    # The worst kind of unreachable: connections are accepted and never answered (a refused
    # connection fails at once), so only the bounded waits stand between it and the program.
    listener = _silent_port()
    port = listener.getsockname()[1]
    try:
        def run(*arguments: str) -> tuple[float, subprocess.CompletedProcess]:
            started = time.perf_counter()
            completed = subprocess.run(
                [sys.executable, "-c", PROGRAM, *arguments], capture_output=True, text=True, timeout=60
            )
            return time.perf_counter() - started, completed

        baseline, _ = run("jsonl", "", str(tmp_path / "a"))
        total, completed = run("otlp", f"http://127.0.0.1:{port}", str(tmp_path / "b"))
    finally:
        listener.close()
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr
    assert total - baseline < 5.5  # flush() waits FLUSH_WAIT_SECONDS once; exit does not wait again
    assert completed.stderr.count("did not finish within") == 1
    assert len((tmp_path / "b" / "observations.jsonl").read_text().splitlines()) == 1000  # JSONL unaffected
