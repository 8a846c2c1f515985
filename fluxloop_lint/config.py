"""The `[tool.fluxloop-lint]` configuration: discovery, validation, and settings per file.

Discovery, as Ruff does it: from the first path given (or the current folder) upward, the
first folder holding a `fluxloop-lint.toml` (keys at top level) or a `pyproject.toml` with a
`[tool.fluxloop-lint]` table; `--config PATH` names the file instead. That folder is the
project root: `exclude` and `per-file-ignores` globs are relative to it, and the cache lives
there. Command-line options win over the file.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from fluxloop_lint.files import DEFAULT_EXCLUDES, matches_glob, relative_posix
from fluxloop_lint.types import FixStrategy, FrameworkKind, LintSettings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TABLE = "fluxloop-lint"
STANDALONE_FILE = "fluxloop-lint.toml"

# The fix strategies this release can apply (Pattern B and, since issue 5, Pattern A).
AVAILABLE_FIX_STRATEGIES = (FixStrategy.REORDER, FixStrategy.MANUAL)

SELECTOR = re.compile(r"ALL|[A-Z]{1,3}[0-9]{0,3}")
MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


class ConfigError(Exception):
    """A configuration or selector problem; the message is one line meant for the user."""


def _selector_list(value: Any) -> Any:
    """Accept a list of selectors; each must look like a code, a code prefix or ALL."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        for selector in value:
            if isinstance(selector, str) and not SELECTOR.fullmatch(selector):
                raise ValueError(f"{selector!r} is not a rule code, a code prefix (FLX1) or ALL")
    return value


def _framework_kind(value: Any) -> Any:
    """Accept a kind as its letter (`R`) or its name (`registering`), in any case."""
    if isinstance(value, str):
        for kind in FrameworkKind:
            if value.upper() == kind.value or value.lower() == kind.name.lower():
                return kind
    return value


def _module_name(value: Any) -> Any:
    if isinstance(value, str) and not MODULE_NAME.fullmatch(value):
        raise ValueError(f"{value!r} is not a module name")
    return value


Selectors = Annotated[list[str], BeforeValidator(_selector_list)]
Kind = Annotated[FrameworkKind, BeforeValidator(_framework_kind)]
ModuleName = Annotated[str, BeforeValidator(_module_name)]


class FileConfig(BaseModel):
    """The `[tool.fluxloop-lint]` table, keys in kebab-case as in the file."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=lambda name: name.replace("_", "-"),
        populate_by_name=False,
    )

    select: Selectors | None = None
    extend_select: Selectors = []
    ignore: Selectors = []
    per_file_ignores: dict[str, Selectors] = {}
    exclude: list[str] | None = None
    extend_exclude: list[str] = []
    respect_gitignore: bool = True
    fix_strategy: FixStrategy = FixStrategy.REORDER
    fluxloop_modules: list[ModuleName] = ["fluxloop", "fluxloop_runtime"]
    framework_decorators: dict[str, Kind] = {}
    target_version: Literal["py310", "py311", "py312", "py313", "py314"] = "py310"


@dataclass(frozen=True)
class CommandLineOverrides:
    """The options of the command line that override or extend the file's values."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fix_strategy: FixStrategy | None = None
    unsafe_fixes: bool = False


@dataclass(frozen=True)
class Configuration:
    """The configuration of one run: the file's values merged with the command line's."""

    project_root: Path
    source: Path | None = None
    file: FileConfig = field(default_factory=FileConfig)
    overrides: CommandLineOverrides = field(default_factory=CommandLineOverrides)

    @property
    def excludes(self) -> tuple[str, ...]:
        base = DEFAULT_EXCLUDES if self.file.exclude is None else tuple(self.file.exclude)
        return base + tuple(self.file.extend_exclude)

    @property
    def base_settings(self) -> LintSettings:
        select = self.overrides.select if self.overrides.select is not None else self.file.select
        return LintSettings(
            select=None if select is None else tuple(select),
            extend_select=tuple(self.file.extend_select) + self.overrides.extend_select,
            ignore=tuple(self.file.ignore) + self.overrides.ignore,
            fluxloop_modules=tuple(self.file.fluxloop_modules),
            framework_decorators=tuple(sorted(self.file.framework_decorators.items())),
            fix_strategy=self.overrides.fix_strategy or self.file.fix_strategy,
            unsafe_fixes=self.overrides.unsafe_fixes,
            target_version=self.file.target_version,
        )

    def settings_for(self, path: str | Path) -> LintSettings:
        """The settings for one file: the run's settings plus the file's `per-file-ignores`."""
        settings = self.base_settings
        if not self.file.per_file_ignores:
            return settings
        relative = relative_posix(path, self.project_root)
        extra = tuple(
            code
            for pattern, codes in self.file.per_file_ignores.items()
            if matches_glob(pattern, relative)
            for code in codes
        )
        return replace(settings, ignore=settings.ignore + extra) if extra else settings


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the configuration file: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


def _table_of(path: Path, document: dict[str, Any]) -> dict[str, Any] | None:
    """The linter's table in a parsed file: `[tool.fluxloop-lint]` of a pyproject, else the top level."""
    if path.name != "pyproject.toml":
        return document
    table = document.get("tool", {}).get(TABLE)
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{TABLE}] must be a table")
    return table


def _validate(path: Path, table: dict[str, Any]) -> FileConfig:
    try:
        return FileConfig.model_validate(table)
    except ValidationError as error:
        problem = error.errors()[0]
        key = ".".join(str(part) for part in problem["loc"]) or "(table)"
        if problem["type"] == "extra_forbidden":
            raise ConfigError(f"{path}: unknown key '{key}' in [tool.{TABLE}]") from None
        reason = problem["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{path}: invalid value for '{key}': {reason}") from None


def discover(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest configuration file at or above `start`, with its linter table."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate_folder in (folder, *folder.parents):
        standalone = candidate_folder / STANDALONE_FILE
        if standalone.is_file():
            return standalone, _read_toml(standalone)
        pyproject = candidate_folder / "pyproject.toml"
        if pyproject.is_file():
            table = _table_of(pyproject, _read_toml(pyproject))
            if table is not None:
                return pyproject, table
    return None


def load_configuration(
    paths: Sequence[str],
    config_path: str | None = None,
    overrides: CommandLineOverrides | None = None,
) -> Configuration:
    """Find, read and validate the configuration, and merge the command line's options."""
    overrides = overrides or CommandLineOverrides()
    if config_path is not None:
        source = Path(config_path)
        if not source.is_file():
            raise ConfigError(f"{config_path}: configuration file not found")
        found: tuple[Path, dict[str, Any]] | None = (source, _table_of(source, _read_toml(source)) or {})
    else:
        first = next((path for path in paths if path != "-"), ".")
        found = discover(Path(first))
    if found is None:
        configuration = Configuration(project_root=Path.cwd().resolve(), overrides=overrides)
    else:
        source, table = found
        configuration = Configuration(
            project_root=source.resolve().parent,
            source=source,
            file=_validate(source, table),
            overrides=overrides,
        )
    strategy = configuration.base_settings.fix_strategy
    if strategy not in AVAILABLE_FIX_STRATEGIES:
        where = "--fix-strategy" if overrides.fix_strategy else f"'fix-strategy' in {configuration.source}"
        raise ConfigError(
            f"{where}: the '{strategy.value}' fix strategy (Pattern A) is not available in this release; "
            f"use '{FixStrategy.REORDER.value}'"
        )
    return configuration
