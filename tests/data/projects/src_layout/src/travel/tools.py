import fluxloop_runtime as fluxloop

from travel.decorators import strict_tool

from .server import mcp


@fluxloop.tool()  # expect: FLX101
@strict_tool
def search(query: str) -> str:
    """Search."""
    return query


@fluxloop.tool()  # expect: FLX101
@mcp.tool()
def weather(city: str) -> str:
    """Weather."""
    return city
