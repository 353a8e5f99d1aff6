"""Client keys: configured and runtime keys (memory and real Redis), cached lookups, the
`bulwark keys` CLI, and a runtime key used through the proxy."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openai
import pytest

from proxy.config import AuthConfig, KeyConfig
from proxy.keys import KeyStore, hash_key, key_id_for
from proxy.state.redis import RedisState
from tests.helpers import base_config, deep_merge, openai_client, start_proxy
from tests.rl_support import cleanup_redis, make_backend, prefix


class CountingState:
    """Wraps a backend and counts reads (to prove the hot path is cached)."""

    def __init__(self, inner: Any, degraded: bool = False) -> None:
        self.inner, self.gets, self.degraded, self.fail = inner, 0, degraded, False

    async def get(self, key: str) -> Any:
        self.gets += 1
        if self.fail:
            return None  # what a fail-open fallback that never saw the key answers
        return await self.inner.get(key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture(params=["memory", "redis"])
async def st(request: Any, tmp_path: Any) -> Any:
    s = await make_backend(request.param, tmp_path)
    yield s
    await cleanup_redis(s)


async def test_configured_keys() -> None:
    auth = AuthConfig(keys=[KeyConfig(name="a", key="sk-a", tier="trusted", team="t1", limits={"rpm": 5}),
                            KeyConfig(name="b", key_sha256=hash_key("sk-b"))])
    ks = KeyStore(auth)
    a = await ks.lookup("sk-a")
    assert a is not None and a.key_name == "a" and a.tier == "trusted" and a.team == "t1" and a.limits == {"rpm": 5}
    assert a.key_id == key_id_for(hash_key("sk-a")) and "sk-a" not in a.key_id
    assert (await ks.lookup("sk-b")).key_name == "b"
    assert await ks.lookup("sk-nope") is None


async def test_runtime_keys_create_lookup_list_revoke(st: Any) -> None:
    ks = KeyStore(AuthConfig(), st)
    plain, rec = await ks.create("svc", "trusted", "team-x", ["gpt-4o"], {"budget_usd_month": 50, "rpm": 100})
    assert plain.startswith("sk-bw-") and len(plain) > 40
    # Only the hash is stored.
    assert await st.get("keys:rec:" + hash_key(plain)) is not None
    listing = await ks.list()
    assert [r["name"] for r in listing] == ["svc"] and "sha256" not in listing[0]
    assert plain not in repr(listing)
    ident = await ks.lookup(plain)
    assert ident is not None and ident.tier == "trusted" and ident.team == "team-x"
    assert ident.allowed_models == ["gpt-4o"] and ident.limits == {"budget_usd_month": 50, "rpm": 100}
    assert ident.key_id == rec["id"] == key_id_for(hash_key(plain))
    with pytest.raises(ValueError, match="already exists"):
        await ks.create("svc")
    with pytest.raises(ValueError, match="unknown limit"):
        await ks.create("other", limits={"rmp": 1})
    # Revoke by id (or name).
    assert (await ks.revoke(rec["id"]))["name"] == "svc"
    assert await ks.lookup(plain) is None
    assert await ks.revoke("svc") is None


async def test_lookups_are_cached(st: Any) -> None:
    counting = CountingState(st)
    ks = KeyStore(AuthConfig(), counting, cache_ttl=0.2, negative_ttl=0.2)
    plain, _ = await ks.create("svc")
    counting.gets = 0
    for _ in range(50):
        assert await ks.lookup(plain) is not None
        assert await ks.lookup("sk-unknown") is None
    assert counting.gets == 2  # one per key, then the cache answers
    await asyncio.sleep(0.25)
    await ks.lookup(plain)
    assert counting.gets == 3
    # A revoked key stops working once its cache entry expires (on every replica).
    other = KeyStore(AuthConfig(), st, cache_ttl=0.2)
    assert await other.lookup(plain) is not None
    await ks.revoke("svc")
    assert await other.lookup(plain) is not None  # still cached
    await asyncio.sleep(0.25)
    assert await other.lookup(plain) is None


async def test_last_known_key_survives_a_redis_outage(st: Any) -> None:
    counting = CountingState(st)
    ks = KeyStore(AuthConfig(), counting, cache_ttl=0.01, negative_ttl=0.01)
    plain, _ = await ks.create("svc")
    assert await ks.lookup(plain) is not None
    await asyncio.sleep(0.02)
    counting.fail = True
    assert await ks.lookup(plain) is None  # not degraded: a missing record means revoked
    counting.fail, counting.degraded = False, False
    await asyncio.sleep(0.02)
    assert await ks.lookup(plain) is not None
    await asyncio.sleep(0.02)
    counting.fail, counting.degraded = True, True
    assert (await ks.lookup(plain)).key_name == "svc"  # degraded: the stale record is used


def _toml(tmp_path: Path, pfx: str, backend: str = "redis") -> Path:
    p = tmp_path / "proxy.toml"
    p.write_text(f"""
