"""Metrics, the five production metrics over rolling windows, feedback, the cost stack and
its CLI, the alert rules, and the `[telemetry]` config errors."""
from __future__ import annotations

import asyncio
import os
import re
import sys
import time
import types
from pathlib import Path
from typing import Any

import aiohttp
import openai
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from proxy.context import RequestContext, Verdict
from proxy.errors import ConfigError
from proxy.metrics import METRICS
from proxy.observability.config import StatsConfig, TargetsConfig, parse_telemetry
from proxy.observability.stats import Stats, p95
from proxy.plugin import Next, Plugin
from proxy.pricing import default_pricing
from proxy.response import ProxyResponse
from proxy.state.memory import MemoryState
from tests.helpers import base_config, openai_client, start_proxy

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "obs-admin-key"
MSG = [{"role": "user", "content": "Tell me something short"}]


class FakeValidate(Plugin):
    """Test-only: records what the validation plugin records, driven by a request header."""

    name = "obs_test_validate"

    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        resp = await call_next(ctx)
        flag = ctx.headers.get("x-test-grounding")
        if flag is not None:
            ctx.verdict = Verdict(validated=True, grounding_failed=flag == "fail")
        return resp


_mod = types.ModuleType("plugins.obs_test_validate")
_mod.FakeValidate = FakeValidate  # type: ignore[attr-defined]
sys.modules["plugins.obs_test_validate"] = _mod


@pytest.fixture(autouse=True)
def admin_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULWARK_ADMIN_KEY", ADMIN)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def val(snap: dict[Any, float], name: str, **labels: str) -> float:
    return snap.get((name, tuple(sorted(labels.items()))), 0.0)


def total(snap: dict[Any, float], name: str, **labels: str) -> float:
    """Sum over every series of `name` whose labels include `labels`."""
    return sum(v for (n, ls), v in snap.items() if n == name and all((k, w) in ls for k, w in labels.items()))


async def scrape(session: aiohttp.ClientSession, base: str) -> dict[Any, float]:
    async with session.get(base + "/metrics") as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain")
        return samples(await r.text())


