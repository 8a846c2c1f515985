"""Agent frameworks: the OpenAI Agents SDK, LangChain and LangGraph, CrewAI, Pydantic AI, AG2,
smolagents, Strands, Agno, Haystack, Mirascope, Guardrails, Semantic Kernel, LlamaIndex and
AutoGen core (see `fluxloop_lint.frameworks` for what each table means)."""

from __future__ import annotations

from fluxloop_lint.frameworks.registry import M, R, T, FrameworkClass, FrameworkDecorator, ObjectConstructor, constructors, group, methods, names, under

_CREWAI_PROJECT = (
    "agent", "task", "crew", "tool", "llm", "callback", "cache_handler", "before_kickoff", "after_kickoff",
    "output_json", "output_pydantic",  # on classes, not functions: listed so that they are known
)
_CREWAI_FLOW = ("start", "listen", "router")
_CREWAI_HOOKS = ("before_llm_call", "after_llm_call", "before_tool_call", "after_tool_call")
_AUTOGEN_CORE = ("message_handler", "event", "rpc")
_CREWAI_EVENT_BUS = ("crewai.events.event_bus.CrewAIEventsBus", "crewai.utilities.events.crewai_event_bus.CrewAIEventsBus")

# What AG2 1.x's agents and plugins share.
_AG2_PLUGIN_TARGET_METHODS = (
    methods(T, "both", "tool", note="returns a FunctionTool"),
    methods(R, "both", "prompt"), methods(R, "bare", "hitl_hook"), methods(R, "called", "observer"),
)

