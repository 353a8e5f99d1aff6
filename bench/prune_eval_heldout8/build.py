#!/usr/bin/env python3
"""Build bench/prune_eval_heldout8/cases.jsonl: 72 held-out context-pruning cases.

12 kinds x 6 cases, 10k-45k estimated tokens (chars/4) each.  Standard library only and
deterministic: every case draws from its own random.Random seeded with crc32("<kind>:<n>"), and
every filler word comes from the hand-written vocabularies in this file.

    python bench/prune_eval_heldout8/build.py            # writes cases.jsonl next to this file
    python bench/prune_eval_heldout8/build.py --summary  # also prints sizes per kind and per case

Each case: id, kind, messages (system first, final user question last), tools (only when the case
has tool calls), needed (substrings the final question depends on), forbidden_stale (superseded or
look-alike values that are in the conversation but are not the answer), notes.
"""
import argparse
import json
import random
import re
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUFFIX = "h8"
TARGETS = [11000, 16500, 22000, 28500, 35000, 42000]   # estimated tokens, one of each per kind
MIN_TOK, MAX_TOK = 10000, 45000

# ---------------------------------------------------------------------------------------------
# message helpers


def S(t):
    return {"role": "system", "content": t}


def U(t):
    return {"role": "user", "content": t}


def A(t):
    return {"role": "assistant", "content": t}


class Fill:
    """A slot the builder fills with unrelated turns; weight = share of the leftover budget."""

    def __init__(self, weight=1.0, style="chat"):
        self.weight = weight
        self.style = style


def msg_chars(m):
    n = len(m.get("content") or "")
    for tc in m.get("tool_calls") or []:
        n += len(tc["function"]["name"]) + len(tc["function"]["arguments"])
    return n


def est_tokens(messages):
    return sum(msg_chars(m) for m in messages) // 4


def call_id(rng):
    return "call_%012x" % rng.getrandbits(48)


def tool_pair(rng, name, args, result):
    cid = call_id(rng)
    content = result if isinstance(result, str) else json.dumps(result)
    return [
        {"role": "assistant", "content": None,
         "tool_calls": [{"id": cid, "type": "function",
                         "function": {"name": name, "arguments": json.dumps(args)}}]},
        {"role": "tool", "tool_call_id": cid, "content": content},
    ]


def tool_def(name, desc, props, required=None):
    return {"type": "function", "function": {
        "name": name, "description": desc,
        "parameters": {"type": "object",
                       "properties": {k: {"type": v[0], "description": v[1]} for k, v in props.items()},
                       "required": list(required if required is not None else props.keys())}}}


_SLOT = re.compile(r"\{(\w+)\}")


def expand(rng, template, slots):
    return _SLOT.sub(lambda m: rng.choice(slots[m.group(1)]), template)


def sentences(rng, d, n):
    """n sentences; templates are drawn without repeats until the list runs out."""
    out, pool = [], []
    for _ in range(n):
        if not pool:
            pool = d["t"][:]
            rng.shuffle(pool)
        x = expand(rng, pool.pop(), d)
        out.append(x[0].upper() + x[1:])
    return " ".join(out)


def paragraph_block(rng, d, paras=(2, 5), sents=(3, 6)):
    return "\n\n".join(sentences(rng, d, rng.randint(*sents)) for _ in range(rng.randint(*paras)))


# ---------------------------------------------------------------------------------------------
# hand-written filler vocabularies (no digits in chat filler, so case facts stay distinctive)

CHAT = {
    "garden": dict(
        q=["My tomato seedlings look leggy and pale. What am I doing wrong?",
           "Is it too late in the season to put garlic in the ground?",
           "How often should I water raised beds when it's hot and windy?",
           "What's a sensible cover crop for a small vegetable patch over winter?",
           "Any tricks for keeping slugs off the lettuce without pellets?",
           "Should I cut back the hydrangea now or leave it until spring?",
           "The soil in my back corner stays soggy for days. Can I still grow anything there?"],
        t=["{plant} usually does better when {cond}.",
           "If the {part} start to {symptom}, that often points to {cause}.",
           "A thin layer of {mulch} around the base keeps moisture in and weeds down.",
           "Most people find that {practice} makes a bigger difference than any fertiliser.",
           "Try {practice} for a couple of weeks and watch how the {part} respond.",
           "In heavy clay, {practice} helps the roots push through and drain.",
           "Don't worry too much if the older {part} {symptom}; it happens late in the season.",
           "{plant} is forgiving, but it sulks when {cause} goes on for long."],
        plant=["Basil", "Garlic", "Lettuce", "A young apple tree", "Rosemary", "Squash", "Hydrangea", "Kale",
               "Sweet pea"],
        cond=["it gets full morning sun", "the soil drains freely", "it is watered deeply but rarely",
              "nights stay mild", "it has room between plants", "the bed is topped up with compost each autumn"],
        part=["leaves", "stems", "roots", "flower buds", "lower leaves", "new shoots"],
        symptom=["yellow from the edges", "curl inward", "go limp by midday", "show brown spots", "drop early",
                 "turn purple underneath"],
        cause=["overwatering", "a nitrogen shortage", "cold wind", "root crowding", "too little light",
               "compacted soil"],
        mulch=["shredded leaves", "straw", "wood chips", "grass clippings", "leaf mould"],
        practice=["watering at the base instead of overhead", "thinning the seedlings",
                  "adding a handful of compost", "rotating the beds", "staking the tallest stems",
                  "loosening the top layer with a fork"]),
    "cooking": dict(
        q=["My risotto always ends up gluey. Where am I going wrong?",
           "What can I use instead of buttermilk in pancakes?",
           "How do I keep a roast chicken from drying out?",
           "Any ideas for a weeknight dinner that uses up half a cabbage?",
           "Why does my bread come out dense in the middle?",
           "Is it worth making stock from scratch or is the boxed stuff fine?"],
        t=["{dish} turns out better if you {technique}.",
           "The usual culprit is {mistake}, so start by fixing that.",
           "A splash of {acid} at the end wakes the whole thing up.",
           "You can swap in {swap} and most people won't notice the difference.",
           "Let the pan get properly hot before you add {ingredient}; otherwise it steams instead of browning.",
           "If you're short on time, {technique} and skip the garnish.",
           "{ingredient} keeps for a few days in the fridge if you wrap it well.",
           "Taste as you go; {dish} needs more salt than people expect."],
        dish=["Risotto", "A stew", "Fried rice", "Roast chicken", "A frittata", "Soda bread", "Lentil soup",
              "A stir-fry"],
        technique=["toast the rice before adding liquid", "rest the meat before slicing",
                   "add the stock a ladle at a time", "salt the water generously", "chill the dough overnight",
                   "cook the onions low and slow"],
        mistake=["crowding the pan", "stirring too often", "using cold stock", "overproofing the dough",
                 "cutting into it straight away", "skipping the preheat"],
        acid=["lemon juice", "sherry vinegar", "lime", "white wine", "pickle brine"],
        swap=["yoghurt thinned with milk", "olive oil", "smoked paprika", "brown sugar", "chickpeas",
              "frozen spinach"],
        ingredient=["the garlic", "the mushrooms", "cooked rice", "the cabbage", "fresh herbs", "the dough"]),
    "home": dict(
        q=["The bathroom fan is rattling. Is that something I can fix myself?",
           "How do I stop a door from sticking in damp weather?",
           "What's the least messy way to patch a hole in plasterboard?",
           "My radiator is cold at the top and warm at the bottom. What does that mean?",
           "Is it safe to paint over glossy kitchen cabinets without sanding?",
           "The tap in the kitchen drips all night. Washer or cartridge?"],
        t=["Start by {check}; that rules out the simple causes.",
           "Usually it's {cause}, which is a cheap part to replace.",
           "Switch off {supply} before you open anything up.",
           "A bit of {material} and a steady hand will get you most of the way.",
           "If {check} doesn't help, it's worth calling someone rather than forcing it.",
           "Take a photo before you take {part} apart so you remember how it goes back.",
           "Leave {material} to cure overnight before you put any weight on it."],
        check=["tightening the screws on the hinges", "bleeding the radiator", "cleaning the fan blades",
               "checking the seal around the edge", "looking for water stains upstairs"],
        cause=["a worn washer", "a loose mounting bracket", "trapped air", "a swollen frame", "a cracked seal"],
        supply=["the power at the breaker", "the water at the isolation valve", "the heating"],
        material=["filler", "primer", "silicone sealant", "wood glue", "a sanding block"],
        part=["the handle", "the cover", "the valve", "the fitting", "the trim"]),
    "travel": dict(
        q=["Is it worth getting a rail pass for a week in the north?",
           "What should I pack for a trip where the weather changes every hour?",
           "How early should I get to the airport for an international flight?",
           "Any tips for not getting ripped off by taxis in a new city?",
           "Should I book the hostel in advance or just turn up?",
           "How do people deal with jet lag on short trips?"],
        t=["Most travellers say {tip}.",
           "In my experience, {tip}, especially in {season}.",
           "The old town is lovely but it gets crowded around {time}.",
           "Keep {item} in your day bag; you'll want it more often than you think.",
           "If you can, {tip} and leave the afternoons unplanned.",
           "Local buses are slower but you see far more of {place}."],
        tip=["booking the first train of the day saves money", "a light rain jacket beats an umbrella",
             "walking between neighbourhoods is the best way to get a feel for a place",
             "it pays to carry some cash for small cafes", "the museum passes rarely pay off on short stays",
             "eating your main meal at lunch is cheaper"],
        season=["shoulder season", "the summer holidays", "the winter months", "festival weeks"],
        time=["midday", "sunset", "the weekend", "when the cruise ships arrive"],
        item=["a refillable bottle", "a power bank", "a paper map", "a spare layer", "snacks"],
        place=["the countryside", "the coast", "the suburbs", "the hill villages"]),
    "fitness": dict(
        q=["I keep getting shin splints when I run. Should I stop?",
           "How many rest days do beginners actually need?",
           "Is it better to stretch before or after a workout?",
           "What's a simple strength routine I can do at home without equipment?",
           "My knees hurt on the stairs after squats. Form issue?"],
        t=["{advice} is the boring answer, but it works.",
           "Most beginners improve fastest when they {habit}.",
           "If something hurts sharply, stop; a dull ache is different from {pain}.",
           "Try {exercise} as a warm-up and see whether that changes anything.",
           "Sleep and {advice} matter more than the exact programme.",
           "Progress slowly: {habit}, then add a little more each week."],
        advice=["Consistency", "Eating enough protein", "A proper warm-up", "Gradual mileage increases",
                "Good shoes"],
        habit=["keep a simple log", "train the same days every week", "focus on form before weight",
               "walk on their rest days"],
        pain=["a pulled muscle", "joint pain", "a stitch", "tendon trouble"],
        exercise=["glute bridges", "slow lunges", "calf raises", "a few minutes of skipping", "band walks"]),
    "photo": dict(
        q=["My night photos come out grainy. Better camera or better settings?",
           "How do I stop the sky from blowing out in landscape shots?",
           "Is a prime lens worth it for portraits?",
           "Any tips for photographing kids who won't sit still?",
           "What's the best way to back up a big photo library?"],
        t=["Try {setting} and see if that helps with {problem}.",
           "A lot of {problem} comes down to {cause} rather than the gear.",
           "Shoot a few frames with {setting}; it's a quick way to learn.",
           "Editing can rescue {problem} up to a point, but it's easier to get it right in camera.",
           "{gear} is nice to have, not essential."],
        setting=["a slower shutter on a tripod", "exposure bracketing", "a wider aperture",
                 "burst mode", "manual focus"],
        problem=["noise", "blown highlights", "motion blur", "flat colours", "soft focus"],
        cause=["underexposure", "shooting at midday", "camera shake", "a dirty lens"],
        gear=["A prime lens", "A graduated filter", "An external flash", "A second card slot"]),
    "code": dict(
        q=["What's a clean way to structure config loading in a small service?",
           "Should I use a dataclass or a plain dict for API payloads?",
           "How do people usually organise integration tests so they don't get slow?",
           "Any advice on naming things in a codebase that has grown messy?",
           "When is it worth adding a cache instead of fixing the slow query?"],
        t=["Keep {thing} in one place so it's obvious where to look.",
           "I'd lean towards {choice} because it makes {benefit} easier.",
           "The trade-off is {cost}, which is fine for most teams.",
           "Write a small test around {thing} before you refactor it.",
           "If {thing} keeps changing, that's a sign it wants its own module.",
           "{choice} also plays well with type checkers."],
        thing=["the config parsing", "the retry logic", "the error handling", "the database access",
               "the serialization code"],
        choice=["a dataclass", "a thin wrapper", "dependency injection", "a single entry point",
                "plain functions"],
        benefit=["testing", "code review", "onboarding new people", "debugging"],
        cost=["a little more boilerplate", "one more layer of indirection", "slower first builds"]),
    "books": dict(
        q=["Can you recommend something to read on a long train ride?",
           "I started learning the guitar. How long before chords stop hurting?",
           "Is it weird to read several books at once?",
           "What's a good way to get back into reading after a long break?"],
        t=["A lot of readers like {genre} for {occasion}.",
           "{habit} helps more than forcing yourself through something dull.",
           "Practice a little every day; {advice}.",
           "If you enjoyed {genre}, try something shorter next to keep momentum."],
        genre=["detective novels", "short stories", "travel memoirs", "popular science", "graphic novels"],
        occasion=["long journeys", "winter evenings", "lunch breaks", "holidays"],
        advice=["short sessions beat rare long ones", "your fingers toughen up sooner than you expect",
                "songs you actually like keep you going", "slow and clean beats fast and messy"],
        habit=["Keeping the book by the bed", "Letting yourself quit boring books", "Reading on the commute",
               "Having a lighter book on the go"]),
}
OPENERS = ["", "", "Thanks, that helps. ", "Okay, noted. ", "Side question while I remember: ", "Unrelated question: ",
           "Cheers. Another thing: ", "Switching topics for a minute. ", "Sorry, random one: "]
