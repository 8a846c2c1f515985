"""MCP servers: the MCP Python SDK (1.x and 2.x) and FastMCP (2.x to 4.x) (see
`fluxloop_lint.frameworks` for what each table means)."""

from __future__ import annotations

from fluxloop_lint.frameworks.registry import M, R, T, FrameworkClass, FrameworkDecorator, ObjectConstructor, constructors, group, methods, names, under

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

DECORATORS: tuple[FrameworkDecorator, ...] = (
    *group(
        "FastMCP", M, "both",
        "fastmcp.tools.tool", "fastmcp.tools.function_tool.tool",
        "fastmcp.prompts.prompt", "fastmcp.prompts.function_prompt.prompt",
        note="attaches `__fastmcp__` metadata that a server or provider registers later",
    ),
    *group(
        "FastMCP", M, "called", "fastmcp.resources.resource", "fastmcp.resources.function_resource.resource",
        note="attaches `__fastmcp__` metadata that a server or provider registers later",
    ),
    *group(
        "FastMCP", T, "bare",
        *under(("fastmcp.tools.Tool", "fastmcp.tools.base.Tool", "fastmcp.tools.tool.Tool",
                 "fastmcp.tools.FunctionTool", "fastmcp.tools.function_tool.FunctionTool",
                 "fastmcp.tools.tool.FunctionTool"), ("from_function",)),
        note="returns a FunctionTool",
    ),
)

CLASSES: tuple[FrameworkClass, ...] = (
    FrameworkClass(
        _MCP_SERVERS, "MCP Python SDK",
        (methods(R, "called", "tool resource prompt completion custom_route"),),
    ),
    FrameworkClass(("mcp.server.apps.Apps",), "MCP Python SDK", (methods(R, "called", "tool"),)),
    FrameworkClass(
        _MCP_LOWLEVEL_SERVERS, "MCP Python SDK",
        (methods(
            R, "called",
            "list_tools call_tool list_prompts get_prompt list_resources list_resource_templates read_resource "
            "subscribe_resource unsubscribe_resource set_logging_level progress_notification completion",
            releases="mcp 1.x (2.x takes the handlers as constructor arguments)",
        ),),
    ),
    FrameworkClass(
        _FASTMCP_SERVERS, "FastMCP",
        (
            methods(R, "both", "tool prompt completion",
                     note="fastmcp 2.x returns a FunctionTool/FunctionPrompt instead (transforming)"),
            methods(R, "called", "resource custom_route"),
        ),
    ),
    FrameworkClass(_FASTMCP_PROVIDERS, "FastMCP", (methods(R, "both", "tool prompt"), methods(R, "called", "resource"))),
    FrameworkClass(_FASTMCP_APPS, "FastMCP", (methods(R, "both", "tool ui"),)),
)

NOT_DECORATORS: dict[str, frozenset[str]] = {
    "mcp.server.apps.Apps": names(
        "add_html_resource add_resource intercept_tool_call methods resources settings tools"
    ),
    "mcp.server.mcpserver.MCPServer": names(
        "add_prompt add_resource add_tool call_tool get_context get_prompt list_prompts "
        "list_resource_templates list_resources list_tools read_resource remove_prompt remove_tool run "
        "run_sse_async run_stdio_async run_streamable_http_async sse_app streamable_http_app"
    ),
    "mcp.server.lowlevel.Server": names(
        "add_notification_handler add_request_handler create_initialization_options get_capabilities "
        "get_notification_handler get_request_handler run streamable_http_app"
    ),
    "fastmcp.FastMCP": names(
        "add_completion_handler add_extension add_middleware add_prompt add_provider add_resource "
        "add_template add_tool add_tool_transformation add_transform as_proxy call_tool disable enable "
        "from_fastapi from_openapi generate_name get_app_tool get_prompt get_prompts get_resource "
        "get_resource_template get_resource_templates get_resources get_tasks get_tool get_tool_by_hash "
        "get_tools http_app import_server lifespan list_prompts list_resource_templates list_resources "
        "list_tools mount read_resource remove_tool remove_tool_transformation render_prompt "
        "required_extensions run run_async run_http_async run_stdio_async wrap_transform"
    ),
    "fastmcp.server.providers.LocalProvider": names(
        "add_prompt add_resource add_template add_tool add_transform disable enable get_app_tool "
        "get_prompt get_resource get_resource_template get_tasks get_tool get_tool_by_hash lifespan "
        "list_prompts list_resource_templates list_resources list_tools remove_prompt remove_resource "
        "remove_template remove_tool required_extensions wrap_transform"
    ),
    "fastmcp.FastMCPApp": names(
        "add_tool add_transform disable enable get_app_tool get_prompt get_resource get_resource_template "
        "get_tasks get_tool get_tool_by_hash lifespan list_prompts list_resource_templates list_resources "
        "list_tools required_extensions run wrap_transform"
    ),
}

_MCP_TOOL = (
    "mcp.server.fastmcp.tools.Tool", "mcp.server.fastmcp.tools.base.Tool",
    "mcp.server.mcpserver.tools.Tool", "mcp.server.mcpserver.tools.base.Tool",
)
_FASTMCP_TOOL = ("fastmcp.tools.Tool", "fastmcp.tools.tool.Tool", "fastmcp.tools.FunctionTool", "fastmcp.tools.tool.FunctionTool")

OBJECT_CONSTRUCTORS: tuple[ObjectConstructor, ...] = (
    *constructors("MCP Python SDK", _MCP_TOOL, "from_function", "fn", 0),
    *constructors("FastMCP", _FASTMCP_TOOL, "from_function", "fn", 0),
)
