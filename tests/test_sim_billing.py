"""The simulated provider's bills: what a real provider would charge, answer by answer
(whole answers in full; a cut stream or a client that hung up for what went out)."""
from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import orjson

from tests.helpers import start_simulator


async def post(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> bytes:
    async with aiohttp.ClientSession() as s:
        async with s.post(url, json=body, headers={"Authorization": "Bearer x", **(headers or {})}) as r:
            try:
                return await r.read()
            except aiohttp.ClientPayloadError:
                return b""


async def test_bills_plain_streamed_cut_and_abandoned_answers() -> None:
    sim = await start_simulator(stream_delay_ms=5)
    try:
        msgs = [{"role": "user", "content": "tell me about the sea"}]
        plain = orjson.loads(await post(sim.url + "/chat/completions", {"model": "gpt-4o", "messages": msgs}))
        [bill] = sim.billing
        assert (bill.prompt_tokens, bill.completion_tokens, bill.complete) == (
            plain["usage"]["prompt_tokens"], plain["usage"]["completion_tokens"], True)
        await post(sim.url + "/chat/completions", {"model": "gpt-4o", "messages": msgs, "stream": True})
        assert sim.billing[-1].completion_tokens == plain["usage"]["completion_tokens"] and sim.billing[-1].complete
        await post(sim.url + "/chat/completions", {"model": "gpt-4o", "messages": msgs, "stream": True}, {"x-sim-fault": "cut=4"})
        cut = sim.billing[-1]
        assert not cut.complete and 0 < cut.completion_tokens < plain["usage"]["completion_tokens"]
        sim.script("long one", [{"content": " ".join(f"w{i}" for i in range(400))}])

        async def read_a_little() -> None:
            async with aiohttp.ClientSession() as s:
                async with s.post(sim.url + "/chat/completions", json={"model": "gpt-4o-mini", "stream": True,
                                  "messages": [{"role": "user", "content": "a long one"}]}) as r:
                    await r.content.readany()
                    await asyncio.sleep(0.1)  # then the client goes away

        await read_a_little()
        for _ in range(100):
            if len(sim.billing) == 4:
                break
            await asyncio.sleep(0.02)
        gone = sim.billing[-1]
        assert not gone.complete and 0 < gone.completion_tokens < 400
        async with aiohttp.ClientSession() as s:
            async with s.get(sim.base + "/sim/billing") as r:
                data = await r.json()
        assert data["total"] == 4 and data["completion_tokens"] == sum(b.completion_tokens for b in sim.billing)
    finally:
        await sim.aclose()
