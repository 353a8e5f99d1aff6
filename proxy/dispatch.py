"""The innermost layer of the chain, and the one seam every upstream call goes through.

Where it goes: `ctx.target` when a plugin (e.g. fallback) set one, else the model's route
(`[models.routes]`), else the default provider. Each call opens one `Attempt` in the
request's ledger (`proxy.ledger`): the attempt-start hooks run first (a budget may cap the
output or refuse), then the provider is called. A complete answer is parsed once into the
attempt's `Assembly` and the attempt ends; a streamed answer is assembled event by event as it
passes and the attempt ends when the stream ends, breaks or is dropped. Judge calls and
background summaries come through `dispatch` too, with a derived context (`ctx.derive`).
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import AsyncIterator

from .assembly import Assembly
from .context import CHAT, COMPLETIONS, EMBEDDINGS, MODELS, PASSTHROUGH, RequestContext, Target
from .errors import NotFound, ProxyError, UpstreamStreamError, UpstreamUnavailable
from .ledger import Attempt
from .response import ProxyResponse
from .sse import SSEEvent
from .tokens import count_request

log = logging.getLogger("bulwark")

_ANSWERS = frozenset((CHAT, COMPLETIONS))
_MODEL_ENDPOINTS = frozenset((CHAT, COMPLETIONS, EMBEDDINGS))
_USAGE_BODIES = frozenset((EMBEDDINGS, PASSTHROUGH))
_USAGE_PARSE_LIMIT = 4 * 1024 * 1024  # a forwarded answer larger than this is not parsed for its usage


def resolve_target(ctx: RequestContext) -> Target:
    cfg = ctx.services.config
    model = ctx.model
    route = cfg.models.routes.get(model) if model else None
    if route is not None:
        return Target(route.provider, route.model)
    return Target(cfg.models.default_provider)


async def dispatch(ctx: RequestContext) -> ProxyResponse:
    services = ctx.services
    target = ctx.target or resolve_target(ctx)
    try:
        provider = services.providers[target.provider]
    except KeyError:
        raise NotFound(f"No provider named {target.provider!r} is configured.") from None
    if ctx.endpoint not in provider.endpoints:
        raise NotFound(f"The provider '{provider.name}' ({provider.kind}) does not serve {ctx.method} /v1{ctx.path}.", code="unsupported_endpoint")
    model = provider.upstream_model(target.model or ctx.model) if ctx.endpoint in _MODEL_ENDPOINTS else target.model
    attempt = ctx.ledger.begin(provider.name, provider.kind, model, billable=provider.billable, cause=target.cause)
    if ctx.endpoint in _MODEL_ENDPOINTS and ctx.raw_body:
        body = ctx.body
        attempt.count_prompt = lambda: count_request(body)  # only when no usage comes back
    await ctx.ledger.admit(attempt)
    services.telemetry.attempt_started(ctx, attempt)
    started = time.monotonic()
    try:
        resp = await provider.send(ctx, attempt)
    except ProxyError as exc:
        ctx.upstream_seconds += time.monotonic() - started
        attempt.end(status=exc.status, error=exc.code or type(exc).__name__)
        raise
    except (asyncio.CancelledError, GeneratorExit):
        ctx.upstream_seconds += time.monotonic() - started
        attempt.end(error="cancelled")
        raise
    except BaseException as exc:
        ctx.upstream_seconds += time.monotonic() - started
        attempt.end(error=type(exc).__name__)
        raise
    ctx.upstream_seconds += time.monotonic() - started
    resp.provider = resp.provider or provider.name
    resp.attempt = attempt
    attempt.status = resp.status
    attempt.upstream_request_id = resp.headers.get("x-request-id")
    if resp.stream is not None:
        attempt.assembly = resp.assembly = Assembly()
        resp.stream = _assembled(resp.stream, attempt)
        # A stream dropped before its first event never runs the generator's finally.
        resp.on_close(lambda: attempt.end(error="not_consumed"))
        return resp
    if resp.body is not None and resp.ok and ctx.endpoint in _ANSWERS:
        data = resp.try_json()  # the one parse of the answer (cached on resp)
        attempt.assembly = resp.assembly = Assembly()
        attempt.assembly.read_body(data)
        if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
            # A 2xx that is not a completion (no JSON, no choices) is as broken as a 5xx: never
            # relayed as a success. It was answered, so it is charged like any billed attempt.
            attempt.end(error="malformed_answer")
            await resp.aclose()
            raise UpstreamUnavailable(
                f"The upstream provider '{provider.name}' answered {resp.status} with a body that is not a "
                f"{'chat completion' if ctx.endpoint == CHAT else 'completion'} (no `choices`). Retry; if this persists, "
                "check that the provider's base_url points at an OpenAI-compatible API.", code="malformed_answer")
    elif resp.body is not None and resp.ok and ctx.endpoint in _USAGE_BODIES and len(resp.body) <= _USAGE_PARSE_LIMIT:
        # Embeddings and forwarded endpoints (images, audio, ...): charged from the usage the
        # answer reports, where it reports one (nothing else is parsed or changed).
        data = resp.try_json() if resp.headers.get("Content-Type", "").startswith("application/json") else None
        if isinstance(data, dict) and isinstance(data.get("usage"), dict):
            attempt.reported_usage = data["usage"]
    attempt.end()
    if ctx.endpoint == MODELS and resp.ok and resp.body is not None:
        _apply_model_policy(ctx, resp)
    return resp


async def _assembled(stream: AsyncIterator[SSEEvent], attempt: Attempt) -> AsyncIterator[SSEEvent]:
    """Relay a provider's stream, feeding each event once to the attempt's assembly; end the
    attempt when the stream ends for any reason (tokens generated before a cut or a hang-up
    are counted and charged)."""
    asm = attempt.assembly
    assert asm is not None
    error: str | None = None
    try:
        async for ev in stream:
            if attempt.first_byte_at is None:
                attempt.first_byte_at = time.monotonic()
            if ev.data is not None:
                asm.feed(ev)
            yield ev
    except UpstreamStreamError as exc:
        error = exc.reason
        raise
    except (asyncio.CancelledError, GeneratorExit):
        error = "cancelled"
        raise
    except BaseException as exc:
        error = type(exc).__name__
        raise
    finally:
        try:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()  # close the upstream at once: it stops generating (and billing)
        finally:
            attempt.end(error=error)


def _apply_model_policy(ctx: RequestContext, resp: ProxyResponse) -> None:
    """/v1/models: only allowed models, plus route aliases (which the client may call)."""
    cfg = ctx.services.config.models
    if not cfg.allow and not cfg.routes:
        return
    data = resp.try_json()
    if not isinstance(data, dict):
        return
    allowed = set(cfg.allow) | set(cfg.routes)
    if "data" in data and isinstance(data["data"], list):
        items = [m for m in data["data"] if not cfg.allow or (isinstance(m, dict) and m.get("id") in allowed)]
        have = {m.get("id") for m in items if isinstance(m, dict)}
        created = int(time.time())
        for alias in cfg.routes:
            if alias not in have:
                items.append({"id": alias, "object": "model", "created": created, "owned_by": "bulwark"})
        resp.set_json({**data, "data": items})
