"""A cache of lint results, so unchanged files are not parsed again.

An entry is keyed on the file's content, the settings it was linted with and the tool's
version; it holds the findings of a check (fixing always runs the engine on files with
fixable findings) and the digests of the project's other modules they were resolved through:
an entry whose imported module changed since is stale. Beside the results it keeps the
summaries of those modules (`project.Summary.stored`), so a later run reads them again only
when they change. One JSON file under `.fluxloop-lint-cache/<version>/` at the project root,
with a `.gitignore` holding `*` as Ruff does. JSON, not pickle: a cache file found in a
checked-out repository must never be able to run code. A cache that cannot be read is ignored.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from fluxloop_lint import __version__
from fluxloop_lint.files import file_digest, write_atomically
from fluxloop_lint.output import finding_to_json
from fluxloop_lint.types import Applicability, Edit, FileResult, Finding, Fix, LintSettings, Position, Severity

CACHE_FOLDER = ".fluxloop-lint-cache"


def cache_key(source: bytes, settings: LintSettings) -> str:
    digest = hashlib.sha256()
    digest.update(__version__.encode())
    digest.update(b"\0" + repr(settings).encode() + b"\0")
    digest.update(source)
    return digest.hexdigest()


def _position(location: dict[str, int]) -> Position:
    return Position(location["row"], location["column"])


def _finding_from_json(path: str, data: dict[str, Any]) -> Finding:
    """The reverse of `output.finding_to_json` (the cache stores findings in the JSON output's shape)."""
    fix = data["fix"]
    return Finding(
        code=data["code"],
        message=data["message"],
        fix_title=data["fix_title"],
        path=path,
        start=_position(data["location"]),
        end=_position(data["end_location"]),
        severity=Severity(data["severity"]),
        cell=data.get("cell"),
        fix=None
        if fix is None
        else Fix(
            applicability=Applicability(fix["applicability"]),
            message=fix["message"],
            edits=tuple(
                Edit(_position(edit["location"]), _position(edit["end_location"]), edit["content"], edit.get("cell"))
                for edit in fix["edits"]
            ),
        ),
    )


def _unchanged(dependencies: list[list[str]]) -> bool:
    """True when every module a result was resolved through still has the digest it had."""
    return all(file_digest(path) == digest for path, digest in dependencies)


class ResultCache:
    """Findings of earlier checks, by path relative to the project root, and module summaries
    by absolute path."""

    def __init__(self, project_root: Path) -> None:
        self.folder = project_root / CACHE_FOLDER
        self.file = self.folder / __version__ / "results.json"
        stored = self._load()
        self._entries: dict[str, dict[str, Any]] = stored.get("results", {})
        self.summaries: dict[str, dict[str, Any]] = stored.get("summaries", {})
        self._changed = False

    def _load(self) -> dict[str, dict[str, dict[str, Any]]]:
        try:
            stored = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(stored, dict):
            return {}
        return {part: stored[part] for part in ("results", "summaries") if isinstance(stored.get(part), dict)}

    def get(
        self, relative_path: str, display_path: str, key: str, fixing: bool = False, unsafe_fixes: bool = False
    ) -> FileResult | None:
        """The cached result, or None; when `fixing`, None also when a cached finding's fix applies
        (the engine must run to produce the fixed file)."""
        entry = self._entries.get(relative_path)
        try:
            if entry is not None and entry["key"] == key and _unchanged(entry.get("dependencies", ())):
                findings = tuple(_finding_from_json(display_path, item) for item in entry["findings"])
                if not (fixing and any(finding.fix is not None and finding.fix.applies(unsafe_fixes) for finding in findings)):
                    return FileResult(path=display_path, findings=findings)
        except (KeyError, TypeError, ValueError):
            self._entries.pop(relative_path, None)
        return None

    def put(self, relative_path: str, key: str, result: FileResult) -> None:
        if result.errors:
            return
        self._entries[relative_path] = {
            "key": key,
            "findings": [finding_to_json(finding) for finding in result.findings],
            "dependencies": [list(dependency) for dependency in result.dependencies],
        }
        self._changed = True

    def put_summaries(self, summaries: tuple[tuple[str, dict[str, Any]], ...]) -> None:
        for path, summary in summaries:
            self.summaries[path] = summary
            self._changed = True

    def save(self) -> None:
        """Write the cache (atomically) if it changed; a cache that cannot be written is skipped."""
        if not self._changed:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            gitignore = self.folder / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("# Automatically created by fluxloop-lint.\n*\n", encoding="utf-8")
            stored = {"results": self._entries, "summaries": self.summaries}
            write_atomically(str(self.file), json.dumps(stored, separators=(",", ":")).encode("utf-8"))
        except OSError:
            pass
