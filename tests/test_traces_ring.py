"""The ring of recent traces (`/admin/traces`): recorded with no collector configured, one
record per request with its plugin layers and every upstream attempt from the ledger (cause,
provider, model, status, tokens, cost, timings), bounded by its configured sizes, and the same
trace id as the OTLP spans when tracing is on."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import openai
import pytest

from tests.helpers import base_config, openai_client, start_proxy, start_simulator
from tests.otlp_receiver import Receiver
from tests.shipped import shipped_config

ADMIN = "ring-admin-key"
MSG = [{"role": "user", "content": "Say hi"}]


@pytest.fixture(autouse=True)
def admin_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULWARK_ADMIN_KEY", ADMIN)


async def get(base: str, path: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as s:
        async with s.get(base + path, headers={"x-admin-key": ADMIN}) as r:
            return r.status, await r.json()


def check_timings(t: dict[str, Any]) -> None:
    """Every bar of the waterfall lies inside the request, in order."""
    for layer in t["layers"]:
        assert 0 <= layer["start_ms"] <= layer["end_ms"] <= t["duration_ms"], layer
    for a in t["attempts"]:
        assert 0 <= a["start_ms"] <= a["end_ms"] <= t["duration_ms"] + 0.01, a
        if a["first_byte_ms"] is not None:
            assert a["start_ms"] <= a["first_byte_ms"] <= a["end_ms"]
    starts = [a["start_ms"] for a in t["attempts"]]
    assert starts == sorted(starts)


async def test_shipped_chain_fallback_is_one_trace_with_every_attempt(tmp_path: Path) -> None:
    """The shipped config (tracing off, no collector): gpt-4's chain fails on sim (503, retried)
    and is answered by claude; the ring holds the whole story."""
    good, flaky = await start_simulator(), await start_simulator(fault="503")
    cfg = shipped_config(good, tmp_path)
    cfg["providers"]["sim"]["base_url"] = flaky.url
    assert cfg["telemetry"]["tracing"]["enabled"] is False
    proxy = await start_proxy(cfg)
    try:
        raw = await openai_client(proxy.url).chat.completions.with_raw_response.create(model="gpt-4", messages=MSG)
        rid = raw.headers["x-bulwark-request-id"]
        status, t = await get(proxy.base, f"/admin/traces/{rid}")
        assert status == 200 and t["request_id"] == rid and t["trace_id"] is None
        assert t["status"] == 200 and t["outcome"] == "ok" and t["model"] == "gpt-4" and t["key"] == "test"
        assert t["served_by"] == "claude" and t["fell_back"] is True
        # the plugin layers of the shipped chain, outermost first, nested
        names = [layer["name"] for layer in t["layers"]]
        assert names == ["ratelimit", "cache", "budgets", "prune", "validate", "fallback"], names
        assert [layer["depth"] for layer in t["layers"]] == list(range(6))
        # every upstream attempt, from the ledger
        causes = [(a["cause"], a["provider"], a["status"]) for a in t["attempts"]]
        assert causes[0] == ("first", "sim", 503) and causes[-1] == ("fallback", "claude", 200), causes
        assert all(p == "sim" and s == 503 for _, p, s in causes[:-1])
        last = t["attempts"][-1]
        assert last["model"] == "claude-3-5-haiku-latest" and last["input_tokens"] > 0 and last["output_tokens"] > 0
        assert last["cost_usd"] > 0 and t["cost_usd"] == pytest.approx(sum(a["cost_usd"] for a in t["attempts"]))
        assert t["input_tokens"] == last["input_tokens"] and last["upstream_request_id"]
        assert t["attempts"][0]["failover_reason"] and t["attempts"][0]["cost_usd"] == 0
        assert "fallback" in t["decisions"] and "budgets" in t["decisions"]
        check_timings(t)
        # the upstream's request id (x-request-id) finds it too
        status, again = await get(proxy.base, f"/admin/traces/{raw.headers['x-request-id']}")
        assert status == 200 and again["request_id"] == rid
        # failed or fallen-back requests are kept apart as well
        status, notable = await get(proxy.base, "/admin/traces?notable=1")
        assert status == 200 and [x["request_id"] for x in notable["data"]] == [rid]
    finally:
        await proxy.aclose()
        await good.aclose()
        await flaky.aclose()


async def test_streamed_request_has_first_byte_times(sim: Any) -> None:
    proxy = await start_proxy(base_config(sim.url))
    try:
        stream = await openai_client(proxy.url).chat.completions.create(model="gpt-4o-mini", messages=MSG, stream=True,
                                                                          stream_options={"include_usage": True})
        async for _ in stream:
            pass
        for _ in range(50):  # the record is written when the handler finishes, just after the last byte
            status, listing = await get(proxy.base, "/admin/traces?limit=5")
            if listing["data"]:
                break
            await asyncio.sleep(0.02)
        assert status == 200 and listing["scope"] == "this process"
        t = listing["data"][0]
        assert t["first_byte_ms"] is not None and 0 < t["first_byte_ms"] <= t["duration_ms"]
        a = t["attempts"][0]
        assert a["cause"] == "first" and a["first_byte_ms"] is not None and a["usage_exact"] is True
        assert t["layers"] == []  # no plugins in this chain
        check_timings(t)
    finally:
        await proxy.aclose()


async def test_ring_is_bounded_and_keeps_failures_apart(sim: Any) -> None:
    proxy = await start_proxy(base_config(sim.url, telemetry={"recent_traces": {"size": 5, "notable_size": 2}}))
    try:
        client = openai_client(proxy.url)
        bad = openai_client(proxy.url, key="sk-wrong")
        ids = []
        for i in range(12):
            if i in (1, 2, 3):
                with pytest.raises(openai.AuthenticationError):
                    await bad.chat.completions.create(model="gpt-4o-mini", messages=MSG)
                continue
            raw = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MSG)
            ids.append(raw.headers["x-bulwark-request-id"])
        status, listing = await get(proxy.base, "/admin/traces?limit=100")
        assert [t["request_id"] for t in listing["data"]] == ids[::-1][:5]  # newest first, 5 kept
        ring = proxy.state.current.telemetry.ring
        assert ring.recorded == 12 and len(ring.recent) == 5
        status, notable = await get(proxy.base, "/admin/traces?notable=1")
        assert [t["status"] for t in notable["data"]] == [401, 401]  # the last 2 of 3 failures, kept past the 5
        assert notable["data"][0]["error_type"] == "invalid_api_key" and notable["data"][0]["attempts"] == []
        status, err = await get(proxy.base, "/admin/traces/req_nope")
        assert status == 404 and err["error"]["code"] == "not_found" and "last 5 requests" in err["error"]["message"]
    finally:
        await proxy.aclose()


async def test_ring_off_and_its_trace_id_matches_the_otlp_spans(sim: Any) -> None:
    proxy = await start_proxy(base_config(sim.url, telemetry={"recent_traces": {"enabled": False}}))
    try:
        await openai_client(proxy.url).chat.completions.create(model="gpt-4o-mini", messages=MSG)
        status, err = await get(proxy.base, "/admin/traces")
        assert status == 404 and "recent_traces.enabled = false" in err["error"]["message"]
        assert proxy.state.current.telemetry.ring is None
    finally:
        await proxy.aclose()
    receiver = await Receiver().start()
    proxy = await start_proxy(base_config(sim.url, plugins=["example"], telemetry={
        "tracing": {"enabled": True, "exporter": "otlp_http", "endpoint": receiver.endpoint, "schedule_delay_ms": 50}}))
    try:
        raw = await openai_client(proxy.url).chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MSG)
        status, t = await get(proxy.base, "/admin/traces/" + raw.headers["x-bulwark-request-id"])
        await asyncio.to_thread(proxy.state.current.telemetry.force_flush)
        server = await receiver.wait_for(lambda span: span.kind == "SERVER")
        assert status == 200 and t["trace_id"] and [s.trace_id for s in server] == [t["trace_id"]]
        assert {s.trace_id for s in receiver.spans} == {t["trace_id"]}  # plugin and CLIENT spans too
        assert [layer["name"] for layer in t["layers"]] == ["example"]
    finally:
        await proxy.aclose()
        await receiver.aclose()


async def test_unsampled_trace_names_no_trace_id(sim: Any) -> None:
    """sample_ratio 0: the ring still records, but names no trace id the collector never got."""
    proxy = await start_proxy(base_config(sim.url, telemetry={"tracing": {"enabled": True, "exporter": "memory", "sample_ratio": 0.0}}))
    try:
        raw = await openai_client(proxy.url).chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MSG)
        status, t = await get(proxy.base, "/admin/traces/" + raw.headers["x-bulwark-request-id"])
        assert status == 200 and t["trace_id"] is None and t["attempts"][0]["status"] == 200
        assert proxy.state.current.telemetry.exporter == []  # nothing exported
    finally:
        await proxy.aclose()
