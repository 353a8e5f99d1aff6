"""Rolling windows of the five production metrics, shared by every replica through the state backend.

Each request adds a few numbers to an in-process buffer (no I/O on the request path); every
`flush_seconds` the buffer is added atomically (one Script, `HINCRBYFLOAT`) to time-bucketed
hashes in the state backend: one per minute (kept 3 h; the 5 min / 1 h windows and the
sparklines) and one per quarter hour (kept 25 h; the 24 h window). With Redis every worker
and replica adds into the same buckets, so `GET /admin/stats` on any of them shows the
fleet; with the memory backend it shows this process.

The per-day cost stack (spend by category, savings by reason) goes to one hash per UTC day,
kept `cost_days_kept` days, which `bulwark costs` reads.

Bucket fields: req (model-endpoint requests), ok (successful answers), rej (refused by
Bulwark), err (failed), lat:<i> (latency histogram of answered requests), val (answers
validated for grounding), hal (failing grounding), fb (answered after a fallback),
fbr:<reason>, cost (USD), fbk_n / fbk_sum (feedback ratings), c:<category>, s:<reason>,
rlr:<reason> (limit and budget rejections), abu:<action>:<reason> (abuse throttles and blocks).
"""
from __future__ import annotations

from collections import OrderedDict

import asyncio
import logging
import math
import os
import threading
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from ..state.base import Script

log = logging.getLogger("bulwark.stats")

MINUTE = 60
QUARTER = 900
MINUTE_TTL = 3 * 3600 + 600
QUARTER_TTL = 25 * 3600 + 1800
SERIES_MINUTES = 180
# Upper bounds (seconds) of the latency histogram kept in the buckets; the last is +Inf.
LAT_BOUNDS = (0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.5, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, math.inf)
COST_CATEGORIES = ("base", "retry", "fallback", "continuation", "regeneration", "judge", "summary")
SAVED_REASONS = ("pruning", "abuse", "cache")
COSTS_FILE = "costs.json"  # memory backend: the per-day cost stack, in state.data_dir


def minute_key(t: int) -> str:
    return f"{{obs}}:m:{t}"


def quarter_key(t: int) -> str:
    return f"{{obs}}:q:{t}"


_DAY_CACHE: dict[int, str] = {}


