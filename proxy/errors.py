"""Errors Bulwark answers itself, always in OpenAI's shape.

    ProxyError                      any error Bulwark answers itself (status, type, code, param)
    ├── BadRequest                  400 invalid_request_error
    ├── Unauthorized                401 invalid_api_key
    ├── PermissionDenied            403 permission_denied
    ├── NotFound                    404 model_not_found / not_found
    ├── PayloadTooLarge             413 request_too_large
    ├── RateLimited                 429 rate_limit_exceeded / insufficient_quota
    ├── ServiceUnavailable          503 (fail-closed policies, overload, draining)
    ├── UpstreamUnavailable         502 the provider could not be reached or broke the protocol
    ├── UpstreamTimeout             504 the provider did not answer in time
    └── FailoverRequested           502 validation_failed: an answer was refused, ask the next provider

`UpstreamStreamError` is raised *inside* a stream after the status line went out: the
edge turns it into a `data: {"error": ...}` event and closes, never a normal end.

Plugins raise these; one boundary in `proxy.app` turns them into responses. Messages are
meant for a person: say what happened and what to do, never include keys or stack traces.
"""
from __future__ import annotations

from typing import Any, Mapping

import orjson


class ProxyError(Exception):
    status: int = 500
    type: str = "api_error"
    code: str | None = None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        type: str | None = None,
        code: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if type is not None:
            self.type = type
        if code is not None:
            self.code = code
        self.param = param
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return error_body(self.message, self.type, self.code, self.param)

    def body_bytes(self) -> bytes:
        return orjson.dumps(self.body())


class BadRequest(ProxyError):
    status = 400
    type = "invalid_request_error"


class Unauthorized(ProxyError):
    status = 401
    type = "invalid_request_error"
    code = "invalid_api_key"


class PermissionDenied(ProxyError):
    status = 403
    type = "permission_denied"
    code = "permission_denied"


class NotFound(ProxyError):
    status = 404
    type = "invalid_request_error"
    code = "not_found"


class PayloadTooLarge(ProxyError):
    status = 413
    type = "invalid_request_error"
    code = "request_too_large"


class RateLimited(ProxyError):
    status = 429
    type = "requests"
    code = "rate_limit_exceeded"


class ServiceUnavailable(ProxyError):
    status = 503
    type = "service_unavailable"
    code = "service_unavailable"


class UpstreamUnavailable(ProxyError):
    status = 502
    type = "upstream_error"
    code = "upstream_unavailable"


class UpstreamTimeout(ProxyError):
    status = 504
    type = "upstream_error"
    code = "upstream_timeout"


class FailoverRequested(ProxyError):
    """A layer refused an answer and asks an outer layer to try the next provider.

    The validate plugin raises it for a failing validator whose action is `fallback`; the
    fallback plugin catches it (`exc.issues`, `exc.validators`, `exc.provider`) without
    either importing the other. When nothing catches it, the client gets an OpenAI-shaped
    502 that says why.
    """

    status = 502
    type = "upstream_error"
    code = "validation_failed"

    def __init__(self, issues: list[str], *, validators: list[str] | None = None, provider: str | None = None) -> None:
        shown = "; ".join(issues[:3]) + (f" (+{len(issues) - 3} more)" if len(issues) > 3 else "")
        super().__init__(
            f"The model's answer failed Bulwark's response validation ({shown}) and no fallback provider "
            "handled it. Retry the request, or ask the operator to review the validation settings.",
        )
        self.issues = list(issues)
        self.validators = list(validators or [])
        self.provider = provider


class UpstreamStreamError(ProxyError):
    """A stream broke after it started: cut, stalled, malformed, or an upstream error event."""

    status = 502
    type = "upstream_error"
    code = "stream_interrupted"

    def __init__(self, message: str, *, reason: str = "cut", **kw: Any) -> None:
        super().__init__(message, **kw)
        self.reason = reason  # cut | stall | malformed | error_event


class ConfigError(Exception):
    """A configuration problem; the message names the TOML key path."""


def error_body(message: str, type: str, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}
