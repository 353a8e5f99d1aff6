"""`ProxyResponse`: what flows back out through the plugin chain.

Exactly one body form is set:
- `body` (bytes): a complete answer. `json()` parses it once; `set_json()` replaces it.
- `stream`: an async iterator of `SSEEvent` (chat/completions with `stream: true`).
  Plugins wrap it (`resp.stream = wrapper(resp.stream)`) and never drain it unless they
  must see the whole answer.
- `raw_stream`: an async iterator of bytes, for pass-through endpoints (files, audio...).

Headers stay mutable until the edge sends them. `aclose()` releases the upstream
connection; whoever drops a response without sending it must call it.

Typed facts other layers read instead of string keys:
- `origin`: who wrote the answer: an upstream model (`UPSTREAM`), the cache, Bulwark's own
  tiers (`RULES`, `HUMAN`) or Bulwark itself (`BULWARK`: a blocked or replaced answer).
- `cacheable`: False once a layer knows the answer must not be reused (failed validation).
- `attempt` / `assembly`: the upstream attempt that produced it and the answer it delivers
  (one assembly, fed once by dispatch; a layer that writes a new stream supplies its own).
- `native`: a provider of another wire API (Responses, Messages) keeps its own answer here
  (`NativeAnswer`) while `body` holds the chat view plugins read; the edge sends the native bytes
  to a client of that API as long as no layer replaced the body (`native_for`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, AsyncIterator, Callable

import orjson
from multidict import CIMultiDict

from .sse import SSEEvent

if TYPE_CHECKING:
    from .assembly import Assembly
    from .ledger import Attempt

_UNSET: Any = object()

UPSTREAM = "upstream"
CACHE = "cache"
RULES = "rules"
HUMAN = "human"
BULWARK = "bulwark"


class NativeAnswer:
    """An upstream's complete answer in its own API: status, bytes and headers as they came, and
    the chat view the provider derived from them (`view`: the bytes it put in `resp.body`)."""

    __slots__ = ("api", "status", "body", "headers", "view")

    def __init__(self, api: str, status: int, body: bytes, headers: CIMultiDict[str], view: bytes) -> None:
        self.api = api
        self.status = status
        self.body = body
        self.headers = headers
        self.view = view


class ProxyResponse:
    __slots__ = ("status", "headers", "body", "stream", "raw_stream", "provider", "model", "origin", "cacheable",
                 "attempt", "assembly", "native", "_json", "_closers")

    def __init__(
        self,
        status: int = 200,
        headers: CIMultiDict[str] | dict[str, str] | None = None,
        *,
        body: bytes | None = None,
        stream: AsyncIterator[SSEEvent] | None = None,
        raw_stream: AsyncIterator[bytes] | None = None,
        provider: str | None = None,
        model: str | None = None,
        origin: str = UPSTREAM,
    ) -> None:
        self.status = status
        self.headers: CIMultiDict[str] = headers if isinstance(headers, CIMultiDict) else CIMultiDict(headers or {})
        self.body = body
        self.stream = stream
        self.raw_stream = raw_stream
        self.provider = provider  # name of the provider that produced it (for headers/metrics)
        self.model = model
        self.origin = origin
        self.cacheable = origin == UPSTREAM
        self.attempt: Attempt | None = None
        self.assembly: Assembly | None = None
        self.native: NativeAnswer | None = None
        self._json: Any = _UNSET
        self._closers: list[Callable[[], Any]] = []

    # -- constructors ---------------------------------------------------------------
    @classmethod
    def from_json(cls, obj: Any, status: int = 200, headers: dict[str, str] | None = None, **kw: Any) -> "ProxyResponse":
        h = CIMultiDict(headers or {})
        h.setdefault("Content-Type", "application/json")
        r = cls(status, h, body=orjson.dumps(obj), **kw)
        r._json = obj
        return r

    @classmethod
    def from_native(cls, api: str, status: int, body: bytes, headers: CIMultiDict[str], view: Any,
                    view_status: int | None = None, view_headers: CIMultiDict[str] | dict[str, str] | None = None,
                    **kw: Any) -> "ProxyResponse":
        """An upstream answer in another wire API: its chat `view` (with the status and headers
        the chain should see) as the body, the native answer kept for a client of that API."""
        h = CIMultiDict(view_headers if view_headers is not None else headers)
        h["Content-Type"] = "application/json"
        r = cls(view_status if view_status is not None else status, h, body=orjson.dumps(view), **kw)
        r._json = view
        r.native = NativeAnswer(api, status, body, headers, r.body)  # type: ignore[arg-type]
        return r

    @classmethod
    def from_events(cls, events: AsyncIterator[SSEEvent], status: int = 200, headers: dict[str, str] | None = None, **kw: Any) -> "ProxyResponse":
        h = CIMultiDict(headers or {})
        h.setdefault("Content-Type", "text/event-stream; charset=utf-8")
        return cls(status, h, stream=events, **kw)

    # -- body helpers -----------------------------------------------------------------
    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        """Parsed body (cached). Raises ValueError for a streamed or non-JSON body."""
        if self._json is _UNSET:
            if self.body is None:
                raise ValueError("response has no complete body")
            self._json = orjson.loads(self.body)
        return self._json

    def try_json(self) -> Any:
        try:
            return self.json()
        except ValueError:
            return None

    def native_for(self, api: str) -> NativeAnswer | None:
        """The upstream's own answer, if it is in `api` and still the answer being sent."""
        n = self.native
        if n is not None and n.api == api and self.stream is None and self.body is n.view:
            return n
        return None

    def set_json(self, obj: Any) -> None:
        """Replace the body with `obj` (the content-type becomes JSON)."""
        self.native = None
        self.body = orjson.dumps(obj)
        self._json = obj
        self.stream = None
        self.raw_stream = None
        self.headers["Content-Type"] = "application/json"

    # -- lifecycle ----------------------------------------------------------------
    def on_close(self, fn: Callable[[], Any]) -> None:
        """Register a callback (sync or async) that releases upstream resources."""
        self._closers.append(fn)

    async def aclose(self) -> None:
        closers, self._closers = self._closers, []
        for stream in (self.stream, self.raw_stream):
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                try:
                    await aclose()
                except Exception:  # closing must never mask the real outcome
                    pass
        for fn in closers:
            try:
                res = fn()
                if hasattr(res, "__await__"):
                    await res
            except Exception:
                pass

    def __repr__(self) -> str:
        kind = "stream" if self.stream is not None else "raw" if self.raw_stream is not None else f"{len(self.body or b'')}B"
        return f"ProxyResponse({self.status}, {kind}, provider={self.provider})"
