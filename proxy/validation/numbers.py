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
from dataclasses import dataclass, field
from typing import Any, Iterable

import orjson
from pydantic import BaseModel, ConfigDict, Field

from .base import Subject, ValidationResult

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
    # A sum's smaller operand must be at least this share of the result (stops "47.16 = 47.15 + 0.01").
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

_TOKEN = re.compile(
    r"(?P<url>https?://[^\s)>\]]+|www\.[^\s)>\]]+)"
    # dates
    rf"|(?P<iso>\b(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}})(?:[T ]\d{{1,2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?)(?![\d-])"
    r"|(?P<slash>\b(?P<sa>\d{1,2})(?P<ssep>[/.])(?P<sb>\d{1,2})(?P=ssep)(?P<sy>\d{4}|\d{2})\b)(?![.,]?\d)"
    rf"|(?P<mdy>\b(?P<mm>{_MONTH_RE})\s+(?P<md>\d{{1,2}}){_ORD}\b(?:,?\s+(?P<my>\d{{4}})\b)?)"
    rf"|(?P<dmy>\b(?P<dd>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<dm>{_MONTH_RE})(?:,?\s+(?P<dy>\d{{4}})\b)?)"
    rf"|(?P<my2>\b(?P<m2>{_MONTH_RE})\s+(?P<y2>\d{{4}})\b)"
    # times
    r"|(?P<time>\b\d{1,2}:\d{2}(?::\d{2})?\b(?:\s?[AaPp]\.?[Mm]\.?)?)"
    # identifiers: ACC-123456, ORD12345, INV-2024-0042, #88231, 555-123-4567
    r"|(?P<ident>(?<![\w$€£¥])(?:#\d[\d-]*|[A-Za-z][A-Za-z]*[-_]?\d[\w-]*\d|[A-Za-z][A-Za-z]*[-_]?\d|\d{2,}(?:-\d{2,}){2,}|\d+[A-Za-z]+\d[\w-]*))"
    # money / numbers with optional currency, multiplier, percent
    rf"|(?P<num>(?P<pre>{_CUR_SYM}\s?|{_CUR_CODE}\s?)?(?P<neg>-|−)?(?<![\w.,])(?P<n>{_NUM})"
    r"(?:(?P<mult>\s?(?:thousand|million|billion|trillion|bn|mn)\b|[kKMB]\b|m\b(?=.{0,0}))|(?P<ord>st|nd|rd|th)\b)?"
    rf"(?P<pct>\s?%|\s?percent\b|\s?per\s?cent\b|\s?pct\b|\s?percentage points?\b)?(?P<post>\s?{_CUR_CODE}\b|\s?{_CUR_WORD}\b)?)"
    # number words
    rf"|(?P<words>\b(?i:{_WORDS_RE})\b)",
)
_WORDS_I = re.compile(rf"\b{_WORDS_RE}\b", re.IGNORECASE)
_HEDGE = re.compile(
    r"(?:about|approximately|approx\.?|around|roughly|nearly|almost|some|~|≈|over|under|more than|less than|close to|just over|just under|up to|at least|at most|circa|ca\.|estimated|roughly)\s*\$?\s*$",
    re.IGNORECASE,
)
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


def _interpretations(s: str) -> list[tuple[float, int]]:
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


def _norm_ident(s: str) -> str:
    return re.sub(r"[^0-9a-z]", "", s.lower())


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


def _dates_of(m: re.Match[str]) -> list[tuple[int | None, int, int | None]]:
    g = m.group
    if g("iso"):
        y, mo, d = int(g("iy")), int(g("im")), int(g("id"))
        return [(y, mo, d)] if 1 <= mo <= 12 and 1 <= d <= 31 else []
    if g("slash"):
        a, b, y = int(g("sa")), int(g("sb")), _year(g("sy"))
        out = []
        if 1 <= a <= 12 and 1 <= b <= 31:
            out.append((y, a, b))  # US: m/d/y
        if 1 <= b <= 12 and 1 <= a <= 31 and a != b:
            out.append((y, b, a))  # EU: d/m/y
        return out
    if g("mdy"):
        mo, d = _month(g("mm")), int(g("md"))
        return [(_year(g("my")), mo, d)] if mo and 1 <= d <= 31 else []
    if g("dmy"):
        mo, d = _month(g("dm")), int(g("dd"))
        return [(_year(g("dy")), mo, d)] if mo and 1 <= d <= 31 else []
    if g("my2"):
        mo = _month(g("m2"))
        return [(int(g("y2")), mo, None)] if mo else []
    return []


