"""The Messages codec in isolation: a client's Messages request decoded into the chat form (and
re-encoded for Anthropic by the provider), chat answers as Messages, the edge's stream encoder
(native events byte for byte, a diverged stream in the client's block numbering), and errors in
Anthropic's shape, checked with the anthropic SDK's own types and stream accumulator."""
from __future__ import annotations

import json
from typing import Any

import orjson
import pydantic
import pytest
from anthropic.types import Message, RawMessageStreamEvent

from proxy.errors import BadRequest
from proxy.providers.anthropic import to_anthropic
from proxy.sse import SSEEvent, SSESplitter
from proxy.wire import messages_answer, messages_request, messages_stream
from proxy.wire.apis import MESSAGES, NATIVE_KEY, chat_usage, strip_extensions

_EVENT = pydantic.TypeAdapter(RawMessageStreamEvent)
TOOLS = [{"name": "get_weather", "description": "Weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
          "cache_control": {"type": "ephemeral"}}]


def conversation() -> dict[str, Any]:
    return {"model": "claude-sonnet-4-5", "max_tokens": 300, "tools": TOOLS, "tool_choice": {"type": "auto", "disable_parallel_tool_use": True},
            "system": [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}],
            "stop_sequences": ["END"], "metadata": {"user_id": "u-7"}, "top_k": 5,
            "messages": [
                {"role": "user", "content": "Weather in Oslo?"},
                {"role": "assistant", "content": [{"type": "thinking", "thinking": "...", "signature": "s"},
                                                  {"type": "text", "text": "Checking."},
                                                  {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "-3C", "is_error": False},
                                             {"type": "text", "text": "And tomorrow?"}]},
            ]}


def test_decode_maps_every_field_into_the_chat_form() -> None:
    chat, wire = messages_request.decode(conversation())
    m = chat["messages"]
    assert m[0] == {"role": "system", "content": [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}]}
    assert m[1] == {"role": "user", "content": "Weather in Oslo?"}
    assert m[2]["content"] == "Checking." and m[2]["tool_calls"][0]["function"] == {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"}
    assert m[3] == {"role": "tool", "tool_call_id": "toolu_1", "content": "-3C"}  # tool results first in their turn
    assert m[4] == {"role": "user", "content": [{"type": "text", "text": "And tomorrow?"}]}
    assert chat["max_completion_tokens"] == 300 and chat["stop"] == ["END"] and chat["user"] == "u-7"
    assert chat["tool_choice"] == "auto" and chat["parallel_tool_calls"] is False
    assert chat["tools"][0]["function"]["parameters"]["properties"] == {"city": {"type": "string"}}
    assert chat[NATIVE_KEY] == {"top_k": 5} and wire.native_only["top_k"] == 5
    assert wire.dropped == ["messages[1].content[0] (thinking)"]
    # An OpenAI-compatible upstream never sees the Anthropic-only extensions.
    plain = strip_extensions(chat, wire)
    assert NATIVE_KEY not in plain and "cache_control" not in plain["messages"][0]["content"][0]
    assert "cache_control" not in plain["tools"][0]


def test_reencoded_for_anthropic_keeps_prompt_caching_marks() -> None:
    chat, _ = messages_request.decode(conversation())
    req = to_anthropic(chat, "claude-sonnet-4-5")
    assert req["system"] == [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}]
    assert req["tools"][0]["cache_control"] == {"type": "ephemeral"}
    assert [b["type"] for b in req["messages"][2]["content"]] == ["tool_result", "text"]
    assert req["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}


@pytest.mark.parametrize("body, param", [
    ({"max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}, "model"),
    ({"model": "m", "messages": [{"role": "user", "content": "x"}]}, "max_tokens"),
    ({"model": "m", "max_tokens": 5, "messages": []}, "messages"),
    ({"model": "m", "max_tokens": 5, "messages": [{"role": "system", "content": "x"}]}, "messages[0].role"),
    ({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": [{"type": "video"}]}]}, "messages[0].content[0]"),
    ({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}], "tool_choice": {"type": "maybe"}}, "tool_choice.type"),
])
def test_bad_requests_name_the_parameter(body: dict[str, Any], param: str) -> None:
    with pytest.raises(BadRequest) as e:
        messages_request.decode(body)
    assert e.value.param == param


def test_chat_answers_become_messages() -> None:
    completion = {"id": "chatcmpl-abc", "object": "chat.completion", "created": 1, "model": "gpt-4o",
                  "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": "Let me check.",
                               "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{\"a\": 1}"}}]}}],
                  "usage": chat_usage(20, 7, cached=5)}
    msg = Message.model_validate(messages_answer.from_chat(completion, {"model": "gpt-4o"}))
    assert msg.id == "msg_bwabc" and msg.stop_reason == "tool_use"
    assert [b.type for b in msg.content] == ["text", "tool_use"] and msg.content[1].input == {"a": 1}
    assert msg.usage.input_tokens == 15 and msg.usage.cache_read_input_tokens == 5 and msg.usage.output_tokens == 7
    cut = {**completion, "choices": [{"index": 0, "finish_reason": "length", "message": {"role": "assistant", "content": "Half"}}]}
    assert messages_answer.from_chat(cut, {})["stop_reason"] == "max_tokens"
    refused = {**completion, "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": None, "refusal": "No."}}]}
    r = messages_answer.from_chat(refused, {})
    assert r["stop_reason"] == "refusal" and r["content"] == [{"type": "text", "text": "No."}]


