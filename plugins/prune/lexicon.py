"""What kind of answer a question expects, and what kinds of value a text holds.

(A hand-written list of related-word groups used to expand the whole query here. It was removed:
without it the generated set scored within 0.5 point of the score with it, and the independent
dev set scored higher; a word list written around known topics does not carry to unseen domains.
`NAMING` is narrower: the words code and configs name settings with, used only to choose lines
inside a long message.)

- `answer_kinds(question)`: the kinds of value the question asks for ("how long" -> a
  duration, "how much" -> money, "who" -> a person...), and `value_kinds(segment)`: the kinds
  a line holds; a line that is about the question *and* holds the kind of value asked for is
  the likelier answer (`excerpt.py`, `scoring.py`).
"""
from __future__ import annotations

import re

from .words import stem

# -- the names code and configuration give to a few common settings ----------------------------
# A question about a pasted source file or config says "base delay", "largest number of records in one
# chunk", "after how long without activity"; the code says RETRY_BACKOFF_MS, MAX_BATCH_ROWS,
# SESSION_IDLE_TIMEOUT_S. The naming conventions of settings (not a topic list): each group's words
# name one thing. Used inside long messages only (`excerpt.py`: which lines of a paste to keep), at a
# fraction of the question word's weight.
_NAMING = ("delay backoff wait sleep pause interval", "chunk batch page bucket", "record row entry item",
           "limit cap max maximum largest biggest ceiling", "min minimum smallest least floor",
           "timeout deadline expire expiry expiration ttl", "idle inactivity inactive activity",
           "login logon session signin", "retry retries attempt", "size length len",
           "normalise normalize coerce canonical canonicalise sanitise sanitize clean",
           "currency money iso4217", "country iso3166", "worker thread concurrency pool parallel",
           "discount reduction rebate markdown", "port endpoint url host", "threshold cutoff trigger")
NAMING: dict[str, frozenset[str]] = {}
for _g in _NAMING:
    _stems = frozenset(stem(w) for w in _g.split())
    for _w in _stems:
        NAMING[_w] = NAMING.get(_w, frozenset()) | (_stems - {_w})
SYNONYM_WEIGHT = 0.6


# -- kinds of values -----------------------------------------------------------------------
_NUMWORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|ninety|hundred)"
_N = rf"(?:\d[\d,.]*|{_NUMWORD}(?:[- ]{_NUMWORD})*(?:\s*\(\d+\))?)"
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
VALUE_PATTERNS: dict[str, re.Pattern[str]] = {
    "money": re.compile(r"[$€£¥]\s?\d|\b(?:eur|usd|gbp|chf|jpy|aud|cad|sek|nok|dkk)\s?\d|\d\s?(?:eur|usd|gbp|chf|dollars?|euros?|pounds?|francs?)\b"
                        r"|\b\d[\d,.]*\s?(?:k|m|bn)\b(?=.*\b(?:budget|cost|price|fee)\b)", re.I),
    "duration": re.compile(rf"\b{_N}\s*(?:business\s+|working\s+|calendar\s+)?(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|quarters?)\b|\b\d+\s?(?:ms|s|h|d)\b", re.I),
    "count": re.compile(rf"\b{_N}\s+(?:[a-z-]+\s+)?(?:requests?|calls?|records?|items?|rows?|entries|results?|people|persons?|users?|seats?|units?|"
                        r"guests?|attendees?|participants?|engineers?|employees?|staff|members?|pieces?|tickets?|licen[cs]es?|nights?|rooms?)\b"
                        r"|\bper\s+(?:second|minute|hour|day|request|call|page|seat|person|head|user|night|month)\b", re.I),
    "percent": re.compile(rf"\b{_N}\s?(?:%|percent\b|per\s?cent\b)", re.I),
    "date": re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\b|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
                       r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I),
    "time": re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?(?:am|pm)\b", re.I),
    # a measured amount: a dose, a weight, a length, a pressure, an energy ("850 mg", "12.5 kg", "35 Nm")
    "measure": re.compile(r"\b\d[\d,.]*\s?(?:mg|mcg|µg|g|kg|lbs?|oz|ml|l|litres?|liters?|mm|cm|m|km|mi|miles?|ft|in|nm|n·?m|psi|bar|kpa|"
                          r"kwh|mwh|wh|kw|mw|w|v|a|mah|°[cf]|degrees?|units?|tablets?|doses?)\b", re.I),
    "version": re.compile(r"\bv?\d+\.\d+(?:\.\d+)+\b|\bversion\s+\d", re.I),
    "code": re.compile(r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+\b|\b[A-Z]{2,}\d{3,}\b|\b\d{6,}\b"),
    "name": re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b|^(?:\[[\d:.]+\]\s*)?[A-Z][a-z]+:", re.M),
}
KINDS = tuple(VALUE_PATTERNS)
BIT = {k: 1 << i for i, k in enumerate(KINDS)}

