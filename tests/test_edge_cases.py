"""Edge cases found in review: pass-through policy, reload state, encodings, shadow safety."""
from __future__ import annotations

import gzip
from typing import Any, AsyncIterator

import aiohttp
import openai
import orjson
import pytest
from multidict import CIMultiDict

from proxy.config import parse_config
from proxy.context import CHAT, PASSTHROUGH, RequestContext
from proxy.errors import ProxyError
from proxy.plugin import Next, Plugin, PluginConfig, build_chain
from proxy.providers.openai import OpenAIProvider
from proxy.response import ProxyResponse
from proxy.sse import SSEEvent
from tests.helpers import base_config, openai_client, start_proxy

MSGS = [{"role": "user", "content": "hello"}]


async def test_passthrough_json_bodies_obey_model_allow_lists(sim):
    cfg = base_config(sim.url)
    cfg["auth"]["keys"].append({"name": "narrow", "key": "sk-narrow", "allowed_models": ["gpt-4o-mini"]})
    p = await start_proxy(cfg)
    try:
        async with aiohttp.ClientSession() as s:
            h = {"Authorization": "Bearer sk-narrow"}
            async with s.post(f"{p.url}/responses", json={"model": "o1-pro", "input": "hi"}, headers=h) as r:
                assert r.status == 403 and (await r.json())["error"]["param"] == "model"
            async with s.post(f"{p.url}/responses", json={"model": "gpt-4o-mini", "input": "hi"}, headers=h) as r:
                assert r.status == 200
            # A trailing slash does not turn the chat endpoint into a pass-through.
            async with s.post(f"{p.url}/chat/completions/", json={"model": "o1-pro", "messages": MSGS}, headers=h) as r:
                assert r.status == 403
    finally:
        await p.aclose()


async def test_passthrough_paths_can_be_restricted(sim):
    p = await start_proxy(base_config(sim.url, server={"passthrough_paths": ["/files"]}))
    try:
        async with aiohttp.ClientSession() as s:
            h = {"Authorization": "Bearer sk-test"}
            async with s.post(f"{p.url}/batches", json={"input_file_id": "file-1", "endpoint": "/v1/chat/completions"}, headers=h) as r:
                # managed mode: a path not forwarded needs a per-key grant (it would use the provider's key)
                assert r.status == 403 and (await r.json())["error"]["code"] == "path_not_granted"
            # /v1/responses is a modelled endpoint now (the chain applies), not a pass-through path.
            async with s.post(f"{p.url}/responses", json={"model": "gpt-4o-mini", "input": "hi"}, headers=h) as r:
                assert r.status == 200 and (await r.json())["object"] == "response"
            async with s.get(f"{p.url}/files?purpose=x", headers=h) as r:
                assert r.status == 200
    finally:
        await p.aclose()


async def test_reload_keeps_in_memory_state(sim, tmp_path):
    path = tmp_path / "proxy.toml"
    text = f"""
[[auth.keys]]
name = "test"
key = "sk-test"
[providers.sim]
base_url = "{sim.url}"
[state]
data_dir = "{tmp_path}"
"""
    path.write_text(text)
    from proxy.config import load_config

    p = await start_proxy(load_config(path).model_dump(exclude={"source"}), config_path=str(path))
    try:
        before = p.services.state
        await before.set("probe", b"kept")
        path.write_text(text + '\n[chain]\nplugins = ["example"]\n')
        assert await p.state.reload()
        assert p.services.state is before and await p.services.state.get("probe") == b"kept"
        raw = await openai_client(p.url).chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MSGS)
        assert raw.headers["x-bulwark-example"] == "on"
        path.write_text(text.replace(f'data_dir = "{tmp_path}"', f'data_dir = "{tmp_path}/other"'))
        assert await p.state.reload()
        assert p.services.state is not before  # [state] changed: a new backend
    finally:
        await p.aclose()


async def test_gzip_request_body_is_forwarded_decoded_and_unlabelled(sim):
    p = await start_proxy(base_config(sim.url))
    try:
        body = gzip.compress(orjson.dumps({"model": "gpt-4o-mini", "messages": MSGS}))
        async with aiohttp.ClientSession() as s:
            async with s.post(f"{p.url}/chat/completions", data=body, headers={
                    "Authorization": "Bearer sk-test", "Content-Encoding": "gzip", "Content-Type": "application/json"}) as r:
                assert r.status == 200
            assert "content-encoding" not in sim.requests[-1]["headers"]
            async with s.post(f"{p.url}/chat/completions", data=b"\x1f\x8bnot gzip at all", headers={
                    "Authorization": "Bearer sk-test", "Content-Encoding": "gzip"}) as r:
                assert r.status == 400 and (await r.json())["error"]["type"] == "invalid_request_error"
    finally:
        await p.aclose()


