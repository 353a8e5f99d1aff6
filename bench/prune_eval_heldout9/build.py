#!/usr/bin/env python3
"""Build the heldout9 context-pruning evaluation set.

Standard library only and deterministic: every case draws from its own
random.Random(zlib.crc32(b"<kind>:<n>")).  All filler text comes from the
hand-written vocabularies in this file; every filler block is re-drawn if it
happens to contain one of the case's needed/forbidden strings, and the final
checks assert that none does.

    python bench/prune_eval_heldout9/build.py          # writes cases.jsonl
    python bench/prune_eval_heldout9/build.py --stats  # plus a per-case table

12 kinds x 6 sizes = 72 cases.  Sizes are estimated tokens = chars/4 over
message content plus tool-call names and arguments.
"""
import json
import os
import re
import sys
import random
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "cases.jsonl")
SIZES = [11000, 16500, 22000, 28500, 35000, 42000]
SUFFIX = "h9"


# ----------------------------------------------------------------- helpers
def pick(rng, seq):
    return seq[rng.randrange(len(seq))]


_SLOT = re.compile(r"\{(\w+)\}")


def fill(rng, tmpl, slots):
    """Fill {slot}s.  A slot value may be a list (a per-block binding): the
    k-th occurrence of that slot in one template takes the k-th value."""
    seen = {}

    def one(m):
        v = slots[m.group(1)]
        if isinstance(v, Bound):
            k = seen.get(m.group(1), 0)
            seen[m.group(1)] = k + 1
            return str(v[k % len(v)])
        return str(pick(rng, v))
    return _SLOT.sub(one, tmpl)


class Bound(list):
    pass


def bind(rng, slots):
    """Bind every slot to two values for one block, so a user turn and the reply stay on one topic."""
    return {k: Bound(rng.sample(v, min(2, len(v)))) for k, v in slots.items()}


def cap(s):
    return s[:1].upper() + s[1:]


def para(rng, tmpls, slots, n, used=None):
    """n sentences, no template twice within one paragraph (nor within one block when
    the caller passes the block's `used` set, as long as unused templates remain)."""
    used = set() if used is None else used
    out = []
    for _ in range(n):
        cand = [t for t in tmpls if t not in used] or list(tmpls)
        t = pick(rng, cand)
        used.add(t)
        out.append(cap(fill(rng, t, slots)))
    return " ".join(out)


def user(text):
    return {"role": "user", "content": text}


def asst(text):
    return {"role": "assistant", "content": text}


def msg_text(m):
    parts = [m.get("content") or ""]
    for tc in m.get("tool_calls") or []:
        parts.append(tc["function"]["name"])
        parts.append(tc["function"]["arguments"])
    return "\n".join(parts)


def est_tokens(msgs):
    return sum(len(msg_text(m)) for m in msgs) // 4


class Ctx:
    def __init__(self, kind, n, target):
        self.kind, self.n, self.target = kind, n, target
        self.rng = random.Random(zlib.crc32(("%s:%d" % (kind, n)).encode()))
        self.k = 0

    def step(self, *calls):
        """One assistant tool-call turn; calls are (name, args, result)."""
        tcs, outs = [], []
        for name, args, result in calls:
            self.k += 1
            cid = "call_%04d" % self.k
            tcs.append({"id": cid, "type": "function",
                        "function": {"name": name,
                                     "arguments": json.dumps(args, sort_keys=True)}})
            outs.append({"role": "tool", "tool_call_id": cid, "content": result})
        return [{"role": "assistant", "content": None, "tool_calls": tcs}] + outs


def fn(name, desc, props, required):
    return {"type": "function", "function": {
        "name": name, "description": desc,
        "parameters": {"type": "object", "properties": props, "required": required}}}


S = {"type": "string"}
I = {"type": "integer"}


# --------------------------------------------------- generic chat filler
GENERIC_A = [
    "Let me know if anything in that doesn't match what you're seeing.",
    "If that doesn't help, send me the exact wording you see and I'll dig further.",
    "Tell me if you want me to expand on any of those points.",
    "I can turn this into a checklist if that helps.",
    "Happy to walk through it step by step if that's easier.",
    "None of that should affect anything else you've set up so far.",
    "I'll keep that in mind for the rest of this conversation.",
    "Shout if any of that is unclear.",
]


def chat_block(ctx, V):
    rng = ctx.rng
    sl = bind(rng, V["slots"])
    used = set()
    u = cap(fill(rng, pick(rng, V["u"]), sl))
    if rng.random() < 0.55:
        u += " " + para(rng, V["ux"], sl, rng.randint(1, 3), used)
    parts = [para(rng, V["a"], sl, rng.randint(3, 6), used)]
    if rng.random() < 0.7:
        k = rng.randint(3, 6)
        steps = rng.sample(V["steps"], min(k, len(V["steps"])))
        parts.append("\n".join("%d. %s" % (i + 1, cap(fill(rng, s, sl))) for i, s in enumerate(steps)))
    if rng.random() < 0.6:
        parts.append(para(rng, V["a"], sl, rng.randint(2, 4), used))
    parts.append(para(rng, GENERIC_A, sl, rng.randint(1, 2), used))
    return [user(u), asst("\n\n".join(parts))]


# ===================================================== kind 1: support_plan_change
SUPPORT_V = {
    "slots": {
        "feature": ["selective sync", "shared links", "the desktop client", "the admin console",
                    "file versioning", "SSO login", "the mobile app", "the web uploader",
                    "team folders", "the audit log", "offline mode", "external sharing"],
        "os": ["Windows 11", "macOS Sonoma", "Ubuntu 22.04", "macOS Ventura", "Windows 10"],
        "ver": ["4.18.2", "4.19.0", "4.19.1", "4.20.3", "5.0.1"],
        "folder": ["Marketing Assets", "Q3 Reports", "Design/Archive", "Legal Drafts",
                   "Onboarding", "Client Deliverables", "Photos 2025"],
        "err": ["Error 409: conflicting edit", "Sync paused: path too long",
                "Upload failed (code 1132)", "Token expired, please sign in again",
                "Could not reach server", "Permission denied on parent folder"],
        "person": ["our designer", "the new intern", "my manager", "someone in accounting",
                   "a contractor", "our office admin"],
        "num": ["three", "four", "a dozen", "about twenty", "several", "two"],
        "when": ["yesterday", "this morning", "since Monday", "after the last update",
                 "a couple of days ago", "every afternoon"],
    },
    "u": [
        "{person} says {feature} stopped working {when}. They get '{err}'.",
        "We're seeing '{err}' on {num} machines running {os}. Any idea?",
        "Is there a way to restrict {feature} to admins only?",
        "The folder '{folder}' shows up twice on my laptop {when}. What's going on?",
        "Can you explain how {feature} interacts with {feature}? The docs are vague.",
        "We updated to client {ver} {when} and now '{folder}' won't finish syncing.",
        "How do I see who deleted files from '{folder}'?",
        "Another one: {person} can't open shared items from '{folder}' on {os}.",
        "Does {feature} work if the laptop is on a VPN? {person} thinks it doesn't.",
        "Quick one — where do I change the notification settings for {feature}?",
    ],
    "ux": [
        "It's happened {num} times now.", "Restarting didn't change anything.",
        "We're on client {ver} everywhere as far as I know.",
        "It only seems to affect people on {os}.",
        "Not urgent, but it's annoying {person}.",
        "I checked the status page and it said everything was green.",
        "We haven't changed any settings recently.",
    ],
    "a": [
        "That message usually means the client lost its session and needs a fresh sign-in.",
        "On {os}, {feature} keeps a local index that can get out of step after an update.",
        "Client {ver} changed how {feature} handles long paths, which explains a lot of these reports.",
        "If '{folder}' appears twice, the client most likely re-created the folder after a rename on another device.",
        "Admins can see who changed what in the audit log, filtered by folder and date range.",
        "The quickest way to confirm is to open the activity panel for '{folder}' and look at the last few events.",
        "VPNs with aggressive inspection sometimes break the long-lived connection that {feature} relies on.",
        "Permissions on the parent folder always win over permissions on an individual file.",
        "I'd avoid deleting the duplicate until we know which copy has the newest edits.",
        "Restarting the client clears the upload queue but not the local index, so it rarely fixes this on its own.",
        "The diagnostics report lists every folder that failed in the last day, which saves a lot of guessing.",
        "That error on {os} is almost always local; the server side shows nothing unusual for your organisation.",
        "Group-based sharing is easier to maintain than adding people to '{folder}' one at a time.",
        "If {person} is a guest rather than a member, some of {feature} is deliberately limited.",
        "I've seen this {when} with a few other customers on client {ver}; a fix is scheduled for the next release.",
        "You can safely ignore the yellow warning icon while the initial index is being rebuilt.",
    ],
    "steps": [
        "Quit the desktop client completely from the tray icon.",
        "Open Preferences > Account and choose Sign out, then sign back in.",
        "Rename the local copy of '{folder}' by adding '(old)' to its name before re-syncing.",
        "Check Settings > Network and turn off the proxy auto-detect option.",
        "In the admin console, open Users and confirm the person is in the right group.",
        "Run the built-in diagnostics from Help > Troubleshoot and save the report.",
        "Make sure {os} isn't blocking the client under its privacy settings.",
        "Clear the local cache from Preferences > Advanced.",
        "Re-share '{folder}' with the group instead of with individual people.",
        "Update everyone to client {ver} so we're comparing like with like.",
    ],
}


def k_support(ctx):
    rng = ctx.rng
    plans = ["Lumenbox Solo", "Lumenbox Essentials", "Lumenbox Team Pro",
             "Lumenbox Business Plus", "Lumenbox Enterprise Flex"]
    old_plan, new_plan, sister = rng.sample(plans, 3)
    old_seats = rng.randint(11, 19)
    new_seats = rng.randint(25, 79)
    name = pick(rng, ["Dana Whitfield", "Marco Ruiz", "Aisha Karim", "Tom Lindqvist", "Grace Oduya"])
    company = pick(rng, ["Pinecrest Dental", "Harbor & Finch", "Vela Studio", "Northgate Builders",
                         "Copperleaf Tea"])
    opening = [user("Hi, this is %s from %s. We're on the %s plan with %d seats right now. "
                    "I've got a list of issues to work through with you today, starting with sync on "
                    "a couple of the office machines, which keeps stalling overnight."
                    % (name, company, old_plan, old_seats)),
               asst("Thanks %s, happy to help. Let's take them one at a time. For the overnight stalls, "
                    "can you tell me which operating system those machines run and which client version "
                    "they show under Help > About?" % name.split()[0])]
    upgrade = [user("Quick update before the next question — finance signed off this morning, so we've moved "
                    "up to %s and we're now paying for %d seats, effective today. The extra people start "
                    "next week." % (new_plan, new_seats)),
               asst("Congratulations on the growth. The change should show up in the admin console under "
                    "Billing within a few minutes, and the new people can be invited as soon as it does. "
                    "Nothing about the sync settings we discussed changes with the upgrade.")]
    sister_blk = [user("Side question: our sister office in another city says they're on %s. Would "
                       "anything we fixed today behave differently for them?" % sister),
                  asst("Mostly no. The sync and sharing fixes are the same on every tier; what differs is "
                       "storage limits and some admin controls. I'd check with their admin directly before "
                       "assuming anything about their account.")]
    invoice = [user("Also, the invoice we got last month showed %d seats at the old rate, is that right?"
                    % old_seats),
               asst("That matches what you told me at the start: the invoice reflects the seats you had at "
                    "the time. Future invoices will pick up the change you just made.")]
    f_up = rng.uniform(0.45, 0.62)
    anchors = [(rng.uniform(0.12, 0.3), invoice), (f_up, upgrade), (rng.uniform(0.82, 0.95), sister_blk)]
    final = user("I'm writing the renewal memo for our finance lead. Remind me: what subscription tier are "
                 "we on as of today, and how many licenses are we paying for?")
    return dict(
        system="You are the customer support assistant for Lumenbox, a cloud file-sync service. Be accurate "
               "about the customer's account details and say when you are unsure.",
        opening=opening, anchors=anchors, filler=lambda: chat_block(ctx, SUPPORT_V),
        closing=[], final=final,
        needed=[new_plan, "%d seats" % new_seats],
        forbidden=[old_plan, "%d seats" % old_seats, sister],
        notes="Plan and seat count stated in the first message, changed at %.0f%% of the thread; a sister "
              "office's plan is mentioned near the end. Question uses 'subscription tier' and 'licenses'."
              % (100 * f_up))


