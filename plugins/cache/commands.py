"""`bulwark cache purge (--scope S | --all)` and `bulwark cache stats`.

Where the cache lives decides how these work:
- Redis (`[state] backend = "redis"` and the cache plugin's `backend` "auto" or "state"):
  entries and the shared counters are read and deleted in Redis directly.
- In memory (the default): the entries live inside the running proxy, so the command asks
  it through the admin API (`/admin/cache/stats`, `/admin/cache/purge`) with the admin key
  from the environment variable named by `auth.admin_key_env`.

A scope is a client key name (`[[auth.keys]] name`), a key id (`k_...`), `team:NAME` or
`global`, matching the plugin's `scope` setting.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any

from proxy.commands import admin_state, load_config

from . import key as cachekey
from .store import purge_state

COUNTERS = ("hit", "miss", "bypass", "refresh", "error", "shadow_hit", "stored", "not_stored", "too_large", "store_error", "saved_usd")


def register(sub: Any) -> None:
    p = sub.add_parser("cache", help="response cache: purge entries, show stats")
    csub = p.add_subparsers(dest="cache_command", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--config", "-c", help="path to proxy.toml (default: $BULWARK_CONFIG or ./proxy.toml)")
        q.add_argument("--url", help="base URL of the running proxy, for an in-memory cache (default: server.host:port)")

    q = csub.add_parser("purge", help="delete cached answers of one scope, or all of them")
    common(q)
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--scope", help="client key name, key id (k_...), team:NAME or global")
    g.add_argument("--all", action="store_true", help="every cached answer")
    q.set_defaults(func=cmd_purge)

    q = csub.add_parser("stats", help="hits, misses, stores, entries and saved dollars")
    common(q)
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=cmd_stats)


def _load(args: argparse.Namespace) -> Any:
    cfg = load_config(args)
    if "cache" not in cfg.chain.plugins:
        print("bulwark: note: the cache plugin is not in chain.plugins of this config", file=sys.stderr)
    return cfg


def uses_state(cfg: Any) -> bool:
    backend = (cfg.plugins.get("cache") or {}).get("backend", "auto")
    return backend != "memory" and cfg.state.backend == "redis"


async def _with_state(cfg: Any, fn: Any) -> Any:
    raw = admin_state(cfg)
    await raw.startup()
    try:
        return await fn(raw)
    finally:
        await raw.aclose()


def _admin(cfg: Any, args: argparse.Namespace, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    key = os.environ.get(cfg.auth.admin_key_env)
    if not key:
        raise SystemExit(
            f"bulwark: the cache is in the proxy's memory; set {cfg.auth.admin_key_env} to the admin key "
            "so this command can ask the running proxy (or use a Redis state backend)."
        )
    host = cfg.server.host if cfg.server.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    base = (args.url or f"http://{host}:{cfg.server.port}").rstrip("/")
    req = urllib.request.Request(
        f"{base}/admin/{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as exc:
        try:
            msg = json.loads(exc.read())["error"]["message"]
        except Exception:
            msg = str(exc)
        raise SystemExit(f"bulwark: {base}/admin/{path} answered {exc.code}: {msg}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise SystemExit(
            f"bulwark: no proxy answers at {base} ({getattr(exc, 'reason', exc)}). The in-memory cache lives "
            "inside the running proxy; start it or pass --url."
        ) from None


def cmd_purge(args: argparse.Namespace) -> int:
    cfg = _load(args)
    scope = None
    if not args.all:
        try:
            scope = cachekey.resolve_scope(args.scope, cfg.auth.keys)
        except ValueError as exc:
            print(f"bulwark: {exc}", file=sys.stderr)
            return 2
    if uses_state(cfg):
        try:
            n = asyncio.run(_with_state(cfg, lambda st: purge_state(st, scope)))
        except Exception as exc:
            print(f"bulwark: cannot purge the cache in Redis ({cfg.state.redis_url}): {exc}", file=sys.stderr)
            return 1
    else:
        n = _admin(cfg, args, "POST", "cache/purge", {"all": True} if args.all else {"scope": args.scope})["purged"]
    print(f"purged {n} cached answer{'s' if n != 1 else ''} ({'all scopes' if scope is None else 'scope ' + scope})")
    return 0


async def state_stats(st: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"backend": "redis"}
    for name in COUNTERS:
        v = await st.get(cachekey.STATS_PREFIX + name)
        out[name] = float(v) if v is not None else 0.0
        if name != "saved_usd":
            out[name] = int(out[name])
    lookups = out["hit"] + out["miss"] + out["error"]
    out["hit_ratio"] = round(out["hit"] / lookups, 4) if lookups else 0.0
    out["entries"] = len(await st.scan(cachekey.scope_pattern(None), limit=10_000_000))
    return out


def cmd_stats(args: argparse.Namespace) -> int:
    cfg = _load(args)
    if uses_state(cfg):
        try:
            stats = asyncio.run(_with_state(cfg, state_stats))
        except Exception as exc:
            print(f"bulwark: cannot read cache stats from Redis ({cfg.state.redis_url}): {exc}", file=sys.stderr)
            return 1
        stats["note"] = "counters from every proxy, flushed every few seconds"
    else:
        stats = _admin(cfg, args, "GET", "cache/stats")
    if args.json:
        print(json.dumps(stats, indent=2, sort_keys=True))
    else:
        for k, v in stats.items():
            print(f"{k:>12}  {v}")
    return 0