# The methods every Pydantic AI capability has (`AbstractCapability`'s): overridden, not decorators.
_PYDANTIC_AI_CAPABILITY_METHODS = names(
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

DECORATORS: tuple[FrameworkDecorator, ...] = (
    # OpenAI Agents SDK (and ChatKit, which uses it).
    *group(
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
    *group(
        "LangChain", T, "both",
        "langchain_core.tools.tool", "langchain_core.tools.convert.tool",
        "langchain.tools.tool", "langchain.agents.tool", "langchain.tools.convert.tool",
        "langchain_core.runnables.chain", "langchain_core.runnables.base.chain",
        note="returns a StructuredTool/Runnable; a wrapper makes it a plain function",
    ),
    *group("LangGraph", T, "both", "langgraph.func.task"),
    *group("LangGraph", T, "called", "langgraph.func.entrypoint"),
    # CrewAI.
    *group("CrewAI", T, "both", "crewai.tools.tool", "crewai.tools.base_tool.tool"),
    *group("CrewAI project", T, "bare", *under(("crewai.project", "crewai.project.annotations"), _CREWAI_PROJECT)),
    *group("CrewAI flows", T, "called", *under(("crewai.flow", "crewai.flow.flow", "crewai.flow.dsl"), _CREWAI_FLOW)),
    *group(
        "CrewAI flows", M, "called",
        "crewai.flow.human_feedback", "crewai.flow.dsl.human_feedback",
        "crewai.flow.persist", "crewai.flow.persistence.persist", "crewai.flow.persistence.decorators.persist",
    ),
    *group(
        "CrewAI hooks", R, "both", *under(("crewai.hooks", "crewai.hooks.decorators"), _CREWAI_HOOKS),
        note="registers the function as a global LLM/tool hook and returns it",
    ),
    # Single-decorator agent frameworks.
    *group("smolagents", T, "bare", "smolagents.tool", "smolagents.tools.tool"),
    *group(
        "Strands", T, "both", "strands.tool", "strands.tools.tool", "strands.tools.decorator.tool",
        note="a wrapped tool is dropped with only a log line",
    ),
    *group("Agno", T, "both", "agno.tools.tool", "agno.tools.decorator.tool"),
    *group("Haystack", T, "both", "haystack.tools.tool", "haystack.tools.from_function.tool"),
    *group("AG2", T, "called", "autogen.tools.tool", "autogen.tools.function_utils.tool"),  # ag2 0.x
    *group(
        "AG2", T, "both", "ag2.tool", "ag2.tools.tool", "ag2.tools.final.tool", "ag2.tools.final.function_tool.tool",
        # the same function, imported by ag2's own modules
        "ag2.agent.tool", "ag2.plugin.tool", "ag2.tools.code.tool.tool", "ag2.tools.dynamic.factory.tool",
        "ag2.tools.final.toolkit.tool", "ag2.tools.shell.tool.tool", "ag2.tools.skills.runtime.memory.skill.tool",
        "ag2.tools.skills.skill_search.toolkit.tool", "ag2.tools.skills.toolkit.tool", "ag2.tools.subagents.background.tool",
        "ag2.tools.subagents.subagent_tool.tool", "ag2.tools.toolkits.filesystem.tool",
        note="returns a FunctionTool",
    ),
    *group(
        "AG2", T, "called", "ag2.observer", "ag2.observers.observer", "ag2.observers.observer.observer",
        "ag2.live.observer.observer", "ag2.plugin.observer_factory",
        note="returns a StreamObserver",
    ),
    *group("Mirascope", T, "both", "mirascope.llm.tool", "mirascope.llm.prompt"),
    *group("Mirascope", T, "called", "mirascope.llm.call"),
    *group(
        "Guardrails", T, "called",
        "guardrails.validator_base.register_validator", "guardrails.register_validator",
        note="checks __code__.co_argcount == 2: even Pattern B breaks it; use Pattern A",
    ),
    # Marking frameworks: a tracer above usually works (functools.wraps copies __dict__).
    *group(
        "Semantic Kernel", M, "both",
        "semantic_kernel.functions.kernel_function",
        "semantic_kernel.functions.kernel_function_decorator.kernel_function",
    ),
    *group(
        "LlamaIndex workflows", M, "both",
        "llama_index.core.workflow.step", "llama_index.core.workflow.decorators.step",
        "workflows.step", "workflows.decorators.step",
    ),
    *group("AutoGen core", M, "both", *under(("autogen_core",), _AUTOGEN_CORE)),
)

CLASSES: tuple[FrameworkClass, ...] = (
    FrameworkClass(
        ("pydantic_ai.Agent", "pydantic_ai.agent.Agent", "pydantic_ai.common_tools.image_generation.Agent",
         "pydantic_ai.common_tools.x_search.Agent"),
        "Pydantic AI",
        (methods(R, "both", "tool tool_plain system_prompt instructions output_validator toolset on_event"),),
    ),
    FrameworkClass(
        ("pydantic_ai.FunctionToolset", "pydantic_ai.toolsets.FunctionToolset", "pydantic_ai.toolsets.function.FunctionToolset",
         "pydantic_ai.agent.FunctionToolset", "pydantic_ai.capabilities.capability.FunctionToolset",
         "pydantic_ai.capabilities.native_or_local.FunctionToolset", "pydantic_ai.ext.langchain.FunctionToolset"),
        "Pydantic AI", (methods(R, "both", "tool tool_plain instructions"),),
    ),
    FrameworkClass(
        ("pydantic_ai.capabilities.Capability", "pydantic_ai.Capability", "pydantic_ai.capabilities.capability.Capability"),
        "Pydantic AI", (methods(R, "both", "tool tool_plain instructions"),),
    ),
    FrameworkClass(
        ("pydantic_ai.capabilities.Hooks", "pydantic_ai.capabilities.hooks.Hooks", "pydantic_ai.agent.Hooks"), "Pydantic AI", (),
        attributes=(("on", "pydantic_ai.capabilities.hooks._HookRegistration"),),
    ),
    FrameworkClass(
        ("pydantic_ai.capabilities.hooks._HookRegistration",), "Pydantic AI",
        (methods(
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
         *under(("ag2.a2ui.dispatch", "ag2.a2ui.server", "ag2.eval.runtime.runner", "ag2.eval.runtime.variants",
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
         *under(("ag2.agent", "ag2.spec", "ag2.tools.precedence", "ag2.tools.skills.toolkit",
                  "ag2.tools.toolkits.filesystem", "ag2.tools.toolkits.mcp_server.toolkit", "ag2.tools.types"),
                 ("Toolkit",))),
        "AG2",
        (methods(T, "both", "tool", note="returns a FunctionTool"),),
    ),
    FrameworkClass(
        ("autogen.ConversableAgent", "autogen.AssistantAgent", "autogen.UserProxyAgent",
         "autogen.agentchat.ConversableAgent", "autogen.agentchat.conversable_agent.ConversableAgent"),
        "AG2", (methods(T, "called", "register_for_llm register_for_execution"),),
    ),
    FrameworkClass(_CREWAI_EVENT_BUS, "CrewAI events", (methods(R, "called", "on"),)),
)

INSTANCES: dict[str, str] = {
    **{f"{module}.crewai_event_bus": _CREWAI_EVENT_BUS[0]
       for module in ("crewai.events", "crewai.events.event_bus", "crewai.utilities.events",
                      "crewai.utilities.events.crewai_event_bus")},
}

NOT_DECORATORS: dict[str, frozenset[str]] = {
    "ag2.Agent": names(
        "add_middleware add_observer add_policy add_tool as_tool ask insert_middleware resume run task"
    ),
    "ag2.Plugin": names(
        "add_middleware add_observer add_policy add_tool insert_middleware"
    ),
    "ag2.tools.Toolkit": names(
        "register schemas"
    ),
    "pydantic_ai.capabilities.Capability": _PYDANTIC_AI_CAPABILITY_METHODS,
    "pydantic_ai.capabilities.Hooks": _PYDANTIC_AI_CAPABILITY_METHODS,
    "pydantic_ai.Agent": names(
        "from_file from_spec instrument_all is_call_tools_node is_end_node is_model_request_node "
        "is_user_prompt_node iter output_json_schema override parallel_tool_call_execution_mode realtime "
        "render_description run run_stream run_stream_events run_stream_sync run_sync "
        "set_mcp_sampling_model system_prompt_parts to_cli to_cli_sync to_web using_sleep "
        "using_thread_executor"
    ),
    "pydantic_ai.FunctionToolset": names(
        "add_function add_tool apply approval_required call_tool defer_loading filtered for_run "
        "for_run_step get_instructions get_tool_for_tool_def get_tools include_return_schemas prefixed "
        "prepared renamed tool_for_tool_def visit_and_replace with_metadata"
    ),
    "crewai.events.event_bus.CrewAIEventsBus": names(
        "aemit emit flush off register_entity register_handler replay reset_runtime_state scoped_handlers "
        "set_runtime_state shutdown validate_dependencies"
    ),
    "crewai.tools.base_tool": names("to_langchain"),
    "agents.tool": names(
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
    "langchain_core.runnables.base": names(
        "coerce_to_runnable"
    ),
    "langchain_core.tools.convert": names(
        "convert_runnable_to_tool"
    ),
}

_LANGCHAIN_STRUCTURED_TOOL = ("langchain_core.tools.StructuredTool", "langchain_core.tools.structured.StructuredTool")
_LANGCHAIN_TOOL = ("langchain_core.tools.Tool", "langchain_core.tools.simple.Tool")
_LANGCHAIN_RUNNABLE_LAMBDA = ("langchain_core.runnables.RunnableLambda", "langchain_core.runnables.base.RunnableLambda")
_AGENTS_FUNCTION_TOOL = ("agents.FunctionTool", "agents.tool.FunctionTool")
_LLAMA_INDEX_FUNCTION_TOOL = ("llama_index.core.tools.FunctionTool", "llama_index.core.tools.function_tool.FunctionTool")
_PYDANTIC_AI_TOOL = ("pydantic_ai.Tool", "pydantic_ai.tools.Tool")
_HAYSTACK_TOOL = ("haystack.tools.Tool", "haystack.tools.tool.Tool")

OBJECT_CONSTRUCTORS: tuple[ObjectConstructor, ...] = (
    *constructors("LangChain", _LANGCHAIN_STRUCTURED_TOOL, "from_function", "func", 0, ("coroutine",)),
    *constructors("LangChain", _LANGCHAIN_STRUCTURED_TOOL, None, "func", None, ("coroutine",)),  # a pydantic model: keywords
    *constructors("LangChain", _LANGCHAIN_TOOL, "from_function", "func", 0, ("coroutine",)),
    *constructors("LangChain", _LANGCHAIN_TOOL, None, "func", 1, ("coroutine",)),  # Tool(name, func, description)
    *constructors("LangChain", _LANGCHAIN_RUNNABLE_LAMBDA, None, "func", 0, ("afunc",)),
    # FunctionTool(name, description, params_json_schema, on_invoke_tool): the handler the SDK calls.
    *constructors("OpenAI Agents SDK", _AGENTS_FUNCTION_TOOL, None, "on_invoke_tool", 3),
    *constructors("LlamaIndex", _LLAMA_INDEX_FUNCTION_TOOL, "from_defaults", "fn", 0, ("async_fn",)),
    *constructors("Pydantic AI", _PYDANTIC_AI_TOOL, None, "function", 0),
    *constructors("Haystack", _HAYSTACK_TOOL, None, "function", 3),  # Tool(name, description, parameters, function)
    *constructors(
        "Haystack", ("haystack.tools.create_tool_from_function", "haystack.tools.from_function.create_tool_from_function"),
        None, "function", 0,
    ),
)
