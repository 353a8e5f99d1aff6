"""The application factory and its lifecycle.

A `Generation` (proxy.generation) is everything built from one config: services (state,
HTTP session, providers, metrics, telemetry), plugins and the frozen chain. Hot reload builds
a new generation, swaps it in atomically, and closes the old one once its in-flight requests end.
Routes: `/v1/*` (the proxy), `/healthz`, `/readyz`, `/metrics`, `/admin/*` (admin key).
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import os
import warnings

from aiohttp import web

from .auth import presented_key
from .config import Config, load_config
from .context import new_request_id
from .edge import error_response
from .errors import ConfigError, PermissionDenied, ProxyError, Unauthorized
from .generation import Generation
from .handlers import handle

log = logging.getLogger("bulwark")


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
