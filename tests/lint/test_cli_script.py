"""The installed `fluxloop-lint` console script, run as a user runs it (a subprocess)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lint.cli_helpers import PLAIN, RIGHT, WRONG, WRONG_FINDING_LINE, run_script, write

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "agent_project"


def test_script_checks_fixes_and_exits_as_documented(tmp_path: Path) -> None:
    write(tmp_path, "tools.py", WRONG)
    check = run_script("tools.py", cwd=tmp_path)
    assert check.returncode == 1
    assert check.stdout.startswith(f"tools.py:{WRONG_FINDING_LINE}:1: FLX101 [*] ")

    fix = run_script("--fix", "--exit-non-zero-on-fix", ".", cwd=tmp_path)
    assert fix.returncode == 1
    assert (tmp_path / "tools.py").read_text() == RIGHT

    again = run_script(".", cwd=tmp_path)
    assert (again.returncode, again.stdout) == (0, "All checks passed!\n")


def test_script_usage_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    for args in (["--nope"], ["missing_dir"], ["--select", "FLX1234"], ["explain", "FLX999"]):
        result = run_script(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert result.stderr.startswith("fluxloop-lint: error: "), result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_script_reads_stdin(tmp_path: Path) -> None:
    result = run_script("--stdin-filename", "tools.py", "-", cwd=tmp_path, input=WRONG.encode())
    assert result.returncode == 1
    assert result.stdout.startswith(f"tools.py:{WRONG_FINDING_LINE}:1: FLX101")


def test_python_dash_m_runs_the_same_command(tmp_path: Path) -> None:
    write(tmp_path, "tools.py", WRONG)
    result = subprocess.run(
        [sys.executable, "-m", "fluxloop_lint", "tools.py"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1 and " FLX101 " in result.stdout


def test_files_without_fluxloop_never_import_libcst(tmp_path: Path) -> None:
    for index in range(20):
        write(tmp_path, f"pkg/module_{index}.py", PLAIN)
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "fluxloop_lint", "--no-cache", "pkg"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "libcst" not in imported
    assert "fluxloop_lint.engine" not in imported
    assert "fluxloop_lint.rules" not in imported
    assert "fluxloop_lint.prefilter" in imported


def test_demo_fixture_shows_real_findings_and_a_real_diff(tmp_path: Path) -> None:
    project = tmp_path / "agent_project"
    shutil.copytree(FIXTURES, project)
    check = run_script(".", cwd=project)
    assert check.returncode == 1
    findings = [line for line in check.stdout.splitlines() if ": FLX" in line]
    files = {line.split(":")[0] for line in findings}
    assert {"travel_agent/tools/weather.py", "travel_agent/tools/search.py", "travel_agent/mcp_server.py"} <= files
    assert "travel_agent/booking.py" not in files and "travel_agent/formatting.py" not in files
    assert any(  # the descriptor rule (staticmethod in pricing.py)
        line.startswith("travel_agent/pricing.py:") and " FLX102 " in line for line in findings
    )

    diff = run_script("--diff", ".", cwd=project)
    assert diff.returncode == 1
    assert "+@function_tool\n" in diff.stdout and "-@function_tool\n" in diff.stdout


# --- the real frameworks, before and after `fluxloop-lint --fix` ------------------------------------


def _run_python(code: str, project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(project), os.environ.get("PYTHONPATH")])),
            "FLUXLOOP_OFFLINE_DIR": str(project / "fl"),
        },
    )


# The Responses API converter the SDK uses to build each model request.
BUILD_OPENAI_REQUEST = """
from agents.models.openai_responses import Converter
from travel_agent.tools.weather import get_forecast
print(type(get_forecast).__name__)
Converter.convert_tools([get_forecast], handoffs=[])
print("converted")
"""

BUILD_LANGCHAIN_TOOL = """
from langchain_core.tools import BaseTool
from travel_agent.tools.search import search_hotels
assert isinstance(search_hotels, BaseTool), type(search_hotels)
print(search_hotels.invoke({"city": "Paris"}))
"""


@pytest.mark.parametrize("flux_module", ["fluxloop_runtime", "fluxloop"])
def test_wrong_order_fails_in_the_framework_and_fix_repairs_it(tmp_path: Path, flux_module: str) -> None:
    """The fixture's wrong modules break the real SDKs; after `--fix` the tools are the SDKs' objects."""
    project = tmp_path / "agent_project"
    shutil.copytree(FIXTURES, project)
    for path in (project / "travel_agent/tools").glob("*.py"):
        path.write_text(path.read_text().replace("fluxloop_runtime", flux_module))
    configuration = f'[tool.fluxloop-lint]\nfluxloop-modules = ["{flux_module}"]\n'
    write(project, "pyproject.toml", configuration)

    before = _run_python(BUILD_OPENAI_REQUEST, project)
    assert before.returncode != 0
    assert "Unknown tool type" in before.stderr or "FunctionTool" in before.stderr, before.stderr
    before_langchain = _run_python(BUILD_LANGCHAIN_TOOL, project)
    assert before_langchain.returncode != 0

    fix = run_script("--fix", "travel_agent/tools", cwd=project)
    assert fix.returncode == 0, fix.stdout + fix.stderr
    assert "Fixed travel_agent/tools/weather.py" in fix.stdout

    after = _run_python(BUILD_OPENAI_REQUEST, project)
    assert after.returncode == 0, after.stderr
    assert after.stdout.splitlines() == ["FunctionTool", "converted"]
    after_langchain = _run_python(BUILD_LANGCHAIN_TOOL, project)
    assert after_langchain.returncode == 0, after_langchain.stderr
    assert "Hotel du Louvre" in after_langchain.stdout


def test_fixed_tool_records_its_observation_inside_instrument(tmp_path: Path) -> None:
    project = tmp_path / "agent_project"
    shutil.copytree(FIXTURES, project)
    assert run_script("--fix", "travel_agent/tools", cwd=project).returncode == 0
    code = """
import asyncio, json
from pathlib import Path
import fluxloop_runtime
from agents.tool_context import ToolContext
from travel_agent.tools.weather import get_forecast

async def main():
    context = ToolContext(context=None, tool_name="get_forecast", tool_call_id="call-1", tool_arguments='{"city": "Paris"}')
    with fluxloop_runtime.instrument("demo"):
        return await get_forecast.on_invoke_tool(context, '{"city": "Paris"}')

print(asyncio.run(main()))
"""
    result = _run_python(code, project)
    assert result.returncode == 0, result.stderr
    assert "Paris: sunny" in result.stdout
    recorded = "\n".join(path.read_text() for path in (project / "fl").rglob("*.jsonl"))
    assert "tool.get_forecast" in recorded
