import fluxloop_runtime as fluxloop
from agents import *
from common.decorators import *


@fluxloop.tool()  # expect: FLX101
@function_tool
def direct(query: str) -> str:
    """Direct."""
    return query


@fluxloop.tool()  # expect: FLX101
@strict_tool
def starred(query: str) -> str:
    """Starred."""
    return query
