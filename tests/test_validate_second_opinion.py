"""The second opinion through the shipped proxy.toml: a model settles the claims the numbers
engine is not sure of. The simulator plays both the answering model and the second-opinion
model (its scripted verdict matches the "CLAIMS:" list the proxy sends), so these tests show
the mechanism end to end: what is cleared goes out unmarked, what is rejected is never
delivered (plain or streamed), an unusable verdict changes nothing, and every call is an
attempt of the request, charged like any other.
"""
from __future__ import annotations

import copy
import sys
import types
from pathlib import Path
from typing import Any

import orjson
import pytest

from proxy.errors import ConfigError
from proxy.ledger import Cause
from proxy.plugin import Plugin
from tests.helpers import openai_client, start_proxy, start_simulator
from tests.shipped import redis_state, shipped_config

# A correct answer the rules cannot ground: apparent attenuation (1.056 - 1.011) / 0.056 = 80.4 %.
BREW = [
    {"role": "system", "content": "You are a homebrew assistant. ABV \u2248 (OG \u2212 FG) \u00d7 131.25. "
                                  "Apparent attenuation = (OG \u2212 FG) / (OG \u2212 1)."},
    {"role": "user", "content": "My pale ale went from 1.056 to 1.011. What's the ABV and attenuation?"},
]
BREW_ANSWER = ("Welcome back to the brew log. (1.056 \u2212 1.011) \u00d7 131.25 \u2248 5.9% ABV, with about 80% apparent "
               "attenuation, right where a clean American ale yeast should finish.")
