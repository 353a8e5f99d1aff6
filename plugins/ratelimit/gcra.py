"""Rate limits and concurrency slots as atomic state Scripts (Lua + Python twins): GATE, TOKENS, SETTLE.

All follow the conventions of `proxy.state.lua` (one JSON argument with `now`, one JSON
result, 1-based key indexes) and start from its Lua prelude. The two sides of each Script
are the same steps in the same order; tests/test_ratelimit_scripts.py runs every case on both.

Limits are GCRA-style leaky buckets (one hash per limit: `u` used units, `t` last update)
that drain continuously at `limit / window`: a client can burst up to the limit, then gets
capacity back smoothly; there is no fixed window edge to double-burst across. A bucket
takes weighted costs (tokens) and negative adjustments (settling a token reservation to
the real usage), which a sliding log cannot do cheaply.

Concurrency slots are leases in a sorted set (member = lease id, score = expiry), so a
crashed replica's slots expire by themselves.

One request costs:
- GATE (the ratelimit layer, once): active blocks, the state-backed abuse signals, the
  decaying suspicion scores of key / end user / IP, the end user's newness, the risk class,
  the suspicious-client throttle, then requests and concurrency on every dimension. Tokens
  are reserved *softly*: when the body as received fits, GATE reserves it; when it does not,
  GATE reserves nothing and refuses nothing, because pruning may still make it fit.
- TOKENS (an attempt-start hook, only when needed): the token admission of the body as it
  is sent, per attempt (after pruning; regenerations and fallback steps). It runs only when
  what the attempt needs differs from what the request already holds, so a request whose
  body nobody changed never pays for it. Ended attempts' real usage rides along.
- SETTLE (once, when the request is over): every attempt's real usage against what was
  held, the concurrency slot, the refused-request share.
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
#   {S}:ab            hash  key subject: s,t (score) blk,why (block) bu,bt (burst bucket)
#                           rn,rr,rt (refused share) nu,nt (new end users bucket) qu,qt (throttle bucket)
#                           fu,ft (prompt-token flood bucket)
#   {S}:ab:u:<user>   hash  user subject: s,t blk,why f,c (first seen, requests) qu,qt
#   {S}:ab:ip:<ip>    hash  IP subject: s,t blk,why qu,qt
#   {S}:ab:dup:<fp>   hash  one prompt fingerprint's repeat bucket: u,t
#   {S}:ab:ips        zset  client network -> last seen
#   {S}:rl[...]       hash  ru,rt (requests bucket) tu,tt (tokens bucket); {S}:rl[...]:c zset lease -> expiry
#
# Abuse parameters (P.abuse):
#   subjects  [[ki, request_weight, key_weight, ttl_s]]: key first, then user, then IP
#   scale     the key tier's allowance factor (new 0.5, trusted 2) for burst / repeat / new-user allowances
#   burst     [cap, seconds, points]; flood [cap_tokens, seconds, points, this request's prompt tokens]; dup [[ki, cap, seconds(, fires)]] with dup_points; ips [ki, net, max, seconds, points]
#   newu      [cap, seconds, points]; rej [share, min, points, half_life]; throttle [per_minute, burst]
# P.points are the request's content points (plugins.ratelimit.abuse), P.content their names.
_LUA_GATE = _LUA_PRELUDE + r"""
local A = P.abuse
local SV = {}
-- 1. load subjects; an active block refuses at once
if A then
  for i, s in ipairs(A.subjects) do
    local v = redis.call('HMGET', K(s[1]), 's', 't', 'blk', 'why', 'bu', 'bt', 'rn', 'rr', 'rt', 'nu', 'nt', 'qu', 'qt', 'fu', 'ft')
    local blk = tonumber(v[3])
    if blk and blk > now then
      return cjson.encode({ok=false, reason='blocked', retry=blk - now, score=tonumber(v[1]) or 0, top=i, risk='blocked', mult=0, why=v[4]})
    end
    SV[i] = v
  end
