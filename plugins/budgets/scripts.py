"""Dollar budgets as atomic state Scripts (Lua + Python twins): BUDGET_RESERVE, BUDGET_SETTLE.

Both follow the conventions of `proxy.state.lua` (one JSON argument, one JSON result,
1-based key indexes) and start from its Lua prelude. RESERVE adds the estimated cost to
every budget item unless one of them would pass its cap; SETTLE adds the difference to the
real cost and reports the items that crossed their soft threshold (once per period).

Receipts make settling exact whatever a Redis outage did: RESERVE with `rcpt` ([key, ttl])
also records what it reserved for this attempt; SETTLE with `cost` (and `rcpt`, `done`)
adds `cost` minus whatever that receipt still holds, deletes it and marks the attempt
settled, so a settle replayed after an outage (or applied twice after a timeout that did
reach Redis) neither loses the spend nor counts it twice, and a reservation that never
reached Redis is simply charged at its cost. SETTLE with `delta` only is a plain adjustment.

RESERVE with `flex` ({unit, max, min}) reserves an upper bound instead of a guess, for a
request that sets no output limit: `est` is the fixed part (the prompt), and on top of it as
many output tokens (`unit` USD each, n choices counted) as the tightest budget can still pay,
at most `max`; fewer than `min` is a refusal. It returns the granted `tokens`, which the
caller sends upstream as the output limit, so the provider cannot bill past the reservation.
"""
from __future__ import annotations

import math
from typing import Any

import orjson

from proxy.state.base import Script
from proxy.state.lua import _LUA_PRELUDE, _num

_LUA_BUDGET_RESERVE = _LUA_PRELUDE + r"""
local est = tonumber(P.est)
local room, tight, tight_spent = nil, 1, 0
for i, b in ipairs(P.items) do  -- {spent_ki, cap, ttl_ms}
  local s = tonumber(redis.call('GET', K(b[1]))) or 0
  if s + est > b[2] then
    return cjson.encode({ok=false, idx=i, spent=s, cap=b[2]})
  end
  if room == nil or b[2] - s < room then room, tight, tight_spent = b[2] - s, i, s end
end
local tokens = 0
if P.flex then
  local unit = tonumber(P.flex.unit)
  tokens = tonumber(P.flex.max)
  if unit > 0 then
    local can = math.floor((room - est) / unit)
    if can < tokens then tokens = can end
  end
  if tokens < tonumber(P.flex.min) then
    return cjson.encode({ok=false, idx=tight, spent=tight_spent, cap=P.items[tight][2]})
  end
  est = est + tokens * unit
end
for _, b in ipairs(P.items) do
  redis.call('INCRBYFLOAT', K(b[1]), fs(est))
  if redis.call('PTTL', K(b[1])) < 0 then redis.call('PEXPIRE', K(b[1]), b[3]) end
end
if P.rcpt then redis.call('SET', K(P.rcpt[1]), fs(est), 'PX', P.rcpt[2]) end
return cjson.encode({ok=true, tokens=tokens, est=est})
"""

_LUA_BUDGET_SETTLE = _LUA_PRELUDE + r"""
local delta = tonumber(P.delta)
if P.cost ~= nil then  -- settle a receipt: once per attempt, whatever this store saw of it
  if redis.call('EXISTS', K(P.done[1])) == 1 then return cjson.encode({spent={}, alerts={}, n_alerts=0, dup=true}) end
  delta = tonumber(P.cost) - (tonumber(redis.call('GET', K(P.rcpt))) or 0)
  redis.call('DEL', K(P.rcpt))
  redis.call('SET', K(P.done[1]), '1', 'PX', P.done[2])
elseif P.rcpt then  -- shrink a live reservation (a team budget granted fewer tokens)
  if redis.call('EXISTS', K(P.rcpt)) == 1 then redis.call('INCRBYFLOAT', K(P.rcpt), fs(delta)) end
end
local out = {spent={}, alerts={}}
for i, b in ipairs(P.items) do  -- {spent_ki, cap, ttl_ms, flag_ki, soft_fraction}
  local s = tonumber(redis.call('INCRBYFLOAT', K(b[1]), fs(delta)))
  if s < 0 then redis.call('SET', K(b[1]), '0', 'KEEPTTL'); s = 0 end
  if redis.call('PTTL', K(b[1])) < 0 then redis.call('PEXPIRE', K(b[1]), b[3]) end
  out.spent[i] = s
  if b[2] > 0 and s >= b[2] * b[5] then
    if redis.call('SET', K(b[4]), '1', 'NX', 'PX', b[3]) then table.insert(out.alerts, i) end
  end
end
out.n_alerts = #out.alerts
return cjson.encode(out)
"""



