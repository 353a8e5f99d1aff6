"""The stream half of the fallback cascade: hold a stream's head until it shows something,
relay it, and in `stream_mode = "continue"` finish a stream that broke mid-way elsewhere.

`Continuation` is a mixin of the `Fallback` plugin: its methods use the cascade's helpers
(`_allow`, `_record`, `_note`, `_target`, `_attempt`, `_close`).

- **Before anything reached the client** a break is an ordinary failover: `peek_head` holds
  a stream's first events (the role chunk, empty deltas) until one carries content, a finish
  reason, usage or `[DONE]`, so a stream that breaks before its first word restarts on the
  next step with headers that name that step.
- **After the client has part of the answer** only a tier that can *continue* text may take
  over: an LLM provider (`Provider.origin == upstream`), asked with the client's text as an
  assistant turn and `continue_instruction`. Bulwark's own tiers (rules, human) write whole
  answers of their own and are skipped: when no LLM step is left the stream ends with an
  error event, never with a canned answer glued to half a sentence. The continuation is
  joined at a word boundary (`join.Joiner`) and spliced into the same stream (same id, merged
  usage); if it breaks too, the next LLM step continues from everything the client has.
- **The truth**: a stream's headers left before the break, so `x-bulwark-provider` and
  `x-bulwark-fallbacks` describe the start of the answer (when an outer layer holds the
  stream, validation in buffer mode, they and `x-bulwark-continued-by` are updated in time).
  What happened after is in the ledger (attempts with cause `continuation`), the fallback
  decision (`answered_by`, `fallbacks`, `continued`), the span built from both, an SSE
  comment in the stream (`: bulwark: ...`, ignored by SDKs) and each continued chunk's own
  `model`.
"""
from __future__ import annotations

import time
from typing import Any, AsyncIterator

from proxy.assembly import Assembly
from proxy.context import CHAT, RequestContext
from proxy.errors import UpstreamStreamError
from proxy.ledger import Attempt, Cause
from proxy.plugin import Next
from proxy.response import UPSTREAM, ProxyResponse
from proxy.sse import SSEEvent

from .config import _BREAKER_FAILURES, Step
from .join import Joiner, prompt_prefix

MAX_HEAD = 32  # events held while a stream shows nothing (role chunk, empty deltas, comments)


def shows_something(ev: SSEEvent) -> bool:
    """Would the client see part of an answer in this event (or its end)?"""
    if ev.is_done:
        return True
    if ev.data is None:
        return False  # a comment / keep-alive
    obj = ev.chunk()
    if obj is None or obj.get("error") is not None:
        return True  # not a chunk we understand: let the relay deal with it
    choices = obj.get("choices")
    if not choices:
        return True  # the usage chunk (or something else we should not sit on)
    for c in choices:
        if not isinstance(c, dict):
            return True
        if c.get("finish_reason") is not None or c.get("text"):
            return True
        d = c.get("delta")
        if isinstance(d, dict) and (d.get("content") or d.get("refusal") or d.get("tool_calls") or d.get("function_call")):
            return True
    return False


async def peek_head(it: Any) -> list[SSEEvent]:
    """The stream's first events, up to and including the first that shows something.
    Raises what the stream raises; StopAsyncIteration means it ended before showing anything."""
    head: list[SSEEvent] = []
    while True:
        ev = await it.__anext__()
        head.append(ev)
        if len(head) >= MAX_HEAD or shows_something(ev):
            return head


