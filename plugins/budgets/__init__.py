"""Dollar budgets per key, end user and team, per UTC day and month.

Before the call the estimated cost (prompt tokens + max_tokens, priced by proxy.pricing)
is reserved against every applicable budget atomically (`scripts.BUDGET_RESERVE`);
a budget that cannot take it answers 429 `insufficient_quota` with `x-should-retry: false`,
so spending stops at the cap even under concurrency. After the call the reservation is
settled to the real cost (usage from the answer or the usage chunk, else the streamed text
counted offline; refunded on failure or cancel). Crossing `soft_threshold` of a budget logs,
counts `bulwark_budget_alerts_total` and, with `webhook_url`, posts once per period.

Per-key overrides (`[[auth.keys]] limits` or `bulwark keys create --budget-usd-month 50`):
`budget_usd_day`, `budget_usd_month`, `user_budget_usd_day`, `user_budget_usd_month`.
"""
from __future__ import annotations

import calendar
import datetime as dt
import logging
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field

from proxy.context import CHAT, COMPLETIONS, EMBEDDINGS, RequestContext, end_user, scope_of
from proxy.errors import RateLimited, ServiceUnavailable
from proxy.metering import metered, usage_from_body
from proxy.plugin import Next, Plugin, PluginConfig
from proxy.pricing import max_completion, pricing_for
from proxy.response import ProxyResponse
from proxy.state.base import StateError
from proxy.state.lua import decode
from proxy.tokens import count_request

from .scripts import BUDGET_RESERVE, BUDGET_SETTLE, alerts_of, spent_of

log = logging.getLogger("bulwark.budgets")


class Budget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: float = Field(0.0, ge=0)  # USD per UTC day (0: none)
    month: float = Field(0.0, ge=0)  # USD per UTC calendar month (0: none)


class BudgetsConfig(PluginConfig):
    endpoints: list[str] = [CHAT, COMPLETIONS, EMBEDDINGS]
    key: Budget = Budget()  # default per key (keys override with limits.budget_usd_*)
    user: Budget = Budget()  # per end user (within a key)
    teams: dict[str, Budget] = {}  # per team name
    team_default: Budget = Budget()
    soft_threshold: float = Field(0.8, gt=0, le=1)
    webhook_url: str | None = None
    default_completion_tokens: int = Field(512, ge=0)


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
        auth = getattr(getattr(services, "config", None), "auth", None)
        self.user_header = getattr(auth, "user_header", "x-bulwark-user")

    def _groups(self, ctx: RequestContext, user: str | None) -> list[tuple[list[str], list[list[Any]], list[tuple[str, str, float, str]]]]:
        """Budget items grouped by hash tag: (keys, items, labels(scope, period, cap, reset))."""
        ident, lim, cfg = ctx.identity, ctx.identity.limits or {}, self.cfg
        periods = _periods(dt.datetime.now(dt.timezone.utc))
        groups = []
        S = scope_of(ctx)
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
        user = end_user(ctx, self.user_header)
        groups = self._groups(ctx, user)
        pricing = pricing_for(self.services)
        model = ctx.model
        body = ctx.body if ctx.raw_body else {}
        if ctx.token_estimate is None:
            ctx.token_estimate = count_request(body)
        prompt = ctx.token_estimate
        completion = 0 if ctx.endpoint == EMBEDDINGS else max_completion(body, self.cfg.default_completion_tokens)
        est = pricing.cost(model, prompt, completion)
        state = self.services.state
        reserved: list[int] = []
        try:
            for gi, (keys, items, labels) in enumerate(groups):
                res = decode(await state.run(BUDGET_RESERVE, keys, [orjson.dumps({"now": 0, "est": est, "items": [i[:3] for i in items]})]))
                if not res.get("ok"):
                    await self._refund(groups, reserved, est)
                    self._exhausted(ctx, labels[int(res["idx"]) - 1], float(res.get("spent", 0)), est, user)
                reserved.append(gi)
        except StateError as exc:
            raise ServiceUnavailable(f"Budgets are unavailable: the state backend failed ({exc}). Retry shortly.",
                                     headers={"retry-after": "1"}) from None
        if groups:
            ctx.record(self.name, estimated_usd=round(est, 6))
        done = False

        async def settle(actual: float | None) -> None:
            nonlocal done
            if done:
                return
            done = True
            cost = actual if actual is not None else 0.0
            if actual is not None and not ctx.cost_usd:
                ctx.cost_usd = cost
            delta = cost - est
            for gi in reserved:
                keys, items, labels = groups[gi]
                try:
                    res = decode(await state.run(BUDGET_SETTLE, keys, [orjson.dumps({"now": 0, "delta": delta, "items": items})]))
                except Exception as exc:
                    log.warning("budget settle failed for request %s: %s", ctx.request_id, exc)
                    continue
                spent = spent_of(res)
                for idx in alerts_of(res):
                    label = labels[int(idx) - 1]
                    self._soft_alert(ctx, label, spent[int(idx) - 1] if int(idx) - 1 < len(spent) else 0.0, user)
            ctx.record(self.name, cost_usd=round(cost, 6))

        try:
            resp = await call_next(ctx)
        except BaseException:
            await self.services.tasks.run_soon(settle(None), "budgets-settle")
            raise
        if not groups:
            # No budget applies: still price the call for ctx.cost_usd on complete answers.
            if resp.ok and resp.body is not None and not ctx.cost_usd:
                u = usage_from_body(resp)
                if u is not None:
                    ctx.cost_usd = pricing.cost(model, *u)
            return resp
        if not resp.ok:
            await self.services.tasks.run_soon(settle(None), "budgets-settle")
            return resp
        if resp.stream is not None:
            async def on_done(numbers: tuple[int, int, int], exact: bool) -> None:
                await self.services.tasks.run_soon(settle(pricing.cost(model, *numbers)), "budgets-settle")

            resp.stream = metered(resp.stream, on_done, model, prompt)
            resp.on_close(lambda: self.services.tasks.run_soon(settle(None), "budgets-settle"))
            return resp
        u = usage_from_body(resp)
        await self.services.tasks.run_soon(settle(pricing.cost(model, *u) if u is not None else est), "budgets-settle")
        return resp

    async def _refund(self, groups: list[Any], reserved: list[int], est: float) -> None:
        for gi in reserved:
            keys, items, _labels = groups[gi]
            try:
                await self.services.state.run(BUDGET_SETTLE, keys, [orjson.dumps({"now": 0, "delta": -est, "items": items})])
            except Exception as exc:
                log.warning("budget refund failed: %s", exc)

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
