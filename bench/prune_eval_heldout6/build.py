#!/usr/bin/env python3
"""Build bench/prune_eval_heldout6/cases.jsonl: 72 held-out context-pruning cases (12 kinds).

Standard library only, deterministic (random.Random("heldout6/<kind>/<n>"), no set iteration).
Run:  python bench/prune_eval_heldout6/build.py     (writes cases.jsonl next to this file)
The build fails (non-zero exit, AssertionError) if any case breaks the rules listed in README.md.
"""
from __future__ import annotations

import json
import math
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILDER = "heldout6"
MIN_TOK, MAX_TOK = 10_000, 50_000

# ---------------------------------------------------------------------------
# Filler vocabularies: 15 hand-written domains plus a small-talk pool.
# ---------------------------------------------------------------------------
DOMAINS = {
    "veterinary": dict(
        nouns=["intake sheet", "kennel rota", "dental cleaning slot", "vaccine fridge", "sedation protocol",
               "post-op recovery card", "flea treatment stock", "weight chart", "surgery table light",
               "client reminder postcard", "isolation ward", "microchip scanner"],
        verbs=["recheck", "restock", "sign off", "relabel", "disinfect", "reschedule"],
        adjs=["overbooked", "out of date", "half-filled", "unreliable", "cluttered", "behind schedule"],
        people=["Dr. Okafor", "the night nurse", "Marisol at reception", "the locum vet"],
        places=["the east clinic", "the boarding wing", "the mobile van", "the back office"],
        worries=["how nervous cats react to the waiting room", "keeping the controlled-drug log tidy",
                 "owners who skip the follow-up visit", "the cost of emergency call-outs"]),
    "freight": dict(
        nouns=["pallet manifest", "reefer container", "customs broker", "bill of lading", "loading bay",
               "cross-dock schedule", "fuel surcharge", "driver logbook", "pallet jack", "shrink wrap order",
               "delivery window", "yard map"],
        verbs=["re-route", "consolidate", "re-weigh", "reconcile", "dispatch", "hold back"],
        adjs=["overweight", "late", "mislabelled", "half-loaded", "delayed at the border", "double-booked"],
        people=["the dispatcher", "Gunnar from the depot", "our broker", "the shift lead"],
        places=["the north yard", "dock seven", "the bonded warehouse", "the ferry terminal"],
        worries=["drivers running out of legal hours", "demurrage charges piling up",
                 "temperature alarms on the reefers", "customers who change the drop address"]),
    "renovation": dict(
        nouns=["subfloor", "load-bearing wall", "tile grout", "skirting board", "damp-proof course",
               "joist hanger", "plaster skim coat", "bathroom extractor", "window reveal", "radiator valve",
               "kitchen worktop", "loft hatch"],
        verbs=["sand down", "re-level", "prime", "seal", "strip back", "re-hang"],
        adjs=["uneven", "cracked", "still damp", "bowed", "poorly fixed", "patchy"],
        people=["the plasterer", "our electrician", "Tomasz the tiler", "the building inspector"],
        places=["the back bedroom", "the hallway", "the utility room", "the attic"],
        worries=["dust getting into everything", "the budget creeping up",
                 "whether the old wiring is safe", "how long the drying time really is"]),
    "astronomy": dict(
        nouns=["equatorial mount", "finder scope", "dew heater", "star chart", "polar alignment",
               "eyepiece case", "light-pollution filter", "tripod spreader", "observing log",
               "collimation cap", "battery pack", "red torch"],
        verbs=["collimate", "re-balance", "align", "recalibrate", "cool down", "pack up"],
        adjs=["fogged", "wobbly", "out of balance", "badly aligned", "too bright", "drifting"],
        people=["the club secretary", "Ines who runs outreach", "the new member", "our treasurer"],
        places=["the dark-sky site", "the school field", "the club observatory", "the car park by the lake"],
        worries=["clouds rolling in after midnight", "keeping kids engaged at public nights",
                 "dew on the optics", "the neighbour's floodlight"]),
    "beekeeping": dict(
        nouns=["brood box", "queen excluder", "super frame", "smoker fuel", "varroa board", "sugar syrup",
               "hive tool", "swarm trap", "honey extractor", "inspection notebook", "entrance reducer",
               "foundation sheet"],
        verbs=["inspect", "requeen", "feed", "split", "treat", "extract"],
        adjs=["queenless", "aggressive", "crowded", "light on stores", "damp", "sluggish"],
        people=["the association mentor", "old Mr. Pell", "my neighbour Anouk", "the bee inspector"],
        places=["the orchard apiary", "the allotment", "the rooftop hives", "the honey shed"],
        worries=["a swarm leaving in May", "wasps robbing the weak colony",
                 "mites building up over summer", "whether the stores will last the winter"]),
    "permits": dict(
        nouns=["planning application", "site notice", "zoning map", "fee schedule", "objection letter",
               "heritage survey", "drainage report", "parking assessment", "committee agenda",
               "consultation period", "case officer", "decision notice"],
        verbs=["resubmit", "amend", "appeal", "validate", "publish", "withdraw"],
        adjs=["incomplete", "contested", "on hold", "overdue", "ambiguous", "under review"],
        people=["the case officer", "our architect", "the ward councillor", "the neighbour at number nine"],
        places=["the town hall", "the planning portal", "the council chamber", "the site office"],
        worries=["objections from the residents' group", "the committee date slipping",
                 "fees going up mid-process", "conditions nobody reads until too late"]),
    "kitchen": dict(
        nouns=["prep list", "walk-in fridge", "allergen matrix", "mise en place", "stock pot", "pass",
               "fryer oil", "supplier invoice", "waste log", "knife roll", "dish pit", "brunch menu"],
        verbs=["prep", "portion", "rotate", "label", "reorder", "taste"],
        adjs=["short-staffed", "over-ordered", "slammed", "understocked", "messy", "running behind"],
        people=["the sous chef", "Kemal on grill", "the new commis", "our fish supplier"],
        places=["the pastry corner", "the cold room", "the terrace service", "the back door"],
        worries=["the health inspection next month", "food cost creeping up",
                 "burnout on double shifts", "last-minute large bookings"]),
    "cycling": dict(
        nouns=["derailleur hanger", "brake pad", "chain wear gauge", "tubeless sealant", "bottom bracket",
               "headset spacer", "cassette", "spoke tension", "saddle rail", "bar tape", "rear hub",
               "tyre lever"],
        verbs=["true", "bleed", "re-index", "regrease", "replace", "torque"],
        adjs=["squeaky", "worn out", "skipping", "out of true", "gritty", "loose"],
        people=["the mechanic at the co-op", "my riding buddy Sol", "the shop owner", "the club captain"],
        places=["the workshop", "the hill loop", "the canal path", "the club garage"],
        worries=["getting a puncture far from home", "parts being back-ordered",
                 "riding in the wet", "the cost of a new groupset"]),
    "genealogy": dict(
        nouns=["parish register", "census return", "baptism record", "family bible", "ship manifest",
               "probate file", "marriage banns", "burial index", "photo album", "surname variant",
               "military service card", "land deed"],
        verbs=["transcribe", "cross-check", "scan", "date", "catalogue", "trace"],
        adjs=["faded", "misfiled", "illegible", "contradictory", "water-damaged", "incomplete"],
        people=["my great-aunt", "the county archivist", "a distant cousin in Ohio", "the local historian"],
        places=["the record office", "the church vestry", "the online index", "the old farmhouse"],
        worries=["two people with the same name in one village", "spelling that changes every decade",
                 "records lost in a fire", "family stories that do not match the documents"]),
    "marine": dict(
        nouns=["transect line", "quadrat frame", "dive log", "water sample", "tide table", "sediment core",
               "plankton net", "boat roster", "species checklist", "underwater slate", "sample cooler",
               "GPS waypoint"],
        verbs=["resample", "survey", "log", "preserve", "calibrate", "photograph"],
        adjs=["murky", "choppy", "contaminated", "mislabelled", "patchy", "unusually warm"],
        people=["the skipper", "Ana the field lead", "the new intern", "the lab technician"],
        places=["the north reef", "the estuary mouth", "the field station", "the harbour wall"],
        worries=["weather cancelling dive days", "sample chains of custody",
                 "seasickness on long transects", "grant reporting deadlines"]),
    "archives": dict(
        nouns=["accession register", "finding aid", "acid-free box", "reading room rota", "loan request",
               "digitisation queue", "conservation report", "shelf mark", "donor agreement",
               "humidity logger", "catalogue entry", "map drawer"],
        verbs=["re-box", "accession", "digitise", "re-shelve", "deaccession", "catalogue"],
        adjs=["fragile", "uncatalogued", "backlogged", "foxed", "misnumbered", "restricted"],
        people=["the head archivist", "a visiting researcher", "the volunteer team", "the conservator"],
        places=["the strongroom", "the reading room", "the basement store", "the scanning lab"],
        worries=["mould in the basement", "donors asking for items back",
                 "the digitisation backlog", "researchers handling originals carelessly"]),
    "winemaking": dict(
        nouns=["fermentation tank", "barrel topping schedule", "sulphur addition", "harvest sheet",
               "press cycle", "cellar log", "bottling run", "cork order", "lees stirring", "crush pad",
               "refractometer", "racking hose"],
        verbs=["rack", "top up", "taste", "filter", "blend", "bottle"],
        adjs=["stuck", "reductive", "too oaky", "volatile", "cloudy", "underripe"],
        people=["the cellar master", "Luca from the co-op", "our consulting oenologist", "the vineyard manager"],
        places=["the lower cellar", "the tasting room", "the south block", "the barrel hall"],
        worries=["a stuck fermentation", "late frost on the south block",
                 "label approval delays", "barrel prices going up"]),
    "theater": dict(
        nouns=["rehearsal schedule", "prop table", "lighting cue sheet", "costume fitting", "blocking notes",
               "understudy list", "set flat", "sound desk", "programme proof", "fire curtain check",
               "box office report", "dressing room rota"],
        verbs=["restage", "recast", "re-cue", "re-paint", "run", "tech"],
        adjs=["under-rehearsed", "over length", "missing", "too dim", "cramped", "wobbly"],
        people=["the stage manager", "our director", "Bea in wardrobe", "the lighting designer"],
        places=["the studio theatre", "the scene dock", "the green room", "the main house"],
        worries=["actors dropping out in tech week", "ticket sales for the matinee",
                 "the quick change in act two", "the fog machine setting off alarms"]),
    "irrigation": dict(
        nouns=["drip line", "pump schedule", "soil moisture probe", "filter screen", "pressure regulator",
               "field map", "water licence", "valve box", "fertigation tank", "rain gauge",
               "sprinkler head", "canal allocation"],
        verbs=["flush", "re-zone", "inspect", "recalibrate", "shut off", "extend"],
        adjs=["clogged", "leaking", "overwatered", "dry at the edges", "uneven", "silted"],
        people=["the farm manager", "Raj the agronomist", "the water board", "the seasonal crew"],
        places=["the upper paddock", "the orchard block", "the pump house", "the lower terraces"],
        worries=["the summer water restrictions", "algae in the filters",
                 "power cuts stopping the pump", "salt building up in the soil"]),
    "bookkeeping": dict(
        nouns=["expense receipt", "bank reconciliation", "VAT return", "invoice run", "petty cash tin",
               "chart of accounts", "payroll export", "aged debtors report", "mileage claim",
               "year-end checklist", "supplier statement", "card feed"],
        verbs=["reconcile", "recode", "chase", "approve", "file", "reissue"],
        adjs=["unmatched", "overdue", "duplicated", "miscoded", "missing", "disputed"],
        people=["our accountant", "the office manager", "the freelancer we pay monthly", "the bank"],
        places=["the shared drive", "the accounting app", "the shoebox of receipts", "the finance inbox"],
        worries=["a client who always pays late", "getting the quarter closed on time",
                 "mixing personal and business spending", "receipts fading before they are scanned"]),
}
DOMAIN_NAMES = list(DOMAINS)  # insertion order: deterministic

