"""Fault specs: what the simulator does wrong on purpose.

Grammar (comma-separated list; later items override earlier ones):

    429 | 500 | 502 | 503 | 529 | any 4xx/5xx   answer that status (OpenAI- or Anthropic-shaped error)
    STATUS:retry=S                              ... with `retry-after: ceil(S)` and `retry-after-ms`
                                                (429 always carries them, default 1 s)
    latency=MS        wait MS before the status line
    timeout           accept the request, never answer (until the client gives up)
    reset             close the connection abruptly, no response at all
    cut=N             stream: N events, then close the connection without [DONE]
                      (plain: headers and half the body, then close)
    stall=N           stream: N events, then silence with the connection open
                      (plain: headers, then silence)
    malformed=N       stream: N events, then `data: {not json` (plain: a body that is not JSON)
    error_event=N     stream: N events, then `data: {"error": {...}}` and close
    context_length    400 `context_length_exceeded`
    content_filter    finish_reason content_filter (partial content)
    empty             empty content
    length            finish_reason length (truncated content)
    none | ok         no fault (as a request header: overrides the server-wide fault)

N counts every `data:` event written, the first (role) chunk included.
"""
from __future__ import annotations

from dataclasses import dataclass

_COUNTED = ("cut", "stall", "malformed", "error_event")
_FLAGS = ("timeout", "reset", "context_length", "content_filter", "empty", "length")


@dataclass(frozen=True, slots=True)
class Fault:
    status: int | None = None
    retry_after: float | None = None
    latency_ms: float = 0.0
    timeout: bool = False
    reset: bool = False
    cut: int | None = None
    stall: int | None = None
    malformed: int | None = None
    error_event: int | None = None
    context_length: bool = False
    content_filter: bool = False
    empty: bool = False
    length: bool = False
    spec: str = ""

    @property
    def stream_break(self) -> tuple[str, int] | None:
        """The first stream-breaking fault (kind, after N events), if any."""
        for kind in _COUNTED:
            n = getattr(self, kind)
            if n is not None:
                return kind, n
        return None


NO_FAULT = Fault()


def _int(value: str, item: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise ValueError(f"fault {item!r}: {value!r} is not an integer") from None
    if n < 0:
        raise ValueError(f"fault {item!r}: must be >= 0")
    return n


def parse_fault(spec: str | None) -> Fault | None:
    """Parse a spec (see module docstring). None/"" -> None; raises ValueError on bad specs."""
    if spec is None:
        return None
    spec = spec.strip()
    if not spec:
        return None
    kw: dict = {}
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        low = item.lower()
        if low in ("none", "ok"):
            kw.clear()
            continue
        name, _, value = low.partition("=")
        head, _, opt = name.partition(":")
        if head.isdigit() and len(head) == 3:
            status = int(head)
            if not 400 <= status <= 599:
                raise ValueError(f"fault {item!r}: status must be 4xx or 5xx")
            kw["status"] = status
            if opt:
                if opt != "retry" or not value:
                    raise ValueError(f"fault {item!r}: expected STATUS:retry=SECONDS")
                try:
                    kw["retry_after"] = float(value)
                except ValueError:
                    raise ValueError(f"fault {item!r}: retry must be a number of seconds") from None
            elif value:
                raise ValueError(f"fault {item!r}: expected STATUS or STATUS:retry=SECONDS")
        elif name == "latency":
            try:
                kw["latency_ms"] = float(value)
            except ValueError:
                raise ValueError(f"fault {item!r}: expected latency=MILLISECONDS") from None
        elif name in _COUNTED:
            if not value:
                raise ValueError(f"fault {item!r}: expected {name}=N (events before the fault)")
            kw[name] = _int(value, item)
        elif name in _FLAGS and not value:
            kw[name] = True
        else:
            raise ValueError(
                f"unknown fault {item!r}; known: 429[:retry=S], 500, 502, 503, 529, latency=MS, timeout, reset, "
                "cut=N, stall=N, malformed=N, error_event=N, context_length, content_filter, empty, length, none"
            )
    return Fault(spec=spec, **kw)
