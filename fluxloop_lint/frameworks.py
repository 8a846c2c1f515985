"""The framework decorator registry: which decorators a FluxLoop decorator must sit below.

Kept as data (see `/shared/reference/frameworks.md` for the kinds): module-level decorators
under every public import path, and decorators that are methods of framework objects
(`mcp = FastMCP(...)` then `@mcp.tool()`), listed per class. `settings.framework_decorators`
extends or overrides the table (`registry_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from fluxloop_lint.types import FrameworkKind

T = FrameworkKind.TRANSFORMING
R = FrameworkKind.REGISTERING
D = FrameworkKind.DESCRIPTOR
M = FrameworkKind.MARKING
W = FrameworkKind.WRAPPING


@dataclass(frozen=True)
class FrameworkDecorator:
    """One decorator the linter knows. `forms`: "bare" (`@x`), "called" (`@x(...)`) or "both"."""

    qualified_name: str
    kind: FrameworkKind
    forms: str
    framework: str
    note: str = ""


@dataclass(frozen=True)
class FrameworkClass:
    """A framework class whose instances carry decorator methods (`@app.get(...)`)."""

    paths: tuple[str, ...]
    methods: tuple[str, ...]
    kind: FrameworkKind
    forms: str
    framework: str
    note: str = ""


def _group(framework: str, kind: FrameworkKind, forms: str, *names: str, note: str = "") -> tuple[FrameworkDecorator, ...]:
    return tuple(FrameworkDecorator(name, kind, forms, framework, note) for name in names)


def _under(prefixes: tuple[str, ...], names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{prefix}.{name}" for prefix in prefixes for name in names)


_CREWAI_PROJECT = ("agent", "task", "crew", "tool", "llm", "callback", "before_kickoff", "after_kickoff")
_CREWAI_FLOW = ("start", "listen", "router")
_AUTOGEN_CORE = ("message_handler", "event", "rpc")
_TEMPORAL_WORKFLOW = ("run", "signal", "query", "update")
_DAGSTER = ("asset", "op", "job", "graph", "multi_asset", "sensor", "schedule")
_HTTP_METHODS = ("get", "post", "put", "patch", "delete", "options", "head", "trace")

DECORATORS: tuple[FrameworkDecorator, ...] = (
    # OpenAI Agents SDK (and ChatKit, which uses it).
    *_group(
        "OpenAI Agents SDK", T, "both",
        "agents.function_tool", "agents.tool.function_tool",
        "agents.decorators.function_tool", "agents.decorators.tool",
        "agents.decorators.input_guardrail", "agents.decorators.output_guardrail",
        "agents.decorators.tool_input_guardrail", "agents.decorators.tool_output_guardrail",
        "agents.input_guardrail", "agents.output_guardrail",
        "agents.guardrail.input_guardrail", "agents.guardrail.output_guardrail",
        "agents.tool_input_guardrail", "agents.tool_output_guardrail",
        "agents.tool_guardrails.tool_input_guardrail", "agents.tool_guardrails.tool_output_guardrail",
        note="returns a FunctionTool/guardrail object; a plain function is rejected with 'Unknown tool type'",
    ),
    # LangChain.
    *_group(
        "LangChain", T, "both",
        "langchain_core.tools.tool", "langchain_core.tools.convert.tool",
        "langchain.tools.tool", "langchain.agents.tool", "langchain.tools.convert.tool",
        "langchain_core.runnables.chain", "langchain_core.runnables.base.chain",
        note="returns a StructuredTool/Runnable; a wrapper makes it a plain function",
    ),
    *_group("LangGraph", T, "both", "langgraph.func.task"),
    *_group("LangGraph", T, "called", "langgraph.func.entrypoint"),
    # CrewAI.
    *_group("CrewAI", T, "both", "crewai.tools.tool", "crewai.tools.base_tool.tool"),
    *_group("CrewAI project", T, "bare", *_under(("crewai.project", "crewai.project.annotations"), _CREWAI_PROJECT)),
    *_group("CrewAI flows", T, "called", *_under(("crewai.flow", "crewai.flow.flow"), _CREWAI_FLOW)),
    # Single-decorator agent frameworks.
    *_group("smolagents", T, "bare", "smolagents.tool", "smolagents.tools.tool"),
    *_group(
        "Strands", T, "both", "strands.tool", "strands.tools.tool", "strands.tools.decorator.tool",
        note="a wrapped tool is dropped with only a log line",
    ),
    *_group("Agno", T, "both", "agno.tools.tool", "agno.tools.decorator.tool"),
    *_group("Haystack", T, "both", "haystack.tools.tool", "haystack.tools.from_function.tool"),
    *_group("AG2", T, "called", "autogen.tools.tool", "autogen.tools.function_utils.tool"),
    *_group("Mirascope", T, "both", "mirascope.llm.tool", "mirascope.llm.prompt"),
    *_group("Mirascope", T, "called", "mirascope.llm.call"),
    *_group(
        "Guardrails", T, "called",
        "guardrails.validator_base.register_validator", "guardrails.register_validator",
        note="checks __code__.co_argcount == 2: even Pattern B breaks it; use Pattern A",
    ),
    *_group("FastMCP", T, "both", "fastmcp.tools.tool", "fastmcp.tool"),
    # Marking frameworks: a tracer above usually works (functools.wraps copies __dict__).
    *_group(
        "Semantic Kernel", M, "both",
        "semantic_kernel.functions.kernel_function",
        "semantic_kernel.functions.kernel_function_decorator.kernel_function",
    ),
    *_group(
        "LlamaIndex workflows", M, "both",
        "llama_index.core.workflow.step", "llama_index.core.workflow.decorators.step",
        "workflows.step", "workflows.decorators.step",
    ),
    *_group("AutoGen core", M, "both", *_under(("autogen_core",), _AUTOGEN_CORE)),
    *_group(
        "Temporal", R, "both", "temporalio.activity.defn",
        note="its marker points at the original function, so a tracer above is never called",
    ),
    *_group("Temporal", M, "both", *_under(("temporalio.workflow",), _TEMPORAL_WORKFLOW)),
    # General-purpose frameworks.
    *_group("Celery", T, "both", "celery.shared_task", "celery.app.shared_task"),
    *_group(
        "click", T, "both",
        "click.command", "click.group", "click.decorators.command", "click.decorators.group",
    ),
    *_group("pytest", T, "both", "pytest.fixture", "_pytest.fixtures.fixture"),
    *_group("pytest", M, "both", "pytest.mark.*", "_pytest.mark.*"),
    *_group("Ray", T, "both", "ray.remote", note="a wrapper's copied .remote silently skips the tracer"),
    *_group("Modal", T, "called", "modal.method", "modal.enter", "modal.partial_function.method", "modal.partial_function.enter"),
    *_group("Prefect", T, "both", "prefect.flow", "prefect.task", "prefect.flows.flow", "prefect.tasks.task"),
    *_group("Dagster", T, "both", *_under(("dagster",), _DAGSTER)),
    *_group(
        "Marvin", W, "both", "marvin.fn",
        note="the body never runs, so a FluxLoop decorator below it never fires: keep FluxLoop above",
    ),
    # Descriptors.
    *_group(
        "Python", D, "bare",
        "builtins.staticmethod", "builtins.classmethod", "builtins.property",
        "builtins.property.setter", "builtins.property.getter", "builtins.property.deleter",
        "functools.cached_property", "functools.singledispatchmethod",
        "abc.abstractmethod", "abc.abstractclassmethod", "abc.abstractstaticmethod", "abc.abstractproperty",
        "types.DynamicClassAttribute", "enum.property",
    ),
    # Not frameworks: known, never reported.
    *_group(
        "Python", W, "both",
        "functools.wraps", "functools.lru_cache", "functools.cache", "functools.singledispatch",
        "contextlib.contextmanager", "contextlib.asynccontextmanager",
        "typing.overload", "typing.final", "typing.override", "typing.no_type_check",
        "typing_extensions.overload", "typing_extensions.final", "typing_extensions.override",
        "typing_extensions.deprecated", "warnings.deprecated", "dataclasses.*",
    ),
)

CLASSES: tuple[FrameworkClass, ...] = (
    FrameworkClass(
        ("pydantic_ai.Agent", "pydantic_ai.agent.Agent"),
        ("tool", "tool_plain", "system_prompt", "instructions", "output_validator"),
        R, "both", "Pydantic AI",
    ),
    FrameworkClass(
        ("pydantic_ai.FunctionToolset", "pydantic_ai.toolsets.FunctionToolset", "pydantic_ai.toolsets.function.FunctionToolset"),
        ("tool",), R, "both", "Pydantic AI",
    ),
    FrameworkClass(
        ("autogen.ConversableAgent", "autogen.AssistantAgent", "autogen.UserProxyAgent",
         "autogen.agentchat.ConversableAgent", "autogen.agentchat.conversable_agent.ConversableAgent"),
        ("register_for_llm", "register_for_execution"), T, "called", "AG2",
    ),
    FrameworkClass(
        ("mcp.server.fastmcp.FastMCP", "mcp.server.fastmcp.server.FastMCP",
         "mcp.server.mcpserver.MCPServer", "mcp.server.mcpserver.server.MCPServer", "mcp.server.MCPServer"),
        ("tool", "resource", "prompt"), R, "called", "MCP Python SDK",
    ),
    FrameworkClass(
        ("fastmcp.FastMCP", "fastmcp.server.FastMCP", "fastmcp.server.server.FastMCP"),
        ("tool", "resource", "prompt"), T, "both", "FastMCP",
    ),
    FrameworkClass(("celery.Celery", "celery.app.Celery", "celery.app.base.Celery"), ("task",), T, "both", "Celery"),
    FrameworkClass(
        ("click.Group", "click.core.Group", "click.decorators.Group", "click.shell_completion.Group",
         "typer.core.TyperGroup", "typer.main.TyperGroup", "typer.rich_utils.TyperGroup"),
        ("command", "group"), T, "both", "click",
    ),
    FrameworkClass(("typer.Typer", "typer.main.Typer"), ("command", "callback"), R, "called", "Typer"),
    FrameworkClass(
        ("fastapi.FastAPI", "fastapi.applications.FastAPI", "fastapi.APIRouter", "fastapi.routing.APIRouter"),
        (*_HTTP_METHODS, "api_route", "websocket", "middleware", "exception_handler", "on_event"),
        R, "called", "FastAPI",
    ),
    FrameworkClass(
        ("flask.Flask", "flask.app.Flask", "flask.Blueprint", "flask.blueprints.Blueprint",
         "flask.sansio.app.App", "flask.sansio.blueprints.Blueprint", "flask.sansio.scaffold.Scaffold",
         "flask.app.App", "flask.blueprints.SansioBlueprint", "flask.debughelpers.App", "flask.debughelpers.Blueprint"),
        ("route", "get", "post", "put", "patch", "delete", "before_request", "after_request",
         "teardown_request", "errorhandler", "context_processor", "url_value_preprocessor", "url_defaults"),
        R, "both", "Flask",
    ),
    FrameworkClass(("modal.App", "modal.app.App", "modal.Stub"), ("function", "cls"), T, "called", "Modal"),
    FrameworkClass(
        ("functools.singledispatchmethod", "functools.singledispatch"), ("register",), R, "both", "Python",
    ),
)

# A function decorated with one of these becomes an instance of the class named, so that
# `@cli.command()` under `@click.group() def cli()` and `@x.setter` under `@property def x`
# resolve.
DECORATED_RESULT_CLASS: dict[str, str] = {
    "click.group": "click.Group",
    "click.decorators.group": "click.Group",
    "click.Group.group": "click.Group",
    "builtins.property": "builtins.property",
    "functools.singledispatchmethod": "functools.singledispatchmethod",
    "functools.singledispatch": "functools.singledispatch",
}

_KIND_STRENGTH = {T: 0, R: 1, D: 2, M: 3, W: 4}


class Registry:
    """Lookups over the table: by qualified name, by wildcard prefix, and by method name."""

    def __init__(self, decorators: dict[str, FrameworkDecorator], classes: frozenset[str]) -> None:
        self._exact = {name: entry for name, entry in decorators.items() if not name.endswith(".*")}
        self._wildcards = tuple((name[:-1], entry) for name, entry in decorators.items() if name.endswith(".*"))
        self.classes = classes
        self.packages = frozenset(name.split(".", 1)[0] for name in decorators) | {
            name.split(".", 1)[0] for name in classes
        }
        by_method: dict[str, FrameworkDecorator] = {}
        for name in sorted(decorators):
            owner, _, method = name.rpartition(".")
            if owner in classes:
                known = by_method.get(method)
                if known is None or _KIND_STRENGTH[decorators[name].kind] < _KIND_STRENGTH[known.kind]:
                    by_method[method] = decorators[name]
        self._by_method = by_method

    def lookup(self, qualified_name: str) -> FrameworkDecorator | None:
        entry = self._exact.get(qualified_name)
        if entry is not None:
            return entry
        for prefix, wildcard in self._wildcards:
            if qualified_name.startswith(prefix):
                return wildcard
        return None

    def by_method_name(self, method: str) -> FrameworkDecorator | None:
        """The entry for `@<unresolvable object>.<method>`: frameworks.md's fallback."""
        return self._by_method.get(method)

    def knows_package(self, qualified_name: str) -> bool:
        return qualified_name.split(".", 1)[0] in self.packages

    def __contains__(self, qualified_name: str) -> bool:
        return qualified_name in self._exact or any(
            qualified_name == prefix + "*" for prefix, _ in self._wildcards
        )

    def constructor(self, qualified_name: str) -> ObjectConstructor | None:
        """The framework-object constructor called by this name (`OBJECT_CONSTRUCTORS`)."""
        return _CONSTRUCTORS.get(qualified_name)


