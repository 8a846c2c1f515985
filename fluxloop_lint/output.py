"""How findings are shown: text, JSON, GitHub annotations, SARIF 2.1.0, statistics, diffs.

Every function here returns a string and prints nothing; the command line decides where it
goes. Rule metadata (names, documentation) is imported only by the formats that show it.
"""

from __future__ import annotations

import difflib
import json
import os
import urllib.parse
from collections import Counter
from collections.abc import Sequence
from typing import Any

from fluxloop_lint import __version__
from fluxloop_lint.files import source_encoding
from fluxloop_lint.types import Edit, Finding, Position

FIXABLE_MARKER = "[*]"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/fluxloop/fluxloop-lint"


def _applies(finding: Finding, unsafe_fixes: bool) -> bool:
    return finding.fix is not None and finding.fix.applies(unsafe_fixes)


def plural(count: int, word: str) -> str:
    if count == 1:
        return f"{count} {word}"
    return f"{count} {word}es" if word.endswith(("s", "x")) else f"{count} {word}s"


# --- text ---------------------------------------------------------------------------------


def _cell(finding: Finding) -> str:
    """`cell N:` for a finding in a notebook's cell (its line and column are inside the cell)."""
    return "" if finding.cell is None else f"cell {finding.cell}:"


def text_line(finding: Finding, unsafe_fixes: bool) -> str:
    """`path:line:col: CODE [*] message` (`path:cell N:line:col: ...` in a notebook), the marker
    only when `--fix` would fix it."""
    marker = f" {FIXABLE_MARKER}" if _applies(finding, unsafe_fixes) else ""
    where = f"{finding.path}:{_cell(finding)}{finding.start.line}:{finding.start.column}"
    return f"{where}: {finding.code}{marker} {finding.message}"


def _in_cell(finding: Finding) -> str:
    """The message's prefix naming a notebook finding's cell and line (formats whose positions
    are the file's lines cannot hold them)."""
    return "" if finding.cell is None else f"cell {finding.cell}, line {finding.start.line}: "


def format_text(findings: Sequence[Finding], unsafe_fixes: bool, show_fixes: bool = False) -> str:
    """A line a finding (as Ruff's concise format); with `show_fixes`, each followed by its fix
    title (`help:`, as in Ruff's full format) and, when it has a fix, by that fix's own title."""
    lines = []
    for finding in findings:
        lines.append(text_line(finding, unsafe_fixes))
        if show_fixes and finding.fix_title:
            lines.append(f"    help: {finding.fix_title}")
        if show_fixes and finding.fix is not None:
            lines.append(f"    help ({finding.fix.applicability.value} fix): {finding.fix.message}")
    return "".join(line + "\n" for line in lines)


def check_summary(findings: Sequence[Finding], unsafe_fixes: bool, errors: int = 0) -> str:
    """The last lines of a check: `Found N problems (M fixable).` or `All checks passed!`
    (not said when `errors` files could not be checked)."""
    if not findings:
        return _nothing_found(errors)
    fixable = sum(_applies(finding, unsafe_fixes) for finding in findings)
    text = f"Found {plural(len(findings), 'problem')} ({fixable} fixable).\n"
    hidden = sum(finding.fix is not None for finding in findings) - fixable
    if fixable:
        text += f"{FIXABLE_MARKER} {fixable} fixable with the `--fix` option.\n"
    if hidden:
        text += f"{plural(hidden, 'hidden fix')} can be enabled with the `--unsafe-fixes` option.\n"
    return text


def fix_summary(remaining: Sequence[Finding], fixed: int, unsafe_fixes: bool, errors: int = 0) -> str:
    """The last line of `--fix`: `Found N problems (F fixed, R remaining).`."""
    if not remaining and not fixed:
        return _nothing_found(errors)
    total = len(remaining) + fixed
    text = f"Found {plural(total, 'problem')} ({fixed} fixed, {len(remaining)} remaining).\n"
    hidden = sum(finding.fix is not None and not _applies(finding, unsafe_fixes) for finding in remaining)
    if hidden:
        text += f"{plural(hidden, 'hidden fix')} can be enabled with the `--unsafe-fixes` option.\n"
    return text


