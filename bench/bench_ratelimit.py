"""Added latency of the ratelimit plugin per request, with in-memory and Redis state.

Runs the plugin itself around a no-op "upstream" (a ready JSON answer with usage), so the
figure is exactly what the limiter adds: token estimate, abuse signals, one GATE script
(blocks, suspicion score, end-user newness, admission on key + user dimensions) and one
SETTLE script (token settle + concurrency slot release). Sequential requests (latency, not
throughput), after a warm-up.

    python bench/bench_ratelimit.py [--n 5000] [--redis redis://127.0.0.1:6379/0]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from typing import Any

import orjson
from multidict import CIMultiDict

from plugins.ratelimit import RateLimit, RateLimitConfig
from proxy.config import parse_config
from proxy.context import CHAT, Identity, RequestContext
from proxy.response import ProxyResponse
from proxy.services import Services
from proxy.state.memory import MemoryState
from proxy.state.redis import RedisState
from proxy.state.resilient import ResilientState

ANSWER = orjson.dumps({"id": "x", "object": "chat.completion", "created": 0, "model": "gpt-4o-mini",
                       "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}],
                       "usage": {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25}})
BODY = orjson.dumps({"model": "gpt-4o-mini", "user": "bench-user",
                     "messages": [{"role": "system", "content": "You are a helpful assistant."},
                                  {"role": "user", "content": "What is the capital of France? Answer in one word."}]})


async def upstream(ctx: RequestContext) -> ProxyResponse:
    return ProxyResponse(200, {"Content-Type": "application/json"}, body=ANSWER)


def ctx_for(i: int) -> RequestContext:
    return RequestContext(request_id=f"req_{i}", endpoint=CHAT, method="POST", path="/chat/completions", query_string="",
                          headers=CIMultiDict(), raw_body=BODY,
                          identity=Identity(key_id="k_bench", key_name="bench", tier="standard", ip="10.0.0.1"))


async def measure(state: Any, n: int, label: str) -> dict[str, float]:
    cfg = parse_config({"providers": {"sim": {"type": "openai", "base_url": "http://127.0.0.1:9/v1"}}})
    services = Services(config=cfg, state=state)
    plugin = RateLimit(RateLimitConfig(key={"rpm": 10**9, "tpm": 10**12, "max_concurrent": 10**6},
                                       user={"rpm": 10**9, "tpm": 10**12, "max_concurrent": 10**6},
                                       # Every signal is computed, none may fire on this identical traffic.
                                       abuse={"repeat_max": 10**9, "burst_requests": 10**9, "rejected_min_requests": 10**9}), services)
    await plugin.startup()
    for i in range(300):  # warm-up: connections, EVALSHA cache, token-count caches
        await plugin(ctx_for(i), upstream)
    base: list[float] = []
    for i in range(n):  # the same work without the plugin, to subtract the harness
        t0 = time.perf_counter()
        await upstream(ctx_for(i))
        base.append(time.perf_counter() - t0)
    lat: list[float] = []
    ping: list[float] = []
    redis = getattr(getattr(state, "primary", None), "_r", None)
    cpu0 = time.process_time()
    for i in range(n):
        c = ctx_for(i)
        t0 = time.perf_counter()
        resp = await plugin(c, upstream)
        lat.append(time.perf_counter() - t0)
        assert resp.status == 200 and c.decisions["ratelimit"]["risk"]
        await asyncio.sleep(0)  # let the background settle run (it is part of the cost)
    cpu = (time.process_time() - cpu0) / n
    if redis is not None:  # the floor on this machine right now: one PING round trip
        for _ in range(n):
            t0 = time.perf_counter()
            await redis.ping()
            ping.append(time.perf_counter() - t0)
    lat.sort()
    b = statistics.median(base)
    q = lambda xs, p: xs[min(len(xs) - 1, int(p * len(xs)))] * 1000  # noqa: E731
    res = {"p50_ms": q(lat, 0.50) - b * 1000, "p90_ms": q(lat, 0.90) - b * 1000, "p99_ms": q(lat, 0.99) - b * 1000,
           "mean_ms": (statistics.mean(lat) - b) * 1000, "cpu_ms": cpu * 1000}
    print(f"{label:<24} n={n}  p50 {res['p50_ms']:.3f}  p90 {res['p90_ms']:.3f}  p99 {res['p99_ms']:.3f}  mean {res['mean_ms']:.3f} ms"
          f"  | proxy CPU {res['cpu_ms']:.3f} ms/request (GATE + SETTLE)")
    if ping:
        ping.sort()
        print(f"{'  redis PING floor':<24} n={n}  p50 {q(ping, 0.5):.3f}  p90 {q(ping, 0.9):.3f}  p99 {q(ping, 0.99):.3f} ms")
        stats = await redis.info("commandstats")
        for cmd in ("cmdstat_evalsha", "cmdstat_eval"):
            if cmd in stats:
                print(f"{'  redis server time':<24} {cmd[8:]}: {stats[cmd]['usec_per_call']:.1f} us/call over {stats[cmd]['calls']} calls")
    return res


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = ap.parse_args()
    try:
        import uvloop  # noqa: F401
        loop_kind = "uvloop" if isinstance(asyncio.get_running_loop(), __import__("uvloop").Loop) else "asyncio"
    except ImportError:
        loop_kind = "asyncio"
    print(f"event loop: {loop_kind}; load average {' '.join(f'{x:.2f}' for x in __import__('os').getloadavg())} "
          f"on {__import__('os').cpu_count()} CPUs")
    await measure(MemoryState(), args.n, "memory state")
    pfx = f"bulwark-bench-{uuid.uuid4().hex[:8]}"
    primary = RedisState(args.redis, pfx, timeout_ms=250)
    state = ResilientState(primary, "fail_open")
    try:
        await state.startup()
        await measure(state, args.n, "redis state (loopback)")
        assert not state.degraded and state.outages == 0, "Redis failed during the run; figures are not Redis figures"
    finally:
        keys = [k async for k in primary._r.scan_iter(match="{" + pfx + "*", count=1000)]
        if keys:
            await primary._r.delete(*keys)
        await state.aclose()


if __name__ == "__main__":
    import sys

    if "--uvloop" in sys.argv:
        sys.argv.remove("--uvloop")
        import uvloop

        uvloop.install()
    asyncio.run(main())
