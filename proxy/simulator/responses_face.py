"""The simulator's OpenAI Responses endpoint (`POST /v1/responses`), plain and streamed.

Input: a string or items (messages, `function_call`, `function_call_output`), `instructions`,
function `tools` and `tool_choice`, `text.format` (a `json_schema` format is answered with JSON
built from the schema), `max_output_tokens` (a longer answer is cut: status `incomplete`,
reason `max_output_tokens`). The answer is the one the chat face would give the same
conversation (scripts, "call <tool>" tool calls, the deterministic sentence); every fault
kind applies (`error_event` is an `event: error`, `content_filter` an incomplete response).
Streams send the real event sequence with `sequence_number`s: response.created, .in_progress,
output_item.added, content_part.added, output_text.delta..., the .done events,
response.completed (or .incomplete).
"""
from __future__ import annotations

import time
from typing import Any

import orjson
from aiohttp import web

from ..tokens import count_messages, count_text
from .answers import _forced_tool, _tools_map, resolve_answer, text_of
from .script import example_value, split_json, split_words
from .wire import Call, new_id

_INCOMPLETE = {"length": "max_output_tokens", "content_filter": "content_filter"}


def _conversation(body: dict[str, Any]) -> list[dict[str, Any]] | str:
    """The request as chat-like messages (what the shared answer logic reads), or an error text."""
    msgs: list[dict[str, Any]] = []
    if isinstance(body.get("instructions"), str) and body["instructions"]:
        msgs.append({"role": "system", "content": body["instructions"]})
    inp = body.get("input")
    if isinstance(inp, str):
        return msgs + [{"role": "user", "content": inp}]
    if not isinstance(inp, list):
        return "'input' must be a string or an array of input items."
    for i, item in enumerate(inp):
        if not isinstance(item, dict):
            return f"Invalid 'input[{i}]': expected an input item object."
        kind = item.get("type", "message")
        if kind == "message":
            if item.get("role") not in ("user", "assistant", "system", "developer"):
                return f"Invalid value for 'input[{i}].role'."
            msgs.append({"role": item["role"], "content": text_of(item.get("content"))})
        elif kind == "function_call":
            msgs.append({"role": "assistant", "content": "", "tool_calls": [{"id": item.get("call_id"), "type": "function",
                         "function": {"name": item.get("name"), "arguments": item.get("arguments") or ""}}]})
        elif kind == "function_call_output":
            out = item.get("output")
            msgs.append({"role": "tool", "tool_call_id": item.get("call_id"), "content": out if isinstance(out, str) else text_of(out)})
        elif kind != "reasoning":
            return f"Invalid 'input[{i}].type': the simulator does not know {kind!r}."
    return msgs


def _schema(body: dict[str, Any]) -> dict[str, Any] | None:
    text = body.get("text")
    fmt = text.get("format") if isinstance(text, dict) else None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and isinstance(fmt.get("schema"), dict):
        return fmt["schema"]
    return None


