"""Answers out of a response, and replays of buffered events.

The answer itself is assembled once, by dispatch, into the attempt's `proxy.assembly.Assembly`
(`resp.assembly`); `answers_of` reads it. `_iterate` and `_chain_events` replay buffered events.
"""
from __future__ import annotations

from typing import Any, AsyncIterator

from proxy.assembly import Answer, Assembly
from proxy.response import ProxyResponse
from proxy.sse import SSEEvent


async def _iterate(events: list[SSEEvent]) -> AsyncIterator[SSEEvent]:
    for ev in events:
        yield ev


async def _chain_events(head: list[SSEEvent], rest: AsyncIterator[SSEEvent]) -> AsyncIterator[SSEEvent]:
    for ev in head:
        yield ev
    async for ev in rest:
        yield ev


def answers_of(resp: ProxyResponse) -> list[Answer]:
    """The answers of a complete response: its attempt's assembly (dispatch read the body into
    it once), or, for a response a layer wrote itself, its JSON read now."""
    asm = resp.assembly
    if asm is None:
        asm = Assembly()
        asm.read_body(resp.try_json())
    return asm.answers()
