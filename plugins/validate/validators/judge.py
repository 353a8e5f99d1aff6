"""Judge (optional, off by default): a configured model checks the answer against the context.

The judge gets the conversation's data (system/developer/user/tool messages, truncated to
`max_context_chars`) and the answer, and must reply with JSON
`{"supported": true|false, "unsupported_claims": ["..."]}`. It is called through
`plugins.validate.consult` (the core dispatch seam: keys, timeouts and translation apply, and
the call is an attempt with cause "judge" in the request's ledger), with `timeout_seconds`; a
timeout or an unparseable verdict raises, and the plugin treats it per `on_error`. Its cost is charged like any attempt (budgets, `bulwark_cost_usd_total{category=
"judge"}`), at the pricing table's price for the judge model, or `price_per_1m_input` /
`price_per_1m_output` when set.
"""
from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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
        from ..consult import consult, json_reply  # local: keeps the package import light

        services = self.services or (subject.ctx.services if subject.ctx is not None else None)
        started = time.monotonic()
        reply = await consult(services, subject.ctx, self.cfg.provider, self.cfg.model, self._request(subject),
                              self.cfg.timeout_seconds)
        verdict = json_reply(reply.content)
        claims = [str(c) for c in verdict.get("unsupported_claims") or []]
        supported = bool(verdict.get("supported")) and not claims
        elapsed = time.monotonic() - started
        cost = reply.cost_usd
        if supported:
            return ValidationResult.ok(self.name, judge_seconds=elapsed, judge_cost_usd=cost)
        return ValidationResult.fail(
            self.name, [f"judge: unsupported claim {c!r}" for c in claims[:10]] or ["judge: answer not supported by the data"],
            0.0, claims[:10], judge_seconds=elapsed, judge_cost_usd=cost,
        )
