"""What the simulated provider billed: one record per answer it generated.

A real provider bills the prompt and what it generated, whether or not the client read it
all: a stream cut by a fault or dropped by the client is billed for the events that went
out. Tests and the money benchmark compare Bulwark's ledger with these records
(`sim.billing`, `GET /sim/billing`, `DELETE /sim/billing`).
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

import orjson

from ..tokens import count_text


@dataclass(slots=True)
class Bill:
    model: str
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    complete: bool  # the whole answer went out
    path: str
    at: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def usage_numbers(usage: dict[str, Any]) -> tuple[int, int, int]:
    """(prompt incl. cached, completion, cached) from an OpenAI, Responses or Anthropic usage object."""
    if "prompt_tokens" in usage:
        details = usage.get("prompt_tokens_details") or {}
        return int(usage["prompt_tokens"]), int(usage.get("completion_tokens") or 0), int(details.get("cached_tokens") or 0)
    cache_read = int(usage.get("cache_read_input_tokens") or 0)
    prompt = int(usage.get("input_tokens") or 0) + int(usage.get("cache_creation_input_tokens") or 0) + cache_read
    details = usage.get("input_tokens_details") or {}
    cached = cache_read or int(details.get("cached_tokens") or 0) if isinstance(details, dict) else cache_read
    return prompt, int(usage.get("output_tokens") or 0), cached


def generated_text(event: bytes) -> str:
    """The generated text one SSE event carries (OpenAI chunk, Anthropic or Responses event)."""
    text: list[str] = []
    for line in event.split(b"\n"):
        if not line.startswith(b"data: {"):
            continue
        try:
            obj = orjson.loads(line[6:])
        except orjson.JSONDecodeError:
            continue
        for c in obj.get("choices") or ():
            d = c.get("delta") if isinstance(c, dict) else None
            if isinstance(d, dict):
                text.append(d.get("content") or "")
                text.append(d.get("refusal") or "")
                for tc in d.get("tool_calls") or ():
                    fn = tc.get("function") or {}
                    text.append(fn.get("name") or "")
                    text.append(fn.get("arguments") or "")
            elif isinstance(c, dict):
                text.append(c.get("text") or "")
        d = obj.get("delta")
        if isinstance(d, dict):  # Anthropic content_block_delta
            text.append(d.get("text") or d.get("partial_json") or "")
        elif isinstance(d, str):  # Responses output_text.delta / function_call_arguments.delta
            text.append(d)
    return "".join(text)


class Billing:
    """The simulator's bills, bounded like its request log."""

    def __init__(self, cap: int = 10_000) -> None:
        self.cap = cap
        self.records: list[Bill] = []

    def add(self, model: str, usage: dict[str, Any], path: str, sent: list[bytes] | None = None, complete: bool = True) -> None:
        prompt, completion, cached = usage_numbers(usage)
        if not complete and sent is not None:  # only what went out before the cut or the hang-up
            completion = min(completion, count_text("".join(generated_text(ev) for ev in sent), model))
        self.records.append(Bill(model, prompt, completion, cached, complete, path, time.time()))
        if len(self.records) > self.cap:
            del self.records[0]

    def clear(self) -> None:
        self.records.clear()
