"""Rate limits, concurrency slots and budgets as atomic state Scripts (Lua + Python twins).

Every Script takes one JSON argument (ARGV[1]) with `now` and its parameters, and returns
one JSON document (a cjson string from Redis, a dict from the memory backend; `decode()`
normalises both). Key references inside the parameters are 1-based indexes into KEYS, so
the Lua and Python sides read the same structure.

Limits are GCRA-style leaky buckets (one hash per limit: `u` used units, `t` last update)
that drain continuously at `limit / window`: a client can burst up to the limit, then gets
capacity back smoothly; there is no fixed window edge to double-burst across. A bucket
takes weighted costs (tokens) and negative adjustments (settling a token reservation to
the real usage), which a sliding log cannot do cheaply.

Concurrency slots are leases in a sorted set (member = lease id, score = expiry), so a
crashed replica's slots expire by themselves.

Suspicion scores (proxy.abuse) are exponentially decaying numbers per subject (key, end
user, IP) kept in the same GATE script, so risk, multipliers and admission are decided in
one round trip.
"""
from __future__ import annotations

import math
from typing import Any

import orjson

from .state.base import Script

INF = float("inf")


def decode(result: Any) -> Any:
    """A Script result from either backend as Python data."""
    if isinstance(result, (bytes, str)):
        return orjson.loads(result)
    return result


def go_duration(seconds: float) -> str:
    """OpenAI's reset format (Go durations): `20ms`, `1s`, `8.64s`, `6m0s`, `1h2m3s`."""
    if seconds <= 0:
        return "0s"
    if seconds < 1:
        return f"{max(1, int(math.ceil(seconds * 1000)))}ms"
    if seconds < 60:
        s = round(seconds, 3)
        return f"{int(s)}s" if s == int(s) else f"{s:.3f}".rstrip("0").rstrip(".") + "s"
    total = int(math.ceil(seconds))
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m}m{s}s" if h else f"{m}m{s}s"


# ---------------------------------------------------------------------------------------
# Lua side
# ---------------------------------------------------------------------------------------
_LUA_PRELUDE = r"""
local P = cjson.decode(ARGV[1])
local now = tonumber(P.now)
local function K(i) return KEYS[i] end
local function bget(k, rate)
  local v = redis.call('HMGET', k, 'u', 't')
  local u = tonumber(v[1]) or 0
  local t = tonumber(v[2]) or now
  if now > t then u = u - (now - t) * rate end
  if u < 0 then u = 0 end
  return u
end
local function bset(k, u, rate)
  if u < 0 then u = 0 end
  redis.call('HSET', k, 'u', tostring(u), 't', tostring(now))
  local ttl = 1000
  if rate > 0 then ttl = math.ceil((u / rate + 1) * 1000) end
  redis.call('PEXPIRE', k, ttl)
end
local function eff(limit, mult)
  if limit <= 0 then return 0 end
  local e = math.floor(limit * mult)
  if e < 1 then e = 1 end
  return e
end
"""

