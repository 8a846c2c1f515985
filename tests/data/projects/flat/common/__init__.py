"""Re-exports, as packages do: `from common import tool`."""

from agents import function_tool as tool

__all__ = ["tool"]
