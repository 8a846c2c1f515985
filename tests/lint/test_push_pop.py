"""The push/pop rules on the seed's Pattern A, the ChatKit example and their mutants, and the
manual strategy's rewrite in detail."""

from __future__ import annotations

import libcst as cst
import pytest

from fluxloop_lint.engine import lint_source
from fluxloop_lint.types import FixStrategy, LintSettings
from tests.lint.pattern_a_sources import CHATKIT, MUTANTS, SEED

ALL = LintSettings(select=("ALL",))
MANUAL = LintSettings(fix_strategy=FixStrategy.MANUAL)
PUSH_POP = ("FLX201", "FLX202", "FLX203", "FLX204", "FLX205", "FLX206", "FLX301")


def codes(source: str, settings: LintSettings = ALL) -> list[str]:
    return [finding.code for finding in lint_source(source, "example.py", settings).findings]


def fixed(source: str, settings: LintSettings = ALL) -> str:
    result = lint_source(source, "example.py", settings, fix=True)
    assert result.errors == ()
    assert isinstance(result.fixed_source, str)
    return result.fixed_source


@pytest.mark.parametrize("source", [SEED, CHATKIT], ids=["pattern-a", "chatkit"])
def test_the_seed_examples_are_clean(source):
    assert codes(source) == []


@pytest.mark.parametrize(("name", "source", "code"), MUTANTS, ids=[name for name, _, _ in MUTANTS])
def test_each_mutant_gets_exactly_its_code(name, source, code):
    assert codes(source) == [code]


@pytest.mark.parametrize(("name", "source", "code"), [m for m in MUTANTS if m[2] != "FLX301"], ids=[m[0] for m in MUTANTS if m[2] != "FLX301"])
def test_each_mutant_fix_relints_clean_and_is_stable(name, source, code):
    result = fixed(source)
    cst.parse_module(result)
    assert codes(result) == []
    assert lint_source(result, "example.py", ALL, fix=True).fixed_source is None
    if name != "early-return-before-try":
        assert result == SEED  # the fix restores the seed exactly
    else:
        assert "    try:\n        if not param:\n            return {\"result\": None}\n" in result


def test_the_held_across_yield_mutant_has_no_fix():
    [finding] = lint_source(MUTANTS[-1][1], "example.py", ALL).findings
    assert finding.fix is None and "Approach 1" in finding.message


def test_findings_point_at_the_push_and_at_the_pop_for_flx204():
    unguarded_pop = dict((name, source) for name, source, _ in MUTANTS)["unguarded-pop"]
    [finding] = lint_source(unguarded_pop, "example.py", ALL).findings
    assert unguarded_pop.splitlines()[finding.start.line - 1].strip() == "fl_ctx.pop_observation()"
    no_pop = dict((name, source) for name, source, _ in MUTANTS)["no-pop"]
    [finding] = lint_source(no_pop, "example.py", ALL).findings
    assert no_pop.splitlines()[finding.start.line - 1].strip() == "fl_ctx.push_observation(obs)"


def test_nested_functions_are_judged_on_their_own():
    source = SEED.replace(
        '        result = {"result": do_work(param)}\n',
        '        def inner():\n'
        '            ctx = get_current_context()\n'
        '            if ctx and ctx.is_enabled():\n'
        '                ctx.push_observation(ObservationData(type="span", name="inner"))\n'
        '            return 1\n'
        '        result = {"result": do_work(param), "inner": inner()}\n',
    )
    findings = lint_source(source, "example.py", ALL).findings
    assert [(f.code, f.start.line) for f in findings] == [("FLX202", 20)]


def test_files_without_the_triggers_skip_the_analysis():
    from fluxloop_lint.rules.pattern_a.flx201_pop_not_in_finally import PopNotInFinallyRule

    assert set(PopNotInFinallyRule.TEXT_TRIGGERS) == {"push_observation", "pop_observation", "get_current_context", "instrument"}
    assert codes("import fluxloop\n\ndef f():\n    return fluxloop\n") == []


def test_a_push_guarded_only_by_an_unrelated_condition_is_fixed_inside_it():
    source = (
        "from fluxloop import get_current_context\n"
        "from fluxloop.models import ObservationData\n\n"
        "def f(flag):\n"
        "    ctx = get_current_context()\n"
        "    if flag:\n"
        "        obs = ObservationData(type='tool', name='f')\n"
        "        ctx.push_observation(obs)\n"
        "        try:\n"
        "            return 1\n"
        "        except Exception as e:\n"
        "            obs.error = str(e)\n"
        "            raise\n"
        "        finally:\n"
        "            if obs:\n"
        "                ctx.pop_observation()\n"
    )
    assert codes(source) == ["FLX203"]
    result = fixed(source)
    assert "        obs = None\n        if ctx and ctx.is_enabled():\n            obs = ObservationData" in result
    # `obs` may now be None in the `except`: its write is guarded as in Pattern A.
    assert "        except Exception as e:\n            if obs:\n                obs.error = str(e)\n            raise\n" in result
    assert codes(result) == []


