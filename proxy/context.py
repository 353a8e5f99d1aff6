"""`RequestContext`: everything one request carries through the plugin chain.

Plugins keep per-request state here, never on `self`. The body is parsed once (orjson) on
first access; a plugin that changes it calls `set_body()` (or mutates `ctx.body` and calls
`mark_body_changed()`), otherwise the upstream receives the client's exact bytes.

`ctx.api` is the wire API the client spoke (`proxy.wire.apis`: chat_completions, responses,
messages). Whatever it is, `ctx.body` is a chat-completions body: a Responses or Messages
request is decoded into that form once (`proxy.wire.codecs.decode`) and `ctx.wire` keeps what
the client sent. `raw_body` stays the client's bytes (a provider of the client's API sends them
as they are while `body_changed` is False).
"""
from __future__ import annotations

import hashlib
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import orjson
from multidict import CIMultiDict, CIMultiDictProxy

from .errors import BadRequest
from .ledger import Attempt, Cause, Ledger
from .wire.apis import CHAT_COMPLETIONS


def new_request_id() -> str:
    """Bulwark's id for one request (`x-request-id`, logs, the review queue, feedback)."""
    return "req_" + secrets.token_hex(12)


# Endpoint kinds the chain can tell apart (plugins choose which ones they act on).
CHAT = "chat"
COMPLETIONS = "completions"
EMBEDDINGS = "embeddings"
MODELS = "models"
PASSTHROUGH = "passthrough"
COUNT_TOKENS = "count_tokens"  # POST /v1/messages/count_tokens: no generation, no plugin acts on it


@dataclass(slots=True)
class Identity:
    """Who is calling. `key_id` is a stable, non-secret id (never the key itself)."""

    key_id: str = "anonymous"
    key_name: str | None = None
    tier: str = "standard"  # new | standard | trusted
    team: str | None = None
    user: str | None = None  # end user, from `user` / `safety_identifier` / a header
    ip: str | None = None
    allowed_models: list[str] | None = None
    limits: dict[str, Any] = field(default_factory=dict)  # per-key overrides (rate limits, budgets)
    paths: list[str] = field(default_factory=list)  # forwarded paths granted to this key (managed mode)

    @property
    def user_key(self) -> str | None:
        """The end user as a short state-key part (long or odd ids are hashed)."""
        user = self.user
        if not user:
            return None
        if len(user) > 64 or "}" in user or "{" in user:
            return "h" + hashlib.sha256(user.encode("utf-8", "surrogatepass")).hexdigest()[:24]
        return user

    @property
    def scope(self) -> str:
        """The hash tag that keeps one client's limit keys in one Redis Cluster slot."""
        kid = self.key_id or "anonymous"
        if kid == "anonymous" and self.ip:
            return "anon:" + self.ip
        return kid


