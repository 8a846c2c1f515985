"""Review 5's reproductions of the push/pop fixes: each fix is safe or not offered.

Safe means: the output parses, re-lints without what was fixed, a second fix changes nothing,
and under `fluxloop_runtime.instrument()` (inside a caller's own observation) the fixed code
returns or raises the same and leaves the caller's observation current. Shapes the fixes
cannot rewrite safely (several pushes of one receiver, a push in a loop popped outside it, a
push sharing its line, an observation variable set before the guard or passed in) get no fix.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path
from typing import Any

import libcst as cst
import pytest

import fluxloop_runtime
from fluxloop_lint.engine import lint_source
from fluxloop_lint.types import LintSettings

ALL = LintSettings(select=("ALL",))

HEADER = "from fluxloop_runtime import get_current_context\nfrom fluxloop_runtime.models import ObservationData, ObservationType\n\n\n"

# Observation variable assigned, then changed, before the (missing) guard.
BETWEEN = """\
def run(work):
    ctx = get_current_context()
    obs = ObservationData(type=ObservationType.TOOL, name="lookup")
    obs.input = {"query": "q"}
    ctx.push_observation(obs)
    try:
        return work()
    except Exception as e:
        obs.error = str(e)
        raise
    finally:
        ctx.pop_observation()
"""

# The observation is the caller's (a parameter).
PARAMETER = """\
def run(work, obs=None):
    obs = obs or ObservationData(type=ObservationType.TOOL, name="given")
    return observe(obs, work)


def observe(obs, work):
    ctx = get_current_context()
    ctx.push_observation(obs)
    try:
        return work()
    except Exception as e:
        obs.error = str(e)
        raise
    finally:
        ctx.pop_observation()
"""

GUARDED_PARAMETER = """\
def run(work):
    return observe(ObservationData(type=ObservationType.TOOL, name="given"), work)


def observe(obs, work):
    ctx = get_current_context()
    if ctx and ctx.is_enabled():
        ctx.push_observation(obs)
    try:
        return work()
    except Exception as e:
        obs.error = str(e)
        raise
    finally:
        ctx.pop_observation()
"""

# Two observations one after the other: the first popped without `finally`.
SEQUENTIAL = """\
def run(work):
    fl_ctx = get_current_context()
    first = None
    if fl_ctx and fl_ctx.is_enabled():
        first = ObservationData(type=ObservationType.TOOL, name="first")
        fl_ctx.push_observation(first)
    x = work()
    if fl_ctx and first:
        fl_ctx.pop_observation()

    second = None
    if fl_ctx and fl_ctx.is_enabled():
        second = ObservationData(type=ObservationType.TOOL, name="second")
        fl_ctx.push_observation(second)
    try:
        return x + work()
    except Exception as e:
        if second:
            second.error = str(e)
        raise
    finally:
        if fl_ctx and second:
            fl_ctx.pop_observation()
"""

# A push per loop turn, one pop in the `finally` around the loop.
LOOP = """\
def run(work):
    fl_ctx = get_current_context()
    obs = None
    try:
        for item in [work, work]:
            if fl_ctx and fl_ctx.is_enabled():
                obs = ObservationData(type=ObservationType.TOOL, name="x")
                fl_ctx.push_observation(obs)
            item()
    except Exception as e:
        if obs:
            obs.error = str(e)
        raise
    finally:
        if fl_ctx and obs:
            fl_ctx.pop_observation()
"""

SEMICOLONS = """\
def run(work):
    ctx = get_current_context(); obs = ObservationData(type="tool", name="s"); ctx.push_observation(obs); work()
"""

# Two pushes under one guard, one pop.
TWO_PUSHES_ONE_POP = """\
def run(work):
    fl_ctx = get_current_context()
    a = b = None
    if fl_ctx and fl_ctx.is_enabled():
        a = ObservationData(type=ObservationType.TOOL, name="a")
        fl_ctx.push_observation(a)
        b = ObservationData(type=ObservationType.TOOL, name="b")
        fl_ctx.push_observation(b)
    try:
        return work()
    except Exception as e:
        if a:
            a.error = str(e)
        raise
    finally:
        if fl_ctx and a:
            fl_ctx.pop_observation()
"""

# An early return before a `try` whose `finally` (with comments) pops.
EARLY = """\
def run(work):
    fl_ctx = get_current_context()
    obs = None
    if fl_ctx and fl_ctx.is_enabled():
        obs = ObservationData(type=ObservationType.TOOL, name="x")
        fl_ctx.push_observation(obs)
    # bail out early
    if work is None:
        return -1  # nothing to do
    try:
        return int(work())
    except ValueError:
        return 0
    finally:
        # always pop
        if fl_ctx and obs:
            fl_ctx.pop_observation()  # done
