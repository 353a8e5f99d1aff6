"""Deterministic generator of long multi-turn chat conversations with planted "needles".

Each conversation is a work chat between a user and an assistant (system prompt, user /
assistant turns, some tool calls with tool results). One to three needle facts are planted
in the first third of the conversation, either in a user message or in a tool result; the
final user question needs all of them. Everything else is chatter the question does not
need, in ten topics, including *distractors* built to share words with the needles: the
same project with other attributes, the same attribute for other projects, other numbers
in the same phrasing, and later turns that mention the needle's project again.

The final question paraphrases the needle the way a real follow-up does: it names the
project and the attribute (sharing some content words with the needle) but never the
value. Retention = the needle's value is still present somewhere in the pruned context.

    from convgen import generate
    convs = generate(200, seed=7)   # list[Conversation]
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

PROJECTS = ["Falcon", "Orion", "Juniper", "Atlas", "Beacon", "Cobalt", "Delta", "Ember", "Harbor", "Kestrel",
            "Lumen", "Meridian", "Nimbus", "Quartz", "Sierra", "Tundra", "Vega", "Willow", "Zephyr", "Granite"]
PEOPLE = ["Priya Nandakumar", "Tomasz Wilk", "Aiko Tanaka", "Samuel Okafor", "Lucia Moreno", "Henrik Olsen",
          "Fatima Zahra", "Diego Alvarez", "Mei Lin", "Jonas Becker", "Amara Nwosu", "Oliver Grant",
          "Sofia Rossi", "Rahul Mehta", "Elena Petrova", "Kwame Mensah"]
CITIES = ["Lisbon", "Toronto", "Nairobi", "Osaka", "Krakow", "Austin", "Melbourne", "Dublin", "Bogota", "Tallinn"]
VENDORS = ["Northwind Logistics", "Bluepeak Cloud", "Ironclad Security", "Sunleaf Catering", "Vantage Print",
           "Helix Analytics", "Crescent Telecom", "Summit Payroll"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

# Needle kinds: (attribute words used in the fact, question phrasing, value maker, fact templates, question templates)
NEEDLES: list[dict[str, Any]] = [
    {
        "kind": "port",
        "value": lambda r: str(r.randint(20000, 65000)),
        "facts": ["Quick note before I forget: the {p} staging database listens on port {v}, not the default one.",
                  "FYI the staging database for {p} was moved to port {v} after the firewall change."],
        "ask": ["which port the {p} staging database is on", "what port the {p} staging DB uses", "how I connect to {p} staging from my laptop"],
        "distract": ["The {q} staging database had a replication lag issue last night, we fixed it by restarting the replica.",
                     "Do you know why the default database port is blocked on the {q} staging network?",
                     "The {p} production database is behind the bastion host, so staging and production need different tunnels."],
    },
    {
        "kind": "budget",
        "value": lambda r: f"${r.randint(12, 480)},{r.randint(100, 999)}",
        "facts": ["Finance confirmed the budget cap for {p} this quarter: {v}, and it includes contractor hours.",
                  "Heads up, the {p} budget cap for the quarter is {v} all-in, per finance."],
        "ask": ["what budget cap finance gave us for {p}", "what {p}'s budget cap is this quarter", "how much we can spend on {p} before the end of the quarter"],
        "distract": ["Finance wants every project, including {q}, to report budget burn weekly from now on.",
                     "The {p} team asked whether cloud credits count against the quarterly budget; finance has not answered yet.",
                     "Our travel budget got cut by {n} percent, so the {q} offsite is probably virtual."],
    },
    {
        "kind": "contact",
        "value": lambda r: r.choice(PEOPLE),
        "facts": ["For {p}, the vendor-side account manager is {v}; send escalations to them directly.",
                  "The account manager on the vendor side for {p} is {v}, they handle all escalations."],
        "ask": ["who the vendor account manager for {p} is", "who handles {p} escalations on the vendor side", "who I should call at the supplier if {p} breaks"],
        "distract": ["The {q} vendor changed their escalation process; tickets now go through a portal first.",
                     "Our own account manager rotation for {p} internal reviews changes next month.",
                     "I had a call with the vendor about {q} and they promised a new manager soon."],
    },
    {
        "kind": "deadline",
        "value": lambda r: f"{r.choice(MONTHS)} {r.randint(2, 28)}",
        "facts": ["The client moved the {p} launch deadline to {v}, so the QA window shrinks.",
                  "New date from the client: the {p} launch deadline is now {v}."],
        "ask": ["what launch date the client set for {p}", "when the {p} launch deadline is now", "when {p} has to go live"],
        "distract": ["The {q} launch was pushed again, the client still has not signed off on the designs.",
                     "QA says the {p} regression suite takes {n} hours, which is tight for any launch window.",
                     "Deadlines for the {q} documentation are flexible, the client said end of quarter is fine."],
    },
    {
        "kind": "account",
        "value": lambda r: f"ACC-{r.randint(10000, 99999)}",
        "facts": ["The billing account id for {p} with the payment processor is {v}.",
                  "Note the payment processor billing account for {p}: {v}."],
        "ask": ["what the {p} billing account id at the payment processor is", "which billing account {p} uses with the processor", "the reference I quote to the processor for {p} invoices"],
        "distract": ["The payment processor sent a notice that {q} billing statements now arrive on the 5th.",
                     "We should close the old {p} sandbox account with the processor, it still bills a monthly fee.",
                     "Billing disputes for {q} go through the finance inbox, not the processor directly."],
    },
    {
        "kind": "city",
        "value": lambda r: r.choice(CITIES),
        "facts": ["We decided the {p} kickoff workshop will be held in {v}, the venue is booked.",
                  "Final call on the {p} kickoff workshop location: {v}. Venue confirmed."],
        "ask": ["which city the {p} kickoff workshop is in", "where we are holding the {p} kickoff workshop", "where I need to travel for the {p} kickoff"],
        "distract": ["The {q} workshop agenda still needs a session on data governance.",
                     "Several people asked whether the {p} kickoff will be recorded for remote attendees.",
                     "Venue prices in most cities went up about {n} percent this year."],
    },
    {
        "kind": "vendor",
        "value": lambda r: r.choice(VENDORS),
        "facts": ["Procurement approved {v} as the vendor for the {p} contract; the PO is in progress.",
                  "For the {p} contract, procurement went with {v} in the end."],
        "ask": ["which vendor procurement approved for the {p} contract", "who we picked as vendor for the {p} contract", "which company won the {p} deal"],
        "distract": ["Procurement says the {q} contract renewal needs three quotes this time.",
                     "The {p} contract template from legal has a new liability clause.",
                     "One of the vendors for {q} missed the RFP deadline by a day."],
    },
    {
        "kind": "version",
        "value": lambda r: f"{r.randint(2, 9)}.{r.randint(0, 19)}.{r.randint(0, 30)}",
        "facts": ["We pinned the {p} SDK to version {v} because the newer release breaks retries.",
                  "The {p} service must stay on SDK version {v} until the retry bug is fixed upstream."],
        "ask": ["which SDK version we pinned {p} to", "what SDK version {p} has to stay on", "which release of the client library {p} must not upgrade past"],
        "distract": ["The {q} SDK upgrade went fine, all integration tests passed on the first try.",
                     "Retries in the {p} worker are configured with exponential backoff and jitter.",
                     "Someone opened a ticket to upgrade the SDK in {q}, I'll review it tomorrow."],
    },
]

TOOL_NEEDLES = [
    {
        "kind": "order",
        "tool": "lookup_order",
        "ask_user": "Can you look up the {p} hardware order for me?",
        "args": lambda p, r: {"project": p, "kind": "hardware"},
        "result": lambda p, v, r: {"project": p, "status": "shipped", "tracking_number": v, "carrier": r.choice(["DHL", "UPS", "FedEx"]),
                                   "items": r.randint(2, 40), "warehouse": r.choice(CITIES)},
        "value": lambda r: f"1Z{r.randint(100000000, 999999999)}",
        "answer": "The {p} hardware order has shipped. I can share the tracking details whenever you need them.",
        "ask": ["what the tracking number of the {p} hardware order is", "how to track the {p} hardware shipment", "where the {p} laptops are in transit"],
    },
    {
        "kind": "ticket",
        "tool": "search_tickets",
        "ask_user": "Please find the open incident ticket for the {p} outage.",
        "args": lambda p, r: {"query": f"{p} outage", "status": "open"},
        "result": lambda p, v, r: {"results": [{"id": v, "title": f"{p} outage: elevated 5xx on checkout", "severity": r.choice(["SEV1", "SEV2"]),
                                                "assignee": r.choice(PEOPLE)}], "total": 1},
        "value": lambda r: f"INC-{r.randint(100000, 999999)}",
        "answer": "I found one open incident for the {p} outage; it is assigned and marked high severity.",
        "ask": ["what the incident ticket id for the {p} outage is", "which ticket tracks the {p} outage", "where I should post updates about the {p} downtime"],
    },
]

# Chatter: topic -> (user openers, assistant sentences). Slots: {p} project, {q} other project,
# {n} number, {c} city, {who} person.
TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "python": (
        ["I'm getting a KeyError in the {p} ingestion script when a record has no timestamp, any idea?",
         "How do I make this list comprehension faster? It processes about {n} thousand rows.",
         "What's the cleanest way to retry an HTTP call in Python with backoff?",
         "Can you explain async generators in Python with a small example?"],
        ["A KeyError usually means the dictionary lookup happens before you validate the record.",
         "You can use dict.get with a default value, or check membership explicitly before reading the key.",
         "For retries, a small loop with exponential backoff and a cap is often clearer than a decorator.",
         "Profiling first is worth it: run cProfile on a sample of {n} rows and look at the cumulative column.",
         "Async generators combine async def with yield, so the caller iterates with async for.",
         "If the rows come from a database, pushing the filter into the query is usually the biggest win.",
         "Keep the parsing and the I/O separate so each part can be tested on its own.",
         "```python\nfor attempt in range(5):\n    try:\n        return fetch(url)\n    except TimeoutError:\n        time.sleep(min(30, 2 ** attempt))\n```",
         "Type hints will not make it faster, but they make the refactor safer.",
         "A generator expression avoids building the whole intermediate list in memory.",
         "Logging the record id with the error makes these failures much easier to trace later."],
    ),
    "cooking": (
        ["What can I cook tonight with chickpeas, spinach and some leftover rice?",
         "Any tips for a crispier roast potato?",
         "I need a quick lunch idea I can prep on Sunday for the week."],
        ["A chickpea and spinach curry works well with rice and takes about {n} minutes.",
         "Parboil the potatoes, rough them up in the pot, and roast them in very hot oil.",
         "Toast the spices in oil first; it makes a big difference to the flavour.",
         "For meal prep, grain bowls keep well for four days if you store the dressing separately.",
         "A squeeze of lemon at the end brightens most lentil and bean dishes.",
         "If the rice is a day old, it is perfect for fried rice with an egg and frozen peas.",
         "Salt the water for the potatoes generously, like pasta water."],
    ),
    "travel": (
        ["I'm flying to {c} next month, what should I not miss?",
         "Is it worth getting a rail pass for two weeks in Europe?",
         "How early should I get to the airport for an international flight?"],
        ["{c} has a compact centre, so walking is the best way to see most of it.",
         "Book museum tickets online; queues can take an hour in summer.",
         "A rail pass pays off only if you take long trips on most days.",
         "Three hours before an international flight is a safe default.",
         "Local markets are a good place for lunch and cheaper than tourist restaurants.",
         "Check whether your phone plan covers roaming, or buy a local eSIM on arrival.",
         "Carry a little cash; some small shops in {c} do not take cards."],
    ),
    "meetings": (
        ["Can you help me write an agenda for the {p} weekly sync?",
         "How do I keep status meetings under 30 minutes?",
         "Draft a short message asking the {q} team to move our meeting to Thursday."],
        ["Start with decisions needed, then blockers, then updates that could be async.",
         "Ask people to post status in the channel beforehand so the meeting is only for discussion.",
         "Timebox each item and name an owner for every action before moving on.",
         "A rotating facilitator keeps meetings from depending on one person.",
         "Hi team, would Thursday at the same time work instead? Happy to adjust if not.",
         "Keep the agenda in a shared doc so people can add items up to an hour before.",
         "End with a two-minute recap of decisions and owners."],
    ),
    "writing": (
        ["Can you make this paragraph more concise? It's for the {p} quarterly report.",
         "How should I structure a design doc for a new service?",
         "What's a good subject line for an email announcing a process change?"],
        ["Lead with the conclusion, then give the two or three facts that support it.",
         "Cut filler phrases like 'in order to' and 'it is important to note that'.",
         "A design doc usually covers context, goals, non-goals, the proposal, alternatives and risks.",
         "Subject lines work best when they say what changes and when, in under ten words.",
         "Use active voice so it is clear who does what.",
         "Put numbers in a small table if there are more than three of them.",
         "Ask one reviewer to read it cold; if they get lost, the structure needs work."],
    ),
    "infra": (
        ["Our {q} Kubernetes pods keep getting OOMKilled, where do I start?",
         "Should we move the {p} cron jobs to a queue?",
         "How do I set up alerts that don't wake people up for nothing?"],
        ["Check the memory limits against actual usage in the metrics; limits are often copied from another service.",
         "OOMKilled with a steady climb usually points to a leak; a sawtooth points to batch sizes.",
         "A queue gives you retries and visibility that cron jobs lack.",
         "Alert on symptoms users feel, like error rate and latency, not on every CPU spike.",
         "Route low-urgency alerts to a channel and only page on sustained SLO burn.",
         "Keep a runbook link in every alert so the on-call person knows the first step.",
         "Load test with about {n} concurrent clients before changing the limits."],
    ),
    "hiring": (
        ["What questions should I ask in a backend engineer interview?",
         "How do I write a job post that attracts senior candidates?",
         "We have {n} applicants for the {p} role, how do I screen quickly?"],
        ["Ask candidates to walk through a system they built and what they would change now.",
         "A short, realistic exercise says more than puzzles.",
         "Be specific about the problems the team works on and the stack.",
         "List the salary range; it increases the number of serious applicants.",
         "Screen with three must-have criteria first, then read the rest closely.",
         "Give every candidate the same questions so comparisons are fair.",
         "Reply to every applicant, even with a short no; people remember."],
    ),
    "data": (
        ["The {p} dashboard numbers don't match the finance report, how do I debug that?",
         "Should we use a data warehouse or just query the replica?",
         "How do I explain a confidence interval to the {q} stakeholders?"],
        ["Start by comparing definitions: the dashboard may count events while finance counts invoices.",
         "Time zones are a classic source of off-by-one-day differences.",
         "A warehouse pays off once several teams need joined data from different sources.",
         "Querying the replica is fine for small teams, but heavy reports can slow it down.",
         "A confidence interval is the range where the true value probably lies, given the sample.",
         "Show the interval as error bars; people read pictures faster than numbers.",
         "Write down the metric definitions in one place and link them from every dashboard."],
    ),
    "fitness": (
        ["I want to start running, how many times a week?",
         "What's a good stretching routine after sitting all day?"],
        ["Three runs a week with a rest day between is a good start.",
         "Increase your weekly distance by about ten percent at most.",
         "Hip flexor and hamstring stretches help most after long sitting.",
         "Hold each stretch for about thirty seconds and breathe slowly.",
         "Walking breaks every hour help more than one long workout."],
    ),
    "project": (
        ["Can you summarise where {p} stands? I need to brief {who}.",
         "The {q} team is blocked on the API review again, how should I push it?",
         "What risks should go in the {p} status update this week?"],
        ["{p} is mostly on track; the open items are the migration plan and the load test.",
         "For the API review, ask for a specific slot and send the questions in advance.",
         "Risks worth listing: vendor delays, the test environment, and the on-call coverage during launch.",
         "Keep the update short: progress, next steps, and the one decision you need from leadership.",
         "{who} mostly cares about dates and risks, so lead with those.",
         "If the blocker has lasted more than a week, escalate with a proposed solution, not just the problem.",
         "The {q} dependency is the main thing that could slip the plan by {n} days."],
    ),
}

# Elaboration any answer may carry (assistants pad; so do people).
GENERIC = [
    "In practice the details depend on your setup, so treat this as a starting point rather than a rule.",
    "It is worth writing down what you tried and what happened, because the same question tends to come back a few weeks later.",
    "If you share a bit more context I can tailor this, but the general approach holds in most cases I have seen.",
    "One common mistake is to change several things at once; change one variable at a time so you know what helped.",
    "There is a trade-off between doing it quickly and doing it in a way that is easy to maintain later.",
    "Most teams find that a simple checklist prevents the majority of these problems.",
    "Start small, measure the effect, and only then decide whether the extra complexity is worth it.",
    "The documentation covers the edge cases, but the defaults are sensible for everyday use.",
    "It also helps to agree on who owns the follow-up, otherwise these things drift.",
    "As a rule of thumb, anything you do more than twice is worth automating or at least scripting.",
    "Keep in mind that estimates are usually optimistic, so leave a buffer of a day or two.",
    "If this becomes a recurring issue, a short retrospective with the people involved will surface the root cause.",
    "You can always revisit the decision later; the important part is to make the reasoning visible now.",
    "I would also double-check the assumptions with someone who has done this before.",
    "A small prototype often answers the question faster than a long discussion.",
    "Remember to communicate the change early, since surprises cost more goodwill than delays.",
    "When in doubt, prefer the option that is easier to undo.",
    "Numbers help here: even a rough measurement beats a strong opinion.",
]

SYSTEM_PROMPTS = [
    "You are a helpful assistant for a product team. Be concise and accurate. When you are unsure, say so.",
    "You are WorkPal, an assistant that helps with engineering, planning and everyday questions. Prefer short, direct answers.",
    "You are an AI assistant. Answer clearly, use bullet points when listing steps, and never invent facts about internal projects.",
]
ACKS = ["Got it, noted.", "Thanks, I'll keep that in mind for later.", "Noted. Anything else I should track?",
        "Understood, I've got that.", "Okay, thanks for the update."]
ACKS_REPEAT = ["Noted: {v} for {p}.", "Got it, {p}: {v}."]

TOOLS = [
    {"type": "function", "function": {"name": "lookup_order", "description": "Look up an order by project and kind.",
     "parameters": {"type": "object", "properties": {"project": {"type": "string", "description": "Project name"},
                                                      "kind": {"type": "string", "description": "Order kind", "enum": ["hardware", "software", "services"]}},
                    "required": ["project"]}}},
    {"type": "function", "function": {"name": "search_tickets", "description": "Search the ticket system.",
     "parameters": {"type": "object", "properties": {"query": {"type": "string", "description": "Search text"},
                                                      "status": {"type": "string", "description": "Ticket status", "enum": ["open", "closed"]}},
                    "required": ["query"]}}},
    {"type": "function", "function": {"name": "get_weather", "description": "Current weather for a city.",
     "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"}}, "required": ["city"]}}},
]


@dataclass
class Needle:
    kind: str
    project: str
    value: str
    message_index: int
    where: str  # "user" | "tool"


@dataclass
class Conversation:
    seed: int
    messages: list[dict[str, Any]]
    needles: list[Needle]
    tools: list[dict[str, Any]] = field(default_factory=lambda: TOOLS)
    model: str = "gpt-4o"
    stale: list[str] = field(default_factory=list)  # look-alike values that mislead if kept instead of a needle


def _fill(t: str, r: random.Random, p: str, q: str, slots: dict[str, Any] | None = None) -> str:
    s = slots or {"n": r.randint(2, 90), "c": r.choice(CITIES), "who": r.choice(PEOPLE)}
    return t.format(p=p, q=q, **s)


class _Builder:
    def __init__(self, r: random.Random) -> None:
        self.r = r
        self.messages: list[dict[str, Any]] = [{"role": "system", "content": r.choice(SYSTEM_PROMPTS)}]
        self.chars = len(self.messages[0]["content"])
        self.calls = 0
        self.verbosity = 10

    def add(self, m: dict[str, Any]) -> int:
        self.messages.append(m)
        self.chars += len(m.get("content") or "") + sum(len(json.dumps(c)) for c in m.get("tool_calls", []))
        return len(self.messages) - 1

    def chatter(self, projects: list[str]) -> None:
        r = self.r
        topic = r.choice(list(TOPICS))
        openers, sentences = TOPICS[topic]
        p, q = r.sample(projects, 2)
        sl = {"n": r.randint(2, 90), "c": r.choice(CITIES), "who": r.choice(PEOPLE)}
        self.add({"role": "user", "content": _fill(r.choice(openers), r, p, q, sl)})
        k = r.randint(3, 14)
        body = [_fill(s, r, p, q, sl) for s in r.sample(sentences, min(k, len(sentences)))]
        body += r.sample(GENERIC, r.randint(0, min(self.verbosity, len(GENERIC))))
        r.shuffle(body)
        if k > len(sentences):  # long answers: a second pass with bullets
            body.append("\n".join(f"- {_fill(s, r, p, q, sl)}" for s in r.sample(sentences, min(k - len(sentences), len(sentences)))))
        self.add({"role": "assistant", "content": " ".join(body[: max(2, len(body) // 2)]) + "\n\n" + " ".join(body[max(2, len(body) // 2):])})
        if r.random() < 0.25:  # short follow-up within the topic
            self.add({"role": "user", "content": r.choice(["Thanks, that helps.", "Makes sense.", "Can you give one more tip?", "Great, thanks!"])})
            self.add({"role": "assistant", "content": _fill(r.choice(sentences), r, p, q, sl)})

    def weather_tool(self) -> None:
        r = self.r
        city = r.choice(CITIES)
        self.calls += 1
        cid = f"call_w{self.calls:04d}"
        self.add({"role": "user", "content": f"What's the weather in {city} right now?"})
        self.add({"role": "assistant", "content": None, "tool_calls": [
            {"id": cid, "type": "function", "function": {"name": "get_weather", "arguments": json.dumps({"city": city})}}]})
        self.add({"role": "tool", "tool_call_id": cid, "content": json.dumps({"city": city, "temp_c": r.randint(-5, 35), "conditions": r.choice(["sunny", "rain", "cloudy"])})})
        self.add({"role": "assistant", "content": f"It's currently {r.choice(['mild', 'chilly', 'warm'])} in {city}."})

    def distractor(self, spec: dict[str, Any], p: str, projects: list[str]) -> None:
        r = self.r
        q = r.choice([x for x in projects if x != p])
        self.add({"role": "user", "content": _fill(r.choice(spec["distract"]), r, p, q)})
        sentences = TOPICS[r.choice(["project", "infra", "meetings"])][1]
        self.add({"role": "assistant", "content": " ".join(_fill(s, r, p, q) for s in r.sample(sentences, r.randint(2, 5)))})

    def text_needle(self, spec: dict[str, Any], p: str) -> Needle:
        r = self.r
        v = spec["value"](r)
        fact = r.choice(spec["facts"]).format(p=p, v=v)
        if r.random() < 0.5:  # buried in a long message: meeting notes about several projects
            notes = []
            for _ in range(r.randint(5, 12)):
                other = r.choice(NEEDLES)
                q = r.choice([x for x in PROJECTS if x != p])
                notes.append(_fill(r.choice(other["distract"]), r, q, r.choice(PROJECTS)))
            notes.insert(r.randrange(len(notes) + 1), fact)
            fact = r.choice(["Notes from today's sync, for the record:", "Pasting my notes from the planning meeting:",
                             "Summary of the call with the client and finance:"]) + "\n" + "\n".join(f"- {x}" for x in notes)
        idx = self.add({"role": "user", "content": fact})
        ack = r.choice(ACKS_REPEAT).format(p=p, v=v) if r.random() < 0.3 else r.choice(ACKS)
        self.add({"role": "assistant", "content": ack})
        return Needle(spec["kind"], p, v, idx, "user")

    def tool_needle(self, spec: dict[str, Any], p: str) -> Needle:
        r = self.r
        v = spec["value"](r)
        self.calls += 1
        cid = f"call_n{self.calls:04d}"
        self.add({"role": "user", "content": spec["ask_user"].format(p=p)})
        self.add({"role": "assistant", "content": None, "tool_calls": [
            {"id": cid, "type": "function", "function": {"name": spec["tool"], "arguments": json.dumps(spec["args"](p, r))}}]})
        idx = self.add({"role": "tool", "tool_call_id": cid, "content": json.dumps(spec["result"](p, v, r))})
        self.add({"role": "assistant", "content": spec["answer"].format(p=p)})
        return Needle(spec["kind"], p, v, idx, "tool")


def make_conversation(seed: int, target_tokens: int, chars_per_token: float = 4.3, verbosity: int = 10) -> Conversation:
    r = random.Random(seed)
    b = _Builder(r)
    b.verbosity = verbosity
    projects = r.sample(PROJECTS, 8)
    n_needles = r.choice([1, 2, 2, 3])
    target_chars = target_tokens * chars_per_token
    needle_specs = []
    used_projects = r.sample(projects, n_needles)
    for p in used_projects:
        if r.random() < 0.25:
            needle_specs.append(("tool", r.choice(TOOL_NEEDLES), p))
        else:
            needle_specs.append(("text", r.choice(NEEDLES), p))
    # Needles go in the first third; distractors for each needle spread over the whole conversation.
    needle_at = sorted(r.uniform(0.03, 0.33) for _ in needle_specs)
    distract_at = sorted((r.uniform(0.05, 0.95), i) for i, _ in enumerate(needle_specs) for _ in range(r.randint(2, 4)))
    needles: list[Needle] = []
    ni = di = 0
    while b.chars < target_chars:
        frac = b.chars / target_chars
        if ni < len(needle_specs) and frac >= needle_at[ni]:
            kind, spec, p = needle_specs[ni]
            needles.append(b.tool_needle(spec, p) if kind == "tool" else b.text_needle(spec, p))
            ni += 1
        elif di < len(distract_at) and frac >= distract_at[di][0]:
            kind, spec, p = needle_specs[distract_at[di][1]]
            if kind == "text":
                b.distractor(spec, p, projects)
            else:
                b.distractor(NEEDLES[r.randrange(len(NEEDLES))], p, projects)
            di += 1
        elif r.random() < 0.06:
            b.weather_tool()
        else:
            b.chatter(projects)
    while ni < len(needle_specs):  # very short conversations
        kind, spec, p = needle_specs[ni]
        needles.append(b.tool_needle(spec, p) if kind == "tool" else b.text_needle(spec, p))
        ni += 1
    # One more ordinary exchange, then the question that needs every needle.
    b.chatter(projects)
    asks = []
    for n, (kind, spec, p) in zip(needles, needle_specs):
        asks.append(r.choice(spec["ask"]).format(p=p))
    if len(asks) == 1:
        q = r.choice(["Remind me {0}?", "Quick one: can you tell me {0}?", "Before I forget, can you tell me {0}? I need it for the handover doc."]).format(asks[0])
    else:
        q = "I'm writing the handover note. Can you remind me " + ", ".join(asks[:-1]) + " and " + asks[-1] + "?"
    b.add({"role": "user", "content": q})
    return Conversation(seed, b.messages, needles)


def generate(n: int = 200, seed: int = 7, min_tokens: int = 4000, max_tokens: int = 64000) -> list[Conversation]:
    """`n` conversations with sizes spread log-uniformly over [min_tokens, max_tokens]."""
    r = random.Random(seed)
    out = []
    for i in range(n):
        target = int(min_tokens * (max_tokens / min_tokens) ** ((i + r.random()) / n))
        out.append(make_conversation(seed * 100_003 + i, target))
    return out


def needle_kept(messages: list[dict[str, Any]], needle: Needle) -> bool:
    """The needle's value is still in the context (the final question never contains it)."""
    for m in messages[:-1]:
        c = m.get("content")
        if isinstance(c, str) and needle.value in c:
            return True
    return False


