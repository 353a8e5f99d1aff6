"""Grounding a claim in the facts: direct, converted, or derived, and bound to the right owner.

A claim is grounded when
1. a fact has its value in compatible units (1,200 kg = 2,646 lb; 4 g is not 4 mg), the same
   currency and period (or one that converts: $29 a month is $348 a year), counts the same
   thing ("12 boxes" is not the 12 of a `qty` of hex bolts) and belongs to the entity the
   sentence talks about (a savings balance stated as the checking balance is not grounded); or
2. it is derived from grounded numbers by a bounded search: totals, averages and counts of a
   column (line items, transactions, a list of scores), a scalar plus or minus a column's total
   (opening balance and transactions), sums, differences, products and ratios of two related
   numbers (same object, same column, same line, or numbers the user or the answer itself stated
   and that were verified), percentages and percent changes on the right base ("increase" ->
   the smaller, "decrease" -> the larger), percentage points, per-period conversions, a date
   plus a number of days, a time plus a duration or a time-zone shift, the time between two times.

Related operands keep the search small and keep coincidences out: an arbitrary pair of numbers
from different objects can sum to almost anything.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from typing import Any, Iterable

from .claims import Claim, _DOLLAR_LIKE
from .facts import Fact, Piece
from .units import PERIODS, Unit, period_factor, stem, to_base, tol_to_base

_ANNUAL_WORDS = frozenset(("salary", "salaries", "annual", "yearly", "compensation", "wage_annual", "ctc"))
_SYNONYMS = {
    "minute": {"min", "mins", "minute"}, "second": {"sec", "secs", "s"}, "hour": {"hr", "hrs", "h"},
    "point": {"pts", "pt", "point", "score"}, "rebound": {"reb", "rebound"}, "assist": {"ast", "assist"},
    "game": {"gp", "game", "games_played", "match", "appearance"}, "person": {"people", "person", "user", "seat", "guest", "party"},
    "people": {"people", "person", "user", "seat", "guest", "party", "employee", "headcount"}, "night": {"night", "day"},
    "ticket": {"ticket", "seat", "person", "people"}, "user": {"user", "seat", "people", "member"},
    "seat": {"seat", "user", "people"}, "unit": {"unit", "qty", "quantity"}, "item": {"item", "line", "qty"},
    "goal": {"goal"}, "dose": {"dose"}, "page": {"page"}, "call": {"call", "request"}, "request": {"request", "call", "req"},
    "error": {"error", "err", "5xx", "4xx"}, "day": {"day", "days"}, "order": {"order"}, "visit": {"visit"},
}
# Words that name a count only the data itself can give (never an unrelated equal number).
_EVENT_NOUNS = frozenset(("time", "restart", "attempt", "retry", "visit", "crash"))
_MENTION_BACK = 14  # words scanned back from a claim for the entity it is about
_MENTION_FWD = 6
_KEY_BACK = 3
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*|\d+[A-Za-z]+[A-Za-z0-9]*")


class Derived:
    __slots__ = ("v", "dim", "unit", "cur", "per", "rate_toks", "kind")

    def __init__(self, v: float, dim: str | None, unit: Unit | None, cur: str | None, per: str | None,
                 rate_toks: frozenset[str] = frozenset(), kind: str = "") -> None:
        self.v, self.dim, self.unit, self.cur, self.per, self.rate_toks, self.kind = abs(v), dim, unit, cur, per, rate_toks, kind


class Index:
    """The facts of one request's conversation, and the answer's verified claims as it goes."""

    def __init__(self, pieces: list[Piece]) -> None:
        self.pieces = pieces
        self.facts: list[Fact] = [f for p in pieces for f in p.facts]
        for p in pieces:
            for f in p.facts:
                f_piece[id(f)] = p
        self.by_v = sorted(((f.v, i) for i, f in enumerate(self.facts)), key=lambda x: x[0])
        self.vals = [v for v, _ in self.by_v]
        self.by_b: dict[str, tuple[list[float], list[Fact]]] = {}
        tmp: dict[str, list[tuple[float, Fact]]] = {}
        for f in self.facts:
            if f.unit is not None:
                tmp.setdefault(f.unit.dim, []).append((f.b, f))
        for d, xs in tmp.items():
            xs.sort(key=lambda x: x[0])
            self.by_b[d] = ([b for b, _ in xs], [f for _, f in xs])
        self.dates: set[tuple[int, int, int]] = set()
        self.month_days: set[tuple[int, int]] = set()
        self.month_years: set[tuple[int, int]] = set()
        self.date_list: list[tuple[dt.date, int, int]] = []
        self.times: list[tuple[int, int, int]] = []
        self.offsets: set[float] = set()
        self.idents: set[str] = set()
        self.terms: set[int] = set()
        for k, p in enumerate(pieces):
            for y, mo, d, obj in p.dates:
                self.dates.add((y, mo, d))
                self.month_days.add((mo, d))
                try:
                    self.date_list.append((dt.date(y, mo, d), k, obj))
                except ValueError:
                    pass
            self.month_years |= p.month_years
            self.times.extend((m, k, obj) for m, obj in p.times)
            self.offsets.update(p.offsets)
            self.idents |= p.idents
            self.terms.update(p.terms)
        self.answer: list[Fact] = []
        self._derived: list[Derived] | None = None
        self._derived_vals: list[float] = []
        self._distinct: list[dict[str, set[int]]] | None = None

    # -- derived values of the data (built on first need) ------------------------------------------
    def derived(self) -> tuple[list[float], list[Derived]]:
        if self._derived is None:
            out: list[Derived] = []
            for p in self.pieces:
                for col in p.columns:
                    _column_values(col, out)
                for grp in p.groups:
                    _pair_values(grp, out, same_object=True)
                for col in p.columns:
                    if len(col) <= 12:
                        _pair_values(col, out, same_object=False)
                for scalars, cols in p.parents:
                    for col in cols:
                        _scalar_and_column(scalars, col, out)
            out.sort(key=lambda d: d.v)
            self._derived = out
            self._derived_vals = [d.v for d in out]
        return self._derived_vals, self._derived

    def distinct(self, k: int) -> dict[str, set[int]]:
        """Label word -> the objects of piece k it names (words no sibling object shares)."""
        if self._distinct is None:
            self._distinct = [_distinct_labels(p) for p in self.pieces]
        return self._distinct[k]


f_piece: dict[int, Piece] = {}  # id(fact) -> its piece (pieces are cached, facts live as long)


def piece_of(f: Fact) -> Piece | None:
    return f_piece.get(id(f))


# -- the data's derived values ------------------------------------------------------------------------
def _same_unit(a: Fact, b: Fact) -> bool:
    """Can a and b be added: the same unit, or one of them of unknown kind beside an amount."""
    if a.unit is not None or b.unit is not None:
        return a.unit == b.unit
    if a.dim == b.dim:
        return a.dim is not None or (a.dec > 0) == (b.dec > 0)  # 287.27 - 1 (bags) is no amount
    # an amount and a number of unknown kind add up only when that number looks like an amount
    return (a.dim is None and b.dim == "money" and a.dec > 0) or (b.dim is None and a.dim == "money" and b.dec > 0)


def _column_values(col: list[Fact], out: list[Derived], plain: bool = False) -> None:
    first = col[0]
    if not all(_same_unit(first, f) for f in col):
        return
    vals = [(-f.v if f.neg else f.v) for f in col]
    n = len(vals)
    total = sum(vals)
    d, u, c, p = first.dim, first.unit, first.cur, first.per
    out.append(Derived(total, d, u, c, p, kind="sum"))
    out.append(Derived(sum(abs(x) for x in vals), d, u, c, p, kind="sum"))
    out.append(Derived(total / n, d, u, c, p, kind="mean"))
    pos = [x for x in vals if x > 0]
    neg = [-x for x in vals if x < 0]
    if pos and neg:
        out.append(Derived(sum(pos), d, u, c, p, kind="sum"))
        out.append(Derived(sum(neg), d, u, c, p, kind="sum"))
        out.append(Derived(float(len(pos)), None, None, None, None, kind="count"))
        out.append(Derived(float(len(neg)), None, None, None, None, kind="count"))
    if plain and 4 <= n <= 12 and n % 2 == 0:  # the halves of a list ("59-47 at halftime" from quarter scores)
        out.append(Derived(sum(vals[: n // 2]), d, u, c, p, kind="sum"))
        out.append(Derived(sum(vals[n // 2:]), d, u, c, p, kind="sum"))


def _pair_values(fs: list[Fact], out: list[Derived], same_object: bool) -> None:
    fs = [f for f in fs if f.per != "__len__" and (not f.pct_of or f.src == "data")][:24]
    n = len(fs)
    for i in range(n):
        a = fs[i]
        for j in range(i + 1, n):
            b = fs[j]
            if not a.v or not b.v:
                continue
            if _same_unit(a, b) and (a.cur == b.cur or a.cur is None or b.cur is None):
                if same_object or len(fs) == 2:  # two items of a longer list are not a total of anything
                    out.append(Derived(a.v + b.v, a.dim, a.unit, a.cur or b.cur, a.per, kind="sum"))
                out.append(Derived(abs(a.v - b.v), a.dim, a.unit, a.cur or b.cur, a.per, kind="diff"))
            if (a.dim == "percent") != (b.dim == "percent"):
                amount, rate = (b, a) if a.dim == "percent" else (a, b)
                r = rate.v / 100
                per = amount.per if amount.per != "__len__" else None
                xs = (amount.v * r, amount.v * (1 + r), amount.v * (1 - r)) if amount.dec or amount.dim else (amount.v * r,)
                for x in xs:  # a discount or a surcharge applies to an amount, a share to a count
                    out.append(Derived(x, amount.dim, amount.unit, amount.cur, per, kind="product"))
                continue
            out.append(_product(a, b))
            out.append(_ratio(a, b))
            out.append(_ratio(b, a))


def _product(a: Fact, b: Fact) -> Derived:
    """a x b in the unit of the operand that has one (the other is a count, a rate or a share)."""
    if a.dim == "percent" or (b.dim is None and b.unit is None and a.dim is not None):
        main, other = a, b
    else:
        main, other = b, a
    if main.dim == "percent":
        main, other = other, main
    return Derived(a.v * b.v, main.dim, main.unit, main.cur, main.per if main.per != "__len__" else None, kind="product")


def _ratio(a: Fact, b: Fact) -> Derived:
    """a / b: a rate of a per b (per game, per seat, per km), or a plain ratio of like numbers."""
    if _same_unit(a, b) and a.dim is not None:
        return Derived(a.v / b.v, None, None, None, None, b.toks, kind="ratio")
    per_toks = b.toks | ({b.unit.dim} if b.unit is not None else set())
    return Derived(a.v / b.v, a.dim, a.unit, a.cur, None, frozenset(per_toks), kind="rate")


def _scalar_and_column(scalars: list[Fact], col: list[Fact], out: list[Derived]) -> None:
    """opening balance + transactions, gross - deductions, opening + receipts - issues."""
    first = col[0]
    total = sum((-f.v if f.neg else f.v) for f in col)
    mag = sum(f.v for f in col)
    for s in scalars:
        if not _same_unit(s, first) or s.per == "__len__":
            continue
        base = -s.v if s.neg else s.v
        for t in (total, mag, -mag):
            out.append(Derived(base + t, s.dim, s.unit, s.cur or first.cur, s.per, kind="sum"))


def _distinct_labels(p: Piece) -> dict[str, set[int]]:
    by_parent: dict[int, list[int]] = {}
    for oid, o in p.objs.items():
        by_parent.setdefault(o.parent, []).append(oid)
    out: dict[str, set[int]] = {}
    for parent, kids in by_parent.items():
        if len(kids) < 2:
            continue
        counts: dict[str, int] = {}
        for k in kids:
            for t in p.objs[k].labels:
                counts[t] = counts.get(t, 0) + 1
        for k in kids:
            for t in p.objs[k].labels:
                if counts[t] == 1:
                    out.setdefault(t, set()).add(k)
    return out


# -- matching ---------------------------------------------------------------------------------------
def _currency_ok(claim_cur: str | None, fact_cur: str | None) -> bool:
    if claim_cur is None or fact_cur is None:
        return True
    if claim_cur == fact_cur:
        return True
    return claim_cur == "USD" and fact_cur in _DOLLAR_LIKE  # "$" is any dollar


def _period_of(f: Fact) -> str | None:
    p = f.per
    if p in PERIOD_NAMES:
        return p
    if p is None and f.toks & _ANNUAL_WORDS and f.dim == "money":
        return "year"
    return None


PERIOD_NAMES = frozenset(PERIODS.values())


def _noun_ok(c: Claim, f: Fact) -> bool:
    """Does the fact count what the claim counts? ("10 seats" is not the 10 GB of storage)."""
    noun = c.noun
    if noun is None or c.unit is not None or f.src == "user" or not c.integer or c.kind == "money":
        return True
    if f.dim is not None and f.dim not in ("money",):
        return False if f.dim not in ("percent",) else False
    words = _SYNONYMS.get(noun, {noun})
    if f.toks & words or noun in f.toks:
        return True
    if any(t.startswith(noun) or noun.startswith(t) for t in f.toks if len(t) >= 3 and len(noun) >= 3):
        return True
    pc = piece_of(f)
    if pc is not None:
        o = pc.objs.get(f.obj)
        if o is not None and (o.labels & words or noun in o.labels):
            return True
    if f.per == "__len__":
        return noun not in _EVENT_NOUNS
    return False


def _per_ok(c: Claim, per: str | None, rate_toks: frozenset[str] = frozenset()) -> bool:
    cp = c.per
    if cp is None:
        return True
    if cp in PERIOD_NAMES:
        return per is None or per not in PERIOD_NAMES or per == cp
    return True


def fact_ok(c: Claim, f: Fact, period_needed: bool = True) -> bool:
    if not _currency_ok(c.currency, f.cur):
        return False
    cd, fd = c.dim, f.dim
    if c.kind == "percent":
        if fd not in ("percent", None, "pp"):
            return False
        if fd is None and f.src == "data" and f.key:
            return False  # a JSON number that is not a rate is not a percentage
    elif cd is not None:
        if fd is not None and fd != cd:
            return False
        if fd is None and cd not in ("money",) and f.key and f.src == "data":
            return False  # "36 minutes" is not the 36 of `team_reb`
    elif fd == "money" and c.kind == "number" and c.noun is not None and c.integer:
        return False  # "50 seats" is a count, not the $49.99 a seat costs
    elif fd is not None and c.kind == "number" and c.noun is not None and fd not in ("money",):
        if fd == "time" and c.noun in ("day", "night", "week", "hour", "minute", "month", "year"):
            return True
        return False
    if period_needed:
        fp = _period_of(f)
        cp = c.per if c.per in PERIOD_NAMES else None
        if cp is not None and fp is not None and fp != cp:
            return False
    return _noun_ok(c, f)


def lookup(idx: Index, c: Claim, v: float, tol: float) -> Iterable[Fact]:
    """Facts whose value equals v within tol, in the claim's units when it has one."""
    if c.unit is not None and c.unit.dim in idx.by_b:
        target = to_base(v, c.unit, c.inverse)
        t = tol_to_base(v, tol, c.unit, c.inverse)
        vals, facts = idx.by_b[c.unit.dim]
        i = bisect.bisect_left(vals, target - t * 1.000001 - 1e-12)
        while i < len(vals) and vals[i] <= target + t * 1.000001 + 1e-12:
            yield facts[i]
            i += 1
    i = bisect.bisect_left(idx.vals, v - tol)
    while i < len(idx.vals) and idx.vals[i] <= v + tol:
        f = idx.facts[idx.by_v[i][1]]
        if f.unit is None or c.unit is None or f.unit.dim != c.unit.dim:
            yield f
        i += 1
    for f in idx.answer:
        if abs(f.v - v) <= tol and (c.unit is None or f.unit is None or f.unit == c.unit):
            yield f


