"""Configuration files, file discovery (gitignore, excludes) and the cache, through the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fluxloop_lint.config import ConfigError, load_configuration
from fluxloop_lint.files import matches_glob
from fluxloop_lint.types import FrameworkKind
from tests.lint.cli_helpers import PLAIN, RIGHT, WRONG, run_cli, write

# --- configuration errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('colour = "blue"\n', "unknown key 'colour' in [tool.fluxloop-lint]"),
        ('extend_select = ["FLX101"]\n', "unknown key 'extend_select' in [tool.fluxloop-lint]"),
        ('fix-strategy = "sideways"\n', "invalid value for 'fix-strategy'"),
        ("respect-gitignore = 3\n", "invalid value for 'respect-gitignore'"),
        ('select = ["FLX1234"]\n', "invalid value for 'select': 'FLX1234' is not a rule code"),
        ('target-version = "py27"\n', "invalid value for 'target-version'"),
        ('framework-decorators = { "a.b" = "Z" }\n', "invalid value for 'framework-decorators.a.b'"),
        ('fluxloop-modules = ["not a module"]\n', "invalid value for 'fluxloop-modules.0'"),
    ],
)
def test_configuration_errors_name_the_key_and_the_file(tmp_path: Path, table: str, expected: str) -> None:
    write(tmp_path, "pyproject.toml", "[tool.fluxloop-lint]\n" + table)
    write(tmp_path, "tools.py", WRONG)
    result = run_cli(".", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "pyproject.toml" in result.stderr and expected in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("table", "key", "code"),
    [
        ('select = ["FLX999"]\n', "select", "FLX999"),
        ('extend-select = ["FLX9"]\n', "extend-select", "FLX9"),
        ('ignore = ["E501"]\n', "ignore", "E501"),
        ('per-file-ignores = { "tests/*.py" = ["FLX999"] }\n', "per-file-ignores.tests/*.py", "FLX999"),
    ],
)
def test_an_unknown_rule_code_in_the_file_is_an_error_even_when_no_file_needs_the_engine(
    tmp_path: Path, table: str, key: str, code: str
) -> None:
    write(tmp_path, "pyproject.toml", "[tool.fluxloop-lint]\n" + table)
    write(tmp_path, "plain.py", PLAIN)  # never mentions FluxLoop: the engine is not loaded
    result = run_cli(".", cwd=tmp_path)
    assert result.exit_code == 2
    expected = f"{tmp_path / 'pyproject.toml'}: invalid value for '{key}': unknown rule code '{code}'"
    assert result.stderr == f"fluxloop-lint: error: {expected}\n"


@pytest.mark.parametrize(("option", "code"), [("--select", "FLX999"), ("--extend-select", "E501"), ("--ignore", "FLX4")])
def test_an_unknown_rule_code_on_the_command_line_names_the_option(tmp_path: Path, option: str, code: str) -> None:
    write(tmp_path, "plain.py", PLAIN)
    result = run_cli(option, code, ".", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == f"fluxloop-lint: error: {option}: unknown rule code '{code}'\n"


@pytest.mark.parametrize("selector", ["ALL", "FLX", "FLX1", "FLX10", "FLX101", "FLX3"])
def test_codes_and_prefixes_of_known_rules_are_accepted(tmp_path: Path, selector: str) -> None:
    write(tmp_path, "pyproject.toml", f'[tool.fluxloop-lint]\nextend-select = ["{selector}"]\n')
    write(tmp_path, "plain.py", PLAIN)
    assert run_cli("--ignore", selector, ".", cwd=tmp_path).exit_code == 0


def test_the_list_of_rule_codes_is_the_engines() -> None:
    from fluxloop_lint.codes import MANUAL_INSTRUMENTATION_CODE, RULE_CODES
    from fluxloop_lint.engine import known_codes
    from fluxloop_lint.rules import rule_for_code

    assert RULE_CODES == known_codes()
    # What `--fix-strategy manual --unsafe-fixes` asks for is a rule nothing else selects.
    assert rule_for_code(MANUAL_INSTRUMENTATION_CODE).EXPLICIT_ONLY


# Runs the command line in-process, then prints whether pydantic got imported.
PYDANTIC_PROBE = """\
import sys
from fluxloop_lint.cli import cli
try:
    cli.main(["--no-cache", "."])
