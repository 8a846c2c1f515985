"""Tools whose framework decorators come from other modules of the project."""

import fluxloop_runtime as fluxloop

from common import tool
from common.aliases import chained_tool, relayed_tool
from common.decorators import bound_tool, configured_tool, house_tool, lenient_tool, strict_tool

from .server import api, mcp, web


@fluxloop.tool()  # expect: FLX101
@strict_tool
def search(query: str) -> str:
    """Search."""
    return query


@fluxloop.tool()  # expect: FLX101
@lenient_tool
def lenient(query: str) -> str:
    """Lenient."""
    return query


@fluxloop.tool()  # expect: FLX101
@house_tool
def housed(query: str) -> str:
    """Housed."""
    return query


@fluxloop.tool()  # expect: FLX101
@configured_tool(name_override="configured")
def configured(query: str) -> str:
    """Configured."""
    return query


@fluxloop.tool()  # expect: FLX101
@bound_tool
def bound(query: str) -> str:
    """Bound."""
    return query


@fluxloop.tool()  # expect: FLX101
@tool
def reexported(query: str) -> str:
    """Re-exported."""
    return query


@fluxloop.tool()  # expect: FLX101
@chained_tool
def chained(query: str) -> str:
    """Chained."""
    return query


@fluxloop.tool()  # expect: FLX101
@mcp.tool()
def weather(city: str) -> str:
    """Weather."""
    return city


@fluxloop.trace()  # expect: FLX101
@api.get("/items")
def items() -> list:
    return []


@fluxloop.trace()  # expect: FLX101
@web.route("/health")
def health() -> str:
    return "ok"


@fluxloop.tool()  # expect: FLX101
@relayed_tool
def relayed(query: str) -> str:
    """Relayed."""
    return query
