"""Anthropic Messages API provider: OpenAI chat completions in, OpenAI shapes out.

    request   OpenAI chat body  --to_anthropic()-->  POST {base}/v1/messages
    answer    Message JSON      --to_openai()----->  chat.completion
    stream    Anthropic events  --StreamTranslator-> chat.completion.chunk events + [DONE]
    error     {"type":"error"}  --openai_error()--->  {"error":{message,type,param,code}}, 529 -> 503

The client must not be able to tell which provider answered except by `model` and Bulwark's
own headers: ids are `chatcmpl-…`, usage has OpenAI's fields (cache tokens folded in),
rate-limit headers are OpenAI's `x-ratelimit-*` (RFC 3339 resets become Go durations).

OpenAI-only knobs with no Messages equivalent (penalties, logit_bias, seed, logprobs,
response_format) are dropped; what cannot be expressed at all (n > 1, audio parts, tool
arguments that are not JSON) is a 400 naming the parameter.

Options (`[providers.<name>.options]`): `anthropic_version` ("2023-06-01"), `default_max_tokens`
(4096, used when the request sets neither max_completion_tokens nor max_tokens), `beta`
(list of `anthropic-beta` flags).

Messages clients (POST /v1/messages into Bulwark) are served natively: the client's bytes go up
while no layer changed the request (else the chat view is re-encoded with `to_anthropic`, keeping
`cache_control`, `is_error` and the client's native-only fields), its `anthropic-beta` flags are
added to the configured ones, and the answer's bytes and headers come back as they are, beside
the chat view plugins read. `/v1/messages/count_tokens` is forwarded the same way.
"""
from __future__ import annotations

import logging
import os
import re
import time
import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, AsyncIterator, Mapping

import aiohttp
import orjson
from multidict import CIMultiDict
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..config import format_validation_error
from ..context import CHAT, COUNT_TOKENS
from ..errors import BadRequest, ConfigError, NotFound, UpstreamStreamError
from ..response import ProxyResponse
from ..sse import SSEEvent, SSESplitter, one_read
from ..wire.apis import MESSAGES, WireRequest
from ..wire.messages_answer import FINISH
from .base import Provider, cap_output, native_body
from .http import client_response_headers, open_request, read_chunks

if TYPE_CHECKING:
    from ..context import RequestContext
    from ..ledger import Attempt

log = logging.getLogger("bulwark.provider")


class AnthropicOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    anthropic_version: str = "2023-06-01"
    default_max_tokens: int = Field(4096, ge=1)
    beta: list[str] = []


# Anthropic error type -> (OpenAI type, OpenAI code)
_ERRORS = {
    "invalid_request_error": ("invalid_request_error", None),
    "authentication_error": ("invalid_request_error", "invalid_api_key"),
    "permission_error": ("permission_denied", "permission_denied"),
    "not_found_error": ("invalid_request_error", "not_found"),
    "request_too_large": ("invalid_request_error", "request_too_large"),
    "rate_limit_error": ("requests", "rate_limit_exceeded"),
    "api_error": ("server_error", "server_error"),
    "overloaded_error": ("server_error", "overloaded"),
    "timeout_error": ("server_error", "timeout"),
    "billing_error": ("insufficient_quota", "insufficient_quota"),
}
_CONTEXT_RE = re.compile(r"prompt is too long|context (window|length)|too many (input )?tokens", re.I)
_DATA_URL = re.compile(r"^data:([^;,]+)?(;[^,]*)?,(.*)$", re.S)


# -- request ------------------------------------------------------------------------------
def _text_of(content: Any, where: str) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for p in content:
            if isinstance(p, dict) and p.get("type") in ("text", "refusal"):
                parts.append(str(p.get("text") or p.get("refusal") or ""))
            elif isinstance(p, str):
                parts.append(p)
            else:
                raise BadRequest(f"{where}: only text parts are supported here.", param=where)
        return "".join(parts)
    raise BadRequest(f"{where}: content must be a string or a list of content parts.", param=where)


