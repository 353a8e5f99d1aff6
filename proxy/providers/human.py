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
    group_by = "auto"                   # auto (end user if known, else conversation) | user | conversation | none
    group_window_seconds = 3600         # an open ticket of the same group escalated within this is reused
    group_max_messages = 20             # messages kept on a grouped ticket (the newest; `count` has them all)

**One ticket per person, not per failed request.** During an outage every request of a user
would otherwise open its own ticket. An open ticket of the same group (the client key plus the
end user, `ctx.identity.user`, or without one the conversation: its system prompt and first
user message) escalated again within `group_window_seconds` of its last escalation is reused:
its `count` goes up and the new message is appended to `messages` (bounded). The group's
count and messages are kept by one atomic state Script (shared across replicas through Redis);
the journal record gets a copy on each escalation. A resolved ticket is not reused.

**The reason names what happened**, from the request's ledger: each provider that failed, how
(HTTP status, timeout, a cut stream, "no rule matched") and how many attempts, in order, once
each (`reason`, and the same as data in `attempts`).

The webhook runs in the background (`services.tasks.spawn`) with a bounded timeout, once per
ticket (when it opens, not for every message appended); its failure is logged and marked on
the ticket, never on the client's answer. `bulwark tickets list|resolve` reads and closes
tickets.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any, Literal

import aiohttp
import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..config import format_validation_error
from ..context import CHAT
from ..errors import ConfigError, NotFound
from ..ledger import Cause
from ..response import HUMAN, ProxyResponse
from ..state.base import Script, StateError
from ..state.lua import decode
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
    group_by: Literal["auto", "user", "conversation", "none"] = "auto"
    group_window_seconds: float = Field(3600.0, ge=0)  # 0: every escalation opens its own ticket
    group_max_messages: int = Field(20, ge=1, le=1000)


# -- why the request came to a human: the ledger, told once per provider -----------------------
_ERRORS = {
    "cut": "the stream was cut off", "stall": "the stream stalled", "malformed": "a malformed stream",
    "error_event": "an error event in the stream", "upstream_timeout": "no answer in time",
    "upstream_unavailable": "unreachable", "not_consumed": "the answer was dropped",
}
_REASONS = {"no_rule_matched": "no rule matched", "validation": "its answer failed validation",
            "content_filter": "its answer was filtered", "context_length": "the conversation is too long for it",
            "breaker_open": "circuit breaker open"}


def _failure(a: "Attempt") -> str | None:
    """How one attempt failed, in words; None when it did not."""
    if a.failover_reason in _REASONS:
        return _REASONS[a.failover_reason]
    if a.error:
        return _ERRORS.get(a.error, a.error.replace("_", " "))
    if a.status is not None and a.status >= 400:
        return f"HTTP {a.status}" + (f" ({a.failover_reason.replace('_', ' ')})" if a.failover_reason else "")
    if a.failover_reason:
        return a.failover_reason.replace("_", " ")
    return None


def escalation_reason(attempts: "list[Attempt]") -> tuple[str, list[dict[str, Any]]]:
    """("sim: HTTP 500 (server error), 2 attempts; rules: no rule matched", the same as rows),
    consecutive attempts of one provider that failed the same way folded into one row."""
    rows: list[dict[str, Any]] = []
    for a in attempts:
        if a.cause in (Cause.JUDGE, Cause.SUMMARY):
            continue
        what = _failure(a)
        if what is None:
            continue
        last = rows[-1] if rows else None
        if last is not None and last["provider"] == a.provider and last["what"] == what:
            last["attempts"] += 1
            continue
        rows.append({"provider": a.provider, "kind": a.kind, "model": a.model, "cause": a.cause.value,
                     "status": a.status, "error": a.error, "failover_reason": a.failover_reason, "what": what, "attempts": 1})
    text = "; ".join(f"{r['provider']}: {r['what']}" + (f", {r['attempts']} attempts" if r["attempts"] > 1 else "") for r in rows)
    return text or "routed to a human", rows


