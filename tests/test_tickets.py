"""Human tickets during an outage: one per end user or conversation (count + messages, bounded,
within a window, across replicas through Redis), a reason that names what failed once per
provider, and "no rule matched" told as what it is.

openai SDK -> Bulwark (fallback: sim -> rules -> human) -> the simulator, answering 500.
"""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, AsyncIterator

import openai
import pytest

from proxy.state.redis import RedisState
from tests.helpers import base_config, openai_client, start_proxy, start_simulator
from tests.shipped import redis_state, shipped_config


def outage_config(sim: Any, tmp_path: Path, human: dict[str, Any] | None = None, state: dict[str, Any] | None = None) -> dict[str, Any]:
    cfg = base_config(sim.url, plugins=["fallback"], providers={
        "rules": {"type": "rules", "options": {"default_answer": "", "rules": [{"keywords": ["opening hours"], "answer": "9-17."}]}},
        "human": {"type": "human", "options": {"message": "Ticket {ticket_id} ({count}).", **(human or {})}},
    }, state=state or {"backend": "memory", "data_dir": str(tmp_path)})
    cfg["plugins"] = {"fallback": {"breaker": {"min_requests": 1000},
                                   "chains": {"*": {"steps": [{"provider": "sim"}, {"provider": "rules"}, {"provider": "human"}]}}}}
    return cfg


class Outage:
    def __init__(self, proxy: Any) -> None:
        self.proxy = proxy
        self.client = openai_client(proxy.url)

    async def ask(self, text: str, user: str | None = None, history: list[dict[str, Any]] | None = None) -> tuple[str, str]:
        """(ticket id from the header, answer text)."""
        kw: dict[str, Any] = {"user": user} if user else {}
        raw = await self.client.chat.completions.with_raw_response.create(
            model="gpt-4o-mini", messages=[*(history or []), {"role": "user", "content": text}], **kw)
        return raw.headers["x-bulwark-ticket"], raw.parse().choices[0].message.content

    async def tickets(self) -> list[dict[str, Any]]:
        return await self.proxy.services.state.journal("tickets").list(status=None)


@pytest.fixture
async def sim() -> AsyncIterator[Any]:
    s = await start_simulator()
    s.set_fault("500")  # the outage: every model call fails
    try:
        yield s
    finally:
        await s.aclose()


@pytest.fixture
async def outage(sim: Any, tmp_path: Path) -> AsyncIterator[Any]:
    made: list[Any] = []

    async def make(**kw: Any) -> Outage:
        proxy = await start_proxy(outage_config(sim, tmp_path, **kw))
        made.append(proxy)
        return Outage(proxy)

    yield make
    for p in made:
        await p.aclose()


async def test_one_ticket_per_end_user_with_a_count_and_the_messages(outage: Any) -> None:
    o = await outage()
    asked = ["My card was charged twice", "Hello? Still charged twice", "Please refund one charge"]
    got = [await o.ask(q, user="alice") for q in asked]
    ids = {t for t, _ in got}
    assert len(ids) == 1
    ticket_id = ids.pop()
    assert [a for _, a in got] == [f"Ticket {ticket_id} (1).", f"Ticket {ticket_id} (2).", f"Ticket {ticket_id} (3)."]
    other, _ = await o.ask("My card was charged twice", user="bob")
    assert other != ticket_id  # another person, another ticket
    [bob, alice] = await o.tickets()
    assert alice["id"] == ticket_id and alice["count"] == 3 and alice["user"] == "alice"
    assert [m["message"] for m in alice["messages"]] == asked
    assert alice["message"] == asked[-1] and bob["count"] == 1


async def test_without_a_user_one_ticket_per_conversation(outage: Any) -> None:
    o = await outage()
    first, _ = await o.ask("Where is my parcel?")
    history = [{"role": "user", "content": "Where is my parcel?"}, {"role": "assistant", "content": "Ticket opened."}]
    again, _ = await o.ask("It was due yesterday", history=history)  # the same conversation, one turn later
    other, _ = await o.ask("How do I change my address?")  # a new conversation
    assert first == again and other != first
    counts = {t["id"]: t["count"] for t in await o.tickets()}
    assert counts == {first: 2, other: 1}


async def test_messages_are_bounded_and_the_window_closes(outage: Any) -> None:
    o = await outage(human={"group_max_messages": 2, "group_window_seconds": 1.0})
    ids = {(await o.ask(f"question {i}", user="carol"))[0] for i in range(4)}
    assert len(ids) == 1
    [t] = await o.tickets()
    assert t["count"] == 4 and [m["message"] for m in t["messages"]] == ["question 2", "question 3"]
    await asyncio.sleep(1.3)  # quiet for longer than the window: a new ticket
    later, _ = await o.ask("question 4", user="carol")
    assert later not in ids


async def test_a_resolved_ticket_is_not_reused(outage: Any) -> None:
    o = await outage()
    first, _ = await o.ask("The app crashes", user="dave")
    await o.proxy.services.state.journal("tickets").update(first, {"status": "resolved"})
    second, answer = await o.ask("It crashes again", user="dave")
    assert second != first and answer == f"Ticket {second} (1)."
    third, _ = await o.ask("And again", user="dave")
    assert third == second


