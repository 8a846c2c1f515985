"""Python itself: the descriptors of the standard library (`staticmethod`, `property`,
`functools.cached_property`, ...) and its decorators that only wrap (see
`fluxloop_lint.frameworks` for what each table means)."""

from __future__ import annotations

from fluxloop_lint.frameworks.registry import D, R, W, FrameworkClass, FrameworkDecorator, group, methods, names

DECORATORS: tuple[FrameworkDecorator, ...] = (
    # Descriptors.
    *group(
        "Python", D, "bare",
        "builtins.staticmethod", "builtins.classmethod", "builtins.property",
        "builtins.property.setter", "builtins.property.getter", "builtins.property.deleter",
        "functools.cached_property", "functools.singledispatchmethod",
        "abc.abstractmethod", "abc.abstractclassmethod", "abc.abstractstaticmethod", "abc.abstractproperty",
        "types.DynamicClassAttribute", "enum.property",
    ),
    # Not frameworks: known, never reported.
    *group(
        "Python", W, "both",
        "functools.wraps", "functools.lru_cache", "functools.cache", "functools.singledispatch",
        "functools.total_ordering",
        "contextlib.contextmanager", "contextlib.asynccontextmanager",
        "typing.overload", "typing.final", "typing.override", "typing.no_type_check",
        "typing_extensions.overload", "typing_extensions.final", "typing_extensions.override",
        "typing_extensions.deprecated", "warnings.deprecated", "dataclasses.*",
    ),
)

CLASSES: tuple[FrameworkClass, ...] = (
    FrameworkClass(("functools.singledispatchmethod",), "Python", (methods(R, "both", "register"),)),
    FrameworkClass(("functools.singledispatch",), "Python", (methods(R, "both", "register"),)),
)

DECORATED_RESULT_CLASS: dict[str, str] = {
    "builtins.property": "builtins.property",
    "functools.singledispatchmethod": "functools.singledispatchmethod",
    "functools.singledispatch": "functools.singledispatch",
}

NOT_DECORATORS: dict[str, frozenset[str]] = {
    "functools": names(
        "update_wrapper"
    ),
}