def _builtin_table() -> dict[str, FrameworkDecorator]:
    table = {entry.qualified_name: entry for entry in DECORATORS}
    for framework_class in CLASSES:
        for path in framework_class.paths:
            for method in framework_class.methods:
                name = f"{path}.{method}"
                table[name] = FrameworkDecorator(
                    name, framework_class.kind, framework_class.forms, framework_class.framework, framework_class.note
                )
    return table


@lru_cache(maxsize=16)
def registry_for(extra: tuple[tuple[str, FrameworkKind], ...] = ()) -> Registry:
    """The built-in registry with a project's `framework-decorators` added or overriding."""
    table = _builtin_table()
    for qualified_name, kind in extra:
        table[qualified_name] = FrameworkDecorator(qualified_name, FrameworkKind(kind), "both", "configuration")
    classes = frozenset(path for framework_class in CLASSES for path in framework_class.paths)
    classes |= frozenset(DECORATED_RESULT_CLASS.values())
    return Registry(table, classes)


# -- framework-object constructors --------------------------------------------------------------
#
# Calls that build a framework object around a function, the call form of a transforming
# decorator: `StructuredTool.from_function(summarize)`. A FluxLoop decorator applied by hand to
# their result (FLX108) wraps the object, not the function; it belongs on the argument named here.


