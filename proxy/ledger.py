"""The ledger of one request: every upstream attempt, what each cost, and one settlement.

Every call to a provider, whatever asks for it (the first try, a retry, a fallback step, a
mid-stream continuation, a validation regeneration, a judge call, a background summary),
goes through `proxy.dispatch`, which opens an `Attempt` here and ends it when the answer is
complete, the stream ends, breaks or is dropped, or the call fails. An attempt records its
cause, provider, the model asked and the model that served, status or error, timings, usage
(exact from the body or the usage event, else counted from what was generated and marked as
counted), its cost at the served model's price and the upstream request id.

Accounting plugins (rate limits, budgets), telemetry and the cost stack subscribe to the
ledger instead of parsing answers themselves:

    ctx.ledger.on_attempt_start(hook)   async hook(attempt) before the provider is called; it
                                        may reserve, cap the output (`attempt.output_cap`) or
                                        refuse by raising a ProxyError (-> AttemptRefused)
    ctx.ledger.on_attempt_end(fn)       fn(attempt) once per attempt, when it ended
    ctx.ledger.on_settled(fn)           fn(ledger) once, when the request is over (answer sent,
                                        stream ended, client gone, or error)

An attempt that ends after the settlement (a background summary) still reaches the
`on_attempt_end` subscribers, which then account for it on its own (`ledger.settled`).

Subscribers hold the request context that holds the ledger, and every attempt holds its
ledger: each request is a web of reference cycles that only the cyclic collector could free
(~70 objects a request, collections of 25-40 ms under load). Once the request is settled,
every attempt has ended and no sub-request holds the ledger open (`hold`, taken by
`RequestContext.derive` for judge calls and background summaries), nothing can reach a
subscriber any more: the ledger then drops its subscribers and the attempts their ledger
(`released`), so reference counting frees the request the moment its last user lets go.
`ctx.cost_usd` and `ctx.usage` are read from here; the ledger is their only writer.
"""
from __future__ import annotations

import enum
import logging
import time
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from .errors import ProxyError

if TYPE_CHECKING:
    from .assembly import Assembly
    from .pricing import Pricing

log = logging.getLogger("bulwark.ledger")


class Cause(str, enum.Enum):
    """Why an upstream attempt was made (the cost stack's categories)."""

    FIRST = "first"
    RETRY = "retry"
    FALLBACK = "fallback"
    CONTINUATION = "continuation"
    REGENERATION = "regeneration"
    JUDGE = "judge"
    SUMMARY = "summary"

    def __str__(self) -> str:  # labels and JSON read the plain value
        return self.value


class AttemptRefused(ProxyError):
    """An attempt-start hook refused the attempt (a budget or token limit): not an upstream
    failure, so fallback does not try the next provider and validation does not regenerate."""

    def __init__(self, cause: ProxyError) -> None:
        super().__init__(cause.message, status=cause.status, type=cause.type, code=cause.code, param=cause.param,
                         headers=cause.headers)
        self.cause = cause


