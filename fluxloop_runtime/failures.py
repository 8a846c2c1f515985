"""When recording itself fails: describe the user's error safely and never make it theirs.

Recording runs inside the user's call, often on its error path. Whatever goes wrong there
(an exception whose `__str__` raises, a failing serialisation, a broken store) must not
replace the user's return value or exception: it is logged, at warning level the first time
and at debug level after that, and the call carries on.
"""

from __future__ import annotations

import logging

logger = logging.getLogger("fluxloop_runtime")

_warned = False


def describe_error(error: BaseException) -> str:
    """`str(error)`, or the type's name when that is empty or `__str__` itself raises."""
    try:
        message = str(error)
    except Exception:  # noqa: BLE001 - a broken __str__ must not replace the user's error
        message = ""
    return message or type(error).__name__


def recording_failed(what: str, failure: Exception) -> None:
    """Log that recording `what` failed with `failure`: a warning once per process, then
    debug records (a failing store would otherwise log on every call)."""
    global _warned
    if _warned:
        logger.debug("FluxLoop: recording %s failed: %s", what, describe_error(failure), exc_info=failure)
        return
    _warned = True
    logger.warning(
        "FluxLoop: recording %s failed (%s: %s); the call itself is unaffected. "
        "Further recording failures are logged at debug level.",
        what,
        type(failure).__name__,
        describe_error(failure),
        exc_info=failure,
    )


__all__ = ["describe_error", "recording_failed"]
