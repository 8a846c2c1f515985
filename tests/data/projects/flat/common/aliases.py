from common.decorators import strict_tool as chained_tool

__all__ = ["chained_tool"]
