"""Property tests: the engine never crashes on generated programs, and fixes of generated
decorator stacks always parse and are stable."""

from __future__ import annotations

import hypothesmith
import libcst as cst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fluxloop_lint.engine import known_codes, lint_source
from fluxloop_lint.types import LintSettings

EVERYTHING = LintSettings(select=("ALL",), unsafe_fixes=True)
HEADER = (
    "import functools\nimport fluxloop\nimport fluxloop_runtime as flr\n"
    "from agents import function_tool\nfrom langchain_core.tools import tool\n"
    "from semantic_kernel.functions import kernel_function\nfrom myproject import retry\n"
    "from fluxloop.models import ObservationType\n\n"
)
BOUNDED = settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))


def _check_never_crashes(source: str) -> None:
    for fix in (False, True):
        result = lint_source(HEADER + source, "generated.py", EVERYTHING, fix=fix)
        assert result.errors == ()
        assert {finding.code for finding in result.findings} <= set(known_codes())
        if result.fixed_source is not None:
            cst.parse_module(result.fixed_source)


@BOUNDED
@given(hypothesmith.from_grammar())
def test_generated_programs_never_crash_the_engine(source):
    _check_never_crashes(source)


@BOUNDED
@given(hypothesmith.from_node())
def test_generated_syntax_trees_never_crash_the_engine(source):
    _check_never_crashes(source)


DECORATORS = (
    "@fluxloop.tool()", "@fluxloop.trace(name='x')", "@fluxloop.agent", "@flr.tool", "@flr.prompt(model='m')",
    "@function_tool", "@tool", "@tool(\n    'named',\n)", "@staticmethod", "@classmethod", "@property",
    "@functools.lru_cache", "@functools.cached_property", "@kernel_function", "@retry(3)",
)
SPACERS = ("", "\n", "# a comment\n", "\n# after a blank line\n")


@st.composite
def decorated_functions(draw) -> str:
    stack = draw(st.lists(st.sampled_from(DECORATORS), min_size=1, max_size=6))
    lines = []
    for decorator in stack:
        lines.append(draw(st.sampled_from(SPACERS)))
        trailing = draw(st.sampled_from(("", "  # trailing")))
        lines.append(decorator + trailing + "\n")
    function = "".join(lines) + "def target(self):\n    yield 1\n" if draw(st.booleans()) else "".join(lines) + "def target(self):\n    return 1\n"
    where = draw(st.sampled_from(("module", "class", "nested")))
    if where == "module":
        return function
    indent = "    " if where == "class" else "        "
    body = "".join(indent + line if line.strip() else line for line in function.splitlines(keepends=True))
    if where == "class":
        return "class Holder:\n" + body
    return "class Holder:\n    def build(self):\n" + body + "        return target\n"


@BOUNDED
@given(decorated_functions(), st.booleans())
def test_fixes_of_decorator_stacks_parse_and_are_stable(source, crlf):
    text = HEADER + source
    if crlf:
        text = text.replace("\n", "\r\n")
    result = lint_source(text.encode(), "stack.py", EVERYTHING, fix=True)
    assert result.errors == ()
    if result.fixed_source is None:
        return
    cst.parse_module(result.fixed_source)
    assert (b"\r\n" in result.fixed_source) == crlf and (b"\n" in result.fixed_source.replace(b"\r\n", b"")) != crlf
    remaining = {finding.code for finding in result.findings}
    assert not remaining & {"FLX101", "FLX102", "FLX103", "FLX104", "FLX105"}
    assert lint_source(result.fixed_source, "stack.py", EVERYTHING, fix=True).fixed_source is None
    # Nothing but decorator lines moved: the same multiset of lines.
    assert sorted(result.fixed_source.decode().replace("()", "").splitlines()) == sorted(
        text.replace("()", "").splitlines()
    )
