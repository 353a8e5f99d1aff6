"""Shortening one long message to a token allowance: keep the lines (or sentences) that matter
for the latest request, in their order, and say what was left out.

A segment (a line; a long line is cut into sentences or ~300-character pieces) scores

    relevance (below)
    + 0.4 per salient item (number, identifier, name; at most 3)
    + 1.0 per quantity (an amount with its unit: "EUR 185", "90 days", "12 requests"; at most 2)
    + 1.5 per item that a later message repeats (a figure the conversation came back to)
    + 0.8 for the first segment (a header, a command, a column list) and 0.3 for the last
    - 2 for a segment repeated word for word (boilerplate); list numbering is not an item.

Relevance is passage retrieval inside the message: BM25 of the segment against the query
terms (the question, and the unit's own tool call), plus context:
half of its section's relevance (the section's heading, "## GET /v2/shipments", "ARTICLE 5 -
CHARGES AND PAYMENT", "Allowances:", and its first lines, which describe it), and a share of
its neighbours' (the line after a question in a transcript is the answer: 0.5 from the line
before, 0.4 from the one before that, 0.25 from the line after). A segment that holds the kind
of value the question asks for (a duration for "how long", money for "how much", a date for
"when"...) gets 1.6 times its relevance.

A table (three or more consecutive lines of one row shape: CSV, TSV, markdown, semicolons) is
read row by row: each row is its own segment, and its header row (with a markdown |---| rule) is
its heading, kept with any row taken, ranked by a fifth of its own relevance (column names say which
table, not which row). Rows, and the fields of a JSON record, are records: they give and take no
neighbour context (the row after a matching row is another record, not its answer). The newer of two versions of a document (`supersede.versions`) gets a bonus on the
lines its older version lacks: what it changed.

A few kinds of line are what a kind of question asks for, and rare in a paste: they get about the
best line's relevance on top (`_SPEECH`, `_SPEECH_SHARE`) under that question: first-person
statements of a value (`SAID`), lines committing to an option (`DECIDED`), a log's failure lines
(FAILED, an error type, pytest's "E   assert") under a question about what failed (`FAILING`),
and addressee lines ("Attn: ...") under a question about whom something goes to (`ADDRESSEE`).

What an excerpt of a given size keeps (`retention`, which `select.py` prices) counts the note and
the heading or header each segment is taken with. Segments are taken best first (score / tokens ** 0.5, ties: earlier first) while they fit, each
with its section heading and the neighbour that made it relevant, then put back in their
original order with `[…]` where lines were left out, under a one-line note saying how much of
the message Bulwark kept. Deterministic.
"""
from __future__ import annotations

import math
import re
from typing import Any, Iterable

from proxy import tokens
from proxy.caches import put_bounded

from . import lexicon
from .words import terms_of, words

# Words too common to make a phrase ("of the", "we will"): the pairs skip them.
_STOP = frozenset("""a an the and or of to in on at for by with from is are was were be been it its this that these those
we you i he she they our your their my me us them will would shall should can could may might must do does did
not no as if so then than but about into over under up out all any each""".split())

_SENTENCE = re.compile(r"(?<=[^\W\d_][.!?;])\s+(?=\S)")  # after a word, not after "12." or "e.g" digits
_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)+\|?\s*$")  # |---|:--:|
_JSON_FIELD = re.compile(r'^[\s{\[},\]]*"[^"\n]{1,60}"\s*:')  # "voyage": "247W",
_PIECE = 300  # longest segment in characters before a line is cut
_NUMBER = re.compile(r"\d[\d,._:/-]*\d|\d")
_ID = re.compile(r"\b[A-Za-z]*\d[\w-]*|\b[A-Z]{2,}[\w-]*|\b\w+[_-]\w+[\w-]*")
_NAME = re.compile(r"(?<=\s)([A-Z][a-z]{2,})")
GAP = "[…]"
# A heading: markdown, "Article 7" / "Section 3.2" / "Schedule B", a short line in capitals, a short
# label ending in ":", or a short numbered title without a full stop ("12. Termination").
_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s+\S.*|(?:article|section|chapter|part|schedule|annex|appendix|clause|§)\s*[\dIVXLC]+[\w.]*\b.{0,80}"
    r"|[^a-z\n]*[A-Z]{2}[^a-z\n]*|[^\n]{1,58}:|\(?\d+(?:\.\d+)*[.)]?\s+[A-Z][^.!?\n]{0,60})\s*$", re.IGNORECASE)


