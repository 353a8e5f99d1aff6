#!/usr/bin/env python3
"""Build the heldout10 context-pruning evaluation set (written blind).

Standard library only and fully deterministic: every case draws from its own
random.Random(zlib.crc32(b"<kind>:<n>")), so re-running gives byte-identical
output.  Writes cases.jsonl next to this file.

    python bench/prune_eval_heldout10/build.py           # write cases.jsonl
    python bench/prune_eval_heldout10/build.py --stats   # ... and print sizes
"""
import argparse
import json
import os
import random
import re
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "cases.jsonl")
# Estimated-token targets for the six sizes (nn = 00..05).
SIZES = [11000, 16500, 22000, 28500, 35000, 42000]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def est_tokens(messages):
    """chars/4 over message content plus tool-call names and arguments."""
    chars = 0
    for m in messages:
        c = m.get("content")
        if isinstance(c, str):
            chars += len(c)
        for tc in m.get("tool_calls") or []:
            chars += len(tc["function"]["name"]) + len(tc["function"]["arguments"])
    return chars // 4


def msg_text(m):
    """Everything a pruner could keep from one message, for substring checks."""
    parts = [m.get("content") or ""]
    for tc in m.get("tool_calls") or []:
        parts.append(tc["function"]["name"])
        parts.append(tc["function"]["arguments"])
    return "\n".join(parts)


_SLOT = re.compile(r"\{(\w+)\}")


def fill(rng, tmpl, vocab, memo=None, depth=0):
    """Fill {slot}s from vocab (list -> choice, callable -> call).

    memo keeps one value per slot name, so a question and its answer talk
    about the same device / clause / metric.
    """
    def sub(m):
        k = m.group(1)
        if memo is not None and k in memo:
            return memo[k]
        v = vocab[k]
        s = str(v(rng) if callable(v) else rng.choice(v))
        if depth < 2 and "{" in s:
            s = fill(rng, s, vocab, memo, depth + 1)
        if memo is not None:
            memo[k] = s
        return s
    return _SLOT.sub(sub, tmpl)


def U(text):
    return {"role": "user", "content": text}


def A(text):
    return {"role": "assistant", "content": text}


class Calls:
    """Builds assistant tool_call messages + their tool results with unique ids."""

    def __init__(self, rng):
        self.rng = rng
        self.seen = set()

    def new_id(self):
        while True:
            cid = "call_%012x" % self.rng.getrandbits(48)
            if cid not in self.seen:
                self.seen.add(cid)
                return cid

    def loop(self, calls):
        """calls: list of (name, args_dict, result_text) -> [assistant, tool, ...]."""
        tcs, results = [], []
        for name, args, result in calls:
            cid = self.new_id()
            tcs.append({"id": cid, "type": "function",
                        "function": {"name": name,
                                     "arguments": json.dumps(args, ensure_ascii=False)}})
            results.append({"role": "tool", "tool_call_id": cid, "content": result})
        return [{"role": "assistant", "content": None, "tool_calls": tcs}] + results


def fn(name, desc, props, required=None):
    return {"type": "function", "function": {
        "name": name, "description": desc,
        "parameters": {"type": "object",
                       "properties": {k: {"type": t, "description": d}
                                      for k, (t, d) in props.items()},
                       "required": list(required if required is not None else props)}}}


def money(v):
    return "${:,}".format(v)


_WORD = re.compile(r"[a-z]{4,}")


def _words(t):
    return set(_WORD.findall(_SLOT.sub(" ", t).lower()))


def _slots(t):
    return set(_SLOT.findall(t))


def _overlap(q, p):
    # Shared slots (same device/clause/metric) weigh more than shared words.
    return 3 * len(_slots(q) & _slots(p)) + len(_words(q) & _words(p))


def cap(t):
    return t[:1].upper() + t[1:]


def prose(rng, D, question_tmpl, memo, lo=2, hi=5):
    """Assistant-style reply from a domain's sentence pools.

    The point sharing most words/slots with the question's template leads, so
    the answer is on topic; a few related-domain points follow.
    """
    v = D["v"]
    ranked = sorted(D["points"], key=lambda p: (-_overlap(question_tmpl, p), rng.random()))
    lead = ranked[0]
    rest = rng.sample([p for p in D["points"] if p != lead], k=min(len(D["points"]) - 1, rng.randint(lo, hi)))
    body = [cap(fill(rng, p, v, memo)) for p in [lead] + rest]
    out = [fill(rng, rng.choice(D["open"]), v, memo)]
    if rng.random() < 0.4 and len(body) >= 4:
        cut = rng.randint(2, len(body) - 1)
        out.append(" ".join(body[:cut]))
        out.append("\n".join("- " + b for b in body[cut:]))
    else:
        split = rng.randint(1, len(body))
        out.append(" ".join(body[:split]))
        if body[split:]:
            out.append(" ".join(body[split:]))
    if rng.random() < 0.7:
        out.append(fill(rng, rng.choice(D["close"]), v, memo))
    return "\n\n".join(out)


def chat_filler(D):
    def gen(rng):
        memo = {}
        qt = rng.choice(D["user"])
        q = cap(fill(rng, qt, D["v"], memo))
        if rng.random() < 0.3:
            q = q + " " + fill(rng, rng.choice(D["user_extra"]), D["v"], memo)
        return [U(q), A(prose(rng, D, qt, memo))]
    return gen


COMMON_EXTRA = [
    "Sorry if this is a basic question.",
    "No rush on this one.",
    "I'll probably come back to this later tonight.",
    "Bit distracted, the kids are home today.",
    "Keep it short if you can.",
    "I read something online that said the opposite, which is why I'm asking.",
    "My partner asked me to check.",
    "Just thinking out loud here.",
]


# --------------------------------------------------------------------------
# case assembly + validation
# --------------------------------------------------------------------------

def assemble(rng, target, system, head, beats, tail, filler, avoid):
    """Fill with filler groups to ~target tokens, then drop beats in at fractions.

    beats: list of (fraction, [messages]) in conversation order; fractions are
    positions within the filler sequence.  A filler group that happens to
    contain a needed/forbidden string is thrown away and redrawn.
    """
    fixed = [system] + head + tail + [m for _, bm in beats for m in bm]
    base = est_tokens(fixed)
    groups, size = [], base
    tries = 0
    while size < target:
        g = filler(rng)
        text = "\n".join(msg_text(m) for m in g)
        if any(s in text for s in avoid):
            continue
        gt = est_tokens(g)
        # Near the end prefer a group that lands close to the target size.
        if size + gt > target * 1.01 and tries < 50:
            tries += 1
            continue
        groups.append(g)
        size += gt
    msgs, gi = [system] + list(head), 0
    for frac, bm in beats:
        idx = max(gi, min(len(groups), int(round(frac * len(groups)))))
        for g in groups[gi:idx]:
            msgs.extend(g)
        msgs.extend(bm)
        gi = idx
    for g in groups[gi:]:
        msgs.extend(g)
    msgs.extend(tail)
    return msgs, groups


def validate(case, groups, beat_msgs):
    msgs = case["messages"]
    assert msgs[0]["role"] == "system" and msgs[-1]["role"] == "user", case["id"]
    assert len(case["needed"]) == 2, case["id"]
    assert 2 <= len(case["forbidden_stale"]) <= 4, case["id"]
    strs = case["needed"] + case["forbidden_stale"]
    assert len(set(strs)) == len(strs), case["id"]
    for a in strs:
        for b in strs:
            assert a == b or a not in b, (case["id"], a, b)
    # Filler must never carry a needed or forbidden string.
    beat_ids = {id(m) for m in beat_msgs}
    for g in groups:
        for m in g:
            t = msg_text(m)
            for s in strs:
                assert s not in t, (case["id"], "filler contains", s)
    carriers = {}
    for s in strs:
        where = [i for i, m in enumerate(msgs) if s in msg_text(m)]
        assert where, (case["id"], "missing", s)
        for i in where:
            assert id(msgs[i]) in beat_ids, (case["id"], "outside a beat", s, i)
        assert 0 not in where and len(msgs) - 1 not in where, (case["id"], s)
        carriers[s] = where
    # A needed fact must be keepable without dragging a stale value along.
    for m in msgs:
        t = msg_text(m)
        if any(s in t for s in case["needed"]):
            assert not any(s in t for s in case["forbidden_stale"]), (case["id"], t[:80])
    # Tool-loop validity: every tool_call answered in order by exactly one tool message.
    i = 0
    ids = set()
    while i < len(msgs):
        m = msgs[i]
        if m["role"] == "tool":
            raise AssertionError((case["id"], "orphan tool message", i))
        if m["role"] == "assistant" and m.get("tool_calls"):
            assert m["content"] is None
            for k, tc in enumerate(m["tool_calls"]):
                r = msgs[i + 1 + k]
                assert r["role"] == "tool" and r["tool_call_id"] == tc["id"], (case["id"], i)
                assert tc["id"] not in ids
                ids.add(tc["id"])
                json.loads(tc["function"]["arguments"])
            i += 1 + len(m["tool_calls"])
            continue
        i += 1
    if ids:
        assert case.get("tools"), case["id"]
        names = {t["function"]["name"] for t in case["tools"]}
        for m in msgs:
            for tc in m.get("tool_calls") or []:
                assert tc["function"]["name"] in names, (case["id"], tc["function"]["name"])
    return carriers


def distinct(rng, gen, *avoid):
    while True:
        v = gen(rng)
        if v not in avoid:
            return v


def place(rng, ranges):
    """One fraction per (lo, hi) range; ranges are given in conversation order."""
    out, prev = [], 0.0
    for lo, hi in ranges:
        f = max(prev + 0.01, rng.uniform(lo, hi))
        out.append(f)
        prev = f
    return out


FIRST = ["Priya", "Tomasz", "Ingrid", "Kwame", "Lucia", "Haruto", "Amara", "Niall",
         "Rosa", "Dmitri", "Faisal", "Elodie", "Mateo", "Yusra", "Bjorn", "Chen"]
# Pronoun-matched subsets for people the user refers to as he / she.
MALE = ["Tomasz", "Kwame", "Haruto", "Niall", "Dmitri", "Faisal", "Mateo", "Bjorn", "Chen"]
FEMALE = ["Priya", "Ingrid", "Lucia", "Amara", "Rosa", "Elodie", "Yusra"]
LAST = ["Okafor", "Lindgren", "Barros", "Nakamura", "Fitzgerald", "Castellano",
        "Mbeki", "Hollis", "Varga", "Ostrowski", "Quispe", "Rahimi", "Delacroix"]


# --------------------------------------------------------------------------
# kind 1: support_isp -- ISP chat support
# --------------------------------------------------------------------------

ISP = {
    "v": {
        "dev": ["the mesh satellite", "my work laptop", "the smart TV", "the kids' tablet",
                "the games console", "my phone", "the printer upstairs", "the doorbell camera"],
        "room": ["the back bedroom", "the garage office", "the loft", "the kitchen",
                 "the conservatory", "the basement"],
        "band": ["2.4 GHz", "5 GHz"],
        "chan": ["1", "6", "11", "36", "44", "149"],
        "speed": lambda r: str(r.randrange(40, 900, 7)),
        "ms": lambda r: str(r.randint(9, 180)),
        "feat": ["parental controls", "guest network", "WPS", "band steering",
                 "port forwarding", "UPnP", "IPv6", "DNS filtering"],
        "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "the weekend"],
        "app": ["the Kestrel app", "the router admin page", "the account portal"],
        "plan": ["Fiber 300", "Fiber 500", "Fiber Gig", "Fiber 150 Lite"],
        "thing": ["the TV box", "a static IP", "the email add-on", "the landline bundle",
                  "a second mesh unit", "the security suite"],
    },
    "user": [
        "{dev} in {room} keeps showing full bars but pages won't load. Is that the router or the device?",
        "Speed test says {speed} Mbps down but I'm paying for {plan}. Is that normal in the evening?",
        "How do I turn on {feat}? I looked in {app} and couldn't find it.",
        "Ping in games jumps to {ms} ms around 9pm. Anything I can do on my side?",
        "Should I put {dev} on the {band} band or leave it on auto?",
        "Can I add {thing} to my account without changing my contract end date?",
        "What's the difference between rebooting from {app} and pulling the plug?",
        "The lights on the front of the box were blinking amber for a minute on {day}. Is that bad?",
        "Does changing to channel {chan} actually help or is that an old wives' tale?",
        "If I move {dev} to {room} will the signal be better with a wired backhaul?",
        "Is there a way to see which devices are using the most data this month?",
        "My upload is way lower than download, {speed} vs something tiny. Expected?",
    ],
    "user_extra": COMMON_EXTRA,
    "open": ["Good question.", "Happy to help with that.", "Sure, here's what I'd check.",
             "That one comes up a lot.", "Let's sort that out."],
    "points": [
        "The {band} band gives more range but less throughput, so for {dev} in {room} it's often the steadier choice.",
        "Evening congestion is usually on the Wi-Fi side rather than the fibre itself, so a wired test is the fair comparison.",
        "You can find {feat} under Advanced settings in {app}; it's hidden behind the 'Show more' toggle.",
        "A soft reboot from {app} keeps your settings and logs, whereas unplugging clears the temporary logs we use for diagnosis.",
        "Channel {chan} is usually less crowded in apartment blocks, but auto selection re-scans every few hours anyway.",
        "Latency spikes of {ms} ms at peak time often come from another device uploading, such as cloud photo backups.",
        "A brief amber blink during a firmware update is expected; a steady amber light for more than ten minutes is what we'd want to know about.",
        "Adding {thing} doesn't restart your minimum term; it's billed as a monthly add-on you can cancel any time.",
        "Wired backhaul to a mesh unit typically doubles the usable speed compared with a wireless hop.",
        "The data usage view in {app} breaks it down per device for the last 30 days.",
        "Upload on {plan} is asymmetric by design, so a lower upload figure is normal.",
        "If {dev} is more than two walls away from the gateway, a mesh unit in the hallway usually helps more than changing channels.",
        "Try forgetting the network on {dev} and rejoining; stale DHCP leases cause exactly that 'full bars, no pages' symptom.",
        "We also push a nightly optimisation around 3am, which can change the channel by itself.",
        "Speed tests in a browser on Wi-Fi tend to under-read by 20-40% compared with the app's built-in test on a cable.",
    ],
    "close": ["Anything else I can check for you?", "Let me know how that goes.",
              "Happy to stay on while you try it.", "Shout if that doesn't do it."],
}


