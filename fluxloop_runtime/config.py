"""Runtime configuration: defaults, `FLUXLOOP_*` environment variables and `configure()`.

The configuration is one frozen, validated object. `configure()` builds a new one and swaps
it in at once; code that must react (the offline store flushing into the old directory,
the debug flag the decorators read) registers a listener with `on_change`.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

logger = logging.getLogger("fluxloop_runtime")


# What the `exporters` setting may name: where the exporter's class (or factory) lives (imported by
# fluxloop_runtime.export when the name is used) and the modules it needs (its extra).
EXPORTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "jsonl": ("fluxloop_runtime.storage:jsonl_exporter", ()),
    "otlp": (
        "fluxloop_runtime.otlp:OtlpExporter",
        ("opentelemetry.sdk.trace", "opentelemetry.exporter.otlp.proto.http.trace_exporter"),
    ),
}


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # a parent package is missing
        return False


# Keys whose values are masked: API keys, credentials, passwords, secrets and tokens
# (`access_token`, `refreshToken`; not `prompt_tokens` or `max_tokens`, which are counts).
DEFAULT_MASK_PATTERN = r"api[-_]?key|authorization|passw(or)?d|secret|token$|credential|cookie|private[-_]?key"


class RuntimeConfig(BaseModel):
    """Every setting, with the public SDK's names and defaults.

    Differences from the SDK: `use_collector` defaults to False (nothing needs a network),
    and `max_stream_items` caps how many items of a stream an observation keeps.
    `record_args`, `recording_file`, `batch_size` and `flush_interval` are accepted (and
    validated) for compatibility and not used: the offline store writes at the moments
    `fluxloop_runtime.storage` lists.

    Beyond the SDK: `exporters` names where finished observations go (`jsonl`, the offline
    store; `otlp`, OpenTelemetry over OTLP/HTTP, with `otlp_endpoint` and `otlp_headers`
    defaulting to the standard `OTEL_EXPORTER_OTLP_*` variables); `max_value_chars` bounds
    each recorded value; `mask_pattern` (a regular expression, matched case-insensitively
    against dict keys) and `mask` (a callable given each recorded value, returning what to
    record) keep secrets out of every exporter.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    debug: bool = False
    sample_rate: float = Field(default=1.0, ge=0.0, le=1.0)
    offline_store_enabled: bool = True
    offline_store_dir: str = "./experiments/artifacts"
    use_collector: bool = False
    collector_url: str | None = None
    api_key: str | None = None
    service_name: str | None = None
    environment: str | None = "development"
    batch_size: int = Field(default=10, ge=1, le=100)
    flush_interval: float = Field(default=5.0, gt=0)
    max_queue_size: int = Field(default=1000, ge=1)
    timeout: float = Field(default=10.0, gt=0)
    record_args: bool = False
    recording_file: str | None = None
    max_stream_items: int = Field(default=100, ge=0)
    exporters: tuple[str, ...] = ("jsonl",)
    otlp_endpoint: str | None = None
    otlp_headers: dict[str, str] | None = None
    max_value_chars: int = Field(default=8192, ge=16)
    mask_pattern: str = DEFAULT_MASK_PATTERN
    mask: Callable[[Any], Any] | None = None

    @field_validator("exporters", mode="before")
    @classmethod
    def _exporter_list(cls, value: Any) -> Any:
        if isinstance(value, str):  # FLUXLOOP_EXPORTERS=jsonl,otlp
            value = [name.strip() for name in value.split(",") if name.strip()]
        return value

    @field_validator("exporters")
    @classmethod
    def _known_exporters(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            if name not in EXPORTERS:
                raise ValueError(f"unknown exporter {name!r} (known: {', '.join(EXPORTERS)})")
            missing = [module for module in EXPORTERS[name][1] if not _importable(module)]
            if missing:
                raise ValueError(
                    f"the {name!r} exporter needs {', '.join(missing)}, which is not installed: "
                    f'pip install "fluxloop-lint[{name}]"'
                )
        return tuple(dict.fromkeys(value))

    @field_validator("otlp_headers", mode="before")
    @classmethod
    def _header_pairs(cls, value: Any) -> Any:
        if isinstance(value, str):  # the OTEL_EXPORTER_OTLP_HEADERS form: key=value,key=value
            pairs = [item.split("=", 1) for item in value.split(",") if item.strip()]
            if any(len(pair) != 2 for pair in pairs):
                raise ValueError(f"not key=value pairs: {value!r}")
            return {key.strip(): item.strip() for key, item in pairs}
        return value

    @field_validator("mask_pattern")
    @classmethod
    def _valid_pattern(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"not a regular expression: {error}") from None
        return value

    @field_validator("collector_url", "otlp_endpoint")
    @classmethod
    def _valid_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parsed = urlparse(value)
        if not (parsed.scheme and parsed.netloc):
            raise ValueError(f"not a URL: {value!r}")
        return value.rstrip("/")

    @field_validator("offline_store_dir")
    @classmethod
    def _non_empty_dir(cls, value: str) -> str:
        if not str(value).strip():
            raise ValueError("must not be empty")
        return str(value)


SETTING_NAMES: tuple[str, ...] = tuple(RuntimeConfig.model_fields)

ENVIRONMENT_VARIABLES: dict[str, str] = {
    "enabled": "FLUXLOOP_ENABLED",
    "debug": "FLUXLOOP_DEBUG",
    "sample_rate": "FLUXLOOP_SAMPLE_RATE",
    "offline_store_enabled": "FLUXLOOP_OFFLINE_ENABLED",
    "offline_store_dir": "FLUXLOOP_OFFLINE_DIR",
    "use_collector": "FLUXLOOP_USE_COLLECTOR",
    "collector_url": "FLUXLOOP_COLLECTOR_URL",
    "api_key": "FLUXLOOP_API_KEY",
    "service_name": "FLUXLOOP_SERVICE_NAME",
    "environment": "FLUXLOOP_ENVIRONMENT",
    "batch_size": "FLUXLOOP_BATCH_SIZE",
    "flush_interval": "FLUXLOOP_FLUSH_INTERVAL",
    "max_queue_size": "FLUXLOOP_MAX_QUEUE_SIZE",
    "timeout": "FLUXLOOP_TIMEOUT",
    "record_args": "FLUXLOOP_RECORD_ARGS",
    "recording_file": "FLUXLOOP_RECORDING_FILE",
    "max_stream_items": "FLUXLOOP_MAX_STREAM_ITEMS",
    "exporters": "FLUXLOOP_EXPORTERS",
    "max_value_chars": "FLUXLOOP_MAX_VALUE_CHARS",
    "mask_pattern": "FLUXLOOP_MASK_PATTERN",
}

ConfigListener = Callable[[RuntimeConfig, RuntimeConfig], None]
_listeners: list[ConfigListener] = []


def _settings_from_environment() -> dict[str, Any]:
    """The settings the environment gives; a value that does not validate is logged and
    ignored (a typo in an environment variable must not break `import`)."""
    settings: dict[str, Any] = {}
    for name, variable in ENVIRONMENT_VARIABLES.items():
        raw = os.environ.get(variable)
        if raw is None:
            continue
        try:
            RuntimeConfig.model_validate({name: raw})
        except ValidationError as error:
            logger.warning("ignoring %s=%r: %s", variable, raw, error.errors()[0]["msg"])
            continue
        settings[name] = raw
    return settings


def _build(settings: dict[str, Any]) -> RuntimeConfig:
    return RuntimeConfig.model_validate(settings)


_stderr_handler: logging.Handler | None = None


def _apply_debug_logging(config: RuntimeConfig) -> None:
    """`debug=True` makes the `fluxloop_runtime` logger emit DEBUG records, and, when the
    application has set up no logging at all, print them to stderr (as the SDK's debug mode
    prints)."""
    global _stderr_handler
    if config.debug:
        logger.setLevel(logging.DEBUG)
        if _stderr_handler is None and not logging.getLogger().handlers and not logger.handlers:
            _stderr_handler = logging.StreamHandler()
            _stderr_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
            logger.addHandler(_stderr_handler)
    else:
        if logger.level == logging.DEBUG:
            logger.setLevel(logging.NOTSET)
        if _stderr_handler is not None:
            logger.removeHandler(_stderr_handler)
            _stderr_handler = None


_config: RuntimeConfig = _build(_settings_from_environment())
_apply_debug_logging(_config)


def get_config() -> RuntimeConfig:
    """The configuration in force (a frozen object: change it with `configure()`)."""
    return _config


def _install(new: RuntimeConfig) -> RuntimeConfig:
    global _config
    old = _config
    for listener in _listeners:
        listener(old, new)
    _config = new
    _apply_debug_logging(new)
    return new


def configure(**settings: Any) -> RuntimeConfig:
    """Change settings; the new configuration takes effect at once (also for storage:
    lines buffered so far are written to the old offline directory first).

    Raises `ValueError` naming an unknown key (and listing the valid ones) or a key whose
    value is invalid; in both cases the old configuration stays in force.
    """
    for key in settings:
        if key not in RuntimeConfig.model_fields:
            raise ValueError(
                f"Unknown configuration parameter: {key} (valid: {', '.join(SETTING_NAMES)})"
            )
    try:
        new = _build({**_config.model_dump(), **settings})
    except ValidationError as error:
        first = error.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else "?"
        raise ValueError(f"Invalid value for configuration parameter {key}: {first['msg']}") from None
    return _install(new)


def reset_config() -> RuntimeConfig:
    """Back to the defaults and the `FLUXLOOP_*` environment variables, at once."""
    return _install(_build(_settings_from_environment()))


def on_change(listener: ConfigListener) -> None:
    """Call `listener(old, new)` just before a new configuration is put in force."""
    _listeners.append(listener)


__all__ = [
    "ENVIRONMENT_VARIABLES",
    "EXPORTERS",
    "RuntimeConfig",
    "configure",
    "get_config",
    "on_change",
    "reset_config",
]