def _image_block(part: dict[str, Any], where: str) -> dict[str, Any]:
    iu = part.get("image_url")
    url = iu.get("url") if isinstance(iu, dict) else iu
    if not isinstance(url, str) or not url:
        raise BadRequest(f"{where}.image_url.url must be a URL or a data: URL.", param=f"{where}.image_url")
    if url.startswith("data:"):
        m = _DATA_URL.match(url)
        if not m or not (m.group(2) or "").endswith("base64"):
            raise BadRequest(f"{where}.image_url.url: data URLs must be base64 encoded (data:image/png;base64,...).", param=f"{where}.image_url")
        return {"type": "image", "source": {"type": "base64", "media_type": m.group(1) or "image/png", "data": m.group(3)}}
    if url.startswith(("http://", "https://")):
        return {"type": "image", "source": {"type": "url", "url": url}}
    raise BadRequest(f"{where}.image_url.url must start with https:// or data:.", param=f"{where}.image_url")


def _with_cache(block: dict[str, Any], part: Any) -> dict[str, Any]:
    """Keep a chat part's `cache_control` (carried from a Messages client) on its block."""
    if isinstance(part, dict) and isinstance(part.get("cache_control"), dict):
        block["cache_control"] = part["cache_control"]
    return block


def _user_blocks(content: Any, where: str) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    if not isinstance(content, list):
        raise BadRequest(f"{where}: content must be a string or a list of content parts.", param=where)
    blocks: list[dict[str, Any]] = []
    for i, part in enumerate(content):
        w = f"{where}[{i}]"
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text":
            if part.get("text"):
                blocks.append(_with_cache({"type": "text", "text": str(part["text"])}, part))
        elif kind == "image_url":
            blocks.append(_image_block(part, w))
        elif kind == "file" and isinstance(part.get("file"), dict) and str(part["file"].get("file_data", "")).startswith("data:application/pdf"):
            data = part["file"]["file_data"].split(",", 1)[1]
            blocks.append({"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": data}})
        else:
            raise BadRequest(f"{w}: content part type {kind!r} is not supported by this model's provider.", param=w)
    return blocks


def _tool_result(msg: dict[str, Any], where: str) -> dict[str, Any]:
    tid = msg.get("tool_call_id")
    if not isinstance(tid, str) or not tid:
        raise BadRequest(f"{where}.tool_call_id is required for role 'tool'.", param=f"{where}.tool_call_id")
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": tid}
    content = msg.get("content")
    if isinstance(content, list):
        block["content"] = _user_blocks(content, f"{where}.content")
    else:
        block["content"] = _text_of(content, f"{where}.content")
    if msg.get("is_error") is True:
        block["is_error"] = True
    return block