_LUA_GATE = _LUA_PRELUDE + r"""
local A = P.abuse
-- 1. temporary blocks
for _, bi in ipairs(P.blocks) do
  local ttl = redis.call('PTTL', K(bi))
  if ttl > 0 then
    return cjson.encode({ok=false, reason='blocked', retry=ttl / 1000, score=-1, risk='blocked', mult=0,
                         why=redis.call('GET', K(bi))})
  end
end
-- 2. signals that need state
local points = tonumber(P.points) or 0
local signals = {}
local rej_n, rej_r = 0, 0
if A then
  if A.burst then
    local b = A.burst  -- {ki, limit, window, points}
    local rate = b[2] / b[3]
    local u = bget(K(b[1]), rate)
    if u + 1 > b[2] then points = points + b[4]; table.insert(signals, 'burst') else bset(K(b[1]), u + 1, rate) end
  end
  if A.dup then
    local d = A.dup  -- {ki, max, window, points}
    local c = redis.call('INCR', K(d[1]))
    if c == 1 then redis.call('PEXPIRE', K(d[1]), math.ceil(d[3] * 1000)) end
    if c > d[2] then points = points + d[4]; table.insert(signals, 'repeated_prompt') end
  end
  if A.ips then
    local x = A.ips  -- {ki, ip, max, window, points}
    redis.call('ZADD', K(x[1]), now, x[2])
    redis.call('ZREMRANGEBYSCORE', K(x[1]), '-inf', now - x[4])
    redis.call('PEXPIRE', K(x[1]), math.ceil(x[4] * 1000))
    if redis.call('ZCARD', K(x[1])) > x[3] then points = points + x[5]; table.insert(signals, 'many_ips') end
  end
  if A.rej then
    local r = A.rej  -- {ki, share, min, points, half_life}
    local v = redis.call('HMGET', K(r[1]), 'n', 'r', 't')
    local t = tonumber(v[3]) or now
    local f = 1
    if now > t then f = math.pow(0.5, (now - t) / r[5]) end
    rej_n = (tonumber(v[1]) or 0) * f + 1
    rej_r = (tonumber(v[2]) or 0) * f
    if rej_n >= r[3] and rej_r / rej_n >= r[2] then points = points + r[4]; table.insert(signals, 'rejected_share') end
  end
end
-- 3. decaying suspicion scores per subject {score_ki, block_ki, weight}
local score = 0
local blocked_now = false
if A then
  for _, s in ipairs(A.subjects) do
    local v = redis.call('HMGET', K(s[1]), 's', 't')
    local sc = tonumber(v[1]) or 0
    local t = tonumber(v[2]) or now
    if now > t and sc > 0 then sc = sc * math.pow(0.5, (now - t) / A.half_life) end
    sc = sc + points * s[3]
    redis.call('HSET', K(s[1]), 's', tostring(sc), 't', tostring(now))
    redis.call('PEXPIRE', K(s[1]), math.ceil(A.half_life * 10000))
    if sc >= A.block_at then
      local why = table.concat(signals, ',')
      if P.content then why = table.concat({P.content, why}, ',') end
      redis.call('SET', K(s[2]), why, 'PX', math.ceil(A.block_seconds * 1000))
      blocked_now = true
    end
    if sc > score then score = sc end
  end
end
local function save_rej(rejected)
  if A and A.rej then
    if rejected then rej_r = rej_r + 1 end
    redis.call('HSET', K(A.rej[1]), 'n', tostring(rej_n), 'r', tostring(rej_r), 't', tostring(now))
    redis.call('PEXPIRE', K(A.rej[1]), math.ceil(A.rej[5] * 10000))
  end
end
if blocked_now then
  save_rej(true)
  return cjson.encode({ok=false, reason='abuse_block', retry=A.block_seconds, score=score, risk='blocked', mult=0, signals=signals})
end
-- 4. end user first seen / request count
local user_new = false
if P.user then
  local u = P.user  -- {ki, min_age, min_requests}
  redis.call('HSETNX', K(u[1]), 'f', tostring(now))
  local c = redis.call('HINCRBY', K(u[1]), 'c', 1)
  local f = tonumber(redis.call('HGET', K(u[1]), 'f')) or now
  redis.call('PEXPIRE', K(u[1]), 7776000000)
  user_new = (now - f) < u[2] or c <= u[3]
end
-- 5. risk class and multiplier
local risk = 'standard'
if A and score >= A.suspicious_at then risk = 'suspicious'
elseif P.tier == 'new' or user_new then risk = 'new'
elseif P.tier == 'trusted' then risk = 'trusted' end
local mult = tonumber(P.mults[risk]) or 1
-- 6. admission (check every dimension, then apply)
local W = P.window
local cost = P.cost
local res = {ok=true, score=score, risk=risk, mult=mult, user_new=user_new, signals=signals}
local info = {}
for i, d in ipairs(P.dims) do  -- {req_ki, rpm, tok_ki, tpm, conc_ki, conc}
  local rl, tl, cl = eff(d[2], mult), eff(d[4], mult), eff(d[6], mult)
  local x = {rl=rl, tl=tl, cl=cl}
  if rl > 0 then
    x.ru = bget(K(d[1]), rl / W)
    if x.ru + 1 > rl then
      save_rej(true)
      return cjson.encode({ok=false, reason='requests', dim=i, retry=(x.ru + 1 - rl) / (rl / W), limit=rl, score=score, risk=risk, mult=mult, signals=signals})
    end
  end
  if tl > 0 then
    x.tu = bget(K(d[3]), tl / W)
    if cost > tl then
      save_rej(true)
      return cjson.encode({ok=false, reason='too_large', dim=i, retry=0, limit=tl, score=score, risk=risk, mult=mult, signals=signals})
    end
    if x.tu + cost > tl then
      save_rej(true)
      return cjson.encode({ok=false, reason='tokens', dim=i, retry=(x.tu + cost - tl) / (tl / W), limit=tl, score=score, risk=risk, mult=mult, signals=signals})
    end
  end
  if cl > 0 then
    redis.call('ZREMRANGEBYSCORE', K(d[5]), '-inf', now)
    if redis.call('ZCARD', K(d[5])) >= cl then
      save_rej(true)
      return cjson.encode({ok=false, reason='concurrency', dim=i, retry=1, limit=cl, score=score, risk=risk, mult=mult, signals=signals})
    end
  end
  info[i] = x
end
save_rej(false)
local best_r, best_t = nil, nil
for i, d in ipairs(P.dims) do
  local x = info[i]
  if x.rl > 0 then
    bset(K(d[1]), x.ru + 1, x.rl / W)
    local rem = math.floor(x.rl - x.ru - 1)
    if best_r == nil or rem < best_r[2] then best_r = {x.rl, rem, (x.ru + 1) / (x.rl / W)} end
  end
  if x.tl > 0 then
    bset(K(d[3]), x.tu + cost, x.tl / W)
    local rem = math.floor(x.tl - x.tu - cost)
    if best_t == nil or rem < best_t[2] then best_t = {x.tl, rem, (x.tu + cost) / (x.tl / W)} end
  end
  if x.cl > 0 then
    redis.call('ZADD', K(d[5]), P.lease_exp, P.lease)
    redis.call('PEXPIRE', K(d[5]), math.ceil((P.lease_exp - now) * 1000) + 1000)
  end
end
if best_r then res.req = best_r end
if best_t then res.tok = best_t end
return cjson.encode(res)
"""

