"""Mid-stream continuation that tells the truth: only LLM steps continue, a stream that showed
nothing restarts cleanly, the seam falls on a word boundary, and the ledger, the decision and
the stream itself say who wrote what.

openai SDK -> Bulwark (fallback, stream_mode = "continue") -> three simulators (OpenAI face,
Anthropic face, OpenAI face) plus the rules and human tiers.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp
import openai
import pytest

from proxy.ledger import Cause
from tests.helpers import finished_requests, openai_client, start_proxy, start_simulator
from tests.shipped import shipped_config
from tests.test_fallback import cascade_config

FAST = {"connect": 0.5, "first_byte": 1.0, "idle": 0.5, "total": 10.0}
RIVER = "The river flows quietly to the sea."
ASK = [{"role": "user", "content": "Tell me about rivers"}]


class Env:
    def __init__(self, a: Any, b: Any, c: Any, proxy: Any) -> None:
        self.a, self.b, self.c, self.proxy = a, b, c, proxy
        self.client = openai_client(proxy.url)
        self.done = finished_requests(proxy)

    async def stream(self, model: str = "gpt-4", **kw: Any) -> tuple[Any, list[Any], BaseException | None]:
        """(raw response, chunks received, the error that ended the stream or None)."""
        raw = await self.client.chat.completions.with_raw_response.create(model=model, messages=ASK, stream=True, **kw)
        chunks: list[Any] = []
        try:
            async for c in raw.parse():
                chunks.append(c)
        except openai.APIError as exc:
            return raw, chunks, exc
        return raw, chunks, None

    async def tickets(self) -> list[dict[str, Any]]:
        return await self.proxy.services.state.journal("tickets").list()


def text(chunks: list[Any]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def finishes(chunks: list[Any]) -> list[str]:
    return [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]


@pytest.fixture
async def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Env]:
    monkeypatch.setenv("FB_TEST_ANTHROPIC_KEY", "sk-ant-test")
    # One word per event and a pause between them, so `cut=N` lands after N-1 words.
    a = await start_simulator(stream_delay_ms=5, chunk_words=1)
    b, c = await start_simulator(chunk_words=1), await start_simulator(chunk_words=1)
    cfg = cascade_config(a, b, c, tmp_path, stream_mode="continue", chains={
        "gpt-4": {"deadline_seconds": 20, "steps": [
            {"provider": "primary", "model": "gpt-4"}, {"provider": "claude", "model": "claude-3-5-haiku"},
            {"provider": "llama", "model": "llama-3"}, {"provider": "rules"}, {"provider": "human"}]},
        "*": {"steps": [{"provider": "primary"}, {"provider": "rules"}, {"provider": "human"}]},
    })
    for p in ("primary", "claude", "llama"):
        cfg["providers"][p]["timeouts"] = FAST
    a.script("rivers", [{"content": RIVER}])
    proxy = await start_proxy(cfg)
    try:
        yield Env(a, b, c, proxy)
    finally:
        await proxy.aclose()
        for s in (a, b, c):
            await s.aclose()


def continuation_asks(sim: Any) -> list[dict[str, Any]]:
    return [r["json"] for r in sim.requests if r.get("path", "").endswith(("/chat/completions", "/messages"))]


# -- nothing can continue: an honest error, not a canned answer glued on ---------------------------
async def test_cut_on_a_chain_without_another_llm_ends_with_an_error(env: Env) -> None:
    env.a.set_fault("cut=4")  # role chunk + "The river flows", then the connection drops
    raw, chunks, err = await env.stream(model="gpt-4o-mini")
    assert text(chunks) == "The river flows"
    assert isinstance(err, openai.APIError) and "stream" in err.message.lower()
    assert finishes(chunks) == []  # never passed off as a complete answer
    assert "Ticket" not in text(chunks)
    assert await env.tickets() == []  # no ticket for a question nobody asked
    ctx = env.done[-1]
    assert [a.provider for a in ctx.ledger.attempts] == ["primary"]  # rules and human were not asked to "continue"
    assert ctx.ledger.attempts[0].failover_reason == "stream"
    fb = ctx.decisions["fallback"]
    assert fb["continued"] is False and "continue" in fb["why_not"]
    assert [s["reason"] for s in ctx.scratch["fallback"]["steps"] if s["status"] == "skipped"] == ["cannot_continue"] * 2


# -- nothing reached the client yet: a clean restart, with headers that name who answers ----------
@pytest.mark.parametrize("fault", ["cut=1", "stall=1"])  # only the role chunk, then a cut / silence
async def test_stream_that_showed_nothing_restarts_on_the_next_llm(env: Env, fault: str) -> None:
    env.a.set_fault(fault)
    raw, chunks, err = await env.stream()
    assert err is None
    assert raw.headers["x-bulwark-provider"] == "claude" and raw.headers["x-bulwark-fallbacks"] == "1"
    assert {c.model for c in chunks} == {"claude-3-5-haiku"} and len({c.id for c in chunks}) == 1
    assert finishes(chunks) == ["stop"]
    ctx = env.done[-1]
    assert [a.cause for a in ctx.ledger.attempts] == [Cause.FIRST, Cause.FALLBACK]  # a restart, not a continuation
    # the restart asked the user's own question, not a "continue" prompt
    asked = continuation_asks(env.b)[-1]["messages"]
    assert asked[-1]["role"] == "user" and "rivers" in str(asked[-1]["content"])


async def test_stream_that_showed_nothing_restarts_on_rules_and_human(env: Env) -> None:
    env.a.set_fault("cut=1")
    raw, chunks, err = await env.stream(model="gpt-4o-mini")
    assert err is None
    assert raw.headers["x-bulwark-provider"] == "human" and raw.headers["x-bulwark-fallbacks"] == "2"
    assert text(chunks).startswith("Ticket ") and text(chunks).endswith(" opened.")  # the whole answer, nothing glued
    assert finishes(chunks) == ["stop"]
    [ticket] = await env.tickets()
    assert ticket["message"] == "Tell me about rivers"  # the user's question, not Bulwark's prompt
    assert "primary" in ticket["reason"] and "no rule matched" in ticket["reason"]
    causes = [(a.provider, a.cause, a.failover_reason) for a in env.done[-1].ledger.attempts]
    assert causes == [("primary", Cause.FIRST, "stream"), ("rules", Cause.FALLBACK, "no_rule_matched"),
                      ("human", Cause.FALLBACK, None)]


# -- the seam -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("rest", [
    "flows quietly to the sea.",            # re-writes the word it was not shown
    "quietly to the sea.",                  # starts the next word, no space: must not glue "flowsquietly"
    " quietly to the sea.",                 # starts with its own space
    "The river flows quietly to the sea.",  # starts over: the repeated words are dropped
])
async def test_continuation_joins_at_a_word_boundary(env: Env, rest: str) -> None:
    env.a.set_fault("cut=4")
    env.b.script("cut off", [{"content": rest}])
    raw, chunks, err = await env.stream()
    assert err is None and text(chunks) == RIVER
    assert finishes(chunks) == ["stop"]
    # the next model was shown the text without its trailing fragment, as the assistant's turn
    ask = continuation_asks(env.b)[-1]["messages"]
    assert ask[-2]["role"] == "assistant" and str(ask[-2]["content"][0]["text"]).rstrip() == "The river"
    assert "cut off" in ask[-1]["content"][0]["text"]


async def test_continuation_truth_in_ledger_decision_and_stream(env: Env) -> None:
    env.a.set_fault("cut=4")
    env.b.script("cut off", [{"content": "quietly to the sea."}])
    raw, chunks, err = await env.stream(stream_options={"include_usage": True})
    assert err is None and text(chunks) == RIVER
    # The headers left before the break: they describe the start of the answer...
    assert raw.headers["x-bulwark-provider"] == "primary" and raw.headers["x-bulwark-fallbacks"] == "0"
    # ...and the chunks say who wrote what: one id, each chunk's own model.
    assert len({c.id for c in chunks}) == 1
    models = [c.model for c in chunks if c.choices and c.choices[0].delta.content]
    assert models[:3] == ["gpt-4"] * 3 and set(models[3:]) == {"claude-3-5-haiku"}
    ctx = env.done[-1]
    cut, cont = ctx.ledger.attempts
    assert (cut.provider, cut.cause, cut.error, cut.failover_reason) == ("primary", Cause.FIRST, "cut", "stream")
    assert (cont.provider, cont.cause) == ("claude", Cause.CONTINUATION) and cont.billed
    fb = ctx.decisions["fallback"]
    assert fb["answered_by"] == ["primary", "claude"] and fb["fallbacks"] == 1 and fb["continued"] is True
    assert ctx.response_headers["x-bulwark-continued-by"] == "claude"
    # merged usage: both attempts' tokens
    usage = chunks[-1].usage
    assert usage.prompt_tokens == cut.usage[0] + cont.usage[0]
    assert usage.completion_tokens == cut.usage[1] + cont.usage[1]
    assert ctx.scratch["fallback"]["steps"][-1]["reason"] == "continued"


async def test_the_stream_carries_a_comment_naming_the_continuing_provider(env: Env) -> None:
    env.a.set_fault("cut=4")
    env.b.script("cut off", [{"content": "quietly to the sea."}])
    async with aiohttp.ClientSession() as s:
        async with s.post(env.proxy.url + "/chat/completions", headers={"Authorization": "Bearer sk-test"},
                          json={"model": "gpt-4", "messages": ASK, "stream": True}) as r:
            body = (await r.read()).decode()
    comments = [line for line in body.splitlines() if line.startswith(":")]
    assert len(comments) == 1 and "'primary'" in comments[0] and "'claude' continues" in comments[0]
    assert body.rstrip().endswith("data: [DONE]")


# -- which steps continue ------------------------------------------------------------------------------
async def test_a_failing_llm_step_is_passed_for_the_next_llm(env: Env) -> None:
    env.a.set_fault("cut=4")
    env.b.set_fault("503")
    env.c.script("cut off", [{"content": "quietly to the sea."}])
    raw, chunks, err = await env.stream()
    assert err is None and text(chunks) == RIVER
    steps = [(a.provider, a.cause, a.status) for a in env.done[-1].ledger.attempts]
    assert steps == [("primary", Cause.FIRST, 200), ("claude", Cause.CONTINUATION, 503), ("llama", Cause.CONTINUATION, 200)]
    assert {c.model for c in chunks if c.choices and c.choices[0].delta.content} == {"gpt-4", "llama-3"}


async def test_a_continuation_that_breaks_is_continued_by_the_next_llm(env: Env) -> None:
    env.a.set_fault("cut=4")                                       # client has "The river flows"
    env.c.script("cut off", [{"content": "to the sea."}])
    env.b.script("cut off", [{"content": "quietly to the sea.", "fault": "cut=5"}])  # cut after "quietly"
    raw, chunks, err = await env.stream()
    assert err is None and text(chunks) == RIVER
    ctx = env.done[-1]
    assert [(a.provider, a.cause) for a in ctx.ledger.attempts] == [
        ("primary", Cause.FIRST), ("claude", Cause.CONTINUATION), ("llama", Cause.CONTINUATION)]
    assert ctx.decisions["fallback"]["answered_by"] == ["primary", "claude", "llama"]
    # llama was shown everything the client had, claude's part included
    shown = continuation_asks(env.c)[-1]["messages"][-2]["content"]
    assert shown.startswith("The river flows") and "quietly" in shown


async def test_tool_calls_are_never_continued(env: Env) -> None:
    env.a.script("rivers", [{"tool_calls": [{"name": "lookup", "arguments": {"q": "rivers"}}]}])
    env.a.set_fault("cut=3")
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}}]
    raw, chunks, err = await env.stream(tools=tools)
    assert isinstance(err, openai.APIError)
    assert continuation_asks(env.b) == [] and continuation_asks(env.c) == []
    assert "tool call" in env.done[-1].decisions["fallback"]["why_not"]


# -- the shipped proxy.toml ----------------------------------------------------------------------------
@pytest.fixture
async def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    s = await start_simulator(stream_delay_ms=5, chunk_words=1)  # every tier of proxy.toml is this simulator
    s.script("rivers", [{"content": RIVER, "fault": "cut=4"}])
    s.script("cut off", [{"content": "quietly to the sea."}])
    proxy = await start_proxy(shipped_config(s, tmp_path))
    try:
        yield proxy
    finally:
        await proxy.aclose()
        await s.aclose()


async def test_shipped_gpt4_chain_continues_on_claude_and_says_so(shipped: Any) -> None:
    done = finished_requests(shipped)
    raw = await openai_client(shipped.url).chat.completions.with_raw_response.create(model="gpt-4", messages=ASK, stream=True)
    chunks = [c async for c in raw.parse()]
    assert text(chunks) == RIVER and finishes(chunks) == ["stop"]
    # The stream is live, so its headers name the start of the answer; the chunks, the decision
    # and the ledger name the rest.
    assert raw.headers["x-bulwark-provider"] == "sim" and raw.headers["x-bulwark-fallbacks"] == "0"
    assert any(c.model.startswith("claude-3-5-haiku") for c in chunks if c.choices and c.choices[0].delta.content)
    ctx = done[-1]
    assert ctx.decisions["fallback"]["answered_by"] == ["sim", "claude"] and ctx.decisions["fallback"]["fallbacks"] == 1
    assert [(a.provider, a.cause) for a in ctx.ledger.attempts] == [("sim", Cause.FIRST), ("claude", Cause.CONTINUATION)]


async def test_shipped_default_chain_never_glues_a_canned_answer_to_a_cut_stream(shipped: Any) -> None:
    done = finished_requests(shipped)
    with pytest.raises(openai.APIError) as ei:
        async for _ in await openai_client(shipped.url).chat.completions.create(model="gpt-4o-mini", messages=ASK, stream=True):
            pass
    assert "stream" in ei.value.message.lower()
    assert [a.provider for a in done[-1].ledger.attempts] == ["sim"]  # rules and human were not asked to continue
    assert await shipped.services.state.journal("tickets").list() == []
