"""Dollar budgets per key, end user and team, per UTC day and month.

Budgets follow the request's ledger (`proxy.ledger`): before every upstream attempt the
provider may bill (the first try, a retry, a fallback step, a continuation, a regeneration, a
judge call) its estimated cost at the model that attempt asks for (prompt tokens + the output
bound, priced by proxy.pricing) is reserved against every applicable budget atomically
(`scripts.BUDGET_RESERVE`); a budget that cannot take it refuses the attempt with 429
`insufficient_quota` and `x-should-retry: false`, so spending stops at the cap even under
concurrency. When the attempt ends its reservation is settled to what it really cost at the
served model's price (usage from the answer or the usage event, else what was generated,
counted offline: a cut stream or a client that hung up mid-answer is charged for what the
provider generated; a failed call is refunded). A cache hit makes no attempt and costs nothing. Crossing `soft_threshold` of a budget logs,
counts `bulwark_budget_alerts_total` and, with `webhook_url`, posts once per period.

Per-key overrides (`[[auth.keys]] limits` or `bulwark keys create --budget-usd-month 50`):
`budget_usd_day`, `budget_usd_month`, `user_budget_usd_day`, `user_budget_usd_month`.
"""
from __future__ import annotations

import asyncio
import calendar
import datetime as dt
import itertools
import logging
import time
import uuid
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field

from proxy.context import CHAT, COMPLETIONS, EMBEDDINGS, PASSTHROUGH, RequestContext
from proxy.errors import RateLimited, ServiceUnavailable
from proxy.ledger import Attempt
from proxy.plugin import Next, Plugin, PluginConfig
from proxy.pricing import output_limit, pricing_for
from proxy.response import ProxyResponse
from proxy.state.base import LOCAL, SHARED, StateError
from proxy.state.lua import decode

from .scripts import BUDGET_RESERVE, BUDGET_SETTLE, alerts_of, spent_of

log = logging.getLogger("bulwark.budgets")


class Budget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: float = Field(0.0, ge=0)  # USD per UTC day (0: none)
    month: float = Field(0.0, ge=0)  # USD per UTC calendar month (0: none)


class BudgetsConfig(PluginConfig):
    # Every forwarded path too (responses, audio, images...): nothing paid goes through unmetered.
    endpoints: list[str] = [CHAT, COMPLETIONS, EMBEDDINGS, PASSTHROUGH]
    key: Budget = Budget()  # default per key (keys override with limits.budget_usd_*)
    user: Budget = Budget()  # per end user (within a key)
    teams: dict[str, Budget] = {}  # per team name
    team_default: Budget = Budget()
    soft_threshold: float = Field(0.8, gt=0, le=1)
    webhook_url: str | None = None
    default_completion_tokens: int = Field(512, ge=0)  # the reservation's output part when cap_output is off
    # Reserve an upper bound, not a guess: when a request sets no output limit, Bulwark sets
    # one upstream that the remaining budget can pay, at most `max_output_tokens` (x n);
    # below `min_output_tokens` the budget is treated as exhausted.
    cap_output: bool = True
    max_output_tokens: int = Field(4096, ge=1)
    min_output_tokens: int = Field(16, ge=1)


_periods_memo: tuple[int, dict[str, tuple[str, int, str]]] = (-1, {})


def _current_periods() -> dict[str, tuple[str, int, str]]:
    """`_periods` of now, computed once per second (datetime arithmetic was 1.3 % of a
    request's CPU; the TTLs carry a day of slack, so a second's staleness is nothing)."""
    global _periods_memo
    second = int(time.time())
    if _periods_memo[0] != second:
        _periods_memo = (second, _periods(dt.datetime.fromtimestamp(second, dt.timezone.utc)))
    return _periods_memo[1]


def _periods(now: dt.datetime) -> dict[str, tuple[str, int, str]]:
    """period -> (id, ttl ms, human reset time)."""
    tomorrow = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    days = calendar.monthrange(now.year, now.month)[1]
    next_month = (now.replace(day=1, hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=days))
    return {
        "day": (now.strftime("%Y%m%d"), int((tomorrow - now).total_seconds() * 1000) + 86_400_000, tomorrow.strftime("%Y-%m-%d 00:00 UTC")),
        "month": (now.strftime("%Y%m"), int((next_month - now).total_seconds() * 1000) + 86_400_000, next_month.strftime("%Y-%m-%d 00:00 UTC")),
    }


