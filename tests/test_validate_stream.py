"""Live guarded streams through the shipped proxy.toml: what the client sees, event by event.

The simulator streams word by word with a delay, so "when" is observable as "what the upstream
had been asked by then" (its request log), never as wall-clock time.
"""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.helpers import openai_client, start_proxy, start_simulator
from tests.test_validate_shipped import BANK, shipped_config

PREFIX = "Here is the summary you asked for."
WRONG = f"{PREFIX} Your balance on ACC-55012345 is $127,549 today, and nothing is pending."
RIGHT = f"{PREFIX} Your balance on ACC-55012345 is $47.15 today, and nothing is pending."
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
    "required": ["city"], "additionalProperties": False}}}]


@pytest.fixture
async def slow(tmp_path: Path) -> Any:
    """The shipped config in front of a simulator that sends one word every 15 ms."""
    sim = await start_simulator(stream_delay_ms=15)
    proxy = await start_proxy(shipped_config(sim, tmp_path))
    try:
        yield proxy, sim
    finally:
        await proxy.aclose()
        await sim.aclose()


def chat_requests(sim: Any) -> list[dict[str, Any]]:
    return [r["json"] for r in sim.requests if str(r.get("path", "")).endswith("/chat/completions")]


async def raw_stream(proxy: Any, body: dict[str, Any], on_event: Any = None) -> list[dict[str, Any] | str]:
    """The SSE events as the client gets them: parsed chunks, ": comments" and "[DONE]"."""
    out: list[dict[str, Any] | str] = []
    async with aiohttp.ClientSession() as s:
        async with s.post(proxy.url + "/chat/completions", json={**body, "stream": True},
                          headers={"Authorization": "Bearer sk-trusted"}) as r:
            assert r.status == 200
            buf = b""
            async for piece in r.content.iter_any():
                buf += piece
                while b"\n\n" in buf:
                    block, buf = buf.split(b"\n\n", 1)
                    line = block.decode()
                    if line.startswith(":"):
                        out.append(line)
                        continue
                    data = line.removeprefix("data: ")
                    ev: dict[str, Any] | str = data if data == "[DONE]" else json.loads(data)
                    out.append(ev)
                    if on_event is not None:
                        on_event(ev)
    return out


def content(events: list[Any]) -> str:
    return "".join((e["choices"][0]["delta"].get("content") or "") for e in events
                   if isinstance(e, dict) and e.get("choices"))


def assert_well_formed(events: list[Any]) -> None:
    chunks = [e for e in events if isinstance(e, dict)]
    assert events[-1] == "[DONE]"
    assert len({(c["id"], c["created"], c["model"]) for c in chunks}) == 1  # one answer, however many attempts
    roles = [c for c in chunks if c.get("choices") and c["choices"][0]["delta"].get("role")]
    assert len(roles) == 1 and chunks.index(roles[0]) == 0
    finishes = [c["choices"][0]["finish_reason"] for c in chunks if c.get("choices") and c["choices"][0]["finish_reason"]]
    assert finishes == ["stop"]


# -- claim-free text is live; a claim is held, checked, then sent -----------------------------------

async def test_text_before_a_claim_is_out_before_the_upstream_has_finished(slow: Any) -> None:
    proxy, sim = slow
    sim.script("my balance", [{"content": RIGHT}])
    finished_at_first_content: list[int] = []
    words: list[str] = []

    def watch(ev: Any) -> None:
        if isinstance(ev, dict) and ev.get("choices") and ev["choices"][0]["delta"].get("content"):
            if not words:  # the simulator bills a stream when it has sent its last event
                finished_at_first_content.append(len(sim.state.billing.records))
            words.append(ev["choices"][0]["delta"]["content"])

    events = await raw_stream(proxy, {"model": "gpt-4o-mini", "messages": BANK}, watch)
    assert content(events) == RIGHT
    assert_well_formed(events)
    assert finished_at_first_content == [0]  # first content arrived while the upstream was still streaming
    assert words[0] == "Here" and len(words) > 10  # word by word, not one burst at the end


