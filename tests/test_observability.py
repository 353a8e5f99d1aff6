"""Traces: a real OTLP/HTTP receiver on loopback decodes what Bulwark exports and checks the
span tree (SERVER -> plugin -> CLIENT), names, kinds, parentage, GenAI attributes, the
traceparent continuation and its forwarding upstream, for plain, streamed and fallen-back
requests; and that tracing off creates no spans."""
from __future__ import annotations

import asyncio
import sys
import types
from typing import Any

import openai
import pytest

from proxy.context import RequestContext, Target
from proxy.plugin import Next, Plugin
from proxy.response import ProxyResponse
from tests.helpers import base_config, openai_client, start_proxy, start_simulator
from tests.otlp_receiver import Receiver, Span

MSG = [{"role": "user", "content": "Say hi"}]
INCOMING_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
INCOMING_SPAN = "00f067aa0ba902b7"


class RetryOnBackup(Plugin):
    """Test-only stand-in for the fallback plugin: one retry on provider `backup` after a 5xx."""

    name = "obs_test_retry"

    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        try:
            resp = await call_next(ctx)
        except Exception as exc:  # a ProxyError from the provider
            if getattr(exc, "status", 0) < 500:
                raise
            ctx.target = Target("backup")
            return await call_next(ctx)
        if resp.status >= 500:
            await resp.aclose()
            ctx.target = Target("backup")
            return await call_next(ctx)
        return resp


_mod = types.ModuleType("plugins.obs_test_retry")
_mod.RetryOnBackup = RetryOnBackup  # type: ignore[attr-defined]
sys.modules["plugins.obs_test_retry"] = _mod


def traced(sim_url: str, receiver: Receiver, plugins: list[str], exporter: str = "otlp_http", **over: Any) -> dict[str, Any]:
    return base_config(sim_url, plugins=plugins, telemetry={
        "service_name": "bulwark-test",
        "tracing": {"enabled": True, "exporter": exporter, "endpoint": receiver.endpoint, "schedule_delay_ms": 50},
    }, **over)


# Both tracing engines: Bulwark's lightweight tracer (otlp_http) and the OpenTelemetry SDK (otlp_http_sdk).
ENGINES = pytest.mark.parametrize("exporter", ["otlp_http", "otlp_http_sdk"])


async def flush(proxy: Any) -> None:
    # The exporter thread posts to the receiver on this loop: never block the loop while it does.
    await asyncio.to_thread(proxy.state.current.telemetry.force_flush)


def by_kind(spans: list[Span], kind: str) -> list[Span]:
    return [s for s in spans if s.kind == kind]


@pytest.fixture
async def receiver() -> Any:
    r = await Receiver().start()
    yield r
    await r.aclose()


@ENGINES
async def test_plain_request_span_tree_and_traceparent(sim: Any, receiver: Receiver, exporter: str) -> None:
    proxy = await start_proxy(traced(sim.url, receiver, ["example"], exporter))
    try:
        client = openai_client(proxy.url)
        resp = await client.chat.completions.with_raw_response.create(
            model="gpt-4o", messages=MSG, temperature=0.2, max_tokens=50,
            extra_headers={"traceparent": f"00-{INCOMING_TRACE}-{INCOMING_SPAN}-01", "tracestate": "vendor=abc"},
        )
        completion = resp.parse()
        await flush(proxy)
        spans = await receiver.wait_for(lambda s: s.kind == "SERVER" and s.trace_id == INCOMING_TRACE)
        tree = receiver.trace(INCOMING_TRACE)
        server = spans[0]
        # SERVER continues the caller's trace
        assert server.parent_id == INCOMING_SPAN
        assert server.name == "POST /v1/chat/completions"
        assert server.resource["service.name"] == "bulwark-test"
        assert server.attributes["http.response.status_code"] == 200
        assert server.attributes["bulwark.outcome"] == "ok"
        # the client sees the upstream's x-request-id when it sent one; both are on the span
        assert resp.headers["x-request-id"] in (server.attributes["bulwark.request_id"], server.attributes.get("bulwark.upstream_request_id"))
        assert server.attributes["bulwark.cost_usd"] > 0
        # one plugin span under it, one CLIENT span under the plugin
        (plugin,) = [s for s in tree if s.name == "bulwark.plugin.example"]
        assert plugin.kind == "INTERNAL" and plugin.parent_id == server.span_id
        (client_span,) = by_kind(tree, "CLIENT")
        assert client_span.parent_id == plugin.span_id
        assert client_span.name == "chat gpt-4o"
        a = client_span.attributes
        assert a["gen_ai.operation.name"] == "chat"
        assert a["gen_ai.provider.name"] == "openai"
        assert a["gen_ai.request.model"] == "gpt-4o"
        assert a["gen_ai.request.stream"] is False
        assert a["gen_ai.request.temperature"] == pytest.approx(0.2)
        assert a["gen_ai.request.max_tokens"] == 50
        assert a["server.address"] == "127.0.0.1" and a["server.port"] == int(sim.url.split(":")[2].split("/")[0])
        assert a["gen_ai.response.id"] == completion.id
        assert a["gen_ai.response.model"] == completion.model
        assert a["gen_ai.usage.input_tokens"] == completion.usage.prompt_tokens
        assert a["gen_ai.usage.output_tokens"] == completion.usage.completion_tokens
        assert a["gen_ai.response.finish_reasons"] == ["stop"]
        assert client_span.status != "ERROR"
        assert "gen_ai.input.messages" not in a  # contents are opt-in
        # the upstream call carried the CLIENT span as its parent
        assert sim.requests[-1]["headers"]["traceparent"].startswith(f"00-{INCOMING_TRACE}-{client_span.span_id}-")
        assert sim.requests[-1]["headers"]["tracestate"] == "vendor=abc"
        # spans end in order: CLIENT within plugin within SERVER
        assert server.start <= plugin.start <= client_span.start <= client_span.end <= server.end
        assert len(tree) == 3
    finally:
        await proxy.aclose()


