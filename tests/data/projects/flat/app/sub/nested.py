import fluxloop_runtime as fluxloop

from .. import server
from ..server import mcp as shared_mcp


@fluxloop.tool()  # expect: FLX101
@shared_mcp.tool()
def forecast(city: str) -> str:
    """Forecast."""
    return city


@fluxloop.tool()  # expect: FLX101
@server.mcp.prompt()
def greeting(name: str) -> str:
    """Greeting."""
    return name
