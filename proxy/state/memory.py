"""The embedded in-memory state backend: one process, bounded, no Redis needed.

`MemoryStore` mirrors the few Redis data types Scripts use (strings/numbers, hashes,
sorted sets) with per-key expiry, so a Script's Python side reads like its Lua side.
Everything runs on the event loop thread: a Script's `local` function is atomic because it
never awaits.

Memory is bounded two ways. Plain keys (cache entries, stats, fingerprints) live in an LRU of
`max_keys`: other traffic may evict them. Keys written by a durable Script (spend, rate-limit
windows, blocks, breakers: `Script.durable`) are never evicted by other traffic: they expire
by their own TTL (a budget at the end of its period), and past `max_durable_keys` live ones
a *new* identity is refused (`StateFull`) rather than forgetting an existing one, so a flood
of distinct end users can neither evict an exhausted budget nor grow memory without bound.
"""
from __future__ import annotations

import bisect
import fnmatch
import logging
import os
import time
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import Any

import orjson

from .base import Journal, Script, StateBackend, StateError

log = logging.getLogger("bulwark.state")


class StateFull(StateError):
    """The in-memory store holds `max_durable_keys` live durable keys and a new one was asked for."""


class MemoryStore:
    """Plain keys -> values (bytes, float, dict for hashes, list of (score, member) for zsets)."""

    def __init__(self, max_keys: int = 100_000, max_durable_keys: int = 1_000_000) -> None:
        self.max_keys = max_keys
        self.max_durable_keys = max_durable_keys
        self._data: OrderedDict[str, Any] = OrderedDict()  # evictable, least recently used first
        self._durable: dict[str, Any] = {}  # never evicted; expire by TTL
        self._expiry: dict[str, float] = {}
        self._pinning = False  # inside a durable Script: new keys are durable
        self._pin_only: set[str] | None = None  # ...only these, when the Script says which
        self._durable_writes = 0

    # -- keys -------------------------------------------------------------------------
    def _alive(self, key: str, now: float | None = None) -> bool:
        exp = self._expiry.get(key)
        if exp is not None and exp <= (now if now is not None else time.time()):
            self._data.pop(key, None)
            self._durable.pop(key, None)
            self._expiry.pop(key, None)
            return False
        return key in self._data or key in self._durable

    def get(self, key: str, default: Any = None) -> Any:
        if not self._alive(key):
            return default
        if key in self._durable:
            return self._durable[key]
        self._data.move_to_end(key)
        return self._data[key]

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        if key in self._durable or (self._pinning and (self._pin_only is None or key in self._pin_only)):
            self._data.pop(key, None)
            self._durable[key] = value
            self._durable_writes += 1
        else:
            self._data[key] = value
            self._data.move_to_end(key)
        if ttl is not None and ttl > 0:
            self._expiry[key] = time.time() + ttl
        else:
            self._expiry.pop(key, None)
        self._evict()

    def delete(self, key: str) -> None:
        self._data.pop(key, None)
        self._durable.pop(key, None)
        self._expiry.pop(key, None)

    def expire(self, key: str, ttl: float) -> None:
        if key in self._data or key in self._durable:
            self._expiry[key] = time.time() + ttl

    def ttl(self, key: str) -> float:
        """Seconds left; -1 without expiry, -2 when missing (like Redis PTTL / 1000)."""
        if not self._alive(key):
            return -2
        exp = self._expiry.get(key)
        return -1 if exp is None else max(0.0, exp - time.time())

    def exists(self, key: str) -> bool:
        return self._alive(key)

    def keys(self, pattern: str) -> list[str]:
        now = time.time()
        return [k for k in [*self._data, *self._durable] if self._alive(k, now) and fnmatch.fnmatchcase(k, pattern)]

    def __len__(self) -> int:
        return len(self._data) + len(self._durable)

    @property
    def durable_keys(self) -> int:
        return len(self._durable)

    def _evict(self) -> None:
        while len(self._data) > self.max_keys:
            k, _ = self._data.popitem(last=False)
            self._expiry.pop(k, None)
        if self._durable_writes >= 10_000 or len(self._durable) > self.max_durable_keys:
            self._durable_writes = 0
            self._purge_durable()

    def _purge_durable(self) -> None:
        now = time.time()
        for k in [k for k in self._durable if self._expiry.get(k, now + 1) <= now]:
            self._durable.pop(k, None)
            self._expiry.pop(k, None)

    def run_durable(self, script: Script, all_keys: list[str], args: list[Any]) -> Any:
        """Run a durable Script: the keys it touches become durable. A Script that would add
        keys past `max_durable_keys` is refused before it runs (nothing half-applied)."""
        keys = [k for k in all_keys if script.durable_key(k)] if script.durable_key is not None else all_keys
        new = [k for k in keys if k not in self._durable]
        for k in new:
            if k in self._data:  # written before as a plain key: it matters now
                self._durable[k] = self._data.pop(k)
        if len(self._durable) + len(new) > self.max_durable_keys:
            self._purge_durable()
            missing = sum(1 for k in keys if not self._alive(k))
            if len(self._durable) + missing > self.max_durable_keys:
                raise StateFull(
                    f"the in-memory state holds {len(self._durable)} live rate-limit and budget records "
                    f"(state.memory_max_durable_keys); new clients are refused until some expire")
        self._pinning = True
        self._pin_only = set(keys) if script.durable_key is not None else None
        try:
            return script.local(self, all_keys, args)
        finally:
            self._pinning = False
            self._pin_only = None

    # -- numbers ------------------------------------------------------------------------
    def incr(self, key: str, amount: float = 1.0, ttl: float | None = None) -> float:
        cur = self.get(key)
        value = float(cur or 0) + amount
        if cur is None:
            self.set(key, value, ttl)
        elif key in self._durable:
            self._durable[key] = value
        else:
            self._data[key] = value
        return value

    # -- hashes -------------------------------------------------------------------------
    def hgetall(self, key: str) -> dict[str, Any]:
        h = self.get(key)
        return dict(h) if isinstance(h, dict) else {}

    def hget(self, key: str, field: str) -> Any:
        h = self.get(key)
        return h.get(field) if isinstance(h, dict) else None

    def hset(self, key: str, mapping: dict[str, Any]) -> None:
        h = self.get(key)
        if not isinstance(h, dict):
            h = {}
            self.set(key, h)
        h.update(mapping)

    def hincr(self, key: str, field: str, amount: float = 1.0) -> float:
        h = self.get(key)
        if not isinstance(h, dict):
            h = {}
            self.set(key, h)
        h[field] = float(h.get(field, 0)) + amount
        return h[field]

    # -- sorted sets (sliding logs) ----------------------------------------------------
    def zadd(self, key: str, score: float, member: str) -> None:
        z = self.get(key)
        if not isinstance(z, list):
            z = []
            self.set(key, z)
        bisect.insort(z, (score, member))

    def zremrangebyscore(self, key: str, lo: float, hi: float) -> int:
        z = self.get(key)
        if not isinstance(z, list):
            return 0
        before = len(z)
        z[:] = [(s, m) for s, m in z if not (lo <= s <= hi)]
        return before - len(z)

    def zrem(self, key: str, member: str) -> int:
        z = self.get(key)
        if not isinstance(z, list):
            return 0
        before = len(z)
        z[:] = [(s, m) for s, m in z if m != member]
        return before - len(z)

    def zcard(self, key: str) -> int:
        z = self.get(key)
        return len(z) if isinstance(z, list) else 0

    def zrange(self, key: str) -> list[tuple[float, str]]:
        z = self.get(key)
        return list(z) if isinstance(z, list) else []


