"""Upstream HTTP helpers shared by the HTTP providers (openai, anthropic): headers, timeouts, reads.

`config.timeouts` has four budgets, all enforced here:

    connect     opening the TCP/TLS connection            -> UpstreamTimeout
    first_byte  until the response headers arrive          -> UpstreamTimeout
    idle        max gap between two chunks of a body       -> UpstreamStreamError(reason="stall")
    total       the whole exchange (a monotonic deadline)  -> UpstreamTimeout / UpstreamStreamError

Connection failures raise `UpstreamUnavailable`. Bodies are read with `readany()` (aiohttp's
line reader raises on long SSE lines).
"""
from __future__ import annotations

import asyncio
import time
from typing import Any, AsyncIterator, Iterable, Mapping

import aiohttp
from multidict import CIMultiDict

from ..config import Timeouts
from ..errors import ProxyError, UpstreamStreamError, UpstreamTimeout, UpstreamUnavailable

# Headers that describe one hop, never forwarded either way.
HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
    "transfer-encoding", "upgrade", "host", "content-length",
})
# Client credentials that must not reach the upstream in managed mode.
CREDENTIALS = frozenset({"authorization", "api-key", "x-api-key"})
# Request headers describing an encoding Bulwark undoes.
_RECODED = frozenset({"accept-encoding", "content-encoding"})
# aiohttp decompresses bodies, so the upstream's encoding headers no longer apply.
_RESPONSE_DROP = HOP_BY_HOP | {"content-encoding"}


def upstream_request_headers(
    src: Mapping[str, str], *, drop_credentials: bool = True, extra: Iterable[tuple[str, str]] = ()
) -> CIMultiDict[str]:
    """The client's headers less hop-by-hop (and credentials), plus `extra` (replacing)."""
    out: CIMultiDict[str] = CIMultiDict()
    for k, v in src.items():
        lk = k.lower()
        # accept-encoding: aiohttp negotiates its own; content-encoding: the server already
        # decoded the client's body, so the header would mislabel what goes upstream.
        if lk in HOP_BY_HOP or lk in _RECODED or (drop_credentials and lk in CREDENTIALS):
            continue
        out.add(k, v)
    for k, v in extra:
        out[k] = v
    return out


def client_response_headers(src: Mapping[str, str]) -> CIMultiDict[str]:
    """The upstream's response headers less hop-by-hop and encoding headers."""
    out: CIMultiDict[str] = CIMultiDict()
    for k, v in src.items():
        if k.lower() not in _RESPONSE_DROP:
            out.add(k, v)
    return out


async def open_request(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    data: Any,
    timeouts: Timeouts,
    provider: str,
    first_byte: float | None = None,
) -> aiohttp.ClientResponse:
    """Send a request and wait for the response headers (connect + first byte, capped by `first_byte`)."""
    wait = timeouts.connect + timeouts.first_byte
    if first_byte is not None:
        wait = min(wait, first_byte)
    try:
        # asyncio.timeout, not wait_for: wait_for wraps the call in a new Task (measurable per request).
        async with asyncio.timeout(max(0.001, wait)):
            return await session.request(
                method, url, data=data, headers=headers, timeout=_client_timeout(timeouts.connect), allow_redirects=False,
            )
    except (asyncio.TimeoutError, aiohttp.ServerTimeoutError):
        raise UpstreamTimeout(
            f"The upstream provider '{provider}' did not answer within {wait:.1f} s. Retry later; if this "
            "persists, check the provider's status or raise its timeouts in proxy.toml.",
        ) from None
    except aiohttp.ClientError as exc:
        if isinstance(exc.__cause__, ProxyError):
            # Raised while streaming the client's body up (e.g. it exceeded max_body_bytes):
            # the client's fault, not an unreachable upstream.
            raise exc.__cause__ from None
        raise UpstreamUnavailable(
            f"Bulwark could not reach the upstream provider '{provider}' ({type(exc).__name__}). Retry later; "
            "if this persists, check the provider's base_url and network.",
        ) from None


_TIMEOUTS: dict[float, aiohttp.ClientTimeout] = {}