class Query(dict):  # type: ignore[type-arg]
    """Query terms -> weights; `ask`: the kinds of value the question asks for (`lexicon.answer_kinds`);
    `parts`: a question asking several things, its parts (their terms, and the kinds each asks for)."""

    __slots__ = ("ask", "parts", "pairs", "said", "decided", "failing", "addressee")

    def __init__(self, terms: Any = (), ask: int = 0, parts: tuple[tuple[frozenset[str], int], ...] = (),
                 pairs: frozenset[tuple[str, str]] = frozenset(), said: bool = False, decided: bool = False,
                 failing: bool = False, addressee: bool = False) -> None:
        super().__init__(terms)
        self.ask = ask
        self.parts = parts
        self.pairs = pairs  # the question's adjacent word pairs ("migration plan"): a phrase, not two words
        self.said = said  # the question asks what someone said (`SAID`): first-person statements of a value count more
        self.decided = decided  # the question asks what was settled (`DECIDED`): lines committing to a named option count more
        self.failing = failing  # the question asks what failed (`FAILING`): a log's failure lines (`_ALARM`) count more
        self.addressee = addressee  # the question asks whom something goes to (`ADDRESSEE`): "Attn:" lines (`_ADDRESS`) count more


# A question about what someone said, wrote or told ("what did the rep say", "when did the witness say
# he left", "which price did participant seven say made them quit").
SAID = re.compile(r"\b(?:say|said|says|tell|told|mention(?:ed)?|wrote|claim(?:ed)?|testif(?:y|ied)|quoted?|stated?)\b", re.IGNORECASE)
# Inside a pasted thread, transcript or chat, a first-person statement holding a value ("I left at about ten
# past nine", "we can only hold the 3.5% discount if PO 5521-K...", "I rolled back to revision 41"): the
# quote such a question is after, where the rest of a long paste is third-person talk about it.
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|we|We|we're|we've|my|My|our|Our)\b")
_WORD_VALUE = re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
                         r"hundred|thousand|half|quarter|noon|midnight)\b", re.IGNORECASE)
_SPEECH, _SPEECH_SHARE = 1.5, 0.6

# A question about what a group settled on ("which rehearsal space we settled on", "where did we agree to
# meet", "which caterer did we book"), and, inside a pasted chat or thread, a line committing to an option
# that it names ("agreed, I've reserved Room B at Kettleworks", "let's go with the Tuesday slot", "booked
# Casa Lupo for the 14th"): what such a question is after, where the rest of the thread is the options
# and the talk around them. The line must hold a name or a value (an "agreed" alone names nothing).
DECIDED = re.compile(r"\b(?:settled?|decided?|agreed?|land(?:ed)?\s+on|chose|chosen|picked|went\s+with|going\s+with|go\s+with|"
                     r"booked|reserved|confirmed|finali[sz]ed|locked\s+in)\b", re.IGNORECASE)
_COMMITS = re.compile(r"\b(?:agreed|settled\s+on|decided\s+on|confirmed|booked|reserved|locked\s+in|signed\s+up|"
                      r"let'?s\s+(?:go\s+with|do|book|take|use|pick)|(?:we'?ll|we\s+will|i'?ll)\s+(?:go\s+with|take|use|book)|"
                      r"going\s+with|go(?:ing)?\s+for)\b", re.IGNORECASE)

# A question about what failed or broke ("which test is failing", "what's broken", "why did the deploy crash",
# "the exact assertion that blew up"), and, inside a pasted log or a tool's output, a line that marks a failure:
# a FAILED / ERROR / FATAL status, an exception or error type ("AssertionError", "KeyError: 'x'",
# "TimeoutException"), a traceback, an assert line ("E   assert 3 == 4"). A CI log is mostly PASSED lines that
# share the question's words ("test", "run"); the few lines of the failure are what it asks for.
FAILING = re.compile(r"\b(?:fail(?:s|ed|ing|ures?)?|error(?:s|ed)?|broken?|breaks?|crash(?:es|ed|ing)?|exceptions?|traceback|"
                     r"assert(?:s|ed|ions?)?|blew\s+up|blow(?:s|ing)?\s+up|went\s+wrong|goes\s+wrong|red\s+build)\b", re.IGNORECASE)
# (A log's report of a failure, not source code handling one: "except ClientError:", "raise ValueError(...)",
# "    assert x" in a pasted file are no failure; pytest's "E   assert ..." and "> assert ..." are.)
_ALARM = re.compile(r"\bFAIL(?:ED|URE|S)?\b|\bERROR\b|\bFATAL\b|\bCRITICAL\b|\bError:|\b[A-Z][A-Za-z]*(?:Error|Exception|Failure)\b(?=:|\s*$)"
                    r"|\bTraceback\s+\(most\b|^\s*(?:E|>)\s+assert\b|\bpanic:", re.MULTILINE)
