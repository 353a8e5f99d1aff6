"""Client (virtual) keys: lookup by SHA-256, compared in constant time.

Keys come from `[[auth.keys]]` in proxy.toml (plain `key` for demos or `key_sha256`) and,
at run time, from the state backend (`bulwark keys create`). Only hashes are kept in memory
or state; the plain key is shown once at creation.

Runtime keys live in state as `keys:rec:<sha256>` (a JSON record: id, name, tier, team,
allowed models, limits, created_at) plus a name index `keys:name:<name>`. Lookups are cached
per process for `cache_ttl` seconds (unknown keys for `negative_ttl`), so the hot path does
not touch Redis for every request; a revoked key therefore stops working within
`cache_ttl` on every replica. While a fail-open state backend is degraded (Redis down), the
last known record of a key keeps working for up to `stale_ttl`.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections import OrderedDict
from typing import Any

import orjson

from .config import AuthConfig, KeyConfig
from .context import Identity
from .errors import Unauthorized

log = logging.getLogger("bulwark.keys")

TIERS = ("new", "standard", "trusted")
# Limits fields a key may carry (read by the ratelimit and budgets plugins).
LIMIT_FIELDS = ("rpm", "tpm", "max_concurrent", "user_rpm", "user_tpm", "user_max_concurrent",
                "budget_usd_day", "budget_usd_month", "user_budget_usd_day", "user_budget_usd_month")


def hash_key(key: str) -> str:
    # aiohttp decodes header bytes that are not UTF-8 as lone surrogates (surrogateescape);
    # hashing them back to the bytes that came keeps this total: it never raises.
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def is_clean_text(value: str) -> bool:
    """False when a header value held bytes that are not UTF-8 (surrogate-escaped by aiohttp)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


NOT_UTF8 = ("The API key contains bytes that are not valid UTF-8 (check for a copy-paste accident or a wrong "
            "character set); send your Bulwark client key as `Authorization: Bearer <key>`.")


def key_id_for(digest: str) -> str:
    """A stable, non-secret id for logs, state keys and metrics-free records."""
    return "k_" + digest[:16]


def new_plain_key() -> str:
    return "sk-bw-" + secrets.token_urlsafe(32)


