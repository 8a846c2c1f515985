"""The manual rewrite behaves like the decorators it replaces, run for real on fluxloop_runtime.

A module of decorated functions is written to disk, rewritten with `--fix-strategy manual
--unsafe-fixes` (every FluxLoop decorator becomes Pattern A), and both versions are imported
and called under `fluxloop_runtime.instrument()`. The observations they record (type, name,
output, error, parent) and the values they return or raise must be the same.

The input differs by design (as the README says), so it is not compared between the two
but checked exactly on each side against the arguments of the call: the decorators record
the bound arguments themselves (defaults applied, `self`/`cls` left out, framework context
parameters such as `ctx: RunContextWrapper` included); Pattern A records
`{"args": {...}}`, the same arguments less the framework context parameters.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import fluxloop_runtime
from fluxloop_lint.engine import lint_source
from fluxloop_lint.types import FixStrategy, LintSettings

MANUAL = LintSettings(fix_strategy=FixStrategy.MANUAL, unsafe_fixes=True)

DECORATED = '''\
"""Decorated functions of every kind."""
import fluxloop_runtime as fluxloop
from fluxloop_runtime import agent, tool
from agents import RunContextWrapper


@tool(name="tool.lookup", description="Look a word up")
def lookup(word: str, limit: int = 2) -> dict:
    """Look a word up."""
    return {"word": word, "hits": [word * n for n in range(limit)]}


@fluxloop.trace(name="span.early")
def early(value: int) -> str:
    if value < 0:
        return "negative"  # early return
    elif value == 0: return "zero"
    return f"positive {value}"


@fluxloop.tool()
def explode(reason: str) -> None:
    raise ValueError(f"exploded: {reason}")


@agent(name="agent.plan")
async def plan(goal: str, *steps: str, **options: Any) -> list:
    found = lookup(goal)
    await asyncio.sleep(0)
    return [found["word"], *steps, sorted(options)]


@fluxloop.trace(observation_type="chain")
def numbers(limit: int):
    """Count up."""
    for number in range(limit):
        yield number * 10


@fluxloop.prompt(name="prompt.stream", model="gpt-4")
async def stream(prompt: str):
    for word in prompt.split():
        await asyncio.sleep(0)
        yield word.upper()


class Service:
    def __init__(self, factor: int) -> None:
        self.factor = factor

    @fluxloop.tool(name="tool.scale")
    def scale(self, value: int) -> int:
        def double(x):
            return x * 2  # a nested function's return is not the method's
        return double(value) * self.factor

    @classmethod
    @fluxloop.trace()
    def build(cls, factor: int) -> int:
        return cls(factor).factor * 2


@fluxloop.trace(name=None, observation_type=fluxloop.ObservationType.EVENT)
def unnamed(value: int) -> int:
    """`name=None`: the decorators name the observation after the function."""
    return value + 1


@tool(name="tool.with_context")
async def with_context(ctx: RunContextWrapper[Any], city: str) -> str:
    return f"weather in {city}"
'''

HEADER = "import asyncio\nfrom typing import Any\n"


def _load(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def modules(tmp_path: Path) -> Iterator[tuple[Any, Any, str]]:
    source = HEADER + DECORATED
    result = lint_source(source, "decorated.py", MANUAL, fix=True)
    assert result.errors == ()
    rewritten = result.fixed_source
    assert isinstance(rewritten, str)
    assert "@tool" not in rewritten and "@fluxloop." not in rewritten and "@agent" not in rewritten
    assert lint_source(rewritten, "decorated.py", MANUAL, fix=True).fixed_source is None
    assert lint_source(rewritten, "decorated.py", LintSettings(select=("ALL",))).findings == ()
    (tmp_path / "decorated_before.py").write_text(source)
    (tmp_path / "decorated_after.py").write_text(rewritten)
    before = _load(tmp_path / "decorated_before.py", "decorated_before")
    after = _load(tmp_path / "decorated_after.py", "decorated_after")
    yield before, after, rewritten
    sys.modules.pop("decorated_before", None)
    sys.modules.pop("decorated_after", None)


def _comparable(observations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What both versions must agree on (the input is checked on each side, see
    `INPUTS`); parents by name (ids differ from run to run)."""
    names = {observation["id"]: observation["name"] for observation in observations}
    result = []
    for observation in observations:
        result.append(
            {
                "type": observation["type"],
                "name": observation["name"],
                "output": observation.get("output"),
                "error": observation.get("error"),
                "parent": names.get(observation.get("parent_observation_id"), observation.get("parent_observation_id")),
                "model": observation.get("model"),
            }
        )
    return sorted(result, key=lambda observation: observation["name"])


