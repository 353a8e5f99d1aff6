"""The provider seam: one method from a request context to a response.

    class Provider:
        kind = "openai"
        async def send(self, ctx: RequestContext, model: str | None) -> ProxyResponse

`send` is called only by the innermost layer of the chain (`proxy.dispatch`), once per
upstream attempt. `model` is the model the provider should use (None: the body's own).
Contract:
- An upstream HTTP error is *returned* as a ProxyResponse with its status, body and
  headers (so the client sees it unchanged unless a plugin reacts).
- Connection failures raise `UpstreamUnavailable` (502); timeouts raise `UpstreamTimeout`
  (504). A stream that breaks after it started raises `UpstreamStreamError` from its
  iterator (cut, stall beyond the idle timeout, malformed event, upstream error event).
- Streams yield `SSEEvent`s in OpenAI's chat-completion-chunk shape, whatever the provider
  speaks natively (translation happens here, not in plugins).
- The response's `aclose()` releases the connection; cancellation of the caller closes it.
"""
from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any, ClassVar

from ..config import ProviderConfig
from ..response import ProxyResponse

if TYPE_CHECKING:
    from ..context import RequestContext


class Provider(abc.ABC):
    kind: ClassVar[str] = "abstract"
    # Endpoint kinds this provider can answer (proxy.context constants).
    endpoints: ClassVar[frozenset[str]] = frozenset()

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
    async def send(self, ctx: "RequestContext", model: str | None) -> ProxyResponse: ...

    async def startup(self) -> None:
        pass

    async def aclose(self) -> None:
        pass

    def describe(self) -> str:
        return f"{self.name} ({self.kind}{', ' + self.config.base_url if self.config.base_url else ''})"
