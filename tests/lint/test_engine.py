"""Engine behaviour: selection, noqa, bytes round-trips, unparsable input, the fix loop."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst
import pytest

from fluxloop_lint import engine
from fluxloop_lint.engine import enabled_rules, known_codes, lint_source
from fluxloop_lint.prefilter import mentions_fluxloop
from fluxloop_lint.rules import ALL_RULES
from fluxloop_lint.rules.base import Rule
from fluxloop_lint.types import Applicability, FileResult, FixStrategy, LintSettings, Position

DEFAULT = LintSettings()

WRONG = (
    "import fluxloop\n"
    "from agents import function_tool\n"
    "\n"
    "@fluxloop.tool()\n"
    "@function_tool\n"
    "def lookup(query: str) -> str:\n"
    "    return query\n"
)
RIGHT = WRONG.replace("@fluxloop.tool()\n@function_tool\n", "@function_tool\n@fluxloop.tool()\n")


def codes(result: FileResult) -> list[str]:
    return [finding.code for finding in result.findings]


def test_prefilter_is_a_substring_test():
    assert mentions_fluxloop(b"import fluxloop\n", ("fluxloop", "fluxloop_runtime"))
    assert mentions_fluxloop("from fluxloop_runtime import tool", ("fluxloop_runtime",))
    assert not mentions_fluxloop(b"import os\n", ("fluxloop", "fluxloop_runtime"))
    assert mentions_fluxloop("import acme.tracing", ("acme.tracing",))


def test_known_codes_and_selection():
    assert known_codes() == (
        "FLX001", "FLX101", "FLX102", "FLX103", "FLX104", "FLX105", "FLX106", "FLX107", "FLX108",
        "FLX201", "FLX202", "FLX203", "FLX204", "FLX205", "FLX206", "FLX207", "FLX301",
    )
    default = [rule.CODE for rule in enabled_rules(None, (), ())]
    assert "FLX104" not in default and "FLX101" in default
    assert [rule.CODE for rule in enabled_rules(("FLX1",), (), ("FLX101",))] == [
        "FLX102", "FLX103", "FLX104", "FLX105", "FLX106", "FLX107", "FLX108"
    ]
    assert [rule.CODE for rule in enabled_rules(None, ("FLX104",), ("FLX1", "FLX2", "FLX3"))] == ["FLX001", "FLX104"]
    # ALL selects every rule but the explicit-only FLX207 (see the tests below).
    assert [rule.CODE for rule in enabled_rules(("ALL",), (), ())] == [code for code in known_codes() if code != "FLX207"]


def _selects_flx207(select, extend_select=(), ignore=()) -> bool:
    return "FLX207" in {rule.CODE for rule in enabled_rules(select, extend_select, ignore)}


def test_an_explicit_only_rule_is_selected_by_its_full_code_only():
    assert [rule.CODE for rule in ALL_RULES if rule.EXPLICIT_ONLY] == ["FLX207"]
    for select, extend_select in [(None, ()), (("ALL",), ()), (("FLX2",), ()), (("FLX",), ()), (("FLX20",), ()),
                                  (None, ("ALL",)), (None, ("FLX2",))]:
        assert not _selects_flx207(select, extend_select), (select, extend_select)
    for select, extend_select in [(("FLX207",), ()), (("flx207",), ()), (None, ("FLX207",)), (("FLX1",), ("FLX207",))]:
        assert _selects_flx207(select, extend_select), (select, extend_select)
    # The most specific selector wins, as for every rule; on a tie, ignore wins.
    assert _selects_flx207(("FLX207",), (), ("FLX2",))
    assert not _selects_flx207(("FLX207",), (), ("FLX207",))
    assert not _selects_flx207(None, ("FLX207",), ("FLX207",))


def test_a_per_file_ignore_removes_a_rule_whatever_selects_it():
    """As in Ruff: `per-file-ignores` are not weighed against `select` by specificity."""
    assert [rule.CODE for rule in enabled_rules(("FLX101",), (), (), ("FLX1",))] == []
    assert [rule.CODE for rule in enabled_rules(None, ("FLX104",), (), ("ALL",))] == []
    assert [rule.CODE for rule in enabled_rules(("FLX101", "FLX102"), (), (), ("FLX101",))] == ["FLX102"]
    # A plain ignore still loses to a more specific select.
    assert [rule.CODE for rule in enabled_rules(("FLX101",), (), ("FLX1",), ())] == ["FLX101"]
    settings = LintSettings(select=("FLX101",), per_file_ignore=("FLX1",))
    assert codes(lint_source(WRONG, "tools.py", settings)) == []
    assert codes(lint_source(WRONG, "tools.py", replace(settings, per_file_ignore=()))) == ["FLX101"]
    manual = LintSettings(fix_strategy=FixStrategy.MANUAL, unsafe_fixes=True, per_file_ignore=("FLX2",))
    assert "FLX207" not in codes(lint_source(CONVERTIBLE, "tools.py", manual))


# A correctly placed decorator: only FLX207 reports it.
CONVERTIBLE = RIGHT


@pytest.mark.parametrize(
    ("settings", "reported"),
    [
        pytest.param(LintSettings(), False, id="default"),
        pytest.param(LintSettings(select=("ALL",)), False, id="select-ALL"),
        pytest.param(LintSettings(select=("FLX2",)), False, id="select-FLX2"),
        pytest.param(LintSettings(extend_select=("FLX2",)), False, id="extend-select-FLX2"),
        pytest.param(LintSettings(unsafe_fixes=True), False, id="unsafe-only"),
        pytest.param(LintSettings(fix_strategy=FixStrategy.MANUAL), False, id="manual-only"),
        pytest.param(LintSettings(select=("FLX207",)), True, id="select-FLX207"),
        pytest.param(LintSettings(extend_select=("FLX207",)), True, id="extend-select-FLX207"),
        pytest.param(LintSettings(fix_strategy=FixStrategy.MANUAL, unsafe_fixes=True), True, id="manual-unsafe"),
        pytest.param(
            LintSettings(select=("ALL",), fix_strategy=FixStrategy.MANUAL, unsafe_fixes=True), True, id="manual-unsafe-ALL"
        ),
        pytest.param(
            LintSettings(select=("FLX2",), fix_strategy=FixStrategy.MANUAL, unsafe_fixes=True), True, id="manual-unsafe-FLX2"
        ),
        # An explicit ignore wins over what manual + unsafe implies, a prefix one too.
        pytest.param(
            LintSettings(ignore=("FLX207",), fix_strategy=FixStrategy.MANUAL, unsafe_fixes=True), False, id="manual-unsafe-ignore-FLX207"
        ),
        pytest.param(
            LintSettings(ignore=("FLX2",), fix_strategy=FixStrategy.MANUAL, unsafe_fixes=True), False, id="manual-unsafe-ignore-FLX2"
        ),
        # As does a selection that leaves FLX207 out; naming it still selects it.
        pytest.param(
            LintSettings(select=("FLX1",), fix_strategy=FixStrategy.MANUAL, unsafe_fixes=True), False, id="manual-unsafe-select-FLX1"
        ),
        pytest.param(
            LintSettings(ignore=("FLX2",), extend_select=("FLX207",), fix_strategy=FixStrategy.MANUAL, unsafe_fixes=True),
            True,
            id="manual-unsafe-ignore-FLX2-extend-select-FLX207",
        ),
    ],
)
def test_flx207_reports_only_when_asked(settings, reported):
    assert ("FLX207" in codes(lint_source(CONVERTIBLE, "tools.py", settings))) is reported


def test_two_fluxloop_decorators_above_one_framework_decorator_are_two_findings_and_one_fix():
    # (FLX101's examples each give one finding; this case gives two.)
    source = (
        "from mcp.server.fastmcp import FastMCP\n"
        "from fluxloop import trace, tool\n"
        "\n"
        'mcp = FastMCP("demo")\n'
        "\n"
        "class Tools:\n"
        "    def build(self):\n"
        "        @tool()\n"
        "        @trace()\n"
        "        @mcp.tool()\n"
        "        def search(query: str) -> str:\n"
        "            return query\n"
        "        return search\n"
    )
    findings = lint_source(source, "tools.py", DEFAULT).findings
    assert [(finding.code, finding.start.line, finding.start.column) for finding in findings] == [
        ("FLX101", 8, 9),
        ("FLX101", 9, 9),
    ]
    assert [finding.fix_title for finding in findings] == [
        "Move @tool below @mcp.tool (Pattern B), or instrument the body (Pattern A)",
        "Move @trace below @mcp.tool (Pattern B), or instrument the body (Pattern A)",
    ]
    fixed = lint_source(source, "tools.py", DEFAULT, fix=True).fixed_source
    assert fixed == source.replace("@tool()\n        @trace()\n        @mcp.tool()\n", "@mcp.tool()\n        @tool()\n        @trace()\n")


def test_finding_fields_and_fix_edits():
    result = lint_source(WRONG, "tools.py", DEFAULT)
    [finding] = result.findings
    assert (finding.code, finding.path, finding.start.line, finding.start.column) == ("FLX101", "tools.py", 4, 1)
    assert finding.end.line == 4 and finding.end.column == len("@fluxloop.tool()") + 1
    assert "function_tool" in finding.message and "Pattern B" in finding.message
    assert finding.fix.applicability is Applicability.SAFE
    [edit] = finding.fix.edits
    assert (edit.start.line, edit.end.line, edit.content) == (4, 6, "@function_tool\n@fluxloop.tool()\n")


def test_fix_is_complete_and_idempotent():
    result = lint_source(WRONG, "tools.py", DEFAULT, fix=True)
    assert (result.fixed, result.fixed_source, codes(result)) == (1, RIGHT, [])
    assert lint_source(RIGHT, "tools.py", DEFAULT, fix=True).fixed_source is None


@pytest.mark.parametrize(
    "comment_line, comment",
    [(4, "# noqa"), (4, "# noqa: FLX101"), (4, "# NOQA:FLX1"), (5, "# noqa: FLX101")],
)
def test_noqa(comment_line, comment):
    source = (
        "import fluxloop\nfrom langchain_core.tools import tool\n\n"
        "@fluxloop.tool(\n    name='x',\n)\n@tool\ndef lookup(query: str) -> str:\n    '''Doc.'''\n    return query\n"
    )
    lines = source.splitlines(keepends=True)
    lines[comment_line - 1] = lines[comment_line - 1].rstrip("\n") + f"  {comment}\n"
    patched = "".join(lines)
    assert codes(lint_source(source, "t.py", DEFAULT)) == ["FLX101"]
    assert codes(lint_source(patched, "t.py", DEFAULT)) == []
    assert lint_source(patched, "t.py", DEFAULT, fix=True).fixed_source is None
    assert codes(lint_source(patched, "t.py", DEFAULT, line_noqa=False)) == ["FLX101"]


def test_noqa_for_another_code_does_not_suppress():
    source = WRONG.replace("@fluxloop.tool()\n", "@fluxloop.tool()  # noqa: FLX102\n")
    assert codes(lint_source(source, "t.py", DEFAULT)) == ["FLX101"]


def test_file_level_noqa():
    assert codes(lint_source("# fluxloop-lint: noqa\n" + WRONG, "t.py", DEFAULT)) == []
    assert codes(lint_source(WRONG + "# fluxloop-lint: noqa: FLX101\n", "t.py", DEFAULT)) == []
    assert codes(lint_source(WRONG + "# fluxloop-lint: noqa: FLX105\n", "t.py", DEFAULT)) == ["FLX101"]
    # Always honoured, also by the flake8 plugin, which leaves line `# noqa` to flake8.
    assert codes(lint_source(b"# fluxloop-lint: noqa\n" + WRONG.encode(), "t.py", DEFAULT, line_noqa=False)) == []
    assert codes(lint_source(WRONG + "# fluxloop-lint: noqa: FLX105\n", "t.py", DEFAULT, line_noqa=False)) == [
        "FLX101"
    ]


def test_crlf_bytes_round_trip():
    source = WRONG.replace("\n", "\r\n").encode()
    result = lint_source(source, "t.py", DEFAULT, fix=True)
    assert isinstance(result.fixed_source, bytes)
    assert result.fixed_source == RIGHT.replace("\n", "\r\n").encode()


def test_latin1_coding_cookie_round_trip():
    source = ("# -*- coding: latin-1 -*-\n" + WRONG + "GREETING = 'h\xe9llo'\n").encode("latin-1")
    result = lint_source(source, "t.py", DEFAULT, fix=True)
    assert result.fixed_source == ("# -*- coding: latin-1 -*-\n" + RIGHT + "GREETING = 'h\xe9llo'\n").encode("latin-1")


def test_utf8_bom_is_kept():
    result = lint_source(b"\xef\xbb\xbf" + WRONG.encode(), "t.py", DEFAULT, fix=True)
    assert result.fixed_source == b"\xef\xbb\xbf" + RIGHT.encode()


def test_syntax_error_is_flx001_with_position_and_no_fix():
    source = "import fluxloop\n\ndef broken(:\n    pass\n"
    result = lint_source(source, "bad.py", DEFAULT, fix=True)
    [finding] = result.findings
    assert (finding.code, finding.start.line, finding.start.column) == ("FLX001", 3, 12)
    assert finding.fix is None and result.fixed_source is None and result.errors == ()
    assert codes(lint_source(source, "bad.py", LintSettings(ignore=("FLX001",)))) == []


def test_undecodable_bytes_is_flx001():
    result = lint_source(b"import fluxloop\nx = '\xff'\n", "bad.py", DEFAULT, fix=True)
    [finding] = result.findings
    assert (finding.code, finding.start.line, finding.start.column) == ("FLX001", 2, 6)
    assert "utf-8" in finding.message
    bad_cookie = lint_source(b"# coding: no-such-codec\nimport fluxloop\n", "bad.py", DEFAULT)
    assert codes(bad_cookie) == ["FLX001"]


def test_overlapping_fixes_converge_in_the_loop():
    source = (
        "import fluxloop\nfrom agents import function_tool\n\n"
        "class Tools:\n"
        "    @fluxloop.tool  # bare: FLX105\n"
        "    @function_tool\n"
        "    @staticmethod\n"
        "    def lookup(query: str) -> str:\n"
        "        return query\n"
    )
    result = lint_source(source, "t.py", DEFAULT, fix=True)
    assert result.fixed_source == (
        "import fluxloop\nfrom agents import function_tool\n\n"
        "class Tools:\n"
        "    @function_tool\n"
        "    @staticmethod\n"
        "    @fluxloop.tool()  # bare: FLX105\n"
        "    def lookup(query: str) -> str:\n"
        "        return query\n"
    )
    assert codes(result) == [] and result.fixed >= 2
    cst.parse_module(result.fixed_source)


def test_unsafe_fix_needs_unsafe_fixes():
    source = "import fluxloop\nfrom x import retry\n\n@fluxloop.tool()\n@retry\ndef f():\n    pass\n"
    settings = LintSettings(extend_select=("FLX104",))
    result = lint_source(source, "t.py", settings, fix=True)
    assert result.fixed_source is None and codes(result) == ["FLX104"]
    unsafe = lint_source(source, "t.py", LintSettings(extend_select=("FLX104",), unsafe_fixes=True), fix=True)
    assert unsafe.fixed_source == source.replace("@fluxloop.tool()\n@retry\n", "@retry\n@fluxloop.tool()\n")


def test_configured_framework_decorators_and_fluxloop_modules():
    source = "import acme.tracing as tracing\nfrom acme.tools import register\n\n@tracing.trace()\n@register\ndef f():\n    pass\n"
    assert codes(lint_source(source, "t.py", DEFAULT)) == []
    settings = LintSettings(fluxloop_modules=("acme.tracing",), framework_decorators=(("acme.tools.register", "R"),))
    assert codes(lint_source(source, "t.py", settings)) == ["FLX101"]


def test_fix_of_manual_strategy_is_pattern_a():
    from fluxloop_lint.types import FixStrategy

    result = lint_source(WRONG, "t.py", LintSettings(fix_strategy=FixStrategy.MANUAL), fix=True)
    assert codes(result) == [] and result.fixed == 1
    assert "fl_ctx.push_observation(obs)" in result.fixed_source and "@fluxloop" not in result.fixed_source


def test_nothing_else_in_the_file_changes():
    prefix = "# header  \n\n\nimport fluxloop   # odd   spacing\nfrom agents import function_tool\n\n\n"
    body = "@fluxloop.tool()\n\n# why\n@function_tool  # tool\ndef lookup(q):\n    return  q\n"
    suffix = "\n\nx = [1,\n  2]\n"
    result = lint_source(prefix + body + suffix, "t.py", DEFAULT, fix=True)
    assert result.fixed_source == prefix + "\n# why\n@function_tool  # tool\n@fluxloop.tool()\ndef lookup(q):\n    return  q\n" + suffix


def test_node_positions_equal_libcsts_metadata_wrapper():
    """The engine computes positions without MetadataWrapper's extra traversal; they must be
    the very positions LibCST's wrapper gives, node for node."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    from fluxloop_lint.engine import node_positions

    source = "import fluxloop\n\nclass A:\n    @fluxloop.trace(\n        name='x',\n    )\n    @staticmethod\n    def f(a, *b, **c):\n        return [a for a in b if a]  # done\n"
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    assert dict(node_positions(module)) == dict(expected)


