#!/usr/bin/env python3
"""Held-out set 4 for the context pruner: generator and verifier (standard library only).

    python bench/prune_eval_heldout4/build.py           # writes cases.jsonl next to this file, verifies it
    python bench/prune_eval_heldout4/build.py --check   # rebuilds in memory, compares byte-identical

Written without reading the pruner, the other held-out generators or their cases.  See README.md.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "cases.jsonl"
BUDGETS = [6000, 4000, 8000, 12000, 16000]
MIN_TOK, MAX_TOK = 9500, 56000  # chars / 4, whole request

# --------------------------------------------------------------------------------------------------
# Hand-written filler vocabularies.  A = actor, V = verb phrase (3rd person), O = object,
# C = context clause, R = reason clause, T = topics a user might ask about.
# Nothing here contains a digit, so no filler sentence can collide with an identifier or a figure.
# --------------------------------------------------------------------------------------------------
DOMAINS: dict[str, dict[str, list[str]]] = {
    "medicine": dict(
        A=["the charge nurse", "the night registrar", "a locum physician", "the ward pharmacist", "the discharge coordinator",
           "a first-year resident", "the infection control lead", "the triage nurse", "the physiotherapist on duty", "the consultant"],
        V=["double-checks", "writes down", "reconciles", "questions", "hands over", "reviews", "documents", "escalates", "flags", "explains"],
        O=["the medication chart", "the fluid balance sheet", "the allergy band", "the wound photographs", "the pending blood cultures",
           "the falls risk score", "the referral letter", "the overnight observations", "the consent form", "the handover notes"],
        C=["before the morning ward round", "at the start of every shift", "whenever a patient moves between wards", "after a rapid response call",
           "during the weekend skeleton shift", "before anyone signs the discharge summary", "when the family asks for an update",
           "on the quieter afternoon rounds", "right after the bed meeting", "while the pharmacy queue is short"],
        R=["small transcription slips are the usual cause of harm", "the next team inherits whatever is missed", "auditors look at exactly that trail",
           "patients tend to remember the inconsistencies", "a clear record shortens the next assessment", "it keeps the escalation pathway honest",
           "busy wards forget verbal instructions quickly", "it saves a phone call at three in the morning", "the coroner reads these records literally",
           "it protects the person who signs last"],
        T=["ward handovers", "discharge planning", "medication safety", "clinic scheduling", "patient communication", "infection control"]),
    "tax": dict(
        A=["the sole trader", "a freelance translator", "the household bookkeeper", "the payroll clerk", "a small landlord",
           "the company accountant", "a retired teacher", "the seasonal contractor", "the partnership treasurer", "a first-time filer"],
        V=["keeps copies of", "separates", "reconciles", "totals up", "sorts", "double-checks", "files away", "annotates", "scans", "labels"],
        O=["the mileage log", "the quarterly estimates", "the receipts for home office supplies", "the charitable donation letters",
           "the brokerage statements", "the rental expense ledger", "the childcare invoices", "the pension contribution slips",
           "the foreign income records", "the depreciation schedule"],
        C=["before the filing season opens", "at the end of each month", "whenever a new client pays late", "while the figures are still fresh",
           "after every large purchase", "before handing anything to the preparer", "during the slow summer weeks", "when the bank statement arrives",
           "right after payday", "as soon as an envelope from the revenue office lands"],
        R=["reconstructing a year from memory is miserable", "auditors ask for the underlying paper first", "deductions without evidence tend to vanish",
           "it makes the estimated payments less of a guess", "the preparer charges by the hour", "penalties compound faster than people expect",
           "mixed personal and business spending is hard to untangle later", "lost receipts are the most common regret",
           "it turns the annual return into an afternoon job", "the rules change slightly every year"]
        , T=["deductions", "estimated payments", "record keeping", "rental income", "self-employment tax", "filing deadlines"]),
    "devops": dict(
        A=["the on-call engineer", "the platform team", "a junior SRE", "the release manager", "the database administrator",
           "the security reviewer", "the build captain", "a contractor on the infra squad", "the incident commander", "the staff engineer"],
        V=["pins", "rotates", "audits", "rehearses", "tags", "archives", "load-tests", "documents", "rolls back", "watches"],
        O=["the base container images", "the service account credentials", "the alerting thresholds", "the canary dashboards",
           "the runbook for failover", "the terraform state locks", "the log retention policy", "the dependency lockfiles",
           "the staging environment", "the certificate renewal job"],
        C=["before every freeze window", "after each postmortem", "whenever traffic patterns shift", "during the quiet hours of the weekend",
           "at the start of each sprint", "before a major customer launch", "when a new region comes online", "right after an upgrade",
           "once the pager goes quiet", "whenever the cloud bill spikes"],
        R=["silent drift is harder to debug than loud failure", "it keeps the blast radius small", "nobody remembers the manual steps at night",
           "the auditors want evidence, not intentions", "flaky alerts train people to ignore pages", "a tested rollback is the only real rollback",
           "cost surprises usually hide in forgotten resources", "it makes the next incident shorter", "expired certificates still cause outages",
           "the next person on call will thank you"],
        T=["deployments", "monitoring", "incident response", "infrastructure as code", "on-call rotations", "container builds"]),
    "procurement": dict(
        A=["the category buyer", "the purchasing assistant", "the supplier quality lead", "a regional sourcing manager", "the contracts officer",
           "the accounts payable team", "the plant controller", "the logistics coordinator", "a new vendor onboarding clerk", "the finance director"],
        V=["benchmarks", "renegotiates", "consolidates", "audits", "requests samples of", "approves", "tracks", "re-tenders", "challenges", "summarises"],
        O=["the framework agreements", "the supplier scorecards", "the freight quotations", "the payment terms", "the packaging specifications",
           "the minimum order quantities", "the incoterms on each contract", "the approved vendor list", "the tooling invoices", "the spend analysis"],
        C=["before the annual price review", "whenever a supplier misses a delivery", "at the end of every quarter", "ahead of peak season",
           "after a currency swing", "when a new plant starts ordering", "before renewing any contract", "during the budget cycle",
           "whenever engineering changes a drawing", "once the warehouse reports shortages"],
        R=["single-source risk tends to surface at the worst time", "hidden costs sit in the terms, not the unit price", "suppliers respond to documented performance",
           "it gives the negotiation a factual footing", "expedited freight eats the savings", "duplicate vendors fragment the volume discounts",
           "late payments damage the relationship", "it keeps the audit trail tidy", "quality escapes are expensive to chase", "volumes drift away from forecasts"],
        T=["supplier negotiations", "purchase approvals", "vendor onboarding", "freight costs", "contract renewals", "spend reporting"]),
    "research": dict(
        A=["the principal investigator", "a second-year doctoral student", "the lab manager", "the statistician on the project", "a visiting postdoc",
           "the ethics committee reviewer", "the research assistant", "the journal's handling editor", "a co-author abroad", "the departmental librarian"],
        V=["preregisters", "re-runs", "annotates", "archives", "cross-checks", "cleans", "pilots", "describes", "versions", "questions"],
        O=["the analysis plan", "the interview codebook", "the raw instrument readings", "the exclusion criteria", "the survey instrument",
           "the literature search strings", "the consent materials", "the supplementary tables", "the lab notebook entries", "the figure scripts"],
        C=["before the data collection starts", "after every batch of participants", "when a reviewer asks for more detail", "ahead of the progress meeting",
           "once the pilot results come in", "during the revision round", "whenever the protocol changes", "before the conference deadline",
           "at the end of each field week", "while the grant report is due"],
        R=["reviewers spot undocumented changes quickly", "replication depends on the boring details", "it keeps the forking paths visible",
           "memory of a decision fades within weeks", "the next student inherits the project", "journals increasingly ask for the materials",
           "it avoids an awkward correction later", "the ethics board expects a clean trail", "small coding choices shift the estimates",
           "it makes the methods section nearly write itself"],
        T=["study design", "data cleaning", "peer review", "grant writing", "qualitative coding", "lab organisation"]),
    "realestate": dict(
        A=["the listing agent", "a first-time buyer", "the building surveyor", "the property manager", "the conveyancing solicitor",
           "the mortgage broker", "a landlord with two flats", "the letting agent", "the home inspector", "the seller's partner"],
        V=["photographs", "compares", "inspects", "questions", "negotiates", "measures", "requests", "reviews", "documents", "budgets for"],
        O=["the service charge history", "the damp readings in the cellar", "the boundary plans", "the comparable sales", "the roof survey",
           "the tenancy deposit records", "the energy performance report", "the leasehold terms", "the planning history", "the snagging list"],
        C=["before making an offer", "during the second viewing", "once the survey comes back", "ahead of exchange", "while the searches are pending",
           "before the tenants move in", "after a heavy rain week", "when the valuation comes in low", "at the end of each tenancy", "before renewing the lease"],
        R=["problems found after completion are the buyer's cost", "it strengthens the negotiating position", "lenders look closely at those figures",
           "disputes usually hinge on the paperwork", "small defects hint at larger ones", "it keeps the chain from collapsing",
           "tenants remember how the handover went", "the solicitor will ask anyway", "it avoids surprises on moving day", "insurers want the evidence"],
        T=["buying a flat", "letting a property", "surveys", "leasehold questions", "mortgage offers", "renovation budgets"]),
    "insurance": dict(
        A=["the claims handler", "a loss adjuster", "the policyholder", "the underwriter", "the broker", "the fraud analyst",
           "the customer service agent", "a contents valuer", "the claims supervisor", "the repair network coordinator"],
        V=["requests", "verifies", "photographs", "logs", "challenges", "itemises", "approves", "cross-references", "escalates", "summarises"],
        O=["the proof of ownership", "the repair estimates", "the incident timeline", "the policy exclusions", "the witness statements",
           "the excess calculation", "the prior claims history", "the salvage value", "the contractor invoices", "the settlement letter"],
        C=["within the first week of the claim", "before any repair starts", "when the values look unusual", "after the site visit",
           "during renewal", "whenever a third party is involved", "as soon as the first notice arrives", "before the file is closed",
           "while memories are still fresh", "once the adjuster's report is in"],
        R=["delays make the settlement harder to agree", "exclusions are read literally", "missing evidence reduces the payout",
           "it speeds up the final decision", "disputes often start with a vague timeline", "it protects against inflated invoices",
           "regulators review complaint handling", "the customer deserves a clear explanation", "salvage is easy to forget", "the file may be audited later"],
        T=["home claims", "motor claims", "policy renewals", "claim disputes", "travel insurance", "contents cover"]),
    "gaming": dict(
        A=["the level designer", "a speedrunner", "the community manager", "the balance team", "a guild leader", "the QA tester",
           "the narrative lead", "a streamer", "the audio designer", "the producer"],
        V=["playtests", "rebalances", "reworks", "documents", "records", "polishes", "cuts", "tweaks", "streams", "prototypes"],
        O=["the boss encounter", "the crafting economy", "the tutorial section", "the matchmaking rules", "the loot tables",
           "the dialogue branches", "the controller mappings", "the patch notes", "the difficulty curve", "the save system"],
        C=["before every public test", "after the community feedback thread", "during the content lock", "whenever a new season starts",
           "once the telemetry comes in", "ahead of the showcase", "at the end of each milestone", "during crunch-free weeks",
           "when a patch breaks something", "after the localisation pass"],
        R=["players find exploits within hours", "first impressions decide retention", "the forums remember every nerf",
           "it keeps the build stable", "small numbers change the whole meta", "accessibility complaints are usually fair",
           "streamers show every rough edge", "it prevents duplicate work across teams", "the certification process is strict", "fun is hard to measure"],
        T=["game balance", "level design", "patch planning", "community feedback", "playtesting", "speedrun routes"]),
    "education": dict(
        A=["the form tutor", "a supply teacher", "the special needs coordinator", "the head of maths", "a trainee teacher",
           "the exams officer", "the school librarian", "the pastoral lead", "a parent volunteer", "the deputy head"],
        V=["plans", "differentiates", "marks", "moderates", "adapts", "records", "explains", "reviews", "shares", "rehearses"],
        O=["the reading intervention", "the homework timetable", "the seating plan", "the coursework deadlines", "the parents' evening notes",
           "the behaviour log", "the revision packs", "the field trip risk assessment", "the lesson objectives", "the mock exam results"],
        C=["at the start of each term", "before parents' evening", "after the mock exams", "whenever a new pupil joins", "during planning time",
           "ahead of the inspection", "at the end of each unit", "when attendance dips", "before the half-term break", "once reports are drafted"],
        R=["children notice inconsistency quickly", "it keeps expectations clear for everyone", "parents ask pointed questions",
           "inspectors follow the paper trail", "gaps compound over a year", "it makes cover lessons workable", "it saves time at report season",
           "quiet pupils can slip through otherwise", "it builds trust with families", "assessment data drives the next steps"],
        T=["lesson planning", "behaviour management", "exam preparation", "parent communication", "reading support", "school trips"]),
    "support": dict(
        A=["the support agent", "the team lead", "a tier-two engineer", "the customer success manager", "the knowledge base editor",
           "a new hire on the queue", "the escalation manager", "the quality reviewer", "the billing specialist", "the chat moderator"],
        V=["tags", "summarises", "escalates", "follows up on", "rewrites", "merges", "closes", "reproduces", "prioritises", "annotates"],
        O=["the duplicate tickets", "the refund requests", "the saved reply templates", "the bug reports", "the satisfaction surveys",
           "the account lockout cases", "the help centre articles", "the outage updates", "the churn risk accounts", "the call recordings"],
        C=["before the end of every shift", "when the queue spikes", "after a product release", "during the monthly review",
           "whenever a customer replies angry", "as soon as a pattern appears", "before handing a case over", "on Monday mornings",
           "while the backlog is manageable", "after each outage"],
        R=["customers hate repeating themselves", "it reduces the reopen rate", "engineering needs reproducible steps",
           "consistent tone builds trust", "it keeps response times predictable", "the knowledge base goes stale otherwise",
           "small fixes prevent many tickets", "managers read the summaries, not the threads", "it shortens onboarding", "refund policy must be applied fairly"],
        T=["ticket triage", "refund handling", "knowledge base articles", "customer tone", "escalations", "support metrics"]),
    "law": dict(
        A=["the trainee solicitor", "the paralegal", "the opposing counsel", "the in-house lawyer", "the court clerk",
           "the mediator", "a junior barrister", "the compliance officer", "the legal secretary", "the partner"],
        V=["annotates", "redlines", "files", "serves", "cross-references", "diarises", "summarises", "indexes", "challenges", "drafts"],
        O=["the disclosure bundle", "the witness statements", "the indemnity clause", "the limitation dates", "the engagement letter",
           "the board minutes", "the without-prejudice correspondence", "the settlement draft", "the exhibit list", "the data processing agreement"],
        C=["before the case management conference", "as soon as instructions arrive", "during the due diligence phase", "before anything is signed",
           "whenever a deadline moves", "after the mediation session", "at the start of each matter", "before the bundle goes to court",
           "once the other side responds", "during the annual compliance review"],
        R=["missed limitation dates are unforgiving", "courts expect tidy bundles", "ambiguity gets litigated", "clients pay for clarity",
           "it limits the firm's exposure", "the judge reads the index first", "it keeps privilege intact", "regulators ask for the reasoning",
           "drafts drift away from the deal", "it avoids costly amendments"],
        T=["contract review", "litigation deadlines", "employment disputes", "data protection", "company formation", "settlement talks"]),
    "manufacturing": dict(
        A=["the shift supervisor", "the quality engineer", "a machine operator", "the maintenance planner", "the process technician",
           "the production scheduler", "the safety officer", "an apprentice fitter", "the plant manager", "the metrology lab"],
        V=["calibrates", "inspects", "logs", "adjusts", "quarantines", "samples", "signs off", "retrains staff on", "replaces", "measures"],
        O=["the torque wrenches", "the first-article parts", "the scrap tally", "the coolant concentration", "the changeover checklist",
           "the lockout tags", "the gauge records", "the spare bearings", "the control charts", "the supplier certificates"],
        C=["at every shift change", "before the line restarts", "after a material change", "whenever the reject rate climbs",
           "during the planned shutdown", "ahead of a customer audit", "at the start of each batch", "when a new operator joins",
           "after any tooling crash", "once the night shift hands over"],
        R=["drift shows up in the parts long before the alarm", "customers audit the records", "unplanned downtime costs the most",
           "it keeps people's fingers safe", "scrap hides in the details", "it makes root cause analysis possible",
           "the auditors sample at random", "small deviations stack up", "it protects the warranty position", "memory is not a control"],
        T=["quality checks", "preventive maintenance", "line changeovers", "shop floor safety", "scrap reduction", "production planning"]),
    "finance": dict(
        A=["the household", "a young saver", "the couple", "a freelancer", "the retiree", "a student", "the family budgeter",
           "a new parent", "the small investor", "an expat"],
        V=["automates", "reviews", "caps", "tracks", "rebalances", "cancels", "negotiates", "sets aside", "splits", "compares"],
        O=["the grocery spending", "the subscription list", "the emergency fund", "the credit card statements", "the pension statements",
           "the insurance premiums", "the holiday savings", "the utility tariffs", "the index fund contributions", "the loan repayments"],
        C=["on the first of every month", "after each pay rise", "before the holidays", "whenever a bill renews", "at the end of the year",
           "during a quiet weekend", "when interest rates move", "before any big purchase", "after a windfall", "each spring"],
        R=["small leaks sink big budgets", "automation beats willpower", "compounding rewards patience", "renewal prices creep upward quietly",
           "it makes surprises less stressful", "debt costs more than it seems", "it keeps the goals visible", "lifestyle creep is subtle",
           "it reduces arguments about money", "future you has fewer choices"],
        T=["budgeting", "saving", "debt repayment", "investing basics", "subscriptions", "retirement planning"]),
    "events": dict(
        A=["the wedding planner", "the caterer", "the venue manager", "the best man", "the conference organiser", "the florist",
           "the stage manager", "a volunteer coordinator", "the photographer", "the bride's aunt"],
        V=["confirms", "walks through", "rebooks", "tastes", "measures", "rehearses", "prints", "briefs the team on", "reorders", "counts"],
        O=["the seating chart", "the dietary requirements", "the shuttle timings", "the table linen", "the running order",
           "the sound check", "the guest list", "the welcome packs", "the wet-weather plan", "the vendor contacts sheet"],
        C=["a week before the event", "on the morning itself", "after the final tasting", "whenever the numbers change",
           "before the deposit is due", "during the site visit", "once the invitations go out", "after the rehearsal",
           "when the forecast turns", "before the vendors arrive"],
        R=["guests remember the little hiccups", "vendors need a single source of truth", "timing slips compound through the day",
           "it keeps the couple calm", "last-minute changes cost extra", "rain ruins unprepared plans", "it makes the handover smooth",
           "nobody reads a long email on the day", "it prevents double bookings", "the budget depends on the final numbers"],
        T=["wedding planning", "conference logistics", "catering", "venues", "guest management", "event timelines"]),
    "data": dict(
        A=["the data engineer", "the analytics lead", "a dashboard owner", "the pipeline on-call", "the data steward",
           "a machine learning engineer", "the BI analyst", "the warehouse admin", "the governance board", "a new analyst"],
        V=["backfills", "deduplicates", "partitions", "documents", "validates", "monitors", "deprecates", "renames", "profiles", "snapshots"],
        O=["the event tables", "the customer dimension", "the nightly batch jobs", "the schema contracts", "the freshness checks",
           "the lineage graph", "the feature store", "the staging views", "the data dictionary", "the access grants"],
        C=["before each schema change", "after every late-arriving batch", "whenever a dashboard looks off", "at the end of each quarter",
           "during the migration", "once a new source is onboarded", "before the board meeting", "when costs spike",
           "after an upstream outage", "during the weekly data review"],
        R=["silent nulls ruin trust", "analysts copy whatever they find first", "backfills are cheaper when planned",
           "it keeps the lineage honest", "stale dashboards drive bad decisions", "governance reviews ask for it",
           "it limits compute costs", "downstream teams depend on stable names", "it prevents double counting", "auditors sample the pipelines"],
        T=["data pipelines", "dashboards", "data quality", "warehouse costs", "schema design", "data governance"]),
    "travel": dict(
        A=["the tour leader", "a backpacker", "the travel agent", "the family on holiday", "a business traveller", "the hostel owner",
           "the local guide", "a solo hiker", "the cruise passenger", "the exchange student"],
        V=["books", "packs", "photocopies", "checks", "reconfirms", "researches", "downloads", "splits", "budgets for", "plans"],
        O=["the rail passes", "the travel insurance documents", "the offline maps", "the visa requirements", "the luggage allowance",
           "the vaccination records", "the hotel cancellation terms", "the airport transfers", "the day-trip itinerary", "the currency needs"],
        C=["a month before leaving", "the night before departure", "on arrival in a new city", "whenever plans change", "during the layover",
           "before crossing a border", "at the start of the trip", "after a delayed connection", "when the weather shifts", "before booking anything"],
        R=["border officers are not flexible", "roaming charges add up", "cancellation terms vary wildly", "it makes delays less stressful",
           "lost documents are hard to replace abroad", "peak season sells out early", "it keeps the group together", "local holidays close things",
           "cash is still king in some places", "it leaves room for spontaneity"],
        T=["trip planning", "flights", "rail travel", "visas", "packing", "budget travel"]),
}
DOMAIN_NAMES = list(DOMAINS)

SENT_TPL = [
    "{A} {V} {O} {C}.",
    "{Cc}, {a} {V} {O}.",
    "{A} {V} {O}, mostly because {R}.",
    "In practice {a} {V} {O} {C}, since {R}.",
    "A habit worth keeping is that {a} {V} {O} {C}.",
    "It is common that {a} {V} {O} {C}, because {R}.",
    "From what I have seen, {a} {V} {O} {C}.",
    "{Cc}, it pays off when {a} {V} {O}, because {R}.",
    "The reason {a} {V} {O} {C} is simple: {R}.",
    "Ideally {a} {V} {O} {C}; otherwise {R2} becomes a problem.",
    "If {a} {V} {O} {C}, that is usually enough, because {R}.",
    "Nobody enjoys it, but {a} {V} {O} {C}.",
]
ASK_TPL = [
    "How often should {a} be expected to deal with {o} {c}?",
    "Is it normal that {a} {V} {O} {C}?",
    "Switching topics, what would you do if {a} {V} {O} {C}?",
    "Another thing about {t}: does it make sense that {a} {V} {O}?",
    "Can you explain why {a} {V} {O} {C}?",
    "Different subject, but when {a} {V} {O} {C}, is that a good idea?",
    "I keep wondering about {t}, specifically whether {a} should worry about {o} {c}.",
    "Quick one on {t}: who should own {o} if {a} is away {c}?",
    "Could you give me a few tips on {t}, especially on how {a} handles {o}?",
    "Would it be overkill if {a} {V} {O} {C}?",
]
TALK_WHEN = ["Yesterday", "Over the weekend", "Last night", "This morning", "On Sunday", "Earlier this week", "A few days ago",
             "Last Friday", "During lunch", "Right before the holidays", "After work", "On the way home"]
TALK_WHO = ["my neighbour", "my cousin", "my brother", "an old school friend", "my landlady", "my partner", "a colleague from accounts",
            "my aunt", "the barista downstairs", "my flatmate", "my niece", "the man who walks three beagles"]
TALK_EVENT = ["tried to repaint the hallway", "adopted a very loud parrot", "attempted sourdough for the first time", "got lost on a short hike",
              "ran a charity fun run", "rearranged the whole kitchen", "signed up for salsa lessons", "found an old box of letters",
              "locked the keys inside the car", "started a tiny balcony garden", "binge-watched a nature documentary",
              "entered a pub quiz", "bought a secondhand bicycle", "fixed a squeaky door with olive oil", "tried cold-water swimming"]
TALK_RESULT = ["which took far longer than planned", "and it went surprisingly well", "and now it is all anyone talks about",
               "which made everyone laugh", "and I am still not sure why", "so the evening turned chaotic", "which was oddly relaxing",
               "and the photos are hilarious", "and honestly it was the highlight of the week", "which cost more than expected",
               "so now there is a group chat about it", "and it rained the whole time"]
ACK_OPEN = ["Noted", "Understood", "Got it", "Thanks for flagging that", "Makes sense", "Good to know", "Okay", "Right",
            "Thanks, that helps", "Perfect"]
ACK_TAIL = ["I will keep that in mind while we look at {t}", "I will factor that into anything we plan around {t}",
            "that changes how I would approach {t}", "I will treat that as fixed when we get to {t}",
            "let me carry that forward into the {t} discussion", "I will work within that for {t}"]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class Filler:
    """Produces filler sentences that are unique across the whole set; every one is logged for verification."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.log: list[str] = []

    def _keep(self, s: str) -> bool:
        if s in self.used:
            return False
        self.used.add(s)
        self.log.append(s)
        return True

    def sentence(self, rng: random.Random, dom: str | None = None) -> str:
        for _ in range(500):
            d = DOMAINS[dom or rng.choice(DOMAIN_NAMES)]
            a, c = rng.choice(d["A"]), rng.choice(d["C"])
            s = rng.choice(SENT_TPL).format(A=_cap(a), a=a, V=rng.choice(d["V"]), O=rng.choice(d["O"]), C=c, Cc=_cap(c),
                                            R=rng.choice(d["R"]), R2=rng.choice(d["O"]))
            if self._keep(s):
                return s
        raise RuntimeError("filler space exhausted")

    def question(self, rng: random.Random, dom: str) -> str:
        d = DOMAINS[dom]
        for _ in range(500):
            c = rng.choice(d["C"])
            s = rng.choice(ASK_TPL).format(a=rng.choice(d["A"]), V=rng.choice(d["V"]), O=rng.choice(d["O"]), o=rng.choice(d["O"]),
                                           C=c, c=c, t=rng.choice(d["T"]))
            s = _cap(s)
            if self._keep(s):
                return s
        raise RuntimeError("question space exhausted")

    def smalltalk(self, rng: random.Random) -> str:
        for _ in range(500):
            s = f"{rng.choice(TALK_WHEN)}, {rng.choice(TALK_WHO)} {rng.choice(TALK_EVENT)}, {rng.choice(TALK_RESULT)}."
            if self._keep(s):
                return s
        return self.sentence(rng)

    def ack(self, rng: random.Random, dom: str) -> str:
        t = rng.choice(DOMAINS[dom]["T"])
        for _ in range(200):
            s = f"{rng.choice(ACK_OPEN)}, {rng.choice(ACK_TAIL).format(t=t)}."
            if self._keep(s):
                return s
            t = rng.choice(DOMAINS[rng.choice(DOMAIN_NAMES)]["T"])
        return self.sentence(rng, dom)

    def para(self, rng: random.Random, dom: str | None, n: int) -> str:
        return " ".join(self.sentence(rng, dom if rng.random() < 0.8 else None) for _ in range(n))