async def test_a_fabricated_number_is_never_streamed_and_the_continuation_splices_in(slow: Any) -> None:
    proxy, sim = slow
    sim.script("my balance", [{"content": WRONG}, {"content": RIGHT}])
    asked_when_prefix_arrived: list[int] = []

    def watch(ev: Any) -> None:
        if isinstance(ev, dict) and ev.get("choices") and "summary" in (ev["choices"][0]["delta"].get("content") or ""):
            asked_when_prefix_arrived.append(len(chat_requests(sim)))

    events = await raw_stream(proxy, {"model": "gpt-4o", "messages": BANK, "stream_options": {"include_usage": True}}, watch)
    text = content(events)
    assert "127,549" not in json.dumps(events)  # not in any chunk, at any time
    assert text == RIGHT  # no word doubled or lost at the join
    assert_well_formed(events)
    # the verified sentence went out live, while the upstream was still on its first attempt
    assert asked_when_prefix_arrived == [1]
    # the regeneration continued from the delivered prefix (cause: regeneration)
    asked = chat_requests(sim)
    assert len(asked) == 2
    prefix, note = asked[1]["messages"][-2], asked[1]["messages"][-1]
    assert prefix == {"role": "assistant", "content": f"{PREFIX} Your balance on ACC-55012345 is"}
    assert note["role"] == "system" and "$127,549" in note["content"] and "Continue" in note["content"]
    assert asked[1]["temperature"] == 0
    # one usage chunk, last, counting both attempts
    usage = [e for e in events if isinstance(e, dict) and e.get("usage")]
    assert len(usage) == 1 and usage[0]["choices"] == [] and usage[0] in events[-3:]
    assert usage[0]["usage"]["completion_tokens"] > 20


@pytest.mark.parametrize("continuation", [
    "$47.15 today, and nothing is pending.",  # a model that continues as asked
    "is $47.15 today, and nothing is pending.",  # one that repeats the last word
    " $47.15 today, and nothing is pending.",  # one that starts with a space
])
async def test_continuations_join_at_a_word_boundary(slow: Any, continuation: str) -> None:
    proxy, sim = slow
    sim.script("my balance", [{"content": WRONG}, {"content": continuation}])
    events = await raw_stream(proxy, {"model": "gpt-4o", "messages": BANK})
    assert content(events) == RIGHT
    assert_well_formed(events)


async def test_no_honest_continuation_ends_with_the_safe_ending(slow: Any) -> None:
    proxy, sim = slow
    sim.script("my balance", [{"content": WRONG}])  # the continuation is wrong again
    events = await raw_stream(proxy, {"model": "gpt-4o", "messages": BANK, "stream_options": {"include_usage": True}})
    text = content(events)
    assert text.startswith(f"{PREFIX} Your balance on ACC-55012345 is")
    assert "127,549" not in json.dumps(events)
    assert text.endswith(proxy.services.config.plugins["validate"]["safe_ending"])
    assert_well_formed(events)
    assert any(isinstance(e, dict) and e.get("usage") and e["choices"] == [] for e in events)
    assert ": bulwark-validation: withheld" in events
    recs = await proxy.services.state.journal("review").list()
    assert recs[0]["action"] == "withhold" and recs[0]["stream"] is True and "127,549" not in recs[0]["delivered"]


# -- structured output arrives intact ---------------------------------------------------------------

async def test_tool_calls_stream_intact_through_the_shipped_config(slow: Any) -> None:
    proxy, sim = slow
    args = {"city": "Paris", "days": 3}
    sim.script("weather", [{"tool_calls": [{"name": "get_weather", "arguments": args}]}])
    client = openai_client(proxy.url, key="sk-trusted")
    s = await client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "weather in Paris?"}],
                                             tools=TOOLS, stream=True)
    chunks = [c async for c in s]
    calls = [tc for c in chunks if c.choices for tc in (c.choices[0].delta.tool_calls or [])]
    assert calls[0].function.name == "get_weather"
    assert json.loads("".join(tc.function.arguments or "" for tc in calls)) == args
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["tool_calls"]
    assert len({c.id for c in chunks}) == 1


