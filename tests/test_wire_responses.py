"""The Responses codec in isolation: request decoding into the chat form and back, Response
objects <-> chat completions, the stream decoder's chat views and the edge encoder (native events
byte for byte, then a diverged stream that keeps ids and sequence numbers), all checked against
the official OpenAPI document and the openai SDK's own stream accumulator."""
from __future__ import annotations

import json
from typing import Any

import orjson
import pytest

from proxy.errors import BadRequest, UpstreamStreamError
from proxy.sse import SSEEvent, SSESplitter
from proxy.wire import responses_answer, responses_request, responses_stream
from proxy.wire.apis import NATIVE_KEY, RESPONSES, chat_usage
from tests.test_wire_harness import conformance
from tests.test_responses_schema import check_events

TOOL = {"type": "function", "name": "get_weather", "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}


def test_string_input_and_instructions_become_messages() -> None:
    chat, wire = responses_request.decode({"model": "gpt-4o", "input": "hi", "instructions": "Be brief.", "max_output_tokens": 50,
                                           "temperature": 0, "user": "u1"})
    assert chat["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}]
    assert chat["max_completion_tokens"] == 50 and chat["temperature"] == 0 and chat["user"] == "u1"
    assert NATIVE_KEY not in chat and wire.upstream_state is None and not wire.untranslatable


def test_items_tools_and_outputs_decode_into_one_assistant_turn() -> None:
    body = {"model": "gpt-4o", "tools": [TOOL], "tool_choice": {"type": "function", "name": "get_weather"}, "input": [
        {"role": "user", "content": [{"type": "input_text", "text": "Weather?"}, {"type": "input_image", "image_url": "https://x/img.png"}]},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Checking."}]},
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{\"city\":\"Paris\"}"},
        {"type": "function_call", "call_id": "call_2", "name": "get_weather", "arguments": "{\"city\":\"Rome\"}"},
        {"type": "reasoning", "id": "rs_1", "summary": []},
        {"type": "function_call_output", "call_id": "call_1", "output": "21C"},
        {"type": "function_call_output", "call_id": "call_2", "output": "25C"},
    ]}
    chat, wire = responses_request.decode(body)
    m = chat["messages"]
    assert m[0]["content"] == [{"type": "text", "text": "Weather?"}, {"type": "image_url", "image_url": {"url": "https://x/img.png"}}]
    assert m[1]["role"] == "assistant" and m[1]["content"] == "Checking." and [c["id"] for c in m[1]["tool_calls"]] == ["call_1", "call_2"]
    assert m[2] == {"role": "tool", "tool_call_id": "call_1", "content": "21C"} and m[3]["tool_call_id"] == "call_2"
    assert chat["tools"] == [{"type": "function", "function": {k: TOOL[k] for k in ("name", "description", "parameters")}}]
    assert chat["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert wire.dropped == ["input[4] (reasoning)"]
    # ...and back: the same items (reasoning aside), the same tools
    back = responses_request.encode(chat, wire, "gpt-4o")
    kinds = [i.get("type", "message") for i in back["input"]]
    assert kinds == ["message", "message", "function_call", "function_call", "function_call_output", "function_call_output"]
    assert back["input"][2] == {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}
    assert back["tools"][0]["name"] == "get_weather" and back["tool_choice"] == {"type": "function", "name": "get_weather"}


def test_json_schema_format_stream_and_reasoning() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    chat, _ = responses_request.decode({"model": "o4-mini", "input": "n?", "stream": True, "reasoning": {"effort": "low"},
                                        "text": {"format": {"type": "json_schema", "name": "n", "schema": schema, "strict": True}}})
    assert chat["response_format"] == {"type": "json_schema", "json_schema": {"name": "n", "schema": schema, "strict": True}}
    assert chat["stream"] is True and chat["stream_options"] == {"include_usage": True}  # usage is always in a Responses stream
    assert chat["reasoning_effort"] == "low"
    back = responses_request.encode(chat, None, "o4-mini")
    assert back["text"] == {"format": {"type": "json_schema", "name": "n", "schema": schema, "strict": True}} and back["stream"] is True


def test_upstream_history_and_hosted_tools_are_recorded_not_lost() -> None:
    chat, wire = responses_request.decode({"model": "gpt-4o", "input": "and then?", "previous_response_id": "resp_abc", "store": True,
                                           "tools": [TOOL, {"type": "web_search"}]})
    assert wire.upstream_state == "previous_response_id=resp_abc"
    assert wire.untranslatable == ["tools[1] (web_search)"]
    # The chat view differs from the same question without the history (the cache key must split).
    assert chat[NATIVE_KEY]["previous_response_id"] == "resp_abc" and "store" not in chat[NATIVE_KEY]
    notes = wire.notes()
    assert notes["history"] == "upstream" and "not applicable" in notes["prune"]
    back = responses_request.encode(chat, wire, "gpt-4o")
    assert back["previous_response_id"] == "resp_abc" and back["store"] is True
    assert [t["type"] for t in back["tools"]] == ["function", "web_search"]


@pytest.mark.parametrize("body, param", [
    ({"input": "x"}, "model"),
    ({"model": "m"}, "input"),
    ({"model": "m", "input": 3}, "input"),
    ({"model": "m", "input": [{"role": "robot", "content": "x"}]}, "input[0].role"),
    ({"model": "m", "input": [{"role": "user", "content": [{"type": "input_audio"}]}]}, "input[0].content[0]"),
    ({"model": "m", "input": [{"type": "function_call", "name": "f", "arguments": "{}"}]}, "input[0].call_id"),
    ({"model": "m", "input": "x", "max_output_tokens": 0}, "max_output_tokens"),
    ({"model": "m", "input": "x", "text": {"format": {"type": "yaml"}}}, "text.format.type"),
    ({"model": "m", "input": "x", "tools": [{"type": "function"}]}, "tools[0].name"),
    ({"model": "m", "input": "x", "previous_response_id": "resp_bw00ff"}, "previous_response_id"),
])
def test_bad_requests_name_the_clients_own_parameter(body: dict[str, Any], param: str) -> None:
    with pytest.raises(BadRequest) as e:
        responses_request.decode(body)
    assert e.value.param == param


def test_response_objects_round_trip_through_the_chat_view() -> None:
    native = {"id": "resp_1", "object": "response", "created_at": 1700000000, "status": "completed", "model": "gpt-4o",
              "output": [{"type": "reasoning", "id": "rs_1", "summary": []},
                         {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                          "content": [{"type": "output_text", "text": "Hi", "annotations": []}]},
                         {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "f", "arguments": "{}", "status": "completed"}],
              "usage": {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 4}, "output_tokens": 5,
                        "output_tokens_details": {"reasoning_tokens": 2}, "total_tokens": 15}}
    chat = responses_answer.to_chat(native)
    msg = chat["choices"][0]["message"]
    assert chat["id"] == "resp_1" and msg["content"] == "Hi" and msg["tool_calls"][0]["id"] == "call_1"
    assert chat["choices"][0]["finish_reason"] == "tool_calls"
    assert chat["usage"]["prompt_tokens"] == 10 and chat["usage"]["prompt_tokens_details"]["cached_tokens"] == 4
    back = responses_answer.from_chat(chat, {"model": "gpt-4o", "tools": [TOOL]})
    assert back["id"] == "resp_1"  # a native id is kept (a cache hit answers with the id the upstream stored)
    assert conformance.check("Response", back, "round trip") == []
    assert back["usage"]["output_tokens_details"]["reasoning_tokens"] == 2


def test_chat_answers_become_responses_with_refusal_parts_and_incomplete_status() -> None:
    refused = {"id": "chatcmpl-9", "object": "chat.completion", "created": 1, "model": "m", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": None, "refusal": "I can't verify that."}, "finish_reason": "stop"}]}
    r = responses_answer.from_chat(refused, {"model": "m"})
    assert r["id"].startswith("resp_bw") and r["output"][0]["content"] == [{"type": "refusal", "refusal": "I can't verify that."}]
    cut = {**refused, "choices": [{"index": 0, "message": {"role": "assistant", "content": "Half"}, "finish_reason": "length"}],
           "usage": chat_usage(3, 4)}
    r2 = responses_answer.from_chat(cut, {"model": "m", "max_output_tokens": 4})
    assert r2["status"] == "incomplete" and r2["incomplete_details"] == {"reason": "max_output_tokens"}
    assert r2["max_output_tokens"] == 4 and r2["usage"]["output_tokens"] == 4
    for obj in (r, r2):
        assert conformance.check("Response", obj, "from chat") == []


# -- streams ---------------------------------------------------------------------------------------------
def native_stream(text: str = "Hello there world", call: bool = False) -> list[bytes]:
    """A native Responses event stream (the shape the real API and the simulator send)."""
    out: list[bytes] = []

    def ev(kind: str, **data: Any) -> None:
        out.append(b"event: " + kind.encode() + b"\ndata: " + orjson.dumps({"type": kind, "sequence_number": len(out), **data}) + b"\n\n")

    base = {"id": "resp_N", "object": "response", "created_at": 1700000000, "model": "gpt-4o", "error": None, "incomplete_details": None,
            "instructions": None, "metadata": {}, "parallel_tool_calls": True, "temperature": 1.0, "top_p": 1.0, "tool_choice": "auto",
            "tools": [], "output": []}
    ev("response.created", response={**base, "status": "in_progress"})
    ev("response.in_progress", response={**base, "status": "in_progress"})
    ev("response.output_item.added", output_index=0, item={"type": "message", "id": "msg_N", "status": "in_progress", "role": "assistant", "content": []})
    ev("response.content_part.added", item_id="msg_N", output_index=0, content_index=0, part={"type": "output_text", "text": "", "annotations": [], "logprobs": []})
    for w in text.split(" "):
        ev("response.output_text.delta", item_id="msg_N", output_index=0, content_index=0, delta=w + " ", logprobs=[])
    ev("response.output_text.done", item_id="msg_N", output_index=0, content_index=0, text=text, logprobs=[])
    ev("response.content_part.done", item_id="msg_N", output_index=0, content_index=0, part={"type": "output_text", "text": text, "annotations": [], "logprobs": []})
    msg = {"type": "message", "id": "msg_N", "status": "completed", "role": "assistant", "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}]}
    ev("response.output_item.done", output_index=0, item=msg)
    output = [msg]
    if call:
        fc = {"type": "function_call", "id": "fc_N", "call_id": "call_N", "name": "f", "arguments": "", "status": "in_progress"}
        ev("response.output_item.added", output_index=1, item=fc)
        ev("response.function_call_arguments.delta", item_id="fc_N", output_index=1, delta="{}")
        ev("response.output_item.done", output_index=1, item={**fc, "arguments": "{}", "status": "completed"})
        output.append({**fc, "arguments": "{}", "status": "completed"})
    usage = {"input_tokens": 5, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0}, "output_tokens": 3,
             "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 8}
    ev("response.completed", response={**base, "status": "completed", "output": output, "usage": usage})
    return out


def decoded(raw: list[bytes]) -> list[SSEEvent]:
    """What the OpenAI provider yields for these bytes: native events with their chat views."""
    dec = responses_stream.Decoder("up")
    events = []
    for ev in SSESplitter().feed(b"".join(raw)):
        events.append(ev.set_view(RESPONSES, ev.json(), dec.view(ev.json())))
    if dec.usage_chunk() is not None:
        events.append(SSEEvent.from_json(dec.usage_chunk()))
    events.append(SSEEvent.done())
    return events


def counted(text: str) -> dict[str, Any]:
    return chat_usage(7, len(text.split()))


def test_decoder_views_are_chat_chunks_the_assembly_understands() -> None:
    from proxy.assembly import Assembly

    asm = Assembly()
    for ev in decoded(native_stream(call=True)):
        if ev.data is not None:
            asm.feed(ev)
    ans = asm.answers()[0]
    assert asm.id == "resp_N" and ans.text == "Hello there world " and ans.finish_reason == "tool_calls"
    assert [(t.id, t.name, t.arguments) for t in ans.tool_calls] == [("call_N", "f", "{}")]
    assert asm.usage["prompt_tokens"] == 5 and asm.usage["completion_tokens"] == 3


@pytest.mark.parametrize("event, reason", [
    ({"type": "error", "code": "server_error", "message": "boom", "sequence_number": 3}, "error_event"),
    ({"type": "response.failed", "response": {"id": "r", "error": {"code": "server_error", "message": "x"}}, "sequence_number": 3}, "error_event"),
    ({"type": "response.function_call_arguments.delta", "output_index": 9, "delta": "{", "sequence_number": 3}, "malformed"),
])
def test_decoder_raises_on_upstream_failures(event: dict[str, Any], reason: str) -> None:
    with pytest.raises(UpstreamStreamError) as e:
        responses_stream.Decoder("up").view(event)
    assert e.value.reason == reason


def test_encoder_relays_native_events_byte_for_byte() -> None:
    raw = native_stream()
    enc = responses_stream.Encoder({"model": "gpt-4o"}, counted)
    out = b"".join(enc.feed(ev) for ev in decoded(raw)) + enc.finish_stream()
    assert out == b"".join(raw)


def test_encoder_continues_a_diverged_stream_in_the_clients_numbering() -> None:
    """The native stream breaks after two text deltas; another provider's chat chunks finish it."""
    raw = native_stream("Rivers carry water", call=False)[:6]  # created .. two output_text.delta
    enc = responses_stream.Encoder({"model": "gpt-4o"}, counted)
    sent = b"".join(enc.feed(ev) for ev in decoded(raw)[:-1])  # no [DONE]: the stream was cut
    assert sent == b"".join(raw)
    cont = [{"id": "chatcmpl-x", "object": "chat.completion.chunk", "created": 2, "model": "b-claude",
             "choices": [{"index": 0, "delta": {"content": "to the sea."}, "finish_reason": None}]},
            {"id": "chatcmpl-x", "object": "chat.completion.chunk", "created": 2, "model": "b-claude",
             "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
            {"id": "chatcmpl-x", "object": "chat.completion.chunk", "created": 2, "model": "b-claude", "choices": [], "usage": chat_usage(9, 6)}]
    tail = b"".join(enc.feed(SSEEvent.from_json(c)) for c in cont) + enc.feed(SSEEvent.done()) + enc.finish_stream()
    text = (sent + tail).decode()
    events = [json.loads(b.split("data: ", 1)[1]) for b in text.split("\n\n") if b.strip()]
    assert [e["sequence_number"] for e in events] == list(range(len(events)))  # one numbering, no gaps
    deltas = [e for e in events if e["type"] == "response.output_text.delta"]
    assert {d["item_id"] for d in deltas} == {"msg_N"}  # the same output item goes on
    done = events[-1]
    assert done["type"] == "response.completed" and done["response"]["id"] == "resp_N"
    assert done["response"]["output"][0]["content"][0]["text"] == "Rivers carry to the sea."
    assert done["response"]["usage"]["input_tokens"] == 9
    assert check_events(text, "diverged") == []
    assert _sdk_final(text).output_text == "Rivers carry to the sea."


def test_encoder_from_chat_chunks_alone_with_tools_refusal_and_failure() -> None:
    enc = responses_stream.Encoder({"model": "m", "tools": [TOOL]}, counted)
    chunks = [{"id": "chatcmpl-1", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
              {"id": "chatcmpl-1", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"refusal": "No."}}]},
              {"id": "chatcmpl-1", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"tool_calls": [
                  {"index": 0, "id": "call_9", "type": "function", "function": {"name": "get_weather", "arguments": ""}}]}}]},
              {"id": "chatcmpl-1", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"tool_calls": [
                  {"index": 0, "function": {"arguments": "{\"city\":\"Oslo\"}"}}]}, "finish_reason": "tool_calls"}]}]
    text = (b"".join(enc.feed(SSEEvent.from_json(c)) for c in chunks) + enc.feed(SSEEvent.done())).decode()
    assert check_events(text, "chat only") == []
    final = _sdk_final(text)
    assert final.output[0].content[0].type == "refusal" and final.output[1].arguments == "{\"city\":\"Oslo\"}"
    assert final.usage.input_tokens == 7  # no layer reported usage: counted
    # an error after the headers: response.failed, in the same numbering
    enc2 = responses_stream.Encoder({"model": "m"}, counted)
    text2 = (enc2.feed(SSEEvent.from_json(chunks[0])) + enc2.feed(SSEEvent.from_json({**chunks[0], "choices": [{"index": 0, "delta": {"content": "Hal"}}]}))
             + enc2.fail("upstream broke", 502)).decode()
    failed = [json.loads(b.split("data: ", 1)[1]) for b in text2.split("\n\n") if b.strip()][-1]
    assert failed["type"] == "response.failed" and failed["response"]["error"]["code"] == "server_error"
    assert check_events(text2, "failed") == []


def _sdk_final(text: str) -> Any:
    """Feed the events to the openai SDK's own Responses stream accumulator (it checks ids)."""
    from openai.lib.streaming.responses._responses import ResponseStreamState
    from openai._models import construct_type_unchecked
    from openai.types.responses import ResponseStreamEvent
    from openai import omit

    state = ResponseStreamState(input_tools=omit, text_format=omit)
    final = None
    for block in text.split("\n\n"):
        if "data: " not in block:
            continue
        ev = construct_type_unchecked(type_=ResponseStreamEvent, value=json.loads(block.split("data: ", 1)[1]))  # type: ignore[arg-type]
        for out in state.handle_event(ev):
            if out.type == "response.completed":
                final = out.response
    assert final is not None, "no response.completed"
    return final
