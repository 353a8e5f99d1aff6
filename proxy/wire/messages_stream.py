"""The Anthropic Messages event stream for a Messages client (the edge's encoder).

Native events of an undiverged stream (the Anthropic provider's, relayed untouched) are written
byte for byte; the encoder tracks what they said (message id, open content block, block count,
stop reason). The first chat chunk it must encode diverges the stream for good, and it goes on in
the client's numbering: `message_start` if none went out, `content_block_start` / `_delta` /
`_stop` for text (`text_delta`) and tool calls (`tool_use` + `input_json_delta`), then
`message_delta` (stop reason, cumulative usage) and `message_stop`. An error after the headers
is Anthropic's in-band `event: error`.
"""
from __future__ import annotations

from typing import Any, Callable

import orjson

from .apis import MESSAGES, derived_id, minted_id
from .relay import Relay
from .messages_answer import error_type, stop_of, usage_of


class Encoder(Relay):
    api = MESSAGES

    def __init__(self, native_request: dict[str, Any], count_usage: Callable[[str], dict[str, Any]]) -> None:
        super().__init__(native_request, count_usage)
        self.blocks = 0  # content blocks opened so far (the next block's index)
        self.open: str | None = None  # kind of the open block: text | tool_use | another native kind
        self.tools: dict[int, int] = {}  # chat tool index -> block index
        self.stop_reason: str | None = None
        self.text: list[str] = []

    def _emit(self, kind: str, data: dict[str, Any]) -> None:
        self.out.append(b"event: " + kind.encode() + b"\ndata: " + orjson.dumps({"type": kind, **data}) + b"\n\n")

    def _track(self, obj: dict[str, Any]) -> None:
        kind = obj.get("type")
        if kind == "message_start":
            self.started = True
        elif kind == "content_block_start":
            block = obj.get("content_block") if isinstance(obj.get("content_block"), dict) else {}
            self.open = str(block.get("type"))
            if self.open == "tool_use":
                self.tools[len(self.tools)] = self.blocks
            self.blocks = max(self.blocks, int(obj.get("index") or 0) + 1)
        elif kind == "content_block_delta":
            delta = obj.get("delta") if isinstance(obj.get("delta"), dict) else {}
            if delta.get("type") == "text_delta":
                self.text.append(str(delta.get("text") or ""))
        elif kind == "content_block_stop":
            self.open = None
        elif kind == "message_delta":
            delta = obj.get("delta") if isinstance(obj.get("delta"), dict) else {}
            self.stop_reason = delta.get("stop_reason") or self.stop_reason
        elif kind == "message_stop":
            self.terminal = True

    def _start(self, obj: dict[str, Any] | None) -> None:
        if self.started:
            return
        self.started = True
        src = obj or {}
        usage = usage_of(self.count_usage(""))
        usage["output_tokens"] = 0
        self._emit("message_start", {"message": {
            "id": derived_id("msg_", src.get("id") if isinstance(src.get("id"), str) else None), "type": "message",
            "role": "assistant", "model": src.get("model") or self.request.get("model"), "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": usage}})

    def _stop_block(self) -> None:
        if self.open is not None:
            self._emit("content_block_stop", {"index": self.blocks - 1})
            self.open = None

    def _open_block(self, block: dict[str, Any]) -> int:
        self._stop_block()
        index = self.blocks
        self.blocks += 1
        self.open = str(block["type"])
        self._emit("content_block_start", {"index": index, "content_block": block})
        return index

    def _delta(self, d: dict[str, Any]) -> None:
        for key in ("content", "refusal"):  # a refusal is text in Messages (stop_reason tells)
            if isinstance(d.get(key), str) and d[key]:
                if self.open != "text":
                    self._open_block({"type": "text", "text": ""})
                self.text.append(d[key])
                self._emit("content_block_delta", {"index": self.blocks - 1, "delta": {"type": "text_delta", "text": d[key]}})
        for tc in d.get("tool_calls") or ():
            if isinstance(tc, dict):
                self._tool(tc)

    def _tool(self, tc: dict[str, Any]) -> None:
        k = tc.get("index") if isinstance(tc.get("index"), int) else 0
        fn = tc.get("function") if isinstance(tc.get("function"), dict) else {}
        if k not in self.tools:
            tid = tc.get("id") if isinstance(tc.get("id"), str) and tc["id"] else minted_id("toolu_")
            self.tools[k] = self._open_block({"type": "tool_use", "id": tid, "name": str(fn.get("name") or ""), "input": {}})
        args = fn.get("arguments")
        if isinstance(args, str) and args and self.tools[k] == self.blocks - 1 and self.open == "tool_use":
            self._emit("content_block_delta", {"index": self.tools[k], "delta": {"type": "input_json_delta", "partial_json": args}})

    def finish_stream(self) -> bytes:
        if self.terminal:
            return self._take()
        self._start(None)
        self._stop_block()
        usage = usage_of(self.usage if self.usage else self.count_usage("".join(self.text)))
        reason = self.stop_reason if self.stop_reason and not self.diverged else stop_of(self.finish)
        self._emit("message_delta", {"delta": {"stop_reason": reason, "stop_sequence": None}, "usage": usage})
        self._emit("message_stop", {})
        self.terminal = True
        return self._take()

    def fail(self, message: str, status: int = 500) -> bytes:
        self._emit("error", {"error": {"type": error_type(status), "message": message}})
        self.terminal = True
        return self._take()
