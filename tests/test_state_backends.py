"""The state backends: memory and Redis with the same cases, the EVAL fallback, hash tags,
journals, and the fail-open / fail-closed policy against a private redis-server we stop."""
from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from redis.exceptions import ResponseError

from plugins.ratelimit.gcra import GATE
from proxy.config import StateConfig
from proxy.errors import ServiceUnavailable
from proxy.state.base import Script, StateError
from proxy.state.factory import create_state
from proxy.state.lua import decode
from proxy.state.memory import MemoryState
from proxy.state.redis import RedisState, tag_key, untag_key
from proxy.state.resilient import ResilientState
from tests.rl_support import OwnRedis, cleanup_redis, make_backend, prefix

import asyncio
import orjson


@pytest.fixture(params=["memory", "redis"])
async def backend(request: Any, tmp_path: Any) -> Any:
    st = await make_backend(request.param, tmp_path)
    yield st
    await cleanup_redis(st)


@pytest.fixture
async def private_redis() -> Any:
    r = OwnRedis()
    await asyncio.to_thread(r.start)
    yield r
    r.stop()


class Metrics:
    def __init__(self) -> None:
        self.counts: dict[tuple[str, tuple[Any, ...]], float] = {}

    def inc(self, name: str, amount: float = 1.0, **labels: Any) -> None:
        key = (name, tuple(sorted(labels.items())))
        self.counts[key] = self.counts.get(key, 0) + amount

    def total(self, name: str) -> float:
        return sum(v for (n, _), v in self.counts.items() if n == name)

    def observe(self, *a: Any, **k: Any) -> None: ...
    def set(self, *a: Any, **k: Any) -> None: ...


async def test_plain_ops(backend: Any) -> None:
    assert await backend.get("a") is None
    await backend.set("a", b"1")
    assert await backend.get("a") == b"1"
    await backend.set("t", b"x", ttl=0.05)
    assert await backend.get("t") == b"x"
    await asyncio.sleep(0.08)
    assert await backend.get("t") is None
    assert await backend.incr("n", 2.5, ttl=60) == 2.5
    assert await backend.incr("n", 1) == 3.5
    await backend.delete("a", "n")
    assert await backend.get("a") is None and await backend.get("n") is None
    await backend.set("keys:rec:1", b"a")
    await backend.set("keys:rec:2", b"b")
    await backend.set("{k_1}:rl:r", b"c")
    assert sorted(await backend.scan("keys:rec:*")) == ["keys:rec:1", "keys:rec:2"]


async def test_journal(backend: Any) -> None:
    j = backend.journal("review")
    a = await j.append({"kind": "x", "n": 1})
    b = await j.append({"kind": "y", "n": 2})
    assert (await j.get(a))["n"] == 1
    assert [r["id"] for r in await j.list()] == [b, a]  # newest first
    assert await j.update(a, {"status": "resolved", "note": "ok"})
    assert not await j.update("nope", {"status": "x"})
    got = await j.get(a)
    assert got["status"] == "resolved" and got["note"] == "ok" and got["kind"] == "x"
    assert [r["id"] for r in await j.list(status="open")] == [b]
    assert await j.count() == 2 and await j.count("resolved") == 1


def test_hash_tags() -> None:
    assert tag_key("bw", "rl:x") == "{bw}:rl:x"
    assert tag_key("bw", "{k_abc}:rl:x") == "{bw:k_abc}:rl:x"
    assert untag_key("bw", "{bw:k_abc}:rl:x") == "{k_abc}:rl:x"
    assert untag_key("bw", "{bw}:rl:x") == "rl:x"


async def test_redis_keys_share_a_slot_per_tag(redis_url: str) -> None:
    st = RedisState(redis_url, prefix())
    try:
        from redis.crc import key_slot

        a, b = st.k("{k_1}:rl:r"), st.k("{k_1}:ab:u:alice:s")
        assert key_slot(a.encode()) == key_slot(b.encode())
    finally:
        await st.aclose()


