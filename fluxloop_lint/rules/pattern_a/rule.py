"""The base of the rules that judge hand-written instrumentation: each gets the shared
analysis of every function (`analysis.analyse`), and runs only on files that name its
triggers."""

from __future__ import annotations

import libcst as cst

from fluxloop_lint.rules.base import Rule
from fluxloop_lint.rules.pattern_a.analysis import TRIGGERS, FunctionAnalysis, analyse


class PushPopRule(Rule):
    TEXT_TRIGGERS = tuple(sorted(TRIGGERS))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        # On leave: the engine's resolver then knows the function's own names (local imports).
        analysis = analyse(self.context, node)
        if analysis is not None:
            self.check(analysis)

    def check(self, analysis: FunctionAnalysis) -> None:
        raise NotImplementedError
