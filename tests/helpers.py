"""Test harness: the simulated provider and Bulwark in-process on loopback, plus the SDK client.

    sim = await start_simulator()                 # sim.url ends in /v1
    proxy = await start_proxy(base_config(sim.url, plugins=["example"]))
    client = openai_client(proxy.url)             # openai.AsyncOpenAI, max_retries=0
    ...
    await proxy.aclose(); await sim.aclose()
"""
from __future__ import annotations

import copy
import socket
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator

from aiohttp import web

from proxy.app import create_app
from proxy.config import parse_config

TEST_KEYS = [
    {"name": "test", "key": "sk-test", "tier": "standard"},
    {"name": "trusted", "key": "sk-trusted", "tier": "trusted"},
    {"name": "new", "key": "sk-new", "tier": "new"},
]


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def base_config(sim_url: str, plugins: list[str] | None = None, plugin_config: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """A proxy.toml-shaped dict fronting `sim_url`; `plugin_config` becomes `[plugins.*]`,
    `overrides` are deep-merged on top."""
    cfg: dict[str, Any] = {
        "server": {"host": "127.0.0.1", "port": 0},
        "auth": {"mode": "managed", "keys": copy.deepcopy(TEST_KEYS)},
        "providers": {"sim": {"type": "openai", "base_url": sim_url}},
        "state": {"backend": "memory"},
        "chain": {"plugins": list(plugins or [])},
        "plugins": dict(plugin_config or {}),
    }
    return deep_merge(cfg, overrides)


@dataclass
class ProxyServer:
    app: web.Application
    runner: web.AppRunner
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/v1"

    @property
    def state(self) -> Any:
        return self.app["bulwark"]

    @property
    def services(self) -> Any:
        return self.app["bulwark"].current.services

    async def aclose(self) -> None:
        await self.runner.cleanup()


async def start_proxy(cfg: dict[str, Any], config_path: str | None = None, *, shutdown_timeout: float = 5.0) -> ProxyServer:
    config = parse_config(cfg)
    app = create_app(config, config_path)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return ProxyServer(app, runner, port)


async def start_simulator(*args: Any, **fields: Any) -> Any:
    from proxy.simulator import start

    return await start(*args, host="127.0.0.1", port=0, **fields)


_open_clients: list[Any] = []


def openai_client(url: str, key: str = "sk-test", **kw: Any) -> Any:
    """An `openai.AsyncOpenAI` for `url`; closed automatically at the end of the test."""
    import openai

    kw.setdefault("max_retries", 0)
    kw.setdefault("timeout", 30.0)
    client = openai.AsyncOpenAI(base_url=url, api_key=key, **kw)
    _open_clients.append(client)
    return client


async def close_clients() -> None:
    while _open_clients:
        await _open_clients.pop().close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shared_dir() -> Path:
    """The workplace's shared/ folder (conformance tool, recorded fixtures): beside the repo
    in CI and in a checkout under /work; override with BULWARK_SHARED_DIR."""
    import os

    candidates = [os.environ.get("BULWARK_SHARED_DIR", ""), str(Path(__file__).resolve().parent.parent.parent / "shared"), "/work/shared"]
    for c in candidates:
        if c and (Path(c) / "tools" / "openai_conformance.py").exists():
            return Path(c)
    raise RuntimeError("shared/ (with tools/openai_conformance.py) not found beside the repo; set BULWARK_SHARED_DIR")


def finished_requests(proxy: ProxyServer) -> list[Any]:
    """The context (ledger, decisions, response headers) of every request the proxy finishes
    from now on, in order: a test reads what a request did after it settled."""
    telemetry = proxy.services.telemetry
    seen: list[Any] = []
    inner = telemetry.request_finished

    def finished(ctx: Any, *args: Any, **kw: Any) -> Any:
        seen.append(ctx)
        return inner(ctx, *args, **kw)

    telemetry.request_finished = finished
    return seen


@asynccontextmanager
async def bulwark_processes(config_text: str, workdir: Path, n: int = 3, env: dict[str, str] | None = None,
                            ready_timeout: float = 60.0) -> AsyncIterator[list[str]]:
    """`n` real `bulwark serve` processes on one config (replicas behind a load balancer):
    yields their base URLs; every process is stopped (TERM, then KILL) on the way out. Their
    output goes to files in `workdir`, quoted when one does not come up."""
    import asyncio
    import os
    import subprocess
    import sys
    import time

    import aiohttp

    root = Path(__file__).resolve().parent.parent
    cfg = workdir / "replicas.toml"
    cfg.write_text(config_text)
    procs: list[subprocess.Popen[bytes]] = []
    bases: list[str] = []
    logs: list[Path] = []
    try:
        for i in range(n):
            port = free_port()
            logs.append(workdir / f"bulwark-{i}.log")
            with open(logs[-1], "wb") as out:
                procs.append(subprocess.Popen([sys.executable, "-m", "proxy", "serve", "--config", str(cfg), "--port", str(port)],
                                              cwd=root, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT))
            bases.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + ready_timeout
        async with aiohttp.ClientSession() as s:
            for base, proc, log in zip(bases, procs, logs):
                while True:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(f"bulwark at {base} did not become ready:\n{log.read_text(errors='replace')[-3000:]}")
                    try:
                        async with s.get(f"{base}/readyz") as r:
                            if r.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.1)
        yield bases
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                await asyncio.to_thread(p.wait, 20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
