"""The framework decorator registry: which decorators a FluxLoop decorator must sit below.

Kept as data (the kinds are `FrameworkKind`'s): module-level decorators under every public
import path; decorators that are methods of framework objects (`mcp = FastMCP(...)` then
`@mcp.tool()`), listed per class with each method's kind and forms; framework objects reached
through an attribute (`app.webhooks`) or created by a module (Celery's signals); and, in
`NOT_DECORATORS`, the public methods and functions that are not decorators, so that
`tests/lint/test_frameworks_registry.py` can tell a new decorator from a known non-decorator.
`settings.framework_decorators` extends or overrides the table (`registry_for`).
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
class Methods:
    """Decorator methods of a framework class that share a kind and forms.

    `releases` names the releases that have these methods when the release the tests check
    no longer does (`FastAPI.route` before Starlette 1.0), so the completeness test does not
    ask for them on the checked class."""

    kind: FrameworkKind
    forms: str
    names: tuple[str, ...]
    note: str = ""
    releases: str = ""


@dataclass(frozen=True)
class FrameworkClass:
    """A framework class whose instances carry decorator methods (`@app.get(...)`).

    `attributes` are framework objects its instances hold, by the class they are an instance
    of: FastAPI's `app.webhooks` is an APIRouter, so `@app.webhooks.post(...)` is APIRouter's
    `post`."""

    paths: tuple[str, ...]
    framework: str
    methods: tuple[Methods, ...]
    attributes: tuple[tuple[str, str], ...] = ()


def _methods(kind: FrameworkKind, forms: str, names: str, note: str = "", releases: str = "") -> Methods:
    return Methods(kind, forms, tuple(names.split()), note, releases)


def _group(framework: str, kind: FrameworkKind, forms: str, *names: str, note: str = "") -> tuple[FrameworkDecorator, ...]:
    return tuple(FrameworkDecorator(name, kind, forms, framework, note) for name in names)


def _under(prefixes: tuple[str, ...], names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{prefix}.{name}" for prefix in prefixes for name in names)


_CREWAI_PROJECT = (
    "agent", "task", "crew", "tool", "llm", "callback", "cache_handler", "before_kickoff", "after_kickoff",
    "output_json", "output_pydantic",  # on classes, not functions: listed so that they are known
)
_CREWAI_FLOW = ("start", "listen", "router")
_CREWAI_HOOKS = ("before_llm_call", "after_llm_call", "before_tool_call", "after_tool_call")
_CLICK_PARAMETERS = (
    "option", "argument", "confirmation_option", "password_option", "version_option", "help_option",
    "custom_version_option",
)
_AUTOGEN_CORE = ("message_handler", "event", "rpc")
_TEMPORAL_WORKFLOW = ("run", "signal", "query", "update")
_DAGSTER = (
    "asset", "op", "job", "graph", "multi_asset", "sensor", "schedule", "asset_check", "multi_asset_check",
    "graph_asset", "graph_multi_asset", "config_mapping", "failure_hook", "success_hook", "repository",
    "asset_sensor", "multi_asset_sensor", "observable_source_asset", "multi_observable_source_asset",
    "run_status_sensor", "run_failure_sensor", "resource", "logger", "io_manager", "input_manager",
    "dagster_type_loader",
)
_MODAL_PARTIAL_FUNCTIONS = (
    "method", "enter", "exit", "fastapi_endpoint", "web_endpoint", "asgi_app", "wsgi_app", "web_server",
    "batched", "concurrent", "clustered", "sessioned",
)

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
    *_group("CrewAI flows", T, "called", *_under(("crewai.flow", "crewai.flow.flow", "crewai.flow.dsl"), _CREWAI_FLOW)),
    *_group(
        "CrewAI flows", M, "called",
        "crewai.flow.human_feedback", "crewai.flow.dsl.human_feedback",
        "crewai.flow.persist", "crewai.flow.persistence.persist", "crewai.flow.persistence.decorators.persist",
    ),
    *_group(
        "CrewAI hooks", R, "both", *_under(("crewai.hooks", "crewai.hooks.decorators"), _CREWAI_HOOKS),
        note="registers the function as a global LLM/tool hook and returns it",
    ),
    # Single-decorator agent frameworks.
    *_group("smolagents", T, "bare", "smolagents.tool", "smolagents.tools.tool"),
    *_group(
        "Strands", T, "both", "strands.tool", "strands.tools.tool", "strands.tools.decorator.tool",
        note="a wrapped tool is dropped with only a log line",
    ),
    *_group("Agno", T, "both", "agno.tools.tool", "agno.tools.decorator.tool"),
    *_group("Haystack", T, "both", "haystack.tools.tool", "haystack.tools.from_function.tool"),
    *_group("AG2", T, "called", "autogen.tools.tool", "autogen.tools.function_utils.tool"),  # ag2 0.x
    *_group(
        "AG2", T, "both", "ag2.tool", "ag2.tools.tool", "ag2.tools.final.tool", "ag2.tools.final.function_tool.tool",
        # the same function, imported by ag2's own modules
        "ag2.agent.tool", "ag2.plugin.tool", "ag2.tools.code.tool.tool", "ag2.tools.dynamic.factory.tool",
        "ag2.tools.final.toolkit.tool", "ag2.tools.shell.tool.tool", "ag2.tools.skills.runtime.memory.skill.tool",
        "ag2.tools.skills.skill_search.toolkit.tool", "ag2.tools.skills.toolkit.tool", "ag2.tools.subagents.background.tool",
        "ag2.tools.subagents.subagent_tool.tool", "ag2.tools.toolkits.filesystem.tool",
        note="returns a FunctionTool",
    ),
    *_group(
        "AG2", T, "called", "ag2.observer", "ag2.observers.observer", "ag2.observers.observer.observer",
        "ag2.live.observer.observer", "ag2.plugin.observer_factory",
        note="returns a StreamObserver",
    ),
    *_group("Mirascope", T, "both", "mirascope.llm.tool", "mirascope.llm.prompt"),
    *_group("Mirascope", T, "called", "mirascope.llm.call"),
    *_group(
        "Guardrails", T, "called",
        "guardrails.validator_base.register_validator", "guardrails.register_validator",
        note="checks __code__.co_argcount == 2: even Pattern B breaks it; use Pattern A",
    ),
    *_group(
        "FastMCP", M, "both",
        "fastmcp.tools.tool", "fastmcp.tools.function_tool.tool",
        "fastmcp.prompts.prompt", "fastmcp.prompts.function_prompt.prompt",
        note="attaches `__fastmcp__` metadata that a server or provider registers later",
    ),
    *_group(
        "FastMCP", M, "called", "fastmcp.resources.resource", "fastmcp.resources.function_resource.resource",
        note="attaches `__fastmcp__` metadata that a server or provider registers later",
    ),
    *_group(
        "FastMCP", T, "bare",
        *_under(("fastmcp.tools.Tool", "fastmcp.tools.base.Tool", "fastmcp.tools.tool.Tool",
                 "fastmcp.tools.FunctionTool", "fastmcp.tools.function_tool.FunctionTool",
                 "fastmcp.tools.tool.FunctionTool"), ("from_function",)),
        note="returns a FunctionTool",
    ),
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
    *_group("Temporal", M, "bare", "temporalio.workflow.init"),
    *_group("Temporal", M, "both", "temporalio.workflow.defn"),  # on classes
    # General-purpose frameworks.
    *_group("Celery", T, "both", "celery.shared_task", "celery.app.shared_task"),
    *_group(
        "click", T, "both",
        "click.command", "click.group", "click.decorators.command", "click.decorators.group",
    ),
    *_group(
        "click", M, "called", *_under(("click", "click.decorators"), _CLICK_PARAMETERS),
        note="records the parameter on the function for the command built from it",
    ),
    *_group("click", W, "bare", *_under(("click", "click.decorators"), ("pass_context", "pass_obj"))),
    *_group("click", W, "called", *_under(("click", "click.decorators"), ("make_pass_decorator", "pass_meta_key"))),
    *_group(
        "pytest", T, "both",
        "pytest.fixture", "_pytest.fixtures.fixture", "pytest.yield_fixture", "_pytest.fixtures.yield_fixture",
    ),
    *_group("pytest-asyncio", T, "both", "pytest_asyncio.fixture", "pytest_asyncio.plugin.fixture"),
    *_group("pytest", M, "both", "pytest.mark.*", "_pytest.mark.*"),
    *_group("Ray", T, "both", "ray.remote", note="a wrapper's copied .remote silently skips the tracer"),
    *_group("Modal", T, "called", *_under(("modal", "modal.partial_function"), _MODAL_PARTIAL_FUNCTIONS)),
    *_group(
        "Prefect", T, "both", *_under(("prefect", "prefect.main"), ("flow", "task")), "prefect.flows.flow", "prefect.tasks.task",
    ),
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
        "functools.total_ordering",
        "contextlib.contextmanager", "contextlib.asynccontextmanager",
        "typing.overload", "typing.final", "typing.override", "typing.no_type_check",
        "typing_extensions.overload", "typing_extensions.final", "typing_extensions.override",
        "typing_extensions.deprecated", "warnings.deprecated", "dataclasses.*",
    ),
)

_MCP_SERVERS = (
    "mcp.server.mcpserver.MCPServer", "mcp.server.mcpserver.server.MCPServer", "mcp.server.MCPServer",  # 2.x
    "mcp.server.fastmcp.FastMCP", "mcp.server.fastmcp.server.FastMCP", "mcp.server.FastMCP",  # 1.x
)
_MCP_LOWLEVEL_SERVERS = (
    "mcp.server.lowlevel.Server", "mcp.server.lowlevel.server.Server", "mcp.server.Server",
    "mcp.server.mcpserver.server.Server",
)
_FASTMCP_SERVERS = (
    "fastmcp.FastMCP", "fastmcp.server.FastMCP", "fastmcp.server.server.FastMCP",
    "fastmcp.server.providers.proxy.FastMCPProxy", "fastmcp.server.proxy.FastMCPProxy",
    "fastmcp.server.context.FastMCP", "fastmcp.server.providers.proxy.FastMCP", "fastmcp.utilities.inspect.FastMCP",
)
_FASTMCP_PROVIDERS = (
    "fastmcp.server.providers.LocalProvider", "fastmcp.server.providers.local_provider.LocalProvider",
    "fastmcp.server.providers.local_provider.local_provider.LocalProvider",
    "fastmcp.server.providers.filesystem.LocalProvider", "fastmcp.server.server.LocalProvider",
    "fastmcp.server.providers.FileSystemProvider", "fastmcp.server.providers.filesystem.FileSystemProvider",
)
_FASTMCP_APPS = ("fastmcp.FastMCPApp", "fastmcp.apps.FastMCPApp", "fastmcp.apps.app.FastMCPApp")
_CLICK_GROUPS = (
    "click.Group", "click.core.Group", "click.decorators.Group", "click.shell_completion.Group",
    "flask.cli.AppGroup", "flask.blueprints.AppGroup", "flask.cli.FlaskGroup",
)
_TYPER_GROUPS = ("typer.core.TyperGroup", "typer.main.TyperGroup", "typer.rich_utils.TyperGroup")
_CELERY_SIGNAL = (
    "celery.utils.dispatch.Signal", "celery.utils.dispatch.signal.Signal", "celery.signals.Signal",
    "celery.app.base.Signal", "celery.events.snapshot.Signal",
)
_FASTAPI_APPS = ("fastapi.FastAPI", "fastapi.applications.FastAPI")
_FASTAPI_ROUTERS = ("fastapi.APIRouter", "fastapi.routing.APIRouter")
_FLASK_APPS = ("flask.Flask", "flask.app.Flask", "flask.sansio.app.App", "flask.app.App", "flask.debughelpers.App")
_FLASK_BLUEPRINTS = (
    "flask.Blueprint", "flask.blueprints.Blueprint", "flask.sansio.blueprints.Blueprint",
    "flask.blueprints.SansioBlueprint", "flask.debughelpers.Blueprint",
)
_FLASK_SCAFFOLD = ("flask.sansio.scaffold.Scaffold",)
_CREWAI_EVENT_BUS = ("crewai.events.event_bus.CrewAIEventsBus", "crewai.utilities.events.crewai_event_bus.CrewAIEventsBus")

# Flask's methods common to apps and blueprints (`Scaffold`), with their forms: routes are
# called with a rule, request hooks take the function itself.
_FLASK_SCAFFOLD_METHODS = (
    _methods(R, "called", "route get post put patch delete endpoint errorhandler"),
    _methods(R, "bare", "before_request after_request teardown_request context_processor url_value_preprocessor url_defaults"),
)
# What AG2 1.x's agents and plugins share.
_AG2_PLUGIN_TARGET_METHODS = (
    _methods(T, "both", "tool", note="returns a FunctionTool"),
    _methods(R, "both", "prompt"), _methods(R, "bare", "hitl_hook"), _methods(R, "called", "observer"),
)
_FASTAPI_ROUTES = "get post put patch delete options head trace api_route websocket websocket_route on_event"

CLASSES: tuple[FrameworkClass, ...] = (
    FrameworkClass(
        ("pydantic_ai.Agent", "pydantic_ai.agent.Agent", "pydantic_ai.common_tools.image_generation.Agent",
         "pydantic_ai.common_tools.x_search.Agent"),
        "Pydantic AI",
        (_methods(R, "both", "tool tool_plain system_prompt instructions output_validator toolset on_event"),),
    ),
    FrameworkClass(
        ("pydantic_ai.FunctionToolset", "pydantic_ai.toolsets.FunctionToolset", "pydantic_ai.toolsets.function.FunctionToolset",
         "pydantic_ai.agent.FunctionToolset", "pydantic_ai.capabilities.capability.FunctionToolset",
         "pydantic_ai.capabilities.native_or_local.FunctionToolset", "pydantic_ai.ext.langchain.FunctionToolset"),
        "Pydantic AI", (_methods(R, "both", "tool tool_plain instructions"),),
    ),
    FrameworkClass(
        ("pydantic_ai.capabilities.Capability", "pydantic_ai.Capability", "pydantic_ai.capabilities.capability.Capability"),
        "Pydantic AI", (_methods(R, "both", "tool tool_plain instructions"),),
    ),
    FrameworkClass(
        ("pydantic_ai.capabilities.Hooks", "pydantic_ai.capabilities.hooks.Hooks", "pydantic_ai.agent.Hooks"), "Pydantic AI", (),
        attributes=(("on", "pydantic_ai.capabilities.hooks._HookRegistration"),),
    ),
    FrameworkClass(
        ("pydantic_ai.capabilities.hooks._HookRegistration",), "Pydantic AI",
        (_methods(
            R, "both",
            "before_run after_run run run_error run_event_stream event before_node_run after_node_run node_run "
            "node_run_error before_model_request after_model_request model_request model_request_error "
            "prepare_model_request prepare_tools prepare_output_tools before_tool_validate after_tool_validate "
            "tool_validate tool_validate_error before_tool_execute after_tool_execute tool_execute "
            "tool_execute_error before_output_validate after_output_validate output_validate "
            "output_validate_error before_output_process after_output_process output_process "
            "output_process_error deferred_tool_calls",
            note="`@hooks.on.before_model_request`: `Hooks().on`",
        ),),
    ),
    FrameworkClass(
        ("ag2.Agent", "ag2.agent.Agent",
         *_under(("ag2.a2ui.dispatch", "ag2.a2ui.server", "ag2.eval.runtime.runner", "ag2.eval.runtime.variants",
                  "ag2.eval.scorers.attribution", "ag2.eval.scorers.judge", "ag2.eval.scorers.pairwise_judge",
                  "ag2.live.stt", "ag2.mcp.executor", "ag2.mcp.info", "ag2.mcp.server", "ag2.spec"), ("Agent",))),
        "AG2", _AG2_PLUGIN_TARGET_METHODS,
    ),
    FrameworkClass(
        ("ag2.Plugin", "ag2.plugin.Plugin", "ag2.agent.Plugin", "ag2.live.realtime.Plugin", "ag2.spec.Plugin",
         "ag2.tools.skills.plugin.Plugin"),
        "AG2", _AG2_PLUGIN_TARGET_METHODS,
    ),
    FrameworkClass(
        ("ag2.tools.Toolkit", "ag2.Toolkit", "ag2.tools.final.Toolkit", "ag2.tools.final.toolkit.Toolkit",
         *_under(("ag2.agent", "ag2.spec", "ag2.tools.precedence", "ag2.tools.skills.toolkit",
                  "ag2.tools.toolkits.filesystem", "ag2.tools.toolkits.mcp_server.toolkit", "ag2.tools.types"),
                 ("Toolkit",))),
        "AG2",
        (_methods(T, "both", "tool", note="returns a FunctionTool"),),
    ),
    FrameworkClass(
        ("autogen.ConversableAgent", "autogen.AssistantAgent", "autogen.UserProxyAgent",
         "autogen.agentchat.ConversableAgent", "autogen.agentchat.conversable_agent.ConversableAgent"),
        "AG2", (_methods(T, "called", "register_for_llm register_for_execution"),),
    ),
    FrameworkClass(
        _MCP_SERVERS, "MCP Python SDK",
        (_methods(R, "called", "tool resource prompt completion custom_route"),),
    ),
    FrameworkClass(("mcp.server.apps.Apps",), "MCP Python SDK", (_methods(R, "called", "tool"),)),
    FrameworkClass(
        _MCP_LOWLEVEL_SERVERS, "MCP Python SDK",
        (_methods(
            R, "called",
            "list_tools call_tool list_prompts get_prompt list_resources list_resource_templates read_resource "
            "subscribe_resource unsubscribe_resource set_logging_level progress_notification completion",
            releases="mcp 1.x (2.x takes the handlers as constructor arguments)",
        ),),
    ),
    FrameworkClass(
        _FASTMCP_SERVERS, "FastMCP",
        (
            _methods(R, "both", "tool prompt completion",
                     note="fastmcp 2.x returns a FunctionTool/FunctionPrompt instead (transforming)"),
            _methods(R, "called", "resource custom_route"),
        ),
    ),
    FrameworkClass(_FASTMCP_PROVIDERS, "FastMCP", (_methods(R, "both", "tool prompt"), _methods(R, "called", "resource"))),
    FrameworkClass(_FASTMCP_APPS, "FastMCP", (_methods(R, "both", "tool ui"),)),
    FrameworkClass(("celery.Celery", "celery.app.Celery", "celery.app.base.Celery", "celery.app.base.App",
                    "celery.apps.beat.Celery", "celery.schedules.Celery", "celery.worker.consumer.delayed_delivery.Celery"),
                   "Celery",
                   (_methods(T, "both", "task"),),
                   attributes=tuple((signal, _CELERY_SIGNAL[0]) for signal in
                                    ("on_configure", "on_after_configure", "on_after_finalize", "on_after_fork"))),
    FrameworkClass(_CELERY_SIGNAL, "Celery signals", (_methods(R, "both", "connect", note="`.connect(weak=False)` too"),)),
    FrameworkClass(_CREWAI_EVENT_BUS, "CrewAI events", (_methods(R, "called", "on"),)),
    FrameworkClass(_CLICK_GROUPS, "click", (_methods(T, "both", "command group"), _methods(R, "called", "result_callback"))),
    FrameworkClass(
        _TYPER_GROUPS, "click",
        (_methods(T, "both", "command group",
                  releases="typer releases whose TyperGroup is a click.Group (before it vendored click)"),),
    ),
    FrameworkClass(("typer.Typer", "typer.main.Typer"), "Typer", (_methods(R, "called", "command callback"),)),
    FrameworkClass(
        _FASTAPI_APPS, "FastAPI",
        (_methods(R, "called", f"{_FASTAPI_ROUTES} middleware exception_handler"),
         _methods(R, "called", "route", releases="FastAPI on Starlette before 1.0")),
        attributes=(("router", _FASTAPI_ROUTERS[0]), ("webhooks", _FASTAPI_ROUTERS[0])),
    ),
    FrameworkClass(_FASTAPI_ROUTERS, "FastAPI", (_methods(R, "called", f"{_FASTAPI_ROUTES} route"),)),
    FrameworkClass(_FLASK_SCAFFOLD, "Flask", _FLASK_SCAFFOLD_METHODS),
    FrameworkClass(
        _FLASK_APPS, "Flask",
        (*_FLASK_SCAFFOLD_METHODS,
         _methods(R, "bare", "teardown_appcontext shell_context_processor"),
         _methods(R, "called", "template_filter template_global template_test")),
        attributes=(("cli", "flask.cli.AppGroup"),),
    ),
    FrameworkClass(
        _FLASK_BLUEPRINTS, "Flask",
        (*_FLASK_SCAFFOLD_METHODS,
         _methods(R, "bare", "before_app_request after_app_request teardown_app_request app_context_processor "
                             "app_url_value_preprocessor app_url_defaults"),
         _methods(T, "bare", "record record_once", note="returns None: the name no longer holds the function"),
         _methods(R, "called", "app_errorhandler app_template_filter app_template_global app_template_test")),
        attributes=(("cli", "flask.cli.AppGroup"),),
    ),
    FrameworkClass(("modal.App", "modal.app.App", "modal.Stub"), "Modal",
                   (_methods(T, "called", "function cls local_entrypoint server"),)),
    FrameworkClass(("functools.singledispatchmethod",), "Python", (_methods(R, "both", "register"),)),
    FrameworkClass(("functools.singledispatch",), "Python", (_methods(R, "both", "register"),)),
)

# Framework objects that modules create at import time, by the class they are an instance of:
# `from celery.signals import worker_init` then `@worker_init.connect`.
_CELERY_SIGNALS = (
    "after_setup_logger after_setup_task_logger after_task_publish beat_embedded_init beat_init "
    "before_task_publish celeryd_after_setup celeryd_init eventlet_pool_apply eventlet_pool_postshutdown "
    "eventlet_pool_preshutdown eventlet_pool_started heartbeat_sent import_modules setup_logging task_failure "
    "task_internal_error task_postrun task_prerun task_received task_rejected task_retry task_revoked task_sent "
    "task_success task_unknown user_preload_options worker_before_create_process worker_init "
    "worker_process_init worker_process_shutdown worker_ready worker_shutdown worker_shutting_down"
).split()
INSTANCES: dict[str, str] = {
    **{f"celery.signals.{signal}": _CELERY_SIGNAL[0] for signal in _CELERY_SIGNALS},
    # The same signals, imported where celery sends them.
    "celery.bin.base.user_preload_options": _CELERY_SIGNAL[0],
    "celery.concurrency.asynpool.worker_before_create_process": _CELERY_SIGNAL[0],
    "celery.worker.heartbeat.heartbeat_sent": _CELERY_SIGNAL[0],
    **{f"{module}.crewai_event_bus": _CREWAI_EVENT_BUS[0]
       for module in ("crewai.events", "crewai.events.event_bus", "crewai.utilities.events",
                      "crewai.utilities.events.crewai_event_bus")},
}

# A function decorated with one of these becomes an instance of the class named, so that
# `@cli.command()` under `@click.group() def cli()` and `@x.setter` under `@property def x`
# resolve.
DECORATED_RESULT_CLASS: dict[str, str] = {
    "click.group": "click.Group",
    "click.decorators.group": "click.Group",
    **{f"{group}.group": group for group in _CLICK_GROUPS if group.startswith("click.")},
    "flask.cli.AppGroup.group": "flask.cli.AppGroup",  # FlaskGroup's subgroups are AppGroups too
    "flask.cli.FlaskGroup.group": "flask.cli.AppGroup",
    "builtins.property": "builtins.property",
    "functools.singledispatchmethod": "functools.singledispatchmethod",
    "functools.singledispatch": "functools.singledispatch",
}

def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The methods every Pydantic AI capability has (`AbstractCapability`'s): overridden, not decorators.
_PYDANTIC_AI_CAPABILITY_METHODS = _names(
        "after_model_request after_node_run after_output_process after_output_validate after_run "
        "after_tool_execute after_tool_validate apply before_model_request before_node_run "
        "before_output_process before_output_validate before_run before_tool_execute before_tool_validate "
        "combine for_agent for_run from_spec get_default_conversation_id get_default_run_id "
        "get_description get_instructions get_model get_model_settings get_native_tools get_ordering "
        "get_run_clock get_run_start_time get_serialization_name get_toolset get_workspace "
        "get_wrapper_model get_wrapper_toolset handle_deferred_tool_calls listens_to on_event "
        "on_model_request_error on_node_run_error on_output_process_error on_output_validate_error "
        "on_run_error on_tool_execute_error on_tool_validate_error prefix_tools prepare_model_request "
        "prepare_output_tools prepare_tools resolve_model_id visit_and_replace wrap_model_request "
        "wrap_node_run wrap_output_process wrap_output_validate wrap_run wrap_run_event_stream "
        "wrap_tool_execute wrap_tool_validate"
)

# The public methods of the registered classes (by their first path) and the public functions
# of the modules that define registered decorators, that are not decorators. With the
# registered ones they are everything those classes and modules have in the checked releases
# (`tests/lint/test_frameworks_registry.py`), so a release that adds a decorator is noticed.
NOT_DECORATORS: dict[str, frozenset[str]] = {
    "ag2.Agent": _names(
        "add_middleware add_observer add_policy add_tool as_tool ask insert_middleware resume run task"
    ),
    "ag2.Plugin": _names(
        "add_middleware add_observer add_policy add_tool insert_middleware"
    ),
    "ag2.tools.Toolkit": _names(
        "register schemas"
    ),
    "pydantic_ai.capabilities.Capability": _PYDANTIC_AI_CAPABILITY_METHODS,
    "pydantic_ai.capabilities.Hooks": _PYDANTIC_AI_CAPABILITY_METHODS,
    "mcp.server.apps.Apps": _names(
        "add_html_resource add_resource intercept_tool_call methods resources settings tools"
    ),
    "pydantic_ai.Agent": _names(
        "from_file from_spec instrument_all is_call_tools_node is_end_node is_model_request_node "
        "is_user_prompt_node iter output_json_schema override parallel_tool_call_execution_mode realtime "
        "render_description run run_stream run_stream_events run_stream_sync run_sync "
        "set_mcp_sampling_model system_prompt_parts to_cli to_cli_sync to_web using_sleep "
        "using_thread_executor"
    ),
    "pydantic_ai.FunctionToolset": _names(
        "add_function add_tool apply approval_required call_tool defer_loading filtered for_run "
        "for_run_step get_instructions get_tool_for_tool_def get_tools include_return_schemas prefixed "
        "prepared renamed tool_for_tool_def visit_and_replace with_metadata"
    ),
    "mcp.server.mcpserver.MCPServer": _names(
        "add_prompt add_resource add_tool call_tool get_context get_prompt list_prompts "
        "list_resource_templates list_resources list_tools read_resource remove_prompt remove_tool run "
        "run_sse_async run_stdio_async run_streamable_http_async sse_app streamable_http_app"
    ),
    "mcp.server.lowlevel.Server": _names(
        "add_notification_handler add_request_handler create_initialization_options get_capabilities "
        "get_notification_handler get_request_handler run streamable_http_app"
    ),
    "fastmcp.FastMCP": _names(
        "add_completion_handler add_extension add_middleware add_prompt add_provider add_resource "
        "add_template add_tool add_tool_transformation add_transform as_proxy call_tool disable enable "
        "from_fastapi from_openapi generate_name get_app_tool get_prompt get_prompts get_resource "
        "get_resource_template get_resource_templates get_resources get_tasks get_tool get_tool_by_hash "
        "get_tools http_app import_server lifespan list_prompts list_resource_templates list_resources "
        "list_tools mount read_resource remove_tool remove_tool_transformation render_prompt "
        "required_extensions run run_async run_http_async run_stdio_async wrap_transform"
    ),
    "fastmcp.server.providers.LocalProvider": _names(
        "add_prompt add_resource add_template add_tool add_transform disable enable get_app_tool "
        "get_prompt get_resource get_resource_template get_tasks get_tool get_tool_by_hash lifespan "
        "list_prompts list_resource_templates list_resources list_tools remove_prompt remove_resource "
        "remove_template remove_tool required_extensions wrap_transform"
    ),
    "fastmcp.FastMCPApp": _names(
        "add_tool add_transform disable enable get_app_tool get_prompt get_resource get_resource_template "
        "get_tasks get_tool get_tool_by_hash lifespan list_prompts list_resource_templates list_resources "
        "list_tools required_extensions run wrap_transform"
    ),
    "celery.Celery": _names(
        "add_defaults add_periodic_task autodiscover_tasks broker_connection bugreport close "
        "config_from_cmdline config_from_envvar config_from_object connection connection_for_read "
        "connection_for_write connection_or_acquire create_task_cls default_connection default_producer "
        "either finalize gen_task_name now on_init prepare_config producer_or_acquire register_task "
        "select_queues send_task set_current set_default setup_security signature start "
        "subclass_with_self type_checker uses_utc_timezone worker_main"
    ),
    "celery.utils.dispatch.Signal": _names(
        "disconnect has_listeners send send_robust"
    ),
    "crewai.events.event_bus.CrewAIEventsBus": _names(
        "aemit emit flush off register_entity register_handler replay reset_runtime_state scoped_handlers "
        "set_runtime_state shutdown validate_dependencies"
    ),
    "crewai.tools.base_tool": _names("to_langchain"),
    "click.Group": _names(
        "add_command collect_usage_pieces format_arguments format_commands format_epilog format_help "
        "format_help_text format_options format_usage get_command get_help get_help_option "
        "get_help_option_names get_params get_short_help_str get_usage invoke list_commands main "
        "make_context make_parser parse_args resolve_command shell_complete to_info_dict"
    ),
    "typer.core.TyperGroup": _names(
        "add_command collect_usage_pieces format_commands format_epilog format_help format_help_text "
        "format_options format_usage get_command get_help get_help_option get_help_option_names "
        "get_params get_short_help_str get_usage invoke list_commands main make_context make_parser "
        "parse_args resolve_command shell_complete"
    ),
    "typer.Typer": _names(
        "add_typer"
    ),
    "fastapi.FastAPI": _names(
        "add_api_route add_api_websocket_route add_exception_handler add_middleware add_route "
        "build_middleware_stack frontend host include_router mount openapi setup url_path_for"
    ),
    "fastapi.APIRouter": _names(
        "add_api_route add_api_websocket_route add_event_handler add_route add_websocket_route app "
        "frontend handle host include_router lifespan matches mount not_found url_path_for"
    ),
    "flask.sansio.scaffold.Scaffold": _names(
        "add_url_rule register_error_handler"
    ),
    "flask.Flask": _names(
        "add_template_filter add_template_global add_template_test add_url_rule app_context async_to_sync "
        "auto_find_instance_path create_global_jinja_loader create_jinja_environment create_url_adapter "
        "dispatch_request do_teardown_appcontext do_teardown_request ensure_sync finalize_request "
        "full_dispatch_request get_send_file_max_age handle_exception handle_http_exception "
        "handle_url_build_error handle_user_exception inject_url_defaults iter_blueprints log_exception "
        "make_aborter make_config make_default_options_response make_response make_shell_context "
        "open_instance_resource open_resource preprocess_request process_response raise_routing_exception "
        "redirect register_blueprint register_error_handler request_context run select_jinja_autoescape "
        "send_static_file should_ignore_error test_cli_runner test_client test_request_context "
        "trap_http_exception update_template_context url_for wsgi_app"
    ),
    "flask.Blueprint": _names(
        "add_app_template_filter add_app_template_global add_app_template_test add_url_rule "
        "get_send_file_max_age make_setup_state open_resource register register_blueprint "
        "register_error_handler send_static_file"
    ),
    "_pytest.fixtures": _names(
        "call_fixture_func deduplicate_names get_param_argkeys get_scope_node get_scope_package "
        "getfixturemarker is_visibility_more_specific pytest_addoption pytest_cmdline_main "
        "pytest_fixture_setup pytest_sessionstart register_fixture reorder_items reorder_items_atscope "
        "resolve_fixture_function show_fixtures_per_test showfixtures traverse_fixture_closure "
        "write_docstring"
    ),
    "agents.tool": _names(
        "default_tool_error_function default_tool_timeout_error_message dispose_resolved_computers "
        "ensure_function_tool_supports_responses_only_features ensure_tool_choice_supports_backend "
        "get_function_tool_origin get_function_tool_responses_only_features "
        "has_required_tool_search_surface has_responses_tool_search_surface invoke_function_tool "
        "is_required_tool_search_surface is_responses_tool_search_surface "
        "maybe_invoke_function_tool_failure_error_function prune_orphaned_tool_search_tools "
        "resolve_computer resolve_function_tool_failure_error_function "
        "set_function_tool_failure_error_function tool_namespace "
        "validate_responses_programmatic_tool_calling_configuration "
        "validate_responses_tool_search_configuration with_function_tool_failure_error_handler"
    ),
    "celery.app": _names(
        "bugreport"
    ),
    "functools": _names(
        "update_wrapper"
    ),
    "langchain_core.runnables.base": _names(
        "coerce_to_runnable"
    ),
    "langchain_core.tools.convert": _names(
        "convert_runnable_to_tool"
    ),
    "pytest_asyncio.plugin": _names(
        "is_async_test pytest_addoption pytest_configure pytest_fixture_setup pytest_generate_tests "
        "pytest_pycollect_makeitem_convert_async_functions_to_subclass pytest_pyfunc_call "
        "pytest_report_header"
    ),
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
        names_by_module: dict[str, set[str]] = {}
        for name in (*decorators, *classes, *INSTANCES):
            module, _, public_name = name.removesuffix(".*").rpartition(".")
            if module and module not in classes and not public_name.startswith("_"):
                names_by_module.setdefault(module, set()).add(public_name)
        self._names_by_module = {module: frozenset(names) for module, names in names_by_module.items()}

    def lookup(self, qualified_name: str) -> FrameworkDecorator | None:
        entry = self._exact.get(qualified_name)
        if entry is not None:
            return entry
        for prefix, wildcard in self._wildcards:
            if qualified_name.startswith(prefix):
                return wildcard
        return None

    def by_method_name(self, method: str) -> FrameworkDecorator | None:
        """The entry for `@<unresolvable object>.<method>`: the fallback for a receiver whose
        class is unknown (a parameter, a factory's result)."""
        return self._by_method.get(method)

    def knows_package(self, qualified_name: str) -> bool:
        return qualified_name.split(".", 1)[0] in self.packages

    def public_names(self, module: str) -> frozenset[str]:
        """The registered public names directly in `module` (decorators, classes, framework
        objects such as Celery's signals): what `from module import *` binds that matters here."""
        return self._names_by_module.get(module, frozenset())

    def __contains__(self, qualified_name: str) -> bool:
        return qualified_name in self._exact or any(
            qualified_name == prefix + "*" for prefix, _ in self._wildcards
        )

    def constructor(self, qualified_name: str) -> ObjectConstructor | None:
        """The framework-object constructor called by this name (`OBJECT_CONSTRUCTORS`)."""
        return _CONSTRUCTORS.get(qualified_name)


def _methods_by_class() -> dict[str, dict[str, FrameworkDecorator]]:
    """Each class path's decorator methods, named under that path."""
    methods_by_class: dict[str, dict[str, FrameworkDecorator]] = {}
    for framework_class in CLASSES:
        for path in framework_class.paths:
            methods = methods_by_class.setdefault(path, {})
            for group in framework_class.methods:
                for method in group.names:
                    name = f"{path}.{method}"
                    methods[method] = FrameworkDecorator(name, group.kind, group.forms, framework_class.framework, group.note)
    return methods_by_class


def _builtin_table() -> dict[str, FrameworkDecorator]:
    """Module-level decorators, `<class path>.<method>`, and the methods of framework objects
    reached through an instance's attribute (`fastapi.FastAPI.webhooks.post`) or created by a
    module (`celery.signals.worker_init.connect`): those are the entries of the object's class."""
    methods_by_class = _methods_by_class()
    table = {entry.qualified_name: entry for entry in DECORATORS}
    for methods in methods_by_class.values():
        table.update((entry.qualified_name, entry) for entry in methods.values())
    objects = [(instance, class_path) for instance, class_path in INSTANCES.items()]
    for framework_class in CLASSES:
        for attribute, class_path in framework_class.attributes:
            objects += [(f"{path}.{attribute}", class_path) for path in framework_class.paths]
    for object_path, class_path in objects:
        for method, entry in methods_by_class[class_path].items():
            table[f"{object_path}.{method}"] = entry
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
