"""The demo as a newcomer runs it, and what Bulwark says about unreachable upstreams.

- `bulwark demo --port P --sim-port S` points the shipped config's providers at the simulator on
  S (before, they stayed on :9000 and the human tier answered every request 200).
- A dead upstream is visible: the startup log, `/readyz` (`checks.providers`, ready unless
  `fail_readiness`), `bulwark_provider_up`, and it recovers once the upstream answers.
- The shipped demo keys: `sk-bulwark-demo` survives a first loop, `sk-bulwark-tight` shows limits.
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import aiohttp
import openai
import pytest

from tests.helpers import base_config, free_port, openai_client, start_proxy, start_simulator
from tests.shipped import SHIPPED, shipped_config
from tests.test_observability_metrics import samples, val

ROOT = Path(__file__).resolve().parent.parent
HELLO = [{"role": "user", "content": "Hello!"}]


async def _ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> dict[str, Any]:
    async with aiohttp.ClientSession() as s:
        for _ in range(int(timeout * 10)):
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                async with s.get(base + "/readyz") as r:
                    if r.status == 200:
                        return await r.json()
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("bulwark demo did not become ready")


async def test_demo_points_the_shipped_upstreams_at_its_simulator(tmp_path: Path) -> None:
    port, sim_port = free_port(), free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BULWARK_DATA_DIR": str(tmp_path)}
    for var in ("BULWARK_UPSTREAM_URL", "BULWARK_ANTHROPIC_URL", "BULWARK_LOCAL_URL"):
        env.pop(var, None)
    proc = subprocess.Popen([sys.executable, "-m", "proxy", "demo", "--config", str(SHIPPED), "--port", str(port),
                             "--sim-port", str(sim_port)], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        ready = await _ready(f"http://127.0.0.1:{port}", proc)
        assert ready["checks"]["providers"] == "ok", ready
        client = openai_client(f"http://127.0.0.1:{port}/v1", key="sk-bulwark-demo")
        raw = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=HELLO)
        answer = raw.parse()
        assert "member of our team" not in (answer.choices[0].message.content or "")
        async with aiohttp.ClientSession() as s:
            async with s.get(f"http://127.0.0.1:{sim_port}/sim/requests") as r:
                seen = await r.json()
        paths = [q["path"] for q in seen["requests"]]
        assert "/v1/chat/completions" in paths, seen  # the simulator on --sim-port answered, not :9000
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    log = err.decode()
    assert f"demo: provider sim -> http://127.0.0.1:{sim_port}/v1 (the simulator)" in log
    assert f"demo: provider claude -> http://127.0.0.1:{sim_port} (the simulator)" in log
    assert "LLM providers reachable: sim" in log and "unreachable" not in log
    assert proc.returncode == 0


async def test_unreachable_providers_in_log_readyz_and_metrics(caplog: pytest.LogCaptureFixture) -> None:
    dead_port = free_port()
    cfg = base_config(f"http://127.0.0.1:{dead_port}/v1",
                      providers={"claude": {"type": "anthropic", "base_url": f"http://127.0.0.1:{free_port()}"},
                                 "human": {"type": "human"}},
                      telemetry={"probe": {"interval_seconds": 1, "timeout_seconds": 1}})
    with caplog.at_level(logging.INFO, logger="bulwark.probe"):
        proxy = await start_proxy(cfg)
    sim = None
    try:
        errors = [r for r in caplog.records if r.name == "bulwark.probe" and r.levelno == logging.ERROR]
        assert len(errors) == 1 and "every LLM provider is unreachable: sim (127.0.0.1:" in errors[0].getMessage()
        assert "Connection refused" in errors[0].getMessage()
        assert "claude (127.0.0.1:" in errors[0].getMessage() and "human (" not in errors[0].getMessage()
        async with aiohttp.ClientSession() as s:
            async with s.get(proxy.base + "/readyz") as r:
                body = await r.json()
            # still ready (the human tier answers; failing every replica at once would be an outage)
            assert r.status == 200 and body["checks"]["providers"].startswith("every LLM provider is unreachable: sim")
            async with s.get(proxy.base + "/metrics") as r:
                snap = samples(await r.text())
            assert val(snap, "bulwark_provider_up", provider="sim") == 0.0
            # the upstream comes back: the next probe round sees it
            sim = await _sim_on(dead_port)
            for _ in range(40):
                async with s.get(proxy.base + "/readyz") as r:
                    body = await r.json()
                if body["checks"]["providers"].startswith("unreachable: claude"):
                    break
                await asyncio.sleep(0.1)
            assert body["checks"]["providers"].startswith("unreachable: claude ("), body
            async with s.get(proxy.base + "/metrics") as r:
                assert val(samples(await r.text()), "bulwark_provider_up", provider="sim") == 1.0
    finally:
        await proxy.aclose()
        if sim is not None:
            await sim.aclose()


async def _sim_on(port: int) -> Any:
    from proxy.simulator import start

    return await start(host="127.0.0.1", port=port)


async def test_fail_readiness_when_configured() -> None:
    cfg = base_config(f"http://127.0.0.1:{free_port()}/v1", telemetry={"probe": {"fail_readiness": True, "timeout_seconds": 1}})
    proxy = await start_proxy(cfg)
    try:
        async with aiohttp.ClientSession() as s:
            async with s.get(proxy.base + "/readyz") as r:
                body = await r.json()
        assert r.status == 503 and body["status"] == "not ready" and "unreachable" in body["checks"]["providers"]
    finally:
        await proxy.aclose()


def shipped_keys() -> list[dict[str, Any]]:
    return tomllib.loads(SHIPPED.read_text())["auth"]["keys"]


async def test_shipped_demo_keys(sim: Any, tmp_path: Path) -> None:
    keys = {k["key"]: k for k in shipped_keys()}
    assert set(keys) == {"sk-bulwark-demo", "sk-bulwark-tight"}
    proxy = await start_proxy(shipped_config(sim, tmp_path, keys=shipped_keys()))
    try:
        demo = openai_client(proxy.url, key="sk-bulwark-demo")
        for i in range(45):  # a newcomer's first loop: far past the plugin default of 20 a minute
            await demo.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": f"Hello {i}!"}])
        # ... and a handful at once, past the default of 4 concurrent
        await asyncio.gather(*(demo.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": f"Hi {i}"}])
                               for i in range(8)))
        tight = openai_client(proxy.url, key="sk-bulwark-tight")
        for i in range(3):
            await tight.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": f"Hello {i}!"}])
        with pytest.raises(openai.RateLimitError) as exc:
            await tight.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
        assert exc.value.response.headers.get("retry-after")
    finally:
        await proxy.aclose()