CLOSERS = ["", "", "\n\nHappy to go into more detail on any of that.", "\n\nLet me know how it goes.",
           "\n\nHope that helps."]


def chat_pair(rng, domain=None):
    d = CHAT[domain or rng.choice(sorted(CHAT))]
    return [U(rng.choice(OPENERS) + rng.choice(d["q"])),
            A(paragraph_block(rng, d) + rng.choice(CLOSERS))]


# --- meetings
MEET = dict(
    t=["I think we should {action} before {when}.", "Quick update on {topic}: {status}.",
       "Can we park {topic} until {when}?", "{agree}", "My concern with {topic} is {concern}.",
       "I'll sync with {team} about {topic} offline.", "On {topic}, {team} said it's {status}.",
       "Does anyone have context on {topic}?", "Let's {action} and revisit at {when}.",
       "For {topic} I'd rather {action} first."],
    action=["get legal to look at it", "write up the options", "run a small pilot", "check with finance",
            "loop in the customer team", "split it into smaller pieces", "ask for a second opinion"],
    when=["the next sync", "the end of the sprint", "the offsite", "we hear back from the client",
          "the holidays", "the planning cycle"],
    topic=["the hiring plan", "the support backlog", "the design review", "the board deck",
           "the partner webinar", "the office wifi", "the quarterly survey", "the laptop rollout",
           "the style guide", "the incident review process", "the intern programme"],
    status=["mostly on track", "blocked on a review", "slightly behind but recoverable",
            "done apart from the docs", "waiting for sign-off"],
    concern=["the timeline", "the cost", "who maintains it afterwards", "how we explain it to customers",
             "the dependency on another team"],
    team=["design", "finance", "the platform team", "sales", "legal", "support"],
    agree=["Sounds good to me.", "Agreed, let's do that.", "Makes sense.",
           "I'm fine with that as long as we document it.", "Can we take that offline?",
           "Sorry, you cut out for a second. Could you repeat that?"])
SPEAKERS = ["Alex Moreau", "Bea Schultz", "Chidi Eze", "Dmitri Volkov", "Elif Kaya", "Femi Adeyemi",
            "Grace Whitfield", "Hugo Laurent", "Isla McKenna", "Joao Pires", "Kasia Nowak", "Leo Brandt"]


def transcript(rng, n_chars, start_s=0, speakers=None):
    speakers = speakers or rng.sample(SPEAKERS, 5)
    lines, s, n = [], start_s + rng.randint(5, 40), 0
    while n < n_chars:
        s += rng.randint(4, 50)
        line = "[%02d:%02d:%02d] %s: %s" % (s // 3600, s // 60 % 60, s % 60, rng.choice(speakers),
                                            sentences(rng, MEET, rng.randint(1, 3)))
        lines.append(line)
        n += len(line) + 1
    return lines, s


# --- policies / handbook
POLICY = dict(
    t=["{actor} {modal} {duty} {timing}.", "Questions about {area} should go to {contact}.",
       "Exceptions to this section require written approval from {contact}.",
       "{actor} {modal} keep records of {area} for audit purposes.",
       "This policy applies to all {scope}, unless a local agreement says otherwise.",
       "Where this section conflicts with local law, local law takes precedence.",
       "{actor} {modal} {duty} through the HR portal {timing}."],
    actor=["Employees", "Managers", "Team leads", "Contractors", "New starters", "All staff"],
    modal=["must", "should", "are expected to", "may"],
    duty=["submit requests", "complete the mandatory training", "report changes", "review their objectives",
          "confirm their emergency contacts", "log their hours"],
    timing=["before the end of each month", "as soon as reasonably possible", "within the first weeks of joining",
            "at least once a year", "before the start of the affected period"],
    area=["working hours", "travel bookings", "personal data", "company equipment", "performance reviews",
          "conflicts of interest"],
    contact=["the People team", "your line manager", "the Finance helpdesk", "the Data Protection Officer"],
    scope=["permanent staff", "part-time staff", "staff on fixed-term contracts", "employees in every office"])
POLICY_HEADINGS = ["Code of conduct", "Working hours and breaks", "Confidentiality", "Health and safety",
                   "Use of company equipment", "Performance reviews", "Training and development",
                   "Grievance procedure", "Data protection", "Conflicts of interest", "Dress code",
                   "Whistleblowing", "Leaving the company", "Recruitment and referrals", "Sick leave reporting"]


def policy_section(rng, heading, extra=None, sents=(6, 14)):
    body = [sentences(rng, POLICY, rng.randint(*sents)) for _ in range(rng.randint(1, 3))]
    if extra:
        k = rng.randint(0, len(body))
        body.insert(k, extra)
    return "## " + heading + "\n\n" + "\n\n".join(body)


# --- code
CODE_V = ["load", "parse", "build", "fetch", "render", "merge", "validate", "normalize", "resolve", "flush"]
CODE_N = ["config", "invoice", "session", "payload", "record", "index", "cursor", "bucket", "report", "token"]
CODE_H = ["lookup", "decode", "coerce", "split_parts", "read_blob", "open_conn", "clamp", "to_utc"]
CODE_T = {
    "py": '''def {v}_{n}({a}, {b}=None):
    """{V} the {n} for the given {a}."""
    result = {h}({a})
    if not result:
        logger.debug("no {n} for %s", {a})
        return None
    for item in result.items:
        item.{n2} = {h2}(item, {b})
    return result
''',
    "go": '''func {v}{N}({a} string, {b} *Options) (*{N}, error) {{
	res, err := {h}({a})
	if err != nil {{
		return nil, fmt.Errorf("{v} {n}: %w", err)
	}}
	for _, it := range res.Items {{
		it.{N2} = {h2}(it, {b})
	}}
	return res, nil
}}
''',
    "ts": '''export async function {v}{N}({a}: string, {b}?: Options): Promise<{N} | null> {{
  const res = await {h}({a});
  if (!res) {{
    log.debug(`no {n} for ${{{a}}}`);
    return null;
  }}
  for (const it of res.items) it.{n2} = {h2}(it, {b});
  return res;
}}
''',
    "rs": '''pub fn {v}_{n}({a}: &str, {b}: Option<&Options>) -> Result<{N}, Error> {{
    let mut res = {h}({a})?;
    for it in res.items.iter_mut() {{
        it.{n2} = {h2}(it, {b});
    }}
    Ok(res)
}}
''',
    "java": '''    public {N} {v}{N}(String {a}, Options {b}) {{
        {N} res = {h}({a});
        if (res == null) {{
            log.debug("no {n} for {{}}", {a});
            return null;
        }}
        for (var it : res.items()) it.set{N2}({h2}(it, {b}));
        return res;
    }}
''',
}


def code_funcs(rng, lang, n_chars):
    out, n = [], 0
    while n < n_chars:
        v, nn, n2 = rng.choice(CODE_V), rng.choice(CODE_N), rng.choice(CODE_N)
        h, h2 = rng.sample(CODE_H, 2)
        if lang in ("go", "ts", "java"):
            h, h2 = re.sub(r"_(\w)", lambda m: m.group(1).upper(), h), re.sub(r"_(\w)", lambda m: m.group(1).upper(), h2)
        f = CODE_T[lang].format(v=v, n=nn, V=v.capitalize(), N=nn.capitalize(), n2=n2, N2=n2.capitalize(),
                                a=rng.choice(["key", "name", "path", "ident"]),
                                b=rng.choice(["opts", "ctx", "hint"]), h=h, h2=h2)
        out.append(f)
        n += len(f) + 1
    return "\n".join(out)


# --- logs
LOG_SVCS = ["edge-proxy", "auth", "orders", "search", "billing", "notifier", "scheduler", "cache"]
LOG_MSGS = ["request completed status=200 dur_ms={d}", "cache miss key=user:{h}", "retrying upstream call attempt={a}",
            "connection pool stats active={a} idle={d}", "slow query table=events dur_ms={d}",
            "health check ok", "dropped stale lease owner={h}", "gc pause ms={a}", "queue depth={d}",
            "upstream reset by peer", "rate limit bucket={h} remaining={d}"]


def log_lines(rng, n_chars, hour_lo=12, hour_hi=20, day="2026-03-11"):
    lines, n = [], 0
    t0 = rng.randint(hour_lo * 3600, hour_hi * 3600)
    while n < n_chars:
        t0 += rng.randint(0, 9)
        msg = rng.choice(LOG_MSGS).format(d=rng.randint(3, 9999), h="%06x" % rng.getrandbits(24),
                                         a=rng.randint(1, 9))
        line = "%sT%02d:%02d:%02d.%03dZ %s %-10s %s" % (day, t0 // 3600 % 24, t0 // 60 % 60, t0 % 60,
                                                       rng.randint(0, 999), rng.choice(["INFO", "INFO", "WARN", "DEBUG"]),
                                                       rng.choice(LOG_SVCS), msg)
        lines.append(line)
        n += len(line) + 1
    return "\n".join(lines)


