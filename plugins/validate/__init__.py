"""Response validation: check every answer before it leaves; regenerate, flag, block or fail over.

Validators (`validators/`) run on each choice of the answer. A failing validator's
`action` decides what happens:
- `regenerate`: call the rest of the chain again with temperature 0 and a system note that
  names the unverified claims (up to `max_regenerations` times), then apply `then`;
- `flag`: deliver with `x-bulwark-validation: flagged` and a review-queue record;
- `block`: answer `safe_message` instead (a well-formed completion or stream), recorded too;
- `fallback`: raise `FailoverRequested` (proxy.errors) for the fallback plugin, which
  must then be an outer layer (listed before `validate` in chain.plugins; checked at startup).
When several fail, the strongest final action wins (block > fallback > flag).

Streams: `buffer` (default when a validator can regenerate, block or fall back) collects
the whole answer, validates, then replays the original events (or synthesized chunks for a
replaced answer). `passthrough` streams live, validates at the end and flags (a trailing
SSE comment and the review queue), or ends with an error event (`passthrough_on_failure`).

Other layers see the outcome as typed facts: `ctx.verdict` (validated, grounding failed,
outcome, regenerations) and `resp.cacheable = False` on an answer that failed; the answer
checked is the attempt's one assembly (`resp.assembly`). A regeneration is an attempt with
cause `regeneration` in the ledger, so budgets reserve and charge it like any other.
"""
from __future__ import annotations

import asyncio
import fnmatch
import inspect
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any, AsyncIterator, Literal

import orjson
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from proxy.config import format_validation_error
from proxy.context import CHAT, COMPLETIONS, RequestContext, Verdict
from proxy.errors import BadRequest, ConfigError, FailoverRequested, NotFound
from proxy.plugin import Next, Plugin, PluginConfig
from proxy.assembly import Assembly
from proxy.ledger import AttemptRefused, Cause
from proxy.response import UPSTREAM, ProxyResponse
from proxy.sse import SSEEvent

from .assemble import _chain_events, _iterate, answers_of
from .review import ReviewQueue, review_record
from .validators import VALIDATOR_TYPES, build_validator
from .validators.base import Answer, Subject, ValidationFailed, ValidationResult

log = logging.getLogger("bulwark.validate")

Action = Literal["regenerate", "flag", "block", "fallback"]
Final = Literal["flag", "block", "fallback"]
OnError = Literal["skip", "flag", "block"]
_SEVERITY = {"flag": 1, "fallback": 2, "block": 3}
_NO_TEMPERATURE = ("o1", "o3", "o4", "gpt-5")  # reasoning models reject `temperature`


class ValidatorEntry(BaseModel):
    """One `[[plugins.validate.validators]]` entry; extra keys are the validator's own options."""

    model_config = ConfigDict(extra="allow")

    type: Literal["numbers", "structured", "completeness", "patterns", "judge"]
    name: str | None = None
    action: Action = "flag"
    then: Final = "flag"  # after regenerations are used up
    on_error: OnError | None = None  # default: the plugin's on_error

    @property
    def label(self) -> str:
        return self.name or self.type


