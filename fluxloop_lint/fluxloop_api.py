"""FluxLoop's names: what the rules look for in the user's code and what the fixes write.

FluxLoop has two Python packages with one API: the public SDK `fluxloop` and this project's
runtime `fluxloop_runtime` (`MODULES`, the default of the `fluxloop-modules` setting). Code
instruments functions with either of them in two ways:

- a decorator (`DECORATOR_PARAMETERS`): `@trace`, `@agent`, `@prompt` and `@tool`, each
  called with options (`@tool(name="search")`); the tuples list the options in the order
  they can be given by position. Each records one observation of a fixed type
  (`DECORATOR_TYPES`, a member of `ObservationType`; `trace` takes its type from its
  `observation_type` option, `SPAN` when not given);
- by hand (Pattern A): `get_current_context()` gives the current context, or None outside a
  traced run; a context says whether it records (`is_enabled()`), makes an observation the
  parent of what follows (`push_observation(obs)`) and ends the latest one
  (`pop_observation()`). `instrument(name)` opens a context for a `with` block. An
  observation is an `ObservationData(type=..., name=...)` whose `type` is one of
  `OBSERVATION_TYPES` (the values of `ObservationType`; its members are their upper case).

`SYMBOL_MODULES` says where the fixes import the symbols they write from, relative to the
package (`fluxloop.models.ObservationData`).

No imports, and FluxLoop itself is never imported here: the linter must not depend on
either package being installed, or pay for importing it. `tests/lint/test_fluxloop_api.py`
checks these names against both packages.
"""

from __future__ import annotations

SDK_MODULE = "fluxloop"
RUNTIME_MODULE = "fluxloop_runtime"
MODULES = (SDK_MODULE, RUNTIME_MODULE)

DECORATOR_PARAMETERS: dict[str, tuple[str, ...]] = {
    "trace": ("name", "observation_type", "metadata", "capture_input", "capture_output"),
    "agent": ("name", "metadata", "capture_input", "capture_output"),
    "prompt": ("name", "model", "capture_tokens"),
    "tool": ("name", "description"),
}
DECORATORS = frozenset(DECORATOR_PARAMETERS)
DECORATOR_TYPES = {"trace": "SPAN", "agent": "AGENT", "prompt": "GENERATION", "tool": "TOOL"}

OBSERVATION_TYPES = ("span", "event", "generation", "tool", "agent", "chain", "evaluation")

GET_CURRENT_CONTEXT = "get_current_context"
IS_ENABLED = "is_enabled"
PUSH_OBSERVATION = "push_observation"
POP_OBSERVATION = "pop_observation"
INSTRUMENT = "instrument"
OBSERVATION_DATA = "ObservationData"
OBSERVATION_TYPE = "ObservationType"

SYMBOL_MODULES = {GET_CURRENT_CONTEXT: "", OBSERVATION_DATA: ".models", OBSERVATION_TYPE: ".models"}
