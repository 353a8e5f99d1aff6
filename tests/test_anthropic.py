"""Anthropic provider: translation both ways, checked with the anthropic and openai SDKs' own types."""
from __future__ import annotations

import re
import sys
from typing import Any

import aiohttp
import openai
import openai.types.chat as oa
import orjson
import pydantic
import pytest
from aiohttp import web
from anthropic.types import Message, RawMessageStreamEvent
from anthropic.types import message_create_params as mcp
from multidict import CIMultiDict

from proxy.config import parse_config
from proxy.context import CHAT, RequestContext
from proxy.errors import BadRequest, ConfigError, UpstreamStreamError
from proxy.providers.anthropic import AnthropicProvider, go_duration, openai_error, openai_headers, to_anthropic, to_openai
from proxy.services import Services
from proxy.state.memory import MemoryState
from tests.helpers import shared_dir

sys.path.insert(0, str(shared_dir() / "tools"))
import openai_conformance as conf  # noqa: E402

_PARAMS = pydantic.TypeAdapter(mcp.MessageCreateParamsNonStreaming)
_EVENT = pydantic.TypeAdapter(RawMessageStreamEvent)


def deep(v: Any) -> Any:
    """Force pydantic's lazy Iterable validators so nested blocks are validated too."""
    if isinstance(v, dict):
        return {k: deep(x) for k, x in v.items()}
    if isinstance(v, (str, bytes, int, float, bool)) or v is None:
        return v
    if hasattr(v, "__iter__"):
        return [deep(x) for x in v]
    return v


def check_params(req: dict[str, Any]) -> dict[str, Any]:
    return deep(_PARAMS.validate_python({k: v for k, v in req.items() if k != "stream"}))


def make_ctx(body: dict[str, Any]) -> RequestContext:
    return RequestContext("req_1", CHAT, "POST", "/chat/completions", "", CIMultiDict(), orjson.dumps(body))