async def admin_json(session: aiohttp.ClientSession, base: str, path: str) -> Any:
    async with session.get(f"{base}/admin/{path}", headers={"Authorization": f"Bearer {ADMIN}"}) as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def test_metrics_match_traffic(sim: Any) -> None:
    cfg = base_config(sim.url, models={"allow": ["gpt-4o", "gpt-4o-mini"]})
    proxy = await start_proxy(cfg)
    client = openai_client(proxy.url)
    try:
        async with aiohttp.ClientSession() as http:
            await client.chat.completions.create(model="gpt-4o-mini", messages=MSG)  # warm the simulator
            before = await scrape(http, proxy.base)
            prompt = completion = 0
            for _ in range(3):
                r = await client.chat.completions.create(model="gpt-4o", messages=MSG)
                prompt += r.usage.prompt_tokens
                completion += r.usage.completion_tokens
            for _ in range(2):
                s = await client.chat.completions.create(model="gpt-4o", messages=MSG, stream=True, stream_options={"include_usage": True})
                async for ch in s:
                    if ch.usage:
                        prompt += ch.usage.prompt_tokens
                        completion += ch.usage.completion_tokens
            with pytest.raises(openai.NotFoundError):
                await client.chat.completions.create(model="gpt-nope", messages=MSG)
            after = await scrape(http, proxy.base)

        def d(name: str, **labels: str) -> float:
            return val(after, name, **labels) - val(before, name, **labels)

        assert d("bulwark_requests_total", route="chat", model="gpt-4o", provider="sim", outcome="ok") == 5
        assert total(after, "bulwark_requests_total", route="chat", outcome="rejected") - total(before, "bulwark_requests_total", route="chat", outcome="rejected") == 1
        assert d("bulwark_request_duration_seconds_count", route="chat", outcome="ok") == 5
        assert d("bulwark_request_duration_seconds_count", route="chat", outcome="rejected") == 1
        assert d("bulwark_request_duration_seconds_bucket", route="chat", outcome="ok", le="+Inf") == 5
        assert d("bulwark_overhead_duration_seconds_count", route="chat") == 6
        assert d("bulwark_upstream_duration_seconds_count", provider="sim") == 5
        assert d("bulwark_time_to_first_token_seconds_count", provider="sim") == 2
        assert d("bulwark_tokens_total", model="gpt-4o", direction="input") == prompt
        assert d("bulwark_tokens_total", model="gpt-4o", direction="output") == completion
        expected_cost = default_pricing().cost("gpt-4o", prompt, completion)
        assert d("bulwark_cost_usd_total", category="base", model="gpt-4o") == pytest.approx(expected_cost, rel=1e-6)
        assert val(after, "bulwark_inflight_requests") == 0
        assert val(after, "bulwark_state_up") == 1
        # the OTel GenAI metrics (Prometheus spelling), one observation per upstream call
        genai = {"gen_ai_operation_name": "chat", "gen_ai_provider_name": "openai", "gen_ai_request_model": "gpt-4o"}
        assert d("gen_ai_client_operation_duration_seconds_count", **genai, error_type="", server_address="127.0.0.1") == 5
        assert d("gen_ai_client_operation_duration_seconds_bucket", **genai, error_type="", server_address="127.0.0.1", le="81.92") == 5

        def dt(name: str, **labels: str) -> float:
            return total(after, name, **labels) - total(before, name, **labels)

        assert dt("gen_ai_client_token_usage_sum", **genai, gen_ai_token_type="input") == prompt
        assert dt("gen_ai_client_token_usage_sum", **genai, gen_ai_token_type="output") == completion
        assert dt("gen_ai_client_token_usage_count", **genai, gen_ai_token_type="output") == 5
        assert dt("gen_ai_client_token_usage_bucket", **genai, gen_ai_token_type="input", le="6.7108864e+07") == 5
        assert dt("gen_ai_client_token_usage_bucket", **genai, gen_ai_token_type="input", le="1.0") == 0
        assert d("gen_ai_server_time_to_first_token_seconds_count", **genai) == 2  # the two streams
        assert d("gen_ai_server_time_to_first_token_seconds_bucket", **genai, le="10.0") == 2
        assert ("gen_ai_server_time_to_first_token_seconds_bucket", tuple(sorted({**genai, "le": "0.001"}.items()))) in after
        # every declared metric family is exposed with its declared labels
        names = {n for (n, _) in after}
        for name, (kind, _, labels) in METRICS.items():
            if kind == "histogram":
                assert name + "_count" in names or not labels, name
    finally:
        await client.close()
        await proxy.aclose()


async def test_model_labels_only_configured_or_known_models(sim: Any, tmp_path: Path) -> None:
    """60 junk model names must neither get their own series nor push real models into `other`."""
    import tomllib

    from tests.shipped import SHIPPED, shipped_config

    keys = tomllib.loads(SHIPPED.read_text())["auth"]["keys"]  # the generous demo key: no 429s here
    proxy = await start_proxy(shipped_config(sim, tmp_path, keys=keys))
    client = openai_client(proxy.url, key="sk-bulwark-demo")
    try:
        async with aiohttp.ClientSession() as http:
            before = await scrape(http, proxy.base)
            for i in range(60):  # distinct prompts: this is about labels, not the abuse score of a repeated prompt
                await client.chat.completions.create(model=f"junk-model-{i}", messages=[{"role": "user", "content": f"Say {i}"}])
            real = {"gpt-4": "gpt-4", "gpt-4o-mini": "gpt-4o-mini", "gpt-4o-2024-08-06": "gpt-4o", "llama-3": "llama-3",
                    "openai/gpt-4.1-mini": "gpt-4.1-mini", "claude-3-5-haiku-latest": "claude-3-5-haiku-latest"}
            for model in real:
                await client.chat.completions.create(model=model, messages=[{"role": "user", "content": f"Name {model}"}])
            after = await scrape(http, proxy.base)

        def d(**labels: str) -> float:
            return total(after, "bulwark_requests_total", route="chat", **labels) - total(before, "bulwark_requests_total", route="chat", **labels)

        assert d(model="other") == 60
        for label in real.values():
            assert d(model=label) == 1, label
        labels = {dict(ls).get("model") for (n, ls), _ in after.items()} | {dict(ls).get("gen_ai_request_model") for (n, ls), _ in after.items()}
        assert not any(str(x).startswith("junk-model") for x in labels)
    finally:
        await proxy.aclose()


