"""The patient timeout's own contract (proxy.state.patience), and how often the Redis state
enters one: once per flight and per read, not once more per command riding in the flight
(a dozen per request on the Redis chain, each a Timeout, a timer and two event-loop lookups)."""
from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from proxy.state import patience
from proxy.state.patience import patient_timeout
from proxy.state.redis import RedisState


async def test_a_deadline_met_on_time_raises_timeout_error() -> None:
    t0 = time.monotonic()
    with pytest.raises(TimeoutError):
        async with patient_timeout(0.05):
            await asyncio.sleep(5)
    assert time.monotonic() - t0 < 1.0


async def test_a_body_that_finishes_in_time_is_untouched() -> None:
    async with patient_timeout(1.0):
        await asyncio.sleep(0.01)
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0


async def test_a_cancel_from_outside_stays_a_cancel() -> None:
    """The caller's own cancellation (a client hang-up) must not turn into a TimeoutError,
    which would be counted as a state failure."""
    async def body() -> None:
        async with patient_timeout(5.0):
            await asyncio.sleep(5)

    task = asyncio.ensure_future(body())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_an_outside_cancel_racing_the_deadline_stays_a_cancel() -> None:
    """Both fired before the body resumed: the outer cancel wins, as with asyncio.timeout."""
    async def body() -> None:
        async with patient_timeout(0.02):
            time.sleep(0.03)  # past the deadline, on time (not starved: under STARVED_SECONDS late)
            asyncio.current_task().cancel()  # type: ignore[union-attr]
            await asyncio.sleep(5)

    with pytest.raises(asyncio.CancelledError):
        await asyncio.ensure_future(body())


async def test_nested_timeouts_each_raise_their_own() -> None:
    async with patient_timeout(5.0):
        with pytest.raises(TimeoutError):
            async with patient_timeout(0.02):
                await asyncio.sleep(5)
        await asyncio.sleep(0.01)  # the outer one is still armed and did not fire


async def test_a_deadline_seen_late_because_the_loop_was_blocked_is_extended() -> None:
    stalls = patience.stalls
    async with patient_timeout(0.02):
        time.sleep(0.2)  # the loop is blocked far past the deadline
        await asyncio.sleep(0.005)  # the reply "arrives" right after the loop resumes
    assert patience.stalls == stalls + 1


async def test_commands_in_one_flight_share_one_patient_timeout(redis_url: str, unique_prefix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import proxy.state.redis as redis_state

    entered: list[float] = []

    def counting(budget: float) -> Any:
        entered.append(budget)
        return patient_timeout(budget)

    st = RedisState(redis_url, unique_prefix, timeout_ms=200)
    await st.startup()
    try:
        await st.set("k", b"v")
        monkeypatch.setattr(redis_state, "patient_timeout", counting)
        before = st.round_trips
        got = await asyncio.gather(*(st.get("k") for _ in range(5)))
        assert got == [b"v"] * 5 and st.round_trips == before + 1  # one flight
        # the flight's guard and its one read; the five commands waiting on it add none
        assert len(entered) <= 2, entered
        # scripts (every budget and rate-limit call) likewise
        from proxy.state.redis import _INCR
        entered.clear()
        await asyncio.gather(*(st.run(_INCR, [f"n{i}"], [1, 0]) for i in range(4)))
        assert len(entered) <= 2, entered
    finally:
        await st.aclose()
