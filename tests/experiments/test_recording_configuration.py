"""An experiment points the runtime's offline store at its own artifacts, then puts it back."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

import fluxloop_runtime
from fluxloop_runtime.experiments.config import load_experiment
from fluxloop_runtime.experiments.runner import run_experiment


def test_the_previous_configuration_is_restored_and_untouched(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "quiet_agent.py").write_text(
        "from fluxloop_runtime import tool\n\n"
        "@tool()\n"
        "def echo(input):\n"
        "    return input\n"
    )
    config = {"name": "restore", "base_inputs": [{"input": "a"}], "runner": {"target": "quiet_agent:echo"}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    previous_store = tmp_path / "users_own_store"
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "quiet_agent", raising=False)
    fluxloop_runtime.configure(offline_store_dir=str(previous_store), sample_rate=0.0, enabled=False)
    try:
        result = run_experiment(load_experiment(tmp_path / "config.yaml"), progress=lambda line: None)

        after = fluxloop_runtime.get_config()
        assert (Path(after.offline_store_dir), after.sample_rate, after.enabled) == (previous_store, 0.0, False)
    finally:
        fluxloop_runtime.reset_config()

    assert not previous_store.exists(), "nothing of the experiment lands in the user's own store"
    (run,) = result.records
    observations = [json.loads(line) for line in (result.folder / "artifacts" / "observations.jsonl").read_text().splitlines()]
    assert [(o["name"], o["type"], o["trace_id"]) for o in observations] == [("echo", "tool", run.trace_id)]
