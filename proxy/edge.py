"""The edge: the only place that touches aiohttp's response objects.

Copies headers (upstream's, less hop-by-hop, plus what plugins put in
`ctx.response_headers`, plus `x-request-id` and `x-bulwark-overhead-ms`), then writes a JSON
body, relays SSE events byte for byte, or relays raw bytes. After a stream's headers went out an
error can only go in-band: a `data: {"error": ...}` event, then the stream closes (never a quiet
normal end).

The client's wire API (`ctx.api`) decides the shape. Chat clients get the chain's chat answers
as they are. A Responses or Messages client gets the upstream's native answer byte for byte when
it is still the answer being sent (`ProxyResponse.native_for`, `SSEEvent.api`), else the chat
answer encoded by its codec (`proxy.wire.codecs`); errors are in its API's shape too (Anthropic's
on /v1/messages).
"""
from __future__ import annotations

import logging

import orjson
from aiohttp import web
from multidict import CIMultiDict

from .context import CHAT, COMPLETIONS, COUNT_TOKENS, EMBEDDINGS, RequestContext
from .errors import ProxyError, UpstreamStreamError, error_body
from .response import ProxyResponse
from .sse import SSEEvent
from .tokens import count_text
from .wire import codecs
from .wire.apis import CHAT_COMPLETIONS, MESSAGES, chat_usage

log = logging.getLogger("bulwark")

_CLIENT_GONE = (ConnectionResetError, ConnectionError)
_PRICED = frozenset((CHAT, COMPLETIONS, EMBEDDINGS))


def final_headers(ctx: RequestContext, resp: ProxyResponse, base: CIMultiDict[str] | None = None) -> CIMultiDict[str]:
    headers = resp.headers if base is None else base
    for k, v in ctx.response_headers.items():
        headers[k] = v
    if "x-request-id" not in headers:
        headers["x-request-id"] = ctx.request_id
    # Bulwark's own id (logs, review queue, tickets) even when the upstream's id is relayed.
    headers["x-bulwark-request-id"] = ctx.request_id
    if resp.provider and "x-bulwark-provider" not in headers:
        headers["x-bulwark-provider"] = resp.provider
    headers["x-bulwark-overhead-ms"] = overhead_ms(ctx)
    if ctx.api == MESSAGES and "request-id" not in headers:
        headers["request-id"] = headers["x-request-id"]  # where the anthropic SDK reads it
    if ctx.endpoint in _PRICED and resp.stream is None and resp.raw_stream is None:
        # What this answer cost, over every attempt the provider billed (streams: in the
        # span and the access log, since their headers leave before the end).
        headers["x-bulwark-cost-usd"] = f"{ctx.cost_usd:.6f}"
    services = ctx.services
    if services is not None and services.config.server.debug_headers and ctx.decisions:
        # Operators' debugging aid (off by default): what every plugin decided, compact.
        headers["x-bulwark-decisions"] = orjson.dumps(ctx.decisions, default=str).decode()[:4096]
    return headers


def overhead_ms(ctx: RequestContext) -> str:
    """The time Bulwark itself spent so far (elapsed less the wait on providers), in ms. A
    stream's headers leave before its end, so there it covers the time to the first byte."""
    return f"{max(0.0, ctx.elapsed - ctx.upstream_seconds) * 1000:.2f}"


def error_response(exc: ProxyError, ctx: RequestContext | None, request_id: str, api: str | None = None) -> web.Response:
    """An error Bulwark answers itself, in the client's API shape."""
    api = api or (ctx.api if ctx is not None else CHAT_COMPLETIONS)
    headers = {"x-request-id": request_id, "x-bulwark-request-id": request_id, **exc.headers}
    if api == MESSAGES:
        headers["request-id"] = request_id
    if ctx is not None:
        headers["x-bulwark-overhead-ms"] = overhead_ms(ctx)
        for k, v in ctx.response_headers.items():
            headers.setdefault(k, v)
    body = exc.body_bytes() if api == CHAT_COMPLETIONS else codecs.error_bytes(
        api, exc.status, exc.message, exc.type, exc.code, exc.param, request_id)
    return web.Response(status=exc.status, body=body, content_type="application/json", headers=headers)


def _encoded(ctx: RequestContext, resp: ProxyResponse) -> tuple[int, bytes, CIMultiDict[str]]:
    """A complete answer for a Responses / Messages client: the native one when it is still the
    answer, else the chat answer (or error) in the client's API."""
    native = resp.native_for(ctx.api)
    if native is not None:
        return native.status, native.body, final_headers(ctx, resp, CIMultiDict(native.headers))
    headers = final_headers(ctx, resp)
    data = resp.try_json()
    if resp.status >= 400:
        err = data.get("error") if isinstance(data, dict) else None
        if not isinstance(err, dict):
            err = {"message": (resp.body or b"").decode("utf-8", "replace")[:500] or f"The upstream answered HTTP {resp.status}."}
        body = codecs.error_bytes(ctx.api, resp.status, str(err.get("message") or ""), str(err.get("type") or "api_error"),
                                  err.get("code") if isinstance(err.get("code"), str) else None,
                                  err.get("param") if isinstance(err.get("param"), str) else None, ctx.request_id)
    elif ctx.endpoint == CHAT and isinstance(data, dict) and isinstance(data.get("choices"), list):
        body = orjson.dumps(codecs.encode_answer(ctx.api, data, ctx.wire))
    else:
        body = resp.body or b""
    headers["Content-Type"] = "application/json"
    return resp.status, body, headers


