"""`Span`: the record of one finished observation, as every exporter receives it.

The decorators and nested `instrument()` make one directly; a manual `ObservationData` is
turned into one when it is popped (`Span.from_observation`). It has the fields of
`ObservationData` and is written in the same line layout, but costs a fraction of a pydantic
model on the hot path: no validation, an id shaped as a UUID 4 string (`new_id`),
`time.time_ns()` timestamps formatted only when the line is written. `seal()` encodes the
user's values once (masked and bounded, `fluxloop_runtime.redaction`) for all exporters.

Span ids of OpenTelemetry (64 bits) come from observation ids (`span_id_of`); a trace's
root span, which has no observation, gets `root_span_id`. Both the W3C `traceparent` and
the OTLP exporter use them, so a trace continued in another process has the same parents.
"""

from __future__ import annotations

import itertools
import operator
import os
import random
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from . import redaction
from .redaction import SHORT_INT_HIGH, SHORT_INT_LOW, recorded_json
from .serialization import encode_json, encode_string, times_json

if TYPE_CHECKING:
    from .context import FluxLoopContext
    from .models import ObservationData

class _IdSource:
    """Observation ids: UUID 4 strings, unique in the process and random across processes.

    Formatting 128 random bits for every observation costs more than the rest of opening
    one, and so does formatting even one number. Instead an id is two strings joined: its
    first 6 hex digits count up from a random point below 2**23, each for 256 ids, and the
    rest is one of 256 tails (2 more hex digits and a UUID 4's last four groups, drawn once
    per process, again in a forked child, and again when the count runs out). `next_id` joins
    them by C calls only (itertools and `map`), so under the GIL no thread can interleave
    with it (a free-threaded build would need a lock here). An
    observation's OpenTelemetry span id, its first 64 bits (`span_id_of`), is that count of
    32 bits and 28 random bits of the tails."""

    def __init__(self) -> None:
        self.restart()
        if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
            os.register_at_fork(after_in_child=self.restart)

    def restart(self) -> None:
        # 96 random bits, with a UUID 4's version (4) and variant (8, 9, a or b) digits.
        digits = "%024x" % ((random.getrandbits(96) & ~(0xF << 76 | 0xC << 60)) | (0x4 << 76 | 0x8 << 60))
        groups = f"-{digits[:4]}-{digits[4:8]}-{digits[8:12]}-{digits[12:]}"
        tails = tuple("%02x%s" % (low, groups) for low in range(256))
        heads = map("%06x".__mod__, range(random.getrandbits(23), 1 << 24))
        each_256_times = itertools.chain.from_iterable(map(itertools.repeat, heads, itertools.repeat(256)))
        self.next_id = map(operator.add, each_256_times, itertools.cycle(tails)).__next__

    def new_id(self) -> str:
        try:
            return self.next_id()
        except StopIteration:  # 2**31 ids at least since the last restart
            self.restart()
            return self.next_id()


_ids = _IdSource()
new_id = _ids.new_id  # a new observation id, formatted as a UUID 4 (not for secrets: ids only)
_time_ns = time.time_ns


def span_id_of(observation_id: str) -> int:
    """The OpenTelemetry span id (64 bits, never 0) of an observation id (a UUID string)."""
    return int(observation_id.replace("-", "")[:16], 16) or 1


