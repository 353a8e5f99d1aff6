"""The Redis state backend: shared by every worker and replica.

- Three topologies, one behaviour: a single Redis (`redis_url`), a **Redis Cluster**
  (`state.cluster = true`: `redis.asyncio.RedisCluster`, seeded by `redis_url` and
  `state.cluster_nodes`, following MOVED/ASK and re-reading the slot map after a node fails),
  or a primary watched by **Sentinel** (`state.sentinels`: the primary of
  `state.sentinel_service` is asked of the sentinels on every new connection, so after a
  failover the next connection goes to the promoted replica; a connection still open to a
  demoted primary is dropped on its first READONLY answer).
- Tight timeouts (`state.timeout_ms`) for connect, reads and waiting for a pooled connection,
  and no client-side retries: a dead or failing-over Redis fails fast with `StateError` and
  the failure policy (proxy.state.resilient) decides.
- Scripts run with EVALSHA, falling back to EVAL on NOSCRIPT or when the server (a Redis
  proxy such as Envoy/twemproxy/some managed front ends) refuses EVALSHA; SCRIPT LOAD is
  never used, so limits keep working behind proxies that block it.
- Keys are hash-tagged for Redis Cluster. A relative key `"rl:x"` becomes `"{prefix}:rl:x"`;
  a relative key that starts with its own tag, `"{k_abc}:rl:x"`, becomes
  `"{prefix:k_abc}:rl:x"`, so a Script's keys that share a tag share a slot.
- **One round trip for what is asked together.** Script runs, GETs and SETs issued in the
  same event-loop iteration (one request's settles after its answer, or many requests' work
  under load) are sent as one pipeline (not a transaction: each Script is atomic on its own,
  as before) and their answers handed back to each caller, errors included; one command alone
  goes as it is. Redis Cluster (commands for different slots go to different nodes) sends each
  command on its own.
- Journals are a Redis stream (`XADD`, newest first with `XREVRANGE`) plus a hash of status
  updates merged on read.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import time
import uuid
from typing import Any

import orjson
import redis.asyncio as aioredis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.connection import parse_url
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import NoBackoff
from redis.exceptions import NoScriptError, RedisClusterException, RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .base import Flights, Journal, Script, StateBackend, StateError
from .patience import patient_timeout

log = logging.getLogger("bulwark.state")


def tag_key(prefix: str, rel: str) -> str:
    """Relative key -> full hash-tagged Redis key (see the module docstring)."""
    if rel.startswith("{"):
        end = rel.find("}")
        if end > 0:
            return "{" + prefix + ":" + rel[1:end] + "}" + rel[end + 1:]
    return "{" + prefix + "}:" + rel


def untag_key(prefix: str, full: str) -> str:
    head = "{" + prefix + "}:"
    if full.startswith(head):
        return full[len(head):]
    head = "{" + prefix + ":"
    if full.startswith(head):
        return "{" + full[len(head):]
    return full


class RedisState(StateBackend):
    name = "redis"

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        key_prefix: str = "bulwark",
        timeout_ms: int = 250,
        max_connections: int = 32,
        warm_connections: int = 8,
        *,
        cluster: bool = False,
        cluster_nodes: list[str] | tuple[str, ...] = (),
        sentinels: list[str] | tuple[str, ...] = (),
        sentinel_service: str = "mymaster",
        sentinel_password: str | None = None,
        write_behind_ms: float = 5.0,
    ) -> None:
        self.url = url
        self.prefix = key_prefix
        self.timeout = timeout_ms / 1000.0
        self.warm_connections = min(warm_connections, max_connections)
        self.topology = "cluster" if cluster else "sentinel" if sentinels else "single"
        no_retry = Retry(NoBackoff(), 0)
        timeouts = {"socket_timeout": self.timeout, "socket_connect_timeout": self.timeout, "retry": no_retry}
        self._pool: Any = None
        self._slots: asyncio.Semaphore | None = None
        self._sentinel: Sentinel | None = None
        if cluster:
            self._r: Any = _cluster_client(url, list(cluster_nodes), max_connections, timeouts)
        elif sentinels:
            self._sentinel, self._r = _sentinel_client(url, list(sentinels), sentinel_service, sentinel_password,
                                                       max_connections, timeouts)
            self._pool = self._r.connection_pool
            # The sentinel pool refuses past max_connections instead of queueing: queue here.
            self._slots = asyncio.Semaphore(max_connections)
        else:
            # A few dozen connections saturate one Redis from one process (scripts take
            # microseconds); beyond that, requests queue for a pooled connection, which is local
            # waiting, so it gets a looser bound than a Redis round trip.
            self._pool = aioredis.BlockingConnectionPool.from_url(
                url, max_connections=max_connections, timeout=max(1.0, self.timeout * 4), **timeouts)
            # The URL chose the class (TCP, TLS for rediss://, a unix socket): its patient twin.
            self._pool.connection_class = _patient(self._pool.connection_class)
            self._r = aioredis.Redis(connection_pool=self._pool, retry=no_retry)
        self._shas: dict[str, str] = {}
        self._evalsha_ok = True
        # Commands of one event-loop iteration go as one pipeline (a Cluster spreads them over
        # nodes by slot: each goes on its own there).
        self._flights = None if cluster else Flights(self._fly, write_behind_ms / 1000)
        self.batches = self._flights is not None
        self._unbatched = 0
        self._journals: dict[str, RedisJournal] = {}
        # Outer guard: a command may wait for a pooled connection, connect, write and read (and
        # in a cluster follow a redirection, or in sentinel mode ask a sentinel first).
        self._guard = max(1.0, self.timeout * 4) + self.timeout * 2

    def k(self, rel: str) -> str:
        return tag_key(self.prefix, rel)

    async def _call(self, op: str, coro: Any) -> Any:
        batched = isinstance(coro, asyncio.Future)  # from _send: its flight takes the pool slot
        try:
            if batched:
                # The flight is guarded (`_fly`) and always answers every future in it (a
                # failure or its timeout included), so a second guard per command would only
                # cost a timer and its lookups.
                return await coro
            async with patient_timeout(self._guard), self._slot():
                return await coro
        except _FAILURES as exc:
            await self._failed_over()
            raise StateError(f"redis {op} failed: {type(exc).__name__}: {exc}") from exc
        finally:
            if not batched:
                coro.close()  # not awaited when the slot wait timed out: no "never awaited" warning

    async def _failed_over(self) -> None:
        """Behind Sentinel, a failure may mean the primary moved: close the idle pooled
        connections (still open to the old one) so each new one asks the sentinels again,
        instead of every stale connection costing a request one more timeout."""
        if self.topology == "sentinel":
            try:
                await self._pool.disconnect(inuse_connections=False)
            except Exception:  # noqa: BLE001 - best effort; the next connection re-resolves anyway
                pass

    def _slot(self) -> Any:
        return self._slots if self._slots is not None else contextlib.nullcontext()

    # -- batching: commands of one loop iteration share a round trip ------------------
    def _send(self, *cmd: Any, hold: bool = False) -> Any:
        """An awaitable with the reply to `cmd` (a Redis command as its words); `hold`: a
        write-behind command that may wait a few ms for company (see Flights)."""
        if self._flights is None:
            self._unbatched += 1
            return self._r.execute_command(*cmd)
        return self._flights.ask(cmd, hold)

    @property
    def round_trips(self) -> int:
        """Flights sent to Redis (a pipeline counts once)."""
        return self._unbatched + (self._flights.sent if self._flights is not None else 0)

    async def _fly(self, cmds: list[tuple[Any, ...]]) -> list[Any]:
        async with patient_timeout(self._guard), self._slot():
            if len(cmds) == 1:
                return [await self._r.execute_command(*cmds[0])]
            pipe = self._r.pipeline(transaction=False)
            for cmd in cmds:
                pipe.execute_command(*cmd)
            return await pipe.execute(raise_on_error=False)

    # -- plain keys -------------------------------------------------------------------
    async def get(self, key: str) -> bytes | None:
        return await self._call("get", self._send("GET", self.k(key)))

    async def set(self, key: str, value: bytes, ttl: float | None = None, *, write_behind: bool = False) -> None:
        px = int(ttl * 1000) if ttl is not None and ttl > 0 else None
        await self._call("set", self._send("SET", self.k(key), value, *(("PX", px) if px is not None else ()), hold=write_behind))

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._call("delete", self._r.delete(*(self.k(k) for k in keys)))

    async def incr(self, key: str, amount: float = 1.0, ttl: float | None = None) -> float:
        return float(await self.run(_INCR, [key], [amount, int(ttl * 1000) if ttl else 0]))

    async def scan(self, pattern: str, limit: int = 10_000) -> list[str]:
        async def go() -> list[str]:
            out: list[str] = []
            async for full in self._r.scan_iter(match=self.k(pattern), count=1000):
                out.append(untag_key(self.prefix, full.decode() if isinstance(full, bytes) else full))
                if len(out) >= limit:
                    break
            return out

        try:
            return await go()
        except _FAILURES as exc:
            raise StateError(f"redis scan failed: {exc}") from exc

    # -- scripts ----------------------------------------------------------------------
    async def run(self, script: Script, keys: list[str], args: list[Any]) -> Any:
        sha = self._shas.get(script.name)
        if sha is None:
            sha = self._shas[script.name] = hashlib.sha1(script.lua.encode()).hexdigest()
        full = [self.k(k) for k in keys]
        try:
            # Unbatched (a cluster), the command needs its own guard; batched, its flight has
            # one (`_call`) and takes the pool slot (sentinel).
            async with (patient_timeout(self._guard) if self._flights is None else contextlib.nullcontext()):
                if self._evalsha_ok:
                    try:
                        return await self._send("EVALSHA", sha, len(full), *full, *args, hold=script.write_behind)
                    except NoScriptError:
                        pass  # first run on this server: EVAL caches it for next time
                    except ResponseError as exc:
                        msg = str(exc).lower()
                        if "unknown command" in msg or "not allowed" in msg or "noperm" in msg or "unsupported" in msg:
                            log.warning("redis refuses EVALSHA (%s); using EVAL for every script", exc)
                            self._evalsha_ok = False
                        else:
                            raise
                return await self._send("EVAL", script.lua, len(full), *full, *args, hold=script.write_behind)
        except ResponseError as exc:
            log.error("state script %s failed in Redis: %s", script.name, exc)
            raise StateError(f"redis script {script.name} failed: {exc}") from exc
        except _FAILURES as exc:
            await self._failed_over()
            raise StateError(f"redis script {script.name} failed: {type(exc).__name__}: {exc}") from exc

    def journal(self, name: str) -> Journal:
        j = self._journals.get(name)
        if j is None:
            j = self._journals[name] = RedisJournal(self, name)
        return j

    async def startup(self) -> None:
        """Open a few pooled connections up front, so a burst at start does not pay (and
        time out on) dozens of simultaneous connects; a cluster reads its slot map."""
        if self.topology == "cluster":
            try:
                await asyncio.wait_for(self._r.initialize(), self._guard * 4)
            except Exception as exc:
                log.warning("redis cluster at %s not reachable at startup: %s", self.url, exc)
            return
        conns = []
        try:
            for _ in range(self.warm_connections):
                c = await asyncio.wait_for(self._pool.get_connection(), self.timeout * 4)
                conns.append(c)
        except Exception as exc:
            log.warning("redis (%s) at %s not reachable at startup: %s", self.topology, self.url, exc)
        finally:
            for c in conns:
                await self._pool.release(c)

    async def ping(self) -> bool:
        try:
            return bool(await self._call("ping", self._r.ping()))
        except StateError:
            return False

    async def aclose(self) -> None:
        try:
            if self._flights is not None:
                await self._flights.drain()  # held settles go out before the connections close
            await self._r.aclose()
            if self._pool is not None:
                await self._pool.disconnect()
            if self._sentinel is not None:
                for s in self._sentinel.sentinels:
                    await s.aclose()
        except Exception:  # closing must never raise
            pass


# What a failing, unreachable or failing-over Redis raises (a cluster's own errors are not
# RedisErrors: a slot nobody serves, a map that cannot be read).
_FAILURES = (RedisError, RedisClusterException, OSError, asyncio.TimeoutError)


class _PatientReads:
    """Reads that time out after `socket_timeout` of the event loop's own running time
    (`proxy.state.patience`): a reply that came due while this process's loop was blocked is
    read, not abandoned as a Redis failure. Mixed into the connection class the URL chose
    (TCP, TLS, unix socket); Cluster and Sentinel keep redis-py's reads."""

    socket_timeout: float | None

    async def read_response(self, disable_decoding: bool = False, timeout: float | None = None, *,
                            disconnect_on_error: bool = True, push_request: bool | None = False) -> Any:
        if timeout is not None or self.socket_timeout is None:  # an explicit per-read timeout: redis-py's own
            return await super().read_response(disable_decoding, timeout, disconnect_on_error=disconnect_on_error,
                                               push_request=push_request)
        reader = getattr(self, "_reader", None)
        if reader is not None and len(getattr(reader, "_buffer", b"")):
            # The reply has begun to arrive (every reply after the first of a pipeline, as a
            # rule): no timer of its own. Should its rest never come, the flight's or the
            # command's guard (`RedisState._guard`) still ends the wait.
            return await super().read_response(disable_decoding, math.inf, disconnect_on_error=disconnect_on_error,
                                               push_request=push_request)
        try:
            async with patient_timeout(self.socket_timeout):
                return await super().read_response(disable_decoding, math.inf, disconnect_on_error=disconnect_on_error,
                                                   push_request=push_request)
        except asyncio.TimeoutError:  # (the read was cancelled, so redis-py closed the connection)
            where = getattr(self, "path", None) or f"{getattr(self, 'host', '?')}:{getattr(self, 'port', '?')}"
            raise RedisTimeoutError(f"Timeout reading from {where}") from None


