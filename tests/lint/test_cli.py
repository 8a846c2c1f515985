"""Every option and exit status of `fluxloop-lint`, in-process through click's CliRunner."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from fluxloop_lint import __version__
from tests.lint.cli_helpers import (
    PLAIN,
    RIGHT,
    SYNTAX_ERROR,
    UNDECODABLE,
    WRONG,
    WRONG_FINDING_LINE,
    run_cli,
    write,
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with one wrong module and one plain module, and its own (empty) configuration."""
    write(tmp_path, "pyproject.toml", "[tool.fluxloop-lint]\n")
    write(tmp_path, "agent/tools.py", WRONG)
    write(tmp_path, "agent/util.py", PLAIN)
    return tmp_path


# --- checking -------------------------------------------------------------------------------


def test_check_reports_the_finding_in_text_and_exits_1(project: Path) -> None:
    result = run_cli("agent", cwd=project)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"agent/tools.py:{WRONG_FINDING_LINE}:1: FLX101 [*] ")
    assert "Found 1 problem (1 fixable)." in lines
    assert result.stderr == ""


def test_default_path_is_the_current_folder(project: Path) -> None:
    result = run_cli(cwd=project)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"agent/tools.py:{WRONG_FINDING_LINE}:1: FLX101")


def test_clean_code_passes_with_exit_0(project: Path) -> None:
    (project / "agent/tools.py").write_text(RIGHT)
    result = run_cli("agent", cwd=project)
    assert result.exit_code == 0
    assert result.stdout == "All checks passed!\n"


def test_explicit_check_subcommand_and_version(project: Path) -> None:
    assert run_cli("check", "agent", cwd=project).exit_code == 1
    version = run_cli("--version", cwd=project)
    assert version.exit_code == 0 and __version__ in version.stdout


def test_a_path_named_like_a_subcommand_is_checked_with_dot_slash(tmp_path: Path) -> None:
    write(tmp_path, "rules/tools.py", WRONG)
    result = run_cli("./rules", cwd=tmp_path)
    assert result.exit_code == 1
    assert "rules/tools.py" in result.stdout


def test_quiet_prints_findings_only(project: Path) -> None:
    result = run_cli("-q", "agent", cwd=project)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [result.stdout.splitlines()[0]]
    assert "FLX101" in result.stdout


def test_exit_zero_keeps_the_report(project: Path) -> None:
    result = run_cli("--exit-zero", "agent", cwd=project)
    assert result.exit_code == 0
    assert "FLX101" in result.stdout


def test_show_fixes_prints_each_fix(project: Path) -> None:
    result = run_cli("--show-fixes", "agent", cwd=project)
    assert result.exit_code == 1
    assert "help (safe fix):" in result.stdout


# --- fixing ---------------------------------------------------------------------------------


def test_fix_rewrites_the_file_and_a_second_fix_changes_nothing(project: Path) -> None:
    result = run_cli("--fix", "agent", cwd=project)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (project / "agent/tools.py").read_text() == RIGHT
    assert "Fixed agent/tools.py (1 problem)" in result.stdout
    assert "Found 1 problem (1 fixed, 0 remaining)." in result.stdout
    assert (project / "agent/util.py").read_text() == PLAIN

    again = run_cli("--fix", "agent", cwd=project)
    assert again.exit_code == 0
    assert again.stdout == "All checks passed!\n"
    assert (project / "agent/tools.py").read_text() == RIGHT


def test_exit_non_zero_on_fix(project: Path) -> None:
    result = run_cli("--fix", "--exit-non-zero-on-fix", "agent", cwd=project)
    assert result.exit_code == 1
    assert (project / "agent/tools.py").read_text() == RIGHT
    assert run_cli("--fix", "--exit-non-zero-on-fix", "agent", cwd=project).exit_code == 0


def test_exit_non_zero_on_fix_with_stdin_and_with_nothing_left(project: Path) -> None:
    """Exit 1 because the code changed, though no finding remains; 0 once there is nothing to change."""
    changed = run_cli("--fix", "--exit-non-zero-on-fix", "--stdin-filename", "x.py", "-", cwd=project, input=WRONG)
    assert (changed.exit_code, changed.stdout) == (1, RIGHT)
    assert "(1 fixed, 0 remaining)" in changed.stderr
    same = run_cli("--fix", "--exit-non-zero-on-fix", "--stdin-filename", "x.py", "-", cwd=project, input=RIGHT)
    assert (same.exit_code, same.stdout) == (0, RIGHT)


