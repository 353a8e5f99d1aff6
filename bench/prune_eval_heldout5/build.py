#!/usr/bin/env python3
"""Build bench/prune_eval_heldout5/cases.jsonl: 72 held-out context-pruning cases (12 kinds x 6).

Standard library only and deterministic: every case draws from random.Random("heldout5/<kind>/<n>"),
nothing iterates a set, so the output does not depend on PYTHONHASHSEED.

    python bench/prune_eval_heldout5/build.py          # write cases.jsonl and verify every case
    python bench/prune_eval_heldout5/build.py --check  # rebuild in memory; exit 0 only if byte-identical
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "cases.jsonl"
MIN_TOK, MAX_TOK = 10_000, 50_000

# ----------------------------------------------------------------------------------------------
# Filler vocabularies: hand-written, one entry per domain. {t} topic, {x} another topic of the same
# domain, {n} a small count, {m} a medium count.
# ----------------------------------------------------------------------------------------------
DOMAINS: dict[str, dict[str, list[str]]] = {
    "gardening": {
        "t": ["tomato seedlings", "the raised beds", "the compost heap", "heavy clay soil", "the old apple tree",
              "moss in the lawn", "the dahlias", "the unheated greenhouse", "the courgette plants", "the hedge"],
        "q": ["My {t} look worse every week. What should I check first?",
              "What's a sensible autumn routine for {t}?",
              "Is it worth dealing with {t} now, or should I wait until spring?",
              "A neighbour says I'm overdoing it with {t}. Are they right?",
              "How do I tell if the problem with {t} is water or nutrients?"],
        "s": ["With {t}, the usual culprit is watering: too much in cool weather does more harm than too little.",
              "Push a finger a few centimetres into the soil before you water; if it is still damp, leave it.",
              "A thin layer of mulch keeps moisture even and stops the surface from crusting over.",
              "Yellowing lower leaves usually point to nitrogen, while purple tints suggest the roots are cold.",
              "If you feed {t}, use half the strength on the label and do it every {n} weeks rather than all at once.",
              "Don't prune hard in a wet spell; cuts heal slowly and fungal spores have an easy way in.",
              "Keep a note of what you change, because in the garden cause and effect are often weeks apart.",
              "Rotating where you grow things each year breaks the cycle for most soil-borne pests.",
              "Slugs do most of their damage at night, so a torchlight check after rain tells you a lot.",
              "For {x}, the same principle applies: improve drainage before you reach for any product.",
              "Well-rotted manure dug in over winter will do more for structure than any bag of granules.",
              "Give it {n} or so weeks after a change before you judge it; plants are slow to show a response."],
    },
    "home_repair": {
        "t": ["the dripping kitchen tap", "a squeaky staircase", "the bathroom extractor fan", "cracked grout",
              "a sticking front door", "the radiator that stays cold at the top", "damp in the corner of the bedroom",
              "the loose skirting board", "a tripping fuse", "the gutter that overflows"],
        "q": ["How hard is it to fix {t} myself?", "What tools do I need for {t}?",
              "Should I get someone in for {t}, or is it a weekend job?",
              "I tried fixing {t} and made it worse. What now?",
              "What's the usual cause of {t}?"],
        "s": ["Before touching {t}, switch off the supply and check twice; most accidents are from assumptions.",
              "A cold radiator top usually means trapped air, so bleeding it with a key is the first step.",
              "Damp in a corner is often condensation rather than a leak; open the window after showers for a week and see.",
              "Replace washers and cartridges with the exact part; bring the old one to the shop if you can.",
              "Squeaks in stairs come from treads rubbing on risers, and a couple of screws from below usually cure it.",
              "Take a photo of every step as you dismantle something, because reassembly is where people go wrong.",
              "If {t} keeps coming back, treat it as a symptom and look for what is causing it upstream.",
              "A tripping fuse after you plug something in points at the appliance, not at the circuit.",
              "Buy one more tube of sealant than you think you need; stopping halfway leaves a visible joint.",
              "Wear eye protection even for small jobs; grit and old plaster always find a way.",
              "Doing {x} at the same time saves you moving everything twice.",
              "An electrician or plumber for an hour costs less than repairing a botched attempt."],
    },
    "travel": {
        "t": ["the night train to Vienna", "a week in the Azores", "a rail pass for Japan", "travelling with a toddler",
              "the layover in Doha", "hiking the Cinque Terre", "a road trip through Andalusia", "ferry timetables in Greece",
              "visiting Kyoto in the rainy season", "a long weekend in Ljubljana"],
        "q": ["Is {t} worth it, or is it overrated?", "What should I know before I book {t}?",
              "Any tips for {t} on a tight schedule?", "What do people usually get wrong about {t}?",
              "How far in advance should I plan {t}?"],
        "s": ["For {t}, booking the first leg early matters most; the rest can stay flexible.",
              "Pack one layer warmer than the forecast suggests, especially near the coast in the evenings.",
              "Local transport cards usually pay for themselves within a couple of days.",
              "Leave the first afternoon unplanned; jet lag and late check-ins eat more time than you expect.",
              "Museums are quietest in the first hour after opening and on weekday evenings if they stay open late.",
              "Carry a paper copy of bookings; phones die at exactly the wrong moment.",
              "If {t} is on your list, check whether seat reservations are compulsory, not just recommended.",
              "Eating where office workers eat at lunchtime is the most reliable way to find good cheap food.",
              "Travel insurance that covers cancellation is worth it when much of the trip is non-refundable.",
              "Try combining it with {x}; the connections are easier than they look on a map.",
              "Public holidays change opening times a lot, so look at the local calendar before fixing dates.",
              "Keep about {n} days of slack in a long itinerary; something always takes longer."],
    },
    "personal_finance": {
        "t": ["an emergency fund", "paying off a car loan early", "a workplace pension", "index funds",
              "a fixed-rate mortgage", "budgeting on an irregular income", "credit card balance transfers",
              "saving for a child's education", "a side business's taxes", "switching banks"],
        "q": ["How should I think about {t}?", "Is {t} a good idea at my stage?",
              "What are the traps with {t}?", "My partner and I disagree about {t}. How do we decide?",
              "What's a simple rule of thumb for {t}?"],
        "s": ["The dull answer on {t} is usually the right one: automate it and stop checking daily.",
              "An emergency fund of three to six months of essential spending covers most surprises.",
              "Pay attention to fees; a one percent annual charge compounds into a surprisingly large sum.",
              "Write down what you actually spent last month before you set any budget at all.",
              "Paying off high-interest debt is a guaranteed return, which no investment can promise.",
              "If your employer matches contributions, take the full match before anything else.",
              "Balance transfer deals end, so put a reminder in your calendar for the month before they do.",
              "Irregular income works best with a buffer account that pays you a steady monthly salary.",
              "For {t}, the decision is as much about sleep at night as about the spreadsheet.",
              "Compare {x} on the total cost over the full term, not on the monthly figure.",
              "Keep the money for short-term goals out of the stock market; volatility is the enemy there.",
              "Review it once every {n} months, not every week; frequent tinkering rarely helps."],
    },
    "devops": {
        "t": ["the CI pipeline", "our Kubernetes ingress", "a flaky integration test", "log retention",
              "the staging database", "blue-green deployments", "Terraform state", "container image size",
              "alert fatigue", "the on-call rotation"],
        "q": ["What's a good way to clean up {t}?", "Why does {t} keep causing trouble?",
              "How would you structure {t} for a team of eight?", "What metrics should we watch for {t}?",
              "Is there a quick win for {t} this sprint?"],
        "s": ["Start with {t} by measuring it for a week; gut feeling about bottlenecks is usually wrong.",
              "Cache dependency downloads between runs; it is the cheapest speed-up in most pipelines.",
              "A flaky test is a bug in either the test or the code, and quarantining it is not fixing it.",
              "Alert only on symptoms users feel, and send everything else to a dashboard.",
              "Keep Terraform state remote and locked; two people applying at once is how outages start.",
              "Multi-stage builds and a slim base image often cut image size by more than half.",
              "Write the runbook while the incident is fresh, even if it is three bullet points.",
              "Rotate on-call weekly with a clear handover note; long stints burn people out quickly.",
              "If {t} is slow, profile before you parallelise; the critical path is often a single step.",
              "Tie {x} into the same review so the changes do not fight each other.",
              "Staging that drifts from production is worse than no staging, because it gives false confidence.",
              "Roll out to a small slice first and watch error rates for {n} minutes before widening."],
    },
    "cooking": {
        "t": ["sourdough starter", "a slow-cooked beef ragu", "crispy roast potatoes", "homemade stock",
              "weeknight stir-fries", "a lemon tart", "fresh pasta", "pickled vegetables", "curry from scratch",
              "batch cooking for the week"],
        "q": ["What's the trick to {t}?", "I keep messing up {t}. What am I doing wrong?",
              "Can I make {t} ahead of time?", "How do I scale {t} for a bigger group?",
              "What equipment really matters for {t}?"],
        "s": ["With {t}, patience with the heat matters more than any secret ingredient.",
              "Salt early in layers rather than all at the end; the flavour goes deeper.",
              "A heavy pan holds its temperature when the food goes in, which is what gives you colour.",
              "Let meat rest for as long as you cooked the last stage; the juices settle back in.",
              "Parboil potatoes, rough them up in the colander and get the fat very hot before they go in.",
              "Taste as you go; a squeeze of acid at the end often fixes a dish that feels flat.",
              "Most stews and sauces taste better on day two, so making {t} ahead is a gift to yourself.",
              "Weigh flour rather than measuring by cup; it is the single biggest fix for baking.",
              "For stir-fries, have everything chopped before the wok goes on; it moves too fast to catch up.",
              "If you try {x} next, the same timing principles carry over.",
              "Freeze in flat bags so portions defrost quickly and stack neatly.",
              "Give the dough {n} minutes of rest whenever it fights back; gluten relaxes on its own."],
    },
    "fitness": {
        "t": ["a couch-to-5k plan", "knee pain when squatting", "rest days", "protein intake", "a home gym setup",
              "swimming technique", "marathon training", "lower back stiffness", "strength training after forty",
              "stretching before runs"],
        "q": ["How should I approach {t}?", "Is {t} something I should worry about?",
              "What's a realistic timeline for {t}?", "My friend swears by something else for {t}. Who's right?",
              "What's the minimum effective dose for {t}?"],
        "s": ["For {t}, consistency beats intensity; three modest sessions a week outdo one heroic one.",
              "Increase weekly running distance by about ten percent at most.",
              "Pain that is sharp or gets worse during a session means stop; dull soreness the next day is normal.",
              "Sleep is the recovery tool most people neglect, and it costs nothing.",
              "A few adjustable dumbbells and a bench cover most of what a home gym needs.",
              "Film yourself from the side once; form problems are obvious on video and invisible in the moment.",
              "Dynamic warm-ups before a run do more than long static stretches.",
              "If {t} flares up, reduce load rather than stopping entirely, unless a professional says otherwise.",
              "Protein spread over the day is easier to hit than one huge serving.",
              "Pair it with {x} on alternate days so the same muscles are not working twice in a row.",
              "Track one or two numbers only; too many metrics turn training into a chore.",
              "Take a lighter week every {n} weeks; progress tends to show up after it."],
    },
    "parenting": {
        "t": ["bedtime battles", "screen time rules", "a picky eater", "starting nursery", "sibling fights",
              "homework resistance", "pocket money", "a toddler's tantrums", "teenagers and phones", "potty training"],
        "q": ["How do other families handle {t}?", "We're at our wits' end with {t}. Ideas?",
              "Is {t} normal at this age?", "How consistent do we really need to be about {t}?",
              "What should we stop doing about {t}?"],
        "s": ["With {t}, a predictable routine does more than any single clever trick.",
              "Offer two acceptable choices instead of an open question; it gives control without chaos.",
              "Name the feeling before you address the behaviour; it often takes the heat out of the moment.",
              "Agree the rule with your partner in private first, so children cannot play one of you off the other.",
              "Children copy what they see, so our own phone habits are part of the lesson.",
              "Praise effort and specific actions rather than saying they are clever.",
              "Expect a rough patch of {n} or so days whenever you change a routine; it usually settles.",
              "For {t}, calm and boring consequences work better than dramatic ones.",
              "A visual chart helps younger children who cannot yet read the clock.",
              "If {x} is also going on, tackle one thing at a time.",
              "Keep connection time that is not about rules, even ten minutes a day.",
              "Speak to the nursery or school so everyone gives the same message."],
    },
    "car": {
        "t": ["a warning light on the dashboard", "winter tyres", "a battery that keeps going flat", "brake squeal",
              "an overdue service", "a rattle from the exhaust", "buying a used hybrid", "poor fuel economy",
              "the air conditioning blowing warm", "a leaking windscreen seal"],
        "q": ["What could be behind {t}?", "Is {t} urgent or can it wait a few weeks?",
              "How much should {t} cost to sort out?", "Can I check {t} myself before taking it in?",
              "The garage wants to replace a lot for {t}. Is that normal?"],
        "s": ["With {t}, a cheap code reader will tell you more than guessing from the symbol alone.",
              "An amber light usually means get it checked soon; red means stop when it is safe.",
              "Short journeys never fully charge a battery, so a weekly longer drive can help a lot.",
              "Brake squeal on the first stops of a damp morning is often surface rust and goes away.",
              "Tyre pressure affects fuel economy and grip; check it monthly when the tyres are cold.",
              "Ask the garage to show you the worn part; reputable ones are happy to.",
              "For a used hybrid, the service history matters more than the mileage.",
              "A rattle that changes with engine speed is different from one that changes with road speed.",
              "If {t} appeared after other work, go back to the same garage first.",
              "Deal with {x} in the same visit if the labour overlaps.",
              "Get a second quote for anything over a few hundred; prices vary widely.",
              "Keep receipts for every job; they add value when you sell."],
    },
    "photography": {
        "t": ["shooting in low light", "a first prime lens", "editing RAW files", "portraits by a window",
              "long exposures at the coast", "street photography", "backing up photos", "autofocus modes",
              "wildlife at dawn", "printing large"],
        "q": ["What settings work for {t}?", "How do I get better at {t}?",
              "Is new gear the answer for {t}?", "What's the common beginner mistake with {t}?",
              "How do pros approach {t}?"],
        "s": ["For {t}, light matters more than the camera; look at where it falls before you raise the camera.",
              "Raise ISO before you drop the shutter speed too low; noise is easier to fix than blur.",
              "A fifty millimetre prime is inexpensive and teaches you to move your feet.",
              "Shoot RAW if you edit; it keeps far more room to recover highlights.",
              "Window light from the side gives shape to a face; a white card fills the shadows.",
              "Keep three copies of photos on two kinds of media, with one stored away from home.",
              "Continuous autofocus with a small tracking area handles most moving subjects.",
              "For {t}, arrive early and stay after the obvious shot; the best frame is often later.",
              "Print a test strip before committing to a large print; screens lie about brightness.",
              "The lessons from {x} carry straight over.",
              "Limit yourself to one lens for a week; constraints build skill.",
              "Review your keepers and ask why they work; it trains the eye faster than new tutorials."],
    },
    "small_business": {
        "t": ["late-paying clients", "pricing a new service", "hiring the first employee", "bookkeeping software",
              "a cash flow gap in winter", "VAT registration", "a business bank account", "writing proposals",
              "a quiet sales month", "choosing an accountant"],
        "q": ["How should a small shop handle {t}?", "What's a sensible first step with {t}?",
              "I've been putting off {t}. How bad is that?", "What do experienced owners say about {t}?",
              "Any template or process for {t}?"],
        "s": ["With {t}, writing the process down once saves arguments later.",
              "Send invoices the day the work is done, with the payment terms in bold.",
              "A polite reminder at seven days and a phone call at fourteen recovers most late payments.",
              "Price on the value to the client, then sanity-check against your hours.",
              "Keep business and personal money in separate accounts from the first day.",
              "A rolling thirteen-week cash forecast shows gaps early enough to act.",
              "Quiet months are the time to follow up with old clients, not to cut prices.",
              "For {t}, talk to two or three owners a step ahead of you; they remember the traps.",
              "A good accountant pays for themselves by spotting what you did not know to claim.",
              "Handle {x} in the same planning session so the numbers agree.",
              "Deposits of a third up front filter out the clients who would pay late anyway.",
              "Review the numbers every {n} weeks with a coffee and no distractions."],
    },
    "pets": {
        "t": ["a rescue dog's anxiety", "an older cat drinking more water", "house-training a puppy",
              "introducing a second cat", "a dog that pulls on the lead", "pet insurance", "a rabbit's diet",
              "fleas that keep coming back", "travelling with a dog", "nail trimming"],
        "q": ["Any advice on {t}?", "Should I see the vet about {t}?", "How long does {t} usually take?",
              "What mistakes do owners make with {t}?", "Is {t} something I can work on at home?"],
        "s": ["With {t}, go slowly; animals learn through many short, calm repetitions.",
              "Drinking a lot more water in an older cat is worth a vet visit; kidneys and thyroid are common causes.",
              "Reward the behaviour you want within a second or two, or the link is lost.",
              "Introduce a new cat by scent first, swapping bedding for a few days before they meet.",
              "Stop walking when the lead goes tight and move on when it slackens; boring but effective.",
              "Fleas live mostly in the home, so treating soft furnishings matters as much as the animal.",
              "Rabbits need hay as the bulk of their diet, with pellets as a small extra.",
              "For {t}, a consistent routine lowers stress for everyone in the house.",
              "Trim a little at a time and stop before the quick, with treats throughout.",
              "The approach for {x} is similar, just with smaller steps.",
              "Read the exclusions before buying insurance; pre-existing conditions are the usual surprise.",
              "Expect progress in weeks, not days, and write down small wins."],
    },
    "history": {
        "t": ["the Hanseatic League", "medieval guilds", "the building of the Suez Canal", "Roman roads in Britain",
              "the printing press", "the Little Ice Age", "the Silk Road", "early railways", "the Dutch tulip mania",
              "Byzantine trade"],
        "q": ["Why was {t} such a big deal?", "What's a good book on {t}?", "How do historians argue about {t}?",
              "Is the popular story of {t} accurate?", "What did ordinary people experience during {t}?"],
        "s": ["Historians debate {t} mostly over how much it changed daily life versus the lives of elites.",
              "Popular accounts tend to compress decades into a single dramatic moment.",
              "Trade networks spread ideas and diseases as effectively as goods.",
              "Primary sources from the period are patchy, so much depends on tax records and letters.",
              "Climate shifts affected harvests, which rippled through prices and politics.",
              "Local records often contradict the national story in interesting ways.",
              "For {t}, look at who wrote the surviving accounts and what they wanted readers to think.",
              "The technology mattered less than the institutions that grew up around it.",
              "Recent archaeology has revised several older assumptions.",
              "Comparing it with {x} shows how similar pressures produced different outcomes.",
              "Ordinary people show up mostly in court cases and parish registers.",
              "A good survey book and one focused case study make a fine pair to start with."],
    },
    "data_engineering": {
        "t": ["a nightly ETL job", "late-arriving events", "the data warehouse costs", "schema changes upstream",
              "deduplicating customer records", "a slow dashboard query", "partitioning a big table",
              "data quality checks", "moving from cron to an orchestrator", "CDC from the main database"],
        "q": ["How would you redesign {t}?", "What's the standard pattern for {t}?",
              "We're fighting {t} every week. Where do we start?", "What breaks first with {t} at scale?",
              "Is there tooling that helps with {t}?"],
        "s": ["For {t}, make every step idempotent so a rerun never doubles anything.",
              "Partition by the column you filter on most, usually the event date.",
              "Late events need a watermark and a reprocessing window, not a one-off fix.",
              "Contract tests on upstream schemas catch breaking changes before the nightly run does.",
              "Materialise expensive joins once and let dashboards read the result.",
              "Row-count and null-rate checks catch most data quality problems cheaply.",
              "An orchestrator pays off when you have dependencies between jobs, not before.",
              "For {t}, log the input and output counts of every stage; it makes debugging fast.",
              "Deduplication needs a clear rule about which record wins, written down and agreed.",
              "Doing {x} first would make this much simpler.",
              "Warehouse costs usually come from a few queries; find them before buying a bigger plan.",
              "Backfill in small batches of {n} days so failures stay cheap to retry."],
    },
    "music": {
        "t": ["practising scales", "learning a new piece by ear", "stage nerves", "a second-hand upright piano",
              "home recording", "guitar string buzz", "sight-reading", "joining a choir", "metronome practice",
              "teaching a child violin"],
        "q": ["How do I make progress with {t}?", "Is there a better way to approach {t}?",
              "How long until {t} feels easier?", "What do teachers say about {t}?",
              "What gear, if any, helps with {t}?"],
        "s": ["With {t}, short daily practice beats a long session at the weekend.",
              "Slow down until it is clean, then raise the tempo a few clicks at a time.",
              "Record yourself; you will hear things you miss while playing.",
              "Nerves drop when the first minute of the piece is rehearsed until it is automatic.",
              "Have a second-hand piano checked by a technician before buying; repairs can cost more than the instrument.",
              "String buzz usually comes from fret height or technique, not the strings themselves.",
              "Sight-read something easy every day; the skill grows with volume, not difficulty.",
              "For {t}, break the hard bars out and practise them in isolation.",
              "A choir is one of the best ways to train your ear and timing.",
              "The work you do on {x} will help here as well.",
              "Practise the transitions between sections, which is where most slips happen.",
              "Give it {n} weeks of steady work before deciding whether a method suits you."],
    },
    "insurance_claims": {
        "t": ["a water damage claim", "a rejected travel claim", "the excess on home insurance", "a car write-off valuation",
              "a contents claim after a burglary", "a loss adjuster visit", "proving the value of jewellery",
              "a claim that has dragged on for months", "storm damage to a fence", "a phone dropped abroad"],
        "q": ["How do I make the strongest case for {t}?", "What should I expect with {t}?",
              "Is it worth challenging {t}?", "What paperwork matters for {t}?",
              "How long does {t} normally take?"],
        "s": ["For {t}, photographs with dates and a written timeline carry a lot of weight.",
              "Read the policy wording for the exact definition they use; it is often narrower than you expect.",
              "Keep a log of every call with the date, the name and what was said.",
              "You can ask for the reasons for a rejection in writing and quote the clause they relied on.",
              "Independent valuations help where the insurer's figure seems low.",
              "Do not throw away damaged items until the adjuster has seen them or said you can.",
              "If {t} stalls, a formal complaint starts a clock the insurer has to respect.",
              "Receipts are best, but bank statements and photos of you with items also help.",
              "Ask whether making the claim affects your no-claims discount before you commit.",
              "The same evidence approach applies to {x}.",
              "Be factual and calm in writing; it makes an escalation easier later.",
              "After {n} weeks without progress, escalate politely and in writing."],
    },
}
DOMAIN_NAMES = list(DOMAINS)

OPENERS = ["", "", "Good question. ", "Short answer first, then the detail. ", "Happy to help with that. ",
           "That's a common one. ", "Let's break it down. ", "Right, a few thoughts. ", "It depends a bit, but broadly: "]
CLOSERS = ["", "", "Hope that helps; tell me how it goes.", "If you share a bit more detail I can be more specific.",
           "Happy to go deeper on any of those.", "Let me know which of these fits your situation.",
           "Shout if anything there is unclear."]
USER_CONTEXT = ["For context, I've been at this for about {n} weeks.", "I'm a complete beginner here.",
                "We tried the obvious things already.", "Budget is tight, so cheap options first please.",
                "I have maybe an hour a day for this.", "This came up again over the weekend.",
                "My partner thinks I'm overthinking it.", "I read a few forum threads and got confused."]
SMALL_TALK_U = ["Morning! Bit of a slow start today, the coffee machine at work is broken again.",
                "Sorry for the gap, the kids had a school concert last night and it ran late.",
                "Ha, that made me laugh. Anyway, the weather here has finally turned, proper autumn now.",
                "I've been binge-watching a Danish crime series, which is not helping my sleep.",
                "We finally repainted the hallway this weekend. Green. Bold choice, I know.",
                "My brother came over for dinner and we argued about football for two hours.",
                "Back from a walk by the river, there were herons everywhere today.",
                "Quick break between meetings, I've had six back to back and my brain is soup.",
                "The cat knocked a plant off the windowsill at 5am, so I'm running on very little sleep.",
                "I started a pottery class on Tuesdays. My first bowl looks like an ashtray.",
                "Our street had a power cut last night, candles and board games, weirdly nice.",
                "I tried that bakery you'd like, the one with the cardamom buns. Dangerous.",
                "Just got back from the dentist, so excuse any typos, my face is numb.",
                "The neighbours are having their roof redone, the hammering starts at seven."]
SMALL_TALK_A = ["That sounds like a day! I hope the rest of it is calmer.",
                "Ha, fair enough. Those evenings can be the best ones, even if they run late.",
                "Autumn light is lovely, even if the mornings get harder.",
                "Good series are dangerous for bedtimes, no question.",
                "Green hallways are having a moment, honestly. Enjoy it.",
                "Nothing like a good-natured football argument over dinner.",
                "Herons are brilliant to watch; they stand so still and then strike so fast.",
                "Six in a row is brutal. Take a few minutes away from the screen if you can.",
                "Cats have a gift for timing. I hope you can catch up on sleep tonight.",
                "Everyone's first bowl looks like that; it's a rite of passage.",
                "Power cuts do have a certain charm when nobody is in a hurry.",
                "Cardamom buns are a serious weakness for a lot of people.",
                "Hope the numbness wears off soon, and nothing too dramatic was done.",
                "Seven is early for hammering. At least it should be over quickly."]


def _fill(rng: random.Random, tpl: str, dom: dict[str, list[str]], topic: str) -> str:
    other = rng.choice([t for t in dom["t"] if t != topic])
    return tpl.format(t=topic, x=other, n=rng.randint(2, 9), m=rng.randint(10, 60))


def filler_turn(rng: random.Random, domain: str | None = None, size: str = "m") -> list[dict]:
    """One user question and one assistant answer in a random domain."""
    dname = domain or rng.choice(DOMAIN_NAMES)
    dom = DOMAINS[dname]
    topic = rng.choice(dom["t"])
    q = _fill(rng, rng.choice(dom["q"]), dom, topic)
    if rng.random() < 0.5:
        q = q + " " + _fill(rng, rng.choice(USER_CONTEXT), dom, topic)
    if rng.random() < 0.15:
        q = rng.choice(SMALL_TALK_U) + " " + q
    nsent = {"s": rng.randint(3, 5), "m": rng.randint(6, 10), "l": rng.randint(10, 14)}[size]
    sents = rng.sample(dom["s"], min(nsent, len(dom["s"])))
    body = [_fill(rng, s, dom, topic) for s in sents]
    paras, i = [], 0
    while i < len(body):
        k = rng.randint(2, 4)
        paras.append(" ".join(body[i:i + k]))
        i += k
    if rng.random() < 0.35 and len(paras) > 1:
        steps = rng.sample(dom["s"], 3)
        paras.insert(1, "\n".join(f"{j + 1}. {_fill(rng, s, dom, topic)}" for j, s in enumerate(steps)))
    ans = rng.choice(OPENERS) + "\n\n".join(paras)
    close = rng.choice(CLOSERS)
    if close:
        ans += "\n\n" + close
    return [{"role": "user", "content": q}, {"role": "assistant", "content": ans}]


def small_talk_turn(rng: random.Random) -> list[dict]:
    i = rng.randrange(len(SMALL_TALK_U))
    return [{"role": "user", "content": SMALL_TALK_U[i]}, {"role": "assistant", "content": SMALL_TALK_A[i]}]


def msg_chars(m: dict) -> int:
    n = len(m.get("content") or "")
    for c in m.get("tool_calls") or []:
        n += len(c["function"]["arguments"])
    return n


def est_tokens(msgs: list[dict]) -> int:
    return sum(msg_chars(m) for m in msgs) // 4


def filler_turns(rng: random.Random, chars: int, small_talk: float = 0.0) -> list[list[dict]]:
    turns, total = [], 0
    while total < chars:
        t = small_talk_turn(rng) if rng.random() < small_talk else filler_turn(rng, size=rng.choice("sml"))
        turns.append(t)
        total += sum(msg_chars(m) for m in t)
    return turns


def assemble(rng: random.Random, system: str, blocks: list[tuple[float, list[dict]]], final: str,
             target_tokens: int, small_talk: float = 0.0) -> list[dict]:
    """Place each key block at a fraction of the filler conversation and end with the final question."""
    key_chars = sum(msg_chars(m) for _, b in blocks for m in b) + len(system) + len(final)
    need = max(0, target_tokens * 4 - key_chars)
    turns = filler_turns(rng, need, small_talk)
    out: list[dict] = [{"role": "system", "content": system}]
    placed = sorted(((int(round(f * len(turns))), j, b) for j, (f, b) in enumerate(blocks)), key=lambda x: (x[0], x[1]))
    pi = 0
    for i in range(len(turns) + 1):
        while pi < len(placed) and placed[pi][0] == i:
            out.extend(placed[pi][2])
            pi += 1
        if i < len(turns):
            out.extend(turns[i])
    out.append({"role": "user", "content": final})
    return out


SYSTEMS = ["You are a helpful assistant. Answer clearly and concisely.",
           "You are Juniper, a friendly general-purpose assistant for a consumer app. Be practical and warm.",
           "You are an assistant embedded in a productivity tool. Prefer short, direct answers with concrete steps.",
           "You are a knowledgeable assistant. When you are unsure, say so. Use plain language.",
           "You are a careful assistant for a small company's internal helpdesk. Keep answers factual."]


def system_prompt(rng: random.Random) -> str:
    return rng.choice(SYSTEMS)


# ----------------------------------------------------------------------------------------------
# Document generators (contracts, logs, reports, minutes, e-mail threads, source files, tables)
# ----------------------------------------------------------------------------------------------
LEGAL_HEADINGS = ["Definitions", "Scope of Services", "Term", "Fees and Payment", "Invoicing", "Confidentiality",
                  "Data Protection", "Intellectual Property", "Warranties", "Limitation of Liability", "Indemnity",
                  "Insurance", "Subcontracting", "Change Control", "Service Levels", "Force Majeure", "Termination",
                  "Consequences of Termination", "Dispute Resolution", "Notices", "Assignment", "Audit Rights",
                  "Non-Solicitation", "Governing Law", "Entire Agreement", "Maintenance and Repairs", "Use of Premises",
                  "Alterations", "Access", "Utilities", "Keys and Security"]
LEGAL_SENT = ["The {a} shall perform its obligations under this Agreement with reasonable skill, care and diligence.",
              "Nothing in this clause shall limit the {b}'s rights under any other provision of this Agreement.",
              "Each party shall notify the other in writing without undue delay upon becoming aware of any breach.",
              "The {a} shall maintain complete and accurate records relating to the matters set out in this clause.",
              "Any variation of this Agreement shall be valid only if it is in writing and signed by both parties.",
              "The {b} may, acting reasonably, request such information as it requires to verify compliance.",
              "Where the {a} fails to remedy a material breach within the cure period, the {b} may give notice.",
              "All amounts stated are exclusive of value added tax, which shall be payable in addition where applicable.",
              "The obligations in this clause shall survive the expiry or termination of this Agreement.",
              "Neither party shall be liable for any indirect or consequential loss arising under this Agreement.",
              "The {a} shall comply with all applicable laws, regulations and codes of practice.",
              "The {b} shall provide the {a} with access to such personnel and facilities as are reasonably required.",
              "Notices shall be deemed received on the second Business Day after posting, or on delivery if by hand.",
              "Each party warrants that it has full capacity and authority to enter into this Agreement.",
              "The {a} shall not, without prior written consent, disclose any Confidential Information to a third party.",
              "Disputes shall first be referred to the respective account managers, who shall meet within ten Business Days.",
              "Time for payment shall not be of the essence, save where expressly stated otherwise.",
              "The {a} shall ensure that its subcontractors are bound by obligations equivalent to those in this clause."]


def contract(rng: random.Random, parties: tuple[str, str], key_clause: str, chars: int, frac: float) -> str:
    a, b = parties
    heads = LEGAL_HEADINGS[:]
    rng.shuffle(heads)
    secs, total = [], 0
    n = 0
    while total < chars:
        head = heads[n % len(heads)] + ("" if n < len(heads) else " (continued)")
        n += 1
        sub = []
        for k in range(1, rng.randint(3, 7)):
            sents = " ".join(s.format(a=a, b=b) for s in rng.sample(LEGAL_SENT, rng.randint(2, 4)))
            sub.append(f"{n}.{k} {sents}")
        text = f"{n}. {head.upper()}\n" + "\n".join(sub)
        secs.append(text)
        total += len(text)
    at = max(1, min(len(secs) - 1, int(len(secs) * frac)))
    secs.insert(at, key_clause.format(n=at + 1))
    return "\n\n".join(secs)


LOG_SERVICES = ["api-gateway", "auth-svc", "orders-worker-2", "search-indexer", "billing-cron", "cdn-edge-7",
                "notifier", "inventory-sync", "session-store", "report-builder"]
LOG_MSGS = ["request completed status=200 path=/v2/orders latency_ms={m}", "cache miss key=user:{k} fallback=db",
            "retrying upstream call attempt={n} reason=timeout", "health check ok uptime_s={k}",
            "queue depth={m} consumers={n}", "token refreshed subject=svc-{k}", "GC pause {n}.{m}ms heap=71%",
            "slow query took {k}ms table=line_items", "connection pool size={m} idle={n}",
            "published event=order.updated partition={n} offset={k}", "rate limit near threshold client=c{k}",
            "request completed status=404 path=/v2/products/{k} latency_ms={n}",
            "scheduled job started name=nightly-rollup", "scheduled job finished name=nightly-rollup rows={k}",
            "TLS handshake ok peer=10.4.{n}.{m}", "worker heartbeat id=w{n} lag_ms={m}"]


def log_lines(rng: random.Random, day: str, start_h: int, chars: int, key_line: str, frac: float) -> str:
    lines, total, sec = [], 0, start_h * 3600
    while total < chars:
        sec += rng.randint(1, 9)
        h, mi, s = (sec // 3600) % 24, (sec // 60) % 60, sec % 60
        lvl = rng.choices(["INFO", "DEBUG", "WARN", "ERROR"], [70, 18, 10, 2])[0]
        msg = rng.choice(LOG_MSGS).format(n=rng.randint(1, 9), m=rng.randint(10, 99), k=rng.randint(1000, 99999))
        if lvl == "ERROR":
            msg = rng.choice(["upstream returned 502 path=/v2/cart", "timeout talking to search after 3000ms",
                              "failed to send webhook id=wh{0} will retry".format(rng.randint(100, 999))])
        line = f"{day}T{h:02d}:{mi:02d}:{s:02d}Z {lvl:<5} {rng.choice(LOG_SERVICES)} {msg}"
        lines.append(line)
        total += len(line) + 1
    lines.insert(int(len(lines) * frac), key_line)
    return "\n".join(lines)


REPORT_SENT = ["Demand in {r} softened through the middle of the period before recovering in the final weeks.",
               "Operating costs in {r} were broadly flat, with savings in logistics offset by higher wages.",
               "Customer retention in {r} improved, helped by the revised onboarding programme.",
               "Management expects conditions in {r} to remain competitive for the remainder of the year.",
               "Headcount in {r} was stable, with two senior hires in the commercial team.",
               "The pipeline in {r} is weighted towards larger contracts that close later in the year.",
               "Currency movements had a modest negative effect on reported figures for {r}.",
               "Investment in {r} focused on warehouse automation and the new pricing engine.",
               "Returns rates in {r} fell slightly after the packaging change in the spring.",
               "The team in {r} completed the migration to the shared finance platform on schedule.",
               "Marketing spend in {r} was rebalanced away from print towards search and partnerships.",
               "Supplier lead times in {r} shortened as shipping conditions normalised."]
REGIONS = ["the UK and Ireland", "DACH", "Benelux", "Iberia", "France", "Italy", "Central Europe", "the Baltics",
           "North America", "Australia and New Zealand", "the Middle East", "Southeast Asia", "Japan", "Brazil"]


def report(rng: random.Random, title: str, chars: int, key_para: str, frac: float, regions: list[str]) -> str:
    paras, total = [f"{title}\n" + "=" * len(title)], 0
    i = 0
    while total < chars:
        r = regions[i % len(regions)]
        i += 1
        head = f"{i}. Segment review: {r}" if rng.random() < 0.5 else f"{i}. Notes on {r}"
        body = " ".join(s.format(r=r) for s in rng.sample(REPORT_SENT, rng.randint(4, 7)))
        paras.append(head + "\n" + body)
        total += len(head) + len(body)
    paras.insert(max(1, int(len(paras) * frac)), key_para)
    return "\n\n".join(paras)


NAMES = ["Priya Raman", "Tomasz Wójcik", "Helen Achterberg", "Kwame Mensah", "Lucía Ferrer", "Daniel Okafor",
         "Sofie Lindqvist", "Marcus Bell", "Aiko Tanaka", "Rafael Costa", "Ines Moreau", "Oliver Grant",
         "Fatima Zahra", "Jonas Keller", "Niamh Byrne", "Chen Wei"]
EMAIL_SENT = ["Thanks for pulling this together so quickly.", "Looping in the team so everyone has the same picture.",
              "I've attached the latest draft; comments welcome by end of week.",
              "Can we confirm the owner for each action before the call?", "Apologies for the slow reply, I was travelling.",
              "Finance have asked for a short summary they can forward.", "Let's keep this thread for logistics only.",
              "I spoke to the supplier this morning and they were positive.", "Happy with the direction, minor edits inline.",
              "One concern: the timeline looks tight if legal review takes the usual two weeks.",
              "Agreed, let's go with that unless anyone objects today.", "I'll update the tracker after this.",
              "Noted. I'll flag it at the Monday stand-up.", "Could you resend the file? The link has expired.",
              "We should also tell the warehouse team, they were asking.", "Good catch, I've corrected the figures in the sheet."]


def email_body(rng: random.Random, n: int) -> str:
    return " ".join(rng.sample(EMAIL_SENT, n))


def email_thread(rng: random.Random, subject: str, key_body: str, key_depth: int, total: int) -> str:
    """Newest first, each older message quoted one level deeper; the key message sits key_depth levels down."""
    people = rng.sample(NAMES, 5)
    msgs = []
    for i in range(total):
        who = people[i % len(people)]
        body = key_body if i == key_depth else "\n\n".join(email_body(rng, rng.randint(2, 4)) for _ in range(rng.randint(1, 3)))
        day = 20 - i
        msgs.append((who, f"{day} Feb 2026 at {8 + i % 9:02d}:{(i * 17) % 60:02d}", body))
    out = []
    for depth, (who, when, body) in enumerate(msgs):
        q = "> " * depth
        first = who.split()[0].lower()
        head = f"On {when}, {who} <{first}@{subject.split()[0].lower()}-partners.example> wrote:" if depth else f"From: {who}\nSubject: Re: {subject}"
        block = [q.rstrip() + (" " if q else "") + head] if depth else [head, ""]
        for line in (body + f"\n\n{who.split()[0]}").split("\n"):
            block.append((q + line).rstrip())
        out.append("\n".join(block))
    return "\n\n".join(out)


# --- source code --------------------------------------------------------------------------------
PY_VERBS = ["load", "parse", "build", "validate", "render", "fetch", "merge", "normalise", "flush", "resolve",
            "compute", "sync", "encode", "collect", "prune", "schedule"]
PY_NOUNS = ["order", "invoice", "payload", "session", "manifest", "batch", "ledger", "profile", "route", "snapshot",
            "receipt", "channel", "quota", "report", "token", "shipment"]
PY_BODIES = ["    if not {a}:\n        return None",
             "    result = []\n    for item in {a}:\n        if item.get(\"status\") != \"skipped\":\n            result.append(item)",
             "    log.debug(\"%s: %d items\", \"{f}\", len({a}))",
             "    key = f\"{{{a}.get('id')}}:{{{a}.get('version', 0)}}\"",
             "    try:\n        value = _client.get({a})\n    except ClientError as exc:\n        log.warning(\"{f} failed: %s\", exc)\n        raise",
             "    total = sum(x.amount for x in {a} if x.amount is not None)",
             "    with _lock:\n        _cache[{a}] = time.monotonic()",
             "    if len({a}) > _MAX_ITEMS:\n        {a} = {a}[-_MAX_ITEMS:]",
             "    out = {{k: v for k, v in {a}.items() if v is not None}}",
             "    assert isinstance({a}, (list, tuple)), type({a})"]


def py_function(rng: random.Random) -> str:
    f = f"{rng.choice(PY_VERBS)}_{rng.choice(PY_NOUNS)}"
    a = rng.choice(PY_NOUNS) + "s"
    lines = [f"def {f}({a}, *, strict=False):", f'    """{f.replace("_", " ").capitalize()} for the given {a}."""']
    for b in rng.sample(PY_BODIES, rng.randint(2, 5)):
        lines.append(b.format(a=a, f=f))
    lines.append(f"    return {rng.choice(['result', 'out', 'total', a, 'key'])}" if rng.random() < 0.8 else "    return None")
    return "\n".join(lines)


def python_module(rng: random.Random, name: str, key: str, chars: int, frac: float) -> str:
    head = [f'"""{name}: helpers for the {rng.choice(PY_NOUNS)} service."""', "from __future__ import annotations", "",
            "import logging", "import threading", "import time", "", "from .client import ClientError, _client", "",
            "log = logging.getLogger(__name__)", "_lock = threading.Lock()", "_cache: dict = {}", "_MAX_ITEMS = 500", ""]
    funcs, total = [], 0
    while total < chars:
        fn = py_function(rng)
        funcs.append(fn)
        total += len(fn)
    funcs.insert(int(len(funcs) * frac), key)
    return "\n".join(head) + "\n\n" + "\n\n\n".join(funcs) + "\n"


JS_BODIES = ["  if (!{a}) return null;", "  const out = {a}.filter((x) => x.active);", "  logger.info(`{f} ${{{a}.length}}`);",
             "  const res = await fetch(`${{BASE}}/{f}`, {{ method: 'POST', body: JSON.stringify({a}) }});",
             "  if (!res.ok) throw new Error(`{f} failed: ${{res.status}}`);", "  cache.set({a}.id, Date.now());",
             "  const total = {a}.reduce((s, x) => s + (x.amount || 0), 0);", "  for (const item of {a}) queue.push(item);"]


def js_module(rng: random.Random, key: str, chars: int, frac: float) -> str:
    head = ["import { logger } from './logger.js';", "import { queue } from './queue.js';", "",
            "const BASE = process.env.API_BASE || 'http://localhost:8080';", "const cache = new Map();", ""]
    funcs, total = [], 0
    while total < chars:
        f = rng.choice(PY_VERBS) + rng.choice(PY_NOUNS).capitalize()
        a = rng.choice(PY_NOUNS) + "s"
        body = [b.format(a=a, f=f) for b in rng.sample(JS_BODIES, rng.randint(2, 5))]
        fn = f"export async function {f}({a}) {{\n" + "\n".join(body) + f"\n  return {a};\n}}"
        funcs.append(fn)
        total += len(fn)
    funcs.insert(int(len(funcs) * frac), key)
    return "\n".join(head) + "\n" + "\n\n".join(funcs) + "\n"


GO_BODIES = ["\tif {a} == nil {{\n\t\treturn nil, errNil\n\t}}", "\tlog.Printf(\"{f}: %d\", len({a}))",
             "\tctx, cancel := context.WithTimeout(ctx, requestTimeout)\n\tdefer cancel()",
             "\tfor _, it := range {a} {{\n\t\tif it.Done {{\n\t\t\tcontinue\n\t\t}}\n\t\tout = append(out, it)\n\t}}",
             "\tmu.Lock()\n\tseen[{a}[0].ID] = true\n\tmu.Unlock()",
             "\tif err := store.Save(ctx, {a}); err != nil {{\n\t\treturn nil, fmt.Errorf(\"{f}: %w\", err)\n\t}}"]


def go_file(rng: random.Random, key: str, chars: int, frac: float) -> str:
    head = ["package session", "", "import (", "\t\"context\"", "\t\"errors\"", "\t\"fmt\"", "\t\"log\"", "\t\"sync\"", "\t\"time\"", ")", "",
            "var (", "\terrNil = errors.New(\"nil input\")", "\tmu     sync.Mutex", "\tseen   = map[string]bool{}", ")", "",
            "const requestTimeout = 4 * time.Second", ""]
    funcs, total = [], 0
    while total < chars:
        f = rng.choice(PY_VERBS).capitalize() + rng.choice(PY_NOUNS).capitalize()
        a = rng.choice(PY_NOUNS) + "s"
        body = [b.format(a=a, f=f) for b in rng.sample(GO_BODIES, rng.randint(2, 4))]
        fn = f"func {f}(ctx context.Context, {a} []Item) ([]Item, error) {{\n\tvar out []Item\n" + "\n".join(body) + "\n\treturn out, nil\n}"
        funcs.append(fn)
        total += len(fn)
    funcs.insert(int(len(funcs) * frac), key)
    return "\n".join(head) + "\n" + "\n\n".join(funcs) + "\n"


RS_BODIES = ["    if {a}.is_empty() {{\n        return Err(Error::Empty);\n    }}",
             "    let total: u64 = {a}.iter().map(|x| x.amount).sum();", "    tracing::debug!(count = {a}.len(), \"{f}\");",
             "    let mut out = Vec::with_capacity({a}.len());\n    for it in {a} {{\n        out.push(it.clone());\n    }}",
             "    let guard = self.state.lock().await;\n    drop(guard);"]


def rust_file(rng: random.Random, key: str, chars: int, frac: float) -> str:
    head = ["use std::time::Duration;", "", "use crate::error::Error;", "use crate::model::Item;", ""]
    funcs, total = [], 0
    while total < chars:
        f = f"{rng.choice(PY_VERBS)}_{rng.choice(PY_NOUNS)}"
        a = rng.choice(PY_NOUNS) + "s"
        body = [b.format(a=a, f=f) for b in rng.sample(RS_BODIES, rng.randint(2, 4))]
        fn = f"pub async fn {f}(&self, {a}: &[Item]) -> Result<usize, Error> {{\n" + "\n".join(body) + f"\n    Ok({a}.len())\n}}"
        funcs.append(fn)
        total += len(fn)
    funcs.insert(int(len(funcs) * frac), key)
    return "\n".join(head) + "\n" + "\n\n".join(funcs) + "\n"


def code_review_reply(rng: random.Random) -> str:
    pts = ["The error handling is mostly consistent, though a couple of functions swallow exceptions silently.",
           "Several helpers take a `strict` flag that is never read; consider removing it.",
           "The module-level cache has no eviction, so memory grows with the number of distinct keys.",
           "Logging at debug level inside tight loops may be costly once it is switched on in production.",
           "Naming is clear overall; a few functions could be split so each does one thing.",
           "Tests around the network calls would make future refactors much safer.",
           "The lock is held only briefly, which is good; just make sure nothing slow runs under it.",
           "Some return values differ in type between branches, which will confuse callers."]
    return "Thanks for sharing it. Overall it reads well. A few observations:\n\n" + "\n".join(
        f"- {p}" for p in rng.sample(pts, rng.randint(3, 6))) + "\n\nWant me to draft a refactor of any of these?"


# ----------------------------------------------------------------------------------------------
# Kind builders. Each returns (messages, needed, forbidden_stale, notes, tools, paraphrased).
# ----------------------------------------------------------------------------------------------
def target(rng: random.Random) -> int:
    return rng.randint(10_800, 47_500)


def ack(rng: random.Random, what: str) -> str:
    return rng.choice([f"Got it, I've read through the {what}. What would you like to know?",
                       f"Thanks, that's the full {what}. I can summarise it or answer specific questions.",
                       f"I have the {what}. It's long, so tell me which part matters most to you.",
                       f"Received. The {what} looks complete. Ask away."])


def k_longdoc(rng: random.Random, n: int):
    tgt = target(rng)
    doc_chars = int(tgt * 4 * rng.uniform(0.35, 0.6))
    frac = rng.uniform(0.4, 0.6)
    if n == 0:
        fee = f"£{rng.randint(31, 79)},{rng.randint(100, 999)}"
        key = f"{{n}}. EARLY TERMINATION\n{{n}}.1 If the Client terminates for convenience before the end of the Initial Term, it shall pay the Supplier an early termination fee of {fee}, payable within thirty days of the termination date.\n{{n}}.2 The fee in clause {{n}}.1 is a genuine pre-estimate of the Supplier's loss."
        doc = contract(rng, ("Supplier", "Client"), key, doc_chars, frac)
        intro = "Here's the managed services agreement Bramwell Logistics sent over. Can you keep it handy while we talk it through?\n\n"
        final, needed, para, note = "If we decide to walk away from the Bramwell deal partway through, how much would we owe them?", [fee], True, "contract; termination fee clause in the middle"
    elif n == 1:
        batch = f"B-{rng.randint(70000, 79999)}"
        line = f"2026-03-14T02:{rng.randint(10, 59)}:{rng.randint(10, 59)}Z ERROR ledger-reconciler reconciliation aborted: checksum mismatch in batch={batch} (rows=18211)"
        doc = log_lines(rng, "2026-03-14", 0, doc_chars, line, frac)
        intro = "Overnight logs from the payments cluster, pasted raw. Something broke around 2am.\n\n```\n"
        doc += "\n```"
        final, needed, para, note = "Which batch did the reconciliation job fall over on?", [f"batch={batch}"], True, "server log; the one failing line sits mid-log"
    elif n == 2:
        fig = f"€{rng.randint(11, 19)}.{rng.randint(1, 9)} million"
        key = f"{{n}}. Segment review: the Nordics\nNet revenue in the Nordics came to {fig} for the quarter, driven by the public-sector framework win in Sweden. Margins held despite freight costs."
        doc = report(rng, "Q3 Trading Update — Halvorsen Group", doc_chars, key.replace("{n}", "7"), frac, REGIONS)
        intro = "Pasting our Q3 trading update below. I'll have questions for the board prep.\n\n"
        final, needed, para, note = "What did the Scandinavian business bring in over Q3, per that update?", [fig], True, "quarterly report; the region figure in the middle, question says Scandinavian for Nordics"
    elif n == 3:
        dep = f"${rng.randint(4, 9)},{rng.randint(100, 999)}.00"
        key = f"{{n}}. SECURITY DEPOSIT\n{{n}}.1 On signing, the Tenant shall pay the Landlord a security deposit of {dep}, to be held in a protected scheme.\n{{n}}.2 The deposit shall be returned within fourteen days of the end of the tenancy, less any sums properly deducted."
        doc = contract(rng, ("Tenant", "Landlord"), key, doc_chars, frac)
        intro = "This is the lease for the flat on Carrow Road. Long, sorry. Can you help me understand what I'm signing?\n\n"
        final, needed, para, note = "How much money do I have to hand over up front as a bond when I sign the Carrow Road lease?", [dep], True, "residential lease; deposit clause mid-document, asked as 'bond'"
    elif n == 4:
        mins = rng.randint(38, 97)
        key = f"Impact summary\nCustomers could not complete checkout for {mins} minutes between the bad config push and the rollback. Roughly one in five sessions saw errors during that window."
        doc = report(rng, "Post-incident review: checkout outage, 9 October", doc_chars, key, frac, ["the checkout service", "the payments gateway", "the config pipeline", "on-call response", "customer support", "the status page"])
        intro = "Draft post-incident review below. I need to brief the exec team tomorrow.\n\n"
        final, needed, para, note = "How long were people unable to pay during the outage?", [f"checkout for {mins} minutes"], True, "post-incident review; the duration is in one paragraph in the middle"
    else:
        amt = f"${rng.randint(2, 8)}.{rng.randint(1, 9)}M"
        key = f"Item 6 — Capital plan\nThe board approved a capital budget of {amt} for the Dunmore plant upgrade, subject to two supplier quotes. Ms Achterberg abstained."
        doc = report(rng, "Minutes of the Board Meeting, 12 November", doc_chars, key, frac, ["finance", "operations", "health and safety", "the Dunmore plant", "people and culture", "risk and audit"])
        intro = "Board minutes from last week, pasted so you have them.\n\n"
        final, needed, para, note = "What spending ceiling did the board sign off for the plant upgrade?", [amt], True, "board minutes; the approved capital budget in item 6"
    pos = rng.uniform(0.05, 0.35)
    blocks = [(pos, [{"role": "user", "content": intro + doc}, {"role": "assistant", "content": ack(rng, "document")}])]
    msgs = assemble(rng, system_prompt(rng), blocks, final, tgt)
    return msgs, needed, [], note, None, para


def k_source(rng: random.Random, n: int):
    tgt = target(rng)
    code_chars = int(tgt * 4 * rng.uniform(0.3, 0.55))
    frac = rng.uniform(0.3, 0.7)
    if n == 0:
        v = rng.choice([650, 750, 850, 1250])
        key = f"BACKOFF_MS = {v}\nMAX_ATTEMPTS = 4\n\n\ndef with_retry(fn, *args):\n    for attempt in range(MAX_ATTEMPTS):\n        try:\n            return fn(*args)\n        except ClientError:\n            time.sleep(BACKOFF_MS / 1000 * (attempt + 1))\n    raise RuntimeError(\"gave up\")"
        code, lang = python_module(rng, "retry_utils", key, code_chars, frac), "python"
        final, needed = "How long does the client pause before trying a failed request again, going by that file?", [f"BACKOFF_MS = {v}"]
    elif n == 1:
        v = rng.choice([26214400, 15728640, 52428800])
        key = f"const MAX_UPLOAD_BYTES = {v};\n\nexport function checkUpload(file) {{\n  if (file.size > MAX_UPLOAD_BYTES) {{\n    throw new Error('file too large');\n  }}\n  return true;\n}}"
        code, lang = js_module(rng, key, code_chars, frac), "javascript"
        final, needed = "What's the biggest attachment a user can send through that uploader?", [f"MAX_UPLOAD_BYTES = {v}"]
    elif n == 2:
        v = rng.choice([45, 35, 90])
        key = f"// sessionTTL is how long an idle session survives.\nconst sessionTTL = {v} * time.Minute\n\nfunc Expired(s Session, now time.Time) bool {{\n\treturn now.Sub(s.LastSeen) > sessionTTL\n}}"
        code, lang = go_file(rng, key, code_chars, frac), "go"
        final, needed = "After how much inactivity does someone get logged out in that Go package?", [f"sessionTTL = {v} * time.Minute"]
    elif n == 3:
        v = rng.choice(["0.085", "0.065", "0.115"])
        key = f"def apply_loyalty_discount(total, rate={v}):\n    \"\"\"Members get a flat percentage off the basket total.\"\"\"\n    if total <= 0:\n        return total\n    return round(total * (1 - rate), 2)"
        code, lang = python_module(rng, "pricing", key, code_chars, frac), "python"
        final, needed = "What percentage off do loyalty members get if the caller doesn't pass anything special?", [f"rate={v}"]
    elif n == 4:
        v = rng.choice([37, 29, 48])
        key = f"/// Upper bound on open database connections per worker.\npub const MAX_DB_CONNECTIONS: usize = {v};\n\npub fn pool_config() -> PoolConfig {{\n    PoolConfig::new(MAX_DB_CONNECTIONS, Duration::from_secs(30))\n}}"
        code, lang = rust_file(rng, key, code_chars, frac), "rust"
        final, needed = "How many connections to Postgres can each worker hold open at once in that crate?", [f"MAX_DB_CONNECTIONS: usize = {v}"]
    else:
        v = rng.choice([21, 19, 25])
        key = f"def is_eligible_for_rental(customer):\n    \"\"\"Company policy for who may rent a van.\"\"\"\n    if customer.licence_points > 6:\n        return False\n    return customer.age >= {v} and customer.licence_years >= 2"
        code, lang = python_module(rng, "eligibility", key, code_chars, frac), "python"
        final, needed = "How old does someone have to be before that code lets them hire a van?", [f"customer.age >= {v}"]
    intro = rng.choice(["Can you review this module? Be blunt.", "Here's the file I mentioned. Take a look before we discuss the bug.",
                        "Pasting the whole thing so you have context."])
    blocks = [(rng.uniform(0.05, 0.4), [{"role": "user", "content": f"{intro}\n\n```{lang}\n{code}```"},
                                        {"role": "assistant", "content": code_review_reply(rng)}])]
    msgs = assemble(rng, system_prompt(rng), blocks, final, tgt)
    return msgs, needed, [], f"pasted {lang} source; question names the behaviour, code names the constant", None, True


def k_quoted(rng: random.Random, n: int):
    tgt = target(rng)
    scen = [
        ("Container booking MSKU", lambda: f"sails from Rotterdam on {rng.randint(3, 27)} March", "When is our container actually leaving the port, according to the forwarder's thread?"),
        ("Offsite venue", lambda: f"we've held Room {rng.randint(2, 9)}{rng.choice('ABCDE')}-Hollis for both days", "Which meeting room did the venue keep aside for us?"),
        ("Purchase order for lab centrifuge", lambda: f"PO number is PO-{rng.randint(200000, 299999)}", "What reference do I need to quote on the centrifuge invoice?"),
        ("Agreed rate for the translation work", lambda: f"we can do it at {rng.randint(9, 18)} cents per word", "What per-word price did the translators agree to?"),
        ("Wedding photographer", lambda: f"arrive at {rng.randint(1, 3)}:{rng.choice(['15', '45'])}pm for the getting-ready shots", "What time is the photographer turning up on the day?"),
        ("Server migration window", lambda: f"freeze starts Saturday 0{rng.randint(1, 5)}:00 UTC", "When does the change freeze kick in for the migration?"),
    ][n]
    subject, fact_fn, final = scen
    fact = fact_fn()
    key_body = f"{email_body(rng, 2)} Quick confirmation on the main point: {fact}. {email_body(rng, 2)}"
    depth = rng.randint(2, 5)
    thread = email_thread(rng, subject, key_body, depth, depth + rng.randint(2, 5))
    paste = f"Forwarding this thread so you have the background; skim it, most of it is noise.\n\n---------- Forwarded ----------\n{thread}"
    blocks = [(rng.uniform(0.1, 0.45), [{"role": "user", "content": paste},
                                        {"role": "assistant", "content": "Thanks, I've read the thread. It's mostly coordination, with a couple of concrete commitments buried in the older replies. What do you need from it?"}])]
    msgs = assemble(rng, system_prompt(rng), blocks, final, tgt)
    return msgs, [fact], [], f"pasted e-mail thread; the fact is {depth} quote levels deep", None, True


TOOLS = [
    {"type": "function", "function": {"name": "read_file", "description": "Read a file from the workspace.",
                                      "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}}},
    {"type": "function", "function": {"name": "grep", "description": "Search the workspace for a pattern.",
                                      "parameters": {"type": "object", "properties": {"pattern": {"type": "string"}, "path": {"type": "string"}}, "required": ["pattern"]}}},
    {"type": "function", "function": {"name": "run_shell", "description": "Run a shell command and return its output.",
                                      "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}, "required": ["cmd"]}}},
    {"type": "function", "function": {"name": "query_db", "description": "Run a read-only SQL query.",
                                      "parameters": {"type": "object", "properties": {"sql": {"type": "string"}}, "required": ["sql"]}}},
]


def tool_output(rng: random.Random, name: str, chars: int) -> tuple[dict, str]:
    if name == "read_file":
        path = f"src/{rng.choice(PY_NOUNS)}/{rng.choice(PY_VERBS)}_{rng.choice(PY_NOUNS)}.py"
        return {"path": path}, python_module(rng, path, py_function(rng), chars, 0.5)
    if name == "grep":
        pat = rng.choice(PY_VERBS) + "_" + rng.choice(PY_NOUNS)
        lines, total = [], 0
        while total < chars:
            ln = f"src/{rng.choice(PY_NOUNS)}/{rng.choice(PY_NOUNS)}.py:{rng.randint(10, 900)}:    {pat}({rng.choice(PY_NOUNS)}s, strict={rng.choice(['True', 'False'])})"
            lines.append(ln)
            total += len(ln)
        return {"pattern": pat}, "\n".join(lines)
    if name == "run_shell":
        cmd = rng.choice(["pytest -q tests/unit", "git log --oneline -n 40", "docker compose ps", "journalctl -u worker -n 200"])
        return {"cmd": cmd}, log_lines(rng, "2026-05-02", 9, chars, f"exit status {rng.randint(0, 1)}", 1.0)
    tbl = rng.choice(["orders", "invoices", "shipments", "customers"])
    rows = []
    total = 0
    while total < chars:
        r = json.dumps({"id": rng.randint(10000, 99999), "status": rng.choice(["open", "paid", "void", "late"]),
                        "amount": round(rng.uniform(5, 900), 2), "region": rng.choice(["north", "south", "east", "west"])})
        rows.append(r)
        total += len(r)
    return {"sql": f"SELECT * FROM {tbl} WHERE updated_at > now() - interval '1 day' LIMIT {len(rows)}"}, "\n".join(rows)


AGENT_SCEN = [
    ("Fix the failing integration tests in the orders service.", "read_file", {"path": ".env.test"},
     lambda r: f"APP_ENV=test\nDB_HOST=localhost\nDB_PORT={r.randint(6000, 6999)}\nREDIS_URL=redis://localhost:6379/3\nLOG_LEVEL=debug\n",
     "DB_PORT=", "Hang on, before you change anything else: which port was the test database set to in the env file you opened first?", "DB_PORT=5432"),
    ("Find out why customer 48213 was charged twice and draft a reply.", "query_db", {"sql": "SELECT * FROM customers WHERE id = 48213"},
     lambda r: json.dumps({"id": 48213, "name": "Ostrava Tools s.r.o.", "account_tier": r.choice(["platinum-legacy", "gold-annual", "partner-net30"]), "billing_day": r.randint(2, 27)}),
     "account_tier", "Quick one: what plan is that customer on? I want to mention it in the reply.", None),
    ("Check whether our partner API limits will be a problem for the bulk sync.", "run_shell", {"cmd": "curl -sI https://partner.example/api/v3/items"},
     lambda r: f"HTTP/2 200\ncontent-type: application/json\nx-ratelimit-limit: {r.choice([1800, 2400, 900])}\nx-ratelimit-remaining: 1799\nx-ratelimit-reset: 3600\nvia: 1.1 edge\n",
     "x-ratelimit-limit:", "So what's the hourly allowance the partner API gave us in those response headers?", None),
    ("Work out where the invoice totals go wrong by a cent.", "grep", {"pattern": "ROUNDING"},
     lambda r: f"src/billing/invoice.py:212:TAX_ROUNDING = '{r.choice(['half-even', 'half-down', 'ceiling'])}'\nsrc/billing/README.md:40:Rounding is configured in invoice.py\n",
     "TAX_ROUNDING =", "Remind me, what rounding mode is billing configured with? You found it right at the start.", None),
    ("The database server is slow; investigate disk and queries.", "run_shell", {"cmd": "df -h"},
     lambda r: f"Filesystem      Size  Used Avail Use% Mounted on\n/dev/nvme0n1p1   98G   41G   57G  42% /\n/dev/nvme1n1    1.8T  1.7T  {r.randint(60, 140)}G  {r.randint(93, 97)}% /var/lib/postgresql\ntmpfs           16G     0   16G   0% /dev/shm\n",
     "/var/lib/postgresql", "How much free space was left on the Postgres data volume when you first looked?", None),
    ("Upgrade the frontend dependencies and make the build pass.", "read_file", {"path": "package.json"},
     lambda r: json.dumps({"name": "storefront", "private": True, "engines": {"node": r.choice([">=18.17.0", ">=20.9.0", ">=16.20.2"])}, "scripts": {"build": "vite build", "test": "vitest run"}}, indent=2),
     '"node": ', "Which Node versions does the project say it supports? You read it in the first file.", '"node": ">=22.0.0"'),
]


def k_agent(rng: random.Random, n: int):
    tgt = target(rng)
    task, tname, targs, result_fn, marker, final, stale_tpl = AGENT_SCEN[n]
    first = result_fn(rng)
    line = next(ln for ln in first.split("\n") if marker in ln).strip().rstrip(",")
    needed = [line]
    if n == 1:
        needed = ['"account_tier": ' + json.dumps(json.loads(first)["account_tier"])]
    ncalls = rng.randint(10, 25)
    cid = lambda: "call_" + "".join(rng.choice("0123456789abcdef") for _ in range(16))
    per = max(1200, int(tgt * 4 * 0.55 / ncalls))
    loop: list[dict] = [{"role": "user", "content": task}]
    c = cid()
    early = rng.randint(0, 2)
    stale = []
    for i in range(ncalls):
        if i == early:
            calls = [(tname, targs, first)]
        else:
            k = 2 if rng.random() < 0.2 else 1
            calls = []
            for _ in range(k):
                nm = rng.choice(["read_file", "grep", "run_shell", "query_db"])
                a, out = tool_output(rng, nm, rng.randint(per // 2, per * 3 // 2))
                calls.append((nm, a, out))
        if stale_tpl and i == ncalls - 3:
            calls = [("read_file", {"path": "docker/ci.env" if "DB_PORT" in stale_tpl else "tools/legacy/package.json"},
                      f"# other environment\n{stale_tpl}\n")]
            stale = [stale_tpl]
        ids = [cid() for _ in calls]
        text = rng.choice(["", "", "Let me look at that next.", "Checking the related code.", "Now the logs."])
        loop.append({"role": "assistant", "content": text or None, "tool_calls": [
            {"id": d, "type": "function", "function": {"name": nm, "arguments": json.dumps(a)}} for d, (nm, a, _) in zip(ids, calls)]})
        for d, (_, _, out) in zip(ids, calls):
            loop.append({"role": "tool", "tool_call_id": d, "content": out})
    loop.append({"role": "assistant", "content": "I've gathered enough context and I'm about to make the change. One moment."})
    msgs = assemble(rng, system_prompt(rng) + " You can call tools to inspect the workspace.", [(1.0, loop)], final, tgt)
    return msgs, needed, stale, f"agent loop of {ncalls} tool steps in the current turn; the needed result came from step {early + 1}", TOOLS, True


def u(c: str) -> dict:
    return {"role": "user", "content": c}


def a(c: str) -> dict:
    return {"role": "assistant", "content": c}


DECISIONS = [
    ("We need a VPS for the staging environment. Options: Hetzner CX42, a DigitalOcean 8 GB droplet, or an AWS t3.large. Mostly CPU-light, lots of RAM needed, EU data.",
     "I'd go with the Hetzner CX42: best RAM per euro, EU region by default, and staging doesn't need AWS's extras.",
     "Which server did you tell me to pick for staging?", ["AWS t3.large"]),
    ("Three venues for the team offsite: a farmhouse near Ghent, a hotel in Lisbon, or the coworking space in Utrecht. 18 people, two days, some coming from the UK.",
     "My recommendation is the Lisbon hotel: the flights from the UK are direct, it can sleep all eighteen, and the meeting room is included.",
     "Remind me where you suggested we hold the offsite?", ["farmhouse near Ghent"]),
    ("Choosing a database for the analytics side project: Postgres with Timescale, ClickHouse, or DuckDB files on S3. One developer, about 200 million rows a year.",
     "For one developer at that volume, DuckDB on S3 is the pick: no server to run, fast scans, and you can move to ClickHouse later if it grows.",
     "What did you say I should use for the analytics store, and why again?", ["Postgres with Timescale"]),
    ("Buying a family car: a used Skoda Octavia estate, a new Kia Niro hybrid, or a leased VW ID.3. Three kids, long motorway drives twice a year.",
     "I'd lean towards the Kia Niro hybrid at first glance.", "Which car did you end up advising after I told you about the caravan?", []),
    ("Picking a framework for the internal admin tool: Django admin, Retool, or a React app with a small FastAPI backend. Three internal users.",
     "For three internal users I'd start with Django admin.", "So, final answer, which way did you tell us to build the admin tool?", []),
    ("Mortgage options: a 2-year fix at 4.19%, a 5-year fix at 4.39%, or a tracker at base plus 0.6. We might move in about four years.",
     "Given you might move in four years, the 2-year fix makes more sense than locking in for five, as long as the early repayment charges are low.",
     "What mortgage did you recommend for us?", ["tracker at base plus 0.6"]),
]
DECISION_REVISED = {
    3: ("Oh, I forgot: we tow a caravan, about 1,300 kg.", "That changes it. Towing 1,300 kg rules the Niro out; I'd now recommend the Skoda Octavia estate with the 2.0 diesel, which is rated to tow up to 1,600 kg.", "lean towards the Kia Niro hybrid", "recommend the Skoda Octavia estate"),
    4: ("One more thing: the tool has to be usable by the warehouse staff on tablets, about forty of them.", "With forty tablet users, switch my recommendation to Retool: its mobile layouts save you weeks compared with customising Django admin.", "start with Django admin", "switch my recommendation to Retool"),
}


def k_decision(rng: random.Random, n: int):
    tgt = target(rng)
    ask, rec, final, stale = DECISIONS[n]
    blocks = [(rng.uniform(0.05, 0.3), [u(ask + " What would you recommend?"), a(rec + " " + rng.choice(CLOSERS))])]
    if n in DECISION_REVISED:
        more, rec2, old, new = DECISION_REVISED[n]
        blocks.append((rng.uniform(0.35, 0.6), [u(more), a(rec2)]))
        needed, stale = [new], [old]
        note = "assistant revised its recommendation after new information; the question asks for the final pick"
    else:
        needed = [{0: "go with the Hetzner CX42", 1: "recommendation is the Lisbon hotel", 2: "DuckDB on S3 is the pick", 5: "the 2-year fix makes more sense"}[n]]
        note = "assistant's earlier recommendation among options the user listed"
    msgs = assemble(rng, system_prompt(rng), blocks, final, tgt)
    return msgs, needed, stale, note, None, True


CORRECTIONS = [
    ("I'm organising the retirement dinner for our head of department. Current head count is {old} guests.", "Quick correction on the dinner: the final count is {new} guests, a few plus-ones got added.",
     "How many chairs should I ask the restaurant to set out?", lambda r: (r.randint(60, 80), r.randint(81, 99)), "{v} guests"),
    ("My flight to Montreal is AC {old}, I'll need help planning the first day.", "Sorry, wrong booking earlier! My actual flight is AC {new}, the other one was my colleague's.",
     "Which flight should I check the status of on the morning I travel?", lambda r: (r.randint(800, 869), r.randint(870, 899)), "AC {v}"),
    ("The vet said to give Miso {old} mg of the painkiller twice a day.", "Update from the vet: they lowered Miso's dose to {new} mg, same times.",
     "How much medicine does the cat get each time now?", lambda r: (r.randint(12, 20) * 5, r.randint(4, 11) * 5), "{v} mg"),
    ("For the kitchen renovation our budget ceiling is £{old},000.", "We re-did the sums with the bank: the ceiling for the kitchen is now £{new},000, not what I said before.",
     "What's the most we can spend on the kitchen, then?", lambda r: (r.randint(18, 24), r.randint(25, 31)), "£{v},000"),
    ("Please address the parcel to 14 {old} Road, Leeds.", "Correction on the delivery address: it should go to 14 {new} Road, Leeds — my mistake earlier.",
     "Where do I tell the courier to drop the parcel?", lambda r: (r.choice(["Harehills", "Roundhay"]), r.choice(["Headingley", "Chapel Allerton"])), "14 {v} Road"),
    ("The production database is called {old}, I'll need the backup command for it.", "Actually the prod DB was renamed last week: it's {new} now.",
     "Write me the pg_dump command for the production database.", lambda r: (r.choice(["shop_prod", "main_prod"]), r.choice(["shop_prod_v2", "core_live"])), "{v}"),
]


def k_correction(rng: random.Random, n: int):
    tgt = target(rng)
    first, corr, final, vals, fmt = CORRECTIONS[n]
    old, new = vals(rng)
    if n == 5:
        fmt_old, fmt_new = f"called {old}, I'll", f"it's {new} now"
    else:
        fmt_old, fmt_new = fmt.format(v=old), fmt.format(v=new)
    blocks = [(rng.uniform(0.02, 0.25), [u(first.format(old=old)), a("Noted. Let's get started; tell me what you have so far.")]),
              (rng.uniform(0.7, 0.92), [u(corr.format(new=new)), a("Thanks for the correction, I'll use that from now on.")])]
    msgs = assemble(rng, system_prompt(rng), blocks, final, tgt)
    return msgs, [fmt_new], [fmt_old], "late user correction supersedes an earlier value", None, True


VERSION_DOCS = [
    ("supplier SLA", "Priority 1 incidents: response within {v} minutes, 24x7.", "response within {v} minutes", lambda r: r.sample([15, 30, 45, 60], 3),
     "How quickly does the supplier have to respond to a P1 under the agreed SLA?"),
    ("job offer letter", "Base salary: EUR {v} per year, paid monthly.", "EUR {v} per year", lambda r: [f"{x},000" for x in r.sample(range(62, 79), 3)],
     "What salary ended up in the offer?"),
    ("price sheet", "Annual licence, per seat: ${v}", "per seat: ${v}", lambda r: [str(x) for x in r.sample(range(180, 260), 3)],
     "What are we paying per user per year in the signed pricing?"),
    ("conference itinerary", "Keynote rehearsal: Hall {v}, 08:30.", "Hall {v}, 08:30", lambda r: r.sample(["A", "B", "C", "D", "E"], 3),
     "Where do I need to be for the keynote rehearsal?"),
    ("remote work policy", "Staff may work remotely up to {v} days per week.", "up to {v} days per week", lambda r: [str(x) for x in r.sample([2, 3, 4, 5], 3)],
     "How many days a week can people work from home under the policy as it stands?"),
    ("product spec", "Battery: {v} mAh, USB-C charging.", "{v} mAh", lambda r: [str(x) for x in r.sample([3200, 3600, 4100, 4500, 5000], 3)],
     "What battery capacity are we building into the device?"),
]


def doc_version(rng: random.Random, name: str, ver: int, key: str, chars: int) -> str:
    dom = DOMAINS[rng.choice(DOMAIN_NAMES)]
    body = [f"{name.title()} — version {ver}", ""]
    total = 0
    sec = 1
    while total < chars:
        s = " ".join(LEGAL_SENT[i].format(a="Provider", b="Company") for i in rng.sample(range(len(LEGAL_SENT)), 3))
        body.append(f"Section {sec}. {s}")
        sec += 1
        total += len(s)
    body.insert(rng.randint(3, len(body) - 1), f"Section {sec}. {key}")
    del dom
    return "\n".join(body)


def k_versions(rng: random.Random, n: int):
    tgt = target(rng)
    name, line, needle, vals_fn, final = VERSION_DOCS[n]
    vals = vals_fn(rng)
    each = int(tgt * 4 * 0.12)
    blocks = []
    fr = sorted(rng.uniform(0.05, 0.85) for _ in range(3))
    for i, v in enumerate(vals):
        lead = ["Here's the first draft of the {0}.", "The other side sent back a revised {0}, v2 below.", "Final, signed {0} (v3), this one supersedes the others."][i]
        blocks.append((fr[i], [u(lead.format(name) + "\n\n" + doc_version(rng, name, i + 1, line.format(v=v), each)),
                               a(f"Thanks, I have version {i + 1} of the {name}.")]))
    needed = [needle.format(v=vals[2])]
    stale = [needle.format(v=vals[0]), needle.format(v=vals[1])]
    msgs = assemble(rng, system_prompt(rng), blocks, final, tgt)
    return msgs, needed, stale, "three versions of one document; the needed value is only in the latest", None, True


TABLES = [
    (["sku", "name", "warehouse", "on_hand", "reorder_at"], "How many of the Thornbury brass valves are sitting in stock right now?", "Thornbury brass valve", 3),
    (["clinic", "region", "patients_seen", "avg_wait_min"], "What was the average wait at the Oakridge clinic?", "Oakridge", 3),
    (["sensor_id", "site", "max_temp_c", "alarms"], "How many alarms did sensor T-5521 raise?", "T-5521", 3),
    (["flight", "origin", "dest", "dep", "gate"], "Which gate does the Reykjavik departure leave from?", "Reykjavik", 4),
    (["student", "class", "maths", "reading", "science"], "What reading score did Amara Lindgren get?", "Amara Lindgren", 3),
    (["employee", "team", "shift", "hours"], "What shift is Bogdan Petrescu on this week?", "Bogdan Petrescu", 2),
]
WORDS = ["Harlow", "Kestrel", "Marlow", "Ashby", "Fenwick", "Galloway", "Linden", "Calder", "Brierley", "Tamsin", "Oswin", "Radley",
         "Selby", "Thorne", "Wendover", "Yarrow", "Alder", "Birch", "Corrie", "Dunmore"]


def table_row(rng: random.Random, kind: int, key: str | None) -> list[str]:
    w = key or f"{rng.choice(WORDS)}{rng.choice(['', ' North', ' East', ' Vale'])}"
    if kind == 0:
        return [f"TX-{rng.randint(10000, 99999)}", key or f"{rng.choice(WORDS)} {rng.choice(['gasket', 'flange', 'hinge', 'coupling'])}", rng.choice(["LDS", "BHX", "MAN"]), str(rng.randint(0, 900)), str(rng.randint(10, 90))]
    if kind == 1:
        return [w, rng.choice(["north", "south", "coast", "valley"]), str(rng.randint(200, 4000)), str(rng.randint(5, 95))]
    if kind == 2:
        return [key or f"T-{rng.randint(1000, 4999)}", rng.choice(WORDS), f"{rng.randint(18, 60)}.{rng.randint(0, 9)}", str(rng.randint(0, 40))]
    if kind == 3:
        return [f"FI{rng.randint(100, 999)}", "LHR", key or rng.choice(["Oslo", "Dublin", "Madrid", "Riga", "Porto", "Nice"]), f"{rng.randint(6, 22):02d}:{rng.choice(['05', '20', '35', '50'])}", f"{rng.choice('ABC')}{rng.randint(1, 40)}"]
    if kind == 4:
        return [key or f"{rng.choice(['Ava', 'Leo', 'Noor', 'Sami', 'Iris'])} {rng.choice(WORDS)}", f"{rng.randint(7, 9)}{rng.choice('ABC')}"] + [str(rng.randint(40, 99)) for _ in range(3)]
    return [key or f"{rng.choice(['Ana', 'Piotr', 'Lena', 'Jo'])} {rng.choice(WORDS)}", rng.choice(["pick", "pack", "dispatch"]), rng.choice(["early", "late", "night"]), str(rng.randint(16, 40))]


def k_table(rng: random.Random, n: int):
    tgt = target(rng)
    cols, final, key, col = TABLES[n]
    rows = [table_row(rng, n, None) for _ in range(rng.randint(150, 700))]
    krow = table_row(rng, n, key)
    if n == 3:
        krow[4] = f"D{rng.randint(41, 60)}"
    elif n == 5:
        krow[2] = "split early/late"
    else:
        krow[col] = str(rng.randint(100, 999) if n == 0 else rng.randint(41, 60)) if n != 4 else str(rng.randint(10, 39))
    rows.insert(rng.randint(len(rows) // 4, 3 * len(rows) // 4), krow)
    md = n % 2 == 1
    if md:
        text = "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n" + "\n".join("| " + " | ".join(r) + " |" for r in rows)
        needed = ["| " + " | ".join(krow[: col + 1]) + " |"]
    else:
        text = ",".join(cols) + "\n" + "\n".join(",".join(r) for r in rows)
        needed = [",".join(krow[: col + 1]) + ","] if col + 1 < len(krow) else [",".join(krow)]
    blocks = [(rng.uniform(0.05, 0.4), [u("Export from the system, pasted as-is:\n\n" + text), a(ack(rng, "table"))])]
    msgs = assemble(rng, system_prompt(rng), blocks, final, tgt)
    return msgs, needed, [], f"{'markdown' if md else 'CSV'} table of {len(rows)} rows; the needed row is in the middle", None, True


NUMWORDS = [
    ("The landlord wants a holding deposit of four thousand two hundred dollars before Friday.", "four thousand two hundred dollars", "How big was the holding deposit the landlord asked for?"),
    ("The doctor said the cut needed twenty-seven stitches, which sounds like a lot to me.", "twenty-seven stitches", "How many stitches did my son end up with?"),
    ("Grandma's train gets in at a quarter past seven in the evening.", "a quarter past seven", "What time do I need to be at the station for Grandma?"),
    ("We've been renting this place for three and a half years now.", "three and a half years", "How long did I say we've lived in the rental?"),
    ("The quote for the roof came to eleven thousand six hundred and fifty pounds including scaffolding.", "eleven thousand six hundred and fifty pounds", "What was the roofer's total price again?"),
    ("Our team's target is one hundred and forty sign-ups by the end of the month.", "one hundred and forty sign-ups", "What's the sign-up goal we're chasing this month?"),
]


def k_numwords(rng: random.Random, n: int):
    tgt = target(rng)
    fact, needed, final = NUMWORDS[n]
    dom = rng.choice(DOMAIN_NAMES)
    t = filler_turn(rng, dom, "m")
    t[0]["content"] = fact + " Anyway, separate question. " + t[0]["content"]
    msgs = assemble(rng, system_prompt(rng), [(rng.uniform(0.05, 0.4), t)], final, tgt)
    return msgs, [needed], [], "a number written in words inside an unrelated question", None, True


CONSTRAINTS = [
    ("I'm planning a dinner party for eight. One thing first: I'm severely allergic to sesame, so nothing with it at all.", "allergic to sesame", "Here's the final menu: tahini-roasted carrots, lamb with za'atar, and halva for dessert. Is it safe for me?"),
    ("I'm booking a week in Portugal for two. Hard limit: the whole trip can't go over €2,300 all in.", "can't go over €2,300", "The hotel is €1,650 and flights are €720. Does that work with what I told you?"),
    ("We need the new booking site live by 9 October, no slipping, the campaign launches that day.", "live by 9 October", "The agency says they can deliver on the 14th. Is that OK for us?"),
    ("Planning a family day out; my dad uses a wheelchair, so everything has to be step-free.", "my dad uses a wheelchair", "The castle tour has a spiral staircase to the best room. Should we book it?"),
    ("I'm flying budget airline with only a 7 kg cabin bag allowance, no hold luggage.", "only a 7 kg cabin bag", "Can I bring my 9 kg camera bag as it is?"),
    ("I'm looking for recipes, but I keep halal, so keep that in mind throughout.", "I keep halal", "Would the pork and cider stew you mentioned be a good pick for Saturday?"),
]


def k_constraint(rng: random.Random, n: int):
    tgt = target(rng)
    first, needed, final = CONSTRAINTS[n]
    blocks = [(0.0, [u(first), a("Understood, I'll keep that in mind. Where would you like to start?")])]
    msgs = assemble(rng, system_prompt(rng), blocks, final, tgt)
    return msgs, [needed], [], "constraint stated in the first user message; the final question depends on it without restating it", None, True


RETURNS = [
    ("car", "The garage quoted for the clutch, can you sanity-check it? They said", lambda r: f"£{r.randint(900, 1400)} for the clutch and flywheel", "Back to the car for a sec: what did the garage want for the clutch job?"),
    ("loan", "Loan of 24,000 over 5 years at 6.2%: what's the monthly repayment?", lambda r: f"comes to about £{r.randint(460, 470)}.{r.randint(10, 99)} a month", "Going back to the loan: what did you work out the monthly payment would be?"),
    ("trip", "For the Scotland trip, the cottage host said the key is in a lockbox and the code is", lambda r: f"lockbox code is {r.randint(1000, 9999)}", "Returning to the Scotland trip: how do I get into the cottage?"),
    ("garden", "For the garden wall, the builder measured it at", lambda r: f"{r.randint(11, 19)}.{r.randint(1, 9)} metres long", "Back to the garden wall: how long did the builder say it is?"),
    ("server", "The upgrade ticket for the server is", lambda r: f"ticket INFRA-{r.randint(3000, 3999)}", "OK, back to the server upgrade: what was the ticket reference?"),
    ("recipe", "For my grandmother's bread, she always proves it for", lambda r: f"{r.choice(['two', 'three'])} hours in the airing cupboard", "Back to Grandma's bread: how long does the dough rise?"),
]


def k_return(rng: random.Random, n: int):
    tgt = target(rng)
    topic, ask, fact_fn, final = RETURNS[n]
    fact = fact_fn(rng)
    if n == 1:
        block = [u(ask), a(f"At 6.2% over sixty months, the repayment {fact}, and total interest is roughly four thousand.")]
    else:
        block = [u(f"{ask} {fact}. Does that sound right?"), a("That sounds plausible. Let's keep it in mind and come back to it.")]
    dom = rng.choice(DOMAIN_NAMES)
    b_turns = [t for _ in range(rng.randint(6, 12)) for t in filler_turn(rng, dom, "l")]
    b_turns[0]["content"] = "Totally different topic now. " + b_turns[0]["content"]
    msgs = assemble(rng, system_prompt(rng), [(rng.uniform(0.1, 0.35), block), (0.9, b_turns)], final, tgt)
    return msgs, [fact], [], f"topic '{topic}' early, a long switch to {dom}, then a return", None, True


PASSING = [
    ("my sister's flight lands at 6:40 on Thursday", "What time did I say my sister gets in?"),
    ("the neighbours' dog is called Biscuit", "What's the neighbours' dog's name again? I forgot."),
    ("my locker at the gym is number 318", "Which locker did I say was mine?"),
    ("our anniversary is on the 23rd of May", "When's our anniversary? I want to book something."),
    ("my bike lock combination is 4471", "I'm locked out of my bike, what was the combination?"),
    ("my new manager is called Rosalind Achebe", "What's my new boss's name? I blanked in a meeting."),
]


def k_passing(rng: random.Random, n: int):
    tgt = target(rng)
    fact, final = PASSING[n]
    st = small_talk_turn(rng)
    st[0]["content"] = st[0]["content"] + f" Oh and {fact}, totally random, anyway."
    msgs = assemble(rng, system_prompt(rng), [(rng.uniform(0.05, 0.5), st)], final, tgt, small_talk=0.25)
    return msgs, [fact], [], "fact mentioned in passing in small talk", None, True


KINDS = [("long_document", k_longdoc), ("source_constant", k_source), ("quoted_thread", k_quoted), ("agent_loop", k_agent),
         ("assistant_decision", k_decision), ("user_correction", k_correction), ("doc_versions", k_versions),
         ("table_cell", k_table), ("number_words", k_numwords), ("first_constraint", k_constraint),
         ("topic_return", k_return), ("passing_mention", k_passing)]


def all_text(m: dict) -> str:
    parts = [m.get("content") or ""]
    for c in m.get("tool_calls") or []:
        parts.append(c["function"]["arguments"])
    return "\n".join(parts)


def verify(case: dict) -> None:
    msgs, cid = case["messages"], case["id"]
    assert msgs[0]["role"] == "system" and msgs[-1]["role"] == "user", cid
    final, system = msgs[-1]["content"], msgs[0]["content"]
    body = [all_text(m) for m in msgs[1:-1]]
    assert case["needed"], cid
    for s in case["needed"]:
        hits = sum(s in t for t in body)
        assert hits == 1, (cid, s, hits)
        assert s not in final and s not in system, (cid, s)
    for s in case["forbidden_stale"]:
        assert any(s in t for t in body) and s not in final, (cid, s)
        for nd in case["needed"]:
            assert s not in nd and nd not in s, (cid, s, nd)
            assert not any(s in t and nd in t for t in body), (cid, "stale shares the needed message", s)
    tok = est_tokens(msgs)
    assert MIN_TOK <= tok <= MAX_TOK, (cid, tok)
    open_calls: list[str] = []
    has_calls = False
    for m in msgs:
        if m["role"] == "tool":
            assert m["tool_call_id"] in open_calls, cid
            open_calls.remove(m["tool_call_id"])
            continue
        assert not open_calls, cid
        for c in m.get("tool_calls") or []:
            has_calls = True
            open_calls.append(c["id"])
    assert not open_calls and has_calls == bool(case.get("tools")), cid


def build() -> str:
    lines, seen = [], []
    for kind, fn in KINDS:
        for n in range(6):
            rng = random.Random(f"heldout5/{kind}/{n}")
            msgs, needed, stale, notes, tools, para = fn(rng, n)
            case = {"id": f"{kind}-{n:02d}-h5", "kind": kind, "messages": msgs}
            if tools:
                case["tools"] = tools
            case |= {"needed": needed, "forbidden_stale": stale, "notes": notes + ("; question paraphrases the fact" if para else "")}
            verify(case)
            assert case["id"] not in seen
            seen.append(case["id"])
            lines.append(json.dumps(case, ensure_ascii=False, sort_keys=False))
    assert len(lines) == 72
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="rebuild in memory and compare with the existing cases.jsonl")
    args = ap.parse_args()
    text = build()
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} differs from a fresh build (or is missing)", file=sys.stderr)
            return 1
        print(f"{OUT}: identical to a fresh build (72 cases)")
        return 0
    OUT.write_text(text, encoding="utf-8")
    cases = [json.loads(x) for x in text.splitlines()]
    toks = sorted(est_tokens(c["messages"]) for c in cases)
    print(f"wrote {OUT}: {len(cases)} cases, estimated tokens min {toks[0]} median {toks[len(toks) // 2]} max {toks[-1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
