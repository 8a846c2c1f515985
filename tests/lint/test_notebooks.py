"""Jupyter notebooks: real `.ipynb` files written with nbformat, linted and fixed by the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from fluxloop_lint import ipython
from fluxloop_lint.config import load_configuration
from fluxloop_lint.notebooks import CellModule, fixed_cell, read_notebook
from fluxloop_lint.runner import lint_paths
from fluxloop_lint.types import Edit, Position, RunOptions
from tests.lint.cli_helpers import run_cli, write
from tests.lint.test_real_frameworks import _invoke

IMPORTS = "from agents import function_tool\n\nimport fluxloop_runtime"
WRONG_TOOL = '''\
@fluxloop_runtime.tool(name="tool.lookup")
@function_tool
def lookup(query: str) -> str:
    """Look a query up (é)."""
    return query.upper()'''
RIGHT_TOOL = '''\
@function_tool
@fluxloop_runtime.tool(name="tool.lookup")
def lookup(query: str) -> str:
    """Look a query up (é)."""
    return query.upper()'''
WRONG_CELL = 4  # counting the markdown and raw cells, as Jupyter does


def agent_notebook(tool: str = WRONG_TOOL) -> nbformat.NotebookNode:
    """The import and the decorated function in different cells, with output, metadata and
    cells of other kinds around them."""
    imports = new_code_cell(IMPORTS, execution_count=1, metadata={"tags": ["setup"]})
    imports.outputs = [new_output("stream", name="stdout", text="ready ✓\n")]
    return new_notebook(
        cells=[
            new_markdown_cell("# Prototype: a tool that says `fluxloop_runtime` (ünïcode)"),
            imports,
            new_raw_cell("raw text"),
            new_code_cell(tool, execution_count=2),
            new_code_cell("lookup", execution_count=3),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )


def write_notebook(folder: Path, name: str, notebook: nbformat.NotebookNode) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
    return path


def with_cell_source(notebook: nbformat.NotebookNode, index: int, source: str) -> nbformat.NotebookNode:
    expected = nbformat.from_dict(json.loads(json.dumps(notebook)))
    expected.cells[index].source = source
    return expected


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, "pyproject.toml", "[tool.fluxloop-lint]\n")
    return tmp_path


# --- finding ----------------------------------------------------------------------------------


def test_a_walked_folder_finds_a_notebook_and_names_the_cell_of_a_function_whose_import_is_in_another(project):
    write_notebook(project, "notebooks/agent.ipynb", agent_notebook())
    result = run_cli("--no-cache", ".", cwd=project)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].startswith(f"notebooks/agent.ipynb:cell {WRONG_CELL}:1:1: FLX101 [*] ")
    assert "Found 1 problem (1 fixable)." in result.stdout
    assert result.stderr == ""


def test_json_output_has_the_cell_and_positions_inside_it(project):
    write_notebook(project, "agent.ipynb", agent_notebook())
    write(project, "plain.py", "import fluxloop_runtime\n\n@fluxloop_runtime.tool\ndef f():\n    pass\n")
    result = run_cli("--no-cache", "--output-format", "json", ".", cwd=project)
    [finding] = [item for item in json.loads(result.stdout) if item["filename"] == "agent.ipynb"]
    assert finding["cell"] == WRONG_CELL
    assert finding["code"] == "FLX101"
    assert finding["location"] == {"row": 1, "column": 1}
    assert finding["end_location"]["row"] == 1
    edits = finding["fix"]["edits"]
    assert edits and {edit["cell"] for edit in edits} == {WRONG_CELL}
    # Applied to the cell's own lines, the edits give the fixed cell.
    lines = WRONG_TOOL.splitlines(keepends=True)
    for edit in sorted(edits, key=lambda edit: edit["location"]["row"], reverse=True):
        assert edit["location"]["column"] == edit["end_location"]["column"] == 1
        lines[edit["location"]["row"] - 1 : edit["end_location"]["row"] - 1] = [edit["content"]]
    assert "".join(lines) == RIGHT_TOOL
    assert all(item["cell"] is None for item in json.loads(result.stdout) if item["filename"] == "plain.py")


def test_github_and_sarif_name_the_cell_and_its_line_in_the_message(project):
    jsonschema = pytest.importorskip("jsonschema")
    write_notebook(project, "agent.ipynb", agent_notebook())
    github = run_cli("--no-cache", "--output-format", "github", "agent.ipynb", cwd=project).stdout
    assert github.startswith(f"::error title=fluxloop-lint (FLX101),file=agent.ipynb::cell {WRONG_CELL}, line 1: FLX101 @")
    assert github.count("\n") == 1
    sarif = json.loads(run_cli("--no-cache", "--output-format", "sarif", "agent.ipynb", cwd=project).stdout)
    schema = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(sarif)
    [result] = sarif["runs"][0]["results"]
    assert result["message"]["text"].startswith(f"cell {WRONG_CELL}, line 1: @fluxloop_runtime.tool sits above")
    assert "region" not in result["locations"][0]["physicalLocation"]  # the file's lines are JSON, not the cell's


def test_a_notebook_that_never_mentions_fluxloop_costs_a_substring_test(project):
    notebook = new_notebook(cells=[new_code_cell("def broken(:\n    pass")])
    write_notebook(project, "other.ipynb", notebook)
    mentions_only_in_markdown = new_notebook(
        cells=[new_markdown_cell("uses fluxloop"), new_code_cell("x = 1"), new_code_cell("def broken(:\n    pass")]
    )
    write_notebook(project, "markdown.ipynb", mentions_only_in_markdown)
    report = lint_paths([str(project)], load_configuration([str(project)]), RunOptions(use_cache=False))
    assert (report.checked, report.parsed) == (2, 1)  # markdown.ipynb passes the substring test, other.ipynb not
    assert report.findings == []  # and its code, which never names FluxLoop, is not parsed


# --- fixing -------------------------------------------------------------------------------------


def test_fix_changes_only_the_fixed_cell_and_keeps_nbformats_layout(project):
    notebook = agent_notebook()
    path = write_notebook(project, "agent.ipynb", notebook)
    result = run_cli("--no-cache", "--fix", "agent.ipynb", cwd=project)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Fixed agent.ipynb (1 problem)" in result.stdout
    # Byte for byte what nbformat writes for the notebook with that one cell changed: outputs,
    # execution counts, metadata, ids, key order, indentation, non-ASCII and the last newline.
    expected = with_cell_source(notebook, 3, RIGHT_TOOL)
    assert path.read_text(encoding="utf-8") == nbformat.writes(expected) + "\n"
    nbformat.validate(nbformat.read(str(path), as_version=4))

    again = run_cli("--no-cache", "--fix", "agent.ipynb", cwd=project)
    assert again.exit_code == 0 and "All checks passed!" in again.stdout
    assert path.read_text(encoding="utf-8") == nbformat.writes(expected) + "\n"


def test_fix_keeps_another_json_layout(project):
    """Two-space indentation, keys in the writer's order, non-ASCII escaped, no last newline,
    a cell's source as one string."""
    data = json.loads(nbformat.writes(agent_notebook()))
    data = {"nbformat": data.pop("nbformat"), "nbformat_minor": data.pop("nbformat_minor"), **data}
    data["cells"][3]["source"] = WRONG_TOOL
    path = project / "agent.ipynb"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=True), encoding="utf-8")
    assert run_cli("--no-cache", "--fix", "agent.ipynb", cwd=project).exit_code == 0
    data["cells"][3]["source"] = RIGHT_TOOL
    assert path.read_text(encoding="utf-8") == json.dumps(data, indent=2, ensure_ascii=True)
    nbformat.validate(nbformat.read(str(path), as_version=4))


