"""Bulwark's state on a real six-node Redis Cluster (`state.cluster = true`).

Three `bulwark serve` processes on one cluster keep limits, budgets and breakers exact (the
checks of tests/test_replicas.py, now with the keys spread over three primaries); the
backend's scripts, journals and scans work across slots; and when a primary dies its replica
takes over and Bulwark follows the new slot map.
"""
from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import redis.asyncio as aioredis

from proxy.config import parse_config
from proxy.keys import hash_key, key_id_for
from proxy.state.factory import create_state
from proxy.state.redis import RedisState
from tests.helpers import bulwark_processes
from tests.rl_support import OwnCluster, running
from tests.test_replicas import ADMIN, check_shared_breakers, check_shared_limits_and_budgets, replica_config, state_section


@pytest.fixture(scope="module")
def cluster() -> Iterator[OwnCluster]:
    with running(OwnCluster()) as c:
        yield c


def cluster_state(c: OwnCluster, prefix: str) -> RedisState:
    return RedisState(c.url, prefix, timeout_ms=3000, cluster=True, cluster_nodes=c.seeds)


async def primary_of(st: RedisState, rel: str) -> int:
    return st._r.get_node_from_key(st.k(rel)).port


async def test_the_state_backend_spreads_keys_over_the_primaries(cluster: OwnCluster, unique_prefix: str) -> None:
    st = cluster_state(cluster, unique_prefix)
    await st.startup()
    try:
        keys = [f"{{k_{i:02d}}}:n" for i in range(24)]  # 24 clients' counters
        for k in keys:
            assert await st.incr(k, 2.5, ttl=60) == 2.5  # a Lua script, run on the key's own slot
        assert len({await primary_of(st, k) for k in keys}) == 3  # spread, not one hot slot
        await st.set("plain", b"v", ttl=60)
        j = st.journal("tickets")
        rid = await j.append({"message": "hi"})
        assert (await j.get(rid))["message"] == "hi" and await j.update(rid, {"status": "resolved"})
        assert {"plain", "journal:tickets"} <= set(await st.scan("*"))
        await st.delete(*keys, "plain")  # keys in many slots in one call
        assert await st.get(keys[0]) is None and await st.ping()
    finally:
        await _drop(st)


async def test_config_builds_a_cluster_backend(cluster: OwnCluster, unique_prefix: str) -> None:
    cfg = parse_config({"providers": {"sim": {"type": "openai", "base_url": "http://127.0.0.1:9/v1"}},
                        "state": {"backend": "redis", "cluster": True, "redis_url": cluster.url,
                                  "cluster_nodes": cluster.seeds, "key_prefix": unique_prefix}})
    st = create_state(cfg.state)
    await st.startup()
    try:
        assert st.primary.topology == "cluster" and await st.ping()  # type: ignore[attr-defined]
        assert await st.incr("{k_x}:n", 1, ttl=60) == 1
    finally:
        await _drop(st.primary)  # type: ignore[attr-defined]


@pytest.fixture
async def spread_prefix(cluster: OwnCluster) -> str:
    """A key prefix under which the two test clients' keys live on different primaries (the
    slot of a key includes the prefix), so the replica test below spans nodes."""
    probe = cluster_state(cluster, "probe")
    await probe.startup()
    shared, spender = (key_id_for(hash_key(k)) for k in ("sk-shared", "sk-spender"))
    try:
        for _ in range(100):
            pfx = f"bulwark-test-{uuid.uuid4().hex[:12]}"
            probe.prefix = pfx
            if await primary_of(probe, "{" + shared + "}:rl") != await primary_of(probe, "{" + spender + "}:bud"):
                return pfx
        raise AssertionError("no prefix spreads the two clients over two primaries")
    finally:
        await probe.aclose()


@pytest.fixture
async def cluster_replicas(sim: Any, cluster: OwnCluster, spread_prefix: str, tmp_path: Path) -> Any:
    seeds = ", ".join(f'"{s}"' for s in cluster.seeds)
    state = state_section(cluster.url, spread_prefix, f"cluster = true\ncluster_nodes = [{seeds}]\n")
    async with bulwark_processes(replica_config(sim, state), tmp_path, env={"BULWARK_ADMIN_KEY": ADMIN}) as bases:
        yield bases
    await _drop(cluster_state(cluster, spread_prefix))


async def test_three_processes_on_the_cluster_share_exact_limits_budgets_and_breakers(
        cluster_replicas: list[str], sim: Any) -> None:
    await check_shared_limits_and_budgets(cluster_replicas)
    await check_shared_breakers(cluster_replicas, sim)


async def test_a_primary_dies_and_bulwark_follows_its_replica(cluster: OwnCluster, unique_prefix: str) -> None:
    """Last in this module: it leaves the cluster with one primary less (its replica promoted)."""
    st = cluster_state(cluster, unique_prefix)
    await st.startup()
    try:
        key = "{k_failover}:n"
        assert await st.incr(key, 1, ttl=600) == 1
        victim = await primary_of(st, key)
        await _in_sync(cluster)
        cluster.procs[cluster.ports.index(victim)].kill()
        deadline = time.monotonic() + 60
        while True:  # errors (StateError) until the replica is promoted, then the count goes on
            try:
                value = await st.incr(key, 1, ttl=600)
                break
            except Exception:  # noqa: BLE001 - the outage the failure policy would cover
                assert time.monotonic() < deadline, "no failover within 60 s"
                await asyncio.sleep(0.3)
        assert value == 2  # the replica had the write: nothing lost, nothing counted twice
        assert await primary_of(st, key) != victim
    finally:
        await _drop(st)


async def _in_sync(c: OwnCluster) -> None:
    """Wait until every replica has acknowledged everything its primary wrote."""
    for port in c.ports:
        r = aioredis.Redis(port=port, socket_timeout=5)
        try:
            info = await r.info("replication")
            if info.get("role") == "master" and info.get("connected_slaves"):
                await r.execute_command("WAIT", 1, 5000)
        finally:
            await r.aclose()


async def _drop(st: RedisState) -> None:
    """Delete this test's keys (its prefix only) on every primary, then close."""
    try:
        keys = [k async for k in st._r.scan_iter(match="{" + st.prefix + "*", count=1000)]
        if keys:
            await st._r.delete(*keys)
    except Exception:  # noqa: BLE001 - a node the failover test killed: its keys went with it
        pass
    finally:
        await st.aclose()