def test_errors_use_anthropic_types_by_status() -> None:
    for status, kind in ((400, "invalid_request_error"), (401, "authentication_error"), (403, "permission_error"),
                         (404, "not_found_error"), (413, "request_too_large"), (429, "rate_limit_error"), (500, "api_error"),
                         (502, "api_error"), (503, "overloaded_error")):
        body = json.loads(messages_answer.error_body(status, "m", "req_1"))
        assert body == {"type": "error", "error": {"type": kind, "message": "m"}, "request_id": "req_1"}


def native_events() -> list[bytes]:
    def ev(kind: str, data: dict[str, Any]) -> bytes:
        return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps({"type": kind, **data}) + b"\n\n"

    return [
        ev("message_start", {"message": {"id": "msg_N", "type": "message", "role": "assistant", "model": "claude", "content": [],
                                         "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 9, "output_tokens": 1}}}),
        ev("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}),
        ev("ping", {}),
        ev("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": "Rivers "}}),
        ev("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": "carry "}}),
        ev("content_block_stop", {"index": 0}),
        ev("message_delta", {"delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": 2}}),
        ev("message_stop", {}),
    ]


def tagged(raw: list[bytes]) -> list[SSEEvent]:
    """Native events as the Anthropic provider yields them (the view itself is not needed here)."""
    out = [ev.set_view(MESSAGES, ev.json(), {"choices": []}) for ev in SSESplitter().feed(b"".join(raw))]
    return out + [SSEEvent.done()]


def counted(text: str) -> dict[str, Any]:
    return chat_usage(11, len(text.split()))


def test_stream_encoder_relays_native_events_byte_for_byte() -> None:
    enc = messages_stream.Encoder({"model": "claude"}, counted)
    raw = native_events()
    assert b"".join(enc.feed(ev) for ev in tagged(raw)) + enc.finish_stream() == b"".join(raw)


def test_stream_encoder_continues_a_diverged_stream() -> None:
    raw = native_events()[:5]  # cut after two text deltas
    enc = messages_stream.Encoder({"model": "claude"}, counted)
    out = b"".join(enc.feed(ev) for ev in tagged(raw)[:-1])
    chunks = [{"id": "chatcmpl-z", "choices": [{"index": 0, "delta": {"content": "water."}}]},
              {"id": "chatcmpl-z", "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_1", "function": {"name": "f", "arguments": "{\"a\""}}]}}]},
              {"id": "chatcmpl-z", "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": ": 1}"}}]}, "finish_reason": "tool_calls"}]},
              {"id": "chatcmpl-z", "choices": [], "usage": chat_usage(9, 4)}]
    out += b"".join(enc.feed(SSEEvent.from_json(c)) for c in chunks) + enc.feed(SSEEvent.done())
    events = [_EVENT.validate_python(e) for e in _objects(out) if e["type"] != "ping"]
    final = _accumulate(events)
    assert final.id == "msg_N" and [b.type for b in final.content] == ["text", "tool_use"]
    assert final.content[0].text == "Rivers carry water." and final.content[1].input == {"a": 1}
    assert final.stop_reason == "tool_use" and final.usage.output_tokens == 4


def test_stream_encoder_from_chat_alone_and_in_band_errors() -> None:
    enc = messages_stream.Encoder({"model": "gpt-4o"}, counted)
    out = enc.feed(SSEEvent.from_json({"id": "chatcmpl-1", "model": "gpt-4o", "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}}]}))
    out += enc.feed(SSEEvent.done())
    events = [_EVENT.validate_python(e) for e in _objects(out)]
    final = _accumulate(events)
    assert final.content[0].text == "Hi" and final.stop_reason == "end_turn"
    assert final.usage.input_tokens == 11  # counted: nobody reported usage
    err = messages_stream.Encoder({}, counted).fail("overloaded upstream", 503)
    assert json.loads(err.split(b"data: ", 1)[1]) == {"type": "error", "error": {"type": "overloaded_error", "message": "overloaded upstream"}}


def _objects(raw: bytes) -> list[dict[str, Any]]:
    return [json.loads(b.split(b"data: ", 1)[1]) for b in raw.split(b"\n\n") if b.strip()]


def _accumulate(events: list[Any]) -> Any:
    """The anthropic SDK's own stream accumulator (what `messages.stream()` builds)."""
    from anthropic.lib.streaming._messages import accumulate_event

    snap, bufs = None, {}
    for e in events:
        snap = accumulate_event(event=e, current_snapshot=snap, json_bufs=bufs)
    return snap