def test_sdk_only_rule_flx206_ignores_fluxloop_runtime():
    sdk = (
        "from fluxloop import get_current_context\n"
        "from fluxloop.models import ObservationData\n\n"
        "def mark(when):\n"
        "    ctx = get_current_context()\n"
        "    if ctx and ctx.is_enabled():\n"
        "        obs = ObservationData(type='event', name='mark', end_time=when)\n"
        "        ctx.push_observation(obs)\n"
        "        ctx.pop_observation()\n"
    )
    assert codes(sdk) == ["FLX206"]
    assert codes(sdk.replace("from fluxloop", "from fluxloop_runtime")) == []


# -- the manual strategy --------------------------------------------------------------------------


def test_manual_strategy_only_with_the_option_and_reorder_otherwise():
    source = (
        "import fluxloop\n"
        "from agents import function_tool\n\n\n"
        "@fluxloop.tool()\n"
        "@function_tool\n"
        "def lookup(query: str) -> str:\n"
        "    return query\n"
    )
    assert fixed(source, LintSettings()).startswith("import fluxloop\nfrom agents import function_tool\n\n\n@function_tool\n@fluxloop.tool()\n")
    manual = fixed(source, MANUAL)
    assert manual.startswith("from fluxloop import get_current_context\nfrom fluxloop.models import ObservationData, ObservationType\nfrom agents")
    assert "import fluxloop\n" not in manual  # left unused: removed
    assert codes(manual) == []


def test_manual_strategy_keeps_an_import_still_used_and_reuses_existing_imports():
    source = (
        "import fluxloop_runtime as fl\n"
        "from fluxloop_runtime import get_current_context\n"
        "from agents import function_tool\n\n"
        "# the tool\n"
        "@fl.tool(name='tool.a')\n"
        "@function_tool\n"
        "def a(x): return x\n\n"
        "@fl.tool()\n"
        "def b(x):\n"
        "    return x\n"
    )
    result = fixed(source, MANUAL)
    assert result.startswith(
        "import fluxloop_runtime as fl\n"
        "from fluxloop_runtime import get_current_context\n"
        "from fluxloop_runtime.models import ObservationData, ObservationType\n"
    )
    assert "# the tool\n@function_tool\ndef a(x):\n    fl_ctx = get_current_context()\n" in result
    assert "@fl.tool()\ndef b(x):\n    return x\n" in result  # correctly placed: untouched without --unsafe-fixes
    unsafe = fixed(source, LintSettings(fix_strategy=FixStrategy.MANUAL, unsafe_fixes=True))
    assert "@fl." not in unsafe and "import fluxloop_runtime as fl\n" not in unsafe
    assert codes(unsafe) == []


def test_manual_strategy_names_do_not_collide():
    source = (
        "import fluxloop\n"
        "from agents import function_tool\n\n"
        "@fluxloop.tool()\n"
        "@function_tool\n"
        "def f(obs: str, fl_ctx: int) -> str:\n"
        "    e = obs * fl_ctx\n"
        "    fl_result = e\n"
        "    return fl_result + 'x'\n"
    )
    result = fixed(source, MANUAL)
    assert "    fl_ctx_1 = get_current_context()\n    obs_1 = None\n" in result
    assert "    except Exception as e_1:\n" in result
    assert "        fl_result_1 = fl_result + 'x'\n        if obs_1:\n            obs_1.output = fl_result_1\n" in result
    assert '"args": {"obs": obs, "fl_ctx": fl_ctx}' in result
    assert codes(result) == []


def test_manual_strategy_keeps_line_endings_and_the_rest_of_the_file():
    source = (
        "import fluxloop\r\n"
        "from agents import function_tool\r\n\r\n"
        "X = [1,   2]  # odd spacing stays\r\n\r\n"
        "@fluxloop.tool()\r\n"
        "@function_tool\r\n"
        "def f(a):\r\n"
        "    '''Doc.'''\r\n"
        "    return a\r\n"
    )
    result = fixed(source, MANUAL)
    assert "\n" not in result.replace("\r\n", "")
    assert "X = [1,   2]  # odd spacing stays\r\n" in result
    assert "def f(a):\r\n    '''Doc.'''\r\n    fl_ctx = get_current_context()\r\n" in result
    assert codes(result, ALL) == []


