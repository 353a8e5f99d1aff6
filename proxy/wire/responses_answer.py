"""OpenAI `Response` objects <-> `chat.completion` objects.

    to_chat(response)             a native Response -> the chat view plugins read
    from_chat(completion, native) a chat answer (another provider's, the cache's, Bulwark's own)
                                  -> a Response echoing the client's request
    response_object(...)          the Response envelope (also the stream encoder's lifecycle events)

Finish reasons: `stop` <-> status `completed`; `length` <-> `incomplete` (max_output_tokens);
`content_filter` <-> `incomplete` (content_filter); `tool_calls` <-> function_call items.
A chat `refusal` (e.g. a structured answer Bulwark blocked) becomes a `refusal` content part.
"""
from __future__ import annotations

from typing import Any

from .apis import chat_usage, derived_id, minted_id, now, usage_numbers

_INCOMPLETE = {"length": "max_output_tokens", "content_filter": "content_filter"}
_FINISH = {"max_output_tokens": "length", "content_filter": "content_filter"}
# Request fields a Response echoes, with the value the API reports when the request left them out.
_ECHO = (("instructions", None), ("max_output_tokens", None), ("parallel_tool_calls", True),
         ("previous_response_id", None), ("store", True), ("temperature", 1.0), ("top_p", 1.0),
         ("truncation", "disabled"))
# Echoed only when the request set them (the spec has no null for them).
_ECHO_IF_SET = ("user", "safety_identifier", "service_tier", "prompt_cache_key")


# -- native -> chat ---------------------------------------------------------------------------------
def to_chat(obj: dict[str, Any]) -> dict[str, Any]:
    texts: list[str] = []
    refusals: list[str] = []
    calls: list[dict[str, Any]] = []
    for item in obj.get("output") or ():
        if not isinstance(item, dict):
            continue
        if item.get("type") == "message":
            for part in item.get("content") or ():
                if isinstance(part, dict) and part.get("type") == "output_text":
                    texts.append(str(part.get("text") or ""))
                elif isinstance(part, dict) and part.get("type") == "refusal":
                    refusals.append(str(part.get("refusal") or ""))
        elif item.get("type") == "function_call":
            calls.append({"id": item.get("call_id"), "type": "function",
                          "function": {"name": item.get("name"), "arguments": item.get("arguments") or ""}})
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts or not (calls or refusals) else None,
                               "refusal": "".join(refusals) if refusals else None}
    if calls:
        message["tool_calls"] = calls
    out: dict[str, Any] = {
        "id": obj.get("id"), "object": "chat.completion", "created": int(obj.get("created_at") or now()),
        "model": obj.get("model"),
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_of(obj, bool(calls))}],
    }
    usage = usage_to_chat(obj.get("usage"))
    if usage is not None:
        out["usage"] = usage
    return out


def finish_of(obj: dict[str, Any], has_calls: bool) -> str:
    if obj.get("status") == "incomplete":
        reason = (obj.get("incomplete_details") or {}).get("reason") if isinstance(obj.get("incomplete_details"), dict) else None
        return _FINISH.get(str(reason), "length")
    return "tool_calls" if has_calls else "stop"


def usage_to_chat(u: Any) -> dict[str, Any] | None:
    if not isinstance(u, dict):
        return None
    itd = u.get("input_tokens_details") if isinstance(u.get("input_tokens_details"), dict) else {}
    otd = u.get("output_tokens_details") if isinstance(u.get("output_tokens_details"), dict) else {}
    return chat_usage(int(u.get("input_tokens") or 0), int(u.get("output_tokens") or 0),
                      int(itd.get("cached_tokens") or 0), int(otd.get("reasoning_tokens") or 0))


def usage_from_chat(usage: Any) -> dict[str, Any]:
    prompt, completion, cached, reasoning = usage_numbers(usage)
    return {"input_tokens": prompt, "input_tokens_details": {"cached_tokens": cached, "cache_write_tokens": 0},
            "output_tokens": completion, "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": prompt + completion}


