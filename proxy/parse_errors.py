"""Requests aiohttp rejects before Bulwark sees them, answered in OpenAI's error shape.

aiohttp's HTTP parser refuses some requests itself (malformed request lines, conflicting
Content-Length and Transfer-Encoding, oversized header lines or fields, broken chunked
framing) and answers them with a plain-text body from `RequestHandler.handle_error`; no
middleware or handler runs. An SDK then gets a 400 it cannot parse. `install()` wraps that
one method so the same statuses carry an OpenAI-shaped JSON error with the parser's reason
(and a 500 from inside aiohttp never shows its plain-text page). The connection is still
closed afterwards, as aiohttp does: after a framing error the byte stream cannot be trusted.
"""
from __future__ import annotations

import logging
from typing import Any

from aiohttp import web, web_protocol

from .errors import error_body

log = logging.getLogger("bulwark")

_TYPES = {
    400: ("invalid_request_error", "invalid_http_request"),
    413: ("invalid_request_error", "request_too_large"),
    414: ("invalid_request_error", "request_line_too_long"),
    431: ("invalid_request_error", "headers_too_large"),
}
_HINTS = {
    400: "The HTTP request could not be parsed ({reason}); check its request line, headers and body framing "
         "(Content-Length or chunked, not both).",
    413: "The request is too large for this Bulwark ({reason}).",
    414: "The request line is too long ({reason}).",
    431: "A request header is too large ({reason}); headers are limited to 16 KiB each.",
}


def _json_error(status: int, reason: str) -> web.Response:
    etype, code = _TYPES.get(status, ("invalid_request_error", None) if status < 500 else ("api_error", "internal_error"))
    if status >= 500:
        message = "Bulwark could not handle this request (an internal error before it reached the proxy). Retry."
    else:
        message = _HINTS.get(status, "The HTTP request was rejected ({reason}).").format(reason=reason or "malformed")
    import orjson

    resp = web.Response(status=status, body=orjson.dumps(error_body(message, etype, code)), content_type="application/json")
    resp.force_close()
    return resp


def install() -> None:
    """Make aiohttp's own error answers OpenAI-shaped (idempotent)."""
    handler_cls: Any = web_protocol.RequestHandler
    if getattr(handler_cls.handle_error, "_bulwark", False):
        return
    original = handler_cls.handle_error

    def handle_error(self: Any, request: Any, status: int = 500, exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        resp = original(self, request, status, exc, message)  # logs, and raises when bytes already went out
        reason = str(getattr(exc, "message", None) or message or (exc.__class__.__name__ if exc else "")).strip()
        reason = reason.replace("\n", " ")[:200]
        return _json_error(resp.status, reason)

    handle_error._bulwark = True  # type: ignore[attr-defined]
    handler_cls.handle_error = handle_error
