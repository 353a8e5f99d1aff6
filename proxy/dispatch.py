"""The innermost layer of the chain: send the request to a provider.

Where it goes: `ctx.target` when a plugin (e.g. fallback) set one, else the model's route
(`[models.routes]`), else the default provider. Each call is one upstream attempt, timed
and reported to telemetry (streams finish their attempt when the stream ends).
"""
from __future__ import annotations

import logging
import time
from typing import Any, AsyncIterator

from .context import MODELS, RequestContext, Target
from .errors import NotFound, ProxyError, UpstreamStreamError
from .response import ProxyResponse
from .sse import SSEEvent

log = logging.getLogger("bulwark")


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
    attempt = services.telemetry.upstream_attempt(ctx, provider.name, target.model or ctx.model)
    started = time.monotonic()
    try:
        resp = await provider.send(ctx, target.model)
    except ProxyError as exc:
        ctx.upstream_seconds += time.monotonic() - started
        attempt.finish(status=exc.status, error=exc.code or type(exc).__name__)
        raise
    except BaseException as exc:
        ctx.upstream_seconds += time.monotonic() - started
        attempt.finish(error=type(exc).__name__)
        raise
    ctx.upstream_seconds += time.monotonic() - started
    observe = getattr(attempt, "response", None)
    if observe is not None:  # telemetry reads per-attempt ids, usage and finish reasons
        try:
            observe(resp)
        except Exception:  # observing never breaks the answer
            log.exception("observing the answer of provider %s failed", provider.name)
    resp.provider = resp.provider or provider.name
    ctx.scratch["provider"] = resp.provider
    if resp.stream is not None:
        resp.stream = _finish_attempt_at_end(resp.stream, attempt, resp.status)
        # A stream dropped before its first event never runs the generator's finally.
        resp.on_close(lambda: attempt.finish(status=resp.status, error="not_consumed"))
    else:
        attempt.finish(status=resp.status)
    if ctx.endpoint == MODELS and resp.ok and resp.body is not None:
        _apply_model_policy(ctx, resp)
    return resp


async def _finish_attempt_at_end(stream: AsyncIterator[SSEEvent], attempt: Any, status: int) -> AsyncIterator[SSEEvent]:
    error: str | None = None
    try:
        async for ev in stream:
            yield ev
    except UpstreamStreamError as exc:
        error = exc.reason
        raise
    except BaseException as exc:
        error = type(exc).__name__
        raise
    finally:
        attempt.finish(status=status, error=error)
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()


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