# ---------------------------------------------------------------------------------------
# Kinds beyond the work chat: agent loops, pasted documents, decisions after a topic change
# (the pruner's tuning data; bench/prune_eval_independent/ holds the independent set).
# ---------------------------------------------------------------------------------------
AGENT_TOOLS = [
    {"type": "function", "function": {"name": n, "description": d, "parameters": {"type": "object", "properties": {
        "arg": {"type": "string", "description": "What to look at"}}, "required": ["arg"]}}}
    for n, d in [("read_file", "Read a file of the repository."), ("search_logs", "Search the service logs."),
                 ("run_query", "Run a read-only SQL query."), ("run_tests", "Run a test module."), ("fetch_url", "Fetch a web page.")]
]
_SERVICES = ["billing", "checkout", "ledger", "search", "notifier", "payments", "inventory", "gateway"]
_SETTINGS = ["retry_limit", "pool_size", "timeout_ms", "batch_size", "max_workers", "cache_ttl", "queue_depth", "rate_per_min"]


def _log_lines(r: random.Random, svc: str, n: int) -> list[str]:
    levels = ["INFO", "INFO", "INFO", "WARN", "DEBUG", "ERROR"]
    msgs = ["request served", "cache miss for key", "slow query", "connection reused", "retrying upstream call",
            "health check ok", "job finished", "queue drained", "token refreshed", "payload validated"]
    return [f"2025-03-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z {r.choice(levels)} "
            f"{svc}[{r.randint(100, 999)}] {r.choice(msgs)} id={r.randint(10000, 99999)} took={r.randint(1, 900)}ms" for _ in range(n)]


