"""Numeric grounding: every number the answer states must come from the conversation.

Claims are extracted from the answer (money, percentages, counts, dates, identifiers,
number words) and looked up in an index of the conversation's own data: system and
developer messages, user messages, tool and function results (optionally earlier assistant
turns). Matching goes through format variants ($47.15 / 47.15 USD / USD 47.15, 1,234 vs
1234, 47,15 European notation, 4.7k, "forty-seven", common date formats) with a tolerance
given by the claim's own precision ("47.2" matches 47.15, "47.51" does not), plus simple
derivations from grounded numbers: sums and differences, percentages, ratios and percent
changes of two nearby numbers, a percentage of an amount, quantity x price, and the total,
average and count of a column in a JSON tool result.

Not claims: list markers ("1. "), years alone (1900-2099) in running text, ordinals, small
integers (<= 10) not followed by a plural noun, numbers inside URLs and short codes with
fewer than three digits ("GPT-4", "Q3"). Numbers the user wrote are grounded by definition.

Confidence is the share of claims grounded. Everything is pure Python with precompiled
regexes; the conversation index is built once per request (Subject.cache).
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Iterable

import orjson
from pydantic import BaseModel, ConfigDict, Field

from .base import Subject, ValidationResult
from .segments import sentence_end

# --------------------------------------------------------------------------------------
# Configuration

class NumbersConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Extra absolute / relative tolerance on top of the claim's own precision.
    abs_tolerance: float = Field(0.0, ge=0)
    rel_tolerance: float = Field(0.0, ge=0, le=0.5)
    # Hedged claims ("about 1,200", "roughly 12%") may be off by one unit of their last
    # significant digit instead of half of one.
    hedge_words: bool = True
    # Derivations from grounded numbers.
    derivations: bool = True
    # Ratio-type derivations only combine numbers this close in the same message.
    pair_window: int = Field(8, ge=1, le=64)
    # For counts, a sum's smaller operand must be at least this share of the result (stops
    # "4,713 = 4,712 + 1"); amounts (decimals or a currency) only need to be at least 0.50.
    min_operand_share: float = Field(0.02, ge=0, le=0.5)
    # Roles whose messages count as grounding data.
    roles: list[str] = ["system", "developer", "user", "tool", "function"]
    # Arguments of earlier assistant tool calls count as data (they echo ids the user gave).
    include_tool_call_arguments: bool = True
    # Small integers (<= this) count as claims only before a plural noun ("3 transactions").
    small_integer: int = Field(10, ge=-1)
    ignore_years: bool = True
    # Share of claims that must be grounded (1.0: every one).
    min_grounded_share: float = Field(1.0, ge=0, le=1)
    # Cap on claims reported per answer.
    max_reported: int = Field(10, ge=1)


# --------------------------------------------------------------------------------------
# Lexicon

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MONTH_RE = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|january|february|march|april|june|july|august|september|october|november|december)\.?"
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
_DATE_MDY = rf"(?P<mdy>\b(?P<mm>{_MONTH_RE})\s+(?P<md>\d{{1,2}}){_ORD}\b(?:,?\s+(?P<my>\d{{4}})\b)?)"
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


def _scan(text: str) -> list[Any]:
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
            words.append(_WordMatch(s0, e0, text[s0:e0]))
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
# Claims

@dataclass(slots=True)
class Claim:
    text: str
    kind: str  # money | percent | number | date | ident | time
    start: int
    values: list[tuple[float, float]] = field(default_factory=list)  # (value, tolerance)
    dates: list[tuple[int | None, int, int | None]] = field(default_factory=list)  # (y, m, d)
    idents: list[str] = field(default_factory=list)
    money_like: bool = False  # has a currency marker or decimals: derive from amounts, not counts
    end: int = 0


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


_NUM_GROUPS = ("n", "pre", "post", "pct", "mult", "ord")


def _num_values(m: Any, hedged: bool, cfg: NumbersConfig, parts: tuple[Any, ...] | None = None) -> tuple[str, list[tuple[float, float]], bool]:
    n, pre, post, pct_s, mult_s, _ord = parts or m.group(*_NUM_GROUPS)
    money = bool(pre or post)
    mult = 1.0
    if mult_s:
        mult_s = mult_s.strip()
        if mult_s in ("m", "b") and not money:
            mult = 1.0  # "5m" without currency: minutes / metres, not millions
        else:
            mult = _MULT.get(mult_s.lower(), 1.0)
    pct = bool(pct_s)
    if post and post.strip().lower().startswith("cent"):
        mult *= 0.01
    out: list[tuple[float, float]] = []
    interp = _interpretations(n)
    abs_tol, rel_tol = cfg.abs_tolerance, cfg.rel_tolerance
    for v, dec in interp:
        unit = 10.0 ** -dec * mult
        value = abs(v * mult)
        if hedged:
            # rounded to its last significant digit ("about 1,200" -> +-50)
            sig = unit
            if dec == 0:
                iv = int(round(v))
                while iv and iv % 10 == 0:
                    iv //= 10
                    sig *= 10
            tol = sig / 2 * 1.000001
        else:
            tol = unit / 2 * 1.000001
        if abs_tol or rel_tol:
            tol = max(tol, abs_tol, rel_tol * value)
        out.append((value, tol))
        if pct:
            out.append((value / 100, tol / 100))
    kind = "percent" if pct else "money" if money else "number"
    money_like = money or bool(interp[0][1]) or mult != 1.0
    return kind, out, money_like


def extract_claims(text: str, cfg: NumbersConfig) -> tuple[list[Claim], int]:
    """The answer's numeric claims, and how many numbers were skipped as non-claims."""
    claims: list[Claim] = []
    skipped = 0
    for m in _scan(text):
        kind = m.lastgroup
        g = m.group
        if kind == "url":
            continue
        start = m.start()
        if kind in _DATE_KINDS:
            dates = _dates_of(m)
            if dates:
                claims.append(Claim(m.group(0), "date", start, dates=dates))
            continue
        if kind == "time":
            t = g("time")
            hh, _, rest = t.partition(":")
            claims.append(Claim(t, "time", start, idents=[f"{int(hh)}:{rest[:2]}"]))
            continue
        if kind == "ident":
            tok = g("ident")
            digits = _NONDIGIT.sub("", tok)
            if len(digits) < 3:
                skipped += 1
                continue
            claims.append(Claim(tok, "ident", start, idents=[_norm_ident(tok), digits]))
            continue
        if kind == "words":
            parsed = _parse_words(g("words"))
            if parsed is None:
                continue
            value, nwords = parsed
            if nwords == 1 and value <= max(cfg.small_integer, 10) and not _PLURAL_AFTER.match(text, m.end()):
                continue
            if nwords == 1 and value <= 1:
                continue  # "one of", "zero"
            claims.append(Claim(g("words"), "number", start, values=[(float(value), 0.5)]))
            continue
        if kind == "num":
            parts = m.group(*_NUM_GROUPS)
            n, pre, post, pct, mult, ordinal = parts
            if ordinal:
                skipped += 1
                continue
            plain = not (pre or post or pct or mult)
            # list marker: line start + "1." / "2)"
            if plain and len(n) <= 3 and n.isdigit() and _LIST_MARKER_AFTER.match(text, m.end()):
                line_start = text.rfind("\n", max(0, start - 12), start) + 1
                if (line_start or start < 12) and not text[line_start:start].strip():
                    skipped += 1
                    continue
            if plain and cfg.ignore_years and n.isdigit() and len(n) == 4 and 1900 <= int(n) <= 2099:
                skipped += 1
                continue
            if plain and n.isdigit() and int(n) <= cfg.small_integer and not _PLURAL_AFTER.match(text, m.end()):
                skipped += 1
                continue
            hedged = cfg.hedge_words and _hedged(text, start)
            kind2, values, money_like = _num_values(m, hedged, cfg, parts)
            idents = [n] if plain and n.isdigit() and len(n) >= 4 else []
            claims.append(Claim(m.group(0).strip(), kind2, start, values=values, idents=idents, money_like=money_like))
    for c in claims:
        if not c.end:
            c.end = c.start + len(c.text)
    return claims, skipped


