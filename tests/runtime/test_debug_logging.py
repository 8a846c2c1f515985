"""configure(debug=True) says through `logging` why observations are lost, and each push/pop."""

import logging

import pytest

import fluxloop_runtime as fluxloop
from fluxloop_runtime import ObservationData, ObservationType


@pytest.fixture
def debug_log(caplog):
    fluxloop.configure(debug=True)
    caplog.set_level(logging.DEBUG, logger="fluxloop_runtime")
    return caplog


@fluxloop.tool(name="tool.step")
def step():
    return 1


def test_no_active_context_is_explained(debug_log):
    step()
    assert "tool 'tool.step' not captured: no active FluxLoop context" in debug_log.text


def test_unsampled_and_disabled_are_explained(debug_log):
    fluxloop.configure(sample_rate=0.0)
    with fluxloop.instrument("run") as context:
        step()
        context.push_observation(ObservationData(type=ObservationType.TOOL, name="manual"))
    assert "tool 'tool.step' not captured: trace" in debug_log.text
    assert "was not sampled (sample_rate=0.0)" in debug_log.text
    assert "observation 'manual' not captured: trace" in debug_log.text
    fluxloop.configure(sample_rate=1.0, enabled=False)
    with fluxloop.instrument("run"):
        step()
    assert "not captured: FluxLoop is disabled (enabled=False)" in debug_log.text


def test_each_push_and_pop_is_logged(debug_log):
    with fluxloop.instrument("run") as context:
        step()
        manual = ObservationData(type=ObservationType.TOOL, name="manual")
        context.push_observation(manual)
        context.pop_observation(manual)
    messages = [record.getMessage() for record in debug_log.records]
    assert any(m.startswith("FluxLoop: push tool 'tool.step'") for m in messages)
    assert any(m.startswith("FluxLoop: pop tool 'tool.step'") for m in messages)
    assert any(m.startswith("FluxLoop: push tool 'manual'") for m in messages)
    assert any(m.startswith("FluxLoop: pop tool 'manual'") for m in messages)


def test_nothing_is_logged_without_debug(caplog):
    caplog.set_level(logging.DEBUG, logger="fluxloop_runtime")
    step()
    with fluxloop.instrument("run"):
        step()
    assert caplog.records == []


def test_debug_prints_to_stderr_when_the_application_set_up_no_logging(tmp_path):
    import subprocess
    import sys

    script = (
        "import fluxloop_runtime as fluxloop\n"
        f"fluxloop.configure(debug=True, offline_store_dir={str(tmp_path)!r})\n"
        "fluxloop.tool(lambda: 1)()\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "not captured: no active FluxLoop context" in completed.stderr