async def test_oversized_chunked_passthrough_upload_is_413_not_502(sim):
    p = await start_proxy(base_config(sim.url, server={"max_body_bytes": 2048, "passthrough_paths": ["/files"]}))
    try:
        async def chunks():
            for _ in range(6):
                yield b"x" * 1024

        async with aiohttp.ClientSession() as s:
            async with s.post(f"{p.url}/files", data=chunks(), headers={"Authorization": "Bearer sk-test", "Content-Type": "application/octet-stream"}) as r:
                assert r.status == 413, await r.text()
    finally:
        await p.aclose()


async def test_raw_query_string_is_forwarded_exactly(sim):
    p = await start_proxy(base_config(sim.url, server={"passthrough_paths": ["/files"]}))
    try:
        async with aiohttp.ClientSession() as s:
            async with s.get(f"{p.url}/files?a=%2541&x=%23y", headers={"Authorization": "Bearer sk-test"}) as r:
                assert r.status == 200
        # The simulator records its (once-decoded) view: our bytes were forwarded undecoded.
        assert sim.requests[-1]["query"] == "a=%41&x=#y"
    finally:
        await p.aclose()


def test_azure_model_cannot_add_path_segments():
    cfg = parse_config({"providers": {"az": {"type": "openai", "base_url": "https://r.example/openai/deployments/{model}", "azure": True, "api_version": "2024-06-01"}}})
    prov = OpenAIProvider("az", cfg.providers["az"], type("S", (), {"config": cfg})())
    ctx = RequestContext(request_id="r", endpoint=CHAT, method="POST", path="/chat/completions", query_string="",
                         headers=CIMultiDict(), raw_body=b'{"model":"x/../../admin?","messages":[]}')
    url = prov.url_for(ctx, None)
    assert url.startswith("https://r.example/openai/deployments/x%2F..%2F..%2Fadmin%3F/chat/completions?api-version=")


class Outer(Plugin):
    name = "outer"

    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        ctx.set_body({**ctx.body, "temperature": 0})
        return await call_next(ctx)


class InPlace(Plugin):
    name = "inplace"

    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        ctx.body["messages"][0]["content"] = "REDACTED"
        ctx.mark_body_changed()
        return await call_next(ctx)


class Buggy(Plugin):
    name = "buggy"

    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        resp = await call_next(ctx)
        raise KeyError("oops")


def ctx_for(body: dict[str, Any]) -> RequestContext:
    return RequestContext(request_id="r", endpoint=CHAT, method="POST", path="/chat/completions", query_string="",
                          headers=CIMultiDict(), raw_body=orjson.dumps(body))


async def test_shadow_in_place_edit_after_an_outer_rewrite_is_undone():
    seen: list[bytes] = []

    async def upstream(ctx: RequestContext) -> ProxyResponse:
        seen.append(ctx.body_bytes())
        return ProxyResponse.from_json({"ok": True})

    ctx = ctx_for({"model": "m", "messages": [{"role": "user", "content": "secret"}]})
    chain = build_chain([Outer(PluginConfig(), None), InPlace(PluginConfig(mode="shadow"), None)], upstream)
    await chain(ctx)
    sent = orjson.loads(seen[-1])
    assert sent["messages"][0]["content"] == "secret" and sent["temperature"] == 0
    assert ctx.decisions["inplace"]["would_rewrite"]


async def test_a_failing_shadow_plugin_never_breaks_traffic():
    async def upstream(ctx: RequestContext) -> ProxyResponse:
        return ProxyResponse.from_json({"ok": True})

    ctx = ctx_for({"model": "m", "messages": MSGS})
    resp = await build_chain([Buggy(PluginConfig(mode="shadow"), None)], upstream)(ctx)
    assert resp.json() == {"ok": True} and ctx.decisions["buggy"]["error"] == "KeyError"


async def test_unexpected_error_mid_stream_ends_with_an_error_event(sim, monkeypatch):
    import plugins.example as example

    async def broken(self: Any, ctx: RequestContext, events: AsyncIterator[SSEEvent]) -> AsyncIterator[SSEEvent]:
        async for ev in events:
            yield ev
            raise ValueError("bug in a stream wrapper")

    monkeypatch.setattr(example.Example, "_count", broken)
    p = await start_proxy(base_config(sim.url, plugins=["example"]))
    try:
        stream = await openai_client(p.url).chat.completions.create(model="gpt-4o-mini", messages=MSGS, stream=True)
        with pytest.raises(openai.APIError) as ei:
            async for _ in stream:
                pass
        assert "internal error mid-stream" in str(ei.value)
    finally:
        await p.aclose()


async def test_debug_headers_show_plugin_decisions(sim):
    p = await start_proxy(base_config(sim.url, plugins=["example"], plugin_config={"example": {"defaults": {"temperature": 0}}},
                                      server={"debug_headers": True}))
    try:
        raw = await openai_client(p.url).chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MSGS)
        assert orjson.loads(raw.headers["x-bulwark-decisions"])["example"]["added"] == ["temperature"]
    finally:
        await p.aclose()
