"""Client (virtual) keys: lookup by SHA-256, compared in constant time.

Keys come from `[[auth.keys]]` in proxy.toml (plain `key` for demos or `key_sha256`) and,
at run time, from the state backend (`bulwark keys create`). Only hashes are kept in memory
or state; the plain key is shown once at creation.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Any

from .config import AuthConfig, KeyConfig
from .context import Identity


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_id_for(digest: str) -> str:
    """A stable, non-secret id for logs, state keys and metrics-free records."""
    return "k_" + digest[:16]


class KeyStore:
    def __init__(self, auth: AuthConfig, state: Any = None) -> None:
        self.state = state
        self._by_hash: dict[str, KeyConfig] = {}
        for k in auth.keys:
            digest = k.key_sha256 or hash_key(k.key or "")
            self._by_hash[digest] = k

    def _find(self, digest: str) -> KeyConfig | None:
        # Constant-time comparison against every configured hash (the dict lookup alone
        # would leak timing on hash prefixes in theory; the set is small).
        found = None
        for known, cfg in self._by_hash.items():
            if hmac.compare_digest(known, digest):
                found = cfg
        return found

    async def lookup(self, presented: str) -> Identity | None:
        digest = hash_key(presented)
        cfg = self._find(digest)
        if cfg is None:
            return None
        return Identity(
            key_id=key_id_for(digest),
            key_name=cfg.name,
            tier=cfg.tier,
            team=cfg.team,
            allowed_models=cfg.allowed_models,
            limits=dict(cfg.limits),
        )