except SystemExit:
    pass
print("PYDANTIC", "pydantic" in sys.modules)
"""


def _pydantic_imported(folder: Path) -> bool:
    completed = subprocess.run(
        [sys.executable, "-c", PYDANTIC_PROBE], cwd=folder, capture_output=True, text=True, timeout=120
    )
    last = completed.stdout.splitlines()[-1]
    assert last.startswith("PYDANTIC "), completed.stdout + completed.stderr
    return last == "PYDANTIC True"


def test_pydantic_is_imported_only_to_validate_a_table(tmp_path: Path) -> None:
    write(tmp_path, "plain.py", PLAIN)
    write(tmp_path, "pyproject.toml", "[project]\nname = 'plain'\n")  # no table
    assert not _pydantic_imported(tmp_path)
    write(tmp_path, "pyproject.toml", '[tool.fluxloop-lint]\nignore = ["FLX104"]\n')
    assert _pydantic_imported(tmp_path)


def test_bad_toml_is_exit_2_naming_the_file(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.fluxloop-lint\nselect = \n")
    result = run_cli(".", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("fluxloop-lint: error: ") and "pyproject.toml: invalid TOML" in result.stderr
    assert result.stderr.count("\n") == 1


def test_missing_config_file_is_exit_2(tmp_path: Path) -> None:
    result = run_cli("--config", "nope.toml", ".", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == "fluxloop-lint: error: nope.toml: configuration file not found\n"


def test_manual_fix_strategy_in_the_file_is_used(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.fluxloop-lint]\nfix-strategy = "manual"\n')
    tools = write(tmp_path, "tools.py", WRONG)
    result = run_cli("--fix", ".", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "get_current_context()" in tools.read_text() and "@fluxloop_runtime.tool" not in tools.read_text()


# --- discovery and values -------------------------------------------------------------------


def test_nearest_pyproject_with_the_table_is_used_from_a_subfolder(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.fluxloop-lint]\nignore = ["FLX101"]\n')
    write(tmp_path, "pkg/pyproject.toml", "[project]\nname = 'pkg'\n")  # no table: skipped
    write(tmp_path, "pkg/sub/tools.py", WRONG)
    assert run_cli("pkg/sub", cwd=tmp_path).exit_code == 0
    assert run_cli("sub", cwd=tmp_path / "pkg").exit_code == 0


def test_standalone_fluxloop_lint_toml(tmp_path: Path) -> None:
    write(tmp_path, "fluxloop-lint.toml", 'ignore = ["FLX101"]\n')
    write(tmp_path, "tools.py", WRONG)
    assert run_cli(".", cwd=tmp_path).exit_code == 0


def test_config_option_names_the_file(tmp_path: Path) -> None:
    write(tmp_path, "settings/lint.toml", 'ignore = ["FLX1"]\n')
    write(tmp_path, "tools.py", WRONG)
    assert run_cli(".", cwd=tmp_path).exit_code == 1
    assert run_cli("--config", "settings/lint.toml", ".", cwd=tmp_path).exit_code == 0


def test_all_keys_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        "pyproject.toml",
        """\
