"""The flake8 plugin, through the real `flake8` in a subprocess, against the real command line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fluxloop_lint import __version__
from fluxloop_lint.rules import ALL_RULES
from tests.lint.cli_helpers import PLAIN, SYNTAX_ERROR, WRONG, WRONG_FINDING_LINE

ROOT = Path(__file__).resolve().parents[2]
AGENT_PROJECT = ROOT / "fixtures" / "agent_project"
FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>[A-Z]+[0-9]+) (?P<message>.*)$")

Place = tuple[Path, int, int, str, str]  # file, line, column (as printed), code, message


def run_flake8(*args: str, cwd: Path, isolated: bool = True) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "flake8", *(["--isolated"] if isolated else []), *args]
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in completed.stdout + completed.stderr, completed.stdout + completed.stderr
    return completed


def flake8_places(completed: subprocess.CompletedProcess[str], cwd: Path, prefix: str = "FLX") -> set[Place]:
    places = set()
    for line in completed.stdout.splitlines():
        match = FLAKE8_LINE.match(line)
        assert match is not None, f"not a flake8 finding line: {line!r}"
        if match["code"].startswith(prefix):
            path = (cwd / match["path"]).resolve()
            places.add((path, int(match["line"]), int(match["column"]), match["code"], match["message"]))
    return places


def cli_places(*args: str, cwd: Path) -> set[Place]:
    command = [sys.executable, "-m", "fluxloop_lint", "--no-cache", "--output-format", "json", *args, "."]
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert completed.returncode in (0, 1), completed.stderr
    return {
        (
            (cwd / finding["filename"]).resolve(),
            finding["location"]["row"],
            finding["location"]["column"],
            finding["code"],
            finding["message"],
        )
        for finding in json.loads(completed.stdout)
    }


def test_plugin_is_registered_with_flake8(tmp_path):
    completed = run_flake8("--version", cwd=tmp_path)
    assert f"fluxloop-lint: {__version__}" in completed.stdout


def test_agent_project_findings_equal_the_command_line(tmp_path):
    flake8 = flake8_places(run_flake8(".", cwd=AGENT_PROJECT), AGENT_PROJECT)
    cli = cli_places(cwd=AGENT_PROJECT)
    assert len(cli) >= 4  # the fixture is wrong in four places at least
    assert flake8 == cli


def _write_rule_examples(folder: Path) -> int:
    """Every rule's invalid examples that CPython can parse (flake8 reports E999 for the
    others and never runs tree plugins on them), one file each."""
    count = 0
    for rule in ALL_RULES:
        for number, example in enumerate(rule.INVALID):
            try:
                compile(example.code, "example.py", "exec", dont_inherit=True)
            except SyntaxError:
                continue
            (folder / f"{rule.CODE.lower()}_{number}.py").write_text(example.code, encoding="utf-8")
            count += 1
    return count


def test_rule_examples_findings_equal_the_command_line_with_every_rule(tmp_path):
    assert _write_rule_examples(tmp_path) >= len(ALL_RULES) - 1
    # flake8's `--select FLX` names every FLX rule, off-by-default ones too, like the CLI's
    # `--extend-select FLX`; FLX207 reports only when selected by its full code.
    flake8 = flake8_places(run_flake8("--select", "FLX,FLX207", ".", cwd=tmp_path), tmp_path)
    cli = cli_places("--extend-select", "FLX,FLX207", cwd=tmp_path)
    assert {place[3] for place in cli} >= {rule.CODE for rule in ALL_RULES if rule.CODE != "FLX001"}
    assert flake8 == cli


def test_off_by_default_rule_runs_only_when_flake8_selects_it(tmp_path):
    _write_rule_examples(tmp_path)
    default = {place[3] for place in flake8_places(run_flake8(".", cwd=tmp_path), tmp_path)}
    extended = {
        place[3] for place in flake8_places(run_flake8("--extend-select", "FLX104", ".", cwd=tmp_path), tmp_path)
    }
    off_by_default = {rule.CODE for rule in ALL_RULES if not rule.DEFAULT_ENABLED and not rule.EXPLICIT_ONLY}
    assert off_by_default and not off_by_default & default
    assert off_by_default <= extended
    explicit_only = {rule.CODE for rule in ALL_RULES if rule.EXPLICIT_ONLY}
    assert explicit_only and not explicit_only & (default | extended)


def _with_comment(source: str, line: int, comment: str) -> str:
    lines = source.splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].rstrip("\n") + f"  {comment}\n"
    return "".join(lines)


@pytest.mark.parametrize(
    ("comment", "reported"),
    [("", True), ("# noqa: FLX101", False), ("# noqa: FLX1", False), ("# noqa", False), ("# noqa: E501", True)],
)
def test_noqa_is_left_to_flake8(tmp_path, comment, reported):
    (tmp_path / "wrong.py").write_text(_with_comment(WRONG, WRONG_FINDING_LINE, comment) if comment else WRONG)
    places = flake8_places(run_flake8("wrong.py", cwd=tmp_path), tmp_path)
    expected = {(tmp_path / "wrong.py", WRONG_FINDING_LINE, 1, "FLX101")}
    assert {place[:4] for place in places} == (expected if reported else set())


def test_a_file_not_valid_in_its_encoding_gets_the_command_lines_flx001(tmp_path):
    """flake8 reads it as latin-1; the plugin reports what the command line does."""
    not_utf8 = WRONG.replace("def ", "# caf\xe9\r\ndef ", 1).encode("latin-1")
    (tmp_path / "latin.py").write_bytes(not_utf8)
    (tmp_path / "declared.py").write_bytes(b"# -*- coding: latin-1 -*-\n" + not_utf8)  # valid: linted as usual
    flake8 = flake8_places(run_flake8(".", cwd=tmp_path), tmp_path)
    cli = cli_places(cwd=tmp_path)
    assert flake8 == cli
    assert {(path.name, code) for path, _, _, code, _ in cli} == {("latin.py", "FLX001"), ("declared.py", "FLX101")}


def test_a_file_that_does_not_parse_gets_e999_and_the_others_are_still_checked(tmp_path):
    (tmp_path / "broken.py").write_text(SYNTAX_ERROR)
    (tmp_path / "wrong.py").write_text(WRONG)
    completed = run_flake8(".", cwd=tmp_path)
    assert completed.returncode == 1
    codes = {(Path(match["path"]).name, match["code"]) for match in map(FLAKE8_LINE.match, completed.stdout.splitlines())}
    assert ("broken.py", "E999") in codes
    assert ("wrong.py", "FLX101") in codes
    assert not any(name == "broken.py" and code.startswith("FLX") for name, code in codes)


CUSTOM_SOURCE = '''\
import acme_tracing
from mypkg.tools import register


@acme_tracing.trace(name="lookup")
@register
def lookup(key: str) -> str:
    return key
'''


def test_options_from_a_flake8_config_file_match_the_same_keys_in_pyproject(tmp_path):
    (tmp_path / "custom.py").write_text(CUSTOM_SOURCE)
    assert flake8_places(run_flake8(".", cwd=tmp_path, isolated=False), tmp_path) == set()

    (tmp_path / ".flake8").write_text(
        textwrap.dedent(
            """\
            [flake8]
            fluxloop-modules = acme_tracing
            fluxloop-framework-decorators =
                mypkg.tools.register=R,
                mypkg.tools.other=transforming
            """
        )
    )
    flake8 = flake8_places(run_flake8(".", cwd=tmp_path, isolated=False), tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [tool.fluxloop-lint]
            fluxloop-modules = ["acme_tracing"]
            framework-decorators = { "mypkg.tools.register" = "R", "mypkg.tools.other" = "transforming" }
            """
        )
    )
    cli = cli_places(cwd=tmp_path)
    assert {place[1:4] for place in flake8} == {(5, 1, "FLX101")}
    assert flake8 == cli


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ("fluxloop-framework-decorators = mypkg.tools.register", "--fluxloop-framework-decorators"),
        ("fluxloop-framework-decorators = mypkg.tools.register=Q", "--fluxloop-framework-decorators"),
        ("fluxloop-modules = acme-tracing", "--fluxloop-modules"),
    ],
)
def test_a_bad_option_is_one_clear_error(tmp_path, setting, named):
    (tmp_path / "plain.py").write_text(PLAIN)
    (tmp_path / "setup.cfg").write_text(f"[flake8]\n{setting}\n")
    completed = run_flake8(".", cwd=tmp_path, isolated=False)
    assert completed.returncode != 0
    output = completed.stdout + completed.stderr
    assert f"fluxloop-lint: invalid value for {named}" in output


