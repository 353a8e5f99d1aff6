"""The limit and budget Scripts themselves, on the memory backend and the real Redis with the
same cases (simulated clocks, so window edges are exact and nothing sleeps)."""
from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
import pytest

from plugins.budgets.scripts import BUDGET_RESERVE, BUDGET_SETTLE, alerts_of
from plugins.ratelimit.gcra import GATE, SETTLE, TOKENS, go_duration
from proxy.state.lua import decode
from proxy.state.redis import RedisState
from tests.rl_support import REDIS, cleanup_redis, make_backend, prefix

MULTS = {"standard": 1.0, "new": 0.5, "trusted": 2.0, "suspicious": 0.25}
KEYS = ["{k}:ab", "{k}:rl", "{k}:unused", "{k}:rl:c", "{k}:ab:u:u1", "{k}:rl:u:u1"]


@pytest.fixture(params=["memory", "redis"])
async def st(request: Any, tmp_path: Any) -> Any:
    s = await make_backend(request.param, tmp_path)
    yield s
    await cleanup_redis(s)


def gate(now: float, *, rpm: int = 0, tpm: int = 0, conc: int = 0, cost: int = 1, tier: str = "standard",
         lease: str = "l", user: list[Any] | None = None, user_rpm: int = 0, window: float = 60.0) -> list[Any]:
    P: dict[str, Any] = {"now": now, "tier": tier, "mults": MULTS, "window": window, "cost": cost,
                         "lease": lease, "lease_exp": now + 30, "dims": [[2, rpm, tpm, 4, conc]]}
    if user is not None:
        P["user"] = [*user, 86400]
        P["dims"].append([6, user_rpm, 0, 4, 0])
    return [orjson.dumps(P)]


async def run_gate(st: Any, now: float, **kw: Any) -> dict[str, Any]:
    return decode(await st.run(GATE, KEYS, gate(now, **kw)))


async def settle(st: Any, now: float, *, tpm: int = 0, delta: float = 0, lease: str = "l", conc: bool = False) -> None:
    P = {"now": now, "window": 60, "lease": lease, "tokens": [[2, tpm, delta]] if tpm else [], "conc": [4] if conc else []}
    await st.run(SETTLE, KEYS, [orjson.dumps(P)])


async def test_100_concurrent_against_10_admit_exactly_10(st: Any) -> None:
    now = time.time()
    results = await asyncio.gather(*(run_gate(st, now, rpm=10, lease=f"l{i}") for i in range(100)))
    assert sum(r["ok"] for r in results) == 10
    refused = [r for r in results if not r["ok"]]
    assert {r["reason"] for r in refused} == {"requests"}
    assert all(0 < r["retry"] <= 6.01 for r in refused)  # one request frees every 60/10 s


async def test_two_replicas_share_one_redis_limit(redis_url: str) -> None:
    pfx = prefix()
    a, b = RedisState(redis_url, pfx, timeout_ms=3000), RedisState(redis_url, pfx, timeout_ms=3000)
    try:
        now = time.time()
        results = await asyncio.gather(*(run_gate(a if i % 2 else b, now, rpm=7, lease=f"l{i}") for i in range(40)))
        assert sum(r["ok"] for r in results) == 7
    finally:
        await b.aclose()
        await cleanup_redis(a)


async def test_concurrency_slots_exact_and_released(st: Any) -> None:
    now = time.time()
    results = await asyncio.gather(*(run_gate(st, now, conc=10, lease=f"l{i}") for i in range(100)))
    admitted = [i for i, r in enumerate(results) if r["ok"]]
    assert len(admitted) == 10
    assert {r["reason"] for r in results if not r["ok"]} == {"concurrency"}
    assert not (await run_gate(st, now, conc=10, lease="x"))["ok"]
    await settle(st, now, lease=f"l{admitted[0]}", conc=True)
    assert (await run_gate(st, now, conc=10, lease="x"))["ok"]
    # A lease that is never released (crashed replica) expires on its own.
    assert (await run_gate(st, now + 31, conc=10, lease="y"))["ok"]