# ---------------------------------------------------------------------------------------
# Python side (memory backend): the same steps on a MemoryStore
# ---------------------------------------------------------------------------------------
def _local_budget_reserve(store: Any, keys: list[str], args: list[Any]) -> dict[str, Any]:
    P = orjson.loads(args[0])
    K = lambda i: keys[i - 1]  # noqa: E731
    est = float(P["est"])
    room, tight, tight_spent = None, 1, 0.0
    for i, (ki, cap, _ttl) in enumerate(P["items"], start=1):
        s = _num(store.get(K(ki)), 0.0)
        if s + est > cap:
            return {"ok": False, "idx": i, "spent": s, "cap": cap}
        if room is None or cap - s < room:
            room, tight, tight_spent = cap - s, i, s
    tokens = 0
    flex = P.get("flex")
    if flex:
        unit = float(flex["unit"])
        tokens = int(flex["max"])
        if unit > 0:
            tokens = min(tokens, math.floor((room - est) / unit))
        if tokens < int(flex["min"]):
            return {"ok": False, "idx": tight, "spent": tight_spent, "cap": P["items"][tight - 1][1]}
        est += tokens * unit
    for ki, _cap, ttl in P["items"]:
        store.incr(K(ki), est, ttl / 1000)
    if P.get("rcpt"):
        store.set(K(P["rcpt"][0]), est, P["rcpt"][1] / 1000)
    return {"ok": True, "tokens": tokens, "est": est}


def _local_budget_settle(store: Any, keys: list[str], args: list[Any]) -> dict[str, Any]:
    P = orjson.loads(args[0])
    K = lambda i: keys[i - 1]  # noqa: E731
    delta = float(P.get("delta") or 0.0)
    if P.get("cost") is not None:  # settle a receipt: once per attempt, whatever this store saw of it
        if store.exists(K(P["done"][0])):
            return {"spent": [], "alerts": [], "n_alerts": 0, "dup": True}
        delta = float(P["cost"]) - _num(store.get(K(P["rcpt"])), 0.0)
        store.delete(K(P["rcpt"]))
        store.set(K(P["done"][0]), b"1", P["done"][1] / 1000)
    elif P.get("rcpt") and store.exists(K(P["rcpt"])):  # shrink a live reservation
        store.incr(K(P["rcpt"]), delta)
    spent: list[float] = []
    alerts: list[int] = []
    for i, (ki, cap, ttl, fki, soft) in enumerate(P["items"], start=1):
        s = store.incr(K(ki), delta, ttl / 1000)
        if s < 0:
            left = store.ttl(K(ki))
            store.set(K(ki), 0.0, left if left > 0 else ttl / 1000)
            s = 0.0
        spent.append(s)
        if cap > 0 and s >= cap * soft and not store.exists(K(fki)):
            store.set(K(fki), b"1", ttl / 1000)
            alerts.append(i)
    return {"spent": spent, "alerts": alerts, "n_alerts": len(alerts)}


def _spend_key(key: str) -> bool:
    """Spend and alert keys are durable; an attempt's receipt and settled mark are bookkeeping."""
    return ":bud:rc:" not in key and ":bud:dn:" not in key


BUDGET_RESERVE = Script("bulwark_budget_reserve", _LUA_BUDGET_RESERVE, _local_budget_reserve, durable_key=_spend_key)
BUDGET_SETTLE = Script("bulwark_budget_settle", _LUA_BUDGET_SETTLE, _local_budget_settle, durable_key=_spend_key, write_behind=True)


def alerts_of(result: dict[str, Any]) -> list[int]:
    """`alerts` from BUDGET_SETTLE (cjson encodes an empty array as `{}`)."""
    a = result.get("alerts")
    return list(a) if isinstance(a, list) else []


def spent_of(result: dict[str, Any]) -> list[float]:
    s = result.get("spent")
    return [float(x) for x in s] if isinstance(s, list) else []
