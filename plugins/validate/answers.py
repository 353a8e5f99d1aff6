"""Answers Bulwark writes instead of (or after part of) the model's: withheld, blocked, refused.

- `withheld_text`: the verified part of an answer, then the safe ending (or the safe message
  when nothing before the first unverified claim can be kept).
- A blocked *structured* answer (the request asked for `response_format` JSON or declared
  tools) is the API's refusal: `message.refusal` set and `content` null, so
  `client.chat.completions.parse()` yields `.refusal` instead of failing on the prose; streamed,
  refusal deltas. Any other blocked answer is the safe message as content.
"""
from __future__ import annotations

import time
import uuid
from typing import Any

from proxy.context import COMPLETIONS
from proxy.sse import SSEEvent

from .validators.segments import sentence_start

_ENDS_SENTENCE = ".!?:;)]\"'*\n"


def structured_request(body: dict[str, Any]) -> bool:
    rf = body.get("response_format")
    if isinstance(rf, dict) and rf.get("type") in ("json_object", "json_schema"):
        return True
    return bool(body.get("tools") or body.get("functions"))


def join_ending(prefix: str, ending: str) -> str:
    """The safe ending after a delivered prefix: a clean paragraph break, an ellipsis when the
    prefix stops mid-sentence."""
    head = prefix.rstrip()
    if not head:
        return ending
    sep = "\n\n" if head[-1] in _ENDS_SENTENCE else " …\n\n"
    return sep + ending


def withheld_text(text: str, first_bad: int, safe_message: str, safe_ending: str) -> str:
    """A complete answer whose first unverified claim starts at `first_bad`: keep the sentences
    before it (they were verified), then say that the rest is withheld."""
    cut = sentence_start(text, first_bad)
    kept = text[:cut].rstrip()
    if not kept:
        return safe_message
    return kept + join_ending(kept, safe_ending)


class Head:
    """id / created / model / object of the answer being written (taken from the model's answer)."""

    __slots__ = ("id", "created", "model", "chunk_object")

    def __init__(self, ident: str | None, created: int | None, model: str | None, endpoint: str) -> None:
        self.id = ident or f"chatcmpl-bulwark-{uuid.uuid4().hex[:24]}"
        self.created = created or int(time.time())
        self.model = model or "unknown"
        self.chunk_object = "text_completion" if endpoint == COMPLETIONS else "chat.completion.chunk"

    def chunk(self, choices: list[dict[str, Any]], **extra: Any) -> SSEEvent:
        return SSEEvent.from_json({"id": self.id, "object": self.chunk_object, "created": self.created,
                                   "model": self.model, "choices": choices, **extra})


def text_chunk(head: Head, endpoint: str, text: str, finish: str | None = None, role: bool = False) -> SSEEvent:
    if endpoint == COMPLETIONS:
        return head.chunk([{"index": 0, "text": text, "logprobs": None, "finish_reason": finish}])
    delta: dict[str, Any] = {"role": "assistant", "content": text} if role else ({"content": text} if text else {})
    return head.chunk([{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}])


def refusal_events(head: Head, message: str) -> list[SSEEvent]:
    """A streamed refusal, as OpenAI sends one: a role chunk, refusal deltas, finish `stop`."""
    return [
        head.chunk([{"index": 0, "delta": {"role": "assistant", "content": None, "refusal": ""}, "logprobs": None, "finish_reason": None}]),
        head.chunk([{"index": 0, "delta": {"refusal": message}, "logprobs": None, "finish_reason": None}]),
        head.chunk([{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}]),
    ]


def replacement_body(head: Head, endpoint: str, text: str, refusal: bool, usage: dict[str, Any] | None) -> dict[str, Any]:
    """A complete answer of Bulwark's: `text` as content, or as the refusal of a structured request."""
    if endpoint == COMPLETIONS:
        choice: dict[str, Any] = {"index": 0, "text": text, "logprobs": None, "finish_reason": "stop"}
        obj = "text_completion"
    else:
        msg = {"role": "assistant", "content": None, "refusal": text} if refusal else {"role": "assistant", "content": text, "refusal": None}
        choice = {"index": 0, "message": msg, "logprobs": None, "finish_reason": "stop"}
        obj = "chat.completion"
    body: dict[str, Any] = {"id": head.id, "object": obj, "created": head.created, "model": head.model, "choices": [choice]}
    if usage:
        body["usage"] = usage
    return body


def replacement_events(head: Head, endpoint: str, text: str, refusal: bool, usage: dict[str, Any] | None,
                       wants_usage: bool) -> list[SSEEvent]:
    if refusal and endpoint != COMPLETIONS:
        events = refusal_events(head, text)
    else:
        events = [text_chunk(head, endpoint, "", role=True), text_chunk(head, endpoint, text), text_chunk(head, endpoint, "", "stop")]
        if endpoint == COMPLETIONS:
            events = events[1:]
    if wants_usage and usage:
        events.append(head.chunk([], usage=usage))
    events.append(SSEEvent.done())
    return events
