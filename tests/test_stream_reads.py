"""A guarded stream is checked once per upstream read, not once per event, and written once per read.

An upstream read often holds many events (a provider that writes quickly, or a loaded proxy
that reads after several arrived). The guard's span checks (claims, deny patterns) cost tens of
microseconds each; run per event they were most of a stream's validation CPU. Events from one
read are marked (`SSEEvent.more`), and the guard checks when the last of them has arrived:
nothing is released later than before, since the next event of the same read is already there.
Through the SHIPPED proxy.toml, on both state backends, for each wire API:
- a stream written at once is checked a few times (per read), and arrives whole and in order;
- a stream whose events arrive apart is still checked at every event (nothing waits for a later read);
- a fabricated number in a stream written at once is still kept from the client;
- the edge writes the events the guard releases together in one write (one send), except the
  first output, which goes out as soon as it is seen; events that arrive apart go out as they come.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any, AsyncIterator

import anthropic
import pytest
from aiohttp import web

from plugins.validate.checks import TextChecks
from tests.helpers import openai_client
from tests.shipped import shipped_proxy

WORDS = 48
ANSWER = " ".join(f"word{i}" if i % 2 else "river" for i in range(WORDS)) + "."


@pytest.fixture(params=["memory", "redis"])
async def proxy(request: Any, sim: Any, tmp_path: Path, unique_prefix: str, redis_url: str) -> Any:
    async with shipped_proxy(request.param, sim, tmp_path, unique_prefix, redis_url) as p:
        yield p


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = TextChecks.step

    def counting(self: TextChecks, text: str, released: int, final: bool) -> Any:
        calls.append(len(text))
        return real(self, text, released, final)

    monkeypatch.setattr(TextChecks, "step", counting)
    return calls


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Sizes of the proxy's stream writes to its clients (the test clients' reads are not counted)."""
    sizes: list[int] = []
    real = web.StreamResponse.write

    async def counting(self: web.StreamResponse, data: Any) -> None:
        if self.headers.get("Content-Type", "").startswith("text/event-stream") and "x-bulwark-request-id" in {
                k.lower() for k in self.headers}:
            sizes.append(len(data))
        await real(self, data)

    monkeypatch.setattr(web.StreamResponse, "write", counting)
    return sizes


async def streamed_text(proxy: Any, api: str, question: str) -> str:
    if api == "messages":
        claude = anthropic.AsyncAnthropic(base_url=proxy.base, api_key="sk-trusted", max_retries=0)
        async with claude.messages.stream(model="claude-sonnet-4-5", max_tokens=256,
                                          messages=[{"role": "user", "content": question}]) as s:
            return await s.get_final_text()
    client = openai_client(proxy.url, key="sk-trusted")
    if api == "responses":
        events = [e async for e in await client.responses.create(model="gpt-4o-mini", input=question, stream=True)]
        assert events[-1].type == "response.completed"
        return "".join(e.delta for e in events if e.type == "response.output_text.delta")
    chunks = [c async for c in await client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}], stream=True)]
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


@pytest.mark.parametrize("api", ["chat", "responses", "messages"])
async def test_a_stream_written_at_once_is_checked_per_read(proxy: Any, sim: Any, steps: list[int], writes: list[int],
                                                         api: str) -> None:
    sim.script("rivers", [{"content": ANSWER}])
    assert await streamed_text(proxy, api, "Tell me about rivers.") == ANSWER
    # one write of ~50 events: one read (a few, if the socket splits it), plus the finish
    assert 1 <= len(steps) <= 6, steps
    assert 1 <= len(writes) <= 8, writes  # was one write per event
    assert writes[0] < sum(writes) / 3, writes  # the first output is not held for the rest of the read


@pytest.mark.parametrize("api", ["chat", "responses", "messages"])
async def test_events_that_arrive_apart_are_each_checked_as_they_come(proxy: Any, sim: Any, steps: list[int], writes: list[int],
                                                                     api: str) -> None:
    sim.script("rivers", [{"content": ANSWER}])
    sim.state.delay_s = 0.002  # the simulator writes each event on its own, 2 ms apart
    assert await streamed_text(proxy, api, "Tell me about rivers.") == ANSWER
    assert len(steps) >= WORDS * 0.8, len(steps)  # ~one per event: no event waited for the next read
    assert steps == sorted(steps)
    # and each release went out as it came (the guard releases a word when the next one starts,
    # so about one write per two events here; written at once, the same answer took <= 8)
    assert len(writes) >= WORDS // 3, len(writes)


@pytest.mark.parametrize("api", ["chat", "responses", "messages"])
async def test_a_fabricated_number_in_a_stream_written_at_once_is_kept_from_the_client(
        proxy: Any, sim: Any, steps: list[int], api: str) -> None:
    sim.script("my balance", [{"content": "Your balance on ACC-55012345 is $127,549. Anything else I can help with today?"},
                              {"content": "Your balance on ACC-55012345 is $47.15. Anything else I can help with today?"}])
    text = await streamed_text(proxy, api, "My statement for ACC-55012345 says: balance 47.15 USD. What is my balance?")
    assert "127,549" not in text and "47.15" in text
    assert 1 <= len(steps) <= 12, steps


