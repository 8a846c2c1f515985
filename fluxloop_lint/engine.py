"""The engine: lint (and fix) one file's source with every enabled rule in one walk.

Imported only for files that passed `prefilter.mentions_fluxloop`. Per process it builds,
once, the selection of rules for a set of selectors, the dispatch table of their `visit_*`
methods and the framework registry. Per file it decodes, parses once with LibCST, walks the
tree once (statements only, unless a rule that looks inside expressions is active for this
file), and resolves positions only when a rule reported something.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Container, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

import libcst as cst
from libcst.metadata import CodeRange, PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

from fluxloop_lint.codes import is_selected, rule_selectors
from fluxloop_lint.context import FileContext
from fluxloop_lint.files import source_encoding
from fluxloop_lint.fixes.edits import apply_edits, line_starts, offset
from fluxloop_lint.frameworks import registry_for
from fluxloop_lint.project import ProjectView, view_for
from fluxloop_lint.rules import ALL_RULES
from fluxloop_lint.rules.base import Rule
from fluxloop_lint.rules.flx001_syntax_error import SyntaxErrorRule
from fluxloop_lint.types import Edit, FileResult, Finding, Fix, LintSettings, Position
from fluxloop_lint.walk import Walk, plan

MAX_FIX_PASSES = 10

NOQA_COMMENT = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_FILE_NOQA = r"^[ \t]*#[ \t]*fluxloop-lint:[ \t]*noqa(?::[ \t]*(?P<codes>[A-Z]+[0-9]+(?:[ \t]*,[ \t]*[A-Z]+[0-9]+)*))?"
_FILE_NOQA_TEXT = re.compile(_FILE_NOQA, re.IGNORECASE | re.MULTILINE)
_FILE_NOQA_BYTES = re.compile(_FILE_NOQA.encode(), re.IGNORECASE | re.MULTILINE)


def known_codes() -> tuple[str, ...]:
    """Every rule code, in code order (for validating selectors)."""
    return tuple(rule.CODE for rule in ALL_RULES)


# -- which rules run --------------------------------------------------------------------------


@lru_cache(maxsize=64)
def enabled_rules(
    select: tuple[str, ...] | None,
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    per_file_ignore: tuple[str, ...] = (),
) -> tuple[type[Rule], ...]:
    """The rules a set of selectors enables (see `codes.is_selected`: the most specific
    selector wins; an explicit-only rule is selected only by its full code)."""
    return tuple(
        rule
        for rule in ALL_RULES
        if is_selected(
            rule.CODE,
            select,
            extend_select,
            ignore,
            per_file_ignore,
            default_enabled=rule.DEFAULT_ENABLED,
            explicit_only=rule.EXPLICIT_ONLY,
        )
    )


# -- one lint pass ----------------------------------------------------------------------------


class _Unreadable(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


@dataclass(frozen=True)
class _Pass:
    findings: tuple[Finding, ...]
    parse_error: str | None = None


def _decode(source: bytes) -> tuple[str, str]:
    try:
        encoding = source_encoding(source)
    except SyntaxError as error:
        raise _Unreadable(str(error), 1, 1) from None
    try:
        return source.decode(encoding), encoding
    except UnicodeDecodeError as error:
        line = source.count(b"\n", 0, error.start) + 1
        column = error.start - (source.rfind(b"\n", 0, error.start) + 1) + 1
        raise _Unreadable(f"not valid {encoding}: byte {source[error.start]:#04x}", line, column) from None


def _parse(text: str, path: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        line, column, message = error.raw_line, error.raw_column + 1, error.message
    except Exception as error:  # LibCST can fail in other ways on odd input (e.g. NUL bytes)
        line, column, message = 1, 1, f"{type(error).__name__}: {error}"
    # CPython's parser usually points more precisely at the mistake.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings about the user's code are not ours to show
            compile(text, path or "<unknown>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        line, column, message = error.lineno or line, error.offset or column, error.msg or message
    except Exception:
        pass
    raise _Unreadable(message, line, column)


class WholeParse:
    """How the engine gets a text's module and the positions of its nodes: one parse of the
    whole text, positions from one code-generation pass. The language server gives the engine
    a parser that reuses what did not change between versions (`incremental`)."""

    def parse(self, text: str, path: str) -> cst.Module:
        """The text's module (raises `_Unreadable`, which becomes FLX001, when it does not parse)."""
        return _parse(text, path)

    def positions(self, module: cst.Module, statements: set[cst.BaseStatement | None]) -> Mapping[cst.CSTNode, CodeRange]:
        """Positions of the nodes inside `statements` (the ones that hold findings), and of any
        other node when asked."""
        return _Positions(module, statements)