def make_support_isp(rng, n):
    ser = lambda r: "KRT-%02d%04d-%s" % (r.randint(40, 69), r.randint(1000, 9999), r.choice("ABCDE"))
    old_serial = ser(rng)
    new_serial = distinct(rng, ser, old_serial)
    credit_old = "$%d.00" % rng.randint(15, 40)
    credit_new = "$%d.%s" % (rng.randint(45, 95), rng.choice(["40", "75", "20", "60", "85"]))
    area_credit = "$%d.50" % rng.randint(10, 14)
    agent = rng.choice(FIRST)
    sup = rng.choice([f for f in FEMALE if f != agent])
    f = place(rng, [(0.02, 0.06), (0.08, 0.16), (0.18, 0.30), (0.45, 0.62), (0.70, 0.88)])
    beats = [
        (f[0], [U("Hi, my internet has been dropping out several times a day for about a week. "
                  "The sticker on the bottom of the router says %s, it's the black KX-900 one the installer left. "
                  "I've already restarted it twice." % old_serial),
                A("Thanks for the details. Drops several times a day after restarts point at either the line or the unit itself. "
                  "I can see a pattern of resyncs on our side. Could you check whether the fibre cable into the small white box on the wall is firmly seated and not bent sharply?")]),
        (f[1], [U("This is really frustrating, I work from home and I lost a client call yesterday."),
                A("I'm sorry, that's a rough week. For the disruption so far I can put a one-time service credit of %s on the account right now. "
                  "I'll also keep digging into the resync logs." % credit_old)]),
        (f[2], [U("The cable looks fine. What now?"),
                A("Thanks for checking. The logs show the optical signal is fine, so it's the gateway. "
                  "I've gone ahead and dispatched a replacement unit by tracked courier, it usually arrives in two working days and you don't need to be home for it. "
                  "For your records the replacement's serial is %s, and there's a prepaid returns bag in the box for the old one. "
                  "Once it's plugged in, give it about ten minutes to pull its configuration before testing." % new_serial)]),
        (f[3], [U("Did you hear back from your supervisor about compensation? You said you'd ask."),
                A("Yes, %s reviewed the outage history and agreed the earlier offer was too low given how many drops there were. "
                  "She has approved %s, which replaces the first amount rather than adding to it. It'll show on your next statement as 'Service credit'." % (sup, credit_new))]),
        (f[4], [U("Someone on the neighbourhood forum said everyone's getting money back for the outage on the 14th?"),
                A("That was a separate area-wide fault in a different exchange. Customers on that exchange receive an automatic %s outage credit; "
                  "your line wasn't part of it, so it won't appear on your account." % area_credit)]),
    ]
    q = U("OK, I think that's everything. So I have it written down: how much is actually coming off my bill in the end, "
          "and what serial number should be on the new box when the courier drops it off?")
    return dict(
        system={"role": "system", "content": "You are %s, a support agent for Kestrel Fiber, a regional internet provider. "
                "Be concise and friendly, confirm account details before changes, and never promise credits a supervisor has not approved." % agent},
        head=[], beats=beats, tail=[q], filler=chat_filler(ISP),
        needed=[new_serial, credit_new], forbidden=[old_serial, credit_old, area_credit],
        notes="Replacement serial given once in passing by the agent early; bill credit first offered then superseded "
              "by a supervisor-approved amount; late look-alike area outage credit; faulty unit's serial from the first message.")


# --------------------------------------------------------------------------
# kind 2: legal_lease -- lease document pasted into chat
# --------------------------------------------------------------------------

LEASE = {
    "v": {
        "topic": ["the boiler", "the dishwasher", "damp in the bathroom", "the broken window latch",
                  "the communal bins", "the intercom", "the extractor fan", "a leaking tap"],
        "clause": ["clause 7", "clause 9.3", "clause 11", "clause 12.1", "the repairs clause",
                   "the quiet enjoyment clause", "the inventory schedule", "clause 16"],
        "who": ["the letting agent", "the landlord", "my flatmate", "the building manager"],
        "thing": ["hang pictures", "get a cat", "sublet the box room", "repaint the living room",
                  "install a bike rack", "change the locks", "put up a satellite dish"],
        "days": lambda r: str(r.choice([3, 5, 7, 10, 14, 21, 28])),
        "pct": lambda r: str(r.choice([2, 3, 4, 5])),
        "month": ["January", "March", "May", "July", "September", "November"],
    },
    "user": [
        "{who} says I'm responsible for {topic}. Does the lease actually say that?",
        "Am I allowed to {thing} under this lease, or do I need written permission?",
        "What does {clause} mean in plain English?",
        "{who} wants to do an inspection with {days} days' notice. Is that reasonable?",
        "There's a rent review in {month}. Can they put it up by more than {pct}%?",
        "If {topic} isn't fixed, can I withhold rent? I've been waiting ages.",
        "Who pays for contents insurance, me or the landlord?",
        "Do I get my deposit back with interest?",
        "The inventory says the carpet was 'good condition' but it had stains. Should I email {who}?",
        "Can {who} enter the flat while I'm at work if I don't reply to a message?",
    ],
    "user_extra": COMMON_EXTRA,
    "open": ["I'm not a lawyer, but here's how the wording reads.", "Looking at the text you pasted:",
             "Short answer first, then the detail.", "This depends a bit on the exact wording."],
    "points": [
        "Under {clause}, structural repairs and installations for heating and hot water sit with the landlord.",
        "Minor day-to-day upkeep, like replacing bulbs or unblocking a sink you caused, is usually the tenant's job.",
        "Anything that alters the property, such as when you want to {thing}, generally needs written consent, which can't be unreasonably withheld.",
        "For access, the lease asks for reasonable notice except in emergencies, and {days} days is on the generous side.",
        "Withholding rent is risky; a safer route is to report {topic} in writing and keep a dated record.",
        "Rent increases during a fixed term can only happen if there's a review clause, and the one here caps it at a stated index.",
        "Contents insurance is normally yours; the landlord insures the building.",
        "Deposits have to be protected in an approved scheme, and the scheme rules decide whether interest is paid.",
        "Emailing {who} now about the inventory is sensible, with photos, so it's on record before the check-out.",
        "If {who} keeps pressing, ask them to point to the specific clause they're relying on.",
        "Local housing law may override parts of the lease that are less favourable to you.",
        "Keep copies of every message; disputes are usually won on paperwork.",
    ],
    "close": ["Want me to draft an email for that?", "Happy to look at the exact wording if you paste it.",
              "That's the general picture at least."],
}


def lease_doc(rng, notice_days, landlord, tenant, addr):
    rent = rng.randrange(1100, 2400, 25)
    parts = [
        "RESIDENTIAL TENANCY AGREEMENT",
        "Property: %s. Landlord: %s. Tenant: %s." % (addr, landlord, tenant),
        "1. Term. The tenancy is for a fixed term of twenty-four months from the Start Date, and continues month to month afterwards unless ended under clause 14.",
        "2. Rent. The rent is EUR %d per calendar month, payable in advance on the first day of each month by bank transfer." % rent,
        "3. Deposit. The Tenant shall pay a deposit in the amount stated in Schedule 1, to be protected in an approved scheme within thirty days of receipt.",
        "4. Use. The Property shall be used as a private residence only. No business may be carried on that involves visitors to the Property.",
        "5. Utilities. The Tenant is responsible for electricity, gas, water, broadband and local taxes for the duration of the tenancy.",
        "6. Condition. The Tenant accepts the Property in the condition recorded in the inventory and shall return it in the same condition, fair wear and tear excepted.",
        "7. Repairs by Landlord. The Landlord shall keep in repair the structure and exterior and the installations for the supply of water, gas, electricity, sanitation, space heating and water heating.",
        "8. Repairs by Tenant. The Tenant shall report defects promptly in writing and make good any damage caused by the Tenant or visitors.",
        "9. Alterations. The Tenant shall not make alterations or additions to the Property without the Landlord's prior written consent, not to be unreasonably withheld.",
        "10. Access. The Landlord may enter at reasonable times on giving at least twenty-four hours' notice, except in an emergency.",
        "11. Pets. No animals may be kept without consent. Consent, if given, may be subject to an additional cleaning condition at the end of the tenancy.",
        "12. Assignment and subletting. The Tenant shall not assign, sublet or part with possession of the whole or any part of the Property.",
        "13. Rent review. The rent may be reviewed once every twelve months by reference to the consumer price index, subject to a cap stated in Schedule 1.",
        "14. Ending the tenancy. 14.1 After the fixed term either party may end the tenancy in accordance with applicable law. "
        "14.2 The Tenant may end the tenancy before the expiry of the fixed term by giving the Landlord not less than %d days' written notice, "
        "and on payment of the early termination fee set out in the Addendum to be agreed between the parties. "
        "14.3 Notice must be served by post or by email to the address in Schedule 2." % notice_days,
        "15. Insurance. The Landlord shall insure the building. The Tenant is advised to insure their own contents.",
        "16. Nuisance. The Tenant shall not cause nuisance or annoyance to neighbouring occupiers, including noise after 23:00.",
        "17. Notices. Any notice under this Agreement shall be in writing. Email notices are deemed received on the next working day.",
        "18. Governing law. This Agreement is governed by the law of the jurisdiction where the Property is located.",
        "Schedule 1: Deposit and review cap (see separate page). Schedule 2: Addresses for service.",
    ]
    return "\n".join(parts)


def make_legal_lease(rng, n):
    notice = rng.choice([d for d in range(47, 89) if d not in (60, 61, 62, 75)])
    pk = rng.choice([d for d in range(15, 45) if d not in (24, 28, 30)])
    fee_draft = "€{:,}".format(rng.randrange(2000, 2900, 25))
    fee_final = "€{:,}".format(rng.randrange(1505, 1990, 10))
    deposit = "€{:,}".format(rng.randrange(3000, 3900, 50))
    landlord = "%s %s" % (rng.choice(MALE), rng.choice(LAST))
    tenant = "%s %s" % (rng.choice(FIRST), rng.choice(LAST))
    addr = "Flat %d, %d %s" % (rng.randint(2, 14), rng.randint(3, 90),
                              rng.choice(["Harbour Row", "Linden Street", "Quay Terrace", "Mill Lane"]))
    need1 = "%d days' written notice" % notice
    look = "%d days' written notice" % pk
    f = place(rng, [(0.02, 0.06), (0.10, 0.20), (0.24, 0.34), (0.45, 0.60), (0.70, 0.86)])
    beats = [
        (f[0], [U("I'm about to sign this lease, can you read it over and tell me if anything looks unusual?\n\n" +
                  lease_doc(rng, notice, landlord, tenant, addr)),
                A("Overall it's a fairly standard fixed-term residential lease. Things worth noticing: the early-exit route in clause 14.2 asks for a longer notice period than many leases, "
                  "and the actual early termination fee isn't in the document, it's deferred to an addendum, so make sure that gets agreed in writing. "
                  "The no-subletting clause is absolute, and the pets clause allows a cleaning condition. Nothing else jumps out.")]),
        (f[1], [U("The landlord emailed about the addendum:\n\n> Hi, as discussed, for the early termination addendum I propose a flat fee of %s "
                  "if you leave before the end of the fixed term. Let me know. Regards, %s" % (fee_draft, landlord)),
                A("That's a proposal, not agreed yet. It's worth asking how he arrived at it; a fee roughly matching the re-letting costs is easier to justify than an arbitrary figure.")]),
        (f[2], [U("Also for reference, the deposit I transferred was %s, he confirmed it's protected." % deposit),
                A("Good, keep the protection certificate somewhere safe; you'll need the scheme reference at check-out.")]),
        (f[3], [U("Update, we talked on the phone and he sent the signed version:\n\n> Following our call, please find attached the signed Addendum. "
                  "The early termination fee under clause 14.2 is fixed at %s, which replaces the figure in my earlier email. All other terms unchanged. %s" % (fee_final, landlord)),
                A("That's a decent result, lower than his opening figure. Since it's signed, that's the amount that applies if you leave during the fixed term.")]),
        (f[4], [U("Separate thing: the parking space is on its own licence. It says the licence can be ended by either side on %s for the space." % look),
                A("That licence is independent of the flat, so its notice period only affects the parking space.")]),
    ]
    q = U("Hypothetically, if I have to move out early next spring while still in the fixed term: what would it cost me to get out of the flat, "
          "and how far in advance do I have to tell the landlord?")
    return dict(
        system={"role": "system", "content": "You are a careful assistant helping a tenant understand their residential lease. You are not a lawyer; say so when it matters."},
        head=[], beats=beats, tail=[q], filler=chat_filler(LEASE),
        needed=[need1, fee_final], forbidden=[fee_draft, deposit, look],
        notes="Notice period buried inside a long pasted lease early; early-termination fee proposed then superseded by signed addendum; "
              "look-alikes: deposit amount and parking-licence notice period.")


