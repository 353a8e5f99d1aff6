"""The scenario harness of the wire-API tests (test_responses_*, test_messages_*): the SHIPPED
proxy.toml in front of two simulators, plus the official SDK clients.

    st = await Stack.start(tmp_path, **overrides)   # deep-merged over the shipped file
    st.openai / st.anthropic                        # SDK clients (max_retries=0 unless asked)
    st.a   the simulator behind provider `sim` (OpenAI face: chat + Responses)
    st.b   the simulator behind `claude` (Anthropic face) and `local` (chat-only OpenAI face);
           its answers' model names start with "b-" so a test can tell who answered

The few tests here check the harness itself (that a test really talks to the shipped chain).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anthropic
import httpx2 as httpx  # the HTTP client both official SDKs are built on
import openai

from tests.helpers import deep_merge, openai_client, shared_dir, start_proxy, start_simulator
from tests.shipped import shipped_config

sys.path.insert(0, str(shared_dir() / "tools"))
import openai_conformance as conformance  # noqa: E402


def sim_paths(sim: Any, suffix: str) -> list[dict[str, Any]]:
    """What `sim` received on paths ending in `suffix` (oldest first)."""
    return [r for r in sim.requests if r["path"].endswith(suffix)]


class CountingTransport(httpx.AsyncHTTPTransport):
    """Counts the HTTP requests an SDK really sends (retries included)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return await super().handle_async_request(request)


@dataclass
class Stack:
    proxy: Any
    a: Any
    b: Any
    tmp: Path

    @classmethod
    async def start(cls, tmp: Path, *, a_fields: dict[str, Any] | None = None, **overrides: Any) -> "Stack":
        a = await start_simulator(**(a_fields or {}))
        b = await start_simulator(model_prefix="b-")
        cfg = shipped_config(a, tmp)
        cfg = deep_merge(cfg, {"providers": {"claude": {"base_url": b.base}, "local": {"base_url": b.url}}})
        cfg = deep_merge(cfg, overrides)
        proxy = await start_proxy(cfg)
        return cls(proxy, a, b, tmp)

    async def aclose(self) -> None:
        await self.proxy.aclose()
        await self.a.aclose()
        await self.b.aclose()

    @property
    def openai(self) -> openai.AsyncOpenAI:
        return openai_client(self.proxy.url)

    def openai_with(self, **kw: Any) -> openai.AsyncOpenAI:
        return openai_client(self.proxy.url, **kw)

    def anthropic_with(self, key: str = "sk-test", bearer: bool = False, **kw: Any) -> anthropic.AsyncAnthropic:
        kw.setdefault("max_retries", 0)
        kw.setdefault("timeout", 30.0)
        if bearer:
            return anthropic.AsyncAnthropic(base_url=self.proxy.base, auth_token=key, **kw)
        return anthropic.AsyncAnthropic(base_url=self.proxy.base, api_key=key, **kw)

    @property
    def anthropic(self) -> anthropic.AsyncAnthropic:
        return self.anthropic_with()


async def test_harness_points_every_provider_at_the_test_simulators(tmp_path: Path) -> None:
    st = await Stack.start(tmp_path)
    try:
        providers = st.proxy.services.config.providers
        assert providers["sim"].base_url == st.a.url
        assert providers["claude"].base_url == st.b.base and providers["local"].base_url == st.b.url
        # The chain is the shipped one, in the shipped order.
        assert st.proxy.services.config.chain.plugins == ["ratelimit", "cache", "budgets", "prune", "validate", "fallback"]
    finally:
        await st.aclose()


def test_conformance_tool_is_importable() -> None:
    assert conformance.validator("Response") is not None
