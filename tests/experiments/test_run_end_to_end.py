"""`fluxloop run experiment` then `fluxloop parse experiment`, through the real command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.experiments.conftest import fluxloop


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _only_experiment(root: Path) -> Path:
    (folder,) = root.iterdir()
    return folder


@pytest.fixture
def experiment(project: Path) -> tuple[Path, object]:
    """The fixture experiment run once with `--iterations 3`: (its folder, the completed process)."""
    result = fluxloop("run", "experiment", "--config", "config.yaml", "--iterations", "3", cwd=project)
    assert result.returncode == 0, result.stderr
    return _only_experiment(project / "experiments"), result


def test_the_folder_holds_summary_traces_and_artifacts(experiment) -> None:
    folder, result = experiment

    assert re.fullmatch(r"support_smoke_\d{8}_\d{6}", folder.name)
    assert sorted(path.name for path in folder.iterdir()) == ["artifacts", "summary.json", "traces.jsonl"]
    assert sorted(path.name for path in (folder / "artifacts").iterdir()) == ["observations.jsonl", "traces.jsonl"]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["name"] == "support_smoke"
    assert summary["iterations"] == 3 and summary["interrupted"] is False
    assert summary["config"]["runner"]["target"] == "support_agent:answer"
    totals = summary["totals"]
    assert (totals["runs"], totals["successful"], totals["failed"]) == (9, 6, 3)
    assert totals["success_rate"] == pytest.approx(6 / 9, abs=1e-4)
    assert totals["mean_duration_ms"] > 0
    # The summary table on stdout, progress on stderr.
    assert re.search(r"^\s+total\s+9\s+6\s+3\s", result.stdout, re.MULTILINE)
    assert "[9/9] iteration 2, input 2: FAILED (ValueError: cannot handle request" in result.stderr


def test_each_run_is_one_trace_and_failures_keep_their_error(experiment) -> None:
    folder, _ = experiment
    runs = _lines(folder / "traces.jsonl")

    assert [(run["iteration"], run["input_index"]) for run in runs] == [(i, n) for i in range(3) for n in range(3)]
    assert [run["persona"] for run in runs[:3]] == ["impatient_customer", "new_customer", "adversarial"]
    assert runs[0]["output"] == "Order A100 is shipped." and runs[0]["success"] is True
    failed = [run for run in runs if not run["success"]]
    assert [run["input_index"] for run in failed] == [2, 2, 2]
    assert all(run["error"].startswith("ValueError: cannot handle request") for run in failed)
    assert len({run["trace_id"] for run in runs}) == 9

    traces = {trace["id"]: trace for trace in _lines(folder / "artifacts" / "traces.jsonl")}
    assert set(traces) == {run["trace_id"] for run in runs}
    for run in runs:
        trace = traces[run["trace_id"]]
        assert trace["name"] == f"support_smoke_iter{run['iteration']}"
        assert trace["metadata"]["iteration"] == run["iteration"]
        assert trace["metadata"]["persona"] == run["persona"]


def test_observations_belong_to_their_trace_with_the_right_parents(experiment) -> None:
    folder, _ = experiment
    runs = {run["trace_id"]: run for run in _lines(folder / "traces.jsonl")}
    observations = _lines(folder / "artifacts" / "observations.jsonl")

    assert {observation["trace_id"] for observation in observations} == set(runs)
    by_trace: dict[str, list[dict]] = {}
    for observation in observations:
        by_trace.setdefault(observation["trace_id"], []).append(observation)
    for trace_id, run in runs.items():
        found = {observation["name"]: observation for observation in by_trace[trace_id]}
        root = found["answer"]
        assert root["type"] == "agent" and "parent_observation_id" not in root
        if run["success"]:
            assert sorted(found) == ["answer", "lookup_order", "stream_reply"]
            tool, stream = found["lookup_order"], found["stream_reply"]
            assert tool["type"] == "tool" and stream["type"] == "generation"
            assert tool["parent_observation_id"] == root["id"] == stream["parent_observation_id"]
            # The streaming step stays open until the stream ends and records what it streamed.
            assert "".join(stream["output"]).strip() == run["output"] == root["output"]
            assert stream["end_time"] >= stream["start_time"]
        else:
            assert sorted(found) == ["answer"]
            assert root["error"] == run["error"].removeprefix("ValueError: ")


def test_parse_writes_a_markdown_file_per_run_and_jsonl(experiment) -> None:
    folder, _ = experiment
    runs = _lines(folder / "traces.jsonl")

    result = fluxloop("parse", "experiment", folder, cwd=folder.parent)

    assert result.returncode == 0, result.stderr
    analysis = folder / "per_trace_analysis"
    expected = {f"{run['iteration']:02d}_{run['trace_id']}.md" for run in runs}
    assert {path.name for path in analysis.glob("*.md")} == expected
    succeeded = next(run for run in runs if run["success"])
    markdown = (analysis / f"{succeeded['iteration']:02d}_{succeeded['trace_id']}.md").read_text()
    assert f"trace_id: {succeeded['trace_id']}" in markdown
    assert "- Output: `Order A100 is shipped.`" in markdown
    assert [line for line in markdown.splitlines() if line.startswith("#") and "Step" in line] == [
        "### Step 1: [agent] answer",
        "#### Step 2: [tool] lookup_order",
        "#### Step 3: [generation] stream_reply",
    ]
    parsed = _lines(analysis / "per_trace.jsonl")
    assert [line["trace_id"] for line in parsed] == [run["trace_id"] for run in runs]
    failed = next(line for line in parsed if not line["success"])
    assert [step["name"] for step in failed["steps"]] == ["answer"] and failed["steps"][0]["error"]


def test_output_override_and_a_sync_method_target_with_a_timeout(project: Path) -> None:
    config = {
        "name": "bot",
        "base_inputs": [{"input": "status A100"}, {"input": "sleep 5 then C300"}, {"input": "status C300"}],
        "runner": {"target": "support_agent:SupportBot.reply", "timeout_seconds": 0.5},
    }
    (project / "bot.yaml").write_text(yaml.safe_dump(config))

    result = fluxloop("run", "experiment", "--config", "bot.yaml", "--output", "elsewhere", cwd=project)

    assert result.returncode == 0, result.stderr
    assert not (project / "experiments").exists()
    folder = _only_experiment(project / "elsewhere")
    runs = _lines(folder / "traces.jsonl")
    assert [run["success"] for run in runs] == [True, False, True]
    assert runs[0]["output"] == "Hello! Order A100 is shipped."
    assert runs[1]["error"] == "TimeoutError: the run took longer than runner.timeout_seconds (0.5 s)"
    assert runs[2]["output"] == "Hello! Order C300 is delivered."
    # The worker thread a sync target runs in carries the run's trace and parent.
    first = [o for o in _lines(folder / "artifacts" / "observations.jsonl") if o["trace_id"] == runs[0]["trace_id"]]
    by_name = {observation["name"]: observation for observation in first}
    assert sorted(by_name) == ["lookup_order", "support_bot"]
    assert by_name["lookup_order"]["parent_observation_id"] == by_name["support_bot"]["id"]


def test_runner_working_directory_python_path_and_environment(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "helper.py").write_text("PREFIX = 'from lib'\n")
    (tmp_path / "agent").mkdir()
    (tmp_path / "agent" / "data.txt").write_text("read relative to the working directory\n")
    (tmp_path / "agent" / "env_agent.py").write_text(
        "import os\nfrom pathlib import Path\nimport helper\n\n"
        "def run(input):\n"
        "    return [helper.PREFIX, os.environ['AGENT_MODE'], Path('data.txt').read_text().strip(), input]\n"
    )
    (tmp_path / "configs").mkdir()
    config = {
        "name": "env",
        "base_inputs": [{"input": "hi"}],
        "runner": {
            "target": "env_agent:run",
            "working_directory": "../agent",
            "python_path": ["../lib"],
            "environment_vars": {"AGENT_MODE": "testing"},
        },
        "output_directory": "../out",
    }
    (tmp_path / "configs" / "config.yaml").write_text(yaml.safe_dump(config))

    result = fluxloop("run", "experiment", "--config", "configs/config.yaml", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    (run,) = _lines(_only_experiment(tmp_path / "out") / "traces.jsonl")
    assert run["output"] == ["from lib", "testing", "read relative to the working directory", "hi"]


def test_python_dash_m_is_the_same_command(project: Path) -> None:
    script = fluxloop("run", "experiment", "--config", "config.yaml", "--output", "by_script", cwd=project)
    module = fluxloop("run", "experiment", "--config", "config.yaml", "--output", "by_module", cwd=project, module=True)

    assert script.returncode == module.returncode == 0, module.stderr

    def comparable(root: Path) -> list[tuple]:
        runs = _lines(_only_experiment(root) / "traces.jsonl")
        return [(r["iteration"], r["input_index"], r["output"], r["success"], r["error"]) for r in runs]

    assert comparable(project / "by_script") == comparable(project / "by_module")
    for arguments in (["--help"], ["run", "experiment", "--help"], ["parse", "experiment", "--help"]):
        assert fluxloop(*arguments, cwd=project).stdout == fluxloop(*arguments, cwd=project, module=True).stdout
