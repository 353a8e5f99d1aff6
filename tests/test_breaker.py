"""Circuit breakers (memory and Redis backends, same cases) and the retry policy."""
from __future__ import annotations

import random
from typing import Any, AsyncIterator

import pytest

from plugins.fallback.breaker import CLOSED, HALF_OPEN, OPEN, BreakerConfig, Breakers
from plugins.fallback.retry import RetryPolicy, retry_after_seconds
from proxy.state.memory import MemoryState

CFG = BreakerConfig(window_seconds=10, buckets=10, min_requests=4, error_rate=0.5, cooldown_seconds=5, half_open_probes=1, close_after=2)


class Gauges:
    def __init__(self) -> None:
        self.values: dict[str, float] = {}

    def set(self, name: str, value: float, **labels: Any) -> None:
        assert name == "bulwark_breaker_state"
        self.values[labels["provider"]] = value

    def inc(self, name: str, amount: float = 1.0, **labels: Any) -> None:
        self.values[f"{name}:{labels.get('op')}"] = self.values.get(f"{name}:{labels.get('op')}", 0) + amount


@pytest.fixture(params=["memory", "redis"])
async def state(request: pytest.FixtureRequest, redis_url: str, unique_prefix: str) -> AsyncIterator[Any]:
    if request.param == "memory":
        yield MemoryState()
        return
    from proxy.state.redis import RedisState

    st = RedisState(redis_url, unique_prefix, 500)
    try:
        yield st
    finally:
        await st.delete(Breakers.key("p"))
        await st.aclose()


async def test_opens_on_error_rate_after_min_volume(state: Any) -> None:
    g = Gauges()
    b = Breakers(CFG, state, g)
    t = 1000.0
    assert await b.record("p", False, now=t) == CLOSED
    assert await b.record("p", False, now=t) == CLOSED  # 2 of 2 failed, but under min_requests
    assert await b.record("p", True, now=t) == CLOSED
    assert await b.allow("p", now=t) == (True, False)
    assert await b.record("p", False, now=t + 0.5) == OPEN  # 3 of 4 failed
    assert await b.allow("p", now=t + 1) == (False, False)
    assert g.values["p"] == OPEN
    assert await b.status("p", now=t + 1) == {"state": "open", "opened_at": t + 0.5, "probe_in_seconds": 4.5}
    await b.reset("p")
    assert (await b.status("p"))["state"] == "closed" and await b.allow("p", now=t + 1) == (True, False)


async def test_low_error_rate_stays_closed_and_old_buckets_expire(state: Any) -> None:
    b = Breakers(CFG, state)
    t = 2000.0
    for _ in range(3):
        await b.record("p", False, now=t)
    # 11 s later the three failures left the 10 s window: 1 failure of 4 now
    for ok in (True, True, True, False):
        st = await b.record("p", ok, now=t + 11)
    assert st == CLOSED
    assert await b.allow("p", now=t + 11) == (True, False)


async def test_half_open_probes_then_close(state: Any) -> None:
    g = Gauges()
    b = Breakers(CFG, state, g)
    t = 3000.0
    for _ in range(4):
        await b.record("p", False, now=t)
    assert await b.allow("p", now=t + 4.9) == (False, False)
    assert await b.allow("p", now=t + 5.1) == (True, True)  # the one probe
    assert g.values["p"] == HALF_OPEN
    assert await b.allow("p", now=t + 5.2) == (False, False)  # probe slot taken
    assert await b.record("p", True, probe=True, now=t + 5.3) == HALF_OPEN  # close_after = 2
    assert await b.allow("p", now=t + 5.4) == (True, True)
    assert await b.record("p", True, probe=True, now=t + 5.5) == CLOSED
    assert await b.allow("p", now=t + 5.6) == (True, False)
    assert g.values["p"] == CLOSED


async def test_failed_probe_reopens(state: Any) -> None:
    b = Breakers(CFG, state)
    t = 4000.0
    for _ in range(4):
        await b.record("p", False, now=t)
    assert await b.allow("p", now=t + 6) == (True, True)
    assert await b.record("p", False, probe=True, now=t + 6.1) == OPEN
    assert await b.allow("p", now=t + 6.2) == (False, False)  # a fresh cool-down started
    assert await b.allow("p", now=t + 11.2) == (True, True)


async def test_stale_probe_slot_is_reclaimed(state: Any) -> None:
    b = Breakers(CFG, state)
    t = 5000.0
    for _ in range(4):
        await b.record("p", False, now=t)
    assert await b.allow("p", now=t + 6) == (True, True)  # this probe never reports back
    assert await b.allow("p", now=t + 8) == (False, False)
    assert await b.allow("p", now=t + 11.5) == (True, True)


async def test_state_failure_fails_open() -> None:
    class Broken(MemoryState):
        async def run(self, script: Any, keys: list[str], args: list[Any]) -> Any:
            raise ConnectionError("redis down")

    g = Gauges()
    b = Breakers(CFG, Broken(), g)
    assert await b.allow("p") == (True, False)
    assert await b.record("p", False) == CLOSED
    assert g.values["bulwark_redis_errors_total:breaker_allow"] == 1


def test_disabled_breaker_always_allows() -> None:
    import asyncio

    b = Breakers(BreakerConfig(enabled=False), MemoryState())
    assert asyncio.run(b.allow("p")) == (True, False)


# -- retry ---------------------------------------------------------------------------------------
def test_full_jitter_bounds() -> None:
    p = RetryPolicy(max_attempts=5, base_delay=0.5, max_delay=2.0, budget_seconds=100)
    rng = random.Random(7)
    for attempt, cap in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 2.0)):
        delays = [p.next_delay(attempt, None, 0.0, rng) for _ in range(200)]
        assert all(d is not None and 0 <= d <= cap for d in delays)
        assert max(d for d in delays if d is not None) > cap * 0.8  # spread over the whole range
    assert p.next_delay(5, None, 0.0) is None  # attempts spent


def test_retry_after_honoured_up_to_bound_and_budget() -> None:
    p = RetryPolicy(max_attempts=3, max_retry_after=5, budget_seconds=10)
    assert p.next_delay(1, 2.5, 0.0) == 2.5
    assert p.next_delay(1, 6.0, 0.0) is None  # asks for too long: move on instead
    assert p.next_delay(1, 2.5, 8.0) is None  # would overrun the step's budget


def test_retry_after_header_forms() -> None:
    assert retry_after_seconds({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after_seconds({"retry-after": "3"}) == 3.0
    assert retry_after_seconds({"retry-after": "Thu, 01 Jan 2026 00:00:10 GMT"}, now=1767225600.0) == 10.0
    assert retry_after_seconds({}) is None and retry_after_seconds({"retry-after": "soon"}) is None