def test_positions_of_some_statements_are_those_of_the_full_pass():
    """At first only the statements holding findings get positions; they must be the full
    pass's, and asking about any other node resolves the whole module."""
    import libcst as cst

    from fluxloop_lint.engine import _Positions, node_positions
    from fluxloop_lint.syntax_tree import descendants

    source = (
        "# header\n\nimport fluxloop\n\n\nclass A:\n    x = '''\n\n'''\n\n    @fluxloop.trace(\n        name='x',\n"
        "    )\n    def f(self):\n        return 1  # done\n\ny = 2; z = 3\n\n\n@fluxloop.tool\r\ndef g():\r\n    pass\n"
    )
    module = cst.parse_module(source)
    full = node_positions(module)
    chosen = {module.body[1], module.body[3]}
    partial = node_positions(module, chosen)
    inside = [node for statement in chosen for node in (statement, *descendants(statement, into_scopes=True))]
    assert len(inside) > 20 and all(partial[node] == full[node] for node in inside)
    assert module.body[0] not in partial and module.body[2] not in partial

    positions = _Positions(module, chosen)
    assert module.body[0] not in positions
    assert positions[module.body[0]] == full[module.body[0]]
    assert dict(positions) == full


class _ReportsTheLastStatementOnLeave(Rule):
    """Reports from `leave_Module`, when no module-level statement is being walked."""

    CODE = "FLX998"
    NAME = "test-leave-module"
    MESSAGE = "last statement"
    RATIONALE = "test only"

    def leave_Module(self, node: cst.Module) -> None:
        last = node.body[-1]
        self.report(last, "the last statement")
        self.report(last.body[-1], "its last small statement")