# --------------------------------------------------------------------------------------------------
# Case assembly
# --------------------------------------------------------------------------------------------------
def est_tokens(messages: list[dict]) -> int:
    n = 0
    for m in messages:
        n += len(m.get("content") or "")
        for c in m.get("tool_calls") or []:
            n += len(c["function"]["name"]) + len(c["function"]["arguments"])
    return n // 4


class Case:
    def __init__(self, F: Filler, kind: str, idx: int, target: int, dom: str) -> None:
        self.F, self.kind, self.idx, self.target, self.dom = F, kind, idx, target, dom
        self.rng = random.Random(f"heldout4/{kind}/{idx}")
        self.segments: list[tuple[float, list[dict]]] = []
        self.needed: list[str] = []
        self.stale: list[str] = []
        self.tools: list[dict] = []
        self._ids = 0

    # --- message helpers -------------------------------------------------------------------------
    @staticmethod
    def user(text: str) -> dict:
        return {"role": "user", "content": text}

    @staticmethod
    def asst(text: str) -> dict:
        return {"role": "assistant", "content": text}

    def call_id(self) -> str:
        self._ids += 1
        return "call_" + "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10)) + f"{self._ids:02d}"

    def sents(self, n: int, dom: str | None = None) -> str:
        return self.F.para(self.rng, dom or self.dom, n)

    def embed(self, fact: str, pre: int, post: int, dom: str | None = None) -> str:
        parts = [self.sents(pre, dom)] if pre else []
        parts.append(fact)
        if post:
            parts.append(self.sents(post, dom))
        return " ".join(parts)

    def reply(self, n: int, dom: str | None = None, ack: bool = True) -> str:
        d = dom or self.dom
        head = self.F.ack(self.rng, d) + " " if ack else ""
        return head + self.answer_body(n, d)

    def answer_body(self, n: int, dom: str) -> str:
        r = self.rng
        if n >= 6 and r.random() < 0.35:
            k = r.randint(3, min(6, n - 2))
            intro = self.F.sentence(r, dom)
            bullets = "\n".join("- " + self.F.sentence(r, dom) for _ in range(k))
            outro = self.sents(n - k - 1, dom)
            return f"{intro}\n\n{bullets}\n\n{outro}"
        if n >= 8 and r.random() < 0.5:
            h = n // 2
            return self.sents(h, dom) + "\n\n" + self.sents(n - h, dom)
        return self.sents(n, dom)

    def filler_pair(self) -> list[dict]:
        r = self.rng
        dom = self.dom if r.random() < 0.25 else r.choice(DOMAIN_NAMES)
        roll = r.random()
        if roll < 0.15:
            u = self.F.smalltalk(r) + " " + self.F.question(r, dom)
        elif roll < 0.3:
            u = self.F.sentence(r, dom) + " " + self.F.question(r, dom)
        else:
            u = self.F.question(r, dom)
        if r.random() < 0.12:
            u = u + " " + self.F.smalltalk(r)
        n = r.choice([3, 4, 5, 6, 6, 7, 8, 9, 10, 12, 14])
        a = self.answer_body(n, dom)
        if r.random() < 0.1:
            a = self.F.smalltalk(r) + " " + a
        return [self.user(u), self.asst(a)]

    def add(self, frac: float, msgs: list[dict]) -> None:
        assert msgs[0]["role"] == "user" and msgs[-1]["role"] == "assistant" and msgs[-1].get("content")
        self.segments.append((frac, msgs))

    def tool(self, name: str, desc: str, props: dict[str, str]) -> None:
        self.tools.append({"type": "function", "function": {
            "name": name, "description": desc,
            "parameters": {"type": "object", "properties": {k: {"type": v} for k, v in props.items()}, "required": list(props)}}})

    def tool_turn(self, calls: list[tuple[str, dict, str]], text: str) -> list[dict]:
        """calls: (name, args, result text) -> assistant tool_calls message + one tool message per call."""
        tcs, outs = [], []
        for name, args, result in calls:
            cid = self.call_id()
            tcs.append({"id": cid, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}})
            outs.append({"role": "tool", "tool_call_id": cid, "content": result})
        return [{"role": "assistant", "content": text, "tool_calls": tcs}] + outs

    # --- final assembly --------------------------------------------------------------------------
    def build(self, system: str, final: str) -> dict:
        fixed = [{"role": "system", "content": system}, self.user(final)] + [m for _, s in self.segments for m in s]
        need_chars = self.target * 4 - est_tokens(fixed) * 4
        pairs: list[list[dict]] = []
        got = 0
        while got < need_chars:
            p = self.filler_pair()
            pairs.append(p)
            got += est_tokens(p) * 4
        starts, acc = [], 0
        for p in pairs:
            starts.append(acc)
            acc += est_tokens(p) * 4
        segs = sorted(self.segments, key=lambda s: s[0])
        msgs = [{"role": "system", "content": system}]
        pi = 0
        for frac, seg in segs:
            cut = frac * acc
            while pi < len(pairs) and starts[pi] < cut:
                msgs += pairs[pi]
                pi += 1
            msgs += seg
        for p in pairs[pi:]:
            msgs += p
        msgs.append(self.user(final))
        case = {"id": f"{self.kind}-{self.idx + 1:02d}", "kind": self.kind, "budgets": list(BUDGETS), "messages": msgs,
                "needed": list(self.needed), "forbidden_stale": list(self.stale)}
        if self.tools:
            case["tools"] = self.tools
        return case


