"""Output formatting details that the CLI tests do not reach: escaping and diff edge cases."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fluxloop_lint.output import format_github, format_json, format_sarif, text_line, unified_diff
from fluxloop_lint.types import Applicability, Finding, Fix, Position, Severity


def test_severity_reaches_github_sarif_and_json() -> None:
    warning = Finding("FLX103", "m", "my tools/a.py", Position(1, 1), Position(1, 2), severity=Severity.WARNING)
    assert format_github([warning]).startswith("::warning title=")
    result = json.loads(format_sarif([warning]))["runs"][0]["results"][0]
    assert result["level"] == "warning"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20tools/a.py"
    assert json.loads(format_json([warning]))[0]["severity"] == "warning"


def test_github_annotations_escape_properties_and_message() -> None:
    finding = Finding("FLX101", "100% wrong:\nsee docs", "dir,with:odd/a.py", Position(3, 5), Position(3, 9))
    assert format_github([finding]) == (
        "::error title=fluxloop-lint (FLX101),file=dir%2Cwith%3Aodd/a.py,line=3,col=5,endLine=3,endColumn=9"
        "::FLX101 100%25 wrong:%0Asee docs\n"
    )


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch is not installed")
@pytest.mark.parametrize(
    ("before", "after"),
    [
        (b"a\nb\nc", b"b\na\nc"),  # no newline at the end of the file
        (b"a\r\nb\r\nc\r\n", b"b\r\na\r\nc\r\n"),  # CRLF line endings
    ],
)
def test_diffs_apply_with_patch(tmp_path: Path, before: bytes, after: bytes) -> None:
    (tmp_path / "f.py").write_bytes(before)
    diff = unified_diff("f.py", before, after)
    subprocess.run(["patch", "-p0", "--quiet", "--binary"], cwd=tmp_path, input=diff, check=True)
    assert (tmp_path / "f.py").read_bytes() == after


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch is not installed")
def test_a_diff_is_in_the_file_encoding_and_a_spaced_name_applies(tmp_path: Path) -> None:
    """`patch` and `git apply` compare bytes: a latin-1 file's diff must be latin-1 too."""
    before = "# -*- coding: latin-1 -*-\nname = 'café'\nb = 1\n".encode("latin-1")
    after = "# -*- coding: latin-1 -*-\nb = 1\nname = 'café'\n".encode("latin-1")
    folder = tmp_path / "my tools"
    folder.mkdir()
    (folder / "outils é.py").write_bytes(before)
    diff = unified_diff("my tools/outils é.py", before, after)
    assert "café".encode("latin-1") in diff
    subprocess.run(["git", "apply", "-p0", "--check"], cwd=tmp_path, input=diff, check=True)
    subprocess.run(["patch", "-p0", "--quiet"], cwd=tmp_path, input=diff, check=True)
    assert (folder / "outils é.py").read_bytes() == after


def test_a_diff_keeps_a_bom_on_its_first_line_and_reads_a_bad_cookie_file_as_utf8() -> None:
    bom = b"\xef\xbb\xbf"
    diff = unified_diff("a.py", bom + "a = 'é'\n".encode(), bom + "a = 'è'\n".encode())
    assert b"\n-" + bom + "a = 'é'\n".encode() in diff and b"\n+" + bom + "a = 'è'\n".encode() in diff
    bad_cookie = "# coding: no-such-codec\n"
    diff = unified_diff("b.py", (bad_cookie + "b = 'é'\n").encode(), (bad_cookie + "b = 'è'\n").encode())
    assert "-b = 'é'\n+b = 'è'\n".encode() in diff


@pytest.mark.parametrize(
    ("applicability", "unsafe_fixes", "applies"),
    [
        (Applicability.SAFE, False, True),
        (Applicability.SAFE, True, True),
        (Applicability.UNSAFE, False, False),
        (Applicability.UNSAFE, True, True),
    ],
)
def test_a_fix_applies_when_safe_or_when_unsafe_fixes_are_allowed(
    applicability: Applicability, unsafe_fixes: bool, applies: bool
) -> None:
    fix = Fix(applicability, "reorder")
    finding = Finding("FLX101", "wrong order", "a.py", Position(1, 1), Position(1, 2), fix)
    assert fix.applies(unsafe_fixes) is applies
    assert text_line(finding, unsafe_fixes).endswith(" FLX101 [*] wrong order" if applies else " FLX101 wrong order")


def test_output_does_not_import_the_runner() -> None:
    """The output formats are a leaf module: no import cycle with the runner."""
    code = (
        "import sys\n"
        "from fluxloop_lint import output\n"
        "from fluxloop_lint.types import Applicability, Finding, Fix, Position\n"
        "fix = Fix(Applicability.SAFE, 'm')\n"
        "output.check_summary([Finding('FLX101', 'm', 'a.py', Position(1, 1), Position(1, 1), fix)], False)\n"
        "assert 'fluxloop_lint.runner' not in sys.modules, 'output imported the runner'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_run_types_live_in_types_module() -> None:
    """The command line and the runner share these; they belong with the other data types."""
    from fluxloop_lint import types

    report = types.RunReport([types.LintedFile(types.FileResult("a.py", errors=("cannot read",)))])
    assert report.errors == [("a.py", "cannot read")] and report.findings == []
    assert {cls.__module__ for cls in (types.RunOptions, types.LintedFile, types.RunReport)} == {"fluxloop_lint.types"}


def test_plural_words():
    from fluxloop_lint.output import plural

    assert [plural(1, "hidden fix"), plural(3, "hidden fix"), plural(2, "problem"), plural(0, "file")] == [
        "1 hidden fix",
        "3 hidden fixes",
        "2 problems",
        "0 files",
    ]
