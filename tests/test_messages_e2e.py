"""Inbound Anthropic Messages (/v1/messages) with the official anthropic SDK, through the
shipped proxy.toml: create, stream, tools, system, stop reasons, usage, count_tokens, errors in
Anthropic's shape; a model routed to the Anthropic provider is served natively (the client's
bytes up, the upstream's bytes back), any other through the chain's codecs."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import anthropic
import orjson
import pytest

from tests.helpers import base_config, start_proxy, start_simulator
from tests.test_wire_harness import Stack, sim_paths, st  # noqa: F401 (st: the fixture)

WEATHER = {"name": "get_weather", "description": "Current weather",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}


async def test_messages_create_through_the_shipped_chain(st: Stack) -> None:
    msg = await st.anthropic.messages.create(
        model="gpt-4o-mini", max_tokens=100, system="Be brief.", messages=[{"role": "user", "content": "Tell me about rivers"}])
    assert msg.type == "message" and msg.role == "assistant" and msg.id.startswith("msg_")
    assert msg.content[0].type == "text" and "rivers" in msg.content[0].text
    assert msg.stop_reason == "end_turn" and msg.usage.input_tokens > 0 and msg.usage.output_tokens > 0
    sent = sim_paths(st.a, "/chat/completions")[-1]["json"]  # the shipped default provider is OpenAI-compatible
    assert sent["messages"][0] == {"role": "system", "content": "Be brief."} and sent["max_completion_tokens"] == 100


async def test_bearer_key_works_too(st: Stack) -> None:
    msg = await st.anthropic_with(bearer=True).messages.create(model="gpt-4o-mini", max_tokens=50, messages=[{"role": "user", "content": "hi"}])
    assert msg.content[0].text


async def test_messages_stream(st: Stack) -> None:
    async with st.anthropic.messages.stream(model="gpt-4o-mini", max_tokens=100, messages=[{"role": "user", "content": "Tell me about lakes"}]) as s:
        text = "".join([t async for t in s.text_stream])
        final = await s.get_final_message()
    assert "lakes" in text and final.content[0].text == text
    assert final.stop_reason == "end_turn" and final.usage.output_tokens > 0 and final.usage.input_tokens > 0


async def test_tools_round_trip_plain_and_streamed(st: Stack) -> None:
    a = st.anthropic
    first = await a.messages.create(model="gpt-4o-mini", max_tokens=200, tools=[WEATHER],
                                    messages=[{"role": "user", "content": "Please call get_weather"}])
    use = first.content[-1]
    assert first.stop_reason == "tool_use" and use.type == "tool_use" and use.name == "get_weather" and use.input["city"]
    history = [{"role": "user", "content": "Please call get_weather"},
               {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
               {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "-3C and windy"}]}]
    second = await a.messages.create(model="gpt-4o-mini", max_tokens=200, tools=[WEATHER], messages=history)
    assert second.stop_reason == "end_turn" and "-3C and windy" in second.content[0].text
    sent = sim_paths(st.a, "/chat/completions")[-1]["json"]["messages"]
    assert sent[1]["tool_calls"][0]["id"] == use.id and sent[2] == {"role": "tool", "tool_call_id": use.id, "content": "-3C and windy"}
    async with a.messages.stream(model="gpt-4o-mini", max_tokens=200, tools=[WEATHER],
                                 messages=[{"role": "user", "content": "Please call get_weather"}]) as s:
        final = await s.get_final_message()
    assert final.stop_reason == "tool_use" and final.content[-1].input["city"]


async def test_max_tokens_stop_reason(st: Stack) -> None:
    msg = await st.anthropic.messages.create(model="gpt-4o-mini", max_tokens=3, messages=[{"role": "user", "content": "Tell me about rivers"}])
    assert msg.stop_reason == "max_tokens" and msg.usage.output_tokens <= 3


async def test_count_tokens_native_and_estimated(st: Stack) -> None:
    msgs = [{"role": "user", "content": "How many tokens is this sentence?"}]
    native = await st.anthropic.messages.count_tokens(model="claude-sonnet-4-5", messages=msgs, system="Be brief.")
    assert native.input_tokens > 0 and sim_paths(st.b, "/messages/count_tokens"), "routed to the Anthropic provider: its own count"
    raw = await st.anthropic.messages.with_raw_response.count_tokens(model="gpt-4o-mini", messages=msgs)
    local = await raw.parse()
    assert local.input_tokens > 0 and raw.headers["x-bulwark-token-count"] == "estimated"
    assert not sim_paths(st.a, "/count_tokens"), "no OpenAI-compatible upstream has it: Bulwark counts"


async def test_errors_are_anthropic_shaped(st: Stack) -> None:
    a = st.anthropic
    with pytest.raises(anthropic.BadRequestError) as e:
        await a.messages.create(model="gpt-4o-mini", max_tokens=10, messages=[{"role": "system", "content": "x"}])
    assert e.value.body["type"] == "error" and e.value.body["error"]["type"] == "invalid_request_error"
    assert e.value.request_id and e.value.request_id.startswith("req_")
    for absurd in (-5, 2**63 - 1):  # a 400 naming the field, not a forwarded -5 or a 429 "too large"
        with pytest.raises(anthropic.BadRequestError) as e:
            await a.messages.create(model="gpt-4o-mini", max_tokens=absurd, messages=[{"role": "user", "content": "x"}])
        assert "max_tokens" in e.value.body["error"]["message"]
    with pytest.raises(anthropic.AuthenticationError) as e2:
        await st.anthropic_with(key="sk-wrong").messages.create(model="gpt-4o-mini", max_tokens=10, messages=[{"role": "user", "content": "x"}])
    assert e2.value.body["error"]["type"] == "authentication_error"


async def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    async with aiohttp.ClientSession() as s:
        async with s.post(url, data=body, headers={"content-type": "application/json", **headers}) as r:
            return r.status, await r.read(), {k.lower(): v for k, v in r.headers.items()}


async def test_a_model_routed_to_anthropic_goes_there_natively(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_ANTHROPIC_KEY", "sk-ant-test")
    sim = await start_simulator()
    cfg = base_config(sim.url, providers={"claude": {"type": "anthropic", "base_url": sim.base, "api_key_env": "T_ANTHROPIC_KEY",
                                                     "options": {"beta": ["prompt-caching-2024-07-31"]}}},
                      models={"routes": {"claude-sonnet-4-5": {"provider": "claude"}}})
    proxy = await start_proxy(cfg)
    try:
        body = (b'{"model":"claude-sonnet-4-5","max_tokens":64,  "system":[{"type":"text","text":"Be brief.",'
                b'"cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"Tell me about rivers"}]}')
        h = {"x-api-key": "sk-test", "anthropic-version": "2023-06-01", "anthropic-beta": "token-efficient-tools-2025-02-19"}
        status, answer, headers = await _post(proxy.url + "/messages", body, h)
        rec = sim.requests[-1]
        assert status == 200 and rec["path"] == "/v1/messages" and rec["body"] == body, "the client's bytes, untouched"
        assert rec["headers"]["x-api-key"] == "sk-ant-test", "Bulwark's provider key, never the client's"
        assert rec["headers"]["anthropic-beta"] == "prompt-caching-2024-07-31,token-efficient-tools-2025-02-19"
        msg = orjson.loads(answer)
        assert msg["id"].startswith("msg_") and not msg["id"].startswith("msg_bw") and msg["usage"]["cache_creation_input_tokens"] > 0
        assert headers["request-id"] and "anthropic-ratelimit-requests-limit" in headers, "the upstream's own headers"
        # Streamed: the upstream's events, byte for byte (ping included).
        status, streamed, _ = await _post(proxy.url + "/messages", body[:-1] + b',"stream":true}', h)
        assert b"event: ping" in streamed and streamed.rstrip().endswith(b'data: {"type":"message_stop"}')
        # An overloaded Anthropic upstream: a Messages client gets its 529 (OverloadedError), a chat one a 503.
        sim.set_fault("529")
        status, err, _ = await _post(proxy.url + "/messages", body, h)
        assert status == 529 and orjson.loads(err)["error"]["type"] == "overloaded_error"
        status, _, _ = await _post(proxy.url + "/chat/completions", orjson.dumps(
            {"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "x"}]}), {"Authorization": "Bearer sk-test"})
        assert status == 503
        # An OpenAI-compatible upstream's error, for a Messages client: Anthropic's shape, its retry headers kept.
        sim.set_fault("429:retry=2")
        status, err, headers = await _post(proxy.url + "/messages", orjson.dumps(
            {"model": "gpt-4o-mini", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}), h)
        assert status == 429 and orjson.loads(err)["error"]["type"] == "rate_limit_error" and headers["retry-after"] == "2"
    finally:
        await proxy.aclose()
        await sim.aclose()
