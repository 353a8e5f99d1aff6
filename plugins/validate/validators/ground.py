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

A value that the data states for a sibling is bound there and is a sure failure: another entity
named next to the claim, another key of the same object named by the noun the claim counts
("3,200 stars" for `forks_count`), or the data's number with the other direction ("up 4%" for
a change of -4 %, a profit for `net_loss`). A name that several entities share, a clause that
names the fact's own entity as well, or a number right after "from" / "versus" binds nothing.

Related operands keep the search small and keep coincidences out: an arbitrary pair of numbers
from different objects can sum to almost anything.
"""
from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from typing import Any, Iterable

from .claims import Claim, _DOLLAR_LIKE, _NOUN_STOP
from .facts import ALIAS as _ALIAS, Fact, Piece, SIGN_WORD, direction_of, fact_sign  # noqa: F401 - fact_sign: re-exported (tests)
from .units import _UNIT_WORDS as UNIT_WORDS, DIM_WORDS, PERIODS, Unit, stem, to_base, tol_to_base

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
_GENERIC_COUNTS = frozenset(("capacity", "limit", "max", "maximum", "quota", "allowance", "size", "headcount"))
# Words that name a count only the data itself can give (never an unrelated equal number).
_EVENT_NOUNS = frozenset(("time", "restart", "attempt", "retry", "visit", "crash"))
_MENTION_BACK = 14  # words scanned back from a claim for the entity it is about
_MENTION_FWD = 6
_KEY_BACK = 3
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*|\d+[A-Za-z]+[A-Za-z0-9]*")


class Derived:
    __slots__ = ("v", "dim", "unit", "cur", "per", "rate_toks", "kind", "den", "of")

    def __init__(self, v: float, dim: str | None, unit: Unit | None, cur: str | None, per: str | None,
                 rate_toks: frozenset[str] = frozenset(), kind: str = "", den: Unit | None = None) -> None:
        self.v, self.dim, self.unit, self.cur, self.per, self.rate_toks, self.kind = abs(v), dim, unit, cur, per, rate_toks, kind
        self.den = den  # a rate's denominator unit (a pace per km converts to one per mile)
        self.of: Fact | None = None  # an operand, when both come from one object: the entity the value belongs to


class Index:
    """The facts of one request's conversation, and the answer's verified claims as it goes."""

    def __init__(self, pieces: list[Piece], meta: list[Any] | None = None) -> None:
        self.pieces = pieces
        self.piece_no = {id(p): k for k, p in enumerate(pieces)}
        self.facts: list[Fact] = [f for p in pieces for f in p.facts]
        self.by_v = sorted(((f.v, i) for i, f in enumerate(self.facts)), key=lambda x: x[0])
        self.vals = [v for v, _ in self.by_v]
        self.by_b: dict[str, tuple[list[float], list[Fact]]] = {}
        tmp: dict[str, list[tuple[float, Fact]]] = {}
        for f in self.facts:
            if f.unit is not None:
                # -7 °C is 19 °F and never 7 °C: a temperature is compared with its sign
                b = to_base(-f.v, f.unit) if f.neg and f.unit.dim == "temp" else f.b
                tmp.setdefault(f.unit.dim, []).append((b, f))
        for d, xs in tmp.items():
            xs.sort(key=lambda x: x[0])
            self.by_b[d] = ([b for b, _ in xs], [f for _, f in xs])
        self.dates: set[tuple[int, int, int]] = set()
        self.date_owners: dict[tuple[int, int, int], list[Fact]] = {}
        self.month_days: set[tuple[int, int]] = set()
        self.month_years: set[tuple[int, int]] = set()
        self.date_list: list[tuple[dt.date, int, int]] = []
        self.times: list[tuple[int, int, int]] = []
        self.offsets: set[float] = set()
        self.moments: list[float] = []
        self.utc_moments: list[float] = []
        self.zones: set[float] = set()
        self.idents: set[str] = set()
        self.code_numbers: set[tuple[str, str]] = set()
        self.terms: set[int] = set()
        for k, p in enumerate(pieces):
            for y, mo, d, obj, key in p.dates:
                self.dates.add((y, mo, d))
                self.month_days.add((mo, d))
                try:
                    self.date_list.append((dt.date(y, mo, d), k, obj))
                except ValueError:
                    pass
                holder = Fact(0.0, None, "date", None, None, key, frozenset(), obj, p.facts[0].src if p.facts else "data", 0)
                holder.pc = p
                self.date_owners.setdefault((y, mo, d), []).append(holder)
            self.month_years |= p.month_years
            self.times.extend((m, k, obj) for m, obj in p.times)
            self.offsets.update(p.offsets)
            self.moments.extend(p.moments)
            self.utc_moments.extend(p.utc_moments)
            self.zones.update(p.zones)
            self.idents |= p.idents
            self.code_numbers |= p.code_numbers
            self.terms.update(p.terms)
        self.answer: list[Fact] = []
        # rates (a price per night, a growth per day, a speed): the few facts a quantity multiplies or divides
        self.rates: list[Fact] = [f for f in self.facts if (f.per is not None and f.per not in ("__len__", "__weighted__"))
                                  or (f.unit is not None and f.unit.dim in ("speed", "fuel"))]
        self.user: list[Fact] = [f for f in self.facts if f.src == "user"][:24]
        self.stale: dict[int, Fact] = superseded(pieces)  # id of a fact a later user message corrects -> the correction
        self.stale_dates: set[tuple[int, int, int]] = set()  # dates only a re-fetched tool result stated
        self.stale_minutes: set[int] = set()
        if meta is not None and any(m is not None for m in meta):
            fs, self.stale_dates, self.stale_minutes = refetched(pieces, meta)
            if fs:
                self.stale = {**fs, **self.stale}
        if self.stale:
            self.user = [f for f in self.user if id(f) not in self.stale]  # (a corrected price combines no more)
            self.rates = [f for f in self.rates if id(f) not in self.stale]
        self._derived: list[Derived] | None = None
        self.memo: dict[str, Any] = {}  # tables the grounding builds once per request (percent pairs, gaps...)
        self._derived_vals: list[float] = []
        self._distinct: list[dict[str, set[int]]] | None = None

    # -- derived values of the data (built on first need) ------------------------------------------
    def derived(self) -> tuple[list[float], list[Derived]]:
        if self._derived is None:
            out: list[Derived] = []
            stale = self.stale
            for p in self.pieces:
                if stale and any(id(f) in stale for f in p.facts):
                    out.extend(_corrected_derived(p, stale))  # (not cached: the corrections are this conversation's)
                else:
                    out.extend(piece_derived(p))
            out.sort(key=lambda d: d.v)
            self._derived = out
            self._derived_vals = [d.v for d in out]
        return self._derived_vals, self._derived

    def distinct(self, k: int) -> dict[str, set[int]]:
        """Label word -> the objects of piece k it names (words no sibling object shares)."""
        p = self.pieces[k]
        if p.distinct is None:
            p.distinct = _distinct_labels(p)
        return p.distinct


def piece_derived(p: Piece) -> list[Derived]:
    """What one message's numbers derive (cached on the piece: it depends on that message only)."""
    if p.derived is None:
        out: list[Derived] = []
        for col, key in zip(p.columns, p.column_keys):
            _column_values(col, out, key)
        for grp in p.groups:
            _pair_values(grp, out, same_object=True)
        for line in p.lines:
            _pair_values(line, out, same_object=True, adjacent=True)
            if len(line) >= 3:
                _line_totals(line, out)
        for col in p.columns:
            if len(col) <= 12:
                _pair_values(col, out, same_object=False)
        for scalars, cols in p.parents:
            for col in cols:
                _scalar_and_column(scalars, col, out)
        p.derived = out
    return p.derived