async def test_new_user_half_trusted_double(st: Any) -> None:
    now = time.time()
    user = [5, 3600.0, 3]  # new for an hour or the first 3 requests
    ok = [(await run_gate(st, now, user=user, user_rpm=10, lease=f"a{i}"))["ok"] for i in range(12)]
    assert sum(ok) == 5  # a new user: half of 10
    r = await run_gate(st, now, user=user, user_rpm=10)
    assert r["risk"] == "new" and r["mult"] == 0.5
    # Trusted key, no end user: double.
    now2 = now + 1000
    ok = [(await run_gate(st, now2, rpm=10, tier="trusted", lease=f"t{i}"))["ok"] for i in range(25)]
    assert sum(ok) == 20


async def test_user_stops_being_new_after_age_and_count(st: Any) -> None:
    now = time.time()
    user = [5, 100.0, 2]
    assert (await run_gate(st, now, user=user, user_rpm=100))["user_new"]
    assert (await run_gate(st, now + 101, user=user, user_rpm=100))["user_new"]  # old enough, 2 requests only
    assert (await run_gate(st, now + 1, user=user, user_rpm=100))["user_new"]  # 3 requests, too young
    r = await run_gate(st, now + 102, user=user, user_rpm=100)
    assert r["user_new"] is False and r["risk"] == "standard" and r["mult"] == 1.0


async def test_window_edge_bursts_stay_within_the_limit(st: Any) -> None:
    """A fixed 60 s window would admit 10 just before the edge and 10 more just after."""
    t0 = 1_800_000_000.0  # a multiple of 60: a fixed window would reset here
    edge = t0 + 60
    before = [(await run_gate(st, edge - 0.2, rpm=10, lease=f"b{i}"))["ok"] for i in range(10)]
    after = [(await run_gate(st, edge + 0.2, rpm=10, lease=f"a{i}"))["ok"] for i in range(10)]
    assert sum(before) == 10
    assert sum(after) == 0  # 0.4 s refills 0.07 of a request
    # Sliding check over a long run of attempts every 0.5 s: no 60 s span admits more than
    # the limit plus what drains during it.
    times = []
    t = edge + 1
    for i in range(400):
        if (await run_gate(st, t, rpm=10, lease=f"s{i}"))["ok"]:
            times.append(t)
        t += 0.5
    for i, start in enumerate(times):
        in_window = [x for x in times[i:] if x < start + 60]
        assert len(in_window) <= 11
    assert 25 <= len(times) <= 35  # ~ 200 s at 10/min


async def tokens(st: Any, now: float, *, tpm: int, base: float = 0, add: float = 0, check: bool = True) -> dict[str, Any]:
    P = {"now": now, "window": 60, "dims": [[2, tpm]], "base": base, "add": add, "check": check}
    return decode(await st.run(TOKENS, KEYS, [orjson.dumps(P)]))


async def test_gate_holds_tokens_softly_and_tokens_admits_what_is_sent(st: Any) -> None:
    now = time.time()
    r = await run_gate(st, now, tpm=1000, cost=600)
    assert r["ok"] and r["held"] == 600 and r["tok"][1] == 400
    # The same body again does not fit the window: GATE neither holds nor refuses it (pruning
    # may still make it fit); the attempt-start admission does.
    r = await run_gate(st, now, tpm=1000, cost=600)
    assert r["ok"] and r["held"] == 0
    r = await tokens(st, now, tpm=1000, add=600)
    assert r == {"ok": False, "reason": "tokens", "dim": 1, "limit": 1000, "retry": pytest.approx(12.0), "rem": 400}
    # Pruned to 300 tokens: it fits.
    r = await tokens(st, now, tpm=1000, add=300)
    assert r["ok"] and r["rem"] == 100
    # The first request's attempt used 100 of its 600: settled along with the next admission.
    r = await tokens(st, now, tpm=1000, base=100 - 600, add=450)
    assert r["ok"] and r["rem"] == 1000 - 100 - 300 - 450
    # Larger than the limit itself: a distinct reason, no retry helps; a refusal still applies `base`.
    r = await tokens(st, now, tpm=1000, base=-300, add=1001)
    assert r["reason"] == "too_large" and r["rem"] == 1000 - 100 - 450
    # Never-refused attempts (continuations, judge, summaries) are charged even over the limit.
    r = await tokens(st, now, tpm=1000, add=900, check=False)
    assert r["ok"] and r["rem"] == 1000 - 100 - 450 - 900


