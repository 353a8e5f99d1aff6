"""Chaos run of the fallback cascade: a primary that fails at random, thousands of requests.

    python bench/chaos_fallback.py --requests 3000 --concurrency 32 --fault-rate 0.3 [--continue]

Everything runs on loopback in one process: three simulators (primary OpenAI face with seeded
random faults: errors, timeouts, resets, cuts, stalls, malformed and error events; a healthy
Anthropic face; a llama-style OpenAI face with a few errors of its own), Bulwark with the
fallback plugin (primary -> claude -> llama -> rules -> human), and an aiohttp client
sending half plain and half streamed requests. Each answer is classified:

    complete     plain: 200 chat.completion with a finish_reason; stream: a finish_reason chunk and [DONE]
    clean_error  plain: an OpenAI-shaped error body; stream: ends with `data: {"error": ...}`
    broken       anything else (a stream that ends quietly without [DONE], invalid JSON...)
    hung         no answer within --client-timeout seconds

The run fails (exit 1) when any answer is broken or hung.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from proxy.simulator import start as start_simulator  # noqa: E402
from tests.helpers import base_config, start_proxy  # noqa: E402

FAULTS = ["500", "503", "429", "529", "timeout", "reset", "cut=0", "cut=4", "stall=4", "malformed=4", "error_event=4"]


class Counts:
    def __init__(self) -> None:
        self.counts: Counter[tuple[str, ...]] = Counter()
        self.breaker_opens = 0

    def inc(self, name: str, amount: float = 1.0, **labels: Any) -> None:
        if name == "bulwark_fallback_activations_total":
            self.counts[(labels["from_provider"], labels["to_provider"], labels["reason"])] += int(amount)

    def observe(self, *a: Any, **k: Any) -> None:
        pass

    def set(self, name: str, value: float, **labels: Any) -> None:
        if name == "bulwark_breaker_state" and value == 2:
            self.breaker_opens += 1


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


async def one(session: aiohttp.ClientSession, url: str, i: int, stream: bool, timeout: float) -> tuple[str, str, int, float]:
    """(outcome, provider, fallbacks, seconds)."""
    body: dict[str, Any] = {"model": "gpt-4", "messages": [{"role": "user", "content": f"Question {i}: tell me about rivers and harbors"}]}
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            async with session.post(url, data=orjson.dumps(body), headers={"Authorization": "Bearer sk-test", "Content-Type": "application/json"}) as r:
                provider = r.headers.get("x-bulwark-provider", "-")
                fallbacks = int(r.headers.get("x-bulwark-fallbacks", "0") or 0)
                raw = await r.read()
    except TimeoutError:
        return "hung", "-", 0, time.monotonic() - started
    except aiohttp.ClientError:
        return "broken", "-", 0, time.monotonic() - started
    took = time.monotonic() - started
    if r.status != 200:
        try:
            err = orjson.loads(raw)["error"]
            ok = isinstance(err, dict) and "message" in err and "type" in err
        except (orjson.JSONDecodeError, KeyError, TypeError):
            ok = False
        return ("clean_error" if ok else "broken"), provider, fallbacks, took
    if not stream:
        try:
            obj = orjson.loads(raw)
            done = bool(obj["choices"][0]["finish_reason"]) and obj["object"] == "chat.completion"
        except (orjson.JSONDecodeError, KeyError, IndexError, TypeError):
            done = False
        return ("complete" if done else "broken"), provider, fallbacks, took
    events = [e[len(b"data: "):] for e in raw.replace(b"\r\n", b"\n").split(b"\n\n") if e.startswith(b"data: ")]
    if not events:
        return "broken", provider, fallbacks, took
    if events[-1] == b"[DONE]":
        finished = any(b'"finish_reason":"' in e for e in events[:-1])
        return ("complete" if finished else "broken"), provider, fallbacks, took
    try:
        last = orjson.loads(events[-1])
    except orjson.JSONDecodeError:
        return "broken", provider, fallbacks, took
    return ("clean_error" if isinstance(last, dict) and "error" in last else "broken"), provider, fallbacks, took


async def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("BENCH_ANTHROPIC_KEY", "sk-ant-bench")
    primary = await start_simulator(seed=args.seed, fault_rate=args.fault_rate, fault_kinds=FAULTS, stream_delay_ms=1, max_recorded=0)
    claude = await start_simulator(seed=args.seed + 1, max_recorded=0)
    llama = await start_simulator(seed=args.seed + 2, fault_rate=0.05, fault_kinds=["503"], max_recorded=0)
    timeouts = {"connect": 1.0, "first_byte": args.first_byte, "idle": args.idle, "total": 20.0}
    data_dir = tempfile.mkdtemp(prefix="bulwark-chaos-")
    cfg = base_config(primary.url, plugins=["fallback"], providers={
        "primary": {"type": "openai", "base_url": primary.url, "timeouts": timeouts},
        "claude": {"type": "anthropic", "base_url": claude.base, "api_key_env": "BENCH_ANTHROPIC_KEY", "timeouts": timeouts},
        "llama": {"type": "openai", "base_url": llama.url, "timeouts": timeouts},
        "rules": {"type": "rules", "options": {"default_answer": "Degraded service: please retry shortly."}},
        "human": {"type": "human", "options": {}},
    }, state={"backend": "memory", "data_dir": data_dir}, server={"max_concurrent_requests": 4096})
    cfg["plugins"] = {"fallback": {
        "stream_mode": "continue" if args.continue_mode else "error",
        "retry": {"max_attempts": 2, "base_delay": 0.05, "max_delay": 0.5, "max_retry_after": 1.0, "budget_seconds": 5},
        "breaker": {"min_requests": 20, "error_rate": 0.6, "cooldown_seconds": 2, "window_seconds": 10},
        "chains": {"gpt-4": {"deadline_seconds": 15, "steps": [
            # A per-attempt bound: a plain answer that stalls after its headers is only caught by it.
            {"provider": "primary", "model": "gpt-4", "timeout": args.step_timeout},
            {"provider": "claude", "model": "claude-3-5-haiku"},
            {"provider": "llama", "model": "llama-3"},
            {"provider": "rules"},
            {"provider": "human"},
        ]}},
    }}
    proxy = await start_proxy(cfg)
    counts = Counts()
    proxy.services.metrics = counts
    next(p for p in proxy.services.plugins if p.name == "fallback").breakers.metrics = counts
    url = proxy.url + "/chat/completions"
    rng = random.Random(args.seed)
    sem = asyncio.Semaphore(args.concurrency)
    results: list[tuple[bool, str, str, int, float]] = []

    async def task(i: int) -> None:
        stream = rng.random() < 0.5
        async with sem:
            outcome, provider, fb, took = await one(session, url, i, stream, args.client_timeout)
        results.append((stream, outcome, provider, fb, took))

    started = time.monotonic()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency * 2)) as session:
        await asyncio.gather(*(task(i) for i in range(args.requests)))
    wall = time.monotonic() - started
    await proxy.aclose()
    for s in (primary, claude, llama):
        await s.aclose()

    print(f"chaos_fallback: {args.requests} requests ({sum(r[0] for r in results)} streamed), concurrency {args.concurrency}, "
          f"primary fault rate {args.fault_rate:.0%} over {FAULTS}, stream_mode={'continue' if args.continue_mode else 'error'}, "
          f"wall {wall:.1f} s ({args.requests / wall:.0f} req/s)")
    for kind, is_stream in (("plain", False), ("stream", True)):
        rs = [r for r in results if r[0] == is_stream]
        oc = Counter(r[1] for r in rs)
        lat = [r[4] * 1000 for r in rs]
        print(f"  {kind:6} n={len(rs):5}  outcomes {dict(oc)}")
        print(f"         latency ms p50 {pct(lat, 50):7.1f}  p90 {pct(lat, 90):7.1f}  p99 {pct(lat, 99):7.1f}  max {max(lat, default=0):7.1f}")
    print(f"  answered by: {dict(Counter(r[2] for r in results).most_common())}")
    print(f"  fallbacks per request: {dict(sorted(Counter(r[3] for r in results).items()))}")
    print("  activations (from -> to, reason):")
    for (f, t, reason), n in counts.counts.most_common():
        print(f"    {f:>8} -> {t:<8} {reason:<14} {n}")
    print(f"  breaker openings (primary): {counts.breaker_opens}")
    bad = sum(1 for r in results if r[1] in ("broken", "hung"))
    print(f"  broken or hung: {bad}")
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--fault-rate", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--first-byte", type=float, default=1.0, help="providers' first-byte timeout (s)")
    ap.add_argument("--idle", type=float, default=0.5, help="providers' idle-gap timeout in streams (s)")
    ap.add_argument("--step-timeout", type=float, default=4.0, help="the primary step's per-attempt timeout (s)")
    ap.add_argument("--client-timeout", type=float, default=30.0, help="a request without an answer by then counts as hung")
    ap.add_argument("--continue", dest="continue_mode", action="store_true", help="stream_mode = continue")
    args = ap.parse_args()
    import logging

    logging.basicConfig(level=logging.ERROR)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
