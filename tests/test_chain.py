"""The plugin chain machinery: order, short-circuit, rewrite, replacement, stream wrapping, shadow."""
from __future__ import annotations

from typing import Any, AsyncIterator

import pytest
from multidict import CIMultiDict

from proxy.config import parse_config
from proxy.context import CHAT, EMBEDDINGS, RequestContext
from proxy.errors import ConfigError, RateLimited
from proxy.plugin import Next, Plugin, PluginConfig, build_chain
from proxy.registry import build_plugins
from proxy.response import ProxyResponse
from proxy.sse import SSEEvent


def make_ctx(body: bytes = b'{"model":"m","messages":[]}', endpoint: str = CHAT) -> RequestContext:
    return RequestContext(request_id="req_t", endpoint=endpoint, method="POST", path="/chat/completions",
                          query_string="", headers=CIMultiDict(), raw_body=body)


class Recorder(Plugin):
    def __init__(self, tag: str, log: list[str], mode: str = "enforce", endpoints: list[str] | None = None) -> None:
        super().__init__(PluginConfig(mode=mode, endpoints=endpoints or [CHAT]), None)
        self.name = tag  # type: ignore[misc]
        self.log = log

    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        self.log.append(f"{self.name}:before")
        resp = await call_next(ctx)
        self.log.append(f"{self.name}:after")
        return resp


def upstream(log: list[str], seen: list[bytes]):
    async def innermost(ctx: RequestContext) -> ProxyResponse:
        log.append("upstream")
        seen.append(ctx.body_bytes())
        return ProxyResponse.from_json({"ok": True})
    return innermost


async def test_order_first_is_outermost():
    log: list[str] = []
    chain = build_chain([Recorder("a", log), Recorder("b", log)], upstream(log, []))
    await chain(make_ctx())
    assert log == ["a:before", "b:before", "upstream", "b:after", "a:after"]


async def test_plugin_skipped_for_other_endpoints():
    log: list[str] = []
    chain = build_chain([Recorder("a", log, endpoints=[EMBEDDINGS])], upstream(log, []))
    await chain(make_ctx())
    assert log == ["upstream"]


class Reject(Plugin):
    name = "reject"

    async def __call__(self, ctx, call_next):
        raise RateLimited("slow down")


async def test_short_circuit_never_reaches_upstream():
    log: list[str] = []
    chain = build_chain([Recorder("a", log), Reject(PluginConfig(), None)], upstream(log, []))
    with pytest.raises(RateLimited):
        await chain(make_ctx())
    assert "upstream" not in log


class Rewrite(Plugin):
    name = "rewrite"

    async def __call__(self, ctx, call_next):
        ctx.set_body({**ctx.body, "temperature": 0})
        return await call_next(ctx)


async def test_request_rewrite_and_untouched_body_is_byte_identical():
    seen: list[bytes] = []
    raw = b'{"model":"m",   "messages":[]}'
    await build_chain([], upstream([], seen))(make_ctx(raw))
    assert seen[-1] == raw
    await build_chain([Rewrite(PluginConfig(), None)], upstream([], seen))(make_ctx(raw))
    assert seen[-1] == b'{"model":"m","messages":[],"temperature":0}'


class Replace(Plugin):
    name = "replace"

    async def __call__(self, ctx, call_next):
        resp = await call_next(ctx)
        return ProxyResponse.from_json({"replaced": True, "was": resp.json()})


async def test_response_replacement():
    resp = await build_chain([Replace(PluginConfig(), None)], upstream([], []))(make_ctx())
    assert resp.json() == {"replaced": True, "was": {"ok": True}}


class Upper(Plugin):
    name = "upper"

    async def __call__(self, ctx, call_next):
        resp = await call_next(ctx)
        resp.stream = self._wrap(resp.stream)
        return resp

    async def _wrap(self, events: AsyncIterator[SSEEvent]) -> AsyncIterator[SSEEvent]:
        async for ev in events:
            if ev.is_done:
                yield ev
            else:
                yield SSEEvent.from_json({"text": ev.json()["text"].upper()})


async def test_stream_wrapping_is_lazy_and_ordered():
    produced: list[int] = []

    async def gen():
        for i, t in enumerate(["a", "b"]):
            produced.append(i)
            yield SSEEvent.from_json({"text": t})
        yield SSEEvent.done()

    async def innermost(ctx):
        return ProxyResponse.from_events(gen())

    resp = await build_chain([Upper(PluginConfig(), None)], innermost)(make_ctx())
    assert produced == []  # nothing drained before the edge reads
    out = [ev async for ev in resp.stream]
    assert [e.json()["text"] for e in out[:-1]] == ["A", "B"] and out[-1].is_done


async def test_shadow_mode_records_but_never_changes_traffic():
    seen: list[bytes] = []
    raw = b'{"model":"m", "messages":[]}'
    ctx = make_ctx(raw)
    chain = build_chain([Reject(PluginConfig(mode="shadow"), None)], upstream([], seen))
    resp = await chain(ctx)
    assert resp.json() == {"ok": True} and ctx.decisions["reject"]["would_reject"] == 429
    ctx = make_ctx(raw)
    await build_chain([Rewrite(PluginConfig(mode="shadow"), None)], upstream([], seen))(ctx)
    assert seen[-1] == raw and ctx.decisions["rewrite"]["would_rewrite"]
    ctx = make_ctx(raw)
    resp = await build_chain([Replace(PluginConfig(mode="shadow"), None)], upstream([], seen))(ctx)
    assert resp.json() == {"ok": True} and ctx.decisions["replace"]["would_replace_response"]