# --- research notes
RESEARCH = dict(
    t=["The authors {verb} {thing} using {method}.", "{limit} is acknowledged as a limitation.",
       "Results were {direction} after adjusting for {confounder}.",
       "The discussion section argues that {claim}.", "Recruitment happened through {channel}.",
       "Follow-up lasted {duration}.", "Worth citing for {use}, less so for {use}.",
       "Reviewer comments focused on {limit}."],
    verb=["measured", "estimated", "modelled", "compared", "surveyed"],
    thing=["self-reported sleep", "blood pressure", "attendance", "household income", "hand-washing compliance",
           "weekly output"],
    method=["mixed-effects regression", "propensity matching", "a cluster randomised design",
            "structured interviews", "wearable sensors", "administrative records"],
    limit=["selection bias", "loss to follow-up", "the short observation window", "self-report bias",
           "missing covariates"],
    direction=["attenuated but still significant", "essentially unchanged", "no longer significant",
               "slightly stronger"],
    confounder=["age and sex", "baseline health", "region", "socioeconomic status", "season"],
    claim=["the effect is larger in younger groups", "the mechanism is behavioural rather than physiological",
           "policy changes would need local adaptation", "longer follow-up is needed"],
    channel=["primary care clinics", "school registers", "an online panel", "workplace mailing lists"],
    duration=["about a year", "two school terms", "several months", "roughly three years"],
    use=["the methods", "the background section", "the effect sizes", "the policy framing"])
FILLER_AUTHORS = ["Okonkwo", "Lindgren", "Castellanos", "Watanabe", "Dubois", "Petrenko", "Achterberg",
                  "Marchetti", "Oyelaran", "Nakagawa", "Szabo", "Renaud"]


def study_note(rng):
    a = rng.choice(FILLER_AUTHORS)
    yr = rng.choice(["(2015)", "(2016)", "(2017)", "(2022)", "(2023)"])
    return ("Notes on %s et al. %s:\n%s\nSample: %d participants." %
            (a, yr, paragraph_block(rng, RESEARCH, (1, 3), (3, 6)), rng.randint(40, 380)))


# --- emails
SIGNATURES = [
    "\n\nKind regards,\n{name}\n{title}\n{company}\n\nThis email and any attachments are confidential and intended "
    "solely for the addressee. If you have received it in error, please notify the sender and delete it.",
    "\n\nBest,\n{name} | {title} | {company}\nSent from my phone, please excuse brevity.",
    "\n\nThanks,\n{name}\n{company}\n\nPlease consider the environment before printing this email.",
]


EMAILV = dict(
    t=["Delivery can start {when} once the order is confirmed.", "Our price includes {incl}.",
       "Please note that {note}.", "Happy to jump on a call {when} if that helps.",
       "The quote stays valid until {valid}.", "{incl} is covered as standard.",
       "Let me know if your finance team needs anything else from us."],
    when=["next week", "early next month", "as soon as the paperwork is signed", "on Thursday", "any afternoon"],
    incl=["delivery and collection", "on-site setup", "a named account manager", "standard insurance",
          "all consumables"],
    note=["prices exclude VAT", "changes after sign-off may be charged", "our office is closed on public holidays",
          "lead times are longer in the busy season"],
    valid=["the end of the month", "the end of the quarter", "our next price review"])


def email(rng, frm, to, subject, body, name, title, company):
    return ("From: %s\nTo: %s\nSubject: %s\n\n%s%s" %
            (frm, to, subject, body, rng.choice(SIGNATURES).format(name=name, title=title, company=company)))


# ---------------------------------------------------------------------------------------------
# multilingual customer lines (bilingual_support_serial); (foreign, English gloss) pairs

LANGS = {
    "es": dict(name="Spanish", greet=("Hola, buenas tardes.", "Hello, good afternoon."),
               issue=("Mi {dev} no enciende desde ayer, aunque lo dejé cargando toda la noche.",
                      "My {dev} hasn't turned on since yesterday, even though I left it charging all night."),
               serial="El número de serie que aparece en la etiqueta es {s}.",
               fix="Perdón, leí mal la etiqueta con poca luz. El número de serie correcto es {s}.",
               base="Por si sirve, la base de carga tiene otro número: {s}.",
               filler=[("¿Cuánto tarda normalmente el envío de reparación?", "How long does the repair shipment usually take?"),
                       ("Trabajo por las mañanas, así que prefiero que me llamen por la tarde.", "I work mornings, so I'd rather be called in the afternoon."),
                       ("Ya probé a reiniciarlo manteniendo pulsado el botón, pero nada.", "I already tried restarting it by holding the button, but nothing."),
                       ("La caja original la tengo guardada en el trastero.", "I still have the original box in the storage room."),
                       ("Muchas gracias por la paciencia, de verdad.", "Thank you so much for your patience, really."),
                       ("¿Necesitan también una foto del ticket de compra?", "Do you also need a photo of the receipt?"),
                       ("Aquí llueve muchísimo esta semana, espero que el paquete no se moje.", "It's raining a lot here this week, I hope the parcel doesn't get wet.")]),
    "de": dict(name="German", greet=("Guten Tag,", "Good day,"),
               issue=("mein {dev} lässt sich seit gestern nicht mehr einschalten, obwohl er die ganze Nacht geladen hat.",
                      "my {dev} won't switch on since yesterday, although it charged all night."),
               serial="Die Seriennummer auf dem Aufkleber lautet {s}.",
               fix="Entschuldigung, ich habe den Aufkleber falsch abgelesen. Die richtige Seriennummer ist {s}.",
               base="Falls es hilft: Die Ladestation hat eine eigene Nummer, {s}.",
               filler=[("Wie lange dauert eine Reparatur normalerweise?", "How long does a repair usually take?"),
                       ("Ich bin tagsüber im Büro, bitte rufen Sie lieber abends an.", "I'm in the office during the day, please call in the evening instead."),
                       ("Einen Neustart mit langem Tastendruck habe ich schon versucht.", "I've already tried a restart with a long button press."),
                       ("Die Originalverpackung habe ich noch im Keller.", "I still have the original packaging in the basement."),
                       ("Vielen Dank für Ihre Geduld.", "Many thanks for your patience."),
                       ("Brauchen Sie auch ein Foto vom Kassenbon?", "Do you also need a photo of the receipt?"),
                       ("Der Paketbote kommt bei uns meistens erst nachmittags.", "The parcel carrier usually only comes to us in the afternoon.")]),
    "fr": dict(name="French", greet=("Bonjour,", "Hello,"),
               issue=("mon {dev} ne s'allume plus depuis hier, alors qu'il est resté en charge toute la nuit.",
                      "my {dev} won't turn on since yesterday, though it was charging all night."),
               serial="Le numéro de série indiqué sur l'étiquette est {s}.",
               fix="Désolé, j'avais mal lu l'étiquette. Le bon numéro de série est {s}.",
               base="Au cas où, la station de charge porte un autre numéro : {s}.",
               filler=[("Combien de temps prend une réparation en général ?", "How long does a repair generally take?"),
                       ("Je travaille le matin, donc l'après-midi m'arrange mieux pour un appel.", "I work mornings, so the afternoon suits me better for a call."),
                       ("J'ai déjà essayé de le redémarrer en maintenant le bouton appuyé.", "I've already tried restarting it by holding the button down."),
                       ("J'ai gardé le carton d'origine au grenier.", "I kept the original box in the attic."),
                       ("Merci beaucoup pour votre patience.", "Thank you very much for your patience."),
                       ("Faut-il aussi une photo du ticket de caisse ?", "Is a photo of the receipt needed too?"),
                       ("Le gardien peut réceptionner le colis si je suis absent.", "The caretaker can take the parcel if I'm out.")]),
    "pt": dict(name="Portuguese", greet=("Olá, boa tarde.", "Hello, good afternoon."),
               issue=("O meu {dev} não liga desde ontem, apesar de ter ficado a carregar a noite toda.",
                      "My {dev} hasn't turned on since yesterday, despite charging all night."),
               serial="O número de série que está na etiqueta é {s}.",
               fix="Desculpem, li mal a etiqueta. O número de série correto é {s}.",
               base="Se ajudar, a base de carregamento tem outro número: {s}.",
               filler=[("Quanto tempo demora normalmente a reparação?", "How long does the repair normally take?"),
                       ("Trabalho de manhã, por isso prefiro chamadas à tarde.", "I work in the morning, so I prefer calls in the afternoon."),
                       ("Já tentei reiniciar carregando no botão durante muito tempo.", "I've already tried restarting by holding the button for a long time."),
                       ("Ainda tenho a caixa original guardada.", "I still have the original box stored."),
                       ("Muito obrigado pela paciência.", "Thank you very much for the patience."),
                       ("Precisam de uma foto da fatura?", "Do you need a photo of the invoice?"),
                       ("O meu vizinho pode receber a encomenda se eu não estiver.", "My neighbour can receive the parcel if I'm not in.")]),
    "it": dict(name="Italian", greet=("Buongiorno,", "Good morning,"),
               issue=("il mio {dev} non si accende da ieri, anche se è rimasto in carica tutta la notte.",
                      "my {dev} hasn't switched on since yesterday, even though it stayed on charge all night."),
               serial="Il numero di serie sull'etichetta è {s}.",
               fix="Scusate, avevo letto male l'etichetta. Il numero di serie corretto è {s}.",
               base="Se può servire, la base di ricarica ha un altro numero: {s}.",
               filler=[("Quanto tempo ci vuole di solito per la riparazione?", "How long does the repair usually take?"),
                       ("Lavoro la mattina, preferisco essere chiamato il pomeriggio.", "I work in the morning, I'd rather be called in the afternoon."),
                       ("Ho già provato a riavviarlo tenendo premuto il tasto.", "I've already tried restarting it by holding the key down."),
                       ("La scatola originale ce l'ho ancora in cantina.", "I still have the original box in the cellar."),
                       ("Grazie mille per la pazienza.", "Many thanks for the patience."),
                       ("Serve anche una foto dello scontrino?", "Is a photo of the receipt needed as well?"),
                       ("Il corriere qui passa quasi sempre dopo pranzo.", "The courier here nearly always comes after lunch.")]),
    "nl": dict(name="Dutch", greet=("Goedemiddag,", "Good afternoon,"),
               issue=("mijn {dev} gaat sinds gisteren niet meer aan, terwijl hij de hele nacht aan de lader heeft gelegen.",
                      "my {dev} won't turn on since yesterday, while it was on the charger all night."),
               serial="Het serienummer op de sticker is {s}.",
               fix="Sorry, ik had de sticker verkeerd gelezen. Het juiste serienummer is {s}.",
               base="Voor de zekerheid: het laadstation heeft een ander nummer, {s}.",
               filler=[("Hoe lang duurt een reparatie meestal?", "How long does a repair usually take?"),
                       ("Ik werk 's ochtends, dus bel liever 's middags.", "I work mornings, so please call in the afternoon."),
                       ("Ik heb al geprobeerd hem opnieuw op te starten door de knop lang in te drukken.", "I already tried restarting it by holding the button."),
                       ("De originele doos heb ik nog op zolder.", "I still have the original box in the attic."),
                       ("Heel erg bedankt voor het geduld.", "Thank you very much for the patience."),
                       ("Hebben jullie ook een foto van de kassabon nodig?", "Do you also need a photo of the receipt?"),
                       ("De bezorger komt hier meestal pas aan het eind van de middag.", "The delivery driver usually only comes here late in the afternoon.")]),
}


