"""The FluxLoop context: which trace is active and which observation is the current parent.

One `ContextVar` holds a `Frame`: the active `FluxLoopContext`, the open observation that is
the current parent (None at the root) and the frame it was opened in. Frames are immutable
and each task gets its own value of the variable, so siblings under `asyncio.gather`,
`create_task` or a `TaskGroup` never see each other as parents, and with no active context a
decorated call costs one `ContextVar.get()`.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from contextvars import ContextVar
from datetime import datetime, timezone
from types import TracebackType
from collections.abc import Callable
from typing import Any, NamedTuple
from uuid import UUID, uuid4

from .config import get_config
from .export import exporters
from .failures import describe_error, recording_failed
from .models import ObservationData, ObservationType, TraceData
from .spans import Span, root_span_id

logger = logging.getLogger("fluxloop_runtime")


class Frame(NamedTuple):
    """One link of the per-task parent chain (make it with `new_frame`, the fast way)."""

    context: FluxLoopContext
    observation: ObservationData | Span | None
    observation_id: str | None
    parent: Frame | None


# `new_frame((context, observation, observation_id, parent))`: a `Frame` made by one C call,
# without the Python-level `__new__` of a NamedTuple (a frame is made for every recorded call).
new_frame: Callable[[tuple[Any, ...]], Frame] = functools.partial(tuple.__new__, Frame)

current_frame: ContextVar[Frame | None] = ContextVar("fluxloop_runtime_frame", default=None)


def get_current_context() -> FluxLoopContext | None:
    """The active `FluxLoopContext`, or None outside `instrument()` / an experiment run."""
    frame = current_frame.get()
    return None if frame is None else frame.context


def _as_uuid(value: UUID | str | None) -> UUID | None:
    if value is None or isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        return None


class FluxLoopContext:
    """One trace being recorded: its `TraceData` and the sampling decision for it.

    `push_observation` / `pop_observation` are the manual API (Pattern A); the decorators
    record through the same parent chain.
    """

    def __init__(
        self,
        trace_name: str,
        trace_id: UUID | None = None,
        session_id: UUID | None = None,
        user_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        trace_id_override: UUID | str | None = None,
        sampled: bool | None = None,
        remote_parent_span_id: int | None = None,
    ) -> None:
        self.trace = TraceData(
            id=_as_uuid(trace_id_override) or trace_id or uuid4(),
            name=trace_name,
            session_id=session_id,
            user_id=user_id,
            metadata=dict(metadata or {}),
            tags=list(tags or []),
        )
        self.trace_id = str(self.trace.id)
        self.is_sampled = random.random() < get_config().sample_rate if sampled is None else sampled
        # A trace continued from another process (`continue_trace`): its root and its trace
        # record belong to that process; here, top-level observations have that parent.
        self.remote = remote_parent_span_id is not None
        self.parent_span_id = root_span_id(self.trace_id) if remote_parent_span_id is None else remote_parent_span_id
        self.opened_by_agent = False  # an @agent called with no context: it ends the trace
        self._recorded: set[UUID] = set()
        self.finalized = False

    def is_enabled(self) -> bool:
        """Whether observations in this trace are recorded: enabled in the configuration
        (checked now) and sampled (decided once, when the context was made)."""
        return self.is_sampled and get_config().enabled

    def why_not_recording(self) -> str | None:
        """None when recording, else the reason (for debug logs)."""
        if not get_config().enabled:
            return "FluxLoop is disabled (enabled=False)"
        if not self.is_sampled:
            return f"trace {self.trace_id} was not sampled (sample_rate={get_config().sample_rate})"
        return None

    def current_observation(self) -> ObservationData | Span | None:
        """The innermost observation open in this task for this trace, if any."""
        frame = current_frame.get()
        if frame is None or frame.context is not self:
            return None
        return frame.observation

    def push_observation(self, observation: ObservationData) -> None:
        """Start `observation` under the current parent; it becomes the current parent.

        An observation pushed with `end_time` already set is complete: it is recorded once,
        now, and does not become the parent of anything.
        """
        reason = self.why_not_recording()
        if reason is not None:
            if get_config().debug:
                logger.debug("FluxLoop: observation %r not captured: %s", observation.name, reason)
            return
        frame = current_frame.get()
        observation.trace_id = self.trace.id
        if frame is not None and frame.context is self and frame.observation_id is not None:
            observation.parent_observation_id = _as_uuid(frame.observation_id)
        if get_config().debug:
            logger.debug(
                "FluxLoop: push %s %r (id=%s, parent=%s)",
                observation.type.value,
                observation.name,
                observation.id,
                observation.parent_observation_id,
            )
        if observation.end_time is not None:
            self._record(observation)
            return
        current_frame.set(new_frame((self, observation, str(observation.id), frame)))

    def pop_observation(self, observation: ObservationData | None = None) -> ObservationData | None:
        """End and record `observation` (default: the current one) and make its parent
        current again. Popping one that is not the current observation is logged as a
        warning and still records it without corrupting the chain. Returns the observation,
        or None when it is not recorded. The parent chain is unwound even when recording was
        turned off since the push; only the recording depends on `is_enabled()`."""
        recording = self.is_enabled()
        frame = current_frame.get()
        if observation is None:
            if frame is None or frame.context is not self or not isinstance(frame.observation, ObservationData):
                if recording:
                    logger.warning("FluxLoop: pop_observation() with no observation pushed in this task")
                return None
            observation = frame.observation
        found = frame
        while found is not None and found.context is self and found.observation is not observation:
            found = found.parent
        if found is not None and found.context is self:
            if found is not frame and recording:
                logger.warning(
                    "FluxLoop: pop_observation(%r) while %r is the current observation; "
                    "observations opened inside it are left open",
                    observation.name,
                    frame.observation.name if frame and frame.observation is not None else None,
                )
            current_frame.set(found.parent)
        elif recording and observation.id not in self._recorded:
            logger.warning(
                "FluxLoop: pop_observation(%r): not open in this task; recording it as it is",
                observation.name,
            )
        if not recording:
            if get_config().debug:
                logger.debug("FluxLoop: observation %r not captured: %s", observation.name, self.why_not_recording())
            return None
        if observation.end_time is None:
            observation.end_time = datetime.now(timezone.utc)
        self._record(observation)
        return observation

    def _root_frame(self) -> Frame:
        return new_frame((self, None, None, None))

    def _record(self, observation: ObservationData) -> None:
        """Hand `observation` to the exporters, once. Never raises (it runs in the user's
        `finally:`)."""
        if observation.id in self._recorded:
            if get_config().debug:
                logger.debug("FluxLoop: %r already recorded; not writing it twice", observation.name)
            return
        self._recorded.add(observation.id)
        if get_config().debug:
            logger.debug("FluxLoop: pop %s %r (id=%s)", observation.type.value, observation.name, observation.id)
        try:
            span = Span.from_observation(observation, self)
        except Exception as failure:  # noqa: BLE001 - see fluxloop_runtime.failures
            recording_failed(f"observation {observation.name!r}", failure)
            return
        exporters.observation_ended(span)

    def add_metadata(self, key: str, value: Any) -> None:
        """Add `key: value` to the trace's metadata."""
        if self.is_enabled():
            self.trace.metadata[key] = value

    def add_tag(self, tag: str) -> None:
        """Add a tag to the trace (once)."""
        if self.is_enabled() and tag not in self.trace.tags:
            self.trace.tags.append(tag)

    def set_user(self, user_id: str) -> None:
        """Set the trace's user id."""
        if self.is_enabled():
            self.trace.user_id = user_id

    def finalize(self) -> None:
        """End the trace and hand it to the exporters (the offline store writes its line
        and flushes). Never raises."""
        if self.finalized:
            return
        self.finalized = True
        if not self.is_enabled():
            return
        if self.trace.end_time is None:
            self.trace.end_time = datetime.now(timezone.utc)
        exporters.trace_ended(self)


