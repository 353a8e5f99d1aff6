"""Importance-scored pruning of a chat history to a token budget (used by the `prune`
plugin and the evaluation under `bench/`).

Units: a message, or an assistant message with `tool_calls` together with every tool
result answering it (legacy: `function_call` + `function` message). A unit is kept or
dropped whole, so no tool result is orphaned and no tool call is left unanswered.

Pinned units are never dropped: system / developer messages, and every unit from the
start of the last `keep_last_turns` turns (a turn starts at a user message; the current
turn, from the latest user message on, is always pinned).

Every other unit gets a score (higher = more worth keeping):

    score = w.recency   * 0.5 ** (turns_ago / half_life_turns)
          + w.role      * role_weights[role]
          + w.relevance * BM25(unit, latest user message) / max over units
          + w.reference * later-reference score / max over units

The reference score sums, over the unit's salient items (numbers, identifiers, capitalised
names) that appear again in any later message, log(1 + N / df(item)): a figure or name a
later turn (or a later assistant message using a tool result) repeats counts, one that
appears everywhere barely does.

Selection drops units in order of score / tokens ** size_exponent (default 0.5: value per
token, softened; ties: older first) until the request fits, then re-admits dropped units,
best first, that still fit. An optional one-line marker message (one in all, or one per
run of removed units) is charged to the budget, and left out if even it would not fit.
Deterministic: same input, same output.

Per-message features (token count, term frequencies, salient items) are cached by a
content hash, so a growing conversation only analyses its new messages.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from itertools import chain
from operator import attrgetter
from dataclasses import dataclass, field
from typing import Any, Iterable

from proxy import tokens

_WORD = re.compile(r"[a-z0-9]+(?:[._:/-][a-z0-9]+)*")
_NUMBER = re.compile(r"\d[\d,._:/-]*\d|\d")
_ID = re.compile(r"\b[A-Za-z]*\d[\w-]*|\b[A-Z]{2,}[\w-]*|\b\w+[_-]\w+[\w-]*")
_NAME = re.compile(r"(?<![.!?:\n]\s)(?<!^)(?<=\s)([A-Z][a-z]{2,})")
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below between both
    but by can could did do does doing don down during each few for from further had has have having he her here hers him
    his how i if in into is it its itself just let me more most my no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their theirs them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you your yours yourself yes ok
    okay please thanks thank sure hi hello hey get got go going like know think want need make one two use using used can't
    i'm it's that's let's we'll you're we're there's what's don't doesn't didn't won't""".split()
)
_CACHE_MAX = 32768


def _stem(w: str) -> str:
    if len(w) > 4 and not w[-1].isdigit():
        for suf in ("ing", "ed", "es", "s"):
            if w.endswith(suf) and len(w) - len(suf) >= 3:
                return w[: -len(suf)]
    return w


@dataclass(slots=True)
class Features:
    tf: dict[str, int]
    length: int
    items: frozenset[str]
    terms: frozenset[str] = frozenset()  # tf's keys, for fast intersections


_features: dict[int, Features] = {}
# (message key, encoding, overheads) -> [tokens, Features | None, message key]
_entries: dict[tuple[int, str, int, int], list[Any]] = {}
_EMPTY = Features({}, 0, frozenset())


def analyse(text: str) -> Features:
    tf: dict[str, int] = {}
    n = 0
    for w in _WORD.findall(text.lower()):
        if len(w) < 2 or w in STOPWORDS:
            continue
        w = _stem(w)
        tf[w] = tf.get(w, 0) + 1
        n += 1
    items = {x.replace(",", "") for x in _NUMBER.findall(text) if len(x) >= 2 or x != "0"}
    items.update(x.lower() for x in _ID.findall(text) if len(x) >= 3)
    items.update(x.lower() for x in _NAME.findall(text))
    items.difference_update(STOPWORDS)
    return Features(tf, n, frozenset(items), frozenset(tf))


def message_text(m: dict[str, Any]) -> str:
    text = tokens.content_text(m.get("content"))
    calls = m.get("tool_calls")
    if isinstance(calls, list):
        parts = [text]
        for c in calls:
            fn = c.get("function") if isinstance(c, dict) else None
            if isinstance(fn, dict):
                parts.append(f"{fn.get('name', '')} {fn.get('arguments', '')}")
        text = "\n".join(parts)
    return text


