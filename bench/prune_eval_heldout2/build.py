#!/usr/bin/env python3
"""Build the second held-out pruning evaluation set (cases.jsonl) and verify every case.

    python bench/prune_eval_heldout2/build.py          # write cases.jsonl, verify, exit 1 on any failure
    python bench/prune_eval_heldout2/build.py --check  # rebuild in memory, compare byte-identical

Standard library only. Deterministic: every case draws from its own random.Random("<SEED>:<case id>")
and nothing depends on set or dict hash order. See README.md for the case format and the kinds.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

SEED = "bulwark-prune-heldout2-v1"
HERE = Path(__file__).resolve().parent
OUT = HERE / "cases.jsonl"
MIN_TOKENS, MAX_TOKENS = 8000, 50000

# ---------------------------------------------------------------------------------------------
# message helpers
# ---------------------------------------------------------------------------------------------


def S(t: str) -> dict:
    return {"role": "system", "content": t}


def U(t: str) -> dict:
    return {"role": "user", "content": t}


def A(t: str) -> dict:
    return {"role": "assistant", "content": t}


def call_id(rng: random.Random) -> str:
    return "call_" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(24))


def exchange(rng: random.Random, group: list[tuple[str, dict, object]], text: str | None = None) -> list[dict]:
    """One assistant message with parallel tool calls, then one tool message per call."""
    calls, results = [], []
    for name, args, result in group:
        cid = call_id(rng)
        calls.append({"id": cid, "type": "function",
                      "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False)}})
        body = result if isinstance(result, str) else json.dumps(result, indent=1, ensure_ascii=False)
        results.append({"role": "tool", "tool_call_id": cid, "content": body})
    return [{"role": "assistant", "content": text, "tool_calls": calls}] + results


def tool(fname: str, desc: str, **params: str) -> dict:
    return {"type": "function", "function": {
        "name": fname, "description": desc,
        "parameters": {"type": "object",
                       "properties": {k: {"type": "string", "description": v} for k, v in params.items()},
                       "required": list(params)}}}


def text_of(m: dict) -> str:
    parts = [m.get("content") or ""]
    for c in m.get("tool_calls") or []:
        parts.append(c["function"]["arguments"])
    return "\n".join(parts)


def est_tokens(case: dict) -> int:
    n = sum(len(text_of(m)) for m in case["messages"])
    if case.get("tools"):
        n += len(json.dumps(case["tools"]))
    return n // 4


# ---------------------------------------------------------------------------------------------
# filler vocabularies (hand-written, one block per domain)
# ---------------------------------------------------------------------------------------------

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

DOMAINS: dict[str, dict[str, list[str]]] = {
    "vet": {
        "name": ["Dr. Abernathy", "our tech Priya", "the front desk", "Dr. Solberg", "the overnight nurse", "Marisol at reception"],
        "item": ["the fecal float", "the heartworm snap test", "the dental radiographs", "the boarding kennels", "the autoclave", "the controlled-drug log", "the fluid pump", "the isolation ward", "the appointment book", "the laser therapy unit"],
        "pet": ["a three-legged greyhound", "a very chatty cockatiel", "two rescue kittens", "an elderly pug", "a bearded dragon", "a Maine Coon who hates carriers", "a pair of guinea pigs", "a nervous border collie"],
        "ask": [
            "How should we word the reminder card for annual vaccines so people actually book?",
            "Can you help me think through why {item} keeps backing up on {day}s?",
            "We had {pet} in today and the owner wants a written home-care sheet. What should go on it?",
            "{name} wants to reorganise {item}. Is there a sensible way to do that without closing for a day?",
            "What's a reasonable way to triage walk-ins when we're already double-booked?",
            "Do you have tips for calming {pet} during a nail trim?",
            "Our inventory of flea preventive is always off at month end. Where do you think the counts slip?",
            "How long should we keep {item} records before archiving them?",
        ],
        "say": [
            "For {pet}, the main thing is a quiet room and fewer hands; most of the stress comes from restraint, not the procedure.",
            "I'd put {item} on a fixed weekly checklist and have {name} initial it, so nobody assumes someone else did it.",
            "Owners respond better to a specific date than to a vague 'due soon', so print the month and offer two slots.",
            "If {item} is the bottleneck on {day}s, try moving the elective work to the afternoon and keep mornings for sick visits.",
            "A simple red-amber-green board at reception makes triage visible to everyone, including clients waiting in the lobby.",
            "Keep the home-care sheet to one page: feeding, medication times, what normal recovery looks like, and when to call.",
            "Count the flea preventive by box, not by dose, and reconcile against the invoices the same day the order arrives.",
            "It is worth asking {name} what they would change first; the people doing the work usually know where the friction is.",
            "For the reminder cards, a photo of the pet does more than any clever wording.",
            "Most clinics keep clinical records for at least several years; check your state board's rule before you purge anything.",
            "Low-stress handling courses pay for themselves quickly in fewer bites and shorter appointments.",
            "Put a towel over the carrier and let the animal settle for five minutes before you open it.",
            "If the kennels are full, a waitlist with a callback promise keeps people from booking elsewhere.",
            "The autoclave log should show cycle number, temperature, time and who ran it; auditors look for gaps.",
        ],
    },
    "aero": {
        "name": ["the night-shift lead", "our QA inspector Okonkwo", "planning", "stores", "the Part-145 auditor", "Jens from powerplant"],
        "item": ["the tool crib", "the borescope kit", "the task card binder", "the hangar door seals", "the calibration schedule", "the wheel and brake shop", "the NDT bay", "the shift handover sheet", "the parts quarantine cage"],
        "pet": ["an ATR 72", "a Dash 8-400", "an A320 on a C-check", "a King Air", "a Citation that came in AOG", "an E175 with a bird strike"],
        "ask": [
            "How do we tighten up {item} so tools stop going missing between shifts?",
            "{name} flagged our handover notes as too thin. What should a good shift handover include?",
            "We've got {pet} in the hangar for longer than planned. How do I communicate slips to the operator without it sounding like excuses?",
            "What's a sensible way to track calibration due dates across {item} and the line station?",
            "Can you help me draft a toolbox talk about foreign object debris?",
            "How should we prioritise deferred items when the parts are on backorder?",
            "Is there a good way to lay out {item} so the inspector's walk-through goes faster?",
        ],
        "say": [
            "Shadow boards in {item} make a missing tool obvious at a glance, and a sign-out chit with the aircraft registration closes the loop.",
            "A handover should list open task cards, anything disturbed but not yet inspected, and any part that is on order.",
            "For {pet}, tell the operator what was found, what it means for the schedule, and what you need from them to recover time.",
            "Put every calibrated tool in one register with the due date and location; a weekly filter for the next thirty days catches most lapses.",
            "FOD talks land better with a real example, such as a rag left in an intake, than with statistics.",
            "Deferred items should be ranked by their MEL interval first, then by how much they limit the aircraft's use.",
            "{name} will want to see that independent inspections were signed by someone other than the mechanic who did the work.",
            "Label the quarantine cage clearly and keep unserviceable parts tagged with the reason and date of removal.",
            "If the borescope images are stored with the task card number in the filename, retrieval during an audit is painless.",
            "Torque values should always come from the current revision of the manual, never from memory or a laminated card.",
            "A short daily stand-up between planning and the floor prevents most of the surprises that blow a check schedule.",
            "Human-factors training works best when supervisors join in rather than just sending the mechanics.",
            "Record lot numbers for sealants and adhesives; shelf life problems surface months later.",
        ],
    },
    "wine": {
        "name": ["our broker in Bordeaux", "the customs agent", "Lucía at the winery", "the bonded warehouse", "our distributor in Ohio", "the label designer"],
        "item": ["the COLA application", "the reefer container", "the back label", "the pallet configuration", "the importer's bond", "the price posting", "the allocation list", "the sample shipment"],
        "pet": ["a Txakoli from the Basque coast", "an orange wine from Georgia", "a Douro red", "a Sancerre", "a Mosel Riesling", "a grower Champagne", "a Sicilian Nero d'Avola"],
        "ask": [
            "How should I pitch {pet} to a restaurant buyer who only knows Napa Cabernet?",
            "What usually causes delays with {item}?",
            "{name} wants to ship in August. Is that a bad idea for a non-refrigerated box?",
            "How do I explain the three-tier system to a producer who's never exported to the US?",
            "What's a sensible way to split a mixed container between two states?",
            "Can you help me write tasting notes that don't sound like everyone else's?",
            "What should go in the email to {name} about {item}?",
        ],
        "say": [
            "For {pet}, lead with what it goes with on their menu rather than with the region; buyers think in dishes.",
            "{item} is usually held up by small mismatches, such as the alcohol statement or the net contents not matching the label artwork.",
            "A summer crossing without a reefer risks cooked wine; heat damage shows up as pushed corks and a stewed nose.",
            "Producers find the three-tier system easier to grasp if you draw it as importer, distributor, retailer, with the tax at each step.",
            "Splitting a container works if each state's distributor takes whole pallets and the paperwork is prepared before the vessel lands.",
            "Good tasting notes mention one concrete thing, such as a smell of wet slate or blood orange, instead of five vague adjectives.",
            "Ask {name} for the lab analysis early; it is needed for customs and it answers half of the label questions.",
            "Keep a running landed-cost sheet per SKU so that freight, duty and excise are visible before you set the price.",
            "Distributors like a sell sheet with the story, three food pairings, and the case price, on one side of paper.",
            "Samples move faster as a separate courier shipment than if they wait for the next container.",
            "Allocation lists should be honest about quantities; over-promising a scarce wine damages the relationship more than a short allocation.",
            "Bonded storage costs add up, so plan the release dates with your distributor's depletion forecast.",
        ],
    },
    "permits": {
        "name": ["the zoning administrator", "the plan reviewer", "the building inspector", "the clerk's office", "the neighbour across the alley", "our architect"],
        "item": ["the site plan", "the setback variance", "the stormwater form", "the certificate of occupancy", "the public notice sign", "the plan review comments", "the demolition permit", "the right-of-way application"],
        "pet": ["a detached garage", "a backyard ADU", "a restaurant patio", "a sign on a historic facade", "a driveway widening", "a rooftop solar array"],
        "ask": [
            "What usually trips people up with {item}?",
            "How do I respond to {name} when the comments contradict what the counter told me?",
            "We want to build {pet}. What's the usual order of approvals?",
            "Is it worth hiring an expediter for {item}?",
            "How do I write a letter to neighbours before a hearing so they don't show up angry?",
            "What should I bring to a pre-application meeting?",
        ],
        "say": [
            "For {pet}, most cities want zoning sign-off before the building plans are even reviewed, so start there.",
            "{item} often comes back because the drawings do not show dimensions to the property line.",
            "When comments conflict, reply in writing, quote both positions politely and ask {name} which one governs.",
            "Expediters earn their fee on complicated projects; on a simple one you can usually manage with a good checklist.",
            "A friendly letter that explains what you are building, shows a sketch, and gives a phone number defuses most objections.",
            "At a pre-application meeting, bring a rough site plan, photos, and a list of specific questions.",
            "Keep every email from the city in one folder; when staff change, your paper trail is the only memory.",
            "Public notice signs have to stay up for the whole notice period, so photograph them on day one.",
            "Inspections go faster when the permit card and the approved plans are on site and easy to find.",
            "Ask whether the fee is charged per review cycle; a third round of corrections can cost more than the first.",
            "Historic districts often have their own commission with a separate calendar, so check that early.",
        ],
    },
    "biotech": {
        "name": ["the lab manager", "our postdoc Wen", "the core facility", "the biosafety officer", "the PI", "the sequencing vendor"],
        "item": ["the -80 inventory", "the biosafety cabinet certification", "the plasmid database", "the cell culture schedule", "the qPCR plate layout", "the reagent ordering sheet", "the ELN templates", "the mycoplasma testing rota"],
        "pet": ["a primary neuron culture", "a CRISPR knockout screen", "a Western blot that keeps smearing", "a flow panel with twelve colours", "an organoid line", "a protein purification run"],
        "ask": [
            "How do we stop {item} from drifting out of date?",
            "{name} wants everyone to use the same naming for tubes. What's a scheme people will actually follow?",
            "Troubleshooting {pet}: where would you start?",
            "What should a new rotation student learn in their first week?",
            "Can you suggest a way to share the tissue culture hood schedule fairly?",
            "How should we document deviations from the protocol?",
        ],
        "say": [
            "For {pet}, change one variable at a time and write down the lot numbers; half of the mysteries turn out to be a new reagent lot.",
            "{item} stays accurate only if updating it is part of the same step as using it, not a separate chore.",
            "A tube label with project code, date, initials and a running number is enough; anything longer gets abbreviated.",
            "New students should learn the waste streams, the emergency showers, and how to find things in the freezer before any bench work.",
            "A shared calendar with two-hour hood blocks and a rule that unused blocks are released at noon works well.",
            "Deviations belong in the notebook entry for that day, with what happened, why, and whether the data are affected.",
            "{name} can probably help with the statistics plan before the experiment rather than after it.",
            "Freezer maps drift quickly; a quarterly audit with two people takes an afternoon and saves weeks.",
            "Run a no-template control on every qPCR plate and place it away from the strongest samples.",
            "Keep an aliquot of each critical reagent lot so you can compare when something changes.",
            "Biosafety cabinets need certification every year and after every move; put the sticker date in the shared calendar.",
        ],
    },
    "ship": {
        "name": ["the carrier's sales desk", "our customs broker", "the consignee", "the trucker in Rotterdam", "the shipper in Ho Chi Minh City", "the NVOCC"],
        "item": ["the bill of lading", "the booking confirmation", "the VGM submission", "the commercial invoice", "the arrival notice", "the letter of credit", "the cargo insurance certificate", "the packing list"],
        "pet": ["a part-load of furniture", "a flat rack with a generator", "frozen shrimp in a reefer", "a project cargo crate", "twenty pallets of ceramic tile", "a car in a shared container"],
        "ask": [
            "What's the usual reason {item} gets rejected?",
            "How do I explain detention versus demurrage to {name}?",
            "We're quoting {pet}. What should I double-check before sending the price?",
            "Is it better to book direct with a carrier or through a forwarder for small volumes?",
            "How far ahead should we book during the peak season?",
            "What goes into a good pre-alert email?",
        ],
        "say": [
            "{item} is usually rejected over a mismatch in the consignee name, the HS codes, or the number of packages.",
            "Demurrage is charged for the container sitting in the terminal; detention is for keeping the carrier's box outside the terminal too long.",
            "For {pet}, confirm the dimensions, the weight per piece, and whether the cargo needs lashing or special equipment.",
            "Small shippers often get better service through a forwarder, because a carrier's desk prioritises its contract customers.",
            "During peak season, book four to six weeks ahead and keep a backup sailing in mind.",
            "A pre-alert should carry the vessel, voyage, container numbers, the ETA and copies of the main documents.",
            "Ask {name} to confirm cut-off times in writing; missing the VGM cut-off rolls the container to the next sailing.",
            "Insurance is cheap compared with a general-average claim, so recommend it even for modest cargo.",
            "Free time at the destination varies a lot by carrier and port; negotiate it at booking, not on arrival.",
            "Keep a simple tracker with every container, its last event and the next action; it beats searching emails.",
            "Letters of credit are unforgiving, so every document has to match the credit terms word for word.",
        ],
    },
    "museum": {
        "name": ["the registrar", "our conservator Imogen", "the collections committee", "the loan courier", "the exhibitions designer", "a visiting researcher"],
        "item": ["the accession register", "the storage room dehumidifier", "the object photography backlog", "the deaccession policy", "the condition report template", "the reading-room rules", "the pest traps", "the digitisation queue"],
        "pet": ["a box of WWI letters", "a Victorian mourning dress", "a set of glass lantern slides", "a carved whalebone busk", "a ledger from the old mill", "a donated collection of seed catalogues"],
        "ask": [
            "How should we prioritise {item}?",
            "{name} asked how to handle {pet}. What would you recommend?",
            "What's a sensible workflow for incoming donations that we may not want to keep?",
            "How do we write object labels that visitors actually read?",
            "What should a loan agreement cover at minimum?",
            "How do I train volunteers to handle fragile paper?",
        ],
        "say": [
            "For {pet}, stabilise first: acid-free enclosures, a stable climate, and no display until a condition check is done.",
            "{item} is easier to keep up with if every new object gets its number and photo on the day it arrives.",
            "A temporary-custody receipt lets you accept a donation for review without committing to accession it.",
            "Labels work best at around fifty words, with one surprising detail and no jargon.",
            "A loan agreement should cover insurance, environmental conditions, credit lines, courier requirements and photography rights.",
            "Volunteers should wash their hands rather than wear cotton gloves for paper, and support every sheet from beneath.",
            "Check the pest traps monthly and log what you find; a trend matters more than a single insect.",
            "{name} will want the condition report to note old repairs, because they are often mistaken for new damage.",
            "Digitisation queues move faster when you batch similar formats, such as all the glass plates in one session.",
            "Relative humidity swings do more harm than a slightly wrong but stable level.",
            "Keep deaccession decisions documented with the reasons and the committee vote; they are scrutinised years later.",
        ],
    },
    "payroll": {
        "name": ["HR", "the controller", "our benefits broker", "the new bookkeeper", "a store manager", "the auditor"],
        "item": ["the timesheet approvals", "the garnishment orders", "the quarterly 941", "the PTO accrual report", "the direct-deposit changes", "the W-4 updates", "the year-end W-2 run", "the overtime audit"],
        "pet": ["a seasonal hire in two states", "an employee on unpaid leave", "a remote worker who moved", "a tipped server", "a contractor who should be an employee", "a manager with a retro raise"],
        "ask": [
            "How do we keep {item} from slipping every cycle?",
            "What's the right way to handle {pet}?",
            "{name} asked for a payroll calendar for next year. What should be on it?",
            "How should we verify bank changes so we don't fall for a phishing email?",
            "What should a new bookkeeper learn first about payroll?",
            "How do I explain the difference between gross and net to a confused employee?",
        ],
        "say": [
            "{item} stays on time if the cut-off is the same weekday every cycle and managers get a reminder the day before.",
            "For {pet}, check withholding and unemployment rules for each state; the registrations are often the slow part.",
            "A payroll calendar should show pay dates, processing cut-offs, bank holidays and tax deposit deadlines.",
            "Always confirm a direct-deposit change by calling the employee on a number you already have on file.",
            "New bookkeepers should learn the pay cycle, where the tax deposits come from, and how to read a payroll register.",
            "Walk the employee through the stub line by line: gross pay, pre-tax deductions, taxes, post-tax deductions, then net.",
            "{name} will ask for a reconciliation between the payroll register and the general ledger every quarter.",
            "Retro pay is cleaner as a separate line on the stub, so the employee can see it was not forgotten.",
            "Garnishment orders have strict limits and deadlines; put each one in the tracker with the issuing agency.",
            "Keep the overtime audit simple: flag anyone over forty hours with no overtime line.",
            "Document every manual check with the reason and an approval; auditors look for those first.",
        ],
    },
    "gamesrv": {
        "name": ["the community manager", "our on-call SRE", "the anti-cheat team", "the hosting provider", "the lead designer", "a guild leader on Discord"],
        "item": ["the matchmaking queue", "the patch rollout", "the save-game backups", "the DDoS mitigation", "the status page", "the crash reporter", "the region failover", "the leaderboard reset"],
        "pet": ["a holiday event weekend", "a new battle-pass season", "a surprise streamer raid", "a balance patch for the sniper class", "a cross-region tournament", "a server merge"],
        "ask": [
            "How should we prepare for {pet}?",
            "{name} keeps asking for ETA updates during incidents. What cadence works?",
            "What should go on {item} runbook?",
            "How do we roll out a patch without everyone hitting the login server at once?",
            "Is there a sane way to test {item} before the weekend?",
            "What metrics should page someone at 3 a.m. and which can wait?",
        ],
        "say": [
            "For {pet}, scale out a day early and keep the extra capacity until the concurrent-user curve flattens.",
            "During incidents, post an update every thirty minutes even if nothing changed; silence reads as neglect.",
            "A runbook for {item} should start with how to tell it is broken, then the first three safe actions.",
            "Stagger the patch by region and add jitter to the client's reconnect so the login service isn't stampeded.",
            "Restore a backup into a staging shard every week; an untested backup is only a hope.",
            "Page on error rate and login failures; disk at seventy percent can wait for office hours.",
            "{name} appreciates a plain-language summary they can paste into Discord without editing.",
            "Keep the status page honest; players forgive outages faster than they forgive being told everything is fine.",
            "The crash reporter's top ten signatures usually cover most crashes, so fix those first.",
            "Write the post-mortem within two days while people still remember the order of events.",
            "A feature flag for new game modes lets you turn them off without shipping a client patch.",
        ],
    },
    "school": {
        "name": ["the principal", "the transportation office", "a PTA volunteer", "the district nurse", "the school board", "our counsellor"],
        "item": ["the bus routes", "the lunch menu survey", "the substitute teacher list", "the fire drill schedule", "the attendance letters", "the field trip forms", "the library weeding project", "the parent newsletter"],
        "pet": ["a kindergarten open house", "a snow day makeup plan", "a new bell schedule", "a chess club with forty kids", "a science fair", "a spring concert in the gym"],
        "ask": [
            "How do we communicate {pet} to families who don't read email?",
            "{name} wants feedback on {item}. What questions should we ask?",
            "How should we organise {item} so it's ready before August?",
            "What's a fair way to choose volunteers for popular events?",
            "How can we make the newsletter shorter without losing important dates?",
            "Any advice for running a parent meeting that stays on time?",
        ],
        "say": [
            "For {pet}, use a text message, a paper note in backpacks, and a post in the parent app; no single channel reaches everyone.",
            "Ask families two or three concrete questions about {item}; long surveys get abandoned halfway.",
            "{name} will want drafts a month before the deadline, so start with a rough version now.",
            "A lottery for popular volunteer slots is fairer than first-come, first-served, which favours parents with flexible jobs.",
            "Put the dates at the top of the newsletter in a short list and move the stories below.",
            "Publish an agenda with times and stick to it; a parking-lot list handles tangents.",
            "Translated versions matter; ask the district's language services for help with the main notices.",
            "Attendance letters should sound supportive rather than punitive, with a name to contact.",
            "Field trip forms should list the cost, the time of return and the medication plan on one page.",
            "Library weeding goes faster with clear criteria, such as condition, last checkout and duplicate copies.",
        ],
    },
    "solar": {
        "name": ["the utility's interconnection desk", "our lead installer", "the homeowner", "the structural engineer", "the AHJ inspector", "the panel distributor"],
        "item": ["the site survey", "the single-line diagram", "the net-metering application", "the racking layout", "the battery permit", "the production monitoring", "the shade report", "the roof attachment details"],
        "pet": ["a tile roof in a windy area", "a ground mount on a slope", "an old home with a 100 A service", "a flat commercial roof", "a barn with an asbestos roof", "a townhouse with an HOA"],
        "ask": [
            "What should we check on {item} before sending it out?",
            "How do I explain net metering to {name} without a lecture?",
            "We've got {pet}. What's different about it?",
            "How do we reduce callbacks after installation?",
            "What should the homeowner handover packet contain?",
            "How far ahead should we schedule inspections?",
        ],
        "say": [
            "For {pet}, the attachment method and the structural letter usually decide the schedule more than the electrical design.",
            "Check that {item} matches the equipment actually ordered; a last-minute inverter swap is the usual mismatch.",
            "Explain net metering as the meter running backwards during the day, with a yearly true-up.",
            "Most callbacks come from monitoring that was never connected to the customer's wifi, so test it before leaving.",
            "The handover packet should include the as-built diagram, warranty registrations, and a short guide to the app.",
            "Book the inspection as soon as the install date is firm; some jurisdictions run two weeks out.",
            "{name} will ask for photos of every attachment before the panels cover them.",
            "Keep conduit runs tidy and labelled; inspectors judge the whole job by what they see first.",
            "A shade report from the actual roof is worth more than a satellite estimate in wooded areas.",
            "Rapid-shutdown labelling is a common inspection failure, so print the labels ahead of time.",
            "Follow up a month after commissioning to compare production with the estimate.",
        ],
    },
    "podcast": {
        "name": ["our editor", "the guest's publicist", "the sponsor's rep", "the co-host", "the network's producer", "the transcription service"],
        "item": ["the episode rundown", "the show notes", "the ad read schedule", "the audio loudness settings", "the guest release form", "the cover art", "the RSS feed", "the clip calendar"],
        "pet": ["a remote interview with a bad connection", "a live episode at a festival", "a two-part investigative episode", "a guest who talks over everyone", "a listener mailbag show", "a crossover with another show"],
        "ask": [
            "How should we structure {pet}?",
            "{name} wants {item} done earlier. What's a realistic timeline?",
            "What makes show notes useful rather than filler?",
            "How do I keep a guest on topic without being rude?",
            "What should be in a guest prep email?",
            "How do we pick clips for social media?",
        ],
        "say": [
            "For {pet}, record a local backup on the guest's side if at all possible; it saves the edit.",
            "{item} is easier to deliver early if the outline is agreed two days before recording.",
            "Useful show notes have timestamps, the links mentioned and a two-line summary, not a wall of keywords.",
            "To steer a guest, summarise what they just said and ask the next question in the same breath.",
            "A prep email should give the recording time with time zone, the topics, the gear tips and the release form.",
            "Good clips stand on their own in under a minute and end on a line that makes people want the rest.",
            "{name} may want a rough cut first; it catches structural problems before the fine edit.",
            "Normalise to a consistent loudness so listeners don't have to adjust the volume between segments.",
            "Keep a running document of listener questions; it fills a mailbag episode in no time.",
            "Cover art should be readable at the size of a thumbnail on a phone screen.",
            "Check the feed in two or three podcast apps after any change to the hosting settings.",
        ],
    },
}

SMALL_TALK_U = [
    "Sorry, totally unrelated, but do you have a quick idea for a weeknight dinner that isn't pasta again?",
    "Random question: any tips for sleeping on a plane?",
    "My neighbour's dog has barked since six this morning. How do I bring it up without starting a feud?",
    "Quick break from work stuff. What's a good board game for four adults who don't like long rules?",
    "I keep forgetting to drink water during the day. Any trick that actually works?",
    "Completely off topic: how do I get my toddler to stop throwing food?",
    "What's a polite way to decline a wedding invitation from a colleague?",
    "I'm thinking about learning to make bread. Where should a total beginner start?",
]

SMALL_TALK_A = [
    "A sheet-pan dinner is hard to beat: chicken thighs, chickpeas, red onion and whatever vegetables are wilting, with lemon and smoked paprika, forty minutes at a high heat.",
    "Pick a seat away from the galley, keep your feet on a bag so your knees stay level, and skip the screen for the last hour before you try to sleep.",
    "Knock on their door at a calm moment, say you're sure they don't realise how far it carries, and ask whether a walk before they leave would help.",
    "Try something like Codenames or Just One; they teach in two minutes and everyone plays at once, so nobody waits around.",
    "Tie it to something you already do: a glass every time you open your laptop or come back from a meeting.",
    "Toddlers throw food when they're full or bored, so take the plate away calmly at the first throw and end the meal.",
    "Thank them warmly, say you can't make it, and send a small gift or card; no long explanation is needed.",
    "A simple no-knead loaf in a covered pot teaches you what a good dough feels like without any special equipment.",
]


OPENERS = ["", "", "", "Short version first. ", "Good question. ", "Here's how I'd approach it. ", "A few thoughts. ", "That comes up a lot. ", "It depends a little on the team, but roughly: "]
LIST_HEADS = ["A few related habits that help:", "Other things worth doing while you're at it:", "Some smaller points:", "If you want a checklist:"]
CLOSERS = ["", "", "Happy to draft the wording if that would help.", "Tell me if you want this as a one-page handout.", "If you share the current version I can mark it up.",
           "Let me know how it goes; it's easy to adjust after a couple of weeks.", "I can turn this into a checklist for the team."]


def turn_slots(rng: random.Random, d: dict) -> dict[str, str]:
    out = {"n": str(rng.randint(3, 60)), "day": rng.choice(WEEKDAYS), "month": rng.choice(MONTHS)}
    for key in ("name", "item", "pet"):
        out[key] = rng.choice(d[key])
    return out


def fill(tpl: str, slots: dict[str, str]) -> str:
    out = re.sub(r"\{(\w+)\}", lambda m: slots[m.group(1)], tpl)
    return out[0].upper() + out[1:]


def overlap(a: str, b: str) -> int:
    wa = {w for w in re.findall(r"[a-z]+", a.lower()) if len(w) > 3}
    wb = {w for w in re.findall(r"[a-z]+", b.lower()) if len(w) > 3}
    return len(wa & wb) + 3 * sum(1 for k in ("{item}", "{pet}", "{name}") if k in a and k in b)


def filler_turn(rng: random.Random, domains: list[str]) -> list[dict]:
    """A user question from one domain and an answer that starts with the sentences closest to it."""
    if rng.random() < 0.07:
        i = rng.randrange(len(SMALL_TALK_U))
        return [U(SMALL_TALK_U[i]), A(SMALL_TALK_A[i])]
    d = DOMAINS[rng.choice(domains)]
    slots = turn_slots(rng, d)
    ask = rng.choice(d["ask"])
    ranked = sorted(d["say"], key=lambda t: (-overlap(ask, t), rng.random()))
    lead = ranked[:rng.randint(2, 3)]
    rest = ranked[len(lead):]
    rng.shuffle(rest)
    paras = [rng.choice(OPENERS) + " ".join(fill(t, slots) for t in lead)]
    k = 0
    for _ in range(rng.randint(1, 3)):
        n = rng.randint(2, 4)
        sents = [fill(t, slots) for t in rest[k:k + n]]
        k += n
        if not sents:
            break
        if rng.random() < 0.3:
            paras.append(rng.choice(LIST_HEADS) + "\n" + "\n".join("- " + x for x in sents))
        else:
            paras.append(" ".join(sents))
    closer = rng.choice(CLOSERS)
    if closer:
        paras.append(closer)
    return [U(fill(ask, slots)), A("\n\n".join(paras))]


# ---------------------------------------------------------------------------------------------
# assembling a case: hand-written anchor blocks placed among filler turns
# ---------------------------------------------------------------------------------------------

CASES: list[tuple[str, object]] = []


def case(kind: str):
    def reg(fn):
        CASES.append((kind, fn))
        return fn
    return reg


def assemble(rng: random.Random, cid: str, kind: str, spec: dict) -> dict:
    system = S(spec["system"])
    blocks = sorted(spec.get("blocks", []), key=lambda b: b[0])
    tail = spec.get("tail", [])
    final = U(spec["final"])
    avoid = list(spec["needed"]) + list(spec.get("stale", [])) + list(spec.get("avoid", []))
    fixed = len(system["content"]) + len(final["content"])
    fixed += sum(len(text_of(m)) for _, ms in blocks for m in ms) + sum(len(text_of(m)) for m in tail)
    if spec.get("tools"):
        fixed += len(json.dumps(spec["tools"]))
    if spec.get("pre_tokens") is not None:  # agent cases: a short history before a big loop
        target = fixed // 4 + spec["pre_tokens"]
    else:
        target = spec.get("target") or rng.randint(9000, 46000)
    room = target * 4 - fixed
    fillers: list[list[dict]] = []
    used = 0
    tries = 0
    while used < room:
        turn = filler_turn(rng, spec["domains"])
        tries += 1
        if tries > 100000:
            raise RuntimeError(f"{cid}: cannot make filler")
        if any(a in text_of(m) for m in turn for a in avoid):
            continue
        fillers.append(turn)
        used += sum(len(m["content"]) for m in turn)
    n = len(fillers)
    pos = [round(f * n) for f, _ in blocks]
    messages = [system]
    bi = 0
    for i in range(n + 1):
        while bi < len(blocks) and pos[bi] <= i:
            messages += blocks[bi][1]
            bi += 1
        if i < n:
            messages += fillers[i]
    messages += tail
    messages.append(final)
    out = {"id": cid, "kind": kind, "messages": messages}
    if spec.get("tools"):
        out["tools"] = spec["tools"]
    out["needed"] = list(spec["needed"])
    out["forbidden_stale"] = list(spec.get("stale", []))
    out["notes"] = spec["notes"]
    return out


def build_all() -> list[dict]:
    counters: dict[str, int] = {}
    out = []
    for kind, fn in CASES:
        counters[kind] = counters.get(kind, 0) + 1
        cid = f"{kind}-{counters[kind]:02d}"
        rng = random.Random(f"{SEED}:{cid}")
        spec = fn(rng)
        out.append(assemble(rng, cid, kind, spec))
    return out


# ---------------------------------------------------------------------------------------------
# verification
# ---------------------------------------------------------------------------------------------

STOP = set("about after again before being could every first their there these thing those which while would where whose should other still today going right".split())


def words(t: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", t.lower()) if len(w) >= 5 and w not in STOP}


def verify(c: dict) -> list[str]:
    errs: list[str] = []
    msgs = c["messages"]
    if msgs[0]["role"] != "system":
        errs.append("first message is not system")
    last = msgs[-1]
    if last["role"] != "user" or not isinstance(last.get("content"), str) or not last["content"].strip():
        errs.append("last message is not a non-empty user message")
    declared = {t["function"]["name"] for t in c.get("tools") or []}
    if any(m.get("tool_calls") for m in msgs) and not c.get("tools"):
        errs.append("tool calls without tools")
    open_ids: set[str] = set()
    seen_ids: set[str] = set()
    prev = None
    for i, m in enumerate(msgs):
        r = m["role"]
        if r == "tool":
            if m.get("tool_call_id") not in open_ids:
                errs.append(f"orphan tool message at {i}")
            open_ids.discard(m.get("tool_call_id"))
        else:
            if open_ids:
                errs.append(f"unanswered tool calls before message {i}")
                open_ids = set()
            if r in ("user", "assistant") and prev == r:
                errs.append(f"two consecutive {r} messages at {i}")
            for tc in m.get("tool_calls") or []:
                if tc["id"] in seen_ids:
                    errs.append(f"duplicate call id {tc['id']}")
                seen_ids.add(tc["id"])
                open_ids.add(tc["id"])
                if tc["function"]["name"] not in declared:
                    errs.append(f"undeclared function {tc['function']['name']}")
                try:
                    if not isinstance(json.loads(tc["function"]["arguments"]), dict):
                        errs.append("arguments not an object")
                except ValueError:
                    errs.append("arguments not JSON")
        prev = r
    if open_ids:
        errs.append("unanswered tool calls at end")
    sys_text = msgs[0]["content"]
    final = last["content"]
    body = [text_of(m) for m in msgs[1:-1]]
    whole = "\n".join(body)
    if not c["needed"]:
        errs.append("no needed strings")
    for s in c["needed"]:
        if s in final:
            errs.append(f"needed {s!r} in final question")
        if s in sys_text:
            errs.append(f"needed {s!r} in system prompt")
        k = whole.count(s)
        if k == 0:
            errs.append(f"needed {s!r} absent")
        if k > 4:
            errs.append(f"needed {s!r} occurs {k} times")
    for s in c["forbidden_stale"]:
        if s in final:
            errs.append(f"stale {s!r} in final question")
        if s not in whole:
            errs.append(f"stale {s!r} absent")
        for n in c["needed"]:
            if s in n or n in s:
                errs.append(f"stale {s!r} overlaps needed {n!r}")
    if c["kind"] == "agent_loop":
        users = [i for i, m in enumerate(msgs[:-1]) if m["role"] == "user"]
        ncalls = sum(len(m.get("tool_calls") or []) for m in msgs[users[-1]:])
        if not 8 <= ncalls <= 20:
            errs.append(f"agent loop has {ncalls} tool calls")
        # the needed value sits in the first third of the loop's tool results
        results = [m for m in msgs[users[-1]:] if m["role"] == "tool"]
        first = min(i for i, m in enumerate(results) if any(s in m["content"] for s in c["needed"]))
        if first > len(results) // 3:
            errs.append("needed value is not in an early tool result")
    if c["kind"] == "paraphrase":
        for s in c["needed"]:
            holder = next(m for m in msgs[1:-1] if s in text_of(m))
            shared = words(text_of(holder)) & words(final)
            if len(shared) > 2:
                errs.append(f"paraphrase shares words with the answer: {sorted(shared)}")
    if c["kind"] == "multi_fact":
        holders = {next(i for i, m in enumerate(msgs) if s in text_of(m)) for s in c["needed"]}
        if len(holders) < 2 or len(c["needed"]) < 2:
            errs.append("multi_fact needs 2+ facts in different messages")
    t = est_tokens(c)
    if not MIN_TOKENS <= t <= MAX_TOKENS:
        errs.append(f"size {t} out of range")
    return errs


# ---------------------------------------------------------------------------------------------
# corrections: a value is stated, reused, then replaced; the old value is forbidden_stale
# ---------------------------------------------------------------------------------------------


@case("correction")
def _(rng):
    return dict(
        system="You are the clinical assistant for Harbourside Veterinary Hospital. Help staff with dosing maths, client letters and records, and show your arithmetic.",
        domains=["vet", "payroll", "school"],
        blocks=[
            (0.08, [U("Biscuit Tanaka-Reyes, the six-year-old springer spaniel, is in for his arthritis recheck. Intake weight on the chart is 18.4 kg. Can you sanity-check his meloxicam at 0.1 mg/kg once daily?"),
                    A("At 18.4 kg and 0.1 mg/kg, the daily meloxicam dose is 1.84 mg. With the 1.5 mg/mL oral suspension that is about 1.2 mL once a day with food. Confirm his kidney values are current before the refill.")]),
            (0.3, [U("Owner also asked about gabapentin at 10 mg/kg twice a day for him."),
                   A("Using the charted weight, 10 mg/kg is 184 mg per dose, so a 200 mg capsule twice daily is the practical choice; 100 mg capsules give them room to step up gradually.")]),
            (0.62, [U("Hold on. Priya says the lobby scale read low all morning; they recalibrated it and re-weighed him on the surgery scale. Biscuit is actually 21.7 kg. Use that from now on."),
                    A("Thanks, updated. Biscuit's weight is 21.7 kg; the earlier number came from the miscalibrated lobby scale. The gabapentin capsule choice barely moves, but the liquid meloxicam volume will.")]),
        ],
        final="Okay, redo the daily meloxicam volume for the springer using his real body mass, same 1.5 mg/mL suspension.",
        needed=["21.7 kg"], stale=["18.4 kg"],
        notes="Weight corrected after a scale fault; the question says 'real body mass', not 'weight'.")


@case("correction")
def _(rng):
    return dict(
        system="You are a maintenance planning assistant for Northfjord Aero Services, a Part-145 repair station. Help technicians with task cards and paperwork, and quote manual references when they are given.",
        domains=["aero", "wine", "museum"],
        blocks=[
            (0.1, [U("Working the hydraulic leak on LN-NFA, the Dash 8-400, left main gear. The laminated card at the bench says the brake supply line B-nut torques to 135 in-lb. Draft the task card step for me?"),
                   A("Draft step 7: 'Torque brake supply line B-nut to 135 in-lb per bench reference card. Apply torque seal. Independent inspection required.' I would still confirm the figure against the AMM before the package is released.")]),
            (0.27, [U("Add a leak check after the torque step."),
                    A("Step 8: 'Pressurise hydraulic system 2 and hold for five minutes. Inspect the B-nut fitting for weeping; no visible fluid permitted. Record the system pressure on the card.'")]),
            (0.55, [U("Found it. AMM 32-42-11 revision C changed that value last spring: the brake supply B-nut is now 160 in-lb. The bench card is obsolete and Okonkwo is pulling it from the shop."),
                    A("Understood. The governing value is 160 in-lb per AMM 32-42-11 rev C, and the laminated card is superseded. I will cite the AMM instead of the card.")]),
        ],
        final="Write the final wording of step 7 for the work order, tightening spec included.",
        needed=["160 in-lb"], stale=["135 in-lb"],
        notes="Torque value replaced by a manual revision; the old card value was reused in two drafts.")


@case("correction")
def _(rng):
    return dict(
        system="You assist Corvo & Lane Imports, a small importer of Spanish and Portuguese wine into California, with landed cost, excise tax and paperwork.",
        domains=["wine", "ship", "gamesrv"],
        blocks=[
            (0.07, [U("The Rioja container from Bodegas Altanza cleared Oakland yesterday. The packing list says 1,140 cases of 12 x 750 ml. Rough out the federal excise for still wine under 16%?"),
                    A("1,140 cases at 9 litres each is 10,260 litres, about 2,710 gallons. At $1.07 per gallon that is roughly $2,900 before any small-producer credit, which your broker should confirm.")]),
            (0.35, [U("And the California excise on the same quantity?"),
                    A("California charges 20 cents per gallon on still wine, so about $542 on that packing-list quantity. The distributor margin will matter far more than either tax.")]),
            (0.6, [U("Update from the warehouse: a pallet was crushed in the container. After writing off the breakage we took 1,092 cases into bond, not the packing-list figure. Use the received count."),
                   A("Got it: received quantity is 1,092 cases after the breakage write-off. I will base the tax on that and keep the damaged pallet for the insurance claim.")]),
        ],
        final="Recalculate the federal excise on what actually made it into our bonded room.",
        needed=["1,092 cases"], stale=["1,140 cases"],
        notes="Quantity corrected after breakage; the stale count was used in two calculations.")


@case("correction")
def _(rng):
    return dict(
        system="You help residents of the City of Larchmont Falls navigate building and zoning permits. Be practical and explain the city process plainly.",
        domains=["permits", "podcast", "vet"],
        blocks=[
            (0.1, [U("My variance hearing for the side-yard setback at 412 Quillan Avenue is on Tuesday, March 25 at 6:30 pm in council chambers. What should I prepare?"),
                   A("For the March 25 hearing bring a site plan with the setbacks dimensioned, photos of the existing house, any neighbour support letters, and a two-minute statement of the hardship. Arrive fifteen minutes early to sign the speaker sheet.")]),
            (0.3, [U("Should I write to the neighbours myself even though the city mails notices?"),
                   A("Yes. A short friendly letter two weeks ahead, with a sketch and your phone number, heads off most objections. Mention the date and that you are happy to walk anyone through the plans.")]),
            (0.58, [U("The clerk called. The board lost quorum, so my item was continued. New hearing is Tuesday, April 8, same time and room."),
                    A("Thanks. Your hearing is now Tuesday, April 8 at 6:30 pm. Continuances are routine and nothing in the application changes, but update the neighbour letter so nobody comes on the old evening.")]),
        ],
        final="Which evening do I actually have to stand up in front of the zoning board?",
        needed=["April 8"], stale=["March 25"],
        notes="Hearing date moved by a continuance.")


@case("correction")
def _(rng):
    return dict(
        system="You support the payroll team at Brightwater Outdoor Supply (about 140 employees, paid biweekly). Help with calculations and checks; never invent policy.",
        domains=["payroll", "solar", "school"],
        blocks=[
            (0.1, [U("The Eugene store manager, Tomasz Wierzbicki, has a raise effective pay period 14. HR's memo says the new rate is $31.40/hr. He worked 80 regular hours in PP14. Regular gross?"),
                   A("80 hours x $31.40 = $2,512.00 regular gross for PP14. Any overtime would be at 1.5 times the new rate.")]),
            (0.32, [U("He had 6 hours of overtime in PP15 on top of 80 regular."),
                    A("PP15: 80 x $31.40 = $2,512.00 regular plus 6 x $31.40 x 1.5 = $282.60 overtime, so $2,794.60 gross.")]),
            (0.6, [U("HR sent a corrected memo: the approved rate is $33.15/hr. The earlier number was a typo copied from the old comp band sheet. Everything from PP14 on uses the corrected rate."),
                   A("Understood: Tomasz's rate from PP14 is $33.15/hr. The gross amounts I worked out are understated and need a retro adjustment.")]),
        ],
        final="Work out the retro owed to the Eugene manager for PP14 and PP15 combined, using what HR actually approved.",
        needed=["$33.15"], stale=["$31.40"],
        notes="Pay rate corrected by a second memo; stale rate appears in several calculations.")


@case("correction")
def _(rng):
    return dict(
        system="You are the operations assistant for the Emberfall Online server team. Help with configs, runbooks and incident notes.",
        domains=["gamesrv", "museum", "payroll"],
        blocks=[
            (0.08, [U("On the EU-Central shard, RCON is on port 27031 behind the bastion. Write the firewall rule for the admin VPN subnet 10.44.0.0/16."),
                    A("Allow tcp from 10.44.0.0/16 to eu-central-game-01 on 27031, then an explicit deny for every other source to that port. Put the allow rule above the default deny in the chain.")]),
            (0.3, [U("And a health check that pings RCON every minute."),
                   A("A cron entry running `rcon-cli --host eu-central-game-01 --port 27031 status` every minute, alerting after three consecutive failures, is enough to start with.")]),
            (0.6, [U("Heads up: the hosting provider forced a port remap in last night's migration. RCON on EU-Central now listens on 28815, the old one is closed."),
                   A("Noted, EU-Central RCON is on 28815 now. Both the firewall rule and the health check need updating; the old port will just time out.")]),
        ],
        final="Give me the corrected firewall rule for the admin subnet, with the port that works now.",
        needed=["28815"], stale=["27031"],
        notes="Port remapped by the provider; stale port used in two configs.")


# ---------------------------------------------------------------------------------------------
# paraphrase: the question shares almost no words with the message holding the answer
# ---------------------------------------------------------------------------------------------


@case("paraphrase")
def _(rng):
    return dict(
        system="You are a friendly assistant helping a pet owner keep track of vet visits, records and everyday care.",
        domains=["vet", "podcast", "solar"],
        blocks=[(0.12, [U("Side note for Mochi's file: her microchip is still registered to my sister Daniela Ruiz-Okafor's phone, because Daniela adopted her first. I never transferred it."),
                         A("Noted in her file. Updating the registry when you have a minute means a finder reaches you directly.")])],
        final="If a rescue centre scanned the implant in my kitty's shoulder today, whose mobile would end up ringing?",
        needed=["Daniela Ruiz-Okafor"],
        notes="microchip/registered/phone vs implant/scanned/mobile.")


@case("paraphrase")
def _(rng):
    return dict(
        system="You are the lab assistant for the Okafor immunology group. Help with inventory, protocols and scheduling.",
        domains=["biotech", "school", "ship"],
        blocks=[(0.15, [U("Inventory update: the anti-CD45 antibody aliquots, clone 30-F11 in APC, are now in freezer F-12, rack 3, box 7. The old box in F-09 was empty and got thrown out."),
                         A("Recorded: anti-CD45 30-F11 APC aliquots at F-12, rack 3, box 7; the F-09 box is discarded.")])],
        final="Where did we stash the tubes of that pan-leukocyte marker conjugate? I need them for staining this afternoon.",
        needed=["F-12, rack 3, box 7"], stale=["F-09"],
        notes="anti-CD45 antibody vs pan-leukocyte marker conjugate; old location is stale.")


@case("paraphrase")
def _(rng):
    return dict(
        system="You assist the export desk at Halden Freight Brokers with bookings, deadlines and customer emails.",
        domains=["ship", "aero", "vet"],
        blocks=[(0.1, [U("Booking HLX-88213, the machine parts to Santos: the line confirmed seven free days at the terminal, so storage charges on the box kick in after 14 November at 23:59 local."),
                        A("Thanks, I have set a reminder to chase the consignee's customs clearance well ahead of that.")])],
        final="From what day will the quay in Brazil begin billing us if our steel crate of equipment hasn't been collected?",
        needed=["14 November"],
        notes="free days / storage charges / box vs billing / crate / quay.")


@case("paraphrase")
def _(rng):
    return dict(
        system="You are the producer's assistant for the podcast 'Low Tide', helping with edits, guests and publishing.",
        domains=["podcast", "permits", "biotech"],
        blocks=[(0.2, [U("Keisha Abernathy-Lowe emailed after the session: please cut where she talks about her divorce, 00:41:12 to 00:43:50. Everything else is fine with her."),
                        A("Understood. That section comes out in the fine edit, and I'll tell the transcription service to skip it too.")])],
        final="Which stretch of our interviewee's conversation did she want taken out before we publish?",
        needed=["00:41:12"],
        notes="cut / session / emailed vs taken out / interviewee / conversation.")


@case("paraphrase")
def _(rng):
    return dict(
        system="You help a busy parent keep track of school logistics for two children in the Cedar Valley school district.",
        domains=["school", "wine", "gamesrv"],
        blocks=[(0.15, [U("Transportation sent the update for the twins at Hawthorne Elementary: route 14 now stops at the corner of Linden and 3rd, pickup 7:12 a.m., starting after spring break."),
                         A("Got it, I'll remember that for after the break.")])],
        final="What time, and at which intersection, should my kids stand each morning to catch their ride to class?",
        needed=["Linden and 3rd", "7:12 a.m."],
        notes="route / corner / pickup vs ride / intersection / stand.")


@case("paraphrase")
def _(rng):
    return dict(
        system="You assist the collections team at the Tamsin Bay Historical Museum with cataloguing, conservation and exhibitions.",
        domains=["museum", "payroll", "solar"],
        blocks=[(0.12, [U("Conservation note from Imogen on accession 1987.44.3, the daguerreotype of the Pell sisters: keep it at 35% RH, never above, or the silver tarnish accelerates."),
                         A("Logged against 1987.44.3. I'll flag it for the display case environment.")])],
        final="How moist may the air get around that early photographic plate of the two girls before it starts to suffer?",
        needed=["35% RH"],
        notes="RH / daguerreotype / tarnish vs moist air / photographic plate / suffer.")


# ---------------------------------------------------------------------------------------------
# long documents: a cell in a table, the newer of two versions, a quote in a transcript
# ---------------------------------------------------------------------------------------------

SURNAMES = ["Abara", "Bellweather", "Castellanos", "Dubois", "Eriksen", "Fairbanks", "Gallagher", "Haddad", "Ibarra", "Jovanovic",
            "Kaminski", "Lindgren", "Moreau", "Nakagawa", "Oyelaran", "Petrakis", "Quintero", "Rasmussen", "Szabo", "Thornbury",
            "Underhill", "Valdivia", "Whitcombe", "Xiong", "Yarrow", "Zielinski", "Achterberg", "Brannigan", "Cormier", "Dalgleish",
            "Esposito", "Fonseca", "Grimaldi", "Holloway", "Iqbal", "Jaramillo", "Kettering", "Lachance", "Mbeki", "Novak",
            "Ostrander", "Pemberton", "Rourke", "Salazar", "Tavares", "Uchida", "Vasquez", "Wexler", "Yilmaz", "Zamora",
            "Aldana", "Birch", "Coutinho", "Desrosiers", "Engstrom", "Faulkner", "Gutierrez", "Hartigan", "Ilves", "Juarez"]
STREETS = ["Alder Ct", "Bramble Way", "Copper Ridge Rd", "Dovecote Ln", "Elmstead Ave", "Foxglove Dr", "Granite Loop", "Heron Pl",
           "Ironwood St", "Juniper Hollow", "Kestrel Rd", "Larkin Ave", "Millrace Ln", "Northcott Dr", "Orchard Bend"]


@case("long_document")
def _(rng):
    rows = ["job_id,customer,address,inverter_model,inverter_serial,system_kw,commissioned,inspector"]
    names = rng.sample(SURNAMES, 58) + ["Kowalczyk", "Kowalski"]
    rng.shuffle(names)
    used = {"HX9-07734-Q", "HX9-07743-Q"}
    for i, nm in enumerate(names):
        if nm == "Kowalczyk":
            serial = "HX9-07734-Q"
        elif nm == "Kowalski":
            serial = "HX9-07743-Q"
        else:
            while True:
                serial = f"HX9-{rng.randint(1000, 99999):05d}-{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}"
                if serial not in used:
                    break
            used.add(serial)
        rows.append(f"SOL-{2400 + i},{nm},{rng.randint(10, 9999)} {rng.choice(STREETS)},"
                    f"{rng.choice(['HX9-7.6', 'HX9-11.4', 'SunVolt SV-6000', 'Aurelis A8'])},{serial},"
                    f"{rng.choice(['5.2', '6.4', '7.8', '8.1', '9.6', '10.4', '11.7', '12.0'])},"
                    f"2025-{rng.randint(1, 9):02d}-{rng.randint(1, 28):02d},{rng.choice(['Ferro', 'Adeyemi', 'Lund', 'Baptiste'])}")
    doc = "\n".join(rows)
    return dict(
        system="You are the operations assistant for Sunfield Rooftop Solar. Help the office with warranty claims, scheduling and customer questions.",
        domains=["solar", "school", "museum"],
        blocks=[(0.2, [U("Here's the commissioning export from the install tracker for this year, so you have it handy:\n\n```csv\n" + doc + "\n```"),
                       A("Thanks, I have the export: sixty commissioned systems with inverter models, serials, sizes and inspectors.")])],
        final="The manufacturer needs the inverter serial for the Kowalczyk job before they'll open the warranty ticket. What is it?",
        needed=["HX9-07734-Q"], stale=["HX9-07743-Q"],
        notes="One row in a 60-row CSV; a customer with a near-identical surname has a transposed serial.")


WINE_PRODUCERS = [("Bodegas Ortuño", "Crianza"), ("Quinta da Várzea", "Tinto"), ("Adega Serra Baixa", "Reserva Branco"), ("Viñedos Lirio", "Garnacha"),
                  ("Celler Roca Alta", "Priorat"), ("Casa Montalvo", "Verdejo"), ("Herdade do Souto", "Alentejo Tinto"), ("Bodegas Azafrán", "Monastrell"),
                  ("Quinta do Limoeiro", "Vinho Verde"), ("Bodegas Peñacerrada", "Rosado"), ("Adega Corvinho", "Baga"), ("Celler Les Sorts", "Cava Brut"),
                  ("Bodegas Valdemora", "Mencía"), ("Quinta das Amoras", "Touriga Nacional"), ("Viña Escarcha", "Albariño"), ("Bodegas Tresmonte", "Godello")]


@case("long_document")
def _(rng):
    lines = ["| producer | wine | vintage | format | FOB per case | duty class |", "|---|---|---|---|---|---|"]
    entries = []
    taken = {"€118.40", "€112.90"}
    for prod, wine in WINE_PRODUCERS:
        for vint in rng.sample(["2018", "2019", "2020", "2021", "2022", "2023"], 3):
            while True:
                price = f"€{rng.randint(48, 190)}.{rng.randint(0, 9)}0"
                if price not in taken:
                    break
            taken.add(price)
            entries.append((prod, wine, vint, rng.choice(["12x750", "6x750", "6x1500"]), price, rng.choice(["still <14%", "still 14-16%", "sparkling"])))
    entries.append(("Bodegas Altanza", "Lealtanza Reserva", "2018", "12x750", "€112.90", "still 14-16%"))
    entries.append(("Bodegas Altanza", "Lealtanza Reserva", "2019", "12x750", "€118.40", "still 14-16%"))
    entries.append(("Bodegas Altanza", "Lealtanza Crianza", "2020", "12x750", "€71.30", "still 14-16%"))
    entries.sort()
    lines += ["| " + " | ".join(e) + " |" for e in entries]
    return dict(
        system="You assist Corvo & Lane Imports with purchasing: price lists, landed cost and orders from Iberian producers.",
        domains=["wine", "payroll", "permits"],
        blocks=[(0.3, [U("Our Madrid agent sent the autumn ex-cellar price list. Pasting it so we can plan the next container:\n\n" + "\n".join(lines) + "\n\nPrices are ex-works, before freight and duty."),
                       A("Got it. The list covers about fifty wines; I can build a landed-cost sheet from it whenever you pick the SKUs.")])],
        final="What's the ex-cellar price per case on the 2019 Altanza Reserva in that list?",
        needed=["€118.40"], stale=["€112.90"],
        notes="One cell in a ~50-row markdown price table; the 2018 vintage of the same wine sits on the next row.")


FEE_ITEMS = [
    ("Residential addition, up to 500 sq ft", "$620.00", "$655.00"), ("Residential addition, over 500 sq ft", "$980.00", "$1,040.00"),
    ("Accessory dwelling unit", "$1,350.00", "$1,420.00"), ("Detached garage or shed over 200 sq ft", "$310.00", "$335.00"),
    ("Deck, attached", "$185.00", "$195.00"), ("Fence up to 6 ft", "$65.00", "$70.00"), ("Fence over 6 ft", "$145.00", "$210.00"),
    ("Retaining wall over 4 ft", "$240.00", "$260.00"), ("Swimming pool, in-ground", "$475.00", "$505.00"),
    ("Demolition, accessory structure", "$95.00", "$100.00"), ("Demolition, primary structure", "$390.00", "$415.00"),
    ("Reroof, residential", "$120.00", "$125.00"), ("Rooftop solar, up to 10 kW", "$250.00", "$250.00"),
    ("Electrical service upgrade", "$160.00", "$170.00"), ("Water heater replacement", "$55.00", "$60.00"),
    ("Driveway apron / curb cut", "$130.00", "$140.00"), ("Sign permit, wall sign", "$115.00", "$120.00"),
    ("Variance application", "$700.00", "$750.00"), ("Conditional use permit", "$1,150.00", "$1,225.00"),
    ("Re-inspection fee", "$85.00", "$90.00"), ("After-hours inspection (per hour)", "$175.00", "$185.00"),
    ("Plan review, third and later cycles", "$150.00", "$165.00"), ("Temporary certificate of occupancy", "$200.00", "$220.00"),
]
FEE_NOTES = [
    "Fees are due when the permit is issued, not at submittal, except plan review fees, which are due with the application.",
    "Work started before a permit is issued is charged double the listed fee.",
    "Projects by a registered non-profit may apply for a 25% reduction through the Community Development Director.",
    "Refunds are available within 180 days of issuance if no inspection has been performed, less a 15% processing charge.",
    "Technology surcharge of 4% applies to all permit fees and funds the online portal.",
]


@case("long_document")
def _(rng):
    def doc(v: int) -> str:
        head = ("RESIDENTIAL PERMIT FEE SCHEDULE - DRAFT v1 (circulated for comment, February)" if v == 1
                else "RESIDENTIAL PERMIT FEE SCHEDULE - v2, ADOPTED by City Council Resolution 2025-31, effective July 1")
        rows = [f"{i + 1:>2}. {name} ........ {p1 if v == 1 else p2}" for i, (name, p1, p2) in enumerate(FEE_ITEMS)]
        notes = FEE_NOTES if v == 1 else FEE_NOTES[:4] + ["Technology surcharge of 5% applies to all permit fees and funds the online portal.",
                                                            "Fees in this schedule supersede the draft circulated in February."]
        return head + "\n\n" + "\n".join(rows) + "\n\nGeneral provisions:\n" + "\n".join(f"- {n}" for n in notes)
    return dict(
        system="You help residents of the City of Larchmont Falls with permits: fees, forms, and what inspectors look for.",
        domains=["permits", "gamesrv", "vet"],
        blocks=[(0.12, [U("The city posted the draft fee schedule for comment. Here it is:\n\n" + doc(1)),
                         A("Thanks. Most residential fees look modest; the biggest items are the ADU and conditional use permits.")]),
                (0.55, [U("Council voted last night. This is the version they passed:\n\n" + doc(2)),
                         A("Got it. Several fees went up a little, and the technology surcharge rose by a point. This version replaces the draft.")])],
        final="Under the schedule council actually passed, what does a permit cost for a fence taller than six feet?",
        needed=["$210.00"], stale=["$145.00"],
        notes="Two versions of a 23-line fee schedule; only the adopted v2 counts.")


HOST_LINES = [
    "Let's start with the basics. What does a tide gauge actually measure?",
    "For listeners who've never seen one, what does the station look like?",
    "How far back do the records go on this coast?",
    "Is there a difference between what the satellites see and what the gauges see?",
    "People hear 'a few millimetres a year' and shrug. Why shouldn't they?",
    "What surprised you most when you went through the old paper logs?",
    "Who kept those logs, originally?",
    "How do you deal with the land itself moving up or down?",
    "What's the most common thing people get wrong about sea level?",
    "Where does the money for these stations come from?",
    "If you could add one station anywhere, where would it go?",
    "Tell me about the flood in the harbour district you mentioned earlier.",
    "Do coastal towns actually use this data when they plan?",
    "What happens when a gauge breaks during a storm?",
]
GUEST_LINES = [
    "At its simplest, it's a very patient ruler. We record the height of the water relative to a fixed benchmark on land, every few minutes, for decades.",
    "Usually a stilling well, which is a pipe that damps the waves, and these days a radar sensor looking down at the water surface. Not glamorous at all.",
    "The harbour record here is continuous from 1911, with a gap during the war when the keeper enlisted.",
    "Satellites measure the open ocean beautifully, but the coast is where people live, and near the coast the satellite signal gets messy.",
    "Because it compounds. A few millimetres a year over a mortgage term changes which streets flood on a king tide.",
    "The handwriting. You can see when a new keeper took over, and you can see nights when someone clearly didn't want to go out in the rain.",
    "Harbour masters, mostly, and for a while a schoolteacher who lived next to the pier and was paid a small stipend.",
    "We tie the benchmark to GPS stations so we can separate the land sinking from the water rising. Here the land drops about a millimetre a year.",
    "That it's the same everywhere. It isn't. Currents, winds and land motion make local rates quite different from the global average.",
    "A patchwork of national agencies, port authorities and a few universities. It's fragile funding for something that only gets valuable after fifty years.",
    "Somewhere along the river mouth upstream. We have almost no data on how far the salt water pushes inland now.",
    "Water came up through the storm drains on a sunny day. No rain at all, just a high tide on top of a slightly higher sea.",
    "More than they used to. The engineers redesigning the seawall used the gauge record to set the crest height.",
    "We lose the most important data, of course. So we put a second sensor on a separate power supply a few metres away.",
    "Every record needs metadata: when the sensor changed, when the benchmark was resurveyed. Without that, a jump in the data could be anything.",
    "I think of the gauge records as a kind of civic memory. Nobody alive remembers 1911, but the record does.",
]


GUEST_EXTRA = [
    "We had a volunteer once who insisted the gauge was broken because the readings were higher than his grandfather's. It wasn't broken.",
    "There's a pencil note from 1953 in the margin that just says 'storm, wharf under water, could not read'. That gap is itself data.",
    "People imagine a dramatic wall of water. Most of the damage now is quieter: salt in basements, roads closed for two hours at a time.",
    "The radar sensor costs less than a good laptop. The expensive part is keeping someone paid to look after it for forty years.",
    "My students are always surprised that the hardest part of the job is bookkeeping, not the physics.",
    "When we resurveyed the benchmark in 2009 we found it had been moved during a pier repair. Nobody wrote it down. It took me a year to untangle.",
    "I'd love every coastal school to have a live feed from its nearest gauge on a screen in the hallway.",
    "The insurance industry reads our data more closely than most city councils do, which tells you something.",
    "If you plot the highest tide of each year, the line creeps up like a staircase. You don't need statistics to see it.",
    "We work a lot with the harbour pilots; they notice changes in the channel before any instrument does.",
]
HOST_NUDGES = ["Say more about that.", "Mm. And then what?", "That's wild.", "Give me an example.", "Okay, I have to ask about that.", "Right, right.", "Does that still happen?"]


@case("long_document")
def _(rng):
    quote = "The tide gauges don't argue with anyone; they just keep writing down the truth one millimetre at a time."
    pairs = list(zip(HOST_LINES, GUEST_LINES))
    opening, pairs = pairs[0], pairs[1:]
    rng.shuffle(pairs)
    pairs.insert(0, opening)
    extra = GUEST_LINES[len(HOST_LINES):] + GUEST_EXTRA
    rng.shuffle(extra)
    lines: list[str] = []
    t = 95

    def say(who: str, text: str) -> None:
        nonlocal t
        hh, rest = divmod(t, 3600)
        mm, ss = divmod(rest, 60)
        lines.append(f"[{hh:02d}:{mm:02d}:{ss:02d}] {who}: {text}")
        t += 20 + len(text) // 14 + rng.randint(0, 30)
    qpos = rng.randint(5, 8)
    nudges = list(HOST_NUDGES)
    rng.shuffle(nudges)
    for i, (q, a) in enumerate(pairs):
        say("RAFA", q)
        say("DR. AMARA OSEI", a + (" " + extra.pop() if extra and rng.random() < 0.5 else ""))
        if i == qpos:
            say("RAFA", "Why do you keep coming back to them, after all these years?")
            say("DR. AMARA OSEI", "Honestly? " + quote + " That's what I love about them.")
        elif i == qpos + 2:
            say("RAFA", "So the gauges basically keep a diary of the sea, right? [crosstalk]")
            say("DR. AMARA OSEI", "[laughs] Something like that. A diary nobody reads until there's a flood.")
        elif extra and nudges and rng.random() < 0.6:
            say("RAFA", nudges.pop())
            say("DR. AMARA OSEI", extra.pop())
    transcript = "\n".join(lines)
    return dict(
        system="You are the producer's assistant for the podcast 'Low Tide'. Help with show notes, clips, artwork copy and scheduling.",
        domains=["podcast", "payroll", "aero"],
        blocks=[(0.25, [U("Here's the raw transcript of the Amara Osei interview from the transcription service, so we can pick clips later:\n\n" + transcript),
                         A("Thanks, I have the transcript. It runs a little over an hour with plenty of good material on the harbour records and the sunny-day flood.")])],
        final="For the episode artwork I want Dr. Osei's exact words about the gauges as the pull quote. What was the line?",
        needed=["they just keep writing down the truth one millimetre at a time"], stale=["keep a diary of the sea"],
        notes="A quote inside a ~64-line interview transcript; the host's paraphrase is a look-alike.")


SB_TITLES = [
    ("32", "Main landing gear side-brace bushing inspection"), ("32", "Nose gear steering actuator seal replacement"), ("21", "Pack flow control valve modification"),
    ("21", "Recirculation fan filter replacement interval"), ("24", "DC starter-generator terminal block inspection"), ("24", "Battery vent line rerouting"),
    ("27", "Aileron trim tab actuator rod-end inspection"), ("27", "Flap drive gearbox lubrication change"), ("28", "Fuel quantity probe wiring chafe inspection"),
    ("29", "Hydraulic reservoir sight-gauge replacement"), ("30", "Propeller de-ice brush block inspection"), ("33", "Emergency lighting battery pack replacement"),
    ("34", "Pitot-static drain fitting modification"), ("36", "Bleed air duct clamp inspection"), ("52", "Passenger door hinge fitting inspection"),
    ("53", "Aft pressure bulkhead doubler inspection"), ("57", "Wing-to-fuselage fairing attachment inspection"), ("61", "Propeller blade erosion shield inspection"),
    ("71", "Engine mount isolator replacement"), ("72", "Compressor first-stage blade borescope inspection"), ("73", "Fuel nozzle cleaning interval revision"),
    ("74", "Ignition exciter connector inspection"), ("77", "ITT harness resistance check"), ("79", "Oil cooler flap actuator inspection"),
    ("49", "APU inlet door actuator lubrication"), ("49", "APU exhaust silencer crack inspection"), ("38", "Potable water heater wiring inspection"),
    ("25", "Galley oven circuit breaker replacement"), ("26", "Cargo smoke detector software update"), ("35", "Crew oxygen mask stowage modification"),
]
SB_COMPLIANCE = ["at next A-check", "within 1,200 FH", "within 18 months", "at next shop visit", "recommended, no deadline", "within 300 FC",
                 "within 3,000 FH", "at next C-check", "within 12 months", "before 31 December"]


@case("long_document")
def _(rng):
    rows = []
    taken = {"49-0117", "49-0171"}
    for ata, title in SB_TITLES:
        while True:
            num = f"{ata}-{rng.randint(10, 299):04d}"
            if num not in taken:
                break
        taken.add(num)
        rows.append((f"SB {num}", ata, title, rng.choice(SB_COMPLIANCE), rng.choice(["Open", "Complied", "Complied", "Not applicable", "Planned"])))
    rows.append(("SB 49-0117", "49", "APU starter-generator brush wear inspection", "within 600 APU hours", "Open"))
    rows.append(("SB 49-0171", "49", "APU starter-generator cooling fan replacement", "within 2,000 APU hours", "Complied"))
    rows.sort(key=lambda r: r[0])
    table = "| SB | ATA | title | compliance | status LN-NFB |\n|---|---|---|---|---|\n" + "\n".join("| " + " | ".join(r) + " |" for r in rows)
    return dict(
        system="You are a technical records assistant for Northfjord Aero Services. Help with service bulletins, airworthiness directives and planning.",
        domains=["aero", "biotech", "school"],
        blocks=[(0.18, [U("Records exported the service bulletin status for LN-NFB ahead of the lease return. Keep it handy:\n\n" + table),
                         A("Thanks. Most bulletins are complied with; the open ones will need to be planned or dispositioned before the return.")])],
        final="Which bulletin covers checking the brushes on the auxiliary power unit's starter-generator, and what is its compliance deadline?",
        needed=["SB 49-0117", "within 600 APU hours"], stale=["SB 49-0171"],
        notes="One row in a 32-row SB table; the same component's cooling-fan SB has a transposed number.")


def pto_policy(v: int) -> str:
    acc_ft = "5.54 hours per pay period" if v == 1 else "6.15 hours per pay period"
    acc_pt = "2.77 hours per pay period" if v == 1 else "3.08 hours per pay period"
    cap = "120 hours" if v == 1 else "160 hours"
    title = "Brightwater Outdoor Supply - Paid Time Off Policy (2024 handbook)" if v == 1 else "Brightwater Outdoor Supply - Paid Time Off Policy (2025 handbook, replaces the 2024 policy)"
    return f"""{title}