class Budgets(Plugin):
    name = "budgets"
    Config = BudgetsConfig

    def __init__(self, config: BudgetsConfig, services: Any) -> None:
        super().__init__(config, services)
        self.cfg = config

    def _groups(self, ctx: RequestContext, user: str | None) -> list[tuple[list[str], list[list[Any]], list[tuple[str, str, float, str]]]]:
        """Budget items grouped by hash tag: (keys, items, labels(scope, period, cap, reset))."""
        ident, lim, cfg = ctx.identity, ctx.identity.limits or {}, self.cfg
        periods = _current_periods()
        groups = []
        S = ctx.identity.scope
        key_caps = {"day": lim.get("budget_usd_day", cfg.key.day), "month": lim.get("budget_usd_month", cfg.key.month)}
        user_caps = {"day": lim.get("user_budget_usd_day", cfg.user.day), "month": lim.get("user_budget_usd_month", cfg.user.month)}
        main_keys: list[str] = []
        main_items: list[list[Any]] = []
        main_labels: list[tuple[str, str, float, str]] = []
        for period, (pid, ttl, reset) in periods.items():
            for label, caps, base in (("key", key_caps, "{" + S + "}:bud"), ("user", user_caps, "{" + S + "}:bud:u:" + (user or ""))):
                cap = float(caps[period] or 0)
                if cap <= 0 or (label == "user" and user is None):
                    continue
                main_keys.append(f"{base}:{period}:{pid}")
                main_keys.append(f"{base}:{period}:{pid}:alert")
                main_items.append([len(main_keys) - 1, cap, ttl, len(main_keys), cfg.soft_threshold])
                main_labels.append((label, period, cap, reset))
        if main_items:
            groups.append((main_keys, main_items, main_labels))
        if ident.team:
            tb = cfg.teams.get(ident.team, cfg.team_default)
            keys: list[str] = []
            items: list[list[Any]] = []
            labels: list[tuple[str, str, float, str]] = []
            for period, (pid, ttl, reset) in periods.items():
                cap = float(getattr(tb, period))
                if cap <= 0:
                    continue
                base = "{team:" + ident.team + "}:bud"
                keys.append(f"{base}:{period}:{pid}")
                keys.append(f"{base}:{period}:{pid}:alert")
                items.append([len(keys) - 1, cap, ttl, len(keys), cfg.soft_threshold])
                labels.append(("team", period, cap, reset))
            if items:
                groups.append((keys, items, labels))
        return groups

    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        user = ctx.identity.user_key
        groups = self._groups(ctx, user)
        if groups:
            # Money is counted where it is spent: every attempt the provider may bill (the first
            # try, retries, fallback steps, regenerations, judge calls) reserves before it is made
            # and settles to its real cost when it ends.
            _Spend(self, ctx, groups, user).subscribe()
        return await call_next(ctx)

    def _who(self, ctx: RequestContext, user: str | None) -> str:
        i = ctx.identity
        return f"key={i.key_name or i.key_id} id={i.key_id} team={i.team or '-'} user={user or '-'}"

    def _exhausted(self, ctx: RequestContext, label: tuple[str, str, float, str], spent: float, est: float, user: str | None) -> None:
        scope, period, cap, reset = label
        self.services.metrics.inc("bulwark_ratelimit_rejections_total", 1.0, reason=f"budget_{scope}_{period}")
        ctx.record(self.name, rejected=f"{scope}_{period}", spent_usd=round(spent, 6), cap_usd=cap)
        log.warning("budget exhausted (%s %s: $%.4f of $%.2f) %s request=%s", scope, period, spent, cap, self._who(ctx, user), ctx.request_id)
        whose = {"key": "this API key", "user": "this end user", "team": f"team {ctx.identity.team!r}"}[scope]
        raise RateLimited(
            f"You exceeded your current quota: the {'daily' if period == 'day' else 'monthly'} budget of {whose} is "
            f"${cap:.2f} and ${spent:.4f} is already spent (this request may cost up to ${est:.4f}). "
            f"It resets at {reset}; ask the operator to raise the budget.",
            type="insufficient_quota",
            code="insufficient_quota",
            headers={"x-should-retry": "false"},
        )

    def _soft_alert(self, ctx: RequestContext, label: tuple[str, str, float, str], spent: float, user: str | None) -> None:
        scope, period, cap, _reset = label
        self.services.metrics.inc("bulwark_budget_alerts_total", 1.0, scope=scope, period=period)
        log.warning("budget %d%% reached (%s %s: $%.4f of $%.2f) %s", int(self.cfg.soft_threshold * 100), scope, period, spent, cap,
                    self._who(ctx, user))
        if self.cfg.webhook_url:
            payload = {"event": "budget_threshold", "scope": scope, "period": period, "cap_usd": cap, "spent_usd": round(spent, 6),
                       "threshold": self.cfg.soft_threshold, "key_id": ctx.identity.key_id, "key_name": ctx.identity.key_name,
                       "team": ctx.identity.team, "user": user}
            self.services.tasks.spawn(self._post(payload), name="budget-webhook")

    async def _post(self, payload: dict[str, Any]) -> None:
        import aiohttp

        session = self.services.session
        own = session is None
        if own:
            session = aiohttp.ClientSession()
        try:
            async with session.post(self.cfg.webhook_url, data=orjson.dumps(payload),
                                    headers={"content-type": "application/json"}, timeout=aiohttp.ClientTimeout(total=5)) as r:
                if r.status >= 300:
                    log.warning("budget webhook answered %d", r.status)
        except Exception as exc:
            log.warning("budget webhook failed: %s", exc)
        finally:
            if own:
                await session.close()


