"""The exact-match response cache (plugins/cache/: the plugin, key.py, `bulwark cache`).

End to end with the official SDK through the proxy in front of the simulator, plus unit tests
of the key, the LRU and the stream <-> completion conversions."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import types
import zlib
from pathlib import Path
from typing import Any

import openai
import orjson
import pytest

from plugins.cache import (
    ByteLRU,
    Cache,
    CacheConfig,
    chunks_from_completion,
    replay_chunks,
    decode_entry,
    encode_entry,
    replay_events,
)
from plugins.cache import key as cachekey
from proxy.config import KeyConfig
from proxy.keys import hash_key, key_id_for
from proxy.plugin import Plugin
from tests.helpers import shared_dir, base_config, free_port, openai_client, start_proxy

MSG = [{"role": "user", "content": "What is the capital of France?"}]
FIXTURE = shared_dir() / "reference" / "fixtures" / "openai-stream-toolcalls.sse"


# -- a test-only plugin (inside the cache) that marks answers as failed / from a rules tier ---
from proxy.response import RULES  # noqa: E402
class _Marker(Plugin):
    name = "cachetest_marker"
    seen: list[str] = []  # request ids that reached this layer (inside the cache)

    async def __call__(self, ctx: Any, call_next: Any) -> Any:
        _Marker.seen.append(ctx.request_id)
        resp = await call_next(ctx)
        mark = ctx.headers.get("x-test-mark")
        if mark in ("validation", "flagged"):
            resp.cacheable = False  # what the validate plugin does with an answer that failed
        elif mark == "rules":
            resp.origin = RULES  # what a rules-tier answer carries
        return resp


_mod = types.ModuleType("plugins.cachetest_marker")
_mod._Marker = _Marker  # type: ignore[attr-defined]
sys.modules["plugins.cachetest_marker"] = _mod


def cache_cfg(sim_url: str, chain: list[str] | None = None, **cache: Any) -> dict[str, Any]:
    cfg = base_config(sim_url, plugins=chain or ["cache"])
    if cache:
        cfg["plugins"] = {"cache": cache}
    return cfg


def plugin_of(proxy: Any) -> Cache:
    return next(p for p in proxy.state.current.plugins if p.name == "cache")


async def ask(client: Any, **kw: Any) -> tuple[str | None, Any]:
    kw.setdefault("model", "gpt-4o-mini")
    kw.setdefault("messages", MSG)
    raw = await client.chat.completions.with_raw_response.create(**kw)
    return raw.headers.get("x-bulwark-cache"), raw.parse()


async def ask_stream(client: Any, **kw: Any) -> tuple[str | None, list[str]]:
    """Returns the cache header and the raw `data:` lines of the SSE answer."""
    kw.setdefault("model", "gpt-4o-mini")
    kw.setdefault("messages", MSG)
    async with client.chat.completions.with_streaming_response.create(stream=True, **kw) as r:
        lines = [ln async for ln in r.iter_lines() if ln.startswith("data:")]
        return r.headers.get("x-bulwark-cache"), lines


def chunks(lines: list[str]) -> list[dict[str, Any]]:
    return [orjson.loads(ln[5:]) for ln in lines if ln != "data: [DONE]"]


def text_of(lines: list[str]) -> str:
    return "".join((c["choices"][0]["delta"].get("content") or "") for c in chunks(lines) if c["choices"])


@pytest.fixture
async def cached(sim: Any) -> Any:
    proxy = await start_proxy(cache_cfg(sim.url))
    try:
        yield proxy
    finally:
        await proxy.aclose()


def upstream_chats(sim: Any) -> int:
    return sum(1 for r in sim.requests if str(r.get("path", "")).endswith("/chat/completions"))


# -- end to end: hits and misses ------------------------------------------------------------
async def test_identical_requests_hit_and_upstream_sees_one(sim: Any, cached: Any) -> None:
    client = openai_client(cached.url)
    h1, a = await ask(client, temperature=0)
    h2, b = await ask(client, temperature=0)
    assert (h1, h2) == ("miss", "hit")
    assert upstream_chats(sim) == 1
    assert b.id == a.id and b.created == a.created and b.model == a.model
    assert b.choices[0].message.content == a.choices[0].message.content
    assert b.usage.prompt_tokens == a.usage.prompt_tokens and b.usage.completion_tokens == a.usage.completion_tokens
    stats = plugin_of(cached).local_stats()
    assert stats["hit"] == 1 and stats["miss"] == 1 and stats["stored"] == 1
    assert stats["saved_usd"] > 0  # priced with proxy.pricing for gpt-4o-mini


async def test_different_sampling_parameters_miss(sim: Any, cached: Any) -> None:
    client = openai_client(cached.url)
    variants = [
        {"temperature": 0},
        {"temperature": 0, "top_p": 0.5},
        {"temperature": 0, "seed": 7},
        {"temperature": 0, "max_tokens": 5},
        {"temperature": 0, "stop": ["."]},
        {"temperature": 0, "model": "gpt-4o"},
        {"temperature": 0, "messages": [{"role": "user", "content": "What is the capital of Spain?"}]},
    ]
    for v in variants:
        h, _ = await ask(client, **v)
        assert h == "miss", v
    assert upstream_chats(sim) == len(variants)
    # `temperature: 0.0`, `user` and `stream_options` do not change the key.
    h, _ = await ask(client, temperature=0.0, user="someone-else")
    assert h == "hit"
    assert upstream_chats(sim) == len(variants)


async def test_nondeterministic_requests_bypass_unless_opted_in(sim: Any) -> None:
    proxy = await start_proxy(cache_cfg(sim.url, models={"gpt-4o": {"any_temperature": True}}))
    try:
        client = openai_client(proxy.url)
        assert (await ask(client))[0] == "bypass"  # absent temperature is 1.0
        assert (await ask(client))[0] == "bypass"
        assert (await ask(client, temperature=0.7))[0] == "bypass"
        assert upstream_chats(sim) == 3
        # explicit opt-in for one model
        assert (await ask(client, model="gpt-4o", temperature=0.7))[0] == "miss"
        assert (await ask(client, model="gpt-4o", temperature=0.7))[0] == "hit"
        assert upstream_chats(sim) == 4
    finally:
        await proxy.aclose()


async def test_streamed_hit_replays_content_usage_and_done(sim: Any, cached: Any) -> None:
    client = openai_client(cached.url)
    h1, first = await ask_stream(client, temperature=0, stream_options={"include_usage": True})
    h2, again = await ask_stream(client, temperature=0, stream_options={"include_usage": True})
    assert (h1, h2) == ("miss", "hit")
    assert upstream_chats(sim) == 1
    assert again[-1] == "data: [DONE]" and first[-1] == "data: [DONE]"
    c1, c2 = chunks(first), chunks(again)
    assert len(c2) == len(c1)  # same chunking shape
    assert [c["choices"] for c in c2] == [c["choices"] for c in c1]
    assert text_of(again) == text_of(first) and text_of(first)
    assert c2[-1]["choices"] == [] and c2[-1]["usage"] == c1[-1]["usage"]
    assert all(c["id"] == c1[0]["id"] and c["object"] == "chat.completion.chunk" for c in c2)
    # Through the SDK's own stream parser too.
    stream = await client.chat.completions.create(model="gpt-4o-mini", messages=MSG, temperature=0, stream=True)
    parts = [ch async for ch in stream]
    assert "".join(p.choices[0].delta.content or "" for p in parts if p.choices) == text_of(first)
    assert all(p.usage is None for p in parts)  # no usage chunk when the client did not ask
    assert upstream_chats(sim) == 1


async def test_plain_answer_from_streamed_miss_and_stream_from_plain_miss(sim: Any, cached: Any) -> None:
    client = openai_client(cached.url)
    _, lines = await ask_stream(client, temperature=0, stream_options={"include_usage": True})
    h, plain = await ask(client, temperature=0)
    assert h == "hit" and plain.choices[0].message.content == text_of(lines)
    assert plain.choices[0].finish_reason == "stop" and plain.object == "chat.completion"
    assert plain.usage.total_tokens == chunks(lines)[-1]["usage"]["total_tokens"]

    other = [{"role": "user", "content": "Name three rivers."}]
    _, p = await ask(client, temperature=0, messages=other)
    h, lines2 = await ask_stream(client, temperature=0, messages=other, stream_options={"include_usage": True})
    assert h == "hit" and lines2[-1] == "data: [DONE]"
    cs = chunks(lines2)
    assert cs[0]["choices"][0]["delta"]["role"] == "assistant"
    assert text_of(lines2) == p.choices[0].message.content
    assert cs[-2]["choices"][0]["finish_reason"] == "stop"
    assert cs[-1]["usage"]["completion_tokens"] == p.usage.completion_tokens
    assert upstream_chats(sim) == 2


async def test_streamed_tool_calls_replay_and_assemble(sim: Any, cached: Any) -> None:
    client = openai_client(cached.url)
    tools = [{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    msgs = [{"role": "user", "content": "What is the weather in Paris?"}]
    force = {"type": "function", "function": {"name": "get_weather"}}
    h1, streamed = await ask_stream(client, temperature=0, messages=msgs, tools=tools, tool_choice=force)
    h2, plain = await ask(client, temperature=0, messages=msgs, tools=tools, tool_choice=force)
    assert (h1, h2) == ("miss", "hit")
    args = "".join(
        tc["function"].get("arguments") or "" for c in chunks(streamed) if c["choices"] for tc in c["choices"][0]["delta"].get("tool_calls") or ()
    )
    call = plain.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather" and call.function.arguments == args and call.id
    assert plain.choices[0].finish_reason == "tool_calls"
    # Without include_usage upstream, the stored usage is an estimate (prompt counted offline).
    assert plain.usage.prompt_tokens > 0
    # a tools change is a different key
    assert (await ask(client, temperature=0, messages=msgs, tools=tools, tool_choice="none"))[0] == "miss"


async def test_keys_do_not_see_each_others_entries(sim: Any, cached: Any) -> None:
    a, b = openai_client(cached.url, key="sk-test"), openai_client(cached.url, key="sk-trusted")
    assert (await ask(a, temperature=0))[0] == "miss"
    assert (await ask(b, temperature=0))[0] == "miss"
    assert (await ask(a, temperature=0))[0] == "hit"
    assert (await ask(b, temperature=0))[0] == "hit"
    assert upstream_chats(sim) == 2


async def test_global_scope_shares_and_team_scope(sim: Any) -> None:
    proxy = await start_proxy(cache_cfg(sim.url, scope="global"))
    try:
        a, b = openai_client(proxy.url, key="sk-test"), openai_client(proxy.url, key="sk-trusted")
        assert (await ask(a, temperature=0))[0] == "miss"
        assert (await ask(b, temperature=0))[0] == "hit"
    finally:
        await proxy.aclose()
    keys = [{"name": "a", "key": "sk-a", "team": "red"}, {"name": "b", "key": "sk-b", "team": "red"}, {"name": "c", "key": "sk-c", "team": "blue"}]
    cfg = cache_cfg(sim.url, scope="team")
    cfg["auth"]["keys"] = keys
    proxy = await start_proxy(cfg)
    try:
        a, b, c = (openai_client(proxy.url, key=k) for k in ("sk-a", "sk-b", "sk-c"))
        assert (await ask(a, temperature=0, seed=1))[0] == "miss"
        assert (await ask(b, temperature=0, seed=1))[0] == "hit"
        assert (await ask(c, temperature=0, seed=1))[0] == "miss"
    finally:
        await proxy.aclose()


async def test_ttl_expiry_default_and_per_model(sim: Any) -> None:
    proxy = await start_proxy(cache_cfg(sim.url, ttl_seconds=60, models={"gpt-4o-*": {"ttl_seconds": 0.2}}))
    try:
        client = openai_client(proxy.url)
        assert (await ask(client, temperature=0, model="gpt-4o-mini"))[0] == "miss"
        assert (await ask(client, temperature=0, model="gpt-4o"))[0] == "miss"  # glob does not match
        assert (await ask(client, temperature=0, model="gpt-4o-mini"))[0] == "hit"
        await asyncio.sleep(0.3)
        assert (await ask(client, temperature=0, model="gpt-4o-mini"))[0] == "miss"  # expired
        assert (await ask(client, temperature=0, model="gpt-4o"))[0] == "hit"  # default TTL
        assert upstream_chats(sim) == 3
    finally:
        await proxy.aclose()


async def test_cache_control_no_cache_and_no_store(sim: Any, cached: Any) -> None:
    client = openai_client(cached.url)
    h, _ = await ask(client, temperature=0, extra_headers={"Cache-Control": "no-store"})
    assert h == "bypass"
    assert (await ask(client, temperature=0))[0] == "miss"  # no-store did not store
    assert (await ask(client, temperature=0, extra_headers={"Cache-Control": "no-cache"}))[0] == "miss"  # no lookup
    assert upstream_chats(sim) == 3
    assert (await ask(client, temperature=0))[0] == "hit"
    # no-cache stores the fresh answer: a new upstream answer for another prompt is then served
    other = [{"role": "user", "content": "fresh"}]
    assert (await ask(client, temperature=0, messages=other, extra_headers={"Cache-Control": "no-cache"}))[0] == "miss"
    assert (await ask(client, temperature=0, messages=other))[0] == "hit"
    assert upstream_chats(sim) == 4


async def test_errors_cut_streams_failed_validation_and_rules_tier_not_cached(sim: Any) -> None:
    proxy = await start_proxy(cache_cfg(sim.url, chain=["cache", "cachetest_marker"]))
    try:
        client = openai_client(proxy.url)
        sim.set_fault("500")
        with pytest.raises(openai.InternalServerError):
            await ask(client, temperature=0)
        sim.set_fault("cut=3")
        _, lines = await ask_stream(client, temperature=0)
        assert '"error"' in lines[-1] and "data: [DONE]" not in lines
        sim.set_fault(None)
        for mark in ("validation", "flagged", "rules"):
            assert (await ask(client, temperature=0, extra_headers={"x-test-mark": mark}))[0] == "miss"
            assert (await ask_stream(client, temperature=0, extra_headers={"x-test-mark": mark}))[0] == "miss"
        assert (await ask(client, temperature=0))[0] == "miss"  # nothing above was stored
        assert (await ask(client, temperature=0))[0] == "hit"
        stats = plugin_of(proxy).local_stats()
        assert stats["stored"] == 1 and stats["not_stored"] >= 3
    finally:
        await proxy.aclose()


async def test_shadow_mode_never_answers_from_cache(sim: Any) -> None:
    proxy = await start_proxy(cache_cfg(sim.url, mode="shadow"))
    try:
        client = openai_client(proxy.url)
        assert (await ask(client, temperature=0))[0] is None
        assert (await ask(client, temperature=0))[0] is None
        assert upstream_chats(sim) == 2
        assert plugin_of(proxy).local_stats()["shadow_hit"] == 1
    finally:
        await proxy.aclose()


async def test_admin_stats_and_purge(sim: Any, cached: Any, monkeypatch: Any) -> None:
    import aiohttp

    monkeypatch.setenv("BULWARK_ADMIN_KEY", "adm-secret")
    a, b = openai_client(cached.url, key="sk-test"), openai_client(cached.url, key="sk-trusted")
    await ask(a, temperature=0)
    await ask(b, temperature=0)
    hdr = {"Authorization": "Bearer adm-secret"}
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{cached.base}/admin/cache/stats", headers=hdr) as r:
            stats = await r.json()
            assert r.status == 200 and stats["entries"] == 2 and stats["miss"] == 2
        async with s.post(f"{cached.base}/admin/cache/purge", json={"scope": "test"}, headers=hdr) as r:
            assert r.status == 200 and (await r.json())["purged"] == 1
        async with s.post(f"{cached.base}/admin/cache/purge", json={"scope": "nobody"}, headers=hdr) as r:
            body = await r.json()
            assert r.status == 400 and "no client key named 'nobody'" in body["error"]["message"]
    assert (await ask(a, temperature=0))[0] == "miss"  # purged
    assert (await ask(b, temperature=0))[0] == "hit"  # other scope kept


# -- Redis ------------------------------------------------------------------------------------
def redis_cfg(sim_url: str, url: str, prefix: str, **cache: Any) -> dict[str, Any]:
    cfg = cache_cfg(sim_url, **cache)
    cfg["state"] = {"backend": "redis", "redis_url": url, "key_prefix": prefix, "timeout_ms": 200}
    return cfg


async def drain(proxy: Any) -> None:
    for _ in range(100):
        if not len(proxy.services.tasks):
            return
        await asyncio.sleep(0.005)


async def test_redis_backend_hits_across_replicas_with_ttl(sim: Any, redis_url: str, unique_prefix: str) -> None:
    import redis.asyncio as aioredis

    cfg = redis_cfg(sim.url, redis_url, unique_prefix, ttl_seconds=30)
    p1, p2 = await start_proxy(cfg), await start_proxy(cfg)
    r = aioredis.Redis.from_url(redis_url)
    try:
        assert plugin_of(p1).use_state
        c1, c2 = openai_client(p1.url), openai_client(p2.url)
        _, a = await ask(c1, temperature=0)
        await drain(p1)
        h, b = await ask(c2, temperature=0)  # another replica
        assert h == "hit" and b.id == a.id
        keys = [k async for k in r.scan_iter(match=f"{{{unique_prefix}}}:cache:*")]
        assert len(keys) == 1
        assert 0 < await r.pttl(keys[0]) <= 30_000
    finally:
        async for k in r.scan_iter(match=f"{{{unique_prefix}}}:*"):
            await r.delete(k)
        await r.aclose()
        await p1.aclose()
        await p2.aclose()


async def test_redis_down_is_a_miss_not_an_error(sim: Any, unique_prefix: str) -> None:
    port = free_port()  # nothing listens here
    proxy = await start_proxy(redis_cfg(sim.url, f"redis://127.0.0.1:{port}/0", unique_prefix))
    try:
        client = openai_client(proxy.url)
        for _ in range(3):
            h, ans = await ask(client, temperature=0)
            assert h == "miss" and ans.choices[0].message.content
        h, lines = await ask_stream(client, temperature=0)
        assert h == "miss" and lines[-1] == "data: [DONE]"
        assert upstream_chats(sim) == 4
        stats = plugin_of(proxy).local_stats()
        assert stats["error"] == 4 and stats["hit"] == 0 and stats["store_error"] >= 1
    finally:
        await proxy.aclose()


class _OwnRedis:
    """A Redis this test may kill: its own redis-server when the binary exists, else a TCP
    forwarder in front of the shared one (killing it drops every connection); never 6379 itself."""

    def __init__(self, tmp_path: Path, shared_url: str) -> None:
        self.tmp_path, self.shared_url = tmp_path, shared_url
        self.proc: subprocess.Popen[bytes] | None = None
        self.server: asyncio.base_events.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []
        self.port = 0

    async def start(self) -> str:
        import shutil
        from urllib.parse import urlparse

        import redis.asyncio as aioredis

        if shutil.which("redis-server"):
            self.port = free_port()
            self.proc = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.tmp_path)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        else:
            up = urlparse(self.shared_url)

            async def forward(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
                ur, uw = await asyncio.open_connection(up.hostname or "127.0.0.1", up.port or 6379)
                self.writers += [w, uw]

                async def pipe(a: asyncio.StreamReader, b: asyncio.StreamWriter) -> None:
                    try:
                        while data := await a.read(65536):
                            b.write(data)
                            await b.drain()
                    except (OSError, asyncio.CancelledError):
                        pass
                    finally:
                        b.close()

                await asyncio.gather(pipe(r, uw), pipe(ur, w))

            self.server = await asyncio.start_server(forward, "127.0.0.1", 0)
            self.port = self.server.sockets[0].getsockname()[1]
        r = aioredis.Redis(port=self.port)
        try:
            for _ in range(100):
                try:
                    await r.ping()
                    break
                except Exception:
                    await asyncio.sleep(0.02)
        finally:
            await r.aclose()
        return f"redis://127.0.0.1:{self.port}/0"

    async def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        if self.server is not None:
            self.server.close()
            for w in self.writers:
                w.transport.abort()


async def test_redis_killed_mid_run_then_misses(sim: Any, redis_url: str, unique_prefix: str, tmp_path: Path) -> None:
    own = _OwnRedis(tmp_path, redis_url)
    try:
        url = await own.start()
        proxy = await start_proxy(redis_cfg(sim.url, url, unique_prefix))
        try:
            client = openai_client(proxy.url)
            assert (await ask(client, temperature=0))[0] == "miss"
            await drain(proxy)
            assert (await ask(client, temperature=0))[0] == "hit"
            await own.kill()
            h, ans = await ask(client, temperature=0)
            assert h == "miss" and ans.choices[0].message.content
            h, lines = await ask_stream(client, temperature=0)
            assert h == "miss" and lines[-1] == "data: [DONE]"
            assert upstream_chats(sim) == 3
            assert plugin_of(proxy).local_stats()["error"] == 2
        finally:
            await proxy.aclose()
    finally:
        await own.kill()
        if own.proc is None:  # the forwarder wrote into the shared Redis: clean our prefix
            import redis.asyncio as aioredis

            r = aioredis.Redis.from_url(redis_url)
            async for k in r.scan_iter(match=f"{{{unique_prefix}}}:*"):
                await r.delete(k)
            await r.aclose()


async def test_cli_purge_and_stats_against_redis(sim: Any, redis_url: str, unique_prefix: str, tmp_path: Path, capsys: Any) -> None:
    cfg = redis_cfg(sim.url, redis_url, unique_prefix)
    proxy = await start_proxy(cfg)
    try:
        a, b = openai_client(proxy.url, key="sk-test"), openai_client(proxy.url, key="sk-trusted")
        await ask(a, temperature=0)
        await ask(b, temperature=0)
        await drain(proxy)
        toml = tmp_path / "proxy.toml"
        keys = "\n".join(f'[[auth.keys]]\nname = "{k["name"]}"\nkey = "{k["key"]}"\n' for k in cfg["auth"]["keys"])
        toml.write_text(
            f'[providers.sim]\ntype = "openai"\nbase_url = "{sim.url}"\n'
            f'[state]\nbackend = "redis"\nredis_url = "{redis_url}"\nkey_prefix = "{unique_prefix}"\n'
            f'[chain]\nplugins = ["cache"]\n{keys}'
        )

        def run(*args: str) -> tuple[int, str, str]:
            from proxy.cli import main

            code = main(["cache", *args, "--config", str(toml)])
            out, err = capsys.readouterr()
            return code, out, err

        code, out, err = await asyncio.to_thread(run, "stats", "--json")
        assert code == 0, err
        assert orjson.loads(out)["entries"] == 2
        code, out, err = await asyncio.to_thread(run, "purge", "--scope", "test")
        assert code == 0 and "purged 1 cached answer " in out, out + err
        assert (await ask(a, temperature=0))[0] == "miss"
        assert (await ask(b, temperature=0))[0] == "hit"
        code, out, err = await asyncio.to_thread(run, "purge", "--scope", "nobody")
        assert code == 2 and "no client key named 'nobody'" in err
        await drain(proxy)
        code, out, err = await asyncio.to_thread(run, "purge", "--all")
        assert code == 0 and "purged 2 cached answers" in out, out + err
        await plugin_of(proxy).aclose()  # flushes the shared counters
        code, out, err = await asyncio.to_thread(run, "stats", "--json")
        stats = orjson.loads(out)
        assert stats["entries"] == 0 and stats["hit"] == 1 and stats["miss"] == 3 and stats["stored"] == 3
    finally:
        await proxy.aclose()
        import redis.asyncio as aioredis

        r = aioredis.Redis.from_url(redis_url)
        async for k in r.scan_iter(match=f"{{{unique_prefix}}}:*"):
            await r.delete(k)
        await r.aclose()


# -- unit tests -------------------------------------------------------------------------------
def test_canonical_key_covers_what_shapes_the_answer() -> None:
    base = {"model": "m", "messages": MSG, "temperature": 0}
    d = cachekey.request_digest
    assert d(base) == d({**base, "stream": True, "stream_options": {"include_usage": True}, "user": "u", "metadata": {"a": 1}})
    assert d(base) == d({"temperature": 0.0, "messages": MSG, "model": "m"})  # key order, int vs float
    assert d(base) == d({**base, "seed": None})  # null means the default
    for change in ({"seed": 1}, {"n": 2}, {"logit_bias": {"1": 5}}, {"response_format": {"type": "json_object"}},
                   {"tools": []}, {"tool_choice": "none"}, {"model": "m2"}, {"frequency_penalty": 0.1}, {"x_unknown": 1}):
        assert d({**base, **change}) != d(base), change
    assert d({"model": "m", "messages": [{"content": "x", "role": "user"}]}) == d({"model": "m", "messages": [{"role": "user", "content": "x"}]})
    assert d(base, target=("a", None)) != d(base, target=("b", None))
    assert cachekey.is_deterministic(base) and not cachekey.is_deterministic({}) and not cachekey.is_deterministic({"temperature": 0.2})


def test_scope_tokens_and_resolution() -> None:
    keys = [KeyConfig(name="test", key="sk-test"), KeyConfig(name="hashed", key_sha256=hash_key("sk-x"))]
    assert cachekey.resolve_scope("test", keys) == "k:" + key_id_for(hash_key("sk-test"))
    assert cachekey.resolve_scope("hashed", keys) == "k:" + key_id_for(hash_key("sk-x"))
    assert cachekey.resolve_scope("global", keys) == "g" == cachekey.scope_token("global", "k_1", "t")
    assert cachekey.resolve_scope("team:red", keys) == cachekey.scope_token("team", "k_1", "red")
    assert cachekey.scope_token("team", "k_1", None) == "k:k_1"  # no team: per key
    assert cachekey.resolve_scope("k_abc", keys) == "k:k_abc"
    with pytest.raises(ValueError, match="hashed, test"):
        cachekey.resolve_scope("nobody", keys)


def test_lru_is_bounded_by_bytes_and_expires() -> None:
    lru = ByteLRU(10_000)
    for i in range(100):
        assert lru.set(f"k{i}", b"x" * 500, ttl=60)
    assert lru.bytes <= 10_000 and len(lru) < 100 and lru.evictions == 100 - len(lru)
    assert lru.get("k0") is None and lru.get("k99") is not None
    assert not lru.set("big", b"x" * 20_000, ttl=60)
    lru.set("short", b"y", ttl=0.001)
    time.sleep(0.002)
    assert lru.get("short") is None
    n = len(lru)
    assert lru.purge("k9") >= 1 and len(lru) < n


def test_entry_codec_roundtrip_and_compression() -> None:
    entry = {"v": 1, "at": 1.0, "c": {"choices": [{"message": {"content": "word " * 400}}]}, "k": None}
    blob = encode_entry(entry, 1, 512)
    # Raw deflate with a 4 KiB window: zlib's default 32 KiB window and memLevel 8 make every
    # compress call set up ~256 KiB of tables (~45 us for a 600-byte answer, ~5 us this way).
    assert blob[:1] == b"d" and len(blob) < len(orjson.dumps(entry)) / 5
    assert decode_entry(blob) == entry
    # Entries an earlier version wrote (zlib stream, tag "z") still read back from Redis.
    assert decode_entry(b"z" + zlib.compress(orjson.dumps(entry), 1)) == entry
    with pytest.raises(zlib.error):
        decode_entry(b"d" + b"not deflate")
    small = {"v": 1, "at": 1.0, "c": {"choices": []}, "k": None}
    assert encode_entry(small, 1, 512)[:1] == b"j" and decode_entry(encode_entry(small, 1, 512)) == small
    with pytest.raises(ValueError):
        decode_entry(b"j" + orjson.dumps({"v": 99, "c": {}}))


def completion_from_chunks(chunks: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What the cache stores for a streamed miss: the attempt's assembly and the replay chunks."""
    from proxy.assembly import Assembly

    asm = Assembly()
    for ch in chunks:
        asm.feed_chunk(ch)
    return asm.completion(), replay_chunks(chunks)


