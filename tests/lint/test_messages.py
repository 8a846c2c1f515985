"""Messages name what really goes wrong, and how sure the linter is of the framework."""

from __future__ import annotations

import textwrap

import pytest

from fluxloop_lint.engine import lint_source
from fluxloop_lint.types import LintSettings


@pytest.mark.parametrize(
    ("descriptor", "consequence"),
    [
        ("staticmethod", "receives the instance as an extra first argument"),
        ("classmethod", "'classmethod' object is not callable"),
        ("property", "reading it no longer returns the value"),
        ("functools.cached_property", "reading it no longer returns the value"),
        ("abc.abstractmethod", "hides the descriptor from the class"),
    ],
)
def test_message_names_the_consequence_of_each_descriptor(descriptor, consequence):
    source = textwrap.dedent(
        f"""
        import abc
        import functools
        import fluxloop

        class Pricing:
            @fluxloop.trace()
            @{descriptor}
            def total(self):
                return 1
        """
    )
    [finding] = lint_source(source, "pricing.py", LintSettings()).findings
    assert finding.code == "FLX102"
    assert consequence in finding.message


def test_a_framework_matched_by_method_name_is_not_named_as_if_resolved():
    source = textwrap.dedent(
        """
        import fluxloop

        class Server:
            def install(self):
                @fluxloop.trace()
                @self.mcp.tool()
                def ping():
                    return "pong"
        """
    )
    [finding] = lint_source(source, "server.py", LintSettings()).findings
    assert finding.code == "FLX101"
    assert "@self.mcp.tool (a framework's `tool` by its method name," in finding.message
