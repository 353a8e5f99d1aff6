"""`bulwark serve --workers 4` without Redis: limits and budgets hold for the process group.

The shipped proxy.toml (memory state), started as a real 4-worker server; the workers share
the supervisor's one in-memory state (proxy.state.shared).
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.helpers import free_port, start_simulator
from tests.shipped import SHIPPED
from tests.test_runtime import wait_healthy

ROOT = Path(__file__).resolve().parent.parent

EXTRA_KEYS = """
[[auth.keys]]
name = "twenty"
key = "sk-twenty"
limits = { rpm = 20, max_concurrent = 50 }

[[auth.keys]]
name = "spender"
key = "sk-spender"
limits = { rpm = 1000, max_concurrent = 50, budget_usd_day = 0.00012 }
"""


async def test_four_workers_share_one_rate_limit_and_budget(tmp_path: Path) -> None:
    sim = await start_simulator()
    cfg = tmp_path / "proxy.toml"
    cfg.write_text(SHIPPED.read_text() + EXTRA_KEYS)
    port = free_port()
    env = {**os.environ, "BULWARK_UPSTREAM_URL": sim.url, "BULWARK_LOCAL_URL": sim.url, "BULWARK_ANTHROPIC_URL": sim.base,
           "BULWARK_DATA_DIR": str(tmp_path / "var"), "PYTHONPATH": str(ROOT)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = subprocess.Popen([sys.executable, "-m", "proxy", "serve", "-c", str(cfg), "--port", str(port), "--workers", "4"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        await wait_healthy(f"http://127.0.0.1:{port}", proc)
        url = f"http://127.0.0.1:{port}/v1/chat/completions"

        async def ask(session: aiohttp.ClientSession, key: str, i: int) -> int:
            body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"question {i}: what is {i} squared?"}],
                    "max_tokens": 20}
            async with session.post(url, json=body, headers={"Authorization": f"Bearer {key}"}) as r:
                await r.read()
                return r.status

        # Each request on a fresh connection, so SO_REUSEPORT spreads them over the workers.
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as s:
            statuses = await asyncio.gather(*(ask(s, "sk-twenty", i) for i in range(60)))
            assert statuses.count(200) == 20, statuses  # one limit for the group, not 4 x 20
            assert set(statuses) <= {200, 429, 403}
            spent = [await ask(s, "sk-spender", i) for i in range(40)]
        # $0.00012 a day: about 8 of these small answers (~$0.000015) fit; 4 workers must not get 4x that.
        assert 0 < spent.count(200) < 20, spent
        assert spent[-1] == 429
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        await sim.aclose()
