"""`fluxloop parse experiment DIR`: one readable Markdown file per trace, plus JSONL.

Reads the run records (`DIR/traces.jsonl`) and the observations the offline store wrote
(`DIR/artifacts/observations.jsonl`), rebuilds each trace's tree from
`parent_observation_id`, and writes into the output folder (default
`DIR/per_trace_analysis/`) `{iteration:02d}_{trace_id}.md` per run and `per_trace.jsonl`
with the same data, one line per run.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from fluxloop_runtime.experiments.errors import ExperimentError
from fluxloop_runtime.experiments.files import write_text_atomically
from fluxloop_runtime.serialization import json_default, json_line

ANALYSIS_FOLDER = "per_trace_analysis"
PER_TRACE_JSONL = "per_trace.jsonl"
_INLINE_LIMIT = 80


@dataclass(frozen=True)
class Step:
    """One observation in a trace's timeline; `depth` 0 is a root, `parent_step` its parent's number."""

    step: int
    depth: int
    parent_step: int | None
    id: str
    parent_id: str | None
    type: str
    name: str
    start_time: str | None
    end_time: str | None
    duration_ms: float | None
    input: Any
    output: Any
    error: str | None


@dataclass(frozen=True)
class ParseResult:
    output_folder: Path
    traces: int
    unmatched_observations: int


def parse_experiment(folder: Path, *, output: Path | None = None, overwrite: bool = False) -> ParseResult:
    if not folder.is_dir():
        raise ExperimentError(f"{folder}: no such experiment folder")
    if not (folder / "traces.jsonl").is_file():
        raise ExperimentError(f"{folder}: not an experiment folder (no traces.jsonl)")
    runs = _read_jsonl(folder / "traces.jsonl")
    observations_path = folder / "artifacts" / "observations.jsonl"
    observations = _read_jsonl(observations_path) if observations_path.exists() else []

    output_folder = output if output is not None else folder / ANALYSIS_FOLDER
    if output_folder.exists() and not overwrite and any(output_folder.iterdir()):
        raise ExperimentError(f"{output_folder}: already exists; pass --overwrite to replace its files")
    try:
        output_folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExperimentError(f"cannot create {output_folder}: {error.strerror}") from None

    by_trace: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for observation in observations:
        by_trace[str(observation.get("trace_id"))].append(observation)

    lines = []
    for run in runs:
        trace_id = str(run.get("trace_id"))
        steps = timeline(by_trace.get(trace_id, []))
        document = {**run, "steps": [asdict(step) for step in steps]}
        write_text_atomically(output_folder / f"{int(run.get('iteration', 0)):02d}_{trace_id}.md", trace_markdown(run, steps))
        lines.append(json_line(document))
    write_text_atomically(output_folder / PER_TRACE_JSONL, "".join(lines))

    known = {str(run.get("trace_id")) for run in runs}
    unmatched = sum(len(found) for trace_id, found in by_trace.items() if trace_id not in known)
    return ParseResult(output_folder=output_folder, traces=len(runs), unmatched_observations=unmatched)


def timeline(observations: list[dict[str, Any]]) -> list[Step]:
    """Observations in reading order: each parent, then its children by start time (depth first)."""
    ids = {str(observation.get("id")) for observation in observations}
    children: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for observation in observations:
        parent = observation.get("parent_observation_id")
        # A parent outside this trace (or never written) makes the observation a root.
        children[str(parent) if parent is not None and str(parent) in ids else None].append(observation)
    for siblings in children.values():
        siblings.sort(key=lambda observation: str(observation.get("start_time") or ""))

    steps: list[Step] = []

    def visit(parent_id: str | None, depth: int, parent_step: int | None) -> None:
        for observation in children.get(parent_id, []):
            number = len(steps) + 1
            steps.append(_step(observation, number, depth, parent_step))
            visit(str(observation.get("id")), depth + 1, number)

    visit(None, 0, None)
    return steps


def _step(observation: dict[str, Any], number: int, depth: int, parent_step: int | None) -> Step:
    start, end = observation.get("start_time"), observation.get("end_time")
    parent = observation.get("parent_observation_id")
    return Step(
        step=number,
        depth=depth,
        parent_step=parent_step,
        id=str(observation.get("id")),
        parent_id=None if parent is None else str(parent),
        type=str(observation.get("type", "span")),
        name=str(observation.get("name", "")),
        start_time=start,
        end_time=end,
        duration_ms=_duration_ms(start, end),
        input=observation.get("input"),
        output=observation.get("output"),
        error=observation.get("error"),
    )


def _duration_ms(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    try:
        return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() * 1000, 3)
    except (TypeError, ValueError):
        return None


def trace_markdown(run: dict[str, Any], steps: list[Step]) -> str:
    front_matter = {key: run.get(key) for key in ("trace_id", "iteration", "persona", "duration_ms", "success")}
    lines = ["---", yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True).rstrip(), "---", ""]
    lines += [f"# Trace {run.get('trace_id')}", "", "## Summary", ""]
    lines += _field("Input", run.get("input"))
    lines += _field("Output", run.get("output"))
    if run.get("error"):
        lines += _field("Error", run.get("error"))
    lines += ["", "## Timeline", ""]
    if not steps:
        lines += ["No observations were recorded for this trace.", ""]
    for step in steps:
        heading = "#" * min(3 + step.depth, 6)
        lines += [f"{heading} Step {step.step}: [{step.type}] {step.name}", ""]
        if step.parent_step is not None:
            lines.append(f"- Parent: Step {step.parent_step}")
        lines.append(f"- Start: {step.start_time or '-'}")
        lines.append(f"- End: {step.end_time or '-'}")
        lines.append(f"- Duration: {'-' if step.duration_ms is None else f'{step.duration_ms:.3f} ms'}")
        lines += _field("Input", step.input)
        lines += _field("Output", step.output)
        if step.error:
            lines += _field("Error", step.error)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _field(label: str, value: Any) -> list[str]:
    """`- Label: value` inline when short, else an indented fenced JSON block; `-` when absent."""
    if value is None:
        return [f"- {label}: -"]
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=json_default)
    if "\n" not in text and len(text) <= _INLINE_LIMIT:
        return [f"- {label}: `{text}`" if "`" not in text else f"- {label}: {text}"]
    pretty = value if isinstance(value, str) else json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    fence = "````" if "```" in pretty else "```"
    return [f"- {label}:", "", f"  {fence}", *(f"  {line}" for line in pretty.splitlines()), f"  {fence}", ""]


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ExperimentError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ExperimentError(f"{path}: not valid UTF-8") from None
    return list(_records(path, text))


def _records(path: Path, text: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ExperimentError(f"{path}:{number}: invalid JSON: {error.msg}") from None
        if not isinstance(record, dict):
            raise ExperimentError(f"{path}:{number}: expected a JSON object")
        yield record


