"""The rule catalogue: one module per rule, exported here in code order."""

from __future__ import annotations

from fluxloop_lint.rules.base import Rule
from fluxloop_lint.rules.flx001_syntax_error import SyntaxErrorRule
from fluxloop_lint.rules.flx101_framework_order import FrameworkOrderRule
from fluxloop_lint.rules.flx102_descriptor_order import DescriptorOrderRule
from fluxloop_lint.rules.flx103_marking_order import MarkingOrderRule
from fluxloop_lint.rules.flx104_unknown_decorator_order import UnknownDecoratorOrderRule
from fluxloop_lint.rules.flx105_bare_factory import BareFactoryRule
from fluxloop_lint.rules.flx106_sdk_generator import SdkGeneratorRule
from fluxloop_lint.rules.flx107_observation_type import ObservationTypeRule
from fluxloop_lint.rules.flx108_decorator_call_on_framework_object import DecoratorCallOnFrameworkObjectRule
from fluxloop_lint.rules.pattern_a.flx201_pop_not_in_finally import PopNotInFinallyRule
from fluxloop_lint.rules.pattern_a.flx202_no_pop import NoPopRule
from fluxloop_lint.rules.pattern_a.flx203_unguarded_context import UnguardedContextRule
from fluxloop_lint.rules.pattern_a.flx204_unguarded_pop import UnguardedPopRule
from fluxloop_lint.rules.pattern_a.flx205_error_not_recorded import ErrorNotRecordedRule
from fluxloop_lint.rules.flx206_sdk_end_time import SdkEndTimeRule
from fluxloop_lint.rules.flx207_manual_instrumentation import ManualInstrumentationRule
from fluxloop_lint.rules.pattern_a.flx301_open_across_yield import OpenAcrossYieldRule

ALL_RULES: tuple[type[Rule], ...] = (
    SyntaxErrorRule,
    FrameworkOrderRule,
    DescriptorOrderRule,
    MarkingOrderRule,
    UnknownDecoratorOrderRule,
    BareFactoryRule,
    SdkGeneratorRule,
    ObservationTypeRule,
    DecoratorCallOnFrameworkObjectRule,
    PopNotInFinallyRule,
    NoPopRule,
    UnguardedContextRule,
    UnguardedPopRule,
    ErrorNotRecordedRule,
    SdkEndTimeRule,
    ManualInstrumentationRule,
    OpenAcrossYieldRule,
)

_BY_CODE = {rule.CODE: rule for rule in ALL_RULES}


def rule_for_code(code: str) -> type[Rule] | None:
    """The rule class with this code, or None."""
    return _BY_CODE.get(code.upper())
