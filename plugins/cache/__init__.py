"""Exact-match response cache: the cheapest answer is the one not paid for twice.

Key: a canonical hash of the request (`key.py`), scoped per client key (or team,
or global). Only deterministic requests (temperature 0; absent means 1.0) are cached unless
a model rule or `any_temperature` opts in.

Entries are stored in a neutral form, compressed with zlib: the full `chat.completion`
object (usage included) plus, when the miss was streamed, the original chunk boundaries.
So a plain request can be answered from a streamed miss and vice versa; a streamed hit
replays the recorded chunks (or chunks synthesized word by word from a plain answer), the
usage chunk when `stream_options.include_usage` asks for it, and `[DONE]`.

Backends (`backend`): "memory" is an LRU inside this plugin bounded by a byte budget
(`max_bytes`) with per-entry expiry; "state" uses `services.state` (Redis: TTL, shared by
replicas); "auto" picks "state" when the state backend is not the in-process one. Any state
error is a miss (and a skipped store), counted, never an error for the client.

Never stored: non-2xx answers, non-chat shapes, streams that did not end normally, answers a
layer marked not reusable (`ProxyResponse.cacheable`: failed validation, a continuation
stitched from two providers) and answers not written by an upstream model
(`ProxyResponse.origin`: rules / human tiers, Bulwark's own). A stored stream is taken from the
attempt's one assembly (`resp.assembly`), plus the chunk boundaries for an exact replay.

Chain order: `ratelimit, cache, budgets, prune, validate, fallback`. Plugins outside the
cache see hits: `ratelimit` counts a hit like any request (its request limits; a hit uses
no upstream tokens; put `cache` before it to make hits free of limits). Plugins inside it never
see hits: `budgets` (a hit costs nothing), `prune` (the key is the client's own request),
`validate` and `fallback` (their verdicts and tiers are known before an answer is stored).

Client controls: `Cache-Control: no-cache` (skip the lookup, store the fresh answer),
`no-store` (neither). Answers carry `x-bulwark-cache: hit|miss|bypass`; hits also `age`.
"""
from __future__ import annotations

import asyncio
import fnmatch
import logging
import time
import zlib
from typing import Any, AsyncIterator, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator

from proxy.context import CHAT, RequestContext, Usage
from proxy.errors import BadRequest
from proxy.plugin import Next, Plugin, PluginConfig
from proxy.pricing import cost_usd, pricing_for
from proxy.response import CACHE, UPSTREAM, ProxyResponse
from proxy.sse import SSEEvent

from . import key as cachekey
from .replay import _is_completion, chunks_from_completion, replay_chunks, replay_events
from .store import ENTRY_OVERHEAD, ENTRY_VERSION, ByteLRU, decode_entry, encode_entry, purge_state

log = logging.getLogger("bulwark.cache")

HEADER = "x-bulwark-cache"
STATE_COOLDOWN = 2.0  # seconds the cache leaves a failing state backend alone