# A wrong remainder the rules are not sure of: 25 - 18.4 is 6.6, not 7.4.
PHONE = [
    {"role": "system", "content": "You are the assistant for Skyline Mobile. Use the account tools."},
    {"role": "user", "content": "How much data do I have left this cycle?"},
    {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function",
                                                            "function": {"name": "get_usage", "arguments": "{}"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": '{"plan_data_gb": 25, "used_gb": 18.4, "cycle_ends": "2024-07-14"}'},
]
PHONE_ANSWER = "Here is your usage. You've used 18.4 GB of your 25 GB plan, so you have 7.4 GB left until the cycle ends."

SUPPORTED = orjson.dumps({"claims": [{"id": 1, "supported": True, "reason": "0.045 / 0.056 = 80.4 %"}]}).decode()
REJECTED = orjson.dumps({"claims": [{"id": 1, "supported": False, "reason": "25 - 18.4 = 6.6"}]}).decode()


class Probe(Plugin):
    name = "second_opinion_probe"
    seen: list[Any] = []

    async def __call__(self, ctx: Any, call_next: Any) -> Any:
        Probe.seen.append(ctx)
        return await call_next(ctx)


_mod = types.ModuleType("plugins.second_opinion_probe")
_mod.Probe = Probe  # type: ignore[attr-defined]
sys.modules["plugins.second_opinion_probe"] = _mod


def _config(sim: Any, tmp_path: Path, *, second: bool = True) -> dict[str, Any]:
    cfg = shipped_config(sim, tmp_path)
    cfg["chain"]["plugins"] = ["second_opinion_probe", *cfg["chain"]["plugins"]]
    numbers = next(v for v in cfg["plugins"]["validate"]["validators"] if v["type"] == "numbers")
    if second:
        numbers["second_opinion"] = {"provider": "sim", "model": "gpt-4o-mini", "timeout_seconds": 5}
    return cfg


@pytest.fixture(params=["memory", "redis"])
async def env(request: pytest.FixtureRequest, tmp_path: Path, redis_url: str, unique_prefix: str) -> Any:
    """The shipped chain with a second opinion, on both state backends (budgets and limits
    reserve and settle the second-opinion attempts in each)."""
    from tests.rl_support import cleanup_redis

    sim = await start_simulator(stream_delay_ms=2)
    Probe.seen.clear()
    cfg = _config(sim, tmp_path)
    if request.param == "redis":
        cfg.update(redis_state(redis_url, unique_prefix))
    proxy = await start_proxy(cfg)
    yield types.SimpleNamespace(sim=sim, proxy=proxy, client=openai_client(proxy.url), tmp_path=tmp_path)
    st = proxy.services.state
    st = getattr(st, "primary", st)
    await proxy.aclose()
    await sim.aclose()
    if request.param == "redis":
        await cleanup_redis(type(st)(st.url, st.prefix))


def _asked(sim: Any) -> list[dict[str, Any]]:
    """The second-opinion requests the simulator received."""
    out = []
    for r in sim.requests:
        body = r.get("body") if isinstance(r, dict) else getattr(r, "body", None)
        if isinstance(body, (bytes, str)):
            body = orjson.loads(body)
        if isinstance(body, dict) and "CLAIMS:" in str((body.get("messages") or [{}])[-1].get("content")):
            out.append(body)
    return out


def _ledger(ctx: Any) -> list[Any]:
    return list(ctx.ledger.attempts)


async def test_a_supported_claim_is_cleared_and_the_call_is_charged(env: Any) -> None:
    env.sim.script("went from 1.056", [{"content": BREW_ANSWER}])
    env.sim.script("CLAIMS:", [{"content": SUPPORTED}])
    raw = await env.client.chat.completions.with_raw_response.create(model="gpt-4o", messages=BREW)
    resp = raw.parse()
    assert resp.choices[0].message.content == BREW_ANSWER
    assert raw.headers.get("x-bulwark-validation") is None  # not flagged: the second opinion settled it
    asked = _asked(env.sim)
    assert len(asked) == 1
    prompt = asked[0]["messages"][-1]["content"]
    assert '1. "80%"' in prompt and "Apparent attenuation" in prompt and asked[0]["model"] == "gpt-4o-mini"
    attempts = _ledger(Probe.seen[-1])
    judge = [a for a in attempts if a.cause == Cause.JUDGE]
    assert len(judge) == 1 and judge[0].served_model == "gpt-4o-mini" and judge[0].cost_usd > 0
    assert Probe.seen[-1].cost_usd == pytest.approx(sum(a.cost_usd for a in attempts))
    assert Probe.seen[-1].decisions["validate"]["outcome"] == "pass"


async def test_a_rejected_claim_is_regenerated_then_withheld(env: Any) -> None:
    env.sim.script("How much data", [{"content": PHONE_ANSWER}])
    env.sim.script("CLAIMS:", [{"content": REJECTED}])
    raw = await env.client.chat.completions.with_raw_response.create(model="gpt-4o", messages=PHONE)
    content = raw.parse().choices[0].message.content
    assert "7.4" not in content and content.startswith("Here is your usage.")
    assert "withheld" in content and raw.headers["x-bulwark-validation"] == "withheld"
    causes = [a.cause for a in _ledger(Probe.seen[-1])]
    # the answer, its second opinion, the regeneration (sure now), and the regeneration's second opinion
    assert causes == [Cause.FIRST, Cause.JUDGE, Cause.REGENERATION, Cause.JUDGE]


async def test_streamed_a_rejected_claim_never_reaches_the_client(env: Any) -> None:
    env.sim.script("How much data", [{"content": PHONE_ANSWER}])
    env.sim.script("CLAIMS:", [{"content": REJECTED}])
    stream = await env.client.chat.completions.create(model="gpt-4o-mini", messages=PHONE, stream=True)
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert "7.4" not in text
    assert text.startswith("Here is your usage.") and "withheld" in text
    assert len(_asked(env.sim)) >= 1


async def test_streamed_a_supported_claim_goes_out_whole_and_unmarked(env: Any) -> None:
    env.sim.script("went from 1.056", [{"content": BREW_ANSWER}])
    env.sim.script("CLAIMS:", [{"content": SUPPORTED}])
    raw = await env.client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=BREW, stream=True)
    text = "".join([c.choices[0].delta.content or "" async for c in raw.parse() if c.choices])
    assert text == BREW_ANSWER
    assert raw.headers.get("x-bulwark-validation") is None
    assert Probe.seen[-1].decisions["validate"].get("second_opinion_cleared") == 1
    assert Probe.seen[-1].decisions["validate"]["outcome"] == "pass"


@pytest.mark.parametrize("verdict", ["I think it is fine.", '{"claims": [{"id": 7, "supported": false}]}'])
async def test_an_unusable_verdict_leaves_the_rules_answer(env: Any, verdict: str) -> None:
    env.sim.script("How much data", [{"content": PHONE_ANSWER}])
    env.sim.script("CLAIMS:", [{"content": verdict}])
    raw = await env.client.chat.completions.with_raw_response.create(model="gpt-4o", messages=PHONE)
    assert raw.parse().choices[0].message.content == PHONE_ANSWER  # as without a second opinion: flagged
    assert raw.headers["x-bulwark-validation"] == "flagged"
    assert len(_asked(env.sim)) == 1


async def test_without_a_second_opinion_the_uncertain_claim_is_flagged(tmp_path: Path) -> None:
    sim = await start_simulator()
    proxy = await start_proxy(_config(sim, tmp_path, second=False))
    try:
        sim.script("How much data", [{"content": PHONE_ANSWER}])
        raw = await openai_client(proxy.url).chat.completions.with_raw_response.create(model="gpt-4o", messages=PHONE)
        assert raw.parse().choices[0].message.content == PHONE_ANSWER
        assert raw.headers["x-bulwark-validation"] == "flagged"
        assert _asked(sim) == []
    finally:
        await proxy.aclose()
        await sim.aclose()


async def test_second_opinion_is_for_the_numbers_validator_only(tmp_path: Path) -> None:
    sim = await start_simulator()
    try:
        cfg = _config(sim, tmp_path, second=False)
        cfg = copy.deepcopy(cfg)
        structured = next(v for v in cfg["plugins"]["validate"]["validators"] if v["type"] == "structured")
        structured["second_opinion"] = {"provider": "sim", "model": "gpt-4o-mini"}
        with pytest.raises(ConfigError, match="second_opinion applies to the numbers validator only"):
            await start_proxy(cfg)
    finally:
        await sim.aclose()


async def test_responses_and_messages_clients_get_the_same_protection(env: Any) -> None:
    """The Responses and Messages APIs are decoded into the same chain: a rejected claim is withheld there too."""
    env.sim.script("How much data", [{"content": PHONE_ANSWER}])
    env.sim.script("CLAIMS:", [{"content": REJECTED}])
    tool_out = PHONE[3]["content"]
    items = [{"role": "system", "content": PHONE[0]["content"]}, {"role": "user", "content": PHONE[1]["content"]},
             {"type": "function_call", "call_id": "call_1", "name": "get_usage", "arguments": "{}"},
             {"type": "function_call_output", "call_id": "call_1", "output": tool_out}]
    resp = await env.client.responses.create(model="gpt-4o-mini", input=items)
    assert "7.4" not in resp.output_text and resp.output_text.startswith("Here is your usage.")
    stream = await env.client.responses.create(model="gpt-4o-mini", input=items, stream=True)
    text = "".join([ev.delta async for ev in stream if ev.type == "response.output_text.delta"])
    assert "7.4" not in text and text.startswith("Here is your usage.")
    # and an Anthropic Messages client (the anthropic SDK), its tool result in Anthropic's shape
    import anthropic

    claude = anthropic.AsyncAnthropic(base_url=env.proxy.base, api_key="sk-test", max_retries=0)
    try:
        msgs = [{"role": "user", "content": PHONE[1]["content"]},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "call_1", "name": "get_usage", "input": {}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "call_1", "content": tool_out}]}]
        msg = await claude.messages.create(model="gpt-4o-mini", max_tokens=200, system=PHONE[0]["content"], messages=msgs)
        said = "".join(b.text for b in msg.content if b.type == "text")
        assert "7.4" not in said and said.startswith("Here is your usage.")
    finally:
        await claude.close()
