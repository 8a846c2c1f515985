"""Nothing here is known to be a framework decorator: no FLX101, and FLX104 only when selected."""

import fluxloop_runtime as fluxloop
from agents import function_tool

from common.decorators import marks, passes
from common.fake import function_tool as fake_tool

from .broken import broken_tool
from .cycle_a import looped

function_tool = passes  # rebound after its import


@fluxloop.tool()  # expect: FLX104
@marks
def marked(query: str) -> str:
    return query


@fluxloop.tool()  # expect: FLX104
@passes
def passed(query: str) -> str:
    return query


@fluxloop.tool()  # expect: FLX104
@fake_tool
def faked(query: str) -> str:
    return query


@fluxloop.tool()  # expect: FLX104
@broken_tool
def from_broken(query: str) -> str:
    return query


@fluxloop.tool()  # expect: FLX104
@looped
def cyclic(query: str) -> str:
    return query


@fluxloop.tool()  # expect: FLX104
@function_tool
def rebound(query: str) -> str:
    return query


def build(function_tool):
    @fluxloop.tool()  # expect: FLX104
    @function_tool
    def inner(query: str) -> str:
        return query

    return inner
