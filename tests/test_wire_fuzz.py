"""Bad input on /v1/responses and /v1/messages never yields a 500, through the whole shipped
chain: random mutations of valid bodies and junk bytes get an answer or a 4xx in the client's
API shape (OpenAI's error object on /v1/responses, Anthropic's on /v1/messages)."""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import aiohttp

from tests.test_wire_harness import Stack

BASES: dict[str, dict[str, Any]] = {
    "/responses": {"model": "gpt-4o-mini", "input": [{"role": "user", "content": "hi"}], "instructions": "x",
                   "tools": [{"type": "function", "name": "f", "parameters": {"type": "object"}}], "stream": False},
    "/messages": {"model": "gpt-4o-mini", "max_tokens": 20, "system": "x", "messages": [{"role": "user", "content": "hi"}],
                  "tools": [{"name": "f", "input_schema": {"type": "object"}}], "stream": False},
}
KEYS = ["type", "role", "content", "text", "name", "call_id", "output", "arguments", "source", "tool_use_id", "format",
        "schema", "input", "previous_response_id", "tool_choice", "text", "max_output_tokens", "stop_sequences", "metadata"]


def junk(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.choice(["str", "int", "neg", "float", "none", "bool", "list", "dict"] if depth < 3 else ["str", "int", "none"])
    if kind == "str":
        return rng.choice(["", "x", "message", "function_call", "function_call_output", "input_text", "tool_result", "image",
                           "json_schema", "auto", "any", "tool", "user", "assistant", "\u0000\ud7ff", "a" * 300])
    if kind == "int":
        return rng.choice([0, 1, 7, 2**40])
    if kind == "neg":
        return -rng.randint(1, 5)
    if kind == "float":
        return rng.choice([0.5, 1e308, -0.0])
    if kind == "none":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "list":
        return [junk(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(KEYS): junk(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def mutate(rng: random.Random, body: dict[str, Any]) -> dict[str, Any]:
    body = json.loads(json.dumps(body))
    for _ in range(rng.randint(1, 3)):
        target: Any = body
        for hop in range(rng.randint(0, 3)):  # walk into a random nested object or list
            children = [v for v in (target.values() if isinstance(target, dict) else target) if isinstance(v, (dict, list)) and v]
            if not children:
                break
            target = rng.choice(children)
        if isinstance(target, dict):
            target[rng.choice(list(target) + KEYS)] = junk(rng)
        elif isinstance(target, list):
            target[rng.randrange(len(target))] = junk(rng)
    return body


def assert_shaped(path: str, status: int, raw: bytes) -> None:
    assert status != 500 and status < 600, (path, status, raw[:300])
    if status >= 400:
        body = json.loads(raw)
        if path.startswith("/messages"):
            assert body["type"] == "error" and set(body["error"]) >= {"type", "message"}, raw[:300]
        else:
            assert set(body["error"]) >= {"message", "type", "param", "code"}, raw[:300]


async def test_mutated_bodies_never_break_the_chain(tmp_path: Path) -> None:
    st = await Stack.start(tmp_path, plugins={"ratelimit": {"key": {"rpm": 100000, "tpm": 0, "max_concurrent": 0}, "abuse": {"enabled": False}}})
    rng = random.Random(1616)
    headers = {"Authorization": "Bearer sk-trusted", "content-type": "application/json", "anthropic-version": "2023-06-01"}
    seen: dict[int, int] = {}
    try:
        async with aiohttp.ClientSession() as s:
            for _ in range(300):
                path = rng.choice(list(BASES))
                body = mutate(rng, BASES[path])
                async with s.post(st.proxy.url + path, data=json.dumps(body), headers=headers) as r:
                    raw = await r.read()
                    assert_shaped(path, r.status, raw)
                    seen[r.status] = seen.get(r.status, 0) + 1
            for data in (b"", b"null", b"[]", b"\xff\xfe", b'{"model": 1}', b'{"model":"m","input":{}}', b"1e999999"):
                for path in (*BASES, "/messages/count_tokens"):
                    async with s.post(st.proxy.url + path, data=data, headers=headers) as r:
                        assert_shaped(path, r.status, await r.read())
        assert seen.get(200, 0) > 10 and seen.get(400, 0) > 10, seen  # both kinds of outcome were exercised
    finally:
        await st.aclose()
