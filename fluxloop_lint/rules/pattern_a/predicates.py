"""Predicates on LibCST nodes that the Pattern A analysis and the rules' fixes share: what an
`if` test tells about a name (`ctx`, `ctx is not None`, `ctx.is_enabled()`, their negations,
split on `and`/`or`), what a statement binds or assigns, and what a block holds (a `yield`,
an exit, a catch-all handler). Each judges one node by its shape; none knows about a function.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import libcst as cst

from fluxloop_lint.fluxloop_api import IS_ENABLED
from fluxloop_lint.syntax_tree import descendants


def inside_nodes(region: Sequence[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    for statement in region:
        yield statement
        yield from descendants(statement)



def bound_names(node: cst.CSTNode) -> list[cst.Name]:
    """The names a node binds (assignment and loop targets, walrus, `with ... as`, `except ... as`)."""
    targets: list[cst.CSTNode] = []
    if isinstance(node, cst.Assign):
        targets = [target.target for target in node.targets]
    elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr)):
        targets = [node.target]
    elif isinstance(node, (cst.For, cst.CompFor)):
        targets = [node.target]
    elif isinstance(node, cst.AsName):
        targets = [node.name]
    names: list[cst.Name] = []
    while targets:
        target = targets.pop()
        if isinstance(target, cst.Name):
            names.append(target)
        elif isinstance(target, (cst.Tuple, cst.List)):
            targets.extend(element.value for element in target.elements)
        elif isinstance(target, cst.StarredElement):
            targets.append(target.value)
    return names  # `obs.error = ...` binds no name


def assigns(node: cst.CSTNode, name: str) -> bool:
    """A line that is one assignment to `name` (`name = ...`, `name: T = ...`)."""
    return (
        isinstance(node, cst.SimpleStatementLine)
        and len(node.body) == 1
        and isinstance(node.body[0], (cst.Assign, cst.AnnAssign))
        and any(
            is_name(target, name)
            for target in ([t.target for t in node.body[0].targets] if isinstance(node.body[0], cst.Assign) else [node.body[0].target])
        )
    )


def assigns_none(node: cst.CSTNode, name: str) -> bool:
    return assigns(node, name) and is_name(node.body[0].value, "None")


def _strip(expression: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(expression, cst.NamedExpr):
        expression = expression.target
    return expression


def conjuncts(test: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return conjuncts(test.left) + conjuncts(test.right)
    return [_strip(test)]


def disjuncts(test: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return disjuncts(test.left) + disjuncts(test.right)
    return [_strip(test)]


def negated(test: cst.BaseExpression) -> cst.BaseExpression:
    """An expression true exactly when `test` is false, in the forms the tests below read."""
    test = _strip(test)
    inner = negates(test)
    if inner is not None:
        return inner
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return cst.BooleanOperation(negated(test.left), cst.And(), negated(test.right))
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        operator = test.comparisons[0].operator
        if isinstance(operator, (cst.Is, cst.IsNot)):
            flipped = cst.IsNot() if isinstance(operator, cst.Is) else cst.Is()
            return test.with_changes(comparisons=[test.comparisons[0].with_changes(operator=flipped)], lpar=(), rpar=())
    return cst.UnaryOperation(cst.Not(), test)


def is_name(expression: cst.BaseExpression, name: str) -> bool:
    return isinstance(expression, cst.Name) and expression.value == name


def _compares(expression: cst.BaseExpression, name: str, operator: type[cst.BaseCompOp]) -> bool:
    return (
        isinstance(expression, cst.Comparison)
        and is_name(_strip(expression.left), name)
        and len(expression.comparisons) == 1
        and isinstance(expression.comparisons[0].operator, operator)
        and is_name(expression.comparisons[0].comparator, "None")
    )


def negates(expression: cst.BaseExpression) -> cst.BaseExpression | None:
    """`x` for `not x`; None for anything else."""
    if isinstance(expression, cst.UnaryOperation) and isinstance(expression.operator, cst.Not):
        return _strip(expression.expression)
    return None


def _is_enabled_call(expression: cst.BaseExpression, name: str) -> bool:
    return (
        isinstance(expression, cst.Call)
        and isinstance(expression.func, cst.Attribute)
        and expression.func.attr.value == IS_ENABLED
        and is_name(_strip(expression.func.value), name)
    )


def tests_not_none(expression: cst.BaseExpression, name: str) -> bool:
    """`name` or `name is not None` (a true test)."""
    return is_name(expression, name) or _compares(expression, name, cst.IsNot)


def tests_none(expression: cst.BaseExpression, name: str) -> bool:
    """`not name` or `name is None` (a test whose falsity says `name` is not None)."""
    negated = negates(expression)
    return (negated is not None and is_name(negated, name)) or _compares(expression, name, cst.Is)


def tests_enabled(expression: cst.BaseExpression, name: str) -> bool:
    return _is_enabled_call(expression, name)


def tests_disabled(expression: cst.BaseExpression, name: str) -> bool:
    negated = negates(expression)
    return negated is not None and _is_enabled_call(negated, name)


def exits(body: cst.BaseSuite) -> bool:
    """The block ends by leaving it: `return`, `raise`, `continue` or `break`."""
    statements = body.body
    if not statements:
        return False
    last = statements[-1]
    small = last.body[-1] if isinstance(last, cst.SimpleStatementLine) else last if isinstance(last, cst.BaseSmallStatement) else None
    return isinstance(small, (cst.Return, cst.Raise, cst.Continue, cst.Break))


def catches_everything(handler: cst.ExceptHandler) -> bool:
    kind = handler.type
    return kind is None or is_name(kind, "Exception") or is_name(kind, "BaseException")


def contains_yield(nodes: Sequence[cst.CSTNode]) -> bool:
    for node in nodes:
        if isinstance(node, cst.Yield):
            return True
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if any(isinstance(child, cst.Yield) for child in descendants(node)):
            return True
    return False


def own_nodes(function: cst.FunctionDef) -> Iterator[cst.CSTNode]:
    """The nodes of the function's body that belong to it (not to nested scopes)."""
    return descendants(function.body)


def names_in(node: cst.CSTNode) -> list[cst.Name]:
    """The names in an expression (the expression itself when it is one)."""
    return [node] if isinstance(node, cst.Name) else [n for n in descendants(node) if isinstance(n, cst.Name)]