_ASK: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (re.compile(r"\bhow\s+long\b|\bnotice\b|\bperiod\b|\bhow\s+soon\b|\bfor\s+how\s+many\s+(?:days|weeks|months|years)|\bduration\b|\bretention\b|\bwithin\b|\bwarranty\b", re.I), ("duration",)),
    (re.compile(r"\bhow\s+much\b|\bcost|\bprice|\bspend|\bbudget|\bfee\b|\bfees\b|\bcharge|\bbill\b|\bclaim\b|\bafford|\bpay\b|\bquote|\ballowance|\breimburs|\bexpens|\bliabilit|\bowe\b|\bmoney\b|\bcap\b", re.I), ("money", "percent")),
    (re.compile(r"\bhow\s+many\b|\bhow\s+fast\b|\bhow\s+often\b|\bper\s+(?:second|minute|hour|day)\b|\ba\s+(?:minute|second|day)\b|\brate\b|\blimit\b|\bbiggest\b|\blargest\b|\bmaximum\b|\bat\s+most\b|\bbatch\b|\bhead-?count\b|\bin\s+total\b", re.I), ("count", "duration")),
    (re.compile(r"\bby\s+how\s+much\b|\bpercent|\bper\s?cent|\bshare\b|\bdiscount\b|\bcredit\b|\bback\b|\bincrease\b|\braise\b|\bput\s+.*\bup\b", re.I), ("percent", "money")),
    (re.compile(r"\bwhen\b|\bdate\b|\bdeadline\b|\bdue\b|\bwhich\s+day\b|\bexpect\b", re.I), ("date", "time")),
    (re.compile(r"\bwhat\s+time\b|\bdepart|\barriv|\bpick\s?up\b|\bo'?clock\b|\bleave\s+at\b", re.I), ("time",)),
    (re.compile(r"\bin\s+(?:milli|micro|kilo|centi)?(?:grams?|litres?|liters?|metres?|meters?|watts?)\b|\bdose\b|\bdosage\b|\bhow\s+(?:heavy|far|tall|big|wide)\b|\bweigh|\btorque\b|\bpressure\b|\bkwh\b|\bdaily\s+amount\b", re.I), ("measure",)),
    (re.compile(r"\bwhich\s+version\b|\bwhat\s+version\b|\brelease\b|\bpinned\b", re.I), ("version",)),
    (re.compile(r"\b(?:id|reference|tracking|ticket|account|order|invoice|booking)\s+(?:number|id|no|code|reference)\b|\bwhich\s+(?:host|server|machine|ticket|order)\b", re.I), ("code",)),
    (re.compile(r"\bwho\b|\bwhom\b|\bwhose\b|\bwhich\s+(?:vendor|supplier|company|person|hotel|city|courts?|country|one)\b|\bwhere\b|\bresponsible\b|\bname\b", re.I), ("name",)),
]


def answer_kinds(question: str) -> int:
    """Bit mask of the kinds of value `question` asks for (0: none recognised)."""
    mask = 0
    for rx, kinds in _ASK:
        if rx.search(question):
            for k in kinds:
                mask |= BIT[k]
    return mask


def value_kinds(text: str) -> int:
    """Bit mask of the kinds of value `text` holds."""
    mask = 0
    for k, rx in VALUE_PATTERNS.items():
        if rx.search(text):
            mask |= BIT[k]
    return mask
