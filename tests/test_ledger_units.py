"""Unit tests of the core's per-attempt records: the stream assembly and the ledger."""
from __future__ import annotations

import asyncio

import orjson
import pytest

from proxy.assembly import Assembly
from proxy.errors import RateLimited
from proxy.ledger import AttemptRefused, Cause, Ledger
from proxy.pricing import Pricing
from proxy.sse import SSEEvent


def _ev(obj: dict) -> SSEEvent:
    return SSEEvent(b"data: " + orjson.dumps(obj) + b"\n\n", None, orjson.dumps(obj).decode())


def test_assembly_rebuilds_text_tool_calls_usage_and_completion() -> None:
    head = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 7, "model": "gpt-4o-mini-2024-07-18",
            "system_fingerprint": "fp_1"}
    events = [
        _ev({**head, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}),
        _ev({**head, "choices": [{"index": 0, "delta": {"content": "It costs "}, "finish_reason": None}]}),
        _ev({**head, "choices": [{"index": 0, "delta": {"content": "$47.15"}, "finish_reason": None}]}),
        _ev({**head, "choices": [{"index": 1, "delta": {"tool_calls": [{"index": 0, "id": "call_a", "type": "function",
                                                                     "function": {"name": "lookup", "arguments": '{"q":'}}]}}]}),
        _ev({**head, "choices": [{"index": 1, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '"x"}'}}]},
                                  "finish_reason": "tool_calls"}]}),
        _ev({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
        _ev({**head, "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}),
        SSEEvent.done(),
        SSEEvent.comment(),
    ]
    asm = Assembly()
    for ev in events:
        asm.feed(ev)
    assert asm.events == 7
    assert asm.id == "chatcmpl-1" and asm.model == "gpt-4o-mini-2024-07-18" and asm.created == 7
    assert asm.text(0) == "It costs $47.15"
    assert asm.finished and asm.has_tool_calls
    assert asm.finish_reasons == ["stop", "tool_calls"]
    answers = asm.answers()
    assert answers[0].content == "It costs $47.15" and answers[0].finish_reason == "stop"
    assert answers[1].tool_calls[0].id == "call_a" and answers[1].tool_calls[0].arguments == '{"q":"x"}'
    completion = asm.completion()
    assert completion["object"] == "chat.completion" and completion["system_fingerprint"] == "fp_1"
    assert completion["choices"][1]["message"]["tool_calls"][0]["function"] == {"name": "lookup", "arguments": '{"q":"x"}'}
    assert completion["usage"]["completion_tokens"] == 5
    assert "lookup" in asm.generated_text() and "$47.15" in asm.generated_text()


def test_assembly_reads_a_body_and_text_completions() -> None:
    asm = Assembly()
    asm.read_body({"id": "c", "object": "chat.completion", "model": "m", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": None, "refusal": "no",
                                 "tool_calls": [{"id": "t", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
         "finish_reason": "tool_calls"}], "usage": {"prompt_tokens": 3, "completion_tokens": 2}})
    a = asm.answers()[0]
    assert a.refusal == "no" and a.tool_calls[0].name == "f" and a.content is None
    text = Assembly()
    text.feed(_ev({"id": "cmpl", "object": "text_completion", "choices": [{"index": 0, "text": "Hel", "finish_reason": None}]}))
    text.feed(_ev({"id": "cmpl", "object": "text_completion", "choices": [{"index": 0, "text": "lo", "finish_reason": "length"}]}))
    assert text.completion()["object"] == "text_completion"
    assert text.completion()["choices"][0] == {"index": 0, "text": "Hello", "logprobs": None, "finish_reason": "length"}


def test_ledger_prices_each_attempt_at_the_served_model_and_counts_when_no_usage() -> None:
    ledger = Ledger(Pricing())
    ended: list = []
    settled: list = []
    ledger.on_attempt_end(ended.append)
    ledger.on_settled(settled.append)
    first = ledger.begin("sim", "openai", "gpt-4")
    first.status = 503
    first.end()
    assert not first.billed and first.cost_usd == 0
    ledger.next_cause = Cause.FALLBACK
    second = ledger.begin("claude", "anthropic", "claude-3-5-haiku-latest")
    second.assembly = Assembly()
    second.assembly.read_body({"model": "claude-3-5-haiku-20241022", "choices": [{"index": 0, "message": {"content": "hi"}}],
                               "usage": {"prompt_tokens": 1000, "completion_tokens": 100}})
    second.end(status=200)
    assert second.cause is Cause.FALLBACK and second.usage_exact
    assert second.cost_usd == pytest.approx(Pricing().cost("claude-3-5-haiku-20241022", 1000, 100))
    third = ledger.begin("sim", "openai", "gpt-4o-mini")  # a cut stream: no usage event came
    third.assembly = Assembly()
    third.assembly.feed(_ev({"model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {"content": "one two three"}}]}))
    third.count_prompt = lambda: 42
    third.status = 200
    ledger.settle()  # still open: ended as abandoned, counted
    assert third.cause is Cause.RETRY and third.error == "abandoned" and not third.usage_exact
    assert third.usage == (42, 3, 0)
    assert ended == [first, second, third] and settled == [ledger]
    assert ledger.cost_usd == pytest.approx(second.cost_usd + third.cost_usd)
    assert ledger.usage == (1042, 103, 0)
    assert set(ledger.cost_by_cause()) == {"fallback", "retry"}
    ledger.settle()
    assert settled == [ledger]  # once


def test_rules_and_human_attempts_cost_nothing() -> None:
    ledger = Ledger(Pricing())
    a = ledger.begin("human", "human", None, billable=False)
    a.end(status=200)
    assert not a.billed and a.usage is None and ledger.cost_usd == 0


def test_a_refusing_start_hook_ends_the_attempt_unbilled() -> None:
    ledger = Ledger(Pricing())
    seen: list = []

    async def refuse(attempt) -> None:
        raise RateLimited("budget", code="insufficient_quota")

    ledger.on_attempt_end(seen.append)
    ledger.on_attempt_start(refuse)
    a = ledger.begin("sim", "openai", "gpt-4o")
    with pytest.raises(AttemptRefused) as info:
        asyncio.run(ledger.admit(a))
    assert info.value.status == 429 and info.value.code == "insufficient_quota"
    assert seen == [a] and a.error == "refused" and not a.billed


def test_a_broken_subscriber_does_not_stop_the_others() -> None:
    ledger = Ledger(Pricing())
    seen: list = []
    ledger.on_settled(lambda _l: 1 / 0)
    ledger.on_settled(seen.append)
    ledger.settle()
    assert seen == [ledger]
