#!/usr/bin/env python3
"""Build the third held-out context-pruning evaluation set (cases.jsonl next to this file).

    python bench/prune_eval_heldout3/build.py           # write cases.jsonl and verify every case
    python bench/prune_eval_heldout3/build.py --check   # rebuild in memory, compare byte-identical

Standard library only. Every case draws from random.Random("bulwark-prune-heldout3-v1:<id>");
cases are built in a fixed order and filler sentences are unique across the whole set, so the
output is deterministic (no dependence on hash order or the clock). Exits 1 if any check fails.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "cases.jsonl"
SEED_PREFIX = "bulwark-prune-heldout3-v1:"
MIN_TOKENS, MAX_TOKENS = 9_500, 60_000
SIZE_BANDS = [10_500, 16_000, 23_000, 31_000, 42_000, 56_000]

# --------------------------------------------------------------------------------------------
# Filler vocabularies (hand-written for this set). One domain per filler turn.
# --------------------------------------------------------------------------------------------
DOMAINS: dict[str, dict[str, list[str]]] = {
    "renovation": {
        "thing": ["bathroom extractor fan", "hallway skirting boards", "loft hatch", "kitchen worktop seam",
                  "utility room floor", "bay window frame", "stair banister", "shower tray", "plastered ceiling",
                  "garden wall render", "back door threshold", "airing cupboard shelves"],
        "issue": ["hairline cracks", "a musty smell", "flaking paint", "a persistent draught", "hollow-sounding tiles",
                  "gaps opening up along the joint", "condensation streaks", "a slight bounce underfoot",
                  "brown water marks", "mould spots in the corner"],
        "action": ["rake out the old grout and regrout", "fit a humidity-triggered timer", "prime the bare wood before painting",
                   "fill the gap with flexible decorator's caulk", "screw the loose boards back into the joists",
                   "brush on a stabilising solution", "add a brush strip to the bottom of the door",
                   "leave the window on trickle vent overnight", "sand back to a firm edge", "ask a plasterer for a skim quote"],
        "cause": ["seasonal timber movement", "a blocked gutter above", "poor ventilation after showers",
                  "the house settling", "paint applied over a damp surface", "a cold bridge in the wall",
                  "undersized fixings", "a failed seal around the tray"],
        "context": ["after the first cold snap", "since the new radiators went in", "mostly on the north side",
                    "after the builders left", "whenever the dryer runs", "during the wet weeks", "only in the mornings",
                    "since the spring"],
    },
    "gardening": {
        "thing": ["tomato seedlings", "raised bed", "compost heap", "drip irrigation line", "climbing rose", "lavender hedge",
                  "potato grow bags", "espalier pear", "herb spiral", "rain butt", "courgette plants", "strawberry patch"],
        "issue": ["yellowing lower leaves", "powdery mildew", "slug damage overnight", "waterlogged soil", "blossom end rot",
                  "leggy growth", "curling leaf edges", "very few flowers", "a sour smell", "aphid clusters on new shoots"],
        "action": ["mulch with a thick layer of straw", "pinch out the side shoots", "water at the base early in the morning",
                   "top-dress with leaf mould", "move the pots to a sunnier spot", "turn the heap with a fork",
                   "space the plants further apart", "feed with a high-potash liquid", "net the bed against birds",
                   "cut back the weakest stems"],
        "cause": ["uneven watering", "too much nitrogen", "compacted clay underneath", "a lack of airflow",
                  "cold nights early in the season", "roots sitting in standing water", "a nutrient lock-out",
                  "overcrowding"],
        "context": ["after the heatwave", "since the late frost", "at the shady end of the plot", "in the greenhouse",
                    "after the heavy rain", "every July", "on the windowsill", "since I switched compost"],
    },
    "baking": {
        "thing": ["sourdough starter", "rye loaf", "croissant dough", "focaccia tray", "pie crust", "brioche batch",
                  "banneton", "bread oven stone", "lemon drizzle cake", "cinnamon knots", "bagel dough", "levain build"],
        "issue": ["a dense crumb", "a pale crust", "big tunnels under the crust", "a sticky, slack dough",
                  "a sour, vinegary smell", "butter leaking in the oven", "a soggy base", "uneven rise",
                  "a gummy centre", "cracks along the top"],
        "action": ["extend the bulk ferment", "lower the hydration slightly", "chill the dough between folds",
                   "preheat the stone for a full hour", "feed the starter twice a day", "blind bake with baking beans",
                   "score deeper at a shallow angle", "add steam for the first part of the bake",
                   "weigh the flour instead of using cups", "let the loaf cool completely before slicing"],
        "cause": ["an underproofed dough", "a kitchen that runs cold", "flour with low protein", "an oven that runs hot",
                  "too little salt", "a starter past its peak", "overmixing", "butter that got too warm"],
        "context": ["on humid days", "since I changed flour brands", "when I double the recipe", "in the new oven",
                    "over the winter", "with the wholemeal blend", "when I bake after work", "on the second bake of the day"],
    },
    "cycling": {
        "thing": ["rear derailleur", "tubeless setup", "saddle height", "chain", "disc brake pads", "turbo trainer",
                  "base training block", "long Sunday ride", "interval session", "bottom bracket", "handlebar tape",
                  "commuter bike"],
        "issue": ["a clicking noise under load", "slow air loss", "knee pain on long climbs", "squealing in the wet",
                  "skipping gears", "numb hands after an hour", "heavy legs the next day", "a creak from the cranks",
                  "heart rate drifting up", "a pedal stroke that feels flat"],
        "action": ["lower the saddle by a few millimetres", "top up the sealant", "degrease and re-lube the chain",
                   "bed in the new pads properly", "swap one interval day for an easy spin", "check the hanger alignment",
                   "eat something every forty-five minutes", "torque the bolts to spec", "get a proper bike fit",
                   "keep the easy rides genuinely easy"],
        "cause": ["a bent hanger", "contaminated rotors", "a stretched chain", "accumulated fatigue", "dried-out sealant",
                  "a saddle set too far back", "under-fuelling", "a dry bottom bracket"],
        "context": ["on the steep bits", "after washing the bike", "in the last hour of a ride", "on the trainer",
                    "since the last service", "in cold weather", "when I'm out of the saddle", "on gravel"],
    },
    "finance": {
        "thing": ["emergency fund", "workplace pension", "credit card balance", "household budget spreadsheet",
                  "index fund contributions", "car loan", "utility bills", "sinking fund for holidays", "current account",
                  "savings pot", "self-assessment return", "subscription list"],
        "issue": ["money leaking out on small purchases", "a surprise annual charge", "a balance that won't go down",
                  "contributions that stopped without notice", "overdraft fees", "two accounts doing the same job",
                  "a budget that never matches reality", "interest creeping up", "a missed direct debit",
                  "irregular freelance income"],
        "action": ["set up a standing order the day after payday", "list every subscription and cancel two",
                   "move the surplus into an easy-access account", "pay more than the minimum each month",
                   "check the statement line by line", "ring the provider and ask for a better rate",
                   "round up purchases into the savings pot", "split bills into a separate account",
                   "review the budget every Sunday evening", "increase the contribution by one percent"],
        "cause": ["lifestyle creep", "annual fees hidden in the terms", "a promotional rate ending", "no buffer for irregular costs",
                  "the timing of payday", "automatic renewals", "paying off the wrong debt first", "forgotten free trials"],
        "context": ["around Christmas", "since the pay rise", "in months with five Fridays", "after the car broke down",
                    "when the bonus lands", "at the end of the tax year", "since moving in together", "every quarter"],
    },
    "devops": {
        "thing": ["staging cluster", "nightly backup job", "deployment pipeline", "log shipper", "ingress controller",
                  "feature-flag service", "message queue consumer", "TLS certificate renewal", "read replica",
                  "container image build", "alerting rules", "on-call rota"],
        "issue": ["intermittent timeouts", "disk filling overnight", "builds getting slower every week", "duplicate messages",
                  "noisy alerts at 3am", "a memory leak after each deploy", "flaky integration tests",
                  "stale cache entries", "a spike in 502s", "jobs silently skipping"],
        "action": ["add a readiness probe", "set a retention policy on the old logs", "cache the dependency layer",
                   "make the consumer idempotent", "raise the alert threshold and add a duration", "pin the base image",
                   "roll the change out behind a flag", "add a dead-letter queue", "write a short runbook",
                   "split the slow test suite out"],
        "cause": ["connection pool exhaustion", "an unbounded retry loop", "clock skew between nodes", "a missing index",
                  "a noisy neighbour on the host", "a misconfigured health check", "a cache key that ignores the tenant",
                  "DNS caching in the client"],
        "context": ["right after a deploy", "during the batch window", "only in one region", "under peak load",
                    "since the Kubernetes upgrade", "on Monday mornings", "when the queue backs up", "after failover"],
    },
    "photography": {
        "thing": ["50mm prime", "travel zoom", "tripod head", "camera sensor", "raw editing workflow", "portrait lighting setup",
                  "night sky shots", "street photos", "product shots", "backup drive", "lens hood", "flash diffuser"],
        "issue": ["soft corners", "blown highlights", "banding in the sky", "dust spots", "motion blur at dusk",
                  "colour casts under tungsten", "focus hunting", "flat-looking contrast", "noise in the shadows",
                  "a slight tilt on every horizon"],
        "action": ["stop down to f/8", "bracket the exposure", "shoot in raw and fix white balance later",
                   "use a two-second timer", "clean the sensor with a blower", "back-button focus",
                   "expose to the right without clipping", "add a reflector on the shadow side", "turn on the level overlay",
                   "keep a second copy of the catalogue offsite"],
        "cause": ["diffraction at small apertures", "camera shake", "mixed light sources", "an old firmware version",
                  "heavy compression on export", "a decentred lens element", "underexposing in camera",
                  "a loose tripod plate"],
        "context": ["at golden hour", "indoors at the venue", "with the kit lens", "when shooting handheld",
                    "on windy days", "after the firmware update", "in the mountains", "at the night market"],
    },
    "language": {
        "thing": ["Spanish subjunctive", "Japanese kanji review", "flashcard deck", "conversation exchange",
                  "German noun genders", "listening practice", "graded readers", "pronunciation drills",
                  "Italian verb tables", "writing journal", "Portuguese podcast", "vocabulary notebook"],
        "issue": ["a review pile that keeps growing", "freezing up when speaking", "mixing up similar words",
                  "forgetting words within a week", "understanding podcasts only at half speed", "a plateau after six months",
                  "losing motivation mid-week", "translating everything in my head", "an accent that doesn't improve",
                  "mistakes that keep coming back"],
        "action": ["cap new cards at ten a day", "shadow short clips out loud", "write three sentences every morning",
                   "book a weekly tutor session", "read one graded reader a fortnight", "record myself and listen back",
                   "learn words in phrases rather than alone", "label things around the house",
                   "switch my phone to the language", "review errors at the end of each week"],
        "cause": ["too many new cards at once", "not enough speaking time", "input that's too hard", "no spaced repetition",
                  "studying only in long blocks", "learning words without context", "fear of sounding silly",
                  "relying on subtitles"],
        "context": ["after a busy week", "since I started the intermediate course", "during the commute",
                    "in group classes", "when I'm tired", "on holiday", "after the exam", "with native speakers"],
    },
    "aquarium": {
        "thing": ["planted tank", "canister filter", "shrimp colony", "betta tank", "CO2 diffuser", "substrate",
                  "quarantine tank", "nano reef", "driftwood centrepiece", "LED light schedule", "water change routine",
                  "java fern"],
        "issue": ["green spot algae", "cloudy water", "fish gasping at the surface", "melting leaves", "a nitrite spike",
                  "shrimp dying after moults", "brown film on the glass", "white fuzz on the wood", "pH swinging",
                  "snails everywhere"],
        "action": ["cut the light period back by two hours", "do smaller, more frequent water changes",
                   "test for ammonia and nitrite daily", "add more fast-growing stem plants", "rinse the filter media in tank water",
                   "dose a comprehensive fertiliser", "raise the spray bar for surface agitation", "feed every other day",
                   "add a handful of almond leaves", "quarantine new arrivals for three weeks"],
        "cause": ["an uncycled filter", "too much light for the plant mass", "overfeeding", "low oxygen at night",
                  "tap water with chloramine", "a crash in the bacterial colony", "hard water swings",
                  "decaying plant matter"],
        "context": ["after the new fish went in", "since I cleaned the filter", "during the summer", "when the CO2 runs out",
                    "at night", "after the holiday", "since the lights were upgraded", "in the first month"],
    },
    "bookkeeping": {
        "thing": ["sales ledger", "VAT return", "expense receipts", "invoice template", "petty cash tin",
                  "bank reconciliation", "mileage log", "payroll run", "supplier statements", "stock count",
                  "chart of accounts", "quarterly forecast"],
        "issue": ["invoices paid twice", "a reconciliation that is off by a few pounds", "receipts missing for a month",
                  "late payments from one client", "categories that don't match last year", "a backlog of unmatched transactions",
                  "cash-flow dips in the spring", "duplicate supplier records", "unclaimed expenses", "a forecast nobody trusts"],
        "action": ["reconcile every Friday afternoon", "photograph receipts the same day", "send reminders at seven and fourteen days",
                   "merge the duplicate suppliers", "add a purchase-order number to every invoice", "set clear payment terms on the quote",
                   "review the aged debtors report monthly", "lock the previous period after filing",
                   "keep a separate card for business costs", "ask the accountant to review the categories"],
        "cause": ["manual data entry", "a bank feed that dropped out", "vague payment terms", "personal and business spending mixed",
                  "two people editing the same records", "no month-end routine", "currency conversion fees",
                  "an old import rule"],
        "context": ["at the quarter end", "since we took on the second shop", "during the busy season",
                    "after switching software", "when the owner is away", "for the online orders", "since last autumn",
                    "for the contractors"],
    },
    "astronomy": {
        "thing": ["Dobsonian telescope", "star-hopping plan", "eyepiece collection", "equatorial mount", "planetary imaging",
                  "observing log", "finder scope", "light-pollution filter", "deep-sky list", "dew heater", "red torch",
                  "collimation routine"],
        "issue": ["blurry stars at the edge", "dew on the optics", "the mount drifting", "faint galaxies vanishing",
                  "wobbly views at high power", "trouble finding targets", "shimmering planets", "a misaligned finder",
                  "washed-out nebulae", "frozen fingers"],
        "action": ["let the scope cool for forty minutes", "collimate before every session", "use averted vision",
                   "polar align more carefully", "start with the brighter Messier objects", "fit a dew shield",
                   "plan targets by altitude", "drop to a lower magnification", "take the scope to a darker site",
                   "align the finder in daylight"],
        "cause": ["poor seeing", "a mirror that hasn't reached ambient temperature", "light pollution", "coma from a fast mirror",
                  "an unbalanced mount", "high humidity", "a loose focuser", "targets too low on the horizon"],
        "context": ["on winter nights", "from the back garden", "near the full moon", "at the dark-sky park",
                    "after midnight", "in the first hour", "when the jet stream is overhead", "in late summer"],
    },
    "carcare": {
        "thing": ["front brake discs", "timing belt", "air-con system", "car battery", "winter tyres", "wiper blades",
                  "coolant level", "clutch pedal", "exhaust heat shield", "headlight lenses", "alloy wheels", "cabin filter"],
        "issue": ["a grinding noise when stopping", "a slow crank on cold mornings", "a rattle at idle", "a sweet smell from the vents",
                  "a pedal that bites high", "streaks on the windscreen", "uneven tyre wear", "a warning light that comes and goes",
                  "fogging on the inside", "a pull to one side"],
        "action": ["get the tracking checked", "replace the pads and discs together", "test the battery at a parts shop",
                   "flush and refill the coolant", "swap the wipers every autumn", "restore the lenses with a polishing kit",
                   "rotate the tyres at the next service", "have the heat shield clipped back on",
                   "change the cabin filter", "book a diagnostic scan"],
        "cause": ["a worn wheel bearing", "a weak battery", "corroded terminals", "a small coolant leak", "a loose bracket",
                  "old rubber on the blades", "incorrect tyre pressures", "a sticking calliper"],
        "context": ["on the motorway", "when the engine is cold", "after the MOT", "since the last long trip",
                    "on frosty mornings", "in stop-start traffic", "with the heater on", "after the pothole"],
    },
}
DOMAIN_NAMES = sorted(DOMAINS)
PEOPLE = ["Priya", "Tomasz", "Aoife", "Marcus", "Yuki", "Delphine", "Kwame", "Ingrid", "Rafael", "Sunita", "Oskar", "Leilani",
          "Bartek", "Chiara", "Emeka", "Hannelore", "Jun", "Mireille", "Dmitri", "Farah", "Gideon", "Ines", "Lorcan", "Noor",
          "Pavel", "Rosalind", "Soren", "Thandiwe", "Valentina", "Wen", "my neighbour", "my brother", "my manager",
          "the man at the shop", "my flatmate", "a friend from work", "the instructor", "my aunt"]
USER_T = [
    "Quick question about the {thing}: {issue} {context}. What would you check first?",
    "So {person} thinks I should {action}. Is that overkill for the {thing}?",
    "The {thing} has {issue} again {context}. Could {cause} be behind it?",
    "I keep reading conflicting advice on the {thing}. Some say {action}, others say leave it alone. Where do you land?",
    "Is it normal to see {issue} {context}? The {thing} is only {n} months old.",
    "Can you give me a short plan for the {thing}? I have about {n} hours spare this week.",
    "Different topic: how do people usually deal with {issue} on a {thing}?",
    "My {thing} started showing {issue} {context}, and I'd rather not spend much fixing it.",
    "Would you {action} before or after sorting out the {thing}?",
    "{person} and I disagree about whether {cause} leads to {issue}. Can you settle it?",
    "I tried to {action} last week, but the {thing} still has {issue}. What next?",
    "How long should I wait after I {action} before judging whether the {thing} is better?",
    "Honest opinion: is {cause} a real thing with a {thing}, or a myth?",
    "Random one while I think of it: {person} mentioned {issue} {context}. Should I worry?",
]
ASSIST_T = [
    "{Issue} on the {thing} usually comes down to {cause}.",
    "I would {action} first and give it {n} days before changing anything else.",
    "If you see {issue} {context}, that points more toward {cause} than anything else.",
    "{Person} has a point, but I'd only {action} if the {thing} is still struggling after {n} days.",
    "A cheap check is to look at the {thing} {context} and note whether {issue} gets worse.",
    "Write down what you change, because {cause} and {cause2} can look similar at first.",
    "It helps to {action} on a schedule rather than whenever you remember, ideally every {n} days.",
    "Don't worry too much about {issue} if it shows up only {context}.",
    "For the {thing}, the simplest improvement is usually to {action}.",
    "In my experience {cause} is underrated as a reason for {issue}.",
    "Give the {thing} roughly {n} minutes of attention each time rather than one long session.",
    "Once the {thing} is stable, revisit whether you still need to {action}.",
    "The second thing I'd rule out is {cause}, especially {context}.",
    "You can tell them apart because {issue} caused by {cause} tends to build slowly.",
    "If money is tight, remember that to {action} costs almost nothing and often helps the {thing}.",
    "Keep notes on the {thing} and the {thing2} separately so you can compare them after {n} weeks.",
    "Try not to {action} and {action2} in the same week, or you won't know which one helped.",
    "A lot of the advice online assumes {cause}, which may not apply to your {thing}.",
    "When {issue} appears together with {issue2}, {cause} is the usual suspect.",
    "People often blame the {thing} for {issue} when the real culprit is {cause}.",
    "There's no need to {action} {context} unless you also notice {issue}.",
    "Expect a small setback {context}; it usually settles within {n} days.",
]
BULLET_T = ["- {Action}, mainly to rule out {cause}.", "- Check the {thing} {context} and note any {issue}.",
            "- {Action} (about {n} minutes).", "- Ask {person} to help you {action}.",
            "- Compare the {thing} with the {thing2} after {n} days."]


QUALS = [" (see paragraph {m}.{p}).", ", except as set out in Annex {p}.", "; this is reviewed every {n} months.",
         ", and records are kept for {n} months.", " (revised in edition {m}).", ", as confirmed at meeting {n}.",
         "; questions go to the named contact in Appendix {p}.", ", subject to a tolerance of {m} per cent.",
         ", starting from week {n} of the year.", "; the form reference is F-{n}{p}.", ", with up to {m} exceptions per year.",
         ". See also the note at item {n}."]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class Uniq:
    """Sentences are unique across the whole build."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def take(self, s: str) -> bool:
        if s in self.seen:
            return False
        self.seen.add(s)
        return True