def _nothing_found(errors: int) -> str:
    if errors:
        return f"No problems found, but {plural(errors, 'error')} stopped some files from being checked (see above).\n"
    return "All checks passed!\n"


def fixed_file_line(path: str, fixed: int) -> str:
    return f"Fixed {path} ({plural(fixed, 'problem')})\n"


# --- statistics -----------------------------------------------------------------------------


def _rule_names() -> dict[str, str]:
    from fluxloop_lint.rules import ALL_RULES

    return {rule.CODE: rule.NAME for rule in ALL_RULES}


def format_statistics(findings: Sequence[Finding], unsafe_fixes: bool, as_json: bool = False) -> str:
    """A count per code, most frequent first, as Ruff's `--statistics`."""
    counts = Counter(finding.code for finding in findings)
    fixable = {finding.code for finding in findings if _applies(finding, unsafe_fixes)}
    names = _rule_names() if counts else {}
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if as_json:
        data = [
            {"code": code, "name": names.get(code, ""), "count": count, "fixable": code in fixable}
            for code, count in rows
        ]
        return json.dumps(data, indent=2) + "\n"
    width = max((len(str(count)) for count in counts.values()), default=1)
    lines = []
    for code, count in rows:
        marker = FIXABLE_MARKER if code in fixable else "   "
        lines.append(f"{count:>{width}}\t{code}\t{marker} {names.get(code, '')}".rstrip())
    return "".join(line + "\n" for line in lines)


# --- JSON -----------------------------------------------------------------------------------


def _location(position: Position) -> dict[str, int]:
    return {"row": position.line, "column": position.column}


def _edit_to_json(edit: Edit) -> dict[str, Any]:
    data: dict[str, Any] = {"content": edit.content, "location": _location(edit.start), "end_location": _location(edit.end)}
    if edit.cell is not None:
        data["cell"] = edit.cell
    return data


def finding_to_json(finding: Finding) -> dict[str, Any]:
    """One finding in Ruff's JSON shape (`cell`: the notebook cell's number, else null), with
    `fix_title`: what to do about it, also when there is no fix. (Ruff has only a fix's title,
    as `fix.message`; here `fix.message` stays the fix's own, more concrete, title.)"""
    fix = finding.fix
    return {
        "cell": finding.cell,
        "code": finding.code,
        "severity": finding.severity.value,
        "message": finding.message,
        "fix_title": finding.fix_title,
        "filename": finding.path,
        "location": _location(finding.start),
        "end_location": _location(finding.end),
        "fix": None
        if fix is None
        else {
            "applicability": fix.applicability.value,
            "message": fix.message,
            "edits": [_edit_to_json(edit) for edit in fix.edits],
        },
    }


def format_json(findings: Sequence[Finding]) -> str:
    return json.dumps([finding_to_json(finding) for finding in findings], indent=2) + "\n"