_HANDLER = re.compile(r"^\s*(?:except|raise|throw|catch|class|def|if|elif|return)\b|^\s*}?\s*catch\b")
# A question about whom something goes to ("who must the notice be addressed to", "who do we notify",
# "to whom do I send it"), and a line naming an addressee: "Attn: Mateo Haverkamp", "For the attention of",
# "c/o", "addressed to the General Counsel", "To: ..." (a contract's notices clause, a letter's head).
ADDRESSEE = re.compile(r"\bto\s+whom\b|\b(?:who|whom)\b[^?.]{0,80}?\b(?:address(?:ed)?|notif(?:y|ied|ies|ication)|notices?|send|sent|"
                       r"deliver(?:ed)?|served?|contact(?:ed)?|cc|copy|copied|escalat(?:e|ed|ion)|attention)\b", re.IGNORECASE)
_ADDRESS = re.compile(r"\b(?:Attn|ATTN|Attention|FAO|c/o)\b\.?\s*:?\s*[A-Z]|\b[Ff]or\s+the\s+attention\s+of\s+[A-Z]"
                      r"|\b(?:addressed|sent|delivered|marked|copied)\s+to\s*:?\s*(?:the\s+)?[A-Z]|^\s*(?:To|Cc|CC)\s*:\s*[A-Z]", re.MULTILINE)
_ALARM_SHARE = 0.2  # failure lines are a log's few lines: at most this share of its segments (else nothing stands out)

# A passage in another language (a forwarded letter, a quoted reply in German, Dutch, Italian...): the
# question's English words cannot reach it, so its sentences take the relevance of the English line that
# leads into it ("Forwarding what the clinic in Porto sent me, it's in Portuguese:"; the lead-in keeps half:
# it says where the answer is, the passage holds it), and among them the
# ones holding codes, numbers and names rank first (their base score). Foreign: a prose sentence (no code
# punctuation) of at least four words with none of the English function words below, which other
# European languages do not spell the same way ("in", "a", "is", "was", "die" are words there too).
_ENGLISH = frozenset("""the of to and for with from that this you your are were have has been it they we our would should could
can what which there their these those not but at by be my if or he she its will been than them who when""".split())
_CODE_CHARS = re.compile(r"[={}<_`|\\]|\(\)|->|=>|;\s*$")
_QUOTE_MARK = re.compile(r"^\s*(?:>\s*)+")
_LETTERS = re.compile(r"[^\W\d_]+")  # a word of letters, in any script
_LEAD_SHARE = 0.5  # what the lead-in keeps of its own relevance


def foreign(seg: str) -> bool:
    """A prose segment with no English function word (see above)."""
    body = _QUOTE_MARK.sub("", seg)
    if _CODE_CHARS.search(body):
        return False
    ws = [w for w in _LETTERS.findall(body.lower()) if len(w) >= 2]
    return len(ws) >= 4 and not any(w in _ENGLISH for w in ws)


def pairs_of(text: str) -> frozenset[tuple[str, str]]:
    """Adjacent content-word pairs of `text` (stemmed, the commonest function words skipped)."""
    w = words(text.lower(), _STOP)
    return frozenset(zip(w, w[1:]))


def ask_of(query: dict[str, float]) -> int:
    return getattr(query, "ask", 0)


def row_shape(line: str) -> tuple[str, int]:
    """A table row's delimiter and how many of it the line has (CSV, TSV, markdown, semicolons);
    ("", 0) for a line with fewer than two of each. Consecutive lines of one shape are a table."""
    best, n = "", 1
    line = line.split("\n", 1)[0]  # (a header segment holds its |---| rule on a second line)
    for d in ",\t|;":
        k = line.count(d)
        if k > n:
            best, n = d, k
    return (best, n) if best else ("", 0)


def _same_row_shape(a: str, b: str) -> bool:
    shape = row_shape(a)
    return shape[1] > 0 and shape == row_shape(b)


# A title or an abbreviation ends in a full stop without ending the sentence ("Dr. Osei", "e.g. the").
_ABBREV = re.compile(r"(?:^|\s)(?:dr|mr|mrs|ms|prof|st|mt|jr|sr|no|vs|etc|e\.g|i\.e|approx|fig|inc|ltd|co|dept|est|ref)\.$", re.IGNORECASE)


def _sentences(line: str) -> list[str]:
    out: list[str] = []
    for sent in _SENTENCE.split(line):
        if out and _ABBREV.search(out[-1]):
            out[-1] = out[-1] + " " + sent
        else:
            out.append(sent)
    return out


def segments(text: str) -> list[str]:
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= _PIECE:
            # "12." or a bare label joins its line; a table row ("Breda,Aug,417") never: each row is its own segment
            if out and out[-1] and _RULE.match(line):  # a markdown table's |---|---| belongs to its header
                out[-1] = out[-1] + "\n" + line
            elif out and out[-1] and len(out[-1].split()) < 3 and line.strip() and not _same_row_shape(line, out[-1]):
                out[-1] = out[-1] + " " + line
            else:
                out.append(line)
            continue
        for sent in _sentences(line):
            while len(sent) > _PIECE:  # minified JSON, a wall of text: cut near a comma or a space
                cut = max(sent.rfind(", ", 0, _PIECE), sent.rfind(" ", 0, _PIECE))
                cut = cut + 1 if cut > _PIECE // 3 else _PIECE
                out.append(sent[:cut])
                sent = sent[cut:]
            out.append(sent)
    return out


