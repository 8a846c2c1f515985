"""What FluxLoop instrumentation adds to a function call, side by side in one process.

    python3 dev.py bench                      # or, after pip install -e '.[bench,otlp]':
    .venv-bench/bin/python benchmarks/runtime_overhead.py

Rows: a bare call; `fluxloop_runtime` with no active context; `fluxloop_runtime` recorded
inside `instrument()` (100 calls per trace, so writing the JSONL lines at each trace's end is
included, amortised); the public SDK `fluxloop` the same two ways, configured to write its
offline store into a temporary directory (no collector, no network); an OpenTelemetry SDK span
with an in-memory exporter. Each figure is the best of 15 rounds (interleaved), in ns per call:
on a shared machine fewer rounds let a slow moment decide a row.

A last row records with the OTLP exporter on as well, sending to a loopback OTLP/HTTP
receiver started here (it answers 200 without decoding): the cost per observation that
export adds, its worker thread's share of the interpreter included.

Targets: with no context, no more overhead than the SDK's; recorded, at most 0.2x the SDK's
recorded call and at most 0.2x an OpenTelemetry SDK span (both as overhead over a bare call).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Callable
from typing import Any

WORK = tempfile.mkdtemp(prefix="fluxloop-bench-")
# The SDK reads these when it is imported: offline only, into the temporary directory.
os.environ["FLUXLOOP_USE_COLLECTOR"] = "false"
os.environ["FLUXLOOP_OFFLINE_DIR"] = os.path.join(WORK, "sdk")
# A round records 10,000 observations faster than any endpoint takes them: a queue that holds
# them all, so that the OTLP row measures exporting each one, not dropping most.
os.environ.setdefault("OTEL_BSP_MAX_QUEUE_SIZE", "100000")

import fluxloop_runtime  # noqa: E402

ROUNDS = 15
CALLS_PER_TRACE = 100
NO_CONTEXT_CALLS = 100_000
RECORDED_CALLS = 10_000


def add(a: int, b: int = 2) -> int:
    return a + b


def plain_round(call: Callable[[int, int], int]) -> Callable[[], float]:
    """One round of calls with no trace: ns per call."""

    def run() -> float:
        started = time.perf_counter_ns()
        for i in range(NO_CONTEXT_CALLS):
            call(i, 3)
        return (time.perf_counter_ns() - started) / NO_CONTEXT_CALLS

    return run


def traced_round(
    call: Callable[[int, int], int], open_trace: Callable[[], Any], flush: Callable[[], None]
) -> Callable[[], float]:
    """One round of `CALLS_PER_TRACE` calls per trace: ns per call, with opening, closing and
    writing each trace (and a final flush) inside the timing."""

    def run() -> float:
        traces = RECORDED_CALLS // CALLS_PER_TRACE
        started = time.perf_counter_ns()
        for _trace in range(traces):
            with open_trace():
                for i in range(CALLS_PER_TRACE):
                    call(i, 3)
        flush()
        return (time.perf_counter_ns() - started) / (traces * CALLS_PER_TRACE)

    return run


def best_of_interleaved(contenders: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Best of `ROUNDS` for each contender, the rounds interleaved so that a busy moment on
    the machine does not fall on one contender only."""
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(ROUNDS):
        for label, run in contenders.items():
            best[label] = min(best[label], run())
    return best


def count_lines(path: str) -> int:
    try:
        with open(path, encoding="utf-8") as stream:
            return sum(1 for _ in stream)
    except FileNotFoundError:
        return 0


class _Accept(BaseHTTPRequestHandler):
    """An OTLP/HTTP endpoint that takes every request and answers 200."""

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def loopback_otlp_endpoint() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Accept)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def with_configuration(run: Callable[[], float], **settings: Any) -> Callable[[], float]:
    """`run` with `settings` in force, the configuration before restored after it."""

    def configured() -> float:
        before = {key: getattr(fluxloop_runtime.get_config(), key) for key in settings}
        fluxloop_runtime.configure(**settings)
        try:
            return run()
        finally:
            fluxloop_runtime.configure(**before)

    return configured


