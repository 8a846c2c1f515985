"""The configuration of a run: the `[tool.fluxloop-lint]` values, the command line's, and
the settings per file.

The file is found by `config_files` (from the first path given, or the current folder,
upward; `--config PATH` names it instead). Its folder is the project root: `exclude` and
`per-file-ignores` globs are relative to it, and the cache lives there. A non-empty table is
validated by the pydantic model in `config_model`, imported only then. Command-line options
win over the file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from fluxloop_lint.codes import SELECTOR, check_selectors
from fluxloop_lint.config_files import TABLE, ConfigError, Found, discover, read_config_file
from fluxloop_lint.files import DEFAULT_EXCLUDES, matches_glob, relative_posix
from fluxloop_lint.types import CommandLineOverrides, FixStrategy, FrameworkKind, LintSettings

__all__ = ["SELECTOR", "CommandLineOverrides", "ConfigError", "Configuration", "FileSettings", "load_configuration"]


@dataclass(frozen=True)
class FileSettings:
    """The table's values, with the defaults of the keys it leaves out (field names are the
    keys in snake_case)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    fix_strategy: FixStrategy = FixStrategy.REORDER
    fluxloop_modules: tuple[str, ...] = LintSettings().fluxloop_modules
    framework_decorators: Mapping[str, FrameworkKind] = field(default_factory=dict)
    target_version: str = "py310"
    src: tuple[str, ...] = (".", "src")  # folders top-level modules live in, relative to the root


@dataclass(frozen=True)
class Configuration:
    """The configuration of one run: the file's values merged with the command line's."""

    project_root: Path
    source: Path | None = None
    file: FileSettings = field(default_factory=FileSettings)
    overrides: CommandLineOverrides = field(default_factory=CommandLineOverrides)

    @property
    def excludes(self) -> tuple[str, ...]:
        base = DEFAULT_EXCLUDES if self.file.exclude is None else self.file.exclude
        return base + self.file.extend_exclude

    @cached_property
    def base_settings(self) -> LintSettings:
        # Computed once per run (settings_for asks for it for every file). As in Ruff, `--select` on the command line starts the selection afresh: the file's
        # select, extend-select and ignore no longer apply (its per-file-ignores still do).
        from_file = self.overrides.select is None
        return LintSettings(
            select=self.file.select if from_file else self.overrides.select,
            extend_select=(self.file.extend_select if from_file else ()) + self.overrides.extend_select,
            ignore=(self.file.ignore if from_file else ()) + self.overrides.ignore,
            fluxloop_modules=self.file.fluxloop_modules,
            framework_decorators=tuple(sorted(self.file.framework_decorators.items())),
            fix_strategy=self.overrides.fix_strategy or self.file.fix_strategy,
            unsafe_fixes=self.overrides.unsafe_fixes,
            target_version=self.file.target_version,
            project_root=str(self.project_root),
            source_roots=tuple(str((self.project_root / folder).resolve()) for folder in self.file.src),
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
        return replace(settings, per_file_ignore=extra) if extra else settings


def file_settings(source: Path, table: Mapping[str, Any]) -> FileSettings:
    """The validated values of `source`'s table; pydantic is imported only for a non-empty one."""
    if not table:
        return FileSettings()
    from fluxloop_lint.config_model import TableError, validate_table

    try:
        return FileSettings(**validate_table(table))
    except TableError as error:
        key = ".".join(str(part) for part in error.location) or "(table)"
        if error.unknown_key:
            raise ConfigError(f"{source}: unknown key '{key}' in [tool.{TABLE}]") from None
        raise ConfigError(f"{source}: invalid value for '{key}': {error.reason}") from None


def configuration_from(found: Found | None, overrides: CommandLineOverrides) -> Configuration:
    """The configuration for a discovered file (None: none found, so the defaults)."""
    if found is None:
        return Configuration(project_root=Path.cwd().resolve(), overrides=overrides)
    source, table = found
    return Configuration(
        project_root=source.resolve().parent,
        source=source,
        file=file_settings(source, table),
        overrides=overrides,
    )


def _check_overrides(overrides: CommandLineOverrides) -> None:
    given = (("--select", overrides.select or ()), ("--extend-select", overrides.extend_select), ("--ignore", overrides.ignore))
    for option, selectors in given:
        try:
            check_selectors(selectors)
        except ValueError as error:
            raise ConfigError(f"{option}: {error}") from None


def load_configuration(
    paths: Sequence[str],
    config_path: str | None = None,
    overrides: CommandLineOverrides | None = None,
) -> Configuration:
    """Find, read and validate the configuration, and merge the command line's options."""
    overrides = overrides or CommandLineOverrides()
    _check_overrides(overrides)
    if config_path is not None:
        source = Path(config_path)
        if not source.is_file():
            raise ConfigError(f"{config_path}: configuration file not found")
        return configuration_from((source, read_config_file(source)), overrides)
    first = next((path for path in paths if path != "-"), ".")
    return configuration_from(discover(Path(first)), overrides)