def _echo_tools(body: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for t in body.get("tools") or ():
        if isinstance(t, dict) and t.get("type") == "function":
            out.append({"type": "function", "name": t.get("name"), "description": t.get("description"),
                        "parameters": t.get("parameters"), "strict": t.get("strict", True)})
    return out


async def responses(call: Call) -> web.StreamResponse:
    body = call.body
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return call.error(400, "you must provide a model parameter", param="model")
    msgs = _conversation(body)
    if isinstance(msgs, str):
        return call.error(400, msgs, param="input")
    tools = _tools_map(body)
    forced, disabled = _forced_tool(body, tools)
    if disabled:
        tools = {}
    limit = body.get("max_output_tokens")
    ans = resolve_answer(call, model, msgs, tools, forced, limit)
    schema = _schema(body)
    if schema is not None and not ans.calls and (call.reply is None or call.reply.content is None) and ans.finish == "stop":
        ans.content = orjson.dumps(example_value(schema)).decode()
        ans.completion_tokens = count_text(ans.content, model)
    chat_tools = [{"type": "function", "function": {"name": n, "parameters": p}} for n, p in tools.items()]
    in_tokens = count_messages([{k: v for k, v in m.items() if k != "tool_calls"} for m in msgs], model, chat_tools or None)
    rid, mid = new_id("resp_"), new_id("msg_")
    created = int(time.time())
    status = "incomplete" if ans.finish in _INCOMPLETE else "completed"
    usage = {"input_tokens": in_tokens, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
             "output_tokens": ans.completion_tokens, "output_tokens_details": {"reasoning_tokens": 0},
             "total_tokens": in_tokens + ans.completion_tokens}
    calls = [{"type": "function_call", "id": new_id("fc_"), "call_id": c["id"], "name": c["name"], "arguments": c["arguments"],
              "status": "completed"} for c in ans.calls]
    message = None
    if ans.content is not None and (ans.content or not calls):
        message = {"type": "message", "id": mid, "status": status, "role": "assistant",
                   "content": [{"type": "output_text", "text": ans.content, "annotations": [], "logprobs": []}]}
    output = ([message] if message else []) + calls

    def response_obj(st: str, out: list[dict[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "id": rid, "object": "response", "created_at": created, "status": st, "error": None,
            "incomplete_details": {"reason": _INCOMPLETE[ans.finish]} if st == "incomplete" else None,
            "instructions": body.get("instructions"), "max_output_tokens": limit,
            "model": call.state.cfg.model_prefix + model, "output": out, "parallel_tool_calls": body.get("parallel_tool_calls", True),
            "previous_response_id": body.get("previous_response_id"), "reasoning": {"effort": None, "summary": None},
            "store": bool(body.get("store", True)), "temperature": body.get("temperature", 1.0),
            "text": body.get("text") if isinstance(body.get("text"), dict) else {"format": {"type": "text"}},
            "tool_choice": body.get("tool_choice", "auto"), "tools": _echo_tools(body), "top_p": body.get("top_p", 1.0),
            "truncation": "disabled", "metadata": body.get("metadata") or {}, "completed_at": int(time.time()) if st == "completed" else None,
        }
        if st in ("completed", "incomplete"):
            obj["usage"] = usage
        return obj

    if body.get("stream") is not True:
        return await call.send_json(response_obj(status, output))
    return await call.send_stream(*_events(call, response_obj, status, message, calls))


def _events(call: Call, response_obj: Any, status: str, message: dict[str, Any] | None,
            calls: list[dict[str, Any]]) -> tuple[list[bytes], bytes]:
    events: list[bytes] = []

    def ev(kind: str, **data: Any) -> None:
        events.append(b"event: " + kind.encode() + b"\ndata: " + orjson.dumps({"type": kind, "sequence_number": len(events), **data}) + b"\n\n")

    ev("response.created", response=response_obj("in_progress", []))
    ev("response.in_progress", response=response_obj("in_progress", []))
    index = 0
    if message is not None:
        mid, text = message["id"], message["content"][0]["text"]
        part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
        ev("response.output_item.added", output_index=0, item={**message, "status": "in_progress", "content": []})
        ev("response.content_part.added", item_id=mid, output_index=0, content_index=0, part=part)
        for p in split_words(text, call.state.cfg.chunk_words):
            ev("response.output_text.delta", item_id=mid, output_index=0, content_index=0, delta=p, logprobs=[])
        ev("response.output_text.done", item_id=mid, output_index=0, content_index=0, text=text, logprobs=[])
        ev("response.content_part.done", item_id=mid, output_index=0, content_index=0, part={**part, "text": text})
        ev("response.output_item.done", output_index=0, item=message)
        index = 1
    for i, c in enumerate(calls, start=index):
        ev("response.output_item.added", output_index=i, item={**c, "arguments": "", "status": "in_progress"})
        for frag in split_json(c["arguments"]):
            ev("response.function_call_arguments.delta", item_id=c["id"], output_index=i, delta=frag)
        ev("response.function_call_arguments.done", item_id=c["id"], output_index=i, name=c["name"], arguments=c["arguments"])
        ev("response.output_item.done", output_index=i, item=c)
    output = ([message] if message else []) + calls
    ev("response.completed" if status == "completed" else "response.incomplete", response=response_obj(status, output))
    err = b"event: error\ndata: " + orjson.dumps({"type": "error", "code": "server_error", "message": "Simulated error_event.",
                                                  "param": None, "sequence_number": len(events)}) + b"\n\n"
    return events, err