def test_fix_keeps_crlf_line_endings(tmp_path: Path) -> None:
    path = write(tmp_path, "tools.py", WRONG.replace("\n", "\r\n").encode())
    result = run_cli("--fix", "tools.py", cwd=tmp_path)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert path.read_bytes() == RIGHT.replace("\n", "\r\n").encode()


def test_fix_keeps_permissions(tmp_path: Path) -> None:
    path = write(tmp_path, "tools.py", WRONG)
    path.chmod(0o751)
    assert run_cli("--fix", "tools.py", cwd=tmp_path).exit_code == 0
    assert path.read_text() == RIGHT
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_fix_keeps_a_latin1_coding_cookie_file_in_latin1(tmp_path: Path) -> None:
    source = "# -*- coding: latin-1 -*-\n" + WRONG.replace("sunny", "ensoleillé")
    path = write(tmp_path, "tools.py", source.encode("latin-1"))
    assert run_cli("--fix", "tools.py", cwd=tmp_path).exit_code == 0
    expected = "# -*- coding: latin-1 -*-\n" + RIGHT.replace("sunny", "ensoleillé")
    assert path.read_bytes() == expected.encode("latin-1")


def test_fix_through_a_symlink_rewrites_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = write(tmp_path, "real/tools.py", WRONG)
    target.chmod(0o640)
    link = tmp_path / "tools_link.py"
    link.symlink_to(target)
    result = run_cli("--no-cache", "--fix", "tools_link.py", cwd=tmp_path)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_text() == RIGHT
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_file_reached_by_two_paths_is_linted_and_fixed_once(tmp_path: Path) -> None:
    target = write(tmp_path, "pkg/tools.py", WRONG)
    (tmp_path / "pkg/alias.py").symlink_to("tools.py")
    check = run_cli("--no-cache", "pkg", "pkg/tools.py", cwd=tmp_path)
    assert check.exit_code == 1
    assert len([line for line in check.stdout.splitlines() if " FLX101 " in line]) == 1, check.stdout

    fix = run_cli("--no-cache", "--fix", "pkg", cwd=tmp_path)
    assert fix.exit_code == 0, fix.stdout + fix.stderr
    assert "Found 1 problem (1 fixed, 0 remaining)." in fix.stdout
    assert fix.stdout.count("Fixed ") == 1
    assert target.read_text() == RIGHT and (tmp_path / "pkg/alias.py").is_symlink()