class ModelRule(BaseModel):
    """Per model (exact name or glob, matched on the request's model / route alias)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    ttl_seconds: float | None = Field(None, gt=0)
    # Cache this model's answers whatever the temperature (explicit opt-in).
    any_temperature: bool | None = None


class CacheConfig(PluginConfig):
    # Who shares entries: each client key (default), each team, or everyone.
    scope: Literal["key", "team", "global"] = "key"
    ttl_seconds: float = Field(3600.0, gt=0)
    # Cache non-deterministic requests (temperature > 0) too.
    any_temperature: bool = False
    models: dict[str, ModelRule] = {}
    backend: Literal["auto", "memory", "state"] = "auto"
    # Byte budget of the in-process LRU (compressed entries plus bookkeeping).
    max_bytes: int = Field(64 * 1024 * 1024, ge=64 * 1024)
    # Largest stored entry (compressed); bigger answers are not cached.
    max_entry_bytes: int = Field(1024 * 1024, ge=1024)
    compression_level: int = Field(1, ge=0, le=9)
    compress_min_bytes: int = Field(512, ge=0)
    # Identical requests arriving while the first is upstream wait for its answer (plain
    # requests only, in this process) instead of going upstream too.
    coalesce: bool = True
    coalesce_wait_seconds: float = Field(60.0, gt=0)
    # Give hits the current time as `created` (default: the original answer's, like its id).
    refresh_created: bool = False

    @field_validator("endpoints")
    @classmethod
    def _chat_only(cls, v: list[str]) -> list[str]:
        if any(e != CHAT for e in v):
            raise ValueError(f"the cache answers chat completions only (endpoints = [\"{CHAT}\"])")
        return v


def _noop() -> None:
    pass


# -- the plugin -----------------------------------------------------------------------------
class _Plan:
    """What the cache will do with a request: bypass (`reason`) or look up and store `key`."""

    __slots__ = ("reason", "key", "ttl", "no_cache")

    def __init__(self, reason: str | None, key: str, ttl: float, no_cache: bool) -> None:
        self.reason, self.key, self.ttl, self.no_cache = reason, key, ttl, no_cache


class _Prefetch:
    """A plan made, and its lookup started, before the chain ran (`Cache.prefetch`). It holds
    while the body and the target it was computed from are the ones the cache layer sees."""

    __slots__ = ("plan", "lookup", "body", "target")

    def __init__(self, plan: _Plan, lookup: "asyncio.Future[Any] | None", ctx: RequestContext) -> None:
        self.plan, self.lookup = plan, lookup
        self.body, self.target = (None if ctx.body_changed else ctx.body), ctx.target

    def still_valid(self, ctx: RequestContext) -> bool:
        return self.body is not None and not ctx.body_changed and ctx.body is self.body and ctx.target is self.target


class Cache(Plugin):
    name = "cache"
    Config = CacheConfig

    def __init__(self, config: CacheConfig, services: Any) -> None:  # type: ignore[override]
        super().__init__(config, services)
        self.cfg = config
        self._exact = {k: v for k, v in config.models.items() if not any(c in k for c in "*?[")}
        self._globs = [(k, v) for k, v in config.models.items() if k not in self._exact]
        self._rule_memo: dict[str | None, ModelRule | None] = {}
        self.lru = ByteLRU(config.max_bytes)
        self.use_state = self._pick_state(config.backend, services)
        # Talk to Redis itself, not through the fail-open wrapper: during an outage the cache
        # misses (with its own cool-down) instead of filling the local fallback with answers.
        self.state = getattr(services.state, "primary", services.state) if self.use_state else None
        self._down_until = 0.0
        self._inflight: dict[str, asyncio.Future[None]] = {}
        self.stats: dict[str, int] = dict.fromkeys(("hit", "miss", "bypass", "refresh", "error", "shadow_hit", "stored", "not_stored", "too_large", "store_error"), 0)
        self.saved_usd = 0.0
        self._unflushed: dict[str, float] = {}
        self._last_flush = time.monotonic()

    @staticmethod
    def _pick_state(backend: str, services: Any) -> bool:
        if backend == "memory":
            return False
        if backend == "state":
            return True
        state = getattr(services, "state", None)
        return state is not None and getattr(state, "name", "memory") != "memory"

    # -- policy ----------------------------------------------------------------------------
    def _rule(self, model: str | None) -> ModelRule | None:
        try:
            return self._rule_memo[model]
        except KeyError:
            pass
        rule = self._exact.get(model) if model is not None else None
        if rule is None and model is not None:
            for pattern, r in self._globs:
                if fnmatch.fnmatchcase(model, pattern):
                    rule = r
                    break
        if len(self._rule_memo) > 4096:
            self._rule_memo.clear()
        self._rule_memo[model] = rule
        return rule

    def _count(self, outcome: str) -> None:
        self.stats[outcome] += 1
        if outcome in ("hit", "miss", "bypass", "refresh", "error", "shadow_hit"):
            self.services.metrics.inc("bulwark_cache_requests_total", outcome=outcome)
        else:
            self.services.metrics.inc("bulwark_cache_stores_total", outcome=outcome)
        if self.use_state:
            self._unflushed[outcome] = self._unflushed.get(outcome, 0) + 1
            self._maybe_flush()

    @staticmethod
    def _directives(ctx: RequestContext) -> tuple[bool, bool]:
        """(no_cache, no_store) from the client's Cache-Control header."""
        cc = ctx.headers.get("cache-control")
        if not cc:
            return False, False
        tokens = {t.strip().lower() for t in cc.split(",")}
        no_store = "no-store" in tokens
        return no_store or "no-cache" in tokens or "max-age=0" in tokens, no_store

    # -- the chain -------------------------------------------------------------------------
    def _plan(self, ctx: RequestContext) -> "_Plan":
        """Whether this request may be answered from the cache, and under which entry key."""
        body = ctx.body
        no_cache, no_store = self._directives(ctx)
        model = body.get("model") if isinstance(body.get("model"), str) else None
        rule = self._rule(model)
        reason = None
        if no_store:
            reason = "no-store"
        elif rule is not None and not rule.enabled:
            reason = "model_disabled"
        elif not cachekey.is_deterministic(body):
            any_t = rule.any_temperature if rule is not None and rule.any_temperature is not None else self.cfg.any_temperature
            if not any_t:
                reason = "nondeterministic"
        if reason is not None:
            return _Plan(reason, "", 0.0, no_cache)
        target = (ctx.target.provider, ctx.target.model) if ctx.target is not None else None
        ident = ctx.identity
        key = cachekey.entry_key(
            cachekey.scope_token(self.cfg.scope, ident.key_id, ident.team),
            cachekey.request_digest(body, ctx.endpoint, target),
        )
        ttl = rule.ttl_seconds if rule is not None and rule.ttl_seconds else self.cfg.ttl_seconds
        return _Plan(None, key, ttl, no_cache)

    def prefetch(self, ctx: RequestContext) -> None:
        """Start the entry's read while the rate-limit gate makes its call: with Redis, the
        lookup then costs no round trip of its own (a refused request's read is just unused)."""
        if not (self.use_state and self.state.batches):
            return
        try:
            plan = self._plan(ctx)
        except Exception:  # a body the chain will refuse: let __call__ meet it as usual
            return
        lookup = None
        if plan.reason is None and not plan.no_cache:
            lookup = asyncio.ensure_future(self._lookup(plan.key))
        ctx.scratch[self.name] = _Prefetch(plan, lookup, ctx)

    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        pre = ctx.scratch.pop(self.name, None)
        if isinstance(pre, _Prefetch) and pre.still_valid(ctx):
            plan, lookup = pre.plan, pre.lookup
        else:  # not prefetched, or an outer layer changed the body since
            plan, lookup = self._plan(ctx), None
        reason, key, ttl, no_cache = plan.reason, plan.key, plan.ttl, plan.no_cache
        if reason is not None:
            self._count("bypass")
            ctx.record(self.name, outcome="bypass", reason=reason)
            if not self.shadow:
                ctx.response_headers[HEADER] = "bypass"
            return await call_next(ctx)

        leader: asyncio.Future[None] | None = None
        if not no_cache:
            entry, age, failed = await (lookup if lookup is not None else self._lookup(key))
            if entry is None and not failed and self.cfg.coalesce and not self.shadow:
                waiter = self._inflight.get(key)
                if waiter is None:
                    leader = self._inflight[key] = asyncio.get_running_loop().create_future()
                elif not ctx.stream:
                    # The same request is already on its way upstream: wait for its answer
                    # instead of paying twice (streams never wait: their first token matters).
                    try:
                        await asyncio.wait_for(asyncio.shield(waiter), self.cfg.coalesce_wait_seconds)
                    except asyncio.TimeoutError:
                        pass
                    entry, age, failed = await self._lookup(key)
                    if entry is not None:
                        ctx.record(self.name, coalesced=True)
            if entry is not None:
                if self.shadow:
                    self._count("shadow_hit")
                    ctx.record(self.name, shadow=True, would_hit=True)
                else:
                    return self._answer(ctx, entry, age)
            elif failed:
                self._count("error")
                ctx.record(self.name, outcome="miss", state_error=True)
            else:
                self._count("miss")
                ctx.record(self.name, outcome="miss")
        else:
            self._count("refresh")
            ctx.record(self.name, outcome="refresh")
        if not self.shadow:
            ctx.response_headers[HEADER] = "miss"

        release = self._releaser(key, leader)
        try:
            resp = await call_next(ctx)
        except BaseException:
            release()
            raise
        if not resp.ok or resp.raw_stream is not None:
            release()
            return resp
        if resp.stream is not None:
            resp.stream = self._record_stream(resp.stream, ctx, resp, key, ttl, release)
            resp.on_close(release)  # a stream dropped before it was read
        else:
            try:
                completion = resp.try_json() if self._storable(resp) else None
                if _is_completion(completion):
                    self._store(key, {"v": ENTRY_VERSION, "at": time.time(), "c": completion, "k": None}, ttl, release)
                    return resp
                self._count("not_stored")
            except Exception:  # never turn a good answer into an error because it could not be cached
                log.warning("cache: could not store an answer (request %s)", ctx.request_id, exc_info=True)
                self._count("not_stored")
            release()
        return resp

    def _releaser(self, key: str, leader: "asyncio.Future[None] | None") -> Any:
        """Wake requests waiting on this one (idempotent; a no-op when nobody could wait)."""
        if leader is None:
            return _noop

        def release() -> None:
            if self._inflight.get(key) is leader:
                del self._inflight[key]
            if not leader.done():
                leader.set_result(None)

        return release

    # -- hits ------------------------------------------------------------------------------
    async def _lookup(self, key: str) -> tuple[dict[str, Any] | None, float, bool]:
        """(entry or None, age in seconds, the state backend failed)."""
        if self.use_state:
            if self._down_until and time.monotonic() < self._down_until:
                return None, 0.0, True
            try:
                blob = await self.state.get(key)
            except Exception as exc:  # Redis down / timeout / fail_closed 503: a miss, never an error
                self._state_error("cache_get", exc)
                return None, 0.0, True
            self._down_until = 0.0
        else:
            got = self.lru.get(key)
            blob = got[0] if got is not None else None
        if blob is None:
            return None, 0.0, False
        try:
            entry = decode_entry(blob)
        except (ValueError, zlib.error, orjson.JSONDecodeError):
            log.warning("dropping an unreadable cache entry")
            await self._delete(key)
            return None, 0.0, False
        return entry, max(0.0, time.time() - float(entry.get("at") or 0)), False

    def _answer(self, ctx: RequestContext, entry: dict[str, Any], age: float) -> ProxyResponse:
        completion = entry["c"]
        model = completion.get("model")
        usage_d = completion.get("usage") or {}
        cached = Usage(
            prompt_tokens=int(usage_d.get("prompt_tokens") or 0),
            completion_tokens=int(usage_d.get("completion_tokens") or 0),
            cached_tokens=int(((usage_d.get("prompt_tokens_details") or {}).get("cached_tokens")) or 0),
            estimated=bool(entry.get("ue")),
        )
        saved = _price(self.services, model or ctx.model, cached)
        self._count("hit")
        self.saved_usd += saved
        ctx.ledger.record_saving("cache", saved)  # nothing went upstream: no attempt, nothing spent
        if self.use_state and saved:
            self._unflushed["saved_usd"] = self._unflushed.get("saved_usd", 0.0) + saved
        self._maybe_flush()
        ctx.record(self.name, outcome="hit", hit=True, saved_usd=round(saved, 8), age_s=round(age, 3))
        ctx.response_headers[HEADER] = "hit"
        ctx.response_headers["age"] = str(int(age))
        created = int(time.time()) if self.cfg.refresh_created else None
        if ctx.stream:
            return ProxyResponse.from_events(replay_events(entry, ctx.wants_usage_chunk, created), provider="cache", model=model, origin=CACHE)
        if created is not None:
            completion = {**completion, "created": created}
        return ProxyResponse.from_json(completion, provider="cache", model=model, origin=CACHE)

    # -- stores ----------------------------------------------------------------------------
    @staticmethod
    def _storable(resp: ProxyResponse) -> bool:
        return resp.ok and resp.origin == UPSTREAM and resp.cacheable

    async def _record_stream(self, stream: AsyncIterator[SSEEvent], ctx: RequestContext, resp: ProxyResponse, key: str, ttl: float,
                             release: Any = _noop) -> AsyncIterator[SSEEvent]:
        """Relay every event first, remember it, and store the entry only after a normal end."""
        inner = self._record(stream, ctx, resp, key, ttl, release)
        try:
            async for ev in inner:
                yield ev
        finally:
            try:
                await inner.aclose()  # closes the upstream stream now, not when collected
            finally:
                release()

    async def _record(self, stream: AsyncIterator[SSEEvent], ctx: RequestContext, resp: ProxyResponse, key: str, ttl: float,
                      release: Any) -> AsyncIterator[SSEEvent]:
        events: list[SSEEvent] | None = []
        limit = self.cfg.max_entry_bytes * 8  # uncompressed guard while recording
        size = 0
        done = False
        try:
            async for ev in stream:
                yield ev
                if events is None:
                    continue
                if ev.is_done:
                    done = True
                elif ev.data is not None:
                    size += len(ev.raw)
                    if size > limit:
                        events = None
                        self._count("too_large")
                    else:
                        events.append(ev)
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()
        # Reached only when the stream ended normally (not cut, not cancelled, no error).
        if events is None:
            return
        try:
            entry = self._stream_entry(ctx, resp, events) if done else None
            if entry is None:
                self._count("not_stored")
            else:
                self._store(key, entry, ttl, release)
        except Exception:  # an odd answer must never break a stream that was delivered
            log.warning("cache: could not record a streamed answer (request %s)", ctx.request_id, exc_info=True)
            self._count("not_stored")

    def _stream_entry(self, ctx: RequestContext, resp: ProxyResponse, events: list[SSEEvent]) -> dict[str, Any] | None:
        asm = resp.assembly
        if not events or asm is None or not self._storable(resp) or asm.error is not None or not asm.finished:
            return None
        # Parsed once already (by the attempt's assembly); events without a chat view (a native
        # stream's lifecycle events) carry nothing to replay.
        chunks = [c for c in (ev.chunk() for ev in events) if c is not None]
        completion = asm.completion()
        estimated = False
        if completion.get("usage") is None:
            completion["usage"], estimated = _usage_for(resp)
        replay = replay_chunks(chunks)
        return {"v": ENTRY_VERSION, "at": time.time(), "c": completion, "k": replay, "ue": estimated}

    def _store(self, key: str, entry: dict[str, Any], ttl: float, release: Any = _noop) -> None:
        """Write an entry (Redis: in the background); `release` runs once it is readable."""
        blob = encode_entry(entry, self.cfg.compression_level, self.cfg.compress_min_bytes)
        if len(blob) > self.cfg.max_entry_bytes:
            self._count("too_large")
        elif not self.use_state:
            self._count("stored" if self.lru.set(key, blob, ttl) else "too_large")
        elif self._down_until and time.monotonic() < self._down_until:
            self._count("store_error")
        elif self.services.tasks.spawn(self._state_set(key, blob, ttl, release), name="cache-store") is not None:
            return
        else:
            self._count("store_error")
        release()

    async def _state_set(self, key: str, blob: bytes, ttl: float, release: Any = _noop) -> None:
        try:
            await self.state.set(key, blob, ttl=ttl, write_behind=True)
        except Exception as exc:  # Redis down: skip the store silently (counted)
            self._state_error("cache_set", exc)
            self._count("store_error")
            return
        finally:
            release()
        self._count("stored")

    async def _delete(self, key: str) -> None:
        if not self.use_state:
            self.lru.pop(key)
            return
        try:
            await self.state.delete(key)
        except Exception as exc:
            self._state_error("cache_delete", exc)

    def _state_error(self, op: str, exc: Exception) -> None:
        # Skip the state for a short cool-down: an outage costs one timeout, not one per request.
        self._down_until = time.monotonic() + STATE_COOLDOWN
        self.services.metrics.inc("bulwark_redis_errors_total", op=op)
        log.debug("cache %s failed: %r", op, exc)

    # -- stats and purge (admin API and `bulwark cache`) --------------------------------------
    def _maybe_flush(self, force: bool = False) -> None:
        """Add local counters to shared ones in the state backend every few seconds."""
        if not self.use_state or not self._unflushed:
            return
        now = time.monotonic()
        if not force and now - self._last_flush < 5.0:
            return
        self._last_flush = now
        pending, self._unflushed = self._unflushed, {}
        self.services.tasks.spawn(self._flush(pending), name="cache-stats")

    async def _flush(self, pending: dict[str, float]) -> None:
        try:
            for field, amount in pending.items():
                await self.state.incr(cachekey.STATS_PREFIX + field, amount)
        except Exception as exc:
            self._state_error("cache_stats", exc)

    def local_stats(self) -> dict[str, Any]:
        lookups = self.stats["hit"] + self.stats["miss"] + self.stats["error"]
        out: dict[str, Any] = {
            "backend": "state:" + getattr(self.services.state, "name", "?") if self.use_state else "memory",
            "scope": self.cfg.scope,
            **self.stats,
            "hit_ratio": round(self.stats["hit"] / lookups, 4) if lookups else 0.0,
            "saved_usd": round(self.saved_usd, 6),
        }
        if not self.use_state:
            out.update(entries=len(self.lru), bytes=self.lru.bytes, max_bytes=self.lru.max_bytes, evictions=self.lru.evictions)
        return out

    async def purge(self, scope_tok: str | None) -> int:
        prefix = cachekey.PREFIX + (scope_tok + ":" if scope_tok else "")
        if not self.use_state:
            return self.lru.purge(prefix)
        return await purge_state(self.state, scope_tok)

    def admin_routes(self) -> list[tuple[str, str, Any]]:
        return [("GET", "cache/stats", self._admin_stats), ("POST", "cache/purge", self._admin_purge)]

    async def _admin_stats(self, request: Any) -> Any:
        from aiohttp import web

        return web.json_response(self.local_stats(), dumps=lambda o: orjson.dumps(o).decode())

    async def _admin_purge(self, request: Any) -> Any:
        from aiohttp import web

        try:
            data = await request.json() if request.can_read_body else {}
        except ValueError:
            data = {}
        scope = (data or {}).get("scope") or request.query.get("scope")
        everything = bool((data or {}).get("all")) or request.query.get("all") in ("1", "true")
        if not scope and not everything:
            raise BadRequest('Give {"scope": "<key name | key id | team:NAME | global>"} or {"all": true}.', param="scope")
        try:
            tok = None if everything else cachekey.resolve_scope(str(scope), self.services.config.auth.keys)
        except ValueError as exc:
            raise BadRequest(str(exc), param="scope") from None
        n = await self.purge(tok)
        return web.json_response({"purged": n, "scope": tok or "all"})

    async def aclose(self) -> None:
        if self.use_state and self._unflushed:
            pending, self._unflushed = self._unflushed, {}
            await self._flush(pending)


def _usage_for(resp: ProxyResponse) -> tuple[dict[str, int], bool]:
    """Usage of a streamed answer whose client did not ask for the usage chunk: the attempt's
    own (exact when the provider reported it, else counted from what it generated)."""
    a = resp.attempt
    p, c = (a.usage[0], a.usage[1]) if a is not None and a.usage is not None else (0, 0)
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}, not (a is not None and a.usage_exact)


def _price(services: Any, model: str | None, usage: Usage) -> float:
    """USD the cached answer would have cost upstream, with the configured `[pricing]`
    (0 when pricing fails: saved dollars are a report, never an error)."""
    if not model:
        return 0.0
    try:
        return float(cost_usd(model, usage, pricing=pricing_for(services)) or 0.0)
    except Exception:
        log.debug("pricing failed for %s", model, exc_info=True)
        return 0.0


__all__ = [
    "ENTRY_OVERHEAD", "ENTRY_VERSION", "HEADER", "ByteLRU", "Cache", "CacheConfig", "ModelRule", "chunks_from_completion",
    "decode_entry", "encode_entry", "purge_state", "replay_events",
]
