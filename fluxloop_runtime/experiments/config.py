"""An experiment's configuration: the YAML file, validated with pydantic, and its inputs.

Every relative path in the file (`inputs_file`, `output_directory`,
`runner.working_directory`, `runner.python_path`) is relative to the folder holding the
configuration file, so an experiment runs the same from any current directory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fluxloop_runtime.experiments.errors import ExperimentError

_IDENTIFIER = r"[A-Za-z_]\w*"
TARGET_PATTERN = re.compile(rf"^{_IDENTIFIER}(\.{_IDENTIFIER})*:{_IDENTIFIER}(\.{_IDENTIFIER})?$")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InputItem(_Strict):
    """One input: the value handed to the target, and metadata such as `persona`."""

    input: Any
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def persona(self) -> str | None:
        persona = self.metadata.get("persona")
        return None if persona is None else str(persona)


class RunnerConfig(_Strict):
    target: str
    working_directory: str = "."
    timeout_seconds: float | None = Field(default=None, gt=0)
    python_path: list[str] = Field(default_factory=list)
    environment_vars: dict[str, str] = Field(default_factory=dict)

    @field_validator("target")
    @classmethod
    def _target_shape(cls, target: str) -> str:
        if not TARGET_PATTERN.match(target):
            raise ValueError(f"must be 'module:function' or 'module:Class.method', got {target!r}")
        return target


class ExperimentConfig(_Strict):
    name: str
    description: str | None = None
    iterations: int = Field(default=1, ge=1, le=1000)
    seed: int | None = None
    inputs_file: str | None = None
    base_inputs: list[InputItem] | None = None
    runner: RunnerConfig
    output_directory: str = "experiments"
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name_is_a_folder_name(cls, name: str) -> str:
        if not NAME_PATTERN.match(name):
            raise ValueError(f"must be letters, digits, '_', '.' or '-' (it names a folder), got {name!r}")
        return name

    @model_validator(mode="after")
    def _one_source_of_inputs(self) -> ExperimentConfig:
        if self.inputs_file is None and self.base_inputs is None:
            raise ValueError("set 'inputs_file' or 'base_inputs'")
        if self.inputs_file is not None and self.base_inputs is not None:
            raise ValueError("set 'inputs_file' or 'base_inputs', not both")
        if self.base_inputs == []:
            raise ValueError("'base_inputs' is empty")
        return self


@dataclass(frozen=True)
class LoadedExperiment:
    """A validated configuration with its inputs read and its paths made absolute."""

    config: ExperimentConfig
    config_path: Path
    inputs: tuple[InputItem, ...]
    working_directory: Path
    python_path: tuple[Path, ...]
    output_directory: Path


def load_experiment(config_path: Path) -> LoadedExperiment:
    """Read and validate `config_path` and its inputs; raise ExperimentError on any problem."""
    config_path = config_path.resolve()
    label = str(config_path)
    data = _read_yaml(config_path)
    if not isinstance(data, dict):
        raise ExperimentError(f"{label}: the configuration must be a mapping of fields")
    config = _validate(ExperimentConfig, data, label)
    base = config_path.parent

    working_directory = (base / config.runner.working_directory).resolve()
    if not working_directory.is_dir():
        raise ExperimentError(f"{label}: runner.working_directory: no such folder: {working_directory}")

    if config.inputs_file is not None:
        inputs = _read_inputs(base / config.inputs_file)
    else:
        inputs = tuple(config.base_inputs or ())

    return LoadedExperiment(
        config=config,
        config_path=config_path,
        inputs=inputs,
        working_directory=working_directory,
        python_path=tuple((base / entry).resolve() for entry in config.runner.python_path),
        output_directory=(base / config.output_directory).resolve(),
    )


def _read_inputs(path: Path) -> tuple[InputItem, ...]:
    data = _read_yaml(path)
    label = str(path)
    if isinstance(data, dict) and set(data) == {"inputs"}:
        data = data["inputs"]
    if not isinstance(data, list):
        raise ExperimentError(f"{label}: expected a list of inputs, or a mapping with one key 'inputs'")
    if not data:
        raise ExperimentError(f"{label}: no inputs")
    return tuple(_validate(InputItem, item, f"{label}: inputs[{index}]") for index, item in enumerate(data))


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExperimentError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ExperimentError(f"{path}: is a folder, not a file") from None
    except UnicodeDecodeError:
        raise ExperimentError(f"{path}: not valid UTF-8") from None
    except OSError as error:
        raise ExperimentError(f"{path}: cannot read: {error.strerror}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ExperimentError(f"{path}{where}: invalid YAML: {problem}") from None


def _validate(model: type[_Strict], data: Any, label: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ExperimentError(f"{label}: {describe_validation_error(error)}") from None


def describe_validation_error(error: ValidationError) -> str:
    """All of pydantic's complaints on one line: `field: problem; field: problem`."""
    problems = []
    for detail in error.errors():
        field = ".".join(str(part) for part in detail["loc"])
        if detail["type"] == "missing":
            message = "missing required field"
        elif detail["type"] == "extra_forbidden":
            message = "unknown field"
        else:
            message = detail["msg"].removeprefix("Value error, ")
        problems.append(f"{field}: {message}" if field else message)
    return "; ".join(problems)
