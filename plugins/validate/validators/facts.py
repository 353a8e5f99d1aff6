"""The facts of a conversation: every number the data states, with its unit, period, key and owner.

JSON (tool results, JSON in messages) is walked as structure: a number knows its key
("available_balance"), the unit and period the key names ("weight_kg", "hoa_monthly"), the
currency of its object or an ancestor, and the object it belongs to. An object is labelled by
its short string values and the key it sits under ("type": "checking", "name": "Alice Moreno",
"electricity": {...}); a label word that no sibling object shares names that object, so a
sentence that says "checking" about a number of the savings object is caught. Arrays and
sibling objects give columns (the same key across items) for totals, averages and counts.
Prose and markdown tables give facts too: units and periods from the words that follow, a row
of a table is an object labelled by its text cells, its cells columns keyed by the header; a
"Label: value" line is an object labelled by its label, under the heading above it ("Savings
account:"); a sentence that names its subject (AAPL, "Riverton's", parallel "Ashby have ... Bexley
have ...") is an object labelled by those names, one that names none stays with the sentence
before. A number's direction (a negative change, `net_loss`, "fell 4%") is read on first need.

Everything here is built once per request (cached per message text across turns).
"""
from __future__ import annotations

import datetime as _dt
import re
from collections import OrderedDict
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Any, Iterable

import orjson

from .claims import _DURATION as _COMPOUND_DURATION
from .segments import sentences
from .scan import _DATE_KINDS, _DIGIT_FIND, _NONDIGIT, _DIGITS, _MULT, _dates_of, _interpretations, _norm_ident, _parse_words, scan
from .units import Unit, key_tokens, key_units, stem, to_base, unit_after
from .vocabulary import SIGN_DOWN, SIGN_UP

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$")
_AMPM = re.compile(r"\s?([AaPp])\.?\s?[Mm]\.?(?![A-Za-z])")
_SCALE_WORDS = {"thousands": 1e3, "thousand": 1e3, "000s": 1e3, "k": 1e3, "millions": 1e6, "million": 1e6, "mn": 1e6, "m": 1e6,
                "mm": 1e6, "billions": 1e9, "billion": 1e9, "bn": 1e9}
_PROSE_OFFSET = re.compile(r"\b(?:UTC|GMT)\s?([+\-−])(\d{1,2})(?::?(\d{2}))?(?!\d)")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?$")
# A medication order's directions ("Take 1 tablet by mouth twice daily", "2 caps TID", "one at
# bedtime"): how many units a day, so that a quantity dispensed gives its days of supply.
_DOSE = re.compile(r"\b(?:take|inhale|apply|use|give|instill)?\s*(\d+(?:\.\d+)?|one|two|three|half|a|an)\s+"
                   r"(?:tablets?|tabs?|capsules?|caps?|pills?|puffs?|drops?|sprays?|patch(?:es)?|units?|ml|doses?)\b", re.IGNORECASE)
_FREQUENCY = (
    (re.compile(r"\b(?:four times (?:a |per |each )?da(?:y|ily)|qid|every 6 hours|q6h)\b", re.IGNORECASE), 4.0),
    (re.compile(r"\b(?:three times (?:a |per |each )?da(?:y|ily)|tid|every 8 hours|q8h)\b", re.IGNORECASE), 3.0),
    (re.compile(r"\b(?:twice (?:a |per |each )?da(?:y|ily)|two times (?:a |per )?da(?:y|ily)|bid|every 12 hours|q12h)\b", re.IGNORECASE), 2.0),
    (re.compile(r"\b(?:once (?:a |per |each )?da(?:y|ily)|daily|qd|every day|at bedtime|nightly|qhs|every (?:morning|evening|night))\b",
                re.IGNORECASE), 1.0),
)
_DOSE_WORDS = {"one": 1.0, "two": 2.0, "three": 3.0, "half": 0.5, "a": 1.0, "an": 1.0}
_DIRECTION_KEYS = frozenset(("sig", "directions", "instructions", "dosing", "frequency", "dose", "regimen", "schedule"))


def doses_per_day(s: str) -> float | None:
    """Units a day a medication's directions give (1 tablet twice daily: 2), or None."""
    for pat, per_day in _FREQUENCY:
        if pat.search(s) is not None:
            m = _DOSE.search(s)
            each = 1.0 if m is None else _DOSE_WORDS.get(m.group(1).lower()) or float(m.group(1))
            return each * per_day
    return None
_OFFSET = re.compile(r"(?:UTC|GMT)?\s?([+-−])(\d{1,2})(?::?(\d{2}))?$")
_IDENT = re.compile(r"#?[A-Za-z]+[-_]?\d[\w-]*$")
_PRICE_WORDS = frozenset(("price", "cost", "fee", "charge", "rate", "amount", "tax", "paid", "due", "bill", "salary",
                          "pay", "wage", "fare", "rent", "budget", "usd", "eur", "gbp"))
_CODE_NUM = re.compile(r"([A-Za-z]+)-?(\d+)")
_SLASH_TERMS = re.compile(r"\b(\d{1,2})/(\d{1,3})\b")
_CODE_BEFORE = re.compile(r"(?<![A-Za-z])([A-Z]{2,3}) $")
_GLUED = re.compile(r"[A-Za-z]{1,3}\b")
_ALPHA2 = re.compile(r"[A-Za-z]{2,}")
_EMPTY = re.compile(r"^\s*(?:n/?a|none|unknown|tbd|not \w+|see \w+|to taste|per \w+ law|as needed|varies|pending|null|-)\b", re.IGNORECASE)
_TERMS = re.compile(r"\b(?:net|n)\s?(\d{1,3})\b", re.IGNORECASE)
_LABEL_SPLIT = re.compile(r"[^A-Za-z0-9]+")
# "AAPL: 12.4%", "- Open issues: 87", "**Stars**: 5,100": a short label before a colon at the start of a line
_LINE_LABEL = re.compile(r"\s*(?:[-*•]\s+)?\**([A-Za-z][A-Za-z0-9 ./&'()-]{0,40}?)\**\s*:\s")
# a heading line without numbers: "Checking account:", "## AAPL", "**Savings**"
_HEADING = re.compile(r"(?:#{1,6}\s*|\*\*)?([A-Za-z][A-Za-z0-9 ./&'()-]{0,40}?)(?:\*\*)?\s*:?\s*$")
_RULE = re.compile(r":?-{2,}:?$")
_CSV_HEAD = re.compile(r"[A-Za-z_][\w .%()/-]{0,30}(?:,[A-Za-z_][\w .%()/-]{0,30})+$")
_ENTITY_MAP = re.compile(r"(?i)pct|percent")
_STOP = frozenset((
    "the", "a", "an", "of", "and", "or", "to", "for", "in", "on", "at", "by", "with", "from", "per", "is", "not", "no",
    "see", "as", "id", "type", "name", "total", "amount", "value", "status", "yes", "true", "false", "none", "null",
    "usd", "eur", "gbp", "inc", "llc", "ltd", "co", "corp", "st", "ave", "rd", "dr", "mr", "ms", "mrs",
))
_NAME_KEYS = frozenset(("name", "type", "player", "student", "vendor", "merchant", "line", "region", "plan", "product",
                        "item", "desc", "description", "title", "team", "drug", "indication", "category", "service",
                        "account", "label", "city", "country", "flight", "hotel", "provider", "customer", "course",
                        "test", "quiz", "round", "season", "month", "quarter", "week", "opp", "host", "sku", "kind",
                        "metric", "component", "components", "channel", "segment", "route", "lane", "version", "stage"))