# ===================================================== kind 2: incident_agent (tools)
INC_TOOLS = [
    fn("search_logs", "Search service logs.", {"service": S, "query": S, "window": S}, ["service", "query"]),
    fn("get_metrics", "Fetch a metric time series.", {"service": S, "metric": S, "window": S}, ["metric"]),
    fn("read_file", "Read a file from a repository.", {"repo": S, "path": S}, ["repo", "path"]),
    fn("run_sql", "Run a read-only SQL query.", {"db": S, "query": S}, ["db", "query"]),
    fn("git_bisect", "Bisect a commit range against a reproducer.", {"repo": S, "good": S, "bad": S, "test": S},
       ["repo", "good", "bad"]),
    fn("canary_rollback", "Roll back one commit on the canary pool and report error rates.",
       {"service": S, "commit": S}, ["service", "commit"]),
]
INC_MSGS = ["request completed", "cache miss for cart", "retrying payment authorization",
            "slow query detected", "circuit breaker half-open", "inventory reservation ok",
            "tax quote fetched", "session refreshed", "coupon validation skipped", "gc pause",
            "upstream responded 200", "rate limiter allowed request", "shipping estimate computed",
            "feature flag evaluated", "webhook queued"]
INC_LEVELS = ["INFO", "INFO", "INFO", "DEBUG", "WARN"]
INC_SERVICES = ["checkout-api", "cart-svc", "pricing-svc", "inventory-svc", "payments-gw"]
INC_FILES = [
    ("checkout/db/pool.py", "class PoolConfig:\n    def __init__(self, size=32, idle_timeout_s=30):\n"
     "        self.size = size\n        self.idle_timeout_s = idle_timeout_s\n\n"
     "def make_pool(cfg):\n    return Pool(max_size=cfg.size, idle=cfg.idle_timeout_s)\n"),
    ("checkout/handlers/submit.py", "async def submit(req):\n    cart = await carts.get(req.cart_id)\n"
     "    quote = await pricing.quote(cart)\n    auth = await payments.authorize(quote.total)\n"
     "    if not auth.ok:\n        raise PaymentDeclined(auth.code)\n    return await orders.create(cart, auth)\n"),
    ("checkout/settings.py", "TIMEOUTS = {\n    'pricing': 0.8,\n    'payments': 2.5,\n"
     "    'inventory': 0.6,\n}\nRETRIES = {'payments': 2, 'pricing': 1}\n"),
    ("deploy/checkout/values.yaml", "replicas: 24\nresources:\n  requests:\n    cpu: 500m\n"
     "    memory: 768Mi\nenv:\n  LOG_LEVEL: info\n  POOL_SIZE: \"32\"\n"),
    ("checkout/middleware/ratelimit.py", "def allow(key, now):\n    bucket = buckets.setdefault(key, Bucket(100, 20))\n"
     "    return bucket.take(now)\n"),
]
INC_CHECKIN_A = [
    "So far the error rate climbs in steps rather than smoothly, which points at something that changed "
    "in a deploy rather than a traffic surge. I'm going to keep narrowing it down.",
    "The metrics for the downstream services look flat, so the problem seems local to checkout. Next I'll "
    "compare the configuration between the last two releases.",
    "Nothing conclusive yet from the database side; query latency is normal. I'll look at connection "
    "handling in the application next.",
    "Interim note: customer impact is real but partial, roughly one in twenty-five submits fails. I'll keep "
    "going unless you want me to stop and page someone.",
]
INC_CHECKIN_U = [
    "Keep going. Also glance at the payments gateway, support is asking about it.",
    "OK. Don't roll anything back in production without asking me first.",
    "Fine. If you need the pricing team, tell me and I'll ping them.",
    "Thanks. Leadership wants an update in an hour, so prioritise the root cause.",
    "Sounds right. Check whether the cart service is also affected while you're at it.",
]


def inc_host(rng, avoid):
    while True:
        h = "chk-%s-%02d" % (pick(rng, ["use1a", "use1b", "use1c", "usw2a", "usw2b"]), rng.randint(1, 48))
        if h not in avoid:
            return h


def inc_logs(rng, avoid, n, ts0):
    lines = []
    for i in range(n):
        lines.append("2026-11-18T%s:%02d.%03dZ %s %s[%d] %s %s" % (
            ts0, rng.randint(0, 59), rng.randint(0, 999), inc_host(rng, avoid), pick(rng, INC_SERVICES),
            rng.randint(1000, 9999), pick(rng, INC_LEVELS), pick(rng, INC_MSGS)))
    return "\n".join(lines)


def k_incident(ctx):
    rng = ctx.rng
    first_host = inc_host(rng, set())
    noisy_host = inc_host(rng, {first_host})
    avoid = {first_host, noisy_host}
    culprit = "%040x" % rng.getrandbits(160)
    suspect = "%040x" % rng.getrandbits(160)
    hh = rng.randint(13, 16)
    opening = [user("Checkout 5xx errors started around %d:10 UTC today and p99 latency doubled. Please "
                    "investigate with the tools you have and find the root cause. Don't change production "
                    "without asking." % hh)]
    first_err = ctx.step(("search_logs", {"service": "checkout-api", "query": "level:ERROR", "window": "%d:00-%d:20" % (hh, hh)},
                          "first match for level:ERROR in window, shown with surrounding lines\n"
                          + inc_logs(rng, avoid, 6, "%d:0%d" % (hh, rng.randint(0, 8))) + "\n"
                          "2026-11-18T%d:10:03.114Z %s checkout-api[4412] ERROR db pool exhausted: "
                          "timed out after 2000ms waiting for connection (first occurrence)\n" % (hh, first_host)
                          + inc_logs(rng, avoid, 5, "%d:1%d" % (hh, rng.randint(0, 9)))))
    bisect = ctx.step(("git_bisect", {"repo": "shop/checkout", "good": "release-2026.11.17", "bad": "release-2026.11.18",
                                      "test": "load/pool_saturation.py"},
                       "bisect finished after 6 steps\nfirst bad commit: %s\nAuthor: release-bot\n"
                       "    Lower default pool idle timeout and shrink max size for cost savings\n"
                       "reproducer: pool_saturation.py fails at 340 rps (passes at 900 rps on parent)" % culprit))
    rollback = ctx.step(("canary_rollback", {"service": "checkout-api", "commit": suspect},
                         "canary pool: 4 hosts\nrolled back %s (Update tax rounding for EU carts)\n"
                         "error rate before: 4.1%%  after 15 min: 4.0%%\nverdict: no measurable effect"
                         % suspect))
    suspect_note = [asst("The EU tax rounding change shipped in the same release and touches the submit path, "
                         "so it's my first suspect. I'll test it on the canary before going further."),
                    user("OK, canary only.")]
    noisy = ctx.step(("search_logs", {"service": "checkout-api", "query": "level:ERROR | stats count by host", "window": "last 2h"},
                      "host            errors\n%s    1204\n%s     611\n%s     598\n%s     240\n"
                      "(sorted by count; counts since %d:00)" % (noisy_host, inc_host(rng, avoid),
                                                               inc_host(rng, avoid), inc_host(rng, avoid), hh)))

    def filler():
        r = rng.random()
        if r < 0.12:
            return [asst(pick(rng, INC_CHECKIN_A)), user(pick(rng, INC_CHECKIN_U))]
        if r < 0.42:
            q = pick(rng, ["level:WARN", "latency_ms>1500", "route:/v2/submit", "retry", "status:503"])
            return ctx.step(("search_logs", {"service": pick(rng, INC_SERVICES), "query": q, "window": "last 1h"},
                             inc_logs(rng, avoid, rng.randint(10, 26), "%d:%d" % (hh, rng.randint(10, 59)))))
        if r < 0.62:
            svc = pick(rng, INC_SERVICES)
            met = pick(rng, ["p99_latency_ms", "error_rate", "rps", "db_connections_in_use", "cpu_util"])
            pts = [{"t": "%d:%02d" % (hh, m), "v": round(rng.uniform(1, 900), 1)} for m in range(0, 60, 5)]
            return ctx.step(("get_metrics", {"service": svc, "metric": met, "window": "%d:00-%d:59" % (hh, hh)},
                             "{\"service\": %s, \"metric\": %s, \"points\": [\n" % (json.dumps(svc), json.dumps(met))
                             + ",\n".join("  " + json.dumps(p) for p in pts) + "\n]}"))
        if r < 0.8:
            path, body = pick(rng, INC_FILES)
            return ctx.step(("read_file", {"repo": "shop/checkout", "path": path}, body))
        rows = "\n".join("| %-8s | %6d | %7.1f |" % (pick(rng, ["orders", "carts", "payments", "quotes"]),
                                                     rng.randint(100, 99999), rng.uniform(0.2, 90))
                         for _ in range(rng.randint(6, 14)))
        return ctx.step(("run_sql", {"db": "checkout-ro", "query": "select tbl, n_live, mean_ms from pg_stat_summary"},
                         "| tbl      |      n | mean_ms |\n" + rows))
    closing = [asst("I have enough to write this up: the failures line up with the database connection pool "
                    "running dry under normal load after the last release. Tell me what format you want.")]
    f_b = rng.uniform(0.32, 0.45)
    anchors = [(rng.uniform(0.04, 0.12), first_err), (rng.uniform(0.15, 0.22), suspect_note),
               (rng.uniform(0.23, 0.3), rollback), (f_b, bisect), (rng.uniform(0.82, 0.94), noisy)]
    anchors.sort(key=lambda a: a[0])
    final = user("Draft the postmortem summary for the incident channel: which change actually caused this, "
                 "and which machine threw the very first error?")
    return dict(
        system="You are an on-call SRE agent with read-mostly tools for logs, metrics, code and a canary pool.",
        opening=opening, anchors=anchors, filler=filler, closing=closing, final=final, tools=INC_TOOLS,
        needed=[culprit, first_host], forbidden=[suspect, noisy_host],
        notes="First-error host in an early log search; culprit commit from a bisect at %.0f%%; a ruled-out "
              "suspect commit (canary rollback, no effect) and the noisiest host (late stats query) are "
              "look-alikes." % (100 * f_b))


# ===================================================== kind 3: multi_doc_qa
DOC_SLOTS = {
    "party": ["the Provider", "the Customer", "each party", "the Processor", "the Controller"],
    "thing": ["personal data", "audit records", "access logs", "encryption keys", "customer content",
              "support tickets", "billing records", "system configuration data"],
    "act": ["process", "store", "transfer", "disclose", "review", "encrypt", "monitor"],
    "period": ["within five (5) business days", "promptly", "without undue delay",
               "at least annually", "on reasonable request", "within thirty (30) days"],
    "std": ["ISO/IEC 27001", "SOC 2 Type II", "NIST SP 800-53", "CIS Controls v8", "PCI DSS v4.0"],
    "role": ["the Data Protection Officer", "the Security Lead", "the Records Manager",
             "the General Counsel", "the IT Director"],
    "region": ["the European Economic Area", "the United Kingdom", "Switzerland", "the United States"],
}
DOC_SENT = [
    "{party} shall {act} {thing} only on documented instructions from the Customer.",
    "{party} shall notify the other party of any confirmed security incident affecting {thing} {period}.",
    "{party} maintains controls aligned with {std} and will provide a summary report {period}.",
    "Requests concerning {thing} must be routed to {role}, who will respond {period}.",
    "No {thing} may be transferred outside {region} without an approved transfer mechanism.",
    "Access to {thing} is restricted to personnel with a documented business need.",
    "{party} shall keep a record of all processing activities involving {thing}.",
    "Sub-processors engaged to {act} {thing} are bound by obligations no less protective than these.",
    "Exceptions to this section require written approval from {role}.",
    "{party} may {act} {thing} for the purpose of providing and improving the services.",
    "Where retention of {thing} is no longer required, {party} shall securely delete the relevant records {period}.",
    "Training on the handling of {thing} is mandatory for all staff and is refreshed {period}.",
]
DOC_HEADS = ["Scope", "Definitions", "Roles and Responsibilities", "Security Measures", "Incident Notification",
             "Sub-processing", "International Transfers", "Audit Rights", "Data Subject Requests", "Deletion",
             "Training", "Exceptions", "Review Cycle", "Liability", "Term"]


