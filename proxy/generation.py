"""A `Generation`: everything built from one config.

Services (state, HTTP session, providers, metrics, telemetry), the plugins and the frozen
chain, the local and admin routes the telemetry and plugins add, and the counters the
handler keeps (in-flight requests and streams). `proxy.app` builds one at startup and a new
one on every reload; the old one closes once its in-flight requests end.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
from typing import Any, Awaitable, Callable

import aiohttp
from aiohttp import web

from . import observability, tokens
from .auth import Authenticator
from .config import Config
from .dispatch import dispatch
from .errors import ConfigError
from .observability.labels import ModelLabels
from .plugin import Plugin, build_chain, prefetching
from .providers import provider_class
from .registry import build_plugins
from .services import Services
from .state import factory as state_factory
from .telemetry import Telemetry

log = logging.getLogger("bulwark")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_state(config: Config) -> Any:
    return state_factory.create_state(config.state)


def create_telemetry(services: Services) -> Telemetry:
    return observability.create_telemetry(services)


class Generation:
    def __init__(self, config: Config, reuse_state: Any = None) -> None:
        self.config = config
        # A reload with the same [state] keeps the running backend: in-memory limits, budgets,
        # runtime keys and queues survive it (and Redis connections are not re-made).
        self.owns_state = reuse_state is None
        self.services = Services(config=config, state=reuse_state if reuse_state is not None else create_state(config))
        self.telemetry = create_telemetry(self.services)
        self.services.telemetry = self.telemetry  # type: ignore[attr-defined]
        # The state backend counts its own errors (bulwark_redis_errors_total).
        if hasattr(self.services.state, "metrics"):
            self.services.state.metrics = self.services.metrics  # type: ignore[attr-defined]
        for name, pcfg in config.providers.items():
            try:
                self.services.providers[name] = provider_class(pcfg.type)(name, pcfg, self.services)
            except (KeyError, ValueError, TypeError) as exc:
                raise ConfigError(f"providers.{name}: {exc}") from exc
        self.plugins: list[Plugin] = build_plugins(config, self.services)
        self.services.plugins = self.plugins
        self.chain = build_chain(self.plugins, dispatch, instrument=self.telemetry.instrument_layer)
        self.prefetchers = prefetching(self.plugins)
        self.auth = Authenticator(config.auth, self.services.state)
        allow = set(config.models.allow)
        self.allowed_models: set[str] | None = (allow | set(config.models.routes)) if allow else None
        self.local_routes: dict[tuple[str, str], Handler] = {}
        self.admin_routes: list[tuple[str, re.Pattern[str], Handler]] = [("GET", _route_pattern("runtime"), self.runtime)]
        for owner in [self.telemetry, *self.plugins]:
            for method, path, handler in getattr(owner, "v1_routes", lambda: [])():
                self.local_routes[(method.upper(), "/" + path.strip("/"))] = handler
            for method, path, handler in getattr(owner, "admin_routes", lambda: [])():
                self.admin_routes.append((method.upper(), _route_pattern(path), handler))
        self.model_labels = getattr(self.telemetry, "model_labels", None) or ModelLabels(config, self.services.pricing)
        self.inflight = 0
        self.streams = 0
        self.retired = False
        self._closing: asyncio.Task[None] | None = None

    async def runtime(self, request: web.Request) -> web.Response:
        """GET /admin/runtime: leak indicators for soak tests (tasks, connections, memory)."""
        connector = self.services.session.connector if self.services.session else None
        rss_kb = 0
        try:
            with open("/proc/self/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss_kb = int(line.split()[1])
        except OSError:
            pass
        return web.json_response({
            "pid": os.getpid(),
            "asyncio_tasks": len(asyncio.all_tasks()),
            "background_tasks": len(self.services.tasks),
            "background_dropped": self.services.tasks.dropped,
            "inflight_requests": self.inflight,
            "inflight_streams": self.streams,
            "upstream_connections_in_use": len(connector._acquired) if connector is not None else 0,  # type: ignore[attr-defined]
            "upstream_connections_idle": sum(len(v) for v in connector._conns.values()) if connector is not None else 0,  # type: ignore[attr-defined]
            "open_fds": len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else -1,
            "rss_mb": round(rss_kb / 1024, 1),
        })

    def metric_model(self, model: str | None) -> str:
        """The low-cardinality model label: configured or priced models, else "other"."""
        return self.model_labels(model)

    async def start(self) -> None:
        limit = sum(p.max_connections for p in self.config.providers.values())
        self.services.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=limit, limit_per_host=0, ttl_dns_cache=300, enable_cleanup_closed=True),
            auto_decompress=True,
            skip_auto_headers=("User-Agent",),
            # One session serves every client: a cookie an upstream sets belongs to the client
            # whose answer carried it (relayed to it), never to the next client's request.
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        if any(p.uses_tokens for p in self.plugins):
            # Build the tokenizers now (about a second), not on the first request.
            tokens.load_on_demand()  # an encoding not listed is built off the event loop when first needed
            encodings = list(self.config.server.token_encodings)
            await asyncio.get_running_loop().run_in_executor(None, _warm_tokens, encodings)
        if self.owns_state:  # a reused backend is already started
            await self.services.state.startup()
        await self.telemetry.startup()
        for p in self.services.providers.values():
            await p.startup()
        for plugin in self.plugins:
            await plugin.startup()

    def release(self) -> None:
        if self.retired and self.inflight == 0:
            self._start_close()

    def _start_close(self) -> "asyncio.Task[None]":
        if self._closing is None:  # one close, referenced until done; later callers await it
            self._closing = asyncio.get_running_loop().create_task(self._close())
        return self._closing

    async def close(self) -> None:
        await self._start_close()

    async def _close(self) -> None:
        for plugin in reversed(self.plugins):
            try:
                await plugin.aclose()
            except Exception:
                log.exception("plugin %s failed to close", plugin.name)
        for p in self.services.providers.values():
            try:
                await p.aclose()
            except Exception:
                log.exception("provider %s failed to close", p.name)
        await self.services.tasks.drain()
        try:
            await self.telemetry.aclose()
        except Exception:
            log.exception("telemetry failed to close")
        if self.owns_state:
            try:
                await self.services.state.aclose()
            except Exception:
                log.exception("state backend failed to close")
        if self.services.session is not None:
            await self.services.session.close()


def _warm_tokens(encodings: list[str]) -> None:
    tokens.warm(encodings=encodings)
    tokens.trim_heap()


def _route_pattern(path: str) -> re.Pattern[str]:
    path = path.strip("/")
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", re.escape(path).replace(r"\{", "{").replace(r"\}", "}")) + "$")
