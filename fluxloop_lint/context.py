"""What the rules share while one file is linted: names, the registry, decorator analysis,
and the reports they make."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import CodeRange

from fluxloop_lint.frameworks import DECORATED_RESULT_CLASS, FrameworkDecorator, Registry
from fluxloop_lint.names import UNKNOWN, Binding, NameResolver, ResolvedName, dotted_parts
from fluxloop_lint.types import Fix, LintSettings

FLUXLOOP_DECORATOR_NAMES = frozenset({"agent", "prompt", "tool", "trace"})
SDK_MODULE = "fluxloop"


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


@dataclass(frozen=True, slots=True)
class Report:
    """A finding before positions are known. `build_fix` runs only for reported findings."""

    code: str
    message: str
    node: cst.CSTNode
    noqa_node: cst.CSTNode
    build_fix: Callable[[], Fix | None] | None = None
    top_level_statement: cst.BaseStatement | None = None  # the module-level statement holding `node`


class FileContext:
    def __init__(
        self,
        module: cst.Module,
        text: str,
        settings: LintSettings,
        registry: Registry,
        enabled_codes: frozenset[str],
    ) -> None:
        self.module = module
        self.text = text
        self.settings = settings
        self.registry = registry
        self.enabled_codes = enabled_codes
        self.resolver = NameResolver()
        self.reports: list[Report] = []
        self.current_statement: cst.CSTNode | None = None
        self.top_level_statement: cst.BaseStatement | None = None
        self.positions: Mapping[cst.CSTNode, CodeRange] = {}
        self._decorators: dict[int, tuple[DecoratorInfo, ...]] = {}
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
    ) -> None:
        noqa_node = noqa_node or self.current_statement or node
        self.reports.append(Report(code, message, node, noqa_node, build_fix, self.top_level_statement))

    def position(self, node: cst.CSTNode) -> CodeRange:
        """Where a node is (0-based columns, as LibCST gives them); only after positions are
        resolved, i.e. inside `build_fix`."""
        return self.positions[node]

    # -- FluxLoop names -------------------------------------------------------------------

    def fluxloop_module_of(self, qualified_name: str | None) -> str | None:
        """The configured FluxLoop module a qualified name belongs to, if any."""
        if qualified_name is None:
            return None
        for prefix in self._fluxloop_prefixes:
            if qualified_name.startswith(prefix) or qualified_name == prefix[:-1]:
                return prefix[:-1]
        return None

    def is_sdk(self, qualified_name: str | None) -> bool:
        """True when the name resolves to the public SDK module (`fluxloop`), not the runtime."""
        return qualified_name is not None and (
            qualified_name == SDK_MODULE or qualified_name.startswith(SDK_MODULE + ".")
        ) and self.fluxloop_module_of(qualified_name) is not None

    # -- decorators -----------------------------------------------------------------------

    def decorators_of(self, node: cst.FunctionDef | cst.ClassDef) -> tuple[DecoratorInfo, ...]:
        """The node's decorators, top first, resolved in the scope that evaluates them.

        Cached: the decorator rules share one analysis per definition. The first call must
        happen while the walk is at the definition (the engine makes it before entering)."""
        cached = self._decorators.get(id(node))
        if cached is None:
            cached = tuple(self._analyse(decorator) for decorator in node.decorators)
            self._decorators[id(node)] = cached
        return cached

    def _analyse(self, decorator: cst.Decorator) -> DecoratorInfo:
        resolved, called = self.resolver.resolve_callee(decorator.decorator)
        callee = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
        parts = dotted_parts(callee)
        label = ".".join(parts) if parts else self.module.code_for_node(callee)
        qualified_name = resolved.qualified_name if resolved else None
        fluxloop = (
            self.fluxloop_module_of(qualified_name) is not None
            and qualified_name is not None
            and qualified_name.rsplit(".", 1)[-1] in FLUXLOOP_DECORATOR_NAMES
        )
        framework = None if fluxloop else self.classify(resolved)
        return DecoratorInfo(
            decorator, label, resolved, called, fluxloop, fluxloop and self.is_sdk(qualified_name), framework
        )

    def classify(self, resolved: ResolvedName | None) -> FrameworkDecorator | None:
        """The registry entry for a resolved decorator.

        By qualified name first. For `receiver.method` whose receiver's origin is unknown
        (a parameter, an object imported from the project, a factory's result), by the
        method's name, as frameworks.md asks for `@obj.name` rows."""
        if resolved is None:
            return None
        if resolved.qualified_name is not None:
            entry = self.registry.lookup(resolved.qualified_name)
            if entry is not None:
                return entry
        if resolved.attribute is None:
            return None
        receiver = resolved.receiver or UNKNOWN
        if receiver.qualified_name is not None and self.registry.knows_package(receiver.qualified_name):
            return None
        return self.registry.by_method_name(resolved.attribute)

    def binding_for_definition(self, node: cst.FunctionDef) -> Binding:
        """What a `def`'s name is bound to: an instance when its outermost decorator makes
        it one (`@property`, `@click.group()`), else unknown."""
        if not node.decorators:
            return UNKNOWN
        outermost = self.decorators_of(node)[0]
        if outermost.framework is not None:
            result_class = DECORATED_RESULT_CLASS.get(outermost.framework.qualified_name)
            if result_class is not None:
                return Binding(result_class, instance=True)
        return UNKNOWN