def _config(r: random.Random, svc: str, env: str, fixed: dict[str, Any]) -> str:
    lines = [f"# {svc} configuration ({env})", f"[{svc}]"]
    for k in r.sample(_SETTINGS, len(_SETTINGS)):
        lines.append(f"{k} = {fixed.get(k, r.randint(2, 500))}")
    lines += [f"{w}_enabled = {r.choice(['true', 'false'])}" for w in r.sample(["tracing", "metrics", "audit", "debug"], 4)]
    lines += [f"# note: {r.choice(GENERIC)}" for _ in range(r.randint(5, 20))]
    return "\n".join(lines)


def _table(r: random.Random, rows: int, needle_row: str | None) -> str:
    out = ["| order_id | customer | status | amount_eur | updated |", "|---|---|---|---:|---|"]
    for _ in range(rows):
        out.append(f"| {r.randint(10000, 99999)} | {r.choice(PEOPLE)} | {r.choice(['paid', 'open', 'refunded', 'void'])} | "
                   f"{r.randint(5, 900)}.{r.randint(0, 99):02d} | 2025-0{r.randint(1, 9)}-{r.randint(10, 28)} |")
    if needle_row:
        out.insert(2 + r.randrange(rows), needle_row)
    return "\n".join(out)


def make_agent(seed: int) -> Conversation:
    """One request, then 10-16 tool calls with big results; the needed value is in one of the
    first three results, a look-alike in a later one; the final question interrupts the loop."""
    r = random.Random(seed)
    svc = r.choice(_SERVICES)
    setting = r.choice(_SETTINGS)
    value = str(r.randint(11, 99))
    stale = str(int(value) + r.randint(1, 9))
    b = _Builder(r)
    b.messages[0] = {"role": "system", "content": f"You are an autonomous engineering agent for the {svc} service. Use the tools."}
    for _ in range(r.randint(0, 3)):
        b.chatter(r.sample(PROJECTS, 3))
    b.add({"role": "user", "content": f"The {svc} service keeps timing out under load. Investigate and tell me what to change."})
    n = r.randint(10, 16)
    where = r.randint(0, 2)
    needle_idx = 0
    for k in range(n):
        b.calls += 1
        cid = f"call_a{b.calls:04d}"
        if k == where:
            name, arg, out = "read_file", f"config/{svc}.production.toml", _config(r, svc, "production", {setting: value})
        elif k == n - 3:
            name, arg, out = "read_file", f"config/{svc}.staging.toml", _config(r, svc, "staging", {setting: stale})
        else:
            name = r.choice(["search_logs", "run_query", "run_tests", "fetch_url"])
            arg = f"{svc} {r.choice(['timeout', 'latency', 'errors', 'retries'])}"
            if name == "search_logs":
                out = "\n".join(_log_lines(r, svc, r.randint(40, 160)))
            elif name == "run_query":
                out = _table(r, r.randint(30, 120), None)
            elif name == "run_tests":
                out = "\n".join(f"test_{r.choice(WORDS_CODE)}_{i} ... {r.choice(['ok', 'ok', 'ok', 'FAIL', 'skipped'])}" for i in range(r.randint(40, 120)))
            else:
                out = "\n\n".join(" ".join(r.sample(GENERIC, 4)) for _ in range(r.randint(8, 25)))
        b.add({"role": "assistant", "content": None if r.random() < 0.6 else f"Checking {arg}.",
               "tool_calls": [{"id": cid, "type": "function", "function": {"name": name, "arguments": json.dumps({"arg": arg})}}]})
        idx = b.add({"role": "tool", "tool_call_id": cid, "content": out})
        if k == where:
            needle_idx = idx
    b.add({"role": "user", "content": f"Stop for a second: what {setting.replace('_', ' ')} does the production config of {svc} set?"})
    c = Conversation(seed, b.messages, [Needle("agent", svc, f"{setting} = {value}", needle_idx, "tool")], AGENT_TOOLS)
    return c


