"""Throughput and latency of the simulated provider alone (it is the upstream in every benchmark).

    python bench/sim_throughput.py [--requests 5000] [--concurrency 32] [--messages 20]

Starts `proxy.simulator.run` in a subprocess (one core, uvloop), then drives it from this
process with aiohttp: plain chat, streamed chat (include_usage), embeddings, Anthropic stream.
A `floor` row first: a bare aiohttp handler (uvloop) answering a constant 600-byte JSON body,
so the simulator's own cost reads as the difference in server CPU per request.
Prints req/s and client-side p50/p99 per scenario. Not a test; numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time

import aiohttp

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_up(base: str) -> None:
    async with aiohttp.ClientSession() as s:
        for _ in range(200):
            try:
                async with s.get(base + "/sim/health") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise SystemExit("simulator did not start")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc), to report server CPU per request regardless of
    what else the machine is doing."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def scenario(base: str, pid: int, name: str, path: str, body: dict, n: int, conc: int, extra: dict | None = None) -> None:
    data = json.dumps(body).encode()
    headers = {"content-type": "application/json", **(extra or {})}
    lat: list[float] = []
    conn = aiohttp.TCPConnector(limit=conc)
    async with aiohttp.ClientSession(connector=conn) as s:
        todo = iter(range(n))

        async def worker() -> None:
            for _ in todo:
                t0 = time.perf_counter()
                async with s.post(base + path, data=data, headers=headers) as r:
                    async for _chunk in r.content.iter_any():
                        pass
                    assert r.status == 200, r.status
                lat.append(time.perf_counter() - t0)

        for _ in range(min(200, n)):  # warm-up (token caches, connections)
            async with s.post(base + path, data=data, headers=headers) as r:
                await r.read()
        t0, c0 = time.perf_counter(), cpu_seconds(pid)
        await asyncio.gather(*(worker() for _ in range(conc)))
        wall, cpu = time.perf_counter() - t0, cpu_seconds(pid) - c0
    lat.sort()
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    print(f"{name:<28} {n / wall:>7.0f} req/s  p50 {p(0.5):6.2f} ms  p99 {p(0.99):6.2f} ms  server CPU {cpu / n * 1e6:5.0f} us/req")


FLOOR = """
import sys, uvloop
from aiohttp import web
body = b'{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"' + b'word ' * 100 + b'"}}]}'
async def chat(req):
    await req.read()
    return web.Response(body=body, content_type="application/json")
async def health(req):
    return web.Response(text="ok")
app = web.Application()
app.router.add_post("/v1/chat/completions", chat)
app.router.add_get("/sim/health", health)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None, loop=uvloop.new_event_loop())
"""


async def floor(chat: dict, n: int, conc: int) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", FLOOR, str(port)], stdout=subprocess.DEVNULL)
    try:
        await wait_up(f"http://127.0.0.1:{port}")
        await scenario(f"http://127.0.0.1:{port}", proc.pid, "floor (bare aiohttp)", "/v1/chat/completions", chat, n, conc)
    finally:
        proc.terminate()
        proc.wait(timeout=5)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--messages", type=int, default=20, help="messages in the chat history")
    a = ap.parse_args()
    port = free_port()
    code = f"from proxy.simulator import run, SimulatorConfig; run('127.0.0.1', {port}, SimulatorConfig(max_recorded=0))"
    env = {**os.environ, "PYTHONPATH": ROOT}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_up(base)
        msgs = [{"role": "user" if i % 2 == 0 else "assistant", "content": f"Message {i}: " + "some words of history " * 10}
                for i in range(a.messages - 1)] + [{"role": "user", "content": "What is the capital of France?"}]
        chat = {"model": "gpt-4o-mini", "messages": msgs}
        print(f"simulator pid {proc.pid}, {a.requests} requests, concurrency {a.concurrency}, history {a.messages} messages")
        await floor(chat, a.requests, a.concurrency)
        await scenario(base, proc.pid, "chat plain", "/v1/chat/completions", chat, a.requests, a.concurrency)
        await scenario(base, proc.pid, "chat stream (usage)", "/v1/chat/completions",
                       {**chat, "stream": True, "stream_options": {"include_usage": True}}, a.requests, a.concurrency)
        await scenario(base, proc.pid, "embeddings (base64, 1536)", "/v1/embeddings",
                       {"model": "text-embedding-3-small", "input": "hello", "encoding_format": "base64", "dimensions": 1536},
                       a.requests, a.concurrency)
        await scenario(base, proc.pid, "anthropic messages stream", "/v1/messages",
                       {"model": "claude-sim", "max_tokens": 100, "messages": msgs[-1:], "stream": True},
                       a.requests, a.concurrency, {"x-api-key": "k", "anthropic-version": "2023-06-01"})
    finally:
        proc.terminate()
        proc.wait(timeout=5)


if __name__ == "__main__":
    asyncio.run(main())