class Filler:
    def __init__(self, rng: random.Random, uniq: Uniq, banned: list[str]):
        self.rng, self.uniq, self.banned = rng, uniq, banned

    def ok(self, s: str) -> bool:
        return not any(b in s for b in self.banned)

    def fill(self, template: str, d: dict[str, list[str]]) -> str:
        r = self.rng
        a1, a2 = r.sample(d["action"], 2)
        c1, c2 = r.sample(d["cause"], 2)
        i1, i2 = r.sample(d["issue"], 2)
        t1, t2 = r.sample(d["thing"], 2)
        vals = {"thing": t1, "thing2": t2, "issue": i1, "issue2": i2, "action": a1, "action2": a2, "cause": c1,
                "cause2": c2, "context": r.choice(d["context"]), "person": r.choice(PEOPLE), "n": str(r.randint(2, 19))}
        vals |= {k[0].upper() + k[1:]: cap(v) for k, v in list(vals.items())}
        return template.format(**vals)

    def sentence(self, templates: list[str], d: dict[str, list[str]]) -> str:
        for _ in range(400):
            s = self.fill(self.rng.choice(templates), d)
            if self.ok(s) and self.uniq.take(s):
                return s
        raise RuntimeError("filler exhausted")

    def turn(self, domain: str | None = None) -> list[dict]:
        r = self.rng
        d = DOMAINS[domain or r.choice(DOMAIN_NAMES)]
        user = self.sentence(USER_T, d)
        if r.random() < 0.3:
            user += " " + self.sentence(ASSIST_T, d).replace("I would", "I was going to").replace("I'd", "I was going to")
        paras = []
        for _ in range(r.randint(1, 3)):
            paras.append(" ".join(self.sentence(ASSIST_T, d) for _ in range(r.randint(2, 5))))
        if r.random() < 0.45:
            paras.insert(r.randint(0, len(paras)), "\n".join(self.sentence(BULLET_T, d) for _ in range(r.randint(3, 5))))
        return [{"role": "user", "content": user}, {"role": "assistant", "content": "\n\n".join(paras)}]

    def clauses(self, vocab: dict[str, list[str]], templates: list[str], n: int) -> list[str]:
        out = []
        for _ in range(n):
            for _ in range(400):
                t = self.rng.choice(templates)
                vals = {k: self.rng.choice(v) for k, v in vocab.items()}
                vals["n"] = str(self.rng.randint(2, 29))
                vals["m"] = str(self.rng.randint(2, 11))
                s = t.format(**vals)
                if self.rng.random() < 0.7:
                    s = s[:-1] + self.rng.choice(QUALS).format(n=self.rng.randint(2, 40), m=self.rng.randint(1, 19),
                                                               p=self.rng.randint(1, 12))
                s = cap(s)
                if self.ok(s) and self.uniq.take(s):
                    out.append(s)
                    break
            else:
                raise RuntimeError("clauses exhausted")
        return out


# --------------------------------------------------------------------------------------------
# Message helpers
# --------------------------------------------------------------------------------------------
def U(t: str) -> dict:
    return {"role": "user", "content": t}


def A(t: str) -> dict:
    return {"role": "assistant", "content": t}


def tool_def(name: str, desc: str, props: dict[str, str], required: list[str] | None = None) -> dict:
    return {"type": "function", "function": {"name": name, "description": desc, "parameters": {
        "type": "object", "properties": {k: {"type": "string", "description": v} for k, v in props.items()},
        "required": required if required is not None else list(props)}}}


def call_id(rng: random.Random) -> str:
    return "call_" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(22))


def calls(rng: random.Random, specs: list[tuple[str, dict, str]], lead: str | None = None) -> list[dict]:
    """One assistant message with len(specs) tool calls, then one tool message per call."""
    ids = [call_id(rng) for _ in specs]
    msgs = [{"role": "assistant", "content": None, "tool_calls": [
        {"id": i, "type": "function", "function": {"name": n, "arguments": json.dumps(a, ensure_ascii=False)}}
        for i, (n, a, _) in zip(ids, specs)]}]
    msgs += [{"role": "tool", "tool_call_id": i, "content": res} for i, (_, _, res) in zip(ids, specs)]
    return msgs


def chars(messages: list[dict]) -> int:
    n = 0
    for m in messages:
        c = m.get("content")
        n += len(c) if isinstance(c, str) else 0
        for tc in m.get("tool_calls") or []:
            n += len(tc["function"]["name"]) + len(tc["function"]["arguments"])
    return n


def est_tokens(messages: list[dict]) -> int:
    return chars(messages) // 4


def flat(blocks: list[list[dict]]) -> list[dict]:
    return [m for b in blocks for m in b]


def assemble(fl: Filler, target: int, system: str, anchors: list[tuple[float, list[dict]]], final: str,
             tail: int = 2) -> list[dict]:
    """Filler turns around anchor blocks (each starts with a user message and ends with an assistant one)."""
    fixed = len(system) + len(final) + sum(chars(b) for _, b in anchors)
    turns: list[list[dict]] = []
    total = fixed
    while total < target * 4 or len(turns) < len(anchors) + tail + 2:
        t = fl.turn()
        turns.append(t)
        total += chars(t)
    n = len(turns)
    body: list[list[dict]] = list(turns)
    # insert from the back so earlier indices stay valid
    for pos, block in sorted(anchors, key=lambda x: -x[0]):
        idx = min(max(1, round(pos * n)), n - tail) if pos > 0 else 0
        body.insert(idx, block)
    return [{"role": "system", "content": system}] + flat(body) + [U(final)]