# --------------------------------------------------------------------------------------
# The conversation index

@dataclass(slots=True)
class SourceIndex:
    """Numbers of the conversation, by class: amounts (decimals or a currency), integers, percentages."""

    money: list[float] = field(default_factory=list)
    ints: list[float] = field(default_factory=list)
    pcts: list[float] = field(default_factory=list)
    derived: list[float] = field(default_factory=list)  # JSON column totals / averages, array lengths
    idents: set[str] = field(default_factory=set)
    dates: set[tuple[int | None, int, int | None]] = field(default_factory=set)
    month_days: set[tuple[int, int]] = field(default_factory=set)
    month_years: set[tuple[int, int]] = field(default_factory=set)
    # per message, in order: (value, class m|i|p) for derivations on nearby pairs
    sequences: list[list[tuple[float, str]]] = field(default_factory=list)
    pair_pct: list[float] | None = None  # lazily: ratios, shares, percent changes of nearby pairs
    pair_money: list[float] | None = None  # lazily: rate x amount, amount x (1 +- rate), qty x price
    direct_money: list[float] = field(default_factory=list)  # what an amount may match directly
    direct_all: list[float] = field(default_factory=list)  # what any other number may match directly
    money_grid: tuple[float, set[int]] | None = None  # lazily: amounts in cents
    int_grid: tuple[float, set[int]] | None = None  # lazily: whole numbers


