"""The Fixit rule a team would write to catch FluxLoop decorators above framework decorators.

It is the peer `lint_speed.py` times fluxloop-lint against: the same detection (FLX101/102),
written the idiomatic Fixit way with LibCST's `QualifiedNameProvider`.
"""
