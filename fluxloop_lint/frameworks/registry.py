"""The registry's types and lookups: which decorators a FluxLoop decorator must sit below.

An entry is a `FrameworkDecorator` (a qualified name, its `FrameworkKind`, its forms); a
`FrameworkClass` lists the decorator methods of a framework class (`mcp = FastMCP(...)` then
`@mcp.tool()`) and the framework objects its instances hold (`app.webhooks`); an
`ObjectConstructor` is a call that builds a framework object around a function (FLX108).
`build_registry` makes the `Registry` from the tables that `fluxloop_lint.frameworks` gathers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fluxloop_lint.types import FrameworkKind

T = FrameworkKind.TRANSFORMING
R = FrameworkKind.REGISTERING
D = FrameworkKind.DESCRIPTOR
M = FrameworkKind.MARKING
W = FrameworkKind.WRAPPING


@dataclass(frozen=True)
class FrameworkDecorator:
    """One decorator the linter knows. `forms`: "bare" (`@x`), "called" (`@x(...)`) or "both"."""

    qualified_name: str
    kind: FrameworkKind
    forms: str
    framework: str
    note: str = ""


@dataclass(frozen=True)
class Methods:
    """Decorator methods of a framework class that share a kind and forms.

    `releases` names the releases that have these methods when the release the tests check
    no longer does (`FastAPI.route` before Starlette 1.0), so the completeness test does not
    ask for them on the checked class."""

    kind: FrameworkKind
    forms: str
    names: tuple[str, ...]
    note: str = ""
    releases: str = ""


@dataclass(frozen=True)
class FrameworkClass:
    """A framework class whose instances carry decorator methods (`@app.get(...)`).

    `attributes` are framework objects its instances hold, by the class they are an instance
    of: FastAPI's `app.webhooks` is an APIRouter, so `@app.webhooks.post(...)` is APIRouter's
    `post`."""

    paths: tuple[str, ...]
    framework: str
    methods: tuple[Methods, ...]
    attributes: tuple[tuple[str, str], ...] = ()


# Helpers that keep the data modules' tables short.


def methods(kind: FrameworkKind, forms: str, names: str, note: str = "", releases: str = "") -> Methods:
    return Methods(kind, forms, tuple(names.split()), note, releases)


def group(framework: str, kind: FrameworkKind, forms: str, *names: str, note: str = "") -> tuple[FrameworkDecorator, ...]:
    return tuple(FrameworkDecorator(name, kind, forms, framework, note) for name in names)


def under(prefixes: tuple[str, ...], names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{prefix}.{name}" for prefix in prefixes for name in names)


def names(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class ObjectConstructor:
    """`qualified_name(...)` returns a framework object calling the function passed as
    `parameter` (at `position` among the positional arguments; None: keyword only), or as one
    of the keyword arguments `also` (LangChain's `coroutine=`)."""

    qualified_name: str
    framework: str
    parameter: str
    position: int | None
    also: tuple[str, ...] = ()


def constructors(
    framework: str,
    classes: tuple[str, ...],
    method: str | None,
    parameter: str,
    position: int | None,
    also: tuple[str, ...] = (),
) -> tuple[ObjectConstructor, ...]:
    """The constructor under every public path of its class (`method`: a classmethod such as
    `from_function`; None: the class itself)."""
    return tuple(
        ObjectConstructor(f"{path}.{method}" if method else path, framework, parameter, position, also) for path in classes
    )


_KIND_STRENGTH = {T: 0, R: 1, D: 2, M: 3, W: 4}


class Registry:
    """Lookups over the table: by qualified name, by wildcard prefix, and by method name."""

    def __init__(
        self,
        decorators: dict[str, FrameworkDecorator],
        classes: frozenset[str],
        instances: Iterable[str],
        constructors: Mapping[str, ObjectConstructor],
    ) -> None:
        self._exact = {name: entry for name, entry in decorators.items() if not name.endswith(".*")}
        self._wildcards = tuple((name[:-1], entry) for name, entry in decorators.items() if name.endswith(".*"))
        self.classes = classes
        self.packages = frozenset(name.split(".", 1)[0] for name in decorators) | {
            name.split(".", 1)[0] for name in classes
        }
        by_method: dict[str, FrameworkDecorator] = {}
        for name in sorted(decorators):
            owner, _, method = name.rpartition(".")
            if owner in classes:
                known = by_method.get(method)
                if known is None or _KIND_STRENGTH[decorators[name].kind] < _KIND_STRENGTH[known.kind]:
                    by_method[method] = decorators[name]
        self._by_method = by_method
        names_by_module: dict[str, set[str]] = {}
        for name in (*decorators, *classes, *instances):
            module, _, public_name = name.removesuffix(".*").rpartition(".")
            if module and module not in classes and not public_name.startswith("_"):
                names_by_module.setdefault(module, set()).add(public_name)
        self._names_by_module = {module: frozenset(names) for module, names in names_by_module.items()}
        self._constructors = constructors

    def lookup(self, qualified_name: str) -> FrameworkDecorator | None:
        entry = self._exact.get(qualified_name)
        if entry is not None:
            return entry
        for prefix, wildcard in self._wildcards:
            if qualified_name.startswith(prefix):
                return wildcard
        return None

    def by_method_name(self, method: str) -> FrameworkDecorator | None:
        """The entry for `@<unresolvable object>.<method>`: the fallback for a receiver whose
        class is unknown (a parameter, a factory's result)."""
        return self._by_method.get(method)

    def knows_package(self, qualified_name: str) -> bool:
        return qualified_name.split(".", 1)[0] in self.packages

    def public_names(self, module: str) -> frozenset[str]:
        """The registered public names directly in `module` (decorators, classes, framework
        objects such as Celery's signals): what `from module import *` binds that matters here."""
        return self._names_by_module.get(module, frozenset())

    def __contains__(self, qualified_name: str) -> bool:
        return qualified_name in self._exact or any(
            qualified_name == prefix + "*" for prefix, _ in self._wildcards
        )

    def constructor(self, qualified_name: str) -> ObjectConstructor | None:
        """The framework-object constructor called by this name (`OBJECT_CONSTRUCTORS`)."""
        return self._constructors.get(qualified_name)


def build_registry(
    decorators: Iterable[FrameworkDecorator],
    classes: Iterable[FrameworkClass],
    instances: Mapping[str, str],
    decorated_result_class: Mapping[str, str],
    constructors: Iterable[ObjectConstructor],
    extra: Iterable[tuple[str, FrameworkKind]] = (),
) -> Registry:
    """The registry of these tables, with a project's `framework-decorators` (`extra`) added or
    overriding."""
    classes = tuple(classes)
    table = _table(tuple(decorators), classes, instances)
    for qualified_name, kind in extra:
        table[qualified_name] = FrameworkDecorator(qualified_name, FrameworkKind(kind), "both", "configuration")
    class_paths = frozenset(path for framework_class in classes for path in framework_class.paths)
    class_paths |= frozenset(decorated_result_class.values())
    by_name = {constructor.qualified_name: constructor for constructor in constructors}
    return Registry(table, class_paths, instances, by_name)


def _methods_by_class(classes: tuple[FrameworkClass, ...]) -> dict[str, dict[str, FrameworkDecorator]]:
    """Each class path's decorator methods, named under that path."""
    methods_by_class: dict[str, dict[str, FrameworkDecorator]] = {}
    for framework_class in classes:
        for path in framework_class.paths:
            methods = methods_by_class.setdefault(path, {})
            for group in framework_class.methods:
                for method in group.names:
                    name = f"{path}.{method}"
                    methods[method] = FrameworkDecorator(name, group.kind, group.forms, framework_class.framework, group.note)
    return methods_by_class


def _table(
    decorators: tuple[FrameworkDecorator, ...], classes: tuple[FrameworkClass, ...], instances: Mapping[str, str]
) -> dict[str, FrameworkDecorator]:
    """Module-level decorators, `<class path>.<method>`, and the methods of framework objects
    reached through an instance's attribute (`fastapi.FastAPI.webhooks.post`) or created by a
    module (`celery.signals.worker_init.connect`): those are the entries of the object's class."""
    methods_by_class = _methods_by_class(classes)
    table = {entry.qualified_name: entry for entry in decorators}
    for methods in methods_by_class.values():
        table.update((entry.qualified_name, entry) for entry in methods.values())
    objects = list(instances.items())
    for framework_class in classes:
        for attribute, class_path in framework_class.attributes:
            objects += [(f"{path}.{attribute}", class_path) for path in framework_class.paths]
    for object_path, class_path in objects:
        for method, entry in methods_by_class[class_path].items():
            table[f"{object_path}.{method}"] = entry
    return table