def make_doc(rng, title, n_chars, inserts):
    """inserts: list of (section_heading, sentence); placed in the middle sections."""
    secs, total, i = [], 0, 0
    heads = DOC_HEADS[:]
    rng.shuffle(heads)
    while total < n_chars or i < len(inserts) + 3:
        h = heads[i % len(heads)]
        body = para(rng, DOC_SENT, DOC_SLOTS, rng.randint(3, 6))
        secs.append([h, body])
        total += len(body) + 20
        i += 1
    for j, (h, sent) in enumerate(inserts):
        k = min(len(secs) - 1, 1 + j + rng.randrange(max(1, len(secs) - 2 - len(inserts))))
        secs[k][0] = h
        secs[k][1] = secs[k][1] + " " + sent + " " + para(rng, DOC_SENT, DOC_SLOTS, 1)
    return title + "\n\n" + "\n\n".join("%d. %s\n%s" % (n + 1, h, b) for n, (h, b) in enumerate(secs))


DOCQ_V = {
    "slots": dict(DOC_SLOTS, doc=["the first document", "the second document", "that addendum",
                                  "the policy you just read", "the earlier agreement"]),
    "u": ["In {doc}, who is responsible for handling requests about {thing}?",
          "Does {doc} allow {party} to {act} {thing} outside {region}?",
          "How does {doc} handle incident notification for {thing}?",
          "Is there anything in {doc} about {std}?",
          "Summarise the obligations on {party} around {thing} in {doc}.",
          "Can {party} use sub-processors for {thing} under {doc}?"],
    "ux": ["I need this for the audit checklist.", "Keep it short, bullet points are fine.",
           "Quote the section number if you can.", "Our auditors will ask about this specifically."],
    "a": ["Under that text, {party} has to route those requests to {role}, with a response {period}.",
          "The document ties its security controls to {std}, but it doesn't attach the report itself.",
          "Transfers outside {region} need an approved mechanism; the text doesn't name a specific one.",
          "The incident clause says notification happens {period}, which is looser than most auditors like.",
          "Sub-processing is permitted as long as the same obligations flow down in writing.",
          "I don't see a specific clause on that point; it falls back on the general instructions clause.",
          "The wording around {thing} is broad, which gives {party} a lot of discretion.",
          "That section references {std} but doesn't say which version of it applies.",
          "Auditors usually want evidence that {role} actually reviewed this, not just that the clause exists.",
          "The document uses 'shall' consistently, so these read as obligations rather than intentions."],
    "steps": ["Record the section number in the checklist.", "Flag the clause for legal review.",
              "Ask the vendor for their latest {std} report.", "Note the response time of {period}.",
              "Check whether {role} has signed off.", "Compare against our internal standard."],
}


def k_multidoc(ctx):
    rng = ctx.rng
    words = [("thirteen", 13), ("fifteen", 15), ("eighteen", 18), ("nineteen", 19), ("twenty-two", 22),
             ("twenty-seven", 27), ("thirty", 30), ("forty", 40)]
    (vw, vn), (ow, on) = rng.sample(words, 2)
    ceiling = pick(rng, [24, 36, 48])
    old_ceiling = pick(rng, [c for c in [12, 60, 84] if c != ceiling])
    vendor = pick(rng, ["Northwind Archival", "Ironvault Records", "Blue Mesa Storage", "Keystone Offsite"])
    other = pick(rng, [v for v in ["Calder Cloud Backup", "Tessellate Data", "Rivermark IT"]])
    need_v = "retained for %s (%d) months" % (vw, vn)
    stale_v = "retained for %s (%d) months" % (ow, on)
    need_c = "backup media: %d months maximum" % ceiling
    stale_c = "backup media: %d months maximum" % old_ceiling
    dl = int(ctx.target * 4 * 0.065)
    titles = ["Master Hosting Agreement - Schedule 4 (Security)",
              "Acceptable Use and Access Control Policy",
              "Data Processing Addendum - %s (offsite archival of tape and disk backups)" % vendor,
              "Data Processing Addendum - %s (cloud backup)" % other,
              "Records Retention Schedule v3.0 (approved, current)",
              "Records Retention Schedule v2.3 (superseded; kept for reference)"]
    docs = [make_doc(rng, titles[0], dl, []),
            make_doc(rng, titles[1], dl, []),
            make_doc(rng, titles[2], dl, [("Return and Destruction of Media",
                                           "Backup media received from the Customer are %s from the date of "
                                           "receipt, after which they are shredded and a certificate of "
                                           "destruction is issued." % need_v)]),
            make_doc(rng, titles[3], dl, [("Retention", "Backup snapshots are %s and then purged from all "
                                                        "regions." % stale_v)]),
            make_doc(rng, titles[4], dl, [("Schedule", "Category R-7 (%s) - applies to tapes, disks and "
                                                       "snapshots held by us or by any vendor." % need_c)]),
            make_doc(rng, titles[5], dl, [("Schedule", "Category R-7 (%s)." % stale_c)])]
    intro = ["Here's the first document, the hosting agreement's security schedule:",
             "Second one, our access control policy:",
             "Third: the addendum with our tape archival vendor.",
             "Fourth, the addendum with the cloud backup provider (different vendor, different data):",
             "Fifth, our own retention schedule, the current approved version:",
             "And for completeness the previous version of the retention schedule, which v3.0 replaced:"]
    fr = [0.02, 0.14, 0.27, 0.42, 0.58, 0.74]
    anchors = []
    for i in range(6):
        anchors.append((fr[i] + rng.uniform(0, 0.05),
                        [user("%s\n\n%s" % (intro[i], docs[i])),
                         asst("Got it, I've read document %d (%s). Ask me anything about it." % (i + 1, titles[i].split(" - ")[0].split(" (")[0]))]))
    opening = [user("I'm going to paste several documents for a retention audit, one at a time, and ask "
                    "questions as we go. Please keep track of which document says what."),
               asst("Sounds good. Paste the first one when you're ready.")]
    final = user("Audit question 14: how long does our tape archiving supplier keep our backups before they're "
                 "destroyed, and what's the longest we allow ourselves to keep them under our current rules? "
                 "Does the supplier comply?")
    return dict(
        system="You are a research assistant helping a compliance analyst review pasted documents. Cite which "
               "document an answer comes from.",
        opening=opening, anchors=anchors, filler=lambda: chat_block(ctx, DOCQ_V), closing=[], final=final,
        needed=[need_v, need_c], forbidden=[stale_v, stale_c],
        notes="Six pasted documents. Answer needs the vendor retention period in document 3 and the internal "
              "ceiling in document 5; document 4 (other vendor) and document 6 (superseded schedule, pasted "
              "later) carry look-alike figures. Question says 'keep ... before destroyed'.")


# ===================================================== kind 4: config_edit
CFG_V = {
    "slots": {
        "svc": ["the API gateway", "the worker fleet", "the scheduler", "nginx", "the metrics agent",
                "the build runners", "the cache tier"],
        "thing": ["log rotation", "TLS certificates", "health checks", "the CI pipeline", "Docker image size",
                  "the backup cron job", "DNS TTLs", "alert thresholds", "the deploy script"],
        "tool": ["Terraform", "Ansible", "Helm", "GitHub Actions", "systemd", "logrotate", "certbot"],
        "n": ["3", "5", "10", "15", "30", "60", "120"],
        "unit": ["seconds", "minutes", "replicas", "retries", "MB", "days"],
    },
    "u": ["Separate thing: how should I set up {thing} for {svc}?",
          "Our {thing} broke after someone edited it with {tool}. Where would you look first?",
          "Is {n} {unit} a sensible default for {thing}?",
          "Can you write me a {tool} snippet for {thing}?",
          "What's the downside of handling {thing} in {tool} instead of by hand?",
          "{svc} restarted {n} times overnight. Could {thing} be related?"],
    "ux": ["We run everything on three VMs plus a managed database.", "Keep it minimal please.",
           "Nobody on the team is a {tool} expert.", "This is for staging first, then production."],
    "a": ["For {thing}, I'd keep the logic in {tool} so it's reviewed like any other change.",
          "{n} {unit} is reasonable for most setups; go lower only if you have a concrete reason.",
          "When {svc} restarts repeatedly, health checks that are too strict are the usual suspect.",
          "{tool} makes {thing} repeatable, at the cost of one more thing to learn.",
          "I'd test the change on staging and watch {svc} for a full day before promoting it.",
          "Keep secrets out of the file; reference them from the environment instead.",
          "Here's a minimal version:\n\n```\n# {thing}\nenabled: true\ninterval: {n}\nnotify: ops@example.internal\n```",
          "A lot of {thing} problems come from two tools both thinking they own the same file.",
          "I'd pin the {tool} version in the repo so the behaviour doesn't change under you.",
          "For {svc}, a short runbook entry explaining {thing} will save the next person an hour.",
          "If you only change one thing at a time, rollbacks stay trivial.",
          "Alerting on the absence of a signal is as important as alerting on errors."],
    "steps": ["Commit the change to a branch and open a pull request.", "Run `{tool}` in dry-run mode first.",
              "Check the logs of {svc} after applying.", "Set an alert on {thing} failures.",
              "Document the new default of {n} {unit} in the runbook.", "Roll back by reverting the commit."],
}


def k_config(ctx):
    rng = ctx.rng
    old, mid, new = rng.sample([16, 20, 24, 28], 1)[0], rng.choice([40, 44, 48]), rng.choice([64, 72, 80, 96])
    replica = rng.choice([30, 32, 36])
    tmo = rng.choice([4500, 6000, 7500, 9000, 12000])
    pk = "pool_max_size"
    db_yaml = ("```yaml\n# database.yaml (primary)\nprimary:\n  host: db-primary.internal\n  port: 5432\n"
               "  name: orders\n  %s: %d\n  pool_min_size: 4\n  statement_cache: 256\n  sslmode: require\n"
               "  application_name: orders-api\nmigrations:\n  table: schema_migrations\n  lock_timeout: 10s\n```"
               % (pk, old))
    gw = ("```toml\n# gateway.toml\n[server]\nlisten = \"0.0.0.0:8443\"\nworkers = 8\n\n[upstream]\n"
          "targets = [\"orders-api:9000\", \"orders-api-2:9000\"]\nupstream_timeout = \"%dms\"\n"
          "retries = 1\n\n[tls]\ncert = \"/etc/gw/tls.crt\"\nkey = \"/etc/gw/tls.key\"\n```" % tmo)
    opening = [user("I'm cleaning up our service configs and want a second pair of eyes. First the database "
                    "config for the primary:\n\n" + db_yaml),
               asst("Thanks. This looks sane overall: TLS is required, the statement cache is sized modestly, and "
                    "the migration lock timeout will stop a stuck migration from blocking deploys forever. The "
                    "pool settings are on the conservative side for an API, but that depends on traffic.")]
    a_gw = [user("And this is the gateway in front of it:\n\n" + gw),
            asst("The gateway config is straightforward: eight workers, one retry, and a single upstream "
                 "timeout covering both targets. I'd leave the retry at one so a slow backend doesn't get "
                 "hammered.")]
    a_mid = [user("We're seeing connection waits at peak. Let's raise the pool on the primary a bit, to %d." % mid),
             asst("Here's the updated primary block:\n\n```yaml\nprimary:\n  host: db-primary.internal\n"
                  "  port: 5432\n  name: orders\n  %s: %d\n  pool_min_size: 4\n```\n\nMake sure the database's "
                  "max_connections leaves room for the extra connections." % (pk, mid))]
    a_new = [user("%d didn't cut it, we still queue during the lunch peak. Go further on the primary, set the "
                  "pool to %d and leave everything else alone." % (mid, new)),
             asst("Updated:\n\n```yaml\nprimary:\n  host: db-primary.internal\n  port: 5432\n  name: orders\n"
                  "  %s: %d\n  pool_min_size: 4\n  statement_cache: 256\n```\n\nWith that many connections, "
                  "watch memory on the database host for the first few days." % (pk, new))]
    a_rep = [user("For comparison, the read replica's file, which we're not touching:\n\n```yaml\n# replica.yaml\n"
                  "replica:\n  host: db-replica.internal\n  %s: %d\n  sslmode: require\n```" % (pk, replica)),
             asst("The replica is sized independently, which is fine since it only serves reporting queries.")]
    f_new = rng.uniform(0.5, 0.66)
    anchors = [(rng.uniform(0.1, 0.22), a_gw), (rng.uniform(0.3, 0.42), a_mid), (f_new, a_new),
               (rng.uniform(0.8, 0.93), a_rep)]
    final = user("Writing the change summary now. For the primary database, what's the maximum number of pooled "
                 "connections as of our last edit, and how long will the gateway wait on a backend before it "
                 "gives up?")
    return dict(
        system="You are a DevOps assistant reviewing and editing configuration files with the user.",
        opening=opening, anchors=anchors, filler=lambda: chat_block(ctx, CFG_V), closing=[], final=final,
        needed=["%s: %d" % (pk, new), 'upstream_timeout = "%dms"' % tmo],
        forbidden=["%s: %d" % (pk, old), "%s: %d" % (pk, mid), "%s: %d" % (pk, replica)],
        notes="Pool size edited twice (original in the first message, first edit, final edit at %.0f%%); "
              "the gateway timeout is in a separate early paste and never changes; the replica's pool is a "
              "late look-alike." % (100 * f_new))


