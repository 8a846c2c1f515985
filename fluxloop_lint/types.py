"""The linter's data types, shared by the engine, the rules, the command line and the plugins.

Kept free of heavy imports (no LibCST, no pydantic): the path that files without FluxLoop
take imports this module and nothing heavier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from fluxloop_lint import fluxloop_api


class Severity(str, Enum):
    """How serious a finding is: errors break code or lose observations, warnings may not."""

    ERROR = "error"
    WARNING = "warning"


class Applicability(str, Enum):
    """Whether a fix is applied by `--fix` alone (safe) or needs `--unsafe-fixes`."""

    SAFE = "safe"
    UNSAFE = "unsafe"


class FrameworkKind(str, Enum):
    """How a framework decorator treats the function it decorates (docs/frameworks.md):
    replaces it by a framework object, stores it, is a descriptor, marks it, or wraps it."""

    TRANSFORMING = "T"
    REGISTERING = "R"
    DESCRIPTOR = "D"
    MARKING = "M"
    WRAPPING = "W"


class FixStrategy(str, Enum):
    """How decorator findings are fixed: Pattern B (reorder) or Pattern A (manual)."""

    REORDER = "reorder"
    MANUAL = "manual"


@dataclass(frozen=True, order=True)
class Position:
    """A place in a file: 1-based line, 1-based column (the text output's convention)."""

    line: int
    column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text from `start` up to (not including) `end` with `content`.

    In a notebook, `cell` is the cell's number (from 1, counting every cell) and the
    positions are inside that cell; None in a Python file."""

    start: Position
    end: Position
    content: str
    cell: int | None = None


@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    message: str
    edits: tuple[Edit, ...] = ()

    def applies(self, unsafe_fixes: bool) -> bool:
        """True when `--fix` applies this fix: safe ones always, unsafe ones with `--unsafe-fixes`."""
        return self.applicability is Applicability.SAFE or unsafe_fixes


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    path: str
    start: Position
    end: Position
    fix: Fix | None = None
    severity: Severity = Severity.ERROR
    cell: int | None = None  # in a notebook: the cell's number, `start` and `end` inside it (see Edit)
    fix_title: str | None = None  # what to do about it (the rule's FIX_TITLE, filled in)

    @property
    def fixable(self) -> bool:
        return self.fix is not None


@dataclass(frozen=True)
class LintSettings:
    """Everything the engine needs to lint one file, already resolved for that file.

    `select` (None: the rules enabled by default), `extend_select`, `ignore` and
    `per_file_ignore` (the file's `per-file-ignores`, which remove rules whatever selects them,
    as in Ruff) hold codes or code prefixes (`FLX1`). `codes.rule_selectors` and the engine
    decide which rules run, so that building settings never imports LibCST.
    Hashable and picklable: it is part of the cache key and is sent to worker processes.
    """

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignore: tuple[str, ...] = ()
    fluxloop_modules: tuple[str, ...] = fluxloop_api.MODULES
    framework_decorators: tuple[tuple[str, FrameworkKind], ...] = ()
    fix_strategy: FixStrategy = FixStrategy.REORDER
    unsafe_fixes: bool = False
    target_version: str = "py310"
    # The project whose other modules names are resolved through (absolute paths; None: the
    # file alone) and the folders its top-level modules live in (the `src` key).
    project_root: str | None = None
    source_roots: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommandLineOverrides:
    """The command line's options that override or extend the configuration file's values
    (the flake8 plugin passes flake8's FLX selections as `extend_select`)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fix_strategy: FixStrategy | None = None
    unsafe_fixes: bool = False


@dataclass(frozen=True)
class FileResult:
    """What linting (and, when asked, fixing) one file produced.

    `findings` are those left after fixing (all of them when not fixing); `fixed` counts the
    findings that fixes removed; `fixed_source` is the new file content (same type as the
    source given: bytes keep the file's encoding and line endings) or None when unchanged.
    """

    path: str
    findings: tuple[Finding, ...] = ()
    fixed: int = 0
    fixed_source: bytes | str | None = None
    errors: tuple[str, ...] = field(default=())
    # The project's other modules the findings depend on: (path, sha256 of its content), and
    # the summaries of them this lint had to make, for the cache to keep (`project.Summary.stored`).
    dependencies: tuple[tuple[str, str], ...] = ()
    summaries: tuple[tuple[str, dict[str, Any]], ...] = ()


@dataclass(frozen=True)
class RunOptions:
    """How the command line asked a run to go."""

    fix: bool = False  # compute fixes (for --fix and --diff)
    write: bool = False  # write fixed files back (--fix without --diff)
    use_cache: bool = True
    show_progress: bool = False
    debug: bool = False
    force_exclude: bool = False  # apply the excludes to paths named on the command line too


@dataclass(frozen=True)
class LintedFile:
    """One file's result, with its original content when a fix changed it (for `--diff`)."""

    result: FileResult
    original: bytes | None = None
    written: bool = False


@dataclass
class RunReport:
    """What a run over files produced, in path order (built up by the runner)."""

    files: list[LintedFile] = field(default_factory=list)
    checked: int = 0  # files read
    parsed: int = 0  # files that mentioned FluxLoop (or came from the cache)

    @property
    def findings(self) -> list[Finding]:
        return [finding for linted in self.files for finding in linted.result.findings]

    @property
    def errors(self) -> list[tuple[str, str]]:
        return [(linted.result.path, error) for linted in self.files for error in linted.result.errors]