class _ReportsAnotherStatement(Rule):
    """While in a function, reports a name in the first module-level statement too (with
    that statement as the one whose `# noqa` counts)."""

    CODE = "FLX999"
    NAME = "test-elsewhere"
    MESSAGE = "elsewhere"
    RATIONALE = "test only"

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.report(node.name, "the function's name")
        first = self.context.module.body[0]
        self.report(first.body[0].names[1].name, "a name in the first statement", noqa_node=first)


# CRLF, a header comment, no trailing newline.
OUTSIDE_SOURCE = "# header\r\n\r\nimport os, sys  # noqa\r\n\r\n\r\ndef f():\r\n    pass\r\ny = 2; z = 3"


def _range(start_line: int, start_column: int, end_line: int, end_column: int) -> tuple[Position, Position]:
    return Position(start_line, start_column), Position(end_line, end_column)


LAST_STATEMENT = ("FLX998", *_range(8, 1, 8, 13))  # y = 2; z = 3
LAST_SMALL_STATEMENT = ("FLX998", *_range(8, 8, 8, 13))  # z = 3
SYS_IN_IMPORT = ("FLX999", *_range(3, 12, 3, 15))  # sys, on the line with `# noqa`
FUNCTION_NAME = ("FLX999", *_range(6, 5, 6, 6))  # f


