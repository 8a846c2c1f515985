"""Experiments: run an agent over a set of inputs under FluxLoop, then parse what it recorded.

`config` validates an experiment's YAML, `target` calls the agent, `runner` runs the
experiment and writes its folder, `report` summarises runs, `parse` turns an experiment
folder into per-trace Markdown and JSONL. The `fluxloop` command (`fluxloop_runtime.cli`)
is the front door.
"""
