"""Claims of an answer: each number with what it is a number of.

A claim binds a value to its unit and scale (`units`), to what it is per (a period or a rate's
noun), to the noun it counts ("5 free ATM withdrawals" -> withdrawal), to the direction words
around a percentage ("a 25% increase", "down 20%", "percentage points"), and to its position
in the sentence (the subject is found around it by the grounding step). Also: dates, times of
day (12- and 24-hour), durations ("1 hour 42 minutes", a pace "4:58 per km"), identifiers,
number words, years and ordinals (checked only when the data has such a number).

Not claims: list markers ("1. "), numbers inside URLs, short codes with fewer than three
digits ("GPT-4", "Q3"), and small integers (<= 10) that count nothing ("one of them").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .scan import (
    _DATE_KINDS, _HEDGE_WORDS, _LIST_MARKER_AFTER, _MULT, _NONDIGIT, _hedged, _interpretations, _norm_ident,
    _parse_words, _dates_of, scan,
)
from .units import _UNIT_WORDS as UNIT_WORDS, PERIODS, Unit, stem, unit_after
from .vocabulary import CHANGE, CHANGE_DOWN, CHANGE_UP

_SYM_CUR = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₽": "RUB", "₺": "TRY",
            "₪": "ILS", "฿": "THB", "₫": "VND", "₱": "PHP", "₴": "UAH", "A$": "AUD", "C$": "CAD", "NZ$": "NZD",
            "HK$": "HKD", "S$": "SGD", "R$": "BRL", "zł": "PLN", "kr": "SEK"}
_WORD_CUR = {"dollar": "USD", "dollars": "USD", "bucks": "USD", "euro": "EUR", "euros": "EUR", "pound": "GBP",
             "pounds": "GBP", "yen": "JPY", "rupee": "INR", "rupees": "INR", "franc": "CHF", "francs": "CHF",
             "cent": "USD", "cents": "USD"}
_DOLLAR_LIKE = frozenset(("USD", "CAD", "AUD", "NZD", "HKD", "SGD"))

_DIRECTION = {w: "up" for w in CHANGE_UP} | {w: "down" for w in CHANGE_DOWN} | {w: "change" for w in CHANGE}
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|[+\-](?=\d)")
_NOUN_STOP = frozenset((
    "of", "per", "a", "an", "the", "in", "on", "at", "for", "to", "from", "with", "by", "and", "or", "but", "each",
    "every", "is", "are", "was", "were", "be", "been", "that", "which", "this", "so", "than", "over", "under", "out",
    "into", "as", "if", "it", "its", "their", "your", "you", "we", "they", "he", "she", "his", "her", "our", "has",
    "have", "had", "will", "would", "can", "could", "should", "may", "might", "do", "does", "did", "not", "no",
    "after", "before", "since", "until", "while", "when", "where", "there", "here", "then", "also", "just", "only",
    "about", "around", "up", "down", "off", "more", "less", "total", "all", "both", "left", "remaining", "ago",
    "plus", "minus", "vs", "versus", "x", "instead", "apiece", "net", "gross", "last", "next", "so", "far",
    "previous", "prior", "earlier", "later", "yesterday", "today", "tomorrow", "ago",
    "average", "mean", "median", "overall", "combined", "altogether", "respectively", "exactly", "apiece", "each",
    "across", "through", "between", "among", "during", "within", "without", "against", "behind", "beyond", "toward",
    "towards", "upon", "via", "like", "including", "excluding",
    # verbs that follow the noun ("306 seats gives", "12 boxes leaves"): the phrase ends before them
    "gives", "give", "gave", "leaves", "leaving", "makes", "made", "means", "equals", "comes", "came", "brings",
    "brought", "puts", "costs", "cost", "takes", "took", "adds", "added", "shows", "showed", "works", "worked",
    "divided", "multiplied",
))
# Heads that say when, not what: "168 last year" counts no years.
# "Q2 2024 sales", "FY 2025 revenue", "March 2024 bills": a year after a quarter, a fiscal year or a month
_PERIOD_BEFORE = re.compile(r"\b(?:Q[1-4]|H[12]|FY|CY|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?|May)\s*$")
_TIME_HEADS = frozenset(("year", "season", "month", "week", "time", "day", "night", "hour", "minute", "quarter"))
# A compound duration: "1 hour 42 minutes", "7 hours 10 min", "1h 42m", "7h10m"
_DURATION = re.compile(
    r"(?P<h>\d+(?:\.\d+)?)\s*(?:hours?|hrs?|h)(?:\b|(?=\d)),?\s*(?:and\s+)?(?P<m>\d+)\s*(?:minutes?|mins?|m)\b", re.IGNORECASE)
_FEET_INCHES = re.compile(r"(?P<f>\d+)\s*(?:ft|feet|foot|')\s*(?P<i>\d{1,2})\s*(?:in|inches|inch|\")(?![A-Za-z])")
_AMPM = re.compile(r"\s?(?P<ap>[AaPp])\.?\s?[Mm]\.?(?![A-Za-z])")
_PACE_AFTER = re.compile(r"\s*(?:/|per\b|a\b)\s*(?P<w>kilometers?|kilometres?|km|miles?|mi|lap|100 ?m)\b|\s*(?:min(?:utes?)?\s*)?(?:/|per)\s*(?P<w2>km|mi|mile|kilometer)\b", re.IGNORECASE)
_RANGE_AMPM = re.compile(r"\s?[–-]\s?\d{1,2}(?::\d{2})?\s?(?P<ap>[AaPp])\.?\s?[Mm]\.?(?![A-Za-z])")
_TZ_AFTER = re.compile(r"\s*(?:UTC|GMT|Z\b)", re.IGNORECASE)


_NOTHING = re.compile(r"[0-9]")
_GLUED = re.compile(r"\(?[A-Za-z]+\)?(?![A-Za-z])")
_NUMBER_WORDS_B = frozenset(w.encode() for w in (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion trillion"
).split())
_LETTERS_ONLY = bytes(b if 97 <= b <= 122 else 32 for b in range(256))


def has_number_word(seg: str) -> bool:
    return not _NUMBER_WORDS_B.isdisjoint(seg.lower().encode("ascii", "ignore").translate(_LETTERS_ONLY).split())


@dataclass(slots=True)
class Claim:
    text: str
    kind: str  # money | percent | number | date | ident | time | duration | year | ordinal
    start: int
    end: int = 0
    values: list[tuple[float, float]] = field(default_factory=list)  # (value, tolerance) in the claim's own unit
    dates: list[tuple[int | None, int, int | None]] = field(default_factory=list)
    idents: list[str] = field(default_factory=list)
    minutes: list[int] = field(default_factory=list)  # times of day (minutes after midnight)
    unit: Unit | None = None
    inverse: bool = False
    per: str | None = None
    per_n: float = 1.0
    currency: str | None = None
    noun: str | None = None
    hedged: bool = False
    change: str | None = None  # up | down | change (percentages and amounts of change)
    money_like: bool = False
    integer: bool = False
    range_with: bool = False  # one end of "88-81", "34-14", "18:00-19:00"
    range_lo: tuple[float, float] | None = None  # the second end of "$9.1–9.3 billion": the first end's (value, tolerance)

    @property
    def dim(self) -> str | None:
        if self.unit is not None:
            return self.unit.dim
        if self.kind == "money":
            return "money"
        if self.kind == "percent":
            return "percent"
        return None


def _currency(pre: str | None, post: str | None) -> str | None:
    if pre:
        p = pre.strip()
        return _SYM_CUR.get(p) or (p.upper() if p.isalpha() else "USD")
    if post:
        p = post.strip()
        return _WORD_CUR.get(p.lower()) or (p.upper() if p.isupper() else None)
    return None


def _values(n: str, mult: float, hedged: bool, abs_tol: float, rel_tol: float) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for v, dec in _interpretations(n):
        unit = 10.0 ** -dec * mult
        value = abs(v * mult)
        if hedged:
            sig = unit
            if dec == 0:
                iv = int(round(v))
                while iv and iv % 10 == 0:
                    iv //= 10
                    sig *= 10
            tol = sig / 2 * 1.000001
            if dec == 0 and value >= 10:
                tol = max(tol, value * 0.005)  # "about 2,646 lb" for 2,645.5
        else:
            tol = unit / 2 * 1.000001
        if abs_tol or rel_tol:
            tol = max(tol, abs_tol, rel_tol * value)
        out.append((value, tol))
    return out


def _words_before(text: str, start: int, k: int, floor: int) -> list[str]:
    seg = text[max(floor, start - 60):start]
    return [w.lower() for w in _WORD.findall(seg)][-k:]


# A weekday written before a date ("Friday, January 11", "Tue. the 4th"), and the weekday at the
# head of a date claim's text.
_WEEKDAY_BEFORE = re.compile(r"\b(Mon(?:day)?|Tue(?:s|sday)?|Wed(?:nesday)?|Thu(?:rs?|rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)"
                             r"\.?,?\s*(?:the\s+)?(?:\*\*)?$")
WEEKDAY_HEAD = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s*(?:the\s+)?(?:\*\*)?(?=\S)")
WEEKDAYS = {"Mon": 0, "Tue": 1, "Wed": 2, "Thu": 3, "Fri": 4, "Sat": 5, "Sun": 6}

# "ended up in good parts", "broken down by region": a phrasal verb's particle states no change
_PHRASAL = frozenset((
    "end", "ends", "ended", "ending", "made", "make", "makes", "set", "sets", "sign", "signed", "signs", "show", "shows",
    "showed", "shown", "turn", "turned", "turns", "pick", "picked", "line", "lined", "come", "comes", "came", "open",
    "opened", "follow", "followed", "catch", "caught", "keep", "kept", "take", "took", "taken", "use", "used", "wrap",
    "wrapped", "sum", "summed", "add", "adds", "break", "breaks", "broke", "broken", "shut", "write", "wrote", "written",
    "narrow", "narrowed", "count", "counted", "look", "looked", "round", "rounded", "back", "backed", "mark", "marked",
))


def _states_direction(prev: str, w: str) -> bool:
    return w in _DIRECTION and not (w in ("up", "down") and prev in _PHRASAL)


def _direction(text: str, start: int, end: int, floor: int, ceil: int) -> str | None:
    """up / down / change from the words just before or after a number ("a 25% increase")."""
    after = [w.lower() for w in _WORD.findall(text[end:min(ceil, end + 40)])][:3]
    for prev, w in zip([""] + after, after):
        if _states_direction(prev, w):
            return _DIRECTION[w]
    before = _words_before(text, start, 7, floor)  # six words, and the one before them (a phrasal verb?)
    for prev, w in reversed(list(zip([""] + before, before))[-6:]):
        if _states_direction(prev, w):
            return _DIRECTION[w]
    seg = text[max(floor, start - 2):start]
    if "+" in seg:
        return "up"
    return None


def _phrase(text: str, pos: int, ceil: int) -> list[tuple[str, int]]:
    """The short noun phrase after a number: up to three words, until a stop word or punctuation."""
    words: list[tuple[str, int]] = []
    for m in _WORD.finditer(text, pos, min(ceil, pos + 48)):
        gap = text[pos:m.start()] if not words else text[words[-1][1]:m.start()]
        if any(ch in gap for ch in ",.;:()[]\n") or (len(gap.strip()) > 0 and gap.strip() not in ("-", "/")):
            break
        raw = m.group(0)
        w = raw.lower()
        if w in _NOUN_STOP or w.startswith(("+", "-")) or (raw[0].isupper() and not raw.isupper()):
            break  # a name ("DL 214 Atlanta") is not what the number counts
        if w.endswith(("-", "'")):
            break  # "148-for-474", "212 that's": a word cut by the tokenizer names nothing
        words.append((w, m.end()))
        if len(words) == 3:
            break
    while words and _not_counted(words[-1][0]):
        if words.pop()[0] in ("one", "ones"):
            return []  # "88 new ones": a pronoun for a noun said before
        # ("60,000 miles needed", "913 allowed", "900 roughly": the head is before them)
    return words


# Participles a count never names ("40 yielded", "1,022 scored, 913 allowed"), adverbs and pronouns.
_NOT_COUNTED = frozenset(("sold", "paid", "spent", "won", "lost", "held", "built", "sent", "kept", "bought", "taken", "given",
                          "done", "seen", "away", "free", "one", "ones", "apart", "ahead", "back", "again", "already", "still",
                          "yet", "though", "too", "either", "alone", "fewer", "extra"))
_ED_NOUNS = frozenset(("hundred", "kindred", "hatred", "sacred", "naked", "wicked"))


def _not_counted(w: str) -> bool:
    if w in _NOT_COUNTED:
        return True
    if len(w) >= 5 and w.endswith("ed") and not w.endswith("eed") and w not in _ED_NOUNS:
        return True  # a participle after the number: what it does, not what it counts
    return len(w) >= 5 and w.endswith("ly") and w not in _LY_NOUNS  # "900 roughly", "2 tablets daily"


_LY_NOUNS = frozenset(("family", "assembly", "anomaly", "rally", "belly", "jelly", "butterfly", "monopoly", "supply", "reply",
                       "bully", "italy", "dragonfly", "firefly", "gadfly", "homily", "lily"))


_COMPARE_AFTER = re.compile(r"\s+(?:the|as|more|less|higher|lower|larger|greater|bigger|smaller|faster|slower|over|what|that|its)\b",
                            re.IGNORECASE)


def _noun(text: str, pos: int, ceil: int, phrase: list[tuple[str, int]] | None = None) -> str | None:
    """The head noun a number counts: the last word of the short phrase after it. "four times the
    baseline" is a multiple (a ratio), "restarted 3 times" a count of events."""
    words = phrase if phrase is not None else _phrase(text, pos, ceil)
    if not words:
        return None
    head = stem(words[-1][0])
    if head == "time" and len(words) == 1 and _COMPARE_AFTER.match(text, words[0][1]):
        return "multiple"
    return None if head in _TIME_HEADS and len(words) > 1 else head