@pytest.mark.parametrize(
    ("rules", "line_noqa", "expected", "passes"),
    [
        # (a) From leave_Module no statement is being walked: the whole module at once.
        ((_ReportsTheLastStatementOnLeave,), True, [LAST_STATEMENT, LAST_SMALL_STATEMENT], [["NoneType"]]),
        # (b) The function's statement first; the whole module when the import is asked about
        # (for its position, or for its `# noqa`, which suppresses the report).
        ((_ReportsAnotherStatement,), False, [SYS_IN_IMPORT, FUNCTION_NAME], [["FunctionDef"], None]),
        ((_ReportsAnotherStatement,), True, [FUNCTION_NAME], [["FunctionDef"], None]),
        (
            (_ReportsTheLastStatementOnLeave, _ReportsAnotherStatement),
            False,
            [SYS_IN_IMPORT, FUNCTION_NAME, LAST_STATEMENT, LAST_SMALL_STATEMENT],
            [["FunctionDef", "NoneType"]],
        ),
    ],
)
def test_positions_of_nodes_outside_the_statement_being_walked(monkeypatch, rules, line_noqa, expected, passes):
    """Findings reported from `leave_Module`, or in another module-level statement than the
    one being walked, get the positions of the full pass (checked by hand here too)."""
    module = cst.parse_module(OUTSIDE_SOURCE)
    full = engine.node_positions(module)
    imports, function, last = module.body
    in_full_pass = [
        (code, Position(where.start.line, where.start.column + 1), Position(where.end.line, where.end.column + 1))
        for code, node in [
            ("FLX999", imports.body[0].names[1].name),
            ("FLX999", function.name),
            ("FLX998", last),
            ("FLX998", last.body[-1]),
        ]
        for where in [full[node]]
    ]
    assert in_full_pass == [SYS_IN_IMPORT, FUNCTION_NAME, LAST_STATEMENT, LAST_SMALL_STATEMENT]

    compute = engine.node_positions
    asked: list[list[str] | None] = []

    def recording_node_positions(module, statements=None):
        asked.append(None if statements is None else sorted(type(statement).__name__ for statement in statements))
        return compute(module, statements)

    monkeypatch.setattr(engine, "node_positions", recording_node_positions)
    result = engine._lint_text(OUTSIDE_SOURCE, "t.py", LintSettings(), rules, line_noqa)
    assert [(finding.code, finding.start, finding.end) for finding in result.findings] == expected
    assert asked == passes