"""

# The observation bound by a walrus: a guard on the push would leave the pop unguarded.
WALRUS_OBSERVATION = """\
def run(work):
    ctx = get_current_context()
    ctx.push_observation(o := ObservationData(type="tool", name="x"))
    try:
        return work()
    except Exception as e:
        o.error = str(e)
        raise
    finally:
        ctx.pop_observation()
"""

UNSAFE_SHAPES = {
    "walrus-observation": (WALRUS_OBSERVATION, {"FLX203"}),
    "assigned-before-guard": (BETWEEN, {"FLX203"}),
    "parameter": (PARAMETER, {"FLX203"}),
    "guarded-parameter": (GUARDED_PARAMETER, {"FLX204"}),
    "sequential-observations": (SEQUENTIAL, {"FLX201"}),
    "push-in-loop-pop-outside": (LOOP, {"FLX201"}),
    "semicolons": (SEMICOLONS, {"FLX202", "FLX203"}),
    "two-pushes-one-pop": (TWO_PUSHES_ONE_POP, {"FLX201"}),
}


@pytest.mark.parametrize("name", sorted(UNSAFE_SHAPES))
def test_ambiguous_shapes_are_reported_without_a_fix(name):
    source, expected = UNSAFE_SHAPES[name]
    findings = lint_source(HEADER + source, "example.py", ALL).findings
    assert expected <= {finding.code for finding in findings}
    assert [finding.code for finding in findings if finding.fix is not None] == []


def test_a_push_in_a_loop_popped_outside_says_only_the_last_turn_is_popped():
    [finding] = lint_source(HEADER + LOOP, "example.py", ALL).findings
    assert "last" in finding.message


CORRECT = {
    "walrus-is-not-none": """\
def run(work):
    obs = None
    if (ctx := get_current_context()) is not None and ctx.is_enabled():
        obs = ObservationData(type=ObservationType.TOOL, name="lookup")
        ctx.push_observation(obs)
    try:
        return work()
    except Exception as e:
        if obs:
            obs.error = str(e)
        raise
    finally:
        if ctx and obs:
            ctx.pop_observation()
""",
    "negated-conjunction-exit": """\
def run(work):
    fl_ctx = get_current_context()
    if not (fl_ctx and fl_ctx.is_enabled()):
        return work()
    obs = ObservationData(type=ObservationType.TOOL, name="x")
    fl_ctx.push_observation(obs)
    try:
        return work()
    except Exception as e:
        obs.error = str(e)
        raise
    finally:
        fl_ctx.pop_observation()
""",
    "observation-built-under-the-guard": """\
def run(work):
    fl_ctx = get_current_context()
    obs = None
    if fl_ctx and fl_ctx.is_enabled():
        obs = ObservationData(type=ObservationType.TOOL, name="x")
    if obs is not None:
        fl_ctx.push_observation(obs)
    try:
        return work()
    except Exception as e:
        if obs:
            obs.error = str(e)
        raise
    finally:
        if obs is not None:
            fl_ctx.pop_observation()