[tool.fluxloop-lint]
select = ["FLX1"]
extend-select = ["FLX001"]
ignore = ["FLX103"]
per-file-ignores = { "tests/**" = ["FLX101"] }
exclude = ["generated"]
extend-exclude = ["legacy/*.py"]
respect-gitignore = false
fix-strategy = "reorder"
fluxloop-modules = ["fluxloop", "acme.tracing"]
framework-decorators = { "acme.tools.register" = "R", "acme.tools.mark" = "marking" }
target-version = "py312"
""",
    )
    configuration = load_configuration(["."], None)
    base = configuration.base_settings
    assert base.select == ("FLX1",)
    assert base.extend_select == ("FLX001",)
    assert base.ignore == ("FLX103",)
    assert base.fluxloop_modules == ("fluxloop", "acme.tracing")
    assert base.framework_decorators == (
        ("acme.tools.mark", FrameworkKind.MARKING),
        ("acme.tools.register", FrameworkKind.REGISTERING),
    )
    assert base.target_version == "py312"
    assert configuration.excludes == ("generated", "legacy/*.py")
    assert configuration.file.respect_gitignore is False
    in_tests = configuration.settings_for(tmp_path / "tests/unit/test_x.py")
    assert (in_tests.ignore, in_tests.per_file_ignore) == (("FLX103",), ("FLX101",))
    in_src = configuration.settings_for(tmp_path / "src/x.py")
    assert (in_src.ignore, in_src.per_file_ignore) == (("FLX103",), ())


def test_load_configuration_raises_config_error_for_unknown_keys(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pyproject.toml", "[tool.fluxloop-lint]\nselct = []\n")
    with pytest.raises(ConfigError, match="unknown key 'selct'"):
        load_configuration(["."], None)


def test_per_file_ignores(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.fluxloop-lint]\nper-file-ignores = { "legacy/*.py" = ["FLX101"] }\n')
    write(tmp_path, "legacy/old.py", WRONG)
    write(tmp_path, "src/new.py", WRONG)
    result = run_cli(".", cwd=tmp_path)
    assert result.exit_code == 1
    assert "src/new.py:" in result.stdout and "legacy/old.py" not in result.stdout


def test_select_on_the_command_line_starts_afresh_as_in_ruff(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.fluxloop-lint]\nignore = ["FLX101"]\n')
    write(tmp_path, "tools.py", WRONG)
    assert run_cli(".", cwd=tmp_path).exit_code == 0  # the file's ignore applies
    result = run_cli("--select", "FLX101", ".", cwd=tmp_path)
    assert result.exit_code == 1 and " FLX101 " in result.stdout  # ... until --select replaces it
    assert run_cli("--select", "FLX101", "--ignore", "FLX101", ".", cwd=tmp_path).exit_code == 0


def test_custom_fluxloop_module(tmp_path: Path) -> None:
    source = WRONG.replace("fluxloop_runtime", "acme_tracing")
    write(tmp_path, "tools.py", source)
    assert run_cli(".", cwd=tmp_path).exit_code == 0
    write(tmp_path, "pyproject.toml", '[tool.fluxloop-lint]\nfluxloop-modules = ["acme_tracing"]\n')
    result = run_cli(".", cwd=tmp_path)
    assert result.exit_code == 1 and " FLX101 " in result.stdout


def test_custom_framework_decorator(tmp_path: Path) -> None:
    source = WRONG.replace("from agents import function_tool", "from acme.tools import register").replace(
        "@function_tool", "@register"
    )
    write(tmp_path, "tools.py", source)
    without = run_cli("--no-cache", ".", cwd=tmp_path)
    assert " FLX101 " not in without.stdout
    write(tmp_path, "pyproject.toml", '[tool.fluxloop-lint]\nframework-decorators = { "acme.tools.register" = "R" }\n')
    result = run_cli("--no-cache", ".", cwd=tmp_path)
    assert result.exit_code == 1 and " FLX101 " in result.stdout


# --- walking: excludes and .gitignore ---------------------------------------------------------


def test_default_excludes_skip_virtualenvs_and_build_folders(tmp_path: Path) -> None:
    for folder in (".venv/lib", "build", "node_modules/pkg", "__pycache__", ".tox/py311"):
        write(tmp_path, f"{folder}/tools.py", WRONG)
    write(tmp_path, "src/tools.py", RIGHT)
    result = run_cli(".", cwd=tmp_path)
    assert result.exit_code == 0, result.stdout


def test_exclude_and_extend_exclude(tmp_path: Path) -> None:
    write(tmp_path, "generated/tools.py", WRONG)
    write(tmp_path, "src/old_tools.py", WRONG)
    write(tmp_path, "pyproject.toml", '[tool.fluxloop-lint]\nextend-exclude = ["generated", "src/old_*.py"]\n')
    assert run_cli(".", cwd=tmp_path).exit_code == 0
    # Named explicitly, an excluded file is linted all the same.
    assert run_cli("src/old_tools.py", cwd=tmp_path).exit_code == 1


def test_force_exclude_applies_the_excludes_to_named_paths(tmp_path: Path) -> None:
    """pre-commit names every staged file; with --force-exclude (in both hooks) excludes still hold."""
    generated = write(tmp_path, "generated/tools.py", WRONG)
    old = write(tmp_path, "src/old_tools.py", WRONG)
    kept = write(tmp_path, "src/tools.py", WRONG)
    write(tmp_path, "build/tools.py", WRONG)  # a default exclude
    write(tmp_path, "pyproject.toml", '[tool.fluxloop-lint]\nextend-exclude = ["generated", "src/old_*.py"]\n')
    named = ["generated/tools.py", "src/old_tools.py", "src/tools.py", "build/tools.py", "generated"]
    check = run_cli("--no-cache", "--force-exclude", *named, cwd=tmp_path)
    assert check.exit_code == 1
    assert {line.split(":")[0] for line in check.stdout.splitlines() if " FLX" in line} == {"src/tools.py"}

    fix = run_cli("--no-cache", "--force-exclude", "--fix", *named, cwd=tmp_path)
    assert fix.exit_code == 0, fix.stdout + fix.stderr
    assert (generated.read_text(), old.read_text(), kept.read_text()) == (WRONG, WRONG, RIGHT)

    stdin = run_cli("--force-exclude", "--fix", "--stdin-filename", "generated/x.py", "-", cwd=tmp_path, input=WRONG)
    assert (stdin.exit_code, stdin.stdout) == (0, WRONG)


def test_both_pre_commit_hooks_force_the_excludes() -> None:
    hooks = yaml.safe_load((Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text())
    assert [hook["entry"].split()[:2] for hook in hooks] == [["fluxloop-lint", "--force-exclude"]] * 2


def test_exclude_replaces_the_defaults(tmp_path: Path) -> None:
    write(tmp_path, "build/tools.py", WRONG)
    write(tmp_path, "pyproject.toml", '[tool.fluxloop-lint]\nexclude = ["nothing"]\n')
    assert run_cli(".", cwd=tmp_path).exit_code == 1


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_gitignore_is_honoured_in_a_git_work_tree(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    write(tmp_path, ".gitignore", "ignored/\n*_generated.py\n!keep_generated.py\n")
    write(tmp_path, "ignored/tools.py", WRONG)
    write(tmp_path, "src/tools_generated.py", WRONG)
    write(tmp_path, "src/keep_generated.py", WRONG)
    write(tmp_path, "src/plain.py", PLAIN)
    result = run_cli(".", cwd=tmp_path)
    assert result.exit_code == 1
    linted = {line.split(":")[0] for line in result.stdout.splitlines() if " FLX" in line}
    assert linted == {"src/keep_generated.py"}
    # Explicit paths are always linted; respect-gitignore = false turns the filter off.
    assert "ignored/tools.py" in run_cli("ignored/tools.py", cwd=tmp_path).stdout
    write(tmp_path, "pyproject.toml", "[tool.fluxloop-lint]\nrespect-gitignore = false\n")
    linted = {line.split(":")[0] for line in run_cli(".", cwd=tmp_path).stdout.splitlines() if " FLX" in line}
    assert linted == {"ignored/tools.py", "src/tools_generated.py", "src/keep_generated.py"}


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("build", "a/build/x.py", True),
        ("*_pb2.py", "a/b/c_pb2.py", True),
        ("src/old_*.py", "src/old_a.py", True),
        ("src/old_*.py", "lib/src/old_a.py", False),
        ("tests/**", "tests/a/b.py", True),
        ("**/fixtures", "a/b/fixtures/x.py", True),
        ("legacy", "legacy_code/x.py", False),
        ("generated/", "generated/x.py", True),
    ],
)
def test_glob_matching(pattern: str, path: str, expected: bool) -> None:
    assert matches_glob(pattern, path) is expected


# --- cache ----------------------------------------------------------------------------------


class EngineCalls:
    """Counts the engine's calls, to tell cache hits from misses."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from fluxloop_lint import engine

        self.count = 0
        real = engine.lint_source

        def counting(*args, **kwargs):
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(engine, "lint_source", counting)


