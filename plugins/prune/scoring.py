"""Importance-scored pruning of a chat history to a token budget (used by the `prune`
plugin through `pruner.py`, and by the evaluations under `bench/`).

Units (`units.py`): a message, or an assistant message with `tool_calls` together with
every tool result answering it. Pinned, never changed: system / developer messages, the
latest user message, and what follows it that is not a tool call (an assistant prefill).
The latest tool results of an agent loop may be shortened but are never dropped. The user
and assistant messages of the last `keep_last_turns` turns get `recent_bonus`: they go only
when everything older is gone, so a request is refused (400) only when the pinned messages
alone do not fit.

Every other unit gets a score (higher = more worth keeping):

    score = (w.recency   * 0.5 ** (turns_ago / half_life_turns)
           + w.role      * role_weights[role]
           + w.relevance * BM25(unit, query) / max over units
           + w.reference * later-reference score / max over units
           + w.decision  * [an answer the user then agreed to]) * informativeness
           (+ recent_bonus)

The query is the latest user message (and the one before it when the latest is a short
follow-up such as "and the cheaper one?"). The reference score sums, over the unit's salient
items (numbers, identifiers, capitalised names) that appear again in a later message,
log(1 + N / df(item)). Inside a turn, later agent steps count as more recent. A message
with almost no content ("Thanks, that helps.") keeps only a fifth of its score. Later values
replace earlier ones (`supersede.py`): a short correction scores at least as high as the
relevant message it corrects, and of two versions of a document the newer one takes the relevance.

`select.py` then chooses, unit by unit, whole / excerpt / nothing (see there); an optional
one-line marker stands where units were dropped. Deterministic: same input, same output.

Per-message features (token count, term frequencies, salient items) are cached by a
content hash, so a growing conversation only analyses its new messages.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from typing import Any, Iterable

from proxy import tokens
from proxy.caches import put_bounded

from . import lexicon, select, supersede
from .excerpt import ADDRESSEE, DECIDED, FAILING, SAID, Query, ask_of, pairs_of, passage_relevance
from .words import identifier_parts, places, words
from .units import DEFAULT_ROLE_WEIGHTS, Plan, Settings, Unit, Weights, build_units

__all__ = ["DEFAULT_ROLE_WEIGHTS", "Plan", "Settings", "Unit", "Weights", "apply", "build_units", "plan"]

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
_CACHE_MAX = 4096  # entries of each cache below; a feature entry is ~1.25 KB (soak), so ~5 MiB full
_KIND = 1.3  # relevance factor of a message holding the kind of value the question asks for


@dataclass(slots=True)
class Features:
    tf: dict[str, int]
    length: int
    items: frozenset[str]
    terms: frozenset[str] = frozenset()  # tf's keys, for fast intersections
    kinds: int = 0  # the kinds of value the text holds (lexicon.value_kinds)
    cue: int = 0  # it corrects or updates a value (supersede.correction_cue: 2 strong, 1 weak)


_features: dict[int, Features] = {}
# (message key, encoding, overheads) -> [tokens, Features | None, message key]
_entries: dict[tuple[int, str, int, int], list[Any]] = {}
_EMPTY = Features({}, 0, frozenset())


def analyse(text: str) -> Features:
    tf: dict[str, int] = {}
    n = 0
    for w in words(text.lower(), STOPWORDS):
        tf[w] = tf.get(w, 0) + 1
        n += 1
    for w in identifier_parts(text):  # identifiers' words add terms, not length
        tf[w] = tf.get(w, 0) + 1
    for w in places(text):  # ("what sits at position 6" meets the list line "6. ...")
        tf[w] = tf.get(w, 0) + 1
        n += 1
    items = {x.replace(",", "") for x in _NUMBER.findall(text) if len(x) >= 2 or x != "0"}
    items.update(x.lower() for x in _ID.findall(text) if len(x) >= 3)
    items.update(x.lower() for x in _NAME.findall(text))
    items.difference_update(STOPWORDS)
    kinds = lexicon.value_kinds(text)
    cue = supersede.correction_cue(text) if items or kinds else 0
    return Features(tf, n, frozenset(items), frozenset(tf), kinds, cue)


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
        put_bounded(_features, key, f, _CACHE_MAX)
    return f



# A reply that commits to what was proposed ("agreed", "let's do that", "sounds right, go with it"), at the
# start of one of its first sentences; a bare "ok" / "great" / "yes" counts only in a reply that asks nothing
# new ("Okay, next thing: ...?" acknowledges and moves on: no decision).
_COMMIT = re.compile(
    r"^\W*(?:agreed|deal|approved|confirmed|that\s+works|love\s+it|sounds\s+(?:good|right|great|fine|perfect)|"
    r"let'?s\s+(?:do|go\s+with|use|take|book|pick)|go\s+(?:with|for|ahead)|do\s+it|book\s+it|we'?ll\s+(?:go|take)|"
    r"(?:i|we)\s+(?:agree|like|prefer|choose|pick)\s+(?:that|this|it|the))\b",
    re.IGNORECASE,
)
_ACK = re.compile(r"^\W*(?:ok(?:ay)?|yes|yep|great|perfect)\b", re.IGNORECASE)
_SENT = re.compile(r"(?<=[.!?])\s+")


def agrees(text: str) -> bool:
    """A short user reply agreeing to the answer before it (see `_COMMIT`)."""
    if len(text) >= 200:
        return False
    sents = _SENT.split(text.strip())
    if any(_COMMIT.search(x) for x in sents[:2]):
        return True
    return "?" not in text and bool(_ACK.search(text))


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
    """Decide what to keep of each unit so the request fits `budget` prompt tokens.

    marker_mode "gap": one marker per run of consecutive removed units, where it was;
    "single": one marker for everything removed, where the first removed unit was."""
    s = settings or Settings()
    entries, counts, fixed, before = _count(messages, model, tools)
    if before <= budget:  # the common case: nothing to decide
        return Plan([], before, before, budget, 0, fixed, [], [], True)
    units = build_units(messages)
    user_units = _pins(messages, units, counts, s)
    feats = _all_features(messages, entries)
    query = _query(messages, feats, units, user_units, s)
    _score(messages, feats, units, user_units, query, s, model)
    _flex(messages, units, counts, model, s)
    last_seen = {x: i for i, f in enumerate(feats) for x in f.items}
    return select.choose(messages, units, before, fixed, budget, model, s, marker_text, marker_role, marker_mode, query, last_seen)


def _count(messages: list[Any], model: str | None, tools: Any) -> tuple[list[list[Any]], list[int], int, int]:
    """One pass: per-message entries [tokens, features or None, key], cached by content hash."""
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
                put_bounded(_entries, (k, enc, pm, pn), e, _CACHE_MAX)
        else:
            e = [0, _EMPTY, 0]
        entries.append(e)
    counts = [e[0] for e in entries] if fac == 1.0 else [int(e[0] * fac + 0.5) for e in entries]
    fixed = tokens.REPLY_PRIMING + (tokens.count_tools(tools, model) if tools else 0)
    return entries, counts, fixed, fixed + sum(counts)


def _pins(messages: list[Any], units: list[Unit], counts: list[int], s: Settings) -> list[int]:
    """Turns, steps, pins and the recent turns; the unit indices of user messages."""
    turn = 0
    user_units: list[int] = []
    by_turn: dict[int, list[Unit]] = {}
    for u in units:
        u.tokens = counts[u.messages[0]] if len(u.messages) == 1 else sum(counts[i] for i in u.messages)
        if u.role == "user":
            turn += 1
            user_units.append(u.index)
        u.turn = turn
        by_turn.setdefault(turn, []).append(u)
        if u.role in ("system", "developer"):
            u.pinned = True
    for members in by_turn.values():
        for k, u in enumerate(members):
            u.step = k / max(1, len(members) - 1)
    last_user = user_units[-1] if user_units else -1
    tail = units[last_user + 1:] if last_user >= 0 else units
    if last_user >= 0:
        units[last_user].pinned = True
    for u in tail:
        if u.role != "tool":  # an assistant message after the question: a prefill, or the loop's own words
            u.pinned = True
    tool_tail = [u for u in tail if u.role == "tool"]
    if tool_tail:  # an agent loop in progress: its latest results stay (possibly shortened)
        tool_tail[-1].keep = True
    if user_units and s.keep_last_turns > 0:
        first_recent = units[user_units[-min(s.keep_last_turns, len(user_units))]].turn
        for u in units:
            if u.turn >= first_recent and u.role in ("user", "assistant") and not u.pinned:
                u.recent = True
    return user_units


def _all_features(messages: list[Any], entries: list[list[Any]]) -> list[Features]:
    out = []
    for m, e in zip(messages, entries):
        f = e[1]
        if f is None:
            f = e[1] = features(m, e[2]) if isinstance(m, dict) else _EMPTY
        out.append(f)
    return out


def _query(messages: list[Any], feats: list[Features], units: list[Unit], user_units: list[int], s: Settings) -> Query:
    """Query terms and weights: the latest user message; a short follow-up adds the one before
    (half weight); and the kinds of value asked for (`lexicon.answer_kinds`)."""
    if not user_units:
        return Query()
    q: dict[str, float] = {}
    lead = units[user_units[-1]].messages[0]
    last = feats[lead]
    for t in sorted(last.tf, key=lambda t: (-last.tf[t], t))[: s.max_query_terms]:
        q[t] = 1.0
    text = message_text(messages[lead])
    if len(user_units) > 1 and (len(last.tf) < 4 or _FOLLOW_UP.search(text)):
        prev_i = units[user_units[-2]].messages[0]
        prev = feats[prev_i]
        for t in sorted(prev.tf, key=lambda t: (-prev.tf[t], t))[: s.max_query_terms // 2]:
            q.setdefault(t, 0.5)
        if not lexicon.answer_kinds(text):
            text += "\n" + message_text(messages[prev_i])
    lead_text = message_text(messages[lead])
    for a in acronyms(lead_text):  # "auxiliary power unit" also as "apu"
        q.setdefault(a, 1.0)
    return Query(q, lexicon.answer_kinds(text), _parts(lead_text, q), pairs_of(lead_text), bool(SAID.search(lead_text)),
                 bool(DECIDED.search(lead_text)), bool(FAILING.search(lead_text)), bool(ADDRESSEE.search(lead_text)))


_TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|\S")


def acronyms(text: str) -> list[str]:
    """The initials of each run of three or four consecutive content words ("auxiliary power unit" ->
    "apu"; a function word or a punctuation mark ends a run): a question spelling out what a
    document abbreviates."""
    out: list[str] = []
    run: list[str] = []
    for tok in _TOKEN.findall(text) + ["."]:
        w = tok.lower().split("'")[0]
        if w.isalpha() and len(w) >= 3 and w not in STOPWORDS:
            run.append(w)
            continue
        for n in (3, 4):
            for k in range(len(run) - n + 1):
                a = "".join(x[0] for x in run[k:k + n])
                if a not in out:
                    out.append(a)
        run = []
    return out


# A message that continues the one before it: it starts with "and" / "what about" / "or", or it points
# back ("that one", "the second", "it") with hardly any words of its own.
_FOLLOW_UP = re.compile(r"^\W*(?:(?:ok(?:ay)?|so|right)\W+)?(?:and|or|but|what\s+about|how\s+about|also|then)\b", re.IGNORECASE)


_PART = re.compile(r"[,;?]|\band\b|\balso\b|\bplus\b", re.IGNORECASE)


def _parts(text: str, q: dict[str, float]) -> tuple[tuple[frozenset[str], int], ...]:
    """A question asking several things ("remind me X, Y and Z"): each part's terms and the kinds of value it asks for. () for a question about one thing."""
    parts = []
    for piece in _PART.split(text):
        terms = {t for t in words(piece.lower(), STOPWORDS) if t in q}
        if len(terms) >= 2:
            parts.append((frozenset(terms), lexicon.answer_kinds(piece)))
    return tuple(parts) if len(parts) >= 2 else ()


