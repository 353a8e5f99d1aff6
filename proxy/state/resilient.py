"""The Redis failure policy (`state.on_failure`) as a wrapper around any backend.

- `fail_open`: on a `StateError` the operation runs on a local `MemoryState` instead (limits
  become per-process for the outage), one warning per outage, `bulwark_redis_errors_total`
  counted per failed operation. Redis is not tried again until a short cool-down has passed,
  so an outage costs at most one timeout per cool-down, never one per request.
- `fail_closed`: the operation raises `ServiceUnavailable` (503, `retry-after`) with a clear
  message; during the cool-down it raises at once without waiting on Redis.

Either way a Redis outage never hangs a request (the backend's timeouts) and never turns
into a 500. After the cool-down one request probes Redis while the others keep using the
policy, so a black-holed Redis costs one timeout per cool-down, not one per request.

Settling must land where the reservation was made. `run_tagged` says which store served a
reservation ("shared" Redis, or "local" during an outage) and `run_on(side, ...)` settles on
that side: a settle for a Redis reservation that cannot reach Redis is queued (in order) and
replayed when it answers again, never applied to the local store; a settle for a local
reservation is applied locally. Budgets then add what was spent during the outage to Redis
with `run_on("shared", ...)` (queued until it is back), so the shared ledger ends up with the
true spend. Scripts run with plain `run()` that are in `replay_scripts` (settling token
reservations and freeing concurrency slots) keep the older rule: run locally and queued for
Redis. The local fallback is reset on recovery, so a later outage starts clean. The queue
is bounded (`max_replay`); anything dropped past it is counted and logged.
"""
from __future__ import annotations

import logging
import time
from collections import deque
from typing import Any, Awaitable, Callable, Literal

from ..errors import ServiceUnavailable
from .base import LOCAL, SHARED, Journal, Script, StateBackend, StateError
from .memory import MemoryState, MemoryStore

log = logging.getLogger("bulwark.state")


