from common.decorators import house_tool
from common.decorators import strict_tool as chained_tool

__all__ = ["chained_tool", "relayed_tool"]


def relayed_tool(fn):
    """A house decorator built on another module's house decorator."""
    return house_tool(fn)
