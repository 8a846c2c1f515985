"""FLX205: an instrumented region with no `except` recording the error before re-raising."""

from __future__ import annotations

import libcst as cst

from fluxloop_lint.context import FileContext
from fluxloop_lint.fixes.rewrite import fresh_name, rewrite_fix
from fluxloop_lint.rules.base import Invalid, Valid
from fluxloop_lint.rules.pattern_a.analysis import Call, FunctionAnalysis
from fluxloop_lint.rules.pattern_a.examples import GENERATOR, LOOP_WITH_EARLY_EXIT, PATTERN_A
from fluxloop_lint.rules.pattern_a.pieces import block_fix, except_clause, none_first, record_error
from fluxloop_lint.rules.pattern_a.predicates import catches_everything
from fluxloop_lint.rules.pattern_a.rule import PushPopRule
from fluxloop_lint.syntax_tree import descendants
from fluxloop_lint.types import Applicability, Fix


def records_error(handler: cst.ExceptHandler) -> bool:
    """The handler assigns something's `.error` (e.g. `obs.error = str(e)`)."""
    for node in descendants(handler.body):
        if isinstance(node, cst.Assign) and any(
            isinstance(target.target, cst.Attribute) and target.target.attr.value == "error" for target in node.targets
        ):
            return True
    return False


class ErrorNotRecordedRule(PushPopRule):
    CODE = "FLX205"
    NAME = "error-not-recorded"
    MESSAGE = "the code observed by this push has no `except` that records the exception in `{obs}.error` before re-raising: when it fails, the trace shows a success"
    RATIONALE = (
        "An observation ended by `finally` alone looks the same whether the code succeeded "
        "or raised. Pattern A adds `except Exception as e: if obs: obs.error = str(e)` and "
        "re-raises, so failures are visible in the trace and the caller still gets the "
        "exception. A handler that catches everything and assigns `.error` counts."
    )
    FIX_TITLE = "Add `except Exception as e:` recording `{obs}.error = str(e)` and re-raising"
    WHAT = (
        "Reports a push whose instrumented `try` has no handler that catches everything and "
        "records the exception in the observation's `.error`."
    )
    FIX_SAFETY = (
        "Safe. The fix adds Pattern A's `except Exception as e: if obs: obs.error = str(e)` "
        "and `raise` after the existing handlers, or the recording line at the top of an "
        "existing catch-all (naming its exception if it has no name): every exception "
        "propagates as before, and only the observation changes."
    )
    FIX = Applicability.SAFE

    def check(self, analysis: FunctionAnalysis) -> None:
        for push in analysis.pushes:
            region = analysis.region_try(push)
            if region is None or any(catches_everything(h) and records_error(h) for h in region.handlers):
                continue
            self.report(
                push.call,
                self.MESSAGE.format(obs=push.argument_name or "obs"),
                build_fix=lambda push=push, region=region: except_fix(self.context, analysis, push, region),
                fix_title=self.FIX_TITLE.format(obs=push.argument_name or "obs"),
            )

    VALID = (
        Valid(PATTERN_A),
        Valid(LOOP_WITH_EARLY_EXIT),
        Valid(GENERATOR),
    )
    INVALID = (
        Invalid(
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData, ObservationType

            async def lookup(query):
                fl_ctx = get_current_context()
                obs = None
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(type=ObservationType.TOOL, name="lookup")
                    fl_ctx.push_observation(obs)
                try:
                    e = await search(query)
                    return e
                finally:
                    if fl_ctx and obs:
                        fl_ctx.pop_observation()
            """,
            9,
            9,
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData, ObservationType

            async def lookup(query):
                fl_ctx = get_current_context()
                obs = None
                if fl_ctx and fl_ctx.is_enabled():
                    obs = ObservationData(type=ObservationType.TOOL, name="lookup")
                    fl_ctx.push_observation(obs)
                try:
                    e = await search(query)
                    return e
                except Exception as e_1:
                    if obs:
                        obs.error = str(e_1)
                    raise
                finally:
                    if fl_ctx and obs:
                        fl_ctx.pop_observation()
            """,
            expected_message="the code observed by this push has no `except` that records the exception in `obs.error` before re-raising: when it fails, the trace shows a success",
        ),
        Invalid(
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData

            def f(x):
                ctx = get_current_context()
                obs = None
                if ctx and ctx.is_enabled():
                    obs = ObservationData(type="tool", name="f")
                    ctx.push_observation(obs)
                try:
                    return int(x)
                except ValueError:
                    return 0
                except:
                    log("failed")
                    raise
                finally:
                    if ctx and obs:
                        ctx.pop_observation()
            """,
            9,
            9,
            """
            from fluxloop import get_current_context
            from fluxloop.models import ObservationData

            def f(x):
                ctx = get_current_context()
                obs = None
                if ctx and ctx.is_enabled():
                    obs = ObservationData(type="tool", name="f")
                    ctx.push_observation(obs)
                try:
                    return int(x)
                except ValueError:
                    return 0
                except BaseException as e:
                    if obs:
                        obs.error = str(e)
                    log("failed")
                    raise
                finally:
                    if ctx and obs:
                        ctx.pop_observation()
            """,
            expected_message="the code observed by this push has no `except` that records the exception in `obs.error` before re-raising: when it fails, the trace shows a success",
        ),
    )


def except_fix(context: FileContext, analysis: FunctionAnalysis, push: Call, region: cst.Try) -> Fix | None:
    """Record the exception in `obs.error` and re-raise (the `except` clause of Pattern A)."""
    obs = push.argument_name
    if obs is None:
        return None
    message = f"Add `except Exception as e:` recording {obs}.error and re-raising"
    handlers = list(region.handlers)
    fix = _except_fixed(region, handlers, obs, analysis)
    anchor = analysis.anchor(push)
    if not analysis.needs_none_first(push):
        return rewrite_fix(context, {region: fix}, Applicability.SAFE, message)
    if (
        not isinstance(anchor.owner, cst.IndentedBlock)
        or not any(node is region for node in anchor.block)
        or not analysis.may_start_as_none(obs, [anchor.statement])
    ):
        return None
    block = [fix if node is region else node for node in anchor.block]
    block.insert(anchor.index, none_first(obs))
    return block_fix(context, anchor.owner, block, message)


def _except_fixed(region: cst.Try, handlers: list[cst.ExceptHandler], obs: str, analysis: FunctionAnalysis) -> cst.Try:
    for index, handler in enumerate(handlers):
        if catches_everything(handler) and isinstance(handler.body, cst.IndentedBlock):
            name = handler.name.name.value if handler.name is not None and isinstance(handler.name.name, cst.Name) else None
            if name is None:
                name = fresh_name("e", analysis.names)
                handler = handler.with_changes(
                    type=handler.type or cst.Name("BaseException"),
                    name=cst.AsName(name=cst.Name(name)),
                    whitespace_after_except=cst.SimpleWhitespace(" "),
                )
            handlers[index] = handler.with_changes(body=handler.body.with_changes(body=[record_error(obs, name), *handler.body.body]))
            return region.with_changes(handlers=handlers)
    handlers.append(except_clause(obs, fresh_name("e", analysis.names)))
    return region.with_changes(handlers=handlers)