def main() -> int:
    contenders: dict[str, Callable[[], float]] = {"bare call": plain_round(add)}

    ours_dir = os.path.join(WORK, "runtime")
    fluxloop_runtime.configure(offline_store_dir=ours_dir)
    ours = fluxloop_runtime.tool(add)
    contenders["fluxloop_runtime, no context"] = plain_round(ours)
    contenders["fluxloop_runtime, recorded"] = traced_round(
        ours, lambda: fluxloop_runtime.instrument("bench"), fluxloop_runtime.flush
    )
    try:
        fluxloop_runtime.configure(exporters=["jsonl", "otlp"], otlp_endpoint=loopback_otlp_endpoint())
    except ValueError as error:  # the otlp extra is not installed
        print(f"(no OTLP row: {error})")
    else:
        otlp_settings = {"exporters": ("jsonl", "otlp"), "otlp_endpoint": fluxloop_runtime.get_config().otlp_endpoint}
        fluxloop_runtime.configure(exporters=["jsonl"])
        contenders["fluxloop_runtime, recorded, jsonl + otlp"] = with_configuration(
            traced_round(ours, lambda: fluxloop_runtime.instrument("bench"), fluxloop_runtime.flush), **otlp_settings
        )

    try:
        import fluxloop
        from fluxloop.buffer import EventBuffer
    except ImportError:
        print("(the public SDK `fluxloop` is not installed: pip install -e '.[bench]')")
    else:
        fluxloop.configure(use_collector=False, offline_store_dir=os.environ["FLUXLOOP_OFFLINE_DIR"])
        sdk = fluxloop.tool()(add)
        contenders["fluxloop SDK 0.1.x, no context"] = plain_round(sdk)
        contenders["fluxloop SDK 0.1.x, recorded"] = traced_round(
            sdk, lambda: fluxloop.instrument("bench"), lambda: EventBuffer.get_instance().flush()
        )

    try:
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    except ImportError:
        print("(opentelemetry-sdk is not installed: pip install -e '.[bench]')")
    else:
        provider = TracerProvider()
        exporter = InMemorySpanExporter()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        tracer = provider.get_tracer("fluxloop-bench")

        def add_in_span(a: int, b: int = 2) -> int:
            with tracer.start_as_current_span("add"):
                return a + b

        contenders["OpenTelemetry SDK span (in-memory exporter)"] = traced_round(
            add_in_span, lambda: tracer.start_as_current_span("bench"), exporter.clear
        )

    results = best_of_interleaved(contenders)
    ours_lines = count_lines(os.path.join(ours_dir, "observations.jsonl"))
    sdk_lines = count_lines(os.path.join(os.environ["FLUXLOOP_OFFLINE_DIR"], "observations.jsonl"))

    bare = results["bare call"]
    print(f"\nns per call (best of {ROUNDS} interleaved rounds; recorded rows: {CALLS_PER_TRACE} calls per trace, writing included)")
    print(f"{'':46s} {'ns/call':>10s} {'overhead':>10s}")
    for label, ns in results.items():
        print(f"{label:46s} {ns:10.0f} {ns - bare:10.0f}")
    print(f"\nlines written: fluxloop_runtime {ours_lines}, SDK {sdk_lines}")
    if "fluxloop_runtime, recorded, jsonl + otlp" in results:
        added = results["fluxloop_runtime, recorded, jsonl + otlp"] - results["fluxloop_runtime, recorded"]
        print(f"OTLP export adds {added:.0f} ns per observation (its worker thread's share included)")

    def overhead(label: str) -> float | None:
        return results[label] - bare if label in results else None

    ok = True
    checks: list[tuple[str, float | None, float | None]] = []
    sdk_idle, sdk_recorded = overhead("fluxloop SDK 0.1.x, no context"), overhead("fluxloop SDK 0.1.x, recorded")
    otel = overhead("OpenTelemetry SDK span (in-memory exporter)")
    checks.append(("no context: overhead <= SDK's", overhead("fluxloop_runtime, no context"), sdk_idle))
    checks.append(("recorded: overhead <= 0.2x SDK's", overhead("fluxloop_runtime, recorded"), sdk_recorded * 0.2 if sdk_recorded else None))
    checks.append(("recorded: overhead <= 0.2x OpenTelemetry span's", overhead("fluxloop_runtime, recorded"), otel * 0.2 if otel else None))
    print("\ntargets:")
    for label, value, limit in checks:
        if limit is None:
            print(f"  {label:46s} not measured (peer not installed)")
            continue
        met = value is not None and value <= limit
        ok &= met
        print(f"  {label:46s} {value:8.0f} vs {limit:8.0f}  {'met' if met else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