class Continuation:
    """The `Fallback` plugin's stream methods (see the module docstring)."""

    async def _relay(self, ctx: RequestContext, call_next: Next, resp: ProxyResponse, stream: Any, head: list[SSEEvent],
                     steps: list[Step], i: int, deadline_seconds: float, probe: bool) -> AsyncIterator[SSEEvent]:
        """Relay the answering stream; on a mid-stream break, end with an error or continue elsewhere."""
        continuing = self.config.stream_mode == "continue"
        provider = steps[i].provider
        recorded = False
        try:
            for ev in head:
                yield ev
            try:
                async for ev in stream:
                    yield ev
            except UpstreamStreamError as exc:
                self._record(provider, False, probe)
                recorded = True
                reason = "timeout" if exc.reason == "stall" else "stream"
                self._mid_stream_failure(ctx, steps[i], resp.attempt, reason, exc)
                if not continuing or reason not in self.triggers:
                    raise
                track = _Track(ctx, resp)
                if not track.resumable:
                    ctx.record(self.name, continued=False, why_not=track.why_not)
                    raise
                resp.cacheable = False  # an answer stitched from two attempts is not reused
                # The continuation gets a fresh chain deadline: the break may come long after the start.
                async for ev in self._continue(ctx, call_next, track, steps, i, time.monotonic() + deadline_seconds, exc):
                    yield ev
                return
            self._record(provider, True, probe)
            recorded = True
        finally:
            if not recorded:  # client went away mid-stream: the provider did nothing wrong
                self._record(provider, True, probe)
            await self._close_stream(stream)

    def _mid_stream_failure(self, ctx: RequestContext, step: Step, attempt: Attempt | None, reason: str,
                            exc: UpstreamStreamError) -> None:
        self._note(ctx, step, "failed", f"{reason}:{exc.reason}:mid_stream", 0.0)
        if attempt is not None and attempt.failover_reason is None:
            attempt.failover_reason = reason

    @staticmethod
    async def _close_stream(stream: Any) -> None:
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            try:
                await aclose()
            except Exception:  # noqa: BLE001 - closing must not mask the outcome
                pass

    def _can_continue(self, provider: str) -> bool:
        """Only a language model can go on from half an answer; rules and humans answer whole."""
        p = self.services.providers.get(provider)
        return p is not None and p.origin == UPSTREAM

    async def _continue(self, ctx: RequestContext, call_next: Next, track: "_Track", steps: list[Step], i: int,
                        deadline: float, cause: UpstreamStreamError) -> AsyncIterator[SSEEvent]:
        """Ask the next steps to finish (or, if the client has no text yet, restart) the answer."""
        if track.finished:  # the answer was complete, only the tail (usage/[DONE]) was lost
            if ctx.wants_usage_chunk and not track.usage_sent:
                yield SSEEvent.from_json(track.usage_chunk(None))
            yield SSEEvent.done()
            return
        from_provider, reason = steps[i].provider, "stream"
        last: UpstreamStreamError = cause
        for step in steps[i + 1:]:
            restart = track.empty
            if not restart and not self._can_continue(step.provider):
                self._note(ctx, step, "skipped", "cannot_continue", 0.0)
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                break
            allowed, probe = await self._allow(step.provider)
            if not allowed:
                self._note(ctx, step, "skipped", "breaker_open", 0.0)
                continue
            self.services.metrics.inc("bulwark_fallback_activations_total", 1, from_provider=from_provider,
                                      to_provider=step.provider, reason=reason)
            ctx.target = self._target(ctx, step, left)
            # Nothing shown yet: a clean restart (a fallback); else a continuation of the text.
            ctx.ledger.next_cause = Cause.FALLBACK if restart else Cause.CONTINUATION
            since = len(ctx.ledger.attempts)
            started = time.monotonic()
            with ctx.body_for(ctx.body if restart else track.continuation_body(self.config.continue_instruction)):
                out = await self._attempt(ctx, call_next, left)
            took = time.monotonic() - started
            if out.reason is not None or out.resp is None or out.resp.stream is None or not out.head:
                self._record(step.provider, out.reason not in _BREAKER_FAILURES, probe)
                self._note(ctx, step, "failed", out.reason or "not_a_stream", took, out.exc, since)
                await self._close(out.resp)
                from_provider, reason = step.provider, out.reason or "stream"
                continue
            self._note(ctx, step, "ok", "restarted" if restart else "continued", took)
            track.took_over(step.provider, out.resp)
            ctx.record(self.name, **track.decision())
            yield SSEEvent.comment(f"bulwark: provider {from_provider!r} broke off ({reason}); "
                                   f"provider {step.provider!r} {'restarts' if restart else 'continues'} the answer")
            try:
                async for ev in track.splice(out.head, out.resp.stream):
                    yield ev
            except UpstreamStreamError as exc:
                self._record(step.provider, False, probe)
                reason = "timeout" if exc.reason == "stall" else "stream"
                self._mid_stream_failure(ctx, step, out.resp.attempt, reason, exc)
                from_provider, last = step.provider, exc
                continue  # the next step goes on from everything the client has now
            finally:
                await self._close_stream(out.resp.stream)
            self._record(step.provider, True, probe)
            return
        ctx.record(self.name, **{**track.decision(), "continued": False, "why_not": "no step left that can continue"})
        raise last


