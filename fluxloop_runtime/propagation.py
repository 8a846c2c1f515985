"""One trace across processes: W3C Trace Context in and out.

`inject(carrier)` writes a `traceparent` for the current observation into a dict (and a
`tracestate` entry `fluxloop=<observation id>`, which the 64-bit span id cannot hold), for
the request that calls another process. On the other side, `continue_trace(carrier,
name=...)` opens a SPAN observation `name` in the caller's trace, under the caller's
observation: what runs inside it carries the caller's trace id, in the offline store (its
parent chain leads to the caller's observation id) and over OTLP (its parent span is the
`traceparent`'s). The trace itself (its line in `traces.jsonl`, its root span) belongs to
the caller; a continued trace writes neither. A missing or bad carrier opens a new root
trace instead, logged at debug level.

MCP, with `traceparent` and `tracestate` as top-level keys of a request's `_meta`:

    # client
    await session.call_tool("lookup_order", {"order_id": "A1"}, meta=fluxloop.inject({}))

    # server: the tool's `ctx: Context` is a carrier too
    with fluxloop.continue_trace(ctx, name="mcp.lookup_order"):
        ...
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from types import TracebackType
from typing import Any
from uuid import UUID

from .context import Block, FluxLoopContext, current_frame, instrument, new_frame
from .spans import span_id_of

logger = logging.getLogger("fluxloop_runtime")

TRACESTATE_KEY = "fluxloop"
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?")
_MAX_TRACESTATE_ENTRIES = 32


def inject(carrier: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write `traceparent` (and `tracestate`) for the current observation into `carrier`
    (a new dict when None) and return it. Outside a FluxLoop context it is returned as it
    was. Other vendors' `tracestate` entries are kept, after FluxLoop's."""
    carrier = {} if carrier is None else carrier
    frame = current_frame.get()
    if frame is None:
        logger.debug("FluxLoop: inject() outside a FluxLoop context; nothing to propagate")
        return carrier
    context = frame.context
    observation_id = frame.observation_id
    span_id = context.parent_span_id if observation_id is None else span_id_of(observation_id)
    flags = "01" if context.is_enabled() else "00"
    carrier["traceparent"] = f"00-{context.trace_id.replace('-', '')}-{span_id:016x}-{flags}"
    others = [
        entry.strip()
        for entry in str(carrier.get("tracestate", "")).split(",")
        if entry.strip() and not entry.strip().startswith(f"{TRACESTATE_KEY}=")
    ]
    ours = [f"{TRACESTATE_KEY}={observation_id.replace('-', '')}"] if observation_id is not None else []
    state = ",".join((ours + others)[:_MAX_TRACESTATE_ENTRIES])
    if state:
        carrier["tracestate"] = state
    else:
        carrier.pop("tracestate", None)
    return carrier


def _mapping(carrier: Any) -> Mapping[str, Any] | None:
    """The key-value pairs of a carrier: a mapping, or an object holding one (an MCP
    tool's `Context`, whose request's `_meta` it is, or any object with a `meta`)."""
    if isinstance(carrier, Mapping):
        return carrier
    for path in (("request_context", "meta"), ("meta",)):
        value = carrier
        try:
            for attribute in path:
                value = getattr(value, attribute)
        except Exception:  # noqa: BLE001 - MCP's Context raises ValueError outside a request
            continue
        if isinstance(value, Mapping):
            return value
    return None


def _remote_parent(carrier: Any) -> tuple[UUID, int, bool, str | None] | None:
    """(trace id, parent span id, sampled, parent observation id) from a carrier, or None."""
    values = _mapping(carrier)
    if values is None:
        return None
    found = _TRACEPARENT.fullmatch(str(values.get("traceparent", "")).strip().lower())
    if found is None:
        return None
    version, trace_hex, span_hex, flags, rest = found.groups()
    if version == "ff" or (version == "00" and rest) or set(trace_hex) == {"0"} or set(span_hex) == {"0"}:
        return None
    parent_span_id = int(span_hex, 16)
    parent_observation: str | None = None
    for entry in str(values.get("tracestate", "")).split(","):
        key, _, value = entry.strip().partition("=")
        if key == TRACESTATE_KEY:
            try:
                candidate = str(UUID(hex=value))
            except ValueError:
                break
            if span_id_of(candidate) == parent_span_id:  # the entry belongs to this parent
                parent_observation = candidate
            break
    return UUID(hex=trace_hex), parent_span_id, bool(int(flags, 16) & 1), parent_observation


class continue_trace(Block):
    """Continue the trace of another process's `inject()`: `with continue_trace(carrier,
    name="mcp.search"):` (or `async with`). Yields the `FluxLoopContext`.

    `carrier` is the dict `inject()` filled (an MCP request's `_meta`), or an MCP tool's
    `Context`. A missing or bad carrier opens a new root trace named `name`."""

    def __init__(self, carrier: Any, name: str = "continued_trace") -> None:
        self.carrier = carrier
        self.name = name
        self._block: instrument | None = None
        self._context: FluxLoopContext | None = None
        self._token: Any = None

    def __enter__(self) -> FluxLoopContext:
        remote = _remote_parent(self.carrier)
        if remote is None:
            logger.debug(
                "FluxLoop: continue_trace(%r): no valid traceparent in the carrier; opening a new trace", self.name
            )
            self._block = instrument(self.name)
            return self._block.__enter__()
        trace_id, parent_span_id, sampled, parent_observation = remote
        self._context = FluxLoopContext(
            self.name, trace_id=trace_id, sampled=sampled, remote_parent_span_id=parent_span_id
        )
        self._token = current_frame.set(new_frame((self._context, None, parent_observation, None)))
        self._block = instrument(self.name)  # a SPAN under the caller's observation
        return self._block.__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._block is not None
        self._block.__exit__(exc_type, exc, traceback)
        if self._context is None:
            return
        try:
            current_frame.reset(self._token)
        except ValueError:  # left in another context (a stream closed from another task)
            logger.debug("FluxLoop: continue_trace(%r) left in another context than it was entered in", self.name)
        self._context.finalize()


__all__ = ["TRACESTATE_KEY", "continue_trace", "inject"]
