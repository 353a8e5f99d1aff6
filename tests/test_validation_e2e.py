"""Response validation end to end: the official SDK -> Bulwark (validate plugin) -> simulator."""
from __future__ import annotations

import json
import os
from typing import Any

import aiohttp
import openai
import pytest

from tests.helpers import base_config, openai_client, start_proxy, start_simulator

BANK = [
    {"role": "system", "content": "You are a banking assistant. Use only the tool data."},
    {"role": "user", "content": "What is my balance?"},
    {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_account", "arguments": "{\"account_id\": \"ACC-55012345\"}"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "{\"account_id\": \"ACC-55012345\", \"balance\": 47.15, \"currency\": \"USD\"}"},
]
WRONG = {"content": "Your balance on ACC-55012345 is $127,549."}
RIGHT = {"content": "Your balance on ACC-55012345 is $47.15."}
SAFE = "Sorry, I cannot verify that answer right now."

TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
    "required": ["city"], "additionalProperties": False}}}]
SCHEMA_FORMAT = {"type": "json_schema", "json_schema": {"name": "balance", "schema": {
    "type": "object", "properties": {"balance": {"type": "number"}}, "required": ["balance"], "additionalProperties": False}}}


class Recorder:
    """Stands in for services.metrics to read what the plugin counted."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, tuple[tuple[str, Any], ...]], float] = {}

    def inc(self, name: str, amount: float = 1.0, **labels: Any) -> None:
        key = (name, tuple(sorted(labels.items())))
        self.counts[key] = self.counts.get(key, 0) + amount

    def observe(self, *a: Any, **k: Any) -> None:
        pass

    def set(self, *a: Any, **k: Any) -> None:
        pass

    def get(self, name: str, **labels: Any) -> float:
        return self.counts.get((name, tuple(sorted(labels.items()))), 0)


@pytest.fixture
async def env(tmp_path: Any) -> Any:
    sim = await start_simulator()
    proxies: list[Any] = []

    async def make(validate: dict[str, Any], **over: Any) -> Any:
        state = {"backend": "memory", "data_dir": str(tmp_path), **over.pop("state", {})}
        cfg = base_config(sim.url, ["validate"], state=state, **over)
        cfg["plugins"] = {"validate": validate}
        p = await start_proxy(cfg)
        proxies.append(p)
        p.rec = Recorder()
        p.services.metrics = p.rec
        return p

    class Env:
        pass

    e = Env()
    e.sim, e.make, e.tmp = sim, make, tmp_path
    yield e
    for p in proxies:
        await p.aclose()
    await sim.aclose()


def numbers(action: str = "regenerate", then: str = "flag", **kw: Any) -> dict[str, Any]:
    return {"validators": [{"type": "numbers", "action": action, "then": then}], "safe_message": SAFE, **kw}


async def review(proxy: Any) -> list[dict[str, Any]]:
    return await proxy.services.state.journal("review").list()


def last_upstream_body(sim: Any) -> dict[str, Any]:
    req = sim.requests[-1]
    body = req.get("body") if isinstance(req, dict) else None
    return json.loads(body) if isinstance(body, (bytes, str)) else body


# -- regenerate ------------------------------------------------------------------------------------

async def test_wrong_then_right_client_gets_the_right_answer(env: Any) -> None:
    proxy = await env.make(numbers(max_regenerations=2))
    env.sim.script("my balance", [WRONG, RIGHT])
    client = openai_client(proxy.url)
    raw = await client.chat.completions.with_raw_response.create(model="gpt-4o", messages=BANK, temperature=0.8)
    resp = raw.parse()
    assert resp.choices[0].message.content == RIGHT["content"]
    assert raw.headers["x-bulwark-validation"] == "regenerated"
    # the second upstream call was stricter: temperature 0 and a note naming the unverified claim
    body = last_upstream_body(env.sim)
    assert body["temperature"] == 0
    note = body["messages"][-1]
    assert note["role"] == "system" and "$127,549" in note["content"] and "do not know" in note["content"]
    assert len(env.sim.requests) == 2
    assert proxy.rec.get("bulwark_validation_actions_total", action="regenerate") == 1
    assert proxy.rec.get("bulwark_validations_total", validator="numbers", outcome="fail") == 1
    assert proxy.rec.get("bulwark_validations_total", validator="numbers", outcome="pass") == 1
    assert await review(proxy) == []


async def test_wrong_then_right_streamed(env: Any) -> None:
    proxy = await env.make(numbers())
    env.sim.script("my balance", [WRONG, RIGHT])
    client = openai_client(proxy.url)
    stream = await client.chat.completions.create(model="gpt-4o", messages=BANK, stream=True, stream_options={"include_usage": True})
    text, usage = "", None
    async for chunk in stream:
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
        if chunk.usage:
            usage = chunk.usage
    assert text == RIGHT["content"]
    assert usage is not None and usage.completion_tokens > 0


# -- flag / block --------------------------------------------------------------------------------------

async def test_always_wrong_is_flagged_and_queued(env: Any) -> None:
    proxy = await env.make(numbers(then="flag", max_regenerations=1))
    env.sim.script("my balance", [WRONG])
    client = openai_client(proxy.url)
    raw = await client.chat.completions.with_raw_response.create(model="gpt-4o", messages=BANK)
    assert raw.parse().choices[0].message.content == WRONG["content"]
    assert raw.headers["x-bulwark-validation"] == "flagged"
    recs = await review(proxy)
    assert len(recs) == 1
    rec = recs[0]
    assert rec["request_id"].startswith("req_") and rec["upstream_request_id"] == raw.headers["x-request-id"]
    assert rec["id"] == raw.headers["x-bulwark-review-id"]
    assert rec["key_name"] == "test" and rec["key_id"] and "sk-test" not in json.dumps(rec)
    assert rec["action"] == "flag" and rec["regenerations"] == 1 and rec["status"] == "open"
    assert any("$127,549" in i for i in rec["issues"])
    assert rec["answers"][0]["content"] == WRONG["content"]
    assert proxy.rec.get("bulwark_validation_actions_total", action="flag") == 1
    # persisted as JSONL (no Redis configured)
    lines = (env.tmp / "review.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["request_id"] == rec["request_id"]


async def test_always_wrong_is_blocked_plain_and_streamed(env: Any) -> None:
    proxy = await env.make(numbers(then="block", max_regenerations=1))
    env.sim.script("my balance", [WRONG])
    client = openai_client(proxy.url)
    raw = await client.chat.completions.with_raw_response.create(model="gpt-4o", messages=BANK)
    resp = raw.parse()
    assert resp.choices[0].message.content == SAFE
    assert resp.choices[0].finish_reason == "stop"
    assert raw.headers["x-bulwark-validation"] == "blocked"

    # Live (guarded) stream: the verified words before the claim went out as they came; the
    # claim never does, and the answer ends with the safe ending and a normal end of stream.
    stream = await client.chat.completions.create(model="gpt-4o", messages=BANK, stream=True, stream_options={"include_usage": True})
    chunks = [c async for c in stream]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith("Your balance on ACC-55012345 is") and "127,549" not in text
    assert text.endswith(proxy.services.config.plugins["validate"].get("safe_ending", "") or "again.]")
    assert chunks[-1].choices == [] and chunks[-1].usage is not None  # usage chunk kept last
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    recs = await review(proxy)
    assert [r["action"] for r in recs] == ["block", "block"]
    assert recs[0]["stream"] is True and recs[1]["stream"] is False  # newest first
    assert "127,549" not in recs[0]["delivered"] and "127,549" in recs[0]["answers"][0]["content"]


async def test_always_wrong_buffered_stream_gets_the_safe_message(env: Any) -> None:
    proxy = await env.make(numbers(then="block", max_regenerations=1, stream_mode="buffer"))
    env.sim.script("my balance", [WRONG])
    stream = await openai_client(proxy.url).chat.completions.create(
        model="gpt-4o", messages=BANK, stream=True, stream_options={"include_usage": True})
    chunks = [c async for c in stream]
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == SAFE
    assert chunks[-1].choices == [] and chunks[-1].usage is not None


async def test_grounded_answer_passes_untouched(env: Any) -> None:
    proxy = await env.make(numbers(then="block"))
    env.sim.script("my balance", [RIGHT])
    client = openai_client(proxy.url)
    raw = await client.chat.completions.with_raw_response.create(model="gpt-4o", messages=BANK)
    assert raw.parse().choices[0].message.content == RIGHT["content"]
    assert "x-bulwark-validation" not in raw.headers
    assert len(env.sim.requests) == 1


# -- passthrough streams -------------------------------------------------------------------------------

async def test_passthrough_stream_flags_at_the_end(env: Any) -> None:
    proxy = await env.make({"validators": [{"type": "numbers", "action": "flag"}]})  # flag only -> passthrough
    env.sim.script("my balance", [WRONG])
    client = openai_client(proxy.url)
    stream = await client.chat.completions.create(model="gpt-4o", messages=BANK, stream=True)
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == WRONG["content"]
    recs = await review(proxy)
    assert len(recs) == 1 and recs[0]["stream"] is True and recs[0]["action"] == "flag"


async def test_passthrough_error_event(env: Any) -> None:
    proxy = await env.make({"validators": [{"type": "numbers", "action": "flag"}], "stream_mode": "passthrough",
                            "passthrough_on_failure": "error_event"})
    env.sim.script("my balance", [WRONG])
    client = openai_client(proxy.url)
    stream = await client.chat.completions.create(model="gpt-4o", messages=BANK, stream=True)
    got = ""
    with pytest.raises(openai.APIError) as ei:
        async for c in stream:
            if c.choices:
                got += c.choices[0].delta.content or ""
    assert got == WRONG["content"]  # streamed live...
    assert "validation" in str(ei.value)  # ...then ended with an error event, not a normal end


# -- structured output and tool calls -------------------------------------------------------------------

@pytest.mark.parametrize("stream", [False, True])
async def test_schema_violation_regenerated(env: Any, stream: bool) -> None:
    proxy = await env.make({"validators": [{"type": "structured", "action": "regenerate", "then": "block"}], "safe_message": SAFE})
    env.sim.script("as json", [{"content": "{\"balance\": \"forty-seven\"}"}, {"content": "{\"balance\": 47.15}"}])
    client = openai_client(proxy.url)
    msgs = [{"role": "user", "content": "Give my balance as json"}]
    if stream:
        s = await client.chat.completions.create(model="gpt-4o", messages=msgs, response_format=SCHEMA_FORMAT, stream=True)
        text = "".join([c.choices[0].delta.content or "" async for c in s if c.choices])
    else:
        r = await client.chat.completions.create(model="gpt-4o", messages=msgs, response_format=SCHEMA_FORMAT)
        text = r.choices[0].message.content
    assert json.loads(text) == {"balance": 47.15}
    assert "balance" in last_upstream_body(env.sim)["messages"][-1]["content"]


@pytest.mark.parametrize("stream", [False, True])
async def test_bad_tool_calls_blocked(env: Any, stream: bool) -> None:
    """A blocked answer to a request with tools is the API's refusal, never a broken tool call."""
    proxy = await env.make({"validators": [{"type": "structured", "action": "block"}], "safe_message": SAFE})
    env.sim.script("weather", [{"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris", "days": 0}}]}])
    client = openai_client(proxy.url)
    msgs = [{"role": "user", "content": "weather in Paris?"}]
    if stream:
        s = await client.chat.completions.create(model="gpt-4o", messages=msgs, tools=TOOLS, stream=True)
        chunks = [c async for c in s]
        assert not any(c.choices and c.choices[0].delta.tool_calls for c in chunks)
        assert not any(c.choices and c.choices[0].delta.content for c in chunks)
        refusal = "".join(c.choices[0].delta.refusal or "" for c in chunks if c.choices)
    else:
        r = await client.chat.completions.create(model="gpt-4o", messages=msgs, tools=TOOLS)
        assert not r.choices[0].message.tool_calls and r.choices[0].message.content is None
        refusal = r.choices[0].message.refusal
    assert refusal == SAFE
    recs = await review(proxy)
    assert any("days" in i and "minimum" in i for i in recs[0]["issues"])


