"""Fallback cascade: named chains of providers per model alias, with retries and circuit breakers.

    [plugins.fallback]
    stream_mode = "error"            # or "continue": a broken stream is finished by the next provider
    [plugins.fallback.retry]         # per step: attempts, full-jitter backoff, retry-after bound, budget
    max_attempts = 2
    [plugins.fallback.breaker]       # per provider, shared through Redis when configured
    min_requests = 10
    error_rate = 0.5
    cooldown_seconds = 15
    [plugins.fallback.chains.gpt-4] # model alias ("*" = any other model)
    deadline_seconds = 60
    steps = [
      { provider = "openai", model = "gpt-4", timeout = 20 },
      { provider = "claude", model = "claude-3-5-haiku-latest" },
      { provider = "local", model = "llama-3", large_context = true },
      { provider = "rules" },
      { provider = "human" },
    ]

Each attempt sets `ctx.target` and calls the rest of the chain; what comes back is classified:

    connection   UpstreamUnavailable                  retried, then next step
    timeout      UpstreamTimeout, a stall before the stream showed anything
    rate_limit   429                                  retried (retry-after honoured up to a bound)
    server_error 5xx (Anthropic's 529 arrives as 503), or a 200 whose body is not JSON
    stream       cut / malformed / error event before the stream showed anything
    context_length  400 context_length_exceeded       next step marked large_context (else next)
    content_filter  content_filter answers            next step, no retry
    validation   FailoverRequested (proxy.errors), raised by the validate plugin
    upstream_auth   401/403 from a provider in managed auth mode (Bulwark's key for it is wrong)
    untranslatable  the request needs its native API (history upstream) and this step speaks another

A trigger left out of `triggers` hands that answer to the client as is. When one of Bulwark's
own tiers has no answer (rules: no rule matched) the cascade moves on to the next step at
once, whatever `triggers` says: no retry, no breaker, and the attempt's `failover_reason`
is the tier's error code. A stream's head is held until it shows content (or a finish,
usage, `[DONE]`), so a stream that breaks before its first word fails over cleanly; after
that a break is never passed off as a normal end: the edge sends `data: {"error": ...}`, or
with `stream_mode = "continue"` the next *LLM* step continues the text within the same
stream (see `continuation`).
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from proxy.context import RequestContext, Target
from proxy.ledger import AttemptRefused, Cause
from proxy.errors import ConfigError, FailoverRequested, ProxyError, ServiceUnavailable, UpstreamStreamError, UpstreamTimeout, UpstreamUnavailable
from proxy.plugin import Next, Plugin
from proxy.response import UPSTREAM, ProxyResponse
from proxy.sse import SSEEvent
from proxy.wire.apis import Untranslatable

from .breaker import CLOSED, STATE_NAMES, Breakers
from .config import _BREAKER_FAILURES, _RETRYABLE, ALL_TRIGGERS, Chain, FallbackConfig, Step, Trigger
from .continuation import Continuation, peek_head
from .retry import retry_after_seconds

log = logging.getLogger("bulwark.fallback")



# A breaker read made before the chain is trusted this long: a request that waited in an outer
# layer (a coalesced cache miss whose leader just tripped the breaker) asks ALLOW again.
_PEEK_FRESH_SECONDS = 0.1


class _Peek:
    """A breaker read started before the chain ran (`Fallback.prefetch`), and when."""

    __slots__ = ("provider", "state", "at")

    def __init__(self, provider: str, state: "asyncio.Future[int | None]", at: float) -> None:
        self.provider, self.state, self.at = provider, state, at


class _Outcome:
    """One attempt's result: a usable answer (for a stream, its held head events), or why it
    failed. `declined`: one of Bulwark's own tiers had no answer (the cascade moves on)."""

    __slots__ = ("resp", "exc", "reason", "retry_after", "head", "declined")

    def __init__(self, resp: ProxyResponse | None = None, exc: BaseException | None = None, reason: str | None = None,
                 retry_after: float | None = None, head: list[SSEEvent] | None = None, declined: bool = False) -> None:
        self.resp, self.exc, self.reason, self.retry_after, self.head = resp, exc, reason, retry_after, head
        self.declined = declined

    def moves_on(self, triggers: frozenset[str]) -> bool:
        return self.reason is not None and (self.reason in triggers or self.declined)