WORDS_CODE = ["parse", "retry", "pool", "cache", "ledger", "refund", "queue", "timeout", "invoice", "auth"]
_DOC_TOPICS = {
    # fact (the needle), look-alikes elsewhere in the document, the question
    "termination": ("Either party may terminate this Agreement for convenience by giving {v} written notice to the other party.",
                    ["Either party may terminate this Agreement for cause by giving {x} written notice of the breach.",
                     "Notice of non-renewal must be given at least {x} before the end of the Initial Term.",
                     "The Supplier shall give {x} notice of any change to the Service Levels."],
                    "How much notice do we need to give if we just want out of the contract early?"),
    "liability": ("The total aggregate liability of the Supplier under this Agreement shall not exceed {v}.",
                  ["The liability of the Customer for unpaid fees shall not exceed {x}.",
                   "Insurance cover for professional indemnity shall be at least {x} per claim."],
                  "What's the most we could ever get back from the supplier if things go wrong?"),
    "rate": ("Each API key may send at most {v}; requests above it receive HTTP 429.",
             ["Rate limit: {x} for the sandbox environment.", "Batch endpoints accept at most {x}.",
              "Webhooks are retried at most {x}."],
             "How fast can a single production key call the API before it gets throttled?"),
    "retention": ("Production database backups are kept for {v} and then deleted automatically.",
                  ["Application logs are kept for {x}.", "Staging backups are kept for {x}.", "Audit trails are kept for {x}."],
                  "How long do we keep the production database backups?"),
}
_DOC_VALUES = {"termination": ["ninety (90) days'", "sixty (60) days'", "thirty (30) days'", "fourteen (14) days'"],
               "liability": ["EUR 250,000", "EUR 1,000,000", "USD 500,000", "EUR 2,500,000"],
               "rate": ["120 requests per minute", "600 requests per minute", "30 requests per second", "12 requests per second"],
               "retention": ["35 days", "90 days", "13 months", "400 days"]}