_LUA_SETTLE = _LUA_PRELUDE + r"""
for _, t in ipairs(P.tokens) do  -- {tok_ki, effective_tpm, delta}
  local rate = t[2] / P.window
  bset(K(t[1]), bget(K(t[1]), rate) + t[3], rate)
end
for _, ci in ipairs(P.conc) do
  redis.call('ZREM', K(ci), P.lease)
end
if P.rej then  -- {ki, half_life}: the request was refused further down the chain
  local r = P.rej
  local v = redis.call('HMGET', K(r[1]), 'n', 'r', 't')
  local t = tonumber(v[3]) or now
  local f = 1
  if now > t then f = math.pow(0.5, (now - t) / r[2]) end
  redis.call('HSET', K(r[1]), 'n', tostring((tonumber(v[1]) or 0) * f), 'r', tostring((tonumber(v[2]) or 0) * f + 1), 't', tostring(now))
  redis.call('PEXPIRE', K(r[1]), math.ceil(r[2] * 10000))
end
return cjson.encode({ok=true})
"""

_LUA_BUDGET_RESERVE = _LUA_PRELUDE + r"""
local est = tonumber(P.est)
local spent = {}
for i, b in ipairs(P.items) do  -- {spent_ki, cap, ttl_ms}
  local s = tonumber(redis.call('GET', K(b[1]))) or 0
  spent[i] = s
  if s + est > b[2] then
    return cjson.encode({ok=false, idx=i, spent=s, cap=b[2]})
  end
end
for _, b in ipairs(P.items) do
  redis.call('INCRBYFLOAT', K(b[1]), tostring(est))
  if redis.call('PTTL', K(b[1])) < 0 then redis.call('PEXPIRE', K(b[1]), b[3]) end
end
return cjson.encode({ok=true})
"""

