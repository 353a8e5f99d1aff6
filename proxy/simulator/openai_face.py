"""OpenAI-compatible endpoints of the simulator (wire formats per openai-conformance.md §2-4)."""
from __future__ import annotations

import base64
import hashlib
import math
import random
import struct
import time
from functools import lru_cache
from typing import Any

import orjson
from aiohttp import web

from ..tokens import count_messages, count_request, count_text
from .answers import _fit, _forced_tool, _half, _tools_map, chat_last_user, prompt_text, resolve_answer
from .script import answer_text, split_json, split_words
from .responses_face import responses
from .wire import OPENAI, Call, api, new_id

DONE = b"data: [DONE]\n\n"


def _usage(prompt: int, completion: int) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _bad(call: Call, message: str, param: str | None = None) -> web.Response:
    return call.error(400, message, param=param)


def _error_event(call: Call) -> bytes:
    return b"data: " + orjson.dumps(
        {"error": {"message": "The server had an error while processing your request (simulated error_event).",
                   "type": "server_error", "param": None, "code": "server_error"}}
    ) + b"\n\n"


# ---- /v1/chat/completions ---------------------------------------------------------------
async def chat_completions(call: Call) -> web.StreamResponse:
    body = call.body
    model = body.get("model")
    messages = body.get("messages")
    if not isinstance(model, str) or not model:
        return _bad(call, "you must provide a model parameter", "model")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
        return _bad(call, "'messages' must be a non-empty array of message objects.", "messages")
    for i, m in enumerate(messages):
        if not isinstance(m.get("role"), str):
            return _bad(call, f"Missing or invalid 'role' in messages[{i}].", f"messages[{i}].role")
    if body.get("tools") is not None and not isinstance(body["tools"], list):
        return _bad(call, "'tools' must be an array of tool definitions.", "tools")
    tools = _tools_map(body)
    forced, disabled = _forced_tool(body, tools)
    if disabled:
        tools = {}
    n = body.get("n", 1)
    if n is None:
        n = 1
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 128:
        return _bad(call, "'n' must be an integer between 1 and 128.", "n")
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    ans, prompt_tokens = call.cached(lambda: (
        resolve_answer(call, model, messages, tools, forced, max_tokens), count_messages(messages, model, body.get("tools"))))
    completion_tokens = ans.completion_tokens * n  # n identical choices
    out_model = call.state.cfg.model_prefix + model
    cid = new_id("chatcmpl-")
    created = int(time.time())
    calls_out = [{"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}} for c in ans.calls]
    if body.get("stream") is not True:
        message: dict[str, Any] = {"role": "assistant", "content": ans.content, "refusal": None, "annotations": []}
        if calls_out:
            message["tool_calls"] = calls_out
        return await call.send_json(
            {
                "id": cid,
                "object": "chat.completion",
                "created": created,
                "model": out_model,
                "choices": [{"index": k, "message": message, "logprobs": None, "finish_reason": ans.finish} for k in range(n)],
                "usage": _usage(prompt_tokens, completion_tokens),
                "service_tier": "default",
            }
        )
    so = body.get("stream_options")
    include_usage = isinstance(so, dict) and so.get("include_usage") is True
    prefix = b'data: {"id":"%s","object":"chat.completion.chunk","created":%d,"model":%s,"choices":[{"index":' % (
        cid.encode(), created, orjson.dumps(out_model))
    usage_null = b',"usage":null' if include_usage else b""
    tail = b',"logprobs":null,"finish_reason":null}]' + usage_null + b"}\n\n"
    events: list[bytes] = []
    pieces = split_words(ans.content or "", call.state.cfg.chunk_words)
    for k in range(n):
        head = prefix + str(k).encode() + b',"delta":'
        first_event = len(events)
        if ans.content is not None or not ans.calls:
            events.append(head + b'{"role":"assistant","content":"","refusal":null}' + tail)
            for p in pieces:
                events.append(head + orjson.dumps({"content": p}) + tail)
        for i, c in enumerate(ans.calls):
            first = {"index": i, "id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": ""}}
            if len(events) == first_event:
                delta: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [first], "refusal": None}
            else:
                delta = {"tool_calls": [first]}
            events.append(head + orjson.dumps(delta) + tail)
            for frag in split_json(c["arguments"]):
                events.append(head + orjson.dumps({"tool_calls": [{"index": i, "function": {"arguments": frag}}]}) + tail)
        events.append(head + b'{},"logprobs":null,"finish_reason":' + orjson.dumps(ans.finish) + b"}]" + usage_null + b"}\n\n")
    if include_usage:
        events.append(b"data: " + orjson.dumps(
            {"id": cid, "object": "chat.completion.chunk", "created": created, "model": out_model, "choices": [],
             "usage": _usage(prompt_tokens, completion_tokens)}) + b"\n\n")
    events.append(DONE)
    return await call.send_stream(events, _error_event(call), (out_model, _usage(prompt_tokens, completion_tokens)))