# ===================================================== kind 5: lab_visits
LAB_V = {
    "slots": {
        "sym": ["tired in the afternoons", "thirsty at night", "a bit dizzy when standing up",
                "achy in the feet after walks", "restless at night", "headachy", "queasy after lunch"],
        "food": ["oatmeal", "brown rice", "lentil soup", "Greek yoghurt", "whole-grain bread", "grilled fish",
                 "roasted vegetables", "almonds"],
        "act": ["walking 30 minutes", "swimming twice a week", "a beginner yoga class", "cycling to work",
                "strength training on Saturdays"],
        "lab": ["LDL cholesterol", "TSH", "vitamin D", "ferritin", "ALT", "creatinine", "potassium"],
        "when": ["last week", "since the weekend", "for about a month", "on and off", "most mornings"],
    },
    "u": ["I've been feeling {sym} {when}. Is that something to mention at the next appointment?",
          "Is {food} a good choice for breakfast with my condition?",
          "I started {act}. Anything I should watch out for?",
          "What does {lab} measure, in plain words?",
          "Can you help me write down questions for the next visit about {lab}?",
          "My sister says {food} spikes blood sugar. True?"],
    "ux": ["I don't want to bother the clinic unnecessarily.", "I keep a diary of meals now.",
           "My pharmacist mentioned it too.", "Sorry if this is a silly question."],
    "a": ["Feeling {sym} can have many causes, so it's worth mentioning to your clinician rather than guessing.",
          "{food} is generally a reasonable choice, especially paired with some protein.",
          "{act} is a great habit; build up gradually and keep water with you.",
          "{lab} is a routine blood test; your clinician will interpret it alongside your other results.",
          "I can't diagnose anything, but I can help you organise what to ask.",
          "Keeping a simple log of meals, activity and how you feel makes appointments much more productive.",
          "A small handful of {food} is an easy snack that won't cause big swings for most people.",
          "Many people notice they feel {sym} for a few weeks after changes to diet or routine.",
          "It's fine to ask the clinic to explain any result in plain words; that's part of their job.",
          "If something feels urgent or very different from usual, call the clinic or emergency services.",
          "{lab} is often checked once or twice a year unless there's a reason to watch it more closely."],
    "steps": ["Write down when it happens and for how long.", "Bring your medication list to the visit.",
              "Ask whether {lab} should be rechecked.", "Note what you ate before symptoms appeared.",
              "Ask about adjusting timing of doses.", "Check your feet daily for blisters."],
}


def lab_report(rng, date, a1c_line):
    rows = [("Glucose, fasting", "%d mg/dL" % rng.randint(96, 168), "70-99"),
            ("LDL cholesterol", "%d mg/dL" % rng.randint(88, 160), "<100"),
            ("HDL cholesterol", "%d mg/dL" % rng.randint(38, 62), ">40"),
            ("Triglycerides", "%d mg/dL" % rng.randint(110, 240), "<150"),
            ("Creatinine", "%.2f mg/dL" % rng.uniform(0.7, 1.2), "0.6-1.3"),
            ("eGFR", "%d mL/min/1.73m2" % rng.randint(72, 104), ">60"),
            ("Potassium", "%.1f mmol/L" % rng.uniform(3.6, 5.0), "3.5-5.1"),
            ("ALT", "%d U/L" % rng.randint(14, 44), "7-56")]
    body = "\n".join("%-20s %-18s (ref %s)" % r for r in rows)
    return "Patient portal - results released %s\nPanel: metabolic + lipids\n%s\n%s" % (date, body, a1c_line)


def k_labs(ctx):
    rng = ctx.rng
    v1, v2, v3 = sorted(rng.sample([6.9, 7.1, 7.3, 7.6, 7.9, 8.2, 8.4, 8.8], 3), reverse=True)
    mom = pick(rng, [6.1, 6.4, 6.6])
    dose1 = pick(rng, ["500 mg twice daily", "500 mg once daily"])
    dose2 = pick(rng, ["1000 mg twice daily", "850 mg twice daily", "750 mg twice daily"])
    a1c = lambda v: "HbA1c %.1f %%" % v
    dates = ["3 February", "12 May", "18 August", "24 November"]
    dr = pick(rng, ["Dr. Alvarez", "Dr. Nakamura", "Dr. Okafor", "Dr. Brennan"])
    opening = [user("Hi! I was diagnosed with type 2 diabetes recently and want to use this chat as my log "
                    "between appointments. I'll paste results and the doctor's notes as they come in."),
               asst("That's a good idea. Paste things as you get them and I'll help you keep them straight. "
                    "I'm not a substitute for your care team, but I can help you prepare questions.")]
    v1_lab = [user("Visit 1 labs:\n\n" + lab_report(rng, dates[0], "%-20s (ref 4.0-5.6)" % a1c(v1))),
              asst("Thanks, logged the first set of results. The lipid numbers and the sugar control are the "
                   "ones your doctor will focus on.")]
    v1_plan = [user("And %s's plan from visit 1: start metformin %s with meals, recheck in three months." % (dr, dose1)),
               asst("Noted the starting plan. Taking it with food usually helps with stomach side effects.")]
    v2_lab = [user("Visit 2 labs came back:\n\n" + lab_report(rng, dates[1], "%-20s (ref 4.0-5.6)" % a1c(v2))),
              asst("Logged. Some improvement since the first visit, which is encouraging.")]
    v2_plan = [user("Plan after visit 2, typed from the after-visit summary: \"Increase to metformin %s. "
                    "Continue diet changes. Labs again in 3 months.\"" % dose2),
               asst("Got it, that's the updated dosing going forward unless your doctor changes it again.")]
    v3_lab = [user("Visit 3 (%s) numbers:\n\n" % dates[2] + lab_report(rng, dates[2], "%-20s (ref 4.0-5.6)" % a1c(v3))),
              asst("Logged the third set. %s said no medication change at this visit, according to your note?" % dr),
              user("Right, no changes this time, just keep going."),
              asst("Great, then the plan from the second visit still stands.")]
    mom_blk = [user("Unrelated: my mom got her results and was thrilled, she's at %s now. Does that mean she's "
                    "not diabetic anymore?" % a1c(mom)),
               asst("That's a question for her own doctor; numbers in that range can mean different things "
                    "depending on her history and medications.")]
    f3 = rng.uniform(0.55, 0.7)
    anchors = [(rng.uniform(0.04, 0.1), v1_lab), (rng.uniform(0.11, 0.18), v1_plan),
               (rng.uniform(0.28, 0.36), v2_lab), (rng.uniform(0.37, 0.45), v2_plan),
               (f3, v3_lab), (rng.uniform(0.84, 0.95), mom_blk)]
    final = user("I'm filling in a form for a new pharmacy. What was my latest glycated hemoglobin result, and "
                 "what's the diabetes tablet dose I'm currently on?")
    return dict(
        system="You are a health-records assistant helping a patient track visits and results. You are not a "
               "doctor; encourage the patient to confirm with their care team.",
        opening=opening, anchors=anchors, filler=lambda: chat_block(ctx, LAB_V), closing=[], final=final,
        needed=[a1c(v3), "metformin " + dose2], forbidden=[a1c(v1), a1c(v2), a1c(mom), "metformin " + dose1],
        notes="Three visits of labs; latest HbA1c at %.0f%%, current dose set at visit 2 and unchanged at "
              "visit 3; the mother's HbA1c is a late look-alike. Question says 'glycated hemoglobin' and "
              "'diabetes tablet'." % (100 * f3))


# ===================================================== kind 6: travel_rebook
TRAVEL_V = {
    "slots": {
        "city": ["Porto", "Sintra", "Seville", "Madrid", "Cascais", "Evora", "Coimbra"],
        "thing": ["a day trip", "a food tour", "a fado evening", "museum tickets", "a rental car",
                  "a train pass", "a boat trip", "a dinner reservation"],
        "need": ["vegetarian options", "step-free access", "a quiet room", "early check-in",
                 "luggage storage", "a crib for our toddler"],
        "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        "price": ["EUR 35", "EUR 60", "EUR 85", "EUR 120", "EUR 18", "EUR 240"],
    },
    "u": ["Can you suggest {thing} near {city} on {day}?", "Is {thing} worth it at around {price} per person?",
          "We need {need} at the hotel in {city}. How do I ask for it?",
          "How long does it take to get from {city} to {city} by train?",
          "What should I pack for {city} in early autumn?",
          "Would {thing} on {day} be too much after a travel day?"],
    "ux": ["We're travelling with my parents, who walk slowly.", "Budget is moderate.",
           "We'd rather avoid very touristy places.", "My partner doesn't eat seafood."],
    "a": ["{city} is very walkable in the centre, but the hills are steep, so plan rests.",
          "For {thing}, booking a day or two ahead is usually enough outside peak season.",
          "At {price} that's in the normal range; check what's included before paying.",
          "Most hotels will note {need} if you email them with your booking reference.",
          "On {day}s some museums close early, so double-check opening hours.",
          "Trains between the main cities are frequent; regional lines are slower but scenic.",
          "In {city}, lunch is the main meal and many small restaurants close between three and seven.",
          "With {need} in mind, a smaller family-run guesthouse is often more flexible than a chain hotel.",
          "{thing} is popular with families, and children usually get a reduced price.",
          "If you hire a car, parking in old town centres like {city} is difficult; leave it outside the walls.",
          "Card payments are accepted almost everywhere, but keep a little cash for cafes and markets."],
    "steps": ["Email the hotel a week before arrival.", "Book {thing} with free cancellation.",
              "Download offline maps for {city}.", "Keep printed copies of the bookings.",
              "Check the tram timetable for {day}.", "Carry a light rain jacket."],
}


def pnr(rng):
    return "".join(pick(rng, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))