async def test_redis_commands_asked_together_share_one_round_trip(redis_url: str) -> None:
    """Scripts, GETs and SETs issued in one loop iteration go as one pipeline; each caller gets
    its own answer, and a failing Script fails only its own caller."""
    st = RedisState(redis_url, prefix())
    try:
        echo = Script("t_echo2", "return ARGV[1]", lambda store, k, a: a[0])
        boom = Script("t_boom", "return redis.call('INCR', KEYS[1])", lambda store, k, a: 0)
        await st.run(echo, ["x"], ["warm"])  # first runs: NOSCRIPT, then EVAL caches them
        await st.run(boom, ["counter"], [])
        await st.set("plain", b"v0")  # a non-number: INCR fails in Redis
        before = st.round_trips
        got = await asyncio.gather(st.run(echo, ["x"], ["a"]), st.get("plain"), st.set("other", b"w", ttl=5),
                                   st.run(boom, ["plain"], []), st.run(echo, ["y"], ["b"]), return_exceptions=True)
        assert st.round_trips - before == 1
        assert got[0] == b"a" and got[1] == b"v0" and got[2] is None and got[4] == b"b"
        assert isinstance(got[3], StateError) and "t_boom" in str(got[3])
        assert await st.get("other") == b"w"
        # Sequential calls are not held back: one flight each.
        before = st.round_trips
        assert await st.run(echo, ["x"], ["c"]) == b"c"
        assert await st.get("other") == b"w"
        assert st.round_trips - before == 2
    finally:
        await cleanup_redis(st)


async def test_eval_fallback_when_evalsha_is_refused(redis_url: str) -> None:
    """Behind Redis proxies that block EVALSHA/SCRIPT LOAD, scripts still run (with EVAL)."""
    st = RedisState(redis_url, prefix())
    try:
        calls = {"evalsha": 0}
        send = st._r.execute_command

        async def refuse(*a: Any, **k: Any) -> Any:  # a proxy in front of Redis that blocks EVALSHA
            if a[0] == "EVALSHA":
                calls["evalsha"] += 1
                raise ResponseError("ERR unknown command 'EVALSHA'")
            return await send(*a, **k)

        st._r.execute_command = refuse  # type: ignore[method-assign]
        s = Script("t_echo", "return ARGV[1]", lambda store, k, a: a[0])
        assert await st.run(s, ["x"], ["hi"]) == b"hi"
        assert await st.run(s, ["x"], ["again"]) == b"again"
        assert calls["evalsha"] == 1  # learned once, EVAL from then on
    finally:
        await cleanup_redis(st)


async def test_noscript_first_run_uses_eval(redis_url: str) -> None:
    st = RedisState(redis_url, prefix())
    try:
        unique = Script("t_unique", f"return '{prefix()}'", lambda store, k, a: None)
        assert (await st.run(unique, ["x"], [])).startswith(b"bulwark-test-")
        assert (await st.run(unique, ["x"], [])).startswith(b"bulwark-test-")  # now via EVALSHA
    finally:
        await cleanup_redis(st)


def _gate_args(now: float) -> list[Any]:
    return [orjson.dumps({"now": now, "tier": "standard", "mults": {"standard": 1}, "window": 60, "cost": 1,
                          "lease": "l", "lease_exp": now + 10, "dims": [[1, 5, 0, 3, 0]]})]


@pytest.mark.parametrize("policy", ["fail_open", "fail_closed"])
async def test_redis_stopped_applies_policy_fast(private_redis: OwnRedis, policy: str, caplog: Any) -> None:
    m = Metrics()
    st = ResilientState(RedisState(private_redis.url, prefix(), timeout_ms=100), policy, cooldown=0.3, metrics=m)
    keys = ["{k}:r", "{k}:t", "{k}:c"]
    r = decode(await st.run(GATE, keys, _gate_args(time.time())))
    assert r["ok"] and not st.degraded
    private_redis.stop()
    caplog.set_level(logging.WARNING, logger="bulwark.state")
    for _ in range(5):
        t0 = time.monotonic()
        if policy == "fail_open":
            r = decode(await st.run(GATE, keys, _gate_args(time.time())))
            assert r["ok"]  # served by the local fallback
        else:
            with pytest.raises(ServiceUnavailable) as ei:
                await st.run(GATE, keys, _gate_args(time.time()))
            assert ei.value.status == 503 and "fail_closed" in ei.value.message
            assert ei.value.headers["retry-after"] == "1"
        assert time.monotonic() - t0 < 0.6  # never hangs
    assert st.degraded
    assert m.total("bulwark_redis_errors_total") == 1  # one failed try; the cool-down skips Redis
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1  # warned once per outage
    # Redis comes back: after the cool-down the wrapper uses it again.
    await asyncio.to_thread(private_redis.start)
    await asyncio.sleep(0.35)
    r = decode(await st.run(GATE, keys, _gate_args(time.time())))
    assert r["ok"] and not st.degraded
    await st.aclose()


