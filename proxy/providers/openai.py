"""OpenAI-compatible upstream (OpenAI, Azure OpenAI, vLLM, Ollama, Groq, Together, the simulator).

Transparent by default: the body goes upstream byte for byte unless a plugin changed it or
`model_map` rewrites the model; the answer comes back with its status, body and headers
(less hop-by-hop).

Wire APIs: chat clients are served on /chat/completions. A Responses client goes to the
upstream's /responses when `responses` is in the provider's `apis` (the default): the client's
bytes, or its changed request re-encoded (`proxy.wire.responses_request.encode`); the answer's
native bytes are kept beside their chat view. Otherwise (a chat-only server), and for Messages
clients, the chat view itself is sent to /chat/completions and the edge encodes the answer. Streams are split into SSE events as they arrive and checked: a stream
that ends without `[DONE]`, stalls past the idle timeout, carries a malformed event or an
`{"error": ...}` event raises `UpstreamStreamError` instead of ending quietly.
"""
from __future__ import annotations

import logging
import os
import time
from urllib.parse import quote
from typing import TYPE_CHECKING, Any, AsyncIterator

import aiohttp
import orjson

from ..context import CHAT, COMPLETIONS, EMBEDDINGS, MODELS, PASSTHROUGH
from ..errors import UpstreamStreamError, UpstreamUnavailable
from ..response import ProxyResponse
from ..sse import SSEEvent, SSESplitter, one_read
from ..wire import responses_request
from ..wire.apis import CHAT_COMPLETIONS, RESPONSES, strip_extensions
from ..wire.responses_answer import to_chat
from ..wire.responses_stream import Decoder
from .base import Provider, cap_output, native_body
from .http import client_response_headers, open_request, read_chunks, upstream_request_headers

if TYPE_CHECKING:
    from ..context import RequestContext
    from ..ledger import Attempt

log = logging.getLogger("bulwark.provider")

_SSE_ENDPOINTS = frozenset({CHAT, COMPLETIONS})
_MODEL_ENDPOINTS = frozenset({CHAT, COMPLETIONS, EMBEDDINGS})


