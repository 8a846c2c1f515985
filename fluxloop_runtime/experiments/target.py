"""The experiment's target: find `module:function` or `module:Class.method`, and call it.

Every kind of callable works: sync and async functions, generators and async generators
(their items are collected into a list, which is the run's output).

Sync targets run in a daemon worker thread that carries the caller's context (so their
observations join the run's trace), which keeps the event loop free to enforce the
timeout and to notice Ctrl-C. Python cannot stop a thread, so a sync target that outlives
its timeout is abandoned: its run is recorded as failed with a timeout error and the
experiment goes on; the thread runs on until it returns or the process exits, and whatever
it records after that is not part of any completed run. Async targets are cancelled.
"""

from __future__ import annotations

import asyncio
import contextvars
import importlib
import inspect
import threading
from collections.abc import Callable
from typing import Any

from fluxloop_runtime.experiments.errors import ExperimentError


def resolve_target(spec: str) -> Callable[..., Any]:
    """Import `module:function` or `module:Class.method` (the class built with no arguments)."""
    module_name, _, attribute_path = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # the user's module may fail in any way while importing
        raise ExperimentError(
            f"runner.target {spec!r}: cannot import {module_name!r}: {type(error).__name__}: {error}"
        ) from None

    owner: Any = module
    owner_name = module_name
    class_name, _, method_name = attribute_path.rpartition(".")
    if class_name:
        owner = _attribute(owner, class_name, owner_name, spec)
        if not inspect.isclass(owner):
            raise ExperimentError(f"runner.target {spec!r}: {class_name!r} is not a class")
        try:
            owner = owner()
        except Exception as error:
            raise ExperimentError(
                f"runner.target {spec!r}: cannot create {class_name}() with no arguments: "
                f"{type(error).__name__}: {error}"
            ) from None
        owner_name = class_name
    target = _attribute(owner, method_name, owner_name, spec)
    if not callable(target):
        raise ExperimentError(f"runner.target {spec!r}: {method_name!r} is not callable")
    return target


def _attribute(owner: Any, name: str, owner_name: str, spec: str) -> Any:
    try:
        return getattr(owner, name)
    except AttributeError:
        raise ExperimentError(f"runner.target {spec!r}: {owner_name!r} has no attribute {name!r}") from None


def bind_input(target: Callable[..., Any], value: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Arguments that hand `value` to the parameter named `input`, else to the first one."""
    try:
        parameters = list(inspect.signature(target).parameters.values())
    except (TypeError, ValueError):  # builtins without a signature: pass the input positionally
        return (value,), {}
    if any(parameter.name == "input" for parameter in parameters):
        return (), {"input": value}
    if not parameters:
        return (), {}
    first = parameters[0]
    if first.kind is inspect.Parameter.KEYWORD_ONLY:
        return (), {first.name: value}
    return (value,), {}


async def call_target(target: Callable[..., Any], value: Any) -> Any:
    """Call `target` with `value` and return its output, collecting streamed items."""
    args, kwargs = bind_input(target, value)
    if inspect.isasyncgenfunction(target):
        return await _collect_async(target(*args, **kwargs))
    if inspect.iscoroutinefunction(target):
        return await target(*args, **kwargs)
    result = await _in_worker_thread(lambda: _finish_sync(target(*args, **kwargs)))
    # A plain function may still hand back something to await or to iterate asynchronously.
    if inspect.isawaitable(result):
        return await result
    if inspect.isasyncgen(result):
        return await _collect_async(result)
    return result


def _finish_sync(result: Any) -> Any:
    return list(result) if inspect.isgenerator(result) else result


async def _collect_async(stream: Any) -> list[Any]:
    return [item async for item in stream]


async def _in_worker_thread(work: Callable[[], Any]) -> Any:
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()
    context = contextvars.copy_context()

    def settle(outcome: Any, error: BaseException | None) -> None:
        if future.done():  # timed out or interrupted meanwhile
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(outcome)

    def work_in_context() -> None:
        try:
            outcome = context.run(work)
        except BaseException as error:  # handed to the awaiting task, which records it
            _call_soon(loop, settle, None, error)
        else:
            _call_soon(loop, settle, outcome, None)

    threading.Thread(target=work_in_context, name="fluxloop-experiment-run", daemon=True).start()
    return await future


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[..., None], *args: Any) -> None:
    try:
        loop.call_soon_threadsafe(callback, *args)
    except RuntimeError:  # the loop is closed: the experiment ended while this thread ran on
        pass
