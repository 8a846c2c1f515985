"""What FLX201-FLX206 and FLX301 share: the per-function analysis of hand-written
instrumentation (`fluxloop_lint.push_pop`), run only on files that name its triggers."""

from __future__ import annotations

import libcst as cst

from fluxloop_lint.push_pop import TRIGGERS, FunctionAnalysis, analyse
from fluxloop_lint.rules.base import Rule


class PushPopRule(Rule):
    TEXT_TRIGGERS = tuple(sorted(TRIGGERS))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        analysis = analyse(self.context, node)
        if analysis is not None:
            self.check(analysis)

    def check(self, analysis: FunctionAnalysis) -> None:
        raise NotImplementedError