_CURRENCY_KEYS = ("currency", "ccy", "currency_code")
_NO_MINOR = frozenset(("JPY", "KRW", "VND", "CLP", "ISK", "HUF"))  # currencies counted in whole units (no cents)
_UNIT_KEYS = ("unit", "units", "uom", "unit_of_measure")
_PERIOD_KEYS = ("frequency", "billing_period", "period_type", "interval", "billing_cycle", "cadence", "type")
_PERIOD_VALUES = {"monthly": "month", "month": "month", "annual": "year", "annually": "year", "yearly": "year", "year": "year",
                  "weekly": "week", "week": "week", "daily": "day", "day": "day", "quarterly": "quarter", "quarter": "quarter",
                  "biweekly": "biweek", "hourly": "hour"}


class Fact:
    """One number of the data (or of the user's messages, or a claim of the answer already verified)."""

    __slots__ = ("v", "b", "dim", "unit", "cur", "per", "key", "toks", "obj", "src", "dec", "neg", "pct_of", "textual", "pc",
                 "sign")

    def __init__(self, v: float, unit: Unit | None, dim: str | None, cur: str | None, per: str | None, key: str,
                 toks: frozenset[str], obj: int, src: str, dec: int, neg: bool = False) -> None:
        self.v = abs(v)
        self.unit = unit
        self.dim = dim
        self.b = abs(to_base(abs(v), unit)) if unit is not None else abs(v)
        self.cur = cur
        self.per = per
        self.key = key
        self.toks = toks
        self.obj = obj
        self.src = src
        self.dec = dec
        self.neg = neg
        self.pct_of = False  # a percent fact read from a fraction (0.042 -> 4.2 %)
        self.textual = False  # read from prose (a string), not a JSON number
        self.pc: Any = None  # the Piece (message) it belongs to
        self.sign: Any = None  # where prose gives it a direction ("fell 4%"): see fact_sign

    def __repr__(self) -> str:
        return f"Fact({'-' if self.neg else ''}{self.v}, {self.dim}, {self.key or '-'}, obj={self.obj}, per={self.per})"


@dataclass(slots=True, eq=False)
class Obj:
    parent: int  # the container (object or array) id it sits in; -1 at the top
    labels: set[str] = field(default_factory=set)
    key: str = ""  # the key it sits under when the container is an object
    keys: dict[str, list[Fact]] = field(default_factory=dict)
    text_keys: set[str] = field(default_factory=set)  # keys with a value that is not a number
    empty_keys: set[str] = field(default_factory=set)  # keys with no value ("rank": "not published", null)


@dataclass(slots=True, eq=False)
class Piece:
    """What one message contributes (cached by its text)."""

    facts: list[Fact] = field(default_factory=list)
    objs: dict[int, Obj] = field(default_factory=dict)
    columns: list[list[Fact]] = field(default_factory=list)  # facts sharing a key across sibling items / a list
    column_keys: list[str] = field(default_factory=list)  # what each column's items are ("transactions")
    groups: list[list[Fact]] = field(default_factory=list)  # facts of one object (related pairs)
    lines: list[list[Fact]] = field(default_factory=list)  # numbers of one line of prose, in order
    parents: list[tuple[list[Fact], list[list[Fact]]]] = field(default_factory=list)  # scalars of an object + its columns
    dates: list[tuple[int, int, int, int, str]] = field(default_factory=list)  # (y, m, d, obj, key)
    month_years: set[tuple[int, int]] = field(default_factory=set)
    times: list[tuple[int, int]] = field(default_factory=list)  # (minute of day, obj)
    offsets: list[float] = field(default_factory=list)  # UTC offsets (hours)
    moments: list[float] = field(default_factory=list)  # date-times ("2026-11-09 08:30"), in minutes (UTC when an offset is given)
    utc_moments: list[float] = field(default_factory=list)  # those with "Z" or an offset: instants a zone converts
    zones: list[float] = field(default_factory=list)  # UTC offsets named in prose ("Asia/Tokyo (UTC+9)")
    idents: set[str] = field(default_factory=set)
    code_numbers: set[tuple[str, str]] = field(default_factory=set)  # ("w", "26") from "2024-W26"
    terms: list[int] = field(default_factory=list)  # "Net 30", "2/10 net 30": day counts
    next_id: int = 0
    derived: Any = None  # ground.piece_derived, built on first need
    distinct: Any = None  # ground._distinct_labels, built on first need


@lru_cache(maxsize=8192)
def _label_tokens_cached(s: str) -> frozenset[str]:
    return frozenset(_label_tokens_uncached(s))


def _label_tokens(s: str) -> set[str]:
    return set(_label_tokens_cached(s))


def _label_tokens_uncached(s: str) -> set[str]:
    out = set()
    for t in _LABEL_SPLIT.split(s):
        if len(t) >= 2 and not t.isdigit():
            low = t.lower()
            if low not in _STOP:
                w = stem(low)
                out.add(ALIAS.get(w, w))
    return out