@pytest.mark.parametrize("stream", [False, True])
async def test_undeclared_tool_flagged_valid_call_passes(env: Any, stream: bool) -> None:
    proxy = await env.make({"validators": [{"type": "structured", "action": "flag"}], "stream_mode": "buffer"})
    env.sim.script("weather", [{"tool_calls": [{"name": "get_wether", "arguments": {"city": "Paris"}}]},
                               {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}])
    client = openai_client(proxy.url)
    msgs = [{"role": "user", "content": "weather in Paris?"}]
    for expect in ("flagged", None):
        if stream:
            raw = await client.chat.completions.with_raw_response.create(model="gpt-4o", messages=msgs, tools=TOOLS, stream=True)
            chunks = [c async for c in raw.parse()]
            names = [tc.function.name for c in chunks if c.choices for tc in (c.choices[0].delta.tool_calls or []) if tc.function and tc.function.name]
        else:
            raw = await client.chat.completions.with_raw_response.create(model="gpt-4o", messages=msgs, tools=TOOLS)
            names = [tc.function.name for tc in raw.parse().choices[0].message.tool_calls]
        assert raw.headers.get("x-bulwark-validation") == expect
        assert names == (["get_wether"] if expect else ["get_weather"])


# -- errors, fallback, admin --------------------------------------------------------------------------

