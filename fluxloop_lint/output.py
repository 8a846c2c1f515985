"""How findings are shown: text, JSON, GitHub annotations, SARIF 2.1.0, statistics, diffs.

Every function here returns a string and prints nothing; the command line decides where it
goes. Rule metadata (names, rationales) is imported only by the formats that show it.
"""

from __future__ import annotations

import difflib
import json
import os
import string
import urllib.parse
from collections import Counter
from collections.abc import Sequence
from typing import Any

from fluxloop_lint import __version__
from fluxloop_lint.files import source_encoding
from fluxloop_lint.types import Finding, Position

FIXABLE_MARKER = "[*]"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/fluxloop/fluxloop-lint"
EXPLICIT_ONLY_NOTE = "explicit only"


def _applies(finding: Finding, unsafe_fixes: bool) -> bool:
    return finding.fix is not None and finding.fix.applies(unsafe_fixes)


def plural(count: int, word: str) -> str:
    if count == 1:
        return f"{count} {word}"
    return f"{count} {word}es" if word.endswith(("s", "x")) else f"{count} {word}s"


# --- text ---------------------------------------------------------------------------------


def text_line(finding: Finding, unsafe_fixes: bool) -> str:
    """`path:line:col: CODE [*] message`, the marker only when `--fix` would fix it."""
    marker = f" {FIXABLE_MARKER}" if _applies(finding, unsafe_fixes) else ""
    return f"{finding.path}:{finding.start.line}:{finding.start.column}: {finding.code}{marker} {finding.message}"


def format_text(findings: Sequence[Finding], unsafe_fixes: bool, show_fixes: bool = False) -> str:
    lines = []
    for finding in findings:
        lines.append(text_line(finding, unsafe_fixes))
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


def message_summary(message_template: str) -> str:
    """A rule's MESSAGE with its `{placeholders}` shown as `<placeholders>`, for `explain` and SARIF."""
    return "".join(
        literal + (f"<{field}>" if field is not None else "")
        for literal, field, _, _ in string.Formatter().parse(message_template)
    )


def explanation(rule: Any) -> str:
    """`explain`'s text for a rule class: what it finds, why, the fix, a wrong and a right example."""
    fix = rule.FIX.value if rule.FIX is not None else "none"
    parts = [f"{rule.CODE} ({rule.NAME})", "", message_summary(rule.MESSAGE), "", rule.RATIONALE.strip(), "", f"Fix: {fix}"]
    if rule.EXPLICIT_ONLY:
        parts.append(f"Selection: {EXPLICIT_ONLY_NOTE} (`--select {rule.CODE}`; `ALL` and prefixes do not select it)")
    wrong = rule.INVALID[0] if rule.INVALID else None
    if wrong is not None:
        parts += ["", "Wrong:", "", _indent(wrong.code)]
        if wrong.expected_replacement is not None:
            parts += ["", "Right (what --fix writes):", "", _indent(wrong.expected_replacement)]
    if rule.VALID and (wrong is None or wrong.expected_replacement is None):
        parts += ["", "Right:", "", _indent(rule.VALID[0].code)]
    return "\n".join(parts)


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in text.strip("\n").splitlines())


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


def finding_to_json(finding: Finding) -> dict[str, Any]:
    """One finding in Ruff's JSON shape."""
    fix = finding.fix
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "message": finding.message,
        "filename": finding.path,
        "location": _location(finding.start),
        "end_location": _location(finding.end),
        "fix": None
        if fix is None
        else {
            "applicability": fix.applicability.value,
            "message": fix.message,
            "edits": [
                {"content": edit.content, "location": _location(edit.start), "end_location": _location(edit.end)}
                for edit in fix.edits
            ],
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
    lines = []
    for finding in findings:
        properties = ",".join(
            f"{name}={_escape_property(str(value))}"
            for name, value in (
                ("title", f"fluxloop-lint ({finding.code})"),
                ("file", finding.path),
                ("line", finding.start.line),
                ("col", finding.start.column),
                ("endLine", finding.end.line),
                ("endColumn", finding.end.column),
            )
        )
        lines.append(f"::{finding.severity.value} {properties}::{_escape_data(f'{finding.code} {finding.message}')}")
    return "".join(line + "\n" for line in lines)


# --- SARIF 2.1.0 ------------------------------------------------------------------------------


def _uri(path: str) -> str:
    """A relative URI reference for a path (SARIF wants `my%20tools/a.py`, not `my tools/a.py`)."""
    return urllib.parse.quote(path.replace(os.sep, "/"))


def _region(start: Position, end: Position) -> dict[str, int]:
    return {"startLine": start.line, "startColumn": start.column, "endLine": end.line, "endColumn": end.column}


def _sarif_rules() -> list[dict[str, Any]]:
    from fluxloop_lint.rules import ALL_RULES

    return [
        {
            "id": rule.CODE,
            "name": rule.NAME,
            "shortDescription": {"text": message_summary(rule.MESSAGE)},
            "fullDescription": {"text": rule.RATIONALE},
            "help": {"text": rule.RATIONALE},
            "defaultConfiguration": {"enabled": rule.DEFAULT_ENABLED, "level": rule.SEVERITY.value},
        }
        for rule in ALL_RULES
    ]


def _sarif_result(finding: Finding) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": finding.severity.value,
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(finding.path)},
                    "region": _region(finding.start, finding.end),
                }
            }
        ],
    }
    if finding.fix is not None and finding.fix.edits:
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
    hunks = list(difflib.unified_diff(before, after, lineterm="\n"))[2:]  # without difflib's header
    if not hunks:
        return b""
    name = path + "\t" if any(character.isspace() for character in path) else path
    lines = [f"--- {name}\n".encode(), f"+++ {name}\n".encode()]
    for line in hunks:
        lines.append(line.encode(encoding, "surrogateescape"))
        if not line.endswith("\n"):
            lines.append(b"\n\\ No newline at end of file\n")
    return b"".join(lines)
