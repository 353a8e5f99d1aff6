"""Rate limits and concurrency slots as atomic state Scripts (Lua + Python twins): GATE, SETTLE.

Both follow the conventions of `proxy.state.lua` (one JSON argument with `now`, one JSON
result, 1-based key indexes) and start from its Lua prelude.

Limits are GCRA-style leaky buckets (one hash per limit: `u` used units, `t` last update)
that drain continuously at `limit / window`: a client can burst up to the limit, then gets
capacity back smoothly; there is no fixed window edge to double-burst across. A bucket
takes weighted costs (tokens) and negative adjustments (settling a token reservation to
the real usage), which a sliding log cannot do cheaply.

Concurrency slots are leases in a sorted set (member = lease id, score = expiry), so a
crashed replica's slots expire by themselves.

Suspicion scores (plugins.ratelimit.abuse) are exponentially decaying numbers per subject
(key, end user, IP) kept in the same GATE script, so risk, multipliers and admission are
decided in one round trip.
"""
from __future__ import annotations

import math
from typing import Any

import orjson

from proxy.state.base import Script
from proxy.state.lua import _LUA_PRELUDE, INF, _decay, _drain, _eff, _hmget, _num


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


# ---------------------------------------------------------------------------------------
# Python side (memory backend): the same steps on a MemoryStore
# ---------------------------------------------------------------------------------------
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


GATE = Script("bulwark_gate", _LUA_GATE, _local_gate)
SETTLE = Script("bulwark_settle", _LUA_SETTLE, _local_settle)