def _message_texts(body: dict[str, Any], cfg: NumbersConfig) -> Iterable[str]:
    roles = set(cfg.roles)
    msgs = body.get("messages")
    if isinstance(msgs, list):
        for msg in msgs:
            if not isinstance(msg, dict):
                continue
            role = msg.get("role")
            if role in roles:
                c = msg.get("content")
                if isinstance(c, str):
                    yield c
                elif isinstance(c, list):
                    for part in c:
                        if isinstance(part, dict) and isinstance(part.get("text"), str):
                            yield part["text"]
            if cfg.include_tool_call_arguments and role == "assistant":
                for tc in msg.get("tool_calls") or ():
                    fn = tc.get("function") if isinstance(tc, dict) else None
                    if isinstance(fn, dict) and isinstance(fn.get("arguments"), str):
                        yield fn["arguments"]
    prompt = body.get("prompt")  # legacy completions
    if isinstance(prompt, str):
        yield prompt
    elif isinstance(prompt, list):
        for p in prompt:
            if isinstance(p, str):
                yield p


def _json_aggregates(obj: Any, out: list[float], depth: int = 0) -> None:
    """Array lengths, and per key across the items of an array: total and average."""
    if depth > 20:
        return
    if isinstance(obj, dict):
        for v in obj.values():
            if isinstance(v, (dict, list)):
                _json_aggregates(v, out, depth + 1)
    elif isinstance(obj, list):
        out.append(float(len(obj)))
        cols: dict[str, list[float]] = {}
        for item in obj:
            if isinstance(item, dict):
                for k, v in item.items():
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        cols.setdefault(k, []).append(abs(float(v)))
                    elif isinstance(v, (dict, list)):
                        _json_aggregates(v, out, depth + 1)
            elif isinstance(item, list):
                _json_aggregates(item, out, depth + 1)
        for vals in cols.values():
            if len(vals) >= 2:
                total = sum(vals)
                out.append(total)
                out.append(total / len(vals))


@dataclass(slots=True)
class _Piece:
    """What one message contributes to the index (cached by the message text)."""

    money: list[float]
    ints: list[float]
    pcts: list[float]
    derived: list[float]
    idents: set[str]
    dates: set[tuple[int | None, int, int | None]]
    month_years: set[tuple[int, int]]
    seq: list[tuple[float, str]]


class PieceCache:
    """Bounded LRU of per-message pieces: a multi-turn conversation re-indexes only new messages."""

    def __init__(self, max_chars: int = 8_000_000, max_entries: int = 4096, max_text: int = 200_000) -> None:
        self.max_chars, self.max_entries, self.max_text = max_chars, max_entries, max_text
        self._d: OrderedDict[str, _Piece] = OrderedDict()
        self._chars = 0

    def get(self, text: str, cfg: NumbersConfig) -> _Piece:
        p = self._d.get(text)
        if p is not None:
            self._d.move_to_end(text)
            return p
        p = _piece(text, cfg)
        if len(text) <= self.max_text:
            self._d[text] = p
            self._chars += len(text)
            while self._chars > self.max_chars or len(self._d) > self.max_entries:
                k, _ = self._d.popitem(last=False)
                self._chars -= len(k)
        return p

    def clear(self) -> None:
        self._d.clear()
        self._chars = 0


