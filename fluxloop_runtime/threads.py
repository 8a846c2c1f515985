"""Running work on a thread pool without losing the FluxLoop context.

`ThreadPoolExecutor.submit` and `loop.run_in_executor` run the function in the worker
thread's own context, so observations made there would have no trace. `in_context(func)`
binds a function to the caller's context (a fresh copy per call, so `pool.map` over many
threads at once is fine); `submit_with_context` is the one-liner for executors.
`asyncio.to_thread` already copies the context and needs neither.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

T = TypeVar("T")


def in_context(func: Callable[..., T]) -> Callable[..., T]:
    """`func` bound to the current context: observations it makes, in any thread, get the
    caller's trace and current observation as parent.

        await loop.run_in_executor(None, in_context(search), "query")
        list(pool.map(in_context(search), queries))
    """
    context = contextvars.copy_context()

    @functools.wraps(func)
    def run_in_captured_context(*args: Any, **kwargs: Any) -> T:
        return context.copy().run(func, *args, **kwargs)

    return run_in_captured_context


def submit_with_context(executor: Executor, func: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
    """`executor.submit(func, *args, **kwargs)`, run in a copy of the current context."""
    return executor.submit(contextvars.copy_context().run, func, *args, **kwargs)


__all__ = ["in_context", "submit_with_context"]
