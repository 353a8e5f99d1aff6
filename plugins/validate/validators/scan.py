"""The tokenizer shared by claim and fact extraction: numbers, money, dates, times, ids.

`scan(text)` finds every token left to right without overlaps (a URL, a date, a time, an
identifier, a number with its currency / multiplier / percent / ordinal, number words);
the helpers read a token's value(s) ("1,234" may be US 1234 or European 1.234), dates,
multipliers and hedges. Pure Python, precompiled regexes, first-character skipping.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# --------------------------------------------------------------------------------------
# Lexicon

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
# The month names as prose writes them ("Feb", "September"); `_MONTH_RE` adds the upper- and lower-case spellings.
MONTH_NAMES = r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
_MONTH_RE = r"(?:" + MONTH_NAMES + r"|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|january|february|march|april|june|july|august|september|october|november|december)\.?"
_ORD = r"(?:st|nd|rd|th)?"

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1_000_000_000_000}
_WORD_ALT = "|".join(sorted([*_UNITS, *_TENS, *_SCALES], key=len, reverse=True))
_WORDS_RE = rf"(?:{_WORD_ALT})(?:(?:[\s-]+(?:and[\s-]+)?)(?:{_WORD_ALT}))*"

_CUR_SYM = r"(?:US\$|A\$|C\$|NZ\$|HK\$|S\$|R\$|\$|€|£|¥|₹|₩|₽|₺|₪|฿|₫|₱|₴|zł|kr)"
_CUR_CODE = r"(?:USD|EUR|GBP|JPY|CAD|AUD|CHF|INR|CNY|RMB|SEK|NOK|DKK|PLN|BRL|MXN|ZAR|NZD|SGD|HKD|KRW|TRY|ILS|CZK|HUF|RUB)"
_CUR_WORD = r"(?:dollars?|euros?|pounds?|yen|rupees?|francs?|cents?|bucks)"

# Number core: US thousands, EU thousands, plain with one decimal separator, leading dot.
_NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3})+,\d+|\d{1,3}(?:[\u00a0\u202f\u2009 ]\d{3})+(?=\D|$)(?:[.,]\d+)?|\d+(?:[.,]\d+)?|\.\d+)"

_DATE_ISO = r"(?P<iso>\b(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)(?![\d-])"
_DATE_SLASH = r"(?P<slash>\b(?P<sa>\d{1,2})(?P<ssep>[/.])(?P<sb>\d{1,2})(?P=ssep)(?P<sy>\d{4}|\d{2})\b)(?![.,]?\d)"
_DATE_MDY = rf"(?P<mdy>\b(?P<mm>{_MONTH_RE})\s+(?P<md>\d{{1,2}}){_ORD}\b(?![.,]\d{{3}}(?!\d)|\.\d)(?:,?\s+(?P<my>\d{{4}})\b)?)"
_DATE_DMY = rf"(?P<dmy>\b(?P<dd>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<dm>{_MONTH_RE})(?:,?\s+(?P<dy>\d{{4}})\b)?)"
_DATE_MY = rf"(?P<my2>\b(?P<m2>{_MONTH_RE})\s+(?P<y2>\d{{4}})\b)"
_TIME = r"(?P<time>\b\d{1,2}:\d{2}(?::\d{2})?\b(?:\s?[AaPp]\.?[Mm]\.?)?)"
_NUM_TAIL = (
    rf"(?P<neg>-|−)?(?<![\w.,])(?P<n>{_NUM})"
    r"(?:(?P<mult>\s?(?:thousand|million|billion|trillion|bn|mn)\b|[kKMB]\b|m\b)|(?P<ord>st|nd|rd|th)\b)?"
    rf"(?P<pct>\s?%|\s?percent\b|\s?per\s?cent\b|\s?pct\b|\s?percentage points?\b)?(?P<post>\s?{_CUR_CODE}\b|\s?{_CUR_WORD}\b)?)"
)
# Tokens that start with a digit or a symbol: the engine skips other characters in C.
_DIGIT_TOKEN = re.compile(
    "|".join([
        _DATE_ISO, _DATE_SLASH, _DATE_DMY, _TIME,
        r"(?P<ident>(?<![\w$€£¥])(?:#\d[\d-]*+|\d{2,}+(?:-\d{2,}+){2,}|\d++[A-Za-z]++\d[\w-]*+))",
        rf"(?P<num>(?P<pre>{_CUR_SYM}\s?)?" + _NUM_TAIL,
    ])
)
# Tokens that start with letters ("March 15", "ACC-1234", "USD 47.15", links): tried only at
# the start of the chunk holding a digit and of the chunk before it.
_LETTER_TOKEN = re.compile(
    "|".join([
        r"(?P<url>https?://[^\s)>\]]+|www\.[^\s)>\]]+)",
        _DATE_MDY, _DATE_MY,
        rf"(?P<num>(?P<pre>{_CUR_CODE}\s?|(?:US|A|C|NZ|HK|S|R)\$\s?)" + _NUM_TAIL,
        r"(?P<ident>[A-Za-z]++[-_]?\d(?:[\w-]{0,40}\d)?)",
    ])
)
# Where digit-led tokens can start: a first-character set lets the engine skip in C.
_DIGIT_FIND = re.compile(r"[0-9]+")  # ASCII class: about 3x faster than \d on str
_SYMBOLS = frozenset("#$€£¥₹₩₽₺₪฿₫₱₴−.-")
_CUR_SYMBOLS = frozenset("$€£¥₹₩₽₺₪฿₫₱₴")
_LETTER_HEADS = frozenset([*_MONTHS, "sept", "http", "https", "www", "us", "a", "c", "nz", "hk", "s", "r",
                           *(c.lower() for c in _CUR_CODE.strip("(?:)").split("|"))])
_WS = " \t\n\r\u00a0"
_OPENERS = "([{\"'*_<"
_DATE_KINDS = frozenset(("iso", "slash", "mdy", "dmy", "my2"))
_NONDIGIT = re.compile(r"\D")
_DIGITS = re.compile(r"\d+")
_WORD_LIST = sorted([*_UNITS, *_TENS, *_SCALES], key=len, reverse=True)
_WORD_ALT_NB = "|".join(_WORD_LIST)
# No leading \b (it would disable first-character skipping); boundaries are checked in Python.
_WORDS_FAST = re.compile(rf"(?:{_WORD_ALT_NB})(?:[ \t-]+(?:and[ \t-]+)?(?:{_WORD_ALT_NB}))*")
_WORD_SET = frozenset(_WORD_LIST)
_SPLIT = re.compile(r"[^a-z]+")
# Everything but a-z becomes a space (C-speed word split for the number-word precheck, on bytes).
_NON_LETTERS_B = bytes(b if 97 <= b <= 122 else 32 for b in range(256))
_WORD_SET_B = frozenset(w.encode() for w in _WORD_LIST)


class _WordMatch:
    """The little of re.Match the extractors use, for number words found on lowercased text."""

    __slots__ = ("_s", "_e", "_t", "lastgroup")

    def __init__(self, s: int, e: int, t: str) -> None:
        self._s, self._e, self._t, self.lastgroup = s, e, t, "words"

    def start(self) -> int:
        return self._s

    def end(self) -> int:
        return self._e

    def group(self, name: Any = 0) -> str | None:
        return self._t if name in (0, "words") else None


_URL_RE = re.compile(r"https?://[^\s)>\]]+|www\.[^\s)>\]]+", re.IGNORECASE)


class _Span:
    """A URL span (its numbers are not claims)."""

    __slots__ = ("_s", "_e", "lastgroup")

    def __init__(self, s: int, e: int) -> None:
        self._s, self._e, self.lastgroup = s, e, "url"

    def start(self) -> int:
        return self._s

    def end(self) -> int:
        return self._e

    def group(self, name: Any = 0) -> None:
        return None


def scan(text: str) -> list[Any]:
    """All tokens, left to right, without overlaps."""
    found: list[Any] = []
    urls: list[Any] = []
    if "://" in text or "www." in text:
        urls = [_Span(m.start(), m.end()) for m in _URL_RE.finditer(text)]
    ui = 0
    pos = 0
    letter_match = _LETTER_TOKEN.match
    digit_match = _DIGIT_TOKEN.match
    for m in _DIGIT_FIND.finditer(text):
        d = m.start()  # the first digit
        if d < pos:
            continue
        p = d - 1 if d > pos and text[d - 1] in _SYMBOLS else d  # a leading symbol ($, #, -, .) belongs to the token
        if p != d and text[d - 1] in "-–" and d >= 2 and (text[d - 2].isdigit() or text[d - 2] == "%"):
            p = d  # "18:00-19:00", "112-95": a dash between two numbers joins them, it is no minus sign
        if urls:
            while ui < len(urls) and urls[ui].end() <= d:
                ui += 1
            if ui < len(urls) and urls[ui].start() <= d:
                u = urls[ui]
                if u.start() >= pos:
                    found.append(u)
                pos = u.end()
                continue
        token = None
        c = text[d - 1] if d else ""
        if c.isalpha() or (c in "-_" and d > 1 and text[d - 2].isalpha()):
            # an identifier that starts with letters (ACC-1234, ORD12345)
            s0 = d - 1 if c.isalpha() else d - 2
            while s0 > pos and text[s0 - 1].isalpha():
                s0 -= 1
            if s0 >= pos:
                token = letter_match(text, s0)
                if token is not None and token.end() <= d:
                    token = None
        elif p >= 2:
            # the word before ("March 15", "USD 47.15", "Sept. 3"): only a few words can start a token
            k = p - 1
            while k > pos and k >= p - 3 and text[k] in " \t.$\u00a0":
                k -= 1
            if k != p - 1 and text[k].isalpha():
                ws = max(text.rfind(" ", max(pos, k - 10), k), text.rfind("\n", max(pos, k - 10), k)) + 1
                while ws < k and text[ws] in _OPENERS:  # "(EUR 8,741.00"
                    ws += 1
                if text[ws:k + 1].lower() in _LETTER_HEADS and (ws == 0 or not text[ws - 1].isalpha()):
                    token = letter_match(text, ws)
                    if token is not None and token.end() <= d:
                        token = None
        if token is None:
            if p == d and p >= 2 and text[p - 1] in " \u00a0" and text[p - 2] in _CUR_SYMBOLS and p - 2 >= pos:
                token = digit_match(text, p - 2)  # "$ 12.00"
            if token is None:
                token = digit_match(text, p)
            if token is None and p != d:
                token = digit_match(text, d)
        if token is None:
            k = d + 1
            while k < len(text) and text[k].isdigit():
                k += 1
            pos = k
            continue
        found.append(token)
        pos = max(token.end(), d + 1)
    lower = text.lower()
    if len(lower) == len(text) and not _WORD_SET_B.isdisjoint(lower.encode("ascii", "ignore").translate(_NON_LETTERS_B).split()):
        words = []
        for m in _WORDS_FAST.finditer(lower):
            s0, e0 = m.start(), m.end()
            if (s0 and lower[s0 - 1].isalpha()) or (e0 < len(lower) and lower[e0].isalpha()):
                continue
            words.extend(_word_runs(text, s0, e0))
        if words:
            found.extend(words)
            found.sort(key=lambda x: x.start())
            out: list[Any] = []
            end = -1
            for t in found:
                if t.start() >= end:
                    out.append(t)
                    end = t.end()
            return out
    return found


_WORD_TOK = re.compile(r"[a-z]+", re.IGNORECASE)


def _word_runs(text: str, s0: int, e0: int) -> list[_WordMatch]:
    """One match per number: "three four-hour blocks" is 3 and 4 (a unit word after a unit word,
    or a tens word after a tens or unit word, starts a new number), "twenty-four" is 24."""
    out: list[_WordMatch] = []
    start = s0
    prev = None
    last_end = s0
    for m in _WORD_TOK.finditer(text, s0, e0):
        w = m.group(0).lower()
        if w == "and":
            continue
        if prev is not None and ((prev in _UNITS and (w in _UNITS or w in _TENS)) or
                                 (prev in _TENS and (w in _TENS or _UNITS.get(w, 0) >= 10))):
            out.append(_WordMatch(start, last_end, text[start:last_end]))
            start = m.start()
        prev = w
        last_end = m.end()
    out.append(_WordMatch(start, e0, text[start:e0]))
    return out


def _g(m: Any, name: str) -> Any:
    try:
        return m.group(name)
    except IndexError:
        return None


_HEDGE_WORDS = ("about", "approximately", "approx", "approx.", "around", "roughly", "nearly", "almost", "some", "~", "≈",
                 "over", "under", "more than", "less than", "close to", "up to", "at least", "at most", "circa", "ca.", "estimated")


def _hedged(text: str, start: int) -> bool:
    before = text[max(0, start - 24):start].rstrip(" $€£\u00a0").lower()
    return before.endswith(_HEDGE_WORDS)


_PLURAL_AFTER = re.compile(r"\s+(?:[A-Za-z][a-z-]+\s+)?([A-Za-z]+s)\b")
_LIST_MARKER_AFTER = re.compile(r"[.)]\s")


# --------------------------------------------------------------------------------------
# Parsing helpers

def _parse_words(text: str) -> tuple[int, int] | None:
    """"forty-seven" -> (47, number of words). Returns None for malformed sequences."""
    total = cur = 0
    n = 0
    for w in re.split(r"[\s-]+", text.lower()):
        if not w or w == "and":
            continue
        n += 1
        if w in _UNITS:
            cur += _UNITS[w]
        elif w in _TENS:
            cur += _TENS[w]
        elif w == "hundred":
            cur = (cur or 1) * 100
        elif w in _SCALES:
            total += (cur or 1) * _SCALES[w]
            cur = 0
        else:
            return None
    return total + cur, n


@lru_cache(maxsize=8192)
def _interpretations(s: str) -> tuple[tuple[float, int], ...]:
    return tuple(_interpret(s))


def _interpret(s: str) -> list[tuple[float, int]]:
    """A number's possible values with their decimals count: '1,234' -> US 1234 or EU 1.234."""
    s = s.replace("\u00a0", "").replace("\u202f", "").replace("\u2009", "").replace(" ", "")
    if s.startswith("."):
        return [(float(s), len(s) - 1)]
    has_c, has_d = "," in s, "." in s
    if has_c and has_d:
        if s.rfind(",") > s.rfind("."):  # 1.234,56 (EU)
            intpart, _, dec = s.rpartition(",")
            return [(float(intpart.replace(".", "") + "." + dec), len(dec))]
        intpart, _, dec = s.rpartition(".")  # 1,234.56 (US)
        return [(float(intpart.replace(",", "") + "." + dec), len(dec))]
    if has_c:
        parts = s.split(",")
        if len(parts) > 2:  # 1,234,567
            return [(float(s.replace(",", "")), 0)]
        tail = parts[1]
        if len(tail) == 3:  # 1,234: US thousands or EU decimal
            return [(float(parts[0] + tail), 0), (float(parts[0] + "." + tail), 3)]
        return [(float(parts[0] + "." + tail), len(tail))]  # 47,15 (EU decimal)
    if has_d:
        parts = s.split(".")
        if len(parts) > 2:  # 1.234.567 (EU thousands)
            return [(float(s.replace(".", "")), 0)]
        tail = parts[1]
        if len(tail) == 3 and parts[0] != "0":  # 1.234: decimal or EU thousands
            return [(float(s), 3), (float(parts[0] + tail), 0)]
        return [(float(s), len(tail))]
    return [(float(s), 0)]


