"""`fluxloop parse experiment` on an experiment folder written in the SDK's line format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.experiments.conftest import fluxloop

TRACE_OK = "0b6f2d2e-1111-4c4c-9a9a-000000000001"
TRACE_FAILED = "0b6f2d2e-2222-4c4c-9a9a-000000000002"
TRACE_INTERRUPTED = "0b6f2d2e-3333-4c4c-9a9a-000000000003"
AGENT, TOOL, GENERATION, FAILED_AGENT = (f"7e0c6a1c-0000-4000-8000-00000000000{n}" for n in range(1, 5))

RUNS = [
    {"trace_id": TRACE_OK, "iteration": 0, "input_index": 0, "persona": "new_customer", "input": "Where is A100?",
     "output": "Order A100 is shipped.", "duration_ms": 12.5, "success": True, "error": None},
    {"trace_id": TRACE_FAILED, "iteration": 1, "input_index": 1, "persona": None, "input": "explode",
     "output": None, "duration_ms": 1.25, "success": False, "error": "ValueError: boom"},
]

# As the offline store writes them: children end (and are written) before their parents.
OBSERVATIONS = [
    {"id": TOOL, "type": "tool", "name": "lookup_order", "trace_id": TRACE_OK, "parent_observation_id": AGENT,
     "start_time": "2025-01-01T10:00:00.002000+00:00", "end_time": "2025-01-01T10:00:00.003500+00:00",
     "input": {"order_id": "A100"}, "output": {"order_id": "A100", "status": "shipped"}, "level": "info", "metadata": {}},
    {"id": GENERATION, "type": "generation", "name": "stream_reply", "trace_id": TRACE_OK, "parent_observation_id": AGENT,
     "start_time": "2025-01-01T10:00:00.004000+00:00", "end_time": "2025-01-01T10:00:00.010000+00:00",
     "output": ["Order ", "A100 ", "is ", "shipped. "], "level": "info", "metadata": {}},
    {"id": AGENT, "type": "agent", "name": "answer", "trace_id": TRACE_OK,
     "start_time": "2025-01-01T10:00:00.001000+00:00", "end_time": "2025-01-01T10:00:00.012000+00:00",
     "input": {"input": "Where is A100?"}, "output": "Order A100 is shipped.", "level": "info", "metadata": {}},
    {"id": FAILED_AGENT, "type": "agent", "name": "answer", "trace_id": TRACE_FAILED,
     "start_time": "2025-01-01T10:00:01+00:00", "end_time": "2025-01-01T10:00:01.001250+00:00",
     "input": {"input": "explode"}, "error": "boom", "level": "error", "metadata": {}},
    {"id": "7e0c6a1c-0000-4000-8000-000000000009", "type": "span", "name": "cut_short", "trace_id": TRACE_INTERRUPTED,
     "start_time": "2025-01-01T10:00:02+00:00", "end_time": "2025-01-01T10:00:03+00:00", "metadata": {}},
]


def _experiment_folder(root: Path) -> Path:
    folder = root / "support_smoke_20250101_100000"
    (folder / "artifacts").mkdir(parents=True)
    (folder / "traces.jsonl").write_text("".join(json.dumps(run) + "\n" for run in RUNS))
    (folder / "artifacts" / "observations.jsonl").write_text("".join(json.dumps(o) + "\n" for o in OBSERVATIONS))
    return folder


def _front_matter(markdown: str) -> dict:
    _, front, _ = markdown.split("---\n", 2)
    return yaml.safe_load(front)


def test_one_markdown_file_per_trace_with_a_nested_timeline(tmp_path: Path) -> None:
    folder = _experiment_folder(tmp_path)

    result = fluxloop("parse", "experiment", folder, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "parsed 2 trace(s)" in result.stdout
    assert "1 observation(s) belong to no completed run" in result.stderr
    analysis = folder / "per_trace_analysis"
    assert sorted(path.name for path in analysis.iterdir()) == sorted(
        [f"00_{TRACE_OK}.md", f"01_{TRACE_FAILED}.md", "per_trace.jsonl"]
    )

    markdown = (analysis / f"00_{TRACE_OK}.md").read_text()
    assert _front_matter(markdown) == {
        "trace_id": TRACE_OK, "iteration": 0, "persona": "new_customer", "duration_ms": 12.5, "success": True,
    }
    assert "- Input: `Where is A100?`" in markdown
    assert "- Output: `Order A100 is shipped.`" in markdown
    headings = [line for line in markdown.splitlines() if "Step " in line and line.startswith("#")]
    assert headings == [
        "### Step 1: [agent] answer",
        "#### Step 2: [tool] lookup_order",
        "#### Step 3: [generation] stream_reply",
    ]
    tool_section = markdown.split("#### Step 2: [tool] lookup_order")[1].split("####")[0]
    assert "- Parent: Step 1" in tool_section
    assert "- Start: 2025-01-01T10:00:00.002000+00:00" in tool_section
    assert "- End: 2025-01-01T10:00:00.003500+00:00" in tool_section
    assert "- Duration: 1.500 ms" in tool_section
    assert '- Input: `{"order_id": "A100"}`' in tool_section

    failed = (analysis / f"01_{TRACE_FAILED}.md").read_text()
    assert _front_matter(failed)["success"] is False
    assert "- Error: `ValueError: boom`" in failed.split("## Timeline")[0]
    assert "### Step 1: [agent] answer" in failed and "- Error: `boom`" in failed.split("## Timeline")[1]


def test_per_trace_jsonl_holds_the_same_data(tmp_path: Path) -> None:
    folder = _experiment_folder(tmp_path)

    assert fluxloop("parse", "experiment", folder, cwd=tmp_path).returncode == 0

    lines = [json.loads(line) for line in (folder / "per_trace_analysis" / "per_trace.jsonl").read_text().splitlines()]
    assert [line["trace_id"] for line in lines] == [TRACE_OK, TRACE_FAILED]
    steps = lines[0]["steps"]
    assert [(s["step"], s["depth"], s["parent_step"], s["type"], s["name"]) for s in steps] == [
        (1, 0, None, "agent", "answer"),
        (2, 1, 1, "tool", "lookup_order"),
        (3, 1, 1, "generation", "stream_reply"),
    ]
    assert steps[1]["parent_id"] == AGENT and steps[1]["duration_ms"] == 1.5
    assert steps[2]["output"] == ["Order ", "A100 ", "is ", "shipped. "]
    assert lines[1]["error"] == "ValueError: boom" and lines[1]["steps"][0]["error"] == "boom"


def test_refuses_to_overwrite_without_the_flag(tmp_path: Path) -> None:
    folder = _experiment_folder(tmp_path)
    assert fluxloop("parse", "experiment", folder, cwd=tmp_path).returncode == 0
    markdown = folder / "per_trace_analysis" / f"00_{TRACE_OK}.md"
    markdown.write_text("edited by hand\n")

    refused = fluxloop("parse", "experiment", folder, cwd=tmp_path)

    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        f"fluxloop: error: {folder / 'per_trace_analysis'}: already exists; pass --overwrite to replace its files"
    ]
    assert markdown.read_text() == "edited by hand\n"

    replaced = fluxloop("parse", "experiment", folder, "--overwrite", cwd=tmp_path)

    assert replaced.returncode == 0, replaced.stderr
    assert markdown.read_text().startswith("---\ntrace_id: ")


def test_output_option_chooses_the_folder(tmp_path: Path) -> None:
    folder = _experiment_folder(tmp_path)

    result = fluxloop("parse", "experiment", folder, "--output", tmp_path / "analysis", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "analysis" / "per_trace.jsonl").is_file()
    assert not (folder / "per_trace_analysis").exists()


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda folder: (folder / "traces.jsonl").unlink(), "not an experiment folder (no traces.jsonl)"),
        (lambda folder: (folder / "traces.jsonl").write_text('{"trace_id": 1}\n{oops\n'), "traces.jsonl:2: invalid JSON"),
        (lambda folder: (folder / "artifacts" / "observations.jsonl").write_text("[1, 2]\n"), "observations.jsonl:1: expected a JSON object"),
        (lambda folder: (folder / "traces.jsonl").write_bytes(b"\xff\xfe\n"), "traces.jsonl: not valid UTF-8"),
    ],
    ids=["no-traces", "bad-json", "not-an-object", "not-utf8"],
)
def test_a_damaged_folder_is_one_line_and_exit_2(tmp_path: Path, damage, expected: str) -> None:
    folder = _experiment_folder(tmp_path)
    damage(folder)

    result = fluxloop("parse", "experiment", folder, cwd=tmp_path)

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