def _piece(text: str, cfg: NumbersConfig) -> _Piece:
    pc = _Piece([], [], [], [], set(), set(), set(), [])
    if text.lstrip()[:1] in ("{", "["):
        try:
            obj = orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
        else:
            # JSON (tool results): walk the values in C-parsed form; only strings with digits are scanned.
            _json_aggregates(obj, pc.derived)
            _walk_json(obj, pc, cfg, 0)
            return pc
    _scan_into(text, pc, cfg)
    return pc


_ISO_FULL = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_IDENT_FULL = re.compile(r"#?[A-Za-z]+[-_]?\d[\w-]*$")
_CODES3 = frozenset(c for c in _CUR_CODE.strip("(?:)").split("|"))


def _walk_json(obj: Any, pc: _Piece, cfg: NumbersConfig, depth: int) -> None:
    if depth > 32:
        return
    if isinstance(obj, dict):
        for v in obj.values():
            _walk_json(v, pc, cfg, depth + 1)
    elif isinstance(obj, list):
        for v in obj:
            _walk_json(v, pc, cfg, depth + 1)
    elif isinstance(obj, bool) or obj is None:
        return
    elif isinstance(obj, int):
        v = float(abs(obj))
        pc.ints.append(v)
        pc.seq.append((v, "i"))
        pc.idents.add(str(abs(obj)))
    elif isinstance(obj, float):
        v = abs(obj)
        pc.money.append(v)
        pc.seq.append((v, "m"))
        if 0 < v < 1:
            pc.pcts.append(v * 100)
    elif isinstance(obj, str):
        if _DIGIT_FIND.search(obj) is None:
            return
        if len(obj) <= 40 and " " not in obj:
            # short single-token strings (dates, ids, times) skip the general scanner
            m = _ISO_FULL.match(obj)
            if m is not None:
                y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
                if 1 <= mo <= 12 and 1 <= d <= 31:
                    pc.dates.add((y, mo, d))
                    pc.month_years.add((y, mo))
                return
            m = _IDENT_FULL.match(obj)
            if m is not None and obj[:3].upper() not in _CODES3:
                pc.idents.add(_norm_ident(obj))
                pc.idents.add(_NONDIGIT.sub("", obj))
                pc.idents.update(_DIGITS.findall(obj))
                return
        _scan_into(obj, pc, cfg)


def _scan_into(text: str, pc: _Piece, cfg: NumbersConfig) -> None:
    money, ints, pcts, seq, idents = pc.money, pc.ints, pc.pcts, pc.seq, pc.idents
    for m in _scan(text):
        kind = m.lastgroup
        g = m.group
        if kind == "url":
            continue
        if kind in _DATE_KINDS:
            for y, mo, d in _dates_of(m):
                if d is None:
                    pc.month_years.add((y or 0, mo))
                else:
                    pc.dates.add((y, mo, d))
                    if y:
                        pc.month_years.add((y, mo))
            continue
        if kind == "time":
            t = g("time")
            hh, _, rest = t.partition(":")
            idents.add(f"{int(hh)}:{rest[:2]}")
            continue
        if kind == "ident":
            tok = g("ident")
            idents.add(_norm_ident(tok))
            idents.add(_NONDIGIT.sub("", tok))
            idents.update(_DIGITS.findall(tok))
            continue
        if kind == "words":
            parsed = _parse_words(g("words"))
            if parsed is not None:
                ints.append(float(parsed[0]))
                seq.append((float(parsed[0]), "i"))
            continue
        if kind == "num":
            n = g("n")
            if n.isdigit():
                idents.add(n)
            _, vals, money_like = _num_values(m, False, cfg)
            if not vals:
                continue
            if g("pct"):
                pcts.extend(v for v, _ in vals)
                seq.append((vals[0][0], "p"))
                continue
            target = money if money_like else ints
            for v, _tol in vals:
                target.append(v)
                if 0 < v < 1:
                    pcts.append(v * 100)  # a rate written as a fraction grounds "12.5%"
            seq.append((vals[0][0], "m" if money_like else "i"))


