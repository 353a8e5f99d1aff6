#!/usr/bin/env python3
"""Held-out evaluation set for conversation-history pruning.

Generates cases.jsonl deterministically (standard library only) and verifies
every case.  Run:  python3 build.py   (writes cases.jsonl next to this file)
            python3 build.py --check  (rebuild in memory, compare with file)
"""
import json
import os
import random
import sys

SEED = 20261203
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "cases.jsonl")
MIN_TOK, MAX_TOK = 7000, 60000


def est_tokens(messages):
    n = 0
    for m in messages:
        c = m.get("content")
        if isinstance(c, str):
            n += len(c)
        for tc in m.get("tool_calls") or []:
            n += len(tc["function"]["name"]) + len(tc["function"]["arguments"])
    return n // 4


# ---------------------------------------------------------------------------
# Vocabularies (hand written, one block per domain)
# Slots: {n} small int, {m} medium int, {pct} percent, {money} round amount,
#        {wd} weekday, {name} first name, {mon} month name
# ---------------------------------------------------------------------------
NAMES = ["Amara", "Bastian", "Chloe", "Dev", "Elif", "Farid", "Greta", "Hiro",
         "Ines", "Jonah", "Kavya", "Lars", "Mireille", "Nnamdi", "Olwen",
         "Paulo", "Quinn", "Rosa", "Sanjay", "Tove", "Umar", "Vera", "Wen",
         "Ximena", "Yusuf", "Zofia"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
MONTHS = ["February", "March", "April", "May", "June", "August", "September",
          "October"]

DOMAINS = {}


def dom(key, system, user, asst):
    DOMAINS[key] = {"system": system, "user": user, "asst": asst}


dom("medicine",
    "You are a clinical documentation assistant for a primary-care practice. "
    "Be precise, flag uncertainty, and never invent lab values.",
    ["Can you help me tidy up the note for the {wd} follow-up visits?",
     "What's the usual titration schedule people use for an SGLT2 inhibitor in a patient with CKD stage 3a?",
     "Draft a patient-friendly explanation of what an echocardiogram shows.",
     "Which vaccines should I double-check for a {m}-year-old... sorry, I mean a 6{n}-year-old with COPD?",
     "How should I phrase the counselling about orthostatic hypotension for the chart?",
     "Summarise the main differences between the two statin intensity tiers.",
     "Any tips for documenting a shared decision-making conversation about colon cancer screening?",
     "What red flags in a headache history should push me to image sooner?",
     "Help me write the referral letter to cardiology for the palpitations patient.",
     "What do people usually monitor after starting spironolactone?"],
    ["For documentation, state the indication, the agreed plan and the follow-up interval explicitly.",
     "Most guidelines suggest rechecking renal function and electrolytes within one to two weeks of a change.",
     "An echocardiogram uses ultrasound to show the heart's chambers, valves and how strongly it pumps.",
     "I would record the patient's own words about their goals, because that makes the shared decision visible.",
     "Orthostatic symptoms are worth asking about at every visit when antihypertensives are adjusted.",
     "High-intensity regimens aim for roughly a {pct} reduction in LDL cholesterol from baseline.",
     "Red flags include a thunderclap onset, new neurological deficit, fever with neck stiffness, or onset after fifty.",
     "In the referral, lead with the question you want answered, then the relevant history and current medications.",
     "Consider whether the patient can monitor blood pressure at home; a log of {n} readings is often more useful than a single clinic value.",
     "Pneumococcal and annual influenza vaccination are the usual items to confirm in COPD.",
     "If adherence is uncertain, a pharmacy refill history can be more reliable than recall.",
     "Keep the assessment section short: one line per problem, each with a plan.",
     "It is reasonable to document that risks, benefits and alternatives were discussed and questions answered.",
     "A teach-back check at the end of the visit helps confirm the patient understood the plan.",
     "When in doubt about interactions, run the list through the pharmacy system before signing the order."])

dom("tax",
    "You are a friendly assistant helping an individual prepare their US federal tax return. "
    "You are not a CPA; explain rules plainly and point out when professional advice is needed.",
    ["Is the home office deduction worth it if I only work from home {n} days a week?",
     "How do estimated quarterly payments work for freelance income?",
     "What records should I keep for charitable donations over the threshold?",
     "Can I still contribute to an IRA for last year?",
     "How are capital gains on index funds taxed if I held them longer than a year?",
     "What's the difference between a credit and a deduction, in practice?",
     "Do I need to report the small amount of interest from my savings account?",
     "How does the saver's credit phase out?",
     "Should I itemize this year or take the standard deduction?",
     "What happens if I file an extension but still owe money?"],
    ["A deduction lowers taxable income, while a credit reduces the tax itself dollar for dollar.",
     "The simplified home-office method uses a flat rate per square foot up to a cap, which saves a lot of record keeping.",
     "Estimated payments are generally due in April, June, September and January of the following year.",
     "Keep the written acknowledgment from the charity for any single gift above the substantiation threshold.",
     "Long-term gains are taxed at preferential rates, and the bracket depends on total taxable income.",
     "Interest income is reportable even if you never receive a 1099-INT for it.",
     "An extension gives you more time to file, not more time to pay, so interest accrues on any unpaid balance.",
     "If your itemized deductions are below the standard deduction, itemizing rarely makes sense.",
     "IRA contributions for the prior year can usually be made up to the original filing deadline.",
     "The saver's credit rate steps down at specific income thresholds, so a small change in AGI can matter.",
     "Self-employment tax covers Social Security and Medicare and is calculated on Schedule SE.",
     "Mileage logs should show the date, destination, purpose and miles for each business trip.",
     "If you had a large refund last year, consider adjusting your withholding on a new W-4.",
     "State rules may differ from federal ones, especially for retirement income and education credits.",
     "I'd suggest a quick review with a preparer if you sold rental property or exercised stock options."])

dom("devops",
    "You are an SRE assistant helping an on-call engineer during and after incidents. "
    "Be terse, cite evidence, and prefer reversible actions.",
    ["Can you help me write the timeline section of the postmortem?",
     "What's a sane alert threshold for p99 latency on the checkout path?",
     "Our canary keeps flapping between healthy and degraded. Ideas?",
     "How should we size the connection pool for the new worker fleet?",
     "Explain the trade-off between PodDisruptionBudgets and faster node rotation.",
     "Draft a Slack update for the incident channel, keep it short.",
     "What should go into the runbook for certificate rotation?",
     "Is it worth moving the cron jobs to a proper workflow scheduler?",
     "How do I stop Terraform from trying to recreate the load balancer every plan?",
     "Give me a checklist for the game day next {wd}."],
    ["Alert on symptoms users feel, such as error rate and latency, rather than on CPU alone.",
     "For the timeline, use UTC timestamps and separate detection, mitigation and resolution.",
     "A flapping canary often means the health check is too sensitive or the sample is too small.",
     "Start the pool at roughly the number of concurrent queries per worker times {n}, then watch wait time.",
     "A tight PodDisruptionBudget protects availability but can stall node drains during upgrades.",
     "Keep incident updates to what we know, what we are doing, and when the next update will be.",
     "The certificate runbook should list every place the cert is mounted and how to verify the new chain.",
     "A workflow scheduler gives you retries, backfills and visibility that bare cron does not.",
     "Terraform recreating a resource usually points at a computed attribute drifting; a lifecycle ignore_changes block can help.",
     "During game day, have one person whose only job is to keep notes and watch the clock.",
     "I would add a dashboard panel for saturation so the next responder sees the queue depth immediately.",
     "Blameless language in the postmortem makes people more willing to share what actually happened.",
     "Roll back first, investigate second, when the blast radius is still growing.",
     "Error budgets make it easier to argue for reliability work in planning.",
     "Tag the follow-up tickets with the incident number so they can be tracked to closure."])

dom("procurement",
    "You are a procurement assistant for a mid-sized manufacturer. Help compare suppliers, draft POs "
    "and keep track of quotes. Quote numbers exactly.",
    ["How should we structure the RFQ for the new packaging supplier?",
     "What payment terms are reasonable to push for with a first-time vendor?",
     "Can you draft a polite follow-up to a supplier who missed the quote deadline?",
     "What's the difference between Incoterms FCA and DAP for us?",
     "How do I justify a sole-source purchase to finance?",
     "Help me build a simple scorecard for supplier performance.",
     "What should a blanket PO include?",
     "How many quotes do we need for a purchase around {money}?",
     "Any tips for negotiating a price increase notice down?",
     "Should we dual-source the corrugated boxes?"],
    ["A clear RFQ lists specifications, quantities, delivery location, required certifications and the response deadline.",
     "Net 45 is a reasonable ask for a new vendor, with a small early-payment discount as a sweetener.",
     "Under FCA the seller hands goods to our carrier; under DAP they deliver to our dock but we handle import clearance.",
     "A sole-source justification should explain why no alternative meets the technical or timing requirement.",
     "Scorecards usually weigh on-time delivery, quality escapes, responsiveness and price competitiveness.",
     "Blanket POs should state the ceiling amount, validity period, price schedule and release process.",
     "Policy typically requires three competitive quotes above the approval threshold.",
     "Ask the supplier to break the increase down into material, labour and freight components.",
     "Dual-sourcing adds resilience but can cost you volume discounts with the primary vendor.",
     "Keep the supplier's quote reference on the PO so disputes are easy to trace.",
     "Lead times quoted in working days and calendar days get mixed up constantly; confirm which one they mean.",
     "A short supplier visit often reveals more about capacity than a questionnaire.",
     "I'd record the decision rationale in the sourcing file in case audit asks later.",
     "Minimum order quantities can be negotiated if you commit to a forecast.",
     "Consider a price-review clause tied to a published commodity index."])

dom("research",
    "You are a research assistant supporting a university lab in public health and human-computer interaction. "
    "Help with study design, analysis and writing.",
    ["How should I word the limitations paragraph for the pilot study?",
     "Is a mixed-effects model appropriate for repeated measures from {n} sites?",
     "Can you suggest a structure for the related-work section?",
     "What's a reasonable way to handle missing survey responses?",
     "Help me respond to reviewer 2, who thinks our sample is too small.",
     "How do I report inter-rater reliability for the qualitative coding?",
     "What should the data management plan say about retention?",
     "Draft an abstract from these bullet points, 250 words max.",
     "How many participants do we need for a moderate effect size?",
     "Should we preregister the follow-up study?"],
    ["A mixed-effects model with a random intercept for site accounts for clustering in repeated measures.",
     "In the limitations, acknowledge the convenience sample and explain how it bounds generalisability.",
     "Multiple imputation is usually preferable to listwise deletion when data are missing at random.",
     "Cohen's kappa or Krippendorff's alpha are common choices for reporting agreement between coders.",
     "A power analysis for a moderate effect at conventional alpha typically lands in the dozens per group.",
     "Preregistration helps distinguish confirmatory from exploratory analyses.",
     "For reviewer responses, quote the comment, thank them, and state exactly what changed and where.",
     "The related-work section reads best when organised by theme rather than chronologically.",
     "State in the data plan how long de-identified data will be kept and who can access it.",
     "Report effect sizes with confidence intervals, not just p-values.",
     "A CONSORT-style flow diagram makes recruitment and attrition easy to follow.",
     "Be explicit about which analyses were added after seeing the data.",
     "Thematic analysis benefits from a short memo describing how codes were merged.",
     "If the venue allows it, put the full instrument in a supplementary file.",
     "Consider a sensitivity analysis excluding the site with the highest attrition."])

dom("real_estate",
    "You are a home-buying and renting assistant. Help compare listings, read leases and plan moves. "
    "You are not a lawyer or licensed agent.",
    ["What should I ask at the open house on {wd}?",
     "How much should I budget for closing costs?",
     "Is a {n}-year fixed mortgage better than an adjustable one right now?",
     "What does an inspection contingency actually protect?",
     "How do I compare HOA fees between condos fairly?",
     "Help me write an offer letter to the sellers.",
     "What are common red flags in a rental listing?",
     "Should I get a pre-approval or is pre-qualification enough?",
     "How do property taxes get prorated at closing?",
     "What's a reasonable earnest money deposit?"],
    ["Closing costs commonly run a few percent of the purchase price, depending on lender fees and local taxes.",
     "An inspection contingency lets you renegotiate or walk away if the inspection reveals significant defects.",
     "When comparing HOA fees, check what they cover: water, trash, exterior insurance, reserves.",
     "Ask about the age of the roof, the HVAC system and the water heater.",
     "A pre-approval carries more weight with sellers because the lender has verified income and credit.",
     "Prorated taxes are split so each party pays for the days they own the home.",
     "Red flags include pressure to wire a deposit before a viewing and a price far below comparable units.",
     "Earnest money of one to three percent is typical in many markets.",
     "Look at the reserve study to see whether a special assessment is likely.",
     "Walk the neighbourhood at night and on a weekend before committing.",
     "An adjustable rate can make sense if you expect to move within the initial fixed period.",
     "Keep the offer letter short, warm and free of anything that could raise fair-housing concerns.",
     "Ask the listing agent how many offers they have and when they plan to review them.",
     "Check the flood zone map and ask for the utility bills from the last twelve months.",
     "Renters insurance is inexpensive and worth having from the first day of the lease."])

dom("insurance",
    "You are a claims assistant for a homeowner dealing with their insurer. Explain policy language, "
    "help organise evidence and draft correspondence.",
    ["How should I document the damage before the adjuster comes?",
     "What does 'actual cash value' mean versus replacement cost?",
     "Can you help me write a timeline of what happened?",
     "Is it normal for the insurer to ask for {n} contractor estimates?",
     "What should I do if I disagree with the adjuster's number?",
     "Do I need receipts for everything on the contents list?",
     "How long do insurers usually take to pay out?",
     "What is a reservation of rights letter?",
     "Should I start repairs before the claim is approved?",
     "Help me organise the photos into a logical order."],
    ["Photograph every room from the doorway first, then close-ups of damage with something for scale.",
     "Actual cash value subtracts depreciation, while replacement cost pays to replace with like kind and quality.",
     "Reasonable emergency repairs to prevent further damage are usually expected and reimbursable.",
     "Keep every receipt for hotel stays, meals and storage if you are displaced.",
     "If you disagree, ask for the adjuster's estimate line by line and respond to each item.",
     "Many policies include an appraisal clause for resolving disputes about the amount of loss.",
     "A reservation of rights means the insurer is investigating but has not yet confirmed coverage.",
     "Bank or card statements can substitute for receipts when the originals are lost.",
     "Write down the name of everyone you speak to and the date of each call.",
     "Your state insurance department sets timelines for acknowledging and paying claims.",
     "Don't throw away damaged items until the adjuster has seen them or agreed in writing.",
     "A contents inventory is easier if you go room by room and include approximate age and price.",
     "Ask whether the policy has a matching provision for undamaged flooring or siding.",
     "Mitigation companies should give you a moisture map and drying logs.",
     "Send important correspondence by email so you have a timestamped record."])

dom("gaming",
    "You are a gaming companion helping a player with strategy, builds and schedules for a co-op RPG "
    "and the occasional competitive shooter.",
    ["What's the best way to farm crafting mats this season?",
     "Is the new patch's nerf to shotguns as bad as people say?",
     "How do I get better at rotating on the second map?",
     "Should I spend my premium currency on the battle pass or the skin bundle?",
     "Any tips for the raid boss's third phase?",
     "How should our squad split roles for ranked?",
     "What's a good warm-up routine before a tournament?",
     "How do I stop tilting after two losses in a row?",
     "Which companion should I bring for the swamp region?",
     "Is it worth grinding the reputation track before the expansion?"],
    ["Farming is fastest on the daily rotation nodes; chain them with the double-drop event on {wd}s.",
     "The shotgun change mostly affects long-range pellet spread; up close it still wins duels.",
     "Rotate early along the edge of the zone rather than through the middle, where third parties lurk.",
     "The battle pass usually returns more currency than it costs if you finish it.",
     "In the third phase, save your interrupt for the channelled cast, not the first add wave.",
     "One shot-caller, one entry, one support and one anchor is a stable split for ranked.",
     "Ten minutes of aim training and two casual matches make a good warm-up.",
     "After two losses, take a five-minute break and review one death instead of queueing immediately.",
     "Bring a companion with poison resistance to the swamp; the bog enemies stack damage over time.",
     "Reputation tracks often carry over, so early progress is rarely wasted.",
     "Turn off motion blur and lower shadows if you need more stable frame times.",
     "Communicate enemy positions with landmarks rather than compass numbers when the team is new.",
     "The crafting tree rewards specialising in one weapon family first.",
     "Watch one replay from a higher-ranked player on the same map each week.",
     "Stamina management matters more than raw damage in the later dungeons."])

dom("education",
    "You are a teaching assistant for a secondary-school science and maths teacher. "
    "Help with lesson planning, grading and parent communication.",
    ["Can you suggest a starter activity for the lesson on photosynthesis?",
     "How should I differentiate the worksheet for the two lower sets?",
     "Draft a note to parents about the upcoming field trip.",
     "What's a fair way to grade group projects?",
     "Give me {n} exit-ticket questions on linear equations.",
     "How do I handle a student who keeps finishing early and getting bored?",
     "What's a good rubric structure for a lab report?",
     "Help me plan the revision schedule before exams in {mon}.",
     "Any ideas for making the periodic table less dry?",
     "How should I respond to a parent who disputes a grade?"],
    ["A quick demo with pondweed in water under a lamp gets students predicting before you explain.",
     "Differentiate with scaffolded steps, worked examples and a challenge extension rather than different topics.",
     "For group projects, combine a group grade with an individual reflection or peer assessment.",
     "Exit tickets work best when they are short and target one misconception.",
     "Early finishers can be given open-ended extension problems or peer-tutoring roles.",
     "A lab report rubric usually covers hypothesis, method, data presentation, analysis and evaluation.",
     "Interleave topics in revision rather than blocking one topic per week.",
     "Turning elements into trading cards with properties makes the periodic table more tactile.",
     "When a parent disputes a grade, share the rubric and the specific evidence, and listen first.",
     "Keep parent letters short, with dates, cost, what to bring and a contact.",
     "Cold-calling with wait time keeps more students thinking than hands-up questioning.",
     "Retrieval practice at the start of lessons improves long-term retention.",
     "Low-stakes quizzes reduce exam anxiety when they are frequent and ungraded.",
     "A seating plan can quietly solve a lot of behaviour problems.",
     "Model the first answer aloud so students hear the reasoning, not just the result."])

dom("support",
    "You are a customer-support agent assistant for an online kitchen-appliance retailer. "
    "Help agents answer tickets accurately and kindly.",
    ["How do I word a reply to a customer whose delivery is {n} days late?",
     "What's our usual approach when a customer wants a refund outside the window?",
     "Can you summarise this angry ticket into three bullet points?",
     "Draft a macro for 'item arrived damaged'.",
     "How should I escalate a possible safety issue with a kettle?",
     "The customer wants to change the delivery address after dispatch; what do I say?",
     "Write a friendly apology for a double charge.",
     "How do I explain the difference between the warranty and the return policy?",
     "A customer keeps reopening the same ticket; any advice?",
     "Help me write a survey follow-up after a resolved case."],
    ["Acknowledge the delay, give the new estimate, and offer something concrete if it slips again.",
     "Outside the window we can usually offer store credit or a repair under warranty instead of a refund.",
     "For damaged items, ask for photos of the box and the product, then arrange a replacement.",
     "Anything involving heat, smoke or electric shock goes straight to the safety queue.",
     "Address changes after dispatch have to go through the carrier; share the tracking link and their redirect option.",
     "A double charge usually drops off as a pending authorisation within a few business days.",
     "The return policy covers change of mind; the warranty covers defects over a longer period.",
     "When a ticket keeps reopening, a short phone call often resolves what email cannot.",
     "Use the customer's name and avoid starting with 'Unfortunately'.",
     "Close with a clear next step and a timeframe.",
     "Internal notes should say what was promised so the next agent can follow through.",
     "Offer the self-service tracking page, but do not make it the only answer.",
     "Mirror the customer's language when they describe the fault.",
     "Tag the ticket with the product family so trends show up in the weekly report.",
     "If you promise a callback, book it in the calendar before ending the chat."])

dom("law",
    "You are a paralegal assistant at a small litigation and contracts firm. Organise facts, draft "
    "documents for attorney review, and quote contract language exactly.",
    ["Can you outline the elements of a breach-of-contract claim?",
     "Help me build a chronology from these emails.",
     "What's the difference between a warranty and an indemnity clause?",
     "Draft a cover letter for the document production.",
     "How should I summarise the deposition for the partner?",
     "What does a limitation-of-liability cap usually exclude?",
     "Is a choice-of-law clause the same as a forum-selection clause?",
     "Help me tighten the definitions section of the NDA.",
     "What goes into a privilege log?",
     "Can you prepare a checklist for the mediation statement?"],
    ["A breach claim generally requires a valid contract, performance by the plaintiff, breach by the defendant and damages.",
     "A warranty is a promise that something is true; an indemnity shifts the cost of specified losses.",
     "Liability caps commonly exclude fraud, wilful misconduct, confidentiality breaches and indemnified claims.",
     "Choice-of-law picks which law governs; forum selection picks where disputes are heard.",
     "A privilege log lists date, author, recipients, general subject matter and the privilege asserted.",
     "For the chronology, one row per event with a source citation keeps it verifiable.",
     "Deposition summaries are easiest to use when organised by topic with page and line references.",
     "Definitions should be used consistently; a defined term that appears only once may not need defining.",
     "The mediation statement should frame the dispute, the key evidence and a realistic settlement range.",
     "Bates-number every page before production and record the range in the cover letter.",
     "Check whether notice provisions require delivery by a specific method.",
     "Flag any ambiguous term for the attorney rather than resolving it yourself.",
     "Keep a separate list of open questions for the client meeting.",
     "Calendar every deadline with a reminder a week before.",
     "Court rules on page limits and fonts are strict; confirm them before formatting."])

dom("manufacturing",
    "You are a quality engineering assistant in a plant that machines aluminium housings and injection-moulds "
    "plastic covers. Help with inspections, deviations and corrective actions.",
    ["How should I structure the 8D report for the cracked covers?",
     "What's a reasonable sampling plan for incoming resin lots?",
     "Our Cpk on the flange thickness dropped; where do I start?",
     "Draft a deviation request for the alternate fixture.",
     "How do I explain gauge R&R results to the production manager?",
     "What should the first-article inspection checklist include?",
     "Help me write a work instruction for deburring.",
     "Is it worth adding a vision system to the packing line?",
     "How do we contain suspect parts already at the customer?",
     "What goes into a control plan update after a tooling change?"],
    ["An 8D starts with a team and a clear problem statement before any root-cause work.",
     "For incoming lots, a skip-lot plan is reasonable once the supplier has a clean history of {n} lots.",
     "A Cpk drop usually starts with checking whether the mean shifted or the spread widened.",
     "A deviation request should state the part numbers, quantity or time limit, risk assessment and containment.",
     "If gauge R&R consumes more than about a third of the tolerance, the measurement system needs work first.",
     "First-article inspection covers every characteristic on the drawing, material certs and process records.",
     "Work instructions are clearer with a photo per step and the acceptance criterion right next to it.",
     "A vision system pays off when defects are visual, frequent and currently caught late.",
     "Containment at the customer usually means a sort by a third party plus a clean-point date.",
     "After a tooling change, update the control plan, the PFMEA and the reaction plan together.",
     "Moisture in the resin is a classic cause of splay; check the dryer dew point.",
     "Run a short capability study after any fixture change before releasing to production.",
     "Label quarantined stock clearly and keep it physically separated.",
     "Use the five whys, but verify each answer with data rather than opinion.",
     "Share the lessons learned with the sister plant that runs the same tooling."])

dom("personal_finance",
    "You are a personal-finance coach. Help the user budget, plan savings and understand accounts. "
    "You do not sell products; explain trade-offs honestly.",
    ["How big should my emergency fund be?",
     "Is it better to pay down debt or invest the extra money?",
     "Can you help me set up a simple monthly budget?",
     "What's a sinking fund and do I need one?",
     "How do I think about saving for a house deposit versus retirement?",
     "Should I switch to a high-yield savings account?",
     "How can I cut my grocery spending without misery?",
     "Explain dollar-cost averaging in plain words.",
     "How do I talk to my partner about combining finances?",
     "What should I do with a {money} bonus?"],
    ["Three to six months of essential expenses is the common target for an emergency fund.",
     "Paying off high-interest debt is a guaranteed return equal to the interest rate.",
     "A simple budget splits money into needs, wants and savings, then adjusts from real spending.",
     "Sinking funds spread predictable irregular costs, like car insurance or holidays, across the year.",
     "Capture any employer retirement match before saving extra toward a house deposit.",
     "A high-yield savings account is useful for money you need to keep safe and accessible.",
     "Meal planning and a shopping list cut impulse purchases more than coupons do.",
     "Dollar-cost averaging means investing a fixed amount on a schedule regardless of price.",
     "When combining finances, many couples use a joint account for shared bills and keep personal accounts.",
     "Automate transfers on payday so saving happens before spending.",
     "Review subscriptions every quarter; small charges add up.",
     "Keep long-term investments diversified and low-cost.",
     "Write down the goal, the amount and the date; vague goals rarely get funded.",
     "Your credit utilisation ratio matters for your score, so avoid maxing out cards.",
     "A windfall can be split: some for fun, some for debt, some for savings."])

dom("event_planning",
    "You are an event-planning assistant helping organise a company offsite, a family celebration and "
    "a few dinners. Keep track of vendors, dates and guest needs.",
    ["What should go into the run-of-show for the offsite?",
     "How many weeks ahead should I send save-the-dates?",
     "Can you help me draft the invitation text?",
     "What's a realistic per-head catering budget?",
     "How do I handle plus-ones without the list exploding?",
     "Ideas for an icebreaker that isn't cringe?",
     "What should I confirm with the AV company?",
     "How do I plan for bad weather at an outdoor venue?",
     "Help me write a thank-you note to the speakers.",
     "What's a good timeline for the day-of schedule?"],
    ["A run-of-show lists every segment with start time, owner, location and what is needed.",
     "Save-the-dates usually go out six to eight weeks ahead for a local event.",
     "Confirm microphone count, screen size, adapters, and who is on site during the event.",
     "For outdoor venues, book a tent or an indoor backup space and set a decision time the day before.",
     "A per-head budget should include service charge and tax, which can add a surprising amount.",
     "Icebreakers work better when they are optional and tied to the day's theme.",
     "Keep plus-ones consistent: either everyone gets one or the rule is clear in the invitation.",
     "Build fifteen-minute buffers between sessions; they always get used.",
     "Thank-you notes land best when they mention a specific moment from the talk.",
     "Send a short logistics email two days before with address, parking and contact number.",
     "Assign one person to handle vendor calls on the day so the host can host.",
     "A shared spreadsheet with RSVP status and dietary notes saves a lot of back and forth.",
     "Ask the venue for their floor plan so you can sketch seating early.",
     "Have a small kit with tape, scissors, chargers and safety pins.",
     "Collect feedback within a day while memories are fresh."])

dom("data_engineering",
    "You are a data-platform assistant. Help design pipelines, debug jobs and review SQL for a team "
    "running a lakehouse with a nightly batch and some streaming ingestion.",
    ["How should we handle late-arriving events in the daily aggregates?",
     "Is it worth switching the nightly job from full refresh to incremental?",
     "Review this approach to slowly changing dimensions for customers.",
     "What's a good naming convention for staging versus mart tables?",
     "How do I stop small files from piling up in the landing zone?",
     "Explain watermarking in the streaming job to a new hire.",
     "What data quality checks should run before publishing a table?",
     "How should we version the dbt models?",
     "Our join is exploding row counts; where do I look?",
     "Should we partition the events table by hour or by day?"],
    ["Late events are easier to handle if aggregates are recomputed for a trailing window, say the last {n} days.",
     "Incremental loads need a reliable change marker, such as an updated_at column or CDC offsets.",
     "Type 2 dimensions keep history with valid_from and valid_to columns plus a current flag.",
     "Prefix staging tables with stg_ and marts with the business domain to keep lineage readable.",
     "Schedule a compaction job to merge small files into larger ones after ingestion.",
     "A watermark tells the stream processor how long to wait for late data before finalising a window.",
     "Basic checks include row count deltas, null rates on key columns, uniqueness and freshness.",
     "Exploding joins almost always mean a key that is not unique on one side.",
     "Daily partitions are usually enough unless queries routinely filter on narrow time ranges.",
     "Tag each model with an owner so alerts reach someone who can act.",
     "Keep transformations idempotent so reruns do not double count.",
     "Document the grain of every fact table in one sentence at the top of the model.",
     "Backfills should run in small date ranges so failures are cheap to retry.",
     "Column-level lineage helps when someone asks where a metric comes from.",
     "Cost dashboards per team make warehouse spend conversations much calmer."])

dom("travel",
    "You are a travel assistant helping plan trips, compare options and keep itineraries straight.",
    ["What's the best way to get from the airport into the city?",
     "Is it worth buying a rail pass for {n} days?",
     "Can you suggest a packing list for a rainy week?",
     "How early should I book museum tickets?",
     "What's a reasonable daily food budget there?",
     "Any tips for dealing with jet lag on an eastbound flight?",
     "Should I get travel insurance for a short trip?",
     "How do I avoid roaming charges?",
     "What neighbourhoods are good for staying near the old town?",
     "Help me plan a day trip by train."],
    ["The airport train is usually faster than a taxi at rush hour and much cheaper.",
     "A rail pass only pays off if you take several long-distance trips; short hops are cheaper as single tickets.",
     "Pack layers, a compact umbrella and shoes that can cope with wet cobblestones.",
     "Popular museums sell out timed entries a week or two ahead in high season.",
     "Lunch menus at local cafes are often the best value of the day.",
     "For eastbound flights, get daylight in the morning on arrival and avoid long naps.",
     "Travel insurance is most valuable for medical cover and non-refundable bookings.",
     "A local eSIM or a regional roaming pack is usually cheaper than pay-as-you-go roaming.",
     "Staying just outside the old town is quieter and often much cheaper.",
     "Day trips work best when the outbound train leaves early and you return before dinner.",
     "Keep digital copies of passports and bookings in an offline folder.",
     "Check whether the city charges a tourist tax payable at the hotel.",
     "Many churches and markets close earlier on Sundays.",
     "Carry a little cash for small bakeries and market stalls.",
     "Walking tours are a good first-day orientation."])

# Small talk (pairs, so combinations stay coherent)
CHIT = [
    ("Morning! The coffee hasn't kicked in yet.", "Morning! Take your time; we can start slow."),
    ("Ugh, it's been raining all week here.", "A week of rain is a lot. At least it's good weather for getting things done indoors."),
    ("My dog just knocked a plant off the windowsill, one sec.", "Ha, no rush. I hope the plant survives."),
    ("Did you catch the match last night? What a finish.", "I didn't watch it, but a last-minute finish always makes for a good morning conversation."),
    ("I'm grabbing lunch, back in twenty.", "Enjoy your lunch! I'll be here."),
    ("Random question: any podcast for a long drive?", "For a long drive, narrative history or a serialized mystery podcast works well because the episodes flow into each other."),
    ("My neighbour has been drilling since 7am.", "That sounds maddening. Noise-cancelling headphones might save your sanity today."),
    ("lol ok fair", "Glad that landed."),
    ("Thanks, that's genuinely helpful.", "You're welcome, happy to help."),
    ("I tried making sourdough again and it came out flat.", "Flat sourdough often means the starter wasn't quite active enough or the dough over-proofed. It's a finicky hobby."),
    ("Do you ever get bored of answering questions?", "Not really; every conversation is a bit different, which keeps it interesting."),
    ("My kid asked me why the sky is blue and I blanked.", "Short version: air scatters blue light more than red, so blue comes at you from every direction."),
    ("I think I need a holiday.", "It sounds like it. Even a long weekend somewhere quiet can help."),
    ("The office heating is broken again.", "That's rough; maybe a good excuse to work from a café for the afternoon."),
    ("Just finished a run, legs are jelly.", "Nice work. Stretch and drink some water before you sit down for long."),
    ("I started a puzzle with 2000 pieces. Mistake?", "Only if you need your dining table back soon. Sorting edges first helps."),
    ("My cat sits on my keyboard every time I open the laptop.", "Cats know exactly where the warm, attention-stealing spot is."),
    ("What's your favourite kind of question to answer?", "I like the ones where someone is trying to untangle a messy real-world situation."),
    ("It's so quiet in the office today.", "Quiet days are great for the tasks that need focus."),
    ("I keep forgetting to water my tomatoes.", "A reminder tied to something you already do, like morning coffee, might help."),
    ("Haha, you're more patient than my manager.", "Ha, I'll take that as a compliment."),
    ("Weekend plans: absolutely nothing. Can't wait.", "A weekend of nothing sounds excellent."),
    ("My phone battery dies by 3pm these days.", "Batteries degrade after a couple of years; a battery replacement is often cheap compared to a new phone."),
    ("I watched a documentary about octopuses last night.", "Octopuses are amazing; each arm has a surprising amount of its own neural processing."),
    ("Got stuck in traffic for an hour this morning.", "An hour in traffic is draining. Hopefully the rest of the day is smoother."),
    ("Do you know any good board games for four people?", "Cooperative games are great for mixed groups, and quick card games work well when people drift in and out."),
    ("Sorry, got distracted by a meeting.", "No problem at all, pick up whenever you're ready."),
    ("I've been learning to play the ukulele.", "Ukulele is a fun one; a handful of chords unlocks a lot of songs."),
    ("Is it weird that I enjoy doing taxes a little?", "Not weird at all; there's something satisfying about making numbers line up."),
    ("My sister is visiting this weekend, so I'll be slow to reply.", "Enjoy the visit! We can pick up whenever you're back."),
    ("The new café downstairs makes a ridiculous cinnamon bun.", "A good cinnamon bun nearby is dangerous knowledge."),
    ("I rearranged my desk and now I can't find anything.", "The classic trade-off: tidier, but everything has moved."),
    ("Do you think it'll snow this year?", "Hard to say; it depends a lot on where you are, but early forecasts are notoriously unreliable."),
    ("Okay, back. Where were we?", "We were in the middle of things; just tell me what you want to tackle next."),
    ("I accidentally replied-all to the whole department.", "Happens to everyone once. A short 'sorry, wrong thread' usually ends it."),
    ("I finally fixed the squeaky door with some soap.", "Soap on a hinge is an old trick that works surprisingly well."),
]

STORIES = [
    "So this weekend we drove out to the lake, which was a mistake because half the city had the same idea. "
    "We ended up eating sandwiches in the car park while a goose stared at us through the window like we owed it money. "
    "Still, the kids loved it and my partner got a great photo of the sunset over the water.",
    "My grandmother turned ninety last week and insisted on baking her own cake, which tilted badly but tasted fantastic. "
    "She told the same story about the village dance hall three times, and every time it got a little more dramatic.",
    "I tried a pottery class on Thursday. My bowl looks like a collapsed hat, but the teacher said it had character. "
    "There was a retired pilot next to me who made a perfect vase on his first try, which felt unfair.",
    "Our building had a fire drill at 6am. Everyone stood outside in pyjamas, and the man from the fourth floor brought his parrot, "
    "which kept imitating the alarm long after it had stopped.",
    "I've been re-watching an old detective series from the nineties. The clothes are wonderful, the plots are ridiculous, "
    "and every episode somehow ends in a foggy harbour.",
    "We adopted a rescue cat last month. She spent the first week under the sofa and now sleeps on my laptop bag every morning, "
    "which means I am always late.",
    "The community garden finally gave us a plot. I planted far too many courgettes, and now I am the neighbourhood courgette dealer.",
    "I went to a friend's wedding in the countryside. The band was late, so the groom's uncle played accordion for an hour, "
    "and honestly it was the highlight of the night.",
]
STORY_REPLIES = [
    "That sounds like a genuinely lovely chaotic day. The staring goose is a great detail.",
    "What a wonderful thing to hear; ninety and still baking is impressive.",
    "A bowl with character is still a bowl! Everyone's first pieces wobble.",
    "A parrot that learned the fire alarm is the best possible outcome of an early drill.",
    "Nineties detective shows really did love a foggy harbour.",
    "She sounds like she's settled in and decided your laptop bag is hers now.",
    "Being the neighbourhood courgette dealer is a respectable role. Courgette fritters freeze well, for what it's worth.",
    "An accordion-playing uncle saving the evening is the kind of story people will retell for years.",
]


# ---------------------------------------------------------------------------
# Filler generation
# ---------------------------------------------------------------------------
def fill(t, rng):
    return (t.replace("{n}", str(rng.randint(2, 9)))
             .replace("{m}", str(rng.randint(11, 60)))
             .replace("{pct}", "%d%%" % rng.choice([30, 35, 40, 45, 50, 55, 60]))
             .replace("{money}", "$%d,%03d" % (rng.randint(2, 40), rng.choice([0, 500])))
             .replace("{wd}", rng.choice(WEEKDAYS))
             .replace("{name}", rng.choice(NAMES))
             .replace("{mon}", rng.choice(MONTHS)))


OPENERS = ["", "", "", "Also, ", "Different question: ", "Quick one. ", "Okay, next thing. ",
           "Going back to work stuff: ", "Another thing on my list: "]
ASST_OPEN = ["", "", "Good question. ", "Sure. ", "Here's how I'd think about it. ",
             "Short answer first, then detail. "]


def domain_pair(rng, key):
    d = DOMAINS[key]
    op, q = rng.choice(OPENERS), fill(rng.choice(d["user"]), rng)
    if op and not q.startswith("I ") and not q[:2].isupper():
        q = q[0].lower() + q[1:]
    u = op + q
    k = rng.randint(4, 8)
    sents = [fill(s, rng) for s in rng.sample(d["asst"], k)]
    style = rng.random()
    if style < 0.35:
        body = rng.choice(ASST_OPEN) + " ".join(sents)
    elif style < 0.7:
        body = rng.choice(ASST_OPEN) + sents[0] + "\n\n" + "\n".join("- " + s for s in sents[1:])
    else:
        h = len(sents) // 2
        body = " ".join(sents[:h]) + "\n\n" + " ".join(sents[h:])
    return [{"role": "user", "content": u}, {"role": "assistant", "content": body}]


def chit_pair(rng):
    if rng.random() < 0.2:
        i = rng.randrange(len(STORIES))
        return [{"role": "user", "content": STORIES[i]},
                {"role": "assistant", "content": STORY_REPLIES[i]}]
    ps = rng.sample(CHIT, rng.randint(1, 3))
    return [{"role": "user", "content": " ".join(p[0] for p in ps)},
            {"role": "assistant", "content": " ".join(p[1] for p in ps)}]


def make_filler(domains, chit=0.15):
    def f(rng):
        if rng.random() < chit:
            return chit_pair(rng)
        return domain_pair(rng, rng.choice(domains))
    return f


def contains_any(msgs, avoid):
    for m in msgs:
        c = m.get("content") or ""
        for a in avoid:
            if a in c:
                return True
    return False


def assemble(rng, system, segments, final_q, target, filler, avoid):
    """segments: list of (fraction, [messages]); filler pairs are generated until
    the estimated size reaches `target`, then segments are placed by fraction."""
    fixed = [{"role": "system", "content": system}, {"role": "user", "content": final_q}]
    for _, s in segments:
        fixed += s
    size = est_tokens(fixed)
    pairs = []
    while size < target:
        p = filler(rng)
        if contains_any(p, avoid):
            continue
        pairs.append(p)
        size += est_tokens(p)
    n = len(pairs)
    slots = {}
    for frac, seg in sorted(segments, key=lambda x: x[0]):
        idx = min(n, max(0, int(round(frac * n))))
        slots.setdefault(idx, []).append(seg)
    msgs = [{"role": "system", "content": system}]
    for i in range(n + 1):
        for seg in slots.get(i, []):
            msgs += seg
        if i < n:
            msgs += pairs[i]
    msgs.append({"role": "user", "content": final_q})
    return msgs


def U(t):
    return {"role": "user", "content": t}


def A(t):
    return {"role": "assistant", "content": t}


def call_id(rng):
    return "call_" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
                             for _ in range(24))