def test_the_fixed_notebook_runs_with_the_real_agents_sdk_and_records_the_call(project, offline_store):
    from agents import FunctionTool

    import fluxloop_runtime

    path = write_notebook(project, "agent.ipynb", agent_notebook())
    assert run_cli("--no-cache", "--fix", "agent.ipynb", cwd=project).exit_code == 0
    namespace: dict[str, object] = {}
    for cell in nbformat.read(str(path), as_version=4).cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, str(path), "exec"), namespace)
    assert isinstance(namespace["lookup"], FunctionTool)
    with fluxloop_runtime.instrument("notebook_run"):
        assert _invoke(namespace["lookup"], {"query": "paris"}) == "PARIS"
    [observation] = offline_store.observations()
    assert (observation["name"], observation["output"]) == ("tool.lookup", "PARIS")


def test_manual_strategy_instruments_the_body_keeps_its_magic_and_imports_in_the_import_cell(project):
    tool = WRONG_TOOL.replace("    return query.upper()", "    %time x = 1\n    return query.upper()")
    notebook = agent_notebook(tool)
    path = write_notebook(project, "agent.ipynb", notebook)
    result = run_cli("--no-cache", "--fix", "--fix-strategy", "manual", "agent.ipynb", cwd=project)
    assert result.exit_code == 0, result.stdout + result.stderr
    fixed = nbformat.read(str(path), as_version=4)
    nbformat.validate(fixed)
    assert "from fluxloop_runtime import get_current_context" in fixed.cells[1].source
    body = fixed.cells[3].source
    assert body.startswith("@function_tool\ndef lookup(query: str) -> str:\n")
    assert "    try:\n        %time x = 1\n        fl_result = query.upper()\n" in body
    assert "fl_ctx.pop_observation()" in body
    assert fixed.cells[4].source == "lookup" and fixed.cells[1].outputs == notebook.cells[1].outputs
    assert run_cli("--no-cache", "agent.ipynb", cwd=project).exit_code == 0


