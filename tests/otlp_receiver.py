"""A real OTLP/HTTP (protobuf) trace receiver on loopback for tests: decodes
`ExportTraceServiceRequest` bodies with opentelemetry-proto and keeps the spans."""
from __future__ import annotations

import asyncio
import gzip
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1 import trace_pb2


def any_value(v: AnyValue) -> Any:
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return [any_value(x) for x in v.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: any_value(kv.value) for kv in v.kvlist_value.values}
    return getattr(v, kind) if kind else None


@dataclass
class Span:
    name: str
    kind: str
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, Any]
    status: str
    start: int
    end: int
    resource: dict[str, Any] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)


class Receiver:
    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.posts = 0
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> "Receiver":
        app = web.Application()
        app.router.add_post("/v1/traces", self.traces)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/traces"

    async def traces(self, request: web.Request) -> web.Response:
        assert request.content_type == "application/x-protobuf", request.content_type
        body = await request.read()
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        msg = trace_service_pb2.ExportTraceServiceRequest()
        msg.ParseFromString(body)
        self.posts += 1
        for rs in msg.resource_spans:
            res = {kv.key: any_value(kv.value) for kv in rs.resource.attributes}
            for ss in rs.scope_spans:
                for s in ss.spans:
                    self.spans.append(Span(
                        name=s.name,
                        kind=trace_pb2.Span.SpanKind.Name(s.kind).removeprefix("SPAN_KIND_"),
                        trace_id=s.trace_id.hex(), span_id=s.span_id.hex(), parent_id=s.parent_span_id.hex(),
                        attributes={kv.key: any_value(kv.value) for kv in s.attributes},
                        status=trace_pb2.Status.StatusCode.Name(s.status.code).removeprefix("STATUS_CODE_"),
                        start=s.start_time_unix_nano, end=s.end_time_unix_nano, resource=res,
                        events=[e.name for e in s.events],
                    ))
        out = trace_service_pb2.ExportTraceServiceResponse()
        return web.Response(body=out.SerializeToString(), content_type="application/x-protobuf")

    async def wait_for(self, pred: Any, timeout: float = 10.0) -> list[Span]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            got = [s for s in self.spans if pred(s)]
            if got:
                return got
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no matching span arrived; have {[s.name for s in self.spans]}")
            await asyncio.sleep(0.02)

    def trace(self, trace_id: str) -> list[Span]:
        return [s for s in self.spans if s.trace_id == trace_id]

    async def aclose(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
