"""End-to-end: the official OpenAI SDK -> Bulwark -> the simulated provider, on loopback."""
from __future__ import annotations

import asyncio
import base64
import struct

import aiohttp
import openai
import orjson
import pytest

from tests.helpers import base_config, free_port, openai_client, start_proxy, start_simulator

MSGS = [{"role": "user", "content": "Tell me about the harbour at dawn."}]


@pytest.fixture
async def proxy(sim):
    p = await start_proxy(base_config(sim.url))
    try:
        yield p
    finally:
        await p.aclose()


async def test_plain_chat_matches_direct_and_keeps_headers(sim, proxy):
    direct = await openai_client(sim.url, key="x").chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MSGS)
    via = await openai_client(proxy.url).chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MSGS)
    d, v = direct.parse(), via.parse()
    assert v.choices[0].message.content == d.choices[0].message.content
    assert v.usage == d.usage
    # Upstream headers survive; x-request-id is the upstream's.
    assert via.headers["x-request-id"] == sim_last_header(sim, "x-request-id", via)
    assert via.headers["openai-version"] == "2020-10-01"
    assert "x-ratelimit-remaining-requests" in via.headers
    assert via.headers["x-bulwark-provider"] == "sim"


def sim_last_header(sim, name, via):
    # The simulator sets its own request id; Bulwark must relay it rather than invent one.
    rid = via.headers["x-request-id"]
    assert rid.startswith("req_")
    return rid


async def test_unchanged_request_reaches_upstream_byte_identical(sim, proxy):
    raw = b'{"model":"gpt-4o-mini",  "messages":[{"role":"user","content":"caf\\u00e9 \xe2\x98\x95"}], "temperature":0.30000}'
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/chat/completions", data=raw, headers={"Authorization": "Bearer sk-test", "Content-Type": "application/json"}) as r:
            assert r.status == 200
            body = await r.read()
    assert sim.requests[-1]["body"] == raw
    # The client's key never goes upstream in managed mode.
    assert "authorization" not in sim.requests[-1]["headers"] or "sk-test" not in sim.requests[-1]["headers"]["authorization"]
    assert orjson.loads(body)["object"] == "chat.completion"


async def test_response_body_is_relayed_unchanged(sim, proxy):
    async with aiohttp.ClientSession() as s:
        payload = {"model": "gpt-4o-mini", "messages": MSGS}
        async with s.post(f"{sim.url}/chat/completions", json=payload) as r:
            direct = orjson.loads(await r.read())
        async with s.post(f"{proxy.url}/chat/completions", json=payload, headers={"Authorization": "Bearer sk-test"}) as r:
            via = orjson.loads(await r.read())
    for d in (direct, via):
        d.pop("id"), d.pop("created")
    assert via == direct


async def test_stream_with_usage_identical_to_direct(sim, proxy):
    async def collect(url, key):
        stream = await openai_client(url, key=key).chat.completions.create(
            model="gpt-4o-mini", messages=MSGS, stream=True, stream_options={"include_usage": True})
        return [c async for c in stream]

    direct, via = await collect(sim.url, "x"), await collect(proxy.url, "sk-test")
    text = lambda cs: "".join(c.choices[0].delta.content or "" for c in cs if c.choices)
    assert text(via) == text(direct) and text(via)
    assert via[-1].choices == [] and via[-1].usage == direct[-1].usage
    assert len({c.id for c in via}) == 1


async def test_stream_events_relayed_byte_for_byte(sim, proxy):
    payload = {"model": "gpt-4o-mini", "messages": MSGS, "stream": True, "seed": 3}
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/chat/completions", json=payload, headers={"Authorization": "Bearer sk-test"}) as r:
            assert r.headers["Content-Type"].startswith("text/event-stream")
            via = await r.read()
    assert via.endswith(b"data: [DONE]\n\n")
    assert via.count(b"data: ") >= 3


