"""Later values replace earlier ones: corrections, and newer versions of a document.

A history often states a value, repeats it (echoed in long answers, agendas, summaries), and later
corrects it in a short message ("actually, make that 10:30", "correction: the SKU is B-2210, not
B-2201", "scratch that, Antwerp instead"). Relevance and repetition favour the stale value: it is in
more, longer messages, and the correction is short and shares few words with the question. Two
rules, both conditioned on the question (nothing moves when the question is not about the slot):

- `corrections` (up to `_WINDOW` units back): a short message (at most `_SHORT` tokens) with a correction cue (below; from
  the assistant only a strong one) and a value of its own (an item with a digit) is linked to the
  earlier messages the question is about that lack that value and that it corrects: those naming
  the value it mentions ("10:30, not 09:15"), or sharing two words of the slot and a kind of value
  with it; when it names nothing of the slot ("make that 10:30 instead"), the latest of them
  holding the same kind of value (a time for a time). The corrector gets at least the relevance
  of what it corrects, and after scoring at least its score: it goes no earlier than the stale
  value, and being short it is cheap to keep. The corrected messages keep their own score (they
  go first only because they cost more per point; the budget decides).
- `versions`: two long messages that are mostly the same words (Jaccard of their term sets at
  least `_SAME`), where the question meets no term in the earlier one that the later one lacks,
  are two versions of one document: the later one gets the relevance (and the later-reference
  score) of the pair, the earlier one at most `_OLDER` of them, so the older version goes first.
  A question naming what only the earlier one has (the production config, not the staging one)
  tells them apart: nothing moves. A newer message that says it updates (a correction cue on a line
  holding a value the older one lacks: "it is now in room E2-465"; not a tool's output, and not when
  the question asks for the first or original one) is the newest by its own words, as if the
  question had asked for it (`NEWEST`), and is compared with the relevant long messages further
  back than the last `_VERSION_LOOKBACK` too. When the newer version is shortened, its lines that the older
  one does not have are what it updates, and excerpts favour them (`excerpt.py`, `prior`).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from typing import Any, Sequence

from .units import Unit
from .words import words

# The speech act of correcting or updating a value, in any domain: cue words of English, not topics.
# Strong cues say that an earlier statement was wrong; an assistant's advice ("use the portal instead")
# is no correction, so an assistant message counts only with one of them.
_STRONG = (r"\bactually\b|\bcorrect(?:ion|ed)\b|\bscra(?:tch|p)\s+that\b|\bnot\s+[^,.;!?]{1,40},\s*but\b|\bi\s+meant\b|\b(?:my|a)\s+(?:mistake|bad)\b|"
           r"\bshould\s+(?:be|have\s+been|read|say)\b[^.;!?]{1,40},\s*not\b|"
           r"\btypo\b|\bi\s+was\s+wrong\b|\bre-?checked\b|\bnot\s+\S+\s+as\s+(?:i|we)\s+(?:said|wrote)\b|"
           r"\bnot\s+what\s+(?:i|we)\s+(?:said|wrote|told\s+you|gave\s+you|had)\b|\bmis(?:read|spoke|typed|heard|remembered|quoted)\b")
_WEAK = (r"^\W*update\b|\bupdated\b|\bchanged?\s+(?:it\s+|that\s+)?to\b|\bmoved?\s+(?:it\s+|that\s+)?(?:up\s+|back\s+|forward\s+)?to\b|"
         r"\binstead\b|\brevis(?:ed|ion)\b|\bnew\s+value\b|\bnow\s+(?:is|it'?s|at|on|in)\b|\b(?:is|are|it'?s|that'?s)\s+now\b|\b(?:make|made)\s+(?:it|that)\b|"
         r"\bno\s+longer\b|\b(?:pushed|bumped|delayed|postponed|rescheduled|brought\s+forward|switched|replaced|amended|raised|lowered|"
         r"increased|reduced)\b|\bre-?(?:r[au]n|done|did|calculated|computed)\b|\(final\)|\bfinal\s+(?:numbers?|figures?|results?|counts?|totals?|tally|run)\b|"
         r"\bofficial\s+(?:numbers?|figures?|results?|counts?|totals?)\b|\bthis\s+one\s+is\s+the\s+(?:official|final|right|correct)\b")
_STRONG_CUE = re.compile(_STRONG, re.IGNORECASE)
_CUE = re.compile(_STRONG + "|" + _WEAK, re.IGNORECASE | re.MULTILINE)
# The cue's own words (stemmed, as features hold them): they say "this corrects", not what it corrects.
CUE_WORDS = frozenset(words("actually correction corrected scratch scrap meant mistake typo wrong rechecked checked said wrote update "
                            "updated change changed move moved instead revised revision new value now make made longer pushed "
                            "bumped delayed postponed rescheduled brought forward switched replaced amended raised lowered "
                            "increased reduced rerun re-run reran re-ran redone recalculated recomputed final official"))
# Earlier units a correction may refer to: a value stated early and corrected a hundred turns on is common
# (a long chat about other things in between); bounded so a huge conversation stays linear.
_WINDOW = 400
# A correction is a short message ("actually, 10:30"); a long one with a cue word is a discussion, whose
# lines the excerpts weigh on their own.
_SHORT = 150
_RELEVANT = 0.4  # a corrected unit at least this relevant (rel_norm) makes the question about the slot
_SAME_NEWEST = 0.4  # the same when the question asks for the newest version (`NEWEST`): it says there are versions
_SAME = 0.6  # Jaccard of two long messages' term sets from which they are versions of one document
_LONG_TERMS = 40  # distinct terms of a message that may be a document version
_OLDER = 0.5  # the older version's share of its relevance
_VERSION_RELEVANT = 0.5  # (rel_norm) a newer version the question is about


def correction_cue(text: str) -> int:
    """2: a strong correction cue ("actually", "correction", "X, not Y"), 1: a weak one ("moved to",
    "instead", "is now"), 0: none."""
    if _STRONG_CUE.search(text):
        return 2
    return 1 if _CUE.search(text) else 0


def _values(f: Any) -> frozenset[str]:
    """The items of a message that are values: they hold a digit (a figure, a time, a code); with a
    strong cue also its names ("her surname is Wolska; Wolski was a typo": a spelling is the value)."""
    return frozenset(x for x in f.items if f.cue == 2 or any(c.isdigit() for c in x))


def corrections(feats: Sequence[Any], units: list[Unit]) -> dict[int, list[int]]:
    """Unit index of each corrector -> the indices of the relevant earlier units it corrects.
    `feats[i]`: message i's features (`scoring.Features`; `cue`: `correction_cue` of a text that
    holds a value)."""
    relevant = [u for u in units if u.rel_norm >= _RELEVANT and not u.pinned and u.role not in ("system", "developer")]
    if not relevant:  # the question is about no earlier message: no slot to correct
        return {}
    lead = [feats[u.messages[-1]] if u.role == "tool" else feats[u.messages[0]] for u in units]
    at = [u.index for u in relevant]
    out: dict[int, list[int]] = {}
    for c in units:
        if c.pinned or c.tokens > _SHORT or not (c.role == "user" or c.role == "assistant" and lead[c.index].cue == 2):
            continue
        fc = lead[c.index]
        if not fc.cue:
            continue
        values = _values(fc)
        if not values:  # a correction states the new value
            continue
        own = fc.terms - CUE_WORDS
        kinds = fc.kinds
        lo = c.index - _WINDOW
        linked = []
        for e in at[bisect_left(at, lo): bisect_left(at, c.index)]:
            fe = lead[e]
            if values <= fe.items:  # says nothing new to it
                continue
            # it names the stale value ("10:30, not 09:15"), or the same slot (two words of it) holding a value of the same kind
            if (not values.isdisjoint(fe.items) or (kinds & fe.kinds and len(own & fe.terms) >= 2)
                    or (fc.cue == 2 and not own.isdisjoint(fe.items))):  # "Wolski was a typo": it names what it corrects
                linked.append(e)
        if not linked and kinds:  # "make that 10:30 instead": the latest earlier value of its kind the question is about
            for e in reversed(at[bisect_left(at, lo): bisect_left(at, c.index)]):
                if lead[e].kinds & kinds and not values <= lead[e].items:
                    linked.append(e)
                    break
        if linked:
            out[c.index] = linked
    return out


def lift_relevance(units: list[Unit], links: dict[int, list[int]]) -> None:
    for c, es in links.items():
        units[c].rel_norm = max(units[c].rel_norm, max(units[e].rel_norm for e in es))


def lift_scores(units: list[Unit], links: dict[int, list[int]]) -> None:
    """After scoring: a corrector scores at least as high as what it corrects."""
    for c, es in links.items():
        units[c].score = max(units[c].score, max(units[e].score for e in es))


# Earlier long messages a document is compared with: every pair was O(documents^2) (2,000 tool
# results: 4.5 s on the loop); a version worth preferring is rarely more than a few documents back.
_VERSION_LOOKBACK = 60


# A question that asks for the newest version ("under the latest draft", "per the most recent version"):
# a query term only the older one has (its paste's intro line, "they came back with...") does not tell
# the two apart, the question already chose the newer.
NEWEST = re.compile(r"\b(?:newest|latest|most\s+recent|current|final|updated|last)\s+(?:\w+\s+){0,2}?(?:version|draft|revision|edition|copy|policy|"
                    r"contract|agreement|spec|sheet|document|one)\b", re.IGNORECASE)


# A question that asks for an earlier one ("in your very first scan", "the original quote", "the previous draft").
EARLIER = re.compile(r"\b(?:first|original|initial|earlier|earliest|previous|prior|older|oldest)\b", re.IGNORECASE)


_VALUE = re.compile(r"\b[A-Za-z]*\d[\w-]*")


def update_values(text: str) -> frozenset[str]:
    """The values (items with a digit, lower-case) on the lines of `text` that say they update one
    ("It is now in room E2-465, and the new dial-in PIN is 7025 135"): a long message with a cue word
    and no new value on its line ("this week instead of next") updates nothing."""
    out: set[str] = set()
    for line in text.split("\n"):
        if _CUE.search(line):
            out.update(x.lower() for x in _VALUE.findall(line) if len(x) >= 2)
    return frozenset(out)


def versions(feats: Sequence[Any], units: list[Unit], hits: Sequence[Any], newest: bool = False, earlier: bool = False,
             texts: Sequence[str] | None = None) -> None:
    """Prefer the later of two versions of one document (see the module doc); `hits[i]`: the
    question's terms in message i. The newer unit's `prior` names both messages, for its excerpt.
    `newest`: the question asks for the newest version (`NEWEST`), so the terms do not tell them apart.
    `earlier`: it asks for an earlier one (`EARLIER`): a message saying it updates is no newest version then.
    `texts[i]`: message i's text (for `update_values`; without it no message counts as an update)."""
    docs = []  # (unit, its document's message index, features): long messages of units that may go
    for u in units:
        if u.pinned:
            continue
        i = u.messages[0] if len(u.messages) == 1 else max(u.messages, key=lambda i: feats[i].length)  # its longest message
        if len(feats[i].terms) >= _LONG_TERMS:
            docs.append((u, i, feats[i]))
    for k in range(len(docs) - 1, 0, -1):
        newer, ni, fn = docs[k]
        if newer.rel_norm < _VERSION_RELEVANT:  # only a version the question is about matters
            continue
        a = len(fn.terms)
        # A newer message that says it updates ("it is now in room E2-465": `update_values`) is the newest version
        # by its own words, as if the question had asked for it (a tool's output reports, it does not update).
        news = (update_values(texts[ni]) if fn.cue and texts is not None and not newest and not earlier and newer.role != "tool"
                else frozenset())
        latest = newest or bool(news)
        near = docs[max(0, k - _VERSION_LOOKBACK):k]
        if latest and k > _VERSION_LOOKBACK:  # an update may answer a thread pasted long before: the relevant ones further back too
            far = [d for d in docs[:k - _VERSION_LOOKBACK] if d[0].rel_norm >= _VERSION_RELEVANT][-_VERSION_LOOKBACK:]
            near = far + near
        for older, oi, fo in reversed(near):  # the closest earlier version, among the last few
            b = len(fo.terms)
            update = newest or not news <= fo.items  # it updates this one: a value on its update line that this one lacks
            if min(a, b) < _SAME * max(a, b) or not (update or hits[oi] <= hits[ni]):  # too different in size, or told apart
                continue
            common = len(fn.terms & fo.terms)
            if common >= (_SAME_NEWEST if update else _SAME) * (a + b - common):
                top = max(newer.rel_norm, older.rel_norm)
                newer.rel_norm = top
                older.rel_norm = min(older.rel_norm, _OLDER * top)
                # the older one's items are "referenced later" mostly by the newer version itself
                newer.reference = max(newer.reference, older.reference)
                older.reference *= _OLDER
                newer.prior = (ni, oi)
                break