end
-- 2. end user first seen / request count
local user_new, user_fresh = false, false
if P.user then  -- {ki, min_age, min_requests, ttl_s}
  local u = P.user
  local f = tonumber(redis.call('HGET', K(u[1]), 'f'))
  if not f then f = now; user_fresh = true; redis.call('HSET', K(u[1]), 'f', fs(now)) end
  local c = redis.call('HINCRBY', K(u[1]), 'c', 1)
  redis.call('PEXPIRE', K(u[1]), ms(u[4]))
  user_new = (now - f) < u[2] or c <= u[3]
end
-- 3. signals that need state: request-level points rp (content, repeats), key-level kp
local rp = tonumber(P.points) or 0
local kp = 0
local signals = {}
local bu, rn, rr, nu, fu = 0, 0, 0, 0, 0
if A then
  local v = SV[1]
  local sc = A.scale or 1
  if A.burst then
    local b = A.burst
    local cap = b[1] * sc
    bu = drain(v[5], v[6], cap / b[2])
    if bu + 1 > cap then kp = kp + b[3]; table.insert(signals, 'burst') else bu = bu + 1 end
  end
  if A.flood then  -- prompt tokens per window: many huge prompts, each under the oversized mark
    local f = A.flood
    local cap = f[1] * sc
    fu = drain(v[14], v[15], cap / f[2])
    if fu + f[4] > cap then kp = kp + f[3]; table.insert(signals, 'token_flood') else fu = fu + f[4] end
  end
  if A.dup then  -- one bucket per end user and one per key, each {ki, cap, seconds[, fires]}
    local over = false
    for _, d in ipairs(A.dup) do
      local cap = d[2] * sc
      local dv = redis.call('HMGET', K(d[1]), 'u', 't')
      local du = drain(dv[1], dv[2], cap / d[3])
      if du + 1 > cap then
        if d[4] ~= 0 then over = true end  -- fires = 0: the request fills the bucket, it does not raise the signal
      else du = du + 1 end
      redis.call('HSET', K(d[1]), 'u', fs(du), 't', fs(now))
      redis.call('PEXPIRE', K(d[1]), ms(d[3] * 2))
    end
    if over then rp = rp + A.dup_points; table.insert(signals, 'repeated_prompt') end
  end
  if A.ips then
    local x = A.ips
    redis.call('ZADD', K(x[1]), now, x[2])
    redis.call('ZREMRANGEBYSCORE', K(x[1]), '-inf', now - x[4])
    redis.call('PEXPIRE', K(x[1]), ms(x[4]))
    if redis.call('ZCARD', K(x[1])) > x[3] then kp = kp + x[5]; table.insert(signals, 'many_networks') end
  end
  if A.newu then
    local n = A.newu
    local cap = n[1] * sc
    nu = drain(v[10], v[11], cap / n[2])
    if user_fresh then
      if nu + 1 > cap then kp = kp + n[3]; table.insert(signals, 'new_user_churn') else nu = nu + 1 end
    end
  end
  if A.rej then
    local r = A.rej
    rn = decay(v[7], v[9], r[4]) + 1
    rr = decay(v[8], v[9], r[4])
    if rn >= r[2] and rr / rn >= r[1] then kp = kp + r[3]; table.insert(signals, 'rejected_share') end
  end
end
-- 4. decaying suspicion score per subject; far above the threshold blocks the subject.
--    `why` keeps each subject's recent signal names (newest first), for explanations.
local score, top = 0, 0
local scores, whys = {}, {}
local blocked_now = false
local names = table.concat(signals, ',')
if P.content then
  if names ~= '' then names = P.content .. ',' .. names else names = P.content end
end
local function merge(old, new)
  local out, seen = {}, {}
  for name in string.gmatch(new .. ',' .. (old or ''), '[^,]+') do
    if not seen[name] and #out < 8 then seen[name] = true; table.insert(out, name) end
  end
  return table.concat(out, ',')
