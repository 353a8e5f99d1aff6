"""The simulated provider, hit directly with the official SDKs (openai, anthropic) and raw HTTP."""
from __future__ import annotations

import asyncio
import base64
import importlib.util
import json
import struct
import time
from datetime import datetime
from typing import Any

import aiohttp
import anthropic
import jsonschema
import openai
import pytest

from proxy.simulator import SimulatorConfig, parse_fault, start
from proxy.tokens import count_messages, count_text
from tests.helpers import shared_dir

_spec = importlib.util.spec_from_file_location("openai_conformance", str(shared_dir() / "tools" / "openai_conformance.py"))
conformance = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(conformance)  # type: ignore[union-attr]

MSGS = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is the capital of France?"}]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1},
                "hourly": {"type": "boolean"},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
    },
}
TIME = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {"tz": {"type": "string"}}}}}


def oai(sim: Any, **kw: Any) -> openai.AsyncOpenAI:
    kw.setdefault("max_retries", 0)
    return openai.AsyncOpenAI(base_url=sim.url, api_key="x", **kw)


def ant(sim: Any, **kw: Any) -> anthropic.AsyncAnthropic:
    kw.setdefault("max_retries", 0)
    return anthropic.AsyncAnthropic(base_url=sim.base, api_key="x", **kw)


async def raw_post(url: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    async with aiohttp.ClientSession() as s:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        async with s.post(url, data=data, headers={"content-type": "application/json", **(headers or {})}) as r:
            return r.status, dict(r.headers), await r.read()


def embedding_of(sim: Any, model: str, text: str) -> tuple[float, ...]:
    from proxy.simulator.openai_face import embedding_vector

    return embedding_vector(model, text, sim.config.embedding_dim, sim.config.seed)


# ---- OpenAI chat ---------------------------------------------------------------------------
async def test_plain_chat_usage_headers_and_determinism(sim: Any) -> None:
    c = oai(sim)
    raw = await c.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MSGS)
    r = raw.parse()
    text = r.choices[0].message.content
    assert text and "capital of France" in text
    assert r.choices[0].finish_reason == "stop"
    assert r.usage.prompt_tokens == count_messages(MSGS, "gpt-4o-mini")
    assert r.usage.completion_tokens == count_text(text, "gpt-4o-mini")
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    h = raw.headers
    assert h["x-request-id"].startswith("req_") and r._request_id == h["x-request-id"]
    assert h["openai-version"] == "2020-10-01"
    assert int(h["openai-processing-ms"]) >= 0
    for k in ("limit-requests", "remaining-requests", "reset-requests", "limit-tokens", "remaining-tokens", "reset-tokens"):
        assert h[f"x-ratelimit-{k}"]
    again = await c.chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    assert again.choices[0].message.content == text
    other_model = await c.chat.completions.create(model="gpt-4o", messages=MSGS)
    assert other_model.choices[0].message.content != text
    other_seed = await start(seed=7)
    try:
        assert (await oai(other_seed).chat.completions.create(model="gpt-4o-mini", messages=MSGS)).choices[0].message.content != text
    finally:
        await other_seed.aclose()
    body = json.loads(raw.http_response.content)
    assert "system_fingerprint" not in body
    assert conformance.check("CreateChatCompletionResponse", body, "plain") == []


async def test_stream_matches_plain_with_usage_chunk_and_conforms(sim: Any) -> None:
    c = oai(sim)
    plain = await c.chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    chunks = [ch async for ch in await c.chat.completions.create(
        model="gpt-4o-mini", messages=MSGS, stream=True, stream_options={"include_usage": True})]
    assert chunks[0].choices[0].delta.role == "assistant"
    assert len({ch.id for ch in chunks}) == 1
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert text == plain.choices[0].message.content
    assert len([ch for ch in chunks if ch.choices and ch.choices[0].delta.content]) == len(text.split(" "))
    closing = chunks[-2]
    assert closing.choices[0].finish_reason == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens == plain.usage.total_tokens
    status, headers, raw = await raw_post(sim.url + "/chat/completions",
                                          {"model": "gpt-4o-mini", "messages": MSGS, "stream": True, "stream_options": {"include_usage": True}})
    assert status == 200 and headers["Content-Type"].startswith("text/event-stream")
    assert raw.endswith(b"data: [DONE]\n\n")
    assert conformance.check_stream(raw.decode(), "sim", want_usage=True) == []
    # without include_usage: no usage chunk, no usage key
    status, _, raw = await raw_post(sim.url + "/chat/completions", {"model": "gpt-4o-mini", "messages": MSGS, "stream": True})
    events = [json.loads(e) for e in conformance.sse_events(raw.decode()) if e != "[DONE]"]
    assert all("usage" not in e and e["choices"] for e in events)


async def test_chunk_words_and_stream_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    # The pauses are read off the simulator's own sleeps, not the wall clock: a loaded CI box once
    # took 1.1 s for the undelayed stream, which says nothing about whether it slept.
    from proxy.simulator import wire

    pauses: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(delay: float, *a: Any, **kw: Any) -> Any:
        pauses.append(delay)
        return await real_sleep(delay, *a, **kw)

    class _Asyncio:
        def __getattr__(self, name: str) -> Any:
            return recording_sleep if name == "sleep" else getattr(asyncio, name)

    monkeypatch.setattr(wire, "asyncio", _Asyncio())
    sim = await start(chunk_words=3, stream_delay_ms=60)
    try:
        c = oai(sim)
        chunks = [ch async for ch in await c.chat.completions.create(model="m", messages=MSGS, stream=True)]
        contents = [ch.choices[0].delta.content for ch in chunks if ch.choices[0].delta.content]
        assert all(len(p.split()) <= 3 for p in contents) and any(len(p.split()) == 3 for p in contents)
        # one 60 ms pause between consecutive events (the [DONE] line is an event too)
        assert pauses == [0.06] * (len(pauses)) and len(pauses) >= len(chunks) - 1
        # per-request override: no delay at all (delay 0 never sleeps)
        pauses.clear()
        s = await c.chat.completions.create(model="m", messages=MSGS, stream=True, extra_headers={"x-sim-delay-ms": "0"})
        fast = [ch async for ch in s]
        assert len(fast) == len(chunks) and pauses == []
        s = await c.chat.completions.create(model="m", messages=MSGS, stream=True, extra_headers={"x-sim-delay-ms": "5"})
        assert len([ch async for ch in s]) == len(chunks) and pauses and set(pauses) == {0.005}
    finally:
        await sim.aclose()


