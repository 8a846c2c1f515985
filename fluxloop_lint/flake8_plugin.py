"""The flake8 plugin: the linter's findings in flake8, and so in every editor that runs flake8.

Registered as `FLX = fluxloop_lint.flake8_plugin:FluxLoopChecker` in the `flake8.extension`
entry point group. Per file it joins the `lines` flake8 already read (no second read), runs
the prefilter's substring test, and only for files that mention FluxLoop imports the engine
(LibCST). It reports, never fixes; line `noqa` comments are left to flake8, the file-level
`# fluxloop-lint: noqa` (which flake8 does not know) is honoured by the engine.

Configuration is the command line's: the nearest `fluxloop-lint.toml` or `pyproject.toml`
with a `[tool.fluxloop-lint]` table, upward from each checked file (looked up once per
folder), `per-file-ignores` included. flake8's options, on its command line or in its
configuration (`setup.cfg`, `tox.ini`, `.flake8`), override the table's keys of the same name:

    --fluxloop-modules=fluxloop,acme_tracing
    --fluxloop-framework-decorators=mypkg.tools.register=R,mypkg.cache=W

Rules off by default (FLX104) run when flake8's `select`/`extend-select` names them
(`extend-select = FLX104`), as `--extend-select` does for the command line; the explicit-only
FLX207 only when named in full (`FLX` alone does not select it). pydantic is
imported only to validate a non-empty table or options.

A file that CPython cannot parse never reaches the plugin: flake8 reports E999 and skips
its tree plugins. What LibCST alone cannot read is reported as FLX001, as the command line does,
and so is a file that is not valid in its encoding (which flake8 reads as latin-1).
A bad configuration file stops flake8 with one line naming the file and the key. Notebooks
(`.ipynb`) are left alone, as flake8 leaves them: the command line lints their code cells.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from fluxloop_lint import __version__
from fluxloop_lint.config import Configuration, configuration_from
from fluxloop_lint.config_files import Found, config_in, discover
from fluxloop_lint.files import is_notebook, source_encoding
from fluxloop_lint.prefilter import mentions_fluxloop
from fluxloop_lint.types import CommandLineOverrides

CODE_PREFIX = "FLX"
# flake8 option name -> the `[tool.fluxloop-lint]` key it sets.
MODULES_OPTION = "--fluxloop-modules"
DECORATORS_OPTION = "--fluxloop-framework-decorators"
CONFIG_KEYS = {"fluxloop-modules": MODULES_OPTION, "framework-decorators": DECORATORS_OPTION}


@dataclass(frozen=True)
class PluginOptions:
    """The plugin's options as flake8 parsed them: plain strings, not yet validated."""

    fluxloop_modules: tuple[str, ...] | None = None  # None: not given
    framework_decorators: tuple[str, ...] = ()  # `qualified.name=KIND` entries
    extend_select: tuple[str, ...] = ()  # FLX selectors named in flake8's select/extend-select

    def table(self) -> dict[str, Any]:
        """The options given, as `[tool.fluxloop-lint]` keys."""
        table: dict[str, Any] = {}
        if self.fluxloop_modules is not None:
            table["fluxloop-modules"] = list(self.fluxloop_modules)
        if self.framework_decorators:
            table["framework-decorators"] = dict(_decorator_entry(entry) for entry in self.framework_decorators)
        return table


class PluginOptionError(Exception):
    """A bad plugin option; the message is one line meant for the user."""


def option_values(options: PluginOptions) -> dict[str, Any]:
    """The options' values, validated by the configuration model (`FileSettings` field names).
    Imports pydantic only when some option was given."""
    table = options.table()
    if not table:
        return {}
    from fluxloop_lint.config_model import TableError, validate_table

    try:
        return validate_table(table)
    except TableError as error:
        key, *rest = [str(part) for part in error.location if not isinstance(part, int)] or ["(options)"]
        where = CONFIG_KEYS.get(key, key) + (f" ({'.'.join(rest)})" if rest else "")
        raise PluginOptionError(f"fluxloop-lint: invalid value for {where}: {error.reason}") from None


class ConfigurationFinder:
    """Each checked file's configuration, as the command line finds it, with flake8's options
    on top. One per flake8 run: files and configurations are cached per folder."""

    def __init__(self, options: PluginOptions) -> None:
        self.overrides = CommandLineOverrides(extend_select=options.extend_select)
        self.option_values = option_values(options)
        self._files: dict[Path, Found | None] = {}
        self._configurations: dict[Path, Configuration] = {}

    def configuration_for(self, filename: str) -> Configuration:
        folder = Path(filename).parent
        configuration = self._configurations.get(folder)
        if configuration is None:
            configuration = configuration_from(discover(folder, self._config_in), self.overrides)
            if self.option_values:
                configuration = replace(configuration, file=replace(configuration.file, **self.option_values))
            self._configurations[folder] = configuration
        return configuration

    def _config_in(self, folder: Path) -> Found | None:
        if folder not in self._files:
            self._files[folder] = config_in(folder)
        return self._files[folder]


