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

# State layout per client scope S (one Redis Cluster slot):
#   {S}:ab            hash  key subject: s,t (score) blk,why (block) bu,bt (burst bucket) rn,rr,rt (refused share)
#   {S}:ab:u:<user>   hash  user subject: s,t blk,why f,c (first seen, requests)
#   {S}:ab:ip:<ip>    hash  IP subject: s,t blk,why
#   {S}:ab:dup:<fp>   counter of one prompt fingerprint; {S}:ab:ips  zset ip -> last seen
#   {S}:rl[...]       hash  ru,rt (requests bucket) tu,tt (tokens bucket); {S}:rl[...]:c zset lease -> expiry
_LUA_GATE = _LUA_PRELUDE + r"""
local A = P.abuse
local SV = {}
-- 1. load subjects; an active block refuses at once
if A then
  for i, s in ipairs(A.subjects) do  -- {ki, weight, ttl_s}
    local v = redis.call('HMGET', K(s[1]), 's', 't', 'blk', 'why', 'bu', 'bt', 'rn', 'rr', 'rt')
    local blk = tonumber(v[3])
    if blk and blk > now then
      return cjson.encode({ok=false, reason='blocked', retry=blk - now, score=-1, risk='blocked', mult=0, why=v[4]})
    end
    SV[i] = v
  end
end
-- 2. signals that need state
local points = tonumber(P.points) or 0
local signals = {}
local bu, rn, rr = 0, 0, 0
if A then
  local v = SV[1]
  if A.burst then  -- {limit, window, points}
    local b = A.burst
    bu = drain(v[5], v[6], b[1] / b[2])
    if bu + 1 > b[1] then points = points + b[3]; table.insert(signals, 'burst') else bu = bu + 1 end
  end
  if A.dup then  -- {ki, max, window, points}
    local d = A.dup
    local c = redis.call('INCR', K(d[1]))
    if c == 1 then redis.call('PEXPIRE', K(d[1]), ms(d[3])) end
    if c > d[2] then points = points + d[4]; table.insert(signals, 'repeated_prompt') end
  end
  if A.ips then  -- {ki, ip, max, window, points}
    local x = A.ips
    redis.call('ZADD', K(x[1]), now, x[2])
    redis.call('ZREMRANGEBYSCORE', K(x[1]), '-inf', now - x[4])
    redis.call('PEXPIRE', K(x[1]), ms(x[4]))
    if redis.call('ZCARD', K(x[1])) > x[3] then points = points + x[5]; table.insert(signals, 'many_ips') end
  end
  if A.rej then  -- {share, min, points, half_life}
    local r = A.rej
    rn = decay(v[7], v[9], r[4]) + 1
    rr = decay(v[8], v[9], r[4])
    if rn >= r[2] and rr / rn >= r[1] then points = points + r[3]; table.insert(signals, 'rejected_share') end
  end
end
-- 3. decaying suspicion score per subject; far above the threshold blocks the subject
local score = 0
local blocked_now = false
local function save_key_subject(extra_rej)
  if not A then return end
  local k1 = K(A.subjects[1][1])
  redis.call('HSET', k1, 'bu', fs(bu), 'bt', fs(now), 'rn', fs(rn), 'rr', fs(rr + extra_rej), 'rt', fs(now))
end
if A then
  for i, s in ipairs(A.subjects) do
    local sc = decay(SV[i][1], SV[i][2], A.half_life) + points * s[2]
    if sc >= A.block_at then
      local why = table.concat(signals, ',')
      if P.content then why = P.content .. ',' .. why end
      redis.call('HSET', K(s[1]), 's', fs(sc), 't', fs(now), 'blk', fs(now + A.block_seconds), 'why', why)
      blocked_now = true
    else
      redis.call('HSET', K(s[1]), 's', fs(sc), 't', fs(now))
    end
    redis.call('PEXPIRE', K(s[1]), ms(s[3]))
    if sc > score then score = sc end
  end
end
if blocked_now then
  save_key_subject(1)
  return cjson.encode({ok=false, reason='abuse_block', retry=A.block_seconds, score=score, risk='blocked', mult=0, signals=signals})
end
-- 4. end user first seen / request count
local user_new = false
if P.user then  -- {ki, min_age, min_requests, ttl_s}
  local u = P.user
  local f = tonumber(redis.call('HGET', K(u[1]), 'f'))
  if not f then f = now; redis.call('HSET', K(u[1]), 'f', fs(now)) end
  local c = redis.call('HINCRBY', K(u[1]), 'c', 1)
  redis.call('PEXPIRE', K(u[1]), ms(u[4]))
  user_new = (now - f) < u[2] or c <= u[3]
end
-- 5. risk class and multiplier
local risk = 'standard'
if A and score >= A.suspicious_at then risk = 'suspicious'
elseif P.tier == 'new' or user_new then risk = 'new'
elseif P.tier == 'trusted' then risk = 'trusted' end
local mult = tonumber(P.mults[risk]) or 1
-- 6. admission: check every dimension, then apply
local W = P.window
local cost = P.cost
local info = {}
for i, d in ipairs(P.dims) do  -- {hash_ki, rpm, tpm, conc_ki, conc}
  local rl, tl, cl = eff(d[2], mult), eff(d[3], mult), eff(d[5], mult)
  local x = {rl=rl, tl=tl, cl=cl, ru=0, tu=0}
  local why, retry, limit = nil, 0, 0
  if rl > 0 or tl > 0 then
    local v = redis.call('HMGET', K(d[1]), 'ru', 'rt', 'tu', 'tt')
    if rl > 0 then
      x.ru = drain(v[1], v[2], rl / W)
      if x.ru + 1 > rl then why, retry, limit = 'requests', (x.ru + 1 - rl) / (rl / W), rl end
    end
    if not why and tl > 0 then
      x.tu = drain(v[3], v[4], tl / W)
      if cost > tl then why, retry, limit = 'too_large', 0, tl
      elseif x.tu + cost > tl then why, retry, limit = 'tokens', (x.tu + cost - tl) / (tl / W), tl end
    end
  end
  if not why and cl > 0 then
    if redis.call('ZCOUNT', K(d[4]), '(' .. fs(now), '+inf') >= cl then why, retry, limit = 'concurrency', 1, cl end
  end
  if why then
    save_key_subject(1)
    return cjson.encode({ok=false, reason=why, dim=i, retry=retry, limit=limit, score=score, risk=risk, mult=mult, signals=signals})
  end
  info[i] = x
end
save_key_subject(0)
local res = {ok=true, score=score, risk=risk, mult=mult, user_new=user_new, signals=signals}
for i, d in ipairs(P.dims) do
  local x = info[i]
  if x.rl > 0 or x.tl > 0 then
    local ttl = W
    if x.rl > 0 then
      local rem = math.floor(x.rl - x.ru - 1)
      if res.req == nil or rem < res.req[2] then res.req = {x.rl, rem, (x.ru + 1) / (x.rl / W)} end
    end
    if x.tl > 0 then
      local rem = math.floor(x.tl - x.tu - cost)
      if res.tok == nil or rem < res.tok[2] then res.tok = {x.tl, rem, (x.tu + cost) / (x.tl / W)} end
      if (x.tu + cost) / (x.tl / W) > ttl then ttl = (x.tu + cost) / (x.tl / W) end
    end
    redis.call('HSET', K(d[1]), 'ru', fs(x.ru + 1), 'rt', fs(now), 'tu', fs(x.tu + cost), 'tt', fs(now))
    redis.call('PEXPIRE', K(d[1]), ms(ttl + 1))
  end
  if x.cl > 0 then
    redis.call('ZREMRANGEBYSCORE', K(d[4]), '-inf', now)
    redis.call('ZADD', K(d[4]), P.lease_exp, P.lease)
    redis.call('PEXPIRE', K(d[4]), ms(P.lease_exp - now + 1))
  end
end
return cjson.encode(res)
"""

