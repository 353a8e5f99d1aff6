"""Units, scales and periods as first-class parts of a number.

A unit is (dimension, factor to the dimension's base unit, offset): kg -> ("mass", 1000, 0)
with grams as the base, °F -> ("temp", 5/9, ...) with kelvin. Two numbers compare in base
units, so 1,200 kg grounds "about 2,646 lb" and 4 g does not ground "4 mg". A currency is its
own dimension ("money") with the code kept apart (€85 is not £85). Periods (per month, a year,
weekly...) are kept apart from units: $350 a month is not $350 a year, but 12 x $29.00 a month
is $348 a month.

`unit_after(text, pos)` reads the unit (and "per X" rate, period) that follows a number in
prose; `key_units(key)` reads them from a JSON key ("gross_weight_kg", "hoa_monthly",
"price_per_user_month"). Fuel economy (mpg vs L/100 km) is an inverse conversion.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple


class Unit(NamedTuple):
    dim: str
    factor: float  # to the dimension's base unit
    offset: float = 0.0  # temperatures: base = (value + offset) * factor


_F = 5.0 / 9.0
# Written form (lowercase unless case matters) -> unit.
_UNIT_WORDS: dict[str, Unit] = {
    # mass (grams)
    "mg": Unit("mass", 1e-3), "milligram": Unit("mass", 1e-3), "milligrams": Unit("mass", 1e-3),
    "mcg": Unit("mass", 1e-6), "µg": Unit("mass", 1e-6), "microgram": Unit("mass", 1e-6), "micrograms": Unit("mass", 1e-6),
    "g": Unit("mass", 1.0), "gram": Unit("mass", 1.0), "grams": Unit("mass", 1.0), "gr": Unit("mass", 1.0),
    "kg": Unit("mass", 1e3), "kgs": Unit("mass", 1e3), "kilo": Unit("mass", 1e3), "kilos": Unit("mass", 1e3),
    "kilogram": Unit("mass", 1e3), "kilograms": Unit("mass", 1e3),
    "t": Unit("mass", 1e6), "tonne": Unit("mass", 1e6), "tonnes": Unit("mass", 1e6), "metric ton": Unit("mass", 1e6),
    "metric tons": Unit("mass", 1e6),
    "lb": Unit("mass", 453.59237), "lbs": Unit("mass", 453.59237), "pound": Unit("mass", 453.59237),
    "pounds": Unit("mass", 453.59237), "oz": Unit("mass", 28.349523125), "ounce": Unit("mass", 28.349523125),
    "ounces": Unit("mass", 28.349523125),
    # length (metres)
    "mm": Unit("length", 1e-3), "cm": Unit("length", 1e-2), "m": Unit("length", 1.0), "meter": Unit("length", 1.0),
    "meters": Unit("length", 1.0), "metre": Unit("length", 1.0), "metres": Unit("length", 1.0),
    "km": Unit("length", 1e3), "kilometer": Unit("length", 1e3), "kilometers": Unit("length", 1e3),
    "kilometre": Unit("length", 1e3), "kilometres": Unit("length", 1e3),
    "mi": Unit("length", 1609.344), "mile": Unit("length", 1609.344), "miles": Unit("length", 1609.344),
    "ft": Unit("length", 0.3048), "foot": Unit("length", 0.3048), "feet": Unit("length", 0.3048),
    "linear ft": Unit("length", 0.3048), "linear feet": Unit("length", 0.3048), "linear foot": Unit("length", 0.3048),
    "inch": Unit("length", 0.0254), "inches": Unit("length", 0.0254), "yd": Unit("length", 0.9144),
    "yard": Unit("length", 0.9144), "yards": Unit("length", 0.9144), "nm": Unit("length", 1852.0),
    # area (square metres)
    "m²": Unit("area", 1.0), "m2": Unit("area", 1.0), "sqm": Unit("area", 1.0), "sq m": Unit("area", 1.0),
    "square meters": Unit("area", 1.0), "square metres": Unit("area", 1.0), "square meter": Unit("area", 1.0),
    "sq ft": Unit("area", 0.09290304), "sqft": Unit("area", 0.09290304), "ft²": Unit("area", 0.09290304),
    "square feet": Unit("area", 0.09290304), "square foot": Unit("area", 0.09290304), "sf": Unit("area", 0.09290304),
    "acre": Unit("area", 4046.8564224), "acres": Unit("area", 4046.8564224), "ha": Unit("area", 1e4),
    "hectare": Unit("area", 1e4), "hectares": Unit("area", 1e4), "km²": Unit("area", 1e6),
    # volume (millilitres)
    "ml": Unit("volume", 1.0), "milliliter": Unit("volume", 1.0), "milliliters": Unit("volume", 1.0),
    "millilitre": Unit("volume", 1.0), "millilitres": Unit("volume", 1.0), "cc": Unit("volume", 1.0),
    "l": Unit("volume", 1e3), "liter": Unit("volume", 1e3), "liters": Unit("volume", 1e3), "litre": Unit("volume", 1e3),
    "litres": Unit("volume", 1e3), "cup": Unit("volume", 236.5882365), "cups": Unit("volume", 236.5882365),
    "us cup": Unit("volume", 236.5882365), "us cups": Unit("volume", 236.5882365),
    "tsp": Unit("volume", 4.92892159375), "teaspoon": Unit("volume", 4.92892159375), "teaspoons": Unit("volume", 4.92892159375),
    "tbsp": Unit("volume", 14.78676478125), "tablespoon": Unit("volume", 14.78676478125),
    "tablespoons": Unit("volume", 14.78676478125), "gal": Unit("volume", 3785.411784), "gallon": Unit("volume", 3785.411784),
    "gallons": Unit("volume", 3785.411784), "fl oz": Unit("volume", 29.5735295625), "pint": Unit("volume", 473.176473),
    "pints": Unit("volume", 473.176473), "quart": Unit("volume", 946.352946), "quarts": Unit("volume", 946.352946),
    "cbm": Unit("volume", 1e6), "m³": Unit("volume", 1e6), "m3": Unit("volume", 1e6), "cubic meters": Unit("volume", 1e6),
    "cubic metres": Unit("volume", 1e6), "cubic meter": Unit("volume", 1e6), "cubic metre": Unit("volume", 1e6),
    "cubic feet": Unit("volume", 28316.846592), "cubic foot": Unit("volume", 28316.846592), "cu ft": Unit("volume", 28316.846592),
    "ft³": Unit("volume", 28316.846592), "ft3": Unit("volume", 28316.846592),
    "cubic yards": Unit("volume", 764554.857984), "cubic yard": Unit("volume", 764554.857984), "cu yd": Unit("volume", 764554.857984),
    "yd³": Unit("volume", 764554.857984), "yd3": Unit("volume", 764554.857984),
    "cubic inches": Unit("volume", 16.387064), "cubic inch": Unit("volume", 16.387064), "in³": Unit("volume", 16.387064),
    # time (seconds)
    "ms": Unit("time", 1e-3), "millisecond": Unit("time", 1e-3), "milliseconds": Unit("time", 1e-3),
    "s": Unit("time", 1.0), "sec": Unit("time", 1.0), "secs": Unit("time", 1.0), "second": Unit("time", 1.0),
    "seconds": Unit("time", 1.0), "min": Unit("time", 60.0), "mins": Unit("time", 60.0), "minute": Unit("time", 60.0),
    "minutes": Unit("time", 60.0), "h": Unit("time", 3600.0), "hr": Unit("time", 3600.0), "hrs": Unit("time", 3600.0),
    "hour": Unit("time", 3600.0), "hours": Unit("time", 3600.0), "day": Unit("time", 86400.0), "days": Unit("time", 86400.0),
    "night": Unit("time", 86400.0), "nights": Unit("time", 86400.0), "week": Unit("time", 604800.0),
    "weeks": Unit("time", 604800.0), "month": Unit("time", 2629746.0), "months": Unit("time", 2629746.0),
    "year": Unit("time", 31556952.0), "years": Unit("time", 31556952.0), "yr": Unit("time", 31556952.0),
    "yrs": Unit("time", 31556952.0),
    # data (bytes; decimal prefixes, as providers bill)
    "b": Unit("data", 1.0), "byte": Unit("data", 1.0), "bytes": Unit("data", 1.0), "kb": Unit("data", 1e3),
    "mb": Unit("data", 1e6), "gb": Unit("data", 1e9), "tb": Unit("data", 1e12), "pb": Unit("data", 1e15),
    "kib": Unit("data", 1024.0), "mib": Unit("data", 1024.0 ** 2), "gib": Unit("data", 1024.0 ** 3), "tib": Unit("data", 1024.0 ** 4),
    # energy (watt-hours) and food energy (kcal) and power (watts)
    "wh": Unit("energy", 1.0), "kwh": Unit("energy", 1e3), "mwh": Unit("energy", 1e6), "gwh": Unit("energy", 1e9),
    "kcal": Unit("kcal", 1.0), "cal": Unit("kcal", 1.0), "calorie": Unit("kcal", 1.0), "calories": Unit("kcal", 1.0),
    "therm": Unit("therm", 1.0), "therms": Unit("therm", 1.0),
    "w": Unit("power", 1.0), "kw": Unit("power", 1e3), "mw": Unit("power", 1e6),
    # temperature (kelvin)
    "°c": Unit("temp", 1.0, 273.15), "ºc": Unit("temp", 1.0, 273.15), "celsius": Unit("temp", 1.0, 273.15),
    "degrees celsius": Unit("temp", 1.0, 273.15), "°f": Unit("temp", _F, 459.67), "ºf": Unit("temp", _F, 459.67),
    "fahrenheit": Unit("temp", _F, 459.67), "degrees fahrenheit": Unit("temp", _F, 459.67),
    # speed (m/s)
    "km/h": Unit("speed", 1 / 3.6), "kmh": Unit("speed", 1 / 3.6), "kph": Unit("speed", 1 / 3.6),
    "mph": Unit("speed", 0.44704), "m/s": Unit("speed", 1.0), "knots": Unit("speed", 0.514444), "kn": Unit("speed", 0.514444),
    # fuel economy (km per litre); L/100 km is the inverse
    "mpg": Unit("fuel", 0.425143707), "km/l": Unit("fuel", 1.0), "kpl": Unit("fuel", 1.0),
    "bpm": Unit("bpm", 1.0), "rpm": Unit("rpm", 1.0),
    # parts per million, basis points (percentage points x 100)
    "ppm": Unit("ppm", 1.0), "ppb": Unit("ppm", 1e-3),
    "percentage point": Unit("pp", 1.0), "percentage points": Unit("pp", 1.0), "pp": Unit("pp", 1.0),
    "pts": Unit("pp", 1.0), "basis point": Unit("pp", 0.01), "basis points": Unit("pp", 0.01), "bps": Unit("pp", 0.01),
    "bp": Unit("pp", 0.01),
    # pence and cents: money of the currency around it
    "p": Unit("money", 0.01), "pence": Unit("money", 0.01), "cents": Unit("money", 0.01), "cent": Unit("money", 0.01), "¢": Unit("money", 0.01),
    "k": Unit("count", 1e3),
}
L_PER_100KM = "l/100 km"
# Units that are also ordinary words: only taken after a number with no space ("5m" stays ambiguous).
_AMBIGUOUS = frozenset(("m", "b", "w", "p", "pp", "pts", "in", "k", "kn", "nm", "sf", "ha", "cc", "bp"))
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(_UNIT_WORDS, key=len, reverse=True))
_UNIT_HEAD = r"(?P<sep>[ \u00a0]?-?[ \u00a0]?)(?P<deg>degrees? )?(?P<u>"
_UNIT_TAIL = r")(?![A-Za-z0-9²³])"
_UNIT_RE = re.compile(_UNIT_HEAD + r"l ?/ ?100 ?km|" + _UNIT_ALT + _UNIT_TAIL, re.IGNORECASE)
# The same match, faster. _UNIT_RE tries its ~200 alternatives one by one at each place the unit
# may start (after each way of reading the separator), ~20 us a number. A unit starts right after
# the separator (or after "degree(s) "), and a literal alternative only where its first letter is:
# the alternatives whose first letter matches no character at any place the unit may start cannot
# match, so a pattern without them (the others in the same order) gives the same match. Per ASCII
# character, the alternatives it can start (the test is re's own case folding); a non-ASCII
# character at such a place ("µg", "°C", a no-break space) takes the full pattern.
_UNIT_ALTS = [("l", r"l ?/ ?100 ?km")] + [(u[0], re.escape(u)) for u in sorted(_UNIT_WORDS, key=len, reverse=True)]
_FIRST_OF: dict[str, re.Pattern[str]] = {f: re.compile(re.escape(f), re.IGNORECASE) for f, _ in _UNIT_ALTS}
_ALTS_AT = {chr(x): frozenset(k for k, (f, _) in enumerate(_UNIT_ALTS) if _FIRST_OF[f].fullmatch(chr(x))) for x in range(128)}
_UNIT_SUB: dict[frozenset[int], re.Pattern[str] | None] = {}
_SEP = " \u00a0"


def _unit_match(text: str, pos: int) -> re.Match[str] | None:
    """_UNIT_RE.match(text, pos)."""
    n = len(text)
    starts = [pos]  # where the unit may start: after each reading of [ \u00a0]?-?[ \u00a0]?
    for i in ((pos, pos + 1) if pos < n and text[pos] in _SEP else (pos,)):
        for j in ((i, i + 1) if i < n and text[i] == "-" else (i,)):
            if j != pos:
                starts.append(j)
            if j < n and text[j] in _SEP:
                starts.append(j + 1)
    alts: set[int] = set()
    for q in starts:
        if q >= n:
            continue
        ch = text[q]
        got = _ALTS_AT.get(ch)
        if got is None:
            return _UNIT_RE.match(text, pos)  # (non-ASCII)
        alts |= got
        if ch in "dD":  # "degrees C": the unit starts after "degree " or "degrees "
            for r in (q + 7, q + 8):
                if r < n:
                    got = _ALTS_AT.get(text[r])
                    if got is None:
                        return _UNIT_RE.match(text, pos)
                    alts |= got
    if not alts:
        return None
    key = frozenset(alts)
    rx = _UNIT_SUB.get(key)
    if rx is None:
        if len(_UNIT_SUB) >= 4096:
            _UNIT_SUB.clear()
        rx = _UNIT_SUB[key] = _sub_pattern(key)
    return rx.match(text, pos)


def _sub_pattern(key: frozenset[int]) -> re.Pattern[str]:
    return re.compile(_UNIT_HEAD + "|".join(a for k, (_, a) in enumerate(_UNIT_ALTS) if k in key) + _UNIT_TAIL, re.IGNORECASE)


# The usual keys (one letter where the unit may start: "5 kg", "12h") compiled now (~12 ms), not
# on a request.
for _k in {_ALTS_AT[chr(x)] for x in range(ord("a"), ord("z") + 1)} - {frozenset()}:
    _UNIT_SUB[_k] = _sub_pattern(_k)
del _k
# "per X", "/X", "a X", "an X", "each", "every X", "X-month"
PERIODS = {
    "second": "second", "seconds": "second", "sec": "second", "s": "second",
    "minute": "minute", "minutes": "minute", "min": "minute",
    "hour": "hour", "hours": "hour", "hr": "hour", "h": "hour", "hourly": "hour",
    "day": "day", "days": "day", "daily": "day", "night": "day", "nightly": "day", "diem": "day",
    "week": "week", "weeks": "week", "wk": "week", "weekly": "week",
    "fortnight": "biweek", "biweekly": "biweek", "paycheck": "biweek_or_semimonth", "pay period": "biweek_or_semimonth",
    "month": "month", "months": "month", "mo": "month", "monthly": "month", "mth": "month",
    "quarter": "quarter", "quarters": "quarter", "quarterly": "quarter", "qtr": "quarter",
    "year": "year", "years": "year", "yr": "year", "annum": "year", "annual": "year", "annually": "year",
    "yearly": "year", "annualized": "year",
    "semiannual": "halfyear", "semiannually": "halfyear", "biannual": "halfyear", "6mo": "halfyear", "six-month": "halfyear",
    "6-month": "halfyear", "halfyear": "halfyear", "half-year": "halfyear", "semester": "halfyear",
}
# Length of each period in days (conversions between them).
PERIOD_DAYS = {"second": 1 / 86400, "minute": 1 / 1440, "hour": 1 / 24, "day": 1.0, "week": 7.0, "biweek": 14.0,
               "month": 365.25 / 12, "quarter": 365.25 / 4, "halfyear": 365.25 / 2, "year": 365.25}
# Exact ratios people use ("$X a month is 12 X a year", "52 weeks", "26 paychecks").
PERIOD_RATIO = {
    ("month", "year"): 12.0, ("week", "year"): 52.0, ("day", "year"): 365.0, ("quarter", "year"): 4.0,
    ("biweek", "year"): 26.0, ("day", "week"): 7.0, ("hour", "day"): 24.0, ("minute", "hour"): 60.0,
    ("second", "minute"): 60.0, ("minute", "day"): 1440.0, ("second", "hour"): 3600.0, ("month", "quarter"): 3.0,
    ("day", "month"): 30.0, ("week", "month"): 52.0 / 12.0, ("hour", "week"): 168.0, ("hour", "month"): 730.0,
    ("hour", "year"): 8760.0, ("second", "day"): 86400.0, ("halfyear", "year"): 2.0, ("month", "halfyear"): 6.0,
    ("quarter", "halfyear"): 2.0,
}
_PER_RE = re.compile(
    r"\s*(?:/|\bper\b|\ba\b|\ban\b|\beach\b|\bevery\b)\s*(?P<n>\d[\d,]*(?:\.\d+)?)?\s*(?P<w>[A-Za-z][A-Za-z-]*(?: [A-Za-z]+)?)?",
    re.IGNORECASE,
)
_PERIOD_ADJ = re.compile(r"[\s-]*(?P<w>monthly|annually|annual|yearly|weekly|daily|hourly|quarterly|biweekly|nightly)\b", re.IGNORECASE)
_OVER_PERIOD = re.compile(r"\s+(?:over|for|in)\s+(?:a|one|the|each)\s+(?P<w>year|month|week|day|quarter)\b(?![\s-]*(?:or|and|to|before|after|from|ago)\b)",
                          re.IGNORECASE)
_L100 = re.compile(r"l ?/ ?100 ?km", re.IGNORECASE)


class UnitRead(NamedTuple):
    unit: Unit | None
    text: str  # the unit as written ("kg"), "" when none
    end: int  # where the unit (and its rate / period) ends
    per: str | None  # period ("month") or the noun of a rate ("user", "kwh", "game")
    per_n: float  # "per 90 minutes" -> 90, "per 1,000 calls" -> 1000, else 1
    inverse: bool  # L/100 km (fuel economy written the other way round)


def unit_after(text: str, pos: int) -> UnitRead:
    """The unit written right after a number ending at `pos`, and what it is per."""
    unit: Unit | None = None
    written = ""
    end = pos
    inverse = False
    m = _unit_match(text, pos)
    if m is not None:
        u = m.group("u")
        low = u.lower()
        sep = m.group("sep")
        if _L100.fullmatch(u):
            unit, inverse = Unit("fuel", 1.0), True
        elif low in _AMBIGUOUS and sep.strip(" \u00a0") == "" and sep and low not in ("min", "pp", "pts", "sec"):
            unit = None  # "5 m" could be anything; "5m" is still ambiguous (minutes? metres? million?)
        elif low in _UNIT_WORDS:
            unit = _UNIT_WORDS[low]
        elif u in ("°C", "°F"):
            unit = _UNIT_WORDS[low]
        if unit is not None:
            written = u
            end = m.end()
    per, per_n = None, 1.0
    pm = _PER_RE.match(text, end)
    if pm is not None and pm.group("w"):
        word = pm.group("w").lower()
        first = word.split(" ")[0].rstrip("-")
        head = pm.group(0).lstrip().split(" ")[0].lower()
        if head == "each" and first in ("on", "of", "in", "at", "and", "or", "for", "so", "is", "was", "with", "to"):
            pass  # "$306.96 each on average": a price each, per nothing in particular
        elif head == "every" and pm.group("n"):
            pass  # "250 mg every 6 hours": the 6 is a claim of its own, not a part of this one
        elif first in PERIODS or head in ("per", "/", "each", "every") or head.startswith("/"):
            per = PERIODS.get(first) or PERIODS.get(word) or _rate_noun(word)
            if pm.group("n"):
                try:
                    per_n = float(pm.group("n").replace(",", ""))
                except ValueError:
                    per_n = 1.0
            if per is not None:
                end = pm.start("w") + len(first if first in PERIODS else word)
    if per is None:
        am = _PERIOD_ADJ.match(text, end)
        if am is not None:
            per = PERIODS[am.group("w").lower()]
            end = am.end()
        elif unit is None:  # (not "40 h for the week off")
            am = _OVER_PERIOD.match(text, end)
            if am is not None:  # "$2,016 over a year", "$168 for the month"
                per = PERIODS[am.group("w").lower()]
                end = am.end()
    return UnitRead(unit, written, end, per, per_n, inverse)


def _rate_noun(word: str) -> str | None:
    w = word.split(" ")
    noun = w[0]
    if noun in ("square", "sq", "cubic") and len(w) > 1:
        noun = noun + " " + w[1]
    if noun in _UNIT_WORDS:
        return noun
    return stem(noun) or None


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """A plain plural stem: 'boxes' -> 'box', 'cities' -> 'city', 'pallets' -> 'pallet'."""
    w = word.lower().strip(".,;:()[]\"'*")
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ches", "shes", "xes", "sses")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def to_base(v: float, unit: Unit | None, inverse: bool = False) -> float:
    if unit is None:
        return v
    if inverse:  # L/100 km -> km per litre
        return 100.0 / v if v else 0.0
    return (v + unit.offset) * unit.factor


def tol_to_base(v: float, tol: float, unit: Unit | None, inverse: bool = False) -> float:
    if unit is None:
        return tol
    if inverse:
        return 100.0 * tol / (v * v) if v else tol
    return tol * unit.factor


# -- units in JSON keys -------------------------------------------------------------------------------
_KEY_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])")
_KEY_UNITS: dict[str, Unit] = {
    "mg": _UNIT_WORDS["mg"], "g": _UNIT_WORDS["g"], "kg": _UNIT_WORDS["kg"], "t": _UNIT_WORDS["t"], "lb": _UNIT_WORDS["lb"],
    "lbs": _UNIT_WORDS["lb"], "oz": _UNIT_WORDS["oz"], "km": _UNIT_WORDS["km"], "mi": _UNIT_WORDS["mi"], "miles": _UNIT_WORDS["mi"],
    "m": _UNIT_WORDS["m"], "cm": _UNIT_WORDS["cm"], "mm": _UNIT_WORDS["mm"], "ft": _UNIT_WORDS["ft"], "sqft": _UNIT_WORDS["sqft"],
    "m2": _UNIT_WORDS["m2"], "sqm": _UNIT_WORDS["m2"], "cbm": _UNIT_WORDS["cbm"], "m3": _UNIT_WORDS["cbm"],
    "ml": _UNIT_WORDS["ml"], "l": _UNIT_WORDS["l"], "liters": _UNIT_WORDS["l"], "litres": _UNIT_WORDS["l"], "gal": _UNIT_WORDS["gal"],
    "ms": _UNIT_WORDS["ms"], "s": _UNIT_WORDS["s"], "sec": _UNIT_WORDS["s"], "secs": _UNIT_WORDS["s"], "seconds": _UNIT_WORDS["s"],
    "min": _UNIT_WORDS["min"], "mins": _UNIT_WORDS["min"], "minutes": _UNIT_WORDS["min"],
    "hrs": _UNIT_WORDS["h"], "hours": _UNIT_WORDS["h"], "days": _UNIT_WORDS["day"],
    "weeks": _UNIT_WORDS["week"], "months": _UNIT_WORDS["month"], "years": _UNIT_WORDS["year"],
    "kb": _UNIT_WORDS["kb"], "mb": _UNIT_WORDS["mb"], "gb": _UNIT_WORDS["gb"], "tb": _UNIT_WORDS["tb"], "bytes": _UNIT_WORDS["b"],
    "wh": _UNIT_WORDS["wh"], "kwh": _UNIT_WORDS["kwh"], "mwh": _UNIT_WORDS["mwh"], "gwh": _UNIT_WORDS["gwh"], "kcal": _UNIT_WORDS["kcal"],
    "therms": _UNIT_WORDS["therm"], "kw": _UNIT_WORDS["kw"], "mw": _UNIT_WORDS["mw"],
    "kmh": _UNIT_WORDS["kmh"], "kph": _UNIT_WORDS["kph"], "mph": _UNIT_WORDS["mph"], "mpg": _UNIT_WORDS["mpg"], "ppm": _UNIT_WORDS["ppm"],
    "mcg": _UNIT_WORDS["mcg"], "ug": _UNIT_WORDS["mcg"], "gallons": _UNIT_WORDS["gal"], "gals": _UNIT_WORDS["gal"],
}
_TEMP_KEYS = frozenset(("temp", "temperature", "high", "low", "oven", "min", "max", "feels", "dew", "setpoint", "peak", "ambient",
                        "probe", "core", "fridge", "freezer", "avg", "mean", "reading", "hi", "lo", "daytime", "overnight",
                        "water", "air", "surface", "soil", "body"))
# what a length in millimetres measures (a key's "_mm" is otherwise the finance "millions")
_LENGTH_KEYS = frozenset(("rain", "rainfall", "precip", "precipitation", "snow", "snowfall", "thickness", "diameter", "length",
                          "width", "height", "depth", "size", "gap", "bore", "radius", "distance", "clearance", "tread",
                          "wall", "spacing", "pitch", "travel", "deflection", "wheelbase", "focal", "dia", "od", "id"))
_CURRENCY_CODES = frozenset(
    "usd eur gbp jpy cad aud chf inr cny rmb sek nok dkk pln brl mxn zar nzd sgd hkd krw try ils czk huf rub".split())
_SCALE_WORDS = {"k": 1e3, "thousand": 1e3, "thousands": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "million": 1e6,
                "millions": 1e6, "bn": 1e9, "b": 1e9, "billion": 1e9, "billions": 1e9}
_PCT_WORDS = frozenset(("pct", "percent", "percentage", "rate", "ratio", "share", "apy", "apr", "yield", "margin",
                        "discount", "coinsurance", "churn", "growth", "cagr", "utilization", "utilisation", "availability",
                        "uptime", "conversion", "probability", "prob", "fraction", "pct_of", "vat", "tax_rate", "occupancy"))
_MONEY_WORDS = frozenset((
    "price", "cost", "costs", "amount", "fee", "fees", "balance", "total", "subtotal", "tax", "salary", "pay", "wage",
    "gross", "net", "bill", "billed", "charge", "charged", "charges", "due", "income", "spend", "spent", "spending",
    "revenue", "mrr", "arr", "value", "budget", "deposit", "payment", "principal", "refund", "rent", "tolls", "toll",
    "linehaul", "bonus", "deductible", "copay", "premium", "fare", "rate_amount", "paid", "owed", "debt", "loan",
    "earnings", "profit", "noi", "expenses", "expense", "payout", "fine", "penalty", "tip", "credit", "debit",
    "surcharge", "arpu", "ltv", "cac", "cash", "savings", "dues", "hoa", "escrow", "interest", "discount_amount",
    "list", "msrp", "sale", "bid", "ask", "close", "open", "opening", "closing", "market", "cap",
))


class KeyRead(NamedTuple):
    tokens: tuple[str, ...]
    unit: Unit | None
    scale: float  # k / m / bn in the key
    currency: str | None
    per: str | None  # a period ("hoa_monthly") or the rate's noun ("price_per_user_month" -> "user")
    period: str | None  # the period alone ("month")
    percent: bool  # a rate or share: a fraction 0.042 is 4.2 %
    money: bool
    ambiguous_m: bool  # "_m": million or metres


@lru_cache(maxsize=8192)
def key_tokens(key: str) -> tuple[str, ...]:
    return tuple(t.lower() for t in _KEY_SPLIT.split(key) if t)


_PERIOD_ADJ_WORDS = frozenset(("monthly", "annual", "annually", "yearly", "weekly", "daily", "hourly", "quarterly", "nightly", "biweekly",
                               "semiannual", "semiannually", "biannual", "6mo"))
_LONG_UNIT_WORDS = frozenset(("days", "hours", "minutes", "seconds", "weeks", "months", "years", "miles", "liters", "litres",
                              "kwh", "mwh", "kcal", "therms"))


# The second word of a compound unit in a key ("mg_dl", "ml_h", "kg_ha").
_DENOMINATORS = frozenset(("dl", "l", "ml", "ac", "ha", "h", "hr", "kg", "day", "min", "m2", "ft"))


@lru_cache(maxsize=8192)
def key_units(key: str) -> KeyRead:
    """Unit, scale, currency, period and rate noun named by a JSON key."""
    toks = key_tokens(key)
    if "per" in toks:
        i = toks.index("per")
        head, tail = toks[:i], toks[i + 1:]
    else:
        head, tail = toks, []
    unit: Unit | None = None
    scale = 1.0
    currency = None
    per = period = None
    ambiguous_m = False
    for t in tail:  # "price_per_user_month": per user, monthly; "rate_per_kwh": per kWh
        if t in _CURRENCY_CODES:
            currency = t.upper()  # "resort_fee_per_night_usd": dollars a night, not per dollar
        elif t in PERIODS:
            period = period or PERIODS[t]
        elif per is None:
            per = t if t in _UNIT_WORDS else stem(t)
    for t in head:
        if t in _CURRENCY_CODES:
            currency = t.upper()
        elif t in _PERIOD_ADJ_WORDS:
            period = period or PERIODS[t]
        elif t in ("apy", "apr", "cagr", "aer"):
            period = period or "year"  # an annual rate
    rest = [t for t in head if t not in _CURRENCY_CODES and t not in _PERIOD_ADJ_WORDS]
    if len(rest) >= 2 and rest[-1] in ("month", "year", "week", "day", "quarter", "hour", "mo", "yr") \
            and (rest[-2] in _MONEY_WORDS or stem(rest[-2]) in _MONEY_WORDS):
        period = period or PERIODS[rest[-1]]  # "price_month", "cost_year": an amount per period
        rest = rest[:-1]
    if len(rest) >= 3 and rest[-2] in ("sq", "square", "cu", "cubic") and f"{rest[-2][:2]} {rest[-1]}" in _UNIT_WORDS:
        unit = _UNIT_WORDS[f"{rest[-2][:2]} {rest[-1]}"]  # "area_sq_ft"
        rest = rest[:-1]
    elif len(rest) >= 3 and rest[-2] in _KEY_UNITS and rest[-1] in _DENOMINATORS and per is None:
        unit = _KEY_UNITS[rest[-2]]  # "scr_mg_dl": mg per dL, as a claim "1.4 mg/dL" reads
        per = rest[-1]
        rest = rest[:-1]
    if unit is not None:
        pass
    elif rest:
        last = rest[-1]
        if last in ("c", "f") and any(x in _TEMP_KEYS for x in rest):
            unit = _UNIT_WORDS["°c" if last == "c" else "°f"]
        elif last == "m" and len(rest) > 1:
            ambiguous_m = True
        elif last == "mm" and any(t in _LENGTH_KEYS for t in rest[:-1]):
            unit = _KEY_UNITS["mm"]  # "rain_24h_mm", "thickness_mm": millimetres, not millions ("revenue_mm")
        elif last in ("cents", "cent", "ct"):
            scale = 0.01  # "peak_cents_per_kwh": 31.4 is $0.314 per kWh, "price_cents": 1999 is $19.99
        elif last in _SCALE_WORDS and last not in ("m", "b") and len(rest) > 1:
            scale = _SCALE_WORDS[last]
        elif last in _KEY_UNITS:
            unit = _KEY_UNITS[last]
        else:
            for t in rest[:-1]:  # "days_supply", "minutes_transcribed" (words, not abbreviations)
                if t in _LONG_UNIT_WORDS and t in _KEY_UNITS:
                    unit = _KEY_UNITS[t]
                    break
    last = rest[-1] if rest else ""
    priced = last in ("rate", "price", "cost") and (bool(tail) or period is not None)  # "rate_per_kwh", "hourly_rate"
    pct = not priced and (any(t in _PCT_WORDS for t in toks) or "pct" in key.lower() or "percent" in key.lower())
    # what the key names is its last word: "base_salary" is money, "pay_periods_per_year" a count
    money = currency is not None or priced or last in _MONEY_WORDS or stem(last) in _MONEY_WORDS or scale == 0.01
    if unit is not None:
        money = False
    return KeyRead(toks, unit, scale, currency, per or period, period, pct, money, ambiguous_m)


# A JSON number without a unit may still be of a dimension its key suggests ("avg_hr" is a heart
# rate in bpm, "duration" a time); a claim with a unit is never grounded on a key that suggests none.
DIM_WORDS = {
    "time": frozenset(("min", "mins", "minute", "minutes", "duration", "time", "hour", "hours", "hrs", "hr", "sec", "secs",
                       "second", "seconds", "day", "days", "week", "weeks", "month", "months", "year", "years", "age",
                       "tenure", "wait", "latency", "elapsed", "period", "term", "supply", "transit", "loan", "window",
                       "delay", "ttl", "uptime", "downtime", "p50", "p90", "p95", "p99", "avg", "median", "mttr", "eta", "lead",
                       "night", "nights", "stay")),
    "mass": frozenset(("weight", "mass", "wt", "load", "payload", "dose", "strength", "protein", "fat", "carbs", "sugar",
                       "sugars", "fiber", "sodium", "salt", "net", "gross")),
    "length": frozenset(("distance", "length", "height", "width", "depth", "range", "elevation", "altitude", "radius")),
    "volume": frozenset(("volume", "capacity", "vol", "dose", "fill")),
    "energy": frozenset(("usage", "consumption", "energy", "generation", "exported", "imported", "units")),
    "kcal": frozenset(("kcal", "calorie", "calories", "energy")),
    "data": frozenset(("size", "storage", "bandwidth", "data", "egress", "ingress", "quota", "disk", "used", "memory")),
    "temp": frozenset(("temp", "temperature", "high", "low", "oven")),
    "speed": frozenset(("speed", "limit", "velocity", "pace")),
    "bpm": frozenset(("hr", "heart", "pulse", "bpm", "rate")),
    "area": frozenset(("area", "size", "lot", "floor")),
}


def period_factor(have: str | None, want: str | None) -> float | None:
    """Multiply a value per `have` by this to get it per `want` (a month's $29 is a year's $348)."""
    if have == want:
        return 1.0
    if have is None or want is None:
        return None
    if have == "biweek_or_semimonth" or want == "biweek_or_semimonth":
        return None
    r = PERIOD_RATIO.get((have, want))
    if r is not None:
        return r
    r = PERIOD_RATIO.get((want, have))
    if r is not None:
        return 1.0 / r
    if have in PERIOD_DAYS and want in PERIOD_DAYS:
        return PERIOD_DAYS[want] / PERIOD_DAYS[have]
    return None
