"""The `otlp` exporter: observations as OpenTelemetry spans over OTLP/HTTP (extra `otlp`).

`configure(exporters=["jsonl", "otlp"])` or `FLUXLOOP_EXPORTERS=jsonl,otlp`. The endpoint
and headers come from `otlp_endpoint` / `otlp_headers`, else from the standard
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `/v1/traces`) and
`OTEL_EXPORTER_OTLP_HEADERS`; the service name from `service_name`, else `OTEL_SERVICE_NAME`.
The transport is the OpenTelemetry SDK's `OTLPSpanExporter`.

The mapping: every observation is one span, and a trace's root (`instrument()`, or an
`@agent` called with no trace) is a span too. The trace id is the FluxLoop trace id's 128
bits, span ids come from observation ids (`fluxloop_runtime.spans.span_id_of`), and
parents, start and end times are as recorded. Attributes are set in the vocabularies
backends read: OpenTelemetry GenAI (`gen_ai.*`), OpenInference (`openinference.span.kind`,
`input.value`...) and Langfuse (`langfuse.observation.type`). An error sets status ERROR
with an `exception` event and `error.type`; EVENT observations become span events of their
parent.

Never in the application's way: the caller's thread only appends to a bounded queue (a full
queue drops the span, counted and logged once); a daemon thread builds the spans and sends
them in batches. `flush()` and interpreter exit wait for the queue to be sent for at most
`FLUSH_WAIT_SECONDS`, and only once in all while the endpoint does not answer, so an
unreachable endpoint costs a program about that much in all. A failing endpoint is logged once until an export succeeds again.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from typing import TYPE_CHECKING, Any

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExportResult
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags

from .config import RuntimeConfig
from .redaction import recorded
from .serialization import encode_json
from .spans import Span, ns_of, root_span_id, span_id_of

if TYPE_CHECKING:
    from .context import FluxLoopContext

logger = logging.getLogger("fluxloop_runtime")

FLUSH_WAIT_SECONDS = 4.0
MAX_QUEUE = int(os.environ.get("OTEL_BSP_MAX_QUEUE_SIZE", 2048))
BATCH_SIZE = int(os.environ.get("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512))
SCHEDULE_DELAY_SECONDS = int(os.environ.get("OTEL_BSP_SCHEDULE_DELAY", 5000)) / 1000
# Events whose parent span has not been built yet, per parent observation id (bounded:
# a parent that never ends must not hold memory forever).
MAX_PENDING_EVENTS = 10_000

_SDK_EXPORTER_LOG = logging.getLogger("opentelemetry.exporter.otlp.proto.http.trace_exporter")
_SAMPLED = TraceFlags(TraceFlags.SAMPLED)
_SCOPE = InstrumentationScope("fluxloop_runtime")
_JSON = "application/json"

# FluxLoop type -> (GenAI operation, OpenInference kind, Langfuse type)
_VOCABULARY = {
    "agent": ("invoke_agent", "AGENT", "agent"),
    "tool": ("execute_tool", "TOOL", "tool"),
    "generation": ("chat", "LLM", "generation"),
    "chain": (None, "CHAIN", "chain"),
    "evaluation": (None, "EVALUATOR", "evaluator"),
    "span": (None, "CHAIN", "span"),
    "event": (None, "CHAIN", "event"),
}


def traces_endpoint(config: RuntimeConfig) -> str | None:
    """`otlp_endpoint` as a traces URL (`/v1/traces` added unless there), or None for the
    standard variables, which the SDK's exporter reads itself."""
    if config.otlp_endpoint is None:
        return None
    if config.otlp_endpoint.endswith("/v1/traces"):
        return config.otlp_endpoint
    return config.otlp_endpoint + "/v1/traces"


class _HashedOnce(Resource):
    """A `Resource` that computes its hash once. The SDK's encoder groups a batch's spans by
    resource, hashing each span's, and a `Resource` hashes by JSON-encoding its attributes:
    a tenth of the export's time. A resource never changes, nor does its hash."""

    def __init__(self, attributes: Any, schema_url: str | None = None) -> None:
        super().__init__(attributes, schema_url)
        self._hash = super().__hash__()

    def __hash__(self) -> int:
        return self._hash


def _hex_trace_id(trace_id: str) -> int:
    return int(trace_id.replace("-", ""), 16)