RECEIPT_TTL_MS = 3_600_000  # an attempt's reservation record (longer than any request; deleted when settled)
# Its settled mark, which stops a settle applied twice (a timeout that did reach Redis, then the
# replay): replays run within seconds of Redis answering again, so ten minutes is ample, and
# the marks stay a bounded, evictable set (one per attempt of the last ten minutes).
DONE_TTL_MS = 600_000


# Receipt names unique across processes and replicas: a random per-process prefix and a counter
# (uuid4 per request read the OS's random source every time: 0.8 % of a request's CPU).
_TOKEN_PREFIX = uuid.uuid4().hex[:8]
_token_counter = itertools.count()


def _receipt_token() -> str:
    return f"{_TOKEN_PREFIX}{next(_token_counter):08x}"


class _Spend:
    """One request's budget bookkeeping, attempt by attempt (ledger subscriber)."""

    __slots__ = ("plugin", "ctx", "groups", "user", "reserved", "token")

    def __init__(self, plugin: Budgets, ctx: RequestContext, groups: list[Any], user: str | None) -> None:
        self.plugin, self.ctx, self.groups, self.user = plugin, ctx, groups, user
        self.token = _receipt_token()  # names this request's receipts (request ids need not be unique)
        self.reserved: dict[int, tuple[float, list[int]]] = {}  # attempt index -> (estimate, groups reserved)

    def subscribe(self) -> None:
        self.ctx.ledger.on_attempt_start(self.reserve)
        self.ctx.ledger.on_attempt_end(self.ended)

    def _bound(self, attempt: Attempt) -> tuple[float, dict[str, Any] | None]:
        """(the fixed part of the reservation, the flexible output part or None).

        A request with its own output limit reserves prompt + that limit (x n choices) at the
        price of the model this attempt asks for. Without one, the reservation is an upper
        bound too: the prompt, plus as many output tokens as the tightest budget can pay (at
        most `max_output_tokens`), and that many is sent upstream as the output limit."""
        ctx, cfg = self.ctx, self.plugin.cfg
        pricing = pricing_for(self.plugin.services)
        model = attempt.model or ctx.model
        prompt_cost = pricing.cost(model, ctx.prompt_tokens(), 0)
        if ctx.endpoint in (EMBEDDINGS, PASSTHROUGH) or not ctx.raw_body:
            # No output bound to reserve (a forwarded path's answer is charged from the usage it
            # reports); an exhausted budget still refuses it.
            return prompt_cost, None
        body = ctx.body
        n = body.get("n") if isinstance(body.get("n"), int) and not isinstance(body.get("n"), bool) and body["n"] > 1 else 1
        unit = pricing.lookup(model)[0].output * n / 1_000_000
        explicit = output_limit(body)
        if explicit is not None or not cfg.cap_output:
            return prompt_cost + (explicit if explicit is not None else cfg.default_completion_tokens) * unit, None
        return prompt_cost, {"unit": unit, "max": cfg.max_output_tokens, "min": cfg.min_output_tokens}

    async def reserve(self, attempt: Attempt) -> None:
        """Reserve the attempt's upper bound in every budget group (key, end user, team) at
        once: the groups' scripts go out together in one flight (they cannot be one script:
        their keys live in different hash slots). Then, all or nothing: a refusal or a state
        failure gives back what the others reserved; a flexible output limit is the smallest
        any group granted, and the groups that granted more shrink to it."""
        if not attempt.billable:
            return
        plugin, ctx = self.plugin, self.ctx
        est, flex = self._bound(attempt)
        state = plugin.services.state
        calls = []
        for keys, items, _labels in self.groups:
            keys = self._with_receipt(keys, attempt)
            args: dict[str, Any] = {"now": 0, "est": est, "items": [i[:3] for i in items], "rcpt": [len(keys), RECEIPT_TTL_MS]}
            if flex is not None:
                args["flex"] = flex
            calls.append(state.run_tagged(BUDGET_RESERVE, keys, [orjson.dumps(args)]))
        if len(calls) == 1:  # the common case: no task to make
            try:
                answers: list[Any] = [await calls[0]]
            except StateError as exc:
                answers = [exc]
        else:
            answers = await asyncio.gather(*calls, return_exceptions=True)
        done: list[tuple[int, str, float]] = []  # (group, side, reserved)
        granted: list[int] = []
        refused: tuple[int, dict[str, Any]] | None = None
        failed: StateError | None = None
        unexpected: BaseException | None = None
        for gi, answer in enumerate(answers):
            if isinstance(answer, StateError):
                failed = failed or answer
                continue
            if isinstance(answer, BaseException):
                unexpected = unexpected or answer
                continue
            res = decode(answer[0])
            if not res.get("ok"):
                refused = refused or (gi, res)
                continue
            done.append((gi, answer[1], float(res.get("est", est))))
            if flex is not None:
                granted.append(int(res.get("tokens", flex["max"])))
        if unexpected is not None:
            self._release(done, attempt=attempt)
            raise unexpected
        if failed is not None:
            self._release(done, attempt=attempt)
            if plugin.shadow:
                return
            raise ServiceUnavailable(f"Budgets are unavailable: the state backend failed ({failed}). Retry shortly.",
                                     headers={"retry-after": "1"}) from None
        if refused is not None:
            self._release(done, attempt=attempt)
            if plugin.shadow:
                ctx.record(plugin.name, shadow=True, would_reject=429)
                return
            gi, res = refused
            plugin._exhausted(ctx, self.groups[gi][2][int(res["idx"]) - 1], float(res.get("spent", 0)), est, self.user)
        tokens: int | None = None
        if flex is not None and granted:
            tokens = min(granted)
            for j, (g, sd, r) in enumerate(done):
                if granted[j] > tokens:  # another group grants less: give back the difference
                    self._release([(g, sd, r)], keep_tokens=tokens, unit=flex["unit"], had=granted[j], attempt=attempt)
                    done[j] = (g, sd, r - (granted[j] - tokens) * flex["unit"])
        if tokens is not None:
            attempt.output_cap = tokens
            ctx.response_headers["x-bulwark-output-cap"] = (
                f"{tokens}; reason={'budget' if tokens < plugin.cfg.max_output_tokens else 'ceiling'}")
        self.reserved[attempt.index] = done
        ctx.record(plugin.name, estimated_usd=round(sum(r for d in self.reserved.values() for _, _, r in d), 6),
                   **({"output_cap": tokens} if tokens is not None else {}))

    def _with_receipt(self, keys: list[str], attempt: Attempt) -> list[str]:
        """The group's keys plus this attempt's receipt and its settled mark (same hash tag)."""
        tag = keys[0].split(":bud", 1)[0]
        rid = f"{self.token}:{attempt.index}"
        return [*keys, f"{tag}:bud:dn:{rid}", f"{tag}:bud:rc:{rid}"]

    def _release(self, done: list[tuple[int, str, float]], *, keep_tokens: int | None = None,
                 unit: float = 0.0, had: int = 0, attempt: Attempt | None = None) -> None:
        """Give back reservations made for an attempt that will not be made (a cost-0 settle of
        its receipt), or shrink them past `keep_tokens`, on the side each was made. In the
        background: a refund never holds up the answer (its write is a write-behind settle)."""
        if done:
            self.plugin.services.tasks.spawn(self._give_back(done, keep_tokens, unit, had, attempt), "budgets-release", essential=True)

    async def _give_back(self, done: list[tuple[int, str, float]], keep_tokens: int | None, unit: float, had: int,
                         attempt: Attempt | None) -> None:
        state = self.plugin.services.state
        for gi, side, reserved in done:
            keys, items, _labels = self.groups[gi]
            keys = self._with_receipt(keys, attempt) if attempt is not None else keys
            n = len(keys)
            if keep_tokens is None:
                args = {"now": 0, "cost": 0.0, "rcpt": n, "done": [n - 1, DONE_TTL_MS], "items": items}
            else:
                args = {"now": 0, "delta": -(had - keep_tokens) * unit, "rcpt": n, "items": items}
            try:
                await state.run_on(side, BUDGET_SETTLE, keys, [orjson.dumps(args)])
            except Exception as exc:
                log.warning("budget refund failed: %s", exc)

    def ended(self, attempt: Attempt) -> None:
        done = self.reserved.pop(attempt.index, None)
        if done is None:
            return
        # Settled in the background: the answer is not delayed by one more state round trip,
        # and a cancelled request still settles.
        self.plugin.services.tasks.spawn(self.settle(attempt, done), "budgets-settle", essential=True)
        self.ctx.record(self.plugin.name, cost_usd=round(self.ctx.ledger.cost_usd, 6))

    async def settle(self, attempt: Attempt, done: list[tuple[int, str, float]]) -> None:
        """Charge the attempt's real cost. The shared store is always settled by receipt (queued
        while Redis is down): it ends up with exactly the cost, whether the reservation reached
        it, reached it twice after a timeout, or never (made locally during an outage); a local
        reservation also settles the local books the outage is being admitted against."""
        plugin, ctx = self.plugin, self.ctx
        state = plugin.services.state
        cost = attempt.cost_usd
        for gi, side, reserved in done:
            keys, items, labels = self.groups[gi]
            keys = self._with_receipt(keys, attempt)
            n = len(keys)
            args = orjson.dumps({"now": 0, "cost": cost, "rcpt": n, "done": [n - 1, DONE_TTL_MS], "items": items})
            try:
                res = decode(await state.run_on(SHARED, BUDGET_SETTLE, keys, [args]))
                if side == LOCAL:
                    await state.run_on(LOCAL, BUDGET_SETTLE, keys, [args])
            except Exception as exc:
                plugin.services.metrics.inc("bulwark_plugin_errors_total", plugin=plugin.name)
                log.warning("budget settle failed for request %s (cost $%.6f, reserved $%.6f): %s", ctx.request_id, cost, reserved, exc)
                continue
            if res is None or res.get("dup"):  # queued for Redis (alerts come later), or settled already
                continue
            spent = spent_of(res)
            for idx in alerts_of(res):
                label = labels[int(idx) - 1]
                plugin._soft_alert(ctx, label, spent[int(idx) - 1] if int(idx) - 1 < len(spent) else 0.0, self.user)