class _Corrected:
    """A piece's structure with its superseded facts replaced by their corrections (a column total
    with East's re-weighed harvest, not the first weighing)."""

    def __init__(self, p: Piece, stale: dict[int, Fact]) -> None:
        def fix(fs: list[Fact]) -> list[Fact]:
            return [stale.get(id(f), f) for f in fs]
        self.columns = [fix(c) for c in p.columns]
        self.column_keys = p.column_keys
        self.groups = [fix(g) for g in p.groups]
        self.lines = [fix(x) for x in p.lines]
        self.parents = [(fix(sc), [fix(c) for c in cols]) for sc, cols in p.parents]
        self.derived: Any = None


def _corrected_derived(p: Piece, stale: dict[int, Fact]) -> list[Derived]:
    return piece_derived(_Corrected(p, stale))  # type: ignore[arg-type]


def piece_of(f: Fact) -> Piece | None:
    return f.pc


# -- the data's derived values ------------------------------------------------------------------------
def _same_unit(a: Fact, b: Fact) -> bool:
    """Can a and b be added: the same unit, or one of them of unknown kind beside an amount."""
    if a.unit is not None or b.unit is not None:
        return a.unit == b.unit
    if a.dim == b.dim:
        return a.dim is not None or (a.dec > 0) == (b.dec > 0)  # 287.27 - 1 (bags) is no amount
    # an amount and a number of unknown kind add up only when that number looks like an amount
    return (a.dim is None and b.dim == "money" and a.dec > 0) or (b.dim is None and a.dim == "money" and b.dec > 0)


def _column_values(col: list[Fact], out: list[Derived], key: str = "") -> None:
    first = next((f for f in col if f.v), col[0])
    plain = not first.key or first.key == key.lower()  # a list of numbers, not a key across objects
    items = frozenset({stem(t) for t in _NON_ALNUM.split(key.lower()) if t} | {"item", "each", "entry"})
    if not all(_same_unit(first, f) for f in col if f.v):  # (a zero adds nothing: "parts": 0 on a labor-only line)
        return
    vals = [(-f.v if f.neg else f.v) for f in col]
    n = len(vals)
    total = sum(vals)
    d, u, c, p = first.dim, first.unit, first.cur, first.per
    out.append(Derived(total, d, u, c, p, kind="sum"))
    if not (any(x < 0 for x in vals) and any(x > 0 for x in vals)):
        # (all of one sign: the total as a magnitude, "spent $205.45" of -54.20, -112.85, -38.40; a column
        # with gains and losses has no total of magnitudes: that is a loss added as a gain)
        out.append(Derived(sum(abs(x) for x in vals), d, u, c, p, kind="sum"))
    out.append(Derived(total / n, d, u, c, p, items, kind="mean"))
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


def _line_totals(line: list[Fact], out: list[Derived]) -> None:
    """The total of three or more numbers of one kind listed in a line of prose ("floor 1,950 at
    $145; lower bowl 3,420 at $98; upper bowl 2,210 at $62": 7,580 tickets)."""
    buckets: dict[tuple[Any, ...], list[Fact]] = {}
    for f in line:
        if f.per == "__len__" or f.dim == "percent" or not f.v:
            continue
        buckets.setdefault((f.dim, f.unit, f.cur, f.per, f.dec > 0), []).append(f)
    for fs in buckets.values():
        n = len(fs)
        if not 3 <= n <= 10:
            continue
        a = fs[0]
        for i in range(n - 2):  # every run of three or more in a row (the line may also hold a capacity, a count)
            total = fs[i].v + fs[i + 1].v
            for j in range(i + 2, n):
                total += fs[j].v
                out.append(Derived(total, a.dim, a.unit, a.cur, a.per, kind="sum"))


def _operands_ok(a: Fact, b: Fact) -> bool:
    """The smaller of two numbers added or subtracted is not a stray cent or a list position."""
    lo, hi = (a.v, b.v) if a.v <= b.v else (b.v, a.v)
    if a.dec > 0 or b.dec > 0 or a.dim == "money":
        return lo >= _MIN_AMOUNT
    return lo >= hi * _MIN_SHARE


_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_MIN_AMOUNT = 0.5
_UNIT_KEYS = frozenset(("g", "mg", "kg", "ms", "gb", "mb", "kb", "tb", "km", "mi", "usd", "eur", "gbp", "pct", "min", "kwh", "lb"))
_MIN_SHARE = 0.02


def _pair_values(fs: list[Fact], out: list[Derived], same_object: bool, adjacent: bool = False) -> None:
    if same_object and not adjacent:
        start = len(out)
        _pairs(fs, out, True, False)
        if fs:
            for d in out[start:]:
                d.of = fs[0]  # (the object the values come from: it owns them)
        return
    _pairs(fs, out, same_object, adjacent)


def _pairs(fs: list[Fact], out: list[Derived], same_object: bool, adjacent: bool) -> None:
    fs = [f for f in fs if f.per != "__len__" and (not f.pct_of or f.src == "data")][:24]
    n = len(fs)
    crowded = same_object and not adjacent and n > 6  # a nutrition label, a box score: its fields do not add up
    for i in range(n):
        a = fs[i]
        for j in range(i + 1, n):
            b = fs[j]
            if not a.v or not b.v:
                continue
            if _same_unit(a, b) and (a.cur == b.cur or a.cur is None or b.cur is None) and _operands_ok(a, b) \
                    and a.per == b.per and not (crowded and not (_key_set(a.key) & _key_set(b.key)) - _UNIT_KEYS):
                if a.dim == "temp":  # temperatures differ with their signs (14 °F and -7 °F are 21 apart) and never add up
                    out.append(Derived(abs((-a.v if a.neg else a.v) - (-b.v if b.neg else b.v)), a.dim, a.unit, None, a.per, kind="diff"))
                    continue
                if (same_object and (a.dim is not None or a.dec > 0)) or len(fs) == 2:
                    # two items of a longer list are no total; a box score's points plus rebounds are nothing
                    out.append(Derived(a.v + b.v, a.dim, a.unit, a.cur or b.cur, a.per, kind="sum"))
                out.append(Derived(abs(a.v - b.v), a.dim, a.unit, a.cur or b.cur, a.per, kind="diff"))
            if adjacent and j != i + 1:
                continue  # in prose only neighbours multiply ("3 x 19.99"); a far-away 10 adds a zero
            if (a.dim == "percent") != (b.dim == "percent"):
                amount, rate = (b, a) if a.dim == "percent" else (a, b)
                r = rate.v / 100
                per = amount.per if amount.per not in (None, "__len__") else rate.per  # balance x APY: a year's interest
                xs = (amount.v * r, amount.v * (1 + r), amount.v * (1 - r)) if amount.dec or amount.dim else (amount.v * r,)
                for x in xs:  # a discount or a surcharge applies to an amount, a share to a count
                    out.append(Derived(x, amount.dim, amount.unit, amount.cur, per, kind="product"))
                continue
            econ = fuel_economy(a, b)
            if econ is not None:  # km and litres of one record: its fuel economy (km/L, L/100 km, mpg)
                out.append(Derived(econ, "fuel", _KM_PER_L, None, None, kind="ratio"))
            prod = _product(a, b) if (a.dec or b.dec or a.dim or b.dim) else None  # (11 turnovers x 3 is nothing)
            if prod is not None:
                out.append(prod)
            out.append(_ratio(a, b))
            out.append(_ratio(b, a))


_KM_PER_L = Unit("fuel", 1.0)


def fuel_economy(a: Fact, b: Fact) -> float | None:
    """A distance over a volume of fuel, in km per litre (base units: metres and millilitres)."""
    if a.unit is None or b.unit is None or not a.b or not b.b:
        return None
    if a.unit.dim == "length" and b.unit.dim == "volume":
        return a.b / b.b
    if a.unit.dim == "volume" and b.unit.dim == "length":
        return b.b / a.b
    return None


