"""Well-formed chat completions (plain or streamed) for answers Bulwark writes itself.

Used by the `rules` and `human` providers: the client gets exactly the shapes an OpenAI
model would send (ids `chatcmpl-…`, a role chunk, content, a closing chunk with
`finish_reason`, a usage chunk only when `stream_options.include_usage`, `[DONE]`), with
the provider's own `model` name so the answer is never mistaken for a model's. `render`
fills the `{placeholder}` templates both providers answer with.
"""
from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any, AsyncIterator

from ..response import BULWARK, ProxyResponse
from ..sse import SSEEvent
from ..tokens import count_text

if TYPE_CHECKING:
    from ..context import RequestContext


def latest_user_text(body: dict[str, Any]) -> str:
    """Text of the last user message (text parts joined), "" when there is none."""
    for msg in reversed(body.get("messages") or []):
        if isinstance(msg, dict) and msg.get("role") == "user":
            c = msg.get("content")
            if isinstance(c, str):
                return c
            if isinstance(c, list):
                return " ".join(str(p.get("text", "")) for p in c if isinstance(p, dict) and p.get("type") == "text")
            return ""
    return ""


class _Keep(dict):  # str.format_map helper: unknown placeholders stay as written
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, values: dict[str, Any]) -> str:
    """`template` with `{name}` placeholders filled from `values`; unknown ones stay as written."""
    try:
        return template.format_map(_Keep(values))
    except (ValueError, IndexError, AttributeError):  # a stray brace in a template: send it verbatim
        return template


def completion_response(ctx: "RequestContext", text: str, model: str, provider: str, headers: dict[str, str] | None = None,
                        origin: str = BULWARK) -> ProxyResponse:
    prompt = ctx.prompt_tokens()
    completion = count_text(text, None)
    usage = {
        "prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
    }
    cid = "chatcmpl-" + uuid.uuid4().hex
    created = int(time.time())
    h = {"x-request-id": ctx.request_id, **(headers or {})}
    if not ctx.stream:
        obj = {
            "id": cid, "object": "chat.completion", "created": created, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": None, "annotations": []},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": usage,
        }
        return ProxyResponse.from_json(obj, 200, h, provider=provider, model=model, origin=origin)
    return ProxyResponse.from_events(_chunks(cid, created, model, text, usage, ctx.wants_usage_chunk), 200, h, provider=provider, model=model, origin=origin)


async def _chunks(cid: str, created: int, model: str, text: str, usage: dict[str, Any], include_usage: bool) -> AsyncIterator[SSEEvent]:
    extra: dict[str, Any] = {"usage": None} if include_usage else {}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> SSEEvent:
        return SSEEvent.from_json({"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                                   "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}], **extra})

    yield chunk({"role": "assistant", "content": "", "refusal": None})
    # A few pieces, split on spaces, so clients that render incrementally behave as usual.
    words = text.split(" ")
    step = max(1, len(words) // 8)
    for i in range(0, len(words), step):
        piece = " ".join(words[i:i + step])
        yield chunk({"content": piece if i == 0 else " " + piece})
    yield chunk({}, "stop")
    if include_usage:
        yield SSEEvent.from_json({"id": cid, "object": "chat.completion.chunk", "created": created, "model": model, "choices": [], "usage": usage})
    yield SSEEvent.done()
