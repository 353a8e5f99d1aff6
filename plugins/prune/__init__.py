"""Importance-scored context pruning to a token budget (see `scoring.py` for the scoring).

Budget per request = min(`max_input_tokens`, context window of the model less the output
reserve: `max_completion_tokens` / `max_tokens` of the request, else `output_reserve_default`).
A request that fits passes byte-identical. One that does not loses, value per token lowest
first, what its units can give: long messages (tool results, pasted documents, long answers)
are first shortened to excerpts of their most relevant lines, call/result pairs staying valid;
units (a message, or a tool call with its results) are dropped, with an optional one-line
marker. An agent loop is pruned inside its own turn (older results shortened or dropped, the
latest results kept); the last `keep_last_turns` turns' user and assistant messages go only
after everything older. Only when the system/developer messages and the latest user message
alone do not fit is the answer OpenAI's 400 `context_length_exceeded`. Every pruned request
gets `x-bulwark-pruned-tokens`, a `prune` decision (before / after / dropped / excerpted /
saved_usd) and the pruning metrics. The decision itself is `pruner.Pruner` (no I/O), which
the evaluations under bench/ call too.

Shadow mode computes the same plan, records it (`would_drop`...) and the
`x-bulwark-prune-shadow-tokens` header, and never touches the request.

Summary mode (off by default): dropped units get a one-line summary each from a cheap
model, computed in the background (`services.tasks`) and cached in state
(`prune:sum:<sha256 of the unit>`); later requests that drop the same units put the
summaries where the marker would go, when they fit the budget.

Dollars saved = the input price of the removed tokens from `proxy.pricing` (the `[pricing]`
table of proxy.toml); `fallback_usd_per_million_input` only if pricing itself fails.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from proxy import pricing, tokens
from proxy.context import RequestContext, Target
from proxy.dispatch import dispatch
from proxy.errors import BadRequest
from proxy.ledger import Cause
from proxy.plugin import Next, Plugin, PluginConfig
from proxy.response import ProxyResponse

from . import scoring, windows
from .pruner import Pruner

log = logging.getLogger("bulwark.prune")

HEADER = "x-bulwark-pruned-tokens"
SHADOW_HEADER = "x-bulwark-prune-shadow-tokens"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WeightsConfig(_Strict):
    recency: float = Field(1.0, ge=0)
    role: float = Field(0.5, ge=0)
    relevance: float = Field(2.0, ge=0)
    reference: float = Field(1.5, ge=0)
    decision: float = Field(2.0, ge=0)  # an answer the user then agreed to ("agreed, let's do that")


class SummaryConfig(_Strict):
    enabled: bool = False
    # Provider (a [providers.<name>] key) and model that write the summaries; None = default provider.
    provider: str | None = None
    model: str = "gpt-4o-mini"
    # Longest summary line per dropped unit, in characters; units are sent at most this many characters.
    max_chars: int = Field(200, ge=20, le=2000)
    max_unit_chars: int = Field(4000, ge=200)
    ttl_seconds: float = Field(7 * 86400, gt=0)
    timeout_seconds: float = Field(30.0, gt=0)
    # Summaries in flight at once (each covers every unit of one request that lacks one).
    max_inflight: int = Field(4, ge=1)


# Conversations of at least this many characters of content are planned in a worker thread.
THREAD_ABOVE_CHARS = 100_000


def _chars(messages: list[Any]) -> int:
    """Characters of text content (strings and text parts): a cheap size for the thread choice."""
    n = 0
    for m in messages:
        c = m.get("content") if isinstance(m, dict) else None
        if isinstance(c, str):
            n += len(c)
        elif isinstance(c, list):
            n += sum(len(p.get("text") or "") for p in c if isinstance(p, dict) and isinstance(p.get("text"), str))
    return n


class PruneConfig(PluginConfig):
    # Hard cap on prompt tokens; None = only the model's context window less the reserve.
    max_input_tokens: int | None = Field(None, ge=1)
    # Completion tokens reserved when the request names neither max_completion_tokens nor max_tokens.
    output_reserve_default: int = Field(4096, ge=0)
    # Turns (a user message and what follows it) whose user and assistant messages go last;
    # the latest user message is always kept, tool results in these turns may be shortened.
    keep_last_turns: int = Field(2, ge=0)
    half_life_turns: float = Field(6.0, gt=0)
    weights: WeightsConfig = WeightsConfig()
    role_weights: dict[str, float] = dict(scoring.DEFAULT_ROLE_WEIGHTS)
    # Long messages (at least this many tokens) may be shortened to excerpts instead of dropped whole; 0: never.
    excerpt_min_tokens: int = Field(300, ge=0)
    marker: bool = True
    marker_text: str = "[{count} earlier message(s) omitted by Bulwark to fit the context budget]"
    marker_role: Literal["system", "developer", "user", "assistant"] = "system"
    # "single": one marker where the first message was removed, counting everything removed;
    # "gap": one marker per run of removed messages (more precise, more tokens).
    marker_mode: Literal["single", "gap"] = "single"
    # Context windows by model prefix, overriding windows.py (e.g. {"my-llama" = 32768}).
    context_windows: dict[str, int] = {}
    fallback_usd_per_million_input: float = Field(2.50, ge=0)
    summary: SummaryConfig = SummaryConfig()


class Prune(Plugin):
    name = "prune"
    Config = PruneConfig
    config: PruneConfig

    def __init__(self, config: PruneConfig, services: Any) -> None:
        super().__init__(config, services)
        c = config
        try:
            c.marker_text.format(count=1, tokens=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"marker_text: only {{count}} and {{tokens}} may be used ({exc})") from None
        self.pruner = Pruner(c)
        self.settings = self.pruner.settings
        self.marker_text = self.pruner.marker_text
        self._windows = {k.lower(): v for k, v in c.context_windows.items()}
        self._pricing_for = pricing.pricing_for
        self._inflight: set[str] = set()  # summary jobs (shared, bounded), not per-request state
        if c.summary.enabled and services is not None and c.summary.provider and c.summary.provider not in services.config.providers:
            raise ValueError(f"summary.provider: no provider named {c.summary.provider!r}")

    async def startup(self) -> None:
        # The app builds the configured encodings at startup (server.token_encodings).
        if tokens.fallback_hook is None and self.services is not None:
            # Telemetry may install its own; until then count approximated counts here.
            metrics = self.services.metrics
            tokens.fallback_hook = lambda enc: metrics.inc("bulwark_tokenizer_fallback_total", 1, encoding=enc)

    # -- helpers -----------------------------------------------------------------------
    def budget_for(self, body: dict[str, Any], model: str | None) -> tuple[int, int, int]:
        reserve = self.config.output_reserve_default
        for key in ("max_completion_tokens", "max_tokens"):
            v = body.get(key)
            if isinstance(v, int) and not isinstance(v, bool) and v > 0:
                reserve = v
                break
        window = windows.context_window(model, self._windows)
        budget = window - reserve
        if self.config.max_input_tokens is not None:
            budget = min(budget, self.config.max_input_tokens)
        return budget, window, reserve

    def saved_usd(self, model: str | None, n: int) -> float:
        """Input price of `n` tokens: proxy.pricing ([pricing] in proxy.toml), else the fallback."""
        if self._pricing_for is not None:
            try:
                return float(self._pricing_for(self.services).cost(model, n, 0))
            except Exception:  # pricing is advisory here; never fail a request over it
                log.debug("pricing failed for %s", model, exc_info=True)
        return n * self.config.fallback_usd_per_million_input / 1e6

    # -- the layer ---------------------------------------------------------------------
    async def _plan(self, messages: list[Any], model: str | None, tools: Any, budget: int) -> scoring.Plan:
        """The pruning plan; a large conversation's in a worker thread. Planning is linear but
        heavy (~0.4 ms per table row: an 8,000-row table and its JSON tool result took 3 s) and
        held the event loop, so every concurrent request stalled; in a thread the loop keeps
        running (it takes the GIL back every few milliseconds)."""
        if _chars(messages) < THREAD_ABOVE_CHARS:
            return self.pruner.plan(messages, model, tools, budget)
        return await asyncio.to_thread(self.pruner.plan, messages, model, tools, budget)

    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        body = ctx.body
        messages = body.get("messages")
        if not isinstance(messages, list) or len(messages) < 2:
            return await call_next(ctx)
        model = ctx.target.model if ctx.target is not None and ctx.target.model else body.get("model")
        model = model if isinstance(model, str) else None
        budget, window, reserve = self.budget_for(body, model)
        tools = body.get("tools")
        if not tools and isinstance(body.get("functions"), list):
            tools = [{"type": "function", "function": f} for f in body["functions"] if isinstance(f, dict)]
        p = await self._plan(messages, model, tools, budget)
        if not p.fits:
            self._refuse(ctx, p, budget, window, reserve)
        if ctx.ledger.prompt_tokens is None:
            ctx.ledger.prompt_tokens = p.tokens_before
        if not p.changed:
            return await call_next(ctx)
        metrics = self.services.metrics if self.services is not None else None
        if self.shadow:
            removed = p.tokens_before - p.tokens_after
            ctx.record(self.name, shadow=True, before=p.tokens_before, after=p.tokens_after, budget=budget,
                       would_drop=p.dropped_messages, would_excerpt=p.excerpted_messages,
                       would_save_usd=round(self.saved_usd(model, removed), 6))
            if metrics is not None:
                metrics.inc("bulwark_pruned_requests_total", 1, mode="shadow")
            resp = await call_next(ctx)
            ctx.response_headers[SHADOW_HEADER] = str(removed)
            return resp
        summaries = None
        if self.config.summary.enabled:
            summaries, short = await self._summaries(ctx, messages, p, model, budget)
            if short > 0 and budget - short >= p.pinned_tokens:
                # Cached summaries that do not fit: drop a little more to make room for them.
                p = await self._plan(messages, model, tools, budget - short)
                summaries, _ = await self._summaries(ctx, messages, p, model, budget)
        new_messages = scoring.apply(messages, p, self.marker_text, self.config.marker_role, summaries)
        after = tokens.count_messages(new_messages, model, tools) if summaries and any(summaries) else p.tokens_after
        removed = p.tokens_before - after
        saved = self.saved_usd(model, removed)
        ctx.set_body({**body, "messages": new_messages})
        ctx.ledger.prompt_tokens = after  # what is sent: limits and budgets reserve on this
        ctx.ledger.record_saving("pruning", saved)
        ctx.record(self.name, before=p.tokens_before, after=after, budget=budget, dropped=p.dropped_messages,
                   dropped_units=len(p.dropped), excerpted=p.excerpted_messages, saved_usd=round(saved, 6),
                   summarised=sum(1 for s in summaries or [] if s))
        ctx.response_headers[HEADER] = str(removed)
        if metrics is not None:
            metrics.inc("bulwark_pruned_tokens_total", removed)
            metrics.inc("bulwark_pruned_requests_total", 1, mode="enforce")
        return await call_next(ctx)

    def _refuse(self, ctx: RequestContext, p: scoring.Plan, budget: int, window: int, reserve: int) -> None:
        """Even the system/developer messages and the latest user message do not fit: OpenAI's 400."""
        ctx.record(self.name, before=p.tokens_before, budget=budget, pinned=p.pinned_tokens, rejected="context_length_exceeded")
        limit = (f"This model's maximum context length is {window} tokens"
                 + (f" ({reserve} reserved for the completion)" if budget == window - reserve else "")
                 + (f" and this deployment allows {budget} input tokens" if budget != window - reserve else ""))
        raise BadRequest(
            f"{limit}. However, your messages resulted in {p.tokens_before} tokens, and the messages that cannot be "
            f"dropped or shortened (system/developer messages and the latest user message, plus the smallest excerpt "
            f"of the latest tool results) alone take {p.pinned_tokens}. Please reduce the length of the messages.",
            code="context_length_exceeded",
            param="messages",
        )

    # -- summary mode ------------------------------------------------------------------
    @staticmethod
    def _unit_id(messages: list[Any], unit: scoring.Unit) -> str:
        return hashlib.sha256(orjson.dumps([messages[i] for i in unit.messages])).hexdigest()[:32]

    def _key(self, uid: str) -> str:
        return f"prune:sum:{uid}"

    async def _summaries(self, ctx: RequestContext, messages: list[Any], p: scoring.Plan, model: str | None,
                         budget: int) -> tuple[list[str | None], int]:
        """One text per gap: cached summaries of its units if they fit the slack, else None
        (marker); and how many tokens the summaries that did not fit were short of."""
        ids = [[self._unit_id(messages, u) for u in run] for run in p.gaps]
        flat = [uid for run in ids for uid in run]
        state = self.services.state
        try:
            found = await asyncio.wait_for(asyncio.gather(*(state.get(self._key(uid)) for uid in flat)), timeout=0.25)
        except Exception as exc:  # state trouble: markers only, never a failed request
            log.warning("prune summaries unavailable (%s); using markers", exc)
            found = [None] * len(flat)
        cache = {uid: v.decode() for uid, v in zip(flat, found) if v}
        missing = [(uid, u) for run, uids in zip(p.gaps, ids) for u, uid in zip(run, uids) if uid not in cache and uid not in self._inflight]
        if missing and len(self._inflight) < self.config.summary.max_inflight * 64:
            for uid, _ in missing:
                self._inflight.add(uid)
            texts = [(uid, self._unit_text(messages, u)) for uid, u in missing]
            # Derived now, not in the task: its hold keeps the request's ledger subscribed even
            # when the summary begins after the request settled (charged to it all the same).
            sctx = ctx.derive(self._summary_body(texts), suffix="prune-summary")
            if self.services.tasks.spawn(self._summarise(texts, sctx), name="prune-summary") is None:
                sctx.close()
                for uid, _ in missing:
                    self._inflight.discard(uid)
        slack = budget - p.tokens_after
        short = 0
        out: list[str | None] = []
        for r, (run, uids) in enumerate(zip(p.gaps, ids)):
            lines = [cache[uid] for uid in uids if uid in cache]
            if not lines:
                out.append(None)
                continue
            n = sum(len(u.messages) for u in run)
            text = f"[Summary of {n} earlier message(s) Bulwark omitted to fit the context budget: " + " | ".join(lines) + "]"
            extra = tokens.count_message({"role": self.config.marker_role, "content": text}, model) - (p.marker_costs[r] if p.marker_costs else 0)
            if extra <= slack:
                slack -= extra
                out.append(text)
            else:
                short += extra - slack
                out.append(None)
        return out, short

    def _unit_text(self, messages: list[Any], unit: scoring.Unit) -> str:
        parts = []
        for i in unit.messages:
            m = messages[i]
            parts.append(f"{m.get('role', '?')}: {scoring.message_text(m)}")
        return "\n".join(parts)[: self.config.summary.max_unit_chars]

    def _summary_body(self, items: list[tuple[str, str]]) -> dict[str, Any]:
        sc = self.config.summary
        numbered = "\n\n".join(f"### {k + 1}\n{text}" for k, (_, text) in enumerate(items))
        return {
            "model": sc.model,
            "messages": [
                {"role": "system", "content": (
                    f"Summarise each numbered excerpt of a conversation in one line of at most {sc.max_chars} characters. "
                    "Keep names, numbers, identifiers and decisions. Answer with a JSON array of strings, one per excerpt, in order.")},
                {"role": "user", "content": numbered},
            ],
            "max_tokens": min(4096, 16 + len(items) * (sc.max_chars // 3)),
            "temperature": 0,
        }

    async def _summarise(self, items: list[tuple[str, str]], sctx: RequestContext) -> None:
        """Background: one summary call as an attempt of the request that asked for it (`sctx`,
        derived from it), the lines stored for later requests; `sctx` is closed at the end."""
        sc = self.config.summary
        try:
            provider_name = sc.provider or self.services.config.models.default_provider
            sctx.target = Target(provider_name, sc.model, cause=Cause.SUMMARY)
            resp = await asyncio.wait_for(dispatch(sctx), timeout=sc.timeout_seconds)
            try:
                if resp.status != 200:
                    log.warning("prune summary call answered %s", resp.status)
                    return
                content = resp.json()["choices"][0]["message"]["content"] or ""
            finally:
                await resp.aclose()
            start, end = content.find("["), content.rfind("]")
            lines = orjson.loads(content[start:end + 1]) if start >= 0 < end else []
            for (uid, _), line in zip(items, lines if isinstance(lines, list) else []):
                if isinstance(line, str) and line.strip():
                    await self.services.state.set(self._key(uid), line.strip()[: sc.max_chars].encode(), ttl=sc.ttl_seconds)
        except Exception as exc:  # background work: log, never raise into the loop
            log.warning("prune summary failed: %r", exc)
        finally:
            sctx.close()
            for uid, _ in items:
                self._inflight.discard(uid)
