"""The sample agent project, run for real before and after `fluxloop-lint --fix`: the MCP tool
that FluxLoop silently never observed is observed once the order is fixed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.lint.cli_helpers import run_script

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "agent_project"

CALL_THE_MCP_TOOL = """
import asyncio
import fluxloop_runtime
from travel_agent import mcp_server

async def main():
    with fluxloop_runtime.instrument("agent_run"):
        result = await mcp_server.mcp.call_tool("convert_currency", {"amount": 10, "rate": 1.5})
    print(result.structured_content["result"])
    fluxloop_runtime.flush()

asyncio.run(main())
"""


def _observations_after_calling_the_mcp_tool(project: Path, store: Path) -> tuple[str, list[dict]]:
    result = subprocess.run(
        [sys.executable, "-c", CALL_THE_MCP_TOOL],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "PYTHONPATH": str(project), "FLUXLOOP_OFFLINE_DIR": str(store)},
    )
    path = store / "observations.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    return result.stdout.strip(), [json.loads(line) for line in lines]


def test_mcp_tool_is_observed_only_after_the_fix(tmp_path: Path) -> None:
    project = tmp_path / "agent_project"
    shutil.copytree(FIXTURES, project)

    output, observations = _observations_after_calling_the_mcp_tool(project, tmp_path / "before")
    assert output == "15.0"
    assert observations == []  # MCP registered the untraced function: the observation is lost

    fix = run_script("--fix", ".", cwd=project)
    assert fix.returncode == 0, fix.stdout + fix.stderr

    output, observations = _observations_after_calling_the_mcp_tool(project, tmp_path / "after")
    assert output == "15.0"
    assert [(o["type"], o["name"], o["input"], o["output"]) for o in observations] == [
        ("span", "mcp.convert_currency", {"amount": 10.0, "rate": 1.5}, 15.0)
    ]