async def test_tool_call_stream_keeps_index(sim, proxy):
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
             {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {"tz": {"type": "string"}}}}}]
    stream = await openai_client(proxy.url).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "call get_weather and call get_time"}], tools=tools, stream=True)
    calls: dict[int, dict] = {}
    finish = None
    async for c in stream:
        if not c.choices:
            continue
        for tc in c.choices[0].delta.tool_calls or []:
            slot = calls.setdefault(tc.index, {"name": None, "args": ""})
            if tc.function and tc.function.name:
                slot["name"] = tc.function.name
            if tc.function and tc.function.arguments:
                slot["args"] += tc.function.arguments
        finish = c.choices[0].finish_reason or finish
    assert sorted(calls) == [0, 1]
    assert {c["name"] for c in calls.values()} == {"get_weather", "get_time"}
    for c in calls.values():
        assert isinstance(orjson.loads(c["args"]), dict)
    assert finish == "tool_calls"


async def test_embeddings_base64_survives(sim, proxy):
    via = await openai_client(proxy.url).embeddings.create(model="text-embedding-3-small", input="hello")  # SDK asks base64
    direct = await openai_client(sim.url, key="x").embeddings.create(model="text-embedding-3-small", input="hello", encoding_format="float")
    assert via.data[0].embedding == pytest.approx(direct.data[0].embedding, rel=1e-6)
    assert orjson.loads(sim.requests[-2]["body"])["encoding_format"] == "base64"
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/embeddings", json={"model": "text-embedding-3-small", "input": "hello", "encoding_format": "base64"},
                          headers={"Authorization": "Bearer sk-test"}) as r:
            b64 = (await r.json())["data"][0]["embedding"]
    floats = struct.unpack(f"<{len(base64.b64decode(b64)) // 4}f", base64.b64decode(b64))
    assert list(floats) == pytest.approx(direct.data[0].embedding, rel=1e-6)


async def test_models_list_and_get(sim, proxy):
    client = openai_client(proxy.url)
    ids = [m.id async for m in client.models.list()]
    assert "gpt-4o-mini" in ids
    m = await client.models.retrieve("gpt-4o-mini")
    assert m.id == "gpt-4o-mini"


async def test_allow_list_routes_and_model_not_found(sim):
    cfg = base_config(sim.url, models={"allow": ["gpt-4o-mini"], "routes": {"house-model": {"provider": "sim", "model": "gpt-4o"}}})
    p = await start_proxy(cfg)
    try:
        client = openai_client(p.url)
        with pytest.raises(openai.NotFoundError) as ei:
            await client.chat.completions.create(model="gpt-3.5-turbo", messages=MSGS)
        assert ei.value.code == "model_not_found"
        ids = [m.id async for m in client.models.list()]
        assert "house-model" in ids and "gpt-3.5-turbo" not in ids
        r = await client.chat.completions.create(model="house-model", messages=MSGS)
        assert r.choices[0].message.content
        assert orjson.loads(sim.requests[-1]["body"])["model"] == "gpt-4o"  # rewritten for the route
    finally:
        await p.aclose()


@pytest.mark.parametrize("body,fragment", [(b"{not json", "parse"), (b"[1,2]", "must be a JSON object"), (b"", "parse")])
async def test_malformed_bodies_are_400(proxy, body, fragment):
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/chat/completions", data=body, headers={"Authorization": "Bearer sk-test"}) as r:
            assert r.status == 400
            err = (await r.json())["error"]
    assert set(err) == {"message", "type", "param", "code"}
    assert err["type"] == "invalid_request_error" and fragment in err["message"]


async def test_body_over_limit_is_413(sim):
    p = await start_proxy(base_config(sim.url, server={"max_body_bytes": 2048}))
    try:
        big = "x" * 5000
        with pytest.raises(openai.APIStatusError) as ei:
            await openai_client(p.url).chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": big}])
        assert ei.value.status_code == 413
        assert "max_body_bytes" in ei.value.message
    finally:
        await p.aclose()


