"""Load: N concurrent streaming clients through the full default chain.

    python bench/load.py [--clients 1000] [--seconds 180] [--direct-seconds 30]

Each client loops (stream a chat completion to the end, start again) until the time is up.
The same load first runs directly against the simulator for a baseline. Reports every
stream as complete / cleanly errored / lost, latency and time-to-first-byte percentiles,
p99 added latency over direct, and Bulwark's RSS over time. Exit status 1 if any was lost.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import time

import aiohttp

from harness import Outcome, one_request, request_body, rss_mb, runtime, start_stack, summarize


async def drive(url: str, clients: int, seconds: float, seed: int, sampler=None) -> list[Outcome]:
    outcomes: list[Outcome] = []
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=None)) as s:
        async def client(i: int) -> None:
            rng = random.Random(seed * 100_000 + i)
            await asyncio.sleep(rng.random() * 2)  # ramp up over 2 s
            while time.monotonic() < deadline:
                outcomes.append(await one_request(s, url, request_body(rng, stream=True), {"x-sim-delay-ms": "20"}))

        tasks = [asyncio.create_task(client(i)) for i in range(clients)]
        if sampler:
            sampler_task = asyncio.create_task(sampler(deadline))
        await asyncio.gather(*tasks)
        if sampler:
            await sampler_task
    return outcomes


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=180)
    ap.add_argument("--direct-seconds", type=float, default=30)
    ap.add_argument("--max-concurrent", type=int, help="server.max_concurrent_requests for this run (admission control)")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    st = await start_stack(max_concurrent=args.max_concurrent)
    rss: list[tuple[float, float]] = []
    try:
        direct = summarize(await drive(f"{st.sim_base}/v1", args.clients, args.direct_seconds, 1))
        t0 = time.monotonic()

        async def sampler(deadline: float) -> None:
            while time.monotonic() < deadline:
                rss.append((round(time.monotonic() - t0, 1), round(rss_mb(st.pid()), 1)))
                await asyncio.sleep(5)

        rss.append((0.0, round(rss_mb(st.pid()), 1)))
        via = summarize(await drive(st.url, args.clients, args.seconds, 2, sampler))
        await asyncio.sleep(2)
        after = await runtime(st)
    finally:
        await st.stop()
    report = {
        "clients": args.clients, "seconds": args.seconds, "max_concurrent_requests": args.max_concurrent, "direct": direct, "bulwark": via,
        "added_p50_s": round(via["p50_s"] - direct["p50_s"], 4) if via["p50_s"] and direct["p50_s"] else None,
        "added_p99_s": round(via["p99_s"] - direct["p99_s"], 4) if via["p99_s"] and direct["p99_s"] else None,
        "added_ttfb_p99_s": round(via["ttfb_p99_s"] - direct["ttfb_p99_s"], 4) if via["ttfb_p99_s"] and direct["ttfb_p99_s"] else None,
        "rss_mb_over_time": rss, "runtime_after_load": after,
    }
    print(json.dumps(report, indent=2))
    return 1 if via["lost"] else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