_LUA_BUDGET_SETTLE = _LUA_PRELUDE + r"""
local delta = tonumber(P.delta)
local out = {spent={}, alerts={}}
for i, b in ipairs(P.items) do  -- {spent_ki, cap, ttl_ms, flag_ki, soft_fraction}
  local s = tonumber(redis.call('INCRBYFLOAT', K(b[1]), tostring(delta)))
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
def _num(v: Any, default: float) -> float:
    if v is None:
        return default
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


def _bget(store: Any, k: str, rate: float, now: float) -> float:
    u = _num(store.hget(k, "u"), 0.0)
    t = _num(store.hget(k, "t"), now)
    if now > t:
        u -= (now - t) * rate
    return u if u > 0 else 0.0


def _bset(store: Any, k: str, u: float, rate: float, now: float) -> None:
    if u < 0:
        u = 0.0
    store.hset(k, {"u": u, "t": now})
    store.expire(k, (u / rate + 1) if rate > 0 else 1.0)


def _eff(limit: float, mult: float) -> int:
    if limit <= 0:
        return 0
    return max(1, int(math.floor(limit * mult)))


def _local_gate(store: Any, keys: list[str], args: list[Any]) -> dict[str, Any]:
    P = orjson.loads(args[0])
    now = float(P["now"])
    K = lambda i: keys[i - 1]  # noqa: E731 (1-based, like Lua)
    A = P.get("abuse")
    for bi in P.get("blocks", []):
        ttl = store.ttl(K(bi))
        if ttl > 0:
            why = store.get(K(bi))
            return {"ok": False, "reason": "blocked", "retry": max(ttl, 0.001), "score": -1, "risk": "blocked", "mult": 0,
                    "why": why.decode() if isinstance(why, bytes) else str(why)}
    points = float(P.get("points") or 0)
    signals: list[str] = []
    rej_n = rej_r = 0.0
    if A:
        if A.get("burst"):
            ki, lim, win, pts = A["burst"]
            rate = lim / win
            u = _bget(store, K(ki), rate, now)
            if u + 1 > lim:
                points += pts
                signals.append("burst")
            else:
                _bset(store, K(ki), u + 1, rate, now)
        if A.get("dup"):
            ki, mx, win, pts = A["dup"]
            c = store.incr(K(ki), 1.0, win)
            if c > mx:
                points += pts
                signals.append("repeated_prompt")
        if A.get("ips"):
            ki, ip, mx, win, pts = A["ips"]
            store.zrem(K(ki), ip)
            store.zadd(K(ki), now, ip)
            store.zremrangebyscore(K(ki), -INF, now - win)
            store.expire(K(ki), win)
            if store.zcard(K(ki)) > mx:
                points += pts
                signals.append("many_ips")
        if A.get("rej"):
            ki, share, mn, pts, hl = A["rej"]
            h = store.hgetall(K(ki))
            t = _num(h.get("t"), now)
            f = 0.5 ** ((now - t) / hl) if now > t else 1.0
            rej_n = _num(h.get("n"), 0.0) * f + 1
            rej_r = _num(h.get("r"), 0.0) * f
            if rej_n >= mn and rej_r / rej_n >= share:
                points += pts
                signals.append("rejected_share")
    score = 0.0
    blocked_now = False
    if A:
        for ski, bki, weight in A["subjects"]:
            h = store.hgetall(K(ski))
            sc = _num(h.get("s"), 0.0)
            t = _num(h.get("t"), now)
            if now > t and sc > 0:
                sc *= 0.5 ** ((now - t) / A["half_life"])
            sc += points * weight
            store.hset(K(ski), {"s": sc, "t": now})
            store.expire(K(ski), A["half_life"] * 10)
            if sc >= A["block_at"]:
                why = ",".join(signals)
                if P.get("content"):
                    why = P["content"] + "," + why
                store.set(K(bki), why.encode(), A["block_seconds"])
                blocked_now = True
            score = max(score, sc)

    def save_rej(rejected: bool) -> None:
        if A and A.get("rej"):
            r = rej_r + (1 if rejected else 0)
            store.hset(K(A["rej"][0]), {"n": rej_n, "r": r, "t": now})
            store.expire(K(A["rej"][0]), A["rej"][4] * 10)

    if blocked_now:
        save_rej(True)
        return {"ok": False, "reason": "abuse_block", "retry": A["block_seconds"], "score": score, "risk": "blocked", "mult": 0, "signals": signals}
    user_new = False
    if P.get("user"):
        ki, min_age, min_req = P["user"]
        if store.hget(K(ki), "f") is None:
            store.hset(K(ki), {"f": now})
        c = store.hincr(K(ki), "c", 1)
        f = _num(store.hget(K(ki), "f"), now)
        store.expire(K(ki), 7_776_000)
        user_new = (now - f) < min_age or c <= min_req
    if A and score >= A["suspicious_at"]:
        risk = "suspicious"
    elif P.get("tier") == "new" or user_new:
        risk = "new"
    elif P.get("tier") == "trusted":
        risk = "trusted"
    else:
        risk = "standard"
    mult = float(P["mults"].get(risk, 1))
    W = P["window"]
    cost = P["cost"]
    base = {"score": score, "risk": risk, "mult": mult, "signals": signals}
    info = []
    for i, d in enumerate(P["dims"], start=1):
        rki, rpm, tki, tpm, cki, conc = d
        rl, tl, cl = _eff(rpm, mult), _eff(tpm, mult), _eff(conc, mult)
        x: dict[str, float] = {"rl": rl, "tl": tl, "cl": cl}
        if rl > 0:
            x["ru"] = _bget(store, K(rki), rl / W, now)
            if x["ru"] + 1 > rl:
                save_rej(True)
                return {"ok": False, "reason": "requests", "dim": i, "retry": (x["ru"] + 1 - rl) / (rl / W), "limit": rl, **base}
        if tl > 0:
            x["tu"] = _bget(store, K(tki), tl / W, now)
            if cost > tl:
                save_rej(True)
                return {"ok": False, "reason": "too_large", "dim": i, "retry": 0, "limit": tl, **base}
            if x["tu"] + cost > tl:
                save_rej(True)
                return {"ok": False, "reason": "tokens", "dim": i, "retry": (x["tu"] + cost - tl) / (tl / W), "limit": tl, **base}
        if cl > 0:
            store.zremrangebyscore(K(cki), -INF, now)
            if store.zcard(K(cki)) >= cl:
                save_rej(True)
                return {"ok": False, "reason": "concurrency", "dim": i, "retry": 1, "limit": cl, **base}
        info.append(x)
    save_rej(False)
    res: dict[str, Any] = {"ok": True, "user_new": user_new, **base}
    best_r = best_t = None
    for d, x in zip(P["dims"], info):
        rki, rpm, tki, tpm, cki, conc = d
        if x["rl"] > 0:
            _bset(store, K(rki), x["ru"] + 1, x["rl"] / W, now)
            rem = math.floor(x["rl"] - x["ru"] - 1)
            if best_r is None or rem < best_r[1]:
                best_r = [x["rl"], rem, (x["ru"] + 1) / (x["rl"] / W)]
        if x["tl"] > 0:
            _bset(store, K(tki), x["tu"] + cost, x["tl"] / W, now)
            rem = math.floor(x["tl"] - x["tu"] - cost)
            if best_t is None or rem < best_t[1]:
                best_t = [x["tl"], rem, (x["tu"] + cost) / (x["tl"] / W)]
        if x["cl"] > 0:
            store.zrem(K(cki), P["lease"])
            store.zadd(K(cki), P["lease_exp"], P["lease"])
            store.expire(K(cki), P["lease_exp"] - now + 1)
    if best_r:
        res["req"] = best_r
    if best_t:
        res["tok"] = best_t
    return res


def _local_settle(store: Any, keys: list[str], args: list[Any]) -> dict[str, Any]:
    P = orjson.loads(args[0])
    now = float(P["now"])
    K = lambda i: keys[i - 1]  # noqa: E731
    for ki, tpm, delta in P.get("tokens", []):
        rate = tpm / P["window"]
        _bset(store, K(ki), _bget(store, K(ki), rate, now) + delta, rate, now)
    for ci in P.get("conc", []):
        store.zrem(K(ci), P["lease"])
    if P.get("rej"):
        ki, hl = P["rej"]
        h = store.hgetall(K(ki))
        t = _num(h.get("t"), now)
        f = 0.5 ** ((now - t) / hl) if now > t else 1.0
        store.hset(K(ki), {"n": _num(h.get("n"), 0.0) * f, "r": _num(h.get("r"), 0.0) * f + 1, "t": now})
        store.expire(K(ki), hl * 10)
    return {"ok": True}


def _local_budget_reserve(store: Any, keys: list[str], args: list[Any]) -> dict[str, Any]:
    P = orjson.loads(args[0])
    K = lambda i: keys[i - 1]  # noqa: E731
    est = float(P["est"])
    for i, (ki, cap, _ttl) in enumerate(P["items"], start=1):
        s = _num(store.get(K(ki)), 0.0)
        if s + est > cap:
            return {"ok": False, "idx": i, "spent": s, "cap": cap}
    for ki, _cap, ttl in P["items"]:
        store.incr(K(ki), est, ttl / 1000)
    return {"ok": True}


def _local_budget_settle(store: Any, keys: list[str], args: list[Any]) -> dict[str, Any]:
    P = orjson.loads(args[0])
    K = lambda i: keys[i - 1]  # noqa: E731
    delta = float(P["delta"])
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


GATE = Script("bulwark_gate", _LUA_GATE, _local_gate)
SETTLE = Script("bulwark_settle", _LUA_SETTLE, _local_settle)
BUDGET_RESERVE = Script("bulwark_budget_reserve", _LUA_BUDGET_RESERVE, _local_budget_reserve)
BUDGET_SETTLE = Script("bulwark_budget_settle", _LUA_BUDGET_SETTLE, _local_budget_settle)


def alerts_of(result: dict[str, Any]) -> list[int]:
    """`alerts` from BUDGET_SETTLE (cjson encodes an empty array as `{}`)."""
    a = result.get("alerts")
    return list(a) if isinstance(a, list) else []


def spent_of(result: dict[str, Any]) -> list[float]:
    s = result.get("spent")
    return [float(x) for x in s] if isinstance(s, list) else []


# ---------------------------------------------------------------------------------------
# Shared request helpers (used by the ratelimit and budgets plugins)
# ---------------------------------------------------------------------------------------
def end_user(ctx: Any, header: str | None) -> str | None:
    """The end user: `ctx.identity.user`, else the body's `user` / `safety_identifier`,
    else the configured header. Long ids are hashed so state keys stay short."""
    user = ctx.identity.user
    if not user:
        try:
            body = ctx.body if ctx.raw_body else {}
        except Exception:
            body = {}
        for field in ("user", "safety_identifier"):
            v = body.get(field)
            if isinstance(v, str) and v.strip():
                user = v.strip()
                break
        if not user and header:
            v = ctx.headers.get(header)
            if v and v.strip():
                user = v.strip()
        if user:
            ctx.identity.user = user
    if not user:
        return None
    if len(user) > 64 or "}" in user or "{" in user:
        import hashlib

        return "h" + hashlib.sha256(user.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return user


def scope_of(ctx: Any) -> str:
    """The hash tag that keeps one client's limit keys in one Redis Cluster slot."""
    kid = ctx.identity.key_id or "anonymous"
    if kid == "anonymous" and ctx.identity.ip:
        return "anon:" + ctx.identity.ip
    return kid