# Runs flake8 in-process with one job (so the checks run in this process) and prints which
# heavy modules got imported.
IMPORT_PROBE = """\
import sys
from flake8.main.cli import main
arguments = sys.argv[1:]
if arguments[:1] == ["--no-isolated"]:  # read configuration files (ours included)
    arguments = arguments[1:]
else:
    arguments = ["--isolated", *arguments]
try:
    main(["-j", "1", *arguments])
except SystemExit:
    pass
print("IMPORTED", sorted(name for name in ("libcst", "pydantic") if name in sys.modules))
"""


def _imported(tmp_path: Path, *args: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE, *args], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    return completed.stdout.splitlines()[-1]


def test_files_without_fluxloop_import_neither_libcst_nor_pydantic(tmp_path):
    (tmp_path / "plain.py").write_text(PLAIN)
    (tmp_path / "wrong.py").write_text(WRONG)
    assert _imported(tmp_path, "plain.py") == "IMPORTED []"
    # The probe does see the imports when a file mentions FluxLoop.
    assert _imported(tmp_path, "plain.py", "wrong.py") == "IMPORTED ['libcst']"


# --- the `[tool.fluxloop-lint]` table ------------------------------------------------------

REGISTERED = '''\
import acme_tracing
from mypkg import register


@acme_tracing.trace(name="lookup")
@register
def lookup(key: str) -> str:
    return key
'''