def _assistant_blocks(msg: dict[str, Any], where: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    text = _text_of(msg.get("content"), f"{where}.content")
    if not text and msg.get("refusal"):
        text = str(msg["refusal"])
    if text:
        blocks.append({"type": "text", "text": text})
    for j, call in enumerate(msg.get("tool_calls") or []):
        w = f"{where}.tool_calls[{j}]"
        fn = call.get("function") if isinstance(call, dict) else None
        if not isinstance(fn, dict) or not fn.get("name"):
            raise BadRequest(f"{w}.function.name is required.", param=w)
        args = fn.get("arguments") or "{}"
        try:
            parsed = orjson.loads(args) if isinstance(args, str) else args
        except orjson.JSONDecodeError:
            raise BadRequest(f"{w}.function.arguments is not valid JSON.", param=f"{w}.function.arguments") from None
        if not isinstance(parsed, dict):
            raise BadRequest(f"{w}.function.arguments must be a JSON object.", param=f"{w}.function.arguments")
        blocks.append({"type": "tool_use", "id": call.get("id") or f"toolu_{uuid.uuid4().hex[:24]}", "name": fn["name"], "input": parsed})
    return blocks


def to_anthropic(body: dict[str, Any], model: str | None, default_max_tokens: int = 4096) -> dict[str, Any]:
    """Translate an OpenAI chat-completions body into a Messages API body (BadRequest on what cannot map)."""
    n = body.get("n")
    if n is not None and n != 1:
        raise BadRequest("This model's provider (Anthropic) supports only n=1; send n separate requests instead.", param="n")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("`messages` must be a non-empty array.", param="messages")
    system: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []

    def push(role: str, blocks: list[dict[str, Any]]) -> None:
        if not blocks:
            return
        if out and out[-1]["role"] == role:  # Anthropic alternates roles: merge consecutive turns
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})

    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(msg, dict):
            raise BadRequest(f"{where} must be an object.", param=where)
        role = msg.get("role")
        if role in ("system", "developer"):
            content = msg.get("content")
            if isinstance(content, list) and any(isinstance(p, dict) and p.get("cache_control") for p in content):
                system.extend(_with_cache({"type": "text", "text": str(p.get("text") or "")}, p)
                              for p in content if isinstance(p, dict) and p.get("type") == "text")
                continue
            text = _text_of(content, f"{where}.content")
            if text:
                system.append({"type": "text", "text": text})
        elif role == "user":
            push("user", _user_blocks(msg.get("content"), f"{where}.content"))
        elif role == "assistant":
            push("assistant", _assistant_blocks(msg, where))
        elif role == "tool":
            push("user", [_tool_result(msg, where)])
        else:
            raise BadRequest(f"{where}.role {role!r} is not supported (use system, developer, user, assistant or tool).", param=f"{where}.role")
    if not out:
        raise BadRequest("`messages` needs at least one user message with content.", param="messages")
    # tool_result blocks must open their user turn
    for m in out:
        if m["role"] == "user" and len(m["content"]) > 1:
            m["content"].sort(key=lambda b: b["type"] != "tool_result")

    max_tokens = body.get("max_completion_tokens")
    if max_tokens is None:
        max_tokens = body.get("max_tokens")
    if max_tokens is None:
        max_tokens = default_max_tokens
    req: dict[str, Any] = {"model": model or body.get("model"), "max_tokens": max_tokens, "messages": out}
    if system:
        req["system"] = system[0]["text"] if len(system) == 1 and "cache_control" not in system[0] else system
    stop = body.get("stop")
    if stop:
        req["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    if body.get("temperature") is not None:
        req["temperature"] = min(float(body["temperature"]), 1.0)  # OpenAI 0..2, Anthropic 0..1
    if body.get("top_p") is not None:
        req["top_p"] = body["top_p"]
    user = body.get("safety_identifier") or body.get("user")
    if isinstance(user, str) and user:
        req["metadata"] = {"user_id": user}

    tools = body.get("tools")
    if tools:
        atools = []
        for j, t in enumerate(tools):
            fn = t.get("function") if isinstance(t, dict) and t.get("type", "function") == "function" else None
            if not isinstance(fn, dict) or not fn.get("name"):
                raise BadRequest(f"tools[{j}]: only function tools with a name are supported by this model's provider.", param=f"tools[{j}]")
            at: dict[str, Any] = {"name": fn["name"], "input_schema": fn.get("parameters") or {"type": "object", "properties": {}}}
            if fn.get("description"):
                at["description"] = fn["description"]
            atools.append(_with_cache(at, t))
        req["tools"] = atools
    tc = body.get("tool_choice")
    choice: dict[str, Any] | None = None
    if tc == "auto":
        choice = {"type": "auto"}
    elif tc == "required":
        choice = {"type": "any"}
    elif tc == "none":
        choice = {"type": "none"}
    elif isinstance(tc, dict):
        name = (tc.get("function") or {}).get("name") if isinstance(tc.get("function"), dict) else None
        if not name:
            raise BadRequest("tool_choice: give 'auto', 'required', 'none' or {\"type\":\"function\",\"function\":{\"name\":...}}.", param="tool_choice")
        choice = {"type": "tool", "name": name}
    elif tc is not None:
        raise BadRequest(f"tool_choice {tc!r} is not supported.", param="tool_choice")
    if body.get("parallel_tool_calls") is False and (tools or choice):
        choice = choice or {"type": "auto"}
        if choice["type"] != "none":
            choice["disable_parallel_tool_use"] = True
    if choice is not None and (tools or choice["type"] == "none"):
        req["tool_choice"] = choice
    if body.get("stream") is True:
        req["stream"] = True
    return req


# -- answer ---------------------------------------------------------------------------------
def openai_usage(u: Mapping[str, Any] | None) -> dict[str, Any]:
    u = u or {}
    inp = int(u.get("input_tokens") or 0)
    cw = int(u.get("cache_creation_input_tokens") or 0)
    cr = int(u.get("cache_read_input_tokens") or 0)
    out = int(u.get("output_tokens") or 0)
    prompt = inp + cw + cr
    return {
        "prompt_tokens": prompt,
        "completion_tokens": out,
        "total_tokens": prompt + out,
        "prompt_tokens_details": {"cached_tokens": cr, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
    }


def chat_id(msg_id: str | None) -> str:
    if msg_id and msg_id.startswith("msg_"):
        return "chatcmpl-" + msg_id[4:]
    return "chatcmpl-" + uuid.uuid4().hex


def to_openai(msg: Mapping[str, Any], model: str | None = None, created: int | None = None) -> dict[str, Any]:
    """Translate a Messages API `Message` into a chat.completion object."""
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    for block in msg.get("content") or []:
        kind = block.get("type")
        if kind == "text":
            texts.append(block.get("text", ""))
        elif kind == "tool_use":
            calls.append({
                "id": block.get("id"), "type": "function",
                "function": {"name": block.get("name"), "arguments": orjson.dumps(block.get("input") or {}).decode()},
            })
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None, "refusal": None, "annotations": []}
    if calls:
        message["tool_calls"] = calls
    return {
        "id": chat_id(msg.get("id")),
        "object": "chat.completion",
        "created": created or int(time.time()),
        "model": msg.get("model") or model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": FINISH.get(msg.get("stop_reason") or "end_turn", "stop")}],
        "usage": openai_usage(msg.get("usage")),
    }


def openai_error(status: int, raw: bytes) -> tuple[int, dict[str, Any]]:
    """Rewrap an Anthropic error body in OpenAI's shape; 529 becomes 503."""
    etype, message = "api_error", ""
    try:
        obj = orjson.loads(raw) if raw else {}
        err = obj.get("error") if isinstance(obj, dict) else None
        if isinstance(err, dict):
            etype = str(err.get("type") or etype)
            message = str(err.get("message") or "")
    except orjson.JSONDecodeError:
        message = raw[:200].decode("utf-8", "replace")
    otype, code = _ERRORS.get(etype, ("server_error" if status >= 500 else "invalid_request_error", None))
    if status == 400 and _CONTEXT_RE.search(message):
        code = "context_length_exceeded"
    if status == 529:
        status = 503
    message = message or f"The upstream provider answered with HTTP {status}."
    return status, {"error": {"message": message, "type": otype, "param": None, "code": code}}


def go_duration(seconds: float) -> str:
    """Go-style duration as OpenAI sends it: 20ms, 1s, 8.64s, 6m0s, 1h2m3s."""
    if seconds <= 0:
        return "0s"
    if seconds < 1:
        return f"{int(round(seconds * 1000))}ms"
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    s_txt = f"{s:.3f}".rstrip("0").rstrip(".") + "s"
    if h:
        return f"{int(h)}h{int(m)}m{s_txt}"
    if m:
        return f"{int(m)}m{s_txt}"
    return s_txt


def _reset_duration(value: str, now: float) -> str | None:
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=timezone.utc)
    return go_duration(ts.timestamp() - now)


