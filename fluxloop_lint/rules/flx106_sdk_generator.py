"""FLX106 (SDK only): a FluxLoop decorator on a generator or async generator function."""

from __future__ import annotations

import libcst as cst

from fluxloop_lint.rules.base import Invalid, Rule, Valid
from fluxloop_lint.syntax_tree import descendants


def is_generator(node: cst.FunctionDef) -> bool:
    """True when the function's own body (not a nested function's) contains `yield`."""
    return any(isinstance(child, cst.Yield) for child in descendants(node.body))


class SdkGeneratorRule(Rule):
    CODE = "FLX106"
    NAME = "fluxloop-sdk-decorator-on-generator"
    MESSAGE = "@{label} decorates the {kind} `{name}`: the fluxloop SDK ends the observation at once and records the generator object, not what it yields"
    FIX_TITLE = "Decorate a helper that returns the stream, or use `instrument()` around the consumer"
    WHAT = (
        "Reports a decorator of the public `fluxloop` SDK on a generator or async generator "
        "function (one whose own body contains `yield`)."
    )
    RATIONALE = (
        "The public FluxLoop SDK's decorators call the function and record its return value. "
        "For a generator that value is the generator object: the observation ends before the "
        "first item is produced, its output is `<generator object ...>`, and "
        "`inspect.isasyncgenfunction` is False on the wrapper, which frameworks check. "
        "Decorate a helper that returns the stream (Approach 1 of the integration guide) or "
        "open `fluxloop.instrument(...)` in the code that consumes it. `fluxloop_runtime` "
        "keeps the observation open until the stream ends, so it is not reported."
    )
    FIX_SAFETY = (
        "There is no fix: where the observation should start and end (around the helper, or "
        "around the code consuming the stream) is a choice the code's author makes."
    )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not node.decorators:
            return
        sdk = [info for info in self.context.decorators_of(node) if info.sdk]
        if sdk and is_generator(node):
            kind = "async generator" if node.asynchronous is not None else "generator"
            for info in sdk:
                self.report(info.node, self.MESSAGE.format(label=info.label, kind=kind, name=node.name.value))

    VALID = (
        Valid(
            """
            import fluxloop

            @fluxloop.prompt(model="gpt-4")
            async def run_prompt(agent, prompt):
                async def stream():
                    yield prompt
                return stream()
            """
        ),
        Valid(
            """
            from fluxloop_runtime import prompt

            @prompt(model="gpt-4")
            async def stream(agent, prompt):
                async for chunk in agent.generate(prompt):
                    yield chunk
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            import fluxloop

            @fluxloop.prompt(model="gpt-4")
            async def stream(agent, prompt):
                async for chunk in agent.generate(prompt):
                    yield chunk
            """,
            3,
            1,
            expected_message=(
                "@fluxloop.prompt decorates the async generator `stream`: the fluxloop SDK ends the "
                "observation at once and records the generator object, not what it yields"
            ),
        ),
    )