SYSTEMS = [
    "You are a careful, friendly assistant. Answer clearly and say when you are unsure.",
    "You are a helpful assistant for a small team. Keep answers practical and concise.",
    "You are an assistant that helps with everyday planning, writing and technical questions.",
    "You are a knowledgeable assistant. Prefer concrete steps over general advice.",
    "You are a patient assistant. Use plain language and ask before assuming.",
]


# --------------------------------------------------------------------------------------------
# Case builders. Each returns a case dict (without id); `c` is a context with rng, filler, target.
# --------------------------------------------------------------------------------------------
class Ctx:
    def __init__(self, cid: str, nn: int, uniq: Uniq):
        self.id, self.nn = cid, nn
        self.rng = random.Random(SEED_PREFIX + cid)
        self.uniq = uniq
        self.target = int(SIZE_BANDS[nn % len(SIZE_BANDS)] * self.rng.uniform(0.95, 1.05))
        self.system = SYSTEMS[self.rng.randrange(len(SYSTEMS))]

    def filler(self, banned: list[str]) -> Filler:
        return Filler(self.rng, self.uniq, banned)


def case(kind: str, messages: list[dict], needed: list[str], stale: list[str], notes: str,
         tools: list[dict] | None = None) -> dict:
    out = {"kind": kind, "messages": messages}
    if tools:
        out["tools"] = tools
    out |= {"needed": needed, "forbidden_stale": stale, "notes": notes}
    return out


def simple(c: Ctx, kind: str, anchors: list[tuple[float, list[dict]]], final: str, needed: list[str],
           stale: list[str], notes: str, tools: list[dict] | None = None, tail: int = 2) -> dict:
    fl = c.filler(needed + stale)
    return case(kind, assemble(fl, c.target, c.system, anchors, final, tail), needed, stale, notes, tools)


# ---- early_constraint --------------------------------------------------------------------
EARLY = [
    ("I'm starting to plan my daughter Mila's seventh birthday party for next month. One thing up front: she has a "
     "sesame allergy, a proper one with an EpiPen, so that rules out a lot of the bakery stuff.",
     "Noted, that matters for every food decision. We can plan the games and invitations first and come back to the menu.",
     "Okay, party menu time. Can you suggest a snack table for twelve kids, including a savoury option and something "
     "crunchy? Flag anything I shouldn't serve.", ["sesame allergy"], [],
     "Allergy stated once in the first turn; the menu request never names it."),
    ("Context for everything that follows: the grant final report has to be submitted by 14:00 on Friday 12 March, "
     "and the portal locks after that. I'll ask you for help with bits of it over the next while.",
     "Understood. I'll keep that in mind when you bring pieces of the report.",
     "I still have the methods section, the budget narrative and the appendix to write. How should I split them across "
     "the days I have left, and when should I stop writing and start uploading?", ["14:00 on Friday 12 March"], [],
     "Deadline given in the first turn; the final planning question relies on it."),
    ("We're organising the team offsite. Finance originally floated €5,000, but the approved ceiling is €3,800 all "
     "in, including food and travel. Please help me keep us honest about that.",
     "Got it, I'll treat the approved figure as the hard limit for the whole event.",
     "Three quotes came back: the lakeside lodge at €3,450 plus €420 catering, the city loft at €3,100 with catering "
     "included, and the farmhouse at €2,900 plus €1,050 for a coach. Which of these keeps us within what we're allowed "
     "to spend?", ["€3,800"], ["€5,000"],
     "Budget ceiling stated early (with an earlier superseded figure); the final comparison needs the ceiling."),
    ("My dad is coming on the family trip to Crete this summer. He uses a wheelchair since his stroke and cannot manage "
     "stairs at all, so that shapes where we stay.",
     "Thanks for telling me. Step-free access will be the first filter for accommodation and day trips.",
     "Two places left on my shortlist: Villa Anemos has a gorgeous top-floor suite reached by an outside staircase and is "
     "right on the beach; Kastro Rooms has ground-floor rooms with a level entrance but is a ten-minute drive from the "
     "sea. Which one should I book for all of us?", ["uses a wheelchair"], [],
     "Accessibility need stated once early; the booking question doesn't mention it."),
    ("Before we get into anything: I take warfarin, prescribed after a clot two years ago, so please keep that in mind "
     "if I ever ask about medicines.",
     "Thank you, I'll keep it in mind and point out interactions when they come up.",
     "My knee has been sore since the hike. Is it fine for me to take ibuprofen or naproxen for a few days, or is there "
     "something better for me specifically?", ["warfarin"], [],
     "Medication stated in the first turn; the painkiller question depends on it."),
    ("I live in Tromsø and my kitchen only has a digital scale and a measuring jug, so please give recipe quantities in "
     "grams and millilitres, never cups or spoons.",
     "Will do, I'll convert everything to weights and volumes.",
     "Can you give me a banana bread recipe with all the quantities? I have three very ripe bananas.",
     ["grams and millilitres"], [], "A formatting preference stated early; the final recipe request needs it."),
]


def b_early(c: Ctx, i: int) -> dict:
    u, a, final, needed, stale, notes = EARLY[i]
    return simple(c, "early_constraint", [(0, [U(u), A(a)])], final, needed, stale, notes)


# ---- correction ------------------------------------------------------------------------------
CORR = [
    dict(first=[U("I'm sorting out transport for the Lisbon trip. My flight lands at 21:40 on the Thursday."),
                A("A 21:40 arrival is late but manageable; most shuttles still run then, and taxis queue outside arrivals."),
                U("If it lands at 21:40, will the metro still be open?"),
                A("Usually yes, the metro runs until about one in the morning, so a 21:40 landing leaves time.")],
         fix=[U("Ugh, I misread the booking. It lands at 06:15 on the Friday morning, not the Thursday evening."),
              A("Thanks for the correction, I'll plan around the morning arrival instead.")],
         final="Which shuttle slot should I book from the airport, and will I need to store my bags somewhere before check-in?",
         needed=["06:15"], stale=["21:40"], notes="Arrival time stated and reused, then corrected once."),
    dict(first=[U("Our analytics replica is db-replica-02, listening on port 6432. Can you remind me of the psql flags for read-only?"),
                A("For port 6432 you'd pass -p 6432 and set default_transaction_read_only in the options string."),
                U("And a connection string for port 6432 in a .pgpass file looks how?"),
                A("Each line is host:port:database:user:password, so the port field would be 6432.")],
         fix=[U("Correction: 6432 is the pgbouncer in front of it. The replica itself listens on 6543, and I need to hit it directly."),
              A("Understood, direct connections should go to the replica's own port.")],
         final="Write me the full psql command to connect directly to the analytics replica as user analyst to the metrics_ro database.",
         needed=["6543"], stale=["port 6432"], notes="Port stated three times, then corrected."),
    dict(first=[U("I'm redoing my budget. Rent is £1,150 a month at the moment."),
                A("With rent at £1,150, housing is your biggest fixed cost, so let's build around it."),
                U("If rent stays £1,150 and council tax is separate, what's a sensible groceries line?"),
                A("Something like £250 to £300 works alongside £1,150 rent for one person.")],
         fix=[U("Just got the renewal letter. From next month the rent goes up to £1,285."),
              A("That's a real increase; we should rebalance the other lines to absorb it.")],
         final="My take-home is £3,400. What share of it goes on rent from next month, roughly as a percentage?",
         needed=["£1,285"], stale=["£1,150"], notes="A monthly figure stated and reused, then superseded by a renewal."),
    dict(first=[U("The vet prescribed meloxicam for Biscuit, our terrier: 2.5 ml twice a day with food."),
                A("2.5 ml with food twice a day is a common pattern; a syringe makes it easier to get right."),
                U("Should the 2.5 ml go in before or after his breakfast?"),
                A("Mix the 2.5 ml into a little of his breakfast so he takes it with food.")],
         fix=[U("The vet just rang back: she made a mistake on the label. It should be 1.5 ml once a day, not twice."),
              A("Good that she caught it. Follow the corrected instruction from now on.")],
         final="What exactly do I give Biscuit tonight, and how often from now on?",
         needed=["1.5 ml once a day"], stale=["2.5 ml twice a day"], notes="A pet dose stated and reused, then corrected."),
    dict(first=[U("The accessibility workshop is in room B214 on Tuesday at ten."),
                A("B214 is on the second floor of the old wing, so I'd mention the lift in the invite."),
                U("Can you draft a one-line reminder mentioning B214?"),
                A("Reminder: accessibility workshop, Tuesday 10:00, room B214 (lift by the main stairs).")],
         fix=[U("Facilities moved us: the workshop will be in C109 instead because B214 has a leak."),
              A("Okay, I'll use the new room from here on.")],
         final="Write the final calendar invite text for Tuesday's accessibility workshop, including the room.",
         needed=["C109"], stale=["B214"], notes="A room stated three times, then moved."),
    dict(first=[U("New client onboarding: the contact is Katarzyna Wolski, head of procurement at Brzozowski Foods."),
                A("Thanks. I'll address correspondence to Katarzyna Wolski unless you say otherwise."),
                U("Draft a subject line for the kickoff email to Katarzyna Wolski?"),
                A("Suggestion: 'Kickoff and next steps, Brzozowski Foods x our team', addressed to Katarzyna Wolski.")],
         fix=[U("Oops: her surname is Wolska, the feminine form. Wolski was a typo in our CRM."),
              A("Noted, I'll use the corrected surname.")],
         final="Write the opening greeting line and first sentence of the kickoff email to the procurement contact.",
         needed=["Wolska"], stale=["Katarzyna Wolski"], notes="A name spelled wrongly three times, then corrected."),
]


def b_corr(c: Ctx, i: int) -> dict:
    s = CORR[i]
    first, fix = s["first"], s["fix"]
    anchors = [(0.05, first[:2]), (0.2, first[2:]), (c.rng.uniform(0.45, 0.7), fix)]
    return simple(c, "correction", anchors, s["final"], s["needed"], s["stale"], s["notes"])


# ---- doc_versions ----------------------------------------------------------------------------
DOCV_VOCAB = {
    "offer": ({"who": ["the Employee", "the Company", "your line manager", "the People team", "the Employee's manager"],
               "act": ["review the probation outcome", "confirm the start date in writing", "provide equipment",
                       "agree the working pattern", "record holiday requests", "process expense claims",
                       "schedule the induction", "complete the right-to-work check"],
               "when": ["before the first day", "within the probation period", "each calendar year",
                        "at the annual review", "on request", "within one month of joining"]},
              ["{who} will {act} {when}.", "Where required, {who} may {act} {when}, with {n} days' notice.",
               "{who} is expected to {act} {when} in line with the handbook."]),
    "ratelimit": ({"who": ["each API key", "enterprise tenants", "the gateway", "partner integrations", "internal services"],
                   "act": ["receive a 429 with a Retry-After header", "be throttled per region", "be logged for abuse review",
                           "count requests per rolling window", "burst above the sustained rate", "be exempt from quotas",
                           "share a pooled allowance", "be reset at midnight UTC"],
                   "when": ["during incidents", "for read endpoints", "for write endpoints", "in the sandbox",
                            "after repeated violations", "for webhooks"]},
                  ["{who} will {act} {when}.", "By default {who} may {act} {when}, for up to {n} minutes.",
                   "{who} should {act} {when} unless an exception is approved."]),
    "wedding": ({"who": ["the florist", "the caterers", "the band", "the photographer", "ushers", "the best man", "the venue coordinator"],
                 "act": ["set up the welcome sign", "light the festoon lights", "serve the canapés", "move guests to the barn",
                         "start the first dance playlist", "take the family group photos", "clear the orchard chairs",
                         "bring out the cake", "hand out sparklers"],
                 "when": ["after the speeches", "before the guests arrive", "during the drinks reception", "at sunset",
                          "once dinner is cleared", "if it rains", "at the end of the night"]},
                ["{who} will {act} {when}.", "Backup plan: {who} will {act} {when}, allowing {n} minutes.",
                 "{who} should be ready to {act} {when}."]),
    "battery": ({"who": ["the module", "each cell", "the BMS", "the enclosure", "the connector", "the thermal pad", "the test fixture"],
                 "act": ["withstand a 1.2 m drop", "report state of charge over SMBus", "cut off below the minimum voltage",
                         "pass the vibration profile", "limit charge current above 45 °C", "log fault codes",
                         "meet the IP54 rating", "balance cells passively"],
                 "when": ["at end of life", "after 500 cycles", "during fast charge", "in storage", "at -10 °C",
                          "under continuous load", "during transport"]},
                ["{who} shall {act} {when}.", "Requirement R-{n}: {who} shall {act} {when}.",
                 "Verification: confirm that {who} can {act} {when}."]),
    "tenancy": ({"who": ["the Tenant", "the Landlord", "the Agent", "the Guarantor", "any permitted occupier"],
                 "act": ["keep the property in good repair", "allow access for inspections", "pay the rent by standing order",
                         "insure the building", "return the keys", "report defects promptly", "not sublet without consent",
                         "maintain the smoke alarms"],
                 "when": ["at the end of the tenancy", "with 24 hours' notice", "on the first of each month", "throughout the term",
                          "within 14 days", "at the check-in inspection"]},
                ["{who} agrees to {act} {when}.", "{who} shall {act} {when}, subject to clause {m}.",
                 "Unless agreed otherwise in writing, {who} will {act} {when}."]),
    "conference": ({"who": ["authors", "reviewers", "the programme committee", "accepted speakers", "workshop chairs", "student volunteers"],
                    "act": ["use the official LaTeX template", "declare conflicts of interest", "anonymise the submission",
                            "upload a camera-ready version", "register at least one author", "present a poster",
                            "submit supplementary code", "respond to reviews"],
                    "when": ["by the deadline", "during the rebuttal phase", "after acceptance", "at submission time",
                             "before the workshop day", "within a week of notification"]},
                   ["{who} must {act} {when}.", "{who} are encouraged to {act} {when}.",
                    "Submissions where {who} fail to {act} {when} may be desk-rejected."]),
}
DOCV = [
    dict(kind="offer", title="Offer of Employment: Senior Data Analyst",
         key="Base salary: {v} per annum, paid monthly in arrears.",
         vals=["£52,000", "£54,500", "£56,250"],
         final="Looking at the final offer they sent, what's the base pay I'd be on, and how much more is that per month "
               "than the number in their very first draft?",
         notes="Three pasted versions of an offer letter; the question asks about the final one (and the first)."),
    dict(kind="ratelimit", title="Public API Rate-Limit Policy",
         key="Sustained limit: {v} requests per minute per key.",
         vals=["600", "900", "1,250"],
         final="In the policy as it stands now, how many calls a minute does one key get before being throttled?",
         notes="Three policy versions; only the last limit counts; question uses 'calls a minute'."),
    dict(kind="wedding", title="Wedding Day Run-of-Show (Hollins Barn)",
         key="Ceremony: begins at {v} in the orchard; guests seated ten minutes before.",
         vals=["13:30", "14:15", "15:45"],
         final="Using the most recent run-of-show, what time do the vows start?",
         notes="Three run-of-show versions; vows = ceremony; latest time only."),
    dict(kind="battery", title="Battery Module Specification BM-7",
         key="Rated capacity: {v} at 0.2C discharge, 25 °C.",
         vals=["4,100 mAh", "4,350 mAh", "4,620 mAh"],
         final="For the datasheet, what's the cell capacity in the latest revision of the BM-7 spec?",
         notes="Three spec revisions; 'cell capacity' vs 'rated capacity'."),
    dict(kind="tenancy", title="Tenancy Agreement: Flat 3, 27 Harcourt Road",
         key="Notice: either party must give {v} written notice to end the tenancy after the fixed term.",
         vals=["one month's", "six weeks'", "two calendar months'"],
         final="With the agreement in its final form, how much warning do I have to give the landlord if I want to move out after the fixed term?",
         notes="Three lease drafts; notice period worded in words; latest only."),
    dict(kind="conference", title="Conference Submission Guidelines: NordML Workshop",
         key="Length: abstracts must not exceed {v}, excluding references.",
         vals=["250 words", "300 words", "180 words"],
         final="Per the latest guidelines, how long can my abstract be?",
         notes="Three guideline versions where the limit goes down in the last one."),
]