def test_model_labels_from_the_config() -> None:
    from proxy.config import parse_config
    from proxy.observability.labels import ModelLabels
    from proxy.pricing import Pricing

    cfg = parse_config({
        "providers": {"a": {"type": "openai", "base_url": "http://127.0.0.1:9/v1", "model_map": {"gpt-4": "my-gpt4-deploy"}}},
        "models": {"allow": ["house-model"], "routes": {"alias-x": {"provider": "a", "model": "upstream-x"}}},
        "pricing": {"models": {"my-finetune": {"input": 1, "output": 2}}},
        "plugins": {"fallback": {"chains": {"chain-key": {"steps": [{"provider": "a", "model": "step-model"}]}}},
                    "validate": {"overrides": [{"models": ["*-mini"]}], "validators": [{"type": "judge", "model": "judge-model"}]},
                    "ratelimit": {"models": {"limited-model": {"rpm": 1}}}},
    })
    labels = ModelLabels(cfg, Pricing(cfg.pricing))
    for name in ("house-model", "alias-x", "upstream-x", "gpt-4", "my-gpt4-deploy", "my-finetune", "chain-key", "step-model",
                 "judge-model", "limited-model", "gpt-4o"):
        assert labels(name) == name, name
    assert labels("GPT-4o-2024-11-20") == "gpt-4o" and labels("anthropic/claude-3-5-sonnet-20241022") == "claude-3-5-sonnet"
    assert labels("*-mini") == "other" and labels("gpt-4o-junk") == "other" and labels("x" * 500) == "other"
    assert labels(None) == "none" and labels("") == "none"
    for i in range(10_000):
        labels(f"junk-{i}")
    assert len(labels._memo) <= 4096  # junk names do not grow memory either


async def test_stats_windows_and_five_metrics() -> None:
    st = Stats(MemoryState(), StatsConfig(), TargetsConfig())
    now = time.time()
    # now: 3 answers (one slow), 1 validated and failing grounding, 1 fallback, feedback 5 and 3
    st.add({"req": 1, "ok": 1, "lat:1": 1, "cost": 0.01, "val": 1, "hal": 1}, now)
    st.add({"req": 1, "ok": 1, "lat:2": 1, "cost": 0.02, "fb": 1, "fbr:http_503": 1}, now)
    st.add({"req": 1, "ok": 1, "lat:10": 1, "cost": 0.03}, now)
    st.add({"fbk_n": 2, "fbk_sum": 8}, now)
    # 30 minutes ago: 10 fast answers, 10 validated fine
    for _ in range(10):
        st.add({"req": 1, "ok": 1, "lat:0": 1, "val": 1, "cost": 0.001}, now - 1800)
    # 5 hours ago: 20 rejected requests
    st.add({"req": 20, "rej": 20}, now - 5 * 3600)
    snap = await st.snapshot(now)
    w5, w1, w24 = snap["windows"]["5m"], snap["windows"]["1h"], snap["windows"]["24h"]
    assert (w5["requests"], w1["requests"], w24["requests"]) == (3, 13, 33)
    assert (w5["successful"], w1["successful"], w24["successful"]) == (3, 13, 13)
    assert w24["rejected"] == 20
    # p95 of (0.1, 0.25, 4.0]: in the (3, 4] bucket, above the 3 s target
    assert 3.0 < w5["p95_seconds"] <= 4.0 and w5["status"]["p95"] == "breach"
    assert w1["p95_seconds"] <= 4.0
    assert w5["hallucination_rate"] == 1.0 and w5["status"]["hallucination_rate"] == "breach"
    assert w1["hallucination_rate"] == pytest.approx(1 / 11, abs=1e-6)
    assert w5["fallback_rate"] == pytest.approx(1 / 3, abs=1e-6) and w5["fallback_reasons"] == {"http_503": 1}
    assert w24["fallback_rate"] == pytest.approx(1 / 13, abs=1e-6)  # refused requests are not in the denominator
    assert w5["cost_per_successful_message_usd"] == pytest.approx(0.02)
    assert w1["cost_per_successful_message_usd"] == pytest.approx(0.07 / 13)
    assert w5["satisfaction"] == 4.0 and w5["status"]["satisfaction"] == "breach"
    assert snap["series"]["requests"][-1] == 3 and sum(snap["series"]["requests"]) == 13
    assert len(snap["series"]["requests"]) == 36 and snap["series"]["step_seconds"] == 300
    empty = (await Stats(MemoryState(), StatsConfig(), TargetsConfig()).snapshot(now))["windows"]["5m"]
    assert empty["p95_seconds"] is None and empty["status"]["p95"] == "no_data"