# ---- tool calls ----------------------------------------------------------------------------
async def test_parallel_tool_calls_plain_and_streamed(sim: Any) -> None:
    c = oai(sim)
    msgs = [{"role": "user", "content": "Please call get_weather and then call get_time."}]
    r = await c.chat.completions.create(model="gpt-4o", messages=msgs, tools=[WEATHER, TIME])
    ch = r.choices[0]
    assert ch.finish_reason == "tool_calls" and ch.message.content is None
    calls = ch.message.tool_calls
    assert [t.function.name for t in calls] == ["get_weather", "get_time"]
    args = json.loads(calls[0].function.arguments)
    jsonschema.validate(args, WEATHER["function"]["parameters"])
    assert args["unit"] == "celsius"
    assert all(t.id.startswith("call_") and t.type == "function" for t in calls)
    assert r.usage.completion_tokens > 0

    stream = await c.chat.completions.create(model="gpt-4o", messages=msgs, tools=[WEATHER, TIME], stream=True)
    frags: dict[int, list[Any]] = {}
    finish = None
    async for chunk in stream:
        d = chunk.choices[0].delta
        for tc in d.tool_calls or []:
            assert tc.index is not None
            frags.setdefault(tc.index, []).append(tc)
        finish = chunk.choices[0].finish_reason or finish
    assert finish == "tool_calls"
    assert sorted(frags) == [0, 1]
    for i, parts in frags.items():
        assert parts[0].id == calls[i].id and parts[0].type == "function" and parts[0].function.name == calls[i].function.name
        assert all(p.id is None and p.type is None and p.function.name is None for p in parts[1:])
        joined = "".join(p.function.arguments or "" for p in parts)
        assert joined == calls[i].function.arguments
    assert len(frags[0]) > 3  # arguments really are split in fragments
    status, _, raw = await raw_post(sim.url + "/chat/completions",
                                    {"model": "gpt-4o", "messages": msgs, "tools": [WEATHER, TIME], "stream": True})
    assert conformance.check_stream(raw.decode(), "tools") == []


