"""Helpers for the experiment tests: the real `fluxloop` script, run on a copy of the fixture."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "experiment"
FLUXLOOP = Path(sys.executable).parent / "fluxloop"


def fluxloop(*arguments: str | Path, cwd: Path, module: bool = False) -> subprocess.CompletedProcess[str]:
    """Run `fluxloop ARGUMENTS` (or `python -m fluxloop_runtime ARGUMENTS`) and capture it."""
    command = [sys.executable, "-m", "fluxloop_runtime"] if module else [str(FLUXLOOP)]
    return subprocess.run(
        [*command, *(str(argument) for argument in arguments)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of `fixtures/experiment` (agent, inputs, config)."""
    destination = tmp_path / "project"
    shutil.copytree(FIXTURE, destination, ignore=shutil.ignore_patterns("experiments", "__pycache__"))
    return destination