# One spelling for the words data abbreviates by convention: "Jun" is June ({"Jun": 1187, "Jul": 1201}).
ALIAS = {m: m[:3] for m in ("january", "february", "march", "april", "june", "july", "august", "september", "october",
                            "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                            "sunday")}
ALIAS.update({"sept": "sep", "tues": "tue", "thur": "thu", "thurs": "thu", "weds": "wed"})


_HAS_DIGIT = re.compile(r"\d")
_HAS_ALPHA = re.compile(r"[A-Za-z]")


class _Builder:
    def __init__(self, src: str) -> None:
        self.p = Piece()
        self.src = src
        self._item_strings: dict[int, dict[str, str]] = {}
        self._items: list[list[Fact]] | None = None  # the facts of each item of the list of numbers just read

    def new_obj(self, parent: int, key: str = "") -> int:
        i = self.p.next_id
        self.p.next_id += 1
        self.p.objs[i] = Obj(parent, key=key)
        if key:
            self.p.objs[i].labels |= _label_tokens(key)
            if " " not in key.strip() and _HAS_DIGIT.search(key) and _HAS_ALPHA.search(key):
                self.p.objs[i].labels.add(_norm_ident(key))  # {"SURG-3": {...}}: the record's id, whole
        return i

    # -- JSON ------------------------------------------------------------------------------------
    def walk(self, node: Any, obj: int, ctx: dict[str, Any], depth: int = 0) -> None:
        if depth > 24:
            return
        if isinstance(node, dict):
            self._walk_dict(node, obj, ctx, depth)
        elif isinstance(node, list):
            self._walk_list(node, obj, "", ctx, depth)

    def _walk_dict(self, node: dict[str, Any], obj: int, ctx: dict[str, Any], depth: int) -> None:
        o = self.p.objs[obj]
        ctx = dict(ctx)
        for k in _CURRENCY_KEYS:
            v = node.get(k)
            if isinstance(v, str) and 3 <= len(v) <= 4:
                ctx["cur"] = v.upper()
        for k in _UNIT_KEYS:
            v = node.get(k)
            if isinstance(v, str) and len(v) <= 12:
                if v.strip() in ("%", "percent", "pct"):
                    ctx["pct"] = True
                    continue
                sc = _SCALE_WORDS.get(v.strip().lower().replace("usd ", "").replace("$", ""))
                if sc is not None:  # {"unit": "millions", "sales": 1.73}: $1.73 million
                    ctx["scale"] = sc
                    continue
                u = unit_after(" " + v, 0).unit
                if u is not None:
                    ctx["unit"] = u
        for k in _PERIOD_KEYS:
            v = node.get(k)
            if isinstance(v, str) and v.lower() in _PERIOD_VALUES:
                ctx["period"] = _PERIOD_VALUES[v.lower()]
        metric = node.get("metric")
        if isinstance(metric, str):
            kr = key_units(metric)
            if kr.unit is not None:
                ctx["unit"] = kr.unit
        scalars: list[Fact] = []
        cols: list[list[Fact]] = []
        children: list[tuple[str, int, dict[str, Any]]] = []
        names: list[list[str]] = []  # lists of names, and lists of numbers, of this object (parallel arrays)
        series: list[tuple[str, list[Any], list[Fact]]] = []
        node = _rows_as_records(node)
        for k, v in node.items():
            if isinstance(v, bool) or v is None:
                o.text_keys.add(k)
                if v is None:
                    o.empty_keys.add(k)
                continue
            if isinstance(v, (int, float)):
                f = self._number(float(v), k, obj, ctx, isinstance(v, float), _decimals(v))
                if f is not None:
                    scalars.append(f)
            elif isinstance(v, str):
                self._string(v, k, obj, ctx)
                if k.lower() in _DIRECTION_KEYS and len(v) <= 160:
                    rate = doses_per_day(v)
                    if rate is not None:
                        f = Fact(rate, None, None, None, "day", k.lower(), frozenset(("dose", "daily", "use")), obj, self.src, 1)
                        self.p.facts.append(f)
                        o.keys.setdefault(k, []).append(f)
                        scalars.append(f)
            elif isinstance(v, dict):
                child = self.new_obj(obj, k)
                children.append((k, child, v))
            elif isinstance(v, list):
                self._items = None
                col = self._walk_list(v, obj, k, ctx, depth)
                cols.extend(col)
                if 2 <= len(v) <= 200:
                    if all(isinstance(x, str) and 0 < len(x) <= 48 for x in v):
                        names.append(v)
                    elif self._items is not None and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
                        series.append((k, v, self._items))
            if _ident_key(k):
                self._ident(k)  # {"BX-100": 14}, {"FY2024": {...}}: a key can be the id the answer names
        if len(names) == 1 and series:
            self._parallel(obj, names[0], series)
        for k, child, v in children:
            cctx = ctx
            kr = key_units(k)
            if kr.unit is not None or kr.per is not None:
                cctx = {**ctx, "unit": kr.unit or ctx.get("unit"), "per": kr.per}
            if kr.percent and not kr.money and kr.unit is None and _ENTITY_MAP.search(k) and v \
                    and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v.values()):
                cctx = {**cctx, "pct": True}  # {"returns_pct": {"AAPL": 12.4, "VTI": 8.1}}: percentages keyed by entity
            self.walk(v, child, cctx, depth + 1)
        if len(children) >= 2:
            self._columns([c for _, c, _ in children], "")
        for k, fs in o.keys.items():  # numbers read from strings of this object ("chip_time": "3:29:40")
            for f in fs:
                if f.unit is not None and f.unit.dim == "time" and f not in scalars and isinstance(node.get(k), str):
                    scalars.append(f)
        per_units = node.get("per")
        if isinstance(per_units, (int, float)) and not isinstance(per_units, bool) and per_units > 1:
            for f in list(scalars):  # {"per": 1000, "price": 0.5}: a price per 1,000
                if f.dim == "money":
                    unit_rate = Fact(f.v / per_units, f.unit, f.dim, f.cur, f.per, f.key, f.toks, obj, self.src, f.dec + 3)
                    self.p.facts.append(unit_rate)
        if scalars:
            self.p.groups.append(scalars)
            self._percent_products(scalars)
        if scalars and cols:
            self.p.parents.append((scalars, cols))

    def _parallel(self, obj: int, names: list[str], series: list[tuple[str, list[Any], list[Fact]]]) -> None:
        """{"campaigns": ["Search", "Retargeting"], "ctr": [0.031, 0.052]}: item i of each list of
        numbers belongs to name i, as if each were an object {"name": ..., "ctr": ...}."""
        n = len(names)
        kids = []
        for name in names:
            kid = self.new_obj(obj)
            self.p.objs[kid].labels |= _label_tokens(name) | ({_norm_ident(name)} if " " not in name.strip() else set())
            kids.append(kid)
        o = self.p.objs[obj]
        for name in names:
            o.labels -= _label_tokens(name)  # the names are the items', not the whole object's
        for key, vals, items in series:
            if len(items) != n:
                continue
            for kid, facts in zip(kids, items):  # each number made one fact, or more (a fraction is a percentage too)
                for f in facts:
                    f.obj = kid
                    self.p.objs[kid].keys.setdefault(key, []).append(f)

    def _walk_list(self, items: list[Any], obj: int, key: str, ctx: dict[str, Any], depth: int) -> list[list[Fact]]:
        """An array: its items (objects become sibling objects), its length, its columns."""
        cols: list[list[Fact]] = []
        if not items:
            return cols
        n = len(items)
        length = Fact(float(n), None, None, None, None, key, frozenset(_key_toks(key) | {"count", "number"}), obj, self.src, 0)
        length.per = "__len__"
        self.p.facts.append(length)
        nums = [x for x in items if isinstance(x, (int, float)) and not isinstance(x, bool)]
        if nums and len(nums) == n:
            items_facts: list[list[Fact]] = []  # the facts each item made (for parallel arrays: _parallel)
            col = []
            for x in nums:
                mark = len(self.p.facts)
                f = self._number(float(x), key, obj, ctx, isinstance(x, float), _decimals(x))
                items_facts.append(self.p.facts[mark:])
                if f:
                    col.append(f)
            self._items = items_facts
            if len(col) >= 2:
                self._column(col, key)
                cols.append(col)
            return cols
        child_ids = []
        for x in items:
            if isinstance(x, dict):
                cid = self.new_obj(obj, "")
                if key:
                    self.p.objs[cid].labels |= set()
                child_ids.append(cid)
                self.walk(x, cid, ctx, depth + 1)
            elif isinstance(x, str):
                self._string(x, key, obj, ctx)
            elif isinstance(x, list):
                if any(isinstance(y, str) for y in x) and any(isinstance(y, (int, float)) and not isinstance(y, bool) for y in x):
                    cid = self.new_obj(obj, "")  # ["AAPL", 12.4]: a row, named by its strings
                    child_ids.append(cid)
                    self._walk_list(x, cid, key, ctx, depth + 1)
                    for y in x:
                        if isinstance(y, (int, float)) and not isinstance(y, bool):
                            self._number(float(y), key, cid, ctx, isinstance(y, float), _decimals(y))
                else:
                    self._walk_list(x, obj, key, ctx, depth + 1)
        if len(child_ids) >= 2:
            cols.extend(self._columns(child_ids, key))
        return cols

    def _column(self, col: list[Fact], key: str) -> None:
        self.p.columns.append(col)
        self.p.column_keys.append(key)

    def _columns(self, children: list[int], key: str = "") -> list[list[Fact]]:
        by_key: dict[str, list[Fact]] = {}
        for cid in children:
            for k, fs in self.p.objs[cid].keys.items():
                for f in fs:
                    if f.dim != "percent" or not f.pct_of:
                        by_key.setdefault(k, []).append(f)
        out = []
        for fs in by_key.values():
            if len(fs) >= 2:
                self._column(fs, key)
                out.append(fs)
        self._weighted(children, by_key)
        self._group_sums(children, by_key)
        # items priced by quantity: one column of products (line totals)
        qty = [k for k in by_key if _is_qty(k)]
        price = [k for k in by_key if _is_price(k)]
        if qty and price:
            prods = []
            for cid in children:
                ks = self.p.objs[cid].keys
                q = next((ks[k][0] for k in qty if k in ks), None)
                p = next((ks[k][0] for k in price if k in ks), None)
                if q is not None and p is not None:
                    prods.append(Fact(q.v * p.v, p.unit, p.dim, p.cur, None, "line_total", frozenset({"line", "total"}),
                                      q.obj, self.src, max(p.dec, 2)))
            if len(prods) >= 1:
                self.p.facts.extend(prods)
                if len(prods) >= 2:
                    self._column(prods, key)
                    out.append(prods)
        return out

    def _percent_products(self, scalars: list[Fact]) -> None:
        """Rates of one object multiplied (OEE = availability x performance x quality)."""
        rates = [f for f in scalars if f.dec and 0 < f.v <= 1 and f.unit is None][:6]
        if len(rates) < 2:
            return
        out = []
        for i, a in enumerate(rates):
            for j in range(i + 1, len(rates)):
                b = rates[j]
                out.append(a.v * b.v)
                for c in rates[j + 1:]:
                    out.append(a.v * b.v * c.v)
        for x in out:
            p = Fact(x * 100, None, "percent", None, None, "product", frozenset({"product"}), -1, self.src, 4)
            p.pct_of = True
            self.p.facts.append(p)

    def _group_sums(self, children: list[int], by_key: dict[str, list[Fact]]) -> None:
        """Totals per group of items that share a label ("12 + 8 + 14 = 34 units of lispro")."""
        labels: dict[str, dict[str, list[int]]] = {}
        for cid in children:
            for k, v in self._item_strings.get(cid, {}).items():
                labels.setdefault(k, {}).setdefault(v, []).append(cid)
        for k, groups in labels.items():
            if len(groups) < 2 or all(len(g) == 1 for g in groups.values()):
                continue
            for members in groups.values():
                if len(members) < 2:
                    continue
                for key, fs in by_key.items():
                    picked = [f for f in fs if f.obj in members]
                    if len(picked) >= 2:
                        first = picked[0]
                        self.p.facts.append(Fact(sum(f.v for f in picked), first.unit, first.dim, first.cur, first.per,
                                                 first.key, first.toks, -1, self.src, first.dec))

    def _weighted(self, children: list[int], by_key: dict[str, list[Fact]]) -> None:
        """Sums of products of two keys across items, and the weighted mean: a weighted grade
        (weight x score), a credit-weighted GPA (credits x points)."""
        keys = [k for k, fs in by_key.items() if len(fs) == len(children) and all(f.dim != "percent" or not f.pct_of for f in fs)][:5]
        if len(children) < 2 or len(keys) < 2:
            return
        for i, k1 in enumerate(keys):
            for k2 in keys[i + 1:]:
                a, b = by_key[k1], by_key[k2]
                total = sum(x.v * y.v for x, y in zip(a, b))
                f = Fact(total, None, None, None, None, "weighted", frozenset({"weighted", "total"}), -1, self.src, 2)
                f.per = "__weighted__"  # stated as such, never an operand of another derivation
                self.p.facts.append(f)
                for w in (a, b):
                    sw = sum(x.v for x in w)
                    if sw:
                        m = Fact(total / sw, None, None, None, None, "weighted", frozenset({"weighted", "average", "mean"}), -1, self.src, 2)
                        m.per = "__weighted__"
                        self.p.facts.append(m)

    def _number(self, v: float, key: str, obj: int, ctx: dict[str, Any], is_float: bool, dec: int) -> Fact | None:
        kr = key_units(key) if key else None
        unit = kr.unit if kr is not None else None
        if ctx.get("pct") and unit is None and not (kr and kr.currency):
            # {"value": 7.4, "unit": "%"}: a percentage as written
            p = Fact(abs(v), None, "percent", None, None, key.lower(), frozenset(_key_toks(key)), obj, self.src, dec, v < 0)
            self.p.facts.append(p)
            self.p.objs[obj].keys.setdefault(key, []).append(p)
            return p
        if unit is None and ctx.get("unit") is not None and not (kr and (kr.currency or kr.percent)) \
                and not (kr and kr.tokens and kr.tokens[-1] in _PRICE_WORDS):
            unit = ctx["unit"]  # {"uom": "kg", "opening": 1200} (but a price per kg is money)
        scale = kr.scale if kr is not None else 1.0
        minor = bool(kr and kr.tokens and kr.tokens[-1] == "minor" and unit is None and ctx.get("cur"))
        if minor:  # {"available_minor": 1250050, "currency": "USD"}: an amount in the currency's minor unit (cents)
            scale = 1.0 if ctx["cur"] in _NO_MINOR else 0.01
        val = v * scale
        cur = (kr.currency if kr is not None else None) or None
        money = bool(kr and kr.money) or cur is not None or minor
        if unit is not None and unit.dim != "money":
            money = False
        if money and cur is None:
            cur = ctx.get("cur")
        per = kr.per if kr is not None else None
        if per is None and money:
            per = ctx.get("period")
        if per is None and ctx.get("per") is not None and (kr is None or kr.unit is None):
            per = ctx["per"]
        toks = frozenset(_key_toks(key))
        dim = unit.dim if unit is not None else ("money" if money else None)
        f = Fact(val, unit, dim, cur if money else None, per, key.lower(), toks, obj, self.src, dec, v < 0)
        self.p.facts.append(f)
        if not is_float and abs(v) >= 100:
            self.p.idents.add(str(int(abs(v))))  # {"order_id": 55012345} grounds "#55012345"
        self.p.objs[obj].keys.setdefault(key, []).append(f)
        if ctx.get("scale") and scale == 1.0 and unit is None and not (kr and kr.percent):
            alt = Fact(val * ctx["scale"], None, dim, cur if money else None, per, key.lower(), toks, obj, self.src, dec, v < 0)
            self.p.facts.append(alt)
            self.p.objs[obj].keys.setdefault(key, []).append(alt)
        if kr is not None and kr.ambiguous_m:  # "units_2023_m": millions (or metres)
            alt = Fact(val * 1e6, None, None, None, per, key.lower(), toks, obj, self.src, dec, v < 0)
            self.p.facts.append(alt)
        if 0 < abs(v) <= 1 and (is_float or (kr and kr.percent)) and unit is None:
            p = Fact(abs(v) * 100, None, "percent", None, per, key.lower(), toks, obj, self.src, max(0, dec - 2), v < 0)
            p.pct_of = True
            self.p.facts.append(p)
            self.p.objs[obj].keys.setdefault(key, []).append(p)
            if kr is not None and kr.percent and not money and (any(t in ("pct", "percent") for t in kr.tokens) or "pct" in key.lower()):
                # {"mpf_pct": 0.3464}: a key that says percent may hold the percentage itself (0.3464 %), not a fraction
                lit = Fact(abs(v), None, "percent", None, per, key.lower(), toks, obj, self.src, dec, v < 0)
                self.p.facts.append(lit)
                self.p.objs[obj].keys.setdefault(key, []).append(lit)
        elif kr is not None and kr.percent and 1 < abs(v) <= 100 and unit is None and not money:
            p = Fact(abs(v), None, "percent", None, per, key.lower(), toks, obj, self.src, dec, v < 0)
            self.p.facts.append(p)
        if unit is not None and unit.dim == "time" and kr is not None and any(t in ("offset", "utc", "tz") for t in kr.tokens):
            self.p.offsets.append(v * unit.factor / 3600)
        return f

    def _string(self, s: str, key: str, obj: int, ctx: dict[str, Any]) -> None:
        o = self.p.objs[obj]
        if len(s) <= 48:
            self._item_strings.setdefault(obj, {})[key] = s.strip().lower()
        if _DIGIT_FIND.search(s) is None:
            if len(s) <= 48 and (not key or key.lower() in _NAME_KEYS or len(s.split()) <= 4):
                o.labels |= _label_tokens(s)
                if len(s.strip()) <= 3 and key:  # "line": "A" -> "line a"
                    o.labels.add(f"{key.lower()} {s.strip().lower()}")
            o.text_keys.add(key)
            if _EMPTY.search(s):
                o.empty_keys.add(key)  # the data says it does not know
            if key.lower() in ("terms", "payment_terms"):
                self._terms(s)
            return
        if len(s) <= 40 and " " not in s:
            m = _ISO.match(s)
            if m is not None:
                self._iso(m, obj, key)
                return
            m = _CLOCK.match(s)
            if m is not None:
                h, mi = int(m.group(1)), int(m.group(2))
                if h <= 24 and mi < 60:
                    self.p.times.append(((h % 24) * 60 + mi, obj))
                    secs = h * 3600 + mi * 60 + int(m.group(3) or 0)
                    f = Fact(float(secs), Unit("time", 1.0), "time", None, None, key.lower(), frozenset(_key_toks(key)), obj, self.src, 0)
                    self.p.facts.append(f)
                    self.p.objs[obj].keys.setdefault(key, []).append(f)  # a race time pairs with its distance
                    return
            m = _OFFSET.match(s)
            if m is not None and ("offset" in key.lower() or "utc" in key.lower() or s.upper().startswith(("UTC", "GMT"))):
                sign = -1 if m.group(1) in "-−" else 1
                self.p.offsets.append(sign * (int(m.group(2)) + int(m.group(3) or 0) / 60))
                return
            m = _IDENT.match(s)
            if m is not None and s[:3].upper() not in ("USD", "EUR", "GBP"):
                self._ident(s)
                o.labels |= _label_tokens(s) | {_norm_ident(s)}
                return
        if len(s) <= 48:
            o.labels |= _label_tokens(s) | ({_norm_ident(s)} if " " not in s.strip() else set())
            if key and s.strip().isdigit() and len(s.strip()) <= 6 and _HAS_ALPHA.search(key):
                o.labels.add(f"{key.lower()} {s.strip()}")  # {"section": "104"}: "section 104" names the record
        self._terms(s)
        self.text(s, obj, ctx, key)

    def _iso(self, m: re.Match[str], obj: int, key: str = "") -> None:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            self.p.dates.append((y, mo, d, obj, key.lower()))
            self.p.month_years.add((y, mo))
        if m.group(4) is not None:
            h, mi = int(m.group(4)), int(m.group(5))
            self.p.times.append(((h % 24) * 60 + mi, obj))
            self._moment(m)
        tz = m.group(7)
        if tz and tz != "Z":
            sign = -1 if tz[0] == "-" else 1
            hh = tz[1:].replace(":", "")
            self.p.offsets.append(sign * (int(hh[:2]) + int(hh[2:4] or 0) / 60))

    def _moment(self, m: re.Match[str]) -> None:
        """A date with a time of day: the minutes between two of them are a duration the data gives
        ("picked up 2026-11-09 08:30, delivered 2026-11-12 14:10": 77 h 40 min)."""
        try:
            day = _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).toordinal()
        except ValueError:
            return
        mins = day * 1440.0 + int(m.group(4)) * 60 + int(m.group(5))
        tz = m.group(7)
        if tz and tz != "Z":
            sign = -1 if tz[0] == "-" else 1
            hh = tz[1:].replace(":", "")
            mins -= sign * (int(hh[:2]) * 60 + int(hh[2:4] or 0))
        if len(self.p.moments) < 64:
            self.p.moments.append(mins)
            if tz:
                self.p.utc_moments.append(mins)

    def _ident(self, tok: str) -> None:
        self.p.idents.add(_norm_ident(tok))
        self.p.idents.add(_NONDIGIT.sub("", tok))
        self.p.idents.update(_DIGITS.findall(tok))
        for m in _CODE_NUM.finditer(tok):  # "2024-W26": week 26, "Q3": quarter 3
            self.p.code_numbers.add((m.group(1)[0].lower(), m.group(2).lstrip("0") or "0"))

    def _terms(self, s: str) -> None:
        for m in _TERMS.finditer(s):
            self.p.terms.append(int(m.group(1)))
        for m in _SLASH_TERMS.finditer(s):  # "2/10 net 30": 2 % if paid within 10 days
            self.p.terms.append(int(m.group(2)))

    # -- prose ------------------------------------------------------------------------------------
    def text(self, s: str, obj: int | None, ctx: dict[str, Any], key: str = "") -> None:
        """Numbers in prose: each line (or table row) is an object; units and periods from the words after."""
        if "h" in s or "H" in s:
            for dm in _COMPOUND_DURATION.finditer(s):
                # "7h 55m", "1 hour 45 minutes": one duration (its parts alone read as 7 hours and 55 metres)
                secs = (float(dm.group("h")) * 60 + int(dm.group("m"))) * 60.0
                self.p.facts.append(Fact(secs, Unit("time", 1.0), "time", None, None, key.lower(), frozenset(_key_toks(key)),
                                         -1 if obj is None else obj, self.src, 0))
        lines = s.split("\n")
        table_cols: dict[int, list[Fact]] = {}
        header: list[str] = []  # the column names of the markdown table being read
        section = -1  # the heading the lines below belong to ("Checking account:", "## AAPL"): their parent
        csv_header: list[str] = []  # "ticker,return_pct": the columns of the CSV rows below
        for line in lines:
            top = obj is None
            if not _DIGIT_FIND.search(line) and not any(w in line.lower() for w in ("hundred", "thousand", "twelve", "dozen")):
                if top:
                    st = line.strip()
                    csv_header = [c.strip().lower() for c in st.split(",")] if _CSV_HEAD.match(st) else []
                    if st.startswith("|"):
                        cells = [c.strip() for c in st.strip("|").split("|")]
                        if not all(_RULE.match(c) for c in cells):
                            header = [c.lower() for c in cells]
                    elif not st:
                        header = []
                    elif len(st) <= 48:
                        header = []
                        head = _HEADING.match(st)
                        if head is not None and _label_tokens(head.group(1)):
                            section = self.new_obj(-1)
                            self.p.objs[section].labels |= _label_tokens(head.group(1))
                continue
            row = obj if obj is not None else self.new_obj(section)
            cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.lstrip().startswith("|") else None
            if cells is None and csv_header and top and ", " not in line:
                cells = [c.strip() for c in line.strip().split(",")]  # a CSV row under its header line
                if len(cells) == len(csv_header):
                    header = csv_header
                else:
                    cells = None
            if cells is not None and top:
                o = self.p.objs[row]
                for c in cells:
                    if not _DIGIT_FIND.search(c):
                        o.labels |= _label_tokens(c)
                for ci, c in enumerate(cells):
                    ck = header[ci] if ci < len(header) and len(header) == len(cells) else key
                    fs = self._scan_text(c, row, ctx, ck, "")
                    for f in fs:
                        table_cols.setdefault(ci, []).append(f)
                        if ck and ck != key:
                            o.keys.setdefault(ck, []).append(f)  # the column a cell sits in is its key
                continue
            if top:
                header = []
                o = self.p.objs[row]
                lab = _LINE_LABEL.match(line)
                if lab is not None:  # "AAPL: 12.4%", "- Stars: 5,100": the line names what its number is
                    o.labels |= _label_tokens(lab.group(1))
                fs = self._sentences(line, row, section, ctx, key)
                if len(fs) >= 2:
                    self.p.lines.append(fs)
                continue
            fs = self._scan_text(line, row, ctx, key, line)
            if len(fs) >= 2:
                self.p.lines.append(fs)
        for col in table_cols.values():
            if len(col) >= 2:
                self._column(col, "row")
        rows = max((len(c) for c in table_cols.values()), default=0)
        if rows >= 2:  # "across the four invoices" of a table
            n = Fact(float(rows), None, None, None, None, "rows", frozenset({"row", "item", "entry"}), -1, self.src, 0)
            n.per = "__len__"
            self.p.facts.append(n)

    def _sentences(self, line: str, row: int, parent: int, ctx: dict[str, Any], key: str) -> list[Fact]:
        """A line of prose, a sentence at a time: a sentence that names its subject ("AAPL returned
        12.4%.", "Riverton's rate fell.") is an object labelled by those names; one that names
        none ("It returned 8.1%.") belongs with the sentence before it."""
        plan = _sentence_plan(line) if len(line) <= 2000 else _sentence_plan.__wrapped__(line)
        if plan is None:
            self.p.objs[row].labels |= _names(line)
            return self._scan_text(line, row, ctx, key, line)
        obj = row
        runs: list[tuple[int, int, int]] = []  # consecutive sentences of one subject are read at once
        for a, b, names, new in plan:
            if new:
                obj = self.new_obj(parent)
            if names:
                self.p.objs[obj].labels |= names
            if runs and runs[-1][2] == obj:
                runs[-1] = (runs[-1][0], b, obj)
            else:
                runs.append((a, b, obj))
        if len(runs) == 1:
            return self._scan_text(line, row, ctx, key, line)
        out: list[Fact] = []
        for a, b, o in runs:
            out.extend(self._scan_text(line[a:b], o, ctx, key, ""))
        return out

    def _scan_text(self, s: str, obj: int, ctx: dict[str, Any], key: str, context: str) -> list[Fact]:
        out: list[Fact] = []
        if "UTC" in s or "GMT" in s:  # "Asia/Tokyo (UTC+9)": a zone offset stated in prose
            for mo in _PROSE_OFFSET.finditer(s):
                sign = -1 if mo.group(1) in "-−" else 1
                self.p.zones.append(sign * (int(mo.group(2)) + int(mo.group(3) or 0) / 60))
        for m in scan(s):
            kind = m.lastgroup
            g = m.group
            if kind == "url":
                continue
            if kind in _DATE_KINDS:
                for y, mo, d in _dates_of(m):
                    if d is None:
                        self.p.month_years.add((y or 0, mo))
                    else:
                        self.p.dates.append((y or 0, mo, d, obj, key.lower()))
                        if y:
                            self.p.month_years.add((y, mo))
                if kind == "iso" and len(m.group(0)) > 10:  # "2026-11-09 08:30": the time of day too
                    mi = _ISO.match(m.group(0))
                    if mi is not None and mi.group(4) is not None:
                        self.p.times.append(((int(mi.group(4)) % 24) * 60 + int(mi.group(5)), obj))
                        self._moment(mi)
                continue
            if kind == "time":
                t = g("time")
                hh, _, rest = t.partition(":")
                h, mi = int(hh), int(rest[:2])
                low = t.lower()
                if "p" in low and h < 12:
                    h += 12
                if "a" in low and h == 12:
                    h = 0
                self.p.times.append(((h % 24) * 60 + mi, obj))
                secs = int(hh) * 3600 + mi * 60 + (int(rest[3:5]) if rest[2:3] == ":" else 0)
                self.p.facts.append(Fact(float(secs), Unit("time", 1.0), "time", None, None, key.lower(),
                                         frozenset(_key_toks(key)), obj, self.src, 0))
                continue
            if kind == "ident":
                self._ident(g("ident"))
                continue
            if kind == "words":
                parsed = _parse_words(g("words"))
                if parsed is not None:
                    f = Fact(float(parsed[0]), None, None, None, None, key.lower(), self._ctx_toks(s, m.start(), m.end(), key), obj, self.src, 0)
                    self.p.facts.append(f)
                    out.append(f)
                continue
            if kind != "num":
                continue
            n = g("n")
            if n.isdigit():
                self.p.idents.add(n)
                code = _CODE_BEFORE.search(s, max(0, m.start() - 8), m.start())
                if code is not None:
                    self.p.idents.add(_norm_ident(code.group(1) + n))  # "UA 837", "DL 214"
                glued = _GLUED.match(s, m.end())
                if glued is not None:
                    self.p.idents.add(_norm_ident(n + glued.group(0)))  # "14C", "23A"
            pre, post, pct, mult_s = g("pre"), g("post"), g("pct"), g("mult")
            if n.isdigit() and 1 <= int(n) <= 12 and not (pre or post or pct or mult_s):
                ap = _AMPM.match(s, m.end())
                if ap is not None:  # "8am", "6 pm": a time of day, as the answer's "8:00 AM" reads it
                    self.p.times.append(((int(n) % 12 + (12 if ap.group(1).lower() == "p" else 0)) * 60, obj))
                    continue
            money = bool(pre or post)
            mult = 1.0
            if mult_s:
                ms = mult_s.strip()
                mult = 1.0 if ms in ("m", "b") and not money else _MULT.get(ms.lower(), 1.0)
            interp = _interpretations(n)
            cur = None
            if money:
                from .claims import _currency
                cur = _currency(pre, post)
                if post and post.strip().lower() in ("cent", "cents"):
                    mult *= 0.01  # "70 cents per mile" is $0.70 a mile
            ur = unit_after(s, m.end())
            unit = ur.unit if not pct and not money else None
            if unit is not None and unit.dim == "money":
                unit, money, cur = None, True, "GBP" if ur.text.lower() in ("p", "pence") else (cur or ctx.get("cur"))
                mult *= 0.01
            if unit is not None and unit.dim == "count":
                mult, unit = mult * 1e3, None
            toks = self._ctx_toks(s, m.start(), ur.end, key)
            for k, (v, dec) in enumerate(interp):
                val = v * mult
                if pct:
                    dim = "pp" if "point" in pct.lower() else "percent"
                    f = Fact(val, None, dim, None, ur.per, key.lower(), toks, obj, self.src, dec, bool(g("neg")))
                else:
                    dim = unit.dim if unit is not None else ("money" if money else None)
                    f = Fact(val, unit, dim, cur, ur.per, key.lower(), toks, obj, self.src, dec, bool(g("neg")))
                    if ur.inverse and unit is not None:
                        f.b = to_base(val, unit, True)  # 6.5 L/100 km is 15.4 km per litre
                    if ur.per_n > 1 and k == 0:  # "250 mg/5 mL", "$0.50 per 1,000 calls": per one unit too
                        self.p.facts.append(Fact(val / ur.per_n, unit, dim, cur, ur.per, key.lower(), toks, obj, self.src, dec + 3))
                f.textual = True
                f.sign = (s, m.start(), ur.end, bool(g("neg")), bool(pct))  # read by fact_sign when it matters
                self.p.facts.append(f)
                if k == 0:
                    out.append(f)
                if not pct and 0 < val < 1 and not money and unit is None:
                    p = Fact(val * 100, None, "percent", None, None, key.lower(), toks, obj, self.src, dec)
                    p.pct_of = True
                    self.p.facts.append(p)
        return out

    @staticmethod
    def _ctx_toks(s: str, start: int, end: int, key: str) -> frozenset[str]:
        """Words around a number in prose: what it is a number of ("Active users: 8,927", "250 mg/5 mL")."""
        before = [stem(w) for w in _ALPHA2.findall(s, max(0, start - 40), start)][-4:]
        after = [stem(w) for w in _ALPHA2.findall(s, end, end + 30)][:3]
        return frozenset(before + after + list(_key_toks(key)))


