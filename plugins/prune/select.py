"""Choosing what each unit keeps so the request fits: whole, an excerpt, or nothing.

Every unit that is not pinned has options, from whole to gone: its tokens and its value
(the unit's score, `scoring._score`). A long unit (one with a message of at least
`excerpt_min_tokens`) can also be *excerpted* to a fraction of its size (`excerpt.py`), worth
`score * (0.15 + 0.85 * kept)`, where `kept` is the share of the message's segment scores
(relevance to the latest request, figures, items the conversation repeats) the excerpt of that
size holds: a message whose worth sits in a few lines keeps most of it in a small excerpt, a
message whose worth is spread evenly does not. The latest tool results of an agent loop (`Unit.keep`) cannot go, only shrink.

Greedy over marginal cost: repeatedly take the step (one option down, for one unit) that
loses the least value per token saved (tokens ** size_exponent, 0.5: softened, so a long
low-value message does not always go before a short one), until the request fits with its
markers; then give
back, best value per token first, whatever still fits. Ties: older first. Deterministic.
Tiers come first: the last turns' user and assistant messages lose anything only when every
older unit is at its smallest, and the agent loop's latest results only after them.
"""
from __future__ import annotations

import heapq
from typing import Any

from proxy import tokens

from .excerpt import Later, Query, excerpt_message, retention, version_keys
from .words import terms_of
from .units import Plan, Settings, Unit


_TIER = 1e6  # a step of a higher tier is taken only when no lower-tier step is left


def _tier(u: Unit) -> int:
    """0: anything older; 1: the last turns' user and assistant messages; 2: the agent loop's latest results."""
    return 2 if u.keep else 1 if u.recent else 0


# The long message the question is most about (a pasted source file, thread or document: rel_norm at
# least _FOCUS_REL) keeps an excerpt of at least _FOCUS_SHARE of the budget until every older unit is at
# its smallest: its own estimate of what a small excerpt holds trusts its best-matching lines, and when
# the question paraphrases them ("base delay" for RETRY_BACKOFF_MS) the answer is a few lines further
# down; a few hundred tokens of it are worth more than a dozen off-topic chat lines kept whole.
_FOCUS_REL, _FOCUS_SHARE = 0.9, 0.08


def _focus_floor(u: Unit, budget: int) -> int:
    """The unit's size below which its steps wait for tier 1 (0: not a focus unit)."""
    if u.keep or u.recent or u.pinned or not u.flex or u.rel_norm < _FOCUS_REL:
        return 0
    return (u.tokens - u.flex_tokens) + int(_FOCUS_SHARE * budget)


def _step_tier(base: int, floor: int, after: int) -> int:
    """The tier of a step that leaves the unit at `after` tokens."""
    return max(base, 1) if after < floor else base


def _options(u: Unit, s: Settings, messages: list[Any], model: str | None, query: dict[str, float],
             last_seen: dict[str, int], memo: dict[Any, Any]) -> list[tuple[int, float]]:
    """[(tokens, value)] from whole to the smallest this unit may become, strictly shrinking."""
    t = u.tokens or 1
    opts = [(u.tokens, u.score)]
    if u.flex and u.flex_tokens >= s.excerpt_min_tokens:
        rest = u.tokens - u.flex_tokens
        floor = s.excerpt_floor_tokens * len(u.flex)
        # Halving sizes from half the unit down to the floor: fine steps for the give-back too.
        sizes = []
        e = u.flex_tokens // 2
        while e > floor:
            sizes.append(e)
            e //= 2
        sizes.append(floor)
        kept = _retained(u, sizes, messages, model, query, last_seen, memo)
        for e, r in zip(sizes, kept):
            if rest + e < opts[-1][0]:
                opts.append((rest + e, u.score * (rest / t + (u.flex_tokens / t) * (0.15 + 0.85 * r))))
    if not u.keep:
        opts.append((0, 0.0))
    return opts


def _unit_query(messages: list[Any], u: Unit, query: dict[str, float]) -> dict[str, float]:
    """The question's terms, plus (weakly) the unit's own tool-call arguments: a result is about its call."""
    lead = messages[u.messages[0]]
    calls = lead.get("tool_calls") if isinstance(lead, dict) else None
    if not calls:
        return query
    q = dict(query)
    for c in calls if isinstance(calls, list) else []:
        fn = c.get("function") if isinstance(c, dict) else None
        if isinstance(fn, dict):
            for t in terms_of(f"{fn.get('name', '')} {fn.get('arguments', '')}"):
                q[t] = max(q.get(t, 0.0), 0.3)
    if isinstance(query, Query) and (query.failing or query.addressee):  # (a tool's output is where a failure is logged)
        return Query(q, failing=query.failing, addressee=query.addressee)
    return q


def _later(last_seen: dict[str, int], end: int) -> Later:
    return Later(last_seen, end)  # a later message repeats it