def rate_of(r: Fact, q: Fact) -> bool:
    """Is r a rate per what q measures: $189 a night x 4 nights, $0.1375 per kWh x 840 kWh, 15 mg/kg x 22 kg."""
    per = r.per
    if per is None or per == "__len__":
        return False
    if q.unit is not None and q.unit.dim == "time" and per in PERIOD_NAMES:
        return True
    if q.unit is not None:
        u = UNIT_WORDS.get(per)
        if u is not None and u.dim == q.unit.dim:
            return True
    return per in q.toks or stem(per) in q.toks


def quantity_per(r: Fact, q: Fact) -> float:
    """q in the unit r is a rate per: 5 mg per kg for a 44 lb patient takes 19.96 (kg), not 44."""
    per = UNIT_WORDS.get(r.per) if r.per else None
    if per is not None and q.unit is not None and per.dim == q.unit.dim and per != q.unit and per.dim != "temp" and per.factor:
        return q.b / per.factor
    return q.v


def _product(a: Fact, b: Fact) -> Derived | None:
    """a x b: a rate times what it is per, or an amount times a count (the result keeps the unit)."""
    for r, q in ((a, b), (b, a)):
        if rate_of(r, q):
            return Derived(r.v * quantity_per(r, q), r.dim, r.unit, r.cur, None, kind="product")
    if b.dim is None and b.unit is None:
        main, other = a, b
    elif a.dim is None and a.unit is None:
        main, other = b, a
    else:
        return None  # kilograms times kilograms are nothing anyone states
    per = main.per if main.per not in (None, "__len__") else (other.per if other.per in PERIOD_NAMES else None)
    return Derived(a.v * b.v, main.dim, main.unit, main.cur, per, kind="product")  # (balance x APY: a year's interest)


_SECONDS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0, "week": 604800.0, "month": 2629746.0,
            "quarter": 7889238.0, "year": 31556952.0, "biweek": 1209600.0}


def quotient(a: Fact, b: Fact) -> tuple[float, str] | None:
    """a / b in base units when the units say what it is: 88 GB at 4 GB a day is 22 days, 480 km
    at 80 km/h is 6 hours, 350 miles at 7 mpg is 50 gallons."""
    if not b.b:
        return None
    ad = a.unit.dim if a.unit is not None else None
    bd = b.unit.dim if b.unit is not None else None
    if ad == "length" and bd == "speed":
        return a.b / b.b, "time"
    if ad == "length" and bd == "fuel":  # metres / (km per litre) -> millilitres
        return a.b / b.b, "volume"
    if b.per in _SECONDS and b.dim == a.dim and (a.dim is not None or (a.unit is None and b.unit is None and a.per is None)):
        return a.b / b.b * _SECONDS[b.per], "time"  # (96 vials at 16 a day, 90 tablets at 2 a day: days of supply)
    per_unit = UNIT_WORDS.get(b.per) if b.per else None
    if per_unit is not None and b.dim == a.dim and a.dim is not None:  # 200 mg at 50 mg per mL is 4 mL
        return a.b / b.b * per_unit.factor, per_unit.dim
    return None


def duration_of(a: Fact, b: Fact) -> float | None:
    q = quotient(a, b)
    return q[0] if q is not None and q[1] == "time" else None


def _ratio(a: Fact, b: Fact) -> Derived:
    """a / b: a rate of a per b (per game, per seat, per km), or a plain ratio of like numbers."""
    q = quotient(a, b)
    if q is not None:
        return Derived(q[0], q[1], Unit(q[1], 1.0), None, None, kind="duration")
    if _same_unit(a, b) and a.dim is not None:
        return Derived(a.v / b.v, None, None, None, None, b.toks, kind="ratio")
    per_toks = b.toks | ({b.unit.dim} if b.unit is not None else set())
    return Derived(a.v / b.v, a.dim, a.unit, a.cur, None, frozenset(per_toks), kind="rate", den=b.unit)


def _scalar_and_column(scalars: list[Fact], col: list[Fact], out: list[Derived]) -> None:
    """opening balance + transactions, gross - deductions, opening + receipts - issues."""
    first = col[0]
    total = sum((-f.v if f.neg else f.v) for f in col)
    mag = sum(f.v for f in col)
    for s in scalars:
        if s.per == "__len__":
            continue
        dim, cur = s.dim, s.cur or first.cur
        if not _same_unit(s, first):
            # a "balance" the key reads as money, in points or miles: a whole number without a
            # currency beside a column of whole numbers of no unit (88,510 + 6,240 + 1,500 - 12,000)
            if not (s.dim == "money" and s.cur is None and not s.dec and first.dim is None and first.unit is None
                    and all(not f.dec and f.dim is None for f in col)):
                continue
            dim, cur = None, None
        base = -s.v if s.neg else s.v
        for t in (total, mag, -mag):
            out.append(Derived(base + t, dim, s.unit, cur, s.per, kind="sum"))
        if s.dim is None and s.unit is None and s.v >= 2 and not s.dec and len(col) <= 12:
            # each record's figure over the whole's count: damage over the map's 24 rounds (ADR),
            # owned by that record (Kairo's 4,152 / 24 is Kairo's, not Vexa's)
            skey = _key_set(s.key) - _GENERIC_KEY
            for f in col:
                o = f.pc.objs.get(f.obj) if f.pc is not None else None
                if o is not None and any(_key_set(k) & skey for k in o.keys):
                    continue  # the record counts its own (Nair's 13 games, not the team's 14)
                if f.v and not f.neg and (f.dim is not None or f.v > s.v):
                    d = _ratio(f, s)
                    d.of = f
                    out.append(d)


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
    if c.per is not None and f.per is not None and same_per(c.per, f.per):
        return True  # "600 requests per minute" for `api_rate_limit_per_min`
    if f.dim is not None and f.dim not in ("money",):
        return False if f.dim not in ("percent",) else False
    words = _SYNONYMS.get(noun, {noun})
    if f.toks & words or noun in f.toks or f.toks & _GENERIC_COUNTS:
        return True  # ("340 of 400 seats": a `capacity` counts seats as well as anything)
    if any(_kin(t, noun) for t in f.toks):
        return True
    pc = piece_of(f)
    if pc is not None:
        o = pc.objs.get(f.obj)
        if o is not None and (o.labels & words or noun in o.labels):
            return True
    if f.per == "__len__":
        return noun not in _EVENT_NOUNS
    if f.src == "data" and f.key and f.obj >= 0 and f.toks and all(_state_word(t) for t in f.toks):
        return True  # {"enrolled": 214}, {"scrapped": 87}, {"avg_checked_in": 142}: the key says what happened, not to what
    key = f.key.replace("_", "")
    if 1 <= len(key) <= 3 and key.isalpha() and noun[:1] in key:  # abbreviations: fta, pts, reb, gp, ip
        return True
    return False


_STATE_WORDS = frozenset(("available", "count", "num", "number", "avg", "average", "mean", "median", "in", "out", "current", "open",
                          "active", "pending", "sold", "paid", "won", "lost", "left", "remaining", "total", "n", "daily",
                          "weekly", "monthly", "yearly", "annual", "today", "yesterday", "first", "last", "new", "net", "gross",
                          "ok", "failed", "passed", "done", "onhand", "on", "hand", "ahead", "free", "per", "max", "min"))


def _state_word(t: str) -> bool:
    """A key word that names a state or an event (`enrolled`, `scrapped`, `available`), no thing counted."""
    return t in _STATE_WORDS or (len(t) >= 5 and t.endswith("ed") and not t.endswith("eed"))


def _kin(a: str, b: str) -> bool:
    """Words of one family: "serves" / "service", "minutes" / "min", "transactions" / "transaction"."""
    if len(a) < 3 or len(b) < 3:
        return False
    if a.startswith(b) or b.startswith(a):
        return True
    k = 0
    for x, y in zip(a, b):
        if x != y:
            break
        k += 1
    return k >= 4


