"""Chaos under load: Redis killed and restarted, the primary failing, stalled and cut streams,
dropped client connections. Nothing may be lost.

    python bench/chaos.py [--clients 100] [--phase-seconds 15]

Bulwark (full default chain, state in a private redis-server) takes steady mixed traffic
(half streamed). Phases, each followed by a calm phase of the same length:
  redis_down   redis-server killed, restarted at the end of the phase
  primary_503  the simulator answers 503 to everything (POST /sim/fault)
  stalls       streams stall after 2 events (idle timeout) / cut   streams cut after 2 events
  client_drops clients abort a third of their streams midway
Every request ends as complete, clean error (OpenAI-shaped JSON or an in-band error event)
or lost (hang, garbage, a stream that ends without [DONE] or an error). Reports counts by
kind per phase and the recovery time after each fault (first second after the fault ends in
which all requests completed). Exit 1 if any request was lost.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import time

import aiohttp

from harness import CLIENT_KEY, Outcome, one_request, request_body, start_stack, summarize

PHASES = ["redis_down", "primary_503", "stalls", "cuts", "client_drops"]


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--phase-seconds", type=float, default=15)
    args = ap.parse_args()
    st = await start_stack(redis=True, extra_config="")
    records: list[tuple[float, float, str, Outcome]] = []  # (start, end, phase, outcome)
    phase = {"name": "warmup", "drop": False}
    t0 = time.monotonic()
    total = args.phase_seconds * (2 * len(PHASES) + 1)
    deadline = t0 + total
    marks: list[tuple[str, float, float]] = []
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as s:
            async def client(i: int) -> None:
                rng = random.Random(i)
                while time.monotonic() < deadline:
                    start = time.monotonic() - t0
                    name = phase["name"]
                    body = request_body(rng, stream=rng.random() < 0.5)
                    if phase["drop"] and body.get("stream") and rng.random() < 0.33:
                        try:
                            async with s.post(f"{st.url}/chat/completions", json=body, headers={"Authorization": f"Bearer {CLIENT_KEY}", "x-sim-delay-ms": "30"}) as r:
                                await r.content.readany()
                            o = Outcome("complete", "client_abort", time.monotonic() - t0 - start)
                        except aiohttp.ClientError as exc:
                            o = Outcome("lost", f"abort:{type(exc).__name__}", 0)
                    else:
                        o = await one_request(s, st.url, body, {"x-sim-delay-ms": "5"}, timeout=120)
                    records.append((start, time.monotonic() - t0, name, o))

            async def director() -> None:
                async with aiohttp.ClientSession() as ctl:
                    await asyncio.sleep(args.phase_seconds)
                    for name in PHASES:
                        begin = time.monotonic() - t0
                        phase["name"] = name
                        if name == "redis_down":
                            st.kill_redis()
                        elif name == "primary_503":
                            await ctl.post(f"{st.sim_base}/sim/fault", json={"spec": "503"})
                        elif name == "stalls":
                            await ctl.post(f"{st.sim_base}/sim/fault", json={"spec": "stall=2"})
                        elif name == "cuts":
                            await ctl.post(f"{st.sim_base}/sim/fault", json={"spec": "cut=2"})
                        elif name == "client_drops":
                            phase["drop"] = True
                        await asyncio.sleep(args.phase_seconds)
                        if name == "redis_down":
                            await st.start_redis()
                        elif name in ("primary_503", "stalls", "cuts"):
                            await ctl.delete(f"{st.sim_base}/sim/fault")
                        phase["drop"] = False
                        end = time.monotonic() - t0
                        marks.append((name, begin, end))
                        phase["name"] = f"after_{name}"
                        await asyncio.sleep(args.phase_seconds)

            await asyncio.gather(director(), *(client(i) for i in range(args.clients)))
    finally:
        await st.stop()
    report: dict = {"clients": args.clients, "phase_seconds": args.phase_seconds, "overall": summarize([r[3] for r in records]), "phases": {}}
    for name, begin, end in marks:
        during = [r[3] for r in records if begin <= r[0] < end]
        after = [r for r in records if end <= r[0] < end + args.phase_seconds]
        recovery = None
        for sec in range(int(args.phase_seconds)):
            bucket = [r[3] for r in after if end + sec <= r[0] < end + sec + 1]
            if bucket and all(o.kind == "complete" for o in bucket):
                recovery = sec
                break
        report["phases"][name] = {"during": summarize(during), "recovery_seconds": recovery}
    print(json.dumps(report, indent=2))
    return 1 if report["overall"]["lost"] else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
