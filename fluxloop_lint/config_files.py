"""Finding and reading configuration files: stdlib only (tomllib), no validation.

Discovery, as Ruff does it: from a starting folder upward, the first folder holding a
`fluxloop-lint.toml` (keys at top level) or a `pyproject.toml` with a `[tool.fluxloop-lint]`
table. The command line and the flake8 plugin both find their configuration here; the table
is validated (with pydantic) by `config` only when it holds something.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TABLE = "fluxloop-lint"
STANDALONE_FILE = "fluxloop-lint.toml"

Found = tuple[Path, dict[str, Any]]  # a configuration file and its linter table


class ConfigError(Exception):
    """A configuration or selector problem; the message is one line meant for the user."""


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the configuration file: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


def table_of(path: Path, document: dict[str, Any]) -> dict[str, Any] | None:
    """The linter's table in a parsed file: `[tool.fluxloop-lint]` of a pyproject, else the top level."""
    if path.name != "pyproject.toml":
        return document
    table = document.get("tool", {}).get(TABLE)
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{TABLE}] must be a table")
    return table


def read_config_file(path: Path) -> dict[str, Any]:
    """The linter's table of a file named explicitly (`--config`); empty when it has none."""
    return table_of(path, read_toml(path)) or {}


def config_in(folder: Path) -> Found | None:
    """The configuration file in `folder` itself, if it holds one."""
    standalone = folder / STANDALONE_FILE
    if standalone.is_file():
        return standalone, read_toml(standalone)
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        table = table_of(pyproject, read_toml(pyproject))
        if table is not None:
            return pyproject, table
    return None


def discover(start: Path, look_in: Callable[[Path], Found | None] = config_in) -> Found | None:
    """The nearest configuration file at or above `start`. `look_in` may be a cached
    `config_in`, for callers that discover once per file (the flake8 plugin)."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        found = look_in(candidate)
        if found is not None:
            return found
    return None