def test_fix_on_a_read_only_file_is_one_line_exit_2_and_the_others_are_fixed(tmp_path: Path) -> None:
    """Exit 2, as for any file the run could not handle: the user must act on it."""
    locked = write(tmp_path, "a_locked.py", WRONG)
    locked.chmod(0o444)
    other = write(tmp_path, "b_other.py", WRONG)
    result = run_cli("--no-cache", "--fix", ".", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == "fluxloop-lint: error: a_locked.py: cannot write the fixed file: the file is read-only\n"
    assert locked.read_text() == WRONG and stat.S_IMODE(locked.stat().st_mode) == 0o444
    assert other.read_text() == RIGHT
    assert result.stdout.startswith(f"a_locked.py:{WRONG_FINDING_LINE}:1: FLX101 [*] ")
    assert "Found 2 problems (1 fixed, 1 remaining)." in result.stdout


# --- diff -----------------------------------------------------------------------------------


def test_diff_writes_nothing_and_applies_with_patch_and_git_apply(project: Path, tmp_path_factory) -> None:
    result = run_cli("--diff", "agent", cwd=project)
    assert result.exit_code == 1
    assert (project / "agent/tools.py").read_text() == WRONG
    diff = result.stdout
    assert diff.startswith("--- agent/tools.py\n+++ agent/tools.py\n")
    assert "Would fix 1 problem in 1 file." in result.stderr

    for tool in ("patch", "git"):
        if shutil.which(tool) is None:
            continue
        copy = tmp_path_factory.mktemp(tool)
        shutil.copytree(project / "agent", copy / "agent")
        command = ["patch", "-p0", "--quiet"] if tool == "patch" else ["git", "apply", "-p0", "-"]
        subprocess.run(command, cwd=copy, input=diff, text=True, check=True)
        assert (copy / "agent/tools.py").read_text() == RIGHT


def test_diff_reports_files_that_do_not_parse_and_findings_without_a_fix(project: Path) -> None:
    write(project, "agent/broken.py", SYNTAX_ERROR)
    result = run_cli("--no-cache", "--diff", "agent", cwd=project)
    assert result.exit_code == 1
    assert result.stdout.startswith("--- agent/tools.py\n+++ agent/tools.py\n")
    assert "broken.py" not in result.stdout
    errors = result.stderr.splitlines()
    assert any(line.startswith("agent/broken.py:3:") and " FLX001 " in line for line in errors), errors
    assert "1 problem left that the fixes do not remove." in errors

    (project / "agent/tools.py").write_text(RIGHT)
    only_broken = run_cli("--no-cache", "--diff", "agent", cwd=project)
    assert (only_broken.exit_code, only_broken.stdout) == (1, "")
    assert " FLX001 " in only_broken.stderr


def test_diff_with_nothing_to_fix_exits_0(project: Path) -> None:
    (project / "agent/tools.py").write_text(RIGHT)
    result = run_cli("--diff", "agent", cwd=project)
    assert result.exit_code == 0
    assert result.stdout == ""


# --- selection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected_exit"),
    [
        (["--select", "FLX001"], 0),
        (["--select", "FLX1"], 1),
        (["--select", "ALL"], 1),
        (["--select", "flx101"], 1),
        (["--ignore", "FLX101"], 0),
        (["--ignore", "FLX1"], 0),
        (["--ignore", "FLX001,FLX101"], 0),
        (["--ignore", "FLX001", "--ignore", "FLX101"], 0),
        (["--select", "FLX001", "--extend-select", "FLX101"], 1),
    ],
)
def test_selection_options(project: Path, options: list[str], expected_exit: int) -> None:
    result = run_cli(*options, "agent", cwd=project)
    assert result.exit_code == expected_exit, result.stdout + result.stderr


def test_selection_from_the_command_line_wins_over_the_file(project: Path) -> None:
    write(project, "pyproject.toml", '[tool.fluxloop-lint]\nselect = ["FLX001"]\n')
    assert run_cli("agent", cwd=project).exit_code == 0
    assert run_cli("--select", "FLX101", "agent", cwd=project).exit_code == 1
    assert run_cli("--extend-select", "FLX101", "agent", cwd=project).exit_code == 1


@pytest.mark.parametrize("selector", ["FLX1234", "flake", "F-1"])
def test_a_malformed_selector_is_a_usage_error(project: Path, selector: str) -> None:
    result = run_cli("--select", selector, "agent", cwd=project)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "--select" in result.stderr and "Traceback" not in result.stderr


def test_an_unknown_rule_code_is_a_usage_error(project: Path) -> None:
    result = run_cli("--ignore", "FLX999", "agent", cwd=project)
    assert result.exit_code == 2
    assert result.stderr == "fluxloop-lint: error: --ignore: unknown rule code 'FLX999'\n"


# --- output formats -------------------------------------------------------------------------


def test_json_output(project: Path) -> None:
    result = run_cli("--output-format", "json", "agent", cwd=project)
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert len(findings) == 1
    finding = findings[0]
    assert finding["code"] == "FLX101"
    assert finding["filename"] == "agent/tools.py"
    assert finding["location"] == {"row": WRONG_FINDING_LINE, "column": 1}
    assert finding["end_location"]["row"] >= WRONG_FINDING_LINE
    assert finding["fix"]["applicability"] == "safe"
    assert finding["fix"]["edits"], "the fix carries its edits"
    for edit in finding["fix"]["edits"]:
        assert set(edit) == {"content", "location", "end_location"}


