"""Request handling: build the context, authenticate, run the chain, hand off to the edge.

This is the single error boundary: every `ProxyError` becomes an answer in the client's API
shape (OpenAI's; Anthropic's on /v1/messages), anything else a 500 with a request id to quote
(logged once with its traceback, never sent).

Three wire APIs enter the same chain: POST /v1/chat/completions, /v1/responses (OpenAI
Responses) and /v1/messages (Anthropic Messages) are all the `chat` endpoint kind, told apart
by `ctx.api`; the context decodes the latter two into the chat form (`proxy.wire`).
POST /v1/messages/count_tokens goes to a provider that serves Messages natively (Anthropic),
else Bulwark counts the tokens itself.
`CancelledError` (the client went away) is never swallowed: it propagates and closes the
upstream request through every layer's `finally`.
"""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import aiohttp
import aiohttp.web
import orjson
from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError
from multidict import CIMultiDict

from .context import CHAT, COMPLETIONS, COUNT_TOKENS, EMBEDDINGS, MODELS, PASSTHROUGH, RequestContext, Target, end_user_of, new_request_id, parse_json_object
from .dispatch import resolve_target
from .access_log import CTX_KEY
from .edge import error_response, send
from .ledger import Ledger
from .request_shape import check_body, check_path
from .errors import BadRequest, NotFound, PayloadTooLarge, PermissionDenied, ProxyError, ServiceUnavailable
from .response import BULWARK, ProxyResponse
from .tokens import count_request
from .wire.apis import CHAT_COMPLETIONS, MESSAGES, RESPONSES

if TYPE_CHECKING:
    from .generation import Generation

log = logging.getLogger("bulwark")

# POST routes Bulwark models: path -> (endpoint kind, the wire API of the body).
ENDPOINTS = {
    "/chat/completions": (CHAT, CHAT_COMPLETIONS),
    "/responses": (CHAT, RESPONSES),
    "/messages": (CHAT, MESSAGES),
    "/messages/count_tokens": (COUNT_TOKENS, MESSAGES),
    "/completions": (COMPLETIONS, CHAT_COMPLETIONS),
    "/embeddings": (EMBEDDINGS, CHAT_COMPLETIONS),
}


def route_for(method: str, path: str) -> tuple[str, str]:
    """(endpoint kind, wire API) of a /v1 request."""
    path = path.rstrip("/") or "/"  # "/chat/completions/" is still the chat endpoint
    if method == "POST" and path in ENDPOINTS:
        return ENDPOINTS[path]
    if method == "GET" and (path == "/models" or path.startswith("/models/")):
        return MODELS, CHAT_COMPLETIONS
    # Other /messages paths (batches...) are Anthropic's: errors in its shape there.
    return PASSTHROUGH, MESSAGES if path.startswith("/messages/") else CHAT_COMPLETIONS


def endpoint_for(method: str, path: str) -> str:
    return route_for(method, path)[0]


async def _read_chunk(request: web.Request) -> bytes:
    try:
        return await request.content.readany()
    except (RequestPayloadError, aiohttp.ClientPayloadError, aiohttp.web.HTTPException, ValueError) as exc:
        # e.g. a corrupt gzip body or a broken chunked encoding: the client's fault.
        raise BadRequest(f"We could not read the request body ({type(exc).__name__}); check its Content-Encoding and framing.") from None


async def read_body(request: web.Request, limit: int) -> bytes:
    declared = request.content_length
    if declared is not None and declared > limit:
        raise PayloadTooLarge(_too_large(declared, limit))
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await _read_chunk(request)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(_too_large(size, limit))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(size: int, limit: int) -> str:
    return f"Request body of {size} bytes or more exceeds this Bulwark's limit of {limit} bytes (server.max_body_bytes)."


async def _limited_stream(request: web.Request, limit: int) -> Any:
    size = 0
    while True:
        chunk = await _read_chunk(request)
        if not chunk:
            return
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(_too_large(size, limit))
        yield chunk


def _is_json(request: web.Request) -> bool:
    return request.content_type in ("application/json", "") and request.method in ("POST", "PUT", "PATCH")


def _under(path: str, prefixes: list[str]) -> bool:
    return any(p == "*" or path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)


def _check_passthrough(path: str, gen: "Generation", ctx: RequestContext) -> None:
    """Forwarded paths: the server's list (inference by default) for every key; in managed mode,
    paths that act on the organisation's account only for keys granted them (`paths`), since
    they are reached with the provider's key."""
    if _under(path, gen.config.server.passthrough_paths):
        return
    if gen.config.auth.mode == "managed" and _under(path, ctx.identity.paths):
        return
    if gen.config.auth.mode == "managed":
        raise PermissionDenied(
            f"Bulwark does not forward /v1{path} for this client key: it would act on the provider account with Bulwark's "
            f"key. Ask the operator to grant it (`[[auth.keys]] paths = [\"/{path.strip('/').split('/')[0]}\"]`) or add "
            "it to server.passthrough_paths.", code="path_not_granted")
    raise NotFound(f"Bulwark does not forward /v1{path} (server.passthrough_paths).", code="unsupported_endpoint")