@dataclass(slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    estimated: bool = True  # False once the upstream reported real usage

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(slots=True)
class Target:
    """Where the innermost call goes: a provider name and the model it should see."""

    provider: str
    model: str | None = None  # None: leave the body's model as is
    timeout: float | None = None  # per-attempt total timeout override (seconds)
    cause: Cause | None = None  # why the attempt is made, when the caller knows (judge, summary)


@dataclass(slots=True)
class Verdict:
    """What response validation concluded (written by the validate plugin; read by the
    cache, which never stores a failed answer, and by telemetry's hallucination rate)."""

    validated: bool = False  # a grounding check ran (not shadow-only)
    grounding_failed: bool = False
    outcome: str = "pass"  # pass | flag | block | fallback | shadow_fail
    regenerations: int = 0


@dataclass(slots=True, eq=False)
class RequestContext:
    request_id: str
    endpoint: str  # CHAT | COMPLETIONS | EMBEDDINGS | MODELS | PASSTHROUGH | COUNT_TOKENS
    method: str
    path: str  # path after /v1, e.g. "/chat/completions"
    query_string: str
    headers: CIMultiDictProxy[str] | CIMultiDict[str]
    raw_body: bytes
    identity: Identity = field(default_factory=Identity)
    client_key: str | None = None  # the presented credential; never log it
    target: Target | None = None
    # Every upstream attempt, its usage and cost; the only writer of what a request spent.
    ledger: Ledger = field(default_factory=Ledger)
    decisions: dict[str, Any] = field(default_factory=dict)  # plugin name -> what it decided (logs, spans)
    response_headers: dict[str, str] = field(default_factory=dict)  # added to the final answer
    verdict: Verdict | None = None  # set by response validation when it ran
    metric_model: str = "none"  # the low-cardinality model label (set once by the handler)
    served_by: str | None = None  # provider (or "cache") of the answer sent, set by the handler
    span: Any = None  # the current OpenTelemetry span, if tracing is on
    trace: Any = None  # telemetry's own per-request state (spans)
    services: Any = None  # proxy.services.Services (providers, state, tokens, pricing, telemetry)
    started: float = field(default_factory=time.monotonic)
    upstream_seconds: float = 0.0  # time spent waiting on providers (for overhead metrics)
    first_byte_at: float | None = None
    scratch: dict[str, Any] = field(default_factory=dict)  # private per-plugin state, keyed by plugin name
    body_stream: Any = None  # pass-through endpoints: the client's body, streamed upstream unread
    trace_headers: dict[str, str] | None = None  # traceparent of the current CLIENT span, set by telemetry
    api: str = CHAT_COMPLETIONS  # the client's wire API (proxy.wire.apis)
    wire: Any = None  # proxy.wire.apis.WireRequest: the client's own request when it spoke another API
    _body: Any = None
    _body_changed: bool = False
    _holds_ledger: bool = False  # a derived sub-request: close() lets the ledger go

    # -- body -----------------------------------------------------------------------------
    @property
    def body(self) -> dict[str, Any]:
        """The parsed JSON body (an object), in the chat form whatever API the client spoke.
        Raises BadRequest for a body that is not one (or that its API's codec rejects)."""
        if self._body is None:
            body = parse_json_object(self.raw_body)
            if self.api != CHAT_COMPLETIONS and self.endpoint in (CHAT, COUNT_TOKENS):
                from .wire.codecs import decode

                body, self.wire = decode(self.api, body, count_tokens=self.endpoint == COUNT_TOKENS)
                self.record("wire", **self.wire.notes())
            self._body = body
        return self._body

    def set_body(self, body: dict[str, Any]) -> None:
        self._body = body
        self._body_changed = True

    def mark_body_changed(self) -> None:
        self._body_changed = True

    @property
    def body_changed(self) -> bool:
        return self._body_changed

    def body_bytes(self) -> bytes:
        """What goes upstream: the client's exact bytes unless a plugin changed the body."""
        if not self._body_changed:
            return self.raw_body
        return orjson.dumps(self._body)

    def body_state(self) -> tuple[bytes, Any, bool]:
        """A snapshot of the body (for a layer that tries another body, then puts it back)."""
        return self.raw_body, self._body, self._body_changed

    def restore_body(self, state: tuple[bytes, Any, bool]) -> None:
        self.raw_body, self._body, self._body_changed = state

    @contextmanager
    def body_for(self, body: dict[str, Any]) -> Iterator[None]:
        """Send `body` for the calls made inside the block, then restore what was there."""
        state = self.body_state()
        self.set_body(body)
        try:
            yield
        finally:
            self.restore_body(state)

    def derive(self, body: dict[str, Any], *, suffix: str) -> "RequestContext":
        """A sub-request of this one (a judge call, a background summary): its own chat body,
        the same caller, services and ledger, so what it costs is charged to this request.
        It holds the ledger open (its attempts may come after the request settled) until
        `close()`; one never closed only keeps the request for the cyclic collector."""
        self.ledger.hold()
        return RequestContext(
            request_id=f"{self.request_id}-{suffix}", endpoint=CHAT, method="POST", path="/chat/completions",
            query_string="", headers=CIMultiDict(), raw_body=orjson.dumps(body), identity=self.identity,
            services=self.services, ledger=self.ledger, span=self.span, trace=self.trace,
            metric_model=self.metric_model, _holds_ledger=True,
        )

    def close(self) -> None:
        """A derived sub-request is done: it begins no more attempts (idempotent)."""
        if self._holds_ledger:
            self._holds_ledger = False
            self.ledger.unhold()

    # -- what was spent (read from the ledger) ---------------------------------------------------
    @property
    def cost_usd(self) -> float:
        return self.ledger.cost_usd

    @property
    def attempts(self) -> list[Attempt]:
        return self.ledger.attempts

    def prompt_tokens(self) -> int:
        """Prompt tokens of the body as it will be sent, counted once (prune updates it)."""
        n = self.ledger.prompt_tokens
        if n is None:
            from .tokens import count_request

            n = self.ledger.prompt_tokens = count_request(self.body) if self.raw_body else 0
        return n

    # -- convenience ----------------------------------------------------------------------
    @property
    def model(self) -> str | None:
        if self.endpoint in (CHAT, COMPLETIONS, EMBEDDINGS, COUNT_TOKENS) and self.raw_body:
            m = self.body.get("model")
            return m if isinstance(m, str) else None
        return None

    @property
    def stream(self) -> bool:
        return self.endpoint in (CHAT, COMPLETIONS) and bool(self.raw_body) and self.body.get("stream") is True

    @property
    def wants_usage_chunk(self) -> bool:
        opts = self.body.get("stream_options") if self.stream else None
        return isinstance(opts, dict) and bool(opts.get("include_usage"))

    @property
    def operation(self) -> str:
        """What the request does, for route labels and span names: the endpoint kind (chat,
        completions, embeddings, models, passthrough, count_tokens), or the client's wire API
        for answers in another one (responses, messages)."""
        if self.endpoint == CHAT and self.api != CHAT_COMPLETIONS:
            return self.api
        return self.endpoint

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def record(self, plugin: str, **fields: Any) -> None:
        """Record a plugin decision (shown in logs, spans and debug headers)."""
        self.decisions.setdefault(plugin, {}).update(fields)


def parse_json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(
            f"We could not parse the JSON body of your request ({exc.args[0] if exc.args else 'invalid JSON'}). "
            "Send a JSON object; see https://platform.openai.com/docs/api-reference.",
        ) from None
    if not isinstance(body, dict):
        raise BadRequest(
            f"The request body must be a JSON object, not {type(body).__name__}.",
        )
    return body


def end_user_of(body: dict[str, Any], headers: Any, header: str | None) -> str | None:
    """The end user a request names: the body's `user` / `safety_identifier`, else the
    configured header. Read once by the handler into `Identity.user`."""
    for name in ("user", "safety_identifier"):
        v = body.get(name)
        if isinstance(v, str) and v.strip():
            return v.strip()
    if header:
        v = headers.get(header)
        if v and v.strip():
            return v.strip()
    return None