def build_index(body: dict[str, Any], cfg: NumbersConfig, cache: PieceCache | None = None) -> SourceIndex:
    idx = SourceIndex()
    money: list[float] = []
    ints: list[float] = []
    pcts: list[float] = []
    derived: list[float] = []
    for text in _message_texts(body, cfg):
        pc = cache.get(text, cfg) if cache is not None else _piece(text, cfg)
        money += pc.money
        ints += pc.ints
        pcts += pc.pcts
        derived += pc.derived
        idx.idents |= pc.idents
        idx.dates |= pc.dates
        idx.month_years |= pc.month_years
        if pc.seq:
            idx.sequences.append(pc.seq)
    idx.month_days = {(mo, d) for _, mo, d in idx.dates if d is not None}
    money.sort()
    ints.sort()
    pcts.sort()
    derived.sort()
    idx.money, idx.ints, idx.pcts, idx.derived = money, ints, pcts, derived
    idx.direct_money = sorted(money + ints + derived)
    idx.direct_all = sorted(idx.direct_money + pcts)
    return idx


def _near(sorted_vals: list[float], v: float, tol: float) -> bool:
    i = bisect.bisect_left(sorted_vals, v - tol)
    return i < len(sorted_vals) and sorted_vals[i] <= v + tol


def _pair_pct(idx: SourceIndex, window: int) -> list[float]:
    """Shares, ratios and percent changes of two nearby numbers of the same message (built on demand)."""
    if idx.pair_pct is None:
        out: list[float] = []
        for seq in idx.sequences:
            n = len(seq)
            for i in range(n):
                a, ca = seq[i]
                if ca == "p" or not a:
                    continue
                for j in range(i + 1, min(n, i + window + 1)):
                    b, cb = seq[j]
                    if cb != "p" and b:
                        d = abs(a - b)
                        out += (a / b * 100, b / a * 100, d / b * 100, d / a * 100)
        out.sort()
        idx.pair_pct = out
    return idx.pair_pct


def _pair_money(idx: SourceIndex, window: int) -> list[float]:
    """Rate x amount, amount x (1 +- rate) of nearby numbers, and qty x price of adjacent ones."""
    if idx.pair_money is None:
        out: list[float] = []
        for seq in idx.sequences:
            n = len(seq)
            for i in range(n):
                a, ca = seq[i]
                for j in range(i + 1, min(n, i + window + 1)):
                    b, cb = seq[j]
                    if ca == "p":
                        if cb != "p":
                            out += (a / 100 * b, b * (1 - a / 100), b * (1 + a / 100))
                    elif cb == "p":
                        out += (b / 100 * a, a * (1 - b / 100), a * (1 + b / 100))
                    elif j == i + 1:
                        # quantity x price: adjacent numbers only ("3 x 19.99", {"qty": 3, "price": 19.99});
                        # a far-away "10" times an amount is how an extra zero would sneak in
                        if ca == "i" and cb == "m" and 1 < a <= 1000 and a == int(a):
                            out.append(a * b)
                        elif cb == "i" and ca == "m" and 1 < b <= 1000 and b == int(b):
                            out.append(a * b)
        out.sort()
        idx.pair_money = out
    return idx.pair_money


# Amount operands of a sum/difference must be at least this (a $8.60 fee off $10,507.23 is a real
# difference; adding a stray cent is how near misses would pass).
_MIN_MONEY_OPERAND = 0.5


def _sum_or_difference(vals: list[float], v: float, tol: float, share: float, floor: float = 0.0,
                       grid: tuple[float, set[int]] | None = None) -> bool:
    """v = a + b or v = a - b for a, b in vals, the smaller operand at least `share` of v (and `floor`).

    `grid` = (scale, {round(x * scale)}) turns the inner lookup into a set probe when the claim's
    tolerance is within half a grid step (exact cents, whole numbers).
    """
    lo = max(v * share, floor)
    hi = v - lo + tol
    i = bisect.bisect_left(vals, lo)
    j = bisect.bisect_right(vals, hi)
    k = bisect.bisect_right(vals, v)
    if grid is not None and tol <= 0.5000001 / grid[0]:
        scale, cells = grid
        for a in vals[i:j]:
            if round((v - a) * scale) in cells:
                return True
        for a in vals[k:]:
            b = a - v
            if b >= lo and round(b * scale) in cells:
                return True
        return False
    for a in vals[i:j]:
        if _near(vals, v - a, tol):
            return True
    for a in vals[k:]:
        b = a - v
        if b >= lo and _near(vals, b, tol):
            return True
    return False


