"""One request's place in the token windows, attempt by attempt (`ctx.ledger` hooks).

GATE may already hold the tokens of the body as it arrived (see `gcra`). Before each upstream
attempt, `on_start` works out what the request needs to hold now: the real usage of the
attempts that ended, plus what the running attempts (this one included) may use at most (the
prompt as sent, after pruning, plus the completion bound). Only when that differs from what
is held does it run TOKENS, one round trip that settles the difference and admits the new
attempt; a request whose body nobody changed pays nothing here. `settle_delta` is what is left
to settle when the request is over (SETTLE carries it with the concurrency release).

Which attempts may be refused: the first, retries, fallback steps and regenerations (a
refusal surfaces as the client's 429, and fallback / validation do not work around it). A
continuation of an answer already streaming, a judge call and a summary are charged but
never refused: refusing them would waste what was already paid for.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable

import orjson

from proxy.context import EMBEDDINGS, RequestContext
from proxy.errors import ProxyError, ServiceUnavailable
from proxy.ledger import Attempt, Cause
from proxy.pricing import max_completion
from proxy.state.base import StateError
from proxy.state.lua import decode
from proxy.tokens import count_request

from .gcra import TOKENS

log = logging.getLogger("bulwark.ratelimit")

_NEVER_REFUSED = frozenset((Cause.CONTINUATION, Cause.JUDGE, Cause.SUMMARY))
_DERIVED = frozenset((Cause.JUDGE, Cause.SUMMARY))  # their own body, in a derived context


class TokenAccount:
    __slots__ = ("plugin", "ctx", "keys", "dims", "names", "held", "ended", "running", "late", "gate_body", "gate_prompt",
                 "refusal", "round_trips", "side")

    def __init__(self, plugin: Any, ctx: RequestContext, keys: list[str], dims: list[list[Any]], names: list[str],
                 held: int, gate_prompt: int, refusal: Callable[..., ProxyError], side: str = "shared") -> None:
        self.plugin = plugin
        self.ctx = ctx
        self.keys = keys
        self.dims = dims  # [[hash_ki, effective_tpm]] of the token limits only
        self.names = names  # the scope of each dim (key / user / model)
        self.held = held  # tokens this request holds in the windows right now
        self.ended = 0  # real usage of the attempts that ended
        self.running: dict[int, int] = {}  # attempt index -> what it may use at most
        self.late: dict[int, int] = {}  # attempts that started after the request settled
        self.gate_body = ctx.body if ctx.raw_body else None
        self.gate_prompt = gate_prompt
        self.refusal = refusal
        self.round_trips = 0
        self.side = side  # the store GATE's reservation is in: every adjustment goes there

    # -- what an attempt may use --------------------------------------------------------------
    def need(self, attempt: Attempt) -> int:
        cfg = self.plugin.cfg
        if attempt.cause in _DERIVED:
            prompt = int(attempt.count_prompt()) if attempt.count_prompt is not None else 0
            return prompt + cfg.default_completion_tokens
        ctx = self.ctx
        body = ctx.body if ctx.raw_body else {}
        # The body GATE counted, unchanged: no need to count it again (the common case).
        prompt = self.gate_prompt if body is self.gate_body else count_request(body)
        return prompt + (0 if ctx.endpoint == EMBEDDINGS else max_completion(body, cfg.default_completion_tokens))

    # -- ledger hooks ------------------------------------------------------------------------------
    async def on_start(self, attempt: Attempt) -> None:
        c = self.need(attempt)
        if self.ctx.ledger.settled:  # a background summary after the answer: charged on its own
            await self._run(0, c, False)
            self.late[attempt.index] = c
            return
        base = self.ended + sum(self.running.values()) - self.held
        if base + c == 0:
            self.running[attempt.index] = c
            return
        check = attempt.cause not in _NEVER_REFUSED
        res = await self._run(base, c, check)
        self.held += base
        if not res.get("ok") and self.plugin.shadow:
            self.ctx.record(self.plugin.name, shadow=True, would_reject=429, tokens_needed=c)
            res = await self._run(0, c, False)
        if not res.get("ok"):
            i = int(res.get("dim", 1)) - 1
            scope = self.names[i] if 0 <= i < len(self.names) else "key"
            raise self.refusal(res, scope, c)
        self.held += c
        self.running[attempt.index] = c
        self.ctx.record(self.plugin.name, tokens_reserved=self.held, **({"remaining_tokens": res["rem"]} if "rem" in res else {}))

    def on_end(self, attempt: Attempt) -> None:
        actual = sum(attempt.usage[:2]) if attempt.usage else 0
        if attempt.index in self.late:
            delta = actual - self.late.pop(attempt.index)
            if delta:
                self.plugin.services.tasks.spawn(self._settle_late(delta), "ratelimit-settle", essential=True)
            return
        if self.running.pop(attempt.index, None) is not None:
            self.ended += actual

    def settle_delta(self) -> int:
        """Real usage of the whole request less what it holds (every attempt ended by now)."""
        return self.ended + sum(self.running.values()) - self.held

    async def _settle_late(self, delta: int) -> None:
        try:
            await self._run(delta, 0, False)
        except ProxyError as exc:  # background: the window drains by itself; never fail loudly
            log.warning("settling a late attempt of request %s failed: %s", self.ctx.request_id, exc.message)

    # -- the TOKENS script -------------------------------------------------------------------------
    async def _run(self, base: int, add: int, check: bool) -> dict[str, Any]:
        cfg = self.plugin.cfg
        P = {"now": time.time(), "window": cfg.window_seconds, "dims": self.dims, "base": base, "add": add, "check": check}
        self.round_trips += 1
        try:
            res = await self.plugin.services.state.run_on(self.side, TOKENS, self.keys, [orjson.dumps(P)])
        except StateError as exc:
            self.plugin.services.metrics.inc("bulwark_redis_errors_total", 1.0, op="script")
            raise ServiceUnavailable(f"Rate limiting is unavailable: the state backend failed ({exc}). Retry shortly.",
                                     headers={"retry-after": "1"}) from None
        if res is None:  # the shared store is out and the change was queued for it (fail_open): admitted
            return {"ok": True}
        return decode(res)
