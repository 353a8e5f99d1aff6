"""OpenAI Responses requests <-> the chat-completions form.

    decode(body)                   a client's POST /v1/responses body -> (chat body, WireRequest)
    encode(chat, wire, model)      the (changed) chat view -> a Responses body for a Responses upstream

Mapping (client -> chat):

    input (string)                    one user message
    input items: message              a message of the same role; input_text -> text part,
                                      input_image (URL) -> image_url, input_file (data/id) -> file
    function_call / _output           assistant tool_calls (consecutive calls merge) / role "tool"
    instructions                      a leading system message
    tools (function) / tool_choice    chat function tools / tool_choice
    text.format json_schema/json_object  response_format; text.verbosity -> verbosity
    max_output_tokens                 max_completion_tokens
    reasoning.effort                  reasoning_effort
    stream                            stream, with stream_options.include_usage (usage is always
                                      part of a Responses stream)

What the chat form cannot carry stays in the `WireRequest`: `previous_response_id` /
`conversation` / `item_reference` (the history lives upstream), built-in tools, hosted files,
`prompt` templates, `store`, `include`, `truncation`... A native upstream still gets them; a
provider of another API refuses such a request (`Untranslatable`). Reasoning items are opaque
and left out of the chat view (a re-encoded request goes without them).
"""
from __future__ import annotations

from typing import Any

from ..errors import BadRequest
from .apis import MAX_OUTPUT_TOKENS, MINTED, NATIVE_KEY, RESPONSES, WireRequest, bad

# Top-level fields with the same name and meaning in both APIs.
_SAME = ("model", "temperature", "top_p", "parallel_tool_calls", "user", "safety_identifier", "prompt_cache_key",
         "prompt_cache_retention", "service_tier")
# Fields the decoder maps (everything else is native-only).
_MAPPED = frozenset(_SAME + ("input", "instructions", "tools", "tool_choice", "text", "max_output_tokens", "reasoning",
                             "stream", "top_logprobs"))
# Native-only fields that never change the answer's content (left out of the chat view's key).
_NOT_SHAPING = frozenset({"store", "metadata", "background", "stream_options", "include"})
# Native-only fields that tie the request to state kept by the upstream.
_STATE = ("previous_response_id", "conversation")


def decode(body: dict[str, Any]) -> tuple[dict[str, Any], WireRequest]:
    wire = WireRequest(RESPONSES, body)
    model = body.get("model")
    if not isinstance(model, str) or not model or len(model) > 256:
        raise BadRequest("You must provide a model parameter (a non-empty string).", param="model",
                         code="missing_required_parameter" if model is None else "invalid_type")
    chat: dict[str, Any] = {k: body[k] for k in _SAME if body.get(k) is not None}
    _native_only(body, wire)
    messages = _instructions(body.get("instructions"), wire)
    messages += _input(body.get("input"), wire)
    if not messages:
        raise BadRequest("Give `input`: a string or a non-empty array of input items.", param="input",
                         code="missing_required_parameter")
    chat["messages"] = messages
    _tools(body, chat, wire)
    _text(body.get("text"), chat)
    mot = body.get("max_output_tokens")
    if mot is not None:
        if not isinstance(mot, int) or isinstance(mot, bool) or not 1 <= mot <= MAX_OUTPUT_TOKENS:
            raise bad("max_output_tokens", f"a positive integer up to {MAX_OUTPUT_TOKENS}")
        chat["max_completion_tokens"] = mot
    reasoning = body.get("reasoning")
    if isinstance(reasoning, dict):
        if isinstance(reasoning.get("effort"), str):
            chat["reasoning_effort"] = reasoning["effort"]
        if reasoning.get("summary") is not None or reasoning.get("generate_summary") is not None:
            wire.native_only["reasoning"] = reasoning
    elif reasoning is not None:
        raise bad("reasoning", "an object")
    tl = body.get("top_logprobs")
    if isinstance(tl, int) and not isinstance(tl, bool) and tl > 0:
        chat["logprobs"], chat["top_logprobs"] = True, tl
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise bad("stream", "a boolean")
    if stream:
        chat["stream"] = True
        chat["stream_options"] = {"include_usage": True}
    shaping = {k: v for k, v in wire.native_only.items() if k not in _NOT_SHAPING}
    if shaping:
        chat[NATIVE_KEY] = shaping
    return chat, wire


