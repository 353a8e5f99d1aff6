from __future__ import annotations

import os
import uuid
from typing import Any, AsyncIterator

import pytest

from tests.helpers import close_clients, start_simulator

REDIS_URL = os.environ.get("BULWARK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def sim() -> AsyncIterator[Any]:
    s = await start_simulator()
    try:
        yield s
    finally:
        await s.aclose()


@pytest.fixture
async def redis_url() -> str:
    import redis.asyncio as redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        await client.ping()
    except Exception as exc:
        pytest.fail(
            f"These tests need a Redis server at {REDIS_URL} ({exc}). Start one with: "
            "redis-server --daemonize yes --port 6379 --save '' --appendonly no "
            "(or set BULWARK_TEST_REDIS_URL)."
        )
    finally:
        await client.aclose()
    return REDIS_URL


@pytest.fixture
def unique_prefix() -> str:
    return f"bulwark-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(autouse=True)
async def _close_sdk_clients() -> AsyncIterator[None]:
    yield
    await close_clients()
