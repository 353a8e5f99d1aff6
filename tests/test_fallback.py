"""The fallback cascade end to end: official openai SDK -> Bulwark -> simulators (OpenAI and Anthropic faces).

Every trigger, every tier down to human, breaker open and recovery, stream failover before and
after the first byte (error event, or `continue` mode with one id and merged usage).
"""
from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, AsyncIterator

import openai
import pytest

from tests.helpers import base_config, openai_client, start_proxy, start_simulator

MSG = [{"role": "user", "content": "Tell me about rivers"}]
FAST = {"connect": 0.5, "first_byte": 0.5, "idle": 0.3, "total": 5.0}


class Recorder:
    """Stands in for services.metrics to check what the cascade records."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
        self.gauges: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}

    def inc(self, name: str, amount: float = 1.0, **labels: Any) -> None:
        k = (name, tuple(sorted((a, str(b)) for a, b in labels.items())))
        self.counts[k] = self.counts.get(k, 0) + amount

    def observe(self, name: str, value: float, **labels: Any) -> None:
        pass

    def set(self, name: str, value: float, **labels: Any) -> None:
        self.gauges[(name, tuple(sorted((a, str(b)) for a, b in labels.items())))] = value

    def activations(self) -> dict[tuple[str, str, str], float]:
        out = {}
        for (name, labels), v in self.counts.items():
            if name == "bulwark_fallback_activations_total":
                d = dict(labels)
                out[(d["from_provider"], d["to_provider"], d["reason"])] = v
        return out


class Cascade:
    def __init__(self, a: Any, b: Any, c: Any, proxy: Any, rec: Recorder) -> None:
        self.a, self.b, self.c, self.proxy, self.rec = a, b, c, proxy, rec
        self.client = openai_client(proxy.url)

    def calls(self, sim: Any) -> int:
        return sum(1 for r in sim.requests if r.get("path", "").endswith(("/chat/completions", "/messages")))


@pytest.fixture
async def sims(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Any, Any, Any]]:
    monkeypatch.setenv("FB_TEST_ANTHROPIC_KEY", "sk-ant-test")
    # The primary paces its events (5 ms) so a cut lands after events the client already has.
    a, b, c = await start_simulator(stream_delay_ms=5), await start_simulator(), await start_simulator()
    try:
        yield a, b, c
    finally:
        for s in (a, b, c):
            await s.aclose()


def cascade_config(a: Any, b: Any, c: Any, tmp: Path, primary_timeouts: dict[str, float] = FAST, **fallback: Any) -> dict[str, Any]:
    cfg = base_config(a.url, plugins=["fallback"], providers={
        "primary": {"type": "openai", "base_url": a.url, "timeouts": primary_timeouts},
        "claude": {"type": "anthropic", "base_url": b.base, "api_key_env": "FB_TEST_ANTHROPIC_KEY", "timeouts": FAST},
        "llama": {"type": "openai", "base_url": c.url, "timeouts": FAST},
        "rules": {"type": "rules", "options": {"default_answer": "", "rules": [{"keywords": ["hours"], "answer": "Open 9-17."}]}},
        "human": {"type": "human", "options": {"message": "Ticket {ticket_id} opened."}},
    }, state={"backend": "memory", "data_dir": str(tmp)})
    fb: dict[str, Any] = {
        "retry": {"max_attempts": 1},
        "breaker": {"min_requests": 100},
        "chains": {"gpt-4": {"deadline_seconds": 20, "steps": [
            {"provider": "primary", "model": "gpt-4"},
            {"provider": "claude", "model": "claude-3-5-haiku"},
            {"provider": "llama", "model": "llama-3", "large_context": True},
            {"provider": "rules"},
            {"provider": "human"},
        ]}},
    }
    fb.update(fallback)
    cfg["plugins"] = {"fallback": fb}
    return cfg


@pytest.fixture
async def make(sims: tuple[Any, Any, Any], tmp_path: Path) -> AsyncIterator[Any]:
    made: list[Any] = []

    async def factory(**fallback: Any) -> Cascade:
        a, b, c = sims
        proxy = await start_proxy(cascade_config(a, b, c, tmp_path, **fallback))
        rec = Recorder()
        proxy.services.metrics = rec
        next(p for p in proxy.services.plugins if p.name == "fallback").breakers.metrics = rec
        made.append(proxy)
        return Cascade(a, b, c, proxy, rec)

    yield factory
    for p in made:
        await p.aclose()


async def ask(cx: Cascade, content: str = "Tell me about rivers") -> tuple[Any, Any]:
    raw = await cx.client.chat.completions.with_raw_response.create(model="gpt-4", messages=[{"role": "user", "content": content}])
    return raw, raw.parse()


# -- plain triggers ----------------------------------------------------------------------------
async def test_healthy_primary_answers_without_fallback(make: Any) -> None:
    cx = await make()
    raw, c = await ask(cx)
    assert raw.headers["x-bulwark-provider"] == "primary" and raw.headers["x-bulwark-fallbacks"] == "0"
    assert c.model == "gpt-4" and cx.calls(cx.b) == 0 and cx.rec.activations() == {}


@pytest.mark.parametrize(("fault", "reason"), [("500", "server_error"), ("503", "server_error"), ("429", "rate_limit"),
                                               ("timeout", "timeout"), ("reset", "connection"), ("content_filter", "content_filter"),
                                               ("malformed=0", "server_error"), ("cut=0", "connection")])
async def test_each_trigger_moves_to_anthropic(make: Any, fault: str, reason: str) -> None:
    cx = await make()
    cx.a.set_fault(fault)
    raw, c = await ask(cx)
    assert raw.headers["x-bulwark-provider"] == "claude" and raw.headers["x-bulwark-fallbacks"] == "1"
    assert c.model == "claude-3-5-haiku" and c.choices[0].finish_reason == "stop" and c.choices[0].message.content
    assert c.id.startswith("chatcmpl-") and c.usage is not None and c.usage.prompt_tokens > 0
    assert cx.rec.activations() == {("primary", "claude", reason): 1}


async def test_upstream_auth_failure_moves_on(make: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    cx = await make()
    cx.proxy.services.providers["claude"].headers.pop("x-api-key")  # a misconfigured secondary: 401
    cx.a.set_fault("503")
    raw, c = await ask(cx)
    assert raw.headers["x-bulwark-provider"] == "llama"
    assert cx.rec.activations() == {("primary", "claude", "server_error"): 1, ("claude", "llama", "upstream_auth"): 1}


async def test_connection_refused_is_a_trigger(make: Any) -> None:
    cx = await make()
    cx.proxy.services.providers["primary"].base = "http://127.0.0.1:9/v1"  # nothing listens on port 9
    raw, c = await ask(cx)
    assert raw.headers["x-bulwark-provider"] == "claude"
    assert cx.rec.activations() == {("primary", "claude", "connection"): 1}


async def test_anthropic_529_goes_to_the_third_provider(make: Any) -> None:
    cx = await make()
    cx.a.set_fault("503")
    cx.b.set_fault("529")
    raw, c = await ask(cx)
    assert raw.headers["x-bulwark-provider"] == "llama" and raw.headers["x-bulwark-fallbacks"] == "2"
    assert c.model == "llama-3"
    assert cx.rec.activations() == {("primary", "claude", "server_error"): 1, ("claude", "llama", "server_error"): 1}


async def test_context_length_jumps_to_the_large_context_step(make: Any) -> None:
    cx = await make()
    cx.a.set_fault("context_length")
    raw, c = await ask(cx)
    assert raw.headers["x-bulwark-provider"] == "llama" and cx.calls(cx.b) == 0
    assert cx.rec.activations() == {("primary", "llama", "context_length"): 1}


async def test_retry_honours_retry_after_on_the_same_provider(make: Any) -> None:
    cx = await make(retry={"max_attempts": 3, "max_retry_after": 2, "base_delay": 0.01})
    cx.a.script("rivers", [{"fault": "429:retry=0.2"}, {"fault": "503"}, {"content": "Rivers flow."}])
    started = time.monotonic()
    raw, c = await ask(cx)
    assert raw.headers["x-bulwark-provider"] == "primary" and raw.headers["x-bulwark-fallbacks"] == "0"
    assert c.choices[0].message.content == "Rivers flow." and cx.calls(cx.a) == 3
    assert time.monotonic() - started >= 0.2  # waited as the upstream asked


async def test_retry_after_beyond_the_bound_moves_on_at_once(make: Any) -> None:
    cx = await make(retry={"max_attempts": 3, "max_retry_after": 1})
    cx.a.set_fault("429:retry=30")
    started = time.monotonic()
    raw, _ = await ask(cx)
    assert raw.headers["x-bulwark-provider"] == "claude" and cx.calls(cx.a) == 1
    assert time.monotonic() - started < 2


async def test_every_tier_down_to_rules_and_human(make: Any) -> None:
    cx = await make()
    for s in (cx.a, cx.b, cx.c):
        s.set_fault("503")
    raw, c = await ask(cx, "What are your opening hours?")
    assert raw.headers["x-bulwark-provider"] == "rules" and raw.headers["x-bulwark-fallbacks"] == "3"
    assert c.model == "bulwark-rules" and c.choices[0].message.content == "Open 9-17."
    raw, c = await ask(cx, "My account is locked")
    assert raw.headers["x-bulwark-provider"] == "human" and raw.headers["x-bulwark-fallbacks"] == "4"
    ticket = raw.headers["x-bulwark-ticket"]
    assert c.model == "bulwark-human" and c.choices[0].message.content == f"Ticket {ticket} opened."
    rec = await cx.proxy.services.state.journal("tickets").get(ticket)
    assert rec is not None and "primary" in rec["reason"] and rec["message"] == "My account is locked"
    assert cx.rec.activations()[("rules", "human", "no_rule_matched")] == 1  # not a server error


async def test_tier_is_marked_for_the_cache(make: Any) -> None:
    """Answers from rules/human carry their origin, so the cache never stores them."""
    cx = await make()
    seen: list[Any] = []
    for s in (cx.a, cx.b, cx.c):
        s.set_fault("503")
    plugin = next(p for p in cx.proxy.state.current.plugins if p.name == "fallback")
    from proxy.context import CHAT, RequestContext
    from multidict import CIMultiDict
    import orjson

    from proxy.ledger import Ledger
    from proxy.response import RULES

    ctx = RequestContext("r1", CHAT, "POST", "/chat/completions", "", CIMultiDict(), orjson.dumps({"model": "gpt-4", "messages": [{"role": "user", "content": "hours?"}]}))
    ctx.services = cx.proxy.services
    ctx.ledger = Ledger(ctx.services.pricing)
    from proxy.dispatch import dispatch

    resp = await plugin(ctx, dispatch)
    seen.append(resp.json()["model"])
    assert seen == ["bulwark-rules"] and resp.origin == RULES and not resp.cacheable
    assert [s["provider"] for s in ctx.scratch["fallback"]["steps"]] == ["primary", "claude", "llama", "rules"]
    # The ledger holds the real attempts: each failed one says why the cascade moved on.
    assert [(a.provider, a.cause.value, a.failover_reason) for a in ctx.ledger.attempts][:2] == [
        ("primary", "first", "server_error"), ("claude", "fallback", "server_error")]


async def test_untriggered_errors_reach_the_client(make: Any) -> None:
    cx = await make(triggers=["server_error"])
    cx.a.set_fault("429")
    with pytest.raises(openai.RateLimitError):
        await ask(cx)
    assert cx.calls(cx.b) == 0


async def test_exhausted_chain_returns_the_last_error(make: Any) -> None:
    cx = await make(chains={"gpt-4": {"steps": [{"provider": "primary"}, {"provider": "llama"}]}})
    cx.a.set_fault("503")
    cx.c.set_fault("500")
    with pytest.raises(openai.InternalServerError) as ei:
        await ask(cx)
    assert ei.value.status_code == 500 and ei.value.response.headers["x-bulwark-fallbacks"] == "1"


async def test_deadline_bounds_the_whole_chain(make: Any) -> None:
    cx = await make(chains={"gpt-4": {"deadline_seconds": 0.6, "steps": [{"provider": "primary"}, {"provider": "llama"}]}})
    cx.a.set_fault("timeout")
    cx.c.set_fault("timeout")
    started = time.monotonic()
    with pytest.raises(openai.APIStatusError) as ei:
        await ask(cx)
    assert ei.value.status_code == 504 and time.monotonic() - started < 2.5


async def test_models_without_a_chain_pass_through(make: Any) -> None:
    cx = await make()
    cx.a.set_fault("503")
    with pytest.raises(openai.InternalServerError):
        await cx.client.chat.completions.create(model="other-model", messages=MSG)


# -- circuit breaker -------------------------------------------------------------------------------
async def test_breaker_opens_skips_and_recovers(make: Any) -> None:
    cx = await make(breaker={"min_requests": 3, "error_rate": 0.5, "cooldown_seconds": 0.4, "window_seconds": 10})
    cx.a.set_fault("503")
    for _ in range(3):
        raw, _ = await ask(cx)
        assert raw.headers["x-bulwark-provider"] == "claude"
    assert cx.calls(cx.a) == 3
    gauge = cx.rec.gauges[("bulwark_breaker_state", (("provider", "primary"),))]
    assert gauge == 2  # open
    started = time.monotonic()
    raw, _ = await ask(cx)
    assert raw.headers["x-bulwark-provider"] == "claude" and cx.calls(cx.a) == 3  # skipped at once
    assert time.monotonic() - started < 0.5
    assert cx.rec.activations()[("primary", "claude", "breaker_open")] == 1
    cx.a.set_fault(None)
    await asyncio.sleep(0.45)
    raw, _ = await ask(cx)  # the half-open probe succeeds and closes the breaker
    assert raw.headers["x-bulwark-provider"] == "primary" and cx.calls(cx.a) == 4
    assert cx.rec.gauges[("bulwark_breaker_state", (("provider", "primary"),))] == 0


async def test_admin_breakers_status_and_reset(make: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import aiohttp

    monkeypatch.setenv("BULWARK_ADMIN_KEY", "adm-test")
    cx = await make(breaker={"min_requests": 1, "cooldown_seconds": 30})
    cx.a.set_fault("503")
    await ask(cx)
    hdr = {"x-admin-key": "adm-test"}
    async with aiohttp.ClientSession() as s:
        async with s.get(cx.proxy.base + "/admin/breakers", headers=hdr) as r:
            data = await r.json()
        assert data["breakers"]["primary"]["state"] == "open" and data["breakers"]["primary"]["probe_in_seconds"] > 25
        assert data["breakers"]["claude"]["state"] == "closed" and "rules" not in data["breakers"]
        async with s.post(cx.proxy.base + "/admin/breakers/primary/reset", headers=hdr) as r:
            assert r.status == 200
        async with s.get(cx.proxy.base + "/admin/breakers", headers=hdr) as r:
            assert (await r.json())["breakers"]["primary"]["state"] == "closed"
        async with s.post(cx.proxy.base + "/admin/breakers/nope/reset", headers=hdr) as r:
            assert r.status == 404
    cx.a.set_fault(None)
    raw, _ = await ask(cx)
    assert raw.headers["x-bulwark-provider"] == "primary"


async def test_all_breakers_open_is_a_clean_503(make: Any) -> None:
    cx = await make(chains={"gpt-4": {"steps": [{"provider": "primary"}]}}, breaker={"min_requests": 1, "cooldown_seconds": 30})
    cx.a.set_fault("503")
    with pytest.raises(openai.InternalServerError):
        await ask(cx)
    with pytest.raises(openai.InternalServerError) as ei:
        await ask(cx)
    assert ei.value.status_code == 503 and ei.value.code == "service_unavailable"
    assert "circuit breakers open" in ei.value.message and cx.calls(cx.a) == 1
    assert ei.value.response.headers["retry-after"] == "30"


# -- streams -------------------------------------------------------------------------------------
async def stream(cx: Cascade, usage: bool = True) -> tuple[Any, list[Any]]:
    kw: dict[str, Any] = {"stream_options": {"include_usage": True}} if usage else {}
    resp = await cx.client.chat.completions.with_raw_response.create(model="gpt-4", messages=MSG, stream=True, **kw)
    chunks = [c async for c in resp.parse()]
    return resp, chunks


def text_of(chunks: list[Any]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


@pytest.mark.parametrize(("fault", "reason"), [("503", "server_error"), ("cut=0", "stream"), ("stall=0", "timeout"),
                                               ("malformed=0", "stream"), ("error_event=0", "stream")])
async def test_stream_fails_over_before_the_first_event(make: Any, fault: str, reason: str) -> None:
    cx = await make()
    cx.a.set_fault(fault)
    resp, chunks = await stream(cx)
    assert resp.headers["x-bulwark-provider"] == "claude" and resp.headers["x-bulwark-fallbacks"] == "1"
    assert chunks[0].choices[0].delta.role == "assistant" and len({c.id for c in chunks}) == 1
    assert chunks[-2].choices[0].finish_reason == "stop" and chunks[-1].usage is not None
    assert {c.model for c in chunks} == {"claude-3-5-haiku"}
    assert cx.rec.activations() == {("primary", "claude", reason): 1}


@pytest.mark.parametrize("fault", ["cut=3", "stall=3", "malformed=3", "error_event=3"])
async def test_stream_break_after_first_byte_is_an_explicit_error(make: Any, fault: str) -> None:
    cx = await make()
    cx.a.set_fault(fault)
    got: list[Any] = []
    with pytest.raises(openai.APIError) as ei:
        async for c in await cx.client.chat.completions.create(model="gpt-4", messages=MSG, stream=True):
            got.append(c)
    assert len(got) == 3 and got[0].choices[0].delta.role == "assistant"
    assert not any(c.choices and c.choices[0].finish_reason for c in got)  # never passed off as complete
    assert "upstream" in str(ei.value.message).lower() or "stream" in str(ei.value.message).lower()
    assert cx.calls(cx.b) == 0


async def test_stream_continue_mode_splices_the_next_provider(make: Any) -> None:
    cx = await make(stream_mode="continue")
    cx.a.set_fault("cut=4")
    resp, chunks = await stream(cx)
    assert resp.headers["x-bulwark-provider"] == "primary"
    ids = {c.id for c in chunks}
    assert len(ids) == 1  # one stream, one id; each chunk names the model that wrote it
    assert [c.model for c in chunks if c.choices and c.choices[0].delta.content][:2] == ["gpt-4", "gpt-4"]
    assert {c.model for c in chunks} == {"gpt-4", "claude-3-5-haiku"}
    roles = [c for c in chunks if c.choices and c.choices[0].delta.role]
    assert len(roles) == 1
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert len(finals) == 1 and finals[0].choices[0].finish_reason == "stop"
    usage = chunks[-1].usage
    assert chunks[-1].choices == [] and usage is not None
    # the continuation was asked with the partial text as an assistant prefix and an instruction
    cont = [r for r in cx.b.requests if r.get("path", "").endswith("/messages")][-1]["json"]
    partial = cont["messages"][-2]["content"][0]["text"]
    assert cont["messages"][-2]["role"] == "assistant" and "Continue" in cont["messages"][-1]["content"][0]["text"]
    assert text_of(chunks).startswith(partial) and len(text_of(chunks)) > len(partial)
    # merged usage: the continuation's prompt already holds the partial; both attempts are counted
    assert usage.completion_tokens > 0 and usage.prompt_tokens > 20
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert cx.rec.activations() == {("primary", "claude", "stream"): 1}


async def test_stream_continue_mode_with_tool_calls_ends_with_error(make: Any) -> None:
    cx = await make(stream_mode="continue")
    cx.a.set_fault("cut=3")
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}}]
    with pytest.raises(openai.APIError):
        async for _ in await cx.client.chat.completions.create(model="gpt-4", messages=MSG, stream=True, tools=tools, tool_choice="required"):
            pass
    assert cx.calls(cx.b) == 0


async def test_stream_down_to_rules(make: Any) -> None:
    cx = await make()
    for s in (cx.a, cx.b, cx.c):
        s.set_fault("503")
    resp = await cx.client.chat.completions.with_raw_response.create(
        model="gpt-4", messages=[{"role": "user", "content": "opening hours"}], stream=True, stream_options={"include_usage": True})
    chunks = [c async for c in resp.parse()]
    assert resp.headers["x-bulwark-provider"] == "rules" and text_of(chunks) == "Open 9-17."
    assert chunks[-1].usage is not None and {c.model for c in chunks} == {"bulwark-rules"}


# -- validation trigger and config errors (plugin level) ----------------------------------------------
async def test_validation_failover_moves_to_the_next_step(make: Any) -> None:
    from multidict import CIMultiDict
    import orjson

    from proxy.context import CHAT, RequestContext
    from proxy.dispatch import dispatch
    from plugins.validate.validators.base import ValidationFailover

    cx = await make()
    plugin = next(p for p in cx.proxy.state.current.plugins if p.name == "fallback")

    async def validating(ctx: RequestContext) -> Any:
        resp = await dispatch(ctx)
        if ctx.target is not None and ctx.target.provider == "primary":
            await resp.aclose()
            raise ValidationFailover(["numbers not grounded"], validators=["numbers"], provider="primary")
        return resp

    ctx = RequestContext("r2", CHAT, "POST", "/chat/completions", "", CIMultiDict(), orjson.dumps({"model": "gpt-4", "messages": MSG}))
    ctx.services = cx.proxy.services
    resp = await plugin(ctx, validating)
    assert resp.provider == "claude" and ctx.response_headers["x-bulwark-fallbacks"] == "1"
    assert cx.rec.activations() == {("primary", "claude", "validation"): 1}


async def test_unknown_provider_in_a_chain_is_a_config_error(sims: tuple[Any, Any, Any], tmp_path: Path) -> None:
    from proxy.errors import ConfigError

    a, b, c = sims
    cfg = cascade_config(a, b, c, tmp_path, chains={"gpt-4": {"steps": [{"provider": "nope"}]}})
    with pytest.raises(ConfigError, match=r"plugins\.fallback\.chains\.gpt-4\.steps\[0\]\.provider"):
        await start_proxy(cfg)


async def test_breaker_state_is_shared_through_redis(sims: tuple[Any, Any, Any], tmp_path: Path, redis_url: str, unique_prefix: str) -> None:
    """Two replicas on one Redis: failures seen by one open the breaker for both."""
    a, b, c = sims
    cfg = cascade_config(a, b, c, tmp_path, breaker={"min_requests": 2, "error_rate": 0.5, "cooldown_seconds": 30})
    cfg["state"] = {"backend": "redis", "redis_url": redis_url, "key_prefix": unique_prefix}
    one, two = await start_proxy(cfg), await start_proxy(cfg)
    try:
        a.set_fault("503")
        c1, c2 = openai_client(one.url), openai_client(two.url)
        for _ in range(2):
            await c1.chat.completions.create(model="gpt-4", messages=MSG)
        before = sum(1 for r in a.requests if r.get("path", "").endswith("/chat/completions"))
        raw = await c2.chat.completions.with_raw_response.create(model="gpt-4", messages=MSG)
        assert raw.headers["x-bulwark-provider"] == "claude"
        assert sum(1 for r in a.requests if r.get("path", "").endswith("/chat/completions")) == before  # replica two skipped it
    finally:
        await one.services.state.delete("brk:primary")
        await one.aclose()
        await two.aclose()


async def test_chain_deadline_bounds_only_the_start_of_a_stream(make: Any) -> None:
    """A stream that started in time may run past the chain deadline (its step/provider budgets bound it)."""
    # The idle timeout is not under test here: 2 s, so a pause of the whole test process (a full
    # collection late in the suite) cannot end the stream as "stalled" (it did once at 0.3 s).
    cx = await make(chains={"gpt-4": {"deadline_seconds": 0.5, "steps": [{"provider": "primary"}, {"provider": "llama"}]}},
                    primary_timeouts={**FAST, "idle": 2.0})
    cx.a.script("rivers", [{"content": " ".join(["word"] * 120)}])  # 120+ events at 5 ms: ~0.7 s
    started = time.monotonic()
    resp, chunks = await stream(cx)
    assert time.monotonic() - started > 0.5
    assert resp.headers["x-bulwark-provider"] == "primary" and chunks[-1].usage is not None
    assert text_of(chunks).count("word") == 120


async def test_shadow_mode_records_but_never_fails_over(make: Any) -> None:
    cx = await make(mode="shadow")
    cx.a.set_fault("503")
    with pytest.raises(openai.InternalServerError):
        await ask(cx)
    assert cx.calls(cx.b) == 0 and cx.rec.activations() == {}