class ResilientState(StateBackend):
    def __init__(
        self,
        primary: StateBackend,
        policy: Literal["fail_open", "fail_closed"] = "fail_open",
        *,
        fallback: StateBackend | None = None,
        cooldown: float = 2.0,
        metrics: Any = None,
    ) -> None:
        self.primary = primary
        self.policy = policy
        self.fallback = fallback if fallback is not None else MemoryState()
        self.cooldown = cooldown
        self.metrics = metrics  # proxy.metrics.Metrics; the app may assign it later
        self.name = primary.name
        self.batches = primary.batches
        self._down_until = 0.0
        self._in_outage = False
        self.outages = 0
        self._journals: dict[str, ResilientJournal] = {}
        self._probing = False
        self.replay_scripts: set[str] = {"bulwark_settle"}
        self.max_replay = 100_000
        self._replay: deque[tuple[Script, list[str], list[Any]]] = deque()
        self._replaying = False
        self.replayed = 0
        self.replay_dropped = 0

    # -- policy -----------------------------------------------------------------------
    @property
    def degraded(self) -> bool:
        """True while Redis is considered down (fail_open serves from local state)."""
        return self._in_outage

    def _unavailable(self, detail: str) -> ServiceUnavailable:
        return ServiceUnavailable(
            "Bulwark cannot reach its shared state store (Redis) and is configured to refuse "
            "requests rather than run without shared limits (state.on_failure = \"fail_closed\"). "
            f"Retry in a few seconds; if this persists, check Redis ({detail}).",
            headers={"retry-after": str(max(1, int(self.cooldown + 0.999)))},
        )

    def _failed(self, op: str, exc: Exception) -> None:
        self._down_until = time.monotonic() + self.cooldown
        if self.metrics is not None:
            self.metrics.inc("bulwark_redis_errors_total", 1.0, op=op)
        if not self._in_outage:
            self._in_outage = True
            self.outages += 1
            if self.policy == "fail_open":
                log.warning("state backend %s unavailable (%s); using local in-process state until it answers again "
                            "(limits are per process meanwhile)", self.primary.name, exc)
            else:
                log.warning("state backend %s unavailable (%s); refusing requests with 503 (fail_closed)", self.primary.name, exc)

    async def _do(self, op: str, primary: Callable[[], Awaitable[Any]], fallback: Callable[[], Awaitable[Any]],
                  on_fail: Callable[[], None] | None = None) -> Any:
        if self._in_outage and (time.monotonic() < self._down_until or self._probing):
            if on_fail is not None:
                on_fail()
            if self.policy == "fail_closed":
                raise self._unavailable("still in cool-down after the last failure")
            return await fallback()
        probe = self._in_outage
        if probe:
            self._probing = True
        try:
            result = await primary()
        except StateError as exc:
            self._failed(op, exc)
            if on_fail is not None:
                on_fail()
            if self.policy == "fail_closed":
                raise self._unavailable(str(exc)) from None
            return await fallback()
        finally:
            if probe:
                self._probing = False
        if self._in_outage:
            self._in_outage = False
            log.warning("state backend %s answers again; shared state restored", self.primary.name)
            if isinstance(self.fallback, MemoryState):
                self.fallback.store = MemoryStore(self.fallback.store.max_keys)
        if self._replay:
            await self._replay_some()
        return result

    async def _replay_some(self, limit: int = 50) -> None:
        """Replay queued settle scripts against Redis (a few per call, oldest first).

        One replayer at a time, and an item leaves the queue before it is awaited: concurrent
        requests must neither replay the same settle twice nor pop each other's items. A
        replay problem never fails the request that happened to trigger it."""
        if self._replaying:
            return
        self._replaying = True
        try:
            for _ in range(min(limit, len(self._replay))):
                if not self._replay:
                    return
                item = self._replay.popleft()
                try:
                    await self.primary.run(*item)
                except StateError:
                    self._replay.appendleft(item)  # still flaky: keep it for later
                    return
                except Exception:  # noqa: BLE001 - a bad queued item is dropped, not retried forever
                    log.exception("replaying a queued state update failed; dropped")
                    continue
                self.replayed += 1
        finally:
            self._replaying = False

    # -- StateBackend -------------------------------------------------------------------
    async def get(self, key: str) -> bytes | None:
        return await self._do("get", lambda: self.primary.get(key), lambda: self.fallback.get(key))

    async def set(self, key: str, value: bytes, ttl: float | None = None, *, write_behind: bool = False) -> None:
        return await self._do("set", lambda: self.primary.set(key, value, ttl, write_behind=write_behind),
                              lambda: self.fallback.set(key, value, ttl))

    async def delete(self, *keys: str) -> None:
        return await self._do("delete", lambda: self.primary.delete(*keys), lambda: self.fallback.delete(*keys))

    async def incr(self, key: str, amount: float = 1.0, ttl: float | None = None) -> float:
        return await self._do("incr", lambda: self.primary.incr(key, amount, ttl), lambda: self.fallback.incr(key, amount, ttl))

    def _queue(self, script: Script, keys: list[str], args: list[Any]) -> None:
        if len(self._replay) >= self.max_replay:
            self.replay_dropped += 1
            if self.metrics is not None:
                self.metrics.inc("bulwark_redis_errors_total", 1.0, op="replay_dropped")
            log.error("state replay queue full (%d): a settle for Redis was dropped (%s)", self.max_replay, script.name)
            return
        self._replay.append((script, keys, args))

    async def run(self, script: Script, keys: list[str], args: list[Any]) -> Any:
        queue = None
        if script.name in self.replay_scripts:
            def queue() -> None:
                self._queue(script, keys, args)
        return await self._do("script", lambda: self.primary.run(script, keys, args), lambda: self.fallback.run(script, keys, args), queue)

    async def run_tagged(self, script: Script, keys: list[str], args: list[Any]) -> tuple[Any, str]:
        side = SHARED

        async def local() -> Any:
            nonlocal side
            side = LOCAL
            return await self.fallback.run(script, keys, args)

        result = await self._do("script", lambda: self.primary.run(script, keys, args), local)
        return result, side

    async def run_on(self, side: str, script: Script, keys: list[str], args: list[Any]) -> Any:
        if side == LOCAL:
            return await self.fallback.run(script, keys, args)
        # The reservation is in Redis: settle there, or queue it until Redis answers (never
        # locally, and never refused: money and slots settled late are still settled).
        if self._in_outage and (time.monotonic() < self._down_until or self._probing):
            self._queue(script, keys, args)
            return None
        try:
            result = await self.primary.run(script, keys, args)
        except StateError as exc:
            self._failed("script", exc)
            self._queue(script, keys, args)
            return None
        if self._in_outage:
            await self._do("ping", self.primary.ping, self.fallback.ping)  # marks recovery and replays
        elif self._replay:
            await self._replay_some()
        return result

    async def scan(self, pattern: str, limit: int = 10_000) -> list[str]:
        return await self._do("scan", lambda: self.primary.scan(pattern, limit), lambda: self.fallback.scan(pattern, limit))

    def journal(self, name: str) -> Journal:
        j = self._journals.get(name)
        if j is None:
            j = self._journals[name] = ResilientJournal(self, self.primary.journal(name), self.fallback.journal(name))
        return j

    async def ping(self) -> bool:
        return await self.primary.ping()

    async def startup(self) -> None:
        await self.primary.startup()
        if not await self.primary.ping():
            log.warning("state backend %s does not answer at startup (policy %s)", self.primary.name, self.policy)

    async def aclose(self) -> None:
        await self.primary.aclose()
        await self.fallback.aclose()


class ResilientJournal(Journal):
    def __init__(self, owner: ResilientState, primary: Journal, fallback: Journal) -> None:
        self.o, self.p, self.f = owner, primary, fallback

    async def append(self, record: dict[str, Any]) -> str:
        return await self.o._do("journal", lambda: self.p.append(record), lambda: self.f.append(record))

    async def get(self, record_id: str) -> dict[str, Any] | None:
        return await self.o._do("journal", lambda: self.p.get(record_id), lambda: self.f.get(record_id))

    async def list(self, limit: int = 100, status: str | None = None) -> list[dict[str, Any]]:
        return await self.o._do("journal", lambda: self.p.list(limit, status), lambda: self.f.list(limit, status))

    async def update(self, record_id: str, fields: dict[str, Any]) -> bool:
        return await self.o._do("journal", lambda: self.p.update(record_id, fields), lambda: self.f.update(record_id, fields))

    async def count(self, status: str | None = None) -> int:
        return await self.o._do("journal", lambda: self.p.count(status), lambda: self.f.count(status))