def test_diff_shows_the_changed_cells_and_writes_nothing(project):
    path = write_notebook(project, "agent.ipynb", agent_notebook())
    before = path.read_bytes()
    result = run_cli("--no-cache", "--diff", "agent.ipynb", cwd=project)
    assert result.exit_code == 1
    assert result.stdout == (
        f"--- agent.ipynb:cell {WRONG_CELL}\n"
        f"+++ agent.ipynb:cell {WRONG_CELL}\n"
        "@@ -1,5 +1,5 @@\n"
        "+@function_tool\n"
        ' @fluxloop_runtime.tool(name="tool.lookup")\n'
        "-@function_tool\n"
        " def lookup(query: str) -> str:\n"
        '     """Look a query up (é)."""\n'
        "     return query.upper()\n"
        "\\ No newline at end of file\n"
    )
    assert "Would fix 1 problem in 1 file." in result.stderr
    assert path.read_bytes() == before


def test_stdin_with_a_notebook_filename_prints_the_fixed_notebook(project):
    source = nbformat.writes(agent_notebook()) + "\n"
    result = run_cli("--fix", "--stdin-filename", "agent.ipynb", "-", cwd=project, input=source.encode())
    assert nbformat.reads(result.stdout, as_version=4).cells[3].source == RIGHT_TOOL


# --- IPython syntax -------------------------------------------------------------------------------


MAGICS = """\
%pip install openai-agents
%time value = 1
!ls -la
listing = !ls
files, count = %sx ls
function_tool?
??function_tool
!echo \\
    continued
text = '''Is this help?
!not a shell escape
%not a magic'''
ratio = (10
    % 3)
print("why?")  # a question?"""


def test_magics_shell_escapes_and_help_are_masked_never_reported_and_kept_by_a_fix(project):
    notebook = agent_notebook()
    notebook.cells.insert(2, new_code_cell(MAGICS))
    notebook.cells.insert(3, new_code_cell("%%bash\necho 'not python (' \n"))
    notebook.cells.insert(4, new_code_cell("%%time\n@fluxloop_runtime.tool\n@function_tool\ndef hidden(): ..."))
    path = write_notebook(project, "agent.ipynb", notebook)
    result = run_cli("--no-cache", "agent.ipynb", cwd=project)
    assert result.stdout.splitlines()[0].startswith(f"agent.ipynb:cell {WRONG_CELL + 3}:1:1: FLX101")
    assert "Found 1 problem" in result.stdout
    assert run_cli("--no-cache", "--fix", "agent.ipynb", cwd=project).exit_code == 0
    assert nbformat.read(str(path), as_version=4) == with_cell_source(notebook, WRONG_CELL + 2, RIGHT_TOOL)


def test_mask_masks_escapes_only_where_a_statement_starts_and_unmask_reindents_them():
    masked, originals = ipython.mask(MAGICS)
    assert originals == tuple(MAGICS.splitlines(keepends=True)[:9])
    assert masked.splitlines()[9:] == MAGICS.splitlines()[9:]
    compile(masked, "cell", "exec")
    assert ipython.unmask(masked, originals) == MAGICS

    in_block = "for item in items:\n    !echo \\\n      item\n"
    masked, originals = ipython.mask(in_block)
    moved = masked.replace("    pass", "        pass")
    assert ipython.unmask(moved, originals) == "for item in items:\n        !echo \\\n          item\n"
    assert ipython.unmask(masked.replace("    pass  # IPython line 1\n", ""), originals) is None


def test_a_fix_that_would_lose_a_cell_boundary_is_refused():
    raw = nbformat.writes(new_notebook(cells=[new_code_cell("import fluxloop_runtime"), new_code_cell("%ls\nx = 1")]))
    module = CellModule.join(read_notebook(raw.encode()))
    assert module.cell_sources(module.text) == {1: "import fluxloop_runtime", 2: "%ls\nx = 1"}
    assert module.cell_sources(module.text.replace("# -- notebook cell 2 --\n", "")) is None
    assert module.cell_sources(module.text.replace("pass  # IPython line 0\n", "")) is None


def test_one_cells_fix_keeps_its_ipython_lines_or_is_refused():
    source = "%ls\nx = 1"  # no newline at the end, as Jupyter saves a cell
    renamed = Edit(Position(2, 1), Position(2, 2), "y")
    assert fixed_cell(2, source, [renamed]) == "%ls\ny = 1"
    removes_the_magic = Edit(Position(1, 1), Position(2, 1), "")
    assert fixed_cell(2, source, [removes_the_magic]) is None


# --- suppressions, settings, cache ----------------------------------------------------------------


