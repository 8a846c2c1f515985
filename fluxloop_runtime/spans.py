"""`Span`: the lightweight observation record the decorators and nested `instrument()` use.

It has the fields of `ObservationData` that a decorator fills and is written in the same
line layout, but costs a fraction of a pydantic model on the hot path: no validation, a
random 128-bit id formatted as a UUID 4 string, `time.time_ns()` timestamps formatted only
when the line is written.
"""

from __future__ import annotations

import random
import time
from typing import Any

from .serialization import encode_json, encode_string, iso_from_ns

_random_bits = random.getrandbits
_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def new_id() -> str:
    """A random UUID 4 as a string (not for secrets: ids only)."""
    digits = "%032x" % ((_random_bits(128) & _UUID4_CLEAR) | _UUID4_SET)
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


class Span:
    """One open or finished observation made by a decorator or a nested `instrument()`.

    Code inside a decorated call may set `output`, `error` or add to `metadata` through
    `get_current_context().current_observation()`.
    """

    __slots__ = (
        "id",
        "type",
        "name",
        "start_ns",
        "end_ns",
        "input",
        "output",
        "error",
        "metadata",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "total_tokens",
        "parent_observation_id",
        "trace_id",
    )

    def __init__(
        self,
        type: str,
        name: str,
        input: Any,
        metadata: dict[str, Any],
        parent_observation_id: str | None,
        trace_id: str,
        model: str | None = None,
    ) -> None:
        self.id = new_id()
        self.type = type
        self.name = name
        self.start_ns = time.time_ns()
        self.end_ns: int | None = None
        self.input = input
        self.output: Any = None
        self.error: str | None = None
        self.metadata = metadata
        self.model = model
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None
        self.total_tokens: int | None = None
        self.parent_observation_id = parent_observation_id
        self.trace_id = trace_id

    def to_line(self) -> str:
        """The observation as one JSONL line, in the SDK's layout (keys in `ObservationData`
        order, None left out). Only the user's values go through the JSON encoder; the
        rest are strings known to be safe."""
        parts = [
            f'{{"id": "{self.id}", "type": "{self.type}", "name": {encode_string(self.name)}, '
            f'"start_time": "{iso_from_ns(self.start_ns)}"'
        ]
        if self.end_ns is not None:
            parts.append(f', "end_time": "{iso_from_ns(self.end_ns)}"')
        values: dict[str, Any] = {}
        if self.input is not None:
            values["input"] = self.input
        if self.output is not None:
            values["output"] = self.output
        if self.error is not None:
            values["error"] = self.error
        if values:
            parts.append(", " + encode_json(values)[1:-1])
        parts.append(', "level": "info", "metadata": ')
        parts.append(encode_json(self.metadata) if self.metadata else "{}")
        if self.model is not None:
            parts.append(f', "model": {encode_string(self.model)}')
        if self.prompt_tokens is not None or self.completion_tokens is not None or self.total_tokens is not None:
            for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
                count = getattr(self, key)
                if count is not None:
                    parts.append(f', "{key}": {encode_json(count)}')
        if self.parent_observation_id is not None:
            parts.append(f', "parent_observation_id": "{self.parent_observation_id}"')
        parts.append(f', "trace_id": "{self.trace_id}"}}\n')
        return "".join(parts)


__all__ = ["Span", "new_id"]
