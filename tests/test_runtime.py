"""What Kubernetes relies on: graceful SIGTERM drain, SIGHUP hot reload, several workers.

Bulwark runs as a real subprocess (`python -m proxy serve`) in front of the in-process simulator.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parent.parent


def write_config(path: Path, sim_url: str, plugins: list[str], extra: str = "") -> None:
    chain = ", ".join(f'"{p}"' for p in plugins)
    path.write_text(f"""
[server]
host = "127.0.0.1"
shutdown_grace_seconds = 20

[[auth.keys]]
name = "test"
key = "sk-test"

[providers.sim]
type = "openai"
base_url = "{sim_url}"

[chain]
plugins = [{chain}]
{extra}
""")


async def wait_healthy(base: str, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as s:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"bulwark exited early: {proc.stderr.read().decode() if proc.stderr else ''}")
            try:
                async with s.get(f"{base}/readyz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("bulwark did not become ready")


def spawn(config: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "proxy", "serve", "--config", str(config), "--port", str(port), *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Tell me a long story about lighthouses please"}]}
AUTH = {"Authorization": "Bearer sk-test"}


async def test_sigterm_lets_a_long_stream_finish_then_exits_0(sim, tmp_path):
    cfg = tmp_path / "proxy.toml"
    write_config(cfg, sim.url, [])
    port = free_port()
    proc = spawn(cfg, port)
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_healthy(base, proc)
        async with aiohttp.ClientSession() as s:
            async with s.post(f"{base}/v1/chat/completions", json={**CHAT, "stream": True},
                              headers={**AUTH, "x-sim-delay-ms": "150"}) as r:
                first = await r.content.readany()
                assert first.startswith(b"data: ")
                proc.send_signal(signal.SIGTERM)
                await asyncio.sleep(0.3)
                # Draining: the listener is closed, new connections are refused.
                with pytest.raises(aiohttp.ClientConnectionError):
                    async with aiohttp.ClientSession() as s2:
                        async with s2.get(f"{base}/readyz") as r2:
                            await r2.read()
                rest = await r.read()
        body = first + rest
        assert body.rstrip().endswith(b"data: [DONE]"), body[-200:]
        assert b'"error"' not in body
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


async def test_sighup_reloads_and_invalid_file_keeps_old_config(sim, tmp_path):
    cfg = tmp_path / "proxy.toml"
    write_config(cfg, sim.url, [])
    port = free_port()
    proc = spawn(cfg, port)
    base = f"http://127.0.0.1:{port}"

    async def example_header() -> str | None:
        async with aiohttp.ClientSession() as s:
            async with s.post(f"{base}/v1/chat/completions", json=CHAT, headers=AUTH) as r:
                assert r.status == 200
                return r.headers.get("x-bulwark-example")

    async def eventually(expected: str | None) -> None:
        for _ in range(50):
            if await example_header() == expected:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"header never became {expected!r}")

    try:
        await wait_healthy(base, proc)
        assert await example_header() is None
        write_config(cfg, sim.url, ["example"], '[plugins.example]\nvalue = "reloaded"\n')
        proc.send_signal(signal.SIGHUP)
        await eventually("reloaded")
        cfg.write_text(cfg.read_text() + "\n[server]\nport = 'not a number'\n")
        proc.send_signal(signal.SIGHUP)
        await asyncio.sleep(1.0)
        assert await example_header() == "reloaded"  # the old config keeps serving
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
        err = proc.stderr.read().decode() if proc.stderr else ""
        assert "reload refused" in err
    finally:
        if proc.poll() is None:
            proc.kill()


async def test_file_watch_reloads_without_signal(sim, tmp_path):
    cfg = tmp_path / "proxy.toml"
    write_config(cfg, sim.url, [], "")
    cfg.write_text(cfg.read_text().replace('shutdown_grace_seconds = 20', 'shutdown_grace_seconds = 20\nwatch_config = true'))
    port = free_port()
    proc = spawn(cfg, port)
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_healthy(base, proc)
        text = cfg.read_text().replace("plugins = []", 'plugins = ["example"]')
        tmp = tmp_path / "new.toml"
        tmp.write_text(text)
        os.replace(tmp, cfg)  # how a ConfigMap update lands: an atomic swap
        async with aiohttp.ClientSession() as s:
            for _ in range(80):
                async with s.post(f"{base}/v1/chat/completions", json=CHAT, headers=AUTH) as r:
                    if r.headers.get("x-bulwark-example") == "on":
                        break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("config change was not picked up")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


async def test_workers_share_one_port(sim, tmp_path):
    cfg = tmp_path / "proxy.toml"
    write_config(cfg, sim.url, [])
    port = free_port()
    proc = spawn(cfg, port, "--workers", "3")
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_healthy(base, proc, timeout=40)
        children = set()
        deadline = time.monotonic() + 20
        while len(children) < 3 and time.monotonic() < deadline:
            try:
                children = {int(x) for x in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()}
            except OSError:
                children = set()
            await asyncio.sleep(0.2)
        assert len(children) >= 3, children
        async with aiohttp.ClientSession() as s:
            results = await asyncio.gather(*(s.post(f"{base}/v1/chat/completions", json=CHAT, headers=AUTH) for _ in range(30)))
            assert all(r.status == 200 for r in results)
            for r in results:
                r.release()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