def _stream_encoder(ctx: RequestContext, resp: ProxyResponse) -> codecs.StreamEncoder | None:
    if ctx.api == CHAT_COMPLETIONS or ctx.endpoint != CHAT or not resp.ok:
        return None

    def counted(text: str) -> dict:
        # No layer reported usage (a stream that never said): count it, as the ledger does.
        return chat_usage(ctx.prompt_tokens(), count_text(text, ctx.model) if text else 0)

    return codecs.stream_encoder(ctx.api, ctx.wire, counted)


def _in_band(encoder: codecs.StreamEncoder | None, message: str, type: str, code: str | None, param: str | None, status: int) -> bytes:
    """The error event of the client's API (a chat `data: {"error": ...}`, a Responses
    `response.failed`, an Anthropic `event: error`)."""
    if encoder is None:
        return SSEEvent.from_json(error_body(message, type, code, param)).raw
    return encoder.fail(message, status)


# Events written together at most (a read of thousands of events still goes out in pieces).
_MAX_HELD_WRITES = 64


def _shows_output(ev: SSEEvent) -> bool:
    """The event carries answer output (its chat view: text, a tool call, a refusal)."""
    obj = ev.chunk()
    choices = obj.get("choices") if obj is not None else None
    if not choices or not isinstance(choices[0], dict):
        return False
    c = choices[0]
    d = c.get("delta")
    return bool(c.get("text")) or (isinstance(d, dict) and bool(d.get("content") or d.get("tool_calls") or d.get("function_call")
                                                                or d.get("refusal")))


async def _write_held(out: web.StreamResponse, held: list[bytes]) -> None:
    """One write (one send) for the events of one upstream read: the events after the first
    are already here, so holding them for the joint write costs only their processing, which
    is why the first output is written as soon as it is seen (time to first content)."""
    if held:
        data = held[0] if len(held) == 1 else b"".join(held)
        held.clear()
        await out.write(data)


class StreamOutcome:
    """What happened to a relayed stream (for telemetry and accounting)."""

    __slots__ = ("status", "outcome", "error_type")

    def __init__(self, status: int) -> None:
        self.status = status
        self.outcome = "ok"
        self.error_type: str | None = None


async def send(request: web.Request, ctx: RequestContext, resp: ProxyResponse, telemetry: object) -> tuple[web.StreamResponse, StreamOutcome]:
    result = StreamOutcome(resp.status)
    if resp.stream is None and resp.raw_stream is None:
        if ctx.api != CHAT_COMPLETIONS and ctx.endpoint in (CHAT, COUNT_TOKENS):
            status, body, headers = _encoded(ctx, resp)
            result.status = status
        else:
            status, body, headers = resp.status, resp.body or b"", final_headers(ctx, resp)
        headers.popall("Content-Length", None)
        return web.Response(status=status, body=body, headers=headers), result
    headers = final_headers(ctx, resp)
    encoder = _stream_encoder(ctx, resp)

    out = web.StreamResponse(status=resp.status, headers=headers)
    out.headers.popall("Content-Length", None)
    try:
        await out.prepare(request)
        if resp.stream is not None:
            first = True
            held: list[bytes] = []  # events the next one follows at once (`SSEEvent.more`): one write for them
            shown = False  # the first output (text, a tool call) has been written: it is never held
            try:
                async for ev in resp.stream:
                    if first:
                        first = False
                        telemetry.first_chunk(ctx)  # type: ignore[attr-defined]
                    data = ev.raw if encoder is None else encoder.feed(ev)
                    if data:
                        held.append(data)
                    if not shown and data and _shows_output(ev):
                        shown = True
                        await _write_held(out, held)
                    elif held and (not ev.more or len(held) >= _MAX_HELD_WRITES):
                        await _write_held(out, held)
                await _write_held(out, held)
                if encoder is not None:
                    tail = encoder.finish_stream()
                    if tail:
                        await out.write(tail)
            except ProxyError as exc:
                # Headers are gone: say it in-band and close; never end as if it were complete.
                result.outcome = "stream_error"
                result.error_type = getattr(exc, "reason", None) or exc.code or type(exc).__name__
                log.warning("request %s: stream ended with an error: %s", ctx.request_id, exc.message)
                await _write_held(out, held)
                await out.write(_in_band(encoder, exc.message, exc.type, exc.code, exc.param, exc.status))
            except _CLIENT_GONE:
                raise
            except Exception:
                # A bug in a stream wrapper: still an explicit end, never a silent cut.
                log.exception("request %s: unexpected error inside a stream", ctx.request_id)
                result.outcome = "error"
                result.error_type = "internal"
                await _write_held(out, held)
                await out.write(_in_band(encoder, f"Bulwark hit an internal error mid-stream. Quote request id {ctx.request_id} "
                                                  "to your operator.", "api_error", "internal_error", None, 500))
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
