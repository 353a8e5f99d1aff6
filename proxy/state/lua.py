"""The Lua prelude and its Python twins, shared by the state Scripts of several plugins.

Every Script built on this takes one JSON argument (ARGV[1]) with `now` and its parameters,
and returns one JSON document (a cjson string from Redis, a dict from the memory backend;
`decode()` normalises both). Key references inside the parameters are 1-based indexes into
KEYS, so the Lua and Python sides read the same structure.

`_LUA_PRELUDE` opens every Lua body (parameters, `K(i)`, `drain` for leaky buckets, `decay`
for half-life scores, `eff` for risk-scaled limits, number formatting); `_num`, `_drain`,
`_decay`, `_eff` and `_hmget` are the same steps for the memory backend's MemoryStore.
"""
from __future__ import annotations

import math
from typing import Any

import orjson

INF = float("inf")


def decode(result: Any) -> Any:
    """A Script result from either backend as Python data."""
    if isinstance(result, (bytes, str)):
        return orjson.loads(result)
    return result


# ---------------------------------------------------------------------------------------
# Lua side
# ---------------------------------------------------------------------------------------
_LUA_PRELUDE = r"""
local P = cjson.decode(ARGV[1])
local now = tonumber(P.now)
local function K(i) return KEYS[i] end
local function drain(u, t, rate)
  u = tonumber(u) or 0
  t = tonumber(t) or now
  if now > t then u = u - (now - t) * rate end
  if u < 0 then u = 0 end
  return u
end
local function decay(x, t, hl)
  x = tonumber(x) or 0
  t = tonumber(t) or now
  if now > t and x > 0 then x = x * math.pow(0.5, (now - t) / hl) end
  return x
end
local function eff(limit, mult)
  if limit <= 0 then return 0 end
  local e = math.floor(limit * mult)
  if e < 1 then e = 1 end
  return e
end
local function ms(sec) return math.ceil(sec * 1000) end
local function fs(x) return string.format('%.17g', x) end  -- tostring keeps only 14 digits
"""


# ---------------------------------------------------------------------------------------
# Python side (memory backend): the same steps on a MemoryStore
# ---------------------------------------------------------------------------------------
def _num(v: Any, default: float) -> float:
    if v is None:
        return default
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


def _drain(u: Any, t: Any, rate: float, now: float) -> float:
    u = _num(u, 0.0)
    t = _num(t, now)
    if now > t:
        u -= (now - t) * rate
    return u if u > 0 else 0.0


def _decay(x: Any, t: Any, hl: float, now: float) -> float:
    x = _num(x, 0.0)
    t = _num(t, now)
    if now > t and x > 0:
        x *= 0.5 ** ((now - t) / hl)
    return x


def _eff(limit: float, mult: float) -> int:
    if limit <= 0:
        return 0
    return max(1, int(math.floor(limit * mult)))


def _hmget(store: Any, k: str, *fields: str) -> list[Any]:
    h = store.get(k)
    if not isinstance(h, dict):
        return [None] * len(fields)
    return [h.get(f) for f in fields]
