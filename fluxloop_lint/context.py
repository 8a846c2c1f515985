"""What the rules share while one file is linted: names, the registry, the project's other
modules, decorator analysis, and the reports they make."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import libcst as cst
from libcst.metadata import CodeRange

from fluxloop_lint.fluxloop_api import DECORATORS, SDK_MODULE
from fluxloop_lint.frameworks import DECORATED_RESULT_CLASS, FrameworkDecorator, Registry
from fluxloop_lint.names import UNKNOWN, Binding, NameResolver, ResolvedName, dotted_parts
from fluxloop_lint.types import Fix, LintSettings

if TYPE_CHECKING:
    from fluxloop_lint.project import ProjectView


@dataclass(frozen=True, slots=True)
class DecoratorInfo:
    """One decorator of a function, resolved and classified."""

    node: cst.Decorator
    label: str  # the decorator as written, without arguments: `fluxloop.tool`, `app.get`
    resolved: ResolvedName | None
    called: bool
    fluxloop: bool  # a FluxLoop decorator (`tool`, `agent`, `prompt`, `trace` of a FluxLoop module)
    sdk: bool  # ... of the public SDK module `fluxloop` (SDK-only rules)
    framework: FrameworkDecorator | None  # what the registry says, None when unknown
    via: str | None = None  # where another module of the project made it that (`common/tools.py:6`)
    by_method_name: bool = False  # `framework` is a guess from the method's name (receiver unknown)


@dataclass(frozen=True, slots=True)
class Classification:
    """What the registry says of a decorator: its entry (None: unknown), where another module
    of the project made it that, and whether the entry is only a guess from the method's name."""

    framework: FrameworkDecorator | None = None
    via: str | None = None
    by_method_name: bool = False


UNCLASSIFIED = Classification()


@dataclass(frozen=True, slots=True)
class Report:
    """A finding before positions are known. `build_fix` runs only for reported findings."""

    code: str
    message: str
    node: cst.CSTNode
    noqa_node: cst.CSTNode
    build_fix: Callable[[], Fix | None] | None = None
    top_level_statement: cst.BaseStatement | None = None  # the module-level statement holding `node`
    fix_title: str | None = None


T = TypeVar("T")


