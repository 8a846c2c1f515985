"""Runs the engine over files: read, prefilter, cache, lint (in parallel when it pays), write.

The one place that calls `prefilter.mentions_fluxloop` then `engine.lint_source`. The engine
(and with it LibCST) is imported only once a file mentions FluxLoop, so a run over a codebase
that never does costs a read and a substring test per file.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from fluxloop_lint.cache import ResultCache, cache_key
from fluxloop_lint.codes import SYNTAX_ERROR_CODE, is_selected, rule_selectors
from fluxloop_lint.config import Configuration
from fluxloop_lint.files import (
    FileWalker,
    is_dangling_symlink,
    is_notebook,
    missing_paths,
    read_file,
    relative_posix,
    write_atomically,
)
from fluxloop_lint.prefilter import mentions_fluxloop
from fluxloop_lint.types import FileResult, Finding, LintedFile, LintSettings, Position, RunOptions, RunReport

if TYPE_CHECKING:
    from fluxloop_lint.engine import WholeParse

# Below this many files that need the engine, worker start-up costs more than it saves.
PARALLEL_THRESHOLD = 8
PROGRESS_THRESHOLD = 200


def unreadable(path: str, error: OSError, settings: LintSettings) -> FileResult:
    """An unreadable file, reported like a file that does not parse (FLX001, when the file's
    settings enable it), so the run goes on."""
    if not is_selected(SYNTAX_ERROR_CODE, *rule_selectors(settings)):
        return FileResult(path=path)
    reason = error.strerror or str(error)
    finding = Finding(SYNTAX_ERROR_CODE, f"cannot read the file: {reason}", path, Position(1, 1), Position(1, 1))
    return FileResult(path=path, findings=(finding,))


@dataclass(frozen=True)
class _Job:
    path: str
    source: bytes
    settings: LintSettings
    fix: bool
    debug: bool
    parser: WholeParse | None = None  # the engine's default unless given (`lint_document`)


def _lint_job(job: _Job) -> FileResult:
    from fluxloop_lint.engine import lint_source

    try:
        if is_notebook(job.path):
            from fluxloop_lint.notebooks import lint_notebook

            return lint_notebook(job.source, job.path, job.settings, fix=job.fix)
        return lint_source(job.source, job.path, job.settings, fix=job.fix, parser=job.parser)
    except Exception as error:  # a bug in a rule must not stop the other files
        detail = traceback.format_exc() if job.debug else f"{type(error).__name__}: {error}"
        return FileResult(path=job.path, errors=(f"internal error while linting: {detail.strip()}",))


def _start_worker(summaries: dict[str, dict[str, Any]]) -> None:
    from fluxloop_lint.project import use_stored_summaries

    use_stored_summaries(summaries)


def _run_jobs(jobs: Sequence[_Job], summaries: dict[str, dict[str, Any]]) -> Iterable[FileResult]:
    """Lint the jobs, in worker processes when there are enough; every process may reuse the
    module summaries of earlier runs."""
    workers = min(os.cpu_count() or 1, len(jobs))
    if len(jobs) < PARALLEL_THRESHOLD or workers < 2:
        if jobs:
            _start_worker(summaries)
        return map(_lint_job, jobs)
    chunksize = max(1, len(jobs) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(summaries,)) as executor:
        return list(executor.map(_lint_job, jobs, chunksize=chunksize))


class _Progress:
    """A counter on stderr for long runs, only when stderr is a terminal."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and total >= PROGRESS_THRESHOLD and sys.stderr.isatty()
        self.done = 0

    def step(self) -> None:
        self.done += 1
        if self.enabled and (self.done % 50 == 0 or self.done == self.total):
            sys.stderr.write(f"\rfluxloop-lint: {self.done}/{self.total} files")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _walker(configuration: Configuration) -> FileWalker:
    return FileWalker(
        project_root=configuration.project_root,
        excludes=configuration.excludes,
        respect_gitignore=configuration.file.respect_gitignore,
    )


