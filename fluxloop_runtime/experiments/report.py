"""What an experiment's runs came to: one record per run, the totals, the summary table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fluxloop_runtime.serialization import json_default


@dataclass(frozen=True)
class RunRecord:
    """One run: one input in one iteration, recorded as one trace (a line of `traces.jsonl`)."""

    trace_id: str
    iteration: int
    input_index: int
    persona: str | None
    input: Any
    output: Any
    duration_ms: float
    success: bool
    error: str | None


@dataclass(frozen=True)
class Totals:
    runs: int
    successful: int
    failed: int
    success_rate: float
    mean_duration_ms: float


def totals(records: Sequence[RunRecord]) -> Totals:
    successful = sum(record.success for record in records)
    runs = len(records)
    return Totals(
        runs=runs,
        successful=successful,
        failed=runs - successful,
        success_rate=round(successful / runs, 4) if runs else 0.0,
        mean_duration_ms=round(sum(record.duration_ms for record in records) / runs, 3) if runs else 0.0,
    )


def summary_table(records: Sequence[RunRecord], inputs: Sequence[Any]) -> str:
    """A plain-text table, one row per input, then the totals."""
    header = ("#", "input", "runs", "ok", "failed", "mean ms")
    rows = []
    for index, value in enumerate(inputs):
        own = [record for record in records if record.input_index == index]
        counts = totals(own)
        rows.append(
            (
                str(index),
                _shorten(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=json_default), 40),
                str(counts.runs),
                str(counts.successful),
                str(counts.failed),
                f"{counts.mean_duration_ms:.1f}",
            )
        )
    overall = totals(records)
    rows.append(("", "total", str(overall.runs), str(overall.successful), str(overall.failed), f"{overall.mean_duration_ms:.1f}"))
    widths = [max(len(row[column]) for row in (header, *rows)) for column in range(len(header))]
    lines = [_format_row(header, widths), _format_row(tuple("-" * width for width in widths), widths)]
    lines += [_format_row(row, widths) for row in rows]
    return "\n".join(lines)


def _format_row(row: tuple[str, ...], widths: list[int]) -> str:
    cells = [cell.ljust(width) if column < 2 else cell.rjust(width) for column, (cell, width) in enumerate(zip(row, widths))]
    return "  ".join(cells).rstrip()


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