def test_p95_interpolation() -> None:
    h = {"lat:0": 95.0, "lat:19": 5.0}  # 95 under 50 ms, 5 beyond the last bound
    assert p95(h) == pytest.approx(0.05)
    assert p95({"lat:9": 100.0}) == pytest.approx(2.5 + 0.5 * 0.95)


async def test_stats_aggregate_across_replicas_in_redis(redis_url: str, unique_prefix: str) -> None:
    from proxy.state.redis import RedisState

    a, b = RedisState(redis_url, unique_prefix), RedisState(redis_url, unique_prefix)
    try:
        sa, sb = Stats(a, StatsConfig(), TargetsConfig()), Stats(b, StatsConfig(), TargetsConfig())
        now = time.time()
        sa.add({"req": 2, "ok": 2, "lat:0": 2, "cost": 0.5}, now)
        sb.add({"req": 3, "ok": 2, "err": 1, "lat:3": 3, "cost": 0.25, "fb": 1, "fbr:timeout": 1}, now)
        sa.add_day("c:base", 0.5, now)
        sb.add_day("c:fallback", 0.25, now)
        await sb.flush()
        snap = await sa.snapshot(now)  # flushes sa, then reads what both replicas wrote
        w = snap["windows"]["5m"]
        assert (w["requests"], w["successful"], w["errors"], w["fallbacks"]) == (5, 4, 1, 1)
        assert w["cost_per_successful_message_usd"] == pytest.approx(0.75 / 4)
        days = await sb.cost_days(1, now)
        assert days[0]["spend_usd"]["base"] == pytest.approx(0.5) and days[0]["spend_usd"]["fallback"] == pytest.approx(0.25)
        keys = await a.scan("{obs}*")
        assert keys and all(k.startswith("{obs}") for k in keys)
        await a.delete(*keys)
    finally:
        await a.aclose()
        await b.aclose()