async def test_settle_gives_back_what_was_not_used(st: Any) -> None:
    now = time.time()
    assert (await run_gate(st, now, tpm=1000, cost=600))["held"] == 600
    await settle(st, now, tpm=1000, delta=100 - 600)  # real usage 100
    r = await run_gate(st, now, tpm=1000, cost=600)
    assert r["ok"] and r["held"] == 600 and r["tok"][1] == 1000 - 100 - 600
    await settle(st, now, tpm=1000, delta=-600)  # refund on failure
    r = await run_gate(st, now, tpm=1000, cost=900)
    assert r["ok"] and r["held"] == 900 and r["tok"][1] == 0
    # A bucket never goes below zero, however much is given back.
    await settle(st, now, tpm=1000, delta=-5000)
    assert (await tokens(st, now, tpm=1000))["rem"] == 1000


async def test_budget_reserve_stops_at_cap(st: Any) -> None:
    keys = ["{k}:bud:day", "{k}:bud:day:alert"]
    item = [1, 1.0, 60_000]
    results = await asyncio.gather(*(st.run(BUDGET_RESERVE, keys, [orjson.dumps({"now": 0, "est": 0.3, "items": [item]})]) for _ in range(10)))
    assert sum(decode(r)["ok"] for r in results) == 3  # 0.9 <= 1.0 < 1.2
    # Settle: real cost 0.1 each -> two refunds of 0.2 free room for more.
    alerts = []
    for _ in range(3):
        res = decode(await st.run(BUDGET_SETTLE, keys, [orjson.dumps({"now": 0, "delta": -0.2, "items": [[1, 1.0, 60_000, 2, 0.25]]})]))
        alerts.append(alerts_of(res))
    assert alerts == [[1], [], []]  # 0.7 crossed 25 % once; once per period
    spent = float(await st.get("{k}:bud:day"))
    assert spent == pytest.approx(0.3)


def test_go_durations() -> None:
    assert go_duration(0) == "0s"
    assert go_duration(0.02) == "20ms"
    assert go_duration(1) == "1s"
    assert go_duration(8.64) == "8.64s"
    assert go_duration(360) == "6m0s"
    assert go_duration(3723) == "1h2m3s"


def test_redis_url_constant() -> None:
    assert REDIS.startswith("redis://127.0.0.1:6379")


def abuse_gate(now: float, *, ip: str = "net1", points: float = 0.0, user: bool = False, dims: list[Any] | None = None,
               tier: str = "standard", block_at: float = 1000, content: str | None = None) -> list[Any]:
    A = {"subjects": [[1, 1.0, 1.0, 3000]], "half_life": 100.0, "suspicious_at": 10, "block_at": block_at, "block_seconds": 60,
         "scale": MULTS[tier], "burst": [3, 10.0, 1.0], "dup": [[3, 2, 60.0]], "dup_points": 2.0, "ips": [4, ip, 2, 600.0, 3.0],
         "rej": [0.25, 4, 4.0, 60.0], "newu": [2, 60.0, 1.5], "throttle": [6, 2]}
    P: dict[str, Any] = {"now": now, "tier": tier, "mults": MULTS, "window": 60, "cost": 1, "lease": "l", "lease_exp": now + 30,
                         "abuse": A, "points": points, "dims": dims if dims is not None else [[2, 2, 0, 4, 0]]}
    if content:
        P["content"] = content
    if user:
        A["subjects"].append([5, 1.0, 0.0, 3000])
        P["user"] = [5, 0, 0, 3000]
    return [orjson.dumps(P)]


ABUSE_KEYS = ["{k}:ab", "{k}:rl", "{k}:ab:dup:f", "{k}:ab:ips", "{k}:ab:u:x"]