def features(m: dict[str, Any], key: int | None = None) -> Features:
    if key is None:
        key = tokens.message_key(m)
    f = _features.get(key)
    if f is None:
        f = analyse(message_text(m))
        if len(_features) >= _CACHE_MAX:
            it = iter(_features)
            for k in [next(it) for _ in range(_CACHE_MAX // 8)]:
                del _features[k]
        _features[key] = f
    return f


@dataclass(frozen=True, slots=True)
class Weights:
    recency: float = 1.0
    role: float = 0.5
    relevance: float = 2.0
    reference: float = 1.5


DEFAULT_ROLE_WEIGHTS = {"user": 1.0, "assistant": 0.6, "tool": 0.7, "function": 0.7}


@dataclass(slots=True)
class Settings:
    keep_last_turns: int = 2
    half_life_turns: float = 6.0
    weights: Weights = field(default_factory=Weights)
    role_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_ROLE_WEIGHTS))
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    max_query_terms: int = 64
    # Drop order: score / tokens ** size_exponent, lowest first (1 = the knapsack greedy:
    # value per token; 0 = score alone).
    size_exponent: float = 0.5


@dataclass(slots=True)
class Unit:
    index: int  # position among units
    messages: list[int]  # message indices (the first one leads)
    role: str
    tokens: int = 0
    pinned: bool = False
    turn: int = 0  # turn number (0 = before the first user message)
    score: float = 0.0
    density: float = 0.0  # score per token (see Settings.size_exponent): the drop order
    relevance: float = 0.0
    reference: float = 0.0


@dataclass(slots=True)
class Plan:
    units: list[Unit]
    tokens_before: int
    tokens_after: int
    budget: int
    pinned_tokens: int
    fixed_tokens: int  # reply priming + tool definitions
    dropped: list[Unit]
    gaps: list[list[Unit]]  # runs of consecutive dropped units, in order (one run of all in "single" mode)
    fits: bool  # False: the pinned set alone exceeds the budget
    marker_tokens: int = 0  # upper bound of one marker, used while selecting
    marker_costs: list[int] = field(default_factory=list)  # the real marker of each gap
    markers: bool = False  # markers go in (False when disabled or when they would not fit)

    @property
    def changed(self) -> bool:
        return bool(self.dropped)

    @property
    def dropped_messages(self) -> int:
        return sum(len(u.messages) for u in self.dropped)


def build_units(messages: list[Any]) -> list[Unit]:
    units: list[Unit] = []
    by_call: dict[str, int] = {}
    for i, m in enumerate(messages):
        role = m.get("role") if isinstance(m, dict) else None
        role = role if isinstance(role, str) else "unknown"
        if role == "tool" and units:
            u = by_call.get(str(m.get("tool_call_id")))
            # an orphan tool result stays with what precedes it (never moved or split off)
            units[u if u is not None else -1].messages.append(i)
            continue
        if role == "function" and units and units[-1].role in ("assistant", "tool"):
            units[-1].messages.append(i)
            continue
        unit = Unit(len(units), [i], role)
        if role == "assistant" and isinstance(m, dict):
            calls = m.get("tool_calls")
            if isinstance(calls, list) and calls:
                unit.role = "tool"
                for c in calls:
                    if isinstance(c, dict) and c.get("id") is not None:
                        by_call[str(c["id"])] = unit.index
            elif isinstance(m.get("function_call"), dict):
                unit.role = "tool"
        units.append(unit)
    return units


def _marker_cost(model: str | None, marker_text: str | None, marker_role: str) -> int:
    if not marker_text:
        return 0
    sample = marker_text.format(count=999, tokens=99999)
    return tokens.count_message({"role": marker_role, "content": sample}, model)


_by_density = attrgetter("density")