def extract(text: str, start: int, end: int, small_integer: int = 10, ignore_years: bool = True,
            abs_tol: float = 0.0, rel_tol: float = 0.0, hedge_words: bool = True) -> list[Claim]:
    """The claims of text[start:end]; positions are absolute."""
    seg = text[start:end]
    if _NOTHING.search(seg) is None and not has_number_word(seg):
        return []  # most sentences of an answer state no number at all
    claims: list[Claim] = []
    taken_until = -1
    for dm in _DURATION.finditer(seg):
        h, mi = float(dm.group("h")), int(dm.group("m"))
        c = Claim(dm.group(0), "duration", start + dm.start(), start + dm.end(), [((h * 60 + mi) * 60.0, 30.0)],
                  unit=Unit("time", 1.0))
        claims.append(c)
    for fm in _FEET_INCHES.finditer(seg):  # "5 ft 11 in": one height
        inches = int(fm.group("f")) * 12 + int(fm.group("i"))
        claims.append(Claim(fm.group(0), "number", start + fm.start(), start + fm.end(), [(float(inches), 0.5)],
                            unit=UNIT_WORDS["inch"], hedged=hedge_words and _hedged(seg, fm.start())))
    spans = [(c.start - start, c.end - start) for c in claims]
    for m in scan(seg):
        s0, e0 = m.start(), m.end()
        if any(a <= s0 < b for a, b in spans) or s0 < taken_until:
            continue
        c = _claim(seg, m, start, end - start, small_integer, ignore_years, abs_tol, rel_tol, hedge_words)
        if c is not None:
            claims.append(c)
            taken_until = c.end - start
    claims.sort(key=lambda c: c.start)
    if any(c.text[:1].isdigit() and (c.kind == "ident" or c.text[1:2].isalpha() or c.text[1:3] == "4/") for c in claims):
        claims = [c for c in claims if not _term(text, c)]
    _day_ranges(text, claims)
    _mark_ranges(text, claims)
    return claims


