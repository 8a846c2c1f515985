import fluxloop_runtime as fluxloop

from travel.server import mcp


@fluxloop.tool()  # expect: FLX101 (a namespace package, no __init__.py, importing the project's server)
@mcp.tool()
def extra(city: str) -> str:
    """Extra."""
    return city
