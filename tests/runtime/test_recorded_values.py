"""What is recorded of a value: secrets masked, size bounded, a failing mask never failing
the call; and observations that end after their trace was written."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

import fluxloop_runtime as fluxloop
from fluxloop_runtime import ObservationData, ObservationType


@fluxloop.tool(name="call_api")
def call_api(url: str, api_key: str, headers: dict, body: list) -> dict:
    return {"status": 200, "session": {"access_token": "tok-1", "refreshToken": "tok-2"}, "usage": {"prompt_tokens": 5}}


def test_values_under_secret_keys_are_redacted_in_input_output_and_metadata(store):
    with fluxloop.instrument("run", metadata={"password": "trace-secret"}) as context:
        call_api("https://x", "sk-123", {"Authorization": "Bearer abc", "Accept": "json"}, [{"client_secret": "s"}, 1])
        manual = ObservationData(type=ObservationType.SPAN, name="manual", metadata={"db_password": "p", "rows": 3})
        context.push_observation(manual)
        context.pop_observation(manual)
        with fluxloop.instrument("nested", metadata={"X-API-Key": "k"}):
            pass
    lines = store.by_name()
    assert lines["call_api"]["input"] == {
        "url": "https://x",
        "api_key": "[REDACTED]",
        "headers": {"Authorization": "[REDACTED]", "Accept": "json"},
        "body": [{"client_secret": "[REDACTED]"}, 1],
    }
    assert lines["call_api"]["output"] == {
        "status": 200,
        "session": {"access_token": "[REDACTED]", "refreshToken": "[REDACTED]"},
        "usage": {"prompt_tokens": 5},  # a count, not a token
    }
    assert lines["manual"]["metadata"] == {"db_password": "[REDACTED]", "rows": 3}
    assert lines["nested"]["metadata"] == {"X-API-Key": "[REDACTED]"}
    assert store.traces()[0]["metadata"] == {"password": "[REDACTED]"}
    assert "sk-123" not in (store.directory / "observations.jsonl").read_text()


def test_the_pattern_is_configurable_and_the_users_mask_applies_after_it(store):
    def hide_emails(value):
        if isinstance(value, dict):
            return {key: "[EMAIL]" if isinstance(item, str) and "@" in item else item for key, item in value.items()}
        return value

    fluxloop.configure(mask_pattern=r"^url$", mask=hide_emails)
    with fluxloop.instrument("run"):
        call_api("https://x", "a@b.example", {}, [])
    [line] = store.observations()
    assert line["input"] == {"url": "[REDACTED]", "api_key": "[EMAIL]", "headers": {}, "body": []}


def test_a_failing_mask_records_redacted_and_never_fails_the_call(store, caplog, monkeypatch):
    from fluxloop_runtime import failures

    monkeypatch.setattr(failures, "_warned", False)

    def broken(value):
        raise RuntimeError("mask bug")

    fluxloop.configure(mask=broken)
    described = fluxloop.tool(name="described", description="calls the API")(call_api.__wrapped__)
    with caplog.at_level(logging.WARNING, logger="fluxloop_runtime"), fluxloop.instrument("run"):
        assert described("u", "k", {}, [])["status"] == 200
    [line] = store.observations()
    assert line["input"] == line["output"] == "[REDACTED]"
    assert line["metadata"] == {"description": "[REDACTED]"}  # metadata stays an object
    assert "mask failed" in caplog.text


def test_an_invalid_pattern_is_refused_by_name():
    with pytest.raises(ValueError, match="mask_pattern.*not a regular expression"):
        fluxloop.configure(mask_pattern="(")


def test_values_are_cut_at_max_value_chars_with_a_marker(store):
    fluxloop.configure(max_value_chars=100)

    @fluxloop.tool
    def echo(text: str) -> str:
        return text

    with fluxloop.instrument("run"):
        echo("y" * 1000)
        echo("short")
    long, short = store.observations()
    encoded = json.dumps({"text": "y" * 1000})
    assert long["input"] == encoded[:100] + f"...[truncated: {len(encoded)} chars]"
    assert long["output"] == json.dumps("y" * 1000)[:100] + "...[truncated: 1002 chars]"
    assert short["input"] == {"text": "short"} and short["output"] == "short"


def test_an_observation_ending_after_its_trace_is_still_written_marked_late_and_logged_once(store, caplog):
    @fluxloop.tool(name="slow")
    async def slow(n: int) -> int:
        await asyncio.sleep(0.05)
        return n

    async def main():
        tasks = []
        with fluxloop.instrument("run") as context:
            tasks = [asyncio.create_task(slow(n)) for n in range(2)]  # they keep the trace's context
        return context, await asyncio.gather(*tasks)

    with caplog.at_level(logging.WARNING, logger="fluxloop_runtime"):
        context, results = asyncio.run(main())
    assert results == [0, 1]
    lines = store.observations()
    assert [line["name"] for line in lines] == ["slow", "slow"]
    assert all(line["metadata"]["late"] is True and line["trace_id"] == context.trace_id for line in lines)
    late = [record for record in caplog.records if "ended after its trace" in record.getMessage()]
    assert len(late) == 1
