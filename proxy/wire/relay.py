"""What the two stream encoders share: relay native events until the stream diverges, then encode.

A subclass names its API (`api`) and supplies `_track(native)` (remember what a native event
told the client), `_start(chunk)` (the opening events, once), `_delta(delta)` (the events for the
first choice's delta of one chat chunk) and `finish_stream()`. Writing goes through `_emit`-built
byte blocks in `out`, drained by `_take()`.
"""
from __future__ import annotations

from typing import Any, Callable


class Relay:
    api = ""

    def __init__(self, native_request: dict[str, Any], count_usage: Callable[[str], dict[str, Any]]) -> None:
        self.request = native_request
        self.count_usage = count_usage  # chat usage counted from the text, when no layer reported any
        self.started = self.terminal = self.diverged = False
        self.finish: str | None = None  # the chat finish reason, once a chunk gave one
        self.usage: dict[str, Any] | None = None  # the last chat usage a chunk reported
        self.out: list[bytes] = []

    def _take(self) -> bytes:
        out, self.out = self.out, []
        return b"".join(out)

    def feed(self, ev: Any) -> bytes:
        """The bytes to write for one chain event."""
        if ev.data is None:
            return ev.raw  # a comment: valid SSE in every API
        if ev.api == self.api and not self.diverged:
            if isinstance(ev.native, dict):
                self._track(ev.native)
            return ev.raw
        if ev.is_done:
            return self.finish_stream()
        obj = ev.chunk()
        if obj is None or self.terminal:
            return b""
        self._encode(obj)
        return self._take()

    def _track(self, obj: dict[str, Any]) -> None:
        raise NotImplementedError

    def _encode(self, obj: dict[str, Any]) -> None:
        choices = obj.get("choices") if isinstance(obj.get("choices"), list) else []
        usage = obj.get("usage")
        if not choices and not (isinstance(usage, dict) and usage):
            return  # nothing the client would see (a lifecycle chunk)
        self.diverged = True
        self._start(obj)
        if isinstance(usage, dict) and usage:
            self.usage = usage
        for c in choices:
            if not isinstance(c, dict) or c.get("index", 0) != 0:
                continue  # one output / one message: n > 1 has no form in these APIs
            self._delta(c.get("delta") if isinstance(c.get("delta"), dict) else {})
            if c.get("finish_reason"):
                self.finish = c["finish_reason"]

    def _start(self, obj: dict[str, Any] | None) -> None:
        raise NotImplementedError

    def _delta(self, delta: dict[str, Any]) -> None:
        raise NotImplementedError

    def finish_stream(self) -> bytes:
        raise NotImplementedError