WHOLE_PARSE = WholeParse()


def _noqa_codes(line: str) -> frozenset[str] | None:
    """None: no `# noqa` on the line; empty: a bare `# noqa`; else the codes it names."""
    match = NOQA_COMMENT.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    return frozenset(code.upper() for code in re.split(r"[,\s]+", codes) if code) if codes else frozenset()


def _suppressed(lines: list[str], first: int, last: int, code: str) -> bool:
    for number in range(first, min(last, len(lines)) + 1):
        codes = _noqa_codes(lines[number - 1])
        if codes is not None and (not codes or any(code.startswith(noqa) for noqa in codes)):
            return True
    return False


def _file_noqa(source: bytes | str) -> frozenset[str] | None:
    """None: no file-level `# fluxloop-lint: noqa`; empty: all codes; else the codes named."""
    if isinstance(source, bytes):
        match = _FILE_NOQA_BYTES.search(source)
        codes = match.group("codes").decode() if match and match.group("codes") else None
    else:
        match = _FILE_NOQA_TEXT.search(source)
        codes = match.group("codes") if match else None
    if match is None:
        return None
    return frozenset(code.strip().upper() for code in codes.split(",")) if codes else frozenset()


def _lint_text(
    text: str,
    path: str,
    settings: LintSettings,
    rules: tuple[type[Rule], ...],
    line_noqa: bool,
    project: ProjectView | None = None,
    package: str | None = None,
    parser: WholeParse = WHOLE_PARSE,
) -> _Pass:
    try:
        module = parser.parse(text, path)
    except _Unreadable as error:
        return _Pass(_syntax_finding(error, path, rules), error.message)
    active = tuple(
        rule
        for rule in rules
        if rule is not SyntaxErrorRule and (not rule.TEXT_TRIGGERS or any(t in text for t in rule.TEXT_TRIGGERS))
    )
    if not active:
        return _Pass(())
    context = FileContext(
        module,
        text,
        settings,
        registry_for(settings.framework_decorators),
        frozenset(r.CODE for r in rules),
        project=project,
        package=package,
    )
    Walk(context, [rule(context) for rule in active], plan(active)).node(module)
    context.end_walk()
    if not context.reports:
        return _Pass(())
    context.positions = parser.positions(module, {report.top_level_statement for report in context.reports})
    lines = context.lines
    severities = {rule.CODE: rule.SEVERITY for rule in active}
    findings = []
    for report in context.reports:
        noqa_range = context.positions[report.noqa_node]
        if line_noqa and _suppressed(lines, noqa_range.start.line, noqa_range.end.line, report.code):
            continue
        where = context.positions[report.node]
        findings.append(
            Finding(
                report.code,
                report.message,
                path,
                Position(where.start.line, where.start.column + 1),
                Position(where.end.line, where.end.column + 1),
                report.build_fix() if report.build_fix is not None else None,
                severities[report.code],
                fix_title=report.fix_title,
            )
        )
    findings.sort(key=lambda finding: (finding.start, finding.code))
    return _Pass(tuple(findings))


def node_positions(
    module: cst.Module, statements: Container[cst.BaseStatement | None] | None = None
) -> dict[cst.CSTNode, CodeRange]:
    """The positions of every node, or only of the nodes inside the given module-level
    `statements`, from one code-generation pass.

    `MetadataWrapper(...).resolve(PositionProvider)` gives the same mapping but also walks the
    whole tree once more for batchable providers, even when there are none: half the cost of
    linting a file with findings. `_gen_impl` is the step every LibCST provider implements.
    With `statements`, the others are generated as plain text (a third of the cost), which
    only moves the line and column on; the positions found are the same as in the full pass.
    A None among `statements` (a report made outside every module-level statement, e.g. from
    `leave_Module`) asks for the full pass.
    """
    provider = PositionProvider()
    if statements is None or None in statements:
        provider._gen_impl(module)
        return provider._computed
    state = PositionProvidingCodegenState(
        default_indent=module.default_indent, default_newline=module.default_newline, provider=provider
    )
    for line in module.header:
        line._codegen(state)
    for statement in module.body:
        if statement in statements:
            statement._codegen(state)
        else:
            state.add_token(module.code_for_node(statement))
    return provider._computed


class _Positions(dict[cst.CSTNode, CodeRange]):
    """Positions of the nodes inside the statements that hold findings; the first question
    about any other node (a fix may ask about an import elsewhere) resolves the whole module."""

    def __init__(self, module: cst.Module, statements: set[cst.BaseStatement | None]) -> None:
        super().__init__(node_positions(module, statements))
        self.module = module
        self.complete = False

    def __missing__(self, node: cst.CSTNode) -> CodeRange:
        if self.complete:
            raise KeyError(node)
        self.update(node_positions(self.module))
        self.complete = True
        return self[node]


