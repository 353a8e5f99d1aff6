"""The validate layer: plans per model, the whole-answer loop, the stream modes, the books."""
from __future__ import annotations

import asyncio
import fnmatch
import logging
from typing import Any, AsyncIterator

import orjson
from aiohttp import web
from pydantic import ValidationError

from proxy.assembly import Assembly
from proxy.config import format_validation_error
from proxy.context import CHAT, COMPLETIONS, RequestContext, Verdict
from proxy.errors import BadRequest, ConfigError, FailoverRequested, NotFound
from proxy.ledger import AttemptRefused, Cause
from proxy.plugin import Next, Plugin
from proxy.response import BULWARK, UPSTREAM, ProxyResponse
from proxy.sse import SSEEvent

from .answers import Head, replacement_body, replacement_events, structured_request, withheld_text
from .assemble import _chain_events, _iterate, answers_of
from .config import Override, ValidateConfig, ValidatorEntry
from .guard import Guard
from .outcome import Bound, Outcome, Plan, run_validators
from .review import ReviewQueue, review_record
from .second_opinion import SecondOpinion
from .validators import VALIDATOR_TYPES, build_validator
from .validators.base import Answer, ValidationFailed

log = logging.getLogger("bulwark.validate")

_NO_TEMPERATURE = ("o1", "o3", "o4", "gpt-5")  # reasoning models reject `temperature`
_HEADER = {"flag": "flagged", "withhold": "withheld", "block": "blocked"}
# Validators that can only judge a whole answer; when one of them may change it, a stream is buffered.
_WHOLE_ONLY = frozenset(("judge",))


