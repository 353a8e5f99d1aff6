"""The stream half of the fallback cascade: relay the answering stream, and in
`stream_mode = "continue"` finish a stream that broke mid-way with the next providers.

`Continuation` is a mixin of the `Fallback` plugin: its methods use the cascade's helpers
(`_allow`, `_record`, `_note`, `_target`, `_attempt`, `_close`, `_kind`). `_Track` keeps what
the client has seen so far, so the continuation can ask for the rest and splice it into the
same stream (same id, merged usage).
"""
from __future__ import annotations

import time
from typing import Any, AsyncIterator

from proxy.context import RequestContext
from proxy.errors import UpstreamStreamError
from proxy.plugin import Next
from proxy.sse import SSEEvent
from proxy.tokens import count_text

from .config import _BREAKER_FAILURES, _TIERS, Step


class Continuation:
    """The `Fallback` plugin's stream methods (see the module docstring)."""

    async def _relay(self, ctx: RequestContext, call_next: Next, stream: Any, first: SSEEvent,
                     steps: list[Step], i: int, deadline_seconds: float, probe: bool) -> AsyncIterator[SSEEvent]:
        """Relay the answering stream; on a mid-stream break, end with an error or continue elsewhere."""
        track = _Track(first) if self.config.stream_mode == "continue" else None  # only continue mode reads chunks
        provider = steps[i].provider
        recorded = False
        try:
            yield first
            try:
                async for ev in stream:
                    if track is not None:
                        track.see(ev)
                    yield ev
            except UpstreamStreamError as exc:
                await self._record(provider, False, probe)
                recorded = True
                reason = "timeout" if exc.reason == "stall" else "stream"
                self._note(ctx, steps[i], "failed", f"{reason}:{exc.reason}:mid_stream", 0.0)
                if track is None or track.tool_calls or reason not in self.triggers:
                    raise
                # The continuation gets a fresh chain deadline: the break may come long after the start.
                deadline = time.monotonic() + deadline_seconds
                async for ev in self._continue(ctx, call_next, track, steps, i, deadline, exc):
                    yield ev
                return
            await self._record(provider, True, probe)
            recorded = True
        finally:
            if not recorded:  # client went away mid-stream: the provider did nothing wrong
                await self._record(provider, True, probe)
            await self._close_stream(stream)

    @staticmethod
    async def _close_stream(stream: Any) -> None:
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            try:
                await aclose()
            except Exception:  # noqa: BLE001 - closing must not mask the outcome
                pass

    async def _continue(self, ctx: RequestContext, call_next: Next, track: "_Track", steps: list[Step], i: int,
                        deadline: float, cause: UpstreamStreamError) -> AsyncIterator[SSEEvent]:
        """Ask the next providers to finish the partial answer; splice their chunks into this stream."""
        if track.finished:  # the answer was complete, only the tail (usage/[DONE]) was lost
            if ctx.wants_usage_chunk and not track.usage_sent:
                yield SSEEvent.from_json(track.usage_chunk(self._estimate_first(ctx, track), None))
            yield SSEEvent.done()
            return
        original = ctx.body
        partial = "".join(track.text)
        cont_body = {**original, "messages": [*original.get("messages", []), {"role": "assistant", "content": partial},
                                               {"role": "user", "content": self.config.continue_instruction}]}
        from_provider, reason = steps[i].provider, "stream"
        for j in range(i + 1, len(steps)):
            step = steps[j]
            left = deadline - time.monotonic()
            if left <= 0:
                break
            allowed, probe = await self._allow(step.provider)
            if not allowed:
                self._note(ctx, step, "skipped", "breaker_open", 0.0)
                continue
            self.services.metrics.inc("bulwark_fallback_activations_total", 1, from_provider=from_provider, to_provider=step.provider, reason=reason)
            ctx.set_body(cont_body)
            ctx.target = self._target(ctx, step, left)
            started = time.monotonic()
            try:
                out = await self._attempt(ctx, call_next, left)
            finally:
                ctx.set_body(original)
            took = time.monotonic() - started
            if out.reason is not None or out.resp is None or out.resp.stream is None or out.first is None:
                await self._record(step.provider, out.reason not in _BREAKER_FAILURES, probe)
                self._note(ctx, step, "failed", out.reason or "not_a_stream", took, out.exc)
                await self._close(out.resp)
                from_provider, reason = step.provider, out.reason or "stream"
                continue
            self._note(ctx, step, "ok", "continued", took)
            ctx.record(self.name, continued_by=step.provider)
            tier = _TIERS.get(self._kind(step.provider))
            if tier:
                ctx.scratch["tier"] = tier
                ctx.record(self.name, tier=tier)
            first_usage = self._estimate_first(ctx, track)
            stream = out.resp.stream
            ok = False
            try:
                async for ev in _aiter_with_first(out.first, stream):
                    if ev.is_done:
                        ok = True
                        yield ev
                        continue
                    if ev.data is None:
                        continue
                    obj = ev.json()
                    if not isinstance(obj, dict):
                        continue
                    choices = obj.get("choices") or []
                    if choices and isinstance(choices[0], dict):
                        delta = choices[0].get("delta") or {}
                        if delta.get("role") and not delta.get("content") and not delta.get("tool_calls") and choices[0].get("finish_reason") is None:
                            continue  # the continuation's own role chunk: the client already has one
                        delta.pop("role", None)
                    if obj.get("usage") and not choices:
                        merged = track.usage_chunk(first_usage, obj["usage"])
                        u = merged["usage"]
                        ctx.usage.prompt_tokens, ctx.usage.completion_tokens = u["prompt_tokens"], u["completion_tokens"]
                        yield SSEEvent.from_json(merged)
                        continue
                    yield SSEEvent.from_json(track.rewrite(obj))
                await self._record(step.provider, True, probe)
            except UpstreamStreamError:
                await self._record(step.provider, False, probe)
                raise
            finally:
                await self._close_stream(stream)
            if not ok:
                raise UpstreamStreamError("The continuation stream ended before it finished.", reason="cut")
            return
        raise cause

    @staticmethod
    def _estimate_first(ctx: RequestContext, track: "_Track") -> dict[str, int]:
        from proxy.tokens import count_request

        prompt = ctx.token_estimate if ctx.token_estimate is not None else count_request(ctx.body)
        return {"prompt_tokens": prompt, "completion_tokens": count_text("".join(track.text), ctx.model)}