def _num_values(m: re.Match[str], hedged: bool, cfg: NumbersConfig) -> tuple[str, list[tuple[float, float]]]:
    g = m.group
    mult_s = (g("mult") or "").strip()
    pre, post = g("pre"), g("post")
    money = bool(pre or post)
    mult = 1.0
    if mult_s:
        key = mult_s.lower()
        if key == "m" and not money and mult_s == "m":
            mult = 1.0  # "5m" without currency: minutes / metres, not millions
        elif key == "b" and not money and mult_s == "b":
            mult = 1.0
        else:
            mult = _MULT.get(key, 1.0)
    pct = bool(g("pct"))
    if post and post.strip().lower().startswith("cent"):
        mult *= 0.01
    out: list[tuple[float, float]] = []
    for v, dec in _interpretations(g("n")):
        unit = 10.0 ** -dec * mult
        value = v * mult
        if hedged:
            # one unit of the last significant digit ("about 1,200" -> +-100)
            sig = unit
            if dec == 0:
                iv = int(round(v))
                while iv and iv % 10 == 0:
                    iv //= 10
                    sig *= 10
            tol = sig
        else:
            tol = unit / 2
        tol = max(tol * 1.000001, cfg.abs_tolerance, cfg.rel_tolerance * abs(value))
        out.append((abs(value), tol))
        if pct:
            out.append((abs(value) / 100, tol / 100))
    kind = "percent" if pct else "money" if money else "number"
    return kind, out


def extract_claims(text: str, cfg: NumbersConfig) -> tuple[list[Claim], int]:
    """The answer's numeric claims, and how many numbers were skipped as non-claims."""
    claims: list[Claim] = []
    skipped = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        g = m.group
        if g("url"):
            continue
        start = m.start()
        if g("iso") or g("slash") or g("mdy") or g("dmy") or g("my2"):
            dates = _dates_of(m)
            if dates:
                claims.append(Claim(m.group(0), "date", start, dates=dates))
            continue
        if g("time"):
            t = g("time")
            hh, _, rest = t.partition(":")
            claims.append(Claim(t, "time", start, idents=[f"{int(hh)}:{rest[:2]}"]))
            continue
        if g("ident"):
            tok = g("ident")
            digits = re.sub(r"\D", "", tok)
            if len(digits) < 3:
                skipped += 1
                continue
            norm = _norm_ident(tok)
            claims.append(Claim(tok, "ident", start, idents=[norm, digits]))
            continue
        if g("words"):
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
        if g("num"):
            if g("ord"):
                skipped += 1
                continue
            n = g("n")
            pre, post, pct, mult = g("pre"), g("post"), g("pct"), g("mult")
            plain = not (pre or post or pct or mult)
            # list marker: line start + "1." / "2)"
            if plain and n.isdigit() and len(n) <= 3:
                line_start = text.rfind("\n", 0, start) + 1
                if not text[line_start:start].strip() and _LIST_MARKER_AFTER.match(text, m.end()):
                    skipped += 1
                    continue
            if plain and cfg.ignore_years and n.isdigit() and len(n) == 4 and 1900 <= int(n) <= 2099:
                skipped += 1
                continue
            if plain and n.isdigit() and int(n) <= cfg.small_integer and not _PLURAL_AFTER.match(text, m.end()):
                skipped += 1
                continue
            hedged = bool(cfg.hedge_words and _HEDGE.search(text, max(0, start - 24), start))
            kind2, values = _num_values(m, hedged, cfg)
            idents = [n] if plain and n.isdigit() and len(n) >= 4 else []
            claims.append(Claim(m.group(0).strip(), kind2, start, values=values, idents=idents))
    return claims, skipped


