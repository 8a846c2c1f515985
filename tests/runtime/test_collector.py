"""The optional HTTP collector, against a real HTTP server on localhost."""

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import fluxloop_runtime as fluxloop


class Recorder(BaseHTTPRequestHandler):
    received: list[tuple[str, dict, str | None]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.path, body, self.headers.get("Authorization")))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def collector_url() -> Iterator[str]:
    Recorder.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_records_go_to_the_collector_when_configured(store, collector_url):
    fluxloop.configure(use_collector=True, collector_url=collector_url, api_key="k-123")
    with fluxloop.instrument("run") as context:
        fluxloop.tool(name="tool.step")(lambda: 1)()
    trace_id = str(context.trace.id)
    paths = [path for path, _, _ in Recorder.received]
    assert paths == ["/api/traces", f"/api/traces/{trace_id}/observations"]
    assert Recorder.received[1][1]["name"] == "tool.step"
    assert {authorization for _, _, authorization in Recorder.received} == {"Bearer k-123"}
    assert store.observations() == []  # sent, so not kept offline


def test_an_unreachable_collector_falls_back_to_the_offline_store(store, caplog):
    fluxloop.configure(use_collector=True, collector_url="http://127.0.0.1:9", timeout=2.0)
    with caplog.at_level(logging.WARNING, logger="fluxloop_runtime"):
        for _ in range(2):
            with fluxloop.instrument("run"):
                fluxloop.tool(name="tool.step")(lambda: 1)()
    assert caplog.text.count("unreachable") == 1
    assert [o["name"] for o in store.observations()] == ["tool.step", "tool.step"]