def tool_turn(rng, calls, text=None):
    """calls: list of (name, args_dict, result_str). Returns [assistant, tool...]."""
    tcs, outs = [], []
    for name, args, res in calls:
        cid = call_id(rng)
        tcs.append({"id": cid, "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args)}})
        outs.append({"role": "tool", "tool_call_id": cid, "content": res})
    return [{"role": "assistant", "content": text, "tool_calls": tcs}] + outs


def fn(name, desc, props, required=None):
    return {"type": "function", "function": {
        "name": name, "description": desc,
        "parameters": {"type": "object", "properties": props,
                       "required": required if required is not None else list(props)}}}


S = {"type": "string"}
I = {"type": "integer"}


def target_tokens(rng, lo=9000, hi=52000):
    return rng.randint(lo, hi)


CASES = []


def case(kind):
    def deco(f):
        CASES.append((kind, f))
        return f
    return deco


# ---------------------------------------------------------------------------
# Kind: long_document
# ---------------------------------------------------------------------------
PERILS = ["Sudden and accidental discharge from plumbing", "Sewer or drain backup",
          "Surface water flooding", "Hail damage to roofing", "Windstorm", "Ice dam leakage",
          "Frozen pipes in unheated areas", "Fire and smoke", "Lightning strike",
          "Theft from the dwelling", "Theft from a vehicle", "Vandalism and malicious mischief",
          "Falling objects", "Weight of ice, snow or sleet", "Collapse", "Electrical surge",
          "Mold remediation", "Earth movement", "Riot or civil commotion", "Impact by aircraft or vehicles",
          "Glass breakage", "Tree removal", "Debris removal", "Additional living expense",
          "Identity fraud expense", "Service line failure", "Equipment breakdown",
          "Spoilage of refrigerated property", "Scheduled jewelry", "Fine art and collectibles",
          "Water heater rupture", "Roof leak from wear", "Smoke from wildfire"]
POLICY_BOILER = [
    "The insured must give prompt notice of loss and protect the property from further damage.",
    "Coverage applies only to the residence premises shown in the Declarations.",
    "Any deductible applies per occurrence unless otherwise stated in this section.",
    "We will not pay for loss caused by neglect of the insured to use reasonable means to save property.",
    "Proof of loss must be submitted within sixty days after our request.",
    "Appraisal may be demanded by either party if there is disagreement on the amount of loss.",
    "Payment for loss will be made within thirty days after agreement is reached.",
    "This coverage does not apply to property held for sale or rented to others.",
]


@case("long_document")
def doc_insurance(rng):
    target = target_tokens(rng, 14000, 40000)
    deds = rng.sample(range(6, 60), len(PERILS))
    rows = []
    vals = {}
    for i, p in enumerate(PERILS):
        d = "$%d,%03d" % (deds[i] // 10 + 1, (deds[i] % 10) * 100 + 50)
        vals[p] = d
    perils = PERILS[:]
    perils.insert(2, "Sump pump overflow or failure")
    vals["Sump pump overflow or failure"] = "$2,375"
    vals["Sewer or drain backup"] = "$1,425"
    vals["Surface water flooding"] = "$4,950"
    specials = ["Sump pump overflow or failure", "Sewer or drain backup", "Surface water flooding"]
    seen = set(vals[p] for p in specials)
    for p in perils:
        if p in specials:
            continue
        while vals[p] in seen:
            vals[p] = "$%d,%03d" % (rng.randint(1, 6), rng.randint(1, 9) * 100 + 50)
        seen.add(vals[p])
    for i, p in enumerate(perils):
        lim = "$%d,000" % rng.choice([5, 10, 15, 20, 25, 50, 75, 100, 250])
        wait = rng.choice([0, 24, 48, 72])
        boiler = " ".join(rng.sample(POLICY_BOILER, 3))
        rows.append("Section 7.%d - %s.\n  Deductible: %s per occurrence.\n  Sublimit: %s.\n"
                    "  Waiting period: %d hours.\n  Conditions: %s" % (i + 1, p, vals[p], lim, wait, boiler))
    doc = ("HOMEOWNERS POLICY HO-3 / FORM HX-19 - SECTION 7: PERIL-SPECIFIC DEDUCTIBLES AND SUBLIMITS\n\n"
           + "\n\n".join(rows))
    seg = [U("Here is the deductible schedule from my homeowners policy, pasted in full so you have it:\n\n" + doc),
           A("Thanks, I have the full Section 7 schedule. It lists a separate deductible, sublimit and waiting period "
             "for each peril. Tell me what happened and I can map it to the right section.")]
    fq = ("The pit pump in the basement quit during last night's storm and now there's an inch of water down there. "
          "Which deductible am I looking at under my policy?")
    needed = ["$2,375"]
    forb = ["$1,425", "$4,950"]
    msgs = assemble(rng, DOMAINS["insurance"]["system"], [(rng.uniform(0.1, 0.5), seg)], fq, target,
                    make_filler(["insurance", "personal_finance"]), needed + forb)
    return dict(messages=msgs, needed=needed, forbidden_stale=forb,
                notes="Answer is one clause (sump pump) among ~34 similar peril clauses; look-alikes: drain backup, surface flooding.")


FASTENERS = [("Hex bolt", ["1/4-20", "5/16-18", "3/8-16", "1/2-13"], ["3/4 in", "1 in", "1-1/4 in", "1-1/2 in", "2 in"]),
             ("Socket head cap screw", ["M5", "M6", "M8", "M10"], ["12 mm", "16 mm", "20 mm", "25 mm"]),
             ("Carriage bolt", ["1/4-20", "3/8-16"], ["2 in", "3 in", "4 in"]),
             ("Nylon insert lock nut", ["1/4-20", "5/16-18", "3/8-16", "M8"], [""]),
             ("Flat washer", ["1/4", "5/16", "3/8", "1/2"], ["SAE", "USS"])]
FINISHES = ["18-8 stainless", "316 stainless", "zinc plated", "black oxide", "hot-dip galvanized"]
SUPPLIERS = ["Tolland Fasteners", "Brightwater Supply", "Kessler Industrial", "Marrow & Lane", "Oakridge MRO"]


@case("long_document")
def doc_csv(rng):
    target = target_tokens(rng, 12000, 45000)
    rows = []
    used = {"0.4183", "0.4361", "0.3877"}
    for fam, sizes, lens in FASTENERS:
        for s in sizes:
            for l in lens:
                for fin in FINISHES:
                    for sup in rng.sample(SUPPLIERS, 3):
                        while True:
                            pr = "%.4f" % rng.uniform(0.03, 1.9)
                            if pr not in used:
                                used.add(pr)
                                break
                        desc = "%s %s%s %s" % (fam, s, (" x " + l) if l else "", fin)
                        rows.append([desc, sup, pr])
    key = ("Hex bolt 3/8-16 x 1-1/2 in 18-8 stainless", "Tolland Fasteners")
    rows = [r for r in rows if not (r[0].startswith("Hex bolt 3/8-16 x 1-") and "18-8" in r[0])]
    rows += [[key[0], "Tolland Fasteners", "0.4183"], [key[0], "Brightwater Supply", "0.4361"],
             ["Hex bolt 3/8-16 x 1-1/4 in 18-8 stainless", "Tolland Fasteners", "0.3877"]]
    rng.shuffle(rows)
    lines = ["sku,description,supplier,unit_price_usd,uom,moq,lead_time_days"]
    for i, (d, s, p) in enumerate(rows):
        lines.append('FS-%05d,"%s",%s,%s,EA,%d,%d' % (10000 + i * 7, d, s, p, rng.choice([100, 250, 500, 1000]),
                                                      rng.randint(3, 40)))
    csv = "\n".join(lines)
    seg = [U("Pasting the consolidated fastener price file from all five distributors (CSV export):\n\n" + csv),
           A("Got it: the file has one row per item and supplier with unit price, MOQ and lead time. "
             "I can filter by size, finish or supplier whenever you need.")]
    fq = ("For the PO draft: what's Tolland's each price on the three-eighths stainless hex bolts, the "
          "inch-and-a-half long ones?")
    needed, forb = ["0.4183"], ["0.4361", "0.3877"]
    msgs = assemble(rng, DOMAINS["procurement"]["system"], [(rng.uniform(0.05, 0.4), seg)], fq, target,
                    make_filler(["procurement"]), needed + forb)
    return dict(messages=msgs, needed=needed, forbidden_stale=forb,
                notes="One CSV row among hundreds; look-alikes: same bolt from Brightwater, 1-1/4 in length from Tolland.")


SERVICES = ["checkout-svc", "inventory-svc", "payments-api", "search-gw", "notif-worker", "reporting-etl", "auth-edge"]
ROUTES = ["/v1/cart", "/v1/cart/items", "/v2/search", "/v1/pay/intent", "/v1/login", "/internal/health",
          "/v1/orders", "/v1/stock/reserve"]


@case("long_document")
def doc_log(rng):
    target = target_tokens(rng, 15000, 50000)
    nlines = max(300, int((target - 3000) * 4 / 150))
    lines = []
    special = {int(nlines * rng.uniform(0.2, 0.5)):
               'ERROR payments-api-migrate job=schema-migrate step=0047_add_ledger_index status=failed sqlstate=55P03 '
               'msg="could not obtain lock on relation ledger_entries" attempt=3/3',
               int(nlines * 0.6): 'ERROR inventory-svc-5c7d9 sqlstate=40P01 msg="deadlock detected" table=stock_reservations',
               int(nlines * 0.75): 'ERROR reporting-etl-77f1a sqlstate=57014 msg="canceling statement due to statement timeout" query=daily_rollup',
               int(nlines * 0.85): 'WARN  auth-edge-9b2e4 sqlstate=53300 msg="too many connections for role auth_ro"'}
    for i in range(nlines):
        ts = "2026-11-30T%02d:%02d:%02d.%03dZ" % (2 + i * 3 // 3600, (i * 3 // 60) % 60, (i * 3) % 60, rng.randint(0, 999))
        if i in special:
            lines.append(ts + " " + special[i])
            continue
        svc = rng.choice(SERVICES)
        pod = "%s-%s" % (svc, "".join(rng.choice("0123456789abcdef") for _ in range(5)))
        r = rng.random()
        if r < 0.85:
            lines.append("%s INFO  %s route=%s status=%d latency_ms=%d req=%s" % (
                ts, pod, rng.choice(ROUTES), rng.choice([200, 200, 200, 201, 204, 304]), rng.randint(3, 900),
                "".join(rng.choice("0123456789abcdef") for _ in range(12))))
        elif r < 0.97:
            lines.append("%s WARN  %s msg=\"%s\"" % (ts, pod, rng.choice(
                ["slow upstream response", "retrying after 503 from upstream", "cache miss storm on key prefix",
                 "GC pause exceeded 200ms", "queue depth above soft limit", "client closed request early"])))
        else:
            lines.append("%s ERROR %s status=%d msg=\"%s\"" % (ts, pod, rng.choice([500, 502, 504]), rng.choice(
                ["upstream timeout", "connection reset by peer", "circuit breaker open"])))
    seg = [U("Here is the raw log export from the 02:00-04:00 UTC window during the failed release:\n\n" + "\n".join(lines)),
           A("I have the log window. There are several error bursts across different services; tell me which part "
             "of the release you want me to focus on.")]
    fq = ("Which Postgres error code did the schema change on the accounting table die with during the rollout? "
          "I need it for the vendor ticket.")
    needed, forb = ["55P03"], ["40P01", "57014", "53300"]
    msgs = assemble(rng, DOMAINS["devops"]["system"], [(rng.uniform(0.1, 0.5), seg)], fq, target,
                    make_filler(["devops", "data_engineering"]), needed + forb)
    return dict(messages=msgs, needed=needed, forbidden_stale=forb,
                notes="One migration line in a long service log; other SQLSTATE codes from unrelated services are look-alikes.")


LEASE = [
    ("Term", "The lease term is twelve (12) months beginning on the Commencement Date."),
    ("Rent", "Monthly rent is payable on the first day of each month by bank transfer."),
    ("Late charge", "A late charge of five percent applies to rent received after the fifth (5th) day of the month."),
    ("Security deposit", "Tenant shall pay a security deposit equal to one month's rent, returned within twenty-one (21) days of move-out."),
    ("Utilities", "Tenant is responsible for electricity, internet and gas; Landlord pays water and trash."),
    ("Maintenance", "Tenant shall promptly report any leak, mold or malfunction in writing."),
    ("Entry", "Landlord may enter with twenty-four (24) hours' notice except in emergencies."),
    ("Subletting", "Tenant may not sublet without Landlord's prior written consent, which shall not be unreasonably withheld."),
    ("Parking", "One assigned parking space is included; additional spaces are subject to availability."),
    ("Alterations", "Tenant shall not paint, install fixtures or alter the premises without written consent."),
    ("Renewal", "Either party may propose renewal terms no later than forty-five (45) days before the end of the term."),
    ("Insurance", "Tenant shall maintain renters insurance with liability coverage throughout the term."),
    ("Smoking", "Smoking of any substance is prohibited inside the premises and on balconies."),
    ("Quiet hours", "Quiet hours are from 10 p.m. to 7 a.m. daily."),
    ("Move-out", "Tenant shall return all keys and leave the premises broom-clean."),
    ("Notices", "Notices must be delivered in writing to the addresses stated in this Agreement."),
    ("Governing law", "This Agreement is governed by the laws of the state where the premises are located."),
]


def lease_text(version, pet, term_notice, fee):
    clauses = list(LEASE)
    clauses.insert(8, ("Pets", "One cat or small dog is permitted with a non-refundable pet deposit of %s." % pet))
    clauses.insert(12, ("Early termination", "Tenant may terminate this lease before the end of the term by giving %s "
                        "written notice and paying an early termination fee of %s." % (term_notice, fee)))
    out = ["RESIDENTIAL LEASE AGREEMENT - 418 Linden Row, Unit 3B - %s" % version, ""]
    for i, (t, body) in enumerate(clauses):
        out.append("%d. %s. %s" % (i + 1, t.upper(), body))
        out.append("   %d.1 This clause shall be read together with the Rules and Regulations attached as Schedule B, "
                   "and any conflict shall be resolved in favour of this Agreement." % (i + 1))
    return "\n".join(out)


@case("long_document")
def doc_two_versions(rng):
    target = target_tokens(rng, 10000, 30000)
    v1 = lease_text("DRAFT v1 (sent by listing agent)", "$400", "sixty (60) days'", "one month's rent")
    v2 = lease_text("REVISED DRAFT v2 (from landlord's counsel, supersedes v1)", "$650", "ninety (90) days'",
                    "two months' rent")
    s1 = [U("Here's the first draft of the lease for the Linden Row flat:\n\n" + v1),
          A("I've read draft v1. It's a fairly standard twelve-month residential lease; the pet and early termination "
            "clauses are the ones I'd look at closely.")]
    s2 = [U("The landlord's lawyer sent back a revised version, this one replaces the earlier draft:\n\n" + v2),
          A("Noted: v2 now supersedes v1. Several clauses were changed, so I'll treat v2 as the controlling text.")]
    fq = ("Under the latest version, how much warning do we owe the landlord if we want to get out before the year is up, "
          "and what does it cost us?")
    needed = ["ninety (90) days'", "two months' rent"]
    forb = ["sixty (60) days'", "one month's rent"]
    a, b = sorted([rng.uniform(0.05, 0.35), rng.uniform(0.45, 0.8)])
    msgs = assemble(rng, DOMAINS["real_estate"]["system"], [(a, s1), (b, s2)], fq, target,
                    make_filler(["real_estate", "personal_finance"]), needed + forb)
    return dict(messages=msgs, needed=needed, forbidden_stale=forb,
                notes="Two versions of the same lease; only v2's early-termination clause is current.")


P_LINES = [
    "I mostly used it in the mornings, with my coffee, before anyone else was up.",
    "The colours were nice but I never figured out what the little calendar icon did.",
    "My daughter set it up for me, so I just pressed whatever she told me to press.",
    "I liked the weekly summary. It made me feel like I was doing alright.",
    "Sometimes it asked the same question twice in a day, which felt a bit silly.",
    "Honestly I forgot about it for a week when we were on holiday and it didn't nag, which I liked.",
    "The font was too small for me without my glasses.",
    "I would pay for it if the pharmacy could see the log too.",
    "It was fine. Not life-changing. Fine.",
    "I kept it on silent because I get enough pings from work chats.",
    "The refill reminder was the best bit, I've never run out since.",
    "I wasn't sure whether it was sharing my data with the clinic, and nobody explained that.",
]
MOD_LINES = ["Can you say a bit more about that?", "How did that make you feel about continuing?",
             "Did anyone else have a similar experience?", "Let's move on to the reminders themselves.",
             "What would you change if you could change one thing?", "Thank you, that's really helpful."]


@case("long_document")
def doc_transcript(rng):
    target = target_tokens(rng, 12000, 35000)
    n = int((target - 2500) * 4 / 120)
    lines = []
    spot = int(n * rng.uniform(0.3, 0.7))
    look = int(n * rng.uniform(0.1, 0.25))
    for i in range(n):
        if i == spot:
            lines.append("P07: Honestly it buzzed during my shift at the bakery and my supervisor gave me a look, "
                         "so I uninstalled it that same afternoon.")
        elif i == look:
            lines.append("P03: It buzzed during dinner once and my kids laughed, but I kept it on.")
        elif i % 4 == 0:
            lines.append("Moderator: " + rng.choice(MOD_LINES))
        else:
            lines.append("P%02d: %s" % (rng.choice([1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12]), rng.choice(P_LINES)))
    seg = [U("Transcript of focus group 2 (medication reminder app, 12 participants), verbatim:\n\n" + "\n".join(lines)),
           A("Thanks. I have the full transcript for focus group 2. I can code it by theme (usability, trust, "
             "notifications, adherence) whenever you're ready.")]
    fq = "Who said the alerts got them in trouble at work, and what did they do about it afterwards?"
    needed = ["P07: Honestly it buzzed during my shift at the bakery", "so I uninstalled it that same afternoon"]
    forb = ["but I kept it on"]
    msgs = assemble(rng, DOMAINS["research"]["system"], [(rng.uniform(0.1, 0.4), seg)], fq, target,
                    make_filler(["research"]), needed + forb)
    return dict(messages=msgs, needed=needed, forbidden_stale=forb,
                notes="One utterance in a long focus-group transcript; P03 look-alike (buzzed at dinner, kept it on).")


@case("long_document")
def doc_spec(rng):
    target = target_tokens(rng, 9000, 30000)
    parts = ["HX-202 housing", "HX-220 housing", "HX-224 housing", "CV-31 cover", "CV-35 cover", "BR-08 bracket"]
    feats = ["Bore A (main bearing seat)", "Bore B (seal seat)", "Flange thickness", "Bolt circle diameter",
             "Face flatness", "Dowel hole position", "Wall thickness at rib", "Overall length"]
    used = {"+0.025/-0.000", "+0.018/-0.000", "+0.030/-0.000"}
    rows = ["| Part | Feature | Nominal | Tolerance | Method | Frequency |", "|---|---|---|---|---|---|"]
    for p in parts:
        for f in feats:
            if p == "HX-220 housing" and f.startswith("Bore A"):
                tol = "+0.025/-0.000"
            elif p == "HX-220 housing" and f.startswith("Bore B"):
                tol = "+0.018/-0.000"
            elif p == "HX-202 housing" and f.startswith("Bore A"):
                tol = "+0.030/-0.000"
            else:
                while True:
                    tol = "+/-0.%03d" % rng.randint(5, 300)
                    if tol not in used:
                        used.add(tol)
                        break
            nom = "%.3f mm" % rng.uniform(3, 180)
            rows.append("| %s | %s | %s | %s | %s | %s |" % (p, f, nom, tol, rng.choice(["CMM", "bore gauge", "caliper", "height gauge"]),
                                                            rng.choice(["every part", "1 in 5", "1 per shift", "first-off"])))
    notes = "\n".join("Note %d: %s" % (i + 1, s) for i, s in enumerate(DOMAINS["manufacturing"]["asst"]))
    doc = "CONTROL PLAN CP-114 rev F - machined and moulded components\n\n" + "\n".join(rows) + "\n\n" + notes
    seg = [U("Control plan table for the line, copied from the QMS:\n\n" + doc),
           A("I have control plan CP-114 rev F with every part and feature. Let me know which characteristic you're checking.")]
    fq = "The operator is setting up the bore gauge on the 220. What band is acceptable for the bearing bore?"
    needed, forb = ["+0.025/-0.000"], ["+0.018/-0.000", "+0.030/-0.000"]
    msgs = assemble(rng, DOMAINS["manufacturing"]["system"], [(rng.uniform(0.1, 0.6), seg)], fq, target,
                    make_filler(["manufacturing"]), needed + forb)
    return dict(messages=msgs, needed=needed, forbidden_stale=forb,
                notes="One table row among 48; look-alikes: seal bore on same part, bearing bore on HX-202.")


# ---------------------------------------------------------------------------
# Kind: agent_loop  (one request, 10-20 tool calls, needed fact early, look-alike later)
# ---------------------------------------------------------------------------
def hexs(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def agent_case(rng, system, tools, request, steps, fq, needed, forb, notes, filler_domains, pre=(0.05, 0.6),
               closing=None, parallel=0.25):
    """steps: list of (name, args, result). Consecutive steps may be grouped into one parallel call."""
    seg = [U(request)]
    i = 0
    texts = [None, None, "Checking the next item.", None, "Pulling more detail on that.", None]
    while i < len(steps):
        k = 2 if (rng.random() < parallel and i + 1 < len(steps)) else 1
        seg += tool_turn(rng, steps[i:i + k], rng.choice(texts))
        i += k
    if closing:
        seg.append(A(closing))
    target = target_tokens(rng, 16000, 56000)
    fixed = est_tokens(seg) + 800
    target = max(target, fixed + 2500)
    msgs = assemble(rng, system, [(1.0, seg)], fq, target, make_filler(filler_domains), needed + forb)
    if est_tokens(msgs) > MAX_TOK:
        raise SystemExit("agent case too large")
    return dict(messages=msgs, tools=tools, needed=needed, forbidden_stale=forb, notes=notes)


TABLES = ["orders_fact", "orders_fact_backup", "customers_dim", "sessions_fact", "payments_fact", "refunds_fact",
          "inventory_snapshot", "marketing_touch", "product_dim", "shipments_fact", "support_tickets", "events_raw",
          "ad_spend_daily", "fx_rates", "returns_fact"]


def table_stats(rng, t, last, rows):
    parts = []
    for d in range(1, 24):
        parts.append({"partition": "dt=2026-11-%02d" % d, "rows": rng.randint(100000, 4000000),
                      "files": rng.randint(4, 300), "bytes": rng.randint(10 ** 8, 10 ** 10)})
    return json.dumps({"table": "lake.%s" % t, "format": "iceberg", "owner": rng.choice(["growth", "finance-data", "core-data"]),
                       "last_partition": last, "total_rows": rows, "snapshot_id": rng.randint(10 ** 17, 10 ** 18),
                       "recent_partitions": parts,
                       "columns": [{"name": c, "type": rng.choice(["string", "bigint", "timestamp", "decimal(18,2)"]),
                                    "null_pct": round(rng.uniform(0, 3), 2)} for c in
                                   ["id", "tenant_id", "created_at", "updated_at", "amount", "currency", "status",
                                    "channel", "region", "source_system"]]}, indent=1)


@case("agent_loop")
def agent_pipeline(rng):
    tools = [fn("list_tables", "List tables in a lakehouse schema", {"schema": S}),
             fn("get_table_stats", "Partition and column statistics for a table", {"table": S}),
             fn("run_sql", "Run a read-only SQL query", {"sql": S})]
    order = ["orders_fact"] + rng.sample([t for t in TABLES if t not in ("orders_fact", "orders_fact_backup")], 10) + ["orders_fact_backup"]
    steps = [("list_tables", {"schema": "lake"}, json.dumps({"tables": TABLES + ["tmp_%s" % hexs(rng, 6) for _ in range(30)]}))]
    for t in order:
        if t == "orders_fact":
            last, rows = "dt=2026-11-27", 48213907
        elif t == "orders_fact_backup":
            last, rows = "dt=2026-12-02", 48377120
        else:
            last, rows = "dt=2026-12-01", rng.randint(10 ** 6, 9 * 10 ** 7)
        steps.append(("get_table_stats", {"table": "lake." + t}, table_stats(rng, t, last, rows)))
    steps.append(("run_sql", {"sql": "SELECT max(dt) FROM lake.events_raw"}, json.dumps({"rows": [["2026-12-02"]]})))
    return agent_case(rng, DOMAINS["data_engineering"]["system"], tools,
                      "Audit the nightly pipeline: go through every table in the lake schema and tell me which ones have stale partitions.",
                      steps, "Hold on before the summary: what was the newest partition on the primary orders fact table, and its total row count?",
                      ["dt=2026-11-27", "48213907"], ["dt=2026-12-02", "48377120"],
                      "Needed stats come from the first table lookup; the backup table (similar name) is looked up last with newer values.",
                      ["data_engineering"])


def deploy_history(rng, revs):
    return json.dumps({"service": "payments-api", "deploys": [
        {"revision": r, "at": at, "author": a, "status": st, "change": ch} for r, at, a, st, ch in revs]}, indent=1)


@case("agent_loop")
def agent_incident(rng):
    tools = [fn("get_deploy_history", "Recent deploys for a service", {"service": S}),
             fn("get_pod_status", "Pod status for a deployment", {"deployment": S}),
             fn("fetch_logs", "Fetch recent log lines", {"deployment": S, "lines": I}),
             fn("get_metric", "Query a metric time series", {"query": S})]
    revs = [("a41c9e2", "2026-12-03T02:11Z", "mkowalski", "succeeded", "raise idempotency cache TTL; switch ledger writes to batch insert")]
    for _ in range(8):
        revs.append((hexs(rng, 7), "2026-12-0%dT%02d:%02dZ" % (rng.randint(1, 2), rng.randint(0, 23), rng.randint(0, 59)),
                     rng.choice(["jli", "oadeyemi", "rsantos", "tnguyen"]), "succeeded",
                     rng.choice(["bump client library", "add metrics label", "tune retry budget", "refactor config loading"])))
    steps = [("get_deploy_history", {"service": "payments-api"}, deploy_history(rng, revs))]
    deps = ["payments-api", "checkout-svc", "ledger-writer", "auth-edge", "notif-worker"]
    for d in deps:
        steps.append(("get_pod_status", {"deployment": d}, json.dumps({"deployment": d, "pods": [
            {"name": "%s-%s" % (d, hexs(rng, 5)), "ready": rng.choice(["1/1", "1/1", "0/1"]), "restarts": rng.randint(0, 9),
             "node": "ip-10-4-%d-%d" % (rng.randint(0, 255), rng.randint(0, 255))} for _ in range(12)]}, indent=1)))
        steps.append(("fetch_logs", {"deployment": d, "lines": 60}, "\n".join(
            "2026-12-03T02:%02d:%02dZ %s %s" % (rng.randint(10, 40), rng.randint(0, 59), rng.choice(["INFO", "WARN", "ERROR"]),
                                                rng.choice(["request completed", "upstream timeout", "retry scheduled",
                                                            "batch flushed", "pool exhausted, waiting", "health check ok"]))
            for _ in range(60))))
    steps.append(("get_metric", {"query": "sum(rate(http_5xx[5m])) by (service)"}, json.dumps(
        {"series": [{"service": d, "points": [round(rng.uniform(0, 4), 3) for _ in range(40)]} for d in deps]})))
    revs2 = [("a41c9f7", "2026-12-03T03:02Z", "oncall-bot", "succeeded", "rollback of payments-api to previous image")] + revs[1:4]
    steps.append(("get_deploy_history", {"service": "payments-api"}, deploy_history(rng, revs2)))
    return agent_case(rng, DOMAINS["devops"]["system"], tools,
                      "Payments 5xx alerts fired around 02:15 UTC. Investigate: check deploys, pods, logs and error rates, and figure out what triggered it.",
                      steps, "Before you write it up: which revision went out just before the alerts started, and what did that change do?",
                      ["a41c9e2", "switch ledger writes to batch insert"], ["a41c9f7"],
                      "Needed revision is in the first deploy-history result; a second deploy-history call at the end shows a rollback revision with a similar hash.",
                      ["devops"], closing="I have deploys, pod status, logs and error-rate series for all five services.")


@case("agent_loop")
def agent_support(rng):
    tools = [fn("search_orders", "Search orders by customer email", {"email": S}),
             fn("get_order", "Full order details", {"order_id": S}),
             fn("get_shipment", "Carrier tracking for a shipment", {"shipment_id": S})]
    products = ["Burr coffee grinder", "Espresso machine", "Milk frother", "Stand mixer", "Cast-iron skillet",
                "Knife block set", "Electric kettle", "Air fryer", "Toaster", "Food processor", "Rice cooker", "Blender"]
    orders = ["SO-%d" % rng.randint(40000, 99999) for _ in products]
    steps = [("search_orders", {"email": "h.lindqvist@example.com"}, json.dumps(
        {"orders": [{"order_id": o, "placed": "2026-11-%02d" % rng.randint(1, 28), "items": 1} for o in orders]}))]
    for o, p in zip(orders, products):
        trk = "1Z88F0W2039271745%d" % rng.randint(0, 9)
        if p == "Burr coffee grinder":
            trk = "1Z88F0W20392717453"
        if p == "Milk frother":
            trk = "1Z88F0W20392717435"
        steps.append(("get_order", {"order_id": o}, json.dumps({
            "order_id": o, "customer": "Hanna Lindqvist", "item": {"name": p, "sku": "KA-%d" % rng.randint(1000, 9999),
                                                                  "price": round(rng.uniform(19, 499), 2)},
            "shipping_address": "Storgatan 14, 211 34 Malmo", "shipment_id": "SH-" + o[3:],
            "tracking_number": trk if p in ("Burr coffee grinder", "Milk frother") else "1Z77" + hexs(rng, 14).upper(),
            "history": [{"event": e, "note": rng.choice(["auto", "agent", "system"])} for e in
                        ["created", "payment_captured", "picked", "packed", "label_printed", "handed_to_carrier"]]}, indent=1)))
    rng.shuffle(steps[1:3])
    steps = steps[:1] + sorted(steps[1:], key=lambda s: 0 if "Burr" in s[2] else (2 if "frother" in s[2] else 1))
    return agent_case(rng, DOMAINS["support"]["system"], tools,
                      "Customer Hanna Lindqvist (h.lindqvist@example.com) says 'nothing has arrived'. Go through all her orders and check each one.",
                      steps, "She's on the phone now asking specifically about the grinder. What tracking number do I read out to her?",
                      ["1Z88F0W20392717453"], ["1Z88F0W20392717435"],
                      "Grinder order is the first order fetched; the frother, fetched last, has a near-identical tracking number.",
                      ["support"], parallel=0.0)


@case("agent_loop")
def agent_quotes(rng):
    tools = [fn("get_quote", "Fetch a supplier quote by reference", {"quote_ref": S}),
             fn("list_quotes", "List quotes for an RFQ", {"rfq": S})]
    sups = [("Halvorsen Industrial AS (Bergen)", "EUR 212.40"), ("Brandt Armaturen GmbH", None), ("Valvtek Polska", None),
            ("Ostra Flow AB", None), ("Cordova Valves SL", None), ("Nordkap Process", None), ("Lindholm Teknik", None),
            ("Ferreira Hidraulica", None), ("Marchetti Valvole", None), ("Pinecrest Controls", None),
            ("Halvorsen Industrial Ltd (Aberdeen)", "EUR 221.40")]
    refs = ["Q-%d" % rng.randint(7000, 7999) for _ in sups]
    steps = [("list_quotes", {"rfq": "RFQ-2291"}, json.dumps({"quotes": [{"ref": r, "supplier": s} for r, (s, _) in zip(refs, sups)]}))]
    for r, (s, p) in zip(refs, sups):
        price = p or "EUR %d.%02d" % (rng.randint(180, 260), rng.randint(0, 99))
        if price in ("EUR 212.40", "EUR 221.40") and p is None:
            price = "EUR 199.99"
        steps.append(("get_quote", {"quote_ref": r}, json.dumps({
            "ref": r, "supplier": s, "item": "DN50 PN16 stainless ball valve, ISO 5211 pad",
            "unit_price": price, "qty": 240, "incoterm": rng.choice(["FCA", "DAP", "EXW"]),
            "lead_time_weeks": rng.randint(3, 14), "valid_until": "2027-01-%02d" % rng.randint(5, 30),
            "terms": " ".join(rng.sample(DOMAINS["procurement"]["asst"], 6))}, indent=1)))
    return agent_case(rng, DOMAINS["procurement"]["system"], tools,
                      "Pull every quote on RFQ-2291 for the DN50 valves and build me a comparison.",
                      steps, "One detail first: what per-unit price did the Norwegian Halvorsen office give us?",
                      ["EUR 212.40"], ["EUR 221.40"],
                      "Needed price is in the first quote; the same company's UK entity, fetched last, quotes a transposed-digit price.",
                      ["procurement"])


@case("agent_loop")
def agent_clinic(rng):
    tools = [fn("get_lab_results", "Lab panel for a patient", {"patient_id": S, "panel": S}),
             fn("get_medications", "Active medication list", {"patient_id": S}),
             fn("check_interaction", "Drug-drug interaction check", {"drug_a": S, "drug_b": S})]
    def panel(pid, name, k):
        labs = [{"test": "Sodium", "value": "%d mmol/L" % rng.randint(134, 144)},
                {"test": "Potassium", "value": k},
                {"test": "Creatinine", "value": "%d umol/L" % rng.randint(70, 160)},
                {"test": "Urea", "value": "%.2f mmol/L" % rng.uniform(3, 12)},
                {"test": "Glucose", "value": "%.2f mmol/L" % rng.uniform(4, 11)},
                {"test": "Hemoglobin", "value": "%d g/L" % rng.randint(105, 150)}]
        return json.dumps({"patient_id": pid, "name": name, "panel": "BMP+CBC", "collected": "2026-12-02 06:40",
                           "results": labs + [{"test": "Comment", "value": rng.choice(DOMAINS["medicine"]["asst"])}]}, indent=1)
    steps = [("get_lab_results", {"patient_id": "MRN-30418", "panel": "BMP+CBC"}, panel("MRN-30418", "Adaeze Okafor", "5.9 mmol/L"))]
    meds = ["lisinopril", "spironolactone", "metoprolol", "atorvastatin", "furosemide", "omeprazole", "apixaban"]
    steps.append(("get_medications", {"patient_id": "MRN-30418"}, json.dumps({"active": [
        {"drug": d, "dose": rng.choice(["5 mg", "10 mg", "20 mg", "25 mg", "40 mg"]), "freq": rng.choice(["daily", "twice daily"])}
        for d in meds]}, indent=1)))
    for a in meds:
        for b in meds:
            if a < b and rng.random() < 0.7:
                steps.append(("check_interaction", {"drug_a": a, "drug_b": b}, json.dumps({
                    "pair": [a, b], "severity": rng.choice(["none", "minor", "moderate", "major"]),
                    "summary": " ".join(rng.sample(DOMAINS["medicine"]["asst"], 4))})))
    steps = steps[:16]
    steps.append(("get_lab_results", {"patient_id": "MRN-30481", "panel": "BMP+CBC"}, panel("MRN-30481", "Adaora Okafor", "4.1 mmol/L")))
    return agent_case(rng, DOMAINS["medicine"]["system"], tools,
                      "Ward round prep for bed 7, Mrs Okafor (MRN-30418): pull her latest labs, meds, and check all interactions.",
                      steps, "Quick sanity check: what was Mrs Okafor's potassium in the first panel you pulled?",
                      ["5.9 mmol/L"], ["4.1 mmol/L"],
                      "Needed value in the first lab result; a different patient with a near-identical name and MRN is fetched last.",
                      ["medicine"])


# ---------------------------------------------------------------------------
# Generic "fact segments" case builder
# ---------------------------------------------------------------------------
def seg_case(rng, dom_key, segs, fq, needed, forb, notes, filler_domains=None, lo=8000, hi=50000, tools=None,
             system=None):
    target = target_tokens(rng, lo, hi)
    msgs = assemble(rng, system or DOMAINS[dom_key]["system"], segs, fq, target,
                    make_filler(filler_domains or [dom_key]), needed + forb)
    d = dict(messages=msgs, needed=needed, forbidden_stale=forb, notes=notes)
    if tools:
        d["tools"] = tools
    return d


PA_SYSTEM = ("You are a general personal assistant. The user talks to you about work, family, money and hobbies "
             "in one long running conversation. Keep track of decisions and details they give you.")

# ---------------------------------------------------------------------------
# Kind: assistant_decision
# ---------------------------------------------------------------------------
@case("assistant_decision")
def dec_venue(rng):
    segs = [(rng.uniform(0.05, 0.25), [
        U("We need somewhere for the team party in February, about 60 people, budget around eight grand. Options so far: "
          "Brickworks Hall (EUR 7,900, capacity 80, no kitchen), The Glasshouse (EUR 8,400, capacity 70, rooftop), and "
          "Harbour Loft on Quay Street (EUR 6,800, capacity 65, in-house catering). Which would you pick?"),
        A("I'd go with **Harbour Loft on Quay Street**. It fits 65, comes in EUR 1,200 under budget, and the in-house "
          "catering removes a whole vendor. Brickworks needs external catering, which pushes it over budget, and the "
          "Glasshouse rooftop is a risk in February. Decision: book Harbour Loft and ask them to hold the second Friday."),
        U("Sounds good, let's do that."), A("Great, Harbour Loft it is. I'll remember that.")])]
    return seg_case(rng, "event_planning", segs,
                    "Remind me, where did we settle on for the get-together with the whole crew?",
                    ["Harbour Loft"], ["Brickworks Hall", "The Glasshouse"],
                    "Decision made in an assistant answer early; long unrelated topics follow; final question shares no key words.",
                    ["tax", "gaming", "personal_finance", "travel", "medicine"], system=PA_SYSTEM)


@case("assistant_decision")
def dec_layout(rng):
    segs = [(rng.uniform(0.1, 0.3), [
        U("For the clickstream table rebuild: we've got ~2B rows a month, queries filter by tenant and day. Options: "
          "partition by hour, partition by day, or day plus bucketing by tenant. What's your call?"),
        A("My recommendation: `PARTITIONED BY (days(event_ts), bucket(64, tenant_id))`. Daily partitions keep the file "
          "count manageable, and the 64 tenant buckets let per-tenant queries prune to a sliver of each day. Hourly "
          "partitioning (`hours(event_ts)`) would give you roughly 720 partitions a month with many tiny files. "
          "Let's go with the day-plus-bucket layout and a nightly compaction."),
        U("Agreed, we'll go with that.")] + [A("Noted. I'll use that layout in the DDL draft later.")])]
    return seg_case(rng, "data_engineering", segs,
                    "Writing the ticket now. What did we land on for how the big click log gets split up on disk?",
                    ["bucket(64, tenant_id)"], ["hours(event_ts)"],
                    "Layout decided in an assistant message; later unrelated topics; final question paraphrases 'partitioning'.",
                    ["devops", "procurement", "education", "data_engineering"])


@case("assistant_decision")
def dec_debt(rng):
    segs = [(rng.uniform(0.05, 0.3), [
        U("Debts: Capital Ridge credit card $6,200 at 24.9%, Northfield auto loan $11,400 at 6.1%, student loan $18,900 at 4.3%. "
          "I have an extra $600 a month. Where should it go?"),
        A("Put the whole extra $600 toward the **Capital Ridge card** first (avalanche method): at 24.9% it's by far the "
          "most expensive. Keep paying minimums on the Northfield auto loan and the student loan. At that pace the card "
          "is gone in about ten months, then roll the $600 plus the card's minimum into the auto loan."),
        U("Ok, doing that.")] + [A("Good plan. Set up the extra payment as an automatic transfer right after payday.")])]
    return seg_case(rng, "personal_finance", segs,
                    "Which balance did you tell me to knock out before anything else?",
                    ["Capital Ridge"], ["Northfield auto loan"],
                    "Recommendation from an assistant message, many unrelated turns later.",
                    ["gaming", "event_planning", "real_estate", "travel", "education"], system=PA_SYSTEM)


@case("assistant_decision")
def dec_build(rng):
    segs = [(rng.uniform(0.05, 0.3), [
        U("Level 30 respec time for my ranger. Do I go Stormcaller, Warden or Trickshot, and where do my three points go?"),
        A("Go **Warden**. Your group already has two damage dealers, and Warden's barrier lets you anchor the raid's "
          "second phase. Put the three points into **Resolve** so the barrier refreshes faster. Stormcaller is stronger "
          "solo but would overlap with your mage friend, and Trickshot needs gear you don't have yet."),
        U("Warden it is.")] + [A("Nice. Remember to re-slot the barrier on your bar after the respec.")])]
    return seg_case(rng, "gaming", segs,
                    "Logging in now to respec. Remind me what the plan was for my character?",
                    ["Warden", "Resolve"], ["Stormcaller", "Trickshot"],
                    "Build decision in an assistant answer; final question is vague and shares no class/stat names.",
                    ["tax", "medicine", "support", "real_estate"], system=PA_SYSTEM)


# ---------------------------------------------------------------------------
# Kind: correction
# ---------------------------------------------------------------------------
def spread(rng, n, lo, hi):
    return sorted(rng.uniform(lo, hi) for _ in range(n))


@case("correction")
def cor_flight(rng):
    p = spread(rng, 4, 0.05, 0.7)
    segs = [(p[0], [U("Flights are booked! Lisbon to Copenhagen on the 14th, departing 14:05."),
                    A("Great, noted: departure 14:05 on the 14th.")]),
            (p[1], [U("So with a 14:05 departure, should we do lunch in town first?"),
                    A("With a 14:05 departure you'd want to be at the airport by around noon, so an early lunch near the hotel works.")]),
            (p[2], [U("Told the team I'm on the 14:05 out of Lisbon so nobody books me for afternoon calls."),
                    A("Sensible; blocking the afternoon makes sense.")]),
            (p[3], [U("oh, airline email: it's now 16:40."), A("Got it.")])]
    return seg_case(rng, "travel", segs,
                    "What time should the shuttle collect us if we want to be at the airport two hours before takeoff?",
                    ["16:40"], ["14:05"],
                    "Departure time repeated three times, then corrected once briefly.",
                    ["travel", "event_planning"])


@case("correction")
def cor_wages(rng):
    p = spread(rng, 4, 0.05, 0.75)
    segs = [(p[0], [U("My W-2 box 1 wages are $84,300 this year."), A("Thanks, $84,300 in wages noted.")]),
            (p[1], [U("With $84,300 in wages, am I anywhere near the next bracket?"),
                    A("At $84,300 of wages, after the standard deduction you'd be in the middle of your bracket, not near the edge.")]),
            (p[2], [U("For the saver's credit, is $84,300 too high?"), A("At $84,300 you'd be above the saver's credit limit for a single filer.")]),
            (p[3], [U("ugh, misread the form, box 1 is actually $81,950"), A("Okay, updated.")])]
    return seg_case(rng, "tax", segs,
                    "Using my salary figure from the W-2, what's my taxable income after the standard deduction?",
                    ["$81,950"], ["$84,300"], "Wage figure stated and reused several times; corrected once tersely.")


@case("correction")
def cor_dose(rng):
    p = spread(rng, 4, 0.05, 0.75)
    segs = [(p[0], [U("Patient note: Mr Duarte takes metformin 500 mg twice daily."), A("Recorded: metformin 500 mg twice daily.")]),
            (p[1], [U("Given metformin 500 mg twice daily, is his eGFR a concern?"),
                    A("At that dose his renal function is fine for continuing, but recheck in three months.")]),
            (p[2], [U("Add to the plan: continue metformin 500 mg twice daily."), A("Added to the plan.")]),
            (p[3], [U("pharmacy called - it's 850 mg, not what I wrote. same frequency"), A("Thanks, noted.")])]
    return seg_case(rng, "medicine", segs,
                    "What is Mr Duarte's total daily amount of the diabetes tablet, in milligrams?",
                    ["850 mg"], ["500 mg"], "Dose stated three times, corrected once by a brief message.")


@case("correction")
def cor_host(rng):
    p = spread(rng, 4, 0.05, 0.75)
    segs = [(p[0], [U("Primary Postgres for the billing cluster is db-primary-03.eu-west.internal."), A("Noted: db-primary-03.")]),
            (p[1], [U("I'll run the index build against db-primary-03 tonight."), A("Fine; run it with CONCURRENTLY on db-primary-03.")]),
            (p[2], [U("Paging Ravi since db-primary-03 is his box."), A("Good call.")]),
            (p[3], [U("heads up, failover happened at lunch, primary is now db-primary-05.eu-west.internal"), A("Ack.")])]
    return seg_case(rng, "devops", segs,
                    "Which host do I point the migration script at tonight for billing?",
                    ["db-primary-05"], ["db-primary-03"], "Hostname repeated, then failover correction once.")


@case("correction")
def cor_batch(rng):
    p = spread(rng, 4, 0.05, 0.75)
    segs = [(p[0], [U("Order 4471 for the CV-35 covers: 1,200 units, ship in week 9."), A("Noted: 1,200 units of CV-35.")]),
            (p[1], [U("For 1,200 units, do we need a second mould shift?"), A("At 1,200 units one shift covers it with margin.")]),
            (p[2], [U("QA plan sized for 1,200 units, sample 80."), A("A sample of 80 is consistent with that lot size.")]),
            (p[3], [U("customer cut order 4471 to 950 units"), A("Understood.")])]
    return seg_case(rng, "manufacturing", segs,
                    "How many kilograms of resin should I pull for order 4471 at 0.42 kg per cover?",
                    ["950 units"], ["1,200 units"], "Quantity repeated three times, cut once in a terse message.")


# ---------------------------------------------------------------------------
# Kind: passing_mention
# ---------------------------------------------------------------------------
@case("passing_mention")
def pm_allergy(rng):
    segs = [(rng.uniform(0.05, 0.4), [
        U("Dinner for eight on Saturday is on. Priya confirmed, she's allergic to sesame btw, and Tom is bringing wine. "
          "Can you suggest a rough timeline for the cooking?"),
        A("Sure: start the slow-cooked dish at 3pm, prep sides at 5, guests at 7, mains at 7:45, dessert at 9.")])]
    return seg_case(rng, "event_planning", segs,
                    "I'm thinking of doing a tahini dressing on the salad for Saturday. Is that safe for everyone coming?",
                    ["allergic to sesame"], [], "Allergy mentioned once in passing inside a planning message.",
                    ["event_planning", "travel", "personal_finance"], system=PA_SYSTEM)


@case("passing_mention")
def pm_account(rng):
    segs = [(rng.uniform(0.05, 0.35), [
        U("Hi, I'm writing about the kettle that arrived with a cracked lid. (Account ref 7730-41-0092 if you need it.) "
          "It still works but I'm worried about steam leaking."),
        A("Sorry about the lid. A crack near the lid seal can let steam escape, so please stop using it until we've "
          "sorted a replacement.")])]
    return seg_case(rng, "support", segs,
                    "Please draft the refund confirmation email to the customer, including their account reference.",
                    ["7730-41-0092"], [], "Account number given once, in parentheses, early.")


@case("passing_mention")
def pm_deadline(rng):
    segs = [(rng.uniform(0.05, 0.35), [
        U("Partner just stopped by - the reply brief in Harlow v. Denmead is due Jan 9 at 5pm Pacific, she wants a draft a week earlier. "
          "Anyway, can you help me with the chronology for the other matter?"),
        A("Of course. Send me the emails for the other matter and I'll build the chronology with one row per event.")])]
    return seg_case(rng, "law", segs,
                    "Today is December 3. How many calendar days do I have until the Harlow filing, and when should the internal draft be ready?",
                    ["Jan 9 at 5pm Pacific"], [], "Deadline mentioned in passing before switching to another matter.")


@case("passing_mention")
def pm_constraint(rng):
    segs = [(rng.uniform(0.05, 0.35), [
        U("We're looking for a two-bed to rent for me and my mum; she uses a wheelchair so the entrance can't have steps. "
          "Budget is flexible-ish. What should I ask landlords first?"),
        A("Ask about lease length, what's included in rent, how maintenance requests are handled, and the deposit terms.")])]
    return seg_case(rng, "real_estate", segs,
                    "Three places came back: Elm Street (four steps up to the front door, cheapest), Birch Avenue (level entry, lift to unit), "
                    "Cedar Court (split-level entry). Which should I shortlist given everything I've told you?",
                    ["uses a wheelchair"], [], "Accessibility constraint mentioned once in passing.")


@case("passing_mention")
def pm_iep(rng):
    segs = [(rng.uniform(0.05, 0.4), [
        U("Quick admin thing before I forget, Marco in 10B has an IEP with extended time (1.5x) on assessments. "
          "Now, can you help me plan the revision lesson on quadratics?"),
        A("Sure. Start with a five-question retrieval quiz, then a worked example on factorising, then paired practice.")])]
    return seg_case(rng, "education", segs,
                    "The final is 60 minutes. How long should Marco get?",
                    ["1.5x"], [], "Accommodation mentioned once as an aside.")


# ---------------------------------------------------------------------------
# Kind: multi_fact
# ---------------------------------------------------------------------------
@case("multi_fact")
def mf_budget(rng):
    p = spread(rng, 3, 0.05, 0.9)
    segs = [(p[0], [U("New job starts this month: take-home pay will be $7,420 a month."), A("Congratulations! That's a solid base to budget from.")]),
            (p[1], [U("Signed the lease - rent is $2,150 including parking."), A("Good, housing well under a third of take-home.")]),
            (p[2], [U("Car payment is $389 a month for another two years."), A("Noted, that's manageable.")])]
    return seg_case(rng, "personal_finance", segs,
                    "After housing and the car, how much of my monthly pay is left?",
                    ["$7,420", "$2,150", "$389"], [], "Three figures stated far apart.")


@case("multi_fact")
def mf_claim(rng):
    p = spread(rng, 3, 0.05, 0.9)
    segs = [(p[0], [U("The insurer gave me a claim number: CLM-88-20417."), A("Keep that on every email subject line.")]),
            (p[1], [U("Adjuster assigned is Dolores Fenn, she visits next week."), A("Good; prepare the photo set before her visit.")]),
            (p[2], [U("The contractor's estimate came in at $18,640 for the ceiling and drywall."), A("That seems in line with the damage you described.")])]
    return seg_case(rng, "insurance", segs,
                    "Write a short email to my adjuster by name, with the claim reference in the subject, attaching the contractor's figure.",
                    ["CLM-88-20417", "Dolores Fenn", "$18,640"], [], "Three facts from distant turns combined in one email.")


@case("multi_fact")
def mf_grant(rng):
    p = spread(rng, 2, 0.05, 0.85)
    segs = [(p[0], [U("Funding for the reminder-app study is NSF award 2291774."), A("Noted for the acknowledgments.")]),
            (p[1], [U("Ethics approval came through: protocol IRB-2025-0613, expedited review."), A("Great news; cite it in the methods.")])]
    return seg_case(rng, "research", segs,
                    "Draft the acknowledgments paragraph, including the funding and ethics identifiers.",
                    ["2291774", "IRB-2025-0613"], [], "Two identifiers far apart.")


@case("multi_fact")
def mf_oncall(rng):
    p = spread(rng, 3, 0.05, 0.9)
    segs = [(p[0], [U("Kafka rebalance runbook lives at wiki.internal/runbooks/kafka-rebalance-v3."), A("Bookmarked mentally.")]),
            (p[1], [U("Escalation for the streaming team out of hours: +44 20 7946 0183."), A("Noted.")]),
            (p[2], [U("The consumer group that keeps lagging is cg-orders-enricher."), A("That's the one to watch during the rebalance.")])]
    return seg_case(rng, "devops", segs,
                    "Write the handover note for tonight's on-call: which group to watch, where the procedure is, who to phone.",
                    ["kafka-rebalance-v3", "+44 20 7946 0183", "cg-orders-enricher"], [], "Three on-call facts spread over the conversation.")


# ---------------------------------------------------------------------------
# Kind: vague_followup
# ---------------------------------------------------------------------------
@case("vague_followup")
def vf_laptop(rng):
    segs = [(rng.uniform(0.1, 0.5), [
        U("Shortlist laptops for the two new analysts, 16GB minimum."),
        A("Two finalists:\n1. Lattice 14 Pro - part LT14P-32G-1T - $1,649, 32GB, 1TB.\n"
          "2. Corvo Air 13 - part CVA13-16G-512 - $1,289, 16GB, 512GB.\nBoth have three-year warranties."),
        U("Let me think about it and check the budget."), A("Sure, take your time.")])]
    return seg_case(rng, "procurement", segs,
                    "Budget's tight, so let's order the cheaper one. What's the exact part number for the PO?",
                    ["CVA13-16G-512"], ["LT14P-32G-1T"], "'the cheaper one' refers to an assistant list far back.")


@case("vague_followup")
def vf_listing(rng):
    segs = [(rng.uniform(0.1, 0.5), [
        U("Give me the four condos we saw with their fees."),
        A("1. Marlowe Tower 12C - $529,000 - HOA $388/month\n2. Quarry Lane 4 - $498,500 - HOA $412/month\n"
          "3. Stillwater 210 - $545,000 - HOA $297/month\n4. Fenwick Mews 7 - $510,000 - HOA $455/month"),
        U("Thanks, I'll sleep on it."), A("Good idea.")])]
    return seg_case(rng, "real_estate", segs,
                    "Okay I keep thinking about the second one. What was its monthly fee again?",
                    ["$412/month"], ["$388/month", "$297/month", "$455/month"], "Ordinal reference to an old list.")


@case("vague_followup")
def vf_builds(rng):
    a = rng.uniform(0.05, 0.3)
    segs = [(a, [U("List the last three CI builds on main."),
                 A("- #4517 failed - commit 3fd02ac - flaky integration test in payments\n"
                   "- #4516 failed - commit 9be31d0 - lint error in config loader\n"
                   "- #4515 passed - commit 71aa0c4")]),
            (1.0, [U("What broke in 4517?"), A("#4517 failed on a flaky payments integration test; rerunning usually passes.")])]
    return seg_case(rng, "devops", segs, "And the one before that? Which commit, and what failed?",
                    ["9be31d0", "lint error in config loader"], ["71aa0c4"],
                    "'the one before' needs the old list entry for #4516; only #4517 was discussed recently.")


@case("vague_followup")
def vf_books(rng):
    segs = [(rng.uniform(0.1, 0.5), [
        U("Recommend textbooks for the new chemistry elective."),
        A("Three options:\n- 'Foundations of Chemistry', Hart & Osei, 4th edition (ISBN 978-1-4058-2231-7)\n"
          "- 'Chemistry in Context', Alvarez, 9th edition (ISBN 978-0-3197-6610-2)\n"
          "- 'Molecules and Matter', Brennan, 2nd edition (ISBN 978-1-9110-4482-9)"),
        U("I'll check with the department."), A("Sounds good.")])]
    return seg_case(rng, "education", segs,
                    "Department says go with the last one you mentioned. What's the ISBN so I can order it?",
                    ["978-1-9110-4482-9"], ["978-1-4058-2231-7", "978-0-3197-6610-2"], "'the last one you mentioned' refers to an old list.")


# ---------------------------------------------------------------------------
# Kind: old_tool_result  (exact output from an earlier turn's tool call)
# ---------------------------------------------------------------------------
def old_tool_case(rng, dom_key, tools, ask, calls, reply, fq, needed, forb, notes, fillers=None):
    seg = [U(ask)] + tool_turn(rng, calls) + [A(reply)]
    return seg_case(rng, dom_key, [(rng.uniform(0.05, 0.4), seg)], fq, needed, forb, notes, fillers, tools=tools)


@case("old_tool_result")
def ot_checksum(rng):
    sha = "9f2c7d41e08ab35c6d17f0e2b94a58c3de71066b2f48a9c05e3d8817b6c2fa4e"
    other = "9f2c7d41e08ab35c6d17f0e2b94a58c3de71066b2f48a9c05e3d8817b6c2fa4f"
    tools = [fn("run_shell", "Run a shell command in the build container", {"cmd": S})]
    out = ("%s  dist/ledger-service-2.14.0.tar.gz\n%s  dist/ledger-service-2.14.0-debug.tar.gz\n" % (sha, other)
           + "\n".join("%s  dist/vendor/%s.whl" % (hexs(rng, 64), n) for n in
                       ["grpcio", "protobuf", "psycopg", "orjson", "pydantic", "uvloop", "cryptography"]))
    return old_tool_case(rng, "devops", tools, "Compute checksums for everything in dist/ please.",
                         [("run_shell", {"cmd": "sha256sum dist/*.tar.gz dist/vendor/*.whl"}, out)],
                         "Done; checksums computed for the release tarball, its debug variant and the vendored wheels. All files were readable.",
                         "For the release notes: paste the exact SHA-256 you got for the main 2.14.0 tarball (not the debug one).",
                         [sha], [other], "Exact hash only in an old tool result; assistant reply did not repeat it.")


@case("old_tool_result")
def ot_balance(rng):
    tools = [fn("get_account_balances", "Read balances from linked bank accounts", {"institution": S})]
    out = json.dumps({"accounts": [
        {"name": "Everyday checking", "balance": "12,408.17", "pending": "-311.52"},
        {"name": "High-yield savings", "balance": "24,900.00", "pending": "0.00"},
        {"name": "Holiday sinking fund", "balance": "1,840.66", "pending": "0.00"}], "as_of": "2026-11-18T08:00Z"}, indent=1)
    return old_tool_case(rng, "personal_finance", tools, "Can you check what's in my accounts at Fjord Bank?",
                         [("get_account_balances", {"institution": "Fjord Bank"}, out)],
                         "Pulled your three Fjord Bank accounts. Checking has a small pending card charge; savings is untouched.",
                         "What exactly did checking show earlier, and how much was pending on it?",
                         ["12,408.17", "-311.52"], [], "Exact balances only in an earlier tool result.")


@case("old_tool_result")
def ot_nulls(rng):
    tools = [fn("run_sql", "Run a read-only SQL query on the warehouse", {"sql": S})]
    out = json.dumps({"columns": ["total_rows", "null_customer_id", "null_amount", "dup_order_id"],
                      "rows": [[3918442, 1207, 86, 14]], "elapsed_ms": 8412}, indent=1)
    return old_tool_case(rng, "data_engineering", tools, "Run the quality check on stg_orders before we publish.",
                         [("run_sql", {"sql": "SELECT count(*), count_if(customer_id IS NULL), count_if(amount IS NULL), "
                                              "count(*) - count(DISTINCT order_id) FROM stg_orders"}, out)],
                         "The check ran. There are some nulls in customer_id and amount, and a handful of duplicate order ids; not enough to block, but worth a ticket.",
                         "For the ticket I need the precise numbers from that quality check: missing customer ids and duplicate orders.",
                         ["1207", "3918442"], [], "Exact counts only in an old SQL result.")


@case("old_tool_result")
def ot_labs(rng):
    tools = [fn("get_chart", "Fetch structured chart data", {"patient_id": S, "section": S})]
    out = json.dumps({"patient_id": "MRN-55120", "section": "labs", "results": [
        {"test": "HbA1c", "value": "7.8 %", "date": "2026-10-30"},
        {"test": "eGFR", "value": "54 mL/min/1.73m2", "date": "2026-10-30"},
        {"test": "Urine ACR", "value": "41 mg/g", "date": "2026-10-30"},
        {"test": "LDL", "value": "2.9 mmol/L", "date": "2026-10-30"}]}, indent=1)
    return old_tool_case(rng, "medicine", tools, "Pull the recent labs for MRN-55120.",
                         [("get_chart", {"patient_id": "MRN-55120", "section": "labs"}, out)],
                         "Labs retrieved. Glycaemic control is above target and there's mild kidney involvement worth following.",
                         "What were the kidney numbers in that chart pull, exactly as reported?",
                         ["54 mL/min/1.73m2", "41 mg/g"], [], "Exact lab values only in an old tool result.")


@case("old_tool_result")
def ot_ticket(rng):
    tools = [fn("get_ticket", "Fetch a support ticket", {"ticket_id": S}),
             fn("get_customer", "Fetch a customer profile", {"email": S})]
    t = json.dumps({"ticket_id": "INC-0048213", "status": "pending_customer", "rma": "RMA-77K-3391",
                    "product": "Air fryer 5.5L", "opened": "2026-11-21", "notes": [rng.choice(DOMAINS["support"]["asst"]) for _ in range(6)]}, indent=1)
    c = json.dumps({"email": "r.mbeki@example.com", "tier": "gold", "orders": 14, "lifetime_value": 2311.9}, indent=1)
    return old_tool_case(rng, "support", tools, "Look up ticket INC-0048213 and the customer behind it.",
                         [("get_ticket", {"ticket_id": "INC-0048213"}, t), ("get_customer", {"email": "r.mbeki@example.com"}, c)],
                         "Found the ticket and the customer; a return authorisation was issued and we're waiting on the customer to ship it back.",
                         "What's the return authorisation code on that case? The warehouse needs it.",
                         ["RMA-77K-3391"], [], "Exact code only in an earlier parallel tool result.")


# ---------------------------------------------------------------------------
# Kind: paraphrase  (question shares almost no words with the answer-bearing message)
# ---------------------------------------------------------------------------
@case("paraphrase")
def pp_sulfa(rng):
    segs = [(rng.uniform(0.05, 0.5), [
        U("History from the transfer letter: documented hypersensitivity to sulfonamide-class antimicrobials (urticaria, 2019)."),
        A("Recorded in the history section.")])]
    return seg_case(rng, "medicine", segs, "Are there any drugs she reacts badly to that I should avoid prescribing?",
                    ["sulfonamide-class antimicrobials"], [], "Clinical register vs plain-language question.")


@case("paraphrase")
def pp_rendezvous(rng):
    segs = [(rng.uniform(0.05, 0.5), [
        U("For the offsite morning: everyone gathers by the north entrance of Fenwick Station, half past nine, coaches leave ten minutes later."),
        A("Noted.")])]
    return seg_case(rng, "event_planning", segs, "Where's the rendezvous on day one, and what's the ETA for folks to show up?",
                    ["north entrance of Fenwick Station", "half past nine"], [], "Loan words (rendezvous, ETA) vs plain statement.")


@case("paraphrase")
def pp_daycare(rng):
    segs = [(rng.uniform(0.05, 0.5), [
        U("ugh, the little one's nursery runs me about nine hundred bucks a month, every month this year"),
        A("That's a big line in the budget.")])]
    return seg_case(rng, "tax", segs, "For the dependent care credit, what childcare expense total should go on the form?",
                    ["nine hundred bucks a month"], [], "Colloquial statement vs formal tax question.")


@case("paraphrase")
def pp_led(rng):
    segs = [(rng.uniform(0.05, 0.5), [
        U("Customer wrote: 'the little light on the back goes amber, flickers three times then stops, and the thing won't heat'."),
        A("Thanks, I'll log it.")])]
    return seg_case(rng, "support", segs, "What LED fault pattern did the client report, for the engineering escalation?",
                    ["goes amber, flickers three times"], [], "Customer's wording vs technical question.")


@case("paraphrase")
def pp_settlement(rng):
    segs = [(rng.uniform(0.05, 0.5), [
        U("Ran into their lawyer at the courthouse coffee cart, she said they'd walk away for eleven grand."),
        A("Interesting, worth telling the partner.")])]
    return seg_case(rng, "law", segs, "What settlement figure did opposing counsel float informally?",
                    ["eleven grand"], [], "Casual statement vs legal register.")


# ---------------------------------------------------------------------------
# Kind: chitchat_heavy  (mostly small talk; the last assistant answer must stay intact)
# ---------------------------------------------------------------------------
def chit_case(rng, ask, answer, fq, needed, forb, notes, early=None):
    segs = [(1.0, [U(ask), A(answer)])]
    if early:
        segs.insert(0, (rng.uniform(0.1, 0.6), early))
    target = target_tokens(rng, 7600, 20000)
    msgs = assemble(rng, PA_SYSTEM, segs, fq, target, make_filler(["travel"], chit=0.9), needed + forb)
    return dict(messages=msgs, needed=needed, forbidden_stale=forb, notes=notes)


@case("chitchat_heavy")
def cc_bread(rng):
    return chit_case(rng, "Okay, banana bread time. Give me your recipe?",
                     "Banana bread: mash 3 very ripe bananas, whisk in 75 g melted butter, 150 g brown sugar, 1 egg and "
                     "1 tsp vanilla. Fold in 190 g flour with 1 tsp baking soda and a pinch of salt. Bake at 175C for "
                     "55 minutes in a lined loaf tin; it's done when a skewer comes out clean.",
                     "Perfect, can you turn that into a numbered checklist I can stick on the fridge?",
                     ["3 very ripe bananas", "175C for 55 minutes", "190 g flour"], ["180C for 45 minutes"],
                     "Long small talk; last assistant answer is the recipe to reformat. Earlier a different temperature was mentioned.",
                     early=[U("My mum bakes hers at 180C for 45 minutes but it always burns on top."),
                            A("A slightly lower oven usually fixes a burnt top.")])


@case("chitchat_heavy")
def cc_workout(rng):
    return chit_case(rng, "Give me a short beginner workout I can do at home, no equipment.",
                     "Here's a 20-minute circuit: 10 squats, 8 knee push-ups, 30-second plank, 12 glute bridges, "
                     "20 jumping jacks. Rest 60 seconds and repeat 3 rounds. Do it Monday, Wednesday and Friday.",
                     "Nice. Can you make that into a table with reps per exercise?",
                     ["8 knee push-ups", "12 glute bridges", "3 rounds"], [], "Small talk then the final answer to reformat.")


@case("chitchat_heavy")
def cc_directions(rng):
    return chit_case(rng, "How do I get from the hostel to the old market on foot?",
                     "From the hostel, turn left onto Rua das Flores, walk two blocks to the fountain, take the staircase "
                     "down to Largo do Carmo, then follow the tram tracks east for about 400 m; the market hall is the "
                     "green iron building on your right.",
                     "Can you shorten that to three bullet points for my phone?",
                     ["Rua das Flores", "Largo do Carmo", "green iron building"], [], "Chit-chat heavy; last answer must stay intact.")


@case("chitchat_heavy")
def cc_toast(rng):
    return chit_case(rng, "Write me a two-line toast for my sister's 40th.",
                     "\"To Lena, who turns every detour into an adventure and every kitchen into a party. "
                     "Forty looks good on you; here's to the next forty!\"",
                     "Lovely. Could you make it a bit funnier but keep the detour line?",
                     ["turns every detour into an adventure"], [], "Final request edits the last answer; small talk everywhere else.")


# ---------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------
def verify(c):
    errs = []
    msgs = c["messages"]
    if not msgs or msgs[0].get("role") != "system":
        errs.append("first message is not system")
    last = msgs[-1]
    if last.get("role") != "user" or not isinstance(last.get("content"), str) or not last["content"].strip():
        errs.append("last message is not a user message with string content")
    declared = {t["function"]["name"] for t in c.get("tools", [])}
    has_calls = any(m.get("tool_calls") for m in msgs)
    if has_calls and "tools" not in c:
        errs.append("tool calls present but no tools declared")
    if not has_calls and "tools" in c:
        errs.append("tools declared but no tool calls")
    pending = set()
    for i, m in enumerate(msgs):
        r = m.get("role")
        if r not in ("system", "user", "assistant", "tool"):
            errs.append("bad role at %d" % i)
        if r == "tool":
            tid = m.get("tool_call_id")
            if tid not in pending:
                errs.append("orphan tool message at %d" % i)
            pending.discard(tid)
            if not isinstance(m.get("content"), str):
                errs.append("tool content not a string at %d" % i)
            continue
        if pending:
            errs.append("unanswered tool calls before message %d" % i)
            pending = set()
        if r == "system" and i != 0:
            errs.append("system message not first at %d" % i)
        if m.get("tool_calls"):
            if r != "assistant":
                errs.append("tool_calls on non-assistant at %d" % i)
            for tc in m["tool_calls"]:
                if tc.get("type") != "function":
                    errs.append("tool call type at %d" % i)
                if tc["id"] in pending:
                    errs.append("duplicate call id at %d" % i)
                pending.add(tc["id"])
                if tc["function"]["name"] not in declared:
                    errs.append("undeclared function %s" % tc["function"]["name"])
                try:
                    if not isinstance(json.loads(tc["function"]["arguments"]), dict):
                        errs.append("arguments not an object at %d" % i)
                except ValueError:
                    errs.append("arguments not valid JSON at %d" % i)
        elif not isinstance(m.get("content"), str):
            errs.append("non-string content at %d" % i)
    if pending:
        errs.append("unanswered tool calls at end")
    for i in range(1, len(msgs)):
        a, b = msgs[i - 1]["role"], msgs[i]["role"]
        if a == b and a in ("user", "assistant"):
            errs.append("two consecutive %s messages at %d" % (a, i))
    if c["kind"] == "agent_loop":
        start = max(i for i, m in enumerate(msgs[:-1]) if m["role"] == "user")
        ncalls = sum(len(m.get("tool_calls") or []) for m in msgs[start:])
        if not (10 <= ncalls <= 20):
            errs.append("agent loop has %d tool calls in the current turn (want 10-20)" % ncalls)
    final_q = last.get("content") or ""
    body = [m.get("content") or "" for m in msgs[1:-1]]
    system = msgs[0].get("content") or ""
    if not c["needed"]:
        errs.append("no needed strings")
    for s in c["needed"]:
        if not any(s in b for b in body):
            errs.append("needed %r not in any non-system, non-final message" % s)
        if s in final_q:
            errs.append("needed %r appears in final question" % s)
        if s in system:
            errs.append("needed %r appears in system prompt" % s)
        occ = sum(b.count(s) for b in body)
        if occ > 4:
            errs.append("needed %r occurs %d times (too common to test pruning)" % (s, occ))
    for s in c["forbidden_stale"]:
        if s in final_q:
            errs.append("forbidden %r appears in final question" % s)
        if not any(s in b for b in body):
            errs.append("forbidden %r is not present in the conversation" % s)
        if any(s in n or n in s for n in c["needed"]):
            errs.append("forbidden %r overlaps a needed string" % s)
    tok = est_tokens(msgs)
    if not (MIN_TOK <= tok <= MAX_TOK):
        errs.append("size %d tokens out of range" % tok)
    return errs


def build():
    out, seen = [], set()
    counters = {}
    for kind, f in CASES:
        counters[kind] = counters.get(kind, 0) + 1
        cid = "%s-%02d-%s" % (kind, counters[kind], f.__name__)
        rng = random.Random("%d:%s" % (SEED, cid))
        d = f(rng)
        rec = {"id": cid, "kind": kind, "messages": d["messages"]}
        if d.get("tools"):
            rec["tools"] = d["tools"]
        rec["needed"] = d["needed"]
        rec["forbidden_stale"] = d["forbidden_stale"]
        rec["notes"] = d["notes"]
        out.append(rec)
    return out


def main():
    cases = build()
    failures = 0
    ids = set()
    stats = {}
    for c in cases:
        if c["id"] in ids:
            print("FAIL %s: duplicate id" % c["id"])
            failures += 1
        ids.add(c["id"])
        errs = verify(c)
        for e in errs:
            print("FAIL %s: %s" % (c["id"], e))
        failures += bool(errs)
        tok = est_tokens(c["messages"])
        st = stats.setdefault(c["kind"], [0, 10 ** 9, 0])
        st[0] += 1
        st[1] = min(st[1], tok)
        st[2] = max(st[2], tok)
    text = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
    if "--check" in sys.argv:
        with open(OUT, encoding="utf-8") as fh:
            same = fh.read() == text
        print("cases.jsonl matches rebuild:", same)
        failures += not same
    else:
        with open(OUT, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    print("%-20s %5s %8s %8s" % ("kind", "cases", "min_tok", "max_tok"))
    for k, (n, lo, hi) in stats.items():
        print("%-20s %5d %8d %8d" % (k, n, lo, hi))
    all_tok = [est_tokens(c["messages"]) for c in cases]
    print("total %d cases, %d-%d estimated tokens (chars/4), %d bytes" % (len(cases), min(all_tok), max(all_tok), len(text.encode())))
    if failures:
        print("%d case(s) failed verification" % failures)
        sys.exit(1)
    print("all cases verified")


if __name__ == "__main__":
    main()