async def test_auth_errors(proxy):
    with pytest.raises(openai.AuthenticationError) as ei:
        await openai_client(proxy.url, key="sk-wrong").chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    assert ei.value.code == "invalid_api_key"
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/chat/completions", json={"model": "m", "messages": MSGS}) as r:
            assert r.status == 401 and "x-request-id" in r.headers


async def test_upstream_unreachable_is_502():
    p = await start_proxy(base_config(f"http://127.0.0.1:{free_port()}/v1"))
    try:
        with pytest.raises(openai.InternalServerError) as ei:
            await openai_client(p.url).chat.completions.create(model="gpt-4o-mini", messages=MSGS)
        assert ei.value.status_code == 502 and ei.value.code == "upstream_unavailable"
    finally:
        await p.aclose()


async def test_upstream_timeout_is_504(sim):
    p = await start_proxy(base_config(sim.url, providers={"sim": {"timeouts": {"first_byte": 0.3}}}))
    try:
        with pytest.raises(openai.InternalServerError) as ei:
            await openai_client(p.url).chat.completions.create(model="gpt-4o-mini", messages=MSGS, extra_headers={"x-sim-fault": "timeout"})
        assert ei.value.status_code == 504 and "did not answer within" in ei.value.message
    finally:
        await p.aclose()


async def test_upstream_429_passes_through_with_retry_headers(proxy):
    with pytest.raises(openai.RateLimitError) as ei:
        await openai_client(proxy.url).chat.completions.create(model="gpt-4o-mini", messages=MSGS, extra_headers={"x-sim-fault": "429"})
    h = ei.value.response.headers
    assert h["retry-after"] and h["retry-after-ms"]


@pytest.mark.parametrize("status,exc", [(500, openai.InternalServerError), (503, openai.InternalServerError)])
async def test_upstream_5xx_pass_through(proxy, status, exc):
    with pytest.raises(exc) as ei:
        await openai_client(proxy.url).chat.completions.create(model="gpt-4o-mini", messages=MSGS, extra_headers={"x-sim-fault": str(status)})
    assert ei.value.status_code == status


async def test_stream_cut_ends_with_error_event_not_a_normal_end(proxy):
    stream = await openai_client(proxy.url).chat.completions.create(
        model="gpt-4o-mini", messages=MSGS, stream=True, extra_headers={"x-sim-fault": "cut=2"})
    with pytest.raises(openai.APIError) as ei:
        async for _ in stream:
            pass
    assert "upstream provider 'sim'" in str(ei.value) and "stream" in str(ei.value)


async def test_stream_stall_hits_idle_timeout(sim):
    p = await start_proxy(base_config(sim.url, providers={"sim": {"timeouts": {"idle": 0.3}}}))
    try:
        stream = await openai_client(p.url).chat.completions.create(
            model="gpt-4o-mini", messages=MSGS, stream=True, extra_headers={"x-sim-fault": "stall=2"})
        with pytest.raises(openai.APIError) as ei:
            async for _ in stream:
                pass
        assert "stalled" in str(ei.value)
    finally:
        await p.aclose()


async def test_client_disconnect_cancels_upstream(sim, proxy):
    payload = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": " ".join(["word"] * 200)}], "stream": True}
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{proxy.url}/chat/completions", json=payload,
                          headers={"Authorization": "Bearer sk-test", "x-sim-delay-ms": "50"}) as r:
            await r.content.readany()
    gen = proxy.state.current
    for _ in range(50):
        if gen.inflight == 0:
            break
        await asyncio.sleep(0.05)
    assert gen.inflight == 0
    connector = proxy.services.session.connector
    for _ in range(50):
        if not connector._acquired:  # no upstream connection left checked out
            break
        await asyncio.sleep(0.05)
    assert not connector._acquired