class Validate(Plugin):
    name = "validate"
    Config = ValidateConfig
    config: ValidateConfig

    def __init__(self, config: ValidateConfig, services: Any) -> None:
        super().__init__(config, services)
        self._base = [self._bind(e, f"plugins.validate.validators[{i}]") for i, e in enumerate(config.validators)]
        self._overrides: list[tuple[Override, list[Bound] | None]] = []
        for j, o in enumerate(config.overrides):
            bound = None
            if o.validators is not None:
                bound = [self._bind(e, f"plugins.validate.overrides[{j}].validators[{i}]") for i, e in enumerate(o.validators)]
            self._overrides.append((o, bound))
        self._plans: dict[str | None, Plan] = {}
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
                f"chain.plugins is {chain}. Reorder it, or use regenerate / flag / withhold / block."
            )

    def _bind(self, entry: ValidatorEntry, path: str) -> Bound:
        options = dict(entry.model_extra or {})
        try:
            v = build_validator(entry.type, options, self.services)
        except ValidationError as exc:
            raise ConfigError(format_validation_error(exc, prefix=path)) from exc
        except KeyError as exc:
            raise ConfigError(f"{path}.type: {exc.args[0]} (have: {', '.join(VALIDATOR_TYPES)})") from exc
        second = SecondOpinion(entry.second_opinion, self.services) if entry.second_opinion is not None else None
        return Bound(entry, v, second)

    async def startup(self) -> None:
        if self.config.review_queue and self.services is not None and getattr(self.services, "state", None) is not None:
            self.queue = ReviewQueue(self.services.state)

    @property
    def metrics(self) -> Any:
        return self.services.metrics if self.services is not None else None

    # -- plan per model ---------------------------------------------------------------------
    def _plan(self, model: str | None) -> Plan:
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
            changes = [b for b in bound if b.entry.final != "flag" or b.entry.action == "regenerate"
                       or (b.entry.on_error or self.config.on_error) == "block"]
            if not changes:
                mode = "passthrough"
            elif any(b.entry.type in _WHOLE_ONLY for b in changes):
                mode = "buffer"
            else:
                mode = "guarded"
        plan = Plan(bound, mode, regen)
        if len(self._plans) < 1024:
            self._plans[model] = plan
        return plan

    # -- the layer ----------------------------------------------------------------------------
    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        plan = self._plan(ctx.model)
        if not plan.validators:
            return await call_next(ctx)
        if ctx.stream:
            mode = plan.stream_mode
            if self.shadow:
                mode = "passthrough"  # shadow never holds or changes what the client gets
            elif mode == "guarded" and isinstance(ctx.body.get("n"), int) and ctx.body["n"] > 1:
                mode = "buffer"  # one answer at a time is guarded; several choices are held whole
            if mode == "passthrough":
                resp = await call_next(ctx)
                if resp.ok and resp.stream is not None and resp.origin == UPSTREAM:
                    resp.stream = self._passthrough(ctx, plan, resp, resp.stream, ctx.body)
                return resp
            if mode == "guarded":
                return await self._guarded(ctx, plan, call_next)
        return await self._whole(ctx, plan, call_next)

    async def _guarded(self, ctx: RequestContext, plan: Plan, call_next: Next) -> ProxyResponse:
        resp = await call_next(ctx)
        if not resp.ok or resp.stream is None or resp.origin != UPSTREAM:
            return resp
        agen = Guard(self, ctx, plan, resp, call_next, ctx.body).events()
        # Run it to its first event: what happens before the client has anything (a regeneration,
        # a fallback signal, a refusal) is still a plain HTTP answer with headers.
        try:
            first: SSEEvent | None = await agen.__anext__()
        except StopAsyncIteration:
            first = None
        resp.stream = _prepend(first, agen)
        return resp

    async def _whole(self, ctx: RequestContext, plan: Plan, call_next: Next) -> ProxyResponse:
        """Plain answers and buffered streams: check the whole answer, regenerate, conclude."""
        original = ctx.body
        saved = ctx.body_state()
        cache: dict[str, Any] = {}
        regenerations = 0
        grounding_failed = False
        all_issues: list[str] = []
        previous: tuple[ProxyResponse, list[SSEEvent] | None, list[Answer], Outcome] | None = None
        try:
            while True:
                try:
                    resp = await call_next(ctx)
                except AttemptRefused:
                    if previous is None:
                        raise
                    # A budget or token limit refused the regeneration: decide on the answer we have.
                    ctx.record(self.name, regeneration_refused=True)
                    resp, events, answers, outcome = previous
                    return await self._conclude(ctx, resp, events, answers, outcome, regenerations, grounding_failed, all_issues)
                try:
                    if not resp.ok or resp.origin != UPSTREAM:
                        return resp
                    events: list[SSEEvent] | None = None
                    if resp.stream is not None:
                        collected = await self._collect(resp)
                        if collected is None:  # too large to buffer: relayed live, validated at the end
                            resp.stream = self._passthrough(ctx, plan, resp, self._resume(resp), original)
                            return resp
                        events, answers = collected
                    else:
                        data = resp.try_json()
                        if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
                            return resp
                        answers = answers_of(resp)
                    outcome = await run_validators(ctx, plan.validators, answers, original, cache, self.config.on_error, self.metrics)
                    grounding_failed = grounding_failed or outcome.grounding_failed
                    if outcome.passed:
                        self.record(ctx, "pass", outcome, regenerations, grounding_failed, all_issues)
                        if regenerations:
                            ctx.response_headers["x-bulwark-validation"] = "regenerated"
                        return self._replay(resp, events)
                    all_issues.extend(outcome.issues)
                    if self.shadow:
                        self.record(ctx, "shadow_fail", outcome, regenerations, grounding_failed, all_issues, would=outcome.final)
                        return self._replay(resp, events)
                    if outcome.wants_regeneration and regenerations < plan.max_regenerations:
                        regenerations += 1
                        self.metric_action("regenerate")
                        await resp.aclose()  # its events (if any) stay in memory for a refused regeneration
                        previous = (resp, events, answers, outcome)
                        ctx.set_body(self._stricter(original, outcome, ctx.endpoint))
                        ctx.ledger.next_cause = Cause.REGENERATION
                        continue
                    return await self._conclude(ctx, resp, events, answers, outcome, regenerations, grounding_failed, all_issues)
                except BaseException:
                    await resp.aclose()  # collection, a validator or the client broke off: release upstream
                    raise
        finally:
            ctx.restore_body(saved)

    async def _conclude(self, ctx: RequestContext, resp: ProxyResponse, events: list[SSEEvent] | None, answers: list[Answer],
                        outcome: Outcome, regenerations: int, grounding_failed: bool, all_issues: list[str]) -> ProxyResponse:
        """The answer still fails after the regenerations: flag, withhold, block or fail over."""
        action = outcome.final
        self.metric_action(action)
        resp.cacheable = False
        self.record(ctx, action, outcome, regenerations, grounding_failed, all_issues)
        if action != "fallback":
            await self.review(ctx, action, outcome, answers, resp, regenerations, events is not None)
        if action == "flag":
            ctx.response_headers["x-bulwark-validation"] = "flagged"
            return self._replay(resp, events)
        await resp.aclose()
        if action == "fallback":
            raise FailoverRequested(outcome.issues, validators=outcome.labels, provider=resp.provider)
        ctx.response_headers["x-bulwark-validation"] = _HEADER[action]
        return self._replacement(ctx, resp, answers, outcome, action, events is not None)

    def _replacement(self, ctx: RequestContext, resp: ProxyResponse, answers: list[Answer], outcome: Outcome,
                     action: str, stream: bool) -> ProxyResponse:
        """What goes out instead: the verified part and the safe ending (withhold), the safe
        message, or the refusal of a structured request."""
        asm = resp.assembly or Assembly()
        head = Head(asm.id, asm.created, asm.model or ctx.model, ctx.endpoint)
        refusal = ctx.endpoint == CHAT and structured_request(ctx.body)
        text = self.config.safe_message
        pos = outcome.first_position
        if action == "withhold" and not refusal and pos is not None and len(answers) == 1 and answers[0].content:
            text = withheld_text(answers[0].content, pos, self.config.safe_message, self.config.safe_ending)
        headers = {k: v for k, v in resp.headers.items() if k.lower().startswith(("x-", "openai-"))}
        if not stream:
            body = replacement_body(head, ctx.endpoint, text, refusal, asm.usage)
            out = ProxyResponse.from_json(body, headers=headers, provider=resp.provider, model=resp.model, origin=BULWARK)
        else:
            events = replacement_events(head, ctx.endpoint, text, refusal, asm.usage, ctx.wants_usage_chunk)
            h = {**headers, "Content-Type": "text/event-stream; charset=utf-8"}
            out = ProxyResponse.from_events(_iterate(events), headers=h, provider=resp.provider, model=resp.model, origin=BULWARK)
        out.attempt = resp.attempt
        out.cacheable = False
        return out

    # -- regeneration bodies ------------------------------------------------------------------------
    def _stricter(self, original: dict[str, Any], outcome: Outcome, endpoint: str) -> dict[str, Any]:
        body = _temperature_zero(original)
        note = self.config.regeneration_note.replace("{issues}", _named(outcome))
        if endpoint == CHAT and isinstance(body.get("messages"), list):
            body["messages"] = [*body["messages"], {"role": "system", "content": note}]
        return body

    def regeneration_body(self, original: dict[str, Any], outcome: Outcome, endpoint: str, prefix: str) -> dict[str, Any]:
        """A regeneration mid-stream: a fresh answer when nothing was delivered, else a
        continuation of the delivered prefix."""
        if not prefix.strip():
            return self._stricter(original, outcome, endpoint)
        body = _temperature_zero(original)
        note = self.config.continuation_note.replace("{issues}", _named(outcome))
        if endpoint == CHAT and isinstance(body.get("messages"), list):
            body["messages"] = [*body["messages"], {"role": "assistant", "content": prefix}, {"role": "system", "content": note}]
        elif endpoint == COMPLETIONS and isinstance(body.get("prompt"), str):
            body["prompt"] = body["prompt"] + prefix  # a completion continues its prompt by nature
        return body

    # -- books ----------------------------------------------------------------------------------------
    def metric_action(self, action: str) -> None:
        if self.metrics is not None:
            self.metrics.inc("bulwark_validation_actions_total", action=action)

    def count_validation(self, label: str, passed: bool) -> None:
        if self.metrics is not None:
            self.metrics.inc("bulwark_validations_total", validator=label, outcome="pass" if passed else "fail")

    def record(self, ctx: RequestContext, outcome_name: str, outcome: Outcome, regenerations: int,
               grounding_failed: bool, all_issues: list[str], would: str | None = None) -> None:
        fields: dict[str, Any] = {
            "validated": True,
            "outcome": outcome_name,
            "grounding_failed": grounding_failed,
            "regenerations": regenerations,
            "flagged": outcome_name == "flag",
            "withheld": outcome_name == "withhold",
            "blocked": outcome_name == "block",
            "issues": all_issues[:20],
            "failed_validators": outcome.labels,
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

    async def review(self, ctx: RequestContext, action: str, outcome: Outcome, answers: list[Answer],
                     resp: ProxyResponse, regenerations: int, stream: bool, delivered: str | None = None) -> None:
        if self.queue is None:
            return
        rec = review_record(
            ctx, action=action, issues=outcome.issues, validators=outcome.labels,
            answers=[a.to_record(self.config.review_answer_chars) for a in answers],
            model=resp.model or ctx.model, provider=resp.provider, regenerations=regenerations, stream=stream,
        )
        rec["upstream_request_id"] = resp.headers.get("x-request-id")
        if delivered is not None:
            rec["delivered"] = delivered[: self.config.review_answer_chars]
        try:
            rid = await asyncio.wait_for(self.queue.add(rec), self.config.review_timeout)
            ctx.record(self.name, review_id=rid)
            ctx.response_headers["x-bulwark-review-id"] = rid
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the answer still goes out; the failure is logged and counted
            log.warning("request %s: could not write the review queue: %r", ctx.request_id, exc)
            if self.metrics is not None:
                self.metrics.inc("bulwark_plugin_errors_total", plugin=self.name)

    # -- buffered and passthrough streams -----------------------------------------------------------
    async def _collect(self, resp: ProxyResponse) -> tuple[list[SSEEvent], list[Answer]] | None:
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
        return events, (resp.assembly or Assembly()).answers()

    @staticmethod
    def _resume(resp: ProxyResponse) -> AsyncIterator[SSEEvent]:
        assert resp.stream is not None
        return resp.stream

    @staticmethod
    def _replay(resp: ProxyResponse, events: list[SSEEvent] | None) -> ProxyResponse:
        if events is not None:
            resp.stream = _iterate(events)
        return resp

    async def _passthrough(self, ctx: RequestContext, plan: Plan, resp: ProxyResponse,
                           stream: AsyncIterator[SSEEvent], body: dict[str, Any]) -> AsyncIterator[SSEEvent]:
        done: SSEEvent | None = None
        held: SSEEvent | None = None  # an event the next follows at once: yielded with it (see below)
        async for ev in stream:
            if held is not None:
                # `[DONE]` waits for the validators, so the event before it is the last one that
                # goes out now: it must not say that another follows at once (the edge would hold it)
                held.more = not ev.is_done and held.more
                yield held
                held = None
            if ev.is_done:
                done = ev
                continue
            if ev.more:
                held = ev
                continue
            yield ev
        if held is not None:
            held.more = False
            yield held
        answers = (resp.assembly or Assembly()).answers()
        outcome = await run_validators(ctx, plan.validators, answers, body, {}, self.config.on_error, self.metrics)
        if outcome.passed:
            self.record(ctx, "pass", outcome, 0, False, [])
        else:
            issues = outcome.issues
            if self.shadow:
                self.record(ctx, "shadow_fail", outcome, 0, outcome.grounding_failed, issues, would=outcome.final)
            else:
                resp.cacheable = False
                self.metric_action("flag")
                self.record(ctx, "flag", outcome, 0, outcome.grounding_failed, issues)
                await self.review(ctx, "flag", outcome, answers, resp, 0, True)
                if self.config.passthrough_on_failure == "error_event":
                    raise ValidationFailed(
                        "The answer above failed Bulwark's response validation (" + "; ".join(issues[:3]) + "); do not rely on it.",
                        issues,
                    )
                yield SSEEvent.comment("bulwark-validation: flagged")
        if done is not None:
            yield done

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


def _temperature_zero(original: dict[str, Any]) -> dict[str, Any]:
    body = dict(original)
    model = str(body.get("model") or "").lower().rsplit("/", 1)[-1]
    if not model.startswith(_NO_TEMPERATURE):
        body["temperature"] = 0
        body.pop("top_p", None)
    return body


def _named(outcome: Outcome) -> str:
    """The unverified claims, quoted back to the model."""
    seen: list[str] = []
    for _, r in outcome.results:
        for c in r.unverified or r.issues:
            if c not in seen:
                seen.append(c)
    return ", ".join(f'"{c}"' if len(c) < 60 else c for c in seen[:10]) or "the answer did not pass validation"


async def _prepend(first: SSEEvent | None, rest: AsyncIterator[SSEEvent]) -> AsyncIterator[SSEEvent]:
    try:
        if first is not None:
            yield first
        async for ev in rest:
            yield ev
    finally:
        aclose = getattr(rest, "aclose", None)
        if aclose is not None:
            await aclose()
