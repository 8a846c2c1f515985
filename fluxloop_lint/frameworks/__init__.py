"""The framework decorator registry: which decorators a FluxLoop decorator must sit below.

Kept as data, one module per family of frameworks (`agents`, `mcp`, `applications`,
`python`), each with the same tables, gathered here:

- `DECORATORS`: module-level decorators under every public import path, each with its
  `FrameworkKind` and forms;
- `CLASSES`: decorator methods of framework classes (`mcp = FastMCP(...)` then `@mcp.tool()`),
  with each method's kind and forms, and the framework objects their instances hold
  (`app.webhooks`);
- `INSTANCES`: framework objects that modules create (Celery's signals);
- `DECORATED_RESULT_CLASS`: decorators whose result is a framework object (`@click.group()`);
- `NOT_DECORATORS`: the public methods and functions that are not decorators, so that
  `tests/lint/test_frameworks_registry.py` can tell a new decorator from a known non-decorator;
- `OBJECT_CONSTRUCTORS`: calls that build a framework object around a function (FLX108).

The types and lookups are in `registry`; `registry_for` adds a project's
`framework-decorators`. See docs/frameworks.md for the kinds and how the tables stay complete.
"""

from __future__ import annotations

from functools import lru_cache

from fluxloop_lint.frameworks import agents, applications, mcp, python
from fluxloop_lint.frameworks.registry import (
    FrameworkClass,
    FrameworkDecorator,
    Methods,
    ObjectConstructor,
    Registry,
    build_registry,
)
from fluxloop_lint.types import FrameworkKind

__all__ = [
    "CLASSES",
    "DECORATED_RESULT_CLASS",
    "DECORATORS",
    "INSTANCES",
    "NOT_DECORATORS",
    "OBJECT_CONSTRUCTORS",
    "FrameworkClass",
    "FrameworkDecorator",
    "Methods",
    "ObjectConstructor",
    "Registry",
    "registry_for",
]

DECORATORS: tuple[FrameworkDecorator, ...] = (
    *agents.DECORATORS,
    *mcp.DECORATORS,
    *applications.DECORATORS,
    *python.DECORATORS,
)
CLASSES: tuple[FrameworkClass, ...] = (*agents.CLASSES, *mcp.CLASSES, *applications.CLASSES, *python.CLASSES)
INSTANCES: dict[str, str] = {**applications.INSTANCES, **agents.INSTANCES}
DECORATED_RESULT_CLASS: dict[str, str] = {**applications.DECORATED_RESULT_CLASS, **python.DECORATED_RESULT_CLASS}
NOT_DECORATORS: dict[str, frozenset[str]] = {
    **agents.NOT_DECORATORS,
    **mcp.NOT_DECORATORS,
    **applications.NOT_DECORATORS,
    **python.NOT_DECORATORS,
}
OBJECT_CONSTRUCTORS: tuple[ObjectConstructor, ...] = (*agents.OBJECT_CONSTRUCTORS, *mcp.OBJECT_CONSTRUCTORS)


@lru_cache(maxsize=16)
def registry_for(extra: tuple[tuple[str, FrameworkKind], ...] = ()) -> Registry:
    """The built-in registry with a project's `framework-decorators` added or overriding."""
    return build_registry(DECORATORS, CLASSES, INSTANCES, DECORATED_RESULT_CLASS, OBJECT_CONSTRUCTORS, extra)