def _check_passthrough_model(ctx: RequestContext, gen: "Generation") -> None:
    try:
        body = parse_json_object(ctx.raw_body) if ctx.raw_body else {}
    except BadRequest:
        return  # not ours to judge: the upstream answers malformed bodies of endpoints Bulwark does not model
    model = body.get("model")
    if not isinstance(model, str):
        return
    if gen.allowed_models is not None and model not in gen.allowed_models:
        raise NotFound(f"The model `{model}` does not exist or you do not have access to it.", code="model_not_found", param="model")
    allowed = ctx.identity.allowed_models
    if allowed is not None and model not in allowed:
        raise PermissionDenied(f"Your Bulwark client key may not use model `{model}` (allowed: {', '.join(allowed) or 'none'}).", param="model")


def _check_model(ctx: RequestContext, gen: "Generation") -> None:
    model = ctx.model
    if ctx.endpoint == MODELS and ctx.path.startswith("/models/"):
        model = ctx.path[len("/models/"):]
    if ctx.endpoint not in (CHAT, COMPLETIONS, EMBEDDINGS, MODELS, COUNT_TOKENS) or model is None:
        return
    if gen.allowed_models is not None and model not in gen.allowed_models:
        raise NotFound(f"The model `{model}` does not exist or you do not have access to it.", code="model_not_found", param="model" if ctx.endpoint != MODELS else None)
    allowed = ctx.identity.allowed_models
    if allowed is not None and ctx.endpoint != MODELS and model not in allowed:
        raise PermissionDenied(f"Your Bulwark client key may not use model `{model}` (allowed: {', '.join(allowed) or 'none'}).", param="model")


def _name_span(ctx: RequestContext) -> None:
    """Name the SERVER span after the route the client called (telemetry names it after the
    endpoint kind, which is `chat` for all three wire APIs)."""
    span = ctx.span
    if span is None or ctx.api == CHAT_COMPLETIONS:
        return
    try:
        route = "/v1" + ctx.path.rstrip("/")
        name = f"{ctx.method} {route}"
        if hasattr(span, "update_name"):  # the OpenTelemetry SDK's span
            span.update_name(name)
        elif hasattr(span, "name"):  # Bulwark's lightweight tracer's
            span.name = name
        span.set_attribute("http.route", route)
        span.set_attribute("bulwark.api", ctx.api)
    except Exception:  # telemetry must never break a request
        pass


def _counted_tokens(ctx: RequestContext) -> ProxyResponse:
    """count_tokens answered by Bulwark's tokenizer (no provider of the model counts natively)."""
    n = count_request(ctx.body)
    body = {"input_tokens": n}
    headers = {"x-bulwark-token-count": "estimated"}
    return ProxyResponse.from_native(MESSAGES, 200, orjson.dumps(body), CIMultiDict(headers), body, provider="bulwark", origin=BULWARK)


async def _count_tokens(ctx: RequestContext, gen: "Generation") -> ProxyResponse:
    target = resolve_target(ctx)
    provider = gen.services.providers.get(target.provider)
    if provider is not None and COUNT_TOKENS in provider.endpoints and provider.serves(MESSAGES):
        # No plugin acts on it; dispatch forwards it natively (an attempt that costs nothing,
        # named after the model so the ledger prices it at that model's zero usage).
        ctx.target = Target(target.provider, target.model or ctx.model)
        return await gen.chain(ctx)
    return _counted_tokens(ctx)


def _prefetch(gen: Generation, ctx: RequestContext) -> None:
    """Let the plugins start their reads before the chain runs (Plugin.prefetch): they then
    share the first state round trip with the outermost layer's."""
    for plugin in gen.prefetchers:
        if ctx.endpoint in plugin.config.endpoints:
            try:
                plugin.prefetch(ctx)
            except Exception:  # a read started early is an optimisation, never the answer
                log.exception("plugin %s failed to prefetch for request %s", plugin.name, ctx.request_id)


def _tell_refused(gen: Generation, ctx: RequestContext, status: int) -> None:
    for plugin in gen.plugins:
        try:
            plugin.refused_before_chain(ctx, status)
        except Exception:  # a plugin's bookkeeping never changes the answer
            log.exception("plugin %s failed on a refused request %s", plugin.name, ctx.request_id)


