"""/v1/responses with the official openai SDK through the shipped proxy.toml: string input, items,
a tools round trip, json_schema with `responses.parse`, `responses.stream()`, errors; the client's
bytes reach a Responses upstream untouched and its answer comes back untouched; a conversation
stored upstream (`previous_response_id`) is recorded, never pruned, and never moved to a
provider that cannot see it."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import openai
import orjson
import pydantic
import pytest

from tests.helpers import base_config, start_proxy, start_simulator
from tests.test_wire_harness import Stack, sim_paths, st  # noqa: F401 (st: the fixture)

TOOL = {"type": "function", "name": "get_weather", "description": "Current weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False},
        "strict": True}


class Weather(pydantic.BaseModel):
    city: str
    temp_c: int


async def test_string_input(st: Stack) -> None:
    raw = await st.openai.responses.with_raw_response.create(model="gpt-4o-mini", input="Tell me about rivers", max_output_tokens=200)
    r = raw.parse()
    assert r.object == "response" and r.status == "completed" and "rivers" in r.output_text
    assert r.usage.input_tokens > 0 and r.usage.output_tokens > 0
    assert raw.headers["x-bulwark-provider"] == "sim" and float(raw.headers["x-bulwark-overhead-ms"]) >= 0
    assert raw.headers["x-request-id"] and raw.headers["x-bulwark-request-id"].startswith("req_")
    assert sim_paths(st.a, "/responses"), "served natively by the Responses upstream"


async def test_items_with_instructions_and_history(st: Stack) -> None:
    r = await st.openai.responses.create(model="gpt-4o-mini", instructions="Answer in one sentence.", input=[
        {"role": "user", "content": "My name is Ada."},
        {"role": "assistant", "content": "Hello Ada."},
        {"role": "user", "content": [{"type": "input_text", "text": "What is my name?"}]},
    ])
    assert "What is my name?" in r.output_text and r.instructions == "Answer in one sentence."


async def test_tools_round_trip(st: Stack) -> None:
    c = st.openai
    first = await c.responses.create(model="gpt-4o-mini", input="Please call get_weather for Oslo", tools=[TOOL])
    call = first.output[-1]
    assert call.type == "function_call" and call.name == "get_weather" and json.loads(call.arguments)["city"]
    second = await c.responses.create(model="gpt-4o-mini", tools=[TOOL], input=[
        {"role": "user", "content": "Please call get_weather for Oslo"},
        {"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments},
        {"type": "function_call_output", "call_id": call.call_id, "output": "{\"temp_c\": -3}"},
    ])
    assert second.status == "completed" and second.output_text  # text again after the tool result
    sent = sim_paths(st.a, "/responses")[-1]["json"]
    assert [i.get("type", "message") for i in sent["input"]] == ["message", "function_call", "function_call_output"]


async def test_json_schema_with_responses_parse(st: Stack) -> None:
    r = await st.openai.responses.parse(model="gpt-4o-mini", input="Weather in Oslo as JSON", text_format=Weather)
    assert isinstance(r.output_parsed, Weather)
    sent = sim_paths(st.a, "/responses")[-1]["json"]
    assert sent["text"]["format"]["type"] == "json_schema"


async def test_stream_events(st: Stack) -> None:
    async with st.openai.responses.stream(model="gpt-4o-mini", input="Tell me about lakes") as s:
        events = [e async for e in s]
        final = await s.get_final_response()
    kinds = [e.type for e in events]
    assert kinds[:2] == ["response.created", "response.in_progress"] and kinds[-1] == "response.completed"
    assert "response.output_text.delta" in kinds and "response.output_text.done" in kinds
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == final.output_text and "lakes" in text
    assert [e.sequence_number for e in events] == list(range(len(events)))


async def test_streamed_tool_call(st: Stack) -> None:
    async with st.openai.responses.stream(model="gpt-4o-mini", input="Please call get_weather", tools=[TOOL]) as s:
        events = [e async for e in s]
        final = await s.get_final_response()
    assert any(e.type == "response.function_call_arguments.delta" for e in events)
    assert final.output[-1].type == "function_call" and json.loads(final.output[-1].arguments)


async def test_errors_are_openai_shaped_and_name_the_parameter(st: Stack) -> None:
    with pytest.raises(openai.BadRequestError) as e:
        await st.openai.responses.create(model="gpt-4o-mini", input=[{"role": "robot", "content": "x"}])
    assert e.value.param == "input[0].role" and e.value.code == "invalid_value"
    for absurd in (-5, 2**63 - 1):  # a 400 naming the field, not a forwarded -5 or a 429 "too large"
        with pytest.raises(openai.BadRequestError) as e:
            await st.openai.responses.create(model="gpt-4o-mini", input="x", max_output_tokens=absurd)
        assert e.value.param == "max_output_tokens"
    with pytest.raises(openai.AuthenticationError):
        await st.openai_with(key="sk-wrong").responses.create(model="gpt-4o-mini", input="x")
    st.a.set_fault("400")  # an upstream error comes back as it was
    with pytest.raises(openai.BadRequestError):
        await st.openai.responses.create(model="gpt-4o-mini", input="x")


async def _raw(url: str, body: bytes) -> tuple[int, bytes, dict[str, str]]:
    async with aiohttp.ClientSession() as s:
        async with s.post(url, data=body, headers={"Authorization": "Bearer sk-test", "Content-Type": "application/json"}) as r:
            return r.status, await r.read(), dict(r.headers)


async def test_unchanged_requests_and_answers_are_forwarded_byte_for_byte() -> None:
    """No plugin changes the request: the client's bytes go to the Responses upstream as they are,
    and the upstream's answer (ids, fields Bulwark does not model) comes back as it is."""
    sim = await start_simulator()
    proxy = await start_proxy(base_config(sim.url))
    try:
        body = b'{"model":"gpt-4o-mini",  "input":"Tell me about rivers","metadata":{"k":"v"},"store":false}'
        status, answer, _ = await _raw(proxy.url + "/responses", body)
        assert status == 200 and sim.requests[-1]["body"] == body
        direct = await _raw(sim.url + "/responses", body)
        a, d = orjson.loads(answer), orjson.loads(direct[1])
        assert a["id"].startswith("resp_") and not a["id"].startswith("resp_bw") and a["store"] is False
        assert set(a) == set(d), "the native answer is relayed, not re-encoded"
        status, streamed, headers = await _raw(proxy.url + "/responses", body[:-1] + b',"stream":true}')
        assert headers["Content-Type"].startswith("text/event-stream")
        assert b"[DONE]" not in streamed and streamed.count(b"event: response.completed") == 1
    finally:
        await proxy.aclose()
        await sim.aclose()


