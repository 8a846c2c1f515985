"""The project's own decorators, built on the frameworks'."""

import functools

from agents import function_tool
from langchain_core.tools import tool as langchain_tool

strict_tool = function_tool(strict_mode=True)
lenient_tool = functools.partial(function_tool, strict_mode=False)


def house_tool(fn):
    return function_tool(fn)


def configured_tool(**options):
    def decorate(fn):
        return function_tool(**options)(fn)

    return decorate


def bound_tool(fn):
    made = langchain_tool(fn)
    return made


def marks(fn):
    fn.marked = True
    return fn


def passes(fn):
    return fn
