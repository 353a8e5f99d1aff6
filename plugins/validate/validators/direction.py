"""Direction of a change: does the answer's direction word agree with the numbers it compares?

"Visitors rose by 2,300 to 38,900" when the data has 41,200 before; "up 4.8 points, from 81.3 %
to 76.5 %"; "1,480 MWh ahead of budget (15,320 vs 16,800 MWh)": every number is the data's, the
direction is not. A sentence is read once (memoised per request): its first direction word
(rose / fell / up / down / gained / slipped / ahead of / below / improved ...) and the pair of
numbers the change is between, in the answer's own words ("from X to Y", "to Y ... (from X)",
"Y vs X") or, for "<word> by D to Y", the one of Y - D and Y + D the data states. "Improved" /
"worsened" read the metric: lower is better for a cost, a defect rate, a delay.

A contradiction is reported on the number the direction word goes with, its text widened to the
word ("rose by 2,300"): sure when the answer states both ends itself, uncertain when the other end
comes from the data.
"""
from __future__ import annotations

import bisect
import re
from typing import Any

from .vocabulary import DIRECTION_DOWN, DIRECTION_UP

_GOOD = ("improved", "improves", "improving", "improvement", "better")
_BAD = ("worsened", "worsens", "worsening", "worse", "deteriorated", "deteriorating")
_WORDS = {w: "up" for w in DIRECTION_UP} | {w: "down" for w in DIRECTION_DOWN} | {w: "good" for w in _GOOD} | {w: "bad" for w in _BAD}


def _trie(words: Any) -> str:
    """An alternation of lower-case words as a trie ("ris(?:e(?:s)?|ing)"): the regex engine reads
    a word's letters once instead of trying each of ~150 alternatives at every word start. It
    matches what the plain alternation sorted longest first matches: the words that fit at one
    place lie on one path of the trie (two words differ in a letter or one is a prefix of the
    other), and the longer way is tried first."""
    root: dict[str, Any] = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def alt(node: dict[str, Any]) -> str:
        parts = [re.escape(ch) + alt(child) for ch, child in node.items() if ch]
        if not parts:
            return ""
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        if "" in node:
            return (body + "?") if len(parts) == 1 and len(parts[0]) == 1 else ("(?:" + body + ")?")
        return body
    return alt(root)


def _heads(words: Any) -> str:
    """(?=[...]): the first letters of the words, a quick test before the trie."""
    return "(?=[" + "".join(sorted({re.escape(w[0]) for w in words})) + "])"


_DIR = re.compile(r"(?<![A-Za-z-])" + _heads(_WORDS) + "(?:" + _trie(sorted(_WORDS)) + r")(?![A-Za-z-])", re.IGNORECASE)
# metrics where lower is better: "defect density improved" is a fall
_LOWER_BETTER = re.compile(r"(?<![A-Za-z])(?:defects?|errors?|costs?|expenses?|churn|latency|delays?|waits?|waiting|downtime|"
                           r"complaints?|incidents?|failures?|scrap|rejects?|absences?|absenteeism|debt|losses|lateness|"
                           r"backlog|turnaround|response time|wait time|mortality|infections?|readmissions?|vacancy|"
                           r"ldl|cholesterol|triglycerides?|hba1c|a1c|blood pressure|systolic|diastolic)(?![A-Za-z])",
                           re.IGNORECASE)
_NUM = re.compile(r"(?<![A-Za-z0-9.,:/#-])(?P<cur>[$€£¥])?(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                  r"(?P<sc>[kKMB](?![A-Za-z]))?(?![\d:/-]|[A-Za-z]{0,1}\d)")
_FIRST = frozenset(w.split()[-1] for w in _WORDS) | {"short"}  # (a prefilter: "went up" has "up")
# A whole letter run that is one of _FIRST, found by the regex engine instead of a Python loop over
# every word of the answer (a third less time). ASCII: IGNORECASE alone would also match "\u212a"
# (Kelvin) for "k", which no [A-Za-z] run holds.
_FIRST_RUN = re.compile(r"(?<![A-Za-z])" + _heads(_FIRST) + "(?:" + _trie(sorted(_FIRST)) + r")(?![A-Za-z])", re.IGNORECASE | re.ASCII)
_SCALE = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9}
_BREAK = re.compile(r";|\b(?:while|whereas|but|although|though|however|meanwhile)\b", re.IGNORECASE)
_VS = re.compile(r"\s*(?:%|[A-Za-z/²³]+\.?)?\s*(?:\(|,)?\s*(?:vs\.?|versus|against|compared (?:with|to))\s+(?:the\s+|a\s+|an\s+)?"
                 r"(?:[A-Za-z]+\s+){0,2}?$", re.IGNORECASE)
# "from X", "from the X", "from yesterday's X", "from last week's X"
_FROM = re.compile(r"\bfrom\s+(?:(?:the|a|an|last|this|its|their|yesterday's|[A-Za-z]+'s)\s+){0,2}$", re.IGNORECASE)
_TO = re.compile(r"(?:\bto|→|->)\s*$", re.IGNORECASE)
_AHEAD = frozenset(("ahead", "above", "behind", "below", "short of", "higher", "lower", "exceeded", "exceeds", "exceeding"))


def _nums(text: str, s0: int, s1: int) -> list[tuple[int, int, float, int]]:
    out = []
    for m in _NUM.finditer(text, s0, s1):
        n = m.group("n")
        v = float(n.replace(",", ""))
        if m.group("sc"):
            v *= _SCALE[m.group("sc")]
        dec = len(n.split(".")[1]) if "." in n else 0
        out.append((m.start(), m.end(), v, dec))
    return out


