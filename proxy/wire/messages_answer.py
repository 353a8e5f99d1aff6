"""Chat answers -> Anthropic `Message` objects, and errors in Anthropic's shape.

    from_chat(completion, native)   a chat.completion -> a Message (text block, tool_use blocks)
    error_body(status, message)     {"type":"error","error":{type, message}} (the SDK maps by status)

Finish reasons: stop -> end_turn, length ->
max_tokens, tool_calls -> tool_use, content_filter -> refusal. Usage: input_tokens is the
prompt less what was read from or written to the prompt cache (Anthropic counts them apart).
"""
from __future__ import annotations

from typing import Any

import orjson

from .apis import derived_id, minted_id, usage_numbers

# Anthropic stop_reason -> chat finish_reason (the Anthropic provider reads it too).
FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}
STOP = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use", "function_call": "tool_use",
        "content_filter": "refusal"}
ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 402: "billing_error", 403: "permission_error",
               404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error", 503: "overloaded_error",
               504: "timeout_error", 529: "overloaded_error"}


def error_type(status: int) -> str:
    return ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")


def error_body(status: int, message: str, request_id: str | None = None) -> bytes:
    body: dict[str, Any] = {"type": "error", "error": {"type": error_type(status), "message": message}}
    if request_id:
        body["request_id"] = request_id
    return orjson.dumps(body)


def usage_of(usage: Any) -> dict[str, Any]:
    prompt, completion, cached, _ = usage_numbers(usage)
    return {"input_tokens": max(0, prompt - cached), "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": cached, "output_tokens": completion}


def stop_of(finish: Any) -> str:
    """The stop_reason for a chat finish reason (OpenAI-compatible upstreams do not say which stop
    string ended an answer, so `stop_sequence` stays null for translated answers)."""
    return STOP.get(str(finish), "end_turn")


def from_chat(completion: dict[str, Any], native: dict[str, Any]) -> dict[str, Any]:
    choices = completion.get("choices") if isinstance(completion.get("choices"), list) else []
    choice = choices[0] if choices and isinstance(choices[0], dict) else {}
    msg = choice.get("message") if isinstance(choice.get("message"), dict) else {}
    blocks: list[dict[str, Any]] = []
    text = msg.get("content")
    if isinstance(text, list):
        text = "".join(str(p.get("text") or "") for p in text if isinstance(p, dict))
    refusal = msg.get("refusal") if isinstance(msg.get("refusal"), str) else None
    if isinstance(text, str) and text:
        blocks.append({"type": "text", "text": text})
    elif refusal:
        blocks.append({"type": "text", "text": refusal})
    for c in msg.get("tool_calls") or ():
        fn = c.get("function") if isinstance(c, dict) and isinstance(c.get("function"), dict) else {}
        blocks.append({"type": "tool_use", "id": _tool_id(c.get("id") if isinstance(c, dict) else None),
                       "name": fn.get("name") or "", "input": tool_input(fn.get("arguments"))})
    if not blocks:
        blocks.append({"type": "text", "text": ""})
    reason = stop_of(choice.get("finish_reason"))
    if refusal and not text:
        reason = "refusal"
    return {"id": derived_id("msg_", completion.get("id") if isinstance(completion.get("id"), str) else None),
            "type": "message", "role": "assistant", "model": completion.get("model") or native.get("model"),
            "content": blocks, "stop_reason": reason, "stop_sequence": None, "usage": usage_of(completion.get("usage"))}


def _tool_id(cid: Any) -> str:
    return cid if isinstance(cid, str) and cid else minted_id("toolu_")


def tool_input(arguments: Any) -> Any:
    """A tool call's JSON arguments as the `input` object of a tool_use block ({} when not JSON:
    a Messages client cannot receive arguments that are not an object)."""
    if isinstance(arguments, dict):
        return arguments
    try:
        v = orjson.loads(arguments or "{}")
    except (orjson.JSONDecodeError, TypeError):
        return {}
    return v if isinstance(v, dict) else {}
