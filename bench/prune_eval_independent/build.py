#!/usr/bin/env python3
"""Build an independent evaluation set for conversation-history pruning.

Writes cases.jsonl next to this file.  Fully deterministic: every random
choice goes through random.Random(seed) instances derived from SEED, and all
filler text is generated here from hand-written vocabularies (no downloads).

Each line of cases.jsonl:
  id, kind, messages, tools, needed, forbidden_stale, notes

Run:  python3 build.py            (writes cases.jsonl and prints a report)
"""
import datetime as _dt
import json
import os
import re
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "cases.jsonl")
SEED = 917_2024

# ---------------------------------------------------------------------------
# Filler vocabulary
# ---------------------------------------------------------------------------

CLAUSES = [
    "the timeline is tight", "several people share the work", "the budget is fixed",
    "you are doing this for the first time", "requirements are still moving",
    "there is a hard deadline", "nobody clearly owns the decision yet",
    "the season is about to change", "space is limited", "you need to explain it to others",
    "the first attempt did not go well", "you want to keep options open",
]

GENERIC = [
    "the {n1} usually needs more attention than the {n2}, especially when {clause}.",
    "if you {v} the {n1} early, the {n2} tends to be much easier to deal with later.",
    "in my experience a {a} {n1} is worth the extra effort, but only if {clause}.",
    "one thing people often overlook is how the {n1} interacts with the {n2}.",
    "a sensible next step would be to {v} the {n1} and see how the {n2} responds over the following {num} days.",
    "{P} pointed out that the {n1} looked {a} last time, so it is worth checking again.",
    "it helps to write down what you expect from the {n1} before you {v} anything else.",
    "there is no single right answer here, but a {a} {n1} is a common starting point.",
    "many people {v} the {n1} roughly every {num} weeks, which keeps surprises small.",
    "keep in mind that the {n2} can change quickly once the {n1} is in place.",
    "I would not {v} the {n1} and the {n2} at the same time, because then you cannot tell which change made the difference.",
    "the trade-off is mostly between a {a} {n1} and a simpler {n2}.",
    "when {clause}, it is usually better to {v} the {n1} first.",
    "you can think of the {n1} as the part that sets the pace for everything else.",
    "the {n1} does not have to be perfect on day one; it just has to be easy to {v} later.",
    "ask yourself whether the {n2} really depends on the {n1}, or whether that is just how it has always been done.",
    "a quick way to sanity-check the {n1} is to compare it against what the {n2} looked like a month ago.",
    "if the {n1} starts to feel {a}, that is often a sign the {n2} needs another look.",
    "budget a little extra time for the {n1}; it rarely goes exactly to plan.",
    "{P} usually prefers to {v} the {n1} in small steps, and that habit has saved a lot of rework.",
    "nothing about the {n1} is irreversible, so it is fine to experiment a bit.",
    "the {n2} is where most of the hidden cost sits, even though the {n1} gets more attention.",
    "try to {v} the {n1} while things are calm rather than in the middle of a rush.",
    "once the {n1} is settled, the conversation about the {n2} becomes much more concrete.",
    "it is worth keeping a short log of what you changed in the {n1} and why.",
    "in practice, problems with the {n2} very often trace back to the {n1}.",
    "I'd treat the {n1} as an experiment for the first couple of weeks.",
    "don't underestimate how much a {a} {n2} can slow everything down.",
    "even a small improvement to the {n1} tends to pay off over a few months.",
    "if in doubt, {v} the {n1} and leave the {n2} alone until you have more information.",
    "the part I would watch most closely is the {n2}, because it reacts to every change in the {n1}.",
    "a checklist for the {n1} sounds boring, but it removes a lot of second-guessing.",
    "it is easy to spend too long on the {n1} when the {n2} is what people actually notice.",
    "talk to {P} before you {v} the {n1}; they will spot problems you would miss.",
    "a {a} {n2} is not automatically a problem, as long as you know why it is that way.",
]

USER_Q = [
    "How would you {v} the {n1} without disrupting the {n2}?",
    "Is it worth it to {v} the {n1} now, or should I wait a bit?",
    "What is a reasonable way to think about the {n1} versus the {n2}?",
    "Do you have any tips for keeping the {n1} from getting {a}?",
    "Could you explain how the {n1} and the {n2} fit together?",
    "What would you check first if the {n1} started to look {a}?",
    "How often should we {v} the {n1}?",
    "Any common mistakes with the {n1} I should avoid?",
    "What's the minimum I need to do about the {n2} this week?",
    "Would a {a} {n1} make sense for us, or is that overkill?",
    "Can you give me a rough plan for the {n1}?",
    "What questions should I ask {P} about the {n2}?",
]

USER_PRE = [
    "We tried to {v} the {n1} last week and the {n2} still feels {a}.",
    "Quick update: the {n1} is mostly done, but {P} is worried about the {n2}.",
    "So I talked to {P} about the {n1}.",
    "Following up on the {n2} thing.",
    "I've been reading about the {n1} a bit more.",
    "Okay, next thing on my list.",
    "Something that came up today: the {n2} looked {a} again.",
    "",
    "",
]

ACKS = ["Thanks, that's really helpful.", "Makes sense.", "Got it.", "Okay, that's clearer now.",
        "Interesting, I hadn't thought about that.", "Fair point.", "Nice, thanks.", "", "", ""]

OPENERS = ["Good question.", "That makes sense.", "Here's how I'd think about it.",
           "Short answer: it depends, but there is a sensible default.", "Happy to help with that.",
           "A few thoughts.", "That's a common situation.", "", "", ""]

CLOSERS = ["Let me know if you want me to go deeper on the {n1}.",
           "If you share a bit more about the {n2}, I can make this more specific.",
           "Happy to sketch a more detailed plan if that helps.",
           "Does that match what you are seeing?", "", "", ""]

CHIT = [
    ("Haha, sorry, my cat just walked across the keyboard. Anyway, how's your day going?",
     "No harm done! I don't have days in the usual sense, but I'm happy to keep going whenever you are."),
    ("It's raining here again. Perfect excuse to stay in and plan things.",
     "Sounds cozy. Rainy afternoons are great for getting the planning out of the way."),
    ("Quick break, I'm making coffee. Do you have a favourite way to make it?",
     "I can't drink it, but plenty of people swear by a simple pour-over: medium-fine grind, water just off the boil, and roughly one part coffee to sixteen parts water."),
    ("Lol, my colleague just asked me if I'm talking to a robot. I said yes.",
     "Honest answer! Tell them I said hello."),
    ("Ugh, Mondays.", "Mondays do have a reputation. Hopefully the rest of the week is kinder."),
    ("Do you ever get tired of questions like these?",
     "Not at all. Each conversation is a bit different, and I enjoy helping you think things through."),
    ("By the way, what's a good kind of podcast for a long drive?",
     "It depends on your taste, but long-form interview shows and narrative history podcasts both work well for drives, since you can dip in and out without losing the thread."),
    ("Sorry, got distracted by a phone call. Where were we?",
     "No problem. We were in the middle of the last point; happy to pick up from there whenever you're ready."),
    ("This is taking longer than I thought, but it's kind of fun.",
     "Planning usually does take longer than expected, but it's nice that you're enjoying it."),
    ("My kid just asked me why the sky is blue. Help?",
     "The short version: sunlight scatters off air molecules, and blue light scatters much more than red because of its shorter wavelength, so the sky looks blue from every direction."),
    ("Random thought: is it weird that I name my houseplants?",
     "Not weird at all. Lots of people do, and some say it makes them more attentive to watering."),
    ("I'll be back in ten minutes, lunch time.", "Enjoy your lunch! I'll be here."),
    ("Okay, I'm back. Lunch was great, by the way. Leftover lasagna.",
     "Leftover lasagna is often better than on the first day. Welcome back."),
    ("Thanks for being patient with all my questions.",
     "Of course, that's what I'm here for. Keep them coming."),
    ("Haha my dog is snoring so loudly right now.",
     "That's the sound of pure contentment. Sounds like a good working companion."),
    ("Do you know any good stretching exercises for sitting all day?",
     "A few simple ones help a lot: chin tucks, a doorway chest stretch, seated hip-flexor stretches and standing up to walk for a couple of minutes every hour."),
    ("Is it normal that I'm this excited about a spreadsheet?",
     "Completely normal. A good spreadsheet is a thing of beauty."),
    ("I just realised it's already Thursday. Where did the week go?",
     "Weeks have a way of disappearing when there's a lot going on. At least the weekend is close."),
]

D = {}
D["k8s"] = dict(
    subject="our Kubernetes migration",
    intro=["I'm planning to move our services onto a new Kubernetes cluster and could use a sounding board.",
           "We're cleaning up our container platform this quarter and I want to get the plan straight."],
    nouns=["cluster", "node pool", "ingress controller", "Helm chart", "namespace layout", "service mesh",
           "deployment pipeline", "container registry", "autoscaler", "secret store", "load balancer",
           "staging environment", "readiness probe", "resource quota", "base image", "on-call rotation"],
    verbs=["migrate", "pin", "audit", "roll back", "right-size", "document", "monitor", "stage", "benchmark", "refactor"],
    adjs=["overprovisioned", "brittle", "well-tested", "noisy", "cost-efficient", "multi-tenant", "flaky", "stale"],
    people=["Dana", "Omar", "the platform team", "our SRE lead", "Jun"],
    sents=["Rolling updates are safer when the readiness probe actually reflects whether the service can take traffic.",
           "Pinning image digests instead of tags removes a whole class of 'it worked yesterday' surprises.",
           "Resource requests that are far above real usage quietly inflate the cloud bill every month.",
           "A staging environment that drifts from production is often worse than having none, because it creates false confidence.",
           "Most outages during migrations come from DNS and certificates rather than from the workloads themselves.",
           "It is worth running a game day before the cutover so the on-call rotation has seen the failure modes once.",
           "Horizontal autoscaling works best when the metric you scale on is closely tied to user-facing latency.",
           "Keeping secrets out of plain environment variables makes audits noticeably less painful."])
D["renovation"] = dict(
    subject="the kitchen renovation",
    intro=["We're finally renovating the kitchen and I'm trying to keep it from spiralling.",
           "Can we talk through our renovation plans? The house is from the sixties."],
    nouns=["kitchen layout", "countertop", "subfloor", "electrical panel", "contractor quote", "tile backsplash",
           "cabinet order", "building permit", "extractor hood", "plumbing rough-in", "paint finish",
           "lighting plan", "window frame", "insulation"],
    verbs=["measure", "order", "seal", "inspect", "schedule", "compare", "sand", "reinforce", "budget for", "price out"],
    adjs=["load-bearing", "water-resistant", "hand-finished", "custom-built", "off-the-shelf", "drafty", "wonky", "low-maintenance"],
    people=["the contractor", "my partner", "the electrician", "our neighbour Pete", "the inspector"],
    sents=["Lead times on custom cabinets can easily stretch to eight weeks, so ordering early matters.",
           "Always get at least three contractor quotes and compare the line items, not just the total.",
           "Moisture in the subfloor is the kind of problem that is cheap to fix now and expensive later.",
           "Good task lighting under the upper cabinets makes a bigger difference than most people expect.",
           "Permits feel like a hassle, but they protect you when you eventually sell the house.",
           "Leaving a contingency of around fifteen percent is normal for older houses.",
           "Sample the paint on at least two walls and look at it in morning and evening light.",
           "If a wall turns out to be load-bearing, the whole timeline shifts."])
D["travel"] = dict(
    subject="the summer trip",
    intro=["I'm planning a two-week trip with my partner and want to avoid overpacking the schedule.",
           "Help me think through a trip itinerary? We like walking and food more than museums."],
    nouns=["itinerary", "rail pass", "day trip", "hotel booking", "layover", "travel insurance", "museum ticket",
           "rental car", "packing list", "walking tour", "ferry schedule", "local SIM card", "old town"],
    verbs=["book", "reschedule", "compare", "pack", "reserve", "skip", "combine", "confirm"],
    adjs=["crowded", "walkable", "overpriced", "scenic", "family-friendly", "off-season", "last-minute", "flexible"],
    people=["my sister", "our tour guide", "my partner", "a colleague who lived there", "the hotel concierge"],
    sents=["Shoulder season usually gives you better prices and fewer crowds without giving up much weather.",
           "Booking the first train of the day often means a quieter carriage and a cheaper fare.",
           "It is worth leaving one unplanned afternoon; those often turn out to be the best part of a trip.",
           "Many museums have a free or discounted evening once a week.",
           "Travel insurance that covers cancellations is most valuable when plans involve several connections.",
           "Staying near a main station saves a lot of time on day trips.",
           "Local markets are a good way to eat well on a budget.",
           "Check whether the ferry runs a reduced timetable on Sundays."])
D["marketing"] = dict(
    subject="the product launch campaign",
    intro=["We're launching a new product next quarter and I own the campaign plan.",
           "I need help structuring our marketing for the spring launch."],
    nouns=["landing page", "email sequence", "ad budget", "content calendar", "conversion rate", "brand guideline",
           "webinar", "newsletter", "referral program", "A/B test", "audience segment", "launch announcement",
           "press kit", "social campaign"],
    verbs=["launch", "segment", "test", "refresh", "retarget", "measure", "repurpose", "schedule"],
    adjs=["high-intent", "evergreen", "lagging", "seasonal", "on-brand", "saturated", "niche", "broad"],
    people=["our designer", "the growth team", "Priyanka from sales", "the agency", "our CMO"],
    sents=["A/B tests need enough traffic to reach significance; with small volumes, test bigger changes.",
           "Repurposing one strong webinar into several blog posts is usually cheaper than creating new content.",
           "Retargeting works best with a short window and a specific message.",
           "Email subject lines that promise something concrete tend to beat clever ones.",
           "Audience fatigue shows up as rising cost per click long before the click-through rate collapses.",
           "A content calendar is less about dates and more about making trade-offs visible.",
           "Sales and marketing should agree on what a qualified lead is before anyone argues about numbers.",
           "Landing pages with a single clear call to action almost always convert better."])
D["data"] = dict(
    subject="the analytics platform",
    intro=["Our analytics stack has grown messy and I'm trying to plan a cleanup.",
           "I want to rethink how we load and model data for reporting."],
    nouns=["ingestion job", "data warehouse", "dbt model", "partition scheme", "schema migration", "dashboard",
           "event stream", "backfill", "data contract", "staging table", "query plan", "retention policy",
           "orchestration DAG"],
    verbs=["backfill", "partition", "deduplicate", "validate", "materialize", "profile", "index", "archive"],
    adjs=["late-arriving", "denormalized", "idempotent", "incremental", "skewed", "nullable", "wide", "expensive"],
    people=["the analytics team", "Mei", "our data engineer", "finance", "the BI lead"],
    sents=["Idempotent loads make backfills boring, which is exactly what you want.",
           "Partitioning by event date rather than ingestion date avoids a lot of confusing reports.",
           "A data contract with the upstream team is cheaper than debugging silent schema changes.",
           "Most slow dashboards are slow because of one or two unfiltered joins.",
           "Late-arriving events need an explicit policy, otherwise every number gets quietly revised.",
           "Testing for uniqueness and not-null on key columns catches a surprising share of issues.",
           "Incremental models save money but need a periodic full refresh to correct drift.",
           "Retention policies are easier to set before the data grows than after."])
D["events"] = dict(
    subject="the team offsite",
    intro=["I'm organising a two-day offsite for about sixty people and could use help.",
           "We're hosting a small conference in the autumn. Lots of moving parts."],
    nouns=["venue", "guest list", "seating plan", "catering order", "run of show", "AV setup", "registration form",
           "speaker lineup", "badge design", "shuttle service", "welcome reception", "floor plan", "breakout room"],
    verbs=["confirm", "finalize", "rehearse", "budget", "invite", "shortlist", "arrange", "print"],
    adjs=["outdoor", "intimate", "formal", "tight", "accessible", "oversubscribed", "casual", "weather-dependent"],
    people=["the venue manager", "my co-organizer", "the caterer", "the keynote speaker", "our volunteers"],
    sents=["A rehearsal the day before catches most of the AV problems.",
           "Send the final headcount to the caterer at least a week out.",
           "Plan for around ten percent of registered guests not showing up.",
           "Outdoor events always need a weather backup that is more than a vague idea.",
           "Clear signage reduces the number of questions volunteers have to answer by a lot.",
           "Breaks that are slightly too long are better than breaks that are too short.",
           "Name badges with large first names help people actually talk to each other.",
           "Ask the venue early about noise restrictions and end times."])
D["finance"] = dict(
    subject="my personal budget",
    intro=["I want to get my personal finances in order this year.",
           "Can you help me think through budgeting and saving? I've been winging it."],
    nouns=["emergency fund", "index fund", "monthly budget", "credit card balance", "pension contribution",
           "savings rate", "tax return", "mortgage offer", "expense tracker", "brokerage account",
           "insurance premium", "spending category"],
    verbs=["rebalance", "automate", "track", "pay down", "review", "consolidate", "set aside", "compare"],
    adjs=["fixed", "variable", "tax-efficient", "high-interest", "low-cost", "irregular", "long-term", "discretionary"],
    people=["my accountant", "my partner", "a friend who works in banking", "my dad", "the advisor"],
    sents=["Automating savings on payday removes the temptation to spend first and save what is left.",
           "High-interest debt is almost always the first thing to attack.",
           "Low-cost index funds tend to beat most actively managed funds over long periods.",
           "An emergency fund of three to six months of expenses is a common rule of thumb.",
           "Irregular annual expenses are easier to handle if you save for them monthly.",
           "Rebalancing once or twice a year is usually enough.",
           "Tracking spending for a single month often reveals one or two surprising categories.",
           "Employer pension matches are effectively free money, so capture the full match if you can."])
D["cooking"] = dict(
    subject="weeknight cooking",
    intro=["I want to cook more at home and waste less food.",
           "Help me get better at weeknight dinners? I'm stuck in a rut."],
    nouns=["sourdough starter", "spice rack", "meal prep", "stock pot", "cast-iron pan", "marinade",
           "weekly menu", "pantry", "knife set", "braise", "herb pot", "roasting tray"],
    verbs=["roast", "marinate", "prep", "season", "simmer", "batch-cook", "freeze", "sharpen"],
    adjs=["crispy", "hearty", "make-ahead", "seasonal", "weeknight", "single-pan", "rustic", "bright"],
    people=["my grandmother", "my flatmate", "a chef friend", "the butcher", "my kids"],
    sents=["Salting meat the night before makes a noticeable difference to both flavour and texture.",
           "A hot pan and dry ingredients are the secret to proper browning.",
           "Batch-cooking a couple of bases on Sunday makes weeknight dinners much faster.",
           "Acid at the end, a squeeze of lemon or a splash of vinegar, brightens almost any dish.",
           "Sharp knives are safer than dull ones because they do not slip.",
           "Freezing herbs in olive oil in an ice cube tray is a good way to avoid waste.",
           "Roasting vegetables at a high temperature brings out their sweetness.",
           "Taste as you go; recipes are guidelines, not laws."])
D["hiring"] = dict(
    subject="hiring for the platform team",
    intro=["I'm hiring two engineers this quarter and want a better process than last time.",
           "Our interview process is a mess. Can we design something fairer?"],
    nouns=["job description", "interview loop", "take-home exercise", "offer letter", "onboarding plan",
           "candidate pipeline", "reference check", "hiring committee", "compensation band", "phone screen", "scorecard"],
    verbs=["shortlist", "interview", "calibrate", "onboard", "screen", "benchmark", "debrief", "sell"],
    adjs=["senior", "cross-functional", "remote-friendly", "structured", "competitive", "lengthy", "biased", "realistic"],
    people=["the hiring manager", "our recruiter", "the team lead", "HR", "a panel member"],
    sents=["Structured interviews with a shared scorecard reduce bias more than any single trick.",
           "Take-home exercises should be short enough that strong candidates with busy lives still do them.",
           "Debriefing right after the loop keeps impressions from blurring together.",
           "A clear onboarding plan for the first thirty days helps new hires ramp faster.",
           "Compensation bands that are visible internally avoid a lot of awkward conversations later.",
           "Selling the role matters too; good candidates are interviewing you as well.",
           "Reference checks are most useful when you ask about specific situations.",
           "Long hiring loops lose candidates to faster companies."])
D["logistics"] = dict(
    subject="our European fulfilment setup",
    intro=["We're moving our fulfilment for Germany and Poland to a third-party warehouse.",
           "I need to sort out warehousing and shipping for the EU side of the business."],
    nouns=["warehouse", "carrier contract", "pallet", "lead time", "customs broker", "fulfilment centre",
           "inventory count", "freight rate", "delivery window", "returns process", "SKU", "cross-dock", "shipping lane"],
    verbs=["consolidate", "forecast", "reroute", "audit", "negotiate", "palletize", "track", "restock"],
    adjs=["seasonal", "bulky", "time-sensitive", "bonded", "regional", "overstocked", "fragile", "expedited"],
    people=["the ops team", "our procurement lead", "the carrier rep", "the warehouse manager", "Stefan"],
    sents=["Consolidating shipments reduces cost but adds a few days of lead time.",
           "Peak season surcharges can wipe out a carefully negotiated base rate.",
           "Cycle counts catch inventory drift earlier than an annual stock take.",
           "A smooth returns process is part of the customer experience, not an afterthought.",
           "Customs delays are most often caused by incomplete commercial invoices.",
           "Regional warehouses shorten delivery windows but split the inventory.",
           "Service level agreements should include penalties that actually matter to the carrier.",
           "Forecast accuracy matters more for slow-moving SKUs than most teams assume."])
D["gardening"] = dict(
    subject="the garden",
    intro=["I finally have a garden and no idea what I'm doing.",
           "Our back garden is a bit of a jungle. Where do I start?"],
    nouns=["raised bed", "compost heap", "tomato bed", "irrigation line", "mulch layer", "seed tray", "hedge",
           "lawn", "pruning schedule", "soil test", "greenhouse", "bulb planting"],
    verbs=["prune", "mulch", "water", "transplant", "feed", "divide", "harden off", "sow"],
    adjs=["shady", "sandy", "waterlogged", "drought-tolerant", "perennial", "overgrown", "frost-sensitive", "sunny"],
    people=["my neighbour", "the garden centre staff", "my mother", "a friend with an allotment", "the landscaper"],
    sents=["Watering deeply and less often encourages roots to grow down rather than staying near the surface.",
           "A soil test is cheap and saves a lot of guessing about fertilizer.",
           "Mulch keeps moisture in and weeds down, as long as it is not piled against stems.",
           "Hardening off seedlings over a week prevents most transplant shock.",
           "Perennials usually need a season to settle before they really take off.",
           "Prune most flowering shrubs right after they finish blooming.",
           "Compost needs a balance of green and brown material to break down properly.",
           "Drought-tolerant plants still need regular water during their first year."])
D["fitness"] = dict(
    subject="my half-marathon training",
    intro=["I signed up for a half marathon in the autumn and need a plan.",
           "I want to get back into running without getting injured again."],
    nouns=["training plan", "long run", "strength session", "rest day", "warm-up routine", "shoe rotation",
           "heart rate zone", "mobility work", "race calendar", "protein intake", "sleep schedule", "interval workout"],
    verbs=["taper", "stretch", "increase", "track", "deload", "schedule", "recover from", "pace"],
    adjs=["easy", "aerobic", "progressive", "sore", "sustainable", "intense", "low-impact", "consistent"],
    people=["my coach", "my running club", "a physio", "my training partner", "my doctor"],
    sents=["Most runners improve fastest by keeping the majority of their kilometres genuinely easy.",
           "Increasing weekly volume by about ten percent at a time keeps injury risk down.",
           "Sleep is the most underrated recovery tool.",
           "A deload week every month or so helps the body absorb the training.",
           "Strength work twice a week supports running economy and reduces injuries.",
           "Warming up properly matters more as the intensity of the session goes up.",
           "Consistency over months beats any single heroic workout.",
           "Shoes should be replaced roughly every seven to eight hundred kilometres."])