def test_json_edits_reproduce_the_fix(project: Path) -> None:
    """Applying the JSON edits to the original text gives what --fix writes."""
    findings = json.loads(run_cli("--output-format", "json", "agent", cwd=project).stdout)
    lines = WRONG.splitlines(keepends=True)

    def offset(location: dict[str, int]) -> int:
        return sum(len(line) for line in lines[: location["row"] - 1]) + location["column"] - 1

    text = WRONG
    for edit in sorted(findings[0]["fix"]["edits"], key=lambda e: offset(e["location"]), reverse=True):
        text = text[: offset(edit["location"])] + edit["content"] + text[offset(edit["end_location"]) :]
    assert text == RIGHT


def test_github_output(project: Path) -> None:
    result = run_cli("--output-format", "github", "agent", cwd=project)
    assert result.exit_code == 1
    line = result.stdout.strip()
    assert line.startswith(
        f"::error title=fluxloop-lint (FLX101),file=agent/tools.py,line={WRONG_FINDING_LINE},col=1,endLine="
    )
    assert "::FLX101 " in line


def test_sarif_output_validates_against_the_published_schema(project: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text())
    result = run_cli("--output-format", "sarif", "agent", cwd=project)
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(log)
    run = log["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["FLX101"]
    assert run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == WRONG_FINDING_LINE
    assert "FLX101" in {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert run["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"]


def test_sarif_of_a_clean_run_is_valid_too(project: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text())
    (project / "agent/tools.py").write_text(RIGHT)
    result = run_cli("--output-format", "sarif", "agent", cwd=project)
    assert result.exit_code == 0
    jsonschema.Draft4Validator(schema).validate(json.loads(result.stdout))


def test_statistics(project: Path) -> None:
    write(project, "agent/more.py", WRONG)
    result = run_cli("--statistics", "agent", cwd=project)
    assert result.exit_code == 1
    count, code, rest = result.stdout.splitlines()[0].split("\t")
    assert (count, code) == ("2", "FLX101")
    assert rest.startswith("[*] ")
    as_json = json.loads(run_cli("--statistics", "--output-format", "json", "agent", cwd=project).stdout)
    assert as_json[0]["code"] == "FLX101" and as_json[0]["count"] == 2 and as_json[0]["fixable"]


# --- standard input -------------------------------------------------------------------------


def test_stdin_is_linted_under_its_stdin_filename(project: Path) -> None:
    result = run_cli("--stdin-filename", "agent/from_stdin.py", "-", cwd=project, input=WRONG)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"agent/from_stdin.py:{WRONG_FINDING_LINE}:1: FLX101")


def test_stdin_with_fix_prints_the_fixed_code(project: Path) -> None:
    result = run_cli("--fix", "--stdin-filename", "x.py", "-", cwd=project, input=WRONG)
    assert result.exit_code == 0
    assert result.stdout == RIGHT
    assert "1 fixed, 0 remaining" in result.stderr


def test_stdin_with_diff(project: Path) -> None:
    result = run_cli("--diff", "-", cwd=project, input=WRONG)
    assert result.exit_code == 1
    assert result.stdout.startswith("--- -\n+++ -\n")


def test_stdin_cannot_be_combined_with_paths(project: Path) -> None:
    result = run_cli("-", "agent", cwd=project, input=WRONG)
    assert result.exit_code == 2
    assert result.stderr.startswith("fluxloop-lint: error: `-` (standard input) cannot be combined")


# --- bad files among good ones --------------------------------------------------------------


def test_syntax_errors_and_undecodable_files_are_reported_and_the_run_goes_on(project: Path) -> None:
    write(project, "agent/broken.py", SYNTAX_ERROR)
    write(project, "agent/latin1.py", UNDECODABLE)
    result = run_cli("agent", cwd=project)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith("agent/broken.py:3:") and " FLX001 " in line for line in lines), lines
    assert any(line.startswith("agent/latin1.py:") and " FLX001 " in line for line in lines), lines
    assert any(line.startswith("agent/tools.py:") and " FLX101 " in line for line in lines), lines
    assert "Traceback" not in result.stdout + result.stderr


def test_fix_leaves_files_that_do_not_parse_untouched(project: Path) -> None:
    broken = write(project, "agent/broken.py", SYNTAX_ERROR)
    result = run_cli("--fix", "agent", cwd=project)
    assert result.exit_code == 1
    assert broken.read_text() == SYNTAX_ERROR
    assert (project / "agent/tools.py").read_text() == RIGHT


