"""What the decorators keep of the function and what they record."""

import asyncio
import functools
import inspect
import typing

import pytest

import fluxloop_runtime as fluxloop
from fluxloop_runtime import ObservationType

DECORATORS = {
    "tool bare": fluxloop.tool,
    "tool called": fluxloop.tool(name="t", description="d"),
    "agent bare": fluxloop.agent,
    "agent called": fluxloop.agent(name="a", metadata={"team": "x"}),
    "prompt bare": fluxloop.prompt,
    "prompt called": fluxloop.prompt(name="p", model="gpt-4"),
    "trace bare": fluxloop.trace,
    "trace called": fluxloop.trace(name="s", observation_type="chain"),
}


def plain(query: str, limit: int = 3, *, exact: bool = False) -> list[str]:
    """Plain function."""
    return [query] * limit


async def coroutine(query: str, limit: int = 3) -> list[str]:
    """Coroutine function."""
    return [query] * limit


def generator(query: str, limit: int = 3) -> typing.Iterator[str]:
    """Generator function."""
    yield from [query] * limit


async def async_generator(query: str, limit: int = 3) -> typing.AsyncIterator[str]:
    """Async generator function."""
    for _ in range(limit):
        yield query


KINDS = [plain, coroutine, generator, async_generator]
PREDICATES = [inspect.iscoroutinefunction, inspect.isgeneratorfunction, inspect.isasyncgenfunction]


@pytest.mark.parametrize("decorator", DECORATORS.values(), ids=DECORATORS.keys())
@pytest.mark.parametrize("func", KINDS, ids=lambda f: f.__name__)
def test_wrapper_keeps_what_frameworks_inspect(decorator, func):
    func.marker = "set by another decorator"
    try:
        wrapped = decorator(func)
    finally:
        del func.marker
    for predicate in PREDICATES:
        assert predicate(wrapped) == predicate(func), predicate.__name__
    assert wrapped.__wrapped__ is func
    for attribute in ("__name__", "__qualname__", "__doc__", "__module__", "__annotations__"):
        assert getattr(wrapped, attribute) == getattr(func, attribute)
    assert wrapped.marker == "set by another decorator"
    assert "__signature__" not in vars(wrapped)
    assert inspect.signature(wrapped) == inspect.signature(func)
    assert typing.get_type_hints(wrapped) == typing.get_type_hints(func)


def run_any(func, *args, **kwargs):
    if inspect.isasyncgenfunction(func):
        async def collect():
            return [item async for item in func(*args, **kwargs)]

        return asyncio.run(collect())
    if inspect.iscoroutinefunction(func):
        return asyncio.run(func(*args, **kwargs))
    if inspect.isgeneratorfunction(func):
        return list(func(*args, **kwargs))
    return func(*args, **kwargs)


@pytest.mark.parametrize("func", KINDS, ids=lambda f: f.__name__)
def test_records_bound_arguments_and_output_for_every_kind(store, func):
    wrapped = fluxloop.tool(func)
    with fluxloop.instrument("run") as context:
        result = run_any(wrapped, "q", limit=2)
    assert result == ["q", "q"]
    [observation] = store.observations()
    assert observation["name"] == func.__name__
    assert observation["type"] == "tool"
    expected_input = {"query": "q", "limit": 2}
    if func is plain:
        expected_input["exact"] = False
    assert observation["input"] == expected_input
    assert observation["output"] == ["q", "q"]
    assert observation["trace_id"] == str(context.trace.id)


@pytest.mark.parametrize("func", KINDS, ids=lambda f: f.__name__)
def test_without_a_context_nothing_is_recorded(store, func):
    assert run_any(fluxloop.tool(func), "q", 1) == ["q"]
    assert store.observations() == []