# Direction words: a key or the words right around a number of prose say which way it goes.
UP_WORDS = SIGN_UP
DOWN_WORDS = SIGN_DOWN
# Keys that hold a signed quantity: its minus sign is a direction (a change of -4 %), not a debit.
SIGNED_KEYS = frozenset(("change", "delta", "growth", "diff", "yoy", "mom", "qoq", "pnl", "variance", "chg", "return",
                         "income", "profit", "earning", "gain", "performance", "move", "net"))
SIGN_WORD = re.compile(r"[A-Za-z]+")


def direction_of(words: list[str], up: frozenset[str] = UP_WORDS, down: frozenset[str] = DOWN_WORDS) -> str | None:
    """"up" / "down" for the first of `words` (lower case, nearest first) that names a direction."""
    for w in words:
        if w in up:
            return "up"
        if w in down:
            return "down"
    return None


def key_sign(toks: frozenset[str] | set[str], v: float, percent: bool) -> str | None:
    """The direction of a JSON number: a signed key's sign (`change_pct: -4.0` is down, `growth: 3` up),
    or a key that names one (`net_loss: 2.3e6` is down)."""
    down = bool(toks & DOWN_WORDS)
    up = bool(toks & UP_WORDS)
    if down != up:
        if v < 0:
            return "down" if up else None  # a profit of -2.3 is a loss; a loss of -2.3: which way is anyone's guess
        return "down" if down else "up"
    if toks & SIGNED_KEYS:
        return "down" if v < 0 else ("up" if v > 0 and not (toks & {"net", "income", "return", "earning", "performance"}) else None)
    if v < 0 and percent:
        return "down"
    return None


