from agents import function_tool

broken_tool = function_tool(strict_mode=True