SMALL_TALK = [
    "Sorry for the slow reply, the afternoon got away from me.",
    "Side note: the coffee machine at work finally got fixed, so morale is up.",
    "It has been raining all week here, which is not helping anyone's mood.",
    "My sister is visiting this weekend so I might be a bit quiet for a couple of days.",
    "I went for a long walk at lunch to clear my head and it actually helped.",
    "Thanks again for being patient with all these questions.",
    "The neighbours are doing building work so I am typing this over a drill.",
    "I just realised I have been staring at this for an hour without a break.",
    "Random, but I started learning to bake bread and it is going badly.",
    "We had a power cut this morning so I lost a bit of time.",
    "Apologies if this is rambling, I have had very little sleep.",
    "The train was cancelled again, so I am writing this from a cafe.",
    "I will probably come back to this after dinner.",
    "Our dog decided today was the day to chase every single pigeon.",
    "Half the team is off sick, so things are slower than usual.",
    "I keep meaning to tidy my desk and keep not doing it.",
]

USER_TEMPLATES = [
    "Quick one about the {n}: {p} thinks we should {v} it before the {n2} is touched. Does that order make sense?",
    "So I spoke to {p} at {pl} today and apparently the {n} is {a} again. I am not sure what to make of that.",
    "Can you help me think through {w}? It keeps coming up whenever we {v} the {n}.",
    "Remind me why we {v} the {n2} at all? I knew the reasoning once and it has gone.",
    "Small update: the {n} looks {a}, and {p} wants to {v} the {n2} this week instead of next.",
    "What would you check first if the {n} seemed {a} but the {n2} looked fine?",
    "I am writing notes for {p}. Could you explain in plain words how the {n} relates to the {n2}?",
    "We had about {num} questions about the {n} this week, more than usual. Is that a sign of something?",
    "Is it normal for the {n} to be this {a}? Nobody at {pl} seemed bothered.",
    "Different topic: {w}. Any advice on how to handle it without a big meeting?",
    "I tried to {v} the {n} myself and it went fine, but the {n2} is still {a}. Ideas?",
    "Could you give me a short checklist for the day we {v} the {n}? Rough is fine.",
    "{p} asked me whether the {n2} at {pl} is {a}. What should I tell them?",
    "Do you think it is worth moving the {n} to {pl}, or is that overkill?",
]

ASSISTANT_SENTENCES = [
    "In most setups the {n} is dealt with before the {n2}, mainly because a {a} {n} makes everything downstream harder to {v}.",
    "A sensible first step is to {v} the {n} and write down what you see, so {p} has something concrete to compare against.",
    "If the {n2} looks {a}, that is usually a symptom rather than the cause; the {n} is the more likely culprit.",
    "People tend to underestimate {w}, and it has a habit of surfacing at the worst possible moment.",
    "It is worth asking {p} whether the people at {pl} have seen the same pattern, since they handle the {n} far more often.",
    "There is no single right answer here; it depends on how {a} the {n2} is and how much time you have to {v} it properly.",
    "One practical trick is to {v} the {n2} in small batches, which keeps the {n} from becoming {a}.",
    "I would hold off on trying to {v} the {n} again until you know why it became {a} in the first place.",
    "Keep a short log of who touched the {n} and whether the {n2} changed afterwards; patterns show up quickly.",
    "That said, {w} is a fair concern, and it is reasonable to raise it with {p}.",
    "A common rule of thumb is to review the {n} every {num} days or so, though busy periods may need more attention.",
    "If you only fix one thing this week, make it the {n}; the {n2} can wait a little.",
    "Moving the {n} to {pl} can help, but only if someone there owns it day to day.",
    "The {n2} rarely fails on its own; when it does look {a}, check the {n} and the handover notes first.",
    "Try not to change the {n} and the {n2} at the same time, otherwise you will not know which change helped.",
    "From what you describe, I would expect {p} to be fine with a short written summary rather than a meeting.",
]
OPENERS = ["Good question.", "That makes sense.", "Happy to help with that.", "Let me break this down.",
           "Short answer: it depends, but here is how I would approach it.", "Thanks for the context.",
           "Right, that is a common situation.", "Okay, a few thoughts."]
CLOSERS = ["Let me know how it goes.", "Want me to turn this into a checklist?",
           "If anything changes, send me the details and we can adjust.", "Hope that helps a bit.",
           "Happy to go deeper on any of these points.", "Shout if any of that is unclear."]


def _fill(rng: random.Random, tpl: str, dom: dict) -> str:
    n, n2 = rng.sample(dom["nouns"], 2)
    return tpl.format(n=n, n2=n2, v=rng.choice(dom["verbs"]), a=rng.choice(dom["adjs"]),
                      p=rng.choice(dom["people"]), pl=rng.choice(dom["places"]),
                      w=rng.choice(dom["worries"]), num=rng.randint(3, 40))


def prose(rng: random.Random, doms: list[str], nchars: int) -> str:
    """A paragraph-ish block of assistant-style sentences of about nchars characters."""
    out, size = [], 0
    while size < nchars:
        s = _fill(rng, rng.choice(ASSISTANT_SENTENCES), DOMAINS[rng.choice(doms)])
        out.append(s)
        size += len(s) + 1
    return " ".join(out)


def user_chatter(rng: random.Random, doms: list[str], nchars: int) -> str:
    out, size = [], 0
    while size < nchars:
        if rng.random() < 0.3:
            s = rng.choice(SMALL_TALK)
        else:
            s = _fill(rng, rng.choice(USER_TEMPLATES), DOMAINS[rng.choice(doms)])
        out.append(s)
        size += len(s) + 1
    return " ".join(out)


def filler_user(rng: random.Random, doms: list[str]) -> str:
    return user_chatter(rng, doms, rng.randint(150, 1300))


def filler_assistant(rng: random.Random, doms: list[str]) -> str:
    parts = [rng.choice(OPENERS)]
    for _ in range(rng.randint(2, 4)):
        parts.append(prose(rng, doms, rng.randint(250, 900)))
    if rng.random() < 0.4:
        dom = DOMAINS[rng.choice(doms)]
        items = [f"- {_fill(rng, rng.choice(ASSISTANT_SENTENCES), dom)}" for _ in range(rng.randint(3, 6))]
        parts.append("\n".join(items))
    parts.append(rng.choice(CLOSERS))
    return "\n\n".join(parts)


def pick_domains(rng: random.Random, k: int = 3) -> list[str]:
    return rng.sample(DOMAIN_NAMES, k)


# ---------------------------------------------------------------------------
# Message helpers and assembly
# ---------------------------------------------------------------------------
def U(text: str) -> dict:
    return {"role": "user", "content": text}


def A(text: str) -> dict:
    return {"role": "assistant", "content": text}


class CallIds:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def new(self) -> str:
        return "call_" + "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(20))