async def test_factory(tmp_path: Any, redis_url: str) -> None:
    mem = create_state(StateConfig(backend="memory", data_dir=str(tmp_path)))
    assert isinstance(mem, MemoryState)
    red = create_state(StateConfig(backend="redis", redis_url=redis_url, key_prefix=prefix(), on_failure="fail_closed", timeout_ms=50))
    assert isinstance(red, ResilientState) and red.policy == "fail_closed" and red.primary.timeout == 0.05
    assert await red.ping()
    await red.aclose()


async def test_settles_missed_during_an_outage_are_replayed(private_redis: OwnRedis) -> None:
    """A slot taken in Redis before an outage is freed in Redis after it, not at lease expiry."""
    from plugins.ratelimit.gcra import SETTLE

    st = ResilientState(RedisState(private_redis.url, prefix(), timeout_ms=100), "fail_open", cooldown=0.2)
    keys = ["{k}:rl", "{k}:rl:c"]

    def gate_args(lease: str) -> list[Any]:
        now = time.time()
        return [orjson.dumps({"now": now, "tier": "standard", "mults": {"standard": 1}, "window": 60, "cost": 1,
                              "lease": lease, "lease_exp": now + 600, "dims": [[1, 0, 0, 2, 1]]})]

    assert decode(await st.run(GATE, keys, gate_args("a")))["ok"]  # the only slot, in Redis
    assert not decode(await st.run(GATE, keys, gate_args("b")))["ok"]
    private_redis.stop()
    settle = [orjson.dumps({"now": time.time(), "window": 60, "lease": "a", "tokens": [], "conc": [2]})]
    await st.run(SETTLE, keys, settle)  # Redis is down: served locally, queued for replay
    assert st.degraded and len(st._replay) == 1
    await asyncio.to_thread(private_redis.start)  # an empty Redis: re-take the slot as if it had survived
    await st.primary.run(GATE, keys, gate_args("a"))
    await asyncio.sleep(0.25)
    # The first call after the cool-down still sees lease "a", then replays the queued settle.
    assert decode(await st.run(GATE, keys, gate_args("c")))["ok"] is False
    assert st.replayed == 1 and not st.degraded and not st._replay
    assert decode(await st.run(GATE, keys, gate_args("d")))["ok"]  # lease "a" is gone from Redis
    await st.aclose()


async def test_concurrent_replays_after_an_outage_never_double_apply_or_crash() -> None:
    """Many requests finish at once right after Redis comes back: each queued settle is
    replayed exactly once and no request fails because of the replay (found by bench/chaos.py)."""
    import asyncio as _asyncio

    from proxy.state.base import Script
    from proxy.state.memory import MemoryState
    from proxy.state.resilient import ResilientState

    calls: list[str] = []

    class SlowPrimary(MemoryState):
        name = "slow"

        async def run(self, script, keys, args):  # type: ignore[override]
            await _asyncio.sleep(0.01)  # a real round trip: other tasks run meanwhile
            calls.append(keys[0])
            return 1

    state = ResilientState(SlowPrimary(), "fail_open")
    noop = Script("settle", "return 1", lambda store, keys, args: 1)
    for i in range(20):
        state._replay.append((noop, [f"k{i}"], []))
    results = await _asyncio.gather(*(state.get(f"x{i}") for i in range(30)), return_exceptions=True)
    assert not [r for r in results if isinstance(r, BaseException)]
    for _ in range(10):
        await state.get("drain")
    assert sorted(calls) == sorted(f"k{i}" for i in range(20))  # each exactly once
