"""`fluxloop-lint server`: a language server on stdio (pygls), with the command line's findings
as diagnostics, its fixes as code actions, and `explain`'s text on hover.

pygls and lsprotocol are imported only here, by that command. Modules: `positions` (engine
positions to the client's), `projects` (the configuration of each file's project and the
initialization options), `linting` (lints off the message loop, drops overtaken versions),
`diagnostics`, `actions` (code actions), `pattern_a` (the Pattern A action for one
function), `hover`, `notebooks` (a notebook document as the `.ipynb` file it stands for),
and `app` (the protocol's handlers). Every finding and fix comes from
`runner.lint_document`, the command line's lint of one file.
"""

from __future__ import annotations


def serve() -> None:
    """Serve one client on standard input and output until it sends `exit`."""
    from fluxloop_lint.server.app import build_server

    build_server().start_io()