CONFIGURED_PYPROJECT = """\
[project]
name = "configured"

[tool.fluxloop-lint]
fluxloop-modules = ["acme_tracing"]
framework-decorators = { "mypkg.register" = "R" }
per-file-ignores = { "legacy/*.py" = ["FLX101"] }
"""


def _configured_project(root: Path) -> None:
    (root / "pyproject.toml").write_text(CONFIGURED_PYPROJECT)
    for name in ("app.py", "pkg/deep/tools.py", "legacy/old.py"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(REGISTERED)


def test_findings_with_a_configured_pyproject_equal_the_command_line(tmp_path):
    _configured_project(tmp_path)
    cli = cli_places(cwd=tmp_path)
    assert {(path.relative_to(tmp_path).as_posix(), code) for path, _, _, code, _ in cli} == {
        ("app.py", "FLX101"),
        ("pkg/deep/tools.py", "FLX101"),
    }
    assert flake8_places(run_flake8(".", cwd=tmp_path, isolated=False), tmp_path) == cli
    # From a subfolder, the pyproject above is found all the same.
    assert flake8_places(run_flake8("deep", cwd=tmp_path / "pkg", isolated=False), tmp_path / "pkg") == {
        place for place in cli if "deep" in place[0].parts
    }


def test_flake8_options_win_over_the_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.fluxloop-lint]\nfluxloop-modules = ["other_tracing"]\n')
    (tmp_path / "custom.py").write_text(CUSTOM_SOURCE)
    assert flake8_places(run_flake8(".", cwd=tmp_path, isolated=False), tmp_path) == set()
    (tmp_path / ".flake8").write_text(
        "[flake8]\nfluxloop-modules = acme_tracing\nfluxloop-framework-decorators = mypkg.tools.register=R\n"
    )
    places = flake8_places(run_flake8(".", cwd=tmp_path, isolated=False), tmp_path)
    assert {place[1:4] for place in places} == {(5, 1, "FLX101")}


def test_a_bad_table_is_one_clear_error_naming_the_file_and_key(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.fluxloop-lint]\nselect = ["FLX999"]\n')
    (tmp_path / "plain.py").write_text(PLAIN)
    completed = run_flake8(".", cwd=tmp_path, isolated=False)
    assert completed.returncode != 0
    assert "pyproject.toml: invalid value for 'select': unknown rule code 'FLX999'" in completed.stdout


@pytest.mark.parametrize("marker", ["# fluxloop-lint: noqa", "# fluxloop-lint: noqa: FLX101"])
def test_the_file_level_noqa_is_honoured(tmp_path, marker):
    (tmp_path / "wrong.py").write_text(f"{marker}\n{WRONG}")
    (tmp_path / "other.py").write_text(f"# fluxloop-lint: noqa: FLX105\n{WRONG}")
    places = flake8_places(run_flake8(".", cwd=tmp_path), tmp_path)
    assert {(place[0].name, place[3]) for place in places} == {("other.py", "FLX101")}
    assert places == cli_places(cwd=tmp_path)


def test_a_project_without_a_table_does_not_import_pydantic(tmp_path):
    (tmp_path / "plain.py").write_text(PLAIN)
    (tmp_path / "wrong.py").write_text(WRONG)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'plain'\n")
    assert _imported(tmp_path, "--no-isolated", "plain.py", "wrong.py") == "IMPORTED ['libcst']"
    (tmp_path / "pyproject.toml").write_text('[tool.fluxloop-lint]\nignore = ["FLX104"]\n')
    assert _imported(tmp_path, "--no-isolated", "plain.py") == "IMPORTED ['pydantic']"