def system_prompt(role: str, extra: str) -> str:
    return f"You are {role}. {extra} Answer from the conversation when it already holds the information, and say so when it does not."


# ---------------- kind 1: early_constraint -------------------------------------------------------
EARLY = [
    dict(dom="events", role="an event-planning assistant for a three-day music festival",
         fact="Before we plan anything: the venue contract caps amplified sound at 85 dB after 22:00, and the manager told me they enforce it with a meter at the fence.",
         needed=["85 dB after 22:00"],
         final="For the late part of the closing-night DJ set, what loudness ceiling do I have to pass on to the sound crew?"),
    dict(dom="procurement", role="a purchasing assistant for a mid-sized furniture factory",
         fact="One rule from finance applies to everything we discuss: no single purchase order above EUR 18,400 goes out without a second signature from the plant controller.",
         needed=["EUR 18,400"],
         final="We want to order the new pallet racking in one go. Up to what amount can I sign that purchase on my own before somebody has to co-sign?"),
    dict(dom="events", role="a home-cooking and party-planning assistant",
         fact="Important for every recipe idea you give me: my daughter Noor is allergic to sesame and pine nuts, and we carry an adrenaline pen everywhere.",
         needed=["sesame and pine nuts"],
         final="For her birthday party menu, which ingredients did I tell you have to stay out completely?"),
    dict(dom="devops", role="a DevOps assistant helping with a database migration",
         fact="Ground rule for this whole migration: production changes are allowed only in the Thursday window 02:00-04:00 UTC, and each one needs a change ticket filed under board rule CB-7731.",
         needed=["02:00-04:00 UTC", "CB-7731"],
         final="I want to push the connection-pool change to production this week. When am I allowed to do it, and which board rule do I cite on the ticket?"),
    dict(dom="research", role="a research-administration assistant at a university",
         fact="A budget constraint from the funder that we must never forget: we cannot spend more than 12% of the award on travel, which is clause GR-5.3b in the grant letter.",
         needed=["12% of the award", "GR-5.3b"],
         final="If I add the Kyoto workshop trip, what is the ceiling on travel spending I have to stay under, and which clause of the grant letter sets it?"),
    dict(dom="travel", role="a travel-planning assistant",
         fact="Something to remember for the whole trip: my passport expires on 3 March 2027, and I only have one blank visa page left in it.",
         needed=["3 March 2027", "one blank visa page"],
         final="Could I run into trouble entering a country that wants six months of validity and a completely empty page, given my document situation?"),
]


def k_early_constraint(c: Case, sc: dict) -> tuple[str, str]:
    r = c.rng
    c.add(r.uniform(0.0, 0.12), [c.user(c.embed(sc["fact"], r.randint(0, 2), r.randint(0, 2))), c.asst(c.reply(r.randint(4, 8)))])
    c.needed += sc["needed"]
    return system_prompt(sc["role"], "Keep track of constraints the user states."), sc["final"]


# ---------------- kind 2: correction -------------------------------------------------------------
CORR = [
    dict(dom="travel", role="a travel assistant", old="gate C04", new="gate B17",
         first="My boarding pass for the Lisbon connection says gate C04, and boarding starts forty minutes before departure.",
         reuse=["Since you are starting from gate C04, give yourself time: that pier is one of the longer walks in the terminal.",
                "If gate C04 is at the far end of the pier, should I skip the coffee queue?",
                "The quickest route to gate C04 is usually past the duty-free hall, then left at the moving walkway."],
         fix="Correction from the airline app just now: they moved the Lisbon flight to gate B17, the one on my boarding pass is out of date.",
         final="Which gate do I need to walk to for the Lisbon flight?"),
    dict(dom="medicine", role="a family health-organising assistant (not a doctor)", old="2.5 mg", new="4.25 mg",
         first="The cardiologist's letter says Dad's evening warfarin dose is 2.5 mg, and his next blood test is in two weeks.",
         reuse=["With an evening dose of 2.5 mg, a pill organiser with a separate evening row helps avoid double doses.",
                "Should I write 2.5 mg on the fridge chart for the carers as well?",
                "Yes, putting 2.5 mg on the chart next to the time makes the routine clear for anyone helping out."],
         fix="I misread the letter, sorry. Looking again, the evening dose is 4.25 mg; the lower figure was from the previous letter.",
         final="How much warfarin should Dad take this evening according to the cardiologist's current letter?"),
    dict(dom="devops", role="a DevOps assistant", old="db-prim-03.eu-west.internal", new="db-prim-07.eu-west.internal",
         first="The primary database for the billing service is db-prim-03.eu-west.internal, and the migration job should point straight at it.",
         reuse=["Pointing the job at db-prim-03.eu-west.internal directly skips the proxy, so keep the statement timeout conservative.",
                "Should the read replica config also reference db-prim-03.eu-west.internal, or only the writer?",
                "Only the writer needs db-prim-03.eu-west.internal; replicas have their own endpoints."],
         fix="Update from the DBA channel: after last night's failover the primary is now db-prim-07.eu-west.internal, the old one was demoted.",
         final="Which hostname should I put in the DATABASE_HOST variable for the migration job?"),
    dict(dom="tax", role="a personal tax-preparation helper", old="$84,310", new="$86,952",
         first="My W-2 from the hospital shows box 1 wages of $84,310, and I also had a small amount of freelance income.",
         reuse=["With $84,310 in wages, your withholding probably covers most of the liability, so the freelance part drives the balance.",
                "Does $84,310 put me over the limit for the student loan interest deduction?",
                "At $84,310 you are still inside the phase-out range, so a partial deduction is likely."],
         fix="Ugh, I had the draft W-2. The corrected one they posted shows box 1 wages of $86,952 instead.",
         final="What figure should I type into the wages line of the return?"),
    dict(dom="procurement", role="a purchasing assistant", old="1,200 units", new="1,450 units",
         first="For the Halvorsen Metal order, engineering asked for 1,200 units of the M6 mounting bracket.",
         reuse=["At 1,200 units you qualify for the second price break on their list, which helps the margin.",
                "Would 1,200 units fit on a single pallet shipment, or do we need two?",
                "Two pallets are safer for 1,200 units given the weight limit their carrier uses."],
         fix="Engineering revised the build plan this morning: make it 1,450 units, the earlier quantity ignored the spares kit.",
         final="How many brackets should the purchase order to Halvorsen Metal show?"),
    dict(dom="events", role="a conference-organising assistant", old="Room 4.12", new="Room 2.08",
         first="The kickoff workshop on Monday is booked in Room 4.12 on the fourth floor of the east building.",
         reuse=["Room 4.12 holds about forty people, so the breakout exercise will need the corridor as well.",
                "Can you draft signage pointing people to Room 4.12 from reception?",
                "Here is a simple line for the signage: Kickoff workshop, Room 4.12, take the east lifts."],
         fix="Facilities just called: the fourth floor has a leak, so the kickoff workshop moves to Room 2.08 instead.",
         final="Where should attendees go for the kickoff workshop on Monday?"),
]


def k_correction(c: Case, sc: dict) -> tuple[str, str]:
    r = c.rng
    c.add(0.02, [c.user(c.embed(sc["first"], r.randint(0, 1), r.randint(0, 1))), c.asst(c.reply(r.randint(4, 7)))])
    ru = sc["reuse"]
    c.add(0.08, [c.user(c.F.question(r, c.dom)), c.asst(c.embed(ru[0], 1, r.randint(2, 5)))])
    c.add(0.14, [c.user(c.embed(ru[1], 1, 0)), c.asst(c.embed(ru[2], 0, r.randint(2, 5)))])
    c.add(r.uniform(0.22, 0.4), [c.user(c.embed(sc["fix"], 0, r.randint(0, 1))), c.asst(c.reply(r.randint(3, 6)))])
    c.needed.append(sc["new"])
    c.stale.append(sc["old"])
    return system_prompt(sc["role"], "Users sometimes correct earlier details; the latest correction wins."), sc["final"]


# ---------------- kind 3: doc_versions -----------------------------------------------------------
DOCV = [
    dict(dom="realestate", role="a tenancy assistant", title="Residential Tenancy Agreement, Flat 3, Marlow Court",
         clause="Either party may end this tenancy after the fixed term, subject to a notice period of {v} given in writing.",
         vals=["notice period of 60 days", "notice period of 75 days", "notice period of 90 days"], pick=2, twist=None,
         final="Under the newest draft of the lease, how much warning does either side have to give to end the tenancy?"),
    dict(dom="support", role="a contracts assistant for a software vendor", title="Support Services Schedule for Kestrel Analytics",
         clause="Priority-one incidents receive a {v} of the customer's report, around the clock.",
         vals=["first response within 30 minutes", "first response within 20 minutes", "first response within 15 minutes"], pick=1,
         twist="The customer's legal team rejected the third draft this morning, so the second version is the one both sides actually signed.",
         final="In the support schedule that was actually signed, how quickly do we have to answer a critical outage report?"),
    dict(dom="manufacturing", role="a manufacturing-engineering assistant", title="Drawing Notes and Inspection Spec, Housing HX-40",
         clause="The main bearing bore shall be machined to a bore diameter tolerance of {v} measured at twenty degrees Celsius.",
         vals=["tolerance of ±0.10 mm", "tolerance of ±0.08 mm", "tolerance of ±0.05 mm"], pick=2, twist=None,
         final="What tolerance does the latest revision of the spec give for the main bearing bore?"),
    dict(dom="support", role="an e-commerce policy assistant", title="Returns and Refunds Policy, Fernwood Home Goods",
         clause="Unworn and unused items are eligible for a full refund if returned {v}, with the original receipt.",
         vals=["within 30 days of delivery", "within 60 days of delivery", "within 45 days of delivery"], pick=2, twist=None,
         final="Per the most recent version of the returns policy, how long do customers have to send something back for their money?"),
    dict(dom="procurement", role="a pricing assistant for a SaaS sales team", title="Price Sheet, Orbit Workspace",
         clause="Enterprise tier: {v}, billed annually, minimum fifty seats.",
         vals=["$3.90 per seat per month", "$3.40 per seat per month", "$3.15 per seat per month"], pick=1,
         twist="Finance withdrew the third price sheet an hour after sending it; the second one remains the official price list.",
         final="What does the official price list charge for the Enterprise tier?"),
    dict(dom="devops", role="an operations-policy assistant", title="On-call and Escalation Policy, Payments Platform",
         clause="Pages that remain unacknowledged escalate to the secondary on-call {v} of the first alert.",
         vals=["after 10 minutes", "after 15 minutes", "after 12 minutes"], pick=2, twist=None,
         final="According to the newest escalation policy, how long before an ignored page goes to the backup engineer?"),
]

SECTION_NAMES = ["Definitions", "Scope", "Responsibilities", "Term and Renewal", "Payment", "Records", "Inspection", "Insurance",
                 "Confidentiality", "Variations", "Dispute Resolution", "Notices", "Health and Safety", "Data Handling", "Reporting",
                 "Subcontracting", "Warranties", "Limitations", "Termination", "Miscellaneous", "Quality", "Training", "Access", "Review"]