def b_docv(c: Ctx, i: int) -> dict:
    s = DOCV[i]
    needed, stale = [s["vals"][2]], [s["vals"][0], s["vals"][1]]
    if i == 0:  # the question asks about the first draft as well
        needed, stale = [s["vals"][2], s["vals"][0]], [s["vals"][1]]
    fl = c.filler(needed + stale)
    vocab, templates = DOCV_VOCAB[s["kind"]]
    n_cl = max(30, int(c.target * 4 * 0.2 / 80))
    body = fl.clauses(vocab, templates, n_cl)
    kp = int(n_cl * c.rng.uniform(0.45, 0.75))
    docs = []
    for ver in range(3):
        if ver:
            body = list(body)
            for j in c.rng.sample([j for j in range(n_cl) if j != kp], 3):
                body[j] = fl.clauses(vocab, templates, 1)[0]
        cl = list(body)
        cl[kp] = s["key"].format(v=s["vals"][ver])
        lines, sec = [f"# {s['title']} (draft v{ver + 1})"], 0
        for j, x in enumerate(cl):
            if j % 7 == 0:
                sec += 1
                lines.append(f"\n## Section {sec}")
            lines.append(f"{sec}.{j % 7 + 1} {x}")
        docs.append("\n".join(lines))
    intro = ["Here's the first draft they sent over. Just park it for now:\n\n",
             "They sent a revised version, v2. Pasting it so you have it:\n\n",
             "And here's the latest one, v3, which they say is final:\n\n"]
    anchors = [(0.05 + 0.3 * v, [U(intro[v] + docs[v]), A(f"Thanks, I have draft v{v + 1}. Tell me when you want to go through it.")])
               for v in range(3)]
    return case("doc_versions", assemble(fl, c.target, c.system, anchors, s["final"]), needed, stale, s["notes"])


# ---- deep_clause -----------------------------------------------------------------------------
DEEP = [
    dict(title="Northwind Logistics Employee Handbook", vocab={
        "who": ["employees", "line managers", "the HR team", "shift leads", "new starters", "part-time staff", "contractors"],
        "act": ["record overtime in the rota system", "complete fire-safety training", "report absence before the shift starts",
                "return company equipment", "request flexible working", "book annual leave", "declare outside interests",
                "attend the quarterly briefing", "wear high-visibility clothing on the yard", "submit mileage claims"],
        "when": ["within the first month", "every twelve months", "on the day", "before leaving the business",
                 "through the portal", "at least two weeks ahead", "when asked by a manager", "each pay period"]},
        templates=["{who} must {act} {when}.", "{who} are asked to {act} {when}; exceptions need written approval.",
                   "Where practical, {who} should {act} {when} and keep a copy for {n} months."],
        key="Parental leave: employees with at least 26 weeks' service are entitled to eighteen weeks at full pay, "
            "followed by the statutory rate.",
        needed=["eighteen weeks at full pay"], lookalike="Adoption leave: employees are entitled to twelve weeks at full pay.",
        stale=["twelve weeks at full pay"],
        final="A colleague is expecting a baby. Under our handbook, how long would they be paid their normal wage while off?",
        notes="A long handbook; the answer is one clause two-thirds in, with a look-alike clause for adoption leave."),
    dict(title="Master Services Agreement: Halcyon Analytics Ltd and Perrin Retail plc", vocab={
        "who": ["the Supplier", "the Customer", "either party", "the Supplier's personnel", "the Customer's auditors"],
        "act": ["give written notice of any breach", "maintain appropriate insurance", "keep Confidential Information secure",
                "provide monthly service reports", "cooperate with a transition plan", "pay undisputed invoices",
                "comply with the data protection schedule", "nominate a contract manager", "escalate disputes to the steering group"],
        "when": ["within thirty days", "throughout the Term", "promptly on request", "at its own cost",
                 "during any exit period", "in accordance with Schedule 4", "after the Effective Date"]},
        templates=["{who} shall {act} {when}.", "Subject to clause {m}, {who} shall {act} {when}.",
                   "{who} may not unreasonably refuse to {act} {when}."],
        key="14.3 Liability cap: the Supplier's total aggregate liability in any Contract Year shall not exceed £2,750,000.",
        needed=["£2,750,000"], lookalike="14.5 The Customer's total aggregate liability in any Contract Year shall not exceed £400,000.",
        stale=["£400,000"],
        final="If Halcyon messes up badly, what's the most we could ever claw back from them in one contract year?",
        notes="A long MSA; the supplier's liability cap sits deep inside, next to the customer's cap."),
    dict(title="Riverside Mews Residents' Association Bylaws", vocab={
        "who": ["residents", "the committee", "the treasurer", "leaseholders", "tenants", "visitors", "the managing agent"],
        "act": ["keep communal areas clear", "pay the service charge", "register bicycles", "request permission for alterations",
                "attend the annual general meeting", "report repairs", "recycle correctly", "park only in marked bays"],
        "when": ["at all times", "quarterly in advance", "before any works begin", "within seven days",
                 "once a year", "after ten in the evening", "through the online form"]},
        templates=["{who} shall {act} {when}.", "The committee may fine {who} who fail to {act} {when}.",
                   "{who} are reminded to {act} {when}."],
        key="Pets: each household may keep no more than two cats or dogs in total; caged birds and fish are not counted.",
        needed=["no more than two cats or dogs"], lookalike="Visitors: each household may host no more than four overnight guests.",
        stale=["no more than four overnight guests"],
        final="We want to adopt a second dog but already have a cat. Is that allowed under the bylaws?",
        notes="Bylaws with dozens of rules; the pet limit sits deep inside."),
    dict(title="Protocol HX-204: A Phase II Study of Oral Tenafibrate", vocab={
        "who": ["the investigator", "the site pharmacist", "participants", "the sponsor", "the data monitoring committee",
                "study nurses"],
        "act": ["record adverse events in the eCRF", "confirm informed consent", "store the study drug at room temperature",
                "perform a 12-lead ECG", "collect fasting blood samples", "review concomitant medication",
                "report serious adverse events", "reconcile returned tablets"],
        "when": ["at screening", "at every visit", "within 24 hours", "at week 12", "before randomisation",
                 "at the end-of-study visit", "as per the schedule of assessments"]},
        templates=["{who} will {act} {when}.", "{who} must {act} {when}, see Appendix {m}.",
                   "Unless otherwise stated, {who} should {act} {when}."],
        key="Washout: participants taking statins must stop them for a washout period of 21 days before the baseline visit.",
        needed=["21 days before the baseline visit"], lookalike="Fibrate washout: other fibrates must be stopped 7 days before screening.",
        stale=["7 days before screening"],
        final="A patient on atorvastatin wants to join. How long before their first proper study visit must they come off it?",
        notes="A long trial protocol; the statin washout clause is deep in; the question names a specific statin."),
    dict(title="Harbourside Distribution Centre: Warehouse Operating Procedures", vocab={
        "who": ["forklift drivers", "pickers", "the shift manager", "visitors", "agency staff", "the goods-in team", "cleaners"],
        "act": ["wear safety boots", "sign the vehicle checklist", "keep aisles clear of pallets", "report damaged racking",
                "use the pedestrian walkways", "scan every pallet", "charge trucks in the charging bay", "log near misses"],
        "when": ["before each shift", "at all times", "immediately", "at the end of the shift", "on the mezzanine",
                 "in the cold store", "during deliveries"]},
        templates=["{who} must {act} {when}.", "{who} should {act} {when}; see SOP-{m}.",
                   "Failure by {who} to {act} {when} is a disciplinary matter."],
        key="Speed: counterbalance trucks must not exceed 8 km/h inside the building and 12 km/h on the external yard.",
        needed=["8 km/h inside the building"], lookalike="Reach trucks must not exceed 5 km/h in narrow aisles.",
        stale=["5 km/h in narrow aisles"],
        final="For the new drivers' induction slide: how fast can a counterbalance truck go indoors?",
        notes="Warehouse SOPs; the indoor speed limit is one clause deep in."),
    dict(title="Larchmont Primary School: Staff and Parent Policies", vocab={
        "who": ["parents", "class teachers", "the office", "visitors", "teaching assistants", "governors", "pupils"],
        "act": ["sign in at reception", "notify the office of absence", "label uniform", "return consent forms",
                "follow the behaviour policy", "collect children from the side gate", "report safeguarding concerns",
                "keep medicines in the office"],
        "when": ["by 9:30", "before trips", "every term", "on the first day", "without delay", "during wet play",
                 "at pick-up"]},
        templates=["{who} should {act} {when}.", "{who} are asked to {act} {when}.",
                   "The school expects {who} to {act} {when}."],
        key="Term-time holidays: absence for holidays will only be authorised in exceptional circumstances, and requests "
            "must reach the head teacher at least 20 school days in advance.",
        needed=["20 school days in advance"], lookalike="Medical appointments should be notified at least 2 days in advance.",
        stale=["2 days in advance"],
        final="If I want to take the kids out for a family wedding abroad in June, how far ahead do I have to ask?",
        notes="School policy pack; the term-time holiday request lead time is deep in."),
]


def b_deep(c: Ctx, i: int) -> dict:
    s = DEEP[i]
    fl = c.filler(s["needed"] + s["stale"])
    n_cl = int(c.target * 4 * 0.6 / 75)
    cls = fl.clauses(s["vocab"], s["templates"], n_cl)
    kp = int(n_cl * c.rng.uniform(0.6, 0.8))
    lp = kp + c.rng.choice([-9, -5, 4, 8])
    cls.insert(max(lp, 0), s["lookalike"]) if lp < kp else None
    cls.insert(kp, s["key"])
    if lp > kp:
        cls.insert(lp, s["lookalike"])
    lines, sec = [f"# {s['title']}", ""], 0
    for j, cl in enumerate(cls):
        if j % 8 == 0:
            sec += 1
            lines.append(f"\n## Part {sec}")
        lines.append(f"{sec}.{j % 8 + 1}. {cl}")
    doc = "\n".join(lines)
    anchors = [(0.08, [U("Pasting the full document so you can refer to it later:\n\n" + doc),
                       A("I have the whole document. Ask me about any part of it whenever you need.")])]
    return case("deep_clause", assemble(fl, c.target, c.system, anchors, s["final"]), s["needed"], s["stale"], s["notes"])