async def test_json_for_a_schema_streams_intact(slow: Any) -> None:
    proxy, sim = slow
    doc = "{\"balance\": 47.15, \"account\": \"ACC-55012345\"}"
    sim.script("as json", [{"content": doc}])
    fmt = {"type": "json_schema", "json_schema": {"name": "b", "schema": {"type": "object", "properties": {
        "balance": {"type": "number"}, "account": {"type": "string"}}, "required": ["balance"]}}}
    events = await raw_stream(proxy, {"model": "gpt-4o", "response_format": fmt,
                                      "messages": [*BANK[:-1], BANK[-1], {"role": "user", "content": "my balance as json"}]})
    assert json.loads(content(events)) == json.loads(doc)
    assert_well_formed(events)


async def test_a_wrong_json_answer_is_regenerated_before_anything_is_sent(slow: Any) -> None:
    proxy, sim = slow
    sim.script("as json", [{"content": "{\"balance\": \"forty-seven\"}"}, {"content": "{\"balance\": 47.15}"}])
    fmt = {"type": "json_schema", "json_schema": {"name": "b", "schema": {"type": "object", "properties": {
        "balance": {"type": "number"}}, "required": ["balance"]}}}
    events = await raw_stream(proxy, {"model": "gpt-4o", "response_format": fmt,
                                      "messages": [*BANK, {"role": "user", "content": "my balance as json"}]})
    assert content(events) == "{\"balance\": 47.15}"
    assert "forty" not in json.dumps(events)
    assert_well_formed(events)


async def test_the_client_going_away_closes_the_upstream(slow: Any) -> None:
    proxy, sim = slow
    sim.script("my balance", [{"content": " ".join(["word"] * 300) + "."}])
    async with aiohttp.ClientSession() as s:
        async with s.post(proxy.url + "/chat/completions", json={"model": "gpt-4o", "messages": BANK, "stream": True},
                          headers={"Authorization": "Bearer sk-trusted"}) as r:
            await r.content.readexactly(400)
    for _ in range(100):
        if sim.state.billing.records:
            break
        await asyncio.sleep(0.05)
    # the upstream stream was closed long before its 300 words (billed for what it had sent)
    assert sim.state.billing.records and sim.state.billing.records[-1].complete is False


async def test_a_sentence_that_never_ends_is_checked_in_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A streamed answer of one unpunctuated 56k-character "sentence" (a log dump, code): each
    event must cost what it adds, not a scan back to the sentence's start (that was 28 s of CPU
    for 9,000 events). Counted in characters read back, not timed."""
    from plugins.validate import checks

    read_back = [0]
    real = checks.sentence_start

    def counting(text: str, pos: int) -> int:
        s = real(text, pos)
        read_back[0] += pos - s
        return s

    monkeypatch.setattr(checks, "sentence_start", counting)
    sim = await start_simulator()
    proxy = await start_proxy(shipped_config(sim, tmp_path))
    try:
        words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
        text = "Total 12 " + " ".join(words[i % 8] for i in range(9000))
        sim.script("words please", [{"content": text}])
        events = await raw_stream(proxy, {"model": "gpt-4o-mini", "max_tokens": 30000,
                                          "messages": [{"role": "user", "content": "words please, 12 of them"}]})
        got = "".join(e["choices"][0]["delta"].get("content") or "" for e in events if isinstance(e, dict) and e.get("choices"))
        assert got == text  # all of it delivered, in order
        max_hold = 1200  # [plugins.validate] max_hold_chars as shipped
        assert read_back[0] < 2 * max_hold * len(events), read_back[0]  # was ~events x sentence length / 2
    finally:
        await proxy.aclose()
        await sim.aclose()
