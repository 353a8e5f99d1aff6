"""What the simulator answers: the prompt text of a request and the resolved answer.

Shared by both faces: `text_of` / `chat_last_user` / `prompt_text` read the user's text
(also what scripts match on), `resolve_answer` decides the content or tool calls of a
chat-like answer (scripted reply, tool call, or the deterministic sentence, then content
faults and max_tokens).
"""
from __future__ import annotations

from typing import Any

from ..tokens import count_text
from .script import answer_text, call_id, tool_calls_for
from .wire import Call

def text_of(content: Any) -> str:
    """Text of an OpenAI/Anthropic message content (string or list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        out = []
        for p in content:
            if isinstance(p, dict):
                t = p.get("text")
                if isinstance(t, str):
                    out.append(t)
                elif p.get("type") == "tool_result":
                    out.append(text_of(p.get("content")))
            elif isinstance(p, str):
                out.append(p)
        return " ".join(out)
    return ""


def chat_last_user(body: Any) -> str | None:
    msgs = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(msgs, list):
        return None
    for m in reversed(msgs):
        if isinstance(m, dict) and m.get("role") == "user":
            return text_of(m.get("content"))
    return ""


def prompt_text(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    p = body.get("prompt", body.get("input"))
    if isinstance(p, str):
        return p
    if isinstance(p, list):
        if p and all(isinstance(x, str) for x in p):
            return p[-1]
        for item in reversed(p):
            # Responses input: the last user message (function calls and their outputs are not)
            if isinstance(item, dict) and item.get("type", "message") == "message" and item.get("role", "user") == "user":
                return text_of(item.get("content"))
    return ""


def _fit(text: str, limit: int, model: str) -> str:
    """The longest word prefix of `text` within `limit` tokens."""
    words = text.split(" ")
    lo, hi = 0, len(words)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count_text(" ".join(words[:mid]), model) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo])


def _half(text: str) -> str:
    words = text.split(" ")
    return " ".join(words[: max(1, len(words) // 2)]) if text else ""


def _tools_map(body: dict[str, Any]) -> dict[str, Any]:
    tools = body.get("tools")
    out: dict[str, Any] = {}
    if isinstance(tools, list):
        for t in tools:
            if isinstance(t, dict):
                fn = t.get("function") if isinstance(t.get("function"), dict) else t
                name = fn.get("name")
                if isinstance(name, str):
                    out[name] = fn.get("parameters") or {"type": "object", "properties": {}}
    return out


def _forced_tool(body: dict[str, Any], tools: dict[str, Any]) -> tuple[str | None, bool]:
    """(forced tool name, tools disabled)."""
    tc = body.get("tool_choice")
    if tc == "none":
        return None, True
    if isinstance(tc, dict):
        fn = tc.get("function")
        name = fn.get("name") if isinstance(fn, dict) else tc.get("name")
        return (name if isinstance(name, str) else None), False
    if tc == "required" and tools:
        return next(iter(tools)), False
    return None, False


class Answer:
    """The resolved answer for a chat-like request."""

    __slots__ = ("content", "calls", "finish", "completion_tokens")

    def __init__(self, content: str | None, calls: list[dict[str, Any]], finish: str, completion_tokens: int) -> None:
        self.content = content
        self.calls = calls
        self.finish = finish
        self.completion_tokens = completion_tokens


def resolve_answer(call: Call, model: str, messages: list[Any], tools: dict[str, Any], forced: str | None,
                   max_tokens: Any, call_prefix: str = "call_") -> Answer:
    """Scripted reply, tool calls or the deterministic sentence; then content faults and max_tokens."""
    reply = call.reply
    calls: list[dict[str, Any]] = []
    content: str | None = None
    finish = None
    if reply is not None and (reply.content is not None or reply.tool_calls is not None):
        content = reply.content
        calls = [dict(c) for c in reply.tool_calls or ()]
        finish = reply.finish_reason
    else:
        last = messages[-1] if messages else None
        last_role = last.get("role") if isinstance(last, dict) else None
        user_text = ""
        for m in reversed(messages):
            if isinstance(m, dict) and m.get("role") == "user":
                user_text = text_of(m.get("content"))
                break
        if tools and last_role == "user" and not _has_tool_result(last):
            calls = tool_calls_for(user_text, tools, forced)
        if not calls:
            ref = user_text if last_role in ("user", None) or last is None else text_of(last.get("content"))
            content = answer_text(model, call.state.cfg.seed, len(messages), ref)
    for i, c in enumerate(calls):
        c.setdefault("id", call_id(call_prefix, model, len(messages), i, c["name"], c["arguments"]))
    f = call.fault
    if f is not None and content:
        if f.empty:
            content = ""
        elif f.content_filter:
            content, finish = _half(content), "content_filter"
        elif f.length:
            content, finish = _half(content), "length"
    elif f is not None and f.content_filter:
        finish = "content_filter"
    if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) and max_tokens > 0 and content and not calls:
        if count_text(content, model) > max_tokens:
            content, finish = _fit(content, max_tokens, model), "length"
    if finish is None:
        finish = "tool_calls" if calls else "stop"
    n = count_text(content or "", model)
    for c in calls:
        n += count_text(c["name"], model) + count_text(c["arguments"], model) + 3
    return Answer(content, calls, finish, n)


def _has_tool_result(msg: Any) -> bool:
    c = msg.get("content") if isinstance(msg, dict) else None
    return isinstance(c, list) and any(isinstance(p, dict) and p.get("type") == "tool_result" for p in c)
