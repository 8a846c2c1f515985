"""An MCP server over stdio whose tool continues the caller's FluxLoop trace (run by
tests/runtime/test_propagation.py in a subprocess; the offline directory comes from the
environment, FLUXLOOP_OFFLINE_DIR)."""

from mcp.server.mcpserver import Context, MCPServer

import fluxloop_runtime as fluxloop

server = MCPServer("orders")


@fluxloop.tool(name="find_order")
def find_order(order_id: str, api_key: str) -> dict:
    if order_id == "missing":
        raise LookupError(f"no order {order_id}")
    return {"order_id": order_id, "status": "shipped"}


@server.tool()
def lookup_order(order_id: str, ctx: Context) -> dict:
    """Look an order up."""
    with fluxloop.continue_trace(ctx, name="mcp.lookup_order"):
        return find_order(order_id, api_key="sk-live-123")


if __name__ == "__main__":
    server.run()
