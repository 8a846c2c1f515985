"""The pieces of Pattern A that the fixes of FLX201-FLX205 put together.

Pattern A, as FluxLoop's custom framework integration guide writes it:

    fl_ctx = get_current_context()
    obs = None
    if fl_ctx and fl_ctx.is_enabled():
        obs = ObservationData(...)
        fl_ctx.push_observation(obs)
    try:
        ...
    except Exception as e:
        if obs:
            obs.error = str(e)
        raise
    finally:
        if fl_ctx and obs:
            fl_ctx.pop_observation()

The fixes keep every statement and comment of the user's code and only add (or move into a
`try`) what Pattern A needs; the names are the user's own (`ctx`, `span`, ...).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from fluxloop_lint.context import FileContext
from fluxloop_lint.fluxloop_api import POP_OBSERVATION
from fluxloop_lint.fixes.rewrite import rewrite_fix, statements
from fluxloop_lint.rules.pattern_a.analysis import Located
from fluxloop_lint.types import Applicability, Fix


def except_clause(obs: str, error: str) -> cst.ExceptHandler:
    """`except Exception as e:` recording the error on the observation and re-raising."""
    template = f"try:\n    pass\nexcept Exception as {error}:\n    if {obs}:\n        {obs}.error = str({error})\n    raise\n"
    return cst.ensure_type(statements(template)[0], cst.Try).handlers[0]


def record_error(obs: str, error: str) -> cst.BaseStatement:
    return statements(f"if {obs}:\n    {obs}.error = str({error})\n")[0]


def guarded_pop(ctx: str, obs: str) -> cst.If:
    return cst.ensure_type(statements(f"if {ctx} and {obs}:\n    {ctx}.{POP_OBSERVATION}()\n")[0], cst.If)


def finally_clause(ctx: str, obs: str) -> cst.Finally:
    return cst.Finally(body=cst.IndentedBlock(body=[guarded_pop(ctx, obs)]))


def pattern_a_try(body: Sequence[cst.BaseStatement], ctx: str, obs: str, error: str) -> cst.Try:
    first = body[0] if body else None
    leading: Sequence[cst.EmptyLine] = ()
    if isinstance(first, (cst.SimpleStatementLine, cst.BaseCompoundStatement)) and first.leading_lines:
        # A blank line or comment that introduced the code now introduces the `try`.
        leading, body = first.leading_lines, [first.with_changes(leading_lines=()), *body[1:]]
    return cst.Try(
        body=cst.IndentedBlock(body=list(body) or [cst.SimpleStatementLine(body=[cst.Pass()])]),
        handlers=[except_clause(obs, error)],
        finalbody=finally_clause(ctx, obs),
        leading_lines=leading,
    )


def none_first(obs: str) -> cst.BaseStatement:
    return statements(f"{obs} = None\n")[0]


def block_fix(context: FileContext, owner: cst.BaseSuite, body: list[cst.BaseStatement], message: str) -> Fix | None:
    """The safe fix giving the block `owner` the statements `body` (None for a one-line suite)."""
    if not isinstance(owner, cst.IndentedBlock):
        return None
    return rewrite_fix(context, {owner: owner.with_changes(body=body)}, Applicability.SAFE, message)


def shares_line(where: Located) -> bool:
    """The statement shares its line with others (`a; b`): a fix cannot move it alone."""
    statement = where.statement
    return isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) and len(statement.body) > 1