class OtlpExporter:
    """Queues finished observations and root traces; a worker thread sends them."""

    settings = ("otlp_endpoint", "otlp_headers", "service_name", "environment")  # built from these

    def __init__(self, config: RuntimeConfig) -> None:
        self._endpoint = traces_endpoint(config)
        self._sender = OTLPSpanExporter(endpoint=self._endpoint, headers=config.otlp_headers)
        attributes: dict[str, Any] = {}
        if config.service_name:
            attributes["service.name"] = config.service_name
        if config.environment:
            attributes["deployment.environment.name"] = config.environment
        created = Resource.create(attributes)  # reads OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
        self._resource = _HashedOnce(created.attributes, created.schema_url)
        self._queue: deque[Span | FluxLoopContext] = deque()
        self._wake = threading.Event()
        self._flush_requests: list[threading.Event] = []
        self._lock = threading.Lock()
        self._events: dict[str, list[Event]] = {}
        self._worker: threading.Thread | None = None
        self._stopped = False
        self.dropped = 0
        self.failing = False
        self.stalled = False
        _SDK_EXPORTER_LOG.addFilter(self._repeated_failure)

    def _repeated_failure(self, record: logging.LogRecord) -> bool:
        """The SDK's exporter logs every failed batch; after its first failure is logged,
        ours says it once and the repeats from this exporter's thread are dropped."""
        return not (self.failing and self._worker is not None and record.thread == self._worker.ident)

    # -- the caller's side: append and return ----------------------------------------------

    def export_observation(self, span: Span) -> None:
        self._enqueue(span)

    def export_trace(self, context: FluxLoopContext) -> None:
        if not context.remote:  # a continued trace's root span is the caller's
            self._enqueue(context)

    def _enqueue(self, item: Span | FluxLoopContext) -> None:
        if self._stopped:
            return
        if len(self._queue) >= MAX_QUEUE:
            self.dropped += 1
            if self.dropped == 1:
                logger.warning(
                    "FluxLoop OTLP export queue full (%d spans): spans are dropped until it drains; "
                    "the count is logged when it does",
                    MAX_QUEUE,
                )
            return
        self._queue.append(item)
        if self._worker is None:
            self._start()
        if len(self._queue) >= BATCH_SIZE:
            self._wake.set()

    def _start(self) -> None:
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="fluxloop-otlp-export", daemon=True)
                self._worker.start()

    def flush(self) -> None:
        """Send what is queued; wait for it at most `FLUSH_WAIT_SECONDS`, and not at all
        while an earlier wait timed out and no export has worked since (so a program whose
        endpoint does not answer waits once, not at every flush and again at exit)."""
        if self._worker is None or self._stopped:
            return
        done = threading.Event()
        with self._lock:
            self._flush_requests.append(done)
        self._wake.set()
        if self.stalled:
            return
        if not done.wait(FLUSH_WAIT_SECONDS):
            self.stalled = True
            logger.warning(
                "FluxLoop OTLP export to %s did not finish within %.0f s; %d spans still queued "
                "(not waited for again until an export works)",
                self._endpoint or "the OTEL_EXPORTER_OTLP_* endpoint",
                FLUSH_WAIT_SECONDS,
                len(self._queue),
            )

    def shutdown(self) -> None:
        self.flush()
        self._stopped = True
        self._wake.set()
        _SDK_EXPORTER_LOG.removeFilter(self._repeated_failure)

    # -- the worker thread -------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopped:
            self._wake.wait(SCHEDULE_DELAY_SECONDS)
            self._wake.clear()
            with self._lock:
                requests, self._flush_requests = self._flush_requests, []
            try:
                self._send_queued()
            except Exception:  # noqa: BLE001 - the worker must survive anything
                logger.debug("FluxLoop OTLP export failed", exc_info=True)
            for request in requests:
                request.set()

    def _send_queued(self) -> None:
        while self._queue:
            batch: list[ReadableSpan] = []
            while self._queue and len(batch) < BATCH_SIZE:
                built = self._build(self._queue.popleft())
                if built is not None:
                    batch.append(built)
            if batch:
                self._send(batch)
        if self.dropped:
            logger.warning("FluxLoop OTLP export dropped %d spans (queue full)", self.dropped)
            self.dropped = 0

    def _send(self, batch: list[ReadableSpan]) -> None:
        result = self._sender.export(batch)
        if result is SpanExportResult.SUCCESS:
            if self.failing:
                logger.warning("FluxLoop OTLP export to %s works again", self._endpoint or "the endpoint")
            self.failing = self.stalled = False
        elif not self.failing:
            self.failing = True
            logger.warning(
                "FluxLoop OTLP export to %s failed; %d spans dropped (logged once until an export works)",
                self._endpoint or "the OTEL_EXPORTER_OTLP_* endpoint",
                len(batch),
            )

    def _build(self, item: Span | FluxLoopContext) -> ReadableSpan | None:
        if isinstance(item, Span):
            if item.type == "event":
                self._hold_event(item)
                return None
            return self._observation_span(item)
        return self._root_span(item)

    def _hold_event(self, span: Span) -> None:
        attributes: dict[str, Any] = {"fluxloop.observation.id": span.id, "langfuse.observation.type": "event"}
        _add_values(attributes, span)
        event = Event(span.name, attributes, span.start_ns)
        parent = span.parent_observation_id or f"root:{span.trace_id}"
        if parent in self._events or len(self._events) < MAX_PENDING_EVENTS:
            self._events.setdefault(parent, []).append(event)

    def _observation_span(self, span: Span) -> ReadableSpan:
        operation, kind, langfuse_type = _VOCABULARY.get(span.type, (None, "CHAIN", "span"))
        attributes: dict[str, Any] = {
            "fluxloop.observation.id": span.id,
            "fluxloop.observation.type": span.type,
            "openinference.span.kind": kind,
            "langfuse.observation.type": langfuse_type,
        }
        name = span.name
        span_kind = SpanKind.INTERNAL
        if operation is not None:
            attributes["gen_ai.operation.name"] = operation
        if span.type == "agent":
            name = f"invoke_agent {span.name}"
            attributes["gen_ai.agent.name"] = attributes["agent.name"] = span.name
        elif span.type == "tool":
            name = f"execute_tool {span.name}"
            attributes["gen_ai.tool.name"] = attributes["tool.name"] = span.name
        elif span.type == "generation":
            name = f"chat {span.model}" if span.model else span.name
            span_kind = SpanKind.CLIENT
            attributes["fluxloop.name"] = span.name
            if span.model:
                attributes["gen_ai.request.model"] = attributes["llm.model_name"] = span.model
            _add_tokens(attributes, span)
        _add_values(attributes, span)
        status = Status(StatusCode.UNSET)
        events = self._events.pop(span.id, [])
        if span.error is not None:
            error_type = span.metadata.get("error_type") if isinstance(span.metadata, dict) else None
            error_type = str(error_type or "Exception")
            attributes["error.type"] = error_type
            status = Status(StatusCode.ERROR, str(span.error))
            events.append(
                Event(
                    "exception",
                    {"exception.type": error_type, "exception.message": str(span.error)},
                    span.end_ns or span.start_ns,
                )
            )
        context = span.context
        parent = span.parent_observation_id
        parent_id = context.parent_span_id if parent is None else span_id_of(parent)
        parent_is_remote = context.remote and parent_id == context.parent_span_id  # another process's
        trace_id = _hex_trace_id(span.trace_id)
        return ReadableSpan(
            name=name,
            context=SpanContext(trace_id, span_id_of(span.id), is_remote=False, trace_flags=_SAMPLED),
            parent=SpanContext(trace_id, parent_id, is_remote=parent_is_remote, trace_flags=_SAMPLED),
            resource=self._resource,
            attributes=attributes,
            events=events,
            kind=span_kind,
            status=status,
            start_time=span.start_ns,
            end_time=span.end_ns or span.start_ns,
            instrumentation_scope=_SCOPE,
        )

    def _root_span(self, context: FluxLoopContext) -> ReadableSpan:
        trace = context.trace
        attributes: dict[str, Any] = {
            "openinference.span.kind": "CHAIN",
            "langfuse.trace.name": trace.name,
            "fluxloop.trace.id": context.trace_id,
        }
        if trace.session_id is not None:
            attributes["session.id"] = attributes["gen_ai.conversation.id"] = str(trace.session_id)
        if trace.user_id is not None:
            attributes["user.id"] = str(trace.user_id)
        if trace.tags:
            attributes["tag.tags"] = attributes["langfuse.trace.tags"] = [str(tag) for tag in trace.tags]
        if trace.metadata:
            attributes["metadata"] = encode_json(recorded(trace.metadata, keep_keys=True))
        start_ns = ns_of(trace.start_time)
        end_ns = ns_of(trace.end_time) if trace.end_time else start_ns
        trace_id = _hex_trace_id(context.trace_id)
        return ReadableSpan(
            name=trace.name,
            context=SpanContext(trace_id, root_span_id(context.trace_id), is_remote=False, trace_flags=_SAMPLED),
            parent=None,
            resource=self._resource,
            attributes=attributes,
            events=self._events.pop(f"root:{context.trace_id}", []),
            kind=SpanKind.INTERNAL,
            start_time=start_ns,
            end_time=end_ns,
            instrumentation_scope=_SCOPE,
        )


def _add_values(attributes: dict[str, Any], span: Span) -> None:
    if span.input_json is not None:
        attributes["input.value"] = span.input_json
        attributes["input.mime_type"] = _JSON
    if span.output_json is not None:
        attributes["output.value"] = span.output_json
        attributes["output.mime_type"] = _JSON
    if span.metadata_json not in (None, "{}"):
        attributes["metadata"] = span.metadata_json


def _add_tokens(attributes: dict[str, Any], span: Span) -> None:
    if span.prompt_tokens is not None:
        attributes["gen_ai.usage.input_tokens"] = attributes["llm.token_count.prompt"] = span.prompt_tokens
    if span.completion_tokens is not None:
        attributes["gen_ai.usage.output_tokens"] = attributes["llm.token_count.completion"] = span.completion_tokens
    if span.total_tokens is not None:
        attributes["llm.token_count.total"] = span.total_tokens


__all__ = ["FLUSH_WAIT_SECONDS", "OtlpExporter", "traces_endpoint"]
