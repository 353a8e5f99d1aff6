"""`bulwark costs [--days N] [--json]`: the per-day cost stack.

Spend by category (base LLM calls, fallback providers, validation regenerations, judge
calls) and savings by reason (pruning, abuse blocking, cache), per UTC day, newest first.
Reads the state backend of `proxy.toml` (`--config`): Redis when `[state] backend = "redis"`
(every replica adds into it), else `<state.data_dir>/costs.json`, which a proxy on the
memory backend keeps up to date.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

from ..observability.stats import COST_CATEGORIES
from . import load_config


def register(sub: Any) -> None:
    p = sub.add_parser("costs", help="spend by category and savings by reason, per day (the cost stack)")
    p.add_argument("--config", "-c", help="path to proxy.toml (default: $BULWARK_CONFIG or ./proxy.toml)")
    p.add_argument("--days", type=int, default=7, help="how many days back, today included (default 7)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_costs)


async def read_days(cfg: Any, days: int, now: float | None = None) -> list[dict[str, Any]]:
    from ..observability.stats import COSTS_FILE, day_key, read_cost_days
    from ..state.memory import MemoryState

    if cfg.state.backend == "redis":
        from ..state.redis import RedisState

        state: Any = RedisState(cfg.state.redis_url, cfg.state.key_prefix, max(cfg.state.timeout_ms, 1000))
        try:
            if not await state.ping():
                raise SystemExit(f"bulwark: Redis at {cfg.state.redis_url} does not answer; cannot read the cost stack")
            return await read_cost_days(state, days, now)
        finally:
            await state.aclose()
    mem = MemoryState(data_dir=cfg.state.data_dir)
    path = Path(cfg.state.data_dir) / COSTS_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        data = {}
    except (OSError, ValueError) as exc:
        raise SystemExit(f"bulwark: cannot read {path}: {exc}") from None
    for d, h in (data or {}).items():
        if isinstance(h, dict):
            mem.store.set(day_key(d), {k: float(v) for k, v in h.items()})
    return await read_cost_days(mem, days, now)


def _usd(v: float) -> str:
    return f"{v:.4f}" if v < 1000 else f"{v:,.2f}"


def render(rows: list[dict[str, Any]]) -> str:
    cats = list(COST_CATEGORIES)
    extra = sorted({c for r in rows for c in r["spend_usd"]} - set(cats))
    cats += extra
    reasons = ["pruning", "abuse", "cache"]
    reasons += sorted({c for r in rows for c in r["saved_usd"]} - set(reasons))
    head = ["date", *cats, "spend", *[f"saved:{r}" for r in reasons], "saved", "answers", "per answer"]
    table = [head]
    totals = {k: 0.0 for k in head[1:]}
    for r in rows:
        per = r["spend_total_usd"] / r["successful"] if r["successful"] else None
        line = [r["date"], *[_usd(r["spend_usd"].get(c, 0.0)) for c in cats], _usd(r["spend_total_usd"]),
                *[_usd(r["saved_usd"].get(x, 0.0)) for x in reasons], _usd(r["saved_total_usd"]), str(r["successful"]),
                "-" if per is None else f"{per:.6f}"]
        table.append(line)
        for c in cats:
            totals[c] += r["spend_usd"].get(c, 0.0)
        totals["spend"] += r["spend_total_usd"]
        for x in reasons:
            totals[f"saved:{x}"] += r["saved_usd"].get(x, 0.0)
        totals["saved"] += r["saved_total_usd"]
        totals["answers"] += r["successful"]
    per_all = totals["spend"] / totals["answers"] if totals["answers"] else None
    table.append(["total", *[_usd(totals[c]) for c in cats], _usd(totals["spend"]), *[_usd(totals[f"saved:{x}"]) for x in reasons],
                  _usd(totals["saved"]), str(int(totals["answers"])), "-" if per_all is None else f"{per_all:.6f}"])
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    out = []
    for n, row in enumerate(table):
        out.append("  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)))
        if n == 0 or n == len(table) - 2:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out) + "\n(USD; spend by category, savings by reason, per UTC day)"


def cmd_costs(args: argparse.Namespace) -> int:
    cfg = load_config(args)
    days = max(1, min(400, args.days))
    rows = asyncio.run(read_days(cfg, days, time.time()))
    if args.json:
        print(json.dumps({"days": rows}, indent=2))
    else:
        print(render(rows))
    return 0
