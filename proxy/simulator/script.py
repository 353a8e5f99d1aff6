"""What the simulator answers: scripted replies, deterministic sentences, tool calls.

A reply is a plain dict, the same shape users script:
    {"content": "text"}                                    an assistant message
    {"tool_calls": [{"name": "get_weather", "arguments": {...}}]}
    {"fault": "<spec>"}                                    a fault (see faults.py) for that request
Keys combine: {"content": "partial", "fault": "cut=3"}; "finish_reason" overrides the default.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any

import orjson

from .faults import Fault, parse_fault

_VOCAB = (
    "amber", "river", "quietly", "tests", "the", "harbor", "bright", "signal", "carries", "a", "steady",
    "answer", "across", "calm", "servers", "while", "every", "request", "finds", "its", "way", "home",
    "through", "patient", "queues", "and", "careful", "retries", "under", "clear", "skies",
)
_WS = re.compile(r"\s+")
_FRAGMENT = re.compile(r"\w+|\W+")
_CALL = re.compile(r"\bcall\s+([A-Za-z0-9_.\-]+)", re.IGNORECASE)


class Reply:
    """A resolved reply: content and/or tool calls, an optional fault and finish_reason."""

    __slots__ = ("content", "tool_calls", "fault", "finish_reason", "scripted")

    def __init__(
        self,
        content: str | None = None,
        tool_calls: list[dict[str, Any]] | None = None,
        fault: Fault | None = None,
        finish_reason: str | None = None,
        scripted: bool = False,
    ) -> None:
        self.content = content
        self.tool_calls = tool_calls
        self.fault = fault
        self.finish_reason = finish_reason
        self.scripted = scripted


def make_reply(spec: dict[str, Any]) -> Reply:
    """Validate a user-supplied reply dict (raises ValueError with a readable message)."""
    if not isinstance(spec, dict):
        raise ValueError("a reply must be an object like {\"content\": ...}, {\"tool_calls\": [...]} or {\"fault\": ...}")
    unknown = set(spec) - {"content", "tool_calls", "fault", "finish_reason"}
    if unknown:
        raise ValueError(f"unknown reply keys {sorted(unknown)}; allowed: content, tool_calls, fault, finish_reason")
    content = spec.get("content")
    if content is not None and not isinstance(content, str):
        raise ValueError("reply content must be a string")
    calls = spec.get("tool_calls")
    norm: list[dict[str, Any]] | None = None
    if calls is not None:
        if not isinstance(calls, list) or not calls:
            raise ValueError("reply tool_calls must be a non-empty list of {name, arguments}")
        norm = []
        for c in calls:
            if not isinstance(c, dict) or not isinstance(c.get("name"), str):
                raise ValueError("each tool call needs a string name")
            args = c.get("arguments", {})
            if isinstance(args, str):
                args_json = args  # already serialized (may deliberately be invalid JSON)
            else:
                args_json = orjson.dumps(args).decode()
            norm.append({"name": c["name"], "arguments": args_json})
    fault = parse_fault(spec["fault"]) if spec.get("fault") else None
    if content is None and norm is None and fault is None:
        raise ValueError("a reply needs content, tool_calls or fault")
    fr = spec.get("finish_reason")
    if fr is not None and not isinstance(fr, str):
        raise ValueError("finish_reason must be a string")
    return Reply(content, norm, fault, fr, scripted=True)


class ScriptBook:
    """Scripts by substring match; replies consumed in order, the last one repeats.
    The most recently added script that matches wins; adding the same match replaces it."""

    def __init__(self) -> None:
        self._entries: list[list[Any]] = []  # [match, replies, position]

    def __bool__(self) -> bool:
        return bool(self._entries)

    def add(self, match: str, replies: list[dict[str, Any]]) -> None:
        if not isinstance(match, str):
            raise ValueError("match must be a string")
        if not isinstance(replies, list) or not replies:
            raise ValueError("replies must be a non-empty list")
        parsed = [make_reply(r) for r in replies]
        self._entries = [e for e in self._entries if e[0] != match]
        self._entries.append([match, parsed, 0])

    def clear(self) -> None:
        self._entries.clear()

    def take(self, text: str) -> Reply | None:
        for entry in reversed(self._entries):
            if entry[0] in text:
                replies, pos = entry[1], entry[2]
                reply = replies[min(pos, len(replies) - 1)]
                entry[2] = pos + 1
                return reply
        return None

    def describe(self) -> list[dict[str, Any]]:
        return [{"match": m, "replies": len(r), "consumed": p} for m, r, p in self._entries]


def _digest(*parts: Any) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        h.update(str(p).encode())
        h.update(b"\x00")
    return h.digest()


def answer_text(model: str, seed: int, n_messages: int, last_user: str) -> str:
    """The default answer: a deterministic function of (model, conversation, seed)."""
    d = _digest(model, seed, n_messages, last_user)
    snippet = " ".join(_WS.split(last_user.strip())[:12]) if last_user.strip() else "your request"
    words = " ".join(_VOCAB[b % len(_VOCAB)] for b in d[:6])
    return f'Simulated reply to "{snippet}": {words}.'


def call_id(prefix: str, *parts: Any) -> str:
    return prefix + _digest(*parts).hex()[:24]


def split_words(text: str, k: int) -> list[str]:
    """Pieces of `k` words each whose concatenation is exactly `text`."""
    if not text:
        return []
    k = max(1, k)
    words = text.split(" ")
    out = []
    for i in range(0, len(words), k):
        piece = " ".join(words[i : i + k])
        out.append(piece if i == 0 else " " + piece)
    return out


def split_json(args: str) -> list[str]:
    """Argument fragments like OpenAI's (`{"`, `city`, `":"`, ...)."""
    return _FRAGMENT.findall(args) or [args]


def example_value(schema: Any, name: str = "", depth: int = 0) -> Any:
    """A valid example value for a JSON schema (defaults, enums and consts first)."""
    if not isinstance(schema, dict) or depth > 6:
        return "example"
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return example_value(schema[key][0], name, depth + 1)
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "null")
    if t == "object" or (t is None and "properties" in schema):
        props = schema.get("properties") or {}
        return {k: example_value(v, k, depth + 1) for k, v in props.items()} if isinstance(props, dict) else {}
    if t == "array":
        n = max(1, int(schema.get("minItems", 1) or 1))
        return [example_value(schema.get("items", {}), name, depth + 1) for _ in range(min(n, 3))]
    if t == "integer":
        return int(schema.get("minimum", 1))
    if t == "number":
        return float(schema.get("minimum", 1.5))
    if t == "boolean":
        return True
    if t == "null":
        return None
    fmt = schema.get("format")
    if fmt == "date":
        return "2026-01-01"
    if fmt == "date-time":
        return "2026-01-01T00:00:00Z"
    if fmt == "email":
        return "user@example.com"
    return f"example {name}".strip() if name else "example"


def named_calls(text: str, tools: dict[str, Any]) -> list[str]:
    """Tool names the text asks for with "call <name>", in order, each once."""
    out: list[str] = []
    for m in _CALL.finditer(text):
        name = m.group(1).rstrip(".")
        if name in tools and name not in out:
            out.append(name)
    return out


def tool_calls_for(text: str, tools: dict[str, Any], forced: str | None) -> list[dict[str, Any]]:
    """[{name, arguments (JSON string)}] for the tools named in `text` (or the forced one)."""
    names = [forced] if forced and forced in tools else named_calls(text, tools)
    return [{"name": n, "arguments": orjson.dumps(example_value(tools[n] or {"type": "object"})).decode()} for n in names]