def test_cache_hit_miss_and_invalidation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "pyproject.toml", "[tool.fluxloop-lint]\n")
    write(tmp_path, "tools.py", WRONG)
    calls = EngineCalls(monkeypatch)

    first = run_cli(".", cwd=tmp_path)
    assert calls.count == 1
    assert (tmp_path / ".fluxloop-lint-cache/.gitignore").read_text().splitlines()[-1] == "*"

    second = run_cli(".", cwd=tmp_path)
    assert calls.count == 1, "unchanged file and settings: served from the cache"
    assert second.stdout == first.stdout and second.exit_code == first.exit_code == 1
    fresh_json = run_cli("--no-cache", "--output-format", "json", ".", cwd=tmp_path).stdout
    assert run_cli("--output-format", "json", ".", cwd=tmp_path).stdout == fresh_json, "fixes survive the cache"
    calls.count = 1

    write(tmp_path, "pyproject.toml", '[tool.fluxloop-lint]\nextend-select = ["FLX001"]\n')
    run_cli(".", cwd=tmp_path)
    assert calls.count == 2, "a configuration change invalidates the entry"

    run_cli("--ignore", "FLX001", ".", cwd=tmp_path)
    assert calls.count == 3, "command-line selectors are part of the key"

    write(tmp_path, "tools.py", WRONG + "\n# changed\n")
    run_cli(".", cwd=tmp_path)
    assert calls.count == 4, "a content change invalidates the entry"

    run_cli("--no-cache", ".", cwd=tmp_path)
    assert calls.count == 5, "--no-cache bypasses the cache"


