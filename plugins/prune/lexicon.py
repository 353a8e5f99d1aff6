"""Words that mean nearly the same thing, and what kind of answer a question expects.

People rarely ask about a document in its own words: "how long do we have to settle their
bills?" is about "pay each invoice within 45 days". Two cheap, general aids (no model, no
data download, deterministic):

- `expand(query)`: each query term brings in the other members of its groups below at
  `RELATED` of its weight (general English, business, legal, software, travel vocabulary;
  written by hand, not from any evaluation case).
- `answer_kinds(question)`: the kinds of value the question asks for ("how long" -> a
  duration, "how much" -> money, "who" -> a person...), and `value_kinds(segment)`: the kinds
  a line holds; a line that is about the question *and* holds the kind of value asked for is
  the likelier answer (`excerpt.py`, `scoring.py`).
"""
from __future__ import annotations

import re

from .words import terms_of

# Each line: one group of stems-to-be (stemmed with words.stem when loaded).
_GROUPS = """
terminate termination cancel cancellation end exit quit withdraw leave out early convenience
notice notify notification warning heads-up advance inform
pay payment payable settle bill bills invoice invoicing remit remittance due owe
price prices pricing cost costs fee fees charge charges rate tariff spend amount expensive cheap cheaper
increase raise rise hike uplift adjust adjustment escalate escalation up
decrease reduce reduction cut lower discount drop
cap limit maximum max ceiling most upper exceed threshold allowance quota
minimum min least floor lower
liability liable damages loss losses compensation indemnity indemnify owe claim claims recover
warranty warrant guarantee defect defects broken faulty fix repair remedy cover covered
confidential confidentiality secret secrecy nda disclose disclosure private information
survive survival after expiry expiration post continue remain
court courts jurisdiction law venue dispute disputes sue lawsuit litigation judge judges arbitration legal
contract agreement deal msa terms clause clauses provision section article
renew renewal extend extension term period duration
uptime availability downtime outage down sla service-level reliability
credit credits refund refunds rebate reimburse reimbursement money back
subcontract subcontractor outsource assign assignment transfer delegate
data personal privacy gdpr processor retention retain keep delete deletion backup backups store storage
request requests call calls hit hits query queries invocation traffic
throttle throttled throttling rate-limit 429 quota burst
page pagination batch results items records rows entries size chunk
timeout wait waits latency seconds slow hang deadline
endpoint endpoints route api method path resource
list listing fetch retrieve get read pull lookup search find
create add post submit insert new register signup sign
update change modify edit patch alter set
remove delete erase destroy cancel purge
bill bills invoice invoices statement receipt receipts
ship shipment shipments shipping parcel parcels package packages delivery deliver courier freight
customer customers client clients buyer buyers user users account accounts people person
merchant seller vendor vendors supplier suppliers provider providers contractor
refund chargeback dispute reversal
payout payouts transfer transfers bank deposit withdrawal
coupon coupons discount voucher promo code
subscription subscriptions plan plans membership recurring
tax taxes vat gst duty jurisdiction
file files document documents upload attachment id identity
event events notification notifications webhook webhooks callback callbacks
session sessions checkout payment-page hosted
balance balances funds available pending
report reports export exports download extract
owner own ownership responsible responsibility accountable lead drive driving take assign assigned volunteer handle pick
deadline due date by until expect deliver delivery ready draft version
meeting call sync standup steering committee minutes transcript session
decide decided decision agree agreed choose chose chosen pick picked select selected settle settled
recommend recommendation suggest suggestion advise propose proposal option options
hotel hotels accommodation lodging room rooms stay night nights
meal meals food dinner lunch breakfast eat eating catering menu restaurant per-diem
taxi cab uber ride airport transfer car
flight flights fly plane airline airfare ticket tickets
train rail railway trains
drive driving mileage kilometre kilometer km car vehicle
travel trip trips journey business-travel abroad
expense expenses claim claims reimburse reimbursement allowance allowances per-diem policy
office home-office equipment desk chair monitor laptop
entertain entertainment client dinner guest guests hospitality
conference conferences event events summit seminar training course workshop
people headcount attendees attendee guests seats seat participants heads head person persons engineers staff team
total sum overall altogether all-in whole
hire hiring recruit recruiting candidate candidates offer salary compensation pay
employee employees staff worker workers personnel
manager managers boss lead supervisor director
vacation holiday leave pto time-off absence
sick illness medical health doctor
start begin beginning commence commencement kick-off kickoff launch
finish complete completion done deliver wrap
fast quick quickly speed rapid soon
slow delay delayed late lag
big biggest large largest huge max maximum
small smallest tiny little minimum
error errors failure failures fail failed bug bugs exception crash issue issues problem
fix fixes patch resolve resolution workaround
deploy deployment release rollout ship version upgrade
server servers host hosts machine machines node nodes instance instances box
database db postgres mysql sql datastore
cache caching redis memcached
config configuration setting settings parameter parameters option
log logs logging trace traces
test tests testing qa check checks verify verification
secure security vulnerability cve exploit patch
password credential credentials secret token key keys
address street location where place city town
phone telephone mobile number contact
email mail e-mail inbox message
buy purchase order orders procure procurement
sell sale sales revenue income
budget budgets funding funds spend allowance afford
quote quotation estimate bid offer proposal
schedule calendar agenda timeline plan
week weekly month monthly year yearly annual annually quarter quarterly daily day days
allergy allergic allergies intolerance intolerant avoid
wedding birthday anniversary party celebration
venue venues location hall space
available availability free open vacant booked
weather forecast rain temperature
""".strip().splitlines()

RELATED = 0.6  # weight of a related word, relative to the query word that brought it in
PER_TERM = 6  # related words one query word brings in at most: those of its smallest (most specific) groups

_index: dict[str, tuple[str, ...]] | None = None


def _build() -> dict[str, tuple[str, ...]]:
    best: dict[str, dict[str, int]] = {}  # word -> related word -> size of the smallest group they share
    for line in _GROUPS:
        members: set[str] = set()
        for w in line.split():
            members.update(terms_of(w))
        for m in members:
            near = best.setdefault(m, {})
            for o in members:
                if o != m and near.get(o, 1 << 30) > len(members):
                    near[o] = len(members)
    return {k: tuple(sorted(v, key=lambda o: (v[o], o))[:PER_TERM]) for k, v in best.items()}


def related(term: str) -> tuple[str, ...]:
    global _index
    if _index is None:
        _index = _build()
    return _index.get(term, ())


def expand(query: dict[str, float], weight: float = RELATED) -> dict[str, float]:
    """The query plus each term's related words at `weight` of its weight (never above a word's own)."""
    out = dict(query)
    for t, w in query.items():
        v = w * weight
        for r in related(t):
            if out.get(r, 0.0) < v:
                out[r] = v
    return out


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