_TERM = re.compile(r"\d[A-Z]{1,3}(?![\w-])|24/7(?!\d)")


def _term(text: str, c: Claim) -> bool:
    """"2FA", "5G", "3D", "24/7": a term spelled with a digit, no quantity. A single letter other
    than G or D may be a scale, a unit or a record ("4K", "7B", "5L", "2W 1L"): kept; so are times."""
    m = _TERM.match(text, c.start)
    if m is None or c.kind in ("time", "date") or (c.start and text[c.start - 1].isalnum()):
        return False
    t = m.group(0)
    return t == "24/7" or (t[1:] in ("G", "D") if len(t) == 2 else t[1:] not in ("AM", "PM", "HR", "HRS", "MIN"))


def _day_ranges(text: str, claims: list[Claim]) -> None:
    """"Aug 21-24", "March 4-10": the number after the dash is a day of the same month."""
    for k in range(len(claims) - 1):
        a, b = claims[k], claims[k + 1]
        if a.kind == "date" and b.kind == "number" and b.integer and text[a.end:b.start] in ("-", "–", "") and \
                text[a.end:a.end + 1] in "-–" and a.dates and b.values and 1 <= b.values[0][0] <= 31:
            y, mo, _ = a.dates[0]
            b.kind, b.dates, b.values = "date", [(y, mo, int(b.values[0][0]))], []