def _decorator_entry(entry: str) -> tuple[str, str]:
    name, separator, kind = entry.partition("=")
    if not separator or not name.strip() or not kind.strip():
        raise PluginOptionError(
            f"fluxloop-lint: invalid value for {DECORATORS_OPTION}: {entry!r} is not QUALIFIED.NAME=KIND "
            "(KIND: T, R, D, M or W)"
        )
    return name.strip(), kind.strip()


def _flx_selectors(*selections: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(
        selector.strip().upper()
        for selection in selections
        for selector in selection or ()
        if selector.strip().upper().startswith(CODE_PREFIX)
    )


class FluxLoopChecker:
    """flake8 tree plugin; `tree` is asked for only because flake8 classifies plugins by it."""

    name = "fluxloop-lint"
    version = __version__

    options: ClassVar[PluginOptions] = PluginOptions()
    _finder: ClassVar[ConfigurationFinder | None] = None

    def __init__(self, tree: ast.AST, lines: Sequence[str], filename: str) -> None:
        self.lines = lines
        self.filename = filename
        # Here rather than in `run`, so that a bad configuration file is flake8's one-line
        # "failed during execution" message, not a traceback.
        self.configuration = self.finder().configuration_for(filename)

    @classmethod
    def add_options(cls, option_manager: Any) -> None:
        option_manager.add_option(
            MODULES_OPTION,
            comma_separated_list=True,
            parse_from_config=True,
            default=None,
            metavar="MODULES",
            help="FluxLoop modules to recognise, comma-separated (default: the configuration's, "
            "else fluxloop,fluxloop_runtime).",
        )
        option_manager.add_option(
            DECORATORS_OPTION,
            comma_separated_list=True,
            parse_from_config=True,
            default=[],
            metavar="NAME=KIND",
            help="Extra framework decorators as qualified.name=KIND (T, R, D, M or W), comma-separated.",
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        """Keep the options and validate them now (a bad one stops flake8 with one line)."""
        modules = options.fluxloop_modules
        cls.options = PluginOptions(
            fluxloop_modules=tuple(modules) if modules else None,
            framework_decorators=tuple(options.fluxloop_framework_decorators or ()),
            extend_select=_flx_selectors(options.select, options.extend_select),
        )
        try:
            cls._finder = ConfigurationFinder(cls.options)
        except PluginOptionError as error:
            from flake8.exceptions import ExecutionError

            raise ExecutionError(str(error)) from None

    @classmethod
    def finder(cls) -> ConfigurationFinder:
        if cls._finder is None:
            cls._finder = ConfigurationFinder(cls.options)
        return cls._finder

    def _undecodable_bytes(self, source: str) -> bytes | None:
        """The file's bytes when flake8 read them as latin-1 because they are not valid in the
        file's encoding, so that the engine reports FLX001 as the command line does; else None.
        Only text with non-ASCII characters can be such a fallback: the file is read again
        only then (and only for files that mention FluxLoop)."""
        if source.isascii():
            return None
        try:
            raw = Path(self.filename).read_bytes()
        except OSError:
            return None  # standard input, or gone: lint what flake8 read
        try:
            raw.decode(source_encoding(raw))
            return None
        except (SyntaxError, UnicodeDecodeError):
            pass
        # flake8 read it with universal newlines: compare line by line.
        return raw if raw.decode("latin-1").splitlines() == source.splitlines() else None

    def run(self) -> Iterator[tuple[int, int, str, type[FluxLoopChecker]]]:
        if is_notebook(self.filename):
            return  # flake8 reads a notebook named to it as Python; its JSON is no module of the user's
        source = "".join(self.lines)
        if not mentions_fluxloop(source, self.configuration.base_settings.fluxloop_modules):
            return
        from fluxloop_lint.engine import lint_source

        settings = self.configuration.settings_for(self.filename)
        result = lint_source(self._undecodable_bytes(source) or source, self.filename, settings, line_noqa=False)
        for finding in result.findings:
            # Positions are 1-based; flake8 wants a 0-based column and prints it + 1.
            yield finding.start.line, finding.start.column - 1, f"{finding.code} {finding.message}", type(self)
