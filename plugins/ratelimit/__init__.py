"""Risk-aware rate limits: requests, tokens and concurrency per key, end user and model,
scaled by the request's risk class, with suspicious-pattern scoring and temporary blocks.

One atomic state Script (`gcra.GATE`) per request decides blocks, the suspicion
score, the end user's newness, the risk multiplier and admission on every dimension; one
more (`SETTLE`) settles the token reservation to the real usage and frees the concurrency
slot when the answer ends (streams: when the stream closes, client cancel included).

Risk classes (the most restrictive wins): suspicious (score >= abuse.suspicious_at) >
new (key tier `new`, or an end user younger than `new_user_age_seconds` or with fewer than
`new_user_requests` requests) > trusted (key tier `trusted`) > standard. The class's
multiplier scales every limit the request is checked against.

Per-key overrides (`[[auth.keys]] limits = {...}` or `bulwark keys create --rpm/--tpm`):
`rpm`, `tpm`, `max_concurrent` (key), `user_rpm`, `user_tpm`, `user_max_concurrent`.
"""
from __future__ import annotations

import logging
import math
import time
import uuid
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field

from proxy.context import CHAT, COMPLETIONS, EMBEDDINGS, PASSTHROUGH, RequestContext
from proxy.errors import PermissionDenied, RateLimited, ServiceUnavailable
from proxy.ledger import Ledger
from proxy.plugin import Next, Plugin, PluginConfig
from proxy.pricing import max_completion, pricing_for
from proxy.response import ProxyResponse
from proxy.state.base import StateError
from proxy.state.lua import decode

from .abuse import AbuseConfig, ContentSignals
from .gcra import GATE, SETTLE, go_duration

log = logging.getLogger("bulwark.ratelimit")


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rpm: int = Field(0, ge=0)  # requests per window (0: no limit)
    tpm: int = Field(0, ge=0)  # tokens per window (prompt + completion)
    max_concurrent: int = Field(0, ge=0)  # in-flight requests


