"""FLX107: an `observation_type` / `ObservationType` value that does not exist."""

from __future__ import annotations

import re

import libcst as cst

from fluxloop_lint.fluxloop_api import DECORATOR_PARAMETERS, OBSERVATION_DATA, OBSERVATION_TYPE, OBSERVATION_TYPES
from fluxloop_lint.rules.base import Invalid, Rule, Valid

_MEMBERS = frozenset(value.upper() for value in OBSERVATION_TYPES)
_MEMBER_NAME = re.compile(r"[A-Z][A-Z0-9_]*\Z")
# The option naming the observation type, per callee (`trace` may also take it by position).
_TYPE_OPTION = {"trace": "observation_type", OBSERVATION_DATA: "type"}
_TRACE_TYPE_POSITION = DECORATOR_PARAMETERS["trace"].index("observation_type")


class ObservationTypeRule(Rule):
    CODE = "FLX107"
    NAME = "unknown-observation-type"
    MESSAGE = "{value} is not an observation type: this fails when the code runs (validation error or AttributeError)"
    FIX_TITLE = f"Use one of {', '.join(OBSERVATION_TYPES)}"
    WHAT = (
        "Reports an observation type that FluxLoop's `ObservationType` does not have: a "
        "decorator's `observation_type`, `ObservationData(type=...)`, `ObservationType(...)` or "
        "`ObservationType.MEMBER`."
    )
    RATIONALE = (
        "`ObservationType` has exactly these values: span, event, generation, tool, agent, "
        "chain, evaluation (members SPAN, EVENT, ...). A value outside them (`\"retrieval\"`, "
        "`ObservationType.RETRIEVAL`) raises when the decorator or `ObservationData` is built, "
        "which is usually at the first call, far from where it was written."
    )
    FIX_SAFETY = "There is no fix: which of the existing types was meant is for the code's author to say."
    TEXT_TRIGGERS = (OBSERVATION_TYPE, "observation_type", OBSERVATION_DATA, "trace(")

    def _fluxloop_name(self, expression: cst.BaseExpression) -> str | None:
        resolved = self.context.resolver.resolve(expression)
        if resolved is None or self.context.fluxloop_module_of(resolved.qualified_name) is None:
            return None
        return resolved.qualified_name.rsplit(".", 1)[-1] if resolved.qualified_name else None

    def visit_Attribute(self, node: cst.Attribute) -> None:
        member = node.attr.value
        if _MEMBER_NAME.match(member) and member not in _MEMBERS and self._fluxloop_name(node.value) == OBSERVATION_TYPE:
            self._report(node, f"ObservationType.{member}")

    def visit_Call(self, node: cst.Call) -> None:
        callee = self._fluxloop_name(node.func)
        if callee == OBSERVATION_TYPE and node.args and node.args[0].keyword is None:
            self._check_string(node.args[0].value)
            return
        keyword = _TYPE_OPTION.get(callee or "")
        if not keyword:
            return
        for position, argument in enumerate(node.args):
            named = argument.keyword is not None and argument.keyword.value == keyword
            positional = callee == "trace" and argument.keyword is None and position == _TRACE_TYPE_POSITION and not argument.star
            if named or positional:
                self._check_string(argument.value)

    def _check_string(self, value: cst.BaseExpression) -> None:
        if isinstance(value, cst.SimpleString) and value.evaluated_value not in OBSERVATION_TYPES:
            self._report(value, repr(value.evaluated_value))

    def _report(self, node: cst.CSTNode, value: str) -> None:
        self.report(node, self.MESSAGE.format(value=value))

    VALID = (
        Valid(
            """
            import fluxloop
            from fluxloop.models import ObservationData, ObservationType

            @fluxloop.trace(observation_type=ObservationType.CHAIN)
            def plan(goal):
                obs = ObservationData(type="tool", name="tool.search")
                return goal

            class ObservationType:  # a project's own class, later in the file
                RETRIEVAL = "retrieval"

            kind = ObservationType.RETRIEVAL
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            import fluxloop

            @fluxloop.trace(
                name="retrieve",
                observation_type="retrieval",
            )
            def retrieve(query):
                return query
            """,
            5,
            22,
            expected_message=(
                "'retrieval' is not an observation type: this fails when the code runs (validation error "
                "or AttributeError)"
            ),
        ),
        Invalid(
            """
            from fluxloop_runtime.models import ObservationData, ObservationType as Kind

            def record(context):
                context.push_observation(ObservationData(type=Kind.RETRIEVAL, name="search"))
            """,
            4,
            51,
            expected_message=(
                "ObservationType.RETRIEVAL is not an observation type: this fails when the code runs "
                "(validation error or AttributeError)"
            ),
        ),
        Invalid(
            """
            from fluxloop_runtime import trace

            @trace("retrieve", "retrieval")
            def retrieve(query):
                return query
            """,
            3,
            20,
            expected_message=(
                "'retrieval' is not an observation type: this fails when the code runs (validation error "
                "or AttributeError)"
            ),
        ),
    )
