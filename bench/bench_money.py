"""Money benchmark: mixed paid traffic with faults and hang-ups against a budget.

    python bench/bench_money.py [--cap 0.05] [--concurrency 24] [--seconds 60] [--redis URL]

The shipped proxy.toml (the whole chain) fronts the simulator in-process; one client key has a
daily budget of `--cap` USD. Workers send a mix until the budget refuses everything for a few
seconds: plain and streamed answers, long answers without max_tokens, n=3, answers that need a
regeneration (a fabricated number first), a primary that answers 503 (fallback to the
Anthropic face), streams cut mid-way (continuation), clients that hang up mid-stream.

Printed: the cap; what the provider billed (the simulator's own bills, priced at the model that
answered); what Bulwark charged (the sum of the requests' ledgers); what the budget recorded
(the state backend). Goals: charged = billed within 1 %, billed <= cap + one request's bound.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import random
import sys
import time
import tomllib
import types
from pathlib import Path
from typing import Any

import aiohttp
import aiohttp.web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from proxy.app import create_app  # noqa: E402
from proxy.config import interpolate, parse_config  # noqa: E402
from proxy.plugin import Plugin  # noqa: E402
from proxy.pricing import Pricing  # noqa: E402
from proxy.simulator import start as start_simulator  # noqa: E402

KEY = "sk-money-bench"
PRICING = Pricing()


class LedgerTap(Plugin):
    name = "bench_ledger_tap"
    seen: list[Any] = []

    async def __call__(self, ctx: Any, call_next: Any) -> Any:
        LedgerTap.seen.append(ctx)
        return await call_next(ctx)


_mod = types.ModuleType("plugins.bench_ledger_tap")
_mod.LedgerTap = LedgerTap  # type: ignore[attr-defined]
sys.modules["plugins.bench_ledger_tap"] = _mod


def config(sim: Any, cap: float, redis: str | None) -> dict[str, Any]:
    raw = interpolate(tomllib.loads((ROOT / "proxy.toml").read_text()))
    for p in raw["providers"].values():
        if p.get("type") == "openai":
            p["base_url"] = sim.url
        elif p.get("type") == "anthropic":
            p["base_url"] = sim.base
    raw["server"]["port"] = 0
    raw["auth"]["keys"] = [{"name": "bench", "key": KEY, "tier": "trusted", "limits": {
        "rpm": 1e9, "tpm": 1e12, "max_concurrent": 10_000, "user_rpm": 1e9, "user_tpm": 1e12, "user_max_concurrent": 10_000,
        "budget_usd_day": cap, "budget_usd_month": cap * 100}}]
    raw["plugins"]["ratelimit"]["abuse"]["enabled"] = False  # the load generator is a burst by design
    raw["chain"]["plugins"] = ["bench_ledger_tap", *raw["chain"]["plugins"]]
    raw["state"]["data_dir"] = "/tmp/bulwark-bench-money"
    if redis:
        raw["state"].update(backend="redis", redis_url=redis, key_prefix=f"money{int(time.time())}")
    return raw


KINDS = ["plain", "stream", "long", "n3", "regenerate", "fallback", "cut", "hangup"]


async def one(session: aiohttp.ClientSession, url: str, kind: str, i: int, counts: dict[str, int]) -> int:
    msgs: list[dict[str, Any]] = [{"role": "user", "content": f"{kind} request {i}"}]
    body: dict[str, Any] = {"model": "gpt-4o-mini", "messages": msgs}
    headers = {"Authorization": f"Bearer {KEY}"}
    if kind == "plain":
        body["max_tokens"] = 60
    elif kind == "stream":
        body.update(stream=True, stream_options={"include_usage": True})
    elif kind == "long":
        msgs[0]["content"] = f"long answer {i}"
    elif kind == "n3":
        body.update(n=3)
        msgs[0]["content"] = f"three drafts {i}"
    elif kind == "regenerate":
        msgs[:] = [{"role": "system", "content": "Answer from the data."},
                   {"role": "user", "content": f"my account balance {i}? The data says balance 47.15 USD."}]
        body["temperature"] = 0
    elif kind == "fallback":
        body["model"] = "gpt-4"
        headers["x-sim-fault"] = "503"
    elif kind == "cut":
        body.update(model="gpt-4", stream=True)
        headers.update({"x-sim-fault": "cut=6", "x-sim-delay-ms": "2"})
    elif kind == "hangup":
        body.update(stream=True)
        msgs[0]["content"] = f"long answer {i}"
        headers["x-sim-delay-ms"] = "3"
    try:
        async with session.post(url, json=body, headers=headers) as r:
            if kind == "hangup":
                await r.content.readany()
                await asyncio.sleep(random.random() * 0.3)
                r.close()  # the client goes away mid-answer
                counts["hangup"] += 1
                return r.status
            await r.read()
            return r.status
    except (aiohttp.ClientError, asyncio.TimeoutError):
        counts["errors"] += 1
        return 0


async def run(args: argparse.Namespace) -> None:
    sim = await start_simulator(host="127.0.0.1", port=0, stream_delay_ms=1)
    sim.script("long answer", [{"content": " ".join(f"word{k}" for k in range(2500))}])
    sim.script("three drafts", [{"content": " ".join(f"draft{k}" for k in range(800))}])
    sim.script("account balance", [{"content": "Your balance is $127,549."}, {"content": "Your balance is $47.15."}])
    app = create_app(parse_config(config(sim, args.cap, args.redis)))
    runner = aiohttp.web.AppRunner(app, handler_cancellation=True)
    await runner.setup()
    site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    counts = {k: 0 for k in [*KINDS, "hangup", "errors", "200", "429", "other"]}
    refused_since: float | None = None
    deadline = time.monotonic() + args.seconds
    rng = random.Random(7)
    i = 0

    async def worker() -> None:
        nonlocal i, refused_since
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            while time.monotonic() < deadline:
                if refused_since is not None and time.monotonic() - refused_since > 3:
                    return
                i += 1
                kind = rng.choice(KINDS)
                counts[kind] += 1
                status = await one(session, url, kind, i, counts)
                key = str(status) if str(status) in counts else "other"
                counts[key] += 1
                if status == 429:
                    refused_since = refused_since or time.monotonic()
                elif status == 200:
                    refused_since = None

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    state = app["bulwark"].current.services.state
    tasks = app["bulwark"].current.services.tasks
    for _ in range(200):
        if all(c.ledger.settled for c in LedgerTap.seen) and not len(tasks):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    billed = sum(PRICING.cost(b.model, b.prompt_tokens, b.completion_tokens, b.cached_tokens) for b in sim.billing)
    charged = sum(c.ledger.cost_usd for c in LedgerTap.seen)
    kid = "k_" + hashlib.sha256(KEY.encode()).hexdigest()[:16]
    day = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d")
    recorded = float(await state.get("{" + kid + "}:bud:day:" + day) or 0)
    bound = PRICING.cost("gpt-4o-mini", 200, 4096 * 3)
    causes: dict[str, float] = {}
    for c in LedgerTap.seen:
        for cause, usd in c.ledger.cost_by_cause().items():
            causes[cause] = causes.get(cause, 0.0) + usd
    print(f"state: {'redis ' + args.redis if args.redis else 'memory'}; {args.concurrency} concurrent clients; "
          f"{time.monotonic() - started:.1f} s; {len(LedgerTap.seen)} requests; {len(sim.billing)} upstream bills")
    print("mix: " + ", ".join(f"{k} {counts[k]}" for k in KINDS) + f"; answered 200: {counts['200']}, 429: {counts['429']}, "
          f"other: {counts['other']}, client errors: {counts['errors']}")
    print(f"\n{'cap (USD/day)':<28}{args.cap:>12.6f}")
    print(f"{'billed by the provider':<28}{billed:>12.6f}   {billed / args.cap * 100:6.1f} % of the cap")
    print(f"{'charged by Bulwark':<28}{charged:>12.6f}   {(charged - billed) / billed * 100:+6.2f} % vs billed")
    print(f"{'recorded by the budget':<28}{recorded:>12.6f}   {(recorded - billed) / billed * 100:+6.2f} % vs billed")
    print(f"{'one request bound':<28}{bound:>12.6f}   billed - cap = {billed - args.cap:+.6f}")
    print("charged by cause: " + ", ".join(f"{k} {v:.6f}" for k, v in sorted(causes.items())))
    ok = abs(charged - billed) <= 0.01 * billed and billed <= args.cap + bound
    print(f"\ngoal (charged = billed within 1 %, billed <= cap + one request's bound): {'met' if ok else 'NOT met'}")
    await runner.cleanup()
    await sim.aclose()


def main() -> None:
    import logging

    logging.disable(logging.WARNING)  # thousands of "budget exhausted" lines are the point, not news
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cap", type=float, default=0.05, help="the key's daily budget in USD")
    ap.add_argument("--concurrency", type=int, default=24)
    ap.add_argument("--seconds", type=int, default=60, help="stop after this long even if the budget holds")
    ap.add_argument("--redis", help="redis URL (default: the embedded memory state)")
    asyncio.run(run(ap.parse_args()))


if __name__ == "__main__":
    main()
