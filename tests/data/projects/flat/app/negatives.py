"""Nothing here is a misplaced framework decorator."""

import fluxloop_runtime as fluxloop
from agents import function_tool

from common.decorators import marks, passes
from common.fake import function_tool as fake_tool

from .broken import broken_tool
from .cycle_a import looped

strict = function_tool
strict = fluxloop


@fluxloop.tool()
@marks
def marked(query: str) -> str:
    return query


@fluxloop.tool()
@passes
def passed(query: str) -> str:
    return query


@fluxloop.tool()
@fake_tool
def faked(query: str) -> str:
    return query


@fluxloop.tool()
@broken_tool
def from_broken(query: str) -> str:
    return query


@fluxloop.tool()
@looped
def cyclic(query: str) -> str:
    return query


def build(function_tool):
    @fluxloop.tool()
    @function_tool
    def inner(query: str) -> str:
        return query

    return inner
