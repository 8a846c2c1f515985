"""FLX207: a correctly placed FluxLoop decorator that `--fix-strategy manual --unsafe-fixes`
turns into manual instrumentation (Pattern A)."""

from __future__ import annotations

import libcst as cst

from fluxloop_lint.fixes.manual import ALL, convertible, describable, manual_fix, misplaced
from fluxloop_lint.fluxloop_api import DECORATORS
from fluxloop_lint.rules.base import Invalid, Rule, Valid
from fluxloop_lint.types import Applicability


class ManualInstrumentationRule(Rule):
    """Explicit-only (`EXPLICIT_ONLY`): selected by its full code (`--select FLX207`,
    `--extend-select FLX207`), or by `--fix-strategy manual --unsafe-fixes`, which asks for it
    (`codes.rule_selectors`); never by default, `ALL` or a prefix such as `FLX2`, and an
    ignore that matches it wins. Misplaced decorators are left to FLX101/FLX102, whose manual
    fix is safe."""

    CODE = "FLX207"
    NAME = "fluxloop-decorator-to-manual"
    MESSAGE = "@{label} can be replaced by manual instrumentation in the body (Pattern A), which no framework can break"
    FIX_TITLE = "Replace @{label} by manual instrumentation in the body (Pattern A)"
    WHAT = (
        "Reports (only when asked for) each correctly placed FluxLoop decorator that "
        "`--fix-strategy manual` can turn into manual instrumentation of the function's body."
    )
    RATIONALE = (
        "A FluxLoop decorator below the framework decorator works (Pattern B), but a wrapper "
        "still stands between the framework and the function; some frameworks inspect it "
        "(Guardrails checks `__code__.co_argcount`). Manual instrumentation (Pattern A) keeps "
        "the function as it is. This rule reports each FluxLoop decorator and its fix rewrites "
        "the function: unsafe, because the observation is built by hand from then on (a "
        "generator's observation no longer parents what its body records). It runs only when "
        "asked for: when `--fix-strategy manual` and `--unsafe-fixes` are both given, or when "
        "selected by its full code (`--select FLX207`); `ALL` and prefixes such as `FLX2` do "
        "not select it, and `--ignore FLX207` keeps it off."
    )
    FIX_SAFETY = (
        "Unsafe: the observation is built by hand from then on, and that records differently "
        "from the decorator. An `@agent` called with no active context opens a trace of its own, "
        "while the manual rewrite records only inside an active trace (`instrument()` or an "
        "`@agent` further up); a generator's observation no longer parents what its body records; "
        "the input is `{\"args\": {...}}` without the framework's context parameters; and an "
        "error is recorded as `str(e)` for `Exception` only."
    )
    DEFAULT_ENABLED = False
    EXPLICIT_ONLY = True
    FIX = Applicability.UNSAFE
    TEXT_TRIGGERS = tuple(sorted(DECORATORS))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not node.decorators:
            return
        decorators = self.context.decorators_of(node)
        order_rules = {"FLX101", "FLX102"} <= self.context.enabled_codes
        for index, info in enumerate(decorators):
            if (
                info.fluxloop
                and convertible(decorators, index)
                and not (order_rules and misplaced(decorators, index))
                and describable(self.context, node, info)
            ):
                self.report(
                    info.node,
                    self.MESSAGE.format(label=info.label),
                    fix_title=self.FIX_TITLE.format(label=info.label),
                    build_fix=lambda info=info: manual_fix(self.context, ALL, info.node),
                )

    VALID = (
        Valid(
            """
            def plain(query):
                return query
            """
        ),
        Valid(
            """
            import functools
            import fluxloop

            @fluxloop.agent()
            @functools.lru_cache(maxsize=32)
            def quote(nights):  # inside the cache the body would run on misses only: not offered
                return nights * 100
            """
        ),
        Valid(
            """
            import fluxloop

            @fluxloop.trace(observation_type="retrieval")  # no such type (FLX107): nothing to write out
            def search(query):
                return query
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            import fluxloop
            from agents import function_tool

            @function_tool
            @fluxloop.tool(name="tool.lookup")
            def lookup(query: str) -> str:
                return query.upper()
            """,
            5,
            1,
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData, ObservationType
            from agents import function_tool

            @function_tool
            def lookup(query: str) -> str:
                fl_ctx = get_current_context()
                obs = None
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(
                        type=ObservationType.TOOL,
                        name="tool.lookup",
                        input={"args": {"query": query}},
                    )
                    fl_ctx.push_observation(obs)
                try:
                    fl_result = query.upper()
                    if obs:
                        obs.output = fl_result
                    return fl_result
                except Exception as e:
                    if obs:
                        obs.error = str(e)
                    raise
                finally:
                    if fl_ctx and obs:
                        fl_ctx.pop_observation()
            """,
            expected_message=(
                "@fluxloop.tool can be replaced by manual instrumentation in the body (Pattern A), which "
                "no framework can break"
            ),
        ),
    )