# --------------------------------------------------------------------------
# kind 3: medical_meds -- personal health assistant, medication routine
# --------------------------------------------------------------------------

MED = {
    "v": {
        "supp": ["vitamin D", "magnesium", "fish oil", "a B12 supplement", "iron tablets", "calcium"],
        "meal": ["breakfast", "lunch", "dinner", "my morning coffee", "a late snack"],
        "sym": ["afternoon tiredness", "early-morning waking", "mild headaches",
                "dry skin", "cold hands", "a stiff neck", "heartburn after dinner"],
        "act": ["a 30 minute walk", "swimming twice a week", "yoga", "cycling to work", "light weights"],
        "bp": lambda r: "%d/%d" % (r.randint(112, 142), r.randint(70, 92)),
        "hrs": lambda r: str(r.choice([5, 6, 7, 8])),
        "who": ["my GP", "the practice nurse", "my doctor", "the pharmacist"],
        "food": ["grapefruit", "oat milk", "high-fibre cereal", "soy", "spinach", "coffee"],
    },
    "user": [
        "Is it ok to take {supp} at the same time as my morning pill, or should I space them out?",
        "I've had {sym} lately. Could that be related to what I'm taking?",
        "Does it matter if I have {food} with {meal}?",
        "My home reading this morning was {bp}. Is that worth mentioning to {who}?",
        "I'm only sleeping about {hrs} hours. Any tips that don't involve more pills?",
        "{who} suggested {act}. How do I build up without overdoing it?",
        "Can you make me a simple weekly checklist for my tablets and {supp}?",
        "I'm travelling across two time zones next month. How do I shift my pill times?",
        "I forgot my morning dose yesterday and took it at lunch. Is that a problem?",
        "What questions should I bring to my next appointment with {who}?",
    ],
    "user_extra": COMMON_EXTRA,
    "open": ["I'm not a doctor, but I can share general information.", "Good thing to ask about.",
             "Here's the general guidance, and check with your pharmacist if unsure.", "Sure."],
    "points": [
        "Some tablets absorb best on an empty stomach, so {supp} is often better taken at {meal} instead.",
        "Something like {sym} can have lots of everyday causes, such as sleep, stress or diet, so it's worth noting when it happens.",
        "{food} can interact with certain medicines; the leaflet in the box lists the ones that matter for yours.",
        "A single reading like {bp} matters less than the trend over a week of readings at the same time of day.",
        "Regular sleep and wake times tend to help more than anything else when you're only getting {hrs} hours.",
        "When starting {act}, increase by about ten percent a week and keep one easy day between harder sessions.",
        "For time-zone changes, moving your dose by an hour or two a day is a common approach.",
        "A late dose taken the same day is usually fine; never double up the next day to make up for it.",
        "A pill organiser with morning and evening rows makes it obvious whether you've taken today's dose.",
        "Writing questions down before an appointment with {who} makes it much easier to cover everything.",
        "If anything feels severe or sudden, contact a clinician rather than waiting.",
        "Keep a current list of all your medicines and strengths in your wallet or phone.",
    ],
    "close": ["I hope that helps.", "Let me know if you want that as a printable list.",
              "Worth double-checking with {who}."],
}

DRUGS = [("levothyroxine", "thyroid tablet", "mcg", [(75, 88), (100, 112), (50, 75), (125, 137)]),
         ("sertraline", "antidepressant", "mg", [(50, 75), (100, 150), (25, 50)]),
         ("lisinopril", "blood pressure tablet", "mg", [(10, 20), (5, 10), (20, 30)]),
         ("metformin", "diabetes tablet", "mg", [(500, 850), (850, 1000)])]
ANTIBIOTICS = ["cefuroxime", "clarithromycin", "doxycycline", "nitrofurantoin", "ciprofloxacin", "trimethoprim"]


def make_medical_meds(rng, n):
    drug, cat, unit, pairs = DRUGS[n % len(DRUGS)]
    old, new = rng.choice(pairs)
    allergy, allergy2 = rng.sample(ANTIBIOTICS, 2)
    doc = "Dr. %s" % rng.choice(LAST)
    spouse = rng.choice(MALE)
    s_old = "%s %s %s" % (drug, old, unit)
    s_new = "%s %s %s" % (drug, new, unit)
    f = place(rng, [(0.02, 0.06), (0.10, 0.24), (0.45, 0.62), (0.70, 0.88)])
    beats = [
        (f[0], [U("Hi! I'm 54 and trying to get my daily routine organised. Right now I take %s every morning, plus a few supplements. "
                  "Can you help me keep track of things over the next while?" % s_old),
                A("Of course. I can help you keep a running list and a schedule. Tell me what else you take and when, and we'll build it up as we go.")]),
        (f[1], [U("We're going to my in-laws for a week in the countryside, nearest pharmacy is miles away, so I'm trying to pack sensibly. "
                  "Plasters, sun cream, the usual. I'm a bit nervous about getting an infection out there because the last time I was given a course of %s "
                  "I came out in itchy hives all over my arms and neck and had to stop it. Anyway, what else should go in a travel kit?" % allergy),
                A("A sensible travel kit: plasters, antiseptic, an antihistamine you've used before, paracetamol, rehydration sachets, tweezers, and enough of your regular tablets for the whole trip plus a few days. "
                  "It's also worth writing down any medicine you've reacted to, so you can tell any doctor you see while away.")]),
        (f[2], [U("Update: saw %s this afternoon. My blood test came back off, so she's changed me to %s starting Monday. Same time of day, before breakfast." % (doc, s_new)),
                A("Thanks, I've noted the change in your routine. Dose changes like this are usually rechecked with another blood test after several weeks, so it may be worth booking that now.")]),
        (f[3], [U("Oh, and for our shared list, %s has to avoid %s, he swelled up on it years ago." % (spouse, allergy2)),
                A("Noted, I'll keep that under his name rather than yours so the two lists don't get mixed up.")]),
    ]
    q = U("I'm at the pharmacy counter picking up a new prescription and they're asking two things: what strength of my %s am I on at the moment, "
          "and which antibiotic was it that gave me that skin reaction? Can you remind me?" % cat)
    return dict(
        system={"role": "system", "content": "You are a friendly health-organisation assistant. You are not a doctor and do not diagnose. "
                "Keep track of the user's medicines and routines as they tell you about them."},
        head=[], beats=beats, tail=[q], filler=chat_filler(MED),
        needed=[s_new, allergy], forbidden=[s_old, allergy2],
        notes="Dose stated early then changed by the doctor mid-conversation; antibiotic allergy mentioned in passing inside a travel-kit message; "
              "spouse's different antibiotic allergy as a late look-alike. Question uses the drug category, and 'skin reaction' for 'hives'.")


# --------------------------------------------------------------------------
# kind 4: negotiation_car -- buying a used car
# --------------------------------------------------------------------------

CAR = {
    "v": {
        "car": ["the hatchback", "the estate", "the SUV", "the hybrid"],
        "feat": ["adaptive cruise", "heated seats", "a tow bar", "Apple CarPlay", "a spare wheel", "parking sensors"],
        "miles": lambda r: "{:,}".format(r.randrange(18000, 76000, 500)),
        "apr": lambda r: "%.1f%%" % r.uniform(3.9, 11.9),
        "term": ["36", "48", "60"],
        "part": ["the brake pads", "the tyres", "the timing belt", "the battery", "the wiper blades"],
        "other": ["the private seller on the marketplace", "the dealer across town", "the online car supermarket"],
    },
    "user": [
        "They're offering finance at {apr} over {term} months. Is that decent?",
        "It's got {miles} miles on it. How much should that knock off compared to a lower-mileage one?",
        "Is {feat} worth paying extra for or am I being upsold?",
        "The inspection report says {part} will need doing within a year. Should I ask them to sort that first?",
        "{other} has a similar one. Should I mention it when I go back in?",
        "What paperwork should I check before signing for {car}?",
        "Should I get the extended warranty they keep pushing?",
        "How do I check the service history is real?",
        "Is it better to pay the deposit on card or by bank transfer?",
        "They want a holding deposit before I've had it inspected. Normal?",
    ],
    "user_extra": COMMON_EXTRA,
    "open": ["Reasonable question.", "Here's how I'd think about it.", "A few angles on that:", "Good that you're checking."],
    "points": [
        "Dealer finance at {apr} is only good if it beats what your bank or credit union offers for the same {term}-month term.",
        "At {miles} miles, compare against listings within about 10,000 miles either side rather than using a rule of thumb.",
        "{feat} is nice to have, but it rarely changes resale value much on a used car.",
        "Asking them to replace {part} before handover is a normal request and often easier than a discount.",
        "Mentioning {other} works best if you can show the actual listing rather than just saying it exists.",
        "Check the registration document matches the VIN on the windscreen and door pillar.",
        "Extended warranties are often priced with a big margin; read what's excluded before deciding.",
        "Service stamps can be verified by calling the garage that stamped them.",
        "Paying a deposit on a credit card can give you extra protection if things go wrong.",
        "Holding deposits should be refundable in writing if the inspection turns up problems.",
        "Silence is a useful negotiating tool; let them fill the pause after you make an offer.",
        "Always negotiate the total price first, then talk about finance and trade-in separately.",
    ],
    "close": ["Good luck with it.", "Want me to help you script what to say?", "Let me know what they come back with."],
}

CARS = ["2019 Skoda Octavia estate", "2020 Toyota Corolla hybrid", "2018 Mazda CX-5", "2021 Kia Niro", "2019 Honda Civic"]
DEALERS = ["Riverside Motors", "Hallam Autos", "Northgate Car Centre", "Beacon Vehicle Sales"]


def make_negotiation_car(rng, n):
    ask = rng.randrange(21000, 24900, 100)
    counter = rng.randrange(17000, 18900, 50)
    final = rng.randrange(19050, 20900, 50)
    sales, finmgr = ["%s %s" % (a, b) for a, b in zip(rng.sample(FIRST, 2), rng.sample(LAST, 2))]
    car = CARS[n % len(CARS)]
    dealer = rng.choice(DEALERS)
    f = place(rng, [(0.02, 0.05), (0.09, 0.20), (0.26, 0.38), (0.52, 0.68), (0.72, 0.88)])
    beats = [
        (f[0], [U("I'm looking at a %s at %s. The windscreen sticker says %s. Seems high to me. How do I approach this?" % (car, dealer, money(ask))),
                A("Start by pricing comparable cars with similar mileage and trim, then decide your walk-away number before going back. Stickers on used cars almost always have room in them.")]),
        (f[1], [U("Went back Saturday. The salesperson who did the test drive with me was %s, nice enough, didn't push too hard. It drove well, slight rattle from the boot though." % sales),
                A("A rattle from the boot is often just the parcel shelf or the spare wheel not being clamped; worth asking them to check before you buy.")]),
        (f[2], [U("I made my first offer today: %s, told them that's based on the comparable listings." % money(counter)),
                A("Anchoring on comparables is the right approach. Expect a counter somewhere in between; don't move too quickly.")]),
        (f[3], [U("They came back twice and we've shaken hands at %s out the door, which includes the floor mats and the first service. I'm pretty happy." % money(final)),
                A("That sounds like a fair deal, and getting the first service included is a nice extra. Ask them to put the agreed total and inclusions in writing before you pay anything.")]),
        (f[4], [U("%s from the finance office rang to talk about gap insurance and the warranty, I said I'd think about it." % finmgr),
                A("Sensible; you don't have to decide on add-ons at the same time as the purchase.")]),
    ]
    q = U("I'm going in to sign tomorrow morning. Remind me what total we finally agreed on, and the name of the salesperson who took me out on the test drive, "
          "so I can ask for them at reception?")
    return dict(
        system={"role": "system", "content": "You are a practical assistant helping someone buy a used car. Give negotiation advice and keep track of what they tell you."},
        head=[], beats=beats, tail=[q], filler=chat_filler(CAR),
        needed=[money(final), sales], forbidden=[money(ask), money(counter), finmgr],
        notes="Salesperson named once in passing early; sticker price and first offer superseded by the agreed total; finance manager's name as a late look-alike.")


