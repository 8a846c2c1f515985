"""Findings as LSP diagnostics: the command line's code, severity, range and message."""

from __future__ import annotations

from lsprotocol import types

from fluxloop_lint.server.positions import LineIndex
from fluxloop_lint.types import Finding, Severity

SOURCE = "fluxloop-lint"
_SEVERITIES = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning}


def diagnostic(finding: Finding, index: LineIndex) -> types.Diagnostic:
    return types.Diagnostic(
        range=index.range(finding.start, finding.end),
        message=finding.message,
        severity=_SEVERITIES[finding.severity],
        code=finding.code,
        source=SOURCE,
    )