async def test_previous_response_id_history_lives_upstream(tmp_path: Path) -> None:
    st = await Stack.start(tmp_path, server={"debug_headers": True})
    try:
        c = st.openai
        first = await c.responses.create(model="gpt-4o-mini", input="Remember: the code is 7.")
        raw = await c.responses.with_raw_response.create(model="gpt-4o-mini", input="What was the code?", previous_response_id=first.id)
        assert raw.parse().status == "completed"
        sent = sim_paths(st.a, "/responses")[-1]["json"]
        assert sent["previous_response_id"] == first.id, "the native upstream keeps the conversation"
        wire = json.loads(raw.headers["x-bulwark-decisions"])["wire"]
        assert wire["upstream_state"] == f"previous_response_id={first.id}" and "not applicable" in wire["prune"]
    finally:
        await st.aclose()


async def test_history_stored_upstream_is_not_moved_to_a_chat_only_provider(tmp_path: Path) -> None:
    st = await Stack.start(tmp_path, server={"debug_headers": True})
    try:
        st.a.set_fault("503")  # gpt-4's cascade: sim, then claude and local (chat-only), then rules, human
        raw = await st.openai.responses.with_raw_response.create(model="gpt-4", input="And the code?", previous_response_id="resp_123")
        r = raw.parse()
        decisions = json.loads(raw.headers["x-bulwark-decisions"])
        assert decisions["wire"]["history"] == "upstream" and "not applicable" in decisions["wire"]["prune"]
        assert not sim_paths(st.b, "/messages") and not sim_paths(st.b, "/chat/completions"), \
            "Claude and the chat-only server could not see the history: skipped"
        assert raw.headers["x-bulwark-provider"] in ("rules", "human") and r.status == "completed"
        assert r.id.startswith("resp_bw")
        # ...and that id is Bulwark's own: chaining on it is refused with a clear message.
        with pytest.raises(openai.BadRequestError) as e:
            await st.openai.responses.create(model="gpt-4", input="more", previous_response_id=r.id)
        assert e.value.param == "previous_response_id" and "Bulwark wrote itself" in e.value.message
    finally:
        await st.aclose()


async def test_hosted_tools_without_a_responses_upstream_are_refused_clearly(tmp_path: Path) -> None:
    sim = await start_simulator()
    proxy = await start_proxy(base_config(sim.url, providers={"sim": {"apis": ["chat_completions"]}}))
    try:
        from tests.helpers import openai_client

        client = openai_client(proxy.url)
        ok = await client.responses.create(model="gpt-4o-mini", input="Tell me about rivers")
        assert ok.output_text and sim.requests[-1]["path"].endswith("/chat/completions"), "translated for a chat-only server"
        with pytest.raises(openai.BadRequestError) as e:
            await client.responses.create(model="gpt-4o-mini", input="news?", tools=[{"type": "web_search"}])
        assert e.value.code == "untranslatable_request" and "web_search" in e.value.message
    finally:
        await proxy.aclose()
        await sim.aclose()
