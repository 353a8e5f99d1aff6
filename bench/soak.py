"""Soak: mixed traffic for a long time; RSS must stay flat and nothing may leak.

    python bench/soak.py [--minutes 30] [--clients 50] [--out bench/soak/run.json]
    python bench/soak.py --minutes 20 --tracemalloc /tmp/soak-trace   # the leak hunt
    python bench/soak.py --minutes 30 --fill-caches 2400               # caches full first, then measure

Traffic mix per request: plain 40 %, streamed 40 %, tool calls 10 %, upstream faults 5 %
(`x-sim-fault`: 429/500/cut/stall), client aborts mid-stream 5 %. Every 30 s it samples
Bulwark's RSS, asyncio tasks, background tasks, upstream connections and open fds
(`GET /admin/runtime`). Reports the RSS trend (MB/hour, least squares over the second half,
after warm-up) and the leak indicators at the end versus the start. Exit 1 on a lost request
or a growing task/connection count.

`--fill-caches N` first sends N requests of 40 distinct short messages each (not measured), so
Bulwark's bounded per-message caches (token counts, prune's features: entry-capped, about
64 MiB together when full) are at their caps before the measured run: a production process
that has served a while is in that state, and RSS that still grows after it is a leak.

`--tracemalloc DIR` runs Bulwark under `bench/soak/traced_serve.py` and snapshots its Python
heap at a fifth, at three fifths and at the end of the run. The report's `heap_growth` lists
the source lines whose live memory grew most between the first and the last snapshot, and
`still_growing` those that grew between the last two (a bounded cache has stopped by then, a
leak has not); `census_growth` does the same for live objects by type and for the length of
every module-level container (caches) of Bulwark. RSS in a traced run includes the tracer's
own bookkeeping; measure the curve without it.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from harness import CLIENT_KEY, Outcome, one_request, request_body, rss_mb, runtime, start_stack, summarize

FAULTS = ["429", "500", "cut=2", "stall=2"]
TRACED = Path(__file__).resolve().parent / "soak" / "traced_serve.py"


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


async def snapshot(pid: int, out: Path, n: int) -> Path:
    """Ask the traced Bulwark for heap snapshot `n` and wait until it is on disk."""
    os.kill(pid, signal.SIGUSR1)
    done = out / f"snap-{n}.done"
    for _ in range(1200):
        if done.exists():
            return out / f"snap-{n}.tracemalloc"
        await asyncio.sleep(0.25)
    raise RuntimeError(f"no heap snapshot {n} from pid {pid} after 300 s")


def heap_growth(first: Path, last: Path, top: int = 25) -> list[dict[str, Any]]:
    """Source lines whose live Python memory grew most between two snapshots."""
    import tracemalloc

    ignore = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap*>")]
    a = tracemalloc.Snapshot.load(str(first)).filter_traces(ignore)
    b = tracemalloc.Snapshot.load(str(last)).filter_traces(ignore)
    out = []
    for stat in b.compare_to(a, "traceback")[:top]:
        frames = [f"{f.filename.rsplit('site-packages/', 1)[-1]}:{f.lineno}" for f in stat.traceback]
        out.append({"kib_growth": round(stat.size_diff / 1024, 1), "blocks_growth": stat.count_diff,
                    "kib_live": round(stat.size / 1024, 1), "where": frames[-1], "stack": frames[-6:]})
    return out


def census_growth(first: Path, last: Path, top: int = 25) -> dict[str, dict[str, int]]:
    """Object types and module-level containers that grew between two censuses."""
    a, b = json.loads(first.read_text()), json.loads(last.read_text())
    out = {}
    for part in ("types", "containers"):
        grew = {k: v - a[part].get(k, 0) for k, v in b[part].items() if v - a[part].get(k, 0) > 0}
        out[part] = dict(sorted(grew.items(), key=lambda kv: -kv[1])[:top])
    return out


async def fill_caches(st: Any, requests: int, concurrency: int = 16) -> tuple[float, dict[str, int]]:
    """Requests whose 40 messages are all new (each becomes a cache entry): (seconds, outcomes)."""
    t0 = time.monotonic()
    sent = 0
    kinds: dict[str, int] = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as s:
        async def worker() -> None:
            nonlocal sent
            while sent < requests:
                n = sent = sent + 1
                msgs = [{"role": "user" if i % 2 == 0 else "assistant", "content": f"fill {n}-{i}: note {n * 40 + i}"}
                        for i in range(39)] + [{"role": "user", "content": f"fill {n}: one line, please."}]
                o = await one_request(s, st.url, {"model": "gpt-4o-mini", "messages": msgs, "max_tokens": 8}, timeout=90)
                kinds[f"{o.kind}:{o.detail}"] = kinds.get(f"{o.kind}:{o.detail}", 0) + 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.monotonic() - t0, kinds


async def traffic(st: Any, seconds: float, clients: int, outcomes: list[Outcome], samples: list[dict], t0: float,
                  snapshot_at: Any = None) -> None:
    deadline = t0 + seconds
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
            due = [seconds / 5, seconds * 3 / 5] if snapshot_at is not None else []
            while time.monotonic() < deadline:
                rt = await runtime(st)
                rt["t"] = round(time.monotonic() - t0)
                rt["rss_total_mb"] = round(rss_mb(st.pid()), 1)
                rt["requests_done"] = len(outcomes)
                samples.append(rt)
                print(json.dumps({k: rt.get(k) for k in ("t", "rss_mb", "asyncio_tasks", "open_fds", "requests_done")}),
                      file=sys.stderr, flush=True)
                if due and rt["t"] >= due[0]:
                    due.pop(0)
                    await snapshot_at()
                await asyncio.sleep(30)

        await asyncio.gather(sampler(), *(client(i) for i in range(clients)))


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--tracemalloc", metavar="DIR", help="run Bulwark traced and diff its heap (the leak hunt)")
    ap.add_argument("--out", metavar="FILE", help="also write the report (with every sample) to FILE")
    ap.add_argument("--fill-caches", type=int, default=0, metavar="N", help="N cache-filling requests before measuring")
    ap.add_argument("--disable", action="append", default=[], metavar="PLUGIN", help="a control run without this plugin")
    args = ap.parse_args()
    seconds = args.minutes * 60
    trace_dir = Path(args.tracemalloc) if args.tracemalloc else None
    launcher = [str(TRACED), str(trace_dir)] if trace_dir else None
    st = await start_stack(extra_config="", launcher=launcher, disable=tuple(args.disable))
    outcomes: list[Outcome] = []
    samples: list[dict] = []
    snaps: list[Path] = []
    filled: dict[str, Any] = {"requests": args.fill_caches, "seconds": 0.0, "rss_mb_before": round(rss_mb(st.pid()), 1)}
    if args.fill_caches:
        took, filled["outcomes"] = await fill_caches(st, args.fill_caches)
        filled["seconds"] = round(took, 1)
        filled["rss_mb_after"] = round(rss_mb(st.pid()), 1)
        print(json.dumps({"filled_caches": filled}), file=sys.stderr, flush=True)
    t0 = time.monotonic()

    async def take() -> None:
        snaps.append(await snapshot(st.pid(), trace_dir, len(snaps) + 1))  # type: ignore[arg-type]

    try:
        await traffic(st, seconds, args.clients, outcomes, samples, t0, take if trace_dir else None)
        await asyncio.sleep(5)
        end = await runtime(st)
        if trace_dir and snaps:
            await take()
    finally:
        await st.stop()
    half = [(x["t"], x["rss_mb"]) for x in samples if x.get("t", 0) >= seconds / 2 and "rss_mb" in x]
    summary = summarize(outcomes)
    first = samples[1] if len(samples) > 1 else samples[0] if samples else {}
    report: dict[str, Any] = {
        "minutes": args.minutes, "clients": args.clients, "traced": bool(trace_dir), "disabled": args.disable, "filled_caches": filled, "traffic": summary,
        "rss_trend_mb_per_hour_second_half": round(slope_per_hour(half), 2),
        "rss_mb_start_end": [first.get("rss_mb"), samples[-1].get("rss_mb") if samples else None],
        "idle_after": end, "samples": samples,
    }
    if len(snaps) >= 2:
        report["heap_growth"] = heap_growth(snaps[0], snaps[-1])
        report["census_growth"] = census_growth(*(p.with_name(p.name.replace("snap", "census").replace(".tracemalloc", ".json"))
                                                  for p in (snaps[-2], snaps[-1])))
    if len(snaps) >= 3:
        report["still_growing"] = heap_growth(snaps[-2], snaps[-1])
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    leaked = end.get("inflight_requests", 0) or end.get("upstream_connections_in_use", 0) or end.get("background_tasks", 0) > 5
    return 1 if summary["lost"] or leaked else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