class Upstream:
    """A tiny Anthropic stand-in on loopback (aioresponses 0.7.9 cannot build aiohttp 3.14 responses)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.reply: tuple[int, bytes, str, dict[str, str]] = (200, b"{}", "application/json", {})

    def set(self, status: int = 200, *, payload: Any = None, body: bytes | None = None,
            content_type: str = "application/json", headers: dict[str, str] | None = None) -> None:
        self.reply = (status, body if body is not None else orjson.dumps(payload), content_type, headers or {})

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), orjson.loads(await request.read())))
        status, body, ctype, headers = self.reply
        return web.Response(status=status, body=body, content_type=ctype, headers=headers)


@pytest.fixture
async def upstream() -> Any:
    up = Upstream()
    app = web.Application()
    app.router.add_post("/v1/messages", up.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    up.base = f"http://127.0.0.1:{runner.addresses[0][1]}"  # type: ignore[attr-defined]
    yield up
    await runner.cleanup()


@pytest.fixture
async def provider(monkeypatch: pytest.MonkeyPatch, upstream: Upstream) -> Any:
    monkeypatch.setenv("FB_ANTHROPIC_KEY", "sk-ant-xyz")
    cfg = parse_config({"providers": {"claude": {"type": "anthropic", "base_url": upstream.base, "api_key_env": "FB_ANTHROPIC_KEY"}}})  # type: ignore[attr-defined]
    async with aiohttp.ClientSession() as session:
        services = Services(config=cfg, state=MemoryState(), session=session)
        p = AnthropicProvider("claude", cfg.providers["claude"], services)
        p._upstream = upstream  # type: ignore[attr-defined]
        yield p


# -- request translation --------------------------------------------------------------------
def test_request_translation_full() -> None:
    body = {
        "model": "gpt-4",
        "messages": [
            {"role": "system", "content": "Be terse."},
            {"role": "developer", "content": [{"type": "text", "text": "Use metric units."}]},
            {"role": "user", "content": [
                {"type": "text", "text": "What is in these?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
            ]},
            {"role": "assistant", "content": "Checking.", "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Oslo\"}"}},
                {"id": "call_2", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Bergen\"}"}},
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": "3 C"},
            {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "5 C"}]},
            {"role": "user", "content": "Thanks, and tomorrow?"},
        ],
        "max_completion_tokens": 300, "max_tokens": 100, "stop": "END", "temperature": 1.5, "top_p": 0.9, "user": "u-1",
        "tools": [{"type": "function", "function": {"name": "weather", "description": "Weather now", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
        "tool_choice": {"type": "function", "function": {"name": "weather"}},
        "parallel_tool_calls": False,
        "frequency_penalty": 0.5,
    }
    req = to_anthropic(body, "claude-3-5-haiku-latest")
    check_params(req)
    assert req["model"] == "claude-3-5-haiku-latest"
    assert req["max_tokens"] == 300  # max_completion_tokens wins
    assert req["system"] == [{"type": "text", "text": "Be terse."}, {"type": "text", "text": "Use metric units."}]
    assert req["stop_sequences"] == ["END"]
    assert req["temperature"] == 1.0 and req["top_p"] == 0.9
    assert req["metadata"] == {"user_id": "u-1"}
    assert "frequency_penalty" not in req
    assert req["tools"] == [{"name": "weather", "description": "Weather now", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}]
    assert req["tool_choice"] == {"type": "tool", "name": "weather", "disable_parallel_tool_use": True}
    msgs = req["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant", "user"]
    assert msgs[0]["content"][1] == {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}
    assert msgs[0]["content"][2] == {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}}
    assert msgs[1]["content"][1] == {"type": "tool_use", "id": "call_1", "name": "weather", "input": {"city": "Oslo"}}
    # both tool results merged into one user turn, before the user's follow-up text
    blocks = msgs[2]["content"]
    assert [b["type"] for b in blocks] == ["tool_result", "tool_result", "text"]
    assert blocks[0] == {"type": "tool_result", "tool_use_id": "call_1", "content": "3 C"}
    assert blocks[1]["content"] == [{"type": "text", "text": "5 C"}]


@pytest.mark.parametrize(("choice", "want"), [
    ("auto", {"type": "auto"}), ("required", {"type": "any"}), ("none", {"type": "none"}),
])
def test_tool_choice_strings(choice: str, want: dict[str, Any]) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "tool_choice": choice,
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]}
    req = to_anthropic(body, None)
    check_params(req)
    assert req["tool_choice"] == want
    assert req["max_tokens"] == 4096 and req["model"] == "m"


def test_max_tokens_fallbacks_and_parallel_flag() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 77, "parallel_tool_calls": False,
            "tools": [{"type": "function", "function": {"name": "f"}}]}
    req = to_anthropic(body, None, default_max_tokens=10)
    assert req["max_tokens"] == 77
    assert req["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    assert to_anthropic({"model": "m", "messages": [{"role": "user", "content": "x"}]}, None, 10)["max_tokens"] == 10


@pytest.mark.parametrize(("body", "param"), [
    ({"model": "m", "n": 2, "messages": [{"role": "user", "content": "hi"}]}, "n"),
    ({"model": "m", "messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}]}, "messages[0].content[0]"),
    ({"model": "m", "messages": [{"role": "assistant", "content": None, "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{bad"}}]}]}, "messages[0].tool_calls[0].function.arguments"),
    ({"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "ftp://x"}}]}]}, "messages[0].content[0].image_url"),
])
def test_untranslatable_requests_are_400(body: dict[str, Any], param: str) -> None:
    with pytest.raises(BadRequest) as ei:
        to_anthropic(body, None)
    assert ei.value.status == 400 and ei.value.param == param


# -- answer translation ---------------------------------------------------------------------
def _message(**over: Any) -> dict[str, Any]:
    data = {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant", "model": "claude-3-5-haiku-20241022",
        "content": [{"type": "text", "text": "Let me check."},
                    {"type": "tool_use", "id": "toolu_01A", "name": "weather", "input": {"city": "Oslo"}}],
        "stop_reason": "tool_use", "stop_sequence": None,
        "usage": {"input_tokens": 100, "output_tokens": 20, "cache_creation_input_tokens": 30, "cache_read_input_tokens": 50},
    }
    data.update(over)
    return Message.model_validate(data).model_dump(mode="json", exclude_none=True)


def test_message_to_chat_completion() -> None:
    out = to_openai(_message(), "claude-3-5-haiku")
    oa.ChatCompletion.model_validate(out)
    conf.check("CreateChatCompletionResponse", out, "translated")
    assert out["id"].startswith("chatcmpl-") and out["object"] == "chat.completion"
    assert out["model"] == "claude-3-5-haiku-20241022"
    choice = out["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] == "Let me check."
    assert choice["message"]["tool_calls"] == [{"id": "toolu_01A", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Oslo\"}"}}]
    u = out["usage"]
    assert (u["prompt_tokens"], u["completion_tokens"], u["total_tokens"]) == (180, 20, 200)
    assert u["prompt_tokens_details"]["cached_tokens"] == 50


@pytest.mark.parametrize(("reason", "finish"), [("end_turn", "stop"), ("stop_sequence", "stop"), ("pause_turn", "stop"),
                                                ("max_tokens", "length"), ("refusal", "content_filter"), ("tool_use", "tool_calls")])
def test_stop_reasons(reason: str, finish: str) -> None:
    assert to_openai(_message(stop_reason=reason))["choices"][0]["finish_reason"] == finish


def test_errors_rewrapped() -> None:
    status, body = openai_error(529, b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')
    assert status == 503 and body == {"error": {"message": "Overloaded", "type": "server_error", "param": None, "code": "overloaded"}}
    conf.check("ErrorResponse", body, "529")
    status, body = openai_error(429, b'{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}')
    assert status == 429 and body["error"]["code"] == "rate_limit_exceeded"
    status, body = openai_error(400, b'{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}')
    assert status == 400 and body["error"]["code"] == "context_length_exceeded"
    status, body = openai_error(502, b"<html>bad gateway</html>")
    assert status == 502 and body["error"]["type"] == "server_error"


def test_headers_and_durations() -> None:
    h = openai_headers({
        "request-id": "req_abc", "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "49",
        "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:01Z", "anthropic-ratelimit-tokens-reset": "2026-01-01T00:06:00Z",
        "retry-after": "3", "anthropic-organization-id": "org",
    }, now=1767225600.0)  # 2026-01-01T00:00:00Z
    assert h["x-request-id"] == "req_abc"
    assert h["x-ratelimit-limit-requests"] == "50" and h["x-ratelimit-remaining-requests"] == "49"
    assert h["x-ratelimit-reset-requests"] == "1s" and h["x-ratelimit-reset-tokens"] == "6m0s"
    assert h["retry-after"] == "3" and "anthropic-organization-id" not in h
    assert [go_duration(x) for x in (0.02, 8.64, 360, 3723)] == ["20ms", "8.64s", "6m0s", "1h2m3s"]


def test_bad_options_name_the_key() -> None:
    cfg = parse_config({"providers": {"c": {"type": "anthropic", "base_url": "https://x", "options": {"default_max_tokenz": 5}}}})
    with pytest.raises(ConfigError, match=r"providers\.c\.options\.default_max_tokenz"):
        AnthropicProvider("c", cfg.providers["c"], None)


# -- the provider over HTTP (a loopback stand-in upstream) -------------------------------------
def attempt_of(provider: Any, ctx: Any, model: str | None) -> Any:
    """The attempt dispatch would open for this call (model_map applied)."""
    return ctx.ledger.begin(provider.name, provider.kind, provider.upstream_model(model or ctx.model))

async def test_send_plain(provider: Any, upstream: Upstream) -> None:
    ctx = make_ctx({"model": "gpt-4", "messages": [{"role": "user", "content": "hi"}]})
    upstream.set(payload=_message(stop_reason="end_turn", content=[{"type": "text", "text": "Hello"}]),
                 headers={"request-id": "req_9", "anthropic-ratelimit-requests-remaining": "7"})
    resp = await provider.send(ctx, attempt_of(provider, ctx, "claude-3-5-haiku"))
    hdrs, sent = upstream.requests[-1]
    assert hdrs["x-api-key"] == "sk-ant-xyz" and hdrs["anthropic-version"] == "2023-06-01"
    check_params(sent)
    assert sent["model"] == "claude-3-5-haiku" and sent["max_tokens"] == 4096
    assert resp.status == 200 and resp.headers["x-request-id"] == "req_9" and resp.headers["x-ratelimit-remaining-requests"] == "7"
    body = resp.json()
    oa.ChatCompletion.model_validate(body)
    assert body["choices"][0]["message"]["content"] == "Hello"
    assert body["usage"]["prompt_tokens"] == 180 and body["usage"]["prompt_tokens_details"]["cached_tokens"] == 50


async def test_send_error_529(provider: Any, upstream: Upstream) -> None:
    ctx = make_ctx({"model": "gpt-4", "messages": [{"role": "user", "content": "hi"}]})
    upstream.set(529, payload={"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}, headers={"retry-after": "2"})
    resp = await provider.send(ctx, attempt_of(provider, ctx, None))
    assert resp.status == 503 and resp.headers["retry-after"] == "2"
    assert resp.json()["error"]["code"] == "overloaded"


# A stream in the shape of anthropic-sdk-python tests/lib/streaming/fixtures/tool_use_response.txt.
TOOL_STREAM = [
    ("message_start", {"type": "message_start", "message": {"id": "msg_01Xk", "type": "message", "role": "assistant", "model": "claude-3-5-haiku-20241022", "content": [], "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 473, "output_tokens": 2, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 100}}}),
    ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    ("ping", {"type": "ping"}),
    ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Let me check"}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": " the weather."}}),
    ("content_block_stop", {"type": "content_block_stop", "index": 0}),
    ("content_block_start", {"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "id": "toolu_01T1", "name": "get_weather", "input": {}}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": ""}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "{\"location\": \"San Fra"}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "ncisco, CA\"}"}}),
    ("content_block_stop", {"type": "content_block_stop", "index": 1}),
    ("content_block_start", {"type": "content_block_start", "index": 2, "content_block": {"type": "tool_use", "id": "toolu_01T2", "name": "get_time", "input": {}}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": "{}"}}),
    ("content_block_stop", {"type": "content_block_stop", "index": 2}),
    ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None}, "usage": {"output_tokens": 89}}),
    ("message_stop", {"type": "message_stop"}),
]


def sse(events: list[tuple[str, dict[str, Any]]]) -> bytes:
    return b"".join(b"event: " + k.encode() + b"\ndata: " + orjson.dumps(v) + b"\n\n" for k, v in events)


def test_recorded_stream_is_valid_anthropic() -> None:
    for _, data in TOOL_STREAM:
        if data["type"] != "ping":
            _EVENT.validate_python(data)


async def _stream_chunks(provider: Any, events: bytes, include_usage: bool) -> tuple[list[Any], str]:
    body: dict[str, Any] = {"model": "gpt-4", "stream": True, "messages": [{"role": "user", "content": "weather?"}]}
    if include_usage:
        body["stream_options"] = {"include_usage": True}
    ctx = make_ctx(body)
    provider._upstream.set(200, body=events, content_type="text/event-stream")
    resp = await provider.send(ctx, attempt_of(provider, ctx, "claude-3-5-haiku"))
    out = [ev async for ev in resp.stream]
    raw = b"".join(ev.raw for ev in out).decode()
    return out, raw


@pytest.mark.parametrize("include_usage", [True, False])
async def test_stream_with_tools(provider: Any, include_usage: bool) -> None:
    out, raw = await _stream_chunks(provider, sse(TOOL_STREAM), include_usage)
    assert out[-1].is_done and "ping" not in raw and "event:" not in raw
    conf.check_stream(raw, "translated", want_usage=include_usage)
    chunks = [oa.ChatCompletionChunk.model_validate(ev.json()) for ev in out[:-1]]
    assert len({c.id for c in chunks}) == 1 and chunks[0].id.startswith("chatcmpl-")
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Let me check the weather."
    calls: dict[int, dict[str, str]] = {}
    for c in chunks:
        for tc in (c.choices[0].delta.tool_calls or []) if c.choices else []:
            d = calls.setdefault(tc.index, {"id": "", "name": "", "args": ""})
            d["id"] += tc.id or ""
            d["name"] += (tc.function.name or "") if tc.function else ""
            d["args"] += (tc.function.arguments or "") if tc.function else ""
    # Anthropic block 1 is tool call 0, block 2 is tool call 1
    assert calls == {0: {"id": "toolu_01T1", "name": "get_weather", "args": "{\"location\": \"San Francisco, CA\"}"},
                     1: {"id": "toolu_01T2", "name": "get_time", "args": "{}"}}
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert len(finals) == 1 and finals[0].choices[0].finish_reason == "tool_calls"
    usage = [c for c in chunks if not c.choices]
    if include_usage:
        assert len(usage) == 1 and usage[0].usage.prompt_tokens == 573 and usage[0].usage.completion_tokens == 89
        assert usage[0].usage.prompt_tokens_details.cached_tokens == 100
    else:
        assert usage == [] and '"usage"' not in raw


@pytest.mark.parametrize(("events", "reason"), [
    (TOOL_STREAM[:5], "cut"),
    (TOOL_STREAM[:4] + [("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})], "error_event"),
])
async def test_stream_failures_raise(provider: Any, events: list[tuple[str, dict[str, Any]]], reason: str) -> None:
    with pytest.raises(UpstreamStreamError) as ei:
        await _stream_chunks(provider, sse(events), False)
    assert ei.value.reason == reason


async def test_stream_malformed_event(provider: Any) -> None:
    with pytest.raises(UpstreamStreamError) as ei:
        await _stream_chunks(provider, sse(TOOL_STREAM[:3]) + b"event: content_block_delta\ndata: {not json\n\n", False)
    assert ei.value.reason == "malformed"


def test_no_anthropic_naming_leaks() -> None:
    out = to_openai(_message())
    assert not re.search(r"msg_|anthropic|input_tokens|tool_use\b", orjson.dumps(out).decode().replace("toolu_", ""))


# -- end to end: the official openai SDK through Bulwark to the simulator's Anthropic face ----------
async def test_sdk_cannot_tell_anthropic_from_openai(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from tests.helpers import base_config, openai_client, start_proxy, start_simulator

    monkeypatch.setenv("FB_ANTHROPIC_KEY", "sk-ant-xyz")
    sim = await start_simulator()
    cfg = base_config(sim.url, providers={"claude": {"type": "anthropic", "base_url": sim.base, "api_key_env": "FB_ANTHROPIC_KEY"}},
                      models={"routes": {"gpt-4": {"provider": "claude", "model": "claude-3-5-haiku"}}},
                      state={"backend": "memory", "data_dir": str(tmp_path)})
    proxy = await start_proxy(cfg)
    try:
        client = openai_client(proxy.url)
        tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
        msgs = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Weather in Oslo?"}]
        raw = await client.chat.completions.with_raw_response.create(model="gpt-4", messages=msgs, tools=tools, tool_choice="required")
        c = raw.parse()
        assert raw.headers["x-request-id"] and raw.headers["x-ratelimit-remaining-requests"]
        assert c.choices[0].finish_reason == "tool_calls" and c.choices[0].message.tool_calls[0].function.name == "get_weather"
        conf.check("CreateChatCompletionResponse", c.model_dump(exclude_none=True), "e2e")
        sent = [r for r in sim.requests if r.get("path", "").endswith("/messages")][-1]["json"]
        assert sent["system"] == "You are terse." and sent["tool_choice"] == {"type": "any"} and sent["max_tokens"] == 4096
        chunks = [ch async for ch in await client.chat.completions.create(
            model="gpt-4", messages=msgs, tools=tools, tool_choice="required", stream=True, stream_options={"include_usage": True})]
        calls = [tc for ch in chunks if ch.choices for tc in (ch.choices[0].delta.tool_calls or [])]
        assert calls[0].index == 0 and calls[0].id and calls[0].function.name == "get_weather"
        args = "".join(tc.function.arguments or "" for tc in calls if tc.function)
        assert "city" in orjson.loads(args)  # the fragments join into the tool's JSON arguments
        assert [ch.choices[0].finish_reason for ch in chunks if ch.choices][-1] == "tool_calls"
        assert chunks[-1].usage is not None and chunks[-1].usage.prompt_tokens > 0 and len({ch.id for ch in chunks}) == 1
        sim.set_fault("529")
        with pytest.raises(openai.InternalServerError) as ei:
            await client.chat.completions.create(model="gpt-4", messages=msgs)
        assert ei.value.status_code == 503 and ei.value.body["type"] == "server_error"
    finally:
        await proxy.aclose()
        await sim.aclose()