# ---- /v1/completions (legacy) -----------------------------------------------------------
async def completions(call: Call) -> web.StreamResponse:
    body = call.body
    model = body.get("model")
    prompt = body.get("prompt")
    if not isinstance(model, str) or not model:
        return _bad(call, "you must provide a model parameter", "model")
    if prompt is None:
        return _bad(call, "you must provide a prompt parameter", "prompt")
    text = prompt_text(body) or ""
    if call.reply is not None and call.reply.content is not None:
        content, finish = call.reply.content, call.reply.finish_reason
    else:
        content, finish = answer_text(model, call.state.cfg.seed, 1, text), None
    f = call.fault
    if f is not None:
        if f.empty:
            content = ""
        elif f.content_filter:
            content, finish = _half(content), "content_filter"
        elif f.length:
            content, finish = _half(content), "length"
    mt = body.get("max_tokens")
    if isinstance(mt, int) and not isinstance(mt, bool) and mt > 0 and count_text(content, model) > mt:
        content, finish = _fit(content, mt, model), "length"
    finish = finish or "stop"
    prompt_tokens = count_request(body)
    completion_tokens = count_text(content, model)
    usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens}
    cid = new_id("cmpl-")
    created = int(time.time())
    out_model = call.state.cfg.model_prefix + model
    if body.get("stream") is not True:
        return await call.send_json(
            {"id": cid, "object": "text_completion", "created": created, "model": out_model,
             "choices": [{"text": content, "index": 0, "logprobs": None, "finish_reason": finish}], "usage": usage}
        )
    so = body.get("stream_options")
    include_usage = isinstance(so, dict) and so.get("include_usage") is True
    base = {"id": cid, "object": "text_completion", "created": created, "model": out_model}
    events = []
    for p in split_words(content, call.state.cfg.chunk_words):
        events.append(b"data: " + orjson.dumps({**base, "choices": [{"text": p, "index": 0, "logprobs": None, "finish_reason": None}]}) + b"\n\n")
    events.append(b"data: " + orjson.dumps({**base, "choices": [{"text": "", "index": 0, "logprobs": None, "finish_reason": finish}]}) + b"\n\n")
    if include_usage:
        events.append(b"data: " + orjson.dumps({**base, "choices": [], "usage": usage}) + b"\n\n")
    events.append(DONE)
    return await call.send_stream(events, _error_event(call), (out_model, usage))


# ---- /v1/embeddings ---------------------------------------------------------------------
@lru_cache(maxsize=256)  # a 1536-dim tuple is ~50 KB
def embedding_vector(model: str, key: str, dim: int, seed: int) -> tuple[float, ...]:
    """A deterministic unit vector (float32 values) for (model, input, dim, seed)."""
    h = hashlib.blake2b(f"{model}\x00{seed}\x00{key}".encode(), digest_size=8).digest()
    rng = random.Random(int.from_bytes(h, "little"))
    v = [rng.gauss(0.0, 1.0) for _ in range(dim)]
    norm = math.sqrt(sum(x * x for x in v)) or 1.0
    packed = struct.pack(f"<{dim}f", *(x / norm for x in v))
    return struct.unpack(f"<{dim}f", packed)