def fact_sign(f: Fact) -> str | None:
    """"up" / "down": the direction the data gives a number (a change of -4 %, "fell 4%", `net_loss`),
    None when its sign says nothing (a debit of -120.35 is no decrease). Read on first need."""
    if f.src != "data":
        return None
    at = f.sign
    if isinstance(at, tuple):
        f.sign = at = prose_sign(*at) or ""
    elif at is None and not f.textual and f.key:
        f.sign = at = key_sign(f.toks, -1.0 if f.neg else 1.0, f.dim == "percent" or bool(f.toks & _PCT_TOKS)) or ""
    return at or None


_PCT_TOKS = frozenset(("pct", "percent", "percentage"))


def prose_sign(s: str, start: int, end: int, neg: bool, percent: bool) -> str | None:
    """The direction of a number in prose: its minus sign on a percentage ("change: -4%"), or the
    word right before or after it ("fell 4%", "a 4% decline")."""
    if neg:
        return "down" if percent or any(stem(w.lower()) in SIGNED_KEYS for w in SIGN_WORD.findall(s, max(0, start - 30), start)) else None
    after = [w.lower() for w in SIGN_WORD.findall(s, end, end + 16)][:1]
    before = [w.lower() for w in SIGN_WORD.findall(s, max(0, start - 20), start)][-2:]
    return direction_of(after + before[::-1])


