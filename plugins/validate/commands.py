"""`bulwark review list|show ID|resolve ID [--note TEXT]`: the human review queue.

Reads the state backend of `proxy.toml` (`--config`): the Redis stream when `[state]
backend = "redis"`, else `<state.data_dir>/review.jsonl` (the file the running proxy appends
to). A resolution written here is appended to the same journal.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from proxy.commands import admin_state, load_config


def register(sub: Any) -> None:
    p = sub.add_parser("review", help="human review queue of answers that failed validation")
    rsub = p.add_subparsers(dest="review_command", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--config", "-c", help="path to proxy.toml (default: $BULWARK_CONFIG or ./proxy.toml)")
        q.add_argument("--json", action="store_true", help="print JSON")

    q = rsub.add_parser("list", help="newest records first")
    common(q)
    q.add_argument("--status", choices=["open", "resolved", "all"], default="open")
    q.add_argument("--limit", type=int, default=50)
    q.set_defaults(func=cmd_list)

    q = rsub.add_parser("show", help="one record with its issues and the answer")
    common(q)
    q.add_argument("id")
    q.set_defaults(func=cmd_show)

    q = rsub.add_parser("resolve", help="mark a record resolved")
    common(q)
    q.add_argument("id")
    q.add_argument("--note", help="what the reviewer found")
    q.add_argument("--resolution", help="e.g. confirmed_hallucination, false_positive")
    q.add_argument("--by", help="reviewer name")
    q.set_defaults(func=cmd_resolve)


async def _run(args: argparse.Namespace, fn: Any) -> Any:
    from .review import ReviewQueue

    state = admin_state(load_config(args))
    await state.startup()
    try:
        return await fn(ReviewQueue(state))
    finally:
        await state.aclose()


def _go(args: argparse.Namespace, fn: Any) -> Any:
    try:
        return asyncio.run(_run(args, fn))
    except SystemExit:
        raise
    except Exception as exc:
        print(f"bulwark: cannot read the review queue: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


def _show(rec: dict[str, Any]) -> None:
    ts = lambda t: time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(float(t))) if t else "-"  # noqa: E731
    print(f"id:          {rec.get('id')}")
    print(f"status:      {rec.get('status')}")
    print(f"created:     {ts(rec.get('created_at'))}")
    print(f"request id:  {rec.get('request_id')}")
    print(f"key:         {rec.get('key_name') or '-'} ({rec.get('key_id')})   team: {rec.get('team') or '-'}   user: {rec.get('user') or '-'}")
    print(f"model:       {rec.get('model')} via {rec.get('provider')}   action: {rec.get('action')}   regenerations: {rec.get('regenerations', 0)}")
    print(f"validators:  {', '.join(rec.get('validators') or [])}")
    print("issues:")
    for i in rec.get("issues") or []:
        print(f"  - {i}")
    for a in rec.get("answers") or []:
        print("answer:")
        if a.get("content"):
            for line in str(a["content"]).splitlines() or [""]:
                print(f"  | {line}")
        for tc in a.get("tool_calls") or []:
            print(f"  tool call {tc.get('name')}({tc.get('arguments')})")
    if rec.get("status") == "resolved":
        print(f"resolved:    {ts(rec.get('resolved_at'))} by {rec.get('resolved_by') or '-'}: {rec.get('resolution') or ''} {rec.get('note') or ''}")


def cmd_list(args: argparse.Namespace) -> int:
    from .review import summary_line

    status = None if args.status == "all" else args.status
    recs = _go(args, lambda q: q.list(limit=args.limit, status=status))
    if args.json:
        print(json.dumps(recs, indent=2, default=str))
    elif not recs:
        print(f"no {'' if status is None else status + ' '}review records")
    else:
        for r in recs:
            print(summary_line(r))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    rec = _go(args, lambda q: q.get(args.id))
    if rec is None:
        print(f"bulwark: no review record {args.id!r} (see `bulwark review list --status all`)", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(rec, indent=2, default=str))
    else:
        _show(rec)
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    rec = _go(args, lambda q: q.resolve(args.id, note=args.note, by=args.by or "cli", resolution=args.resolution))
    if rec is None:
        print(f"bulwark: no review record {args.id!r} (see `bulwark review list --status all`)", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(rec, indent=2, default=str))
    else:
        print(f"resolved {rec['id']}")
    return 0
