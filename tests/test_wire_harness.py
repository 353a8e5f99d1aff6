"""The scenario harness of the wire-API tests (test_responses_*, test_messages_*): the SHIPPED
proxy.toml in front of two simulators, plus the official SDK clients.

    st = await Stack.start(tmp_path, **overrides)   # deep-merged over the shipped file
    st.openai / st.anthropic                        # SDK clients (max_retries=0 unless asked)
    st.a   the simulator behind provider `sim` (OpenAI face: chat + Responses)
    st.b   the simulator behind `claude` (Anthropic face) and `local` (chat-only OpenAI face);
           its answers' model names start with "b-" so a test can tell who answered

`ResponsesClient` / `MessagesClient` speak one conversation (a list of neutral turns) through the
official SDK of their API, plain or streamed, so one scenario test covers both APIs:

    turns = [{"system": "..."}, {"user": "..."}, {"call": ("call_1", "get_account", "{...}")},
             {"result": ("call_1", "{...}")}, {"assistant": "..."}]
    ans = await client.ask("gpt-4o", turns, stream=True)    # Answer(text, headers, id, ...)

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
import pytest

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
class Answer:
    text: str
    headers: dict[str, str]
    id: str
    model: str
    input_tokens: int
    output_tokens: int
    finish: str  # the API's own stop reason / status


def sse_data(lines: list[str]) -> list[dict[str, Any]]:
    import json

    return [json.loads(ln[5:].strip()) for ln in lines if ln.startswith("data:")]


class ResponsesClient:
    api = "responses"
    upstream_path = "/responses"  # where the shipped default provider gets it (natively)

    def __init__(self, stack: "Stack", **kw: Any) -> None:
        self.transport = CountingTransport()
        self.sdk = openai_client(stack.proxy.url, http_client=openai.DefaultAsyncHttpxClient(transport=self.transport), **kw)
        self.rate_limit_error = openai.RateLimitError

    @staticmethod
    def items(turns: list[dict[str, Any]]) -> tuple[str | None, list[dict[str, Any]]]:
        instructions, out = None, []
        for t in turns:
            if "system" in t:
                instructions = t["system"]
            elif "user" in t:
                out.append({"role": "user", "content": t["user"]})
            elif "assistant" in t:
                out.append({"role": "assistant", "content": t["assistant"]})
            elif "call" in t:
                cid, name, args = t["call"]
                out.append({"type": "function_call", "call_id": cid, "name": name, "arguments": args})
            else:
                cid, text = t["result"]
                out.append({"type": "function_call_output", "call_id": cid, "output": text})
        return instructions, out

    async def ask(self, model: str, turns: list[dict[str, Any]], stream: bool = False, **extra: Any) -> Answer:
        instructions, items = self.items(turns)
        if instructions:
            extra["instructions"] = instructions
        if not stream:
            raw = await self.sdk.responses.with_raw_response.create(model=model, input=items, **extra)
            r = raw.parse()
            return Answer(r.output_text, dict(raw.headers), r.id, r.model, r.usage.input_tokens, r.usage.output_tokens, r.status)
        async with self.sdk.responses.with_streaming_response.create(model=model, input=items, stream=True, **extra) as raw:
            events = sse_data([ln async for ln in raw.iter_lines()])
            headers = dict(raw.headers)
        done = events[-1]
        assert done["type"] in ("response.completed", "response.incomplete"), done
        resp = done["response"]
        text = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
        return Answer(text, headers, resp["id"], resp["model"], resp["usage"]["input_tokens"], resp["usage"]["output_tokens"], resp["status"])

    @staticmethod
    def sent_turns(rec: dict[str, Any]) -> int:
        """How many conversation items an upstream request carried."""
        body = rec["json"]
        return len(body["input"]) if "input" in body else len(body["messages"])


class MessagesClient:
    api = "messages"
    upstream_path = "/chat/completions"  # the shipped default provider is OpenAI-compatible: translated

    def __init__(self, stack: "Stack", **kw: Any) -> None:
        self.transport = CountingTransport()
        self.sdk = stack.anthropic_with(http_client=anthropic.DefaultAsyncHttpxClient(transport=self.transport), **kw)
        self.rate_limit_error = anthropic.RateLimitError

    @staticmethod
    def messages(turns: list[dict[str, Any]]) -> tuple[str | None, list[dict[str, Any]]]:
        system, out = None, []

        def push(role: str, block: dict[str, Any]) -> None:
            if out and out[-1]["role"] == role:
                out[-1]["content"].append(block)
            else:
                out.append({"role": role, "content": [block]})

        import json

        for t in turns:
            if "system" in t:
                system = t["system"]
            elif "user" in t:
                push("user", {"type": "text", "text": t["user"]})
            elif "assistant" in t:
                push("assistant", {"type": "text", "text": t["assistant"]})
            elif "call" in t:
                cid, name, args = t["call"]
                push("assistant", {"type": "tool_use", "id": cid, "name": name, "input": json.loads(args)})
            else:
                cid, text = t["result"]
                push("user", {"type": "tool_result", "tool_use_id": cid, "content": text})
        return system, out

    async def ask(self, model: str, turns: list[dict[str, Any]], stream: bool = False, **extra: Any) -> Answer:
        system, msgs = self.messages(turns)
        if system:
            extra["system"] = system
        extra.setdefault("max_tokens", 400)
        if "temperature" in extra:  # still on the wire, but no longer a parameter of the SDK's create()
            extra["extra_body"] = {"temperature": extra.pop("temperature")}
        if not stream:
            raw = await self.sdk.messages.with_raw_response.create(model=model, messages=msgs, **extra)
            m = await raw.parse()
            text = "".join(b.text for b in m.content if b.type == "text")
            return Answer(text, dict(raw.headers), m.id, m.model, m.usage.input_tokens + (m.usage.cache_read_input_tokens or 0),
                          m.usage.output_tokens, str(m.stop_reason))
        async with self.sdk.messages.with_streaming_response.create(model=model, messages=msgs, stream=True, **extra) as raw:
            events = sse_data([ln async for ln in raw.iter_lines()])
            headers = dict(raw.headers)
        assert events[-1]["type"] == "message_stop", events[-1]
        start = events[0]["message"]
        delta = [e for e in events if e["type"] == "message_delta"][-1]
        text = "".join(e["delta"]["text"] for e in events if e["type"] == "content_block_delta" and e["delta"]["type"] == "text_delta")
        usage = delta["usage"]
        return Answer(text, headers, start["id"], start["model"], usage.get("input_tokens", start["usage"]["input_tokens"])
                      + (usage.get("cache_read_input_tokens") or 0), usage["output_tokens"], str(delta["delta"]["stop_reason"]))

    @staticmethod
    def sent_turns(rec: dict[str, Any]) -> int:
        body = rec["json"]
        return len(body["messages"])


CLIENTS = {"responses": ResponsesClient, "messages": MessagesClient}


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

    def client(self, api: str, **kw: Any) -> "ResponsesClient | MessagesClient":
        return CLIENTS[api](self, **kw)


@pytest.fixture
async def st(tmp_path: Path) -> Any:
    """A Stack for one test (import it into a test module to use it)."""
    s = await Stack.start(tmp_path)
    yield s
    await s.aclose()


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
