"""Circuit breakers per provider: closed -> open -> half-open -> closed.

    closed     calls flow; outcomes land in a sliding window of time buckets. Once the window
               holds at least `min_requests` calls and the error share reaches `error_rate`,
               the breaker opens.
    open       calls are refused at once (the fallback cascade skips the provider) until
               `cooldown_seconds` have passed; then the breaker turns half-open.
    half-open  at most `half_open_probes` calls at a time go through as probes; `close_after`
               successful probes close it, one failed probe opens it again.

State lives in `services.state` through two atomic Scripts (Lua for Redis, a Python twin for
the memory backend), so every worker and replica shares one breaker per provider when Redis
is configured. A state-backend failure fails open (the call goes through) and is counted.
The gauge `bulwark_breaker_state{provider}` is 0 closed, 1 half-open, 2 open.
"""
from __future__ import annotations

import logging
import math
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from proxy.state.base import Script

log = logging.getLogger("bulwark.breaker")

CLOSED, HALF_OPEN, OPEN = 0, 1, 2
STATE_NAMES = {CLOSED: "closed", HALF_OPEN: "half_open", OPEN: "open"}


class BreakerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    window_seconds: float = Field(30.0, gt=0)
    buckets: int = Field(10, ge=1, le=120)
    min_requests: int = Field(10, ge=1)
    error_rate: float = Field(0.5, gt=0, le=1)
    cooldown_seconds: float = Field(15.0, gt=0)
    half_open_probes: int = Field(1, ge=1)
    close_after: int = Field(1, ge=1)  # successful probes needed to close


_ALLOW_LUA = """
local k = KEYS[1]
local now = tonumber(ARGV[1]); local cooldown = tonumber(ARGV[2]); local probes = tonumber(ARGV[3])
local st = tonumber(redis.call('HGET', k, 'st') or '0')
if st == 2 then
  local op = tonumber(redis.call('HGET', k, 'op') or '0')
  if now - op < cooldown then return {2, 0} end
  st = 1
  redis.call('HSET', k, 'st', 1, 'pr', 0, 'ok', 0)
end
if st == 1 then
  local pr = tonumber(redis.call('HGET', k, 'pr') or '0')
  local ps = tonumber(redis.call('HGET', k, 'ps') or '0')
  if pr >= probes then
    if now - ps < cooldown then return {1, 0} end
    pr = 0
  end
  redis.call('HSET', k, 'pr', pr + 1, 'ps', now)
  return {1, 1}
end
return {0, 1}
"""


def _allow_local(store: Any, keys: list[str], args: list[Any]) -> list[int]:
    k = keys[0]
    now, cooldown, probes = float(args[0]), float(args[1]), float(args[2])
    st = int(float(store.hget(k, "st") or 0))
    if st == OPEN:
        op = float(store.hget(k, "op") or 0)
        if now - op < cooldown:
            return [OPEN, 0]
        st = HALF_OPEN
        store.hset(k, {"st": HALF_OPEN, "pr": 0, "ok": 0})
    if st == HALF_OPEN:
        pr = float(store.hget(k, "pr") or 0)
        ps = float(store.hget(k, "ps") or 0)
        if pr >= probes:
            if now - ps < cooldown:
                return [HALF_OPEN, 0]
            pr = 0
        store.hset(k, {"pr": pr + 1, "ps": now})
        return [HALF_OPEN, 1]
    return [CLOSED, 1]