def test_manual_strategy_descriptor_findings_and_bytes_input():
    source = (
        b"import fluxloop\n\n"
        b"class S:\n"
        b"    @fluxloop.trace(name='S.get')\n"
        b"    @property\n"
        b"    def value(self):\n"
        b"        return 42\n"
    )
    result = lint_source(source, "s.py", MANUAL, fix=True)
    assert isinstance(result.fixed_source, bytes)
    text = result.fixed_source.decode()
    assert "    @property\n    def value(self):\n        fl_ctx = get_current_context()\n" in text
    assert '"args": {}' in text and 'name="S.get"' not in text and "name='S.get'" in text
    namespace: dict = {}
    exec(compile(text, "s.py", "exec"), namespace)
    assert namespace["S"]().value == 42


def test_manual_strategy_falls_back_to_reordering_when_the_body_would_record_differently():
    source = (
        "import fluxloop\n"
        "from agents import function_tool\n"
        "from myproject import retry\n\n"
        "@fluxloop.tool()\n"
        "@function_tool\n"
        "@retry(3)\n"
        "def lookup(query):\n"
        "    return query\n"
    )
    result = fixed(source, MANUAL)
    assert "@function_tool\n@fluxloop.tool()\n@retry(3)\ndef lookup(query):\n    return query\n" in result
    assert "get_current_context" not in result


def test_a_skippable_push_gets_its_variable_set_to_none_first():
    source = (
        "from fluxloop import get_current_context\n"
        "from fluxloop.models import ObservationData\n\n"
        "def f(x):\n"
        "    ctx = get_current_context()\n"
        "    if ctx and ctx.is_enabled(): obs = ObservationData(type='tool', name='f'); ctx.push_observation(obs)\n"
        "    return x\n"
    )
    result = fixed(source)
    assert "    obs = None\n    if ctx and ctx.is_enabled(): obs = " in result
    assert codes(result) == []
    namespace: dict = {}
    exec(compile(result, "f.py", "exec"), namespace)
    assert namespace["f"](3) == 3  # no context: the push is skipped and nothing is unbound


def test_flx206_also_sees_end_time_assigned_before_the_push():
    source = (
        "from fluxloop import get_current_context\n"
        "from fluxloop.models import ObservationData\n\n"
        "def mark(when):\n"
        "    ctx = get_current_context()\n"
        "    if ctx and ctx.is_enabled():\n"
        "        obs = ObservationData(type='event', name='mark')\n"
        "        obs.end_time = when\n"
        "        ctx.push_observation(obs)\n"
        "        ctx.pop_observation()\n"
    )
    assert codes(source) == ["FLX206"]
    after_push = source.replace("        obs.end_time = when\n        ctx.push_observation(obs)\n", "        ctx.push_observation(obs)\n        obs.end_time = when\n")
    assert "FLX206" not in codes(after_push)


def test_manual_strategy_converts_nested_decorated_functions_in_one_pass():
    source = (
        "import fluxloop\n\n"
        "@fluxloop.agent()\n"
        "def outer(items):\n"
        "    @fluxloop.tool()\n"
        "    def inner(item):\n"
        "        return item * 2\n"
        "    return [inner(item) for item in items]\n"
    )
    settings = LintSettings(fix_strategy=FixStrategy.MANUAL, unsafe_fixes=True)
    findings = lint_source(source, "n.py", settings).findings
    assert [finding.code for finding in findings] == ["FLX207", "FLX207"]
    edits = {finding.fix.edits for finding in findings}
    assert len(edits) == 1  # one fix for the file
    result = fixed(source, settings)
    assert "@fluxloop" not in result and result.count("push_observation") == 2
    assert "            fl_result = item * 2\n" in result  # the nested body, instrumented inside the outer try
    assert codes(result) == []


# -- FLX203's guard makes `obs` None when the context is off: later writes get `if obs:` ---------

GUARD_WRITES = (
    "from fluxloop_runtime import get_current_context\n"
    "from fluxloop_runtime.models import ObservationData, ObservationType\n\n"
    "def double(x):\n"
    "    fl_ctx = get_current_context()\n"
    "    obs = ObservationData(type=ObservationType.TOOL, name='double')\n"
    "    fl_ctx.push_observation(obs)\n"
    "    result = x * 2\n"
    "    obs.output = result\n"
    "    fl_ctx.pop_observation()\n"
    "    return result\n"
)