def _flex(messages: list[Any], units: list[Unit], counts: list[int], model: str | None, s: Settings) -> None:
    """Which messages of each unit may be excerpted, and their content's tokens: long string
    contents (not images; tool-call arguments stay whole)."""
    for u in units:
        if u.pinned:
            continue
        for i in u.messages:
            m = messages[i]
            c = m.get("content") if isinstance(m, dict) else None
            if isinstance(c, str) and counts[i] >= s.excerpt_min_tokens // 2:
                n = tokens.count_text(c, model)
                if n >= s.excerpt_min_tokens // 2:
                    u.flex.append((i, n))
                    u.flex_tokens += n

def _score(messages: list[Any], feats: list[Features], units: list[Unit], user_units: list[int], query: dict[str, float],
           s: Settings, model: str | None = None) -> None:
    nmsg = len(feats)
    qset = frozenset(query)
    # BM25 per message against the query; a unit takes its best message
    total_len = 0
    hits: list[Any] = []
    df: dict[str, int] = {}
    for f in feats:
        total_len += f.length
        common = qset & f.terms if qset else frozenset()
        hits.append(common)  # (a set: `supersede.versions` compares them as sets)
        for q in common:
            df[q] = df.get(q, 0) + 1
    item_df = Counter(chain.from_iterable(f.items for f in feats))
    avgdl = (total_len / nmsg) or 1.0
    log = math.log
    wlog = [0.0] + [log(1 + nmsg / d) for d in range(1, max(item_df.values(), default=0) + 1)]  # by document frequency
    idf = {q: log(1 + (nmsg - d + 0.5) / (d + 0.5)) * query[q] for q, d in df.items()}
    k1, b = s.bm25_k1, s.bm25_b
    k1b, k1x = k1 * b / avgdl, k1 * (1 - b)
    ask = ask_of(query)
    long_len = max(150.0, 3 * avgdl)
    candidates = [u for u in units if not u.pinned]
    parts = getattr(query, "parts", ())
    part_rel: dict[int, list[float]] = {}  # unit -> its relevance to each part of the question
    qparts = {q: [k for k, (terms, _) in enumerate(parts) if q in terms] for q in idf} if parts else {}
    # "appears later" union, built backwards over units
    later: set[str] = set()
    for u in reversed(units):
        if not u.pinned:
            rel = 0.0
            ref = 0.0
            for i in u.messages:
                common = sorted(hits[i])  # a fixed order of the float sums below, not hash order
                if common:
                    f = feats[i]
                    norm = k1x + k1b * f.length
                    tf = f.tf
                    r = 0.0
                    rp = [0.0] * len(parts) if parts else None
                    for q in common:
                        c = tf[q]
                        x = idf[q] * c * (k1 + 1) / (c + norm)
                        r += x
                        if rp is not None:
                            for k in qparts[q]:
                                rp[k] += x
                    content = messages[i].get("content") if f.length > long_len else None
                    if isinstance(content, str):  # a long text is as relevant as its best passage
                        r = max(r, passage_relevance(content, model, {q: idf[q] for q in common}, avgdl, ask, k1, b))
                        if rp is not None:
                            for k, (terms, pask) in enumerate(parts):
                                rp[k] = max(rp[k], passage_relevance(content, model, {q: idf[q] for q in common if q in terms}, avgdl, pask, k1, b))
                    if ask and f.kinds & ask:
                        r *= _KIND
                    if r > rel:
                        rel = r
                    if rp is not None:
                        for k, (_, pask) in enumerate(parts):
                            if pask and f.kinds & pask:
                                rp[k] *= _KIND
                        best = part_rel.setdefault(u.index, [0.0] * len(parts))
                        for k, x in enumerate(rp):
                            if x > best[k]:
                                best[k] = x
                shared = sorted(feats[i].items & later) if later else ()
                for x in shared:
                    ref += wlog[item_df[x]]
            u.relevance, u.reference = rel, ref
        for i in u.messages:
            later.update(feats[i].items)
    _decisions(messages, units)
    max_rel = max((u.relevance for u in candidates), default=0.0) or 1.0
    for u in candidates:
        u.rel_norm = u.relevance / max_rel
    if part_rel:  # each part of a question has its own most relevant unit
        for k in range(len(parts)):
            top = max(v[k] for v in part_rel.values()) or 1.0
            for i, v in part_rel.items():
                u = units[i]
                u.rel_norm = max(u.rel_norm, v[k] / top)
    _calls_asked_about(messages, units, query)
    _lists_pointed_at(messages, units, user_units)
    _answers(units)
    question = message_text(messages[units[user_units[-1]].messages[0]]) if user_units else ""
    _recommendations(messages, units, question)
    supersede.versions(feats, units, hits, bool(supersede.NEWEST.search(question)), bool(supersede.EARLIER.search(question)),
                       _Texts(messages))
    corrected = supersede.corrections(feats, units)
    supersede.lift_relevance(units, corrected)
    max_ref = max((u.reference for u in candidates), default=0.0) or 1.0
    w = s.weights
    half = s.half_life_turns if s.half_life_turns > 0 else 1e9
    rw = s.role_weights
    last_turn = units[user_units[-1]].turn if user_units else 0
    wr, wl, wf = w.relevance, w.reference / max_ref, w.role
    for u in candidates:
        ago = last_turn - u.turn + (1.0 - u.step if u.role == "tool" else 0.0)  # later agent steps are more recent
        score = (w.recency * 0.5 ** (max(0.0, ago) / half) + wf * rw.get(u.role, 0.5) + wr * u.rel_norm + wl * u.reference
                 + (w.decision if u.decision else 0.0) + _stated(messages, feats, u))
        f = feats[u.messages[-1]] if u.role == "tool" else feats[u.messages[0]]
        informative = min(1.0, (len(f.terms) + 2 * len(f.items)) / 12) if u.role != "tool" else 1.0
        u.score = score * (0.2 + 0.8 * informative) + (s.recent_bonus if u.recent else 0.0)
    supersede.lift_scores(units, corrected)


