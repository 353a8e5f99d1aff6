"""The edge: the only place that touches aiohttp's response objects.

Copies headers (upstream's, less hop-by-hop, plus what plugins put in
`ctx.response_headers`, plus `x-request-id`), then writes a JSON body, relays SSE events
byte for byte, or relays raw bytes. After a stream's headers went out an error can only go
in-band: a `data: {"error": ...}` event, then the stream closes (never a quiet normal end).
"""
from __future__ import annotations

import logging

import orjson
from aiohttp import web
from multidict import CIMultiDict

from .context import CHAT, COMPLETIONS, EMBEDDINGS, RequestContext
from .errors import ProxyError, UpstreamStreamError, error_body
from .response import ProxyResponse
from .sse import SSEEvent

log = logging.getLogger("bulwark")

_CLIENT_GONE = (ConnectionResetError, ConnectionError)
_PRICED = frozenset((CHAT, COMPLETIONS, EMBEDDINGS))


def final_headers(ctx: RequestContext, resp: ProxyResponse) -> CIMultiDict[str]:
    headers = resp.headers
    for k, v in ctx.response_headers.items():
        headers[k] = v
    if "x-request-id" not in headers:
        headers["x-request-id"] = ctx.request_id
    # Bulwark's own id (logs, review queue, tickets) even when the upstream's id is relayed.
    headers["x-bulwark-request-id"] = ctx.request_id
    if resp.provider and "x-bulwark-provider" not in headers:
        headers["x-bulwark-provider"] = resp.provider
    if ctx.endpoint in _PRICED and resp.stream is None and resp.raw_stream is None:
        # What this answer cost, over every attempt the provider billed (streams: in the
        # span and the access log, since their headers leave before the end).
        headers["x-bulwark-cost-usd"] = f"{ctx.cost_usd:.6f}"
    services = ctx.services
    if services is not None and services.config.server.debug_headers and ctx.decisions:
        # Operators' debugging aid (off by default): what every plugin decided, compact.
        headers["x-bulwark-decisions"] = orjson.dumps(ctx.decisions, default=str).decode()[:4096]
    return headers


def error_response(exc: ProxyError, ctx: RequestContext | None, request_id: str) -> web.Response:
    headers = {"x-request-id": request_id, "x-bulwark-request-id": request_id, **exc.headers}
    if ctx is not None:
        for k, v in ctx.response_headers.items():
            headers.setdefault(k, v)
    return web.Response(status=exc.status, body=exc.body_bytes(), content_type="application/json", headers=headers)


class StreamOutcome:
    """What happened to a relayed stream (for telemetry and accounting)."""

    __slots__ = ("status", "outcome", "error_type")

    def __init__(self, status: int) -> None:
        self.status = status
        self.outcome = "ok"
        self.error_type: str | None = None


async def send(request: web.Request, ctx: RequestContext, resp: ProxyResponse, telemetry: object) -> tuple[web.StreamResponse, StreamOutcome]:
    headers = final_headers(ctx, resp)
    result = StreamOutcome(resp.status)
    if resp.stream is None and resp.raw_stream is None:
        headers.popall("Content-Length", None)
        return web.Response(status=resp.status, body=resp.body or b"", headers=headers), result

    out = web.StreamResponse(status=resp.status, headers=headers)
    out.headers.popall("Content-Length", None)
    try:
        await out.prepare(request)
        if resp.stream is not None:
            first = True
            try:
                async for ev in resp.stream:
                    if first:
                        first = False
                        telemetry.first_chunk(ctx)  # type: ignore[attr-defined]
                    await out.write(ev.raw)
            except ProxyError as exc:
                # Headers are gone: say it in-band and close; never end as if it were complete.
                result.outcome = "stream_error"
                result.error_type = getattr(exc, "reason", None) or exc.code or type(exc).__name__
                log.warning("request %s: stream ended with an error: %s", ctx.request_id, exc.message)
                body = error_body(exc.message, exc.type, exc.code, exc.param)
                await out.write(SSEEvent.from_json(body).raw)
            except _CLIENT_GONE:
                raise
            except Exception:
                # A bug in a stream wrapper: still an explicit end, never a silent cut.
                log.exception("request %s: unexpected error inside a stream", ctx.request_id)
                result.outcome = "error"
                result.error_type = "internal"
                body = error_body(f"Bulwark hit an internal error mid-stream. Quote request id {ctx.request_id} to your operator.", "api_error", "internal_error")
                await out.write(SSEEvent.from_json(body).raw)
        else:
            assert resp.raw_stream is not None
            try:
                async for chunk in resp.raw_stream:
                    await out.write(chunk)
            except UpstreamStreamError as exc:
                result.outcome = "stream_error"
                result.error_type = exc.reason
                log.warning("request %s: pass-through body broke: %s", ctx.request_id, exc.message)
                request.transport and request.transport.close()  # type: ignore[func-returns-value]
                return out, result
        await out.write_eof()
    except _CLIENT_GONE:
        result.outcome = "client_gone"
        result.error_type = "client_disconnected"
    finally:
        await resp.aclose()
    return out, result