_LUA_SETTLE = _LUA_PRELUDE + r"""
for _, t in ipairs(P.tokens) do  -- {hash_ki, effective_tpm, delta}
  local rate = t[2] / P.window
  local v = redis.call('HMGET', K(t[1]), 'tu', 'tt')
  local u = drain(v[1], v[2], rate) + t[3]
  if u < 0 then u = 0 end
  redis.call('HSET', K(t[1]), 'tu', fs(u), 'tt', fs(now))
  local ttl = P.window
  if u / rate > ttl then ttl = u / rate end
  redis.call('PEXPIRE', K(t[1]), ms(ttl + 1))
end
for _, ci in ipairs(P.conc) do
  redis.call('ZREM', K(ci), P.lease)
end
if P.rej then  -- {key_subject_ki, half_life, ttl_s}: the request was refused further down the chain
  local r = P.rej
  local v = redis.call('HMGET', K(r[1]), 'rn', 'rr', 'rt')
  redis.call('HSET', K(r[1]), 'rn', fs(decay(v[1], v[3], r[2])), 'rr', fs(decay(v[2], v[3], r[2]) + 1), 'rt', fs(now))
  redis.call('PEXPIRE', K(r[1]), ms(r[3]))
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
  redis.call('INCRBYFLOAT', K(b[1]), fs(est))
  if redis.call('PTTL', K(b[1])) < 0 then redis.call('PEXPIRE', K(b[1]), b[3]) end
end
return cjson.encode({ok=true})
"""