async def test_tool_result_turn_answers_text_and_tool_choice(sim: Any) -> None:
    c = oai(sim)
    msgs: list[dict[str, Any]] = [
        {"role": "user", "content": "call get_weather"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny, 21C"},
    ]
    r = await c.chat.completions.create(model="m", messages=msgs, tools=[WEATHER])
    assert r.choices[0].finish_reason == "stop" and "sunny" in r.choices[0].message.content
    forced = await c.chat.completions.create(model="m", messages=MSGS, tools=[WEATHER, TIME],
                                             tool_choice={"type": "function", "function": {"name": "get_time"}})
    assert [t.function.name for t in forced.choices[0].message.tool_calls] == ["get_time"]
    none = await c.chat.completions.create(model="m", messages=[{"role": "user", "content": "call get_time"}], tools=[TIME], tool_choice="none")
    assert none.choices[0].message.tool_calls is None


# ---- other endpoints -----------------------------------------------------------------------
async def test_embeddings_base64_equals_float_and_dimensions(sim: Any) -> None:
    c = oai(sim)
    b64 = await c.embeddings.create(model="text-embedding-3-small", input=["hello", "world"])  # SDK asks for base64
    assert sim.requests[-1]["json"]["encoding_format"] == "base64"
    flt = await c.embeddings.create(model="text-embedding-3-small", input=["hello", "world"], encoding_format="float")
    assert [d.embedding for d in b64.data] == [d.embedding for d in flt.data]
    assert len(flt.data[0].embedding) == 8 and flt.data[0].embedding != flt.data[1].embedding
    assert abs(sum(x * x for x in flt.data[0].embedding) - 1.0) < 1e-5
    assert flt.usage.prompt_tokens == 2
    d = await c.embeddings.create(model="text-embedding-3-small", input="hello", dimensions=64, encoding_format="float")
    assert len(d.data[0].embedding) == 64
    status, _, raw = await raw_post(sim.url + "/embeddings", {"model": "e", "input": "hi", "encoding_format": "base64"})
    vec = struct.unpack("<8f", base64.b64decode(json.loads(raw)["data"][0]["embedding"]))
    assert len(vec) == 8 and list(vec) == list(embedding_of(sim, "e", "hi"))
    status, _, raw = await raw_post(sim.url + "/embeddings", {"model": "e", "input": "hi"})  # the spec declares float arrays
    assert conformance.check("CreateEmbeddingResponse", json.loads(raw), "emb") == []


async def test_models_completions_responses_files(sim: Any) -> None:
    c = oai(sim)
    models = await c.models.list()
    assert "gpt-4o-mini" in [m.id for m in models.data]
    assert (await c.models.retrieve("my-model")).id == "my-model"
    comp = await c.completions.create(model="gpt-3.5-turbo-instruct", prompt="Once upon a time")
    assert "Once upon a time" in comp.choices[0].text and comp.usage.prompt_tokens == count_text("Once upon a time", "gpt-3.5-turbo-instruct")
    parts = [ch async for ch in await c.completions.create(model="gpt-3.5-turbo-instruct", prompt="Once upon a time", stream=True,
                                                          stream_options={"include_usage": True})]
    assert "".join(p.choices[0].text for p in parts if p.choices) == comp.choices[0].text
    assert parts[-1].choices == [] and parts[-1].usage.completion_tokens == comp.usage.completion_tokens
    resp = await c.responses.create(model="gpt-4o-mini", input="Tell me a joke")
    assert "Tell me a joke" in resp.output_text and resp.usage.output_tokens > 0
    events = [e async for e in await c.responses.create(model="gpt-4o-mini", input="Tell me a joke", stream=True)]
    assert events[0].type == "response.created" and events[-1].type == "response.completed"
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == resp.output_text
    async with aiohttp.ClientSession() as s:
        async with s.get(sim.url + "/files?purpose=batch&limit=3") as r:
            body = await r.json()
            assert r.status == 200 and body["query"] == {"purpose": "batch", "limit": "3"} and body["data"] == []
        async with s.get(sim.url + "/nope") as r:
            assert r.status == 404 and (await r.json())["error"]["code"] == "unknown_url"


async def test_bad_input_never_crashes(sim: Any) -> None:
    status, _, raw = await raw_post(sim.url + "/chat/completions", b"{not json")
    assert status == 400 and conformance.check("ErrorResponse", json.loads(raw), "bad") == []
    status, _, raw = await raw_post(sim.url + "/chat/completions", [1, 2])
    assert status == 400 and json.loads(raw)["error"]["type"] == "invalid_request_error"
    status, _, raw = await raw_post(sim.url + "/chat/completions", {"model": "m", "messages": "hi"})
    assert status == 400 and json.loads(raw)["error"]["param"] == "messages"
    status, _, raw = await raw_post(sim.url + "/embeddings", {"model": "m", "input": 3})
    assert status == 400 and json.loads(raw)["error"]["param"] == "input"
    status, _, raw = await raw_post(sim.url + "/chat/completions", {"model": "m", "messages": MSGS}, {"x-sim-fault": "explode"})
    assert status == 400 and "unknown fault" in json.loads(raw)["error"]["message"]
    with pytest.raises(ValueError):
        parse_fault("cut=x")
    with pytest.raises(ValueError):
        SimulatorConfig(fault_kinds=["bogus"])
    with pytest.raises(ValueError):
        SimulatorConfig(unknown_field=1)


async def test_conformance_tool_live_against_simulator(sim: Any) -> None:
    errs = await asyncio.to_thread(conformance.live, sim.url, "gpt-4o-mini")
    assert errs == []


async def test_requests_are_recorded(sim: Any) -> None:
    await oai(sim).chat.completions.create(model="gpt-4o-mini", messages=MSGS, extra_headers={"X-Custom": "Yes"})
    rec = sim.requests[-1]
    assert rec["method"] == "POST" and rec["path"] == "/v1/chat/completions"
    assert rec["headers"]["x-custom"] == "Yes" and rec["headers"]["authorization"] == "Bearer x"
    assert json.loads(rec["body"]) == rec["json"] and rec["json"]["messages"] == MSGS


# ---- faults --------------------------------------------------------------------------------
def fault(spec: str) -> dict[str, Any]:
    return {"extra_headers": {"x-sim-fault": spec}}


async def test_status_faults_as_the_sdk_sees_them(sim: Any) -> None:
    c = oai(sim)
    with pytest.raises(openai.RateLimitError) as e:
        await c.chat.completions.create(model="m", messages=MSGS, **fault("429"))
    h = e.value.response.headers
    assert h["retry-after"] == "1" and h["retry-after-ms"] == "1000" and e.value.code == "rate_limit_exceeded"
    assert e.value.request_id and e.value.request_id.startswith("req_")
    with pytest.raises(openai.RateLimitError) as e:
        await c.chat.completions.create(model="m", messages=MSGS, **fault("429:retry=2.5"))
    assert e.value.response.headers["retry-after"] == "3" and e.value.response.headers["retry-after-ms"] == "2500"
    for status in (500, 502, 503):
        with pytest.raises(openai.InternalServerError) as e:
            await c.chat.completions.create(model="m", messages=MSGS, **fault(str(status)))
        assert e.value.status_code == status and isinstance(e.value.body, dict) and e.value.type
    with pytest.raises(openai.BadRequestError) as e:
        await c.chat.completions.create(model="m", messages=MSGS, **fault("context_length"))
    assert e.value.code == "context_length_exceeded" and e.value.param == "messages"
    # the SDK's own retry honours retry-after-ms: one 429 then success when scripted
    sim.script("retry me", [{"fault": "429:retry=0.05"}, {"content": "after retry"}])
    r = await oai(sim, max_retries=1).chat.completions.create(model="m", messages=[{"role": "user", "content": "retry me"}])
    assert r.choices[0].message.content == "after retry"


async def test_latency_timeout_reset(sim: Any) -> None:
    c = oai(sim)
    t0 = time.perf_counter()
    await c.chat.completions.create(model="m", messages=MSGS, **fault("latency=150"))
    assert time.perf_counter() - t0 >= 0.15
    t0 = time.perf_counter()
    with pytest.raises(openai.APITimeoutError):
        await oai(sim, timeout=0.3).chat.completions.create(model="m", messages=MSGS, **fault("timeout"))
    assert 0.25 < time.perf_counter() - t0 < 2
    with pytest.raises(openai.APIConnectionError) as e:
        await c.chat.completions.create(model="m", messages=MSGS, **fault("reset"))
    assert not isinstance(e.value, openai.APITimeoutError)
    # the simulator survives all of it
    assert (await c.chat.completions.create(model="m", messages=MSGS)).choices[0].message.content


async def collect(stream: Any) -> tuple[list[Any], BaseException | None]:
    out: list[Any] = []
    try:
        async for ch in stream:
            out.append(ch)
    except Exception as exc:  # noqa: BLE001 - the test inspects it
        return out, exc
    return out, None


async def test_stream_faults_as_the_sdk_sees_them(sim: Any) -> None:
    c = oai(sim)
    kw: dict[str, Any] = {"model": "m", "messages": MSGS, "stream": True}
    got, exc = await collect(await c.chat.completions.create(**kw, **fault("cut=3")))
    assert len(got) == 3 and exc is not None  # role chunk + 2 content chunks, then the connection drops
    assert "".join(ch.choices[0].delta.content or "" for ch in got) == "Simulated reply"
    got, exc = await collect(await c.chat.completions.create(**kw, **fault("error_event=2")))
    assert len(got) == 2 and isinstance(exc, openai.APIError) and "error_event" in str(exc)
    got, exc = await collect(await c.chat.completions.create(**kw, **fault("malformed=2")))
    assert len(got) == 2 and exc is not None
    t0 = time.perf_counter()
    got, exc = await collect(await oai(sim, timeout=0.4).chat.completions.create(**kw, **fault("stall=2")))
    assert len(got) == 2 and exc is not None and time.perf_counter() - t0 >= 0.35
    # raw bytes: cut never sends [DONE]
    status, _, raw = await raw_post(sim.url + "/chat/completions", {**kw, "messages": MSGS}, {"x-sim-fault": "malformed=1"})
    assert raw.endswith(b"data: {not json\n\n") and b"[DONE]" not in raw
    # content faults
    r = await c.chat.completions.create(model="m", messages=MSGS, **fault("content_filter"))
    assert r.choices[0].finish_reason == "content_filter"
    r = await c.chat.completions.create(model="m", messages=MSGS, **fault("empty"))
    assert r.choices[0].message.content == "" and r.usage.completion_tokens == 0
    full = await c.chat.completions.create(model="m", messages=MSGS)
    r = await c.chat.completions.create(model="m", messages=MSGS, **fault("length"))
    assert r.choices[0].finish_reason == "length" and full.choices[0].message.content.startswith(r.choices[0].message.content)
    chunks = [ch async for ch in await c.chat.completions.create(**kw, **fault("length"))]
    assert chunks[-1].choices[0].finish_reason == "length"
    r = await c.chat.completions.create(model="gpt-4o", messages=MSGS, max_tokens=3)
    assert r.choices[0].finish_reason == "length" and r.usage.completion_tokens <= 3
    # a combined spec: latency before headers plus a cut stream
    t0 = time.perf_counter()
    got, exc = await collect(await c.chat.completions.create(**kw, **fault("latency=100,cut=1")))
    assert time.perf_counter() - t0 >= 0.1 and len(got) == 1 and exc is not None


async def test_plain_cut_and_stall(sim: Any) -> None:
    with pytest.raises(openai.APIConnectionError):
        await oai(sim).chat.completions.create(model="m", messages=MSGS, **fault("cut=0"))
    with pytest.raises(openai.APITimeoutError):
        await oai(sim, timeout=0.3).chat.completions.create(model="m", messages=MSGS, **fault("stall=0"))


async def test_set_fault_header_override_and_chaos(sim: Any) -> None:
    c = oai(sim)
    sim.set_fault("503")
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            await c.chat.completions.create(model="m", messages=MSGS)
    ok = await c.chat.completions.create(model="m", messages=MSGS, **fault("none"))
    assert ok.choices[0].message.content
    sim.set_fault(None)
    assert (await c.chat.completions.create(model="m", messages=MSGS)).choices[0].message.content

    async def outcomes(s: Any) -> list[int]:
        out = []
        for _ in range(20):
            status, _, _ = await raw_post(s.url + "/chat/completions", {"model": "m", "messages": MSGS})
            out.append(status)
        return out

    a = await start(seed=3, fault_rate=0.5, fault_kinds=["429", "503"])
    b = await start(seed=3, fault_rate=0.5, fault_kinds=["429", "503"])
    try:
        oa, ob = await outcomes(a), await outcomes(b)
        assert oa == ob and {200, 429, 503} <= set(oa)
    finally:
        await a.aclose()
        await b.aclose()


async def test_scripts_consumed_in_order_last_repeats(sim: Any) -> None:
    c = oai(sim)
    sim.script("refund", [{"content": "first"}, {"fault": "503"}, {"tool_calls": [{"name": "issue_refund", "arguments": {"amount": 5}}]}])
    ask = [{"role": "user", "content": "I want a refund please"}]
    assert (await c.chat.completions.create(model="m", messages=ask)).choices[0].message.content == "first"
    with pytest.raises(openai.InternalServerError):
        await c.chat.completions.create(model="m", messages=ask)
    for _ in range(2):  # the last reply repeats
        r = await c.chat.completions.create(model="m", messages=ask)
        assert r.choices[0].finish_reason == "tool_calls"
        assert json.loads(r.choices[0].message.tool_calls[0].function.arguments) == {"amount": 5}
    # other messages are untouched; the match looks at the last user message only
    other = await c.chat.completions.create(model="m", messages=[*ask, {"role": "assistant", "content": "ok"}, {"role": "user", "content": "thanks"}])
    assert other.choices[0].message.content.startswith("Simulated reply")
    # streamed scripted content with a fault
    sim.script("partial", [{"content": "one two three four", "fault": "cut=3"}])
    got, exc = await collect(await c.chat.completions.create(model="m", messages=[{"role": "user", "content": "partial"}], stream=True))
    assert "".join(ch.choices[0].delta.content or "" for ch in got) == "one two" and exc is not None


async def test_control_api(sim: Any) -> None:
    async with aiohttp.ClientSession() as s:
        async with s.post(sim.base + "/sim/fault", json={"spec": "429"}) as r:
            assert r.status == 200 and (await r.json())["fault"] == "429"
        st, _, _ = await raw_post(sim.url + "/chat/completions", {"model": "m", "messages": MSGS})
        assert st == 429
        async with s.delete(sim.base + "/sim/fault") as r:
            assert r.status == 200
        async with s.post(sim.base + "/sim/fault", json={"spec": "bogus"}) as r:
            assert r.status == 400 and "unknown fault" in (await r.json())["error"]["message"]
        async with s.post(sim.base + "/sim/script", json={"match": "ping", "replies": [{"content": "pong"}]}) as r:
            assert r.status == 200
        async with s.post(sim.base + "/sim/script", json={"match": "x", "replies": [{"nope": 1}]}) as r:
            assert r.status == 400
        st, _, raw = await raw_post(sim.url + "/chat/completions", {"model": "m", "messages": [{"role": "user", "content": "ping"}]})
        assert st == 200 and json.loads(raw)["choices"][0]["message"]["content"] == "pong"
        async with s.get(sim.base + "/sim/requests?limit=2") as r:
            body = await r.json()
            assert len(body["requests"]) == 2 and body["requests"][-1]["json"]["messages"][0]["content"] == "ping"
            assert body["total"] == 2  # control calls are not recorded


# ---- Anthropic face ------------------------------------------------------------------------
async def test_anthropic_plain_and_headers(sim: Any) -> None:
    c = ant(sim)
    raw = await c.messages.with_raw_response.create(model="claude-sim-1", max_tokens=200, system="Be brief.",
                                                    messages=[{"role": "user", "content": "What is the capital of France?"}])
    m = await raw.parse()
    assert m.type == "message" and m.role == "assistant" and m.stop_reason == "end_turn"
    assert "capital of France" in m.content[0].text
    assert m.usage.input_tokens > 0 and m.usage.output_tokens > 0
    assert m.usage.cache_creation_input_tokens == 0 and m.usage.cache_read_input_tokens == 0
    h = raw.headers
    assert h["request-id"].startswith("req_")
    reset = datetime.fromisoformat(h["anthropic-ratelimit-requests-reset"].replace("Z", "+00:00"))
    assert reset.tzinfo is not None
    assert int(h["anthropic-ratelimit-tokens-remaining"]) > 0


async def test_anthropic_stream_event_sequence_and_tools(sim: Any) -> None:
    c = ant(sim)
    msgs = [{"role": "user", "content": "hello there"}]
    plain = await c.messages.create(model="claude-sim-1", max_tokens=100, messages=msgs)
    types = []
    async with c.messages.stream(model="claude-sim-1", max_tokens=100, messages=msgs) as s:
        async for ev in s:
            types.append(ev.type)
        final = await s.get_final_message()
    assert final.content[0].text == plain.content[0].text and final.usage.output_tokens == plain.usage.output_tokens
    status, _, raw = await raw_post(sim.url + "/messages", {"model": "c", "max_tokens": 50, "messages": msgs, "stream": True},
                                    {"x-api-key": "x", "anthropic-version": "2023-06-01"})
    names = [ln[7:] for ln in raw.decode().split("\n") if ln.startswith("event: ")]
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"] and "content_block_delta" in names
    tool = {"name": "get_weather", "description": "w", "input_schema": WEATHER["function"]["parameters"]}
    tm = await c.messages.create(model="c", max_tokens=100, tools=[tool], messages=[{"role": "user", "content": "call get_weather"}])
    assert tm.stop_reason == "tool_use" and tm.content[0].type == "tool_use" and tm.content[0].id.startswith("toolu_")
    jsonschema.validate(tm.content[0].input, tool["input_schema"])
    async with c.messages.stream(model="c", max_tokens=100, tools=[tool], messages=[{"role": "user", "content": "call get_weather"}]) as s:
        deltas = [ev async for ev in s if ev.type == "content_block_delta"]
        streamed = await s.get_final_message()
    assert streamed.content[0].input == tm.content[0].input and len(deltas) > 3
    assert all(d.delta.type == "input_json_delta" for d in deltas)
    # a tool_result turn gets a text answer
    follow = await c.messages.create(model="c", max_tokens=100, tools=[tool], messages=[
        {"role": "user", "content": "call get_weather"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": tm.content[0].id, "name": "get_weather", "input": tm.content[0].input}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tm.content[0].id, "content": "rainy"}]},
    ])
    assert follow.stop_reason == "end_turn" and "rainy" in follow.content[0].text


async def test_anthropic_errors_and_cache_tokens(sim: Any) -> None:
    c = ant(sim)
    msgs = [{"role": "user", "content": "hi"}]
    with pytest.raises(anthropic.APIStatusError) as e:
        await c.messages.create(model="c", max_tokens=10, messages=msgs, extra_headers={"x-sim-fault": "529"})
    assert e.value.status_code == 529 and e.value.body["error"]["type"] == "overloaded_error" and e.value.body["type"] == "error"
    with pytest.raises(anthropic.RateLimitError) as e:
        await c.messages.create(model="c", max_tokens=10, messages=msgs, extra_headers={"x-sim-fault": "429"})
    assert e.value.body["error"]["type"] == "rate_limit_error" and e.value.response.headers["retry-after"] == "1"
    st, _, raw = await raw_post(sim.url + "/messages", {"model": "c", "max_tokens": 5, "messages": msgs}, {"anthropic-version": "2023-06-01"})
    assert st == 401 and json.loads(raw)["error"]["type"] == "authentication_error"
    st, _, raw = await raw_post(sim.url + "/messages", {"model": "c", "max_tokens": 5, "messages": msgs}, {"x-api-key": "k"})
    assert st == 400 and json.loads(raw)["error"]["type"] == "invalid_request_error"
    st, _, raw = await raw_post(sim.url + "/messages", b"{bad", {"x-api-key": "k", "anthropic-version": "2023-06-01"})
    assert st == 400 and json.loads(raw)["type"] == "error"
    with pytest.raises(anthropic.APIError):
        async with c.messages.stream(model="c", max_tokens=50, messages=msgs, extra_headers={"x-sim-fault": "error_event=3"}) as s:
            async for _ in s:
                pass
    system = [{"type": "text", "text": "You are a careful assistant. " * 40, "cache_control": {"type": "ephemeral"}}]
    first = await c.messages.create(model="c", max_tokens=10, system=system, messages=msgs)
    second = await c.messages.create(model="c", max_tokens=10, system=system, messages=msgs)
    assert first.usage.cache_creation_input_tokens > 0 and first.usage.cache_read_input_tokens == 0
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens and second.usage.cache_creation_input_tokens == 0
    assert second.usage.input_tokens == first.usage.input_tokens


async def test_anthropic_scripted_tool_use(sim: Any) -> None:
    sim.script("weather", [{"tool_calls": [{"name": "lookup", "arguments": {"q": "Paris"}}]}, {"content": "It is sunny."}])
    c = ant(sim)
    r1 = await c.messages.create(model="c", max_tokens=50, messages=[{"role": "user", "content": "weather?"}])
    assert r1.content[0].type == "tool_use" and r1.content[0].input == {"q": "Paris"}
    r2 = await c.messages.create(model="c", max_tokens=50, messages=[{"role": "user", "content": "weather?"}])
    assert r2.content[0].text == "It is sunny."


RESPONSE_EVENTS = {
    "response.created": "ResponseCreatedEvent", "response.in_progress": "ResponseInProgressEvent",
    "response.output_item.added": "ResponseOutputItemAddedEvent", "response.content_part.added": "ResponseContentPartAddedEvent",
    "response.output_text.delta": "ResponseTextDeltaEvent", "response.output_text.done": "ResponseTextDoneEvent",
    "response.content_part.done": "ResponseContentPartDoneEvent", "response.output_item.done": "ResponseOutputItemDoneEvent",
    "response.completed": "ResponseCompletedEvent",
}


async def test_other_bodies_validate_against_the_spec(sim: Any) -> None:
    _, _, raw = await raw_post(sim.url + "/responses", {"model": "m", "input": "hi"})
    assert conformance.check("Response", json.loads(raw), "responses") == []
    _, _, raw = await raw_post(sim.url + "/responses", {"model": "m", "input": [{"role": "user", "content": "hi"}], "stream": True})
    events = [json.loads(e) for e in conformance.sse_events(raw.decode())]
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    for e in events:
        assert conformance.check(RESPONSE_EVENTS[e["type"]], e, e["type"]) == []
    tc = {"model": "m", "messages": [{"role": "user", "content": "call get_weather"}], "tools": [WEATHER]}
    _, _, raw = await raw_post(sim.url + "/chat/completions", tc)
    assert conformance.check("CreateChatCompletionResponse", json.loads(raw), "tool call") == []
    _, _, raw = await raw_post(sim.url + "/completions", {"model": "m", "prompt": "hi"})
    assert conformance.check("CreateCompletionResponse", json.loads(raw), "completion") == []
    async with aiohttp.ClientSession() as s:
        async with s.get(sim.url + "/models/x") as r:
            assert conformance.check("Model", await r.json(), "model") == []


async def test_cli_simulate_serves_until_interrupted() -> None:
    import os
    import signal
    import socket
    import sys

    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        port = sk.getsockname()[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sys; from proxy.cli import main; sys.exit(main(sys.argv[1:]))",
        "simulate", "--port", str(port), "--seed", "5", "--delay-ms", "0",
        env={**os.environ, "PYTHONPATH": root}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        async with aiohttp.ClientSession() as s:
            for _ in range(200):
                try:
                    async with s.get(f"http://127.0.0.1:{port}/sim/health") as r:
                        cfg = (await r.json())["config"]
                        break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.05)
            else:
                raise AssertionError("bulwark simulate did not come up")
        assert cfg["seed"] == 5
        r = await openai.AsyncOpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="x", max_retries=0).chat.completions.create(
            model="gpt-4o-mini", messages=MSGS)
        assert "capital of France" in r.choices[0].message.content
    finally:
        proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(proc.wait(), 10)
    assert code in (0, 130)


def _random_value(rng: Any, depth: int = 0) -> Any:
    kinds = ["none", "int", "float", "str", "bool", "list", "dict", "big"] if depth < 3 else ["none", "int", "str", "bool"]
    k = rng.choice(kinds)
    if k == "none":
        return None
    if k == "int":
        return rng.choice([0, -1, 1, 2**40, 3])
    if k == "float":
        return rng.choice([0.5, -1e308, 1e-9])
    if k == "str":
        return rng.choice(["", "x", "call get_weather", "\u0000\ud7ff", "stream", "a" * 3000])
    if k == "bool":
        return rng.choice([True, False])
    if k == "list":
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if k == "big":
        return {"type": "function", "function": {"name": "get_weather", "parameters": _random_value(rng, depth + 1)}}
    return {rng.choice(["role", "content", "type", "text", "name", "function", "properties"]): _random_value(rng, depth + 1)
            for _ in range(rng.randint(0, 3))}


async def test_fuzzed_bodies_never_break_the_simulator(sim: Any) -> None:
    import random

    rng = random.Random(1234)
    bases = {
        "/chat/completions": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "tools": [WEATHER], "stream": False},
        "/completions": {"model": "m", "prompt": "hi", "max_tokens": 5},
        "/embeddings": {"model": "e", "input": "hi", "dimensions": 4},
        "/responses": {"model": "m", "input": "hi"},
        "/messages": {"model": "c", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}], "tools": [
            {"name": "get_weather", "input_schema": WEATHER["function"]["parameters"]}]},
    }
    anth = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    async with aiohttp.ClientSession() as s:
        for i in range(250):
            path = rng.choice(list(bases))
            body = json.loads(json.dumps(bases[path]))
            target = body
            if rng.random() < 0.5 and isinstance(body.get("messages"), list):
                target = body["messages"][0]
            key = rng.choice(list(target) + ["tool_choice", "stream", "stream_options", "encoding_format", "system", "n"])
            target[key] = _random_value(rng)
            async with s.post(sim.url + path, data=json.dumps(body), headers={"content-type": "application/json", **anth}) as r:
                raw = await r.read()
                assert r.status in (200, 400), (path, body, r.status, raw[:300])
                if r.content_type == "application/json":
                    json.loads(raw)
                else:
                    assert r.content_type == "text/event-stream" and r.status == 200
        for junk in (b"", b"null", b"[]", b"\xff\xfe", b'{"model": 1}', b"1e999999"):
            for path in bases:
                async with s.post(sim.url + path, data=junk, headers=anth) as r:
                    assert r.status == 400, (path, junk, r.status)
    # still healthy
    assert (await oai(sim).chat.completions.create(model="m", messages=MSGS)).choices[0].message.content