def test_registry_validates_plugin_sections_with_key_paths():
    base = {"providers": {"p": {"type": "openai", "base_url": "http://127.0.0.1:1/v1"}}}
    cfg = parse_config({**base, "chain": {"plugins": ["example"]}, "plugins": {"example": {"mode": "loud"}}})
    with pytest.raises(ConfigError, match=r"plugins\.example\.mode"):
        build_plugins(cfg, None)
    cfg = parse_config({**base, "chain": {"plugins": ["nope"]}})
    with pytest.raises(ConfigError, match="no plugin named 'nope'"):
        build_plugins(cfg, None)
    cfg = parse_config({**base, "chain": {"plugins": []}, "plugins": {"example": {}}})
    with pytest.raises(ConfigError, match="not listed in chain.plugins"):
        build_plugins(cfg, None)
    cfg = parse_config({**base, "chain": {"plugins": ["example"]}, "plugins": {"example": {"enabled": False}}})
    assert build_plugins(cfg, None) == []


def test_config_errors_name_the_key_path(monkeypatch):
    with pytest.raises(ConfigError, match=r"providers\.p\.timeouts\.idle"):
        parse_config({"providers": {"p": {"type": "openai", "base_url": "http://x/v1", "timeouts": {"idle": -1}}}})
    with pytest.raises(ConfigError, match=r"server\.prot: unknown setting"):
        parse_config({"server": {"prot": 1}, "providers": {"p": {"base_url": "http://x/v1"}}})
    with pytest.raises(ConfigError, match=r"providers\.p\.base_url: environment variable NOPE_UNSET"):
        parse_config({"providers": {"p": {"base_url": "${NOPE_UNSET}"}}})
    monkeypatch.setenv("UP_URL", "http://up:1/v1")
    cfg = parse_config({"providers": {"p": {"base_url": "${UP_URL}", "api_key_env": "${MISSING:-OPENAI_API_KEY}"}}})
    assert cfg.providers["p"].base_url == "http://up:1/v1" and cfg.providers["p"].api_key_env == "OPENAI_API_KEY"


def test_default_proxy_toml_is_valid(monkeypatch):
    from pathlib import Path

    from proxy.generation import Generation
    from proxy.config import load_config

    cfg = load_config(Path(__file__).parent.parent / "proxy.toml")
    gen = Generation(cfg)
    assert gen.plugins, "the demo config enables plugins"
    assert any(k.key == "sk-bulwark-demo" for k in cfg.auth.keys)


async def test_sse_splitter_handles_crlf_mixed_and_long_lines():
    from proxy.sse import SSESplitter

    big = "x" * 300_000
    data = f'data: {{"a":"{big}"}}\r\n\r\ndata: {{"b":1}}\n\n: ping\n\ndata: [DONE]\n\n'.encode()
    sp = SSESplitter()
    events = []
    for i in range(0, len(data), 7):  # arbitrary split points
        events.extend(sp.feed(data[i:i + 7]))
    assert [e.is_comment for e in events] == [False, False, True, False]
    assert events[0].json()["a"] == big and events[1].json() == {"b": 1} and events[3].is_done
    assert b"".join(e.raw for e in events) == data  # byte-exact relay


def test_sse_splitter_reads_a_chunk_of_many_events_once(monkeypatch: Any) -> None:
    """An upstream that writes its whole stream at once hands the splitter thousands of events
    in one chunk. Each terminator search must stop at the event it finds: searching every kind
    of terminator to the buffer's end made a 9,000-event chunk cost O(events x buffer)
    (a streamed 56k-character answer: 28 s of CPU). Counted in bytes searched, not timed."""
    from proxy import sse

    events = b"".join(b'data: {"i":%d}\n\n' % i for i in range(3000))
    crlf = b"".join(b'data: {"i":%d}\r\n\r\n' % i for i in range(3000))
    for data in (events, crlf):
        searched = [0]

        class Counting(bytearray):
            def find(self, sub: Any, start: int = 0, end: int | None = None) -> int:  # type: ignore[override]
                i = bytearray.find(self, sub, start, len(self) if end is None else end)
                searched[0] += ((i + len(sub)) if i >= 0 else (len(self) if end is None else end)) - start
                return i

        class CountingSearch:  # the same count for a regex search
            def __init__(self, rx: Any) -> None:
                self.rx = rx

            def search(self, buf: Any, start: int = 0) -> Any:
                m = self.rx.search(buf, start)
                searched[0] += (m.end() if m is not None else len(buf)) - start
                return m

        if hasattr(sse, "_TERMINATOR"):
            monkeypatch.setattr(sse, "_TERMINATOR", CountingSearch(sse._TERMINATOR))
        sp = sse.SSESplitter()
        sp._buf = Counting()
        out = list(sp.feed(data))
        assert len(out) == 3000 and out[-1].json() == {"i": 2999}
        assert b"".join(e.raw for e in out) == data
        assert 0 < searched[0] < 10 * len(data), searched[0]  # linear: a few passes over the chunk at most
