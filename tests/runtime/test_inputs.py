"""What a decorated call records as input: the text the fast path writes for calls passing
every parameter positionally is exactly the general path's (bound by the signature, encoded
by `recorded_json`, masked and bounded), for any values, names and settings."""

from __future__ import annotations

import enum
import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

import fluxloop_runtime as fluxloop
from fluxloop_runtime.inputs import InputCapture
from fluxloop_runtime.redaction import recorded_json


class Level(enum.IntEnum):
    LOW = 1


class Tag(str):
    pass


def general_capture(capture: InputCapture, args: tuple, kwargs: dict) -> tuple[dict, str]:
    bound = capture.bind(args, kwargs)
    return bound, recorded_json(bound)


def function_of(parameters: list[str]):
    """A function with these positional parameters, made as a user would write it."""
    namespace: dict = {}
    exec(f"def tool({', '.join(parameters)}):\n    return None\n", namespace)
    return namespace["tool"]


values = st.one_of(
    st.text(max_size=40),
    st.integers(),
    st.integers(min_value=10**4400, max_value=10**4401),  # beyond the int-to-str digit limit
    st.booleans(),
    st.none(),
    st.floats(),  # NaN and infinities included: not JSON
    st.sampled_from([Level.LOW, Tag("x"), b"bytes", ("a", 1), {"token": "t", "n": 1}, [1, {"password": "p"}]]),
)
names = st.sampled_from(["query", "limit", "api_key", "token", "prompt_tokens", "run_manager", "callbacks", "é", "x1"])


@settings(max_examples=300, deadline=None)
@given(st.lists(names, min_size=0, max_size=5, unique=True), st.data(), st.booleans())
def test_positional_calls_record_what_the_general_path_records(parameters, data, method):
    if method:
        parameters = ["self", *parameters]
    capture = InputCapture(function_of(parameters))
    args = tuple(data.draw(values) for _ in parameters)
    assert capture.capture(args, {}) == general_capture(capture, args, {})


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=3000), st.integers()), min_size=1, max_size=3), st.integers(16, 200))
def test_the_fast_path_keeps_max_value_chars(args, limit):
    fluxloop.configure(max_value_chars=limit)
    try:
        capture = InputCapture(function_of([f"p{index}" for index in range(len(args))]))
        bound, text = capture.capture(tuple(args), {})
        assert (bound, text) == general_capture(capture, tuple(args), {})
        assert len(text) <= limit or json.loads(text).endswith(f"...[truncated: {len(json.dumps(bound))} chars]")
    finally:
        fluxloop.reset_config()


def test_settings_changed_after_decorating_apply_to_the_next_call():
    capture = InputCapture(function_of(["query", "limit"]))
    assert capture.capture(("q", 3), {})[1] == '{"query": "q", "limit": 3}'
    assert capture.fast_under[1] is not None  # the tests above compare the fast path, not only the general one
    fluxloop.configure(mask_pattern="^query$")
    assert capture.capture(("q", 3), {})[1] == '{"query": "[REDACTED]", "limit": 3}'
    assert capture.fast_under[1] is None
    fluxloop.configure(mask_pattern="^query$", mask=lambda value: {**value, "limit": "hidden"})
    assert capture.capture(("q", 3), {})[1] == '{"query": "[REDACTED]", "limit": "hidden"}'
    fluxloop.reset_config()
    assert capture.capture(("q", 3), {})[1] == '{"query": "q", "limit": 3}'


def test_keyword_arguments_defaults_and_framework_parameters_go_the_general_way():
    def search(self, query, run_manager=None, limit=10, *, exact=False):
        return None

    capture = InputCapture(search)
    for args, kwargs in [((object(), "q"), {}), ((object(),), {"query": "q", "exact": True}), ((object(), "q", None, 2), {})]:
        assert capture.capture(args, kwargs) == general_capture(capture, args, kwargs)
    assert capture.capture((object(), "q"), {"limit": 2})[1] == '{"query": "q", "limit": 2, "exact": false}'


def test_every_decorator_kind_records_the_input_it_was_called_with(store):
    """The input is encoded when the call starts: a list the call appends to is recorded as
    it was given."""

    @fluxloop.tool
    def remember(items, note):
        items.append("added by the call")
        return len(items)

    @fluxloop.tool
    def stream(count, label):
        yield from range(count)

    with fluxloop.instrument("run"):
        remember(["given"], "n")
        list(stream(2, "s"))
    lines = store.by_name()
    assert lines["remember"]["input"] == {"items": ["given"], "note": "n"}
    assert lines["remember"]["output"] == 2
    assert lines["stream"]["input"] == {"count": 2, "label": "s"}


def test_values_json_cannot_hold_are_recorded_as_before(store):
    @fluxloop.tool
    def measure(ratio, level, tag):
        return ratio

    with fluxloop.instrument("run"):
        measure(math.nan, Level.LOW, Tag("x"))
    [line] = store.observations()
    assert line["input"] == {"ratio": "nan", "level": 1, "tag": "x"}
    assert line["output"] == "nan"
    json.loads((store.directory / "observations.jsonl").read_text())  # strict JSON
