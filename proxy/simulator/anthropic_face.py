"""Anthropic Messages face (`POST /v1/messages`): the real event sequence, tool_use blocks,
cache-token usage, Anthropic-shaped errors and `anthropic-ratelimit-*` headers; and
`POST /v1/messages/count_tokens`."""
from __future__ import annotations

import hashlib
from typing import Any

import orjson
from aiohttp import web

from ..tokens import count_messages, count_text, count_tools
from .answers import chat_last_user, resolve_answer, text_of
from .script import split_json, split_words
from .wire import ANTHROPIC, Call, api, new_id

_STOP = {"stop": "end_turn", "tool_calls": "tool_use", "length": "max_tokens", "content_filter": "refusal"}
_MAX_CACHE_KEYS = 4096


def precheck(call: Call) -> web.StreamResponse | None:
    h = call.request.headers
    if not h.get("x-api-key") and not h.get("authorization"):
        return call.error(401, "x-api-key header is required", type="authentication_error")
    if not h.get("anthropic-version"):
        return call.error(400, "anthropic-version: header is required", type="invalid_request_error")
    return None


def _tools(body: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    tools = body.get("tools")
    if isinstance(tools, list):
        for t in tools:
            if isinstance(t, dict) and isinstance(t.get("name"), str):
                out[t["name"]] = t.get("input_schema") or {"type": "object", "properties": {}}
    return out


def _forced(body: dict[str, Any], tools: dict[str, Any]) -> tuple[str | None, bool]:
    tc = body.get("tool_choice")
    if not isinstance(tc, dict):
        return None, False
    kind = tc.get("type")
    if kind == "none":
        return None, True
    if kind == "tool" and isinstance(tc.get("name"), str):
        return tc["name"], False
    if kind == "any" and tools:
        return next(iter(tools)), False
    return None, False


def _cache_usage(call: Call, body: dict[str, Any], model: str, total: int) -> tuple[int, int, int]:
    """(input, cache_creation, cache_read): the prefix up to the last `cache_control` marker is
    written to the simulated cache the first time it is seen and read from it afterwards."""
    parts: list[Any] = []
    marked = -1
    for t in body.get("tools") or ():
        parts.append(t)
        if isinstance(t, dict) and t.get("cache_control"):
            marked = len(parts)
    system = body.get("system")
    for blk in system if isinstance(system, list) else [system] if system else ():
        parts.append(blk)
        if isinstance(blk, dict) and blk.get("cache_control"):
            marked = len(parts)
    for m in body.get("messages") or ():
        content = m.get("content") if isinstance(m, dict) else None
        for blk in content if isinstance(content, list) else [content]:
            parts.append(blk)
            if isinstance(blk, dict) and blk.get("cache_control"):
                marked = len(parts)
    if marked < 0:
        return total, 0, 0
    prefix = orjson.dumps(parts[:marked])
    key = hashlib.blake2b(model.encode() + b"\x00" + prefix, digest_size=16).digest()
    n = min(total, count_text(" ".join(text_of([p]) if isinstance(p, dict) else str(p) for p in parts[:marked]), model))
    cache = call.state.cache_prefixes
    if key in cache:
        return total - n, 0, n
    if len(cache) >= _MAX_CACHE_KEYS:
        cache.pop(next(iter(cache)))
    cache[key] = None
    return total - n, n, 0


def _ev(kind: str, data: dict[str, Any]) -> bytes:
    return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


_ERROR_EVENT = _ev("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded (simulated error_event)"}})


def _input_tokens(body: dict[str, Any], model: str) -> int:
    """system + messages (text) + tools."""
    system = body.get("system")
    flat = [{"role": "system", "content": text_of(system)}] if system else []
    flat += [{"role": str(m.get("role", "user")), "content": text_of(m.get("content"))} for m in body.get("messages") or () if isinstance(m, dict)]
    return count_messages(flat, model) + count_tools(body.get("tools"), model)


async def count_tokens(call: Call) -> web.StreamResponse:
    """POST /v1/messages/count_tokens: what `messages` would count as input (no max_tokens)."""
    body = call.body
    model, msgs = body.get("model"), body.get("messages")
    if not isinstance(model, str) or not model:
        return call.error(400, "model: Field required")
    if not isinstance(msgs, list) or not msgs or not all(isinstance(m, dict) for m in msgs):
        return call.error(400, "messages: Field required (a non-empty list of messages)")
    return await call.send_json({"input_tokens": _input_tokens(body, model)})