# ARGV: now, ok, probe, bucket_seconds, buckets, min_requests, error_rate, close_after, ttl
_RECORD_LUA = """
local k = KEYS[1]
local now = tonumber(ARGV[1]); local ok = tonumber(ARGV[2]); local probe = tonumber(ARGV[3])
local bsec = tonumber(ARGV[4]); local nb = tonumber(ARGV[5]); local minreq = tonumber(ARGV[6])
local rate = tonumber(ARGV[7]); local close_after = tonumber(ARGV[8]); local ttl = tonumber(ARGV[9])
local st = tonumber(redis.call('HGET', k, 'st') or '0')
if st == 1 then
  if probe ~= 1 then return {1, 0} end
  local pr = tonumber(redis.call('HGET', k, 'pr') or '0') - 1
  if pr < 0 then pr = 0 end
  if ok == 1 then
    local oks = tonumber(redis.call('HGET', k, 'ok') or '0') + 1
    if oks >= close_after then
      redis.call('DEL', k)
      redis.call('HSET', k, 'st', 0)
      redis.call('EXPIRE', k, ttl)
      return {0, 1}
    end
    redis.call('HSET', k, 'ok', oks, 'pr', pr)
    return {1, 0}
  end
  redis.call('HSET', k, 'st', 2, 'op', now, 'pr', 0, 'ok', 0)
  redis.call('EXPIRE', k, ttl)
  return {2, 1}
end
if st == 2 then return {2, 0} end
local idx = math.floor(now / bsec)
redis.call('HINCRBY', k, 'n' .. idx, 1)
if ok ~= 1 then redis.call('HINCRBY', k, 'e' .. idx, 1) end
local all = redis.call('HGETALL', k)
local total = 0; local errors = 0
for i = 1, #all, 2 do
  local f = all[i]
  local c = string.sub(f, 1, 1)
  if c == 'n' or c == 'e' then
    local bi = tonumber(string.sub(f, 2))
    if bi <= idx - nb then
      redis.call('HDEL', k, f)
    elseif c == 'n' then
      total = total + tonumber(all[i + 1])
    else
      errors = errors + tonumber(all[i + 1])
    end
  end
end
redis.call('EXPIRE', k, ttl)
if total >= minreq and errors >= rate * total then
  redis.call('DEL', k)
  redis.call('HSET', k, 'st', 2, 'op', now)
  redis.call('EXPIRE', k, ttl)
  return {2, 1}
end
return {0, 0}
"""


def _record_local(store: Any, keys: list[str], args: list[Any]) -> list[int]:
    k = keys[0]
    now, ok, probe = float(args[0]), int(args[1]), int(args[2])
    bsec, nb, minreq = float(args[3]), int(args[4]), float(args[5])
    rate, close_after, ttl = float(args[6]), int(args[7]), float(args[8])
    st = int(float(store.hget(k, "st") or 0))
    if st == HALF_OPEN:
        if probe != 1:
            return [HALF_OPEN, 0]
        pr = max(0.0, float(store.hget(k, "pr") or 0) - 1)
        if ok == 1:
            oks = float(store.hget(k, "ok") or 0) + 1
            if oks >= close_after:
                store.set(k, {"st": CLOSED}, ttl)
                return [CLOSED, 1]
            store.hset(k, {"ok": oks, "pr": pr})
            return [HALF_OPEN, 0]
        store.hset(k, {"st": OPEN, "op": now, "pr": 0, "ok": 0})
        store.expire(k, ttl)
        return [OPEN, 1]
    if st == OPEN:
        return [OPEN, 0]
    idx = math.floor(now / bsec)
    store.hincr(k, f"n{idx}", 1)
    if ok != 1:
        store.hincr(k, f"e{idx}", 1)
    h = store.hgetall(k)
    total = errors = 0.0
    keep: dict[str, Any] = {}
    for f, v in h.items():
        c = f[0]
        if c in ("n", "e"):
            bi = int(f[1:])
            if bi <= idx - nb:
                continue
            if c == "n":
                total += float(v)
            else:
                errors += float(v)
        keep[f] = v
    store.set(k, keep, ttl)
    if total >= minreq and errors >= rate * total:
        store.set(k, {"st": OPEN, "op": now}, ttl)
        return [OPEN, 1]
    return [CLOSED, 0]


_STATUS_LUA = """
local st = redis.call('HGET', KEYS[1], 'st') or '0'
local op = redis.call('HGET', KEYS[1], 'op') or '0'
return {st, op}
"""


def _status_local(store: Any, keys: list[str], args: list[Any]) -> list[str]:
    return [str(int(float(store.hget(keys[0], "st") or 0))), str(store.hget(keys[0], "op") or 0)]


