from agents import function_tool

strict_tool = function_tool(strict_mode=True)
