"""The ledger through the shipped chain: one record per upstream attempt, whatever caused it,
with the model that served it and its cost; one JSON parse per upstream event or body.

A probe plugin, put outside the shipped chain, keeps each request's context so the test can
read its ledger after the request settled.
"""
from __future__ import annotations

import asyncio
import sys
import types
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from proxy import response as response_module
from proxy import sse as sse_module
from proxy.ledger import Cause
from proxy.plugin import Plugin
from proxy.pricing import Pricing
from proxy.tokens import count_text
from tests.helpers import openai_client, start_proxy, start_simulator
from tests.shipped import shipped_config

BANK = [
    {"role": "system", "content": "Answer from the tool data only."},
    {"role": "user", "content": "What is my balance?"},
    {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_balance", "arguments": "{}"}}]},
    {"role": "tool", "tool_call_id": "c1", "content": '{"balance": 47.15, "currency": "USD"}'},
]


class LedgerProbe(Plugin):
    name = "ledger_probe"
    seen: list[Any] = []

    async def __call__(self, ctx: Any, call_next: Any) -> Any:
        LedgerProbe.seen.append(ctx)
        return await call_next(ctx)


_mod = types.ModuleType("plugins.ledger_probe")
_mod.LedgerProbe = LedgerProbe  # type: ignore[attr-defined]
sys.modules["plugins.ledger_probe"] = _mod


@pytest.fixture
async def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    sim = await start_simulator(stream_delay_ms=5)
    LedgerProbe.seen.clear()
    cfg = shipped_config(sim, tmp_path)
    cfg["chain"]["plugins"] = ["ledger_probe", *cfg["chain"]["plugins"]]
    proxy = await start_proxy(cfg)
    yield types.SimpleNamespace(sim=sim, proxy=proxy, client=openai_client(proxy.url))
    await proxy.aclose()
    await sim.aclose()


async def ledger_of_last() -> Any:
    """The last request's ledger once it settled (the handler settles after the last byte)."""
    for _ in range(200):
        if LedgerProbe.seen and LedgerProbe.seen[-1].ledger.settled:
            return LedgerProbe.seen[-1].ledger
        await asyncio.sleep(0.01)
    raise AssertionError("the request never settled")


def priced(model: str, usage: tuple[int, int, int]) -> float:
    return Pricing().cost(model, *usage)


def causes(ledger: Any) -> list[str]:
    return [a.cause.value for a in ledger.attempts]


async def test_plain_answer_is_one_exact_attempt(env: Any) -> None:
    r = await env.client.chat.completions.with_raw_response.create(model="gpt-4o", messages=[{"role": "user", "content": "hello"}])
    body = r.parse()
    led = await ledger_of_last()
    [a] = led.attempts
    assert a.cause is Cause.FIRST and a.provider == "sim" and a.served_model == body.model and a.status == 200
    assert a.usage_exact and a.usage == (body.usage.prompt_tokens, body.usage.completion_tokens, 0)
    assert a.cost_usd == pytest.approx(priced(body.model, a.usage)) and a.cost_usd > 0
    assert a.upstream_request_id == r.headers["x-request-id"]
    assert float(r.headers["x-bulwark-cost-usd"]) == pytest.approx(a.cost_usd, abs=1e-6)


@pytest.mark.parametrize("include_usage", [True, False])
async def test_streamed_answer_with_and_without_a_usage_event(env: Any, include_usage: bool) -> None:
    kw: dict[str, Any] = {"stream_options": {"include_usage": True}} if include_usage else {}
    stream = await env.client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "tell me a story"}],
                                                      stream=True, **kw)
    text, usage = "", None
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
        usage = chunk.usage or usage
    led = await ledger_of_last()
    [a] = led.attempts
    assert a.cause is Cause.FIRST and a.assembly is not None and a.assembly.text(0) == text
    if include_usage:
        assert a.usage_exact and a.usage[:2] == (usage.prompt_tokens, usage.completion_tokens)
    else:  # no usage event: counted from what was generated, and marked as counted
        assert not a.usage_exact and a.usage[1] == count_text(text, a.served_model) and a.usage[0] > 0
    assert a.cost_usd == pytest.approx(priced(a.served_model, a.usage))


async def test_regeneration_is_its_own_attempt(env: Any) -> None:
    env.sim.script("my balance", [{"content": "Your balance is $127,549."}, {"content": "Your balance is $47.15."}])
    msgs = [*BANK[:1], {"role": "user", "content": "What is my balance?"}, *BANK[2:], {"role": "user", "content": "so, my balance?"}]
    msgs[1]["content"] = "What is my balance? (my balance please)"
    r = await env.client.chat.completions.with_raw_response.create(model="gpt-4o", messages=msgs, temperature=0)
    assert "47.15" in r.parse().choices[0].message.content
    led = await ledger_of_last()
    assert causes(led) == ["first", "regeneration"]
    assert all(a.billed and a.usage_exact and a.cost_usd > 0 for a in led.attempts)
    # both answers were billed, so both are charged
    assert float(r.headers["x-bulwark-cost-usd"]) == pytest.approx(sum(a.cost_usd for a in led.attempts), abs=1e-6)


