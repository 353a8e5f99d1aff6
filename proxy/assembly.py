"""The answer of one upstream attempt, assembled once.

Dispatch feeds every event of a streamed attempt to one `Assembly` as it passes (the event's
JSON is parsed once and cached on the event), and reads a complete JSON answer into one the
same way. Everyone who needs the running or the final answer reads it: validation, the
continuation after a cut, the cache, accounting and telemetry. Nobody re-assembles chunks
for their own books.

An `Assembly` knows, per choice: text, refusal, tool-call fragments by index (id, name,
arguments), the legacy `function_call`, logprobs and the finish reason; and for the whole
answer: id, created, model, system fingerprint, service tier and usage (the last usage
object seen: OpenAI sends it in its own final chunk, or in the body).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .sse import SSEEvent


@dataclass(slots=True)
class ToolCall:
    id: str | None
    name: str | None
    arguments: str  # the raw JSON text the model produced
    type: str = "function"


@dataclass(slots=True)
class Answer:
    """One choice of an answer, whether it arrived as JSON or as a stream of chunks."""

    content: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    refusal: str | None = None
    index: int = 0

    @property
    def text(self) -> str:
        return self.content or ""

    def to_record(self, limit: int = 16_384) -> dict[str, Any]:
        """A bounded, JSON-ready copy (review queue, tickets)."""
        content = self.content
        if content is not None and len(content) > limit:
            content = content[:limit] + "…[truncated]"
        return {
            "content": content,
            "tool_calls": [{"id": t.id, "name": t.name, "arguments": t.arguments[:limit]} for t in self.tool_calls],
            "finish_reason": self.finish_reason,
        }


class _Call:
    __slots__ = ("id", "type", "name", "args")

    def __init__(self) -> None:
        self.id: str | None = None
        self.type = "function"
        self.name: list[str] = []
        self.args: list[str] = []


class _Choice:
    __slots__ = ("role", "text", "refusal", "calls", "function_call", "logprobs", "finish", "text_mode")

    def __init__(self) -> None:
        self.role: str | None = None
        self.text: list[str] = []
        self.refusal: list[str] = []
        self.calls: dict[int, _Call] = {}
        self.function_call: list[list[str]] | None = None  # [name parts, argument parts]
        self.logprobs: dict[str, list[Any]] | None = None
        self.finish: str | None = None
        self.text_mode = False  # a text_completion choice (`text`, not `message`/`delta`)


_HEAD_EXTRAS = ("system_fingerprint", "service_tier")


class Assembly:
    """The running (then final) answer of one attempt, in OpenAI's chat/text completion terms."""

    __slots__ = ("id", "created", "model", "object", "extras", "usage", "choices", "events", "error")

    def __init__(self) -> None:
        self.id: str | None = None
        self.created: int | None = None
        self.model: str | None = None
        self.object: str | None = None
        self.extras: dict[str, Any] = {}
        self.usage: dict[str, Any] | None = None
        self.choices: dict[int, _Choice] = {}
        self.events = 0  # data events seen
        self.error: dict[str, Any] | None = None  # an upstream error object, if one arrived

    # -- feeding -----------------------------------------------------------------------------
    def feed(self, ev: SSEEvent) -> dict[str, Any] | None:
        """Take one streamed event; returns its chunk (None for comments, [DONE], non-JSON)."""
        obj = ev.chunk()
        if obj is not None:
            self.events += 1
            self.feed_chunk(obj)
        return obj

    def feed_chunk(self, obj: dict[str, Any]) -> None:
        if self.id is None:
            self._head(obj)
        usage = obj.get("usage")
        if isinstance(usage, dict) and usage:
            self.usage = usage
        err = obj.get("error")
        if err is not None:
            self.error = err if isinstance(err, dict) else {"message": str(err)}
        choices = obj.get("choices")
        if not isinstance(choices, list):
            return
        for c in choices:
            if not isinstance(c, dict):
                continue
            ch = self._choice(c.get("index", 0))
            delta = c.get("delta")
            if isinstance(delta, dict):
                self._delta(ch, delta)
            elif isinstance(c.get("text"), str):
                ch.text_mode = True
                ch.text.append(c["text"])
            lp = c.get("logprobs")
            if isinstance(lp, dict):
                merged = ch.logprobs if ch.logprobs is not None else {}
                for k, v in lp.items():
                    if isinstance(v, list):
                        merged.setdefault(k, []).extend(v)
                ch.logprobs = merged
            if c.get("finish_reason"):
                ch.finish = c["finish_reason"]

    def read_body(self, obj: Any) -> None:
        """Take a complete answer (`chat.completion` / `text_completion` JSON)."""
        if not isinstance(obj, dict):
            return
        self._head(obj)
        usage = obj.get("usage")
        if isinstance(usage, dict) and usage:
            self.usage = usage
        if obj.get("error") is not None:
            err = obj["error"]
            self.error = err if isinstance(err, dict) else {"message": str(err)}
        choices = obj.get("choices")
        if not isinstance(choices, list):
            return
        for c in choices:
            if not isinstance(c, dict):
                continue
            ch = self._choice(c.get("index", 0))
            msg = c.get("message")
            if isinstance(msg, dict):
                ch.role = msg.get("role") if isinstance(msg.get("role"), str) else "assistant"
                content = msg.get("content")
                if isinstance(content, list):  # content parts: the text ones
                    content = "".join(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
                if isinstance(content, str):
                    ch.text.append(content)
                if isinstance(msg.get("refusal"), str):
                    ch.refusal.append(msg["refusal"])
                for i, tc in enumerate(msg.get("tool_calls") or ()):
                    if isinstance(tc, dict):
                        self._call_fragment(ch, {**tc, "index": i})
                fc = msg.get("function_call")
                if isinstance(fc, dict):
                    ch.function_call = [[str(fc.get("name") or "")], [str(fc.get("arguments") or "")]]
            elif isinstance(c.get("text"), str):
                ch.text_mode = True
                ch.text.append(c["text"])
            if isinstance(c.get("logprobs"), dict):
                ch.logprobs = c["logprobs"]
            ch.finish = c.get("finish_reason") or ch.finish

    def _head(self, obj: dict[str, Any]) -> None:
        if isinstance(obj.get("id"), str):
            self.id = obj["id"]
        if isinstance(obj.get("created"), int):
            self.created = obj["created"]
        if isinstance(obj.get("model"), str):
            self.model = obj["model"]
        if isinstance(obj.get("object"), str):
            self.object = obj["object"]
        for k in _HEAD_EXTRAS:
            if obj.get(k) is not None:
                self.extras[k] = obj[k]

    def _choice(self, index: Any) -> _Choice:
        i = index if isinstance(index, int) else 0
        ch = self.choices.get(i)
        if ch is None:
            ch = self.choices[i] = _Choice()
        return ch

    def _delta(self, ch: _Choice, d: dict[str, Any]) -> None:
        if isinstance(d.get("role"), str):
            ch.role = d["role"]
        content = d.get("content")
        if isinstance(content, str):
            ch.text.append(content)
        if isinstance(d.get("refusal"), str):
            ch.refusal.append(d["refusal"])
        for tc in d.get("tool_calls") or ():
            if isinstance(tc, dict):
                self._call_fragment(ch, tc)
        fc = d.get("function_call")
        if isinstance(fc, dict):
            if ch.function_call is None:
                ch.function_call = [[], []]
            ch.function_call[0].append(str(fc.get("name") or ""))
            ch.function_call[1].append(str(fc.get("arguments") or ""))

    @staticmethod
    def _call_fragment(ch: _Choice, tc: dict[str, Any]) -> None:
        idx = tc.get("index", 0)
        call = ch.calls.get(idx if isinstance(idx, int) else 0)
        if call is None:
            call = ch.calls[idx if isinstance(idx, int) else 0] = _Call()
        if isinstance(tc.get("id"), str) and tc["id"]:
            call.id = tc["id"]
        if isinstance(tc.get("type"), str):
            call.type = tc["type"]
        fn = tc.get("function")
        if isinstance(fn, dict):
            if isinstance(fn.get("name"), str) and fn["name"]:
                call.name.append(fn["name"])
            if isinstance(fn.get("arguments"), str):
                call.args.append(fn["arguments"])

    def copy(self) -> "Assembly":
        """An independent copy (a layer that goes on writing an answer another attempt began)."""
        import copy

        return copy.deepcopy(self)

    # -- reading -------------------------------------------------------------------------------
    def text(self, index: int = 0) -> str:
        ch = self.choices.get(index)
        return "".join(ch.text) if ch is not None else ""

    @property
    def finished(self) -> bool:
        """Every choice seen so far has a finish reason (and there is at least one)."""
        return bool(self.choices) and all(ch.finish for ch in self.choices.values())

    @property
    def has_tool_calls(self) -> bool:
        return any(ch.calls or ch.function_call for ch in self.choices.values())

    @property
    def finish_reasons(self) -> list[str]:
        return [ch.finish for _, ch in sorted(self.choices.items()) if ch.finish]

    def generated_text(self) -> str:
        """Everything the model generated (text, refusals, tool names and arguments): what a
        token count of the output is taken from when the upstream reported no usage."""
        parts: list[str] = []
        for ch in self.choices.values():
            parts.extend(ch.text)
            parts.extend(ch.refusal)
            for call in ch.calls.values():
                parts.extend(call.name)
                parts.extend(call.args)
            if ch.function_call is not None:
                parts.extend(ch.function_call[0])
                parts.extend(ch.function_call[1])
        return "".join(parts)

    def answers(self) -> list[Answer]:
        out: list[Answer] = []
        for i, ch in sorted(self.choices.items()):
            calls = [ToolCall(c.id, "".join(c.name) or None, "".join(c.args), c.type) for _, c in sorted(ch.calls.items())]
            if ch.function_call is not None:
                calls.append(ToolCall(None, "".join(ch.function_call[0]) or None, "".join(ch.function_call[1])))
            text = "".join(ch.text) if ch.text else None
            refusal = "".join(ch.refusal) if ch.refusal else None
            out.append(Answer(text, calls, ch.finish, refusal, i))
        return out

    def completion(self) -> dict[str, Any]:
        """The whole answer as one `chat.completion` (or `text_completion`) object."""
        text_mode = any(ch.text_mode for ch in self.choices.values())
        choices: list[dict[str, Any]] = []
        for i, ch in sorted(self.choices.items()):
            if text_mode:
                choices.append({"index": i, "text": "".join(ch.text), "logprobs": ch.logprobs, "finish_reason": ch.finish})
                continue
            msg: dict[str, Any] = {
                "role": ch.role or "assistant",
                "content": "".join(ch.text) if ch.text or not (ch.calls or ch.refusal or ch.function_call) else None,
                "refusal": "".join(ch.refusal) if ch.refusal else None,
            }
            if ch.calls:
                msg["tool_calls"] = [
                    {"id": c.id, "type": c.type, "function": {"name": "".join(c.name), "arguments": "".join(c.args)}}
                    for _, c in sorted(ch.calls.items())
                ]
            if ch.function_call is not None:
                msg["function_call"] = {"name": "".join(ch.function_call[0]), "arguments": "".join(ch.function_call[1])}
            choices.append({"index": i, "message": msg, "logprobs": ch.logprobs, "finish_reason": ch.finish})
        out: dict[str, Any] = {
            "id": self.id, "object": "text_completion" if text_mode else "chat.completion",
            "created": self.created, "model": self.model, "choices": choices, "usage": self.usage,
        }
        out.update(self.extras)
        return out