def _syntax_finding(error: _Unreadable, path: str, rules: tuple[type[Rule], ...]) -> tuple[Finding, ...]:
    if SyntaxErrorRule not in rules:
        return ()
    where = Position(error.line, max(error.column, 1))
    return (SyntaxErrorRule.finding(error.message, path, where),)


# -- fixing -----------------------------------------------------------------------------------


def _choose_fixes(findings: tuple[Finding, ...], text: str, unsafe: bool) -> tuple[list[Edit], int]:
    """Edits of the allowed fixes that do not overlap (the rest wait for the next pass), and
    how many findings they fix (findings sharing one fix all count)."""
    starts = line_starts(text)
    allowed = [
        finding.fix
        for finding in findings
        if finding.fix is not None
        and finding.fix.edits
        and finding.fix.applies(unsafe)
    ]
    taken: list[Fix] = []
    spans: list[tuple[int, int]] = []
    fixed = 0
    for fix in sorted(allowed, key=lambda fix: min(edit.start for edit in fix.edits)):
        if any(fix.edits == other.edits for other in taken):
            fixed += 1
            continue
        fix_spans = [(offset(starts, edit.start), offset(starts, edit.end)) for edit in fix.edits]
        if any(start < other_end and other_start < end or start == end == other_start
               for start, end in fix_spans for other_start, other_end in spans):
            continue
        taken.append(fix)
        spans.extend(fix_spans)
        fixed += 1
    return [edit for fix in taken for edit in fix.edits], fixed


def lint_source(
    source: bytes | str,
    path: str,
    settings: LintSettings,
    *,
    fix: bool = False,
    line_noqa: bool = True,
    parser: WholeParse | None = None,
) -> FileResult:
    """Lint one file's source; with `fix`, also apply the allowed fixes (what every fix
    guarantees: docs/fixes.md). Never raises for bad input: it becomes an FLX001 finding.

    The file-level `# fluxloop-lint: noqa` is always honoured; line `# noqa` comments only
    with `line_noqa` (the flake8 plugin turns it off: flake8 applies them itself). `parser`
    gives the module of each text linted (the original and each fixed version; None: one
    parse of the whole text)."""
    rules = enabled_rules(*rule_selectors(settings))
    file_noqa = _file_noqa(source)
    if file_noqa is not None:
        if not file_noqa:
            return FileResult(path)
        rules = tuple(rule for rule in rules if not any(rule.CODE.startswith(code) for code in file_noqa))
    encoding = None
    if isinstance(source, bytes):
        try:
            text, encoding = _decode(source)
        except _Unreadable as error:
            return FileResult(path, _syntax_finding(error, path, rules))
    else:
        text = source
    project, package = view_for(path, settings)
    result = _lint_fixing(text, path, settings, rules, line_noqa, fix, encoding, project, package, parser or WHOLE_PARSE)
    if project is None:
        return result
    return replace(result, dependencies=tuple(sorted(project.dependencies.items())), summaries=tuple(project.made.items()))


def _lint_fixing(
    text: str,
    path: str,
    settings: LintSettings,
    rules: tuple[type[Rule], ...],
    line_noqa: bool,
    fix: bool,
    encoding: str | None,
    project: ProjectView | None,
    package: str | None,
    parser: WholeParse,
) -> FileResult:
    current = _lint_text(text, path, settings, rules, line_noqa, project, package, parser)
    if not fix or current.parse_error is not None:
        return FileResult(path, current.findings)

    first, fixed_text, fixed = current, text, 0
    for _ in range(MAX_FIX_PASSES):
        edits, count = _choose_fixes(current.findings, fixed_text, settings.unsafe_fixes)
        if not edits:
            break
        candidate = apply_edits(fixed_text, edits)
        result = _lint_text(candidate, path, settings, rules, line_noqa, project, package, parser)
        if result.parse_error is not None:
            message = f"{path}: fixing produced code that does not parse ({result.parse_error}); nothing was changed"
            return FileResult(path, first.findings, errors=(message,))
        if candidate == fixed_text:
            break
        fixed_text, current, fixed = candidate, result, fixed + count
    if fixed_text == text:
        return FileResult(path, current.findings)
    return FileResult(path, current.findings, fixed, _encode(fixed_text, encoding))


def _encode(text: str, encoding: str | None) -> bytes | str:
    return text if encoding is None else text.encode(encoding)
