"""Optional: export to a real Arize Phoenix and read the spans back from its REST API.

Skipped unless asked for, since Phoenix is large (about 865 MB) and not in the test extra:

    .venv/bin/pip install arize-phoenix
    FLUXLOOP_TEST_PHOENIX=1 .venv/bin/python -m pytest tests/runtime/test_phoenix.py

The test starts `phoenix serve` on 127.0.0.1 with a temporary working directory, waits for
it to answer, exports one trace over OTLP/HTTP and asks Phoenix for the project's spans.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator

import pytest

import fluxloop_runtime as fluxloop

pytestmark = pytest.mark.skipif(
    os.environ.get("FLUXLOOP_TEST_PHOENIX") != "1", reason="set FLUXLOOP_TEST_PHOENIX=1 (needs arize-phoenix)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def phoenix(tmp_path) -> Iterator[str]:
    executable = shutil.which("phoenix")
    if executable is None:
        pytest.fail("FLUXLOOP_TEST_PHOENIX=1 but the phoenix command is not installed (pip install arize-phoenix)")
    port = _free_port()
    environment = {
        **os.environ,
        "PHOENIX_HOST": "127.0.0.1",
        "PHOENIX_PORT": str(port),
        "PHOENIX_GRPC_PORT": str(_free_port()),
        "PHOENIX_WORKING_DIR": str(tmp_path / "phoenix"),
        "PHOENIX_TELEMETRY_ENABLED": "false",
    }
    server = subprocess.Popen([executable, "serve"], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("phoenix serve did not become healthy")
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_phoenix_receives_the_trace_with_its_tree_and_kinds(store, phoenix):
    fluxloop.configure(exporters=["jsonl", "otlp"], otlp_endpoint=phoenix)

    @fluxloop.tool(name="search")
    def search(query: str) -> list[str]:
        return [query]

    @fluxloop.agent(name="support")
    def support(question: str) -> list[str]:
        return search(question)

    support("refund policy")  # an @agent alone opens the trace
    fluxloop.flush()
    deadline = time.monotonic() + 30
    while True:
        with urllib.request.urlopen(f"{phoenix}/v1/projects/default/spans", timeout=5) as response:
            spans = json.load(response)["data"]
        if len(spans) >= 3 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    fluxloop.configure(exporters=["jsonl"])
    named = {span["name"]: span for span in spans}
    assert set(named) == {"support", "invoke_agent support", "execute_tool search"}
    assert named["execute_tool search"]["span_kind"] == "TOOL"
    assert named["invoke_agent support"]["span_kind"] == "AGENT"
    assert named["execute_tool search"]["parent_id"] == named["invoke_agent support"]["context"]["span_id"]