def foreign_pair(rng, lang):
    L = LANGS[lang]
    picks = rng.sample(L["filler"], rng.randint(2, 4))
    cust = " ".join(p[0] for p in picks)
    gloss = " ".join(p[1] for p in picks)
    return [U("New message from the customer (%s):\n\n\"%s\"\n\nWhat are they saying?" % (L["name"], cust)),
            A("In English: \"%s\"\n\n%s" % (gloss, rng.choice([
                "Nothing that changes the ticket; a polite reply is enough.",
                "Mostly logistics. I'd acknowledge it and keep the ticket moving.",
                "No new technical detail here."])))]


# ---------------------------------------------------------------------------------------------
# agent filler tools

FILLER_TOOLS = [
    tool_def("search_docs", "Search the internal knowledge base and return matching passages.",
             {"query": ("string", "free-text query")}),
    tool_def("read_file", "Read a file from the shared workspace.", {"path": ("string", "workspace path")}),
    tool_def("list_recent_tickets", "List recent support tickets for a queue.", {"queue": ("string", "queue name")}),
]
DOC_TITLES = ["Returns and exchanges", "Carrier cut-off times", "Escalation matrix", "Packaging guidelines",
              "Damaged goods procedure", "Address validation FAQ", "Holiday staffing", "Tone of voice for replies"]


def agent_filler(rng):
    k = rng.randrange(3)
    if k == 0:
        q = rng.choice(["reply templates for delays", "warehouse holiday hours", "escalation contacts",
                        "damaged parcel policy", "tone guidance for apology emails"])
        hits = []
        for _ in range(rng.randint(2, 4)):
            hits.append({"title": rng.choice(DOC_TITLES), "score": round(rng.random(), 3),
                         "passage": paragraph_block(rng, POLICY, (1, 2), (4, 8))})
        return tool_pair(rng, "search_docs", {"query": q}, {"query": q, "results": hits})
    if k == 1:
        path = rng.choice(["ops/runbook_notes.md", "templates/customer_reply.md", "ops/team_notes.md",
                           "scripts/report_helpers.py"])
        body = code_funcs(rng, "py", rng.randint(1500, 4000)) if path.endswith(".py") else \
            paragraph_block(rng, CHAT["code"] if "team" in path else POLICY, (3, 6), (4, 8))
        return tool_pair(rng, "read_file", {"path": path}, body)
    queue = rng.choice(["general", "returns", "b2b", "escalations"])
    tickets = [{"ticket": "T-%06d" % rng.randint(10 ** 5, 10 ** 6 - 1),
                "subject": rng.choice(CHAT["travel"]["q"] + CHAT["home"]["q"]),
                "state": rng.choice(["open", "pending", "solved"]),
                "summary": sentences(rng, POLICY, 2)} for _ in range(rng.randint(4, 9))]
    return tool_pair(rng, "list_recent_tickets", {"queue": queue}, {"queue": queue, "tickets": tickets})


def fill_unit(rng, style, ctx):
    if style == "chat":
        return chat_pair(rng)
    if style == "agent":
        return agent_filler(rng)
    if style == "logs":
        if rng.random() < 0.5:
            return chat_pair(rng)
        svc = rng.choice(LOG_SVCS)
        return [U("More logs from %s, in case they matter:\n\n```\n%s\n```" % (svc, log_lines(rng, rng.randint(1500, 5000),
                                                                                         ctx.get("hour_lo", 12), ctx.get("hour_hi", 20)))),
                A("Nothing in that batch lines up with the incident itself: %s" %
                  rng.choice(["mostly routine health checks and cache misses.", "retries look normal for that service.",
                              "the slow queries are background jobs.", "I'd keep it for reference but it's noise."]))]
    if style == "meeting":
        if rng.random() < 0.4:
            return chat_pair(rng)
        lines, _ = transcript(rng, rng.randint(2500, 7000))
        return [U("Unrelated, but here's the transcript from the %s, could you pull out the gist?\n\n%s" %
                  (rng.choice(["design crit", "all-hands Q&A", "support retro", "hiring sync"]), "\n".join(lines))),
                A("Gist: %s" % sentences(rng, MEET, 4))]
    if style == "research":
        if rng.random() < 0.4:
            return chat_pair(rng)
        return [U(study_note(rng)), A("Logged. %s" % sentences(rng, RESEARCH, 2))]
    if style == "code":
        if rng.random() < 0.5:
            return chat_pair(rng, "code")
        lang = ctx.get("lang", "py")
        return [U("Different file from the same PR, any concerns?\n\n```\n%s```" % code_funcs(rng, lang, rng.randint(1200, 3500))),
                A(paragraph_block(rng, CHAT["code"], (1, 3), (2, 4)))]
    if style == "foreign":
        if rng.random() < 0.45:
            return chat_pair(rng)
        return foreign_pair(rng, ctx["lang"])
    raise ValueError(style)


# ---------------------------------------------------------------------------------------------
# kinds.  Each returns items (messages and Fill slots), needed, forbidden, notes[, tools, ctx].

