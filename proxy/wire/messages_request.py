"""Anthropic Messages requests (a client's POST /v1/messages) -> the chat-completions form.

    system (string or text blocks)        a leading system message (text parts keep `cache_control`)
    messages: text / image / document     user or assistant messages with text, image_url, file parts
    tool_use blocks (assistant)           tool_calls (input -> JSON arguments)
    tool_result blocks (user)             role "tool" messages, before the rest of that user turn
    thinking / redacted_thinking          left out of the chat view (opaque signatures)
    tools {name, description, input_schema}  chat function tools; server tools stay native-only
    tool_choice auto / any / tool / none  "auto" / "required" / {function} / "none";
                                          disable_parallel_tool_use -> parallel_tool_calls: false
    max_tokens, stop_sequences            max_completion_tokens, stop
    output_config.format (json_schema)    response_format json_schema; .effort -> reasoning_effort
    metadata.user_id                      user
    stream                                stream (+ include_usage: a Messages stream reports usage)

The Anthropic provider turns the chat view back into a Messages body (`cache_control` on text
parts and tools, `is_error` on tool results are carried for it); for OpenAI-compatible upstreams
those extensions are stripped. `top_k`, `thinking`, `service_tier`, `container`, `mcp_servers`
and server tools are native-only: a request using them needs an Anthropic upstream.
`/v1/messages/count_tokens` bodies decode the same way (no `max_tokens` there).
"""
from __future__ import annotations

from typing import Any

import orjson

from ..errors import BadRequest
from .apis import MAX_OUTPUT_TOKENS, MESSAGES, NATIVE_KEY, WireRequest, bad

_MAPPED = frozenset({"model", "messages", "system", "max_tokens", "stop_sequences", "temperature", "top_p", "tools",
                     "tool_choice", "metadata", "stream"})
_EFFORTS = ("low", "medium", "high")
_NOT_SHAPING = frozenset({"metadata", "service_tier"})
_UNTRANSLATABLE = frozenset({"thinking", "container", "mcp_servers", "context_management"})
_IMAGE_MEDIA = ("image/jpeg", "image/png", "image/gif", "image/webp")


def decode(body: dict[str, Any], count_tokens: bool = False) -> tuple[dict[str, Any], WireRequest]:
    wire = WireRequest(MESSAGES, body)
    model = body.get("model")
    if not isinstance(model, str) or not model or len(model) > 256:
        raise BadRequest("model: Field required (a non-empty string).", param="model",
                         code="missing_required_parameter" if model is None else "invalid_type")
    chat: dict[str, Any] = {"model": model}
    max_tokens = body.get("max_tokens")
    if not count_tokens:
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or not 1 <= max_tokens <= MAX_OUTPUT_TOKENS:
            raise BadRequest(f"max_tokens: Field required (a positive integer up to {MAX_OUTPUT_TOKENS}).", param="max_tokens",
                             code="missing_required_parameter" if max_tokens is None else "invalid_type")
        chat["max_completion_tokens"] = max_tokens
    messages = _system(body.get("system"), wire)
    msgs = body.get("messages")
    if not isinstance(msgs, list) or not msgs:
        raise BadRequest("messages: Field required (a non-empty list of messages).", param="messages",
                         code="missing_required_parameter" if msgs is None else "invalid_type")
    for i, m in enumerate(msgs):
        messages += _message(m, f"messages[{i}]", wire)
    chat["messages"] = messages
    for k in ("temperature", "top_p"):
        v = body.get(k)
        if v is not None:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise bad(k, "a number")
            chat[k] = v
    stops = body.get("stop_sequences")
    if stops is not None:
        if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
            raise bad("stop_sequences", "an array of strings")
        if stops:
            chat["stop"] = stops
    meta = body.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("user_id"), str) and meta["user_id"]:
        chat["user"] = meta["user_id"]
    _tools(body, chat, wire)
    _output_config(body.get("output_config"), chat)
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise bad("stream", "a boolean")
    if stream:
        chat["stream"] = True
        chat["stream_options"] = {"include_usage": True}
    for k, v in body.items():
        if k not in _MAPPED and v is not None:
            wire.native_only[k] = v
            if k in _UNTRANSLATABLE:
                wire.untranslatable.append(k)
    shaping = {k: v for k, v in wire.native_only.items() if k not in _NOT_SHAPING}
    if shaping:
        chat[NATIVE_KEY] = shaping
    return chat, wire


