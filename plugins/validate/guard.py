"""Live guarded streaming: the answer streams as it arrives, only what is under check is held.

- Text goes out at once unless it may be (part of) a claim: from a number-bearing token to the
  end of its sentence, the text is held until the sentence's claims are grounded, then sent.
  Deny patterns are checked on everything sent (`checks.TextChecks`).
- JSON for `response_format` and tool-call arguments are held until the answer is complete,
  checked whole, then sent as they came.
- A failed claim: the text before it is sent; if the validator regenerates, the model is asked
  to continue from exactly there (the delivered prefix is fixed; attempt cause `regeneration`)
  and its stream is spliced in (same id / created / model, no second role chunk, joined at a
  word boundary, repeats of the prefix dropped: `splice.Joiner`). When no regeneration is left,
  a budget refuses it, or the validator's final action is withhold / block, the answer ends with
  the safe ending as normal text and a well-formed end: finish chunk, usage chunk when asked
  for, `[DONE]`. `flag` sends the span as is and marks the answer.
- Nothing is yielded before the first content is released, so a failure that happens before
  it can still be an HTTP answer (a fallback signal, a refusal with headers).
- `resp.assembly` is the answer delivered (fed with every event sent); the attempts keep theirs.
"""
from __future__ import annotations

import logging
from collections import deque
from typing import Any, AsyncIterator, Protocol

from proxy.assembly import Assembly
from proxy.context import COMPLETIONS, RequestContext
from proxy.errors import FailoverRequested, ProxyError
from proxy.ledger import AttemptRefused, Cause
from proxy.plugin import Next
from proxy.response import UPSTREAM, ProxyResponse
from proxy.sse import SSEEvent

from .answers import Head, join_ending, refusal_events, structured_request, text_chunk
from .checks import Failure, TextChecks
from .outcome import SPAN_TYPES, Outcome, Plan, run_validators
from .second_opinion import Verdicts
from .splice import Joiner
from .validators.base import Answer, Subject, ToolCall



class Host(Protocol):
    """What the guard needs of the validate plugin (its settings and its books)."""

    name: str
    config: Any
    metrics: Any

    def regeneration_body(self, original: dict[str, Any], outcome: Outcome, endpoint: str, prefix: str) -> dict[str, Any]: ...
    def metric_action(self, action: str) -> None: ...
    def count_validation(self, label: str, passed: bool) -> None: ...
    def record(self, ctx: RequestContext, outcome_name: str, outcome: Outcome, regenerations: int,
               grounding_failed: bool, all_issues: list[str], would: str | None = None) -> None: ...
    async def review(self, ctx: RequestContext, action: str, outcome: Outcome, answers: list[Answer],
                     resp: ProxyResponse, regenerations: int, stream: bool, delivered: str | None = None) -> None: ...


log = logging.getLogger("bulwark.validate")


class _Item:
    """A held piece of the answer: text [start, end) of the guard's text, or a whole event."""

    __slots__ = ("start", "end", "obj", "ev")

    def __init__(self, start: int, end: int, obj: dict[str, Any] | None, ev: SSEEvent | None) -> None:
        self.start, self.end, self.obj, self.ev = start, end, obj, ev

    @property
    def is_text(self) -> bool:
        return self.end > self.start


def _json_format(body: dict[str, Any]) -> bool:
    rf = body.get("response_format")
    return isinstance(rf, dict) and rf.get("type") in ("json_object", "json_schema")