async def messages(call: Call) -> web.StreamResponse:
    body = call.body
    model = body.get("model")
    msgs = body.get("messages")
    max_tokens = body.get("max_tokens")
    if not isinstance(model, str) or not model:
        return call.error(400, "model: Field required")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        return call.error(400, "max_tokens: Field required (a positive integer)")
    if not isinstance(msgs, list) or not msgs or not all(isinstance(m, dict) for m in msgs):
        return call.error(400, "messages: Field required (a non-empty list of messages)")
    for i, m in enumerate(msgs):
        if m.get("role") not in ("user", "assistant"):
            return call.error(400, f"messages.{i}.role: Input should be 'user' or 'assistant'")
        if not isinstance(m.get("content"), (str, list)):
            return call.error(400, f"messages.{i}.content: Input should be a string or a list of content blocks")
    if body.get("tools") is not None and not isinstance(body["tools"], list):
        return call.error(400, "tools: Input should be a valid list")
    if body.get("system") is not None and not isinstance(body["system"], (str, list)):
        return call.error(400, "system: Input should be a string or a list of text blocks")
    tools = _tools(body)
    forced, disabled = _forced(body, tools)
    if disabled:
        tools = {}
    ans = resolve_answer(call, model, msgs, tools, forced, max_tokens, call_prefix="toolu_")
    stop_reason = _STOP.get(ans.finish, ans.finish)
    stop_sequence = None
    content = ans.content
    stops = body.get("stop_sequences")
    if content and isinstance(stops, list):
        for s in stops:
            if isinstance(s, str) and s and s in content:
                content, stop_reason, stop_sequence = content[: content.index(s)], "stop_sequence", s
                break
    output_tokens = ans.completion_tokens if content == ans.content else count_text(content or "", model)

    total_in = _input_tokens(body, model)
    input_tokens, cache_write, cache_read = _cache_usage(call, body, model, total_in)

    mid = new_id("msg_")
    out_model = call.state.cfg.model_prefix + model
    blocks: list[dict[str, Any]] = []
    if content is not None and (content or not ans.calls):
        blocks.append({"type": "text", "text": content})
    for c in ans.calls:
        try:
            args = orjson.loads(c["arguments"])
        except orjson.JSONDecodeError:
            args = {}
        blocks.append({"type": "tool_use", "id": c["id"], "name": c["name"], "input": args})
    usage = {
        "input_tokens": input_tokens,
        "cache_creation_input_tokens": cache_write,
        "cache_read_input_tokens": cache_read,
        "output_tokens": output_tokens,
        "service_tier": "standard",
    }
    if body.get("stream") is not True:
        return await call.send_json(
            {"id": mid, "type": "message", "role": "assistant", "model": out_model, "content": blocks,
             "stop_reason": stop_reason, "stop_sequence": stop_sequence, "usage": usage}
        )
    events = [
        _ev("message_start", {"type": "message_start", "message": {
            "id": mid, "type": "message", "role": "assistant", "model": out_model, "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": {**usage, "output_tokens": 1}}})
    ]
    ping = _ev("ping", {"type": "ping"})
    for idx, blk in enumerate(blocks):
        if blk["type"] == "text":
            events.append(_ev("content_block_start", {"type": "content_block_start", "index": idx, "content_block": {"type": "text", "text": ""}}))
            if idx == 0:
                events.append(ping)
            for p in split_words(blk["text"], call.state.cfg.chunk_words):
                events.append(_ev("content_block_delta", {"type": "content_block_delta", "index": idx, "delta": {"type": "text_delta", "text": p}}))
        else:
            events.append(_ev("content_block_start", {"type": "content_block_start", "index": idx, "content_block": {
                "type": "tool_use", "id": blk["id"], "name": blk["name"], "input": {}}}))
            if idx == 0:
                events.append(ping)
            args = orjson.dumps(blk["input"]).decode()
            for frag in [""] + split_json(args):
                events.append(_ev("content_block_delta", {"type": "content_block_delta", "index": idx, "delta": {"type": "input_json_delta", "partial_json": frag}}))
        events.append(_ev("content_block_stop", {"type": "content_block_stop", "index": idx}))
    events.append(_ev("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": stop_sequence},
                                        "usage": {"output_tokens": output_tokens}}))
    events.append(_ev("message_stop", {"type": "message_stop"}))
    return await call.send_stream(events, _ERROR_EVENT, (out_model, usage))


def add_routes(app: web.Application) -> None:
    app.router.add_post("/v1/messages", api(ANTHROPIC, messages, chat_last_user, precheck=precheck))
    app.router.add_post("/v1/messages/count_tokens", api(ANTHROPIC, count_tokens, precheck=precheck))
