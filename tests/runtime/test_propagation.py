"""One trace across processes: inject() / continue_trace(), a real MCP server over stdio,
and several processes appending to one offline directory."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

import fluxloop_runtime as fluxloop
from fluxloop_runtime.spans import span_id_of
from tests.runtime.otlp_receiver import start_receiver

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

SERVER = Path(__file__).parent / "apps" / "mcp_order_server.py"
ROOT = Path(__file__).parents[2]


def test_inject_writes_the_current_observation_as_traceparent_and_tracestate(store):
    assert fluxloop.inject({"x": 1}) == {"x": 1}  # no context: nothing to propagate
    with fluxloop.instrument("run") as context:
        at_root = fluxloop.inject()
        with fluxloop.instrument("step"):
            step_id = fluxloop.get_current_context().current_observation().id
            carrier = fluxloop.inject({"tracestate": "vendor=abc,fluxloop=old"})
    trace_hex = context.trace_id.replace("-", "")
    assert at_root == {"traceparent": f"00-{trace_hex}-{context.parent_span_id:016x}-01"}
    assert carrier["traceparent"] == f"00-{trace_hex}-{span_id_of(step_id):016x}-01"
    assert carrier["tracestate"] == f"fluxloop={step_id.replace('-', '')},vendor=abc"


def test_continue_trace_joins_the_callers_trace_under_its_observation(store):
    with fluxloop.instrument("caller") as caller:
        with fluxloop.instrument("call_service"):
            calling = fluxloop.get_current_context().current_observation().id
            carrier = fluxloop.inject({})
    # What the other process does with the carrier, here in the same one:
    with fluxloop.continue_trace(carrier, name="served") as served:
        fluxloop.tool(name="work")(lambda: 1)()
    assert served.trace_id == caller.trace_id and served.remote
    lines = store.by_name()
    assert lines["served"]["parent_observation_id"] == calling
    assert lines["work"]["parent_observation_id"] == lines["served"]["id"]
    assert {line["trace_id"] for line in lines.values()} == {caller.trace_id}
    assert [trace["name"] for trace in store.traces()] == ["caller"]  # the caller's trace only


@pytest.mark.parametrize(
    "carrier",
    [None, {}, {"traceparent": "garbage"}, {"traceparent": "00-" + "0" * 32 + "-" + "1" * 16 + "-01"}, object()],
    ids=["none", "empty", "garbage", "zero-trace-id", "object"],
)
def test_a_missing_or_bad_carrier_opens_a_new_root_trace_and_logs_at_debug(store, caplog, carrier):
    fluxloop.configure(debug=True)
    with caplog.at_level(logging.DEBUG, logger="fluxloop_runtime"):
        with fluxloop.continue_trace(carrier, name="served") as context:
            fluxloop.tool(name="work")(lambda: 1)()
    assert not context.remote
    assert "continue_trace('served'): no valid traceparent" in caplog.text
    [trace] = store.traces()
    assert trace["name"] == "served" and trace["id"] == context.trace_id
    assert "parent_observation_id" not in store.by_name()["work"]


def test_a_foreign_traceparent_without_fluxloop_state_keeps_the_trace_and_the_otlp_parent(store):
    receiver, server = start_receiver()
    try:
        fluxloop.configure(exporters=["jsonl", "otlp"], otlp_endpoint=receiver.url)
        carrier = {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "congo=t61"}
        async def serve():
            async with fluxloop.continue_trace(carrier, name="served") as context:
                await fluxloop.tool(name="work")(asyncio.sleep)(0)
            return context

        context = asyncio.run(serve())
        fluxloop.flush()
        spans = {span.name: span for span in receiver.wait_for(2)}
    finally:
        fluxloop.configure(exporters=["jsonl"])
        server.shutdown()
    assert context.trace_id.replace("-", "") == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert set(spans) == {"served", "execute_tool work"}  # no root span: it is the caller's
    assert spans["served"].parent_span_id == "00f067aa0ba902b7"
    assert spans["execute_tool work"].parent_span_id == spans["served"].span_id
    assert "parent_observation_id" not in store.by_name()["served"]


async def call_the_mcp_server(offline_dir: Path, order_ids: list[str]) -> list:
    parameters = StdioServerParameters(
        command=sys.executable,
        args=[str(SERVER)],
        env={"FLUXLOOP_OFFLINE_DIR": str(offline_dir), "PYTHONPATH": str(ROOT)},
    )

    @fluxloop.agent(name="support")
    async def support(order_id: str):
        result = await session.call_tool("lookup_order", {"order_id": order_id}, meta=fluxloop.inject({}))
        return result.is_error

    async with stdio_client(parameters) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        results = []
        with fluxloop.instrument("client_run"):
            for order_id in order_ids:
                results.append(await support(order_id))
        return results


def test_an_mcp_tool_over_stdio_records_into_the_callers_trace(store):
    errors = asyncio.run(call_the_mcp_server(store.directory, ["A1", "missing"]))
    assert errors == [False, True]
    observations = store.observations()  # both processes' lines, in one directory
    [trace] = store.traces()
    assert trace["name"] == "client_run"
    agents = [line for line in observations if line["name"] == "support"]
    served = [line for line in observations if line["name"] == "mcp.lookup_order"]
    tools = [line for line in observations if line["name"] == "find_order"]
    assert len(agents) == len(served) == len(tools) == 2
    assert {line["trace_id"] for line in observations} == {trace["id"]}
    for agent, span, tool in zip(agents, served, tools):
        assert span["parent_observation_id"] == agent["id"]
        assert tool["parent_observation_id"] == span["id"]
        assert tool["type"] == "tool"
    assert tools[0]["input"] == {"order_id": "A1", "api_key": "[REDACTED]"}
    assert tools[0]["output"] == {"order_id": "A1", "status": "shipped"}
    assert tools[1]["error"] == "no order missing"
    assert tools[1]["metadata"]["error_type"] == "LookupError"


WRITER = textwrap.dedent(
    """
    import sys
    import fluxloop_runtime as fluxloop
    fluxloop.configure(offline_store_dir=sys.argv[1])

    with fluxloop.instrument("run"):
        for i in range(50):
            fluxloop.tool(name=f"step{i}")(lambda: "x" * 5000)()
        print("ready", flush=True)
    # the trace's lines are appended when the block ends
    """
)


@pytest.mark.skipif(fcntl is None, reason="no flock on this system")
def test_appends_wait_for_the_lock_of_another_process_writing_the_same_file(store):
    store.directory.mkdir(parents=True)
    path = store.directory / "observations.jsonl"
    with open(path, "a", encoding="utf-8") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # another process is in the middle of a batch
        held.write('{"name": "held", ')
        held.flush()
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(store.directory)],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout.readline() == "ready\n"
        time.sleep(0.3)  # the writer's batch is waiting for the lock now
        held.write('"type": "span"}\n')
        held.flush()
        fcntl.flock(held.fileno(), fcntl.LOCK_UN)
    assert writer.wait(timeout=60) == 0
    names = [line["name"] for line in store.observations()]  # a torn line would not parse
    assert names == ["held"] + [f"step{i}" for i in range(50)]