class _Track:
    """What the client has been sent of the answer (the broken attempt's assembly, then a merged
    copy that follows every spliced chunk), and how to splice more into the same stream."""

    __slots__ = ("ctx", "resp", "merged", "parts", "answered_by", "joiner", "switches")

    def __init__(self, ctx: RequestContext, resp: ProxyResponse) -> None:
        self.ctx = ctx
        self.resp = resp
        self.merged: Assembly | None = None
        self.parts: list[Attempt] = [resp.attempt] if resp.attempt is not None else []  # attempts the answer is made of
        self.answered_by: list[str] = [resp.provider or "?"]
        self.joiner: Joiner | None = None
        self.switches = _switches(ctx)  # before the stream started

    @property
    def _asm(self) -> Assembly:
        return self.merged or self.resp.assembly or Assembly()

    @property
    def text(self) -> str:
        return self._asm.text(0)

    @property
    def finished(self) -> bool:
        return self._asm.finished

    @property
    def empty(self) -> bool:
        asm = self._asm
        return not asm.text(0) and not asm.has_tool_calls and not any(a.refusal for a in asm.answers())

    @property
    def why_not(self) -> str | None:
        body = self.ctx.body
        if self.ctx.endpoint != CHAT:
            return "only chat completions can be continued"
        if self._asm.has_tool_calls:
            return "a tool call cannot be continued"
        n = body.get("n")
        if isinstance(n, int) and n > 1:
            return "an answer with several choices (n > 1) cannot be continued"
        return None

    @property
    def resumable(self) -> bool:
        return self.why_not is None

    @property
    def usage_sent(self) -> bool:
        return self._asm.usage is not None

    def continuation_body(self, instruction: str) -> dict[str, Any]:
        """The request again, plus what the client has (without a trailing word fragment, which
        the model re-writes) as the assistant's turn, plus the instruction to go on."""
        original = self.ctx.body
        shown = prompt_prefix(self.text)
        return {**original, "messages": [*original.get("messages", []), {"role": "assistant", "content": shown},
                                         {"role": "user", "content": instruction}]}

    def took_over(self, provider: str, resp: ProxyResponse) -> None:
        """`provider` writes the rest; from here the response's assembly is what the client gets."""
        if self.merged is None:
            self.merged = (self.resp.assembly or Assembly()).copy()
            self.resp.assembly = self.merged
        if resp.attempt is not None:
            self.parts.append(resp.attempt)
        self.answered_by.append(provider)
        self.joiner = Joiner(self.text)
        # Truthful for whoever reads them later, and for the client too when an outer layer
        # (validation in buffer mode) holds the stream and its headers until the end.
        h = self.ctx.response_headers
        h["x-bulwark-fallbacks"] = str(self.switches + len(self.answered_by) - 1)
        h["x-bulwark-continued-by"] = ",".join(self.answered_by[1:])

    def decision(self) -> dict[str, Any]:
        return {"answered_by": list(self.answered_by), "fallbacks": self.switches + len(self.answered_by) - 1,
                "continued": len(self.answered_by) > 1}

    async def splice(self, head: list[SSEEvent], stream: Any) -> AsyncIterator[SSEEvent]:
        """The taking-over stream's events, rewritten to belong to this one."""
        async for ev in _chain(head, stream):
            if ev.is_done:
                tail = self._flush()
                if tail is not None:
                    yield tail
                yield ev
                return
            obj = ev.chunk()
            if obj is None:
                continue  # comments and junk the provider layer let through
            choices = obj.get("choices") or []
            if not choices:
                if obj.get("usage"):
                    yield SSEEvent.from_json(self.usage_chunk(obj["usage"], obj.get("model")))
                continue
            c = choices[0] if isinstance(choices[0], dict) else {}
            delta = c.get("delta") if isinstance(c.get("delta"), dict) else {}
            delta.pop("role", None)  # the client has its role chunk
            if not self._join(c, delta):
                continue
            self._rewrite(obj)
            assert self.merged is not None
            self.merged.feed_chunk(obj)
            yield SSEEvent.from_json(obj)
        raise UpstreamStreamError("The continuation stream ended before it finished.", reason="cut")

    def _join(self, choice: dict[str, Any], delta: dict[str, Any]) -> bool:
        """Run the chunk's text through the joiner; False when the chunk has nothing to send yet."""
        joiner = self.joiner
        finish = choice.get("finish_reason") is not None
        text = delta.get("content")
        if joiner is not None and not joiner.decided:
            if isinstance(text, str) and text:
                piece = joiner.feed(text)
                delta["content"] = piece if piece is not None else (joiner.flush() if finish else "")
            elif finish:
                delta["content"] = joiner.flush()
        has_text = bool(delta.get("content"))
        return has_text or finish or bool(delta.get("tool_calls") or delta.get("refusal") or delta.get("function_call"))

    def _flush(self) -> SSEEvent | None:
        """Text the joiner still holds when the stream ends without a finishing chunk."""
        if self.joiner is None or self.joiner.decided:
            return None
        rest = self.joiner.flush()
        if not rest:
            return None
        obj = self._rewrite({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": rest}, "finish_reason": None}]})
        assert self.merged is not None
        self.merged.feed_chunk(obj)
        return SSEEvent.from_json(obj)

    def _rewrite(self, obj: dict[str, Any]) -> dict[str, Any]:
        """One stream, one id: the spliced chunks take the stream's id and created time. Their
        `model` stays the one that wrote them (the in-band truth about who answered)."""
        asm = self.resp.assembly or Assembly()
        if asm.id is not None:
            obj["id"] = asm.id
        if asm.created is not None:
            obj["created"] = asm.created
        if obj.get("model") is None and asm.model is not None:
            obj["model"] = asm.model
        return obj

    def usage_chunk(self, current: dict[str, Any] | None, model: str | None = None) -> dict[str, Any]:
        """The client's usage chunk: every earlier attempt the answer is made of (their counted
        usage: a broken stream sends none), plus the current one's own report (it is still open)."""
        prompt = completion = cached = 0
        for a in self.parts:
            if a.usage is not None and a.ended:
                prompt, completion, cached = prompt + a.usage[0], completion + a.usage[1], cached + a.usage[2]
        current = current or {}
        prompt += int(current.get("prompt_tokens") or 0)
        completion += int(current.get("completion_tokens") or 0)
        details = current.get("prompt_tokens_details")
        cached += int((details.get("cached_tokens") if isinstance(details, dict) else 0) or 0)
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
                 "prompt_tokens_details": {"cached_tokens": cached}}
        return self._rewrite({"id": None, "object": "chat.completion.chunk", "created": None, "model": model, "choices": [],
                              "usage": usage})


def _switches(ctx: RequestContext) -> int:
    """Provider switches before the stream started (what x-bulwark-fallbacks said)."""
    try:
        return int(ctx.response_headers.get("x-bulwark-fallbacks", "0"))
    except ValueError:
        return 0


async def _chain(head: list[SSEEvent], stream: Any) -> AsyncIterator[SSEEvent]:
    for ev in head:
        yield ev
    async for ev in stream:
        yield ev