def test_a_rule_sees_a_def_from_outside_on_visit_and_from_inside_its_scope_on_leave():
    from fluxloop_lint.context import FileContext
    from fluxloop_lint.frameworks import registry_for
    from fluxloop_lint.walk import Walk, plan

    module = cst.parse_module("import os as local\n\ndef f(p):\n    import json as local\n    return p\n")
    seen: dict[str, tuple[str | None, str | None]] = {}

    class Probe(Rule):
        def _names(self) -> tuple[str | None, str | None]:
            local, parameter = self.context.resolver.lookup("local"), self.context.resolver.lookup("p")
            return (local.qualified_name if local else None, "bound" if parameter is not None else None)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            seen["visit"] = self._names()

        def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
            seen["leave"] = self._names()

    context = FileContext(module, module.code, LintSettings(), registry_for(()), frozenset())
    Walk(context, [Probe(context)], plan((Probe,))).node(module)
    assert seen == {"visit": ("os", None), "leave": ("json", "bound")}


def test_the_file_context_holds_each_phase_to_what_it_offers():
    from fluxloop_lint.context import FileContext
    from fluxloop_lint.frameworks import registry_for

    module = cst.parse_module("x = 1\n")
    context = FileContext(module, module.code, LintSettings(), registry_for(()), frozenset())
    built: list[str] = []
    assert context.during_walk("key", lambda: built.append("walk") or "made") == "made"
    assert context.during_walk("key", lambda: built.append("again") or "other") == "made"  # made once
    with pytest.raises(AssertionError, match="build_fix"):
        context.in_fixes("key", lambda: "fix")
    with pytest.raises(AssertionError, match="positions"):
        context.position(module.body[0])
    context.report("X000", module.body[0], "during the walk")

    context.end_walk()
    with pytest.raises(AssertionError, match="during the walk"):
        context.report("X000", module.body[0], "too late")
    with pytest.raises(AssertionError, match="during the walk"):
        context.during_walk("key", lambda: "late")
    with pytest.raises(AssertionError, match="at their definition"):
        context.decorators_of(cst.parse_statement("@d\ndef f(): pass\n"))

    context.positions = engine.node_positions(module)
    assert context.position(module.body[0]).start.line == 1
    assert context.in_fixes("key", lambda: built.append("fix") or "fixed") == "fixed"
    assert context.in_fixes("key", lambda: built.append("fix again") or "other") == "fixed"
    assert built == ["walk", "fix"] and len(context.reports) == 1
