#!/usr/bin/env python3
"""Set up and run fluxloop-lint on a fresh clone, needing nothing but python3.

    python3 dev.py demo      # set up, then lint and fix (as a diff) the sample agent project
    python3 dev.py test      # set up, then run the whole test suite (what CI runs)
    python3 dev.py bench     # set up, then run the benchmarks

Set-up creates `.venv/` beside this file and installs the project with its test extra into
it; it is redone only when `pyproject.toml` changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PYTEST_NO_TESTS_COLLECTED = 5


class Environment:
    """A virtual environment beside this file with the project and some extras installed."""

    def __init__(self, name: str, extras: str) -> None:
        self.path = ROOT / name
        self.extras = extras
        self.stamp = self.path / "fluxloop-lint-stamp"
        self.bin = self.path / ("Scripts" if os.name == "nt" else "bin")
        self.python = self.bin / ("python.exe" if os.name == "nt" else "python")


TEST_ENVIRONMENT = Environment(".venv", "test")
# Not the test extra: the Fixit peer (bench) needs click<8.2, the test extra's Celery click>=8.3.1.
BENCH_ENVIRONMENT = Environment(".venv-bench", "bench,otlp")


def run(*command: str | os.PathLike[str], check: bool = True) -> int:
    print("+", " ".join(str(part) for part in command), file=sys.stderr, flush=True)
    return subprocess.run([str(part) for part in command], cwd=ROOT, check=check).returncode


def set_up(environment: Environment) -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + environment.extras.encode()).hexdigest()
    if environment.python.exists() and environment.stamp.exists() and environment.stamp.read_text().strip() == wanted:
        return
    if not environment.python.exists():
        run(sys.executable, "-m", "venv", environment.path)
    run(environment.python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(environment.python, "-m", "pip", "install", "--quiet", "-e", f".[{environment.extras}]")
    environment.stamp.write_text(wanted + "\n")


def demo(arguments: list[str]) -> int:
    project = ROOT / "fixtures" / "agent_project"
    lint = TEST_ENVIRONMENT.bin / "fluxloop-lint"
    print(f"\n== fluxloop-lint {project.relative_to(ROOT)}  (what is wrong)", flush=True)
    run(lint, project.relative_to(ROOT), *arguments, check=False)
    print(f"\n== fluxloop-lint --diff {project.relative_to(ROOT)}  (what --fix would write)", flush=True)
    run(lint, "--diff", project.relative_to(ROOT), *arguments, check=False)
    return 0


def test(arguments: list[str]) -> int:
    status = run(TEST_ENVIRONMENT.python, "-m", "pytest", *arguments, check=False)
    if status == PYTEST_NO_TESTS_COLLECTED:
        print("dev.py: pytest ran no tests; that is a failure here", file=sys.stderr)
        return 1
    return status


def bench(arguments: list[str]) -> int:
    status = 0
    for script in sorted((ROOT / "benchmarks").glob("*.py")):
        status |= run(BENCH_ENVIRONMENT.python, script, *arguments, check=False)
    return status


COMMANDS = {"demo": demo, "test": test, "bench": bench}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(f"usage: python3 dev.py {{{'|'.join(COMMANDS)}}} [arguments...]", file=sys.stderr)
        return 2
    try:
        set_up(BENCH_ENVIRONMENT if sys.argv[1] == "bench" else TEST_ENVIRONMENT)
    except subprocess.CalledProcessError as error:
        print(f"dev.py: set-up failed (exit {error.returncode}); see the output above", file=sys.stderr)
        return 2
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