class _Texts:
    """messages[i]'s text on demand (`message_text`)."""

    __slots__ = ("messages",)

    def __init__(self, messages: list[Any]) -> None:
        self.messages = messages

    def __getitem__(self, i: int) -> str:
        m = self.messages[i]
        return message_text(m) if isinstance(m, dict) else ""


_FACT = 0.5  # score added to a short user message stating a value
_FIRST = 0.5  # score added to a short first user message
_FACT_TOKENS = 80  # "short" for both
_NAME_BIT = lexicon.BIT["name"]


def _stated(messages: list[Any], feats: list[Features], u: Unit) -> float:
    """A short user message stating a value (a figure, a date, an amount, a code; not a question):
    what the user told the assistant to work with. Cheap to keep, and the later question about it
    often uses other words. The first user message (the task and its constraints) likewise."""
    if u.role != "user" or u.tokens > _FACT_TOKENS:
        return 0.0
    i = u.messages[0]
    first = _FIRST if u.turn == 1 else 0.0
    f = feats[i]
    if not (f.kinds & ~_NAME_BIT or any(c.isdigit() for x in f.items for c in x)):
        return first
    if "?" in message_text(messages[i]):
        return first
    return max(first, _FACT)


_ANSWER = 0.6  # share of a user message's relevance its answer (the assistant and tool units after it) takes
_CALLED = 0.7  # relevance (of the most relevant unit's) of a tool call the question names


