"""Nothing paid is unmetered by default, and a client key cannot wield the provider key's
account powers: through the shipped proxy.toml."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import openai

from tests.helpers import TEST_KEYS, openai_client, start_proxy, start_simulator
from tests.shipped import shipped_config

KEYS = [*[dict(k) for k in TEST_KEYS],
        {"name": "twenty", "key": "sk-twenty", "limits": {"rpm": 20, "max_concurrent": 100}},
        {"name": "ops", "key": "sk-ops", "paths": ["/files", "/batches"]}]


async def test_responses_on_a_twenty_per_minute_key(tmp_path: Path) -> None:
    sim = await start_simulator()
    proxy = await start_proxy(shipped_config(sim, tmp_path, keys=KEYS))
    try:
        client = openai_client(proxy.url, key="sk-twenty")

        async def one(i: int) -> int:
            try:
                await client.responses.create(model="gpt-4o-mini", input=f"question {i} about rivers")
                return 200
            except openai.RateLimitError:
                return 429

        statuses = await asyncio.gather(*(one(i) for i in range(30)))
        assert statuses.count(200) == 20 and statuses.count(429) == 10  # before: 200 of 200 answered
    finally:
        await proxy.aclose()
        await sim.aclose()


async def test_forwarded_paths_are_limited_and_account_paths_need_a_grant(tmp_path: Path) -> None:
    sim = await start_simulator()
    proxy = await start_proxy(shipped_config(sim, tmp_path, keys=KEYS))
    try:
        async with aiohttp.ClientSession() as s:
            async def call(method: str, path: str, key: str, **kw: Any) -> int:
                async with s.request(method, proxy.url + path, headers={"Authorization": f"Bearer {key}"}, **kw) as r:
                    await r.read()
                    return r.status

            speech = [await call("POST", "/audio/speech", "sk-twenty", json={"model": "tts-1", "input": f"hi {i}", "voice": "alloy"})
                      for i in range(25)]
            assert speech.count(429) == 5  # an inference path is forwarded, and limited like any other
            assert await call("GET", "/files", "sk-test") == 403  # the organisation's files: not for every key
            async with s.get(proxy.url + "/files", headers={"Authorization": "Bearer sk-test"}) as r:
                err = (await r.json())["error"]
            assert err["code"] == "path_not_granted" and 'paths = ["/files"]' in err["message"]
            assert await call("GET", "/files", "sk-ops") == 200  # granted per key
            assert await call("GET", "/fine_tuning/jobs", "sk-ops") == 403
            assert await call("GET", "/organization/users", "sk-ops") == 403
    finally:
        await proxy.aclose()
        await sim.aclose()
