"""Abuse scoring, stop 33 (issue 18, the fifth independent set's misses), one test per behaviour:

- an untrusted forwarder's X-Forwarded-For claim counts in the key's networks only on requests that
  name no end user: a SaaS backend that names its users relays their addresses (b5_24); a forwarder
  that names none and claims a new public client each time still counts (stop 29's test);
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.shipped import shipped_proxy

HEAVY = {"rpm": 5000, "tpm": 5_000_000, "max_concurrent": 50, "budget_usd_day": 1000.0,
         "user_rpm": 2000, "user_tpm": 5_000_000, "user_max_concurrent": 50}
KEYS = [{"name": "batch", "key": "sk-batch", "tier": "standard", "limits": HEAVY}]
MODEL = "gpt-4o-mini"


@pytest.fixture(params=["memory", "redis"])
async def proxy(request: Any, sim: Any, tmp_path: Path, unique_prefix: str, redis_url: str) -> Any:
    async with shipped_proxy(request.param, sim, tmp_path, unique_prefix, redis_url, keys=KEYS) as p:
        yield p


def u(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


async def test_a_backend_naming_its_users_may_pass_their_addresses_in_x_forwarded_for(proxy: Any) -> None:
    """b5_24: one SaaS backend (not a trusted proxy) passes each visitor's public address in
    X-Forwarded-For and names its tenants as end users; the claims made it a key used from 70
    networks, throttled at #18. The header is still never the client's identity."""
    asks = ["Suggest a subject line for a newsletter about spring gardening.", "Write a product description for a bamboo cutting board.",
            "Give me five hashtags for a bakery opening."]
    async with aiohttp.ClientSession() as s:
        for i in range(40):
            xff = f"{23 + i}.{(7 * i) % 250}.{(13 * i) % 250}.9"
            async with s.post(proxy.url + "/chat/completions", headers={"Authorization": "Bearer sk-batch", "X-Forwarded-For": xff},
                              json={"model": MODEL, "max_tokens": 50, "user": f"tenant-{i % 12}",
                                    "messages": [u(asks[i % len(asks)])]}) as r:
                assert r.status == 200, (i, await r.text())
