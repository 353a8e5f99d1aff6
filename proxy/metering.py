"""Usage of an answer, for plugins that settle against it (rate limits, budgets).

Temporary home: these two helpers are about to be replaced by the request ledger
(`proxy.ledger`), which meters every attempt once; until then each accounting plugin
reads usage through them.
"""
from __future__ import annotations

from typing import Any


def usage_from_body(resp: Any) -> tuple[int, int, int] | None:
    """(prompt, completion, cached) from a complete JSON answer's `usage`, if any."""
    if resp.body is None:
        return None
    data = resp.try_json()
    if not isinstance(data, dict):
        return None
    u = data.get("usage")
    if not isinstance(u, dict):
        return None
    from .pricing import usage_numbers

    return usage_numbers(u)


async def metered(stream: Any, on_done: Any, model: str | None, prompt_tokens: int) -> Any:
    """Wrap an SSE event stream; when it ends for any reason (done, upstream error, client
    disconnect/cancel) call `await on_done((prompt, completion, cached), exact)`.

    Usage comes from the usage chunk when the upstream sent one; otherwise the streamed
    content is counted with tiktoken (so tokens streamed before a disconnect are counted).
    """
    from .pricing import usage_numbers
    from .tokens import count_text

    parts: list[str] = []
    usage: dict[str, Any] | None = None
    try:
        async for ev in stream:
            data = ev.data
            if data and data[0] == "{":
                try:
                    j = ev.json()
                except ValueError:
                    j = None
                if isinstance(j, dict):
                    u = j.get("usage")
                    if isinstance(u, dict) and u:
                        usage = u
                    for ch in j.get("choices") or ():
                        d = ch.get("delta") if isinstance(ch, dict) else None
                        if isinstance(d, dict):
                            c = d.get("content")
                            if isinstance(c, str):
                                parts.append(c)
                            for tc in d.get("tool_calls") or ():
                                fn = tc.get("function") if isinstance(tc, dict) else None
                                if isinstance(fn, dict):
                                    parts.append(str(fn.get("name") or ""))
                                    parts.append(str(fn.get("arguments") or ""))
                        elif isinstance(ch, dict) and isinstance(ch.get("text"), str):
                            parts.append(ch["text"])
            yield ev
    finally:
        if usage is not None:
            numbers, exact = usage_numbers(usage), True
        else:
            numbers, exact = (prompt_tokens, count_text("".join(parts), model), 0), False
        await on_done(numbers, exact)
