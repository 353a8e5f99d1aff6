"""OpenAI Responses streams <-> chat chunks.

`Decoder` (the provider side) gives each native event its chat-chunk view, the one plugins and
the attempt's assembly read: `response.created` -> the role chunk, text and refusal deltas ->
`content` / `refusal`, a function_call item and its argument deltas -> `tool_calls` fragments
(index = the call's position among the function calls), `response.completed` / `.incomplete`
-> the finish chunk, then (from the provider) a chat usage chunk. Lifecycle events with nothing to say in chat terms get an
empty chunk (`choices: []`, the shape of OpenAI's own usage chunk), so a stream stays a list
of JSON chunks for every plugin. `response.failed` and `error` raise `UpstreamStreamError`.

`Encoder` (the edge, for a Responses client) writes native events of an undiverged stream byte
for byte, tracking what they said (ids, output indexes, text so far, sequence numbers). The
first chat chunk it must encode (another provider's, a continuation's, the cache's, Bulwark's
own) diverges the stream for good: from then on every event is encoded from its chat view, in
the same response id, output item, content part and sequence numbering the client already has.
At the end it closes what is open and sends `response.completed` (or `.incomplete`) with the
whole output and usage; an error after the headers becomes `response.failed`.
"""
from __future__ import annotations

from typing import Any, Callable

import orjson

from ..errors import UpstreamStreamError
from .apis import RESPONSES, derived_id, minted_id, now
from .relay import Relay
from .responses_answer import call_item, finish_of, response_object, status_of, usage_from_chat, usage_to_chat