async def test_recorded_openai_tool_call_stream_roundtrips() -> None:
    events = [orjson.loads(block[6:]) for block in FIXTURE.read_text().split("\n\n") if block.startswith("data: {")]
    completion, replay = completion_from_chunks(events)
    msg = completion["choices"][0]["message"]
    assert msg["tool_calls"][0]["function"]["name"] == "get_weather"
    assert orjson.loads(msg["tool_calls"][0]["function"]["arguments"])
    assert completion["choices"][0]["finish_reason"] == "tool_calls"
    entry = {"v": 1, "at": 0, "c": completion, "k": replay}
    out = [ev async for ev in replay_events(entry, include_usage=False, created=None)]
    assert out[-1].is_done
    replayed = [ev.json() for ev in out[:-1]]
    stripped = [{k: v for k, v in e.items() if k != "usage"} for e in events if e.get("choices")]
    assert replayed == stripped  # byte-for-byte same chunks (as JSON)
    # and the synthesized form of the same completion carries the same call
    synth = completion_from_chunks([{**{"id": "x", "created": 1, "model": "m"}, **c} for c in chunks_from_completion(completion)])[0]
    assert synth["choices"][0]["message"]["tool_calls"] == msg["tool_calls"]


async def test_replay_head_usage_chunk_and_refreshed_created() -> None:
    c = {"id": "chatcmpl-1", "object": "chat.completion", "created": 5, "model": "m", "system_fingerprint": "fp",
         "choices": [{"index": 0, "message": {"role": "assistant", "content": "a b"}, "finish_reason": "stop"}],
         "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}}
    evs = [ev async for ev in replay_events({"v": 1, "c": c, "k": None}, include_usage=True, created=99)]
    js = [e.json() for e in evs[:-1]]
    assert evs[-1].is_done and all(j["created"] == 99 and j["id"] == "chatcmpl-1" and j["system_fingerprint"] == "fp" for j in js)
    assert all(j["usage"] is None for j in js[:-1]) and js[-1] == {**js[-1], "choices": [], "usage": c["usage"]}
    assert [j["choices"][0]["delta"].get("content") for j in js[1:-2]] == ["a", " b"]


async def test_hit_carries_age_and_no_upstream_provider(sim: Any, cached: Any) -> None:
    client = openai_client(cached.url)
    await ask(client, temperature=0)
    raw = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MSG, temperature=0)
    assert raw.headers["x-bulwark-cache"] == "hit" and raw.headers["age"] == "0"
    assert raw.headers["x-bulwark-provider"] == "cache"


