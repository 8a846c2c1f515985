"""Linting documents off the message loop, one version at a time.

Every lint runs in one worker thread (LibCST holds the GIL anyway, and one thread keeps the
order of a document's versions). A lint whose version was overtaken before it started is
skipped; one overtaken while it ran is returned but the caller drops it. The last result of
each document is kept, so code actions and hovers on that version need no second lint, and
so is what its parse can reuse at the next version (`incremental`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from fluxloop_lint.config import Configuration
from fluxloop_lint.incremental import IncrementalParse
from fluxloop_lint.runner import lint_document
from fluxloop_lint.server.projects import Projects
from fluxloop_lint.types import FileResult

T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    """One version of an open document."""

    uri: str
    version: int | None
    text: str
    path: str  # what the findings are reported against, and settings are chosen by


@dataclass(frozen=True)
class Linted:
    snapshot: Snapshot
    generation: int  # of the configuration it was linted with
    result: FileResult


class Linter:
    def __init__(self, projects: Projects) -> None:
        self.projects = projects
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fluxloop-lint")
        self.last: dict[str, Linted] = {}
        self.parses: dict[str, IncrementalParse] = {}  # per document; used in the lint thread only

    async def run(self, work: Callable[[], T]) -> T:
        """Run `work` in the lint thread."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, work)

    def configuration(self, snapshot: Snapshot) -> Configuration:
        return self.projects.configuration_for(snapshot.path)

    async def lint(self, snapshot: Snapshot, is_current: Callable[[], bool] = lambda: True) -> Linted | None:
        """The findings of `snapshot` (the last result when it is for this version and
        configuration); None when the document moved on before the lint began."""
        cached = self.cached(snapshot)
        if cached is not None:
            return cached

        # Found here, on the message loop: finding it may show an error to the client, and
        # messages are written from the loop only.
        configuration = self.configuration(snapshot)
        generation = self.projects.generation
        parse = self.parses.setdefault(snapshot.uri, IncrementalParse())

        def work() -> Linted | None:
            if not is_current():
                return None
            return Linted(snapshot, generation, lint_document(snapshot.path, snapshot.text, configuration, parser=parse))

        linted = await self.run(work)
        if linted is not None and not linted.result.errors:
            self.last[snapshot.uri] = linted
        return linted

    def cached(self, snapshot: Snapshot) -> Linted | None:
        last = self.last.get(snapshot.uri)
        if last is not None and last.snapshot == snapshot and last.generation == self.projects.generation:
            return last
        return None

    async def fixed(self, snapshot: Snapshot, configuration: Configuration) -> FileResult:
        """What `--fix` with `configuration` makes of the snapshot's text."""
        return await self.run(lambda: lint_document(snapshot.path, snapshot.text, configuration, fix=True))

    def forget(self, uri: str) -> None:
        self.last.pop(uri, None)
        self.parses.pop(uri, None)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