# --------------------------------------------------------------------------------------
# The validator

class NumbersValidator:
    """Numeric grounding against the conversation's own data."""

    name = "numbers"
    Config = NumbersConfig

    def __init__(self, config: NumbersConfig | None = None) -> None:
        self.cfg = config or NumbersConfig()
        self.pieces = PieceCache()

    def index(self, subject: Subject) -> SourceIndex:
        idx = subject.cache.get("numbers.index")
        if idx is None:
            idx = subject.cache["numbers.index"] = build_index(subject.body, self.cfg, self.pieces)
        return idx

    def grounded(self, c: Claim, idx: SourceIndex) -> bool:
        if c.kind == "date":
            for y, mo, d in c.dates:
                if d is None:
                    if (y or 0, mo) in idx.month_years:
                        return True
                elif y is None:
                    if (mo, d) in idx.month_days:
                        return True
                elif (y, mo, d) in idx.dates:
                    return True
            return False
        if c.kind in ("ident", "time"):
            return any(i in idx.idents for i in c.idents)
        if any(i in idx.idents for i in c.idents):
            return True
        lst = idx.direct_money if c.kind == "money" else idx.direct_all
        for v, tol in c.values:
            if _near(lst, v, tol):
                return True
        if not self.cfg.derivations:
            return False
        window = self.cfg.pair_window
        share = self.cfg.min_operand_share
        for v, tol in c.values:
            if v == 0:
                continue
            if c.kind == "percent":
                if _near(_pair_pct(idx, window), v, tol):
                    return True
                continue
            if c.money_like:
                if idx.money_grid is None:
                    idx.money_grid = (100.0, {round(x * 100) for x in idx.money})
                if _sum_or_difference(idx.money, v, tol, 0.0, _MIN_MONEY_OPERAND, idx.money_grid) or _near(_pair_money(idx, window), v, tol):
                    return True
            else:
                if idx.int_grid is None:
                    idx.int_grid = (1.0, {round(x) for x in idx.ints})
                if _sum_or_difference(idx.ints, v, tol, share, 0.0, idx.int_grid) or _near(_pair_money(idx, window), v, tol):
                    return True
        return False

    def session(self, subject: Subject) -> "NumbersSession":
        return NumbersSession(self, subject)

    def validate(self, subject: Subject) -> ValidationResult:
        text = subject.answer.content
        if not text:
            return ValidationResult.ok(self.name, claims=0)
        sess = self.session(subject)
        claims: list[Claim] = []
        bad: list[Claim] = []
        pos = 0
        while pos < len(text):
            end = sentence_end(text, pos, True) or len(text)
            for c in sess.claims(text, pos, end):
                claims.append(c)
                if not sess.verify(text, c):
                    bad.append(c)
            pos = end
        if not claims:
            return ValidationResult.ok(self.name, claims=0)
        share = 1.0 - len(bad) / len(claims)
        if not bad or (self.cfg.min_grounded_share < 1.0 and share >= self.cfg.min_grounded_share):
            return ValidationResult(True, share, [], self.name, [], {"claims": len(claims), "ungrounded": len(bad)})
        shown = bad[: self.cfg.max_reported]
        issues = [f"unverified {c.kind} {c.text!r}: not found in the conversation's data" for c in shown]
        return ValidationResult(False, share, issues, self.name, [c.text for c in shown],
                                {"claims": len(claims), "ungrounded": len(bad)}, [c.start for c in bad])


class NumbersSession:
    """One answer being checked claim by claim, in order (the live stream guard's view, and the
    whole-answer check's): claims of a span, and whether each is grounded."""

    __slots__ = ("v", "subject", "_idx")

    def __init__(self, validator: NumbersValidator, subject: Subject) -> None:
        self.v = validator
        self.subject = subject
        self._idx: SourceIndex | None = None

    def claims(self, text: str, start: int, end: int) -> list[Claim]:
        found, _ = extract_claims(text[start:end], self.v.cfg)
        for c in found:
            c.start += start
            c.end += start
        return found

    def verify(self, text: str, claim: Claim) -> bool:
        if self._idx is None:
            self._idx = self.v.index(self.subject)
        return self.v.grounded(claim, self._idx)