def _native_only(body: dict[str, Any], wire: WireRequest) -> None:
    for k, v in body.items():
        if k not in _MAPPED and v is not None:
            wire.native_only[k] = v
    for k in _STATE:
        v = body.get(k)
        if v is None:
            continue
        if k == "previous_response_id":
            if not isinstance(v, str) or not v:
                raise bad(k, "a response id (a string)")
            if v.startswith("resp_" + MINTED):
                raise BadRequest(
                    f"`previous_response_id` {v!r} names an answer Bulwark wrote itself (a fallback provider, a cache "
                    "hit of one, or Bulwark's own tiers); no upstream stored it. Send the earlier turns as `input` items.",
                    param="previous_response_id", code="previous_response_not_found")
        wire.upstream_state = f"{k}={v if isinstance(v, str) else (v.get('id') if isinstance(v, dict) else '?')}"
    if body.get("prompt") is not None:
        wire.untranslatable.append("prompt (a prompt template stored upstream)")
    if body.get("background"):
        wire.untranslatable.append("background (the upstream runs it asynchronously)")


def _instructions(instructions: Any, wire: WireRequest) -> list[dict[str, Any]]:
    if instructions is None:
        return []
    if isinstance(instructions, str):
        return [{"role": "system", "content": instructions}] if instructions else []
    if isinstance(instructions, list):
        return _items(instructions, wire, "instructions")
    raise bad("instructions", "a string")


def _input(inp: Any, wire: WireRequest) -> list[dict[str, Any]]:
    if inp is None:
        if wire.upstream_state or wire.native_only.get("prompt") is not None:
            return []
        raise BadRequest("You must provide `input` (a string or an array of input items).", param="input",
                         code="missing_required_parameter")
    if isinstance(inp, str):
        return [{"role": "user", "content": inp}]
    if isinstance(inp, list):
        return _items(inp, wire, "input")
    raise bad("input", "a string or an array of input items")


def _items(items: list[Any], wire: WireRequest, where: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        w = f"{where}[{i}]"
        if isinstance(item, str):  # tolerated by the API: a bare string is user text
            out.append({"role": "user", "content": item})
            continue
        if not isinstance(item, dict):
            raise bad(w, "an input item object")
        kind = item.get("type", "message" if "role" in item else None)
        if kind == "message":
            out.append(_message(item, w, wire))
        elif kind == "function_call":
            _function_call(item, w, out)
        elif kind == "function_call_output":
            out.append(_function_output(item, w, wire))
        elif kind == "reasoning":
            wire.dropped.append(f"{w} (reasoning)")
        elif kind == "item_reference":
            wire.upstream_state = wire.upstream_state or f"item_reference={item.get('id')}"
        else:
            wire.untranslatable.append(f"{w} ({kind})")
    return out


def _message(item: dict[str, Any], where: str, wire: WireRequest) -> dict[str, Any]:
    role = item.get("role")
    if role not in ("user", "assistant", "system", "developer"):
        raise BadRequest(f"Invalid value for '{where}.role': expected 'user', 'assistant', 'system' or 'developer'.",
                         param=f"{where}.role", code="invalid_value")
    content = item.get("content")
    if isinstance(content, str):
        return {"role": role, "content": content}
    if not isinstance(content, list):
        raise bad(f"{where}.content", "a string or an array of content parts")
    if role == "assistant":
        texts, refusals = [], []
        for j, p in enumerate(content):
            kind = p.get("type") if isinstance(p, dict) else None
            if kind in ("output_text", "input_text", "text"):
                texts.append(str(p.get("text") or ""))
            elif kind == "refusal":
                refusals.append(str(p.get("refusal") or ""))
            else:
                raise bad(f"{where}.content[{j}]", "an output_text or refusal part")
        msg: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts or not refusals else None}
        if refusals:
            msg["refusal"] = "".join(refusals)
        return msg
    return {"role": role, "content": _parts(content, where, wire)}


def _parts(content: list[Any], where: str, wire: WireRequest) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for j, p in enumerate(content):
        w = f"{where}.content[{j}]"
        kind = p.get("type") if isinstance(p, dict) else None
        if kind in ("input_text", "output_text", "text"):
            if not isinstance(p.get("text"), str):
                raise bad(f"{w}.text", "a string")
            parts.append({"type": "text", "text": p["text"]})
        elif kind == "input_image":
            if isinstance(p.get("image_url"), str) and p["image_url"]:
                image: dict[str, Any] = {"url": p["image_url"]}
                if p.get("detail") in ("low", "high", "auto"):
                    image["detail"] = p["detail"]
                parts.append({"type": "image_url", "image_url": image})
            else:
                wire.untranslatable.append(f"{w} (input_image by file_id: the file is stored upstream)")
        elif kind == "input_file":
            f = {k: p[k] for k in ("file_data", "file_id", "filename") if isinstance(p.get(k), str)}
            if "file_data" in f or "file_id" in f:
                parts.append({"type": "file", "file": f})
            else:
                wire.untranslatable.append(f"{w} (input_file by URL)")
        else:
            raise bad(w, "an input_text, input_image or input_file part")
    return parts


