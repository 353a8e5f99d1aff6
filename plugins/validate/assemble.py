"""Answers out of a response: from a complete JSON body or re-assembled from stream chunks.

`_answers_from_json` reads the choices of a `chat.completion` / `text_completion`;
`_Assembler` rebuilds the same `Answer`s from `chat.completion.chunk` (or `text_completion`)
events as they pass. `_iterate` and `_chain_events` replay buffered events.
"""
from __future__ import annotations

from typing import Any, AsyncIterator

from proxy.sse import SSEEvent

from .validators.base import Answer, ToolCall


async def _iterate(events: list[SSEEvent]) -> AsyncIterator[SSEEvent]:
    for ev in events:
        yield ev


async def _chain_events(head: list[SSEEvent], rest: AsyncIterator[SSEEvent]) -> AsyncIterator[SSEEvent]:
    for ev in head:
        yield ev
    async for ev in rest:
        yield ev


def _answers_from_json(data: dict[str, Any]) -> list[Answer]:
    out = []
    for i, ch in enumerate(data.get("choices") or ()):
        if not isinstance(ch, dict):
            continue
        msg = ch.get("message")
        if isinstance(msg, dict):
            calls = []
            for tc in msg.get("tool_calls") or ():
                if not isinstance(tc, dict):
                    continue
                fn = tc.get("function") or {}
                calls.append(ToolCall(tc.get("id"), fn.get("name"), fn.get("arguments") or "", tc.get("type") or "function"))
            fc = msg.get("function_call")
            if isinstance(fc, dict):
                calls.append(ToolCall(None, fc.get("name"), fc.get("arguments") or ""))
            content = msg.get("content")
            if isinstance(content, list):
                content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
            out.append(Answer(content, calls, ch.get("finish_reason"), msg.get("refusal"), ch.get("index", i)))
        else:
            out.append(Answer(ch.get("text"), [], ch.get("finish_reason"), None, ch.get("index", i)))
    return out


class _Assembler:
    """Rebuilds answers from chat.completion.chunk (or text_completion) events."""

    __slots__ = ("content", "refusal", "calls", "finish", "meta")

    def __init__(self) -> None:
        self.content: dict[int, list[str]] = {}
        self.refusal: dict[int, list[str]] = {}
        self.calls: dict[int, dict[int, dict[str, Any]]] = {}
        self.finish: dict[int, str | None] = {}
        self.meta: dict[str, Any] = {}

    def feed(self, ev: SSEEvent) -> None:
        obj = ev.chunk()
        if obj is None:
            return
        if not self.meta:
            self.meta = {"id": obj.get("id"), "created": obj.get("created"), "model": obj.get("model")}
        if obj.get("usage"):
            self.meta["usage"] = obj["usage"]
        for ch in obj.get("choices") or ():
            if not isinstance(ch, dict):
                continue
            i = ch.get("index", 0)
            self.content.setdefault(i, [])
            delta = ch.get("delta")
            if isinstance(delta, dict):
                if isinstance(delta.get("content"), str):
                    self.content[i].append(delta["content"])
                if isinstance(delta.get("refusal"), str):
                    self.refusal.setdefault(i, []).append(delta["refusal"])
                for tc in delta.get("tool_calls") or ():
                    if not isinstance(tc, dict):
                        continue
                    slot = self.calls.setdefault(i, {}).setdefault(tc.get("index", 0), {"id": None, "name": None, "args": []})
                    if tc.get("id"):
                        slot["id"] = tc["id"]
                    fn = tc.get("function") or {}
                    if fn.get("name"):
                        slot["name"] = fn["name"]
                    if isinstance(fn.get("arguments"), str):
                        slot["args"].append(fn["arguments"])
            elif isinstance(ch.get("text"), str):
                self.content[i].append(ch["text"])
            if ch.get("finish_reason"):
                self.finish[i] = ch["finish_reason"]

    def answers(self) -> list[Answer]:
        out = []
        for i in sorted(set(self.content) | set(self.calls)):
            parts = self.content.get(i) or []
            calls = [ToolCall(s["id"], s["name"], "".join(s["args"])) for _, s in sorted(self.calls.get(i, {}).items())]
            ref = self.refusal.get(i)
            out.append(Answer("".join(parts) if parts else None, calls, self.finish.get(i), "".join(ref) if ref else None, i))
        return out