_ENUMERATOR = re.compile(r"^\s*(?:[-*•]|\(?\d{1,3}[.)]|[a-z][.)]|#+)\s+")
# A transcript's or chat log's line prefix: a time stamp ("[00:12:41]") and a speaker ("Marta: ")
# before at least four words. Not a fact of the line, and not what makes two lines differ.
_SPEAKER = re.compile(r"^\s*(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?[\])]?\s+)?(?:[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,2}:\s+(?=\S+(?:\s+\S+){3}))?")


def _strip(seg: str) -> str:
    """The segment without its list numbering or its time stamp and speaker."""
    seg = _SPEAKER.sub("", seg, count=1)
    return _ENUMERATOR.sub("", seg, count=1)

# A figure with what it measures: money, durations, rates, sizes, percentages, times of day.
_QUANTITY = re.compile(
    r"(?:[$€£]|\b(?:eur|usd|gbp|chf)\s?)\d[\d,.]*|\b\d[\d,.]*\s?(?:%|percent|eur|usd|gbp|chf|k|m|bn|"
    r"ms|seconds?|minutes?|hours?|days?|weeks?|months?|years?|requests?|records?|units?|people|users?|gb|mb|tb|kg|km)\b|"
    r"\b\d{1,2}:\d{2}\b|\b\d+\s?\(\w+\)",
    re.IGNORECASE,
)


def _items(seg: str) -> set[str]:
    seg = _strip(seg)  # "12. ..." is a position, "[00:12:41] Marta:" a speaker, not facts
    found = {x.replace(",", "") for x in _NUMBER.findall(seg) if len(x) >= 2}
    found.update(x.lower() for x in _ID.findall(seg) if len(x) >= 3)
    found.update(x.lower() for x in _NAME.findall(" " + seg))
    return found




