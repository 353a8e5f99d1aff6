"""The plugin contract and the chain builder.

A plugin is an async callable around the rest of the chain (onion style):

    class MyPlugin(Plugin):
        name = "my_plugin"
        Config = MyPluginConfig          # pydantic, subclass of PluginConfig

        async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
            ...                          # before: inspect, reject (raise ProxyError), rewrite ctx
            resp = await call_next(ctx)  # the rest of the chain, then a provider
            ...                          # after: inspect, replace, wrap resp.stream
            return resp

Rules (habits from Starlette/mitmproxy):
- Config is parsed in `__init__`; a bad value raises ConfigError at startup, never per request.
- No per-request state on `self`: use `ctx.scratch[self.name]` or locals.
- Wrap streams, never drain them unless the plugin must see the whole answer.
- Raise `ProxyError` subclasses; the outermost boundary turns them into OpenAI errors.
- `self.shadow` is True in shadow mode: decide and record (`ctx.record`), never change
  traffic. The chain also enforces it: in shadow mode a rejection is recorded and the
  request continues, and body rewrites are undone before the next layer sees them.
  Response changes are the plugin's own responsibility (check `self.shadow`).

The chain is built once from the configured order (first = outermost) and frozen.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, ClassVar, Literal

import orjson
from pydantic import BaseModel, ConfigDict

from .context import CHAT, RequestContext
from .errors import ProxyError
from .response import ProxyResponse

log = logging.getLogger("bulwark.chain")

Next = Callable[[RequestContext], Awaitable[ProxyResponse]]


class PluginConfig(BaseModel):
    """Settings every plugin has. Subclass it for the plugin's own section."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    mode: Literal["enforce", "shadow"] = "enforce"
    # Endpoint kinds the plugin acts on; others pass straight through it.
    endpoints: list[str] = [CHAT]


class Plugin:
    name: ClassVar[str] = ""
    Config: ClassVar[type[PluginConfig]] = PluginConfig
    # Whether the plugin counts tokens: the app then builds the tokenizers at startup
    # (~60 MB, a second) instead of on the first request. A chain without such plugins skips it.
    uses_tokens: ClassVar[bool] = True

    def __init__(self, config: PluginConfig, services: Any) -> None:
        self.config = config
        self.services = services  # proxy.services.Services

    @property
    def shadow(self) -> bool:
        return self.config.mode == "shadow"

    async def startup(self) -> None:
        """Called once when the app starts (open clients, load scripts)."""

    async def aclose(self) -> None:
        """Called once at shutdown (flush, close clients)."""

    async def status(self) -> dict[str, Any]:
        """What the plugin shows on the admin dashboard (e.g. the fallback plugin's breakers)."""
        return {}

    def refused_before_chain(self, ctx: RequestContext, status: int) -> None:
        """The handler refused this authenticated request before the chain ran (a malformed
        body, an out-of-range field, a path or model not allowed): plugins that count a
        client's refusals (abuse scoring's refused share) hear of it here, since the request
        never reaches their `__call__`. Must not raise or wait: spawn background work."""

    def prefetch(self, ctx: RequestContext) -> None:
        """The request is about to enter the chain: start (never await) the state reads this
        plugin's `__call__` will make, so they travel in the chain's first round trip (the
        outermost layer's) instead of costing one each, one layer after another. Reads only:
        a request an outer layer refuses must leave nothing behind. Keep what was started in
        `ctx.scratch[self.name]`; must not raise (a failed read is the plugin's to handle
        when it awaits it)."""

    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:  # pragma: no cover
        return await call_next(ctx)


def prefetching(plugins: list[Plugin]) -> list[Plugin]:
    """The plugins that override `Plugin.prefetch` (the handler calls only these)."""
    return [p for p in plugins if type(p).prefetch is not Plugin.prefetch]


def build_chain(plugins: list[Plugin], innermost: Next, instrument: Callable[[Plugin, Next], Next] | None = None) -> Next:
    """Wrap `innermost` in `plugins` so that plugins[0] is the outermost layer.

    `instrument(plugin, layer)` may wrap each layer (telemetry: one child span per plugin)."""
    handler = innermost
    for plugin in reversed(plugins):
        handler = _layer(plugin, handler)
        if instrument is not None:
            handler = instrument(plugin, handler)
    return handler


def _layer(plugin: Plugin, call_next: Next) -> Next:
    endpoints = frozenset(plugin.config.endpoints)
    name = plugin.name

    if plugin.shadow:
        async def shadow_layer(ctx: RequestContext) -> ProxyResponse:
            if ctx.endpoint not in endpoints:
                return await call_next(ctx)
            saved_raw, _, saved_changed = ctx.body_state()
            # What the upstream would get now, as bytes: in-place edits of the shared dict by
            # the shadow plugin are then both detected and undone.
            saved_bytes = ctx.body_bytes() if ctx.raw_body else b""
            called: list[ProxyResponse] = []

            async def guarded_next(c: RequestContext) -> ProxyResponse:
                # Shadow plugins may not change what the upstream sees.
                if c.raw_body and (c.raw_body is not saved_raw or c.body_bytes() != saved_bytes):
                    c.record(name, shadow=True, would_rewrite=True)
                # None: re-parse the client's bytes lazily.
                c.restore_body((saved_raw, orjson.loads(saved_bytes) if saved_changed else None, saved_changed))
                resp = await call_next(c)
                called.append(resp)
                return resp

            try:
                resp = await plugin(ctx, guarded_next)
            except ProxyError as exc:
                ctx.record(name, shadow=True, would_reject=exc.status, reason=exc.message)
                log.info("shadow %s would reject request %s: %s", name, ctx.request_id, exc.message)
                if called:
                    return called[-1]
                return await guarded_next(ctx)
            except Exception as exc:  # a shadow plugin's bug never breaks live traffic
                log.exception("shadow plugin %s failed on request %s", name, ctx.request_id)
                ctx.record(name, shadow=True, error=type(exc).__name__)
                if called:
                    return called[-1]
                return await guarded_next(ctx)
            if called and resp is not called[-1]:
                # The plugin replaced the response: record it and send the real one.
                ctx.record(name, shadow=True, would_replace_response=True)
                await resp.aclose()
                return called[-1]
            return resp

        return shadow_layer

    async def layer(ctx: RequestContext) -> ProxyResponse:
        if ctx.endpoint not in endpoints:
            return await call_next(ctx)
        return await plugin(ctx, call_next)

    return layer
