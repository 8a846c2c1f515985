"""The FluxLoop data model: observation and trace records, with the public SDK's field names,
types and defaults (so code written against `fluxloop.models` runs unchanged)."""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, Field


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class ObservationType(str, Enum):
    """What an observation records."""

    SPAN = "span"
    EVENT = "event"
    GENERATION = "generation"
    TOOL = "tool"
    AGENT = "agent"
    CHAIN = "chain"
    EVALUATION = "evaluation"


class ObservationLevel(str, Enum):
    """Severity of an observation."""

    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class ObservationData(BaseModel):
    """One observation (a tool call, an LLM generation, a span...) inside a trace."""

    id: UUID = Field(default_factory=uuid4)
    type: ObservationType
    name: str

    start_time: datetime = Field(default_factory=_utc_now)
    end_time: datetime | None = None

    input: Any | None = None
    output: Any | None = None
    error: str | None = None

    level: ObservationLevel = ObservationLevel.INFO
    status_message: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    model: str | None = None
    llm_parameters: dict[str, Any] | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None

    parent_observation_id: UUID | None = None
    trace_id: UUID | None = None


class TraceData(BaseModel):
    """One trace: the root of a run, holding its observations by `trace_id`."""

    id: UUID = Field(default_factory=uuid4)
    name: str

    start_time: datetime = Field(default_factory=_utc_now)
    end_time: datetime | None = None

    session_id: UUID | None = None
    user_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)

    experiment_id: str | None = None
    iteration: int | None = None
    persona: str | None = None
    variation_seed: str | None = None

    input: Any | None = None
    output: Any | None = None


OBSERVATION_FIELDS: tuple[str, ...] = tuple(ObservationData.model_fields)
TRACE_FIELDS: tuple[str, ...] = tuple(TraceData.model_fields)

__all__ = [
    "OBSERVATION_FIELDS",
    "TRACE_FIELDS",
    "ObservationData",
    "ObservationLevel",
    "ObservationType",
    "TraceData",
]