async def test_passthrough_other_paths(sim, proxy):
    async with aiohttp.ClientSession() as s:
        # The organisation's files are not for every client key (managed mode: the provider's key would be used).
        async with s.get(f"{proxy.url}/files", headers={"Authorization": "Bearer sk-test"}) as r:
            assert r.status == 403 and (await r.json())["error"]["code"] == "path_not_granted"
    granted = await start_proxy(base_config(sim.url, server={"passthrough_paths": ["/files"]}))
    try:
        async with aiohttp.ClientSession() as s:
            async with s.get(f"{granted.url}/files?purpose=fine-tune&limit=2", headers={"Authorization": "Bearer sk-test"}) as r:
                assert r.status == 200
                await r.read()
    finally:
        await granted.aclose()
    async with aiohttp.ClientSession() as s:
        rec = sim.requests[-1]
        assert rec["path"].endswith("/files") and "purpose=fine-tune" in rec.get("query", rec["path"] + str(rec.get("query_string", "")) + str(rec))
        async with s.post(f"{proxy.url}/responses", json={"model": "gpt-4o-mini", "input": "hi"}, headers={"Authorization": "Bearer sk-test"}) as r:
            assert r.status == 200
            assert (await r.json())["object"] == "response"


async def test_passthrough_credentials_mode(sim):
    p = await start_proxy(base_config(sim.url, auth={"mode": "passthrough", "keys": []}))
    try:
        await openai_client(p.url, key="sk-provider-own-key").chat.completions.create(model="gpt-4o-mini", messages=MSGS)
        assert sim.requests[-1]["headers"]["authorization"] == "Bearer sk-provider-own-key"
    finally:
        await p.aclose()


async def test_managed_mode_sends_provider_key(sim, monkeypatch):
    monkeypatch.setenv("BULWARK_TEST_UPSTREAM_KEY", "sk-upstream-secret")
    p = await start_proxy(base_config(sim.url, providers={"sim": {"api_key_env": "BULWARK_TEST_UPSTREAM_KEY"}}))
    try:
        await openai_client(p.url).chat.completions.create(model="gpt-4o-mini", messages=MSGS)
        assert sim.requests[-1]["headers"]["authorization"] == "Bearer sk-upstream-secret"
    finally:
        await p.aclose()


async def test_traceparent_forwarded(sim, proxy):
    tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    await openai_client(proxy.url).chat.completions.create(model="gpt-4o-mini", messages=MSGS, extra_headers={"traceparent": tp})
    got = sim.requests[-1]["headers"].get("traceparent")
    assert got is not None and got.split("-")[1] == "0af7651916cd43dd8448eb211c80319c"


async def test_health_and_readiness(proxy):
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{proxy.base}/healthz") as r:
            assert r.status == 200
        async with s.get(f"{proxy.base}/readyz") as r:
            assert r.status == 200 and (await r.json())["status"] == "ready"


@pytest.mark.parametrize("policy,status", [("fail_closed", 503), ("fail_open", 200)])
async def test_readiness_follows_the_redis_failure_policy(sim, policy, status):
    state = {"backend": "redis", "redis_url": f"redis://127.0.0.1:{free_port()}/0", "timeout_ms": 100, "on_failure": policy}
    p = await start_proxy(base_config(sim.url, state=state))
    try:
        async with aiohttp.ClientSession() as s:
            async with s.get(f"{p.base}/readyz") as r:
                assert r.status == status
                assert (await r.json())["checks"]["state"].startswith("unreachable")
    finally:
        await p.aclose()


async def test_example_plugin_in_chain(sim):
    p = await start_proxy(base_config(sim.url, plugins=["example"]))
    try:
        raw = await openai_client(p.url).chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MSGS)
        assert raw.headers["x-bulwark-example"] == "on"
    finally:
        await p.aclose()


