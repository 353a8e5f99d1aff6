"""Admin sign-in: one login, a signed expiring session cookie (never the raw key), no `?key=`,
header / bearer keys for API clients, and clean OpenAI-shaped 401s for header bytes that are
not UTF-8 (client keys and the admin key alike)."""
from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest

from proxy.observability.admin_session import COOKIE, issue, signing_key
from tests.helpers import base_config, start_proxy

ADMIN = "session-admin-key-0123456789"
HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture(autouse=True)
def admin_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULWARK_ADMIN_KEY", ADMIN)
    monkeypatch.delenv("BULWARK_ADMIN_SESSION_SECRET", raising=False)


async def raw_request(port: int, head: bytes, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request written byte for byte (header values no client library would send)."""
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(head + b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n" + body)
    await w.drain()
    data = await r.read()
    w.close()
    top, _, body = data.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def assert_openai_401(status: int, headers: dict[str, str], body: bytes, code: str) -> dict[str, Any]:
    import json

    assert status == 401, body
    assert headers["content-type"].startswith("application/json")
    err = json.loads(body)["error"]
    assert err["code"] == code and err["type"] == "invalid_request_error" and err["message"]
    return err


@pytest.mark.parametrize("mode", ["managed", "passthrough"])
async def test_non_utf8_client_key_is_a_clean_401(sim: Any, mode: str) -> None:
    proxy = await start_proxy(base_config(sim.url, auth={"mode": mode}))
    try:
        body = b'{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}'
        head = (b"POST /v1/chat/completions HTTP/1.1\r\nAuthorization: Bearer sk-\xff\xfe\xc3(\r\n"
                b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n")
        status, headers, out = await raw_request(proxy.port, head, body)
        assert "UTF-8" in assert_openai_401(status, headers, out, "invalid_api_key")["message"]
        status, headers, out = await raw_request(proxy.port, b"GET /v1/models HTTP/1.1\r\nx-api-key: \xe9t\xe9\r\n")
        assert "UTF-8" in assert_openai_401(status, headers, out, "invalid_api_key")["message"]
        assert len(sim.requests) == 0  # nothing reached the upstream
    finally:
        await proxy.aclose()


async def test_non_utf8_admin_key_and_cookie_are_a_clean_401(sim: Any) -> None:
    proxy = await start_proxy(base_config(sim.url))
    try:
        for head in (b"GET /admin/stats HTTP/1.1\r\nx-admin-key: \xff\xfeadmin\r\n",
                     b"GET /admin/stats HTTP/1.1\r\nAuthorization: Bearer \xc3\x28\r\n",
                     b"GET /admin/stats HTTP/1.1\r\nCookie: " + COOKIE.encode() + b"=v1.9999999999.\xff\xfe.abc\r\n"):
            status, headers, out = await raw_request(proxy.port, head)
            assert_openai_401(status, headers, out, "invalid_admin_key")
        status, _, _ = await raw_request(proxy.port, b"GET /admin/stats HTTP/1.1\r\nx-admin-key: " + ADMIN.encode() + b"\r\n")
        assert status == 200
    finally:
        await proxy.aclose()


async def test_login_sets_a_signed_expiring_cookie_and_key_in_url_is_refused(sim: Any) -> None:
    proxy = await start_proxy(base_config(sim.url))
    base = proxy.base
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            # a browser without a session gets the sign-in form, with a 401
            async with http.get(base + "/admin", headers=HTML) as r:
                assert r.status == 401 and r.content_type == "text/html"
                page = await r.text()
                assert 'action="/admin/login"' in page and 'type="password"' in page
            # ?key= is no longer a credential: refused, explained, and no cookie set
            async with http.get(base + f"/admin?key={ADMIN}", headers=HTML) as r:
                assert r.status == 401 and "no longer accepted in the URL" in await r.text()
                assert COOKIE not in r.cookies and "bulwark_admin" not in r.headers.get("Set-Cookie", "").split("=")[0]
            async with http.get(base + f"/admin/stats?key={ADMIN}") as r:
                assert r.status == 401 and (await r.json())["error"]["code"] == "invalid_admin_key"
            assert len(http.cookie_jar) == 0
            # a wrong key: the form again, no session
            async with http.post(base + "/admin/login", data={"key": "wrong"}, headers=HTML, allow_redirects=False) as r:
                assert r.status == 401 and "not the admin key" in await r.text()
            assert len(http.cookie_jar) == 0
            async with http.get(base + "/admin?refresh=2", headers=HTML) as r:  # the interval survives the sign-in
                assert 'name="refresh" value="2"' in await r.text()
            async with http.post(base + "/admin/login", data={"key": ADMIN, "refresh": "2;evil"}, headers=HTML, allow_redirects=False) as r:
                assert r.status == 303 and r.headers["Location"] == "/admin"  # not digits: dropped
            async with http.post(base + "/admin/login", data={"key": ADMIN, "refresh": "2"}, headers=HTML, allow_redirects=False) as r:
                assert r.status == 303 and r.headers["Location"] == "/admin?refresh=2"
                set_cookie = r.headers["Set-Cookie"]
            assert set_cookie.startswith(COOKIE + "=")
            token = set_cookie.split(";")[0].split("=", 1)[1]
            assert ADMIN not in set_cookie and token.startswith("v1.")
            flags = [f.strip().lower() for f in set_cookie.split(";")[1:]]
            assert "httponly" in flags and "samesite=strict" in flags and "path=/admin" in flags
            assert "max-age=28800" in flags and "secure" not in flags  # plain http here
            expires = int(token.split(".")[1])
            assert time.time() + 28700 < expires <= time.time() + 28801
            # the session opens the dashboard and its JSON
            async with http.get(base + "/admin", headers=HTML) as r:
                assert r.status == 200 and 'id="five"' in await r.text()
            async with http.get(base + "/admin/stats") as r:
                assert r.status == 200 and (await r.json())["object"] == "bulwark.stats"
            # logout ends it
            async with http.post(base + "/admin/logout", allow_redirects=False) as r:
                assert r.status == 303
            async with http.get(base + "/admin/stats") as r:
                assert r.status == 401
    finally:
        await proxy.aclose()


async def test_tampered_expired_and_rotated_sessions_are_refused(sim: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = await start_proxy(base_config(sim.url))
    stats = proxy.base + "/admin/stats"
    try:
        async with aiohttp.ClientSession() as http:
            async def status_with(token: str) -> int:
                async with http.get(stats, headers={"Cookie": f"{COOKIE}={token}"}) as r:
                    return r.status

            good, _ = issue(signing_key(ADMIN, None), 600)
            assert await status_with(good) == 200
            v, exp, nonce, mac = good.split(".")
            assert await status_with(f"{v}.{int(exp) + 3600}.{nonce}.{mac}") == 401  # a longer expiry is not signed
            assert await status_with(f"{v}.{exp}.{nonce}.{mac[:-2]}AA") == 401
            assert await status_with("garbage") == 401
            expired, _ = issue(signing_key(ADMIN, None), 60, now=time.time() - 120)
            assert await status_with(expired) == 401
            async with http.get(proxy.base + "/admin", headers={**HTML, "Cookie": f"{COOKIE}={expired}"}) as r:
                assert r.status == 401 and "session expired" in await r.text()
            # a configured secret: sessions signed without it stop working (rotation ends sessions)
            monkeypatch.setenv("BULWARK_ADMIN_SESSION_SECRET", "s3cret")
            assert await status_with(good) == 401
            assert await status_with(issue(signing_key(ADMIN, "s3cret"), 600)[0]) == 200
            # rotating the admin key ends every session
            monkeypatch.setenv("BULWARK_ADMIN_KEY", "a-new-admin-key")
            assert await status_with(issue(signing_key(ADMIN, "s3cret"), 600)[0]) == 401
            # API clients: the header and bearer forms keep working
            async with http.get(stats, headers={"x-admin-key": "a-new-admin-key"}) as r:
                assert r.status == 200
            async with http.get(stats, headers={"Authorization": "Bearer a-new-admin-key"}) as r:
                assert r.status == 200
    finally:
        await proxy.aclose()


async def test_json_exchange_and_secure_flag_behind_https(sim: Any) -> None:
    proxy = await start_proxy(base_config(sim.url, auth={"admin_session_ttl_seconds": 120}))
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(proxy.base + "/admin/login", json={"key": ADMIN}, headers={"X-Forwarded-Proto": "https"}) as r:
                assert r.status == 200
                body = await r.json()
                set_cookie = r.headers["Set-Cookie"]
            assert body["object"] == "bulwark.admin_session" and body["expires_at"] <= time.time() + 121
            flags = [f.strip().lower() for f in set_cookie.split(";")[1:]]
            assert "secure" in flags and "max-age=120" in flags
            async with http.post(proxy.base + "/admin/login", json={"key": "nope"}) as r:
                assert r.status == 401 and (await r.json())["error"]["code"] == "invalid_admin_key"
            async with http.post(proxy.base + "/admin/login", data=b"\xff" * 10_000,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"}) as r:
                assert r.status == 401
    finally:
        await proxy.aclose()
