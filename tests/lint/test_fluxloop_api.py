"""The linter's copy of FluxLoop's names (`fluxloop_lint.fluxloop_api`) against the real
packages: the public SDK `fluxloop` (pinned in the test extra) and `fluxloop_runtime`."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
import typing

import pytest

from fluxloop_lint import fluxloop_api

PACKAGES = fluxloop_api.MODULES


def _context_class(package: str) -> type:
    """The class of what `get_current_context()` returns (its return annotation, less None)."""
    get_current_context = getattr(importlib.import_module(package), fluxloop_api.GET_CURRENT_CONTEXT)
    returned = typing.get_type_hints(get_current_context)["return"]
    [context_class] = [argument for argument in typing.get_args(returned) if argument is not type(None)]
    return context_class


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize("decorator", sorted(fluxloop_api.DECORATORS))
def test_each_decorator_takes_the_options_in_that_order(package, decorator):
    signature = inspect.signature(getattr(importlib.import_module(package), decorator))
    positional = [
        parameter.name
        for parameter in signature.parameters.values()
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
    ]
    assert tuple(positional) == fluxloop_api.DECORATOR_PARAMETERS[decorator]


@pytest.mark.parametrize("package", PACKAGES)
def test_observation_types_are_the_values_of_observation_type(package):
    models = importlib.import_module(package + fluxloop_api.SYMBOL_MODULES[fluxloop_api.OBSERVATION_TYPE])
    observation_type = getattr(models, fluxloop_api.OBSERVATION_TYPE)
    assert tuple(member.value for member in observation_type) == fluxloop_api.OBSERVATION_TYPES
    assert [member.name for member in observation_type] == [value.upper() for value in fluxloop_api.OBSERVATION_TYPES]
    assert set(fluxloop_api.DECORATOR_TYPES.values()) <= {member.name for member in observation_type}


@pytest.mark.parametrize("package", PACKAGES)
def test_trace_records_a_span_unless_told_otherwise(package):
    trace = getattr(importlib.import_module(package), "trace")
    default = inspect.signature(trace).parameters["observation_type"].default
    assert default.name == fluxloop_api.DECORATOR_TYPES["trace"]


@pytest.mark.parametrize("package", PACKAGES)
def test_the_symbols_the_fixes_import_are_where_they_say(package):
    for symbol, submodule in fluxloop_api.SYMBOL_MODULES.items():
        assert hasattr(importlib.import_module(package + submodule), symbol), f"{package}{submodule}.{symbol}"
    assert callable(getattr(importlib.import_module(package), fluxloop_api.INSTRUMENT))


@pytest.mark.parametrize("package", PACKAGES)
def test_the_context_has_the_methods_pattern_a_calls(package):
    context_class = _context_class(package)
    for method in (fluxloop_api.IS_ENABLED, fluxloop_api.PUSH_OBSERVATION, fluxloop_api.POP_OBSERVATION):
        assert callable(getattr(context_class, method, None)), f"{context_class.__qualname__}.{method}"
    # As Pattern A calls them: `ctx.is_enabled()`, `ctx.push_observation(obs)`, `ctx.pop_observation()`.
    context, observation = object(), object()
    inspect.signature(getattr(context_class, fluxloop_api.IS_ENABLED)).bind(context)
    inspect.signature(getattr(context_class, fluxloop_api.PUSH_OBSERVATION)).bind(context, observation)
    inspect.signature(getattr(context_class, fluxloop_api.POP_OBSERVATION)).bind(context)


def test_linting_imports_no_fluxloop_api_module():
    """The names are the linter's own: linting and fixing FluxLoop code loads neither the SDK
    nor the runtime's API (only the runtime's lazy package, for the list of framework context
    parameters the manual fix shares with its decorators)."""
    code = (
        "import sys\n"
        "from fluxloop_lint.engine import lint_source\n"
        "from fluxloop_lint.types import FixStrategy, LintSettings\n"
        "source = 'import fluxloop\\nfrom agents import function_tool\\n\\n@fluxloop.tool()\\n@function_tool\\ndef lookup(q):\\n    return q\\n'\n"
        "fixed = lint_source(source, 'example.py', LintSettings(fix_strategy=FixStrategy.MANUAL), fix=True).fixed_source\n"
        "assert 'push_observation' in fixed, fixed\n"
        "print(' '.join(sorted(name for name in sys.modules if name.split('.')[0] in ('fluxloop', 'fluxloop_runtime'))))\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.split() == ["fluxloop_runtime", "fluxloop_runtime.framework_context"]