async def test_n_choices_plain_and_streamed(sim: Any) -> None:
    c = oai(sim)
    one = await c.chat.completions.create(model="m", messages=MSGS)
    r = await c.chat.completions.create(model="m", messages=MSGS, n=3)
    assert [ch.index for ch in r.choices] == [0, 1, 2] and all(ch.message.content == one.choices[0].message.content for ch in r.choices)
    assert r.usage.completion_tokens == 3 * one.usage.completion_tokens
    texts: dict[int, str] = {}
    async for ch in await c.chat.completions.create(model="m", messages=MSGS, n=2, stream=True):
        for choice in ch.choices:
            texts[choice.index] = texts.get(choice.index, "") + (choice.delta.content or "")
    assert texts == {0: one.choices[0].message.content, 1: one.choices[0].message.content}
    _, _, raw = await raw_post(sim.url + "/chat/completions", {"model": "m", "messages": MSGS, "n": 2, "stream": True,
                                                                "stream_options": {"include_usage": True}})
    assert conformance.check_stream(raw.decode(), "n=2", want_usage=True) == []
    st, _, _ = await raw_post(sim.url + "/chat/completions", {"model": "m", "messages": MSGS, "n": 0})
    assert st == 400


async def test_rehearsal_through_bulwark(sim: Any) -> None:
    """The product path: a user sends x-sim-fault through Bulwark and sees the outage as their app would."""
    from tests.helpers import base_config, openai_client, start_proxy

    proxy = await start_proxy(base_config(sim.url))
    try:
        c = openai_client(proxy.url)
        ok = await c.chat.completions.create(model="gpt-4o-mini", messages=MSGS)
        direct = await oai(sim).chat.completions.create(model="gpt-4o-mini", messages=MSGS)
        assert ok.choices[0].message.content == direct.choices[0].message.content
        with pytest.raises(openai.RateLimitError) as e:
            await c.chat.completions.create(model="gpt-4o-mini", messages=MSGS, **fault("429:retry=2"))
        assert e.value.response.headers["retry-after"] == "2" and e.value.response.headers["retry-after-ms"] == "2000"
        assert sim.requests[-1]["headers"]["x-sim-fault"] == "429:retry=2"
        # with a pause between events the client sees the partial answer, then the break (at delay 0 the
        # close arrives with the data and the proxy's aiohttp reader reports only the break)
        got, exc = await collect(await c.chat.completions.create(
            model="gpt-4o-mini", messages=MSGS, stream=True, extra_headers={"x-sim-fault": "cut=3", "x-sim-delay-ms": "5"}))
        assert len(got) == 3 and isinstance(exc, openai.APIError) and "stream" in str(exc)
        assert not any(ch.choices[0].finish_reason for ch in got)
        sim.set_fault("503")
        with pytest.raises(openai.InternalServerError) as e:
            await c.chat.completions.create(model="gpt-4o-mini", messages=MSGS)
        assert e.value.status_code == 503
    finally:
        await proxy.aclose()


