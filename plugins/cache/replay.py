"""Converting between the two shapes of one answer: stream chunks and a `chat.completion`.

A streamed miss is stored as the merged completion (its assembly) plus its chunks (without the shared head
and usage); a plain miss as the completion only, from which a streamed hit synthesizes
chunks word by word. `replay_events` turns a stored entry back into SSE events.
"""
from __future__ import annotations

import re
from typing import Any, AsyncIterator

from proxy.sse import SSEEvent

_WORDS = re.compile(r"\s*\S+|\s+")
_CHUNK_HEAD = ("id", "object", "created", "model", "usage")


def replay_chunks(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chunks of a streamed answer to replay on a hit: choices and per-chunk extras,
    without the shared head or usage (the merged completion comes from the attempt's
    `proxy.assembly.Assembly`)."""
    return [{k: v for k, v in ch.items() if k not in _CHUNK_HEAD} for ch in chunks if ch.get("choices")]


def chunks_from_completion(completion: dict[str, Any]) -> list[dict[str, Any]]:
    """Stream chunks (without head) for a plain answer: role, word-sized content pieces,
    tool-call fragments, the finish chunk; the order a real stream uses."""
    extra = {k: completion[k] for k in ("system_fingerprint", "service_tier") if completion.get(k) is not None}
    out: list[dict[str, Any]] = []

    def add(index: int, delta: dict[str, Any], finish: Any = None, logprobs: Any = None) -> None:
        out.append({**extra, "choices": [{"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish}]})

    for choice in completion.get("choices") or ():
        idx = choice.get("index", 0)
        msg = choice.get("message") or {}
        content, tools, refusal = msg.get("content"), msg.get("tool_calls"), msg.get("refusal")
        first: dict[str, Any] = {"role": msg.get("role") or "assistant", "content": "" if content is not None or not (tools or refusal) else None}
        if refusal is not None:
            first["refusal"] = ""
        add(idx, first)
        lp = choice.get("logprobs")
        if isinstance(content, str):
            for piece in _WORDS.findall(content):
                add(idx, {"content": piece}, logprobs=lp)
                lp = None
        if isinstance(refusal, str):
            for piece in _WORDS.findall(refusal):
                add(idx, {"refusal": piece}, logprobs=lp)
                lp = None
        for i, tc in enumerate(tools or ()):
            fn = tc.get("function") or {}
            add(idx, {"tool_calls": [{"index": i, "id": tc.get("id"), "type": tc.get("type", "function"), "function": {"name": fn.get("name", ""), "arguments": ""}}]})
            if fn.get("arguments"):
                add(idx, {"tool_calls": [{"index": i, "function": {"arguments": fn["arguments"]}}]})
        if msg.get("function_call"):
            add(idx, {"function_call": msg["function_call"]})
        add(idx, {}, finish=choice.get("finish_reason") or "stop", logprobs=lp)
    return out


async def replay_events(entry: dict[str, Any], include_usage: bool, created: int | None) -> AsyncIterator[SSEEvent]:
    completion = entry["c"]
    chunks = entry.get("k")
    if chunks is None:
        chunks = chunks_from_completion(completion)
    head = {"id": completion.get("id"), "object": "chat.completion.chunk", "created": created or completion.get("created"), "model": completion.get("model")}
    tail = {"usage": None} if include_usage else {}
    for ch in chunks:
        yield SSEEvent.from_json({**head, **ch, **tail})
    if include_usage and completion.get("usage"):
        extra = {k: completion[k] for k in ("system_fingerprint", "service_tier") if completion.get(k) is not None}
        yield SSEEvent.from_json({**head, **extra, "choices": [], "usage": completion["usage"]})
    yield SSEEvent.done()


def _is_completion(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("choices"), list) and obj.get("object", "chat.completion") == "chat.completion" and "error" not in obj