class _Analysis:
    """What one text's excerpts need whatever the query: its segments and their tokens, a score
    that does not depend on the query, inverted indexes of terms and items, the structure
    (each segment's section heading, its non-blank neighbours) and the kinds of value it holds."""

    __slots__ = ("segs", "costs", "sqrt_costs", "base", "terms", "weighted", "items", "lengths", "avg", "total", "head",
                 "sections", "desc", "prev", "next", "kinds", "pairs", "keys", "valued", "table", "table_heads", "speech",
                 "commits", "lead", "alarms", "addressed")

    def __init__(self, text: str, model: str | None) -> None:
        self.segs = segments(text)
        self.costs = [tokens.count_text(s, model) + 1 for s in self.segs]  # +1: the newline
        self.sqrt_costs = [c ** 0.5 for c in self.costs]
        self.total = tokens.count_text(text, model)
        n = len(self.segs)
        self.base: list[float] = []
        self.terms: dict[str, list[tuple[int, int]]] = {}
        self.items: dict[str, list[int]] = {}
        self.lengths: list[int] = []
        self.head = [-1] * n  # the heading of the section a segment is in (-1: none, or a heading itself)
        self.sections: dict[int, range] = {}  # heading -> the segments of its section
        self.desc: dict[int, int] = {}  # the first lines of a section (they describe it) -> its heading
        self.prev = [-1] * n  # the previous / next non-blank segment
        self.next = [-1] * n
        self.kinds = [0] * n
        self.pairs: dict[tuple[str, str], list[int]] = {}  # adjacent content-word pair -> its segments
        self.keys: list[int] = []  # hash of each segment's text without numbering / speaker (what versions compare)
        self.valued: list[bool] = []  # the segment states a value: a quantity, a number, a code with digits
        self.table_heads: set[int] = set()
        self.table: set[int] = set()  # the headers and rows of tables: their neighbours are other records, not context
        self.speech: list[int] = []  # first-person statements holding a value (`_FIRST_PERSON`)
        self.commits: list[int] = []  # lines committing to a named option (`_COMMITS`)
        self.lead: dict[int, int] = {}  # a segment of a passage in another language -> the line leading into it (`foreign`)
        self.alarms: list[int] = []  # lines marking a failure (`_ALARM`), when they are few
        self.addressed: list[int] = []  # lines naming an addressee (`_ADDRESS`), when they are few
        alien: list[bool] = []
        seen: set[str] = set()
        h, last, body = -1, -1, 0
        for i, seg in enumerate(self.segs):
            tf = terms_of(seg)
            self.lengths.append(sum(tf.values()))
            for pr in sorted(pairs_of(seg)):
                self.pairs.setdefault(pr, []).append(i)
            for t, c in tf.items():
                self.terms.setdefault(t, []).append((i, c))
            found = _items(seg)
            for x in sorted(found):
                self.items.setdefault(x, []).append(i)
            nq = len(_QUANTITY.findall(seg))
            self.valued.append(nq > 0 or any(c.isdigit() for x in found for c in x))
            if _FIRST_PERSON.search(seg) and (self.valued[-1] or _WORD_VALUE.search(seg)):
                self.speech.append(i)
            if found and _COMMITS.search(seg):
                self.commits.append(i)
            if _ALARM.search(seg) and not _HANDLER.match(seg):
                self.alarms.append(i)
            if _ADDRESS.search(seg):
                self.addressed.append(i)
            alien.append(foreign(seg))
            if alien[-1] and (self.valued[-1] or _WORD_VALUE.search(seg)) and (not self.speech or self.speech[-1] != i):
                self.speech.append(i)  # a letter forwarded in another language is what someone said, in their words
            b = 0.4 * min(3, len(found)) + 1.0 * min(2, nq) + (0.8 if i == 0 else 0.3 if i == n - 1 else 0.0)
            key = _strip(seg).strip().lower()
            self.keys.append(hash(key))
            if not key:
                b = -1.0
            elif key in seen:  # boilerplate repeated word for word says nothing new
                b -= 2.0
            seen.add(key)
            self.base.append(b)
            if not key:
                continue
            self.prev[i] = last
            if last >= 0:
                self.next[last] = i
            last = i
            if len(seg) <= 100 and _HEADING.match(seg):
                if h >= 0:
                    self.sections[h] = range(h + 1, i)
                h, body = i, 0
                continue
            self.head[i] = h
            self.kinds[i] = lexicon.value_kinds(seg)
            if h >= 0 and body < 2:
                self.desc[i] = h
                body += 1
            if _JSON_FIELD.match(seg):  # a JSON field is a record's cell too: no neighbour context
                self.table.add(i)
        if h >= 0:
            self.sections[h] = range(h + 1, n)
        if len(self.alarms) > max(3, _ALARM_SHARE * n):
            self.alarms = []
        if len(self.addressed) > max(3, _ALARM_SHARE * n):
            self.addressed = []
        self._tables()
        self._foreign(alien)
        self.avg = avg = (sum(self.lengths) / n) if n else 1.0
        # BM25 inside the text (k1 1.2, b 0.75): per term its idf and each segment's tf part
        k = 0.9 / (avg or 1.0)
        lengths = self.lengths
        self.weighted = {t: (math.log(1 + (n - len(post) + 0.5) / (len(post) + 0.5)) * 2.2,
                             [(i, c / (c + 0.3 + k * lengths[i])) for i, c in post]) for t, post in self.terms.items()}

    def _foreign(self, alien: list[bool]) -> None:
        """Each run of consecutive foreign-language segments (blank lines skipped; `foreign`) that an
        English line leads into: its segments -> that line."""
        if not any(alien):
            return
        for i in range(len(self.segs)):
            if not alien[i] or i in self.table:
                continue
            p = self.prev[i]
            if p >= 0 and p in self.lead:
                self.lead[i] = self.lead[p]
            elif p >= 0 and not alien[p]:
                self.lead[i] = p

    def _tables(self) -> None:
        """Row awareness: in a run of at least three consecutive lines of one row shape (`row_shape`),
        the first is the header: every row's heading, kept with any row an excerpt takes (a cell
        means nothing without its column's name)."""
        segs, n = self.segs, len(self.segs)
        i = 0
        while i < n:
            shape = row_shape(segs[i])
            j = i + 1
            if shape[1]:
                while j < n and row_shape(segs[j]) == shape:
                    j += 1
            if j - i >= 3:
                for k in range(i + 1, j):
                    self.head[k] = i
                self.table.update(range(i, j))
                self.table_heads.add(i)
                # the header is worth what the row it labels is: it is taken with a row, never first on its own
                self.base[i] = min(self.base[i], 0.0)
            i = j


_CACHE_MAX = 4096
_analyses: dict[tuple[int, str], _Analysis] = {}


def version_keys(text: str, model: str | None) -> frozenset[int]:
    """The segment keys of an older version of a text (for `prior`)."""
    return frozenset(_analysis(text, model).keys)


def _analysis(text: str, model: str | None) -> _Analysis:
    """Cached by content hash (a growing conversation analyses each long message once)."""
    key = (hash(text), tokens.encoding_name_for(model))
    a = _analyses.get(key)
    if a is None:
        a = _Analysis(text, model)
        put_bounded(_analyses, key, a, _CACHE_MAX)
    return a