class KeyStore:
    def __init__(self, auth: AuthConfig, state: Any = None, *, cache_ttl: float = 5.0, negative_ttl: float = 2.0,
                 stale_ttl: float = 3600.0, max_cached: int = 10_000) -> None:
        self.state = state
        self.cache_ttl = cache_ttl
        self.negative_ttl = negative_ttl
        self.stale_ttl = stale_ttl
        self.max_cached = max_cached
        self._by_hash: dict[str, KeyConfig] = {}
        for k in auth.keys:
            digest = k.key_sha256 or hash_key(k.key or "")
            self._by_hash[digest] = k
        # digest -> (fresh_until, record or None, stale_until)
        self._cache: OrderedDict[str, tuple[float, dict[str, Any] | None, float]] = OrderedDict()

    def _find(self, digest: str) -> KeyConfig | None:
        # Constant-time comparison against every configured hash (the dict lookup alone
        # would leak timing on hash prefixes in theory; the set is small).
        found = None
        for known, cfg in self._by_hash.items():
            if hmac.compare_digest(known, digest):
                found = cfg
        return found

    async def lookup(self, presented: str) -> Identity | None:
        if not is_clean_text(presented):
            # No key Bulwark issues has such bytes, and none could be forwarded upstream either.
            raise Unauthorized(NOT_UTF8)
        digest = hash_key(presented)
        cfg = self._find(digest)
        if cfg is not None:
            return Identity(
                key_id=key_id_for(digest),
                key_name=cfg.name,
                tier=cfg.tier,
                team=cfg.team,
                allowed_models=cfg.allowed_models,
                limits=dict(cfg.limits),
                paths=list(cfg.paths),
            )
        if self.state is None:
            return None
        rec = await self._runtime(digest)
        return _identity(digest, rec) if rec is not None else None

    # -- runtime keys -------------------------------------------------------------------
    async def _runtime(self, digest: str) -> dict[str, Any] | None:
        now = time.monotonic()
        hit = self._cache.get(digest)
        if hit is not None and hit[0] > now:
            self._cache.move_to_end(digest)
            return hit[1]
        raw = await self.state.get("keys:rec:" + digest)
        rec = None
        if raw is not None:
            try:
                cand = orjson.loads(raw)
            except orjson.JSONDecodeError:
                cand = None
            if isinstance(cand, dict) and hmac.compare_digest(str(cand.get("sha256", "")), digest):
                rec = cand
        if rec is None and hit is not None and hit[1] is not None and hit[2] > now and getattr(self.state, "degraded", False):
            # Redis is down and the fail-open fallback does not know the key: keep the last
            # known record for a while rather than locking every runtime key out.
            return hit[1]
        ttl = self.cache_ttl if rec is not None else self.negative_ttl
        self._cache[digest] = (now + ttl, rec, now + self.stale_ttl if rec is not None else 0.0)
        self._cache.move_to_end(digest)
        while len(self._cache) > self.max_cached:
            self._cache.popitem(last=False)
        return rec

    def invalidate(self, digest: str | None = None) -> None:
        if digest is None:
            self._cache.clear()
        else:
            self._cache.pop(digest, None)

    async def create(self, name: str | None = None, tier: str = "standard", team: str | None = None,
                     allowed_models: list[str] | None = None, limits: dict[str, float] | None = None,
                     paths: list[str] | None = None) -> tuple[str, dict[str, Any]]:
        """Store a new runtime key; returns (plain key, record). The plain key is not kept."""
        if tier not in TIERS:
            raise ValueError(f"tier must be one of {', '.join(TIERS)}")
        for k, v in (limits or {}).items():
            if k not in LIMIT_FIELDS:
                raise ValueError(f"unknown limit {k!r} (known: {', '.join(LIMIT_FIELDS)})")
            if v < 0:
                raise ValueError(f"limit {k} must not be negative")
        plain = new_plain_key()
        digest = hash_key(plain)
        kid = key_id_for(digest)
        name = name or kid
        if any(c.name == name for c in self._by_hash.values()) or await self.state.get("keys:name:" + name) is not None:
            raise ValueError(f"a key named {name!r} already exists")
        rec = {
            "id": kid, "name": name, "tier": tier, "team": team, "allowed_models": allowed_models,
            "limits": dict(limits or {}), "paths": ["/" + p.strip("/") for p in paths or ()],
            "created_at": time.time(), "sha256": digest,
        }
        await self.state.set("keys:rec:" + digest, orjson.dumps(rec))
        await self.state.set("keys:name:" + name, digest.encode())
        return plain, rec

    async def list(self) -> list[dict[str, Any]]:
        out = []
        for rel in await self.state.scan("keys:rec:*"):
            raw = await self.state.get(rel)
            if raw is None:
                continue
            try:
                rec = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            out.append({k: v for k, v in rec.items() if k != "sha256"})
        return sorted(out, key=lambda r: r.get("created_at", 0))

    async def revoke(self, name_or_id: str) -> dict[str, Any] | None:
        """Delete a runtime key by name or id; returns its record, or None if unknown."""
        digest = None
        raw = await self.state.get("keys:name:" + name_or_id)
        if raw is not None:
            digest = raw.decode()
        else:
            for rel in await self.state.scan("keys:rec:*"):
                if key_id_for(rel.rsplit(":", 1)[-1]) == name_or_id:
                    digest = rel.rsplit(":", 1)[-1]
                    break
        if digest is None:
            return None
        rec_raw = await self.state.get("keys:rec:" + digest)
        rec = orjson.loads(rec_raw) if rec_raw else {"id": key_id_for(digest), "name": name_or_id}
        await self.state.delete("keys:rec:" + digest, "keys:name:" + str(rec.get("name", name_or_id)))
        self.invalidate(digest)
        rec.pop("sha256", None)
        return rec


def _identity(digest: str, rec: dict[str, Any]) -> Identity:
    return Identity(
        key_id=key_id_for(digest),
        key_name=rec.get("name"),
        tier=rec.get("tier") if rec.get("tier") in TIERS else "standard",
        team=rec.get("team"),
        allowed_models=rec.get("allowed_models"),
        limits=dict(rec.get("limits") or {}),
        paths=[p for p in rec.get("paths") or () if isinstance(p, str)],
    )