D["esign"] = dict(
    subject="e-signature tooling",
    intro=["We need an e-signature tool for contracts."],
    nouns=["signing workflow", "audit trail", "template library", "bulk send feature", "SSO integration",
           "data residency option", "API quota", "admin console", "retention setting", "identity verification step",
           "envelope", "webhook", "signer experience", "access policy"],
    verbs=["configure", "automate", "export", "enforce", "review", "integrate", "archive", "customise"],
    adjs=["tamper-evident", "legally binding", "region-locked", "self-serve", "granular", "enterprise-grade", "mobile-friendly", "branded"],
    people=["your legal team", "administrators", "signers", "compliance officers", "our customers"],
    templates=["{P} can {v} the {n1} directly from the {n2}.",
               "the {n1} is {a} by default and can be adjusted in the {n2}.",
               "every plan includes a {a} {n1}, so {P} never have to work around the {n2}.",
               "use the {n1} to {v} documents at scale without losing track of the {n2}.",
               "our {n1} was designed together with {P} to be {a} from day one.",
               "the {n1} works out of the box with the {n2}; no extra setup is required.",
               "{P} can {v} the {n1} in a few clicks, and changes apply to the {n2} immediately.",
               "we continuously improve the {n1} based on feedback from {P}.",
               "a {a} {n1} gives {P} confidence that nothing slips through the cracks.",
               "learn more about how the {n1} and the {n2} work together in our help centre."],
    sents=["Every completed envelope includes a tamper-evident certificate of completion.",
           "Templates can be shared across teams with role-based permissions.",
           "Signers do not need an account to sign a document.",
           "Audit trails record IP address, timestamp and authentication method for every action.",
           "Bulk send lets you distribute the same agreement to hundreds of recipients at once.",
           "Webhooks notify your systems the moment an envelope is completed or declined.",
           "Administrators can enforce two-factor authentication for all internal users.",
           "Documents can be retained automatically for a configurable period and then purged."])
D["legal"] = dict(
    subject="the agreement",
    intro=["Contract."],
    nouns=["Services", "Deliverables", "Customer Data", "Confidential Information", "Fees", "Statement of Work",
           "Service Levels", "Documentation", "Subprocessor list", "Security Measures", "Change Request", "Acceptance Criteria"],
    templates=["{P} shall {v} the {n1} in accordance with the {n2}.",
               "any {a} change to the {n1} shall be subject to a Change Request agreed by both parties.",
               "{P} shall {v} the {n1} within a {a} period following receipt of a written request.",
               "the {n1} shall be provided in accordance with the {n2} and Good Industry Practice.",
               "where {P} fails to {v} the {n1}, the other party may require it to do so at its own cost.",
               "nothing in this clause shall limit the obligations of {P} in respect of the {n1}.",
               "{P} shall keep {a} records relating to the {n1} and make them available on request.",
               "the {n1} shall not be modified except by {a} agreement of the parties.",
               "{P} shall notify the other party promptly of any {a} issue affecting the {n1} or the {n2}.",
               "to the extent the {n1} relies on the {n2}, {P} shall use {a} efforts to ensure continuity.",
               "references to the {n1} include any {a} updates agreed under this Agreement.",
               "{P} shall not be liable for any delay in the {n1} caused by a failure of the other party to {v} the {n2}."],
    verbs=["maintain", "provide", "deliver", "review", "document", "remedy", "protect", "invoice"],
    adjs=["reasonable", "applicable", "written", "material", "documented", "agreed", "commercially reasonable", "timely"],
    people=["the Supplier", "the Customer", "either party", "the receiving party", "the Supplier's personnel"],
    sents=["Nothing in this Agreement shall be construed as creating a partnership or joint venture between the parties.",
           "Each party shall comply with all applicable laws in the performance of its obligations.",
           "The Supplier shall ensure that its personnel are suitably skilled and experienced.",
           "Any amendment to this Agreement must be agreed in writing and signed by authorised representatives of both parties.",
           "The headings in this Agreement are for convenience only and do not affect its interpretation.",
           "If any provision is held invalid, the remaining provisions shall continue in full force and effect.",
           "The Customer shall provide the Supplier with reasonable access to its premises and systems as required.",
           "A failure to exercise any right shall not constitute a waiver of that right."])
D["meeting"] = dict(
    subject="the platform planning meeting",
    intro=["Meeting."],
    nouns=["migration timeline", "budget line", "vendor contract", "on-call load", "roadmap slide", "risk register",
           "staffing plan", "test environment", "customer comms", "rollout checklist", "retro notes", "dependency map"],
    verbs=["revisit", "sign off on", "flag", "circulate", "push back on", "pair on", "escalate", "timebox"],
    adjs=["risky", "late", "underestimated", "blocked", "ambitious", "fine", "messy", "overdue"],
    people=["Aisha", "Greg", "Sofia", "Tomasz", "Leon", "the finance partner"],
    sents=["I think we're trying to do too much in one quarter.",
           "Can we park that and come back to it at the end?",
           "The last time we rushed a cutover we spent two weeks cleaning up.",
           "I'd rather have a boring plan that we actually finish.",
           "Let's make sure the customer comms go out before anything changes.",
           "We should check with security before we commit to a date.",
           "Honestly the on-call load is the thing people keep complaining about.",
           "I can share the numbers after the meeting if that helps."])

CHAT_DOMAINS = ["k8s", "renovation", "travel", "marketing", "data", "events", "finance", "cooking",
                "hiring", "logistics", "gardening", "fitness"]


def _article_fix(s):
    return re.sub(r"\b([Aa]) (?=(?:[aeioAEIO]|u(?!ni|se|su|r)))", r"\1n ", s)


def _cap(s):
    return s[:1].upper() + s[1:] if s else s


class Gen:
    """Deterministic text generator built on one random.Random instance."""

    def __init__(self, rng):
        self.r = rng

    def fmt(self, tpl, d):
        r = self.r
        n1, n2 = r.sample(d["nouns"], 2)
        s = tpl.format(n1=n1, n2=n2, v=r.choice(d["verbs"]), a=r.choice(d["adjs"]),
                       P=r.choice(d["people"]), num=r.randint(2, 9), clause=r.choice(CLAUSES))
        return _cap(_article_fix(s))

    def sent(self, d):
        if self.r.random() < 0.3:
            return self.r.choice(d["sents"])
        return self.fmt(self.r.choice(d.get("templates", GENERIC)), d)

    def para(self, d, lo=2, hi=5):
        return " ".join(self.sent(d) for _ in range(self.r.randint(lo, hi)))

    def text(self, d, target, lo=3, hi=6):
        """Paragraphs until about `target` characters."""
        out, n = [], 0
        while n < target:
            p = self.para(d, lo, hi)
            out.append(p)
            n += len(p) + 2
        return "\n\n".join(out)

    def assistant(self, d):
        r = self.r
        parts = []
        op = r.choice(OPENERS)
        k = r.randint(1, 4)
        for i in range(k):
            p = self.para(d, 2, 5)
            if i == 0 and op:
                p = op + " " + p
            parts.append(p)
        if r.random() < 0.45:
            items = []
            for _ in range(r.randint(3, 6)):
                lead = _cap(r.choice(d["nouns"]))
                items.append("- **%s**: %s" % (lead, self.sent(d)))
            parts.insert(r.randint(1, len(parts)), "\n".join(items))
        cl = self.fmt(r.choice(CLOSERS), d) if r.random() < 0.6 else ""
        if cl:
            parts.append(cl)
        # the assistant speaks to the user: "my coach" -> "your coach"
        return re.sub(r"\b([Mm])y\b", lambda mm: "Your" if mm.group(1) == "M" else "your", "\n\n".join(parts))

    def user(self, d):
        r = self.r
        bits = [r.choice(ACKS), self.fmt(r.choice(USER_PRE), d) if r.random() < 0.7 else ""]
        if r.random() < 0.25:
            bits.append(self.para(d, 1, 3))
        bits.append(self.fmt(r.choice(USER_Q), d))
        return " ".join(b for b in bits if b).strip()


def clen(messages):
    n = 0
    for m in messages:
        c = m.get("content")
        if isinstance(c, str):
            n += len(c)
        for tc in m.get("tool_calls") or []:
            n += len(tc["function"]["name"]) + len(tc["function"]["arguments"]) + len(tc["id"])
    return n


class Conv:
    def __init__(self, gen, system):
        self.g = gen
        self.m = [{"role": "system", "content": system}]

    def u(self, text):
        self.m.append({"role": "user", "content": text})

    def a(self, text):
        self.m.append({"role": "assistant", "content": text})

    def chars(self):
        return clen(self.m)

    def pair(self, dom, chit=0.12):
        d = D[dom]
        if self.g.r.random() < chit:
            cu, ca = self.g.r.choice(CHIT)
            self.u(cu)
            self.a(ca)
        else:
            self.u(self.g.user(d))
            self.a(self.g.assistant(d))

    def open_topic(self, dom, switch=True):
        d = D[dom]
        lead = ""
        if switch and len(self.m) > 2:
            lead = self.g.r.choice(["Switching topics for a bit.", "Unrelated, but", "Okay, different subject.",
                                    "New topic, if that's okay.", "Let's park that."]) + " "
        self.u(lead + self.g.r.choice(d["intro"]) + " " + self.g.fmt(self.g.r.choice(USER_Q), d))
        self.a(self.g.assistant(d))

    def fill_until(self, dom, until, chit=0.12, open_topic=False):
        if open_topic:
            self.open_topic(dom)
        while self.chars() < until:
            self.pair(dom, chit)

    def fill_turns(self, dom, n, chit=0.12):
        for _ in range(n):
            self.pair(dom, chit)


SYSTEMS = [
    "You are a helpful, concise assistant. Answer in plain language and ask for clarification when a request is ambiguous.",
    "You are a friendly assistant helping the user plan and organise their work and life. Be practical and specific.",
    "You are an expert assistant. Prefer concrete recommendations over generic advice, and say so when you are unsure.",
    "You are a helpful assistant. Keep answers well structured; use short lists where they help.",
]

# ---------------------------------------------------------------------------
# Tool-result generators (logs, code, tables, web pages, test output ...)
# ---------------------------------------------------------------------------

HEX = "0123456789abcdef"


def rhex(r, n):
    return "".join(r.choice(HEX) for _ in range(n))


def call_id(r):
    return "call_" + "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(22))


LOG_RES = ["orders", "carts", "customers", "invoices", "products", "sessions", "shipments", "coupons"]
LOG_TABLES = ["orders", "order_items", "payments", "customers", "inventory", "audit_log"]
LOG_TOPICS = ["order-events", "payment-events", "inventory-updates", "email-outbox"]
LOG_FLAGS = ["new_checkout_flow", "async_invoicing", "fast_search", "bulk_discounts"]


def log_msg(r):
    t = r.randint(0, 12)
    if t == 0:
        return "request completed method=GET path=/api/v1/%s/%d status=200 duration_ms=%d" % (r.choice(LOG_RES), r.randint(1000, 99999), r.randint(3, 240))
    if t == 1:
        return "request completed method=POST path=/api/v1/%s status=201 duration_ms=%d" % (r.choice(LOG_RES), r.randint(8, 400))
    if t == 2:
        return "cache miss key=%s:%d" % (r.choice(LOG_RES), r.randint(1000, 99999))
    if t == 3:
        return "cache hit ratio=%.2f window=60s" % r.uniform(0.6, 0.99)
    if t == 4:
        return "retrying upstream call service=%s attempt=%d backoff_ms=%d" % (r.choice(["inventory", "pricing", "tax", "fraud-check"]), r.randint(1, 3), r.choice([100, 200, 400, 800]))
    if t == 5:
        return "health check ok latency_ms=%d" % r.randint(1, 30)
    if t == 6:
        return "pool stats active=%d idle=%d waiting=%d" % (r.randint(1, 30), r.randint(0, 8), r.randint(0, 4))
    if t == 7:
        return "slow query duration_ms=%d table=%s" % (r.randint(500, 4800), r.choice(LOG_TABLES))
    if t == 8:
        return "gc pause duration_ms=%d heap_mb=%d" % (r.randint(4, 90), r.randint(300, 1400))
    if t == 9:
        return "feature flag evaluated flag=%s value=%s" % (r.choice(LOG_FLAGS), r.choice(["true", "false"]))
    if t == 10:
        return "published event topic=%s partition=%d offset=%d" % (r.choice(LOG_TOPICS), r.randint(0, 11), r.randint(100000, 9999999))
    if t == 11:
        return "consumer lag topic=%s lag=%d" % (r.choice(LOG_TOPICS), r.randint(0, 900))
    return "token refreshed client=%s expires_in=3600" % r.choice(["web", "mobile", "partner-api", "backoffice"])


def gen_logs(r, service, n, start, step_ms=(40, 2500), errors=None, err_rate=0.08, inject=None, pod=None):
    """n log lines; `errors` are (level, template) pairs used at err_rate; inject maps index->line body."""
    t = start
    lines = []
    inject = inject or {}
    for i in range(n):
        t += _dt.timedelta(milliseconds=r.randint(*step_ms))
        ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)
        if i in inject:
            lvl, body = inject[i]
        elif errors and r.random() < err_rate:
            lvl, tpl = r.choice(errors)
            body = tpl.format(trace="trace-" + rhex(r, 10), n=r.randint(2, 40), ms=r.randint(1000, 30000), id=r.randint(10000, 99999))
        else:
            lvl, body = (r.choice(["INFO", "INFO", "INFO", "DEBUG", "WARN"]), log_msg(r))
        p = pod or service
        lines.append("%s %-5s [%s] %s" % (ts, lvl, p, body))
    return "\n".join(lines)


CODE_VERBS = ["load", "parse", "validate", "normalize", "compute", "flush", "merge", "resolve", "emit", "fetch", "apply", "build"]
CODE_NOUNS = ["invoice", "ledger_entry", "batch", "record", "account", "payment", "schedule", "order", "line_item", "adjustment", "statement", "cursor"]


def gen_function(r, name=None, sig=None):
    v, n = r.choice(CODE_VERBS), r.choice(CODE_NOUNS)
    name = name or "%s_%s" % (v, n)
    if sig is None:
        params = r.sample(["session", "%s_id: str" % n, "items", "config", "*, strict: bool = False", "limit: int = 100"], r.randint(1, 3))
        params.sort(key=lambda p: (p.startswith("*"), "=" in p))
        sig = "def %s(%s):" % (name, ", ".join(params))
    body = ['    """%s the %s and return the result.\n\n    Raises ValueError when the input is inconsistent.\n    """' % (_cap(v), n.replace("_", " "))]
    var = r.choice(["result", "rows", "entries", "payload", "state"])
    body.append("    %s = []" % var)
    for _ in range(r.randint(3, 9)):
        k = r.randint(0, 6)
        if k == 0:
            body.append("    if not %s:\n        raise ValueError(\"%s must not be empty\")" % (r.choice(["items", "config", "session"]), n))
        elif k == 1:
            body.append("    %s = config.get(\"%s\", %s)" % (r.choice(["timeout", "retries", "page_size", "currency"]), r.choice(["timeout", "max_retries", "page_size", "default_currency"]), r.choice(["30", "3", "500", "\"EUR\""])))
        elif k == 2:
            body.append("    logger.debug(\"%s %%s\", %s)" % (v, r.choice(["items", "config", var])))
        elif k == 3:
            body.append("    for item in items:\n        if item.amount_cents < 0:\n            continue\n        %s.append(item)" % var)
        elif k == 4:
            body.append("    with session.begin():\n        session.execute(%s_TABLE.select().limit(limit))" % n.upper())
        elif k == 5:
            body.append("    total = sum(x.amount_cents for x in %s)" % var)
        else:
            body.append("    metrics.increment(\"%s.%s\")" % (n, v))
    body.append("    return %s" % var)
    return sig + "\n" + "\n".join(body)


def gen_code(r, header, target, inject=None, at=0.3):
    parts = [header]
    injected = inject is None
    while sum(len(p) for p in parts) < target:
        if not injected and sum(len(p) for p in parts) > target * at:
            parts.append(inject)
            injected = True
        parts.append(gen_function(r))
    if not injected:
        parts.append(inject)
    return "\n\n\n".join(parts) + "\n"


def psql(cols, rows):
    widths = [max(len(str(c)), *(len(str(x[i])) for x in rows)) if rows else len(str(c)) for i, c in enumerate(cols)]
    head = " " + " | ".join(str(c).ljust(w) for c, w in zip(cols, widths))
    sep = "-" + "-+-".join("-" * w for w in widths) + "-"
    body = [" " + " | ".join(str(x).rjust(w) if isinstance(x, (int, float)) or re.match(r"^[\d.,-]+$", str(x)) else str(x).ljust(w)
                             for x, w in zip(row, widths)) for row in rows]
    return "\n".join([head, sep] + body + ["(%d rows)" % len(rows)])


def pipe_table(cols, rows):
    out = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in rows:
        out.append("| " + " | ".join(str(x) for x in row) + " |")
    return "\n".join(out)


def gen_web_page(g, dom, title, target, inject=None, headings=None):
    """A vendor-style web page with headings; inject = list of sentences placed in the middle."""
    r = g.r
    d = D[dom]
    headings = headings or ["Overview", "Features", "How it works", "Security", "Integrations", "FAQ", "Customers"]
    out = ["# " + title, "", g.para(d, 2, 4)]
    hs = list(headings)
    inj = list(inject or [])
    i = 0
    while len("\n".join(out)) < target or inj:
        h = hs[i % len(hs)]
        i += 1
        out += ["", "## " + h + ("" if i <= len(hs) else " (continued)"), "", g.para(d, 3, 6)]
        if r.random() < 0.4:
            out += [""] + ["- " + g.sent(d) for _ in range(r.randint(3, 5))]
        if inj and len("\n".join(out)) > target * 0.35:
            out += ["", inj.pop(0)]
        if i > 400:
            break
    out += ["", "(c) 2024. All rights reserved. Cookie settings | Imprint | Privacy"]
    return "\n".join(out)


PYTEST_MODULES = ["test_db.py", "test_api.py", "test_models.py", "test_worker.py", "test_pricing.py", "test_auth.py", "test_export.py"]