def _output_config(oc: Any, chat: dict[str, Any]) -> None:
    """Structured output and effort; the whole object also stays native-only (the Anthropic
    provider sends it back as it came)."""
    if oc is None:
        return
    if not isinstance(oc, dict):
        raise bad("output_config", "an object")
    fmt = oc.get("format")
    if isinstance(fmt, dict):
        if fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict):
            raise bad("output_config.format", "{\"type\": \"json_schema\", \"schema\": {...}}")
        chat["response_format"] = {"type": "json_schema", "json_schema": {"name": "output", "schema": fmt["schema"]}}
    if oc.get("effort") in _EFFORTS:
        chat["reasoning_effort"] = oc["effort"]


def _system(system: Any, wire: WireRequest) -> list[dict[str, Any]]:
    if system is None or system == "":
        return []
    if isinstance(system, str):
        return [{"role": "system", "content": system}]
    if not isinstance(system, list):
        raise bad("system", "a string or a list of text blocks")
    parts = []
    for j, blk in enumerate(system):
        if not isinstance(blk, dict) or blk.get("type") != "text" or not isinstance(blk.get("text"), str):
            raise bad(f"system[{j}]", "a text block")
        parts.append(_text_part(blk, wire))
    return [{"role": "system", "content": parts}] if parts else []


def _text_part(blk: dict[str, Any], wire: WireRequest) -> dict[str, Any]:
    part: dict[str, Any] = {"type": "text", "text": blk["text"]}
    if isinstance(blk.get("cache_control"), dict):
        part["cache_control"] = blk["cache_control"]
        wire.extensions = True
    return part


def _message(m: Any, where: str, wire: WireRequest) -> list[dict[str, Any]]:
    if not isinstance(m, dict):
        raise bad(where, "a message object")
    role = m.get("role")
    if role not in ("user", "assistant"):
        raise BadRequest(f"{where}.role: Input should be 'user' or 'assistant'.", param=f"{where}.role", code="invalid_value")
    content = m.get("content")
    if isinstance(content, str):
        return [{"role": role, "content": content}]
    if not isinstance(content, list):
        raise bad(f"{where}.content", "a string or a list of content blocks")
    if role == "assistant":
        return [_assistant(content, where, wire)]
    tools: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    for j, blk in enumerate(content):
        w = f"{where}.content[{j}]"
        if isinstance(blk, dict) and blk.get("type") == "tool_result":
            tools.append(_tool_result(blk, w, wire))
        else:
            parts.extend(_user_part(blk, w, wire))
    out = tools
    if parts:
        out.append({"role": "user", "content": parts})
    return out


def _user_part(blk: Any, where: str, wire: WireRequest) -> list[dict[str, Any]]:
    kind = blk.get("type") if isinstance(blk, dict) else None
    if kind == "text":
        if not isinstance(blk.get("text"), str):
            raise bad(f"{where}.text", "a string")
        return [_text_part(blk, wire)]
    if kind == "image":
        src = blk.get("source") if isinstance(blk.get("source"), dict) else {}
        if src.get("type") == "base64" and isinstance(src.get("data"), str):
            media = src.get("media_type") if src.get("media_type") in _IMAGE_MEDIA else "image/png"
            return [{"type": "image_url", "image_url": {"url": f"data:{media};base64,{src['data']}"}}]
        if src.get("type") == "url" and isinstance(src.get("url"), str):
            return [{"type": "image_url", "image_url": {"url": src["url"]}}]
        raise bad(f"{where}.source", "a base64 or url image source")
    if kind == "document":
        src = blk.get("source") if isinstance(blk.get("source"), dict) else {}
        if src.get("type") == "base64" and src.get("media_type") == "application/pdf" and isinstance(src.get("data"), str):
            return [{"type": "file", "file": {"file_data": f"data:application/pdf;base64,{src['data']}",
                                              "filename": str(blk.get("title") or "document.pdf")}}]
        if src.get("type") == "text" and isinstance(src.get("data"), str):
            return [{"type": "text", "text": src["data"]}]
        wire.untranslatable.append(f"{where} (document source {src.get('type')!r})")
        return []
    raise bad(where, "a text, image, document or tool_result block")


