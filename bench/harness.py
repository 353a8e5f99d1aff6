"""Shared plumbing for the load, soak and chaos runs: processes, configs, traffic, reports.

Bulwark runs as `python -m proxy serve` with the repo's proxy.toml (the full default chain)
pointed at a simulator subprocess; optionally a private redis-server for shared state.
Everything binds to 127.0.0.1 and stops by itself.
"""
from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ADMIN_KEY = "bench-admin-key"
CLIENT_KEY = "sk-bench-load"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cpu: int, argv: list[str]) -> list[str]:
    return ["taskset", "-c", str(cpu), *argv] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else argv


async def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as s:
        while time.monotonic() < deadline:
            try:
                async with s.get(url) as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def bench_config(sim_port: int, redis_port: int | None, extra: str = "", abuse: bool = False, max_concurrent: int | None = None,
                 disable: tuple[str, ...] = ()) -> Path:
    """proxy.toml with the full default chain, a bench client key with room to push load.

    Abuse scoring is off unless asked for: a load generator *is* a burst of near-identical
    prompts from one key, and would (rightly) be blocked within seconds."""
    text = (ROOT / "proxy.toml").read_text()
    if not abuse:
        text = text.replace("[plugins.ratelimit.abuse]\n", "[plugins.ratelimit.abuse]\nenabled = false\n", 1)
    for name in disable:  # e.g. the soak's control run without one plugin
        text = text.replace(f"[plugins.{name}]\n", f"[plugins.{name}]\nenabled = false\n", 1)
    if max_concurrent:
        text = re.sub(r"^max_concurrent_requests = \d+", f"max_concurrent_requests = {max_concurrent}", text, count=1, flags=re.M)
    text = text.replace("http://127.0.0.1:9000", f"http://127.0.0.1:{sim_port}")  # every demo tier is the simulator
    if redis_port:
        text = re.sub(r'backend = "memory"', 'backend = "redis"', text, count=1)
        text = text.replace("${BULWARK_REDIS_URL:-redis://127.0.0.1:6379/0}", f"redis://127.0.0.1:{redis_port}/0")
    text = text.replace("${BULWARK_DATA_DIR:-./var}", tempfile.mkdtemp(prefix="bulwark-bench-"))
    key = f'\n[[auth.keys]]\nname = "bench"\nkey = "{CLIENT_KEY}"\ntier = "trusted"\nlimits = {{ rpm = 10000000, tpm = 10000000000, max_concurrent = 100000, user_rpm = 10000000, user_tpm = 10000000000, user_max_concurrent = 100000, budget_usd_day = 1000000, budget_usd_month = 1000000, user_budget_usd_day = 1000000, user_budget_usd_month = 1000000 }}\n'
    # An [[auth.keys]] entry may come anywhere after [auth] (TOML arrays of tables): append it,
    # so edits to the shipped demo keys never break this.
    path = Path(tempfile.mkstemp(prefix="bulwark-bench-", suffix=".toml")[1])
    path.write_text(text + key + extra)
    return path