[providers.sim]
type = "openai"
base_url = "http://127.0.0.1:9/v1"
[state]
backend = "{backend}"
redis_url = "redis://127.0.0.1:6379/0"
key_prefix = "{pfx}"
""")
    return p


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "proxy.cli", *args], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1], env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})


async def test_cli_create_list_revoke_and_use_through_the_proxy(tmp_path: Path, sim: Any, redis_url: str) -> None:
    pfx = prefix()
    cfg_path = _toml(tmp_path, pfx)
    try:
        r = await asyncio.to_thread(_cli, "keys", "create", "--config", str(cfg_path), "--tier", "trusted",
                                    "--budget-usd-month", "50", "--name", "ci-bot", "--team", "growth", "--rpm", "3")
        assert r.returncode == 0, r.stderr
        plain = r.stdout.strip().splitlines()[-1]
        assert plain.startswith("sk-bw-") and "ci-bot" in r.stderr
        r = await asyncio.to_thread(_cli, "keys", "list", "-c", str(cfg_path))
        assert r.returncode == 0 and "ci-bot" in r.stdout and "trusted" in r.stdout and "budget_usd_month=50" in r.stdout
        assert plain not in r.stdout
        # The running proxy (same Redis, same prefix) accepts it, with its tier and limits.
        cfg = deep_merge(base_config(sim.url, ["ratelimit"]), {
            "state": {"backend": "redis", "key_prefix": pfx, "timeout_ms": 3000}, "plugins": {"ratelimit": {"abuse": {"enabled": False}}}})
        proxy = await start_proxy(cfg)
        try:
            client = openai_client(proxy.url, key=plain)
            raw = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
            assert raw.headers["x-ratelimit-limit-requests"] == "6"  # rpm 3 x trusted 2.0
            r = await asyncio.to_thread(_cli, "keys", "revoke", "ci-bot", "-c", str(cfg_path))
            assert r.returncode == 0 and "revoked" in r.stdout
            proxy.state.current.auth.keys.invalidate()  # what the 5 s cache TTL does on its own
            with pytest.raises(openai.AuthenticationError):
                await client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        finally:
            await proxy.aclose()
        r = await asyncio.to_thread(_cli, "keys", "revoke", "ci-bot", "-c", str(cfg_path))
        assert r.returncode == 1 and "no runtime key" in r.stderr
    finally:
        await cleanup_redis(RedisState(redis_url, pfx))


async def test_cli_memory_backend_prints_a_config_entry(tmp_path: Path) -> None:
    r = await asyncio.to_thread(_cli, "keys", "create", "-c", str(_toml(tmp_path, prefix(), "memory")), "--name", "demo", "--tier", "new")
    assert r.returncode == 0
    plain = r.stdout.strip().splitlines()[-1]
    assert f'key_sha256 = "{hash_key(plain)}"' in r.stderr and 'tier = "new"' in r.stderr


async def test_key_bytes_that_are_not_utf8_are_refused_not_crashed() -> None:
    from proxy.errors import Unauthorized
    from proxy.keys import is_clean_text

    # aiohttp hands header bytes that are not UTF-8 over as lone surrogates (surrogateescape)
    mangled = b"sk-\xff\xfe".decode("utf-8", "surrogateescape")
    assert not is_clean_text(mangled) and is_clean_text("sk-ünïcode")
    assert hash_key(mangled) == __import__("hashlib").sha256(b"sk-\xff\xfe").hexdigest()  # total: never raises
    ks = KeyStore(AuthConfig(keys=[KeyConfig(name="a", key="sk-a")]))
    with pytest.raises(Unauthorized) as exc:
        await ks.lookup(mangled)
    assert exc.value.status == 401 and "not valid UTF-8" in exc.value.message
    assert await ks.lookup("sk-ünïcode") is None  # valid UTF-8, just unknown
