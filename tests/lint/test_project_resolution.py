"""Decorators named, wrapped or created in other modules of the project, for real.

The fixture projects under `tests/data/projects/` (a flat layout, a `src/` layout and a
`src = ["lib"]` layout) mark each line that must be reported with `# expect: CODE`. They run
through the command line, a real flake8 and `pre-commit try-repo` naming only the importing
file; after `--fix`, their modules are imported with the real frameworks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lint.cli_helpers import run_cli, run_script
from tests.lint.test_flake8_plugin import run_flake8
from tests.test_pre_commit import _commit_all, _new_repository, hook_repository, pre_commit_home  # noqa: F401

PROJECTS = Path(__file__).resolve().parents[1] / "data" / "projects"
EXPECT = re.compile(r"# expect: (FLX\d+)")


def _copy(name: str, tmp_path: Path) -> Path:
    project = tmp_path / name
    shutil.copytree(PROJECTS / name, project)
    return project


def expected(project: Path, codes: tuple[str, ...] = ("FLX101", "FLX108")) -> set[tuple[str, int, str]]:
    found = set()
    for path in sorted(project.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = EXPECT.search(line)
            if match and match[1] in codes:
                found.add((path.relative_to(project).as_posix(), number, match[1]))
    return found


def reported(project: Path, *args: str) -> tuple[set[tuple[str, int, str]], list[dict]]:
    completed = run_script("--no-cache", "--output-format", "json", *args, ".", cwd=project)
    assert completed.returncode in (0, 1), completed.stderr
    findings = json.loads(completed.stdout)
    return {(Path(f["filename"]).as_posix(), f["location"]["row"], f["code"]) for f in findings}, findings


@pytest.mark.parametrize("name", ["flat", "src_layout", "lib_layout"])
def test_every_misplaced_decorator_is_reported_at_its_line_and_nothing_else(name, tmp_path):
    project = _copy(name, tmp_path)
    places, _ = reported(project)
    assert expected(project)  # the fixture marks something
    assert places == expected(project)


def test_unknown_decorators_get_flx104_only_when_selected(tmp_path):
    project = _copy("flat", tmp_path)
    places, _ = reported(project, "--extend-select", "FLX104")
    assert places == expected(project, ("FLX101", "FLX104", "FLX108"))
    assert not any(code == "FLX001" for _, _, code in places)  # app/broken.py is imported, not linted here


def test_a_finding_says_where_the_decorator_comes_from(tmp_path):
    project = _copy("flat", tmp_path)
    _, findings = reported(project)
    messages = {(f["filename"], f["location"]["row"]): f["message"] for f in findings}
    assert "@strict_tool (agents.function_tool via common/decorators.py:8, transforming)" in messages[("app/tools.py", 12)]
    assert "@house_tool (agents.function_tool via common/decorators.py:12, transforming)" in messages[("app/tools.py", 26)]
    assert "@tool (agents.function_tool via common/__init__.py:3, transforming)" in messages[("app/tools.py", 47)]
    assert "@mcp.tool (mcp.server.mcpserver.MCPServer.tool via app/server.py:5, registering)" in messages[("app/tools.py", 61)]
    assert "@api.get (fastapi.FastAPI.get via app/server.py:6, registering)" in messages[("app/tools.py", 68)]


def test_flake8_reports_the_same_places(tmp_path):
    project = _copy("flat", tmp_path)
    completed = run_flake8("--select", "FLX", ".", cwd=project)  # FLX selects FLX104 too
    places = set()
    for line in completed.stdout.splitlines():
        path, number, _column, rest = line.split(":", 3)
        places.add((Path(path).as_posix().removeprefix("./"), int(number), rest.split()[0]))
    assert places == expected(project, ("FLX101", "FLX104", "FLX108"))


IMPORT_AND_CHECK = """
import agents, flask, fastapi
from langchain_core.tools import StructuredTool
from app import by_hand, server, starred, tools
from app.sub import nested

