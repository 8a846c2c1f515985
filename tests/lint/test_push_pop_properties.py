"""Property tests: generated function bodies wrapped in push/pop shapes (right and wrong) and
decorated for the manual strategy never crash the linter, and every fix parses, removes what
it fixed and is stable."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import libcst as cst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fluxloop_lint.engine import lint_source
from fluxloop_lint.types import FixStrategy, LintSettings

EVERYTHING = LintSettings(select=("ALL",))
MANUAL = LintSettings(fix_strategy=FixStrategy.MANUAL, unsafe_fixes=True)
BOUNDED = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
HEADER = (
    "from fluxloop import get_current_context\n"
    "from fluxloop.models import ObservationData, ObservationType\n"
    "import fluxloop\n\n"
)
RECORDINGS = tempfile.mkdtemp(prefix="fluxloop-lint-properties-")
FIXED_CODES = {"FLX201", "FLX202", "FLX203", "FLX204", "FLX205"}

SIMPLE = (
    "x = compute(a)",
    "total += 1  # count",
    "log('step')",
    "return x",
    "return",
    "return a, b",
    "raise ValueError('bad')",
    "yield a",
    "got = yield a",
    "pass",
    "e = obs",
    "fl_result = 3",
    '"""A string statement."""',
    "text = '''multi\nline'''",
)


@st.composite
def blocks(draw, depth: int = 0) -> list[str]:
    """A block of statements as lines, indented relative to the block."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        kinds = ["simple"] * 4 + (["if", "for", "with", "try", "def"] if depth < 2 else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "simple":
            lines.extend(draw(st.sampled_from(SIMPLE)).split("\n"))
            continue
        header = {
            "if": "if a:",
            "for": "for item in a:",
            "with": "with lock():",
            "try": "try:",
            "def": "def inner(v):",
        }[kind]
        lines.append(header)
        lines.extend("    " + line if line else line for line in draw(blocks(depth + 1)))
        if kind == "try":
            lines.append("except KeyError:")
            lines.append("    pass")
    return lines


PROLOGUE_GUARDED = [
    "fl_ctx = get_current_context()",
    "obs = None",
    "if fl_ctx and fl_ctx.is_enabled():",
    "    obs = ObservationData(type=ObservationType.TOOL, name='t')",
    "    fl_ctx.push_observation(obs)",
]
PROLOGUE_GUARDED_NO_NONE = [line for line in PROLOGUE_GUARDED if line != "obs = None"]
PROLOGUE_UNGUARDED = [
    "fl_ctx = fluxloop.get_current_context()",
    "obs = ObservationData(type='tool', name='t')",
    "fl_ctx.push_observation(obs)",
]
EXCEPT = ["except Exception as e:", "    if obs:", "        obs.error = str(e)", "    raise"]
POP_GUARDED = ["    if fl_ctx and obs:", "        fl_ctx.pop_observation()"]
POP_BARE = ["    fl_ctx.pop_observation()"]


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line if line else line for line in lines]


@st.composite
def instrumented(draw) -> str:
    body = draw(blocks())
    prologue = draw(st.sampled_from([PROLOGUE_GUARDED, PROLOGUE_GUARDED_NO_NONE, PROLOGUE_UNGUARDED]))
    shape = draw(st.sampled_from(["pattern-a", "no-finally", "no-pop", "no-except", "bare-pop", "early", "after"]))
    if shape == "after":  # the pop after the code, no try at all
        lines = [*prologue, *body, "fl_ctx.pop_observation()"]
    elif shape == "no-pop":
        lines = [*prologue, *body]
    else:
        handlers = [] if shape == "no-except" else EXCEPT
        final = [] if shape == "no-finally" else ["finally:", *(POP_BARE if shape == "bare-pop" else POP_GUARDED)]
        if shape == "no-finally" and not handlers:
            handlers = EXCEPT
        early = ["if not a:", "    return None"] if shape == "early" else []
        lines = [*prologue, *early, "try:", *_indent(body), *handlers, *final]
    keyword = draw(st.sampled_from(["def", "async def"]))
    return HEADER + f"# shape: {shape}\n{keyword} target(a, b=1):\n" + "\n".join(_indent(lines)) + "\n"


# Shapes whose unguarded context use crashes untraced: the fix changes that on purpose.
CRASH_UNTRACED = ("fluxloop.get_current_context()", "# shape: bare-pop", "# shape: after")