async def test_validator_error_is_skipped_or_blocked_never_500(env: Any) -> None:
    judge = {"type": "judge", "provider": "nope", "model": "judge-model"}
    proxy = await env.make({"validators": [judge], "stream_mode": "buffer"})
    env.sim.script("my balance", [RIGHT])
    client = openai_client(proxy.url)
    r = await client.chat.completions.create(model="gpt-4o", messages=BANK)
    assert r.choices[0].message.content == RIGHT["content"]
    assert proxy.rec.get("bulwark_plugin_errors_total", plugin="validate") == 1
    assert proxy.rec.get("bulwark_validations_total", validator="judge", outcome="error") == 1

    proxy2 = await env.make({"validators": [{**judge, "on_error": "block"}], "safe_message": SAFE})
    r = await openai_client(proxy2.url).chat.completions.create(model="gpt-4o", messages=BANK)
    assert r.choices[0].message.content == SAFE


async def test_fallback_action_raises_the_signal(env: Any) -> None:
    from proxy.errors import ConfigError

    with pytest.raises(ConfigError, match="listed before validate"):
        await env.make({"validators": [{"type": "numbers", "action": "fallback"}]}, chain={"plugins": ["validate", "fallback"]})
    proxy = await env.make({"validators": [{"type": "numbers", "action": "fallback"}]})
    env.sim.script("my balance", [WRONG])
    client = openai_client(proxy.url)
    with pytest.raises(openai.APIStatusError) as ei:
        await client.chat.completions.create(model="gpt-4o", messages=BANK)
    assert ei.value.status_code == 502
    assert ei.value.body["code"] == "validation_failed"
    assert "$127,549" in ei.value.body["message"]


