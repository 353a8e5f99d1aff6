"""Risk-aware rate limits: requests, tokens and concurrency per key, end user and model,
scaled by the request's risk class, with suspicious-pattern scoring, throttles and temporary blocks.

Round trips to the state backend per request (`gcra` has the Scripts):
- GATE, once, at this layer (so cache hits count as requests): blocks, abuse signals and
  scores, throttles, requests and concurrency; it also holds the body's tokens when they fit.
- TOKENS, before an upstream attempt, only when the attempt needs other tokens than the
  request holds (pruning shrank the body, a regeneration or fallback step, a body that did not
  fit as received): token limits count what is sent (`reserve.py`).
- SETTLE, once, when the request is over: real token usage of every attempt, the
  concurrency slot, the refused-request share.
A plain request costs 2; a pruned one 3; each further attempt one more.

Risk classes (the most restrictive wins): suspicious (score >= abuse.suspicious_at) >
new (key tier `new`, or an end user younger than `new_user_age_seconds` or with fewer than
`new_user_requests` requests) > trusted (key tier `trusted`) > standard. The class's
multiplier scales every limit the request is checked against.

Per-key overrides (`[[auth.keys]] limits = {...}` or `bulwark keys create --rpm/--tpm`):
`rpm`, `tpm`, `max_concurrent` (key), `user_rpm`, `user_tpm`, `user_max_concurrent`,
`max_networks` (abuse: client networks one key may be used from).
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
from proxy.errors import ServiceUnavailable
from proxy.ledger import Ledger
from proxy.plugin import Next, Plugin, PluginConfig
from proxy.pricing import max_completion, pricing_for
from proxy.response import ProxyResponse
from proxy.state.base import SHARED, StateError
from proxy.state.lua import decode

from .abuse import AbuseConfig, Assessment, ContentSignals, claimed_origin, network_of
from .gcra import GATE, SETTLE, go_duration
from .refusals import abuse_refusal, limit_error
from .reserve import TokenAccount

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
    # Every forwarded path too (responses, audio, images...): nothing paid goes through unmetered.
    endpoints: list[str] = [CHAT, COMPLETIONS, EMBEDDINGS, PASSTHROUGH]
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

        def add(prefix: str, scope: str, rpm: float, tpm: float, conc: float) -> None:
            if rpm > 0 or tpm > 0 or conc > 0:
                dims.append([k(prefix), rpm, tpm, k(prefix + ":c"), conc])
                names.append(scope)

        add("{" + S + "}:rl", "key", lim.get("rpm", cfg.key.rpm), lim.get("tpm", cfg.key.tpm), lim.get("max_concurrent", cfg.key.max_concurrent))
        if user is not None:
            add("{" + S + "}:rl:u:" + user, "user", lim.get("user_rpm", cfg.user.rpm), lim.get("user_tpm", cfg.user.tpm),
                lim.get("user_max_concurrent", cfg.user.max_concurrent))
        if cfg.models and model:
            ml = cfg.models.get(model) or cfg.models.get("*")
            if ml is not None:
                add("{" + S + "}:rl:m:" + model[:80], "model", ml.rpm, ml.tpm, ml.max_concurrent)
        return dims, names

    @staticmethod
    def _tier(ident: Any) -> str:
        return ident.tier if ident.tier in ("new", "trusted") else "standard"

    def _subject_ttl(self) -> float:
        """How long an abuse subject's record outlives its last request (score, block, refusals)."""
        c = self.cfg.abuse
        return max(c.half_life_seconds * 10, c.block_seconds, c.rejected_half_life_seconds * 10)

    def _abuse(self, ident: Any, user: str | None, tag: str, a: Assessment, k: _Keys,
               headers: Any = None, prompt_tokens: int = 0) -> tuple[dict[str, Any], list[str]]:
        """GATE's abuse parameters: subjects (key, end user, IP) and the state-backed signals."""
        c = self.cfg.abuse
        short = self._subject_ttl()
        shared = c.shared_key_weight if user is not None else 1.0
        # [ki, weight of request-level points, weight of key-level points, ttl]
        subjects = [[k(tag + ":ab"), shared, 1.0, short]]
        kinds = ["key"]
        if user is not None:
            subjects.append([k(tag + ":ab:u:" + user), 1.0, 0.0, max(short, _SEEN_TTL)])
            kinds.append("user")
        if ident.ip:
            subjects.append([k(tag + ":ab:ip:" + ident.ip), 1.0, 1.0, short])
            kinds.append("ip")
        tier = self._tier(ident)
        volume = tier in c.volume_tiers
        A: dict[str, Any] = {
            "subjects": subjects, "half_life": c.half_life_seconds, "suspicious_at": c.suspicious_at, "block_at": c.block_at,
            "block_seconds": c.block_seconds, "scale": self.mults[tier],
            "rej": [c.rejected_share, c.rejected_min_requests, c.rejected_points, c.rejected_half_life_seconds],
            "throttle": [c.throttle_per_minute, c.throttle_burst],
        }
        if volume:
            A["burst"] = [c.burst_requests, c.burst_seconds, c.burst_points]
            A["flood"] = [c.flood_tokens, c.flood_seconds, c.flood_points, prompt_tokens]
            A["newu"] = [c.new_users_burst, c.new_users_seconds, c.new_users_points]
        if a.fingerprint is not None:
            # One end user repeating; without end-user ids the key is the user. Across end users
            # (many people asking the same thing is normal) only as a volume signal.
            dup = []
            if user is None:
                dup.append([k(tag + ":ab:dup:" + a.fingerprint), c.repeat_max, c.repeat_seconds])
            else:
                dup.append([k(tag + ":ab:dup:" + user + ":" + a.fingerprint), c.repeat_max, c.repeat_seconds])
                if volume:
                    dup.append([k(tag + ":ab:dup:" + a.fingerprint), c.repeat_key_max, c.repeat_seconds])
                else:
                    # Every request of the prompt fills the key's bucket, but only one carrying a
                    # nonce or zero-width characters fires: people asking an app the same thing send
                    # it as typed; a script that rotates end-user ids and jitters one prompt does not.
                    dup.append([k(tag + ":ab:dup:" + a.fingerprint), c.repeat_key_max, c.repeat_seconds, 1 if a.jittered else 0])
            A["dup"] = dup
            A["dup_points"] = c.repeat_points * a.repeat_weight
        if ident.ip:
            max_nets = int((ident.limits or {}).get("max_networks", c.max_networks))
            # An untrusted forwarder's X-Forwarded-For claim counts only on requests that name no end
            # user: a backend that names its users relays them (the header is each visitor's address),
            # and its users are judged as themselves (their own scores, repeats, churn on new keys).
            claim = claimed_origin(ident.ip, headers) if user is None else ""
            A["ips"] = [k(tag + ":ab:ips"), network_of(ident.ip) + claim, max_nets,
                        c.networks_seconds, c.networks_points]
        return A, kinds

    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        cfg = self.cfg
        ident = ctx.identity
        body = ctx.body if ctx.raw_body else {}
        user = ident.user_key
        tag = "{" + ident.scope + "}"
        prompt_tokens = ctx.prompt_tokens()
        cost = prompt_tokens + (0 if ctx.endpoint == EMBEDDINGS else max_completion(body, cfg.default_completion_tokens))
        now = time.time()
        lease = ctx.request_id or uuid.uuid4().hex
        k = _Keys()
        P: dict[str, Any] = {"now": now, "tier": ident.tier, "mults": self.mults, "window": cfg.window_seconds, "cost": cost,
                             "lease": lease, "lease_exp": now + cfg.lease_seconds}
        a = (self.signals.assess(body, prompt_tokens, self._tier(ident) in cfg.abuse.volume_tiers)
             if self.signals is not None else Assessment())
        kinds: list[str] = []
        if self.signals is not None:
            P["abuse"], kinds = self._abuse(ident, user, tag, a, k, ctx.headers, prompt_tokens)
            P["points"] = a.points
            if a.signals:
                P["content"] = ",".join(a.signals)
        if user is not None:
            # Shares the user's subject hash when abuse scoring is on (same key index reused).
            P["user"] = [P["abuse"]["subjects"][1][0] if self.signals is not None else k(tag + ":ab:u:" + user),
                         cfg.new_user_age_seconds, cfg.new_user_requests, _SEEN_TTL]
        dims, names = self._dims(ident, user, ctx.model, ident.scope, k)
        P["dims"] = dims
        try:
            # `side`: which store holds this request's reservations (the shared one, or the
            # process's own during a fail-open outage); its settles go to the same one.
            raw, side = await self.services.state.run_tagged(GATE, k.keys, [orjson.dumps(P)])
            res = decode(raw)
        except StateError as exc:  # an unwrapped backend: never a 500
            self.services.metrics.inc("bulwark_redis_errors_total", 1.0, op="script")
            raise ServiceUnavailable(f"Rate limiting is unavailable: the state backend failed ({exc}). Retry shortly.",
                                     headers={"retry-after": "1"}) from None
        mult = float(res.get("mult", 1.0))
        decision = self._explain(res, a, kinds)
        if not res.get("ok"):
            self._reject(ctx, res, decision, cost, dims, names, mult)
        ctx.record(self.name, risk=res.get("risk", "standard"), tier=ident.tier, multiplier=mult, **decision,
                   **({"remaining_requests": res["req"][1]} if "req" in res else {}),
                   **({"remaining_tokens": res["tok"][1]} if "tok" in res else {}))
        if res.get("risk") == "suspicious":
            self.services.metrics.inc("bulwark_abuse_blocks_total", 1.0, reason=decision.get("leading_signal", "score"), action="throttle")
            log.info("suspicious (score %.1f, x%.2f) %s signals=%s request=%s", decision["score"], mult, self._who(ctx),
                     decision.get("recent_signals"), ctx.request_id)
        if cfg.headers:
            self._headers(ctx, res)
        self._subscribe(ctx, k.keys, dims, names, mult, int(res.get("held") or 0), prompt_tokens, P, side)
        return await call_next(ctx)

    def _subscribe(self, ctx: RequestContext, keys: list[str], dims: list[list[Any]], names: list[str], mult: float,
                   held: int, prompt_tokens: int, P: dict[str, Any], side: str) -> None:
        """Token admission per attempt, then one SETTLE when the request is over."""
        cfg = self.cfg
        tok = [[d[0], _eff(d[2], mult)] for d in dims if d[2] > 0]
        tok_names = [n for d, n in zip(dims, names) if d[2] > 0]
        conc = [d[3] for d in dims if d[4] > 0]
        account: TokenAccount | None = None
        if tok and ctx.endpoint != PASSTHROUGH:  # pass-through answers keep their reservation
            account = TokenAccount(self, ctx, keys, tok, tok_names, held, prompt_tokens,
                                   lambda r, scope, need: self._token_refusal(ctx, r, scope, need), side)
            ctx.ledger.on_attempt_start(account.on_start)
            ctx.ledger.on_attempt_end(account.on_end)
        rej = None
        if "abuse" in P:
            s0 = P["abuse"]["subjects"][0]
            rej = [s0[0], cfg.abuse.rejected_half_life_seconds, s0[3]]

        def settled(ledger: Ledger) -> None:
            status = ledger.status or 0
            refused = 400 <= status < 500 and status != 429 and not ledger.billed
            delta = account.settle_delta() if account is not None else 0
            S2: dict[str, Any] = {"now": time.time(), "window": cfg.window_seconds, "lease": P["lease"],
                                  "tokens": [[ki, lim, delta] for ki, lim in tok] if delta else [], "conc": conc}
            if refused and rej is not None:
                S2["rej"] = rej
            if account is not None:
                ctx.record(self.name, token_round_trips=account.round_trips)
            if S2["tokens"] or conc or "rej" in S2:
                self.services.tasks.spawn(self._settle(ctx, keys, S2, side), "ratelimit-settle", essential=True)

        ctx.ledger.on_settled(settled)

    def refused_before_chain(self, ctx: RequestContext, status: int) -> None:
        """A request the handler refused (a malformed body, an out-of-range field) counts in the
        client key's refused share like one refused further down, so probing with invalid
        requests raises the abuse score too. Only for keys of a tier in `volume_tiers` (new):
        an established key's invalid requests are a bug in its client, the most common one
        while developing, and must not get its valid traffic throttled."""
        if self.signals is None or self.shadow or self._tier(ctx.identity) not in self.cfg.abuse.volume_tiers:
            return
        key = "{" + ctx.identity.scope + "}:ab"  # the key subject (`_abuse`)
        S2 = {"now": time.time(), "window": self.cfg.window_seconds, "lease": "", "tokens": [], "conc": [],
              "rej": [1, self.cfg.abuse.rejected_half_life_seconds, self._subject_ttl(), 1]}
        self.services.tasks.spawn(self._settle(ctx, [key], S2, SHARED), "ratelimit-refused", essential=False)

    async def _settle(self, ctx: RequestContext, keys: list[str], S2: dict[str, Any], side: str) -> None:
        try:
            await self.services.state.run_on(side, SETTLE, keys, [orjson.dumps(S2)])
        except Exception as exc:  # the lease expires by itself; never fail the answer
            log.warning("rate-limit settle failed for request %s (%s); the slot frees at lease expiry", ctx.request_id, exc)

    # -- explaining decisions -------------------------------------------------------------
    @staticmethod
    def _who(ctx: RequestContext) -> str:
        ident = ctx.identity
        return f"key={ident.key_name or ident.key_id} id={ident.key_id} user={ident.user_key or '-'} ip={ident.ip or '-'}"

    def _explain(self, res: dict[str, Any], a: Assessment, kinds: list[str]) -> dict[str, Any]:
        """Which signals this request raised (with their points), the subject with the top score, recent signals."""
        if self.signals is None:
            return {}
        c = self.cfg.abuse
        state_points = {"burst": c.burst_points, "token_flood": c.flood_points, "many_networks": c.networks_points,
                        "new_user_churn": c.new_users_points, "rejected_share": c.rejected_points,
                        "repeated_prompt": c.repeat_points * a.repeat_weight}
        signals = res.get("signals")
        contrib = dict(a.contributions)
        for s in signals if isinstance(signals, list) else []:
            contrib[s] = round(state_points.get(s, 0.0), 3)
        top = int(res.get("top") or 0)
        subject = kinds[top - 1] if 0 < top <= len(kinds) else "key"
        recent = [x for x in str(res.get("why") or "").split(",") if x]
        out: dict[str, Any] = {"score": round(float(res.get("score", 0.0)), 2), "subject": subject}
        if contrib:
            out["signals"] = contrib
            out["leading_signal"] = max(contrib, key=lambda x: contrib[x])
        if recent:
            out["recent_signals"] = recent
            out.setdefault("leading_signal", recent[0])
        if a.quoted:  # phrasings seen only in quoted data under analysis: no points, shown on the span
            out["quoted_signals"] = list(a.quoted)
        return out

    def _headers(self, ctx: RequestContext, res: dict[str, Any]) -> None:
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

    # -- rejections ---------------------------------------------------------------------
    def _reject(self, ctx: RequestContext, res: dict[str, Any], decision: dict[str, Any], cost: int,
                dims: list[list[Any]], names: list[str], mult: float) -> None:
        m = self.services.metrics
        reason = res.get("reason", "requests")
        retry = float(res.get("retry") or 0.0)
        ctx.record(self.name, rejected=reason, risk=res.get("risk"), tier=ctx.identity.tier, multiplier=mult,
                   retry_after=round(retry, 3), **decision)
        if reason in ("blocked", "abuse_block", "throttled", "suspicious_content"):
            action = {"blocked": "blocked", "abuse_block": "block", "throttled": "throttle", "suspicious_content": "refuse"}[reason]
            label = decision.get("leading_signal", "score")
            m.inc("bulwark_abuse_blocks_total", 1.0, reason=label, action=action)
            m.inc("bulwark_ratelimit_rejections_total", 1.0, reason="abuse_" + action)
            # What the refused request would have cost (the cost stack's "saved by abuse blocks").
            ctx.ledger.record_saving("abuse", pricing_for(self.services).cost(ctx.model, ctx.prompt_tokens(), max(0, cost - ctx.prompt_tokens())))
            err = abuse_refusal(reason, subject=decision.get("subject", "key"), score=float(res.get("score") or 0.0), retry=retry,
                                contributions=decision.get("signals", {}), recent=decision.get("recent_signals", []), cfg=self.cfg.abuse)
            (log.warning if reason == "abuse_block" else log.info)("abuse %s (%s) %s request=%s", action, err.message, self._who(ctx), ctx.request_id)
            raise err
        dim_i = int(res.get("dim", 1)) - 1
        dim = dims[dim_i] if 0 <= dim_i < len(dims) else None
        scope = names[dim_i] if 0 <= dim_i < len(names) else "key"
        m.inc("bulwark_ratelimit_rejections_total", 1.0, reason=f"{scope}_{reason}")
        limit = int(res.get("limit") or 0)
        log.info("rate limited (%s %s, limit %d per %s, risk %s x%.2f) %s request=%s", scope, reason, limit,
                 go_duration(self.cfg.window_seconds), res.get("risk"), mult, self._who(ctx), ctx.request_id)
        other = None
        if dim is not None:
            other = ("requests", _eff(dim[1], mult)) if reason == "tokens" else ("tokens", _eff(dim[2], mult))
        raise limit_error(reason, scope=scope, limit=limit, retry=retry, window=self.cfg.window_seconds,
                          risk=str(res.get("risk")), cost=cost, other=other)

    def _token_refusal(self, ctx: RequestContext, res: dict[str, Any], scope: str, need: int) -> Any:
        reason = res.get("reason", "tokens")
        self.services.metrics.inc("bulwark_ratelimit_rejections_total", 1.0, reason=f"{scope}_{reason}")
        risk = str((ctx.decisions.get(self.name) or {}).get("risk", "standard"))
        ctx.record(self.name, rejected=reason, tokens_needed=need, retry_after=round(float(res.get("retry") or 0), 3))
        log.info("rate limited (%s %s, limit %s tokens, needs %d) %s request=%s", scope, reason, res.get("limit"), need,
                 self._who(ctx), ctx.request_id)
        return limit_error(reason, scope=scope, limit=int(res.get("limit") or 0), retry=float(res.get("retry") or 0.0),
                           window=self.cfg.window_seconds, risk=risk, cost=need)