# ---- table_cell ------------------------------------------------------------------------------
def _uniq_num(rng: random.Random, used: set[str], lo: int, hi: int, fmt: str) -> str:
    for _ in range(200):
        v = fmt.format(rng.randint(lo, hi))
        if v not in used:
            used.add(v)
            return v
    return v


TABLES = [
    dict(fmt="csv", cols=["sku", "description", "qty_on_hand", "reorder_point", "unit_cost_gbp"],
         rows=lambda r, k: [f"FX-{1000 + k}", f"{r.choice(['M4', 'M5', 'M6', 'M8', 'M10', 'M12'])} {r.choice(['hex bolt', 'flange nut', 'washer', 'socket cap screw', 'wing nut', 'threaded rod'])}, {r.choice(['zinc', 'A2 stainless', 'A4 stainless', 'black oxide', 'brass'])}"],
         target_desc="M8 flange nut, A4 stainless", col="qty_on_hand", key_cell=("qty_on_hand", "7,391"),
         final="How many of the stainless M8 flange nuts (A4 grade) have we got in stock right now?",
         prev=True, notes="Inventory CSV; the question says 'in stock' for qty_on_hand; last month's export pasted earlier."),
    dict(fmt="md", cols=["Employee", "Team", "Annual leave remaining (days)", "Sick days taken", "Start year"],
         rows=lambda r, k: [None, r.choice(["Ops", "Finance", "Design", "Support", "Platform", "Legal", "Sales"])],
         target_desc="Hendrika Vos", col="Annual leave remaining (days)", key_cell=("Annual leave remaining (days)", "13.5"),
         final="How much vacation does Hendrika Vos still have left this year?",
         prev=False, notes="Markdown HR table; 'vacation' vs 'annual leave remaining'."),
    dict(fmt="md", cols=["Analyte", "Result", "Units", "Reference low", "Reference high"],
         rows=lambda r, k: [None], target_desc="Ferritin", col="Result", key_cell=("Result", "9.4"),
         final="What did my iron stores marker (ferritin) come back as on these results?",
         prev=True, notes="Lab panel as a markdown table; the earlier panel from last year is a look-alike."),
    dict(fmt="csv", cols=["flight", "origin", "destination", "sched_departure", "gate", "status"],
         rows=lambda r, k: [f"{r.choice(['NX', 'KL', 'SK', 'TP', 'AY'])}{r.randint(100, 999)}", "OSL",
                            r.choice(["AMS", "CPH", "LIS", "HEL", "BER", "DUB", "ZRH"])],
         target_desc="SK4417", col="gate", key_cell=("gate", "F27"),
         final="Which gate does SK4417 leave from?", prev=False,
         notes="Departure board CSV; one cell (gate) of one flight."),
    dict(fmt="md", cols=["Region", "Q1 revenue (k€)", "Q2 revenue (k€)", "Q3 revenue (k€)", "Q4 revenue (k€)"],
         rows=lambda r, k: [None], target_desc="Nordics East", col="Q3 revenue (k€)", key_cell=("Q3 revenue (k€)", "3,084.6"),
         final="What did Nordics East bring in over July to September?",
         prev=True, notes="Regional revenue table; 'July to September' means Q3; last year's table pasted earlier."),
    dict(fmt="csv", cols=["room_block", "hotel", "nights", "rooms_held", "release_date", "rate_eur"],
         rows=lambda r, k: [f"BLK-{200 + k}", r.choice(["Hotel Avenida", "Casa Faria", "Lumen Suites", "Pousada Alta", "Hotel Riba"])],
         target_desc="BLK-231", col="release_date", key_cell=("release_date", "2027-04-19"),
         final="By what date do we have to confirm names for block BLK-231 before the unused rooms go back to the hotel?",
         prev=False, notes="Room-block CSV; 'rooms go back to the hotel' = release_date."),
]
SURN = ["Aalders", "Bakker", "Castellanos", "Dijkstra", "Eriksen", "Fontaine", "Grünewald", "Haddad", "Ivanova", "Jansen",
        "Kowalczyk", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe", "Rasmussen", "Santos", "Tanaka",
        "Ueda", "Varga", "Weiss", "Xu", "Yilmaz", "Zeller"]
GIVEN = ["Anouk", "Bram", "Carmen", "Daan", "Elif", "Femke", "Goran", "Hiro", "Isla", "Joris", "Kaja", "Lucas", "Maren",
         "Nils", "Olga", "Pim", "Rhea", "Sanne", "Timo", "Ulla", "Vera", "Wout", "Yara", "Zofia"]
ANALYTES = ["Haemoglobin", "White cell count", "Platelets", "Sodium", "Potassium", "Urea", "Creatinine", "eGFR", "ALT",
            "AST", "ALP", "Bilirubin", "Albumin", "Calcium", "Phosphate", "Magnesium", "Vitamin B12", "Folate",
            "Vitamin D", "TSH", "Free T4", "HbA1c", "Cholesterol", "HDL", "LDL", "Triglycerides", "CRP", "Iron",
            "Transferrin saturation", "Uric acid", "Glucose", "Amylase", "CK", "LDH", "Zinc"]
REGIONS = [f"{a} {b}" for a in ["Nordics", "Benelux", "Iberia", "DACH", "Baltics", "Balkans", "Alpine", "Atlantic"]
           for b in ["North", "South", "East", "West", "Central"]]


def make_table(c: Ctx, s: dict, n_rows: int, fl: Filler, forbid: set[str]) -> tuple[str, list[str]]:
    r = c.rng
    used: set[str] = set()
    rows: list[list[str]] = []
    names: list[str] = []
    if s["cols"][0] == "Employee":
        while len(names) < n_rows:
            nm = f"{r.choice(GIVEN)} {r.choice(SURN)}"
            if nm not in names and nm != "Hendrika Vos":
                names.append(nm)
    elif s["cols"][0] == "Analyte":
        names = list(ANALYTES)
    elif s["cols"][0] == "Region":
        names = [x for x in REGIONS if x != "Nordics East"]
        r.shuffle(names)
        names = names[:n_rows]
    for k in range(n_rows):
        base = s["rows"](r, k)
        if base and base[0] is None:
            base = [names[k % len(names)]] + base[1:]
        row = list(base)
        for col in s["cols"][len(row):]:
            if col in ("qty_on_hand", "reorder_point"):
                v = _uniq_num(r, used, 20, 9999, "{:,}")
            elif col == "unit_cost_gbp":
                v = f"{r.randint(1, 90)}.{r.randint(0, 99):02d}"
            elif col in ("Annual leave remaining (days)", "Sick days taken"):
                v = f"{r.randint(0, 28)}{r.choice(['', '.5'])}" if col.startswith("Annual") else str(r.randint(0, 14))
            elif col == "Start year":
                v = str(r.randint(2009, 2025))
            elif col == "Result":
                v = f"{r.randint(1, 180)}.{r.randint(0, 9)}"
            elif col == "Units":
                v = r.choice(["g/L", "mmol/L", "µmol/L", "U/L", "nmol/L", "mg/L", "%"])
            elif col.startswith("Reference"):
                v = f"{r.randint(1, 200)}"
            elif col == "sched_departure":
                v = f"{r.randint(6, 22):02d}:{r.choice(['05', '10', '20', '35', '40', '55'])}"
            elif col == "gate":
                v = _uniq_num(r, used, 1, 60, r.choice("ABCDE") + "{}")
            elif col == "status":
                v = r.choice(["On time", "Boarding", "Delayed", "Gate open", "Cancelled"])
            elif col.startswith("Q"):
                v = f"{r.randint(200, 4999):,}.{r.randint(0, 9)}"
            elif col == "nights":
                v = str(r.randint(2, 6))
            elif col == "rooms_held":
                v = str(r.randint(5, 60))
            elif col == "release_date":
                v = _uniq_num(r, used, 1, 28, "2027-0" + str(r.randint(3, 6)) + "-{:02d}")
            elif col == "rate_eur":
                v = str(r.randint(89, 260))
            else:
                v = "n/a"
            row.append(v)
        rows.append(row)
    # target row
    ti = int(n_rows * r.uniform(0.55, 0.8))
    tgt = list(rows[ti])
    first = s["target_desc"]
    if s["cols"][0] == "sku":
        tgt[1] = first
    else:
        tgt[0] = first
    ci = s["cols"].index(s["key_cell"][0])
    tgt[ci] = s["key_cell"][1]
    rows[ti] = tgt
    # make sure no other cell contains the key value or banned strings
    for k, row in enumerate(rows):
        for j, v in enumerate(row):
            if k == ti and j == ci:
                continue
            for _ in range(12):
                bad = [x for x in [s["key_cell"][1], *forbid] if x in v]
                if not bad and not (s["target_desc"] in v and k != ti and j < 2):
                    break
                if bad:
                    x = bad[0]
                    v = v.replace(x, x[:-1] + ("3" if x[-1] != "3" else "7"))
                else:
                    v = v + " (old)"
            else:
                v = "n/a"
            row[j] = v
    if s["fmt"] == "csv":
        txt = "\n".join(",".join(f'"{x}"' if "," in x else x for x in row) for row in [s["cols"]] + rows)
    else:
        txt = "| " + " | ".join(s["cols"]) + " |\n|" + "---|" * len(s["cols"]) + "\n" + \
              "\n".join("| " + " | ".join(row) + " |" for row in rows)
    return txt, tgt


def b_table(c: Ctx, i: int) -> dict:
    s = TABLES[i]
    needed = [s["key_cell"][1]]
    r = c.rng
    old_val = None
    stale: list[str] = []
    if s["prev"]:
        old_val = {"7,391": "6,958", "9.4": "21.7", "3,084.6": "2,771.2"}[s["key_cell"][1]]
        stale = [old_val]
    fl = c.filler(needed + stale)
    row_chars = 50 if s["fmt"] == "csv" else 75
    n_rows = max(30, int(c.target * 4 * (0.22 if s["prev"] else 0.4) / row_chars))
    if s["cols"][0] == "Analyte":
        n_rows = len(ANALYTES)
    txt, tgt = make_table(c, s, n_rows, fl, set(stale))
    anchors = []
    if s["prev"]:
        s_old = dict(s, key_cell=(s["key_cell"][0], old_val))
        old_txt, _ = make_table(c, s_old, n_rows, fl, set(needed))
        label = {"7,391": "last month's stock export", "9.4": "my blood results from last year",
                 "3,084.6": "last year's regional revenue table"}[s["key_cell"][1]]
        anchors.append((0.1, [U(f"For reference, here is {label}:\n\n" + old_txt),
                              A("Got it, that's the older snapshot. I'll keep it separate from anything newer.")]))
    lead = {"csv": "Here's the current export:\n\n", "md": "Here is the current table:\n\n"}[s["fmt"]]
    anchors.append((0.4 if s["prev"] else 0.12, [U(lead + txt), A("Thanks, I can see all the rows. What would you like to know?")]))
    return case("table_cell", assemble(fl, c.target, c.system, anchors, s["final"]), needed, stale, s["notes"])


# ---- agent_loop ------------------------------------------------------------------------------
def rec_json(rng: random.Random, size: int, fields: dict, fl: Filler, extra: dict | None = None, key: str = "items") -> str:
    items: list[dict] = []
    body = dict(extra or {})
    while len(json.dumps(body | {key: items}, ensure_ascii=False)) < size:
        items.append({k: (f(rng) if callable(f) else rng.choice(f)) for k, f in fields.items()})
    return json.dumps(body | {key: items}, ensure_ascii=False)


def log_lines(rng: random.Random, size: int, services: list[str], msgs: list[str]) -> str:
    out, n = [], 0
    while n < size:
        line = (f"2026-11-{rng.randint(10, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z "
                f"{rng.choice(['INFO', 'INFO', 'INFO', 'WARN', 'DEBUG', 'ERROR'])} {rng.choice(services)} "
                f"{rng.choice(msgs).format(n=rng.randint(2, 999))} req={rng.randrange(16 ** 8):08x}")
        out.append(line)
        n += len(line) + 1
    return "\n".join(out)


AGENTS = []


