"""The offline store: `observations.jsonl` and `traces.jsonl` in the offline directory.

Finished records arrive as ready-made lines. They are buffered in memory and appended in
batches: when a root trace ends, when the buffer holds `max_queue_size` lines, on `flush()`,
before the configuration changes, and at interpreter exit. Each batch is written with one
`write` call under one lock, so lines stay whole with many threads and tasks recording. An
unwritable directory or a full disk is logged once (until a write succeeds again); the
batch is dropped and the user's code carries on. With a collector configured, batches go to
it instead, and to the offline store only when it cannot be reached (as in the SDK).
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import deque
from pathlib import Path

from .collector import collector
from .config import RuntimeConfig, get_config, on_change

logger = logging.getLogger("fluxloop_runtime")

OBSERVATIONS_FILE = "observations.jsonl"
TRACES_FILE = "traces.jsonl"


class OfflineStore:
    """Buffered, thread-safe appender of JSONL lines. One per process: `offline_store`."""

    def __init__(self) -> None:
        # deque.append and popleft are atomic: recording threads never wait on a lock.
        self._observations: deque[str] = deque()
        self._traces: deque[str] = deque()
        self._write_lock = threading.Lock()
        self._failure_logged = False
        self.flush_threshold = get_config().max_queue_size

    def add_observation(self, line: str) -> None:
        """Queue one observation line (ending in a newline)."""
        self._observations.append(line)
        if len(self._observations) >= self.flush_threshold:
            self.flush()

    def add_trace(self, line: str) -> None:
        """Queue one trace line (ending in a newline)."""
        self._traces.append(line)

    def pending(self) -> int:
        """How many lines wait to be written."""
        return len(self._observations) + len(self._traces)

    def flush(self, config: RuntimeConfig | None = None) -> None:
        """Write every buffered line to the offline directory of `config` (default: the
        configuration in force), or send it to the collector if one is configured. Never
        raises."""
        config = config or get_config()
        with self._write_lock:
            observations = _drain(self._observations)
            traces = _drain(self._traces)
            if not (observations or traces) or not config.enabled:
                return
            if config.use_collector and config.collector_url and collector.send(config, observations, traces):
                return
            if not config.offline_store_enabled:
                return
            directory = Path(config.offline_store_dir)
            try:
                directory.mkdir(parents=True, exist_ok=True)
                for name, lines in ((OBSERVATIONS_FILE, observations), (TRACES_FILE, traces)):
                    if lines:
                        with open(directory / name, "a", encoding="utf-8") as stream:
                            stream.write("".join(lines))
            except OSError as error:
                if not self._failure_logged:
                    self._failure_logged = True
                    logger.warning(
                        "FluxLoop offline store %s not writable (%s); observations are dropped",
                        directory,
                        error,
                    )
                return
            self._failure_logged = False


def _drain(lines: deque[str]) -> list[str]:
    """Take every line queued so far, oldest first, while other threads may be appending."""
    taken = []
    try:
        while True:
            taken.append(lines.popleft())
    except IndexError:
        return taken


offline_store = OfflineStore()


def flush() -> None:
    """Write every buffered observation and trace to the offline store now."""
    offline_store.flush()


def _follow_configuration(old: RuntimeConfig, new: RuntimeConfig) -> None:
    offline_store.flush_threshold = new.max_queue_size
    destination = ("offline_store_dir", "offline_store_enabled", "enabled", "use_collector", "collector_url")
    if any(getattr(old, name) != getattr(new, name) for name in destination):
        offline_store.flush(old)


on_change(_follow_configuration)
atexit.register(flush)

__all__ = ["OBSERVATIONS_FILE", "TRACES_FILE", "OfflineStore", "flush", "offline_store"]