_NAME = re.compile(r"[A-Za-z][A-Za-z0-9&'.-]*[A-Za-z0-9]|[A-Z]")
_CAPS = re.compile(r"(?<![A-Za-z0-9&'.-])[A-Z][A-Za-z0-9&'.-]*[A-Za-z0-9]")
_FIRST_WORD = re.compile(r"[^A-Za-z]*([A-Za-z][A-Za-z0-9&'.-]*[A-Za-z0-9]|[A-Z])(?:[^A-Za-z]+([A-Za-z]))?")
_TERMINAL = re.compile(r"[.!?]\s")
# Capitalised words that start or fill a sentence without naming anything in it.
_NOT_NAMES = frozenset((
    "the", "a", "an", "this", "that", "these", "those", "your", "our", "my", "their", "its", "it", "we", "you", "they",
    "he", "she", "i", "in", "on", "at", "for", "by", "from", "to", "of", "with", "as", "after", "before", "if", "when",
    "while", "each", "all", "both", "there", "here", "total", "note", "last", "next", "this", "per", "and", "or", "but",
    "usd", "eur", "gbp", "utc", "gmt", "am", "pm", "id", "ok", "no", "yes", "net", "gross", "average", "overall",
))


def _names(sent: str) -> set[str]:
    return set(_names_cached(sent)) if len(sent) <= 400 else _names_uncached(sent)


