"""The seed document's Pattern A and ChatKit example, and mutants of them, as source text."""

from __future__ import annotations

from fluxloop_lint.rules.pattern_a.examples import CHATKIT_TOOL, PATTERN_A

SEED = PATTERN_A  # the seed's Pattern A, as the rules keep it among their examples

CHATKIT = CHATKIT_TOOL

# Each mutant of the seed: (name, source, the one code it must get).
NO_FINALLY = SEED.replace('''        if obs:
            obs.output = result
        return result
    except Exception as e:
        if obs:
            obs.error = str(e)
        raise
    finally:
        if fl_ctx and obs:
            fl_ctx.pop_observation()
''', '''        if obs:
            obs.output = result
        if fl_ctx and obs:
            fl_ctx.pop_observation()
        return result
    except Exception as e:
        if obs:
            obs.error = str(e)
        raise
''')

EARLY_RETURN = SEED.replace('''        fl_ctx.push_observation(obs)
    try:
''', '''        fl_ctx.push_observation(obs)
    if not param:
        return {"result": None}
    try:
''')

NO_POP = SEED.replace('''    finally:
        if fl_ctx and obs:
            fl_ctx.pop_observation()
''', "")

UNGUARDED_CONTEXT = SEED.replace('''    if fl_ctx and fl_ctx.is_enabled():
        obs = ObservationData(
            type=ObservationType.TOOL,
            name="tool.my_tool",
            input={"args": {"param": param}},
        )
        fl_ctx.push_observation(obs)
''', '''    obs = ObservationData(
        type=ObservationType.TOOL,
        name="tool.my_tool",
        input={"args": {"param": param}},
    )
    fl_ctx.push_observation(obs)
''')

UNGUARDED_POP = SEED.replace('''        if fl_ctx and obs:
            fl_ctx.pop_observation()
''', '''        fl_ctx.pop_observation()
''')

NO_EXCEPT = SEED.replace('''    except Exception as e:
        if obs:
            obs.error = str(e)
        raise
''', "")

HELD_ACROSS_YIELD = '''\
import fluxloop


async def handle_request(request):
    """Handle request with instrumented LLM call."""
    with fluxloop.instrument("prompt.agent"):
        result = await agent.generate(request)
        async for chunk in result:
            yield chunk
'''

MUTANTS = [
    ("no-finally", NO_FINALLY, "FLX201"),
    ("early-return-before-try", EARLY_RETURN, "FLX201"),
    ("no-pop", NO_POP, "FLX202"),
    ("unguarded-context", UNGUARDED_CONTEXT, "FLX203"),
    ("unguarded-pop", UNGUARDED_POP, "FLX204"),
    ("no-except", NO_EXCEPT, "FLX205"),
    ("context-manager-across-yield", HELD_ACROSS_YIELD, "FLX301"),
]
