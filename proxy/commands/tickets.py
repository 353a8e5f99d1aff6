"""`bulwark tickets list|show ID|resolve ID [--note TEXT]`: escalation tickets from the `human` provider.

Reads the state backend of `proxy.toml` (`--config`): the Redis stream when `[state]
backend = "redis"`, else `<state.data_dir>/tickets.jsonl` (the file the running proxy appends
to). The journal name comes from the first `human` provider's `options.journal` ("tickets").
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from . import admin_state, load_config


def register(sub: Any) -> None:
    p = sub.add_parser("tickets", help="human escalation tickets opened by the fallback cascade")
    tsub = p.add_subparsers(dest="tickets_command", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--config", "-c", help="path to proxy.toml (default: $BULWARK_CONFIG or ./proxy.toml)")
        q.add_argument("--json", action="store_true", help="print JSON")

    q = tsub.add_parser("list", help="newest tickets first")
    common(q)
    q.add_argument("--status", choices=["open", "resolved", "all"], default="open")
    q.add_argument("--limit", type=int, default=50)
    q.set_defaults(func=cmd_list)

    q = tsub.add_parser("show", help="one ticket")
    common(q)
    q.add_argument("id")
    q.set_defaults(func=cmd_show)

    q = tsub.add_parser("resolve", help="mark a ticket resolved")
    common(q)
    q.add_argument("id")
    q.add_argument("--note", help="what was done")
    q.add_argument("--by", help="who resolved it")
    q.set_defaults(func=cmd_resolve)


def _journal_name(cfg: Any) -> str:
    for p in cfg.providers.values():
        if p.type == "human":
            return str(p.options.get("journal", "tickets"))
    return "tickets"


async def _run(args: argparse.Namespace, fn: Any) -> int:
    cfg = load_config(args)
    state = admin_state(cfg)
    try:
        await state.startup()
        return await fn(state.journal(_journal_name(cfg)))
    except Exception as exc:  # noqa: BLE001 - a CLI prints the cause instead of a traceback
        print(f"bulwark: could not read tickets from the {cfg.state.backend} state backend: {exc}", file=sys.stderr)
        return 1
    finally:
        await state.aclose()


def _when(ts: Any) -> str:
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(ts)))
    except (TypeError, ValueError):
        return "-"


def cmd_list(args: argparse.Namespace) -> int:
    async def go(journal: Any) -> int:
        status = None if args.status == "all" else args.status
        rows = await journal.list(limit=args.limit, status=status)
        if args.json:
            print(json.dumps(rows, default=str, indent=2))
            return 0
        if not rows:
            print(f"no {args.status if status else ''} tickets".replace("  ", " "))
            return 0
        for r in rows:
            msg = str(r.get("message") or "").replace("\n", " ")
            print(f"{r.get('id')}  {r.get('status', 'open'):8}  {_when(r.get('created_at'))}  model={r.get('model')}  "
                  f"key={r.get('key_name') or r.get('key_id')}  {msg[:60]}")
        return 0

    return asyncio.run(_run(args, go))


def cmd_show(args: argparse.Namespace) -> int:
    async def go(journal: Any) -> int:
        rec = await journal.get(args.id)
        if rec is None:
            print(f"bulwark: no ticket {args.id}", file=sys.stderr)
            return 1
        print(json.dumps(rec, default=str, indent=2))
        return 0

    return asyncio.run(_run(args, go))


def cmd_resolve(args: argparse.Namespace) -> int:
    async def go(journal: Any) -> int:
        fields: dict[str, Any] = {"status": "resolved", "resolved_at": time.time()}
        if args.note:
            fields["note"] = args.note
        if args.by:
            fields["resolved_by"] = args.by
        if not await journal.update(args.id, fields):
            print(f"bulwark: no ticket {args.id}", file=sys.stderr)
            return 1
        print(f"ticket {args.id} resolved")
        return 0

    return asyncio.run(_run(args, go))