# --------------------------------------------------------------------------
# kind 5: config_nginx -- debugging reverse-proxy config
# --------------------------------------------------------------------------

NGX = {
    "v": {
        "dir": ["gzip_types", "client_max_body_size", "keepalive_timeout", "proxy_buffer_size",
                "limit_req_zone", "add_header Strict-Transport-Security", "ssl_protocols", "access_log"],
        "code": ["502", "504", "499", "413", "429"],
        "path": ["/api/v2/orders", "/healthz", "/static/", "/api/v2/search", "/auth/callback", "/reports"],
        "kube": ["the readiness probe", "the HPA", "the PodDisruptionBudget", "the ingress annotation", "the liveness probe"],
        "n": lambda r: str(r.randint(2, 12)),
        "mb": lambda r: str(r.choice([8, 16, 25, 50, 100])),
    },
    "user": [
        "We're seeing {code}s on {path} a few times an hour. Where would you start?",
        "What's a sane value for {dir} for a JSON API?",
        "Should {kube} hit {path} or a dedicated endpoint?",
        "Uploads over {mb} MB fail with {code}. Which setting is that?",
        "Can you explain what {dir} actually does? The docs are terse.",
        "We run {n} replicas behind nginx. Do we need sticky sessions for {path}?",
        "How do I log upstream response time so I can see which requests are slow?",
        "Is it worth enabling HTTP/2 between nginx and the pods?",
        "Here's our log line: upstream prematurely closed connection while reading response header. What does that mean?",
        "Would rate limiting on {path} hurt legitimate users?",
    ],
    "user_extra": ["This is the staging cluster for now.", "We're on nginx 1.24.", "Prod change freeze starts Friday.", "Ops will review before merge."],
    "open": ["A few things to check.", "Here's how I'd approach it.", "Short version:", "That's usually one of two things."],
    "points": [
        "A {code} on {path} typically means nginx gave up on the upstream or the client went away first; the error log distinguishes the two.",
        "For {dir}, start with the default and change it only when you can point at a specific failing request.",
        "{kube} should use a cheap endpoint that doesn't touch the database, otherwise a slow DB takes every pod out of rotation.",
        "For uploads above {mb} MB, client_max_body_size is the usual culprit, and the ingress may have its own limit too.",
        "Adding $upstream_response_time and $request_time to log_format shows where the time goes.",
        "With {n} replicas and stateless handlers you don't need sticky sessions.",
        "HTTP/2 to upstreams isn't supported by proxy_pass in stock nginx; keepalive connections give most of the benefit.",
        "'Upstream prematurely closed connection' usually means the app crashed or hit its own worker timeout mid-request.",
        "Rate limiting with a burst and nodelay is gentle on real users while still capping abusive clients.",
        "Make sure the app's worker timeout is longer than what nginx waits, or you get confusing half-failures.",
        "Reload with nginx -t first; a syntax error on reload keeps the old config running silently.",
        "```\nlocation {path} {\n    proxy_set_header Host $host;\n    proxy_set_header X-Request-Id $request_id;\n    proxy_pass http://backend_pool;\n}\n```",
    ],
    "close": ["Paste the error log if that doesn't narrow it down.", "Happy to review the diff.", "Let me know what the logs say."],
}


def make_config_nginx(rng, n):
    to_old = rng.choice([60, 90, 120, 180])
    to_new = rng.choice([t for t in range(241, 390, 2)])
    dom = rng.choice(["example.net", "acme.internal", "corp.example"])
    num = rng.randint(2, 9)
    l_old, l_new = rng.sample("abcdefgh", 2)
    host_old = "api-int-%d%s.%s" % (num, l_old, dom)
    host_new = "api-int-%d%s.%s" % (num, l_new, dom)
    ws = "proxy_read_timeout %ds" % rng.choice([1800, 3600, 7200])
    need_to = "proxy_read_timeout %ds" % to_new
    old_to = "proxy_read_timeout %ds" % to_old
    cfg = ("upstream backend_pool {\n    server %s:8080 max_fails=3 fail_timeout=10s;\n    keepalive 32;\n}\n\n"
           "server {\n    listen 443 ssl http2;\n    server_name reports.%s;\n    ssl_certificate /etc/nginx/tls/tls.crt;\n"
           "    ssl_certificate_key /etc/nginx/tls/tls.key;\n    client_max_body_size 25m;\n\n"
           "    location /export {\n        proxy_http_version 1.1;\n        proxy_set_header Connection \"\";\n"
           "        %s;\n        proxy_pass http://backend_pool;\n    }\n\n"
           "    location / {\n        proxy_pass http://backend_pool;\n    }\n}" % (host_old, dom, old_to))
    f = place(rng, [(0.02, 0.06), (0.20, 0.34), (0.45, 0.60), (0.70, 0.86)])
    beats = [
        (f[0], [U("Our /export endpoint times out for big customers. Here's the current server config:\n\n```nginx\n%s\n```\n\nThe export job can take several minutes." % cfg),
                A("The /export location is the one to look at. Long-running exports through a synchronous proxy need the read timeout to exceed the slowest legitimate export, "
                  "and the app server's own timeout has to be longer still. Can you get the p99 duration for /export from your APM?")]),
        (f[1], [U("Also, correction on the upstream: infra migrated the service last month. The current internal host is %s, the one in that config is the old VM and is being decommissioned." % host_new),
                A("Good catch, that would have bitten you after the decommission. The upstream block needs updating as part of this change as well.")]),
        (f[2], [U("APM says p99 for /export is about %d seconds, max we've seen is a bit over %d." % (to_new - 70, to_new - 25)),
                A("Then I'd give it headroom over the worst case without making it unbounded: set `%s;` on the /export location only, and keep the default for everything else. "
                  "Also make sure gunicorn's --timeout is above that." % need_to)]),
        (f[3], [U("Unrelated, but the websocket gateway config has `%s;` on its location, is that a problem?" % ws),
                A("For websockets a long read timeout is normal since the connection is idle between messages. Leave that one as is.")]),
    ]
    q = U("Great, can you write out the final nginx config for the /export location and its upstream now, with the read timeout we agreed on and pointing at the correct internal backend?")
    return dict(
        system={"role": "system", "content": "You are a senior infrastructure engineer helping a colleague debug nginx and Kubernetes configuration. Be precise and give working config."},
        head=[], beats=beats, tail=[q], filler=chat_filler(NGX),
        needed=[need_to, host_new], forbidden=[old_to, host_old, ws],
        notes="Pasted config carries the stale timeout and old host; host corrected in a later user aside; timeout value decided in an assistant message; "
              "look-alike timeout from an unrelated websocket location.")


# --------------------------------------------------------------------------
# kind 6: planning_trip -- anniversary trip planning
# --------------------------------------------------------------------------

TRIP = {
    "v": {
        "city": ["Bologna", "Verona", "Siena", "Lucca", "Parma"],
        "sight": ["the cathedral", "the old market", "the hilltop gardens", "the castle museum",
                  "the Roman amphitheatre", "the botanical garden", "the river walk"],
        "item": ["a rain jacket", "comfortable sandals", "a travel adapter", "a power bank",
                 "a light scarf for churches", "a reusable water bottle"],
        "budget": lambda r: "EUR %d" % r.randrange(40, 260, 10),
        "day": ["Thursday", "Friday", "Saturday", "Sunday", "the last day"],
        "transport": ["the regional train", "a hire car", "the airport bus", "a taxi"],
        "gift": ["a leather notebook", "local olive oil", "a ceramic bowl", "a print of the city"],
    },
    "user": [
        "Is {transport} the easiest way to get from the airport into town?",
        "How much time should we set aside for {sight}?",
        "Packing list check: have I forgotten anything apart from {item}?",
        "We have about {budget} a day for food. Realistic?",
        "What's a good plan for {day} if it rains?",
        "Do we need to book {sight} in advance or can we just turn up?",
        "Would {gift} survive in hand luggage?",
        "Is it worth a day trip to {city} from where we're staying?",
        "How early should we be at the station for {transport}?",
        "Any tips for not looking like tourists at restaurants?",
    ],
    "user_extra": COMMON_EXTRA,
    "open": ["Nice, here are some thoughts.", "Sure!", "Happy to help plan that.", "Good question for a trip like this."],
    "points": [
        "{transport} is usually the simplest option, and tickets can be bought on the day.",
        "Half a day is plenty for {sight}, and mornings are quieter.",
        "Besides {item}, people often forget a copy of their passport and any medication.",
        "{budget} a day is comfortable if you mix a sit-down dinner with lighter lunches.",
        "On a rainy {day}, covered arcades and a long lunch make a nice slow day.",
        "Booking {sight} online avoids the queue in high season.",
        "{gift} travels fine if you wrap it in clothes in the middle of the bag.",
        "A day trip to {city} is easy by train and gives you a different feel from the bigger towns.",
        "Arriving fifteen minutes before {transport} leaves is usually enough outside rush hour.",
        "Dinner starts later than you might expect; tables fill from about half past eight.",
        "Asking for the house wine by the carafe is normal and usually good value.",
        "Keep some coins for church lighting and small cafes that don't take cards.",
    ],
    "close": ["Have a lovely time.", "Want me to turn this into a day-by-day plan?", "Let me know what you decide."],
}

RESTS = ["Osteria Lupa", "Trattoria Ombretta", "Bar Cetrioli", "Locanda del Gelso", "Ristorante Vela Blu",
         "Osteria dei Mulini", "Trattoria Sant'Agata", "Cantina Quercia"]


def make_planning_trip(rng, n):
    city = TRIP["v"]["city"][n % 5]
    # Day-trip suggestions in filler must not name the city we are staying in.
    trip_vocab = dict(TRIP, v=dict(TRIP["v"], city=[c for c in TRIP["v"]["city"] if c != city]))
    conf = "%s-%05d" % (rng.choice(["HX", "RV", "MQ", "LT"]), rng.randint(10000, 99999))
    flight_ref = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
    r_old, r_new, r_friend = rng.sample(RESTS, 3)
    hotel = rng.choice(["Albergo Cortile", "Hotel Due Torri Piccolo", "Palazzo Ginestra", "Casa Limonaia"])
    friend = rng.choice(FIRST)
    f = place(rng, [(0.02, 0.06), (0.10, 0.22), (0.26, 0.36), (0.46, 0.62), (0.70, 0.87)])
    beats = [
        (f[0], [U("We're planning our 10th anniversary trip to %s in May! First thing sorted: dinner on the anniversary night, I booked %s for 8pm." % (city, r_old)),
                A("Congratulations! Having the anniversary dinner booked early is smart, the nicer places fill up in May.")]),
        (f[1], [U("Ok, logistics dump so I don't forget. Flights are booked, we land mid-afternoon. I still need to sort travel insurance and get euros. "
                  "The hotel, %s, emailed this morning, confirmation %s, check-in from 3pm and they'll hold bags if we're early. "
                  "I also want to find out whether the room has a kettle because my husband can't function without tea." % (hotel, conf)),
                A("Sounds like it's coming together. For insurance, check it covers cancellation as well as medical. Get a small amount of cash before you go and use cards for the rest. "
                  "A quick email to the hotel will answer the kettle question; many will bring one up on request.")]),
        (f[2], [U("The airline booking reference is %s if you need it for anything, seats are together." % flight_ref),
                A("Great, having seats together sorted takes away a lot of stress on the day.")]),
        (f[3], [U("Ugh. The place we'd booked for the anniversary dinner emailed to say they're closed that evening for a private event. "
                  "I've rebooked us at %s, 7:30 instead. The reviews look lovely." % r_new),
                A("Annoying, but a good recovery. 7:30 is early for local dinner habits, so you'll likely have a calmer room.")]),
        (f[4], [U("My friend %s says we absolutely must try %s at some point, maybe for lunch one day." % (friend, r_friend)),
                A("Worth fitting in as a lunch, it'll give you a second special meal without competing with the anniversary dinner.")]),
    ]
    q = U("Quick one while I'm printing things: what's the code I'll need at the hotel front desk, and where are we having dinner on the actual anniversary evening now?")
    return dict(
        system={"role": "system", "content": "You are a warm, organised travel-planning assistant. Keep track of bookings the user mentions."},
        head=[], beats=beats, tail=[q], filler=chat_filler(trip_vocab),
        needed=[conf, r_new], forbidden=[r_old, flight_ref, r_friend],
        notes="Hotel confirmation said in passing inside a long logistics message; anniversary restaurant rebooked (new message does not repeat the old name); "
              "look-alikes: airline booking reference, friend's restaurant recommendation.")


# --------------------------------------------------------------------------
# kind 7: analysis_abtest -- A/B test results pasted into chat
# --------------------------------------------------------------------------

