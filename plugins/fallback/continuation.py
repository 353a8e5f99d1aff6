"""The stream half of the fallback cascade: relay the answering stream, and in
`stream_mode = "continue"` finish a stream that broke mid-way with the next providers.

`Continuation` is a mixin of the `Fallback` plugin: its methods use the cascade's helpers
(`_allow`, `_record`, `_note`, `_target`, `_attempt`, `_close`). What the client has seen so far
is the broken attempt's assembly (`proxy.assembly`, fed once by dispatch); `_Track` reads it,
so the continuation can ask for the rest and splice it into the same stream (same id, merged
usage: the broken attempt's counted tokens plus the continuation's own).
"""
from __future__ import annotations

import time
from typing import Any, AsyncIterator

from proxy.assembly import Assembly
from proxy.context import RequestContext
from proxy.errors import UpstreamStreamError
from proxy.ledger import Cause
from proxy.plugin import Next
from proxy.response import ProxyResponse
from proxy.sse import SSEEvent

from .config import _BREAKER_FAILURES, Step


class Continuation:
    """The `Fallback` plugin's stream methods (see the module docstring)."""

    async def _relay(self, ctx: RequestContext, call_next: Next, resp: ProxyResponse, stream: Any, first: SSEEvent,
                     steps: list[Step], i: int, deadline_seconds: float, probe: bool) -> AsyncIterator[SSEEvent]:
        """Relay the answering stream; on a mid-stream break, end with an error or continue elsewhere."""
        track = _Track(resp) if self.config.stream_mode == "continue" else None
        provider = steps[i].provider
        recorded = False
        try:
            yield first
            try:
                async for ev in stream:
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
                resp.cacheable = False  # an answer stitched from two attempts is not reused
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
                yield SSEEvent.from_json(track.usage_chunk(None))
            yield SSEEvent.done()
            return
        original = ctx.body
        partial = track.text
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
            ctx.target = self._target(ctx, step, left)
            ctx.ledger.next_cause = Cause.CONTINUATION
            started = time.monotonic()
            with ctx.body_for(cont_body):
                out = await self._attempt(ctx, call_next, left)
            took = time.monotonic() - started
            if out.reason is not None or out.resp is None or out.resp.stream is None or out.first is None:
                await self._record(step.provider, out.reason not in _BREAKER_FAILURES, probe)
                self._note(ctx, step, "failed", out.reason or "not_a_stream", took, out.exc)
                await self._close(out.resp)
                from_provider, reason = step.provider, out.reason or "stream"
                continue
            self._note(ctx, step, "ok", "continued", took)
            ctx.record(self.name, continued_by=step.provider)
            # From here the answer the client gets is the broken attempt's text plus this one's:
            # the response's assembly follows what is delivered.
            merged = (track.resp.assembly or Assembly()).copy()
            track.resp.assembly = merged
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
                        yield SSEEvent.from_json(track.usage_chunk(obj["usage"]))
                        continue
                    obj = track.rewrite(obj)
                    merged.feed_chunk(obj)
                    yield SSEEvent.from_json(obj)
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


class _Track:
    """What the broken attempt showed the client, read from its assembly (for the continuation
    prompt, the spliced chunks' id/created/model and the merged usage)."""

    __slots__ = ("resp",)

    def __init__(self, resp: ProxyResponse) -> None:
        self.resp = resp

    @property
    def _asm(self) -> Assembly:
        return self.resp.assembly or Assembly()

    @property
    def text(self) -> str:
        return self._asm.text(0)

    @property
    def tool_calls(self) -> bool:
        return self._asm.has_tool_calls

    @property
    def finished(self) -> bool:
        return self._asm.finished

    @property
    def usage_sent(self) -> bool:
        return self._asm.usage is not None

    def rewrite(self, obj: dict[str, Any]) -> dict[str, Any]:
        asm = self._asm
        if asm.id is not None:
            obj["id"] = asm.id
        if asm.created is not None:
            obj["created"] = asm.created
        if asm.model is not None:
            obj["model"] = asm.model
        return obj

    def usage_chunk(self, second: dict[str, Any] | None) -> dict[str, Any]:
        """The client's usage chunk: the broken attempt's tokens (counted: it sent no usage)
        plus the continuation's."""
        a = self.resp.attempt
        first = a.usage if a is not None and a.usage is not None else (0, 0, 0)
        second = second or {}
        prompt = first[0] + int(second.get("prompt_tokens") or 0)
        completion = first[1] + int(second.get("completion_tokens") or 0)
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
        details = second.get("prompt_tokens_details")
        cached = details.get("cached_tokens") if isinstance(details, dict) else None
        usage["prompt_tokens_details"] = {"cached_tokens": int(cached or 0)}
        return self.rewrite({"id": None, "object": "chat.completion.chunk", "created": None, "model": None, "choices": [], "usage": usage})


async def _aiter_with_first(first: SSEEvent, stream: Any) -> AsyncIterator[SSEEvent]:
    yield first
    async for ev in stream:
        yield ev
