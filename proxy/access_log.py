"""The access log (`server.access_log = true`): one line per request, written after its last
byte, with what the request cost.

aiohttp's own format knows the status and timing but not the request's ledger; this logger
reads the context the handler leaves on the aiohttp request, so a streamed answer (whose
headers left before its cost was known) is logged with its cost, tokens and attempts too.
"""
from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

# Where the handler leaves the RequestContext on the aiohttp request.
CTX_KEY: web.RequestKey[Any] = web.RequestKey("bulwark_ctx", object)


class AccessLogger(AbstractAccessLogger):
    def log(self, request: Any, response: Any, time: float) -> None:
        ctx = request.get(CTX_KEY)
        line = f'{request.remote} "{request.method} {request.path}" {response.status} {time * 1000:.1f}ms'
        if ctx is not None:
            led = ctx.ledger
            p, c, _ = led.usage
            ident = ctx.identity
            line += (f" req={ctx.request_id} key={ident.key_name or ident.key_id} model={ctx.model or '-'}"
                     f" provider={ctx.served_by or '-'} attempts={len(led.attempts)} tokens={p}/{c}"
                     f" cost_usd={led.cost_usd:.6f}")
        self.logger.info(line)


def access_logger() -> logging.Logger:
    return logging.getLogger("bulwark.access")