_PATIENT: dict[type, type] = {}


def _patient(cls: type) -> type:
    """`cls` with patient reads (one subclass per connection class)."""
    if issubclass(cls, _PatientReads):
        return cls
    if cls not in _PATIENT:
        _PATIENT[cls] = type("Patient" + cls.__name__, (_PatientReads, cls), {})
    return _PATIENT[cls]


def _host_port(node: str) -> tuple[str, int]:
    host, _, port = node.rpartition(":")
    return host, int(port)


def _cluster_client(url: str, seeds: list[str], max_connections: int, timeouts: dict[str, Any]) -> RedisCluster:
    opts = parse_url(url)
    nodes = [ClusterNode(opts.get("host", "127.0.0.1"), int(opts.get("port", 6379)))]
    nodes += [ClusterNode(*_host_port(n)) for n in seeds]
    # require_full_coverage off: while one primary fails over, the other slots keep working.
    return RedisCluster(startup_nodes=nodes, username=opts.get("username"), password=opts.get("password"),
                        ssl=url.startswith("rediss://"), require_full_coverage=False, max_connections=max_connections,
                        **timeouts)


def _sentinel_client(url: str, sentinels: list[str], service: str, password: str | None, max_connections: int,
                     timeouts: dict[str, Any]) -> tuple[Sentinel, Any]:
    opts = parse_url(url)
    sentinel_kw = {"socket_timeout": timeouts["socket_timeout"], "socket_connect_timeout": timeouts["socket_connect_timeout"]}
    if password:
        sentinel_kw["password"] = password
    manager = Sentinel([_host_port(n) for n in sentinels], sentinel_kwargs=sentinel_kw)
    client = manager.master_for(service, redis_class=aioredis.Redis, db=int(opts.get("db", 0) or 0),
                                username=opts.get("username"), password=opts.get("password"),
                                ssl=url.startswith("rediss://"), max_connections=max_connections, **timeouts)
    return manager, client


