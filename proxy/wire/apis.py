"""The wire API names, the record of a decoded client request, and what the codecs share.

`ctx.api` is one of `CHAT_COMPLETIONS`, `RESPONSES`, `MESSAGES` (legacy completions and
embeddings keep `CHAT_COMPLETIONS`: they are OpenAI's own shapes and never translated).
"""
from __future__ import annotations

import os
import time
from typing import Any

from ..errors import BadRequest, FailoverRequested

# An output limit no model comes near (the largest output windows today are ~128k tokens):
# past it the value is a client bug, and reserving it would answer a misleading 429 "request
# too large" instead of naming the field.
MAX_OUTPUT_TOKENS = 1_000_000

CHAT_COMPLETIONS = "chat_completions"
RESPONSES = "responses"
MESSAGES = "messages"
APIS = (CHAT_COMPLETIONS, RESPONSES, MESSAGES)

# The chat view's field for the native-only request fields that shape the answer (a Responses
# `previous_response_id`, built-in tools, Anthropic's `thinking`...). It makes two requests that
# differ only there differ as chat bodies too (the cache key splits on it); providers never send
# it to a chat upstream.
NATIVE_KEY = "x_bulwark_native"
# Chat-view extensions on messages and parts that only Anthropic reads (prompt caching, tool
# error flags); stripped for OpenAI-compatible upstreams.
PART_EXTENSIONS = ("cache_control",)
MESSAGE_EXTENSIONS = ("is_error",)

# Ids Bulwark mints for answers it encoded itself (no upstream stored them): a later request
# that names one as `previous_response_id` gets a clear 400 instead of an upstream 404.
MINTED = "bw"


class WireRequest:
    """What the client sent, beside the chat view the plugins see.

    `native` is the client's parsed body. `native_only` holds its fields the chat form cannot
    carry (kept for a native upstream); `upstream_state` names the part of the conversation
    that lives upstream (Responses `previous_response_id` / `conversation` / item references);
    `untranslatable` lists what only the native API can express (built-in tools, hosted items):
    such a request cannot be moved to a provider of another API faithfully."""

    __slots__ = ("api", "native", "native_only", "upstream_state", "untranslatable", "dropped", "extensions")

    def __init__(self, api: str, native: dict[str, Any]) -> None:
        self.api = api
        self.native = native
        self.native_only: dict[str, Any] = {}
        self.upstream_state: str | None = None
        self.untranslatable: list[str] = []
        self.dropped: list[str] = []  # opaque items left out of the chat view (reasoning, thinking)
        self.extensions = False  # the chat view carries PART_EXTENSIONS / MESSAGE_EXTENSIONS

    def notes(self) -> dict[str, Any]:
        """What the decision log records about the translation."""
        out: dict[str, Any] = {"api": self.api}
        if self.upstream_state:
            out["history"] = "upstream"
            out["upstream_state"] = self.upstream_state
            out["prune"] = "not applicable: the earlier turns live upstream, Bulwark sees only the new input"
        if self.untranslatable:
            out["native_only"] = self.untranslatable[:10]
        if self.dropped:
            out["dropped_from_chat_view"] = self.dropped[:10]
        return out


class Untranslatable(FailoverRequested):
    """The request needs its native API (its history lives upstream, or it uses something only
    that API has) and this provider speaks another one. A fallback cascade moves on to the next
    step (no retry, no breaker failure); without one the client gets this 400."""

    status = 400
    type = "invalid_request_error"
    code = "untranslatable_request"

    def __init__(self, message: str, *, provider: str | None = None, param: str | None = None) -> None:
        super(FailoverRequested, self).__init__(message, param=param)
        self.issues = [message]
        self.validators: list[str] = []
        self.provider = provider


def bad(param: str, what: str) -> BadRequest:
    return BadRequest(f"Invalid type for '{param}': expected {what}.", param=param, code="invalid_type")


def minted_id(prefix: str) -> str:
    """A fresh id for an answer Bulwark encoded: `prefix` + "bw" + 40 hex digits."""
    return f"{prefix}{MINTED}{os.urandom(20).hex()}"


def derived_id(prefix: str, source: str | None) -> str:
    """The id of an answer translated from another API's id: kept when it already has
    `prefix` (a native answer), else `prefix` + "bw" + the source's unique part."""
    if source and source.startswith(prefix):
        return source
    if source:
        tail = source.split("-", 1)[-1] if "-" in source else source.split("_", 1)[-1]
        if tail and all(c.isalnum() or c in "_-" for c in tail):
            return f"{prefix}{MINTED}{tail.replace('-', '')}"
    return minted_id(prefix)


def now() -> int:
    return int(time.time())


def strip_extensions(body: dict[str, Any], wire: WireRequest | None) -> dict[str, Any]:
    """The chat view as an OpenAI-compatible upstream may see it (no Bulwark/Anthropic extensions)."""
    if NATIVE_KEY in body:
        body = {k: v for k, v in body.items() if k != NATIVE_KEY}
    if wire is None or not wire.extensions:
        return body
    messages = []
    for m in body.get("messages") or ():
        if not isinstance(m, dict):
            messages.append(m)
            continue
        m = {k: v for k, v in m.items() if k not in MESSAGE_EXTENSIONS}
        c = m.get("content")
        if isinstance(c, list):
            m["content"] = [{k: v for k, v in p.items() if k not in PART_EXTENSIONS} if isinstance(p, dict) else p for p in c]
        messages.append(m)
    out = {**body, "messages": messages}
    if isinstance(body.get("tools"), list):
        out["tools"] = [{k: v for k, v in t.items() if k not in PART_EXTENSIONS} if isinstance(t, dict) else t for t in body["tools"]]
    return out


def chat_usage(prompt: int, completion: int, cached: int = 0, reasoning: int = 0) -> dict[str, Any]:
    """A chat-completions usage object (what the ledger and the plugins read)."""
    return {
        "prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": reasoning, "audio_tokens": 0,
                                      "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
    }


def usage_numbers(usage: Any) -> tuple[int, int, int, int]:
    """(prompt, completion, cached, reasoning) of a chat usage object (zeros for junk)."""
    if not isinstance(usage, dict):
        return 0, 0, 0, 0

    def num(v: Any) -> int:
        return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else 0

    pd = usage.get("prompt_tokens_details") if isinstance(usage.get("prompt_tokens_details"), dict) else {}
    cd = usage.get("completion_tokens_details") if isinstance(usage.get("completion_tokens_details"), dict) else {}
    return num(usage.get("prompt_tokens")), num(usage.get("completion_tokens")), num(pd.get("cached_tokens")), num(cd.get("reasoning_tokens"))