def openai_headers(src: Mapping[str, str], now: float | None = None) -> CIMultiDict[str]:
    """Anthropic response headers -> the OpenAI ones a client expects (and nothing else)."""
    now = time.time() if now is None else now
    out: CIMultiDict[str] = CIMultiDict()
    rid = src.get("request-id") or src.get("x-request-id")
    if rid:
        out["x-request-id"] = rid
    for kind, okind in (("requests", "requests"), ("tokens", "tokens")):
        for field in ("limit", "remaining", "reset"):
            v = src.get(f"anthropic-ratelimit-{kind}-{field}")
            if v is None:
                continue
            if field == "reset":
                d = _reset_duration(v, now)
                if d is None:
                    continue
                v = d
            out[f"x-ratelimit-{field}-{okind}"] = v
    for h in ("retry-after", "retry-after-ms", "x-should-retry"):
        if h in src:
            out[h] = src[h]
    return out


# -- streams --------------------------------------------------------------------------------
class StreamTranslator:
    """Anthropic stream events -> OpenAI chunk objects (one id and `created` per stream)."""

    def __init__(self, model: str | None, include_usage: bool) -> None:
        self.model = model
        self.include_usage = include_usage
        self.id = "chatcmpl-" + uuid.uuid4().hex
        self.created = int(time.time())
        self.tool_index: dict[int, int] = {}  # Anthropic block index -> OpenAI tool_calls index
        self.usage: dict[str, Any] = {}
        self.finish: str | None = None
        self.stopped = False

    def chunk(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        c: dict[str, Any] = {
            "id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if self.include_usage:
            c["usage"] = None
        return c

    def feed(self, etype: str, ev: dict[str, Any]) -> list[dict[str, Any]]:
        """Chunks for one event; raises UpstreamStreamError for an `error` event."""
        if etype == "message_start":
            msg = ev.get("message") or {}
            if msg.get("id"):
                self.id = chat_id(msg["id"])
            self.model = msg.get("model") or self.model
            self.usage.update(msg.get("usage") or {})
            return [self.chunk({"role": "assistant", "content": "", "refusal": None})]
        if etype == "content_block_start":
            block = ev.get("content_block") or {}
            if block.get("type") == "tool_use":
                k = self.tool_index[int(ev.get("index", 0))] = len(self.tool_index)
                return [self.chunk({"tool_calls": [{"index": k, "id": block.get("id"), "type": "function",
                                                    "function": {"name": block.get("name"), "arguments": ""}}]})]
            if block.get("type") == "text" and block.get("text"):
                return [self.chunk({"content": block["text"]})]
            return []
        if etype == "content_block_delta":
            d = ev.get("delta") or {}
            dt = d.get("type")
            if dt == "text_delta":
                return [self.chunk({"content": d.get("text", "")})]
            if dt == "input_json_delta":
                k = self.tool_index.get(int(ev.get("index", 0)))
                if k is None:
                    raise UpstreamStreamError("The upstream provider sent tool input for an unknown content block.", reason="malformed")
                return [self.chunk({"tool_calls": [{"index": k, "function": {"arguments": d.get("partial_json", "")}}]})]
            return []  # thinking / signature / citations deltas have no chat-completions form
        if etype == "message_delta":
            d = ev.get("delta") or {}
            for k, v in (ev.get("usage") or {}).items():
                if v is not None:
                    self.usage[k] = v  # output_tokens is cumulative
            if d.get("stop_reason"):
                self.finish = FINISH.get(d["stop_reason"], "stop")
                return [self.chunk({}, self.finish)]
            return []
        if etype == "message_stop":
            self.stopped = True
            out = []
            if self.finish is None:
                self.finish = "stop"
                out.append(self.chunk({}, "stop"))
            if self.include_usage:
                out.append({"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                            "model": self.model, "choices": [], "usage": openai_usage(self.usage)})
            return out
        if etype == "error":
            err = ev.get("error") or {}
            raise UpstreamStreamError(
                f"The upstream provider reported an error mid-stream: {err.get('message') or err.get('type') or 'unknown error'}",
                reason="error_event",
            )
        return []  # ping and unknown future events


class AnthropicProvider(Provider):
    kind = "anthropic"
    endpoints = frozenset({CHAT, COUNT_TOKENS})
    native_apis = frozenset({MESSAGES})
    default_apis = (MESSAGES,)

    def __init__(self, name: str, config: Any, services: Any) -> None:
        super().__init__(name, config, services)
        try:
            self.options = AnthropicOptions.model_validate(config.options)
        except ValidationError as exc:
            raise ConfigError(format_validation_error(exc, f"providers.{name}.options")) from exc
        base = (config.base_url or "").rstrip("/")
        self.url = base + ("/messages" if base.endswith("/v1") else "/v1/messages")
        headers: dict[str, str] = {"anthropic-version": self.options.anthropic_version, "content-type": "application/json", "accept": "application/json"}
        if self.options.beta:
            headers["anthropic-beta"] = ",".join(self.options.beta)
        key = os.environ.get(config.api_key_env) if config.api_key_env else None
        if config.api_key_env and not key:
            log.warning("provider %s: environment variable %s is not set; requests go upstream without a key", name, config.api_key_env)
        if key:
            headers["x-api-key"] = key
        headers.update(config.headers)
        self.headers = headers

    async def _post(self, ctx: "RequestContext", url: str, data: bytes, stream: bool, client_betas: bool = False) -> tuple[aiohttp.ClientResponse, float]:
        t = self.config.timeouts
        deadline = time.monotonic() + (min(t.total, ctx.target.timeout) if ctx.target and ctx.target.timeout else t.total)
        headers = dict(self.headers)
        trace = getattr(ctx, "trace_headers", None)
        if trace:
            headers.update(trace)
        if client_betas and ctx.headers.get("anthropic-beta"):
            # A Messages client's beta flags (prompt caching variants, tools...) apply to its request.
            own = [b for b in headers.get("anthropic-beta", "").split(",") if b]
            headers["anthropic-beta"] = ",".join(dict.fromkeys(own + [b.strip() for b in ctx.headers["anthropic-beta"].split(",") if b.strip()]))
        if stream:
            headers["accept"] = "text/event-stream"
        resp = await open_request(self.services.session, "POST", url, headers=headers, data=data,
                                  timeouts=t, provider=self.name, first_byte=max(0.001, deadline - time.monotonic()))
        return resp, deadline

    async def send(self, ctx: "RequestContext", attempt: "Attempt") -> ProxyResponse:
        if ctx.endpoint == COUNT_TOKENS:
            return await self._count_tokens(ctx, attempt)
        if ctx.endpoint != CHAT:
            raise NotFound(f"The provider '{self.name}' (Anthropic) serves only chat answers; route {ctx.path} elsewhere.")
        if ctx.api == MESSAGES and self.serves(MESSAGES):
            return await self._send_native(ctx, attempt)
        self.check_translatable(ctx)
        body = cap_output(ctx.body, attempt.output_cap, "max_tokens")
        upstream_model = attempt.model
        req = to_anthropic(body, upstream_model, self.options.default_max_tokens)
        stream = req.get("stream") is True
        resp, deadline = await self._post(ctx, self.url, orjson.dumps(req), stream)
        out_headers = openai_headers(resp.headers)
        if resp.status < 300 and stream and resp.headers.get("Content-Type", "").startswith("text/event-stream"):
            out_headers["Content-Type"] = "text/event-stream; charset=utf-8"
            tr = StreamTranslator(upstream_model, ctx.wants_usage_chunk)
            return ProxyResponse(resp.status, out_headers, stream=self._events(attempt, resp, tr, deadline),
                                 provider=self.name, model=upstream_model)
        raw = await self.read_answer(resp, deadline)
        if resp.status >= 300:
            status, err = openai_error(resp.status, raw)
            return ProxyResponse.from_json(err, status, dict(out_headers), provider=self.name, model=upstream_model)
        msg = self._message(raw)
        out = to_openai(msg, upstream_model)
        if stream:  # asked for a stream, got JSON: replay it as chunks
            attempt.reported_usage = out["usage"]
            return ProxyResponse.from_events(_replay(out, ctx.wants_usage_chunk), 200, dict(out_headers), provider=self.name, model=out["model"])
        return ProxyResponse.from_json(out, 200, dict(out_headers), provider=self.name, model=out["model"])

    def _message(self, raw: bytes) -> dict[str, Any]:
        try:
            msg = orjson.loads(raw)
        except orjson.JSONDecodeError:
            msg = None
        if not isinstance(msg, dict):
            from ..errors import UpstreamUnavailable
            raise UpstreamUnavailable(f"The upstream provider '{self.name}' sent an answer that is not a JSON message.")
        return msg

    # -- Messages clients, natively ------------------------------------------------------------------
    async def _send_native(self, ctx: "RequestContext", attempt: "Attempt") -> ProxyResponse:
        data = native_body(ctx, attempt, self._encode, "max_tokens")
        stream = ctx.stream
        resp, deadline = await self._post(ctx, self.url, data, stream, client_betas=True)
        native_headers = client_response_headers(resp.headers)
        view_headers = openai_headers(resp.headers)
        if resp.status < 300 and stream and resp.headers.get("Content-Type", "").startswith("text/event-stream"):
            view_headers["Content-Type"] = native_headers["Content-Type"] = "text/event-stream; charset=utf-8"
            tr = StreamTranslator(attempt.model, True)
            out = ProxyResponse(resp.status, native_headers, stream=self._events(attempt, resp, tr, deadline, native=True),
                                provider=self.name, model=attempt.model)
            out.on_close(resp.close)
            return out
        raw = await self.read_answer(resp, deadline)
        if resp.status >= 300:
            status, err = openai_error(resp.status, raw)
            return ProxyResponse.from_native(MESSAGES, resp.status, raw, native_headers, err, view_status=status,
                                             view_headers=view_headers, provider=self.name, model=attempt.model)
        msg = self._message(raw)
        if stream:  # asked for a stream, got JSON: nothing native to relay, the edge encodes the chat stream
            out = to_openai(msg, attempt.model)
            attempt.reported_usage = out["usage"]
            return ProxyResponse.from_events(_replay(out, True), 200, dict(view_headers), provider=self.name, model=out["model"])
        view = to_openai(msg, attempt.model)
        return ProxyResponse.from_native(MESSAGES, resp.status, raw, native_headers, view, view_headers=view_headers,
                                         provider=self.name, model=view["model"])

    def _encode(self, chat: dict[str, Any], wire: WireRequest | None, model: str | None) -> dict[str, Any]:
        """A changed chat view back into a Messages body, with the client's native-only fields."""
        req = to_anthropic(chat, model, self.options.default_max_tokens)
        if wire is not None:
            for k, v in wire.native_only.items():
                if k == "tools":
                    req["tools"] = [*req.get("tools", []), *v]
                else:
                    req[k] = v
            meta = wire.native.get("metadata")
            if isinstance(meta, dict):
                req["metadata"] = meta
        return req

    async def _count_tokens(self, ctx: "RequestContext", attempt: "Attempt") -> ProxyResponse:
        if ctx.api != MESSAGES:
            raise NotFound("count_tokens is a Messages API endpoint (POST /v1/messages/count_tokens).")
        native = ctx.wire.native if ctx.wire is not None else ctx.body
        data = ctx.raw_body if attempt.model in (None, native.get("model")) else orjson.dumps({**native, "model": attempt.model})
        resp, deadline = await self._post(ctx, self.url + "/count_tokens", data, False, client_betas=True)
        raw = await self.read_answer(resp, deadline)
        native_headers = client_response_headers(resp.headers)
        if resp.status >= 300:
            status, view = openai_error(resp.status, raw)
        else:
            status, view = resp.status, self._message(raw)
        return ProxyResponse.from_native(MESSAGES, resp.status, raw, native_headers, view, view_status=status,
                                         view_headers=openai_headers(resp.headers), provider=self.name)

    async def _events(self, attempt: "Attempt", resp: aiohttp.ClientResponse, tr: StreamTranslator, deadline: float,
                      native: bool = False) -> AsyncIterator[SSEEvent]:
        """The upstream's events as chat chunks (`native`: each event as it came, with its chat
        view, for a Messages client); `[DONE]` after message_stop."""
        splitter = SSESplitter()
        try:
            async for raw in read_chunks(resp, self.config.timeouts, self.name, deadline, self.config.max_response_bytes):
                out: list[SSEEvent] = []  # this read's events, yielded together (`one_read`)
                try:
                    for ev in splitter.feed(raw):
                        if ev.data is None:
                            continue
                        obj = self.event_object(ev)
                        chunks = tr.feed(ev.event or str(obj.get("type", "")), obj)
                        if native:
                            out.append(ev.set_view(MESSAGES, obj, _merged(chunks, tr)))
                        else:
                            out.extend(SSEEvent.from_json(chunk) for chunk in chunks)
                        if tr.stopped:
                            # Anthropic reports usage in its own events; the client may not have asked for it.
                            attempt.reported_usage = openai_usage(tr.usage)
                            out.append(SSEEvent.done())
                            break
                finally:  # a malformed event: the ones before it are still delivered, then the error
                    for ev in one_read(out):
                        yield ev
                if tr.stopped:
                    return
            raise UpstreamStreamError(f"The upstream provider '{self.name}' closed the stream before it finished.", reason="cut")
        finally:
            if tr.stopped:
                resp.release()
            else:
                resp.close()


def _merged(chunks: list[dict[str, Any]], tr: StreamTranslator) -> dict[str, Any]:
    """One chat chunk for one native event: its chunks' choices in order, the last usage
    (an empty chunk when the event has no chat equivalent, e.g. ping or content_block_stop)."""
    if len(chunks) == 1:
        return chunks[0]
    out: dict[str, Any] = {"id": tr.id, "object": "chat.completion.chunk", "created": tr.created, "model": tr.model, "choices": []}
    for c in chunks:
        out["choices"].extend(c.get("choices") or ())
        if c.get("usage"):
            out["usage"] = c["usage"]
    return out


async def _replay(obj: dict[str, Any], include_usage: bool) -> AsyncIterator[SSEEvent]:
    for c in completion_chunks(obj, include_usage):
        yield SSEEvent.from_json(c)
    yield SSEEvent.done()


def completion_chunks(obj: dict[str, Any], include_usage: bool) -> list[dict[str, Any]]:
    """A complete chat.completion as the chunk sequence a stream of it would have sent."""
    base = {"id": obj["id"], "object": "chat.completion.chunk", "created": obj["created"], "model": obj["model"]}
    extra = {"usage": None} if include_usage else {}
    choice = obj["choices"][0]
    msg = choice["message"]

    def c(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}], **extra}

    out = [c({"role": "assistant", "content": "", "refusal": None})]
    if msg.get("content"):
        out.append(c({"content": msg["content"]}))
    for i, call in enumerate(msg.get("tool_calls") or []):
        out.append(c({"tool_calls": [{"index": i, "id": call["id"], "type": "function", "function": {"name": call["function"]["name"], "arguments": call["function"]["arguments"]}}]}))
    out.append(c({}, choice["finish_reason"]))
    if include_usage:
        out.append({**base, "choices": [], "usage": obj.get("usage")})
    return out