async def test_config_knobs_model_prefix_recording_cap_and_anthropic_off() -> None:
    sim = await start(SimulatorConfig(model_prefix="sim-", max_recorded=3), anthropic=False, embedding_dim=4)
    try:
        c = oai(sim)
        r = await c.chat.completions.create(model="gpt-4o", messages=MSGS)
        assert r.model == "sim-gpt-4o"
        for i in range(4):
            await c.embeddings.create(model="e", input=f"text {i}", encoding_format="float")
        assert len(sim.requests) == 3 and sim.requests[-1]["json"]["input"] == "text 3"
        assert len((await c.embeddings.create(model="e", input="x")).data[0].embedding) == 4
        st, _, raw = await raw_post(sim.url + "/messages", {"model": "c", "max_tokens": 5, "messages": MSGS[1:]},
                                    {"x-api-key": "k", "anthropic-version": "2023-06-01"})
        assert st == 404
    finally:
        await sim.aclose()


async def test_anthropic_stream_cut_stop_sequences_and_refusal(sim: Any) -> None:
    c = ant(sim)
    msgs = [{"role": "user", "content": "hello there"}]
    got: list[Any] = []
    with pytest.raises(Exception) as e:  # the SDK lets the transport error through mid-stream
        async with c.messages.stream(model="c", max_tokens=50, messages=msgs,
                                     extra_headers={"x-sim-fault": "cut=4", "x-sim-delay-ms": "2"}) as s:
            async for ev in s:
                got.append(ev.type)
    assert "incomplete chunked read" in str(e.value) or isinstance(e.value, anthropic.APIConnectionError)
    assert got[:2] == ["message_start", "content_block_start"] and "content_block_delta" in got and "message_stop" not in got
    r = await c.messages.create(model="c", max_tokens=50, messages=msgs, stop_sequences=["reply"])
    assert r.stop_reason == "stop_sequence" and r.stop_sequence == "reply" and r.content[0].text == "Simulated "
    r = await c.messages.create(model="c", max_tokens=50, messages=msgs, extra_headers={"x-sim-fault": "content_filter"})
    assert r.stop_reason == "refusal"
    r = await c.messages.create(model="c", max_tokens=2, messages=msgs)
    assert r.stop_reason == "max_tokens" and r.usage.output_tokens <= 2