async def test_grouping_off_opens_a_ticket_per_request(outage: Any) -> None:
    o = await outage(human={"group_by": "none"})
    ids = {(await o.ask("same question", user="erin"))[0] for _ in range(3)}
    assert len(ids) == 3


async def test_the_reason_names_each_failure_once_and_truthfully(outage: Any, sim: Any) -> None:
    o = await outage()
    ticket_id, _ = await o.ask("Why is my invoice wrong?", user="frank")
    [t] = await o.tickets()
    # the default retry policy tries sim twice; rules has no rule: not a "server error"
    assert t["reason"] == "sim: HTTP 500 (server error), 2 attempts; rules: no rule matched"
    assert [(r["provider"], r["status"], r["failover_reason"], r["attempts"]) for r in t["attempts"]] == [
        ("sim", 500, "server_error", 2), ("rules", 503, "no_rule_matched", 1)]
    sim.set_fault("cut=0")  # now the stream drops before anything arrives
    chunks = [c async for c in await o.client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "and my refund?"}], stream=True, user="frank")]
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices).startswith(f"Ticket {ticket_id} (2)")
    [t] = await o.tickets()
    assert t["count"] == 2 and t["reason"].startswith("sim: the stream was cut off, 2 attempts; rules: no rule matched")


async def test_a_chain_ending_on_rules_answers_with_the_models_failure(sim: Any, tmp_path: Path) -> None:
    cfg = outage_config(sim, tmp_path)
    cfg["plugins"]["fallback"]["chains"]["*"]["steps"] = [{"provider": "sim"}, {"provider": "rules"}]
    proxy = await start_proxy(cfg)
    try:
        with pytest.raises(openai.InternalServerError) as ei:
            await openai_client(proxy.url).chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        assert ei.value.status_code == 500  # why the models failed, not that a stand-in had no rule
        assert ei.value.response.headers["x-bulwark-provider"] == "sim"
    finally:
        await proxy.aclose()


async def test_no_rule_matched_is_a_clear_service_unavailable(sim: Any, tmp_path: Path) -> None:
    cfg = outage_config(sim, tmp_path)
    cfg["models"] = {"default_provider": "rules"}
    cfg["chain"]["plugins"] = []
    cfg["plugins"] = {}
    proxy = await start_proxy(cfg)
    try:
        with pytest.raises(openai.InternalServerError) as ei:
            await openai_client(proxy.url).chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        err = ei.value.body
        assert ei.value.status_code == 503 and err["code"] == "no_rule_matched" and err["type"] == "service_unavailable"
        assert "server error" not in err["message"].lower() and "no rule" in err["message"]
    finally:
        await proxy.aclose()


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_concurrent_escalations_of_one_user_share_one_ticket(sim: Any, tmp_path: Path, backend: str,
                                                                   redis_url: str, unique_prefix: str) -> None:
    state = {"backend": "memory", "data_dir": str(tmp_path)} if backend == "memory" else \
        {"backend": "redis", "redis_url": redis_url, "key_prefix": unique_prefix, "timeout_ms": 3000, "data_dir": str(tmp_path)}
    # Two replicas on one Redis (or one process on memory), ten requests at once.
    proxies = [await start_proxy(outage_config(sim, tmp_path, state=state)) for _ in range(2 if backend == "redis" else 1)]
    try:
        outs = [Outage(p) for p in proxies]
        got = await asyncio.gather(*(outs[i % len(outs)].ask(f"help {i}", user="grace") for i in range(10)))
        assert len({t for t, _ in got}) == 1
        [t] = await outs[0].tickets()
        assert t["count"] == 10 and len(t["messages"]) == 10
        assert sorted(m["message"] for m in t["messages"]) == sorted(f"help {i}" for i in range(10))
    finally:
        for p in proxies:
            await p.aclose()
        if backend == "redis":
            st = RedisState(redis_url, unique_prefix)
            keys = [k async for k in st._r.scan_iter(match="{" + unique_prefix + "*", count=1000)]
            if keys:
                await st._r.delete(*keys)
            await st.aclose()


async def test_shipped_config_outage_groups_tickets(tmp_path: Path) -> None:
    """The shipped proxy.toml during an outage: a user's three failed requests, one ticket."""
    s = await start_simulator()
    s.set_fault("503")
    proxy = await start_proxy(shipped_config(s, tmp_path))
    try:
        o = Outage(proxy)
        ids = {(await o.ask(f"Is my order {n} shipped?", user="henry"))[0] for n in (101, 102, 103)}
        assert len(ids) == 1
        [t] = await o.tickets()
        assert t["count"] == 3 and t["reason"].endswith("rules: no rule matched") and "server error" in t["reason"]
        assert t["reason"].count("rules") == 1 and t["reason"].count("sim") == 1
    finally:
        await proxy.aclose()
        await s.aclose()