async def test_feedback_and_satisfaction(sim: Any) -> None:
    proxy = await start_proxy(base_config(sim.url))
    client = openai_client(proxy.url)
    try:
        raw = await client.chat.completions.with_raw_response.create(model="gpt-4o", messages=MSG)
        completion = raw.parse()
        seen_request_id = raw.headers["x-request-id"]
        async with aiohttp.ClientSession() as http:
            async def post(body: Any, key: str = "sk-test") -> tuple[int, Any]:
                async with http.post(proxy.url + "/feedback", json=body, headers={"Authorization": f"Bearer {key}"}) as r:
                    return r.status, await r.json()

            before = await scrape(http, proxy.base)
            # bad rating, bad id format, missing id: 400 OpenAI-shaped
            for body, param in [({"id": completion.id, "rating": 6}, "rating"), ({"id": completion.id, "rating": "5"}, "rating"),
                                ({"id": completion.id, "rating": True}, "rating"), ({"id": "../etc", "rating": 4}, "id"),
                                ({"rating": 4}, "id")]:
                status, err = await post(body)
                assert status == 400 and err["error"]["param"] == param and err["error"]["type"] == "invalid_request_error", (body, err)
            # no client key: 401 like any /v1 call
            async with http.post(proxy.url + "/feedback", json={"id": completion.id, "rating": 5}) as r:
                assert r.status == 401
            # well-formed but unknown id, or another key's answer: 404
            assert (await post({"id": "chatcmpl-doesnotexist", "rating": 5}))[0] == 404
            assert (await post({"id": completion.id, "rating": 5}, key="sk-trusted"))[0] == 404
            # the completion id and the x-request-id the client saw both work
            status, ok = await post({"id": completion.id, "rating": 5, "comment": "great"})
            assert status == 200 and ok["rating"] == 5 and ok["updated"] is False
            request_id = ok["request_id"]
            status, ok2 = await post({"id": seen_request_id, "rating": 3})
            assert status == 200 and ok2["request_id"] == request_id and ok2["updated"] is True
            stats = await admin_json(http, proxy.base, "stats")
            w = stats["windows"]["5m"]
            assert w["feedback_count"] == 1 and w["satisfaction"] == 3.0  # the second rating replaced the first
            after = await scrape(http, proxy.base)
            assert val(after, "bulwark_feedback_rating_count") - val(before, "bulwark_feedback_rating_count") == 1
            rec = await proxy.services.state.get("{obs}:fb:" + request_id)
            assert b'"comment":null' in rec and b'"rating":3' in rec
    finally:
        await client.close()
        await proxy.aclose()


async def test_stats_endpoint_under_traffic(sim: Any, tmp_path: Path) -> None:
    cfg = base_config(sim.url, plugins=["obs_test_validate"], state={"data_dir": str(tmp_path)})
    proxy = await start_proxy(cfg)
    client = openai_client(proxy.url)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(proxy.base + "/admin/stats") as r:
                assert r.status == 401
            for flag in ("pass", "pass", "fail"):
                await client.chat.completions.create(model="gpt-4o", messages=MSG, extra_headers={"x-test-grounding": flag})
            await client.chat.completions.create(model="gpt-4o", messages=MSG)
            proxy.services.metrics.inc("bulwark_cost_usd_total", 0.125, category="judge", model="gpt-4o-mini")
            proxy.services.metrics.inc("bulwark_saved_usd_total", 0.5, reason="pruning")
            stats = await admin_json(http, proxy.base, "stats")
            w = stats["windows"]["5m"]
            assert w["requests"] == 4 and w["successful"] == 4
            assert w["validated"] == 3 and w["grounding_failed"] == 1
            assert w["hallucination_rate"] == pytest.approx(1 / 3, abs=1e-6)
            assert w["fallbacks"] == 0 and w["fallback_rate"] == 0.0 and w["status"]["fallback_rate"] == "ok"
            assert w["p95_seconds"] is not None and w["status"]["p95"] == "ok"
            assert w["cost_per_successful_message_usd"] > 0
            today = stats["costs"][0]
            assert today["spend_usd"]["judge"] == pytest.approx(0.125)
            assert today["spend_usd"]["base"] == pytest.approx(w["cost_usd"])
            assert today["saved_usd"]["pruning"] == pytest.approx(0.5)
            assert stats["breakers"] == {"sim": "closed"}
            assert stats["review_open"] == 0 and stats["tickets_open"] == 0
            assert stats["targets"]["p95_seconds"] == 3.0
            costs = await admin_json(http, proxy.base, "costs?days=3")
            assert len(costs["days"]) == 3 and costs["days"][0]["spend_usd"]["judge"] == pytest.approx(0.125)
    finally:
        await client.close()
        await proxy.aclose()