def test_observation_types_and_options(store):
    @fluxloop.agent(name="agent.x", metadata={"team": "x"}, capture_input=False)
    def the_agent(message):
        return generate(message)

    @fluxloop.prompt(model="gpt-4")
    def generate(message):
        return {"text": message, "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}}

    @fluxloop.trace(observation_type=ObservationType.EVALUATION, capture_output=False)
    def judge(text):
        return "secret"

    @fluxloop.tool(description="Search things")
    def search(text):
        return text

    with fluxloop.instrument("run"):
        judge(search(the_agent("hi")["text"]))
    records = store.by_name()
    assert records["agent.x"]["type"] == "agent"
    assert records["agent.x"]["metadata"] == {"team": "x"}
    assert "input" not in records["agent.x"]
    assert records["generate"]["type"] == "generation"
    assert records["generate"]["model"] == "gpt-4"
    assert (records["generate"]["prompt_tokens"], records["generate"]["total_tokens"]) == (3, 7)
    assert records["generate"]["parent_observation_id"] == records["agent.x"]["id"]
    assert records["judge"]["type"] == "evaluation" and "output" not in records["judge"]
    assert records["search"]["metadata"] == {"description": "Search things"}


def test_invalid_observation_type_is_refused():
    with pytest.raises(ValueError, match="Invalid observation_type 'nope'.*span, event"):
        fluxloop.trace(observation_type="nope")


@pytest.mark.parametrize("func", KINDS, ids=lambda f: f.__name__)
def test_errors_are_recorded_and_the_same_exception_propagates(store, func):
    failure = KeyError("missing")

    def fail(*args):
        raise failure

    async def afail(*args):
        raise failure

    def gfail(*args):
        yield "first"
        raise failure

    async def agfail(*args):
        yield "first"
        raise failure

    failing = {plain: fail, coroutine: afail, generator: gfail, async_generator: agfail}[func]
    with fluxloop.instrument("run"):
        with pytest.raises(KeyError) as raised:
            run_any(fluxloop.tool(failing))
    assert raised.value is failure
    [observation] = store.observations()
    assert observation["error"] == "'missing'"
    assert observation["metadata"]["error_type"] == "KeyError"


def test_methods_leave_out_self_and_cls_and_descriptors_above_work(store):
    class Shop:
        @fluxloop.tool
        def buy(self, item: str) -> str:
            return f"bought {item}"

        @fluxloop.tool
        @classmethod
        def open(cls, hour: int) -> str:
            return f"{cls.__name__} opens at {hour}"

        @fluxloop.tool
        @staticmethod
        def price(item: str) -> int:
            return len(item)

        @fluxloop.trace
        @property
        def name(self) -> str:
            return "shop"

        @classmethod
        @fluxloop.tool(name="Shop.close")
        def close(cls, hour: int) -> str:
            return f"closes at {hour}"

    with fluxloop.instrument("run"):
        assert Shop().buy("tea") == "bought tea"
        assert Shop.open(9) == "Shop opens at 9"
        assert Shop.price("tea") == 3
        assert Shop().name == "shop"
        assert Shop.close(18) == "closes at 18"
    records = store.by_name()
    assert records["buy"]["input"] == {"item": "tea"}
    assert records["open"]["input"] == {"hour": 9}
    assert records["price"]["input"] == {"item": "tea"}
    assert records["name"]["output"] == "shop"
    assert records["Shop.close"]["input"] == {"hour": 18}


def test_stream_items_are_capped(store):
    fluxloop.configure(max_stream_items=3)

    @fluxloop.tool
    def count(n):
        yield from range(n)

    with fluxloop.instrument("run"):
        assert sum(count(10)) == 45
    [observation] = store.observations()
    assert observation["output"] == [0, 1, 2]
    assert observation["metadata"]["stream_items_dropped"] == 7


def test_generator_send_throw_and_return_value_pass_through(store):
    @fluxloop.tool
    def echo():
        received = []
        try:
            while True:
                value = yield len(received)
                received.append(value)
        except ValueError:
            yield "caught"
        return received

    with fluxloop.instrument("run"):
        stream = echo()
        assert next(stream) == 0
        assert stream.send("a") == 1
        assert stream.throw(ValueError("x")) == "caught"
        with pytest.raises(StopIteration) as stop:
            next(stream)
    assert stop.value.value == ["a"]
    [observation] = store.observations()
    assert observation["output"] == [0, 1, "caught"]


def test_closing_a_stream_early_ends_its_observation(store):
    @fluxloop.tool
    def numbers():
        yield from range(100)

    with fluxloop.instrument("run"):
        stream = numbers()
        assert [next(stream), next(stream)] == [0, 1]
        stream.close()
    [observation] = store.observations()
    assert observation["output"] == [0, 1]
    assert observation["metadata"]["stream_closed_early"] is True


def test_children_made_while_a_stream_step_runs_have_the_stream_as_parent(store):
    @fluxloop.tool
    def lookup(n):
        return n * 10

    @fluxloop.prompt
    async def tokens():
        for n in range(2):
            yield lookup(n)

    async def main():
        with fluxloop.instrument("run"):
            stream = tokens()
            first = await stream.__anext__()
            outside = lookup(99)  # between steps: the stream is not the parent
            rest = [item async for item in stream]
            return [first, *rest], outside

    assert asyncio.run(main()) == ([0, 10], 990)
    observations = store.observations()
    [stream] = [o for o in observations if o["name"] == "tokens"]
    children = [o for o in observations if o["name"] == "lookup"]
    assert sorted(o["input"]["n"] for o in children if o.get("parent_observation_id") == stream["id"]) == [0, 1]
    [outside] = [o for o in children if o["input"]["n"] == 99]
    assert "parent_observation_id" not in outside


def test_async_generator_closed_from_another_task_raises_and_logs_nothing(store, caplog):
    caplog.set_level("DEBUG", logger="fluxloop_runtime")

    @fluxloop.tool
    async def ticks():
        for n in range(10):
            await asyncio.sleep(0)
            yield n

    async def main():
        with fluxloop.instrument("run"):
            stream = ticks()
            assert await stream.__anext__() == 0

            async def close_elsewhere():
                await stream.aclose()

            await asyncio.gather(asyncio.create_task(close_elsewhere()))

    asyncio.run(main())
    [observation] = store.observations()
    assert observation["output"] == [0]
    assert observation["metadata"]["stream_closed_early"] is True
    assert caplog.records == []


def test_a_function_returning_a_generator_keeps_the_observation_open(store):
    @fluxloop.tool
    def make_stream(n):
        return (i * i for i in range(n))

    with fluxloop.instrument("run"):
        stream = make_stream(3)
        assert store.observations() == []  # still open
        assert list(stream) == [0, 1, 4]
    [observation] = store.observations()
    assert observation["output"] == [0, 1, 4]


def test_functools_partial_and_callable_objects_can_be_wrapped(store):
    class Scorer:
        def __call__(self, text: str) -> int:
            return len(text)

    scored = fluxloop.trace(name="score")(Scorer())
    halved = fluxloop.tool(name="half")(functools.partial(divmod, 10))
    with fluxloop.instrument("run"):
        assert scored("abcd") == 4
        assert halved(3) == (3, 1)
    records = store.by_name()
    assert records["score"]["input"] == {"text": "abcd"}
    assert records["half"]["output"] == [3, 1]