AB = {
    "v": {
        "metric": ["add-to-cart rate", "checkout completion", "bounce rate", "revenue per visitor",
                   "average order value", "time on page", "signup rate"],
        "seg": ["mobile", "desktop", "returning visitors", "new visitors", "the UK", "paid search traffic"],
        "n": lambda r: "{:,}".format(r.randrange(1200, 30000, 13)),
        "p": lambda r: "0.%02d" % r.randint(1, 60),
        "days": lambda r: str(r.choice([7, 10, 14, 21])),
        "tool": ["the dashboard", "our notebook", "the stats export", "the BI tool"],
    },
    "user": [
        "The {metric} on {seg} looks different from the overall number. Should I report it?",
        "p = {p} for {metric}. How do I explain that to non-technical people?",
        "We only have {n} users in {seg}. Is that enough to say anything?",
        "Should I run the test for another {days} days?",
        "{tool} shows a slightly different conversion number than the raw query. Which do I trust?",
        "Is it ok to look at the results every day or does that mess up the stats?",
        "How do I present confidence intervals in a slide without confusing people?",
        "Does novelty effect matter for a change like this?",
        "What's Simpson's paradox and could it bite us here with {seg}?",
        "Can I combine {metric} and revenue into one decision metric?",
    ],
    "user_extra": ["The PM wants an answer by Thursday.", "This is for the growth team review.", "Data is from the last export."],
    "open": ["Good question.", "Here's how I'd frame it.", "Statistically speaking:", "A couple of points."],
    "points": [
        "Segment results like {metric} on {seg} are exploratory unless you pre-registered them, so label them that way.",
        "A p-value of {p} is the chance of seeing a difference at least this big if there were truly no effect; it isn't the chance the variant is better.",
        "With {n} users in {seg}, the confidence interval will be wide, so report it alongside the point estimate.",
        "Extending by {days} days is fine if you decided on the sample size up front; extending because the result is close inflates false positives.",
        "Discrepancies between {tool} and raw queries are usually about bot filtering, time zones, or session definitions.",
        "Peeking daily is fine for monitoring, as long as the stopping decision uses the planned sample.",
        "On a slide, show the interval as a bar with the point estimate, and say in words what range is plausible.",
        "Novelty effects matter most for visible UI changes; checking the trend over the first week helps.",
        "Simpson's paradox can show up when traffic mix between {seg} and the rest differs between arms.",
        "Composite metrics are possible but make decisions harder to explain; a primary metric plus guardrails is more common.",
        "Check for sample ratio mismatch first; if the split isn't close to 50/50, something is broken upstream.",
        "Keep a decision log so the reasoning survives when people ask in six months.",
    ],
    "close": ["Happy to help with the write-up.", "Let me know if you want the slide wording.", "Hope that helps."],
}


def ab_table(rng, title, rows):
    lines = [title, "", "| arm | sessions | conversions | conv. rate | rel. lift vs control |", "|---|---|---|---|---|"]
    for arm, sess, lift in rows:
        conv = int(sess * rng.uniform(0.031, 0.036))
        lines.append("| %s | %s | %s | %.3f%% | %s |" % (arm, "{:,}".format(sess), "{:,}".format(conv), 100.0 * conv / sess, lift))
    return "\n".join(lines)


def make_analysis_abtest(rng, n):
    thr = rng.uniform(2.55, 3.45)
    lift_old = rng.uniform(3.55, 4.45)
    lift_new = rng.uniform(4.55, 5.45)
    lift_c = rng.uniform(3.6, 5.4)
    s_thr = "%.2f%% minimum lift" % thr
    s_old = "+%.2f%%" % lift_old
    s_new = "+%.2f%%" % lift_new
    s_c = "+%.2f%%" % lift_c
    page = rng.choice(["checkout", "product detail", "basket", "landing"])
    sess = rng.randrange(30000, 48000, 7)
    f = place(rng, [(0.02, 0.07), (0.10, 0.22), (0.46, 0.62), (0.70, 0.86)])
    beats = [
        (f[0], [U("I'm analysing the %s page redesign test (control vs variant B). Some background before the numbers come in: the team lead is on leave, I inherited this, "
                  "and the pre-registration doc says we ship B only if it beats control on conversion by at least a %s at 95%% confidence, two-sided. "
                  "Traffic split is 50/50 and it ran for three weeks." % (page, s_thr)),
                A("Thanks, that context matters: the pre-registered threshold is what the decision should rest on, not whatever looks exciting after the fact. Send the results when you have them.")]),
        (f[1], [U("First export:\n\n" + ab_table(rng, "Conversion, all traffic", [("control", sess, "-"), ("B", sess + rng.randint(-300, 300), s_old)])),
                A("Sample sizes look balanced. Before interpreting the lift, I'd check the traffic filters; the session count is higher than I'd expect for three weeks on that page.")]),
        (f[2], [U("You were right, analytics forgot to exclude the crawler traffic. Re-run with bots filtered out:\n\n" +
                  ab_table(rng, "Conversion, bot-filtered (final)", [("control", sess - rng.randint(4000, 6000), "-"), ("B", sess - rng.randint(4000, 6000), s_new)]) +
                  "\n\nThe data team says this one is the official number."),
                A("Good, this is the one to report. The interval is reasonably tight at this sample size.")]),
        (f[3], [U("FYI, the pricing-page team ran a variant C in parallel on a different page; their readout says %s relative lift." % s_c),
                A("That's a separate experiment on different traffic, so it doesn't bear on the B decision.")]),
    ]
    q = U("Bottom line for the exec summary: after the cleanup, what relative uplift did B actually show, and what was the bar we committed to in advance before the test started?")
    return dict(
        system={"role": "system", "content": "You are a data analyst assistant helping interpret experiment results. Be rigorous and plain-spoken."},
        head=[], beats=beats, tail=[q], filler=chat_filler(AB),
        needed=[s_new, s_thr], forbidden=[s_old, s_c],
        notes="Pre-registered threshold mentioned in passing in an early context message; lift superseded by a bot-filtered re-run table; "
              "look-alike lift from an unrelated variant C late.")


# --------------------------------------------------------------------------
# kind 8: finance_tax -- self-employed tax prep chat
# --------------------------------------------------------------------------

TAX = {
    "v": {
        "exp": ["a new laptop", "software subscriptions", "a co-working day pass", "professional association dues",
                "a desk chair", "client lunches", "train tickets to a client", "a printer"],
        "amt": lambda r: "$%d" % r.randrange(40, 2400, 7),
        "miles": lambda r: str(r.randrange(300, 6000, 10)),
        "form": ["a 1099-NEC", "a 1099-K", "a W-2 from my part-time job", "a 1098 for the mortgage interest"],
        "acct": ["my SEP-IRA", "a Roth IRA", "my HSA", "the solo 401(k)"],
    },
    "user": [
        "Can I deduct {exp}? It cost {amt}.",
        "I drove about {miles} miles for work. Standard mileage or actual expenses?",
        "I got {form} that looks wrong. What do I do?",
        "How much can I put into {acct} this year?",
        "Do I need to keep paper receipts or are photos fine?",
        "What's the difference between a deduction and a credit again?",
        "Should I just pay for tax software or see a CPA this year?",
        "Is it worth setting up a separate business bank account?",
        "My client paid me through an app. Is that income reported differently?",
        "Can I depreciate {exp} or do I expense it all at once?",
    ],
    "user_extra": COMMON_EXTRA,
    "open": ["General information, not tax advice:", "Good question.", "Here's the usual picture.", "Sure."],
    "points": [
        "Business expenses like {exp} are deductible when they're ordinary and necessary for your work.",
        "For {miles} miles, the standard mileage rate is simpler; actual expenses only win with a costly car.",
        "If {form} is wrong, ask the issuer for a corrected copy rather than just adjusting your return.",
        "Contribution limits for {acct} depend on your net self-employment income.",
        "Digital copies of receipts are generally acceptable if they're legible and complete.",
        "A deduction reduces taxable income; a credit reduces the tax itself.",
        "Software is fine for simple situations; a CPA earns their fee when things get unusual.",
        "A separate business account makes record keeping and any audit much easier.",
        "Payments through apps can be reported on a 1099-K, but it's still the same business income.",
        "Small equipment can often be expensed in the year you buy it instead of depreciated.",
        "Keep a simple spreadsheet by category throughout the year; it saves hours at filing time.",
        "Self-employment tax is separate from income tax, which surprises many first-year freelancers.",
    ],
    "close": ["Worth confirming with a tax professional.", "Want me to add that to your checklist?", "Hope that helps."],
}


def make_finance_tax(rng, n):
    a_old = rng.randint(100, 128)
    a_new = rng.randint(136, 178)
    est = rng.randrange(2505, 5195, 5)
    sp = distinct(rng, lambda r: r.randrange(1505, 2995, 5), est)
    partner = rng.choice(FEMALE)
    s_old, s_new = "%d sq ft" % a_old, "%d sq ft" % a_new
    f = place(rng, [(0.02, 0.06), (0.10, 0.22), (0.45, 0.62), (0.70, 0.87)])
    beats = [
        (f[0], [U("Starting my taxes early this year. I'm a freelance illustrator, I work from a spare room that's roughly %s I think, and I want to claim the home office deduction properly." % s_old),
                A("Good plan to start early. For the home office you'll need the room's area, the home's total area, and the room must be used regularly and exclusively for work.")]),
        (f[1], [U("Side note while I'm finding things: my bank statement shows I sent the IRS %s as an estimated payment back in June, the only one I managed last year "
                  "because of the big client delay. Anyway, what records do I need for the office?" % money(est)),
                A("Keep a floor plan or measurements, a few photos showing the space is used for work, and the utility and rent or mortgage statements for the year.")]),
        (f[2], [U("I measured the room properly with a laser measure this weekend, excluding the closet: it's %s. My earlier guess was off." % s_new),
                A("Thanks, use the measured figure; it's the one you could back up if asked.")]),
        (f[3], [U("%s also made an estimated payment of %s from her own account for her consulting, if that matters." % (partner, money(sp))),
                A("That's her payment; how it's handled depends on whether you file jointly or separately, so keep the records apart.")]),
    ]
    q = U("Filling in the worksheet now. What square footage should I enter for the office, and how much did I personally prepay in June?")
    return dict(
        system={"role": "system", "content": "You are a helpful assistant for personal tax preparation. Give general information, not professional tax advice."},
        head=[], beats=beats, tail=[q], filler=chat_filler(TAX),
        needed=[s_new, money(est)], forbidden=[s_old, money(sp)],
        notes="Office area guessed then corrected by measurement; estimated payment said as a side note in an early message; partner's payment as a late look-alike.")


# --------------------------------------------------------------------------
# kind 9: research_papers -- abstracts pasted for a literature review
# --------------------------------------------------------------------------

LIT = {
    "v": {
        "topic": ["calibration", "external validation", "missing data", "class imbalance", "sample size",
                  "decision curve analysis", "data leakage", "reporting guidelines"],
        "guide": ["TRIPOD", "PROBAST", "PRISMA", "CONSORT-AI"],
        "style": ["Vancouver", "APA", "Harvard"],
        "db": ["PubMed", "Embase", "Scopus", "Web of Science"],
        "n": lambda r: str(r.randint(12, 60)),
    },
    "user": [
        "How should I discuss {topic} in the limitations section?",
        "Does {guide} require me to report {topic}?",
        "What's the difference between discrimination and calibration, in one paragraph?",
        "Should I include conference abstracts from {db}?",
        "How do I cite a preprint in {style} style?",
        "I have {n} papers after screening. Is that enough for a systematic review?",
        "How do I handle papers that report only accuracy and not AUROC?",
        "Can you suggest column headings for my evidence table?",
        "What counts as high risk of bias under {guide}?",
        "Any tips for writing the search strategy for {db}?",
    ],
    "user_extra": ["My supervisor reviews the draft Friday.", "Word limit is tight.", "This is for my MSc dissertation."],
    "open": ["Here's a way to approach it.", "Good question for a review.", "Briefly:", "Sure."],
    "points": [
        "For {topic}, state what the included studies did and how that limits the conclusions you can draw.",
        "{guide} asks authors to describe {topic} explicitly, so its absence is worth flagging in your appraisal.",
        "Discrimination is how well a model ranks patients by risk; calibration is whether predicted risks match observed frequencies.",
        "Including conference abstracts from {db} reduces publication bias but they often lack detail for appraisal.",
        "In {style} style, preprints are cited with the server name and a note that they are not peer reviewed.",
        "{n} studies is a reasonable number; the depth of appraisal matters more than the count.",
        "When only accuracy is reported, record it and note that it depends on prevalence and threshold.",
        "Useful columns: study, setting, population, outcome, predictors, sample size, discrimination, calibration, validation type, risk of bias.",
        "Under {guide}, small samples, data-driven predictor selection and no validation push studies toward high risk of bias.",
        "Write the search strategy as blocks of synonyms joined by OR, then combine the blocks with AND.",
        "Record the date each database was searched; reviewers always ask.",
        "Keep track of preprint versus published versions, since numbers sometimes change between them.",
    ],
    "close": ["Happy to look at a draft paragraph.", "Hope that helps the write-up.", "Want a template for that?"],
}