@dataclass(frozen=True)
class ObjectConstructor:
    """`qualified_name(...)` returns a framework object calling the function passed as
    `parameter` (at `position` among the positional arguments; None: keyword only), or as one
    of the keyword arguments `also` (LangChain's `coroutine=`)."""

    qualified_name: str
    framework: str
    parameter: str
    position: int | None
    also: tuple[str, ...] = ()


def _constructors(
    framework: str,
    classes: tuple[str, ...],
    method: str | None,
    parameter: str,
    position: int | None,
    also: tuple[str, ...] = (),
) -> tuple[ObjectConstructor, ...]:
    """The constructor under every public path of its class (`method`: a classmethod such as
    `from_function`; None: the class itself)."""
    return tuple(
        ObjectConstructor(f"{path}.{method}" if method else path, framework, parameter, position, also) for path in classes
    )


_LANGCHAIN_STRUCTURED_TOOL = ("langchain_core.tools.StructuredTool", "langchain_core.tools.structured.StructuredTool")
_LANGCHAIN_TOOL = ("langchain_core.tools.Tool", "langchain_core.tools.simple.Tool")
_LANGCHAIN_RUNNABLE_LAMBDA = ("langchain_core.runnables.RunnableLambda", "langchain_core.runnables.base.RunnableLambda")
_AGENTS_FUNCTION_TOOL = ("agents.FunctionTool", "agents.tool.FunctionTool")
_LLAMA_INDEX_FUNCTION_TOOL = ("llama_index.core.tools.FunctionTool", "llama_index.core.tools.function_tool.FunctionTool")
_MCP_TOOL = (
    "mcp.server.fastmcp.tools.Tool", "mcp.server.fastmcp.tools.base.Tool",
    "mcp.server.mcpserver.tools.Tool", "mcp.server.mcpserver.tools.base.Tool",
)
_FASTMCP_TOOL = ("fastmcp.tools.Tool", "fastmcp.tools.tool.Tool", "fastmcp.tools.FunctionTool", "fastmcp.tools.tool.FunctionTool")
_PYDANTIC_AI_TOOL = ("pydantic_ai.Tool", "pydantic_ai.tools.Tool")
_HAYSTACK_TOOL = ("haystack.tools.Tool", "haystack.tools.tool.Tool")