def test_an_unreadable_file_is_reported_and_the_run_goes_on(project: Path) -> None:
    (project / "agent/dangling.py").symlink_to(project / "nowhere.py")
    result = run_cli("agent/dangling.py", "agent", cwd=project)
    assert result.exit_code == 1
    assert "agent/dangling.py:1:1: FLX001 cannot read the file: No such file or directory" in result.stdout
    assert "agent/tools.py:" in result.stdout


def test_dangling_symlinks_found_by_walking_are_skipped(project: Path) -> None:
    """Emacs keeps a lock `.#tools.py -> user@host.1234`, a symlink to nowhere, while editing."""
    (project / "agent/.#tools.py").symlink_to("root@host.1234:1700000000")
    result = run_cli("agent", cwd=project)
    assert result.exit_code == 1
    assert "FLX001" not in result.stdout and ".#tools.py" not in result.stdout
    assert "agent/tools.py:" in result.stdout


@pytest.mark.parametrize(
    ("configuration", "options"),
    [
        ("", ["--ignore", "FLX001"]),
        ("", ["--select", "FLX101"]),
        ('per-file-ignores = { "agent/dangling.py" = ["FLX001"] }\n', []),
    ],
)
def test_an_unreadable_file_follows_the_selection_of_flx001(
    project: Path, configuration: str, options: list[str]
) -> None:
    write(project, "pyproject.toml", "[tool.fluxloop-lint]\n" + configuration)
    (project / "agent/dangling.py").symlink_to(project / "nowhere.py")
    result = run_cli(*options, "agent/dangling.py", "agent", cwd=project)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "dangling.py" not in result.stdout and "FLX001" not in result.stdout
    assert "agent/tools.py:" in result.stdout


# --- usage and internal errors ---------------------------------------------------------------


def test_missing_path_is_one_line_and_exit_2_and_the_other_paths_are_still_linted(project: Path) -> None:
    result = run_cli("nowhere", "agent", cwd=project)
    assert result.exit_code == 2
    assert result.stderr == "fluxloop-lint: error: nowhere: no such file or directory\n"
    assert "agent/tools.py:" in result.stdout and "FLX101" in result.stdout


def test_a_run_whose_only_path_is_missing_does_not_say_all_checks_passed(project: Path) -> None:
    result = run_cli("nowhere", cwd=project)
    assert result.exit_code == 2
    assert "All checks passed!" not in result.stdout
    assert "1 error stopped some files from being checked" in result.stdout


def test_a_coding_cookie_naming_no_text_encoding_is_flx001_and_the_run_goes_on(project: Path) -> None:
    (project / "agent" / "hexcookie.py").write_bytes(b"# coding: hex\nimport fluxloop_runtime\n")
    result = run_cli("agent", cwd=project)
    assert result.exit_code == 1
    assert "agent/hexcookie.py:1:1: FLX001 cannot parse this file: encoding problem: hex" in result.stdout
    assert "agent/tools.py:" in result.stdout and result.stderr == ""


def test_unknown_option_is_one_line_and_exit_2(project: Path) -> None:
    result = run_cli("--frobnicate", cwd=project)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "No such option" in result.stderr and "--frobnicate" in result.stderr  # click 8.1 and 8.2+ word it differently


def test_bad_choice_is_one_line_and_exit_2(project: Path) -> None:
    result = run_cli("--output-format", "xml", cwd=project)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "--output-format" in result.stderr


PATTERN_A = '''\
from agents import function_tool

from fluxloop_runtime import get_current_context
from fluxloop_runtime.models import ObservationData, ObservationType


@function_tool
def get_weather(city: str) -> str:
    """Weather in a city."""
    fl_ctx = get_current_context()
    obs = None
    if fl_ctx and fl_ctx.is_enabled():
        obs = ObservationData(
            type=ObservationType.TOOL,
            name="tool.get_weather",
            input={"args": {"city": city}},
        )
        fl_ctx.push_observation(obs)
    try:
        fl_result = f"sunny in {city}"
        if obs:
            obs.output = fl_result
        return fl_result
    except Exception as e:
        if obs:
            obs.error = str(e)
        raise
    finally:
        if fl_ctx and obs:
            fl_ctx.pop_observation()
'''


