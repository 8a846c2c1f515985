"""A project function that happens to share the Agents SDK's name."""


def function_tool(fn):
    return fn