@ENGINES
async def test_streamed_request_spans_end_once_with_usage(sim: Any, receiver: Receiver, exporter: str) -> None:
    proxy = await start_proxy(traced(sim.url, receiver, ["example"], exporter))
    try:
        client = openai_client(proxy.url)
        stream = await client.chat.completions.create(model="gpt-4o-mini", messages=MSG, stream=True,
                                                      stream_options={"include_usage": True})
        ids, usage = set(), None
        async for chunk in stream:
            ids.add(chunk.id)
            usage = chunk.usage or usage
        await flush(proxy)
        servers = await receiver.wait_for(lambda s: s.kind == "SERVER")
        assert len(servers) == 1  # one request, one SERVER span, ended once
        server = servers[0]
        tree = receiver.trace(server.trace_id)
        clients = by_kind(tree, "CLIENT")
        assert len(clients) == 1
        c = clients[0]
        assert c.name == "chat gpt-4o-mini"
        assert c.attributes["gen_ai.request.stream"] is True
        assert c.attributes["gen_ai.response.id"] in ids
        assert c.attributes["gen_ai.usage.output_tokens"] == usage.completion_tokens
        assert c.attributes["gen_ai.usage.input_tokens"] == usage.prompt_tokens
        assert c.attributes["gen_ai.response.finish_reasons"] == ["stop"]
        assert c.attributes["gen_ai.response.time_to_first_chunk"] >= 0
        assert server.attributes["bulwark.time_to_first_chunk"] >= 0
        assert server.attributes["bulwark.example.events"] > 2  # a plugin decision as a bulwark.* attribute
        # the stream's spans end when the stream ends, after the plugin returned
        plugin = [s for s in tree if s.name == "bulwark.plugin.example"][0]
        assert c.parent_id == plugin.span_id
        assert c.end <= server.end and plugin.end <= server.end
        assert not server.parent_id  # no incoming traceparent: a new root
        assert sim.requests[-1]["headers"]["traceparent"].split("-")[2] == c.span_id
    finally:
        await proxy.aclose()


