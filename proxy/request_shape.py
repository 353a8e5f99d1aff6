"""Shape checks on request bodies, before any plugin runs.

Plugins read `messages`, `tools`, `max_tokens`... and must be able to trust their types;
the upstream would reject a malformed request anyway. So the fields Bulwark itself reads
are checked here once, and a wrong type is a 400 `invalid_request_error` naming the field
(`param`), the way OpenAI answers. Unknown fields are left alone (forward compatibility).
"""
from __future__ import annotations

import re
from typing import Any

from .context import CHAT, COMPLETIONS, EMBEDDINGS
from .errors import BadRequest
from .wire.apis import MAX_OUTPUT_TOKENS

_NUMBER = (int, float)
# Path segments Bulwark forwards: no traversal, no empty segments, no control characters.
_SAFE_CHARS = re.compile(r"[A-Za-z0-9._~\-:@,=+/]+")
MAX_MESSAGES = 100_000
# The integer fields Bulwark reads, with the range OpenAI accepts.
_INT_RANGES = {
    "max_tokens": (1, MAX_OUTPUT_TOKENS),
    "max_completion_tokens": (1, MAX_OUTPUT_TOKENS),
    "n": (1, 128),
    "seed": (-(2**63), 2**63 - 1),
}


def _bad(param: str, what: str) -> BadRequest:
    return BadRequest(f"Invalid type for '{param}': expected {what}.", param=param, code="invalid_type")


def _opt(body: dict[str, Any], key: str, types: Any, what: str) -> None:
    v = body.get(key)
    if v is None:
        return
    if (isinstance(v, bool) and types is not bool) or not isinstance(v, types):
        raise _bad(key, what)


def check_path(path: str) -> None:
    if (len(path) > 2048 or not path.startswith("/") or "//" in path or "/." in path
            or not _SAFE_CHARS.fullmatch(path)):
        raise BadRequest(f"Unsupported path /v1{path[:200]}.", code="invalid_path")


def check_body(endpoint: str, body: dict[str, Any]) -> None:
    if endpoint not in (CHAT, COMPLETIONS, EMBEDDINGS):
        return
    model = body.get("model")
    if not isinstance(model, str) or not model or len(model) > 256:
        raise BadRequest("You must provide a model parameter (a non-empty string).", param="model",
                         code="missing_required_parameter" if model is None else "invalid_type")
    _opt(body, "stream", bool, "a boolean")
    _opt(body, "user", str, "a string")
    _opt(body, "stream_options", dict, "an object")
    for key, (low, high) in _INT_RANGES.items():
        _opt(body, key, int, "an integer")
        v = body.get(key)
        if v is not None and not low <= v <= high:
            raise BadRequest(f"Invalid '{key}': {v} is out of range; expected an integer from {low} to {high}.",
                             param=key, code="integer_below_min_value" if v < low else "integer_above_max_value")
    for key in ("temperature", "top_p", "presence_penalty", "frequency_penalty"):
        _opt(body, key, _NUMBER, "a number")
    if endpoint == CHAT:
        _check_messages(body.get("messages"))
        tools = body.get("tools")
        if tools is not None:
            if not isinstance(tools, list):
                raise _bad("tools", "an array")
            for i, t in enumerate(tools):
                if not isinstance(t, dict) or (t.get("type", "function") == "function" and not isinstance(t.get("function"), dict)):
                    raise _bad(f"tools[{i}]", "an object with a 'function' object")
        _opt(body, "response_format", dict, "an object")
    elif endpoint == COMPLETIONS:
        p = body.get("prompt")
        if p is not None and not isinstance(p, (str, list)):
            raise _bad("prompt", "a string or an array")
    else:
        inp = body.get("input")
        if not isinstance(inp, (str, list)):
            raise BadRequest("You must provide an input (a string or an array).", param="input", code="missing_required_parameter" if inp is None else "invalid_type")


def _check_messages(messages: Any) -> None:
    if not isinstance(messages, list) or not messages:
        raise BadRequest("'messages' must be a non-empty array of message objects.", param="messages",
                         code="missing_required_parameter" if messages is None else "invalid_type")
    if len(messages) > MAX_MESSAGES:
        raise BadRequest(f"'messages' has more than {MAX_MESSAGES} entries.", param="messages")
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            raise _bad(f"messages[{i}]", "an object")
        role = m.get("role")
        if not isinstance(role, str):
            raise _bad(f"messages[{i}].role", "a string")
        content = m.get("content")
        if content is not None and not isinstance(content, (str, list)):
            raise _bad(f"messages[{i}].content", "a string or an array of content parts")
        if isinstance(content, list):
            for j, part in enumerate(content):
                if not isinstance(part, (dict, str)):
                    raise _bad(f"messages[{i}].content[{j}]", "a content part object")
        calls = m.get("tool_calls")
        if calls is not None:
            if not isinstance(calls, list):
                raise _bad(f"messages[{i}].tool_calls", "an array")
            for j, c in enumerate(calls):
                if not isinstance(c, dict) or not isinstance(c.get("function", {}), dict):
                    raise _bad(f"messages[{i}].tool_calls[{j}]", "an object with a 'function' object")
        if "tool_call_id" in m and not isinstance(m["tool_call_id"], str):
            raise _bad(f"messages[{i}].tool_call_id", "a string")
        if "name" in m and m["name"] is not None and not isinstance(m["name"], str):
            raise _bad(f"messages[{i}].name", "a string")
