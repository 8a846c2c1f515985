"""A FluxLoop-compatible runtime: context, observations, decorators and an offline store.

Code written for the public SDK runs after changing `import fluxloop` to
`import fluxloop_runtime as fluxloop`:

    import fluxloop_runtime as fluxloop

    @fluxloop.tool(description="Search the web")
    def search(query: str) -> list[str]: ...

    with fluxloop.instrument("my_agent_run"):
        search("weather")          # recorded as a TOOL observation of this trace

Observations go to `observations.jsonl` and traces to `traces.jsonl` in the offline
directory (`configure(offline_store_dir=...)`, env `FLUXLOOP_OFFLINE_DIR`, default
`./experiments/artifacts`), written when a root trace ends, on `flush()` and at exit.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Public name -> the module that defines it. They are imported on first use, so that
# `fluxloop_runtime.framework_context`, which the linter reads, costs the linter no pydantic.
_PUBLIC = {
    "models": "",
    "RuntimeConfig": "config",
    "configure": "config",
    "get_config": "config",
    "reset_config": "config",
    "FluxLoopContext": "context",
    "get_current_context": "context",
    "instrument": "context",
    "agent": "decorators",
    "prompt": "decorators",
    "tool": "decorators",
    "trace": "decorators",
    "ObservationData": "models",
    "ObservationLevel": "models",
    "ObservationType": "models",
    "TraceData": "models",
    "continue_trace": "propagation",
    "inject": "propagation",
    "Span": "spans",
    "flush": "export",
    "in_context": "threads",
    "submit_with_context": "threads",
}

if TYPE_CHECKING:
    from . import models
    from .config import RuntimeConfig, configure, get_config, reset_config
    from .context import FluxLoopContext, get_current_context, instrument
    from .decorators import agent, prompt, tool, trace
    from .export import flush
    from .models import ObservationData, ObservationLevel, ObservationType, TraceData
    from .propagation import continue_trace, inject
    from .spans import Span
    from .threads import in_context, submit_with_context


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'fluxloop_runtime' has no attribute {name!r}")
    value = importlib.import_module(f".{module or name}", __name__)
    if module:
        value = getattr(value, name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))


__all__ = [
    "FluxLoopContext",
    "ObservationData",
    "ObservationLevel",
    "ObservationType",
    "RuntimeConfig",
    "Span",
    "TraceData",
    "agent",
    "configure",
    "continue_trace",
    "flush",
    "get_config",
    "get_current_context",
    "in_context",
    "inject",
    "instrument",
    "models",
    "prompt",
    "reset_config",
    "submit_with_context",
    "tool",
    "trace",
]
