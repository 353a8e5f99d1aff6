"""Response cache benchmark: hit latency against the proxy's floor, and memory per entry.

    python bench/bench_cache.py [--requests 2000] [--no-redis]

1. End to end (separate processes: simulator on CPU 0; Bulwark with an empty chain and
   Bulwark with `chain = ["cache"]` on CPU 1; the client on CPU 0 when `taskset` exists),
   sequential requests (concurrency 1) with a plain aiohttp client, p50/p99 per path:
     direct       client -> simulator, no proxy (reference)
     floor        empty chain -> simulator (the proxy's floor)
     hit          cache chain, the same deterministic request (answered from the cache)
     miss+store   cache chain, a new prompt each time (lookup, upstream, compress, store)
     bypass       cache chain, temperature 1 (not cacheable: the policy check only)
   and the same for streams (floor vs hit, whole stream read).
2. In process: the plugin's own time per hit / miss (no HTTP), plain and streamed.
3. Memory per entry: tracemalloc around 5,000 entries in the in-process LRU (plain-recorded
   and stream-recorded answers of ~80 words), and Redis `MEMORY USAGE` of stored entries
   (a unique key prefix on the local Redis, deleted afterwards).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HEADERS = {"Authorization": "Bearer sk-bench", "Content-Type": "application/json"}


def body(content: str = "Say hello in five words.", temperature: float = 0, stream: bool = False) -> bytes:
    b: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": content}], "temperature": temperature}
    if stream:
        b["stream"] = True
        b["stream_options"] = {"include_usage": True}
    return json.dumps(b).encode()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cpu: int, argv: list[str]) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", str(cpu), *argv]
    return argv


def start(argv: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BULWARK_LOG_LEVEL": "WARNING"}
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def config(sim_port: int, plugins: list[str]) -> str:
    text = (
        '[server]\nhost = "127.0.0.1"\n[auth]\nmode = "managed"\n[[auth.keys]]\nname = "bench"\nkey = "sk-bench"\n'
        f'[providers.sim]\ntype = "openai"\nbase_url = "http://127.0.0.1:{sim_port}/v1"\n'
        "[chain]\nplugins = [" + ", ".join(f'"{p}"' for p in plugins) + "]\n"
    )
    fd, path = tempfile.mkstemp(suffix=".toml", prefix="bulwark-bench-cache-")
    os.write(fd, text.encode())
    os.close(fd)
    return path


async def wait_ready(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as s:
        while time.monotonic() < deadline:
            try:
                async with s.get(url) as r:
                    if r.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


async def measure(s: aiohttp.ClientSession, paths: list[tuple[str, str, Any, str | None]], n: int) -> dict[str, dict[str, float]]:
    """Round-robin over the paths (one request each per round), so load changes on the
    machine hit every path alike; the first tenth of the rounds is warm-up."""
    times: dict[str, list[float]] = {name: [] for name, *_ in paths}
    for i in range(n + n // 10):
        for name, url, bodies, expect in paths:
            t0 = time.perf_counter()
            async with s.post(url, data=bodies(i), headers=HEADERS) as r:
                await r.read()
                status, got = r.status, r.headers.get("x-bulwark-cache")
            dt = time.perf_counter() - t0
            if status != 200 or (expect is not None and got != expect):
                raise RuntimeError(f"{name}: unexpected answer {status} x-bulwark-cache={got} (wanted {expect})")
            if i >= n // 10:
                times[name].append(dt * 1000)
    return {k: {"p50": statistics.median(v), "p99": pct(v, 99), "mean": statistics.fmean(v)} for k, v in times.items()}


async def end_to_end(n: int) -> dict[str, dict[str, float]]:
    sim_port, floor_port, cache_port = free_port(), free_port(), free_port()
    py = sys.executable
    procs = [start(pinned(0, [py, "-m", "proxy.cli", "simulate", "--port", str(sim_port)]))]
    paths = [config(sim_port, []), config(sim_port, ["cache"])]
    procs.append(start(pinned(1, [py, "-m", "proxy.cli", "serve", "--config", paths[0], "--port", str(floor_port)])))
    procs.append(start(pinned(1, [py, "-m", "proxy.cli", "serve", "--config", paths[1], "--port", str(cache_port)])))
    try:
        await wait_ready(f"http://127.0.0.1:{sim_port}/v1/models")
        await wait_ready(f"http://127.0.0.1:{floor_port}/healthz")
        await wait_ready(f"http://127.0.0.1:{cache_port}/healthz")
        floor = f"http://127.0.0.1:{floor_port}/v1/chat/completions"
        cache = f"http://127.0.0.1:{cache_port}/v1/chat/completions"
        same, same_s = body(), body(stream=True)
        conn = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(connector=conn) as s:
            async with s.post(cache, data=same, headers=HEADERS) as r:
                await r.read()
            async with s.post(cache, data=same_s, headers=HEADERS) as r:
                await r.read()
            run = uuid.uuid4().hex[:6]
            direct = f"http://127.0.0.1:{sim_port}/v1/chat/completions"
            out = await measure(s, [
                ("direct", direct, lambda i: same, None),
                ("floor", floor, lambda i: same, None),
                ("hit", cache, lambda i: same, "hit"),
                ("miss+store", cache, lambda i: body(f"prompt {run} {i}"), "miss"),
                ("bypass", cache, lambda i: body(temperature=1), "bypass"),
                ("stream floor", floor, lambda i: same_s, None),
                ("stream hit", cache, lambda i: same_s, "hit"),
            ], n)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        for path in paths:
            os.unlink(path)
    return out


# -- in process ---------------------------------------------------------------------------------
ANSWER = ("The quick brown fox jumps over the lazy dog while the steady servers answer every "
          "request in time, and the cache keeps a copy of each deterministic reply for later. ") * 3


def completion(i: int) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{i:024x}", "object": "chat.completion", "created": 1_700_000_000 + i, "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": f"{i} {ANSWER}", "refusal": None}, "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 25, "completion_tokens": 80, "total_tokens": 105},
        "system_fingerprint": "fp_bench",
    }


def entry(i: int, streamed: bool) -> dict[str, Any]:
    from plugins.cache import chunks_from_completion

    c = completion(i)
    return {"v": 1, "at": time.time(), "c": c, "k": chunks_from_completion(c) if streamed else None}


class _Services:
    def __init__(self) -> None:
        from proxy.metrics import Metrics
        from proxy.services import BackgroundTasks
        from proxy.state.memory import MemoryState

        self.state = MemoryState()
        self.metrics = Metrics()
        self.tasks = BackgroundTasks()
        self.providers: dict[str, Any] = {}
        self.extras: dict[str, Any] = {}
        from proxy.config import parse_config

        self.config = parse_config({"providers": {"sim": {"type": "openai", "base_url": "http://127.0.0.1:1/v1"}}})


async def in_process(n: int) -> dict[str, float]:
    from multidict import CIMultiDict

    from plugins.cache import Cache, CacheConfig
    from proxy.context import RequestContext
    from proxy.response import ProxyResponse

    plugin = Cache(CacheConfig(), _Services())
    raw = body()
    raw_s = body(stream=True)
    answer = completion(0)

    async def upstream(ctx: RequestContext) -> ProxyResponse:
        return ProxyResponse.from_json(answer, provider="sim")

    def ctx(b: bytes) -> RequestContext:
        return RequestContext(request_id="r", endpoint="chat", method="POST", path="/chat/completions", query_string="",
                              headers=CIMultiDict(), raw_body=b, services=plugin.services)

    await plugin(ctx(raw), upstream)  # store
    out: dict[str, float] = {}
    for label, b, stream in (("plugin hit (plain)", raw, False), ("plugin hit (stream, drained)", raw_s, True)):
        times = []
        for _ in range(n):
            c = ctx(b)
            t0 = time.perf_counter()
            r = await plugin(c, upstream)
            if stream:
                async for _ev in r.stream:  # type: ignore[union-attr]
                    pass
            times.append((time.perf_counter() - t0) * 1e6)
        out[label + " p50 us"] = statistics.median(times)
        out[label + " p99 us"] = pct(times, 99)
    times = []
    for i in range(n):
        c = ctx(body(f"miss {i}"))
        t0 = time.perf_counter()
        await plugin(c, upstream)
        times.append((time.perf_counter() - t0) * 1e6)
    out["plugin miss+store p50 us"] = statistics.median(times)
    out["plugin miss+store p99 us"] = pct(times, 99)
    return out


def memory(n: int = 5000) -> dict[str, float]:
    from plugins.cache import ENTRY_OVERHEAD, ByteLRU, encode_entry
    from plugins.cache import key as cachekey

    out: dict[str, float] = {}
    for streamed in (False, True):
        blobs = [encode_entry(entry(i, streamed), 1, 512) for i in range(n)]
        keys = [cachekey.entry_key("k:k_0123456789abcdef", cachekey.request_digest({"i": i})) for i in range(n)]
        raw_json = sum(len(json.dumps(entry(i, streamed))) for i in range(20)) / 20
        lru = ByteLRU(10**10)
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        for k, b in zip(keys, blobs):
            lru.set(k, b, 3600)
        used = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()
        tag = "stream-recorded" if streamed else "plain-recorded"
        blob = sum(len(b) for b in blobs) / n
        out[f"{tag}: entry JSON bytes"] = raw_json
        out[f"{tag}: compressed blob bytes"] = blob
        # The blobs existed before the LRU: tracemalloc sees the bookkeeping only, so add them.
        out[f"{tag}: memory per entry bytes"] = blob + used / n
        out[f"{tag}: bookkeeping per entry bytes (ENTRY_OVERHEAD={ENTRY_OVERHEAD} + key)"] = used / n
    return out


async def redis_memory(url: str, n: int = 200) -> dict[str, float]:
    import redis.asyncio as aioredis

    from plugins.cache import encode_entry
    from proxy.state.redis import RedisState

    prefix = f"bench-cache-{uuid.uuid4().hex[:8]}"
    st = RedisState(url, prefix)
    r = aioredis.Redis.from_url(url)
    out: dict[str, float] = {}
    try:
        for streamed in (False, True):
            total = 0
            for i in range(n):
                key = f"cache:k:k_0123456789abcdef:{i:032x}"
                await st.set(key, encode_entry(entry(i, streamed), 1, 512), ttl=600)
                total += await r.memory_usage(st.k(key)) or 0
            out[("stream" if streamed else "plain") + "-recorded: Redis MEMORY USAGE per entry bytes"] = total / n
    finally:
        async for k in r.scan_iter(match=f"{{{prefix}}}:*"):
            await r.delete(k)
        await r.aclose()
        await st.aclose()
    return out


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--no-redis", action="store_true")
    ap.add_argument("--redis-url", default=os.environ.get("BULWARK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = ap.parse_args()

    e2e = await end_to_end(args.requests)
    print(f"End to end, concurrency 1, {args.requests} requests per path (ms):")
    for k, v in e2e.items():
        print(f"  {k:<14} p50 {v['p50']:.3f}  p99 {v['p99']:.3f}  mean {v['mean']:.3f}")
    for a, b in (("hit", "direct"), ("floor", "direct"), ("hit", "floor"), ("stream hit", "stream floor"), ("miss+store", "floor"), ("bypass", "floor")):
        print(f"  {a} - {b}: p50 {e2e[a]['p50'] - e2e[b]['p50']:+.3f} ms, p99 {e2e[a]['p99'] - e2e[b]['p99']:+.3f} ms")
    print("In process (plugin only, no HTTP):")
    for k, v in (await in_process(args.requests)).items():
        print(f"  {k:<36} {v:8.1f}")
    print("Memory per entry (answer of ~80 tokens):")
    for k, v in memory().items():
        print(f"  {k:<70} {v:8.0f}")
    if not args.no_redis:
        try:
            for k, v in (await redis_memory(args.redis_url)).items():
                print(f"  {k:<70} {v:8.0f}")
        except Exception as exc:
            print(f"  Redis: skipped ({exc})")


if __name__ == "__main__":
    asyncio.run(main())
