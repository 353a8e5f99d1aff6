"""Words as pruning compares them: lower-case tokens, compounds whole and by their parts, numbers
in words also as digits, and a light English stemmer, shared by excerpts and scoring so that the
same terms meet on every side."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+(?:[._:/-][a-z0-9]+)*")
_VOWEL = re.compile(r"[aeiouy]")
_stems: dict[str, str] = {}
# derivational endings, longest first: "termination" and "terminate" meet at "terminat"
_DERIV = (("ational", "ate"), ("ation", "ate"), ("ement", ""), ("ment", ""), ("ness", ""), ("ance", ""), ("ence", ""),
          ("able", ""), ("ible", ""), ("ity", ""), ("ive", ""), ("ful", ""), ("al", ""))


# English plurals no suffix rule reaches (general morphology, not a topic list)
_IRREGULAR = {"mice": "mouse", "men": "man", "women": "woman", "children": "child", "feet": "foot", "teeth": "tooth",
              "geese": "goose", "people": "person", "indices": "index", "analyses": "analysis", "criteria": "criterion",
              "phenomena": "phenomenon", "wives": "wife", "knives": "knife", "halves": "half", "shelves": "shelf"}


def _stem(w: str) -> str:
    w = _IRREGULAR.get(w, w)
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("sses", "ches", "shes", "xes", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suf in ("ingly", "edly", "ing", "ed"):
        if w.endswith(suf) and len(w) - len(suf) >= 3 and _VOWEL.search(w[: -len(suf)]):
            w = w[: -len(suf)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":  # "stopped" -> "stop"
                w = w[:-1]
            elif len(w) >= 6 and w.endswith("ur") and not w.endswith("our"):  # "measured": "measure" again
                w += "e"
            break
    for suf, rep in _DERIV:
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            w = w[: -len(suf)] + rep
            break
    # the noun of an action meets its verb: "assertion" / "asserted" at "assert", "failure" / "failed" at "fail"
    # ("optional" -> "option" -> "opt": after the endings above)
    if w.endswith(("tion", "sion")) and len(w) >= 7:
        w = w[:-3]
    elif w.endswith("ure") and len(w) >= 7:
        w = w[:-3]
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def stem(w: str) -> str:
    """A light English stemmer (shared with scoring: the same terms on both sides): plurals, verb
    endings, a few derivational endings; numbers, codes and short words stay as they are."""
    s = _stems.get(w)
    if s is None:
        s = w if len(w) <= 3 or not w.isalpha() else _stem(w)
        if len(_stems) < 200_000:
            _stems[w] = s
    return s


_SPLIT = re.compile(r"[._:/-]")


# Cardinal number words, so that "nine hundred" meets "900" and "twelve weeks" meets "12 weeks"
# (English number grammar, not a topic list).
_SMALL = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                                     "fifteen sixteen seventeen eighteen nineteen".split())}
_SMALL.update({w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())})
_SCALE = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}


def _number_at(toks: list[str], i: int) -> tuple[int, int]:
    """The value of the run of number words starting at toks[i] ("one hundred and twenty",
    "twenty-five thousand"), and where the run ends; (-1, i) when toks[i] starts none."""
    total = current = 0
    j, seen = i, False
    while j < len(toks):
        w = toks[j]
        parts = w.split("-") if "-" in w else (w,)
        if all(x in _SMALL or x in _SCALE for x in parts):
            for x in parts:
                if x in _SMALL:
                    current += _SMALL[x]
                elif _SCALE[x] == 100:
                    current = max(current, 1) * 100
                else:
                    total += max(current, 1) * _SCALE[x]
                    current = 0
            seen = True
            j += 1
        elif w == "and" and seen and j + 1 < len(toks) and toks[j + 1].split("-")[0] in _SMALL:
            j += 1
        else:
            break
    return (total + current, j) if seen else (-1, i)


# An ISO date's month also as its English name ("2025-09" meets "September"): calendar grammar, not a topic list.
_ISO_MONTH = re.compile(r"^(?:19|20)\d\d-(0[1-9]|1[0-2])(?:-\d\d)?$")
_MONTHS = ("january february march april may june july august september october november december").split()


def words(text: str, stop: frozenset[str] = frozenset()) -> list[str]:
    """The stemmed words of lower-case `text` (at least 2 characters, not in `stop`); a compound
    such as "/v2/shipments" or "app.production.toml" counts whole and by its parts ("900/month":
    by its parts on "/" only, so "10:30" or "2025-03-01" stay whole); a number in words counts
    also as its digits ("nine hundred" -> "900")."""
    out = []
    toks = _WORD.findall(text)
    number_end = 0
    for k, w in enumerate(toks):
        if k >= number_end and (w in _SMALL or w in _SCALE or w.split("-")[0] in _SMALL):
            value, number_end = _number_at(toks, k)
            if value >= 10:
                out.append(str(value))
        if len(w) < 2 or w in stop:
            continue
        if w.isalnum():
            out.append(stem(w))
        else:
            out.append(w)
            if not w[0].isdigit():
                out.extend(stem(x) for x in _SPLIT.split(w) if len(x) >= 2)
            elif "/" in w:
                out.extend(x if not x.isalpha() else stem(x) for x in w.split("/") if len(x) >= 2)
            elif len(w) in (7, 10) and w[4] == "-":
                mo = _ISO_MONTH.match(w)
                if mo:
                    out.append(stem(_MONTHS[int(mo.group(1)) - 1]))
    return out


# A list entry's place: "6. lemonade for the kids" at the start of a line, and a reference to a
# place ("what sits at position 6", "scrap number 7", "item #3", "step 4") meet as the term "#6".
_LIST_MARK = re.compile(r"^[ \t]*(\d{1,3})[.)][ \t]+\S", re.MULTILINE)
_PLACE_REF = re.compile(r"\b(?:position|number|item|entry|step|point|line|slot|no\.)\s*#?\s*(\d{1,3})\b|#(\d{1,3})\b", re.IGNORECASE)


def places(text: str) -> list[str]:
    """The list places a text holds or names, as "#N" terms."""
    if not any(c.isdigit() for c in text):
        return []
    out = ["#" + m.group(1) for m in _LIST_MARK.finditer(text)]
    out.extend("#" + (m.group(1) or m.group(2)) for m in _PLACE_REF.finditer(text))
    return out


# A camelCase identifier ("placement.pinnedRegion", "maxRetryCount") is also its words: the
# lower-casing `words` reads misses the boundaries, so "which region is it pinned to" met nothing.
_CAMEL = re.compile(r"(?<![A-Za-z0-9])[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)+(?![A-Za-z0-9])")
_CAMEL_PART = re.compile(r"[A-Z]?[a-z0-9]+")


def camel_parts(text: str) -> list[str]:
    """The stemmed parts of every camelCase identifier in `text` (original case)."""
    return [stem(p.lower()) for ident in _CAMEL.findall(text) for p in _CAMEL_PART.findall(ident) if len(p) >= 2]


# A PascalCase name ("AssertionError", "KeyError", "TimeoutException") likewise: a log that reports an
# AssertionError is about an assertion. Used for whole messages (`scoring.analyse`), not for the lines of
# one (`terms_of`): inside a pasted source file every "except ClientError:" would become a line about the
# client, ahead of the constant the question paraphrases. (Kept apart from `camel_parts`, camelCase only.)
_PASCAL = re.compile(r"(?<![A-Za-z0-9])[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+(?![A-Za-z0-9])")


def pascal_parts(text: str) -> list[str]:
    """The stemmed parts of every PascalCase name in `text` (original case)."""
    return [stem(p.lower()) for ident in _PASCAL.findall(text) for p in _CAMEL_PART.findall(ident) if len(p) >= 2]


def identifier_parts(text: str) -> list[str]:
    """The words inside camelCase and PascalCase identifiers."""
    return camel_parts(text) + pascal_parts(text)


def terms_of(text: str) -> dict[str, int]:
    tf: dict[str, int] = {}
    for w in words(text.lower()):
        tf[w] = tf.get(w, 0) + 1
    for w in camel_parts(text):
        tf[w] = tf.get(w, 0) + 1
    for w in places(text):
        tf[w] = tf.get(w, 0) + 1
    return tf
