"""A Redis reply that was due while this process's event loop was blocked (CPU work on the
loop) is waited for, not counted as a Redis failure: with `fail_open`, a false failure sends
budgets to local state, which knows nothing of the spend in Redis (a cap-edge budget overspent
that way on CI). A Redis that really does not answer still fails within the same bound."""
from __future__ import annotations

import asyncio
import os
import signal
import time
from typing import Any

import pytest

from proxy.state import patience
from proxy.state.redis import RedisState
from proxy.state.base import StateError
from tests.helpers import free_port


async def _blocked_while_reply_is_due(monkeypatch: pytest.MonkeyPatch, op: Any, block_s: float) -> Any:
    """Run `op`; once its reply is awaited (inside the read timeout), block the loop (CPU work)
    for `block_s`, far past the read timeout, then let the loop run once: the deadline has
    passed when the reply is read. Deterministic (a block scheduled after the send raced the
    reply's own arrival)."""
    import redis.asyncio.connection as rc

    read = rc.AbstractConnection._read_response_from_parser
    armed = [True]

    async def block_then_read(self: Any, *a: Any, **kw: Any) -> Any:
        if armed[0]:
            armed[0] = False
            time.sleep(block_s)
            # The loop resumes. A timer (not sleep(0)): expired timers run in timer order before
            # this task wakes, so the read deadline is seen late every time. With sleep(0) the
            # task could run first and read a reply already buffered, so the deadline never came
            # into play (1 run in 3 on a loaded box, and the stall count stayed flat).
            await asyncio.sleep(0.001)
        return await read(self, *a, **kw)

    monkeypatch.setattr(rc.AbstractConnection, "_read_response_from_parser", block_then_read)
    try:
        return await op()
    finally:
        monkeypatch.setattr(rc.AbstractConnection, "_read_response_from_parser", read)


async def test_a_reply_due_while_the_loop_was_blocked_is_read(redis_url: str, unique_prefix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    st = RedisState(redis_url, unique_prefix, timeout_ms=50)
    await st.startup()
    try:
        await st.set("k", b"v")
        stalls = patience.stalls
        # Past the flight's guard (1.1 s at 50 ms), not only the read's own 50 ms: a reply that
        # is already arriving is read without a timer of its own, so the guard is the
        # deadline that comes due late here.
        assert await _blocked_while_reply_is_due(monkeypatch, lambda: st.get("k"), 1.3) == b"v"
        # a plain script too (the budget and rate-limit calls)
        from proxy.state.redis import _INCR
        assert float(await _blocked_while_reply_is_due(monkeypatch, lambda: st.run(_INCR, ["n"], [2, 0]), 1.3)) == 2.0
        assert patience.stalls > stalls
    finally:
        await st.aclose()


async def test_a_stopped_redis_still_fails_fast(tmp_path: Any) -> None:
    """No blocked loop: the deadline comes on time, so the call fails as before (SIGSTOP)."""
    import subprocess

    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        st = RedisState(f"redis://127.0.0.1:{port}/0", "p", timeout_ms=50)
        for _ in range(50):
            try:
                await st.set("k", b"v")
                break
            except StateError:
                await asyncio.sleep(0.1)
        os.kill(proc.pid, signal.SIGSTOP)
        t0 = time.monotonic()
        with pytest.raises(StateError):
            await st.get("k")
        assert time.monotonic() - t0 < 2.0  # bounded (the guard); a hang would be the failure
        os.kill(proc.pid, signal.SIGCONT)
        await st.aclose()
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        proc.terminate()
        proc.wait()


@pytest.mark.parametrize("url,base", [("redis://127.0.0.1:6379/0", "Connection"), ("rediss://127.0.0.1:6380/0", "SSLConnection"),
                                      ("unix:///tmp/redis.sock", "UnixDomainSocketConnection")])
def test_every_url_scheme_gets_patient_reads(url: str, base: str) -> None:
    """The URL picks the connection class (TLS for rediss://, a unix socket): each must read
    patiently, or managed Redis over TLS would still fail open on a blocked loop."""
    import redis.asyncio.connection as rc

    from proxy.state.redis import _PatientReads

    st = RedisState(url, "p", timeout_ms=50)
    cls = st._pool.connection_class
    assert issubclass(cls, _PatientReads) and issubclass(cls, getattr(rc, base))