OBJECT_CONSTRUCTORS: tuple[ObjectConstructor, ...] = (
    *_constructors("LangChain", _LANGCHAIN_STRUCTURED_TOOL, "from_function", "func", 0, ("coroutine",)),
    *_constructors("LangChain", _LANGCHAIN_STRUCTURED_TOOL, None, "func", None, ("coroutine",)),  # a pydantic model: keywords
    *_constructors("LangChain", _LANGCHAIN_TOOL, "from_function", "func", 0, ("coroutine",)),
    *_constructors("LangChain", _LANGCHAIN_TOOL, None, "func", 1, ("coroutine",)),  # Tool(name, func, description)
    *_constructors("LangChain", _LANGCHAIN_RUNNABLE_LAMBDA, None, "func", 0, ("afunc",)),
    # FunctionTool(name, description, params_json_schema, on_invoke_tool): the handler the SDK calls.
    *_constructors("OpenAI Agents SDK", _AGENTS_FUNCTION_TOOL, None, "on_invoke_tool", 3),
    *_constructors("LlamaIndex", _LLAMA_INDEX_FUNCTION_TOOL, "from_defaults", "fn", 0, ("async_fn",)),
    *_constructors("MCP Python SDK", _MCP_TOOL, "from_function", "fn", 0),
    *_constructors("FastMCP", _FASTMCP_TOOL, "from_function", "fn", 0),
    *_constructors("Pydantic AI", _PYDANTIC_AI_TOOL, None, "function", 0),
    *_constructors("Haystack", _HAYSTACK_TOOL, None, "function", 3),  # Tool(name, description, parameters, function)
    *_constructors(
        "Haystack", ("haystack.tools.create_tool_from_function", "haystack.tools.from_function.create_tool_from_function"),
        None, "function", 0,
    ),
)

_CONSTRUCTORS = {constructor.qualified_name: constructor for constructor in OBJECT_CONSTRUCTORS}