def _stated(vals: list[float], v: float, dec: int) -> bool:
    t = 0.5 * 10 ** -dec + abs(v) * 1e-9
    i = bisect.bisect_left(vals, v - t)
    return i < len(vals) and vals[i] <= v + t


def sentence_verdict(text: str, s0: int, s1: int, vals: list[float]) -> tuple[int, int, int, bool] | None:
    """(number start, span start, span end, sure) of the number a wrong direction word goes with, or None."""
    hits = list(_DIR.finditer(text, s0, s1))
    if not hits:
        return None
    m = hits[0]
    word = m.group(0).lower()
    kind = _WORDS.get(word)
    if word == "up" and text[m.end():m.end() + 4].lower() == " to " and "from" not in text[s0:s1].lower():
        return None  # "up to 30 days": a limit
    # the clause the word is in
    c0 = s0
    c1 = s1
    for b in _BREAK.finditer(text, s0, s1):
        if b.end() <= m.start():
            c0 = b.end()
        elif b.start() >= m.end():
            c1 = b.start()
            break
    if len({_WORDS.get(h.group(0).lower()) for h in hits if c0 <= h.start() < c1}) > 1:
        return None  # "rose ... then fell": no one direction
    nums = _nums(text, c0, c1)
    if len(nums) < 2:
        return None
    old = new = None
    sure = True
    # "from X to Y" / "X → Y"
    for i in range(len(nums) - 1):
        a, b = nums[i], nums[i + 1]
        between = text[a[1]:b[0]]
        if _TO.search(between.rstrip()) and (_FROM.search(text[c0:a[0]]) or "→" in between or "->" in between):
            if len(between) <= 24:
                old, new = a, b
                break
    if old is None:
        # "to Y ... (from X)" / "from X ... to Y" apart
        to_n = fr_n = None
        for n in nums:
            pre = text[max(c0, n[0] - 30):n[0]]
            if to_n is None and re.search(r"\bto\s+(?:the\s+)?$", pre, re.IGNORECASE):
                to_n = n
            if fr_n is None and _FROM.search(pre):
                fr_n = n
        if to_n is not None and fr_n is not None and to_n is not fr_n:
            old, new = fr_n, to_n
    if old is None:
        # "Y vs X": the first is the one the sentence is about, the second the reference
        for i in range(len(nums) - 1):
            a, b = nums[i], nums[i + 1]
            if _VS.search(text[a[1]:b[0]]) and b[0] - a[1] <= 30:
                new, old = a, b
                break
    change = None
    if old is None:
        # "<word> by D to Y", "gained D ... now Y", "up D from X": the other end is Y - D or Y + D (X - D
        # or X + D), whichever the sentence or the data states
        after = [n for n in nums if n[0] >= m.end() and n[0] - m.end() <= 12]
        if not after:
            return None
        d = after[0]
        fr = [n for n in nums if n is not d and _FROM.search(text[max(c0, n[0] - 30):n[0]])]
        rest = [n for n in nums if n is not d and n[0] > d[0]]
        if fr:
            anchor, anchor_is_old = fr[0], True
        elif rest:
            to = [n for n in rest if re.search(r"\b(?:to|now|at)\s+(?:the\s+)?(?:[A-Za-z]+\s+)?$", text[max(c0, n[0] - 16):n[0]], re.IGNORECASE)]
            anchor, anchor_is_old = (to or rest)[0], False
        else:
            return None
        dec = max(d[3], anchor[3])
        own = sorted(n[2] for n in nums if n is not d and n is not anchor)
        lo_v, hi_v = anchor[2] - d[2], anchor[2] + d[2]
        lo = _stated(own, lo_v, dec) or _stated(vals, lo_v, dec)
        hi = _stated(own, hi_v, dec) or _stated(vals, hi_v, dec)
        if lo == hi:
            return None
        change = d
        other = (0, 0, lo_v if lo else hi_v, dec)
        old, new = (anchor, other) if anchor_is_old else (other, anchor)
        sure = False
    if old[2] == new[2]:
        return None
    actual = "up" if new[2] > old[2] else "down"
    if kind in ("good", "bad"):
        lower_better = _LOWER_BETTER.search(text, c0, c1) is not None
        up_is_good = not lower_better
        stated = "up" if (kind == "good") == up_is_good else "down"
    else:
        stated = kind
    if stated == actual:
        return None
    # the number the word goes with: right after it (the change, or the first end), else right before it
    target = change
    if target is None:
        after = [n for n in nums if n[0] >= m.end()]
        before = [n for n in nums if n[1] <= m.start()]
        if word in _AHEAD and before and m.start() - before[-1][1] <= 16:
            target = before[-1]
        elif after:
            target = after[0]
        elif before:
            target = before[-1]
        else:
            return None
    end = m.end()
    tail = re.match(r"\s+(?:of|than)\b", text[end:end + 6])
    if tail:
        end += tail.end()
    return target[0], min(m.start(), target[0]), max(end, target[1]), sure


def positions(text: str) -> list[int]:
    """Where the answer has a direction word (claims far from every one skip the sentence check)."""
    return [m.start() for m in _FIRST_RUN.finditer(text)]


def verdict(idx: Any, text: str, s0: int, s1: int) -> tuple[int, int, int, bool] | None:
    key = ("dir", s0, text[s0:s1])
    memo = idx.memo
    if key in memo:
        return memo[key]
    r = memo[key] = sentence_verdict(text, s0, s1, idx.vals)
    return r