@lru_cache(maxsize=8192)
def _names_cached(sent: str) -> frozenset[str]:
    return frozenset(_names_uncached(sent))


def _names_uncached(sent: str) -> set[str]:
    """The names a sentence of prose gives its subject: upper-case words (AAPL, VTI), capitalised words
    past its first, a capitalised first word followed by another (Alice Moreno)."""
    out: set[str] = set()
    first = _FIRST_WORD.match(sent)
    start = first.start(1) if first is not None else -1
    for m in _CAPS.finditer(sent):
        t = m.group(0)
        base = t.split("'")[0]
        if not base or base.lower() in _NOT_NAMES or len(base) < 2:
            continue
        if m.start() == start and not base.isupper() and not (first.group(2) or "").isupper() and not t.endswith("'s"):
            continue  # "Revenue fell 4%": the first word of a sentence is capitalised anyway (not "Riverton's rate")
        out |= _label_tokens(base)
    return out


def _key_toks(key: str) -> set[str]:
    return set(_key_toks_cached(key)) if key else set()


@lru_cache(maxsize=8192)
def _key_toks_cached(key: str) -> frozenset[str]:
    return frozenset(stem(t) for t in key_tokens(key))


@lru_cache(maxsize=4096)
def _sentence_plan(line: str) -> tuple[tuple[int, int, frozenset[str], bool], ...] | None:
    """The sentences of a line of prose as (start, end, names, starts a new subject); None when the
    line is one object (one sentence, or numbers only in the first). Cached: a system prompt or a
    tool's prose comes back on every turn."""
    t = _TERMINAL.search(line)
    if t is None or _DIGIT_FIND.search(line, t.end()) is None:
        return None
    spans = sentences(line)
    if len(spans) <= 1:
        return None
    # sentences of one pattern ("Ashby have 47 points. Bexley have 45 points."): their first words are names
    heads = [_NAME.findall(line, a, min(b, a + 60))[:2] for a, b in spans]
    seconds: dict[str, set[str]] = {}
    for h in heads:
        if len(h) == 2 and h[0][:1].isupper() and h[0].lower() not in _NOT_NAMES and h[1][:1].islower():
            seconds.setdefault(h[1].lower(), set()).add(h[0])
    parallel = {w for ws in seconds.values() if len(ws) >= 2 for w in ws}
    out = []
    cur: set[str] | None = None
    for (a, b), h in zip(spans, heads):
        sent = line[a:b]
        names = _names(sent)
        if h and h[0] in parallel:
            names |= _label_tokens(h[0])
        new = False
        if names and _DIGIT_FIND.search(sent):
            new = cur is not None and names != cur
            cur = names
        else:
            names = set()
        out.append((a, b, frozenset(names), new))
    return tuple(out)


