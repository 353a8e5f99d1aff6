"""The codec registry: what the context, the edge and the providers ask of a wire API.

    decode(api, body, count_tokens)   the client's body -> (chat view, WireRequest)
    encode_answer(api, completion, wire)   a chat.completion -> the client's answer object
    error_bytes(api, status, ...)     an error in the client's API shape
    stream_encoder(api, wire, count)  the encoder of a streamed answer for the client (None: chat)
"""
from __future__ import annotations

from typing import Any, Callable, Protocol

import orjson

from ..errors import error_body
from . import messages_answer, messages_request, messages_stream, responses_answer, responses_request, responses_stream
from .apis import MESSAGES, RESPONSES, WireRequest

class StreamEncoder(Protocol):
    """What the edge asks of a stream encoder (responses_stream.Encoder, messages_stream.Encoder)."""

    def feed(self, ev: Any) -> bytes: ...  # the bytes to write for one chain event

    def finish_stream(self) -> bytes: ...  # the closing events (nothing if the native ones went out)

    def fail(self, message: str, status: int = 500) -> bytes: ...  # the API's in-band error


_DECODERS: dict[str, Callable[..., tuple[dict[str, Any], WireRequest]]] = {
    RESPONSES: lambda body, count_tokens: responses_request.decode(body),
    MESSAGES: lambda body, count_tokens: messages_request.decode(body, count_tokens=count_tokens),
}
_ANSWERS: dict[str, Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]] = {
    RESPONSES: responses_answer.from_chat, MESSAGES: messages_answer.from_chat}
_STREAMS: dict[str, Callable[..., StreamEncoder]] = {RESPONSES: responses_stream.Encoder, MESSAGES: messages_stream.Encoder}


def decode(api: str, body: dict[str, Any], count_tokens: bool = False) -> tuple[dict[str, Any], WireRequest]:
    return _DECODERS[api](body, count_tokens)


def encode_answer(api: str, completion: dict[str, Any], wire: WireRequest | None) -> dict[str, Any]:
    encode = _ANSWERS.get(api)
    return completion if encode is None else encode(completion, wire.native if wire is not None else {})


def error_bytes(api: str, status: int, message: str, type: str = "api_error", code: str | None = None,
                param: str | None = None, request_id: str | None = None) -> bytes:
    """Bulwark's own errors in the client's API: Anthropic's shape on /v1/messages (its SDK maps
    them by status), OpenAI's everywhere else (Responses errors are OpenAI errors)."""
    if api == MESSAGES:
        return messages_answer.error_body(status, message, request_id)
    return orjson.dumps(error_body(message, type, code, param))


def stream_encoder(api: str, wire: WireRequest | None, count_usage: Callable[[str], dict[str, Any]]) -> StreamEncoder | None:
    make = _STREAMS.get(api)
    return None if make is None else make(wire.native if wire is not None else {}, count_usage)