class OpenAIProvider(Provider):
    kind = "openai"
    endpoints = frozenset({CHAT, COMPLETIONS, EMBEDDINGS, MODELS, PASSTHROUGH})
    native_apis = frozenset({CHAT_COMPLETIONS, RESPONSES})
    default_apis = (CHAT_COMPLETIONS, RESPONSES)

    def __init__(self, name: str, config: Any, services: Any) -> None:
        super().__init__(name, config, services)
        self.base = (config.base_url or "").rstrip("/")
        self._auth: list[tuple[str, str]] = []
        key = os.environ.get(config.api_key_env) if config.api_key_env else None
        if config.api_key_env and not key:
            log.warning("provider %s: environment variable %s is not set; requests go upstream without a key", name, config.api_key_env)
        if key:
            self._auth = [("api-key", key)] if config.azure else [("Authorization", f"Bearer {key}")]
        self._static = list(config.headers.items())
        self.passthrough_auth = services.config.auth.mode == "passthrough" if services is not None else False

    def url_for(self, ctx: "RequestContext", model: str | None, path: str | None = None) -> str:
        base = self.base
        if "{model}" in base:  # Azure deployments: .../openai/deployments/{model}
            # Quoted: a model name must never add path segments, a query or a fragment.
            base = base.replace("{model}", quote(model or ctx.model or "", safe=""))
        url = base + (path or ctx.path)
        qs = ctx.query_string
        if self.config.api_version:
            qs = f"{qs}&api-version={self.config.api_version}" if qs else f"api-version={self.config.api_version}"
        return f"{url}?{qs}" if qs else url

    def request_body(self, ctx: "RequestContext", attempt: "Attempt") -> Any:
        if ctx.body_stream is not None:
            return ctx.body_stream
        if not ctx.raw_body:
            return None
        if ctx.endpoint not in _MODEL_ENDPOINTS:
            return ctx.body_bytes()
        if ctx.api != CHAT_COMPLETIONS:  # translated: the chat view, without Bulwark's extensions
            body = strip_extensions(ctx.body, ctx.wire)
            if attempt.model is not None:
                body = {**body, "model": attempt.model}
            return orjson.dumps(cap_output(body, attempt.output_cap, "max_completion_tokens"))
        model = attempt.model
        rename = model is not None and model != ctx.model
        body = ctx.body
        if ctx.endpoint != EMBEDDINGS:
            field = "max_tokens" if ctx.endpoint == COMPLETIONS else "max_completion_tokens"
            body = cap_output(body, attempt.output_cap, field)
        if not rename and body is ctx.body:
            return ctx.body_bytes()  # the client's exact bytes unless a plugin changed the body
        if rename:
            body = {**body, "model": model}
        return orjson.dumps(body)

    async def send(self, ctx: "RequestContext", attempt: "Attempt") -> ProxyResponse:
        if ctx.endpoint == CHAT and ctx.api == RESPONSES and self.serves(RESPONSES):
            return await self._send_responses(ctx, attempt)
        self.check_translatable(ctx)
        path = "/chat/completions" if ctx.endpoint == CHAT and ctx.api != CHAT_COMPLETIONS else None
        resp, deadline = await self._open(ctx, attempt, self.url_for(ctx, attempt.model, path), self.request_body(ctx, attempt))
        out_headers = client_response_headers(resp.headers)
        ctype = resp.headers.get("Content-Type", "")
        if resp.status < 300 and ctype.startswith("text/event-stream") and ctx.endpoint in _SSE_ENDPOINTS:
            out = ProxyResponse(resp.status, out_headers, stream=self._events(resp, deadline), provider=self.name)
            out.on_close(resp.close)  # also when the stream is dropped before it starts
            return out
        if ctx.endpoint == PASSTHROUGH and not ctype.startswith("application/json"):
            out = ProxyResponse(resp.status, out_headers, raw_stream=self._raw(resp, deadline), provider=self.name)
            out.on_close(resp.close)
            return out
        return ProxyResponse(resp.status, out_headers, body=await self.read_answer(resp, deadline), provider=self.name)

    async def _open(self, ctx: "RequestContext", attempt: "Attempt", url: str, data: Any) -> tuple[aiohttp.ClientResponse, float]:
        """Send the request; (the response with its headers, the attempt's monotonic deadline)."""
        t = self.config.timeouts
        deadline = time.monotonic() + (ctx.target.timeout if ctx.target and ctx.target.timeout else t.total)
        headers = upstream_request_headers(
            ctx.headers,
            drop_credentials=not self.passthrough_auth,
            extra=self._static + ([] if self.passthrough_auth else self._auth),
        )
        if ctx.raw_body and "content-type" not in headers:
            headers["Content-Type"] = "application/json"
        if ctx.trace_headers:
            headers.update(ctx.trace_headers)
        resp = await open_request(
            self.services.session, ctx.method, url, headers=headers, data=data,
            timeouts=t, provider=self.name, first_byte=max(0.001, deadline - time.monotonic()),
        )
        return resp, deadline

    # -- Responses, natively -----------------------------------------------------------------------
    async def _send_responses(self, ctx: "RequestContext", attempt: "Attempt") -> ProxyResponse:
        data = native_body(ctx, attempt, responses_request.encode, "max_output_tokens")
        resp, deadline = await self._open(ctx, attempt, self.url_for(ctx, attempt.model, "/responses"), data)
        out_headers = client_response_headers(resp.headers)
        if resp.status < 300 and resp.headers.get("Content-Type", "").startswith("text/event-stream"):
            out = ProxyResponse(resp.status, out_headers, stream=self._responses_events(resp, deadline), provider=self.name)
            out.on_close(resp.close)
            return out
        raw = await self.read_answer(resp, deadline)
        if resp.status >= 300:  # OpenAI's error shape is the same for both APIs
            return ProxyResponse(resp.status, out_headers, body=raw, provider=self.name)
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            obj = None
        if not isinstance(obj, dict) or obj.get("object") != "response":
            raise UpstreamUnavailable(f"The upstream provider '{self.name}' answered /responses with something that is not a Response.")
        if obj.get("status") == "failed":
            err = obj.get("error") if isinstance(obj.get("error"), dict) else {}
            view = {"error": {"message": f"The upstream provider '{self.name}' reported the response failed: "
                                         f"{err.get('message') or err.get('code') or 'unknown error'}",
                              "type": "server_error", "param": None, "code": err.get("code") or "server_error"}}
            return ProxyResponse.from_native(RESPONSES, resp.status, raw, out_headers, view, view_status=502, provider=self.name)
        return ProxyResponse.from_native(RESPONSES, resp.status, raw, out_headers, to_chat(obj), provider=self.name,
                                         model=obj.get("model"))

    async def _responses_events(self, resp: aiohttp.ClientResponse, deadline: float) -> AsyncIterator[SSEEvent]:
        """Native Responses events, each with its chat view; `[DONE]` after the terminal event."""
        splitter = SSESplitter()
        decoder = Decoder(self.name)
        try:
            async for chunk in read_chunks(resp, self.config.timeouts, self.name, deadline, self.config.max_response_bytes):
                out: list[SSEEvent] = []  # this read's events, yielded together (`one_read`)
                try:
                    for ev in splitter.feed(chunk):
                        if ev.data is None or ev.is_done or decoder.finished:
                            if ev.data is None:
                                out.append(ev)  # a comment (keepalive)
                            continue
                        obj = self.event_object(ev)
                        out.append(ev.set_view(RESPONSES, obj, decoder.view(obj)))
                        if decoder.finished:
                            # A chat stream's tail (usage chunk, [DONE]) for the chain; a Responses client
                            # already has both in the terminal event, so its edge writes nothing for them.
                            usage = decoder.usage_chunk()
                            if usage is not None:
                                out.append(SSEEvent.from_json(usage))
                            out.append(SSEEvent.done())
                finally:  # a malformed event: the ones before it are still delivered, then the error
                    for ev in one_read(out):
                        yield ev
            if not decoder.finished:
                raise UpstreamStreamError(f"The upstream provider '{self.name}' closed the stream before it finished.", reason="cut")
        finally:
            if decoder.finished:
                resp.release()
            else:
                resp.close()

    async def _events(self, resp: aiohttp.ClientResponse, deadline: float) -> AsyncIterator[SSEEvent]:
        splitter = SSESplitter()
        done = False
        try:
            async for chunk in read_chunks(resp, self.config.timeouts, self.name, deadline, self.config.max_response_bytes):
                out: list[SSEEvent] = []  # this read's events, yielded together (`one_read`)
                try:
                    for ev in splitter.feed(chunk):
                        if ev.data is not None and not ev.is_done:
                            try:
                                obj = ev.json()
                            except ValueError:
                                raise UpstreamStreamError(f"The upstream provider '{self.name}' sent a malformed stream event.", reason="malformed") from None
                            if isinstance(obj, dict) and "error" in obj:
                                err = obj["error"] if isinstance(obj["error"], dict) else {"message": str(obj["error"])}
                                raise UpstreamStreamError(
                                    f"The upstream provider '{self.name}' reported an error mid-stream: {err.get('message', 'unknown error')}",
                                    reason="error_event",
                                )
                        elif ev.is_done:
                            done = True
                        out.append(ev)
                finally:  # a broken event: the ones before it are still delivered, then the error
                    for ev in one_read(out):
                        yield ev
            if not done:
                raise UpstreamStreamError(f"The upstream provider '{self.name}' closed the stream before it finished.", reason="cut")
        finally:
            # Not fully read (client gone, error): close the connection rather than drain it.
            if done:
                resp.release()
            else:
                resp.close()

    async def _raw(self, resp: aiohttp.ClientResponse, deadline: float) -> AsyncIterator[bytes]:
        complete = False
        try:
            async for chunk in read_chunks(resp, self.config.timeouts, self.name, deadline, self.config.max_response_bytes):
                yield chunk
            complete = True
        finally:
            if complete:
                resp.release()
            else:
                resp.close()