def k_travel(ctx):
    rng = ctx.rng
    dest = pick(rng, ["Lisbon", "Faro", "Funchal"])
    p_old, p_new, p_friend, p_ret = pnr(rng), pnr(rng), pnr(rng), pnr(rng)
    t_old = pick(rng, ["07:40", "08:15", "06:55"])
    t_new = pick(rng, ["13:25", "14:50", "16:05"])
    f_old = "TP %d" % rng.randint(1200, 1399)
    f_new = "TP %d" % rng.randint(1400, 1599)
    hub = pick(rng, ["Frankfurt", "Zurich", "Amsterdam"])
    itin = ("Booking confirmation - reference %s\n\nOutbound\n  %s -> %s   Flight LH %d   dep 09:10  arr 11:55\n"
            "  %s -> %s        Flight %s   departs %s  arr 15:30\n\nReturn (separate booking %s)\n"
            "  %s -> %s   Flight LH %d   dep 17:20  arr 21:05\n\nPassengers: 2 adults, 1 child\nBaggage: 2 x 23 kg"
            % (p_old, "Chicago", hub, rng.randint(400, 499), hub, dest, f_old, t_old, p_ret, dest, "Chicago",
               rng.randint(500, 599)))
    opening = [user("We're planning a family trip to Portugal and I want you to keep track of the logistics. "
                    "Here's the flight booking as it stands:\n\n" + itin),
               asst("Thanks, I've got the outbound via %s and the separate return booking. Happy to help with "
                    "the rest of the plans." % hub)]
    rebook = [user("Ugh, got this email from the airline just now:\n\n\"Due to an operational change your flight "
                   "from %s to %s has been cancelled. You have been rebooked on flight %s, which departs %s "
                   "local time. Your new booking reference is %s. Your other flights are unchanged.\""
                   % (hub, dest, f_new, t_new, p_new)),
              asst("Sorry about that. The later connection actually gives you a more comfortable layover. "
                   "You may want to let the hotel know you'll arrive later in the afternoon.")]
    friend = [user("My friend Carla is meeting us there; her booking reference is %s, she lands an hour after "
                   "us. Could you note that?" % p_friend),
              asst("Noted that Carla is on her own booking and arrives a bit after you.")]
    hotel = [user("Hotel booked in %s for 5 nights, confirmation HX-%d, check-in from 15:00." % (dest, rng.randint(100000, 999999))),
             asst("Lovely. If your flight is late they'll hold the room since it's prepaid.")]
    f_r = rng.uniform(0.45, 0.65)
    anchors = [(rng.uniform(0.1, 0.25), hotel), (f_r, rebook), (rng.uniform(0.84, 0.95), friend)]
    final = user("I'm at the check-in kiosk in %s and it's asking for the record locator for the leg into %s. "
                 "What is it, and what time is that flight supposed to leave?" % (hub, dest))
    return dict(
        system="You are a travel planning assistant keeping track of a family's bookings.",
        opening=opening, anchors=anchors, filler=lambda: chat_block(ctx, TRAVEL_V), closing=[], final=final,
        needed=[p_new, "departs %s" % t_new], forbidden=[p_old, "departs %s" % t_old, p_friend, p_ret],
        notes="Itinerary pasted first; the connecting leg is cancelled and rebooked at %.0f%% with a new "
              "reference and time; a friend's reference is a late look-alike. Question says 'record "
              "locator'." % (100 * f_r))


# ===================================================== kind 7: contract_amend
LAW_SLOTS = {
    "party": ["the Supplier", "the Client", "either Party", "each Party", "the receiving Party"],
    "obl": ["maintain commercially reasonable insurance", "keep Confidential Information secret",
            "comply with applicable anti-bribery laws", "provide the Services in a professional manner",
            "maintain accurate records of time spent", "cooperate in good faith on any audit",
            "notify the other Party of a change of control"],
    "cond": ["subject to Clause 3", "save as expressly provided otherwise", "to the extent permitted by law",
             "without prejudice to any other right or remedy", "unless otherwise agreed in writing"],
    "item": ["Deliverables", "Background IP", "Personnel", "Service Credits", "Invoices", "Change Requests"],
}
LAW_SENT = [
    "{party} shall {obl}, {cond}.",
    "{cond}, {party} shall not assign this Agreement without prior written consent.",
    "All {item} shall be subject to acceptance testing as described in the relevant Statement of Work.",
    "{party} shall {obl} for the duration of this Agreement and for two years thereafter.",
    "Any dispute regarding {item} shall first be referred to the Project Managers for resolution.",
    "Nothing in this Clause limits the obligation of {party} to {obl}.",
    "{item} submitted late may be rejected by the Client, {cond}.",
    "Notices under this Clause shall be in writing and delivered by courier or email.",
]
LAW_V = {
    "slots": dict(LAW_SLOTS, clause=["Clause 3", "Clause 5", "Clause 7", "Clause 9", "Clause 16", "Clause 19"]),
    "u": ["What does {clause} actually require of {party}?", "Is {clause} standard market wording?",
          "Could {party} argue that {item} fall outside {clause}?",
          "Draft a plain-English summary of {clause} for the project team.",
          "How does {clause} interact with the confidentiality obligations?",
          "Would you push back on the wording around {item}?"],
    "ux": ["The business team is impatient.", "Keep it to a paragraph.", "We signed this in a hurry.",
           "Outside counsel is expensive so I'm trying to narrow questions first."],
    "a": ["{clause} obliges {party} to {obl}, {cond}.",
          "That wording is fairly common, although the reference to {item} is broader than usual.",
          "I'd read it as applying to {item} only where a Statement of Work says so.",
          "This is not legal advice, but the natural reading favours {party} on that point.",
          "If it matters commercially, a short side letter clarifying {item} would settle it.",
          "The drafting relies on defined terms, so check the definitions clause before concluding.",
          "Courts tend to read ambiguous wording like this against the party that drafted it.",
          "The obligation to {obl} survives termination, so it's worth tracking in the register.",
          "{clause} is drafted as a mutual obligation, which is unusual for {item}.",
          "There is a cross-reference to {clause} that doesn't quite match the heading, probably a drafting slip.",
          "I'd ask the other side to confirm their reading in an email before relying on it."],
    "steps": ["Check the definition of {item}.", "Confirm whether any amendment touched {clause}.",
              "Ask outside counsel for a one-line view.", "Record the position in the contract register.",
              "Flag it for the renewal negotiation.", "Compare with our template wording."],
}


def contract_part(rng, clauses, special, n_chars):
    out, total = [], 0
    for num, title in clauses:
        sents = [para(rng, LAW_SENT, LAW_SLOTS, rng.randint(3, 6)) for _ in range(rng.randint(1, 3))]
        if num in special:
            sents.insert(rng.randint(0, len(sents)), special[num])
        body = "\n".join("%d.%d %s" % (num, j + 1, s) for j, s in enumerate(sents))
        out.append("%d. %s\n%s" % (num, title.upper(), body))
        total += len(out[-1])
    while total < n_chars:
        out.append("Schedule note: " + para(rng, LAW_SENT, LAW_SLOTS, 4))
        total += len(out[-1])
    return "\n\n".join(out)


def money(v):
    return "${:,}".format(v)


def k_contract(ctx):
    rng = ctx.rng
    caps = rng.sample([1200000, 1500000, 2250000, 2750000, 3250000, 4400000, 5000000], 4)
    cap0, cap1, cap2, cap_other = caps
    notice = pick(rng, ["sixty (60) days", "ninety (90) days", "one hundred twenty (120) days", "forty-five (45) days"])
    other_notice = pick(rng, [x for x in ["thirty (30) days", "fourteen (14) days", "seven (7) days"]])
    cp = pick(rng, ["Halcyon Systems Ltd", "Brightwater Logistics plc", "Quorum Analytics Inc."])
    n = int(ctx.target * 4 * 0.06)
    cap_sent = lambda v: ("Each Party's total aggregate liability arising out of or in connection with this "
                          "Agreement shall not exceed %s in any Contract Year." % money(v))
    part_a = contract_part(rng, [(9, "Warranties"), (10, "Indemnities"), (11, "Limitation of Liability"),
                                 (12, "Insurance")], {11: cap_sent(cap0)}, n)
    part_b = contract_part(rng, [(13, "Term"), (14, "Termination"), (15, "Consequences of Termination"),
                                 (16, "Force Majeure")],
                           {14: "Either Party may terminate this Agreement for convenience by giving not less "
                                "than %s' prior written notice to the other Party." % notice}, n)
    am1 = ("AMENDMENT No. 1 to the Master Services Agreement with %s\n\n1. Clause 11.%d is amended so that the "
           "figure stated there is replaced by %s.\n2. Payment terms in Clause 7 are extended to forty-five days "
           "from receipt of a valid invoice.\n3. All other terms remain in full force and effect."
           % (cp, rng.randint(1, 3), money(cap1)))
    am2 = ("AMENDMENT No. 2 to the Master Services Agreement with %s\n\n1. Clause 11 (Limitation of Liability) is "
           "deleted in its entirety and replaced with the following: \"Save for liability which cannot be limited "
           "by law, each Party's total aggregate liability shall not exceed %s per Contract Year.\"\n2. This "
           "Amendment supersedes Amendment No. 1 insofar as it relates to Clause 11.\n3. All other terms remain in "
           "full force and effect." % (cp, money(cap2)))
    other = ("From a different supplier's draft we were sent for comparison (not signed):\n\n\"11.2 The Supplier's "
             "liability shall be capped at %s. 14.1 The Client may terminate on %s' notice.\""
             % (money(cap_other), other_notice))
    opening = [user("I need help keeping track of our Master Services Agreement with %s and its amendments. "
                    "I'll paste the relevant parts. First, clauses 9 to 12:\n\n%s" % (cp, part_a)),
               asst("Thanks. I've read clauses 9 to 12, including the liability cap and the insurance "
                    "requirements. Paste the next part when ready.")]
    a_b = [user("Clauses 13 to 16:\n\n" + part_b),
           asst("Read. The term, termination, and force majeure provisions look conventional.")]
    a_1 = [user(am1), asst("Noted Amendment No. 1 and the payment-term extension.")]
    a_2 = [user("Just received the countersigned copy of this one:\n\n" + am2),
           asst("Noted Amendment No. 2. It replaces the whole liability clause and expressly overrides the "
                "earlier amendment on that point.")]
    a_o = [user(other), asst("That's a different supplier's unsigned draft, so it doesn't affect the %s "
                             "agreement." % cp.split()[0])]
    f2 = rng.uniform(0.55, 0.7)
    anchors = [(rng.uniform(0.08, 0.2), a_b), (rng.uniform(0.3, 0.45), a_1), (f2, a_2),
               (rng.uniform(0.84, 0.95), a_o)]
    final = user("The CFO asks two things about the %s deal: what's the most either side could have to pay the "
                 "other in damages in a year as things stand now, and how much warning do we have to give if we "
                 "want to walk away without cause?" % cp.split()[0])
    return dict(
        system="You are a contracts paralegal assistant. You help track agreements and amendments; you do not "
               "give legal advice.",
        opening=opening, anchors=anchors, filler=lambda: chat_block(ctx, LAW_V), closing=[], final=final,
        needed=[money(cap2), notice], forbidden=[money(cap0), money(cap1), money(cap_other), other_notice],
        notes="Liability cap in the first paste, amended twice (Amendment No. 2 at %.0f%% wins); termination "
              "notice in the second paste, never amended; another supplier's draft is a late look-alike. "
              "Question says 'damages' and 'walk away without cause'." % (100 * f2))


# ===================================================== kind 8: meeting_reversal
MEET_SLOTS = {
    "topic": ["the dashboard redesign", "on-call rotation", "the Q3 roadmap", "hiring for the data team",
              "the SLA review", "alert noise", "the budget forecast", "the customer advisory board",
              "API deprecations", "the mobile release"],
    "person": ["Lena", "Omar", "Jules", "Farah", "Bruno", "Mei", "Tariq", "Ingrid", "Sol"],
    "state": ["on track", "slightly behind", "blocked on legal", "waiting for design", "done",
              "needs more scoping"],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
}
MEET_LINE = ["{person}: {topic} is {state}.", "{person} will follow up on {topic} by {day}.",
             "Discussion on {topic}; {person} and {person} disagree on priority, to revisit.",
             "{topic}: no change since last week.", "{person} raised a risk around {topic}.",
             "Agreed to timebox {topic} to two weeks.", "{person} to share a one-pager on {topic}."]
MEET_V = {
    "slots": MEET_SLOTS,
    "u": ["Can you turn these bullet points into a short status email about {topic}?",
          "Who's been following up on {topic} lately?", "What did we say about {topic} two meetings ago?",
          "Draft an agenda for next {day}'s sync.", "How should I phrase the risk {person} raised about {topic}?",
          "Is {topic} mentioned as blocked anywhere?"],
    "ux": ["Keep it neutral in tone.", "It goes to the wider org.", "{person} will read it, so be diplomatic.",
           "Short is better."],
    "a": ["From the notes so far, {person} has been the main voice on {topic}.",
          "In the recent notes, {topic} is marked as {state}.",
          "I'd frame it as a question for the group rather than a decision.",
          "Here's a draft: 'Quick update on {topic}: currently {state}; {person} is following up by {day}.'",
          "The notes don't record a firm decision on {topic} yet.",
          "{person} has picked up most of the follow-ups on {topic} in the last few weeks.",
          "It might be worth separating the {topic} discussion from the status updates.",
          "A clear owner and a date next to each action would make the notes easier to track.",
          "I'd keep the wording factual: what changed, who's doing what, and by when."],
    "steps": ["Review open action items.", "Update on {topic} from {person}.", "Risks and blockers.",
              "Decisions needed this week.", "Any other business.", "Confirm owners and dates."],
}