@ENGINES
async def test_fallback_once_two_client_spans(receiver: Receiver, exporter: str) -> None:
    primary = await start_simulator(fault="503")
    backup = await start_simulator(model_prefix="backup-")
    cfg = traced(primary.url, receiver, ["obs_test_retry", "example"], exporter, providers={
        "backup": {"type": "openai", "base_url": backup.url, "api_key_env": "BULWARK_TEST_UPSTREAM_KEY"},
    })
    cfg["providers"] = {"primary": cfg["providers"].pop("sim"), "backup": cfg["providers"]["backup"]}
    proxy = await start_proxy(cfg)
    try:
        client = openai_client(proxy.url)
        completion = await client.chat.completions.create(model="gpt-4o", messages=MSG)
        assert completion.model.startswith("backup-")
        await flush(proxy)
        (server,) = await receiver.wait_for(lambda s: s.kind == "SERVER")
        tree = receiver.trace(server.trace_id)
        (retry,) = [s for s in tree if s.name == "bulwark.plugin.obs_test_retry"]
        assert retry.parent_id == server.span_id
        examples = [s for s in tree if s.name == "bulwark.plugin.example"]
        assert len(examples) == 2 and all(e.parent_id == retry.span_id for e in examples)
        clients = sorted(by_kind(tree, "CLIENT"), key=lambda s: s.start)
        assert len(clients) == 2
        first, second = clients
        assert {first.parent_id, second.parent_id} == {e.span_id for e in examples}
        assert first.name == second.name == "chat gpt-4o"
        assert first.attributes["error.type"] == "503" and first.status == "ERROR"
        assert first.attributes["http.response.status_code"] == 503
        assert "gen_ai.response.id" not in first.attributes
        assert second.attributes["bulwark.provider"] == "backup"
        assert second.attributes["gen_ai.response.id"] == completion.id
        assert second.attributes["gen_ai.response.model"] == completion.model
        assert second.attributes["server.port"] != first.attributes["server.port"]
        assert server.attributes["bulwark.attempts"] == 2
        assert server.attributes["bulwark.fallback.reason"] == "http_503"
        assert server.status != "ERROR"
        # each attempt forwarded its own CLIENT span
        assert primary.requests[-1]["headers"]["traceparent"].split("-")[2] == first.span_id
        assert backup.requests[-1]["headers"]["traceparent"].split("-")[2] == second.span_id
    finally:
        await proxy.aclose()
        await primary.aclose()
        await backup.aclose()


async def test_record_content_opt_in_and_sampling_off(sim: Any, receiver: Receiver) -> None:
    cfg = traced(sim.url, receiver, [])
    cfg["telemetry"]["tracing"]["record_content"] = True
    proxy = await start_proxy(cfg)
    try:
        client = openai_client(proxy.url)
        await client.chat.completions.create(model="gpt-4o", messages=MSG)
        await flush(proxy)
        (c,) = await receiver.wait_for(lambda s: s.kind == "CLIENT")
        assert "Say hi" in c.attributes["gen_ai.input.messages"]
        (server,) = [s for s in receiver.spans if s.kind == "SERVER"]
        assert c.parent_id == server.span_id  # no plugins: CLIENT directly under SERVER
    finally:
        await proxy.aclose()
    # sample_ratio 0: nothing exported, but the caller's trace still propagates upstream
    cfg = traced(sim.url, receiver, ["example"])
    cfg["telemetry"]["tracing"]["sample_ratio"] = 0.0
    receiver.spans.clear()
    proxy = await start_proxy(cfg)
    try:
        client = openai_client(proxy.url)
        await client.chat.completions.create(model="gpt-4o", messages=MSG)
        await flush(proxy)
        await asyncio.sleep(0.1)
        assert receiver.spans == []
        tp = sim.requests[-1]["headers"]["traceparent"]
        assert tp.startswith("00-") and int(tp.split("-")[3], 16) & 1 == 0  # not sampled
    finally:
        await proxy.aclose()


async def test_tracing_off_creates_no_spans(sim: Any) -> None:
    proxy = await start_proxy(base_config(sim.url, plugins=["example"]))
    try:
        tel = proxy.state.current.telemetry
        assert tel.tracer is None and proxy.services.tracer is None
        seen: list[Any] = []
        orig = tel.request_finished

        def spy(ctx: RequestContext, *a: Any, **k: Any) -> None:
            seen.append((ctx.span, ctx.trace_headers))
            orig(ctx, *a, **k)

        tel.request_finished = spy  # type: ignore[method-assign]
        client = openai_client(proxy.url)
        await client.chat.completions.create(model="gpt-4o", messages=MSG)
        stream = await client.chat.completions.create(model="gpt-4o", messages=MSG, stream=True)
        async for _ in stream:
            pass
        assert seen == [(None, None), (None, None)]
        assert "traceparent" not in sim.requests[-1]["headers"]
    finally:
        await proxy.aclose()


@ENGINES
async def test_upstream_error_marks_client_and_server_spans(receiver: Receiver, exporter: str) -> None:
    bad = await start_simulator(fault="500")
    proxy = await start_proxy(traced(bad.url, receiver, [], exporter))
    try:
        client = openai_client(proxy.url)
        with pytest.raises(openai.InternalServerError):
            await client.chat.completions.create(model="gpt-4o", messages=MSG)
        await flush(proxy)
        (server,) = await receiver.wait_for(lambda s: s.kind == "SERVER")
        (c,) = [s for s in receiver.trace(server.trace_id) if s.kind == "CLIENT"]
        assert c.status == "ERROR" and c.attributes["error.type"] == "500"
        assert server.attributes["http.response.status_code"] == 500
        assert server.status == "ERROR"
    finally:
        await proxy.aclose()
        await bad.aclose()


