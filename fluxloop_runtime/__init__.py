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

from . import models
from .config import RuntimeConfig, configure, get_config, reset_config
from .context import FluxLoopContext, get_current_context, instrument
from .decorators import agent, prompt, tool, trace
from .models import ObservationData, ObservationLevel, ObservationType, TraceData
from .propagation import continue_trace, inject
from .spans import Span
from .export import flush
from .threads import in_context, submit_with_context

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