class Decoder:
    """Native Responses events -> chat chunk views (one stream)."""

    __slots__ = ("id", "created", "model", "tools", "finished", "provider", "usage")

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.id: str | None = None
        self.created = now()
        self.model: str | None = None
        self.tools: dict[int, int] = {}  # output_index -> chat tool_calls index
        self.finished = False
        self.usage: dict[str, Any] | None = None

    def usage_chunk(self) -> dict[str, Any] | None:
        """The chat usage chunk (`choices: []`) that follows the finish chunk, as in a chat stream
        with include_usage: the provider yields it after the terminal native event."""
        return self._chunk([], self.usage) if self.usage is not None else None

    def _chunk(self, choices: list[dict[str, Any]], usage: dict[str, Any] | None = None) -> dict[str, Any]:
        c: dict[str, Any] = {"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
                             "choices": choices}
        if usage is not None:
            c["usage"] = usage
        return c

    def _delta(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return self._chunk([{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}])

    def view(self, obj: dict[str, Any]) -> dict[str, Any]:
        kind = obj.get("type")
        if kind in ("response.created", "response.in_progress", "response.queued"):
            resp = obj.get("response") if isinstance(obj.get("response"), dict) else {}
            first = self.id is None
            self.id = resp.get("id") or self.id
            self.created = int(resp.get("created_at") or self.created)
            self.model = resp.get("model") or self.model
            return self._delta({"role": "assistant", "content": ""}) if first else self._chunk([])
        if kind == "response.output_text.delta":
            return self._delta({"content": str(obj.get("delta") or "")})
        if kind == "response.refusal.delta":
            return self._delta({"refusal": str(obj.get("delta") or "")})
        if kind == "response.output_item.added":
            item = obj.get("item") if isinstance(obj.get("item"), dict) else {}
            if item.get("type") == "function_call":
                k = self.tools[int(obj.get("output_index") or 0)] = len(self.tools)
                return self._delta({"tool_calls": [{"index": k, "id": item.get("call_id"), "type": "function",
                                                    "function": {"name": item.get("name"), "arguments": item.get("arguments") or ""}}]})
            return self._chunk([])
        if kind == "response.function_call_arguments.delta":
            k = self.tools.get(int(obj.get("output_index") or 0))
            if k is None:
                raise UpstreamStreamError(f"The upstream provider '{self.provider}' sent function arguments for an unknown output item.",
                                          reason="malformed")
            return self._delta({"tool_calls": [{"index": k, "function": {"arguments": str(obj.get("delta") or "")}}]})
        if kind in ("response.completed", "response.incomplete"):
            self.finished = True
            resp = obj.get("response") if isinstance(obj.get("response"), dict) else {}
            self.usage = usage_to_chat(resp.get("usage"))
            return self._delta({}, finish_of(resp, bool(self.tools)))
        if kind == "response.failed":
            resp = obj.get("response") if isinstance(obj.get("response"), dict) else {}
            err = resp.get("error") if isinstance(resp.get("error"), dict) else {}
            raise UpstreamStreamError(f"The upstream provider '{self.provider}' reported the response failed: "
                                      f"{err.get('message') or err.get('code') or 'unknown error'}", reason="error_event")
        if kind == "error":
            raise UpstreamStreamError(f"The upstream provider '{self.provider}' reported an error mid-stream: "
                                      f"{obj.get('message') or obj.get('code') or 'unknown error'}", reason="error_event")
        return self._chunk([])


class _Item:
    __slots__ = ("kind", "id", "index", "parts", "call_id", "name", "args", "done", "native")

    def __init__(self, kind: str, item_id: str, index: int) -> None:
        self.kind = kind  # message | function_call | another native item type
        self.id = item_id
        self.index = index
        self.parts: list[list[Any]] = []  # [kind ("output_text" | "refusal"), text, open]
        self.call_id: str | None = None
        self.name = ""
        self.args = ""
        self.done = False
        self.native: dict[str, Any] | None = None  # the native item as output_item.done gave it

    def final(self, status: str) -> dict[str, Any] | None:
        if self.kind == "message":
            content = [{"type": "output_text", "text": t, "annotations": [], "logprobs": []} if k == "output_text"
                       else {"type": "refusal", "refusal": t} for k, t, _ in self.parts]
            return {"type": "message", "id": self.id, "status": status, "role": "assistant", "content": content}
        if self.kind == "function_call":
            return call_item(self.id, self.call_id, self.name, self.args, "completed")
        return self.native


class Encoder(Relay):
    """Chat chunks (and native Responses events) -> the Responses event stream for one client."""

    api = RESPONSES

    def __init__(self, native_request: dict[str, Any], count_usage: Callable[[str], dict[str, Any]]) -> None:
        super().__init__(native_request, count_usage)
        self.seq = 0
        self.rid: str | None = None
        self.created = now()
        self.model: str | None = None
        self.items: list[_Item] = []
        self.by_index: dict[int, _Item] = {}
        self.by_tool: dict[int, _Item] = {}
        self.open: _Item | None = None

    def _emit(self, kind: str, **fields: Any) -> None:
        data = orjson.dumps({"type": kind, **fields, "sequence_number": self.seq})
        self.seq += 1
        self.out.append(b"event: " + kind.encode() + b"\ndata: " + data + b"\n\n")

    # -- native events: remember what the client has seen ------------------------------------------
    def _track(self, obj: dict[str, Any]) -> None:
        n = obj.get("sequence_number")
        if isinstance(n, int):
            self.seq = max(self.seq, n + 1)
        kind = obj.get("type")
        if kind in ("response.created", "response.in_progress", "response.queued"):
            resp = obj.get("response") if isinstance(obj.get("response"), dict) else {}
            self.rid = resp.get("id") or self.rid
            self.created = int(resp.get("created_at") or self.created)
            self.model = resp.get("model") or self.model
            self.started = True
        elif kind == "response.output_item.added" and isinstance(obj.get("item"), dict):
            item = obj["item"]
            it = self._add(str(item.get("type")), str(item.get("id") or ""), int(obj.get("output_index") or 0))
            if it.kind == "function_call":
                it.call_id, it.name, it.args = item.get("call_id"), str(item.get("name") or ""), str(item.get("arguments") or "")
                self.by_tool[len(self.by_tool)] = it
        elif kind == "response.content_part.added":
            it = self.by_index.get(int(obj.get("output_index") or 0))
            part = obj.get("part") if isinstance(obj.get("part"), dict) else {}
            if it is not None:
                it.parts.append([str(part.get("type")), str(part.get("text") or part.get("refusal") or ""), True])
        elif kind in ("response.output_text.delta", "response.refusal.delta"):
            part = self._part(obj)
            if part is not None:
                part[1] += str(obj.get("delta") or "")
        elif kind == "response.content_part.done":
            part = self._part(obj)
            if part is not None:
                part[2] = False
        elif kind == "response.function_call_arguments.delta":
            it = self.by_index.get(int(obj.get("output_index") or 0))
            if it is not None:
                it.args += str(obj.get("delta") or "")
        elif kind == "response.output_item.done":
            it = self.by_index.get(int(obj.get("output_index") or 0))
            if it is not None:
                it.done, it.native = True, obj.get("item") if isinstance(obj.get("item"), dict) else None
                if self.open is it:
                    self.open = None
        elif kind in ("response.completed", "response.incomplete", "response.failed"):
            self.terminal = True

    def _part(self, obj: dict[str, Any]) -> list[Any] | None:
        it = self.by_index.get(int(obj.get("output_index") or 0))
        ci = obj.get("content_index")
        if it is None or not isinstance(ci, int) or not 0 <= ci < len(it.parts):
            return None
        return it.parts[ci]

    def _add(self, kind: str, item_id: str, index: int | None = None) -> _Item:
        it = _Item(kind, item_id, len(self.items) if index is None else index)
        self.items.append(it)
        self.by_index[it.index] = it
        self.open = it
        return it

    # -- chat chunks: encode ---------------------------------------------------------------------------
    def _start(self, obj: dict[str, Any] | None) -> None:
        if self.started:
            return
        self.started = True
        src = obj or {}
        self.rid = derived_id("resp_", src.get("id") if isinstance(src.get("id"), str) else None)
        if isinstance(src.get("created"), int):
            self.created = src["created"]
        self.model = src.get("model") if isinstance(src.get("model"), str) else self.request.get("model")
        snapshot = self._envelope("in_progress", [])
        self._emit("response.created", response=snapshot)
        self._emit("response.in_progress", response=snapshot)

    def _envelope(self, status: str, output: list[dict[str, Any]], usage: dict[str, Any] | None = None,
                  error: dict[str, Any] | None = None) -> dict[str, Any]:
        return response_object(self.rid or minted_id("resp_"), self.created, self.model, self.request, status, output,
                               usage, self.finish, error)

    def _delta(self, d: dict[str, Any]) -> None:
        if isinstance(d.get("content"), str) and d["content"]:
            self._text("output_text", d["content"])
        if isinstance(d.get("refusal"), str) and d["refusal"]:
            self._text("refusal", d["refusal"])
        for tc in d.get("tool_calls") or ():
            if isinstance(tc, dict):
                self._tool(tc)

    def _text(self, kind: str, text: str) -> None:
        it = self.open
        if it is None or it.kind != "message" or it.done:
            self._close(it)
            it = self._add("message", minted_id("msg_"))
            self._emit("response.output_item.added", output_index=it.index,
                       item={"type": "message", "id": it.id, "status": "in_progress", "role": "assistant", "content": []})
        part = it.parts[-1] if it.parts and it.parts[-1][2] else None
        if part is None or part[0] != kind:
            self._close_part(it)
            part = [kind, "", True]
            it.parts.append(part)
            empty = {"type": "output_text", "text": "", "annotations": [], "logprobs": []} if kind == "output_text" else {"type": "refusal", "refusal": ""}
            self._emit("response.content_part.added", item_id=it.id, output_index=it.index, content_index=len(it.parts) - 1, part=empty)
        part[1] += text
        where = {"item_id": it.id, "output_index": it.index, "content_index": len(it.parts) - 1}
        if kind == "output_text":
            self._emit("response.output_text.delta", **where, delta=text, logprobs=[])
        else:
            self._emit("response.refusal.delta", **where, delta=text)

    def _tool(self, tc: dict[str, Any]) -> None:
        k = tc.get("index") if isinstance(tc.get("index"), int) else 0
        fn = tc.get("function") if isinstance(tc.get("function"), dict) else {}
        it = self.by_tool.get(k)
        if it is None:
            self._close(self.open)
            it = self._add("function_call", minted_id("fc_"))
            it.call_id = tc.get("id") if isinstance(tc.get("id"), str) and tc["id"] else minted_id("call_")
            it.name = str(fn.get("name") or "")
            self.by_tool[k] = it
            self._emit("response.output_item.added", output_index=it.index,
                       item={"type": "function_call", "id": it.id, "call_id": it.call_id, "name": it.name, "arguments": "", "status": "in_progress"})
        elif fn.get("name") and not it.name:
            it.name = str(fn["name"])
        args = fn.get("arguments")
        if isinstance(args, str) and args:
            it.args += args
            if not it.done:
                self._emit("response.function_call_arguments.delta", item_id=it.id, output_index=it.index, delta=args)

    def _close_part(self, it: _Item) -> None:
        for ci, part in enumerate(it.parts):
            if not part[2]:
                continue
            part[2] = False
            where = {"item_id": it.id, "output_index": it.index, "content_index": ci}
            if part[0] == "output_text":
                self._emit("response.output_text.done", **where, text=part[1], logprobs=[])
                full = {"type": "output_text", "text": part[1], "annotations": [], "logprobs": []}
            else:
                self._emit("response.refusal.done", **where, refusal=part[1])
                full = {"type": "refusal", "refusal": part[1]}
            self._emit("response.content_part.done", **where, part=full)

    def _close(self, it: _Item | None) -> None:
        if it is None or it.done or it.kind not in ("message", "function_call"):
            return
        if it.kind == "message":
            self._close_part(it)
        else:
            self._emit("response.function_call_arguments.done", item_id=it.id, output_index=it.index, name=it.name, arguments=it.args)
        it.done = True
        self._emit("response.output_item.done", output_index=it.index, item=it.final(status_of(self.finish)))
        if self.open is it:
            self.open = None

    # -- the end ---------------------------------------------------------------------------------------
    def finish_stream(self) -> bytes:
        """Close what is open and send the terminal event (once; nothing if the native one went out)."""
        if self.terminal:
            return self._take()
        self._start(None)
        for it in self.items:
            self._close(it)
        status = status_of(self.finish)
        output = [o for o in (it.final(status) for it in self.items) if o is not None]
        usage = usage_from_chat(self.usage or self.count_usage(
            "".join(p[1] for it in self.items for p in it.parts) + "".join(it.args for it in self.items)))
        self._emit("response.completed" if status == "completed" else "response.incomplete",
                   response=self._envelope(status, output, usage))
        self.terminal = True
        return self._take()

    def fail(self, message: str, status: int = 500) -> bytes:
        """An error after the headers went out: `response.failed` (or an `error` event once the
        response already ended)."""
        code = "rate_limit_exceeded" if status == 429 else "server_error"
        if self.terminal:
            self._emit("error", code=code, message=message, param=None)
            return self._take()
        self._start(None)
        output = [o for o in (it.final("incomplete") for it in self.items) if o is not None]
        self._emit("response.failed", response=self._envelope("failed", output, error={"code": code, "message": message}))
        self.terminal = True
        return self._take()