async def embeddings(call: Call) -> web.StreamResponse:
    body = call.body
    model = body.get("model")
    inp = body.get("input")
    if not isinstance(model, str) or not model:
        return _bad(call, "you must provide a model parameter", "model")
    if isinstance(inp, str):
        items: list[str] = [inp]
    elif isinstance(inp, list) and inp and all(isinstance(x, str) for x in inp):
        items = inp
    elif isinstance(inp, list) and inp and all(isinstance(x, int) for x in inp):
        items = [orjson.dumps(inp).decode()]
    elif isinstance(inp, list) and inp and all(isinstance(x, list) for x in inp):
        items = [orjson.dumps(x).decode() for x in inp]
    else:
        return _bad(call, "'input' must be a string, an array of strings, or an array of token arrays, and not empty.", "input")
    if any(x == "" for x in items):
        return _bad(call, "'input' cannot contain empty strings.", "input")
    dim = body.get("dimensions", call.state.cfg.embedding_dim)
    if not isinstance(dim, int) or isinstance(dim, bool) or not 1 <= dim <= 8192:
        return _bad(call, "'dimensions' must be an integer between 1 and 8192.", "dimensions")
    fmt = body.get("encoding_format", "float")
    if fmt not in ("float", "base64"):
        return _bad(call, "'encoding_format' must be 'float' or 'base64'.", "encoding_format")
    seed = call.state.cfg.seed
    data = []
    for i, text in enumerate(items):
        vec = embedding_vector(model, text, dim, seed)
        emb: Any = base64.b64encode(struct.pack(f"<{dim}f", *vec)).decode() if fmt == "base64" else vec
        data.append({"object": "embedding", "index": i, "embedding": emb})
    n = count_request(body)
    return await call.send_json(
        {"object": "list", "data": data, "model": call.state.cfg.model_prefix + model, "usage": {"prompt_tokens": n, "total_tokens": n}}
    )


# ---- /v1/models -------------------------------------------------------------------------
def _model_obj(mid: str) -> dict[str, Any]:
    return {"id": mid, "object": "model", "created": 1735689600, "owned_by": "bulwark-simulator"}


async def list_models(call: Call) -> web.StreamResponse:
    return await call.send_json({"object": "list", "data": [_model_obj(m) for m in call.state.cfg.models]})


async def get_model(call: Call) -> web.StreamResponse:
    return await call.send_json(_model_obj(call.request.match_info["model"]))


# ---- /v1/files (pass-through tests) -----------------------------------------------------
async def list_files(call: Call) -> web.StreamResponse:
    q = {k: v for k, v in call.request.query.items()}
    return await call.send_json({"object": "list", "data": [], "has_more": False, "first_id": None, "last_id": None, "query": q})


async def not_found(call: Call) -> web.StreamResponse:
    r = call.request
    return call.error(404, f"Invalid URL ({r.method} {r.path}).", code="unknown_url")


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_post("/v1/chat/completions", api(OPENAI, chat_completions, chat_last_user))
    r.add_post("/v1/completions", api(OPENAI, completions, prompt_text))
    r.add_post("/v1/embeddings", api(OPENAI, embeddings))
    r.add_get("/v1/models", api(OPENAI, list_models))
    r.add_get("/v1/models/{model}", api(OPENAI, get_model))
    r.add_post("/v1/responses", api(OPENAI, responses, prompt_text))
    r.add_get("/v1/files", api(OPENAI, list_files))


def add_fallback(app: web.Application) -> None:
    app.router.add_route("*", "/v1/{tail:.*}", api(OPENAI, not_found))
