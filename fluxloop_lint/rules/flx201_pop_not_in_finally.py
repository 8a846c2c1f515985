"""FLX201: a push whose pop is not in a `finally` covering everything after it."""

from __future__ import annotations

from fluxloop_lint.fixes.pattern_a import wrap_fix
from fluxloop_lint.push_pop import FunctionAnalysis
from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.push_pop_rule import PushPopRule
from fluxloop_lint.types import Applicability


class PopNotInFinallyRule(PushPopRule):
    CODE = "FLX201"
    NAME = "pop-not-in-finally"
    MESSAGE = "`{call}` is not closed by a `pop_observation()` in a `finally` covering the code after it: an exception or early `return` leaves the observation open, and every later observation of the trace is recorded under it"
    RATIONALE = (
        "`push_observation()` makes the observation the parent of everything recorded after "
        "it until `pop_observation()` ends it. If the pop is not in a `finally` that starts "
        "right after the push, an exception or an early `return` skips it: the observation "
        "is never written and later observations get the wrong parent. Pattern A puts the "
        "code after the push in `try` / `except` / `finally` and pops in the `finally`. The "
        "fix does that, keeping the code as it is, and drops the pops it replaces."
    )
    FIX = Applicability.SAFE

    def check(self, analysis: FunctionAnalysis) -> None:
        for push in analysis.pushes:
            if analysis.pops_of(push.receiver) and not analysis.covered(push):
                call = self.context.module.code_for_node(push.call.func)
                self.report(
                    push.call,
                    self.MESSAGE.format(call=f"{call}(...)"),
                    build_fix=lambda push=push: wrap_fix(self.context, analysis, push),
                )
