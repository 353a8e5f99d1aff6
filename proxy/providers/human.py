"""Human escalation: the last tier. Opens a ticket and answers with a message that carries its id.

    [providers.human]
    type = "human"
    [providers.human.options]
    model_name = "bulwark-human"
    message = "A support agent will follow up on this request (ticket {ticket_id})."
    journal = "tickets"                 # services.state.journal(...): Redis stream or JSONL file
    webhook_url = "${SLACK_WEBHOOK:-}"  # optional; empty = no webhook
    webhook_format = "slack"            # slack ({"text": ...}) | pagerduty (Events API v2) | generic
    webhook_timeout = 5.0
    routing_key = ""                    # pagerduty only
    store_message = true                # keep the last user message (first 2,000 chars) in the ticket

The webhook runs in the background (`services.tasks.spawn`) with a bounded timeout; its
failure is logged and marked on the ticket, never on the client's answer. `bulwark tickets
list|resolve` reads and closes tickets.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any, Literal

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..config import format_validation_error
from ..context import CHAT
from ..errors import ConfigError, NotFound
from ..response import HUMAN, ProxyResponse
from .base import Provider
from .synthetic import completion_response, latest_user_text, render

if TYPE_CHECKING:
    from ..context import RequestContext
    from ..ledger import Attempt

log = logging.getLogger("bulwark.human")


class HumanOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model_name: str = "bulwark-human"
    message: str = (
        "We could not answer this automatically right now, so a member of our team will follow up. "
        "Your reference is {ticket_id}."
    )
    journal: str = "tickets"
    webhook_url: str | None = None
    webhook_format: Literal["slack", "pagerduty", "generic"] = "slack"
    webhook_timeout: float = Field(5.0, gt=0, le=60)
    routing_key: str = ""
    store_message: bool = True


def webhook_payload(fmt: str, ticket: dict[str, Any], routing_key: str = "") -> dict[str, Any]:
    summary = f"Bulwark escalated request {ticket.get('request_id')} to a human (ticket {ticket['id']}, model {ticket.get('model')})"
    details = {k: ticket.get(k) for k in ("id", "request_id", "model", "key_name", "user", "reason", "message")}
    if fmt == "pagerduty":
        return {
            "routing_key": routing_key, "event_action": "trigger", "dedup_key": ticket["id"],
            "payload": {"summary": summary[:1024], "source": "bulwark", "severity": "warning", "component": "llm-fallback",
                        "custom_details": details},
        }
    if fmt == "slack":
        text = summary
        if ticket.get("message"):
            text += f"\n> {str(ticket['message'])[:500]}"
        return {"text": text, "ticket": details}
    return {"event": "bulwark.ticket.created", "ticket": details}


class HumanProvider(Provider):
    kind = "human"
    endpoints = frozenset({CHAT})
    origin = HUMAN
    billable = False

    def __init__(self, name: str, config: Any, services: Any) -> None:
        super().__init__(name, config, services)
        try:
            self.options = HumanOptions.model_validate(config.options)
        except ValidationError as exc:
            raise ConfigError(format_validation_error(exc, f"providers.{name}.options")) from exc

    def _reason(self, ctx: "RequestContext") -> str:
        failed = [f"{a.provider}: {a.failover_reason or a.error or a.status}" for a in ctx.attempts
                  if a.failover_reason or a.error or (a.status is not None and a.status >= 400)]
        return "; ".join(failed[-6:]) or "routed to human"

    async def send(self, ctx: "RequestContext", attempt: "Attempt") -> ProxyResponse:
        if ctx.endpoint != CHAT:
            raise NotFound(f"The provider '{self.name}' (human escalation) serves only /v1/chat/completions.")
        requested = ctx.model
        ticket: dict[str, Any] = {
            "request_id": ctx.request_id, "model": requested, "key_id": ctx.identity.key_id,
            "key_name": ctx.identity.key_name, "user": ctx.identity.user, "reason": self._reason(ctx),
            "status": "open", "created_at": time.time(),
        }
        if self.options.store_message:
            ticket["message"] = latest_user_text(ctx.body)[:2000]
        ticket_id = await self.services.state.journal(self.options.journal).append(ticket)
        ticket["id"] = ticket_id
        if self.options.webhook_url:
            self.services.tasks.spawn(self._notify(ticket), name="bulwark-ticket-webhook")
        ctx.record(self.name, ticket=ticket_id)
        text = render(self.options.message, {"ticket_id": ticket_id, "request_id": ctx.request_id, "model": requested or ""})
        return completion_response(ctx, text, self.options.model_name, self.name, {"x-bulwark-ticket": ticket_id}, origin=HUMAN)

    async def _notify(self, ticket: dict[str, Any]) -> None:
        payload = webhook_payload(self.options.webhook_format, ticket, self.options.routing_key)
        journal = self.services.state.journal(self.options.journal)
        try:
            session = self.services.session
            async with session.post(self.options.webhook_url, json=payload,
                                    timeout=aiohttp.ClientTimeout(total=self.options.webhook_timeout)) as resp:
                await resp.read()
                ok = resp.status < 300
                note = f"HTTP {resp.status}"
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            ok, note = False, type(exc).__name__
        if not ok:
            log.warning("ticket %s: webhook failed (%s)", ticket["id"], note)
        try:
            await journal.update(ticket["id"], {"notified": ok, "notify_result": note})
        except Exception as exc:  # noqa: BLE001 - bookkeeping only
            log.warning("ticket %s: could not record the webhook result (%r)", ticket["id"], exc)
