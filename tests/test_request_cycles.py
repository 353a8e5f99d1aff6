"""A served request is freed by reference counting, not by the cyclic collector.

Subscribers of a request's ledger hold its context, which holds the ledger: before the ledger
let go of them once nothing could reach them, every request stayed in memory as ~70 objects
in reference cycles until a collection (25-40 ms of CPU each under load, ~5-15 % of the
process). With the cyclic collector off, no request context may outlive its request: through
the SHIPPED proxy.toml, on both state backends, for each wire API, plain and streamed.
A sub-request (a background summary) may still begin attempts after the settlement: its hold
keeps the subscribers, so what it costs is still accounted.
"""
from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import anthropic
import pytest

from proxy.context import RequestContext
from proxy.ledger import Cause, Ledger
from tests.helpers import openai_client
from tests.shipped import shipped_proxy


@pytest.fixture(params=["memory", "redis"])
async def proxy(request: Any, sim: Any, tmp_path: Path, unique_prefix: str, redis_url: str) -> Any:
    async with shipped_proxy(request.param, sim, tmp_path, unique_prefix, redis_url) as p:
        # One client each, made before counting: a keep-alive connection's server side holds
        # on to its latest request until the next one (one context per open connection).
        p.test_clients = {"openai": openai_client(p.url, key="sk-trusted"),
                          "anthropic": anthropic.AsyncAnthropic(base_url=p.base, api_key="sk-trusted", max_retries=0)}
        yield p


def live_contexts() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is RequestContext)


async def chat(proxy: Any, i: int, stream: bool) -> None:
    client = proxy.test_clients["openai"]
    msgs = [{"role": "user", "content": f"Name a river, question {i}."}]
    if stream:
        got = [c async for c in await client.chat.completions.create(model="gpt-4o-mini", messages=msgs, stream=True)]
        assert any(c.choices and c.choices[0].delta.content for c in got)
    else:
        r = await client.chat.completions.create(model="gpt-4o-mini", messages=msgs)
        assert r.choices[0].message.content


async def responses(proxy: Any, i: int, stream: bool) -> None:
    client = proxy.test_clients["openai"]
    if stream:
        events = [e async for e in await client.responses.create(model="gpt-4o-mini", input=f"A river, question {i}.", stream=True)]
        assert events[-1].type == "response.completed"
    else:
        assert (await client.responses.create(model="gpt-4o-mini", input=f"A river, question {i}.")).output_text


async def messages(proxy: Any, i: int, stream: bool) -> None:
    claude = proxy.test_clients["anthropic"]
    msgs = [{"role": "user", "content": f"A river, question {i}."}]
    if stream:
        async with claude.messages.stream(model="claude-sonnet-4-5", max_tokens=64, messages=msgs) as s:
            assert await s.get_final_text()
    else:
        r = await claude.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=msgs)
        assert r.content[0].text


@pytest.mark.parametrize("api", [chat, responses, messages], ids=["chat", "responses", "messages"])
@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
async def test_no_request_context_outlives_its_request(proxy: Any, api: Any, stream: bool) -> None:
    await api(proxy, 0, stream)  # warm-up: lazy singletons are not request state
    await proxy.services.tasks.drain()
    gc.collect()
    before = live_contexts()
    gc.disable()
    try:
        for i in range(1, 4):
            await api(proxy, i, stream)
        await proxy.services.tasks.drain()
        assert live_contexts() == before, "a request's context is kept alive by a reference cycle"
    finally:
        gc.enable()


def cyclic_garbage() -> list[str]:
    """What the cyclic collector would free now (types), without freeing it anywhere else."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return [type(o).__qualname__ for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


@pytest.mark.parametrize("api", [chat, responses, messages], ids=["chat", "responses", "messages"])
@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
async def test_a_request_leaves_nothing_for_the_cyclic_collector(proxy: Any, api: Any, stream: bool) -> None:
    """Stricter than the context count: no object of a request is freed only by the collector.
    On Redis, each state call's patient timeout was a closure that re-armed its own timer, so it
    referred to itself: ~180 objects per request (the timeout, its frame, the request's task)
    waited for the collector (49 ms passes, 6 % of the Redis chain's CPU)."""
    await api(proxy, 0, stream)
    await proxy.services.tasks.drain()
    gc.collect()
    gc.disable()
    try:
        for i in range(1, 4):
            await api(proxy, i, stream)
        await proxy.services.tasks.drain()
        left = cyclic_garbage()
        assert len(left) <= 3, sorted(set(left))  # (slack for one-off lazy state, not per request)
    finally:
        gc.enable()


async def test_a_held_ledger_keeps_its_subscribers_for_attempts_after_the_settlement() -> None:
    ledger, ended = Ledger(), []
    ledger.on_attempt_end(lambda a: ended.append(a.cause))
    ledger.begin("openai", "openai", "gpt-4o-mini").end(status=200)
    ledger.hold()  # a background summary is still to come
    ledger.settle(200)
    assert not ledger.released
    late = ledger.begin("openai", "openai", "gpt-4o-mini", cause=Cause.SUMMARY)
    ledger.unhold()
    assert not ledger.released  # its attempt is still open
    late.end(status=200)
    assert ended == [Cause.FIRST, Cause.SUMMARY] and ledger.released
    assert all(a.ledger is None for a in ledger.attempts)


def test_a_ledger_is_released_only_when_settled_and_quiet() -> None:
    ledger = Ledger()
    a = ledger.begin("openai", "openai", "gpt-4o-mini")
    assert not ledger.released
    ledger.settle(200)  # ends the open attempt as abandoned, then lets go
    assert a.error == "abandoned" and ledger.released