_INCR = Script(
    name="incr",
    lua="""
local v = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return v
""",
    local=lambda store, keys, args: store.incr(keys[0], float(args[0]), (args[1] / 1000) or None),
)


class RedisJournal(Journal):
    """Records in a stream; status updates in a hash (id -> merged fields JSON)."""

    MAXLEN = 100_000

    def __init__(self, state: RedisState, name: str) -> None:
        self.s = state
        self.stream = state.k(f"journal:{name}")
        self.updates = state.k(f"journal:{name}:upd")
        self.index = state.k(f"journal:{name}:ids")

    async def append(self, record: dict[str, Any]) -> str:
        rid = record.get("id") or f"{int(time.time() * 1000)}-{uuid.uuid4().hex[:8]}"
        record = {**record, "id": rid}
        record.setdefault("status", "open")
        record.setdefault("created_at", time.time())
        r = self.s._r

        async def go() -> str:
            sid = await r.xadd(self.stream, {"r": orjson.dumps(record)}, maxlen=self.MAXLEN, approximate=True)
            await r.hset(self.index, rid, sid)
            return rid

        return await self.s._call("xadd", go())

    async def _merge(self, entries: list[tuple[Any, dict[Any, Any]]]) -> list[dict[str, Any]]:
        recs = []
        for _sid, fields in entries:
            raw = fields.get(b"r") or fields.get("r")
            if raw is None:
                continue
            try:
                recs.append(orjson.loads(raw))
            except orjson.JSONDecodeError:
                continue
        if recs:
            ups = await self.s._r.hmget(self.updates, [r["id"] for r in recs])
            for rec, up in zip(recs, ups):
                if up:
                    rec.update(orjson.loads(up))
        return recs

    async def get(self, record_id: str) -> dict[str, Any] | None:
        async def go() -> dict[str, Any] | None:
            sid = await self.s._r.hget(self.index, record_id)
            if sid is None:
                return None
            recs = await self._merge(await self.s._r.xrange(self.stream, sid, sid))
            return recs[0] if recs else None

        return await self.s._call("journal.get", go())

    async def list(self, limit: int = 100, status: str | None = None) -> list[dict[str, Any]]:
        async def go() -> list[dict[str, Any]]:
            out: list[dict[str, Any]] = []
            hi: Any = "+"
            page = max(limit, 100) if status else limit
            while len(out) < limit:
                entries = await self.s._r.xrevrange(self.stream, max=hi, min="-", count=page)
                if not entries:
                    break
                for rec in await self._merge(entries):
                    if status is None or rec.get("status") == status:
                        out.append(rec)
                        if len(out) >= limit:
                            break
                if len(entries) < page:
                    break
                last = entries[-1][0]
                last = last.decode() if isinstance(last, bytes) else last
                hi = "(" + last
            return out

        return await self.s._call("journal.list", go())

    async def update(self, record_id: str, fields: dict[str, Any]) -> bool:
        async def go() -> bool:
            if not await self.s._r.hexists(self.index, record_id):
                return False
            prev = await self.s._r.hget(self.updates, record_id)
            merged = {**(orjson.loads(prev) if prev else {}), **fields}
            await self.s._r.hset(self.updates, record_id, orjson.dumps(merged))
            return True

        return await self.s._call("journal.update", go())

    async def count(self, status: str | None = None) -> int:
        if status is None:
            return int(await self.s._call("xlen", self.s._r.xlen(self.stream)))
        return len(await self.list(limit=100_000, status=status))