class Block:
    """A block usable with `with` and `async with` alike: `__aenter__`/`__aexit__` run the
    subclass's `__enter__`/`__exit__` (entering and leaving never await)."""

    def __enter__(self) -> FluxLoopContext:
        raise NotImplementedError

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> FluxLoopContext:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, traceback)


class instrument(Block):
    """Record a block: `with instrument("run"):` or `async with instrument("run"):`.

    With no active context it opens a new trace (the root) and yields its
    `FluxLoopContext`; when the block ends the trace is written and the store flushed.
    Inside an active context it opens a child SPAN observation of the same trace instead
    (`metadata` goes on the span, `tags` onto the trace; `session_id` and `user_id` only
    apply to a root) and yields the active context. Passing a `trace_id` different from
    the active trace's always opens a new root.

    Leaving the block in another `contextvars.Context` than the one it was entered in
    (a stream closed from another task) is logged at debug level, never raised; so is a
    failure to record: the block's own exception, if any, is what propagates.
    """

    def __init__(
        self,
        name: str,
        session_id: UUID | None = None,
        user_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        trace_id: UUID | str | None = None,
    ) -> None:
        self.name = name
        self.session_id = session_id
        self.user_id = user_id
        self.metadata = metadata
        self.tags = tags
        self.trace_id = trace_id
        self._frame: Frame | None = None
        self._token: Any = None
        self._root: FluxLoopContext | None = None
        self._span: Span | None = None
        self._previous: Frame | None = None

    def _opens_root(self, active: Frame | None) -> bool:
        if active is None:
            return True
        return self.trace_id is not None and _as_uuid(self.trace_id) != active.context.trace.id

    def __enter__(self) -> FluxLoopContext:
        active = current_frame.get()
        self._previous, self._root, self._span = active, None, None
        if self._opens_root(active):
            context = FluxLoopContext(
                self.name,
                session_id=self.session_id,
                user_id=self.user_id,
                metadata=self.metadata,
                tags=self.tags,
                trace_id_override=self.trace_id,
            )
            self._root = context
            self._frame = context._root_frame()
        else:
            assert active is not None
            context = active.context
            if context.is_enabled():
                self._span = Span(
                    ObservationType.SPAN.value,
                    str(self.name),
                    None,
                    dict(self.metadata or {}),
                    active.observation_id,
                    context,
                )
                for tag in self.tags or ():
                    context.add_tag(tag)
                self._frame = new_frame((context, self._span, self._span.id, active))
            else:
                self._frame = active
        self._token = current_frame.set(self._frame)
        return self._frame.context

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            current_frame.reset(self._token)
        except ValueError:
            logger.debug(
                "FluxLoop: instrument(%r) left in another context than it was entered in "
                "(e.g. a stream closed from another task); the parent chain is restored there",
                self.name,
            )
            if current_frame.get() is self._frame:
                current_frame.set(self._previous)
        span = self._span
        if span is not None:
            try:
                span.end_ns = time.time_ns()
                if exc is not None and not isinstance(exc, GeneratorExit):
                    span.error = describe_error(exc)
                    span.metadata["error_type"] = type(exc).__name__
            except Exception as failure:  # noqa: BLE001 - the block's own exception goes on
                recording_failed(f"instrument({self.name!r})", failure)
            exporters.observation_ended(span)
        if self._root is not None:
            self._root.finalize()


__all__ = ["Block", "FluxLoopContext", "Frame", "new_frame", "current_frame", "get_current_context", "instrument"]