def make_research_papers(rng, n):
    v1 = rng.uniform(0.901, 0.948)
    pub = rng.uniform(0.842, 0.889)
    b = rng.uniform(0.80, 0.90)
    while abs(b - pub) < 0.004:
        b = rng.uniform(0.80, 0.90)
    cohort = rng.randrange(2100, 9800)
    sites = rng.randint(4, 16)
    a_auth, b_auth = rng.sample(LAST, 2)
    outcome = rng.choice(["sepsis within 48 hours", "30-day readmission", "acute kidney injury", "in-hospital deterioration"])
    s_v1, s_pub, s_b = ("AUROC of %.3f" % x for x in (v1, pub, b))
    s_coh = "{:,} patients".format(cohort)
    f = place(rng, [(0.02, 0.06), (0.10, 0.24), (0.45, 0.62), (0.70, 0.86)])
    beats = [
        (f[0], [U("Starting my lit review on ML models for predicting %s. First one, the %s et al. preprint (v1):\n\n> Background: Early identification of %s remains difficult. "
                  "Methods: We trained a gradient-boosted model on routinely collected vital signs and laboratory values. Results: On the internal test split the model achieved an %s, "
                  "outperforming the existing early warning score. Conclusions: The model may support earlier intervention." % (outcome, a_auth, outcome, s_v1)),
                A("Thanks. Note this is a preprint and the result is on an internal split, so in your table mark it as internal validation, and check whether a peer-reviewed version exists.")]),
        (f[1], [U("From the %s preprint's methods section, for my notes: development used %s admitted across %d hospitals between 2016 and 2021, with 20%% held out." % (a_auth, s_coh, sites)),
                A("Multi-site development data is a strength; you'll want to note whether the held-out split was random or by hospital, since that affects how optimistic the estimate is.")]),
        (f[2], [U("Found the journal version of the %s paper, it changed quite a bit after peer review:\n\n> Results (revised): After correcting a temporal leakage issue identified during review, "
                  "and on external validation at two independent hospitals, the model achieved an %s. Calibration was adequate after recalibration." % (a_auth, s_pub)),
                A("That's the figure to use: the published, externally validated one. The correction for temporal leakage is also worth a sentence in your discussion of bias.")]),
        (f[3], [U("Another one for the table, %s et al.: a deep learning model for the same outcome, reported an %s on their test set." % (b_auth, s_b)),
                A("Noted as a separate row; the populations differ, so avoid comparing the two numbers directly without that caveat.")]),
    ]
    q = U("Filling in the %s row of my evidence table: what discrimination did their model reach in the final peer-reviewed version, and how big was the development cohort?" % a_auth)
    return dict(
        system={"role": "system", "content": "You are a research assistant helping a graduate student write a systematic literature review on clinical prediction models."},
        head=[], beats=beats, tail=[q], filler=chat_filler(LIT),
        needed=[s_pub, s_coh], forbidden=[s_v1, s_b],
        notes="Preprint AUROC superseded by the journal version; cohort size from a methods aside early; look-alike AUROC from another paper late.")


# --------------------------------------------------------------------------
# kind 10: agent_repo -- coding agent with file/shell tools
# --------------------------------------------------------------------------

REPO_TOOLS = [
    fn("read_file", "Read a file from the repository.", {"path": ("string", "Repository-relative path.")}),
    fn("run_command", "Run a shell command in the repository root and return stdout/stderr.",
       {"command": ("string", "Shell command.")}),
    fn("search_code", "Search the repository for a regular expression.",
       {"pattern": ("string", "Regex."), "path": ("string", "Directory to search.")}, ["pattern"]),
    fn("list_dir", "List a directory.", {"path": ("string", "Directory path.")}),
]

NOUNS = ["invoice", "refund", "ledger", "customer", "payment", "credit_note", "subscription", "tax_rate", "currency", "webhook"]
VERBS = ["load", "compute", "apply", "validate", "serialize", "reconcile", "fetch", "build", "normalize", "emit"]


def py_module(rng, noun):
    cls = "".join(p.capitalize() for p in noun.split("_"))
    lines = ['"""%s handling for the billing service."""' % noun.replace("_", " ").capitalize(),
             "from __future__ import annotations", "", "import logging",
             "from dataclasses import dataclass, field", "from decimal import Decimal, ROUND_HALF_EVEN", "",
             "from billing.db import session_scope", "from billing.money import Money", "",
             "log = logging.getLogger(__name__)", "", "",
             "@dataclass", "class %s:" % cls, "    id: int", "    account_id: int",
             "    amount: Money", "    status: str = \"open\"", "    meta: dict = field(default_factory=dict)", ""]
    for _ in range(rng.randint(4, 8)):
        verb = rng.choice(VERBS)
        other = rng.choice(NOUNS)
        name = "%s_%s" % (verb, other)
        lines += ["", "def %s(%s: %s, *, strict: bool = False) -> %s:" % (name, noun, cls, rng.choice(["Money", "bool", "list[%s]" % cls, "None", "dict"])),
                  '    """%s the %s for this %s."""' % (verb.capitalize(), other.replace("_", " "), noun.replace("_", " ")),
                  "    with session_scope() as s:",
                  "        rows = s.query(%s).filter_by(account_id=%s.account_id).all()" % (cls, noun),
                  "    if strict and not rows:",
                  '        raise ValueError("no %s rows for account %%s" %% %s.account_id)' % (other, noun),
                  "    total = sum((r.amount for r in rows), Money.zero(%s.amount.currency))" % noun,
                  "    total = total.quantize(Decimal(\"0.01\"), rounding=ROUND_HALF_EVEN)",
                  '    log.debug("%s %%s -> %%s", %s.id, total)' % (name, noun),
                  "    return total"]
    return "\n".join(lines) + "\n"


def repo_filler(calls):
    def gen(rng):
        k = rng.random()
        noun = rng.choice(NOUNS)
        if k < 0.34:
            path = "billing/%s.py" % noun
            g = calls.loop([("read_file", {"path": path}, py_module(rng, noun))])
        elif k < 0.52:
            hits = []
            for _ in range(rng.randint(6, 16)):
                nn = rng.choice(NOUNS)
                hits.append("billing/%s.py:%d:    total = %s_%s(%s, strict=%s)" % (
                    nn, rng.randint(12, 240), rng.choice(VERBS), rng.choice(NOUNS), nn, rng.choice(["True", "False"])))
            g = calls.loop([("search_code", {"pattern": "%s\\(" % rng.choice(VERBS), "path": "billing"}, "\n".join(hits))])
        elif k < 0.70:
            n_ok = rng.randint(40, 220)
            out = ["============================= test session starts ==============================",
                   "platform linux -- Python 3.11.7, pytest-8.2.1, pluggy-1.5.0",
                   "rootdir: /srv/billing-service", "configfile: pyproject.toml",
                   "collected %d items" % n_ok, ""]
            for mod in rng.sample(NOUNS, 5):
                out.append("tests/unit/test_%s.py %s [%3d%%]" % (mod, "." * rng.randint(8, 40), rng.randint(5, 100)))
            out.append("")
            out.append("============================== %d passed in %.2fs ==============================" % (n_ok, rng.uniform(3, 40)))
            g = calls.loop([("run_command", {"command": "python -m pytest tests/unit -q -p no:randomly"}, "\n".join(out))])
        elif k < 0.82:
            log = []
            for _ in range(rng.randint(10, 20)):
                log.append("%07x %s %s %s" % (rng.getrandbits(28), rng.choice(["fix:", "feat:", "chore:", "refactor:", "test:"]),
                                              rng.choice(VERBS), rng.choice(NOUNS).replace("_", " ") + rng.choice(["", " edge case", " rounding", " in CI", " for EUR"])))
            g = calls.loop([("run_command", {"command": "git log --oneline -20"}, "\n".join(log))])
        elif k < 0.90:
            ents = sorted({"%s.py" % rng.choice(NOUNS) for _ in range(10)} | {"__init__.py", "db.py", "money.py"})
            g = calls.loop([("list_dir", {"path": "billing"}, "\n".join(ents))])
        else:
            u, a = rng.choice([
                ("Any progress? CI went red again on the main branch.",
                 "Still narrowing it down; the unit tests are all green so far, so it's specific to the integration suite."),
                ("Take your time, but don't change the production config.", "Understood, I'm only reading and running tests locally."),
                ("FYI the integration tests use the shared staging database.", "Thanks, that fits: shared state between test modules is a likely suspect."),
                ("Can you also keep an eye out for anything that uses float for money?", "Noted. So far everything I've read uses Decimal via the Money type."),
                ("Is this related to the Python upgrade last sprint?", "Possibly, but the failures started before that merge according to the CI history, so I'm not assuming it."),
            ])
            g = [U(u), A(a)]
        if g[0]["role"] == "assistant" and rng.random() < 0.35:
            g.append(A(rng.choice(["Nothing suspicious in that module.", "That call path looks fine.", "Unit suite is green; moving on.",
                                   "No float arithmetic there, it all goes through Money.", "Noted; I'll come back to this if needed."])))
        return g
    return gen


def make_agent_repo(rng, n):
    calls = Calls(rng)
    port = rng.randint(6400, 6999)
    ex = distinct(rng, lambda r: r.choice([5432, 5433, 6432, 15432]), port)
    good = rng.randint(200000, 999999)
    bad = distinct(rng, lambda r: r.randint(100000, 999999), good)
    need_port, old_port = "DB_PORT=%d" % port, "DB_PORT=%d" % ex
    need_seed, old_seed = "--randomly-seed=%d" % good, "--randomly-seed=%d" % bad
    test = rng.choice(["test_partial_refund_after_void", "test_credit_note_rounding", "test_invoice_reissue_idempotent"])
    staging = ("# staging environment for billing-service (owned by platform team)\nAPP_ENV=staging\nLOG_LEVEL=info\n"
               "DB_HOST=billing-db.staging.internal\n%s\nDB_NAME=billing\nDB_USER=billing_app\nDB_SSLMODE=require\n"
               "REDIS_URL=redis://cache.staging.internal:6379/3\nPAYMENTS_SANDBOX=true\nWORKERS=4\n" % need_port)
    example = ("# copy to .env for local development\nAPP_ENV=dev\nLOG_LEVEL=debug\nDB_HOST=localhost\n%s\nDB_NAME=billing_dev\n"
               "DB_USER=postgres\nREDIS_URL=redis://localhost:6379/0\nPAYMENTS_SANDBOX=true\n" % old_port)
    run = "python -m pytest tests/integration -q -p randomly %s"
    passed = ("Using %s\n============================= test session starts ==============================\n"
              "collected 38 items\n\ntests/integration/test_invoices.py ............ [ 31%%]\n"
              "tests/integration/test_refunds.py .............. [ 68%%]\ntests/integration/test_webhooks.py ............ [100%%]\n\n"
              "============================== 38 passed in 44.17s ==============================" % old_seed)
    failed = ("Using %s\n============================= test session starts ==============================\n"
              "collected 38 items\n\ntests/integration/test_webhooks.py ............ [ 31%%]\n"
              "tests/integration/test_refunds.py ....F......... [ 68%%]\ntests/integration/test_invoices.py ............ [100%%]\n\n"
              "=================================== FAILURES ===================================\n"
              "_________________________ %s __________________________\n"
              "    def %s(client, seeded_invoice):\n>       assert refund.amount == Money('12.35', 'EUR')\n"
              "E       AssertionError: assert Money('12.34', 'EUR') == Money('12.35', 'EUR')\n\n"
              "tests/integration/test_refunds.py:141: AssertionError\n"
              "=========================== short test summary info ============================\n"
              "FAILED tests/integration/test_refunds.py::%s\n========================= 1 failed, 37 passed in 46.02s =========================" % (need_seed, test, test, test))
    f = place(rng, [(0.03, 0.09), (0.16, 0.30), (0.45, 0.60), (0.72, 0.86)])
    beats = [
        (f[0], calls.loop([("read_file", {"path": "deploy/staging.env"}, staging)]) +
               [A("That's the environment the integration suite runs against in CI. Next I'll look at how the tests are ordered.")]),
        (f[1], calls.loop([("run_command", {"command": run % old_seed}, passed)]) +
               [A("Everything passes with that seed, so ordering alone with this seed doesn't trigger it. I'll try seeds from the failing CI runs.")]),
        (f[2], calls.loop([("run_command", {"command": run % need_seed}, failed)]) +
               calls.loop([("run_command", {"command": run % need_seed}, failed.replace("46.02s", "45.88s"))]) +
               [A("This seed reproduces the failure every time: the refund test depends on rounding state left behind by the webhook tests when they run first.")]),
        (f[3], calls.loop([("read_file", {"path": ".env.example"}, example)]) +
               [A("That's only the local-development template, not what CI uses.")]),
    ]
    head = [U("The billing-service integration tests are flaky in CI, roughly one run in five goes red. Please find out why, and how to reproduce it locally. "
              "Read whatever you need, but don't push anything or touch the deploy configs.")]
    tail = [A("I have a clear picture of the failure now and can write it up, including the reproduction steps."),
            U("Before you write it up, two quick facts for the ticket: which seed makes the failure show up reliably, and what port is the staging environment's database configured on?")]
    return dict(
        system={"role": "system", "content": "You are an autonomous coding agent working in the billing-service repository. Use the tools to inspect files and run commands. Do not modify deployment configuration."},
        head=head, beats=beats, tail=tail, filler=repo_filler(calls), tools=REPO_TOOLS,
        needed=[need_seed, need_port], forbidden=[old_seed, old_port],
        notes="Staging DB port in an early read_file result; the reproducing seed in a mid run_command (args and output) after a non-reproducing seed; "
              "late look-alike port from .env.example.")