def _function_call(item: dict[str, Any], where: str, out: list[dict[str, Any]]) -> None:
    call_id, name, args = item.get("call_id"), item.get("name"), item.get("arguments", "")
    if not isinstance(call_id, str) or not call_id:
        raise bad(f"{where}.call_id", "a string")
    if not isinstance(name, str) or not name:
        raise bad(f"{where}.name", "a string")
    if not isinstance(args, str):
        raise bad(f"{where}.arguments", "a JSON string")
    call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": args}}
    last = out[-1] if out else None
    if last is not None and last.get("role") == "assistant":  # one assistant turn: text, then its calls
        last.setdefault("tool_calls", []).append(call)
    else:
        out.append({"role": "assistant", "content": None, "tool_calls": [call]})


def _function_output(item: dict[str, Any], where: str, wire: WireRequest) -> dict[str, Any]:
    call_id, output = item.get("call_id"), item.get("output")
    if not isinstance(call_id, str) or not call_id:
        raise bad(f"{where}.call_id", "a string")
    if isinstance(output, str):
        return {"role": "tool", "tool_call_id": call_id, "content": output}
    if isinstance(output, list):
        return {"role": "tool", "tool_call_id": call_id, "content": _parts(output, where + ".output", wire)}
    raise bad(f"{where}.output", "a string or an array of content parts")


def _tools(body: dict[str, Any], chat: dict[str, Any], wire: WireRequest) -> None:
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            raise bad("tools", "an array")
        fns, hosted = [], []
        for i, t in enumerate(tools):
            if not isinstance(t, dict):
                raise bad(f"tools[{i}]", "a tool object")
            if t.get("type") == "function":
                if not isinstance(t.get("name"), str) or not t["name"]:
                    raise bad(f"tools[{i}].name", "a string")
                fn = {k: t[k] for k in ("name", "description", "parameters", "strict") if t.get(k) is not None}
                fns.append({"type": "function", "function": fn})
            else:
                hosted.append(t)
                wire.untranslatable.append(f"tools[{i}] ({t.get('type')})")
        if fns:
            chat["tools"] = fns
        if hosted:
            wire.native_only["tools"] = hosted
    tc = body.get("tool_choice")
    if tc is None:
        return
    if tc in ("auto", "none", "required"):
        chat["tool_choice"] = tc
    elif isinstance(tc, dict) and tc.get("type") == "function" and isinstance(tc.get("name"), str):
        chat["tool_choice"] = {"type": "function", "function": {"name": tc["name"]}}
    elif isinstance(tc, (dict, str)):
        wire.native_only["tool_choice"] = tc
        wire.untranslatable.append(f"tool_choice ({tc.get('type') if isinstance(tc, dict) else tc})")
    else:
        raise bad("tool_choice", "'auto', 'none', 'required' or a tool choice object")


def _text(text: Any, chat: dict[str, Any]) -> None:
    if text is None:
        return
    if not isinstance(text, dict):
        raise bad("text", "an object")
    fmt = text.get("format")
    if isinstance(fmt, dict):
        kind = fmt.get("type")
        if kind == "json_schema":
            if not isinstance(fmt.get("schema"), dict):
                raise bad("text.format.schema", "a JSON schema object")
            js = {k: fmt[k] for k in ("name", "schema", "description", "strict") if fmt.get(k) is not None}
            js.setdefault("name", "response")
            chat["response_format"] = {"type": "json_schema", "json_schema": js}
        elif kind == "json_object":
            chat["response_format"] = {"type": "json_object"}
        elif kind not in ("text", None):
            raise bad("text.format.type", "'text', 'json_object' or 'json_schema'")
    elif fmt is not None:
        raise bad("text.format", "an object")
    if isinstance(text.get("verbosity"), str):
        chat["verbosity"] = text["verbosity"]