def tool_exchange(ids: CallIds, calls: list[tuple[str, dict, str]]) -> list[dict]:
    """calls: (function name, arguments dict, tool result text) -> assistant tool_calls + tool messages."""
    tcs, results = [], []
    for name, args, result in calls:
        cid = ids.new()
        tcs.append({"id": cid, "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False)}})
        results.append({"role": "tool", "tool_call_id": cid, "content": result})
    return [{"role": "assistant", "content": None, "tool_calls": tcs}] + results


def msg_text(m: dict) -> str:
    parts = [m["content"]] if isinstance(m.get("content"), str) else []
    for tc in m.get("tool_calls") or []:
        parts.append(tc["function"]["name"])
        parts.append(tc["function"]["arguments"])
    return "\n".join(parts)


def est_tokens(messages: list[dict]) -> int:
    return sum(len(msg_text(m)) for m in messages) // 4


def assemble(rng: random.Random, system: str, events: list[tuple[float, list[dict]]], final_q: str,
             doms: list[str], target_tokens: int, filler=None) -> list[dict]:
    """events: (fraction of the way through the filler, block of messages starting with a user
    message and ending with an assistant message). Filler pairs are generated to reach target_tokens."""
    fixed = len(system) + len(final_q) + sum(len(msg_text(m)) for _, blk in events for m in blk)
    budget = target_tokens * 4 - fixed
    pairs, used = [], 0
    while used < budget or len(pairs) < 8:
        u, a = filler(rng, doms) if filler else (filler_user(rng, doms), filler_assistant(rng, doms))
        pairs.append([U(u), A(a)])
        used += len(u) + len(a)
    n = len(pairs)
    placed: dict[int, list[list[dict]]] = {}
    for frac, blk in sorted(events, key=lambda e: e[0]):
        placed.setdefault(min(n, max(1, int(round(frac * n)))), []).append(blk)
    msgs = [{"role": "system", "content": system}]
    for i in range(n + 1):
        for blk in placed.get(i, []):
            msgs.extend(blk)
        if i < n:
            msgs.extend(pairs[i])
    msgs.append(U(final_q))
    return msgs


def target(rng: random.Random) -> int:
    return rng.randint(11_500, 46_000)


def code(rng: random.Random, pattern: str) -> str:
    """pattern: '@' uppercase letter (no I/O), '#' digit, anything else literal."""
    out = []
    for ch in pattern:
        if ch == "@":
            out.append(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ"))
        elif ch == "#":
            out.append(rng.choice("0123456789"))
        else:
            out.append(ch)
    return "".join(out)


# ---------------------------------------------------------------------------
# Kinds. Each returns dict(system, events, final, needed, stale, notes, tools?, doms).
# ---------------------------------------------------------------------------
def embed(rng: random.Random, doms: list[str], core: str, before: int, after: int, chatty: bool = True) -> str:
    """Put a short core passage inside a long message."""
    gen = user_chatter if chatty else prose
    head = gen(rng, doms, before) if before else ""
    tail = gen(rng, doms, after) if after else ""
    return "\n\n".join(x for x in (head, core, tail) if x)


# 1. Support bot: the assistant issued a return authorisation; a later one for another item (or a
#    replacement that voided the first) looks the same.
SUPPORT_SHOPS = [
    ("Larkspur Home", "small kitchen appliances", "RA-@@@@-####"),
    ("Northgate Audio", "headphones and speakers", "RMA######"),
    ("Pebble & Pine", "outdoor gear", "R/@@/#####"),
    ("Voltaic Supply", "power tools", "VS-##-@@@-##"),
    ("Quillfeather", "office furniture", "QF-RET-#####"),
    ("Brightwell Optics", "cameras and lenses", "BW##@@##"),
]
SUPPORT_ITEMS = [
    ("cordless kettle", "it clicks off after a few seconds and never actually boils", "the kettle that refuses to boil"),
    ("stand mixer", "the bowl wobbles and the motor smells hot after two minutes", "the mixer with the hot-smelling motor"),
    ("over-ear headphones", "the left cup cuts out whenever I turn my head", "the headphones where one side keeps dropping"),
    ("two-person tent", "one of the pole sleeves tore on the first night", "the tent with the ripped sleeve"),
    ("angle grinder", "the guard will not lock in place", "the grinder whose guard won't stay put"),
    ("office chair", "the gas lift sinks slowly over about an hour", "the chair that keeps sinking"),
    ("zoom lens", "the autofocus hunts and grinds at the long end", "the lens that grinds when focusing"),
    ("bluetooth speaker", "it will not charge past forty percent", "the speaker that stops charging part way"),
    ("camping stove", "the igniter sparks but the burner never lights", "the stove that won't light"),
    ("desk lamp", "it flickers whenever the arm is moved", "the flickering lamp"),
]


def k_support(rng, n):
    doms = pick_domains(rng)
    shop, cat, pat = SUPPORT_SHOPS[n % len(SUPPORT_SHOPS)]
    a, b = rng.sample(SUPPORT_ITEMS, 2)
    ra = code(rng, pat)
    rb = code(rng, pat)
    while rb == ra:
        rb = code(rng, pat)
    system = (f"You are the customer support assistant for {shop}, an online shop selling {cat}. Be concise and "
              "friendly. You can open returns and issue return authorisation codes. Never invent order data.")
    order = code(rng, "########")
    first_user = embed(rng, doms, f"The actual reason I am writing: I bought a {a[0]} from you (order {order}) and "
                       f"{a[1]}. I would like to send it back.", rng.randint(300, 1500), rng.randint(200, 900))
    variant = n % 2
    if variant == 0:
        reply = embed(rng, doms, f"I am sorry about the {a[0]}. I have opened a return for it. Your return "
                      f"authorisation code is {ra}. Please write it clearly on the outside of the parcel, and "
                      "keep the receipt from the courier until the refund shows up.", rng.randint(400, 1600),
                      rng.randint(300, 1200), chatty=False)
        later_user = embed(rng, doms, f"Ugh, more bad luck: the {b[0]} I ordered at the same time has a problem too, "
                           f"{b[1]}. Can that go back as well?", rng.randint(100, 600), rng.randint(0, 400))
        later_reply = (f"Of course. I have opened a second return for the {b[0]}. The code for that parcel is {rb}. "
                       "Pack it separately from the first one so the warehouse can match each code to its item.\n\n"
                       + prose(rng, doms, rng.randint(300, 1200)))
        events = [(rng.uniform(0.04, 0.3), [U(first_user), A(reply)]),
                  (rng.uniform(0.55, 0.85), [U(later_user), A(later_reply)])]
        final = (f"The courier is at the door for {a[2]}. What did you tell me to write on that box? "
                 "Not the other parcel, the first one.")
        notes = "assistant-issued code in a long reply; a second code of the same shape for a different item comes later"
    else:
        reply = embed(rng, doms, f"I am sorry about the {a[0]}. I have opened a return and the system gave it the "
                      f"authorisation code {rb}. You should get a printable label by email shortly.",
                      rng.randint(400, 1500), rng.randint(200, 900), chatty=False)
        later_user = embed(rng, doms, "The label email never came and the link in your earlier message says the "
                           "return is invalid. Can you check?", rng.randint(100, 500), rng.randint(0, 300))
        later_reply = embed(rng, doms, "You are right, the label service rejected that return, so I cancelled it and "
                            f"raised a fresh one. The code to use now is {ra}; the earlier one will not be accepted at "
                            "the warehouse. A new label is on its way.", rng.randint(0, 300), rng.randint(300, 1100),
                            chatty=False)
        events = [(rng.uniform(0.04, 0.25), [U(first_user), A(reply)]),
                  (rng.uniform(0.3, 0.6), [U(later_user), A(later_reply)])]
        final = (f"Packing up {a[2]} now. Which authorisation code is the valid one to put on the box? "
                 "I don't want it bounced at the warehouse.")
        notes = "assistant replaced a rejected return code with a new one; the cancelled code is the look-alike"
    return dict(system=system, events=events, final=final, needed=[ra], stale=[rb], notes=notes, doms=doms)


# 2. Agent with tools: service configuration JSON blobs; the question names a key in other words.
SERVICES = ["ledger", "notifier", "search-indexer", "auth-gateway", "media-transcoder", "payouts",
            "geo-lookup", "invoice-render"]
CONFIG_KEYS = [
    ("db_pool_max", (40, 400), "the ceiling on database connections {svc} may hold open at once"),
    ("request_timeout_ms", (1200, 30000), "the time {svc} waits on an upstream call before giving up, in milliseconds"),
    ("cache_ttl_seconds", (90, 7200), "the lifetime of cached entries in {svc} before they expire"),
    ("max_upload_mb", (12, 900), "the largest file {svc} will accept from a client"),
    ("worker_concurrency", (6, 128), "the number of jobs {svc} runs side by side on each instance"),
    ("retry_max_attempts", (3, 15), "the number of times {svc} tries a failed call again before giving up"),
    ("rate_limit_rps", (150, 9000), "the per-client cap on requests per second for {svc}"),
]
FILLER_KEYS = ["log_level", "region", "replicas", "feature_flags", "owner_team", "health_path", "sentry_sample_rate",
               "tls_min_version", "queue_name", "metrics_port", "build_sha", "shutdown_grace_s", "dns_ttl",
               "canary_percent", "pager_rotation", "heap_limit_mb"]
CONFIG_TOOLS = [
    {"type": "function", "function": {
        "name": "get_service_config", "description": "Return the live configuration of a service as JSON.",
        "parameters": {"type": "object", "properties": {
            "service": {"type": "string"}, "env": {"type": "string", "enum": ["production", "staging"]}},
            "required": ["service", "env"]}}},
    {"type": "function", "function": {
        "name": "list_deploys", "description": "List recent deploys of a service.",
        "parameters": {"type": "object", "properties": {"service": {"type": "string"},
                                                        "limit": {"type": "integer"}}, "required": ["service"]}}},
]


def service_config(rng, svc, env, fixed: dict) -> str:
    cfg = {"service": svc, "env": env}
    for key, (lo, hi), _ in CONFIG_KEYS:
        cfg[key] = fixed.get(key, rng.randint(lo, hi))
    for key in FILLER_KEYS:
        cfg[key] = rng.choice(["info", "warn", "eu-west-1", "us-east-2", rng.randint(2, 99), True, False,
                               "team-" + rng.choice(["atlas", "borealis", "cobalt", "delta"]), "/healthz",
                               "".join(rng.choice("0123456789abcdef") for _ in range(12))])
    cfg["dependencies"] = [{"name": rng.choice(SERVICES), "timeout_ms": rng.randint(100, 900),
                            "circuit_breaker": rng.choice(["on", "off"])} for _ in range(rng.randint(3, 7))]
    cfg["notes"] = prose(rng, ["freight", "bookkeeping", "permits"], rng.randint(200, 800))
    return json.dumps(cfg, indent=2)


def deploy_list(rng, svc) -> str:
    rows = []
    for _ in range(rng.randint(8, 25)):
        rows.append({"service": svc, "version": f"v{rng.randint(1, 9)}.{rng.randint(0, 40)}.{rng.randint(0, 30)}",
                     "by": rng.choice(["mkaur", "jdiaz", "tpham", "obi", "lena.w"]),
                     "status": rng.choice(["succeeded", "succeeded", "rolled_back", "succeeded"]),
                     "summary": prose(rng, ["freight", "renovation"], rng.randint(60, 160))})
    return json.dumps(rows, indent=1)


def k_agent_config(rng, n):
    doms = pick_domains(rng)
    ids = CallIds(rng)
    svc_a, svc_b, svc_c = rng.sample(SERVICES, 3)
    key, (lo, hi), phrase = CONFIG_KEYS[n % len(CONFIG_KEYS)]
    va, vb, vc = rng.sample(range(lo, hi), 3)
    key2, (lo2, hi2), phrase2 = CONFIG_KEYS[(n + 3) % len(CONFIG_KEYS)]
    v2a, v2b, v2c = rng.sample(range(lo2, hi2), 3)
    system = ("You are an SRE assistant with read-only tools for service configuration and deploy history. "
              "Call tools when you need live data and summarise what you find.")
    two = n % 3 == 2
    fixed_a = {key: va, key2: v2a}
    fixed_b = {key: vb, key2: v2b}
    fixed_c = {key: vc, key2: v2c}
    need = [f'"{key}": {va}']
    stale = [f'"{key}": {vb}']
    if two:
        need.append(f'"{key2}": {v2c}')
    env_b = "staging" if n % 2 else "production"
    svc_b_real = svc_a if env_b == "staging" else svc_b
    ev = []
    ev.append((rng.uniform(0.05, 0.25), [U(user_chatter(rng, doms, 300) + f" Can you pull the production config for {svc_a} "
                                          "and tell me if anything looks odd?")]
               + tool_exchange(ids, [("get_service_config", {"service": svc_a, "env": "production"},
                                      service_config(rng, svc_a, "production", fixed_a))])
               + [A("Here is the gist of the production config: " + prose(rng, doms, rng.randint(300, 900)))]))
    ev.append((rng.uniform(0.3, 0.5), [U(f"And the deploy history for {svc_a}, last twenty or so?")]
               + tool_exchange(ids, [("list_deploys", {"service": svc_a, "limit": 20}, deploy_list(rng, svc_a))])
               + [A("Recent deploys look mostly clean. " + prose(rng, doms, rng.randint(200, 600)))]))
    if two:
        ev.append((rng.uniform(0.35, 0.55), [U(f"Now {svc_c} in production please.")]
                   + tool_exchange(ids, [("get_service_config", {"service": svc_c, "env": "production"},
                                          service_config(rng, svc_c, "production", fixed_c))])
                   + [A(f"{svc_c} looks broadly similar. " + prose(rng, doms, rng.randint(300, 700)))]))
    ev.append((rng.uniform(0.6, 0.88), [U(f"For comparison, fetch {svc_b_real} in {env_b}.")]
               + tool_exchange(ids, [("get_service_config", {"service": svc_b_real, "env": env_b},
                                      service_config(rng, svc_b_real, env_b, fixed_b))])
               + [A("Done. " + prose(rng, doms, rng.randint(300, 700)))]))
    ev.append((rng.uniform(0.6, 0.9), [U(f"Last thing, deploys for {svc_b}.")]
               + tool_exchange(ids, [("list_deploys", {"service": svc_b, "limit": 15}, deploy_list(rng, svc_b))])
               + [A("Nothing alarming in that list. " + prose(rng, doms, rng.randint(200, 500)))]))
    q = f"Going back to the live production settings you pulled for {svc_a}: what is " + phrase.format(svc=svc_a) + "?"
    if two:
        q += f" And for {svc_c} in production, what is " + phrase2.format(svc=svc_c) + "?"
    q += " Just the numbers from the config, please."
    notes = ("value inside a large JSON tool result; the same key with another value sits in a later config ("
             + ("same service, staging" if env_b == "staging" else "another service") + ")"
             + ("; second fact from a third service's config" if two else ""))
    return dict(system=system, events=ev, final=q, needed=need, stale=stale, notes=notes, doms=doms,
                tools=CONFIG_TOOLS)


# 3. Coding assistant: a pasted log / traceback / module; a later paste has the same shape.
MODULES = ["billing.reconcile", "orders.sync", "auth.tokens", "search.rank", "media.thumbs", "reports.export",
           "inventory.reserve", "mail.digest", "geo.tiles", "payments.refunds"]
FUNCS = ["apply_credit", "flush_batch", "rotate_signing_key", "rerank_window", "render_preview", "write_sheet",
         "hold_stock", "compose_digest", "fetch_tile", "settle_refund"]
LOG_MSGS = ["flushed {k} rows to warehouse", "cache miss for key user:{k}", "retrying upstream call (attempt {k})",
            "scheduled job finished in {k} ms", "opened connection to replica-{k}", "healthcheck ok",
            "queue depth {k}", "rotated log file", "gc pause {k} ms", "received webhook batch of {k}",
            "lease renewed for shard {k}", "config reload skipped, unchanged"]


def log_block(rng, nlines, start_h):
    lines = []
    h, m, s = start_h, rng.randint(0, 59), rng.randint(0, 59)
    for _ in range(nlines):
        s += rng.randint(0, 9)
        if s >= 60:
            s -= 60
            m += 1
        if m >= 60:
            m -= 60
            h = (h + 1) % 24
        lvl = rng.choice(["INFO ", "INFO ", "DEBUG", "INFO ", "WARN "])
        lines.append(f"{h:02d}:{m:02d}:{s:02d}.{rng.randint(0, 999):03d} {lvl} [worker-{rng.randint(1, 8)}] "
                     f"{rng.choice(MODULES)}: " + rng.choice(LOG_MSGS).format(k=rng.randint(2, 700)))
    return lines


def traceback(rng, mod, func, line, exc):
    path = mod.replace(".", "/") + ".py"
    frames = [("app/worker.py", rng.randint(40, 200), "run_job"),
              ("app/dispatch.py", rng.randint(20, 150), "handle"),
              (mod.split(".")[0] + "/service.py", rng.randint(30, 260), "process")]
    out = ["Traceback (most recent call last):"]
    for p, ln, fn in frames:
        out.append(f'  File "{p}", line {ln}, in {fn}')
        out.append(f"    return {fn}_impl(ctx)")
    out.append(f'  File "{path}", line {line}, in {func}')
    out.append("    total = entry.amount - entry.adjustment")
    out.append(exc)
    return out


def py_module(rng, const, val):
    lines = ['"""Retry helpers for the upstream client."""', "import random", "import time", "",
             f"{const} = {val}", f"JITTER_FRACTION = 0.{rng.randint(1, 4)}", ""]
    for i in range(rng.randint(10, 18)):
        fn = rng.choice(["backoff", "sleep_for", "should_retry", "wrap_call", "log_attempt", "classify"]) + f"_{i}"
        lines += [f"def {fn}(attempt, err=None):",
                  f'    """{prose(rng, ["cycling"], 60)}"""',
                  f"    if attempt > {rng.randint(2, 9)}:",
                  "        return None",
                  f"    delay = min(2 ** attempt * {rng.randint(20, 90)}, 60_000)",
                  "    delay *= 1 + random.uniform(-JITTER_FRACTION, JITTER_FRACTION)",
                  "    return delay", ""]
    return "\n".join(lines)


def k_coding(rng, n):
    doms = pick_domains(rng)
    system = "You are a senior software engineer helping a developer debug and refactor their Python service."
    variant = n % 3
    i = rng.randrange(len(MODULES))
    mod, func = MODULES[i], FUNCS[i]
    if variant == 0:
        l1, l2 = rng.sample(range(120, 980), 2)
        tb1 = log_block(rng, rng.randint(60, 160), 9) + traceback(rng, mod, func, l1, "TypeError: unsupported operand "
                                                                   "type(s) for -: 'Decimal' and 'NoneType'") + log_block(rng, rng.randint(10, 40), 10)
        tb2 = log_block(rng, rng.randint(40, 100), 14) + traceback(rng, mod, func, l2, "KeyError: 'currency'") + log_block(rng, 10, 15)
        need, stale = [f"line {l1}, in {func}"], [f"line {l2}, in {func}"]
        ev = [(rng.uniform(0.05, 0.25), [U(user_chatter(rng, doms, 300) + "\n\nHere is the worker log from the crash this "
                                          "morning:\n```\n" + "\n".join(tb1) + "\n```\nAny idea what is going on?"),
                                        A(prose(rng, doms, rng.randint(500, 1200)) + "\n\nThe innermost frame is the one "
                                          "to look at first; it points at a None adjustment.")]),
              (rng.uniform(0.55, 0.85), [U("I patched the None case and redeployed. It still dies, new log:\n```\n"
                                          + "\n".join(tb2) + "\n```"),
                                        A("That is a different failure now. " + prose(rng, doms, rng.randint(400, 900)))])]
        final = ("For the write-up I need the location of the very first crash, before my patch: which function was the "
                 "deepest frame in, and at what line number?")
        notes = "innermost traceback frame inside a long pasted log; a later traceback has the same function at another line"
    elif variant == 1:
        const = rng.choice(["BACKOFF_CEILING_MS", "MAX_RETRY_DELAY_MS", "UPSTREAM_WAIT_CAP_MS"])
        v1 = rng.randint(11, 59) * 500 + 250
        v2 = rng.randint(4, 19) * 1000
        need, stale = [f"{const} = {v1}"], [f"{const} = {v2}"]
        ev = [(rng.uniform(0.05, 0.25), [U("This is our retry module as it stands in production. It is ugly, I know.\n"
                                          "```python\n" + py_module(rng, const, v1) + "\n```\nCan you suggest a cleaner "
                                          "structure?"),
                                        A(prose(rng, doms, rng.randint(600, 1400)))]),
              (rng.uniform(0.5, 0.8), [U("Ok, show me the refactored version in full."),
                                      A("Here is a consolidated version. I also lowered the cap, since a shorter ceiling "
                                        "keeps tail latency in check:\n```python\n" + py_module(rng, const, v2) + "\n```\n"
                                        + prose(rng, doms, rng.randint(300, 700)))])]
        final = ("Before I merge your rewrite: what maximum delay did my original production module use? I need to "
                 "mention the old value in the changelog.")
        notes = "constant in a user-pasted module; the assistant's rewrite sets the same constant to another value"
    else:
        r1 = "req_" + "".join(rng.choice("0123456789abcdef") for _ in range(12))
        r2 = "req_" + "".join(rng.choice("0123456789abcdef") for _ in range(12))
        log1 = log_block(rng, rng.randint(80, 180), 11)
        k = rng.randint(20, len(log1) - 10)
        log1.insert(k, f"11:{rng.randint(10, 59)}:{rng.randint(10, 59)}.{rng.randint(100, 999)} ERROR [worker-3] {mod}: "
                       f"deadlock detected while updating row, request_id={r1}, rolled back")
        log2 = log_block(rng, rng.randint(60, 140), 16)
        k2 = rng.randint(10, len(log2) - 5)
        log2.insert(k2, f"16:{rng.randint(10, 59)}:{rng.randint(10, 59)}.{rng.randint(100, 999)} ERROR [worker-5] {mod}: "
                        f"upstream timeout after 30000 ms, request_id={r2}")
        need, stale = [r1], [r2]
        ev = [(rng.uniform(0.05, 0.3), [U("Pasting the log from the database incident:\n```\n" + "\n".join(log1) + "\n```"),
                                       A(prose(rng, doms, rng.randint(500, 1100)))]),
              (rng.uniform(0.55, 0.85), [U("Another one from this afternoon, unrelated I think:\n```\n" + "\n".join(log2) + "\n```"),
                                        A(prose(rng, doms, rng.randint(400, 900)))])]
        final = ("The DBA wants the identifier of the request that got killed by the lock conflict in the first log. "
                 "Can you dig it out?")
        notes = "request id on one ERROR line among hundreds of log lines; a later log has another failing request id"
    return dict(system=system, events=ev, final=final, needed=need, stale=stale, notes=notes, doms=doms)


# 4. RAG: retrieval tool returns several passages; the current revision and a superseded revision of
#    the same rule carry different values.
POLICIES = [
    dict(doc="Travel and Expense Policy", sec="4.2 Meal allowances",
         tpl="The daily meal allowance for business travel to Zurich is {v} per calendar day, receipts required above half of that.",
         vals=["CHF 142", "CHF 118", "CHF 136", "CHF 151", "CHF 109"],
         q="Under the rules that apply today, how much can I claim per day for food on my Zurich trip?"),
    dict(doc="Employee Handbook", sec="7.1 Parental leave",
         tpl="The primary caregiver is entitled to {v} of leave at full pay, which can start up to two weeks before the due date.",
         vals=["twenty-two weeks", "sixteen weeks", "eighteen weeks", "twenty-six weeks", "fourteen weeks"],
         q="What does the handbook currently in force give the main carer in fully paid time off after a birth?"),
    dict(doc="Consumer Warranty Terms", sec="3.4 Batteries",
         tpl="Rechargeable battery packs are covered for {v} from the date of delivery, provided the charge cycle count is below the stated limit.",
         vals=["thirty months", "twenty-four months", "eighteen months", "thirty-six months", "forty-two months"],
         q="A customer's battery pack died. In the up-to-date warranty terms, how long is a battery covered from delivery?"),
    dict(doc="Call Recording Retention Standard", sec="2.3 Raw audio",
         tpl="Raw call recordings are permanently deleted after {v}; transcripts follow the separate schedule in section 2.5.",
         vals=["forty-five days", "ninety days", "sixty days", "one hundred and twenty days", "thirty days"],
         q="Per the retention standard as it stands now, how long do we keep the original audio of calls before it is wiped?"),
    dict(doc="Procurement Approval Matrix", sec="1.3 Director sign-off",
         tpl="Any single purchase above {v} requires written approval from a director before the order is placed.",
         vals=["EUR 2,750", "EUR 1,500", "EUR 3,200", "EUR 2,100", "EUR 4,000"],
         q="With the current approval rules, from what order value do I need a director to sign off?"),
    dict(doc="Laboratory Safety Manual", sec="5.6 Fume hoods",
         tpl="The face velocity of every fume hood must be at least {v} when the sash is at the marked working height.",
         vals=["0.55 m/s", "0.40 m/s", "0.50 m/s", "0.45 m/s", "0.60 m/s"],
         q="What minimum airflow speed at the hood opening does the current safety manual require?"),
]
KB_TOOLS = [{"type": "function", "function": {
    "name": "search_kb", "description": "Search the company knowledge base. Returns the top passages as JSON.",
    "parameters": {"type": "object", "properties": {"query": {"type": "string"}, "top_k": {"type": "integer"}},
                   "required": ["query"]}}}]
KB_DOCS = ["Onboarding Guide", "IT Acceptable Use", "Facilities FAQ", "Security Awareness Notes", "Benefits Overview",
           "Remote Work Guidelines", "Incident Response Runbook", "Brand Style Guide"]


def kb_hits(rng, special=None, k=None):
    hits = []
    for _ in range(k or rng.randint(4, 7)):
        hits.append({"doc": rng.choice(KB_DOCS), "revision": f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}",
                     "section": f"{rng.randint(1, 9)}.{rng.randint(1, 9)}",
                     "text": prose(rng, ["permits", "bookkeeping", "archives", "kitchen"], rng.randint(400, 1100)),
                     "score": round(rng.uniform(0.41, 0.79), 3)})
    if special:
        hits.insert(rng.randint(0, len(hits)), special)
    return json.dumps(hits, indent=1, ensure_ascii=False)


def k_rag(rng, n):
    doms = pick_domains(rng)
    ids = CallIds(rng)
    pol = POLICIES[n % len(POLICIES)]
    cur, old = rng.sample(pol["vals"], 2)
    system = ("You are the internal policy assistant. Use the search_kb tool, quote the passage you rely on, and "
              "always prefer the most recent revision of a document; archived revisions are kept for reference only.")
    hit_cur = {"doc": pol["doc"], "revision": "2025-09 (current)", "section": pol["sec"],
               "text": prose(rng, ["permits"], rng.randint(200, 500)) + " " + pol["tpl"].format(v=cur) + " "
               + prose(rng, ["permits"], rng.randint(200, 500)), "score": 0.88}
    hit_old = {"doc": pol["doc"], "revision": "2022-03 (archived, superseded)", "section": pol["sec"],
               "text": prose(rng, ["bookkeeping"], rng.randint(200, 500)) + " " + pol["tpl"].format(v=old) + " "
               + prose(rng, ["bookkeeping"], rng.randint(200, 400)), "score": 0.86}
    ev_cur = [U(user_chatter(rng, doms, 200) + f" Can you look up what the {pol['doc'].lower()} says about this?")] \
        + tool_exchange(ids, [("search_kb", {"query": pol["sec"].split(" ", 1)[1], "top_k": 6}, kb_hits(rng, hit_cur))]) \
        + [A("I found the relevant section in the current revision. " + prose(rng, doms, rng.randint(300, 800)))]
    ev_old = [U("Someone on my team says it used to be different. Can you check older material too?")] \
        + tool_exchange(ids, [("search_kb", {"query": pol["doc"] + " archive", "top_k": 6}, kb_hits(rng, hit_old))]) \
        + [A("There is an archived revision with a different figure, but it has been superseded. "
             + prose(rng, doms, rng.randint(200, 600)))]
    ev = [(rng.uniform(0.05, 0.3), ev_cur), (rng.uniform(0.5, 0.85), ev_old)] if n % 2 == 0 else \
         [(rng.uniform(0.05, 0.3), ev_old), (rng.uniform(0.4, 0.7), ev_cur)]
    for _ in range(rng.randint(1, 3)):
        ev.append((rng.uniform(0.1, 0.9), [U("Unrelated: " + user_chatter(rng, doms, 150) + " Search the KB for that?")]
                   + tool_exchange(ids, [("search_kb", {"query": rng.choice(DOMAINS[doms[0]]["nouns"])}, kb_hits(rng))])
                   + [A(prose(rng, doms, rng.randint(300, 700)))]))
    return dict(system=system, events=ev, final=pol["q"], needed=[cur], stale=[old], tools=KB_TOOLS, doms=doms,
                notes="rule value inside a retrieved passage in a JSON tool result; an archived revision of the same rule "
                      + ("comes later" if n % 2 == 0 else "came earlier"))


# 5. Personal assistant: a numbered list the user later edits by position only.
LISTS = [
    ("packing list for the Dolomites trip", [
        "the green rain shell with the taped seams", "two pairs of merino hiking socks", "the old Garmin with the cracked screen",
        "a roll of blister plasters", "the paperback about the Great War front", "spare headtorch batteries",
        "the folding sit mat", "a thermos that actually seals", "the grey fleece from the charity shop"],
        ["a tube of altitude-rated sun cream", "the borrowed trekking poles from Joost", "my cousin's bivvy bag"]),
    ("shopping list for Saturday's barbecue", [
        "charcoal briquettes, the big bag", "halloumi for the vegetarians", "sweetcorn cobs", "lemonade for the kids",
        "the good sourdough from the market", "paper plates", "fire lighters", "a watermelon", "smoked paprika"],
        ["a jar of black garlic paste", "the chipotle rub Ines recommended", "two punnets of padron peppers"]),
    ("reading list for the book club", [
        "The Glass Orchard by Ilse Marrow", "a collection of Basque folk tales", "the Danube travel memoir",
        "that thriller set on an oil rig", "Letters from Tamarind Street", "the short history of salt",
        "the essay collection about night shifts", "a Brazilian detective novel in translation"],
        ["The Cartographer's Winter by Odile Fenn", "Nine Harbours by Pádraig Luan", "The Quiet Gauge by Hester Amini"]),
    ("chore rota for the flat", [
        "Mia does bins on Monday", "Tariq cleans the bathroom", "I do the hoovering", "Leon waters the plants",
        "Mia wipes the hob", "Tariq descales the kettle", "I sort the recycling", "Leon mops the hallway"],
        ["Leon takes over defrosting the freezer", "Tariq deals with the lint trap and the dryer filter",
         "Mia handles the monthly oven degrease"]),
    ("set list for Friday's gig", [
        "open with the slow version of Harbour Lights", "Red Kite", "the new one without a name yet",
        "the cover of Tiny Dancer", "Copper Wire", "acoustic break with just Sam", "Night Bus Home",
        "close with the long jam"],
        ["Salt Flats Waltz in drop D", "the cover of Ceremony with the fuzz pedal", "Lanterns played at half tempo"]),
    ("seating plan for the wedding table nine", [
        "Aunt Rosa next to the window", "Uncle Bert beside her", "the two cousins from Leeds",
        "Grandad at the end for the wheelchair", "Claire and her new partner", "the best man's parents",
        "my old flatmate Dev", "the photographer's assistant"],
        ["Nonna Giulia on the aisle seat with the cushion", "my godson Aurelio with his booster chair",
         "the florist Maud who helped us for free"]),
]
ORD = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]


def k_list_edit(rng, n):
    doms = pick_domains(rng)
    name, items, newbies = LISTS[n % len(LISTS)]
    items = items[:]
    rng.shuffle(items)
    items = items[:rng.randint(7, len(items))]
    k = rng.randint(2, len(items) - 1)          # 0-based position that gets replaced
    j = rng.choice([x for x in range(len(items)) if x != k])
    new = rng.choice(newbies)
    system = ("You are a personal assistant app. You keep track of the user's lists, plans and reminders across a "
              "long-running conversation.")
    listing = "\n".join(f"{i + 1}. {it}" for i, it in enumerate(items))
    first = embed(rng, doms, f"Can you hold on to my {name} for me? Here it is:\n{listing}\nThat should be everything.",
                  rng.randint(300, 1200), rng.randint(200, 900))
    edit = embed(rng, doms, f"Change to the {name.split(' for ')[0]}: scrap number {k + 1} entirely, and in that spot put "
                 f"{new}. Everything else stays as it was.", rng.randint(100, 700), rng.randint(0, 400))
    ev = [(rng.uniform(0.04, 0.25), [U(first), A("Saved. " + prose(rng, doms, rng.randint(200, 600)))]),
          (rng.uniform(0.4, 0.75), [U(edit), A(f"Done, entry {k + 1} is swapped and the rest is unchanged. "
                                                + prose(rng, doms, rng.randint(100, 400)))])]
    two = n % 2 == 1
    if two:
        need, stale = [items[j], new], []
        final = (f"I'm about to print the {name.split(' for ')[0]}. Read me back what sits at position {j + 1} and "
                 f"what sits at position {k + 1} right now.")
        notes = "two entries of an edited list: one from the original long message, one from a position-only edit"
    else:
        need, stale = [new], [items[k]]
        final = f"Quick check before I print the {name.split(' for ')[0]}: what's in slot {k + 1} at this point?"
        notes = "list entry replaced by position only; the removed entry is still in the original list message"
    return dict(system=system, events=ev, final=final, needed=need, stale=stale, notes=notes, doms=doms)


# 6. Tutoring: the assistant worked out a numeric answer; later exercises of the same type give
#    look-alike answers.
def prob_fall(rng):
    h = rng.randint(35, 420)
    t = math.sqrt(2 * h / 9.81)
    return (f"A stone is dropped from rest off a bridge {h} m above the water. Ignoring air resistance, how long "
            "does it take to hit the water?",
            f"Use h = 1/2 g t^2, so t^2 = 2h/g = {2 * h} / 9.81 = {2 * h / 9.81:.3f}. Taking the square root gives the time.",
            f"t ≈ {t:.2f} s", f"the stone dropped off the {h} m bridge", "the fall time")


def prob_interest(rng):
    p = rng.randint(12, 90) * 100
    r = rng.choice([2.5, 3.1, 3.75, 4.2, 4.8, 5.5])
    y = rng.randint(3, 15)
    a = p * (1 + r / 100 / 12) ** (12 * y)
    return (f"If I put ${p:,} in a savings account at {r}% per year compounded monthly, how much is there after {y} years?",
            f"Use A = P(1 + r/12)^(12y) with P = {p}, r = {r / 100} and y = {y}. The monthly factor is {1 + r / 100 / 12:.6f}, "
            f"raised to the power {12 * y}.",
            f"A ≈ ${a:,.2f}", f"the ${p:,} savings question", "the final balance")


def prob_halflife(rng):
    m0 = rng.randint(40, 500)
    hl = rng.choice([5.3, 8.0, 12.3, 28.8, 3.8, 14.3])
    t = rng.randint(6, 60)
    m = m0 * 0.5 ** (t / hl)
    return (f"A sample contains {m0} mg of an isotope with a half-life of {hl} days. How much is left after {t} days?",
            f"Use m = m0 (1/2)^(t / T). Here t / T = {t} / {hl} = {t / hl:.4f}, so the factor is 0.5 to that power.",
            f"m ≈ {m:.1f} mg", f"the isotope sample that started at {m0} mg", "the remaining mass")


def prob_wave(rng):
    f = rng.randint(110, 990)
    lam = rng.randint(12, 95) / 100
    return (f"A wave has a frequency of {f} Hz and a wavelength of {lam} m. What is its speed?",
            f"Use v = f * lambda, multiplying {f} by {lam}.",
            f"v = {f * lam:.1f} m/s", f"the {f} Hz wave", "the speed")


PROBLEMS = [prob_fall, prob_interest, prob_halflife, prob_wave]


def k_tutoring(rng, n):
    doms = pick_domains(rng)
    gen = PROBLEMS[n % len(PROBLEMS)]
    system = ("You are a patient tutor for a secondary-school student. Explain each step, then state the final answer "
              "clearly at the end of your explanation.")
    while True:
        p1, p2 = gen(rng), gen(rng)
        if p1[2] != p2[2] and p1[2] not in p2[2] and p2[2] not in p1[2] and p1[3] != p2[3]:
            break

    def solved(p, long):
        return A(embed(rng, doms, f"{p[1]}\n\nSo the final answer is **{p[2]}**.", rng.randint(300, 1000) if long else 150,
                       rng.randint(200, 800) if long else 100, chatty=False))
    ev = [(rng.uniform(0.04, 0.25), [U(user_chatter(rng, doms, rng.randint(100, 500)) + "\n\nHomework question one: " + p1[0]),
                                     solved(p1, True)]),
          (rng.uniform(0.5, 0.85), [U("Next one is very similar: " + p2[0]), solved(p2, False)])]
    others = [g for g in PROBLEMS if g is not gen]
    for g in rng.sample(others, 2):
        p = g(rng)
        ev.append((rng.uniform(0.3, 0.9), [U("Another from the sheet: " + p[0]), solved(p, False)]))
    final = (f"My teacher wants the answers on a card. For {p1[3]} — the very first one we did — what was {p1[4]} we "
             "ended up with?")
    return dict(system=system, events=ev, final=final, needed=[p1[2]], stale=[p2[2]], doms=doms,
                notes="numeric result stated by the assistant at the end of a long worked solution; a later exercise "
                      "of the same type has a look-alike answer")


# 7. Data analysis: a pasted CSV export; a restatement or a second export has the same row keys.
REGIONS = ["Lisbon-North", "Lisbon-South", "Porto-Centro", "Braga-East", "Faro-Coast", "Coimbra-Uni", "Madrid-Sur",
           "Sevilla-Triana", "Valencia-Port", "Lyon-Presquile", "Lille-Gare", "Ghent-Dok", "Utrecht-Oost",
           "Aarhus-Havn", "Krakow-Stare", "Brno-Stred", "Graz-Lend", "Turin-Lingotto", "Bologna-Fiera", "Cork-Quay"]
MONTHS = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
MONTH_NAMES = {"2025-01": "January", "2025-02": "February", "2025-03": "March", "2025-04": "April",
               "2025-05": "May", "2025-06": "June"}


def sales_row(rng, reg, mon):
    return f"{reg},{mon},{rng.randint(900, 48000)},{rng.randint(20000, 990000)},{rng.uniform(0.8, 9.9):.2f}"


def k_analysis(rng, n):
    doms = pick_domains(rng)
    regs = rng.sample(REGIONS, rng.randint(10, 18))
    mons = MONTHS[:rng.randint(4, 6)]
    rows = {(r, m): sales_row(rng, r, m) for r in regs for m in mons}
    keys = [(r, m) for r in regs for m in mons]
    tr, tm = rng.choice(keys)
    system = ("You are a data analysis assistant. The user pastes exports as CSV; answer from the data they gave, "
              "and say which export a number comes from.")
    header = "region,month,orders,revenue_eur,churn_pct"
    csv1 = "\n".join([header] + [rows[k] for k in keys])
    ev = [(rng.uniform(0.04, 0.25), [U(embed(rng, doms, "Here is the sales export for the first half:\n```csv\n" + csv1
                                             + "\n```", rng.randint(100, 600), rng.randint(100, 500))),
                                     A("Thanks, loaded. " + prose(rng, doms, rng.randint(400, 1000)))])]
    variant = n % 3
    reg_words = tr.replace("-", " ")
    if variant in (0, 1):
        changed = [k for k in rng.sample(keys, rng.randint(3, 7)) if k != (tr, tm)] + [(tr, tm)]
        rng.shuffle(changed)
        new_rows = {}
        for k in changed:
            while True:
                nr = sales_row(rng, *k)
                if nr != rows[k]:
                    break
            new_rows[k] = nr
        csv2 = "\n".join([header] + [new_rows[k] for k in changed])
        ev.append((rng.uniform(0.45, 0.75), [U("Finance restated a handful of rows. Only the corrected lines:\n```csv\n"
                                               + csv2 + "\n```\nTreat these as replacing the originals."),
                                             A("Understood, I will use the corrected rows from now on. "
                                               + prose(rng, doms, rng.randint(200, 600)))]))
        if variant == 0:
            need, stale = [new_rows[(tr, tm)]], [rows[(tr, tm)]]
            final = (f"Using the corrected figures, what churn rate did {reg_words} have in {MONTH_NAMES[tm]}? "
                     "I need it for the board slide.")
            notes = "row in a restatement replaces the same row in a long earlier CSV; the original row is the stale one"
        else:
            need, stale = [rows[(tr, tm)], new_rows[(tr, tm)]], []
            final = (f"How much did the restatement move {reg_words}'s revenue for {MONTH_NAMES[tm]}? "
                     "Give me the before and after numbers and the difference.")
            notes = "needs the original row from the long CSV and the corrected row from the restatement"
    else:
        mk = "\n".join(["region,month,spend_eur,leads,cpl_eur"] + [
            f"{r},{m},{rng.randint(1000, 90000)},{rng.randint(10, 3000)},{rng.uniform(3, 90):.2f}"
            for r in regs for m in mons])
        mk_rows = mk.split("\n")
        look = next(x for x in mk_rows if x.startswith(f"{tr},{tm},"))
        ev.append((rng.uniform(0.5, 0.85), [U("Different dataset now, the marketing export:\n```csv\n" + mk + "\n```"),
                                            A(prose(rng, doms, rng.randint(300, 800)))]))
        need, stale = [rows[(tr, tm)]], [look]
        final = (f"Back to the sales numbers from the first export: how many orders did {reg_words} log in "
                 f"{MONTH_NAMES[tm]}?")
        notes = "row in a long CSV; a later, different export has a row with the same region and month"
    return dict(system=system, events=ev, final=final, needed=need, stale=stale, notes=notes, doms=doms)


# 8. Group chat: several people in one user turn; the decision is a newly suggested option, an earlier
#    batch held a rejected proposal.
GROUP_TOPICS = [
    dict(what="Saturday dinner", rejected="the Corvid Hall brasserie", chosen="Marrowbone Tavern",
         pitch="what about {c}? they have a back room that fits twelve", lock="ok yes, booking {c} for 19:30, done",
         q="@assistant I lost track of the thread, which restaurant did we actually book for Saturday night?"),
    dict(what="the camping weekend", rejected="Lochan Dubh campsite", chosen="Fernhollow Farm pitches",
         pitch="my cousin swears by {c}, hot showers and a fire pit", lock="sold. I just paid the deposit for {c}",
         q="@assistant where are we sleeping on the camping weekend in the end? need it for the car share"),
    dict(what="band rehearsal", rejected="the studio above the laundrette", chosen="Room B at Kettleworks",
         pitch="{c} has a drum kit already, cheaper too", lock="agreed, I've reserved {c} every Thursday",
         q="@assistant remind me which rehearsal space we settled on?"),
    dict(what="the project codename", rejected="Operation Tinfoil", chosen="Project Heronsgate",
         pitch="how about {c}, nobody will guess what it is", lock="fine by me, {c} it is, I'll rename the channel",
         q="@assistant what name did the team finally agree on for the project?"),
    dict(what="the gift for Marta", rejected="a pottery class voucher", chosen="the restored Olivetti typewriter",
         pitch="she mentioned {c} in the antique shop window last month", lock="perfect, I bought {c}, split it six ways",
         q="@assistant what did we end up getting Marta? I need to write the card"),
    dict(what="the reunion date", rejected="the last weekend of June", chosen="Sunday the 14th of September",
         pitch="what about {c}? school holidays are over by then", lock="locked in: {c}. telling the venue now",
         q="@assistant when is the reunion happening after all that back and forth?"),
]
CHAT_PEOPLE = ["Priya", "Dev", "Hannah", "Kofi", "Lotte", "Mateo", "Yuki", "Sam"]
CHAT_LINES = ["lol", "same", "can't do Tuesdays sorry", "who has the spreadsheet?", "brb feeding the cat",
              "did anyone see the match last night", "I'm in", "sounds good to me", "wait what did I miss",
              "sending the link now", "my train is delayed again", "+1", "ok but hear me out", "that's fair",
              "can we not do this at midnight", "I'll check with my partner", "haha yes", "no strong feelings"]


def chat_batch(rng, doms, nlines, people, extra=None):
    lines = []
    for _ in range(nlines):
        who = rng.choice(people)
        if rng.random() < 0.55:
            txt = rng.choice(CHAT_LINES)
        else:
            txt = _fill(rng, rng.choice(USER_TEMPLATES), DOMAINS[rng.choice(doms)])
        lines.append(f"[{who}] {txt}")
    for pos_who_txt in extra or []:
        pos, who, txt = pos_who_txt
        lines.insert(min(len(lines), pos), f"[{who}] {txt}")
    return "\n".join(lines)


def k_group(rng, n):
    doms = pick_domains(rng)
    t = GROUP_TOPICS[n % len(GROUP_TOPICS)]
    people = rng.sample(CHAT_PEOPLE, 5)
    system = ("You are an assistant added to a group chat. Each user turn contains the latest chat lines, each "
              "prefixed with the sender's name in brackets. Answer only when someone addresses @assistant.")
    b1 = chat_batch(rng, doms, rng.randint(15, 40), people, [
        (rng.randint(3, 12), people[0], f"ok we need to decide {t['what']}"),
        (rng.randint(13, 20), people[1], f"I vote {t['rejected']}"),
        (rng.randint(21, 30), people[2], "hmm, maybe, not sure")])
    b2 = chat_batch(rng, doms, rng.randint(15, 40), people, [
        (rng.randint(4, 12), people[3], f"update on {t['what']}: the first idea is off the table, it fell through"),
        (rng.randint(13, 18), people[4], t["pitch"].format(c=t["chosen"])),
        (rng.randint(19, 30), people[0], t["lock"].format(c=t["chosen"]))])
    ev = [(rng.uniform(0.05, 0.2), [U(b1), A("(no reply needed)")]),
          (rng.uniform(0.25, 0.5), [U(b2), A("(no reply needed)")])]
    for _ in range(rng.randint(1, 3)):
        ev.append((rng.uniform(0.1, 0.9), [U(chat_batch(rng, doms, rng.randint(10, 30), people) +
                                             f"\n[{rng.choice(people)}] @assistant can you summarise the last bit?"),
                                           A(prose(rng, doms, rng.randint(200, 600)))]))
    return dict(system=system, events=ev, final=f"[{people[rng.randint(1, 4)]}] " + t["q"], needed=[t["chosen"]],
                stale=[t["rejected"]], doms=doms,
                notes="decision made in a multi-person chat batch by proposing a new option; an earlier batch "
                      "had a proposal that fell through")


# 9. A pasted non-English message carries the fact; the question is in English. A second host's or
#    colleague's message has the same kind of value.
FOREIGN = [
    dict(lang="Spanish", who="our host in Sevilla", place="Sevilla", pat="####",
         text=("Hola, bienvenidos. El piso está en la tercera planta, puerta izquierda. Las llaves están en la caja "
               "gris junto al portal; el código de la caja es {v}. La wifi se llama CasaTriana y la contraseña está en "
               "la nevera. Por favor, no dejéis la basura en el rellano, el contenedor está en la esquina. "
               "Cualquier problema, escribidme por aquí."),
         other=("Bienvenidos a Granada. La caja de llaves está a la derecha de la puerta del patio y el código es {v}. "
                "El aire acondicionado tarda un poco en arrancar."),
         q="We're outside the first flat, the Sevilla one. What's the number for the little box with the keys?"),
    dict(lang="German", who="my new team lead in Munich", place="Munich", pat="@#.###",
         text=("Hallo und herzlich willkommen im Team! Dein erster Tag ist am Montag. Bitte melde dich um halb neun am "
               "Empfang im Erdgeschoss. Dein Arbeitsplatz ist im dritten Stock, Raum {v}, direkt neben der Teeküche. "
               "Den Laptop bekommst du von der IT am Vormittag. Mittags gehen wir meistens zusammen in die Kantine."),
         other=("Kurze Info vom Hamburger Büro: für die Schulung nächste Woche sind wir in Raum {v} im zweiten Stock."),
         q="Which room did the Munich team lead say my desk is in? I'm at reception and blanking."),
    dict(lang="French", who="the garage in Lyon", place="Lyon", pat="999,99 €",
         text=("Bonjour Madame, suite au diagnostic de votre véhicule, nous avons remplacé les plaquettes de frein avant "
               "et le capteur ABS. Le montant total de la réparation, pièces et main-d'œuvre comprises, s'élève à {v} "
               "TTC. La voiture sera prête jeudi après 16 heures. Merci de prévoir une pièce d'identité."),
         other=("Bonjour, pour le contrôle technique de la deuxième voiture, le devis est de {v} TTC, "
                "rendez-vous confirmé pour mardi."),
         q="How much is the Lyon garage charging me in total for the brake job, tax included?"),
    dict(lang="Italian", who="the B&B in Bologna", place="Bologna", pat="####",
         text=("Buongiorno! Vi aspettiamo venerdì. Il check-in è dalle 15 alle 20; se arrivate più tardi, trovate le "
               "chiavi nella cassetta accanto al citofono, il codice è {v}. La colazione è servita dalle 7:30 alle 10 "
               "nella sala al piano terra. Il parcheggio più vicino è in via del Pratello."),
         other=("Ciao! Per l'appartamento di Firenze la cassetta delle chiavi si apre con il codice {v}. "
                "Buon viaggio!"),
         q="We're landing late in Bologna. What's the combination for the key safe by the intercom at the B&B?"),
    dict(lang="Portuguese", who="the clinic in Porto", place="Porto", pat="@@-####",
         text=("Olá, a sua consulta de fisioterapia está marcada para quarta-feira às 10h15, no segundo andar. Por favor "
               "traga o cartão de cidadão e chegue dez minutos antes. O número de processo que deve indicar na receção "
               "é {v}. Em caso de impedimento, avise com 24 horas de antecedência."),
         other=("Boa tarde, a marcação da sua filha no centro de saúde de Braga tem o número de processo {v}. "
                "Obrigado."),
         q="At the Porto physio reception now. What's the file reference they told me to give at the desk?"),
    dict(lang="Dutch", who="the moving company in Utrecht", place="Utrecht", pat="99:99",
         text=("Beste klant, bedankt voor uw boeking. De verhuiswagen komt op zaterdag, en onze ploeg staat om {v} voor "
               "de deur. Zorg ervoor dat de dozen dicht en gelabeld zijn en dat er een parkeerplek vrij is voor de "
               "wagen. De eindafrekening ontvangt u per e-mail."),
         other=("Goedemorgen, de bezorging van de nieuwe bank in Amersfoort is gepland; de chauffeur komt om {v}."),
         q="What time did the Utrecht movers say their crew turns up on moving day?"),
]


def k_foreign(rng, n):
    doms = pick_domains(rng)
    f = FOREIGN[n % len(FOREIGN)]
    while True:
        v1, v2 = code(rng, f["pat"]), code(rng, f["pat"])
        if f["pat"] == "99:99":
            v1 = f"{rng.randint(7, 9):02d}:{rng.choice(['00', '15', '30', '45'])}"
            v2 = f"{rng.randint(10, 16):02d}:{rng.choice(['00', '15', '30', '45'])}"
        if f["pat"] == "999,99 €":
            v1, v2 = f"{rng.randint(310, 980)},{rng.randint(10, 99)} €", f"{rng.randint(60, 99)},{rng.randint(10, 99)} €"
        if v1 != v2 and v1 not in v2 and v2 not in v1:
            break
    system = "You are a helpful personal assistant. The user often forwards messages in other languages."
    msg1 = embed(rng, doms, f"Forwarding what {f['who']} sent me, it's in {f['lang']}:\n\n> " + f["text"].format(v=v1),
                 rng.randint(200, 1000), rng.randint(100, 600))
    reply1 = A(f"Here is the gist in English: it is practical information from {f['who']}. "
               + prose(rng, doms, rng.randint(300, 800)))
    msg2 = "And this one came in for the next part of the plan:\n\n> " + f["other"].format(v=v2)
    ev = [(rng.uniform(0.04, 0.3), [U(msg1), reply1]),
          (rng.uniform(0.5, 0.85), [U(msg2), A("Noted. " + prose(rng, doms, rng.randint(200, 500)))])]
    return dict(system=system, events=ev, final=f["q"], needed=[v1], stale=[v2], doms=doms,
                notes=f"value inside a forwarded {f['lang']} message, asked about in English; a second forwarded "
                      "message has a value of the same shape")


# 10. Image captions / OCR: the detail sits in an auto-generated caption, either inline or from a
#     describe_image tool; a later photo of a similar thing carries a look-alike.
IMAGES = [
    dict(subj="the router sticker in the hallway", pat="@@@@-####-@@@@",
         cap="A white wireless router on a shelf. Label on the underside, OCR: 'SSID: Hallway-5G  WPA2 key: {v}  S/N 4471'",
         cap2="A black mesh extender on a desk. Label OCR: 'WPA2 key: {v}'",
         q="My laptop forgot the network. What was the Wi-Fi key printed under the hallway router in that photo?"),
    dict(subj="the parking sign on Calder Street", pat="99:99-99:99",
         cap="A street sign on a lamp post. OCR: 'Permit holders only, Mon-Sat {v}, max stay 2h for visitors'",
         cap2="A parking sign in a supermarket car park. OCR: 'Customer parking {v}'",
         q="From the photo of the Calder Street sign: during which hours is it permit-only?"),
    dict(subj="the receipt from the hardware store", pat="€ 99,99",
         cap="A crumpled till receipt. OCR: 'Brico Vaart ... screws 4x40, sealant, masking tape ... TOTAL {v}'",
         cap2="A cafe receipt on a table. OCR: 'Cafe Noord ... 2x flat white, 1x toastie ... TOTAL {v}'",
         q="For my expenses: what was the grand total on the hardware-store receipt I photographed?"),
    dict(subj="my mum's prescription label", pat="9 AAAA",
         cap="A pharmacy bottle label. OCR: 'AMOXICILLIN 500MG ... TAKE ONE CAPSULE {v} DAILY WITH FOOD'",
         cap2="A vitamin jar label. OCR: 'Vitamin D3 ... take {v} daily'",
         q="How often per day is mum supposed to take the antibiotic, according to the label picture?"),
    dict(subj="the whiteboard from the planning meeting", pat="AAA 99 AAA",
         cap="A whiteboard covered in sticky notes. OCR of the top right corner: 'CODE FREEZE: {v}  (no exceptions)'",
         cap2="A flip chart in a meeting room. OCR: 'Design review: {v}'",
         q="Per the photo of the planning whiteboard, when does the code freeze start?"),
    dict(subj="the electricity meter", pat="######.#",
         cap="A digital electricity meter in a cupboard. Display reads '{v} kWh', serial partly covered by tape",
         cap2="A gas meter with a mechanical dial. Dial reads '{v} m3'",
         q="The energy company wants my power reading. What number was on the electricity meter photo?"),
]
IMG_TOOLS = [{"type": "function", "function": {
    "name": "describe_image", "description": "Return an automatic caption and OCR text for an uploaded image.",
    "parameters": {"type": "object", "properties": {"image_id": {"type": "string"}}, "required": ["image_id"]}}}]


def img_value(rng, pat):
    if pat == "99:99-99:99":
        return f"{rng.randint(6, 10):02d}:{rng.choice(['00', '30'])}-{rng.randint(17, 22):02d}:{rng.choice(['00', '30'])}"
    if pat == "9 AAAA":
        return rng.choice(["THREE TIMES", "TWICE", "FOUR TIMES"])
    if pat == "AAA 99 AAA":
        return rng.choice(["MON", "TUE", "WED", "THU", "FRI"]) + f" {rng.randint(10, 28)} " + rng.choice(
            ["MAR", "APR", "MAY", "JUN", "SEP", "OCT", "NOV"])
    if pat == "€ 99,99":
        return f"€ {rng.randint(11, 99)},{rng.randint(10, 99)}"
    return code(rng, pat)


def k_image(rng, n):
    doms = pick_domains(rng)
    ids = CallIds(rng)
    im = IMAGES[n % len(IMAGES)]
    while True:
        v1, v2 = img_value(rng, im["pat"]), img_value(rng, im["pat"])
        if v1 != v2 and v1 not in v2 and v2 not in v1:
            break
    use_tool = n % 2 == 0
    system = ("You are a helpful assistant in a mobile app. Users can attach photos; "
              + ("call describe_image to read them." if use_tool else
                 "the app inserts an automatic caption and OCR text for each photo in square brackets."))
    img1, img2 = f"img_{code(rng, '#####')}", f"img_{code(rng, '#####')}"
    cap1, cap2 = im["cap"].format(v=v1), im["cap2"].format(v=v2)
    intro = user_chatter(rng, doms, rng.randint(200, 900))
    if use_tool:
        b1 = [U(intro + f" Attaching a photo of {im['subj']} so we have it on record ({img1}).")] + \
            tool_exchange(ids, [("describe_image", {"image_id": img1}, json.dumps(
                {"image_id": img1, "caption_and_ocr": cap1, "width": 3024, "height": 4032}, ensure_ascii=False))]) + \
            [A("Got it, I can read the photo. " + prose(rng, doms, rng.randint(200, 700)))]
        b2 = [U(f"One more photo ({img2}), different thing.")] + \
            tool_exchange(ids, [("describe_image", {"image_id": img2}, json.dumps(
                {"image_id": img2, "caption_and_ocr": cap2, "width": 4032, "height": 3024}, ensure_ascii=False))]) + \
            [A("Thanks, that one is readable too. " + prose(rng, doms, rng.randint(100, 400)))]
    else:
        b1 = [U(intro + f" Here's a photo of {im['subj']} so we have it on record.\n[photo {img1}: {cap1}]\n"
                + user_chatter(rng, doms, rng.randint(100, 600))),
              A("Saved. " + prose(rng, doms, rng.randint(200, 700)))]
        b2 = [U(f"Another photo, different thing.\n[photo {img2}: {cap2}]"),
              A("Noted. " + prose(rng, doms, rng.randint(100, 400)))]
    ev = [(rng.uniform(0.04, 0.3), b1), (rng.uniform(0.5, 0.85), b2)]
    return dict(system=system, events=ev, final=im["q"], needed=[v1], stale=[v2], doms=doms,
                tools=IMG_TOOLS if use_tool else None,
                notes="detail in an image caption/OCR " + ("tool result" if use_tool else "inserted inline by the app")
                      + "; a later photo of a similar object has a look-alike value")


# 11. Writing help: the user corrects a name the assistant's draft got wrong, or states a length cap
#     for one outlet while another outlet's cap comes up later.
STORIES = [
    dict(role="the protagonist's older sister", wrong="Helena Marsh", right="Ysolde Varga-Merin",
         premise="a lighthouse keeper's family on a Baltic island in the 1950s"),
    dict(role="the ship's navigator", wrong="Captain Reyes", right="Ottoline Brask",
         premise="a cargo ship stranded in ice off Svalbard"),
    dict(role="the village schoolteacher", wrong="Mr. Abernathy", right="Casimir Oduya",
         premise="a mountain village cut off by a landslide"),
]
OUTLETS = [
    ("the Hollow Lantern Review", "2,400 words", "the Meridian Weekly", "3,000 words"),
    ("Fieldnotes Quarterly", "1,850 words", "the Copperline blog", "1,200 words"),
    ("the Saltmarsh Anthology", "6,500 words", "the Northern Reader", "4,000 words"),
]


def k_writing(rng, n):
    doms = pick_domains(rng)
    system = "You are a writing assistant helping an author draft, edit and plan their fiction and essays."
    if n % 2 == 0:
        s = STORIES[(n // 2) % len(STORIES)]
        draft = A("Here is a first pass at the opening scene.\n\n" + prose(rng, doms, rng.randint(600, 1500))
                  + f" It was {s['wrong']} who noticed it first, standing at the edge of the landing. "
                  + prose(rng, doms, rng.randint(600, 1500)))
        corr = embed(rng, doms, f"One big problem: you got {s['role']} wrong. That character is called {s['right']}, "
                     "please use exactly that spelling from now on.", rng.randint(100, 600), rng.randint(100, 500))
        ev = [(rng.uniform(0.03, 0.15), [U(f"I'm writing a novella about {s['premise']}. Can you draft an opening?"), draft]),
              (rng.uniform(0.2, 0.45), [U(corr), A("Understood, I will use your spelling for that character from here on, "
                                                   "and I will refer to the role rather than repeat the name in notes. "
                                                   + prose(rng, doms, rng.randint(200, 600)))])]
        final = (f"I'm doing the cast list at the front of the book. What's the full name of {s['role']} again? "
                 "The one I corrected you on, not your first guess.")
        need, stale = [s["right"]], [s["wrong"]]
        notes = "name corrected by the user mid-conversation; the assistant's draft used a different name"
    else:
        o1, c1, o2, c2 = OUTLETS[(n // 2) % len(OUTLETS)]
        early = embed(rng, doms, f"Context for everything below: this essay is going to {o1}, and their editor was strict "
                      f"about length, {c1} at the very most including footnotes.", rng.randint(300, 1200),
                      rng.randint(200, 900))
        later = (f"Separate thing: I might also pitch a shorter piece to {o2}. Their guidelines say {c2} max. "
                 + user_chatter(rng, doms, rng.randint(100, 400)))
        ev = [(rng.uniform(0.03, 0.2), [U(early), A("Noted on the length limit. " + prose(rng, doms, rng.randint(300, 900)))]),
              (rng.uniform(0.5, 0.85), [U(later), A(prose(rng, doms, rng.randint(200, 600)))])]
        final = f"Before I send the essay to {o1}: what was the longest it's allowed to be? I want to trim to fit."
        need, stale = [c1], [c2]
        notes = "length cap stated once early in a long message; another outlet's cap appears later"
    return dict(system=system, events=ev, final=final, needed=need, stale=stale, notes=notes, doms=doms)


# 12. Structured forms: a filled-in form pasted as key/value lines; a second form (partner, second
#     vehicle, sibling) has the same fields.
FORMS = [
    dict(title="Home insurance claim form", key="policy_number", pat="HX-#####-###-@", key2="date_of_incident",
         other="my husband Daniel's claim for his car", q1="the policy number on my own home claim",
         q2="the date the damage happened"),
    dict(title="Clinic registration form", key="nhs_number", pat="### ### ####", key2="gp_practice_code",
         other="my son Felix's registration", q1="my health service number from my own registration form",
         q2="my GP practice code"),
    dict(title="Rental application", key="applicant_reference", pat="RA/#####/@@", key2="move_in_date",
         other="my flatmate Jonas's application", q1="the reference on my own rental application",
         q2="the move-in date I put"),
    dict(title="School enrolment form", key="student_id", pat="STU-####-####", key2="bus_route",
         other="Maya's little brother's form", q1="Maya's student ID from her enrolment form",
         q2="which bus route she is on"),
    dict(title="Visa application draft", key="passport_number", pat="@########", key2="planned_entry_date",
         other="my partner Rui's draft", q1="my passport number as written on my own visa draft",
         q2="the entry date I planned"),
    dict(title="New starter onboarding form", key="employee_number", pat="E-######", key2="start_date",
         other="the other new hire, Bogdan's, form", q1="my employee number from my own onboarding form",
         q2="my start date"),
]
FORM_FIELDS = ["full_name", "address_line_1", "town", "postcode", "phone", "email", "emergency_contact",
               "preferred_language", "occupation", "employer", "marital_status", "dietary_needs", "notes_for_office",
               "how_did_you_hear", "accessibility_needs", "signature_date"]
FIELD_VALUES = {
    "address_line_1": ["Flat 2, 14 Mill Lane", "7 Orchard Row", "Basement flat, 31 Tanner Street", "22 Heron Close"],
    "town": ["Cheltenham", "Stroud", "Bristol", "Gloucester", "Bath"],
    "postcode": ["GL50 2QT", "GL5 1HE", "BS3 4LP", "BA1 6RD"],
    "email": ["alex.m@example.org", "r.iwu@example.net", "samir.h@example.com", "k.brandt@example.org"],
    "emergency_contact": ["my brother, mobile in the notes", "next-door neighbour Joan", "my mother", "see partner's form"],
    "preferred_language": ["English", "English and Polish", "Portuguese", "French"],
    "occupation": ["nurse", "software tester", "teacher", "self-employed joiner", "student"],
    "employer": ["NHS trust", "self-employed", "county council", "n/a"],
    "marital_status": ["married", "single", "civil partnership", "prefer not to say"],
    "dietary_needs": ["none", "vegetarian", "no nuts", "halal"],
    "accessibility_needs": ["none", "step-free access please", "large-print letters"],
    "signature_date": ["signed, date to be added", "signed on the day", "unsigned draft"],
}
FIRST = ["Alex Moreau", "Ruth Iwu", "Samir Haddad", "Keiko Brandt", "Lena Okoro", "Tom Aalto"]


def form_text(rng, doms, title, key, kval, key2, k2val):
    lines = [f"=== {title} ==="]
    fields = FORM_FIELDS[:]
    rng.shuffle(fields)
    body = []
    for fld in fields:
        if fld == "full_name":
            val = rng.choice(FIRST)
        elif fld in ("notes_for_office", "how_did_you_hear"):
            val = user_chatter(rng, doms, rng.randint(150, 500))
        elif fld == "phone":
            val = "+44 7" + code(rng, "### ###") + " " + code(rng, "###")
        else:
            val = rng.choice(FIELD_VALUES[fld])
        body.append(f"{fld}: {val}")
    body.insert(rng.randint(2, len(body) - 2), f"{key}: {kval}")
    body.insert(rng.randint(2, len(body) - 2), f"{key2}: {k2val}")
    body.append("description: " + user_chatter(rng, doms, rng.randint(400, 1200)))
    return "\n".join(lines + body)


def k_form(rng, n):
    doms = pick_domains(rng)
    f = FORMS[n % len(FORMS)]
    while True:
        a, b = code(rng, f["pat"]), code(rng, f["pat"])
        if a != b:
            break
    da = rng.choice(["3 March 2025", "17 April 2025", "29 May 2025", "Route 7B", "Route 12", "P81034"])
    db = rng.choice(["11 June 2025", "8 July 2025", "Route 3A", "P72211", "22 August 2025"])
    if f["key2"] == "gp_practice_code":
        da, db = code(rng, "@#####"), code(rng, "@#####")
    elif f["key2"] == "bus_route":
        da, db = "Route " + code(rng, "##@"), "Route " + code(rng, "#@")
    else:
        da = f"{rng.randint(1, 14)} {rng.choice(['March', 'April', 'May'])} 2025"
        db = f"{rng.randint(15, 28)} {rng.choice(['June', 'July', 'August'])} 2025"
    system = "You are a helpful assistant that helps people fill in and check paperwork."
    form1 = form_text(rng, doms, f["title"], f["key"], a, f["key2"], da)
    form2 = form_text(rng, doms, f["title"], f["key"], b, f["key2"], db)
    ev = [(rng.uniform(0.04, 0.25), [U(embed(rng, doms, "Can you check my form for mistakes? Pasting it as text:\n\n"
                                             + form1, rng.randint(100, 500), 0)),
                                     A("I went through it field by field. " + prose(rng, doms, rng.randint(400, 1000)))]),
          (rng.uniform(0.5, 0.85), [U(f"Now {f['other']}, same form:\n\n" + form2),
                                    A("That one looks mostly fine. " + prose(rng, doms, rng.randint(200, 600)))])]
    two = n % 3 == 2
    need = [a, da] if two else [a]
    final = f"The office is on the phone asking for {f['q1']}" + (f", and also {f['q2']}." if two else ".") + \
        " Can you read it back? Don't give me the other person's."
    return dict(system=system, events=ev, final=final, needed=need, stale=[b], doms=doms,
                notes="field value in a pasted key/value form; the same field with another value is in a second form"
                      + ("; a second field from the first form is also needed" if two else ""))


def group_filler(people):
    def f(rng, doms):
        u = chat_batch(rng, doms, rng.randint(8, 30), people)
        if rng.random() < 0.3:
            u += f"\n[{rng.choice(people)}] @assistant " + _fill(rng, rng.choice(USER_TEMPLATES), DOMAINS[rng.choice(doms)])
            return u, prose(rng, doms, rng.randint(200, 700))
        return u, "(no reply needed)"
    return f


KINDS = [
    ("support_issued_code", k_support),
    ("agent_config_lookup", k_agent_config),
    ("pasted_log_or_code", k_coding),
    ("kb_revision_conflict", k_rag),
    ("list_edited_by_position", k_list_edit),
    ("tutor_worked_answer", k_tutoring),
    ("csv_row_restated", k_analysis),
    ("group_chat_decision", k_group),
    ("forwarded_foreign_message", k_foreign),
    ("photo_caption_detail", k_image),
    ("writing_fact_from_author", k_writing),
    ("pasted_form_field", k_form),
]
PER_KIND = 6


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------
def check_case(c: dict, seen_call_ids: set) -> None:
    cid = c["id"]
    msgs = c["messages"]
    assert msgs[0]["role"] == "system", cid
    assert msgs[-1]["role"] == "user", cid
    assert all(m["role"] != "system" for m in msgs[1:]), cid
    for x, y in zip(msgs, msgs[1:]):
        assert not (x["role"] == "user" and y["role"] == "user"), (cid, "two user turns in a row")
    system, final = msgs[0]["content"], msgs[-1]["content"]
    body = [msg_text(m) for m in msgs[1:-1]]
    assert c["needed"], cid
    for s in c["needed"]:
        assert isinstance(s, str) and s, cid
        hits = sum(1 for t in body if s in t)
        assert hits == 1, (cid, "needed must be in exactly one message", s, hits)
        assert s not in final and s not in system, (cid, "needed leaks into final/system", s)
    for s in c["forbidden_stale"]:
        assert any(s in t for t in body), (cid, "stale not in conversation", s)
        assert s not in final and s not in system, (cid, "stale in final/system", s)
        for nd in c["needed"]:
            assert s not in nd and nd not in s, (cid, "stale/needed substring", s, nd)
        for t in body:
            assert not (s in t and any(nd in t for nd in c["needed"])), (cid, "stale shares a message with needed", s)
    tok = est_tokens(msgs)
    tok_json = len(json.dumps(msgs, ensure_ascii=False)) // 4
    assert MIN_TOK <= tok <= MAX_TOK and MIN_TOK <= tok_json <= MAX_TOK, (cid, tok, tok_json)
    # tool protocol
    has_calls = False
    pending: list[str] = []
    names = [t["function"]["name"] for t in c.get("tools") or []]
    for m in msgs:
        if m["role"] == "tool":
            assert m["tool_call_id"] in pending, (cid, "tool result without a pending call")
            pending.remove(m["tool_call_id"])
            continue
        assert not pending, (cid, "tool call not answered before next non-tool message")
        if m.get("tool_calls"):
            has_calls = True
            for tc in m["tool_calls"]:
                assert tc["id"] not in seen_call_ids, (cid, "duplicate tool call id")
                seen_call_ids.add(tc["id"])
                assert tc["function"]["name"] in names, (cid, "undeclared tool")
                json.loads(tc["function"]["arguments"])
                pending.append(tc["id"])
    assert not pending, (cid, "dangling tool call")
    assert has_calls == ("tools" in c), (cid, "tools present iff tool calls")


def build() -> list[dict]:
    cases, seen_ids, seen_calls = [], [], set()
    for kind, fn in KINDS:
        for n in range(PER_KIND):
            rng = random.Random(f"{BUILDER}/{kind}/{n}")
            spec = fn(rng, n)
            filler = None
            if kind == "group_chat_decision":
                names = []
                for blk in spec["events"]:
                    for m in blk[1]:
                        if m["role"] == "user":
                            for line in m["content"].split("\n"):
                                if line.startswith("[") and "]" in line and line[1:line.index("]")] not in names:
                                    names.append(line[1:line.index("]")])
                filler = group_filler(names)
            msgs = assemble(rng, spec["system"], spec["events"], spec["final"], spec["doms"], target(rng), filler)
            case = {"id": f"{kind}-{n + 1:02d}-{BUILDER}", "kind": kind, "messages": msgs}
            if spec.get("tools"):
                case["tools"] = spec["tools"]
            case["needed"] = spec["needed"]
            case["forbidden_stale"] = spec["stale"]
            case["notes"] = spec["notes"]
            check_case(case, seen_calls)
            assert case["id"] not in seen_ids, case["id"]
            seen_ids.append(case["id"])
            cases.append(case)
    assert len(cases) == 72, len(cases)
    kinds = []
    for c in cases:
        if c["kind"] not in kinds:
            kinds.append(c["kind"])
    assert len(kinds) >= 10
    n_stale = sum(1 for c in cases if c["forbidden_stale"])
    assert n_stale * 3 >= len(cases), n_stale
    return cases


def main() -> int:
    cases = build()
    out = HERE / "cases.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for c in cases:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    if "--summary" in sys.argv:
        by = {}
        for c in cases:
            t = est_tokens(c["messages"])
            k = by.setdefault(c["kind"], [0, 10**9, 0, 0])
            k[0] += 1
            k[1] = min(k[1], t)
            k[2] = max(k[2], t)
            k[3] += 1 if c["forbidden_stale"] else 0
        for kind, (cnt, lo, hi, st) in by.items():
            print(f"{kind:28s} {cnt:3d}  {lo:6d}-{hi:6d} tokens  stale in {st}")
        print("total", len(cases), "with stale", sum(1 for c in cases if c["forbidden_stale"]))
    print(f"wrote {len(cases)} cases to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
