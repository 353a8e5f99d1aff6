"""The provider seam: one method from a request context to a response.

    class Provider:
        kind = "openai"
        async def send(self, ctx: RequestContext, attempt: Attempt) -> ProxyResponse

`send` is called only by the innermost layer of the chain (`proxy.dispatch`), once per
upstream attempt, which dispatch opened in the request's ledger. `attempt.model` is the model
the provider should use, `model_map` already applied (None: the body's own);
`attempt.output_cap`, when set, bounds the answer's output tokens (`cap_output`).
Contract:
- An upstream HTTP error is *returned* as a ProxyResponse with its status, body and
  headers (so the client sees it unchanged unless a plugin reacts).
- Connection failures raise `UpstreamUnavailable` (502); timeouts raise `UpstreamTimeout`
  (504). A stream that breaks after it started raises `UpstreamStreamError` from its
  iterator (cut, stall beyond the idle timeout, malformed event, upstream error event).
- Streams yield `SSEEvent`s in OpenAI's chat-completion-chunk shape, whatever the provider
  speaks natively (translation happens here, not in plugins).
- Wire APIs (`proxy.wire`): `ctx.body` is always the chat form. A provider serves some APIs
  natively (`apis`, from the config within what its type can speak). When the client's API
  (`ctx.api`) is one of them, the provider talks to the upstream in that API: the client's own
  bytes while nobody changed the request, and native answers kept beside their chat view
  (`ProxyResponse.native`, events tagged with `SSEEvent.set_view`). Otherwise it translates the
  chat form, and refuses (`Untranslatable`) what only the client's API can express.
- The response's `aclose()` releases the connection; cancellation of the caller closes it.
- Usage the provider knows but did not stream (Anthropic reports it in its own events) goes
  to `attempt.reported_usage`; dispatch assembles the rest. Providers never write the
  request's accounting themselves.
"""
from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any, ClassVar

import orjson

from ..config import ProviderConfig
from ..errors import ConfigError, UpstreamStreamError
from ..response import UPSTREAM, ProxyResponse
from ..wire.apis import CHAT_COMPLETIONS, Untranslatable
from .http import read_body

if TYPE_CHECKING:
    from ..context import RequestContext
    from ..ledger import Attempt

# Request fields that bound the output, by preference (chat, legacy chat, Responses).
OUTPUT_LIMIT_FIELDS = ("max_completion_tokens", "max_tokens", "max_output_tokens")


class Provider(abc.ABC):
    kind: ClassVar[str] = "abstract"
    # Endpoint kinds this provider can answer (proxy.context constants).
    endpoints: ClassVar[frozenset[str]] = frozenset()
    # Who writes its answers (proxy.response origins) and whether anyone bills for them:
    # Bulwark's own tiers (rules, human) cost nothing and their answers are never cached.
    origin: ClassVar[str] = UPSTREAM
    billable: ClassVar[bool] = True
    # Wire APIs the provider type can speak to its upstream, and those it uses unless `apis` says.
    native_apis: ClassVar[frozenset[str]] = frozenset()
    default_apis: ClassVar[tuple[str, ...]] = ()

    def __init__(self, name: str, config: ProviderConfig, services: Any) -> None:
        self.name = name
        self.config = config
        self.services = services
        chosen = tuple(config.apis) if config.apis is not None else self.default_apis
        wrong = [a for a in chosen if a not in self.native_apis]
        if wrong:
            raise ConfigError(f"providers.{name}.apis: a {self.kind} provider cannot speak {', '.join(wrong)} "
                              f"(it can: {', '.join(sorted(self.native_apis)) or 'none'})")
        self.apis = frozenset(chosen)

    async def read_answer(self, resp: Any, deadline: float) -> bytes:
        """A whole answer body (bounded by `max_response_bytes`, the timeouts and `deadline`);
        the connection goes back to the pool, or is closed when the read failed."""
        try:
            raw = await read_body(resp, self.config.timeouts, self.name, deadline, self.config.max_response_bytes)
        except BaseException:
            resp.close()
            raise
        resp.release()
        return raw

    def event_object(self, ev: Any) -> dict[str, Any]:
        """A stream event's JSON object; anything else is a malformed stream."""
        try:
            obj = ev.json()
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            raise UpstreamStreamError(f"The upstream provider '{self.name}' sent a malformed stream event.", reason="malformed")
        return obj

    def serves(self, api: str) -> bool:
        """Whether requests of wire API `api` go to the upstream in that API (natively)."""
        return api in self.apis

    def check_translatable(self, ctx: "RequestContext") -> None:
        """Refuse a request of another API that the chat form cannot carry faithfully here."""
        wire = ctx.wire
        if ctx.api == CHAT_COMPLETIONS or wire is None or self.serves(ctx.api):
            return
        if wire.upstream_state:
            raise Untranslatable(
                f"This request continues a conversation stored upstream ({wire.upstream_state}); provider "
                f"'{self.name}' ({self.kind}) cannot see that history. Send the earlier turns as input items, or "
                "route the model to a provider that serves this API.", provider=self.name, param="previous_response_id")
        if wire.untranslatable:
            raise Untranslatable(
                f"Provider '{self.name}' ({self.kind}) cannot express {', '.join(wire.untranslatable[:3])} of this "
                f"{ctx.api} request; route the model to a provider that serves {ctx.api}.", provider=self.name)

    def upstream_model(self, model: str | None) -> str | None:
        """Apply `model_map` (exact name first, then "*")."""
        if model is None:
            return None
        m = self.config.model_map
        return m.get(model) or m.get("*") or model

    @abc.abstractmethod
    async def send(self, ctx: "RequestContext", attempt: "Attempt") -> ProxyResponse: ...

    async def startup(self) -> None:
        pass

    async def aclose(self) -> None:
        pass

    def describe(self) -> str:
        return f"{self.name} ({self.kind}{', ' + self.config.base_url if self.config.base_url else ''})"


def cap_output(body: dict[str, Any], cap: int | None, field: str = "max_completion_tokens") -> dict[str, Any]:
    """`body` with its output bounded by `cap` tokens (per choice): an existing limit is kept
    when it is lower; otherwise `field` is set (the provider's own name for it)."""
    if cap is None:
        return body
    for name in OUTPUT_LIMIT_FIELDS:
        v = body.get(name)
        if isinstance(v, int) and not isinstance(v, bool) and v > 0:
            return body if v <= cap else {**body, name: cap}
    return {**body, field: cap}


def native_body(ctx: "RequestContext", attempt: "Attempt", encode: Any, cap_field: str) -> bytes:
    """The body for an upstream of the client's own API: the client's exact bytes while no layer
    changed the request (and its own limit is within the attempt's output cap); its own body
    with the model / cap patched in when only those differ; else the chat view re-encoded
    (`encode(chat, wire, model)`, keeping the client's native-only fields)."""
    wire = ctx.wire
    native: dict[str, Any] = wire.native if wire is not None else ctx.body
    model = attempt.model
    rename = model is not None and model != native.get("model")
    if ctx.body_changed:
        body = encode(ctx.body, wire, model)
    else:
        body = cap_output(native, attempt.output_cap, cap_field)
        if body is native and not rename:
            return ctx.raw_body
        body = dict(body)
    if model is not None:
        body["model"] = model
    return orjson.dumps(cap_output(body, attempt.output_cap, cap_field))