_SECTION, _AFTER, _AFTER2, _BEFORE, _KIND, _PHRASE = 0.5, 0.5, 0.4, 0.25, 1.6, 0.5
# A table header's share of its own relevance in the order excerpts take segments: the column names
# say which table, not which row; the header comes with every row taken (`head`).
_HEADER_SHARE = 0.2
# A line of a newer version that the older one lacks: what the question about the document most likely
# needs of it. A changed value gets the best line's relevance on top when the changes are few, half of
# it when many lines changed (then the line the question is about still ranks first).
_NEW, _NEW_SHARE = 2.0, 0.5


def _context(a: _Analysis, rel: dict[int, float], ask: int, kind: float = _KIND) -> tuple[dict[int, float], dict[int, int]]:
    """Relevance with context (section, neighbours, kind of value; see the module doc), and for a
    segment made relevant mostly by a neighbour, that neighbour (kept with it). Segments are taken in
    their order (the links depend on it: the first neighbour to lift a segment names it unless a later one
    lifts it clearly more), never in the order the query's terms happened to reach them."""
    rel = dict(sorted(rel.items()))
    total = dict(rel)
    get = total.get
    link: dict[int, int] = {}
    sections = a.sections
    if sections:
        sec: dict[int, float] = {}
        desc = a.desc
        for i, r in rel.items():
            h = i if i in sections else desc.get(i, -1)
            if h >= 0:
                sec[h] = sec.get(h, 0.0) + r
        blank = a.base
        for h, r in sec.items():
            c = _SECTION * r
            for j in sections[h]:
                if blank[j] > -1.0:  # (a blank line stays worthless)
                    total[j] = get(j, 0.0) + c
    prev, nxt = a.prev, a.next
    rget = rel.get
    table = a.table
    for i, r in rel.items():
        if i in table:  # a table's rows are records: the row after a relevant one is not its answer
            continue
        j = nxt[i]
        if j >= 0:
            k = nxt[j]
            for j, c in ((j, _AFTER * r), (k, _AFTER2 * r), (prev[i], _BEFORE * r)):
                if j >= 0 and j not in sections and j not in table:
                    total[j] = get(j, 0.0) + c
                    if c > rget(j, 0.0) and (j not in link or c > rget(link[j], 0.0) * _AFTER):
                        link[j] = i
        elif prev[i] >= 0 and prev[i] not in sections and prev[i] not in table:
            j = prev[i]
            total[j] = get(j, 0.0) + _BEFORE * r
    lead = a.lead
    if lead:  # the lead-in's worth is the passage it introduces: the passage takes it, the lead-in comes along
        given = {h: get(h, 0.0) for h in set(lead.values())}
        for j, h in lead.items():
            c = given[h]
            if c > get(j, 0.0):
                total[j] = c
                link[j] = h
        for h, c in given.items():
            if c:
                total[h] = _LEAD_SHARE * c
    if ask:
        kinds = a.kinds
        for i in [i for i in total if kinds[i] & ask]:
            total[i] *= kind
    return total, link


class Later:
    """`later(item)`: a message after `end` repeats the item (`seen`: item -> the last message holding it)."""

    __slots__ = ("seen", "end")

    def __init__(self, seen: dict[str, int], end: int) -> None:
        self.seen, self.end = seen, end

    def __call__(self, item: str) -> bool:
        return self.seen.get(item, -1) > self.end


class _Scored:
    """One message's segment scores for one plan, its context links, and the order excerpts take
    segments in (best score per sqrt(token) first, ties earlier first; then the unscored ones)."""

    __slots__ = ("scores", "link", "_order", "_sqrt")

    def __init__(self, scores: list[float], link: dict[int, int], sqrt_costs: list[float]) -> None:
        self.scores, self.link, self._order, self._sqrt = scores, link, None, sqrt_costs

    @property
    def order(self) -> list[int]:
        if self._order is None:
            sc, sq = self.scores, self._sqrt
            pos = [i for i, x in enumerate(sc) if x > 0]
            pos.sort(key=lambda i: -sc[i] / sq[i])
            self._order = pos + [i for i, x in enumerate(sc) if x == 0]
        return self._order


def _with_naming(query: dict[str, float]) -> dict[str, float]:
    """The query with the other names of a setting it asks about (`lexicon.NAMING`), at a fraction of its weight."""
    extra: dict[str, float] = {}
    naming = lexicon.NAMING
    for t in sorted(query.keys() & naming.keys()):
        w = query[t] * lexicon.SYNONYM_WEIGHT
        for x in sorted(naming[t]):
            if x not in query and extra.get(x, 0.0) < w:
                extra[x] = w
    return {**query, **extra} if extra else query