def same_per(a: str | None, b: str | None) -> bool:
    """"per gram" and "per g", "per minute" and "/min"."""
    if a is None or b is None:
        return False
    if a == b or stem(a) == stem(b):
        return True
    ua, ub = UNIT_WORDS.get(a), UNIT_WORDS.get(b)
    return ua is not None and ua == ub


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
        if fd is None and f.src == "data" and f.key and not f.textual:
            return False  # a JSON number that is not a rate is not a percentage ("2/10 net 30" in prose may be)
    elif cd is not None:
        if fd is not None and fd != cd:
            return False
        if fd is None and cd not in ("money",) and f.key and f.src == "data":
            words = DIM_WORDS.get(cd, frozenset())
            if not (f.toks & words or set(f.key.split("_")) & words):
                return False  # "36 minutes" is not the 36 of `team_reb`
    elif fd == "money" and c.kind == "number" and c.noun is not None and c.integer and f.dec:
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


_CORRECTION = re.compile(r"\b(?:correct(?:ed|ion)|changed?|moved|raised|lowered|dropped|cut|increased|decreased|reduced|updated|"
                         r"revised|re-?weighed|re-?read|re-?issued|docked|went up|went down|now)\b", re.IGNORECASE)
_GENERIC_TOKS = frozenset(("the", "a", "of", "to", "is", "was", "and", "by", "total", "amount", "value", "new", "now", "it", "we",
                           "our", "my", "your", "per", "at", "from", "this", "that", "today", "week", "month", "year"))


def superseded(pieces: list[Piece]) -> dict[int, Fact]:
    """Facts a later user message corrects: "the corrected East harvest is 315.0 t", "we raised
    liability to $500,000; the premium went up $48". The earlier fact of the same kind whose key or
    words the correction names (and, when its record has a name, whose name the line gives) no longer
    grounds a claim: a stale value, superseded in the conversation."""
    out: dict[int, Fact] = {}
    for k, p in enumerate(pieces):
        if k == 0 or not p.facts or p.facts[0].src != "user":
            continue
        for f in p.facts:
            if not f.textual or f.sign is None or f.dim == "percent" and f.pct_of:
                continue
            line, start = f.sign[0], f.sign[1]
            if _CORRECTION.search(line, 0, start) is None:
                continue
            words = {stem(w.lower().removesuffix("'s")) for w in _WORD.findall(line)}
            ftoks = {_ALIAS.get(t, t) for t in f.toks} - _GENERIC_TOKS
            hit = False
            for q in pieces[:k]:
                for g in q.facts:
                    if g.v == f.v or g.dim != f.dim or (g.unit is None) != (f.unit is None) or g.per == "__len__":
                        continue
                    if g.unit is not None and f.unit is not None and g.unit.dim != f.unit.dim:
                        continue
                    gtoks = ({_ALIAS.get(t, t) for t in g.toks} | _key_set(g.key)) - _GENERIC_TOKS
                    if not gtoks & ftoks:
                        continue
                    o = q.objs.get(g.obj)
                    if o is not None and o.parent >= 0 and o.labels and not any(stem(x) in words or x in words for x in o.labels):
                        continue  # another record's value (North's harvest when East's is corrected)
                    out[id(g)] = f
                    hit = True
            if not hit and f.per is not None or not hit and f.dim == "money":
                # "Correction: it went up to $70/month": no words to match, but one earlier number the user
                # gave of the same kind (a price a month) is the one corrected
                same = [g for q in pieces[:k] if q.facts and q.facts[0].src == "user" for g in q.facts
                        if g.v != f.v and g.dim == f.dim and g.per == f.per and (g.unit is None) == (f.unit is None)
                        and (g.unit is None or g.unit.dim == f.unit.dim)]
                if same and len({g.v for g in same}) == 1:
                    for g in same:
                        out[id(g)] = f
    return out


def _args(a: str) -> Any:
    try:
        return json.loads(a) if a else {}
    except ValueError:
        return a


def _same_call(a: Any, b: Any) -> bool:
    """Does call b fetch again what call a fetched: the same function with the same arguments (a flag
    added: "refresh", "recompute"), or after the user asked again, arguments that differ only in a
    number ("round": 5 -> 6)? Arguments that name another thing (another city, another id) do not."""
    if a.name != b.name or a.turn == b.turn:
        return False
    x, y = _args(a.args), _args(b.args)
    if not isinstance(x, dict) or not isinstance(y, dict):
        return x == y
    for k in x.keys() & y.keys():
        if x[k] == y[k]:
            continue
        if isinstance(x[k], (str, list, dict)) or isinstance(y[k], (str, list, dict)) or b.users <= a.users:
            return False
    return True


def _path(pc: Piece, obj: int, key: str) -> tuple[Any, ...]:
    parts: list[Any] = [key]
    seen = 0
    o = pc.objs.get(obj)
    while o is not None and seen < 8:
        if o.parent < 0:
            break
        parts.append(o.key or tuple(sorted(o.labels)))
        o = pc.objs.get(o.parent)
        seen += 1
    return tuple(parts)


_NEW_PREFIX = ("new_", "updated_", "revised_", "corrected_", "current_", "latest_", "adjusted_")
_OLD_PREFIX = ("old_", "previous_", "prior_", "original_", "former_")
_NEW_VALUE_KEYS = frozenset(("new", "new_value", "newvalue", "to", "after", "updated", "revised"))


def _renamed(key: str) -> str:
    """"new_due" -> "due": the key a result's updated value replaces ("" when none)."""
    k = key.lower()
    for p in _NEW_PREFIX:
        if k.startswith(p) and len(k) > len(p):
            return k[len(p):]
    return ""


# calls that change what they name, and result keys that say a change went through
_ACTION = re.compile(r"(?:update|set|change|modify|edit|apply|record|post|log|add|remove|cancel|reschedule|rebook|move|"
                     r"upgrade|downgrade|switch|adjust|approve|submit|create|book|transfer|pay|redeem|refund|renew|extend|"
                     r"assign|increase|decrease|raise|lower|reduce|register|finali[sz]e|complete|confirm|mark|save)(?:_|-|$|[A-Z])",
                     re.IGNORECASE)
_DONE_KEYS = frozenset(("ok", "success", "updated", "applied", "posted", "confirmed", "saved", "done", "changed", "recorded"))
_DELTA_TOKS = frozenset(("added", "add", "delta", "change", "diff", "difference", "increase", "decrease", "old", "previous",
                         "prev", "prior", "before", "original", "pct", "percent", "rate", "per", "avg", "average"))


def _updates(a: Any, b: Any, pb: Piece) -> bool:
    """Did call b (later) change the record call a read: an argument value they share names the
    record (the same account, patient, booking), no argument they share names another, and b is an
    action ("change_plan", "record_weight") or its result says it went through ({"ok": true})?"""
    if b.turn <= a.turn:
        return False
    x, y = _args(a.args), _args(b.args)
    if not isinstance(x, dict) or not isinstance(y, dict):
        return False
    for k in x.keys() & y.keys():
        if isinstance(x[k], str) and isinstance(y[k], str) and x[k] != y[k]:
            return False
    xs = {v for v in x.values() if isinstance(v, str) and v}
    if not any(isinstance(v, str) and v in xs for v in y.values()):
        return False
    if _ACTION.match(b.name):
        return True
    top = [o for o in pb.objs.values() if o.parent < 0]
    return bool(top) and any(o.text_keys & _DONE_KEYS for o in top)


_PROVISIONAL = frozenset(("estimate", "estimated", "requested", "claimed", "quoted", "quote", "pending", "proposed", "projected",
                          "preliminary", "provisional", "expected"))
_SETTLED = frozenset(("approved", "final", "settled", "actual", "confirmed", "awarded", "granted", "paid"))


