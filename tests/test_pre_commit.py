"""The pre-commit hooks for real: `pre-commit try-repo` installs this checkout and runs them.

`try-repo` on a checkout with uncommitted changes commits them into a fresh shadow repository
each time it runs, so every call would install the hook environment again. Instead, the
checkout's current state (tracked files and new, not ignored ones, as they are on disk) is
committed once per session into a snapshot repository, and every `try-repo` call points at
it; `PRE_COMMIT_HOME` is shared by the session, so the environment is built once.
Building it runs pip inside pre-commit's own virtualenv (packages from PyPI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nbformat

from tests.lint.cli_helpers import RIGHT, WRONG, WRONG_FINDING_LINE
from tests.lint.test_notebooks import RIGHT_TOOL, WRONG_CELL, agent_notebook

ROOT = Path(__file__).resolve().parents[1]
INSTALL_TIMEOUT = 900


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _new_repository(folder: Path) -> None:
    _git("init", "--quiet", "--initial-branch=main", cwd=folder)
    _git("config", "user.name", "fluxloop-lint tests", cwd=folder)
    _git("config", "user.email", "tests@fluxloop-lint.invalid", cwd=folder)
    _git("config", "commit.gpgsign", "false", cwd=folder)


def _commit_all(folder: Path, message: str) -> None:
    _git("add", "--all", cwd=folder)
    _git("commit", "--quiet", "--no-verify", "-m", message, cwd=folder)


@pytest.fixture(scope="session")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout as it is on disk, committed into a repository of its own."""
    snapshot = tmp_path_factory.mktemp("hook-repository")
    listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    for relative in filter(None, listed.split("\0")):
        source = ROOT / relative
        if source.is_file():
            target = snapshot / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    assert (snapshot / ".pre-commit-hooks.yaml").is_file()
    _new_repository(snapshot)
    _commit_all(snapshot, "snapshot of the fluxloop-lint checkout")
    return snapshot


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def user_repository(tmp_path: Path) -> Path:
    """A user's project with one file that puts FluxLoop above a framework decorator."""
    project = tmp_path / "project"
    project.mkdir()
    _new_repository(project)
    (project / "agent.py").write_text(WRONG)
    (project / "notes.txt").write_text("not python: the hooks never see it\n")
    # Excluded by the project: pre-commit names it all the same, the hooks' --force-exclude skips it.
    (project / "generated").mkdir()
    (project / "generated/agent.py").write_text(WRONG)
    (project / "pyproject.toml").write_text('[tool.fluxloop-lint]\nextend-exclude = ["generated"]\n')
    _commit_all(project, "an agent with a wrong decorator order")
    return project


def try_repo(hook: str, repository: Path, project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    environment.pop("PRE_COMMIT", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(repository), hook, "--all-files", "--verbose"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
    )


def test_check_fails_then_fix_rewrites_and_fails_then_check_passes(hook_repository, pre_commit_home, user_repository):
    check = try_repo("fluxloop-lint", hook_repository, user_repository, pre_commit_home)
    assert check.returncode == 1, check.stdout + check.stderr
    assert f"agent.py:{WRONG_FINDING_LINE}:1: FLX101" in check.stdout
    assert (user_repository / "agent.py").read_text() == WRONG
    assert "generated/agent.py" not in check.stdout

    fix = try_repo("fluxloop-lint-fix", hook_repository, user_repository, pre_commit_home)
    assert fix.returncode == 1, fix.stdout + fix.stderr
    assert "Fixed agent.py (1 problem)" in fix.stdout
    assert "files were modified by this hook" in fix.stdout
    assert (user_repository / "agent.py").read_text() == RIGHT
    assert (user_repository / "generated/agent.py").read_text() == WRONG

    again = try_repo("fluxloop-lint", hook_repository, user_repository, pre_commit_home)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Passed" in again.stdout

    fix_again = try_repo("fluxloop-lint-fix", hook_repository, user_repository, pre_commit_home)
    assert fix_again.returncode == 0, fix_again.stdout + fix_again.stderr
    assert (user_repository / "agent.py").read_text() == RIGHT


def test_the_hooks_lint_and_fix_a_notebook(hook_repository, pre_commit_home, tmp_path):
    project = tmp_path / "notebooks"
    project.mkdir()
    _new_repository(project)
    nbformat.write(agent_notebook(), str(project / "agent.ipynb"))
    _commit_all(project, "a notebook with a wrong decorator order")

    check = try_repo("fluxloop-lint", hook_repository, project, pre_commit_home)
    assert check.returncode == 1, check.stdout + check.stderr
    assert f"agent.ipynb:cell {WRONG_CELL}:1:1: FLX101" in check.stdout

    fix = try_repo("fluxloop-lint-fix", hook_repository, project, pre_commit_home)
    assert fix.returncode == 1, fix.stdout + fix.stderr
    assert "Fixed agent.ipynb (1 problem)" in fix.stdout
    fixed = nbformat.read(str(project / "agent.ipynb"), as_version=4)
    nbformat.validate(fixed)
    assert fixed.cells[WRONG_CELL - 1].source == RIGHT_TOOL

    again = try_repo("fluxloop-lint", hook_repository, project, pre_commit_home)
    assert again.returncode == 0, again.stdout + again.stderr
