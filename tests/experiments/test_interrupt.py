"""Ctrl-C (SIGINT) stops an experiment cleanly and keeps the runs that completed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.experiments.conftest import FLUXLOOP

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="sends a POSIX SIGINT")

WAIT_SECONDS = 60
# Far longer than the wait: if SIGINT does not stop the run, the test fails at the wait's
# timeout instead of racing the agent's sleep.
SLEEP_SECONDS = 3600


def _default_sigint() -> None:
    """Run in the child before exec: SIGINT back to its default, so that Python installs its
    KeyboardInterrupt handler there even when pytest itself runs with SIGINT ignored (as
    background jobs of a non-interactive shell do); an ignored signal stays ignored in
    children."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("target", ["support_agent:answer", "support_agent:SupportBot.reply"], ids=["async", "sync"])
def test_sigint_during_a_slow_run_writes_the_summary_of_completed_runs(project: Path, target: str) -> None:
    config = {
        "name": "interrupted",
        "iterations": 2,
        "base_inputs": [
            {"input": "status A100"},
            {"input": f"sleep {SLEEP_SECONDS} then C300"},
            {"input": "never reached"},
        ],
        "runner": {"target": target},
    }
    (project / "slow.yaml").write_text(yaml.safe_dump(config))
    process = subprocess.Popen(
        [str(FLUXLOOP), "run", "experiment", "--config", "slow.yaml"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )
    seen = []
    try:
        for line in process.stderr:  # progress: wait until the slow run has started
            seen.append(line)
            if line.startswith("[2/6] iteration 0, input 1: running"):
                process.send_signal(signal.SIGINT)
                break
        stdout, rest = process.communicate(timeout=WAIT_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    stderr = "".join(seen) + rest

    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "interrupted: 1 completed run(s) kept" in stderr
    folder = next((project / "experiments").iterdir())
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["interrupted"] is True
    assert summary["planned_runs"] == 6
    assert (summary["totals"]["runs"], summary["totals"]["successful"], summary["totals"]["failed"]) == (1, 1, 0)
    (run,) = [json.loads(line) for line in (folder / "traces.jsonl").read_text().splitlines()]
    assert run["input"] == "status A100" and run["success"] is True
    # The completed run's observations were flushed into the experiment's artifacts.
    observations = [json.loads(line) for line in (folder / "artifacts" / "observations.jsonl").read_text().splitlines()]
    assert run["trace_id"] in {observation["trace_id"] for observation in observations}
    assert "total" in stdout