async def test_standard_otel_env_vars(sim: Any, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{receiver.port}")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "bulwark-from-env")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-tenant=acme")
    proxy = await start_proxy(base_config(sim.url, telemetry={"tracing": {"enabled": True, "schedule_delay_ms": 50}}))
    try:
        await openai_client(proxy.url).chat.completions.create(model="gpt-4o", messages=MSG)
        await flush(proxy)
        (server,) = await receiver.wait_for(lambda s: s.kind == "SERVER")
        assert server.resource["service.name"] == "bulwark-from-env"
    finally:
        await proxy.aclose()
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    proxy = await start_proxy(base_config(sim.url, telemetry={"tracing": {"enabled": True}}))
    try:
        assert proxy.state.current.telemetry.tracer is None
    finally:
        await proxy.aclose()


def test_fast_encoder_matches_the_sdk_encoder() -> None:
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, Status, StatusCode, TraceFlags, set_span_in_context

    from proxy.observability.otlp import encode_request

    exp = InMemorySpanExporter()
    tp = TracerProvider(resource=Resource.create({"service.name": "enc-test", "deployment.environment": "test"}))
    tp.add_span_processor(SimpleSpanProcessor(exp))
    tracer = tp.get_tracer("bulwark", "1.0")
    remote = set_span_in_context(NonRecordingSpan(SpanContext(0xABC, 0xDEF, is_remote=True, trace_flags=TraceFlags(1))))
    attrs = {"s": "välue", "b": True, "f": False, "i": -5, "big": 2**62, "d": 1.25, "ss": ["stop", "length"], "ds": [1.0, 2.5],
             "long": "x" * 300}
    server = tracer.start_span("POST /v1/chat/completions", context=remote, kind=SpanKind.SERVER, attributes=attrs)
    plugin = tracer.start_span("bulwark.plugin.x", context=set_span_in_context(server))
    client = tracer.start_span("chat gpt-4o", context=set_span_in_context(plugin), kind=SpanKind.CLIENT, attributes={"n": 1})
    client.add_event("gen_ai.first_chunk", {"t": 0.5})
    client.set_status(Status(StatusCode.ERROR, "upstream 503"))
    client.end()
    plugin.end()
    server.set_status(Status(StatusCode.OK))
    server.end()
    spans = exp.get_finished_spans()
    mine, ref = ExportTraceServiceRequest(), ExportTraceServiceRequest()
    mine.ParseFromString(encode_request(spans))
    ref.ParseFromString(encode_spans(spans).SerializePartialToString())
    got = [s for rs in mine.resource_spans for ss in rs.scope_spans for s in ss.spans]
    want = [s for rs in ref.resource_spans for ss in rs.scope_spans for s in ss.spans]
    assert len(got) == len(want) == 3
    for g, w in zip(got, want):
        # OTLP puts the W3C trace flags in the low byte of `flags`; the SDK encoder leaves them out
        assert g.flags & 0xFF == 1 and g.flags & 0xFF00 == w.flags & 0xFF00
        g.flags = w.flags
        assert g == w
    assert mine.resource_spans[0].resource == ref.resource_spans[0].resource
    assert mine.resource_spans[0].scope_spans[0].scope == ref.resource_spans[0].scope_spans[0].scope


async def test_cancelled_stream_ends_spans_once(sim: Any, receiver: Receiver) -> None:
    proxy = await start_proxy(traced(sim.url, receiver, ["example"]))
    try:
        import aiohttp

        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Write a long story " * 5}], "stream": True, "max_tokens": 400}
        async with aiohttp.ClientSession() as http:
            resp = await http.post(proxy.url + "/chat/completions", json=body,
                                   headers={"Authorization": "Bearer sk-test", "x-sim-delay-ms": "30"})
            assert resp.status == 200
            await resp.content.readline()  # the first event arrived
            resp.close()  # the client goes away mid-stream
        await flush(proxy)
        (server,) = await receiver.wait_for(lambda s: s.kind == "SERVER")
        await asyncio.sleep(0.2)
        await flush(proxy)
        tree = receiver.trace(server.trace_id)
        assert [s.kind for s in tree].count("SERVER") == 1 and [s.kind for s in tree].count("CLIENT") == 1
        assert server.attributes["bulwark.outcome"] == "client_gone"
        (c,) = [s for s in tree if s.kind == "CLIENT"]
        assert c.end <= server.end
        assert "gen_ai.response.time_to_first_chunk" in c.attributes
    finally:
        await proxy.aclose()