def _claim(seg: str, m: Any, base: int, ceil: int, small_integer: int, ignore_years: bool, abs_tol: float,
           rel_tol: float, hedge_words: bool) -> Claim | None:
    kind = m.lastgroup
    g = m.group
    s0, e0 = m.start(), m.end()
    if kind == "url":
        return None
    if kind in _DATE_KINDS:
        dates = _dates_of(m)
        if not dates:
            return None
        wd = _WEEKDAY_BEFORE.search(seg, max(0, s0 - 14), s0)
        if wd is not None:  # "Friday, January 11": the weekday is part of the claim (held, checked, cut with it)
            s0 = wd.start(1)
        return Claim(seg[s0:e0], "date", base + s0, base + e0, dates=dates)
    if kind == "time":
        t = g("time")
        hh, _, rest = t.partition(":")
        h, mi = int(hh), int(rest[:2])
        tail = rest[2:]
        ap = _AMPM.search(t)
        if ap is None:
            am2 = _AMPM.match(seg, e0)
            if am2 is not None:
                ap = am2
                e0 = am2.end()
        if ap is None and 1 <= h <= 12:  # "3:00–11:30 PM": the range's end says which half of the day
            rng = _RANGE_AMPM.match(seg, e0)
            if rng is not None:
                ap = rng
        pace = _PACE_AFTER.match(seg, e0)
        if pace is not None and ap is None:  # 4:58 per km: minutes and seconds of a pace
            return Claim(seg[s0:pace.end()], "duration", base + s0, base + pace.end(), [(h * 60.0 + mi, 0.5)],
                         unit=Unit("time", 1.0), per=stem(pace.group("w") or pace.group("w2") or "km"))
        mins: list[int] = []
        if ap is not None:
            pm = ap.group("ap").lower() == "p"
            if 1 <= h <= 12:
                mins.append(((h % 12) + (12 if pm else 0)) * 60 + mi)
        elif h <= 24:
            mins.append((h % 24) * 60 + mi)
        if tail.startswith(":") and len(tail) >= 3 and ap is None:
            # h:mm:ss is a time of day or a duration (a race time)
            secs = h * 3600 + mi * 60 + int(tail[1:3])
            c = Claim(seg[s0:e0], "time", base + s0, base + e0, [(float(secs), 0.5)], minutes=mins, unit=Unit("time", 1.0))
            return c
        return Claim(seg[s0:e0], "time", base + s0, base + e0, minutes=mins) if mins else None
    if kind == "ident":
        tok = g("ident")
        digits = _NONDIGIT.sub("", tok)
        if len(digits) < 3:
            return None
        return Claim(tok, "ident", base + s0, base + e0, idents=[_norm_ident(tok), digits])
    if kind == "words":
        parsed = _parse_words(g("words"))
        if parsed is None:
            return None
        value, nwords = parsed
        if nwords == 1 and value <= 1:
            return None  # "one of", "zero"
        ur = unit_after(seg, e0)
        noun = _noun(seg, ur.end, ceil) if ur.unit is None else None
        if nwords == 1 and value <= max(small_integer, 10) and ur.unit is None and not _counts(noun, seg, e0):
            return None
        hedged = hedge_words and _hedged(seg, s0)
        tol = 0.5 if not hedged else max(0.5, value * 0.1)
        per, per_n = ur.per, ur.per_n
        if per is None and noun is not None:  # "three times a day"
            words = _phrase(seg, ur.end, ceil)
            if words:
                ur2 = unit_after(seg, words[-1][1])
                if ur2.unit is None and ur2.per is not None:
                    per, per_n = ur2.per, ur2.per_n
        cur = _WORD_CUR.get(noun + "s", _WORD_CUR.get(noun)) if noun else None
        if cur is not None:  # "forty-four dollars"
            return Claim(g("words") + seg[e0:ur.end], "money", base + s0, base + ur.end, [(float(value), tol)], currency=cur,
                         hedged=hedged, money_like=True)
        c = Claim(g("words"), "number", base + s0, base + max(e0, ur.end), [(float(value), tol)], unit=ur.unit,
                  per=per, per_n=per_n, noun=noun, hedged=hedged, integer=True)
        return c
    if kind != "num":
        return None
    n, pre, post, pct, mult_s, ordinal = g("n", "pre", "post", "pct", "mult", "ord")
    neg = g("neg")
    currency = _currency(pre, post)
    money = bool(pre or post)
    if post and post.strip().lower().startswith("cent"):
        money = True
    mult = 1.0
    if mult_s:
        ms = mult_s.strip()
        if ms in ("m", "b") and not money:
            mult = 1.0
        else:
            mult = _MULT.get(ms.lower(), 1.0)
    if post and post.strip().lower().startswith("cent"):
        mult *= 0.01
    plain = not (pre or post or pct or mult_s)
    start = base + s0
    if plain and n.isdigit() and 1 <= int(n) <= 12:
        ap = _AMPM.match(seg, e0)
        if ap is not None:  # "8 am", "2 pm"
            h = int(n) % 12 + (12 if ap.group("ap").lower() == "p" else 0)
            return Claim(seg[s0:ap.end()], "time", start, base + ap.end(), minutes=[h * 60])
    if plain and e0 < len(seg) and seg[e0].isalpha() and n.isdigit():
        glued = _GLUED.match(seg, e0)
        if glued is not None and not glued.group(0).lower().strip("x"):
            return None  # "5xx errors": a class of status codes
        letters = glued.group(0).strip("()") if glued is not None else ""
        if glued is not None and letters.lower() not in UNIT_WORDS and len(letters) <= 3 and \
                (glued.group(0)[0] != "(" or glued.group(0)[-1] == ")"):
            tok = n + letters  # a seat, a gate, a dock, a plan: "14C", "401(k)" are codes, not 14 of something
            return Claim(tok, "ident", start, base + e0 + len(glued.group(0)), idents=[_norm_ident(tok), n])
    if ordinal:
        if not n.isdigit() or int(n) < 2 or not _ranked(seg, s0, e0):
            return None  # "the 3rd order this month" states nothing the data must hold
        return Claim(g(0).strip(), "ordinal", start, base + e0, [(float(n), 0.5)], integer=True)
    if plain and len(n) <= 3 and n.isdigit() and _LIST_MARKER_AFTER.match(seg, e0):
        line_start = seg.rfind("\n", max(0, s0 - 12), s0) + 1
        if (line_start or s0 < 12) and not seg[line_start:s0].strip():
            return None
    if plain and n.isdigit():
        code = _CODE_BEFORE.search(seg[max(0, s0 - 8):s0])
        if code is not None and code.group(1).lower() not in _CODE_NOT:
            tok = code.group(1) + " " + n  # a flight, a train, a ward: "UA 455", "ICE 1007"
            return Claim(tok, "ident", start - len(code.group(0)), base + e0, idents=[_norm_ident(tok)])
    hedged = hedge_words and _hedged(seg, s0)
    if hedged and _bounded(seg, s0) and n.isdigit() and int(n) * mult < 100:
        hedged = False  # "up to 10 seats" states 10, not "about 10"
    values = _values(n, mult, hedged, abs_tol, rel_tol)
    if not values:
        return None
    interp = _interpretations(n)
    money_like = money or bool(interp[0][1]) or mult != 1.0
    end = base + e0
    unit = None
    inverse = False
    per, per_n = None, 1.0
    noun = None
    kind2 = "percent" if pct else "money" if money else "number"
    pp = bool(pct) and "point" in pct.lower()
    if pp:
        unit = Unit("pp", 1.0)
        kind2 = "number"
    ur = unit_after(seg, e0)
    if not pct:
        if ur.unit is not None and not (money and ur.unit.dim not in ("money",) and ur.text.lower() in ("p", "pence")):
            if ur.unit.dim == "money" and ur.text.lower() in ("p", "pence"):
                currency, money, kind2 = "GBP", True, "money"
                values = [(v * 0.01, t * 0.01) for v, t in values]  # 24.5p is £0.245
            elif ur.unit.dim == "money":
                currency, money, kind2 = currency or "USD", True, "money"
                values = [(v * ur.unit.factor, t * ur.unit.factor) for v, t in values]  # 45 cents
            elif ur.unit.dim == "count" and ur.text.lower() == "k":
                values = [(v * 1e3, t * 1e3) for v, t in values]
            else:
                unit, inverse = ur.unit, ur.inverse
            end = base + ur.end
        per, per_n = ur.per, ur.per_n
        if ur.end > e0:
            end = base + ur.end
        if unit is None and ur.unit is None:
            words = _phrase(seg, e0, ceil)
            noun = _noun(seg, e0, ceil, words)
            if noun is not None and noun in UNIT_WORDS and len(noun) > 2:  # "540 active kcal"
                unit, noun = UNIT_WORDS[noun], None
            if per is None:  # "600 requests per minute": the rate after the noun
                if words:
                    ur2 = unit_after(seg, words[-1][1])
                    if ur2.unit is None and ur2.per is not None:
                        per, per_n = ur2.per, ur2.per_n
    else:
        per, per_n = ur.per, ur.per_n
    if unit is not None and unit.dim == "money":
        unit = None
    if money and unit is not None and unit.dim != "money":
        per = per or (ur.text.lower() if ur.text else None)
        unit = None
    is_int = n.isdigit()
    if plain and unit is None and per is None and is_int:
        iv = int(n)
        if ignore_years and len(n) == 4 and 1900 <= iv <= 2099 and (noun is None or _PERIOD_BEFORE.search(seg, max(0, s0 - 12), s0)):
            return Claim(n, "year", start, base + e0, [(float(iv), 0.5)], integer=True)
        if iv <= small_integer and not _counts(noun, seg, e0, words if unit is None and ur.unit is None else None):
            return None
    if kind2 == "money" and per is None:
        lead = _PERIOD_LEAD.search(seg, max(0, s0 - 48), s0)
        if lead is not None:  # "your new annual premium $812.00", "the monthly fee is $15": the amount's period
            per = PERIODS[lead.group(1).lower().replace("-", "")]
    c = Claim(seg[s0:end - base].strip(), kind2, start, end, values, unit=unit, inverse=inverse, per=per, per_n=per_n,
              currency=currency, noun=noun, hedged=hedged, money_like=money_like, integer=is_int and mult == 1.0)
    if neg and kind2 != "percent":
        c.change = "down"
    if kind2 == "percent" or pp or (unit is not None and unit.dim == "pp"):
        c.change = _direction(seg, s0, e0, 0, ceil) or c.change

    return c


