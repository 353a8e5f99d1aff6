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
- The response's `aclose()` releases the connection; cancellation of the caller closes it.
- Usage the provider knows but did not stream (Anthropic reports it in its own events) goes
  to `attempt.reported_usage`; dispatch assembles the rest. Providers never write the
  request's accounting themselves.
"""
from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any, ClassVar

from ..config import ProviderConfig
from ..response import UPSTREAM, ProxyResponse

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

    def __init__(self, name: str, config: ProviderConfig, services: Any) -> None:
        self.name = name
        self.config = config
        self.services = services

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
