"""A Redis outage in the middle of paid traffic: frozen (SIGSTOP), thawed (SIGCONT), killed
(kill -9) and restarted. With `fail_open`, requests keep being served on local state; when
Redis answers again the shared ledger holds exactly what the provider billed — nothing spent
during the outage is lost, nothing reserved on one side is settled against the other, and
nothing is counted twice (a settle replayed after a timeout that did reach Redis).

The private Redis runs with an append-only file fsynced on every write, as money state should
(a Redis restarted without persistence has forgotten everything, outage or not).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import shutil
import signal
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import openai
import pytest
import redis.asyncio as aredis

from proxy.plugin import Plugin
from proxy.pricing import Pricing
from tests.helpers import TEST_KEYS, free_port, openai_client, start_proxy, start_simulator
from tests.shipped import shipped_config

PRICING = Pricing()


class OutageProbe(Plugin):
    name = "outage_probe"
    seen: list[Any] = []

    async def __call__(self, ctx: Any, call_next: Any) -> Any:
        OutageProbe.seen.append(ctx)
        return await call_next(ctx)


_mod = types.ModuleType("plugins.outage_probe")
_mod.OutageProbe = OutageProbe  # type: ignore[attr-defined]
sys.modules["plugins.outage_probe"] = _mod


def start_redis(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail("this test needs the redis-server binary (it starts a private one to freeze and kill)")
    return subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
                             "--appendfsync", "always", "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def wait_redis(url: str) -> None:
    client = aredis.Redis.from_url(url, socket_timeout=0.5)
    try:
        for _ in range(100):
            try:
                if await client.ping():
                    return
            except Exception:  # noqa: BLE001 - not up yet
                pass
            await asyncio.sleep(0.05)
        raise AssertionError("private redis did not start")
    finally:
        await client.aclose()


async def test_shared_ledger_equals_true_spend_after_freeze_thaw_and_kill(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    rd = start_redis(port, tmp_path)
    sim = await start_simulator(stream_delay_ms=1)
    OutageProbe.seen.clear()
    keys = [*[dict(k) for k in TEST_KEYS], {"name": "payer", "key": "sk-payer", "tier": "trusted",
            "limits": {"rpm": 100_000, "tpm": 100_000_000, "max_concurrent": 500, "budget_usd_day": 50.0}}]
    cfg = shipped_config(sim, tmp_path, keys=keys, state={"backend": "redis", "redis_url": url, "key_prefix": "outage",
                                                         "timeout_ms": 150, "on_failure": "fail_open"})
    cfg["chain"]["plugins"] = ["outage_probe", *cfg["chain"]["plugins"]]
    cfg["plugins"]["ratelimit"]["abuse"]["enabled"] = False
    proxy = None
    try:
        await wait_redis(url)
        proxy = await start_proxy(cfg)
        client = openai_client(proxy.url, key="sk-payer", timeout=30)
        stop = asyncio.Event()
        served = 0

        async def load(worker: int) -> None:
            nonlocal served
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    await client.chat.completions.create(model="gpt-4o-mini", max_tokens=30,
                                                         messages=[{"role": "user", "content": f"worker {worker} request {i}"}])
                    served += 1
                except openai.APIError:
                    pass  # an answer refused during the outage is fine; a lost dollar is not
                await asyncio.sleep(0.01)

        workers = [asyncio.create_task(load(w)) for w in range(6)]
        await asyncio.sleep(1.0)
        rd.send_signal(signal.SIGSTOP)  # frozen: every call times out
        await asyncio.sleep(1.5)
        rd.send_signal(signal.SIGCONT)  # thawed: it executes what queued up on its sockets
        await asyncio.sleep(1.5)
        rd.kill()  # kill -9 mid-load
        rd.wait()
        await asyncio.sleep(1.0)
        rd = start_redis(port, tmp_path)  # back, with its append-only file
        await wait_redis(url)
        await asyncio.sleep(2.5)  # past the cool-down: Redis answers again, queued settles replay
        stop.set()
        await asyncio.gather(*workers)
        await client.chat.completions.create(model="gpt-4o-mini", max_tokens=5, messages=[{"role": "user", "content": "after"}])
        state = proxy.services.state
        for _ in range(200):
            if all(c.ledger.settled for c in OutageProbe.seen) and not len(proxy.services.tasks) and not state._replay:
                break
            await asyncio.sleep(0.05)
            await state.ping() and await state.get("nudge")  # an op that replays queued settles
        assert served > 20 and state.outages >= 1
        billed = sum(PRICING.cost(b.model, b.prompt_tokens, b.completion_tokens, b.cached_tokens) for b in sim.billing)
        charged = sum(c.ledger.cost_usd for c in OutageProbe.seen)
        day = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d")
        kid = "k_" + hashlib.sha256(b"sk-payer").hexdigest()[:16]
        direct = aredis.Redis.from_url(url)
        raw = await direct.get("{outage:" + kid + "}:bud:day:" + day)  # straight from Redis, not via Bulwark
        await direct.aclose()
        recorded = float(raw or 0)
        assert abs(charged - billed) <= 0.01 * billed, (charged, billed)
        assert abs(recorded - billed) <= 0.01 * billed, (recorded, billed, state.replayed, state.replay_dropped)
    finally:
        if proxy is not None:
            await proxy.aclose()
        await sim.aclose()
        if rd.poll() is None:
            rd.kill()
        rd.wait()