# -- one ticket per group: an atomic claim on the group's state key ---------------------------
# KEYS[1]: the group. ARGV[1]: {now, id, window_ms, entry, max, replace}. Returns {id, count,
# messages}: the group's open ticket (count + 1, entry appended, newest `max` kept) or, when
# there is none (or it is `replace`, a ticket found resolved), the new one with `id`.
_GROUP_LUA = """
local P = cjson.decode(ARGV[1])
local cur = redis.call('HGET', KEYS[1], 'id')
local msgs = {}
local n = 1
if cur and cur ~= P.replace then
  msgs = cjson.decode(redis.call('HGET', KEYS[1], 'msgs') or '[]')
  n = redis.call('HINCRBY', KEYS[1], 'count', 1)
else
  cur = P.id
  redis.call('HSET', KEYS[1], 'id', cur, 'count', 1)
end
table.insert(msgs, P.entry)
while #msgs > P.max do table.remove(msgs, 1) end
redis.call('HSET', KEYS[1], 'msgs', cjson.encode(msgs))
redis.call('PEXPIRE', KEYS[1], P.window_ms)
return cjson.encode({id = cur, count = n, messages = msgs})
"""


def _group_local(store: Any, keys: list[str], args: list[Any]) -> dict[str, Any]:
    p = orjson.loads(args[0])
    k = keys[0]
    cur = store.hget(k, "id")
    if cur is not None and cur != p.get("replace"):
        msgs = orjson.loads(store.hget(k, "msgs") or b"[]")
        n = int(store.hincr(k, "count", 1))
    else:
        cur, msgs, n = p["id"], [], 1
        store.hset(k, {"id": cur, "count": 1})
    msgs.append(p["entry"])
    msgs = msgs[-int(p["max"]):]
    store.hset(k, {"msgs": orjson.dumps(msgs)})
    store.expire(k, p["window_ms"] / 1000)
    return {"id": cur, "count": n, "messages": msgs}


TICKET_GROUP = Script(name="bulwark_ticket_group", lua=_GROUP_LUA, local=_group_local)


def _conversation_text(body: dict[str, Any]) -> str:
    """A conversation's fixed start (system prompt, first user message): what every later
    request of the same conversation repeats."""
    parts: list[str] = []
    for m in body.get("messages") or []:
        if isinstance(m, dict) and m.get("role") in ("system", "developer", "user"):
            parts.append(f"{m.get('role')}:{orjson.dumps(m.get('content')).decode()}")
            if m.get("role") == "user":
                break
    return "\n".join(parts)