1. Purpose. This policy explains how employees earn, schedule and use paid time off (PTO). PTO combines vacation, personal and sick time into one bank.

2. Eligibility. Regular employees scheduled for 30 or more hours a week are full-time for this policy. Employees scheduled for 15 to 29 hours a week are part-time. Seasonal and temporary staff follow the state sick-leave minimum only.

3. Accrual. Full-time employees accrue {acc_ft}. Part-time employees accrue {acc_pt}. Accrual begins on the first day of employment and is credited on each pay date.

4. Waiting period. New employees may use accrued PTO after 60 days of employment, except where state sick-leave law allows earlier use.

5. Carryover. Unused PTO carries over to the next calendar year up to {cap}. Balances above the cap are forfeited on January 1 unless the employee's manager approves an extension in writing because of business needs.

6. Requesting PTO. Requests of three days or more should be submitted two weeks in advance through the scheduling system. Store managers balance requests during peak season (May through August and the November sale) by seniority when conflicts arise.

7. Sick use. PTO may be used for the employee's own illness, a family member's care, medical appointments and safe-leave purposes. No advance notice is required for unforeseen illness, but the employee should notify the manager before the shift starts where possible.

8. Holidays. The company observes seven paid holidays that are not deducted from PTO. Employees who work on a holiday receive holiday pay at 1.5 times their regular rate.