def test_no_cache_writes_no_cache_folder(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.fluxloop-lint]\n")
    write(tmp_path, "tools.py", WRONG)
    run_cli("--no-cache", ".", cwd=tmp_path)
    assert not (tmp_path / ".fluxloop-lint-cache").exists()


def test_a_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.fluxloop-lint]\n")
    write(tmp_path, "tools.py", WRONG)
    expected = run_cli(".", cwd=tmp_path).stdout
    for cache_file in (tmp_path / ".fluxloop-lint-cache").rglob("*.json"):
        cache_file.write_text("{not json")
    assert run_cli(".", cwd=tmp_path).stdout == expected
    for cache_file in (tmp_path / ".fluxloop-lint-cache").rglob("*.json"):
        cache_file.write_text(json.dumps({"tools.py": {"key": "x", "findings": "garbage"}}))
    assert run_cli(".", cwd=tmp_path).stdout == expected


def test_fix_after_a_cached_check_still_fixes(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.fluxloop-lint]\n")
    path = write(tmp_path, "tools.py", WRONG)
    assert run_cli(".", cwd=tmp_path).exit_code == 1
    assert run_cli("--fix", ".", cwd=tmp_path).exit_code == 0
    assert path.read_text() == RIGHT
    assert run_cli(".", cwd=tmp_path).exit_code == 0


def test_the_settings_and_the_model_name_the_same_keys() -> None:
    from dataclasses import fields

    from fluxloop_lint.config import FileSettings
    from fluxloop_lint.config_model import FileConfig

    assert [setting.name for setting in fields(FileSettings)] == list(FileConfig.model_fields)
