"""First-content latency of a streamed answer: direct to the upstream vs through Bulwark.

    python bench/validation_eval/bench_stream.py [--requests 60] [--delay-ms 20] [--words 60]

The upstream is the simulator streaming one word every --delay-ms. Bulwark runs the shipped
proxy.toml (the whole default chain: ratelimit, cache, budgets, prune, validate, fallback; only
the rate limits are raised so the run is not throttled, and each request asks something new so
the cache never answers). Measured per request, from sending it to the first non-empty content
delta: direct, Bulwark with the shipped `stream_mode = "guarded"`, and `buffer` for comparison.
Two answers: claim-free prose, and prose whose first sentence states a verified number (the
held span: that sentence waits for its end). Requests interleave the modes round by round.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.helpers import start_proxy, start_simulator  # noqa: E402
from tests.test_validate_shipped import shipped_config  # noqa: E402

CLAIM_FREE = ("Thanks for asking, happy to help with that today and walk you through the options you have "
              "available right now so that you can pick whichever one suits you best and get going quickly.")
WITH_CLAIM = ("Your balance on ACC-55012345 is $47.15 right now. Thanks for asking, happy to help with that today "
              "and walk you through the options you have available so that you can pick the one that suits you best.")
DATA = [{"role": "tool", "tool_call_id": "c1", "content": "{\"account_id\": \"ACC-55012345\", \"balance\": 47.15}"}]


def config(sim: Any, mode: str) -> dict[str, Any]:
    """The shipped proxy.toml (as the tests load it), rate limits and budgets raised for the run."""
    cfg = shipped_config(sim, Path("/tmp/bulwark-bench-stream"))
    cfg["auth"]["keys"] = [{"name": "bench", "key": "sk-bench", "tier": "trusted"}]
    rl = cfg["plugins"]["ratelimit"]
    rl["key"] = {"rpm": 100000, "tpm": 100000000, "max_concurrent": 1000}
    rl["user"] = {"rpm": 100000, "tpm": 100000000, "max_concurrent": 1000}
    rl["models"] = {}
    cfg["plugins"]["budgets"]["key"] = {"day": 1000.0, "month": 10000.0}
    cfg["plugins"]["validate"]["stream_mode"] = mode
    return cfg


async def first_content(session: aiohttp.ClientSession, url: str, key: str | None, i: int, kind: str) -> float:
    body = {"model": "gpt-4o-mini", "stream": True,
            "messages": [{"role": "user", "content": f"bench question {kind} {i}"}, *DATA]}
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    t0 = time.perf_counter()
    first = None
    async with session.post(url + "/chat/completions", json=body, headers=headers) as r:
        assert r.status == 200, await r.text()
        buf = b""
        async for piece in r.content.iter_any():
            buf += piece
            *blocks, buf = buf.split(b"\n\n")
            for block in blocks:
                if first is None and block.startswith(b"data: {"):
                    choices = orjson.loads(block[6:]).get("choices") or [{}]
                    if (choices[0].get("delta") or {}).get("content"):
                        first = time.perf_counter()
    assert first is not None
    return (first - t0) * 1000


def stats(xs: list[float]) -> str:
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
    return f"{statistics.median(xs):.1f} / {p95:.1f}"


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--delay-ms", type=float, default=20)
    a = ap.parse_args()
    sim = await start_simulator(stream_delay_ms=a.delay_ms, max_recorded=0)
    proxies = {m: await start_proxy(config(sim, m)) for m in ("guarded", "buffer")}
    for kind, text in (("free", CLAIM_FREE), ("claim", WITH_CLAIM)):
        sim.script(f"bench question {kind}", [{"content": text}])
    results: dict[tuple[str, str], list[float]] = {}
    try:
        async with aiohttp.ClientSession() as s:
            for i in range(a.requests):
                for kind in ("free", "claim"):
                    results.setdefault(("direct", kind), []).append(await first_content(s, sim.url, None, i, kind))
                    for m, p in proxies.items():
                        results.setdefault((m, kind), []).append(await first_content(s, p.url, "sk-bench", i, kind))
    finally:
        for p in proxies.values():
            await p.aclose()
        await sim.aclose()
    words = len(CLAIM_FREE.split())
    print(f"first content, ms (median / p95), {a.requests} requests each, upstream: 1 word every {a.delay_ms:g} ms "
          f"(~{words * a.delay_ms / 1000:.1f} s per answer)")
    print()
    print("| answer | direct | Bulwark, shipped config (guarded) | guarded - direct (median) | Bulwark, buffer |")
    print("|---|---|---|---|---|")
    for kind, label in (("free", "claim-free prose"), ("claim", "first sentence states a verified number")):
        d, g, b = results[("direct", kind)], results[("guarded", kind)], results[("buffer", kind)]
        print(f"| {label} | {stats(d)} | {stats(g)} | {statistics.median(g) - statistics.median(d):+.1f} | {stats(b)} |")


if __name__ == "__main__":
    asyncio.run(main())
