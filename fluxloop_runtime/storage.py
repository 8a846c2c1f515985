"""The offline store: `observations.jsonl` and `traces.jsonl` in the offline directory
(the `jsonl` exporter).

The store is the `jsonl` exporter itself (`fluxloop_runtime.export`): each finished
observation and trace it is given becomes a line, buffered in memory and appended in
batches: when a root trace ends, when the buffer holds `max_queue_size` lines, on `flush()`,
before the configuration changes, and at interpreter exit. Each batch is written with one
`write` call under one lock, and under an exclusive `flock` of the file where the system has
one, so lines stay whole with many threads, tasks and processes writing the same files. An
unwritable directory or a full disk is logged once (until a write succeeds again); the
batch is dropped and the user's code carries on. With a collector configured, batches go to
it instead, and to the offline store only when it cannot be reached (as in the SDK).
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

from .collector import collector
from .config import RuntimeConfig, get_config, on_change
from .models import TRACE_FIELDS
from .redaction import recorded
from .serialization import json_line, model_record

if TYPE_CHECKING:
    from .context import FluxLoopContext
    from .spans import Span

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: appends of one write are not interleaved there
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger("fluxloop_runtime")

OBSERVATIONS_FILE = "observations.jsonl"
TRACES_FILE = "traces.jsonl"


class OfflineStore:
    """Buffered, thread-safe appender of JSONL lines, and the `jsonl` exporter. One per
    process: `offline_store`. A trace continued from another process writes no trace line
    (its root is recorded there)."""

    def __init__(self) -> None:
        # deque.append and popleft are atomic: recording threads never wait on a lock.
        self._observations: deque[str] = deque()
        self._traces: deque[str] = deque()
        self._write_lock = threading.Lock()
        self._failure_logged = False
        self.flush_threshold = get_config().max_queue_size

    def export_observation(self, span: Span) -> None:
        """Queue the observation's line."""
        lines = self._observations
        lines.append(span.to_line())
        if len(lines) >= self.flush_threshold:
            self.flush()

    def export_trace(self, context: FluxLoopContext) -> None:
        """Queue the trace's line (unless it continues another process's trace) and write
        what is queued."""
        if not context.remote:
            record = model_record(context.trace, TRACE_FIELDS)
            for key in ("metadata", "input", "output"):
                if key in record:
                    record[key] = recorded(record[key], keep_keys=key == "metadata")
            self._traces.append(json_line(record))
        self.flush()

    def shutdown(self) -> None:
        self.flush()

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
            directory = config.offline_store_dir
            try:
                for name, lines in ((OBSERVATIONS_FILE, observations), (TRACES_FILE, traces)):
                    if lines:
                        _append(os.path.join(directory, name), "".join(lines))
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


_APPEND = os.O_WRONLY | os.O_APPEND | os.O_CREAT


def _append(path: str, text: str) -> None:
    """Append `text` to the file at `path` (made, with its directory, if missing) while
    holding the file's lock: another process's batch never lands inside this one. The
    directory is made only when opening fails: a batch usually costs one `open`, of a file
    descriptor (a text stream's layers cost as much as the write)."""
    data = memoryview(text.encode("utf-8"))
    try:
        descriptor = os.open(path, _APPEND, 0o666)
    except FileNotFoundError:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, _APPEND, 0o666)
    try:
        if fcntl is not None:
            fcntl.flock(descriptor, fcntl.LOCK_EX)  # released when the descriptor is closed
        while data:
            data = data[os.write(descriptor, data) :]
    finally:
        os.close(descriptor)


def _drain(lines: deque[str]) -> list[str]:
    """Take every line queued so far, oldest first, while other threads may be appending."""
    take = lines.popleft
    return [take() for _ in range(len(lines))]


offline_store = OfflineStore()


def jsonl_exporter(config: RuntimeConfig) -> OfflineStore:
    """The `jsonl` exporter: the process's one offline store, which follows the
    configuration itself."""
    return offline_store


def _follow_configuration(old: RuntimeConfig, new: RuntimeConfig) -> None:
    offline_store.flush_threshold = new.max_queue_size
    destination = ("offline_store_dir", "offline_store_enabled", "enabled", "use_collector", "collector_url")
    if any(getattr(old, name) != getattr(new, name) for name in destination):
        offline_store.flush(old)


on_change(_follow_configuration)

__all__ = ["OBSERVATIONS_FILE", "TRACES_FILE", "OfflineStore", "jsonl_exporter", "offline_store"]