# --------------------------------------------------------------------------
# kind 11: agent_sql -- analytics agent with warehouse tools
# --------------------------------------------------------------------------

SQL_TOOLS = [
    fn("run_sql", "Run a read-only SQL query against the analytics warehouse.", {"sql": ("string", "The query.")}),
    fn("describe_table", "Show columns and types of a table.", {"table": ("string", "schema.table")}),
    fn("list_tables", "List tables in a schema.", {"schema": ("string", "Schema name.")}),
]

TABLES = {
    "analytics.accounts": [("account_id", "bigint"), ("tier", "text"), ("region", "text"), ("created_at", "timestamp"), ("parent_account_id", "bigint"), ("crm_id", "text")],
    "analytics.subscriptions": [("subscription_id", "bigint"), ("account_id", "bigint"), ("plan", "text"), ("started_at", "timestamp"), ("ended_at", "timestamp"), ("mrr_usd", "numeric(12,2)")],
    "analytics.invoices": [("invoice_id", "bigint"), ("account_id", "bigint"), ("issued_at", "timestamp"), ("amount_usd", "numeric(12,2)"), ("status", "text")],
    "analytics.events": [("event_id", "bigint"), ("account_id", "bigint"), ("event_type", "text"), ("occurred_at", "timestamp"), ("props", "jsonb")],
    "analytics.support_tickets": [("ticket_id", "bigint"), ("account_id", "bigint"), ("opened_at", "timestamp"), ("severity", "text"), ("closed_at", "timestamp")],
}


def sql_table(cols, rows):
    w = [max(len(str(c)), *(len(str(r[i])) for r in rows)) for i, c in enumerate(cols)]
    out = [" | ".join(str(c).ljust(w[i]) for i, c in enumerate(cols)),
           "-+-".join("-" * x for x in w)]
    out += [" | ".join(str(r[i]).rjust(w[i]) for i in range(len(cols))) for r in rows]
    out.append("(%d row%s)" % (len(rows), "" if len(rows) == 1 else "s"))
    return "\n".join(out)


def sql_filler(calls):
    months = ["2024-%02d" % m for m in range(1, 13)]
    regions = ["NA", "EMEA", "APAC", "LATAM"]

    def gen(rng):
        k = rng.random()
        if k < 0.2:
            t = rng.choice(list(TABLES))
            g = calls.loop([("describe_table", {"table": t}, sql_table(["column", "type", "nullable"],
                             [(c, ty, rng.choice(["YES", "NO"])) for c, ty in TABLES[t]]))])
        elif k < 0.45:
            ms = rng.sample(months, rng.randint(6, 12))
            ms.sort()
            rows = [(m, "{:,}".format(rng.randrange(800000, 2400000)) + ".%02d" % rng.randint(0, 99), rng.randint(300, 2200)) for m in ms]
            g = calls.loop([("run_sql", {"sql": "SELECT date_trunc('month', issued_at) AS month, sum(amount_usd) AS billed, count(DISTINCT account_id) AS accounts\nFROM analytics.invoices WHERE status = 'paid'\nGROUP BY 1 ORDER BY 1;"},
                             sql_table(["month", "billed", "accounts"], rows))])
        elif k < 0.65:
            rows = [(r, rng.choice(["enterprise", "mid-market", "smb"]), rng.randint(40, 900), "%.2f" % rng.uniform(1, 40)) for r in regions for _ in range(2)]
            g = calls.loop([("run_sql", {"sql": "SELECT a.region, a.tier, count(*) AS tickets, avg(extract(epoch FROM closed_at - opened_at)/3600)::numeric(6,2) AS avg_hours\nFROM analytics.support_tickets t JOIN analytics.accounts a USING (account_id)\nGROUP BY 1, 2 ORDER BY 1, 2;"},
                             sql_table(["region", "tier", "tickets", "avg_hours"], rows))])
        elif k < 0.80:
            evs = ["login", "export_report", "invite_user", "api_call", "dashboard_view", "seat_removed", "plan_downgrade"]
            rows = [(e, "{:,}".format(rng.randrange(1000, 900000))) for e in rng.sample(evs, 5)]
            g = calls.loop([("run_sql", {"sql": "SELECT event_type, count(*) FROM analytics.events WHERE occurred_at >= '2024-07-01' AND occurred_at < '2024-10-01' GROUP BY 1 ORDER BY 2 DESC LIMIT 5;"},
                             sql_table(["event_type", "count"], rows))])
        elif k < 0.88:
            g = calls.loop([("list_tables", {"schema": "analytics"}, "\n".join(sorted(list(TABLES) + ["analytics.plans", "analytics.fx_rates", "analytics.seat_snapshots"])))])
        else:
            u, a = rng.choice([
                ("How's it going? Finance is asking.", "Making progress; I'm checking the joins the dashboard relies on before computing anything final."),
                ("Remember the dashboard uses the accounts table directly.", "Good to know, I'll check that table's grain carefully."),
                ("Don't forget EMEA moved billing systems in 2023.", "Thanks, I'll keep that in mind when I look at account ids and invoice dates."),
                ("Keep the queries read-only please.", "Understood, everything I run is a SELECT."),
                ("Are the numbers in USD everywhere?", "The invoice and subscription amounts are stored in USD already; fx_rates is only used for reporting in local currency."),
            ])
            g = [U(u), A(a)]
        if g[0]["role"] == "assistant" and rng.random() < 0.4:
            g.append(A(rng.choice(["Nothing unusual there.", "Those volumes look plausible.", "Okay, noted the column types.",
                                   "That matches what finance reported.", "Fine; moving on to the subscription side."])))
        return g
    return gen


def make_agent_sql(rng, n):
    calls = Calls(rng)
    raw = rng.uniform(0.058, 0.072)
    fixed = rng.uniform(0.041, 0.051)
    q2 = rng.uniform(0.044, 0.056)
    while abs(q2 - fixed) < 0.0015:
        q2 = rng.uniform(0.044, 0.056)
    dups = rng.randint(1100, 2900)
    s_raw, s_fixed, s_q2 = ("%.4f" % x for x in (raw, fixed, q2))
    s_dup = "{:,} duplicated account_ids".format(dups)
    churn_sql = ("SELECT a.tier, count(*) FILTER (WHERE s.ended_at >= '{0}' AND s.ended_at < '{1}')::numeric / count(*) AS churn_rate\n"
                 "FROM {2} a JOIN analytics.subscriptions s USING (account_id)\nWHERE s.started_at < '{0}'\nGROUP BY 1 ORDER BY 1;")
    other = lambda: ["%.4f" % rng.uniform(0.02, 0.04), "%.4f" % rng.uniform(0.075, 0.11)]
    o1, o2, o3 = other(), other(), other()
    f = place(rng, [(0.03, 0.10), (0.20, 0.34), (0.46, 0.60), (0.72, 0.86)])
    beats = [
        (f[0], calls.loop([("run_sql", {"sql": churn_sql.format("2024-07-01", "2024-10-01", "analytics.accounts")},
                            sql_table(["tier", "churn_rate"], [("enterprise", s_raw), ("mid-market", o1[0]), ("smb", o1[1])]))]) +
               [A("That reproduces the dashboard's enterprise figure. Before trusting it I want to check the account table for duplicates, since the join could double count.")]),
        (f[1], calls.loop([("run_sql", {"sql": "SELECT count(*) AS duplicate_account_ids FROM (\n  SELECT crm_id FROM analytics.accounts WHERE tier = 'enterprise'\n  GROUP BY crm_id HAVING count(*) > 1\n) d;"},
                            sql_table(["duplicate_account_ids"], [(dups,)]))]) +
               [A("There it is: %s for enterprise customers, left over from the CRM migration where parent and child accounts were both imported. "
                  "Churned child records count as churn even though the parent is still active." % s_dup)]),
        (f[2], calls.loop([("run_sql", {"sql": churn_sql.format("2024-07-01", "2024-10-01", "(SELECT DISTINCT ON (crm_id) * FROM analytics.accounts ORDER BY crm_id, created_at)")},
                            sql_table(["tier", "churn_rate"], [("enterprise", s_fixed), ("mid-market", o2[0]), ("smb", o2[1])]))]) +
               [A("With accounts deduplicated on crm_id, the enterprise number drops substantially; the other tiers barely move.")]),
        (f[3], calls.loop([("run_sql", {"sql": churn_sql.format("2024-04-01", "2024-07-01", "(SELECT DISTINCT ON (crm_id) * FROM analytics.accounts ORDER BY crm_id, created_at)")},
                            sql_table(["tier", "churn_rate"], [("enterprise", s_q2), ("mid-market", o3[0]), ("smb", o3[1])]))]) +
               [A("For comparison, that's the previous quarter with the same deduplication.")]),
    ]
    head = [U("The board dashboard shows Q3 2024 churn for the enterprise tier way higher than anyone believes. Dig into the warehouse and tell me what the real number is. Read-only, please.")]
    tail = [A("I've finished the checks and have a corrected figure along with the explanation of what inflated the dashboard."),
            U("Great. One-liner for the board deck please: the corrected Q3 enterprise churn figure, and how many duplicate accounts we had to dedupe to get there.")]
    return dict(
        system={"role": "system", "content": "You are a data analysis agent with read-only access to the company's analytics warehouse. Use the tools, show your reasoning briefly, and never modify data."},
        head=head, beats=beats, tail=tail, filler=sql_filler(calls), tools=SQL_TOOLS,
        needed=[s_fixed, s_dup], forbidden=[s_raw, s_q2],
        notes="Raw churn in an early query result superseded by the deduplicated query; duplicate count stated in an assistant message after a query; "
              "late look-alike Q2 churn with the same query shape.")


# --------------------------------------------------------------------------
# kind 12: agent_travel -- booking agent with travel tools
# --------------------------------------------------------------------------

TRAVEL_TOOLS = [
    fn("search_flights", "Search flights.", {"origin": ("string", "IATA code."), "destination": ("string", "IATA code."),
                                             "date": ("string", "YYYY-MM-DD."), "cabin": ("string", "economy|premium|business")}),
    fn("get_fare_rules", "Get the fare rules for an offer.", {"offer_id": ("string", "Offer id.")}),
    fn("get_seatmap", "Get the seat map for a flight offer.", {"offer_id": ("string", "Offer id.")}),
    fn("hold_booking", "Place a 24h hold on a flight offer and return a booking locator.",
       {"offer_id": ("string", "Offer id."), "passenger": ("string", "Passenger full name.")}),
    fn("cancel_booking", "Cancel a held booking.", {"locator": ("string", "Booking locator.")}),
    fn("search_hotels", "Search hotels.", {"city": ("string", "City."), "check_in": ("string", "YYYY-MM-DD."), "check_out": ("string", "YYYY-MM-DD.")}),
]

LOC_ALPHA = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def offer_id(rng):
    return "off_%08x" % rng.getrandbits(32)


def flights_json(rng, orig, dest, date, cabin, force=None):
    carriers = [("TP", "TAP Air Portugal"), ("BA", "British Airways"), ("IB", "Iberia"), ("UA", "United"), ("DL", "Delta"), ("AZ", "ITA Airways")]
    offers = []
    for _ in range(rng.randint(4, 7)):
        c, cname = rng.choice(carriers)
        dh, dm = rng.randint(6, 22), rng.choice([0, 5, 15, 25, 35, 45, 55])
        dur = rng.randint(380, 900)
        offers.append({"offer_id": offer_id(rng), "carrier": cname, "flight": "%s%d" % (c, rng.randint(100, 999)),
                       "depart": "%sT%02d:%02d" % (date, dh, dm), "duration_min": dur,
                       "stops": 0 if dur < 460 else rng.choice([1, 1, 2]),
                       "cabin": cabin, "price_usd": rng.randrange(420, 1900, 1) if cabin == "economy" else rng.randrange(900, 3200, 1),
                       "bags_included": rng.choice([0, 1, 1, 2])})
    if force:
        offers.append(force)
    return json.dumps({"origin": orig, "destination": dest, "date": date, "offers": offers}, indent=1)