def _settled(a: Piece, b: Piece, out: dict[int, Fact]) -> None:
    """A later result of the same record settles an earlier provisional value: {"estimate": 3120.0},
    then {"approved_amount": 2875.4}. One settled value of the dimension, and the later result
    states no provisional value of it itself."""
    later = [g for g in b.facts if g.key and g.src == "data"]
    done = [g for g in later if _key_set(g.key) & _SETTLED]
    if not done:
        return
    for f in a.facts:
        if not f.key or f.src != "data" or not _key_set(f.key) & _PROVISIONAL:
            continue
        same = [g for g in done if g.dim == f.dim or f.dim is None or g.dim is None]
        if len(same) != 1 or any(_key_set(g.key) & _PROVISIONAL for g in later):
            continue
        if abs(same[0].v - f.v) > 1e-9 * max(1.0, abs(f.v)):
            out.setdefault(id(f), same[0])


def refetched(pieces: list[Piece], meta: list[Any]) -> tuple[dict[int, Fact], set[tuple[int, int, int]], set[int]]:
    """Values a later tool result re-fetching the same thing replaced ("eta" 2026-12-08, then 2026-12-11
    after a refresh): facts of the earlier result (-> the later one's), and the dates and times of day
    that only the earlier result states."""
    out: dict[int, Fact] = {}
    old_dates: set[tuple[int, int, int]] = set()
    old_minutes: set[int] = set()
    stale_pieces: set[int] = set()
    tools = [(k, m) for k, m in enumerate(meta) if m is not None]
    for i, (kb, mb) in enumerate(tools):
        for ka, ma in tools[:i]:
            if pieces[ka] is pieces[kb] or not _same_call(ma, mb):
                continue
            a, b = pieces[ka], pieces[kb]
            new: dict[tuple[Any, ...], Fact] = {}
            for f in b.facts:
                if f.key and f.src == "data":
                    new.setdefault((_path(b, f.obj, f.key), f.dim), f)
            for f in a.facts:
                if not f.key or f.src != "data":
                    continue
                g = new.get((_path(a, f.obj, f.key), f.dim))
                if g is not None and abs(g.v - f.v) > 1e-9 * max(1.0, abs(f.v)):
                    out[id(f)] = g
            _settled(a, b, out)
            bd = {(_path(b, obj, key)): (y, mo, d) for y, mo, d, obj, key in b.dates}
            for y, mo, d, obj, key in a.dates:
                nd = bd.get(_path(a, obj, key))
                if nd is not None and nd != (y, mo, d):
                    old_dates.add((y, mo, d))
                    stale_pieces.add(ka)
            bt: dict[tuple[Any, ...], list[int]] = {}
            for m, obj in b.times:
                bt.setdefault(_path(b, obj, ""), []).append(m)
            at: dict[tuple[Any, ...], list[int]] = {}
            for m, obj in a.times:
                at.setdefault(_path(a, obj, ""), []).append(m)
            for pth, ms in at.items():
                nm = bt.get(pth)
                if nm is not None and len(ms) == 1 and len(nm) == 1 and ms[0] != nm[0]:
                    old_minutes.add(ms[0])
                    stale_pieces.add(ka)
    # a later call that changed the same record ("record_weight" after "get_weight_history" for the same
    # patient, {"ok": true, "monthly": 65.0} after the plan lookup): its value of a key replaces the earlier one's
    for i, (kb, mb) in enumerate(tools):
        for ka, ma in tools[:i]:
            a, b = pieces[ka], pieces[kb]
            if a is b or _same_call(ma, mb) or not _updates(ma, mb, b):
                continue
            later: dict[tuple[str, Any], list[Fact]] = {}
            for g in b.facts:
                if g.key and g.src == "data":
                    later.setdefault((g.key.lower(), g.dim), []).append(g)
            mine: dict[tuple[str, Any], int] = {}
            for f in a.facts:
                if f.key and f.src == "data":
                    mine[(f.key.lower(), f.dim)] = mine.get((f.key.lower(), f.dim), 0) + 1
            for f in a.facts:
                if not f.key or f.src != "data" or mine[(f.key.lower(), f.dim)] != 1:
                    continue
                gs = later.get((f.key.lower(), f.dim))
                if gs is None:  # {"raised": 41200} then {"campaign_raised": 51200}: the key widened by a qualifier
                    ks = _key_set(f.key)
                    gs = [g for (k2, d2), g2 in later.items() if d2 == f.dim and len(g2) == 1
                          and ks < _key_set(k2) and not (_key_set(k2) - ks) & _DELTA_TOKS for g in g2]
                if gs and len(gs) == 1 and abs(gs[0].v - f.v) > 1e-9 * max(1.0, abs(f.v)):
                    out[id(f)] = gs[0]
            _settled(a, b, out)
            bd = [(y, mo, d) for y, mo, d, _, key in b.dates]
            bkeys: dict[str, list[tuple[int, int, int]]] = {}
            for y, mo, d, _, key in b.dates:
                bkeys.setdefault(key.lower(), []).append((y, mo, d))
            for y, mo, d, _, key in a.dates:
                nd = bkeys.get(key.lower())
                if nd is not None and len(nd) == 1 and nd[0] != (y, mo, d) and (y, mo, d) not in bd:
                    old_dates.add((y, mo, d))
                    stale_pieces.add(ka)
            if len(a.times) == 1 and len(b.times) == 1 and a.times[0][0] != b.times[0][0]:
                old_minutes.add(a.times[0][0])
                stale_pieces.add(ka)
    # {"new_due": "2026-12-31"} after {"due": "2026-12-10"}; {"field": "premium_month", "new": 42.1}
    for i, (kb, _) in enumerate(tools):
        b = pieces[kb]
        new_facts: dict[tuple[str, Any], Fact] = {}
        for f in b.facts:
            base = _renamed(f.key)
            if base:
                new_facts.setdefault((base, f.dim), f)
        new_dates = {_renamed(key): (y, mo, d) for y, mo, d, _, key in b.dates if _renamed(key)}
        # {"old_rate": 19.75, "new_rate": 20.94}: the old value, wherever a key of that kind states it
        olds: list[tuple[set[str], Fact]] = []
        for f in b.facts:
            k = f.key.lower() if f.key else ""
            for p in _OLD_PREFIX:
                if k.startswith(p) and (k[len(p):], f.dim) in new_facts:
                    olds.append((_key_set(k[len(p):]), new_facts[(k[len(p):], f.dim)]))
                    olds[-1][0].add("__v%r" % f.v)
        changes = [(o.labels, g) for o in b.objs.values() if o.labels for k2, gs in o.keys.items()
                   if k2.lower() in _NEW_VALUE_KEYS for g in gs]
        if not new_facts and not new_dates and not changes:
            continue
        for ka, _ in tools[:i + 1]:
            a = pieces[ka]
            for f in a.facts:
                if not f.key or f.src != "data":
                    continue
                g = new_facts.get((f.key.lower(), f.dim))
                if g is None and olds:
                    ks = _key_set(f.key)
                    for toks, g2 in olds:
                        if "__v%r" % f.v in toks and toks - {"__v%r" % f.v} <= ks and g2.dim in (f.dim, None):
                            g = g2
                            break
                if g is None and changes:
                    ks = _key_set(f.key)
                    for labels, g2 in changes:
                        if g2 is not f and ks and ks <= labels and (f.dim is None or g2.dim is None or f.dim == g2.dim):
                            g = g2
                            break
                if g is not None and g is not f and abs(g.v - f.v) > 1e-9 * max(1.0, abs(f.v)):
                    out[id(f)] = g
            for y, mo, d, _, key in a.dates:
                nd = new_dates.get(key.lower())
                if nd is not None and nd != (y, mo, d):
                    old_dates.add((y, mo, d))
                    stale_pieces.add(ka)
    if old_dates or old_minutes:  # (a date or time another message states as well stays grounded)
        for k, p in enumerate(pieces):
            if k in stale_pieces:
                continue
            old_dates -= {(y, mo, d) for y, mo, d, _, _ in p.dates}
            old_minutes -= {m for m, _ in p.times}
    return out, old_dates, old_minutes