class Fallback(Continuation, Plugin):
    name = "fallback"
    Config = FallbackConfig

    def __init__(self, config: FallbackConfig, services: Any) -> None:
        super().__init__(config, services)
        self.config: FallbackConfig = config
        known = set(services.config.providers) if services is not None else set()
        for alias, chain in config.chains.items():
            for i, step in enumerate(chain.steps):
                if known and step.provider not in known:
                    raise ConfigError(f"plugins.fallback.chains.{alias}.steps[{i}].provider: no provider named "
                                      f"{step.provider!r} (have: {sorted(known)})")
        self.triggers = frozenset(config.triggers)
        self.breakers = Breakers(config.breaker, services.state, services.metrics)
        self._managed = services is None or services.config.auth.mode == "managed"

    # -- admin ---------------------------------------------------------------------------------
    async def status(self) -> dict[str, Any]:
        """Each provider's breaker as this process last saw it (no state round trip; for the dashboard)."""
        last = self.breakers.last
        return {"breakers": {name: {"state": STATE_NAMES.get(last.get(name, CLOSED), "closed")} for name in self.services.providers}}

    def admin_routes(self) -> list[tuple[str, str, Any]]:
        return [("GET", "breakers", self._admin_breakers), ("POST", "breakers/{provider}/reset", self._admin_reset)]

    def _breaker_providers(self) -> list[str]:
        names = {s.provider for c in self.config.chains.values() for s in c.steps}
        return sorted(n for n in names if not self._own_tier(n))

    async def _admin_breakers(self, request: Any) -> Any:
        """GET /admin/breakers: each chain provider's breaker as shared in the state backend."""
        from aiohttp import web

        out = {}
        for name in self._breaker_providers():
            try:
                out[name] = await self.breakers.status(name)
            except Exception as exc:  # noqa: BLE001 - an admin page reports, never fails
                out[name] = {"state": "unknown", "error": type(exc).__name__}
        return web.json_response({"breakers": out, "config": self.config.breaker.model_dump()})

    async def _admin_reset(self, request: Any) -> Any:
        """POST /admin/breakers/{provider}/reset: close a breaker by hand (after a fix upstream)."""
        from aiohttp import web

        from proxy.errors import NotFound

        name = request.match_info["provider"]
        if name not in self._breaker_providers():
            raise NotFound(f"No breaker for provider {name!r} (have: {self._breaker_providers()}).")
        await self.breakers.reset(name)
        return web.json_response({"provider": name, "state": "closed"})

    # -- helpers -------------------------------------------------------------------------------
    def prefetch(self, ctx: RequestContext) -> None:
        """Read the first step's breaker while the outer layers make their first state call:
        a closed breaker (nearly always) then costs no round trip of its own."""
        if self.shadow or not self.config.breaker.enabled or not self.services.state.batches:
            return  # (a backend that answers each call at once: nothing to share a trip with)
        chain = self.config.chains.get(ctx.model or "") or self.config.chains.get("*")
        if chain is None or not chain.steps or self._own_tier(chain.steps[0].provider):
            return
        provider = chain.steps[0].provider
        ctx.scratch[self.name] = _Peek(provider, asyncio.ensure_future(self.breakers.peek(provider)), time.monotonic())

    async def _allow(self, provider: str, peek: "_Peek | None" = None) -> tuple[bool, bool]:
        if self._own_tier(provider):  # in-process tiers need no breaker
            return True, False
        if peek is not None and peek.provider == provider and time.monotonic() - peek.at < _PEEK_FRESH_SECONDS:
            if await peek.state == CLOSED:
                self.breakers.seen_closed(provider)
                return True, False
        return await self.breakers.allow(provider)

    def _record(self, provider: str, ok: bool, probe: bool) -> None:
        """Count the outcome in the background: nothing the client gets waits on it (and its
        write may be held to share a flight with the request's settles)."""
        if not self._own_tier(provider):
            self.services.tasks.spawn(self.breakers.record(provider, ok, probe), "breaker-record", essential=True)

    def _own_tier(self, provider: str) -> bool:
        """Bulwark's own tiers (rules, human): they answer in-process, never fail over, need no breaker."""
        p = self.services.providers.get(provider)
        return p is not None and p.origin != UPSTREAM

    def _classify_exc(self, exc: BaseException) -> str | None:
        if isinstance(exc, AttemptRefused):
            return None  # a budget or token limit refused the attempt: not the provider's failure
        if isinstance(exc, Untranslatable):
            return "untranslatable"  # this step speaks another API than the request needs: not its failure
        if isinstance(exc, FailoverRequested):
            return "validation"
        if isinstance(exc, UpstreamStreamError):
            return "timeout" if exc.reason == "stall" else "stream"
        if isinstance(exc, UpstreamTimeout):
            return "timeout"
        if isinstance(exc, UpstreamUnavailable):
            # dispatch refuses a 2xx that is not a completion: the provider broke, as with a 5xx
            return "server_error" if exc.code == "malformed_answer" else "connection"
        if isinstance(exc, ProxyError):
            if exc.status == 429:
                return "rate_limit"
            if exc.status >= 500 and not isinstance(exc, ServiceUnavailable):
                return "server_error"
        return None

    def _classify_resp(self, resp: ProxyResponse) -> str | None:
        s = resp.status
        if s == 429:
            return "rate_limit"
        if s >= 500:
            return "server_error"
        if s in (401, 403) and self._managed:
            return "upstream_auth"
        body = resp.body
        if s < 300 and body is not None and resp.stream is None and not isinstance(resp.try_json(), dict):
            return "server_error"  # a 200 whose body is not a JSON object is as broken as a 5xx
        if s == 400 and body and b"context_length_exceeded" in body:
            err = (resp.try_json() or {}).get("error") or {}
            if isinstance(err, dict) and err.get("code") == "context_length_exceeded":
                return "context_length"
        if body and b"content_filter" in body or (s == 400 and body and b"content_policy_violation" in body):
            data = resp.try_json() or {}
            err = data.get("error") if isinstance(data, dict) else None
            if isinstance(err, dict) and err.get("code") in ("content_filter", "content_policy_violation"):
                return "content_filter"
            choices = data.get("choices") if isinstance(data, dict) else None
            if s < 300 and isinstance(choices, list) and any(isinstance(c, dict) and c.get("finish_reason") == "content_filter" for c in choices):
                return "content_filter"
        return None

    def _target(self, ctx: RequestContext, step: Step, left: float) -> Target:
        """Per-attempt timeout: the step's, the provider's total, and for plain answers the chain deadline.

        A stream only has to *start* within the chain deadline (see `_attempt`); once its first
        event is out, the step and provider budgets bound it, so long answers are not cut short.
        """
        p = self.services.providers.get(step.provider)
        total = p.config.timeouts.total if p is not None else None
        bounds = [b for b in (step.timeout, total, None if ctx.stream else left) if b]
        return Target(step.provider, step.model, min(bounds) if bounds else None)

    async def _attempt(self, ctx: RequestContext, call_next: Next, left: float) -> _Outcome:
        """One call down the chain, bounded by the chain deadline until a usable answer (or first event)."""
        try:
            async with asyncio.timeout(left):
                return await self._attempt_inner(ctx, call_next)
        except TimeoutError:  # the inner call was cancelled; it closed what it had opened
            return _Outcome(exc=UpstreamTimeout(
                f"No answer from provider '{ctx.target.provider if ctx.target else '?'}' within the fallback chain's deadline."),
                reason="timeout")

    async def _attempt_inner(self, ctx: RequestContext, call_next: Next) -> _Outcome:
        try:
            resp = await call_next(ctx)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # noqa: BLE001 - classified below, re-raised when not a trigger
            reason = self._classify_exc(exc)
            if reason is None:
                raise
            return _Outcome(exc=exc, reason=reason)
        if resp.origin != UPSTREAM and not resp.ok:
            # Bulwark's own tier had nothing to say (no rule matched): not a server error, and
            # nothing a retry would change. The cascade moves on whatever `triggers` says.
            err = (resp.try_json() or {}).get("error") if resp.body else None
            code = err.get("code") if isinstance(err, dict) else None
            return _Outcome(resp=resp, reason=str(code or f"declined_{resp.status}"), declined=True)
        reason = self._classify_resp(resp)
        if reason is not None:
            return _Outcome(resp=resp, reason=reason, retry_after=retry_after_seconds(resp.headers))
        if resp.stream is not None and resp.ok:
            # Hold the head until it shows something: a break before the first word is then an
            # ordinary failover, with headers that name the step that really answers.
            it = resp.stream.__aiter__()
            try:
                head = await peek_head(it)
            except StopAsyncIteration:
                await resp.aclose()
                return _Outcome(exc=UpstreamStreamError("The upstream stream ended before it sent any content.", reason="cut"), reason="stream")
            except asyncio.CancelledError:
                await resp.aclose()
                raise
            except BaseException as exc:  # noqa: BLE001
                await resp.aclose()
                reason = self._classify_exc(exc)
                if reason is None:
                    raise
                return _Outcome(exc=exc, reason=reason)
            resp.stream = it  # type: ignore[assignment]
            return _Outcome(resp=resp, head=head)
        return _Outcome(resp=resp)

    # -- the cascade ---------------------------------------------------------------------------
    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        alias = ctx.model
        chain = self.config.chains.get(alias or "") or self.config.chains.get("*")
        if chain is None:
            return await call_next(ctx)
        if self.shadow:
            return await self._shadow(ctx, call_next)
        peek = ctx.scratch.get(self.name)  # the breaker read `prefetch` started (not on a regeneration's pass)
        peek = peek if isinstance(peek, _Peek) else None
        ctx.scratch[self.name] = {"chain": alias if alias in self.config.chains else "*", "steps": []}
        deadline = time.monotonic() + chain.deadline_seconds
        steps = chain.steps
        metrics = self.services.metrics
        last_resp: ProxyResponse | None = None
        last_exc: BaseException | None = None
        pending: tuple[str, str] | None = None  # (from_provider, reason) waiting for the next provider
        fallbacks = 0
        skipped_open = 0
        i = 0
        while i < len(steps):
            step = steps[i]
            allowed, probe = await self._allow(step.provider, peek)
            peek = None  # used once: a later look at the same provider asks again
            if not allowed:
                skipped_open += 1
                self._note(ctx, step, "skipped", "breaker_open", 0.0)
                if pending is None:
                    pending = (step.provider, "breaker_open")
                i += 1
                continue
            if pending is not None and pending[0] != step.provider:
                fallbacks += 1
                metrics.inc("bulwark_fallback_activations_total", 1, from_provider=pending[0], to_provider=step.provider, reason=pending[1])
                pending = None
            policy = step.retry or self.config.retry
            step_started = time.monotonic()
            attempt = 0
            next_i = i + 1
            while True:
                attempt += 1
                left = deadline - time.monotonic()
                if left <= 0:
                    return await self._give_up(ctx, step, last_resp, last_exc, fallbacks, deadline_hit=True)
                ctx.target = self._target(ctx, step, left)
                if attempt > 1:
                    ctx.ledger.next_cause = Cause.RETRY
                elif fallbacks or i > 0:
                    ctx.ledger.next_cause = Cause.FALLBACK
                # else: the cause an outer layer set (a regeneration), or the first try
                first_attempt = len(ctx.ledger.attempts)
                started = time.monotonic()
                try:
                    out = await self._attempt(ctx, call_next, left)
                except BaseException:  # not a trigger (e.g. a request no provider can take): the client's answer
                    await self._close(last_resp)
                    self._finish(ctx, step, fallbacks)
                    raise
                took = time.monotonic() - started
                if not out.moves_on(self.triggers):
                    # Success (or an answer the configured triggers leave to the client).
                    if out.resp is not None and out.resp.stream is not None and out.head:
                        self._note(ctx, step, "ok", None, took)
                        await self._close(last_resp)
                        return self._stream_answer(ctx, call_next, out, steps, i, chain.deadline_seconds, fallbacks, probe)
                    self._record(step.provider, out.reason not in _BREAKER_FAILURES, probe)
                    if out.exc is not None:
                        self._finish(ctx, step, fallbacks)
                        raise out.exc
                    assert out.resp is not None
                    self._note(ctx, step, "ok" if out.reason is None else "passed", out.reason, took)
                    self._finish(ctx, step, fallbacks)
                    await self._close(last_resp)
                    return out.resp
                # A trigger fired.
                self._record(step.provider, out.reason not in _BREAKER_FAILURES, probe)
                probe = False
                self._note(ctx, step, "failed", out.reason, took, out.exc, first_attempt)
                if out.declined and (last_resp is not None or last_exc is not None):
                    # If nothing answers, the client should hear why the models failed, not
                    # that a stand-in tier had no rule for its question.
                    await self._close(out.resp)
                else:
                    await self._close(last_resp)
                    last_resp, last_exc = out.resp, out.exc
                if out.reason == "context_length":
                    bigger = next((j for j in range(i + 1, len(steps)) if steps[j].large_context), None)
                    next_i = bigger if bigger is not None else i + 1
                if out.reason not in _RETRYABLE:
                    break
                delay = policy.next_delay(attempt, out.retry_after, time.monotonic() - step_started)
                if delay is None or delay >= deadline - time.monotonic():
                    break
                allowed, probe = await self._allow(step.provider)
                if not allowed:
                    break
                await self._close(last_resp)
                last_resp = None
                if delay > 0:
                    await asyncio.sleep(delay)
            pending = (step.provider, out.reason or "error")
            i = next_i
        if last_resp is None and last_exc is None and skipped_open:
            cooldown = int(self.config.breaker.cooldown_seconds)
            self._finish(ctx, None, fallbacks)
            raise ServiceUnavailable(
                f"Every provider for model {alias!r} is temporarily unavailable (circuit breakers open). "
                f"Retry in about {cooldown} s.",
                headers={"retry-after": str(max(1, cooldown))},
            )
        return await self._give_up(ctx, None, last_resp, last_exc, fallbacks)

    async def _give_up(self, ctx: RequestContext, step: Step | None, last_resp: ProxyResponse | None,
                       last_exc: BaseException | None, fallbacks: int, deadline_hit: bool = False) -> ProxyResponse:
        self._finish(ctx, None, fallbacks, exhausted=True)
        if last_resp is not None:
            ctx.response_headers["x-bulwark-provider"] = last_resp.provider or ""
            return last_resp
        if deadline_hit and last_exc is None:
            raise UpstreamTimeout(
                f"No provider in the fallback chain for model {ctx.model!r} answered "
                "within the chain's deadline. Retry later.",
            )
        assert last_exc is not None
        raise last_exc

    @staticmethod
    async def _close(resp: ProxyResponse | None) -> None:
        if resp is not None:
            await resp.aclose()

    def _note(self, ctx: RequestContext, step: Step, status: str, reason: str | None, seconds: float,
              exc: BaseException | None = None, since: int | None = None) -> None:
        """Record a step in the plugin's own decision; a failed one also names why on the
        ledger's attempt it made (skipped steps made none)."""
        entry: dict[str, Any] = {"provider": step.provider, "model": step.model, "status": status, "reason": reason,
                                 "seconds": round(seconds, 4)}
        ctx.scratch[self.name]["steps"].append(entry)
        if status == "failed" and since is not None:
            made = [a for a in ctx.ledger.attempts[since:] if a.provider == step.provider]
            if made and made[-1].failover_reason is None:
                made[-1].failover_reason = reason
        if exc is not None and status == "failed":
            log.info("request %s: provider %s failed (%s): %s", ctx.request_id, step.provider, reason, getattr(exc, "message", exc))

    def _finish(self, ctx: RequestContext, step: Step | None, fallbacks: int, exhausted: bool = False) -> None:
        ctx.response_headers["x-bulwark-fallbacks"] = str(fallbacks)
        fields: dict[str, Any] = {"fallbacks": fallbacks, "chain": ctx.scratch[self.name]["chain"]}
        if step is not None:
            ctx.response_headers["x-bulwark-provider"] = step.provider
            fields["provider"] = step.provider
        if exhausted:
            fields["exhausted"] = True
        ctx.record(self.name, **fields)

    # -- streams -------------------------------------------------------------------------------
    def _stream_answer(self, ctx: RequestContext, call_next: Next, out: _Outcome, steps: list[Step], i: int,
                       deadline_seconds: float, fallbacks: int, probe: bool) -> ProxyResponse:
        resp = out.resp
        assert resp is not None and out.head
        self._finish(ctx, steps[i], fallbacks)
        resp.stream = self._relay(ctx, call_next, resp, resp.stream, out.head, steps, i, deadline_seconds, probe)
        return resp

    # -- shadow ------------------------------------------------------------------------------------
    async def _shadow(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        try:
            resp = await call_next(ctx)
        except BaseException as exc:
            reason = self._classify_exc(exc)
            if reason in self.triggers:
                ctx.record(self.name, shadow=True, would_fallback=reason)
            raise
        reason = self._classify_resp(resp)
        if reason in self.triggers:
            ctx.record(self.name, shadow=True, would_fallback=reason)
        return resp


__all__ = ["ALL_TRIGGERS", "Chain", "Fallback", "FallbackConfig", "Step", "Trigger"]
