"""Which child nodes a traversal visits, computed once per node class.

LibCST's own `visit` rebuilds every node it passes; the engine only needs to read, so it
walks the fields itself. Two views of the tree:

- `statement_children`: only what can hold statements (module and block bodies, small
  statements of a line, `try` handlers, `else`/`finally`, `match` cases). Enough for
  imports, assignments and decorated definitions, and far fewer nodes.
- `all_children`: every child node in source order, less whitespace and punctuation, for
  rules that look inside expressions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import libcst as cst

_STATEMENT_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {
    cst.Module: ("body",),
    cst.IndentedBlock: ("body",),
    cst.SimpleStatementSuite: ("body",),
    cst.SimpleStatementLine: ("body",),
    cst.If: ("body", "orelse"),
    cst.Else: ("body",),
    cst.For: ("body", "orelse"),
    cst.While: ("body", "orelse"),
    cst.Try: ("body", "handlers", "orelse", "finalbody"),
    cst.TryStar: ("body", "handlers", "orelse", "finalbody"),
    cst.ExceptHandler: ("body",),
    cst.ExceptStarHandler: ("body",),
    cst.Finally: ("body",),
    cst.With: ("body",),
    cst.FunctionDef: ("body",),
    cst.ClassDef: ("body",),
    cst.Match: ("cases",),
    cst.MatchCase: ("body",),
}

# Looked up in `__mro__` rather than with `issubclass`: LibCST's base classes are ABCs, and
# asking one about every class of the package costs milliseconds at import.
STATEMENT_NODE_TYPES: frozenset[type[cst.CSTNode]] = frozenset(
    {*_STATEMENT_FIELDS, *(cls for cls in vars(cst).values() if isinstance(cls, type) and cst.BaseSmallStatement in cls.__mro__)}
)

_SKIPPED_FIELDS = frozenset(
    {"lpar", "rpar", "comma", "dot", "equal", "semicolon", "colon", "leading_lines", "lines_after_decorators",
     "header", "footer", "newline", "asynchronous", "star", "lbracket", "rbracket", "lbrace", "rbrace",
     "operator", "whitespace", "indent", "posonly_ind", "trailing_whitespace"}
)

# Source order where it differs from the dataclass field order (decorators come first).
_FIELD_ORDER: dict[type[cst.CSTNode], tuple[str, ...]] = {
    cst.FunctionDef: ("decorators", "name", "type_parameters", "params", "returns", "body"),
    cst.ClassDef: ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    cst.Parameters: ("posonly_params", "params", "star_arg", "kwonly_params", "star_kwarg"),
    cst.If: ("test", "body", "orelse"),
    cst.While: ("test", "body", "orelse"),
    cst.For: ("target", "iter", "body", "orelse"),
    cst.ExceptHandler: ("type", "name", "body"),
    cst.Assign: ("targets", "value"),
}

_all_fields: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def statement_fields(node_type: type[cst.CSTNode]) -> tuple[str, ...]:
    return _STATEMENT_FIELDS.get(node_type, ())


def all_fields(node_type: type[cst.CSTNode]) -> tuple[str, ...]:
    names = _all_fields.get(node_type)
    if names is None:
        names = _FIELD_ORDER.get(node_type) or tuple(
            field.name
            for field in dataclasses.fields(node_type)
            if field.name not in _SKIPPED_FIELDS and not field.name.startswith("whitespace")
        )
        _all_fields[node_type] = names
    return names


def children(node: cst.CSTNode, fields: tuple[str, ...]) -> Iterator[cst.CSTNode]:
    for name in fields:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


def descendants(node: cst.CSTNode, *, into_scopes: bool = False) -> Iterator[cst.CSTNode]:
    """Every node below `node`; without `into_scopes`, not below nested functions, classes
    or lambdas (what belongs to `node`'s own body, e.g. to tell a generator function)."""
    stack = list(children(node, all_fields(type(node))))
    stack.reverse()
    while stack:
        current = stack.pop()
        yield current
        if not into_scopes and isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        nested = list(children(current, all_fields(type(current))))
        nested.reverse()
        stack.extend(nested)


def is_docstring(statement: cst.BaseStatement) -> bool:
    """A statement that is a lone string literal (a docstring when it comes first)."""
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