class Guard:
    def __init__(self, plugin: Host, ctx: RequestContext, plan: Plan, resp: ProxyResponse, call_next: Next,
                 body: dict[str, Any]) -> None:
        self.p, self.cfg, self.ctx, self.plan, self.call_next, self.body = plugin, plugin.config, ctx, plan, call_next, body
        self.endpoint = ctx.endpoint
        self.resp = resp
        self.cur = resp
        assert resp.stream is not None
        self.src = resp.stream.__aiter__()
        self.cache: dict[str, Any] = {}
        json_answer = _json_format(body)
        span = [b for b in plan.validators if b.entry.type in SPAN_TYPES and not json_answer]
        self.end_validators = [b for b in plan.validators if b not in span]
        self.checks = TextChecks(span, Subject(Answer(None), body, self.cache, ctx), self.cfg.max_hold_chars)
        self.json_answer = json_answer
        self.hold_all = json_answer  # release nothing before the end (JSON; tool calls once they start)
        self.head: Head | None = None
        self.text = ""
        self.released = 0
        self.queue: deque[_Item] = deque()
        self.role_ev: SSEEvent | None = None
        self.role_sent = False
        self.final = False  # the current attempt's finish chunk has arrived
        self.finish: tuple[dict[str, Any], SSEEvent | None] | None = None
        self.usage_ev: SSEEvent | None = None
        self.joiner: Joiner | None = None
        self.rewrite = False  # events of a regeneration carry the first attempt's id / created / model
        self.attempts = [resp]
        self.regenerations = 0
        self.failures: list[Failure] = []
        self.flagged = False
        self.rejected: list[str] = []  # the attempt texts a failure cut (for the review queue)
        self.ended = False
        self.outcome = "pass"
        self.delivered = Assembly()
        resp.assembly = self.delivered
        self.verdicts = Verdicts()  # second opinions on uncertain claims, by position in self.text
        self.deferred = False  # a check was left to a later event of the same read (`SSEEvent.more`)
        self.pending_failure: Failure | None = None  # found with text released: that text goes out first
        self.pending_finish: tuple[dict[str, Any], SSEEvent] | None = None  # the finish that came with it

    # -- the stream -----------------------------------------------------------------------------
    async def events(self) -> AsyncIterator[SSEEvent]:
        try:
            while not self.ended:
                try:
                    ev = await self.src.__anext__()
                except StopAsyncIteration:
                    out = await self._upstream_ended()
                else:
                    out = await self._on_event(ev)
                    if self.deferred and not ev.more and not self.ended:
                        out += await self._advance(stash=True)  # the read ended on an event that runs no check
                for e in self._delivering(out):
                    yield e
                while self.pending_failure is not None and not self.ended:
                    failure, self.pending_failure = self.pending_failure, None
                    before = self.cur
                    out = await self._failed(failure)
                    finish, self.pending_finish = self.pending_finish, None
                    if finish is not None and not self.ended and self.cur is before:  # flagged: the answer goes on
                        self.finish = finish
                        out += await self._finished()
                    for e in self._delivering(out):
                        yield e
        finally:
            await self._close_current()

    def _delivering(self, out: list[SSEEvent]) -> list[SSEEvent]:
        """`out` as it goes to the client: fed to the delivered assembly, and marked so that only
        the events of one release are written together (what follows may be held, or come later:
        `SSEEvent.more` is about the guard's output from here on)."""
        last = len(out) - 1
        for i, e in enumerate(out):
            if e.data is not None:
                self.delivered.feed(e)
            e.more = i < last
        return out

    async def _on_event(self, ev: SSEEvent) -> list[SSEEvent]:
        obj = ev.chunk()
        if obj is None:
            if ev.is_done:
                return await self._upstream_ended()
            if ev.data is None:
                # comments: keep-alives, harmless anywhere; text left to this read goes out before one
                out = await self._advance(stash=True) if self.deferred else []
                if self.role_sent:
                    out.append(ev)
                return out
            self.queue.append(_Item(len(self.text), len(self.text), None, ev))
            return await self._advance(defer=ev.more and self.role_sent, stash=True)
        if self.head is None:
            self.head = Head(obj.get("id"), obj.get("created"), obj.get("model"), self.endpoint)
        choices = obj.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            if obj.get("usage"):
                self.usage_ev = ev
                return []
            self.queue.append(_Item(len(self.text), len(self.text), obj, None if self.rewrite else ev))
            return await self._advance(defer=ev.more and self.role_sent, stash=True)
        c = choices[0]
        finish = c.get("finish_reason")
        if self.endpoint == COMPLETIONS:
            piece = c.get("text") if isinstance(c.get("text"), str) else ""
        else:
            delta = c.get("delta") if isinstance(c.get("delta"), dict) else {}
            piece = delta.get("content") if isinstance(delta.get("content"), str) else ""
            other = delta.get("tool_calls") or delta.get("function_call") or delta.get("refusal")
            if other:
                if delta.get("tool_calls") or delta.get("function_call"):
                    self.hold_all = True  # arguments are checked when complete
                self.queue.append(_Item(len(self.text), len(self.text), self._strip(obj, keep_text=False),
                                        None if (self.rewrite or piece) else ev))
            elif delta.get("role") and not piece and not finish:
                if self.role_ev is None and not self.rewrite:
                    self.role_ev = ev
                return []
        if piece:
            self._add_text(piece, obj, ev if not (self.rewrite or finish) else None)
        if finish:
            out: list[SSEEvent] = []
            if self.deferred or piece:
                # the read's text is released before the whole answer is checked, so what precedes
                # a failing claim is not held for the regeneration: the finish waits for the failure
                out = await self._advance(stash=True)
                if self.pending_failure is not None:
                    self.pending_finish = (obj, ev)
                    return out
            self.finish = (obj, ev)
            return out + await self._finished()
        return await self._advance(defer=ev.more and self.role_sent, stash=True)

    def _add_text(self, piece: str, obj: dict[str, Any], ev: SSEEvent | None) -> None:
        if self.joiner is not None:
            piece = self.joiner.feed(piece, final=self.final)
            ev = None
        if piece:
            a = len(self.text)
            self.text += piece
            self.queue.append(_Item(a, len(self.text), obj, ev))

    # -- releasing ---------------------------------------------------------------------------------
    async def _advance(self, defer: bool = False, stash: bool = False) -> list[SSEEvent]:
        """Check what has arrived and release what may go out. `defer`: the event that arrived
        is followed at once by another of the same upstream read (`SSEEvent.more`), which runs
        the check instead: one check per read, not per event (`events` runs it when a read ends
        on an event that checks nothing). Callers defer only once the first content is out:
        until then each event is checked as it comes, so the first words are not held while
        the rest of the read (and its claims) is checked (time to first content). `stash`: a
        failure found while text is released is left to `events`, which sends that text first."""
        if self.json_answer:
            return []
        if defer:
            self.deferred = True
            return []
        self.deferred = False
        limit, failure = self.checks.step(self.text, self.released, self.final)
        out = self._release(limit)
        if failure is not None:
            if out and stash:
                # text of this read before the failing claim goes out now, not after the
                # regeneration's (or second opinion's) round trip: `events` handles the failure next
                self.pending_failure = failure
                return out
            out += await self._failed(failure)
        return out

    def _release(self, limit: int, everything: bool = False) -> list[SSEEvent]:
        out: list[SSEEvent] = []
        while self.queue:
            item = self.queue[0]
            if item.is_text:
                if item.start >= limit:
                    break
                if item.end <= limit:
                    self.queue.popleft()
                    ev = item.ev if item.ev is not None else self._text_event(item.obj, self.text[item.start:item.end])
                    self._role(out, ev)
                    out.append(ev)
                    continue
                head = self.text[item.start:limit]
                if head.strip():  # a piece cut at the limit (white space alone waits with its word)
                    ev = self._text_event(item.obj, head)
                    item.start, item.ev = limit, None
                    self._role(out, ev)
                    out.append(ev)
                    self.released = max(self.released, limit)
                else:
                    self.released = max(self.released, item.start)
                return out
            else:
                if (self.hold_all and not everything) or item.start > limit:
                    break
                self.queue.popleft()
                ev = item.ev if item.ev is not None else SSEEvent.from_json(self._ids(item.obj or {}))
                self._role(out, ev)
                out.append(ev)
        self.released = max(self.released, min(limit, len(self.text)))
        return out

    def _role(self, out: list[SSEEvent], first: SSEEvent) -> None:
        """The role chunk goes out just before the first content, exactly once."""
        if self.role_sent:
            return
        self.role_sent = True
        if self.endpoint == COMPLETIONS:
            return
        obj = first.chunk() or {}
        choices = obj.get("choices") or [{}]
        if isinstance(choices[0], dict) and isinstance(choices[0].get("delta"), dict) and choices[0]["delta"].get("role"):
            return
        out.append(self.role_ev if self.role_ev is not None else text_chunk(self._head(), self.endpoint, "", role=True))

    def _text_event(self, obj: dict[str, Any] | None, text: str) -> SSEEvent:
        base = self._ids(dict(obj or {}))
        c = dict((base.get("choices") or [{}])[0])
        c["finish_reason"] = None
        if self.endpoint == COMPLETIONS:
            c["text"] = text
        else:
            c["delta"] = {"content": text}
        base["choices"] = [c]
        return SSEEvent.from_json(base)

    def _strip(self, obj: dict[str, Any], keep_text: bool) -> dict[str, Any]:
        """A chunk for relaying later: the first attempt's ids, no role on a regeneration's chunk,
        no text (the text travels separately)."""
        out = self._ids(dict(obj))
        choices = out.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            c = dict(choices[0])
            d = dict(c.get("delta") or {})
            if not keep_text:
                d.pop("content", None)
            if self.rewrite or self.role_sent:
                d.pop("role", None)
            c["delta"] = d
            c["finish_reason"] = None
            out["choices"] = [c]
        return out

    def _ids(self, obj: dict[str, Any]) -> dict[str, Any]:
        if self.rewrite and self.head is not None:
            obj["id"], obj["created"], obj["model"] = self.head.id, self.head.created, self.head.model
        return obj

    def _head(self) -> Head:
        if self.head is None:
            self.head = Head(None, None, self.ctx.model, self.endpoint)
        return self.head

    # -- the end of an attempt -----------------------------------------------------------------------
    async def _finished(self) -> list[SSEEvent]:
        """The current attempt's finish chunk: check the rest, then the whole answer."""
        self.final = True
        if self.joiner is not None:
            rest = self.joiner.feed("", final=True)
            if rest:
                obj = self.finish[0] if self.finish else {}
                a = len(self.text)
                self.text += rest
                self.queue.append(_Item(a, len(self.text), obj, None))
        before = self.cur
        out = await self._advance()
        if self.ended or self.cur is not before:
            return out
        if self.end_validators:
            answer = self._answer()
            outcome = await run_validators(self.ctx, self.end_validators, [answer], self.body, self.cache,
                                           self.cfg.on_error, self.p.metrics)
            if not outcome.passed:
                pos = 0 if self.json_answer else len(self.text)
                if self.json_answer:
                    self.released = 0
                out += await self._failed(Failure(pos, outcome.results, []), whole=True)
                if self.ended or self.cur is not before:
                    return out
        self.hold_all = False
        out += self._release(len(self.text), everything=True)
        assert self.finish is not None
        obj, ev = self.finish
        if ev is None or self.rewrite or not self._finish_is_bare(obj):
            ev = SSEEvent.from_json(self._finish_obj(obj))
        self._role(out, ev)
        out.append(ev)
        return out

    @staticmethod
    def _finish_is_bare(obj: dict[str, Any]) -> bool:
        c = (obj.get("choices") or [{}])[0]
        d = c.get("delta") if isinstance(c, dict) else None
        return not (d and (d.get("content") or d.get("tool_calls") or d.get("role"))) and not (isinstance(c, dict) and c.get("text"))

    def _finish_obj(self, obj: dict[str, Any]) -> dict[str, Any]:
        out = self._ids(dict(obj))
        head = self._head()
        for k, v in (("id", head.id), ("object", head.chunk_object), ("created", head.created), ("model", head.model)):
            out.setdefault(k, v)
        c = dict((out.get("choices") or [{}])[0])
        if self.endpoint == COMPLETIONS:
            c["text"] = ""
        else:
            c["delta"] = {}
        out["choices"] = [c]
        return out

    def _answer(self) -> Answer:
        asm = self.cur.attempt.assembly if self.cur.attempt is not None and self.cur.attempt.assembly is not None else Assembly()
        got = asm.answers()
        a = got[0] if got else Answer()
        finish = None
        if self.finish is not None:
            c = (self.finish[0].get("choices") or [{}])[0]
            finish = c.get("finish_reason") if isinstance(c, dict) else None
        calls = [ToolCall(t.id, t.name, t.arguments, t.type) for t in a.tool_calls]
        return Answer(self.text or None, calls, finish or a.finish_reason, a.refusal, 0)

    async def _upstream_ended(self) -> list[SSEEvent]:
        """[DONE] (or the end of the stream): the usage chunk, the outcome, [DONE]."""
        out: list[SSEEvent] = []
        if not self.final:  # ended without a finish chunk: check and send what arrived
            self.finish = ({"choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}]}, None)
            out += await self._finished()
            if self.ended:
                return out
        self.ended = True
        usage = self._usage_event()
        if usage is not None:
            out.append(usage)
        outcome = "flag" if self.flagged else ("regenerated" if self.regenerations else "pass")
        await self._conclude(outcome)
        if outcome != "pass":
            out.append(SSEEvent.comment(f"bulwark-validation: {'flagged' if self.flagged else 'regenerated'}"))
        out.append(SSEEvent.done())
        return out

    # -- failures ------------------------------------------------------------------------------------
    async def _failed(self, failure: Failure, whole: bool = False) -> list[SSEEvent]:
        if not whole and await self._second_opinion(failure):
            self.checks.accept(failure)  # a model found the claim supported: it goes out unmarked
            return await self._advance()
        self.failures.append(failure)
        outcome = Outcome(failure.results, False, any(b.entry.type == "numbers" for b, _ in failure.results), 0.0)
        if outcome.wants_regeneration and self.regenerations < self.plan.max_regenerations:
            if await self._regenerate(outcome, failure.pos):
                return []
        action = outcome.final
        if action == "flag":
            self.flagged = True
            self.p.metric_action("flag")
            if whole:
                return []
            self.checks.accept(failure)
            return await self._advance()
        if action == "fallback" and not self.role_sent:
            self.p.metric_action("fallback")
            self.ended = True
            await self._conclude("fallback", outcome)
            raise FailoverRequested(outcome.issues, validators=outcome.labels, provider=self.cur.provider)
        return await self._stop(outcome, failure)

    async def _second_opinion(self, failure: Failure) -> bool:
        """Put an uncertain claim to the entry's second-opinion model while its sentence is held:
        True when it is supported (cleared); rejected, it becomes a sure failure; unsettled, it
        stays as it was."""
        if len(failure.results) != 1 or not failure.claims:
            return False
        b, res = failure.results[0]
        if b.second is None or not res.uncertain:
            return False
        claim = failure.claims[0]
        verdict = await b.second.verdict_on(self.checks.subject, self.text, claim, failure.pos, self.verdicts)
        if verdict is True:
            self.ctx.record(self.p.name, second_opinion_cleared=self.verdicts.cleared)
            return True
        if verdict is False:
            self.ctx.record(self.p.name, second_opinion_rejected=self.verdicts.rejected)
            res.uncertain = False
            res.issues = [b.second.rejected_issue(claim)]
        return False

    async def _regenerate(self, outcome: Outcome, pos: int) -> bool:
        pos = min(pos, self.released)  # white space held before the claim is not part of the prefix
        prefix = self.text[:pos]
        body = self.p.regeneration_body(self.body, outcome, self.endpoint, prefix)
        self.regenerations += 1
        self.p.metric_action("regenerate")
        self.rejected.append(self.text)
        await self._close_current()
        if not self.role_sent:
            self.ctx.response_headers["x-bulwark-validation"] = "regenerated"
        self.ctx.ledger.next_cause = Cause.REGENERATION
        try:
            with self.ctx.body_for(body):
                new = await self.call_next(self.ctx)
        except AttemptRefused:
            self.ctx.record(self.p.name, regeneration_refused=True)  # a budget said no: decide on what we have
            return False
        except ProxyError as exc:
            log.warning("request %s: the regeneration failed: %s", self.ctx.request_id, exc.message)
            self.ctx.record(self.p.name, regeneration_failed=exc.code or type(exc).__name__)
            return False
        if not new.ok or new.stream is None or new.origin != UPSTREAM:
            await new.aclose()
            self.ctx.record(self.p.name, regeneration_failed=f"status {new.status}" if not new.ok else "not a stream")
            return False
        self.cur = new
        self.attempts.append(new)
        self.src = new.stream.__aiter__()
        self.text = prefix
        self.queue.clear()
        self.hold_all = self.json_answer
        self.final = False
        self.finish = None
        self.usage_ev = None
        self.joiner = Joiner(prefix)
        self.rewrite = True
        self.checks.rewind(pos)
        self.verdicts.forget_from(pos)
        return True

    async def _stop(self, outcome: Outcome, failure: Failure) -> list[SSEEvent]:
        """End the answer here: the safe ending after what was delivered (or the safe message / a
        refusal when nothing was), then a well-formed end."""
        action = outcome.final
        self.p.metric_action(action)
        self.ended = True
        self.rejected.append(self.text)
        await self._close_current()
        head = self._head()
        out: list[SSEEvent] = []
        delivered = self.text[:self.released] if self.role_sent else ""
        if not self.role_sent and self.endpoint != COMPLETIONS and structured_request(self.body):
            out += refusal_events(head, self.cfg.safe_message)
            self.role_sent = True
        else:
            ending = join_ending(delivered, self.cfg.safe_ending) if delivered.strip() else self.cfg.safe_message
            ev = text_chunk(head, self.endpoint, ending)
            self._role(out, ev)
            out.append(ev)
            out.append(text_chunk(head, self.endpoint, "", "stop"))
        # (only seen when nothing was sent yet: the headers of a live stream leave with its first event)
        self.ctx.response_headers["x-bulwark-validation"] = "withheld" if action == "withhold" else "blocked"
        usage = self._usage_event(closed=True)
        if usage is not None:
            out.append(usage)
        await self._conclude("withhold" if action == "withhold" else "block", outcome)
        out.append(SSEEvent.comment(f"bulwark-validation: {'withheld' if action == 'withhold' else 'blocked'}"))
        out.append(SSEEvent.done())
        self.resp.cacheable = False
        return out

    # -- books ---------------------------------------------------------------------------------------
    def _usage_event(self, closed: bool = False) -> SSEEvent | None:
        """The client's usage chunk: the upstream's own for a single attempt, else the sum of the
        attempts this answer took (the ones cut short are counted from what they generated)."""
        if not self.ctx.wants_usage_chunk and self.usage_ev is None:
            return None
        if len(self.attempts) == 1 and self.usage_ev is not None and not closed:
            return self.usage_ev
        prompt = completion = cached = 0
        last_reported = None
        if not closed and self.usage_ev is not None:
            last_reported = (self.usage_ev.chunk() or {}).get("usage")
        for r in self.attempts if last_reported is None else self.attempts[:-1]:
            u = r.attempt.usage if r.attempt is not None else None
            if u:
                prompt, completion, cached = prompt + u[0], completion + u[1], cached + u[2]
        if isinstance(last_reported, dict):
            prompt += int(last_reported.get("prompt_tokens") or 0)
            completion += int(last_reported.get("completion_tokens") or 0)
            details = last_reported.get("prompt_tokens_details")
            cached += int((details or {}).get("cached_tokens") or 0) if isinstance(details, dict) else 0
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
                 "prompt_tokens_details": {"cached_tokens": cached}}
        return self._head().chunk([], usage=usage)

    async def _conclude(self, outcome_name: str, outcome: Outcome | None = None) -> None:
        results = [r for f in self.failures for r in f.results]
        grounding = any(b.entry.type == "numbers" for b, _ in results)
        issues = [i for _, r in results for i in r.issues]
        record = Outcome(results, not results, grounding, 0.0)
        for b in self.plan.validators:
            failed = any(x.entry.label == b.entry.label for x, _ in results)
            self.p.count_validation(b.entry.label, not failed)
        name = {"regenerated": "pass"}.get(outcome_name, outcome_name)
        self.p.record(self.ctx, name, record, self.regenerations, grounding, issues)
        if results:
            self.resp.cacheable = False if name != "pass" else self.resp.cacheable
        if name in ("flag", "withhold", "block"):
            answers = [Answer(t) for t in self.rejected[-3:]] or [self._answer()]
            await self.p.review(self.ctx, name, record, answers, self.cur, self.regenerations, True,
                                delivered=self.delivered_text())

    def delivered_text(self) -> str:
        return self.delivered.text(0)

    async def _close_current(self) -> None:
        try:
            await self.cur.aclose()
        except Exception:  # closing must never mask the outcome
            pass