_LUA_BUDGET_SETTLE = _LUA_PRELUDE + r"""
local delta = tonumber(P.delta)
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


def _local_gate(store: Any, keys: list[str], args: list[Any]) -> dict[str, Any]:
    P = orjson.loads(args[0])
    now = float(P["now"])
    K = lambda i: keys[i - 1]  # noqa: E731 (1-based, like Lua)
    A = P.get("abuse")
    SV: list[list[Any]] = []
    if A:
        for ki, _w, _ttl in A["subjects"]:
            v = _hmget(store, K(ki), "s", "t", "blk", "why", "bu", "bt", "rn", "rr", "rt")
            blk = _num(v[2], 0.0)
            if v[2] is not None and blk > now:
                return {"ok": False, "reason": "blocked", "retry": blk - now, "score": -1, "risk": "blocked", "mult": 0, "why": v[3]}
            SV.append(v)
    points = float(P.get("points") or 0)
    signals: list[str] = []
    bu = rn = rr = 0.0
    if A:
        v = SV[0]
        if A.get("burst"):
            lim, win, pts = A["burst"]
            bu = _drain(v[4], v[5], lim / win, now)
            if bu + 1 > lim:
                points += pts
                signals.append("burst")
            else:
                bu += 1
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
            share, mn, pts, hl = A["rej"]
            rn = _decay(v[6], v[8], hl, now) + 1
            rr = _decay(v[7], v[8], hl, now)
            if rn >= mn and rr / rn >= share:
                points += pts
                signals.append("rejected_share")

    def save_key_subject(extra_rej: float) -> None:
        if A:
            store.hset(K(A["subjects"][0][0]), {"bu": bu, "bt": now, "rn": rn, "rr": rr + extra_rej, "rt": now})

    score = 0.0
    blocked_now = False
    if A:
        for (ki, weight, ttl), v in zip(A["subjects"], SV):
            sc = _decay(v[0], v[1], A["half_life"], now) + points * weight
            if sc >= A["block_at"]:
                why = ",".join(signals)
                if P.get("content"):
                    why = P["content"] + "," + why
                store.hset(K(ki), {"s": sc, "t": now, "blk": now + A["block_seconds"], "why": why})
                blocked_now = True
            else:
                store.hset(K(ki), {"s": sc, "t": now})
            store.expire(K(ki), ttl)
            score = max(score, sc)
    if blocked_now:
        save_key_subject(1)
        return {"ok": False, "reason": "abuse_block", "retry": A["block_seconds"], "score": score, "risk": "blocked", "mult": 0,
                "signals": signals}
    user_new = False
    if P.get("user"):
        ki, min_age, min_req, ttl = P["user"]
        f = store.hget(K(ki), "f")
        if f is None:
            f = now
            store.hset(K(ki), {"f": now})
        c = store.hincr(K(ki), "c", 1)
        store.expire(K(ki), ttl)
        user_new = (now - float(f)) < min_age or c <= min_req
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
    for i, (hki, rpm, tpm, cki, conc) in enumerate(P["dims"], start=1):
        rl, tl, cl = _eff(rpm, mult), _eff(tpm, mult), _eff(conc, mult)
        x = {"rl": rl, "tl": tl, "cl": cl, "ru": 0.0, "tu": 0.0}
        why, retry, limit = None, 0.0, 0
        if rl > 0 or tl > 0:
            v = _hmget(store, K(hki), "ru", "rt", "tu", "tt")
            if rl > 0:
                x["ru"] = _drain(v[0], v[1], rl / W, now)
                if x["ru"] + 1 > rl:
                    why, retry, limit = "requests", (x["ru"] + 1 - rl) / (rl / W), rl
            if why is None and tl > 0:
                x["tu"] = _drain(v[2], v[3], tl / W, now)
                if cost > tl:
                    why, retry, limit = "too_large", 0, tl
                elif x["tu"] + cost > tl:
                    why, retry, limit = "tokens", (x["tu"] + cost - tl) / (tl / W), tl
        if why is None and cl > 0:
            if sum(1 for sc_, _m in store.zrange(K(cki)) if sc_ > now) >= cl:
                why, retry, limit = "concurrency", 1, cl
        if why is not None:
            save_key_subject(1)
            return {"ok": False, "reason": why, "dim": i, "retry": retry, "limit": limit, **base}
        info.append(x)
    save_key_subject(0)
    res: dict[str, Any] = {"ok": True, "user_new": user_new, **base}
    for (hki, rpm, tpm, cki, conc), x in zip(P["dims"], info):
        if x["rl"] > 0 or x["tl"] > 0:
            ttl = W
            if x["rl"] > 0:
                rem = math.floor(x["rl"] - x["ru"] - 1)
                if "req" not in res or rem < res["req"][1]:
                    res["req"] = [x["rl"], rem, (x["ru"] + 1) / (x["rl"] / W)]
            if x["tl"] > 0:
                rem = math.floor(x["tl"] - x["tu"] - cost)
                if "tok" not in res or rem < res["tok"][1]:
                    res["tok"] = [x["tl"], rem, (x["tu"] + cost) / (x["tl"] / W)]
                ttl = max(ttl, (x["tu"] + cost) / (x["tl"] / W))
            store.hset(K(hki), {"ru": x["ru"] + 1, "rt": now, "tu": x["tu"] + cost, "tt": now})
            store.expire(K(hki), ttl + 1)
        if x["cl"] > 0:
            store.zremrangebyscore(K(cki), -INF, now)
            store.zrem(K(cki), P["lease"])
            store.zadd(K(cki), P["lease_exp"], P["lease"])
            store.expire(K(cki), P["lease_exp"] - now + 1)
    return res


def _local_settle(store: Any, keys: list[str], args: list[Any]) -> dict[str, Any]:
    P = orjson.loads(args[0])
    now = float(P["now"])
    K = lambda i: keys[i - 1]  # noqa: E731
    for ki, tpm, delta in P.get("tokens", []):
        rate = tpm / P["window"]
        tu, tt = _hmget(store, K(ki), "tu", "tt")
        u = max(0.0, _drain(tu, tt, rate, now) + delta)
        store.hset(K(ki), {"tu": u, "tt": now})
        store.expire(K(ki), max(P["window"], u / rate) + 1)
    for ci in P.get("conc", []):
        store.zrem(K(ci), P["lease"])
    if P.get("rej"):
        ki, hl, ttl = P["rej"]
        rn, rr, rt = _hmget(store, K(ki), "rn", "rr", "rt")
        store.hset(K(ki), {"rn": _decay(rn, rt, hl, now), "rr": _decay(rr, rt, hl, now) + 1, "rt": now})
        store.expire(K(ki), ttl)
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


async def settle_later(services: Any, coro: Any, name: str) -> None:
    """Run a settle coroutine in the background (bounded `services.tasks`), so the answer is
    not delayed by one more state round trip and a cancelled request still settles. When
    the task pool is full it runs inline instead of being dropped."""
    tasks = getattr(services, "tasks", None)
    if tasks is None or len(tasks) >= tasks.limit:
        await coro
        return
    tasks.spawn(coro, name=name)