def near(vals: list[float], v: float, tol: float) -> int:
    i = bisect.bisect_left(vals, v - tol)
    return i if i < len(vals) and vals[i] <= v + tol else -1


# -- the subject of a claim ----------------------------------------------------------------------------
def mentions(idx: Index, text: str, c: Claim, sent_start: int, sent_end: int) -> tuple[list[tuple[int, set[int]]], list[str]]:
    """Objects named near the claim (nearest first, per piece), and the words just before it."""
    before = [(m.start(), m.group(0)) for m in _WORD.finditer(text, max(sent_start, c.start - 160), c.start)]
    before = before[-_MENTION_BACK:]
    cut = max(text.rfind(";", sent_start, c.start), text.rfind("\n", sent_start, c.start))
    before = [(p, w) for p, w in before if p > cut]
    after = [(m.start(), m.group(0)) for m in _WORD.finditer(text, c.end, min(sent_end, c.end + 80))][:_MENTION_FWD]
    return [(p, w) for p, w in reversed(before)] + after, [w.lower() for _, w in before[-_KEY_BACK:]]


def owner_ok(idx: Index, f: Fact, words: list[tuple[int, str]], close: list[str], c: Claim) -> bool:
    """The fact belongs to the entity the sentence names next to the claim (or none is named)."""
    pc = piece_of(f)
    if pc is None or f.src != "data":
        return True
    k = idx.pieces.index(pc) if pc in idx.pieces else -1
    if k < 0:
        return True
    distinct = idx.distinct(k)
    if distinct and not c.range_with:
        chain = _chain(pc, f.obj)
        for _, w in words:
            low = w.lower()
            objs = distinct.get(stem(low)) or distinct.get(low)
            if not objs:
                continue
            if objs & chain:
                break
            return False
    o = pc.objs.get(f.obj)
    if o is not None and f.key and close and len(o.keys) + len(o.text_keys) > 1:
        own = {stem(t) for t in re.split(r"[^a-z0-9]+", f.key) if t}
        if any(stem(w) in own for w in close):
            return True
        for k2 in list(o.keys) + list(o.text_keys):
            if k2.lower() == f.key:
                continue
            toks = {stem(t) for t in re.split(r"[^a-z0-9]+", k2.lower()) if t and len(t) >= 3} - own
            toks -= {"total", "amount", "value", "count", "number", "rate", "per", "avg", "max", "min"}
            if toks and any(stem(w) in toks for w in close):
                return False
    return True


def _chain(pc: Piece, obj: int) -> set[int]:
    out = set()
    while obj >= 0 and obj not in out:
        out.add(obj)
        o = pc.objs.get(obj)
        if o is None:
            break
        obj = o.parent
    return out
