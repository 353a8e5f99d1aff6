"""Asking a model about an answer: the judge validator's and the second opinion's one call.

The call goes through `proxy.dispatch` (the seam every upstream call takes: keys, timeouts,
translation for other providers) as an attempt of the request being validated, cause
`judge`: the ledger records it, budgets reserve and charge it at the model that served it,
telemetry counts it (`bulwark_cost_usd_total{category="judge"}`). Outside a request (tests,
the CLI) it gets a ledger of its own.
"""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from multidict import CIMultiDict

from proxy.context import CHAT, RequestContext, Target
from proxy.dispatch import dispatch
from proxy.ledger import Cause, Ledger
from proxy.pricing import pricing_for


@dataclass(slots=True)
class Reply:
    content: str  # the model's message content
    cost_usd: float  # what the call was charged


async def consult(services: Any, parent: RequestContext | None, provider: str, model: str, body: dict[str, Any],
                  timeout: float) -> Reply:
    """One chat completion to `provider`/`model`; raises on a timeout, an HTTP error or a body
    without a message (the caller decides what an unanswered question means)."""
    if services is None or provider not in services.providers:
        raise RuntimeError(f"provider {provider!r} is not configured")
    body = {**body, "model": model}
    if parent is not None:
        ctx = parent.derive(body, suffix="judge")
    else:
        ctx = RequestContext(
            request_id=f"{uuid.uuid4().hex}-judge", endpoint=CHAT, method="POST", path="/chat/completions",
            query_string="", headers=CIMultiDict(), raw_body=orjson.dumps(body), services=services,
            ledger=Ledger(pricing_for(services)),
        )
    ctx.target = Target(provider, model, cause=Cause.JUDGE)
    try:
        resp = await asyncio.wait_for(dispatch(ctx), timeout)
    finally:
        ctx.close()
    try:
        if not resp.ok:
            raise RuntimeError(f"{provider}/{model} answered HTTP {resp.status}")
        data = resp.json()
    finally:
        await resp.aclose()
    cost = resp.attempt.cost_usd if resp.attempt is not None else 0.0
    content = ((data.get("choices") or [{}])[0].get("message") or {}).get("content") if isinstance(data, dict) else None
    if not isinstance(content, str):
        raise RuntimeError(f"{provider}/{model} answered without a message")
    return Reply(content, cost)


def json_reply(content: str) -> Any:
    """The JSON a model was asked for, tolerating a markdown fence around it."""
    text = content.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return orjson.loads(text.strip())