def test_manual_fix_strategy_rewrites_into_pattern_a(project: Path) -> None:
    result = run_cli("--fix-strategy", "manual", "--fix", "agent", cwd=project)
    assert result.exit_code == 0, result.stderr
    assert (project / "agent/tools.py").read_text() == PATTERN_A
    assert run_cli("--fix-strategy", "manual", "--fix", "agent", cwd=project).exit_code == 0
    assert (project / "agent/tools.py").read_text() == PATTERN_A


def _flx207_reported(project: Path, *args: str) -> bool:
    result = run_cli("--output-format", "json", "--no-cache", *args, "agent", cwd=project)
    return "FLX207" in {finding["code"] for finding in json.loads(result.stdout)}


@pytest.mark.parametrize(
    ("args", "reported"),
    [
        ((), False),
        (("--select", "ALL"), False),
        (("--select", "FLX2"), False),
        (("--select", "FLX207"), True),
        (("--fix-strategy", "manual"), False),
        (("--unsafe-fixes",), False),
        (("--fix-strategy", "manual", "--unsafe-fixes"), True),
        (("--fix-strategy", "manual", "--unsafe-fixes", "--ignore", "FLX207"), False),
        (("--fix-strategy", "manual", "--unsafe-fixes", "--ignore", "FLX2"), False),
    ],
)
def test_flx207_is_selected_by_its_code_or_by_manual_with_unsafe_fixes(project: Path, args: tuple[str, ...], reported: bool) -> None:
    write(project, "agent/tools.py", RIGHT)
    assert _flx207_reported(project, *args) is reported


def test_flx207_implied_by_the_configured_manual_strategy_yields_to_per_file_ignores(project: Path) -> None:
    write(project, "agent/tools.py", RIGHT)
    write(project, "pyproject.toml", '[tool.fluxloop-lint]\nfix-strategy = "manual"\n')
    assert _flx207_reported(project, "--unsafe-fixes")
    write(project, "pyproject.toml", '[tool.fluxloop-lint]\nfix-strategy = "manual"\nper-file-ignores = {"agent/*" = ["FLX2"]}\n')
    assert not _flx207_reported(project, "--unsafe-fixes")


