"""Replay abuse-evaluation scenarios through Bulwark running the shipped proxy.toml.

    python -m bench.abuse_eval.run                         # the independent set and the tuning set
    python -m bench.abuse_eval.run --set independent --json out.json
    python -m bench.abuse_eval.run --set tuning --only t_b_faq_many_users --verbose
    python -m bench.abuse_eval.run --backend redis          # state in Redis (127.0.0.1:6379, own prefix)

What runs: the simulated provider and Bulwark in this process on loopback, the shipped
proxy.toml with its providers pointed at the simulator and only these changes:
- each scenario gets its own client key of the scenario's tier, with generous per-key limits
  and budgets (what an operator gives a heavy user), so every 429/403 measured is the abuse
  scoring's, not the demo's 20 requests a minute;
- `auth.trusted_proxies = ["10.0.0.2"]`, the scenarios' load balancer; the TCP peer of each
  request is the scenario's `ip` (set per request through a test-only middleware: loopback
  cannot have other peers).

Time is virtual: requests at the same offset go out together, the clock (`time.time`) then
moves to the next offset, so the replay takes minutes instead of the scenarios' real 90 s
each, and does not depend on the machine's load. Scenarios run one after another, a day of
virtual time apart (scores, blocks and windows from one never reach the next).

A scenario is *throttled* at its first 429 or 403 (1-based request number), *blocked* at its
first 403. Benign scenarios pass with neither; attacks pass when throttled by `within`.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import importlib
import json
import os
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from proxy.app import create_app  # noqa: E402
from proxy.config import interpolate, parse_config  # noqa: E402
from proxy.simulator import start as start_simulator  # noqa: E402

LB_IP = "10.0.0.2"
MODEL = "gpt-4o-mini"
# An operator's settings for a heavy user: the limits are not what is measured here.
HEAVY = {"rpm": 20_000, "tpm": 50_000_000, "max_concurrent": 200, "user_rpm": 2_000, "user_tpm": 5_000_000,
         "user_max_concurrent": 50, "budget_usd_day": 1e6, "budget_usd_month": 1e7, "user_budget_usd_day": 1e5,
         "user_budget_usd_month": 1e6}


class Clock:
    """`time.time` for the whole process, moved by the replay."""

    def __init__(self) -> None:
        self.now = time.time()
        self._real = time.time

    def install(self) -> None:
        time.time = lambda: self.now  # type: ignore[assignment]

    def uninstall(self) -> None:
        time.time = self._real  # type: ignore[assignment]


def load_set(name: str) -> list[dict[str, Any]]:
    """`independent`, `independent2` ... `independent5` (each a package with scenarios.py) or `tuning`."""
    module = "bench.abuse_eval.tuning" if name == "tuning" else f"bench.abuse_eval.{name}.scenarios"
    return importlib.import_module(module).scenarios()


def proxy_config(sim_url: str, sets: list[dict[str, Any]], backend: str, data_dir: str) -> dict[str, Any]:
    raw = interpolate(tomllib.loads((ROOT / "proxy.toml").read_text()))
    for p in raw["providers"].values():
        if p.get("type") == "openai":
            p["base_url"] = sim_url
        elif p.get("type") == "anthropic":
            p["base_url"] = sim_url.removesuffix("/v1")
    raw["server"] |= {"host": "127.0.0.1", "port": 0}
    raw["auth"]["trusted_proxies"] = [LB_IP]
    raw["auth"]["keys"] = [{"name": s["id"], "key": "sk-eval-" + s["id"], "tier": s["key_tier"], "limits": HEAVY} for s in sets]
    raw["state"] |= {"data_dir": data_dir}
    if backend == "redis":
        raw["state"] |= {"backend": "redis", "redis_url": os.environ.get("BULWARK_REDIS_URL", "redis://127.0.0.1:6379/0"),
                         "key_prefix": f"bulwark-abuse-eval-{os.getpid()}", "timeout_ms": 3000}
    return raw


@web.middleware
async def peer_from_header(request: web.Request, handler: Any) -> web.StreamResponse:
    """The scenario's TCP peer (loopback has only 127.0.0.1)."""
    peer = request.headers.get("x-eval-peer")
    return await handler(request.clone(remote=peer) if peer else request)


async def one(session: aiohttp.ClientSession, url: str, key: str, r: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"model": MODEL, "messages": r["messages"]}
    if r.get("max_tokens") is not None:
        body["max_tokens"] = r["max_tokens"]
    if r.get("stream"):
        body["stream"] = True
    if r.get("user"):
        body["user"] = r["user"]
    headers = {"Authorization": f"Bearer {key}", "x-eval-peer": r["ip"]}
    if r.get("forwarded_for"):
        headers["X-Forwarded-For"] = r["forwarded_for"]
    async with session.post(url + "/chat/completions", json=body, headers=headers) as resp:
        raw = await resp.read()
        out: dict[str, Any] = {"status": resp.status}
        if resp.status >= 400:
            try:
                err = json.loads(raw)["error"]
            except (ValueError, KeyError, TypeError):
                err = {"message": raw[:200].decode("utf-8", "replace")}
            out["code"] = err.get("code")
            out["message"] = err.get("message")
            if isinstance(err.get("bulwark"), dict):
                out["bulwark"] = err["bulwark"]
        return out