class Multipliers(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new: float = Field(0.5, gt=0)
    suspicious: float = Field(0.25, gt=0)
    standard: float = Field(1.0, gt=0)
    trusted: float = Field(2.0, gt=0)


class RateLimitConfig(PluginConfig):
    endpoints: list[str] = [CHAT, COMPLETIONS, EMBEDDINGS]
    window_seconds: float = Field(60.0, gt=0, le=86400)
    key: Limits = Limits(rpm=600, tpm=1_000_000, max_concurrent=50)
    user: Limits = Limits(rpm=60, tpm=200_000, max_concurrent=10)
    # Optional per-model limits (per key): {"gpt-4o" = {rpm = 100}}; "*" applies to every model.
    models: dict[str, Limits] = {}
    multipliers: Multipliers = Multipliers()
    new_user_age_seconds: float = Field(86_400.0, ge=0)
    new_user_requests: int = Field(20, ge=0)
    # Completion tokens reserved when the request sets no max_tokens.
    default_completion_tokens: int = Field(512, ge=0)
    # A concurrency slot is freed at the end of the answer; the lease bounds a crashed replica's slots.
    lease_seconds: float = Field(900.0, gt=0)
    # Send x-ratelimit-* headers on successful answers.
    headers: bool = True
    abuse: AbuseConfig = AbuseConfig()


class _Keys:
    """Collects relative state keys and hands out their 1-based indexes."""

    __slots__ = ("keys",)

    def __init__(self) -> None:
        self.keys: list[str] = []

    def __call__(self, key: str) -> int:
        self.keys.append(key)
        return len(self.keys)


_SEEN_TTL = 90 * 86400.0  # how long an end user's first-seen time is kept


def _eff(limit: float, mult: float) -> int:
    return 0 if limit <= 0 else max(1, int(math.floor(limit * mult)))


class RateLimit(Plugin):
    name = "ratelimit"
    Config = RateLimitConfig

    def __init__(self, config: RateLimitConfig, services: Any) -> None:
        super().__init__(config, services)
        self.cfg = config
        self.signals = ContentSignals(config.abuse) if config.abuse.enabled else None
        self.mults = config.multipliers.model_dump()

    async def startup(self) -> None:
        state = self.services.state
        if hasattr(state, "metrics") and getattr(state, "metrics", None) is None:
            state.metrics = self.services.metrics

    # -- building the GATE call ---------------------------------------------------------
    def _dims(self, ident: Any, user: str | None, model: str | None, S: str, k: _Keys) -> tuple[list[list[Any]], list[str]]:
        cfg, lim = self.cfg, ident.limits or {}
        dims: list[list[Any]] = []
        names: list[str] = []

        def add(prefix: str, rpm: float, tpm: float, conc: float) -> None:
            if rpm > 0 or tpm > 0 or conc > 0:
                dims.append([k(prefix), rpm, tpm, k(prefix + ":c"), conc])
                names.append("user" if ":rl:u:" in prefix else "model" if ":rl:m:" in prefix else "key")

        add("{" + S + "}:rl", lim.get("rpm", cfg.key.rpm), lim.get("tpm", cfg.key.tpm), lim.get("max_concurrent", cfg.key.max_concurrent))
        if user is not None:
            add("{" + S + "}:rl:u:" + user, lim.get("user_rpm", cfg.user.rpm), lim.get("user_tpm", cfg.user.tpm),
                lim.get("user_max_concurrent", cfg.user.max_concurrent))
        if cfg.models and model:
            ml = cfg.models.get(model) or cfg.models.get("*")
            if ml is not None:
                add("{" + S + "}:rl:m:" + model[:80], ml.rpm, ml.tpm, ml.max_concurrent)
        return dims, names

    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        cfg = self.cfg
        ident = ctx.identity
        body = ctx.body if ctx.raw_body else {}
        user = ident.user_key
        S = ident.scope
        model = ctx.model
        prompt_tokens = ctx.prompt_tokens()
        cost = prompt_tokens + (0 if ctx.endpoint == EMBEDDINGS else max_completion(body, cfg.default_completion_tokens))
        now = time.time()
        lease = ctx.request_id or uuid.uuid4().hex
        k = _Keys()
        tag = "{" + S + "}"
        P: dict[str, Any] = {
            "now": now,
            "tier": ident.tier,
            "mults": self.mults,
            "window": cfg.window_seconds,
            "cost": cost,
            "lease": lease,
            "lease_exp": now + cfg.lease_seconds,
        }
        content_signals: list[str] = []
        user_key = tag + ":ab:u:" + user if user is not None else None
        if self.signals is not None:
            a = cfg.abuse
            points, content_signals, fp = self.signals.score(body, prompt_tokens)
            short = max(a.half_life_seconds * 10, a.block_seconds, a.rejected_half_life_seconds * 10)
            subjects = [[k(tag + ":ab"), a.shared_key_weight if user is not None else 1.0, short]]
            if user_key is not None:
                subjects.append([k(user_key), 1.0, max(short, _SEEN_TTL)])
            if ident.ip:
                subjects.append([k(tag + ":ab:ip:" + ident.ip), 1.0, short])
            A: dict[str, Any] = {
                "subjects": subjects,
                "half_life": a.half_life_seconds,
                "suspicious_at": a.suspicious_at,
                "block_at": a.block_at,
                "block_seconds": a.block_seconds,
                "burst": [a.burst_requests, a.burst_seconds, a.burst_points],
                "rej": [a.rejected_share, a.rejected_min_requests, a.rejected_points, a.rejected_half_life_seconds],
            }
            if fp is not None:
                A["dup"] = [k(tag + ":ab:dup:" + fp), a.repeat_max, a.repeat_seconds, a.repeat_points]
            if ident.ip:
                A["ips"] = [k(tag + ":ab:ips"), ident.ip, a.max_ips, a.ips_seconds, a.ips_points]
            P["abuse"] = A
            P["points"] = points
            if content_signals:
                P["content"] = ",".join(content_signals)
        if user_key is not None:
            # Shares the user's subject hash when abuse scoring is on (same key index reused).
            ui = subjects[1][0] if self.signals is not None else k(user_key)
            P["user"] = [ui, cfg.new_user_age_seconds, cfg.new_user_requests, _SEEN_TTL]
        dims, names = self._dims(ident, user, model, S, k)
        P["dims"] = dims

        try:
            res = decode(await self.services.state.run(GATE, k.keys, [orjson.dumps(P)]))
        except StateError as exc:  # an unwrapped backend: never a 500
            self.services.metrics.inc("bulwark_redis_errors_total", 1.0, op="script")
            raise ServiceUnavailable(f"Rate limiting is unavailable: the state backend failed ({exc}). Retry shortly.",
                                     headers={"retry-after": "1"}) from None

        signals = res.get("signals")
        signals = list(signals) if isinstance(signals, list) else []
        risk = res.get("risk", "standard")
        mult = float(res.get("mult", 1.0))
        score = float(res.get("score", 0.0))
        who = f"key={ident.key_name or ident.key_id} id={ident.key_id} user={user or '-'} ip={ident.ip or '-'}"
        if not res.get("ok"):
            self._reject(ctx, res, body, cost, who, signals + content_signals, dims, names, mult)

        ctx.record(self.name, risk=risk, tier=ident.tier, multiplier=mult, score=round(score, 2),
                   **({"signals": signals} if signals else {}),
                   **({"remaining_requests": res["req"][1]} if "req" in res else {}),
                   **({"remaining_tokens": res["tok"][1]} if "tok" in res else {}))
        if risk == "suspicious":
            reason = (signals or ["score"])[0]
            self.services.metrics.inc("bulwark_abuse_blocks_total", 1.0, reason=reason, action="throttle")
            log.info("throttled (suspicious, score %.1f, x%.2f) %s signals=%s request=%s", score, mult, who, signals, ctx.request_id)
        if cfg.headers:
            h = ctx.response_headers
            if "req" in res:
                lim, rem, reset = res["req"]
                h["x-ratelimit-limit-requests"] = str(int(lim))
                h["x-ratelimit-remaining-requests"] = str(max(0, int(rem)))
                h["x-ratelimit-reset-requests"] = go_duration(float(reset))
            if "tok" in res:
                lim, rem, reset = res["tok"]
                h["x-ratelimit-limit-tokens"] = str(int(lim))
                h["x-ratelimit-remaining-tokens"] = str(max(0, int(rem)))
                h["x-ratelimit-reset-tokens"] = go_duration(float(reset))

        # What SETTLE needs: token buckets at the effective limit, concurrency leases.
        tok = [[d[0], _eff(d[2], mult)] for d in dims if d[2] > 0]
        conc = [d[3] for d in dims if d[4] > 0]
        keys = k.keys
        rej = [P["abuse"]["subjects"][0][0], cfg.abuse.rejected_half_life_seconds, P["abuse"]["subjects"][0][2]] if "abuse" in P else None
        done = False

        async def settle(actual_tokens: int | None, refused: bool) -> None:
            nonlocal done
            if done:
                return
            done = True
            delta = (actual_tokens - cost) if actual_tokens is not None else -cost
            S2: dict[str, Any] = {"now": time.time(), "window": cfg.window_seconds, "lease": lease,
                                  "tokens": [[ki, lim, delta] for ki, lim in tok], "conc": conc}
            if refused and rej is not None:
                S2["rej"] = rej
            if not S2["tokens"] and not conc and "rej" not in S2:
                return
            try:
                await self.services.state.run(SETTLE, keys, [orjson.dumps(S2)])
            except Exception as exc:  # the lease expires by itself; never fail the answer
                log.warning("rate-limit settle failed for request %s (%s); the slot frees at lease expiry", ctx.request_id, exc)

        def settled(ledger: Ledger) -> None:
            # Token use is what every attempt really used (regenerations and fallback steps
            # included; a cache hit used none); pass-through answers keep their reservation.
            actual = cost if ctx.endpoint == PASSTHROUGH else sum(a.usage[0] + a.usage[1] for a in ledger.attempts if a.usage)
            status = ledger.status or 0
            refused = 400 <= status < 500 and status != 429 and not ledger.billed
            self.services.tasks.spawn(settle(actual if ledger.attempts or ctx.endpoint == PASSTHROUGH else None, refused),
                                      "ratelimit-settle", essential=True)

        ctx.ledger.on_settled(settled)
        return await call_next(ctx)

        if resp.raw_stream is not None:
            # Pass-through bytes: free the slot when the body ends, charge the reservation.
            inner = resp.raw_stream

            async def raw_wrap() -> Any:
                try:
                    async for chunk in inner:
                        yield chunk
                finally:
                    await self.services.tasks.run_soon(settle(cost, False), "ratelimit-settle")

            resp.raw_stream = raw_wrap()
            return resp

        if resp.ok:
            u = usage_from_body(resp)
            actual = (u[0] + u[1]) if u is not None else cost
            await self.services.tasks.run_soon(settle(actual, False), "ratelimit-settle")
        else:
            await self.services.tasks.run_soon(settle(None, 400 <= resp.status < 500 and resp.status != 429), "ratelimit-settle")
        return resp

    # -- rejections ---------------------------------------------------------------------
    def _reject(self, ctx: RequestContext, res: dict[str, Any], body: dict[str, Any], cost: int, who: str,
                signals: list[str], dims: list[list[Any]], names: list[str], mult: float) -> None:
        m = self.services.metrics
        reason = res.get("reason", "requests")
        retry = float(res.get("retry") or 0.0)
        ctx.record(self.name, rejected=reason, risk=res.get("risk"), tier=ctx.identity.tier, multiplier=mult,
                   score=round(float(res.get("score", 0.0)), 2), retry_after=round(retry, 3))
        if reason in ("blocked", "abuse_block"):
            if reason == "blocked":
                signals = [x for x in str(res.get("why") or "").split(",") if x]
            signals = list(dict.fromkeys(signals))
            why = ", ".join(signals) if signals else "a high suspicion score"
            label = signals[0] if signals else "score"
            m.inc("bulwark_abuse_blocks_total", 1.0, reason=label, action="block")
            m.inc("bulwark_ratelimit_rejections_total", 1.0, reason="abuse_block")
            # What the refused request would have cost (the cost stack's "saved by abuse blocks").
            ctx.ledger.record_saving("abuse", pricing_for(self.services).cost(ctx.model, ctx.prompt_tokens(), max(0, cost - ctx.prompt_tokens())))
            secs = max(1, int(math.ceil(retry)))
            (log.warning if reason == "abuse_block" else log.info)("blocked (%s) %s for %ds request=%s", why, who, secs, ctx.request_id)
            raise PermissionDenied(
                f"This client is temporarily blocked for {secs} seconds because of suspicious activity ({why}). "
                "Requests are refused until the block ends; contact the operator if this is a mistake.",
                headers={"x-should-retry": "false"},
            )
        dim_i = int(res.get("dim", 1)) - 1
        scope = "key"
        dim = dims[dim_i] if 0 <= dim_i < len(dims) else None
        if dim_i < len(names):
            scope = names[dim_i]
        m.inc("bulwark_ratelimit_rejections_total", 1.0, reason=f"{scope}_{reason}")
        limit = int(res.get("limit") or 0)
        W = self.cfg.window_seconds
        per = "min" if W == 60 else f"{go_duration(W)}"
        log.info("rate limited (%s %s, limit %d per %s, risk %s x%.2f) %s request=%s", scope, reason, limit, per,
                 res.get("risk"), mult, who, ctx.request_id)
        if reason == "too_large":
            raise RateLimited(
                f"Request too large: it needs up to {cost} tokens (prompt + max_tokens) but the {scope} limit is "
                f"{limit} tokens per {per} at the current risk level ({res.get('risk')}). Lower max_tokens or shorten the prompt.",
                headers={"x-should-retry": "false", "x-ratelimit-limit-tokens": str(limit), "x-ratelimit-remaining-tokens": "0"},
            )
        retry = max(retry, 0.001)
        retry_s = min(60, max(1, int(math.ceil(retry))))
        retry_ms = min(60_000, int(math.ceil(retry * 1000)))
        what = {"requests": "requests", "tokens": "tokens", "concurrency": "concurrent requests"}.get(reason, reason)
        if reason == "concurrency":
            msg = (f"Rate limit reached: {limit} concurrent requests for this {scope} (risk level {res.get('risk')}). "
                   f"Wait for a request to finish, then retry.")
        else:
            msg = (f"Rate limit reached for {what} on this {scope}: limit {limit} per {per} (risk level "
                   f"{res.get('risk')}). Please try again in {go_duration(retry)}.")
        kind = "tokens" if reason == "tokens" else "requests"
        other = "requests" if kind == "tokens" else "tokens"
        headers = {}
        if dim is not None:
            other_limit = _eff(dim[1] if other == "requests" else dim[2], mult)
            if other_limit > 0:
                headers[f"x-ratelimit-limit-{other}"] = str(other_limit)
        headers |= {
            "retry-after": str(retry_s),
            "retry-after-ms": str(retry_ms),
            f"x-ratelimit-limit-{kind}": str(limit),
            f"x-ratelimit-remaining-{kind}": "0",
            f"x-ratelimit-reset-{kind}": go_duration(retry),
        }
        raise RateLimited(msg, headers=headers)
