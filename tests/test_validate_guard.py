"""The live stream guard on its own: a fake upstream (the rest of the chain) and the plugin.

Cases the end-to-end tests cannot stage easily: a budget refusing the regeneration, the legacy
completions endpoint, a deny pattern mid-stream, flag-only validators, the fallback signal
before the first byte, and the join of a continuation that restarts the answer.
"""
from __future__ import annotations

import json
from typing import Any, AsyncIterator

import orjson
import pytest
from multidict import CIMultiDict

from plugins.validate import Validate, ValidateConfig
from plugins.validate.splice import Joiner
from proxy.context import CHAT, COMPLETIONS, RequestContext
from proxy.errors import FailoverRequested, RateLimited
from proxy.ledger import AttemptRefused, Cause
from proxy.response import ProxyResponse
from proxy.sse import SSEEvent

DATA = [{"role": "user", "content": "What is my balance?"},
        {"role": "tool", "tool_call_id": "c", "content": "{\"balance\": 47.15, \"currency\": \"USD\"}"}]


def ctx_for(body: dict[str, Any], endpoint: str = CHAT) -> RequestContext:
    path = "/completions" if endpoint == COMPLETIONS else "/chat/completions"
    return RequestContext(request_id="req_test", endpoint=endpoint, method="POST", path=path, query_string="",
                          headers=CIMultiDict(), raw_body=orjson.dumps({**body, "stream": True}))


