"""Soak: mixed traffic for a long time; RSS must stay flat and nothing may leak.

    python bench/soak.py [--minutes 30] [--clients 50]

Traffic mix per request: plain 40 %, streamed 40 %, tool calls 10 %, upstream faults 5 %
(`x-sim-fault`: 429/500/cut/stall), client aborts mid-stream 5 %. Every 30 s it samples
Bulwark's RSS, asyncio tasks, background tasks, upstream connections and open fds
(`GET /admin/runtime`). Reports the RSS trend (MB/hour, least squares over the second half,
after warm-up) and the leak indicators at the end versus the start. Exit 1 on a lost request
or a growing task/connection count.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import time

import aiohttp

from harness import CLIENT_KEY, Outcome, one_request, request_body, rss_mb, runtime, start_stack, summarize

FAULTS = ["429", "500", "cut=2", "stall=2"]


async def aborting_stream(s: aiohttp.ClientSession, url: str, body: dict) -> Outcome:
    t0 = time.monotonic()
    try:
        async with s.post(f"{url}/chat/completions", json=body, headers={"Authorization": f"Bearer {CLIENT_KEY}", "x-sim-delay-ms": "30"}) as r:
            await r.content.readany()
        return Outcome("complete", "client_abort", time.monotonic() - t0)
    except aiohttp.ClientError as exc:
        return Outcome("lost", f"abort:{type(exc).__name__}", time.monotonic() - t0)


def slope_per_hour(points: list[tuple[float, float]]) -> float:
    if len(points) < 3:
        return 0.0
    n = len(points)
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    den = sum((p[0] - mx) ** 2 for p in points) or 1.0
    return sum((p[0] - mx) * (p[1] - my) for p in points) / den * 3600


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--clients", type=int, default=50)
    args = ap.parse_args()
    seconds = args.minutes * 60
    st = await start_stack(extra_config="")
    outcomes: list[Outcome] = []
    samples: list[dict] = []
    t0 = time.monotonic()
    deadline = t0 + seconds
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as s:
            async def client(i: int) -> None:
                rng = random.Random(i)
                while time.monotonic() < deadline:
                    x = rng.random()
                    if x < 0.05:
                        outcomes.append(await aborting_stream(s, st.url, request_body(rng, True)))
                        continue
                    headers = {"x-sim-fault": rng.choice(FAULTS)} if x < 0.10 else {}
                    kind = "tools" if x > 0.90 else "chat"
                    outcomes.append(await one_request(s, st.url, request_body(rng, stream=x < 0.5, kind=kind), headers, timeout=90))

            async def sampler() -> None:
                while time.monotonic() < deadline:
                    rt = await runtime(st)
                    rt["t"] = round(time.monotonic() - t0)
                    rt["rss_total_mb"] = round(rss_mb(st.pid()), 1)
                    samples.append(rt)
                    await asyncio.sleep(30)

            await asyncio.gather(sampler(), *(client(i) for i in range(args.clients)))
        await asyncio.sleep(5)
        end = await runtime(st)
    finally:
        await st.stop()
    half = [(x["t"], x["rss_mb"]) for x in samples if x.get("t", 0) >= seconds / 2 and "rss_mb" in x]
    summary = summarize(outcomes)
    first = samples[1] if len(samples) > 1 else samples[0] if samples else {}
    report = {
        "minutes": args.minutes, "clients": args.clients, "traffic": summary,
        "rss_trend_mb_per_hour_second_half": round(slope_per_hour(half), 2),
        "rss_mb_start_end": [first.get("rss_mb"), samples[-1].get("rss_mb") if samples else None],
        "idle_after": end, "samples": samples,
    }
    print(json.dumps(report, indent=2))
    leaked = end.get("inflight_requests", 0) or end.get("upstream_connections_in_use", 0) or end.get("background_tasks", 0) > 5
    return 1 if summary["lost"] or leaked else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