@lru_cache(maxsize=8192)
def _ident_key(k: str) -> bool:
    return _IDENT.match(k) is not None and not k[:1].isdigit()


_HEADER_KEYS = ("columns", "headers", "header", "fields", "cols", "schema")


def _rows_as_records(node: dict[str, Any]) -> dict[str, Any]:
    """{"columns": ["ticker", "return_pct"], "rows": [["AAPL", 12.4], ...]}: each row read as the
    record {"ticker": "AAPL", "return_pct": 12.4} it stands for."""
    hk = next((k for k in _HEADER_KEYS if isinstance(node.get(k), list)), None)
    if hk is None:
        return node
    cols = node[hk]
    if not cols or len(cols) > 64 or not all(isinstance(c, str) for c in cols):
        return node
    out = dict(node)
    for k, v in node.items():
        if k != hk and isinstance(v, list) and v and all(isinstance(r, list) and len(r) == len(cols) for r in v):
            out[k] = [dict(zip(cols, r)) for r in v]
            out.pop(hk, None)
    return out


def _decimals(v: Any) -> int:
    if isinstance(v, int):
        return 0
    s = repr(v)
    if "e" in s or "E" in s:
        return 6
    return len(s.split(".")[1]) if "." in s else 0


_QTY = ("qty", "quantity", "units", "count", "seats", "nights", "hours", "shares", "pieces", "pcs", "tickets")
_PRICE = ("unit_price", "price", "rate", "unit_cost", "cost", "price_each", "each", "nightly_rate", "hourly_rate")


def _is_qty(k: str) -> bool:
    low = k.lower()
    return low in _QTY or low.endswith(("_qty", "_quantity", "_hours"))


def _is_price(k: str) -> bool:
    low = k.lower()
    return low in _PRICE or low.endswith(("_price", "unit_price", "_rate", "_cost"))


# -- one request -----------------------------------------------------------------------------------
class PieceCache:
    """Bounded LRU of per-message pieces: a multi-turn conversation re-indexes only new messages."""

    def __init__(self, max_chars: int = 8_000_000, max_entries: int = 4096, max_text: int = 200_000) -> None:
        self.max_chars, self.max_entries, self.max_text = max_chars, max_entries, max_text
        self._d: OrderedDict[tuple[str, str], Piece] = OrderedDict()
        self._chars = 0

    def get(self, text: str, src: str) -> Piece:
        k = (src, text)
        p = self._d.get(k)
        if p is not None:
            self._d.move_to_end(k)
            return p
        p = piece(text, src)
        if len(text) <= self.max_text:
            self._d[k] = p
            self._chars += len(text)
            while self._chars > self.max_chars or len(self._d) > self.max_entries:
                (_, old), _ = self._d.popitem(last=False)
                self._chars -= len(old)
        return p

    def clear(self) -> None:
        self._d.clear()
        self._chars = 0


def piece(text: str, src: str) -> Piece:
    b = _Builder(src)
    stripped = text.lstrip()
    parsed = False
    if stripped[:1] in ("{", "["):
        try:
            obj = orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
        else:
            parsed = True
            root = b.new_obj(-1)
            if isinstance(obj, list):
                b._walk_list(obj, root, "", {}, 0)
            else:
                b.walk(obj, root, {})
    if not parsed:
        b.text(text, None, {})
    for f in b.p.facts:
        f.pc = b.p
    return b.p


def message_texts(body: dict[str, Any], roles: set[str], tool_args: bool) -> Iterable[tuple[str, str]]:
    """(text, source) of every message that counts as data; the user's own numbers are 'user'."""
    for text, src, _ in message_texts_meta(body, roles, tool_args):
        yield text, src


class CallMeta:
    """Which call a tool result answers: the function's name and arguments, the assistant turn that
    made it, and how many user messages came before that turn (a re-fetch after "check again")."""

    __slots__ = ("name", "args", "turn", "users")

    def __init__(self, name: str, args: str, turn: int, users: int) -> None:
        self.name, self.args, self.turn, self.users = name, args, turn, users


def message_texts_meta(body: dict[str, Any], roles: set[str], tool_args: bool) -> Iterable[tuple[str, str, CallMeta | None]]:
    """message_texts, each with the CallMeta of a tool result (None for other messages)."""
    msgs = body.get("messages")
    if isinstance(msgs, list):
        calls: dict[str, CallMeta] = {}
        users = 0
        for turn, msg in enumerate(msgs):
            if not isinstance(msg, dict):
                continue
            role = msg.get("role")
            if role == "user":
                users += 1
            if role in roles:
                src = "user" if role == "user" else "data"
                meta = calls.get(msg.get("tool_call_id") or "") if role in ("tool", "function") else None
                c = msg.get("content")
                if isinstance(c, str):
                    yield c, src, meta
                elif isinstance(c, list):
                    for part in c:
                        if isinstance(part, dict) and isinstance(part.get("text"), str):
                            yield part["text"], src, meta
            if role == "assistant":
                for tc in msg.get("tool_calls") or ():
                    fn = tc.get("function") if isinstance(tc, dict) else None
                    if isinstance(fn, dict):
                        args = fn.get("arguments")
                        if isinstance(tc.get("id"), str) and isinstance(fn.get("name"), str):
                            calls[tc["id"]] = CallMeta(fn["name"], args if isinstance(args, str) else "", turn, users)
                        if tool_args and isinstance(args, str):
                            yield args, "data", None
    prompt = body.get("prompt")
    if isinstance(prompt, str):
        yield prompt, "user", None
    elif isinstance(prompt, list):
        for p in prompt:
            if isinstance(p, str):
                yield p, "user", None