def plan(
    messages: list[Any],
    model: str | None,
    budget: int,
    *,
    tools: Any = None,
    settings: Settings | None = None,
    marker_text: str | None = None,
    marker_role: str = "system",
    marker_mode: str = "gap",
) -> Plan:
    """Decide which units to keep so the request fits `budget` prompt tokens.

    marker_mode "gap": one marker per run of consecutive removed units, where it was;
    "single": one marker for everything removed, where the first removed unit was."""
    s = settings or Settings()
    # One pass: per-message entries [tokens, features or None], cached by content hash.
    enc = tokens.encoding_name_for(model)
    tokens._note_fallback(enc)
    pm, pn = tokens._overheads(model)
    fac = tokens.approx_factor(model)
    entries: list[list[Any]] = []
    eget = _entries.get
    for m in messages:
        if isinstance(m, dict):
            k = tokens.message_key(m)
            e = eget((k, enc, pm, pn))
            if e is None:
                e = [tokens._message_cached(m, enc, pm, pn, k), None, k]
                if len(_entries) >= _CACHE_MAX:
                    it = iter(_entries)
                    for old in [next(it) for _ in range(_CACHE_MAX // 8)]:
                        del _entries[old]
                _entries[(k, enc, pm, pn)] = e
        else:
            e = [0, _EMPTY, 0]
        entries.append(e)
    counts = [e[0] for e in entries] if fac == 1.0 else [int(e[0] * fac + 0.5) for e in entries]
    fixed = tokens.REPLY_PRIMING + (tokens.count_tools(tools, model) if tools else 0)
    before = fixed + sum(counts)
    if before <= budget:  # the common case: nothing to decide
        return Plan([], before, before, budget, 0, fixed, [], [], True)
    units = build_units(messages)

    # turns and pins
    turn = 0
    user_units = []
    for u in units:
        u.tokens = counts[u.messages[0]] if len(u.messages) == 1 else sum(counts[i] for i in u.messages)
        if u.role == "user":
            turn += 1
            user_units.append(u.index)
        u.turn = turn
        if u.role in ("system", "developer"):
            u.pinned = True
    if user_units:
        first_pinned = user_units[-min(max(1, s.keep_last_turns), len(user_units))]
    else:
        first_pinned = len(units) - 1
    for u in units[first_pinned:]:
        u.pinned = True
    pinned_tokens = fixed + sum(u.tokens for u in units if u.pinned)

    if pinned_tokens > budget:
        return Plan(units, before, before, budget, pinned_tokens, fixed, [], [], False)

    candidates = [u for u in units if not u.pinned]
    _score(messages, entries, units, candidates, user_units, turn, s)

    # greedy drop, lowest score first (ties: older first)
    marker = _marker_cost(model, marker_text, marker_role)
    n = len(units)
    dropped = [False] * n
    gaps = 0
    total = before

    single = marker_mode == "single"
    ndropped = 0

    def gap_delta(i: int, dropping: bool) -> int:
        if single:  # one marker as soon as anything is dropped
            return (1 if ndropped == 0 else 0) if dropping else (-1 if ndropped == 1 else 0)
        left = i > 0 and dropped[i - 1]
        right = i + 1 < n and dropped[i + 1]
        d = 1 if not left and not right else -1 if left and right else 0
        return d if dropping else -d

    se = s.size_exponent
    for u in candidates:
        u.density = u.score / (u.tokens or 1) ** se if se else u.score
    order = sorted(candidates, key=_by_density)  # stable: ties keep the older unit first
    for u in order:
        if total + gaps * marker <= budget:
            break
        gaps += gap_delta(u.index, True)
        dropped[u.index] = True
        ndropped += 1
        total -= u.tokens
    if total + gaps * marker > budget:  # the markers themselves do not fit: go without
        marker, marker_text = 0, None
    # re-admit the best dropped units that still fit
    for u in sorted([u for u in candidates if dropped[u.index]], key=_by_density, reverse=True):  # stable: ties older first
        g = gap_delta(u.index, False)
        if total + u.tokens + (gaps + g) * marker <= budget:
            dropped[u.index] = False
            ndropped -= 1
            gaps += g
            total += u.tokens

    dropped_units = [u for u in units if dropped[u.index]]
    runs: list[list[Unit]] = [dropped_units] if single and dropped_units else []
    for u in dropped_units if not single else ():
        if runs and runs[-1][-1].index == u.index - 1:
            runs[-1].append(u)
        else:
            runs.append([u])
    costs = [0] * len(runs)
    if marker_text:  # the real markers (the estimate above is an upper bound)
        base = tokens.count_message({"role": marker_role, "content": ""}, model)
        costs = [base + tokens.count_text(marker_text.format(count=sum(len(u.messages) for u in run), tokens=sum(u.tokens for u in run)), model)
                 for run in runs]
        total += sum(costs)
    return Plan(units, before, total, budget, pinned_tokens, fixed, dropped_units, runs, True, marker, costs, bool(marker_text))


def _score(messages: list[Any], entries: list[list[Any]], units: list[Unit], candidates: list[Unit], user_units: list[int], last_turn: int, s: Settings) -> None:
    empty = _EMPTY
    feats = []
    for m, e in zip(messages, entries):
        f = e[1]
        if f is None:
            f = e[1] = features(m, e[2])
        feats.append(f)
    nmsg = len(feats)
    # query: the latest user message (its most frequent terms)
    qf = feats[units[user_units[-1]].messages[0]] if user_units else empty
    query = frozenset(sorted(qf.tf, key=lambda t: (-qf.tf[t], t))[: s.max_query_terms])
    # BM25 per message against the query; a unit takes its best message
    total_len = 0
    hits: list[Any] = []
    df: dict[str, int] = {}
    for f in feats:
        total_len += f.length
        common = query & f.terms if query else ()
        hits.append(common)
        for q in common:
            df[q] = df.get(q, 0) + 1
    item_df = Counter(chain.from_iterable(f.items for f in feats))
    avgdl = (total_len / nmsg) or 1.0
    log = math.log
    wlog = [0.0] + [log(1 + nmsg / d) for d in range(1, max(item_df.values(), default=0) + 1)]  # by document frequency
    idf = {q: log(1 + (nmsg - d + 0.5) / (d + 0.5)) for q, d in df.items()}
    k1, b = s.bm25_k1, s.bm25_b
    k1b, k1x = k1 * b / avgdl, k1 * (1 - b)
    # "appears later" union, built backwards over units
    later: set[str] = set()
    for u in reversed(units):
        if not u.pinned:
            rel = 0.0
            ref = 0.0
            for i in u.messages:
                common = hits[i]
                if common:
                    f = feats[i]
                    norm = k1x + k1b * f.length
                    tf = f.tf
                    r = 0.0
                    for q in common:
                        c = tf[q]
                        r += idf[q] * c * (k1 + 1) / (c + norm)
                    if r > rel:
                        rel = r
                shared = feats[i].items & later if later else ()
                for x in shared:
                    ref += wlog[item_df[x]]
            u.relevance, u.reference = rel, ref
        for i in u.messages:
            later.update(feats[i].items)
    max_rel = max((u.relevance for u in candidates), default=0.0) or 1.0
    max_ref = max((u.reference for u in candidates), default=0.0) or 1.0
    w = s.weights
    half = s.half_life_turns if s.half_life_turns > 0 else 1e9
    rw = s.role_weights
    wr, wl, wf = w.relevance / max_rel, w.reference / max_ref, w.role
    for u in candidates:
        u.score = w.recency * 0.5 ** ((last_turn - u.turn) / half) + wf * rw.get(u.role, 0.5) + wr * u.relevance + wl * u.reference


def apply(messages: list[Any], p: Plan, marker_text: str | None = None, marker_role: str = "system", summaries: Iterable[str | None] | None = None) -> list[Any]:
    """The pruned message list: kept messages in order, one marker (or summary) per run."""
    drop_at: dict[int, int] = {}  # first dropped message index -> run number
    dropped_idx: set[int] = set()
    for r, run in enumerate(p.gaps):
        idx = [i for u in run for i in u.messages]
        drop_at[min(idx)] = r
        dropped_idx.update(idx)
    texts = list(summaries) if summaries is not None else [None] * len(p.gaps)
    out = []
    for i, m in enumerate(messages):
        if i in drop_at:
            r = drop_at[i]
            run = p.gaps[r]
            text = texts[r] if r < len(texts) else None
            if text is None and marker_text and p.markers:
                text = marker_text.format(count=sum(len(u.messages) for u in run), tokens=sum(u.tokens for u in run))
            if text:
                out.append({"role": marker_role, "content": text})
        if i not in dropped_idx:
            out.append(m)
    return out