def test_config_rejects_other_endpoints() -> None:
    with pytest.raises(Exception, match="chat completions only"):
        CacheConfig.model_validate({"endpoints": ["embeddings"]})


async def test_recommended_order_ratelimit_counts_hits_and_inner_plugins_never_see_them(sim: Any) -> None:
    cfg = base_config(sim.url, plugins=["ratelimit", "cache", "cachetest_marker"])
    cfg["plugins"] = {"ratelimit": {"key": {"rpm": 3, "tpm": 0, "max_concurrent": 0}, "user": {"rpm": 0, "tpm": 0, "max_concurrent": 0}}}
    proxy = await start_proxy(cfg)
    _Marker.seen.clear()
    try:
        client = openai_client(proxy.url)
        assert (await ask(client, temperature=0))[0] == "miss"
        assert (await ask(client, temperature=0))[0] == "hit"
        assert (await ask(client, temperature=0))[0] == "hit"
        with pytest.raises(openai.RateLimitError):  # hits still count against the key's rpm
            await ask(client, temperature=0)
        assert upstream_chats(sim) == 1
        assert len(_Marker.seen) == 1  # layers inside the cache (budgets, validate...) saw only the miss
    finally:
        await proxy.aclose()


async def test_concurrent_identical_requests_coalesce_into_one_upstream_call(sim: Any, cached: Any) -> None:
    client = openai_client(cached.url)
    sim.set_fault("latency=300")
    results = await asyncio.gather(*(ask(client, temperature=0) for _ in range(5)))
    assert upstream_chats(sim) == 1
    assert sorted(h for h, _ in results) == ["hit", "hit", "hit", "hit", "miss"]
    assert len({a.id for _, a in results}) == 1
    # A streamed request never waits on another one (its first token matters): it goes upstream.
    other = [{"role": "user", "content": "streams do not wait"}]
    (h1, _), (h2, lines) = await asyncio.gather(ask(client, temperature=0, messages=other), ask_stream(client, temperature=0, messages=other))
    assert h2 == "miss" and lines[-1] == "data: [DONE]" and upstream_chats(sim) == 3
    # When the first call fails, the waiting ones go upstream themselves (and see the real outcome).
    sim.set_fault("500,latency=200")
    third = [{"role": "user", "content": "failing leader"}]
    outcomes = await asyncio.gather(*(ask(client, temperature=0, messages=third) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(o, openai.InternalServerError) for o in outcomes)
    assert upstream_chats(sim) == 6
    assert not plugin_of(cached)._inflight  # nothing left waiting


# -- the plugin alone (fake upstream) -----------------------------------------------------------
def make_plugin(**cfg: Any) -> Cache:
    from proxy.config import parse_config
    from proxy.metrics import Metrics
    from proxy.services import Services
    from proxy.state.memory import MemoryState

    services = Services(config=parse_config({"providers": {"sim": {"type": "openai", "base_url": "http://127.0.0.1:1/v1"}}}),
                        state=MemoryState(), metrics=Metrics())
    return Cache(CacheConfig.model_validate(cfg), services)


def make_ctx(plugin: Cache, body: dict[str, Any]) -> Any:
    from multidict import CIMultiDict

    from proxy.context import RequestContext

    return RequestContext(request_id="r1", endpoint="chat", method="POST", path="/chat/completions", query_string="",
                          headers=CIMultiDict(), raw_body=orjson.dumps(body), services=plugin.services)


async def test_odd_or_abandoned_streams_are_relayed_and_never_stored() -> None:
    from proxy.response import ProxyResponse
    from proxy.sse import SSEEvent

    plugin = make_plugin()
    closed: list[bool] = []
    events = [
        SSEEvent.from_json({"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": ["not a dict"]}),
        SSEEvent.comment(),
        SSEEvent.done(),
    ]

    async def upstream_events() -> Any:
        try:
            for ev in events:
                yield ev
        finally:
            closed.append(True)

    async def upstream(ctx: Any) -> Any:
        return ProxyResponse.from_events(upstream_events(), provider="sim")

    body = {"model": "m", "messages": MSG, "temperature": 0, "stream": True}
    resp = await plugin(make_ctx(plugin, body), upstream)
    got = [ev async for ev in resp.stream]
    assert [e.raw for e in got] == [e.raw for e in events] and closed == [True]
    assert plugin.stats["not_stored"] == 1 and len(plugin.lru) == 0 and not plugin._inflight

    closed.clear()
    resp = await plugin(make_ctx(plugin, body), upstream)
    it = resp.stream.__aiter__()
    await it.__anext__()
    await resp.aclose()  # the client went away after one event
    assert closed == [True] and len(plugin.lru) == 0 and not plugin._inflight


async def test_answers_of_a_rules_provider_are_never_cached(sim: Any) -> None:
    cfg = cache_cfg(sim.url)
    cfg["providers"]["rules"] = {"type": "rules", "options": {"default_answer": "Degraded mode, try later."}}
    cfg["models"] = {"routes": {"support-bot": {"provider": "rules"}}}
    proxy = await start_proxy(cfg)
    try:
        client = openai_client(proxy.url)
        for _ in range(2):
            h, ans = await ask(client, temperature=0, model="support-bot")
            assert h == "miss" and ans.choices[0].message.content == "Degraded mode, try later."
        assert plugin_of(proxy).local_stats()["stored"] == 0
    finally:
        await proxy.aclose()


async def test_cli_reaches_the_in_memory_cache_through_the_admin_api(sim: Any, cached: Any, tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    from proxy.cli import main

    a, b = openai_client(cached.url, key="sk-test"), openai_client(cached.url, key="sk-trusted")
    await ask(a, temperature=0)
    await ask(b, temperature=0)
    toml = tmp_path / "proxy.toml"
    toml.write_text(
        f'[server]\nport = {cached.port}\n[providers.sim]\ntype = "openai"\nbase_url = "{sim.url}"\n[chain]\nplugins = ["cache"]\n'
        '[[auth.keys]]\nname = "test"\nkey = "sk-test"\n'
    )

    def run(*args: str) -> tuple[int, str, str]:
        try:
            code = main(["cache", *args, "--config", str(toml)])
        except SystemExit as exc:  # messages for the operator exit through SystemExit
            code = 1 if isinstance(exc.code, str) else int(exc.code or 0)
            print(exc.code, file=sys.stderr)
        out, err = capsys.readouterr()
        return code, out, err

    monkeypatch.delenv("BULWARK_ADMIN_KEY", raising=False)
    code, _, err = await asyncio.to_thread(run, "stats")
    assert code == 1 and "set BULWARK_ADMIN_KEY" in err
    monkeypatch.setenv("BULWARK_ADMIN_KEY", "adm-cli")
    code, out, err = await asyncio.to_thread(run, "stats", "--json")
    assert code == 0, err
    assert orjson.loads(out)["entries"] == 2 and orjson.loads(out)["backend"] == "memory"
    code, out, err = await asyncio.to_thread(run, "purge", "--scope", "test")
    assert code == 0 and "purged 1 cached answer " in out, out + err
    assert (await ask(a, temperature=0))[0] == "miss" and (await ask(b, temperature=0))[0] == "hit"
    code, _, err = await asyncio.to_thread(run, "stats", "--url", "http://127.0.0.1:9")
    assert code == 1 and "no proxy answers at http://127.0.0.1:9" in err


def test_stream_assembly_n2_logprobs_and_usage_on_a_content_chunk() -> None:
    head = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}

    def ch(i: int, delta: dict[str, Any], fr: Any = None, lp: Any = None, **extra: Any) -> dict[str, Any]:
        return {**head, "choices": [{"index": i, "delta": delta, "logprobs": lp, "finish_reason": fr}], **extra}

    usage = {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
    chunks_in = [
        ch(0, {"role": "assistant", "content": ""}), ch(1, {"role": "assistant", "content": ""}),
        ch(0, {"content": "Hi"}, lp={"content": [{"token": "Hi", "logprob": -0.1}]}), ch(1, {"content": "Yo"}),
        ch(0, {"content": "!"}, lp={"content": [{"token": "!", "logprob": -0.2}]}),
        ch(0, {}, "stop"), ch(1, {}, "length", usage=usage),  # usage riding on a content chunk
    ]
    completion, replay = completion_from_chunks(chunks_in)
    a, b = completion["choices"]
    assert a["message"]["content"] == "Hi!" and a["finish_reason"] == "stop"
    assert [t["token"] for t in a["logprobs"]["content"]] == ["Hi", "!"]
    assert b["message"]["content"] == "Yo" and b["finish_reason"] == "length" and b["logprobs"] is None
    assert completion["usage"] == usage and len(replay) == len(chunks_in)
    assert all("usage" not in r and "id" not in r for r in replay)


async def test_hits_conform_to_the_openai_spec(sim: Any, cached: Any) -> None:
    import importlib.util

    import aiohttp

    spec = importlib.util.spec_from_file_location("openai_conformance", str(shared_dir() / "tools" / "openai_conformance.py"))
    conf = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(conf)  # type: ignore[union-attr]
    url = cached.url + "/chat/completions"
    hdr = {"Authorization": "Bearer sk-test"}
    errors: list[str] = []
    async with aiohttp.ClientSession() as s:
        for first_stream in (False, True):  # stored from a plain miss, then from a streamed miss
            msgs = [{"role": "user", "content": f"conformance {first_stream}"}]
            base = {"model": "gpt-4o-mini", "messages": msgs, "temperature": 0}
            first = {**base, "stream": True, "stream_options": {"include_usage": True}} if first_stream else base
            async with s.post(url, json=first, headers=hdr) as r:
                await r.read()
            async with s.post(url, json=base, headers=hdr) as r:
                assert r.headers["x-bulwark-cache"] == "hit"
                errors += conf.check("CreateChatCompletionResponse", await r.json(), f"plain hit ({first_stream=})")
            async with s.post(url, json={**base, "stream": True, "stream_options": {"include_usage": True}}, headers=hdr) as r:
                assert r.headers["x-bulwark-cache"] == "hit"
                errors += conf.check_stream(await r.text(), f"stream hit ({first_stream=})", want_usage=True)
    assert errors == []