def lint_paths(paths: Sequence[str], configuration: Configuration, options: RunOptions) -> RunReport:
    walker = _walker(configuration)
    seen: set[tuple[int, int]] = set()  # files already read, by identity: one file reached by two paths is linted once
    report = RunReport()
    cache = ResultCache(configuration.project_root) if options.use_cache else None
    jobs: list[_Job] = []
    keys: dict[str, tuple[str, str]] = {}
    results: list[FileResult] = []
    sent: dict[str, _Job] = {}  # by path: each file's source and settings, for _finish
    modules = configuration.base_settings.fluxloop_modules
    named = set(paths)
    # A path that does not exist is an error of the run, as in Ruff; the others are still linted.
    missing = set(missing_paths(paths))
    results.extend(FileResult(path=path, errors=("no such file or directory",)) for path in missing)
    for path in walker.walk([given for given in paths if given not in missing], force_exclude=options.force_exclude):
        try:
            source, identity = read_file(path)
        except OSError as error:
            # A dangling symlink found by walking (an editor's lock file `.#name.py`) is not a file.
            if path not in named and is_dangling_symlink(path):
                continue
            report.checked += 1
            results.append(unreadable(path, error, configuration.settings_for(path)))
            continue
        if identity in seen:
            continue
        seen.add(identity)
        report.checked += 1
        if not mentions_fluxloop(source, modules):
            continue
        report.parsed += 1
        settings = configuration.settings_for(path)
        if cache is not None:
            relative = relative_posix(path, configuration.project_root)
            key = cache_key(source, settings)
            cached = cache.get(relative, path, key, fixing=options.fix, unsafe_fixes=settings.unsafe_fixes)
            if cached is not None:
                results.append(cached)
                continue
            keys[path] = (relative, key)
        jobs.append(_Job(path, source, settings, options.fix, options.debug))
        sent[path] = jobs[-1]

    progress = _Progress(len(jobs), options.show_progress)
    for result in _run_jobs(jobs, cache.summaries if cache is not None else {}):
        progress.step()
        if cache is not None:
            cache.put_summaries(result.summaries)
            if not options.fix and result.path in keys:
                cache.put(*keys[result.path], result)
        results.append(result)
    progress.close()
    if cache is not None:
        cache.save()

    for result in sorted(results, key=lambda item: item.path):
        report.files.append(_finish(result, sent.get(result.path), options))
    return report


def lint_document(
    path: str, source: bytes | str, configuration: Configuration, *, fix: bool = False, parser: WholeParse | None = None
) -> FileResult:
    """One file's findings (with `fix`, also its fixed text) as `lint_paths` finds them, for a
    text that need not be on disk (an editor's buffer): the prefilter, the file's settings, the
    engine, which parses with `parser` when given (not for a notebook). An internal error
    becomes the result's error, as for a file of a run."""
    settings = configuration.settings_for(path)
    if not mentions_fluxloop(source, settings.fluxloop_modules):
        return FileResult(path=path)
    if isinstance(source, str) and is_notebook(path):
        source = source.encode("utf-8")  # a notebook is read as the bytes of its file
    return _lint_job(_Job(path, source, settings, fix, debug=False, parser=parser))


def lint_stdin(source: bytes, filename: str, configuration: Configuration, options: RunOptions) -> RunReport:
    """Lint text read from standard input, named `filename` in messages and for settings."""
    report = RunReport(checked=1)
    settings = configuration.settings_for(filename)
    excluded = options.force_exclude and _walker(configuration).is_excluded(filename)
    if excluded or not mentions_fluxloop(source, settings.fluxloop_modules):
        report.files.append(LintedFile(FileResult(path=filename), original=source))
        return report
    report.parsed = 1
    result = _lint_job(_Job(filename, source, settings, options.fix, options.debug))
    report.files.append(LintedFile(result, original=source))
    return report


def _finish(result: FileResult, job: _Job | None, options: RunOptions) -> LintedFile:
    """Write a fixed file back when asked to; keep the original for diffs. A file that cannot
    be written keeps its findings: they are those of its unchanged content."""
    if result.fixed_source is None or job is None:
        return LintedFile(result)
    original = job.source
    fixed = result.fixed_source
    if isinstance(fixed, str):
        fixed = fixed.encode("utf-8")
    if not options.write:
        return LintedFile(result, original=original)
    try:
        write_atomically(result.path, fixed)
    except OSError as error:
        failure = f"cannot write the fixed file: {error.strerror or error}"
        unchanged = _lint_job(replace(job, fix=False))
        return LintedFile(FileResult(result.path, unchanged.findings, 0, None, (*result.errors, failure)), original)
    return LintedFile(result, original=original, written=True)