class Attempt:
    """One call to a provider. Written by dispatch (and the provider, for `reported_usage`)."""

    __slots__ = (
        "index", "cause", "provider", "kind", "model", "billable", "status", "error", "failover_reason",
        "started", "started_ns", "first_byte_at", "ended_at", "ended_ns", "usage", "usage_exact", "cost_usd",
        "upstream_request_id", "assembly", "reported_usage", "output_cap", "count_prompt", "span", "ledger",
    )

    def __init__(self, ledger: "Ledger", index: int, cause: Cause, provider: str, kind: str, model: str | None,
                 billable: bool) -> None:
        self.ledger = ledger
        self.index = index
        self.cause = cause
        self.provider = provider
        self.kind = kind  # the provider's type: openai | anthropic | rules | human
        self.model = model  # the model asked of the provider (after model_map)
        self.billable = billable  # False for Bulwark's own tiers (rules, human): they cost nothing
        self.status: int | None = None
        self.error: str | None = None
        self.failover_reason: str | None = None  # set by a fallback layer: why it moved on
        self.started = time.monotonic()
        self.started_ns = time.time_ns()
        self.first_byte_at: float | None = None
        self.ended_at: float | None = None
        self.ended_ns = 0
        self.usage: tuple[int, int, int] | None = None  # (prompt, completion, cached) once ended
        self.usage_exact = False
        self.cost_usd = 0.0
        self.upstream_request_id: str | None = None
        self.assembly: Assembly | None = None
        self.reported_usage: dict[str, Any] | None = None  # exact usage a provider knows but did not stream
        self.output_cap: int | None = None  # an upper bound on output tokens set by an attempt-start hook
        self.count_prompt: Callable[[], int] | None = None  # counts the prompt sent, when no usage came back
        self.span: Any = None  # telemetry's CLIENT span

    # -- reading -----------------------------------------------------------------------------
    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    @property
    def served_model(self) -> str | None:
        """The model that answered (the answer's own `model`), else the one asked."""
        a = self.assembly
        return (a.model if a is not None and a.model else None) or self.model

    @property
    def billed(self) -> bool:
        """Did the provider bill it: an answer (2xx/3xx) from a paid provider, whole or cut."""
        return self.billable and self.status is not None and self.status < 400

    @property
    def seconds(self) -> float:
        return (self.ended_at or time.monotonic()) - self.started

    @property
    def response_id(self) -> str | None:
        return self.assembly.id if self.assembly is not None else None

    @property
    def finish_reasons(self) -> list[str]:
        return self.assembly.finish_reasons if self.assembly is not None else []

    # -- ending ----------------------------------------------------------------------------------
    def end(self, status: int | None = None, error: str | None = None) -> None:
        """End the attempt once (later calls are ignored): usage, cost, then the subscribers."""
        if self.ended_at is not None:
            return
        self.ended_at = time.monotonic()
        self.ended_ns = time.time_ns()
        if status is not None:
            self.status = status
        if error is not None and self.error is None:
            self.error = error
        self._account()
        self.ledger._attempt_ended(self)

    def _account(self) -> None:
        from .pricing import usage_numbers
        from .tokens import count_text

        if not self.billed:
            return
        reported = self.reported_usage
        if reported is None and self.assembly is not None and self.assembly.usage:
            reported = self.assembly.usage
        if reported is not None:
            try:
                self.usage = usage_numbers(reported)
                self.usage_exact = True
            except (TypeError, ValueError):  # an upstream that reports junk: count instead
                self.usage = None
        if self.usage is None:
            prompt = 0
            if self.count_prompt is not None:
                try:
                    prompt = int(self.count_prompt())
                except Exception:  # noqa: BLE001 - counting must never lose the attempt
                    log.exception("counting the prompt of an attempt failed")
            text = self.assembly.generated_text() if self.assembly is not None else ""
            self.usage = (prompt, count_text(text, self.served_model) if text else 0, 0)
            self.usage_exact = False
        self.cost_usd = self.ledger.pricing.cost(self.served_model, *self.usage) if self.ledger.pricing is not None else 0.0

    def to_record(self) -> dict[str, Any]:
        """JSON-ready summary (debug headers, tickets, the admin API)."""
        u = self.usage or (0, 0, 0)
        return {
            "cause": self.cause.value, "provider": self.provider, "model": self.model, "served_model": self.served_model,
            "status": self.status, "error": self.error, "reason": self.failover_reason,
            "seconds": round(self.seconds, 6), "prompt_tokens": u[0], "completion_tokens": u[1],
            "usage_exact": self.usage_exact, "cost_usd": round(self.cost_usd, 10),
            "upstream_request_id": self.upstream_request_id,
        }

    def __repr__(self) -> str:
        return f"Attempt({self.cause.value}, {self.provider}/{self.model}, status={self.status}, error={self.error}, cost={self.cost_usd:.6f})"


StartHook = Callable[[Attempt], Awaitable[None]]
EndHook = Callable[[Attempt], None]
SettleHook = Callable[["Ledger"], None]