def root_span_id(trace_id: str) -> int:
    """The span id of a trace's root span (its `instrument()` block), from the trace id."""
    return int(trace_id.replace("-", "")[16:], 16) or 1


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def ns_of(moment: datetime) -> int:
    """A datetime (naive ones taken as UTC) as nanoseconds since the epoch, exactly."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


class Span:
    """One open or finished observation.

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
        "context",
        "input_json",
        "output_json",
        "metadata_json",
        "level",
        "status_message",
        "llm_parameters",
        "llm_parameters_json",
    )

    def __init__(
        self,
        type: str,
        name: str,
        input: Any,
        metadata: dict[str, Any],
        parent_observation_id: str | None,
        context: FluxLoopContext,
        model: str | None = None,
        input_json: str | None = None,
    ) -> None:
        try:
            self.id = _ids.next_id()  # new_id()'s common case, inline
        except StopIteration:
            self.id = _ids.new_id()
        self.type = type
        self.name = name
        self.start_ns = _time_ns()
        self.end_ns: int | None = None
        self.input = input
        self.input_json = input_json  # the input's recorded text, if already encoded
        self.output: Any = None
        self.error: str | None = None
        self.metadata = metadata
        self.model = model
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None
        self.total_tokens: int | None = None
        self.parent_observation_id = parent_observation_id
        self.context = context
        self.trace_id = context.trace_id
        self.metadata_json: str | None = None  # set by seal()
        # What only a manual ObservationData sets (slots all the same: in Python 3.11 a
        # slot is read faster than a class attribute).
        self.level = "info"
        self.status_message: str | None = None
        self.llm_parameters: dict[str, Any] | None = None
        self.llm_parameters_json: str | None = None

    @classmethod
    def from_observation(cls, observation: ObservationData, context: FluxLoopContext) -> Span:
        """The finished record of a manual (`push_observation`) observation."""
        span = cls.__new__(cls)
        span.id = str(observation.id)
        span.type = observation.type.value
        span.name = observation.name
        span.start_ns = ns_of(observation.start_time)
        span.end_ns = None if observation.end_time is None else ns_of(observation.end_time)
        span.input = observation.input
        span.output = observation.output
        span.error = observation.error
        span.metadata = observation.metadata
        span.model = observation.model
        span.prompt_tokens = observation.prompt_tokens
        span.completion_tokens = observation.completion_tokens
        span.total_tokens = observation.total_tokens
        parent = observation.parent_observation_id
        span.parent_observation_id = None if parent is None else str(parent)
        span.context = context
        span.trace_id = context.trace_id if observation.trace_id is None else str(observation.trace_id)
        span.level = observation.level.value
        span.status_message = observation.status_message
        span.llm_parameters = observation.llm_parameters
        span.llm_parameters_json = None
        span.input_json = span.metadata_json = None
        return span

    def seal(self) -> None:
        """Encode the user's values (masked, bounded) once, for every exporter."""
        if self.input_json is None and self.input is not None:
            self.input_json = recorded_json(self.input)
        # For the commonest outputs, what recorded_json gives, without its call.
        output = self.output
        kind = type(output)
        if output is None:
            self.output_json = None
        elif kind is str and len(output) <= redaction.current_settings.plain_chars:
            self.output_json = encode_string(output)
        elif kind is int and SHORT_INT_LOW < output < SHORT_INT_HIGH and redaction.current_settings.mask is None:
            self.output_json = repr(output)
        else:
            self.output_json = recorded_json(output)
        self.metadata_json = recorded_json(self.metadata, keep_keys=True) if self.metadata else "{}"
        if self.llm_parameters is not None:  # only from a manual observation
            self.llm_parameters_json = recorded_json(self.llm_parameters)

    def to_line(self) -> str:
        """The observation as one JSONL line, in the SDK's layout (keys in `ObservationData`
        order, None left out). Only the user's values go through the JSON encoder; the
        rest are strings known to be safe."""
        if self.metadata_json is None:
            self.seal()
        # One f-string of the fields, each optional one "" when it is None (cheaper than
        # appending to a list and joining it); those a decorated call seldom sets are
        # formatted apart, when one is set.
        input_json = "" if self.input_json is None else f', "input": {self.input_json}'
        output_json = "" if self.output_json is None else f', "output": {self.output_json}'
        if (
            self.error is None
            and self.model is None
            and self.prompt_tokens is None
            and self.completion_tokens is None
            and self.total_tokens is None
            and self.status_message is None
            and self.llm_parameters_json is None
        ):
            error = status = usage = ""
        else:
            error, status, usage = self._seldom_set_fields()
        parent = "" if self.parent_observation_id is None else f', "parent_observation_id": "{self.parent_observation_id}"'
        return (
            f'{{"id": "{self.id}", "type": "{self.type}", "name": {encode_string(self.name)}, '
            f'{times_json(self.start_ns, self.end_ns)}{input_json}{output_json}{error}, '
            f'"level": "{self.level}"{status}, "metadata": {self.metadata_json}{usage}'
            f'{parent}, "trace_id": "{self.trace_id}"}}\n'
        )

    def _seldom_set_fields(self) -> tuple[str, str, str]:
        """The line's `error`, `status_message`, and `model` to `total_tokens` parts."""
        error = "" if self.error is None else f', "error": {encode_json(str(self.error))}'
        status = "" if self.status_message is None else f', "status_message": {encode_json(str(self.status_message))}'
        usage = "" if self.model is None else f', "model": {encode_string(self.model)}'
        if self.llm_parameters_json is not None:
            usage += f', "llm_parameters": {self.llm_parameters_json}'
        for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
            count = getattr(self, key)
            if count is not None:
                usage += f', "{key}": {encode_json(count)}'
        return error, status, usage


__all__ = ["Span", "new_id", "ns_of", "root_span_id", "span_id_of"]