class FileContext:
    """What the rules and fixes share about one file, by phase; assertions hold each phase to
    what it offers.

    - During the walk (`walking`; the engine's `Walk` visits the module once): `resolver`
      knows the names bound up to the point reached; `current_statement` and
      `top_level_statement` hold the statements around it; `report` records findings;
      `decorators_of` analyses a definition's decorators (first call at the definition);
      `during_walk` keeps state the rules share, built once per key (the Pattern A analysis
      of each function, `rules.pattern_a.analysis`).
    - After the walk (`end_walk`): `reports` is complete and nothing more is reported. The
      engine resolves the positions of the reported nodes, then runs each `build_fix`.
    - Inside `build_fix`: `position` says where a node is; `module` and `text` are the file;
      `decorators_of` gives what the walk analysed (with the manual fix strategy, every
      decorated function); `in_fixes` keeps state the fixes share, built once per key (the
      file's manual rewrite, `fixes.manual`). The resolver is at the end of the module: it
      says nothing about a particular point any more.
    """

    def __init__(
        self,
        module: cst.Module,
        text: str,
        settings: LintSettings,
        registry: Registry,
        enabled_codes: frozenset[str],
        *,
        project: ProjectView | None = None,
        package: str | None = None,
    ) -> None:
        self.module = module
        self.text = text
        self.settings = settings
        self.registry = registry
        self.enabled_codes = enabled_codes
        # The project's other modules, read only when a decorator below a FluxLoop decorator
        # names something this file alone cannot resolve (None: this file alone).
        self.project = project
        self.resolver = NameResolver(package, self._decorator_forms, self._star_names)
        self.reports: list[Report] = []
        self.current_statement: cst.CSTNode | None = None
        self.top_level_statement: cst.BaseStatement | None = None
        self.positions: Mapping[cst.CSTNode, CodeRange] | None = None  # set by the engine after the walk
        self.walking = True
        self._decorators: dict[int, tuple[DecoratorInfo, ...]] = {}
        self._walk_state: dict[Hashable, Any] = {}
        self._fix_state: dict[Hashable, Any] = {}
        self._fluxloop_prefixes = tuple(f"{module_name}." for module_name in settings.fluxloop_modules)

    # -- reporting ------------------------------------------------------------------------

    def report(
        self,
        code: str,
        node: cst.CSTNode,
        message: str,
        *,
        build_fix: Callable[[], Fix | None] | None = None,
        noqa_node: cst.CSTNode | None = None,
        fix_title: str | None = None,
    ) -> None:
        assert self.walking, "findings are reported during the walk"
        noqa_node = noqa_node or self.current_statement or node
        self.reports.append(Report(code, message, node, noqa_node, build_fix, self.top_level_statement, fix_title))

    @cached_property
    def lines(self) -> list[str]:
        """The text's lines with their endings, split once per file (the fixes of a file with
        many findings each read them)."""
        from fluxloop_lint.fixes.edits import split_lines  # the fixes package imports this module

        return split_lines(self.text)

    def position(self, node: cst.CSTNode) -> CodeRange:
        """Where a node is (0-based columns, as LibCST gives them); only after positions are
        resolved, i.e. inside `build_fix`."""
        assert self.positions is not None, "positions are resolved after the walk, for build_fix"
        return self.positions[node]

    # -- phases and the state they share --------------------------------------------------

    def end_walk(self) -> None:
        self.walking = False

    def during_walk(self, key: Hashable, build: Callable[[], T]) -> T:
        """`build()`, made once per `key` for this file and shared, during the walk only (what
        it builds may read the resolver at the point reached)."""
        assert self.walking, "state of the walk is built and read during the walk"
        if key not in self._walk_state:
            self._walk_state[key] = build()
        return self._walk_state[key]  # type: ignore[no-any-return]

    def in_fixes(self, key: Hashable, build: Callable[[], T]) -> T:
        """`build()`, made once per `key` for this file and shared by the fixes (inside
        `build_fix`, once positions are resolved)."""
        assert self.positions is not None, "state of the fixes is built inside build_fix"
        if key not in self._fix_state:
            self._fix_state[key] = build()
        return self._fix_state[key]  # type: ignore[no-any-return]

    # -- FluxLoop names -------------------------------------------------------------------

    def fluxloop_module_of(self, qualified_name: str | None) -> str | None:
        """The configured FluxLoop module a qualified name belongs to, if any."""
        if qualified_name is None:
            return None
        for prefix in self._fluxloop_prefixes:
            if qualified_name.startswith(prefix) or qualified_name == prefix[:-1]:
                return prefix[:-1]
        return None

    def is_fluxloop_decorator(self, qualified_name: str | None) -> bool:
        """`tool`, `agent`, `prompt` or `trace` of a configured FluxLoop module."""
        return (
            qualified_name is not None
            and self.fluxloop_module_of(qualified_name) is not None
            and qualified_name.rsplit(".", 1)[-1] in DECORATORS
        )

    def is_sdk(self, qualified_name: str | None) -> bool:
        """True when the name resolves to the public SDK module (`fluxloop`), not the runtime."""
        return qualified_name is not None and (
            qualified_name == SDK_MODULE or qualified_name.startswith(SDK_MODULE + ".")
        ) and self.fluxloop_module_of(qualified_name) is not None

    # -- decorators -----------------------------------------------------------------------

    def decorators_of(self, node: cst.FunctionDef | cst.ClassDef) -> tuple[DecoratorInfo, ...]:
        """The node's decorators, top first, resolved in the scope that evaluates them.

        Cached: the decorator rules share one analysis per definition. The first call must
        happen while the walk is at the definition (the engine makes it before entering).
        Only decorators below a FluxLoop decorator are looked up in the project's modules."""
        cached = self._decorators.get(id(node))
        if cached is None:
            assert self.walking, "decorators are first analysed during the walk, at their definition"
            cached = self._analyse(node.decorators)
            self._decorators[id(node)] = cached
        return cached

    def _analyse(self, decorators: Iterable[cst.Decorator]) -> tuple[DecoratorInfo, ...]:
        infos = []
        below_fluxloop = False
        for decorator in decorators:
            resolved, called = self.resolver.resolve_callee(decorator.decorator)
            callee = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
            parts = dotted_parts(callee)
            label = ".".join(parts) if parts else self.module.code_for_node(callee)
            qualified_name = resolved.qualified_name if resolved else None
            fluxloop = self.is_fluxloop_decorator(qualified_name)
            found = UNCLASSIFIED if fluxloop else self.classification(resolved, through_project=below_fluxloop)
            sdk = fluxloop and self.is_sdk(qualified_name)
            infos.append(
                DecoratorInfo(
                    decorator, label, resolved, called, fluxloop, sdk, found.framework, found.via, found.by_method_name
                )
            )
            below_fluxloop = below_fluxloop or fluxloop
        return tuple(infos)

    def classify(self, resolved: ResolvedName | None) -> FrameworkDecorator | None:
        """The registry entry for a resolved decorator, from this file's names alone."""
        return self.classification(resolved, through_project=False).framework

    def classification(self, resolved: ResolvedName | None, *, through_project: bool) -> Classification:
        """What the registry says of a resolved decorator.

        By qualified name first; with `through_project`, a name of the project's own modules
        is followed there (`from common.tools import strict_tool`, `from .server import mcp`).
        For `receiver.method` whose receiver's origin stays unknown (a parameter, a factory's
        result), by the method's name: the fallback for `@obj.name` decorators."""
        if resolved is None:
            return UNCLASSIFIED
        receiver = resolved.receiver or UNKNOWN
        if resolved.qualified_name is not None:
            entry = self.registry.lookup(resolved.qualified_name)
            if entry is not None:
                return Classification(entry)
            if through_project and self.project is not None:
                found = self.project.resolve(resolved.qualified_name)
                if found is not None and found.qualified_name is not None and not found.instance:
                    entry = self.registry.lookup(found.qualified_name)
                    if entry is not None:
                        return Classification(entry, found.origin)
                    receiver = Binding(found.qualified_name.rpartition(".")[0] or None)
        if resolved.attribute is None:
            return UNCLASSIFIED
        if receiver.qualified_name is not None and self.registry.knows_package(receiver.qualified_name):
            return UNCLASSIFIED
        entry = self.registry.by_method_name(resolved.attribute)
        return Classification(entry, by_method_name=entry is not None)

    def _of_the_project(self, qualified_name: str) -> bool:
        """Whether a name may belong to the project's own modules (it names no framework,
        builtin or FluxLoop module), so that `ProjectView.resolve` can tell what it is."""
        return (
            self.project is not None
            and not self.registry.knows_package(qualified_name)
            and not qualified_name.startswith("builtins.")
            and self.fluxloop_module_of(qualified_name) is None
        )

    def _decorator_forms(self, qualified_name: str) -> str | None:
        entry = self.registry.lookup(qualified_name)
        return entry.forms if entry is not None else None

    def _star_names(self, module: str) -> Iterable[str]:
        """The names `from module import *` binds: a framework module's registered public names,
        FluxLoop's decorators, or (read only when there is a project) a project module's."""
        if self.fluxloop_module_of(module) is not None:
            return DECORATORS
        names = self.registry.public_names(module)
        if names or self.project is None or self.registry.knows_package(module):
            return names
        return self.project.public_names(module)

    def binding_for_definition(self, node: cst.FunctionDef) -> Binding:
        """What a `def`'s name is bound to: an instance when its outermost decorator makes
        it one (`@property`, `@click.group()`), else unknown."""
        if not node.decorators:
            return UNKNOWN
        # The outermost decorator alone: analysing the others (as the rules do) may read the
        # project's modules, which a module summary never needs.
        analysed = self._decorators.get(id(node))
        outermost = analysed[0] if analysed is not None else self._analyse(node.decorators[:1])[0]
        if outermost.framework is not None:
            result_class = DECORATED_RESULT_CLASS.get(outermost.framework.qualified_name)
            if result_class is not None:
                return Binding(result_class, instance=True)
        return UNKNOWN

    def returned_decorator(self, node: cst.FunctionDef, returns: Iterable[cst.Return]) -> Binding:
        """What an undecorated function stands for, by what its every `return` gives (called
        while the walk is still in the function's scope, so its local names count).

        - A house decorator is the framework decorator it applies or returns:
          `def house_tool(fn): return function_tool(fn)` (also through a local name) is
          `@function_tool`; `def house_tool(**options): def decorate(fn): ...; return decorate`
          is `@function_tool(...)`.
        - A factory of a framework object stands for its class: `def create_app(): return
          FastAPI()` makes `app = create_app()` a FastAPI application.

        Anything less certain is unknown."""
        found: Binding | None = None
        for statement in returns:
            value = self.resolver.value_binding(statement.value) if statement.value is not None else UNKNOWN
            if value.qualified_name is None:
                return UNKNOWN
            if value.instance and value.qualified_name in self.registry.classes:
                meaning = Binding(value.qualified_name)
            elif (self.registry.lookup(value.qualified_name) is not None or self._of_the_project(value.qualified_name)) and (
                not value.instance or _takes_an_argument(node)
            ):
                # A name of the project's modules is what it is there: followed only when a
                # rule asks (`house(fn)` returning `common.tools.relay(fn)` is `relay`).
                meaning = Binding(value.qualified_name)
            else:
                return UNKNOWN
            if found is not None and found != meaning:
                return UNKNOWN
            found = meaning
        return found or UNKNOWN


def _takes_an_argument(node: cst.FunctionDef) -> bool:
    params = node.params
    return bool(params.posonly_params or params.params or isinstance(params.star_arg, cst.Param))
