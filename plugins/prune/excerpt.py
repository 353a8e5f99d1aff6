"""Shortening one long message to a token allowance: keep the lines (or sentences) that matter
for the latest request, in their order, and say what was left out.

A segment (a line; a long line is cut into sentences or ~300-character pieces) scores

    BM25 against the query terms + 0.4 per salient item (number, identifier, name; at most 3)
    + 1.0 per quantity (an amount with its unit: "EUR 185", "90 days", "12 requests"; at most 2)
    + 1.5 per item that a later message repeats (a figure the conversation came back to)
    + 0.8 for the first segment (a header, a command, a column list) and 0.3 for the last
    - 2 for a segment repeated word for word (boilerplate); list numbering is not an item.

Segments are taken best first (score / tokens ** 0.5, ties: earlier first) while they fit,
then put back in their original order with `[…]` where lines were left out, under a one-line
note saying how much of the message Bulwark kept. Deterministic.
"""
from __future__ import annotations

import math
import re
from typing import Any, Iterable

from proxy import tokens

_SENTENCE = re.compile(r"(?<=[^\W\d_][.!?;])\s+(?=\S)")  # after a word, not after "12." or "e.g" digits
_PIECE = 300  # longest segment in characters before a line is cut
_WORD = re.compile(r"[a-z0-9]+(?:[._:/-][a-z0-9]+)*")
_NUMBER = re.compile(r"\d[\d,._:/-]*\d|\d")
_ID = re.compile(r"\b[A-Za-z]*\d[\w-]*|\b[A-Z]{2,}[\w-]*|\b\w+[_-]\w+[\w-]*")
_NAME = re.compile(r"(?<=\s)([A-Z][a-z]{2,})")
GAP = "[…]"


def segments(text: str) -> list[str]:
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= _PIECE:
            if out and out[-1] and len(out[-1].split()) < 3 and line.strip():  # "12." or a bare label joins its line
                out[-1] = out[-1] + " " + line
            else:
                out.append(line)
            continue
        for sent in _SENTENCE.split(line):
            while len(sent) > _PIECE:  # minified JSON, a wall of text: cut near a comma or a space
                cut = max(sent.rfind(", ", 0, _PIECE), sent.rfind(" ", 0, _PIECE))
                cut = cut + 1 if cut > _PIECE // 3 else _PIECE
                out.append(sent[:cut])
                sent = sent[cut:]
            out.append(sent)
    return out


_ENUMERATOR = re.compile(r"^\s*(?:[-*•]|\(?\d{1,3}[.)]|[a-z][.)]|#+)\s+")
# A figure with what it measures: money, durations, rates, sizes, percentages, times of day.
_QUANTITY = re.compile(
    r"(?:[$€£]|\b(?:eur|usd|gbp|chf)\s?)\d[\d,.]*|\b\d[\d,.]*\s?(?:%|percent|eur|usd|gbp|chf|k|m|bn|"
    r"ms|seconds?|minutes?|hours?|days?|weeks?|months?|years?|requests?|records?|units?|people|users?|gb|mb|tb|kg|km)\b|"
    r"\b\d{1,2}:\d{2}\b|\b\d+\s?\(\w+\)",
    re.IGNORECASE,
)


def _items(seg: str) -> set[str]:
    seg = _ENUMERATOR.sub("", seg, count=1)  # "12. ..." is a position, not a fact
    found = {x.replace(",", "") for x in _NUMBER.findall(seg) if len(x) >= 2}
    found.update(x.lower() for x in _ID.findall(seg) if len(x) >= 3)
    found.update(x.lower() for x in _NAME.findall(" " + seg))
    return found


def stem(w: str) -> str:
    """A light English stemmer (shared with scoring: the same terms on both sides)."""
    if len(w) > 4 and not w[-1].isdigit():
        for suf in ("ing", "ed", "es", "s"):
            if w.endswith(suf) and len(w) - len(suf) >= 3:
                return w[: -len(suf)]
    return w


def terms_of(text: str) -> dict[str, int]:
    tf: dict[str, int] = {}
    for w in _WORD.findall(text.lower()):
        if len(w) >= 2:
            w = stem(w)
            tf[w] = tf.get(w, 0) + 1
    return tf


class _Analysis:
    """What one text's excerpts need whatever the query: its segments and their tokens, a score
    that does not depend on the query, and inverted indexes of terms and items."""

    __slots__ = ("segs", "costs", "base", "terms", "items", "lengths", "avg", "total")

    def __init__(self, text: str, model: str | None) -> None:
        self.segs = segments(text)
        self.costs = [tokens.count_text(s, model) + 1 for s in self.segs]  # +1: the newline
        self.total = tokens.count_text(text, model)
        n = len(self.segs)
        self.base: list[float] = []
        self.terms: dict[str, list[tuple[int, int]]] = {}
        self.items: dict[str, list[int]] = {}
        self.lengths: list[int] = []
        seen: set[str] = set()
        for i, seg in enumerate(self.segs):
            tf = terms_of(seg)
            self.lengths.append(sum(tf.values()))
            for t, c in tf.items():
                self.terms.setdefault(t, []).append((i, c))
            found = _items(seg)
            for x in found:
                self.items.setdefault(x, []).append(i)
            b = 0.4 * min(3, len(found)) + 1.0 * min(2, len(_QUANTITY.findall(seg))) + (0.8 if i == 0 else 0.3 if i == n - 1 else 0.0)
            key = _ENUMERATOR.sub("", seg, count=1).strip().lower()
            if not key:
                b = -1.0
            elif key in seen:  # boilerplate repeated word for word says nothing new
                b -= 2.0
            seen.add(key)
            self.base.append(b)
        self.avg = (sum(self.lengths) / n) if n else 1.0


