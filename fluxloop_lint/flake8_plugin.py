"""The flake8 plugin: the linter's findings in flake8, and so in every editor that runs flake8.

Registered as `FLX = fluxloop_lint.flake8_plugin:FluxLoopChecker` in the `flake8.extension`
entry point group. Per file it joins the `lines` flake8 already read (no second read), runs
the prefilter's substring test, and only for files that mention FluxLoop imports the engine
(LibCST) and the configuration model (pydantic). It reports, never fixes; `noqa` is left to
flake8 (`honour_noqa=False`).

Options, on the command line or in flake8's configuration (`setup.cfg`, `tox.ini`,
`.flake8`), are the `[tool.fluxloop-lint]` keys of the same name and go through the same
configuration model as the command line's:

    --fluxloop-modules=fluxloop,acme_tracing
    --fluxloop-framework-decorators=mypkg.tools.register=R,mypkg.cache=W

Rules off by default (FLX104) run when flake8's `select`/`extend-select` names them
(`extend-select = FLX104`), as `--extend-select` does for the command line.

A file that CPython cannot parse never reaches the plugin: flake8 reports E999 and skips
its tree plugins. What LibCST alone cannot read is reported as FLX001, as the command line does.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from fluxloop_lint import __version__
from fluxloop_lint.prefilter import mentions_fluxloop
from fluxloop_lint.types import LintSettings

CODE_PREFIX = "FLX"
# flake8 option name -> the `[tool.fluxloop-lint]` key it sets.
MODULES_OPTION = "--fluxloop-modules"
DECORATORS_OPTION = "--fluxloop-framework-decorators"
CONFIG_KEYS = {"fluxloop-modules": MODULES_OPTION, "framework-decorators": DECORATORS_OPTION}


@dataclass(frozen=True)
class PluginOptions:
    """The plugin's options as flake8 parsed them: plain strings, not yet validated."""

    fluxloop_modules: tuple[str, ...] | None = None  # None: the configuration's default
    framework_decorators: tuple[str, ...] = ()  # `qualified.name=KIND` entries
    extend_select: tuple[str, ...] = ()  # FLX selectors named in flake8's select/extend-select

    @property
    def configured(self) -> bool:
        return self.fluxloop_modules is not None or bool(self.framework_decorators)

    @property
    def prefilter_modules(self) -> tuple[str, ...]:
        return self.fluxloop_modules if self.fluxloop_modules is not None else LintSettings().fluxloop_modules


class PluginOptionError(Exception):
    """A bad plugin option; the message is one line meant for the user."""


def build_settings(options: PluginOptions) -> LintSettings:
    """`LintSettings` from the plugin's options, through the command line's configuration model.

    The options become a `[tool.fluxloop-lint]` table validated by `config.FileConfig`; the
    FLX selectors of flake8's own selection become `extend-select` overrides.
    Imports pydantic: called only when plugin options were given (see `default_settings`).
    """
    from pydantic import ValidationError

    from fluxloop_lint.config import CommandLineOverrides, Configuration, FileConfig

    table: dict[str, Any] = {}
    if options.fluxloop_modules is not None:
        table["fluxloop-modules"] = list(options.fluxloop_modules)
    if options.framework_decorators:
        table["framework-decorators"] = dict(_decorator_entry(entry) for entry in options.framework_decorators)
    try:
        file_config = FileConfig.model_validate(table)
    except ValidationError as error:
        problem = error.errors()[0]
        key, *rest = [str(part) for part in problem["loc"] if not isinstance(part, int)] or ["(options)"]
        where = CONFIG_KEYS.get(key, key) + (f" ({'.'.join(rest)})" if rest else "")
        raise PluginOptionError(f"fluxloop-lint: invalid value for {where}: {problem['msg']}") from None
    configuration = Configuration(
        project_root=Path.cwd(),
        file=file_config,
        overrides=CommandLineOverrides(extend_select=options.extend_select),
    )
    return configuration.base_settings


def default_settings(options: PluginOptions) -> LintSettings:
    """What `build_settings` returns when no plugin option was given (a test holds them equal),
    without importing pydantic: flake8's worker processes each pay for it otherwise."""
    return LintSettings(extend_select=options.extend_select)


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
    _settings: ClassVar[LintSettings | None] = None

    def __init__(self, tree: ast.AST, lines: Sequence[str], filename: str) -> None:
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, option_manager: Any) -> None:
        option_manager.add_option(
            MODULES_OPTION,
            comma_separated_list=True,
            parse_from_config=True,
            default=None,
            metavar="MODULES",
            help="FluxLoop modules to recognise, comma-separated (default: fluxloop,fluxloop_runtime).",
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
        """Keep the options; validate them now only when some were given (pydantic is then
        needed anyway), so that a project that never configures FluxLoop never imports it."""
        modules = options.fluxloop_modules
        cls.options = PluginOptions(
            fluxloop_modules=tuple(modules) if modules else None,
            framework_decorators=tuple(options.fluxloop_framework_decorators or ()),
            extend_select=_flx_selectors(options.select, options.extend_select),
        )
        cls._settings = None
        if cls.options.configured:
            try:
                cls._settings = build_settings(cls.options)
            except PluginOptionError as error:
                from flake8.exceptions import ExecutionError

                raise ExecutionError(str(error)) from None

    @classmethod
    def settings(cls) -> LintSettings:
        if cls._settings is None:
            cls._settings = default_settings(cls.options) if not cls.options.configured else build_settings(cls.options)
        return cls._settings

    def run(self) -> Iterator[tuple[int, int, str, type[FluxLoopChecker]]]:
        source = "".join(self.lines)
        if not mentions_fluxloop(source, self.options.prefilter_modules):
            return
        from fluxloop_lint.engine import lint_source

        result = lint_source(source, self.filename, self.settings(), honour_noqa=False)
        for finding in result.findings:
            # Positions are 1-based; flake8 wants a 0-based column and prints it + 1.
            yield finding.start.line, finding.start.column - 1, f"{finding.code} {finding.message}", type(self)