async def replay(url: str, scenario: dict[str, Any], clock: Clock, base: float) -> list[dict[str, Any]]:
    key = "sk-eval-" + scenario["id"]
    groups: dict[float, list[int]] = collections.defaultdict(list)
    reqs = scenario["requests"]
    for i, r in enumerate(reqs):
        groups[r["at"]].append(i)
    results: list[dict[str, Any]] = [{} for _ in reqs]
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=256)) as session:
        for at in sorted(groups):
            clock.now = base + at
            outs = await asyncio.gather(*(one(session, url, key, reqs[i]) for i in groups[at]))
            for i, o in zip(groups[at], outs):
                results[i] = o
    return results


def summarise(scenario: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    statuses = collections.Counter(r["status"] for r in results)
    throttled = next((i + 1 for i, r in enumerate(results) if r["status"] in (429, 403)), None)
    blocked = next((i + 1 for i, r in enumerate(results) if r["status"] == 403), None)
    # The first refusal the abuse scoring made (a 429 can also be a plain token or request limit).
    abuse = next((i + 1 for i, r in enumerate(results) if r["status"] in (429, 403) and "bulwark" in r), None)
    first = results[throttled - 1] if throttled else None
    within = scenario["expect"].get("within")
    attack = scenario["kind"] == "attack"
    ok = (throttled is not None and throttled <= within) if attack else throttled is None
    row: dict[str, Any] = {
        "id": scenario["id"], "kind": scenario["kind"], "tier": scenario["key_tier"], "requests": len(results),
        "within": within, "throttled_at": throttled, "blocked_at": blocked, "abuse_at": abuse, "pass": ok,
        "statuses": dict(sorted(statuses.items())),
    }
    if first is not None:
        shown = results[abuse - 1] if abuse else first
        b = shown.get("bulwark") or {}
        row["first_refusal"] = {"status": first["status"], "code": first.get("code"), "reason": b.get("reason"),
                                "score": b.get("score"), "signals": b.get("signals"), "recent": b.get("recent_signals")}
    return row


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| scenario | kind | tier | requests | expected | throttled at | blocked at | result | first refusal | abuse decision at: signals, score |",
             "|---|---|---|---:|---|---:|---:|---|---|---|"]
    for r in rows:
        exp = f"by #{r['within']}" if r["kind"] == "attack" else "never"
        fr = r.get("first_refusal")
        first, why = "-", "-"
        if fr:
            first = f"{fr['status']} {fr.get('code')}"
        if fr and r.get("abuse_at"):
            sig = ", ".join(fr.get("recent") or []) or ", ".join(fr.get("signals") or {})
            why = f"#{r['abuse_at']}: {sig}, score {fr['score']}"
        lines.append(f"| `{r['id']}` | {r['kind']} | {r['tier']} | {r['requests']} | {exp} | {r['throttled_at'] or '-'} | "
                     f"{r['blocked_at'] or '-'} | {'pass' if r['pass'] else '**FAIL**'} | {first} | {why} |")
    return "\n".join(lines)


def totals(rows: list[dict[str, Any]]) -> str:
    atk = [r for r in rows if r["kind"] == "attack"]
    ben = [r for r in rows if r["kind"] == "benign"]
    caught = sum(r["pass"] for r in atk)
    ever = sum(r["throttled_at"] is not None for r in atk)
    b_thr = sum(r["throttled_at"] is not None for r in ben)
    b_blk = sum(r["blocked_at"] is not None for r in ben)
    other = collections.Counter(s for r in rows for s, n in r["statuses"].items() for _ in range(n) if s not in (200, 429, 403))
    return (f"attacks throttled within the attack: {caught}/{len(atk)} ({100 * caught / max(1, len(atk)):.0f} %), ever: {ever}/{len(atk)}; "
            f"benign ever throttled: {b_thr}/{len(ben)}, blocked: {b_blk}/{len(ben)}; other statuses: {dict(other) or 'none'}")


async def run(set_names: list[str], backend: str, only: list[str], verbose: bool) -> dict[str, list[dict[str, Any]]]:
    import logging
    import tempfile

    logging.getLogger("bulwark").setLevel(logging.ERROR)
    sets = {n: [s for s in load_set(n) if not only or s["id"] in only] for n in set_names}
    everything = [s for ss in sets.values() for s in ss]
    sim = await start_simulator(host="127.0.0.1", port=0, max_recorded=0)
    clock = Clock()
    clock.install()
    out: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(parse_config(proxy_config(sim.url, everything, backend, tmp)))
        app.middlewares.append(peer_from_header)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
        try:
            day = 0
            for name, scenarios in sets.items():
                rows = []
                for s in scenarios:
                    day += 1
                    t0 = time.perf_counter()
                    results = await replay(url, s, clock, clock._real() + day * 86400)
                    row = summarise(s, results)
                    rows.append(row)
                    if verbose:
                        print(f"{name}/{s['id']}: {row} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
                out[name] = rows
        finally:
            clock.uninstall()
            await runner.cleanup()
            await sim.aclose()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", choices=["independent", "independent2", "independent3", "independent4", "independent5", "independent6", "tuning", "both"], default="both",
                    help="both = independent + tuning (independent2 ... independent5 are later writings)")
    ap.add_argument("--backend", choices=["memory", "redis"], default="memory")
    ap.add_argument("--only", nargs="*", default=[], help="scenario ids")
    ap.add_argument("--json", help="write the rows here")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    names = ["independent", "tuning"] if args.set == "both" else [args.set]
    t0 = time.perf_counter()
    out = asyncio.run(run(names, args.backend, args.only, args.verbose))
    for name, rows in out.items():
        print(f"\n## {name} set ({len(rows)} scenarios, backend {args.backend})\n")
        print(table(rows))
        print("\n" + totals(rows))
    print(f"\n(replayed in {time.perf_counter() - t0:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