async def g(st: Any, t: float, keys: list[str] = ABUSE_KEYS, **kw: Any) -> dict[str, Any]:
    r = decode(await st.run(GATE, keys, abuse_gate(t, **kw)))
    r["signals"] = list(r.get("signals") or [])
    return r


async def test_abuse_signals_and_decay(st: Any) -> None:
    now = time.time()
    r1 = await g(st, now, ip="net1")
    r2 = await g(st, now, ip="net2")
    assert r1["signals"] == [] and r2["signals"] == []
    r3 = await g(st, now, ip="net3")  # third request: same prompt 3x (> 2), 3 networks (> 2), rpm 2 exceeded
    assert "repeated_prompt" in r3["signals"] and "many_networks" in r3["signals"]
    assert r3["ok"] is False and r3["reason"] == "requests"
    r4 = await g(st, now, ip="net3")  # 4th in 10 s: burst (> 3); 1 of 4 seen refused: share >= 0.25
    assert "burst" in r4["signals"] and "rejected_share" in r4["signals"]
    assert r4["risk"] == "suspicious" and r4["score"] >= 10
    assert set(r4["why"].split(",")) >= {"burst", "rejected_share", "repeated_prompt", "many_networks"}
    # The score halves every half-life (100 s) and the risk class follows it; 700 s later
    # (simulated), with another prompt: no new points.
    later = await g(st, now + 700, keys=[*ABUSE_KEYS[:2], "{k}:ab:dup:other", *ABUSE_KEYS[3:]], ip="net3")
    assert later["score"] == pytest.approx(r4["score"] / 2 ** 7, rel=0.01) and later["risk"] == "standard"


async def test_repeat_and_burst_allowances_scale_with_the_tier(st: Any) -> None:
    now = time.time()
    dims: list[Any] = []
    trusted = [await g(st, now + i * 0.01, tier="trusted", dims=dims) for i in range(4)]  # x2: 4 repeats, 6 in a burst allowed
    assert all(r["signals"] == [] for r in trusted)
    keys = ["{n}:ab", "{n}:rl", "{n}:ab:dup:f", "{n}:ab:ips", "{n}:ab:u:x"]
    new = [await g(st, now + i * 0.01, keys=keys, tier="new", dims=dims) for i in range(3)]  # x0.5: one repeat allowed
    assert new[0]["signals"] == [] and "repeated_prompt" in new[1]["signals"] and "burst" in new[2]["signals"]


async def test_new_end_users_arriving_too_fast(st: Any) -> None:
    now = time.time()
    seen = []
    for i in range(4):  # a fresh end user each time; the allowance is 2 per 60 s
        keys = ["{k}:ab", "{k}:rl", f"{{k}}:ab:dup:{i}", "{k}:ab:ips", f"{{k}}:ab:u:{i}"]
        seen.append((await g(st, now + i, keys=keys, user=True, dims=[]))["signals"])
    assert seen[:2] == [[], []] and "new_user_churn" in seen[2] and "new_user_churn" in seen[3]
    # A returning user is not new: no churn.
    keys = ["{k}:ab", "{k}:rl", "{k}:ab:dup:9", "{k}:ab:ips", "{k}:ab:u:0"]
    assert "new_user_churn" not in (await g(st, now + 5, keys=keys, user=True, dims=[]))["signals"]


async def test_suspicious_subjects_are_throttled(st: Any) -> None:
    now = time.time()
    keys = ["{t}:ab", "{t}:rl", "{t}:ab:dup:f", "{t}:ab:ips"]
    r = await g(st, now, keys=keys, points=12, content="injection", dims=[])
    assert r["ok"] is False and r["reason"] == "suspicious_content" and r["risk"] == "suspicious" and r["why"] == "injection"
    # Requests without content signals: the throttle budget (burst 2, 6 per minute) applies.
    fresh = lambda i: ["{t}:ab", "{t}:rl", f"{{t}}:ab:dup:{i}", "{t}:ab:ips"]  # noqa: E731
    out = [await g(st, now + 0.1 * i, keys=fresh(i), dims=[]) for i in range(3)]
    assert [r["ok"] for r in out] == [True, True, False]
    assert out[2]["reason"] == "throttled" and out[2]["limit"] == 6 and 9 < out[2]["retry"] <= 10
    assert (await g(st, now + 10.5, keys=fresh(9), dims=[]))["ok"]  # one per 10 s again


