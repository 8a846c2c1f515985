"""The registry covers every public path of the decorators of the installed frameworks."""

from __future__ import annotations

import importlib
import pkgutil
import warnings

import pytest

from fluxloop_lint.frameworks import CLASSES, DECORATORS, registry_for
from fluxloop_lint.types import FrameworkKind

# Installed by the test extra; others in the registry are checked when present.
INSTALLED = ("agents", "langchain_core", "mcp", "fastapi", "flask", "typer", "click", "pytest")
PRIVATE_OR_HEAVY = ("._", ".tests", ".testing", ".__main__", ".cli", ".extensions")


def _import(name: str):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return importlib.import_module(name)
    except Exception:  # optional extras, platform modules: not part of what is installed here
        return None


def _object_at(path: str):
    module_name, _, attribute = path.rpartition(".")
    while module_name:
        module = _import(module_name)
        if module is not None:
            value = module
            for part in path[len(module_name) + 1 :].split("."):
                value = getattr(value, part, None)
                if value is None:
                    return None
            return value
        module_name, _, _ = module_name.rpartition(".")
    return None


def _public_modules(package_name: str):
    package = _import(package_name)
    if package is None:
        return
    yield package
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), package_name + "."):
        if any(marker in info.name for marker in PRIVATE_OR_HEAVY):
            continue
        module = _import(info.name)
        if module is not None:
            yield module


@pytest.mark.parametrize("package", INSTALLED)
def test_every_public_alias_of_a_registered_decorator_is_registered(package):
    registry = registry_for()
    registered = [entry.qualified_name for entry in DECORATORS if not entry.qualified_name.endswith(".*")]
    registered += [path for framework_class in CLASSES for path in framework_class.paths]
    objects = {}
    for path in registered:
        if path.split(".", 1)[0].lstrip("_") == package:
            value = _object_at(path)
            if value is not None:
                objects.setdefault(id(value), (value, path))
    assert objects, f"no registered decorator of {package} could be imported"
    missing = []
    for module in _public_modules(package):
        for attribute, value in vars(module).items():
            if attribute.startswith("_") or id(value) not in objects or objects[id(value)][0] is not value:
                continue
            path = f"{module.__name__}.{attribute}"
            is_class = isinstance(value, type)
            if (is_class and path not in registry.classes) or (not is_class and path not in registry):
                missing.append(f"{path} (same object as {objects[id(value)][1]})")
    assert not missing, "public paths missing from the registry:\n" + "\n".join(sorted(missing))


def test_registered_paths_import_as_decorators():
    for path in ("agents.function_tool", "agents.tool.function_tool", "langchain_core.tools.tool",
                 "langchain_core.tools.convert.tool", "langchain_core.runnables.chain",
                 "mcp.server.mcpserver.MCPServer", "fastapi.FastAPI", "flask.Flask", "typer.Typer"):
        assert callable(_object_at(path)), path


def test_non_framework_decorators_are_known_and_never_reported():
    registry = registry_for()
    for path in ("functools.wraps", "functools.lru_cache", "functools.cache", "contextlib.contextmanager",
                 "contextlib.asynccontextmanager", "typing.overload", "typing.final", "dataclasses.dataclass"):
        assert registry.lookup(path).kind is FrameworkKind.WRAPPING, path


def test_configuration_extends_and_overrides():
    registry = registry_for((("acme.tool", FrameworkKind.TRANSFORMING), ("functools.wraps", FrameworkKind.MARKING)))
    assert registry.lookup("acme.tool").kind is FrameworkKind.TRANSFORMING
    assert registry.lookup("functools.wraps").kind is FrameworkKind.MARKING