# --------------------------------------------------------------------------------------
# The conversation index

@dataclass(slots=True)
class SourceIndex:
    values: list[float] = field(default_factory=list)  # sorted absolute values
    idents: set[str] = field(default_factory=set)
    dates: set[tuple[int | None, int, int | None]] = field(default_factory=set)
    month_days: set[tuple[int, int]] = field(default_factory=set)
    month_years: set[tuple[int, int]] = field(default_factory=set)
    # per message, in order of appearance: (value, is_percent) for ratio-type derivations
    sequences: list[list[tuple[float, bool]]] = field(default_factory=list)
    derived: list[float] = field(default_factory=list)  # column totals/averages, array lengths (sorted)
    pair_sums: Any = None  # lazily built


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


def _json_aggregates(obj: Any, out: list[float], columns: dict[str, list[float]] | None = None) -> None:
    """Array lengths, and per key across the items of an array: total, average."""
    if isinstance(obj, dict):
        for v in obj.values():
            if isinstance(v, (dict, list)):
                _json_aggregates(v, out)
    elif isinstance(obj, list):
        out.append(float(len(obj)))
        cols: dict[str, list[float]] = {}
        for item in obj:
            if isinstance(item, dict):
                for k, v in item.items():
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        cols.setdefault(k, []).append(abs(float(v)))
                    elif isinstance(v, str):
                        try:
                            cols.setdefault(k, []).append(abs(float(v)))
                        except ValueError:
                            pass
                    elif isinstance(v, (dict, list)):
                        _json_aggregates(v, out)
            elif isinstance(item, list):
                _json_aggregates(item, out)
        for vals in cols.values():
            if len(vals) >= 2:
                s = sum(vals)
                out.append(s)
                out.append(s / len(vals))


def build_index(body: dict[str, Any], cfg: NumbersConfig) -> SourceIndex:
    idx = SourceIndex()
    values: list[float] = []
    derived: list[float] = []
    for text in _message_texts(body, cfg):
        seq: list[tuple[float, bool]] = []
        stripped = text.lstrip()
        if stripped[:1] in ("{", "["):
            try:
                _json_aggregates(orjson.loads(text), derived)
            except orjson.JSONDecodeError:
                pass
        for m in _TOKEN.finditer(text):
            g = m.group
            if g("url"):
                continue
            if g("iso") or g("slash") or g("mdy") or g("dmy") or g("my2"):
                for y, mo, d in _dates_of(m):
                    if d is None:
                        idx.month_years.add((y or 0, mo))
                    else:
                        idx.dates.add((y, mo, d))
                        idx.month_days.add((mo, d))
                        if y:
                            idx.month_years.add((y, mo))
                continue
            if g("time"):
                t = g("time")
                hh, _, rest = t.partition(":")
                idx.idents.add(f"{int(hh)}:{rest[:2]}")
                continue
            if g("ident"):
                tok = g("ident")
                idx.idents.add(_norm_ident(tok))
                digits = re.sub(r"\D", "", tok)
                idx.idents.add(digits)
                for part in re.findall(r"\d+", tok):
                    idx.idents.add(part)
                    if len(part) <= 6:
                        values.append(float(part))
                continue
            if g("words"):
                parsed = _parse_words(g("words"))
                if parsed is not None:
                    values.append(float(parsed[0]))
                    seq.append((float(parsed[0]), False))
                continue
            if g("num"):
                n = g("n")
                if n.isdigit():
                    idx.idents.add(n)
                _, vals = _num_values(m, False, cfg)
                pct = bool(g("pct"))
                for v, _tol in vals:
                    values.append(v)
                if vals:
                    seq.append((vals[0][0], pct))
                    if pct:
                        continue
                    for v, dec in _interpretations(n):
                        if 0 < v < 1:
                            values.append(v * 100)  # 0.125 grounds "12.5%" (also via claim/100)
        if seq:
            idx.sequences.append(seq)
    values.sort()
    derived.sort()
    idx.values = values
    idx.derived = derived
    return idx