def meeting_notes(rng, num, date, extra):
    lines = [fill(rng, pick(rng, MEET_LINE), MEET_SLOTS) for _ in range(rng.randint(5, 9))]
    for e in extra:
        lines.insert(rng.randint(1, len(lines)), e)
    att = ", ".join(rng.sample(MEET_SLOTS["person"], 5))
    return "Platform sync #%d - %s\nAttendees: %s\n\n%s" % (num, date, att, "\n".join("- " + l for l in lines))


def k_meeting(ctx):
    rng = ctx.rng
    vendors = ["Kestrel Analytics", "Marlow Data", "Ostrander Metrics", "Pellucid Observability", "Tamsin Telemetry"]
    v_old, v_new, v_other = rng.sample(vendors, 3)
    owners = ["Priyanka Osei", "Henrik Valdes", "Noor Abdallah", "Callum Reyes", "Yuki Sandoval"]
    o_old, o_new = rng.sample(owners, 2)
    proj = pick(rng, ["Beacon", "Lodestar", "Meridian"])
    dates = ["9 Sep", "16 Sep", "23 Sep", "30 Sep", "7 Oct", "14 Oct", "21 Oct", "28 Oct"]
    blocks = []
    specials = {
        1: ["DECISION: telemetry platform vendor will be %s; contract review to start." % v_old],
        2: ["ACTION: migration owner: %s (plan due in two weeks)." % o_old],
        4: ["%s is going on parental leave from next week; migration work handed over. Migration owner: %s "
            "from now on." % (o_old.split()[0], o_new)],
        5: ["DECISION REVERSED: the security review found gaps in the first-choice vendor's data residency "
            "story. We are going with %s for the telemetry platform instead; procurement restarting." % v_new],
        7: ["FYI the analytics team next door uses %s for their product metrics; not relevant to our "
            "migration." % v_other],
    }
    fr = {1: 0.12, 2: 0.27, 4: 0.52, 5: 0.64, 7: 0.9}
    anchors = []
    for i in range(8):
        notes = meeting_notes(rng, i + 1, dates[i], specials.get(i, []))
        blk = [user("Notes from today's sync:\n\n" + notes),
               asst("Filed the notes for sync #%d. %s" % (i + 1, pick(rng, [
                   "Want me to pull out the action items?", "Anything you'd like summarised?",
                   "I'll keep these with the others.", "Let me know if you need a recap email."])))]
        f = fr.get(i, (i + 0.5) / 8.0) + rng.uniform(-0.02, 0.02)
        anchors.append((max(0.0, f), blk))
    opening = [user("I'm the project manager for %s. I'll paste our weekly platform sync notes here so you can "
                    "help me keep track of decisions and owners." % proj),
               asst("Sounds good. Paste each week's notes and I'll keep a running picture of decisions and "
                    "action items.")]
    final = user("Steering committee wants a one-liner: who's ultimately accountable for moving us onto the new "
                 "observability tooling, and which supplier did we finally settle on?")
    return dict(
        system="You are a project assistant for the %s programme. You track meeting notes, decisions and owners."
               % proj,
        opening=opening, anchors=anchors, filler=lambda: chat_block(ctx, MEET_V), closing=[], final=final,
        needed=["Migration owner: %s" % o_new, "going with %s" % v_new],
        forbidden=["migration owner: %s" % o_old, v_old, v_other],
        notes="Eight meeting notes: vendor chosen in sync #2, reversed in #6; owner assigned in #3, reassigned "
              "in #5; another team's vendor in #8. Question says 'accountable', 'observability tooling', "
              "'supplier'.")


# ===================================================== kind 9: inventory_agent (tools)
INV_TOOLS = [
    fn("find_rows", "Find rows in the inventory sheet matching a query.", {"sheet": S, "query": S}, ["sheet", "query"]),
    fn("read_range", "Read a cell range.", {"sheet": S, "range": S}, ["sheet", "range"]),
    fn("update_cell", "Write a value to one cell.", {"sheet": S, "cell": S, "value": I}, ["sheet", "cell", "value"]),
    fn("get_reorder_policy", "Look up the reorder policy for a SKU.", {"sku": S}, ["sku"]),
    fn("add_comment", "Attach a comment to a cell.", {"sheet": S, "cell": S, "text": S}, ["sheet", "cell", "text"]),
]
INV_CAT = [("MUG", "mug"), ("PAN", "frying pan"), ("POT", "stock pot"), ("JAR", "storage jar"),
           ("BWL", "mixing bowl"), ("TRY", "baking tray"), ("CAF", "cafetiere"), ("TPT", "teapot")]
INV_COL = [("RED", "red"), ("SAGE", "sage"), ("CRM", "cream"), ("BLK", "black"), ("SND", "sand"),
           ("NVY", "navy"), ("PLM", "plum")]
INV_SZ = [("S", "small"), ("M", "medium"), ("L", "large"), ("1L", "1L"), ("3L", "3L")]
INV_CHECK_A = ["Progress: aisles A and B reconcile cleanly; a handful of rows in C have small differences that "
               "look like unit-of-measure mistakes. Continuing.",
               "I've flagged three rows where the sheet and the scanner export disagree by more than 10%. I'll "
               "add comments rather than overwrite anything without confirmation.",
               "Halfway through the sheet. No negative quantities so far, and bins all match the location list.",
               "The reorder policies look current for most SKUs; a few still reference last year's supplier."]
INV_CHECK_U = ["Thanks, keep going.", "Don't touch the cookware rows in aisle F, Jo is recounting those.",
               "Fine. Add comments, don't overwrite, unless I tell you a number.",
               "OK. Finance needs this by end of day.", "Good. Skip anything marked discontinued."]


def k_inventory(ctx):
    rng = ctx.rng
    fam = pick(rng, [("KET", "enamel kettle", "enamel kettles"), ("DCH", "dutch oven", "dutch ovens"),
                     ("CSR", "casserole dish", "casserole dishes")])
    col = pick(rng, [("TEAL", "teal"), ("OCH", "ochre"), ("SLT", "slate")])
    sku = "%s-%s-2L" % (fam[0], col[0])
    look = "%s-%s-1L" % (fam[0], col[0])
    pname = "%s %s 2L" % (col[1].capitalize(), fam[1])
    row = rng.randint(180, 260)
    q_old, q_new, q_look = rng.sample(range(101, 389), 3)
    rp = rng.randint(60, 99) * 2
    need_q = '"on_hand": %d' % q_new
    forb_q = '"on_hand": %d' % q_old
    forb_l = '"on_hand": %d' % q_look
    need_rp = '"reorder_point": %d' % rp
    avoid_skus = {sku, look}

    def rand_row():
        while True:
            c, cn = pick(rng, INV_CAT)
            k, kn = pick(rng, INV_COL)
            z, zn = pick(rng, INV_SZ)
            s = "%s-%s-%s" % (c, k, z)
            if s not in avoid_skus:
                break
        return {"row": rng.randint(2, 400), "sku": s, "name": "%s %s %s" % (kn.capitalize(), cn, zn),
                "on_hand": rng.randint(0, 999), "bin": "%s-%02d" % (pick(rng, "ABCDEF"), rng.randint(1, 40))}

    def rows_json(rows):
        return "[\n" + ",\n".join("  " + json.dumps(r) for r in rows) + "\n]"

    target = {"row": row, "sku": sku, "name": pname, "on_hand": q_old, "bin": "C-%02d" % rng.randint(1, 30)}
    opening = [user("Please reconcile the March inventory sheet against the warehouse scanner export. Work "
                    "through it aisle by aisle, comment on mismatches, and only overwrite a number when I give "
                    "you the correct figure.")]
    rows1 = [rand_row() for _ in range(rng.randint(4, 7))]
    rows1.insert(rng.randint(0, len(rows1)), target)
    a_find = ctx.step(("find_rows", {"sheet": "March", "query": "aisle C cookware"}, rows_json(rows1)))
    a_rp = ctx.step(("get_reorder_policy", {"sku": sku},
                     json.dumps({"sku": sku, "reorder_point": rp, "reorder_qty": rp * 2 + 40,
                                 "lead_time_days": rng.randint(14, 35), "supplier": "Hollis Enamelware"})))
    a_fix_u = [asst("Aisle C is mostly done; the %s row looks high compared to the scanner export but I haven't "
                    "changed it." % pname),
               user("Right, that one was keyed in wrong. The floor recount for the %s is %d units. Please fix "
                    "it." % (pname, q_new))]
    a_fix = ctx.step(("update_cell", {"sheet": "March", "cell": "E%d" % row, "value": q_new},
                      json.dumps({"ok": True, "cell": "E%d" % row})))
    a_verify = ctx.step(("read_range", {"sheet": "March", "range": "A%d:F%d" % (row, row)},
                         rows_json([dict(target, on_hand=q_new)])))
    a_look = ctx.step(("find_rows", {"sheet": "March", "query": look},
                       rows_json([{"row": row + rng.randint(1, 9), "sku": look,
                                   "name": "%s %s 1L" % (col[1].capitalize(), fam[1]), "on_hand": q_look,
                                   "bin": "C-%02d" % rng.randint(1, 30)}])))

    def filler():
        r = rng.random()
        if r < 0.12:
            return [asst(pick(rng, INV_CHECK_A)), user(pick(rng, INV_CHECK_U))]
        if r < 0.55:
            return ctx.step(("find_rows", {"sheet": "March", "query": "aisle %s %s" % (pick(rng, "ABDEF"), pick(rng, ["cookware", "tableware", "storage", "bakeware"]))},
                             rows_json([rand_row() for _ in range(rng.randint(6, 16))])))
        if r < 0.7:
            rr = rand_row()
            p = rng.randint(20, 300)
            return ctx.step(("get_reorder_policy", {"sku": rr["sku"]},
                             json.dumps({"sku": rr["sku"], "reorder_point": p, "reorder_qty": p * 2,
                                         "lead_time_days": rng.randint(7, 40), "supplier": pick(rng, ["Hollis Enamelware", "Brandt Ceramics", "Orchard Homeware"])})))
        if r < 0.85:
            rr = rand_row()
            return ctx.step(("add_comment", {"sheet": "March", "cell": "E%d" % rr["row"],
                                             "text": "Scanner export shows %d; please recount." % rng.randint(0, 999)},
                             json.dumps({"ok": True, "comment_id": rng.randint(1000, 9999)})))
        a = rng.randint(2, 380)
        return ctx.step(("read_range", {"sheet": "March", "range": "A%d:F%d" % (a, a + 6)},
                         rows_json([rand_row() for _ in range(7)])))
    f_fix = rng.uniform(0.48, 0.62)
    anchors = [(rng.uniform(0.05, 0.12), a_find), (rng.uniform(0.18, 0.3), a_rp), (f_fix, a_fix_u + a_fix + a_verify),
                (rng.uniform(0.84, 0.94), a_look)]
    closing = [asst("Reconciliation complete: all aisles checked, comments added on the mismatches, and one "
                    "quantity corrected on your instruction.")]
    final = user("Before I sign off: how many of the two-litre %s %s do we actually have in stock now, and at "
                 "what stock level does the system trigger a reorder for them?" % (col[1], fam[2]))
    return dict(
        system="You are an inventory agent with tools to read and edit the warehouse spreadsheet.",
        opening=opening, anchors=anchors, filler=filler, closing=closing, final=final, tools=INV_TOOLS,
        needed=[need_q, need_rp], forbidden=[forb_q, forb_l],
        notes="The 2L item's quantity is read early (wrong), corrected on the user's word at %.0f%% and "
              "re-read; its reorder point comes from a separate early policy lookup; the 1L sibling is a "
              "late look-alike. Question says 'two-litre', 'in stock', 'trigger a reorder'." % (100 * f_fix))


