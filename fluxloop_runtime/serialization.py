"""Turning records into JSONL lines that never fail.

`json_line` tries the C encoder first with a fallback for values JSON cannot hold (pydantic
models, dataclasses, UUIDs, datetimes, enums, bytes, sets, then `repr`); if that still fails
(circular data, keys that are not strings, a `repr` that raises, runaway nesting) the value is
made JSON-safe by hand. A user's odd return value never fails the user's call.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import time
from collections.abc import Callable
from datetime import date, datetime, timezone
from datetime import time as clock_time
from enum import Enum
from typing import Any
from uuid import UUID

from pydantic import BaseModel

logger = logging.getLogger("fluxloop_runtime")

MAX_DEPTH = 64


def _describe(value: Any) -> str:
    try:
        return repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not fail the caller
        return f"<unrepresentable {type(value).__name__}>"


def json_default(value: Any) -> Any:
    """`json.dumps(default=...)`: a JSON-able stand-in for a value JSON cannot hold."""
    try:
        if isinstance(value, BaseModel):
            return value.model_dump(mode="json")
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.asdict(value)
        if isinstance(value, datetime):
            return iso_datetime(value)
        if isinstance(value, (date, clock_time)):
            return value.isoformat()
        if isinstance(value, UUID):
            return str(value)
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, (bytes, bytearray)):
            return bytes(value).decode("utf-8", errors="replace")
        if isinstance(value, (set, frozenset)):
            return list(value)
    except Exception:  # noqa: BLE001
        pass
    return _describe(value)


def make_json_safe(value: Any, _depth: int = 0, _seen: frozenset[int] = frozenset()) -> Any:
    """A copy of `value` that `json.dumps` accepts: str keys, no cycles, bounded depth."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _describe(value)
    if _depth >= MAX_DEPTH or id(value) in _seen:
        return _describe(value)
    seen = _seen | {id(value)}
    if isinstance(value, dict):
        return {
            (key if isinstance(key, str) else _describe(key)): make_json_safe(item, _depth + 1, seen)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [make_json_safe(item, _depth + 1, seen) for item in value]
    stand_in = json_default(value)
    if isinstance(stand_in, str):
        return stand_in
    return make_json_safe(stand_in, _depth + 1, seen)


encode_string = json.encoder.encode_basestring_ascii  # a str as a JSON string literal, fast

# `json.dumps` builds a new encoder on every call; build the C encoder once (what
# `JSONEncoder.iterencode` does per call). Without the circular-reference check it is faster:
# a cycle then ends in RecursionError, which `encode_json` catches and hands to
# `make_json_safe`, as it does NaN and infinities (refused here so every line is strict JSON).
_encoder = json.JSONEncoder(default=json_default, check_circular=False, allow_nan=False)
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
if _c_make_encoder is not None:
    _chunks = _c_make_encoder(None, json_default, encode_string, None, ": ", ", ", False, False, False)
else:  # pragma: no cover - CPython without its _json accelerator

    def _chunks(value: Any, _level: int) -> Any:
        return _encoder.iterencode(value)


def encode_json(value: Any) -> str:
    """`value` as JSON text (ASCII, one line). Never raises."""
    try:
        return "".join(_chunks(value, 0))
    except Exception:  # noqa: BLE001 - cycles, odd keys, RecursionError, raising __repr__...
        pass
    try:
        return json.dumps(make_json_safe(value), allow_nan=False)
    except Exception:  # noqa: BLE001 - e.g. a dict subclass whose items() raises
        if isinstance(value, dict):
            return json.dumps({str(key): _describe(item) for key, item in value.items()})
        return json.dumps(_describe(value))


# The JSON text of a scalar by one C call, for the exact types here (a float is left out: NaN
# and infinities are not JSON; a subclass is left out: it may encode differently).
SCALAR_JSON: dict[type, Callable[[Any], str]] = {
    str: encode_string,
    int: repr,
    bool: {True: "true", False: "false"}.__getitem__,
    type(None): {None: "null"}.__getitem__,
}


def json_line(record: dict[str, Any]) -> str:
    """One JSON object on one line (newline included). Never raises."""
    return encode_json(record) + "\n"


# Timestamps: the second last formatted is kept as its first nanosecond and its text up to
# the microseconds (most timestamps of a batch share their second), so a timestamp costs a
# subtraction and two lookups of three digits, where formatting it costs a dozen times more.
_THREE_DIGITS = tuple("%03d" % number for number in range(1000))
_second: tuple[int, str] = (0, "1970-01-01T00:00:00.")  # replaced whole: threads never mix it up


def _second_of(timestamp_ns: int) -> tuple[int, str]:
    global _second
    seconds = timestamp_ns // 1_000_000_000
    second = (seconds * 1_000_000_000, time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(seconds)))
    _second = second
    return second  # not `_second`, which another thread may have replaced since


def times_json(start_ns: int, end_ns: int | None) -> str:
    """A line's `"start_time": "..."` and, once ended, `, "end_time": "..."`, from
    `time.time_ns()` values, as ISO 8601 in UTC with microseconds and `+00:00` (what
    `datetime.isoformat(timespec="microseconds")` writes)."""
    first_ns, second = _second
    offset = start_ns - first_ns
    if not 0 <= offset < 1_000_000_000:
        first_ns, second = _second_of(start_ns)
        offset = start_ns - first_ns
    micro = offset // 1000
    start = f'"start_time": "{second}{_THREE_DIGITS[micro // 1000]}{_THREE_DIGITS[micro % 1000]}+00:00"'
    if end_ns is None:
        return start
    offset = end_ns - first_ns
    if not 0 <= offset < 1_000_000_000:
        first_ns, second = _second_of(end_ns)
        offset = end_ns - first_ns
    micro = offset // 1000
    return f'{start}, "end_time": "{second}{_THREE_DIGITS[micro // 1000]}{_THREE_DIGITS[micro % 1000]}+00:00"'


def iso_datetime(value: datetime) -> str:
    """A datetime as ISO 8601 in UTC (`+00:00`); a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()


def model_record(model: BaseModel, fields: tuple[str, ...]) -> dict[str, Any]:
    """The SDK's line layout for a pydantic record: fields in declaration order, None left
    out, UUIDs as strings, datetimes in UTC, enums as their values."""
    record: dict[str, Any] = {}
    for name in fields:
        value = getattr(model, name, None)
        if value is None:
            continue
        if isinstance(value, UUID):
            value = str(value)
        elif isinstance(value, datetime):
            value = iso_datetime(value)
        elif isinstance(value, Enum):
            value = value.value
        record[name] = value
    return record


__all__ = [
    "SCALAR_JSON",
    "encode_json",
    "encode_string",
    "iso_datetime",
    "json_default",
    "json_line",
    "make_json_safe",
    "model_record",
    "times_json",
]
