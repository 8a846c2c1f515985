"""Where finished observations and traces go: exporters behind one small interface.

The context and the decorators hand every finished observation and trace to `exporters`,
and know nothing else about where records go (OpenTelemetry's API/SDK split is the model).
An exporter is an object with the methods of `Exporter`; the `exporters` setting names the
ones in use, and `fluxloop_runtime.config.EXPORTERS` says where each name's class lives
(imported only when the name is used, so the OTLP exporter's dependencies stay optional).

Before any exporter sees an observation, its values are masked, bounded and encoded once
(`Span.seal`); an observation that ends after its trace was finalized (a task that kept an
ended trace's context) is marked `metadata.late = true` and logged once. An exporter that
fails is logged (`fluxloop_runtime.failures`) and the others still get the record.
"""

from __future__ import annotations

import atexit
import importlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from .config import EXPORTERS, RuntimeConfig, get_config, on_change
from .failures import recording_failed

if TYPE_CHECKING:
    from .context import FluxLoopContext
    from .spans import Span

logger = logging.getLogger("fluxloop_runtime")


class Exporter(Protocol):
    """What the runtime asks of an exporter. None of the methods may block for long on the
    caller's thread or raise into it (the runtime logs what they raise, once)."""

    def export_observation(self, span: Span) -> None:
        """A finished observation (sealed: `input_json`, `output_json`, `metadata_json`)."""

    def export_trace(self, context: FluxLoopContext) -> None:
        """A trace context ended: a root `instrument()` (or `@agent`) block, or a trace
        continued from another process (`context.remote`, whose root lives there)."""

    def flush(self) -> None:
        """Write or send what is pending now (a bounded wait at most)."""

    # An exporter class (or a factory) is called with the configuration (`Exporter(config)`);
    # an attribute `settings` names the settings it is built from, and a change to one of
    # them replaces the exporter by a new one.

    def shutdown(self) -> None:
        """Flush and release resources: the configuration no longer names it, or exit."""


def _exporter_factory(name: str) -> Callable[[RuntimeConfig], Exporter]:
    module_name, class_name = EXPORTERS[name][0].split(":")
    return getattr(importlib.import_module(module_name), class_name)


class Exporters:
    """The exporters named by the configuration in force, in order. One per process."""

    def __init__(self) -> None:
        self._by_name: dict[str, Exporter] = {}
        self.active: tuple[Exporter, ...] = ()
        self._late_logged = False

    def follow(self, old: RuntimeConfig | None, new: RuntimeConfig) -> None:
        """Use the exporters `new` names: make the new ones, shut down the dropped ones and
        remake those whose own settings (an exporter's `settings`) changed."""
        for name, exporter in list(self._by_name.items()):
            settings = getattr(exporter, "settings", ())
            changed = old is not None and any(getattr(old, key) != getattr(new, key) for key in settings)
            if name not in new.exporters or changed:
                del self._by_name[name]
                self._call(exporter, "shutdown")
        for name in new.exporters:
            if name not in self._by_name:
                self._by_name[name] = _exporter_factory(name)(new)
        self.active = tuple(self._by_name[name] for name in new.exporters)

    def observation_ended(self, span: Span) -> None:
        """Seal `span` and give it to every exporter. Never raises."""
        try:
            if span.context.finalized:
                span.metadata["late"] = True
                if not self._late_logged:
                    self._late_logged = True
                    logger.warning(
                        "FluxLoop: %s %r ended after its trace %s was written; recorded with "
                        "metadata.late = true (further late observations are not logged)",
                        span.type,
                        span.name,
                        span.trace_id,
                    )
            span.seal()
        except Exception as failure:  # noqa: BLE001 - see fluxloop_runtime.failures
            recording_failed(f"{span.type} {span.name!r}", failure)
            return
        for exporter in self.active:
            try:
                exporter.export_observation(span)
            except Exception as failure:  # noqa: BLE001
                recording_failed(f"{span.type} {span.name!r}", failure)

    def trace_ended(self, context: FluxLoopContext) -> None:
        for exporter in self.active:
            try:
                exporter.export_trace(context)
            except Exception as failure:  # noqa: BLE001
                recording_failed(f"trace {context.trace.name!r}", failure)

    def flush(self) -> None:
        for exporter in self.active:
            self._call(exporter, "flush")

    def shutdown(self) -> None:
        for exporter in self.active:
            self._call(exporter, "shutdown")

    @staticmethod
    def _call(exporter: Exporter, method: str) -> None:
        try:
            getattr(exporter, method)()
        except Exception as failure:  # noqa: BLE001
            recording_failed(f"{method} of {type(exporter).__name__}", failure)


exporters = Exporters()


def _follow_configuration(old: RuntimeConfig, new: RuntimeConfig) -> None:
    exporters.follow(old, new)


def flush() -> None:
    """Write every buffered observation and trace now (the offline store's files; pending
    OTLP spans, waiting a few seconds at most)."""
    exporters.flush()


exporters.follow(None, get_config())
on_change(_follow_configuration)
atexit.register(exporters.shutdown)

__all__ = ["Exporter", "Exporters", "exporters", "flush"]