def make_document(seed: int) -> Conversation:
    """A long pasted document (10k-40k tokens) with one clause the final question needs,
    look-alike clauses with other values, an assistant summary that does not repeat the
    value, then discussion; the question paraphrases the clause."""
    r = random.Random(seed)
    topic = r.choice(list(_DOC_TOPICS))
    fact, looks, question = _DOC_TOPICS[topic]
    value, *others = r.sample(_DOC_VALUES[topic], len(_DOC_VALUES[topic]))
    b = _Builder(r)
    for _ in range(r.randint(1, 4)):
        b.chatter(r.sample(PROJECTS, 3))
    paras = [f"{s + 1}. " + " ".join(r.sample(GENERIC, r.randint(2, 4))) for s in range(r.randint(150, 600))]
    spots = r.sample(range(len(paras)), 1 + len(looks))
    paras[spots[0]] = f"{spots[0] + 1}. " + fact.format(v=value) + " " + r.choice(GENERIC)
    for spot, look in zip(spots[1:], looks):
        paras[spot] = f"{spot + 1}. " + look.format(x=r.choice(others)) + " " + r.choice(GENERIC)
    idx = b.add({"role": "user", "content": "Here is the document, please keep it in mind:\n\n" + "\n".join(paras)})
    b.add({"role": "assistant", "content": "Thanks, I have read it. It covers obligations, service levels, notice, liability and "
                                           "termination in the usual way; ask me about any clause."})
    for _ in range(r.randint(4, 14)):
        b.chatter(r.sample(PROJECTS, 3))
    b.add({"role": "user", "content": question})
    return Conversation(seed, b.messages, [Needle("document", topic, value, idx, "user")])


def make_multi(seed: int) -> Conversation:
    """Two facts far apart that the question needs together: a budget the user states in
    passing early on, and a quote a tool returns much later; they share no words."""
    r = random.Random(seed)
    budget = f"${r.randint(2, 9)},{r.randint(100, 999)}"
    quote = f"${r.randint(1, 9)},{r.randint(100, 999)}"
    b = _Builder(r)
    projects = r.sample(PROJECTS, 5)
    b.add({"role": "user", "content": f"Background for later (I'm mostly asking about other things today): the offsite can cost at most {budget} all in."})
    b.add({"role": "assistant", "content": r.choice(ACKS)})
    for _ in range(r.randint(10, 40)):
        b.chatter(projects)
    b.calls += 1
    cid = f"call_q{b.calls:04d}"
    b.add({"role": "user", "content": f"Can you get the catering price from {r.choice(VENDORS)}?"})
    b.add({"role": "assistant", "content": None, "tool_calls": [{"id": cid, "type": "function", "function": {
        "name": "lookup_order", "arguments": json.dumps({"project": "offsite", "kind": "services"})}}]})
    idx = b.add({"role": "tool", "tool_call_id": cid, "content": json.dumps({"items": [{"line": "catering, 40 people", "price": quote},
                                                                                      {"line": "delivery", "price": "included"}]})})
    b.add({"role": "assistant", "content": "I have the price; it includes delivery."})
    for _ in range(r.randint(5, 25)):
        b.chatter(projects)
    b.add({"role": "user", "content": "Does the catering fit what we can spend on the offsite? Give me both numbers."})
    return Conversation(seed, b.messages, [Needle("multi", "budget", budget, 1, "user"), Needle("multi", "quote", quote, idx, "tool")])


def make_decision(seed: int) -> Conversation:
    """An answer that recommends one option, which the user accepts; other topics; then the
    question about what was decided (sharing few words with the answer)."""
    r = random.Random(seed)
    options = r.sample(VENDORS, 3)
    pick = options[r.randrange(3)]
    b = _Builder(r)
    for _ in range(r.randint(0, 3)):
        b.chatter(r.sample(PROJECTS, 3))
    b.add({"role": "user", "content": f"We need a supplier for the new {r.choice(['analytics', 'payroll', 'catering', 'printing'])} contract. "
                                      f"Compare {', '.join(options)} and tell me which one."})
    body = [f"{o}: {' '.join(r.sample(GENERIC, 2))}" for o in options]
    b.add({"role": "assistant", "content": "\n".join(body) + f"\n\nMy recommendation is {pick}: it fits the budget and the timeline best."})
    idx = len(b.messages) - 1
    b.add({"role": "user", "content": r.choice(["Agreed, let's go with that.", "Sounds good, let's do that.", "OK, go with your pick."])})
    b.add({"role": "assistant", "content": "Great, I'll note it."})
    for _ in range(r.randint(15, 60)):
        b.chatter(r.sample(PROJECTS, 4))
    b.add({"role": "user", "content": r.choice(["Remind me, who did we pick in the end?", "Which one did we settle on back then?"])})
    return Conversation(seed, b.messages, [Needle("decision", "", pick, idx, "assistant")])


KINDS = {"agent": make_agent, "document": make_document, "decision": make_decision, "multi": make_multi}


def generate_kinds(n: int = 20, seed: int = 7) -> list[tuple[str, Conversation]]:
    """`n` conversations of each extra kind."""
    return [(kind, fn(seed * 1000 + 17 * i + k)) for k, (kind, fn) in enumerate(KINDS.items()) for i in range(n)]


# ---------------------------------------------------------------------------------------
# Harder kinds (tuning data for passage retrieval inside long messages, multi-fact and vague
# follow-ups). Each long document hides the clause the question needs among hundreds of
# similar ones; the question paraphrases it (synonyms, plain words for legal ones, a section
# named by what it does rather than its label), and look-alikes carry other values of the same
# kind. `Conversation.stale` lists look-alike values that mislead if kept instead.
# ---------------------------------------------------------------------------------------
_LEGAL_SUBJ = ["The Supplier", "The Customer", "Each Party", "The Receiving Party", "The Disclosing Party", "The Licensee",
               "The Service Provider", "Neither Party", "The Contractor", "The Client"]
_LEGAL_VERB = ["shall maintain", "shall procure", "shall use reasonable endeavours to keep", "may not assign", "shall promptly notify the other Party of",
               "shall be responsible for", "shall document", "shall comply with", "may request", "shall not unreasonably withhold"]
_LEGAL_OBJ = ["all records relating to the Services", "the Deliverables in accordance with the Specification", "any change of control",
              "its obligations under this Agreement", "applicable anti-bribery laws", "reasonable access to its premises during business hours",
              "the security measures set out in Schedule 3", "any personnel assigned to the Project", "any third-party materials",
              "a register of sub-processors", "the Acceptance Tests", "the Change Control Procedure", "insurance with a reputable insurer"]