def _scores(a: _Analysis, query: dict[str, float], later: Any, memo: dict[Any, Any] | None = None,
            prior: frozenset[int] | None = None) -> _Scored:
    """The query-free base, plus relevance (BM25 and context) for the segments the query
    reaches, plus items that a later message repeats (`later(item)` says whether one does), plus
    a bonus (`_NEW`) for a line an older version of this text (`prior`: its segment keys) did not have.
    `memo`: one plan's cache (the same message is scored for its options and again for its excerpt)."""
    if memo is not None:
        hit = memo.get(id(a))
        if hit is not None and hit[0] is a:
            return hit[1]
    out = list(a.base)
    rel: dict[int, float] = {}
    weighted = a.weighted
    get = rel.get
    terms = _with_naming(query)
    for q in sorted(terms.keys() & weighted.keys()):  # sorted: float sums and `rel`'s order not hash order
        idf, post = weighted[q]
        w = idf * terms[q]
        for i, t in post:
            rel[i] = get(i, 0.0) + w * t
    pairs = getattr(query, "pairs", None)
    if pairs and rel:  # the question's phrase, word for word: both words' weight once more
        for pr in sorted(pairs & a.pairs.keys()):
            w0, w1 = weighted.get(pr[0]), weighted.get(pr[1])
            if w0 and w1:
                bonus = _PHRASE * (w0[0] * query.get(pr[0], 0.0) + w1[0] * query.get(pr[1], 0.0))
                for i in a.pairs[pr]:
                    rel[i] = get(i, 0.0) + bonus
    link: dict[int, int] = {}
    top = 0.0
    if rel:
        total, link = _context(a, rel, ask_of(query))
        heads = a.table_heads
        for i, t in total.items():
            out[i] += t * _HEADER_SHARE if i in heads else t
        top = max(total.values())
    if a.speech and getattr(query, "said", False):  # rare in a paste: about as worth keeping as its best line
        for i in a.speech:
            out[i] += _SPEECH + _SPEECH_SHARE * top
    if a.commits and getattr(query, "decided", False):  # likewise: what was settled, in the thread's own words
        for i in a.commits:
            out[i] += _SPEECH + _SPEECH_SHARE * top
    if a.alarms and getattr(query, "failing", False):  # likewise: what failed, among the lines of what passed
        for i in a.alarms:
            out[i] += _SPEECH + _SPEECH_SHARE * top
    if a.addressed and getattr(query, "addressee", False):  # likewise: whom it goes to, among the clauses about it
        for i in a.addressed:
            out[i] += _SPEECH + _SPEECH_SHARE * top
    if later is not None:
        if isinstance(later, Later):  # inline: the common case
            seen, end = later.seen.get, later.end
            hits = [segs for x, segs in a.items.items() if seen(x, -1) > end]
        else:
            hits = [segs for x, segs in a.items.items() if later(x)]
        for segs in hits:
            for i in segs:
                out[i] += 1.5
    if prior:  # what the newer version changed is what it says that the older one does not
        new = [i for i, k in enumerate(a.keys) if k not in prior and out[i] > -1.0]
        # A few changed values are what tells the version apart: as worth keeping as the best line. (A
        # changed line without a value, such as the paste's own intro, gets the small bonus only.)
        share = 1.0 if len(new) <= max(3, len(a.keys) // 10) else _NEW_SHARE
        valued = a.valued
        for i in new:
            out[i] += _NEW + share * top if valued[i] else _NEW
    res = _Scored(out, link, a.sqrt_costs)
    if memo is not None:
        memo[id(a)] = (a, res)  # (holding `a`: its id stays its own for the plan)
    return res


def passage_relevance(text: str, model: str | None, weights: dict[str, float], avgdl: float, ask: int,
                      k1: float = 1.2, b: float = 0.75) -> float:
    """The relevance of the best passage of a long text, as if it were a message of its own:
    BM25 per segment with the conversation's term weights (idf times query weight) and its
    average message length, with the same context as excerpts (section, neighbours, kind)."""
    a = _analysis(text, model)
    rel: dict[int, float] = {}
    terms, lengths = a.terms, a.lengths
    x, y = k1 * (1 - b), k1 * b / avgdl
    for q in sorted(weights.keys() & terms.keys()):  # (a fixed order of float sums: not hash order)
        w = weights[q] * (k1 + 1)
        for i, c in terms[q]:
            rel[i] = rel.get(i, 0.0) + w * c / (c + x + y * lengths[i])
    if not rel:
        return 0.0
    total, _ = _context(a, rel, ask, 1.3)
    return max(total.values())


# Diminishing returns: the k-th best segment adds RANK_DECAY ** k of its score (the answer is in the first
# few; the 20th adds little), so a small excerpt of a long message keeps most of its worth.
RANK_DECAY = 0.8
_NOTE_TOKENS = 24  # the "[Bulwark kept the parts ...]" note an excerpt starts with
SPAN = 24  # what a reader takes from a long message is in its best few lines: its worth is their score


def retention(text: str, model: str | None, query: dict[str, float], later: Any, sizes: list[int],
              memo: dict[Any, Any] | None = None, prior: frozenset[int] | None = None) -> list[float]:
    """For each content size, the share of the message's worth an excerpt of that size keeps:
    the score of the segments it takes (best first) over the score of the best SPAN segments;
    proportional to size when nothing scores."""
    a = _analysis(text, model)
    sc = _scores(a, query, later, memo, prior)
    scores, order = sc.scores, sc.order
    decay = [RANK_DECAY ** k for k in range(SPAN)]
    mass = sum(scores[i] * d for i, d in zip(order, decay))
    if mass <= 0:
        return [min(1.0, n / max(1, a.total)) for n in sizes]
    # What an excerpt of n tokens holds: its note, then segments best first, each with the section
    # heading or table header it is taken with (as `excerpt_text` takes them).
    cum_tokens, cum_mass = [_NOTE_TOKENS], [0.0]
    costs, head, link = a.costs, a.head, sc.link
    counted: set[int] = set()
    for i, d in zip(order, decay):
        if scores[i] <= 0:  # the rest adds no worth
            break
        extra = costs[i] + 2
        for j in (head[i], link.get(i, -1)):
            if j >= 0 and j not in counted and j != i:
                counted.add(j)
                extra += costs[j] + 2
        counted.add(i)
        cum_tokens.append(cum_tokens[-1] + extra)
        cum_mass.append(cum_mass[-1] + scores[i] * d)
    out = []
    for n in sizes:
        lo, hi = 0, len(cum_tokens) - 1  # the last prefix that fits n tokens
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if cum_tokens[mid] <= n:
                lo = mid
            else:
                hi = mid - 1
        out.append(min(1.0, cum_mass[lo] / mass))
    return out


def excerpt_text(text: str, content_tokens: int, model: str | None, query: dict[str, float], later: Any = None,
                 memo: dict[Any, Any] | None = None, prior: frozenset[int] | None = None) -> str:
    """`text` cut to at most `content_tokens` tokens (the note included)."""
    a = _analysis(text, model)
    segs, costs, total = a.segs, a.costs, a.total
    sc = _scores(a, query, later, memo, prior)
    link = sc.link
    note = f"[Bulwark kept the parts of this message relevant to the request; {{n}} of {total} tokens omitted]"
    room = content_tokens - tokens.count_text(note.format(n=total), model) - 2
    if room < 8:  # no room for any line: the note alone, shortened
        short = f"[{total} tokens omitted by Bulwark]"
        return short if tokens.count_text(short, model) <= content_tokens else ""
    order = sc.order
    chosen: set[int] = set()
    used = 0
    gap = tokens.count_text(GAP, model) + 1
    head = a.head
    for i in order:
        if i in chosen:
            continue
        extra = costs[i] + gap  # a gap marker may be needed next to it (an upper bound)
        if head[i] < 0 and i not in link:
            if used + extra <= room:
                chosen.add(i)
                used += extra
            elif used + 4 + gap > room:  # nothing more fits
                break
            continue
        # with its section heading and the neighbour that made it relevant, when they fit too
        want = [j for j in {i, head[i], link.get(i, -1)} if j >= 0 and j not in chosen]
        more = sum(costs[j] for j in want) + gap * len(want)
        if used + more <= room:
            chosen.update(want)
            used += more
        elif used + extra <= room:
            chosen.add(i)
            used += extra
    return _render(segs, chosen, costs, total, note)


def _render(segs: list[str], chosen: Iterable[int], costs: list[int], total: int, note: str) -> str:
    keep = sorted(chosen)
    lines: list[str] = []
    prev = -1
    kept = 0
    for i in keep:
        if i != prev + 1:
            lines.append(GAP)
        lines.append(segs[i])
        kept += costs[i] - 1
        prev = i
    if prev != len(segs) - 1:
        lines.append(GAP)
    return note.format(n=max(0, total - kept)) + "\n" + "\n".join(lines)


def excerpt_message(m: dict[str, Any], allowance: int, model: str | None, query: dict[str, float], later: Any = None,
                    memo: dict[Any, Any] | None = None, prior: frozenset[int] | None = None) -> dict[str, Any]:
    """A copy of message `m` whose string content fits `allowance` tokens (the whole message)."""
    content = m.get("content")
    if not isinstance(content, str):
        return m
    shell = tokens.count_message({**m, "content": ""}, model)
    room = allowance - shell
    text = excerpt_text(content, room, model, query, later, memo, prior)
    out = {**m, "content": text}
    while text and tokens.count_message(out, model) > allowance:  # rare: tokenisation across joins
        text = text[: int(len(text) * 0.9)]
        out = {**m, "content": text}
    return out
