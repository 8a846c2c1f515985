"""The `agent`, `tool`, `prompt` and `trace` decorators.

Each decorator picks one of four wrapper kinds once, when it decorates (plain function,
coroutine function, generator function, async generator function), so the `inspect`
predicates frameworks rely on stay true. Wrappers copy `__wrapped__`, `__name__`,
`__qualname__`, `__doc__`, `__annotations__`, `__module__` and `__dict__` and never set
`__signature__`: `inspect.signature` follows `__wrapped__` to the exact original signature.

With no active context a call costs one `ContextVar.get()` and records nothing, except an
`@agent` call, which opens a trace of its own (written when the call ends). Recorded calls
keep the bound arguments as input, as they were when the call started (less `self`/`cls`
and the parameters a framework fills in: `fluxloop_runtime.inputs`), and the return value as
output; a stream (a generator or async generator, returned or produced) keeps its
observation open until it is exhausted, closed or fails, and records its items up to
`max_stream_items`. Errors are recorded (message and type) and the same exception
propagates; a failure of the recording itself never changes what the call returns or raises
(`fluxloop_runtime.failures`).
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import AsyncGenerator, Callable, Generator
from types import AsyncGeneratorType, GeneratorType
from typing import Any, TypeVar

from .config import RuntimeConfig, get_config, on_change
from .context import FluxLoopContext, Frame, current_frame, new_frame
from .export import exporters
from .failures import describe_error, recording_failed
from .inputs import InputCapture
from .models import ObservationType
from .spans import Span

logger = logging.getLogger("fluxloop_runtime")

F = TypeVar("F", bound=Callable[..., Any])

_get_frame = current_frame.get
_set_frame = current_frame.set
_reset_frame = current_frame.reset
_time_ns = time.time_ns
_STREAM_TYPES = (GeneratorType, AsyncGeneratorType)  # built once, not on every call
_AGENT = ObservationType.AGENT.value
_NO_INPUT = (None, None)
NO_CONTEXT = "no active FluxLoop context (run it inside instrument() or an @agent)"
# Copies of two settings, read on every recorded call without a function call.
_debug = get_config().debug
_enabled = get_config().enabled


def _follow_configuration(old: RuntimeConfig, new: RuntimeConfig) -> None:
    global _debug, _enabled
    _debug, _enabled = new.debug, new.enabled


on_change(_follow_configuration)


# --- what a decorator records ----------------------------------------------------------------


class _Recorder:
    """Opens and finishes the observations of one decorated function."""

    __slots__ = (
        "type",
        "name",
        "metadata",
        "model",
        "capture_output",
        "capture_tokens",
        "inputs",
    )

    def __init__(
        self,
        func: Callable[..., Any],
        observation_type: ObservationType,
        name: str | None,
        metadata: dict[str, Any] | None,
        capture_input: bool,
        capture_output: bool,
        model: str | None = None,
        capture_tokens: bool = False,
    ) -> None:
        self.type = observation_type.value
        self.name = str(name or getattr(func, "__name__", type(func).__name__))
        self.metadata = dict(metadata or {})
        self.model = None if model is None else str(model)
        self.capture_output = capture_output
        self.capture_tokens = capture_tokens
        self.inputs = InputCapture(func) if capture_input else None

    def not_captured(self, reason: str) -> None:
        logger.debug("FluxLoop: %s %r not captured: %s", self.type, self.name, reason)

    def root_frame(self) -> Frame:
        """An agent called with no active context opens a trace of its own, named after it
        (as FluxLoop's custom framework integration guide says: "wrap the parent
        function with instrument() or @agent")."""
        if _debug:
            logger.debug("FluxLoop: agent %r called with no active FluxLoop context: it opens a trace of its own", self.name)
        context = FluxLoopContext(self.name)
        context.opened_by_agent = True
        return context._root_frame()

    def open(self, frame: Frame, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Frame | None:
        """The frame of a new open observation under `frame` (its `observation` is the
        `Span`), or None when its trace is not recorded."""
        context = frame.context
        if not (context.is_sampled and _enabled):
            if _debug:
                self.not_captured(context.why_not_recording() or "not recording")
            return None
        input, input_json = _NO_INPUT if self.inputs is None else self.inputs.capture(args, kwargs)
        span = Span(
            self.type,
            self.name,
            input,
            dict(self.metadata) if self.metadata else {},
            frame.observation_id,
            context,
            self.model,
            input_json,
        )
        if _debug:
            logger.debug("FluxLoop: push %s %r (id=%s, parent=%s)", self.type, self.name, span.id, frame.observation_id)
        return new_frame((context, span, span.id, frame))

    def finish(self, span: Span, output: Any = None, error: BaseException | None = None) -> None:
        """End `span` with `output` or `error` and hand it to the exporters. Never raises:
        the user's result or exception is what the call ends with."""
        try:
            span.end_ns = _time_ns()
            if error is not None:
                span.error = describe_error(error)
                span.metadata["error_type"] = type(error).__name__
            elif self.capture_output:
                span.output = output
                if self.capture_tokens and isinstance(output, dict):
                    _copy_token_usage(span, output.get("usage"))
            if _debug:
                logger.debug("FluxLoop: pop %s %r (id=%s)", self.type, self.name, span.id)
        except Exception as failure:  # noqa: BLE001 - see fluxloop_runtime.failures
            recording_failed(f"{self.type} {self.name!r}", failure)
        exporters.observation_ended(span)
        if span.parent_observation_id is None and span.context.opened_by_agent:
            span.context.finalize()  # the agent's own trace ends with it

    def finish_stream(self, span: Span, items: list[Any], dropped: int, closed: bool) -> None:
        try:
            if dropped:
                span.metadata["stream_items_dropped"] = dropped
            if closed:
                span.metadata["stream_closed_early"] = True
        except Exception as failure:  # noqa: BLE001 - metadata replaced by the user's code
            recording_failed(f"{self.type} {self.name!r}", failure)
        self.finish(span, items)


def _copy_token_usage(span: Span, usage: Any) -> None:
    if isinstance(usage, dict):
        span.prompt_tokens = usage.get("prompt_tokens")
        span.completion_tokens = usage.get("completion_tokens")
        span.total_tokens = usage.get("total_tokens")


# --- streams -------------------------------------------------------------------------------

StreamStart = Callable[[tuple[Any, ...], dict[str, Any]], tuple[Any, "Span | None", "Frame | None"]]


def _generator_function(recorder: _Recorder, start: StreamStart) -> Callable[..., Generator[Any, Any, Any]]:
    """A generator function relaying the generator `start` gives, step by step.

    The observation's frame is current only while a step runs (set and reset within the
    step, never across a `yield`), so closing the stream anywhere raises nothing."""

    def relay(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        stream, span, frame = start(args, kwargs)
        if span is None:
            return (yield from stream)
        limit = get_config().max_stream_items
        items: list[Any] = []
        dropped = 0
        sent: Any = None
        thrown: BaseException | None = None
        while True:
            token = _set_frame(frame)
            try:
                item = stream.send(sent) if thrown is None else stream.throw(thrown)
            except StopIteration as stop:
                recorder.finish_stream(span, items, dropped, closed=False)
                return stop.value
            except BaseException as error:
                recorder.finish(span, error=error)
                raise
            finally:
                frame = _get_frame()
                _reset_frame(token)
            if len(items) < limit:
                items.append(item)
            else:
                dropped += 1
            sent, thrown = None, None
            try:
                sent = yield item
            except GeneratorExit:
                token = _set_frame(frame)
                try:
                    stream.close()
                finally:
                    _reset_frame(token)
                    recorder.finish_stream(span, items, dropped, closed=True)
                raise
            except BaseException as error:  # thrown in by the consumer: pass it on
                thrown = error

    return relay


def _async_generator_function(recorder: _Recorder, start: StreamStart) -> Callable[..., AsyncGenerator[Any, Any]]:
    """The async twin of `_generator_function`."""

    async def relay(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
        stream, span, frame = start(args, kwargs)
        limit = get_config().max_stream_items if span is not None else 0
        items: list[Any] = []
        dropped = 0
        sent: Any = None
        thrown: BaseException | None = None
        while True:
            token = _set_frame(frame) if span is not None else None
            try:
                if thrown is None:
                    item = await stream.asend(sent)
                else:
                    item = await stream.athrow(thrown)
            except StopAsyncIteration:
                if span is not None:
                    recorder.finish_stream(span, items, dropped, closed=False)
                return
            except BaseException as error:
                if span is not None:
                    recorder.finish(span, error=error)
                raise
            finally:
                if token is not None:
                    frame = _get_frame()
                    _reset_frame(token)
            if span is not None:
                if len(items) < limit:
                    items.append(item)
                else:
                    dropped += 1
            sent, thrown = None, None
            try:
                sent = yield item
            except GeneratorExit:
                token = _set_frame(frame) if span is not None else None
                try:
                    await stream.aclose()
                finally:
                    if token is not None:
                        _reset_frame(token)
                        recorder.finish_stream(span, items, dropped, closed=True)
                raise
            except BaseException as error:
                thrown = error

    return relay


def _relay_returned_stream(recorder: _Recorder, stream: Any, span: Span, frame: Frame) -> Any:
    """A function returned a generator or async generator: keep its observation open until
    that stream ends, recording its items."""

    def start(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Span, Frame]:
        return stream, span, frame

    if isinstance(stream, AsyncGeneratorType):
        return _async_generator_function(recorder, start)()
    return _generator_function(recorder, start)()


# --- the four wrapper kinds ----------------------------------------------------------------


def _wrap_function(func: Callable[..., Any], recorder: _Recorder) -> Callable[..., Any]:
    get_frame = _get_frame  # closure variables: the cheapest lookups on the hot path
    opens_trace = recorder.type == _AGENT

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        frame = get_frame()
        if frame is None:
            if not opens_trace:
                if _debug:
                    recorder.not_captured(NO_CONTEXT)
                return func(*args, **kwargs)
            frame = recorder.root_frame()
        inner = recorder.open(frame, args, kwargs)
        if inner is None:
            return func(*args, **kwargs)
        token = _set_frame(inner)
        try:
            result = func(*args, **kwargs)
        except BaseException as error:
            _reset_frame(token)
            recorder.finish(inner.observation, error=error)
            raise
        _reset_frame(token)
        if isinstance(result, _STREAM_TYPES):
            return _relay_returned_stream(recorder, result, inner.observation, inner)
        recorder.finish(inner.observation, result)
        return result

    return wrapper


def _wrap_coroutine_function(func: Callable[..., Any], recorder: _Recorder) -> Callable[..., Any]:
    """The coroutine twin of `_wrap_function`, line for line, with `await` (a shared helper
    could not await and would cost a call on every call)."""
    get_frame = _get_frame  # closure variables: the cheapest lookups on the hot path
    opens_trace = recorder.type == _AGENT

    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        frame = get_frame()
        if frame is None:
            if not opens_trace:
                if _debug:
                    recorder.not_captured(NO_CONTEXT)
                return await func(*args, **kwargs)
            frame = recorder.root_frame()
        inner = recorder.open(frame, args, kwargs)
        if inner is None:
            return await func(*args, **kwargs)
        token = _set_frame(inner)
        try:
            result = await func(*args, **kwargs)
        except BaseException as error:
            _reset_frame(token)
            recorder.finish(inner.observation, error=error)
            raise
        _reset_frame(token)
        if isinstance(result, _STREAM_TYPES):
            return _relay_returned_stream(recorder, result, inner.observation, inner)
        recorder.finish(inner.observation, result)
        return result

    return wrapper


def _stream_start(func: Callable[..., Any], recorder: _Recorder) -> StreamStart:
    def start(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Span | None, Frame | None]:
        frame = _get_frame()
        if frame is None:
            if recorder.type != _AGENT:
                if _debug:
                    recorder.not_captured(NO_CONTEXT)
                return func(*args, **kwargs), None, None
            frame = recorder.root_frame()
        inner = recorder.open(frame, args, kwargs)
        if inner is None:
            return func(*args, **kwargs), None, None
        return func(*args, **kwargs), inner.observation, inner

    return start


def _wrap(func: Any, recorder_for: Callable[[Callable[..., Any]], _Recorder]) -> Any:
    """Wrap `func`, choosing the wrapper kind now. Descriptors (`staticmethod`,
    `classmethod`, `property`) are rebuilt around a wrapped function, so a FluxLoop
    decorator above them works too."""
    if isinstance(func, (staticmethod, classmethod)):
        return type(func)(_wrap(func.__func__, recorder_for))
    if isinstance(func, property):
        getter = _wrap(func.fget, recorder_for) if func.fget is not None else None
        return property(getter, func.fset, func.fdel, func.__doc__)
    if not callable(func):
        raise TypeError(
            f"a FluxLoop decorator got a {type(func).__name__} object, which is not callable: "
            "a framework decorator sits below it. Put the framework decorator outermost "
            "(Pattern B) or instrument inside the function body (Pattern A)."
        )
    recorder = recorder_for(func)
    if inspect.isasyncgenfunction(func):
        return functools.wraps(func)(_async_generator_function(recorder, _stream_start(func, recorder)))
    if inspect.isgeneratorfunction(func):
        return functools.wraps(func)(_generator_function(recorder, _stream_start(func, recorder)))
    if inspect.iscoroutinefunction(func):
        return _wrap_coroutine_function(func, recorder)
    return _wrap_function(func, recorder)


def _is_target(value: Any) -> bool:
    """True when a decorator was used bare (`@tool`): its first argument is the function."""
    return value is not None and not isinstance(value, (str, ObservationType))


# --- the public decorators -----------------------------------------------------------------


def trace(
    name: Any = None,
    observation_type: ObservationType | str = ObservationType.SPAN,
    metadata: dict[str, Any] | None = None,
    capture_input: bool = True,
    capture_output: bool = True,
) -> Any:
    """Record each call as an observation of `observation_type` (default SPAN).

    Usable bare (`@trace`) or called (`@trace(name=..., observation_type="chain")`).
    `name` defaults to the function's `__name__`; an unknown `observation_type` raises
    `ValueError` listing the valid ones.
    """
    if _is_target(name):
        return trace()(name)
    if isinstance(observation_type, str) and not isinstance(observation_type, ObservationType):
        try:
            observation_type = ObservationType(observation_type)
        except ValueError:
            valid = ", ".join(kind.value for kind in ObservationType)
            raise ValueError(f"Invalid observation_type {observation_type!r}. Expected one of: {valid}") from None

    def decorator(func: F) -> F:
        return _wrap(
            func,
            lambda target: _Recorder(target, observation_type, name, metadata, capture_input, capture_output),
        )

    return decorator


def agent(
    name: Any = None,
    metadata: dict[str, Any] | None = None,
    capture_input: bool = True,
    capture_output: bool = True,
) -> Any:
    """Record each call as an AGENT observation. Bare (`@agent`) or called (`@agent(...)`)."""
    if _is_target(name):
        return agent()(name)
    return trace(name, ObservationType.AGENT, metadata, capture_input, capture_output)


def prompt(name: Any = None, model: str | None = None, capture_tokens: bool = True) -> Any:
    """Record each call as a GENERATION observation with `model`; with `capture_tokens`,
    token counts are taken from a returned dict's `usage`. Bare or called."""
    if _is_target(name):
        return prompt()(name)

    def decorator(func: F) -> F:
        return _wrap(
            func,
            lambda target: _Recorder(
                target, ObservationType.GENERATION, name, None, True, True, model, capture_tokens
            ),
        )

    return decorator


def tool(name: Any = None, description: str | None = None) -> Any:
    """Record each call as a TOOL observation (`description` goes into its metadata).
    Bare (`@tool`) or called (`@tool(name="tool.search")`)."""
    if _is_target(name):
        return tool()(name)
    metadata = {"description": description} if description else None
    return trace(name, ObservationType.TOOL, metadata)


__all__ = ["agent", "prompt", "tool", "trace"]
