"""Parameters a framework fills in itself, which are not part of what a tool was asked.

A decorator leaves them out of the input it records, and so does the linter's Pattern A
rewrite (`fluxloop_lint.fixes.manual` reads this list), so both record the same input: the
OpenAI Agents SDK's `RunContextWrapper` and `ToolContext`, Pydantic AI's `RunContext`,
MCP's `Context`, LangChain's `config: RunnableConfig`, `run_manager` and `callbacks`.
Recording them would write the whole application context (30 KB for one tool call).
"""

from __future__ import annotations

# By the last part of the parameter's annotation (`RunContextWrapper[AppContext]`,
# `"agents.RunContextWrapper"`).
FRAMEWORK_CONTEXT_TYPES = frozenset(
    {
        "RunContextWrapper",
        "ToolContext",
        "RunContext",
        "AgentContext",
        "InjectedToolArg",
        "InjectedState",
        "Context",
        "RunnableConfig",
        "CallbackManagerForToolRun",
        "AsyncCallbackManagerForToolRun",
    }
)
# By name, whatever the annotation: LangChain passes these by name (its FILTERED_ARGS).
FRAMEWORK_CONTEXT_PARAMETERS = frozenset({"run_manager", "callbacks"})


def annotation_head(text: str) -> str:
    """The class name an annotation written as text starts with: `"a.B[C]"` -> `"B"` (also
    when quoted once more, as `"'B'"` is under `from __future__ import annotations`)."""
    return text.strip().strip("'\"").split("[", 1)[0].strip().rsplit(".", 1)[-1]


def is_framework_context(parameter: str, annotation: str | None) -> bool:
    """Whether the framework fills in `parameter`, annotated with the class named
    `annotation` (the annotation's head, without module or subscript; None if none)."""
    return parameter in FRAMEWORK_CONTEXT_PARAMETERS or annotation in FRAMEWORK_CONTEXT_TYPES


__all__ = ["FRAMEWORK_CONTEXT_PARAMETERS", "FRAMEWORK_CONTEXT_TYPES", "annotation_head", "is_framework_context"]
