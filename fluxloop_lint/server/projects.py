"""The configuration each document is linted with: its own project's `[tool.fluxloop-lint]`
(found as the command line finds it from that file), with the initialization options on top,
as the command line's options are.

Configurations are kept per folder until a configuration file changes (`forget`). A file
that cannot be read or validated is reported once and its documents are linted with the
defaults; a bad initialization option is reported once and all of them are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from fluxloop_lint.codes import SELECTOR, check_selectors
from fluxloop_lint.config import ConfigError, Configuration, configuration_from
from fluxloop_lint.config_files import STANDALONE_FILE, discover
from fluxloop_lint.types import CommandLineOverrides, FixStrategy

CONFIGURATION_FILES = ("pyproject.toml", STANDALONE_FILE)
_SELECTOR_OPTIONS = {"select": "select", "extend-select": "extend_select", "ignore": "ignore"}
OPTIONS = (*_SELECTOR_OPTIONS, "unsafe-fixes", "fix-strategy")


class OptionError(ValueError):
    """A bad initialization option; the message names it."""


def _selectors(name: str, value: Any) -> tuple[str, ...]:
    parts = value.split(",") if isinstance(value, str) else value
    if not isinstance(parts, (list, tuple)) or not all(isinstance(part, str) for part in parts):
        raise OptionError(f"initialization option '{name}' must be a list of rule codes or a comma-separated string")
    selectors = tuple(part.strip().upper() for part in parts if part.strip())
    for selector in selectors:
        if not SELECTOR.fullmatch(selector):
            raise OptionError(f"initialization option '{name}': {selector!r} is not a rule code, a code prefix (FLX1) or ALL")
    try:
        check_selectors(selectors)
    except ValueError as error:
        raise OptionError(f"initialization option '{name}': {error}") from None
    return selectors


def overrides_from(options: Any) -> CommandLineOverrides:
    """The initialization options (`select`, `extend-select`, `ignore`, `unsafe-fixes`,
    `fix-strategy`) as the command-line options they stand for."""
    if options is None:
        return CommandLineOverrides()
    if not isinstance(options, Mapping):
        raise OptionError("initialization options must be an object")
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise OptionError(f"unknown initialization option '{unknown[0]}' (known: {', '.join(OPTIONS)})")
    values: dict[str, Any] = {}
    for name, field in _SELECTOR_OPTIONS.items():
        if options.get(name) is not None:
            values[field] = _selectors(name, options[name])
    unsafe = options.get("unsafe-fixes", False)
    if not isinstance(unsafe, bool):
        raise OptionError("initialization option 'unsafe-fixes' must be true or false")
    strategy = options.get("fix-strategy")
    if strategy is not None:
        choices = [choice.value for choice in FixStrategy]
        if strategy not in choices:
            raise OptionError(f"initialization option 'fix-strategy' must be one of {', '.join(choices)}, not {strategy!r}")
        values["fix_strategy"] = FixStrategy(strategy)
    return CommandLineOverrides(unsafe_fixes=unsafe, **values)


def with_overrides(configuration: Configuration, **changes: Any) -> Configuration:
    """The same project's configuration with some options changed (as if given on the command line)."""
    return replace(configuration, overrides=replace(configuration.overrides, **changes))


def is_configuration_file(path: str) -> bool:
    return Path(path).name in CONFIGURATION_FILES


class Projects:
    """The configuration for each document's folder, found and validated once per folder."""

    def __init__(self, overrides: CommandLineOverrides, report_error: Callable[[str], None]) -> None:
        self.overrides = overrides
        self.report_error = report_error
        self.generation = 0  # counts configuration changes, so results from before one are not reused
        self._by_folder: dict[Path, Configuration] = {}
        self._reported: set[str] = set()

    def configuration_for(self, path: str) -> Configuration:
        folder = Path(path).resolve().parent
        configuration = self._by_folder.get(folder)
        if configuration is None:
            configuration = self._load(folder)
            self._by_folder[folder] = configuration
        return configuration

    def forget(self) -> None:
        """A configuration file changed: read them again when next asked."""
        self._by_folder.clear()
        self._reported.clear()
        self.generation += 1

    def _load(self, folder: Path) -> Configuration:
        try:
            return configuration_from(discover(folder), self.overrides)
        except ConfigError as error:
            message = f"fluxloop-lint: {error}; linting with the default settings"
            if message not in self._reported:
                self._reported.add(message)
                self.report_error(message)
            return Configuration(project_root=folder, overrides=self.overrides)
