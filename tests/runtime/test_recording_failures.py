"""Recording never changes what the user's call returns or raises (issue 3).

An exception whose `__str__` raises is described by its type's name; a failure of the
serialisation or of the store is logged (a warning once, then debug) and the call carries on.
"""

import asyncio
import logging

import pytest

import fluxloop_runtime as fluxloop
from fluxloop_runtime import ObservationData, ObservationType, failures
from fluxloop_runtime.storage import offline_store
from tests.runtime.test_decorators import KINDS, async_generator, coroutine, generator, plain, run_any


class Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("__str__ is broken")


def failing_function_of_kind(kind, failure: BaseException):
    def fail(query):
        raise failure

    async def afail(query):
        raise failure

    def gfail(query):
        yield query
        raise failure

    async def agfail(query):
        yield query
        raise failure

    return {plain: fail, coroutine: afail, generator: gfail, async_generator: agfail}[kind]


@pytest.fixture
def warnings_not_yet_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees the first recording failure of the process again."""
    monkeypatch.setattr(failures, "_warned", False)


@pytest.fixture
def broken_store(monkeypatch: pytest.MonkeyPatch, warnings_not_yet_given: None) -> None:
    """The offline store refuses every line, as a failing disk or a bug in it would."""

    def refuse(finished: object) -> None:  # an observation or a trace
        raise RuntimeError("the store is broken")

    monkeypatch.setattr(offline_store, "export_observation", refuse)
    monkeypatch.setattr(offline_store, "export_trace", refuse)


@pytest.mark.parametrize("kind", KINDS, ids=lambda f: f.__name__)
def test_an_error_whose_str_raises_propagates_unchanged_from_every_wrapper_kind(store, kind):
    failure = Unprintable()
    with fluxloop.instrument("run"):
        with pytest.raises(Unprintable) as raised:
            run_any(fluxloop.tool(failing_function_of_kind(kind, failure)), "q")
    assert raised.value is failure
    [observation] = store.observations()
    assert observation["error"] == "Unprintable"
    assert observation["metadata"]["error_type"] == "Unprintable"


def test_an_error_whose_str_raises_propagates_unchanged_from_instrument(store):
    failure = Unprintable()
    with pytest.raises(Unprintable) as raised:
        with fluxloop.instrument("run"):
            with fluxloop.instrument("step"):
                raise failure
    assert raised.value is failure

    async def run_async() -> None:
        async with fluxloop.instrument("async run"):
            async with fluxloop.instrument("async step"):
                raise failure

    with pytest.raises(Unprintable) as raised:
        asyncio.run(run_async())
    assert raised.value is failure
    records = store.by_name()
    assert records["step"]["error"] == records["async step"]["error"] == "Unprintable"
    assert len(store.traces()) == 2


@pytest.mark.parametrize("kind", KINDS, ids=lambda f: f.__name__)
def test_a_broken_store_changes_neither_result_nor_error_of_any_wrapper_kind(broken_store, caplog, kind):
    with caplog.at_level(logging.DEBUG, logger="fluxloop_runtime"):
        with fluxloop.instrument("run"):
            assert run_any(fluxloop.tool(kind), "q", limit=2) == ["q", "q"]
            failure = KeyError("missing")
            with pytest.raises(KeyError) as raised:
                run_any(fluxloop.tool(failing_function_of_kind(kind, failure)), "q")
            assert raised.value is failure
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings
    assert "the store is broken" in warnings[0].getMessage()
    later = [record for record in caplog.records if record.levelno == logging.DEBUG and "recording" in record.getMessage()]
    assert len(later) == 2  # the failing call's observation and the trace's line


def test_a_broken_store_changes_nothing_for_instrument_and_manual_pop(broken_store, caplog):
    failure = ValueError("the user's own")
    with caplog.at_level(logging.WARNING, logger="fluxloop_runtime"):
        with pytest.raises(ValueError) as raised:
            with fluxloop.instrument("run") as context:
                with fluxloop.instrument("step"):
                    pass
                manual = ObservationData(type=ObservationType.SPAN, name="manual")
                context.push_observation(manual)
                try:
                    raise failure
                finally:
                    assert context.pop_observation(manual) is manual
    assert raised.value is failure
    assert len(caplog.records) == 1


def test_a_failing_serialisation_step_does_not_change_the_result(store, warnings_not_yet_given, caplog):
    class Reply(dict):
        """A dict whose `get` raises: reading token usage from it fails."""

        def get(self, key, default=None):
            raise LookupError("no get here")

    reply = Reply(text="hello")

    @fluxloop.prompt(model="m")
    def generate(question: str) -> Reply:
        return reply

    with caplog.at_level(logging.WARNING, logger="fluxloop_runtime"):
        with fluxloop.instrument("run"):
            assert generate("hi") is reply
    assert "no get here" in caplog.records[0].getMessage()


def test_describe_error():
    assert failures.describe_error(KeyError("k")) == "'k'"
    assert failures.describe_error(ValueError()) == "ValueError"
    assert failures.describe_error(Unprintable()) == "Unprintable"
