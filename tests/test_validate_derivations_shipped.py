"""Grounding by derivation through the SHIPPED proxy.toml (every plugin on), on both state backends,
plain and streamed, with the official SDK.

A correct answer whose numbers exist only as derivations of the data (days of supply from a
prescription's directions, the run-out date from the fill date, a dose per kg for a weight in
pounds) must reach the client untouched: no regeneration, no flag, one upstream attempt billed.
An answer whose weekday contradicts its own date is a sure failure: regenerated, then withheld
before the date, and queued for review.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import openai_client
from tests.shipped import shipped_proxy

RX = [
    {"role": "system", "content": "You are a pharmacy refill assistant. Use only the tool data."},
    {"role": "user", "content": "When will I run out of metformin?"},
    {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
        "name": "rx_history", "arguments": "{\"patient_id\": \"P-55102\"}"}}]},
    {"role": "tool", "tool_call_id": "call_1",
     "content": "{\"drug\": \"metformin 500 mg\", \"qty\": 90, \"sig\": \"1 tab twice daily\", \"filled\": \"2026-11-20\"}"},
]
RIGHT = "Your fill on November 20 was 90 tablets at 1 tablet twice a day, a 45-day supply: you run out around January 4, 2027."
WRONG_DAY = "Your 45-day supply runs out on Friday, January 4, 2027."  # January 4, 2027 is a Monday


@pytest.fixture(params=["memory", "redis"])
async def proxy(request: Any, sim: Any, tmp_path: Path, unique_prefix: str, redis_url: str) -> Any:
    async with shipped_proxy(request.param, sim, tmp_path, unique_prefix, redis_url) as p:
        yield p


def attempts(sim: Any) -> list[dict[str, Any]]:
    return [r["json"] for r in sim.requests if r.get("path", "").endswith("/chat/completions")]


async def ask(proxy: Any, stream: bool) -> tuple[str, dict[str, str]]:
    client = openai_client(proxy.url, key="sk-trusted")
    if stream:
        raw = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=RX, stream=True)
        chunks = [c async for c in raw.parse()]
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
        return text, dict(raw.headers)
    raw = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=RX)
    return raw.parse().choices[0].message.content or "", dict(raw.headers)


@pytest.mark.parametrize("stream", [False, True])
async def test_a_correct_answer_grounded_only_by_derivation_goes_out_untouched(proxy: Any, sim: Any, stream: bool) -> None:
    sim.script("run out of metformin", [{"content": RIGHT}])
    text, headers = await ask(proxy, stream)
    assert text == RIGHT
    assert "x-bulwark-validation" not in headers  # not flagged, not regenerated (a stream's marker would be an SSE comment)
    assert len(attempts(sim)) == 1
    assert await proxy.services.state.journal("review").list() == []


@pytest.mark.parametrize("stream", [False, True])
async def test_a_weekday_that_contradicts_its_date_is_regenerated_then_withheld(proxy: Any, sim: Any, stream: bool) -> None:
    sim.script("run out of metformin", [{"content": WRONG_DAY}])  # wrong on every attempt
    text, _ = await ask(proxy, stream)
    assert "Friday" not in text and "January 4" not in text and text
    if stream:  # released live up to the claim (its weekday included), then the safe ending
        assert text.startswith("Your 45-day supply runs out on ") and "withheld" in text
    assert len(attempts(sim)) == 2  # one regeneration, each attempt billed by the ledger
    recs = await proxy.services.state.journal("review").list()
    assert recs and any("Friday, January 4, 2027" in i for i in recs[-1]["issues"])