_CACHE_MAX = 4096
_analyses: dict[tuple[int, str], _Analysis] = {}


def _analysis(text: str, model: str | None) -> _Analysis:
    """Cached by content hash (a growing conversation analyses each long message once)."""
    key = (hash(text), tokens.encoding_name_for(model))
    a = _analyses.get(key)
    if a is None:
        if len(_analyses) >= _CACHE_MAX:
            for k in list(_analyses)[: _CACHE_MAX // 8]:
                del _analyses[k]
        a = _analyses[key] = _Analysis(text, model)
    return a


def _scores(a: _Analysis, query: dict[str, float], later: Any, memo: dict[Any, list[float]] | None = None) -> list[float]:
    """The query-free base, plus BM25 for the segments the query hits, plus items that a later
    message repeats (`later(item)` says whether one does). `memo`: one plan's cache (the same
    message is scored for its options and again for its excerpt)."""
    if memo is not None:
        hit = memo.get(id(a))
        if hit is not None:
            return hit
    out = list(a.base)
    n = len(a.segs)
    avg = a.avg or 1.0
    for q, w in query.items():
        post = a.terms.get(q)
        if not post:
            continue
        idf = math.log(1 + (n - len(post) + 0.5) / (len(post) + 0.5)) * w
        for i, c in post:
            norm = 1.2 * (0.25 + 0.75 * a.lengths[i] / avg)
            out[i] += idf * c * 2.2 / (c + norm)
    if later is not None:
        for x, segs in a.items.items():
            if later(x):
                for i in segs:
                    out[i] += 1.5
    if memo is not None:
        memo[id(a)] = out
    return out


def _order(scores: list[float], costs: list[int]) -> list[int]:
    """The order excerpts take segments in: best score per sqrt(token) first, ties earlier first."""
    return sorted(range(len(scores)), key=lambda i: (-(scores[i] / (costs[i] ** 0.5)), i))


SPAN = 24  # what a reader takes from a long message is in its best few lines: its worth is their score


def retention(text: str, model: str | None, query: dict[str, float], later: Any, sizes: list[int],
              memo: dict[Any, list[float]] | None = None) -> list[float]:
    """For each content size, the share of the message's worth an excerpt of that size keeps:
    the score of the segments it takes (best first) over the score of the best SPAN segments;
    proportional to size when nothing scores."""
    a = _analysis(text, model)
    scores = [max(0.0, x) for x in _scores(a, query, later, memo)]
    order = _order(scores, a.costs)
    mass = sum(scores[i] for i in order[:SPAN])
    if mass <= 0:
        return [min(1.0, n / max(1, a.total)) for n in sizes]
    cum_tokens, cum_mass = [0], [0.0]
    for i in order:
        cum_tokens.append(cum_tokens[-1] + a.costs[i] + 2)
        cum_mass.append(cum_mass[-1] + scores[i])
    out = []
    for n in sizes:
        lo, hi = 0, len(cum_tokens) - 1  # the last prefix that fits n tokens
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if cum_tokens[mid] <= n:
                lo = mid
            else:
                hi = mid - 1
        out.append(min(1.0, cum_mass[lo] / mass))
    return out


def excerpt_text(text: str, content_tokens: int, model: str | None, query: dict[str, float], later: Any = None,
                 memo: dict[Any, list[float]] | None = None) -> str:
    """`text` cut to at most `content_tokens` tokens (the note included)."""
    a = _analysis(text, model)
    segs, costs, total = a.segs, a.costs, a.total
    scores = _scores(a, query, later, memo)
    note = f"[Bulwark kept the parts of this message most relevant to the latest request; {{n}} of {total} tokens omitted to fit the context budget]"
    room = content_tokens - tokens.count_text(note.format(n=total), model) - 2
    if room < 8:  # no room for any line: the note alone, shortened
        short = f"[{total} tokens omitted by Bulwark]"
        return short if tokens.count_text(short, model) <= content_tokens else ""
    order = _order(scores, costs)
    chosen: set[int] = set()
    used = 0
    gap = tokens.count_text(GAP, model) + 1
    for i in order:
        if scores[i] < 0:
            continue
        extra = costs[i] + gap  # a gap marker may be needed next to it (an upper bound)
        if used + extra <= room:
            chosen.add(i)
            used += extra
    return _render(segs, chosen, costs, total, note)


def _render(segs: list[str], chosen: Iterable[int], costs: list[int], total: int, note: str) -> str:
    keep = sorted(chosen)
    lines: list[str] = []
    prev = -1
    kept = 0
    for i in keep:
        if i != prev + 1:
            lines.append(GAP)
        lines.append(segs[i])
        kept += costs[i] - 1
        prev = i
    if prev != len(segs) - 1:
        lines.append(GAP)
    return note.format(n=max(0, total - kept)) + "\n" + "\n".join(lines)


def excerpt_message(m: dict[str, Any], allowance: int, model: str | None, query: dict[str, float], later: Any = None,
                    memo: dict[Any, list[float]] | None = None) -> dict[str, Any]:
    """A copy of message `m` whose string content fits `allowance` tokens (the whole message)."""
    content = m.get("content")
    if not isinstance(content, str):
        return m
    shell = tokens.count_message({**m, "content": ""}, model)
    room = allowance - shell
    text = excerpt_text(content, room, model, query, later, memo)
    out = {**m, "content": text}
    while text and tokens.count_message(out, model) > allowance:  # rare: tokenisation across joins
        text = text[: int(len(text) * 0.9)]
        out = {**m, "content": text}
    return out