def test_writes_to_the_observation_after_a_guarded_push_are_guarded_and_run_with_tracing_off(offline_store):
    import fluxloop_runtime

    result = fixed(GUARD_WRITES)
    assert "        result = x * 2\n        if obs:\n            obs.output = result\n        return result\n" in result
    assert codes(result) == []
    namespace: dict = {}
    exec(compile(result, "fixed.py", "exec"), namespace)
    assert namespace["double"](21) == 42  # no context at all
    fluxloop_runtime.configure(sample_rate=0.0)
    with fluxloop_runtime.instrument("off"):  # a context that is not enabled
        assert namespace["double"](21) == 42
    fluxloop_runtime.configure(sample_rate=1.0)
    with fluxloop_runtime.instrument("on"):
        assert namespace["double"](2) == 4
    fluxloop_runtime.flush()
    [observation] = [o for o in offline_store.observations() if o["name"] == "double"]
    assert observation["output"] == 4


@pytest.mark.parametrize(
    "use",
    ["    log(obs.id)\n", "    obs.output = compute()\n", "    if obs.output:\n        pass\n", "    def later():\n        return obs\n"],
)
def test_other_uses_of_the_observation_after_the_push_leave_flx203_without_a_fix(use):
    source = GUARD_WRITES.replace("    obs.output = result\n", use)
    settings = LintSettings(select=("FLX203",))
    [finding] = lint_source(source, "example.py", settings).findings
    assert finding.code == "FLX203" and finding.fix is None


def test_fix_titles_name_the_user_s_own_variables():
    mutants = {name: source for name, source, _ in MUTANTS}
    [finding] = lint_source(mutants["unguarded-pop"], "example.py", ALL).findings
    assert finding.fix_title == "Guard the pop with `if fl_ctx and obs:`"
    assert "; guard it" not in finding.message


def test_two_pushes_closed_by_one_guarded_pop_report_both_pushes():
    source = """\
from fluxloop_runtime import get_current_context
from fluxloop_runtime.models import ObservationData, ObservationType

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
    findings = lint_source(source, "two.py", LintSettings(select=("FLX201",))).findings
    assert [(finding.code, finding.start.line, finding.start.column) for finding in findings] == [
        ("FLX201", 9, 9),
        ("FLX201", 11, 9),
    ]
    assert {finding.message for finding in findings} == {
        "`fl_ctx.push_observation(...)` is not closed by a `pop_observation()` in a `finally` covering the code"
        " after it: an exception or early `return` leaves the observation open, and every later observation of"
        " the trace is recorded under it"
    }


@pytest.mark.parametrize("code", ["FLX101", "FLX102"])
def test_manual_strategy_with_one_order_rule_selected_analyses_the_functions_no_rule_looked_at(code):
    # A function with one decorator is analysed by no order rule, yet the manual rewrite reads
    # every decorated function's analysis when it builds its fix.
    source = """\
import fluxloop_runtime as fl
from agents import function_tool


class Tools:
    @fl.tool()
    @staticmethod
    def a(x: int) -> int:
        return x


@fl.tool()
@function_tool
def b(x: int) -> int:
    return x


@fl.tool()
def c(x: int) -> int:
    return x
"""
    settings = LintSettings(select=(code,), fix_strategy=FixStrategy.MANUAL)
    result = lint_source(source, "tools.py", settings, fix=True)
    assert result.errors == ()
    assert result.fixed_source is not None
    cst.parse_module(result.fixed_source)
    assert code not in {finding.code for finding in result.findings}
    assert result.fixed_source.count("@fl.tool()") == 1  # the misplaced ones are rewritten, not `c`
    assert result.fixed_source.endswith("@fl.tool()\ndef c(x: int) -> int:\n    return x\n")


@pytest.mark.parametrize("rebinding", ["fl = None", "for fl in work():\n        pass", "with work() as fl:\n        pass"])
def test_a_name_rebound_later_in_the_function_still_names_fluxloop_where_it_is_called(rebinding):
    # The analysis runs at the end of the body; `fl` was FluxLoop's module where it was called.
    source = f"""\
from fluxloop_runtime.models import ObservationData, ObservationType


def run(work):
    import fluxloop_runtime as fl
    fl_ctx = fl.get_current_context()
    obs = ObservationData(type=ObservationType.TOOL, name="x")
    fl_ctx.push_observation(obs)
    result = work()
    fl_ctx.pop_observation()
    {rebinding}
    return result
"""
    findings = lint_source(source, "run.py", LintSettings()).findings
    assert [(finding.code, finding.start.line) for finding in findings] == [("FLX201", 8), ("FLX203", 8)]