class JsonlJournal(Journal):
    """Append-only JSONL file; status updates are appended as update lines and folded on read.

    Falls back to memory (with one warning) when the directory is not writable.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._records: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._loaded = False
        self._writable = True

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        try:
            with open(self.path, "rb") as f:
                for line in f:
                    try:
                        rec = orjson.loads(line)
                    except orjson.JSONDecodeError:
                        continue  # a torn last line after a crash
                    if "_update" in rec:
                        target = self._records.get(rec["_update"])
                        if target is not None:
                            target.update(rec.get("fields", {}))
                    elif "id" in rec:
                        self._records[rec["id"]] = rec
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("journal %s unreadable (%s); keeping records in memory", self.path, exc)

    def _write(self, obj: dict[str, Any]) -> None:
        if not self._writable:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "ab") as f:
                f.write(orjson.dumps(obj) + b"\n")
        except OSError as exc:
            self._writable = False
            log.warning("journal %s not writable (%s); keeping records in memory only", self.path, exc)

    async def append(self, record: dict[str, Any]) -> str:
        self._load()
        rid = record.get("id") or f"{int(time.time() * 1000)}-{uuid.uuid4().hex[:8]}"
        record = {**record, "id": rid}
        record.setdefault("status", "open")
        record.setdefault("created_at", time.time())
        self._records[rid] = record
        self._write(record)
        return rid

    async def get(self, record_id: str) -> dict[str, Any] | None:
        self._load()
        rec = self._records.get(record_id)
        return dict(rec) if rec else None

    async def list(self, limit: int = 100, status: str | None = None) -> list[dict[str, Any]]:
        self._load()
        out = []
        for rec in reversed(self._records.values()):
            if status is None or rec.get("status") == status:
                out.append(dict(rec))
                if len(out) >= limit:
                    break
        return out

    async def update(self, record_id: str, fields: dict[str, Any]) -> bool:
        self._load()
        rec = self._records.get(record_id)
        if rec is None:
            return False
        rec.update(fields)
        self._write({"_update": record_id, "fields": fields})
        return True


class MemoryState(StateBackend):
    name = "memory"

    def __init__(self, max_keys: int = 100_000, data_dir: str | os.PathLike[str] = "./var",
                 max_durable_keys: int = 1_000_000) -> None:
        self.store = MemoryStore(max_keys, max_durable_keys)
        self.data_dir = Path(data_dir)
        self._journals: dict[str, JsonlJournal] = {}

    async def get(self, key: str) -> bytes | None:
        v = self.store.get(key)
        if v is None:
            return None
        if isinstance(v, bytes):
            return v
        if isinstance(v, float):
            return repr(v).encode()
        return str(v).encode()

    async def set(self, key: str, value: bytes, ttl: float | None = None, *, write_behind: bool = False) -> None:
        self.store.set(key, value, ttl)

    async def delete(self, *keys: str) -> None:
        for k in keys:
            self.store.delete(k)

    async def incr(self, key: str, amount: float = 1.0, ttl: float | None = None) -> float:
        return self.store.incr(key, amount, ttl)

    async def run(self, script: Script, keys: list[str], args: list[Any]) -> Any:
        if script.durable:
            return self.store.run_durable(script, keys, args)
        return script.local(self.store, keys, args)

    async def scan(self, pattern: str, limit: int = 10_000) -> list[str]:
        return self.store.keys(pattern)[:limit]

    def journal(self, name: str) -> Journal:
        j = self._journals.get(name)
        if j is None:
            j = self._journals[name] = JsonlJournal(self.data_dir / f"{name}.jsonl")
        return j
