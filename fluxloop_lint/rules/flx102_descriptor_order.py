"""FLX102: a FluxLoop decorator above a descriptor (`staticmethod`, `property`, ...)."""

from __future__ import annotations

from fluxloop_lint.context import DecoratorInfo
from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.decorator_order import ORDER_RULE_CATEGORIES, DecoratorOrderRule, describe
from fluxloop_lint.types import Applicability


CONSEQUENCES = {
    "staticmethod": "turns it into a plain method: called on an instance it receives the instance as an extra first argument",
    "classmethod": "makes every call fail ('classmethod' object is not callable)",
    "property": "turns the attribute into a method: reading it no longer returns the value",
}
PROPERTY_LIKE = frozenset({"cached_property", "setter", "getter", "deleter"})
HIDDEN_DESCRIPTOR = "hides the descriptor from the class, so calls and attribute access break"


class DescriptorOrderRule(DecoratorOrderRule):
    CODE = "FLX102"
    NAME = "fluxloop-above-descriptor"
    MESSAGE = "@{fluxloop} sits above {descriptor}: wrapping the descriptor object {consequence}"
    FIX_TITLE = "Move @{fluxloop} below @{below}"
    WHAT = (
        "Reports a FluxLoop decorator placed above a descriptor decorator: `staticmethod`, "
        "`classmethod`, `property` and its `setter`/`getter`/`deleter`, "
        "`functools.cached_property`, `functools.singledispatchmethod`, `abc.abstractmethod`."
    )
    RATIONALE = (
        "`staticmethod`, `classmethod`, `property`, `functools.cached_property`, "
        "`functools.singledispatchmethod` and `abc.abstractmethod` return descriptors that the "
        "class machinery must see directly. A FluxLoop decorator above one wraps the descriptor "
        "in a plain function: a static method receives the instance as an extra argument, "
        "calls of a class method fail (`'classmethod' object is not callable`), a property "
        "becomes a method. Put the FluxLoop decorator directly above the `def`."
    )
    FIX_SAFETY = (
        "Safe: only the order of the decorators changes. The FluxLoop decorator then wraps the "
        "plain function, as the descriptor expects, and the descriptor is again what the class holds."
    )
    FIX = Applicability.SAFE
    CATEGORIES = ORDER_RULE_CATEGORIES["FLX102"]

    def message(self, fluxloop: DecoratorInfo, below: DecoratorInfo) -> str:
        kind = below.label.rsplit(".", 1)[-1]
        consequence = CONSEQUENCES.get(kind, CONSEQUENCES["property"] if kind in PROPERTY_LIKE else HIDDEN_DESCRIPTOR)
        return self.MESSAGE.format(fluxloop=fluxloop.label, descriptor=describe(below), consequence=consequence)

    VALID = (
        Valid(
            """
            import fluxloop

            class Search:
                @staticmethod
                @fluxloop.tool()
                def run(query: str) -> str:
                    return query
            """
        ),
        Valid(
            """
            import fluxloop

            staticmethod = lambda function: function  # shadows the builtin

            class Search:
                @fluxloop.tool()
                @staticmethod
                def run(query: str) -> str:
                    return query
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            import fluxloop

            class Search:
                @fluxloop.tool()
                @classmethod
                def run(cls, query: str) -> str:
                    return query
            """,
            4,
            5,
            """
            import fluxloop

            class Search:
                @classmethod
                @fluxloop.tool()
                def run(cls, query: str) -> str:
                    return query
            """,
            expected_message=(
                "@fluxloop.tool sits above @classmethod (builtins.classmethod, descriptor): wrapping the "
                "descriptor object makes every call fail ('classmethod' object is not callable)"
            ),
        ),
        Invalid(
            """
            import abc
            import functools
            from fluxloop_runtime import trace

            class Base(abc.ABC):
                @trace()
                @functools.cached_property
                def size(self) -> int:
                    return 1
            """,
            6,
            5,
            """
            import abc
            import functools
            from fluxloop_runtime import trace

            class Base(abc.ABC):
                @functools.cached_property
                @trace()
                def size(self) -> int:
                    return 1
            """,
            expected_message=(
                "@trace sits above @functools.cached_property (functools.cached_property, descriptor): "
                "wrapping the descriptor object turns the attribute into a method: reading it no longer "
                "returns the value"
            ),
        ),
        Invalid(
            """
            from fluxloop_runtime import trace

            class Base:
                @property
                def name(self) -> str:
                    return "base"

                @trace()
                @name.setter
                def name(self, value: str) -> None:
                    pass
            """,
            8,
            5,
            """
            from fluxloop_runtime import trace

            class Base:
                @property
                def name(self) -> str:
                    return "base"

                @name.setter
                @trace()
                def name(self, value: str) -> None:
                    pass
            """,
            expected_message=(
                "@trace sits above @name.setter (builtins.property.setter, descriptor): wrapping the "
                "descriptor object turns the attribute into a method: reading it no longer returns the "
                "value"
            ),
        ),
    )