def usage_from_body(resp: Any) -> tuple[int, int, int] | None:
    """(prompt, completion, cached) from a complete JSON answer's `usage`, if any."""
    if resp.body is None:
        return None
    data = resp.try_json()
    if not isinstance(data, dict):
        return None
    u = data.get("usage")
    if not isinstance(u, dict):
        return None
    from .pricing import usage_numbers

    return usage_numbers(u)


async def metered(stream: Any, on_done: Any, model: str | None, prompt_tokens: int) -> Any:
    """Wrap an SSE event stream; when it ends for any reason (done, upstream error, client
    disconnect/cancel) call `await on_done((prompt, completion, cached), exact)`.

    Usage comes from the usage chunk when the upstream sent one; otherwise the streamed
    content is counted with tiktoken (so tokens streamed before a disconnect are counted).
    """
    from .pricing import usage_numbers
    from .tokens import count_text

    parts: list[str] = []
    usage: dict[str, Any] | None = None
    try:
        async for ev in stream:
            data = ev.data
            if data and data[0] == "{":
                try:
                    j = ev.json()
                except ValueError:
                    j = None
                if isinstance(j, dict):
                    u = j.get("usage")
                    if isinstance(u, dict) and u:
                        usage = u
                    for ch in j.get("choices") or ():
                        d = ch.get("delta") if isinstance(ch, dict) else None
                        if isinstance(d, dict):
                            c = d.get("content")
                            if isinstance(c, str):
                                parts.append(c)
                            for tc in d.get("tool_calls") or ():
                                fn = tc.get("function") if isinstance(tc, dict) else None
                                if isinstance(fn, dict):
                                    parts.append(str(fn.get("name") or ""))
                                    parts.append(str(fn.get("arguments") or ""))
                        elif isinstance(ch, dict) and isinstance(ch.get("text"), str):
                            parts.append(ch["text"])
            yield ev
    finally:
        if usage is not None:
            numbers, exact = usage_numbers(usage), True
        else:
            numbers, exact = (prompt_tokens, count_text("".join(parts), model), 0), False
        await on_done(numbers, exact)


async def settle_shielded(services: Any, coro: Any, name: str) -> None:
    """Run a settle coroutine to completion even if the request task is cancelled."""
    import asyncio

    tasks = getattr(services, "tasks", None)
    task = tasks.spawn(coro, name=name) if tasks is not None else asyncio.ensure_future(coro)
    if task is None:
        return
    await asyncio.shield(task)