async def test_judge_through_a_provider_counts_cost(env: Any) -> None:
    judge = {"type": "judge", "provider": "sim", "model": "judge-model", "action": "flag", "price_per_1m_input": 1000.0}
    proxy = await env.make({"validators": [judge]})
    verdict = json.dumps({"supported": False, "unsupported_claims": ["$127,549"]})
    env.sim.script("my balance", [WRONG])
    env.sim.script("ANSWER:", [{"content": verdict}])  # the judge's request (added last: it wins)
    client = openai_client(proxy.url)
    raw = await client.chat.completions.with_raw_response.create(model="gpt-4o", messages=BANK)
    assert raw.headers["x-bulwark-validation"] == "flagged"
    # The judge call is an attempt of this request (cause "judge"), charged at its $1000/M price:
    # the answer's cost includes it (the gpt-4o answer itself costs a fraction of a cent).
    assert float(raw.headers["x-bulwark-cost-usd"]) > 0.01


async def test_admin_review_endpoints(env: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("BULWARK_ADMIN_KEY", "adm-secret")
    proxy = await env.make(numbers(then="flag", max_regenerations=0))
    env.sim.script("my balance", [WRONG])
    await openai_client(proxy.url).chat.completions.create(model="gpt-4o", messages=BANK)
    h = {"Authorization": "Bearer adm-secret"}
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{proxy.base}/admin/review") as r:
            assert r.status == 401
        async with s.get(f"{proxy.base}/admin/review?status=open", headers=h) as r:
            data = (await r.json())["data"]
        assert len(data) == 1
        rid = data[0]["id"]
        async with s.get(f"{proxy.base}/admin/review/{rid}", headers=h) as r:
            assert (await r.json())["issues"]
        async with s.post(f"{proxy.base}/admin/review/{rid}/resolve", headers=h, json={"note": "confirmed", "resolution": "hallucination"}) as r:
            rec = await r.json()
        assert rec["status"] == "resolved" and rec["note"] == "confirmed"
        async with s.get(f"{proxy.base}/admin/review/nope", headers=h) as r:
            assert r.status == 404
        async with s.get(f"{proxy.base}/admin/review?status=open", headers=h) as r:
            assert (await r.json())["data"] == []


async def test_review_queue_in_redis(env: Any, redis_url: str, unique_prefix: str) -> None:
    proxy = await env.make(numbers(then="flag", max_regenerations=0),
                           state={"backend": "redis", "redis_url": redis_url, "key_prefix": unique_prefix})
    env.sim.script("my balance", [WRONG])
    raw = await openai_client(proxy.url).chat.completions.with_raw_response.create(model="gpt-4o", messages=BANK)
    import redis.asyncio as redis

    r = redis.Redis.from_url(redis_url)
    try:
        keys = [k.decode() async for k in r.scan_iter(f"*{unique_prefix}*journal:review*")]
        assert keys, "the review record should be in a Redis stream"
        recs = await review(proxy)
        assert recs[0]["id"] == raw.headers["x-bulwark-review-id"]
    finally:
        for k in [k async for k in r.scan_iter(f"*{unique_prefix}*")]:
            await r.delete(k)
        await r.aclose()


async def test_shadow_mode_records_but_changes_nothing(env: Any) -> None:
    proxy = await env.make({**numbers(then="block"), "mode": "shadow"})
    env.sim.script("my balance", [WRONG])
    raw = await openai_client(proxy.url).chat.completions.with_raw_response.create(model="gpt-4o", messages=BANK)
    assert raw.parse().choices[0].message.content == WRONG["content"]
    assert "x-bulwark-validation" not in raw.headers
    assert len(env.sim.requests) == 1


async def test_per_model_override_disables_validation(env: Any) -> None:
    proxy = await env.make({**numbers(then="block"), "overrides": [{"models": ["cheap-*"], "disable": ["numbers"]}]})
    env.sim.script("my balance", [WRONG])
    client = openai_client(proxy.url)
    r = await client.chat.completions.create(model="cheap-model", messages=BANK)
    assert r.choices[0].message.content == WRONG["content"]
    r = await client.chat.completions.create(model="gpt-4o", messages=BANK)
    assert r.choices[0].message.content == SAFE


async def test_bad_validator_option_fails_at_startup(env: Any) -> None:
    from proxy.errors import ConfigError

    with pytest.raises(ConfigError, match=r"plugins\.validate\.validators\[0\].*tolerance"):
        await env.make({"validators": [{"type": "numbers", "tolerance": 0.1}]})


async def test_cli_review_list_show_resolve(env: Any, capsys: Any) -> None:
    proxy = await env.make(numbers(then="flag", max_regenerations=0))
    env.sim.script("my balance", [WRONG])
    await openai_client(proxy.url).chat.completions.create(model="gpt-4o", messages=BANK)
    rid = (await review(proxy))[0]["id"]
    cfg = env.tmp / "proxy.toml"
    cfg.write_text(f'[providers.sim]\nbase_url = "{env.sim.url}"\n[state]\ndata_dir = "{env.tmp}"\n')
    from plugins.validate import commands as cmd
    import argparse
    import asyncio

    def run(*argv: str) -> str:
        p = argparse.ArgumentParser()
        sub = p.add_subparsers()
        cmd.register(sub)
        args = p.parse_args(["review", *argv, "--config", str(cfg)])
        # the CLI runs its own event loop; do it in a thread from this async test
        rc = asyncio.get_running_loop().run_in_executor(None, args.func, args)
        return rc

    assert await run("list") == 0
    assert rid in capsys.readouterr().out
    assert await run("show", rid) == 0
    assert "$127,549" in capsys.readouterr().out
    assert await run("resolve", rid, "--note", "checked") == 0
    assert await run("list") == 0
    assert "no open review records" in capsys.readouterr().out


async def test_upstream_cut_while_buffering_is_an_error_not_a_truncated_answer(env: Any) -> None:
    proxy = await env.make(numbers(then="block"))
    env.sim.script("my balance", [{"content": "Your balance on ACC-55012345 is $47.15, all good.", "fault": "cut=3"}])
    client = openai_client(proxy.url)
    with pytest.raises(openai.APIError):
        stream = await client.chat.completions.create(model="gpt-4o", messages=BANK, stream=True)
        async for _ in stream:
            pass
    assert await review(proxy) == []  # nothing was validated or delivered as if complete


async def test_fallback_plugin_takes_the_next_provider_on_validation_failover(env: Any) -> None:
    sim2 = await start_simulator()
    try:
        env.sim.script("my balance", [WRONG])
        sim2.script("my balance", [RIGHT])
        over = {"providers": {"backup": {"type": "openai", "base_url": sim2.url, "api_key_env": "BULWARK_TEST_UPSTREAM_KEY"}}}
        cfg = base_config(env.sim.url, ["fallback", "validate"], state={"backend": "memory", "data_dir": str(env.tmp)}, **over)
        cfg["plugins"] = {
            "fallback": {"chains": {"*": {"steps": [{"provider": "sim"}, {"provider": "backup"}]}}},
            "validate": {"validators": [{"type": "numbers", "action": "fallback"}]},
        }
        proxy = await start_proxy(cfg)
        try:
            raw = await openai_client(proxy.url).chat.completions.with_raw_response.create(model="gpt-4o", messages=BANK)
            assert raw.parse().choices[0].message.content == RIGHT["content"]
            assert len(env.sim.requests) == 1 and len(sim2.requests) == 1
        finally:
            await proxy.aclose()
    finally:
        await sim2.aclose()


async def test_bulwark_own_tiers_are_not_validated(sim) -> None:
    """A human-escalation answer carries a ticket id: not a claim of the model, never flagged."""
    from tests.helpers import base_config, openai_client, start_proxy

    cfg = base_config(sim.url, plugins=["validate", "fallback"], plugin_config={
        "validate": {"validators": [{"type": "numbers", "action": "flag"}]},
        "fallback": {"chains": {"*": {"steps": [{"provider": "sim"}, {"provider": "human"}]}}},
    }, providers={"human": {"type": "human", "options": {"message": "Ticket {ticket_id} opened."}}})
    proxy = await start_proxy(cfg)
    try:
        sim.set_fault("503")
        raw = await openai_client(proxy.url).chat.completions.with_raw_response.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "my order 4471 is broken"}])
        assert raw.headers["x-bulwark-provider"] == "human"
        assert "x-bulwark-validation" not in raw.headers
    finally:
        sim.set_fault(None)
        await proxy.aclose()
