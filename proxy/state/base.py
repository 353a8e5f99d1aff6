"""The state interface: one API, two backends with identical semantics.

- `MemoryState` (proxy.state.memory): embedded default, one process, bounded.
- `RedisState` (proxy.state.redis): shared by every worker and replica.

Atomic multi-step operations (rate-limit windows, budgets, breakers) are `Script`s: the
same operation written once in Lua (run with EVAL on Redis, keys hash-tagged for Cluster)
and once in Python (run under the memory backend's lock). Tests run both against the
same cases so their semantics stay identical.

Keys passed to the backend are relative ("rl:key:abc"); the backend adds its prefix.

Journals are append-only record logs with status updates (the human review queue,
escalation tickets): a Redis stream when Redis is configured, a JSONL file otherwise.
"""
from __future__ import annotations

import abc
import asyncio
from dataclasses import dataclass
from typing import Any, Awaitable, Callable


@dataclass(frozen=True)
class Script:
    """An atomic operation. `local(store, keys, args)` must mirror `lua` exactly.

    `store` is the memory backend's `MemoryStore` (get/set/delete/expire on plain keys and
    hashes, see proxy.state.memory). Lua receives KEYS (prefixed) and ARGV; `now` is passed
    by the caller as an argument where time matters, so both sides use the same clock.
    """

    name: str
    lua: str
    local: Callable[..., Any]
    # Spend, rate-limit windows, blocks and breakers: the embedded store never evicts what a
    # durable Script wrote (it expires by its TTL); plain get/set keys (cache, stats) may be.
    durable: bool = True
    # Which of its KEYS are durable (None: all). Per-request bookkeeping a Script also writes
    # (a budget's receipts and settled marks) expires quickly and may be evicted.
    durable_key: Callable[[str], bool] | None = None
    # A write made after the answer that no client waits on (a settle, a breaker outcome): a
    # batching backend may hold it a few milliseconds (`state.write_behind_ms`) so it shares a
    # flight with the other settles of the request or rides along with the next request's
    # first flight, instead of costing a round trip of its own. Order is kept: a held write
    # goes out no later than, and before, any command asked after it.
    write_behind: bool = False

    def __post_init__(self) -> None:
        # By name, for the state server that runs Scripts for several workers (proxy.state.shared).
        SCRIPTS[self.name] = self


SCRIPTS: dict[str, Script] = {}


SHARED = "shared"
LOCAL = "local"


class StateError(Exception):
    """The state backend failed (Redis down, timeout). Policies decide what happens next."""


class Journal(abc.ABC):
    """Append-only records with an id and a mutable `status`."""

    @abc.abstractmethod
    async def append(self, record: dict[str, Any]) -> str:
        """Store `record`, return its id (also set as record["id"])."""

    @abc.abstractmethod
    async def get(self, record_id: str) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    async def list(self, limit: int = 100, status: str | None = None) -> list[dict[str, Any]]:
        """Newest first."""

    @abc.abstractmethod
    async def update(self, record_id: str, fields: dict[str, Any]) -> bool:
        """Merge `fields` into the record (e.g. status="resolved"); False if unknown."""

    async def count(self, status: str | None = None) -> int:
        return len(await self.list(limit=100_000, status=status))


