"""`fluxloop run experiment`: run the target once per input per iteration, one trace each.

The experiment's folder, `<output_directory>/<name>_<YYYYmmdd_HHMMSS>/`, holds
`summary.json`, `traces.jsonl` (one line per completed run, appended as runs finish) and
`artifacts/`, where the runtime's offline store writes `observations.jsonl` and
`traces.jsonl` while the experiment runs.

Ctrl-C cancels the run in progress (asyncio turns SIGINT into a cancellation of the main
task); the runs completed before it are summarised and the command exits 130.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fluxloop_runtime import configure, flush, get_config, instrument
from fluxloop_runtime.experiments.config import InputItem, LoadedExperiment
from fluxloop_runtime.experiments.errors import ExperimentError
from fluxloop_runtime.experiments.files import write_text_atomically
from fluxloop_runtime.experiments.report import RunRecord, summary_table, totals
from fluxloop_runtime.experiments.target import call_target, resolve_target
from fluxloop_runtime.serialization import json_line

# The settings an experiment needs while it runs: record everything, into its own folder.
_RECORDING_KEYS = ("enabled", "sample_rate", "offline_store_enabled", "offline_store_dir")


@dataclass(frozen=True)
class ExperimentResult:
    folder: Path
    records: tuple[RunRecord, ...]
    interrupted: bool
    table: str


def run_experiment(
    loaded: LoadedExperiment,
    *,
    iterations: int | None = None,
    output_directory: Path | None = None,
    progress: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
) -> ExperimentResult:
    """Run the experiment and write its folder; raise ExperimentError before any run on bad set-up."""
    config = loaded.config
    iterations = config.iterations if iterations is None else iterations
    if iterations < 1:
        raise ExperimentError(f"--iterations must be at least 1, got {iterations}")
    started_at = datetime.now().astimezone()
    records: list[RunRecord] = []
    interrupted = False
    if config.seed is not None:
        random.seed(config.seed)  # so agents that draw random numbers repeat across experiments

    with _runner_environment(loaded):
        target = resolve_target(config.runner.target)
        folder = _new_experiment_folder(output_directory or loaded.output_directory, config.name, started_at)
        artifacts = folder / "artifacts"
        artifacts.mkdir()
        progress(f"experiment {config.name}: {iterations} iteration(s) x {len(loaded.inputs)} input(s) -> {folder}")
        with _recording_into(artifacts), (folder / "traces.jsonl").open("w", encoding="utf-8") as trace_lines:

            def record(run: RunRecord) -> None:
                records.append(run)
                trace_lines.write(json_line(asdict(run)))
                trace_lines.flush()

            try:
                interrupted = asyncio.run(
                    _run_all(
                        target,
                        loaded,
                        iterations=iterations,
                        experiment_id=folder.name,
                        record=record,
                        progress=progress,
                    )
                )
            except KeyboardInterrupt:  # a second Ctrl-C, or one asyncio could not turn into a cancel
                interrupted = True

    if interrupted:
        progress(f"interrupted: {len(records)} completed run(s) kept")
    _write_summary(folder, loaded, started_at, iterations, records, interrupted)
    return ExperimentResult(
        folder=folder,
        records=tuple(records),
        interrupted=interrupted,
        table=summary_table(records, [item.input for item in loaded.inputs]),
    )


async def _run_all(
    target: Callable[..., Any],
    loaded: LoadedExperiment,
    *,
    iterations: int,
    experiment_id: str,
    record: Callable[[RunRecord], None],
    progress: Callable[[str], None],
) -> bool:
    """Run everything; return True when interrupted (the main task was cancelled)."""
    total = iterations * len(loaded.inputs)
    number = 0
    try:
        for iteration in range(iterations):
            for input_index, item in enumerate(loaded.inputs):
                number += 1
                label = f"[{number}/{total}] iteration {iteration}, input {input_index}"
                progress(f"{label}: running")
                run = await _run_once(target, loaded, item, iteration, input_index, experiment_id)
                record(run)
                outcome = "ok" if run.success else f"FAILED ({run.error})"
                progress(f"{label}: {outcome} in {run.duration_ms:.1f} ms")
    except asyncio.CancelledError:
        return True
    return False


async def _run_once(
    target: Callable[..., Any],
    loaded: LoadedExperiment,
    item: InputItem,
    iteration: int,
    input_index: int,
    experiment_id: str,
) -> RunRecord:
    config = loaded.config
    timeout = config.runner.timeout_seconds
    trace_id = uuid.uuid4()
    metadata: dict[str, Any] = {
        **config.metadata,
        "iteration": iteration,
        "input_index": input_index,
        "experiment_id": experiment_id,
    }
    if item.persona is not None:
        metadata["persona"] = item.persona
    output: Any = None
    error: str | None = None
    with instrument(f"{config.name}_iter{iteration}", metadata=metadata, tags=list(config.tags), trace_id=trace_id) as context:
        started = time.perf_counter()
        try:
            output = await asyncio.wait_for(call_target(target, item.input), timeout)
        except asyncio.TimeoutError as failure:
            if timeout is None or time.perf_counter() - started < timeout:
                error = f"{type(failure).__name__}: {failure}"  # raised by the agent itself
            else:
                error = f"TimeoutError: the run took longer than runner.timeout_seconds ({timeout:g} s)"
        except Exception as failure:  # the agent's own error: record it, go on with the next run
            error = f"{type(failure).__name__}: {failure}"
        duration_ms = round((time.perf_counter() - started) * 1000, 3)
        _describe_trace(context, experiment_id, iteration, item, output)
    return RunRecord(
        trace_id=str(trace_id),
        iteration=iteration,
        input_index=input_index,
        persona=item.persona,
        input=item.input,
        output=output,
        duration_ms=duration_ms,
        success=error is None,
        error=error,
    )


def _describe_trace(context: Any, experiment_id: str, iteration: int, item: InputItem, output: Any) -> None:
    """Fill the experiment fields of the trace record the runtime writes when the run ends."""
    trace = getattr(context, "trace", None)
    if trace is None:
        return
    trace.experiment_id = experiment_id
    trace.iteration = iteration
    trace.persona = item.persona
    trace.input = item.input
    trace.output = output


@contextmanager
def _runner_environment(loaded: LoadedExperiment) -> Iterator[None]:
    """Working directory, import path and environment variables of `runner`, undone after."""
    saved_cwd = os.getcwd()
    saved_path = list(sys.path)
    saved_environment = {name: os.environ.get(name) for name in loaded.config.runner.environment_vars}
    try:
        os.environ.update(loaded.config.runner.environment_vars)
        sys.path[:0] = [str(loaded.working_directory), *(str(entry) for entry in loaded.python_path)]
        os.chdir(loaded.working_directory)
        yield
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        for name, value in saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _recording_into(artifacts: Path) -> Iterator[None]:
    """Point the runtime's offline store at `artifacts`, recording every run; restore after."""
    current = get_config()
    saved = {key: getattr(current, key) for key in _RECORDING_KEYS}
    configure(enabled=True, sample_rate=1.0, offline_store_enabled=True, offline_store_dir=str(artifacts))
    try:
        yield
    finally:
        try:
            flush()
        finally:
            configure(**saved)


def _new_experiment_folder(root: Path, name: str, started_at: datetime) -> Path:
    stem = f"{name}_{started_at:%Y%m%d_%H%M%S}"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExperimentError(f"cannot create the output folder {root}: {error.strerror}") from None
    for attempt in range(1, 100):
        folder = root / (stem if attempt == 1 else f"{stem}_{attempt}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise ExperimentError(f"{root}: too many experiments named {stem}")


def _write_summary(
    folder: Path,
    loaded: LoadedExperiment,
    started_at: datetime,
    iterations: int,
    records: list[RunRecord],
    interrupted: bool,
) -> None:
    summary = {
        "name": loaded.config.name,
        "experiment_id": folder.name,
        "date": started_at.isoformat(timespec="seconds"),
        "config_file": str(loaded.config_path),
        "config": loaded.config.model_dump(mode="json"),
        "iterations": iterations,
        "inputs": len(loaded.inputs),
        "planned_runs": iterations * len(loaded.inputs),
        "interrupted": interrupted,
        "totals": asdict(totals(records)),
    }
    write_text_atomically(folder / "summary.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