# -- /v1/responses: items, tools, json_schema, and every fault kind ------------------------------------
RESP_TOOL = {"type": "function", "name": "get_weather", "parameters": WEATHER["function"]["parameters"]}


async def test_responses_items_tools_and_json_schema(sim: Any) -> None:
    c = oai(sim)
    r = await c.responses.create(model="gpt-4o-mini", input="Please call get_weather", tools=[RESP_TOOL])
    call = r.output[-1]
    assert call.type == "function_call" and json.loads(call.arguments)["city"] and r.status == "completed"
    after = await c.responses.create(model="gpt-4o-mini", tools=[RESP_TOOL], input=[
        {"role": "user", "content": "Please call get_weather"},
        {"type": "function_call", "call_id": call.call_id, "name": "get_weather", "arguments": call.arguments},
        {"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}])
    assert after.output[0].type == "message" and "sunny" in after.output_text  # the tool result is answered in text
    schema = {"type": "object", "properties": {"n": {"type": "integer"}, "tag": {"type": "string"}}, "required": ["n", "tag"]}
    j = await c.responses.create(model="gpt-4o-mini", input="a number", text={"format": {"type": "json_schema", "name": "x", "schema": schema}})
    jsonschema.validate(json.loads(j.output_text), schema)
    cut = await c.responses.create(model="gpt-4o-mini", input="Tell me a long story about rivers", max_output_tokens=3)
    assert cut.status == "incomplete" and cut.incomplete_details.reason == "max_output_tokens" and cut.usage.output_tokens <= 3
    events = [e async for e in await c.responses.create(model="gpt-4o-mini", input="Please call get_weather", tools=[RESP_TOOL], stream=True)]
    kinds = [e.type for e in events]
    assert "response.function_call_arguments.delta" in kinds and kinds[-1] == "response.completed"
    assert "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta") == events[-1].response.output[0].arguments


@pytest.mark.parametrize("spec, check", [
    ("cut=3", "cut"), ("stall=3", "stall"), ("malformed=3", "malformed"), ("error_event=3", "error_event"),
])
async def test_responses_stream_faults(spec: str, check: str) -> None:
    async with await start(seed=0) as s:
        timeout = aiohttp.ClientTimeout(total=1.5)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            async with http.post(s.url + "/responses", json={"model": "m", "input": "hi", "stream": True},
                                 headers={"x-sim-fault": spec}) as r:
                assert r.status == 200
                got = b""
                try:
                    async for chunk in r.content.iter_any():
                        got += chunk
                except (aiohttp.ClientPayloadError, asyncio.TimeoutError):
                    got += b"<broken>"
        events = [b for b in got.split(b"\n\n") if b.strip(b"<broken>")]
        assert b"response.completed" not in got
        if check == "cut":
            assert got.endswith(b"<broken>") or len(events) == 3
        elif check == "stall":
            assert got.endswith(b"<broken>") and got.count(b"event: ") == 3
        elif check == "malformed":
            assert got.rstrip().endswith(b"data: {not json")
        else:
            last = json.loads(got.rstrip().split(b"data: ")[-1])
            assert last["type"] == "error" and last["code"] == "server_error"


@pytest.mark.parametrize("spec, status", [("429", 429), ("503", 503), ("500", 500), ("context_length", 400)])
async def test_responses_status_faults_are_openai_errors(sim: Any, spec: str, status: int) -> None:
    st, headers, raw = await raw_post(sim.url + "/responses", {"model": "m", "input": "hi"}, {"x-sim-fault": spec})
    assert st == status and conformance.check("ErrorResponse", json.loads(raw), spec) == []
    if status == 429:
        assert {k.lower(): v for k, v in headers.items()}["retry-after"] == "1"


@pytest.mark.parametrize("spec", ["content_filter", "length", "empty"])
async def test_responses_content_faults(sim: Any, spec: str) -> None:
    _, _, raw = await raw_post(sim.url + "/responses", {"model": "m", "input": "Tell me about rivers today"}, {"x-sim-fault": spec})
    r = json.loads(raw)
    assert conformance.check("Response", r, spec) == []
    text = r["output"][0]["content"][0]["text"]
    if spec == "empty":
        assert text == "" and r["status"] == "completed"
    else:
        assert r["status"] == "incomplete" and r["incomplete_details"]["reason"] == ("content_filter" if spec == "content_filter" else "max_output_tokens")


async def test_responses_plain_faults_break_the_body(sim: Any) -> None:
    st, _, raw = await raw_post(sim.url + "/responses", {"model": "m", "input": "hi"}, {"x-sim-fault": "malformed=1"})
    assert st == 200 and raw == b"{not json"


async def test_messages_count_tokens(sim: Any) -> None:
    a = ant(sim)
    msgs = [{"role": "user", "content": "How many tokens is this?"}]
    n = await a.messages.count_tokens(model="claude-sonnet-4-5", messages=msgs, system="Be brief.")
    full = await a.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=msgs, system="Be brief.")
    assert n.input_tokens == full.usage.input_tokens  # the same count the answer reports
    with pytest.raises(anthropic.BadRequestError):
        await a.messages.count_tokens(model="claude-sonnet-4-5", messages=[])