9. Payout. Accrued, unused PTO is paid out at separation where required by state law. In other states it is paid out if the employee gives two weeks' notice and works the notice period.

10. Negative balances. Employees may not borrow against future accrual.

11. Questions. Contact HR through the people portal."""


@case("long_document")
def _(rng):
    return dict(
        system="You support HR and payroll at Brightwater Outdoor Supply. Answer questions from the handbook text the user provides.",
        domains=["payroll", "ship", "podcast"],
        blocks=[(0.1, [U("Here's the current PTO section from last year's handbook, for reference:\n\n" + pto_policy(1)),
                        A("Thanks. It's a combined PTO bank with accrual per pay period, a carryover cap and a 60-day waiting period.")]),
                (0.5, [U("Legal just finalised the revision that goes out with this year's handbook. This replaces the old one:\n\n" + pto_policy(2)),
                       A("Got it. The 2025 text raises the accrual rates and the carryover cap; the rest reads the same.")])],
        final="Under the current handbook, how much paid time off does a full-time person earn each paycheck?",
        needed=["6.15 hours per pay period"], stale=["5.54 hours per pay period"],
        notes="Two versions of a handbook section; only the newer one counts.")


@case("long_document")
def _(rng):
    ids = [f"ELI-{n}" for n in range(2200, 2296)]
    rng.shuffle(ids)
    ids.remove("ELI-2231")
    ids.remove("ELI-2213")
    wells = [f"{r}{c:02d}" for r in "ABCDEFGH" for c in range(1, 13)]
    rows = ["well,sample_id,dilution,od450,flag"]
    taken = {"0.8731", "0.8713"}
    k = 0
    for w in wells:
        if w == "D07":
            rows.append("D07,ELI-2231,1:100,0.8731,")
            continue
        if w == "F03":
            rows.append("F03,ELI-2213,1:100,0.8713,")
            continue
        while True:
            od = f"{rng.uniform(0.05, 2.9):.4f}"
            if od not in taken:
                break
        taken.add(od)
        rows.append(f"{w},{ids[k]},{rng.choice(['1:50', '1:100', '1:200'])},{od},{rng.choice(['', '', '', 'high CV', 'bubble'])}")
        k += 1
    return dict(
        system="You are the lab assistant for the Okafor immunology group. Help with plate data, inventory and protocols.",
        domains=["biotech", "gamesrv", "wine"],
        blocks=[(0.22, [U("Plate reader export from this morning's ELISA (plate 3 of the serology batch):\n\n```\n" + "\n".join(rows) + "\n```"),
                         A("Got the export: 96 wells, mostly 1:100 dilutions, with a few flagged for high CV or bubbles.")])],
        final="What absorbance did sample ELI-2231 give in that plate export?",
        needed=["0.8731"], stale=["0.8713"],
        notes="One cell in a 96-row CSV; a sample with transposed digits has a transposed OD.")


# ---------------------------------------------------------------------------------------------
# agent loops: one request, 8-20 tool calls, the needed value in an early result
# ---------------------------------------------------------------------------------------------


def stamp(rng: random.Random, day: int = 14) -> str:
    return f"2025-10-{day:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"


def log_lines(rng: random.Random, n: int, pool: list[str], day: int = 14) -> str:
    out = []
    for _ in range(n):
        t = rng.choice(pool)
        t = t.replace("{n}", str(rng.randint(2, 900))).replace("{ms}", str(rng.randint(4, 480))).replace("{p}", str(rng.randint(1, 9999)))
        out.append(f"{stamp(rng, day)} {rng.choice(['INFO', 'INFO', 'INFO', 'WARN', 'DEBUG'])} {t}")
    return "\n".join(sorted(out))


GAME_LOG = [
    "matchmaker: queue depth {n}, median wait {ms} ms", "session: player {p} joined instance inst-{n}", "session: player {p} left (reason=client_quit)",
    "net: packet loss 0.{n}% on edge-{n}", "physics: island count {n}, step {ms} ms", "persist: flushed {n} inventory deltas in {ms} ms",
    "auth: token refresh ok for player {p}", "chat: rate limited player {p}", "world: spawned {n} entities in zone ashfen-{n}",
    "gc: pause {ms} ms, heap {n} MB", "anticheat: heartbeat ok ({n} clients)", "economy: auction house settled {n} trades",
]


@case("agent_loop")
def _(rng):
    tools = [tool("get_shard_status", "Current status of one game shard.", shard="shard name"),
             tool("fetch_crash_dumps", "Most recent crash dumps of a shard, symbolised.", shard="shard name", limit="how many"),
             tool("read_log", "Tail a service log on a shard.", shard="shard name", service="service name", since="ISO time"),
             tool("get_deploy_history", "Recent deploys to a shard.", shard="shard name"),
             tool("query_metrics", "Time series for a shard metric.", shard="shard name", metric="metric name")]

    def dumps(shard, frames):
        return {"shard": shard, "dumps": [{"id": f"crash-{rng.randrange(16**5):05x}", "time": stamp(rng), "signal": sig,
                                            "build": "2.14.7+r4471", "stack": stk + [f"Worker::Run+0x{rng.randrange(4096):x}", "ThreadPool::Loop", "start_thread"]}
                                           for sig, stk in frames]}
    status = lambda s: {"shard": s, "state": rng.choice(["running", "degraded"]), "players": rng.randint(800, 4200), "uptime_s": rng.randint(300, 90000),
                        "build": "2.14.7+r4471", "hosts": [{"host": f"{s.lower()}-game-{i:02d}", "cpu": rng.randint(20, 95), "mem_gb": rng.randint(18, 60)} for i in range(1, 7)]}
    metrics = lambda s, m: {"shard": s, "metric": m, "step": "60s", "points": [[stamp(rng), round(rng.uniform(8, 70), 2)] for _ in range(90)]}
    deploys = lambda s: {"shard": s, "deploys": [{"rev": f"r{4400 + i * 7}", "at": stamp(rng, 10 + i), "by": rng.choice(["ci-bot", "hana", "marek"]),
                                                   "notes": rng.choice(["physics tuning for large raids", "netcode batching", "economy hotfix", "balance patch 2.14"])} for i in range(5)]}
    nw = dumps("NA-West-2", [("SIGSEGV", ["PhysicsWorld::StepIsland+0x1c4", "PhysicsWorld::Step+0x88", "ZoneSim::Tick+0x210"]),
                             ("SIGSEGV", ["PhysicsWorld::StepIsland+0x1c4", "PhysicsWorld::Step+0x88", "ZoneSim::Tick+0x210"]),
                             ("SIGSEGV", ["PhysicsWorld::StepIsland+0x1d0", "PhysicsWorld::Step+0x88", "RaidInstance::Tick+0x64"])])
    eu = dumps("EU-Central", [("SIGSEGV", ["PhysicsWorld::SolveContacts+0x9a", "PhysicsWorld::Step+0x88", "ZoneSim::Tick+0x210"])])
    ne = dumps("NA-East", [("SIGABRT", ["NetChannel::FlushReliable+0x40", "NetServer::Pump+0x1f0", "ZoneSim::Tick+0x12c"]),
                           ("SIGABRT", ["NetChannel::FlushReliable+0x40", "NetServer::Pump+0x1f0", "ZoneSim::Tick+0x12c"])])
    groups = [
        [("get_shard_status", {"shard": "NA-West-2"}, status("NA-West-2"))],
        [("fetch_crash_dumps", {"shard": "NA-West-2", "limit": "3"}, nw)],
        [("read_log", {"shard": "NA-West-2", "service": "zonesim", "since": "2025-10-14T00:00:00Z"}, log_lines(rng, 170, GAME_LOG)),
         ("read_log", {"shard": "NA-West-2", "service": "matchmaker", "since": "2025-10-14T00:00:00Z"}, log_lines(rng, 120, GAME_LOG))],
        [("get_deploy_history", {"shard": "NA-West-2"}, deploys("NA-West-2"))],
        [("query_metrics", {"shard": "NA-West-2", "metric": "tick_ms_p99"}, metrics("NA-West-2", "tick_ms_p99")),
         ("query_metrics", {"shard": "NA-West-2", "metric": "rss_gb"}, metrics("NA-West-2", "rss_gb"))],
        [("fetch_crash_dumps", {"shard": "EU-Central", "limit": "3"}, eu), ("fetch_crash_dumps", {"shard": "NA-East", "limit": "3"}, ne)],
        [("read_log", {"shard": "NA-East", "service": "zonesim", "since": "2025-10-14T00:00:00Z"}, log_lines(rng, 150, GAME_LOG))],
        [("get_shard_status", {"shard": "NA-East"}, status("NA-East")), ("get_shard_status", {"shard": "EU-Central"}, status("EU-Central"))],
        [("query_metrics", {"shard": "NA-East", "metric": "tick_ms_p99"}, metrics("NA-East", "tick_ms_p99"))],
        [("get_deploy_history", {"shard": "NA-East"}, deploys("NA-East"))],
        [("read_log", {"shard": "EU-Central", "service": "zonesim", "since": "2025-10-14T00:00:00Z"}, log_lines(rng, 150, GAME_LOG))],
    ]
    tail = [U("NA-West-2 has crashed four times since the 2.14.7 patch. Dig through whatever you need and tell me what's going on. Compare with the other shards too.")]
    for g in groups:
        tail += exchange(rng, g)
    return dict(system="You are the on-call assistant for the Emberfall Online server team, with read-only access to shard tooling.",
                domains=["gamesrv", "school", "wine"], tools=tools, tail=tail, pre_tokens=rng.randint(1500, 9000),
                final="Before you write it up: which function was at the very top of the stack in the NA-West-2 dumps?",
                needed=["PhysicsWorld::StepIsland"], stale=["PhysicsWorld::SolveContacts", "NetChannel::FlushReliable"],
                notes="14 tool calls; the NA-West-2 crash frame is in the 2nd result, other shards' look-alike physics/net frames come later.")


@case("agent_loop")
def _(rng):
    tools = [tool("lookup_booking", "Booking details by reference.", booking_ref="booking reference"),
             tool("track_container", "Tracking events for a container.", container_no="container number"),
             tool("get_vessel_schedule", "Port rotation for a vessel voyage.", vessel="vessel name", voyage="voyage"),
             tool("get_invoice", "Freight invoice for a booking.", booking_ref="booking reference")]
    books = [("BK-55120", "MSKU4829137", "Maersk Kinloss", "247W"), ("BK-55127", "MSKU4829317", "Maersk Kinloss", "274W"),
             ("BK-55210", "TGHU7720415", "Maersk Halden", "251W"), ("BK-55172", "MSKU4892137", "Maersk Kinloss", "274W")]
    ports = ["Yantian", "Tanjung Pelepas", "Colombo", "Suez transit", "Algeciras", "Rotterdam", "Felixstowe"]

    def booking(ref, cont, vessel, voy):
        return {"booking_ref": ref, "shipper": "Guangdong Evershine Furniture Co.", "consignee": "Hollins & Marsh Interiors Ltd",
                "pol": "Yantian", "pod": "Felixstowe", "vessel": vessel, "voyage": voy, "containers": [{"no": cont, "type": "40HC", "seal": f"SL{rng.randint(100000, 999999)}",
                                                                                                      "gross_kg": rng.randint(8000, 19000), "pkgs": rng.randint(120, 600)}],
                "cargo": "flat-pack furniture, HS 9403.60", "incoterm": "FOB", "cutoff": stamp(rng, 2), "remarks": "consignee requests 24h pre-advice for delivery",
                "audit": [{"at": stamp(rng, rng.randint(1, 12)), "user": rng.choice(["hzhou", "edi-gateway", "mlarsen", "customer-portal"]),
                           "change": rng.choice(["SI received", "VGM submitted", "HS code amended", "seal number updated", "consignee address corrected", "draft B/L issued", "free-time request logged", "cargo weight amended"])} for _ in range(28)]}

    def track(cont, vessel):
        return {"container": cont, "events": [{"at": stamp(rng, 1 + i * 2), "event": e, "location": p, "vessel": vessel if "load" in e or "discharge" in e else None}
                                               for i, (e, p) in enumerate([("empty release", "Yantian depot"), ("empty gate out", "Yantian depot"), ("gate in full", "Yantian"), ("customs release", "Yantian"), ("loaded on vessel", "Yantian"),
                                                                           ("vessel departure", "Yantian"), ("vessel arrival", "Tanjung Pelepas"), ("transshipment discharge", "Tanjung Pelepas"), ("yard move", "Tanjung Pelepas"),
                                                                           ("loaded on vessel", "Tanjung Pelepas"), ("vessel departure", "Tanjung Pelepas"), ("vessel arrival", "Colombo"), ("vessel departure", "Colombo"),
                                                                           ("in transit", "Suez transit"), ("in transit", "Mediterranean"), ("reefer check n/a", "at sea")])]}

    def sched(vessel, voy):
        return {"vessel": vessel, "voyage": voy, "rotation": [{"port": p, "eta": stamp(rng, 3 + 3 * i), "etd": stamp(rng, 4 + 3 * i), "terminal": rng.choice(["CT3", "Berth 7", "APM", "North Quay"])} for i, p in enumerate(ports)]}

    def invoice(ref):
        return {"booking_ref": ref, "lines": [{"code": c, "desc": d, "amount_usd": rng.randint(40, 2600)} for c, d in
                                               [("OFR", "ocean freight"), ("BAF", "bunker adjustment"), ("THC-O", "origin terminal handling"), ("DOC", "documentation"), ("ISPS", "port security"), ("LSS", "low sulphur surcharge")]],
                "status": rng.choice(["unpaid", "paid"]), "due": stamp(rng, 28)}
    groups = [[("lookup_booking", {"booking_ref": books[0][0]}, booking(*books[0]))]]
    groups += [[("lookup_booking", {"booking_ref": b[0]}, booking(*b))] for b in books[1:]]
    groups += [[("track_container", {"container_no": b[1]}, track(b[1], b[2])) for b in books[:2]], [("track_container", {"container_no": b[1]}, track(b[1], b[2])) for b in books[2:]]]
    groups += [[("get_vessel_schedule", {"vessel": "Maersk Kinloss", "voyage": "274W"}, sched("Maersk Kinloss", "274W"))],
               [("get_vessel_schedule", {"vessel": "Maersk Halden", "voyage": "251W"}, sched("Maersk Halden", "251W"))]]
    groups += [[("get_invoice", {"booking_ref": b[0]}, invoice(b[0]))] for b in books]
    tail = [U("Customer at Hollins & Marsh is upset about four bookings to Felixstowe: BK-55120, BK-55127, BK-55210 and BK-55172. Pull everything and give me a status per booking.")]
    for g in groups:
        tail += exchange(rng, g)
    return dict(system="You are the customer-service assistant at Halden Freight Brokers, with read access to bookings, tracking and invoices.",
                domains=["ship", "vet", "podcast"], tools=tools, tail=tail, pre_tokens=rng.randint(1000, 7000),
                final="Which voyage number is the BK-55120 box sailing on?",
                needed=["247W"], stale=["274W"],
                notes="14 calls; the needed voyage is in the first booking lookup, a look-alike voyage (274W) and container numbers appear in three later results.")


@case("agent_loop")
def _(rng):
    tools = [tool("search_patients", "Search patients by name.", name="patient name"),
             tool("get_lab_results", "Latest lab panel for a patient.", patient_id="patient id"),
             tool("get_lab_history", "Earlier lab panels for a patient, excluding the latest.", patient_id="patient id"),
             tool("get_visit_notes", "Visit notes for a patient this year.", patient_id="patient id"),
             tool("get_prescriptions", "Active prescriptions.", patient_id="patient id")]
    pats = [("P-10422", "Pepper", "Ruiz", "DSH", 14), ("P-11873", "Pepper", "Lindqvist", "Siamese", 11), ("P-12950", "Pepper", "Oduya", "Persian", 9)]

    def panel(pid, creat, date):
        return {"patient_id": pid, "collected": date, "panel": "senior chemistry + UA", "results": {
            "creatinine": creat, "BUN": f"{rng.randint(22, 60)} mg/dL", "SDMA": f"{rng.randint(12, 26)} µg/dL", "phosphorus": f"{rng.uniform(3.5, 7.2):.1f} mg/dL",
            "potassium": f"{rng.uniform(3.6, 5.2):.1f} mmol/L", "USG": f"1.0{rng.randint(12, 40)}", "UPC": f"{rng.uniform(0.1, 0.8):.2f}", "ALT": f"{rng.randint(30, 120)} U/L",
            "T4": f"{rng.uniform(1.2, 4.1):.1f} µg/dL", "PCV": f"{rng.randint(26, 44)}%"},
            "cbc": {k: f"{rng.uniform(lo, hi):.1f} {u}" for k, lo, hi, u in [("WBC", 5, 19, "K/µL"), ("neutrophils", 2.5, 12.5, "K/µL"), ("lymphocytes", 0.4, 6.8, "K/µL"), ("monocytes", 0.1, 0.9, "K/µL"),
                                                                            ("eosinophils", 0.1, 1.5, "K/µL"), ("RBC", 6, 11, "M/µL"), ("HGB", 9, 15.5, "g/dL"), ("MCV", 39, 55, "fL"), ("MCHC", 30, 36, "g/dL"),
                                                                            ("RDW", 14, 21, "%"), ("platelets", 150, 600, "K/µL"), ("reticulocytes", 3, 50, "K/µL")]},
            "urinalysis": {"color": "yellow", "clarity": rng.choice(["clear", "slightly cloudy"]), "protein": rng.choice(["negative", "trace", "1+"]), "glucose": "negative", "blood": rng.choice(["negative", "trace"]),
                           "sediment": rng.choice(["no significant findings", "rare struvite crystals", "few epithelial cells"])},
            "interpretation": rng.choice(["Values consistent with stable chronic kidney disease; recheck in 3 months.", "Mild azotaemia; correlate with hydration status.", "No significant change from prior panel."]), "lab": "Coastline Reference Labs", "comment": rng.choice(["mild lipemia", "no comment", "sample slightly hemolysed"])}

    def notes(pid, name):
        return {"patient_id": pid, "visits": [{"date": f"2025-{m:02d}-{rng.randint(1, 28):02d}", "vet": rng.choice(["Dr. Solberg", "Dr. Abernathy"]),
                                                "summary": rng.choice([f"{name} eating well, weight stable, owner reports increased thirst.", f"Dental grade 2, scaling recommended. {name} tolerated exam.",
                                                                       f"Vomiting twice weekly, hairballs suspected. {name} bright and alert.", f"Recheck blood pressure 150 mmHg, repeat in 4 weeks.",
                                                                       f"Vaccines updated. {name} hid under the chair for most of the visit."]),
                                                "weight_kg": round(rng.uniform(3.1, 5.9), 1)} for m in sorted(rng.sample(range(1, 11), 10))]}

    def rx(pid):
        return {"patient_id": pid, "active": [{"drug": d, "sig": s, "refills": rng.randint(0, 5)} for d, s in rng.sample(
            [("renal diet, dry", "feed as directed"), ("benazepril 2.5 mg", "1/2 tab PO q24h"), ("maropitant 16 mg", "1 tab PO q24h PRN"), ("mirtazapine ointment", "1.5 in to ear q24h"),
             ("amlodipine 0.625 mg", "1 tab PO q24h"), ("aluminium hydroxide", "with meals")], 3)]}
    groups = [[("search_patients", {"name": "Pepper"}, {"matches": [{"patient_id": p[0], "name": p[1], "owner": p[2], "breed": p[3], "age_y": p[4], "species": "feline"} for p in pats]})],
              [("get_lab_results", {"patient_id": "P-10422"}, panel("P-10422", "2.9 mg/dL", "2025-10-06"))],
              [("get_lab_results", {"patient_id": "P-11873"}, panel("P-11873", "1.9 mg/dL", "2025-09-22")), ("get_lab_results", {"patient_id": "P-12950"}, panel("P-12950", "1.6 mg/dL", "2025-08-30"))],
              [("get_visit_notes", {"patient_id": p[0]}, notes(p[0], p[1])) for p in pats],
              [("get_lab_history", {"patient_id": "P-10422"}, {"patient_id": "P-10422", "panels": [panel("P-10422", "2.4 mg/dL", "2025-03-11"), panel("P-10422", "2.2 mg/dL", "2024-12-09"), panel("P-10422", "2.1 mg/dL", "2024-09-02"), panel("P-10422", "2.0 mg/dL", "2024-03-18")]})],
              [("get_prescriptions", {"patient_id": p[0]}, rx(p[0])) for p in pats],
              [("get_lab_history", {"patient_id": "P-11873"}, {"patient_id": "P-11873", "panels": [panel("P-11873", "1.8 mg/dL", "2025-02-17")]})]]
    tail = [U("Dr. Solberg wants a renal summary on every cat called Pepper we've seen this year, before Friday's CKD clinic. Pull labs, notes and meds.")]
    for g in groups:
        tail += exchange(rng, g)
    return dict(system="You are the records assistant at Harbourside Veterinary Hospital, with read access to the practice management system.",
                domains=["vet", "aero", "permits"], tools=tools, tail=tail, pre_tokens=rng.randint(3500, 9000),
                final="What was the Ruiz family cat's most recent creatinine?",
                needed=["2.9 mg/dL"], stale=["2.4 mg/dL", "1.9 mg/dL"],
                notes="13 calls; the latest panel is the 2nd result; the same cat's older panels and two other Peppers' panels come later.")


@case("agent_loop")
def _(rng):
    tools = [tool("get_pay_stub", "Pay stub for an employee and pay period.", employee_id="employee id", period="pay period"),
             tool("get_timesheet", "Approved timesheet.", employee_id="employee id", period="pay period"),
             tool("get_deductions", "Standing deductions and garnishments.", employee_id="employee id")]
    emps = [("E-1043", "Farah Haddad", "$4,118.62"), ("E-1087", "Oluwaseun Bankole", "$2,904.15"), ("E-1102", "Farid Hadi", "$4,181.62"),
            ("E-1139", "Wren Castellanos", "$1,877.40"), ("E-1151", "Ingrid Solheim", "$3,356.09")]

    def stub(eid, name, net):
        g = rng.randint(3000, 7000)
        return {"employee_id": eid, "name": name, "period": "PP22", "pay_date": "2025-10-31", "earnings": [{"code": "REG", "hours": 80, "amount": f"${g:,}.00"},
                {"code": "OT", "hours": rng.randint(0, 9), "amount": f"${rng.randint(0, 600)}.{rng.randint(10, 99)}"}, {"code": "ADJ", "amount": f"${rng.randint(20, 400)}.00", "memo": "manual adjustment"}],
                "taxes": {"federal": f"${rng.randint(300, 900)}.{rng.randint(10, 99)}", "state_OR": f"${rng.randint(150, 500)}.{rng.randint(10, 99)}", "fica": f"${rng.randint(200, 520)}.{rng.randint(10, 99)}"},
                "deductions": {"medical": "$142.30", "401k": f"${rng.randint(90, 400)}.00"}, "net_pay": net,
                "ytd": {k: f"${rng.randint(2000, 90000):,}.{rng.randint(10, 99)}" for k in ["gross", "federal", "state_OR", "fica", "medical", "401k"]},
                "daily": [{"date": f"2025-10-{d:02d}", "dept": rng.choice(["floor", "receiving", "register"]), "hours": rng.choice([7.5, 8, 8, 8.5]), "code": rng.choice(["REG", "REG", "REG-EVE"]), "amount": f"${rng.randint(150, 420)}.{rng.randint(10, 99)}"} for d in range(13, 27) if d not in (18, 19)],
                "accruals": {"pto_balance_h": round(rng.uniform(8, 150), 2), "pto_accrued_h": 6.15, "pto_used_h": rng.choice([0, 4, 8])},
                "messages": rng.sample(["Open enrollment closes Nov 15.", "Update your address in the people portal.", "Holiday schedule posted.", "W-2 consent due Dec 31."], 2)}

    def ts(eid):
        return {"employee_id": eid, "period": "PP22", "approved_by": rng.choice(["store mgr Eugene", "store mgr Bend", "DC supervisor"]),
                "punch_source": rng.choice(["store kiosk", "mobile app"]), "days": [{"date": f"2025-10-{d:02d}", "dept": rng.choice(["floor", "receiving", "register", "rentals"]), "in": f"0{rng.randint(6, 9)}:{rng.choice(['00', '15', '30'])}", "out": f"1{rng.randint(5, 8)}:{rng.choice(['00', '30', '45'])}", "meal_min": 30, "edits": rng.choice([[], [], ["missed punch corrected by manager"], ["meal break waived, signed"]])} for d in range(13, 27) if d not in (18, 19)]}

    def ded(eid):
        return {"employee_id": eid, "standing": [{"type": t, "amount": f"${rng.randint(10, 300)}.00", "per": "period"} for t in rng.sample(["medical", "dental", "vision", "401k", "HSA", "union dues", "child support order"], 4)]}
    groups = [[("get_pay_stub", {"employee_id": emps[0][0], "period": "PP22"}, stub(*emps[0]))]]
    groups += [[("get_pay_stub", {"employee_id": e[0], "period": "PP22"}, stub(*e)) for e in emps[1:3]], [("get_pay_stub", {"employee_id": e[0], "period": "PP22"}, stub(*e)) for e in emps[3:]]]
    groups += [[("get_timesheet", {"employee_id": e[0], "period": "PP22"}, ts(e[0]))] for e in emps]
    groups += [[("get_deductions", {"employee_id": e[0]}, ded(e[0])) for e in emps[:3]], [("get_deductions", {"employee_id": e[0]}, ded(e[0])) for e in emps[3:]]]
    tail = [U("Pre-check PP22 before we submit: pull the stubs, timesheets and deductions for the five people with manual adjustments (E-1043, E-1087, E-1102, E-1139, E-1151) and flag anything odd.")]
    for g in groups:
        tail += exchange(rng, g)
    return dict(system="You assist the payroll team at Brightwater Outdoor Supply with read-only access to the payroll system.",
                domains=["payroll", "museum", "solar"], tools=tools, tail=tail, pre_tokens=rng.randint(2500, 8000),
                final="What's Farah Haddad's net on this cycle's stub?",
                needed=["$4,118.62"], stale=["$4,181.62"],
                notes="15 calls; the needed net pay is in the first stub; an employee with a similar name has the digits swapped.")


@case("agent_loop")
def _(rng):
    tools = [tool("get_project", "Project summary.", project_id="project id"),
             tool("get_interconnection", "Utility interconnection application status.", project_id="project id"),
             tool("get_permit_status", "Building permit status.", project_id="project id"),
             tool("get_inspection", "Inspection results.", project_id="project id"),
             tool("list_photos", "Site photo index.", project_id="project id")]
    projs = [("PRJ-7781", "Delacroix", "IX-2291-PGE"), ("PRJ-7794", "Whitcombe", "IX-2219-PGE"), ("PRJ-7802", "Anand", "IX-2307-PGE")]

    def proj(pid, name):
        return {"project_id": pid, "customer": name, "address": f"{rng.randint(100, 9999)} {rng.choice(STREETS)}", "system_kw": rng.choice([6.4, 7.8, 9.6, 11.2]),
                "modules": f"{rng.randint(16, 30)} x Aurelis 400W", "inverter": rng.choice(["HX9-7.6", "HX9-11.4"]), "battery": rng.choice(["none", "Voltaris H12"]),
                "sales_rep": rng.choice(["Dana", "Kofi", "Marguerite"]), "stage": rng.choice(["installed", "awaiting PTO", "scheduled"])}

    def ix(pid, num):
        return {"project_id": pid, "utility": "PG&E", "application_number": num, "submitted": "2025-08-19", "status": rng.choice(["approved to install", "under review", "PTO pending meter swap"]),
                "history": [{"at": stamp(rng, 3 + i * 3), "note": n} for i, n in enumerate(["application received", "fee paid", "engineering review started", "single-line diagram accepted", "meter swap requested"])]}

    def permit(pid):
        return {"project_id": pid, "ahj": rng.choice(["City of Petaluma", "Sonoma County PRMD"]), "permit_no": f"B25-{rng.randint(10000, 99999)}", "status": rng.choice(["issued", "finaled", "corrections"]),
                "comments": rng.sample(["Add rapid shutdown placard at main panel", "Provide structural letter for rafters", "Show conduit route on roof plan", "Label AC disconnect", "Provide module datasheet"], 3)}

    def insp(pid):
        return {"project_id": pid, "inspections": [{"type": t, "date": f"2025-10-{rng.randint(1, 28):02d}", "result": rng.choice(["pass", "pass", "fail - correction notice"]), "inspector": rng.choice(["Ferro", "Lund"])} for t in ["rough electrical", "final electrical", "final building"]]}

    def photos(pid):
        return {"project_id": pid, "photos": [{"file": f"{pid}_{i:03d}.jpg", "tag": rng.choice(["attachment", "conduit", "main panel", "inverter", "array", "labels"]), "taken": stamp(rng, rng.randint(1, 28))} for i in range(110)]}
    groups = [[("get_project", {"project_id": projs[0][0]}, proj(projs[0][0], projs[0][1]))],
              [("get_interconnection", {"project_id": projs[0][0]}, ix(projs[0][0], projs[0][2]))],
              [("get_project", {"project_id": p[0]}, proj(p[0], p[1])) for p in projs[1:]],
              [("get_permit_status", {"project_id": p[0]}, permit(p[0])) for p in projs],
              [("get_interconnection", {"project_id": p[0]}, ix(p[0], p[2])) for p in projs[1:]],
              [("get_inspection", {"project_id": p[0]}, insp(p[0])) for p in projs],
              [("list_photos", {"project_id": p[0]}, photos(p[0])) for p in projs[1:]]]
    tail = [U("Quick status sweep on the Delacroix, Whitcombe and Anand jobs: project, permit, interconnection, inspections, photos. I have the utility on the phone in ten minutes.")]
    for g in groups:
        tail += exchange(rng, g)
    return dict(system="You are the project coordinator's assistant at Sunfield Rooftop Solar, with access to the project database.",
                domains=["solar", "wine", "school"], tools=tools, tail=tail, pre_tokens=rng.randint(1500, 8000),
                final="The utility rep wants the application number for the Delacroix house. What is it?",
                needed=["IX-2291-PGE"], stale=["IX-2219-PGE"],
                notes="16 calls; Delacroix's interconnection number is the 2nd result; Whitcombe's near-identical number comes later.")


@case("agent_loop")
def _(rng):
    tools = [tool("lims_get_sample", "Sample record from the LIMS.", sample_id="sample id"),
             tool("lims_search", "Search samples.", query="search text"),
             tool("freezer_map", "Occupancy map of a freezer.", freezer="freezer name"),
             tool("get_protocol", "Protocol text.", protocol_id="protocol id")]

    def sample(sid, loc, passage, frozen):
        return {"sample_id": sid, "type": "intestinal organoid, cryovial", "line": "hIO-22", "passage": passage, "frozen": frozen, "frozen_by": rng.choice(["Wen", "Tobias", "Amira"]),
                "location": loc, "medium": "IntestiCult + 10 uM Y-27632", "viability_at_freeze": f"{rng.randint(78, 95)}%", "notes": rng.choice(["good density", "slightly small organoids", "frozen day 6 after split"])}

    def fmap(name):
        return {"freezer": name, "temp_setpoint": "-80 C", "shelves": [{"shelf": s, "racks": [{"rack": r, "boxes": [{"box": b, "owner": rng.choice(["Okafor", "Lindqvist", "core"]), "filled": rng.randint(10, 81)}
                                                                                                              for b in rng.sample(range(1, 60), 9)]} for r in "ABCD"]} for s in range(1, 6)]}
    groups = [[("lims_get_sample", {"sample_id": "S-30417"}, sample("S-30417", "Polaris / shelf 2 / rack B / box 14 / pos 37", 9, "2025-06-02"))],
              [("lims_search", {"query": "hIO-22 organoid backup vials"}, {"hits": [{"sample_id": s, "passage": p, "frozen": f} for s, p, f in [("S-30418", 9, "2025-06-02"), ("S-30471", 11, "2025-07-19"), ("S-30502", 12, "2025-08-30"), ("S-29988", 6, "2025-01-14")]]})],
              [("lims_get_sample", {"sample_id": "S-30418"}, sample("S-30418", "Polaris / shelf 2 / rack B / box 14 / pos 38", 9, "2025-06-02")),
               ("lims_get_sample", {"sample_id": "S-30471"}, sample("S-30471", "Polaris / shelf 2 / rack B / box 41 / pos 37", 11, "2025-07-19"))],
              [("lims_get_sample", {"sample_id": "S-30502"}, sample("S-30502", "Vega / shelf 1 / rack D / box 3 / pos 12", 12, "2025-08-30"))],
              [("freezer_map", {"freezer": "Polaris"}, fmap("Polaris")), ("freezer_map", {"freezer": "Vega"}, fmap("Vega"))],
              [("get_protocol", {"protocol_id": "PR-ORG-004"}, {"protocol_id": "PR-ORG-004", "title": "Thawing intestinal organoids", "steps": [
                  "Pre-warm basal medium to 37 C and thaw Matrigel on ice.", "Thaw the vial in a 37 C bath until a small ice crystal remains.", "Transfer dropwise into 10 mL cold basal medium.",
                  "Spin 200 g for 5 minutes; aspirate supernatant.", "Resuspend in Matrigel, plate 50 uL domes, invert 10 minutes.", "Add complete medium with Y-27632 for the first 2 days."]})],
              [("lims_get_sample", {"sample_id": "S-29988"}, sample("S-29988", "Vega / shelf 3 / rack A / box 22 / pos 5", 6, "2025-01-14"))],
              [("lims_search", {"query": "Matrigel lot"}, {"hits": [{"reagent": "Matrigel GFR", "lot": f"{rng.randint(1000000, 9999999)}", "expires": f"2026-0{rng.randint(1, 9)}-01", "location": "fridge R-2"} for _ in range(4)]})]]
    tail = [U("We need to thaw the S-30417 organoid line plus two backups for Monday. Find them, check passages and freezer positions, and pull the thaw protocol.")]
    for g in groups:
        tail += exchange(rng, g)
    return dict(system="You are the lab assistant for the Okafor immunology group, with read-only LIMS access.",
                domains=["biotech", "ship", "gamesrv"], tools=tools, tail=tail, pre_tokens=rng.randint(1000, 6000),
                final="Exactly where is the S-30417 vial sitting: which box and which slot?",
                needed=["box 14 / pos 37"], stale=["box 41 / pos 37"],
                notes="10 calls; the location is the first result; a backup vial with the box digits swapped comes later.")


LOAN_CLAUSES = [
    "1. Term. The loan begins when the objects leave the Lender's premises and ends when they are returned and the Lender has signed the incoming condition report.",
    "2. Care. The Borrower will give the objects the same care it gives comparable objects of its own, and at least the care required by this agreement.",
    "3. Environment. Display and storage areas shall be kept at 45-55% relative humidity and 18-22 C, with daily fluctuation not exceeding 5% and 2 C. Light levels on works on paper shall not exceed 50 lux.",
    "4. Handling. Objects may be handled only by trained staff. Frames may not be opened and mounts may not be altered without the Lender's written consent.",
    "5. Security. The exhibition space shall be guarded during opening hours and alarmed at all other times.",
    "6. Insurance. The Borrower shall insure the objects wall to wall at the values stated in this agreement against all risks of physical loss or damage, subject to standard exclusions. The Lender shall be named as loss payee.",
    "7. Damage. Any damage, however minor, shall be reported to the Lender within 24 hours with photographs. No repair may be attempted without written authorisation.",
    "8. Packing and transport. Packing shall be done by a fine-art shipper approved by the Lender. A Lender's courier shall accompany the objects in both directions, with travel and per diem paid by the Borrower.",
    "9. Credit. The credit line stated in this agreement shall be used on labels, in the catalogue and in publicity.",
    "10. Reproduction. The Borrower may photograph the objects for condition, record and educational purposes. Commercial reproduction requires a separate licence.",
    "11. Cancellation. Either party may cancel with 90 days' written notice; the Lender may recall the objects at any time if this agreement is breached.",
]


@case("agent_loop")
def _(rng):
    tools = [tool("catalog_search", "Search the collection catalogue.", query="search text"),
             tool("get_object", "Catalogue record for one object.", object_id="accession number"),
             tool("get_loan", "Loan agreement record.", loan_id="loan id"),
             tool("get_condition_report", "Latest condition report.", object_id="accession number")]
    objs = [("2009.12.4", "Utagawa Hiroshige, Sudden Shower over Shin-Ōhashi Bridge and Atake, 1857", "LA-2024-017"),
            ("2011.3.19", "Katsushika Hokusai, Fine Wind, Clear Morning, c. 1830-32", "LA-2024-019"),
            ("1998.40.2", "Kitagawa Utamaro, Woman Reading a Letter, c. 1795", "LA-2024-019")]

    def loan(lid, rows):
        return {"loan_id": lid, "borrower": "Kessler Museum of Art", "exhibition": "Floating World: Prints of Edo", "dates": "2026-02-14 to 2026-06-07",
                "objects": [{"object_id": o, "insured_value": v, "display": "max 50 lux, 8 weeks then rest"} for o, v in rows],
                "courier": "required, both directions", "credit_line": "Lent by the Tamsin Bay Historical Museum", "photography": "no flash; borrower may photograph for condition only",
                "clauses": LOAN_CLAUSES}

    def obj(o, title):
        return {"object_id": o, "title": title, "medium": "woodblock print, ink and colour on paper", "dimensions": f"{rng.randint(33, 38)}.{rng.randint(0, 9)} x {rng.randint(22, 26)}.{rng.randint(0, 9)} cm",
                "provenance": rng.choice(["Gift of Mrs. Eleanor Vance, 1962", "Purchased from Harrow & Finch, 1998", "Bequest of Dr. Hiro Tanabe"]), "location": f"Print store drawer {rng.randint(1, 40)}",
                "exhibition_history": [f"{y}: {t}" for y, t in [(rng.randint(1970, 1990), "Japanese Prints from the Collection"), (rng.randint(1991, 2015), "Waves and Weather")]],
                "inscriptions": rng.sample(["publisher's seal lower left", "censor's seal upper right", "artist's signature in cartouche", "collector's stamp verso", "pencil inventory number verso"], 3),
                "bibliography": rng.sample(["Lane, Images from the Floating World (1978), p. 212", "Smith, Hiroshige: One Hundred Famous Views of Edo (1986), pl. 58", "Forrer, Hiroshige: Prints and Drawings (1997), no. 144",
                                            "Tamsin Bay Museum Bulletin 14 (1963), p. 7", "Calza, Ukiyo-e (2005), p. 301", "Exhibition catalogue, Waves and Weather (2004), cat. 22", "Newland, The Hotei Encyclopedia (2005), vol. 2"], 5),
                "cataloguer_notes": "Good impression with strong bokashi in the sky; colours slightly faded in the lower third from earlier display. Mounted in a window mat of 4-ply museum board with Japanese tissue hinges. Do not display for more than eight weeks in any year."}

    def cond(o):
        return {"object_id": o, "report_id": f"CR-{rng.randint(2019, 2024)}-{rng.randint(100, 399)}", "examiner": "Imogen Frayne", "overall": rng.choice(["good", "fair"]),
                "observations": rng.sample(["minor foxing lower margin", "old hinge repair verso", "slight fading of blue pigment", "trimmed at left margin", "small tear 4 mm top edge, stable", "light surface dirt"], 3),
                "suitable_for_loan": True, "max_lux": 50}
    groups = [[("catalog_search", {"query": "Hiroshige"}, {"hits": [{"object_id": o, "title": t} for o, t, _ in objs[:1]] + [{"object_id": f"20{rng.randint(10, 22)}.{rng.randint(1, 30)}.{rng.randint(1, 9)}", "title": t} for t in ["Hiroshige (school of), Evening Snow at Kanbara, later impression", "Hiroshige II, Fireworks at Ryogoku"]]})],
              [("get_loan", {"loan_id": "LA-2024-017"}, loan("LA-2024-017", [("2009.12.4", "$1,250,000")]))],
              [("get_object", {"object_id": o}, obj(o, t)) for o, t, _ in objs],
              [("get_condition_report", {"object_id": o}, cond(o)) for o, _, _ in objs],
              [("get_loan", {"loan_id": "LA-2024-019"}, loan("LA-2024-019", [("2011.3.19", "$1,205,000"), ("1998.40.2", "$340,000")]))],
              [("catalog_search", {"query": "Kessler Museum loans"}, {"hits": [{"loan_id": l, "status": s} for l, s in [("LA-2024-017", "signed"), ("LA-2024-019", "awaiting borrower signature"), ("LA-2021-006", "closed")]]})],
              [("get_loan", {"loan_id": "LA-2021-006"}, loan("LA-2021-006", [("1975.2.11", "$85,000")]))]]
    tail = [U("Prepare the outgoing loan file for the Hiroshige print going to the Kessler, and check whether the other two Edo prints in the same request have their paperwork in order.")]
    for g in groups:
        tail += exchange(rng, g)
    return dict(system="You are the registrar's assistant at the Tamsin Bay Historical Museum, with read access to the collections database.",
                domains=["museum", "payroll", "ship"], tools=tools, tail=tail, pre_tokens=rng.randint(4500, 11000),
                final="What insured value does the loan agreement give for the Hiroshige?",
                needed=["$1,250,000"], stale=["$1,205,000"],
                notes="11 calls; the Hiroshige's insured value is in the 2nd result; the Hokusai's transposed value comes later.")


# ---------------------------------------------------------------------------------------------
# decisions made in assistant replies
# ---------------------------------------------------------------------------------------------


@case("assistant_decision")
def _(rng):
    return dict(
        system="You are the producer's assistant for the podcast 'Low Tide'. Help plan recordings, guests and budgets.",
        domains=["podcast", "biotech", "permits"],
        blocks=[(0.15, [U("We need somewhere to tape the season finale live with three guests in the room. Options: Greyhaven Studios downtown ($450/hr, huge room, no parking), Larkspur Sound in the Mill District ($310/hr, their B room seats six, free lot), or the library media lab (free, but bookable only two weeks out and no isolation booth). What would you pick?"),
                         A("I'd book Studio B at Larkspur Sound. Six seats fits three guests, both hosts and a producer; the free lot matters when guests bring instruments; and a four-hour block there costs $560 less than the downtown room you wouldn't fill. The library is tempting on price, but the two-week booking window is too tight for the finale date.")]),
                (0.22, [U("Makes sense, go with your pick."), A("Great. I'll draft the booking email and hold the date with them.")])],
        final="Remind me where we landed for taping the last episode of the season?",
        needed=["Studio B at Larkspur Sound"], stale=["Greyhaven Studios"],
        notes="The choice exists only in the assistant's reply; the user's option list names all three.")


@case("assistant_decision")
def _(rng):
    return dict(
        system="You help the assistant principal at Maple Hollow Middle School with scheduling, events and parent communication.",
        domains=["school", "solar", "ship"],
        blocks=[(0.2, [U("The science fair can't stay on May 9: state testing took the gym that week. I could do the cafeteria on May 9, the gym a week later on the 16th, or split it across two library sessions on May 12 and 13. Families keep asking. What would you do?"),
                        A("Move it to the gym on Friday, May 16. Forty tri-fold boards need floor space the cafeteria doesn't have once the lunch tables are folded against the walls, and splitting it across two library sessions doubles the judges' time. Announce it this week so nobody turns up on the ninth.")])],
        final="Parents are emailing me again. Which day and room did we settle on for the eighth graders' project showcase?",
        needed=["gym on Friday, May 16"], stale=["May 12"],
        notes="Decision in the assistant reply among three options the user listed.")


@case("assistant_decision")
def _(rng):
    return dict(
        system="You assist the export desk at Halden Freight Brokers with carrier selection, quotes and customer emails.",
        domains=["ship", "museum", "gamesrv"],
        blocks=[(0.12, [U("Client wants 12 x 40HC of furniture from Haiphong to Valencia by the first week of March. Two quotes: CMA CGM via Tanger Med at $3,180 per box, 38 days; Hapag-Lloyd via Algeciras at $3,420 per box, 31 days. Both have one transshipment. Which do I put forward?"),
                         A("Recommend Hapag-Lloyd through Algeciras. The extra $240 per box is $2,880 across twelve containers, and that buys a week of slack against the early-March date. Tanger Med has rolled connections several times this winter, and one roll would blow the deadline. Keep the other quote in the email as the budget option.")])],
        final="The client signed off on your recommendation. Which ocean line am I booking the twelve boxes with?",
        needed=["Recommend Hapag-Lloyd through Algeciras"], stale=["CMA CGM via Tanger Med"],
        notes="Carrier recommendation in an assistant reply; both lines are named in the user's message.")


@case("assistant_decision")
def _(rng):
    return dict(
        system="You help the owner of Corvo & Lane's small retail shop with pricing, shelf layout and promotions.",
        domains=["wine", "payroll", "vet"],
        blocks=[(0.1, [U("Pricing the Quinta do Ameal Vinho Verde for the shop. Landed cost is $11.60 a bottle. I was thinking $24.99 but that feels steep for Vinho Verde. Thoughts?"),
                        A("I'd put it on the shelf at $21.99. That's still a healthy margin over the $11.60 cost, it sits just under the $22 line where most summer whites compete, and it leaves room for a 10% case discount. At the higher price it would sit next to Sancerre and lose that fight.")])],
        final="I'm printing the shelf talker for the Portuguese white now. What number goes on it?",
        needed=["$21.99"], stale=["$24.99"],
        notes="Price decided by the assistant, replacing the user's first idea.")


@case("assistant_decision")
def _(rng):
    return dict(
        system="You are the operations assistant for the Emberfall Online server team. Help with scheduling, runbooks and player communication.",
        domains=["gamesrv", "school", "museum"],
        blocks=[(0.15, [U("We need a weekly maintenance window for the new Oceania shard. Community folks say Sunday 03:00 UTC is dead time, but I think that's Sunday afternoon in Sydney. Other options are Wednesdays 09:00-11:00 UTC or Tuesdays 16:00-18:00 UTC. On-call is in Europe."),
                         A("Take Tuesdays 16:00-18:00 UTC. In Sydney that's 3 to 5 a.m. on Wednesday during daylight saving, the quietest hours of the week for that shard, and it's late afternoon for the European on-call, so nobody works at night. The Wednesday slot lands in Australian prime time, and you're right that Sunday 03:00 UTC is a Sunday afternoon there.")])],
        final="I'm putting the recurring downtime for the Oceania realm on the public status page. Which slot was it?",
        needed=["Take Tuesdays 16:00-18:00 UTC"], stale=["Wednesdays 09:00-11:00 UTC"],
        notes="The assistant picks one of three windows the user listed; only its reply says which.")


@case("assistant_decision")
def _(rng):
    return dict(
        system="You help the sales engineers at Sunfield Rooftop Solar size systems and write proposals.",
        domains=["solar", "podcast", "aero"],
        blocks=[(0.18, [U("Homeowner on Pinecrest Lane wants backup for the well pump, fridge and furnace blower. Quotes: one Helion Stack 9 (13.5 kWh, 5 kW continuous) or two Voltaris H12 units (2 x 12 kWh, 7.6 kW continuous combined). The well pump surges to about 6.2 kW. Which do we propose?"),
                         A("Propose the pair of Voltaris H12 units. The pump's 6.2 kW start surge is more than the single unit can deliver continuously, so you'd be leaning on its short surge rating every time the pump cycles. Two H12s give 24 kWh and 7.6 kW, enough to run pump, fridge and blower together through a winter outage.")])],
        final="Write up the storage line item for the Pinecrest proposal. Which backup hardware are we quoting?",
        needed=["pair of Voltaris H12 units"], stale=["Helion Stack 9"],
        notes="Equipment choice stated only in the assistant's reply.")


# ---------------------------------------------------------------------------------------------
# a fact stated early, then a long change of topic
# ---------------------------------------------------------------------------------------------


@case("early_fact")
def _(rng):
    return dict(
        system="You are the clinical assistant for Harbourside Veterinary Hospital, helping the team across a busy week.",
        domains=["school", "podcast", "payroll"],
        blocks=[(0.03, [U("Before we get into the week's admin: Juniper, the Halvorsens' schnauzer, reacted to chlorhexidine scrub last spring, with hives across her belly within the hour. Keep that in mind if she comes up."),
                         A("Noted. Juniper reacts to that scrub; I'll flag it whenever she's mentioned.")])],
        final="Juniper's dental is first thing tomorrow. Is there anything the tech should avoid when prepping her skin for the IV catheter?",
        needed=["chlorhexidine"],
        notes="Allergy given in the second turn; the rest of the conversation is about other work.")


@case("early_fact")
def _(rng):
    return dict(
        system="You are a maintenance control assistant for Northfjord Aero Services' line station.",
        domains=["wine", "museum", "solar"],
        blocks=[(0.04, [U("Start-of-shift note: N417QX, the E175, is flying with MEL 21-31-02 deferred, the pack 2 flow control valve. Category C, ten calendar days, deferred on the 3rd."),
                         A("Logged: N417QX has the pack 2 flow control valve deferred under category C.")])],
        final="Ops wants to send Four-One-Seven Quebec X-ray on the long sector tonight. Is it carrying any open deferral I should mention to the crew?",
        needed=["21-31-02"],
        notes="Deferred MEL item stated at shift start; the question uses the phonetic registration.")


@case("early_fact")
def _(rng):
    return dict(
        system="You help a homeowner with a renovation: budgets, contractors and city paperwork.",
        domains=["vet", "gamesrv", "wine"],
        blocks=[(0.05, [U("Quick reference for later: our lot on Orchard Bend is APN 084-221-17-00, zoned R-2, and it's a corner lot."),
                         A("Got it, I'll keep those details for the permit forms.")])],
        final="I'm filling in the encroachment application for the driveway apron. What parcel number goes in box 3?",
        needed=["084-221-17-00"],
        notes="Parcel number given once at the start.")


@case("early_fact")
def _(rng):
    return dict(
        system="You support the payroll and finance team at Brightwater Outdoor Supply.",
        domains=["ship", "school", "biotech"],
        blocks=[(0.04, [U("While I remember: our Oregon unemployment insurance account number is 8841027-6. The one printed on the old letterhead is from before the merger, ignore it."),
                         A("Noted, I'll use that account number for Oregon filings.")])],
        final="The Employment Department form is asking for our UI account ID. What do I put?",
        needed=["8841027-6"],
        notes="Account number stated once early; followed by unrelated work.")


@case("early_fact")
def _(rng):
    return dict(
        system="You help a parent keep track of school matters for their children.",
        domains=["solar", "aero", "podcast"],
        blocks=[(0.03, [U("Some context for the year: my son Elias is in fourth grade at Marigold Park, and his IEP case manager is Ms. Thandiwe Mokoena, extension 4412."),
                         A("Thanks, I'll keep that in mind.")])],
        final="Elias's reading accommodations aren't being followed in math class. Who do I contact about his plan, and what's her direct line at school?",
        needed=["Thandiwe Mokoena", "4412"],
        notes="Name and extension given at the start of a long unrelated conversation.")


@case("early_fact")
def _(rng):
    return dict(
        system="You assist the collections team at the Tamsin Bay Historical Museum.",
        domains=["payroll", "permits", "gamesrv"],
        blocks=[(0.05, [U("About the quilt donation: the donors want the credit line to read exactly 'Gift of the Halvorsen-Pike Family Trust, 2025'. They were very particular about the hyphen."),
                         A("Understood, I'll use that exact wording wherever the quilts are credited.")])],
        final="Drafting the wall text for the three donated quilts. How should the credit line read?",
        needed=["Gift of the Halvorsen-Pike Family Trust, 2025"],
        notes="Exact credit wording given early.")


# ---------------------------------------------------------------------------------------------
# multi-fact questions: two or three needed strings in different messages
# ---------------------------------------------------------------------------------------------


@case("multi_fact")
def _(rng):
    return dict(
        system="You assist the export desk at Halden Freight Brokers with bookings and carrier paperwork.",
        domains=["ship", "vet", "school"],
        blocks=[(0.1, [U("Shipper confirmed the gross weight for the frozen shrimp order from Can Tho: 18,650 kg including pallets."), A("Thanks, weight noted for the booking.")]),
                (0.55, [U("On equipment for the shrimp: they need a 40' high cube reefer set to -18 °C, vents closed."), A("Understood; I'll make sure the carrier has a pre-tripped unit.")])],
        final="Draft the booking request to the carrier for the shrimp, with the weight and the container spec we discussed.",
        needed=["18,650 kg", "40' high cube reefer"],
        notes="Weight and equipment given in two separate, distant messages.")


@case("multi_fact")
def _(rng):
    return dict(
        system="You are the lab assistant for the Okafor immunology group.",
        domains=["biotech", "wine", "podcast"],
        blocks=[(0.08, [U("The line we're sending to the genomics core is HEK293T-LX7, the one with the luciferase reporter."), A("Got it.")]),
                (0.4, [U("I counted back in the culture log: the flask going out will be at passage 14."), A("Noted; that's still well within the range the core accepts.")]),
                (0.75, [U("Myco test came back from the core facility: negative, sampled 2 October."), A("Good news, that clears the last release requirement.")])],
        final="Fill in the QA release form for the cells going to the core: line name, passage, and the date of the last mycoplasma result.",
        needed=["HEK293T-LX7", "passage 14", "2 October"],
        notes="Three facts in three separate messages.")


@case("multi_fact")
def _(rng):
    return dict(
        system="You assist Corvo & Lane Imports with logistics and correspondence.",
        domains=["wine", "gamesrv", "permits"],
        blocks=[(0.12, [U("For forms: our federal importer's basic permit number is CA-I-21877."), A("Noted.")]),
                (0.6, [U("The Porto bonded warehouse has a new contact, Inês Carvalho. She prefers email in English or Portuguese."), A("Thanks, I'll address warehouse emails to her.")])],
        final="Write the email to the warehouse in Portugal asking them to release our six pallets, and include our federal permit number for their records.",
        needed=["CA-I-21877", "Inês Carvalho"],
        notes="Permit number and warehouse contact given far apart.")


@case("multi_fact")
def _(rng):
    return dict(
        system="You are the producer's assistant for the podcast 'Low Tide'.",
        domains=["podcast", "aero", "payroll"],
        blocks=[(0.1, [U("New sponsor for the autumn: Brinewell Kelp Snacks. They want a mid-roll, host-read, about sixty seconds."), A("Great. I'll keep host reads conversational.")]),
                (0.45, [U("Their listener offer is promo code TIDEPOOL20 for 20% off the first order."), A("Noted.")]),
                (0.8, [U("Schedule update: episode 57 drops Thursday, October 30."), A("Got it, I'll plan the social clips around that.")])],
        final="Write the mid-roll ad read for the next episode, with the discount code and the release day.",
        needed=["Brinewell", "TIDEPOOL20", "October 30"],
        notes="Sponsor, code and date in three separate messages.")


@case("multi_fact")
def _(rng):
    return dict(
        system="You help the design team at Sunfield Rooftop Solar check electrical designs.",
        domains=["solar", "museum", "ship"],
        blocks=[(0.15, [U("Site survey for the Ostrowski job: main panel is a 200 A bus with a 175 A main breaker, top-fed."), A("Thanks, noted for the design.")]),
                (0.62, [U("Design settled on the HX9-7.6 for Ostrowski, output is 32 A continuous."), A("Good, I'll use that for the breaker sizing.")])],
        final="Does the 120% rule let us backfeed the inverter at the panel on the Ostrowski job? Show the maths with the numbers from the survey and the design.",
        needed=["200 A bus", "175 A main", "32 A continuous"],
        notes="Panel ratings and inverter output in separate messages; answer needs all of them.")


@case("multi_fact")
def _(rng):
    return dict(
        system="You are the player-support assistant for Emberfall Online.",
        domains=["gamesrv", "school", "biotech"],
        blocks=[(0.1, [U("FYI the account VexHollow was banned by automated anti-cheat on the 12th, detection id AC-5531 (speed modification)."), A("Noted.")]),
                (0.65, [U("VexHollow filed an appeal, ticket #88412. They say it was lag, not a speed hack."), A("Understood. We can review the detection details before replying.")])],
        final="Draft our reply to that player's appeal, quoting the ticket and the detection id.",
        needed=["AC-5531", "#88412"],
        notes="Detection id and ticket number in separate messages.")


# ---------------------------------------------------------------------------------------------
# near-duplicate distractors: similar rows, similar tool results
# ---------------------------------------------------------------------------------------------


@case("near_duplicate")
def _(rng):
    return dict(
        system="You are the front-desk assistant at Harbourside Veterinary Hospital.",
        domains=["vet", "solar", "wine"],
        blocks=[(0.2, [U("County rabies certificate back for Max, the golden retriever (owner Hendricks): tag RB-22-0418."), A("Filed under the Hendricks family's Max.")]),
                (0.45, [U("Another one: Max the beagle, owner Hendrickson, tag RB-22-0481."), A("Filed under the Hendrickson family's Max.")])],
        final="The beagle's owner is on the phone asking for his rabies tag number. What is it?",
        needed=["RB-22-0481"], stale=["RB-22-0418"],
        notes="Two dogs named Max with similar owner names and transposed tag numbers.")


@case("near_duplicate")
def _(rng):
    return dict(
        system="You are a technical records assistant for Northfjord Aero Services.",
        domains=["aero", "school", "payroll"],
        blocks=[(0.15, [U("Engine records for LN-NFA: #1 engine ESN PCE-896441, 4,212 hours since overhaul."), A("Recorded for LN-NFA number one.")]),
                (0.3, [U("And LN-NFA #2 engine: ESN PCE-896414, 3,987 hours since overhaul."), A("Recorded for LN-NFA number two.")]),
                (0.5, [U("For the sister ship LN-NFB, #2 engine ESN PCE-896144, 3,897 hours since overhaul."), A("Recorded for LN-NFB number two.")])],
        final="How many hours since overhaul does LN-NFA's number two engine have?",
        needed=["3,987"], stale=["4,212", "3,897"],
        notes="Three engine records with near-identical serials and hours.")


@case("near_duplicate")
def _(rng):
    return dict(
        system="You support the payroll team at Brightwater Outdoor Supply.",
        domains=["payroll", "gamesrv", "museum"],
        blocks=[(0.2, [U("Direct deposit change from Jon Park (E-2210): routing 121000358, account ending 4471."), A("Logged for verification.")]),
                (0.4, [U("Another change, from John Parks (E-2201): routing 121000248, account ending 4417."), A("Logged for verification as well.")])],
        final="I'm calling John Parks to verify his deposit change. What routing number did he submit?",
        needed=["121000248"], stale=["121000358"],
        notes="Two employees with nearly the same name submit bank changes.")


@case("near_duplicate")
def _(rng):
    return dict(
        system="You help the transportation office of the Cedar Valley school district answer parent questions.",
        domains=["school", "biotech", "ship"],
        blocks=[(0.25, [U("Route 22 (Maple Hollow Middle): leaves the depot 6:48, first stop Ferris Rd & Quail Run at 7:05."), A("Noted for route 22.")]),
                (0.4, [U("Route 22B (Maple Hollow Middle, late start days): first stop Ferris Rd & Quail Run at 7:50."), A("Noted for route 22B.")])],
        final="A parent is asking: what time is the first pickup on 22B?",
        needed=["Quail Run at 7:50"], stale=["Quail Run at 7:05"],
        notes="Two bus routes with the same first stop and different times.")


@case("near_duplicate")
def _(rng):
    tools = [tool("permit_lookup", "Look up a city permit.", permit_no="permit number")]
    p1 = {"permit_no": "BLD-2025-04417", "address": "412 Quillan Ave", "work": "detached garage, 480 sq ft", "status": "Approved - ready to issue", "fee_due": "$1,284.00",
          "reviewer": "J. Amadi", "conditions": ["Gutters to drain on site", "Maintain 5 ft side setback", "Inspections: footing, framing, final"]}
    p2 = {"permit_no": "BLD-2025-04471", "address": "412 Quillan Ave", "work": "rear deck, 220 sq ft", "status": "Corrections required", "fee_due": "$1,248.00",
          "reviewer": "J. Amadi", "conditions": ["Provide ledger attachment detail", "Show guard height", "Inspections: footing, framing, final"]}
    blk = [U("Can you check both of my permits, the garage and the deck?")] + exchange(rng, [("permit_lookup", {"permit_no": "BLD-2025-04417"}, p1), ("permit_lookup", {"permit_no": "BLD-2025-04471"}, p2)])
    blk.append(A("One of them is approved and ready to pick up; the other needs corrections on the ledger attachment and guard height before it can be issued."))
    return dict(
        system="You help residents of the City of Larchmont Falls with permits, using the city's permit lookup tool.",
        domains=["permits", "vet", "podcast"], tools=tools,
        blocks=[(0.3, blk)],
        final="How much do I need to bring to pick up the permit that's ready to issue?",
        needed=["$1,284.00"], stale=["$1,248.00"],
        notes="Two similar permit lookups with transposed numbers and fees; the assistant's summary gave no amounts.")


@case("near_duplicate")
def _(rng):
    return dict(
        system="You assist the export desk at Halden Freight Brokers comparing forwarder quotes.",
        domains=["ship", "solar", "school"],
        blocks=[(0.2, [U("First quote in for the Monterrey machinery: Northgate Logistics, $2,940 all-in, 29 days door to door."), A("Noted.")]),
                (0.45, [U("Second quote: Northgate Logistic Partners (different company, same building apparently), $2,490 all-in, 34 days door to door."), A("Noted; I'll keep the two Northgates apart.")])],
        final="What transit time did Northgate Logistic Partners quote?",
        needed=["34 days"], stale=["29 days"],
        notes="Two forwarders with almost the same name and swapped price digits.")


# ---------------------------------------------------------------------------------------------
# old tool results: an earlier turn's exact output, paraphrased by the assistant at the time
# ---------------------------------------------------------------------------------------------


def hexs(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


@case("old_tool_result")
def _(rng):
    tools = [tool("get_build_info", "Build metadata for a release channel.", channel="release channel")]
    live, prev = hexs(rng, 64), hexs(rng, 64)
    blk = [U("Is the live channel on the build we signed off?")] + exchange(rng, [("get_build_info", {"channel": "live"}, {"channel": "live", "version": "2.14.7", "sha256": live, "previous_sha256": prev, "built": "2025-10-13T22:41:09Z", "signed_by": "release-bot"})])
    blk.append(A("Yes, live is on 2.14.7 and it's the signed release build; nothing to worry about."))
    return dict(system="You are the release assistant for the Emberfall Online server team.", domains=["gamesrv", "wine", "vet"], tools=tools,
                blocks=[(0.2, blk)], final="Paste the exact hash of the live build from that check into the release notes.",
                needed=[live], stale=[prev], notes="A hash from an early tool call; the reply paraphrased it.")


@case("old_tool_result")
def _(rng):
    tools = [tool("get_qpcr_run", "Summary of a qPCR run.", run_id="run id")]
    res = {"run_id": "QP-0931", "instrument": "QuantStudio 5", "targets": {
        "GAPDH": {"control": {"ct_mean": "18.92", "sd": "0.11"}, "treated": {"ct_mean": "19.04", "sd": "0.09"}},
        "IL6": {"control": {"ct_mean": "24.87", "sd": "0.21"}, "treated": {"ct_mean": "27.84", "sd": "0.18"}},
        "TNF": {"control": {"ct_mean": "26.10", "sd": "0.30"}, "treated": {"ct_mean": "26.55", "sd": "0.27"}}}, "ntc": "undetermined", "passed_qc": True}
    blk = [U("Did the IL-6 knockdown qPCR run pass QC?")] + exchange(rng, [("get_qpcr_run", {"run_id": "QP-0931"}, res)])
    blk.append(A("It passed QC: the housekeeping gene is flat across conditions, the no-template controls are clean, and IL6 comes up about three cycles later in the treated wells, which is the knockdown you were hoping for."))
    return dict(system="You are the lab assistant for the Okafor immunology group.", domains=["biotech", "permits", "podcast"], tools=tools,
                blocks=[(0.25, blk)], final="For the figure legend: what was the mean Ct for IL6 in the treated wells on that run?",
                needed=["27.84"], stale=["24.87"], notes="Exact Ct value from an earlier tool result; the reply only gave the difference.")


@case("old_tool_result")
def _(rng):
    tools = [tool("get_condition_reports", "Condition reports for an object, newest first.", object_id="accession number")]
    res = {"object_id": "1934.7.1-60", "title": "Glass lantern slides, Tamsin Bay regatta, set of 60", "reports": [
        {"report_id": "CR-2023-118", "date": "2023-11-02", "examiner": "Imogen Frayne", "summary": "3 slides with cracked cover glass, stable; binding tape lifting on 7; no active deterioration of emulsion.", "status": "current"},
        {"report_id": "CR-2023-181", "date": "2019-04-15", "examiner": "contract conservator", "summary": "2 slides cracked; tape lifting on 4.", "status": "superseded"}]}
    blk = [U("Is there an up-to-date condition report on the regatta lantern slides?")] + exchange(rng, [("get_condition_reports", {"object_id": "1934.7.1-60"}, res)])
    blk.append(A("Yes, Imogen examined them in late 2023. A few slides have cracked cover glass and some binding tape is lifting, but nothing is actively deteriorating."))
    return dict(system="You assist the registrar at the Tamsin Bay Historical Museum.", domains=["museum", "gamesrv", "solar"], tools=tools,
                blocks=[(0.15, blk)], final="The borrower's registrar wants the reference of the current condition report for the lantern slides. What is it?",
                needed=["CR-2023-118"], stale=["CR-2023-181"], notes="Report id from an earlier tool result; the superseded report has a look-alike id.")


@case("old_tool_result")
def _(rng):
    tools = [tool("get_ytd", "Year-to-date payroll totals for an employee.", employee_id="employee id")]
    res = {"employee_id": "E-1170", "name": "Dana Whitfield", "as_of": "PP21", "gross": "$71,402.18", "fed_withholding": "$9,877.30",
           "401k_employee": "$14,226.40", "401k_employer_match": "$2,855.04", "prior_year_401k_employee": "$14,622.40", "hsa": "$2,475.00"}
    blk = [U("Is Dana Whitfield going to hit the 401(k) limit before December?")] + exchange(rng, [("get_ytd", {"employee_id": "E-1170"}, res)])
    blk.append(A("She's on pace to come in under the limit, a little behind where she was at the end of last year. No need to cap her deferral."))
    return dict(system="You support the payroll team at Brightwater Outdoor Supply.", domains=["payroll", "ship", "aero"], tools=tools,
                blocks=[(0.2, blk)], final="How much has Dana deferred into her retirement plan so far this year? I need the exact figure.",
                needed=["$14,226.40"], stale=["$14,622.40"], notes="YTD value from an earlier tool result; last year's look-alike total is in the same result.")


@case("old_tool_result")
def _(rng):
    tools = [tool("get_production", "Monthly production from the monitoring portal.", site="site id", months="months, comma separated")]
    res = {"site": "SITE-4471 (Nakagawa)", "unit": "kWh", "months": {"2025-07": "1,512.3 kWh", "2025-08": "1,428.6 kWh", "2025-09": "1,284.6 kWh"}, "estimate_2025-09": "1,240 kWh", "inverter_alerts": []}
    blk = [U("The Nakagawas think their system is underperforming. Can you check the last three months?")] + exchange(rng, [("get_production", {"site": "SITE-4471", "months": "2025-07,2025-08,2025-09"}, res)])
    blk.append(A("Production is fine: it's tapering as the days shorten, and September came in slightly above the design estimate. No inverter alerts."))
    return dict(system="You help the service team at Sunfield Rooftop Solar.", domains=["solar", "museum", "school"], tools=tools,
                blocks=[(0.22, blk)], final="The homeowner wants September's exact generation number from that monitoring pull.",
                needed=["1,284.6 kWh"], stale=["1,428.6 kWh"], notes="Monthly value from an earlier tool result; August's transposed value sits next to it.")


# ---------------------------------------------------------------------------------------------
# vague follow-ups pointing back at an assistant list
# ---------------------------------------------------------------------------------------------


@case("vague_followup")
def _(rng):
    return dict(
        system="You help a home cook plan dinners and pick wines.",
        domains=["school", "aero", "payroll"],
        blocks=[(0.3, [U("I'm doing grilled sardines, padrón peppers and a tomato salad for six on Saturday. Four bottle ideas, Iberian please?"),
                        A("1. Txakoli from Getaria, Ameztoi: spritzy and salty, about $22, perfect with the sardines.\n2. Albariño, Pazo de Señoráns: richer, peachy, about $28.\n3. Mencía from Ribeira Sacra, Guímaro: a light, chillable red with red fruit and slate, about $24.\n4. Vinho Verde rosé, Quinta de Soalheiro: dry and cheerful, about $18.")])],
        final="Tell me more about the third bottle you suggested for the sardine dinner: who makes it, and is it okay slightly chilled?",
        needed=["Guímaro"], stale=["Pazo de Señoráns"],
        notes="'the third bottle' points into a numbered assistant list.")


@case("vague_followup")
def _(rng):
    return dict(
        system="You are a friendly assistant helping a pet owner with errands and plans.",
        domains=["podcast", "permits", "ship"],
        blocks=[(0.35, [U("We're away for ten days in August. Any boarding options near us for Olive (the lab)?"),
                         A("Three worth calling:\n- Cedar Run Kennels: $48 a night, 6.5 miles, indoor-outdoor runs.\n- Happy Tails Lodge: $39 a night, 11 miles, group play twice a day.\n- Willowbrook Pet Resort: $62 a night, 3 miles, webcam in every suite.")])],
        final="For Olive's trip, how far away was the cheapest place on your list again?",
        needed=["11 miles"], stale=["6.5 miles"],
        notes="'the cheapest one' must be resolved against the assistant's list.")


@case("vague_followup")
def _(rng):
    return dict(
        system="You help two friends start a podcast: gear, editing and publishing.",
        domains=["podcast", "biotech", "wine"],
        blocks=[(0.3, [U("What mics should we look at for recording two people at a kitchen table?"),
                        A("In rough order of price, high to low:\n1. Shure SM7B: the broadcast classic, needs a strong preamp.\n2. Rode PodMic: heavy, warm, great value with a decent interface.\n3. Electro-Voice RE20: superb off-axis rejection, so the other person's voice bleeds in less.\n4. Samson Q2U: USB and XLR, the budget starter.")])],
        final="Of the microphones you listed, which was the one just before the last, and why did you like it for us?",
        needed=["Electro-Voice RE20"], stale=["Samson Q2U"],
        notes="'the one before the last' points into a numbered list.")


@case("vague_followup")
def _(rng):
    return dict(
        system="You help a parent keep track of school matters and activities.",
        domains=["school", "gamesrv", "solar"],
        blocks=[(0.4, [U("Which after-school options are there at Marigold Park this term?"),
                        A("From the term flyer:\n- Chess Club, Mondays, $40 for the term.\n- Robotics Club, Tuesdays and Thursdays in Room 112, free thanks to a district grant.\n- Spanish for Kids, Wednesdays, $65.\n- Art Studio, Fridays, $55 including materials.")])],
        final="How do we sign up for the no-cost after-school option you mentioned, and which days does it meet?",
        needed=["Robotics Club"], stale=["Chess Club"],
        notes="'the no-cost one' = the free item in the assistant's list.")


@case("vague_followup")
def _(rng):
    return dict(
        system="You help the tooling coordinator at Northfjord Aero Services.",
        domains=["aero", "museum", "vet"],
        blocks=[(0.3, [U("We need a calibration vendor for torque wrenches near the Bergen base. Who do you know of?"),
                        A("Three that come up often:\n1. Vestland Kalibrering: on-site service monthly, ISO 17025, slow quotes.\n2. Fjordtek Metrology: 48-hour turnaround, pickup from the hangar, mid-priced.\n3. NordCal Instruments: cheapest, but you ship tools to Oslo.")])],
        final="Can you get me a contact for the second calibration outfit you named?",
        needed=["Fjordtek Metrology"], stale=["Vestland Kalibrering"],
        notes="'the second one' points into an assistant list.")


# ---------------------------------------------------------------------------------------------


def serialise(cases: list[dict]) -> str:
    return "".join(json.dumps(c, ensure_ascii=False, sort_keys=False) + "\n" for c in cases)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="rebuild in memory and compare with cases.jsonl")
    args = ap.parse_args()
    cases = build_all()
    failed = 0
    ids = [c["id"] for c in cases]
    if len(set(ids)) != len(ids):
        print("duplicate ids", file=sys.stderr)
        failed += 1
    for c in cases:
        for e in verify(c):
            print(f"{c['id']}: {e}", file=sys.stderr)
            failed += 1
    kinds: dict[str, list[int]] = {}
    for c in cases:
        kinds.setdefault(c["kind"], []).append(est_tokens(c))
    if len(kinds) < 10:
        print("fewer than 10 kinds", file=sys.stderr)
        failed += 1
    text = serialise(cases)
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} differs from a fresh build", file=sys.stderr)
            return 1
        print(f"{OUT.name} is byte-identical to a fresh build ({len(cases)} cases)")
    if failed:
        print(f"{failed} verification failures", file=sys.stderr)
        return 1
    if not args.check:
        OUT.write_text(text, encoding="utf-8")
    sizes = [est_tokens(c) for c in cases]
    print(f"{len(cases)} cases, {len(kinds)} kinds, {min(sizes)}-{max(sizes)} estimated tokens (chars/4)")
    for k, v in kinds.items():
        print(f"  {k:20s} {len(v):2d}  {min(v):6d}-{max(v):6d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