def _outcome(source: str, *arguments: object) -> tuple[str, object]:
    """Run `target` (with no FluxLoop context unless the caller opened one): what it
    returns, yields or raises."""
    import asyncio
    import contextlib

    namespace: dict[str, object] = {"compute": len, "log": lambda *args: None, "lock": contextlib.nullcontext}
    exec(compile(source, "generated.py", "exec"), namespace)
    try:
        value = namespace["target"](*(arguments or ([1, 2],)))  # type: ignore[operator]
        if asyncio.iscoroutine(value):
            value = asyncio.run(value)
        elif hasattr(value, "__anext__"):
            async def drain() -> list[object]:
                return [item async for item in value]  # type: ignore[attr-defined]

            value = asyncio.run(drain())
        elif hasattr(value, "__next__"):
            value = list(value)  # type: ignore[call-overload]
        return "value", value
    except Exception as error:
        return "raised", type(error).__name__


def _compiles(source: str) -> bool:
    try:
        compile(source, "generated.py", "exec")
    except SyntaxError:
        return False  # e.g. `return x` with a value in an async generator
    return True


@BOUNDED
@given(instrumented())
def test_push_pop_shapes_never_crash_and_fixes_are_stable(source):
    result = lint_source(source, "generated.py", EVERYTHING, fix=True)
    assert result.errors == ()
    if result.fixed_source is None:
        return
    cst.parse_module(result.fixed_source)
    if _compiles(source):
        assert _compiles(result.fixed_source)
        if not any(marker in source for marker in CRASH_UNTRACED):  # untraced, the fix changes nothing
            before, after = _outcome(source), _outcome(result.fixed_source)
            if before != ("raised", "UnboundLocalError"):  # `if obs:` with obs never set: fixed on purpose
                assert after == before
    assert lint_source(result.fixed_source, "generated.py", EVERYTHING, fix=True).fixed_source is None


def _traced(source: str) -> tuple[tuple[str, object], list[tuple[str, str, bool, object]]]:
    """Run `target` under `fluxloop_runtime.instrument()`: the outcome, and per observation
    its type, name, whether it has an error, and its output."""
    import fluxloop_runtime

    fluxloop_runtime.reset_config()
    fluxloop_runtime.configure(offline_store_dir=RECORDINGS)
    store = Path(RECORDINGS) / "observations.jsonl"
    if store.exists():
        store.unlink()
    with fluxloop_runtime.instrument("generated"):
        outcome = _outcome(source, None, [1, 2])
    fluxloop_runtime.flush()
    fluxloop_runtime.reset_config()
    lines = store.read_text().splitlines() if store.exists() else []
    observations = [json.loads(line) for line in lines]
    return outcome, [(o["type"], o["name"], "error" in o, o.get("output")) for o in observations]


@BOUNDED
@given(blocks(), st.sampled_from(["def", "async def"]), st.sampled_from([
    "@fluxloop.tool(name='tool.t')", "@fluxloop.trace()", "@fluxloop.agent", "@fluxloop.prompt(model='m')",
]), st.booleans())
def test_manual_rewrite_of_generated_bodies_parses_relints_clean_and_is_stable(body, keyword, decorator, docstring):
    lines = (['"""Doc."""'] if docstring else []) + body
    source = "import fluxloop_runtime as fluxloop\n\n\n" + f"{decorator}\n{keyword} target(self, a, *rest, key=None, **more):\n" + "\n".join(_indent(lines)) + "\n"
    result = lint_source(source, "generated.py", MANUAL, fix=True)
    assert result.errors == ()
    assert isinstance(result.fixed_source, str)
    cst.parse_module(result.fixed_source)
    if _compiles(source):
        assert _compiles(result.fixed_source)
        assert _outcome(result.fixed_source, None, [1, 2]) == _outcome(source, None, [1, 2])
        if "yield from" not in source:  # its items are not recorded by the rewrite (documented)
            assert _traced(result.fixed_source) == _traced(source)
    assert "@fluxloop" not in result.fixed_source
    assert not {finding.code for finding in lint_source(result.fixed_source, "generated.py", EVERYTHING).findings} & (FIXED_CODES | {"FLX301"})
    assert lint_source(result.fixed_source, "generated.py", MANUAL, fix=True).fixed_source is None