_NOW_WORDS = re.compile(r"\b(?:latest|current(?:ly)?|now|most recent|newest|today|this morning|right now|as of today)\b",
                        re.IGNORECASE)


def older_entries(idx: Index) -> dict[int, Fact]:
    """Facts of a dated list's earlier entries -> the same key's value in the latest-dated entry
    ({"results": [{"date": "2026-08-14", "value": 5.9}, {"date": "2026-11-30", "value": 3.1}]}:
    5.9 is no "latest" value). Only lists whose entries each carry one date, all different."""
    m = idx.memo.get("older")
    if m is not None:
        return m
    out: dict[int, Fact] = {}
    for p in idx.pieces:
        if not p.columns or not p.dates:
            continue
        when: dict[int, list[tuple[int, int, int]]] = {}
        for y, mo, d, obj, _ in p.dates:
            when.setdefault(obj, []).append((y, mo, d))
        for col in p.columns:
            if len(col) < 2 or any(f.src != "data" for f in col):
                continue
            ds = [when.get(f.obj) for f in col]
            if any(x is None or len(x) != 1 for x in ds):
                continue
            days = [x[0] for x in ds]  # type: ignore[index]
            if len(set(days)) != len(days):
                continue
            last = col[days.index(max(days))]
            for f in col:
                if f is not last and abs(f.v - last.v) > 1e-9 * max(1.0, abs(f.v)):
                    out[id(f)] = last
    idx.memo["older"] = out
    return out


def lookup(idx: Index, c: Claim, v: float, tol: float) -> Iterable[Fact]:
    """Facts whose value equals v within tol, in the claim's units when it has one."""
    if c.unit is not None and c.unit.dim in idx.by_b:
        target = to_base(-v if c.unit.dim == "temp" and c.change == "down" else v, c.unit, c.inverse)
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
        # a number the answer stated grounds its repetition in the same terms ("5 refills" is not "5 mg")
        if abs(f.v - v) <= tol and f.unit == c.unit and (f.dim == c.dim or c.kind == "number"):
            yield f
        elif abs(f.v - v) <= tol and v >= 10 and c.kind == "number" and c.unit is None and c.noun is None and f.dim != "percent":
            yield f  # a bare restatement in the next step of the work ("270 mg ÷ 32 mg/mL = 270 ÷ 32")


def near(vals: list[float], v: float, tol: float) -> int:
    i = bisect.bisect_left(vals, v - tol)
    return i if i < len(vals) and vals[i] <= v + tol else -1


# -- the subject of a claim ----------------------------------------------------------------------------
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'-]*|[$€£¥]?\d[\d,.:]*[A-Za-z%]*|[;(),.+=×/:]")
_STOP_AFTER = frozenset(("and", "or", "while", "but", "than", "versus", "vs", "whereas", "plus", "minus", "then", ";", "with",
                         "+", "=", "×", "/"))


_CLOSE_STOP = frozenset(("of", "from", "to", "than", "out", "in", "over", "for", "at", "on", "per", "with", "and", "or",
                         "by", "after", "before", "versus", "vs", "into", "across", "within"))


class Context:
    """The words around a claim: those right after it, before it up to the previous number, and
    before it past other numbers (nearest first)."""

    __slots__ = ("after", "near", "far", "close", "prev")

    def __init__(self, after: list[str], near: list[str], far: list[str], close: list[str], prev: str = "") -> None:
        self.after, self.near, self.far, self.close = after, near, far, close
        self.prev = prev  # the word right before the claim


def mentions(idx: Index, text: str, c: Claim, sent_start: int, sent_end: int) -> Context:
    toks = [m.group(0) for m in _TOKEN.finditer(text, max(sent_start, c.start - 200), c.start)][-_MENTION_BACK * 2:]
    near: list[str] = []
    far: list[str] = []
    crossed = False
    close: list[str] = []
    closing = True
    for i in range(len(toks) - 1, -1, -1):
        t = toks[i]
        if t == ";":
            break
        if (t == "," or t.lower() in _CLAUSE_JOIN) and _numbered_clause(toks, i):
            break  # "$189.00 to state tax, $252.00 to your 401(k)": the clause before is another number's
        if t == "," and i + 1 < len(toks) and _pronoun_clause(toks, i + 1) and _object_names(toks, i):
            break  # "in Midnight and Sand, and they're rated 4.4": the new clause's subject is a pronoun, not those names
        if _is_number(t):
            if i > 0 and t.isdigit() and len(t) <= 6 and toks[i - 1][:1].isalpha():
                (far if crossed else near).append(f"{toks[i - 1]} {t}")  # "section 104 has 14 seats": a record's number
            crossed = True
            closing = False
            continue
        if t in "(),.+=×/:":
            if t == "(" and i == len(toks) - 1:
                closing = False  # "below budget (15,320 vs 16,800)": a parenthesis opens the claim's own clause
            continue
        if (i > 0 and _is_number(toks[i - 1])) or (i > 1 and _is_number(toks[i - 2]) and toks[i - 1][0].isalpha()
                                                     and toks[i - 1].lower() not in _CLOSE_STOP) or _unit_tail(toks, i):
            crossed = True  # the unit or noun of an earlier number ("31 days and 930 kWh", "A 40 g serving has")
            closing = False
            far.append(t)
            continue
        low = t.lower()
        if closing and low in _CLOSE_STOP:
            closing = False  # "downtime out of 43,200": what comes before "of" is about another number
        elif closing and len(close) < _KEY_BACK:
            close.append(low)
        (far if crossed else near).append(t)
        if len(near) + len(far) >= _MENTION_BACK:
            break
    after: list[str] = []
    for m in _TOKEN.finditer(text, c.end, min(sent_end, c.end + 60)):
        t = m.group(0)
        if t == "(" and not after:
            continue
        if t.lower() in _STOP_AFTER or _is_number(t) or t in "),.:":
            break
        if t in "+=×/":
            break
        after.append(t)
        if len(after) >= 3:
            break
    return Context(after, near, far, close, toks[-1].lower() if toks else "")


def _unit_tail(toks: list[str], i: int) -> bool:
    """Is toks[i] the end of a compound unit of an earlier number ("9.2 t/ha", "23.0 L/100 km",
    "5 mg / kg"): unit words and slashes back to that number?"""
    slash = False
    j = i
    while j >= 0 and i - j <= 5:
        t = toks[j]
        if t == "/":
            slash = True
        elif t.isdigit() and j > 0 and toks[j - 1] == "/":
            pass  # "L/100 km"
        elif _is_number(t):
            return slash and j < i
        elif t.lower() not in UNIT_WORDS and t not in UNIT_WORDS:
            return False
        j -= 1
    return False


def _is_number(t: str) -> bool:
    return t[0].isdigit() or (t[0] in "$€£¥" and len(t) > 1)


_CLAUSE_JOIN = frozenset(("and", "but", "while", "whereas", "then"))


_SUBJECT_PRONOUNS = frozenset(("they", "they're", "it", "it's", "its", "he", "she", "he's", "she's", "we", "we're", "you", "you're"))


def _pronoun_clause(toks: list[str], j: int) -> bool:
    """Does the clause starting at toks[j] (after a comma, an optional conjunction) open with a subject pronoun?"""
    if j < len(toks) and toks[j].lower() in _CLAUSE_JOIN:
        j += 1
    return j < len(toks) and toks[j].lower().replace("’", "'") in _SUBJECT_PRONOUNS


_OBJECT_PREPS = frozenset(("in", "at", "from", "with", "for", "on", "by", "of", "to"))