# -- chat -> Responses (a changed request for a Responses upstream) -------------------------------
def encode(chat: dict[str, Any], wire: WireRequest | None, model: str | None) -> dict[str, Any]:
    """A Responses body for the chat view `chat`, keeping the client's native-only fields."""
    native = wire.native if wire is not None else {}
    out: dict[str, Any] = {k: v for k, v in (wire.native_only if wire is not None else {}).items() if k != "tools"}
    out["model"] = model or chat.get("model")
    messages = list(chat.get("messages") or ())
    instr = native.get("instructions")
    if isinstance(instr, str) and messages and messages[0].get("role") == "system" and messages[0].get("content") == instr:
        out["instructions"] = instr
        messages = messages[1:]
    out["input"] = [item for m in messages for item in _items_of(m)]
    for k in ("temperature", "top_p", "parallel_tool_calls", "user", "safety_identifier", "prompt_cache_key",
              "prompt_cache_retention", "service_tier"):
        if chat.get(k) is not None:
            out[k] = chat[k]
    tools = [_tool_of(t) for t in chat.get("tools") or () if isinstance(t, dict) and isinstance(t.get("function"), dict)]
    tools += (wire.native_only.get("tools") or []) if wire is not None else []
    if tools:
        out["tools"] = tools
    tc = chat.get("tool_choice")
    if isinstance(tc, dict) and isinstance(tc.get("function"), dict):
        out["tool_choice"] = {"type": "function", "name": tc["function"].get("name")}
    elif tc is not None and "tool_choice" not in out:
        out["tool_choice"] = tc
    text = _text_of(chat)
    if text:
        out["text"] = {**(native.get("text") if isinstance(native.get("text"), dict) else {}), **text}
    limit = chat.get("max_completion_tokens", chat.get("max_tokens"))
    if isinstance(limit, int):
        out["max_output_tokens"] = limit
    if isinstance(chat.get("reasoning_effort"), str):
        out["reasoning"] = {**(out.get("reasoning") or {}), "effort": chat["reasoning_effort"]}
    if isinstance(chat.get("top_logprobs"), int):
        out["top_logprobs"] = chat["top_logprobs"]
    if chat.get("stream") is True:
        out["stream"] = True
    return out


def _items_of(m: dict[str, Any]) -> list[dict[str, Any]]:
    role = m.get("role")
    if role == "tool":
        c = m.get("content")
        output = c if isinstance(c, str) else [_part_of(p) for p in c or () if isinstance(p, dict)]
        return [{"type": "function_call_output", "call_id": m.get("tool_call_id"), "output": output}]
    if role == "assistant":
        items: list[dict[str, Any]] = []
        text = m.get("content")
        if isinstance(text, list):
            text = "".join(str(p.get("text") or "") for p in text if isinstance(p, dict))
        if text or m.get("refusal"):
            items.append({"role": "assistant", "content": text or m.get("refusal")})
        for c in m.get("tool_calls") or ():
            fn = c.get("function") or {}
            items.append({"type": "function_call", "call_id": c.get("id"), "name": fn.get("name"), "arguments": fn.get("arguments") or "{}"})
        return items
    c = m.get("content")
    content = c if isinstance(c, str) else [_part_of(p) for p in c or () if isinstance(p, dict)]
    return [{"role": role if role in ("system", "developer", "user") else "user", "content": content}]


def _part_of(p: dict[str, Any]) -> dict[str, Any]:
    kind = p.get("type")
    if kind == "image_url":
        iu = p.get("image_url") if isinstance(p.get("image_url"), dict) else {"url": p.get("image_url")}
        part: dict[str, Any] = {"type": "input_image", "image_url": iu.get("url"), "detail": iu.get("detail") or "auto"}
        return part
    if kind == "file":
        return {"type": "input_file", **(p.get("file") or {})}
    return {"type": "input_text", "text": str(p.get("text") or "")}


def _tool_of(t: dict[str, Any]) -> dict[str, Any]:
    fn = t["function"]
    out = {"type": "function", "name": fn.get("name"), "parameters": fn.get("parameters") or {"type": "object", "properties": {}}}
    if fn.get("description"):
        out["description"] = fn["description"]
    out["strict"] = bool(fn.get("strict", False))
    return out


def _text_of(chat: dict[str, Any]) -> dict[str, Any]:
    text: dict[str, Any] = {}
    rf = chat.get("response_format")
    if isinstance(rf, dict):
        if rf.get("type") == "json_schema" and isinstance(rf.get("json_schema"), dict):
            text["format"] = {"type": "json_schema", **rf["json_schema"]}
        elif rf.get("type") == "json_object":
            text["format"] = {"type": "json_object"}
    if isinstance(chat.get("verbosity"), str):
        text["verbosity"] = chat["verbosity"]
    return text