class Override(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # fnmatch globs on the request's model (aliases from [models.routes] included).
    models: list[str] = ["*"]
    validators: list[ValidatorEntry] | None = None  # replaces the list
    disable: list[str] = []  # validator names to leave out
    stream_mode: Literal["buffer", "passthrough"] | None = None
    max_regenerations: int | None = Field(None, ge=0, le=5)


def _default_validators() -> list[ValidatorEntry]:
    return [ValidatorEntry(type="numbers"), ValidatorEntry(type="structured"), ValidatorEntry(type="completeness")]


class ValidateConfig(PluginConfig):
    endpoints: list[str] = [CHAT, COMPLETIONS]
    validators: list[ValidatorEntry] = Field(default_factory=_default_validators)
    max_regenerations: int = Field(1, ge=0, le=5)
    on_error: OnError = "skip"
    # None: buffer when any validator can regenerate / block / fall back, else passthrough.
    stream_mode: Literal["buffer", "passthrough"] | None = None
    passthrough_on_failure: Literal["flag", "error_event"] = "flag"
    safe_message: str = (
        "I'm sorry, I couldn't produce an answer I can verify against your data. "
        "Please try again, or contact support if this keeps happening."
    )
    regeneration_note: str = (
        "Your previous answer could not be verified: {issues}. Answer again using only the numbers, dates, "
        "identifiers and facts that appear in the data provided in this conversation (or follow directly from it). "
        "If the data does not contain the answer, say that you do not know."
    )
    overrides: list[Override] = []
    review_queue: bool = True
    review_answer_chars: int = Field(16_384, ge=256)
    # Streams larger than this are not buffered: the rest is relayed live and validated at the end.
    max_buffer_bytes: int = Field(8 * 1024 * 1024, ge=64 * 1024)
    # Seconds the review-queue write may take before the answer goes out anyway.
    review_timeout: float = Field(2.0, gt=0)

    @model_validator(mode="after")
    def _names_unique(self) -> "ValidateConfig":
        for entries in [self.validators, *[o.validators for o in self.overrides if o.validators is not None]]:
            seen: set[str] = set()
            for e in entries:
                if e.label in seen:
                    raise ValueError(f"validator name {e.label!r} is used twice (give one of them `name = ...`)")
                seen.add(e.label)
        return self


@dataclass(slots=True)
class _Bound:
    entry: ValidatorEntry
    validator: Any


@dataclass(slots=True)
class _Plan:
    validators: list[_Bound]
    stream_mode: str
    max_regenerations: int


@dataclass(slots=True)
class _Outcome:
    results: list[tuple[_Bound, ValidationResult]]  # failures (and errors treated as failures)
    passed: bool
    grounding_failed: bool
    seconds: float


class Validate(Plugin):
    name = "validate"
    Config = ValidateConfig
    config: ValidateConfig

    def __init__(self, config: ValidateConfig, services: Any) -> None:
        super().__init__(config, services)
        self._base = [self._bind(e, f"plugins.validate.validators[{i}]") for i, e in enumerate(config.validators)]
        self._overrides: list[tuple[Override, list[_Bound] | None]] = []
        for j, o in enumerate(config.overrides):
            bound = None
            if o.validators is not None:
                bound = [self._bind(e, f"plugins.validate.overrides[{j}].validators[{i}]") for i, e in enumerate(o.validators)]
            self._overrides.append((o, bound))
        self._plans: dict[str | None, _Plan] = {}
        self.queue: ReviewQueue | None = None
        self._check_fallback_order()

    def _check_fallback_order(self) -> None:
        """The `fallback` action is caught by the fallback plugin only when it is an outer layer."""
        uses = [e for e in [*self.config.validators, *[x for o in self.config.overrides for x in (o.validators or [])]]
                if "fallback" in (e.action, e.then)]
        chain = getattr(getattr(getattr(self.services, "config", None), "chain", None), "plugins", None)
        if not uses or not isinstance(chain, list) or self.name not in chain:
            return
        if "fallback" not in chain:
            log.warning("plugins.validate: the 'fallback' action is configured but the fallback plugin is not in "
                        "chain.plugins; failing answers will get a 502 validation_failed error")
            return
        if chain.index("fallback") > chain.index(self.name):
            raise ConfigError(
                f"plugins.validate: validator {uses[0].label!r} uses the 'fallback' action, which needs the fallback "
                "plugin listed before validate in chain.plugins (the outer layer catches the signal); "
                f"chain.plugins is {chain}. Reorder it, or use regenerate / flag / block."
            )

    def _bind(self, entry: ValidatorEntry, path: str) -> _Bound:
        options = dict(entry.model_extra or {})
        try:
            v = build_validator(entry.type, options, self.services)
        except ValidationError as exc:
            raise ConfigError(format_validation_error(exc, prefix=path)) from exc
        except KeyError as exc:
            raise ConfigError(f"{path}.type: {exc.args[0]} (have: {', '.join(VALIDATOR_TYPES)})") from exc
        return _Bound(entry, v)

    async def startup(self) -> None:
        if self.config.review_queue and self.services is not None and getattr(self.services, "state", None) is not None:
            self.queue = ReviewQueue(self.services.state)

    # -- plan per model ---------------------------------------------------------------------
    def _plan(self, model: str | None) -> _Plan:
        plan = self._plans.get(model)
        if plan is not None:
            return plan
        bound, mode, regen = self._base, self.config.stream_mode, self.config.max_regenerations
        for o, obound in self._overrides:
            if any(fnmatch.fnmatchcase(model or "", g) for g in o.models):
                if obound is not None:
                    bound = obound
                if o.disable:
                    bound = [b for b in bound if b.entry.label not in o.disable]
                mode = o.stream_mode or mode
                regen = o.max_regenerations if o.max_regenerations is not None else regen
        if mode is None:
            strict = any(b.entry.action != "flag" or b.entry.then != "flag" or (b.entry.on_error or self.config.on_error) == "block" for b in bound)
            mode = "buffer" if strict else "passthrough"
        plan = _Plan(bound, mode, regen)
        if len(self._plans) < 1024:
            self._plans[model] = plan
        return plan

    # -- the layer ----------------------------------------------------------------------------
    @staticmethod
    def _own_answer(ctx: RequestContext, resp: ProxyResponse) -> bool:
        """Bulwark's templated answers (rules, human escalation) carry no model claims to check."""
        return resp.origin != UPSTREAM

    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        plan = self._plan(ctx.model)
        if not plan.validators:
            return await call_next(ctx)
        if ctx.stream and plan.stream_mode == "passthrough":
            resp = await call_next(ctx)
            if resp.ok and resp.stream is not None and not self._own_answer(ctx, resp):
                resp.stream = self._passthrough(ctx, plan, resp, resp.stream, ctx.body)
            return resp

        original = ctx.body
        saved = ctx.body_state()
        cache: dict[str, Any] = {}
        regenerations = 0
        grounding_failed = False
        all_issues: list[str] = []
        previous: tuple[ProxyResponse, list[SSEEvent] | None, list[Answer], dict[str, Any], _Outcome] | None = None
        try:
            while True:
                try:
                    resp = await call_next(ctx)
                except AttemptRefused:
                    if previous is None:
                        raise
                    # A budget or token limit refused the regeneration: decide on the answer we have.
                    ctx.record(self.name, regeneration_refused=True)
                    resp, events, answers, meta, outcome = previous
                    return await self._conclude(ctx, resp, events, answers, meta, outcome, regenerations, grounding_failed, all_issues)
                try:
                    if not resp.ok or self._own_answer(ctx, resp):
                        return resp
                    events: list[SSEEvent] | None = None
                    if resp.stream is not None:
                        collected = await self._collect(resp)
                        if collected is None:  # too large to buffer: relayed live, validated at the end
                            resp.stream = self._passthrough(ctx, plan, resp, self._resume(resp), original)
                            return resp
                        events, answers, meta = collected
                    else:
                        data = resp.try_json()
                        if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
                            return resp
                        answers, meta = answers_of(resp), data
                    outcome = await self._validate(ctx, plan, answers, original, cache)
                    grounding_failed = grounding_failed or outcome.grounding_failed
                    if outcome.passed:
                        self._record(ctx, "pass", outcome, regenerations, grounding_failed, all_issues)
                        if regenerations:
                            ctx.response_headers["x-bulwark-validation"] = "regenerated"
                        return self._replay(resp, events)
                    issues = [i for _, r in outcome.results for i in r.issues]
                    all_issues.extend(issues)
                    if self.shadow:
                        self._record(ctx, "shadow_fail", outcome, regenerations, grounding_failed, all_issues, would=self._final(outcome))
                        return self._replay(resp, events)
                    wants_regen = any(b.entry.action == "regenerate" for b, _ in outcome.results)
                    if wants_regen and regenerations < plan.max_regenerations:
                        regenerations += 1
                        self._metric_action("regenerate")
                        await resp.aclose()  # its events (if any) stay in memory for a refused regeneration
                        previous = (resp, events, answers, meta, outcome)
                        ctx.set_body(self._stricter(original, outcome, ctx.endpoint))
                        ctx.ledger.next_cause = Cause.REGENERATION
                        continue
                    return await self._conclude(ctx, resp, events, answers, meta, outcome, regenerations, grounding_failed, all_issues)
                except BaseException:
                    await resp.aclose()  # collection, a validator or the client broke off: release upstream
                    raise

        finally:
            ctx.restore_body(saved)

    async def _conclude(self, ctx: RequestContext, resp: ProxyResponse, events: list[SSEEvent] | None, answers: list[Answer],
                        meta: dict[str, Any], outcome: "_Outcome", regenerations: int, grounding_failed: bool,
                        all_issues: list[str]) -> ProxyResponse:
        """The answer still fails after the regenerations: flag, block or fail over."""
        issues = [i for _, r in outcome.results for i in r.issues]
        action = self._final(outcome)
        self._metric_action(action)
        resp.cacheable = False
        self._record(ctx, action, outcome, regenerations, grounding_failed, all_issues)
        if action != "fallback":
            await self._review(ctx, action, outcome, answers, resp, regenerations, events is not None)
        if action == "flag":
            ctx.response_headers["x-bulwark-validation"] = "flagged"
            return self._replay(resp, events)
        await resp.aclose()
        if action == "fallback":
            raise FailoverRequested(issues, validators=[b.entry.label for b, _ in outcome.results], provider=resp.provider)
        ctx.response_headers["x-bulwark-validation"] = "blocked"
        return self._blocked(ctx, resp, meta, events is not None)

    # -- validation -----------------------------------------------------------------------------
    async def _validate(self, ctx: RequestContext, plan: _Plan, answers: list[Answer], body: dict[str, Any], cache: dict[str, Any]) -> _Outcome:
        started = time.perf_counter()
        failures: list[tuple[_Bound, ValidationResult]] = []
        grounding_failed = False
        metrics = self.services.metrics if self.services is not None else None
        for ans in answers:
            subject = Subject(ans, body, cache, ctx)
            for b in plan.validators:
                label = b.entry.label
                try:
                    res = b.validator.validate(subject)
                    if inspect.isawaitable(res):
                        res = await res
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("request %s: validator %s raised %r", ctx.request_id, label, exc, exc_info=log.isEnabledFor(logging.DEBUG))
                    if metrics is not None:
                        metrics.inc("bulwark_plugin_errors_total", plugin=self.name)
                        metrics.inc("bulwark_validations_total", validator=label, outcome="error")
                    policy = b.entry.on_error or self.config.on_error
                    if policy == "skip":
                        continue
                    forced = ValidatorEntry(type=b.entry.type, name=label, action=policy, then=policy)
                    failures.append((_Bound(forced, b.validator), ValidationResult.fail(label, [f"validator {label} failed: {type(exc).__name__}"])))
                    continue
                res.validator = res.validator or label
                if metrics is not None:
                    metrics.inc("bulwark_validations_total", validator=label, outcome="pass" if res.is_valid else "fail")
                if not res.is_valid:
                    failures.append((b, res))
                    if b.entry.type == "numbers":
                        grounding_failed = True
        return _Outcome(failures, not failures, grounding_failed, time.perf_counter() - started)

    @staticmethod
    def _final(outcome: _Outcome) -> str:
        best = "flag"
        for b, _ in outcome.results:
            a = b.entry.then if b.entry.action == "regenerate" else b.entry.action
            if _SEVERITY[a] > _SEVERITY[best]:
                best = a
        return best

    def _stricter(self, original: dict[str, Any], outcome: _Outcome, endpoint: str) -> dict[str, Any]:
        body = dict(original)
        model = str(body.get("model") or "").lower().rsplit("/", 1)[-1]
        if not model.startswith(_NO_TEMPERATURE):
            body["temperature"] = 0
            body.pop("top_p", None)
        claims: list[str] = []
        for _, r in outcome.results:
            claims.extend(r.unverified or r.issues)
        seen: list[str] = []
        for c in claims:
            if c not in seen:
                seen.append(c)
        named = ", ".join(f'"{c}"' if len(c) < 60 else c for c in seen[:10]) or "the answer did not pass validation"
        note = self.config.regeneration_note.replace("{issues}", named)
        if endpoint == CHAT and isinstance(body.get("messages"), list):
            body["messages"] = [*body["messages"], {"role": "system", "content": note}]
        return body

    def _metric_action(self, action: str) -> None:
        if self.services is not None:
            self.services.metrics.inc("bulwark_validation_actions_total", action=action)

    def _record(self, ctx: RequestContext, outcome_name: str, outcome: _Outcome, regenerations: int,
                grounding_failed: bool, all_issues: list[str], would: str | None = None) -> None:
        fields: dict[str, Any] = {
            "validated": True,
            "outcome": outcome_name,
            "grounding_failed": grounding_failed,
            "regenerations": regenerations,
            "flagged": outcome_name == "flag",
            "blocked": outcome_name == "block",
            "issues": all_issues[:20],
            "failed_validators": sorted({b.entry.label for b, _ in outcome.results}),
            "validation_ms": round(outcome.seconds * 1000, 3),
        }
        if would:
            fields.update(shadow=True, would=would)
        ctx.record(self.name, **fields)
        ctx.verdict = Verdict(validated=True, grounding_failed=grounding_failed, outcome=outcome_name, regenerations=regenerations)
        span = ctx.span
        if span is not None:
            try:
                span.set_attribute("bulwark.validation.outcome", outcome_name)
                span.set_attribute("bulwark.validation.grounding_failed", grounding_failed)
                span.set_attribute("bulwark.validation.regenerations", regenerations)
                if fields["failed_validators"]:
                    span.set_attribute("bulwark.validation.failed", fields["failed_validators"])
            except Exception:  # telemetry must never break a request
                pass

    async def _review(self, ctx: RequestContext, action: str, outcome: _Outcome, answers: list[Answer],
                      resp: ProxyResponse, regenerations: int, stream: bool) -> None:
        if self.queue is None:
            return
        rec = review_record(
            ctx, action=action,
            issues=[i for _, r in outcome.results for i in r.issues],
            validators=sorted({b.entry.label for b, _ in outcome.results}),
            answers=[a.to_record(self.config.review_answer_chars) for a in answers],
            model=resp.model or ctx.model, provider=resp.provider, regenerations=regenerations, stream=stream,
        )
        rec["upstream_request_id"] = resp.headers.get("x-request-id")
        try:
            rid = await asyncio.wait_for(self.queue.add(rec), self.config.review_timeout)
            ctx.record(self.name, review_id=rid)
            ctx.response_headers["x-bulwark-review-id"] = rid
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the answer still goes out; the failure is logged and counted
            log.warning("request %s: could not write the review queue: %r", ctx.request_id, exc)
            if self.services is not None:
                self.services.metrics.inc("bulwark_plugin_errors_total", plugin=self.name)

    # -- streams ----------------------------------------------------------------------------------
    async def _collect(self, resp: ProxyResponse) -> tuple[list[SSEEvent], list[Answer], dict[str, Any]] | None:
        """Buffer the whole stream; its answer is the one assembly dispatch fed as it passed."""
        assert resp.stream is not None
        events: list[SSEEvent] = []
        size = 0
        it = resp.stream.__aiter__()
        async for ev in it:
            events.append(ev)
            size += len(ev.raw)
            if size > self.config.max_buffer_bytes:
                resp.stream = _chain_events(events, it)
                return None
        asm = resp.assembly or Assembly()
        meta = {"id": asm.id, "created": asm.created, "model": asm.model}
        if asm.usage:
            meta["usage"] = asm.usage
        return events, asm.answers(), meta

    @staticmethod
    def _resume(resp: ProxyResponse) -> AsyncIterator[SSEEvent]:
        assert resp.stream is not None
        return resp.stream

    @staticmethod
    def _replay(resp: ProxyResponse, events: list[SSEEvent] | None) -> ProxyResponse:
        if events is not None:
            resp.stream = _iterate(events)
        return resp

    async def _passthrough(self, ctx: RequestContext, plan: _Plan, resp: ProxyResponse,
                           stream: AsyncIterator[SSEEvent], body: dict[str, Any]) -> AsyncIterator[SSEEvent]:
        done: SSEEvent | None = None
        async for ev in stream:
            if ev.is_done:
                done = ev
                continue
            yield ev
        answers = (resp.assembly or Assembly()).answers()
        outcome = await self._validate(ctx, plan, answers, body, {})
        if outcome.passed:
            self._record(ctx, "pass", outcome, 0, False, [])
        else:
            issues = [i for _, r in outcome.results for i in r.issues]
            if self.shadow:
                self._record(ctx, "shadow_fail", outcome, 0, outcome.grounding_failed, issues, would="flag")
            else:
                resp.cacheable = False
                action = "flag"
                self._metric_action(action)
                self._record(ctx, action, outcome, 0, outcome.grounding_failed, issues)
                await self._review(ctx, action, outcome, answers, resp, 0, True)
                if self.config.passthrough_on_failure == "error_event":
                    raise ValidationFailed(
                        "The answer above failed Bulwark's response validation (" + "; ".join(issues[:3]) + "); do not rely on it.",
                        issues,
                    )
                yield SSEEvent.comment("bulwark-validation: flagged")
        if done is not None:
            yield done

    def _blocked(self, ctx: RequestContext, resp: ProxyResponse, meta: dict[str, Any], stream: bool) -> ProxyResponse:
        cid = meta.get("id") or f"chatcmpl-bulwark-{uuid.uuid4().hex[:24]}"
        created = meta.get("created") or int(time.time())
        model = meta.get("model") or ctx.model or "unknown"
        usage = meta.get("usage")
        headers = {k: v for k, v in resp.headers.items() if k.lower().startswith(("x-", "openai-"))}
        msg = self.config.safe_message
        if ctx.endpoint == COMPLETIONS:
            obj_type, chunk_type = "text_completion", "text_completion"
        else:
            obj_type, chunk_type = "chat.completion", "chat.completion.chunk"
        if not stream:
            if ctx.endpoint == COMPLETIONS:
                choice: dict[str, Any] = {"index": 0, "text": msg, "logprobs": None, "finish_reason": "stop"}
            else:
                choice = {"index": 0, "message": {"role": "assistant", "content": msg, "refusal": None}, "logprobs": None, "finish_reason": "stop"}
            body: dict[str, Any] = {"id": cid, "object": obj_type, "created": created, "model": model, "choices": [choice]}
            if usage:
                body["usage"] = usage
            return ProxyResponse.from_json(body, headers=headers, provider=resp.provider, model=resp.model)

        def chunk(delta: dict[str, Any], finish: str | None) -> SSEEvent:
            if ctx.endpoint == COMPLETIONS:
                c: dict[str, Any] = {"index": 0, "text": delta.get("content", ""), "logprobs": None, "finish_reason": finish}
            else:
                c = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return SSEEvent.from_json({"id": cid, "object": chunk_type, "created": created, "model": model, "choices": [c]})

        events = [chunk({"role": "assistant", "content": ""}, None), chunk({"content": msg}, None), chunk({}, "stop")]
        if ctx.wants_usage_chunk and usage:
            events.append(SSEEvent.from_json({"id": cid, "object": chunk_type, "created": created, "model": model, "choices": [], "usage": usage}))
        events.append(SSEEvent.done())
        h = {**headers, "Content-Type": "text/event-stream; charset=utf-8"}
        return ProxyResponse.from_events(_iterate(events), headers=h, provider=resp.provider, model=resp.model)

    # -- admin API -----------------------------------------------------------------------------------
    def admin_routes(self) -> list[tuple[str, str, Any]]:
        return [
            ("GET", "review", self._admin_list),
            ("GET", "review/{id}", self._admin_get),
            ("POST", "review/{id}/resolve", self._admin_resolve),
        ]

    def _q(self) -> ReviewQueue:
        if self.queue is None:
            self.queue = ReviewQueue(self.services.state)
        return self.queue

    async def _admin_list(self, request: web.Request) -> web.Response:
        status = request.query.get("status") or None
        try:
            limit = max(1, min(1000, int(request.query.get("limit", "100"))))
        except ValueError:
            raise BadRequest("`limit` must be an integer between 1 and 1000.", param="limit") from None
        records = await self._q().list(limit=limit, status=status)
        return web.json_response({"object": "list", "data": records}, dumps=lambda o: orjson.dumps(o).decode())

    async def _admin_get(self, request: web.Request) -> web.Response:
        rid = request.match_info["id"]
        rec = await self._q().get(rid)
        if rec is None:
            raise NotFound(f"No review record {rid!r}; list them with GET /admin/review.")
        return web.json_response(rec, dumps=lambda o: orjson.dumps(o).decode())

    async def _admin_resolve(self, request: web.Request) -> web.Response:
        rid = request.match_info["id"]
        note = by = resolution = None
        if request.can_read_body:
            try:
                data = orjson.loads(await request.read() or b"{}")
            except orjson.JSONDecodeError:
                raise BadRequest("The body must be JSON like {\"note\": \"...\", \"resolution\": \"false_positive\"}.") from None
            if isinstance(data, dict):
                note, by, resolution = data.get("note"), data.get("by"), data.get("resolution")
        rec = await self._q().resolve(rid, note=note, by=by or "admin-api", resolution=resolution)
        if rec is None:
            raise NotFound(f"No review record {rid!r}; list them with GET /admin/review.")
        return web.json_response(rec, dumps=lambda o: orjson.dumps(o).decode())
