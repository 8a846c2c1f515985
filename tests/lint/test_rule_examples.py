"""Every rule's VALID and INVALID examples, as parametrized cases (as Fixit does)."""

from __future__ import annotations

import libcst as cst
import pytest

from fluxloop_lint.engine import lint_source
from fluxloop_lint.rules import ALL_RULES
from fluxloop_lint.types import LintSettings

ALL = LintSettings(select=("ALL",))


def _only(code: str) -> LintSettings:
    return LintSettings(select=(code,), unsafe_fixes=True)


VALID_CASES = [
    pytest.param(rule, example, id=f"{rule.CODE}-valid-{number}")
    for rule in ALL_RULES
    for number, example in enumerate(rule.VALID)
]
INVALID_CASES = [
    pytest.param(rule, example, id=f"{rule.CODE}-invalid-{number}")
    for rule in ALL_RULES
    for number, example in enumerate(rule.INVALID)
]


@pytest.mark.parametrize(("rule", "example"), VALID_CASES)
def test_valid_example_is_not_reported(rule, example):
    result = lint_source(example.code, "example.py", _only(rule.CODE))
    assert [finding.code for finding in result.findings] == []
    assert result.errors == ()


@pytest.mark.parametrize(("rule", "example"), INVALID_CASES)
def test_invalid_example_is_reported_where_expected(rule, example):
    result = lint_source(example.code, "example.py", _only(rule.CODE))
    places = [(finding.code, finding.start.line, finding.start.column) for finding in result.findings]
    assert (rule.CODE, example.line, example.column) in places
    assert all(finding.message and finding.code == rule.CODE for finding in result.findings)


@pytest.mark.parametrize(("rule", "example"), INVALID_CASES)
def test_invalid_example_gives_exactly_its_finding(rule, example):
    findings = lint_source(example.code, "example.py", _only(rule.CODE)).findings
    assert [(finding.code, finding.start.line, finding.start.column) for finding in findings] == [
        (rule.CODE, example.line, example.column)
    ]
    if example.expected_message is not None:
        assert findings[0].message == example.expected_message
    if rule.FIX_TITLE is not None:
        assert findings[0].fix_title and "{" not in findings[0].fix_title


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.CODE)
def test_rule_has_its_documentation_and_exact_examples(rule):
    assert rule.WHAT and rule.FIX_TITLE
    assert rule.FIX is None or rule.FIX_SAFETY
    assert all(example.expected_message for example in rule.INVALID)


@pytest.mark.parametrize(("rule", "example"), INVALID_CASES)
def test_invalid_example_fix(rule, example):
    settings = _only(rule.CODE)
    findings = lint_source(example.code, "example.py", settings).findings
    result = lint_source(example.code, "example.py", settings, fix=True)
    if example.expected_replacement is None:
        assert rule.FIX is None or all(finding.fix is None for finding in findings)
        assert result.fixed_source is None
        return
    assert rule.FIX is not None
    assert all(finding.fix is not None and finding.fix.applicability is rule.FIX for finding in findings)
    assert result.errors == ()
    assert result.fixed_source == example.expected_replacement
    cst.parse_module(result.fixed_source)
    assert rule.CODE not in {finding.code for finding in result.findings}
    assert lint_source(result.fixed_source, "example.py", settings, fix=True).fixed_source is None


@pytest.mark.parametrize(("rule", "example"), INVALID_CASES)
def test_invalid_example_noqa_on_the_reported_line(rule, example):
    lines = example.code.splitlines(keepends=True)
    line = lines[example.line - 1]
    if "#" in line or rule.CODE == "FLX001":
        pytest.skip("the reported line already holds a comment or cannot take one")
    lines[example.line - 1] = line.rstrip("\n") + f"  # noqa: {rule.CODE}\n"
    result = lint_source("".join(lines), "example.py", _only(rule.CODE))
    assert (rule.CODE, example.line) not in [(finding.code, finding.start.line) for finding in result.findings]


def test_rule_catalogue_is_complete_and_ordered():
    codes = [rule.CODE for rule in ALL_RULES]
    assert codes == sorted(codes)
    for rule in ALL_RULES:
        assert rule.NAME and rule.MESSAGE and rule.RATIONALE
        assert rule.INVALID, f"{rule.CODE} has no invalid example"