# --- GitHub workflow annotations --------------------------------------------------------------


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(findings: Sequence[Finding]) -> str:
    """One annotation a finding; a notebook's on the whole file, the cell and line in its message."""
    lines = []
    for finding in findings:
        fields: list[tuple[str, object]] = [("title", f"fluxloop-lint ({finding.code})"), ("file", finding.path)]
        if finding.cell is None:
            fields += [
                ("line", finding.start.line),
                ("col", finding.start.column),
                ("endLine", finding.end.line),
                ("endColumn", finding.end.column),
            ]
        properties = ",".join(f"{name}={_escape_property(str(value))}" for name, value in fields)
        message = f"{_in_cell(finding)}{finding.code} {finding.message}"
        lines.append(f"::{finding.severity.value} {properties}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)


# --- SARIF 2.1.0 ------------------------------------------------------------------------------


def _uri(path: str) -> str:
    """A relative URI reference for a path (SARIF wants `my%20tools/a.py`, not `my tools/a.py`)."""
    return urllib.parse.quote(path.replace(os.sep, "/"))


def _region(start: Position, end: Position) -> dict[str, int]:
    return {"startLine": start.line, "startColumn": start.column, "endLine": end.line, "endColumn": end.column}


def _sarif_rules() -> list[dict[str, Any]]:
    """Each rule's message as its short description, what it does (or, until it says so, why)
    as its full description, and `explain`'s text as its help."""
    from fluxloop_lint.rule_docs import explanation, message_summary
    from fluxloop_lint.rules import ALL_RULES

    return [
        {
            "id": rule.CODE,
            "name": rule.NAME,
            "shortDescription": {"text": message_summary(rule.MESSAGE)},
            "fullDescription": {"text": rule.WHAT or rule.RATIONALE},
            "help": {"text": explanation(rule)},
            "defaultConfiguration": {"enabled": rule.DEFAULT_ENABLED, "level": rule.SEVERITY.value},
        }
        for rule in ALL_RULES
    ]


def _sarif_result(finding: Finding) -> dict[str, Any]:
    """One result; a notebook's has no region (its lines are the cell's, not the file's) and
    no fixes (their regions would be too), the cell and line in its message."""
    location: dict[str, Any] = {"artifactLocation": {"uri": _uri(finding.path)}}
    if finding.cell is None:
        location["region"] = _region(finding.start, finding.end)
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": finding.severity.value,
        "message": {"text": _in_cell(finding) + finding.message},
        "locations": [{"physicalLocation": location}],
    }
    if finding.fix is not None and finding.fix.edits and finding.cell is None:
        result["fixes"] = [
            {
                "description": {"text": finding.fix.message},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": _uri(finding.path)},
                        "replacements": [
                            {"deletedRegion": _region(edit.start, edit.end), "insertedContent": {"text": edit.content}}
                            for edit in finding.fix.edits
                        ],
                    }
                ],
                "properties": {"applicability": finding.fix.applicability.value},
            }
        ]
    return result


def format_sarif(findings: Sequence[Finding]) -> str:
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fluxloop-lint",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": _sarif_rules(),
                    }
                },
                "results": [_sarif_result(finding) for finding in findings],
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


# --- diffs ----------------------------------------------------------------------------------


def _encoding_of(source: bytes) -> str:
    """The encoding of the file's lines in a diff: Python's (`files.source_encoding`), with a
    BOM kept as a character of the first line (`utf-8`), and `utf-8` for a bad cookie."""
    try:
        encoding = source_encoding(source)
    except SyntaxError:
        return "utf-8"
    return "utf-8" if encoding == "utf-8-sig" else encoding


def unified_diff(path: str, original: bytes, fixed: bytes) -> bytes:
    """A unified diff that `patch -p0` and `git apply -p0` apply: its lines are in the file's
    own encoding and line endings, and a name with spaces ends with a tab, as GNU diff does."""
    encoding = _encoding_of(original)
    before = original.decode(encoding, "surrogateescape").splitlines(keepends=True)
    after = fixed.decode(encoding, "surrogateescape").splitlines(keepends=True)
    name = path + "\t" if any(character.isspace() for character in path) else path
    return _diff_lines(name, before, after, encoding)


def _diff_lines(name: str, before: list[str], after: list[str], encoding: str) -> bytes:
    hunks = list(difflib.unified_diff(before, after, lineterm="\n"))[2:]  # without difflib's header
    if not hunks:
        return b""
    lines = [f"--- {name}\n".encode(), f"+++ {name}\n".encode()]
    for line in hunks:
        lines.append(line.encode(encoding, "surrogateescape"))
        if not line.endswith("\n"):
            lines.append(b"\n\\ No newline at end of file\n")
    return b"".join(lines)


def notebook_diff(path: str, original: bytes, fixed: bytes) -> bytes:
    """A unified diff of each code cell that changed, named `path:cell N` (for reading: `patch`
    cannot apply it to the notebook's JSON)."""
    from fluxloop_lint.notebooks import code_cells

    before, after = code_cells(original), code_cells(fixed)
    return b"".join(
        _diff_lines(
            f"{path}:cell {number}",
            source.splitlines(keepends=True),
            after.get(number, "").splitlines(keepends=True),
            "utf-8",
        )
        for number, source in before.items()
        if after.get(number, source) != source
    )
