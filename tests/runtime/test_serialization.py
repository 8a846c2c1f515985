"""The serialisation fallback: any value becomes one whole JSON line, never an exception."""

import dataclasses
import enum
import json
import math
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import fluxloop_runtime as fluxloop
from fluxloop_runtime.redaction import recorded_json
from fluxloop_runtime.serialization import encode_json, json_line, times_json
from fluxloop_runtime.spans import Span


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Model(BaseModel):
    name: str
    when: datetime


class BrokenRepr:
    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")


class Opaque:
    __slots__ = ()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)

odd_leaves = st.one_of(
    st.builds(Point, st.integers(), st.integers()),
    st.builds(Model, name=st.text(), when=st.datetimes(timezones=st.just(timezone.utc))),
    st.uuids(),
    st.datetimes(),
    st.dates(),
    st.just(Colour.RED),
    st.binary(max_size=8),
    st.decimals(allow_nan=True),
    st.builds(BrokenRepr),
    st.builds(Opaque),
    st.floats(),  # NaN and infinities too
    st.frozensets(st.integers(), max_size=3),
    st.timedeltas(),
)

any_values = st.recursive(
    json_values | odd_leaves,
    lambda children: st.lists(children, max_size=4)
    | st.tuples(children, children)
    | st.dictionaries(st.text() | st.integers() | st.tuples(st.integers()) | st.none(), children, max_size=4),
    max_leaves=20,
)


def refuse(constant: str):
    raise AssertionError(f"not strict JSON: {constant}")


def parse_one_line(line: str):
    assert line.endswith("\n") and line.count("\n") == 1
    return json.loads(line, parse_constant=refuse)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_json_values_round_trip(value):
    assert parse_one_line(json_line({"output": value}))["output"] == value


@settings(max_examples=300, deadline=None)
@given(any_values)
def test_any_value_becomes_one_parseable_line(value):
    line = json_line({"input": value, "output": [value, {"nested": value}]})
    parsed = parse_one_line(line)
    assert set(parsed) == {"input", "output"}


@settings(max_examples=100, deadline=None)
@given(any_values, st.text())
def test_span_lines_are_whole_for_any_value_and_name(value, name):
    span = Span("tool", name, {"value": value}, {"meta": value}, None, fluxloop.FluxLoopContext("run"))
    span.output = value
    span.end_ns = span.start_ns
    parsed = parse_one_line(span.to_line())
    assert parsed["name"] == name and parsed["type"] == "tool"


def test_fallback_stand_ins():
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=9)))
    assert json.loads(encode_json(Point(1, 2))) == {"x": 1, "y": 2}
    assert json.loads(encode_json(Model(name="m", when=when))) == {"name": "m", "when": "2026-01-02T03:04:05+09:00"}
    assert json.loads(encode_json(when)) == "2026-01-01T18:04:05+00:00"
    assert json.loads(encode_json(date(2026, 1, 2))) == "2026-01-02"
    assert json.loads(encode_json(Colour.RED)) == "red"
    assert json.loads(encode_json(b"caf\xc3\xa9")) == "café"
    assert json.loads(encode_json(Decimal("1.5"))) == "Decimal('1.5')"
    assert json.loads(encode_json(BrokenRepr())) == "<unrepresentable BrokenRepr>"
    assert json.loads(encode_json({(1, 2): "tuple key"})) == {"(1, 2)": "tuple key"}
    assert json.loads(encode_json([math.inf, math.nan])) == ["inf", "nan"]  # strict JSON, unlike the SDK
    cycle: list = []
    cycle.append(cycle)
    assert json.loads(encode_json({"cycle": cycle})) == {"cycle": ["[[...]]"]}


def test_a_value_json_cannot_hold_never_fails_the_call(store):
    @fluxloop.tool
    def odd(value):
        return {"set": {1}, "object": BrokenRepr(), "point": Point(1, 2)}

    with fluxloop.instrument("run"):
        result = odd(BrokenRepr())
    assert result["point"] == Point(1, 2)
    [observation] = store.observations()
    assert observation["input"] == {"value": "<unrepresentable BrokenRepr>"}
    assert observation["output"] == {"set": [1], "object": "<unrepresentable BrokenRepr>", "point": {"x": 1, "y": 2}}


def isoformat(timestamp_ns: int) -> str:
    moment = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=timestamp_ns // 1000)
    return moment.isoformat(timespec="microseconds")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(10**18), max_value=10**19), st.integers(min_value=0, max_value=10**12))
def test_timestamps_are_those_of_datetime_isoformat(start_ns, duration_ns):
    end_ns = start_ns + duration_ns
    assert times_json(start_ns, None) == f'"start_time": "{isoformat(start_ns)}"'
    assert times_json(start_ns, end_ns) == f'"start_time": "{isoformat(start_ns)}", "end_time": "{isoformat(end_ns)}"'


@given(st.integers(min_value=0, max_value=10**19), st.lists(st.integers(min_value=-(10**10), max_value=10**10)))
def test_timestamps_close_together_share_their_cached_second_correctly(start_ns, offsets):
    """Around second boundaries and back and forth across them, as threads' timestamps go."""
    for timestamp_ns in (start_ns + offset for offset in offsets):
        assert times_json(timestamp_ns, timestamp_ns + 1_000) == (
            f'"start_time": "{isoformat(timestamp_ns)}", "end_time": "{isoformat(timestamp_ns + 1_000)}"'
        )


@given(st.one_of(st.integers(), st.text(max_size=200), st.booleans(), st.none(), st.floats()))
def test_scalars_are_recorded_as_the_encoder_writes_them(value):
    assert recorded_json(value) == encode_json(value)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.text(max_size=1200), st.integers(), st.integers(min_value=10**4400, max_value=10**4401), st.none()),
    st.integers(min_value=16, max_value=9000),
    st.booleans(),
)
def test_a_sealed_output_is_what_recorded_json_gives(output, limit, masking):
    """`Span.seal` writes the commonest outputs without calling recorded_json: the same text."""
    fluxloop.configure(max_value_chars=limit, mask=(lambda value: value) if masking else None)
    try:
        span = Span("tool", "t", None, {}, None, fluxloop.FluxLoopContext("run"))
        span.output = output
        span.seal()
        assert span.output_json == (None if output is None else recorded_json(output))
    finally:
        fluxloop.reset_config()


def test_an_int_beyond_the_digit_limit_is_recorded_not_raised():
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(1000)
    try:
        assert json.loads(recorded_json(10**2000)) == "<unrepresentable int>"
    finally:
        sys.set_int_max_str_digits(limit)