def day_of(t: float) -> str:
    n = int(t // 86400)
    d = _DAY_CACHE.get(n)
    if d is None:
        if len(_DAY_CACHE) > 1000:
            _DAY_CACHE.clear()
        d = _DAY_CACHE[n] = datetime.fromtimestamp(n * 86400, timezone.utc).strftime("%Y-%m-%d")
    return d


def day_key(day: str) -> str:
    return f"{{obs}}:cost:{day}"


def id_key(completion_id: str) -> str:
    return f"{{obs}}:id:{completion_id}"


def lat_index(seconds: float) -> int:
    for i, b in enumerate(LAT_BOUNDS):
        if seconds <= b:
            return i
    return len(LAT_BOUNDS) - 1


# -- Scripts (Lua for Redis, Python twin for the memory backend) -----------------------------
_ADD_LUA = """
local a = 1
for i, k in ipairs(KEYS) do
  local ttl = tonumber(ARGV[a]); local n = tonumber(ARGV[a + 1]); a = a + 2
  for j = 1, n do
    redis.call('HINCRBYFLOAT', k, ARGV[a], ARGV[a + 1]); a = a + 2
  end
  if ttl > 0 then redis.call('PEXPIRE', k, ttl) end
end
return #KEYS
"""


def _add_local(store: Any, keys: list[str], args: list[Any]) -> int:
    a = 0
    for k in keys:
        ttl, n = float(args[a]), int(args[a + 1])
        a += 2
        for _ in range(n):
            store.hincr(k, str(args[a]), float(args[a + 1]))
            a += 2
        if ttl > 0:
            store.expire(k, ttl / 1000.0)
    return len(keys)


ADD = Script("obs_add", _ADD_LUA, _add_local)

_READ_LUA = """
local out = {}
for i, k in ipairs(KEYS) do out[i] = redis.call('HGETALL', k) end
return out
"""


def _read_local(store: Any, keys: list[str], args: list[Any]) -> list[list[Any]]:
    out = []
    for k in keys:
        flat: list[Any] = []
        for f, v in store.hgetall(k).items():
            flat += [f, v]
        out.append(flat)
    return out


READ = Script("obs_read", _READ_LUA, _read_local)

_SETMANY_LUA = """
local ttl = tonumber(ARGV[1])
for i, k in ipairs(KEYS) do redis.call('SET', k, ARGV[i + 1], 'PX', ttl) end
return #KEYS
"""


def _setmany_local(store: Any, keys: list[str], args: list[Any]) -> int:
    ttl = float(args[0]) / 1000.0
    for i, k in enumerate(keys):
        v = args[i + 1]
        store.set(k, v.encode() if isinstance(v, str) else v, ttl)
    return len(keys)


SETMANY = Script("obs_setmany", _SETMANY_LUA, _setmany_local)


def _s(x: Any) -> str:
    return x.decode() if isinstance(x, bytes) else str(x)


def parse_hash(flat: list[Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for i in range(0, len(flat) - 1, 2):
        try:
            out[_s(flat[i])] = float(_s(flat[i + 1]))
        except ValueError:
            pass
    return out


def merge(hashes: list[dict[str, float]]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for h in hashes:
        for k, v in h.items():
            out[k] += v
    return out


def p95(h: dict[str, float], q: float = 0.95) -> float | None:
    counts = [h.get(f"lat:{i}", 0.0) for i in range(len(LAT_BOUNDS))]
    total = sum(counts)
    if total <= 0:
        return None
    rank = q * total
    cum = 0.0
    lo = 0.0
    for i, c in enumerate(counts):
        hi = LAT_BOUNDS[i]
        if c > 0 and cum + c >= rank:
            if math.isinf(hi):
                return lo
            return lo + (hi - lo) * ((rank - cum) / c)
        cum += c
        lo = hi if not math.isinf(hi) else lo
    return lo


def _ratio(a: float, b: float) -> float | None:
    return a / b if b > 0 else None


def summarise(h: dict[str, float], targets: Any) -> dict[str, Any]:
    req, ok = h.get("req", 0.0), h.get("ok", 0.0)
    answered = sum(h.get(f"lat:{i}", 0.0) for i in range(len(LAT_BOUNDS)))
    p = p95(h)
    hal = _ratio(h.get("hal", 0.0), h.get("val", 0.0))
    fbr = _ratio(h.get("fb", 0.0), req - h.get("rej", 0.0))
    cpm = _ratio(h.get("cost", 0.0), ok)
    sat = _ratio(h.get("fbk_sum", 0.0), h.get("fbk_n", 0.0))

    def status(value: float | None, good: bool) -> str:
        return "no_data" if value is None else ("ok" if good else "breach")

    reasons = {k[4:]: int(v) for k, v in h.items() if k.startswith("fbr:") and v}
    limited = {k[4:]: int(v) for k, v in h.items() if k.startswith("rlr:") and v}
    abuse = {k[4:]: int(v) for k, v in h.items() if k.startswith("abu:") and v}
    return {
        "requests": int(req),
        "successful": int(ok),
        "rejected": int(h.get("rej", 0.0)),
        "errors": int(h.get("err", 0.0)),
        "answered": int(answered),
        "p95_seconds": None if p is None else round(p, 4),
        "validated": int(h.get("val", 0.0)),
        "grounding_failed": int(h.get("hal", 0.0)),
        "hallucination_rate": None if hal is None else round(hal, 6),
        "fallbacks": int(h.get("fb", 0.0)),
        "fallback_rate": None if fbr is None else round(fbr, 6),
        "fallback_reasons": reasons,
        "cost_usd": round(h.get("cost", 0.0), 8),
        "cost_per_successful_message_usd": None if cpm is None else round(cpm, 8),
        "feedback_count": int(h.get("fbk_n", 0.0)),
        "ratelimit_rejections": sum(limited.values()),
        "ratelimit_reasons": limited,
        "abuse_actions": sum(abuse.values()),
        "abuse_reasons": abuse,
        "satisfaction": None if sat is None else round(sat, 4),
        "status": {
            "p95": status(p, p is not None and p < targets.p95_seconds),
            "hallucination_rate": status(hal, hal is not None and hal < targets.hallucination_rate),
            "fallback_rate": status(fbr, fbr is not None and fbr < targets.fallback_rate),
            "satisfaction": status(sat, sat is not None and sat > targets.satisfaction),
        },
    }


class Stats:
    """The in-process buffer and its periodic flush into the state backend."""

    def __init__(self, state: Any, config: Any, targets: Any) -> None:
        self.state = state
        self.cfg = config
        self.targets = targets
        self._minutes: dict[int, dict[str, float]] = {}
        self._days: dict[str, dict[str, float]] = {}
        self._ids: dict[str, str] = {}
        # Memory backend: answered ids live in this bounded map, not in the shared MemoryStore,
        # where a high-volume id map would crowd limit and budget counters out of its LRU
        # (and grow the process by ~1 KB per answer for feedback_ttl_days).
        self.known_ids: OrderedDict[str, str] = OrderedDict()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self.flush_errors = 0
        self._persist_warned = False

    # -- recording (sync, no I/O) ---------------------------------------------------------
    def add(self, fields: dict[str, float], now: float | None = None) -> None:
        t = int(now if now is not None else time.time())
        m = t - t % MINUTE
        b = self._minutes.get(m)
        if b is None:
            b = self._minutes[m] = {}
            if len(self._minutes) > 240:  # flushes failing for hours: keep the newest
                del self._minutes[min(self._minutes)]
        for k, v in fields.items():
            b[k] = b.get(k, 0.0) + v

    def add_day(self, field: str, amount: float, now: float | None = None) -> None:
        if not amount:
            return
        d = self._days.setdefault(day_of(now if now is not None else time.time()), {})
        d[field] = d.get(field, 0.0) + amount
        if len(self._days) > 8:
            del self._days[min(self._days)]

    def map_id(self, completion_id: str, request_id: str) -> None:
        if len(self._ids) < self.cfg.max_pending_ids:
            self._ids[completion_id] = request_id

    # -- flushing -------------------------------------------------------------------------
    async def start(self) -> None:
        if self._task is None:
            try:
                await self.load_persisted_days()
            except Exception as exc:  # noqa: BLE001 - start without history
                log.warning("could not reload the cost stack: %r", exc)
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="bulwark-stats-flush")

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.cfg.flush_seconds)
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - never kill the loop
                self.flush_errors += 1
                log.warning("stats flush failed: %r", exc)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None
        try:
            await self.flush()
        except Exception as exc:  # noqa: BLE001
            log.warning("final stats flush failed: %r", exc)

    async def flush(self) -> None:
        async with self._lock:
            minutes, self._minutes = self._minutes, {}
            days, self._days = self._days, {}
            ids, self._ids = self._ids, {}
            try:
                await self._write(minutes, days, ids)
            except BaseException:
                # put the numbers back for the next try (bounded by add())
                for m, fields in minutes.items():
                    self.add(fields, m)
                for d, fields in days.items():
                    cur = self._days.setdefault(d, {})
                    for k, v in fields.items():
                        cur[k] = cur.get(k, 0.0) + v
                raise

    async def _write(self, minutes: dict[int, dict[str, float]], days: dict[str, dict[str, float]], ids: dict[str, str]) -> None:
        keys: list[str] = []
        args: list[Any] = []

        def put(key: str, ttl: float, fields: dict[str, float]) -> None:
            keys.append(key)
            args.extend((int(ttl * 1000), len(fields)))
            for k, v in fields.items():
                args.extend((k, repr(float(v))))

        quarters: dict[int, dict[str, float]] = {}
        for m, fields in minutes.items():
            put(minute_key(m), MINUTE_TTL, fields)
            q = quarters.setdefault(m - m % QUARTER, {})
            for k, v in fields.items():
                q[k] = q.get(k, 0.0) + v
        for q_t, fields in quarters.items():
            put(quarter_key(q_t), QUARTER_TTL, fields)
        for d, fields in days.items():
            put(day_key(d), self.cfg.cost_days_kept * 86400, fields)
        if keys:
            await self.state.run(ADD, keys, args)
        if days and getattr(self.state, "name", "") == "memory":
            await self._persist_days(list(days))
        if ids and getattr(self.state, "name", "") == "memory":
            known = self.known_ids
            known.update(ids)
            while len(known) > self.cfg.max_known_ids:
                known.popitem(last=False)
        elif ids:
            ttl_ms = int(self.cfg.feedback_ttl_days * 86400 * 1000)
            await self.state.run(SETMANY, [id_key(k) for k in ids], [ttl_ms, *ids.values()])

    async def _persist_days(self, changed: list[str]) -> None:
        """Memory backend: keep the per-day cost stack in `<state.data_dir>/costs.json` too, so
        `bulwark costs` (another process) can read it and it survives restarts."""
        data_dir = getattr(self.state, "data_dir", None)
        if data_dir is None:
            return
        path = Path(data_dir) / COSTS_FILE
        rows = await self.read_hashes([day_key(d) for d in changed])
        snapshot = {d: h for d, h in zip(changed, rows)}

        def write() -> None:
            try:
                current = orjson.loads(path.read_bytes()) if path.exists() else {}
            except (OSError, orjson.JSONDecodeError):
                current = {}
            if not isinstance(current, dict):
                current = {}
            current.update(snapshot)
            keep = sorted(current)[-self.cfg.cost_days_kept:]
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(orjson.dumps({d: current[d] for d in keep}))
            os.replace(tmp, path)

        try:
            await asyncio.to_thread(write)
        except OSError as exc:
            if not self._persist_warned:
                self._persist_warned = True
                log.warning("cannot write the cost stack to %s: %s", path, exc)

    async def load_persisted_days(self) -> None:
        """Memory backend at startup: reload today's and earlier days from costs.json."""
        data_dir = getattr(self.state, "data_dir", None)
        if data_dir is None or getattr(self.state, "name", "") != "memory":
            return
        path = Path(data_dir) / COSTS_FILE
        try:
            data = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return
        if not isinstance(data, dict):
            return
        keys, args = [], []
        for d, h in data.items():
            if isinstance(h, dict) and h:
                keys.append(day_key(d))
                args.extend((int(self.cfg.cost_days_kept * 86400 * 1000), len(h)))
                for k, v in h.items():
                    args.extend((k, repr(float(v))))
        if keys:
            store = getattr(self.state, "store", None)
            if store is not None:
                for k in keys:
                    store.delete(k)
            await self.state.run(ADD, keys, args)

    # -- reading --------------------------------------------------------------------------
    async def read_hashes(self, keys: list[str]) -> list[dict[str, float]]:
        rows = await self.state.run(READ, keys, [])
        return [parse_hash(r or []) for r in rows]

    async def snapshot(self, now: float | None = None) -> dict[str, Any]:
        try:
            await self.flush()
        except Exception as exc:  # noqa: BLE001 - show what the backend has
            log.warning("stats flush before a read failed: %r", exc)
        t = int(now if now is not None else time.time())
        m_now = t - t % MINUTE
        q_now = t - t % QUARTER
        minute_ts = [m_now - MINUTE * i for i in range(SERIES_MINUTES - 1, -1, -1)]
        quarter_ts = [q_now - QUARTER * i for i in range(95, -1, -1)]
        rows = await self.read_hashes([minute_key(x) for x in minute_ts] + [quarter_key(x) for x in quarter_ts])
        mins, quarters = rows[:SERIES_MINUTES], rows[SERIES_MINUTES:]
        windows = {
            "5m": summarise(merge(mins[-5:]), self.targets),
            "1h": summarise(merge(mins[-60:]), self.targets),
            "24h": summarise(merge(quarters), self.targets),
        }
        c1, c24 = windows["1h"]["cost_per_successful_message_usd"], windows["24h"]["cost_per_successful_message_usd"]
        trend = None if not c1 or not c24 else round(c1 / c24 - 1.0, 4)
        step = 5  # sparkline points of 5 minutes over the last 3 hours
        series: dict[str, list[Any]] = {"requests": [], "successful": [], "errors": [], "p95_seconds": [], "fallbacks": [],
                                        "cost_usd": [], "hallucinations": [], "satisfaction": [], "ratelimit_rejections": [],
                                        "abuse_actions": []}
        for i in range(0, SERIES_MINUTES, step):
            h = merge(mins[i:i + step])
            p = p95(h)
            series["requests"].append(int(h.get("req", 0)))
            series["successful"].append(int(h.get("ok", 0)))
            series["errors"].append(int(h.get("err", 0)))
            series["p95_seconds"].append(None if p is None else round(p, 4))
            series["fallbacks"].append(int(h.get("fb", 0)))
            series["cost_usd"].append(round(h.get("cost", 0.0), 8))
            series["hallucinations"].append(int(h.get("hal", 0)))
            series["ratelimit_rejections"].append(int(sum(v for k, v in h.items() if k.startswith("rlr:"))))
            series["abuse_actions"].append(int(sum(v for k, v in h.items() if k.startswith("abu:"))))
            s = _ratio(h.get("fbk_sum", 0.0), h.get("fbk_n", 0.0))
            series["satisfaction"].append(None if s is None else round(s, 3))
        return {
            "generated_at": t,
            "windows": windows,
            "cost_trend_1h_vs_24h": trend,
            "series": {"start": minute_ts[0], "step_seconds": step * MINUTE, **series},
        }

    async def cost_days(self, days: int = 7, now: float | None = None) -> list[dict[str, Any]]:
        try:
            await self.flush()
        except Exception as exc:  # noqa: BLE001
            log.warning("stats flush before a read failed: %r", exc)
        return await read_cost_days(self.state, days, now)


async def read_cost_days(state: Any, days: int = 7, now: float | None = None) -> list[dict[str, Any]]:
    """The per-day cost stack, newest first (also used by `bulwark costs`)."""
    t = now if now is not None else time.time()
    names = [day_of(t - 86400 * i) for i in range(days)]
    rows = await state.run(READ, [day_key(d) for d in names], [])
    out = []
    for d, row in zip(names, rows):
        h = parse_hash(row or [])
        spend = {c: round(h.get(f"c:{c}", 0.0), 8) for c in COST_CATEGORIES}
        for k, v in h.items():
            if k.startswith("c:") and k[2:] not in spend:
                spend[k[2:]] = round(v, 8)
        saved = {r: round(h.get(f"s:{r}", 0.0), 8) for r in SAVED_REASONS}
        for k, v in h.items():
            if k.startswith("s:") and k[2:] not in saved:
                saved[k[2:]] = round(v, 8)
        out.append({
            "date": d,
            "spend_usd": spend,
            "spend_total_usd": round(sum(spend.values()), 8),
            "saved_usd": saved,
            "saved_total_usd": round(sum(saved.values()), 8),
            "requests": int(h.get("req", 0)),
            "successful": int(h.get("ok", 0)),
        })
    return out
