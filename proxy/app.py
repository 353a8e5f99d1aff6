"""The application factory and its lifecycle.

A `Generation` is everything built from one config: services (state, HTTP session,
providers, metrics, telemetry), plugins and the frozen chain. Hot reload builds a new
generation, swaps it in atomically, and closes the old one once its in-flight requests end.
Routes: `/v1/*` (the proxy), `/healthz`, `/readyz`, `/metrics`, `/admin/*` (admin key).
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import os
import re
import warnings
from typing import Any, Awaitable, Callable

import aiohttp
from aiohttp import web

from .auth import Authenticator, presented_key
from .config import Config, load_config
from .dispatch import dispatch
from .errors import ConfigError, PermissionDenied, ProxyError, Unauthorized
from .handlers import handle, new_request_id
from .edge import error_response
from .plugin import Plugin, build_chain
from .providers.base import provider_class
from .registry import build_plugins
from .services import Services
from . import tokens
from .telemetry import Telemetry

log = logging.getLogger("bulwark")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_state(config: Config) -> Any:
    try:
        from .state.factory import create_state as factory
    except ImportError:  # pragma: no cover - the factory ships with the Redis backend
        from .state.memory import MemoryState

        return MemoryState(config.state.memory_max_keys, config.state.data_dir)
    return factory(config.state)


def create_telemetry(services: Services) -> Telemetry:
    try:
        from .observability import create_telemetry as factory
    except ImportError:
        return Telemetry(services)
    return factory(services)


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
        layers = [p for p in self.plugins]
        self.chain = build_chain(layers, dispatch, instrument=self.telemetry.instrument_layer)
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
        self._metric_models: set[str] = set(config.models.allow) | set(config.models.routes)
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
        """A low-cardinality model label: known models, then the first 50 seen, then "other"."""
        if not model:
            return "none"
        if model in self._metric_models:
            return model
        if len(self._metric_models) < 50 and len(model) <= 64:
            self._metric_models.add(model)
            return model
        return "other"

    async def start(self) -> None:
        limit = sum(p.max_connections for p in self.config.providers.values())
        self.services.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=limit, limit_per_host=0, ttl_dns_cache=300, enable_cleanup_closed=True),
            auto_decompress=True,
            skip_auto_headers=("User-Agent",),
        )
        if any(p.uses_tokens for p in self.plugins):
            # Build the tokenizers now (about a second), not on the first request.
            await asyncio.get_running_loop().run_in_executor(None, _warm_tokens)
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


def _warm_tokens() -> None:
    tokens.warm()
    try:  # hand the parsing garbage back to the OS (glibc only), so idle RSS reflects real use
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _route_pattern(path: str) -> re.Pattern[str]:
    path = path.strip("/")
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", re.escape(path).replace(r"\{", "{").replace(r"\}", "}")) + "$")


class AppState:
    def __init__(self, config: Config, config_path: str | None) -> None:
        self.current = Generation(config)
        self.config_path = config_path
        self.draining = False
        self.ready = False
        self.retired: set[Generation] = set()  # swapped out by reloads, closing when idle
        self._reload_lock = asyncio.Lock()

    async def reload(self) -> bool:
        """Re-read proxy.toml and swap the generation; keep the old one on any error."""
        if not self.config_path:
            log.warning("reload asked but Bulwark was started without a config file")
            return False
        async with self._reload_lock:
            if self.draining:
                log.info("reload ignored: shutting down")
                return False
            new: Generation | None = None
            same_state = False
            try:
                config = load_config(self.config_path)
                same_state = config.state == self.current.config.state
                new = Generation(config, reuse_state=self.current.services.state if same_state else None)
                await new.start()
            except ConfigError as exc:
                log.error("reload refused, keeping the running config:\n%s", exc)
                await _discard_generation(new)
                return False
            except Exception:
                log.exception("reload failed, keeping the running config")
                await _discard_generation(new)
                return False
            if self.draining:  # SIGTERM arrived while the new generation was starting
                await _discard_generation(new)
                return False
            old, self.current = self.current, new
            self.retired.add(old)
            if same_state:
                # The backend now belongs to the new generation; the old one must not close it.
                old.owns_state, new.owns_state = False, True
            else:
                log.warning("reload: [state] changed; in-memory limits, budgets and queues start empty")
            old.retired = True
            old.release()
            log.info("config reloaded from %s: chain %s", self.config_path, [p.name for p in new.plugins])
            return True


async def _discard_generation(gen: "Generation | None") -> None:
    """Close a generation that never went live (its state only if it owns it)."""
    if gen is None:
        return
    try:
        await gen.close()
    except Exception:
        log.exception("closing a discarded generation failed")


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    st: AppState = request.app["bulwark"]
    if st.draining:
        return web.json_response({"status": "draining"}, status=503)
    if not st.ready:
        return web.json_response({"status": "starting"}, status=503)
    gen = st.current
    checks: dict[str, str] = {"config": "ok"}
    if gen.config.state.backend == "redis":
        try:
            ok = await asyncio.wait_for(gen.services.state.ping(), timeout=1.0)
        except Exception:
            ok = False
        if not ok and gen.config.state.on_failure == "fail_open":
            # Requests are still served (local fallback): pulling every pod out of the Service
            # during a Redis outage would turn a degraded state into a full outage.
            checks["state"] = "unreachable (fail_open: serving with local state)"
        elif not ok:
            checks["state"] = "unreachable"
            return web.json_response({"status": "not ready", "checks": checks}, status=503)
        else:
            checks["state"] = "ok"
    return web.json_response({"status": "ready", "checks": checks})


async def openapi(request: web.Request) -> web.Response:
    from .openapi import document

    return web.json_response(document("/"))


async def v1(request: web.Request) -> web.StreamResponse:
    gen: Generation = request.app["bulwark"].current
    if gen.local_routes:
        path = "/" + request.match_info.get("tail", "").strip("/")
        local = gen.local_routes.get((request.method, path))
        if local is not None:
            return await local(request)
    return await handle(request)


async def admin(request: web.Request) -> web.StreamResponse:
    st: AppState = request.app["bulwark"]
    gen = st.current
    rid = new_request_id()
    expected = os.environ.get(gen.config.auth.admin_key_env)
    if not expected:
        return error_response(PermissionDenied(f"The admin API is disabled: set the {gen.config.auth.admin_key_env} environment variable to an admin key."), None, rid)
    tail = request.match_info.get("tail", "").strip("/")
    given = request.headers.get("x-admin-key") or presented_key(request.headers) or request.cookies.get("bulwark_admin")
    if not given and tail == "" and request.method == "GET":
        given = request.query.get("key")  # the dashboard page only (a browser link); it sets a cookie
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        return error_response(Unauthorized("This admin endpoint needs the admin key (Authorization: Bearer <admin key>).", code="invalid_admin_key"), None, rid)
    for method, pattern, handler in gen.admin_routes:
        m = pattern.match(tail)
        if m and method in (request.method, "*"):
            request.match_info.update(m.groupdict())
            try:
                return await handler(request)
            except ProxyError as exc:
                return error_response(exc, None, rid)
    from .errors import NotFound

    return error_response(NotFound(f"No admin endpoint {request.method} /admin/{tail}."), None, rid)


async def metrics(request: web.Request) -> web.StreamResponse:
    gen: Generation = request.app["bulwark"].current
    handler = getattr(gen.telemetry, "metrics_handler", None)
    if handler is None:
        return web.Response(status=404, text="metrics are not enabled\n")
    return await handler(request)


def create_app(config: Config, config_path: str | None = None) -> web.Application:
    app = web.Application(client_max_size=config.server.max_body_bytes + 1024, handler_args={"max_field_size": 16384, "max_line_size": 16384})
    state = AppState(config, config_path)
    with warnings.catch_warnings():
        # A plain string key keeps `request.app["bulwark"]` simple for plugins' admin handlers.
        warnings.simplefilter("ignore")
        app["bulwark"] = state

    async def on_startup(app: web.Application) -> None:
        await state.current.start()
        state.ready = True

    async def on_cleanup(app: web.Application) -> None:
        state.draining = True
        for old in state.retired:  # generations a reload swapped out: flush and close them too
            await old.close()
        await state.current.close()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/openapi.json", openapi)
    app.router.add_route("*", "/admin/{tail:.*}", admin)
    app.router.add_route("*", "/admin", admin)
    app.router.add_route("*", "/v1/{tail:.*}", v1)
    return app