def _answers(units: list[Unit]) -> None:
    """The answer to a relevant request is relevant: each user message passes `_ANSWER` of its
    relevance to the units after it in its turn ("I emailed four venues, what came back?" -> the reply)."""
    carry = 0.0
    for u in units:
        if u.role == "user":
            carry = _ANSWER * u.rel_norm if not u.pinned else 0.0
        elif u.role in ("system", "developer"):
            continue
        elif carry > u.rel_norm and not u.pinned:
            u.rel_norm = carry


def _calls_asked_about(messages: list[Any], units: list[Unit], query: dict[str, float]) -> None:
    """A question that names a tool call ("the savings balance you checked" -> get_balance(account=savings),
    "your first flight search" -> search_flights) is about that call's results, whatever the assistant
    said of them: the unit gets at least `_CALLED` relevance, more the more of the name the question uses."""
    asked = {t for t, w in query.items() if w >= 1.0}
    if not asked:
        return
    for u in units:
        if u.role != "tool" or u.pinned:
            continue
        lead = messages[u.messages[0]]
        calls = lead.get("tool_calls") if isinstance(lead, dict) else None
        if not isinstance(calls, list):
            fc = lead.get("function_call") if isinstance(lead, dict) else None
            calls = [{"function": fc}] if isinstance(fc, dict) else []
        best = 0.0
        for c in calls:
            fn = c.get("function") if isinstance(c, dict) else None
            if not isinstance(fn, dict):
                continue
            name = set(words(str(fn.get("name", "")).lower().replace("_", " "), STOPWORDS))
            args = set(words(str(fn.get("arguments", "")).lower(), STOPWORDS)) - name
            hit_name = len(name & asked) / len(name) if name else 0.0
            hit_args = len(args & asked)
            if (name & asked and hit_name >= 0.5) or hit_args >= 2:
                best = max(best, _CALLED + 0.15 * min(1.0, hit_name + 0.5 * hit_args))
        if best > u.rel_norm:
            u.rel_norm = best


