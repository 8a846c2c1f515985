"""The project's own modules: where they are, and what their module-level names are bound to.

A file's decorators resolve through its own imports first. When a decorator below a FluxLoop
decorator names something from the project's own modules (`from common.tools import
strict_tool`, `from .server import mcp`), the file's `ProjectView` finds that module under
the source roots, summarises it (the engine's walk with no rules: what each module-level name
is bound to when the module has run) and follows aliases from module to module until the name
leaves the project (`agents.function_tool`) or stays unknown. Import cycles end: a name met
twice is unknown.

Summaries are kept per process and made again only when the file changes on disk. Across
runs they live in the result cache: the runner hands a run's worker processes the cached
summaries (`use_stored_summaries`), and each file's result carries the summaries its lint
had to make, for the cache to keep. Each view records the modules it read and their digests,
so a cached result can tell when what it resolved through has changed. A module that cannot
be read, decoded or parsed summarises to nothing: its names stay unknown, and it is not
reported (it is not being linted).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import libcst as cst

from fluxloop_lint.context import FileContext
from fluxloop_lint.files import file_digest, source_encoding
from fluxloop_lint.frameworks import registry_for
from fluxloop_lint.names import Binding
from fluxloop_lint.types import LintSettings
from fluxloop_lint.walk import Walk, plan

_NO_RULES = plan(())

# Summaries made by earlier runs, by path, as the result cache stores them (see `Summary.stored`).
_stored: dict[str, dict[str, Any]] = {}


def use_stored_summaries(stored: dict[str, dict[str, Any]]) -> None:
    """Let this process reuse summaries of earlier runs (those whose file and settings match)."""
    _stored.clear()
    _stored.update(stored)


@dataclass(frozen=True)
class Summary:
    """One module's module-level names (`origin` is `path:line` of the statement binding each)
    and its public names (`__all__`, else the names not starting with `_`)."""

    digest: str
    names: dict[str, Binding] = field(default_factory=dict)
    public: tuple[str, ...] = ()
    # Other modules the summary read (`from .tools import *`), with their digests.
    dependencies: tuple[tuple[str, str], ...] = ()

    def stored(self, settings: str) -> dict[str, Any]:
        """The summary as the cache keeps it (JSON), for the settings it was made with."""
        names = {name: [binding.qualified_name, binding.instance, binding.origin] for name, binding in self.names.items()}
        return {
            "digest": self.digest,
            "settings": settings,
            "names": names,
            "public": list(self.public),
            "dependencies": [list(dependency) for dependency in self.dependencies],
        }

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> Summary:
        names = {
            name: Binding(qualified_name, bool(instance), origin)
            for name, (qualified_name, instance, origin) in data["names"].items()
        }
        dependencies = tuple((path, digest) for path, digest in data["dependencies"])
        return cls(data["digest"], names, tuple(data["public"]), dependencies)


class Project:
    """The modules under a project's source roots, as one process sees them."""

    def __init__(self, root: Path, source_roots: tuple[Path, ...], settings: LintSettings) -> None:
        self.root = root
        self.source_roots = source_roots
        self.settings = settings
        self.registry = registry_for(settings.framework_decorators)
        self.fingerprint = repr((settings.fluxloop_modules, settings.framework_decorators))
        self._summaries: dict[Path, tuple[tuple[int, int], Summary]] = {}
        self._in_progress: set[Path] = set()

    def module_name(self, path: Path) -> str | None:
        """The dotted module name of a file (a package's `__init__.py` is the package), from
        the deepest source root that holds it, else from the folder above its outermost
        package; None when its path is no module name."""
        path = path.resolve()
        relative = None
        for source_root in sorted(self.source_roots, key=lambda root: len(root.parts), reverse=True):
            if path.is_relative_to(source_root):
                relative = path.relative_to(source_root)
                break
        if relative is None:
            relative = path.relative_to(package_root(path))
        parts = list(relative.with_suffix("").parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts) if all(part.isidentifier() for part in parts) else None

    def package_of(self, path: Path) -> str | None:
        """The package a file's relative imports resolve against ("" for a top-level module)."""
        module_name = self.module_name(path)
        if module_name is None or path.name == "__init__.py":
            return module_name
        return module_name.rpartition(".")[0]

    def module_file(self, module: str, extra_roots: tuple[Path, ...] = ()) -> Path | None:
        """The file of a module under the source roots, then `extra_roots` (a module file or a
        package's `__init__.py`; folders without one are namespace packages)."""
        return next((candidate for candidate in self.module_candidates(module, extra_roots) if candidate.is_file()), None)

    def module_candidates(self, module: str, extra_roots: tuple[Path, ...] = ()) -> list[Path]:
        """Where a module's file would be, in the order Python would look."""
        relative = Path(*module.split("."))
        return [
            candidate
            for source_root in (*self.source_roots, *extra_roots)
            for candidate in (source_root / relative.with_suffix(".py"), source_root / relative / "__init__.py")
        ]

    def summary(self, path: Path) -> tuple[Summary, bool]:
        """A module's summary, and whether it was made now (not known to this process, nor
        stored by an earlier run)."""
        try:
            status = os.stat(path)
        except OSError:
            return Summary(""), False
        stamp = (status.st_mtime_ns, status.st_size)
        known = self._summaries.get(path)
        if known is not None and known[0] == stamp:
            return known[1], False
        if path in self._in_progress:  # asked again while being summarised: an import cycle
            return Summary(""), False
        self._in_progress.add(path)
        try:
            summary, made = self._summarise(path)
        finally:
            self._in_progress.discard(path)
        self._summaries[path] = (stamp, summary)
        return summary, made

    def _summarise(self, path: Path) -> tuple[Summary, bool]:
        try:
            source = path.read_bytes()
        except OSError:
            return Summary(""), False
        digest = hashlib.sha256(source).hexdigest()
        stored = _stored.get(str(path))
        if stored is not None and stored.get("digest") == digest and stored.get("settings") == self.fingerprint:
            try:
                summary = Summary.from_stored(stored)
                if all(file_digest(dependency) == known for dependency, known in summary.dependencies):
                    return summary, False
            except (KeyError, TypeError, ValueError):
                pass
        try:
            text = source.decode(source_encoding(source))
            module = cst.parse_module(text)
        except Exception:  # not decodable, not Python: its names stay unknown
            return Summary(digest), True
        view = ProjectView(self, path)
        package = self.package_of(path)
        context = FileContext(module, text, self.settings, self.registry, frozenset(), project=view, package=package)
        walk = Walk(context, (), _NO_RULES)
        label = _label(path, self.root)
        lines: dict[str, tuple[Binding, int]] = {}
        line = 1 + len(module.header)
        for statement in module.body:
            first_line = line + len(getattr(statement, "leading_lines", ()))
            walk.statement(statement)
            for name, binding in context.resolver.current_bindings().items():
                if name not in lines or lines[name][0] is not binding:
                    lines[name] = (binding, first_line)
            line += module.code_for_node(statement).count("\n")
        names = {
            name: Binding(binding.qualified_name, binding.instance, binding.origin or f"{label}:{number}")
            for name, (binding, number) in lines.items()
        }
        dependencies = tuple(sorted(view.dependencies.items()))
        return Summary(digest, names, _public_names(module, names), dependencies), True