""",
}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_shapes_get_no_finding(name):
    assert lint_source(HEADER + CORRECT[name], "example.py", ALL).findings == ()


def test_walrus_context_without_enabled_check_is_fixed_without_rebinding_before_it():
    source = HEADER + CORRECT["walrus-is-not-none"].replace(" and ctx.is_enabled()", "")
    result = lint_source(source, "example.py", ALL, fix=True)
    assert result.fixed_source is not None
    assert "if (ctx := get_current_context()) is not None and ctx.is_enabled():" in result.fixed_source


# -- fixes run before and after ----------------------------------------------------------------


def _load(path: Path, source: str, name: str) -> Any:
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(module: Any, work: Any) -> tuple[Any, str | None]:
    """Call `run(work)` inside a caller's observation: the outcome, and the observation
    current afterwards (the caller's, unless the code popped it or left its own open)."""
    with fluxloop_runtime.instrument("review"):
        ctx = fluxloop_runtime.get_current_context()
        caller = fluxloop_runtime.ObservationData(type=fluxloop_runtime.ObservationType.SPAN, name="caller")
        ctx.push_observation(caller)
        try:
            outcome: Any = ("returned", module.run(work))
        except Exception as error:
            outcome = ("raised", type(error).__name__)
        current = ctx.current_observation()
        ctx.pop_observation(caller)
        return outcome, current.name if current is not None else None


def _fixed(source: str) -> str:
    result = lint_source(source, "example.py", ALL, fix=True)
    assert result.errors == ()
    assert isinstance(result.fixed_source, str)
    cst.parse_module(result.fixed_source)
    assert lint_source(result.fixed_source, "example.py", ALL).findings == ()
    assert lint_source(result.fixed_source, "example.py", ALL, fix=True).fixed_source is None
    return result.fixed_source


WORKS = {"returns": lambda: "7", "bad-value": lambda: "x", "raises": lambda: 1 / 0}


@pytest.mark.parametrize("work", sorted(WORKS))
def test_the_early_return_fix_keeps_the_finally_and_the_behaviour(tmp_path, offline_store, work):
    source = HEADER + EARLY
    fixed = _fixed(source)
    assert "# always pop" in fixed and "# done" in fixed
    before = _load(tmp_path / "early_before.py", source, "early_before")
    after = _load(tmp_path / "early_after.py", fixed, "early_after")
    outcome_before, _ = _run(before, WORKS[work])
    outcome_after, current_after = _run(after, WORKS[work])
    assert outcome_after == outcome_before
    assert current_after == "caller"
    assert _run(after, None) == (("returned", -1), "caller")  # the early return is now popped too


# -- guards read from `else`, `elif` and `case` ------------------------------------------------

PUSH_IN_ELSE = """\
def run(work):
    ctx = get_current_context()
    obs = None
    if ctx is None or not ctx.is_enabled():
        pass
    else:
        obs = ObservationData(type=ObservationType.TOOL, name="x")
        ctx.push_observation(obs)
    try:
        return work()
    finally:
        if ctx and obs:
            ctx.pop_observation()
"""

PUSH_UNDER_CASE_GUARD = """\
def run(work):
    ctx = get_current_context()
    match work:
        case _ if ctx and ctx.is_enabled():
            ctx.push_observation(ObservationData(type=ObservationType.TOOL, name="x"))
            ctx.pop_observation()
"""


@pytest.mark.parametrize("source", [PUSH_IN_ELSE, PUSH_UNDER_CASE_GUARD], ids=["else", "case-guard"])
def test_guards_in_else_and_case_count(source):
    assert "FLX203" not in {finding.code for finding in lint_source(HEADER + source, "example.py", ALL).findings}


# The push sits in a loop under `if ctx:`; the loop does the work whether traced or not.
CTX_IF_AROUND_WORK = """\
def run(works):
    ctx = get_current_context()
    done = []
    if ctx:
        for work in works:
            obs = ObservationData(type=ObservationType.TOOL, name="x")
            ctx.push_observation(obs)
            try:
                done.append(work())
            except Exception as e:
                obs.error = str(e)
                raise
            finally:
                ctx.pop_observation()
    return done
"""


def test_the_guard_fix_does_not_extend_an_if_that_does_other_work(tmp_path, offline_store):
    source = HEADER + CTX_IF_AROUND_WORK
    fixed = lint_source(source, "example.py", LintSettings(select=("FLX203",)), fix=True).fixed_source
    assert isinstance(fixed, str)
    assert "    if ctx:\n" in fixed and "if ctx and ctx.is_enabled():\n" in fixed
    before = _load(tmp_path / "around_before.py", source, "around_before")
    after = _load(tmp_path / "around_after.py", fixed, "around_after")
    fluxloop_runtime.configure(sample_rate=0.0)  # a context that exists but does not record
    with fluxloop_runtime.instrument("review"):
        assert after.run([lambda: 1, lambda: 2]) == before.run([lambda: 1, lambda: 2]) == [1, 2]


# -- an observation pushed inline ----------------------------------------------------------------

INLINE = """\
def run(work):
    ctx = get_current_context()
    obs = "the caller's"
    if ctx and ctx.is_enabled():
        ctx.push_observation(ObservationData(type=ObservationType.TOOL, name="inline"))
    return work(), obs
"""


@pytest.mark.parametrize("work", sorted(WORKS))
def test_an_inline_observation_is_bound_to_a_fresh_name_and_popped(tmp_path, offline_store, work):
    source = HEADER + INLINE
    fixed = _fixed(source)
    assert "obs_1 = ObservationData(type=ObservationType.TOOL, name=\"inline\")" in fixed
    before = _load(tmp_path / "inline_before.py", source, "inline_before")
    after = _load(tmp_path / "inline_after.py", fixed, "inline_after")
    outcome_before, current_before = _run(before, WORKS[work])
    outcome_after, current_after = _run(after, WORKS[work])
    assert outcome_after == outcome_before
    assert current_before == "inline"  # never popped: it stayed current
    assert current_after == "caller"
    recorded = [o for o in offline_store.observations() if o["name"] == "inline"]
    assert len(recorded) == 1 and (recorded[0].get("error") is not None) == (work == "raises")