end
local function save_key_subject(extra_rej)
  if not A then return end
  redis.call('HSET', K(A.subjects[1][1]), 'bu', fs(bu), 'bt', fs(now), 'rn', fs(rn), 'rr', fs(rr + extra_rej), 'rt', fs(now),
             'nu', fs(nu), 'nt', fs(now), 'fu', fs(fu), 'ft', fs(now))
end
-- A block needs two kinds of evidence: this request carries content signals, and the subject
-- shows a behaviour signal (repeats, bursts, networks, end-user churn) now or among its recent
-- signals; not the share of refused requests, since a throttled client's refusals are the
-- throttle's own. Either alone keeps the score just under block_at, i.e. throttled: a benign
-- client retrying under its throttle, or a moderation or labelling job whose data reads like
-- attacks, is slowed (its content-signal requests refused), never locked out.
-- (not token_flood: with `oversized` it is volume twice over, and a new key's big-document job must not be locked out)
local BEHAVIOUR = {burst=true, repeated_prompt=true, many_networks=true, new_user_churn=true}
local behaves_now = false  -- this request raised one itself
for _, name in ipairs(signals) do
  if BEHAVIOUR[name] then behaves_now = true end
end
local function shows_behaviour(why)
  if behaves_now then return true end
  for name in string.gmatch(why, '[^,]+') do
    if BEHAVIOUR[name] then return true end
  end
  return false
end
local can_block = (tonumber(P.points) or 0) > 0
if A then
  for i, s in ipairs(A.subjects) do
    local gain = rp * s[2] + kp * s[3]
    local sc = decay(SV[i][1], SV[i][2], A.half_life) + gain
    local why = SV[i][4] or ''
    if gain > 0 and names ~= '' then why = merge(why, names) end
    if sc >= A.block_at and not (can_block and shows_behaviour(why)) then sc = A.block_at - 0.01 end
    scores[i] = sc
    whys[i] = why
    if sc >= A.block_at then
      redis.call('HSET', K(s[1]), 's', fs(sc), 't', fs(now), 'blk', fs(now + A.block_seconds), 'why', why)
      blocked_now = true
    else
      redis.call('HSET', K(s[1]), 's', fs(sc), 't', fs(now), 'why', why)
    end
    redis.call('PEXPIRE', K(s[1]), ms(s[4]))
    if sc > score then score = sc; top = i end
  end
end
local top_why = ''
if top > 0 then top_why = whys[top] end
if blocked_now then
  save_key_subject(1)
  return cjson.encode({ok=false, reason='abuse_block', retry=A.block_seconds, score=score, top=top, risk='blocked', mult=0,
                       signals=signals, scores=scores, why=top_why})
end
-- 5. risk class and multiplier
local risk = 'standard'
if A and score >= A.suspicious_at then risk = 'suspicious'
elseif P.tier == 'new' or user_new then risk = 'new'
elseif P.tier == 'trusted' then risk = 'trusted' end
local mult = tonumber(P.mults[risk]) or 1
local base = {score=score, top=top, risk=risk, mult=mult, signals=signals, scores=scores, why=top_why}
local function refuse(why, fields)
  save_key_subject(1)
  base.ok = false
  base.reason = why
  for k, x in pairs(fields) do base[k] = x end
  return cjson.encode(base)
end
-- 6. a suspicious subject is throttled: no request that is itself suspicious, and a small request budget
local throttled = {}
if risk == 'suspicious' then
  if (tonumber(P.points) or 0) > 0 then return refuse('suspicious_content', {retry=0}) end
  local q = A.throttle
  for i, s in ipairs(A.subjects) do
    if scores[i] >= A.suspicious_at then
      local rate = q[1] / 60
      local qu = drain(SV[i][12], SV[i][13], rate)
      if qu + 1 > q[2] then return refuse('throttled', {retry=(qu + 1 - q[2]) / rate, limit=q[1]}) end
      throttled[i] = qu + 1
    end
  end
end
-- 7. admission: requests and concurrency on every dimension; tokens softly (see the docstring)
local W = P.window
local cost = P.cost
local soft = cost > 0
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
    if tl > 0 then
      x.tu = drain(v[3], v[4], tl / W)
      if x.tu + cost > tl then soft = false end
    end
  end
  if not why and cl > 0 then
    if redis.call('ZCOUNT', K(d[4]), '(' .. fs(now), '+inf') >= cl then why, retry, limit = 'concurrency', 1, cl end
  end
  if why then return refuse(why, {dim=i, retry=retry, limit=limit}) end
  info[i] = x
end
-- 8. apply
save_key_subject(0)
for i, qu in pairs(throttled) do
  redis.call('HSET', K(A.subjects[i][1]), 'qu', fs(qu), 'qt', fs(now))
end
local held = 0
if soft then held = cost end
local res = base
res.ok = true
res.user_new = user_new
res.held = held
for i, d in ipairs(P.dims) do
  local x = info[i]
  if x.rl > 0 or x.tl > 0 then
    local ttl = W
    if x.rl > 0 then
      local rem = math.floor(x.rl - x.ru - 1)
      if res.req == nil or rem < res.req[2] then res.req = {x.rl, rem, (x.ru + 1) / (x.rl / W)} end
    end
    if x.tl > 0 then
      local rem = math.floor(x.tl - x.tu - held)
      if res.tok == nil or rem < res.tok[2] then res.tok = {x.tl, rem, (x.tu + held) / (x.tl / W)} end
      if (x.tu + held) / (x.tl / W) > ttl then ttl = (x.tu + held) / (x.tl / W) end
    end
    redis.call('HSET', K(d[1]), 'ru', fs(x.ru + 1), 'rt', fs(now), 'tu', fs(x.tu + held), 'tt', fs(now))
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

# TOKENS: P = {now, window, dims: [[hash_ki, effective_tpm]], base, add, check}
#   base: a change applied whatever happens (ended attempts' real usage against what was held)
#   add:  the new attempt's tokens, admitted against every limit when `check`, else applied as is
_LUA_TOKENS = _LUA_PRELUDE + r"""
local W = P.window
local res = {ok=true}
local us = {}
for i, d in ipairs(P.dims) do
  local rate = d[2] / W
  local v = redis.call('HMGET', K(d[1]), 'tu', 'tt')
  local u = drain(v[1], v[2], rate) + P.base
  if u < 0 then u = 0 end
  us[i] = u
  if P.check and P.add > 0 and res.ok then
    if P.add > d[2] then res = {ok=false, reason='too_large', dim=i, limit=d[2], retry=0}
    elseif u + P.add > d[2] then res = {ok=false, reason='tokens', dim=i, limit=d[2], retry=(u + P.add - d[2]) / rate} end
  end
end
for i, d in ipairs(P.dims) do
  local rate = d[2] / W
  local u = us[i]
  if res.ok then u = u + P.add end
  if u < 0 then u = 0 end
  redis.call('HSET', K(d[1]), 'tu', fs(u), 'tt', fs(now))
  local ttl = W
  if u / rate > ttl then ttl = u / rate end
  redis.call('PEXPIRE', K(d[1]), ms(ttl + 1))
  local rem = math.floor(d[2] - u)
  if res.rem == nil or rem < res.rem then res.rem = rem end
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
if P.rej then  -- {key_subject_ki, half_life, ttl_s[, seen]}: the request was refused further down the chain,
  -- or before it (seen = 1: GATE never counted the request, so it is counted here)
  local r = P.rej
  local v = redis.call('HMGET', K(r[1]), 'rn', 'rr', 'rt')
  redis.call('HSET', K(r[1]), 'rn', fs(decay(v[1], v[3], r[2]) + (r[4] or 0)), 'rr', fs(decay(v[2], v[3], r[2]) + 1), 'rt', fs(now))
  redis.call('PEXPIRE', K(r[1]), ms(r[3]))
end
return cjson.encode({ok=true})
"""


# ---------------------------------------------------------------------------------------
# Python side (memory backend): the same steps on a MemoryStore
# ---------------------------------------------------------------------------------------
_SUBJECT_FIELDS = ("s", "t", "blk", "why", "bu", "bt", "rn", "rr", "rt", "nu", "nt", "qu", "qt", "fu", "ft")


# The behaviour signals (GATE's `BEHAVIOUR`): with a content signal, what a block needs.
# (Not token_flood: with `oversized` it is volume twice over; a new key's big-document job is never locked out.)
_BEHAVIOUR = frozenset({"burst", "repeated_prompt", "many_networks", "new_user_churn"})


def _merge(old: str, new: str) -> str:
    """Comma lists of signal names, newest first, each once, at most 8."""
    out: list[str] = []
    for name in f"{new},{old}".split(","):
        if name and name not in out and len(out) < 8:
            out.append(name)
    return ",".join(out)


def _local_gate(store: Any, keys: list[str], args: list[Any]) -> dict[str, Any]:
    P = orjson.loads(args[0])
    now = float(P["now"])
    K = lambda i: keys[i - 1]  # noqa: E731 (1-based, like Lua)
    A = P.get("abuse")
    # 1. load subjects; an active block refuses at once
    SV: list[list[Any]] = []
    if A:
        for i, s in enumerate(A["subjects"], start=1):
            v = _hmget(store, K(s[0]), *_SUBJECT_FIELDS)
            if v[2] is not None and _num(v[2], 0.0) > now:
                return {"ok": False, "reason": "blocked", "retry": _num(v[2], 0.0) - now, "score": _num(v[0], 0.0), "top": i,
                        "risk": "blocked", "mult": 0, "why": v[3]}
            SV.append(v)
    # 2. end user first seen / request count
    user_new = user_fresh = False
    if P.get("user"):
        ki, min_age, min_req, ttl = P["user"]
        f = store.hget(K(ki), "f")
        if f is None:
            f, user_fresh = now, True
            store.hset(K(ki), {"f": now})
        c = store.hincr(K(ki), "c", 1)
        store.expire(K(ki), ttl)
        user_new = (now - float(f)) < min_age or c <= min_req
    # 3. signals that need state
    rp = float(P.get("points") or 0)
    kp = 0.0
    signals: list[str] = []
    bu = rn = rr = nu = fu = 0.0
    if A:
        v = SV[0]
        sc = A.get("scale") or 1
        if A.get("burst"):
            cap0, secs, pts = A["burst"]
            cap = cap0 * sc
            bu = _drain(v[4], v[5], cap / secs, now)
            if bu + 1 > cap:
                kp += pts
                signals.append("burst")
            else:
                bu += 1
        if A.get("flood"):  # prompt tokens per window: many huge prompts, each under the oversized mark
            cap0, secs, pts, ntok = A["flood"]
            cap = cap0 * sc
            fu = _drain(v[13], v[14], cap / secs, now)
            if fu + ntok > cap:
                kp += pts
                signals.append("token_flood")
            else:
                fu += ntok
        if A.get("dup"):  # one bucket per end user and one per key, each [ki, cap, seconds[, fires]]
            over = False
            for ki, cap0, secs, *fires in A["dup"]:
                cap = cap0 * sc
                du_, dt_ = _hmget(store, K(ki), "u", "t")
                du = _drain(du_, dt_, cap / secs, now)
                if du + 1 > cap:
                    if not fires or fires[0] != 0:  # fires = 0: fills the bucket, does not raise the signal
                        over = True
                else:
                    du += 1
                store.hset(K(ki), {"u": du, "t": now})
                store.expire(K(ki), secs * 2)
            if over:
                rp += A["dup_points"]
                signals.append("repeated_prompt")
        if A.get("ips"):
            ki, net, mx, win, pts = A["ips"]
            store.zrem(K(ki), net)
            store.zadd(K(ki), now, net)
            store.zremrangebyscore(K(ki), -INF, now - win)
            store.expire(K(ki), win)
            if store.zcard(K(ki)) > mx:
                kp += pts
                signals.append("many_networks")
        if A.get("newu"):
            cap0, secs, pts = A["newu"]
            cap = cap0 * sc
            nu = _drain(v[9], v[10], cap / secs, now)
            if user_fresh:
                if nu + 1 > cap:
                    kp += pts
                    signals.append("new_user_churn")
                else:
                    nu += 1
        if A.get("rej"):
            share, mn, pts, hl = A["rej"]
            rn = _decay(v[6], v[8], hl, now) + 1
            rr = _decay(v[7], v[8], hl, now)
            if rn >= mn and rr / rn >= share:
                kp += pts
                signals.append("rejected_share")

    def save_key_subject(extra_rej: float) -> None:
        if A:
            store.hset(K(A["subjects"][0][0]), {"bu": bu, "bt": now, "rn": rn, "rr": rr + extra_rej, "rt": now, "nu": nu, "nt": now,
                                                "fu": fu, "ft": now})

    # 4. decaying suspicion score per subject; far above the threshold blocks the subject.
    #    `why` keeps each subject's recent signal names (newest first), for explanations.
    score, top = 0.0, 0
    scores: list[float] = []
    whys: list[str] = []
    blocked_now = False
    names = ",".join(x for x in [P.get("content") or "", ",".join(signals)] if x)
    can_block = float(P.get("points") or 0) > 0
    behaves_now = not _BEHAVIOUR.isdisjoint(signals)  # this request raised one itself
    if A:
        for i, (s, v) in enumerate(zip(A["subjects"], SV), start=1):
            ki, w_req, w_key, ttl = s
            gain = rp * w_req + kp * w_key
            sc_ = _decay(v[0], v[1], A["half_life"], now) + gain
            why = v[3] or ""
            if gain > 0 and names:
                why = _merge(why, names)
            if sc_ >= A["block_at"] and not (can_block and (behaves_now or not _BEHAVIOUR.isdisjoint(why.split(",")))):
                sc_ = A["block_at"] - 0.01  # a block needs content and behaviour evidence (see GATE)
            scores.append(sc_)
            whys.append(why)
            if sc_ >= A["block_at"]:
                store.hset(K(ki), {"s": sc_, "t": now, "blk": now + A["block_seconds"], "why": why})
                blocked_now = True
            else:
                store.hset(K(ki), {"s": sc_, "t": now, "why": why})
            store.expire(K(ki), ttl)
            if sc_ > score:
                score, top = sc_, i
    top_why = whys[top - 1] if top > 0 else ""
    if blocked_now:
        save_key_subject(1)
        return {"ok": False, "reason": "abuse_block", "retry": A["block_seconds"], "score": score, "top": top, "risk": "blocked",
                "mult": 0, "signals": signals, "scores": scores, "why": top_why}
    # 5. risk class and multiplier
    if A and score >= A["suspicious_at"]:
        risk = "suspicious"
    elif P.get("tier") == "new" or user_new:
        risk = "new"
    elif P.get("tier") == "trusted":
        risk = "trusted"
    else:
        risk = "standard"
    mult = float(P["mults"].get(risk, 1))
    base: dict[str, Any] = {"score": score, "top": top, "risk": risk, "mult": mult, "signals": signals, "scores": scores, "why": top_why}

    def refuse(why: str, **fields: Any) -> dict[str, Any]:
        save_key_subject(1)
        return {**base, "ok": False, "reason": why, **fields}

    # 6. a suspicious subject is throttled: no request that is itself suspicious, and a small request budget
    throttled: dict[int, float] = {}
    if risk == "suspicious":
        if float(P.get("points") or 0) > 0:
            return refuse("suspicious_content", retry=0)
        per_min, cap = A["throttle"]
        rate = per_min / 60
        for i, (s, v) in enumerate(zip(A["subjects"], SV)):
            if scores[i] >= A["suspicious_at"]:
                qu = _drain(v[11], v[12], rate, now)
                if qu + 1 > cap:
                    return refuse("throttled", retry=(qu + 1 - cap) / rate, limit=per_min)
                throttled[i] = qu + 1
    # 7. admission: requests and concurrency on every dimension; tokens softly
    W = P["window"]
    cost = P["cost"]
    soft = cost > 0
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
            if tl > 0:
                x["tu"] = _drain(v[2], v[3], tl / W, now)
                if x["tu"] + cost > tl:
                    soft = False
        if why is None and cl > 0:
            if sum(1 for sc_, _m in store.zrange(K(cki)) if sc_ > now) >= cl:
                why, retry, limit = "concurrency", 1, cl
        if why is not None:
            return refuse(why, dim=i, retry=retry, limit=limit)
        info.append(x)
    # 8. apply
    save_key_subject(0)
    for i, qu in throttled.items():
        store.hset(K(A["subjects"][i][0]), {"qu": qu, "qt": now})
    held = cost if soft else 0
    res: dict[str, Any] = {**base, "ok": True, "user_new": user_new, "held": held}
    for (hki, rpm, tpm, cki, conc), x in zip(P["dims"], info):
        if x["rl"] > 0 or x["tl"] > 0:
            ttl = W
            if x["rl"] > 0:
                rem = math.floor(x["rl"] - x["ru"] - 1)
                if "req" not in res or rem < res["req"][1]:
                    res["req"] = [x["rl"], rem, (x["ru"] + 1) / (x["rl"] / W)]
            if x["tl"] > 0:
                rem = math.floor(x["tl"] - x["tu"] - held)
                if "tok" not in res or rem < res["tok"][1]:
                    res["tok"] = [x["tl"], rem, (x["tu"] + held) / (x["tl"] / W)]
                ttl = max(ttl, (x["tu"] + held) / (x["tl"] / W))
            store.hset(K(hki), {"ru": x["ru"] + 1, "rt": now, "tu": x["tu"] + held, "tt": now})
            store.expire(K(hki), ttl + 1)
        if x["cl"] > 0:
            store.zremrangebyscore(K(cki), -INF, now)
            store.zrem(K(cki), P["lease"])
            store.zadd(K(cki), P["lease_exp"], P["lease"])
            store.expire(K(cki), P["lease_exp"] - now + 1)
    return res


def _local_tokens(store: Any, keys: list[str], args: list[Any]) -> dict[str, Any]:
    P = orjson.loads(args[0])
    now = float(P["now"])
    K = lambda i: keys[i - 1]  # noqa: E731
    W, base, add = P["window"], P["base"], P["add"]
    res: dict[str, Any] = {"ok": True}
    us = []
    for i, (ki, tl) in enumerate(P["dims"], start=1):
        tu, tt = _hmget(store, K(ki), "tu", "tt")
        u = max(0.0, _drain(tu, tt, tl / W, now) + base)
        us.append(u)
        if P.get("check") and add > 0 and res["ok"]:
            if add > tl:
                res = {"ok": False, "reason": "too_large", "dim": i, "limit": tl, "retry": 0}
            elif u + add > tl:
                res = {"ok": False, "reason": "tokens", "dim": i, "limit": tl, "retry": (u + add - tl) / (tl / W)}
    for (ki, tl), u in zip(P["dims"], us):
        if res["ok"]:
            u = max(0.0, u + add)
        store.hset(K(ki), {"tu": u, "tt": now})
        store.expire(K(ki), max(W, u / (tl / W)) + 1)
        rem = math.floor(tl - u)
        if "rem" not in res or rem < res["rem"]:
            res["rem"] = rem
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
        ki, hl, ttl, *seen = P["rej"]
        rn, rr, rt = _hmget(store, K(ki), "rn", "rr", "rt")
        store.hset(K(ki), {"rn": _decay(rn, rt, hl, now) + (seen[0] if seen else 0), "rr": _decay(rr, rt, hl, now) + 1, "rt": now})
        store.expire(K(ki), ttl)
    return {"ok": True}


GATE = Script("bulwark_gate", _LUA_GATE, _local_gate)
TOKENS = Script("bulwark_tokens", _LUA_TOKENS, _local_tokens)
SETTLE = Script("bulwark_settle", _LUA_SETTLE, _local_settle, write_behind=True)