async def handle(request: web.Request) -> web.StreamResponse:
    app_state = request.app["bulwark"]
    gen: Generation = app_state.current
    path = request.match_info.get("tail", "")
    path = "/" + path if not path.startswith("/") else path
    request_id = new_request_id()
    endpoint, api = route_for(request.method, path)
    if app_state.draining:
        return error_response(ServiceUnavailable("Bulwark is shutting down; retry on another replica.", headers={"retry-after": "1"}), None, request_id, api)
    if gen.inflight >= gen.config.server.max_concurrent_requests:
        return error_response(
            ServiceUnavailable("Bulwark is at its concurrent request limit (server.max_concurrent_requests); retry shortly.", headers={"retry-after": "1"}),
            None, request_id, api,
        )
    gen.inflight += 1
    gen.services.metrics.set("bulwark_inflight_requests", gen.inflight)
    ctx: RequestContext | None = None
    identified = in_chain = False  # a refusal after auth but before the chain is told to the plugins
    counted_stream = False
    status, outcome, error_type = 500, "error", None
    try:
        ctx = RequestContext(
            request_id=request_id, endpoint=endpoint, method=request.method, path=path,
            query_string=request.rel_url.raw_query_string, headers=request.headers, raw_body=b"", services=gen.services,
            ledger=Ledger(gen.services.pricing), api=api if endpoint in (CHAT, COUNT_TOKENS) else CHAT_COMPLETIONS,
        )
        request[CTX_KEY] = ctx  # for the access log line, written after the last byte
        gen.telemetry.request_started(ctx)
        _name_span(ctx)
        try:
            check_path(path)
            ctx.identity, ctx.client_key = await gen.auth.identify(request.headers, request.remote)
            identified = True
            limit = gen.config.server.max_body_bytes
            if endpoint == PASSTHROUGH:
                _check_passthrough(path, gen, ctx)
                if request.body_exists and _is_json(request):
                    # JSON pass-through bodies (responses, batches...) are read so the model
                    # allow-lists apply to them too; uploads (multipart, audio) stream through.
                    ctx.raw_body = await read_body(request, limit)
                    _check_passthrough_model(ctx, gen)
                elif request.body_exists:
                    if request.content_length is not None and request.content_length > limit:
                        raise PayloadTooLarge(_too_large(request.content_length, limit))
                    ctx.body_stream = _limited_stream(request, limit)
            else:
                ctx.raw_body = await read_body(request, limit)
                if endpoint != MODELS:
                    check_body(endpoint, ctx.body)
                    if ctx.stream:
                        if gen.streams >= gen.config.server.max_concurrent_streams:
                            raise ServiceUnavailable(
                                "Bulwark is at its concurrent stream limit (server.max_concurrent_streams); retry shortly.",
                                headers={"retry-after": "1"},
                            )
                        gen.streams += 1
                        counted_stream = True
                    ctx.identity.user = end_user_of(ctx.body, request.headers, gen.config.auth.user_header)
                    _check_model(ctx, gen)
                else:
                    _check_model(ctx, gen)
            ctx.metric_model = gen.metric_model(ctx.model)
            in_chain = True
            if gen.prefetchers and endpoint != COUNT_TOKENS:
                _prefetch(gen, ctx)
            resp = await (_count_tokens(ctx, gen) if endpoint == COUNT_TOKENS else gen.chain(ctx))
            ctx.served_by = resp.provider
        except ProxyError as exc:
            status, outcome, error_type = exc.status, "rejected" if exc.status < 500 else "error", exc.code or type(exc).__name__
            if identified and not in_chain and 400 <= exc.status < 500 and exc.status != 429:
                _tell_refused(gen, ctx, exc.status)
            return error_response(exc, ctx, request_id)
        except (asyncio.CancelledError, GeneratorExit):
            status, outcome, error_type = 499, "client_gone", "client_disconnected"
            raise
        except Exception:
            log.exception("request %s: unexpected error", request_id)
            error_type = "internal"
            return error_response(
                ProxyError(f"Bulwark hit an internal error handling this request. Quote request id {request_id} to your operator."),
                ctx, request_id,
            )
        try:
            out, result = await send(request, ctx, resp, gen.telemetry)
        except (asyncio.CancelledError, GeneratorExit):
            status, outcome, error_type = 499, "client_gone", "client_disconnected"
            raise
        status, outcome, error_type = result.status, result.outcome, result.error_type
        if outcome == "ok":
            outcome = "ok" if status < 400 else "upstream_error"
        return out
    finally:
        gen.inflight -= 1
        if counted_stream:
            gen.streams -= 1
        gen.services.metrics.set("bulwark_inflight_requests", gen.inflight)
        if ctx is not None:
            ctx.ledger.settle(status)  # every attempt has ended: accounting plugins settle now
            try:
                gen.telemetry.request_finished(ctx, status, outcome, error_type)
            except Exception:
                log.exception("telemetry failed for request %s", request_id)
        gen.release()