async def test_costs_cli_memory_and_redis(sim: Any, tmp_path: Path, redis_url: str, unique_prefix: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from proxy.cli import main

    for backend in ("memory", "redis"):
        state = {"backend": backend, "data_dir": str(tmp_path / "var"), "redis_url": redis_url, "key_prefix": unique_prefix}
        proxy = await start_proxy(base_config(sim.url, state=state))
        client = openai_client(proxy.url)
        try:
            await client.chat.completions.create(model="gpt-4o", messages=MSG)
            proxy.services.metrics.inc("bulwark_cost_usd_total", 0.25, category="regeneration", model="gpt-4o")
            proxy.services.metrics.inc("bulwark_saved_usd_total", 0.75, reason="cache")
        finally:
            await client.close()
            await proxy.aclose()  # the final flush writes the day's stack
        toml = tmp_path / f"{backend}.toml"
        toml.write_text(
            f'[providers.sim]\ntype = "openai"\nbase_url = "{sim.url}"\n'
            f'[state]\nbackend = "{backend}"\ndata_dir = "{tmp_path / "var"}"\nredis_url = "{redis_url}"\nkey_prefix = "{unique_prefix}"\n'
        )
        capsys.readouterr()
        assert await asyncio.to_thread(main, ["costs", "--config", str(toml), "--days", "2"]) == 0
        out = capsys.readouterr().out
        lines = out.splitlines()
        assert lines[0].split()[:8] == ["date", "base", "retry", "fallback", "continuation", "regeneration", "judge", "summary"]
        today = lines[2].split()
        head = lines[0].split()
        assert float(today[1]) > 0 and float(today[head.index("regeneration")]) == 0.25, out  # base spend, regeneration
        assert float(today[head.index("saved:cache")]) == 0.75 and today[head.index("answers")] == "1"
        assert await asyncio.to_thread(main, ["costs", "--config", str(toml), "--json"]) == 0
        assert '"regeneration": 0.25' in capsys.readouterr().out
    from proxy.state.redis import RedisState

    r = RedisState(redis_url, unique_prefix)
    try:
        keys = await r.scan("*")
        if keys:
            await r.delete(*keys)
    finally:
        await r.aclose()


def test_alert_rules_parse_with_runbooks() -> None:
    doc = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yaml").read_text())
    rules = [r for g in doc["groups"] for r in g["rules"]]
    names = {r["alert"] for r in rules}
    assert {"BulwarkP95LatencyHigh", "BulwarkHallucinationRateHigh", "BulwarkFallbackRateHigh", "BulwarkCostPerMessageRising",
            "BulwarkSatisfactionLow", "BulwarkSilent", "BulwarkAllBreakersOpen", "BulwarkRedisUnreachable"} <= names
    known = set(METRICS) | {"up"}
    for r in rules:
        assert r["annotations"]["runbook"].strip() and r["annotations"]["summary"].strip(), r["alert"]
        assert r["expr"].count("(") == r["expr"].count(")"), r["alert"]
        for metric in re.findall(r"\b(bulwark_[a-z_]+|up)\{", r["expr"]) + re.findall(r"\((bulwark_[a-z_]+)\)", r["expr"]):
            base = re.sub(r"_(bucket|sum|count)$", "", metric)
            assert metric in known or base in known, (r["alert"], metric)


def test_telemetry_config_errors_name_key_paths() -> None:
    with pytest.raises(ConfigError, match=r"telemetry\.tracing\.sample_ratio"):
        parse_telemetry({"tracing": {"sample_ratio": 2}})
    with pytest.raises(ConfigError, match=r"telemetry\.tracing\.exporter"):
        parse_telemetry({"tracing": {"exporter": "zipkin"}})
    with pytest.raises(ConfigError, match=r"telemetry\.targets\.p95_secs: unknown setting"):
        parse_telemetry({"targets": {"p95_secs": 2}})
    cfg = parse_telemetry({"tracing": {"enabled": True}, "targets": {"p95_seconds": 2.5}})
    assert cfg.tracing.enabled and cfg.targets.p95_seconds == 2.5 and cfg.tracing.record_content is False


async def test_bad_telemetry_section_refuses_to_start(sim: Any) -> None:
    with pytest.raises(ConfigError, match=r"telemetry\.stats\.flush_seconds"):
        await start_proxy(base_config(sim.url, telemetry={"stats": {"flush_seconds": 0}}))


def test_multiprocess_mode_aggregates_workers(tmp_path: Path) -> None:
    """Two worker processes with PROMETHEUS_MULTIPROC_DIR: one scrape sums both."""
    import subprocess

    code = (
        "import sys; from proxy.observability.prometheus import PrometheusMetrics, exposition;"
        "m = PrometheusMetrics(); m.inc('bulwark_requests_total', 2, route='chat', model='m', provider='p', outcome='ok');"
        "m.set('bulwark_inflight_requests', 3);"
        "sys.stdout.write(exposition().decode()) if sys.argv[1] == 'scrape' else None"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code, "no"], env=env, check=True, cwd=ROOT)
    out = subprocess.run([sys.executable, "-c", code, "scrape"], env=env, check=True, cwd=ROOT, capture_output=True, text=True).stdout
    snap = samples(out)
    assert val(snap, "bulwark_requests_total", route="chat", model="m", provider="p", outcome="ok") == 4


