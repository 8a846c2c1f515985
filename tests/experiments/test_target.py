"""Calling targets of every kind, binding the input, and the per-run timeout."""

from __future__ import annotations

import asyncio
import threading

import pytest

from fluxloop_runtime.experiments.target import bind_input, call_target


def sync_target(input):
    return f"sync {input}"


async def async_target(input):
    await asyncio.sleep(0)
    return f"async {input}"


def generator_target(input):
    yield from input.split()


async def async_generator_target(input):
    for word in input.split():
        await asyncio.sleep(0)
        yield word.upper()


def returns_a_coroutine(input):
    return async_target(input)


class Bot:
    def reply(self, input):
        return f"bot {input}"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (sync_target, "sync a b"),
        (async_target, "async a b"),
        (generator_target, ["a", "b"]),
        (async_generator_target, ["A", "B"]),
        (returns_a_coroutine, "async a b"),
        (Bot().reply, "bot a b"),
    ],
    ids=["sync", "async", "generator", "async-generator", "returns-coroutine", "bound-method"],
)
def test_every_kind_of_target_returns_its_output(target, expected) -> None:
    assert asyncio.run(call_target(target, "a b")) == expected


def test_a_sync_target_runs_in_a_worker_thread_and_its_error_comes_back() -> None:
    seen = []

    def failing(input):
        seen.append(threading.current_thread() is threading.main_thread())
        raise KeyError(input)

    with pytest.raises(KeyError, match="x"):
        asyncio.run(call_target(failing, "x"))
    assert seen == [False]


def test_the_input_goes_to_the_parameter_named_input_else_the_first() -> None:
    def named(context=None, input=None):
        return context, input

    def first(question, style="short"):
        return question, style

    def keyword_only(*, question):
        return question

    def nothing():
        return "no parameters"

    assert bind_input(named, 1) == ((), {"input": 1})
    assert bind_input(first, 1) == ((1,), {})
    assert bind_input(keyword_only, 1) == ((), {"question": 1})
    assert bind_input(nothing, 1) == ((), {})


def test_a_sync_target_past_its_timeout_is_abandoned_and_the_loop_goes_on() -> None:
    release = threading.Event()

    def stuck(input):
        release.wait(30)
        return input

    async def scenario():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(call_target(stuck, "x"), 0.05)
        return await call_target(sync_target, "after")

    try:
        assert asyncio.run(scenario()) == "sync after"
    finally:
        release.set()


def test_an_async_target_past_its_timeout_is_cancelled() -> None:
    cancelled = []

    async def slow(input):
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    async def scenario():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(call_target(slow, "x"), 0.05)

    asyncio.run(scenario())
    assert cancelled == [True]