ALLOW = Script("breaker_allow", _ALLOW_LUA, _allow_local)
STATUS = Script("breaker_status", _STATUS_LUA, _status_local)
RECORD = Script("breaker_record", _RECORD_LUA, _record_local, write_behind=True)


class Breakers:
    """One breaker per provider name, state in `state` (shared through Redis when configured)."""

    def __init__(self, config: BreakerConfig, state: Any, metrics: Any = None) -> None:
        self.config = config
        self.state = state
        self.metrics = metrics
        self.last: dict[str, int] = {}  # last state seen per provider (for status pages)

    @staticmethod
    def key(provider: str) -> str:
        return f"brk:{provider}"

    def _seen(self, provider: str, st: int) -> None:
        if self.last.get(provider) != st:
            self.last[provider] = st
            if self.metrics is not None:
                self.metrics.set("bulwark_breaker_state", float(st), provider=provider)

    def _state_failed(self, op: str, exc: BaseException) -> None:
        log.warning("breaker %s failed on the state backend (%r); failing open", op, exc)
        if self.metrics is not None:
            self.metrics.inc("bulwark_redis_errors_total", 1, op=f"breaker_{op}")

    async def allow(self, provider: str, now: float | None = None) -> tuple[bool, bool]:
        """(allowed, is_probe). An open breaker answers (False, False) without any upstream call."""
        if not self.config.enabled:
            return True, False
        c = self.config
        try:
            st, ok = await self.state.run(ALLOW, [self.key(provider)], [now or time.time(), c.cooldown_seconds, c.half_open_probes])
        except Exception as exc:  # noqa: BLE001 - a state failure must not fail the request
            self._state_failed("allow", exc)
            return True, False
        st = int(st)
        self._seen(provider, st)
        allowed = bool(int(ok))
        return allowed, allowed and st == HALF_OPEN

    async def peek(self, provider: str) -> int | None:
        """The breaker's state, read only (None when the state backend failed). A closed
        breaker's ALLOW decides nothing (it only reads the state), so a caller that read
        CLOSED may skip it; open and half-open ones must still go through `allow`."""
        if not self.config.enabled:
            return CLOSED
        try:
            st_raw, _ = await self.state.run(STATUS, [self.key(provider)], [])
            return int(float(st_raw))
        except Exception as exc:  # noqa: BLE001 - the caller falls back to `allow`
            self._state_failed("peek", exc)
            return None

    def seen_closed(self, provider: str) -> None:
        self._seen(provider, CLOSED)

    async def record(self, provider: str, ok: bool, probe: bool = False, now: float | None = None) -> int:
        """Count one outcome; returns the breaker state after it."""
        if not self.config.enabled:
            return CLOSED
        c = self.config
        bsec = c.window_seconds / c.buckets
        ttl = max(c.window_seconds, c.cooldown_seconds) * 4 + 60
        try:
            st, changed = await self.state.run(
                RECORD, [self.key(provider)],
                [now or time.time(), 1 if ok else 0, 1 if probe else 0, bsec, c.buckets, c.min_requests, c.error_rate, c.close_after, int(ttl)],
            )
        except Exception as exc:  # noqa: BLE001
            self._state_failed("record", exc)
            return self.last.get(provider, CLOSED)
        st = int(st)
        if int(changed):
            log.warning("circuit breaker for provider %s is now %s", provider, STATE_NAMES.get(st, st))
        self._seen(provider, st)
        return st

    async def status(self, provider: str, now: float | None = None) -> dict[str, Any]:
        """The shared state of one breaker (read only; for admin pages)."""
        st_raw, op_raw = await self.state.run(STATUS, [self.key(provider)], [])
        st, opened = int(float(st_raw)), float(op_raw or 0)
        out: dict[str, Any] = {"state": STATE_NAMES.get(st, str(st))}
        if st == OPEN:
            left = self.config.cooldown_seconds - ((now or time.time()) - opened)
            out["opened_at"] = opened
            out["probe_in_seconds"] = round(max(0.0, left), 3)
        return out

    async def reset(self, provider: str) -> None:
        await self.state.delete(self.key(provider))
        self._seen(provider, CLOSED)