def k_meeting_transcript_owner(rng, i, T):
    V = [("the vendor migration off Corvant", "Who's on the hook now for getting us moved off the old supplier's platform, and what's the deadline?",
          "Priya Raman", "14 March", "Tomasz Wrona", "28 March"),
         ("SOC 2 evidence collection", "Which person ended up responsible for gathering the paperwork the auditors want, and by when?",
          "Dana Okafor", "2 June", "Luis Ferreira", "16 June"),
         ("the pricing page rewrite", "Who's driving the new web page that explains what we charge, and when does it have to be live?",
          "Mei Lin Tan", "9 October", "Ravi Iyer", "23 October"),
         ("the depot shift rota", "Remind me who owns sorting out the staff schedule for the warehouse, and the date it's due?",
          "Oskar Lindqvist", "6 August", "Amara Nwosu", "20 August"),
         ("the onboarding email sequence", "Who is writing the welcome messages new sign-ups get, and what's the due date now?",
          "Hannah Brooks", "30 April", "Kenji Sato", "12 May"),
         ("the data retention cleanup", "Who's in charge of deleting the old records our retention rules say we can't keep, and by what date?",
          "Farah Haddad", "1 December", "Gustavo Lima", "15 December")]
    proj, q, old_o, old_d, new_o, new_d = V[i]
    tchars = T * 4
    spk = rng.sample(SPEAKERS, 5)
    l1, _ = transcript(rng, int(tchars * 0.17), speakers=spk)
    k = rng.randint(len(l1) // 3, 2 * len(l1) // 3)
    l1.insert(k, "[00:%02d:%02d] %s: Okay, action item: %s. %s owns it, target date %s." %
              (rng.randint(20, 50), rng.randint(0, 59), spk[0], proj, old_o, old_d))
    l2, _ = transcript(rng, int(tchars * 0.17), speakers=spk)
    k = rng.randint(len(l2) // 4, 3 * len(l2) // 4)
    l2.insert(k, "[00:%02d:%02d] %s: Updating the action log: %s moves to %s because %s is out on leave. New target date %s." %
              (rng.randint(10, 50), rng.randint(0, 59), spk[0], proj, new_o, old_o.split()[0], new_d))
    items = [S("You are an assistant for an operations team. You keep track of meeting notes and action items."),
             U("Pasting the transcript from last week's planning sync so you have it:\n\n" + "\n".join(l1)),
             A("Got it, I have last week's planning sync transcript."),
             Fill(1.0, "meeting"),
             U("And here's this week's planning sync:\n\n" + "\n".join(l2)),
             A("Thanks, I have this week's transcript too.")]
    if i % 2:
        l3, _ = transcript(rng, int(tchars * 0.1), speakers=rng.sample(SPEAKERS, 4))
        items += [Fill(0.6, "meeting"), U("One more, the marketing stand-up, no action items in it I think:\n\n" + "\n".join(l3)),
                  A("Noted, nothing assigned in that one.")]
    items += [Fill(0.8, "meeting"), U(q)]
    return dict(items=items, needed=[new_o, new_d], forbidden=[old_o, old_d],
                notes="Action item reassigned in a later transcript line; the question paraphrases the project. "
                      "Old owner/date live in an earlier transcript.")


CSV_DOMAINS = [
    dict(intro="inventory export", header="sku,description,location,qty_on_hand,reorder_point,unit_cost_usd",
         target=("SKU-40917,Stainless skillet 12in,EAST-2,", ",15,18.40"), old=41, new=37,
         q="After the recount, how many of the twelve-inch steel frying pans are physically sitting in the eastern warehouse?",
         row=lambda r: "SKU-%05d,%s,%s,%d,%d,%.2f" % (r.randint(10000, 99999), r.choice(
             ["Cast iron pan 10in", "Nonstick wok 14in", "Saucepan 2qt", "Chef knife 8in", "Cutting board oak",
              "Stock pot 8qt", "Mixing bowl set", "Dutch oven 5qt", "Paring knife", "Sheet pan half"]),
             r.choice(["EAST-1", "WEST-1", "WEST-3", "NORTH-1"]), r.randint(0, 300), r.randint(5, 40),
             r.uniform(3, 120))),
    dict(intro="budget sheet", header="cost_center,department,owner,fy_alloc_eur,committed_eur,forecast_eur",
         target=("CC-3304,Field Marketing (events),R. Okoye,", ",97250,171000"), old=182000, new=168500,
         q="In the revised sheet, how much money is set aside for the year for the team that runs our trade-show and event presence?",
         row=lambda r: "CC-%04d,%s,%s,%d,%d,%d" % (r.randint(1000, 9999), r.choice(
             ["Product Design", "Customer Support", "Legal", "IT Operations", "Recruiting", "Brand", "Data Platform",
              "Facilities", "Partnerships"]), r.choice(["A. Berg", "T. Nakamura", "S. Costa", "M. Duarte", "K. Ibsen"]),
             r.randint(20, 900) * 500, r.randint(10, 400) * 250, r.randint(20, 900) * 500)),
    dict(intro="gradebook export", header="student_id,name,homework_avg,midterm,final_exam,letter",
         target=("S-2291,Ines Carvalho,88,81,", ",B+"), old=78, new=84,
         q="What score did Ines end up with on the end-of-term test once the regrade went through?",
         row=lambda r: "S-%04d,%s %s,%d,%d,%d,%s" % (r.randint(1000, 9999), r.choice(
             ["Noah", "Amelia", "Yusuf", "Sofia", "Liam", "Zara", "Mateo", "Aiko", "Ethan", "Leila"]), r.choice(
             ["Fischer", "Okafor", "Silva", "Kowalski", "Haddad", "Morales", "Svensson", "Chen"]),
             r.randint(55, 100), r.randint(45, 100), r.randint(45, 100), r.choice(["A", "A-", "B+", "B", "C+", "C"]))),
    dict(intro="fleet mileage log", header="vehicle_id,plate,model,odometer_km,last_service,next_service_due",
         target=("VAN-018,KX71 HPE,Transit Custom,", ",2026-01-14,2026-07-14"), old=148220, new=141882,
         q="Per the corrected log, how far has the Transit Custom van with the KX71 HPE plate been driven in total?",
         row=lambda r: "VAN-%03d,%s%02d %s,%s,%d,2025-%02d-%02d,2026-%02d-%02d" % (
             r.randint(100, 999), r.choice(["KX", "LM", "BD", "YR", "GF"]), r.randint(10, 74),
             "".join(r.choice("ABCDEFGHJKLMNPRSTUVWXY") for _ in range(3)),
             r.choice(["Sprinter", "Vivaro", "Transit Connect", "Berlingo", "e-Crafter"]), r.randint(5000, 260000),
             r.randint(1, 12), r.randint(1, 28), r.randint(1, 12), r.randint(1, 28))),
    dict(intro="freezer inventory", header="box,position,sample_id,study,aliquots_left,temp_c",
         target=("BX-77,C4,PLS-20931,HEARTWISE,", ",-80"), old=6, new=2,
         q="How many tubes of the HEARTWISE plasma sample in box BX-77 slot C4 are still in the freezer after the audit?",
         row=lambda r: "BX-%02d,%s%d,%s-%05d,%s,%d,%d" % (
             r.randint(10, 99), r.choice("ABCDEFGH"), r.randint(1, 9), r.choice(["PLS", "SER", "DNA", "URN"]),
             r.randint(10000, 99999), r.choice(["GLUCOSTAT", "BONEHEALTH", "SLEEPCO", "AIRWAYS"]), r.randint(0, 12),
             r.choice([-80, -20]))),
    dict(intro="sales pipeline export", header="deal_id,account,stage,amount_usd,close_date,owner",
         target=("D-88140,Halcyon Freight,Negotiation,", ",2026-05-29,J. Abara"), old=312000, new=287500,
         q="What's the contract value we now have down for the Halcyon Freight opportunity in the updated pipeline?",
         row=lambda r: "D-%05d,%s,%s,%d,2026-%02d-%02d,%s" % (
             r.randint(10000, 99999), r.choice(["Brightline Foods", "Oakfield Clinics", "Meridian Labs", "Tidewater Ports",
                                                 "Quarry Lane Bikes", "Solace Hotels", "Ironbark Mining"]),
             r.choice(["Discovery", "Proposal", "Negotiation", "Closed Won", "Closed Lost"]), r.randint(8, 900) * 500,
             r.randint(1, 12), r.randint(1, 28), r.choice(["M. Ruiz", "P. Onu", "L. Grant", "S. Park"]))),
]


def k_ledger_csv_synonym(rng, i, T):
    d = CSV_DOMAINS[i]
    pre, post = d["target"]
    old_row, new_row = "%s%d%s" % (pre, d["old"], post), "%s%d%s" % (pre, d["new"], post)
    n_chars = int(T * 4 * 0.22)
    rows, n = [], 0
    while n < n_chars:
        r = d["row"](rng)
        if r.split(",")[0] != pre.split(",")[0]:
            rows.append(r)
            n += len(r) + 1
    v1 = rows[:]
    v1.insert(rng.randint(len(v1) // 5, 4 * len(v1) // 5), old_row)
    v2 = rows[:]
    rng.shuffle(v2)
    v2.insert(rng.randint(len(v2) // 5, 4 * len(v2) // 5), new_row)
    items = [S("You are a helpful analyst. Answer from the data the user shares."),
             Fill(0.5, "chat"),
             U("Here's Monday's %s, raw CSV:\n\n%s\n%s" % (d["intro"], d["header"], "\n".join(v1))),
             A("Loaded Monday's %s. Ask away." % d["intro"]),
             Fill(1.0, "chat"),
             U("Scrap Monday's file. Ops found errors and re-ran it after a recount/review; this is the corrected %s:\n\n%s\n%s" %
               (d["intro"], d["header"], "\n".join(v2))),
             A("Understood, I'll use the corrected %s from now on." % d["intro"]),
             Fill(0.9, "chat"),
             U(d["q"])]
    return dict(items=items, needed=[new_row], forbidden=[old_row],
                notes="CSV re-exported with one corrected row; question names the row and column with different words "
                      "than the header. Needed is the whole corrected row line.")


CR = [
    dict(file="billing/retry.py", lang="py", name="MAX_RETRIES", fmt="{n} = {v}", vals=("8", "5", "3"),
         q="In the version that got merged, how many times will the billing client try again before it gives up?"),
    dict(file="search/client.go", lang="go", name="requestTimeout", fmt="\t{n} = {v}",
         vals=("30 * time.Second", "5 * time.Second", "12 * time.Second"),
         q="How long does the search client wait for an answer before bailing, in the code that actually shipped?"),
    dict(file="ingest/batcher.ts", lang="ts", name="BATCH_SIZE", fmt="export const {n} = {v};", vals=("500", "250", "200"),
         q="After the review rounds, how many events does the ingest batcher group together per flush in the merged change?"),
    dict(file="cache/settings.py", lang="py", name="SESSION_TTL_SECONDS", fmt="{n} = {v}", vals=("3600", "900", "1800"),
         q="How long do cached sessions live before they expire, per the merged settings file?"),
    dict(file="db/pool.rs", lang="rs", name="MAX_POOL_SIZE", fmt="pub const {n}: u32 = {v};", vals=("64", "16", "24"),
         q="What's the cap on simultaneous database connections in the pool, as merged?"),
    dict(file="api/Pagination.java", lang="java", name="DEFAULT_PAGE_SIZE", fmt="    static final int {n} = {v};",
         vals=("100", "50", "40"),
         q="When a client doesn't say how many results it wants per page, how many does the API return now that the PR is in?"),
]


def k_code_review_final_value(rng, i, T):
    c = CR[i]
    orig, sugg, final = (c["fmt"].format(n=c["name"], v=v) for v in c["vals"])
    # needed/forbidden are the declaration lines without leading whitespace
    nd, f1, f2 = final.strip(), orig.strip(), sugg.strip()
    tchars = T * 4
    body1 = code_funcs(rng, c["lang"], int(tchars * 0.08))
    body2 = code_funcs(rng, c["lang"], int(tchars * 0.12))
    reviewers = rng.sample(["Noor", "Sebastian", "Ayumi", "Kwame", "Ingrid", "Rafael"], 2)
    items = [S("You are a senior engineer helping with code review. Be precise about what the code says."),
             U("Starting review of my PR. First file, %s:\n\n```\n+%s\n\n%s```" % (c["file"], orig.strip(), body1)),
             A("Looks reasonable overall. I'd double-check whether %s is tuned for production traffic." % c["name"]),
             Fill(1.0, "code"),
             U("%s left a comment on %s: \"This is too high for our traffic, please change it to `%s`.\" I pushed that as a fixup." %
               (reviewers[0], c["file"], sugg.strip())),
             A("Fine by me; that's a more conservative setting."),
             Fill(0.8, "code"),
             U("%s came in late and disagreed with the fixup, so we settled it in a call. Here's %s exactly as merged:\n\n```\n%s\n\n%s```" %
               (reviewers[1], c["file"], final, body2)),
             A("Thanks, I have the merged version of %s." % c["file"]),
             Fill(1.0, "code"),
             U(c["q"])]
    return dict(items=items, needed=[nd], forbidden=[f1, f2], ctx={"lang": c["lang"]},
                notes="A constant changes twice during review; the merged file (a long paste) has the final value. "
                      "Question paraphrases the constant's meaning.")


def k_agent_stock_recheck(rng, i, T):
    V = [("Aurora desk lamp, brushed brass", "LMP-2207-BR", "Leeds DC", 40, 12, 19),
         ("Trailhead 45L backpack, slate", "BPK-4501-SL", "Rotterdam hub", 63, 20, 31),
         ("Ceramic pour-over set", "CPO-0918-WH", "Dallas FC", 27, 8, 11),
         ("Kids' balance bike, red", "BAL-1130-RD", "Lyon depot", 52, 15, 22),
         ("Ergo mesh office chair", "CHR-7740-GR", "Melbourne DC", 34, 10, 13),
         ("Cast-iron griddle 38cm", "GRD-3808-BK", "Toronto FC", 45, 18, 9)]
    prod, sku, wh, avail0, want, avail1 = V[i]
    tools = [tool_def("search_catalog", "Search the product catalog.", {"query": ("string", "product search text")}),
             tool_def("check_stock", "Current stock for a SKU at a warehouse.",
                      {"sku": ("string", "SKU"), "warehouse": ("string", "warehouse name")}),
             tool_def("reserve_stock", "Place a hold on stock for an order.",
                      {"sku": ("string", "SKU"), "warehouse": ("string", "warehouse name"), "qty": ("integer", "units")}),
             tool_def("get_supplier_eta", "Next inbound delivery for a SKU.", {"sku": ("string", "SKU")})] + FILLER_TOOLS
    cat = [{"sku": "%s-%04d-%s" % (rng.choice(["LMP", "BPK", "CPO", "BAL", "CHR", "GRD", "MUG", "RUG"]),
                                    rng.randint(1000, 9999), rng.choice(["BK", "WH", "GR", "BL"])),
            "name": rng.choice(["Desk lamp", "Daypack", "Kettle", "Scooter", "Stool", "Frying pan", "Mug set", "Rug"]) +
            ", " + rng.choice(["matte black", "white", "grey", "navy", "oak"]),
            "description": sentences(rng, CHAT["home"], 2)} for _ in range(rng.randint(6, 12))]
    cat.insert(rng.randint(0, len(cat)), {"sku": sku, "name": prod, "description": sentences(rng, CHAT["home"], 2)})
    on_hand = avail0 + rng.randint(3, 9)
    items = [S("You are an order-operations agent. Use the tools to check stock and place holds."),
             U("Account ACC-%d wants %d units of the %s. Find the SKU, check what %s has, put a hold on %d, "
               "and see when the supplier can refill. Keep going until you have everything." % (rng.randint(30000, 99999), want, prod, wh, want))]
    items += tool_pair(rng, "search_catalog", {"query": prod}, {"results": cat})
    items += [Fill(0.5, "agent")]
    items += tool_pair(rng, "check_stock", {"sku": sku, "warehouse": wh},
                       {"sku": sku, "warehouse": wh, "on_hand": on_hand, "available": avail0, "as_of": "09:12"})
    items += [Fill(1.0, "agent")]
    items += tool_pair(rng, "reserve_stock", {"sku": sku, "warehouse": wh, "qty": want},
                       {"reservation_id": "RSV-%d" % rng.randint(100000, 999999), "reserved": want, "status": "held",
                        "remaining_available": avail0 - want})
    items += [Fill(1.0, "agent")]
    items += tool_pair(rng, "check_stock", {"sku": sku, "warehouse": wh},
                       {"sku": sku, "warehouse": wh, "on_hand": avail1 + want + rng.randint(1, 4), "available": avail1,
                        "as_of": "11:47", "note": "other channels placed orders since the last check"})
    items += [Fill(0.7, "agent")]
    items += tool_pair(rng, "get_supplier_eta", {"sku": sku},
                       {"sku": sku, "next_delivery": "in about two weeks", "inbound_units": rng.randint(50, 200),
                        "supplier_note": sentences(rng, POLICY, 3)})
    items += [Fill(0.6, "agent"),
              A("The hold is placed and I have the supplier's refill estimate. Shall I draft the reply to the account?"),
              U("Before you draft anything: how many units can we still promise to other customers from %s, going by your most recent look?" % wh)]
    need = '"available": %d' % avail1
    forb = ['"available": %d' % avail0, '"remaining_available": %d' % (avail0 - want)]
    return dict(items=items, needed=[need], forbidden=forb, tools=tools,
                notes="Agent loop: the same check_stock call returns a stale then a fresh count; a reserve result in "
                      "between gives a third, also outdated, figure.")


HB = [
    ("Jonas from payroll told me we can roll over up to 10 days of vacation into next year.",
     "Time off", "Annual leave carry-over: a maximum of 7 unused vacation days may be carried into the following calendar year; any remaining balance lapses on 31 December.",
     "a maximum of 7 unused vacation days", "roll over up to 10 days",
     "If I don't use up all my time off this year, how much of it survives into January?"),
    ("My manager reckons dinner on work trips is capped at 60 euros.",
     "Travel and expenses", "Meals on business travel: evening meals are reimbursed up to EUR 45 per person, including tip, on presentation of an itemised receipt.",
     "up to EUR 45 per person", "capped at 60 euros",
     "What's the most I can claim back for supper when I'm away on company business?"),
    ("Someone in the general channel said it's three home-office days a week now.",
     "Hybrid working", "Remote work: staff may work remotely for no more than two days in any calendar week, agreed in advance with their manager.",
     "no more than two days in any calendar week", "three home-office days a week",
     "How many days each week am I allowed to do my job from my flat instead of coming in?"),
    ("IT told one of the new hires the home setup stipend is 1,500 dollars.",
     "Equipment", "Home-office equipment: each employee receives a one-time allowance of USD 800 for a desk, chair or monitor.",
     "a one-time allowance of USD 800", "stipend is 1,500 dollars",
     "How much will the company give me towards buying furniture for working at home?"),
    ("The old wiki says on-call pays 150 pounds a weekend.",
     "On-call", "On-call compensation: engineers receive a flat payment of GBP 240 for each weekend they are on the rota, paid with the next salary run.",
     "a flat payment of GBP 240 for each weekend", "pays 150 pounds a weekend",
     "What's the extra money for being the one who carries the pager over Saturday and Sunday?"),
    ("A friend at the Berlin office said partners only get 4 weeks when a baby arrives.",
     "Family leave", "Parental leave: the non-birthing parent is entitled to 12 weeks of fully paid leave, to be taken within the first year after the birth or adoption.",
     "12 weeks of fully paid leave", "only get 4 weeks",
     "How much paid time off does a new dad get here?"),
]


def k_handbook_paraphrase(rng, i, T):
    rumor, heading, clause, need, forb, q = HB[i]
    doc_chars = int(T * 4 * 0.5)
    heads = POLICY_HEADINGS[:]
    rng.shuffle(heads)
    secs, n = [], 0
    while n < doc_chars:
        h = heads[len(secs) % len(heads)]
        s = policy_section(rng, h)
        secs.append(s)
        n += len(s) + 2
    pos = rng.randint(len(secs) // 4, 3 * len(secs) // 4)
    secs.insert(pos, policy_section(rng, heading, extra=clause))
    doc = "# Employee Handbook, current edition\n\n" + "\n\n".join(secs)
    items = [S("You are an HR helpdesk assistant. Answer from official documents when they are available."),
             U("Quick sanity check: %s Does that sound right to you?" % rumor),
             A("I can't confirm that from memory; policies differ between companies. If you can paste the handbook, I'll check the exact wording."),
             Fill(1.0, "chat"),
             U("Found it. Here's the full handbook from the intranet:\n\n" + doc),
             A("Thanks, I have the current handbook now."),
             Fill(0.8, "chat"),
             U(q)]
    return dict(items=items, needed=[need], forbidden=[forb],
                notes="Answer is one clause inside a long pasted handbook, asked with different words; an earlier hearsay "
                      "figure is wrong.")


MEDS = [
    ("Mum", "metoprolol", "Dr. Patel", "25 mg twice a day", "50 mg once every morning",
     "Remind me what Mum is meant to be taking for her heart pills now, and how often?"),
    ("Dad", "levothyroxine", "the GP", "75 mcg on an empty stomach", "88 mcg on an empty stomach",
     "What strength is Dad's thyroid tablet these days?"),
    ("our dog Biscuit", "carprofen", "the vet", "half a 100 mg tablet twice daily", "one 75 mg tablet once daily with food",
     "How much of the anti-inflammatory should Biscuit be getting now, and how often?"),
    ("my son", "amoxicillin suspension", "the paediatrician", "5 ml three times a day", "7.5 ml twice a day",
     "How much of the antibiotic syrup does my boy get per dose now, and how many times a day?"),
    ("Grandpa", "warfarin", "the anticoagulation clinic", "3 mg on weekdays and 4 mg at weekends", "2.5 mg every evening",
     "What dose of the blood thinner is Grandpa on at the moment?"),
    ("my partner", "sertraline", "the psychiatrist", "50 mg with breakfast", "100 mg with breakfast",
     "What's the current daily amount of the antidepressant my partner takes?"),
]


def k_medication_dose_change(rng, i, T):
    who, med, doc, old, new, q = MEDS[i]
    items = [S("You are a helpful assistant for a family caregiver. You help them keep track of appointments, meals and medicines. "
               "You do not give medical advice beyond what their clinicians said."),
             Fill(0.3, "chat"),
             U("Keeping notes here so I don't lose them. %s saw %s today and was started on %s, %s." % (who, doc, med, old)),
             A("Noted. I'll keep that in the care notes. Let me know whenever anything changes."),
             Fill(1.0, "chat"),
             U("Update after the follow-up with %s: they changed the %s. From now on it's %s. The old instructions are cancelled." %
               (doc, med, new)),
             A("Thanks, I've updated the care notes with the new instructions."),
             Fill(0.9 if i % 2 else 0.4, "chat"),
             U(q)]
    return dict(items=items, needed=[new], forbidden=[old],
                notes="Caregiver notes; a dose is replaced at a follow-up. Question names the medicine by its purpose, not its name.")


INC = [
    ("checkout-api", "CheckoutLatencyP99High", "02:17:42", "PaymentsQueueBacklog", "02:41:09", "02:26:30"),
    ("search", "SearchErrorRateHigh", "04:08:15", "IndexerLagging", "04:33:51", "04:19:02"),
    ("auth", "LoginFailureSpike", "01:52:07", "TokenServiceSaturated", "02:15:44", "02:03:19"),
    ("cdn-edge", "Edge5xxRatio", "03:05:38", "OriginConnectTimeouts", "03:29:12", "03:14:50"),
    ("orders-db", "ReplicationLagHigh", "05:44:26", "DiskIOSaturation", "06:07:33", "05:58:41"),
    ("notifier", "PushDeliveryFailures", "00:36:59", "ApnsCertExpiringSoon", "00:58:20", "00:47:05"),
]
INC_Q = ["For the postmortem timeline: at what exact time did the very first alert go off?",
         "When did the earliest alarm in this whole incident trigger? I need the precise timestamp for the write-up.",
         "What time did things first start paging, going by the alert's own start time?",
         "I'm writing the timeline. What's the start time of the first alert that fired tonight?",
         "What was the opening alert's start timestamp? Not when someone acked it, when it actually started.",
         "Earliest alert start time, please, for the incident report."]


def k_incident_first_alert(rng, i, T):
    svc, a1, t1, a2, t2, ack = INC[i]
    day = "2026-03-%02d" % (10 + i)
    items = [S("You are an SRE assistant helping during and after incidents. Keep an accurate timeline."),
             U("Opening an incident channel. First thing that came in:\n\n```\nFIRING [P2] %s\nservice=%s env=prod region=eu-west\n"
               "started_at=%sT%sZ\nsummary: %s above threshold for five consecutive minutes\nrunbook: runbooks/%s.md\n```" %
               (a1, svc, day, t1, a1, svc)),
             A("Acknowledged. I'll keep a timeline as things come in. First step: check recent deploys for %s." % svc),
             Fill(0.5, "logs"),
             U("I acked the page at %s, sorry, was asleep." % ack),
             A("No problem, I've noted the acknowledgement."),
             Fill(1.0, "logs"),
             U("Second alert now:\n\n```\nFIRING [P3] %s\nservice=%s env=prod\nstarted_at=%sT%sZ\n```" % (a2, svc, day, t2)),
             A("Noted. That second one looks like a downstream effect of the first."),
             Fill(1.2, "logs"),
             U(INC_Q[i])]
    return dict(items=items, needed=[t1], forbidden=[t2, ack], ctx={"hour_lo": 12, "hour_hi": 20},
                notes="The answer is in the first user message; later timestamps (ack time, second alert) look alike. "
                      "Filler logs are stamped in a different part of the day.")


DEPS = [
    dict(eco="requirements.txt", svc="api", other="worker", stale="orjson==3.9.10", new="orjson==3.9.15", look="orjson==3.10.15",
         line=lambda r, p: "%s==%d.%d.%d" % (p, r.randint(0, 9), r.randint(0, 30), r.randint(0, 20)),
         pkgs=["fastapi", "pydantic", "httpx", "sqlalchemy", "alembic", "redis", "celery", "structlog", "uvicorn",
               "tenacity", "boto3", "jinja2", "pyyaml", "python-dateutil", "prometheus-client", "sentry-sdk"],
         q="Which exact release of the fast JSON library is the api service pinned to now?"),
    dict(eco="requirements.txt", svc="payments", other="batch", stale="cryptography==41.0.7", new="cryptography==42.0.4",
         look="cryptography==42.0.2",
         line=lambda r, p: "%s==%d.%d.%d" % (p, r.randint(0, 9), r.randint(0, 30), r.randint(0, 20)),
         pkgs=["flask", "gunicorn", "requests", "psycopg2-binary", "marshmallow", "stripe", "attrs", "click", "rich",
               "msgpack", "cachetools", "pyjwt", "lxml", "certifi"],
         q="What version of the crypto primitives package did the payments service end up on after the security fix?"),
    dict(eco="package.json", svc="web frontend", other="admin dashboard", stale='"axios": "1.6.2"', new='"axios": "1.6.8"',
         look='"axios": "1.8.6"',
         line=lambda r, p: '"%s": "%d.%d.%d",' % (p, r.randint(0, 19), r.randint(0, 30), r.randint(0, 20)),
         pkgs=["react", "react-dom", "zustand", "date-fns", "zod", "clsx", "i18next", "vite", "vitest", "eslint",
               "prettier", "typescript", "tailwindcss", "msw"],
         q="What version of the HTTP request library is the web frontend using since the security bump?"),
    dict(eco="go.mod", svc="gateway", other="scheduler", stale="golang.org/x/net v0.17.0", new="golang.org/x/net v0.23.0",
         look="golang.org/x/net v0.32.0",
         line=lambda r, p: "\t%s v%d.%d.%d" % (p, r.randint(0, 2), r.randint(0, 30), r.randint(0, 20)),
         pkgs=["github.com/go-chi/chi/v5", "github.com/rs/zerolog", "google.golang.org/grpc", "github.com/jackc/pgx/v5",
               "github.com/spf13/cobra", "go.opentelemetry.io/otel", "github.com/redis/go-redis/v9", "golang.org/x/sync"],
         q="Which version of the Go extended networking module did the gateway end up requiring?"),
    dict(eco="Cargo.toml", svc="ingest", other="exporter", stale='tokio = "1.36.0"', new='tokio = "1.38.2"', look='tokio = "1.28.3"',
         line=lambda r, p: '%s = "%d.%d.%d"' % (p, r.randint(0, 4), r.randint(0, 30), r.randint(0, 20)),
         pkgs=["serde", "serde_json", "anyhow", "thiserror", "tracing", "reqwest", "clap", "bytes", "futures", "rand",
               "chrono", "uuid"],
         q="What version of the async runtime is the ingest crate pinned to now?"),
    dict(eco="pom.xml dependency list", svc="reporting", other="billing", stale="jackson-databind 2.15.3", new="jackson-databind 2.16.2",
         look="jackson-databind 2.16.1",
         line=lambda r, p: "%s %d.%d.%d" % (p, r.randint(1, 9), r.randint(0, 30), r.randint(0, 20)),
         pkgs=["spring-boot-starter-web", "spring-boot-starter-data-jpa", "postgresql", "flyway-core", "micrometer-core",
               "lombok", "mapstruct", "guava", "commons-lang3", "logback-classic", "junit-jupiter"],
         q="Which release of the JSON serialization library is the reporting service on at this point?"),
]


def k_dependency_pin_lookalike(rng, i, T):
    d = DEPS[i]
    def manifest(special):
        pk = rng.sample(d["pkgs"], rng.randint(len(d["pkgs"]) - 4, len(d["pkgs"])))
        lines = [d["line"](rng, p) for p in pk]
        lines.insert(rng.randint(0, len(lines)), ("\t" if d["eco"] == "go.mod" else "") + special + ("," if d["eco"] == "package.json" else ""))
        head, tail = {"package.json": ('{\n  "name": "%s",\n  "dependencies": {' % d["svc"].replace(" ", "-"), "  }\n}"),
                      "go.mod": ("module example.com/%s\n\nrequire (" % d["svc"], ")"),
                      "Cargo.toml": ('[package]\nname = "%s"\n\n[dependencies]' % d["svc"], "")}.get(d["eco"], ("", ""))
        if d["eco"] == "package.json":
            lines[-1] = lines[-1].rstrip(",")
            lines = ["    " + ln for ln in lines]
        return "\n".join(x for x in [head] + lines + [tail] if x)

    m1 = manifest(d["stale"])
    m2 = manifest(d["look"])
    items = [S("You are a build and release engineer's assistant. Be exact about versions."),
             U("Context for today: this is the %s of the %s service as of this morning:\n\n```\n%s\n```" % (d["eco"], d["svc"], m1)),
             A("Got it, I have the %s service's %s." % (d["svc"], d["eco"])),
             Fill(1.0, "chat"),
             U("Security advisory came in, so I bumped it in the %s service. The line now reads `%s` and CI is green." %
               (d["svc"], d["new"])),
             A("Great, noted the bump for the %s service." % d["svc"]),
             Fill(0.8, "chat"),
             U("For comparison, the %s service has its own file, we haven't touched it:\n\n```\n%s\n```" % (d["other"], m2)),
             A("Thanks. The %s service is on its own versions, separate from %s." % (d["other"], d["svc"])),
             Fill(0.7, "chat"),
             U(d["q"])]
    return dict(items=items, needed=[d["new"]], forbidden=[d["stale"], d["look"]],
                notes="Version strings that differ by a digit: the morning manifest (stale), the bump (answer), and "
                      "another service's manifest (look-alike). Question names the library by what it does.")


BI = [("es", "robot aspirador", "robot vacuum", "SN-7F3K-22Q9", "SN-7F3K-29Q2", "SN-7F3K-92Q2"),
      ("de", "Staubsaugerroboter", "robot vacuum", "RX4-0088-1719", "RX4-0088-1791", "RX4-0088-7119"),
      ("fr", "casque sans fil", "wireless headset", "HB-55210-KQ", "HB-55201-KQ", "HB-52510-KQ"),
      ("pt", "relógio desportivo", "sports watch", "WT9-A3317-P", "WT9-A3371-P", "WT9-A3137-P"),
      ("it", "altoparlante smart", "smart speaker", "SPK-60Q-4482", "SPK-60Q-4428", "SPK-06Q-4482"),
      ("nl", "e-reader", "e-reader", "ER7-2219-ZL", "ER7-2291-ZL", "ER7-2219-LZ")]


def k_bilingual_support_serial(rng, i, T):
    lang, dev, dev_en, wrong, right, base = BI[i]
    L = LANGS[lang]
    m1 = "%s %s %s" % (L["greet"][0], L["issue"][0].format(dev=dev), L["serial"].format(s=wrong))
    items = [S("You are a support copilot. The user is a support agent handling a ticket; you translate customer messages "
               "and help prepare RMA paperwork."),
             U("New ticket, customer writes in %s:\n\n\"%s\"\n\nTranslate please?" % (L["name"], m1)),
             A("In English: \"%s %s\" They also give the serial number from the label; I'll keep it on the ticket." %
               (L["greet"][1], L["issue"][1].format(dev=dev_en))),
             Fill(0.6, "foreign"),
             U("Customer again:\n\n\"%s\"" % L["base"].format(s=base)),
             A("They're giving the number printed on the charging base, which is a separate part from the %s itself." % dev_en),
             Fill(1.0, "foreign"),
             U("And another message:\n\n\"%s\"" % L["fix"].format(s=right)),
             A("They say they misread the label earlier and are sending the correct serial number for the %s." % dev_en),
             Fill(0.8, "foreign"),
             U("OK, I'm filling in the RMA form. What's the right serial number for the unit itself?")]
    return dict(items=items, needed=[right], forbidden=[wrong, base], ctx={"lang": lang},
                notes="Customer writes in %s; gives a misread serial, then the charging base's number, then the corrected "
                      "serial. All three differ by swapped characters. Question is in English." % L["name"])


NEG = [("Northwind Scaffolding", "scaffold hire for the Harbour Street build", "$48,500", "$42,000", "$45,200", "$44,750",
        "net-30", "net-45", "USD"),
       ("Kestrel Catering", "the conference catering package", "€18,900", "€15,500", "€17,400", "€16,850",
        "payment on the day", "50% deposit with the balance due within 14 days", "EUR"),
       ("Bramble Analytics", "the three-year analytics licence", "£72,000", "£58,000", "£66,500", "£63,900",
        "annual upfront", "quarterly in advance", "GBP"),
       ("Helios Solar Installers", "the warehouse rooftop array", "$131,000", "$112,000", "$124,800", "$119,600",
        "40% on signing", "30% on signing, 60% at commissioning, 10% after the 90-day check", "USD"),
       ("Fjord Freight", "the annual container lane contract", "NOK 2,480,000", "NOK 2,150,000", "NOK 2,390,000",
        "NOK 2,315,000", "quarterly in arrears", "monthly in arrears with a 2% early-payment discount", "NOK"),
       ("Sakura Print Works", "the catalogue print run", "¥3,860,000", "¥3,200,000", "¥3,610,000", "¥3,475,000",
        "cash on delivery", "end of the following month", "JPY")]


def k_price_negotiation_final(rng, i, T):
    vend, what, p0, c1, p2, fin, terms0, terms1, cur = NEG[i]
    them = rng.choice(["Marta Kowalczyk", "Dev Anand", "Sigrid Holm", "Ollie Bassett"])
    us = rng.choice(["Jess Porter", "Sam Adebayo", "Nina Rossi"])
    dom = vend.split()[0].lower()
    e = lambda frm, to, subj, body, name, title, co: email(rng, frm, to, subj, body, name, title, co)
    e1 = e("%s@%s.example" % (them.split()[0].lower(), dom), "procurement@ourco.example", "Quote: " + what,
           "Thanks for the call. For %s our price is %s, with payment terms of %s. %s" % (what, p0, terms0, sentences(rng, EMAILV, 3)),
           them, "Account Manager", vend)
    e2 = e("procurement@ourco.example", "%s@%s.example" % (them.split()[0].lower(), dom), "Re: Quote: " + what,
           "Appreciate the quick turnaround. Our budget for %s is %s. Is there room to move?" % (what, c1), us, "Procurement", "OurCo")
    e3 = e("%s@%s.example" % (them.split()[0].lower(), dom), "procurement@ourco.example", "Re: Re: Quote: " + what,
           "We've looked again and can come down to %s, but that's close to our floor. %s" % (p2, sentences(rng, EMAILV, 2)),
           them, "Account Manager", vend)
    e4 = e("%s@%s.example" % (them.split()[0].lower(), dom), "procurement@ourco.example", "Confirmed: " + what,
           "Following your director's call with ours, we're happy to confirm %s for %s, with payment terms of %s. "
           "Contract to follow for signature." % (fin, what, terms1), them, "Account Manager", vend)
    items = [S("You are a procurement assistant. Keep track of supplier negotiations accurately."),
             Fill(0.3, "chat"),
             U("First email from %s:\n\n%s" % (vend, e1)), A("Noted their opening quote."),
             Fill(0.8, "chat"),
             U("Here's what I sent back:\n\n%s" % e2), A("Good, that anchors them lower."),
             Fill(0.8, "chat"),
             U("Their reply:\n\n%s" % e3), A("Noted their revised offer."),
             Fill(0.8, "chat"),
             U("And this came in this morning:\n\n%s" % e4), A("That looks like the final agreed deal."),
             Fill(0.7, "chat"),
             U("For the PO: what did we end up agreeing to pay %s, and on what payment schedule?" % vend)]
    return dict(items=items, needed=[fin, terms1], forbidden=[p0, c1, p2, terms0],
                notes="Email thread pasted over time: opening quote, counter, revised quote, final confirmation with "
                      "new terms. Earlier prices and terms are superseded.")


JOIN = [("ORD-55812", "C-1128", "C-1182", "j.varga@lumenhaus.example", "m.okafor@lumenhaus.example", "HR-ADDR-07",
         "address failed validation: missing apartment number"),
        ("ORD-70341", "C-4471", "C-4417", "orders@tallpine-cafe.example", "billing@tallpine-cafe.example", "HR-PAY-12",
         "payment authorisation expired before pick"),
        ("ORD-19026", "C-3309", "C-3390", "r.haddad@kitemail.example", "r.haddad@kitmail.example", "HR-AGE-03",
         "age verification required for restricted item"),
        ("ORD-84460", "C-7752", "C-7725", "procure@northgate-clinic.example", "frontdesk@northgate-clinic.example",
         "HR-HAZ-21", "hazmat paperwork missing for lithium batteries"),
        ("ORD-33178", "C-2604", "C-2640", "anna.lind@fjellpost.example", "anna.lindqvist@fjellpost.example", "HR-CUS-09",
         "customs commodity code rejected"),
        ("ORD-62907", "C-9135", "C-9153", "ops@greywater-labs.example", "ops@greywater-lab.example", "HR-FRD-15",
         "fraud screen flagged mismatched billing country")]


def k_agent_multi_result_join(rng, i, T):
    oid, cust, typo, email_ok, email_bad, code, reason = JOIN[i]
    tools = [tool_def("get_order", "Fetch an order by id.", {"order_id": ("string", "order id")}),
             tool_def("get_customer", "Fetch a customer record.", {"customer_id": ("string", "customer id")}),
             tool_def("get_warehouse_status", "Fulfilment status for an order.", {"order_id": ("string", "order id")}),
             tool_def("get_carrier_events", "Carrier scan events for a tracking number.", {"tracking": ("string", "tracking number")})] + FILLER_TOOLS
    lines = [{"line": k + 1, "sku": "%s-%04d" % (rng.choice(["TSH", "MUG", "CBL", "BAT", "LMP"]), rng.randint(1000, 9999)),
              "qty": rng.randint(1, 6), "unit_price": round(rng.uniform(4, 90), 2)} for k in range(rng.randint(4, 10))]
    order = {"order_id": oid, "customer_id": cust, "status": "on_hold", "placed": "2026-02-%02d" % rng.randint(1, 27),
             "lines": lines, "ship_to_country": rng.choice(["SE", "DE", "NL", "FR", "GB", "IE"])}

    names = [("Lumen Haus", "Lumen Haus Outlet"), ("Tall Pine Cafe", "Tall Pine Cafe (catering account)"),
             ("Kite Studio", "Kit Studio Supplies"), ("Northgate Clinic", "Northgate Clinic Reception"),
             ("Fjellpost AS", "Fjellpost AS (Bergen office)"), ("Greywater Labs", "Greywater Lab Services")][i]

    def customer(cid, em):
        return {"customer_id": cid, "name": names[0] if cid == cust else names[1],
                "contact_email": em, "tier": rng.choice(["gold", "standard"]),
                "notes": sentences(rng, POLICY, 3)}
    items = [S("You are a fulfilment support agent. Use the tools to investigate orders, then answer the user."),
             U("Order %s hasn't shipped and the customer is chasing. Figure out why, and get me what I need to email them." % oid)]
    items += tool_pair(rng, "get_order", {"order_id": oid}, order)
    items += tool_pair(rng, "get_customer", {"customer_id": typo}, customer(typo, email_bad))
    items += [Fill(0.3, "agent")]
    items += tool_pair(rng, "get_customer", {"customer_id": cust}, customer(cust, email_ok))
    items += [Fill(1.0, "agent")]
    items += tool_pair(rng, "get_warehouse_status", {"order_id": oid},
                       {"order_id": oid, "state": "held", "hold_reason_code": code, "hold_reason": reason,
                        "since": "2026-03-0%d" % rng.randint(1, 9)})
    items += [Fill(0.8, "agent")]
    items += tool_pair(rng, "get_carrier_events", {"tracking": "none"}, {"tracking": None, "events": [],
                                                                        "message": "no label has been created for this order"})
    items += [Fill(0.5, "agent"),
              A("I've found why it's stuck and I have the customer's contact details."),
              U("Great. Which email address should the note go to, and what's the warehouse's hold code so I can quote it?")]
    return dict(items=items, needed=[email_ok, code], forbidden=[email_bad], tools=tools,
                notes="Agent loop: answer joins two tool results (customer record, warehouse status). The agent first "
                      "fetched a customer with a transposed id, whose email looks alike.")


STUDIES = [("Halvorsen et al. (2019)", "the Norwegian night-shift cohort", "n = 2,204", "n = 2,418", "n = 2,481",
            "Brandt & Keller (2021)", "How many people were in the final analysis of the Scandinavian shift-work paper, the published one?"),
           ("Morita et al. (2020)", "the Osaka salt-reduction trial", "N=612", "N=587", "N=578", "Ueda & Shimizu (2018)",
            "For the Japanese trial on cutting dietary sodium: how many participants made it into the published analysis?"),
           ("Souza & Prado (2018)", "the Recife school-meals study", "1,093 children", "1,039 children", "1,309 children",
            "Amaral et al. (2020)", "How many pupils did the Brazilian study on free lunches end up analysing in the journal version?"),
           ("Tremblay et al. (2022)", "the Quebec remote-work productivity survey", "3,806 respondents", "3,608 respondents",
            "3,680 respondents", "Gauthier & Roy (2021)",
            "How many people answered the Canadian survey about working from home, per the final paper?"),
           ("Wanjiru et al. (2017)", "the Kisumu solar lantern evaluation", "842 households", "824 households", "428 households",
            "Otieno et al. (2019)", "How many homes were in the final published sample of the Kenyan study on solar lamps?"),
           ("Becker et al. (2021)", "the Munich hand-hygiene audit", "17,530 observations", "17,350 observations",
            "15,730 observations", "Vogel & Hartmann (2020)",
            "How many observed opportunities did the German hospital hand-washing study report in its published version?")]


def k_research_notes_attribution(rng, i, T):
    ref, desc, n_pre, n_pub, n_look, other, q = STUDIES[i]
    body = lambda k: paragraph_block(rng, RESEARCH, (k, k + 2), (4, 7))
    items = [S("You are a research assistant helping with a literature review. Keep study details straight."),
             U("Notes on the preprint of %s (%s), before peer review:\n\n%s\n\nPreprint sample: %s." % (ref, desc, body(2), n_pre)),
             A("Logged the preprint notes for %s." % ref.split(" (")[0]),
             Fill(1.0, "research"),
             U("Notes on %s, a different group working on a similar question:\n\n%s\n\nTheir sample: %s." % (other, body(1), n_look)),
             A("Logged %s." % other),
             Fill(0.8, "research"),
             U("Now the published journal version of %s. Several exclusions changed after review:\n\n%s\n\nFinal analytic sample: %s." %
               (ref, body(2), n_pub)),
             A("Logged the published version; I'll treat its figures as the ones to cite."),
             Fill(0.8, "research"),
             U(q)]
    return dict(items=items, needed=[n_pub], forbidden=[n_pre, n_look],
                notes="Lit-review notes pasted study by study: preprint count (stale), a similar study's count (look-alike, "
                      "digits permuted), the published count (answer). Question describes the study, not the authors.")


KINDS = [
    ("meeting_transcript_owner", k_meeting_transcript_owner),
    ("ledger_csv_synonym", k_ledger_csv_synonym),
    ("code_review_final_value", k_code_review_final_value),
    ("agent_stock_recheck", k_agent_stock_recheck),
    ("handbook_paraphrase", k_handbook_paraphrase),
    ("medication_dose_change", k_medication_dose_change),
    ("incident_first_alert", k_incident_first_alert),
    ("dependency_pin_lookalike", k_dependency_pin_lookalike),
    ("bilingual_support_serial", k_bilingual_support_serial),
    ("price_negotiation_final", k_price_negotiation_final),
    ("agent_multi_result_join", k_agent_multi_result_join),
    ("research_notes_attribution", k_research_notes_attribution),
]


# ---------------------------------------------------------------------------------------------
# builder and checks


def expand_fills(rng, spec, T):
    items = spec["items"]
    banned = spec["needed"] + spec["forbidden"]
    ctx = spec.get("ctx", {})
    fixed = sum(msg_chars(m) for m in items if isinstance(m, dict))
    fills = [it for it in items if isinstance(it, Fill)]
    budget = T * 4 - fixed
    if budget < 0:
        raise SystemExit("fixed content over target for %s" % spec.get("id"))
    total_w = sum(f.weight for f in fills) or 1.0
    out = []
    for it in items:
        if isinstance(it, dict):
            out.append(it)
            continue
        want, got = budget * it.weight / total_w, 0
        while got < want - 600:
            for _ in range(60):
                unit = fill_unit(rng, it.style, ctx)
                if any(b in (m.get("content") or "") for m in unit for b in banned):
                    continue        # filler must never contain an answer or a stale value
                if got + sum(msg_chars(m) for m in unit) <= want + 800 or _ >= 40:
                    break
            else:
                raise SystemExit("could not make clean filler")
            out += unit
            got += sum(msg_chars(m) for m in unit)
    return out


def check_case(c):
    msgs = c["messages"]
    cid = c["id"]
    assert msgs[0]["role"] == "system" and msgs[-1]["role"] == "user", cid
    final, system = msgs[-1]["content"], msgs[0]["content"]
    body = msgs[1:-1]
    texts = [m.get("content") or "" for m in body]
    for n in c["needed"]:
        assert n not in final and n not in system, (cid, n)
        assert any(n in t for t in texts), (cid, n)
    for f in c["forbidden_stale"]:
        assert f not in final and f not in system, (cid, f)
        assert any(f in t for t in texts), (cid, f)
        for n in c["needed"]:
            assert f not in n and n not in f, (cid, f, n)
    for t in texts:   # a message that holds an answer never also holds a stale value
        if any(n in t for n in c["needed"]):
            assert not any(f in t for f in c["forbidden_stale"]), (cid, t[:80])
    # tool-call structure: every call answered by exactly one tool message, right after its call
    ids = set()
    for k, m in enumerate(msgs):
        if m.get("tool_calls"):
            assert m["role"] == "assistant" and m["content"] is None, cid
            for tc in m["tool_calls"]:
                ids.add(tc["id"])
                answers = [x for x in msgs if x["role"] == "tool" and x["tool_call_id"] == tc["id"]]
                assert len(answers) == 1, (cid, tc["id"])
                assert msgs[k + 1] is answers[0], cid
        if m["role"] == "tool":
            assert m["tool_call_id"] in ids, cid
    assert ("tools" in c) == bool(ids), cid
    tok = est_tokens(msgs)
    assert MIN_TOK <= tok <= MAX_TOK, (cid, tok)


def build():
    cases = []
    for ki, (kind, fn) in enumerate(KINDS):
        for i in range(6):
            rng = random.Random(zlib.crc32(("%s:%d" % (kind, i)).encode()))
            T = TARGETS[(i + ki) % 6]
            spec = fn(rng, i, T)
            spec["id"] = "%s-%02d-%s" % (kind, i + 1, SUFFIX)
            msgs = expand_fills(rng, spec, T)
            c = {"id": spec["id"], "kind": kind, "messages": msgs}
            if spec.get("tools"):
                c["tools"] = spec["tools"]
            c.update(needed=spec["needed"], forbidden_stale=spec["forbidden"], notes=spec["notes"])
            check_case(c)
            cases.append(c)
    assert len({c["id"] for c in cases}) == len(cases) == 72
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--summary", action="store_true", help="print sizes per kind and per case")
    ap.add_argument("--out", default=str(HERE / "cases.jsonl"))
    args = ap.parse_args()
    cases = build()
    with open(args.out, "w", encoding="utf-8") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    print("wrote %d cases to %s" % (len(cases), args.out))
    if args.summary:
        by = {}
        for c in cases:
            by.setdefault(c["kind"], []).append(est_tokens(c["messages"]))
        print("%-28s %3s %7s %7s %7s" % ("kind", "n", "min", "mean", "max"))
        for k, v in by.items():
            print("%-28s %3d %7d %7d %7d" % (k, len(v), min(v), sum(v) // len(v), max(v)))
        allv = [t for v in by.values() for t in v]
        print("%-28s %3d %7d %7d %7d" % ("ALL", len(allv), min(allv), sum(allv) // len(allv), max(allv)))
        print()
        for c in cases:
            print("%-36s %6d tok %4d msgs%s" % (c["id"], est_tokens(c["messages"]), len(c["messages"]),
                                              "  tools" if "tools" in c else ""))


if __name__ == "__main__":
    sys.exit(main())
