"""Round trips to Redis per request through the shipped chain (issue 20: "at most 2 round trips
to Redis per request on the hot path").

Counted on the real client (`RedisState.round_trips`, a pipeline counts once) and, flight by
flight, which scripts travelled together. What must hold:
- before the answer, the rate-limit gate and the fallback's breaker read share one flight
  (the breaker read is started by `Plugin.prefetch` before the chain runs), then the budget
  reservation: two flights;
- after the answer, the settles (rate-limit slot and tokens, budget spend, breaker outcome) are
  write-behind: they share one flight, or ride along with the next request's first flight.
"""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import openai_client, start_proxy
from tests.shipped import redis_state, shipped_config

KEY = {"name": "rt", "key": "sk-roundtrips", "tier": "trusted",
       "limits": {"rpm": 100_000, "tpm": 100_000_000, "max_concurrent": 500, "user_rpm": 100_000, "user_tpm": 100_000_000,
                  "user_max_concurrent": 500, "budget_usd_day": 100.0}}


class Flights:
    """Record each flight the Redis client sends: the names of the scripts (and commands) in it."""

    def __init__(self, redis_state: Any) -> None:
        self.st, self.flights = redis_state, []
        names = {}
        batching = redis_state._flights  # proxy.state.base.Flights: what one flight sends
        fly = batching._fly

        async def recording(cmds: list[tuple[Any, ...]]) -> list[Any]:
            names.update({sha: name for name, sha in redis_state._shas.items()})
            self.flights.append([names.get(c[1], str(c[1])) if c[0] in ("EVALSHA", "EVAL") else c[0] for c in cmds])
            return await fly(cmds)

        batching._fly = recording


async def _proxy(sim: Any, tmp_path: Path, redis_url: str, prefix: str, hold_ms: float | None = None) -> tuple[Any, Any]:
    cfg = shipped_config(sim, tmp_path, keys=[KEY], telemetry={"stats": {"flush_seconds": 60}}, **redis_state(redis_url, prefix))
    if hold_ms is not None:
        cfg["state"]["write_behind_ms"] = hold_ms
    proxy = await start_proxy(cfg)
    primary = proxy.services.state.primary
    assert type(primary).__name__ == "RedisState"
    return proxy, primary


async def _ask(client: Any, i: int) -> None:
    r = await client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": f"Say hello, request {i}."}])
    assert r.choices[0].message.content


async def test_sequential_requests_take_two_flights(sim: Any, tmp_path: Path, redis_url: str, unique_prefix: str) -> None:
    # The hold is raised from the shipped 5 ms so that a loaded box's slow client still sends
    # its next request while the settles wait: what is tested is where they go, not the clock.
    proxy, primary = await _proxy(sim, tmp_path, redis_url, unique_prefix, hold_ms=100)
    try:
        client = openai_client(proxy.url, key=KEY["key"])
        for i in range(3):  # scripts loaded, connections open
            await _ask(client, i)
        await asyncio.sleep(0.1)
        rec = Flights(primary)
        before, n = primary.round_trips, 20
        for i in range(n):
            await _ask(client, 100 + i)
        await asyncio.sleep(0.3)  # the last request's settles go when their hold ends
        # It was 5: gate, breaker ALLOW, reservation, breaker record + budget settle, rate-limit
        # settle. Now: gate + breaker read (+ the previous request's settles), reservation,
        # and the last request's settles on their own.
        # (a stall of more than the hold between two requests on a loaded box sends one
        # request's settles alone: allowed twice)
        assert 2 * n + 1 <= primary.round_trips - before <= 2 * n + 3, rec.flights
        gates = [f for f in rec.flights if "bulwark_gate" in f]
        assert len(gates) == n and all("breaker_status" in f for f in gates), rec.flights
        assert not [f for f in rec.flights if "breaker_allow" in f], "a closed breaker is read, not scripted"
        # every request's three settles travel together, before the next request's gate
        rode = [f for f in gates[1:] if f[:3] and set(f[:3]) == {"bulwark_settle", "bulwark_budget_settle", "breaker_record"}]
        assert len(rode) >= n - 3, rec.flights
        assert set(rec.flights[-1]) == {"bulwark_settle", "bulwark_budget_settle", "breaker_record"}, rec.flights
    finally:
        await proxy.aclose()


async def test_concurrent_requests_share_flights(sim: Any, tmp_path: Path, redis_url: str, unique_prefix: str) -> None:
    proxy, primary = await _proxy(sim, tmp_path, redis_url, unique_prefix)
    try:
        client = openai_client(proxy.url, key=KEY["key"])
        await asyncio.gather(*(_ask(client, i) for i in range(4)))
        await asyncio.sleep(0.1)
        before, n = primary.round_trips, 64
        sem = asyncio.Semaphore(16)

        async def one(i: int) -> None:
            async with sem:
                await _ask(client, 1000 + i)

        await asyncio.gather(*(one(i) for i in range(n)))
        await asyncio.sleep(0.1)
        # 16 at a time: the flights of concurrent requests are shared (0.8 per request here)
        assert (primary.round_trips - before) / n <= 1.5
    finally:
        await proxy.aclose()


