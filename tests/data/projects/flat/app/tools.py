"""Tools whose framework decorators come from other modules of the project."""

import fluxloop_runtime as fluxloop

from common import tool
from common.aliases import chained_tool
from common.decorators import bound_tool, configured_tool, house_tool, lenient_tool, strict_tool

from .server import api, mcp, web


@fluxloop.tool()
@strict_tool
def search(query: str) -> str:
    """Search."""
    return query


@fluxloop.tool()
@lenient_tool
def lenient(query: str) -> str:
    """Lenient."""
    return query


@fluxloop.tool()
@house_tool
def housed(query: str) -> str:
    """Housed."""
    return query


@fluxloop.tool()
@configured_tool(name_override="configured")
def configured(query: str) -> str:
    """Configured."""
    return query


@fluxloop.tool()
@bound_tool
def bound(query: str) -> str:
    """Bound."""
    return query


@fluxloop.tool()
@tool
def reexported(query: str) -> str:
    """Re-exported."""
    return query


@fluxloop.tool()
@chained_tool
def chained(query: str) -> str:
    """Chained."""
    return query


@fluxloop.tool()
@mcp.tool()
def weather(city: str) -> str:
    """Weather."""
    return city


@fluxloop.trace()
@api.get("/items")
def items() -> list:
    return []


@fluxloop.trace()
@web.route("/health")
def health() -> str:
    return "ok"