class _Track:
    """What a relayed stream has shown the client so far (for continuation and merged usage)."""

    __slots__ = ("id", "created", "model", "text", "tool_calls", "finished", "usage_sent")

    def __init__(self, first: SSEEvent) -> None:
        self.id: str | None = None
        self.created: int | None = None
        self.model: str | None = None
        self.text: list[str] = []
        self.tool_calls = False
        self.finished = False
        self.usage_sent = False
        self.see(first)

    def see(self, ev: SSEEvent) -> None:
        obj = ev.chunk()
        if obj is None:
            return
        if self.id is None:
            self.id, self.created, self.model = obj.get("id"), obj.get("created"), obj.get("model")
        if obj.get("usage"):
            self.usage_sent = True
        for c in obj.get("choices") or []:
            if not isinstance(c, dict):
                continue
            d = c.get("delta") or {}
            if d.get("content"):
                self.text.append(d["content"])
            if d.get("tool_calls"):
                self.tool_calls = True
            if c.get("finish_reason"):
                self.finished = True

    def rewrite(self, obj: dict[str, Any]) -> dict[str, Any]:
        if self.id is not None:
            obj["id"] = self.id
        if self.created is not None:
            obj["created"] = self.created
        if self.model is not None:
            obj["model"] = self.model
        return obj

    def usage_chunk(self, first: dict[str, int], second: dict[str, Any] | None) -> dict[str, Any]:
        second = second or {}
        prompt = first["prompt_tokens"] + int(second.get("prompt_tokens") or 0)
        completion = first["completion_tokens"] + int(second.get("completion_tokens") or 0)
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
        cached = (second.get("prompt_tokens_details") or {}).get("cached_tokens") if isinstance(second.get("prompt_tokens_details"), dict) else None
        usage["prompt_tokens_details"] = {"cached_tokens": int(cached or 0)}
        return self.rewrite({"id": None, "object": "chat.completion.chunk", "created": None, "model": None, "choices": [], "usage": usage})


async def _aiter_with_first(first: SSEEvent, stream: Any) -> AsyncIterator[SSEEvent]:
    yield first
    async for ev in stream:
        yield ev
