"""Sources and helpers shared by the command-line tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from fluxloop_lint.cli import cli

WRONG = '''\
from agents import function_tool

import fluxloop_runtime


@fluxloop_runtime.tool(name="tool.get_weather")
@function_tool
def get_weather(city: str) -> str:
    """Weather in a city."""
    return f"sunny in {city}"
'''

# What the Pattern B fix makes of WRONG: the framework decorator outermost.
RIGHT = '''\
from agents import function_tool

import fluxloop_runtime


@function_tool
@fluxloop_runtime.tool(name="tool.get_weather")
def get_weather(city: str) -> str:
    """Weather in a city."""
    return f"sunny in {city}"
'''

WRONG_FINDING_LINE = 6  # the FluxLoop decorator's line in WRONG

PLAIN = '''\
def add(a: int, b: int) -> int:
    return a + b
'''

SYNTAX_ERROR = '''\
import fluxloop_runtime

def broken(:
    pass
'''

# Latin-1 bytes without a coding cookie: not valid UTF-8.
UNDECODABLE = b"import fluxloop_runtime\nname = '\xe9t\xe9'\n"


def run_cli(*args: str, cwd: Path | None = None, input: str | bytes | None = None) -> Result:
    """Invoke the command line in-process (click's CliRunner), from `cwd`."""
    try:
        runner = CliRunner(mix_stderr=False)  # click 8.1; 8.2 always keeps stderr apart
    except TypeError:
        runner = CliRunner()
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)
    finally:
        os.chdir(previous)


def console_script() -> str:
    """The installed `fluxloop-lint` console script of the environment running the tests."""
    script = Path(sys.executable).parent / "fluxloop-lint"
    assert script.exists(), f"console script not installed at {script}"
    return str(script)


def run_script(*args: str, cwd: Path, input: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [console_script(), *args],
        cwd=cwd,
        input=input.decode() if input is not None else None,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def write(root: Path, relative: str, content: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