# A period adjective a few words before an amount: "annual premium $812", "monthly fee of $15", "yearly cost: $X".
# (lower case: "Annual Prepaid is $299" names a plan)
_PERIOD_LEAD = re.compile(r"\b(annual|yearly|monthly|weekly|daily|quarterly|nightly|semiannual|semi-annual)\s+(?:[a-z]+:?\s+){0,2}?"
                          r"(?:(?:of|is|was|will be|comes to|totals?|would be)\s+)?(?:about |roughly |around |just |only )?$")


_RANK_BEFORE = frozenset(("rank", "ranked", "ranking", "place", "placed", "finished", "finishing", "sit", "sits",
                          "sitting", "seeded", "seed", "his", "her", "their", "its", "was", "is", "came", "ranks"))
_RANK_AFTER = re.compile(r"\s*(?:place|overall|seed|out of|of (?:the|their|its|his|her) |in (?:the|their|its|a|his|her) )", re.IGNORECASE)


_CODE_BEFORE = re.compile(r"(?<![A-Za-z])([A-Z]{2,3}) $")
_CODE_NOT = frozenset(("usd", "eur", "gbp", "jpy", "cad", "aud", "chf", "inr", "cny", "sek", "nok", "dkk", "pln", "brl",
                       "mxn", "zar", "nzd", "sgd", "hkd", "krw", "utc", "gmt", "est", "pst", "cet", "am", "pm", "us", "uk",
                       "p50", "id", "no", "vs", "ok"))


