"""Every Responses answer Bulwark sends validates against the official OpenAPI document
(/work/shared/reference/openai-openapi.json, with the conformance tool's `nullable` rewrite):
plain bodies as `Response`, each streamed event as the schema of its `type`, errors as
`ErrorResponse`. Covered: the native upstream's answers relayed, answers translated from a
chat-only provider, and Bulwark's own (rules tier), plain and streamed, text and tool calls."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.helpers import shared_dir
from tests.test_wire_harness import Stack, conformance, st  # noqa: F401 (st: the fixture)

_SPEC = json.loads((shared_dir() / "reference" / "openai-openapi.json").read_text())
# event type -> the schema that describes it, read from the spec's ResponseStreamEvent union
EVENT_SCHEMAS: dict[str, str] = {}
for _ref in _SPEC["components"]["schemas"]["ResponseStreamEvent"]["anyOf"]:
    _name = _ref["$ref"].rsplit("/", 1)[-1]
    _type = _SPEC["components"]["schemas"][_name].get("properties", {}).get("type", {}).get("enum", [None])[0]
    EVENT_SCHEMAS[_type] = _name
TOOL = {"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}


def sse_objects(text: str) -> list[dict[str, Any]]:
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        data = [ln[5:].lstrip() for ln in block.split("\n") if ln.startswith("data:")]
        if data:
            out.append(json.loads("\n".join(data)))
    return out


def check_events(text: str, where: str) -> list[str]:
    """Schema errors of a Responses event stream, plus the stream rules the spec leaves implicit:
    one response id, consecutive sequence numbers, one terminal event at the end."""
    errs: list[str] = []
    events = sse_objects(text)
    if not events:
        return [f"{where}: no events"]
    for i, obj in enumerate(events):
        name = EVENT_SCHEMAS.get(obj.get("type"))
        if name is None:
            errs.append(f"{where} event {i}: unknown type {obj.get('type')!r}")
            continue
        errs += conformance.check(name, obj, f"{where} event {i} ({obj['type']})")
    seqs = [e.get("sequence_number") for e in events]
    if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
        errs.append(f"{where}: sequence numbers not consecutive: {seqs}")
    ids = {e["response"]["id"] for e in events if isinstance(e.get("response"), dict)}
    if len(ids) != 1:
        errs.append(f"{where}: response ids differ: {ids}")
    if events[-1].get("type") not in ("response.completed", "response.incomplete", "response.failed"):
        errs.append(f"{where}: ends with {events[-1].get('type')}")
    return errs


async def post(st: Stack, body: dict[str, Any]) -> tuple[int, str]:
    async with aiohttp.ClientSession() as s:
        async with s.post(st.proxy.url + "/responses", json=body, headers={"Authorization": "Bearer sk-test"}) as r:
            return r.status, await r.text()


@pytest.mark.parametrize("route", ["native", "translated", "rules"])
async def test_responses_validate_against_the_openapi_document(st: Stack, route: str) -> None:
    if route == "translated":
        st.a.set_fault("503")  # gpt-4's cascade: the native primary fails, Claude answers through the codecs
    elif route == "rules":
        st.a.set_fault("503")  # the "*" cascade: sim fails, the rules tier answers
    model = "gpt-4" if route == "translated" else "gpt-4o-mini"
    asks = [{"model": model, "input": "What are your opening hours?" if route == "rules" else "Tell me about rivers"}]
    if route != "rules":
        asks.append({"model": model, "input": "Please call get_weather for Oslo", "tools": [TOOL]})
    for body in asks:
        status, text = await post(st, body)
        assert status == 200, text
        obj = json.loads(text)
        assert conformance.check("Response", obj, route) == []
        status, text = await post(st, {**body, "stream": True})
        assert status == 200
        assert check_events(text, route + " stream") == []
        if route == "native":
            assert obj["id"].startswith("resp_") and not obj["id"].startswith("resp_bw")  # the upstream's own
        else:
            assert obj["id"].startswith("resp_bw")  # minted by Bulwark: no upstream stored it


async def test_errors_validate_as_error_responses(st: Stack) -> None:
    for body in ({"model": "gpt-4o-mini", "input": [{"role": "robot", "content": "x"}]}, {"input": "no model"}):
        status, text = await post(st, body)
        assert status == 400
        assert conformance.check("ErrorResponse", json.loads(text), "error") == []