def _object_names(toks: list[str], i: int) -> bool:
    """Are the words right before toks[i] (a comma) names after a preposition ("in Midnight and Sand"): the
    objects of the clause, not its subject ("Osprey, and it is rated 4.1": the pronoun is Osprey)?"""
    j = i - 1
    names = 0
    while j >= 0 and (toks[j][:1].isupper() or toks[j].lower() in ("and", "or", ",")):
        names += toks[j][:1].isupper()
        j -= 1
    return names > 0 and j >= 0 and toks[j].lower() in _OBJECT_PREPS


def _numbered_clause(toks: list[str], i: int) -> bool:
    """Does the clause that ends at toks[i] (a comma or a conjunction) state a number?"""
    for j in range(i - 1, -1, -1):
        t = toks[j]
        if t in (",", ";") or t.lower() in _CLAUSE_JOIN:
            return False
        if _is_number(t):
            return True
    return False


def owner_ok(idx: Index, f: Fact, ctx: Context, c: Claim) -> bool:
    """The fact belongs to the entity the sentence names next to the claim (or none is named):
    a name right after it ("$120.35 (Whole Foods)"), else the nearest before it ("Alice scored
    31 points"), else one before an earlier number ("gas (52 therms) cost $96.40"); and the
    sentence names no other attribute of its object."""
    return _owner_check(idx, f, ctx, c, attributes=True)


def entity_ok(idx: Index, f: Fact, ctx: Context, c: Claim) -> bool:
    """Only the entity half of owner_ok: for a value derived from f's object (heparin's 1,210
    vials over 110 a day are 11 days of heparin, not of ceftriaxone), whose attribute words name
    the derivation ("days of supply"), not one of the object's keys."""
    return _owner_check(idx, f, ctx, c, attributes=False)


def _owner_check(idx: Index, f: Fact, ctx: Context, c: Claim, attributes: bool) -> bool:
    if not f.key and f.src == "data" and _names_own_phrase(ctx, f):
        return True  # "the $49 enrollment fee" for "Enrollment fee $49, waived for Annual Prepaid"
    pc = piece_of(f)
    if pc is None or f.src not in ("data", "user") or f.per == "__len__" or f.obj < 0:
        return True  # (a count of a list's items is owned by the list, whatever item the sentence names)
    k = idx.piece_no.get(id(pc), -1)
    if k < 0:
        return True
    distinct = idx.distinct(k)
    if f.src == "user":
        # a number the user wrote in prose is theirs; a table they pasted has rows that own their cells
        # (only the rows of such a table compete: the lines of a message around it are no entities)
        if not f.key or f.obj not in pc.objs or not pc.objs[f.obj].keys:
            return True
        distinct = {t: s for t, s in distinct.items() if all(pc.objs[o].keys for o in s if o in pc.objs)}
        if not distinct:
            return True
    dated = f.dim == "date"  # a record's date is the date of all its attributes: no key check, no date words as names
    if distinct and not c.range_with and not _compared(ctx):
        chain = _chain(pc, f.obj)
        o0 = pc.objs.get(f.obj)
        # "the $68,400.00 trade price" for a trade's `price`: the attribute named right after the number is
        # the fact's own (a lower-case key, not a name such as "ETH"), not another entity
        own_key = _key_set(f.key) if f.key and o0 is not None and not any(
            k.lower() == f.key and _NAME_KEY.search(k) for k in o0.keys) else set()
        for words in (ctx.after, ctx.near, ctx.far):
            if own_key and words is ctx.after:
                words = [w for w in words if _ALIAS.get(stem(w.lower()), stem(w.lower())) not in own_key]
            if dated:
                words = [w for w in words if w.lower() not in _DATE_VOCAB]
                o = pc.objs.get(f.obj)
                if o is not None:  # {"collected": "2026-08-28", "creatinine": 1.0}: "creatinine ... since 2026-08-28"
                    own = set().union(*(_key_set(k2) for k2 in o.keys)) if o.keys else set()
                    if any(_ALIAS.get(stem(w.lower()), stem(w.lower())) in own for w in words):
                        break
            verdict = _named(pc, distinct, chain, f.obj, words)
            if verdict is not None:
                if not verdict:
                    return False
                break
    o = pc.objs.get(f.obj)
    if dated or not attributes:
        return True
    if o is not None and f.key and ctx.close and not c.range_with and len(o.keys) + len(o.empty_keys) > 1:
        own = _key_set(f.key)
        others = {k2: _key_set(k2) for k2 in list(o.keys) + list(o.empty_keys) if k2.lower() != f.key}
        shared = set().union(*others.values()) if others else set()
        close = {_ALIAS.get(x, x) for x in (stem(w) for w in ctx.close)}
        if _meets(close | {stem(w.lower()) for w in ctx.after}, own - shared):
            return True  # the sentence names this number's own key ("p95 ... 310 ms", "15 PTO days")
        for k2, toks in others.items():
            if c.unit is not None and o.keys.get(k2) and all(g.dim != c.unit.dim for g in o.keys[k2]):
                continue  # "the median build took 742 seconds" beside `builds`: a count names what is timed, not a time
            if _meets(close, toks - own - _GENERIC_KEY):
                return False  # it names another key of the same object ("deductible is $4,500", "ranking 5th")
    if o is not None and f.key and ctx.after and not c.range_with and len(o.keys) > 1:
        # the word right after the number names an attribute: "13.8% protein" for the moisture, "4,950 tier miles"
        # (every distinctive word of that other key, right after the number, and none of the fact's own key)
        after = {_ALIAS.get(stem(w.lower()), stem(w.lower())) for w in ctx.after[:2]}
        own = _key_set(f.key)
        # (not "27.1% of delivered emails": a base; nor "15-minute readings": an adjective of the noun)
        # (nor "1.013 on day 9": after a preposition the words name when or where, not what the number is, unless
        # a key starts with it: "20 kg on hand" for `on_hand`)
        first = ctx.after[0].lower()
        if ctx.prev not in ("of", "/") and (first not in _AFTER_NOT_ATTRIBUTE or (
                first not in _BASE_WORDS and any(k2.lower().startswith(first + "_") for k2 in o.keys))) \
                and not _HYPHEN_UNIT.search(c.text):
            for k2 in o.keys:
                other = _key_set(k2)
                distinct = other - own - _GENERIC_KEY - _UNIT_KEYS
                if k2.lower() != f.key and distinct and distinct <= after and not (own - other) & after:
                    return False
    if o is not None and f.key and (ctx.near or ctx.after) and not c.range_with and len(o.keys) > 1 and not _compared(ctx):
        # keys that are names ({"BX-100": 14, "BX-200": 21}, {"Jun": 1187}): the sentence names one of them, right
        # after the number first ("from 41% in March to 46% in June"), as the entity check reads names
        after = ctx.after[1:2] if ctx.after[:1] and ctx.after[0].lower() in _NAME_PREP else ctx.after[:1]
        verdict = _key_named(o, f.key, after) if after else None
        if verdict is None and ctx.near:
            verdict = _key_named(o, f.key, ctx.near)
        if verdict is not None:
            return verdict
    return True


def _names_own_phrase(ctx: Context, f: Fact) -> bool:
    """The two words right after the claim are words of the sentence the prose fact came from
    (its own thing, named as the data names it), neither of them a function word."""
    after = [w.lower() for w in ctx.after[:2]]
    if len(after) < 2 or any(w in _NOUN_STOP or not w.isalpha() or w in UNIT_WORDS for w in after):
        return False
    return all(w in f.toks or stem(w) in f.toks for w in after) and max(len(w) for w in after) >= 4


_HYPHEN_UNIT = re.compile(r"\d-[A-Za-z]")
_DATE_VOCAB = frozenset(("date", "dates", "day", "days", "end", "ends", "start", "starts", "due", "until", "since", "from", "to",
                         "on", "by", "of", "the", "deadline", "period", "today", "as"))