class Ledger:
    """A request's attempts in order, its estimate, totals and one settlement."""

    __slots__ = ("pricing", "attempts", "prompt_tokens", "next_cause", "saved", "settled", "status", "released", "_holds",
                 "_start", "_end", "_settle")

    def __init__(self, pricing: "Pricing | None" = None) -> None:
        self.pricing = pricing
        self.attempts: list[Attempt] = []
        # Prompt tokens of the request as it will be sent (counted once; prune updates it).
        self.prompt_tokens: int | None = None
        # The cause of the next attempt, set by the layer about to ask for one (consumed by `begin`).
        self.next_cause: Cause | None = None
        self.saved: dict[str, float] = {}  # USD not spent, by reason (cache hit, pruning, abuse block)
        self.settled = False
        self.status: int | None = None  # the HTTP status the client got (set at settlement)
        self.released = False  # subscribers dropped: settled, every attempt ended, no holds (module docstring)
        self._holds = 0  # sub-requests that may still begin attempts (judge calls, background summaries)
        self._start: list[StartHook] = []
        self._end: list[EndHook] = []
        self._settle: list[SettleHook] = []

    # -- subscribing ---------------------------------------------------------------------------
    def on_attempt_start(self, hook: StartHook) -> None:
        self._start.append(hook)

    def on_attempt_end(self, fn: EndHook) -> None:
        self._end.append(fn)

    def on_settled(self, fn: SettleHook) -> None:
        if self.settled:
            _safely(fn, self)
        else:
            self._settle.append(fn)

    # -- attempts (dispatch) ----------------------------------------------------------------------
    def begin(self, provider: str, kind: str, model: str | None, billable: bool = True, cause: Cause | None = None) -> Attempt:
        if self.released:  # a sub-request that took no hold: its cost would reach no subscriber
            log.error("an attempt (%s/%s) began on a released ledger; take ledger.hold() for work that outlives the request", provider, model)
        if cause is None:
            cause = self.next_cause or (Cause.FIRST if not self.attempts else Cause.RETRY)
            self.next_cause = None
        a = Attempt(self, len(self.attempts), cause, provider, kind, model, billable)
        self.attempts.append(a)
        return a

    async def admit(self, attempt: Attempt) -> None:
        """Run the attempt-start hooks; a refusal ends the attempt (nothing billed) and raises."""
        for hook in self._start:
            try:
                await hook(attempt)
            except ProxyError as exc:
                attempt.end(error="refused")
                raise exc if isinstance(exc, AttemptRefused) else AttemptRefused(exc) from None
            except BaseException:
                attempt.end(error="cancelled")
                raise

    def _attempt_ended(self, attempt: Attempt) -> None:
        for fn in self._end:
            _safely(fn, attempt)
        if self.settled:
            self._release_if_quiet()

    # -- holding the ledger open for sub-requests -----------------------------------------------------
    def hold(self) -> None:
        """A sub-request (judge call, background summary) may begin attempts: stay subscribed."""
        self._holds += 1

    def unhold(self) -> None:
        self._holds -= 1
        if self.settled:
            self._release_if_quiet()

    def _release_if_quiet(self) -> None:
        """Drop what closes the request's reference cycles once nothing can use it (docstring)."""
        if self.released or self._holds > 0 or any(a.ended_at is None for a in self.attempts):
            return
        self.released = True
        self._start = []
        self._end = []
        for a in self.attempts:
            a.ledger = None  # type: ignore[assignment]  # ended: end() returns before reading it

    # -- the end of the request ---------------------------------------------------------------
    def settle(self, status: int | None = None) -> None:
        """Called once by the handler when the request is over (`status`: what the client got).
        Attempts still open (nobody closed their stream) end now, as abandoned, so what they
        generated is charged."""
        if self.settled:
            return
        self.status = status
        for a in self.attempts:
            if not a.ended:
                a.end(error="abandoned")
        self.settled = True
        hooks, self._settle = self._settle, []
        for fn in hooks:
            _safely(fn, self)
        self._release_if_quiet()

    def record_saving(self, reason: str, usd: float) -> None:
        if usd > 0:
            self.saved[reason] = self.saved.get(reason, 0.0) + usd

    # -- totals -------------------------------------------------------------------------------------
    @property
    def cost_usd(self) -> float:
        return sum(a.cost_usd for a in self.attempts)

    @property
    def usage(self) -> tuple[int, int, int]:
        """(prompt, completion, cached) over every billed attempt."""
        p = c = k = 0
        for a in self.attempts:
            if a.usage is not None:
                p += a.usage[0]
                c += a.usage[1]
                k += a.usage[2]
        return p, c, k

    @property
    def usage_exact(self) -> bool:
        return all(a.usage_exact for a in self.attempts if a.usage is not None)

    @property
    def billed(self) -> list[Attempt]:
        return [a for a in self.attempts if a.billed]

    @property
    def last(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    def cost_by_cause(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for a in self.attempts:
            if a.cost_usd:
                out[a.cause.value] = out.get(a.cause.value, 0.0) + a.cost_usd
        return out


def _safely(fn: Callable[[Any], None], arg: Any) -> None:
    """A subscriber's bug never loses the request: it is logged (and the others still run)."""
    try:
        fn(arg)
    except Exception:  # noqa: BLE001
        log.exception("a ledger subscriber failed (%r)", fn)