async def test_retry_after_429(env: Any) -> None:
    env.sim.script("retry me", [{"fault": "429:retry=0"}, {"content": "Fine now."}])
    out = await env.client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "retry me"}])
    assert out.choices[0].message.content == "Fine now."
    led = await ledger_of_last()
    assert causes(led) == ["first", "retry"]
    first, retry = led.attempts
    assert first.status == 429 and not first.billed and first.cost_usd == 0 and first.failover_reason == "rate_limit"
    assert retry.billed and retry.cost_usd > 0


async def test_fallback_to_anthropic_is_priced_at_the_served_model(env: Any) -> None:
    out = await env.client.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "hi there"}],
                                                   extra_headers={"x-sim-fault": "503"})
    led = await ledger_of_last()
    assert [(a.provider, a.cause.value) for a in led.attempts] == [("sim", "first"), ("sim", "retry"), ("claude", "fallback")]
    claude = led.attempts[-1]
    assert claude.kind == "anthropic" and claude.served_model.startswith("claude-3-5-haiku") and claude.usage_exact
    assert out.model == claude.served_model
    # charged at the model that answered, not at gpt-4's price (18x more)
    assert claude.cost_usd == pytest.approx(priced(claude.served_model, claude.usage))
    assert claude.cost_usd < priced("gpt-4", claude.usage) / 10
    assert led.cost_usd == pytest.approx(claude.cost_usd)


async def test_mid_stream_continuation(env: Any) -> None:
    stream = await env.client.chat.completions.create(
        model="gpt-4", messages=[{"role": "user", "content": "tell me about rivers and seas"}], stream=True,
        extra_headers={"x-sim-fault": "cut=6", "x-sim-delay-ms": "5"})
    text = ""
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
    led = await ledger_of_last()
    assert causes(led)[0] == "first" and "continuation" in causes(led)
    cut = led.attempts[0]
    cont = next(a for a in led.attempts if a.cause is Cause.CONTINUATION)
    assert cut.error == "cut" and cut.billed and not cut.usage_exact and cut.usage[1] > 0  # what it generated
    assert cont.provider == "claude" and cont.billed and cont.cost_usd > 0
    assert text.startswith(cut.assembly.text(0)) and len(text) > len(cut.assembly.text(0))


async def test_client_hang_up_mid_stream_charges_what_was_generated(env: Any) -> None:
    env.sim.script("very long essay", [{"content": " ".join(f"word{i}" for i in range(300))}])
    body = {"model": "gpt-4o-mini", "stream": True, "messages": [{"role": "user", "content": "write a very long essay"}],
            "max_tokens": 400}
    async with aiohttp.ClientSession() as http:
        async def read() -> None:
            async with http.post(env.proxy.url + "/chat/completions", json=body,
                                 headers={"Authorization": "Bearer sk-test", "x-sim-delay-ms": "20"}) as r:
                async for _ in r.content.iter_any():
                    pass

        task = asyncio.create_task(read())
        await asyncio.sleep(0.5)  # the upstream generates for a while (with or without bytes sent yet)...
        task.cancel()  # ...then the client goes away
        with pytest.raises(asyncio.CancelledError):
            await task
    led = await ledger_of_last()
    [a] = led.attempts
    assert a.error == "cancelled" and a.billed and not a.usage_exact
    assert a.usage[1] > 0 and a.cost_usd > 0  # the provider billed what it generated before the hang-up
    assert a.usage[1] == count_text(a.assembly.generated_text(), a.served_model)


async def test_cache_hit_makes_no_attempt_and_records_the_saving(env: Any) -> None:
    msgs = [{"role": "user", "content": "cache me please"}]
    await env.client.chat.completions.create(model="gpt-4o-mini", messages=msgs, temperature=0)
    first = await ledger_of_last()
    r = await env.client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=msgs, temperature=0)
    assert r.headers["x-bulwark-cache"] == "hit"
    hit = await ledger_of_last()
    assert hit is not first and hit.attempts == [] and hit.cost_usd == 0
    assert hit.saved["cache"] == pytest.approx(first.cost_usd)
    assert float(r.headers["x-bulwark-cost-usd"]) == 0


class _CountingOrjson:
    """orjson with `loads` counted (installed in one module's namespace only)."""

    def __init__(self) -> None:
        self.loads_calls = 0

    def loads(self, data: Any) -> Any:
        self.loads_calls += 1
        return orjson.loads(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(orjson, name)


async def test_each_upstream_event_and_body_is_parsed_once(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the whole shipped chain (limits, cache, budgets, prune, validate, fallback,
    telemetry): one JSON parse per streamed event and one per complete answer."""
    events, bodies = _CountingOrjson(), _CountingOrjson()
    monkeypatch.setattr(sse_module, "orjson", events)
    monkeypatch.setattr(response_module, "orjson", bodies)
    stream = await env.client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "count my parses"}],
                                                      stream=True, stream_options={"include_usage": True})
    async for _ in stream:
        pass
    led = await ledger_of_last()
    assert led.attempts[0].assembly.events == events.loads_calls > 3
    await env.client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "and a plain one"}])
    await ledger_of_last()
    assert bodies.loads_calls == 1