_NAME_KEY = re.compile(r"^[A-Z]|\d")  # a key that is a name or an id: "AAPL", "Jun", "BX-100", "2024"


def _norm_word(w: str) -> str:
    low = w.lower().strip("'").removesuffix("'s")
    st = stem(low)
    return _ALIAS.get(st, _NON_ALNUM.sub("", low))


def _key_named(o: Any, key: str, words: list[str]) -> bool | None:
    """True: a word is the fact's own key, whole ("BX-100"); False: only other keys of its object are."""
    if not any(k.lower() == key for k in o.keys if _NAME_KEY.search(k)):
        return None  # (a lower-case attribute key, "cost", "profit": the close-words check above reads those)
    keys = {_ALIAS.get(k.lower(), _NON_ALNUM.sub("", k.lower())): k.lower() for k in o.keys if _NAME_KEY.search(k)}
    if len(keys) < 2:
        return None
    own = _ALIAS.get(key, _NON_ALNUM.sub("", key))
    other = False
    for w in words:
        nw = _norm_word(w)
        if len(nw) < 2 or nw not in keys:
            continue
        if nw == own:
            return True
        other = True
    return False if other else None


_BASE_WORDS = frozenset(("of", "per", "a", "an", "the"))  # after a number: what it is a share or a count of
_AFTER_NOT_ATTRIBUTE = _BASE_WORDS | frozenset(("on", "in", "at", "by", "for", "from", "since", "during", "to"))
_NAME_PREP = frozenset(("in", "for", "on", "at", "during", "of"))
_COMPARE = frozenset(("from", "vs", "versus", "than", "against", "compared", "over", "previous", "prior"))


def _compared(ctx: Context) -> bool:
    """"rose to $18.4M from $18.1M", "versus 8.1%": a number right after a comparison word is the
    other side of it, often another entity's or period's: the names before it do not bind it."""
    return ctx.prev in _COMPARE


def names_other(idx: Index, f: Fact, ctx: Context, c: Claim) -> bool:
    """The claim names what it counts ("3,200 stars") and that is another attribute or entity of
    the data than the fact it equals: another key of the fact's object (`forks_count` stated as
    stars), or a label of a sibling object (the "Stars:" line, Line B's row). Never when the claim's
    words also name the fact's own key or object (then the claim may well be about it)."""
    pc = piece_of(f)
    noun = c.noun
    if pc is None or f.src != "data" or f.per == "__len__" or c.range_with or noun is None or c.kind != "number" \
            or c.unit is not None or f.dim not in (None,):
        return False
    words = {stem(noun), noun}
    if ctx.prev not in ("of", "/"):  # ("19 of 214 students are absent": the words after are the part's, not the whole's)
        # (up to a parenthesis: "640 rolls (reorder point 400)" names the next number's key, not this one's)
        after = ctx.after[:ctx.after.index("(")] if "(" in ctx.after else ctx.after
        words |= {stem(w.lower()) for w in after}
    words |= _SYNONYMS.get(noun, set()) | _SYNONYMS.get(stem(noun), set())
    own = _key_set(f.key) | set(f.toks)
    if _meets(words, own) or own & _GENERIC_COUNTS or any(_kin(t, noun) for t in own):
        return False
    o = pc.objs.get(f.obj)
    if o is None:
        return False
    if o.labels & words:
        return False  # "5 apples" for the apples row's 5
    # (a key whose values all have a dimension, money or a unit, is no count the noun could name: "55 units a day"
    # beside `unit_cost`, "20 sessions" beside `price_per_session`)
    named = [k2 for k2 in list(o.keys) + list(o.empty_keys)
             if k2.lower() != f.key and _meets(words, _key_set(k2) - own - _GENERIC_KEY)
             and not (o.keys.get(k2) and all(g.dim is not None for g in o.keys[k2]))]
    if named:
        return len(named) == 1  # the one other key it names ("stars": stargazers_count); two: which one is unclear
    k = idx.piece_no.get(id(pc), -1)
    if k < 0:
        return False
    distinct = idx.distinct(k)
    if not distinct:
        return False
    return _named(pc, distinct, _chain(pc, f.obj), f.obj, [c.noun]) is False


def claim_sign(text: str, c: Claim, s0: int, s1: int) -> str | None:
    """"up" / "down" as the claim states it: an explicit sign ("-4%", "+23"), else the nearest
    direction word right before it (three words) or right after it (two words)."""
    lead = text[max(s0, c.start - 1):c.start + 1]
    if "-" in lead[:2] or "−" in lead[:2] or c.text[:1] in "-−":
        return "down"
    if "+" in lead[:2] or c.text[:1] == "+":
        return "up"
    after = [w.lower() for w in SIGN_WORD.findall(text, c.end, min(s1, c.end + 24))][:2]
    before = [w.lower() for w in SIGN_WORD.findall(text, max(s0, c.start - 40), c.start)][-3:]
    return direction_of(after + before[::-1])  # the data's sign words (vocabulary.SIGN_UP / SIGN_DOWN)





def _meets(words: set[str], keys: set[str]) -> bool:
    """A word names a key token: the same word, or one of its forms ("ranking" for "rank")."""
    for w in words:
        for k in keys:
            if w == k or (len(k) >= 4 and w.startswith(k)) or (len(w) >= 4 and k.startswith(w)):
                return True
    return False


_GENERIC_KEY = frozenset(("total", "amount", "value", "count", "number", "rate", "per", "avg", "max", "min"))


def _key_set(key: str) -> set[str]:
    return {_ALIAS.get(s, s) for s in (stem(t) for t in _NON_ALNUM.split(key.lower()) if t and len(t) >= 2)}



def _named(pc: Piece, distinct: dict[str, set[int]], chain: set[int], obj: int, words: list[str]) -> bool | None:
    """True: the first name among `words` is the fact's own entity (or one inside it); False: an
    entity in another branch of the data; None: no name. A word that names the fact's entity and
    others too ("balance" under both "Checking" and "Savings") decides nothing: the next one may."""
    mixed = False
    other = False
    others: set[int] = set()
    for i, w in enumerate(words):
        low = w.lower().strip("'’").removesuffix("'s").removesuffix("’s")
        st = stem(low)
        objs = distinct.get(_ALIAS.get(st, st)) or distinct.get(low) or distinct.get(_NON_ALNUM.sub("", low))  # "SHP-1"
        if not objs and i + 1 < len(words):  # "Line B": a key and a one-letter value
            nxt = words[i + 1].lower()
            objs = distinct.get(f"{nxt} {low}") or distinct.get(f"{low} {nxt}")
        if objs:
            if objs & chain or any(obj in _chain(pc, o) for o in objs):
                if len(objs) > 1 and not all(o in chain or obj in _chain(pc, o) for o in objs):
                    mixed = True
                    continue
                if others and any(low in {k.lower() for k in pc.objs[o].keys} for o in others if o in pc.objs):
                    return False  # "ETH's closing price": the nearer name is a record keyed by this name (closing.ETH)
                return True  # (also past another name: "AAPL beat VTI, returning 12.4%" may be AAPL's)
            own = pc.objs[obj].labels if obj in pc.objs else set()
            if 0 < len(own) <= 2 and (_ALIAS.get(st, st) in own or low in own or _NON_ALNUM.sub("", low) in own):
                # "68 in C-02" for cycle_count."C-02".counted: the fact's own record is keyed by the name too (a
                # record with few labels: a container of a parallel array's names owns none of them alone)
                return True
            other = True
            others |= objs
    if other:
        return False
    return True if mixed else None


def _chain(pc: Piece, obj: int) -> set[int]:
    out = set()
    while obj >= 0 and obj not in out:
        out.add(obj)
        o = pc.objs.get(obj)
        if o is None:
            break
        obj = o.parent
    return out
