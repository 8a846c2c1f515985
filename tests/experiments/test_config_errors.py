"""A bad configuration gets one clear line on stderr and exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.experiments.conftest import fluxloop

VALID = {
    "name": "smoke",
    "iterations": 1,
    "base_inputs": [{"input": "hello"}],
    "runner": {"target": "agent_module:run"},
}


def _without(key: str) -> dict:
    return {name: value for name, value in VALID.items() if name != key}


def _with_runner(**changes: object) -> dict:
    return {**VALID, "runner": {**VALID["runner"], **changes}}


BAD_CONFIGS = [
    pytest.param(_without("name"), "name: missing required field", id="missing-name"),
    pytest.param(_without("runner"), "runner: missing required field", id="missing-runner"),
    pytest.param({**VALID, "iteratons": 3}, "iteratons: unknown field", id="unknown-field"),
    pytest.param(_with_runner(timeout=3), "runner.timeout: unknown field", id="unknown-runner-field"),
    pytest.param({**VALID, "iterations": 0}, "iterations: Input should be greater than or equal to 1", id="iterations-0"),
    pytest.param({**VALID, "iterations": 1001}, "iterations: Input should be less than or equal to 1000", id="iterations-1001"),
    pytest.param(_with_runner(target="agent_module.run"), "runner.target: must be 'module:function'", id="target-no-colon"),
    pytest.param(_with_runner(target="agent_module:A.b.c"), "runner.target: must be 'module:function'", id="target-too-deep"),
    pytest.param(_with_runner(timeout_seconds=0), "runner.timeout_seconds: Input should be greater than 0", id="timeout-0"),
    pytest.param(_without("base_inputs"), "set 'inputs_file' or 'base_inputs'", id="no-inputs"),
    pytest.param({**VALID, "inputs_file": "inputs.yaml"}, "not both", id="both-inputs"),
    pytest.param({**VALID, "base_inputs": [{"text": "hi"}]}, "base_inputs.0.input: missing required field", id="input-without-input"),
    pytest.param({**VALID, "inputs_file": "missing.yaml", "base_inputs": None}, "missing.yaml: no such file", id="missing-inputs-file"),
    pytest.param(_with_runner(target="no_such_module:run"), "cannot import 'no_such_module'", id="target-module-missing"),
    pytest.param(_with_runner(target="agent_module:nothing"), "'agent_module' has no attribute 'nothing'", id="target-attribute-missing"),
    pytest.param(_with_runner(target="agent_module:Bot.run"), "cannot create Bot() with no arguments", id="target-class-needs-arguments"),
    pytest.param(_with_runner(target="agent_module:broken"), "'broken' is not callable", id="target-not-callable"),
    pytest.param(_with_runner(working_directory="nowhere"), "runner.working_directory: no such folder", id="missing-working-directory"),
    pytest.param("- just\n- a list\n", "the configuration must be a mapping", id="not-a-mapping"),
    pytest.param("name: [unclosed\n", "invalid YAML", id="yaml-syntax-error"),
]

AGENT_MODULE = '''
broken = 42

def run(input):
    return input

class Bot:
    def __init__(self, token):
        self.token = token

    def run(self, input):
        return input
'''


@pytest.mark.parametrize(("config", "expected"), BAD_CONFIGS)
def test_bad_config_is_one_line_and_exit_2(tmp_path: Path, config: dict | str, expected: str) -> None:
    (tmp_path / "agent_module.py").write_text(AGENT_MODULE)
    text = config if isinstance(config, str) else yaml.safe_dump({k: v for k, v in config.items() if v is not None})
    (tmp_path / "config.yaml").write_text(text)

    result = fluxloop("run", "experiment", "--config", "config.yaml", cwd=tmp_path)

    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fluxloop: error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "experiments").exists(), "nothing is created for a bad configuration"


def test_bad_inputs_file_names_the_item(tmp_path: Path) -> None:
    (tmp_path / "agent_module.py").write_text(AGENT_MODULE)
    (tmp_path / "inputs.yaml").write_text("- input: fine\n- {input: odd, extra: 1}\n")
    config = {**_without("base_inputs"), "inputs_file": "inputs.yaml"}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))

    result = fluxloop("run", "experiment", "--config", "config.yaml", cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"fluxloop: error: {tmp_path / 'inputs.yaml'}: inputs[1]: extra: unknown field"
    ]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["run", "experiment", "--config", "absent.yaml"], "absent.yaml: no such file"),
        (["run", "experiment", "--bogus"], "No such option '--bogus'"),
        (["run", "experiment", "--iterations", "0"], "--iterations"),
        (["walk"], "No such command 'walk'"),
        (["parse", "experiment", "no_such_folder"], "no_such_folder: no such experiment folder"),
    ],
    ids=["missing-config", "unknown-option", "iterations-override-0", "unknown-command", "parse-missing-folder"],
)
def test_bad_command_line_is_one_line_and_exit_2(tmp_path: Path, arguments: list[str], expected: str) -> None:
    result = fluxloop(*arguments, cwd=tmp_path)

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_no_command_shows_the_help_and_exits_2(tmp_path: Path) -> None:
    result = fluxloop(cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.startswith("Usage: fluxloop [OPTIONS] COMMAND")
    assert "run" in result.stderr and "parse" in result.stderr
