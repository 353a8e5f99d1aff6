"""The application factory and its lifecycle.

A `Generation` (proxy.generation) is everything built from one config: services (state,
HTTP session, providers, metrics, telemetry), plugins and the frozen chain. Hot reload builds
a new generation, swaps it in atomically, and closes the old one once its in-flight requests end.
Routes: `/v1/*` (the proxy), `/healthz`, `/readyz`, `/metrics`, `/admin/*` (admin key).
"""
from __future__ import annotations

import asyncio
import logging
import warnings
from typing import Callable

from aiohttp import web

from . import parse_errors
from .auth import presented_key
from .config import Config, load_config
from .context import new_request_id
from .edge import error_response
from .errors import ConfigError, PermissionDenied, ProxyError, Unauthorized
from .generation import Generation
from .handlers import handle
from .keys import is_clean_text
from .observability.admin_session import COOKIE, LEGACY_COOKIE, AdminAuth, after_login, login_page, read_login, refresh_seconds, wants_html

log = logging.getLogger("bulwark")


class AppState:
    def __init__(self, config: Config, config_path: str | None, transform: Callable[[Config], Config] | None = None) -> None:
        self.current = Generation(config)
        self.config_path = config_path
        # Applied to every config read on reload too (the demo's upstreams -> its simulator).
        self.transform = transform
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
                if self.transform is not None:
                    config = self.transform(config)
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
    probe = getattr(gen.telemetry, "probe", None)
    if probe is not None and probe.targets:
        checks["providers"] = probe.describe()
        if probe.all_unreachable() and probe.cfg.fail_readiness:
            return web.json_response({"status": "not ready", "checks": checks}, status=503)
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


def _admin_unauthorized(request: web.Request, gen: Generation, rid: str, message: str = "") -> web.StreamResponse:
    """A browser asking for the dashboard gets the sign-in form; API clients the OpenAI-shaped 401."""
    if request.method == "GET" and request.match_info.get("tail", "").strip("/") == "" and wants_html(request):
        resp = login_page(_service_name(gen), message, refresh_seconds(request.query.get("refresh")))
        if request.cookies.get(LEGACY_COOKIE):  # an old cookie holding the raw admin key: take it back
            resp.del_cookie(LEGACY_COOKIE, path="/admin")
        return resp
    return error_response(Unauthorized(
        "This admin endpoint needs the admin key: send it as `x-admin-key` or `Authorization: Bearer <admin key>` "
        "(browsers: sign in at /admin)." + (" " + message if message else ""), code="invalid_admin_key"), None, rid)


def _service_name(gen: Generation) -> str:
    cfg = getattr(gen.telemetry, "cfg", None)
    return getattr(cfg, "service_name", None) or "bulwark"


async def _admin_login(request: web.Request, gen: Generation, auth: AdminAuth, expected: str, rid: str) -> web.StreamResponse:
    given, refresh = await read_login(request)
    if given is None or not is_clean_text(given) or not auth.key_matches(given, expected):
        if wants_html(request) or request.content_type != "application/json":
            return login_page(_service_name(gen), "That is not the admin key.", refresh)
        return error_response(Unauthorized("That is not the admin key.", code="invalid_admin_key"), None, rid)
    token, expires = auth.new_token(expected)
    if request.content_type == "application/json":  # a script's one-time exchange: the cookie, no redirect
        resp: web.StreamResponse = web.json_response({"object": "bulwark.admin_session", "expires_at": expires})
    else:
        resp = _see_admin(after_login(refresh))
    auth.set_cookie(resp, request, token)
    return resp


def _see_admin(location: str = "/admin") -> web.Response:
    return web.Response(status=303, headers={"Location": location, "cache-control": "no-store"})


def _admin_credential_ok(request: web.Request, auth: AdminAuth, expected: str) -> bool | None:
    """True / False for a presented credential; None when there is none. Raises nothing."""
    given = request.headers.get("x-admin-key") or presented_key(request.headers)
    if given:
        return is_clean_text(given) and auth.key_matches(given, expected)
    if request.cookies.get(COOKIE):
        return auth.session_valid(request, expected)
    return None


async def admin(request: web.Request) -> web.StreamResponse:
    st: AppState = request.app["bulwark"]
    gen = st.current
    rid = new_request_id()
    auth = AdminAuth(gen.config.auth)
    expected = auth.expected_key()
    if not expected:
        return error_response(PermissionDenied(f"The admin API is disabled: set the {gen.config.auth.admin_key_env} environment variable to an admin key."), None, rid)
    tail = request.match_info.get("tail", "").strip("/")
    if tail == "login" and request.method == "POST":
        return await _admin_login(request, gen, auth, expected, rid)
    if tail == "logout" and request.method == "POST":
        out = _see_admin()
        auth.end_session(out)
        return out
    ok = _admin_credential_ok(request, auth, expected)
    if not ok:
        note = ""
        if "key" in request.query:
            note = "The admin key is no longer accepted in the URL (?key= lands in access logs and browser history)."
        elif ok is False and request.cookies.get(COOKIE):
            note = "Your session expired; sign in again."
        return _admin_unauthorized(request, gen, rid, note)
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


def create_app(config: Config, config_path: str | None = None, *, transform: Callable[[Config], Config] | None = None) -> web.Application:
    parse_errors.install()  # requests aiohttp's parser refuses get OpenAI-shaped errors too
    app = web.Application(client_max_size=config.server.max_body_bytes + 1024, handler_args={"max_field_size": 16384, "max_line_size": 16384})
    state = AppState(config, config_path, transform)
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