def gen_pytest(r, path_prefix, n_tests, failures, dur=None, tb_len=12):
    """failures: list of (nodeid, error_text); nodeids look like 'tests/test_db.py::test_x'."""
    lines = ["============================= test session starts ==============================",
             "platform linux -- Python 3.11.9, pytest-8.2.1, pluggy-1.5.0",
             "rootdir: /srv/app", "configfile: pyproject.toml", "plugins: asyncio-0.23.7, cov-5.0.0, timeout-2.3.1",
             "collected %d items" % n_tests, ""]
    mods = sorted(set(PYTEST_MODULES) | {f[0].split("::")[0][len(path_prefix):] for f in failures})
    counts = {m: 0 for m in mods}
    for _ in range(n_tests):
        counts[r.choice(mods)] += 1
    done = 0
    for mod in mods:
        cnt = max(1, counts[mod])
        nf = sum(1 for f in failures if f[0].split("::")[0] == path_prefix + mod)
        marks = list("." * cnt)
        for j in range(min(nf, cnt)):
            marks[r.randrange(cnt)] = "F"
        done += cnt
        lines.append("%s%s %s [%3d%%]" % (path_prefix, mod, "".join(marks), min(100, 100 * done // n_tests)))
    lines.append("")
    if failures:
        lines.append("=================================== FAILURES ===================================")
        for nodeid, err in failures:
            fn = nodeid.split("::")[-1]
            path = nodeid.split("::")[0]
            lines.append("_" * 20 + " " + fn + " " + "_" * 20)
            lines.append("")
            lines.append("%s = <%s object at 0x7f%s>" % (r.choice(["db_session", "client", "engine"]), r.choice(["Session", "TestClient", "Engine"]), rhex(r, 10)))
            lines.append("")
            lines.append("    def %s(client, db_session):" % fn)
            body = [ln for ln in gen_function(r).split("\n")[1:] if ln.strip() and '"""' not in ln and "Raises" not in ln]
            for ln in body[:tb_len]:
                lines.append("    " + ln)
            lines.append(">       assert results.ok_count == expected")
            lines += ["E       " + e for e in err.split("\n")]
            lines.append("")
            lines.append("%s:%d: %s" % (path, r.randint(20, 300), err.split(":")[0].split(".")[-1]))
            lines.append("------------------------------ Captured log call -------------------------------")
            for _ in range(tb_len):
                lines.append("%s %s:%d %s" % (r.choice(["WARNING", "INFO", "DEBUG"]), r.choice(["orders.db", "orders.api", "sqlalchemy.pool"]), r.randint(10, 400), log_msg(r)))
            lines.append("")
        lines.append("=========================== short test summary info ============================")
        for nodeid, err in failures:
            lines.append("FAILED %s - %s" % (nodeid, err.split("\n")[0][:90]))
    passed = n_tests - len(failures)
    lines.append("======================= %s%d passed in %.2fs =======================" % (
        ("%d failed, " % len(failures)) if failures else "", passed, dur or r.uniform(4, 90)))
    return "\n".join(lines)


COMMIT_MSGS = ["fix flaky retry test", "bump dependencies", "add index on orders.created_at", "refactor pricing module",
               "tune connection settings for staging", "log slow queries above 500ms", "remove dead feature flag",
               "add metrics for worker throughput", "split settings per environment", "increase worker concurrency",
               "handle empty carts in checkout", "docs: update runbook", "revert accidental config change",
               "migrate to structured logging", "cache product lookups", "pin base image digest"]


def gen_git_log(r, n):
    return "\n".join("%s %s" % (rhex(r, 7), r.choice(COMMIT_MSGS)) for _ in range(n))


def gen_grep(r, pattern_words, files, n, fixed=None):
    out = []
    for i in range(n):
        f = r.choice(files)
        w = r.choice(pattern_words)
        snippet = r.choice([
            "    %s = settings.%s" % (w, w),
            "    logger.info(\"%s=%%s\", %s)" % (w, w),
            "        if %s is None:" % w,
            "# TODO: make %s configurable per tenant" % w,
            "    %s: int = Field(default=%d, ge=1)" % (w, r.randint(1, 120)),
            "    assert engine.%s > 0" % w,
            "        kwargs[\"%s\"] = %s" % (w, w),
        ])
        out.append("%s:%d:%s" % (f, r.randint(3, 640), snippet))
    if fixed:
        for pos, line in fixed:
            out.insert(min(pos, len(out)), line)
    return "\n".join(out)


def gen_search_results(g, dom, query, items):
    """items: list of (title, url, snippet or None)."""
    out = ['Search results for "%s" (%d results)' % (query, len(items)), ""]
    for i, (t, u, s) in enumerate(items, 1):
        out.append("%d. %s\n   %s\n   %s" % (i, t, u, s or (g.sent(D[dom]) + " " + g.sent(D[dom]))))
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Tool schemas
# ---------------------------------------------------------------------------

def _p(**props):
    return props


TOOL_DEFS = {
    "read_file": ("Read a file from the repository or filesystem.", _p(path={"type": "string"}), ["path"]),
    "write_file": ("Overwrite a file with new content.", _p(path={"type": "string"}, content={"type": "string"}), ["path", "content"]),
    "list_dir": ("List the entries of a directory.", _p(path={"type": "string"}), ["path"]),
    "grep_repo": ("Search the repository for a regular expression.", _p(pattern={"type": "string"}, path={"type": "string"}), ["pattern"]),
    "run_command": ("Run a shell command on the operations host and return stdout/stderr.", _p(command={"type": "string"}), ["command"]),
    "run_tests": ("Run the test suite (or a subset) with pytest.", _p(target={"type": "string"}), ["target"]),
    "search_logs": ("Search centralised logs.", _p(service={"type": "string"}, level={"type": "string"}, query={"type": "string"}, since={"type": "string"}), ["service"]),
    "get_metrics": ("Fetch a metric time series.", _p(metric={"type": "string"}, window={"type": "string"}, step={"type": "string"}), ["metric"]),
    "list_deploys": ("List recent deployments of a service.", _p(service={"type": "string"}, limit={"type": "integer"}), ["service"]),
    "get_trace": ("Fetch a distributed trace by id.", _p(trace_id={"type": "string"}), ["trace_id"]),
    "web_search": ("Search the web.", _p(query={"type": "string"}), ["query"]),
    "fetch_url": ("Fetch a web page and return its text.", _p(url={"type": "string"}), ["url"]),
    "run_sql": ("Run a read-only SQL query against the analytics warehouse.", _p(query={"type": "string"}), ["query"]),
    "describe_table": ("Describe the columns of a warehouse table.", _p(table={"type": "string"}), ["table"]),
    "search_flights": ("Search flights.", _p(origin={"type": "string"}, destination={"type": "string"}, date={"type": "string"}, nonstop_only={"type": "boolean"}, flex_days={"type": "integer"}), ["origin", "destination", "date"]),
    "search_hotels": ("Search hotels.", _p(city={"type": "string"}, check_in={"type": "string"}, check_out={"type": "string"}, max_price_eur={"type": "number"}), ["city", "check_in", "check_out"]),
    "get_hotel_details": ("Get details and reviews summary for a hotel.", _p(hotel_id={"type": "string"}), ["hotel_id"]),
    "get_reviews": ("Get guest reviews for a hotel.", _p(hotel_id={"type": "string"}, limit={"type": "integer"}), ["hotel_id"]),
    "check_availability": ("Check room availability and final price.", _p(hotel_id={"type": "string"}, check_in={"type": "string"}, check_out={"type": "string"}), ["hotel_id"]),
    "book_hotel": ("Book a hotel room.", _p(hotel_id={"type": "string"}, room_type={"type": "string"}, check_in={"type": "string"}, check_out={"type": "string"}, guest_name={"type": "string"}), ["hotel_id", "check_in", "check_out"]),
    "get_weather": ("Get a weather forecast.", _p(city={"type": "string"}, start={"type": "string"}, end={"type": "string"}), ["city"]),
    "convert_currency": ("Convert an amount between currencies.", _p(amount={"type": "number"}, src={"type": "string"}, dst={"type": "string"}), ["amount", "src", "dst"]),
    "get_transfer_options": ("Get transport options between two places.", _p(origin={"type": "string"}, destination={"type": "string"}), ["origin", "destination"]),
    "add_to_calendar": ("Add an event to the user's calendar.", _p(title={"type": "string"}, start={"type": "string"}, end={"type": "string"}), ["title", "start"]),
    "start_job": ("Start a batch job.", _p(job={"type": "string"}, params={"type": "object"}), ["job"]),
    "get_job_status": ("Get the status of a batch job run.", _p(run_id={"type": "string"}), ["run_id"]),
    "read_job_logs": ("Read the driver logs of a batch job run.", _p(run_id={"type": "string"}, tail={"type": "integer"}), ["run_id"]),
    "list_job_outputs": ("List output files of a job run (keys relative to the run's output location).", _p(run_id={"type": "string"}), ["run_id"]),
    "lookup_customer": ("Find a customer by email or id.", _p(email={"type": "string"}, customer_id={"type": "string"}), []),
    "list_orders": ("List a customer's orders.", _p(customer_id={"type": "string"}), ["customer_id"]),
    "get_order": ("Get an order by id.", _p(order_id={"type": "string"}), ["order_id"]),
    "list_tickets": ("List support tickets for a customer.", _p(customer_id={"type": "string"}), ["customer_id"]),
    "get_ticket": ("Get a support ticket thread.", _p(ticket_id={"type": "string"}), ["ticket_id"]),
    "list_payments": ("List payment captures for a customer.", _p(customer_id={"type": "string"}), ["customer_id"]),
    "get_payment": ("Get a payment capture.", _p(payment_id={"type": "string"}), ["payment_id"]),
    "get_policy": ("Look up an internal support policy.", _p(topic={"type": "string"}), ["topic"]),
    "create_replacement": ("Create a replacement shipment.", _p(order_id={"type": "string"}, items={"type": "array", "items": {"type": "string"}}), ["order_id"]),
    "issue_refund": ("Refund a payment capture.", _p(payment_id={"type": "string"}, amount={"type": "number"}, reason={"type": "string"}), ["payment_id", "amount"]),
    "add_ticket_note": ("Add an internal note to a ticket.", _p(ticket_id={"type": "string"}, note={"type": "string"}), ["ticket_id", "note"]),
    "run_scanner": ("Run a security scanner (dependency, container, secrets, iac).", _p(kind={"type": "string"}, target={"type": "string"}), ["kind"]),
    "search_advisories": ("Search security advisories for a package.", _p(package={"type": "string"}), ["package"]),
    "list_sheets": ("List sheets in a workbook.", _p(workbook={"type": "string"}), ["workbook"]),
    "read_sheet": ("Read a sheet as a table.", _p(workbook={"type": "string"}, sheet={"type": "string"}), ["workbook", "sheet"]),
    "compute": ("Evaluate an arithmetic expression.", _p(expression={"type": "string"}), ["expression"]),
    "write_cell": ("Write a value or formula into a cell.", _p(workbook={"type": "string"}, cell={"type": "string"}, value={"type": "string"}), ["workbook", "cell", "value"]),
    "get_balance": ("Get the balance of a bank account.", _p(account={"type": "string"}), ["account"]),
    "track_parcel": ("Track a parcel for an order.", _p(order_ref={"type": "string"}), ["order_ref"]),
}


def tool_schemas(names):
    out = []
    for n in names:
        desc, props, req = TOOL_DEFS[n]
        out.append({"type": "function", "function": {"name": n, "description": desc,
                                                     "parameters": {"type": "object", "properties": props, "required": req}}})
    return out


class Agent:
    """Helper for building messages with tool calls."""

    def __init__(self, conv):
        self.c = conv
        self.used = []

    def step(self, calls, say=None):
        r = self.c.g.r
        tcs, res = [], []
        for name, args, result in calls:
            cid = call_id(r)
            if name not in self.used:
                self.used.append(name)
            tcs.append({"id": cid, "type": "function", "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False)}})
            res.append({"role": "tool", "tool_call_id": cid, "content": result})
        self.c.m.append({"role": "assistant", "content": say, "tool_calls": tcs})
        self.c.m.extend(res)

    def one(self, name, args, result, say=None):
        self.step([(name, args, result)], say)


# ---------------------------------------------------------------------------
# Case helpers
# ---------------------------------------------------------------------------

T0 = _dt.datetime(2024, 10, 8, 13, 0, 0)


def case(cid, kind, messages, needed, notes, forbidden=None, tools=None, limits=None):
    """limits: optional {substring: max number of non-final messages that may contain it} (build-time check)."""
    return {"id": cid, "kind": kind, "messages": messages, "tools": tools or [], "needed": needed,
            "forbidden_stale": forbidden or [], "notes": notes, "_limits": limits or {}}


def count_in(messages, s, skip_last=True):
    ms = messages[:-1] if skip_last else messages
    n = 0
    for m in ms:
        blob = (m.get("content") or "") + "".join(tc["function"]["arguments"] for tc in m.get("tool_calls") or [])
        if s in blob:
            n += 1
    return n


def prior_history(c, dom, turns):
    c.open_topic(dom, switch=False)
    c.fill_turns(dom, turns - 1, chit=0.1)


# ---------------------------------------------------------------------------
# Agent cases
# ---------------------------------------------------------------------------

def toml_config(r, env, pool):
    L = ["# %s database settings for orders-api" % env.capitalize(),
         "# Owner: platform-team (changes need review from #db-oncall)", "# Last reviewed: 2024-09-30", "",
         "[database]", 'host = "orders-db.%s.internal"' % env, "port = 5432", 'name = "orders"',
         'user = "orders_app"', 'sslmode = "verify-full"', "statement_timeout_ms = %d" % r.choice([5000, 8000, 15000]), "",
         "[database.pool]", "max_pool_size = %d" % pool, "min_idle = %d" % r.randint(2, 6), "pool_timeout_seconds = 30",
         "max_lifetime_seconds = 1800", "pre_ping = true", "# overflow disabled on purpose, see INC-2291", "max_overflow = 0", ""]
    for sec in ["cache", "queue", "http", "features", "logging", "metrics"]:
        L.append("[%s]" % sec)
        for _ in range(r.randint(4, 8)):
            k = r.choice(["ttl_seconds", "max_entries", "concurrency", "timeout_ms", "enabled", "sample_rate",
                          "batch_size", "flush_interval_ms", "level", "endpoint", "retries", "backoff_ms"])
            v = r.choice([str(r.randint(1, 5000)), "true", "false", '"info"', '"http://otel-collector:4318"', "%.2f" % r.random()])
            L.append("%s = %s" % (k, v))
        L.append("")
    for svc in ["pricing", "inventory", "tax", "fraud_check"]:
        L += ["[retry.%s]" % svc, "attempts = %d" % r.randint(2, 5), "backoff_ms = %d" % r.choice([100, 200, 250, 500]),
              "jitter = true", ""]
    return "\n".join(L)


def agent_pool(seed):
    g = Gen(random.Random(seed))
    r = g.r
    c = Conv(g, "You are DevAgent, an autonomous software engineering assistant working in the orders-service repository. "
                "Use the tools to inspect code, logs, tests and the Kubernetes cluster. Never change production without explicit approval.")
    prior_history(c, "k8s", 3)
    c.u("New problem. Since this morning's deploy the orders-api is throwing timeouts under load and on-call got paged twice. "
        "Please investigate: check the config, the logs and the tests, find the root cause and propose a fix. Don't push anything yet.")
    A = Agent(c)
    A.one("read_file", {"path": "config/database.toml"}, toml_config(r, "production", 37),
          "I'll start with the production database configuration.")
    files = ["src/orders/db.py", "src/orders/worker.py", "src/orders/settings.py", "src/orders/health.py", "tests/test_db.py", "docs/runbook.md"]
    A.one("grep_repo", {"pattern": "pool", "path": "."},
          gen_grep(r, ["pool_size", "pool_timeout", "pool_recycle", "pool_pre_ping", "max_overflow"], files, 70,
                   fixed=[(2, "config/database.toml:14:max_pool_size = 37"), (9, "config/database.staging.toml:14:max_pool_size = 60")]))
    errs = [("ERROR", "QueuePool limit reached, connection timed out after 30.0s trace_id={trace}"),
            ("ERROR", "request failed method=POST path=/api/v1/orders status=503 duration_ms={ms} reason=db_pool_timeout trace_id={trace}"),
            ("WARN", "pool exhausted waiting={n} checkout_wait_ms={ms}")]
    A.one("search_logs", {"service": "orders-api", "level": "WARN", "since": "2h"},
          gen_logs(r, "orders-api", 190, T0, errors=errs, err_rate=0.25, pod="orders-api-7c9d8b6f5-x2k4q"))
    A.one("read_file", {"path": "src/orders/db.py"},
          gen_code(r, '"""Database access layer for the orders service."""\nimport logging\n\nfrom sqlalchemy import create_engine\nfrom sqlalchemy.orm import sessionmaker\n\nfrom .settings import settings\n\nlogger = logging.getLogger(__name__)',
                   6500, inject="engine = create_engine(\n    settings.database.url,\n    pool_size=settings.database.pool.max_pool_size,\n    max_overflow=settings.database.pool.max_overflow,\n    pool_timeout=settings.database.pool.pool_timeout_seconds,\n    pool_pre_ping=True,\n)\nSession = sessionmaker(bind=engine)"))
    pods = ["NAME                               READY   STATUS    RESTARTS   AGE   IP             NODE"]
    for i in range(9):
        pods.append("orders-api-7c9d8b6f5-%s   1/1     Running   %d          %dh   10.42.%d.%d   ip-10-0-%d-%d.eu-central-1.compute.internal" % (
            "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(5)), r.randint(0, 4), r.randint(1, 9), r.randint(0, 9), r.randint(2, 250), r.randint(1, 9), r.randint(2, 250)))
    for i in range(4):
        pods.append("orders-worker-5f6d7c8b9-%s   1/1     Running   0          %dh   10.42.%d.%d   ip-10-0-%d-%d.eu-central-1.compute.internal" % (
            "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(5)), r.randint(1, 9), r.randint(0, 9), r.randint(2, 250), r.randint(1, 9), r.randint(2, 250)))
    A.one("run_command", {"command": "kubectl get pods -n orders -o wide"}, "\n".join(pods))
    desc = ["Name:             orders-api-7c9d8b6f5-x2k4q", "Namespace:        orders", "Priority:         0",
            "Service Account:  orders-api", "Node:             ip-10-0-3-117.eu-central-1.compute.internal/10.0.3.117",
            "Start Time:       Tue, 08 Oct 2024 07:12:44 +0000", "Labels:           app=orders-api", "                  pod-template-hash=7c9d8b6f5",
            "Status:           Running", "Controlled By:    ReplicaSet/orders-api-7c9d8b6f5", "Containers:", "  orders-api:",
            "    Image:          registry.internal/orders/orders-api:2024.10.08-1", "    Port:           8080/TCP",
            "    Limits:", "      cpu:     2", "      memory:  2Gi", "    Requests:", "      cpu:      500m", "      memory:   1Gi",
            "    Liveness:   http-get http://:8080/healthz delay=10s timeout=2s period=10s #success=1 #failure=3",
            "    Readiness:  http-get http://:8080/readyz delay=5s timeout=2s period=5s #success=1 #failure=3",
            "    Environment:", "      APP_ENV:              production", "      GUNICORN_WORKERS:     8", "      GUNICORN_THREADS:     12",
            "      OTEL_EXPORTER_OTLP_ENDPOINT: http://otel-collector.observability:4318", "Events:",
            "  Type     Reason     Age                  From     Message", "  ----     ------     ----                 ----     -------"]
    for _ in range(40):
        desc.append("  Warning  Unhealthy  %dm (x%d over %dh)  kubelet  Readiness probe failed: Get \"http://10.42.%d.%d:8080/readyz\": context deadline exceeded" % (
            r.randint(1, 59), r.randint(2, 30), r.randint(1, 5), r.randint(0, 9), r.randint(2, 250)))
    A.one("run_command", {"command": "kubectl describe pod orders-api-7c9d8b6f5-x2k4q -n orders"}, "\n".join(desc))
    A.one("search_logs", {"service": "orders-worker", "level": "WARN", "since": "2h"},
          gen_logs(r, "orders-worker", 130, T0, errors=[("WARN", "job retry scheduled attempt={n} reason=db_timeout")], err_rate=0.15))
    A.one("read_file", {"path": "src/orders/worker.py"},
          gen_code(r, '"""Background worker for order fulfilment."""\nimport logging\n\nfrom .db import Session\n\nlogger = logging.getLogger(__name__)', 6000))
    fails = [("tests/test_db.py::test_pool_exhaustion_under_load", "AssertionError: expected all 80 concurrent requests to succeed, 43 raised TimeoutError\nassert 37 == 80"),
             ("tests/test_db.py::test_pool_recycles_stale_connections", "sqlalchemy.exc.OperationalError: server closed the connection unexpectedly")]
    A.one("run_tests", {"target": "tests/test_db.py"}, gen_pytest(r, "tests/", 26, fails, tb_len=14))
    reqs = ["sqlalchemy==2.0.31", "psycopg[binary]==3.1.19", "gunicorn==22.0.0", "fastapi==0.111.0", "pydantic==2.7.4",
            "uvicorn==0.30.1", "redis==5.0.7", "opentelemetry-sdk==1.25.0", "structlog==24.2.0", "httpx==0.27.0", "tenacity==8.4.2"]
    A.one("read_file", {"path": "requirements.txt"}, "\n".join(reqs) + "\n")
    A.one("run_command", {"command": "git log --oneline -30 -- config/ src/orders/"}, "a91c2e4 raise gunicorn threads to 12 for peak traffic\n" + gen_git_log(r, 30))
    A.one("run_command", {"command": "docker compose -f docker-compose.test.yml restart db-test"},
          "[+] Restarting 1/1\n ✔ Container orders-db-test-1  Started   2.3s")
    A.one("read_file", {"path": "config/database.staging.toml"}, toml_config(r, "staging", 60))
    fails2 = [("tests/test_db.py::test_pool_exhaustion_under_load", "AssertionError: expected all 80 concurrent requests to succeed, 41 raised TimeoutError\nassert 39 == 80")]
    A.one("run_tests", {"target": "tests/"}, gen_pytest(r, "tests/", 412, fails2, tb_len=30),
          "Staging uses a bigger pool. Let me rerun the whole suite now that the test database is fresh.")
    A.one("search_logs", {"service": "orders-api", "level": "ERROR", "since": "10m"},
          gen_logs(r, "orders-api", 90, T0 + _dt.timedelta(hours=2), errors=errs[:2], err_rate=0.4, pod="orders-api-7c9d8b6f5-m8t2d"))
    c.u("Hold on before you change anything. Two quick things: what pool size is the production config set to right now "
        "(the file you opened first), and which test is still failing after your most recent full test run?")
    return case("agent-01-pool-timeouts", "agent", c.m, ["max_pool_size = 37", "test_pool_exhaustion_under_load"],
                "The production pool size is only in the very first tool result (plus one grep line), while a later staging config with a different value and many large log results sit in between.",
                tools=tool_schemas(A.used), limits={"max_pool_size = 37": 2})


def agent_esign(seed):
    g = Gen(random.Random(seed))
    r = g.r
    c = Conv(g, "You are ResearchAgent. You research vendors on the web for the procurement team. Cite what pages say; do not invent prices.")
    c.u("I need an e-signature provider for our contracts team (about 40 users). Hard requirements: (1) documents stored in the EU only, "
        "(2) a completed SOC 2 Type II report, (3) SAML single sign-on. Please research the options and compare pricing.")
    A = Agent(c)
    vendors = [("Signaro", "https://www.signaro.eu"), ("Inkwell Sign", "https://inkwellsign.com"), ("DocuPact", "https://docupact.io"),
               ("Quillmark", "https://www.quillmark.com"), ("Penstroke EU", "https://penstroke.eu"), ("Firmaro", "https://firmaro.de")]
    A.one("web_search", {"query": "e-signature provider EU data residency SOC 2 Type II SAML SSO"},
          gen_search_results(g, "esign", "e-signature provider EU data residency SOC 2 Type II SAML SSO",
                             [(v + " | Electronic signatures for teams", u, None) for v, u in vendors] +
                             [("Best e-signature tools compared (2024)", "https://www.softwarereviewhub.com/e-signature", None),
                              ("What SOC 2 Type I vs Type II means for buyers", "https://blog.trustnotes.io/soc2-types", None)]),
          "Let me start with a broad search.")
    A.one("fetch_url", {"url": "https://www.signaro.eu/security"},
          gen_web_page(g, "esign", "Signaro Trust Center", 11000, inject=[
              "Signaro holds ISO/IEC 27001:2022 certification and has completed a SOC 2 Type II audit covering security, availability and confidentiality. The SOC 2 Type II report is available to customers and prospects under NDA.",
              "All customer documents and audit trails are stored exclusively in our Frankfurt and Amsterdam data centres; EU data residency is the default on every plan.",
              "SAML 2.0 single sign-on (Okta, Entra ID, Google Workspace) and SCIM provisioning are included on the Business plan and above."],
              headings=["Overview", "Certifications", "Data residency", "Encryption", "Access control", "Incident response", "Subprocessors"]))
    A.one("fetch_url", {"url": "https://www.signaro.eu/pricing"},
          gen_web_page(g, "esign", "Signaro pricing", 6500, inject=[
              "Starter: EUR 8.00 per user per month, billed annually. Unlimited envelopes, templates, mobile signing. SSO not included.",
              "Business: EUR 14.50 per user per month, billed annually. Everything in Starter plus SAML SSO, SCIM, bulk send and audit-trail export.",
              "Enterprise: custom pricing (minimum 100 seats), dedicated success manager, custom retention rules."],
              headings=["Plans", "Compare plans", "Add-ons", "Billing FAQ"]))
    A.step([("fetch_url", {"url": "https://inkwellsign.com/security"},
             gen_web_page(g, "esign", "Security at Inkwell Sign", 9000, inject=[
                 "Inkwell Sign completed its SOC 2 Type I examination in March 2024. The Type II observation period is under way and we expect to publish the report next year.",
                 "Customers can choose EU (Dublin) or US hosting when their workspace is created.",
                 "SAML SSO is available on the Teams plan."])),
            ("fetch_url", {"url": "https://docupact.io/trust"},
             gen_web_page(g, "esign", "DocuPact Trust & Compliance", 8000, inject=[
                 "DocuPact is ISO 27001 certified and GDPR compliant. We do not currently publish a SOC 2 report.",
                 "Data is hosted in Germany (Nuremberg) by default.", "Single sign-on via SAML 2.0 is part of the Pro plan."])),
            ("fetch_url", {"url": "https://www.quillmark.com/security"},
             gen_web_page(g, "esign", "Quillmark Security Overview", 8000, inject=[
                 "Quillmark maintains a SOC 2 Type II report, renewed every year, available on request.",
                 "All production data is hosted in the United States (us-east-1 and us-west-2). Regional hosting outside the US is not offered at this time.",
                 "SSO (SAML, OIDC) is available on all paid plans."]))],
           "Fetching the security pages of three more vendors in parallel.")
    A.one("fetch_url", {"url": "https://inkwellsign.com/pricing"},
          gen_web_page(g, "esign", "Inkwell Sign plans", 5000, inject=[
              "Solo: EUR 6.00 per user per month.", "Teams: EUR 11.00 per user per month, billed annually, includes SAML SSO.",
              "Scale: EUR 19.00 per user per month with API access and bulk send."], headings=["Plans", "FAQ"]))
    A.one("web_search", {"query": "Penstroke EU SSO SAML pricing SOC 2"},
          gen_search_results(g, "esign", "Penstroke EU SSO SAML pricing SOC 2",
                             [("Penstroke EU | Pricing", "https://penstroke.eu/pricing", None), ("Penstroke EU security", "https://penstroke.eu/security", None),
                              ("Penstroke review: EU-first e-signatures", "https://www.softwarereviewhub.com/penstroke", None)]))
    A.one("fetch_url", {"url": "https://penstroke.eu/security"},
          gen_web_page(g, "esign", "Penstroke EU security", 9000, inject=[
              "Penstroke stores all data in EU data centres (Paris and Warsaw).",
              "We are ISO 27001 certified; a SOC 2 readiness assessment is planned for 2025.",
              "SAML SSO is included on the Company plan (EUR 13.00 per user per month)."]))
    A.one("fetch_url", {"url": "https://docupact.io/pricing"},
          gen_web_page(g, "esign", "DocuPact pricing", 5000, inject=["Pro: EUR 12.00 per user per month, billed annually, including SSO."], headings=["Plans", "FAQ"]))
    A.one("web_search", {"query": "Firmaro e-signature data residency SOC 2"},
          gen_search_results(g, "esign", "Firmaro e-signature data residency SOC 2",
                             [("Firmaro: Qualified electronic signatures", "https://firmaro.de/en", None), ("Firmaro compliance", "https://firmaro.de/en/compliance", None)]))
    A.one("fetch_url", {"url": "https://firmaro.de/en/compliance"},
          gen_web_page(g, "esign", "Firmaro compliance", 10000, inject=[
              "Firmaro is a qualified trust service provider under eIDAS, hosted exclusively in Germany.",
              "Firmaro has a SOC 2 Type I report; SSO is available only on Enterprise contracts (from 250 seats)."]))
    A.one("fetch_url", {"url": "https://www.softwarereviewhub.com/e-signature"},
          gen_web_page(g, "esign", "Best e-signature tools compared (2024)", 13000, inject=[
              "Signaro, Penstroke EU and Firmaro are the strongest options for European buyers who care about data location.",
              "Quillmark is popular with US companies and has a polished signer experience.",
              "Inkwell Sign and DocuPact are good value for small teams."],
              headings=["Methodology", "Our picks", "Signer experience", "Admin features", "Integrations", "Pricing notes", "Verdict"]))
    A.one("web_search", {"query": "Signaro SCIM Okta setup"},
          gen_search_results(g, "esign", "Signaro SCIM Okta setup",
                             [("Configure SAML SSO with Okta | Signaro Docs", "https://docs.signaro.eu/admin/sso-okta", None),
                              ("SCIM provisioning | Signaro Docs", "https://docs.signaro.eu/admin/scim", None)]))
    A.one("fetch_url", {"url": "https://docs.signaro.eu/admin/sso-okta"},
          gen_web_page(g, "esign", "Configure SAML SSO with Okta", 6000, headings=["Prerequisites", "Create the app in Okta", "Configure Signaro", "Test", "Troubleshooting"]))
    A.one("fetch_url", {"url": "https://www.quillmark.com/pricing"},
          gen_web_page(g, "esign", "Quillmark pricing", 5000, inject=["Pro: USD 15 per user per month. Business: USD 25 per user per month."], headings=["Plans", "FAQ"]))
    c.u("Stop there for a sec. Which of the providers you've looked at meets all three of my requirements, and what is its per-user price on the plan that includes SSO?")
    return case("agent-02-esign-research", "agent", c.m, ["Signaro", "EUR 14.50 per user per month"],
                "The answer needs two early page fetches (security + pricing) of one vendor; later pages describe near-misses (Type I only, US-only hosting, readiness planned) with other prices.",
                tools=tool_schemas(A.used), limits={"EUR 14.50 per user per month": 1})


def agent_refunds(seed):
    g = Gen(random.Random(seed))
    r = g.r
    c = Conv(g, "You are DataAgent, an analyst assistant with read-only SQL access to the analytics warehouse (PostgreSQL dialect). Explain findings briefly.")
    prior_history(c, "data", 2)
    c.u("Finance noticed refunds spiked in September. Can you dig into the warehouse and figure out what's going on? Start broad, then narrow down.")
    A = Agent(c)

    def cid():
        while True:
            x = r.randint(10000, 99999)
            if x != 88213:
                return x
    A.one("describe_table", {"table": "analytics.refunds"}, psql(["column", "type", "nullable"], [
        ("refund_id", "bigint", "not null"), ("order_id", "bigint", "not null"), ("customer_id", "integer", "not null"),
        ("amount", "numeric(12,2)", "not null"), ("currency", "char(3)", "not null"), ("reason_code", "text", "null"),
        ("payment_method", "text", "not null"), ("created_at", "timestamptz", "not null"), ("processed_by", "text", "null"),
        ("source_system", "text", "not null")]))
    rows = [(88213, 212, "41927.30")]
    tot = 19000.0
    for _ in range(24):
        tot -= r.uniform(80, 900)
        rows.append((cid(), r.randint(3, 40), "%.2f" % tot))
    A.one("run_sql", {"query": "SELECT customer_id, count(*) AS refund_count, sum(amount) AS refund_total FROM analytics.refunds WHERE created_at >= '2024-09-01' AND created_at < '2024-10-01' GROUP BY 1 ORDER BY refund_total DESC LIMIT 25;"},
          psql(["customer_id", "refund_count", "refund_total"], rows))
    days = []
    for dnum in range(1, 31):
        cnt = r.randint(80, 140) if dnum < 11 else r.randint(260, 420)
        days.append(("2024-09-%02d" % dnum, cnt, "%.2f" % (cnt * r.uniform(38, 61))))
    A.one("run_sql", {"query": "SELECT date_trunc('day', created_at)::date AS day, count(*), sum(amount) FROM analytics.refunds WHERE created_at >= '2024-09-01' GROUP BY 1 ORDER BY 1;"},
          psql(["day", "count", "sum"], days))
    reasons = ["damaged_item", "late_delivery", "duplicate_charge", "wrong_item", "changed_mind", "subscription_cancel", "price_adjustment", "other"]
    A.one("run_sql", {"query": "SELECT reason_code, count(*), sum(amount) FROM analytics.refunds WHERE created_at >= '2024-09-01' GROUP BY 1 ORDER BY 2 DESC;"},
          psql(["reason_code", "count", "sum"], [(x, r.randint(90, 3100), "%.2f" % r.uniform(3000, 130000)) for x in reasons]))
    A.one("describe_table", {"table": "analytics.orders"}, psql(["column", "type", "nullable"], [
        ("order_id", "bigint", "not null"), ("customer_id", "integer", "not null"), ("created_at", "timestamptz", "not null"),
        ("status", "text", "not null"), ("total_amount", "numeric(12,2)", "not null"), ("channel", "text", "not null"),
        ("category", "text", "not null"), ("region", "text", "not null"), ("coupon_code", "text", "null")]))
    cats = ["home", "kitchen", "garden", "toys", "electronics", "apparel", "beauty", "sports", "books", "pet"]
    A.one("run_sql", {"query": "SELECT o.category, o.region, count(*) AS refunds, sum(r.amount) AS total FROM analytics.refunds r JOIN analytics.orders o USING (order_id) WHERE r.created_at >= '2024-09-01' GROUP BY 1,2 ORDER BY 3 DESC;"},
          psql(["category", "region", "refunds", "total"], [(cc, rg, r.randint(5, 900), "%.2f" % r.uniform(200, 40000)) for cc in cats for rg in ["DE", "AT", "CH", "NL", "PL", "FR"]]))
    A.one("run_sql", {"query": "SELECT payment_method, source_system, count(*) FROM analytics.refunds WHERE created_at >= '2024-09-01' GROUP BY 1,2 ORDER BY 3 DESC;"},
          psql(["payment_method", "source_system", "count"], [(pm, ss, r.randint(10, 2600)) for pm in ["card", "paypal", "klarna", "sepa", "giftcard"] for ss in ["shop-backend", "support-console", "auto-refund-bot"]]))
    sample = []
    for _ in range(210):
        sample.append((r.randint(30000000, 39999999), r.randint(70000000, 79999999), cid(), "%.2f" % r.uniform(4, 420), "EUR",
                       r.choice(reasons), r.choice(["card", "paypal", "klarna", "sepa"]),
                       "2024-09-%02d %02d:%02d:%02d" % (r.randint(11, 30), r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)),
                       r.choice(["auto-refund-bot", "support-console", "shop-backend"])))
    A.one("run_sql", {"query": "SELECT refund_id, order_id, customer_id, amount, currency, reason_code, payment_method, created_at, source_system FROM analytics.refunds WHERE created_at >= '2024-09-11' ORDER BY random() LIMIT 210;"},
          psql(["refund_id", "order_id", "customer_id", "amount", "currency", "reason_code", "payment_method", "created_at", "source_system"], sample))
    A.one("run_sql", {"query": "SELECT processed_by, count(*) FROM analytics.refunds WHERE created_at >= '2024-09-01' GROUP BY 1 ORDER BY 2 DESC;"},
          psql(["processed_by", "count"], [("agent_%03d" % r.randint(1, 140), r.randint(5, 400)) for _ in range(40)] + [("auto-refund-bot", 6120)]))
    A.one("run_sql", {"query": "SELECT percentile_cont(ARRAY[0.5,0.9,0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM r.created_at - o.created_at)/3600) FROM analytics.refunds r JOIN analytics.orders o USING (order_id) WHERE r.created_at >= '2024-09-01';"},
          psql(["percentile_cont"], [("{%.1f,%.1f,%.1f}" % (r.uniform(20, 60), r.uniform(100, 300), r.uniform(400, 900)),)]))
    A.one("describe_table", {"table": "analytics.payment_events"}, psql(["column", "type", "nullable"], [
        ("event_id", "uuid", "not null"), ("payment_id", "text", "not null"), ("order_id", "bigint", "not null"),
        ("event_type", "text", "not null"), ("amount", "numeric(12,2)", "not null"), ("created_at", "timestamptz", "not null"),
        ("psp_reference", "text", "null")]))
    dups = [("pay_" + rhex(r, 14), r.randint(70000000, 79999999), r.randint(2, 3), "2024-09-%02d" % r.randint(11, 30)) for _ in range(150)]
    A.one("run_sql", {"query": "SELECT payment_id, order_id, count(*) AS captures, min(created_at)::date FROM analytics.payment_events WHERE event_type = 'capture' AND created_at >= '2024-09-01' GROUP BY 1,2 HAVING count(*) > 1 ORDER BY 3 DESC LIMIT 150;"},
          psql(["payment_id", "order_id", "captures", "min"], dups),
          "Many orders were captured twice after 11 September; the auto-refund bot then refunded the duplicates. Let me check the weekly totals.")
    weeks = [("2024-07-29", 641), ("2024-08-05", 702), ("2024-08-12", 655), ("2024-08-19", 689), ("2024-08-26", 731),
             ("2024-09-02", 748), ("2024-09-09", 1913), ("2024-09-16", 2240), ("2024-09-23", 1284)]
    A.one("run_sql", {"query": "SELECT date_trunc('week', created_at)::date AS week_start, count(*) AS refunds FROM analytics.refunds WHERE created_at >= '2024-07-29' AND created_at < '2024-09-30' GROUP BY 1 ORDER BY 1;"},
          psql(["week_start", "refunds"], weeks))
    c.u("Quick check before you write it up: which customer id had the highest refund total in your first aggregate query, and how many refunds were there in the most recent week of the weekly breakdown?")
    return case("agent-03-refund-sql", "agent", c.m, ["88213", "1284"],
                "One fact sits in the first aggregate result (top customer), the other in the final result; a 210-row sample and many mid-loop tables separate them.",
                tools=tool_schemas(A.used), limits={"88213": 1, "1284": 1})


def agent_incident(seed):
    g = Gen(random.Random(seed))
    r = g.r
    c = Conv(g, "You are OpsAgent, an incident-response assistant for the shop platform. You can search logs, read metrics, inspect deploys and run kubectl. "
                "Record evidence carefully; the incident ticket needs exact identifiers.")
    c.u("SEV-2: checkout error rate jumped to ~9% about forty minutes ago. Find when it started, what the first failing requests look like, "
        "correlate with deploys, and roll back if a deploy is the cause. Go.")
    A = Agent(c)
    start = T0 + _dt.timedelta(hours=1, minutes=2)
    errs = [("ERROR", "POST /api/v1/checkout failed status=502 upstream=payments-gateway error=\"upstream reset before headers\" trace_id={trace}"),
            ("ERROR", "POST /api/v1/checkout failed status=500 error=\"KeyError: 'billing_country'\" trace_id={trace}"),
            ("WARN", "circuit breaker half-open upstream=payments-gateway failures={n}")]
    first = ("ERROR", "POST /api/v1/checkout failed status=500 error=\"KeyError: 'billing_country'\" trace_id=trace-9f3a1c77e2 user_id=u_48213 release=v2.15.0")
    logs1 = gen_logs(r, "checkout", 60, start, errors=None, pod="checkout-6d8f9b7c4-qk2lp")
    logs1 += "\n" + "%s ERROR [checkout-6d8f9b7c4-qk2lp] %s" % ((start + _dt.timedelta(minutes=2, seconds=11)).strftime("%Y-%m-%dT%H:%M:%S.114Z"), first[1])
    logs1 += "\n" + gen_logs(r, "checkout", 230, start + _dt.timedelta(minutes=2, seconds=12), errors=errs, err_rate=0.2, pod="checkout-6d8f9b7c4-qk2lp")
    A.one("search_logs", {"service": "checkout", "level": "INFO", "since": "60m"}, logs1, "Pulling checkout logs for the last hour first.")
    series = [{"ts": (T0 + _dt.timedelta(minutes=m)).strftime("%H:%M"), "p99_ms": round(r.uniform(180, 260) if m < 64 else r.uniform(900, 2400), 1)} for m in range(0, 110, 1)]
    A.one("get_metrics", {"metric": "checkout.http.p99_latency_ms", "window": "2h", "step": "1m"}, json.dumps({"metric": "checkout.http.p99_latency_ms", "points": series}))
    deploys = [{"version": "v2.15.0", "revision": 42, "deployed_at": "2024-10-08T14:02:37Z", "author": "ci-bot", "change": "checkout: new address normalisation", "status": "active"},
               {"version": "v2.14.3", "revision": 41, "deployed_at": "2024-10-03T09:18:02Z", "author": "ci-bot", "change": "fix coupon rounding", "status": "superseded"}]
    for i in range(12):
        deploys.append({"version": "v2.%d.%d" % (14 - (i + 1) // 4, r.randint(0, 9)), "revision": 40 - i, "deployed_at": "2024-09-%02dT%02d:%02d:00Z" % (28 - 2 * i, r.randint(7, 18), r.randint(0, 59)),
                        "author": r.choice(["ci-bot", "m.keller", "a.osei"]), "change": r.choice(COMMIT_MSGS), "status": "superseded"})
    A.one("list_deploys", {"service": "checkout", "limit": 14}, json.dumps(deploys, indent=2))
    A.one("search_logs", {"service": "checkout", "query": "billing_country", "since": "60m"},
          gen_logs(r, "checkout", 70, start + _dt.timedelta(minutes=3), errors=errs[1:2], err_rate=0.7, pod="checkout-6d8f9b7c4-7hz9w"))
    spans = []
    tstart = 0
    for i in range(55):
        dur = r.randint(1, 400)
        spans.append({"span_id": rhex(r, 16), "parent": None if i == 0 else rhex(r, 16), "service": r.choice(["checkout", "cart", "pricing", "tax", "payments-gateway", "address-service"]),
                      "name": r.choice(["HTTP POST /api/v1/checkout", "normalize_address", "SELECT carts", "compute_tax", "authorize_payment", "GET /v1/prices"]),
                      "start_us": tstart, "duration_us": dur * 1000, "status": "OK" if i < 50 else "ERROR"})
        tstart += r.randint(100, 9000)
    spans[-1]["error"] = "KeyError: 'billing_country' in address_normalizer.py:88"
    A.one("get_trace", {"trace_id": "trace-9f3a1c77e2"}, json.dumps({"trace_id": "trace-9f3a1c77e2", "root": "HTTP POST /api/v1/checkout", "spans": spans}, indent=1))
    A.one("get_metrics", {"metric": "checkout.http.error_rate", "window": "2h", "step": "1m"},
          json.dumps({"metric": "checkout.http.error_rate", "points": [{"ts": (T0 + _dt.timedelta(minutes=m)).strftime("%H:%M"), "value": round(r.uniform(0.001, 0.004) if m < 64 else r.uniform(0.07, 0.11), 4)} for m in range(0, 110)]}))
    vals = ["# values for checkout, production", "image:", "  repository: registry.internal/shop/checkout", "  tag: v2.15.0", "replicaCount: 12", "resources:",
            "  requests: {cpu: 500m, memory: 768Mi}", "  limits: {cpu: '2', memory: 1536Mi}", "env:"]
    for _ in range(45):
        vals.append("  %s: \"%s\"" % (r.choice(["FEATURE_", "CHECKOUT_", "PAYMENTS_", "ADDRESS_"]) + r.choice(["TIMEOUT_MS", "RETRIES", "ENABLED", "MODE", "REGION", "SAMPLE_RATE"]) + "_%d" % r.randint(1, 99),
                                       r.choice(["true", "false", "300", "2500", "eu-central-1", "strict", "0.1"])))
    A.one("read_file", {"path": "deploy/checkout/values-prod.yaml"}, "\n".join(vals))
    hist = ["deployment.apps/checkout", "REVISION  CHANGE-CAUSE"] + ["%d        deploy %s" % (d["revision"], d["version"]) for d in reversed(deploys)]
    A.one("run_command", {"command": "kubectl rollout history deployment/checkout -n shop"}, "\n".join(hist))
    A.one("search_logs", {"service": "payments-gateway", "level": "WARN", "since": "60m"},
          gen_logs(r, "payments-gateway", 150, start, errors=[("WARN", "client closed request before response duration_ms={ms}")], err_rate=0.1))
    A.one("get_metrics", {"metric": "checkout.db.connections_in_use", "window": "2h", "step": "5m"},
          json.dumps({"metric": "checkout.db.connections_in_use", "points": [{"ts": (T0 + _dt.timedelta(minutes=m)).strftime("%H:%M"), "value": r.randint(20, 60)} for m in range(0, 110, 5)]}))
    A.one("run_command", {"command": "kubectl rollout undo deployment/checkout -n shop --to-revision=41"}, "deployment.apps/checkout rolled back",
          "The errors start right after revision 42 and the failing span is in the new address normalisation code. Rolling back to revision 41.")
    A.one("run_command", {"command": "kubectl rollout status deployment/checkout -n shop --timeout=5m"},
          "\n".join(["Waiting for deployment \"checkout\" rollout to finish: %d of 12 updated replicas are available..." % i for i in range(1, 12)]) + "\ndeployment \"checkout\" successfully rolled out")
    A.one("get_metrics", {"metric": "checkout.http.error_rate", "window": "15m", "step": "1m"},
          json.dumps({"metric": "checkout.http.error_rate", "points": [{"ts": (T0 + _dt.timedelta(minutes=110 + m)).strftime("%H:%M"), "value": round(r.uniform(0.06, 0.09) if m < 4 else r.uniform(0.001, 0.003), 4)} for m in range(15)]}))
    A.one("search_logs", {"service": "checkout", "level": "INFO", "since": "5m"},
          gen_logs(r, "checkout", 120, T0 + _dt.timedelta(minutes=120), pod="checkout-58c7d9f6b-w2n4x"))
    A.one("run_command", {"command": "kubectl get deployment checkout -n shop -o jsonpath='{.spec.template.spec.containers[0].image}'"},
          "registry.internal/shop/checkout:v2.14.3")
    c.u("Great work. For the incident ticket I need two things: the trace id of the very first failed request you found, and the exact image that is running now after the rollback.")
    return case("agent-04-incident-rollback", "agent", c.m, ["trace-9f3a1c77e2", "checkout:v2.14.3"],
                "The first failing trace id is one line inside a 290-line log result at the start of the loop (later logs contain many other trace ids); the running image is only in the very last result.",
                tools=tool_schemas(A.used), limits={"checkout:v2.14.3": 1})


RECONCILE_SIG = "def reconcile_ledger(batch_id: str, *, strict: bool = False, tolerance_cents: int = 2) -> ReconcileResult:"
RECONCILE_BODY = '''    """Match ledger entries of a settlement batch against PSP payouts.

    Entries whose amounts differ by at most ``tolerance_cents`` are treated as
    matched.  With ``strict=True`` any unmatched entry raises ReconcileError.
    """
    batch = load_batch(batch_id)
    payouts = {p.reference: p for p in fetch_payouts(batch.settlement_date)}
    result = ReconcileResult(batch_id=batch_id)
    for entry in batch.entries:
        payout = payouts.pop(entry.psp_reference, None)
        if payout is None:
            result.missing.append(entry)
            continue
        diff = entry.amount_cents - payout.amount_cents
        if abs(diff) > tolerance_cents:
            result.mismatched.append((entry, payout, diff))
        else:
            result.matched.append(entry)
    result.unexpected.extend(payouts.values())
    if strict and (result.missing or result.mismatched or result.unexpected):
        raise ReconcileError(result)
    return result'''


def agent_refactor(seed):
    g = Gen(random.Random(seed))
    r = g.r
    c = Conv(g, "You are CodeAgent, working in the payments monorepo. You can list, read and write files and run tests. Keep changes minimal and explain them.")
    prior_history(c, "data", 2)
    c.u("Please refactor the billing reconciliation so it takes a LedgerBatch object instead of a batch id (callers already have the batch loaded). "
        "Update the call sites and tests, and make sure the suite passes.")
    A = Agent(c)
    A.one("list_dir", {"path": "src/billing"}, "\n".join(["__init__.py", "api.py", "jobs.py", "models.py", "reconcile.py", "payouts.py", "exceptions.py", "fx.py", "README.md"]))
    hdr = '"""Ledger reconciliation against PSP payouts."""\nfrom __future__ import annotations\n\nimport logging\n\nfrom .models import LedgerBatch, ReconcileResult\nfrom .payouts import fetch_payouts\nfrom .exceptions import ReconcileError\n\nlogger = logging.getLogger(__name__)'
    orig = gen_code(r, hdr, 9000, inject=RECONCILE_SIG + "\n" + RECONCILE_BODY, at=0.45)
    A.one("read_file", {"path": "src/billing/reconcile.py"}, orig)
    sites = ["src/billing/reconcile.py:%d:%s" % (orig[:orig.index(RECONCILE_SIG)].count("\n") + 1, RECONCILE_SIG),
             "src/billing/api.py:57:    result = reconcile_ledger(batch.id, strict=payload.strict)",
             "src/billing/jobs.py:112:        res = reconcile_ledger(batch.id, tolerance_cents=settings.TOLERANCE_CENTS)",
             "src/billing/jobs.py:171:        res = reconcile_ledger(b.id, strict=True)",
             "tests/billing/test_reconcile.py:23:    res = reconcile_ledger(\"b-100\")",
             "tests/billing/test_reconcile.py:41:    res = reconcile_ledger(\"b-101\", tolerance_cents=0)",
             "tests/billing/test_reconcile.py:66:        reconcile_ledger(\"b-102\", strict=True)",
             "docs/billing.md:30:Call `reconcile_ledger(batch_id)` from the nightly job."]
    A.one("grep_repo", {"pattern": "reconcile_ledger\\(", "path": "."}, "\n".join(sites))
    A.one("read_file", {"path": "src/billing/models.py"}, gen_code(r, '"""Billing domain models."""\nfrom dataclasses import dataclass, field', 8000,
                                                                 inject="@dataclass\nclass LedgerBatch:\n    id: str\n    settlement_date: date\n    entries: list[LedgerEntry] = field(default_factory=list)"))
    A.one("read_file", {"path": "src/billing/api.py"}, gen_code(r, '"""HTTP endpoints for billing."""\nfrom fastapi import APIRouter\n\nrouter = APIRouter()', 6000))
    A.one("read_file", {"path": "tests/billing/test_reconcile.py"}, gen_code(r, '"""Tests for reconcile_ledger."""\nimport pytest\n\nfrom billing.reconcile import reconcile_ledger', 7000))
    A.one("run_tests", {"target": "tests/billing"}, gen_pytest(r, "tests/billing/", 64, []))
    A.one("read_file", {"path": "src/billing/jobs.py"}, gen_code(r, '"""Nightly billing jobs."""\nimport logging\n\nfrom .reconcile import reconcile_ledger', 5500))
    A.one("grep_repo", {"pattern": "tolerance_cents", "path": "src"}, "\n".join([
        "src/billing/reconcile.py:%d:        if abs(diff) > tolerance_cents:" % r.randint(60, 200),
        "src/billing/jobs.py:112:        res = reconcile_ledger(batch.id, tolerance_cents=settings.TOLERANCE_CENTS)",
        "src/billing/settings.py:19:TOLERANCE_CENTS = int(os.environ.get(\"BILLING_TOLERANCE_CENTS\", \"2\"))"]))
    new_sig = "def reconcile_ledger(batch: LedgerBatch, *, strict: bool = False, tolerance_cents: int = 2) -> ReconcileResult:"
    new_body = RECONCILE_BODY.replace("    batch = load_batch(batch_id)\n", "").replace("ReconcileResult(batch_id=batch_id)", "ReconcileResult(batch_id=batch.id)")
    new_code = orig.replace(RECONCILE_SIG + "\n" + RECONCILE_BODY, new_sig + "\n" + new_body)
    A.one("write_file", {"path": "src/billing/reconcile.py", "content": new_code}, "Wrote 1 file (%d bytes)." % len(new_code),
          "Changing the signature to take the batch object.")
    A.one("write_file", {"path": "src/billing/api.py", "content": gen_code(r, '"""HTTP endpoints for billing."""\nfrom fastapi import APIRouter\n\nrouter = APIRouter()', 6000)},
          "Wrote 1 file.")
    fails = [("tests/billing/test_reconcile.py::test_reconcile_tolerance", "AttributeError: 'str' object has no attribute 'entries'"),
             ("tests/billing/test_reconcile.py::test_reconcile_strict_raises", "AttributeError: 'str' object has no attribute 'entries'"),
             ("tests/billing/test_jobs.py::test_nightly_reconcile", "AttributeError: 'str' object has no attribute 'entries'")]
    A.one("run_tests", {"target": "tests/billing"}, gen_pytest(r, "tests/billing/", 64, fails, tb_len=16))
    A.one("write_file", {"path": "src/billing/jobs.py", "content": gen_code(r, '"""Nightly billing jobs."""\nimport logging\n\nfrom .reconcile import reconcile_ledger', 5500)}, "Wrote 1 file.")
    A.one("write_file", {"path": "tests/billing/test_reconcile.py", "content": gen_code(r, '"""Tests for reconcile_ledger."""\nimport pytest\n\nfrom billing.reconcile import reconcile_ledger', 7000)}, "Wrote 1 file.")
    A.one("run_tests", {"target": "tests/billing"}, gen_pytest(r, "tests/billing/", 64, []))
    c.u("Nice. Wait, for the changelog I need the exact original signature of the reconcile function, before your edits, copied verbatim. What was it?")
    return case("agent-05-refactor-signature", "agent", c.m, [RECONCILE_SIG.split(" ->")[0]],
                "The original signature exists only in early read/grep results; later write_file calls contain a very similar but changed signature that would mislead.",
                forbidden=["def reconcile_ledger(batch: LedgerBatch"], tools=tool_schemas(A.used), limits={RECONCILE_SIG.split(" ->")[0]: 2})


def agent_travel(seed):
    g = Gen(random.Random(seed))
    r = g.r
    c = Conv(g, "You are TripAgent, a travel-booking assistant with access to flight and hotel search and booking tools. Always confirm before paying for flights.")
    prior_history(c, "travel", 3)
    c.u("OK let's do it: Berlin to Porto, out 12 May, back 16 May, one traveller (Mara Lindqvist). Find flights, pick and book a well-rated hotel near Ribeira "
        "under 180 EUR a night, and sort out the airport transfer. Keep the whole trip under 900 EUR. Don't book flights yet, just the hotel.")
    A = Agent(c)
    carriers = ["LH", "TP", "FR", "U2", "IB", "VY", "EW", "KL", "AF", "LX"]

    def flights(orig, dest, date, n, fixed):
        out = list(fixed)
        while len(out) < n:
            cr = r.choice(carriers)
            num = "%s %d" % (cr, r.randint(100, 9999))
            if num in ("TP 583",):
                continue
            stops = r.choice([0, 1, 1, 1, 2])
            price = r.randint(150, 420) if stops == 0 else r.randint(92, 380)
            dep = "%02d:%02d" % (r.randint(5, 21), r.choice([0, 5, 15, 25, 35, 45, 50]))
            out.append({"flight": num, "carrier": cr, "origin": orig, "destination": dest, "date": date, "departure": dep,
                        "duration": "%dh%02dm" % (3 + stops * 2 + r.randint(0, 3), r.randint(0, 59)), "stops": stops,
                        "via": None if stops == 0 else r.choice(["MAD", "LIS", "FRA", "MUC", "ZRH", "AMS", "CDG"]),
                        "price_eur": price, "fare": r.choice(["Light", "Classic", "Flex", "Basic"]), "baggage": r.choice(["cabin only", "1x23kg", "cabin + 1x23kg"])})
        r.shuffle(out)
        return out
    out1 = flights("BER", "OPO", "2025-05-12", 34, [{"flight": "TP 583", "carrier": "TP", "origin": "BER", "destination": "OPO", "date": "2025-05-12", "departure": "10:40",
                                                    "duration": "3h35m", "stops": 0, "via": None, "price_eur": 142, "fare": "Classic", "baggage": "cabin + 1x23kg"}])
    A.one("search_flights", {"origin": "BER", "destination": "OPO", "date": "2025-05-12"}, json.dumps({"results": out1}, indent=1))
    A.one("search_flights", {"origin": "OPO", "destination": "BER", "date": "2025-05-16"}, json.dumps({"results": flights("OPO", "BER", "2025-05-16", 32, [])}, indent=1))
    A.one("get_weather", {"city": "Porto", "start": "2025-05-12", "end": "2025-05-16"},
          json.dumps({"city": "Porto", "climate_normals": [{"date": "2025-05-%d" % d, "high_c": r.randint(19, 24), "low_c": r.randint(11, 14), "rain_chance": round(r.uniform(0.1, 0.4), 2)} for d in range(12, 17)]}))
    names = ["Casa do Cais", "Ribeira Riverside Rooms", "Hotel Azulejo Douro", "Pensão Flor da Sé", "Porto Vintage Lofts", "Duas Pontes Guesthouse",
             "Hotel Miradouro do Porto", "Armazém 17 Suites", "Largo dos Lóios Boutique", "Villa Foz Heritage", "São Bento Sleep", "Douro Lights Apartments"]
    hotels = [{"hotel_id": "htl_opo_%03d" % (i + 11), "name": n, "district": r.choice(["Ribeira", "Sé", "Baixa", "Cedofeita", "Foz", "Bonfim"]),
               "rating": round(r.uniform(7.4, 9.4), 1), "reviews": r.randint(80, 2400), "price_per_night_eur": r.randint(95, 210),
               "distance_to_ribeira_km": round(r.uniform(0.1, 4.5), 1), "amenities": r.sample(["wifi", "breakfast", "air conditioning", "river view", "elevator", "24h desk", "bar", "terrace"], 4)}
              for i, n in enumerate(names)]
    hotels[2].update({"district": "Ribeira", "rating": 9.1, "price_per_night_eur": 164, "distance_to_ribeira_km": 0.2})
    A.one("search_hotels", {"city": "Porto", "check_in": "2025-05-12", "check_out": "2025-05-16", "max_price_eur": 180}, json.dumps({"results": hotels}, indent=1))
    for h in (hotels[2], hotels[0], hotels[6]):
        A.one("get_hotel_details", {"hotel_id": h["hotel_id"]}, json.dumps({**h, "description": g.text(D["travel"], 3500), "check_in_from": "15:00", "check_out_until": "11:00",
                                                                          "cancellation": r.choice(["free until 48h before arrival", "non-refundable", "free until 7 days before"])}, indent=1))
    A.one("get_reviews", {"hotel_id": hotels[2]["hotel_id"], "limit": 25},
          json.dumps({"hotel_id": hotels[2]["hotel_id"], "reviews": [{"score": r.randint(7, 10), "title": g.sent(D["travel"])[:60], "text": g.para(D["travel"], 2, 4),
                                                                       "stayed": "2024-%02d" % r.randint(3, 10)} for _ in range(25)]}, indent=1))
    A.one("check_availability", {"hotel_id": hotels[2]["hotel_id"], "check_in": "2025-05-12", "check_out": "2025-05-16"},
          json.dumps({"hotel_id": hotels[2]["hotel_id"], "available": True, "room_type": "Double, river view", "nights": 4, "total_eur": 656, "taxes_included": True, "city_tax_eur": 12}))
    out_flex = flights("BER", "OPO", "2025-05-11/13", 18, [])
    for f in out_flex:
        f["date"] = r.choice(["2025-05-11", "2025-05-13"])
        f["stops"] = 0
        f["via"] = None
        f["price_eur"] = r.randint(150, 330)
    A.one("search_flights", {"origin": "BER", "destination": "OPO", "date": "2025-05-12", "nonstop_only": True, "flex_days": 1},
          json.dumps({"note": "results for neighbouring dates only; see previous search for 2025-05-12", "results": out_flex}, indent=1))
    A.one("book_hotel", {"hotel_id": hotels[2]["hotel_id"], "room_type": "Double, river view", "check_in": "2025-05-12", "check_out": "2025-05-16", "guest_name": "Mara Lindqvist"},
          json.dumps({"status": "CONFIRMED", "confirmation_code": "HTL-55K2Q", "hotel": hotels[2]["name"], "total_eur": 656, "payment": "pay at property", "free_cancellation_until": "2025-05-10T23:59:00+01:00"}),
          "Hotel Azulejo Douro fits: 9.1 rating, 200 m from Ribeira, 164 EUR/night. Booking it.")
    A.one("get_transfer_options", {"origin": "OPO airport", "destination": hotels[2]["name"]},
          json.dumps({"options": [{"mode": "metro line E + walk", "duration_min": 38, "price_eur": 2.6}, {"mode": "taxi", "duration_min": 22, "price_eur": 28},
                                  {"mode": "private transfer", "duration_min": 22, "price_eur": 35, "bookable": True}]}, indent=1))
    A.one("add_to_calendar", {"title": "Porto: check-in Hotel Azulejo Douro", "start": "2025-05-12T15:00:00+01:00", "end": "2025-05-16T11:00:00+01:00"}, "Event created.")
    A.one("convert_currency", {"amount": 656, "src": "EUR", "dst": "SEK"}, json.dumps({"amount": 656, "src": "EUR", "dst": "SEK", "result": 7501.36, "rate": 11.435}))
    c.u("Nice. Quick recap before you look at flights again: which was the cheapest nonstop outbound in your very first flight search, and what's the hotel confirmation code?")
    return case("agent-06-travel-booking", "agent", c.m, ["TP 583", "HTL-55K2Q"],
                "The cheapest nonstop is one entry in a 35-flight JSON list in the first tool result (cheaper one-stop flights and a later flexible-date search are distractors); the confirmation code is late.",
                tools=tool_schemas(A.used), limits={"TP 583": 1, "HTL-55K2Q": 1})


def spark_logs(r, n, start, rows_hint):
    t = start
    out = []
    for i in range(n):
        t += _dt.timedelta(milliseconds=r.randint(50, 4000))
        k = r.randint(0, 7)
        if k == 0:
            m = "INFO TaskSetManager: Finished task %d.0 in stage %d.0 (TID %d) in %d ms on 10.1.%d.%d (executor %d) (%d/%d)" % (
                r.randint(0, 63), r.randint(2, 6), r.randint(1000, 9999), r.randint(800, 90000), r.randint(0, 9), r.randint(2, 250), r.randint(1, 24), r.randint(1, 64), 64)
        elif k == 1:
            m = "INFO FileOutputCommitter: Writing part-%05d-%s-c000.snappy.parquet rows=%d" % (r.randint(0, 63), rhex(r, 8), r.randint(100000, rows_hint))
        elif k == 2:
            m = "INFO MemoryStore: Block broadcast_%d stored as values in memory (estimated size %.1f MiB, free %.1f GiB)" % (r.randint(1, 40), r.uniform(0.1, 90), r.uniform(2, 14))
        elif k == 3:
            m = "WARN TaskSetManager: Lost task %d.0 in stage %d.0 (TID %d): ExecutorLostFailure (executor %d exited caused by one of the running tasks) Reason: Container preempted" % (
                r.randint(0, 63), r.randint(2, 6), r.randint(1000, 9999), r.randint(1, 24))
        elif k == 4:
            m = "INFO DAGScheduler: Submitting %d missing tasks from ResultStage %d" % (r.randint(1, 64), r.randint(2, 6))
        elif k == 5:
            m = "INFO S3ACommitter: Task committer attempt_%s_%04d_m_%06d_%d: commit of %d files" % (rhex(r, 8), r.randint(1, 99), r.randint(0, 63), r.randint(0, 2), r.randint(1, 4))
        elif k == 6:
            m = "INFO JdbcRDD: fetched %d rows from partition %d of orders_q3 in %d ms" % (r.randint(100000, 400000), r.randint(0, 63), r.randint(900, 9000))
        else:
            m = "INFO BlockManagerInfo: Removed broadcast_%d_piece0 on 10.1.%d.%d:%d in memory" % (r.randint(1, 40), r.randint(0, 9), r.randint(2, 250), r.randint(30000, 45000))
        out.append("%s %s" % (t.strftime("%y/%m/%d %H:%M:%S"), m))
    return "\n".join(out)


def agent_pipeline(seed):
    g = Gen(random.Random(seed))
    r = g.r
    c = Conv(g, "You are PipelineAgent. You can start batch jobs on the data platform, poll their status, read driver logs and list outputs. Report progress concisely.")
    prior_history(c, "data", 2)
    c.u("Kick off the Q3 orders export for the finance team (job export_orders_q3, parquet, partitioned by day), keep an eye on it until it finishes, and tell me if anything looks off.")
    A = Agent(c)
    prefix = "s3://acme-warehouse/exports/2024-q3/run-7781/"
    A.one("start_job", {"job": "export_orders_q3", "params": {"format": "parquet", "partition_by": "order_date", "quarter": "2024-Q3"}},
          json.dumps({"run_id": "run-7781", "job": "export_orders_q3", "state": "PENDING", "submitted_at": "2024-10-08T13:04:11Z", "cluster": "spark-batch-02",
                      "output_prefix": prefix, "format": "parquet", "partitions": 64, "estimated_duration_min": 35, "owner": "finance-data"}, indent=1))
    rows = 0
    t = T0 + _dt.timedelta(minutes=5)
    progress = 0.0
    for i in range(13):
        t += _dt.timedelta(minutes=r.randint(2, 4))
        last = i == 12
        if last:
            st = {"run_id": "run-7781", "state": "SUCCEEDED", "progress": 1.0, "rows_written": 18406552, "files_written": 64, "finished_at": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "stage": "done", "warnings": 3}
        else:
            progress = min(0.97, progress + r.uniform(0.05, 0.11))
            rows = int(18406552 * progress * r.uniform(0.95, 1.0))
            st = {"run_id": "run-7781", "state": "RUNNING" if i else "STARTING", "progress": round(progress, 2), "rows_written": rows,
                  "files_written": int(64 * progress), "stage": r.choice(["read", "shuffle", "write"]), "executors": r.randint(18, 24), "updated_at": t.strftime("%Y-%m-%dT%H:%M:%SZ")}
        if i in (2, 5, 8, 10):
            A.step([("get_job_status", {"run_id": "run-7781"}, json.dumps(st)),
                    ("read_job_logs", {"run_id": "run-7781", "tail": 200}, spark_logs(r, 120 + 15 * i, t - _dt.timedelta(minutes=3), 400000))],
                   None if i != 5 else "Some executors were preempted; Spark is retrying those tasks. Checking the logs as well.")
        else:
            A.one("get_job_status", {"run_id": "run-7781"}, json.dumps(st))
    outs = ["%-60s %12d" % ("order_date=2024-%02d-%02d/part-%05d-%s-c000.snappy.parquet" % (7 + d // 31, d % 31 + 1, d, rhex(r, 8)), r.randint(4000000, 60000000)) for d in range(64)]
    A.one("list_job_outputs", {"run_id": "run-7781"}, "\n".join(outs + ["_SUCCESS                                                                0"]))
    c.u("The downstream team is asking: what's the full output location of this export, and how many rows did it write in the end?")
    return case("agent-07-pipeline-polling", "agent", c.m, [prefix, "18406552"],
                "The output location appears only in the first tool result (later outputs list relative keys); a dozen near-identical status polls with intermediate row counts precede the final count.",
                tools=tool_schemas(A.used), limits={prefix: 1, "18406552": 1})


def agent_support(seed):
    g = Gen(random.Random(seed))
    r = g.r
    c = Conv(g, "You are the support agent for Larkspur Home, an online homeware store. Use the tools to look up customers, orders, payments and policies. "
                "Be accurate with order numbers and references; customers quote them back to us.")
    c.u("Ticket from Jana Novak (jana.novak@example.com): an item arrived broken and she thinks she was charged twice for another order. "
        "Please sort both out according to policy and draft a reply.")
    A = Agent(c)
    cust = {"customer_id": "CUS-66120", "name": "Jana Novak", "email": "jana.novak@example.com", "since": "2019-04-02", "tier": "Gold",
            "language": "cs", "addresses": [{"type": "shipping", "line1": "Vinohradská 118", "city": "Praha 3", "postcode": "130 00", "country": "CZ"}],
            "notes": ["Prefers email over phone.", "Gold since 2022; goodwill credit allowed up to EUR 25 without approval."], "lifetime_orders": 37}
    A.one("lookup_customer", {"email": "jana.novak@example.com"}, json.dumps(cust, indent=1, ensure_ascii=False))
    prods = ["Stoneware dinner set (12 pc)", "Linen duvet cover, king", "Oak serving board", "Glass carafe 1L", "Wool throw, ochre", "Cast-iron casserole 26cm",
             "Bath towel set", "Ceramic planter, large", "Table lamp, brass", "Espresso cups (4)", "Cotton napkins (6)", "Rattan basket"]
    orders = []
    for i in range(64):
        oid = "ORD-%05d-%s" % (r.randint(15000, 21500), "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(2)))
        if oid in ("ORD-20931-KX", "ORD-21007-MB"):
            continue
        orders.append({"order_id": oid, "placed": "2024-%02d-%02d" % (r.randint(1, 9), r.randint(1, 28)), "status": r.choice(["delivered", "delivered", "delivered", "returned", "cancelled"]),
                       "items": r.sample(prods, r.randint(1, 3)), "total_eur": round(r.uniform(18, 320), 2)})
    orders.insert(3, {"order_id": "ORD-20931-KX", "placed": "2024-09-28", "status": "delivered", "items": ["Stoneware dinner set (12 pc)"], "total_eur": 129.0})
    orders.insert(1, {"order_id": "ORD-21007-MB", "placed": "2024-10-01", "status": "delivered", "items": ["Linen duvet cover, king", "Cotton napkins (6)"], "total_eur": 148.9})
    A.one("list_orders", {"customer_id": "CUS-66120"}, json.dumps({"orders": orders}, indent=1))
    tickets = [{"ticket_id": "T-88412", "opened": "2024-10-06", "subject": "Broken plates + charged twice?", "status": "open", "channel": "email"}] + [
        {"ticket_id": "T-%05d" % r.randint(60000, 88000), "opened": "2024-0%d-%02d" % (r.randint(1, 8), r.randint(1, 28)), "subject": r.choice(["Delivery time", "Change address", "Invoice copy", "Return label", "Voucher not applied"]), "status": "closed", "channel": r.choice(["email", "chat", "phone"])}
        for _ in range(14)]
    A.one("list_tickets", {"customer_id": "CUS-66120"}, json.dumps({"tickets": tickets}, indent=1))
    thread = [{"from": "customer", "at": "2024-10-06T18:22:00Z", "body": "Hello, my dinner set arrived yesterday and two of the plates are broken (photos attached). "
                                                                         "Also I see two payments of 148.90 on my card for my other order with the duvet cover. Can you check? Thanks, Jana"},
              {"from": "bot", "at": "2024-10-06T18:22:05Z", "body": "Thanks for contacting Larkspur Home! A member of our team will get back to you within 24 hours."}]
    thread += [{"from": "internal", "at": "2024-10-07T09:%02d:00Z" % m, "body": g.para(D["logistics"], 1, 3)} for m in range(0, 50, 7)]
    A.one("get_ticket", {"ticket_id": "T-88412"}, json.dumps({"ticket_id": "T-88412", "attachments": ["IMG_2231.jpg", "IMG_2232.jpg"], "thread": thread}, indent=1))
    pays = []
    for o in orders:
        pays.append({"payment_id": "pay_" + rhex(r, 12), "order_id": o["order_id"], "amount_eur": o["total_eur"], "captured_at": o["placed"] + "T%02d:%02d:00Z" % (r.randint(6, 22), r.randint(0, 59)), "method": r.choice(["visa *4411", "paypal"]), "status": "captured"})
    dup = {"payment_id": "pay_7e1c90ab33d2", "order_id": "ORD-21007-MB", "amount_eur": 148.9, "captured_at": "2024-10-01T19:41:07Z", "method": "visa *4411", "status": "captured"}
    pays.insert(2, dup)
    A.one("list_payments", {"customer_id": "CUS-66120"}, json.dumps({"payments": pays}, indent=1))
    A.one("get_payment", {"payment_id": "pay_7e1c90ab33d2"}, json.dumps({**dup, "psp_reference": "PSP-" + rhex(r, 10).upper(), "idempotency_key": None, "note": "second capture 4s after first; idempotency key missing"}, indent=1))
    A.one("get_order", {"order_id": "ORD-20931-KX"}, json.dumps({"order_id": "ORD-20931-KX", "items": [{"sku": "DS-12-STONE", "name": "Stoneware dinner set (12 pc)", "qty": 1, "price_eur": 129.0}],
                                                              "shipping": {"carrier": "PPL", "tracking": "PPL" + str(r.randint(10**9, 10**10 - 1)), "delivered_at": "2024-10-05T14:12:00Z"},
                                                              "warehouse": "Brno-2", "packed_by": "station 14"}, indent=1))
    A.one("get_policy", {"topic": "damaged items"}, "# Damaged or defective items\n\n" + g.text(D["logistics"], 11000) +
          "\n\nFor damaged tableware, ship a replacement of the affected pieces (or the full set if more than three pieces are damaged) without requiring a return. Photos are sufficient evidence.")
    A.one("get_policy", {"topic": "duplicate charges"}, "# Duplicate charges\n\n" + g.text(D["finance"], 4000) +
          "\n\nRefund the duplicate capture in full to the original payment method immediately; no approval needed. Apologise and mention 3-5 business days for the refund to appear.")
    A.one("create_replacement", {"order_id": "ORD-20931-KX", "items": ["DS-12-STONE:plate x2"]}, json.dumps({"replacement_order_id": "RPL-44871", "ship_by": "2024-10-09", "carrier": "PPL"}))
    A.one("issue_refund", {"payment_id": "pay_7e1c90ab33d2", "amount": 148.9, "reason": "duplicate_capture"},
          json.dumps({"refund_id": "RF-77310", "payment_id": "pay_7e1c90ab33d2", "amount_eur": 148.9, "status": "pending", "expected_settlement_days": "3-5"}))
    A.one("add_ticket_note", {"ticket_id": "T-88412", "note": "Replacement RPL-44871 created for 2 plates; duplicate capture refunded."}, "Note added.")
    A.one("lookup_customer", {"customer_id": "CUS-66120"}, json.dumps({**cust, "recent_activity": [g.sent(D["logistics"]) for _ in range(60)]}, indent=1, ensure_ascii=False))
    c.u("Before you email her: which of her orders was the one that got charged twice, and what's the refund reference I should quote?")
    return case("agent-08-support-refund", "agent", c.m, ["ORD-21007-MB", "RF-77310"],
                "The double-charged order id is only in mid-loop JSON results (order list, payment list), never in a tool argument; the damaged-item order is a prominent distractor repeated in later calls.",
                tools=tool_schemas(A.used))


def agent_security(seed):
    g = Gen(random.Random(seed))
    r = g.r
    c = Conv(g, "You are SecAgent, a security engineering assistant with access to scanners and a shell on the build host ci-runner-04. Summarise findings for a security report.")
    c.u("Security review for the invoicing service before the audit: run the dependency, container, secrets and IaC scans, fix anything critical that is quick to fix, and re-scan.")
    A = Agent(c)
    pkgs = ["com.fasterxml.jackson.core:jackson-databind", "org.yaml:snakeyaml", "io.netty:netty-handler", "org.springframework:spring-web",
            "ch.qos.logback:logback-classic", "com.google.guava:guava", "org.postgresql:postgresql", "commons-io:commons-io", "org.bouncycastle:bcprov-jdk18on",
            "io.projectreactor.netty:reactor-netty-http", "org.apache.httpcomponents:httpclient", "com.nimbusds:nimbus-jose-jwt"]

    def cve():
        while True:
            s = "CVE-20%02d-%d" % (r.randint(19, 24), r.randint(1000, 52000))
            if "42889" not in s:
                return s
    rows = ["%-50s %-10s %-16s %-9s %s" % ("PACKAGE", "VERSION", "ID", "SEVERITY", "TITLE")]
    for i in range(70):
        if i == 23:
            rows.append("%-50s %-10s %-16s %-9s %s" % ("org.apache.commons:commons-text", "1.9", "CVE-2022-42889", "CRITICAL", "Arbitrary code execution via variable interpolation (fixed in 1.10.0)"))
        rows.append("%-50s %-10s %-16s %-9s %s" % (r.choice(pkgs), "%d.%d.%d" % (r.randint(1, 6), r.randint(0, 17), r.randint(0, 12)), cve(), r.choice(["LOW", "MEDIUM", "MEDIUM", "HIGH"]),
                                                    r.choice(["Denial of service via crafted input", "Information disclosure in error messages", "Improper certificate validation",
                                                              "Uncontrolled resource consumption", "Path traversal in archive extraction", "Regular expression denial of service"])))
    dep1 = "Scanning /srv/invoicing (maven, 212 packages)\n\n" + "\n".join(rows) + "\n\nTotal: 71 (CRITICAL: 1, HIGH: %d, MEDIUM: %d, LOW: %d)" % (r.randint(8, 14), r.randint(20, 30), r.randint(20, 30))
    A.one("run_scanner", {"kind": "dependency", "target": "/srv/invoicing"}, dep1)
    pom = ["<project>", "  <modelVersion>4.0.0</modelVersion>", "  <groupId>com.acme</groupId>", "  <artifactId>invoicing</artifactId>", "  <dependencies>"]
    for p in pkgs + ["org.apache.commons:commons-text"]:
        gid, aid = p.split(":")
        pom += ["    <dependency>", "      <groupId>%s</groupId>" % gid, "      <artifactId>%s</artifactId>" % aid,
                "      <version>%s</version>" % ("1.9" if aid == "commons-text" else "%d.%d.%d" % (r.randint(1, 6), r.randint(0, 17), r.randint(0, 12))), "    </dependency>"]
    pom += ["  </dependencies>", "</project>"]
    A.one("read_file", {"path": "/srv/invoicing/pom.xml"}, "\n".join(pom))
    A.one("search_advisories", {"package": "org.apache.commons:commons-text"}, "Advisories for org.apache.commons:commons-text\n\n" + "\n\n".join(
        ["%s (%s)\n%s" % (x, r.choice(["GHSA-" + rhex(r, 4) + "-" + rhex(r, 4) + "-" + rhex(r, 4)]), g.text(D["k8s"], 900)) for x in ["CVE-2022-42889"] + [cve() for _ in range(3)]]))
    osrows = ["%-22s %-28s %-16s %-9s %s" % ("PACKAGE", "INSTALLED", "ID", "SEVERITY", "FIXED IN")]
    for i in range(80):
        osrows.append("%-22s %-28s %-16s %-9s %s" % (r.choice(["libssl3", "openssl", "libc6", "zlib1g", "libexpat1", "curl", "libcurl4", "libgnutls30", "tar", "perl-base"]),
                                                   "3.0.2-0ubuntu1.%d" % r.randint(8, 12), cve(), r.choice(["LOW", "MEDIUM", "HIGH"]), "3.0.2-0ubuntu1.%d" % r.randint(13, 15)))
    A.one("run_scanner", {"kind": "container", "target": "registry.internal/acme/invoicing:2024.10.07"}, "\n".join(osrows))
    A.one("run_command", {"command": "cat /etc/os-release"}, 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nID=ubuntu\nID_LIKE=debian')
    A.one("run_command", {"command": "openssl version"}, "OpenSSL 3.0.2 15 Mar 2022 (Library: OpenSSL 3.0.2 15 Mar 2022)")
    apt = ["Reading package lists...", "Building dependency tree...", "Reading state information..."] + [
        "Get:%d http://archive.ubuntu.com/ubuntu jammy-updates/main amd64 %s amd64 [%d kB]" % (i, r.choice(["libssl3", "openssl", "libssl-dev"]), r.randint(200, 2400)) for i in range(1, 30)] + [
        "Unpacking openssl (3.0.13-0ubuntu3.4) over (3.0.2-0ubuntu1.12) ...", "Setting up libssl3:amd64 (3.0.13-0ubuntu3.4) ...", "Setting up openssl (3.0.13-0ubuntu3.4) ...",
        "Processing triggers for libc-bin (2.35-0ubuntu3.8) ..."]
    A.one("run_command", {"command": "sudo apt-get install -y --only-upgrade openssl libssl3"}, "\n".join(apt))
    A.one("run_command", {"command": "openssl version"}, "OpenSSL 3.0.13 30 Jan 2024 (Library: OpenSSL 3.0.13 30 Jan 2024)")
    A.one("run_scanner", {"kind": "secrets", "target": "/srv/invoicing"}, "\n".join(
        "%s:%d  %s  %s" % (r.choice(["src/test/resources/application-test.yml", "docs/setup.md", "scripts/dev-seed.sh", ".env.example"]), r.randint(1, 300),
                           r.choice(["generic-api-key", "jwt", "aws-access-key-id (example value)", "private-key (test fixture)"]), r.choice(["LOW", "INFO"])) for _ in range(60)))
    ci = ["name: ci", "on: [push, pull_request]", "jobs:", "  build:", "    runs-on: ubuntu-22.04", "    steps:"]
    for s in ["actions/checkout@v4", "actions/setup-java@v4", "actions/cache@v4", "docker/login-action@v3", "docker/build-push-action@v5"]:
        ci += ["      - uses: %s" % s, "        with:"] + ["          %s: %s" % (r.choice(["java-version", "distribution", "path", "key", "push", "tags"]), r.choice(["'21'", "temurin", "~/.m2", "true", "registry.internal/acme/invoicing"])) for _ in range(3)]
    A.one("read_file", {"path": "/srv/invoicing/.github/workflows/ci.yml"}, "\n".join(ci))
    A.one("run_scanner", {"kind": "iac", "target": "/srv/invoicing/deploy"}, "\n".join(
        "%s  %s  %s  %s" % (r.choice(["deploy/k8s/deployment.yaml", "deploy/k8s/service.yaml", "deploy/terraform/rds.tf", "deploy/terraform/s3.tf"]), "CKV_%s_%d" % (r.choice(["K8S", "AWS"]), r.randint(1, 300)),
                            r.choice(["MEDIUM", "LOW", "HIGH"]), g.sent(D["k8s"])) for _ in range(70)))
    A.one("run_command", {"command": "cd /srv/invoicing && mvn -q versions:use-dep-version -Dincludes=org.apache.commons:commons-text -DdepVersion=1.10.0 && mvn -q -DskipTests package"},
          "[INFO] Updated org.apache.commons:commons-text:jar:1.9 to version 1.10.0\n[INFO] BUILD SUCCESS\n[INFO] Total time:  01:12 min")
    rows2 = [x for x in rows if "commons-text" not in x]
    A.one("run_scanner", {"kind": "dependency", "target": "/srv/invoicing"}, "Scanning /srv/invoicing (maven, 212 packages)\n\n" + "\n".join(rows2) + "\n\nTotal: 70 (CRITICAL: 0)",
          "Upgraded commons-text; re-scanning.")
    A.one("run_scanner", {"kind": "container", "target": "ci-runner-04 (host packages)"}, "\n".join([osrows[0]] + [x.replace("3.0.2-0ubuntu1", "3.0.13-0ubuntu3") for x in osrows[1:25]]))
    c.u("For the report: which CVE was the critical one in your very first dependency scan, and what OpenSSL version does the host report now?")
    return case("agent-09-security-scan", "agent", c.m, ["CVE-2022-42889", "OpenSSL 3.0.13"],
                "The critical CVE is one row of a 70-row scan at the start (the re-scan no longer lists it); an earlier 'openssl version' output shows the outdated version.",
                forbidden=["OpenSSL 3.0.2 15 Mar 2022"], tools=tool_schemas(A.used), limits={"CVE-2022-42889": 2, "OpenSSL 3.0.13": 1})


def money(r, lo, hi, ban=()):
    while True:
        s = "{:,.2f}".format(r.uniform(lo, hi))
        if s not in ban:
            return s


def agent_finance(seed):
    g = Gen(random.Random(seed))
    r = g.r
    c = Conv(g, "You are CloseAgent, helping the finance team with the quarter-end close. You can read and write the close workbook and compute figures. Never overwrite source sheets.")
    prior_history(c, "finance", 2)
    c.u("Please reconcile Q2 accruals in 'FY24 Close.xlsx' against the GL export, put the differences into the Recon sheet, and flag anything over EUR 1,000.")
    A = Agent(c)
    wb = "FY24 Close.xlsx"
    ban = ("48,210.55", "51,877.20")
    A.one("list_sheets", {"workbook": wb}, json.dumps(["README", "Accruals Q2", "Accruals Q3", "GL Export Q2", "Vendor list", "FX rates", "Prepaids", "Recon"]))
    lines = ["IT – cloud hosting", "IT – software licences", "Facilities – cleaning", "Facilities – utilities", "Legal – external counsel", "HR – recruiting fees",
             "Sales – commissions", "Finance – audit fees", "Travel – Q2 trips", "Ops – logistics", "R&D – contractors", "Insurance"]
    acc = [["Account", "Line", "Description", "Amount EUR", "Owner", "Reversal date"]]
    for i in range(60):
        acc.append([str(r.randint(60000, 69999)), r.choice(lines), g.sent(D["finance"])[:70], money(r, 200, 90000, ban), r.choice(["MK", "AS", "JT", "LP"]), "2024-07-01"])
    acc.insert(17, ["64110", "Marketing accrual", "Agency retainer + June campaign media, invoices pending", "48,210.55", "LP", "2024-07-01"])
    A.one("read_sheet", {"workbook": wb, "sheet": "Accruals Q2"}, pipe_table(acc[0], acc[1:]))
    acc3 = [acc[0]] + [[str(r.randint(60000, 69999)), r.choice(lines), g.sent(D["finance"])[:70], money(r, 200, 90000, ban), r.choice(["MK", "AS", "JT", "LP"]), "2024-10-01"] for _ in range(55)]
    acc3.insert(9, ["64110", "Marketing accrual", "Agency retainer + September events", "51,877.20", "LP", "2024-10-01"])
    A.one("read_sheet", {"workbook": wb, "sheet": "Accruals Q3"}, pipe_table(acc3[0], acc3[1:]),
          "That was Q2; let me also look at Q3 so I don't mix them up.")
    gl = [["Date", "Account", "Journal", "Description", "Debit", "Credit"]]
    for _ in range(190):
        gl.append(["2024-%02d-%02d" % (r.randint(4, 6), r.randint(1, 28)), str(r.randint(60000, 69999)), "JE-%05d" % r.randint(10000, 99999), g.sent(D["finance"])[:60],
                   money(r, 10, 40000, ban), ""])
    A.one("read_sheet", {"workbook": wb, "sheet": "GL Export Q2"}, pipe_table(gl[0], gl[1:]))
    A.one("compute", {"expression": "sum of Accruals Q2 minus GL Q2 accrual journals"}, json.dumps({"result": money(r, 1000, 9000, ban), "note": "difference across 61 accrual lines"}))
    vend = [["Vendor", "Vendor ID", "Payment terms", "Currency"]] + [[r.choice(["Brightlane", "Okto", "Nordhaus", "Meridian", "Pixelfabrik", "Caravel", "Tessera"]) + " " + r.choice(["GmbH", "Ltd", "BV", "AG"]),
                                                                      "V-%04d" % r.randint(1000, 9999), r.choice(["net 30", "net 45", "net 60"]), r.choice(["EUR", "GBP", "USD"])] for _ in range(70)]
    A.one("read_sheet", {"workbook": wb, "sheet": "Vendor list"}, pipe_table(vend[0], vend[1:]))
    A.one("read_sheet", {"workbook": wb, "sheet": "FX rates"}, pipe_table(["Month", "GBP", "USD"], [["2024-%02d" % m, "%.4f" % r.uniform(0.84, 0.87), "%.4f" % r.uniform(1.06, 1.10)] for m in range(1, 10)]))
    A.one("compute", {"expression": "difference by account, converted to EUR"}, json.dumps({"rows": [{"account": str(r.randint(60000, 69999)), "diff_eur": money(r, -4000, 4000, ban)} for _ in range(30)]}, indent=1))
    pre = [["Account", "Description", "Start", "End", "Monthly EUR"]] + [[str(r.randint(14000, 14999)), g.sent(D["finance"])[:60], "2024-01-01", "2024-12-31", money(r, 100, 9000, ban)] for _ in range(45)]
    A.one("read_sheet", {"workbook": wb, "sheet": "Prepaids"}, pipe_table(pre[0], pre[1:]))
    A.one("write_cell", {"workbook": wb, "cell": "Recon!A2", "value": "=ACCRUALS_VS_GL('Accruals Q2','GL Export Q2')"}, "OK")
    rec = [["Account", "Accrued", "Posted", "Difference", "Flag"]] + [[str(r.randint(60000, 69999)), money(r, 100, 90000, ban), money(r, 100, 90000, ban), money(r, -5000, 5000, ban), r.choice(["", "", "> 1,000"])] for _ in range(40)]
    A.one("read_sheet", {"workbook": wb, "sheet": "Recon"}, pipe_table(rec[0], rec[1:]))
    A.one("compute", {"expression": "count of differences with abs > 1000"}, json.dumps({"result": 9}))
    A.one("write_cell", {"workbook": wb, "cell": "Recon!G1", "value": "9 differences > EUR 1,000 flagged"}, "OK")
    c.u("Hang on, what was the Q2 marketing accrual figure in the accruals sheet? I want to tick it against the ledger myself.")
    return case("agent-10-close-accruals", "agent", c.m, ["48,210.55"],
                "The figure is one row of the first large sheet read; the immediately following Q3 sheet has a same-named line with a different amount.",
                forbidden=["51,877.20"], tools=tool_schemas(A.used), limits={"48,210.55": 1})


# ---------------------------------------------------------------------------
# Conversation cases (no tools in the current turn)
# ---------------------------------------------------------------------------

def start(seed, system=None):
    g = Gen(random.Random(seed))
    return g, Conv(g, system or g.r.choice(SYSTEMS))


def later_topics(c, doms, total_after):
    """Spread `total_after` characters of filler over several new topics."""
    base = c.chars()
    for i, dom in enumerate(doms):
        c.open_topic(dom)
        c.fill_until(dom, base + total_after * (i + 1) // len(doms))


# ---- topic changes --------------------------------------------------------

def tc_vendor(seed, size):
    g, c = start(seed)
    c.open_topic("logistics", switch=False)
    c.fill_until("logistics", int(size * 0.12))
    c.u("Okay, the three 3PL vendors that answered our RFP are Baltic Freight Partners, Nordwind Logistics and Rheinhafen Cargo. "
        "What matters to us: coverage for Poland and Germany, decent returns handling, and a contract we can exit within a year. Can you compare them?")
    c.a("Here's how the three compare on what you said matters:\n\n"
        "| | Baltic Freight Partners | Nordwind Logistics | Rheinhafen Cargo |\n|---|---|---|---|\n"
        "| Warehouses | Gdańsk, Poznań | Poznań, Leipzig, Duisburg | Duisburg only |\n"
        "| Returns handling | outsourced to a partner | in-house, 48h grading | in-house |\n"
        "| Minimum term | 36 months | 12 months | 24 months |\n"
        "| Pick & pack fee | EUR 1.05 | EUR 1.18 | EUR 0.98 |\n| Peak surcharge (Nov-Dec) | 15% | 8% | 20% |\n\n"
        "Rheinhafen is cheapest per pick but only has one site and a steep peak surcharge. Baltic is solid operationally, but the 36-month lock-in conflicts with your exit requirement.")
    c.u("Thanks. If you had to decide today, which one?")
    c.a("I'd go with Nordwind Logistics. Its pick fee is about 13 cents higher than Rheinhafen's, but the 12-month minimum term, the Leipzig site for your German customers "
        "and in-house returns grading outweigh that, and the lower peak surcharge means most of the difference disappears in Q4. Negotiate the pick fee towards EUR 1.10 and get the returns SLA in writing.")
    c.u("Agreed, let's go with that. I'll tell procurement tomorrow.")
    c.a("Sounds good. If procurement wants a one-page summary for the file, I can draft it.")
    c.fill_turns("logistics", 2)
    later_topics(c, ["marketing", "hiring", "fitness"], size - c.chars())
    c.u("Totally different thing: going back to the warehousing question from way earlier, which vendor did we pick in the end, and what was the main reason?")
    return case("topic-01-3pl-vendor", "topic_change", c.m, ["Nordwind Logistics"],
                "The decision is stated once in an assistant answer early on (the user only says 'let's go with that'), followed by three unrelated topics; two rejected vendors appear next to it.")


def tc_database(seed, size):
    g, c = start(seed)
    c.open_topic("data", switch=False)
    c.fill_until("data", int(size * 0.2))
    c.u("For the analytics backend: about 2 TB of event data growing 80 GB a month, the team knows Postgres well, we need to update rows when orders change, "
        "and legal says it has to run in our own data centre. On the table: ClickHouse, BigQuery, or staying on Postgres somehow. Thoughts?")
    c.a("- **ClickHouse**: extremely fast for append-only aggregations, but updates are awkward (mutations are asynchronous and heavy), and nobody on the team has run it.\n"
        "- **BigQuery**: great managed option, but it is ruled out by the requirement to run in your own data centre.\n"
        "- **PostgreSQL 16 with the Citus extension**: distributes tables across worker nodes, keeps full SQL and transactional updates, and the team's Postgres experience carries over.\n\n"
        "Given the update requirement and the on-prem constraint, the last option is the natural fit, but let me know if dashboard latency is the top priority.")
    c.u("Latency matters but it's not the top priority. If you had to choose?")
    c.a("Then I'd go with Postgres plus Citus: start with a coordinator and three worker nodes, distribute the events table by account id, and keep the order tables as reference tables. "
        "Revisit a columnar engine only if dashboard latency becomes the bottleneck.")
    c.u("Sounds right. Let's do that, I'll write it up for the architecture review.")
    c.a("Great. I'd include the data-growth estimate and the update requirement in the write-up, since those drove the decision.")
    later_topics(c, ["renovation", "travel"], size - c.chars())
    c.u("Okay, back to the analytics backend for a minute. Remind me what we decided to run it on?")
    return case("topic-02-analytics-db", "topic_change", c.m, ["Citus"],
                "The choice is phrased across two assistant turns without repeating it verbatim in the user's reply; two long unrelated topics follow.")


def tc_hotel(seed, size):
    g, c = start(seed)
    c.open_topic("travel", switch=False)
    c.fill_until("travel", int(size * 0.15))
    c.u("For Lisbon (four nights, end of June) we want something walkable, ideally with a pool because it'll be hot, max 200 EUR a night. Options?")
    c.a("Three that fit reasonably well:\n\n1. **Alfama Terrace Suites** (Alfama): beautiful river views, EUR 185 a night, no pool, a 12-minute walk to the tram.\n"
        "2. **Casa Lumbrera** (Príncipe Real): rooftop pool, EUR 168 a night, quiet street, 8 minutes on foot to Bairro Alto.\n"
        "3. **Hotel Miradouro Azul** (Baixa): pool and gym, but EUR 215 a night, so over budget.")
    c.u("Which one would you pick?")
    c.a("I'd go with Alfama Terrace Suites: the atmosphere and the views from the terrace are hard to beat, and it's within budget.")
    c.u("Hmm, the views sound great, but no pool is a dealbreaker in June, and my partner hates the hills in Alfama.")
    c.a("Then switch to the second one: the rooftop pool solves the heat problem, Príncipe Real is much flatter, and at EUR 168 a night it leaves room in the budget. I'd book that.")
    c.u("Perfect, I'll book it tonight.")
    c.a("Great choice. Ask for a room on the garden side; the street side can be noisy on weekend nights.")
    later_topics(c, ["cooking", "finance", "gardening"], size - c.chars())
    c.u("My sister wants to stay near us. Which place did we end up going with in Lisbon?")
    return case("topic-03-lisbon-hotel", "topic_change", c.m, ["Casa Lumbrera"],
                "The assistant first recommended one hotel by name, then revised to 'the second one' without naming it; the chosen name only appears in the option list, so keeping the recommendation but not the list misleads.",
                forbidden=["Alfama Terrace Suites"])


def tc_candidate(seed, size):
    g, c = start(seed)
    c.open_topic("hiring", switch=False)
    c.fill_until("hiring", int(size * 0.18))
    c.u("Debriefs are done for the senior backend role. Notes: Priya Raman crushed the system design round but was quieter in the culture interview; "
        "Marcus Oyelaran was great with people but struggled with the distributed systems questions; Lena Hoffmann wrote the best code but wants 20% above our band. Help me think.")
    c.a("Summarising the signal:\n\n- **Priya Raman**: strongest on the core skill for this role (design of distributed systems). Quietness in one interview is weak evidence, especially with a structured scorecard.\n"
        "- **Marcus Oyelaran**: excellent collaborator; the distributed systems gap is real for a senior backend hire, though he'd be a strong mid-level.\n"
        "- **Lena Hoffmann**: strong coder, but a 20% gap above band is hard to close without creating internal inequity.\n\n"
        "My recommendation: make the offer to Priya Raman, and keep Marcus Oyelaran warm for the mid-level opening next quarter.")
    c.u("That matches my gut. Let's do that.")
    c.a("Good. Move quickly: strong candidates often have parallel offers. I can help draft the offer call script if you like.")
    later_topics(c, ["gardening", "fitness"], size - c.chars())
    c.u("HR just pinged me. Who did we decide to extend the backend offer to?")
    return case("topic-04-hiring-offer", "topic_change", c.m, ["Priya Raman"],
                "Three candidate names appear together in the user's notes and the assistant's analysis; only the final line of one assistant answer carries the decision, buried under later unrelated topics.")


def tc_paint(seed, size):
    g, c = start(seed)
    c.open_topic("renovation", switch=False)
    c.fill_until("renovation", int(size * 0.1))
    c.u("For the study: it's north-facing, oak bookshelves, and I want it to feel cosy rather than bright. I've narrowed it to Stiffkey Blue, Hague Blue and Green Smoke. Which one?")
    c.a("In a north-facing room all three will read darker and cooler than on the chart. Stiffkey Blue can look almost inky; Green Smoke goes grey-green and can feel a bit flat without warm light. "
        "I'd pick Hague Blue: it's deep enough to feel cosy, has enough green in it to stay warm next to oak, and it handles cool light well. Use it on the walls in a matt finish and consider the same colour in eggshell on the skirting for a wrapped-around look.")
    c.u("Love it, decided.")
    c.a("Great. Paint two big sample boards first and look at them at different times of day before the painter starts.")
    c.fill_turns("renovation", 2)
    later_topics(c, ["events", "k8s", "cooking"], size - c.chars())
    c.u("The painter comes on Monday. What colour did we settle on for the study?")
    return case("topic-05-paint-colour", "topic_change", c.m, ["Hague Blue"],
                "The pick is embedded mid-paragraph in one early assistant answer among two rejected colours, then the conversation spends most of its length elsewhere.")


def tc_pricing(seed, size):
    g, c = start(seed)
    c.open_topic("marketing", switch=False)
    c.fill_until("marketing", int(size * 0.25))
    c.u("Pricing for launch. I'm thinking three tiers. Can you propose numbers? Our target customer is a 5-20 person agency.")
    c.a("A simple structure that fits 5-20 person agencies:\n\n- **Starter at $29 per month**: 3 seats, core features, for freelancers and tiny teams.\n"
        "- **Growth plan at $79 per month**: 15 seats, client portals and integrations; this is where your target customer lands.\n"
        "- **Scale at $199 per month**: unlimited seats, SSO, priority support.\n\n"
        "Highlight the middle tier as the default on the landing page, and offer two months free on annual billing.")
    c.u("Agreed on all of it, let's go with that as the default.")
    c.a("Great. I'd A/B test the annual discount copy after the first month, but keep the tiers fixed for at least a quarter.")
    later_topics(c, ["hiring", "data"], size - c.chars())
    c.u("Going back to the launch pricing: which plan and price did we agree to highlight as the default?")
    return case("topic-06-launch-pricing", "topic_change", c.m, ["Growth plan", "$79 per month"],
                "Three prices appear in the same list; the answer needs the one tier that was designated default, far back before two long unrelated topics.")


def tc_framework(seed, size):
    g, c = start(seed)
    c.open_topic("k8s", switch=False)
    c.fill_until("k8s", int(size * 0.08))
    c.u("Separate question: we're rewriting the warehouse dashboard frontend. It runs on cheap Android tablets on the warehouse floor. Next.js, SvelteKit or Remix?")
    c.a("All three can do the job. The deciding factor here is the hardware: cheap tablets struggle with large JavaScript bundles and hydration cost. "
        "SvelteKit compiles components away and typically ships noticeably less JavaScript, and you mentioned the team already built a prototype in Svelte. "
        "Next.js has the largest ecosystem, and Remix has a nice data-loading model, but neither solves the low-end device problem better. I'd choose SvelteKit.")
    c.u("Makes sense. Decision made.")
    c.a("Good. Set a performance budget in CI (for example, a maximum JS size per route) so it stays fast as features grow.")
    later_topics(c, ["travel", "finance", "events"], size - c.chars())
    c.u("OK, back to the dashboard rewrite. What framework did we land on, and what was the deciding argument?")
    return case("topic-07-frontend-framework", "topic_change", c.m, ["SvelteKit"],
                "A short decision exchange early in a long conversation that then covers three unrelated topics; the final question shares almost no words with the decision turn.")


# ---- vague follow-ups -----------------------------------------------------

def vf_laptop(seed, size):
    g, c = start(seed)
    later_topics(c, ["fitness", "cooking"], int(size * 0.7))
    c.u("Different topic: I need a new laptop. Under 1.4 kg, great keyboard, works well with Linux, around 1,500 EUR. What would you suggest?")
    c.a("Four that fit the brief:\n\n1. **Lenovo ThinkPad X1 Carbon Gen 12**: 1.09 kg, the best keyboard in the class, excellent Linux support, about EUR 1,750 on sale.\n"
        "2. **Framework Laptop 13** (Intel Core Ultra 5): 1.3 kg, fully repairable and upgradeable, first-class Linux support, about EUR 1,350 configured.\n"
        "3. **Dell XPS 14**: gorgeous display, but the capacitive function row is divisive and Linux support is more hit-and-miss; about EUR 1,600.\n"
        "4. **ASUS Zenbook S 14**: 1.2 kg, very good value, decent Linux support after a kernel update; about EUR 1,300.")
    c.u("Also, any good backpack for a 14-inch laptop that doesn't look like a hiking bag?")
    c.a("Look for a minimalist commuter backpack with a suspended laptop sleeve (so the laptop doesn't hit the ground when you put the bag down), a clamshell opening and "
        "water-resistant fabric. Brands in that style include Bellroy, Peak Design and Aer; pick a 16-20 litre size for daily use.")
    c.u("And what's the best way to keep a laptop battery healthy long term?")
    c.a("Avoid keeping it at 100% on the charger all day (many laptops let you cap charging at 80%), avoid heat, and don't worry about occasional full cycles. "
        "Battery wear is mostly driven by time spent at high charge and high temperature.")
    c.fill_until("cooking", size, chit=0.5)
    c.u("Okay, and the second one from your list, how's the battery life on that?")
    return case("vague-01-second-laptop", "vague_followup", c.m, ["Framework Laptop 13"],
                "'the second one' resolves to a numbered list several turns back; the intervening turns (bags, battery care) share vocabulary with the question but not the referent.")


def vf_insurance(seed, size):
    g, c = start(seed)
    later_topics(c, ["finance"], int(size * 0.6))
    c.u("I got two health insurance quotes after moving to Zurich. Can you compare them? I barely go to the doctor.")
    c.a("Comparing the two quotes:\n\n- **Helvetia Basic Flex**: CHF 312 per month, deductible CHF 1,500, free choice of doctor.\n"
        "- **Sanitas Compact One**: CHF 287 per month, deductible CHF 2,500, you call a telemedicine line first before seeing a specialist.\n\n"
        "If you rarely see a doctor, the higher deductible usually pays off, since you save the premium difference every month.")
    c.u("Is it normal that premiums go up every year here?")
    c.a("Unfortunately yes; Swiss basic insurance premiums have risen most years, and you can switch providers every year by the end of November.")
    c.u("And does the deductible reset every January?")
    c.a("Yes, it is per calendar year, so costs you pay in December don't count toward next year's deductible.")
    c.fill_until("travel", size, chit=0.4, open_topic=True)
    c.u("Alright, let's go with the cheaper one. What's its deductible again?")
    return case("vague-02-cheaper-plan", "vague_followup", c.m, ["Sanitas Compact One", "CHF 2,500"],
                "'the cheaper one' requires the comparison message (monthly premium decides which is cheaper) although later turns discuss premiums and deductibles in general.")


def vf_capacity(seed, size):
    g, c = start(seed)
    c.open_topic("k8s", switch=False)
    c.fill_until("k8s", int(size * 0.5))
    c.u("How much traffic can our API handle right now? Load test said each worker tops out around 180 rps before latency degrades, we run 6 workers.")
    c.a("Each worker handles about 180 requests per second at p95 under 200 ms, and with 6 workers the ceiling is roughly 1,080 requests per second. "
        "Your current peak of 740 requests per second leaves about 30% headroom, which is on the thin side for marketing-driven spikes.")
    c.u("What's a sensible alert threshold then?")
    c.a("Alert at around 75-80% of the ceiling sustained for five minutes; that gives on-call time to scale out before latency suffers.")
    c.u("And does autoscaling change that picture?")
    c.a("It changes the ceiling into a moving target, but only if scale-out is faster than the traffic ramp. Measure how long a new worker takes to become ready; if it's more than a couple of minutes, keep static headroom too.")
    c.fill_until("k8s", size, chit=0.3)
    c.u("And if the traffic doubles?")
    return case("vague-03-if-it-doubles", "vague_followup", c.m, ["180 requests per second", "peak of 740 requests per second"],
                "'if the traffic doubles' needs the numbers from an assistant answer several turns back; the intervening answers are about thresholds and autoscaling without numbers.")


def vf_release(seed, size):
    g, c = start(seed)
    c.open_topic("data", switch=False)
    c.fill_until("data", int(size * 0.55))
    c.u("Can you give me a quick tour of the last few releases of the pipeline framework so I know what we're upgrading through?")
    c.a("Quick tour of the recent releases:\n\n- **v3.2** (March): new plugin API, old YAML config format deprecated.\n"
        "- **v3.3** (June): dropped support for Python 3.8, switched the HTTP client to httpx, added async hooks.\n"
        "- **v3.4** (September): built-in result caching, removed the deprecated config format entirely.")
    c.u("What exactly does the caching in v3.4 do?")
    c.a("It hashes each task's inputs and code version and stores the output; when a task is re-run with identical inputs it reuses the stored result instead of recomputing. "
        "You can set a TTL per task and invalidate by tag.")
    c.fill_until("data", size, chit=0.3)
    c.u("And the one before that, what did it change?")
    return case("vague-04-release-before", "vague_followup", c.m, ["dropped support for Python 3.8"],
                "'the one before that' is relative to the release discussed in a later turn, so both the list and the later turn are needed to resolve the referent.")


def vf_negotiation(seed, size):
    g, c = start(seed)
    later_topics(c, ["hiring", "finance"], int(size * 0.8))
    c.u("I have an offer from a scale-up and want to negotiate. Any tips?")
    c.a("Seven things that work well:\n\n1. **Get the offer in writing** before negotiating anything.\n2. **Know your walk-away number** and your target number.\n"
        "3. **Ask for more than you expect**; the first counter sets the range.\n4. **Negotiate by email** if you get nervous on calls.\n"
        "5. **Trade, don't just ask**: a later start date or fewer remote days can be bargaining chips.\n6. **Use competing interest carefully**; never bluff.\n"
        "7. **Anchor on total compensation, not base salary**: ask for the equity refresh schedule and the vesting cliff in writing before you compare offers.")
    c.u("Thanks. Point 3 feels a bit aggressive though?")
    c.a("It can feel that way, but recruiters expect a counter; asking 10-15% above the offer with a short justification is normal and rarely damages the relationship.")
    c.fill_until("finance", size, chit=0.3)
    c.u("Can you expand on the last point from that list?")
    return case("vague-05-last-point", "vague_followup", c.m, ["equity refresh schedule"],
                "'the last point from that list' refers to item 7 of a list two or more turns back, while the nearest turn discussed point 3.")


# ---- corrections ------------------------------------------------------------

def cor_quantity(seed, size):
    g, c = start(seed)
    c.open_topic("events", switch=False)
    c.fill_until("events", int(size * 0.1))
    c.u("We need to order office chairs for the new floor: 30 units of the ErgoLine 500 in charcoal, delivered to the Hamburg office before the end of the month.")
    c.a("Got it: 30 units of the ErgoLine 500 in charcoal for Hamburg, before month end. Two suppliers usually stock it in volume: Bürowelt Nord and Sitzkontor. "
        "At 30 units you should qualify for their second volume tier, which is typically around 8% off list.")
    c.fill_until("logistics", int(size * 0.35), open_topic=True)
    c.u("Back to the chairs: do we need to book a delivery slot with the building?")
    c.a("Yes, for 30 units you'll want the goods lift for about an hour; book it with building management a week ahead.")
    c.fill_until("logistics", int(size * 0.55))
    c.u("Update from facilities: two more teams are moving onto the floor, so actually make it 40 units, not 30.")
    c.a("Updated: 40 units of the ErgoLine 500 in charcoal. That's still the same volume tier with most suppliers, and you'll want the goods lift for a bit longer.")
    c.fill_until("hiring", size, open_topic=True)
    c.u("Great, please draft the purchase order email to the supplier now, with all the details.")
    return case("correct-01-chair-quantity", "correction", c.m, ["40 units"],
                "The old quantity is stated by the user and echoed twice by the assistant; the correction is a single short user turn in the middle.",
                forbidden=["30 units"])


def cor_date(seed, size):
    g, c = start(seed)
    c.u("The board review is on Thursday 14 November at 10:00 in the Atlas room. Can you help me prep the agenda? Topics: Q3 results, hiring plan, the data platform budget.")
    c.a("Here's a draft agenda for Thursday 14 November, 10:00, Atlas room:\n\n1. Welcome and minutes (5 min)\n2. Q3 results (25 min)\n3. Hiring plan (20 min)\n4. Data platform budget (20 min)\n5. AOB (10 min)\n\n"
        "Send the pre-read at least three working days ahead.")
    c.fill_until("data", int(size * 0.4), open_topic=True)
    c.u("Change of plan: the chair can't do that week's Thursday, so the board review moves to Tuesday 19 November, same time, same room.")
    c.a("Noted: Tuesday 19 November, 10:00, Atlas room. That moves the pre-read deadline to the Thursday before.")
    c.fill_until("marketing", size, open_topic=True)
    c.u("Write the calendar invite text for the board review, please.")
    return case("correct-02-meeting-date", "correction", c.m, ["Tuesday 19 November"],
                "The original date is in the very first exchange (and a detailed agenda); the move is a short mid-conversation turn.",
                forbidden=["Thursday 14 November"])


def cor_address(seed, size):
    g, c = start(seed)
    c.open_topic("renovation", switch=False)
    c.fill_until("renovation", int(size * 0.15))
    c.u("We ordered six standing desks. Ship them to our office at Lindenstraße 48, 10969 Berlin, attention Facilities, please.")
    c.a("Shipping details noted: six standing desks to Lindenstraße 48, 10969 Berlin, attention Facilities. Desks usually come on one pallet, so mention that a tail-lift delivery is needed.")
    c.fill_until("k8s", int(size * 0.5), open_topic=True)
    c.u("Oh, important: we're moving offices next week! Please use the new address for the desk delivery: Oranienstraße 7, 10999 Berlin, 3rd floor, attention Facilities.")
    c.a("Thanks, updated: the desks go to Oranienstraße 7, 10999 Berlin, 3rd floor, attention Facilities. Double-check that the new building has a goods lift.")
    c.fill_until("travel", size, open_topic=True)
    c.u("Give me the shipping label details for the desk order.")
    return case("correct-03-shipping-address", "correction", c.m, ["Oranienstraße 7"],
                "Both addresses look equally plausible and are stated with the same 'attention Facilities' pattern; only the later one is valid.",
                forbidden=["Lindenstraße 48"])


def cor_budget(seed, size):
    g, c = start(seed)
    c.open_topic("events", switch=False)
    c.u("The offsite budget is $12,000 in total. Categories: venue, catering, travel, activities. Can you propose a split?")
    c.a("For $12,000: venue $4,000, catering $3,500, travel $3,000, activities $1,500. Keep about 5% of that as contingency inside the venue line.")
    c.fill_until("events", int(size * 0.3))
    c.u("Good news, finance approved more: we now have $15,000.")
    c.a("Nice. With $15,000 I'd add the extra mostly to travel and activities: venue $4,500, catering $4,000, travel $4,000, activities $2,500.")
    c.fill_until("events", int(size * 0.6))
    c.u("Ugh, finance walked it back a bit. The final cap is $13,500, and that's firm.")
    c.a("Understood, final cap $13,500. We'll trim activities and travel first and keep catering intact.")
    c.fill_until("cooking", size, open_topic=True)
    c.u("Build me the final budget split across the categories we discussed.")
    return case("correct-04-budget-twice", "correction", c.m, ["$13,500"],
                "The budget is revised twice; each earlier value comes with a detailed split that looks like a finished answer.",
                forbidden=["$12,000", "$15,000"])


def cor_name(seed, size):
    g, c = start(seed)
    c.open_topic("events", switch=False)
    c.fill_until("events", int(size * 0.2))
    c.u("The Volunteer of the Year award goes to Katharina Schmitt from the Leipzig chapter. She ran the food-bank drive for three years.")
    c.a("What a great choice. For Katharina Schmitt I'd mention the three years of the food-bank drive in the citation and invite someone from the Leipzig chapter to present it.")
    c.fill_until("events", int(size * 0.5))
    c.u("Oh no, I got her name wrong earlier. It's Katarina Schmidt: no h in Katarina, and Schmidt with dt. She'd be mortified if we printed it wrong.")
    c.a("Thanks for catching that: Katarina Schmidt. I'll use that spelling from now on.")
    c.fill_until("marketing", size, open_topic=True)
    c.u("Now write the certificate wording for the award recipient.")
    return case("correct-05-name-spelling", "correction", c.m, ["Katarina Schmidt"],
                "The misspelled and corrected names differ by two letters; a summariser that keeps the first mention only would silently print the wrong name.",
                forbidden=["Katharina Schmitt"])


def cor_pickup(seed, size):
    g, c = start(seed)
    c.open_topic("travel", switch=False)
    c.u("My flight to Lyon lands at 06:10 on Friday, so please plan the airport pickup for 06:45 with the driver service.")
    c.a("Pickup planned for 06:45 at Lyon Saint-Exupéry, arrivals hall. If you only have hand luggage, 06:45 is realistic; otherwise allow a bit more.")
    c.fill_until("travel", int(size * 0.45))
    c.u("The airline rescheduled my flight, I now land at 07:50. Move the pickup to 08:20.")
    c.a("Done: pickup moved to 08:20, same meeting point in the arrivals hall.")
    c.fill_until("fitness", size, open_topic=True)
    c.u("Write the message to the driver confirming the pickup time and place.")
    return case("correct-06-pickup-time", "correction", c.m, ["08:20"],
                "The first time is stated twice in the opening exchange, the correction is a short turn; times are easy to confuse.",
                forbidden=["06:45"])


# ---- passing facts ----------------------------------------------------------

def pf_allergy(seed, size):
    g, c = start(seed)
    c.u("So, the dinner party on Saturday: eight people, mostly colleagues, at my place. I'm thinking candles, one long table, maybe a playlist with some jazz. "
        "Oh, and not that it matters for the decorating, but I'm allergic to sesame, so keep that in mind if we get to food at some point. "
        "Anyway, first question: how do I fit a table for eight into a small living room?")
    c.a(g.assistant(D["events"]))
    c.fill_until("events", int(size * 0.5))
    c.fill_until("gardening", int(size * 0.8), open_topic=True)
    c.fill_until("events", size, open_topic=True)
    c.u("Ok, now propose the full menu for Saturday: a starter, a main and a dessert.")
    return case("fact-01-allergy", "passing_fact", c.m, ["sesame"],
                "The allergy is a parenthetical aside in the first user message about decorating; nothing later mentions diet, and the final question does not hint at it.",
                limits={"sesame": 1})


def pf_account(seed, size):
    g, c = start(seed)
    c.open_topic("finance", switch=False)
    c.fill_until("finance", int(size * 0.1))
    c.u("Side note while I think of it: the bank charged me the account maintenance fee twice in September (account ref ACC-4471-09, in case that matters later). "
        "But my bigger question is how to build a budget that actually sticks. I always give up after a month.")
    c.a(g.assistant(D["finance"]))
    c.fill_until("finance", int(size * 0.6))
    c.fill_until("cooking", size, open_topic=True)
    c.u("Can you draft the complaint email to the bank about the double-charged fee? Include my account reference so they can find it.")
    return case("fact-02-account-ref", "passing_fact", c.m, ["ACC-4471-09"],
                "The account reference appears once, as an aside in a message whose main question is about budgeting; a keyword match on 'fee' also hits many budgeting turns.",
                limits={"ACC-4471-09": 1})


def pf_deadline(seed, size):
    g, c = start(seed)
    c.u("I'm applying for the Horizon Arts fellowship (the deadline is 14 March, so there's some time) and I also need to redo my portfolio website. Which should I start with?")
    c.a("Start with the parts of the application that need other people, like reference letters, because they take the longest; then work on the portfolio site, "
        "since you can reuse its strongest pieces in the application.")
    c.fill_until("marketing", int(size * 0.6), open_topic=True)
    c.fill_until("fitness", size, open_topic=True)
    c.u("Today is 3 February. Make me a week-by-week schedule from now until the fellowship deadline.")
    return case("fact-03-deadline", "passing_fact", c.m, ["14 March"],
                "The deadline appears once in a parenthesis in the very first message; the final question refers to 'the fellowship deadline' without a date.",
                limits={"14 March": 1})


def pf_lefthanded(seed, size):
    g, c = start(seed)
    c.u("Setting up my home office. The desk is 140 cm wide, I'm left-handed by the way, and I have one 27-inch monitor. What kind of monitor arm should I get?")
    c.a("For a single 27-inch monitor on a 140 cm desk, a clamp-mounted gas-spring arm rated for 3-9 kg is ideal. Check the VESA pattern (usually 100x100) and the desk thickness for the clamp.")
    c.fill_until("renovation", int(size * 0.4), open_topic=True)
    c.u("Back to the office setup: I also need a new mouse. Suggestions?")
    c.a("A few good options:\n\n1. **Logitech MX Master 3S**: sculpted right-hand shape, great scroll wheel.\n2. **Logitech MX Anywhere 3S**: compact and symmetrical, works in either hand.\n"
        "3. **Razer Basilisk V3**: right-hand ergonomic shape, many buttons.\n4. **Logitech Lift**: vertical mouse, also sold in a left-hand version.")
    c.fill_until("fitness", size, open_topic=True)
    c.u("Which of the mice you listed should I buy?")
    return case("fact-04-left-handed", "passing_fact", c.m, ["left-handed", "Logitech Lift"],
                "The handedness is a 'by the way' in the first message about monitor arms, while the list needing it comes much later; the list itself says 'left-hand version', not the user's fact.",
                limits={"left-handed": 1})


def pf_timezone(seed, size):
    g, c = start(seed)
    c.u("Just moved to Auckland for my partner's job, and I'm still working remotely for the Berlin team. Anyway, I'm struggling to keep my calendar organised, any tips?")
    c.a("A few habits help: time-block your deep-work hours first, keep one calendar as the source of truth, colour-code by type of commitment, and do a ten-minute weekly review on Sunday evening.")
    c.fill_until("hiring", int(size * 0.5), open_topic=True)
    c.fill_until("gardening", size, open_topic=True)
    c.u("What time will the 9:00 Berlin standup be for me in December?")
    return case("fact-05-timezone", "passing_fact", c.m, ["Auckland"],
                "The user's location is mentioned once in the opening line of an unrelated question; the time-zone question is only answerable with it (and DST in both places).",
                limits={"Auckland": 1})


# ---- documents --------------------------------------------------------------

CONTRACT_SECTIONS = ["Definitions", "Scope of Services", "Statements of Work", "Service Levels", "Customer Obligations", "Fees and Payment", "Taxes",
                     "Intellectual Property", "Confidentiality", "Data Protection", "Security", "Warranties", "Indemnities", "Term and Termination",
                     "Consequences of Termination", "Limitation of Liability", "Insurance", "Subcontracting", "Audit", "Force Majeure",
                     "Dispute Resolution", "Notices", "Assignment", "Governing Law", "General"]


def contract(g, target, special):
    r = g.r
    d = D["legal"]
    out = ["MASTER SERVICES AGREEMENT", "", "between Corvid Analytics GmbH (the \"Supplier\") and Larkspur Home s.r.o. (the \"Customer\")", ""]
    per = max(3, int(target / (len(CONTRACT_SECTIONS) * 520)))
    for si, title in enumerate(CONTRACT_SECTIONS, 1):
        out.append("%d. %s" % (si, title.upper()))
        out.append("")
        clauses = [g.para(d, 2, 4) for _ in range(r.randint(max(2, per - 2), per + 2))]
        for k, txt in special.get(title, []):
            clauses.insert(min(k, len(clauses)), txt)
        for ci, txt in enumerate(clauses, 1):
            out.append("%d.%d %s" % (si, ci, txt))
            out.append("")
    return "\n".join(out)


def doc_contract(seed, size):
    g, c = start(seed)
    special = {"Fees and Payment": [(2, "Payment Disputes. The Customer shall notify the Supplier in writing of any disputed invoice within fifteen (15) days of receipt, stating the reasons for the dispute.")],
               "Term and Termination": [(0, "Termination for Cause. Either party may terminate this Agreement with immediate effect by written notice if the other party commits a material breach and fails to remedy it within thirty (30) days of being notified of the breach."),
                                        (1, "Termination for Convenience. The Customer may terminate this Agreement, or any Statement of Work, for convenience by giving the Supplier not less than ninety (90) days' prior written notice."),
                                        (2, "The Supplier may terminate this Agreement for convenience by giving the Customer not less than one hundred and eighty (180) days' prior written notice.")],
               "Notices": [(1, "Notices shall be deemed received two (2) business days after dispatch by courier, or on the next business day if sent by email with confirmation of receipt.")]}
    doc = contract(g, int(size * 0.6), special)
    c.u("Here's the MSA the vendor sent us. Please read it carefully, I'll have questions over the next days.\n\n" + doc)
    c.a("I've read through the agreement. In broad strokes: it's a fairly standard supplier-friendly MSA with services defined per Statement of Work, a liability cap tied to fees, "
        "mutual confidentiality, a data protection section that refers to a separate processing agreement, and termination rights for both cause and convenience. "
        "Happy to go through any clause in detail.")
    c.u("Is the limitation of liability section unusual in any way?")
    c.a("Not unusual in structure: a cap tied to fees paid, with the usual carve-outs. The main point to negotiate is whether data-protection breaches sit under the general cap or a separate, higher one.")
    c.fill_until("data", int(size * 0.8), open_topic=True)
    c.fill_until("hiring", size, open_topic=True)
    c.u("Coming back to the vendor contract I pasted: how much notice do we have to give if we want to terminate for convenience?")
    return case("doc-01-msa-termination", "document", c.m, ["ninety (90) days"],
                "The answer is one clause inside a very long pasted contract that also contains other notice periods (15, 30, 180 days, 2 business days); the assistant's summary does not repeat it.",
                limits={"ninety (90) days": 1})


def doc_api(seed, size):
    g, c = start(seed)
    r = g.r
    d = D["data"]
    res = ["accounts", "contacts", "deals", "invoices", "products", "webhooks", "users", "teams", "files", "notes", "tags", "tasks", "reports", "exports", "events"]
    parts = ["# Orbit CRM REST API v2 - Reference", "", g.para(d, 3, 5), "", "## Authentication", "", g.para(d, 3, 5), ""]
    eps = []
    for rs in res:
        for method, path, verb in [("GET", "/v2/%s" % rs, "List"), ("POST", "/v2/%s" % rs, "Create"), ("GET", "/v2/%s/{id}" % rs, "Retrieve"), ("PATCH", "/v2/%s/{id}" % rs, "Update")]:
            eps.append((method, path, verb, rs))
    bulk_at = len(eps) * 2 // 3
    for i, (method, path, verb, rs) in enumerate(eps):
        if i == bulk_at:
            parts += ["### POST /v2/imports/bulk", "", "Imports up to 5,000 records of one object type per request. Records are validated synchronously and written asynchronously; poll the returned job URL for the result.",
                      "", "| Field | Type | Required | Description |", "|---|---|---|---|", "| object | string | yes | One of accounts, contacts, deals |",
                      "| records | array | yes | Up to 5,000 objects |", "| on_conflict | string | no | skip, update or fail (default: fail) |", "",
                      "Rate limit: 12 requests per minute per organisation. Requests over the limit receive HTTP 429 with a Retry-After header.", ""]
        parts += ["### %s %s" % (method, path), "", "%s %s. %s" % (verb, rs, g.para(d, 2, 4)), "", "| Field | Type | Required | Description |", "|---|---|---|---|"]
        for _ in range(r.randint(2, 6)):
            parts.append("| %s | %s | %s | %s |" % (r.choice(["id", "name", "owner_id", "created_after", "page", "page_size", "status", "currency", "tags", "external_ref"]),
                                                    r.choice(["string", "integer", "boolean", "array", "datetime"]), r.choice(["yes", "no"]), g.sent(d)[:80]))
        parts += ["", "Rate limit: %s requests per minute per token." % r.choice(["60", "300", "600"]), ""]
    doc = "\n".join(parts)
    c.u("I'm pasting the API reference of the CRM we're integrating with. Keep it handy, I'll ask about it while we design the sync.\n\n" + doc)
    c.a("Got it. The API is a conventional REST design: token authentication, list/create/retrieve/update endpoints per object, cursor pagination, per-endpoint rate limits and an asynchronous bulk import. "
        "Ask away whenever you need details.")
    c.fill_until("data", size)
    c.u("According to the spec I pasted, what's the rate limit on the bulk import endpoint, and how many records can one request carry?")
    return case("doc-02-api-rate-limit", "document", c.m, ["12 requests per minute", "5,000 records"],
                "The bulk endpoint is one of 61 endpoint sections, each with its own rate-limit line in the same wording, deep inside a pasted reference followed by a long design discussion.",
                limits={"12 requests per minute": 1})


def doc_transcript(seed, size):
    g, c = start(seed)
    r = g.r
    d = D["meeting"]
    names = ["Aisha", "Greg", "Sofia", "Tomasz", "Leon", "Mira"]
    lines = ["Platform planning - meeting transcript (auto-generated)", "Attendees: Aisha Benali, Greg Whitfield, Sofia Marin, Tomasz Wrona, Leon Brandt, Mira Okafor", ""]
    n = int(size * 0.55 / 190)
    for i in range(n):
        if i == n // 4:
            lines.append("Greg: I can take the customer comms, but I really can't own the migration on top of that.")
        if i == int(n * 0.62):
            lines.append("Tomasz: Fine, I'll take ownership of the migration plan. First draft by 28 February, and I'll circulate it to everyone.")
        if i == int(n * 0.8):
            lines.append("Sofia: I'll follow up with the vendor about the contract renewal, probably by the end of next month.")
        lines.append("%s: %s" % (r.choice(names), " ".join(g.sent(d) for _ in range(r.randint(1, 3)))))
    doc = "\n".join(lines)
    c.u("Here's the transcript from this morning's planning meeting. Can you turn it into a short summary with decisions and open questions?\n\n" + doc)
    c.a("Summary:\n\n- The quarter's scope was debated at length; the group leaned towards a smaller, more finishable plan.\n- Customer communications need to go out before any change.\n"
        "- On-call load was raised repeatedly as a concern.\n- Security should be consulted before committing to dates.\n\nOpen questions: budget line for the test environment, and the vendor contract timeline.")
    c.fill_until("k8s", int(size * 0.85), open_topic=True)
    c.fill_until("fitness", size, open_topic=True)
    c.u("From that transcript: who volunteered to own the migration plan, and by when?")
    return case("doc-03-transcript-owner", "document", c.m, ["I'll take ownership of the migration plan", "28 February"],
                "The volunteer line is one of hundreds in a pasted transcript, the assistant's summary omitted it, and another speaker explicitly declines the same task.",
                limits={"28 February": 1})


def policy_doc(g, version, city_cap, other_cap, target):
    d = D["finance"]
    heads = ["Purpose and scope", "Booking channels", "Air travel", "Rail travel", "Accommodation", "Meals and per diems", "Ground transport", "Client entertainment",
             "Receipts and claims", "Approvals", "Exceptions"]
    out = ["ACME GROUP TRAVEL & EXPENSE POLICY - %s" % version, ""]
    per = max(1, int(target / (len(heads) * 700)))
    for i, h in enumerate(heads, 1):
        out += ["%d. %s" % (i, h), ""]
        for _ in range(per):
            out += [g.para(d, 3, 5), ""]
        if h == "Accommodation":
            out += ["Hotel accommodation in Munich, Frankfurt and Hamburg is reimbursed up to %s; in all other cities up to %s. Breakfast is included in these caps." % (city_cap, other_cap), ""]
        if h == "Meals and per diems":
            out += ["The daily meal allowance for domestic trips is EUR 28, or EUR 14 if breakfast and one main meal are provided.", ""]
    return "\n".join(out)


def doc_policy(seed, size):
    g, c = start(seed)
    v1 = policy_doc(g, "version 2023-1", "EUR 165 per night", "EUR 120 per night", int(size * 0.3))
    c.u("Here's our travel policy so you can help me plan trips that stay within it:\n\n" + v1)
    c.a("Thanks, I've read it. The key constraints: book through the approved channels, economy for flights under six hours, rail preferred for short domestic trips, "
        "city-dependent hotel caps, per diems for meals, and manager approval above the caps. I'll keep these in mind.")
    c.fill_until("travel", int(size * 0.45))
    v2 = policy_doc(g, "version 2024-2", "EUR 185 per night", "EUR 130 per night", int(size * 0.3))
    c.u("HR just sent an updated version; it replaces the old one from today. Please use this one from now on:\n\n" + v2)
    c.a("Understood, I'll use the 2024-2 version from now on. The structure is the same; some of the caps have changed.")
    c.fill_until("travel", size)
    c.u("Under the current travel policy, what's the nightly hotel cap for a trip to Munich?")
    return case("doc-04-policy-versions", "document", c.m, ["EUR 185 per night"],
                "Two long, nearly identical policy versions are pasted; only the later one is current, and the assistant acknowledgements don't restate the numbers.",
                forbidden=["EUR 165 per night"], limits={"EUR 185 per night": 1})


# ---- multi-fact -------------------------------------------------------------

def mf_budget(seed, size):
    g, c = start(seed)
    c.u("I'm getting a small business website built. My total budget for the whole project is $4,200, and that's firm. Where should I start?")
    c.a(g.assistant(D["marketing"]))
    c.fill_until("marketing", int(size * 0.55))
    c.fill_until("finance", int(size * 0.8), open_topic=True)
    c.u("The agency sent their packages. Can you summarise the Pro one for me? Here's their text: 'Pro: custom design, up to 12 pages, CMS, basic SEO, two revision rounds. "
        "Price 3,850 USD. One-time setup and onboarding 390 USD. Hosting billed separately.'")
    c.a("Summary of the Pro package: custom design, up to 12 pages, a CMS, basic SEO and two revision rounds. The Pro package is $3,850, plus a one-time setup fee of $390; hosting is extra.")
    c.fill_until("marketing", size)
    c.u("So can I afford the Pro package including setup within my budget?")
    return case("multi-01-budget-vs-quote", "multi_fact", c.m, ["$4,200", "$3,850", "$390"],
                "The budget is stated in the first message, the prices much later; answering needs both distant messages and simple arithmetic.",
                limits={"$4,200": 1})


def mf_seats(seed, size):
    g, c = start(seed)
    c.open_topic("hiring", switch=False)
    c.u("Context for later: with the two new hires we're 23 people on the team now, all of whom will need accounts in whatever tools we pick.")
    c.a("Noted. Twenty-plus seats is usually where vendors start offering volume discounts, so it's worth asking.")
    c.fill_until("hiring", int(size * 0.5))
    c.fill_until("k8s", int(size * 0.75), open_topic=True)
    c.u("The documentation tool vendor replied: 'Our Team plan is EUR 18 per seat per month, billed annually, minimum 10 seats. SSO is included.'")
    c.a("That's a competitive price for a plan that includes SSO. Billed annually means you pay the full year up front.")
    c.fill_until("k8s", size)
    c.u("What would the annual cost come to for the whole team on that plan?")
    return case("multi-02-seats-price", "multi_fact", c.m, ["23 people", "EUR 18 per seat"],
                "Head-count and unit price come from two user messages far apart; neither assistant reply restates the numbers.",
                limits={"23 people": 1})


def mf_venue(seed, size):
    g, c = start(seed)
    c.u("I'm planning a surprise party for my mum. Her 70th birthday is on 9 August, a Saturday. Around 40 guests, somewhere in the countryside near Munich.")
    c.a(g.assistant(D["events"]))
    c.fill_until("events", int(size * 0.4))
    c.fill_until("cooking", int(size * 0.65), open_topic=True)
    c.u("I emailed four venues about August. Can you summarise what came back?")
    c.a("Here's the availability from the replies: Gut Steinbach is free on 9 August and 16 August; Villa Rosenhang only on 23 August; Landhaus Seeblick is fully booked in August; "
        "Hofgut Aumühle can do 16 or 30 August but only for up to 30 guests.")
    c.fill_until("events", size)
    c.u("Which venue works for a party on her actual birthday?")
    return case("multi-03-birthday-venue", "multi_fact", c.m, ["birthday is on 9 August", "Gut Steinbach is free on 9 August"],
                "The date is in the opening message and the availability list comes much later; the list alone does not say which date is the birthday.",
                limits={"birthday is on 9 August": 1})


def mf_hosts(seed, size):
    g, c = start(seed)
    c.open_topic("k8s", switch=False)
    c.u("The first audit report flagged db-eu-3 for an outdated kernel. Let's remember that for the maintenance window.")
    c.a("Noted. Kernel updates on database hosts need a planned failover; schedule it in a low-traffic window and make sure replicas are healthy first.")
    c.fill_until("k8s", int(size * 0.55))
    c.u("The second audit report just came in: cache-us-7 also needs the kernel patch.")
    c.a("Thanks. A cache host is simpler: drain it from the pool, patch, reboot, and warm the cache before putting it back.")
    c.fill_until("marketing", size, open_topic=True)
    c.u("List all the hosts that need the kernel patch and draft the maintenance notice.")
    return case("multi-04-two-hosts", "multi_fact", c.m, ["db-eu-3", "cache-us-7"],
                "The two hosts are reported in separate user turns far apart; keeping only the recent one gives an incomplete list.",
                limits={"db-eu-3": 1, "cache-us-7": 1})


def mf_connection(seed, size):
    g, c = start(seed)
    c.open_topic("travel", switch=False)
    c.u("Can you check my booking? Flight LX 1074 from Berlin to Zurich on 3 June.")
    c.a("Your flight LX 1074 departs Berlin at 13:05 and lands in Zurich at 14:35 (Terminal 1; it is a Schengen flight, so there is no passport control).")
    c.fill_until("travel", int(size * 0.6))
    c.u("For the onward leg: the train to Lucerne I'm eyeing leaves the airport station at 15:10.")
    c.a("Good to know. The airport station is directly under the terminal, so it's a short walk once you're landside.")
    c.fill_until("fitness", size, open_topic=True)
    c.u("Is that enough time to make it, including getting my checked bag?")
    return case("multi-05-flight-train", "multi_fact", c.m, ["14:35", "15:10"],
                "Arrival time is in an early assistant answer, departure time in a later user turn; the final question names neither.",
                limits={"14:35": 1, "15:10": 1})


# ---- chat -------------------------------------------------------------------

def chat_books(seed, size):
    g, c = start(seed)
    c.fill_turns("cooking", 3, chit=0.4)
    c.fill_until("gardening", int(size * 0.3), chit=0.4, open_topic=True)
    c.u("Random question: I want to read more fiction this year. Any novels you'd recommend? I liked Station Eleven.")
    c.a("If you liked Station Eleven, three I'd suggest: The Overstory by Richard Powers (trees, people and time, beautifully written), Piranesi by Susanna Clarke "
        "(short, strange and luminous), and A Gentleman in Moscow by Amor Towles (warm, funny, and quietly moving).")
    c.u("Ooh, nice, thanks!")
    c.a("Enjoy! Happy to suggest more once you've tried one.")
    c.fill_until("gardening", int(size * 0.7), chit=0.5)
    c.fill_until("cooking", size, chit=0.5, open_topic=True)
    c.u("I'm at the bookshop right now! What were those three novels you recommended a while back?")
    return case("chat-01-book-list", "chat", c.m, ["The Overstory", "Piranesi", "A Gentleman in Moscow"],
                "A casual recommendation mid-conversation among lots of chit-chat; all three titles must survive, and nothing else in the conversation refers to books.")


def chat_checklist(seed, size):
    g, c = start(seed)
    c.fill_until("cooking", int(size * 0.5), chit=0.5, open_topic=False)
    c.fill_until("gardening", size - 1500, chit=0.5, open_topic=True)
    c.u("I want a weekly cleaning routine that doesn't take over my Saturday. Ideas?")
    c.a("Spread it over the week in 15-minute blocks: Monday, wipe kitchen surfaces and the hob; Tuesday, vacuum the main rooms; Wednesday, clean the bathroom sink and mirror; "
        "Thursday, descale the kettle with citric acid every other week and clean the microwave; Friday, change the bed linen; and once a month, "
        "wash the shower curtain liner on a gentle cycle with a towel in the drum.")
    c.u("Can you turn that into a short checklist I can stick on the fridge?")
    return case("chat-02-last-answer", "chat", c.m, ["citric acid", "shower curtain liner"],
                "Easy recency case: the final question refers to the immediately preceding assistant answer, which must be kept intact despite a long chatty history.")


def chat_focaccia(seed, size):
    g, c = start(seed)
    c.open_topic("cooking", switch=False)
    c.u("Okay, I'm making focaccia for the first time today. Give me the short version of the method?")
    c.a("Short version: mix 500 g flour, 400 g water, 10 g salt, 5 g yeast; rest 30 minutes; do four sets of stretch-and-folds over two hours; move into an oiled tray, "
        "let it rise until puffy, dimple with oiled fingers, top with flaky salt and rosemary, then bake at 220°C for 25 minutes until deep golden.")
    c.fill_until("cooking", int(size * 0.4), chit=0.6)
    c.fill_until("travel", size, chit=0.6, open_topic=True)
    c.u("Dough's ready! How hot and how long did you say to bake it?")
    return case("chat-03-bake-time", "chat", c.m, ["220°C for 25 minutes"],
                "The instruction is at the end of one early answer; the rest is chit-chat and travel talk, so a pruner that keeps only recent turns loses it.")


# ---- tool calls in OLD turns ---------------------------------------------------

def ht_balance(seed, size):
    g, c = start(seed, "You are a personal finance assistant connected to the user's bank via read-only tools. Be careful with exact figures.")
    A = Agent(c)
    c.u("Can you check the balances on my savings and current accounts?")
    A.step([("get_balance", {"account": "savings"}, json.dumps({"account": "savings ****8812", "balance": "EUR 12,904.17", "as_of": "2024-10-08T08:00:00Z", "interest_rate": "2.25%"})),
            ("get_balance", {"account": "current"}, json.dumps({"account": "current ****0457", "balance": "EUR 1,318.40", "as_of": "2024-10-08T08:00:00Z", "overdraft_limit": "EUR 500.00"}))])
    c.a("Both accounts look healthy: your savings are comfortably above the three-month emergency target we talked about, and the current account covers this month's bills with room to spare.")
    c.fill_until("finance", int(size * 0.7))
    c.fill_until("cooking", size, open_topic=True)
    c.u("What exactly was the savings balance when you checked it earlier? I need the precise number for a form.")
    return case("oldtool-01-balance", "old_tool_result", c.m, ["12,904.17"],
                "The exact figure exists only in an old tool result; the assistant's own reply paraphrased it, so eliding old tool outputs loses the answer.",
                tools=tool_schemas(A.used), limits={"12,904.17": 1})


def ht_parcel(seed, size):
    g, c = start(seed, "You are a shopping assistant with access to the user's orders and parcel tracking.")
    A = Agent(c)
    c.fill_turns("renovation", 2)
    c.u("Where's my parcel from the furniture order?")
    A.one("track_parcel", {"order_ref": "furniture order, 2 October"},
          json.dumps({"carrier": "UPS", "tracking_number": "1Z4F7X20661938004", "status": "Out for delivery", "eta_window": "14:00-18:00",
                      "events": [{"at": "2024-10-0%dT%02d:%02d:00Z" % (3 + i // 3, 6 + 3 * (i % 3), 10 * i % 60), "location": loc, "desc": desc}
                                 for i, (loc, desc) in enumerate([("Venlo, NL", "Origin scan"), ("Venlo, NL", "Departed facility"), ("Cologne, DE", "Arrived at facility"),
                                                                  ("Cologne, DE", "Departed facility"), ("Berlin, DE", "Arrived at facility"), ("Berlin, DE", "Out for delivery")])]}, indent=1))
    c.a("It's out for delivery today with UPS, expected between 14:00 and 18:00.")
    c.fill_until("renovation", size)
    c.u("The courier's on the phone asking for the tracking number of that parcel. What is it?")
    return case("oldtool-02-tracking", "old_tool_result", c.m, ["1Z4F7X20661938004"],
                "The tracking number lives only in a tool result from an earlier turn, which a pruner may treat as stale tool noise.",
                tools=tool_schemas(A.used), limits={"1Z4F7X20661938004": 1})


# ---------------------------------------------------------------------------
# Build, verify, report
# ---------------------------------------------------------------------------

BUILDERS = [
    # (builder, size in characters or None for agent cases)
    (agent_pool, None), (agent_esign, None), (agent_refunds, None), (agent_incident, None), (agent_refactor, None),
    (agent_travel, None), (agent_pipeline, None), (agent_support, None), (agent_security, None), (agent_finance, None),
    (tc_vendor, 90_000), (tc_database, 140_000), (tc_hotel, 200_000), (tc_candidate, 60_000), (tc_paint, 260_000),
    (tc_pricing, 110_000), (tc_framework, 300_000),
    (vf_laptop, 40_000), (vf_insurance, 70_000), (vf_capacity, 30_000), (vf_release, 120_000), (vf_negotiation, 180_000),
    (cor_quantity, 60_000), (cor_date, 100_000), (cor_address, 45_000), (cor_budget, 150_000), (cor_name, 80_000), (cor_pickup, 220_000),
    (pf_allergy, 120_000), (pf_account, 200_000), (pf_deadline, 70_000), (pf_lefthanded, 160_000), (pf_timezone, 280_000),
    (doc_contract, 240_000), (doc_api, 180_000), (doc_transcript, 150_000), (doc_policy, 200_000),
    (mf_budget, 90_000), (mf_seats, 130_000), (mf_venue, 60_000), (mf_hosts, 170_000), (mf_connection, 100_000),
    (chat_books, 50_000), (chat_checklist, 35_000), (chat_focaccia, 80_000),
    (ht_balance, 75_000), (ht_parcel, 120_000),
]

MIN_TOK, MAX_TOK = 5_000, 80_000
AGENT_MIN_TOK, AGENT_MAX_TOK = 8_000, 40_000


def est_tokens(c):
    return clen(c["messages"]) // 4


def limits_ok(c):
    return all(count_in(c["messages"], s) <= n for s, n in c["_limits"].items())


def build_all():
    cases = []
    for i, (fn, size) in enumerate(BUILDERS):
        for attempt in range(60):
            seed = SEED * 1000 + i * 100 + attempt
            c = fn(seed) if size is None else fn(seed, size)
            if limits_ok(c):
                break
        else:
            raise SystemExit("could not satisfy uniqueness limits for %s" % fn.__name__)
        c.pop("_limits")
        cases.append(c)
    return cases


def current_turn_tool_calls(msgs):
    users = [i for i, m in enumerate(msgs) if m["role"] == "user"]
    lo = users[-2] if len(users) >= 2 else 0
    return sum(len(m.get("tool_calls") or []) for m in msgs[lo:-1])


def verify(cases):
    errors = []
    ids = set()
    for c in cases:
        cid, msgs = c["id"], c["messages"]
        e = lambda s: errors.append("%s: %s" % (cid, s))
        if cid in ids:
            e("duplicate id")
        ids.add(cid)
        if set(c) != {"id", "kind", "messages", "tools", "needed", "forbidden_stale", "notes"}:
            e("unexpected keys %s" % sorted(c))
        if msgs[0]["role"] != "system":
            e("first message is not system")
        if msgs[-1]["role"] != "user" or not isinstance(msgs[-1]["content"], str):
            e("last message is not a user message")
        # tool-call pairing
        pending = []
        declared = {t["function"]["name"] for t in c["tools"]}
        seen_ids = set()
        for j, m in enumerate(msgs):
            if m["role"] == "tool":
                if m.get("tool_call_id") not in pending:
                    e("tool message %d answers unknown/closed id %s" % (j, m.get("tool_call_id")))
                else:
                    pending.remove(m["tool_call_id"])
                if not isinstance(m.get("content"), str):
                    e("tool message %d has no string content" % j)
                continue
            if pending:
                e("tool calls %s not answered before message %d" % (pending, j))
                pending = []
            if m["role"] == "assistant" and m.get("tool_calls"):
                for tc in m["tool_calls"]:
                    if tc["id"] in seen_ids:
                        e("tool_call id reused %s" % tc["id"])
                    seen_ids.add(tc["id"])
                    pending.append(tc["id"])
                    if tc["type"] != "function" or tc["function"]["name"] not in declared:
                        e("tool %s not declared in tools" % tc["function"]["name"])
                    json.loads(tc["function"]["arguments"])
            elif m["role"] not in ("system", "user", "assistant"):
                e("bad role %s" % m["role"])
            elif not isinstance(m.get("content"), str):
                e("message %d has no string content" % j)
        if pending:
            e("unanswered tool calls at end")
        final = msgs[-1]["content"]
        for s in c["needed"]:
            if count_in(msgs[1:], s) < 1:
                e("needed %r not present in any non-system, non-final message" % s)
            if s in final:
                e("needed %r appears in the final question" % s)
        for s in c["forbidden_stale"]:
            if s in final:
                e("forbidden %r appears in the final question" % s)
            if s in c["needed"]:
                e("forbidden equals needed")
        tok = est_tokens(c)
        if c["kind"] == "agent":
            n = current_turn_tool_calls(msgs)
            if not 12 <= n <= 20:
                e("agent case has %d tool calls in the current turn" % n)
            if not AGENT_MIN_TOK <= tok <= AGENT_MAX_TOK:
                e("agent case size %d tokens out of range" % tok)
            if not any(m["role"] == "tool" and len(m["content"]) >= 8000 for m in msgs):
                e("agent case has no tool result of several thousand tokens")
        elif not MIN_TOK <= tok <= MAX_TOK:
            e("size %d tokens out of range" % tok)
    kinds = {}
    for c in cases:
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    if len(cases) < 40:
        errors.append("only %d cases" % len(cases))
    if kinds.get("agent", 0) < 8:
        errors.append("fewer than 8 agent cases")
    if kinds.get("topic_change", 0) < 6:
        errors.append("fewer than 6 topic_change cases")
    return errors


def report(cases):
    kinds = {}
    for c in cases:
        kinds.setdefault(c["kind"], []).append(c)
    print("%-16s %5s %12s %12s %14s" % ("kind", "count", "min chars", "max chars", "~tokens range"))
    for k in sorted(kinds):
        sz = [clen(c["messages"]) for c in kinds[k]]
        print("%-16s %5d %12d %12d %7d-%d" % (k, len(sz), min(sz), max(sz), min(sz) // 4, max(sz) // 4))
    allsz = [clen(c["messages"]) for c in cases]
    print("%-16s %5d %12d %12d %7d-%d" % ("TOTAL", len(cases), min(allsz), max(allsz), min(allsz) // 4, max(allsz) // 4))
    print()
    print("agent cases (tool calls in current turn, largest tool result in chars, messages):")
    for c in kinds.get("agent", []):
        big = max(len(m["content"]) for m in c["messages"] if m["role"] == "tool")
        print("  %-30s calls=%2d  largest_result=%6d  msgs=%3d  chars=%6d" % (c["id"], current_turn_tool_calls(c["messages"]), big, len(c["messages"]), clen(c["messages"])))
    print()
    print("needed-substring occurrences (number of non-final messages containing each):")
    for c in cases:
        occ = ", ".join("%r x%d" % (s if len(s) < 40 else s[:37] + "...", count_in(c["messages"], s)) for s in c["needed"])
        print("  %-30s %s" % (c["id"], occ))


def main():
    cases = build_all()
    errors = verify(cases)
    with open(OUT, "w", encoding="utf-8") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    # round-trip check of the written file
    with open(OUT, encoding="utf-8") as f:
        back = [json.loads(line) for line in f]
    if back != cases:
        errors.append("cases.jsonl does not round-trip")
    report(cases)
    print()
    print("wrote %d cases to %s" % (len(cases), OUT))
    if errors:
        print("VERIFICATION FAILED:")
        for e in errors:
            print("  " + e)
        sys.exit(1)
    print("verification OK: needed substrings present (and absent from final questions), tool_call ids paired with tool results, "
          "last message is a user message, sizes in range")


if __name__ == "__main__":
    main()
