"""Build the heldout11 blind evaluation set for context pruning (writes cases.jsonl here).

    python bench/prune_eval_heldout11/build.py            # writes cases.jsonl
    python bench/prune_eval_heldout11/build.py --stats    # and prints a per-case size table

Standard library only and deterministic: every case is seeded from
random.Random(zlib.crc32(b"<kind>:<n>")). 12 kinds x 6 sizes (nn = 00..05, about 11k, 16.5k,
22k, 28.5k, 35k and 42k tokens, estimated as chars/4 over message contents plus tool-call
names and arguments). Each case hides 1-3 `needed` strings in older messages and plants 1-4
`forbidden_stale` strings (superseded values or look-alikes) elsewhere. The build fails if a
protected string leaks into filler, into the final question, or into any message other than
the ones written to carry it.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import zlib
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
OUT = HERE / "cases.jsonl"
TARGETS = [11000, 16500, 22000, 28500, 35000, 42000]
SUFFIX = "h11"

# --------------------------------------------------------------------------- helpers

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def msg_text(m: dict[str, Any]) -> str:
    parts = [m.get("content") or ""]
    for c in m.get("tool_calls") or []:
        parts.append(c["function"]["name"])
        parts.append(c["function"]["arguments"])
    return "\n".join(parts)


def est_tokens(m: dict[str, Any]) -> int:
    return len(msg_text(m)) // 4


def base_slots(rng: random.Random, people: list[str]) -> dict[str, Any]:
    a, b = rng.sample(people, 2)
    return {
        "name": a, "name2": b,
        "n1": rng.randint(2, 9), "n2": rng.randint(11, 98), "n3": rng.randint(101, 989),
        "n4": rng.randint(1100, 9800), "dec": f"{rng.uniform(0.1, 9.9):.2f}",
        "pct": rng.randint(3, 47), "day": rng.choice(WEEKDAYS),
        "date": f"{rng.choice(MONTHS)} {rng.randint(1, 28)}",
        "time": f"{rng.randint(7, 19):02d}:{rng.choice(['00', '10', '15', '20', '30', '40', '45', '50'])}",
        "money": f"${rng.randint(120, 9800):,}",
    }


class Kind:
    """One case family: filler generators, planted messages, question, protected strings."""

    name = ""
    tools: list[dict[str, Any]] | None = None
    people: list[str] = []
    user_t: list[str] = []
    asst_t: list[str] = []
    system = ""
    question = ""
    needed: list[str] = []
    forbidden: list[str] = []
    description = ""

    def __init__(self) -> None:
        self.call_n = 0

    # slots ------------------------------------------------------------------
    def extra_slots(self, rng: random.Random) -> dict[str, Any]:
        return {}

    def slots(self, rng: random.Random) -> dict[str, Any]:
        d = base_slots(rng, self.people)
        d.update(self.extra_slots(rng))
        return d

    def render(self, rng: random.Random, template: str, fixed: dict[str, Any] | None = None) -> str:
        """Fill a template; a placeholder used twice gets a fresh value the second time."""
        seen: dict[str, int] = {}
        pools: list[dict[str, Any]] = []

        def sub(m: re.Match[str]) -> str:
            key = m.group(1)
            i = seen.get(key, 0)
            seen[key] = i + 1
            if fixed and key in fixed:
                return str(fixed[key])
            while len(pools) <= i:
                pools.append(self.slots(rng))
            return str(pools[i][key])

        out = re.sub(r"\{(\w+)\}", sub, template)
        return out[0].upper() + out[1:]

    def fill(self, rng: random.Random, templates: list[str], lo: int, hi: int) -> str:
        k = min(len(templates), rng.randint(lo, hi))
        return " ".join(self.render(rng, t) for t in rng.sample(templates, k))

    # tool calls ---------------------------------------------------------------
    def call(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        self.call_n += 1
        return {"id": f"call_{self.name[:6]}_{self.call_n:04d}", "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)}}

    def loop(self, calls: list[dict[str, Any]], results: list[str]) -> list[dict[str, Any]]:
        assert len(calls) == len(results)
        out: list[dict[str, Any]] = [{"role": "assistant", "content": None, "tool_calls": calls}]
        for c, r in zip(calls, results):
            out.append({"role": "tool", "tool_call_id": c["id"], "content": r})
        return out

    # filler --------------------------------------------------------------------
    def filler_turn(self, rng: random.Random) -> list[dict[str, Any]]:
        return [{"role": "user", "content": self.fill(rng, self.user_t, 2, 5)},
                {"role": "assistant", "content": self.fill(rng, self.asst_t, 3, 7)}]

    # plants: list of (fraction, [(message, [carried strings])]) -------------------
    def plants(self, rng: random.Random) -> list[tuple[float, list[tuple[dict[str, Any], list[str]]]]]:
        raise NotImplementedError


def U(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def A(text: str) -> dict[str, Any]:
    return {"role": "assistant", "content": text}


def fn_tool(name: str, desc: str, props: dict[str, str], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "function", "function": {
        "name": name, "description": desc,
        "parameters": {"type": "object",
                       "properties": {k: {"type": v} for k, v in props.items()},
                       "required": required if required is not None else list(props)}}}


# --------------------------------------------------------------------------- kinds


class WeddingHeadcount(Kind):
    name = "wedding_headcount"
    description = ("value changes twice: the guest count for the caterer goes 142 -> 135 -> 128 "
                   "(final, mid-conversation); a later passing anecdote gives a look-alike count")
    people = ["Maya", "Tobias", "Aunt Greta", "Priyanka", "Colm", "Ines", "the florist Ruth",
              "Jonah from Ember & Oak", "Delphine", "Uncle Ravi", "Sofia", "the DJ Marcus"]
    system = ("You are a wedding-planning assistant helping a couple (Maya and Tobias) coordinate "
              "vendors, budget, seating and the timeline for a September reception at Larchfield Barn. "
              "Be practical and keep track of numbers the couple gives you.")
    needed = ["128 guests"]
    forbidden = ["142 guests", "135 guests", "131 guests"]
    question = ("Jonah at Ember & Oak wants the number today so he can order. What final headcount "
                "are we giving the caterer?")
    user_t = [
        "{name} asked whether the ceremony can start at {time} instead; the light is better then.",
        "The florist quoted {money} for the arch plus {n2} table centerpieces, which feels steep.",
        "Can we fit {n1} more chairs at table {n1}? {name} wants to sit with the college crowd.",
        "The shuttle company says two runs of {n2} seats each, pickup at {time} from the Ashby Hotel.",
        "{name2} still hasn't sent the playlist; the DJ needs it by {date}.",
        "We put down a {money} deposit for the marquee, balance due {pct} days before.",
        "Is {money} reasonable for the cake? It's three tiers, lemon and elderflower.",
        "The venue coordinator wants the final floor plan by {day}; they allow {n2} round tables max.",
        "{name} is allergic to tree nuts, so we need a note on the dessert table.",
        "I found a photographer package at {money} for {n1} hours; the other one was {money}.",
        "The bar tab estimate came back at {money} for a {n1}-hour open bar.",
        "Should the welcome drinks be on the lawn at {time} or inside by the fireplace?",
        "My mum wants {n1} people from her book club at the ceremony only, not the dinner.",
        "The hair and makeup team needs the bridal suite from {time}; there are {n1} of us.",
        "Parking: the field holds about {n2} cars, overflow goes to the church lot.",
    ]
    asst_t = [
        "For the timeline, a {time} ceremony puts the golden-hour photos about {n2} minutes after the drinks start.",
        "A {money} quote for florals sits inside the {pct}% slice we set for flowers.",
        "Table {n1} currently has {n1} seats; adding two means shrinking the aisle by about {n2} cm.",
        "I'd ask the shuttle firm to hold a third run at {time} for late leavers.",
        "I've added a reminder for {date} to chase {name2} about the playlist.",
        "Keep the marquee balance in the budget sheet under 'structures', due {pct} days out.",
        "Three tiers at that price is roughly in line; most bakers here charge per slice.",
        "With {n2} rounds of 8 to 10, the dance floor stays at about {n2} square metres.",
        "I'll flag the nut allergy to the caterer and the baker and mark {name}'s place card.",
        "Between the two photographers, the {n1}-hour package covers the speeches and first dance.",
        "An open bar of that length usually runs {pct}% above the estimate once mixers are added.",
        "If rain is forecast, the fireplace room holds the welcome drinks comfortably.",
        "Ceremony-only guests can leave at the drinks break; I'll print a separate card for them.",
        "Hair and makeup for {n1} people needs about {n1} hours; start at {time} to be safe.",
        "The church lot is a {n1}-minute walk; we could put {name2} on parking duty.",
        "The running total is now {money} committed against the overall budget.",
    ]

    def plants(self, rng):
        return [
            (0.05, [(U("Quick update from the RSVP spreadsheet: we're at 142 guests confirmed so far, "
                       "and the caterer's per-head price is locked until August. Also the venue said "
                       "the barn doors can stay open until 23:30."), ["142 guests"]),
                    (A("Noted. I'll use that count for the provisional catering order and check the "
                       "per-head price against the contract."), [])]),
            (0.17, [(U("Two families from Tobias's side can't make it after all, so we're down to "
                       "135 guests. Separately, the string trio wants their set list approved."),
                     ["135 guests"]),
                    (A("Got it, I've updated the provisional number and will send the trio's list "
                       "back with your notes."), [])]),
            (0.33, [(U("The RSVP deadline passed last night. After chasing the stragglers it's "
                       "128 guests, and that's final - that's the number Ember & Oak gets. Can you "
                       "also remind me what we said about the late-night pizza van?"), ["128 guests"]),
                    (A("Locked in as the final catering number. On the pizza van: we said it arrives "
                       "at 21:45 and serves for about an hour."), [])]),
            (0.74, [(U("Funny aside, my cousin's wedding last year had 131 guests and they still ran "
                       "out of bread rolls. Anyway, back to the seating chart."), ["131 guests"]),
                    (A("Bread rolls are cheap insurance; I'll suggest the caterer adds a basket per "
                       "table. Back to the seating chart."), [])]),
        ]


class PayrollRate(Kind):
    name = "payroll_rate_change"
    description = ("value changes: Dana Ruiz's hourly rate $31.75 -> proposed $32.90 (rejected) -> "
                   "approved $33.40; a later look-alike employee Dana Reyes at $34.10")
    people = ["Dana Reyes", "Marcus Obi", "Hye-jin Park", "Tom Castellanos", "Leila Haddad",
              "Ben Whitaker", "Rosa Lindqvist", "Owen Achebe", "Farah Siddiqui", "Greg Mott"]
    system = ("You are a payroll operations assistant for a 60-person logistics company. You help "
              "the payroll administrator prepare each bi-weekly cycle: rates, overtime, PTO, "
              "deductions and the timesheet import file.")
    needed = ["$33.40/hr"]
    forbidden = ["$31.75/hr", "$32.90/hr", "$34.10/hr"]
    question = ("I'm building the timesheet import for this cycle. What hourly rate do I enter for "
                "Ruiz in the warehouse team?")

    def extra_slots(self, rng):
        return {"rate": f"${rng.randint(18, 46)}.{rng.choice(['00', '15', '25', '50', '60', '75', '85'])}/hr",
                "hrs": f"{rng.randint(30, 52)}.{rng.choice(['0', '25', '5', '75'])}"}

    user_t = [
        "{name} logged {hrs} hours last week; is the overtime at 1.5x over 40?",
        "{name}'s base is {rate}; the shift differential for nights is another $2.10.",
        "Can you check {name2}'s PTO balance? The portal shows {n2} hours but she says {n2}.",
        "The 401k match changed to {pct}% for anyone past their first year.",
        "{name} wants to split direct deposit: {money} to savings, the rest to checking.",
        "We have {n1} new hires starting {date}; their onboarding rate is {rate} for 90 days.",
        "The garnishment order for {name2} came in, {pct}% of disposable pay.",
        "Did the state unemployment rate change this quarter? Last year it was {dec}%.",
        "{name} worked the holiday on {date}, so that's double time for {n1} hours.",
        "Finance wants the cycle total before {day}; last cycle was {money} gross.",
        "{name2} moved from forklift to dispatch; dispatch pays {rate}.",
        "The benefits deduction for family coverage went up to {money} per month.",
        "I need a report of everyone over {hrs} hours for the last {n1} cycles.",
    ]
    asst_t = [
        "Overtime: {hrs} hours means the hours above 40 are paid at 1.5x the base.",
        "With the night differential, {name}'s effective rate on those shifts is above {rate}.",
        "The PTO ledger for {name2} shows {n2} accrued and {n1} used since {date}.",
        "I'll update the match formula to {pct}% and flag the employees who cross one year this cycle.",
        "Split deposits need the new account verified first; it takes {n1} business days.",
        "For the {n1} new hires I'll create records with the 90-day rate and a review date.",
        "The garnishment caps at {pct}% of disposable earnings, so I'll compute after taxes.",
        "The SUI rate notice for this year lists {dec}%; I'll apply it from the first cycle of the quarter.",
        "Holiday double time for {n1} hours goes in as a separate earnings code.",
        "Gross for the cycle is trending toward {money}, about {pct}% above the last one.",
        "When {name2}'s department changes, I'll end-date the old rate on the effective date.",
        "The family coverage deduction will be split evenly across the two cycles each month.",
        "The report filter for more than {hrs} hours pulls {n2} rows across {n1} cycles.",
        "Remember the cutoff for changes is {day} at {time} for this cycle.",
    ]

    def plants(self, rng):
        return [
            (0.06, [(U("Starting the cycle. For reference, Dana Ruiz in the warehouse team is on "
                       "$31.75/hr right now, same as the last two cycles, and she's due for a review."),
                     ["$31.75/hr"]),
                    (A("Noted her current rate. I'll add the review to the open items."), [])]),
            (0.18, [(U("Her manager proposed bumping Ruiz to $32.90/hr, but HR hasn't approved it yet."),
                     ["$32.90/hr"]),
                    (A("I'll keep the current rate in the file until the approval comes through."), [])]),
            (0.34, [(U("HR came back on Ruiz: they turned down the manager's number and approved "
                       "$33.40/hr instead, effective this cycle, because of the forklift certification. "
                       "Also Marcus Obi's address changed."), ["$33.40/hr"]),
                    (A("Understood: the approved figure replaces the proposal, effective this cycle. "
                       "I'll update Marcus's address too."), [])]),
            (0.72, [(U("Different Dana - Dana Reyes in dispatch is at $34.10/hr, and she asked why her "
                       "stub shows fewer hours."), ["$34.10/hr"]),
                    (A("I'll pull Dana Reyes's punches for the cycle and compare them with the stub."), [])]),
        ]


class BioreactorProtocol(Kind):
    name = "bioreactor_protocol"
    description = ("value changes: the K4 strain's induction temperature (37.0 -> 18.5 C) and IPTG "
                   "(0.4 -> 0.1 mM) are revised in two separate mid-conversation messages; a later "
                   "message gives the K2 strain's look-alike settings")
    people = ["Priya", "Jonas", "Mei", "Dr. Abara", "Lukas", "Sanne", "Ruben", "Amara", "the core facility",
              "Kenji"]
    system = ("You are a lab assistant for a protein-expression group. You help plan E. coli "
              "expression runs in 2 L shake flasks and a 5 L bioreactor (strains K1-K6, pET vectors), "
              "track protocol changes and write bench checklists.")
    needed = ["18.5 °C", "0.1 mM IPTG"]
    forbidden = ["37.0 °C", "0.4 mM IPTG", "0.5 mM IPTG", "20.0 °C"]
    question = ("I'm setting up tonight's K4 induction on my own. What temperature and what inducer "
                "concentration should I use?")

    def extra_slots(self, rng):
        return {"temp": f"{rng.randint(22, 41)}.{rng.randint(0, 9)} °C",
                "od": f"{rng.uniform(0.4, 2.8):.2f}", "rpm": rng.choice([150, 180, 200, 220, 250]),
                "strain": rng.choice(["K1", "K2", "K3", "K5", "K6"]),
                "mm": f"{rng.choice([2, 5, 10, 20, 50, 100, 150, 300])} mM"}

    user_t = [
        "The {strain} overnight culture hit OD600 {od} by {time}, a bit faster than last time.",
        "{name} says the 5 L vessel's pH probe drifted; it read 0.{n1} units off after {n2} hours.",
        "Do we still lyse in {mm} Tris with {mm} NaCl, or did {name2} change the buffer?",
        "The shaker in room {n3} is stuck at {rpm} rpm; can we live with that for {strain}?",
        "Kanamycin stock is at 50 mg/mL; we're using it at 50 µg/mL in {n2} flasks.",
        "The SDS-PAGE from {day} showed a band near {n2} kDa in the insoluble fraction for {strain}.",
        "Autoclave slot is booked for {time}; we need {n1} flasks of TB media.",
        "{name} wants to try auto-induction media for {strain} next week.",
        "The incubator log says it sat at {temp} overnight - was that intentional?",
        "Harvest spin: {n4} x g for {n2} minutes at 4 °C, right?",
        "We're low on glycerol; {name2} ordered {n1} litres, arriving {date}.",
        "Can you convert {n2} g of wet pellet into an expected yield for the Ni-NTA run?",
    ]
    asst_t = [
        "At OD600 {od}, {strain} is still in log phase; inducing around 0.6-0.8 keeps it consistent.",
        "A drift of 0.{n1} pH units after {n2} hours suggests recalibrating the probe before the next batch.",
        "The lysis buffer in the current sheet is {mm} Tris pH 8.0 with {mm} NaCl and 1 mM DTT.",
        "At {rpm} rpm the oxygen transfer is lower, so I'd fill flasks to 20% of volume at most.",
        "Kanamycin at 50 µg/mL from a 50 mg/mL stock is a 1:1000 dilution, so {n2} µL per {n2} mL of culture.",
        "A band near {n2} kDa in the pellet points to inclusion bodies for {strain}.",
        "For {n1} flasks of TB you need about {n1} litres total including the phosphate salts.",
        "Auto-induction for {strain} usually needs {n2} hours; plan the harvest accordingly.",
        "An overnight at {temp} will change yields; I'll note it against that run in the log.",
        "Harvest at {n4} x g for {n2} minutes is in the checklist, then freeze pellets at -80 °C.",
        "I'll add the glycerol delivery on {date} to the consumables tracker.",
        "From {n2} g of wet cells, Ni-NTA typically gives a few milligrams of soluble protein per gram for this family.",
        "I'll keep the run sheet for {strain} separate so the numbers don't get mixed up.",
    ]

    def plants(self, rng):
        return [
            (0.06, [(U("Here's the current protocol v3 for K4 as written in the binder: grow in TB at "
                       "37 °C, induce at 37.0 °C with 0.4 mM IPTG when OD600 reaches 0.7, express "
                       "4 hours."), ["37.0 °C", "0.4 mM IPTG"]),
                    (A("Got it, I've put protocol v3 into the K4 run sheet."), [])]),
            (0.27, [(U("After the inclusion-body mess on the last K4 batch, Priya decided K4 is "
                       "induced at 18.5 °C from now on, overnight, instead of the warm four-hour "
                       "expression. She'll update the binder later."), ["18.5 °C"]),
                    (A("Updated the K4 sheet: cold overnight induction replaces the warm one."), [])]),
            (0.36, [(U("One more K4 change from Priya: drop the inducer to 0.1 mM IPTG, the higher "
                       "dose was part of the solubility problem."), ["0.1 mM IPTG"]),
                    (A("Changed the K4 inducer concentration in the sheet; the v3 dose is retired."), [])]),
            (0.71, [(U("For K2 nothing changes, Jonas confirmed: K2 stays at 20.0 °C with "
                       "0.5 mM IPTG."), ["20.0 °C", "0.5 mM IPTG"]),
                    (A("K2's sheet stays as it is."), [])]),
        ]


class GrantBudget(Kind):
    name = "grant_budget_revision"
    description = ("value changes twice: the personnel line goes $212,400 (draft) -> $198,750 "
                   "(cut) -> $205,300 (PI sign-off, mid-conversation); a later equipment line is "
                   "a look-alike figure")
    people = ["Dr. Halvorsen", "Nadia", "the sponsored-programs office", "Ewan", "Dr. Okonkwo",
              "Lucía", "the department chair", "Ivo", "Tamsin", "the co-PI at Bristol"]
    system = ("You are helping a research administrator assemble a three-year grant proposal "
              "budget (personnel, fringe, equipment, travel, participant support, indirects) and "
              "the budget justification.")
    needed = ["$205,300"]
    forbidden = ["$212,400", "$198,750", "$250,300"]
    question = ("For the justification paragraph on salaries: what personnel total did the PI "
                "finally sign off on?")
    user_t = [
        "Fringe for postdocs is {pct}% this year, up from last year's rate.",
        "Travel: {n1} conference trips at about {money} each, plus one field visit.",
        "{name} wants {n1} months of summer salary in year 2 instead of year 1.",
        "The indirect rate is {pct}% on modified total direct costs, per the negotiated agreement.",
        "Participant support is {money} for the summer school; that's excluded from indirects.",
        "Can we move {money} from materials to publication costs?",
        "{name2} needs the biosketches in the new format by {date}.",
        "The subaward to the co-PI at Bristol is {money} in year 1; only the first $25k gets indirects.",
        "Graduate tuition remission is {money} per student per year.",
        "The sponsor caps the budget at {money} per year in direct costs.",
        "Escalation: do we apply {n1}% per year to salaries?",
        "The data-management plan mentions {n1} TB of storage; is that costed anywhere?",
    ]
    asst_t = [
        "At {pct}% fringe, each postdoc year adds about {money} on top of salary.",
        "{n1} trips at {money} plus the field visit fits the travel line with some slack.",
        "Shifting summer salary to year 2 moves about {money} between years but not the total.",
        "With a {pct}% rate on MTDC, remember to exclude tuition, equipment and participant support.",
        "Participant support stays outside the indirect base, so {money} has no overhead.",
        "Moving {money} to publications is fine as long as the justification explains it.",
        "I'll remind {name2} about the biosketch format ahead of {date}.",
        "The subaward's indirects apply only to the first $25,000, so year 2 onward is excluded.",
        "Tuition remission at {money} per student belongs in 'other direct costs'.",
        "Against a cap of {money} per year, year {n1} is currently the tightest.",
        "A {n1}% annual escalation is standard here; I'll apply it from year 2.",
        "Storage for {n1} TB at the campus rate would be about {money} a year if we cost it.",
        "I'll keep the budget table and the justification in sync as the lines move.",
    ]

    def plants(self, rng):
        return [
            (0.07, [(U("First draft from Nadia's spreadsheet: personnel comes to $212,400 over the "
                       "three years, with two postdocs at full time."), ["$212,400"]),
                    (A("Entered as the draft personnel figure."), [])]),
            (0.20, [(U("We have to trim: the second postdoc drops to 50%, which brings personnel to "
                       "$198,750. Dr. Halvorsen hasn't looked yet."), ["$198,750"]),
                    (A("Revised the personnel line with the half-time postdoc, pending the PI."), [])]),
            (0.35, [(U("Dr. Halvorsen reviewed it and put part of the second postdoc back for year 3. "
                       "She signed off on personnel at $205,300, so that's what goes in the final. "
                       "Also, the chair wants a copy."), ["$205,300"]),
                    (A("Updated: the PI-approved personnel figure is now the final one. I'll send "
                       "the chair a copy."), [])]),
            (0.73, [(U("Equipment quote for the confocal upgrade came in at $250,300 all-in, which "
                       "busts the year-1 cap if we're not careful."), ["$250,300"]),
                    (A("That's a big line; we may need to split the purchase or seek cost-share."), [])]),
        ]


class TileRenovation(Kind):
    name = "tile_renovation"
    description = ("indirect reference: the floor tile 'we settled on' is agreed in passing early "
                   "(SKU in a user message), the floor area is re-measured once (38.9 -> 41.6 m2); "
                   "later a draft quote and a bathroom choice carry look-alike SKUs")
    people = ["Stefan the tiler", "Anouk", "the supplier Cotto Veneziano", "Bram", "the plumber Hugo",
              "Lieke", "the electrician", "Joost", "my partner", "the kitchen fitter"]
    system = ("You are a renovation planning assistant helping a homeowner coordinate a kitchen, "
              "hallway and bathroom renovation: materials, quantities, trades and the schedule.")
    needed = ["CV-6060-M-ASH", "41.6 m²"]
    forbidden = ["CV-6060-G-ASH", "CV-6060-M-SND", "38.9 m²"]
    question = ("Put together the order line for the floor tile we settled on: the product code "
                "and how many boxes at 12% overage, 1.44 m² per box.")

    def extra_slots(self, rng):
        return {"area": f"{rng.randint(3, 29)}.{rng.randint(0, 9)} m²",
                "sku": f"{rng.choice(['MR', 'PT', 'VL', 'KB', 'SE'])}-{rng.randint(20, 99)}{rng.randint(10, 99)}-"
                       f"{rng.choice(['W', 'M', 'L'])}{rng.randint(1, 9)}",
                "mm": f"{rng.choice([3, 5, 8, 10, 12, 15])} mm"}

    user_t = [
        "{name} says the subfloor in the hallway needs levelling compound, about {n2} bags.",
        "The bathroom wall is {area}; we were thinking of a {mm} grout joint there.",
        "Grout colour: anthracite or the light grey {sku}?",
        "{name2} can start the plumbing rough-in on {day}, before the tiling.",
        "The kitchen fitter needs the floor done by {date} so the cabinets go in on time.",
        "Underfloor heating mats come in {area} rolls; quote was {money}.",
        "Do we need a {mm} decoupling membrane under the porcelain?",
        "The skirting in the hallway is {n2} metres; we could tile it or use oak.",
        "The supplier's showroom closes at {time} on {day}s.",
        "{name} quoted {money} labour for the bathroom, {money} for the kitchen floor.",
        "The extractor fan needs a {mm} core hole through the outside wall.",
        "What adhesive for large-format tiles - the {sku} flexible one?",
        "Skip hire is {money} for {n1} days; the old tiles need to go.",
    ]
    asst_t = [
        "Levelling {n2} bags at about {mm} depth covers roughly the hallway strip.",
        "For a {area} wall with a {mm} joint, plan on {n1} bags of grout.",
        "Anthracite hides dirt better on a floor; light grey suits the wall tiles.",
        "Plumbing rough-in on {day} leaves the tiler a clear run afterwards.",
        "Working back from {date}, the floor needs {n1} days plus {n1} days curing.",
        "Heating mats at {money} for {area} is in the normal range for this type.",
        "A {mm} decoupling membrane is worth it over the old screed.",
        "Tiled skirting for {n2} metres needs about {n1} extra boxes of cut pieces.",
        "I'll put the showroom hours ({time} close on {day}s) in the calendar note.",
        "The two labour quotes add up to about {money} before materials.",
        "A {mm} core hole for the extractor should go in before the tiles.",
        "For large-format porcelain use a C2S1 flexible adhesive; {sku} is one such product.",
        "Skip hire for {n1} days should be booked for the demolition week.",
    ]

    def plants(self, rng):
        return [
            (0.09, [(U("Back from the showroom. The plumber's quote is still pending, the kitchen "
                       "fitter wants dates, and for the floor we're going with the matte ash one, "
                       "CV-6060-M-ASH - my partner loved it under the daylight lamps. The bathroom "
                       "we'll decide later."), ["CV-6060-M-ASH"]),
                    (A("Great, floor tile decided. I'll chase the plumber and send the fitter the "
                       "draft schedule."), [])]),
            (0.20, [(U("I measured the kitchen floor: 38.9 m² including under the island."),
                     ["38.9 m²"]),
                    (A("Noted as the kitchen floor area."), [])]),
            (0.33, [(U("Change of plan: the same floor tile continues through the hallway, so I "
                       "re-measured the whole run, kitchen plus hallway: 41.6 m². Use that instead."),
                     ["41.6 m²"]),
                    (A("Updated the floor area to the combined kitchen and hallway figure."), [])]),
            (0.60, [(U("The supplier's draft quote lists CV-6060-G-ASH at 14 boxes - I think they "
                       "typed the gloss version by mistake, I'll ask them."), ["CV-6060-G-ASH"]),
                    (A("Worth correcting before they pick the order; gloss is a different product."), [])]),
            (0.76, [(U("For the bathroom walls we picked CV-6060-M-SND, the sand colour, about "
                       "22 m² of it."), ["CV-6060-M-SND"]),
                    (A("Bathroom wall tile noted separately from the floor."), [])]),
        ]


class AircraftTorque(Kind):
    name = "aircraft_torque_passing"
    description = ("passing mention + indirect reference: the prop-bolt torque on 'the Skyhawk from "
                   "Tuesday' (N4127K) is said once inside a long shop-talk message; later messages give "
                   "torques for a look-alike tail number and another aircraft")
    people = ["Rick", "Aleksandra", "the IA, Dwayne", "Sam", "Keiko", "the owner Mr. Patel",
              "Ferris", "Jolene", "the avionics shop", "Marta"]
    system = ("You are an assistant for a small general-aviation maintenance shop. You help the "
              "mechanics track work orders, parts, inspection items and logbook entries. Always "
              "defer to the manufacturer's data; you only keep track of what the shop tells you.")
    needed = ["660 in-lb"]
    forbidden = ["600 in-lb", "720 in-lb"]
    question = ("Writing the logbook entry for the Skyhawk prop reinstall we did on Tuesday. What "
                "torque did we put on the prop bolts?")

    def extra_slots(self, rng):
        tails = ["N738PQ", "N52210", "N9011F", "N61KE", "N3306T", "N812WX", "N4450M"]
        return {"tail": rng.choice(tails), "tq": f"{rng.randint(2, 45) * 5} in-lb",
                "hrs": f"{rng.randint(900, 8800)}.{rng.randint(0, 9)}", "psi": rng.randint(24, 42)}

    user_t = [
        "{tail} is in for its annual; tach shows {hrs} hours.",
        "Compression on cylinder {n1} of {tail} came out {n2}/80.",
        "{name} found a cracked exhaust clamp on {tail}; part is {money} from the distributor.",
        "The owner of {tail} wants the ELT battery done while it's here.",
        "Tyre pressure on the mains was {psi} psi, nose {psi}.",
        "{name2} torqued the cylinder base nuts to {tq} per the service manual.",
        "The magneto timing on {tail} was {n1} degrees off.",
        "We need {n1} new spark plugs; the old ones were worn oval.",
        "Brake linings on {tail} are at {n1} mm left? I wrote it down somewhere.",
        "The AD search for {tail} turned up {n1} recurring items.",
        "Oil analysis came back with iron at {n2} ppm, up from {n1}.",
        "Avionics shop says the transponder check is {money} and takes {n1} hours.",
        "{name} wants to know if we can have {tail} back by {day}.",
    ]
    asst_t = [
        "Logged {tail} at {hrs} tach hours on the work order.",
        "A {n2}/80 reading on cylinder {n1} may need a borescope before deciding anything.",
        "I've added the exhaust clamp ({money}) to the parts list for {tail}.",
        "ELT battery replacement goes on the {tail} work order with its own logbook line.",
        "Recorded main tyres at {psi} psi; I'll note the nose separately.",
        "Noted {name2}'s cylinder base torque of {tq} against that work order.",
        "Magneto timing correction on {tail} will go in the engine log.",
        "{n1} plugs added to the order; I'll note the rotation pattern.",
        "I'll add a brake-lining measurement to the {tail} checklist so it's recorded.",
        "The {n1} recurring ADs for {tail} are now in the compliance list with due dates.",
        "Iron at {n2} ppm is worth trending; I'll flag it for the next oil change.",
        "The transponder check at {money} can be booked for {day}.",
        "Return date for {tail}: {day} looks possible if parts arrive on time.",
    ]

    def plants(self, rng):
        return [
            (0.17, [(U("Catching you up on Tuesday. Long day. Mr. Patel's Skyhawk, N4127K, had the "
                       "prop off for the spinner bulkhead crack; Dwayne signed the bulkhead repair. "
                       "We found the left brake caliper weeping, ordered an O-ring kit. When the prop "
                       "went back on we torqued the prop bolts to 660 in-lb and safety-wired them, "
                       "then did the run-up, mags good, 2,350 static. The right nav light is "
                       "intermittent, probably the connector. Also the coffee machine is broken again."),
                     ["660 in-lb"]),
                    (A("Thanks, I've logged the N4127K items: bulkhead repair, caliper O-ring kit on "
                       "order, prop reinstall and run-up, and the nav light snag."), [])]),
            (0.50, [(U("The Archer with the similar tail, N4172K, is in for its prop too; their "
                       "sheet says 600 in-lb for those bolts."), ["600 in-lb"]),
                    (A("Logged for N4172K's work order; I'll keep it separate from the Skyhawk."), [])]),
            (0.70, [(U("And the Bonanza's prop shop card lists 720 in-lb - different prop entirely."),
                     ["720 in-lb"]),
                    (A("Noted on the Bonanza's card."), [])]),
        ]


class PodcastBooking(Kind):
    name = "podcast_guest_booking"
    description = ("indirect reference + passing mention: the epidemiologist guest's chosen slot is "
                   "relayed once inside a user message about show notes; the final question says "
                   "'the slot she said works best'; other guests get look-alike slots later")
    people = ["Dr. Imani Okafor", "Marek Novak", "Lena Fischer", "the producer Sol", "Hana",
              "the sound engineer Pete", "Gabriel", "Yusuf", "the sponsor rep", "Carla"]
    system = ("You are the booking and production assistant for a weekly science podcast. You keep "
              "track of guests, recording slots (all times CET), show notes, sponsors and the "
              "editing schedule.")
    needed = ["Thursday the 14th at 15:30"]
    forbidden = ["Thursday the 14th at 13:30", "Tuesday the 12th at 15:30"]
    question = ("Please draft the calendar invite for the epidemiologist's recording, at the slot "
                "she told us works best, with the usual dial-in note.")

    def extra_slots(self, rng):
        return {"ep": rng.randint(140, 260), "mins": rng.randint(28, 74),
                "slot": f"{rng.choice(['Mon', 'Wed', 'Fri'])} {rng.randint(1, 28)}, {rng.randint(9, 18):02d}:{rng.choice(['00', '30'])}"}

    user_t = [
        "Episode {ep} came out at {mins} minutes; can we trim it to 45?",
        "The sponsor read for {name} is {n2} seconds, they want it mid-roll.",
        "{name2} asked whether we pay guests; we don't, but we cover {money} for a mic.",
        "Downloads for episode {ep} hit {n4} in the first week.",
        "Pete can edit on {day}s only this month.",
        "Can you check whether {name2} has been on the show before? Maybe episode {ep}?",
        "The transcript service charges {money} per episode now.",
        "We could do a live recording at the festival on {date}, {n3} seats.",
        "Cover art for episode {ep} needs the guest's headshot by {date}.",
        "A listener wrote in about episode {ep}, minute {n2}, asking for a source.",
        "The backup slot for the studio is {slot}.",
        "Sol wants the season finale to be about {n1} guests in a roundtable.",
    ]
    asst_t = [
        "Trimming episode {ep} from {mins} to 45 minutes means cutting the second tangent.",
        "A {n2}-second mid-roll at about minute {n2} keeps the flow.",
        "I'll tell {name2} we cover up to {money} for equipment.",
        "Episode {ep}'s {n4} first-week downloads is about {pct}% above the average.",
        "I'll schedule edits around Pete's {day} availability.",
        "I checked the archive: episode {ep} had a different guest, so this would be a first.",
        "At {money} per episode the transcripts stay within the tools budget.",
        "A {n3}-seat live show on {date} needs two mics and a room feed.",
        "I'll ask for the headshot with a {date} deadline.",
        "The source for minute {n2} of episode {ep} is in the show notes draft; I'll link it.",
        "The studio backup ({slot}) is on hold in the shared calendar.",
        "A {n1}-guest roundtable needs separate tracks for each voice.",
    ]

    def plants(self, rng):
        return [
            (0.07, [(U("Offer Dr. Okafor three slots: Tue 12th 15:30, Wed 13th 10:00 or Thu 14th "
                       "15:30, all CET. She's the epidemiologist from Leeds who wrote the "
                       "wastewater-surveillance paper."), []),
                    (A("I'll send those three options with the studio's remote-recording guide."), [])]),
            (0.21, [(U("Show-notes stuff first: episode 212 needs the corrected link and Sol wants "
                       "shorter chapter titles. Oh and Okafor wrote back - Thursday the 14th at 15:30 "
                       "works best for her, she'll be on a wired line from her office. Then for "
                       "episode 213 can we get the sponsor copy by Friday?"),
                     ["Thursday the 14th at 15:30"]),
                    (A("Noted her reply. I'll fix episode 212's link, shorten the chapter titles and "
                       "chase the sponsor copy for 213."), [])]),
            (0.55, [(U("Marek Novak, the economist, takes Thursday the 14th at 13:30 - he can't do "
                       "afternoons later than that."), ["Thursday the 14th at 13:30"]),
                    (A("Booked Marek in the studio calendar."), [])]),
            (0.72, [(U("And Lena Fischer, the climate scientist, grabbed Tuesday the 12th at 15:30."),
                     ["Tuesday the 12th at 15:30"]),
                    (A("Lena is booked too; I'll send her the remote-recording guide."), [])]),
        ]


def auth_log(rng: random.Random, host: str, n: int, special: str | None, avoid: list[str]) -> str:
    users = ["admin", "root", "oracle", "test", "ubuntu", "git", "postgres", "pi", "user", "support"]
    lines = []
    t = rng.randint(0, 3000)
    pos = rng.randint(n // 3, 2 * n // 3)
    for i in range(n):
        t += rng.randint(1, 40)
        ts = f"Mar 11 {2 + t // 3600:02d}:{(t // 60) % 60:02d}:{t % 60:02d}"
        while True:
            ip = f"{rng.choice([45, 61, 91, 103, 141, 185, 193, 212])}.{rng.randint(1, 254)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}"
            if not any(a in ip for a in avoid):
                break
        pid = rng.randint(10000, 65000)
        port = rng.randint(30000, 65000)
        if i == pos and special:
            lines.append(f"{ts} {host} sshd[{pid}]: {special}")
            continue
        r = rng.random()
        if r < 0.55:
            lines.append(f"{ts} {host} sshd[{pid}]: Failed password for invalid user {rng.choice(users)} "
                         f"from {ip} port {port} ssh2")
        elif r < 0.75:
            lines.append(f"{ts} {host} sshd[{pid}]: Failed password for root from {ip} port {port} ssh2")
        elif r < 0.88:
            lines.append(f"{ts} {host} sshd[{pid}]: Connection closed by authenticating user "
                         f"{rng.choice(users)} {ip} port {port} [preauth]")
        else:
            lines.append(f"{ts} {host} sshd[{pid}]: Received disconnect from {ip} port {port}:11: "
                         f"Bye Bye [preauth]")
    return "\n".join(lines)


class AuthLogForensics(Kind):
    name = "auth_log_forensics"
    description = ("fact inside a long pasted log: the one successful key login in the first pasted "
                   "sshd log (bastion-2); a later pasted log from another host has a look-alike "
                   "successful login, and an assistant message names a look-alike allowlisted IP")
    people = ["Ana", "Kwame", "the on-call SRE", "Jun", "Beatriz", "the CISO", "Nikolai", "Ola"]
    system = ("You are a security-operations assistant helping an engineer investigate a possible "
              "SSH compromise on a small fleet (bastion-1, bastion-2, build-01, db-02). Be careful "
              "with IP addresses and hostnames.")
    needed = ["203.0.113.77"]
    forbidden = ["203.0.113.71", "198.51.100.77"]
    question = ("OK, decision made: block the source of the successful key login from the very first "
                "log I pasted at the edge firewall. Which address goes in the rule?")

    def extra_slots(self, rng):
        return {"ip": f"{rng.choice([45, 91, 185, 193])}.{rng.randint(1, 254)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}",
                "host": rng.choice(["bastion-1", "build-01", "db-02", "vpn-gw", "bastion-2"]),
                "cidr": f"{rng.choice([45, 91, 185])}.{rng.randint(1, 254)}.0.0/{rng.choice([16, 20, 24])}",
                "port": rng.randint(1024, 65000)}

    user_t = [
        "fail2ban on {host} banned {n2} addresses overnight; is the ban time still {n2} minutes?",
        "{name} thinks the {cidr} range is a scanner farm; should we drop it wholesale?",
        "The CISO wants a timeline by {time}.",
        "Auditd on {host} shows {n3} execve events from the deploy user since midnight.",
        "Is it worth rotating the deploy key on all the hosts or just {host}?",
        "The SIEM says {ip} touched {host} on port {port} at {time}.",
        "We moved SSH to port {port} on {host} last month; did that change anything?",
        "Can you write a jq filter for the CloudTrail export, {n4} events?",
        "{name2} disabled password auth on {host} at {time}.",
        "The MFA logs show {n2} pushes approved for {name} yesterday.",
        "Netflow has {n4} flows from {ip} to {host}.",
    ]
    asst_t = [
        "A {n2}-minute ban is short for brute-force sources; consider escalating repeat offenders.",
        "Dropping {cidr} wholesale is reasonable if nothing legitimate lives there; check the CDN list.",
        "I'll structure the timeline as first contact, access, actions, containment.",
        "{n3} execve events for deploy is high; let's diff them against a normal day.",
        "Rotate on all hosts: the key may be reused and the cost is low.",
        "{ip} on port {port} at {time} matches the scanning pattern, not the interactive session.",
        "Moving to port {port} cuts noise but doesn't stop a targeted attacker.",
        "A filter like select(.eventName==\"ConsoleLogin\") will cut the {n4} events down.",
        "With password auth disabled on {host} at {time}, later failures are just noise.",
        "{n2} approved pushes in a day could be MFA fatigue; ask {name} directly.",
        "{n4} flows from {ip} is consistent with a scanner sweeping {host}.",
    ]

    def plants(self, rng):
        avoid = ["203.0.113", "198.51.100"]
        log1 = auth_log(rng, "bastion-2", 90,
                        f"Accepted publickey for deploy from 203.0.113.77 port {rng.randint(40000, 60000)} ssh2: "
                        "ED25519 SHA256:Qm3x9rT0vK2bLwYpZ8sN4cHj7aEuF1dG6iO5", avoid)
        log2 = auth_log(rng, "build-01", 40,
                        f"Accepted password for backup from 203.0.113.71 port {rng.randint(40000, 60000)} ssh2",
                        avoid)
        return [
            (0.16, [(U("Here's /var/log/auth.log from bastion-2 for the window in question:\n\n" + log1),
                     ["203.0.113.77"]),
                    (A("Mostly brute-force noise: invalid users and root attempts from rotating "
                       "addresses. The line that matters is the single accepted public-key login for "
                       "the deploy user in the middle of the window - that's a real session, not a "
                       "failed attempt."), [])]),
            (0.58, [(U("And this one is from build-01, same night:\n\n" + log2), ["203.0.113.71"]),
                    (A("build-01 also has one accepted login, but it's a password login for the "
                       "backup account, which matches the nightly backup job's pattern."), [])]),
            (0.70, [(U("Before we block anything, what shouldn't we block?"), []),
                    (A("Keep the monitoring probe at 198.51.100.77 on the allowlist, and the office "
                       "egress range; everything else in these logs is fair game."), ["198.51.100.77"])]),
        ]


PORTS = ["NLRTM", "DEHAM", "BEANR", "PLGDN", "PLGDY", "LTKLJ", "FIHEL", "SEGOT", "DKAAR", "EETLL",
         "LVRIX", "NOOSL", "GBFXT", "FRLEH", "ESVLC", "ITGOA"]


def rate_sheet(rng: random.Random, avoid: set[int]) -> str:
    rows = ["orig  | dest  | equip | all-in    | transit | valid to",
            "------+-------+-------+-----------+---------+-----------"]
    used = set(avoid)
    lanes = []
    for o in ["NLRTM", "DEHAM", "BEANR"]:
        for d in PORTS:
            if d in ("NLRTM", "DEHAM", "BEANR"):
                continue
            for eq in ["20GP", "40GP", "40HC"]:
                lanes.append((o, d, eq))
    for o, d, eq in lanes:
        if (o, d, eq) == ("NLRTM", "PLGDN", "40HC"):
            val = 2185
        else:
            while True:
                val = rng.randint(650, 4200) if eq != "20GP" else rng.randint(480, 2600)
                if val not in used:
                    break
        used.add(val)
        rows.append(f"{o} | {d} | {eq:<5} | USD {val:,} | {rng.randint(2, 9)} d     | 2024-06-30")
    return "\n".join(rows)


class FreightRateTable(Kind):
    name = "freight_rate_table"
    description = ("fact inside a long pasted table: the NLRTM->PLGDN 40HC all-in in the first "
                   "pasted forwarder rate sheet; last quarter's rate (before) and a competing "
                   "forwarder's quote (after) are look-alikes for the same lane")
    people = ["Henrike", "the Baltic desk", "Piotr", "Marjolein", "the forwarder Nordhaven", "Aksel",
              "the customs broker", "Wiebke", "Tomasz", "the warehouse in Gdańsk"]
    system = ("You are a logistics assistant for a mid-size importer shipping containers from the "
              "North Sea hubs (Rotterdam, Hamburg, Antwerp) to Baltic and Nordic ports. You help "
              "compare forwarder rate sheets and plan bookings.")
    needed = ["USD 2,185"]
    forbidden = ["USD 2,390", "USD 2,815"]
    question = ("We're going with the first forwarder's sheet I pasted. What's their all-in for a "
                "40' high cube Rotterdam to Gdańsk?")

    def extra_slots(self, rng):
        a, b = rng.sample(PORTS, 2)
        return {"port": a, "port2": b, "teu": rng.randint(4, 60),
                "usd": f"USD {rng.randint(480, 4200):,}", "eq": rng.choice(["20GP", "40GP", "40HC", "45HC"])}

    user_t = [
        "The {eq} from {port} to {port2} is quoted at {usd} by the other desk.",
        "We expect about {teu} TEU a month on the Baltic lanes from Q3.",
        "BAF went up {pct}% this month according to {name}.",
        "Free time at {port2} is {n1} days demurrage, {n1} detention.",
        "{name2} says the feeder from {port} skips {port2} every other week.",
        "Customs clearance at {port2} takes {n1} days on average.",
        "The warehouse can receive {n2} containers a week at most.",
        "Can we get a reefer rate for {port} to {port2}? The last one was {usd}.",
        "The THC at {port} is {usd} per box now.",
        "Booking cut-off for the {day} vessel is {time}.",
        "Insurance is {dec}% of cargo value, minimum {money}.",
        "Last shipment to {port2} rolled twice; {name} was furious.",
    ]
    asst_t = [
        "At {usd} the {eq} on {port}-{port2} is within the range we've seen this quarter.",
        "{teu} TEU a month qualifies for the volume tier with most forwarders.",
        "A {pct}% BAF increase will flow into all-in rates at the next validity date.",
        "{n1} days' free time at {port2} is tight if customs takes {n1} days.",
        "If the feeder skips {port2} every other week, plan bookings on the alternate sailing.",
        "I'll add {n1} days of clearance to the planning lead time for {port2}.",
        "With a cap of {n2} containers a week, we should spread arrivals.",
        "I'll request a reefer rate for {port}-{port2} and compare it with {usd}.",
        "THC of {usd} at {port} is separate from the all-in unless the sheet says otherwise.",
        "The {day} cut-off at {time} means the cargo must be gated in the day before.",
        "At {dec}% insurance with a {money} minimum, small shipments pay the minimum.",
        "Rolled bookings usually mean the vessel was overbooked; ask {name} for priority.",
    ]

    def plants(self, rng):
        sheet = rate_sheet(rng, {2185, 2390, 2815})
        return [
            (0.08, [(U("For comparison, last quarter we paid USD 2,390 for Rotterdam to Gdańsk in a "
                       "40' high cube with the old forwarder."), ["USD 2,390"]),
                    (A("Noted as the last-quarter benchmark for that lane."), [])]),
            (0.18, [(U("Here's Nordhaven's new rate sheet (Q2, all-in incl. BAF, excl. THC at "
                       "destination):\n\n" + sheet), ["USD 2,185"]),
                    (A("Got the sheet: {n} lanes from the three hubs, all valid to end of June. I'll "
                       "use it for the comparison.".format(n=len(sheet.splitlines()) - 2)), [])]),
            (0.66, [(U("Second forwarder, Baltic Sea Lines, came back on the same lane: USD 2,815 for "
                       "the 40' HC Rotterdam to Gdańsk, with better free time."), ["USD 2,815"]),
                    (A("Their free time is better, but the rate is noticeably higher than Nordhaven's."), [])]),
        ]


# --------------------------------------------------------------------------- tool-loop kinds

COMPANIES = ["Calder Joinery", "Northgate Dental", "Brightwater Foods", "Kestrel Analytics",
             "Oakmere Veterinary", "Pellham Print", "Ridgeway Motors", "Saltire Logistics",
             "Tidewell Marine", "Vance & Orr Solicitors", "Wexford Garden Centre", "Amberlea Hotels",
             "Cromarty Energy", "Dunmore Textiles", "Fenwick Labs", "Glenholm Dairy", "Hawthorn Clinics",
             "Inverleith Books", "Juniper Cycles", "Lomond Outdoor"]
CITIES = ["Edinburgh", "Dundee", "Aberdeen", "Inverness", "Stirling", "Perth", "Paisley", "Falkirk",
          "Livingston", "Kirkcaldy"]
PROTECTED_ACC = {58213, 58231, 51823}


class CrmMergeTools(Kind):
    name = "crm_merge_tools"
    description = ("agent tool loop + indirect reference: the primary account agreed 'at the start' "
                   "is identified only in an early search_accounts result (Leith record); later "
                   "tool results show a similarly named Glasgow company and a logistics firm with "
                   "look-alike IDs")
    people = ["Fiona", "Rory", "the sales ops lead", "Callum", "Isla", "the account manager Niamh",
              "Euan", "Morag"]
    system = ("You are a CRM data-quality agent with tool access. You help the sales-ops team find "
              "and merge duplicate account records, fix contacts and keep ownership consistent. Call "
              "tools to look things up; never guess IDs.")
    tools = [
        fn_tool("search_accounts", "Search CRM accounts by name/location text.", {"query": "string"}),
        fn_tool("get_account", "Fetch one account record.", {"account_id": "string"}),
        fn_tool("list_contacts", "List contacts on an account.", {"account_id": "string"}),
        fn_tool("update_contact", "Update one field on a contact.",
                {"contact_id": "string", "field": "string", "value": "string"}),
        fn_tool("merge_accounts", "Merge duplicate accounts into a primary account.",
                {"primary_id": "string", "duplicate_ids": "array"}),
    ]
    needed = ["ACC-58213"]
    forbidden = ["ACC-58231", "ACC-51823"]
    question = ("Right, let's finish: merge the duplicate records into the primary we agreed on at "
                "the very start. Which account ID will you pass as primary_id?")
    user_t = [
        "Next: {company} has two records, one created by the trade-show import.",
        "Can you check who owns {company}? {name} says it's hers.",
        "The billing contact for {company} bounced; fix it if you can see a newer email.",
        "Are there duplicate contacts on {company}? {name2} complained.",
        "Look up {company} and tell me how many open opportunities it has.",
        "{company} moved to {city}; is the address updated?",
    ]
    asst_t = [
        "Done with that one. The import duplicates all share the 'TS-{n2}' source tag.",
        "Ownership is set at the account level, so contacts follow automatically.",
        "I'll note it in the clean-up log with today's date.",
        "The older record has more history, so it's the better survivor there.",
        "That leaves {n1} records in the clean-up queue for this batch.",
        "The bounce flag clears once the new email is saved.",
    ]

    def extra_slots(self, rng):
        return {"company": rng.choice(COMPANIES), "city": rng.choice(CITIES)}

    def acc(self, rng):
        while True:
            v = rng.randint(50000, 59999)
            if v not in PROTECTED_ACC:
                return f"ACC-{v}"

    def record(self, rng, company, acc_id=None, city=None):
        return {"account_id": acc_id or self.acc(rng), "name": company, "city": city or rng.choice(CITIES),
                "created": f"20{rng.randint(14, 23)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "owner": rng.choice(self.people), "open_opportunities": rng.randint(0, 9),
                "annual_revenue_gbp": rng.randint(80, 9000) * 1000, "contacts": rng.randint(1, 30)}

    def contacts(self, rng):
        first = ["Alison", "Brian", "Catriona", "Duncan", "Elspeth", "Graham", "Heather", "Iain", "Kirsty"]
        last = ["Baird", "Cowan", "Drummond", "Forsyth", "Gillespie", "Lamont", "Munro", "Ritchie"]
        out = []
        for _ in range(rng.randint(3, 8)):
            f, l = rng.choice(first), rng.choice(last)
            out.append({"contact_id": f"CT-{rng.randint(100000, 999999)}", "name": f"{f} {l}",
                        "email": f"{f.lower()}.{l.lower()}@example.co.uk",
                        "role": rng.choice(["Finance", "Ops", "Director", "Buyer", "IT"]),
                        "last_activity": f"2024-{rng.randint(1, 5):02d}-{rng.randint(1, 28):02d}"})
        return out

    def filler_turn(self, rng):
        company = rng.choice(COMPANIES)
        user = U(self.render(rng, rng.choice(self.user_t), {"company": company}))
        recs = [self.record(rng, company) for _ in range(rng.randint(1, 3))]
        c1 = self.call("search_accounts", {"query": company})
        out = [user] + self.loop([c1], [json.dumps({"matches": recs})])
        target = recs[0]["account_id"]
        if rng.random() < 0.5:
            c2 = self.call("list_contacts", {"account_id": target})
            out += self.loop([c2], [json.dumps({"account_id": target, "contacts": self.contacts(rng)})])
        else:
            c2 = self.call("get_account", {"account_id": target})
            rec = dict(recs[0], notes=f"Renewal due {rng.choice(MONTHS)}; {rng.randint(2, 40)} seats")
            out += self.loop([c2], [json.dumps(rec)])
        if rng.random() < 0.3:
            cid = f"CT-{rng.randint(100000, 999999)}"
            c3 = self.call("update_contact", {"contact_id": cid, "field": "email",
                                              "value": f"accounts{rng.randint(1, 99)}@example.co.uk"})
            out += self.loop([c3], [json.dumps({"ok": True, "contact_id": cid})])
        out.append(A(f"{company}: {len(recs)} record(s) found; {target} has "
                     f"{recs[0]['open_opportunities']} open opportunities and {recs[0]['contacts']} contacts. "
                     + self.fill(rng, self.asst_t, 1, 2)))
        return out

    def plants(self, rng):
        c1 = self.call("search_accounts", {"query": "Harbor & Finch Leith"})
        leith = self.record(rng, "Harbor & Finch Ltd", "ACC-58213", "Leith")
        p1 = [(U("First job of the day: Harbor & Finch. The real customer is the Leith office - the "
                 "one with the long history. Find it, that record stays as the primary for the merge "
                 "we'll do at the end of the session."), [])]
        p1 += [(m, ["ACC-58213"] if m["role"] == "tool" else []) for m in
               self.loop([c1], [json.dumps({"matches": [leith]})])]
        p1 += [(A("Found the Leith record for Harbor & Finch Ltd; it's the oldest and has the "
                  "most contacts. I'll keep it as the primary when we merge."), []),
               (U("Yes, that one. Now carry on with the queue."), []),
               (A("Carrying on with the clean-up queue."), [])]
        c2 = self.call("search_accounts", {"query": "Harbour Finch Glasgow"})
        glas = self.record(rng, "Harbour and Finch Trading", "ACC-58231", "Glasgow")
        p2 = [(U("Someone flagged a Harbour and Finch in Glasgow. Is that one of ours?"), [])]
        p2 += [(m, ["ACC-58231"] if m["role"] == "tool" else []) for m in
               self.loop([c2], [json.dumps({"matches": [glas]})])]
        p2 += [(A("That's Harbour and Finch Trading in Glasgow - a separate company with its own "
                  "billing; it should not be merged."), [])]
        c3 = self.call("search_accounts", {"query": "Harbor Finch Logistics"})
        logi = self.record(rng, "Harbor Finch Logistics", "ACC-51823", "Leith")
        p3 = [(U("And Harbor Finch Logistics, also Leith?"), [])]
        p3 += [(m, ["ACC-51823"] if m["role"] == "tool" else []) for m in
                self.loop([c3], [json.dumps({"matches": [logi]})])]
        p3 += [(A("Harbor Finch Logistics is a haulage firm that shares the street address; "
                  "different company, different VAT number."), [])]
        return [(0.04, p1), (0.50, p2), (0.71, p3)]


PKGS = ["requests", "protobuf", "urllib3", "pydantic", "fastapi", "uvicorn", "sqlalchemy", "alembic",
        "redis", "celery", "boto3", "numpy", "pandas", "orjson", "structlog", "tenacity", "httpx",
        "opentelemetry-api", "opentelemetry-sdk", "pytest", "pytest-asyncio", "mypy", "ruff"]


class CiPinTools(Kind):
    name = "ci_pin_tools"
    description = ("agent tool loop + value changes: requirements.txt pins grpcio 1.60.1 (early "
                   "read_file), a user proposes 1.61.0 (rejected), the agent edits the pin to 1.62.2 "
                   "(edit_file arguments, mid-conversation); a later read of requirements-dev.txt "
                   "shows a look-alike grpcio-tools pin")
    people = ["Ilse", "Dev", "the platform team", "Rahul", "Noor", "Chen", "the release manager"]
    system = ("You are a CI maintenance agent for a Python service (payments-router). You can read "
              "and edit files in the repository, run test targets and search CI job logs. Keep "
              "changes minimal and report what you changed.")
    tools = [
        fn_tool("read_file", "Read a file from the repository.", {"path": "string"}),
        fn_tool("edit_file", "Replace one line of a file.",
                {"path": "string", "line": "integer", "new_line": "string"}),
        fn_tool("run_tests", "Run a test target in CI and return the summary.", {"target": "string"}),
        fn_tool("grep_logs", "Search a CI job's log for a pattern.", {"job_id": "string", "pattern": "string"}),
    ]
    needed = ["grpcio==1.62.2"]
    forbidden = ["grpcio==1.60.1", "grpcio==1.61.0", "grpcio-tools==1.62.0"]
    question = ("I'm updating the Docker base layer to match. Which grpcio version is pinned in "
                "requirements.txt now, after everything we did today?")
    user_t = [
        "The {target} job went red again on {branch}; can you see why?",
        "Check whether {target} is flaky or actually broken - {name} thinks it's the runner.",
        "Is {pkg} pinned anywhere? {name2} wants to bump it.",
        "The nightly on {branch} took {n2} minutes; it used to be {n1}.",
        "Look at job {job} - it failed at the cache step.",
    ]
    asst_t = [
        "The failure is in the test itself, not the runner; it reproduces on a clean cache.",
        "Nothing to change there for now; I'll leave the pin alone.",
        "That one is a timeout on the shared runner, so a retry is reasonable.",
        "The cache key includes the lockfile hash, so it missed after the last merge.",
        "I'll note it on the flaky-tests board with the job id.",
    ]

    def extra_slots(self, rng):
        return {"target": rng.choice(["unit", "integration", "contract", "lint", "typecheck", "e2e-smoke"]),
                "branch": rng.choice(["main", "release/4.2", "release/4.3", "feat/retry-budget"]),
                "pkg": rng.choice(PKGS), "job": f"job-{rng.randint(180000, 199999)}"}

    def ver(self, rng):
        return f"{rng.randint(0, 4)}.{rng.randint(0, 40)}.{rng.randint(0, 12)}"

    def filler_turn(self, rng):
        sl = self.slots(rng)
        out = [U(self.render(rng, rng.choice(self.user_t), sl))]
        r = rng.random()
        if r < 0.4:
            c = self.call("run_tests", {"target": sl["target"]})
            passed, failed = rng.randint(120, 2400), rng.randint(0, 7)
            lines = [f"{passed} passed, {failed} failed, {rng.randint(0, 30)} skipped in {rng.randint(40, 900)}.{rng.randint(0, 9)}s"]
            for _ in range(failed):
                lines.append(f"FAILED tests/{sl['target']}/test_{rng.choice(['routing', 'ledger', 'retry', 'fx', 'webhooks'])}"
                             f".py::test_case_{rng.randint(1, 300)} - AssertionError: expected {rng.randint(1, 999)} got {rng.randint(1, 999)}")
            out += self.loop([c], ["\n".join(lines)])
        elif r < 0.7:
            c = self.call("grep_logs", {"job_id": sl["job"], "pattern": rng.choice(["ERROR", "Timeout", "cache", "Killed"])})
            lines = [f"[{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(100, 999)}] "
                     f"{rng.choice(['ERROR', 'WARN', 'INFO'])} {rng.choice(['runner', 'pip', 'pytest', 'docker'])}: "
                     f"{rng.choice(['step exceeded', 'cache miss for key', 'retrying download of', 'exit code'])} "
                     f"{rng.choice(PKGS)}-{self.ver(rng)} ({rng.randint(1, 600)}s)" for _ in range(rng.randint(4, 12))]
            out += self.loop([c], ["\n".join(lines)])
        else:
            path = rng.choice(["pyproject.toml", "setup.cfg", ".github/workflows/ci.yml", "constraints.txt"])
            c = self.call("read_file", {"path": path})
            lines = [f"# {path}"] + [f"{p}=={self.ver(rng)}" if path.endswith("txt") else
                                     f"{p} = \">={self.ver(rng)}\"" for p in rng.sample(PKGS, rng.randint(5, 12))]
            out += self.loop([c], ["\n".join(lines)])
        out.append(A(self.fill(rng, self.asst_t, 1, 3)))
        return out

    def reqs(self, rng, grpc_line):
        pk = rng.sample(PKGS, 18)
        lines = [f"{p}=={self.ver(rng)}" for p in pk]
        lines.insert(13, grpc_line)
        return "\n".join(f"{i + 1:>3}  {l}" for i, l in enumerate(lines))

    def plants(self, rng):
        c1 = self.call("read_file", {"path": "requirements.txt"})
        p1 = [(U("The contract tests segfault in the gRPC client on the new runners. Start by showing "
                 "me what we pin in requirements.txt."), [])]
        p1 += [(m, ["grpcio==1.60.1"] if m["role"] == "tool" else [])
               for m in self.loop([c1], [self.reqs(rng, "grpcio==1.60.1")])]
        p1 += [(A("requirements.txt has 19 pins; the gRPC runtime is on line 14. The segfault "
                  "signature matches a known issue in that release on newer glibc."), [])]
        p2 = [(U("Could we just bump to grpcio==1.61.0? That's what the ledger service uses."),
               ["grpcio==1.61.0"]),
              (A("That release still has the fork-safety regression behind the segfault, so I'd skip "
                 "it and go to the next patch release that contains the fix."), [])]
        c3 = self.call("edit_file", {"path": "requirements.txt", "line": 14, "new_line": "grpcio==1.62.2"})
        c4 = self.call("run_tests", {"target": "contract"})
        p3 = [(U("Fine, do it and run the contract tests."), [])]
        loop3 = self.loop([c3], ["ok: requirements.txt line 14 replaced (1 line changed)"])
        p3 += [(loop3[0], ["grpcio==1.62.2"]), (loop3[1], [])]
        p3 += [(m, []) for m in self.loop([c4], [f"{rng.randint(300, 420)} passed, 0 failed, 3 skipped in 212.4s"])]
        p3 += [(A("Pin updated on line 14 and the contract suite is green on the new runners."), [])]
        c5 = self.call("read_file", {"path": "requirements-dev.txt"})
        p4 = [(U("Does the dev requirements file pull in anything gRPC-related?"), [])]
        p4 += [(m, ["grpcio-tools==1.62.0"] if m["role"] == "tool" else [])
               for m in self.loop([c5], ["\n".join(["-r requirements.txt", "grpcio-tools==1.62.0"] +
                                                    [f"{p}=={self.ver(rng)}" for p in rng.sample(PKGS, 6)])])]
        p4 += [(A("Only the code generator; it doesn't affect the runtime pin."), [])]
        return [(0.06, p1), (0.18, p2), (0.33, p3), (0.66, p4)]


class GreenhouseCalibTools(Kind):
    name = "greenhouse_calib_tools"
    description = ("agent tool loop + fact inside a long tool-result table: the bench-7 soil-moisture "
                   "probe's offset in house B's calibration table (early get_sensor_table); a stale "
                   "pre-recalibration offset is mentioned before it and house C's bench-7 row is a "
                   "look-alike later")
    people = ["Wim", "Ayesha", "the grower Henk", "Lotte", "Daan", "the night shift", "Femke", "Sipke"]
    system = ("You are a greenhouse climate agent for a tomato and cucumber grower with five houses "
              "(A-E). You can read sensor calibration tables, climate logs and alerts, and change "
              "setpoints. Explain what you read before changing anything.")
    tools = [
        fn_tool("get_sensor_table", "Sensor inventory and calibration table for one house.", {"house": "string"}),
        fn_tool("get_climate_log", "Hourly climate log for a house.", {"house": "string", "hours": "integer"}),
        fn_tool("get_alerts", "Open alerts for a house.", {"house": "string"}),
        fn_tool("set_setpoint", "Change one climate setpoint.",
                {"house": "string", "parameter": "string", "value": "number"}),
    ]
    needed = ["-2.35 %VWC"]
    forbidden = ["-1.90 %VWC", "-2.53 %VWC"]
    question = ("The moisture probe on bench 7 in the B house is reading high again. What offset did "
                "its calibration table give? I'll key it into the controller by hand.")
    user_t = [
        "House {house} felt humid this morning, check the log for the last {h} hours.",
        "Any alerts in {house}? {name} saw the screen flash.",
        "Raise the night temperature in {house} a little, the cucumbers are slow.",
        "Show me the sensor table for {house}, we're auditing probes.",
        "What did the CO2 do in {house} overnight?",
    ]
    asst_t = [
        "Humidity deficit stayed low most of the night, so the vents were mostly closed.",
        "Nothing needs action right now; I'll keep watching the trend.",
        "The heating pipe temperature tracked the setpoint within a degree.",
        "CO2 dosing stopped when the vents opened past the threshold, as configured.",
        "I'll re-check after the screens open this morning.",
    ]

    def extra_slots(self, rng):
        return {"house": rng.choice(["A", "D", "E"]), "h": rng.choice([6, 8, 12, 24])}

    def off(self, rng, avoid):
        while True:
            v = f"{rng.choice(['-', '+'])}{rng.randint(0, 3)}.{rng.randint(0, 99):02d} %VWC"
            if v not in avoid:
                return v

    def table(self, rng, house, special_bench=None, special=None):
        rows = ["sensor  | type           | bench | offset      | gain  | calibrated"]
        kinds = ["soil_moisture", "air_temp", "rel_humidity", "par_light", "ec_drain", "co2"]
        for b in range(1, 13):
            for k in rng.sample(kinds, 3) if b != special_bench else ["soil_moisture"] + rng.sample(kinds[1:], 2):
                if b == special_bench and k == "soil_moisture":
                    o = special
                elif k == "soil_moisture":
                    o = self.off(rng, self.needed + self.forbidden)
                else:
                    o = f"{rng.choice(['-', '+'])}{rng.randint(0, 2)}.{rng.randint(0, 99):02d}"
                rows.append(f"GH-{house}{b}-{k[:3]} | {k:<14} | {b:>5} | {o:<11} | "
                            f"{rng.uniform(0.9, 1.1):.3f} | 2024-0{rng.randint(1, 4)}-{rng.randint(10, 28)}")
        return "\n".join(rows)

    def filler_turn(self, rng):
        sl = self.slots(rng)
        h = sl["house"]
        t = rng.randrange(len(self.user_t))
        out = [U(self.render(rng, self.user_t[t], sl))]
        if t == 0 or t == 4:
            c = self.call("get_climate_log", {"house": h, "hours": sl["h"]})
            lines = ["hour | temp C | RH % | CO2 ppm | vent % | pipe C"]
            for i in range(sl["h"]):
                lines.append(f"{i:02d}:00 | {rng.uniform(16, 27):.1f} | {rng.randint(62, 94)} | "
                             f"{rng.randint(380, 1100)} | {rng.randint(0, 60)} | {rng.uniform(30, 62):.1f}")
            out += self.loop([c], ["\n".join(lines)])
        elif t == 1:
            c = self.call("get_alerts", {"house": h})
            al = [{"id": f"AL-{rng.randint(1000, 9999)}", "sensor": f"GH-{h}{rng.randint(1, 12)}",
                   "msg": rng.choice(["reading out of band", "no data 15 min", "battery low", "drift suspected"]),
                   "since": f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"} for _ in range(rng.randint(1, 4))]
            out += self.loop([c], [json.dumps({"house": h, "alerts": al})])
        elif t == 2:
            v = round(rng.uniform(16.5, 19.5), 1)
            c = self.call("set_setpoint", {"house": h, "parameter": "night_temp_c", "value": v})
            out += self.loop([c], [json.dumps({"ok": True, "house": h, "night_temp_c": v})])
        else:
            c = self.call("get_sensor_table", {"house": h})
            out += self.loop([c], [self.table(rng, h)])
        out.append(A(self.fill(rng, self.asst_t, 1, 3)))
        return out

    def plants(self, rng):
        p0 = [(U("Context for later: last spring, before the recalibration, the bench 7 moisture probe "
                 "in B had an offset of -1.90 %VWC. Henk wants to audit B this week."), ["-1.90 %VWC"]),
              (A("Noted as the pre-recalibration value. I'll pull B's calibration table when we start."), [])]
        c1 = self.call("get_sensor_table", {"house": "B"})
        p1 = [(U("Pull house B's sensor table, we're starting the audit."), [])]
        p1 += [(m, ["-2.35 %VWC"] if m["role"] == "tool" else [])
               for m in self.loop([c1], [self.table(rng, "B", 7, "-2.35 %VWC")])]
        p1 += [(A("House B has 36 sensors across 12 benches, all calibrated this year. Soil-moisture "
                  "offsets vary by bench; I'll flag the large ones for Henk."), [])]
        c2 = self.call("get_sensor_table", {"house": "C"})
        p2 = [(U("Now house C's table please."), [])]
        p2 += [(m, ["-2.53 %VWC"] if m["role"] == "tool" else [])
               for m in self.loop([c2], [self.table(rng, "C", 7, "-2.53 %VWC")])]
        p2 += [(A("House C: also 36 sensors; the bench-7 moisture probe there has one of the larger "
                  "offsets too."), [])]
        return [(0.05, p0), (0.13, p1), (0.61, p2)]


KINDS: list[type[Kind]] = [
    CrmMergeTools, CiPinTools, GreenhouseCalibTools, WeddingHeadcount, PayrollRate,
    BioreactorProtocol, GrantBudget, AuthLogForensics, FreightRateTable, PodcastBooking,
    TileRenovation, AircraftTorque,
]


# --------------------------------------------------------------------------- assembly + checks

def clean_filler(k: Kind, rng: random.Random, protected: list[str]) -> list[dict[str, Any]]:
    for _ in range(200):
        saved = k.call_n
        turn = k.filler_turn(rng)
        if not any(s in msg_text(m) for m in turn for s in protected):
            return turn
        k.call_n = saved
    raise AssertionError(f"{k.name}: could not draw clean filler")


def check_tools(case: dict[str, Any]) -> None:
    msgs = case["messages"]
    declared = {t["function"]["name"] for t in case.get("tools") or []}
    seen_ids: set[str] = set()
    i = 0
    while i < len(msgs):
        m = msgs[i]
        if m["role"] == "tool":
            raise AssertionError(f"{case['id']}: orphan tool message at {i}")
        if m["role"] == "assistant" and m.get("tool_calls"):
            assert m["content"] is None, case["id"]
            calls = m["tool_calls"]
            for j, c in enumerate(calls):
                assert c["type"] == "function" and c["id"] not in seen_ids, (case["id"], i)
                seen_ids.add(c["id"])
                assert c["function"]["name"] in declared, (case["id"], c["function"]["name"])
                json.loads(c["function"]["arguments"])
                r = msgs[i + 1 + j]
                assert r["role"] == "tool" and r["tool_call_id"] == c["id"], (case["id"], i, j)
            i += 1 + len(calls)
            continue
        i += 1
    if case.get("tools") is None:
        assert not seen_ids, case["id"]


def build_case(kind_cls: type[Kind], n: int) -> dict[str, Any]:
    k = kind_cls()
    rng = random.Random(zlib.crc32(f"{k.name}:{n}".encode()))
    protected = k.needed + k.forbidden
    for a in protected:
        for b in protected:
            assert a == b or a not in b, (k.name, a, b)
    plants = sorted(k.plants(rng), key=lambda p: p[0])
    system = {"role": "system", "content": k.system}
    question = U(k.question)
    fixed = est_tokens(system) + est_tokens(question) + sum(est_tokens(m) for _, ms in plants for m, _ in ms)
    target = TARGETS[n]
    turns: list[list[dict[str, Any]]] = []
    have = fixed
    while have < target:
        t = clean_filler(k, rng, protected)
        turns.append(t)
        have += sum(est_tokens(m) for m in t)
    total = have
    body: list[tuple[dict[str, Any], list[str]]] = []
    cum = est_tokens(system)
    pi = 0
    for t in turns:
        while pi < len(plants) and cum >= plants[pi][0] * total:
            for m, carried in plants[pi][1]:
                body.append((m, carried))
                cum += est_tokens(m)
            pi += 1
        for m in t:
            body.append((m, []))
            cum += est_tokens(m)
    assert pi == len(plants), (k.name, n, "plant not placed")
    pairs = [(system, [])] + body + [(question, [])]
    messages = [m for m, _ in pairs]
    # every protected string appears exactly in the messages declared to carry it
    where: dict[str, list[int]] = {}
    for s in protected:
        found = [i for i, m in enumerate(messages) if s in msg_text(m)]
        declared = [i for i, (_, c) in enumerate(pairs) if s in c]
        assert found and found == declared, (k.name, n, s, found, declared)
        where[s] = found
    for i, m in enumerate(messages):
        txt = msg_text(m)
        if any(s in txt for s in k.needed):
            assert not any(s in txt for s in k.forbidden), (k.name, n, i)
    assert messages[-1]["role"] == "user" and not any(s in k.question for s in protected)
    assert messages[-2]["role"] == "assistant" and messages[-2].get("content")
    notes = (k.description + ". Needed: " +
             "; ".join(f"'{s}' at msg {where[s]}" for s in k.needed) + ". Forbidden: " +
             "; ".join(f"'{s}' at msg {where[s]}" for s in k.forbidden) +
             f". {len(messages)} messages, ~{sum(est_tokens(m) for m in messages)} tokens (chars/4).")
    case: dict[str, Any] = {"id": f"{k.name}-{n:02d}-{SUFFIX}", "kind": k.name, "messages": messages}
    if k.tools:
        case["tools"] = k.tools
    case["needed"] = list(k.needed)
    case["forbidden_stale"] = list(k.forbidden)
    case["notes"] = notes
    check_tools(case)
    return case


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stats", action="store_true", help="print a per-case size table")
    args = ap.parse_args()
    names = [kc.name for kc in KINDS]
    assert len(names) == 12 and len(set(names)) == 12
    cases = [build_case(kc, n) for kc in KINDS for n in range(len(TARGETS))]
    with OUT.open("w") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")
    if args.stats:
        print(f"{'id':<34} {'msgs':>5} {'tools':>5} {'tokens':>7} {'target':>7}  needed depth (% of tokens)")
        for c in cases:
            toks = [est_tokens(m) for m in c["messages"]]
            tot = sum(toks)
            n = int(c["id"].rsplit("-", 2)[1])
            depth = []
            for s in c["needed"]:
                i = next(j for j, m in enumerate(c["messages"]) if s in msg_text(m))
                depth.append(f"{100 * sum(toks[:i]) / tot:.0f}")
            ntc = sum(len(m.get("tool_calls") or []) for m in c["messages"])
            print(f"{c['id']:<34} {len(c['messages']):>5} {ntc:>5} {tot:>7} {TARGETS[n]:>7}  {','.join(depth)}")
        tots = [sum(est_tokens(m) for m in c["messages"]) for c in cases]
        print(f"total {len(cases)} cases, tokens min {min(tots)} max {max(tots)} mean {sum(tots) / len(tots):.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
