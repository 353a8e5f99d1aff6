"""Three Bulwark processes on one Redis behave as one: shared limits, budgets, breakers, stats.

`replica_config` and `check_shared_limits_and_budgets` are reused by the Redis Cluster tests
(tests/test_cluster.py): the same three processes, the state on a six-node cluster.
"""
from __future__ import annotations

import asyncio

import aiohttp
import pytest

from tests.helpers import bulwark_processes

ADMIN = "replica-admin-key"


def state_section(redis_url: str, prefix: str, extra: str = "") -> str:
    return f"""[state]
backend = "redis"
redis_url = "{redis_url}"
key_prefix = "{prefix}"
timeout_ms = 2000
{extra}"""


def replica_config(sim: object, state: str) -> str:
    base = sim.base  # type: ignore[attr-defined]
    return f"""
[server]
host = "127.0.0.1"

[[auth.keys]]
name = "shared"
key = "sk-shared"
limits = {{ rpm = 6 }}

[[auth.keys]]
name = "breaker"
key = "sk-breaker"

[[auth.keys]]
name = "spender"
key = "sk-spender"
limits = {{ budget_usd_day = 0.00001 }}

[providers.flaky]
type = "openai"
base_url = "{base}/v1"
headers = {{ "x-sim-fault" = "503" }}

[providers.sim]
type = "openai"
base_url = "{base}/v1"

[models]
default_provider = "sim"

{state}

[chain]
plugins = ["ratelimit", "budgets", "fallback"]

[plugins.ratelimit]
key = {{ rpm = 1000 }}
user = {{ rpm = 1000 }}

[plugins.budgets]
key = {{ day = 100.0 }}

[plugins.fallback]
breaker = {{ min_requests = 3, error_rate = 0.5, cooldown_seconds = 60 }}
retry = {{ max_attempts = 1 }}
[plugins.fallback.chains."flaky-model"]
steps = [{{ provider = "flaky" }}, {{ provider = "sim", model = "gpt-4o-mini" }}]
[plugins.fallback.chains."*"]
steps = [{{ provider = "sim" }}]
"""


@pytest.fixture
async def replicas(sim, redis_url, unique_prefix, tmp_path):
    async with bulwark_processes(replica_config(sim, state_section(redis_url, unique_prefix)), tmp_path,
                                 env={"BULWARK_ADMIN_KEY": ADMIN}) as bases:
        yield bases


def chat(model: str = "gpt-4o-mini") -> dict:
    return {"model": model, "messages": [{"role": "user", "content": "hello replicas"}], "max_tokens": 8}


async def check_shared_limits_and_budgets(replicas: list[str]) -> None:
    async with aiohttp.ClientSession() as s:
        # Limits: rpm 6 for this key across all three processes, 18 requests at once.
        async def one(i: int) -> int:
            async with s.post(f"{replicas[i % 3]}/v1/chat/completions", json=chat(), headers={"Authorization": "Bearer sk-shared"}) as r:
                return r.status
        statuses = await asyncio.gather(*(one(i) for i in range(18)))
        assert statuses.count(200) == 6 and statuses.count(429) == 12, statuses

        # Budgets: a tiny daily budget is spent on one replica and refused on the others.
        spent = []
        for i in range(6):
            async with s.post(f"{replicas[i % 3]}/v1/chat/completions", json=chat(), headers={"Authorization": "Bearer sk-spender"}) as r:
                body = await r.json()
                spent.append(body.get("error", {}).get("code") if r.status != 200 else "ok")
        assert spent[0] == "ok" and "insufficient_quota" in spent[1:], spent
        assert spent.index("insufficient_quota") > 0 and all(x == "insufficient_quota" for x in spent[spent.index("insufficient_quota"):])


async def test_three_replicas_share_limits_and_budgets(replicas, sim):
    await check_shared_limits_and_budgets(replicas)


async def test_breaker_state_is_shared(replicas, sim):
    await check_shared_breakers(replicas, sim)


async def check_shared_breakers(replicas: list[str], sim: object) -> None:
    async with aiohttp.ClientSession() as s:
        h = {"Authorization": "Bearer sk-breaker"}
        # Use the admin API to read breaker state, and traffic through replica 0 to open it.
        for _ in range(3):
            async with s.post(f"{replicas[0]}/v1/chat/completions", json=chat("flaky-model"), headers=h) as r:
                assert r.status == 200  # fell back to sim
        flaky_calls = sum(1 for rec in sim.requests if rec["headers"].get("x-sim-fault") == "503")  # type: ignore[attr-defined]
        for base in replicas[1:]:
            async with s.get(f"{base}/admin/breakers", headers={"Authorization": f"Bearer {ADMIN}"}) as r:
                assert r.status == 200
                state = await r.json()
            assert "open" in str(state), state
            async with s.post(f"{base}/v1/chat/completions", json=chat("flaky-model"), headers=h) as r:
                assert r.status == 200
        # The open breaker was skipped on the other replicas: no new call reached "flaky".
        assert sum(1 for rec in sim.requests if rec["headers"].get("x-sim-fault") == "503") == flaky_calls  # type: ignore[attr-defined]