class ProjectView:
    """One file's window on its project: resolves names and records what it read.

    Beyond the source roots, modules are looked for where Python would find them when the
    file runs: beside it (a script's sibling imports) and above its outermost package
    (`python -m app.tools`)."""

    def __init__(self, project: Project, path: Path | None) -> None:
        self.project = project
        self.own_roots = () if path is None else tuple(dict.fromkeys((path.resolve().parent, package_root(path))))
        self.dependencies: dict[str, str] = {}  # path -> digest of every module read
        self.made: dict[str, dict[str, Any]] = {}  # path -> summaries made for this file, as stored

    def _summary(self, module: str) -> Summary | None:
        path = self.project.module_file(module, self.own_roots)
        if path is None:
            # A module that appears later changes what the name is: its places count too.
            for candidate in self.project.module_candidates(module, self.own_roots):
                self.dependencies.setdefault(str(candidate), "")
            return None
        summary, made = self.project.summary(path)
        self.dependencies[str(path)] = summary.digest
        self.dependencies.update(summary.dependencies)
        if made:
            self.made[str(path)] = summary.stored(self.project.fingerprint)
        return summary

    def public_names(self, module: str) -> tuple[str, ...]:
        summary = self._summary(module)
        return summary.public if summary is not None else ()

    def resolve(self, qualified_name: str) -> Binding | None:
        """What a dotted name of the project's modules is, once every alias is followed; None
        when no module of the project holds it. The origin is the last place in the project
        that gave it its meaning."""
        current, instance, origin = qualified_name, False, None
        seen: set[str] = set()
        while current not in seen:
            seen.add(current)
            found = self._lookup(current)
            if found is None:
                return Binding(current, instance, origin) if origin is not None else None
            binding, rest = found
            if binding.qualified_name is None:
                return Binding(None, origin=binding.origin)
            origin = binding.origin or origin
            if rest:
                current, instance = ".".join([binding.qualified_name, *rest]), False
            else:
                current, instance = binding.qualified_name, binding.instance
        return Binding(None, origin=origin)  # an import cycle

    def _lookup(self, qualified_name: str) -> tuple[Binding, list[str]] | None:
        """The binding of the longest module prefix's name, and the attributes after it."""
        parts = qualified_name.split(".")
        if self.project.registry.knows_package(parts[0]):
            return None
        for split in range(len(parts) - 1, 0, -1):
            summary = self._summary(".".join(parts[:split]))
            if summary is None:
                continue
            binding = summary.names.get(parts[split])
            if binding is None:
                if self.project.module_file(".".join(parts[: split + 1]), self.own_roots) is not None:
                    return None  # a submodule: found by a longer prefix, never here
                return Binding(None), []
            return binding, parts[split + 1 :]
        return None