def b_agent(c: Ctx, i: int) -> dict:
    r = c.rng
    spec = AGENT_SPECS[i]
    needed, stale = spec["needed"], spec["stale"]
    fl = c.filler(needed + stale)
    n_calls = r.randint(11, 18)
    prefix = [fl.turn() for _ in range(r.randint(0, 2))]
    fixed = chars(flat(prefix)) + len(c.system) + len(spec["request"]) + len(spec["final"]) + 400
    per = max(1200, (c.target * 4 - fixed) // n_calls - 120)
    steps: list[list[dict]] = []
    made = 0
    key_at = r.randint(0, 2)
    stale_at = r.randint(n_calls - 5, n_calls - 2)
    while made < n_calls:
        par = 2 if (r.random() < 0.25 and n_calls - made >= 2 and made not in (key_at, key_at - 1)) else 1
        specs = []
        for _ in range(par):
            role = "key" if made == key_at else "stale" if made == stale_at else "other"
            name, args, res = spec["step"](r, per, fl, role, made)
            specs.append((name, args, res))
            made += 1
        steps.append(calls(r, specs))
    msgs = [{"role": "system", "content": c.system}] + flat(prefix) + [U(spec["request"])] + flat(steps)
    if spec.get("summary"):
        msgs.append(A(spec["summary"]))
    msgs.append(U(spec["final"]))
    return case("agent_loop", msgs, needed, stale, spec["notes"], spec["tools"])


def _deploy_step(r, per, fl, role, k):
    svcs = ["payments-api", "ledger-worker", "edge-gateway", "fraud-scorer", "notify-svc"]
    logmsgs = ["handled POST /v1/charges in {n}ms", "retrying upstream call attempt={n}", "cache miss for merchant {n}",
               "pool stats active={n} idle=4", "GC pause {n}ms", "webhook delivered status=200 in {n}ms",
               "slow query {n}ms on charges_by_merchant", "circuit half-open after {n} failures"]
    if role == "key":
        d = {"deployment": "payments-api-canary", "namespace": "prod-eu", "replicas": 2, "strategy": "canary",
             "image": "registry.internal/payments-api:2.14.7-rc3", "started": "2026-11-24T08:12:09Z",
             "events": json.loads(rec_json(r, per - 400, {"type": ["Normal", "Warning"], "reason": ["Scheduled", "Pulled", "Started", "Unhealthy", "BackOff"],
                                                          "age_s": lambda q: q.randint(5, 9000)}, fl))["items"]}
        return "describe_deployment", {"name": "payments-api-canary", "namespace": "prod-eu"}, json.dumps(d)
    if role == "stale":
        d = {"deployment": "payments-api-stable", "namespace": "prod-eu", "history": [
            {"revision": 41, "image": "registry.internal/payments-api:2.14.6", "status": "superseded"},
            {"revision": 42, "image": "registry.internal/payments-api:2.14.5-hotfix1", "status": "active"}],
             "notes": log_lines(r, per - 300, svcs, logmsgs)}
        return "rollout_history", {"name": "payments-api-stable", "namespace": "prod-eu"}, json.dumps(d)
    kind = r.choice(["logs", "metrics", "search"])
    if kind == "logs":
        svc = r.choice(svcs)
        return "get_logs", {"service": svc, "since": f"{r.randint(10, 90)}m"}, log_lines(r, per, svcs, logmsgs)
    if kind == "metrics":
        return "query_metrics", {"query": r.choice(["p99_latency", "error_rate", "pod_restarts", "db_pool_wait"]) + f"{{svc=\"{r.choice(svcs)}\"}}"}, \
            rec_json(r, per, {"ts": lambda q: f"08:{q.randint(0, 59):02d}:{q.randint(0, 59):02d}", "value": lambda q: round(q.uniform(0, 900), 2),
                              "pod": lambda q: f"pod-{q.randrange(16 ** 5):05x}"}, fl, key="series")
    return "search_code", {"query": r.choice(["pool_size", "retry_budget", "timeout_ms", "idempotency_key"])}, \
        rec_json(r, per, {"path": lambda q: f"src/{q.choice(['billing', 'charges', 'ledger', 'http'])}/{q.choice(['client', 'handler', 'config', 'retry'])}_{q.randint(1, 40)}.go",
                          "line": lambda q: q.randint(1, 900), "snippet": lambda q: q.choice(["cfg.PoolSize = env.Int(...)", "ctx, cancel := context.WithTimeout(...)", "if attempts > budget {", "return errRetryable"])}, fl, key="matches")


def _travel_step(r, per, fl, role, k):
    fields = {"carrier": ["TP", "IB", "VY", "FR", "U2"], "flight_no": lambda q: f"{q.randint(100, 9999)}",
              "dep": lambda q: f"2027-02-{q.randint(1, 28):02d}T{q.randint(5, 22):02d}:{q.choice(['00', '15', '30', '45'])}",
              "fare_eur": lambda q: q.randint(38, 420), "seats_left": lambda q: q.randint(1, 9),
              "cabin": ["economy", "economy", "premium"]}
    if role == "key":
        d = {"status": "CONFIRMED", "booking_reference": "K7WQ2D", "passenger": "L. Ferreira", "segments": [
            {"from": "OPO", "to": "FNC", "flight": "TP1691", "dep": "2027-02-11T07:35"}],
             "upsell_offers": json.loads(rec_json(r, per - 500, fields, fl))["items"]}
        return "create_booking", {"offer_id": "off_" + str(r.randint(10 ** 6, 10 ** 7)), "passenger": "L. Ferreira"}, json.dumps(d)
    if role == "stale":
        d = {"status": "HELD", "hold_reference": "K7WQ2B", "expires_in_min": 30, "passenger": "M. Ferreira",
             "alternatives": json.loads(rec_json(r, per - 400, fields, fl))["items"]}
        return "hold_fare", {"offer_id": "off_" + str(r.randint(10 ** 6, 10 ** 7)), "passenger": "M. Ferreira"}, json.dumps(d)
    if r.random() < 0.5:
        return "search_flights", {"origin": r.choice(["OPO", "LIS", "FNC"]), "destination": r.choice(["PDL", "FNC", "TER", "LIS"]),
                                  "date": f"2027-02-{r.randint(1, 28):02d}"}, rec_json(r, per, fields, fl, key="offers")
    return "search_hotels", {"city": r.choice(["Funchal", "Ponta Delgada", "Angra"]), "nights": str(r.randint(2, 6))}, \
        rec_json(r, per, {"name": lambda q: f"{q.choice(['Quinta', 'Casa', 'Hotel', 'Residencial'])} {q.choice(['do Mar', 'Azul', 'da Serra', 'Bela Vista', 'Atlântico', 'das Flores'])}",
                          "rating": lambda q: round(q.uniform(6.5, 9.6), 1), "price_eur": lambda q: q.randint(55, 310),
                          "distance_km": lambda q: round(q.uniform(0.2, 14), 1)}, fl, key="hotels")


def _support_step(r, per, fl, role, k):
    tick = {"ticket": lambda q: f"T-{q.randint(40000, 99999)}", "subject": ["login loop", "invoice missing", "export failed",
            "slow dashboard", "SSO error", "seat count wrong", "webhook 401"], "priority": ["low", "normal", "high"],
            "age_days": lambda q: q.randint(0, 60)}
    if role == "key":
        d = {"customer": "Brightwater Dental Group", "account_number": "ACC-58823-BW", "plan": "Business Plus",
             "seats": 48, "billing_contact": "accounts@brightwater-dental.example", "open_tickets": json.loads(rec_json(r, per - 500, tick, fl))["items"]}
        return "lookup_customer", {"query": "Brightwater Dental"}, json.dumps(d)
    if role == "stale":
        d = {"customer": "Brightwater Dental Lab", "account_number": "ACC-58832-BL", "plan": "Starter", "seats": 5,
             "recent_tickets": json.loads(rec_json(r, per - 400, tick, fl))["items"]}
        return "lookup_customer", {"query": "Brightwater Dental Lab"}, json.dumps(d)
    if r.random() < 0.5:
        return "list_invoices", {"account": "brightwater", "year": "2026"}, rec_json(r, per, {
            "invoice": lambda q: f"INV-{q.randint(100000, 999999)}", "amount_usd": lambda q: round(q.uniform(90, 4000), 2),
            "status": ["paid", "paid", "overdue", "void"], "issued": lambda q: f"2026-{q.randint(1, 11):02d}-{q.randint(1, 28):02d}"}, fl, key="invoices")
    return "search_tickets", {"query": r.choice(["double charge", "refund", "seat change", "cancellation"])}, rec_json(r, per, tick, fl, key="tickets")


def _research_step(r, per, fl, role, k):
    topics = ["sleep duration", "screen time", "shift work", "caffeine intake", "physical activity", "noise exposure"]
    if role == "key":
        d = {"doi": "10.5555/jes.2024.0142", "title": "Night-shift work and HbA1c in hospital nurses: a cohort study",
             "sample_size": "n = 1,284 nurses across nine hospitals", "follow_up": "4.5 years",
             "abstract": " ".join(fl.clauses({"x": topics, "y": ["was associated with", "did not predict", "modestly increased", "was inversely related to"],
                                              "z": ["fasting glucose", "body mass index", "self-reported fatigue", "insulin resistance", "blood pressure"]},
                                             ["{x} {y} {z} after adjustment for age.", "In sensitivity analyses, {x} {y} {z}."], max(3, (per - 600) // 70)))}
        return "fetch_paper", {"doi": "10.5555/jes.2024.0142"}, json.dumps(d, ensure_ascii=False)
    if role == "stale":
        d = {"doi": "10.5555/occmed.2022.0877", "title": "Rotating shifts and glycaemic control: a cross-sectional survey",
             "sample_size": "n = 1,248 workers", "abstract": " ".join(fl.clauses(
                 {"x": topics, "y": ["correlated with", "was unrelated to", "slightly raised"], "z": ["HDL", "waist size", "sleep quality", "appetite"]},
                 ["{x} {y} {z} in the survey.", "Among older respondents, {x} {y} {z}."], max(3, (per - 400) // 60)))}
        return "fetch_paper", {"doi": "10.5555/occmed.2022.0877"}, json.dumps(d, ensure_ascii=False)
    return "search_literature", {"query": f"{r.choice(topics)} AND {r.choice(['diabetes', 'HbA1c', 'glucose', 'metabolic syndrome'])}"}, \
        rec_json(r, per, {"doi": lambda q: f"10.5555/{q.choice(['ajph', 'bmj', 'occmed', 'sleep'])}.{q.randint(2010, 2025)}.{q.randint(1000, 9999)}",
                          "year": lambda q: q.randint(2008, 2025), "journal": ["Sleep Health", "Occup Med", "Diabetologia", "BMJ Open", "Chronobiol Int"],
                          "citations": lambda q: q.randint(0, 800)}, fl, key="results")


def _ship_step(r, per, fl, role, k):
    ev = {"ts": lambda q: f"2026-11-{q.randint(1, 28):02d} {q.randint(0, 23):02d}:{q.randint(0, 59):02d}",
          "location": ["Leipzig hub", "Koblenz depot", "Venlo DC", "Lyon sorting", "Milano Linate", "Basel border"],
          "event": ["scanned", "departed", "arrived", "out for delivery", "held at customs", "label created"]}
    if role == "key":
        d = {"order": "PO-77120", "carrier": "DHL Freight", "tracking_number": "JVGL 0662 4481 0931", "pallets": 6,
             "eta": "2026-12-08", "events": json.loads(rec_json(r, per - 400, ev, fl))["items"]}
        return "get_shipment", {"order": "PO-77120"}, json.dumps(d)
    if role == "stale":
        d = {"order": "PO-77102", "carrier": "DHL Freight", "tracking_number": "JVGL 0662 4418 0931", "pallets": 2,
             "eta": "2026-12-03", "events": json.loads(rec_json(r, per - 400, ev, fl))["items"]}
        return "get_shipment", {"order": "PO-77102"}, json.dumps(d)
    if r.random() < 0.5:
        return "list_stock", {"warehouse": r.choice(["Venlo", "Lyon", "Basel"])}, rec_json(r, per, {
            "sku": lambda q: f"SK-{q.randint(10000, 99999)}", "on_hand": lambda q: q.randint(0, 4000),
            "bin": lambda q: f"{q.choice('ABCDEFG')}{q.randint(1, 40)}-{q.randint(1, 9)}"}, fl, key="stock")
    return "get_tracking_events", {"order": f"PO-{r.randint(70000, 79999)}"}, rec_json(r, per, ev, fl, key="events")


def _data_step(r, per, fl, role, k):
    if role == "key":
        d = {"query": "SELECT count(*) FROM orders WHERE created_at >= '2026-10-01' AND status = 'refunded'",
             "rows": [{"count": 18_457}], "elapsed_ms": 812, "plan": log_lines(r, per - 300, ["planner"], [
                 "Seq Scan on orders cost={n}", "Bitmap Index Scan on orders_status_idx rows={n}", "Filter removed {n} rows",
                 "Hash Join buckets={n}", "Sort Method quicksort Memory={n}kB"])}
        return "run_sql", {"sql": d["query"]}, json.dumps(d).replace("18457", "18457")
    if role == "stale":
        d = {"query": "SELECT count(*) FROM orders_archive WHERE status = 'refunded'", "rows": [{"count": 18_754}],
             "elapsed_ms": 2311, "sample": json.loads(rec_json(r, per - 400, {"id": lambda q: q.randint(10 ** 6, 10 ** 7),
                                                                               "status": ["refunded", "refunded", "partial"]}, fl))["items"]}
        return "run_sql", {"sql": d["query"]}, json.dumps(d)
    return "run_sql", {"sql": f"SELECT * FROM {r.choice(['orders', 'customers', 'payments', 'shipments'])} LIMIT {r.randint(50, 400)}"}, \
        rec_json(r, per, {"id": lambda q: q.randint(10 ** 6, 10 ** 7), "amount": lambda q: round(q.uniform(3, 900), 2),
                          "country": ["NL", "DE", "FR", "BE", "PL", "ES"], "channel": ["web", "app", "marketplace"],
                          "created_at": lambda q: f"2026-{q.randint(1, 11):02d}-{q.randint(1, 28):02d}"}, fl, key="rows")


AGENT_SPECS = [
    dict(request="The payments canary in prod-eu is throwing 502s. Investigate: check the deployment, logs, metrics and "
                 "code, and tell me what you find. Don't roll anything back yet.",
         step=_deploy_step, needed=["2.14.7-rc3"], stale=["2.14.6", "2.14.5-hotfix1"],
         summary="I've gone through the deployment, logs, metrics and the relevant code. The errors line up with pool "
                 "exhaustion under load on the canary pods; details above.",
         final="Before we do anything, what exact image tag was the canary running when you first looked at it?",
         tools=[tool_def("describe_deployment", "Describe a deployment", {"name": "deployment", "namespace": "namespace"}),
                tool_def("rollout_history", "Rollout history", {"name": "deployment", "namespace": "namespace"}),
                tool_def("get_logs", "Fetch logs", {"service": "service", "since": "window"}),
                tool_def("query_metrics", "PromQL query", {"query": "query"}),
                tool_def("search_code", "Search the code base", {"query": "text"})],
         notes="Deploy investigation; the canary image tag is in an early result, rollback tags come later."),
    dict(request="Book Luísa Ferreira on the earliest Porto to Funchal flight on 11 February, then look for a hotel in "
                 "Funchal and options for her sister's trip to the Azores after that.",
         step=_travel_step, needed=["K7WQ2D"], stale=["K7WQ2B"], summary=None,
         final="What's Luísa's booking reference? I need to send it to her.",
         tools=[tool_def("create_booking", "Create a booking", {"offer_id": "offer", "passenger": "name"}),
                tool_def("hold_fare", "Hold a fare", {"offer_id": "offer", "passenger": "name"}),
                tool_def("search_flights", "Search flights", {"origin": "IATA", "destination": "IATA", "date": "date"}),
                tool_def("search_hotels", "Search hotels", {"city": "city", "nights": "nights"})],
         notes="Travel agent loop; the booking reference is in an early result, a near-identical hold reference later; "
               "the final question follows the last tool result directly."),
    dict(request="Brightwater Dental says they were double charged in October. Find their account, look at invoices and "
                 "related tickets, and work out whether a refund is due.",
         step=_support_step, needed=["ACC-58823-BW"], stale=["ACC-58832-BL"],
         summary="From the invoices and tickets, October does show two charges for the same period, so a refund looks due.",
         final="Great. What's their account number for the refund form?",
         tools=[tool_def("lookup_customer", "Find a customer", {"query": "name"}),
                tool_def("list_invoices", "List invoices", {"account": "account", "year": "year"}),
                tool_def("search_tickets", "Search tickets", {"query": "text"})],
         notes="Support agent loop; the account number is in the first lookup, a similarly named customer later."),
    dict(request="I'm writing a review on night-shift work and glycaemic control. Search the literature, pull the key "
                 "papers and summarise what they found.",
         step=_research_step, needed=["n = 1,284"], stale=["n = 1,248"],
         summary="I've pulled the main cohort study and several surveys; the cohort is the strongest evidence.",
         final="For my methods table: how many participants did the nurse cohort study have?",
         tools=[tool_def("search_literature", "Search papers", {"query": "query"}),
                tool_def("fetch_paper", "Fetch a paper", {"doi": "doi"})],
         notes="Research agent loop; the sample size is in an early fetch; a survey with a transposed number comes later."),
    dict(request="Where are the pallets for order PO-77120? Also check stock levels in our three warehouses and any "
                 "delayed orders this week.",
         step=_ship_step, needed=["JVGL 0662 4481 0931"], stale=["JVGL 0662 4418 0931"], summary=None,
         final="Send me just the tracking number for PO-77120 so I can forward it to the customer.",
         tools=[tool_def("get_shipment", "Shipment details", {"order": "order"}),
                tool_def("list_stock", "Stock in a warehouse", {"warehouse": "warehouse"}),
                tool_def("get_tracking_events", "Tracking events", {"order": "order"})],
         notes="Logistics loop; tracking number early, a near-identical one for a sister order later."),
    dict(request="How many orders were refunded since 1 October? Then poke around the orders, payments and customers "
                 "tables to see if anything looks off.",
         step=_data_step, needed=["18457"], stale=["18754"],
         summary="I've run the refund count and sampled the main tables; nothing else looks obviously broken.",
         final="What was the refund count you got for October onwards? I'm putting it in the incident report.",
         tools=[tool_def("run_sql", "Run a read-only SQL query", {"sql": "SQL"})],
         notes="Data agent loop; the count is in the first query; the archive table gives a transposed count later."),
]


# ---- topic_return ----------------------------------------------------------------------------
TOPIC = [
    ([U("Car question first. The sticker inside the driver's door says 2.4 bar front and 2.2 bar rear for a full load. "
        "What does 'full load' mean there?"),
      A("It means the car carrying all seats plus luggage; for a lightly loaded car the lower figures on the sticker apply.")],
     "Going back to the very first thing I asked about, the car: what pressure should the front tyres be at when we're "
     "fully packed for the holiday?", ["2.4 bar front"], [], "First topic (tyre sticker), many topic changes, then back."),
    ([U("I'm planning the allotment layout. Plot 17 is mine; it's 9 m by 4.5 m and the water tap is at the north end."),
      A("That's a good size. Put the thirsty crops nearest the tap and perennials at the far end.")],
     "Back to my allotment from the start of our chat: how many square metres is it, so I can buy the right amount of "
     "mulch?", ["9 m by 4.5 m"], [], "Plot dimensions in the first topic; question needs them after many other topics."),
    ([U("First, the book club. We're reading 'The Salt Orchard' by Mirela Dancu for the meeting on the 19th, at Joanna's."),
      A("Nice choice. I can help with discussion questions closer to the time.")],
     "Okay, back to book club: can you write five discussion questions for the novel we're reading?",
     ["The Salt Orchard"], [], "The book is named once at the start; the question says 'the novel we're reading'."),
    ([U("For the neighbourhood newsletter: the autumn litter pick meets at the Ferncliffe Road bus shelter at 10:30 on "
        "Sunday, gloves provided."),
      A("Sounds good, I'll help word the notice whenever you're ready.")],
     "Right, the newsletter piece from earlier: write the two-line notice for the litter pick, with where and when.",
     ["Ferncliffe Road bus shelter"], [], "Event details given in the first topic, asked about at the end."),
    ([U("About my cat Pepper: she's on a renal diet and the vet said no more than 55 grams of the wet food a day."),
      A("That's a typical cap for kidney diets; splitting it into two or three small meals helps.")],
     "Circling back to Pepper: the new cat sitter wants to know how much of the wet food she's allowed per day. What do I tell her?",
     ["55 grams"], [], "Pet diet limit in the first topic, asked again at the end."),
    ([U("Work thing to start: our quarterly all-hands is booked in the Orion auditorium, which seats 140."),
      A("Good to know. With RSVPs we can see if you'll need an overflow room.")],
     "Back to the all-hands: 162 people have said yes. Will they all fit in the room we booked, and if not, by how many are we over?",
     ["seats 140"], [], "Room capacity in the first topic; the final question needs arithmetic on it."),
]


def b_topic(c: Ctx, i: int) -> dict:
    block, final, needed, stale, notes = TOPIC[i]
    return simple(c, "topic_return", [(0, block)], final, needed, stale, notes)


# ---- assistant_decision ----------------------------------------------------------------------
DECIDE = [
    (U("I need a VPS for the side project. Options: Hetzner CX32 at €6.80, DigitalOcean Basic 4GB at $24, or Linode "
       "Shared 4GB at $24. Pick one for me."),
     A("Go with the Hetzner CX32: same RAM as the others, a quarter of the price, and the Falkenstein region is fine "
       "for European users. We'll revisit only if latency becomes a problem."),
     "I'm about to enter my card details. Which plan did we land on?", ["Hetzner CX32"], ["DigitalOcean Basic 4GB"],
     "The assistant chose one option early; the question shares no words with it."),
    (U("For the reading group I can't decide between three venues: the upstairs room at the Crown and Anchor, the "
       "library's seminar room, or Café Marula's back room. You choose."),
     A("Let's go with the library's seminar room: it's free, quiet, and step-free, and the café can be a treat for the "
       "last session."),
     "The flyer is due tomorrow. Where are we meeting again?", ["seminar room"], ["Crown and Anchor"],
     "A venue decision in an assistant reply, asked about much later."),
    (U("Debt question. Credit card £2,300 at 24.9%, car finance £6,100 at 7.4%, student loan. Which do I attack first?"),
     A("We'll throw every spare pound at the credit card first, since 24.9% dwarfs the rest, and keep minimums on the "
       "car finance. The student loan you can ignore for now."),
     "Paycheck landed and I have £400 extra. Where does it go, per the plan we made?", ["credit card first"], [],
     "A plan decided by the assistant, then a question using different words."),
    (U("Choosing a colour palette for the bakery rebrand: A) sage and cream, B) terracotta and navy, C) mustard and charcoal."),
     A("Option B, terracotta and navy. It reads warm without looking twee, and navy type works on the paper bags."),
     "The printer needs to know the two brand colours. What were they?", ["terracotta and navy"], ["sage and cream"],
     "A lettered choice made by the assistant; the question asks for the colours."),
    (U("Which database for the inventory app: SQLite, Postgres, or MongoDB? It's one shop, two tills, one laptop in the back."),
     A("SQLite. With one writer machine and a few thousand rows it's the least to run, and backups are a file copy. "
       "We'll move to Postgres only if a second shop opens."),
     "The contractor is asking which database engine to install. What did we decide?", ["SQLite"], ["MongoDB"],
     "A technical choice made by the assistant early, asked about after many unrelated turns."),
    (U("Naming the new puppy. Shortlist: Juniper, Otis, Bramble, Pip."),
     A("My vote is Bramble: two syllables, easy to call across a park, and it doesn't sound like 'sit' or 'no'."),
     "The vet's form needs the dog's name. Which one did we settle on?", ["Bramble"], ["Juniper"],
     "A naming decision by the assistant, asked about later."),
]


def b_decide(c: Ctx, i: int) -> dict:
    u, a, final, needed, stale, notes = DECIDE[i]
    return simple(c, "assistant_decision", [(c.rng.uniform(0.05, 0.2), [u, a])], final, needed, stale, notes)


# ---- paraphrase_numbers ----------------------------------------------------------------------
PARA = [
    (U("I'm weighing a job change. My current compensation is one hundred and twelve thousand a year, plus a small bonus."),
     A("That's a solid base to negotiate from. Let's compare total packages rather than headline numbers."),
     "The recruiter asked what I earn now. What salary did I tell you I'm on?", ["one hundred and twelve thousand"], [],
     "A number in words; the question says 'salary', the fact says 'compensation'."),
    (U("The warehouse venue for the launch holds two hundred and forty people standing, fewer with tables."),
     A("That gives you room for a standing reception; tables would cut it by roughly a third."),
     "What's the standing capacity of the launch venue again?", ["two hundred and forty people standing"], [],
     "Capacity given as words and 'holds'; the question says 'capacity'."),
    (U("My GP, Dr Okonkwo at the Fairfield practice, wants me to try physio first."),
     A("Physio first is a sensible route; many back problems settle with it."),
     "The physio form asks for the name of my family doctor. Who is it?", ["Okonkwo"], [],
     "'GP' in the fact, 'family doctor' in the question."),
    (U("We found out the baby is due in the third week of October, so the nursery needs to be ready by early autumn."),
     A("That gives you a few months. Let's plan the painting first so it can air out."),
     "When's our due date, roughly? I'm filling in the parental leave form.", ["third week of October"], [],
     "A date stated vaguely in words; the question says 'due date'."),
    (U("The boiler was last looked at by Hearth & Flue Ltd in March; they were good."),
     A("Good to have a reliable firm. Annual servicing keeps the warranty valid."),
     "Which heating engineers did our last boiler check? I want to rebook them.", ["Hearth & Flue Ltd"], [],
     "'Looked at' vs 'boiler check'; the company name is the answer."),
    (U("My contract says I owe my employer a fortnight's notice, which feels short for my role."),
     A("Short notice periods are common in smaller firms; you can always offer more as a courtesy."),
     "How many days of notice do I legally have to give at work?", ["a fortnight's notice"], [],
     "'a fortnight' in the fact; the question asks in days."),
]


def b_para(c: Ctx, i: int) -> dict:
    u, a, final, needed, stale, notes = PARA[i]
    return simple(c, "paraphrase_numbers", [(c.rng.uniform(0.05, 0.25), [u, a])], final, needed, stale, notes)


# ---- multi_fact ------------------------------------------------------------------------------
MULTI = [
    ([[U("The hotel in Kyoto confirmed: check-in from 15:00, and they'll hold bags before that."),
       A("Handy, that means you can drop luggage and explore.")],
      [U("Flight update: we land at Kansai at 10:20 and the Haruka train is about 80 minutes to Kyoto."),
       A("That should get you into the city around midday.")]],
     "How long will we be hanging around before we can actually get into our room, counting the train ride?",
     ["15:00", "10:20"], [], "Check-in time early, arrival time mid-way; the answer combines both."),
    ([[U("For budgeting: my take-home is £2,960 a month after tax."), A("Okay, that's the figure we'll work from.")],
      [U("Rent and bills together are £1,410 per month."), A("So housing takes a bit under half.")],
      [U("And I want to put £350 into savings every month without fail."), A("That's a good habit; automate it.")]],
     "After housing and my savings target, how much is left each month for everything else?",
     ["£2,960", "£1,410", "£350"], [], "Three numbers in three separate turns, combined in the final question."),
    ([[U("Team update: we're five developers now that Ana joined."), A("Nice, a fuller team.")],
      [U("Our average velocity over the last six sprints is 34 points."), A("That's a fairly stable number.")],
      [U("The remaining backlog for the release is estimated at 187 points."), A("That's a sizeable chunk.")]],
     "Roughly how many two-week sprints until the release backlog is done at our current pace?",
     ["34 points", "187 points"], [], "Velocity and backlog stated far apart; team size is a distractor."),
    ([[U("For Saturday's dinner we're expecting 14 guests in total."), A("Lovely. A buffet might be easier for that many.")],
      [U("Quick note: 5 of them are vegan, and one of those is also gluten-free."), A("Got it, I'll factor that in.")]],
     "How many plant-based mains should I make, and how many other mains?", ["14 guests", "5 of them are vegan"], [],
     "Guest count and dietary split given separately."),
    ([[U("My son weighs 18 kg now, he just had his check-up."), A("That's a healthy weight for his age.")],
      [U("The pharmacist said the children's paracetamol dose is 15 mg per kg, no more than four doses a day."),
       A("That's the standard weight-based guidance.")]],
     "How many milligrams can I give him in one dose?", ["18 kg", "15 mg per kg"], [],
     "Weight and dose-per-kg from different turns."),
    ([[U("Our camper van has a 70-litre tank."), A("That's a decent range for touring.")],
      [U("On the motorway it does about 9.5 litres per 100 km."), A("Fairly economical for a van.")],
      [U("The drive from Bergen to Trondheim is about 690 km by our route."), A("A long but scenic drive.")]],
     "Can we make it to Trondheim on one tank, and with how much fuel to spare?",
     ["70-litre tank", "9.5 litres per 100 km", "690 km"], [], "Three facts from three turns combined."),
]


def b_multi(c: Ctx, i: int) -> dict:
    blocks, final, needed, stale, notes = MULTI[i]
    n = len(blocks)
    anchors = [(0.05 + 0.7 * k / max(1, n - 1) * c.rng.uniform(0.85, 1.0), b) for k, b in enumerate(blocks)]
    return simple(c, "multi_fact", anchors, final, needed, stale, notes, tail=3)


# ---- old_tool_result -------------------------------------------------------------------------
def b_oldtool(c: Ctx, i: int) -> dict:
    r = c.rng
    T = [
        dict(tool=tool_def("sha256_file", "SHA-256 of a release artifact", {"path": "path"}),
             ask="Can you compute the checksum for the release tarball?", args={"path": "dist/hearthstone-cli-3.2.0.tar.gz"},
             result=json.dumps({"path": "dist/hearthstone-cli-3.2.0.tar.gz", "sha256": "9f3c1a7be04d52e8c6a1f90b7d3e2c45a8b61f0e7d9c2b34a5e6f7081c2d3e4f", "bytes": 4418203}),
             reply="Done, the checksum is computed and the file size looks as expected for this release.",
             final="Paste me the exact SHA-256 for the 3.2.0 tarball so I can put it in the release notes.",
             needed=["9f3c1a7be04d52e8c6a1f90b7d3e2c45a8b61f0e7d9c2b34a5e6f7081c2d3e4f"], stale=[],
             notes="A hash returned by an early tool call, paraphrased by the assistant."),
        dict(tool=tool_def("get_balances", "Current account balances", {"customer": "customer id"}),
             ask="What are my balances looking like?", args={"customer": "me"},
             result=json.dumps({"accounts": [{"name": "Everyday", "balance": "1,204.18"}, {"name": "Rainy Day Saver", "balance": "6,830.55"},
                                             {"name": "Credit Card", "balance": "-412.09"}], "currency": "GBP"}),
             reply="All three accounts look healthy; the saver is doing most of the work.",
             final="How much exactly is in my savings account right now?", needed=["6,830.55"], stale=[],
             notes="Balances from an early tool result; 'savings' vs 'Rainy Day Saver'."),
        dict(tool=tool_def("get_lab_results", "Latest lab results", {"patient": "patient id"}),
             ask="Can you pull my latest blood test?", args={"patient": "self"},
             result=json.dumps({"date": "2026-10-02", "results": [{"test": "Potassium", "value": "5.8", "unit": "mmol/L", "flag": "H"},
                                                                  {"test": "Sodium", "value": "139", "unit": "mmol/L"},
                                                                  {"test": "Creatinine", "value": "88", "unit": "µmol/L"}]}),
             reply="Most results are in range; one electrolyte is flagged slightly high, worth mentioning to your doctor.",
             final="What was my potassium level on that test, and was it flagged?", needed=["5.8"], stale=[],
             notes="A lab value from an early tool call, only paraphrased in the reply."),
        dict(tool=tool_def("lookup_order", "Order status", {"order_id": "order"}),
             ask="Where's my standing desk order 88213?", args={"order_id": "88213"},
             result=json.dumps({"order_id": "88213", "carrier": "Parcelforce", "tracking": "PF-CJ4 092 881 7GB", "status": "in transit"}),
             reply="It's on its way with the courier and should arrive this week.",
             final="What's the tracking code for the desk? The courier site wants it.", needed=["PF-CJ4 092 881 7GB"], stale=[],
             notes="A tracking code from an early tool result."),
        dict(tool=tool_def("fx_rate", "Exchange rate", {"base": "ISO code", "quote": "ISO code"}),
             ask="What's the euro to Czech koruna rate today? I'm budgeting the Prague trip.", args={"base": "EUR", "quote": "CZK"},
             result=json.dumps({"base": "EUR", "quote": "CZK", "rate": 25.137, "as_of": "2026-12-03T09:00:00Z"}),
             reply="The rate is roughly in line with the last few months, so budgeting with it is reasonable.",
             final="Using the rate you looked up earlier, how many koruna is €450?", needed=["25.137"], stale=[],
             notes="An exchange rate from an early tool call; the reply didn't restate it."),
        dict(tool=tool_def("count_rows", "Count rows in a table", {"table": "table"}),
             ask="How many rows are in the subscribers table right now?", args={"table": "subscribers"},
             result=json.dumps({"table": "subscribers", "rows": 240117, "sampled_at": "2026-12-03T07:45:00Z"}),
             reply="Got the count; it's in line with the growth we expected.",
             final="What was the exact subscriber row count you got? I want to compare after the migration.", needed=["240117"], stale=[],
             notes="A row count from an early tool call, needed exactly later."),
    ][i]
    block = [U(T["ask"])] + calls(r, [(T["tool"]["function"]["name"], T["args"], T["result"])]) + [A(T["reply"])]
    return simple(c, "old_tool_result", [(r.uniform(0.05, 0.2), block)], T["final"], T["needed"], T["stale"], T["notes"],
                  tools=[T["tool"]])


KINDS = [("early_constraint", b_early, len(EARLY)), ("correction", b_corr, len(CORR)), ("doc_versions", b_docv, len(DOCV)),
         ("deep_clause", b_deep, len(DEEP)), ("table_cell", b_table, len(TABLES)), ("agent_loop", b_agent, len(AGENT_SPECS)),
         ("topic_return", b_topic, len(TOPIC)), ("assistant_decision", b_decide, len(DECIDE)),
         ("paraphrase_numbers", b_para, len(PARA)), ("multi_fact", b_multi, len(MULTI)),
         ("old_tool_result", b_oldtool, 6)]


def build() -> list[dict]:
    uniq = Uniq()
    out = []
    for kind, fn, n in KINDS:
        for i in range(n):
            cid = f"{kind}-{i + 1:02d}"
            c = Ctx(cid, i, uniq)
            cs = fn(c, i)
            out.append({"id": cid} | cs)
    return out


# --------------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------------
def text_of(m: dict) -> str:
    parts = [m["content"] if isinstance(m.get("content"), str) else ""]
    parts += [tc["function"]["arguments"] for tc in m.get("tool_calls") or []]
    return "\n".join(parts)


def verify(cases: list[dict]) -> list[str]:
    errs: list[str] = []
    ids = [c["id"] for c in cases]
    if len(set(ids)) != len(ids):
        errs.append("duplicate ids")
    kinds = {c["kind"] for c in cases}
    if len(cases) < 60 or len(kinds) < 10:
        errs.append(f"only {len(cases)} cases / {len(kinds)} kinds")
    for c in cases:
        e = lambda s: errs.append(f"{c['id']}: {s}")  # noqa: E731
        if not c["id"].startswith(c["kind"] + "-"):
            e("id does not start with kind")
        ms = c["messages"]
        if ms[0]["role"] != "system" or any(m["role"] == "system" for m in ms[1:]):
            e("system message must be first and only")
        if ms[-1]["role"] != "user" or not isinstance(ms[-1]["content"], str) or not ms[-1]["content"].strip():
            e("last message must be a non-empty user string")
        declared = {t["function"]["name"] for t in c.get("tools") or []}
        open_ids: set[str] = set()
        seen_ids: set[str] = set()
        n_calls = 0
        prev = None
        for m in ms:
            role = m["role"]
            if role == "tool":
                if m.get("tool_call_id") not in open_ids:
                    e("orphan tool message")
                open_ids.discard(m.get("tool_call_id"))
                if not isinstance(m.get("content"), str) or not m["content"]:
                    e("tool content must be a non-empty string")
            else:
                if open_ids:
                    e("tool call left unanswered")
                    open_ids = set()
                if role == prev and role in ("user", "assistant"):
                    e(f"two consecutive {role} messages")
                if m.get("tool_calls"):
                    if m.get("content") is not None:
                        e("assistant with tool_calls must have content null")
                    for tc in m["tool_calls"]:
                        n_calls += 1
                        if tc["id"] in seen_ids:
                            e("duplicate tool call id")
                        seen_ids.add(tc["id"])
                        open_ids.add(tc["id"])
                        if tc["function"]["name"] not in declared:
                            e(f"undeclared function {tc['function']['name']}")
                        try:
                            if not isinstance(json.loads(tc["function"]["arguments"]), dict):
                                e("arguments not an object")
                        except ValueError:
                            e("arguments not JSON")
                elif role != "system" and not (isinstance(m.get("content"), str) and m["content"].strip()):
                    e(f"empty {role} message")
            prev = role
        if open_ids:
            e("tool call left unanswered at the end")
        if bool(n_calls) != bool(c.get("tools")):
            e("tools must be present exactly when tool calls are")
        body = [text_of(m) for m in ms[1:-1]]
        joined = "\n\x00\n".join(body)
        final, system = ms[-1]["content"], ms[0]["content"]
        if not c["needed"]:
            e("no needed strings")
        for s in c["needed"]:
            k = joined.count(s)
            if not 1 <= k <= 4:
                e(f"needed {s!r} occurs {k} times")
            if s in final or s in system:
                e(f"needed {s!r} in final question or system prompt")
        for s in c["forbidden_stale"]:
            if s not in joined:
                e(f"forbidden {s!r} absent")
            if s in final or s in system:
                e(f"forbidden {s!r} in final question or system prompt")
            if any(s in n or n in s for n in c["needed"]):
                e(f"forbidden {s!r} overlaps a needed string")
        t = est_tokens(ms)
        if not MIN_TOKENS <= t <= MAX_TOKENS:
            e(f"size {t} outside {MIN_TOKENS}-{MAX_TOKENS}")
        if c["kind"] == "agent_loop":
            last_user = max(j for j, m in enumerate(ms[:-1]) if m["role"] == "user")
            k = sum(len(m.get("tool_calls") or []) for m in ms[last_user:])
            if not 10 <= k <= 20:
                e(f"agent loop has {k} tool calls after the request")
        if not c.get("notes"):
            e("notes missing")
    return errs


def render(cases: list[dict]) -> bytes:
    return "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases).encode()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="rebuild in memory and compare with cases.jsonl")
    ap.add_argument("--stats", action="store_true", help="print per-case sizes")
    args = ap.parse_args()
    cases = build()
    errs = verify(cases)
    if errs:
        print("\n".join(errs), file=sys.stderr)
        return 1
    data = render(cases)
    if args.stats:
        for c in cases:
            print(c["id"], est_tokens(c["messages"]), len(c["messages"]))
    if args.check:
        if not OUT.exists() or OUT.read_bytes() != data:
            print(f"{OUT} differs from a fresh build", file=sys.stderr)
            return 1
        print(f"ok: {OUT.name} matches a fresh build ({len(cases)} cases)")
        return 0
    OUT.write_bytes(data)
    sizes = [est_tokens(c["messages"]) for c in cases]
    print(f"wrote {len(cases)} cases to {OUT} ({min(sizes)}-{max(sizes)} estimated tokens), all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