# ===================================================== kind 10: passing_mention
HOME_V = {
    "slots": {
        "dev": ["the mesh router", "the upstairs satellite node", "my work laptop", "the smart TV",
                "the printer", "the kids' tablet", "the doorbell camera", "the thermostat"],
        "band": ["2.4 GHz", "5 GHz", "the guest network"],
        "sym": ["drops every few hours", "shows full bars but no internet", "is really slow in the evening",
                "won't reconnect after sleep", "keeps asking for the password"],
        "room": ["the kitchen", "the home office", "the garage", "the back bedroom", "the basement"],
        "act": ["a firmware update", "a factory reset", "moving the node", "changing the channel",
                "turning off band steering", "rebooting everything"],
    },
    "u": ["Now {dev} {sym}. Any idea?", "Would {act} help with {dev}?", "Should {dev} be on {band}?",
          "The signal in {room} is terrible. What can I do?", "I tried {act} and {dev} still {sym}.",
          "Is it normal that {dev} {sym} when the microwave is on?"],
    "ux": ["We have about 20 devices on the network.", "The house is old with thick walls.",
           "I'm not very technical, sorry.", "My partner works from home so this matters."],
    "a": ["When a device {sym}, interference on {band} is the usual culprit.",
          "{act} is worth trying; write down your current settings first.",
          "Thick walls block 5 GHz much more than 2.4 GHz, which is why {room} suffers.",
          "Older devices like {dev} often behave better on {band}.",
          "Placing the satellite halfway between the main router and {room} usually helps most.",
          "If {dev} keeps asking for the password, forget the network on the device and rejoin.",
          "Mesh systems hand devices between nodes, and some older gadgets handle that badly.",
          "A wired backhaul between the nodes, even a cheap powerline adapter, often fixes {room} for good.",
          "Channel auto-selection can pick a crowded channel at night when the neighbours are online.",
          "{act} can take a few minutes, so don't unplug anything while the lights are blinking.",
          "Giving {dev} a fixed address in the router app makes it easier to spot in the device list."],
    "steps": ["Open the router app and check the node status.", "Note the current channel on {band}.",
              "Move the satellite node closer to {room}.", "Restart {dev}.", "Try {act}.",
              "Check for a firmware update in the app."],
}


def k_passing(ctx):
    rng = ctx.rng
    def acct():
        return "%s-%04d-%02d%s" % (pick(rng, ["AC", "CU", "NB"]), rng.randint(1000, 9999), rng.randint(10, 99),
                                   "".join(pick(rng, "QXZKWV") for _ in range(2)))
    a_now = acct()
    a_old = acct()
    order = "%s-%04d-%02d%s" % ("RO", rng.randint(1000, 9999), rng.randint(10, 99), "".join(pick(rng, "QXZKWV") for _ in range(2)))
    amt = "$%d.%02d" % (rng.randint(39, 129), pick(rng, [49, 95, 99]))
    isp = pick(rng, ["Brightline Fiber", "Cascade Broadband", "Meadow Net"])
    opening = [user("Hi! Long story, bear with me. By the way my account id with %s is %s, in case we need it "
                    "for the billing stuff later. Anyway, the real problem: since we moved in, the Wi-Fi mesh "
                    "keeps dropping out upstairs and I want to fix it properly this weekend." % (isp, a_now)),
               asst("Happy to help with the mesh. Let's start with the layout: how many nodes do you have, "
                    "where's the main router, and which rooms have the worst coverage?")]
    charge = [user("Oh and before I forget, that's the other thing: they billed me %s twice this month for the "
                   "same service period. I'll deal with it after the Wi-Fi." % amt),
              asst("Noted, we can come back to the double charge whenever you're ready.")]
    old = [user("If you see old emails from them referencing account %s, ignore those, that was the account at "
                "our previous address, closed in the spring." % a_old),
           asst("Understood, I'll disregard the closed account.")]
    rma = [user("They're sending a replacement satellite node; the replacement order number is %s." % order),
           asst("Great, the new node should pair from the app once it arrives.")]
    anchors = [(rng.uniform(0.1, 0.25), charge), (rng.uniform(0.35, 0.55), old), (rng.uniform(0.85, 0.95), rma)]
    final = user("Wi-Fi is finally stable, thank you! Now please draft a short email to the billing team about "
                 "the duplicate charge. Put my customer number in the subject line and mention the amount.")
    return dict(
        system="You are a friendly general-purpose assistant.",
        opening=opening, anchors=anchors, filler=lambda: chat_block(ctx, HOME_V), closing=[], final=final,
        needed=[a_now, amt], forbidden=[a_old, order],
        notes="Account id said in passing in the first message, charge amount in passing early; the rest is "
              "Wi-Fi troubleshooting. A closed account and an order number with the same shape are "
              "look-alikes. Question says 'customer number'.")


# ===================================================== kind 11: deploy_agent (tools)
DEP_TOOLS = [
    fn("kubectl", "Run a kubectl command against the current cluster.", {"args": S}, ["args"]),
    fn("helm", "Run a helm command.", {"args": S}, ["args"]),
    fn("vault_lookup", "Look up the Vault secret path and lease for a service.", {"service": S}, ["service"]),
    fn("http_check", "Probe an HTTP endpoint from inside the cluster.", {"url": S}, ["url"]),
    fn("get_pod_logs", "Fetch recent logs for a pod.", {"namespace": S, "pod": S, "tail": I}, ["namespace", "pod"]),
]
DEP_NS = ["monitoring", "ingress-nginx", "kube-system", "cert-manager", "logging", "argocd"]
DEP_APPS = ["prometheus", "grafana", "loki", "fluent-bit", "ingress-nginx-controller", "cert-manager-webhook",
            "node-exporter", "alertmanager", "coredns", "argocd-repo-server"]
DEP_LOG = ["level=info msg=\"reloaded configuration\"", "level=info msg=\"scrape ok\" targets=%d",
           "level=warn msg=\"slow rule evaluation\" ms=%d", "level=info msg=\"certificate valid\" days_left=%d",
           "level=info msg=\"sync complete\" resources=%d", "level=debug msg=\"heartbeat\" seq=%d"]
DEP_CHECK_A = ["Side checks look fine: the ingress controller and monitoring stack are healthy, so anything odd "
               "in the rollout will be specific to the service itself.",
               "The image pulled without issues and the readiness probe passes after about twenty seconds, which "
               "is within the configured threshold.",
               "Cluster capacity is fine; no nodes under memory pressure. Continuing with the checks.",
               "I'm verifying the shared components before declaring the rollout done."]
DEP_CHECK_U = ["OK, continue.", "Check that the dashboards still scrape it once you're done.",
               "Don't restart anything in kube-system.", "Fine, ping me if anything looks off.",
               "Good. Ignore the cert-manager warnings, that's a known issue."]


def k_deploy(ctx):
    rng = ctx.rng
    ver = "%d.%d.%d" % (rng.randint(2, 4), rng.randint(0, 19), rng.randint(0, 9))
    ns_old = pick(rng, ["payments-staging", "pay-stage-2", "staging-payments"])
    ns_new = pick(rng, ["payments-canary", "pay-prodlike", "payments-preprod"])
    region = pick(rng, ["eu-west", "eu-central", "us-east"])
    vp_new = "kv/%s/payments/db-creds-v%d" % (region, rng.randint(3, 6))
    vp_old = "kv/%s/payments-legacy/db-creds-v%d" % (region, rng.randint(1, 2))
    opening = [user("Deploy payments-svc %s to the staging cluster in the %s namespace. Pull the DB credentials "
                    "from Vault, check health after rollout, and verify the shared monitoring still works."
                    % (ver, ns_old))]
    a_vault = ctx.step(("vault_lookup", {"service": "payments-svc"},
                        json.dumps({"service": "payments-svc", "path": vp_new, "lease": "768h",
                                    "rotated": "2026-11-30T04:00:00Z", "policy": "payments-db-read"})))
    a_first = ctx.step(("helm", {"args": "upgrade --install payments-svc charts/payments-svc --set image.tag=%s -n %s"
                                 % (ver, ns_old)},
                        "Release \"payments-svc\" has been upgraded. Happy Helming!\nNAMESPACE: %s\nSTATUS: "
                        "deployed\nREVISION: %d" % (ns_old, rng.randint(12, 40))))
    a_move = [asst("First rollout is up and healthy; the pods pass readiness."),
              user("Change of plan from the platform team: staging is being torn down this week. Redeploy it "
                   "into %s instead and remove the old release when done." % ns_new)]
    a_move2 = ctx.step(("helm", {"args": "upgrade --install payments-svc charts/payments-svc --set image.tag=%s "
                                 "-n %s --create-namespace" % (ver, ns_new)},
                        "Release \"payments-svc\" has been installed.\nNAMESPACE: %s\nSTATUS: deployed\n"
                        "REVISION: 1" % ns_new))
    a_uninst = ctx.step(("helm", {"args": "uninstall payments-svc -n %s" % ns_old},
                         "release \"payments-svc\" uninstalled"))
    a_legacy = ctx.step(("vault_lookup", {"service": "payments-svc-legacy"},
                         json.dumps({"service": "payments-svc-legacy", "path": vp_old, "lease": "24h",
                                     "rotated": "2025-02-11T04:00:00Z", "policy": "deprecated"})))
    a_legacy_u = [asst("There's also an old payments-svc-legacy entry in Vault with a deprecated policy; I "
                       "looked it up to make sure nothing still references it."),
                  user("Yeah that's the retired monolith, ignore it.")]

    def filler():
        r = rng.random()
        if r < 0.12:
            return [asst(pick(rng, DEP_CHECK_A)), user(pick(rng, DEP_CHECK_U))]
        ns = pick(rng, DEP_NS)
        if r < 0.45:
            lines = ["NAME                                   READY   STATUS    RESTARTS   AGE"]
            for _ in range(rng.randint(5, 14)):
                lines.append("%-38s %d/%d     Running   %-10d %dd" % (
                    "%s-%s" % (pick(rng, DEP_APPS), "".join(pick(rng, "abcdefghjkmnpqrstvwxz2456789") for _ in range(10))),
                    1, 1, rng.randint(0, 4), rng.randint(1, 90)))
            return ctx.step(("kubectl", {"args": "get pods -n %s" % ns}, "\n".join(lines)))
        if r < 0.7:
            pod = "%s-%s" % (pick(rng, DEP_APPS), "".join(pick(rng, "abcdefghjkmnpqrstvwxz2456789") for _ in range(5)))
            out = []
            for _ in range(rng.randint(8, 22)):
                l = pick(rng, DEP_LOG)
                if "%d" in l:
                    l = l % rng.randint(1, 900)
                out.append("ts=2026-12-0%dT%02d:%02d:%02dZ %s" % (rng.randint(1, 6), rng.randint(0, 23),
                                                              rng.randint(0, 59), rng.randint(0, 59), l))
            return ctx.step(("get_pod_logs", {"namespace": ns, "pod": pod, "tail": 50}, "\n".join(out)))
        if r < 0.85:
            app = pick(rng, DEP_APPS)
            return ctx.step(("http_check", {"url": "http://%s.%s.svc:%d/healthz" % (app, ns, pick(rng, [8080, 9090, 3000, 10254]))},
                             "HTTP/1.1 200 OK\ncontent-type: text/plain\nx-response-time: %dms\n\nok" % rng.randint(1, 90)))
        return ctx.step(("kubectl", {"args": "describe deployment %s -n %s" % (pick(rng, DEP_APPS), ns)},
                         "Replicas: %d desired | %d updated | %d available\nStrategy: RollingUpdate\n"
                         "  MaxUnavailable: 25%%\n  MaxSurge: 25%%\nConditions:\n  Available  True  "
                         "MinimumReplicasAvailable\n  Progressing  True  NewReplicaSetAvailable\nEvents: <none>"
                         % ((rng.randint(1, 5),) * 3)))
    f_m = rng.uniform(0.45, 0.6)
    anchors = [(rng.uniform(0.05, 0.15), a_vault), (rng.uniform(0.2, 0.3), a_first),
               (f_m, a_move + a_move2 + a_uninst), (rng.uniform(0.82, 0.93), a_legacy + a_legacy_u)]
    closing = [asst("All done: payments-svc %s is deployed and healthy, the old release is removed, and the "
                    "shared monitoring endpoints respond normally." % ver)]
    final = user("For the handover note to the on-call team: where in the secrets store do the payment "
                 "service's database credentials live, and which namespace is the service running in now?")
    return dict(
        system="You are a deployment agent with kubectl, helm and Vault lookup tools. Report exactly what you did.",
        opening=opening, anchors=anchors, filler=filler, closing=closing, final=final, tools=DEP_TOOLS,
        needed=[vp_new, ns_new], forbidden=[ns_old, vp_old],
        notes="Vault path from an early lookup; namespace moved at %.0f%% on the user's instruction (old one "
              "in the first message); a retired service's Vault path is a late look-alike. Question says "
              "'secrets store'." % (100 * f_m))


