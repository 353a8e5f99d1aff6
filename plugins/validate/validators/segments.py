"""Where a live answer may be cut: sentence ends, and the unsettled tail of the text.

The guard releases text up to a point nothing can still turn into a claim. A tail is
unsettled when a word that may start a claim (a digit, a currency sign or code, a number word,
a month) sits in its last two words (whether "3" is a claim depends on the word after it), or
when its last, unfinished word could still become one ("fort" -> "forty", "ACC" -> "ACC-1234").
Claims are checked when their sentence has ended: a terminator followed by white space, a
line break, or the end of the answer.
"""
from __future__ import annotations

import re

_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million "
    "billion trillion dozen half"
).split()
_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_CODES = (
    "usd eur gbp jpy cad aud chf inr cny rmb sek nok dkk pln brl mxn zar nzd sgd hkd krw try ils czk huf rub"
).split()
_WORDS = frozenset(_NUMBER_WORDS + _MONTHS + _CODES)
_PREFIXES = frozenset(w[:k] for w in _WORDS for k in range(1, len(w) + 1))

_TRIGGER = re.compile(
    r"[0-9$€£¥₹₩₽₺₪฿₫₱₴#%]|(?<![A-Za-z])(?:" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")(?![A-Za-z])",
    re.IGNORECASE,
)
_WORD = re.compile(r"\S+")
_TERMINATOR = re.compile(r"\n|[.!?]+[\"')\]*_]*(?=\s)")


_ABBREVIATIONS = frozenset((
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "wed", "thu",
    "fri", "sat", "sun", "dr", "mr", "mrs", "ms", "st", "ave", "rd", "no", "vs", "approx", "est", "inc", "ltd", "co",
    "e.g", "i.e", "etc", "fig", "ref", "min", "max", "avg", "qty", "pp", "u.s", "dept", "jr", "sr", "mt", "ft",
))


def _abbreviation(text: str, dot: int) -> bool:
    """Is the "." at `dot` the end of an abbreviation ("Sept. 3", "Dr. L. Nguyen") rather than of a sentence?"""
    i = dot
    while i > 0 and (text[i - 1].isalpha() or text[i - 1] == "."):
        i -= 1
    word = text[i:dot].lower()
    if not word:
        return False
    if len(word) == 1 and text[i].isupper():
        return True  # an initial
    return word in _ABBREVIATIONS


def sentence_end(text: str, pos: int, final: bool) -> int | None:
    """The end (exclusive) of the sentence that holds `pos`, or None while it is still open."""
    for m in _TERMINATOR.finditer(text, pos):
        if m.group(0) == "." and _abbreviation(text, m.start()):
            continue
        return m.end()
    if final:
        return len(text)
    return None


def sentences(text: str) -> list[tuple[int, int]]:
    """Every sentence of a complete text as (start, end), in one pass."""
    out = []
    pos = 0
    for m in _TERMINATOR.finditer(text):
        if m.group(0) == "." and _abbreviation(text, m.start()):
            continue
        if m.end() > pos:
            out.append((pos, m.end()))
            pos = m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out


def sentence_start(text: str, pos: int) -> int:
    """Where the sentence holding `pos` begins (after the previous terminator and its spaces)."""
    # The last i <= pos after a line break, or after a terminator followed by white space (not an
    # abbreviation's dot); else 0. Found with rfind instead of a walk back one character at a time
    # (the grounding asks for the sentences of ~60 % of an answer's claims more than once).
    n = len(text)
    if not 0 < pos <= n:
        return _sentence_start_walk(text, pos)  # (what the walk does outside the text: pos itself, or IndexError)
    lo = text.rfind("\n", 0, pos) + 1
    i = lo
    j = pos  # terminators are looked for in text[lo:j]
    while j > lo:
        k = max(text.rfind(".", lo, j), text.rfind("!", lo, j), text.rfind("?", lo, j))
        if k < 0:
            break
        if k + 1 < n and text[k + 1].isspace() and not (text[k] == "." and _abbreviation(text, k)):
            i = k + 1
            break
        j = k
    while i < pos and text[i].isspace():
        i += 1
    return i


def _sentence_start_walk(text: str, pos: int) -> int:
    i = pos
    while i > 0:
        c = text[i - 1]
        if c == "\n" or (c in ".!?" and i < len(text) and text[i].isspace() and not (c == "." and _abbreviation(text, i - 1))):
            break
        i -= 1
    while i < pos and text[i].isspace():
        i += 1
    return i


def has_trigger(text: str, start: int, end: int) -> bool:
    return _TRIGGER.search(text, start, end) is not None


def _risky_partial(word: str) -> bool:
    """An unfinished last word that may still become (the start of) a claim."""
    if not word:
        return False
    if word[-1] in "-_#":
        return True
    if word[-1] in "/:.," and len(word) > 1 and word[-2].isdigit():  # "1," -> "1,234", "14:" -> "14:30"
        return True
    letters = word.strip("([{\"'*_<")
    if letters.lower() in _PREFIXES:
        return True
    return sum(1 for c in letters if c.isupper()) >= 2


def unsettled_from(text: str, pos: int) -> int:
    """The first index (>= pos) of the tail that may still change what is a claim; len(text)
    when all of text[pos:] is settled."""
    n = len(text)
    if pos >= n:
        return n
    lo = max(pos, n - 200)
    words = [m.span() for m in _WORD.finditer(text, lo)]
    if not words:
        return n
    tail = words[-2:]
    cut = n
    for s, e in tail:
        if e > pos and _TRIGGER.search(text, max(s, pos), e) is not None:
            cut = max(pos, s)
            break
    s, e = words[-1]
    if e == n and e > pos and _risky_partial(text[s:e]):
        cut = min(cut, max(pos, s))
    lo = max(pos, cut - 24)
    wd = _WEEKDAY_TAIL.search(text[lo:cut])
    if wd is not None:  # "… on Friday, " and "… on Friday, Janu" may be the head of a date claim ("Friday, January 4")
        cut = max(pos, lo + wd.start())
    return cut


_WEEKDAY_TAIL = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s*(?:the\s*)?(?:\*\*)?$")