async def test_events_before_a_cut_are_delivered_even_in_the_same_read(proxy):
    # The simulator at delay 0 writes 3 events and dies: all three reach the client, then the error.
    stream = await openai_client(proxy.url).chat.completions.create(
        model="gpt-4o-mini", messages=MSGS, stream=True, extra_headers={"x-sim-fault": "cut=3"})
    got = 0
    with pytest.raises(openai.APIError):
        async for _ in stream:
            got += 1
    assert got == 3


async def test_official_conformance_tool_says_conforms_through_the_full_default_chain(sim):
    """shared/tools/openai_conformance.py live, against Bulwark running the shipped proxy.toml."""
    import sys
    import tomllib
    from pathlib import Path

    from tests.helpers import shared_dir

    cfg = tomllib.loads((Path(__file__).resolve().parent.parent / "proxy.toml").read_text())
    cfg["server"]["port"] = 0
    for prov in cfg["providers"].values():
        if "base_url" in prov:
            prov["base_url"] = prov["base_url"].replace("http://127.0.0.1:9000", sim.base)
    cfg["auth"]["keys"].append({"name": "conformance", "key": "sk-conformance", "tier": "trusted"})
    p = await start_proxy(cfg)
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(shared_dir() / "tools" / "openai_conformance.py"), "live", p.url,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode == 0 and out.decode().strip().endswith("conforms"), out.decode()
    finally:
        await p.aclose()


async def test_overhead_header_is_bulwarks_own_time(sim):
    """x-bulwark-overhead-ms: total less the wait on the provider, on plain and streamed answers
    and on errors Bulwark answers itself."""
    import time

    p = await start_proxy(base_config(sim.url))
    try:
        t0 = time.monotonic()
        raw = await openai_client(p.url).chat.completions.with_raw_response.create(
            model="gpt-4o-mini", messages=MSGS, extra_headers={"x-sim-fault": "latency=400"})
        total_ms = (time.monotonic() - t0) * 1000
        own = float(raw.headers["x-bulwark-overhead-ms"])
        # The provider took at least 400 ms of the total, and that part is not Bulwark's.
        assert 0 <= own <= total_ms - 399, (own, total_ms)
        async with openai_client(p.url).chat.completions.with_streaming_response.create(
                model="gpt-4o-mini", messages=MSGS, stream=True) as r:
            assert float(r.headers["x-bulwark-overhead-ms"]) >= 0
        async with aiohttp.ClientSession() as s:
            async with s.post(f"{p.url}/chat/completions", data=b"{bad", headers={"Authorization": "Bearer sk-test"}) as r:
                assert r.status == 400 and float(r.headers["x-bulwark-overhead-ms"]) >= 0
    finally:
        await p.aclose()


@pytest.mark.parametrize("exporter", ["otlp_http", "otlp_http_sdk"])
async def test_spans_name_the_wire_api(sim, exporter):
    from tests.otlp_receiver import Receiver

    receiver = await Receiver().start()
    p = await start_proxy(base_config(sim.url, telemetry={"tracing": {"enabled": True, "exporter": exporter, "endpoint": receiver.endpoint,
                                                                      "schedule_delay_ms": 50}}))
    try:
        await openai_client(p.url).responses.create(model="gpt-4o-mini", input="hi")
        async with aiohttp.ClientSession() as s:
            async with s.post(f"{p.url}/messages", json={"model": "gpt-4o-mini", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]},
                              headers={"x-api-key": "sk-test"}) as r:
                assert r.status == 200
        await asyncio.to_thread(p.state.current.telemetry.force_flush)
        spans = await receiver.wait_for(lambda s: s.kind == "SERVER" and s.name == "POST /v1/messages")
        names = {s.name: s for s in receiver.spans if s.kind == "SERVER"}
        assert names["POST /v1/responses"].attributes["bulwark.api"] == "responses"
        assert names["POST /v1/responses"].attributes["http.route"] == "/v1/responses"
        assert spans[0].attributes["bulwark.api"] == "messages"
    finally:
        await p.aclose()
        await receiver.aclose()
