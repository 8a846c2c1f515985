"""FLX102 names what really goes wrong for each descriptor (Python 3.10+ semantics)."""

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