_LEGAL_TAIL = ["save as otherwise agreed in writing.", "in each case acting in good faith.", "subject to clause {c}.", "at its own cost.",
               "without undue delay.", "as reasonably required by the other Party.", "to the extent permitted by law.",
               "provided that such consent is not unreasonably delayed.", "in accordance with Good Industry Practice."]
_ARTICLES = ["Definitions and Interpretation", "Commencement and Term", "Supply of Services", "Customer Obligations", "Charges and Payment",
             "Change Control", "Intellectual Property", "Confidentiality", "Data Protection", "Warranties", "Limitation of Liability",
             "Insurance", "Service Levels", "Termination", "Consequences of Termination", "Force Majeure", "Assignment and Subcontracting",
             "Dispute Resolution", "Notices", "Governing Law and Jurisdiction", "Audit", "Non-Solicitation", "Anti-Bribery", "General"]
_WORDNUM = {3: "three", 5: "five", 7: "seven", 10: "ten", 14: "fourteen", 15: "fifteen", 20: "twenty", 21: "twenty-one", 28: "twenty-eight",
            30: "thirty", 45: "forty-five", 60: "sixty", 75: "seventy-five", 120: "one hundred and twenty", 180: "one hundred and eighty"}
# article, needed clause ({v}), value maker, look-alike clauses ({x}: another value of the same kind), plain-words question
_CLAUSES = [
    ("Charges and Payment", "The Customer shall pay each valid invoice within {v} of the date of receipt.",
     lambda r, n: f"{_WORDNUM[n]} ({n}) days", [10, 20, 30, 45, 60, 75],
     ["The Customer shall notify the Supplier of any disputed invoice within {x} of receipt.",
      "The Supplier shall issue a credit note within {x} of a resolved dispute."],
     "How long do we have to settle their bills once they arrive?"),
    ("Warranties", "The Supplier warrants that the Deliverables will be free from material defects for {v} following Acceptance.",
     lambda r, n: f"a period of {_WORDNUM[n]} ({n}) days", [30, 60, 120, 180],
     ["Any defect notified after {x} following delivery is remedied at the Supplier's then-current rates.",
      "The Customer shall report suspected defects within {x} of discovering them."],
     "If something they delivered turns out broken, how long are we covered for free fixes?"),
    ("Charges and Payment", "The Supplier may increase the Charges once in each Contract Year by no more than {v}, on written notice.",
     lambda r, n: f"{n}.5 per cent", [2, 3, 4, 6],
     ["Late payments bear interest at {x} above the base rate.", "Expenses above {x} of the monthly Charges require prior approval."],
     "Can the vendor put their prices up on us each year, and by how much at most?"),
    ("Confidentiality", "The obligations in this clause continue for {v} after this Agreement ends, however it ends.",
     lambda r, n: f"{_WORDNUM[n]} ({n}) years", [3, 5, 7, 10],
     ["Confidential Information shall be returned or destroyed within {x} of a written request.",
      "Records relating to the Services shall be retained for {x}."],
     "After the deal is over, for how long must we still keep their information secret?"),
    ("Service Levels", "Where monthly Availability falls below the Target, the Customer shall receive a service credit of {v} of the monthly Charges.",
     lambda r, n: f"{n} per cent", [5, 10, 15, 20],
     ["Service credits in any month shall not exceed {x} of the monthly Charges in aggregate.",
      "Scheduled maintenance of up to {x} of the month is excluded from Availability."],
     "What do we get back if their platform is down too much in a month?"),
    ("Limitation of Liability", "Each Party's total liability arising out of or in connection with this Agreement is capped at {v}.",
     lambda r, n: f"EUR {n},000,000", [1, 2, 3, 5],
     ["Liability for loss of data is limited to the cost of restoring it from the last backup, up to {x}.",
      "The Supplier shall maintain professional indemnity insurance of at least {x} per claim."],
     "What's the most money either side could ever owe the other under this deal?"),
    ("Governing Law and Jurisdiction", "The courts of {v} have exclusive jurisdiction to settle any dispute or claim arising under this Agreement.",
     lambda r, n: ["Rotterdam", "Zurich", "Edinburgh", "Vienna", "Stockholm", "Antwerp"][n], [0, 1, 2, 3, 4, 5],
     ["Mediation shall take place in {x} before any claim is issued.", "The Supplier's registered office is in {x}."],
     "If we ever end up suing each other, which city's judges would hear it?"),
]


def _legal_para(r: random.Random, art: int, sub: int) -> str:
    return (f"{art}.{sub} {r.choice(_LEGAL_SUBJ)} {r.choice(_LEGAL_VERB)} {r.choice(_LEGAL_OBJ)} "
            + r.choice(_LEGAL_TAIL).format(c=f"{r.randint(1, 24)}.{r.randint(1, 9)}"))