# -- chat -> Response -------------------------------------------------------------------------------
def response_object(rid: str, created: int, model: str | None, native: dict[str, Any], status: str,
                    output: list[dict[str, Any]], usage: dict[str, Any] | None = None,
                    finish: str | None = None, error: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Response envelope, echoing what the client asked for (`native`: its request body)."""
    obj: dict[str, Any] = {"id": rid, "object": "response", "created_at": created, "status": status, "error": error,
                           "incomplete_details": {"reason": _INCOMPLETE[finish]} if status == "incomplete" and finish in _INCOMPLETE else None,
                           "model": model or native.get("model") or "unknown", "output": output}
    for k, default in _ECHO:
        v = native.get(k)
        obj[k] = v if v is not None else default
    for k in _ECHO_IF_SET:
        if isinstance(native.get(k), str):
            obj[k] = native[k]
    obj["completed_at"] = now() if status == "completed" else None
    obj["metadata"] = native.get("metadata") if isinstance(native.get("metadata"), dict) else {}
    obj["tools"] = [echo_tool(t) for t in native.get("tools") or () if isinstance(t, dict)]
    obj["tool_choice"] = native.get("tool_choice") if native.get("tool_choice") is not None else "auto"
    text = native.get("text") if isinstance(native.get("text"), dict) else {}
    obj["text"] = {"format": {"type": "text"}, **text}
    reasoning = native.get("reasoning") if isinstance(native.get("reasoning"), dict) else {}
    obj["reasoning"] = {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")}
    if usage is not None:
        obj["usage"] = usage
    return obj


def echo_tool(t: dict[str, Any]) -> dict[str, Any]:
    """A request tool as a Response lists it (function tools get the API's defaults filled in)."""
    if t.get("type") != "function":
        return t
    return {"type": "function", "name": t.get("name"), "description": t.get("description"),
            "parameters": t.get("parameters"), "strict": t.get("strict", True)}


def status_of(finish: str | None) -> str:
    return "incomplete" if finish in _INCOMPLETE else "completed"


def message_item(item_id: str, text: str | None, refusal: str | None, status: str) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if text is not None or refusal is None:
        content.append({"type": "output_text", "text": text or "", "annotations": [], "logprobs": []})
    if refusal is not None:
        content.append({"type": "refusal", "refusal": refusal})
    return {"type": "message", "id": item_id, "status": status, "role": "assistant", "content": content}


def call_item(item_id: str, call_id: str | None, name: str | None, arguments: str, status: str) -> dict[str, Any]:
    return {"type": "function_call", "id": item_id, "call_id": call_id or minted_id("call_"), "name": name or "",
            "arguments": arguments, "status": status}


def from_chat(completion: dict[str, Any], native: dict[str, Any]) -> dict[str, Any]:
    """A chat.completion as the Response a Responses client expects (the first choice)."""
    choices = completion.get("choices") if isinstance(completion.get("choices"), list) else []
    choice = choices[0] if choices and isinstance(choices[0], dict) else {}
    msg = choice.get("message") if isinstance(choice.get("message"), dict) else {}
    finish = choice.get("finish_reason")
    status = status_of(finish)
    output: list[dict[str, Any]] = []
    text = msg.get("content")
    if isinstance(text, list):
        text = "".join(str(p.get("text") or "") for p in text if isinstance(p, dict))
    refusal = msg.get("refusal") if isinstance(msg.get("refusal"), str) else None
    calls = [c for c in msg.get("tool_calls") or () if isinstance(c, dict)]
    if text or refusal is not None or not calls:
        output.append(message_item(minted_id("msg_"), text if isinstance(text, str) else None, refusal, status))
    for c in calls:
        fn = c.get("function") if isinstance(c.get("function"), dict) else {}
        output.append(call_item(minted_id("fc_"), c.get("id"), fn.get("name"), str(fn.get("arguments") or ""), "completed"))
    rid = derived_id("resp_", completion.get("id") if isinstance(completion.get("id"), str) else None)
    created = completion.get("created") if isinstance(completion.get("created"), int) else now()
    return response_object(rid, created, completion.get("model"), native, status, output,
                           usage_from_chat(completion.get("usage")), finish)