def _run(call: Any) -> tuple[str, Any]:
    """Call under instrument(); the value returned (or items yielded) or the error raised."""
    with fluxloop_runtime.instrument("equivalence"):
        try:
            value = call()
            if asyncio.iscoroutine(value):
                value = asyncio.run(value)
            elif hasattr(value, "__anext__"):
                async def drain(stream: Any) -> list[Any]:
                    return [item async for item in stream]

                value = asyncio.run(drain(value))
            elif hasattr(value, "__next__"):
                value = list(value)
            return "returned", value
        except Exception as error:
            return "raised", (type(error).__name__, str(error))


# Per case, in the order `_by_name` gives: each observation's name and the bound arguments
# the decorators record as its input.
INPUTS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "sync": [("tool.lookup", {"word": "ab", "limit": 3})],
    "sync-default": [("tool.lookup", {"word": "x", "limit": 2})],
    "early-return": [("span.early", {"value": -1}), ("span.early", {"value": 0}), ("span.early", {"value": 5})],
    "raising": [("explode", {"reason": "boom"})],
    "async-with-children": [
        ("agent.plan", {"goal": "goal", "steps": ["a", "b"], "options": {"fast": True}}),
        ("tool.lookup", {"word": "goal", "limit": 2}),
    ],
    "generator": [("numbers", {"limit": 4})],
    "async-generator": [("prompt.stream", {"prompt": "one two three"})],
    "method": [("tool.scale", {"value": 7})],
    "classmethod": [("build", {"factor": 5})],
    # The decorators leave framework context parameters out as Pattern A does (one shared list).
    "framework-context-parameter": [("tool.with_context", {"city": "Seoul"})],
    "name-none": [("unnamed", {"value": 1})],
}
# Parameters of the functions above that a framework fills in (left out by Pattern A).
FRAMEWORK_CONTEXT_PARAMETERS = frozenset({"ctx"})