def make_contract(seed: int) -> Conversation:
    """A 30k-60k-token agreement of numbered articles and sub-clauses; the question asks in plain
    words (synonyms, no clause number) about one sub-clause; look-alikes carry other values."""
    r = random.Random(seed)
    article, fact, value_of, pool, looks, question = r.choice(_CLAUSES)
    n, *others = r.sample(pool, len(pool))
    value = value_of(r, n)
    b = _Builder(r)
    b.messages[0] = {"role": "system", "content": "You are an assistant for the commercial team. Answer from the documents the user shares."}
    for _ in range(r.randint(1, 5)):
        b.chatter(r.sample(PROJECTS, 3))
    arts = r.sample(_ARTICLES, len(_ARTICLES))
    if article not in arts[:18]:
        arts[r.randrange(18)] = article
    arts = arts[:18]
    target = r.randint(30_000, 58_000) * 4
    per = max(6, target // (len(arts) * 150))
    lines: list[str] = [f"MASTER SERVICES AGREEMENT (version {r.randint(2, 9)}.{r.randint(0, 9)})", ""]
    spots: list[tuple[int, str]] = []
    for a, title in enumerate(arts, 1):
        lines += [f"ARTICLE {a} - {title.upper()}", ""]
        k = r.randint(per // 2, per + per // 2)
        for s in range(1, k + 1):
            lines.append(_legal_para(r, a, s))
        if title == article:
            spots.append((len(lines) - r.randint(1, k), "fact"))
        lines.append("")
    body_idx = [i for i, x in enumerate(lines) if x and x[0].isdigit()]
    for look in looks:
        spots.append((r.choice(body_idx), look))
    for at, what in spots:
        num = lines[at].split(" ", 1)[0]
        text = fact.format(v=value) if what == "fact" else what.format(x=value_of(r, r.choice(others)))
        lines[at] = f"{num} {text}"
    idx = b.add({"role": "user", "content": "This is the agreement we're about to sign, keep it handy:\n\n" + "\n".join(lines)})
    b.add({"role": "assistant", "content": "I've read the agreement. It is a standard services contract: term and renewal, charges, "
                                           "intellectual property, confidentiality, liability, service levels and exit. Ask me about any part."})
    for _ in range(r.randint(20, 90)):
        b.chatter(r.sample(PROJECTS, 4))
    b.add({"role": "user", "content": question})
    c = Conversation(seed, b.messages, [Needle("contract", article, value, idx, "user")])
    return c


_RESOURCES = [("invoices", "Lists the invoices of an account, newest first."), ("shipments", "Returns the shipments created in a date range."),
              ("customers", "Searches customers by name, email or external reference."), ("refunds", "Creates a refund for a captured payment."),
              ("webhooks", "Registers an endpoint that receives event notifications."), ("reports", "Starts an asynchronous report export."),
              ("payouts", "Lists payouts to the merchant's bank account."), ("disputes", "Retrieves a chargeback dispute and its evidence."),
              ("products", "Updates a catalogue product's price and stock."), ("coupons", "Validates a discount code at checkout."),
              ("subscriptions", "Cancels a subscription at the end of its billing period."), ("tax_rates", "Lists the tax rates of a jurisdiction."),
              ("balances", "Returns the available and pending balance."), ("files", "Uploads a document for identity verification."),
              ("events", "Replays past events for a webhook endpoint."), ("sessions", "Creates a hosted checkout session.")]
_PLAIN = {"invoices": "pull the list of bills", "shipments": "fetch parcels sent between two dates", "customers": "look people up by their email",
          "refunds": "send money back to a buyer", "webhooks": "sign up a URL for event callbacks", "reports": "kick off a background export",
          "payouts": "see the transfers to our bank", "disputes": "read a chargeback case", "products": "change an item's price",
          "coupons": "check a discount code", "subscriptions": "stop somebody's plan", "tax_rates": "see the VAT rates for a country",
          "balances": "check how much money is available", "files": "upload an ID document", "events": "resend old notifications",
          "sessions": "start a hosted payment page"}


def make_api_reference(seed: int) -> Conversation:
    """An API reference (25k-50k tokens): one section per endpoint, each with the same field lines
    ("Rate limit: ...", "Page size: ..."); the question names the endpoint by what it does and
    the field by another word; the needed line is told apart only by its section."""
    r = random.Random(seed)
    b = _Builder(r)
    for _ in range(r.randint(1, 4)):
        b.chatter(r.sample(PROJECTS, 3))
    res = r.sample(_RESOURCES, len(_RESOURCES))
    pick = res[r.randrange(len(res))][0]
    field_kind = r.choice(["rate", "page", "timeout"])
    header = [f"# Merchant API reference v{r.randint(2, 5)}", "",
              "All endpoints require a bearer token. Errors follow RFC 7807. Times are UTC.", ""]
    versions = r.sample(["v1", "v2", "v3", "beta"], 3)
    target = r.randint(25_000, 50_000) * 4
    secs: list[list[str]] = []
    at = -1
    size = 0
    while size < target:
        for name, desc in res:
            for ver in versions:
                sec = [f"## {r.choice(['GET', 'POST', 'PATCH', 'DELETE'])} /{ver}/{name}", "",
                       desc if ver == versions[0] else f"{desc} ({ver} variant)", "",
                       f"Rate limit: {r.randrange(10, 400, 5)} requests per minute", f"Page size: up to {r.choice([25, 50, 100, 200, 250, 500, 1000])} items",
                       f"Timeout: {r.randint(5, 120)} seconds", f"Scope: {name}:{r.choice(['read', 'write'])}", "", "Parameters:"]
                sec += [f"- `{p}` ({r.choice(['string', 'integer', 'boolean'])}): {r.choice(GENERIC)}"
                        for p in r.sample(["limit", "cursor", "created_after", "created_before", "status", "expand", "currency",
                                           "account_id", "idempotency_key", "metadata"], r.randint(3, 7))] + [""]
                if name == pick and ver == versions[0] and at < 0:
                    at = len(secs)
                secs.append(sec)
                size += sum(len(x) + 1 for x in sec)
            if size >= target:
                break
    if at < 0:
        at = len(secs) - 1
    row = {"rate": 4, "page": 5, "timeout": 6}[field_kind]
    needle = secs[at][row]
    for k, sec in enumerate(secs):  # no other section has the needed line word for word
        while k != at and sec[row] == needle:
            head, num = sec[row].split(": ", 1)
            n = int("".join(ch for ch in num if ch.isdigit())) + 1
            sec[row] = f"{head}: " + {"rate": f"{n} requests per minute", "page": f"up to {n} items", "timeout": f"{n} seconds"}[field_kind]
    sections = header + [x for sec in secs for x in sec]
    ask = {"rate": "how many calls a minute can our script make", "page": "what's the biggest batch of results one call can return",
           "timeout": "how long does the server wait before giving up"}[field_kind]
    idx = b.add({"role": "user", "content": "Pasting the provider's API docs so we can plan the integration:\n\n" + "\n".join(sections)})
    b.add({"role": "assistant", "content": "Got it: bearer-token auth, one section per endpoint with its limits and parameters, "
                                           "several API generations side by side. What do you want to build first?"})
    for _ in range(r.randint(15, 70)):
        b.chatter(r.sample(PROJECTS, 4))
    b.add({"role": "user", "content": f"For the {versions[0]} API, when we {_PLAIN[pick]}, {ask}?"})
    return Conversation(seed, b.messages, [Needle("api", pick, needle, idx, "user")])


_SPEAKERS = ["Marta", "Kenji", "Oluwaseun", "Ines", "Bram", "Chiara", "Dmitri", "Yara", "Pavel", "Noor"]
_TALK = ["I think we're mostly aligned on that.", "Can we park this until the numbers are in?", "The dashboard still shows last week's data.",
         "Let's not boil the ocean here.", "I spoke to the vendor yesterday, nothing new.", "We should loop in security before we commit.",
         "That matches what I saw in the pilot.", "Honestly the bigger risk is the timeline.", "Agreed, next item.",
         "I'll share the slides after the call.", "Can everyone see my screen?", "Sorry, I was on mute.",
         "Quick question on the budget line.", "The test environment was down again on Tuesday.", "We have about ten minutes left.",
         "Let me check with finance and come back to you.", "I'd rather we decide this today.", "Good point, let's capture that."]
_TASKS = ["the supplier shortlist", "the accessibility audit", "the on-call rota", "the churn analysis", "the pricing page rewrite",
          "the SOC 2 evidence folder", "the onboarding checklist", "the capacity forecast"]


def make_transcript(seed: int) -> Conversation:
    """A long meeting transcript (25k-45k tokens): someone is asked to own a task; one person
    declines it, another takes it with a date. The commitment line does not name the task (it
    is in the line before); the question uses other words than either."""
    r = random.Random(seed)
    b = _Builder(r)
    for _ in range(r.randint(1, 4)):
        b.chatter(r.sample(PROJECTS, 3))
    people = r.sample(_SPEAKERS, 6)
    chair, decliner, owner = people[:3]
    task = r.choice(_TASKS)
    day = f"{r.randint(2, 27)} {r.choice(MONTHS)}"
    lines: list[str] = []
    t = 0
    target = r.randint(25_000, 45_000) * 4
    where = r.uniform(0.2, 0.8)
    placed = False
    other_tasks = [x for x in _TASKS if x != task]
    while sum(len(x) + 1 for x in lines) < target:
        t += r.randint(4, 40)
        who = r.choice(people)
        stamp = f"[{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}]"
        if not placed and sum(len(x) + 1 for x in lines) > target * where:
            lines += [f"{stamp} {chair}: Next: somebody needs to pick up {task}. Any volunteers?",
                      f"{stamp} {decliner}: Not me, I'm afraid, I'm out for most of next month.",
                      f"{stamp} {owner}: Fine, put me down for it. You'll have a first version by {day}.",
                      f"{stamp} {chair}: Thanks {owner}."]
            placed = True
        elif r.random() < 0.04:  # other tasks get assigned too (look-alikes)
            ot = r.choice(other_tasks)
            lines += [f"{stamp} {chair}: Who can take {ot}?",
                      f"{stamp} {r.choice(people)}: I can, I'll have it by {r.randint(2, 27)} {r.choice(MONTHS)}."]
        else:
            lines.append(f"{stamp} {who}: {r.choice(_TALK)} {r.choice(GENERIC) if r.random() < 0.5 else ''}".rstrip())
    idx = b.add({"role": "user", "content": "Here's the raw transcript of yesterday's steering meeting:\n\n" + "\n".join(lines)})
    b.add({"role": "assistant", "content": "Thanks. The meeting covered the roadmap, budget, risks and a round of action items. "
                                           "Want a summary or something specific?"})
    for _ in range(r.randint(15, 70)):
        b.chatter(r.sample(PROJECTS, 4))
    plain = task.replace("the ", "", 1)
    b.add({"role": "user", "content": f"Going back to the steering meeting: who is responsible for {plain} now, and when should I expect something?"})
    return Conversation(seed, b.messages, [Needle("transcript", task, f"put me down for it. You'll have a first version by {day}", idx, "user")])


_POLICY_ITEMS = [("Hotel, per night in capital cities", "up to {c} {v}"), ("Hotel, per night elsewhere", "up to {c} {v}"),
                 ("Meals, per day", "{c} {v}"), ("Taxi to and from airports", "up to {c} {v} per trip"),
                 ("Economy flights under six hours", "booked through the travel desk"), ("Rail", "second class; first class above four hours"),
                 ("Mileage, own car", "{c} 0.{v} per kilometre"), ("Client entertainment", "up to {c} {v} per guest"),
                 ("Home-office equipment, once a year", "up to {c} {v}"), ("Conference fees", "pre-approved by the budget holder")]
_POLICY_TEXT = ["Claims must be submitted within the month after the expense.", "Receipts are required for every item above the small-expense threshold.",
                "Exceptions need written approval from a director.", "Alcohol is not reimbursed except for client entertainment.",
                "Loyalty points stay with the employee.", "Travel insurance is provided by the company.", "Book as early as practical.",
                "Upgrades at your own cost are allowed.", "Per diems are not paid where meals are provided."]


def _policy(r: random.Random, version: str, cur: str, values: dict[str, int], pad: int) -> str:
    lines = [f"TRAVEL AND EXPENSES POLICY - {version}", ""]
    for sec in range(1, pad + 1):
        lines += [f"Section {sec}", ""] + [f"{sec}.{k} {r.choice(_POLICY_TEXT)} {r.choice(GENERIC)}" for k in range(1, r.randint(4, 9))] + [""]
        if sec == pad // 2:
            lines += ["Allowances:", ""]
            for name, tmpl in _POLICY_ITEMS:
                lines.append(f"- {name}: " + tmpl.format(c=cur, v=values.get(name, r.randint(20, 90))))
            lines.append("")
    return "\n".join(lines)


def make_policy_versions(seed: int) -> Conversation:
    """Two versions of a long policy pasted far apart, some allowances changed; the question asks
    for one current allowance in other words. The old value is the look-alike."""
    r = random.Random(seed)
    b = _Builder(r)
    cur = r.choice(["EUR", "GBP", "CHF", "USD"])
    item = r.choice([x for x, t in _POLICY_ITEMS if "{v}" in t])
    old_v, new_v = r.sample(range(40, 320, 5), 2)
    base = {name: r.randint(20, 300) for name, t in _POLICY_ITEMS if "{v}" in t}
    old_vals, new_vals = {**base, item: old_v}, {**base, item: new_v}
    for name in r.sample(list(base), 2):  # other changes
        if name != item:
            new_vals[name] = base[name] + 5
    fmt = dict(_POLICY_ITEMS)[item]
    for _ in range(r.randint(1, 3)):
        b.chatter(r.sample(PROJECTS, 3))
    b.add({"role": "user", "content": "Our current expenses policy, for reference:\n\n" + _policy(r, "2024 edition", cur, old_vals, r.randint(25, 45))})
    b.add({"role": "assistant", "content": "Thanks, I have the 2024 policy. Ask me whenever you need to check a claim."})
    for _ in range(r.randint(10, 40)):
        b.chatter(r.sample(PROJECTS, 4))
    idx = b.add({"role": "user", "content": "HR just sent the revised one, it replaces the old one:\n\n"
                                            + _policy(r, "2025 edition", cur, new_vals, r.randint(25, 45))})
    b.add({"role": "assistant", "content": "Understood: the 2025 edition replaces the 2024 one. A few allowances changed."})
    for _ in range(r.randint(10, 40)):
        b.chatter(r.sample(PROJECTS, 4))
    plain = {"Hotel, per night in capital cities": "a hotel room in Paris or Berlin, per night", "Hotel, per night elsewhere": "a hotel night in a smaller town",
             "Meals, per day": "food on a travel day", "Taxi to and from airports": "a cab to the airport",
             "Mileage, own car": "driving my own car, per km", "Client entertainment": "taking a client to dinner, per person",
             "Home-office equipment, once a year": "a new desk chair for working from home"}[item]
    b.add({"role": "user", "content": f"Under the rules that apply now, how much can I claim for {plain}?"})
    needle = f"- {item}: " + fmt.format(c=cur, v=new_v)
    c = Conversation(seed, b.messages, [Needle("policy", item, needle, idx, "user")])
    c.stale = [f"- {item}: " + fmt.format(c=cur, v=old_v)]
    return c


_EVENTS = [("team dinner", "The set menu at {place} is {v}.", "{n} of us are coming to the team dinner", "EUR {p} per person",
            "What will the team dinner cost us in total?"),
           ("offsite lunch", "Catering quote for the lunch: {v}, drinks included.", "headcount for the offsite lunch is {n}", "GBP {p} a head",
            "Roughly what's the bill for the offsite lunch going to be?"),
           ("training day", "The trainer charges {v}, materials included.", "we'll send {n} engineers to the training day", "USD {p} per seat",
            "How much should I budget for the training day?")]


def make_multi_distant(seed: int) -> Conversation:
    """Two facts far apart, each said in passing in a message about something else (a head-count,
    a unit price); the question needs both and repeats neither."""
    r = random.Random(seed)
    event, price_tmpl, count_tmpl, unit_tmpl, question = r.choice(_EVENTS)
    n, p = r.randint(11, 48), r.randint(19, 95)
    count, unit = count_tmpl.format(n=n), unit_tmpl.format(p=p)
    b = _Builder(r)
    projects = r.sample(PROJECTS, 5)
    for _ in range(r.randint(2, 10)):
        b.chatter(projects)
    i1 = b.add({"role": "user", "content": f"Unrelated, but so I don't forget: {count}. Anyway, can you help me tidy up the {r.choice(projects)} status update?"})
    b.add({"role": "assistant", "content": "Sure. " + " ".join(r.sample(TOPICS["writing"][1], 3))})
    for _ in range(r.randint(15, 50)):
        b.chatter(projects)
    i2 = b.add({"role": "user", "content": price_tmpl.format(place=r.choice(CITIES) + " Bistro", v=unit) + " Also, what's a good way to structure a retro?"})
    b.add({"role": "assistant", "content": " ".join(r.sample(TOPICS["meetings"][1], 3))})
    for _ in range(r.randint(10, 40)):
        b.chatter(projects)
    b.add({"role": "user", "content": question})
    return Conversation(seed, b.messages, [Needle("multi", "count", count, i1, "user"), Needle("multi", "price", unit, i2, "user")])


_OPTIONS = {
    "monitor": (["Dell U2723QE", "LG 27UP850", "BenQ PD2706U", "ASUS ProArt PA279CV", "Samsung ViewFinity S8"],
                "Which 27-inch 4K monitors would you shortlist for photo work?", "monitors", "panel"),
    "crm": (["HubSpot Starter", "Pipedrive Advanced", "Zoho CRM Plus", "Freshsales Growth", "Copper Basic"],
            "Give me a few CRM options for a five-person sales team.", "CRMs", "pipeline"),
    "bike": (["Brompton C Line", "Tern Link D8", "Dahon Mariner D8", "Birdy Classic", "Montague Allston"],
             "Recommend some folding bikes for a daily train commute.", "bikes", "frame"),
}


def make_vague(seed: int) -> Conversation:
    """A numbered list of options in an answer; a follow-up on one of them; turns about related
    things; then a vague question ("and the second one?" / "the last one you listed?")."""
    r = random.Random(seed)
    kind = r.choice(list(_OPTIONS))
    names, ask, plural, word = _OPTIONS[kind]
    opts = r.sample(names, r.randint(3, 5))
    b = _Builder(r)
    projects = r.sample(PROJECTS, 5)
    for _ in range(r.randint(5, 25)):
        b.chatter(projects)
    b.add({"role": "user", "content": ask})
    lines = [f"{k + 1}. **{o}**: {r.choice(GENERIC)} Around {r.randint(2, 19)}{r.choice(['49', '99', '29'])} in most shops." for k, o in enumerate(opts)]
    idx = b.add({"role": "assistant", "content": f"Here are {len(opts)} {plural} worth a look:\n\n" + "\n".join(lines) + "\n\nHappy to go deeper on any of them."})
    b.add({"role": "user", "content": f"Tell me more about the first one, is the {word} any good?"})
    b.add({"role": "assistant", "content": f"The {opts[0]} is well reviewed; the {word} is solid for the price. " + " ".join(r.sample(GENERIC, 3))})
    for _ in range(r.randint(2, 6)):  # related turns: the category again, without the list
        b.add({"role": "user", "content": f"In general, what should I look out for when buying {plural}? " + r.choice(GENERIC)})
        b.add({"role": "assistant", "content": f"For {plural}, check the {word}, the warranty and the return policy. " + " ".join(r.sample(GENERIC, 4))})
    for _ in range(r.randint(0, 12)):
        b.chatter(projects)
    which = r.choice([1, len(opts) - 1])
    q = {1: "OK, and what about the second one?", len(opts) - 1: "And the last one you listed, is it worth it?"}[which]
    b.add({"role": "user", "content": q})
    return Conversation(seed, b.messages, [Needle("vague", kind, opts[which], idx, "assistant")])


HARD_KINDS = {"contract": make_contract, "api_reference": make_api_reference, "transcript": make_transcript,
              "policy_versions": make_policy_versions, "multi_distant": make_multi_distant, "vague": make_vague}


def generate_hard(n: int = 20, seed: int = 7) -> list[tuple[str, Conversation]]:
    """`n` conversations of each harder kind."""
    return [(kind, fn(seed * 7919 + 31 * i + k)) for k, (kind, fn) in enumerate(HARD_KINDS.items()) for i in range(n)]