_BOUNDS = ("over", "under", "more than", "less than", "up to", "at least", "at most")


def _bounded(seg: str, s0: int) -> bool:
    return seg[max(0, s0 - 14):s0].rstrip(" $€£\u00a0").lower().endswith(_BOUNDS)


def _ranked(seg: str, s0: int, e0: int) -> bool:
    """An ordinal that states a rank or a count of the data ("ranking 5th", "812th out of", "his 4th of the season")."""
    before = [w.lower() for w in _WORD.findall(seg[max(0, s0 - 30):s0])][-1:]
    return bool(set(before) & _RANK_BEFORE) or _RANK_AFTER.match(seg, e0) is not None


def _counts(noun: str | None, seg: str, pos: int, phrase: list[tuple[str, int]] | None = None) -> bool:
    """A small integer counts something when a plural noun follows it ("5 free ATM withdrawals")."""
    if noun is None:
        return False
    words = phrase if phrase is not None else _phrase(seg, pos, len(seg))
    if not words:
        return False
    w = words[-1][0]
    if len(words) > 1 and w.endswith(("ing", "ed")):
        w = words[-2][0]  # "9 patients boarding", "3 flights delayed": the participle says what the counted do
    return w.endswith("s") and not w.endswith("ss") and w not in ("is", "was", "has", "its", "this", "thus")


