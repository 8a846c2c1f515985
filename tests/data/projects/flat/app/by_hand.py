"""FluxLoop applied by hand to what a house decorator of another module makes."""

import fluxloop_runtime as fluxloop

from common.decorators import house_tool


def lookup(query: str) -> str:
    """Look up."""
    return query


lookup_tool = fluxloop.tool()(house_tool(lookup))  # expect: FLX108
