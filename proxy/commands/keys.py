"""`bulwark keys create|list|revoke`: runtime client keys in the configured state backend.

    bulwark keys create --tier trusted --budget-usd-month 50 [--name N] [--team T] [--models a,b] [--rpm N] [--tpm N]
    bulwark keys list [--json]
    bulwark keys revoke <name|id>

The state backend comes from `--config proxy.toml` ([state]); with the memory backend a key
created here would only live in this process, so the command prints the `[[auth.keys]]`
entry (with `key_sha256`) to paste into proxy.toml instead.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

import orjson


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("keys", help="create, list and revoke client keys stored in the state backend")
    ks = p.add_subparsers(dest="keys_command", metavar="{create,list,revoke}")
    ks.required = True

    def with_config(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument("--config", "-c", help="path to proxy.toml (default: $BULWARK_CONFIG or ./proxy.toml)")
        return sp

    c = with_config(ks.add_parser("create", help="create a key and print it once"))
    c.add_argument("--name", help="unique name (default: the key id)")
    c.add_argument("--tier", choices=["new", "standard", "trusted"], default="standard")
    c.add_argument("--team")
    c.add_argument("--models", help="comma-separated allowed models (default: all)")
    c.add_argument("--rpm", type=float, help="requests per window (ratelimit.window_seconds)")
    c.add_argument("--tpm", type=float, help="tokens per window")
    c.add_argument("--max-concurrent", type=float)
    c.add_argument("--budget-usd-day", type=float)
    c.add_argument("--budget-usd-month", type=float)
    c.add_argument("--path", action="append", default=[], metavar="/files",
                   help="a forwarded path beyond server.passthrough_paths this key may use (repeatable)")
    c.set_defaults(func=_create)

    lst = with_config(ks.add_parser("list", help="list runtime keys (never the keys themselves)"))
    lst.add_argument("--json", action="store_true", help="one JSON object per line")
    lst.set_defaults(func=_list)

    r = with_config(ks.add_parser("revoke", help="delete a runtime key (stops working within the lookup cache TTL, 5 s)"))
    r.add_argument("key", help="name or id (k_...)")
    r.set_defaults(func=_revoke)


def _open(args: argparse.Namespace) -> tuple[Any, Any]:
    from ..keys import KeyStore
    from . import admin_state, load_config

    cfg = load_config(args)
    return cfg, KeyStore(cfg.auth, admin_state(cfg))


async def _with_store(args: argparse.Namespace, fn: Any) -> int:
    from ..state.base import StateError

    cfg, store = _open(args)
    try:
        if cfg.state.backend == "redis" and not await store.state.ping():
            print(f"bulwark keys: cannot reach Redis at {cfg.state.redis_url} (state.redis_url)", file=sys.stderr)
            return 1
        return await fn(cfg, store)
    except StateError as exc:
        print(f"bulwark keys: state backend error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"bulwark keys: {exc}", file=sys.stderr)
        return 2
    finally:
        await store.state.aclose()


def _create(args: argparse.Namespace) -> int:
    limits: dict[str, float] = {}
    for field in ("rpm", "tpm", "max_concurrent", "budget_usd_day", "budget_usd_month"):
        v = getattr(args, field)
        if v is not None:
            limits[field] = v
    models = [m.strip() for m in args.models.split(",") if m.strip()] if args.models else None

    async def go(cfg: Any, store: Any) -> int:
        plain, rec = await store.create(args.name, args.tier, args.team, models, limits, args.path)
        if cfg.state.backend == "memory":
            print("warning: state.backend is memory, so this key is not stored for the running proxy. "
                  "Add it to proxy.toml instead:", file=sys.stderr)
            print(_toml_entry(rec), file=sys.stderr)
        print(plain)
        print(f"created key {rec['id']} name={rec['name']} tier={rec['tier']}"
              + (f" team={rec['team']}" if rec["team"] else "")
              + (f" limits={rec['limits']}" if rec["limits"] else "")
              + " (shown once; store it now)", file=sys.stderr)
        return 0

    return asyncio.run(_with_store(args, go))


def _toml_entry(rec: dict[str, Any]) -> str:
    lines = ["[[auth.keys]]", f'name = "{rec["name"]}"', f'key_sha256 = "{rec["sha256"]}"', f'tier = "{rec["tier"]}"']
    if rec.get("team"):
        lines.append(f'team = "{rec["team"]}"')
    if rec.get("allowed_models"):
        lines.append("allowed_models = [" + ", ".join(f'"{m}"' for m in rec["allowed_models"]) + "]")
    if rec.get("limits"):
        lines.append("limits = { " + ", ".join(f"{k} = {v}" for k, v in rec["limits"].items()) + " }")
    if rec.get("paths"):
        lines.append("paths = [" + ", ".join(f'"{p}"' for p in rec["paths"]) + "]")
    return "\n".join(lines)


def _list(args: argparse.Namespace) -> int:
    async def go(cfg: Any, store: Any) -> int:
        recs = await store.list()
        if args.json:
            for r in recs:
                print(orjson.dumps(r).decode())
            return 0
        if not recs:
            print("no runtime keys (keys in proxy.toml are not listed here)")
            return 0
        print(f"{'ID':<20} {'NAME':<20} {'TIER':<9} {'TEAM':<12} LIMITS")
        for r in recs:
            lim = ", ".join(f"{k}={v:g}" for k, v in (r.get("limits") or {}).items())
            print(f"{r['id']:<20} {str(r.get('name')):<20} {r.get('tier', ''):<9} {str(r.get('team') or '-'):<12} {lim or '-'}")
        return 0

    return asyncio.run(_with_store(args, go))


def _revoke(args: argparse.Namespace) -> int:
    async def go(cfg: Any, store: Any) -> int:
        rec = await store.revoke(args.key)
        if rec is None:
            print(f"bulwark keys: no runtime key named or with id {args.key!r}", file=sys.stderr)
            return 1
        print(f"revoked {rec.get('id')} name={rec.get('name')} (stops working within 5 s on every replica)")
        return 0

    return asyncio.run(_with_store(args, go))
