"""Judge (optional, off by default): a configured model checks the answer against the context.

The judge gets the conversation's data (system/developer/user/tool messages, truncated to
`max_context_chars`) and the answer, and must reply with JSON
`{"supported": true|false, "unsupported_claims": ["..."]}`. It is called through
`proxy.dispatch` (the one seam every upstream call takes, so keys, timeouts and translation
apply, and the call is an attempt with cause "judge" in the request's ledger), with
`timeout_seconds`; a timeout or an unparseable verdict raises, and the plugin treats it per
`on_error`. Its cost is charged like any attempt (budgets, `bulwark_cost_usd_total{category=
"judge"}`), at the pricing table's price for the judge model, or `price_per_1m_input` /
`price_per_1m_output` when set.
"""
from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import orjson
from multidict import CIMultiDict
from pydantic import BaseModel, ConfigDict, Field

from proxy.context import CHAT, RequestContext, Target
from proxy.dispatch import dispatch
from proxy.ledger import Cause, Ledger
from proxy.pricing import Price, pricing_for

from .base import Subject, ValidationResult

PROMPT = (
    "You are a strict fact checker. Compare the ANSWER with the DATA. List every factual claim in the "
    "ANSWER (numbers, names, dates, identifiers) that the DATA does not support. Reply with JSON only: "
    '{"supported": true|false, "unsupported_claims": ["..."]}.'
)


class JudgeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str
    model: str
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    max_context_chars: int = Field(24_000, ge=1000)
    max_tokens: int = Field(300, ge=16)
    price_per_1m_input: float = Field(0.0, ge=0)
    price_per_1m_output: float = Field(0.0, ge=0)


class JudgeValidator:
    name = "judge"
    Config = JudgeConfig

    def __init__(self, config: JudgeConfig, services: Any = None) -> None:
        self.cfg = config
        self.services = services
        if (config.price_per_1m_input or config.price_per_1m_output) and services is not None:
            # The judge's own prices join the pricing table, so the ledger charges them.
            pricing_for(services).set(config.model, Price(config.price_per_1m_input, config.price_per_1m_output))

    def _request(self, subject: Subject) -> dict[str, Any]:
        parts: list[str] = []
        size = 0
        for msg in subject.body.get("messages") or ():
            if not isinstance(msg, dict) or msg.get("role") == "assistant":
                continue
            c = msg.get("content")
            if isinstance(c, list):
                c = " ".join(p.get("text", "") for p in c if isinstance(p, dict) and isinstance(p.get("text"), str))
            if isinstance(c, str) and c:
                piece = f"[{msg.get('role')}] {c}"
                parts.append(piece[: self.cfg.max_context_chars - size])
                size += len(parts[-1])
                if size >= self.cfg.max_context_chars:
                    break
        return {
            "model": self.cfg.model,
            "temperature": 0,
            "max_tokens": self.cfg.max_tokens,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": PROMPT},
                {"role": "user", "content": "DATA:\n" + "\n".join(parts) + "\n\nANSWER:\n" + (subject.answer.content or "")},
            ],
        }

    async def validate(self, subject: Subject) -> ValidationResult:
        from proxy.context import CHAT, RequestContext  # local: keeps the package import light

        services = self.services or (subject.ctx.services if subject.ctx is not None else None)
        if services is None or self.cfg.provider not in services.providers:
            raise RuntimeError(f"judge provider {self.cfg.provider!r} is not configured")
        parent = subject.ctx
        body = self._request(subject)
        if parent is not None:
            # Through the core seam, as an attempt of the request being validated: the ledger
            # records it (cause "judge"), budgets reserve and charge it, telemetry counts it.
            jctx = parent.derive(body, suffix="judge")
        else:
            jctx = RequestContext(
                request_id=f"{uuid.uuid4().hex}-judge", endpoint=CHAT, method="POST", path="/chat/completions",
                query_string="", headers=CIMultiDict(), raw_body=orjson.dumps(body), services=services,
                ledger=Ledger(pricing_for(services)),
            )
        jctx.target = Target(self.cfg.provider, self.cfg.model, cause=Cause.JUDGE)
        started = time.monotonic()
        resp = await asyncio.wait_for(dispatch(jctx), self.cfg.timeout_seconds)
        try:
            if not resp.ok:
                raise RuntimeError(f"judge answered HTTP {resp.status}")
            data = resp.json()
        finally:
            await resp.aclose()
        cost = resp.attempt.cost_usd if resp.attempt is not None else 0.0
        content = ((data.get("choices") or [{}])[0].get("message") or {}).get("content") or ""
        verdict = orjson.loads(content.strip().removeprefix("```json").removesuffix("```").strip())
        claims = [str(c) for c in verdict.get("unsupported_claims") or []]
        supported = bool(verdict.get("supported")) and not claims
        elapsed = time.monotonic() - started
        if supported:
            return ValidationResult.ok(self.name, judge_seconds=elapsed, judge_cost_usd=cost)
        return ValidationResult.fail(
            self.name, [f"judge: unsupported claim {c!r}" for c in claims[:10]] or ["judge: answer not supported by the data"],
            0.0, claims[:10], judge_seconds=elapsed, judge_cost_usd=cost,
        )
