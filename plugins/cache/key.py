"""Exact-match cache keys: a canonical hash of everything that shapes an answer.

    digest = request_digest(body, endpoint="chat", target=("sim", None))
    key    = entry_key(scope_token("key", identity), digest)   # "cache:k:k_ab12...:<digest>"

Canonical form: the request body minus the fields that only change *how* the answer is
delivered or billed (`NON_SEMANTIC_FIELDS`: stream, stream_options, user, metadata...), with
`null` top-level values dropped (null means "the default" in the OpenAI API) and the float
sampling parameters written as floats (so `temperature: 0` and `0.0` share a key),
serialized by orjson with sorted keys (recursively) and hashed with BLAKE2b-128. Every other
field is part of the key: an unknown parameter can only split keys, never merge two requests
that deserve different answers. Message order and content are kept exactly.

Storage keys are relative state keys (the backend adds its prefix):
    cache:k:<key_id>:<digest>        scope "key" (default): one client key
    cache:t:<sha(team)[:16]>:<digest> scope "team" (a key without a team falls back to "key")
    cache:g:<digest>                 scope "global"
Shared by the cache plugin, its storage and `bulwark cache` (purge by scope).
"""
from __future__ import annotations

import hashlib
from typing import Any

import orjson

PREFIX = "cache:"
STATS_PREFIX = "cachestat:"  # counters flushed by the plugin for `bulwark cache stats`

# Fields that never change the answer's content.
NON_SEMANTIC_FIELDS = frozenset({
    "stream",
    "stream_options",
    "user",
    "safety_identifier",
    "metadata",
    "store",
    "prompt_cache_key",
    "prompt_cache_retention",
    "service_tier",
})
_FLOAT_FIELDS = ("temperature", "top_p", "presence_penalty", "frequency_penalty")

DEFAULT_TEMPERATURE = 1.0  # what the API assumes when `temperature` is absent


def canonical_request(body: dict[str, Any], endpoint: str = "chat", target: tuple[str, str | None] | None = None) -> bytes:
    """The canonical bytes hashed into the key (exposed for tests and debugging)."""
    canon: dict[str, Any] = {}
    for k, v in body.items():
        if v is None or k in NON_SEMANTIC_FIELDS:
            continue
        canon[k] = v
    for k in _FLOAT_FIELDS:
        v = canon.get(k)
        if type(v) is int:
            canon[k] = float(v)
    # The endpoint and where the request is routed (set by outer plugins) shape the answer too.
    canon["\x00endpoint"] = endpoint
    if target is not None:
        canon["\x00target"] = [target[0], target[1]]
    return orjson.dumps(canon, option=orjson.OPT_SORT_KEYS)


def request_digest(body: dict[str, Any], endpoint: str = "chat", target: tuple[str, str | None] | None = None) -> str:
    return hashlib.blake2b(canonical_request(body, endpoint, target), digest_size=16).hexdigest()


def is_deterministic(body: dict[str, Any]) -> bool:
    """True for temperature 0 (an absent temperature is the API default, 1.0)."""
    t = body.get("temperature")
    if t is None:
        t = DEFAULT_TEMPERATURE
    try:
        return float(t) == 0.0
    except (TypeError, ValueError):
        return False


def team_token(team: str) -> str:
    return hashlib.sha256(team.encode("utf-8")).hexdigest()[:16]


def scope_token(scope: str, key_id: str, team: str | None) -> str:
    """The scope part of a storage key for a caller: "k:<key_id>", "t:<hash>" or "g"."""
    if scope == "global":
        return "g"
    if scope == "team" and team:
        return "t:" + team_token(team)
    return "k:" + key_id


def entry_key(scope_tok: str, digest: str) -> str:
    return f"{PREFIX}{scope_tok}:{digest}"


def scope_pattern(scope_tok: str | None) -> str:
    """Glob for every entry of one scope (None: every entry)."""
    return f"{PREFIX}{scope_tok}:*" if scope_tok else f"{PREFIX}*"


def resolve_scope(arg: str, keys: Any = ()) -> str:
    """Turn what an operator types into a scope token.

    "global" -> "g"; "team:NAME" -> the team's token; "key:<key_id>" or a bare key id
    ("k_...", "anonymous") -> "k:<key_id>"; otherwise the name of a configured client key
    (`[[auth.keys]] name`). Raises ValueError naming the choices.
    """
    from proxy.keys import hash_key, key_id_for

    arg = arg.strip()
    if arg == "global":
        return "g"
    if arg.startswith("team:") and len(arg) > 5:
        return "t:" + team_token(arg[5:])
    if arg.startswith("key:") and len(arg) > 4:
        return "k:" + arg[4:]
    if arg.startswith("k_") or arg == "anonymous":
        return "k:" + arg
    for k in keys or ():
        if k.name == arg:
            return "k:" + key_id_for(k.key_sha256 or hash_key(k.key or ""))
    names = ", ".join(sorted(k.name for k in keys or ())) or "none configured"
    raise ValueError(
        f"no client key named {arg!r} (configured: {names}); give a key name, a key id (k_...), "
        "team:NAME or global"
    )
