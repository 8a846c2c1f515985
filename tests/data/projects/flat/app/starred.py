import fluxloop_runtime as fluxloop
from agents import *
from common.decorators import *


@fluxloop.tool()
@function_tool
def direct(query: str) -> str:
    """Direct."""
    return query


@fluxloop.tool()
@strict_tool
def starred(query: str) -> str:
    """Starred."""
    return query