def _by_name(observations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(observations, key=lambda observation: observation["name"])


CALLS = {
    "sync": lambda m: m.lookup("ab", limit=3),
    "sync-default": lambda m: m.lookup("x"),
    "early-return": lambda m: [m.early(-1), m.early(0), m.early(5)],
    "raising": lambda m: m.explode("boom"),
    "async-with-children": lambda m: m.plan("goal", "a", "b", fast=True),
    "generator": lambda m: m.numbers(4),
    "async-generator": lambda m: m.stream("one two three"),
    "method": lambda m: m.Service(3).scale(7),
    "classmethod": lambda m: m.Service.build(5),
    "framework-context-parameter": lambda m: m.with_context(None, "Seoul"),
    "name-none": lambda m: m.unnamed(1),
}


@pytest.mark.parametrize("case", sorted(CALLS))
def test_rewritten_functions_record_and_return_the_same(modules, offline_store, case):
    before, after, _ = modules
    call = CALLS[case]
    outcome_before = _run(lambda: call(before))
    recorded_before = _by_name(offline_store.observations())
    outcome_after = _run(lambda: call(after))
    recorded_after = _by_name(offline_store.observations()[len(recorded_before) :])
    assert outcome_after == outcome_before
    assert recorded_before, "the decorated version recorded nothing: the comparison would be empty"
    assert _comparable(recorded_after) == _comparable(recorded_before)
    # The input, exactly, on each side.
    bound = INPUTS[case]
    assert [(observation["name"], observation["input"]) for observation in recorded_before] == bound
    pattern_a = [
        (name, {"args": {key: value for key, value in arguments.items() if key not in FRAMEWORK_CONTEXT_PARAMETERS}})
        for name, arguments in bound
    ]
    assert [(observation["name"], observation["input"]) for observation in recorded_after] == pattern_a


def test_rewrite_keeps_the_function_kinds(modules):
    import inspect

    before, after, _ = modules
    for name in ("lookup", "plan", "numbers", "stream", "with_context"):
        for predicate in (inspect.iscoroutinefunction, inspect.isgeneratorfunction, inspect.isasyncgenfunction):
            assert predicate(getattr(after, name)) == predicate(getattr(before, name)), (name, predicate)
        assert inspect.signature(getattr(after, name)) == inspect.signature(getattr(before, name))
        assert getattr(after, name).__doc__ == getattr(before, name).__doc__


def test_outside_instrument_the_rewrite_records_nothing_and_returns_the_same(modules, offline_store):
    before, after, _ = modules
    assert after.lookup("ab") == before.lookup("ab")
    assert list(after.numbers(3)) == list(before.numbers(3))
    assert offline_store.observations() == []


def test_an_observation_type_that_does_not_exist_is_reordered_not_rewritten():
    """`ObservationType.RETRIEVAL` would raise AttributeError at every call: the manual
    strategy falls back to reordering (FLX107 reports the value), FLX207 offers no fix."""
    source = (
        "import fluxloop_runtime as fluxloop\n"
        "from agents import function_tool\n\n\n"
        '@fluxloop.trace(observation_type="retrieval")\n'
        "@function_tool\n"
        "def find(q: str) -> str:\n"
        "    return q\n\n\n"
        '@fluxloop.trace(observation_type="retrieval")\n'
        "def kept(q: str) -> str:\n"
        "    return q\n"
    )
    fixed = lint_source(source, "retrieval.py", MANUAL, fix=True).fixed_source
    assert fixed == source.replace(
        '@fluxloop.trace(observation_type="retrieval")\n@function_tool\n',
        '@function_tool\n@fluxloop.trace(observation_type="retrieval")\n',
    )
    codes = [finding.code for finding in lint_source(fixed, "retrieval.py", MANUAL).findings]
    assert codes == ["FLX107", "FLX107"]


# -- a ChatKit-style tool under the real agents.function_tool ---------------------------------

CHATKIT_TOOL = '''\
from agents import function_tool, RunContextWrapper
from chatkit.agents import AgentContext

import fluxloop_runtime as fluxloop


@fluxloop.tool(name="tool.cancel_trip")
@function_tool(
    description_override="Cancel the traveller's upcoming trip and note the refund.",
)
async def cancel_trip(ctx: RunContextWrapper[AgentContext], reason: str) -> dict:
    """Cancel the trip."""
    return {"result": f"cancelled: {reason}"}
'''


def test_chatkit_tool_stays_a_function_tool_with_the_same_schema(tmp_path, offline_store):
    from agents import FunctionTool
    from agents.tool_context import ToolContext

    rewritten = lint_source(CHATKIT_TOOL, "tools.py", LintSettings(fix_strategy=FixStrategy.MANUAL), fix=True).fixed_source
    assert isinstance(rewritten, str) and "@fluxloop.tool" not in rewritten
    reference = CHATKIT_TOOL.replace('@fluxloop.tool(name="tool.cancel_trip")\n', "")
    (tmp_path / "tools_after.py").write_text(rewritten)
    (tmp_path / "tools_reference.py").write_text(reference)
    after = _load(tmp_path / "tools_after.py", "tools_after").cancel_trip
    plain = _load(tmp_path / "tools_reference.py", "tools_reference").cancel_trip
    assert isinstance(after, FunctionTool)
    assert (after.name, after.description) == (plain.name, plain.description)
    assert after.params_json_schema == plain.params_json_schema

    arguments = json.dumps({"reason": "storm"})
    context = ToolContext(context=None, tool_name=after.name, tool_call_id="call_1", tool_arguments=arguments)

    async def invoke() -> Any:
        with fluxloop_runtime.instrument("chatkit"):
            return await after.on_invoke_tool(context, arguments)

    assert asyncio.run(invoke()) == {"result": "cancelled: storm"}
    [observation] = offline_store.observations()
    assert (observation["type"], observation["name"]) == ("tool", "tool.cancel_trip")
    assert observation["input"] == {"args": {"reason": "storm"}}
    assert observation["output"] == {"result": "cancelled: storm"}


# -- imports: the file's own names are not shadowed, each function keeps its module -----------

OWN_NAMES = '''\
import enum

import fluxloop_runtime
from fluxloop_runtime import tool


class ObservationType(enum.Enum):  # the application's own, not FluxLoop's
    SEARCH = "search"


def get_current_context():
    return "the application's context"


@tool(name="tool.search")
@fluxloop_runtime.trace(name="span.search")
def search(query: str) -> str:
    return f"{ObservationType.SEARCH.value}: {query} in {get_current_context()}"
'''


def _rewrite_and_load(source: str, tmp_path: Path, name: str) -> tuple[str, Any]:
    result = lint_source(source, f"{name}.py", MANUAL, fix=True)
    rewritten = result.fixed_source
    assert isinstance(rewritten, str)
    assert lint_source(rewritten, f"{name}.py", MANUAL, fix=True).fixed_source is None
    assert lint_source(rewritten, f"{name}.py", LintSettings(select=("ALL",))).findings == ()
    (tmp_path / f"{name}.py").write_text(rewritten)
    try:
        return rewritten, _load(tmp_path / f"{name}.py", name)
    finally:
        sys.modules.pop(name, None)


def test_added_imports_do_not_shadow_the_files_own_names(tmp_path, offline_store):
    rewritten, module = _rewrite_and_load(OWN_NAMES, tmp_path, "own_names")
    assert rewritten.startswith(
        "import enum\n\n"
        "from fluxloop_runtime import get_current_context as fl_get_current_context\n"
        "from fluxloop_runtime.models import ObservationData, ObservationType as fl_ObservationType\n"
        "\n\n"
        "class ObservationType(enum.Enum):"
    )
    assert module.ObservationType.SEARCH.value == "search"
    with fluxloop_runtime.instrument("own names"):
        assert module.search("q") == "search: q in the application's context"
    recorded = {observation["name"]: observation for observation in offline_store.observations()}
    assert (recorded["tool.search"]["type"], recorded["span.search"]["type"]) == ("tool", "span")
    assert recorded["span.search"]["parent_observation_id"] == recorded["tool.search"]["id"]


MIXED_MODULES = '''\
import fluxloop
import fluxloop_runtime


@fluxloop_runtime.tool()
def runtime_tool(q: str) -> str:
    return q


@fluxloop.tool()
def sdk_tool(q: str) -> str:
    return q
'''


def test_each_function_keeps_the_module_of_its_own_decorator(tmp_path, offline_store):
    """A `fluxloop_runtime` decorator's body must record into `fluxloop_runtime`'s context:
    rewritten with the SDK's `get_current_context`, it would record nothing."""
    rewritten, module = _rewrite_and_load(MIXED_MODULES, tmp_path, "mixed_modules")
    with fluxloop_runtime.instrument("mixed"):
        assert module.runtime_tool("a") == "a"
        assert module.sdk_tool("b") == "b"  # the SDK's context is not active: records nothing here
    assert [(o["name"], o["input"], o["output"]) for o in offline_store.observations()] == [
        ("runtime_tool", {"args": {"q": "a"}}, "a")
    ]
    assert rewritten.startswith(
        "from fluxloop import get_current_context\n"
        "from fluxloop.models import ObservationData, ObservationType\n"
        "from fluxloop_runtime import get_current_context as fl_get_current_context\n"
        "from fluxloop_runtime.models import ObservationData as fl_ObservationData, ObservationType as fl_ObservationType\n"
        "\n\n"
        "def runtime_tool(q: str) -> str:\n"
        "    fl_ctx = fl_get_current_context()\n"
    )


LOCAL_IMPORT = '''\
"""FluxLoop imported where it is used only."""
from __future__ import annotations


def make():
    from fluxloop_runtime import tool

    @tool()
    def inner(q: str) -> str:
        return q
    return inner
'''


def test_a_local_fluxloop_import_gets_the_new_imports_in_its_place(tmp_path, offline_store):
    """The decorator was imported inside `make`: the new imports go there (the module does not
    start importing FluxLoop at load time) and the unused local `tool` import is removed."""
    rewritten, module = _rewrite_and_load(LOCAL_IMPORT, tmp_path, "local_import")
    assert rewritten.startswith(
        '"""FluxLoop imported where it is used only."""\n'
        "from __future__ import annotations\n\n\n"
        "def make():\n"
        "    from fluxloop_runtime import get_current_context\n"
        "    from fluxloop_runtime.models import ObservationData, ObservationType\n\n"
        "    def inner(q: str) -> str:\n"
    )
    with fluxloop_runtime.instrument("local"):
        assert module.make()("x") == "x"
    [observation] = offline_store.observations()
    assert (observation["name"], observation["input"], observation["output"]) == ("inner", {"args": {"q": "x"}}, "x")


LOCAL_IMPORT_IN_A_CONVERTED_FUNCTION = '''\
import fluxloop_runtime


@fluxloop_runtime.agent()
def outer(q: str) -> str:
    from fluxloop_runtime import tool

    @tool()
    def inner(x: str) -> str:
        return x

    return inner(q)
'''


def test_no_local_import_in_a_function_that_is_converted_too(tmp_path, offline_store):
    """`outer`'s own new code calls `get_current_context()` first: an import of it further down
    `outer`'s body would make it a local name, unbound there (UnboundLocalError)."""
    rewritten, module = _rewrite_and_load(LOCAL_IMPORT_IN_A_CONVERTED_FUNCTION, tmp_path, "local_converted")
    assert "from fluxloop_runtime import tool" not in rewritten
    assert rewritten.count("import get_current_context") == 1
    with fluxloop_runtime.instrument("nested"):
        assert module.outer("q") == "q"
    recorded = offline_store.by_name()
    assert (recorded["outer"]["type"], recorded["inner"]["type"]) == ("agent", "tool")
    assert recorded["inner"]["parent_observation_id"] == recorded["outer"]["id"]