def _prior(messages: list[Any], u: Unit, i: int, model: str | None) -> frozenset[int] | None:
    """For message i, the newer version of a document: the older version's lines (supersede.versions)."""
    if u.prior is None or u.prior[0] != i:
        return None
    old = messages[u.prior[1]].get("content")
    return version_keys(old, model) if isinstance(old, str) else None


def _retained(u: Unit, sizes: list[int], messages: list[Any], model: str | None, query: dict[str, float],
              last_seen: dict[str, int], memo: dict[Any, Any]) -> list[float]:
    """For each excerpt size of the unit, the share of its long contents' worth that survives
    (each message gets its share of the size; weighted by size)."""
    later = _later(last_seen, u.messages[-1])
    query = _unit_query(messages, u, query)
    out = [0.0] * len(sizes)
    for i, n in u.flex:
        shares = [max(1, e * n // max(1, u.flex_tokens)) for e in sizes]
        for k, r in enumerate(retention(messages[i]["content"], model, query, later, shares, memo, _prior(messages, u, i, model))):
            out[k] += r * n / max(1, u.flex_tokens)
    return out


class _Gaps:
    """How many markers the dropped units need ("single": one for all; "gap": one per run)."""

    def __init__(self, n: int, single: bool) -> None:
        self.dropped = [False] * n
        self.single = single
        self.count = 0  # dropped units
        self.gaps = 0

    def delta(self, i: int, dropping: bool) -> int:
        if self.single:
            return (1 if self.count == 0 else 0) if dropping else (-1 if self.count == 1 else 0)
        d = self.dropped
        left = i > 0 and d[i - 1]
        right = i + 1 < len(d) and d[i + 1]
        x = 1 if not left and not right else -1 if left and right else 0
        return x if dropping else -x

    def set(self, i: int, dropping: bool) -> None:
        if self.dropped[i] == dropping:
            return
        self.gaps += self.delta(i, dropping)
        self.dropped[i] = dropping
        self.count += 1 if dropping else -1


def marker_cost(model: str | None, marker_text: str | None, marker_role: str) -> int:
    """An upper bound of one marker message (0 without markers)."""
    if not marker_text:
        return 0
    return tokens.count_message({"role": marker_role, "content": marker_text.format(count=999, tokens=99999)}, model)


def choose(messages: list[Any], units: list[Unit], before: int, fixed: int, budget: int, model: str | None, s: Settings,
           marker_text: str | None, marker_role: str, marker_mode: str, query: dict[str, float], last_seen: dict[str, int]) -> Plan:
    """The plan for `units` (scored, pins set). An excerpt that could not shrink as planned
    (a message whose bulk is not its text) makes its unit whole-or-nothing, and the choice is redone."""
    for attempt in range(3):
        p = _choose(messages, units, before, fixed, budget, model, s, marker_text, marker_role, marker_mode, query, last_seen)
        if not p.fits or p.tokens_after <= budget:
            return p
        for u in units:  # the last attempt keeps or drops units whole: exact by construction
            if u.flex and (attempt == 1 or u.kept_tokens > u.planned_tokens):
                u.flex, u.flex_tokens = [], 0
    # Still over by a few tokens (the real gap markers are counted after the choice, and a
    # marker can cost more than the one it replaced): aim lower by the excess, so that what goes
    # upstream stays within the budget the operator set (tokens per minute are counted on it).
    target = budget
    for _ in range(4):
        if not p.fits or p.tokens_after <= budget:
            break
        target -= p.tokens_after - budget
        p = _choose(messages, units, before, fixed, target, model, s, marker_text, marker_role, marker_mode, query, last_seen)
    p.budget = budget
    return p


def _choose(messages: list[Any], units: list[Unit], before: int, fixed: int, budget: int, model: str | None, s: Settings,
            marker_text: str | None, marker_role: str, marker_mode: str, query: dict[str, float], last_seen: dict[str, int]) -> Plan:
    marker = marker_cost(model, marker_text, marker_role)
    cands = [u for u in units if not u.pinned]
    memo: dict[Any, Any] = {}  # segment scores of this plan, shared by options and excerpts
    opts = {u.index: _options(u, s, messages, model, query, last_seen, memo) for u in cands}
    pinned_tokens = fixed + sum(u.tokens for u in units if u.pinned) + sum(opts[u.index][-1][0] for u in cands if u.keep)
    if pinned_tokens > budget:
        return Plan(units, before, before, budget, pinned_tokens, fixed, [], [], False)
    level = {u.index: 0 for u in cands}
    gaps = _Gaps(len(units), marker_mode == "single")
    heap: list[tuple[float, int, int]] = []

    tier = {u.index: _tier(u) for u in cands}
    floor = {u.index: _focus_floor(u, budget) for u in cands}
    se = s.size_exponent

    def push(i: int) -> None:
        o, k = opts[i], level[i]
        if k + 1 < len(o):
            (t0, v0), (t1, v1) = o[k], o[k + 1]
            heapq.heappush(heap, (_step_tier(tier[i], floor[i], t1) * _TIER + (v0 - v1) / max(1, t0 - t1) ** se, i, k))

    for u in cands:
        push(u.index)
    total = before
    while total + gaps.gaps * marker > budget and heap:
        _, i, k = heapq.heappop(heap)
        if level[i] != k:
            continue
        o = opts[i]
        total -= o[k][0] - o[k + 1][0]
        level[i] = k + 1
        if o[k + 1][0] == 0:
            gaps.set(i, True)
        push(i)
    if total + gaps.gaps * marker > budget:  # even the markers do not fit: go without them
        marker = 0
    total = _give_back(cands, opts, level, gaps, total, marker, budget, se, tier, floor)
    p = _build(messages, units, opts, level, gaps, before, fixed, budget, pinned_tokens, model, query, last_seen, memo)
    if marker and p.gaps:  # the real markers (the estimate above is an upper bound)
        base = tokens.count_message({"role": marker_role, "content": ""}, model)
        p.marker_costs = [base + tokens.count_text(marker_text.format(count=sum(len(u.messages) for u in run),  # type: ignore[union-attr]
                                                                      tokens=sum(u.tokens for u in run)), model) for run in p.gaps]
        p.tokens_after += sum(p.marker_costs)
        p.markers = True
    p.marker_tokens = marker
    return p


def _give_back(cands: list[Unit], opts: dict[int, list[tuple[int, float]]], level: dict[int, int], gaps: _Gaps, total: int,
               marker: int, budget: int, se: float, tier: dict[int, int], floor: dict[int, int]) -> int:
    """Undo steps, best value per token first, while everything still fits."""
    changed = True
    while changed:
        changed = False
        ups = []
        for u in cands:
            k = level[u.index]
            if k > 0:
                (t0, v0), (t1, v1) = opts[u.index][k - 1], opts[u.index][k]
                ups.append((-_step_tier(tier[u.index], floor[u.index], t1), -(v0 - v1) / max(1, t0 - t1) ** se, u.index))
        for _, _, i in sorted(ups):
            k = level[i]
            o = opts[i]
            cost = o[k - 1][0] - o[k][0]
            g = gaps.delta(i, False) if o[k][0] == 0 else 0
            if total + cost + (gaps.gaps + g) * marker <= budget:
                total += cost
                level[i] = k - 1
                if o[k][0] == 0:
                    gaps.set(i, False)
                changed = True
    return total


def _build(messages: list[Any], units: list[Unit], opts: dict[int, list[tuple[int, float]]], level: dict[int, int], gaps: _Gaps,
           before: int, fixed: int, budget: int, pinned_tokens: int, model: str | None,
           query: dict[str, float], last_seen: dict[str, int], memo: dict[Any, Any]) -> Plan:
    excerpts: dict[int, dict[str, Any]] = {}
    dropped: list[Unit] = []
    total = fixed
    for u in units:
        k = level.get(u.index, 0)
        if k == 0:
            u.kept_tokens = u.tokens
        elif opts[u.index][k][0] == 0:
            u.kept_tokens = 0
            dropped.append(u)
        else:
            u.planned_tokens = opts[u.index][k][0]
            u.kept_tokens = _excerpt_unit(messages, u, u.planned_tokens, model, query, last_seen, excerpts, memo)
        total += u.kept_tokens
    single = gaps.single
    runs: list[list[Unit]] = [dropped] if single and dropped else []
    for u in dropped if not single else ():
        if runs and runs[-1][-1].index == u.index - 1:
            runs[-1].append(u)
        else:
            runs.append([u])
    return Plan(units, before, total, budget, pinned_tokens, fixed, dropped, runs, True, excerpts=excerpts)


def _excerpt_unit(messages: list[Any], u: Unit, target: int, model: str | None, query: dict[str, float],
                  last_seen: dict[str, int], into: dict[int, dict[str, Any]], memo: dict[Any, Any]) -> int:
    """Excerpt the unit's long messages so the unit takes at most `target` tokens; its real size."""
    room = max(0, target - (u.tokens - u.flex_tokens))  # what the long contents may take together
    q = _unit_query(messages, u, query)
    later = _later(last_seen, u.messages[-1])
    flex = dict(u.flex)
    kept = sum(tokens.count_message(messages[i], model) for i in u.messages if i not in flex)
    for i, n in u.flex:
        share = max(1, int(room * n / max(1, u.flex_tokens)))
        m = excerpt_message(messages[i], tokens.count_message(messages[i], model) - n + share, model, q, later, memo,
                            _prior(messages, u, i, model))
        into[i] = m
        kept += tokens.count_message(m, model)
    return kept