def document(c: Case, title: str, chars: int, dom: str, inserts: list[tuple[float, str]]) -> str:
    """A sectioned document of about `chars` characters; each insert (position 0..1, sentence) is placed in a paragraph."""
    r = c.rng
    paras: list[str] = []
    size = 0
    while size < chars:
        p = c.sents(r.randint(3, 7), dom)
        paras.append(p)
        size += len(p) + 2
    for pos, s in sorted(inserts):
        i = min(len(paras) - 1, int(pos * len(paras)))
        paras[i] = paras[i] + " " + s
    out = [title.upper(), ""]
    names = list(SECTION_NAMES)
    r.shuffle(names)
    sec = 0
    for i, p in enumerate(paras):
        if i % 3 == 0:
            sec += 1
            out.append(f"{sec}. {names[(sec - 1) % len(names)]}")
        out.append(f"{sec}.{i % 3 + 1} {p}")
        out.append("")
    return "\n".join(out).strip()


def k_doc_versions(c: Case, sc: dict) -> tuple[str, str]:
    r = c.rng
    doc_chars = int(c.target * 4 * r.uniform(0.12, 0.18))
    fracs = [0.02, r.uniform(0.1, 0.16), r.uniform(0.2, 0.3)]
    for v in range(3):
        doc = document(c, f"{sc['title']}, version {v + 1}", doc_chars, c.dom, [(r.uniform(0.3, 0.8), sc["clause"].format(v=sc["vals"][v]))])
        lead = ["Here is the first draft they sent over:", "They came back with version two, a few clauses changed:",
                "And now version three arrived, please keep it alongside the others:"][v]
        c.add(fracs[v], [c.user(lead + "\n\n" + doc), c.asst(c.reply(r.randint(4, 7)))])
    if sc["twist"]:
        c.add(fracs[2] + 0.06, [c.user(c.embed(sc["twist"], 0, 1)), c.asst(c.reply(r.randint(3, 5)))])
    c.needed.append(sc["vals"][sc["pick"]])
    c.stale += [v for i, v in enumerate(sc["vals"]) if i != sc["pick"]]
    return system_prompt(sc["role"], "Users paste several versions of documents; keep them apart."), sc["final"]


# ---------------- kind 4: deep_document ----------------------------------------------------------
DEEP = [
    dict(dom="manufacturing", role="a plant-maintenance assistant", title="Annual Mechanical Integrity Inspection Report, Pump House B",
         fact="Flange bolts on the east pump skid must be torqued to 47 N·m in a star pattern after any seal replacement.",
         look=["Flange bolts on the west pump skid are torqued to 35 N·m because of the softer gasket material."],
         needed=["47 N·m"], stale=["35 N·m"],
         final="What torque should the fitters use on the flange bolts of the east skid after they swap the seal?"),
    dict(dom="medicine", role="a clinical-research coordinator's assistant", title="Study Protocol CRX-18, Version Final",
         fact="Participants in the main cohort must complete a washout period of 21 days off their previous antihypertensive before the first dose.",
         look=["Participants in the open-label extension need only a washout period of 14 days because they are already on study drug."],
         needed=["washout period of 21 days"], stale=["washout period of 14 days"],
         final="How long must people in the main group stop their old blood-pressure tablets before they get the study medicine?"),
    dict(dom="devops", role="an SRE assistant", title="Postmortem: Checkout Outage on the Payments Platform",
         fact="In production the pgbouncer pool capped at 64 connections per node, which the new worker count exhausted within minutes.",
         look=["Staging had its pool capped at 128 connections per node, so the load test never reproduced the problem."],
         needed=["capped at 64 connections"], stale=["capped at 128 connections"],
         final="In the outage write-up, what limit on database connections turned out to be the trigger in the live environment?"),
    dict(dom="support", role="an HR-policy assistant", title="Employee Handbook, Northwind Logistics",
         fact="Employees on the standard contract may carry over at most 6 days of unused annual leave into the following leave year.",
         look=["Staff on the legacy Dublin contract may carry over up to 10 days of unused leave under their grandfathered terms."],
         needed=["at most 6 days"], stale=["up to 10 days"],
         final="How much unused holiday can a regular employee take with them into next year?"),
    dict(dom="realestate", role="a home-buying assistant", title="Level Three Building Survey, 14 Quarry Lane",
         fact="Damp meter readings along the skirting in the rear bedroom peaked at 28% WME, consistent with a failed damp-proof course.",
         look=["Readings in the front bedroom were a modest 14% WME and need no action."],
         needed=["28% WME"], stale=["14% WME"],
         final="What moisture figure did the surveyor record in the back bedroom?"),
    dict(dom="gaming", role="a game-design assistant", title="Design Document: Ashen Vault Raid",
         fact="The Warden enrages at 35% health, doubling its chain-pull frequency until the fight ends.",
         look=["The Ferryman enrages at 20% health but only gains movement speed."],
         needed=["enrages at 35% health"], stale=["enrages at 20% health"],
         final="At what point in the Warden fight does it go berserk?"),
]


def k_deep_document(c: Case, sc: dict) -> tuple[str, str]:
    r = c.rng
    doc_chars = int(c.target * 4 * r.uniform(0.4, 0.6))
    pos = r.uniform(0.55, 0.85)
    look_pos = r.choice([r.uniform(0.1, 0.4), r.uniform(0.88, 0.98)])
    doc = document(c, sc["title"], doc_chars, c.dom, [(pos, sc["fact"]), (look_pos, sc["look"][0])])
    c.add(r.uniform(0.0, 0.1), [c.user(f"I am pasting the full {sc['title']} so you can refer to it later.\n\n" + doc), c.asst(c.reply(r.randint(5, 9)))])
    c.needed += sc["needed"]
    c.stale += sc["stale"]
    return system_prompt(sc["role"], "The user pastes long documents for later reference."), sc["final"]


# ---------------- random field helpers (structured data, not prose) ------------------------------
def rid(r: random.Random, prefix: str, digits: int) -> str:
    return prefix + "".join(r.choice("0123456789") for _ in range(digits))


def rhex(r: random.Random, n: int) -> str:
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


def rdate(r: random.Random, year: int = 2026) -> str:
    return f"{year}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"


def rts(r: random.Random) -> str:
    return f"2026-11-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z"


FIRST = ["Ana", "Bilal", "Chloe", "Dmitri", "Esme", "Farah", "Goran", "Hana", "Ivo", "Jade", "Kofi", "Lena", "Mateo", "Nia",
         "Oskar", "Priya", "Quentin", "Rosa", "Sami", "Tove", "Umar", "Vera", "Wim", "Xenia", "Yusuf", "Zora"]
LAST = ["Abara", "Brandt", "Castillo", "Dahl", "Eriksen", "Fontaine", "Gallo", "Haddad", "Ionescu", "Jansen", "Kowalski", "Lindgren",
        "Moreau", "Nakamura", "Oduya", "Petrov", "Quinn", "Rossi", "Silva", "Tanaka", "Urquhart", "Varga", "Weiss", "Yilmaz", "Zeller"]


def rname(r: random.Random) -> str:
    return f"{r.choice(FIRST)} {r.choice(LAST)}"


def clean_rows(make, r: random.Random, n: int, avoid: list[str]) -> list:
    """n random rows from make(r); rows whose text would contain an avoided string are drawn again."""
    out = []
    while len(out) < n:
        row = make(r)
        txt = json.dumps(row) if not isinstance(row, str) else row
        if not any(a in txt for a in avoid):
            out.append(row)
    return out


# ---------------- kind 5: table_cell (CSV pasted, or a field in a big JSON tool result) -----------
def _csv_fasteners(r):
    sku = f"FX-{r.randint(1000, 9999)}-{r.choice('ABCDEFGHJKLMNPRSTUVWXYZ0123456789')}"
    desc = f"{r.choice(['hex bolt', 'socket cap screw', 'flange nut', 'spring washer', 'carriage bolt', 'wing nut', 'threaded rod', 'rivet'])} " \
           f"M{r.choice([3, 4, 5, 6, 8, 10, 12])}x{r.choice([8, 10, 12, 16, 20, 25, 30, 40, 50])} {r.choice(['A2', 'A4', 'zinc', 'galv', 'black'])}"
    return [sku, desc, str(r.choice([50, 100, 200, 250, 500, 1000])), f"{r.uniform(0.02, 2.5):.4f}", str(r.randint(2, 45)),
            r.choice(["Halvorsen Metal", "Brink Fasteners", "Duval & Fils", "Sato Industrial", "Kern GmbH"])]


def _csv_jobs(r):
    job = f"{r.choice(['ingest', 'load', 'sync', 'export', 'enrich', 'score'])}_{r.choice(['orders', 'returns', 'sessions', 'invoices', 'stock', 'leads', 'refunds', 'clicks'])}_{r.choice(['eu', 'us', 'nl', 'de', 'uk', 'jp', 'br'])}{r.choice(['', '_hourly', '_daily', '_v2', '_backfill'])}"
    return [job, r.choice(["data-platform", "growth-analytics", "finance-bi", "ml-features", "ops-reporting"]),
            f"{r.randint(0, 59)} {r.randint(0, 23)} * * {r.randint(0, 6)}", str(r.randint(40, 9000)), f"RB-{r.randint(1000, 9999)}",
            r.choice(["success", "success", "success", "failed", "skipped", "running"])]


def _csv_grades(r):
    return [f"S-{r.randint(10000, 99999)}", rname(r), f"{r.randint(35, 99)}.{r.choice([0, 5])}%", f"{r.randint(30, 99)}.{r.choice([0, 5])}%",
            r.choice(["A*", "A", "B", "C", "D", "E", "U"]), r.choice(["Hall A", "Hall B", "Gym", "Library", "Room 12"])]


TABLE_CSV = [
    dict(dom="procurement", role="a purchasing assistant", lead="Here is the fastener price list export from our ERP, please keep it handy:",
         header="sku,description,pack_qty,unit_price_eur,lead_time_days,supplier", make=_csv_fasteners,
         target=["FX-2291-B", "hex bolt M8x30 A2", "100", "0.3817", "12", "Brink Fasteners"], look=["FX-2291-8", "hex bolt M8x30 A4", "100", "0.4136", "15", "Brink Fasteners"],
         needed=["0.3817"], stale=["0.4136"], final="What is the per-piece euro price for FX-2291-B in that export?"),
    dict(dom="data", role="a data-platform assistant", lead="This is our scheduler's job inventory as CSV, I will ask about some of these later:",
         header="job_id,owner_team,cron,avg_runtime_s,runbook,last_status", make=_csv_jobs,
         target=["ingest_returns_nl", "ops-reporting", "41 4 * * 3", "2210", "RB-4471", "failed"], look=["ingest_returns_nl_v2", "ops-reporting", "41 5 * * 3", "2250", "RB-4417", "success"],
         needed=["RB-4471"], stale=["RB-4417"], final="The ingest_returns_nl job paged me. Which runbook code does the inventory list for it?"),
    dict(dom="education", role="a teaching assistant for a secondary school", lead="Pasting the Year 11 mock results export so we can plan interventions:",
         header="student_id,name,coursework,moderated_exam,predicted,exam_room", make=_csv_grades,
         target=["S-40117", "Maya Lindqvist", "71.0%", "63.5%", "B", "Hall B"], look=["S-40171", "Maya Lindquist", "68.5%", "58.0%", "C", "Hall A"],
         needed=["63.5%"], stale=["58.0%"], final="What moderated exam mark did Maya Lindqvist (S-40117) get in the mocks?"),
]


def _inv(r):
    return {"invoice_id": f"INV-{r.randint(10000, 99999)}", "issued": rdate(r), "due_date": rdate(r), "amount": f"{r.uniform(200, 40000):,.2f}",
            "currency": "EUR", "status": r.choice(["open", "open", "paid", "overdue", "disputed"]), "po_ref": rid(r, "PO-", 6),
            "memo": r.choice(["freight", "storage", "customs handling", "pallet hire", "demurrage", "insurance surcharge"])}


def _claim(r):
    return {"claim_id": f"CLM-{r.randint(10000, 99999)}", "loss_date": rdate(r), "peril": r.choice(["escape of water", "storm", "theft", "fire", "accidental damage", "subsidence"]),
            "reserve_amount": f"{r.uniform(300, 60000):.2f}", "adjuster": rname(r), "status": r.choice(["open", "closed", "reopened", "in review"]),
            "excess": r.choice([100, 250, 350, 500, 1000])}


def _lot(r):
    return {"lot_id": f"L-{r.randint(1000, 9999)}", "part": r.choice(["HX-40 housing", "shaft S2", "bearing cap", "seal carrier", "end plate"]),
            "supplier_lot": f"{r.choice(['HX', 'KT', 'MB', 'RZ'])}-{r.randint(1000, 9999)}-{r.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}",
            "heat_number": rid(r, "H", 7), "received": rdate(r), "qty": r.randint(20, 2000), "inspection": r.choice(["pass", "pass", "pass", "hold", "reject"])}


TABLE_JSON = [
    dict(dom="support", role="an accounts-receivable assistant with access to the billing system",
         ask="Pull every invoice we have on file for Norberg Freight, I need to go through them with their AP team.",
         tool=("list_invoices", "List all invoices for a customer account.", {"customer": "string"}), args={"customer": "Norberg Freight"}, key="invoices", make=_inv,
         target={"invoice_id": "INV-88213", "issued": "2026-02-15", "due_date": "2026-03-17", "amount": "14,920.40", "currency": "EUR", "status": "open", "po_ref": "PO-551902", "memo": "customs handling"},
         look={"invoice_id": "INV-88231", "issued": "2026-02-25", "due_date": "2026-03-27", "amount": "14,290.40", "currency": "EUR", "status": "open", "po_ref": "PO-551920", "memo": "customs handling"},
         needed=["2026-03-17", "14,920.40"], stale=["2026-03-27", "14,290.40"],
         final="Their AP clerk is asking about INV-88213: what is the amount and by when do they have to pay it?"),
    dict(dom="insurance", role="a claims-desk assistant with access to the claims system",
         ask="Fetch all claims on policy HP-7719034 so I can prepare for the renewal call.",
         tool=("get_claims", "Return every claim recorded on a policy.", {"policy": "string"}), args={"policy": "HP-7719034"}, key="claims", make=_claim,
         target={"claim_id": "CLM-30571", "loss_date": "2025-10-04", "peril": "escape of water", "reserve_amount": "18250.75", "adjuster": "Lena Dahl", "status": "open", "excess": 350},
         look={"claim_id": "CLM-30517", "loss_date": "2025-07-14", "peril": "escape of water", "reserve_amount": "12850.75", "adjuster": "Lena Dahl", "status": "closed", "excess": 350},
         needed=["18250.75"], stale=["12850.75"], final="How much is reserved on claim CLM-30571 at the moment?"),
    dict(dom="manufacturing", role="a quality-engineering assistant with access to the MES",
         ask="Get the lot genealogy for the HX-40 housings received this year, a customer complaint came in.",
         tool=("get_lot_genealogy", "List received lots and their supplier traceability for a part family.", {"part_family": "string", "year": "integer"}),
         args={"part_family": "HX-40", "year": 2026}, key="lots", make=_lot,
         target={"lot_id": "L-7713", "part": "HX-40 housing", "supplier_lot": "HX-5520-Q", "heat_number": "H4409127", "received": "2026-05-06", "qty": 640, "inspection": "pass"},
         look={"lot_id": "L-7731", "part": "HX-40 housing", "supplier_lot": "HX-5502-Q", "heat_number": "H4409172", "received": "2026-06-05", "qty": 460, "inspection": "pass"},
         needed=["HX-5520-Q"], stale=["HX-5502-Q"], final="The complaint traces back to our lot L-7713. What supplier lot does that correspond to, so I can raise it with them?"),
]