# ===================================================== kind 12: procurement_specs
PROC_V = {
    "slots": {
        "part": ["the gasket", "the front bezel", "the cable gland", "the PCB standoffs", "the hinge",
                 "the vent mesh", "the mounting screws", "the label plate"],
        "mat": ["anodised aluminium", "polycarbonate", "ABS", "stainless steel 316", "glass-filled nylon",
                "powder-coated steel"],
        "std": ["IP65", "IP67", "UL 94 V-0", "IEC 60529", "RoHS", "REACH"],
        "sup": ["the Shenzhen shortlist", "the Polish machine shop", "our usual moulder",
                "the supplier in Ohio", "the two Taiwanese vendors"],
        "n": ["200", "500", "1,000", "2,500", "5,000"],
    },
    "u": ["Should we ask for {part} in {mat} or leave it open?", "Do we need {std} wording in the RFQ?",
          "How do we phrase the tooling cost question for {sup}?", "What's a fair lead time for {n} units?",
          "Is {mat} overkill for {part}?", "Can you draft the section on {part}?"],
    "ux": ["Units go on outdoor poles.", "We'd like two quotes minimum.", "Keep the RFQ under four pages.",
           "Engineering is still arguing about {part}."],
    "a": ["For {part}, specifying {mat} narrows quotes but avoids surprises later.",
          "Ask {sup} to break out tooling from unit price so quotes are comparable.",
          "{std} compliance should be stated as a requirement with a test report, not just a claim.",
          "At {n} units, most suppliers will quote injection-moulded parts with a one-off tooling fee.",
          "I'd keep {part} as a performance requirement and let the supplier propose the material.",
          "Include a drawing revision number so everyone quotes the same design.",
          "For outdoor units, UV stability of {mat} matters as much as its strength.",
          "{sup} will usually want a forecast beyond the first {n} units before committing to tooling.",
          "Asking for a first-article inspection report makes acceptance much less contentious.",
          "If {part} is safety-relevant, say so explicitly so suppliers quote the right inspection level.",
          "A short table of requirements at the top of the RFQ saves everyone reading the whole thing twice."],
    "steps": ["Attach drawing revision C.", "State {std} with a test report.", "Ask for tooling and unit price separately.",
              "Request a sample of {part}.", "Give a quote deadline.", "Ask for payment terms."],
}


def k_procure(ctx):
    rng = ctx.rng
    w_new = pick(rng, ["3.2 kg", "2.8 kg", "3.6 kg"])
    w_old = pick(rng, ["4.1 kg", "4.7 kg", "5.3 kg"])
    d_old = pick(rng, ["14 March", "9 March", "17 March"])
    d_new = pick(rng, ["3 April", "28 April", "6 May"])
    d_draft = pick(rng, ["20 February", "26 February"])
    product = pick(rng, ["pole-mounted air quality sensor", "roadside traffic counter", "outdoor EV charger display"])
    opening = [user("We're writing an RFQ for the enclosure of our %s. I'll think out loud and you help me turn "
                    "it into a clean document at the end." % product),
               asst("Great. Start with whatever you know for sure and we'll fill in the gaps as we go.")]
    weight = [user("One thing I know: the whole enclosure has to come in under %s with the lid, because of the "
                   "pole bracket rating. Anyway, materials next..." % w_new),
              asst("Noted the weight constraint from the bracket. On materials, what's the environment like?")]
    date1 = [user("The deliveries: first article needed on site by %s, the installers are booked for the week "
                  "after." % d_old),
             asst("Got it. That's tight for a new tool, so ask suppliers to confirm feasibility in their quote.")]
    draft = [user("Ops floated an even earlier date, %s, in an email last week, but it was never agreed, so "
                  "ignore it." % d_draft),
             asst("Understood, I'll treat that one as not agreed.")]
    date2 = [user("Good news: the site survey slipped, so the installers moved. First article now needs to be on "
                  "site by %s. That's the date to use." % d_new),
             asst("That gives suppliers a more realistic window. I'll use the new date in the draft.")]
    old_w = [user("For context, the previous-generation housing weighed %s, which is why the bracket supplier "
                  "complained." % w_old),
             asst("That explains the emphasis on weight this time.")]
    anchors = [(rng.uniform(0.06, 0.15), weight), (rng.uniform(0.2, 0.3), date1), (rng.uniform(0.33, 0.4), draft),
               (rng.uniform(0.55, 0.7), date2), (rng.uniform(0.82, 0.94), old_w)]
    final = user("OK, write the key-requirements box at the top of the RFQ: the maximum mass allowed for the "
                 "housing, and the date the first article must arrive.")
    return dict(
        system="You are an assistant helping a hardware team write a request for quotation (RFQ).",
        opening=opening, anchors=anchors, filler=lambda: chat_block(ctx, PROC_V), closing=[], final=final,
        needed=["under %s" % w_new, "by %s" % d_new], forbidden=["by %s" % d_old, d_draft, w_old],
        notes="Weight limit said in passing early; first-article date set, a draft date rejected, then moved "
              "later; the old housing's weight is a late look-alike. Question says 'mass' and 'housing'.")


# ================================================================ assembly
KINDS = [
    ("support_plan_change", k_support),
    ("incident_agent", k_incident),
    ("multi_doc_qa", k_multidoc),
    ("config_edit", k_config),
    ("lab_visits", k_labs),
    ("travel_rebook", k_travel),
    ("contract_amend", k_contract),
    ("meeting_reversal", k_meeting),
    ("inventory_agent", k_inventory),
    ("passing_mention", k_passing),
    ("deploy_agent", k_deploy),
    ("procurement_specs", k_procure),
]


def contains_any(text, strings):
    return any(s in text for s in strings)


def assemble(ctx, spec):
    strings = spec["needed"] + spec["forbidden"]
    system = {"role": "system", "content": spec["system"]}
    fixed = [system] + spec["opening"] + spec["closing"] + [spec["final"]]
    for _, blk in spec["anchors"]:
        fixed += blk
    budget = ctx.target * 4 - sum(len(msg_text(m)) for m in fixed)
    fillers, total = [], 0
    while total < budget:
        for _attempt in range(200):
            blk = spec["filler"]()
            if not any(contains_any(msg_text(m), strings) for m in blk):
                break
        else:
            raise RuntimeError("%s:%d: could not draw clean filler" % (ctx.kind, ctx.n))
        size = sum(len(msg_text(m)) for m in blk)
        if total + size > budget and total + size - budget > budget - total:
            break  # stopping here is closer to the target than overshooting
        for m in blk:
            m["_filler"] = True
        fillers.append(blk)
        total += size
    nf = len(fillers)
    anchors = sorted(spec["anchors"], key=lambda a: a[0])
    at = {}
    for frac, blk in anchors:
        at.setdefault(min(nf, max(0, int(round(frac * nf)))), []).append(blk)
    seq = [system] + list(spec["opening"])
    for i in range(nf + 1):
        for blk in at.get(i, []):
            seq += blk
        if i < nf:
            seq += fillers[i]
    seq += spec["closing"] + [spec["final"]]
    # renumber tool-call ids in order of appearance
    ren, k = {}, 0
    for m in seq:
        for tc in m.get("tool_calls") or []:
            k += 1
            ren[tc["id"]] = "call_%s_%03d" % (zlib.crc32(("%s:%d" % (ctx.kind, ctx.n)).encode()) % 9973, k)
            tc["id"] = ren[tc["id"]]
        if m["role"] == "tool":
            m["tool_call_id"] = ren[m["tool_call_id"]]
    return seq


def validate(case, filler_flags):
    cid = case["id"]
    msgs = case["messages"]
    needed, forb = case["needed"], case["forbidden_stale"]
    assert msgs[0]["role"] == "system", cid
    assert msgs[-1]["role"] == "user", cid
    assert msgs[-2]["role"] == "assistant" and msgs[-2].get("content"), cid
    texts = [msg_text(m) for m in msgs]
    assert needed and len(set(needed)) == len(needed) and len(set(forb)) == len(forb), cid
    for s in needed + forb:
        assert s.strip() == s and len(s) >= 5, (cid, s)
        assert s not in texts[0] and s not in texts[-1], (cid, "in system/final", s)
        assert any(s in t for t in texts[1:-1]), (cid, "missing", s)
    for a in needed:
        for b in forb:
            assert a not in b and b not in a, (cid, "overlap", a, b)
    for i, t in enumerate(texts):
        assert not (contains_any(t, needed) and contains_any(t, forb)), (cid, "needed+forbidden in msg", i)
        if filler_flags[i]:
            assert not contains_any(t, needed + forb), (cid, "filler contains a target string", i)
    # role sequence and tool pairing
    has_tools = False
    i = 1
    while i < len(msgs):
        m = msgs[i]
        assert m["role"] in ("user", "assistant", "tool"), cid
        if m["role"] == "assistant" and m.get("tool_calls"):
            has_tools = True
            assert m["content"] is None, cid
            ids = [tc["id"] for tc in m["tool_calls"]]
            assert len(set(ids)) == len(ids), cid
            for j, tid in enumerate(ids):
                t = msgs[i + 1 + j]
                assert t["role"] == "tool" and t["tool_call_id"] == tid, (cid, i, j)
                json.loads(m["tool_calls"][j]["function"]["arguments"])
            i += 1 + len(ids)
            continue
        assert m["role"] != "tool", (cid, "orphan tool message", i)
        assert isinstance(m.get("content"), str) and m["content"], (cid, i)
        i += 1
    all_ids = [m["tool_call_id"] for m in msgs if m["role"] == "tool"]
    assert len(all_ids) == len(set(all_ids)), cid
    for a, b in zip(msgs[1:], msgs[2:]):
        assert not (a["role"] == "user" and b["role"] == "user"), (cid, "two user turns in a row")
    assert has_tools == ("tools" in case), cid
    if has_tools:
        names = {t["function"]["name"] for t in case["tools"]}
        for m in msgs:
            for tc in m.get("tool_calls") or []:
                assert tc["function"]["name"] in names, (cid, tc["function"]["name"])
    tok = est_tokens(msgs)
    assert 10000 <= tok <= 45000, (cid, tok)
    return tok


def build_all():
    cases, stats = [], []
    for kind, gen in KINDS:
        for n, target in enumerate(SIZES):
            ctx = Ctx(kind, n, target)
            spec = gen(ctx)
            msgs = assemble(ctx, spec)
            flags = [bool(m.pop("_filler", False)) for m in msgs]
            case = {"id": "%s-%02d-%s" % (kind, n, SUFFIX), "kind": kind, "messages": msgs}
            if spec.get("tools"):
                case["tools"] = spec["tools"]
            case["needed"] = spec["needed"]
            case["forbidden_stale"] = spec["forbidden"]
            case["notes"] = spec["notes"]
            tok = validate(case, flags)
            # position of the earliest message holding each needed string, as a fraction of the thread
            # keep-last window (est. tokens, final question excluded) that would still hold the latest
            # copy of every needed string
            texts = [msg_text(m) for m in msgs]
            last = min(max(i for i, t in enumerate(texts) if s in t) for s in case["needed"])
            stats.append((case["id"], target, tok, len(msgs), est_tokens(msgs[last:-1]),
                          est_tokens(msgs[last:]) + est_tokens(msgs[:1])))
            cases.append(case)
    assert len(cases) == 72 and len({c["id"] for c in cases}) == 72
    data = "".join(json.dumps(c, sort_keys=False) + "\n" for c in cases)
    return data, stats


def main():
    data, stats = build_all()
    again, _ = build_all()
    assert data == again, "build is not deterministic"
    with open(OUT, "w") as f:
        f.write(data)
    toks = [s[2] for s in stats]
    if "--stats" in sys.argv:
        for cid, target, tok, n, tail, _ in stats:
            print("%-28s target %6d  est %6d  msgs %4d  tail-to-cover-needed %6d" % (cid, target, tok, n, tail))
        # a recency window that keeps the system prompt plus the newest messages up to the budget
        # (by estimated tokens, the most generous form of keep-last-N) holds every needed string in:
        print("system + newest-messages window that fits the budget holds all needed strings: " + ", ".join(
            "%dk %d/%d" % (b // 1000, sum(1 for s in stats if s[5] <= b), len(stats))
            for b in (4000, 6000, 8000, 12000, 16000)))
    print("wrote %d cases to %s (%d bytes); est tokens min %d max %d mean %d"
          % (len(stats), OUT, len(data), min(toks), max(toks), sum(toks) // len(toks)))


if __name__ == "__main__":
    main()