# -- nothing released waits for a later read (a gated upstream: the next read comes only once
#    the client has what the previous one released; held text would deadlock, caught by a bound) --

def chunk(content: str | None = None, finish: str | None = None, role: str | None = None) -> bytes:
    delta: dict[str, Any] = {}
    if role:
        delta["role"] = role
    if content is not None:
        delta["content"] = content
    obj = {"id": "chatcmpl-gated", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini",
           "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


class GatedUpstream:
    """An OpenAI face whose n-th request writes its reads one by one: `reads[n]` is a list of
    byte blocks, each written at once; between blocks (and before the end of the body) it waits
    for `gate`, which the test opens when the client has seen what it must see."""

    def __init__(self, reads: list[list[bytes]]) -> None:
        self.reads, self.gate, self.requests = reads, asyncio.Event(), 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        await request.read()
        blocks = self.reads[min(self.requests, len(self.reads) - 1)]
        self.requests += 1
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        for i, block in enumerate(blocks):
            if i:
                await self.gate.wait()
            await resp.write(block)
        await self.gate.wait()
        await resp.write_eof()
        return resp

    async def __aenter__(self) -> "GatedUpstream":
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        self.url = self.base + "/v1"
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.gate.set()
        await self.runner.cleanup()


async def text_before_the_gate_opens(proxy: Any, up: GatedUpstream, question: str, expected: str) -> str:
    """Stream through the proxy; once `expected` has arrived, open the gate; the whole text."""
    client = openai_client(proxy.url, key="sk-trusted")
    text = ""
    stream = await client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}], stream=True)

    async def read() -> str:
        nonlocal text
        async for c in stream:
            if c.choices and c.choices[0].delta.content:
                text += c.choices[0].delta.content
                if expected in text:
                    up.gate.set()
        return text

    try:
        return await asyncio.wait_for(read(), 20)
    except asyncio.TimeoutError:
        raise AssertionError(f"{expected!r} was held back until a later read (got {text!r} while the upstream waited)") from None


@contextlib.asynccontextmanager
async def gated_proxy(backend: str, reads: list[list[bytes]], tmp_path: Path, unique_prefix: str, redis_url: str,
                      **over: Any) -> AsyncIterator[tuple[Any, GatedUpstream]]:
    async with GatedUpstream(reads) as up:
        async with shipped_proxy(backend, up, tmp_path, unique_prefix, redis_url, **over) as p:
            yield p, up


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_text_of_a_read_that_ends_in_a_keepalive_goes_out_before_the_next_read(
        backend: str, tmp_path: Path, unique_prefix: str, redis_url: str) -> None:
    reads = [[chunk(role="assistant", content="") + chunk(content="Hello there, dear friend. ") + b": keepalive\n\n",
              chunk(content="Goodbye now.") + chunk(finish="stop") + b"data: [DONE]\n\n"]]
    async with gated_proxy(backend, reads, tmp_path, unique_prefix, redis_url) as (p, up):
        text = await text_before_the_gate_opens(p, up, "Say hello.", "Hello there")
    assert text == "Hello there, dear friend. Goodbye now."


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_text_before_a_failing_claim_goes_out_before_the_regeneration(
        backend: str, tmp_path: Path, unique_prefix: str, redis_url: str) -> None:
    first = chunk(role="assistant", content="") + chunk(content="Thanks for asking about your statement today. ") + \
        chunk(content="Your balance on ACC-55012345 is $127,549. ") + chunk(finish="stop") + b"data: [DONE]\n\n"
    # the regeneration (the second request) answers only once the first sentence has reached the client
    regenerated = [b"", chunk(role="assistant", content="") + chunk(content="Your balance on ACC-55012345 is $47.15. ") +
                   chunk(finish="stop") + b"data: [DONE]\n\n"]
    async with gated_proxy(backend, [[first], regenerated], tmp_path, unique_prefix, redis_url) as (p, up):
        text = await text_before_the_gate_opens(
            p, up, "My statement for ACC-55012345 says: balance 47.15 USD. What is my balance?", "Thanks for asking")
        assert up.requests == 2
    assert "127,549" not in text and text.startswith("Thanks for asking about your statement today. ") and "47.15" in text


@pytest.mark.parametrize("backend", ["memory", "redis"])
@pytest.mark.parametrize("mode", ["passthrough", "shadow"])
async def test_an_unguarded_stream_ends_for_the_client_before_the_upstream_closes(
        backend: str, mode: str, tmp_path: Path, unique_prefix: str, redis_url: str) -> None:
    """Passthrough (and shadow) validate after the end: the answer's last events go out first."""
    reads = [[chunk(role="assistant", content="") + chunk(content="All ") + chunk(content="done here.") +
              chunk(finish="stop") + b"data: [DONE]\n\n"]]  # then the upstream keeps the body open until the gate
    over = {"plugins": {"validate": {"mode": "shadow"}}} if mode == "shadow" else {"plugins": {"validate": {"stream_mode": "passthrough"}}}
    async with gated_proxy(backend, reads, tmp_path, unique_prefix, redis_url, **over) as (p, up):
        text = await text_before_the_gate_opens(p, up, "Are you done?", "done here.")
    assert text == "All done here."
