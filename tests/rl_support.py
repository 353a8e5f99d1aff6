"""Shared helpers for the state / rate-limit tests: backends and a private redis-server."""
from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
import uuid
from typing import Any, AsyncIterator

import pytest

from proxy.state.memory import MemoryState
from proxy.state.redis import RedisState

REDIS = "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prefix() -> str:
    return f"bulwark-test-{uuid.uuid4().hex[:12]}"


async def make_backend(kind: str, tmp_path: Any, pfx: str | None = None) -> Any:
    if kind == "memory":
        return MemoryState(data_dir=tmp_path)
    st = RedisState(REDIS, pfx or prefix(), timeout_ms=3000)  # the test machine is shared and loaded
    if not await st.ping():
        pytest.fail("These tests need Redis at 127.0.0.1:6379: redis-server --daemonize yes --save '' --appendonly no")
    return st


async def cleanup_redis(st: Any) -> None:
    """Delete the keys this test created (its own prefix only; never FLUSHDB)."""
    if isinstance(st, RedisState):
        try:
            keys = [k async for k in st._r.scan_iter(match="{" + st.prefix + "*", count=1000)]
            if keys:
                await st._r.delete(*keys)
        finally:
            await st.aclose()


class OwnRedis:
    """A private redis-server on a free port (so a test can stop it without touching 6379)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None


async def own_redis() -> AsyncIterator[OwnRedis]:
    r = OwnRedis()
    await asyncio.to_thread(r.start)
    try:
        yield r
    finally:
        r.stop()
