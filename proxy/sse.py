"""Server-sent events: an incremental splitter and the event type plugins see.

The splitter keeps every event's exact bytes (`SSEEvent.raw`), so an event no plugin
touched is relayed byte for byte.

Events of another wire API (an upstream speaking OpenAI Responses or Anthropic Messages) keep
their native bytes in `raw` and their parsed native object in `native`, are tagged with their
`api`, and show plugins their chat-chunk view through `chunk()` / `json()` (`set_view`): the edge
writes `raw` to a client of that same API, and encodes the view for any other. It accepts `\\n\\n`, `\\r\\n\\r\\n` (and mixed) event
terminators and lines of any length; aiohttp's line reader is not used because it raises
on long lines.
"""
from __future__ import annotations

import re
from typing import Any

import orjson

from .wire.apis import CHAT_COMPLETIONS

# A blank line ends an event; "\n\r\n" is an LF line end followed by a CRLF blank line. No
# two of these can start at the same byte, so the leftmost match is the earliest terminator.
_TERMINATOR = re.compile(rb"\n\n|\r\n\r\n|\r\r|\n\r\n")


class SSEEvent:
    """One event. `data` is the joined `data:` lines; `json()` parses it once.

    `api` is the wire API `raw` is written in (chat completions unless a provider tagged it);
    `native` is the parsed native object of such an event (None for chat events).

    `more` is True when the event came from the same upstream read as the next one, so the next
    arrives without waiting: a stream check may leave its work to the last of them (one check per
    read, not per event) without holding anything back longer. Events made by Bulwark are False."""

    __slots__ = ("raw", "event", "data", "_json", "api", "native", "more")

    def __init__(self, raw: bytes, event: str | None, data: str | None) -> None:
        self.raw = raw
        self.event = event
        self.data = data
        self._json: Any = _UNSET
        self.api = CHAT_COMPLETIONS
        self.native: Any = None
        self.more = False

    def set_view(self, api: str, native: Any, view: dict[str, Any]) -> "SSEEvent":
        """Tag a native event of `api` with its parsed object and the chat chunk plugins see."""
        self.api = api
        self.native = native
        self._json = view
        return self

    @classmethod
    def from_json(cls, obj: Any, event: str | None = None) -> "SSEEvent":
        payload = orjson.dumps(obj)
        prefix = f"event: {event}\n".encode() if event else b""
        ev = cls(prefix + b"data: " + payload + b"\n\n", event, payload.decode())
        ev._json = obj
        return ev

    @classmethod
    def done(cls) -> "SSEEvent":
        return cls(b"data: [DONE]\n\n", None, "[DONE]")

    @classmethod
    def comment(cls, text: str = "ping") -> "SSEEvent":
        return cls(f": {text}\n\n".encode(), None, None)

    @property
    def is_done(self) -> bool:
        return self.data == "[DONE]"

    @property
    def is_comment(self) -> bool:
        return self.data is None and self.event is None

    def chunk(self) -> dict[str, Any] | None:
        """The data as a JSON object, or None for comments, `[DONE]`, non-JSON or non-objects
        (the tolerant read plugins want when they watch a stream go by)."""
        if self.data is None or self.is_done:
            return None
        try:
            obj = self.json()
        except ValueError:
            return None
        return obj if isinstance(obj, dict) else None

    def json(self) -> Any:
        """The parsed `data` (dict for OpenAI chunks). Raises ValueError when it is not JSON."""
        if self._json is _UNSET:
            if self.data is None or self.is_done:
                raise ValueError("event carries no JSON data")
            self._json = orjson.loads(self.data)
        return self._json

    def __repr__(self) -> str:
        return f"SSEEvent({self.raw[:80]!r})"


_UNSET: Any = object()


def parse_event(raw: bytes) -> SSEEvent:
    """Parse one complete event block (terminator included or not)."""
    event: str | None = None
    data_lines: list[str] = []
    text = raw.decode("utf-8", errors="replace")
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line or line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "data":
            data_lines.append(value)
        elif field == "event":
            event = value
    return SSEEvent(raw, event, "\n".join(data_lines) if data_lines else None)


class SSESplitter:
    """Feed bytes as they arrive, get complete events out.

    Linear in the stream size even for huge events fed in tiny pieces: the buffer is a
    bytearray and terminators are searched only in bytes not scanned before.
    """

    __slots__ = ("_buf", "_scanned")

    def __init__(self) -> None:
        self._buf = bytearray()
        self._scanned = 0  # bytes of _buf already searched for a terminator

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """The events completed by `chunk`, in order."""
        buf = self._buf
        buf += chunk
        start = 0
        search_from = max(0, self._scanned - 3)  # a terminator may straddle the old end
        out: list[SSEEvent] = []
        while True:
            end, term_len = _find_terminator(buf, max(start, search_from))
            if end < 0:
                break
            out.append(parse_event(bytes(buf[start : end + term_len])))
            start = end + term_len
        if start:
            del buf[:start]
        self._scanned = len(buf)
        return out

    @property
    def pending(self) -> bytes:
        """Bytes of an incomplete event (a stream that ends with these was cut)."""
        return bytes(self._buf)


def one_read(events: list[SSEEvent]) -> list[SSEEvent]:
    """Mark events a provider yields back to back from one upstream read (see `SSEEvent.more`):
    every one but the last. Only for a list yielded whole, with no wait in between."""
    for ev in events[:-1]:
        ev.more = True
    if events:
        events[-1].more = False
    return events


def _find_terminator(buf: bytes | bytearray, start: int) -> tuple[int, int]:
    """The earliest event terminator at or after `start`: (index, length), or (-1, 0).

    One left-to-right regex search that stops at the first blank line. Searching each kind of
    terminator with `find` went to the buffer's end for every kind a stream does not use, per
    event: a chunk of thousands of events (an upstream that writes its stream at once) was
    quadratic (a streamed 56k-character answer: 28 s of CPU)."""
    m = _TERMINATOR.search(buf, start)
    return (m.start(), m.end() - m.start()) if m is not None else (-1, 0)