def _tool_result(blk: dict[str, Any], where: str, wire: WireRequest) -> dict[str, Any]:
    tid = blk.get("tool_use_id")
    if not isinstance(tid, str) or not tid:
        raise bad(f"{where}.tool_use_id", "a string")
    content = blk.get("content")
    msg: dict[str, Any] = {"role": "tool", "tool_call_id": tid}
    if content is None or isinstance(content, str):
        msg["content"] = content or ""
    elif isinstance(content, list):
        parts: list[dict[str, Any]] = []
        for j, p in enumerate(content):
            parts.extend(_user_part(p, f"{where}.content[{j}]", wire))
        msg["content"] = parts
    else:
        raise bad(f"{where}.content", "a string or a list of content blocks")
    if blk.get("is_error") is True:
        msg["is_error"] = True
        wire.extensions = True
    return msg


def _assistant(content: list[Any], where: str, wire: WireRequest) -> dict[str, Any]:
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    for j, blk in enumerate(content):
        w = f"{where}.content[{j}]"
        kind = blk.get("type") if isinstance(blk, dict) else None
        if kind == "text":
            texts.append(str(blk.get("text") or ""))
        elif kind == "tool_use":
            if not isinstance(blk.get("id"), str) or not isinstance(blk.get("name"), str):
                raise bad(w, "a tool_use block with an id and a name")
            calls.append({"id": blk["id"], "type": "function",
                          "function": {"name": blk["name"], "arguments": orjson.dumps(blk.get("input") or {}).decode()}})
        elif kind in ("thinking", "redacted_thinking"):
            wire.dropped.append(f"{w} ({kind})")
        else:
            raise bad(w, "a text, tool_use or thinking block")
    msg: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts or not calls else None}
    if calls:
        msg["tool_calls"] = calls
    return msg


def _tools(body: dict[str, Any], chat: dict[str, Any], wire: WireRequest) -> None:
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            raise bad("tools", "a list of tools")
        fns, server = [], []
        for i, t in enumerate(tools):
            if not isinstance(t, dict) or not isinstance(t.get("name"), str):
                raise bad(f"tools[{i}]", "a tool with a name")
            if t.get("type") not in (None, "custom"):
                server.append(t)
                wire.untranslatable.append(f"tools[{i}] ({t.get('type')})")
                continue
            fn: dict[str, Any] = {"name": t["name"], "parameters": t.get("input_schema") or {"type": "object", "properties": {}}}
            if isinstance(t.get("description"), str):
                fn["description"] = t["description"]
            tool: dict[str, Any] = {"type": "function", "function": fn}
            if isinstance(t.get("cache_control"), dict):
                tool["cache_control"] = t["cache_control"]
                wire.extensions = True
            fns.append(tool)
        if fns:
            chat["tools"] = fns
        if server:
            wire.native_only["tools"] = server
    tc = body.get("tool_choice")
    if tc is None:
        return
    if not isinstance(tc, dict):
        raise bad("tool_choice", "an object like {\"type\": \"auto\"}")
    kind = tc.get("type")
    if kind == "auto":
        chat["tool_choice"] = "auto"
    elif kind == "any":
        chat["tool_choice"] = "required"
    elif kind == "none":
        chat["tool_choice"] = "none"
    elif kind == "tool" and isinstance(tc.get("name"), str):
        chat["tool_choice"] = {"type": "function", "function": {"name": tc["name"]}}
    else:
        raise bad("tool_choice.type", "'auto', 'any', 'tool' or 'none'")
    if tc.get("disable_parallel_tool_use") is True:
        chat["parallel_tool_calls"] = False