def chat_stream(text: str, words: int = 1) -> AsyncIterator[SSEEvent]:
    async def gen() -> AsyncIterator[SSEEvent]:
        head = {"id": "chatcmpl-x", "object": "chat.completion.chunk", "created": 1, "model": "m"}
        yield SSEEvent.from_json({**head, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]})
        parts = text.split(" ")
        for i in range(0, len(parts), words):
            piece = " ".join(parts[i:i + words])
            yield SSEEvent.from_json({**head, "choices": [{"index": 0, "delta": {"content": piece if i == 0 else " " + piece}, "finish_reason": None}]})
        yield SSEEvent.from_json({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        yield SSEEvent.done()
    return gen()


def completion_stream(text: str) -> AsyncIterator[SSEEvent]:
    async def gen() -> AsyncIterator[SSEEvent]:
        head = {"id": "cmpl-x", "object": "text_completion", "created": 1, "model": "m"}
        for i, piece in enumerate(text.split(" ")):
            yield SSEEvent.from_json({**head, "choices": [{"index": 0, "text": piece if i == 0 else " " + piece, "finish_reason": None}]})
        yield SSEEvent.from_json({**head, "choices": [{"index": 0, "text": "", "finish_reason": "stop"}]})
        yield SSEEvent.done()
    return gen()


class Upstream:
    """The rest of the chain: scripted answers, or an exception, one per call."""

    def __init__(self, *replies: Any, stream: Any = chat_stream) -> None:
        self.replies = list(replies)
        self.bodies: list[dict[str, Any]] = []
        self.causes: list[Any] = []
        self.stream = stream

    async def __call__(self, ctx: RequestContext) -> ProxyResponse:
        self.bodies.append(ctx.body)
        self.causes.append(ctx.ledger.next_cause)
        ctx.ledger.next_cause = None
        r = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(r, BaseException):
            raise r
        return ProxyResponse.from_events(self.stream(r))


async def run(cfg: dict[str, Any], upstream: Upstream, body: dict[str, Any], endpoint: str = CHAT) -> tuple[list[Any], RequestContext]:
    plugin = Validate(ValidateConfig.model_validate(cfg), None)
    ctx = ctx_for(body, endpoint)
    resp = await plugin(ctx, upstream)
    assert resp.stream is not None
    events = [ev async for ev in resp.stream]
    return events, ctx


def text_of(events: list[SSEEvent]) -> str:
    out = ""
    for ev in events:
        obj = ev.chunk()
        if obj and obj.get("choices"):
            c = obj["choices"][0]
            out += c.get("text") or (c.get("delta") or {}).get("content") or ""
    return out


NUMBERS = {"validators": [{"type": "numbers", "action": "regenerate", "then": "withhold"}], "max_regenerations": 1}


async def test_a_refused_regeneration_ends_with_what_was_verified() -> None:
    refused = AttemptRefused(RateLimited("budget exhausted"))
    up = Upstream("Sure thing. Your balance is $99.99 today.", refused)
    events, ctx = await run(NUMBERS, up, {"model": "m", "messages": DATA})
    text = text_of(events)
    assert text.startswith("Sure thing. Your balance is") and "99.99" not in text
    assert text.endswith(ValidateConfig().safe_ending)
    assert events[-1].is_done and up.causes[1] == Cause.REGENERATION
    assert ctx.decisions["validate"]["regeneration_refused"] is True and ctx.verdict.outcome == "withhold"


async def test_completions_endpoint_is_guarded_and_continued() -> None:
    up = Upstream("Your balance is $99.99 today.", "$47.15 today.", stream=completion_stream)
    events, _ = await run(NUMBERS, up, {"model": "m", "prompt": "Balance data: $47.15. Q: my balance? A:"}, COMPLETIONS)
    assert text_of(events) == "Your balance is $47.15 today."
    assert up.bodies[1]["prompt"].endswith("A:Your balance is")  # a completion continues its own prompt
    assert [json.loads(e.data)["choices"][0]["finish_reason"] for e in events if e.chunk() and e.chunk()["choices"]][-1] == "stop"


async def test_a_forbidden_phrase_is_cut_before_it_is_sent() -> None:
    cfg = {"validators": [{"type": "patterns", "action": "block", "forbidden_phrases": ["guaranteed returns"]}]}
    events, ctx = await run(cfg, Upstream("This fund offers guaranteed returns for everyone."), {"model": "m", "messages": DATA})
    text = text_of(events)
    assert text.startswith("This fund offers") and "guaranteed" not in text
    assert ctx.verdict.outcome == "block" and events[-1].is_done


async def test_flag_delivers_as_is_and_marks_the_end() -> None:
    cfg = {"validators": [{"type": "numbers", "action": "regenerate", "then": "flag"}], "max_regenerations": 0,
           "stream_mode": "guarded"}
    events, ctx = await run(cfg, Upstream("Your balance is $99.99 today."), {"model": "m", "messages": DATA})
    assert text_of(events) == "Your balance is $99.99 today."
    assert any(e.raw == b": bulwark-validation: flagged\n\n" for e in events)
    assert ctx.verdict.outcome == "flag"


async def test_fallback_before_the_first_byte_is_a_signal() -> None:
    """Nothing was sent yet: an outer fallback layer can still ask another provider."""
    cfg = {"validators": [{"type": "numbers", "action": "fallback"}]}
    plugin = Validate(ValidateConfig.model_validate(cfg), None)
    with pytest.raises(FailoverRequested):
        await plugin(ctx_for({"model": "m", "messages": DATA}), Upstream("$99.99 is your balance."))


async def test_claim_free_text_is_released_before_the_stream_ends() -> None:
    released: list[str] = []

    def stream(text: str) -> AsyncIterator[SSEEvent]:
        async def gen() -> AsyncIterator[SSEEvent]:
            async for ev in chat_stream(text):
                yield ev
                if ev.chunk() and (ev.chunk()["choices"][0]["delta"].get("content") or "").strip() == "world":
                    # by the time the upstream sends "world", the guard has passed on the words before it
                    released.append(text_of(seen))
        return gen()

    seen: list[SSEEvent] = []
    plugin = Validate(ValidateConfig.model_validate(NUMBERS), None)
    resp = await plugin(ctx_for({"model": "m", "messages": DATA}), Upstream("Hello there big world again today.", stream=stream))
    async for ev in resp.stream:
        seen.append(ev)
    assert released and released[0].startswith("Hello there")


@pytest.mark.parametrize("prefix,pieces,expected", [
    ("The total is ", ["The total", " is $47.15."], "$47.15."),  # restarts the cut sentence
    ("Hi. The total is ", ["Hi. The total is $47", ".15."], "$47.15."),  # restarts the whole answer
    ("The total is", ["$47.15."], " $47.15."),  # a missing space is added
    ("The total is", ["is $47.15 now."], " $47.15 now."),  # a repeated last word is dropped
    ("It rose by", [", on", " balance, 3%."], ", on balance, 3%."),  # punctuation joins as is
])
def test_joiner(prefix: str, pieces: list[str], expected: str) -> None:
    j = Joiner(prefix)
    out = "".join(j.feed(p) for p in pieces) + j.feed("", final=True)
    assert out == expected


async def test_an_uncertain_claim_streams_whole_and_flagged_a_sure_one_is_withheld() -> None:
    """Shipped defaults (numbers: regenerate, then withhold, uncertain flag): a figure the engine
    may not follow (a derivation in a calculation sentence) is delivered and marked, with no
    regeneration; an invented lookup later in the same answer still stops the stream."""
    cfg = {"validators": [{"type": "numbers", "action": "regenerate"}], "max_regenerations": 0, "stream_mode": "guarded"}
    up = Upstream("Per month that comes to about $3.90. Good news.")
    events, ctx = await run(cfg, up, {"model": "m", "messages": DATA})
    assert text_of(events) == "Per month that comes to about $3.90. Good news."
    assert any(e.raw == b": bulwark-validation: flagged\n\n" for e in events)
    assert ctx.verdict.outcome == "flag" and len(up.bodies) == 1
    up = Upstream("Your balance is $99.99 today.")
    events, ctx = await run(cfg, up, {"model": "m", "messages": DATA})
    assert "99.99" not in text_of(events) and ctx.verdict.outcome == "withhold"