_MULT = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9, "trillion": 1e12}


def _month(name: str) -> int:
    return _MONTHS.get(name.lower().rstrip("."), 0)


def _year(y: str | None) -> int | None:
    if not y:
        return None
    v = int(y)
    return v + 2000 if len(y) == 2 and v < 70 else v + 1900 if len(y) == 2 else v


_NON_ALNUM = re.compile(r"[^0-9a-z]")


def _norm_ident(s: str) -> str:
    return _NON_ALNUM.sub("", s.lower())


# --------------------------------------------------------------------------------------


def _dates_of(m: re.Match[str]) -> list[tuple[int | None, int, int | None]]:
    g = m.group
    k = m.lastgroup
    if k == "iso":
        y, mo, d = int(g("iy")), int(g("im")), int(g("id"))
        return [(y, mo, d)] if 1 <= mo <= 12 and 1 <= d <= 31 else []
    if k == "slash":
        a, b, y = int(g("sa")), int(g("sb")), _year(g("sy"))
        out = []
        if 1 <= a <= 12 and 1 <= b <= 31:
            out.append((y, a, b))  # US: m/d/y
        if 1 <= b <= 12 and 1 <= a <= 31 and a != b:
            out.append((y, b, a))  # EU: d/m/y
        return out
    if k == "mdy":
        mo, d = _month(g("mm")), int(g("md"))
        return [(_year(g("my")), mo, d)] if mo and 1 <= d <= 31 else []
    if k == "dmy":
        mo, d = _month(g("dm")), int(g("dd"))
        return [(_year(g("dy")), mo, d)] if mo and 1 <= d <= 31 else []
    if k == "my2":
        mo = _month(g("m2"))
        return [(int(g("y2")), mo, None)] if mo else []
    return []