def travel_filler(calls, trip):
    def gen(rng):
        k = rng.random()
        if k < 0.35:
            d = rng.choice([trip["out"], trip["back"]])
            o, de = ("BOS", "LIS") if d == trip["out"] else ("LIS", "BOS")
            cab = rng.choice(["economy", "economy", "premium"])
            g = calls.loop([("search_flights", {"origin": o, "destination": de, "date": d, "cabin": cab}, flights_json(rng, o, de, d, cab))])
        elif k < 0.52:
            oid = offer_id(rng)
            rows = []
            for r in range(rng.randint(10, 34), rng.randint(36, 48)):
                rows.append("%2d  %s" % (r, " ".join(rng.choice(["o", "x", "x", "o"]) for _ in range(6))))
            g = calls.loop([("get_seatmap", {"offer_id": oid}, "Seat map (A B C | D E F), o = free, x = taken\n" + "\n".join(rows))])
        elif k < 0.66:
            oid = offer_id(rng)
            g = calls.loop([("get_fare_rules", {"offer_id": oid},
                             "Fare basis %s%s%s. Changes: permitted, fee USD %d plus fare difference. Cancellation: %s. Seat selection: %s. "
                             "Checked bag: %s. Miles accrual: %d%% of flown miles." % (
                                 rng.choice("KLMNQSTV"), rng.choice(["LOW", "SAV", "FLX", "STD"]), rng.choice(["US", "EU", "1", "7"]),
                                 rng.choice([0, 75, 150, 200]), rng.choice(["non-refundable", "refundable minus USD 100", "refundable"]),
                                 rng.choice(["free at check-in", "from USD 25", "included"]), rng.choice(["1 x 23kg", "not included", "2 x 23kg"]),
                                 rng.choice([25, 50, 100, 125])))])
        elif k < 0.82:
            hotels = []
            for _ in range(rng.randint(4, 7)):
                hotels.append({"name": rng.choice(["Hotel", "Casa", "Lisboa", "Palacio", "Residencial"]) + " " + rng.choice(["Alfama", "Chiado", "Baixa", "Estrela", "Graca", "Principe Real"]) + " " + rng.choice(["Suites", "Inn", "Boutique", "Lodge", ""]),
                               "stars": rng.choice([3, 3, 4, 4, 5]), "night_usd": rng.randrange(95, 420),
                               "distance_to_venue_km": round(rng.uniform(0.3, 7.5), 1), "review": round(rng.uniform(7.1, 9.6), 1),
                               "free_cancellation": rng.random() < 0.6})
            g = calls.loop([("search_hotels", {"city": "Lisbon", "check_in": trip["out"], "check_out": trip["back"]}, json.dumps({"results": hotels}, indent=1))])
        else:
            u, a = rng.choice([
                ("I'd rather not have a tight connection, at least 90 minutes please.", "Got it, I'll filter out anything under 90 minutes."),
                ("Hotel doesn't need to be fancy, clean and near the venue is fine.", "Understood, I'll prioritise distance and reviews over stars."),
                ("No red-eyes on the way back if possible.", "Noted, I'll look at daytime departures for the return."),
                ("The conference venue is near Parque das Nacoes by the way.", "Thanks, that changes which neighbourhoods make sense for the hotel."),
                ("Is premium economy worth it on this route?", "On this route premium mostly buys legroom and a better meal; I'll show the price difference when it's under your limit."),
            ])
            g = [U(u), A(a)]
        if g[0]["role"] == "assistant" and rng.random() < 0.4:
            g.append(A(rng.choice(["Several options there; the nonstop ones are priced higher.", "Aisle seats are still available on most rows.",
                                   "Those fare rules are fairly flexible.", "A couple of those hotels are within walking distance of the venue.",
                                   "Nothing clearly better than what we've seen so far."])))
        return g
    return gen


def make_agent_travel(rng, n):
    calls = Calls(rng)
    loc = lambda r: "".join(r.choice(LOC_ALPHA) for _ in range(6))
    loc_old = loc(rng)
    loc_new = distinct(rng, loc, loc_old)
    ff = lambda r: "TP %03d %03d %03d" % (r.randint(100, 999), r.randint(100, 999), r.randint(100, 999))
    ff_me = ff(rng)
    ff_partner = distinct(rng, ff, ff_me)
    name = "%s %s" % (rng.choice(FIRST), rng.choice(LAST))
    partner = rng.choice(FEMALE)
    day = rng.randint(3, 12)
    trip = {"out": "2025-06-%02d" % day, "back": "2025-06-%02d" % (day + 6)}
    o_old, o_new = offer_id(rng), offer_id(rng)
    f_old = {"offer_id": o_old, "carrier": "TAP Air Portugal", "flight": "TP218", "depart": trip["out"] + "T18:05", "duration_min": 400, "stops": 0, "cabin": "economy", "price_usd": 684, "bags_included": 1}
    f_new = {"offer_id": o_new, "carrier": "TAP Air Portugal", "flight": "TP216", "depart": trip["out"] + "T21:40", "duration_min": 400, "stops": 0, "cabin": "economy", "price_usd": 712, "bags_included": 1}
    f = place(rng, [(0.05, 0.14), (0.20, 0.32), (0.46, 0.60), (0.72, 0.86)])
    beats = [
        (f[0], [U("Oh, and I'll add my frequent flyer number myself at check-in, but keep a note of it for me in case I lose the card: %s." % ff_me),
                A("Noted, I'll keep that on hand for you.")]),
        (f[1], calls.loop([("search_flights", {"origin": "BOS", "destination": "LIS", "date": trip["out"], "cabin": "economy"},
                            flights_json(rng, "BOS", "LIS", trip["out"], "economy", force=f_old))]) +
               calls.loop([("hold_booking", {"offer_id": o_old, "passenger": name},
                            json.dumps({"status": "held", "locator": loc_old, "offer_id": o_old, "expires_in_hours": 24, "flight": "TP218"}))]) +
               [A("I've placed a 24-hour hold on the TP218 evening nonstop, which fits your aisle and nonstop preferences.")]),
        (f[2], [U("Change of plan, I have a meeting that afternoon. Can you move me to the later nonstop the same day?")] +
               calls.loop([("search_flights", {"origin": "BOS", "destination": "LIS", "date": trip["out"], "cabin": "economy"},
                            flights_json(rng, "BOS", "LIS", trip["out"], "economy", force=f_new))]) +
               calls.loop([("hold_booking", {"offer_id": o_new, "passenger": name},
                            json.dumps({"status": "held", "locator": loc_new, "offer_id": o_new, "expires_in_hours": 24, "flight": "TP216"}))]) +
               calls.loop([("cancel_booking", {"locator": loc_old}, json.dumps({"status": "cancelled", "locator": loc_old}))]) +
               [A("Done: you're now held on the later nonstop, TP216, and I've cancelled the earlier hold so you aren't double-booked.")]),
        (f[3], [U("Also, %s might join me for the last few days. Her frequent flyer number is %s, we'll sort her booking separately later." % (partner, ff_partner)),
                A("Okay, I'll keep hers separate from yours.")]),
    ]
    head = [U("Please book me a return trip Boston to Lisbon for the conference, flying out %s and back %s. Aisle seat, nonstop if possible, economy is fine. "
              "Also find me a hotel near the venue." % (trip["out"], trip["back"]))]
    tail = [A("Everything's in place for your trip; the flight hold will be ticketed once you confirm."),
            U("I'm at the airport self-service kiosk now: which booking reference do I type in, and what frequent flyer number did I give you for myself?")]
    return dict(
        system={"role": "system", "content": "You are a travel booking agent. Use the tools to search, hold and manage bookings for the user. Confirm before anything is paid for."},
        head=head, beats=beats, tail=tail, filler=travel_filler(calls, trip), tools=TRAVEL_TOOLS,
        needed=[loc_new, ff_me], forbidden=[loc_old, ff_partner],
        notes="User's own frequent flyer number given early in passing; first hold locator superseded by a rebooking (old locator appears only in the first hold and the cancel call); "
              "partner's frequent flyer number as a late look-alike.")


# --------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------

KINDS = [
    ("support_isp", make_support_isp),
    ("legal_lease", make_legal_lease),
    ("medical_meds", make_medical_meds),
    ("negotiation_car", make_negotiation_car),
    ("config_nginx", make_config_nginx),
    ("planning_trip", make_planning_trip),
    ("analysis_abtest", make_analysis_abtest),
    ("finance_tax", make_finance_tax),
    ("research_papers", make_research_papers),
    ("agent_repo", make_agent_repo),
    ("agent_sql", make_agent_sql),
    ("agent_travel", make_agent_travel),
]


# Chat kinds open with a short greeting exchange (no facts), as real sessions do;
# the specific problem then surfaces among general questions.
OPENERS = {
    "support_isp": ("Hi, I'm a Kestrel Fiber customer, the account is in my name at 14 Orchard Close. I have a list of questions about my setup and one ongoing problem, so bear with me.",
                    "Hi, thanks for getting in touch. I've pulled up your account. Go ahead, we can work through them one at a time."),
    "legal_lease": ("Hi, I'm moving flats soon and will probably be asking you a lot of questions about tenancy stuff over the next few weeks: leases, repairs, deposits, that kind of thing.",
                    "Happy to help. I can explain what lease wording usually means and what to ask about, though for anything high-stakes a housing adviser or solicitor is worth it."),
    "medical_meds": ("Hello, my doctor suggested I keep better track of my medicines and general health, so I'd like to use you as a running notebook and sounding board.",
                     "That's a good idea. I can help you keep a list, set up routines and prepare questions for appointments. For anything urgent or medical decisions, your doctor or pharmacist comes first."),
    "negotiation_car": ("I need to replace my car in the next month or so and the budget is tight-ish. Can I use you to think things through as I go?",
                        "Of course. Tell me what you're looking at and what matters most, and we'll work through pricing, inspection and negotiation together."),
    "config_nginx": ("Hey, I'm on call this week for the platform team and our reporting service is misbehaving. Mind if I think out loud with you about nginx and k8s things?",
                     "Sure, go ahead. Paste configs and log lines whenever they're useful."),
    "planning_trip": ("Hi! I'm starting to plan a trip to Italy with my husband and would love help keeping everything organised.",
                      "How exciting! Tell me as things get booked and I'll help you keep track and plan the days."),
    "analysis_abtest": ("Hi, I've just inherited a pile of experiment analysis work from a colleague. Can I bounce stats questions off you as I go?",
                        "Absolutely. Share tables and context as you have them and I'll help you interpret them carefully."),
    "finance_tax": ("Hi, I'm self-employed and trying to get organised for tax season this year instead of panicking at the last minute.",
                    "Great idea to start early. I can help with general questions and a checklist; for specific advice a tax professional is best."),
    "research_papers": ("Hi, I'm an MSc student starting the literature review chapter of my dissertation, on clinical prediction models. I'll paste things as I read them.",
                        "Sounds good. Paste abstracts and notes as you go and I'll help you appraise and organise them."),
}


def build_case(kind, maker, n):
    rng = random.Random(zlib.crc32(("%s:%d" % (kind, n)).encode()))
    spec = maker(rng, n)
    avoid = spec["needed"] + spec["forbidden"]
    if not spec["head"]:
        ou, oa = OPENERS[kind]
        spec["head"] = [U(ou), A(oa)]
    msgs, groups = assemble(rng, SIZES[n], spec["system"], spec["head"], spec["beats"], spec["tail"], spec["filler"], avoid)
    beat_msgs = [m for _, bm in spec["beats"] for m in bm]
    case = {"id": "%s-%02d-h10" % (kind, n), "kind": kind, "messages": msgs}
    if spec.get("tools"):
        case["tools"] = spec["tools"]
    case["needed"] = spec["needed"]
    case["forbidden_stale"] = spec["forbidden"]
    carriers = validate(case, groups, beat_msgs)
    # Keep the head/tail clean too: system prompt, opening task and wrap-up carry nothing.
    for m in [spec["system"]] + spec["head"] + spec["tail"]:
        for s in avoid:
            assert s not in msg_text(m), (case["id"], s)
    where = "; ".join("%s@%s" % (s, ",".join(map(str, carriers[s]))) for s in avoid)
    case["notes"] = spec["notes"] + " Message indices: " + where + "."
    return case


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stats", action="store_true", help="print a per-case size table")
    args = ap.parse_args()
    cases = [build_case(kind, maker, n) for kind, maker in KINDS for n in range(len(SIZES))]
    with open(OUT, "w", encoding="utf-8") as fh:
        for c in cases:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    if args.stats:
        print("%-26s %6s %8s %8s  %s" % ("id", "msgs", "est_tok", "target", "needed positions (msg idx / total)"))
        for c in cases:
            n = int(c["id"].split("-")[-2])
            pos = []
            for s in c["needed"]:
                idx = [i for i, m in enumerate(c["messages"]) if s in msg_text(m)]
                pos.append("%d" % idx[0])
            print("%-26s %6d %8d %8d  %s / %d" % (c["id"], len(c["messages"]), est_tokens(c["messages"]), SIZES[n],
                                                 ",".join(pos), len(c["messages"])))
    print("wrote %d cases to %s" % (len(cases), OUT))


if __name__ == "__main__":
    main()