def k_table_cell(c: Case, sc: dict) -> tuple[str, str]:
    r = c.rng
    keys = [x[0] if isinstance(x, list) else next(iter(x.values())) for x in (sc["target"], sc["look"])]
    avoid = sc["needed"] + sc["stale"] + keys
    share = r.uniform(0.35, 0.55)
    if "header" in sc:
        one = len(",".join(sc["make"](random.Random(1)))) + 1
        n = max(60, int(c.target * 4 * share / one))
        rows = [",".join(x) for x in clean_rows(sc["make"], r, n, avoid)]
        rows.insert(r.randint(n // 3, n - 5), ",".join(sc["target"]))
        rows.insert(r.randint(n // 2, n), ",".join(sc["look"]))
        body = sc["lead"] + "\n\n" + sc["header"] + "\n" + "\n".join(rows)
        c.add(r.uniform(0.0, 0.12), [c.user(body), c.asst(c.reply(r.randint(5, 8)))])
    else:
        name, desc, props = sc["tool"]
        c.tool(name, desc, props)
        one = len(json.dumps(sc["make"](random.Random(1)))) + 2
        n = max(60, int(c.target * 4 * share / one))
        recs = clean_rows(sc["make"], r, n, avoid)
        recs.insert(r.randint(n // 4, n // 2), sc["target"])
        recs.insert(r.randint(n // 2, n), sc["look"])
        result = json.dumps({sc["key"]: recs, "count": len(recs), "generated_at": rts(r)}, indent=1)
        seg = [c.user(sc["ask"])] + c.tool_turn([(name, sc["args"], result)], f"I will call {name} for that.")
        seg.append(c.asst(c.reply(r.randint(4, 7), ack=False)))
        c.add(r.uniform(0.02, 0.15), seg)
    c.needed += sc["needed"]
    c.stale += sc["stale"]
    return system_prompt(sc["role"], "Tables and tool results can be large; refer to exact cells when asked."), sc["final"]


# ---------------- kind 6: agent_loop -------------------------------------------------------------
LOG_MSGS = ["GET /v1/cart {n}ms status=200", "POST /v1/checkout/quote {n}ms status=200", "cache miss key=sku:{h}", "retrying upstream call attempt={d}",
            "connection pool wait {n}ms", "GET /healthz {d}ms status=200", "inventory reservation ok sku={h}", "slow query {n}ms table=orders",
            "feature flag evaluated flag=new_tax_engine value=false", "upstream 503 from tax-service, backing off {n}ms",
            "worker heartbeat queue_depth={d}", "session refreshed user={h}", "webhook delivered id={h} status=202", "gc pause {d}ms"]


def log_line(r: random.Random, svc: str) -> str:
    msg = r.choice(LOG_MSGS).format(n=r.randint(3, 2400), d=r.randint(1, 9), h=rhex(r, 8))
    lvl = r.choice(["INFO", "INFO", "INFO", "DEBUG", "WARN"])
    return f"{rts(r)} {lvl:<5} svc={svc} trace_id={rhex(r, 12)} {msg}"


def _deploy(r):
    return {"revision": r.randint(150, 209), "release": f"payments-api 2.{r.randint(8, 13)}.{r.randint(0, 9)}", "image_digest": "sha256:" + rhex(r, 16),
            "deployed_at": rts(r), "deployed_by": rname(r), "status": r.choice(["superseded", "superseded", "rolled_back"]), "change_ticket": rid(r, "CHG-", 5)}


def _image(r):
    return {"digest": "sha256:" + rhex(r, 16), "base": r.choice(["distroless/python3", "alpine:3.20", "debian:bookworm-slim"]), "built_at": rts(r),
            "commit": rhex(r, 12), "size_mb": r.randint(80, 900), "scan": r.choice(["clean", "clean", "2 low", "1 medium"])}


def _metric(r):
    return {"ts": rts(r), "p50_ms": r.randint(20, 200), "p99_ms": r.randint(200, 4000), "error_rate": round(r.uniform(0, 0.2), 4), "rps": r.randint(50, 3000)}


def _customer(r):
    n = rname(r)
    return {"customer_id": rid(r, "C-", 6), "name": n, "email": n.lower().replace(" ", ".") + "@example.net", "tier": r.choice(["standard", "plus", "trade"]), "since": rdate(r, 2021)}


def _order(r):
    return {"order_id": rid(r, "ORD-", 7), "item": r.choice(["toaster, two slot", "kettle, matt black", "blender jug", "coffee grinder", "stand mixer bowl", "milk frother"]),
            "customer": rname(r), "placed": rdate(r), "status": r.choice(["delivered", "shipped", "processing", "returned"]), "tracking": "1Z" + rid(r, "", 4) + rhex(r, 4).upper() + rid(r, "", 8)}


def _tracking(r):
    return {"tracking": "1Z" + rid(r, "", 4) + rhex(r, 4).upper() + rid(r, "", 8), "ts": rts(r), "location": r.choice(["Leeds hub", "Derby depot", "Manchester", "Coventry sort centre", "Sheffield"]),
            "event": r.choice(["arrived at facility", "departed facility", "out for delivery", "delivery attempted", "label created"])}


def _ticket(r):
    return {"ticket_id": rid(r, "T-", 6), "opened": rdate(r), "status": r.choice(["open", "pending", "solved"]), "channel": r.choice(["email", "chat", "phone"])}


def _count(r):
    return {"table": r.choice(["customers", "order_lines", "payments", "shipments", "refunds", "addresses", "coupons"]) + r.choice(["", "_archive", "_staging"]),
            "row_count": r.randint(10000, 9999999), "checked_at": rts(r)}


def _column(r):
    return {"column": r.choice(["id", "customer_id", "created_at", "updated_at", "status", "total_cents", "currency", "channel", "region", "notes"]) + r.choice(["", "_v2", "_old"]),
            "type": r.choice(["bigint", "text", "timestamptz", "integer", "numeric(12,2)", "boolean"]), "nullable": r.choice([True, False]), "default": r.choice([None, "now()", "0", "'EUR'"])}


def _backup(r):
    t = r.choice(["customers", "payments", "shipments", "order_lines"])
    return {"backup": f"{t}_{r.choice(['2023', '2024', '2025'])}_{r.choice(['bak', 'snap', 'pre_migration'])}", "row_count": r.randint(10000, 9999999), "created": rts(r)}


def _patient(r):
    return {"patient_key": "pk_" + rhex(r, 8), "name": rname(r), "dob": f"19{r.randint(30, 99)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
            "mrn": "MRN-" + rid(r, "", 7), "ward": r.choice(["Cedar", "Oak", "Birch", "Maple", "Willow"]) + f" {r.randint(1, 6)}"}


def _allergy(r):
    return {"substance": r.choice(["penicillin", "latex", "codeine", "shellfish", "ibuprofen", "iodine contrast", "trimethoprim"]), "reaction": r.choice(["rash", "nausea", "wheeze", "swelling", "unknown"]),
            "severity": r.choice(["mild", "moderate", "severe"]), "recorded": rdate(r, 2024)}


def _med(r):
    return {"drug": r.choice(["amlodipine", "metformin", "atorvastatin", "ramipril", "omeprazole", "bisoprolol", "apixaban", "levothyroxine"]),
            "dose": f"{r.choice([2.5, 5, 10, 20, 40, 500, 850])} {r.choice(['mg', 'mg', 'microgram'])}", "route": "oral", "frequency": r.choice(["once daily", "twice daily", "at night"]), "start": rdate(r, 2025)}


def _lab(r):
    return {"test": r.choice(["eGFR", "potassium", "sodium", "haemoglobin", "INR", "CRP", "ALT", "HbA1c"]), "value": round(r.uniform(0.5, 140), 1),
            "flag": r.choice(["", "", "H", "L"]), "taken": rts(r)}


def _quote(r):
    return {"quote_id": f"Q-{r.randint(10000, 99999)}-{r.choice('ABCDEFGHJK')}{r.choice('ABCDEFGHJK')}", "vendor": r.choice(["Calder Office", "Pinemoor Supplies", "Uptown Seating", "Norden Interiors", "Vale Furniture"]),
            "vendor_id": rid(r, "V-", 4), "item": r.choice(["ergonomic task chair", "sit-stand desk", "monitor arm", "pedestal drawer", "meeting chair"]),
            "qty": r.randint(10, 200), "total": f"${r.uniform(1000, 90000):,.2f}", "valid_until": rdate(r)}


def _qline(r):
    return {"line": r.randint(1, 40), "sku": rid(r, "SK", 6), "desc": r.choice(["chair base", "gas lift", "armrest pair", "castor set", "delivery", "assembly", "mesh back"]),
            "qty": r.randint(1, 200), "unit_price": round(r.uniform(3, 400), 2)}


def _vendor(r):
    return {"vendor_id": rid(r, "V-", 4), "rating": round(r.uniform(2.5, 5), 1), "payment_terms": r.choice(["net 30", "net 45", "net 60"]), "contact": rname(r)}


def _span(r):
    return {"span": r.choice(["http.request", "db.query", "cache.get", "tax.quote", "payment.authorise", "queue.publish"]), "service": r.choice(["checkout", "cart", "tax", "payments", "inventory"]),
            "duration_ms": r.randint(1, 3000), "status": r.choice(["ok", "ok", "ok", "error"])}


def _alert(r):
    return {"alert": r.choice(["HighLatencyP99", "ErrorBudgetBurn", "PodRestarts", "QueueBacklog", "DiskPressure"]), "fired_at": rts(r), "severity": r.choice(["warning", "critical"]),
            "state": r.choice(["firing", "resolved"])}


AGENT = [
    dict(dom="devops", role="an SRE agent with read access to deployment, logging and metrics tools",
         request="Checkout started returning 502s about an hour ago. Dig through the payments-api deployments, logs, image metadata and metrics and work out what changed.",
         tools=[("get_deployments", "Deployment history of a service.", {"service": "string"}, _deploy, lambda r: {"service": "payments-api"}),
                ("search_logs", "Search a service's logs.", {"service": "string", "query": "string"}, "log:payments-api", lambda r: {"service": "payments-api", "query": r.choice(["status>=500", "timeout", "pool", "upstream"])}),
                ("describe_image", "Metadata of a container image.", {"digest": "string"}, _image, lambda r: {"digest": "sha256:" + rhex(r, 16)}),
                ("get_metrics", "Time series of latency and error metrics.", {"service": "string", "metric": "string"}, _metric, lambda r: {"service": r.choice(["payments-api", "checkout-web", "tax-service"]), "metric": "http"})],
         need_tool=0, need_rec={"revision": 212, "release": "payments-api 2.14.3", "image_digest": "sha256:9f3c2ab7e1d04c55", "deployed_at": "2026-11-28T13:02:44Z", "deployed_by": "Goran Varga", "status": "live", "change_ticket": "CHG-40981"},
         stale_tool=2, stale_rec={"digest": "sha256:9f3c2ab7e1d04c5b", "base": "distroless/python3", "built_at": "2026-11-27T22:10:05Z", "commit": "a41c0e9f2b7d", "size_mb": 212, "scan": "clean", "note": "rollback candidate"},
         needed=["sha256:9f3c2ab7e1d04c55"], stale=["sha256:9f3c2ab7e1d04c5b"],
         final="Which exact image digest was live for payments-api when the 502s began? I want to pin it in the incident ticket."),
    dict(dom="support", role="a customer-support agent with access to the order system",
         request="Mrs Adaeze Okafor says her replacement kettle never arrived. Check her account, her orders, her tickets and the carrier scans, then tell me what happened.",
         tools=[("list_orders", "Orders for a customer search string.", {"customer": "string"}, _order, lambda r: {"customer": r.choice(["Okafor", "A. Okafor", rname(r)])}),
                ("lookup_customer", "Find customer accounts.", {"query": "string"}, _customer, lambda r: {"query": r.choice(["okafor", "adaeze", "kettle replacement"])}),
                ("get_tracking", "Carrier scan events for a tracking number.", {"tracking_number": "string"}, _tracking, lambda r: {"tracking_number": "1Z" + rid(r, "", 4) + rhex(r, 4).upper() + rid(r, "", 8)}),
                ("list_tickets", "Support tickets on an account.", {"customer_id": "string"}, _ticket, lambda r: {"customer_id": rid(r, "C-", 6)})],
         need_tool=0, need_rec={"order_id": "ORD-5528104", "item": "replacement kettle, brushed steel", "customer": "Adaeze Okafor", "placed": "2026-11-19", "status": "shipped", "tracking": "1Z8F47A20391846627"},
         stale_tool=2, stale_rec={"tracking": "1Z8F47A20391846672", "ts": "2026-11-27T09:14:00Z", "location": "Leeds hub", "event": "out for delivery", "recipient": "B. Okafor"},
         needed=["1Z8F47A20391846627"], stale=["1Z8F47A20391846672"],
         final="Give me the tracking number of Mrs Okafor's replacement kettle so I can paste it into my reply to her."),
    dict(dom="data", role="a database-migration agent with SQL access",
         request="We cut the orders service over to the new cluster tonight. Count the rows in the live tables, describe the schemas, list the backups and tell me if anything looks off.",
         tools=[("run_sql", "Run a read-only SQL query.", {"query": "string"}, _count, lambda r: {"query": f"select count(*) from {r.choice(['customers', 'payments', 'shipments', 'refunds'])}"}),
                ("describe_table", "Columns of a table.", {"table": "string"}, _column, lambda r: {"table": r.choice(["orders", "order_lines", "payments", "customers"])}),
                ("list_backups", "Backups and snapshots in a schema.", {"schema": "string"}, _backup, lambda r: {"schema": r.choice(["public", "archive", "migration"])})],
         need_tool=0, need_rec={"table": "orders", "row_count": 1843221, "checked_at": "2026-11-28T21:04:10Z"},
         stale_tool=2, stale_rec={"backup": "orders_2024_bak", "row_count": 1843122, "created": "2026-11-28T20:40:00Z"},
         needed=["1843221"], stale=["1843122"],
         final="Before the cutover, how many rows did the live orders table have in the first count you ran?"),
    dict(dom="medicine", role="a clinical-pharmacy agent with read access to the patient record",
         request="Mr Jon Ellery on Cedar ward needs a pharmacy review. Find his record and gather his allergies, current medications and recent labs.",
         tools=[("search_patients", "Search patients by name.", {"name": "string"}, _patient, lambda r: {"name": r.choice(["Ellery", "Elery", "Ellary", "J Ellery"])}),
                ("get_allergies", "Allergies for a patient key.", {"patient_key": "string"}, _allergy, lambda r: {"patient_key": r.choice(["pk_3c91e0aa", "pk_" + rhex(r, 8)])}),
                ("get_medications", "Current medications for a patient key.", {"patient_key": "string"}, _med, lambda r: {"patient_key": "pk_3c91e0aa"}),
                ("get_labs", "Recent lab results for a patient key.", {"patient_key": "string"}, _lab, lambda r: {"patient_key": "pk_3c91e0aa"})],
         need_tool=0, need_rec={"patient_key": "pk_3c91e0aa", "name": "Jon Ellery", "dob": "1958-04-19", "mrn": "MRN-0048213", "ward": "Cedar 4"},
         stale_tool=0, stale_rec={"patient_key": "pk_77b2d410", "name": "Jon Ellary", "dob": "1985-04-19", "mrn": "MRN-0048231", "ward": "Oak 2"},
         needed=["MRN-0048213"], stale=["MRN-0048231"],
         final="Give me the record number of the patient I asked about so I can put it on the pharmacy request form."),
    dict(dom="procurement", role="a purchasing agent with access to the quotes system",
         request="We need 120 task chairs for the new office. Search the quotes, open the promising ones, check the vendors and compare.",
         tools=[("search_quotes", "Search supplier quotes by item.", {"item": "string"}, _quote, lambda r: {"item": r.choice(["task chair", "chair", "seating", "ergonomic chair"])}),
                ("get_quote", "Line items of a quote.", {"quote_id": "string"}, _qline, lambda r: {"quote_id": f"Q-{r.randint(10000, 99999)}-{r.choice('ABCDEFGHJK')}{r.choice('ABCDEFGHJK')}"}),
                ("get_vendor", "Vendor master data.", {"vendor_id": "string"}, _vendor, lambda r: {"vendor_id": rid(r, "V-", 4)})],
         need_tool=0, need_rec={"quote_id": "Q-55120-AC", "vendor": "Brightline Office Supply", "vendor_id": "V-3301", "item": "ergonomic task chair", "qty": 120, "total": "$48,250.00", "valid_until": "2026-12-31"},
         stale_tool=0, stale_rec={"quote_id": "Q-55120-AG", "vendor": "Brightline Office Solutions", "vendor_id": "V-3310", "item": "ergonomic task chair", "qty": 120, "total": "$47,980.00", "valid_until": "2026-12-15"},
         needed=["Q-55120-AC", "$48,250.00"], stale=["Q-55120-AG", "$47,980.00"],
         final="What is the quote ID and the total from Brightline Office Supply for the chairs?"),
    dict(dom="devops", role="an observability agent with log, trace and alert tools",
         request="Customers report failed checkouts since this morning. Go through the checkout logs, pull traces and alerts, and find the first failure.",
         tools=[("query_logs", "Query logs for a service and time window.", {"service": "string", "window": "string"}, "log:checkout", lambda r: {"service": "checkout", "window": r.choice(["06:00-07:00", "07:00-08:00", "08:00-09:00", "09:00-10:00"])}),
                ("get_trace", "Spans of one trace.", {"trace_id": "string"}, _span, lambda r: {"trace_id": rhex(r, 12)}),
                ("list_alerts", "Alerts for a service.", {"service": "string"}, _alert, lambda r: {"service": r.choice(["checkout", "payments", "tax"])})],
         need_tool=0, need_rec="2026-11-28T06:12:09Z ERROR svc=checkout trace_id=7b1e44c09a5d payment authorisation failed order=ORD-7730215 code=card_gateway_timeout (first failure in window)",
         stale_tool=0, stale_rec="2026-11-28T09:48:51Z ERROR svc=checkout trace_id=7b1e44c09a5b payment authorisation failed order=ORD-7730251 code=card_gateway_timeout",
         needed=["7b1e44c09a5d"], stale=["7b1e44c09a5b"],
         final="Which trace ID belonged to the very first failed checkout in the logs?"),
]


def tool_result(c: Case, spec, chars: int, extra=None, extra_pos: float = 0.5) -> str:
    r = c.rng
    kind = spec[3]
    if isinstance(kind, str):
        svc = kind.split(":", 1)[1]
        lines = []
        while sum(len(x) + 1 for x in lines) < chars:
            lines.append(log_line(r, svc))
        if extra is not None:
            lines.insert(int(extra_pos * len(lines)), extra)
        return "\n".join(lines)
    one = len(json.dumps(kind(random.Random(2)))) + 4
    recs = [kind(r) for _ in range(max(3, chars // one))]
    if extra is not None:
        recs.insert(int(extra_pos * len(recs)), extra)
    return json.dumps({"results": recs, "count": len(recs), "truncated": False}, indent=1)


def k_agent_loop(c: Case, sc: dict) -> tuple[str, str]:
    r = c.rng
    for name, desc, props, _k, _a in sc["tools"]:
        c.tool(name, desc, props)
    total = r.randint(10, 18)
    groups: list[int] = []
    left = total
    par_slots = set(r.sample(range(1, 7), 2))
    while left > 0:
        g = min(left, r.choice([2, 3])) if len(groups) in par_slots else 1
        groups.append(g)
        left -= g
    need_g = r.randint(0, 1)
    stale_g = len(groups) - 1 - r.randint(0, 1)
    loop_chars = c.target * 4 * r.uniform(0.6, 0.8)
    per = loop_chars / total
    seg = [c.user(sc["request"])]
    narr = ["Starting with {}.", "Next, {}.", "Now checking {}.", "Following up with {}.", "Pulling {} as well.", "Cross-checking with {}."]
    for gi, g in enumerate(groups):
        calls = []
        for j in range(g):
            if gi == need_g and j == 0:
                spec = sc["tools"][sc["need_tool"]]
                args = spec[4](r)
                res = tool_result(c, spec, int(per * r.uniform(0.7, 1.3)), sc["need_rec"], r.uniform(0.05, 0.4))
            elif gi == stale_g and j == 0:
                spec = sc["tools"][sc["stale_tool"]]
                args = spec[4](r)
                res = tool_result(c, spec, int(per * r.uniform(0.7, 1.3)), sc["stale_rec"], r.uniform(0.3, 0.9))
            else:
                spec = r.choice(sc["tools"])
                args = spec[4](r)
                res = tool_result(c, spec, int(per * r.uniform(0.5, 1.5)))
            calls.append((spec[0], args, res))
        text = narr[gi % len(narr)].format(" and ".join(f"{n}({', '.join(str(v) for v in a.values())})" for n, a, _ in calls))
        seg += c.tool_turn(calls, text)
    seg.append(c.asst(c.reply(r.randint(6, 10), ack=False)))
    c.add(1.0, seg)
    c.needed += sc["needed"]
    c.stale += sc["stale"]
    return system_prompt(sc["role"], "Use the tools, then report back."), sc["final"]


# ---------------- kind 7: topic_return -----------------------------------------------------------
TOPIC = [
    dict(dom="realestate", role="a home-improvement assistant",
         facts=[("user", "The loft conversion quote from Harrow Build came in at £38,600 including the rear dormer, which is more than I hoped.")],
         needed=["£38,600"], final="Going back to the loft project from the very start: what did the builder's price come to, dormer included?"),
    dict(dom="education", role="a parent-support assistant for school matters",
         facts=[("user", "The school's assessment put Mila's reading age at 7 years 4 months, while she is actually nine."),
                ("assistant", "For a gap like that, a structured phonics catch-up three times a week tends to work better than extra homework.")],
         needed=["7 years 4 months"], final="Back to my daughter's literacy support: what level did the assessment put her at?"),
    dict(dom="gaming", role="a gaming assistant for a speedrunning group",
         facts=[("user", "Our current route clips through the wall right after checkpoint K-9, saving about twelve seconds when it works."),
                ("assistant", "That clip is frame-sensitive, so practice it in isolation with a save state before stringing full runs together.")],
         needed=["checkpoint K-9"], final="Returning to the speedrun we talked about first: where in the route was the wall clip?"),
    dict(dom="insurance", role="a home-insurance helper",
         facts=[("user", "For the kitchen flood, my claim reference is HM-20931-W and the adjuster valued the damaged floor at £4,780.")],
         needed=["HM-20931-W", "£4,780"], final="Coming back to the kitchen water claim: what is my reference, and what value did they put on the floor?"),
    dict(dom="law", role="a legal-research assistant for a small firm",
         facts=[("user", "On the Ferris matter, our notes put the limitation date for the contract claim at 14 August 2027."),
                ("assistant", "With that date, diarise a review at least three months before so there is time to issue if talks stall.")],
         needed=["14 August 2027"], final="Back to the Ferris file: when does the contract claim become time-barred?"),
    dict(dom="data", role="an analytics-engineering assistant",
         facts=[("user", "The revenue dashboard in Looker reads from analytics.fct_orders_v3, not the older mart, which confuses people.")],
         needed=["analytics.fct_orders_v3"], final="About the revenue dashboard we discussed at the beginning: which warehouse table is it built on?"),
]


def k_topic_return(c: Case, sc: dict) -> tuple[str, str]:
    r = c.rng
    f = r.uniform(0.02, 0.1)
    seg = [c.user(c.F.question(r, c.dom)), c.asst(c.reply(r.randint(4, 7), ack=False))]
    for role, fact in sc["facts"]:
        if role == "user":
            seg += [c.user(c.embed(fact, r.randint(0, 1), r.randint(0, 1))), c.asst(c.reply(r.randint(4, 8)))]
        else:
            seg += [c.user(c.F.question(r, c.dom)), c.asst(c.embed(fact, r.randint(1, 2), r.randint(2, 4)))]
    seg += [c.user(c.F.question(r, c.dom)), c.asst(c.reply(r.randint(4, 7), ack=False))]
    c.add(f, seg)
    c.needed += sc["needed"]
    return system_prompt(sc["role"], "Conversations wander between topics."), sc["final"]


# ---------------- kind 8: assistant_decision -----------------------------------------------------
DECIDE = [
    dict(dom="events", role="a wedding-planning assistant",
         ask="We need a place for the rehearsal dinner, about thirty people, walkable from the church, and not too formal. What are the options?",
         options="Three places fit what you describe: the Seaview Harbour Room, which is elegant but pricey; Ostler's Barn, rustic with a long table; and a third I will come back to once you tell me the budget.",
         criteria="Budget is tight and my parents hate stairs, so anything upstairs is out.",
         decision="My recommendation: book The Granary at Wexcombe. It is step-free, the set menu fits your budget, and it is a short walk from the church.",
         needed=["The Granary at Wexcombe"], stale=["Seaview Harbour Room", "Ostler's Barn"],
         final="Remind me where we agreed the night-before-the-wedding meal should happen?"),
    dict(dom="gaming", role="a release-management assistant for a game studio",
         ask="QA gave us three candidate builds for the console submission. Can you summarise what they found?",
         options="From the QA summary: RC-4409 has a rare save-corruption bug, RC-4412 fixes it but drops frames in the harbour level, and there is a newer build still in testing.",
         criteria="The newer one just cleared the overnight soak test with no crashes.",
         decision="Then ship RC-4417 to certification. It carries the save fix, the harbour frame drops are gone, and the soak run was clean.",
         needed=["RC-4417"], stale=["RC-4409", "RC-4412"],
         final="Which candidate did we say goes to the platform holder for approval?"),
    dict(dom="data", role="a data-modelling assistant",
         ask="We need a daily rollup of website visits in the warehouse. What should the new table be called? The team suggested a couple of names.",
         options="The names floated so far were agg_sessions_by_day and sessions_rollup_d; both work, but neither matches the naming convention of your existing fact tables.",
         criteria="We follow the fct_ prefix for facts and want the grain at the end.",
         decision="Go with fct_sessions_daily: it follows the fct_ prefix, puts the grain last, and sorts next to the other session tables.",
         needed=["fct_sessions_daily"], stale=["agg_sessions_by_day", "sessions_rollup_d"],
         final="What did we agree to call the new per-day rollup of visits in the warehouse?"),
    dict(dom="finance", role="a personal-finance assistant",
         ask="I inherited some money and want it somewhere safe for two years. Which savings accounts did you find?",
         options="Three realistic choices: Brindle Bank's easy-access account, Oakway Building Society's notice account, and a fixed-rate bond I will describe once I know if you need access.",
         criteria="I will not need the money before the house deposit in two years.",
         decision="In that case put it in the two-year fixed saver at Calder Mutual: the rate beats the other two and the lock-in matches your timeline.",
         needed=["Calder Mutual"], stale=["Brindle Bank", "Oakway Building Society"],
         final="Where did you suggest the inheritance should go?"),
    dict(dom="travel", role="a travel-planning assistant",
         ask="For the Swiss part of the trip, where should we stay in the mountains? We have two kids and want trains nearby.",
         options="Candidates: Hotel Eiger View in Grindelwald, lively but busy, and Chalet Marmotte in Mürren, quiet but a cable car ride away; there is a third worth considering.",
         criteria="We really want to be car-free and close to a station.",
         decision="Stay at Pension Alpenruh in Wengen: it is car-free, four minutes from the station, and has family rooms.",
         needed=["Pension Alpenruh"], stale=["Hotel Eiger View", "Chalet Marmotte"],
         final="Which place to stay did we land on for the mountain leg of the holiday?"),
    dict(dom="education", role="a classroom-management assistant for a primary teacher",
         ask="A new girl, Amara, joins my class on Monday. She is shy and her English is still developing. Where should I seat her?",
         options="Two obvious spots: next to Ruben, who is kind but chatty, or next to Elise, who is calm but rarely talks; I have one more idea.",
         criteria="I would like her near someone who speaks some French, since that is her first language.",
         decision="Then seat her next to Tobias near the window: he speaks some French at home, is patient, and the window table is a quieter group.",
         needed=["next to Tobias"], stale=["next to Ruben", "next to Elise"],
         final="Who did we decide the new pupil should sit beside?"),
]


def k_assistant_decision(c: Case, sc: dict) -> tuple[str, str]:
    r = c.rng
    f = r.uniform(0.04, 0.18)
    c.add(f, [c.user(sc["ask"]), c.asst(c.embed(sc["options"], 0, r.randint(2, 4))),
              c.user(c.embed(sc["criteria"], 0, r.randint(0, 1))), c.asst(c.embed(sc["decision"], 0, r.randint(2, 5)))])
    c.needed += sc["needed"]
    c.stale += sc["stale"]
    return system_prompt(sc["role"], "Make clear recommendations when asked."), sc["final"]


# ---------------- kind 9: numbers_in_words -------------------------------------------------------
WORDS = [
    dict(dom="events", role="a group-holiday planning assistant",
         fact="The lodge we booked in the Cairngorms sleeps fourteen people across five bedrooms, plus a sofa bed nobody wants.",
         needed=["sleeps fourteen people"], final="How many guests can stay overnight at the lodge we rented? Just give me the number."),
    dict(dom="finance", role="a renting-and-moving assistant",
         fact="The letting agent wants a deposit of three thousand two hundred and fifty pounds before they hand over the keys.",
         needed=["three thousand two hundred and fifty pounds"], final="What is the deposit for the flat, written in figures?"),
    dict(dom="travel", role="an island-hopping travel assistant",
         fact="The first ferry to the island leaves at a quarter to eight in the morning, and the next one only after lunch.",
         needed=["a quarter to eight in the morning"], final="In 24-hour time, when does the early boat go?"),
    dict(dom="medicine", role="a family-caregiving assistant (not a doctor)",
         fact="The GP changed Gran's tablets to one and a half tablets twice a day, roughly every twelve hours.",
         needed=["one and a half tablets twice a day"], final="How many pills in total does Gran take per day now?"),
    dict(dom="manufacturing", role="a process-engineering assistant",
         fact="The supplier's datasheet says the curing oven must stay below two hundred and thirty degrees Celsius or the coating blisters.",
         needed=["two hundred and thirty degrees Celsius"], final="What is the maximum temperature in °C for the curing oven?"),
    dict(dom="gaming", role="a guild-organising assistant",
         fact="The raid can only start with a minimum of eighteen players, and the game caps a group at two dozen.",
         needed=["a minimum of eighteen players", "two dozen"], final="What are the smallest and largest numbers of people we can bring into the raid?"),
]


def k_numbers_in_words(c: Case, sc: dict) -> tuple[str, str]:
    r = c.rng
    c.add(r.uniform(0.03, 0.2), [c.user(c.embed(sc["fact"], r.randint(0, 2), r.randint(0, 2))), c.asst(c.reply(r.randint(4, 8)))])
    c.needed += sc["needed"]
    return system_prompt(sc["role"], "Convert between words and figures when asked."), sc["final"]


# ---------------- kind 10: multi_fact ------------------------------------------------------------
MULTI = [
    dict(dom="travel", role="a travel assistant",
         facts=["My flight from Oslo lands at 16:20 at the main airport.", "The airport shuttle to the old town takes 55 minutes without traffic.",
                "The hotel confirmed check-in from 17:30, not earlier, because of a group booking."],
         needed=["lands at 16:20", "55 minutes", "check-in from 17:30"],
         final="If I take the shuttle straight from the airport, roughly when will I get to the hotel, and will my room be ready?"),
    dict(dom="finance", role="a budgeting assistant",
         facts=["My take-home pay is £3,140 a month after tax and pension.", "The rent on the new flat will be £1,275 including water.",
                "The car finance payment is £289 a month until next spring."],
         needed=["£3,140", "£1,275", "£289"], final="How much is left each month once housing and the car are paid?"),
    dict(dom="devops", role="a capacity-planning assistant",
         facts=["The API runs 6 replicas in production during peak hours.", "Each replica opens a pool of 24 database connections at start-up.",
                "The database is configured with max_connections=150, and the admin tools need a few of those."],
         needed=["6 replicas", "24 database connections", "max_connections=150"],
         final="Do the API's connection pools fit under the database's limit at peak, and how much headroom is left?"),
    dict(dom="events", role="a party-catering assistant",
         facts=["So far 62 adults have confirmed for the anniversary party.", "There will also be 9 children under twelve.",
                "The caterer charges £48 per adult and half price for children."],
         needed=["62 adults", "9 children", "£48 per adult"], final="What will the catering bill come to in total?"),
    dict(dom="manufacturing", role="a production-planning assistant",
         facts=["Line 3 runs three shifts of 7.5 hours each on weekdays.", "The cycle time on the new fixture is 42 seconds per part."],
         needed=["7.5 hours", "42 seconds per part"], final="How many parts can the line make in a weekday, assuming no downtime?"),
    dict(dom="research", role="a research-methods assistant",
         facts=["We recruited 148 participants for the sleep study in the spring wave.", "By the final follow-up, 23 participants had dropped out."],
         needed=["148 participants", "23 participants"], final="What was the completion rate of the study, as a percentage?"),
]


def k_multi_fact(c: Case, sc: dict) -> tuple[str, str]:
    r = c.rng
    n = len(sc["facts"])
    fr = sorted(r.uniform(0.02 + 0.5 * i / n, 0.02 + 0.5 * (i + 0.7) / n) for i in range(n))
    for f, fact in zip(fr, sc["facts"]):
        c.add(f, [c.user(c.embed(fact, r.randint(0, 2), r.randint(0, 1))), c.asst(c.reply(r.randint(3, 7)))])
    c.needed += sc["needed"]
    return system_prompt(sc["role"], "Combine details from earlier in the conversation when needed."), sc["final"]


# ---------------- kind 11: quoted_thread ---------------------------------------------------------
THREAD = [
    dict(dom="procurement", role="a purchasing assistant", style="email", subject="Re: Q1 pricing for corrugated cartons",
         people=["Priya Raman <priya.raman@kelsonsupply.com>", "Tom Aldous <tom.aldous@ourco.example>", "Wen Liu <wen.liu@ourco.example>", "Jakob Ferris <j.ferris@kelsonsupply.com>"],
         quote=(0, "To be clear, we can only hold the 3.5% discount if PO 5521-K is approved on your side before the 14th."),
         look=(3, "For comparison, the other division received a 2% discount last year on a smaller volume."),
         needed=["3.5% discount", "PO 5521-K"], stale=["2% discount"],
         final="In that email chain, what exactly did the supplier's rep say we had to do to keep the price reduction, and for which order?"),
    dict(dom="law", role="a litigation-support assistant", style="qa", subject="Deposition of Mr D. Harlow, warehouse supervisor",
         people=["Q", "A"],
         quote=(1, "I left the warehouse at about ten past nine, through the loading bay door, because the front was already locked."),
         look=(1, "On the previous Friday I think I left at about half past eight, but that was a normal week."),
         needed=["ten past nine", "loading bay door"], stale=["half past eight"],
         final="According to the deposition, when did the witness say he walked out on the night in question, and which way did he go?"),
    dict(dom="support", role="a support-quality assistant", style="chat", subject="Chat transcript #page-2 export",
         people=["Customer", "Agent Lena"],
         quote=(0, "my order number is 4471-QX-203 and it was a gift for my mum, so the invoice must not be in the box"),
         look=(0, "the last time I ordered, years ago, it was 4417-QX-230 and that one went fine"),
         needed=["4471-QX-203"], stale=["4417-QX-230"],
         final="What order number did the customer give for the gift in that chat log?"),
    dict(dom="research", role="a qualitative-research assistant", style="chat", subject="Focus group transcript, sleep app, session two",
         people=["Moderator", "P3", "P4", "P7", "P9"],
         quote=(3, "honestly I stopped using the app when it started charging £4.99 for the sleep tracker, that felt like a bait and switch"),
         look=(2, "I did pay £2.99 for the premium themes and I do not regret it"),
         needed=["£4.99 for the sleep tracker"], stale=["£2.99 for the premium themes"],
         final="Which price point did participant seven say made them quit?"),
    dict(dom="events", role="an event-logistics assistant", style="email", subject="Re: Garden party setup timings",
         people=["Tom Beckett <tom@oakleyhall.example>", "Sara Quinn <sara.quinn@mail.example>", "Ivo Brandt <ivo@brandtevents.example>"],
         quote=(0, "The marquee can be up by 11:00 on Friday, but the heaters arrive separately on Saturday morning."),
         look=(2, "Our lighting rig could be in by 15:00 on Friday if that helps the schedule."),
         needed=["up by 11:00 on Friday"], stale=["in by 15:00 on Friday"],
         final="When did the venue manager say the tent would be ready?"),
    dict(dom="devops", role="an incident-review assistant", style="chat", subject="#inc-payments channel export",
         people=["kasia", "marco", "devi", "oncall-bot"],
         quote=(0, "I rolled back to revision 41, the canary on the newer one is still throwing errors"),
         look=(1, "heads up, revision 43 also failed in staging, so do not roll forward yet"),
         needed=["rolled back to revision 41"], stale=["revision 43"],
         final="In the incident chat, which version did Kasia say she went back to?"),
]


def thread_text(c: Case, sc: dict, chars: int) -> str:
    r = c.rng
    entries: list[tuple[str, str]] = []
    size = 0
    ppl = sc["people"]
    while size < chars:
        if sc["style"] == "qa":  # examiner asks, witness answers
            who = ppl[len(entries) % 2]
            body = c.F.question(r, c.dom) if who == ppl[0] else c.sents(r.randint(1, 3), c.dom)
        else:
            who = r.choice(ppl)
            body = c.sents(r.randint(1, 4) if sc["style"] != "email" else r.randint(3, 8), c.dom)
        entries.append((who, body))
        size += len(body) + 60
    for (pi, text), pos in ((sc["quote"], r.uniform(0.2, 0.6)), (sc["look"], r.uniform(0.65, 0.95))):
        i = min(int(pos * len(entries)), len(entries))
        if sc["style"] == "qa":  # a question line, then the answer line that carries the text
            i -= i % 2
            entries[i:i] = [(ppl[0], c.F.question(r, c.dom)), (ppl[1], text)]
        else:
            entries.insert(i, (ppl[pi], text if sc["style"] != "email" else c.embed(text, 1, 1)))
    out = [sc["subject"], ""]
    for k, (who, body) in enumerate(entries):
        if sc["style"] == "email":
            day = 3 + k // 4
            out += [f"From: {who}", f"Date: {day:02d} Nov 2026 {9 + k % 8:02d}:{(k * 7) % 60:02d}", f"Subject: {sc['subject']}", "", body, "", "-----"]
        elif sc["style"] == "qa":
            out += [f"{who}: {body}", ""]
        else:
            out.append(f"[{9 + k // 60:02d}:{k % 60:02d}] {who}: {body}")
    return "\n".join(out)


def k_quoted_thread(c: Case, sc: dict) -> tuple[str, str]:
    r = c.rng
    txt = thread_text(c, sc, int(c.target * 4 * r.uniform(0.3, 0.5)))
    lead = r.choice(["Pasting the whole thing so you have the context:", "Here is the full export, sorry it is long:", "Keep this for reference, I will ask about it later:"])
    c.add(r.uniform(0.02, 0.15), [c.user(lead + "\n\n" + txt), c.asst(c.reply(r.randint(5, 9)))])
    c.needed += sc["needed"]
    c.stale += sc["stale"]
    return system_prompt(sc["role"], "Users paste transcripts and email threads; quote them precisely."), sc["final"]


# ---------------- kind 12: code_review -----------------------------------------------------------
CODE_VERBS = ["load", "parse", "merge", "flush", "validate", "build", "compute", "resolve", "apply", "render", "sync", "split", "collect",
              "normalise", "group", "filter", "emit", "fetch", "store", "rebuild", "score", "trim", "index", "expand"]
CODE_NOUNS = ["ledger_rows", "invoice_batch", "fx_rates", "tenant_config", "audit_trail", "refund_queue", "payout_window", "settlement_file",
              "customer_map", "tax_lines", "webhook_events", "retry_state", "price_table", "order_totals", "export_chunk", "session_cache",
              "merchant_ids", "dispute_notes", "balance_snapshot", "journal_entries"]
CONST_A = ["DEFAULT", "HTTP", "CACHE", "LEDGER", "EXPORT", "QUEUE", "WEBHOOK", "AUDIT", "PAYOUT", "FX", "LOCK", "REPORT"]
CONST_B = ["TIMEOUT_S", "TTL_S", "PAGE_SIZE", "WORKERS", "MAX_ITEMS", "POLL_MS", "CHUNK", "LIMIT", "DEPTH", "PRECISION"]
ARGS = ["rows", "batch", "config", "tenant", "items", "payload", "events", "window", "records", "ctx", "limit", "strict"]
KEYS = ["amount", "currency", "tenant_id", "status", "created_at", "reference", "region", "channel", "batch_id", "attempt"]


def code_func(c: Case, name: str, names: list[str]) -> str:
    r = c.rng
    args = r.sample(ARGS, r.randint(1, 3))
    doc = c.F.sentence(r, r.choice(["data", "devops", "finance", "tax"]))
    a, v, k = args[0], r.choice(["out", "acc", "result", "seen", "buf"]), r.choice(KEYS)
    body = [f"    if not {a}:", f"        return {r.choice(['None', '[]', '{}', '0'])}", f"    {v} = []"]
    for _ in range(r.randint(2, 6)):
        body.append(r.choice([
            f"    for item in {a}:\n        if item.get(\"{r.choice(KEYS)}\") is None:\n            continue\n        {v}.append(item)",
            f"    logger.debug(\"{name}: %d items\", len({a}))",
            f"    {v} = [x for x in {v} if x.get(\"{k}\") != {r.choice(['None', chr(34) * 2, '0'])}]",
            f"    {v}.extend({r.choice(names) if names else 'list'}({a}))",
            f"    if len({v}) > {r.choice(CONST_A)}_{r.choice(CONST_B)}:\n        raise ValueError(f\"{name}: too many {k} values\")",
            f"    {v}.sort(key=lambda x: x.get(\"{r.choice(KEYS)}\") or \"\")",
        ]))
    body.append(f"    return {v}")
    return f"def {name}({', '.join(args)}):\n    \"\"\"{doc}\"\"\"\n" + "\n".join(body)


def code_module(c: Case, chars: int, inserts: list[str], avoid: list[str]) -> str:
    r = c.rng
    blocks: list[str] = []
    consts = []
    seen: set[str] = set()
    while len(consts) < r.randint(12, 20):
        cn = f"{r.choice(CONST_A)}_{r.choice(CONST_B)}"
        line = f"{cn} = {r.choice([r.randint(2, 900), r.randint(1000, 99999)])}"
        if cn not in seen and not any(x in line for x in avoid):
            seen.add(cn)
            consts.append(line)
    names: list[str] = []
    size = sum(len(x) for x in consts)
    while size < chars:
        nm = f"{'_' if r.random() < 0.3 else ''}{r.choice(CODE_VERBS)}_{r.choice(CODE_NOUNS)}"
        if nm in names or any(x in nm for x in avoid):
            continue
        f = code_func(c, nm, names[-8:])
        if any(x in f for x in avoid):
            continue
        names.append(nm)
        blocks.append(f)
        size += len(f) + 2
    for ins in inserts:
        blocks.insert(r.randint(len(blocks) // 3, len(blocks)), ins)
    head = '"""Internal module; see the team wiki for context."""\nfrom __future__ import annotations\n\nimport logging\n\nlogger = logging.getLogger(__name__)\n\n'
    return head + "\n".join(consts) + "\n\n\n" + "\n\n\n".join(blocks) + "\n"


CODE = [
    dict(file="payments/client.py", role="a code-review assistant",
         inserts=["RETRY_BACKOFF_MS = 750\nRETRY_BACKOFF_CAP_MS = 7500\n\n\ndef _sleep_before_retry(attempt):\n    \"\"\"Wait before the next attempt.\"\"\"\n    time.sleep(min(RETRY_BACKOFF_CAP_MS, RETRY_BACKOFF_MS * attempt) / 1000)"],
         needed=["RETRY_BACKOFF_MS = 750"], stale=["RETRY_BACKOFF_CAP_MS = 7500"],
         final="In the payments client I pasted, what base delay does it use between retries?"),
    dict(file="ledger/writer.py", role="a code-review assistant",
         inserts=["def _coerce_iso4217(code):\n    \"\"\"Upper-case and validate a three-letter money code before it reaches the ledger.\"\"\"\n    code = (code or \"\").strip().upper()\n    if len(code) != 3:\n        raise ValueError(code)\n    return code",
                  "def _coerce_iso3166(code):\n    \"\"\"Upper-case a two-letter country code.\"\"\"\n    return (code or \"\").strip().upper()[:2]"],
         needed=["_coerce_iso4217"], stale=["_coerce_iso3166"],
         final="Which helper in the ledger writer normalises currency identifiers before the write?"),
    dict(file="exports/batcher.py", role="a code-review assistant",
         inserts=["MAX_BATCH_ROWS = 2048\nMAX_BATCH_BYTES = 4194304\n\n\ndef _batch_is_full(rows, size):\n    \"\"\"True once either export limit is reached.\"\"\"\n    return len(rows) >= MAX_BATCH_ROWS or size >= MAX_BATCH_BYTES"],
         needed=["MAX_BATCH_ROWS = 2048"], stale=["MAX_BATCH_BYTES = 4194304"],
         final="What is the largest number of records the exporter will put into one chunk?"),
    dict(file="billing/refunds.py", role="a code-review assistant",
         inserts=["def reconcile_partial_refunds(order, refunds):\n    \"\"\"Match refunds that cover only part of an order against its lines.\"\"\"\n    remaining = {l[\"id\"]: l[\"amount\"] for l in order[\"lines\"]}\n    for rf in refunds:\n        remaining[rf[\"line_id\"]] -= rf[\"amount\"]\n    return remaining",
                  "def reconcile_full_refunds(order, refunds):\n    \"\"\"Close orders whose refunds cover the whole amount.\"\"\"\n    return sum(rf[\"amount\"] for rf in refunds) >= order[\"total\"]"],
         needed=["reconcile_partial_refunds"], stale=["reconcile_full_refunds"],
         final="Which function in the refunds module handles money given back for just some items of an order?"),
    dict(file="auth/sessions.py", role="a code-review assistant",
         inserts=["SESSION_IDLE_TIMEOUT_S = 1800\nSESSION_ABSOLUTE_TIMEOUT_S = 43200\n\n\ndef _is_expired(session, now):\n    \"\"\"Idle and absolute expiry checks.\"\"\"\n    return (now - session.last_seen > SESSION_IDLE_TIMEOUT_S) or (now - session.created > SESSION_ABSOLUTE_TIMEOUT_S)"],
         needed=["SESSION_IDLE_TIMEOUT_S = 1800"], stale=["SESSION_ABSOLUTE_TIMEOUT_S = 43200"],
         final="In that auth module, after how long without activity does a login expire?"),
    dict(file="ledger/compaction.py", role="a code-review assistant",
         inserts=["class LedgerWindowCompactor:\n    \"\"\"Merge closed ledger windows older than the retention horizon into one summary window.\"\"\"\n\n    def __init__(self, horizon_days=90):\n        self.horizon_days = horizon_days\n\n    def run(self, windows):\n        old = [w for w in windows if w.age_days > self.horizon_days]\n        return merge_windows(old)",
                  "class LedgerWindowSplitter:\n    \"\"\"Split an oversized open window at day boundaries.\"\"\"\n\n    def run(self, window):\n        return window.split_days()"],
         needed=["LedgerWindowCompactor"], stale=["LedgerWindowSplitter"],
         final="What is the class called that folds old ledger periods together?"),
]


for _sc, _d in zip(CODE, ["finance", "finance", "data", "support", "devops", "data"]):
    _sc["dom"] = _d


def k_code_review(c: Case, sc: dict) -> tuple[str, str]:
    r = c.rng
    avoid = sc["needed"] + sc["stale"] + ["RETRY_BACKOFF", "MAX_BATCH", "SESSION_"]
    src = code_module(c, int(c.target * 4 * r.uniform(0.3, 0.5)), sc["inserts"], avoid)
    c.add(r.uniform(0.02, 0.15), [c.user(f"Can you review {sc['file']} before I open the PR?\n\n```python\n{src}```"), c.asst(c.reply(r.randint(6, 10)))])
    c.needed += sc["needed"]
    c.stale += sc["stale"]
    return system_prompt(sc["role"], "Users paste source files for review."), sc["final"]


# --------------------------------------------------------------------------------------------------
# The set
# --------------------------------------------------------------------------------------------------
KINDS = [
    ("early_constraint", k_early_constraint, EARLY),
    ("correction", k_correction, CORR),
    ("doc_versions", k_doc_versions, DOCV),
    ("deep_document", k_deep_document, DEEP),
    ("table_cell", k_table_cell, TABLE_CSV + TABLE_JSON),
    ("agent_loop", k_agent_loop, AGENT),
    ("topic_return", k_topic_return, TOPIC),
    ("assistant_decision", k_assistant_decision, DECIDE),
    ("numbers_in_words", k_numbers_in_words, WORDS),
    ("multi_fact", k_multi_fact, MULTI),
    ("quoted_thread", k_quoted_thread, THREAD),
    ("code_review", k_code_review, CODE),
]


def target_for(kind_i: int, case_i: int) -> int:
    """Six sizes per kind from about 10.5k to 53k estimated tokens; the order is rotated per kind."""
    slot = (case_i + kind_i) % 6
    return 10500 + slot * 8400 + (kind_i * 211) % 700


def build_all() -> tuple[list[dict], Filler]:
    F = Filler()
    cases = []
    for ki, (kind, fn, scenarios) in enumerate(KINDS):
        for i, sc in enumerate(scenarios):
            c = Case(F, kind, i, target_for(ki, i), sc["dom"])
            system, final = fn(c, sc)
            cases.append(c.build(system, final))
    return cases, F


# --------------------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------------------
def msg_text(m: dict) -> str:
    parts = [m.get("content") or ""]
    for tc in m.get("tool_calls") or []:
        parts.append(tc["function"]["arguments"])
    return "\n".join(parts)


def verify(cases: list[dict], F: Filler) -> list[str]:
    errs: list[str] = []
    ids = [c["id"] for c in cases]
    if len(set(ids)) != len(ids):
        errs.append("duplicate ids")
    per_kind: dict[str, int] = {}
    for c in cases:
        per_kind[c["kind"]] = per_kind.get(c["kind"], 0) + 1
    if len(per_kind) < 11 or min(per_kind.values()) < 6 or len(cases) < 66:
        errs.append(f"kind counts {per_kind}")
    all_marks: list[str] = []
    for c in cases:
        cid, msgs = c["id"], c["messages"]
        e = lambda s: errs.append(f"{cid}: {s}")  # noqa: E731
        if not re.fullmatch(r"[a-z_]+-\d\d", cid) or not cid.startswith(c["kind"] + "-"):
            e("bad id")
        if c["budgets"] != BUDGETS:
            e("budgets")
        if msgs[0]["role"] != "system" or sum(m["role"] == "system" for m in msgs) != 1:
            e("system message must be first and only")
        final = msgs[-1]
        if final["role"] != "user" or not isinstance(final.get("content"), str) or not final["content"].strip():
            e("last message must be a user question")
        declared = {t["function"]["name"] for t in c.get("tools", [])}
        open_ids: list[str] = []
        seen_ids: set[str] = set()
        prev = None
        n_calls = 0
        for i, m in enumerate(msgs):
            role = m["role"]
            if role not in ("system", "user", "assistant", "tool"):
                e(f"role {role}")
            if role == "tool":
                if m.get("tool_call_id") not in open_ids:
                    e(f"orphan tool message at {i}")
                else:
                    open_ids.remove(m["tool_call_id"])
                if not isinstance(m.get("content"), str) or not m["content"]:
                    e(f"empty tool result at {i}")
            else:
                if open_ids:
                    e(f"unanswered calls before {i}")
                    open_ids = []
                if role in ("user", "assistant") and prev == role:
                    e(f"two {role} messages adjacent at {i}")
                for tc in m.get("tool_calls") or []:
                    if role != "assistant":
                        e("tool_calls outside assistant")
                    if tc["id"] in seen_ids:
                        e(f"duplicate call id {tc['id']}")
                    seen_ids.add(tc["id"])
                    open_ids.append(tc["id"])
                    n_calls += 1
                    if tc["function"]["name"] not in declared:
                        e(f"undeclared function {tc['function']['name']}")
                    try:
                        if not isinstance(json.loads(tc["function"]["arguments"]), dict):
                            e("arguments not an object")
                    except ValueError:
                        e("arguments not JSON")
                if role != "tool" and not (m.get("tool_calls") or (isinstance(m.get("content"), str) and m["content"].strip())):
                    e(f"empty message at {i}")
            prev = role
        if open_ids:
            e("calls left open at the end")
        if final["role"] == "user" and prev != "user":
            pass
        if len(msgs) >= 2 and msgs[-2]["role"] != "assistant":
            e("final question must follow an assistant message")
        texts = [msg_text(m) for m in msgs]
        if not c["needed"]:
            e("no needed strings")
        for s in c["needed"]:
            occ = sum(t.count(s) for t in texts[1:-1])
            holders = sum(s in t for t in texts[1:-1])
            if occ != 1 or holders != 1:
                e(f"needed {s!r} occurs {occ} times in {holders} messages (want exactly 1)")
            if s in texts[0] or s in texts[-1]:
                e(f"needed {s!r} in system prompt or final question")
        for s in c["forbidden_stale"]:
            if not any(s in t for t in texts[1:-1]):
                e(f"stale {s!r} absent")
            if s in texts[0] or s in texts[-1]:
                e(f"stale {s!r} in system prompt or final question")
            if any(s in n or n in s for n in c["needed"]):
                e(f"stale {s!r} overlaps a needed string")
        tok = est_tokens(msgs)
        if not MIN_TOK <= tok <= MAX_TOK:
            e(f"size {tok} outside {MIN_TOK}..{MAX_TOK}")
        # the needed facts must not sit in the last 4000 estimated tokens (where keep-last-N would find them)
        tail = 0
        for m in reversed(msgs[:-1]):
            if any(s in msg_text(m) for s in c["needed"]):
                break
            tail += est_tokens([m])
        if tail < 4000:
            e(f"a needed string sits only {tail} tokens before the end")
        if c["kind"] == "agent_loop":
            last_user = max(i for i, m in enumerate(msgs[:-1]) if m["role"] == "user")
            loop = msgs[last_user + 1:-1]
            calls = sum(len(m.get("tool_calls") or []) for m in loop)
            if not 10 <= calls <= 18:
                e(f"agent loop has {calls} calls")
            if not any(len(m.get("tool_calls") or []) >= 2 for m in loop):
                e("agent loop without parallel calls")
            pos = [i for i, m in enumerate(loop) if any(s in msg_text(m) for s in c["needed"])]
            spos = [i for i, m in enumerate(loop) if any(s in msg_text(m) for s in c["forbidden_stale"])]
            if not pos or not spos or min(spos) <= max(pos):
                e("agent loop: needed must come in an early result, the look-alike later")
        all_marks += c["needed"] + c["forbidden_stale"]
    # filler: unique across the set, and never carrying a needed or look-alike string
    if len(set(F.log)) != len(F.log):
        errs.append("duplicate filler sentences")
    pat = re.compile("|".join(re.escape(s) for s in sorted(set(all_marks), key=len, reverse=True)))
    bad = [s for s in F.log if pat.search(s)]
    if bad:
        errs.append(f"{len(bad)} filler sentences contain a needed/stale string, e.g. {bad[0]!r}")
    return errs


def render(cases: list[dict]) -> str:
    return "".join(json.dumps(c, ensure_ascii=False, separators=(",", ":")) + "\n" for c in cases)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="rebuild in memory and compare with the existing cases.jsonl")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    cases, F = build_all()
    errs = verify(cases, F)
    if errs:
        print("\n".join(errs[:60]), file=sys.stderr)
        print(f"{len(errs)} verification errors", file=sys.stderr)
        return 1
    text = render(cases)
    out = Path(args.out)
    if args.check:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            print(f"{out} differs from a fresh build", file=sys.stderr)
            return 1
        print(f"{out}: byte-identical to a fresh build ({len(cases)} cases)")
        return 0
    out.write_text(text, encoding="utf-8")
    sizes = [est_tokens(c["messages"]) for c in cases]
    kinds: dict[str, int] = {}
    for c in cases:
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    print(f"wrote {len(cases)} cases to {out}; sizes {min(sizes)}..{max(sizes)} est. tokens; {len(F.log)} unique filler sentences")
    for k, n in kinds.items():
        print(f"  {k}: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