def _near(sorted_vals: list[float], v: float, tol: float) -> bool:
    i = bisect.bisect_left(sorted_vals, v - tol)
    return i < len(sorted_vals) and sorted_vals[i] <= v + tol


# --------------------------------------------------------------------------------------
# The validator

class NumbersValidator:
    """Numeric grounding against the conversation's own data."""

    name = "numbers"
    Config = NumbersConfig

    def __init__(self, config: NumbersConfig | None = None) -> None:
        self.cfg = config or NumbersConfig()

    def index(self, subject: Subject) -> SourceIndex:
        idx = subject.cache.get("numbers.index")
        if idx is None:
            idx = subject.cache["numbers.index"] = build_index(subject.body, self.cfg)
        return idx

    def check_text(self, text: str, idx: SourceIndex) -> tuple[list[Claim], list[Claim]]:
        """(claims, ungrounded claims)."""
        claims, _ = extract_claims(text, self.cfg)
        bad = [c for c in claims if not self.grounded(c, idx)]
        return claims, bad

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
        vals = idx.values
        for v, tol in c.values:
            if _near(vals, v, tol) or _near(idx.derived, v, tol):
                return True
        if any(i in idx.idents for i in c.idents):
            return True
        if self.cfg.derivations:
            return self._derived(c, idx)
        return False

    def _derived(self, c: Claim, idx: SourceIndex) -> bool:
        vals = idx.values
        share = self.cfg.min_operand_share
        n = len(vals)
        for v, tol in c.values:
            if v == 0:
                continue
            # sums: v = a + b with both operands at least `share` of v
            lo_b = v * share
            for a in vals:
                if a < lo_b:
                    continue
                if a > v - lo_b + tol:
                    break
                if _near(vals, v - a, tol):
                    return True
            # differences: v = a - b
            for a in reversed(vals):
                if a <= v:
                    break
                b = a - v
                if b >= (a * share) and _near(vals, b, tol):
                    return True
            # ratio-type derivations on nearby numbers of the same message
            if self._pairwise(v, tol, c.kind, idx):
                return True
        del n
        return False

    def _pairwise(self, v: float, tol: float, kind: str, idx: SourceIndex) -> bool:
        w = self.cfg.pair_window
        for seq in idx.sequences:
            L = len(seq)
            for i in range(L):
                a, ap = seq[i]
                for j in range(max(0, i - w), min(L, i + w + 1)):
                    if i == j:
                        continue
                    b, bp = seq[j]
                    if b == 0:
                        continue
                    if kind == "percent" or kind == "number":
                        if not ap and not bp:
                            r = a / b
                            if abs(r * 100 - v) <= tol or abs(r - v) <= tol:  # share / ratio
                                return True
                            if a > b and abs((a - b) / b * 100 - v) <= tol:  # percent change
                                return True
                            if a < b and abs((b - a) / b * 100 - v) <= tol:  # decrease
                                return True
                    if kind in ("money", "number"):
                        if ap and not bp and abs(a / 100 * b - v) <= tol:  # 3.5% of 1,000
                            return True
                        if not ap and not bp and a == int(a) and 1 < a <= 1000 and abs(a * b - v) <= tol:  # qty x price
                            return True
        return False

    def validate(self, subject: Subject) -> ValidationResult:
        text = subject.answer.content
        if not text:
            return ValidationResult.ok(self.name, claims=0)
        claims, _ = extract_claims(text, self.cfg)
        if not claims:
            return ValidationResult.ok(self.name, claims=0)
        idx = self.index(subject)
        bad = [c for c in claims if not self.grounded(c, idx)]
        share = 1.0 - len(bad) / len(claims)
        if not bad or share >= self.cfg.min_grounded_share and self.cfg.min_grounded_share < 1.0:
            return ValidationResult(True, share, [], self.name, [], {"claims": len(claims), "ungrounded": len(bad)})
        shown = bad[: self.cfg.max_reported]
        issues = [f"unverified {c.kind} {c.text!r}: not found in the conversation's data" for c in shown]
        return ValidationResult(False, share, issues, self.name, [c.text for c in shown], {"claims": len(claims), "ungrounded": len(bad)})
