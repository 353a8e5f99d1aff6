"""One in-memory state for all the workers of `bulwark serve --workers N` (no Redis needed).

Each worker process with its own `MemoryState` would give every worker its own rate limits
and budgets (N x the limit). Instead the supervisor runs one `StateServer` (a `MemoryState`
behind a Unix socket, in a thread of the supervisor process) and every worker uses a
`SharedState` client: the same operations, the same Scripts (their Python side, looked up by
name: every Script registers itself in `proxy.state.base.SCRIPTS`), one truth for the whole
process group. Redis is still the answer for several machines; this is for one.

Wire format: a frame is a 4-byte big-endian length and an orjson document. A request is
`[op, ...args]`, an answer `[true, value]` or `[false, message]`; bytes travel base64-encoded
under `{"$b": ...}`. Operations a worker asks for in the same event-loop iteration (one
request's settles, or many requests under load) travel as one `["batch", [request, ...]]`
frame, answered by `[true, [answer, ...]]`: one round trip and one wake-up of the server for
all of them, each still run on its own, in order.
"""
from __future__ import annotations

import asyncio
import base64
import logging
import os
import struct
import threading
from typing import Any

import orjson

from .base import SCRIPTS, Flights, Journal, Script, StateBackend, StateError
from .patience import patient_timeout
from .memory import MemoryState

log = logging.getLogger("bulwark.state")

ENV = "BULWARK_SHARED_STATE"  # the socket path a supervisor hands its workers
_LEN = struct.Struct(">I")
_MAX_FRAME = 64 * 1024 * 1024


def _b(v: bytes | None) -> Any:
    return None if v is None else {"$b": base64.b64encode(v).decode()}


def _unb(v: Any) -> Any:
    return base64.b64decode(v["$b"]) if isinstance(v, dict) and "$b" in v else v


async def _read(reader: asyncio.StreamReader) -> Any:
    head = await reader.readexactly(_LEN.size)
    (n,) = _LEN.unpack(head)
    if n > _MAX_FRAME:
        raise StateError(f"shared state frame of {n} bytes is too large")
    return orjson.loads(await reader.readexactly(n))


def _frame(obj: Any) -> bytes:
    data = orjson.dumps(obj)
    return _LEN.pack(len(data)) + data