_SCALE_END = re.compile(r"\d\s?(thousand|million|billion|trillion|bn|mn|[kKMB])$")


def _mark_ranges(text: str, claims: list[Claim]) -> None:
    """"88-81", "34-14", "18:00-19:00": two ends of one statement."""
    for a, b in zip(claims, claims[1:]):
        gap = text[a.end:b.start]
        if gap in ("-", "–", "—", " - ", " – ", " to ") and a.kind in ("money", "number") and a.values and b.values \
                and a.unit is None and _SCALE_END.search(a.text) is None:
            # "$9.1–9.3 billion", "$1.2-1.5M": the scale word after the second end is the first end's too
            m = _SCALE_END.search(b.text)
            k = _MULT[m.group(1).lower()] if m is not None else 0.0
            if k and 0.1 <= a.values[0][0] * k / b.values[0][0] <= 10:
                a.values = [(v * k, t * k) for v, t in a.values]
            b.range_lo = a.values[0]
        glued = not gap and b.text[:1] in "-–" and a.kind == b.kind
        if glued or (gap in ("-", "–", " - ", " – ", "/", " to ") and a.kind == b.kind):
            a.range_with = b.range_with = True
            a.noun = b.noun = None  # "112-95 win": the ends of a score count no wins
            if glued:  # "112-95": a score, not minus 95
                b.change = None


def hedge_words() -> tuple[str, ...]:
    return _HEDGE_WORDS