_ORDINAL = re.compile(r"\b(?:first|second|third|fourth|fifth|last|final|other)\s+(?:one|option|point|item|pick|choice|entry|step|idea)s?\b"
                      r"|\b(?:first|second|third|fourth|fifth|last)\s+(?:of\s+(?:them|those|these))\b", re.IGNORECASE)
_LISTREF = re.compile(r"\b(?:your|that|the|this)\s+list\b|\byou\s+(?:listed|suggested|recommended|mentioned|proposed)\b", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*\(?\d{1,2}[.)]\s+\S", re.M)
_BULLET = re.compile(r"^\s*[-*•]\s+\S", re.M)
_LIST_REL = (0.8, 0.55, 0.4)  # relevance of the latest list, the one before it, the one before that


def _lists_pointed_at(messages: list[Any], units: list[Unit], user_units: list[int]) -> None:
    """"The second one from your list", "the last point", "which of the ones you listed": the question
    points at an enumerated answer (an assistant message with at least three list items), most likely
    the latest; an ordinal ("second") prefers a numbered list."""
    if not user_units:
        return
    q = message_text(messages[units[user_units[-1]].messages[0]])
    ordinal = bool(_ORDINAL.search(q))
    if not ordinal and not _LISTREF.search(q):
        return
    numbered, bullets = [], []
    for u in reversed(units):
        if u.pinned or u.role != "assistant":
            continue
        c = messages[u.messages[0]].get("content")
        if not isinstance(c, str):
            continue
        if len(_NUMBERED.findall(c)) >= 3:
            numbered.append(u)
        elif len(_BULLET.findall(c)) >= 3:
            bullets.append(u)
    ranked = numbered + bullets if ordinal else sorted(numbered + bullets, key=lambda u: -u.index)
    for u, r in zip(ranked, _LIST_REL):
        u.rel_norm = max(u.rel_norm, r)


def _decisions(messages: list[Any], units: list[Unit]) -> None:
    """An assistant answer followed by a short user reply agreeing to it holds a decision."""
    for a, nxt in zip(units, units[1:]):
        if a.role == "assistant" and nxt.role == "user":
            text = message_text(messages[nxt.messages[0]])
            if agrees(text):
                a.decision = True


# A question about what was decided or recommended ("where did we agree...", "which one did we land on",
# "what did you suggest", "who did we decide..."), and an assistant answer that commits to one option in
# its first sentence: "My recommendation: book X", "Then ship RC-4417", "Go with fct_sessions_daily",
# "In that case put it in...", "Stay at Pension Alpenruh". The user need not have replied "agreed".
_DECIDED_Q = re.compile(r"\b(?:we|you|i)\s+(?:\w+\s+){0,2}?(?:agree[ds]?|decided?|settled?|land(?:ed)?\s+on|chose|choose|picked?|went\s+with|"
                        r"go\s+with|recommend(?:ed)?|suggest(?:ed)?|advised?|propos(?:ed|e)|say|said)\b|\b(?:agreed|decided|chosen|recommended)\b",
                        re.IGNORECASE)
_RECOMMENDS = re.compile(
    r"^\W*(?:(?:then|so|ok(?:ay)?|right|in\s+that\s+case|given\s+that|if\s+so|with\s+that(?:\s+constraint)?)\W+)?"
    r"(?:my\s+(?:recommendation|vote|pick|suggestion|advice|choice)\b|i(?:'d|\s+would)\s+(?:go|pick|choose|book|recommend|take)\b|"
    r"i\s+(?:recommend|suggest)\b|(?:the\s+)?best\s+(?:option|choice|bet|fit)\s+is\b|let'?s\s+go\s+with\b|"
    r"(?:go|stay|put|book|ship|seat|choose|pick|use|take|call|name|buy|hire|send|order|move|schedule|switch|sign|hold|keep|"
    r"register|reserve)\s)", re.IGNORECASE)
_DECIDED_REL = 0.8  # of the most relevant unit among the few before it (the options, the request)
_DECIDED_BACK = 6  # units back that may hold what it chose between


def _recommendations(messages: list[Any], units: list[Unit], question: str) -> None:
    """Under a question about a decision (`_DECIDED_Q`), an assistant answer committing to an option
    (`_RECOMMENDS`) is a decision, about what the units just before it are about: it takes
    `_DECIDED_REL` of their best relevance (its own words name the choice, not the topic)."""
    if not _DECIDED_Q.search(question):
        return
    for u in units:
        if u.role != "assistant" or u.pinned:
            continue
        c = messages[u.messages[0]].get("content")
        if not isinstance(c, str) or not _RECOMMENDS.search(c[:200]):
            continue
        u.decision = True
        before = [v.rel_norm for v in units[max(0, u.index - _DECIDED_BACK):u.index] if not v.pinned]
        if before:
            u.rel_norm = max(u.rel_norm, _DECIDED_REL * max(before))


def apply(messages: list[Any], p: Plan, marker_text: str | None = None, marker_role: str = "system", summaries: Iterable[str | None] | None = None) -> list[Any]:
    """The pruned message list: kept messages in order (excerpted ones shortened), one marker
    (or summary) per run of dropped units."""
    drop_at: dict[int, int] = {}  # first dropped message index -> run number
    dropped_idx: set[int] = set()
    for r, run in enumerate(p.gaps):
        idx = [i for u in run for i in u.messages]
        drop_at[min(idx)] = r
        dropped_idx.update(idx)
    texts = list(summaries) if summaries is not None else [None] * len(p.gaps)
    out = []
    short = p.excerpts
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
            out.append(short.get(i, m))
    return out
