"""What a recorded value becomes before any exporter sees it: secrets masked, size bounded,
encoded once as JSON text.

Tool inputs carry API keys and tokens, and exported observations sit in a shared backend.
Values under dict keys matching `mask_pattern` (case-insensitive, anywhere in input, output
and metadata) become `"[REDACTED]"`; then the user's `mask` callable, if configured, gets
the value and returns what to record. The JSON text is cut at `max_value_chars` with a
marker saying how long it was. None of this ever fails the user's call: a value that
cannot be masked is recorded as `"[REDACTED]"`, never as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .config import RuntimeConfig, get_config, on_change
from .failures import recording_failed
from .serialization import encode_json, encode_string

REDACTED = "[REDACTED]"
_SCALARS = (str, int, float, bool, type(None))
_SCALAR_TYPES = frozenset(_SCALARS)  # exact types, for the fast path of `recorded_json`
# Ints written with repr() and no length check: at most 16 characters (max_value_chars >= 16).
SHORT_INT_LOW, SHORT_INT_HIGH = -(10**15), 10**16


class _Settings:
    """The configuration this module reads on every recorded value, kept at hand."""

    def __init__(self, config: RuntimeConfig) -> None:
        self.secret_key = re.compile(config.mask_pattern, re.IGNORECASE).search
        self.mask: Callable[[Any], Any] | None = config.mask
        self.limit = config.max_value_chars
        # Strings up to this long are recorded as `encode_string` writes them, when no mask is
        # configured: within `limit` whatever they hold (at most 12 characters for a code
        # point, `\ud83d\ude00`, and 2 quotes).
        self.plain_chars = (self.limit - 2) // 12 if self.mask is None else -1  # -1: none
        # Dict keys repeat (parameter names, metadata keys): match each once.
        self.is_secret: dict[str, bool] = {}
        self.plain_keys: set[str] = set()  # the keys found not secret so far


# Replaced whole when the configuration changes: read it as `redaction.current_settings`.
current_settings = _Settings(get_config())


def _follow_configuration(old: RuntimeConfig, new: RuntimeConfig) -> None:
    global current_settings
    if (old.mask_pattern, old.mask, old.max_value_chars) != (new.mask_pattern, new.mask, new.max_value_chars):
        current_settings = _Settings(new)


on_change(_follow_configuration)


def _secret(key: Any, settings: _Settings) -> bool:
    if not isinstance(key, str):
        return False
    found = settings.is_secret.get(key)
    if found is None:
        found = settings.secret_key(key) is not None
        if len(settings.is_secret) < 10_000:
            settings.is_secret[key] = found
            if not found:
                settings.plain_keys.add(key)
    return found


def masked(value: Any, settings: _Settings | None = None, depth: int = 0) -> Any:
    """`value` with every value under a secret-looking key replaced by `"[REDACTED]"`.
    Returns `value` itself when nothing in it is masked (the common case costs no copy)."""
    settings = settings or current_settings
    if isinstance(value, _SCALARS) or depth > 32:
        return value
    if isinstance(value, dict):
        for key, item in value.items():
            if _secret(key, settings) or not isinstance(item, _SCALARS):
                break
        else:
            return value  # no secret key and nothing nested: nothing to mask
        copy = {}
        changed = False
        for key, item in value.items():
            new = REDACTED if _secret(key, settings) else masked(item, settings, depth + 1)
            changed |= new is not item
            copy[key] = new
        return copy if changed else value
    if isinstance(value, (list, tuple)):
        items = [masked(item, settings, depth + 1) for item in value]
        if any(new is not old for new, old in zip(items, value)):
            return items
    return value


def recorded(value: Any, keep_keys: bool = False) -> Any:
    """`value` masked and the user's mask applied. Never raises: when masking fails the
    value is `"[REDACTED]"`, or with `keep_keys` (metadata, which stays an object) the same
    keys with that value."""
    settings = current_settings
    try:
        value = masked(value, settings)
        if settings.mask is not None:
            value = settings.mask(value)
        return value
    except Exception as failure:  # noqa: BLE001 - a failing mask must not expose or fail
        recording_failed("a value (mask failed; recorded as [REDACTED])", failure)
        try:
            if keep_keys and isinstance(value, dict):
                return {str(key): REDACTED for key in list(value)}
        except Exception:  # noqa: BLE001 - a dict whose keys cannot even be listed
            pass
        return REDACTED


def recorded_json(value: Any, keep_keys: bool = False) -> str:
    """The JSON text recorded for `value`: `recorded(value)`, cut at `max_value_chars` with
    a marker. Never raises."""
    settings = current_settings
    kind = type(value)
    if settings.mask is not None:
        text = encode_json(recorded(value, keep_keys))
    elif kind is int and SHORT_INT_LOW < value < SHORT_INT_HIGH:
        return repr(value)  # the encoder's own text, and shorter than any max_value_chars
    elif kind is str:  # the encoder's own text, without the encoder's call
        text = encode_string(value)
    elif kind in _SCALAR_TYPES or (
        # Most of what is recorded needs no masking: a dict of scalars under keys already
        # known not to be secret (C-level subset tests, no Python loop).
        kind is dict and value.keys() <= settings.plain_keys and _SCALAR_TYPES.issuperset(map(type, value.values()))
    ):
        text = encode_json(value)
    else:
        text = encode_json(recorded(value, keep_keys))
    limit = settings.limit
    if len(text) <= limit:
        return text
    return encode_json(f"{text[:limit]}...[truncated: {len(text)} chars]")


def recorded_as_is(keys: tuple[str, ...]) -> bool:
    """Whether a dict with these keys and scalar values is recorded as it is under the
    settings in force: no key looks secret and no `mask` is configured."""
    return current_settings.mask is None and not any(_secret(key, current_settings) for key in keys)


__all__ = ["REDACTED", "SHORT_INT_HIGH", "SHORT_INT_LOW", "masked", "recorded", "recorded_as_is", "recorded_json"]