def _client_timeout(connect: float) -> aiohttp.ClientTimeout:
    t = _TIMEOUTS.get(connect)
    if t is None:
        t = _TIMEOUTS[connect] = aiohttp.ClientTimeout(total=None, connect=connect, sock_connect=connect)
    return t


# An upstream answer larger than this is refused (502) instead of held in memory: one 200 MB
# body took a worker from 136 MB to 1 GB RSS. `providers.<name>.max_response_bytes` sets it.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024


async def read_body(resp: aiohttp.ClientResponse, timeouts: Timeouts, provider: str, deadline: float,
                    limit: int | None = None) -> bytes:
    """Read a whole body before the monotonic `deadline`, with the idle gap enforced too
    (a plain answer that stalls after its headers fails after `idle`, not after `total`),
    and at most `limit` bytes."""
    parts: list[bytes] = []
    try:
        async for chunk in read_chunks(resp, timeouts, provider, deadline, limit):
            parts.append(chunk)
    except UpstreamStreamError as exc:
        resp.close()
        if exc.reason == "too_large":
            raise UpstreamUnavailable(exc.message, code="upstream_answer_too_large") from None
        if exc.reason == "stall":
            raise UpstreamTimeout(f"The upstream provider '{provider}' stopped sending its answer midway ({exc.message}). Retry later.") from None
        raise UpstreamUnavailable(
            f"The connection to the upstream provider '{provider}' broke while reading its answer. Retry.",
        ) from None
    return b"".join(parts)


async def read_chunks(
    resp: aiohttp.ClientResponse, timeouts: Timeouts, provider: str, deadline: float, limit: int | None = None
) -> AsyncIterator[bytes]:
    """Yield body chunks as they arrive; a gap over `idle`, the deadline or more than `limit`
    bytes in all raises UpstreamStreamError (reason stall / too_large)."""
    content = resp.content
    limit = limit or DEFAULT_MAX_RESPONSE_BYTES
    if resp.content_length is not None and resp.content_length > limit:
        raise UpstreamStreamError(_too_large(provider, resp.content_length, limit), reason="too_large")
    seen = 0
    while True:
        left = deadline - time.monotonic()
        gap = min(timeouts.idle, left)
        if gap <= 0:
            raise UpstreamStreamError(f"The upstream provider '{provider}' exceeded the total time budget mid-stream.", reason="stall")
        try:
            if content._buffer or content.is_eof():
                # Bytes (or the end) are already here: readany returns without waiting, so no
                # timer (a plain answer is buffered whole with its headers, as a rule).
                chunk = await content.readany()
            else:
                async with asyncio.timeout(gap):
                    chunk = await content.readany()
        except asyncio.TimeoutError:
            what = "the total time budget" if left <= timeouts.idle else f"{timeouts.idle:g} s without sending anything"
            raise UpstreamStreamError(f"The upstream provider '{provider}' stalled mid-stream ({what}).", reason="stall") from None
        except aiohttp.ClientError as exc:
            # aiohttp raises a stored payload error before handing out bytes it already
            # buffered: deliver those first, so events that arrived before the break are kept.
            leftover = _salvage(content)
            if leftover:
                yield leftover
            raise UpstreamStreamError(f"The upstream provider '{provider}' broke the stream ({type(exc).__name__}).", reason="cut") from None
        if not chunk:
            return
        seen += len(chunk)
        if seen > limit:
            raise UpstreamStreamError(_too_large(provider, seen, limit), reason="too_large")
        yield chunk


def _too_large(provider: str, size: int, limit: int) -> str:
    return (f"The upstream provider '{provider}' sent an answer of {size} bytes or more, over this Bulwark's limit of "
            f"{limit} bytes (providers.{provider}.max_response_bytes); it was not relayed.")


def _salvage(content: aiohttp.StreamReader) -> bytes:
    """Bytes buffered before a connection error (private API, guarded: b"" if it changes)."""
    try:
        return content._read_nowait(-1) if content._buffer else b""  # type: ignore[attr-defined]
    except Exception:
        return b""