def package_root(path: Path) -> Path:
    """The folder above a file's outermost package (`__init__.py` files upward)."""
    top = path.resolve().parent
    while (top / "__init__.py").is_file() and top.parent != top:
        top = top.parent
    return top


def _label(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _public_names(module: cst.Module, names: dict[str, Binding]) -> tuple[str, ...]:
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if (
                    isinstance(small, cst.Assign)
                    and any(isinstance(target.target, cst.Name) and target.target.value == "__all__" for target in small.targets)
                    and isinstance(small.value, (cst.List, cst.Tuple))
                ):
                    return tuple(
                        element.value.evaluated_value
                        for element in small.value.elements
                        if isinstance(element.value, cst.SimpleString) and isinstance(element.value.evaluated_value, str)
                    )
    return tuple(name for name in names if not name.startswith("_"))


@lru_cache(maxsize=16)
def project_for(root: str, source_roots: tuple[str, ...], settings: LintSettings) -> Project:
    """The process's `Project` for a root and settings (summaries are shared by its files)."""
    return Project(Path(root), tuple(Path(source_root) for source_root in source_roots), settings)


def view_for(path: str, settings: LintSettings) -> tuple[ProjectView | None, str | None]:
    """A linted file's view of its project, and its package; (None, None) when the settings
    name no project (`settings.project_root` unset)."""
    if settings.project_root is None:
        return None, None
    project = project_for(settings.project_root, settings.source_roots, _summary_settings(settings))
    if not path:
        return ProjectView(project, None), None
    return ProjectView(project, Path(path)), project.package_of(Path(path))


def _summary_settings(settings: LintSettings) -> LintSettings:
    """What a module summary depends on: the FluxLoop modules and the registry's additions."""
    return LintSettings(fluxloop_modules=settings.fluxloop_modules, framework_decorators=settings.framework_decorators)
