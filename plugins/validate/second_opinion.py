"""A second opinion: a model settles the claims the numbers engine is not sure of.

The rules verify what the data states and the arithmetic they model; a claim they cannot
ground but cannot prove wrong either (a multi-step calculation, a conversion, a rounding they
do not model) is *uncertain*, and without a second opinion it ends in the entry's `uncertain`
action (flag: delivered whole, marked, queued for review). With `second_opinion = {provider,
model}` on the numbers entry, those claims, and only those, are put to a model with the
conversation's data:

- every claim supported: the failure is cleared (the answer passes, nothing is flagged);
- any claim unsupported: the failure becomes a sure one for those claims (regenerate, then
  the entry's `then`: withhold by default), so the wrong number does not reach the user;
- no usable verdict (timeout, HTTP error, unparseable reply, a claim left out): the claim
  stays uncertain, exactly as without a second opinion. A model that cannot answer never
  makes the proxy more permissive or stricter than the rules alone.

Live streams hold the uncertain claim's sentence while the model is asked (the text before it
has gone out already); one call settles every uncertain claim of a whole answer, a stream
asks claim by claim, at most `max_calls` times per answer. The data comes first in the prompt
and is the same for every call of a request, so a provider's prompt cache serves repeats.
Each call is an attempt with cause `judge` (charged, budgeted, traced: `consult`).
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from .config import SecondOpinionConfig
from .consult import consult, json_reply
from .validators.base import Subject, ValidationResult
from .validators.segments import sentence_end, sentence_start

log = logging.getLogger("bulwark.validate")

PROMPT = (
    "You check numbers in an assistant's answer against the data of the conversation it answers. "
    "For each CLAIM, reply supported=true when the DATA states that number for that thing, or it follows "
    "from the DATA by correct arithmetic (sums, differences, averages, ratios, percentages, percentage points), "
    "a unit, scale or currency conversion with standard factors, date or time arithmetic, or honest rounding. "
    "Reply supported=false when it is invented, belongs to another item, field or period, was replaced by a "
    "later value, is miscalculated or wrongly converted, is rounded misleadingly, or has the wrong sign or "
    "direction. Reply with JSON only: "
    '{"claims": [{"id": 1, "supported": true, "reason": "..."}]}, one entry per CLAIM.'
)


@dataclass(slots=True)
class Verdicts:
    """What the model said, per claim position: True supported, False not; absent: no verdict."""

    by_position: dict[int, bool] = field(default_factory=dict)
    calls: int = 0
    errors: int = 0
    cleared: int = 0  # claims the model found supported (a stream's running count)
    rejected: int = 0

    def forget_from(self, pos: int) -> None:
        """The text from `pos` on was replaced (a regenerated continuation): its verdicts go."""
        self.by_position = {p: v for p, v in self.by_position.items() if p < pos}


def _data(body: dict[str, Any], limit: int) -> str:
    """The conversation's data as the model reads it: every message but the assistant's own
    prose (tool calls and their arguments included), the first (system) and the latest kept
    when it is too long, since the question's data is usually at the end."""
    pieces: list[str] = []
    for msg in body.get("messages") or ():
        if not isinstance(msg, dict):
            continue
        role = msg.get("role")
        c = msg.get("content")
        if isinstance(c, list):
            c = " ".join(p.get("text", "") for p in c if isinstance(p, dict) and isinstance(p.get("text"), str))
        if role == "assistant":
            calls = msg.get("tool_calls") or ()
            args = [f"{(tc.get('function') or {}).get('name')}({(tc.get('function') or {}).get('arguments')})"
                    for tc in calls if isinstance(tc, dict)]
            if args:
                pieces.append("[assistant tool call] " + "; ".join(args))
            if isinstance(c, str) and c:
                pieces.append("[assistant, earlier answer] " + c)
            continue
        if isinstance(c, str) and c:
            pieces.append(f"[{role}] {c}")
    text = "\n".join(pieces)
    if len(text) <= limit or not pieces:
        return text
    head = pieces[0][: limit // 4]
    tail = text[-(limit - len(head) - 16):]
    return head + "\n[...]\n" + tail


def _sentence(text: str, pos: int) -> str:
    start = sentence_start(text, pos)
    end = sentence_end(text, pos, True) or len(text)
    return text[start:end].strip()[:400]


class SecondOpinion:
    def __init__(self, config: SecondOpinionConfig, services: Any) -> None:
        self.cfg = config
        self.services = services

    def _request(self, subject: Subject, text: str, claims: list[tuple[str, int]]) -> dict[str, Any]:
        listed = "\n".join(f'{i}. "{claim}" in: "{_sentence(text, pos)}"' for i, (claim, pos) in enumerate(claims, 1))
        return {
            "temperature": 0,
            "max_tokens": self.cfg.max_tokens,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": PROMPT},
                {"role": "user", "content": "DATA:\n" + _data(subject.body, self.cfg.max_context_chars)
                 + "\n\nANSWER:\n" + text + "\n\nCLAIMS:\n" + listed},
            ],
        }

    async def ask(self, subject: Subject, text: str, claims: list[tuple[str, int]], verdicts: Verdicts) -> None:
        """Put `claims` ((text, position in `text`)) to the model; what it settles lands in `verdicts`."""
        claims = [c for c in claims if c[1] not in verdicts.by_position][: self.cfg.max_claims]
        if not claims or verdicts.calls >= self.cfg.max_calls:
            return
        verdicts.calls += 1
        services = self.services or (subject.ctx.services if subject.ctx is not None else None)
        ctx = subject.ctx
        try:
            reply = await consult(services, ctx, self.cfg.provider, self.cfg.model,
                                  self._request(subject, text, claims), self.cfg.timeout_seconds)
            data = json_reply(reply.content)
            items = data.get("claims") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise ValueError("no `claims` list in the reply")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # no verdict: the claims stay uncertain (the rules' answer)
            verdicts.errors += 1
            log.warning("request %s: second opinion from %s/%s failed: %r", getattr(ctx, "request_id", "?"),
                        self.cfg.provider, self.cfg.model, exc)
            self.count("error")
            return
        for item in items:
            if not isinstance(item, dict):
                continue
            i, ok = item.get("id"), item.get("supported")
            if isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= len(claims) and isinstance(ok, bool):
                verdicts.by_position[claims[i - 1][1]] = ok
        self.count("answered")

    def rejected_issue(self, claim: str) -> str:
        return f"unverified claim {claim!r}: a second opinion ({self.cfg.model}) found it unsupported by the data"

    async def verdict_on(self, subject: Subject, text: str, claim: str, pos: int, verdicts: Verdicts) -> bool | None:
        """One claim of a live answer: True supported, False rejected, None unsettled (counted)."""
        await self.ask(subject, text, [(claim, pos)], verdicts)
        verdict = verdicts.by_position.get(pos)
        if verdict is True:
            verdicts.cleared += 1
            self.count("cleared")
        elif verdict is False:
            verdicts.rejected += 1
            self.count("rejected")
        return verdict

    def count(self, verdict: str) -> None:
        metrics = getattr(self.services, "metrics", None)
        if metrics is not None:
            metrics.inc("bulwark_validation_second_opinions_total", verdict=verdict)

    async def settle(self, subject: Subject, res: ValidationResult, verdicts: Verdicts) -> ValidationResult:
        """An uncertain numbers failure of a whole answer, after the model's verdicts: cleared
        (ok), sure (the claims it rejected), or as it was (what it left unsettled)."""
        text = subject.answer.content or ""
        claims = list(zip(res.unverified, res.positions))
        await self.ask(subject, text, claims, verdicts)
        rejected = [(c, p) for c, p in claims if verdicts.by_position.get(p) is False]
        unsettled = [(c, p) for c, p in claims if p not in verdicts.by_position]
        unlisted = len(res.positions) > len(res.unverified)  # claims past max_reported were never asked about
        details = {**res.details, "second_opinion": {"asked": len(claims), "rejected": [c for c, _ in rejected],
                                                     "supported": sum(1 for _, p in claims if verdicts.by_position.get(p))}}
        ctx = subject.ctx
        if ctx is not None:
            ctx.record("validate", second_opinion=details["second_opinion"])
        if rejected:
            self.count("rejected")
            issues = [self.rejected_issue(c) for c, _ in rejected]
            return ValidationResult(False, res.confidence, issues, res.validator, [c for c, _ in rejected], details,
                                    [p for _, p in rejected], uncertain=False)
        if not unsettled and not unlisted:
            self.count("cleared")
            return ValidationResult(True, 1.0, [], res.validator, [], details)
        keep = {p for _, p in unsettled}
        issues = [i for i, (_, p) in zip(res.issues, claims) if p in keep] or res.issues
        return ValidationResult(False, res.confidence, issues, res.validator, [c for c, _ in unsettled], details,
                                [p for p in res.positions if p not in verdicts.by_position], uncertain=True)