async def test_block_is_remembered_with_its_reason(st: Any) -> None:
    now = time.time()
    keys = ["{b}:ab", "{b}:rl", "{b}:ab:dup:f", "{b}:ab:ips"]
    for _ in range(3):  # the same prompt three times (> 2): a repeat, the behaviour evidence a block needs beside content
        await g(st, now, keys=keys, block_at=20, dims=[])
    r = await g(st, now, keys=keys, points=25, content="injection,jailbreak", block_at=20, dims=[])
    assert r["reason"] == "abuse_block" and r["retry"] == 60 and {"injection", "jailbreak", "repeated_prompt"} <= set(r["why"].split(","))
    at_block = r["score"]
    r = await g(st, now + 10, keys=[*keys[:2], "{b}:ab:dup:g", keys[3]], block_at=20, dims=[])
    assert r["reason"] == "blocked" and r["retry"] == pytest.approx(50, abs=0.01) and "injection" in r["why"]
    r = await g(st, now + 61, keys=[*keys[:2], "{b}:ab:dup:h", keys[3]], block_at=20, dims=[])
    # The block ended; the score (halved over 61 s: ~18) still throttles, it no longer refuses.
    assert r["ok"] is True and r["risk"] == "suspicious" and r["score"] == pytest.approx(at_block * 0.5 ** 0.61, rel=0.01)


async def test_content_signals_alone_throttle_but_never_block(st: Any) -> None:
    """Issue 18: no benign client blocked. A moderation or labelling job, a translator of a manual
    full of "ignore" and "override", scores content points on every request; however high the
    score, content alone holds it just under block_at (refused and throttled, not locked out).
    A block needs behaviour evidence beside it (repeats, bursts, networks, end-user churn); the
    share of refused requests is not such evidence (a throttled client's refusals are the throttle's)."""
    now = time.time()
    out = []
    for i in range(8):  # eight different prompts, each an injection, 4 s apart (no burst)
        keys = ["{c}:ab", "{c}:rl", f"{{c}}:ab:dup:{i}", "{c}:ab:ips"]
        out.append(await g(st, now + 4 * i, keys=keys, points=25, content="injection", block_at=20, dims=[]))
    assert all(r.get("reason") != "abuse_block" and r.get("risk") != "blocked" for r in out), [r.get("reason") for r in out]
    assert out[-1]["risk"] == "suspicious" and 10 <= out[-1]["score"] < 20


async def test_volume_signals_alone_throttle_but_never_block(st: Any) -> None:
    """Issue 18: no benign client blocked. A client repeating one prompt (the demo's "Hello!"
    pressed over and over, a retry loop under throttling) earned repeat points on every
    throttled request too, and crossed block_at: 403 for minutes. Only a request that itself
    carries content signals (injection, jailbreak...) may push a subject to a block; volume
    signals alone hold it just under block_at, i.e. throttled."""
    now = time.time()
    keys = ["{v}:ab", "{v}:rl", "{v}:ab:dup:f", "{v}:ab:ips"]
    out = [await g(st, now + 0.01 * i, keys=keys, block_at=20, dims=[]) for i in range(60)]  # same prompt, burst, refusals
    assert all(r.get("reason") != "abuse_block" and r.get("risk") != "blocked" for r in out), [r.get("reason") for r in out]
    assert out[-1]["risk"] == "suspicious" and 10 <= out[-1]["score"] < 20
    assert any(r.get("reason") == "throttled" for r in out)  # still throttled: the throttle is the protection
    # A request with content signals on top of that suspicion does block.
    r = await g(st, now + 1, keys=keys, block_at=20, points=1, content="injection", dims=[])
    assert r["reason"] == "abuse_block" and "injection" in r["why"]