class StateBackend(abc.ABC):
    name: str = "abstract"
    # Calls asked together share a round trip (Flights): reads a plugin starts early
    # (`Plugin.prefetch`) then cost nothing extra. False for the embedded store, which answers
    # at once, and for Redis Cluster.
    batches: bool = False

    @abc.abstractmethod
    async def get(self, key: str) -> bytes | None: ...

    @abc.abstractmethod
    async def set(self, key: str, value: bytes, ttl: float | None = None, *, write_behind: bool = False) -> None:
        """`write_behind`: nobody waits on it to answer (a cache store): a batching backend may
        hold it a few ms to share a flight (see Script.write_behind)."""

    @abc.abstractmethod
    async def delete(self, *keys: str) -> None: ...

    @abc.abstractmethod
    async def incr(self, key: str, amount: float = 1.0, ttl: float | None = None) -> float:
        """Add `amount`, return the new value; `ttl` is set when the key is created."""

    @abc.abstractmethod
    async def run(self, script: Script, keys: list[str], args: list[Any]) -> Any:
        """Run an atomic Script."""

    async def run_tagged(self, script: Script, keys: list[str], args: list[Any]) -> tuple[Any, str]:
        """Run a Script and say which store holds its effect: "shared", or "local" when a
        fail-open outage served it from the process's own store (proxy.state.resilient)."""
        return await self.run(script, keys, args), SHARED

    async def run_on(self, side: str, script: Script, keys: list[str], args: list[Any]) -> Any:
        """Run a Script against the store that holds what it settles (the side `run_tagged`
        reported for the reservation), so nothing reserved on one side is settled on the other."""
        return await self.run(script, keys, args)

    @abc.abstractmethod
    def journal(self, name: str) -> Journal: ...

    @abc.abstractmethod
    async def scan(self, pattern: str, limit: int = 10_000) -> list[str]:
        """Relative keys matching a glob pattern (admin tools, not the hot path)."""

    async def ping(self) -> bool:
        return True

    async def startup(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


class Flights:
    """Requests asked in the same event-loop iteration travel together as one flight: `ask`
    queues a request and returns a future for its answer; at the end of the iteration
    `fly(requests)` sends them all and returns their answers in order (an answer that is an
    exception is raised to its caller alone). When the flight fails as a whole every caller
    hears it; a caller that gave up before the flush is left out. One request alone is sent as
    it is (`fly` sees a list of one), with no timer and no added wait.

    `ask(request, hold=True)` (a write-behind Script) waits up to `hold_seconds` for company
    instead: the next request asked without `hold` takes it along (queued first, so it lands
    first), else the timer sends it. `drain()` sends whatever is held (shutdown).

    The default, `state.write_behind_ms` = 5: long enough for the settles one request makes at
    its end (attempt end, answer sent) and the next request of a sequential client to meet;
    short enough that nothing a client or an operator looks at notices (a held concurrency
    slot is freed first in the next flight, before that flight's own gate). 0: never held."""

    __slots__ = ("_fly", "_pending", "_tasks", "sent", "_soon", "_timer", "hold_seconds")

    def __init__(self, fly: Callable[[list[Any]], Awaitable[list[Any]]], hold_seconds: float = 0.005) -> None:
        self._fly = fly
        self.hold_seconds = hold_seconds
        self._pending: list[tuple[Any, asyncio.Future[Any], bool]] = []  # (request, its answer, held)
        self._tasks: set[asyncio.Task[None]] = set()
        self._soon = False  # a flush at the end of this iteration is scheduled
        self._timer: asyncio.TimerHandle | None = None  # the held writes' deadline
        self.sent = 0  # flights sent (a round trip each)

    def ask(self, request: Any, hold: bool = False) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        self._pending.append((request, fut, hold))
        if not hold or self.hold_seconds <= 0:
            if not self._soon:
                self._soon = True
                loop.call_soon(self._flush)
        elif not self._soon and self._timer is None:
            self._timer = loop.call_later(self.hold_seconds, self._flush)
        return fut

    def _flush(self) -> None:
        self._soon = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, []
        # A caller that gave up leaves its read out; a held write goes whatever became of its
        # caller (a settle dropped because its task was cancelled while held is lost money).
        batch = [(req, fut) for req, fut, held in pending if held or not fut.done()]
        if batch:
            t = asyncio.get_running_loop().create_task(self._flight(batch))
            self._tasks.add(t)
            t.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Send what is held and wait for every flight in the air (before closing the
        connection, so no settle is lost at shutdown)."""
        if self._pending:
            self._flush()
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _flight(self, batch: list[tuple[Any, asyncio.Future[Any]]]) -> None:
        self.sent += 1
        try:
            answers = await self._fly([req for req, _ in batch])
        except BaseException as exc:  # noqa: BLE001 - the flight failed as a whole: every caller hears it
            for _, fut in batch:
                if not fut.done():
                    if isinstance(exc, Exception):
                        fut.set_exception(exc)
                    else:
                        fut.cancel()
            if not isinstance(exc, Exception):
                raise
            return
        for (_, fut), answer in zip(batch, answers):
            if fut.done():
                continue
            if isinstance(answer, Exception):
                fut.set_exception(answer)
            else:
                fut.set_result(answer)