def test_internal_errors_are_one_line_and_the_traceback_only_with_debug(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fluxloop_lint import engine

    def failing_lint_source(*args, **kwargs):
        raise RuntimeError("rule bug")

    monkeypatch.setattr(engine, "lint_source", failing_lint_source)
    result = run_cli("--no-cache", "agent", cwd=project)
    assert result.exit_code == 2
    assert "agent/tools.py: internal error while linting: RuntimeError: rule bug" in result.stderr
    assert "Traceback" not in result.stderr
    debug = run_cli("--no-cache", "--debug", "agent", cwd=project)
    assert debug.exit_code == 2
    assert "Traceback (most recent call last)" in debug.stderr


# --- rules and explain ----------------------------------------------------------------------


def test_rules_lists_every_rule(tmp_path: Path) -> None:
    from fluxloop_lint.rules import ALL_RULES

    result = run_cli("rules", cwd=tmp_path)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [rule.CODE for rule in ALL_RULES]
    assert any(line.startswith("FLX101  on ") for line in lines)
    assert [line for line in lines if "explicit only" in line] == [
        "FLX207  off  fix: unsafe  fluxloop-decorator-to-manual  (explicit only)"
    ]


def test_explain_says_how_an_explicit_only_rule_is_selected(tmp_path: Path) -> None:
    result = run_cli("explain", "FLX207", cwd=tmp_path)
    assert result.exit_code == 0
    assert "Selection: explicit only (`--select FLX207`; `ALL` and prefixes do not select it)" in result.stdout
    assert "Selection:" not in run_cli("explain", "FLX101", cwd=tmp_path).stdout


def test_explain_prints_the_rationale_and_examples(tmp_path: Path) -> None:
    from fluxloop_lint.rules import rule_for_code

    rule = rule_for_code("FLX101")
    result = run_cli("explain", "flx101", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"FLX101 ({rule.NAME})")
    assert rule.RATIONALE.strip().splitlines()[0] in result.stdout
    assert "Wrong:" in result.stdout and "Right" in result.stdout


@pytest.mark.parametrize("code", ["FLX001", "FLX101", "FLX105", "FLX203", "FLX206"])
def test_explain_shows_the_message_without_format_placeholders(tmp_path: Path, code: str) -> None:
    result = run_cli("explain", code, cwd=tmp_path)
    assert result.exit_code == 0
    summary = result.stdout.splitlines()[2]
    assert "{" not in summary and "}" not in summary, summary
    if code == "FLX101":
        assert summary.startswith("@<fluxloop> sits above <framework>: <consequence>; ")
    sarif = json.loads(run_cli("--output-format", "sarif", cwd=tmp_path).stdout)
    descriptions = [rule["shortDescription"]["text"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert summary in descriptions and not any("{" in text for text in descriptions)


def test_explain_an_unknown_code_is_exit_2(tmp_path: Path) -> None:
    result = run_cli("explain", "FLX999", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == "fluxloop-lint: error: unknown rule code 'FLX999' (see `fluxloop-lint rules`)\n"


# --- parallel runs --------------------------------------------------------------------------


def test_many_files_run_in_parallel_with_results_in_path_order(tmp_path: Path) -> None:
    for index in range(12):
        write(tmp_path, f"pkg/module_{index:02d}.py", WRONG)
    result = run_cli("--no-cache", "pkg", cwd=tmp_path)
    assert result.exit_code == 1
    paths = [line.split(":")[0] for line in result.stdout.splitlines() if " FLX101 " in line]
    assert paths == [f"pkg/module_{index:02d}.py" for index in range(12)]
    fixed = run_cli("--no-cache", "--fix", "pkg", cwd=tmp_path)
    assert fixed.exit_code == 0
    assert all((tmp_path / f"pkg/module_{index:02d}.py").read_text() == RIGHT for index in range(12))


# --- unsafe fixes ---------------------------------------------------------------------------

UNKNOWN_DECORATOR = '''\
import fluxloop_runtime
from acme.retry import retry


@fluxloop_runtime.trace()
@retry(times=3)
def fetch(url: str) -> str:
    return url
'''


def test_unsafe_fixes_are_shown_but_applied_only_with_unsafe_fixes(tmp_path: Path) -> None:
    path = write(tmp_path, "fetch.py", UNKNOWN_DECORATOR)
    check = run_cli("--select", "FLX104", ".", cwd=tmp_path)
    assert check.exit_code == 1
    assert " FLX104 " in check.stdout and "[*]" not in check.stdout.splitlines()[0]
    assert "1 hidden fix can be enabled with the `--unsafe-fixes` option." in check.stdout

    safe_only = run_cli("--select", "FLX104", "--fix", ".", cwd=tmp_path)
    assert safe_only.exit_code == 1
    assert path.read_text() == UNKNOWN_DECORATOR

    unsafe = run_cli("--select", "FLX104", "--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert unsafe.exit_code == 0, unsafe.stdout
    assert path.read_text().index("@retry") < path.read_text().index("@fluxloop_runtime.trace")


def test_a_fix_the_engine_rejects_is_reported_and_not_written(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the engine refuses a fix (its result would not parse), the file stays and the run says so."""
    from fluxloop_lint import engine
    from fluxloop_lint.types import FileResult

    real = engine.lint_source

    def refusing(source, path, settings, *, fix=False, **options):
        result = real(source, path, settings, fix=False, **options)
        if not fix:
            return result
        return FileResult(path, result.findings, 0, None, ("the fixed code does not parse; nothing written",))

    monkeypatch.setattr(engine, "lint_source", refusing)
    result = run_cli("--no-cache", "--fix", "agent", cwd=project)
    assert result.exit_code == 2
    assert result.stderr == "fluxloop-lint: error: agent/tools.py: the fixed code does not parse; nothing written\n"
    assert (project / "agent/tools.py").read_text() == WRONG
    assert "agent/tools.py:6:1: FLX101" in result.stdout