def webhook_payload(fmt: str, ticket: dict[str, Any], routing_key: str = "") -> dict[str, Any]:
    summary = f"Bulwark escalated request {ticket.get('request_id')} to a human (ticket {ticket['id']}, model {ticket.get('model')})"
    details = {k: ticket.get(k) for k in ("id", "request_id", "model", "key_name", "user", "reason", "message", "count")}
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
        self._locks: dict[str, list[Any]] = {}  # group -> [lock, requests using it]

    def _group(self, ctx: "RequestContext") -> str | None:
        """The state key of the request's ticket group (None: a ticket of its own)."""
        how = self.options.group_by
        if how == "none" or self.options.group_window_seconds <= 0:
            return None
        user = ctx.identity.user
        if how == "user" or (how == "auto" and user):
            if not user:
                return None
            what = f"user\0{user}"
        else:
            what = f"conversation\0{_conversation_text(ctx.body)}"
        digest = hashlib.sha256(f"{ctx.identity.key_id}\0{what}".encode()).hexdigest()[:24]
        return "{tg_" + digest + "}:tickets:" + self.options.journal  # own hash slot per group (Cluster)

    async def send(self, ctx: "RequestContext", attempt: "Attempt") -> ProxyResponse:
        if ctx.endpoint != CHAT:
            raise NotFound(f"The provider '{self.name}' (human escalation) serves only /v1/chat/completions.")
        requested = ctx.model
        reason, rows = escalation_reason(ctx.attempts)
        now = time.time()
        entry = {"at": now, "request_id": ctx.request_id, "reason": reason,
                 "message": latest_user_text(ctx.body)[:2000] if self.options.store_message else None}
        ticket_id, count = await self._file(ctx, entry, rows)
        ctx.record(self.name, ticket=ticket_id, count=count)
        text = render(self.options.message, {"ticket_id": ticket_id, "request_id": ctx.request_id, "model": requested or "",
                                             "count": count})
        return completion_response(ctx, text, self.options.model_name, self.name, {"x-bulwark-ticket": ticket_id}, origin=HUMAN)

    async def _file(self, ctx: "RequestContext", entry: dict[str, Any], rows: list[dict[str, Any]]) -> tuple[str, int]:
        """Open a ticket, or add this escalation to its group's open one: (ticket id, count)."""
        journal = self.services.state.journal(self.options.journal)
        new_id = f"{int(entry['at'] * 1000)}-{uuid.uuid4().hex[:8]}"
        key = self._group(ctx)
        if key is None:
            return await self._open(ctx, journal, new_id, None, entry, rows, {"id": new_id, "count": 1, "messages": [entry]})
        # One escalation of a group at a time in this process, so the journal copies of the
        # group's count land in order (the count itself is atomic across replicas).
        slot = self._locks.setdefault(key, [asyncio.Lock(), 0])
        slot[1] += 1
        try:
            async with slot[0]:
                return await self._file_grouped(ctx, journal, new_id, key, entry, rows)
        finally:
            slot[1] -= 1
            if slot[1] == 0:  # nobody waits: forget the lock (one per group would grow without bound)
                self._locks.pop(key, None)

    async def _file_grouped(self, ctx: "RequestContext", journal: Any, new_id: str, key: str, entry: dict[str, Any],
                            rows: list[dict[str, Any]]) -> tuple[str, int]:
        claim: dict[str, Any] = {"id": new_id, "count": 1, "messages": [entry]}
        try:
            claim = await self._claim(key, new_id, entry)
            if claim["id"] != new_id and not await self._still_open(journal, claim["id"]):
                claim = await self._claim(key, new_id, entry, replace=claim["id"])  # resolved: a new ticket
        except StateError as exc:  # grouping is a convenience: never lose the escalation over it
            log.warning("ticket grouping unavailable (%s); opening a ticket of its own", exc)
            claim = {"id": new_id, "count": 1, "messages": [entry]}
        if claim["id"] != new_id:
            await journal.update(claim["id"], self._fields(ctx, entry, rows, claim))
            return claim["id"], int(claim["count"])
        return await self._open(ctx, journal, new_id, key, entry, rows, claim)

    @staticmethod
    def _fields(ctx: "RequestContext", entry: dict[str, Any], rows: list[dict[str, Any]], claim: dict[str, Any]) -> dict[str, Any]:
        return {"reason": entry["reason"], "attempts": rows, "count": claim["count"], "messages": claim["messages"],
                "last_at": entry["at"], "last_request_id": ctx.request_id, "message": entry["message"]}

    async def _open(self, ctx: "RequestContext", journal: Any, new_id: str, key: str | None, entry: dict[str, Any],
                    rows: list[dict[str, Any]], claim: dict[str, Any]) -> tuple[str, int]:
        """Append a new ticket (and announce it on the webhook)."""
        fields = self._fields(ctx, entry, rows, claim)
        ticket: dict[str, Any] = {
            "id": new_id, "request_id": ctx.request_id, "model": ctx.model, "key_id": ctx.identity.key_id,
            "key_name": ctx.identity.key_name, "user": ctx.identity.user, "group": key, "status": "open",
            "created_at": entry["at"], **fields,
        }
        if not self.options.store_message:
            ticket.pop("message")
        await journal.append(ticket)
        if self.options.webhook_url:
            self.services.tasks.spawn(self._notify(ticket), name="bulwark-ticket-webhook")
        return new_id, 1

    @staticmethod
    async def _still_open(journal: Any, ticket_id: str) -> bool:
        """Is the group's ticket open? A ticket claimed a moment ago by a concurrent request may
        not be in the journal yet: look again briefly before calling it gone."""
        for delay in (0.0, 0.05, 0.2):
            await asyncio.sleep(delay)
            rec = await journal.get(ticket_id)
            if rec is not None:
                return rec.get("status") == "open"
        return False

    async def _claim(self, key: str, new_id: str, entry: dict[str, Any], replace: str | None = None) -> dict[str, Any]:
        args = {"now": entry["at"], "id": new_id, "window_ms": int(self.options.group_window_seconds * 1000),
                "entry": entry, "max": self.options.group_max_messages, "replace": replace or ""}
        got = decode(await self.services.state.run(TICKET_GROUP, [key], [orjson.dumps(args)]))
        return {"id": str(got["id"]), "count": int(got["count"]), "messages": list(got.get("messages") or [])}

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
