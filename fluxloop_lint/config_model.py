"""The pydantic model of the `[tool.fluxloop-lint]` table: validation only.

Imported only when there is a non-empty table (or flake8 options) to validate; a run
without configuration never imports pydantic. Defaults are not repeated here: every key is
optional, and `config.FileSettings` holds the values of the keys a table leaves out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from fluxloop_lint.codes import SELECTOR, check_selectors
from fluxloop_lint.types import FixStrategy, FrameworkKind

MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def _selector_list(value: Any) -> Any:
    """Accept a list of selectors; each must be ALL, a rule code or a prefix of one."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        for selector in value:
            if isinstance(selector, str) and not SELECTOR.fullmatch(selector):
                raise ValueError(f"{selector!r} is not a rule code, a code prefix (FLX1) or ALL")
        check_selectors(selector for selector in value if isinstance(selector, str))
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
    """The table, keys in kebab-case as in the file. TOML has no null, so `None` only ever
    means "not given"."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=lambda name: name.replace("_", "-"),
        populate_by_name=False,
    )

    select: Selectors | None = None
    extend_select: Selectors | None = None
    ignore: Selectors | None = None
    per_file_ignores: dict[str, Selectors] | None = None
    exclude: list[str] | None = None
    extend_exclude: list[str] | None = None
    respect_gitignore: bool | None = None
    fix_strategy: FixStrategy | None = None
    fluxloop_modules: list[ModuleName] | None = None
    framework_decorators: dict[str, Kind] | None = None
    target_version: Literal["py310", "py311", "py312", "py313", "py314"] | None = None
    src: list[str] | None = None


class TableError(Exception):
    """The first problem in a table: where (`fluxloop-modules`, 0), why, and whether the key is unknown."""

    def __init__(self, location: tuple[str | int, ...], reason: str, unknown_key: bool) -> None:
        super().__init__(location, reason, unknown_key)
        self.location = location
        self.reason = reason
        self.unknown_key = unknown_key


def validate_table(table: Mapping[str, Any]) -> dict[str, Any]:
    """The values the table sets, validated, by field name, lists made tuples (immutable)."""
    try:
        model = FileConfig.model_validate(table)
    except ValidationError as error:
        problem = error.errors()[0]
        reason = problem["msg"].removeprefix("Value error, ")
        raise TableError(tuple(problem["loc"]), reason, problem["type"] == "extra_forbidden") from None
    return {name: _immutable(value) for name, value in model.model_dump(exclude_unset=True).items()}


def _immutable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        return {key: _immutable(item) for key, item in value.items()}
    return value