class StateServer:
    """A MemoryState served on a Unix socket from its own thread and event loop."""

    def __init__(self, path: str, state: MemoryState) -> None:
        self.path = path
        self.state = state
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._server: asyncio.AbstractServer | None = None

    # -- lifecycle (called from the supervisor's main thread) -----------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="bulwark-shared-state", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the shared state server did not start")

    def stop(self) -> None:
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def _run(self) -> None:
        try:
            import uvloop

            loop = self._loop = uvloop.new_event_loop()
        except ImportError:
            loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            os.unlink(self.path)
        except OSError:
            pass
        self._server = loop.run_until_complete(asyncio.start_unix_server(self._client, self.path))
        os.chmod(self.path, 0o600)  # the workers run as the same user; nobody else may touch limits
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            loop.run_until_complete(self.state.aclose())
            loop.close()

    # -- serving ---------------------------------------------------------------------------
    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    req = await _read(reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                writer.write(_frame(await self._answer(req)))
                await writer.drain()
        finally:
            writer.close()

    async def _answer(self, req: list[Any]) -> list[Any]:
        try:
            return [True, await self._op(req)]
        except Exception as exc:  # noqa: BLE001 - an op's failure goes back to the worker
            return [False, f"{type(exc).__name__}: {exc}"]

    async def _op(self, req: list[Any]) -> Any:
        op, *a = req
        st = self.state
        if op == "batch":
            return [await self._answer(r) for r in a[0]]
        if op == "get":
            return _b(await st.get(a[0]))
        if op == "set":
            return await st.set(a[0], _unb(a[1]), a[2])
        if op == "delete":
            return await st.delete(*a)
        if op == "incr":
            return await st.incr(a[0], a[1], a[2])
        if op == "run":
            script = SCRIPTS.get(a[0])
            if script is None:
                raise KeyError(f"no script named {a[0]!r} is loaded in the shared state server")
            return await st.run(script, a[1], [_unb(x) for x in a[2]])
        if op == "scan":
            return await st.scan(a[0], a[1])
        if op == "ping":
            return True
        if op.startswith("j."):
            j = st.journal(a[0])
            fn = op[2:]
            if fn in ("append", "get", "list", "update", "count"):
                return await getattr(j, fn)(*a[1:])
        raise KeyError(f"unknown shared state operation {op!r}")


class SharedState(StateBackend):
    """A worker's view of the supervisor's StateServer (same semantics as MemoryState)."""

    name = "shared-memory"
    batches = True

    def __init__(self, path: str, pool: int = 8, timeout: float = 2.0, hold_seconds: float = 0.005) -> None:
        self.path = path
        self.timeout = timeout
        self._size = pool
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._journals: dict[str, SharedJournal] = {}
        self._flights = Flights(self._fly, hold_seconds)

    @property
    def round_trips(self) -> int:
        """Frames sent to the state server (a batch counts once)."""
        return self._flights.sent

    async def call(self, *req: Any, hold: bool = False) -> Any:
        """One operation; those asked in the same loop iteration share one frame (see above);
        `hold`: a write-behind Script's, which may wait a few ms for company (see Flights)."""
        ok, value = await self._flights.ask(list(req), hold)
        if not ok:
            raise StateError(f"shared state: {value}")
        return value

    async def _fly(self, reqs: list[list[Any]]) -> list[Any]:
        if len(reqs) == 1:
            return [await self._send(reqs[0])]
        ok, answers = await self._send(["batch", reqs])
        if not ok:
            raise StateError(f"shared state: {answers}")
        return list(answers)

    async def _send(self, req: list[Any]) -> Any:
        conn = self._idle.pop() if self._idle else None
        try:
            if conn is None:
                conn = await asyncio.wait_for(asyncio.open_unix_connection(self.path), self.timeout)
            reader, writer = conn
            writer.write(_frame(req))
            async with patient_timeout(self.timeout):  # a reply due while our loop was blocked is still read
                await writer.drain()
                ok, value = await _read(reader)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, orjson.JSONDecodeError) as exc:
            if conn is not None:
                conn[1].close()
            raise StateError(f"the shared state server at {self.path} did not answer ({type(exc).__name__})") from None
        except BaseException:
            if conn is not None:  # cancelled mid-frame: the connection's stream position is unknown
                conn[1].close()
            raise
        if len(self._idle) < self._size:
            self._idle.append(conn)
        else:
            conn[1].close()
        return [ok, value]

    async def get(self, key: str) -> bytes | None:
        return _unb(await self.call("get", key))

    async def set(self, key: str, value: bytes, ttl: float | None = None, *, write_behind: bool = False) -> None:
        await self.call("set", key, _b(value), ttl, hold=write_behind)

    async def delete(self, *keys: str) -> None:
        await self.call("delete", *keys)

    async def incr(self, key: str, amount: float = 1.0, ttl: float | None = None) -> float:
        return float(await self.call("incr", key, amount, ttl))

    async def run(self, script: Script, keys: list[str], args: list[Any]) -> Any:
        return await self.call("run", script.name, keys, [_b(x) if isinstance(x, bytes) else x for x in args], hold=script.write_behind)

    async def scan(self, pattern: str, limit: int = 10_000) -> list[str]:
        return list(await self.call("scan", pattern, limit))

    def journal(self, name: str) -> Journal:
        j = self._journals.get(name)
        if j is None:
            j = self._journals[name] = SharedJournal(self, name)
        return j

    async def ping(self) -> bool:
        try:
            return bool(await self.call("ping"))
        except StateError:
            return False

    async def aclose(self) -> None:
        await self._flights.drain()  # held settles go out before the connections close
        while self._idle:
            self._idle.pop()[1].close()


class SharedJournal(Journal):
    def __init__(self, state: SharedState, name: str) -> None:
        self.state, self.name = state, name

    async def append(self, record: dict[str, Any]) -> str:
        rid = await self.state.call("j.append", self.name, record)
        record["id"] = rid
        return rid

    async def get(self, record_id: str) -> dict[str, Any] | None:
        return await self.state.call("j.get", self.name, record_id)

    async def list(self, limit: int = 100, status: str | None = None) -> list[dict[str, Any]]:
        return await self.state.call("j.list", self.name, limit, status)

    async def update(self, record_id: str, fields: dict[str, Any]) -> bool:
        return bool(await self.state.call("j.update", self.name, record_id, fields))

    async def count(self, status: str | None = None) -> int:
        return int(await self.state.call("j.count", self.name, status))