for name in ("search", "lenient", "housed", "configured", "reexported", "chained", "relayed"):
    assert isinstance(getattr(tools, name), agents.FunctionTool), name
assert isinstance(tools.bound, StructuredTool)
assert isinstance(by_hand.lookup_tool, agents.FunctionTool)
assert isinstance(starred.direct, agents.FunctionTool) and isinstance(starred.starred, agents.FunctionTool)
# Registering frameworks: what they stored is the traced function (FluxLoop's wrapper).
registered = {tool.name: tool.fn for tool in server.mcp._tool_manager.list_tools()}
for name in ("weather", "forecast"):
    assert hasattr(registered[name], "__wrapped__"), name
endpoints = {route.path: route.endpoint for route in server.api.routes}
assert hasattr(endpoints["/items"], "__wrapped__")
assert hasattr(server.web.view_functions["health"], "__wrapped__")
print("ok")
"""


def test_after_fix_every_module_imports_and_each_tool_is_the_frameworks_object(tmp_path):
    project = _copy("flat", tmp_path)
    before = subprocess.run([sys.executable, "-c", IMPORT_AND_CHECK], cwd=project, capture_output=True, text=True, timeout=300)
    assert before.returncode != 0  # the runtime refuses a tracer above a FunctionTool at import
    untouched = {path: path.read_bytes() for path in project.rglob("*.py") if "expect:" not in path.read_text()}

    fix = run_script("--no-cache", "--fix", ".", cwd=project)
    assert fix.returncode == 0, fix.stdout + fix.stderr

    after = subprocess.run([sys.executable, "-c", IMPORT_AND_CHECK], cwd=project, capture_output=True, text=True, timeout=300)
    assert after.returncode == 0, after.stderr
    assert after.stdout.strip() == "ok"
    # --fix changes only the files that had findings: the modules they import are untouched.
    assert {path: path.read_bytes() for path in untouched} == untouched
    assert reported(project)[0] == set()


def test_a_change_in_an_imported_module_changes_the_cached_result(tmp_path):
    project = _copy("src_layout", tmp_path)
    first = run_cli("--output-format", "json", ".", cwd=project)
    assert {f["location"]["row"] for f in json.loads(first.stdout) if f["filename"].endswith("tools.py")} == {8, 15}
    decorators = project / "src/travel/decorators.py"
    decorators.write_text("def strict_tool(fn):\n    return fn  # no longer a framework decorator\n")
    second = run_cli("--output-format", "json", ".", cwd=project)
    assert {f["location"]["row"] for f in json.loads(second.stdout) if f["filename"].endswith("tools.py")} == {15}


def test_pre_commit_naming_only_the_importing_file_reads_the_modules_it_imports(hook_repository, pre_commit_home, tmp_path):  # noqa: F811
    project = _copy("flat", tmp_path)
    _new_repository(project)
    _commit_all(project, "a project whose decorators live in other modules")
    environment = dict(os.environ, PRE_COMMIT_HOME=str(pre_commit_home), PRE_COMMIT_COLOR="never")
    environment.pop("PRE_COMMIT", None)
    completed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repository), "fluxloop-lint", "--files", "app/tools.py", "--verbose"],
        cwd=project, env=environment, capture_output=True, text=True, timeout=900,
    )
    assert completed.returncode == 1, completed.stdout + completed.stderr
    lines = {(m[1], int(m[2])) for m in re.finditer(r"^(\S+\.py):(\d+):\d+: FLX101", completed.stdout, re.MULTILINE)}
    assert lines == {(path, line) for path, line, _ in expected(project) if path == "app/tools.py"}


def test_module_summaries_are_kept_in_the_cache_and_reused_while_the_module_is_unchanged(tmp_path):
    from fluxloop_lint import __version__

    project = _copy("src_layout", tmp_path)
    assert run_script(".", cwd=project).returncode == 1  # fills the cache
    cache_file = project / ".fluxloop-lint-cache" / __version__ / "results.json"
    stored = json.loads(cache_file.read_text())
    by_name = {Path(path).name: summary for path, summary in stored["summaries"].items()}
    assert {"decorators.py", "server.py"} <= set(by_name)
    assert by_name["decorators.py"]["names"]["strict_tool"][0] == "agents.function_tool"
    # A stored summary that says otherwise is believed while decorators.py is unchanged, which
    # shows that the next run takes it from the cache instead of reading the module again.
    by_name["decorators.py"]["names"]["strict_tool"] = [None, False, None]
    cache_file.write_text(json.dumps(stored))
    tools = project / "src/travel/tools.py"
    tools.write_text(tools.read_text() + "\n# edited: its own result is not cached\n")
    places, _ = reported(project.joinpath("."), "--config", str(project / "pyproject.toml"))
    assert places == expected(project)  # --no-cache: the module is read, strict_tool is the Agents SDK's
    again = run_script("--output-format", "json", ".", cwd=project)
    rows = {f["location"]["row"] for f in json.loads(again.stdout) if f["filename"].endswith("tools.py")}
    assert rows == {15}


def test_linted_modules_that_import_each_others_decorators_end(tmp_path):
    for name, other in (("a", "b"), ("b", "a")):
        (tmp_path / f"{name}.py").write_text(
            f"import fluxloop\nfrom {other} import deco_{other}\nfrom agents import function_tool as deco_{name}\n\n"
            f"@fluxloop.tool()\n@deco_{other}\ndef f_{name}(): pass\n"
        )
    places, findings = reported(tmp_path)
    assert places == {("a.py", 5, "FLX101"), ("b.py", 5, "FLX101")}
    assert {f["message"].split("(")[1].split(",")[0] for f in findings} == {"agents.function_tool via a.py:3", "agents.function_tool via b.py:3"}


def test_a_framework_object_named_in_another_module_is_flx108_without_a_fix(tmp_path):
    (tmp_path / "objects.py").write_text("from agents import function_tool\n\ndef search(q: str) -> str:\n    return q\n\nsearch_tool = function_tool(search)\n")
    (tmp_path / "agent.py").write_text("import fluxloop\nfrom objects import search_tool\n\ntraced = fluxloop.tool()(search_tool)\n")
    places, findings = reported(tmp_path)
    assert places == {("agent.py", 4, "FLX108")}
    assert findings[0]["fix"] is None


def test_a_name_added_to_a_module_another_star_imports_from_is_seen_by_the_next_cached_run(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.fluxloop-lint]\n")
    (tmp_path / "base.py").write_text("from agents import function_tool\n")
    (tmp_path / "mid.py").write_text("from base import *\n")
    (tmp_path / "agent.py").write_text("import fluxloop\nfrom mid import strict_tool\n\n@fluxloop.tool()\n@strict_tool\ndef f(): pass\n")
    assert run_script(".", cwd=tmp_path).returncode == 0  # strict_tool is unknown: nothing to report
    (tmp_path / "base.py").write_text("from agents import function_tool\n\nstrict_tool = function_tool(strict_mode=True)\n")
    again = run_script("--output-format", "json", ".", cwd=tmp_path)
    assert [(f["filename"], f["location"]["row"]) for f in json.loads(again.stdout)] == [("agent.py", 4)]


def test_a_module_that_appears_after_a_cached_run_is_seen_by_the_next_one(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.fluxloop-lint]\n")
    (tmp_path / "agent.py").write_text("import fluxloop\nfrom helpers import tool\n\n@fluxloop.tool()\n@tool\ndef f(): pass\n")
    assert run_script(".", cwd=tmp_path).returncode == 0  # helpers.py does not exist yet: unknown
    (tmp_path / "helpers.py").write_text("from agents import function_tool as tool\n")
    again = run_script("--output-format", "json", ".", cwd=tmp_path)
    assert [(f["filename"], f["location"]["row"]) for f in json.loads(again.stdout)] == [("agent.py", 4)]