def test_fallback_detection() -> None:
    from proxy.ledger import Cause, Ledger
    from proxy.observability.core import fallback_info

    def ledger(*attempts: tuple[str, Cause | None, int | None, str | None, str | None]) -> Ledger:
        led = Ledger()
        for provider, cause, status, error, reason in attempts:
            a = led.begin(provider, "openai", "m", cause=cause)
            a.failover_reason = reason
            a.end(status=status, error=error)
        return led

    ok = ("a", None, 200, None, None)
    assert fallback_info(ledger(ok)) == (False, "")
    # same provider twice (a validation regeneration) is not a fallback
    assert fallback_info(ledger(ok, ("a", Cause.REGENERATION, 200, None, None))) == (False, "")
    # another provider answered after a failure: the first failure names the reason
    assert fallback_info(ledger(("a", None, 503, None, None), ("b", Cause.FALLBACK, 200, None, None))) == (True, "http_503")
    # the fallback plugin's own reason (on the failed attempt) wins
    assert fallback_info(ledger(("a", None, None, "timeout", "first_byte_timeout"), ("b", Cause.FALLBACK, 200, None, None))) == (True, "first_byte_timeout")
    # a rule-based tier answered after a failure
    assert fallback_info(ledger(("a", None, 429, "rate_limited", None)), served_kind="rules") == (True, "rate_limited")
    # a judge call to another provider is not a fallback
    assert fallback_info(ledger(ok, ("j", Cause.JUDGE, 200, None, None))) == (False, "")


def test_decision_attributes() -> None:
    from proxy.observability.core import decision_attributes

    attrs = decision_attributes({
        "ratelimit": {"risk": "suspicious", "score": 12.5, "multiplier": 0.5},
        "prune": {"before": 9000, "after": 4000, "dropped": 7},
        "validate": {"grounding_failed": True, "issues": ["number 42 not in context"], "regenerations": 1},
        "fallback": {"fallbacks": 1, "chain": ["a", "b"], "detail": {"nested": [1, 2]}},
    })
    assert attrs["bulwark.ratelimit.risk"] == "suspicious" and attrs["bulwark.ratelimit.score"] == 12.5
    assert attrs["bulwark.prune.tokens_removed"] == 5000
    assert attrs["bulwark.validate.issues"] == ["number 42 not in context"] and attrs["bulwark.validate.grounding_failed"] is True
    assert attrs["bulwark.fallback.chain"] == ["a", "b"] and attrs["bulwark.fallback.detail"] == '{"nested":[1,2]}'


async def test_redis_down_stats_fail_open_and_state_up_gauge(sim: Any, tmp_path: Path) -> None:
    from tests.helpers import free_port

    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    cfg = base_config(sim.url, state={"backend": "redis", "redis_url": dead, "timeout_ms": 50, "on_failure": "fail_open",
                                      "data_dir": str(tmp_path)})
    proxy = await start_proxy(cfg)
    client = openai_client(proxy.url)
    try:
        await client.chat.completions.create(model="gpt-4o", messages=MSG)
        async with aiohttp.ClientSession() as http:
            stats = await admin_json(http, proxy.base, "stats")  # served from the local fallback state
            assert stats["windows"]["5m"]["successful"] == 1
            snap = await scrape(http, proxy.base)
            assert val(snap, "bulwark_state_up") == 0
            assert total(snap, "bulwark_redis_errors_total") >= 1
    finally:
        await client.close()
        await proxy.aclose()