@dataclass
class Stack:
    sim_port: int
    proxy_port: int
    redis_port: int | None
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}/v1"

    @property
    def sim_base(self) -> str:
        return f"http://127.0.0.1:{self.sim_port}"

    def pid(self, name: str = "bulwark") -> int:
        return self.procs[name].pid

    async def start_redis(self) -> None:
        assert self.redis_port
        p = subprocess.Popen(["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs["redis"] = p
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.2):
                    return
            except OSError:
                await asyncio.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill_redis(self) -> None:
        p = self.procs.pop("redis", None)
        if p:
            p.kill()
            p.wait()

    async def stop(self) -> None:
        for name, p in list(self.procs.items()):
            if p.poll() is None:
                p.terminate()
        for p in self.procs.values():
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()


async def start_stack(*, redis: bool = False, sim_args: list[str] | None = None, workers: int = 1, extra_config: str = "",
                      max_concurrent: int | None = None, launcher: list[str] | None = None, disable: tuple[str, ...] = ()) -> Stack:
    """`launcher` replaces `-m proxy` for Bulwark (e.g. the soak's tracemalloc wrapper)."""
    st = Stack(free_port(), free_port(), free_port() if redis else None)
    if redis:
        await st.start_redis()
    st.procs["sim"] = subprocess.Popen(pinned(0, [PY, "-m", "proxy", "--log-level", "WARNING", "simulate", "--port", str(st.sim_port), *(sim_args or [])]),
                                       cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    await wait_http(f"{st.sim_base}/v1/models")
    cfg = bench_config(st.sim_port, st.redis_port, extra_config, max_concurrent=max_concurrent, disable=disable)
    env = {**os.environ, "BULWARK_ADMIN_KEY": ADMIN_KEY, "OPENAI_API_KEY": "sk-sim"}
    st.procs["bulwark"] = subprocess.Popen(
        pinned(1, [PY, *(launcher or ["-m", "proxy"]), "--log-level", "WARNING", "serve", "-c", str(cfg), "--port", str(st.proxy_port), "--workers", str(workers)]),
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(tempfile.mkstemp(prefix="bulwark-bench-log-")[1], "w"))
    await wait_http(f"http://127.0.0.1:{st.proxy_port}/readyz", 180)  # a loaded box, or a traced start
    return st


async def runtime(st: Stack) -> dict[str, Any]:
    async with aiohttp.ClientSession() as s:
        async with s.get(f"http://127.0.0.1:{st.proxy_port}/admin/runtime", headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as r:
            return await r.json() if r.status == 200 else {}


def rss_mb(pid: int) -> float:
    total = 0
    pids = [pid]
    try:
        pids += [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            m = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{p}/status").read_text(), re.M)
            total += int(m.group(1)) if m else 0
        except OSError:
            pass
    return total / 1024


PROMPTS = [
    "What is the balance on account 4471? Use the tool result.",
    "Summarise our conversation so far in two sentences.",
    "Write a short poem about lighthouses and fog.",
    "call get_weather for Paris",
    "Explain the difference between TCP and UDP briefly.",
]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]


def request_body(rng: random.Random, stream: bool, kind: str = "chat") -> dict[str, Any]:
    msgs = [{"role": "system", "content": "You are a helpful assistant."}]
    for i in range(rng.randint(0, 6)):
        msgs.append({"role": "user", "content": f"Earlier question {i}: {rng.choice(PROMPTS)}"})
        msgs.append({"role": "assistant", "content": f"Earlier answer {i} with figure {rng.randint(1, 999)}."})
    msgs.append({"role": "user", "content": rng.choice(PROMPTS) + f" (#{rng.randint(0, 10**6)})"})
    body: dict[str, Any] = {"model": "gpt-4o-mini", "messages": msgs, "max_tokens": 64, "user": f"user-{rng.randint(0, 200)}"}
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    if kind == "tools":
        body["tools"] = TOOLS
    return body


@dataclass
class Outcome:
    kind: str  # complete | clean_error | lost
    detail: str
    seconds: float
    ttfb: float | None = None


async def one_request(session: aiohttp.ClientSession, url: str, body: dict[str, Any], headers: dict[str, str] | None = None, timeout: float = 120.0) -> Outcome:
    """Classify one call: complete answer, clean (OpenAI-shaped) error, or lost (hang, cut without an error, garbage)."""
    t0 = time.monotonic()
    h = {"Authorization": f"Bearer {CLIENT_KEY}", **(headers or {})}
    try:
        async with asyncio.timeout(timeout):
            async with session.post(f"{url}/chat/completions", json=body, headers=h) as r:
                if body.get("stream") and r.status == 200:
                    ttfb = None
                    data = b""
                    async for chunk in r.content.iter_any():
                        if ttfb is None:
                            ttfb = time.monotonic() - t0
                        data += chunk
                    elapsed = time.monotonic() - t0
                    if data.rstrip().endswith(b"data: [DONE]"):
                        return Outcome("complete", "stream", elapsed, ttfb)
                    if b'data: {"error"' in data:
                        return Outcome("clean_error", "stream_error_event", elapsed, ttfb)
                    return Outcome("lost", "stream_ended_without_done_or_error", elapsed, ttfb)
                raw = await r.read()
                elapsed = time.monotonic() - t0
                if r.status == 200:
                    return Outcome("complete", "plain", elapsed, elapsed)
                try:
                    import orjson

                    err = orjson.loads(raw)["error"]
                    return Outcome("clean_error", f"{r.status}:{err.get('code') or err.get('type')}", elapsed)
                except Exception:
                    return Outcome("lost", f"{r.status}:unshaped_error", elapsed)
    except TimeoutError:
        return Outcome("lost", "hung", time.monotonic() - t0)
    except (aiohttp.ClientError, ConnectionError) as exc:
        return Outcome("lost", f"connection:{type(exc).__name__}", time.monotonic() - t0)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def summarize(outcomes: list[Outcome]) -> dict[str, Any]:
    by: dict[str, int] = {}
    for o in outcomes:
        by[f"{o.kind}:{o.detail}"] = by.get(f"{o.kind}:{o.detail}", 0) + 1
    secs = [o.seconds for o in outcomes if o.kind == "complete"]
    ttfb = [o.ttfb for o in outcomes if o.kind == "complete" and o.ttfb is not None]
    return {
        "requests": len(outcomes),
        "complete": sum(o.kind == "complete" for o in outcomes),
        "clean_errors": sum(o.kind == "clean_error" for o in outcomes),
        "lost": sum(o.kind == "lost" for o in outcomes),
        "by_kind": dict(sorted(by.items(), key=lambda kv: -kv[1])),
        "p50_s": round(statistics.median(secs), 4) if secs else None,
        "p99_s": round(pct(secs, 99), 4) if secs else None,
        "ttfb_p50_s": round(statistics.median(ttfb), 4) if ttfb else None,
        "ttfb_p99_s": round(pct(ttfb, 99), 4) if ttfb else None,
    }
