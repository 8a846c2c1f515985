"""An @agent called with no active context opens a trace of its own (the seed's "wrap the
parent function with fluxloop.instrument() or @fluxloop.agent()"); other decorators still
record nothing there."""

from __future__ import annotations

import asyncio
import logging

import fluxloop_runtime as fluxloop


@fluxloop.tool(name="lookup")
def lookup(order_id: str) -> dict:
    return {"order_id": order_id, "status": "shipped"}


@fluxloop.prompt(name="reply", model="gpt-test")
def reply(status: str) -> str:
    return f"Your order is {status}"


@fluxloop.agent(name="support")
def support(order_id: str) -> str:
    return reply(lookup(order_id)["status"])


def test_an_agent_alone_records_a_trace_named_after_it_with_what_runs_inside(store):
    assert support("A1") == "Your order is shipped"
    [trace] = store.traces()
    lines = store.by_name()
    assert trace["name"] == "support"
    assert {line["trace_id"] for line in lines.values()} == {trace["id"]}
    assert "parent_observation_id" not in lines["support"]
    assert lines["lookup"]["parent_observation_id"] == lines["reply"]["parent_observation_id"] == lines["support"]["id"]
    assert lines["support"]["input"] == {"order_id": "A1"} and lines["support"]["output"] == "Your order is shipped"
    assert [line["name"] for line in store.observations()] == ["lookup", "reply", "support"]


def test_each_call_and_each_concurrent_call_is_its_own_trace(store):
    @fluxloop.agent
    async def planner(n: int) -> int:
        await asyncio.sleep(0)
        lookup(str(n))
        return n

    async def main():
        return await asyncio.gather(*(planner(n) for n in range(3)))

    assert asyncio.run(main()) == [0, 1, 2]
    support("A2")
    traces = store.traces()
    assert sorted(trace["name"] for trace in traces) == ["planner", "planner", "planner", "support"]
    observations = store.observations()
    for trace in traces:
        names = sorted(line["name"] for line in observations if line["trace_id"] == trace["id"])
        assert names == (["lookup", "planner"] if trace["name"] == "planner" else ["lookup", "reply", "support"])


def test_a_streaming_agent_alone_records_its_items_and_ends_the_trace_with_the_stream(store):
    @fluxloop.agent(name="streamer")
    async def streamer(order_id: str):
        yield lookup(order_id)["status"]
        yield "done"

    async def consume():
        return [item async for item in streamer("A3")]

    assert asyncio.run(consume()) == ["shipped", "done"]
    [trace] = store.traces()
    lines = store.by_name()
    assert trace["name"] == "streamer" and lines["streamer"]["output"] == ["shipped", "done"]
    assert lines["lookup"]["parent_observation_id"] == lines["streamer"]["id"]


def test_inside_instrument_an_agent_is_an_observation_of_that_trace(store):
    with fluxloop.instrument("run"):
        support("A4")
    [trace] = store.traces()
    assert trace["name"] == "run"
    assert {line["trace_id"] for line in store.observations()} == {trace["id"]}


def test_other_decorators_alone_record_nothing(store):
    assert lookup("A5") == {"order_id": "A5", "status": "shipped"}
    assert reply("x") == "Your order is x"
    assert store.observations() == [] and store.traces() == []


def test_debug_explains_both_cases(store, caplog):
    fluxloop.configure(debug=True)
    with caplog.at_level(logging.DEBUG, logger="fluxloop_runtime"):
        lookup("A6")
        support("A6")
    assert "tool 'lookup' not captured: no active FluxLoop context (run it inside instrument() or an @agent)" in caplog.text
    assert "agent 'support' called with no active FluxLoop context: it opens a trace of its own" in caplog.text


def test_an_unsampled_agent_records_nothing(store):
    fluxloop.configure(sample_rate=0.0)
    assert support("A7") == "Your order is shipped"
    assert store.observations() == [] and store.traces() == []