def test_noqa_in_a_cell_and_the_file_level_noqa_in_any_cell(project):
    notebook = agent_notebook(WRONG_TOOL.replace('name="tool.lookup")', 'name="tool.lookup")  # noqa: FLX101'))
    write_notebook(project, "noqa.ipynb", notebook)
    file_noqa = agent_notebook()
    file_noqa.cells.append(new_code_cell("# fluxloop-lint: noqa"))
    write_notebook(project, "file_noqa.ipynb", file_noqa)
    result = run_cli("--no-cache", ".", cwd=project)
    assert result.exit_code == 0, result.stdout
    assert run_cli("--no-cache", "--fix", ".", cwd=project).stdout == "All checks passed!\n"


def test_excludes_and_per_file_ignores_apply_and_the_cache_keeps_the_cell(project):
    write(project, "pyproject.toml", '[tool.fluxloop-lint]\nextend-exclude = ["drafts"]\nper-file-ignores = { "ignored.ipynb" = ["FLX101"] }\n')
    write_notebook(project, "drafts/agent.ipynb", agent_notebook())
    write_notebook(project, "ignored.ipynb", agent_notebook())
    write_notebook(project, "agent.ipynb", agent_notebook())
    first = run_cli(".", cwd=project)
    assert [line.split(": ")[0] for line in first.stdout.splitlines()[:-2]] == [f"agent.ipynb:cell {WRONG_CELL}:1:1"]
    cached = run_cli(".", cwd=project)
    assert cached.stdout == first.stdout
    assert '"cell":4' in next((project / ".fluxloop-lint-cache").rglob("results.json")).read_text()


# --- bad notebooks --------------------------------------------------------------------------------


def test_broken_notebooks_are_one_flx001_line_each_left_untouched_and_the_run_goes_on(project):
    write(project, "not_json.ipynb", '{"cells": [import fluxloop_runtime\n')
    version_3 = json.loads(nbformat.writes(agent_notebook()))
    version_3["nbformat"] = 3
    write(project, "version_3.ipynb", json.dumps(version_3))
    broken_cell = agent_notebook()
    broken_cell.cells.insert(4, new_code_cell("x = 1\ndef broken(:\n    pass"))
    write_notebook(project, "broken_cell.ipynb", broken_cell)
    write_notebook(project, "agent.ipynb", agent_notebook())
    before = {path.name: path.read_bytes() for path in project.glob("*.ipynb")}
    result = run_cli("--no-cache", "--fix", ".", cwd=project)
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if "FLX001" in line]
    assert lines == [
        "broken_cell.ipynb:cell 5:2:12: FLX001 cannot parse this file: invalid syntax; "
        "the linter checked nothing in it and will not change it",
        "not_json.ipynb:1:12: FLX001 cannot parse this file: not JSON: Expecting value; "
        "the linter checked nothing in it and will not change it",
        "version_3.ipynb:1:1: FLX001 cannot parse this file: not an nbformat 4 notebook (nbformat 3); "
        "the linter checked nothing in it and will not change it",
    ]
    assert "Fixed agent.ipynb (1 problem)" in result.stdout
    for name in ("not_json.ipynb", "version_3.ipynb", "broken_cell.ipynb"):
        assert (project / name).read_bytes() == before[name]


# --- other tools ----------------------------------------------------------------------------------


def test_the_flake8_plugin_leaves_a_notebook_named_to_it_alone(project):
    path = write_notebook(project, "agent.ipynb", agent_notebook())
    completed = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "FLX", str(path)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in completed.stdout + completed.stderr
    assert (completed.returncode, completed.stdout) == (0, "")


def test_a_cell_holding_the_linters_own_cell_marker_is_an_error_of_that_notebook_only(project):
    notebook = agent_notebook()
    notebook.cells[1].source = IMPORTS + "\n# -- notebook cell 4 --"
    write_notebook(project, "marker.ipynb", notebook)
    write_notebook(project, "agent.ipynb", agent_notebook())
    result = run_cli("--no-cache", ".", cwd=project)
    assert result.exit_code == 2
    assert result.stderr == (
        "fluxloop-lint: error: marker.ipynb: a code cell holds a line `# -- notebook cell N --`, "
        "which the linter uses itself; not checked\n"
    )
    assert result.stdout.startswith(f"agent.ipynb:cell {WRONG_CELL}:1:1: FLX101")


def test_mask_leaves_real_python_alone():
    """No line of valid Python is an IPython escape: every module of a real package (strings
    ending with `?`, lines starting with `%` inside brackets, ...) comes through unchanged."""
    import agents

    modules = sorted(Path(agents.__file__).parent.rglob("*.py"))
    assert len(modules) > 100
    for module in modules:
        source = module.read_text(encoding="utf-8")
        assert ipython.mask(source) == (source, ()), module
