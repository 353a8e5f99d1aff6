"""Admin sign-in for the dashboard: one login, then a signed, expiring session cookie.

    POST /admin/login    form (or JSON) field `key` = the admin key -> Set-Cookie bulwark_session
    POST /admin/logout   clears it

The cookie never holds the admin key. It is `v1.<expires>.<nonce>.<mac>`, the MAC an
HMAC-SHA256 over `v1.<expires>.<nonce>` with a signing key derived from the admin key and,
when `auth.admin_session_secret_env` names a set variable, that secret. Why derive it from
the admin key by default: every worker and replica then accepts a session another one issued
(a per-process secret would log the dashboard out whenever a refresh lands on another worker),
and rotating the admin key ends every session. Setting the secret adds a second switch that
ends sessions without changing the key. Flags: HttpOnly, SameSite=Strict, Path=/admin, Secure
over https (`auth.admin_cookie_secure`), Max-Age = `auth.admin_session_ttl_seconds`.

`?key=` in the URL is not accepted: it lands in access logs, proxies and browser history.
API clients keep sending the key as `x-admin-key` or `Authorization: Bearer`.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import html
import os
import re
import secrets
import time
from importlib import resources
from typing import Any

from aiohttp import web

COOKIE = "bulwark_session"
LEGACY_COOKIE = "bulwark_admin"  # held the raw key before sessions; cleared on sight
_VERSION = "v1"
_MAX_LOGIN_BODY = 4096
_PAGE: str | None = None

LOGIN_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def signing_key(admin_key: str, secret: str | None) -> bytes:
    material = admin_key.encode("utf-8", "surrogateescape")
    if secret:
        return hmac.new(secret.encode("utf-8", "surrogateescape"), b"bulwark-admin-session\0" + material, hashlib.sha256).digest()
    return hashlib.sha256(b"bulwark-admin-session\0" + material).digest()


def _mac(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def issue(key: bytes, ttl: float, now: float | None = None) -> tuple[str, int]:
    """A new session token and its expiry (unix seconds)."""
    expires = int((now if now is not None else time.time()) + ttl)
    payload = f"{_VERSION}.{expires}.{_b64(secrets.token_bytes(12))}"
    return f"{payload}.{_mac(key, payload)}", expires


def verify(key: bytes, token: str, now: float | None = None) -> bool:
    if not token.isascii():  # a cookie with bytes that are not UTF-8 is simply not a session
        return False
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != _VERSION or not parts[1].isdigit():
        return False
    payload, mac = ".".join(parts[:3]), parts[3]
    if not hmac.compare_digest(_mac(key, payload).encode(), mac.encode()):
        return False
    return int(parts[1]) > (now if now is not None else time.time())


class AdminAuth:
    """Checks an admin request's credential; issues and clears sessions."""

    def __init__(self, auth: Any) -> None:
        self.auth = auth  # proxy.config.AuthConfig

    def expected_key(self) -> str | None:
        return os.environ.get(self.auth.admin_key_env) or None

    def _signing_key(self, admin_key: str) -> bytes:
        return signing_key(admin_key, os.environ.get(self.auth.admin_session_secret_env))

    def key_matches(self, given: str, expected: str) -> bool:
        return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape"))

    def session_valid(self, request: web.Request, expected: str) -> bool:
        token = request.cookies.get(COOKIE)
        return bool(token) and verify(self._signing_key(expected), token)

    def secure(self, request: web.Request) -> bool:
        mode = self.auth.admin_cookie_secure
        if mode != "auto":
            return mode == "always"
        # A spoofed X-Forwarded-Proto only makes the browser withhold the cookie over plain http.
        return request.secure or request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower() == "https"

    def new_token(self, expected: str) -> tuple[str, int]:
        return issue(self._signing_key(expected), self.auth.admin_session_ttl_seconds)

    def set_cookie(self, resp: web.StreamResponse, request: web.Request, token: str) -> None:
        resp.set_cookie(COOKIE, token, path="/admin", max_age=int(self.auth.admin_session_ttl_seconds), httponly=True,
                        samesite="Strict", secure=self.secure(request))
        resp.del_cookie(LEGACY_COOKIE, path="/admin")

    def end_session(self, resp: web.StreamResponse) -> None:
        resp.del_cookie(COOKIE, path="/admin")
        resp.del_cookie(LEGACY_COOKIE, path="/admin")


async def read_login(request: web.Request) -> tuple[str | None, int | None]:
    """The `key` and `refresh` fields of a login form or JSON body (bounded; unreadable -> None)."""
    if request.content_length is not None and request.content_length > _MAX_LOGIN_BODY:
        return None, None
    try:
        raw = await request.content.read(_MAX_LOGIN_BODY + 1)
    except Exception:  # noqa: BLE001 - a broken body is a failed login, never a 500
        return None, None
    if len(raw) > _MAX_LOGIN_BODY:
        return None, None
    if request.content_type == "application/json":
        import orjson

        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None, None
        value = body.get("key") if isinstance(body, dict) else None
        return (value if isinstance(value, str) and value else None), None
    from urllib.parse import parse_qs

    fields = parse_qs(raw.decode("utf-8", "surrogateescape"), keep_blank_values=False)
    key = fields.get("key", [None])[0]
    return key, refresh_seconds(fields.get("refresh", [""])[0])


def refresh_seconds(value: str | None) -> int | None:
    """The dashboard's `?refresh=N`, carried through the sign-in (digits only: it goes into a URL)."""
    return int(value) if value and value.isdigit() and 0 < int(value) <= 3600 else None


def after_login(refresh: int | None) -> str:
    return f"/admin?refresh={refresh}" if refresh else "/admin"


def wants_html(request: web.Request) -> bool:
    return "text/html" in request.headers.get("Accept", "")


def login_page(title: str, message: str = "", refresh: int | None = None, status: int = 401) -> web.Response:
    global _PAGE
    if _PAGE is None:
        _PAGE = resources.files(__package__).joinpath("login.html").read_text("utf-8")
    values = {"{{TITLE}}": html.escape(title), "{{MESSAGE}}": html.escape(message), "{{REFRESH}}": str(refresh or "")}
    body = re.sub(r"\{\{(TITLE|MESSAGE|REFRESH)\}\}", lambda m: values[m.group(0)], _PAGE)
    resp = web.Response(status=status, text=body, content_type="text/html", headers={
        "cache-control": "no-store", "content-security-policy": LOGIN_CSP, "x-frame-options": "DENY", "referrer-policy": "no-referrer",
    })
    return resp