@pytest.mark.parametrize("breaker_state", ["open", "half_open"])
async def test_a_breaker_that_is_not_closed_still_decides_through_its_script(
        sim: Any, tmp_path: Path, redis_url: str, unique_prefix: str, breaker_state: str) -> None:
    """The prefetched read only short-cuts a closed breaker; open and half-open ones run ALLOW
    (cool-down, probe slots) exactly as before."""
    proxy, primary = await _proxy(sim, tmp_path, redis_url, unique_prefix)
    try:
        client = openai_client(proxy.url, key=KEY["key"])
        await _ask(client, 0)
        fallback = next(p for p in proxy.state.current.plugins if p.name == "fallback")
        provider = fallback.config.chains["*"].steps[0].provider
        st = 2 if breaker_state == "open" else 1
        await primary._r.hset(primary.k(fallback.breakers.key(provider)), mapping={"st": st, "op": 10**10, "pr": 5, "ps": 10**10})
        rec = Flights(primary)
        r = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello there."}])
        assert any("breaker_allow" in f for f in rec.flights), rec.flights
        # the provider was skipped: the next step of the "*" chain answered
        assert r.headers.get("x-bulwark-provider") != provider
    finally:
        await proxy.aclose()


async def test_held_settles_are_sent_at_shutdown(sim: Any, tmp_path: Path, redis_url: str, unique_prefix: str) -> None:
    proxy, primary = await _proxy(sim, tmp_path, redis_url, unique_prefix, hold_ms=100)
    closed = False
    try:
        client = openai_client(proxy.url, key=KEY["key"])
        await _ask(client, 0)
        await asyncio.sleep(0.02)  # the settles are asked and held (for up to 100 ms)
        held = [entry[1] for entry in primary._flights._pending]
        assert held, "the settles should be waiting for company"
        await proxy.aclose()
        closed = True
        assert not primary._flights._pending
        assert all(f.done() and not f.cancelled() and f.exception() is None for f in held)
    finally:
        if not closed:
            await proxy.aclose()


async def test_key_and_team_budgets_are_reserved_in_one_flight(sim: Any, tmp_path: Path, redis_url: str, unique_prefix: str) -> None:
    """The key's and its team's budgets live in different hash slots (two scripts): they still
    share one flight, so a team key pays no extra round trip before its answer."""
    cfg = shipped_config(sim, tmp_path, keys=[{**KEY, "team": "growth"}], telemetry={"stats": {"flush_seconds": 60}},
                         **redis_state(redis_url, unique_prefix))
    proxy = await start_proxy(cfg)
    try:
        primary = proxy.services.state.primary
        client = openai_client(proxy.url, key=KEY["key"])
        await _ask(client, 0)
        rec = Flights(primary)
        await _ask(client, 1)
        reserves = [f for f in rec.flights if "bulwark_budget_reserve" in f]
        assert len(reserves) == 1 and reserves[0].count("bulwark_budget_reserve") == 2, rec.flights
    finally:
        await proxy.aclose()


async def test_a_cacheable_request_looks_up_its_entry_in_the_gate_flight(sim: Any, tmp_path: Path, redis_url: str, unique_prefix: str) -> None:
    """The cache's GET is started before the chain (Cache.prefetch): a miss costs no round trip
    of its own, and a hit is answered after one flight (gate + breaker read + GET)."""
    proxy, primary = await _proxy(sim, tmp_path, redis_url, unique_prefix)
    try:
        client = openai_client(proxy.url, key=KEY["key"])
        await _ask(client, 0)
        await asyncio.sleep(0.05)
        msgs = [{"role": "user", "content": f"What is the capital of France? {unique_prefix}"}]
        rec = Flights(primary)
        miss = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=msgs, temperature=0)
        assert miss.headers["x-bulwark-cache"] == "miss"
        first = next(f for f in rec.flights if "bulwark_gate" in f)
        assert "GET" in first and "breaker_status" in first, rec.flights
        assert sum(f.count("GET") for f in rec.flights) == 1, rec.flights
        await asyncio.sleep(0.1)  # stored
        rec.flights.clear()
        hit = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=msgs, temperature=0)
        assert hit.headers["x-bulwark-cache"] == "hit"
        before_answer = [f for f in rec.flights if "bulwark_gate" in f or "GET" in f or "bulwark_budget_reserve" in f]
        assert len(before_answer) == 1 and "GET" in before_answer[0], rec.flights
    finally:
        await proxy.aclose()


async def test_a_held_write_is_sent_even_when_its_caller_gave_up() -> None:
    """A settle held for company whose awaiting task is cancelled meanwhile must still go
    (dropping it would lose spend); a read whose caller gave up is left out, as before."""
    from proxy.state.base import Flights as Batching

    sent: list[str] = []

    async def fly(reqs: list[str]) -> list[str]:
        sent.extend(reqs)
        return reqs

    f = Batching(fly, hold_seconds=0.05)
    f.ask("settle", hold=True).cancel()
    f.ask("read").cancel()
    kept = f.ask("read 2")
    assert await kept == "read 2"
    assert sent == ["settle", "read 2"]
