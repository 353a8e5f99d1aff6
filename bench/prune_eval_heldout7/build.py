#!/usr/bin/env python3
"""Build prune_eval_heldout7: an independent evaluation set for context pruning.

Standard library only. Deterministic: every case has its own random.Random seeded
from an md5 of (builder, kind, index). Writes cases.jsonl next to this file.

    python bench/prune_eval_heldout7/build.py            # write cases.jsonl
    python bench/prune_eval_heldout7/build.py --summary  # also print per-kind counts and sizes
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILDER = "h7"
PER_KIND = 6
# target sizes in estimated tokens (chars / 4); each kind uses all six, shuffled
SIZES = [10800, 16000, 21500, 28000, 35000, 42500]
MIN_TOKENS, MAX_TOKENS = 10000, 45000

# ---------------------------------------------------------------------------
# Hand-written filler vocabularies (twelve domains + small talk + five languages)
# ---------------------------------------------------------------------------

DOMAINS: dict[str, dict[str, list[str]]] = {
    "warehouse": {
        "subj": ["The night shift at the cross-dock", "Our pallet racking supplier", "The inbound team",
                 "The second forklift crew", "Whoever owns the returns cage", "The slotting spreadsheet",
                 "The carrier dispatcher", "Our cycle-count auditor"],
        "verb": ["keeps mislabeling", "wants to re-slot", "has started double-scanning", "is behind on",
                 "quietly reorganised", "still refuses to sign off on", "complains constantly about"],
        "obj": ["the fast movers near the dock doors", "the mezzanine bin locations", "the overflow lane for bulky cartons",
                "the shrink-wrap station", "the damaged-goods quarantine shelf", "the weekly carrier manifest",
                "the pick carts with the wobbly wheels"],
        "tail": ["because the pick paths cross twice", "which costs us about an hour every Monday",
                 "and nobody noticed until the quarterly count", "so the afternoon wave always runs late",
                 "even though the scanners were replaced in spring", "which the regional manager now wants explained"],
        "ask": ["How would you lay out the pick path for a small mezzanine?",
                "Is it worth moving to zone picking for a team of eight?",
                "What's a sane cadence for cycle counts on slow movers?",
                "How do I convince people to stop overriding the slotting suggestions?",
                "Should returns be processed on the same shift they arrive?",
                "What metrics would you put on a dock-door whiteboard?"],
        "adv": ["Rank locations by lines picked rather than units shipped; that is what drives walking time.",
                "Keep the heaviest items at waist height near the packing benches so nobody lifts from the floor.",
                "Count slow movers on a rolling schedule instead of freezing the whole building once a year.",
                "Put a single owner on the returns cage; shared ownership means it fills up until someone snaps.",
                "A whiteboard with three numbers beats a dashboard with thirty that nobody opens.",
                "Re-slot in small batches on quiet afternoons, never the week before a promotion.",
                "Make the override reason mandatory in the scanner so you learn why people ignore the suggestion.",
                "Label both sides of every bin; half the mispicks come from reading the label of the neighbour.",
                "Stage outbound by carrier cut-off time rather than by order number.",
                "Walk the pick path yourself with a stopwatch once a month; the data hides a lot."],
    },
    "vet": {
        "subj": ["The locum vet on Saturdays", "Our front-desk nurse", "The practice manager", "The new ultrasound machine",
                 "A client with three elderly cats", "The pharmacy wholesaler", "The out-of-hours clinic"],
        "verb": ["keeps forgetting to update", "asked us to reconsider", "is struggling with", "has doubled the price of",
                 "wants a written protocol for", "quietly stopped using"],
        "obj": ["the dental recall reminders", "the kennel cleaning rota", "the post-op discharge sheets",
                "the weight charts for senior dogs", "the controlled drugs register", "the booking system's waiting list",
                "the pre-anaesthetic bloods"],
        "tail": ["which confuses owners at pick-up", "so appointments overrun every afternoon",
                 "and the inspection is next quarter", "because the old template lost the dosing column",
                 "even though nobody has complained yet", "which matters a lot for the brachycephalic breeds"],
        "ask": ["How should we phrase dental recall letters so people actually book?",
                "What's a reasonable discharge checklist after a routine spay?",
                "How do other practices handle weight-loss clinics for dogs?",
                "Is it sensible to triage phone calls with a script?",
                "How often should the controlled drugs register be reconciled?",
                "What do owners of senior cats most want explained at check-ups?"],
        "adv": ["Send the recall with a photo of the pet's own chart where you can; personal beats generic.",
                "Keep the discharge sheet to one side of paper with the feeding and wound-check instructions in bold.",
                "Weight clinics work best with a nurse the owner sees every time and a target they can picture.",
                "A triage script protects the receptionist as much as the animal; make red-flag symptoms the first questions.",
                "Reconcile the register at the end of every session that used it, not weekly.",
                "Owners of senior cats want to know what is normal ageing and what is worth a visit.",
                "Book post-op checks before the animal leaves; otherwise half of them never happen.",
                "Write the protocol with the person who does the job, then test it on someone who never has.",
                "Explain costs in ranges up front; surprise invoices damage trust more than high ones."],
    },
    "renovation": {
        "subj": ["The plasterer we hired", "My partner", "The kitchen fitter", "The building inspector", "The electrician",
                 "The tile shop", "Our upstairs neighbour"],
        "verb": ["wants to redo", "has opinions about", "forgot to order", "underestimated", "is waiting on",
                 "keeps postponing", "insists on inspecting"],
        "obj": ["the bathroom extractor run", "the skirting boards in the hallway", "the subfloor in the back bedroom",
                "the splashback behind the hob", "the loft insulation", "the consumer unit upgrade",
                "the damp patch under the bay window"],
        "tail": ["before anything else can be painted", "which pushes the whole schedule by a week",
                 "and the quote did not include it", "because the old joists are not level",
                 "so we are living out of the dining room for now", "which nobody mentioned at the survey"],
        "ask": ["Should the floor go down before or after the kitchen units?",
                "How long should fresh plaster dry before painting?",
                "What questions should I ask before accepting a quote?",
                "Is it worth insulating the loft while the ceiling is open anyway?",
                "How do I deal with a tradesperson who keeps missing days?",
                "What's a realistic contingency for an old terraced house?"],
        "adv": ["Agree the order of trades in writing; most delays come from one trade waiting for another.",
                "New plaster needs to go pale and even before a mist coat; rushing it traps moisture.",
                "Ask every quote what is excluded, not only what is included.",
                "If the ceiling is open, do the insulation and any cable runs now; it is cheap while access is easy.",
                "Keep a shared photo log of each day; it settles most disagreements about what was done when.",
                "In an older house, a contingency of a fifth of the budget is not pessimistic.",
                "Pay in stages tied to visible milestones rather than dates.",
                "Check the floor for level before the fitter arrives, not while he is standing there.",
                "Order tiles with a tenth extra; batches vary in colour and you will not match them later."],
    },
    "astronomy": {
        "subj": ["Our astronomy club", "The visiting speaker", "My old refractor", "The observatory committee",
                 "A newcomer with a brand-new Dobsonian", "The dark-sky campaign group", "The club's imaging team"],
        "verb": ["is trying to schedule", "keeps arguing about", "struggles to collimate", "wants funding for",
                 "has been photographing", "is writing a guide to"],
        "obj": ["the public outreach nights", "the autumn meteor shower watch", "the light pollution survey",
                "the planetary imaging workshop", "the loaner telescope scheme", "the star-party field booking",
                "the new filter wheel"],
        "tail": ["because the moon phase clashes with the school holidays", "which always depends on cloud cover anyway",
                 "and the council finally replied to our letter", "so beginners have something to do while waiting",
                 "even though the forecast apps disagree", "which drew twice the usual crowd last year"],
        "ask": ["What should a beginner look at first with a small telescope?",
                "How do we run a public night when the sky is cloudy?",
                "Is it worth buying a light-pollution filter for a city garden?",
                "How do I explain collimation to a total newcomer?",
                "What makes a good loaner telescope?",
                "How far ahead should we plan a star party?"],
        "adv": ["Start beginners on the moon and bright planets; early success keeps people coming back.",
                "Always have an indoor talk ready for cloudy nights; the crowd comes for the people as much as the sky.",
                "Filters help with some nebulae but do nothing for the general city glow on galaxies.",
                "Explain collimation with a cardboard tube first; the idea clicks before the screwdriver comes out.",
                "A loaner scope should be simple to set up in the dark and hard to break.",
                "Book the field and toilets months ahead; the sky you can only pray for.",
                "Red torches only, and say it twice at the start of the evening.",
                "Keep a logbook for the loaner scopes so you know which ones come back misaligned."],
    },
    "brewing": {
        "subj": ["My homebrew club", "The yeast starter", "The fermentation fridge", "A friend who judges competitions",
                 "The local malt supplier", "My latest pale ale", "The kegging setup"],
        "verb": ["keeps stalling on", "tasted oddly of", "needs a better routine for", "changed the recipe for",
                 "is backordered on", "finally sorted out"],
        "obj": ["the dry-hopping schedule", "the mash temperature", "the cleaning and sanitising cycle",
                "the water chemistry profile", "the carbonation level", "the cold crash step", "the hop storage"],
        "tail": ["so the last batch came out a bit thin", "which the judges flagged last season",
                 "because the garage gets warm in the afternoon", "and I only noticed after bottling",
                 "even though I followed the sheet exactly", "which might explain the haze"],
        "ask": ["How do I stop a fermentation from stalling?", "What causes a buttery off-flavour?",
                "Is it worth adjusting water chemistry for a first IPA?", "How cold should I crash before kegging?",
                "How should I store hops between brew days?", "Any tips for entering a first competition?"],
        "adv": ["Pitch enough healthy yeast and keep the temperature steady; most stalls start there.",
                "A buttery note usually means the beer needed more time on the yeast before chilling.",
                "Start water adjustments with a simple chloride-to-sulphate balance and change one thing at a time.",
                "A couple of days near freezing clears most beers; longer rarely hurts.",
                "Vacuum-seal hops and freeze them; air and warmth are what ruin them.",
                "For a competition, enter a style you brew often rather than the one you brewed once.",
                "Keep a brew log with gravity readings; memory is a terrible hydrometer.",
                "Sanitise anything that touches the beer after the boil, and nothing is exempt."],
    },
    "cycling": {
        "subj": ["My commuter bike", "The club's Sunday ride leader", "The local bike shop", "A new rider in our group",
                 "My rear derailleur", "The tubeless setup", "The council's new cycle lane"],
        "verb": ["keeps skipping on", "is rethinking", "quoted way too much for", "struggles with",
                 "needs adjusting after", "has made a mess of"],
        "obj": ["the climb up to the reservoir", "the winter tyre choice", "the chain wear check",
                "the group-ride etiquette talk", "the brake pad replacement", "the route around the roadworks",
                "the rear wheel truing"],
        "tail": ["especially in the wet", "which nobody warned me about", "since the last service",
                 "so we keep losing people at the lights", "even though it only has a few months on it",
                 "which is fine until the first frost"],
        "ask": ["How often should I replace a chain?", "What tyre pressure makes sense for winter commuting?",
                "How do we keep a no-drop group ride together?", "Is tubeless worth it for a commuter?",
                "How do I stop my gears skipping under load?", "What should every rider carry on a long ride?"],
        "adv": ["Check chain stretch with a cheap gauge monthly; replacing early saves the cassette.",
                "Drop pressure a little in the wet for grip, but not so far that you pinch-flat on potholes.",
                "Regroup at the top of every climb and after every junction; say it in the pre-ride briefing.",
                "Tubeless is great until it is not; carry a plug kit and a spare tube anyway.",
                "Skipping under load is usually cable tension or a worn chain, rarely the derailleur itself.",
                "Carry a pump, a tube, levers, a multitool and enough food for an hour longer than planned.",
                "Index the gears on a stand in a quiet moment, not at the roadside with cold hands.",
                "Replace brake pads in pairs and bed them in on a quiet road."],
    },
    "hr": {
        "subj": ["Our onboarding buddy scheme", "The new hiring manager", "The payroll provider", "The people team",
                 "A recent graduate hire", "The benefits portal", "Our interview panel"],
        "verb": ["keeps changing", "wants feedback on", "has not finished", "is confused by", "plans to overhaul",
                 "asked for a template for"],
        "obj": ["the first-week schedule", "the probation review form", "the laptop provisioning checklist",
                "the parental leave policy page", "the interview scorecards", "the remote-work allowance",
                "the exit interview questions"],
        "tail": ["before the next intake starts", "because last quarter's survey was blunt about it",
                 "and managers interpret it differently", "which slows down the first payday",
                 "so new starters sit idle on day one", "even though the legal review is done"],
        "ask": ["What should a new starter's first week look like?", "How do I make interview scorecards consistent?",
                "How should a probation review be structured?", "What makes a buddy scheme actually work?",
                "How do we collect honest exit interview feedback?", "What belongs in a remote-work policy?"],
        "adv": ["Give new starters one real, small task in their first week; it matters more than any slide deck.",
                "Agree the scoring criteria before the first interview, not after the candidates blur together.",
                "Probation reviews should hold no surprises; anything raised there should have been said earlier.",
                "A buddy needs protected time and a simple checklist, otherwise the scheme fades by the second month.",
                "Exit interviews are more honest when someone outside the reporting line runs them.",
                "Write the remote policy around outcomes and core hours rather than surveillance.",
                "Have the laptop ready on the desk on day one; it sets the tone for everything else.",
                "Send the first-week schedule before the start date so people arrive knowing what happens."],
    },
    "farming": {
        "subj": ["My neighbour's dairy herd", "The co-op agronomist", "Our old tractor", "The irrigation contractor",
                 "The seed merchant", "The soil samples from the lower field", "The orchard"],
        "verb": ["needs a decision on", "came back low on", "is overdue for", "was quoted again for", "suffered from",
                 "will need help with"],
        "obj": ["the cover crop mix", "the hedge-laying along the lane", "the drainage ditch by the barn",
                "the rotation plan for next spring", "the winter feed budget", "the frost protection",
                "the grazing paddock rotation"],
        "tail": ["after such a wet autumn", "before the grant deadline", "which the bank manager will ask about",
                 "since the price of fertiliser jumped", "and the weather window is narrow", "because of the clay soil"],
        "ask": ["Which cover crop suits heavy clay over winter?", "How do I plan a simple four-year rotation?",
                "Is rotational grazing worth the fencing cost?", "What should I ask an irrigation contractor?",
                "How do I read a basic soil test?", "When should an orchard be pruned?"],
        "adv": ["On heavy clay, a mix with deep-rooting species helps structure more than any single crop.",
                "Write the rotation on one page per field; the plan only works if you can see it from the tractor.",
                "Rotational grazing pays back in grass growth, but start with two or three paddocks, not twenty.",
                "Ask the contractor how the system is drained down for winter and who fixes it in July.",
                "On a soil test look at pH first; nothing else behaves properly until that is right.",
                "Prune apples in winter while dormant and stone fruit in summer to limit disease.",
                "Keep ditches clear before the wet season, not during it.",
                "Record rainfall yourself; the regional figures can miss your valley completely."],
    },
    "music": {
        "subj": ["My band's drummer", "The mastering engineer", "The rehearsal studio", "Our bassist",
                 "The new audio interface", "The venue's sound tech", "My home studio"],
        "verb": ["keeps pushing back", "wants a second pass on", "double-booked", "is unhappy with",
                 "started crackling during", "had to rebuild"],
        "obj": ["the vocal comping session", "the low end on the chorus", "the setlist for the festival slot",
                "the click track", "the monitor mix", "the room treatment behind the desk", "the backing-track rig"],
        "tail": ["two days before the gig", "which makes the mix sound muddy on phones",
                 "and the label wants stems by Friday", "so we lost an entire rehearsal",
                 "even though we soundchecked it twice", "which nobody noticed on headphones"],
        "ask": ["How do I get a tighter low end without losing warmth?", "How should we structure a forty-minute set?",
                "What's the best way to comp vocals from many takes?", "How do I treat a small room on a budget?",
                "How do I brief a mastering engineer?", "What should go in a tech rider for small venues?"],
        "adv": ["Decide whether the kick or the bass owns the lowest octave and carve the other around it.",
                "Open strong, put the slower songs in the middle third and save the singalong for the end.",
                "Comp vocals line by line with fresh ears; a break between recording and comping helps a lot.",
                "Treat first reflection points and corners before buying any more gear.",
                "Send the mastering engineer a reference track and tell them where the record will mostly be heard.",
                "Keep the rider to one page with the input list and a simple stage plot.",
                "Mix at low volume most of the time; loud mixes lie.",
                "Print a backup of the backing tracks on a second device before every show."],
    },
    "retail": {
        "subj": ["Our web shop", "The customer service inbox", "The returns policy page", "The warehouse partner",
                 "A regular customer", "The payment provider", "The marketing intern"],
        "verb": ["keeps getting questions about", "wants to simplify", "has been slow with", "complained about",
                 "changed the rules for", "mixed up"],
        "obj": ["the delivery time estimates", "the exchange-for-size process", "the gift card balances",
                "the abandoned basket emails", "the loyalty points expiry", "the product photos on mobile",
                "the out-of-stock notifications"],
        "tail": ["since the sale started", "which generates a ticket every single time",
                 "and the competitor does it better", "so we are refunding postage more than we should",
                 "even though the FAQ explains it", "which drives people to phone instead"],
        "ask": ["How do I reduce 'where is my order' tickets?", "Should exchanges be free for size swaps?",
                "What makes a good returns page?", "How many abandoned basket emails are too many?",
                "How should we word a delay notice?", "How do we handle a customer who is always angry?"],
        "adv": ["Proactive shipping updates cut 'where is my order' tickets more than any FAQ rewrite.",
                "Free size exchanges usually pay for themselves in kept customers.",
                "A returns page should answer how long, how much and how, in that order, above the fold.",
                "Two reminder emails are plenty; the third mostly generates unsubscribes.",
                "Own the delay plainly, give a new date and offer one concrete thing, not a paragraph of apology.",
                "With a habitually angry customer, be consistent and boring; predictability calms things down.",
                "Put the delivery estimate on the product page, not only in the checkout.",
                "Tag every ticket with a reason; a month of tags tells you what to fix first."],
    },
    "transit": {
        "subj": ["The regional bus operator", "The timetable planner", "Our commuter forum", "The city's cycle-hire scheme",
                 "The new tram extension", "The accessibility panel", "The night bus route"],
        "verb": ["proposed cutting", "is consulting on", "keeps delaying", "is redesigning", "quietly rerouted",
                 "wants data on"],
        "obj": ["the connection at the interchange", "the Sunday frequency", "the step-free access at the old station",
                "the real-time arrival boards", "the fare capping rules", "the school-run services",
                "the park-and-ride shuttle"],
        "tail": ["which leaves a gap of forty minutes", "and the consultation closes soon",
                 "because ridership dropped after the roadworks", "so wheelchair users get stranded",
                 "even though the boards show it as running", "which hits shift workers hardest"],
        "ask": ["How do I write a useful response to a timetable consultation?", "What makes a transfer feel reliable?",
                "How should a bus operator communicate diversions?", "What data would convince a council to restore a route?",
                "How do fare caps usually work?", "What's the best way to report an access problem?"],
        "adv": ["Respond to consultations with specific journeys and times; planners can act on concrete cases.",
                "Transfers feel reliable when the connecting service waits a few minutes or runs often enough not to matter.",
                "Diversion notices need a map at the stop itself, not only a line on the website.",
                "Boarding counts by hour make a stronger case than petitions.",
                "Daily and weekly caps reward regular riders without needing a season ticket up front.",
                "Report access problems with the location, time and a photo; it moves up the queue faster.",
                "Ask the operator for the reliability figures per route; averages hide the bad ones.",
                "Shift workers are often the invisible riders; mention them explicitly."],
    },
    "webperf": {
        "subj": ["Our landing page", "The image CDN", "The analytics script", "The product team",
                 "Last week's release", "The checkout bundle", "A third-party chat widget"],
        "verb": ["added a second to", "keeps bloating", "wants to lazy-load", "regressed", "blocks",
                 "is fighting over"],
        "obj": ["the largest contentful paint", "the font loading strategy", "the hero image sizes",
                "the JavaScript bundle split", "the cache headers on static assets", "the server response time",
                "the layout shift on mobile"],
        "tail": ["on slow phones especially", "which shows up in the field data but not in the lab",
                 "since the redesign shipped", "and marketing wants another tag on top",
                 "even though the build looked fine", "which affects conversion on the pricing page"],
        "ask": ["How do I find what is slowing the first render?", "Should fonts be self-hosted?",
                "What's a reasonable JavaScript budget for a marketing page?", "How do I stop layout shift from ads?",
                "What cache headers should static assets have?", "How do I argue against another tracking tag?"],
        "adv": ["Profile on a throttled mid-range phone; your laptop hides most of the problem.",
                "Self-hosting fonts with a sensible display strategy removes a connection and a flash of invisible text.",
                "Set a budget per page type and fail the build when it is exceeded.",
                "Reserve space for anything injected later; layout shift is almost always a missing size.",
                "Fingerprinted static files can be cached for a very long time; HTML should not be.",
                "Show the cost of a tag in milliseconds and in lost conversions, not in kilobytes.",
                "Look at field data by device class; the median hides the slow tail.",
                "Load third-party widgets after interaction where you can."],
    },
}

SMALLTALK = [
    "Sorry for the slow reply, the kids had a half day at school.",
    "It has been raining here for what feels like a month.",
    "I finally took a proper lunch break today, which felt like a small victory.",
    "My neighbour's dog has decided that four in the morning is the ideal time to bark at foxes.",
    "Quick one before my next meeting.",
    "I'm typing this on the train so apologies for typos.",
    "We had friends over at the weekend and I am still recovering.",
    "I tried your earlier suggestion and it mostly worked, thanks.",
    "Honestly I should have asked this weeks ago.",
    "My sister says hello; she uses this assistant more than I do.",
    "The coffee machine at work broke again, so everyone is a bit grumpy.",
    "I spent the morning fighting the printer, which won, as usual.",
    "Back from a few days off, catching up on everything.",
    "The heating in our flat only works if you kick the boiler cupboard, which is a story for another day.",
    "I'm trying to get this sorted before the long weekend.",
    "We adopted a very anxious rescue cat last month and she has opinions about my keyboard.",
    "It is ridiculously sunny today, I might finish early.",
    "I went to my cousin's wedding on Saturday; the speeches went on for a very long time.",
]

ASSIST_OPEN = ["Good question.", "Happy to help with that.", "That's a common situation.", "Here's how I'd think about it.",
               "A few thoughts.", "Short version first, then detail.", "That makes sense.", "Let's break it down."]
ASSIST_CLOSE = ["Let me know how it goes.", "Happy to go deeper on any of these.", "Does that match what you're seeing?",
                "If you share more detail I can be more specific.", "Shout if anything is unclear.", ""]

LANG = {
    "es": {
        "talk": ["Perdona que escriba en español, me resulta más fácil.", "Hoy ha sido un día larguísimo en la oficina.",
                 "Mi hermana me ayuda con la mudanza este fin de semana.", "Gracias por la paciencia, de verdad.",
                 "No sé si me explico bien, pero lo intento.", "Aquí hace muchísimo calor estos días.",
                 "Tengo que recoger a los niños a las cinco, así que voy rápido.",
                 "El vecino de arriba está de obras y no se oye nada."],
        "reply": ["Sin problema, podemos seguir en español.", "Entendido, lo anoto.", "Perfecto, gracias por el detalle.",
                  "Claro, vamos paso a paso."],
        "streets": ["Calle de Toledo", "Avenida de la Constitución", "Calle Mayor", "Paseo de Gràcia", "Calle Serrano",
                    "Ronda de Valencia"],
        "cities": ["Madrid", "Sevilla", "Valencia", "Zaragoza"],
        "addr": "Mi dirección es {addr}, {city}.",
        "moved": "Una cosa importante: me mudé la semana pasada. La dirección nueva es {addr}, {postal} {city}. "
                 "El código de la reserva de la entrega es {ref}.",
        "ack": "Gracias, actualizo los datos de la entrega.",
    },
    "de": {
        "talk": ["Entschuldigung, auf Deutsch geht es bei mir schneller.", "Heute war im Büro wirklich viel los.",
                 "Am Wochenende hilft mir mein Bruder beim Umzug.", "Danke für die Geduld.",
                 "Ich hoffe, das ist verständlich formuliert.", "Bei uns regnet es schon die ganze Woche.",
                 "Ich muss gleich los zur Kita, deshalb kurz.", "Die Nachbarn renovieren gerade, es ist sehr laut."],
        "reply": ["Kein Problem, wir können gern auf Deutsch weitermachen.", "Verstanden, ist notiert.",
                  "Danke für die Details.", "Gern, Schritt für Schritt."],
        "streets": ["Schillerstraße", "Hauptstraße", "Lindenallee", "Bergmannstraße", "Goethestraße", "Am Mühlbach"],
        "cities": ["Leipzig", "Freiburg", "Kassel", "Augsburg"],
        "addr": "Meine Adresse ist {addr}, {city}.",
        "moved": "Wichtig: Ich bin letzte Woche umgezogen. Die neue Adresse ist {addr}, {postal} {city}. "
                 "Der Buchungscode für die Lieferung ist {ref}.",
        "ack": "Danke, ich aktualisiere die Lieferdaten.",
    },
    "fr": {
        "talk": ["Désolé, j'écris en français, c'est plus simple pour moi.", "Journée très chargée au travail aujourd'hui.",
                 "Ma sœur vient m'aider pour le déménagement samedi.", "Merci pour votre patience.",
                 "J'espère que je suis clair.", "Il fait un temps épouvantable ici depuis lundi.",
                 "Je dois aller chercher les enfants bientôt, je fais vite.", "Les voisins font des travaux, c'est bruyant."],
        "reply": ["Pas de souci, on peut continuer en français.", "Compris, c'est noté.", "Merci pour ces précisions.",
                  "Bien sûr, étape par étape."],
        "streets": ["rue des Lilas", "avenue Jean-Jaurès", "rue de la République", "boulevard Voltaire", "rue Pasteur",
                    "quai des Célestins"],
        "cities": ["Lyon", "Nantes", "Toulouse", "Lille"],
        "addr": "Mon adresse est {addr}, {city}.",
        "moved": "Point important : j'ai déménagé la semaine dernière. La nouvelle adresse est {addr}, {postal} {city}. "
                 "Le code de réservation de la livraison est {ref}.",
        "ack": "Merci, je mets à jour les informations de livraison.",
    },
    "pt": {
        "talk": ["Desculpe escrever em português, é mais fácil para mim.", "Hoje o trabalho foi uma loucura.",
                 "O meu irmão vem ajudar com a mudança no sábado.", "Obrigado pela paciência.",
                 "Espero estar a explicar bem.", "Está um calor insuportável por aqui.",
                 "Tenho de ir buscar os miúdos daqui a pouco.", "Os vizinhos estão em obras e há muito barulho."],
        "reply": ["Sem problema, podemos continuar em português.", "Entendido, fica anotado.",
                  "Obrigado pelos detalhes.", "Claro, passo a passo."],
        "streets": ["Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina", "Rua do Ouro", "Travessa do Carmo",
                    "Rua Garrett"],
        "cities": ["Lisboa", "Porto", "Coimbra", "Braga"],
        "addr": "A minha morada é {addr}, {city}.",
        "moved": "Uma coisa importante: mudei de casa na semana passada. A nova morada é {addr}, {postal} {city}. "
                 "O código da reserva da entrega é {ref}.",
        "ack": "Obrigado, vou atualizar os dados da entrega.",
    },
    "it": {
        "talk": ["Scusate, scrivo in italiano perché faccio prima.", "Oggi in ufficio è stata una giornata infinita.",
                 "Mio cugino mi aiuta con il trasloco sabato.", "Grazie per la pazienza.",
                 "Spero di essermi spiegato.", "Qui piove da una settimana.",
                 "Devo andare a prendere i bambini tra poco.", "I vicini hanno i lavori in casa, un rumore pazzesco."],
        "reply": ["Nessun problema, possiamo continuare in italiano.", "Capito, lo segno.", "Grazie per i dettagli.",
                  "Certo, un passo alla volta."],
        "streets": ["Via Garibaldi", "Corso Vittorio Emanuele", "Via dei Mille", "Viale Mazzini", "Via Roma",
                    "Piazza Cavour"],
        "cities": ["Bologna", "Torino", "Verona", "Padova"],
        "addr": "Il mio indirizzo è {addr}, {city}.",
        "moved": "Una cosa importante: ho traslocato la settimana scorsa. Il nuovo indirizzo è {addr}, {postal} {city}. "
                 "Il codice di prenotazione della consegna è {ref}.",
        "ack": "Grazie, aggiorno i dati della consegna.",
    },
}

PEOPLE = ["Dana", "Priya", "Tomás", "Keiko", "Olu", "Marta", "Ilse", "Rafael", "Sunita", "Bram", "Chloé", "Jonas",
          "Amara", "Wen", "Niall", "Yusuf", "Greta", "Mateo"]
SURNAMES = ["Oyelaran", "Vasquez-Hale", "Lindqvist", "Achterberg", "Moreau", "Kowalczyk", "Ferreira", "Nakashima",
            "Brennan", "Delacroix", "Okonkwo", "Haverkamp", "Szabo", "Castellanos"]

# ---------------------------------------------------------------------------
# Filler generation
# ---------------------------------------------------------------------------


def story(rng: random.Random, d: dict) -> str:
    return f"{rng.choice(d['subj'])} {rng.choice(d['verb'])} {rng.choice(d['obj'])}, {rng.choice(d['tail'])}."


def user_filler(rng: random.Random, dom: str) -> str:
    d = DOMAINS[dom]
    parts = []
    if rng.random() < 0.45:
        parts.append(rng.choice(SMALLTALK))
    for _ in range(rng.randint(1, 4)):
        parts.append(story(rng, d))
    parts.append(rng.choice(d["ask"]))
    if rng.random() < 0.3:
        parts.append(story(rng, d))
    return " ".join(parts)


def assistant_filler(rng: random.Random, dom: str) -> str:
    d = DOMAINS[dom]
    adv = rng.sample(d["adv"], k=rng.randint(3, min(7, len(d["adv"]))))
    out = [rng.choice(ASSIST_OPEN)]
    if rng.random() < 0.5:
        out.append("\n".join(f"- {a}" for a in adv))
    else:
        out.append(" ".join(adv))
    for _ in range(rng.randint(0, 3)):
        st, ad = story(rng, d), rng.choice(d["adv"])
        out.append(f"In my experience, when {st[0].lower()}{st[1:-1]}, it is worth revisiting the basics: "
                   f"{ad[0].lower()}{ad[1:]}")
    c = rng.choice(ASSIST_CLOSE)
    if c:
        out.append(c)
    return "\n\n".join(out)


class Ids:
    """Tool-call id generator, deterministic per case."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return "call_" + "".join(self.rng.choice("abcdefghijkmnpqrstuvwxyz0123456789") for _ in range(14)) + f"{self.n:03d}"


def tool_call(ids: Ids, name: str, args: dict) -> dict:
    return {"id": ids(), "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}


def tool_round(ids: Ids, name: str, args: dict, result) -> list[dict]:
    tc = tool_call(ids, name, args)
    content = result if isinstance(result, str) else json.dumps(result, indent=1)
    return [{"role": "assistant", "content": None, "tool_calls": [tc]},
            {"role": "tool", "tool_call_id": tc["id"], "content": content}]


SEARCH_TOOL = {"type": "function", "function": {
    "name": "search_notes", "description": "Search the user's saved notes and knowledge base.",
    "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}


def search_filler(rng: random.Random, dom: str, ids: Ids) -> list[dict]:
    """A filler segment where the assistant uses the search tool before answering."""
    d = DOMAINS[dom]
    q = rng.choice(d["obj"]).replace("the ", "", 1)
    results = [{"title": rng.choice(d["obj"]).capitalize(), "snippet": story(rng, d) + " " + rng.choice(d["adv"])}
               for _ in range(rng.randint(2, 5))]
    return ([{"role": "user", "content": user_filler(rng, dom)}]
            + tool_round(ids, "search_notes", {"query": q}, {"results": results})
            + [{"role": "assistant", "content": assistant_filler(rng, dom)}])


def chat_filler(rng: random.Random, dom: str) -> list[dict]:
    return [{"role": "user", "content": user_filler(rng, dom)},
            {"role": "assistant", "content": assistant_filler(rng, dom)}]


def group_filler(rng: random.Random, dom: str, people: list[str]) -> list[dict]:
    d = DOMAINS[dom]
    lines = []
    for _ in range(rng.randint(2, 6)):
        who = rng.choice(people)
        r = rng.random()
        if r < 0.3:
            txt = rng.choice(SMALLTALK)
        elif r < 0.8:
            txt = story(rng, d)
        else:
            txt = rng.choice(d["ask"])
        lines.append(f"[{who}]: {txt}")
    lines.append(f"[{rng.choice(people)}]: @assistant {rng.choice(d['ask'])}")
    return [{"role": "user", "content": "\n".join(lines)},
            {"role": "assistant", "content": assistant_filler(rng, dom)}]


def lang_filler(rng: random.Random, dom: str, lang: str) -> list[dict]:
    L = LANG[lang]
    u = " ".join(rng.sample(L["talk"], k=rng.randint(1, 3))) + " " + user_filler(rng, dom)
    a = rng.choice(L["reply"]) + "\n\n" + assistant_filler(rng, dom)
    return [{"role": "user", "content": u}, {"role": "assistant", "content": a}]


# ---------------------------------------------------------------------------
# Long pasted documents: CI logs, contracts, e-mail threads, YAML configs
# ---------------------------------------------------------------------------

MODS = ["billing", "ledger", "auth", "search", "exports", "scheduler", "notifications", "catalog", "payouts", "reports"]
WORDS = ["invoice", "refund", "token", "session", "cursor", "batch", "webhook", "tenant", "quota", "receipt",
         "currency", "rounding", "retry", "timezone", "partial", "locale", "snapshot", "archive", "coupon", "ledger"]
VERBS = ["merge", "split", "parse", "render", "apply", "reconcile", "expire", "rotate", "compute", "flush"]


def test_name(rng: random.Random) -> tuple[str, str]:
    mod = rng.choice(MODS)
    name = f"test_{rng.choice(VERBS)}_{rng.choice(WORDS)}_{rng.choice(WORDS)}_{rng.choice(['edge', 'case', 'regression', 'bulk', 'empty', 'utc'])}"
    return f"tests/{mod}/test_{rng.choice(WORDS)}.py", name


def log_lines(rng: random.Random, n: int, t0: int) -> list[str]:
    out = []
    t = t0
    for _ in range(n):
        t += rng.randint(0, 3)
        ts = f"{t // 3600 % 24:02d}:{t // 60 % 60:02d}:{t % 60:02d}"
        r = rng.random()
        if r < 0.55:
            p, n_ = test_name(rng)
            out.append(f"[{ts}] PASSED {p}::{n_}")
        elif r < 0.65:
            out.append(f"[{ts}] Downloading {rng.choice(WORDS)}-{rng.choice(WORDS)}-{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}-py3-none-any.whl")
        elif r < 0.75:
            out.append(f"[{ts}] WARNING DeprecationWarning: {rng.choice(WORDS)}.{rng.choice(VERBS)}() is deprecated; "
                       f"use {rng.choice(WORDS)}.{rng.choice(VERBS)}_v2() instead")
        elif r < 0.85:
            out.append(f"[{ts}] Step {rng.randint(2, 40)}/{rng.randint(41, 60)} : RUN pip install -r requirements/{rng.choice(MODS)}.txt")
        elif r < 0.93:
            p, n_ = test_name(rng)
            out.append(f"[{ts}] SKIPPED {p}::{n_} (requires {rng.choice(['postgres', 'redis', 'network', 'gpu'])})")
        else:
            out.append(f"[{ts}] INFO collected {rng.randint(40, 900)} items in {rng.choice(MODS)}")
    return out


def ci_log(rng: random.Random, chars: int, frac: float, failure_block: list[str]) -> str:
    n = max(40, chars // 78)
    lines = log_lines(rng, n, rng.randint(3000, 60000))
    at = int(frac * len(lines))
    return "\n".join(lines[:at] + failure_block + lines[at:])


CONTRACT_HEADS = ["Definitions", "Services", "Fees and Payment", "Term", "Confidentiality", "Data Protection",
                  "Intellectual Property", "Warranties", "Limitation of Liability", "Indemnities", "Insurance",
                  "Subcontracting", "Audit Rights", "Force Majeure", "Dispute Resolution", "Assignment",
                  "Service Levels", "Change Control", "Publicity", "Non-Solicitation", "Anti-Bribery", "Records"]
CONTRACT_SENT = [
    "The Supplier shall perform the Services with the skill, care and diligence expected of a competent provider.",
    "Neither party shall be liable for any indirect or consequential loss arising under or in connection with this Agreement.",
    "The Customer shall pay each undisputed invoice within the payment period set out in the Order Form.",
    "Each party shall keep the other party's Confidential Information secret and use it only for the purposes of this Agreement.",
    "The Supplier shall maintain appropriate technical and organisational measures against unauthorised processing of Personal Data.",
    "All Intellectual Property Rights in the Deliverables shall vest in the Customer upon payment in full.",
    "The Supplier may not subcontract any of its obligations without the prior written consent of the Customer.",
    "Any variation of this Agreement shall be agreed in writing and signed by authorised representatives of both parties.",
    "The parties shall attempt in good faith to resolve any dispute through their respective relationship managers.",
    "The Customer may, on reasonable notice and no more than once in any contract year, audit the Supplier's compliance.",
    "Neither party shall be in breach for any delay caused by events beyond its reasonable control.",
    "The Supplier shall maintain in force, with reputable insurers, such insurance as is normal for a business of its kind.",
    "No failure or delay in exercising any right shall operate as a waiver of that right.",
    "This Agreement constitutes the entire agreement between the parties relating to its subject matter.",
    "Each party warrants that it has full capacity and authority to enter into this Agreement.",
    "The Supplier shall not make any public announcement concerning this Agreement without the Customer's approval.",
    "Service credits are the Customer's sole financial remedy for failure to meet the Service Levels.",
    "Neither party shall solicit any employee of the other party engaged in the Services during the Term.",
    "The Supplier shall comply with all applicable anti-bribery laws and maintain adequate procedures to prevent bribery.",
    "The Supplier shall keep complete and accurate records relating to the Services for the period required by law.",
]


def contract(rng: random.Random, chars: int, special: dict[int, str]) -> str:
    """A numbered agreement; `special` maps clause index -> full clause text (inserted as that clause)."""
    n = max(max(special) + 2, chars // 900)
    heads = []
    while len(heads) < n:
        rnd = len(heads) // len(CONTRACT_HEADS)
        heads += [h + (f" (Part {rnd + 1})" if rnd else "") for h in rng.sample(CONTRACT_HEADS, len(CONTRACT_HEADS))]
    out = ["MASTER SERVICES AGREEMENT", "", "This Agreement is made between the Customer and the Supplier "
           "(each a \"party\"). The parties agree as follows.", ""]
    for i in range(n):
        if i in special:
            out.append(special[i])
        else:
            out.append(f"{i + 1}. {heads[i]}")
            for j in range(rng.randint(2, 5)):
                out.append(f"{i + 1}.{j + 1} " + " ".join(rng.sample(CONTRACT_SENT, k=rng.randint(1, 3))))
        out.append("")
    return "\n".join(out)


EMAIL_BODY = [
    "Thanks all for the quick turnaround on this.", "Adding Procurement for visibility.",
    "Please see the attached agenda and let me know if anything is missing.",
    "We would like to cover the renewal terms and the roadmap for next year.",
    "Apologies for the late notice, our travel plans changed.",
    "I will circulate notes afterwards as usual.", "Can everyone confirm attendance by end of day tomorrow?",
    "Looping in our solutions engineer who can speak to the integration questions.",
    "Parking is available in the visitor area, just give your name at the barrier.",
    "Lunch will be provided, let us know about any dietary requirements.",
    "We'd also like a short demo of the reporting module if time allows.",
    "Please bring the signed NDA if you have not already returned it.",
]
DISCLAIMER = ("This e-mail and any attachments are confidential and intended solely for the addressee. If you have "
              "received it in error please notify the sender and delete it. Opinions expressed are those of the "
              "individual and not necessarily of the company.")


def email(rng: random.Random, sender: str, to: str, subject: str, key: str | None, day: str) -> str:
    body = rng.sample(EMAIL_BODY, k=rng.randint(2, 5))
    if key:
        body.insert(rng.randint(0, len(body)), key)
    return (f"From: {sender}\nTo: {to}\nSent: {day}\nSubject: {subject}\n\nHi all,\n\n" + "\n\n".join(body)
            + f"\n\nBest regards,\n{sender.split('<')[0].strip()}\n\n{DISCLAIMER}")


YAML_KEYS = {
    "replicaCount": lambda r: str(r.randint(2, 12)),
    "image.tag": lambda r: f"\"v{r.randint(1, 9)}.{r.randint(0, 40)}.{r.randint(0, 9)}\"",
    "resources.limits.cpu": lambda r: r.choice(["\"500m\"", "\"1\"", "\"2\"", "\"250m\""]),
    "resources.limits.memory": lambda r: r.choice(["\"512Mi\"", "\"1Gi\"", "\"2Gi\"", "\"4Gi\""]),
    "ingress.enabled": lambda r: r.choice(["true", "false"]),
    "ingress.className": lambda r: r.choice(["nginx", "traefik", "alb"]),
    "autoscaling.minReplicas": lambda r: str(r.randint(1, 4)),
    "autoscaling.maxReplicas": lambda r: str(r.randint(5, 40)),
    "probes.liveness.path": lambda r: r.choice(["/healthz", "/livez", "/ping"]),
    "probes.readiness.periodSeconds": lambda r: str(r.choice([5, 10, 15, 30])),
    "logging.level": lambda r: r.choice(["info", "warn", "debug", "error"]),
    "logging.format": lambda r: r.choice(["json", "text"]),
    "cache.ttlSeconds": lambda r: str(r.choice([30, 60, 300, 900, 3600])),
    "cache.backend": lambda r: r.choice(["redis", "memory", "memcached"]),
    "queue.visibilityTimeout": lambda r: str(r.choice([30, 60, 120, 600])),
    "queue.deadLetter": lambda r: r.choice(["true", "false"]),
    "featureFlags.newCheckout": lambda r: r.choice(["true", "false"]),
    "featureFlags.betaSearch": lambda r: r.choice(["true", "false"]),
    "tracing.sampleRate": lambda r: r.choice(["0.01", "0.05", "0.1", "1.0"]),
    "metrics.port": lambda r: r.choice(["9090", "9102", "8081"]),
    "db.statementTimeoutMs": lambda r: str(r.choice([2000, 5000, 15000, 30000])),
    "db.poolIdleSeconds": lambda r: str(r.choice([10, 30, 60, 90])),
    "smtp.host": lambda r: r.choice(["mail.internal", "smtp.relay.svc"]),
    "smtp.port": lambda r: r.choice(["25", "587", "2525"]),
    "cron.cleanup": lambda r: r.choice(["\"0 3 * * *\"", "\"30 2 * * 0\""]),
    "cron.reindex": lambda r: r.choice(["\"*/15 * * * *\"", "\"0 * * * *\""]),
}


def yaml_config(rng: random.Random, chars: int, special: dict[str, str]) -> str:
    out = ["# values.yaml", "global:", "  environment: production"]
    sections = ["api", "worker", "scheduler", "gateway", "billing", "search", "exports", "webhooks"]
    total_sections = max(3, chars // 420)
    spec_at: dict[int, list[str]] = {}
    for k, v in special.items():
        spec_at.setdefault(rng.randrange(total_sections), []).append(f"  {k}: {v}")
    for s in range(total_sections):
        out.append(f"{sections[s % len(sections)]}{'' if s < len(sections) else s // len(sections) + 1}:")
        for k in rng.sample(sorted(YAML_KEYS), k=rng.randint(8, 14)):
            out.append(f"  {k}: {YAML_KEYS[k](rng)}")
        out.extend(spec_at.get(s, []))
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Assembly and checks
# ---------------------------------------------------------------------------

def msg_chars(m: dict) -> int:
    n = len(m.get("content") or "")
    if m.get("tool_calls"):
        n += len(json.dumps(m["tool_calls"]))
    return n


def digits(rng: random.Random, n: int) -> str:
    return str(rng.randint(10 ** (n - 1), 10 ** n - 1))


def letters(rng: random.Random, n: int, alphabet: str = "ABCDEFGHJKLMNPQRSTUVWXYZ") -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def money(rng: random.Random, lo: int, hi: int) -> str:
    return f"{rng.randint(lo * 100, hi * 100) / 100:,.2f}"


def distinct(rng: random.Random, make, k: int) -> list:
    out: list = []
    while len(out) < k:
        v = make(rng)
        if all(v not in o and o not in v for o in out):
            out.append(v)
    return out


def spread(rng: random.Random, k: int, lo: float = 0.02, hi: float = 0.95, gap: float = 0.08) -> list[float]:
    """k increasing positions in [lo, hi] at least `gap` apart."""
    while True:
        xs = sorted(rng.uniform(lo, hi) for _ in range(k))
        if all(b - a >= gap for a, b in zip(xs, xs[1:])):
            return xs


# where the needed (later) fact goes, one slot per case index, so every kind covers early to late
POS = [0.2, 0.34, 0.48, 0.62, 0.77, 0.93]


def two_pos(rng: random.Random, i: int) -> tuple[float, float]:
    """(stale, needed) positions: the needed one at POS[i] +- 0.04, the stale one somewhere before it."""
    b = POS[i] + rng.uniform(-0.04, 0.04)
    return rng.uniform(0.02, b - 0.12), b


def assemble(rng: random.Random, target: int, system: str, facts: list[tuple[float, list[dict]]], final: str,
             filler) -> tuple[list[dict], set[int]]:
    """Filler segments up to the target size with fact segments inserted at fractional positions.
    Returns the messages and the indices of fact messages."""
    fixed = len(system) + len(final) + sum(msg_chars(m) for _, seg in facts for m in seg)
    budget = target * 4 - fixed
    segs: list[list[dict]] = []
    used = 0
    while used < budget:
        s = filler(rng)
        segs.append(s)
        used += sum(msg_chars(m) for m in s)
    n = len(segs)
    placed: list[tuple[int, int, list[dict]]] = []
    last = 0
    for order, (frac, seg) in enumerate(facts):
        pos = max(last, min(n, round(frac * n)))
        placed.append((pos, order, seg))
        last = pos
    msgs = [{"role": "system", "content": system}]
    fact_idx: set[int] = set()
    pi = 0
    for i in range(n + 1):
        while pi < len(placed) and placed[pi][0] == i:
            for m in placed[pi][2]:
                fact_idx.add(len(msgs))
                msgs.append(m)
            pi += 1
        if i < n:
            msgs.extend(segs[i])
    msgs.append({"role": "user", "content": final})
    return msgs, fact_idx


def check(case: dict, fact_idx: set[int]) -> None:
    msgs = case["messages"]
    cid = case["id"]
    assert msgs[0]["role"] == "system" and msgs[-1]["role"] == "user", cid
    system, final = msgs[0]["content"], msgs[-1]["content"]
    body = msgs[1:-1]
    texts = [(m.get("content") or "") + (json.dumps(m["tool_calls"]) if m.get("tool_calls") else "") for m in msgs]
    # role order and tool pairing
    prev = "system"
    i = 1
    while i < len(msgs):
        m = msgs[i]
        if m["role"] == "tool":
            raise AssertionError(f"{cid}: stray tool message at {i}")
        if m["role"] == "assistant" and m.get("tool_calls"):
            assert m["content"] is None, cid
            want = [tc["id"] for tc in m["tool_calls"]]
            got = [msgs[i + 1 + k].get("tool_call_id") for k in range(len(want))]
            assert got == want and all(msgs[i + 1 + k]["role"] == "tool" for k in range(len(want))), cid
            i += 1 + len(want)
            prev = "tool"
            continue
        if m["role"] == "user":
            assert prev in ("system", "assistant"), f"{cid}: user after {prev} at {i}"
        else:
            assert prev in ("user", "tool"), f"{cid}: assistant after {prev} at {i}"
        prev = m["role"]
        i += 1
    assert prev == "user", cid
    assert ("tools" in case) == any(m.get("tool_calls") for m in msgs), cid
    for s in case["needed"]:
        assert s not in system and s not in final, f"{cid}: needed {s!r} in system/final"
        hits = [k for k in range(1, len(msgs) - 1) if s in texts[k]]
        assert hits, f"{cid}: needed {s!r} missing"
        assert set(hits) <= fact_idx, f"{cid}: needed {s!r} leaks into filler"
    for s in case["forbidden_stale"]:
        assert s not in final and s not in system, f"{cid}: stale {s!r} in system/final"
        hits = [k for k in range(1, len(msgs) - 1) if s in texts[k]]
        assert hits, f"{cid}: stale {s!r} missing"
        assert set(hits) <= fact_idx, f"{cid}: stale {s!r} leaks into filler"
        for k in hits:
            for n in case["needed"]:
                assert n not in texts[k], f"{cid}: stale {s!r} shares a message with needed {n!r}"
    for a in case["needed"]:
        for b in case["forbidden_stale"]:
            assert a not in b and b not in a, f"{cid}: {a!r} / {b!r} overlap"
    toks = sum(msg_chars(m) for m in msgs) // 4
    assert MIN_TOKENS <= toks <= MAX_TOKENS, f"{cid}: {toks} tokens"
    assert len(body) >= 4, cid


def U(text: str) -> dict:
    return {"role": "user", "content": text}


def A(text: str) -> dict:
    return {"role": "assistant", "content": text}


def mixed(doms: list[str], weights: list[float] | None = None, tool_ids: Ids | None = None, tool_p: float = 0.0):
    def f(rng: random.Random):
        dom = rng.choices(doms, weights=weights)[0] if weights else rng.choice(doms)
        if tool_ids is not None and rng.random() < tool_p:
            return search_filler(rng, dom, tool_ids)
        return chat_filler(rng, dom)
    return f


# ---------------------------------------------------------------------------
# The twelve kinds. Each returns a dict: system, facts, final, filler, needed, forbidden, tools?, notes
# ---------------------------------------------------------------------------

STORES = [("Northwind Outfitters", "outdoor gear", "NW-"), ("Kestrel Home", "homeware", "KH"),
          ("Lumen & Loom", "lighting and textiles", "LL-"), ("Parcelpoint Books", "books", "PB/"),
          ("Halden Audio", "headphones and speakers", "HA-"), ("Brightfield Kids", "children's clothing", "BK#")]
PRODUCTS = ["insulated jacket", "ceramic table lamp", "wool throw", "hiking boots", "bluetooth speaker",
            "cast-iron casserole dish", "box set of novels", "rain suit", "desk organiser", "espresso cups"]
COLORS = ["slate grey", "mustard", "forest green", "navy", "terracotta", "oatmeal"]


def k_support_order_correction(rng, i, ids, target):
    store, cat, pre = STORES[i % len(STORES)]
    o_old, o_new = distinct(rng, lambda r: pre + digits(r, 7), 2)
    sku_old, sku_new = distinct(rng, lambda r: f"{letters(r, 3)}-{digits(r, 4)}-{r.choice('SMLX')}", 2)
    prod, col = rng.choice(PRODUCTS), rng.choice(COLORS)
    wrong_sku = i % 2 == 1
    stale_msg = (f"Hi, my parcel finally arrived but the {prod} inside is cracked/damaged. The order number on the "
                 f"slip is {o_old}" + (f" and the item code is {sku_old}." if wrong_sku else ".")
                 + " What do I need to do?")
    fix_msg = (f"Ugh, correction, sorry: I was reading the packing slip from my flatmate's parcel. Mine is "
               f"{o_new} and the damaged item is SKU {sku_new}, the {col} one. Please use these from now on.")
    a, b = two_pos(rng, i)
    facts = [(a, [U(stale_msg), A("I'm sorry it arrived like that. Could you send a couple of photos of the damage and "
                                   "the outer box? Once I have them I can file a damage claim.")]),
             (b, [U(fix_msg), A("No problem at all, thanks for catching that. I'll use the corrected details for the claim.")])]
    return dict(
        system=f"You are the customer support assistant for {store}, an online {cat} retailer. Be concise, confirm "
               "order details before filing any claim, and never promise a refund above the order value.",
        facts=facts,
        final="Okay, photos are attached now. Please file the damage claim, and repeat back the exact order number "
              "and item code you're filing it under so I can double-check.",
        filler=mixed(["retail", "warehouse", rng.choice(["renovation", "cycling", "brewing"])], [5, 3, 2]),
        needed=[o_new, sku_new], forbidden=[o_old] + ([sku_old] if wrong_sku else []),
        notes="support chat where the customer corrects a mistyped order number (and sometimes the SKU) later; "
              "the claim needs the corrected values, not the first ones")


def k_agent_retry_tool_result(rng, i, ids, target):
    variant = i % 3
    a, b = two_pos(rng, i)
    if variant == 0:
        trk = "1Z" + letters(rng, 3) + digits(rng, 8)
        d_old, d_new = distinct(rng, lambda r: f"2026-{r.randint(3, 11):02d}-{r.randint(10, 28):02d}", 2)
        ref = "CR-" + letters(rng, 2) + digits(rng, 5)
        tool = {"type": "function", "function": {"name": "get_shipment_status", "description": "Carrier tracking lookup.",
                "parameters": {"type": "object", "properties": {"tracking_id": {"type": "string"}}, "required": ["tracking_id"]}}}
        r1 = {"ok": False, "error": "UPSTREAM_TIMEOUT", "detail": "carrier API did not answer in 30s",
              "stale_cache": {"eta": d_old, "cached_hours_ago": rng.randint(30, 90)}}
        r2 = {"ok": True, "tracking_id": trk, "status": "in_transit", "eta": d_new, "carrier_ref": ref,
              "last_scan": "regional hub, sorted for onward delivery"}
        q1 = U(f"Can you check where my shipment {trk} is? It was supposed to be here already.")
        f1 = [q1] + tool_round(ids, "get_shipment_status", {"tracking_id": trk}, r1) + [
            A("The carrier's system timed out, and the only thing I could see is an old cached estimate, which may "
              "be out of date. I'll try the live lookup again later.")]
        f2 = [U("Could you try that tracking lookup again now?")] + tool_round(
            ids, "get_shipment_status", {"tracking_id": trk}, r2) + [
            A("This time the live lookup worked: the parcel is in transit and has been sorted at the regional hub.")]
        final = "Great. So what's the actual arrival date now, and which carrier reference should I quote if I phone them?"
        needed, forbidden = [d_new, ref], [d_old]
        notes = "agent tool loop: first lookup times out with a stale cached ETA, a later retry returns the live ETA"
    elif variant == 1:
        run = digits(rng, 6)
        dg_old, dg_new = distinct(rng, lambda r: "sha256:" + "".join(r.choice("0123456789abcdef") for _ in range(16)), 2)
        cl_new = rng.choice(["prod-eu-2", "prod-ap-1", "prod-us-3", "prod-sa-1"]) + "-" + letters(rng, 2).lower()
        tool = {"type": "function", "function": {"name": "get_pipeline_run", "description": "CI/CD pipeline run status.",
                "parameters": {"type": "object", "properties": {"run_id": {"type": "string"}}, "required": ["run_id"]}}}
        r1 = {"run_id": run, "status": "running", "stage": "canary", "currently_serving": dg_old,
              "note": "rollout in progress; new artifact not yet promoted"}
        r2 = {"run_id": run, "status": "succeeded", "stage": "promoted", "deployed_artifact": dg_new,
              "target_cluster": cl_new, "duration_s": rng.randint(400, 1900)}
        f1 = [U(f"Check on deploy run {run} please, I kicked it off before lunch.")] + tool_round(
            ids, "get_pipeline_run", {"run_id": run}, r1) + [
            A("It's still in the canary stage; the old artifact is serving traffic until promotion. I'll check back.")]
        f2 = [U("Is the deploy finished yet?")] + tool_round(ids, "get_pipeline_run", {"run_id": run}, r2) + [
            A("Yes, the run has succeeded and the new artifact was promoted.")]
        final = "For the change log: which artifact digest actually ended up deployed by that run, and to which cluster?"
        needed, forbidden = [dg_new, cl_new], [dg_old]
        notes = "agent polls a deploy; the early poll shows the old artifact still serving, the later one the promoted digest"
    else:
        pair = rng.choice(["EUR/USD", "GBP/JPY", "USD/CHF", "EUR/SEK"])
        base = rng.uniform(0.9, 1.6)
        r_old = f"{base:.5f}"
        r_new = f"{base * (1 + rng.choice([-1, 1]) * rng.uniform(0.0006, 0.004)):.5f}"
        qid = "FXQ-" + digits(rng, 6) + letters(rng, 1)
        tool = {"type": "function", "function": {"name": "get_fx_quote", "description": "Get a bookable FX quote.",
                "parameters": {"type": "object", "properties": {"pair": {"type": "string"}, "amount": {"type": "number"}},
                               "required": ["pair"]}}}
        amt = rng.randint(20, 400) * 1000
        r1 = {"pair": pair, "rate": r_old, "bookable": False, "note": "indicative only, quote expired before confirmation"}
        r2 = {"pair": pair, "rate": r_new, "bookable": True, "quote_id": qid, "valid_seconds": 120}
        f1 = [U(f"Get me a quote for {amt} on {pair} for the supplier payment.")] + tool_round(
            ids, "get_fx_quote", {"pair": pair, "amount": amt}, r1) + [
            A("That came back as indicative only and it expired before it could be confirmed, so it can't be booked.")]
        f2 = [U("Okay, try again for a bookable one.")] + tool_round(
            ids, "get_fx_quote", {"pair": pair, "amount": amt}, r2) + [
            A("Got a bookable quote this time; it's valid for two minutes.")]
        final = "Book the supplier payment on the bookable quote — tell me the exact rate and quote ID you're using."
        needed, forbidden = [r_new, qid], [r_old]
        notes = "agent retries an FX quote: the first one is indicative and expired, the retry is bookable"
    doms = rng.sample(list(DOMAINS), 3)
    return dict(system="You are an operations agent with tool access. Use the tools to answer; never guess values "
                       "that a tool can return.",
                facts=[(a, f1), (b, f2)], final=final,
                filler=mixed(doms, tool_ids=ids, tool_p=0.6), tools=[tool, SEARCH_TOOL],
                needed=needed, forbidden=forbidden, notes=notes)


def k_ci_log_triage(rng, i, ids, target):
    (p_old, t_old), (p_new, t_new) = distinct(rng, lambda r: test_name(r), 2)
    key = rng.choice(WORDS) + "_" + rng.choice(WORDS)
    x, y = distinct(rng, lambda r: digits(r, 5), 2)
    assertion = f"assert {x} == {y}"
    block = [f"_________________________ {t_new} _________________________",
             f"    def {t_new}(fixture_{rng.choice(WORDS)}):",
             f"        result = {rng.choice(VERBS)}_{rng.choice(WORDS)}(fixture_{rng.choice(WORDS)})",
             f">       assert result.total == expected_total",
             f"E       {assertion}",
             f"E        +  where {x} = <Result total={x}>.total",
             f"{p_new}:{rng.randint(40, 700)}: AssertionError",
             f"FAILED {p_new}::{t_new}"]
    frac = rng.choice([0.1, 0.35, 0.6, 0.9])
    log_chars = int(target * 4 * rng.uniform(0.2, 0.55))
    log = ci_log(rng, log_chars, frac, block)
    a, b = two_pos(rng, i)
    old = [U(f"Context: yesterday's nightly failed with `FAILED {p_old}::{t_old} - KeyError: '{key}'`. Ravi already "
             f"merged a fix for that one, so ignore it."),
           A("Noted, I'll treat that failure as resolved.")]
    use_tool = i % 2 == 0
    tools = None
    if use_tool:
        tools = [{"type": "function", "function": {"name": "run_command", "description": "Run a shell command in the repo.",
                  "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}, "required": ["cmd"]}}},
                 {"type": "function", "function": {"name": "read_file", "description": "Read a file from the repo.",
                  "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}}}]
        new = [U("Run today's test suite and tell me what's broken.")] + tool_round(
            ids, "run_command", {"cmd": "make test"}, log) + [A("The suite has finished; there's one failure in the output.")]
    else:
        new = [U("Here's the full log from today's run, sorry it's long:\n\n" + log),
               A("Thanks, I've gone through it; there's one failing test in there.")]
    doms = ["webperf", rng.choice(["hr", "music", "retail"])]

    def filler(r):
        if use_tool and r.random() < 0.5:
            path = f"src/{r.choice(MODS)}/{r.choice(WORDS)}.py"
            code = "\n".join(f"def {r.choice(VERBS)}_{r.choice(WORDS)}({r.choice(WORDS)}, {r.choice(WORDS)}=None):\n"
                             f"    \"\"\"{r.choice(VERBS).capitalize()} the {r.choice(WORDS)} for one {r.choice(WORDS)}.\"\"\"\n"
                             f"    if {r.choice(WORDS)} is None:\n        return []\n"
                             f"    return [x for x in {r.choice(WORDS)} if x.{r.choice(WORDS)}]\n"
                             for _ in range(r.randint(3, 9)))
            return ([U(f"Can you look at {path} and tell me if anything there looks off? "
                       + user_filler(r, "webperf"))]
                    + tool_round(ids, "read_file", {"path": path}, code)
                    + [A(assistant_filler(r, "webperf"))])
        return chat_filler(r, r.choice(doms))
    return dict(system="You are a coding assistant embedded in the team's repository. Be precise about file paths "
                       "and test names.",
                facts=[(a, old), (b, new)],
                final="Which test is failing on today's run, and what's the exact assertion that blew up? I want to "
                      "put both in the ticket.",
                filler=filler, tools=tools, needed=[t_new, assertion], forbidden=[t_old],
                notes="coding assistant: today's failing test and assertion sit inside a long CI log "
                      f"({'tool result' if use_tool else 'pasted by the user'}, failure at {int(frac * 100)}% of the log); "
                      "yesterday's already-fixed failure is a look-alike")


NUMWORDS = {30: "thirty", 45: "forty-five", 60: "sixty", 75: "seventy-five", 90: "ninety", 100: "one hundred",
            120: "one hundred and twenty", 150: "one hundred and fifty", 180: "one hundred and eighty"}


def k_contract_clause_lookup(rng, i, ids, target):
    n_old, n_new = rng.sample(sorted(NUMWORDS), 2)
    p_old, p_new = f"{NUMWORDS[n_old]} ({n_old}) days", f"{NUMWORDS[n_new]} ({n_new}) days"
    name = f"{rng.choice(PEOPLE)} {rng.choice(SURNAMES)}"
    attn = f"Attn: {name}"
    doc_chars = int(target * 4 * rng.uniform(0.25, 0.55))
    n_clauses = max(8, doc_chars // 900)
    c_term = rng.randrange(1, n_clauses - 2)
    c_not = rng.choice([c for c in range(n_clauses - 1) if abs(c - c_term) > 2])
    special = {
        c_term: f"{c_term + 1}. Termination\n{c_term + 1}.1 Either party may terminate this Agreement for material "
                f"breach not remedied within the cure period.\n{c_term + 1}.2 Termination for Convenience. Either party "
                f"may terminate this Agreement on {p_new}' prior written notice to the other party.",
        c_not: f"{c_not + 1}. Notices\n{c_not + 1}.1 Notices shall be in writing and delivered by hand or by recorded "
               f"delivery.\n{c_not + 1}.2 Notices to the Supplier shall be sent to: {attn}, General Counsel, "
               f"{rng.randint(2, 90)} {rng.choice(['Harbour Road', 'Mill Lane', 'Kingsway', 'Station Parade'])}.",
    }
    doc = contract(rng, doc_chars, special)
    month = rng.choice(["March", "April", "June", "September", "October"])
    a, b = two_pos(rng, i)
    draft = [U(f"For reference, here's how the termination-for-convenience clause read in the redline from {month}: "
               f"\"Either party may terminate this Agreement on {p_old}' prior written notice.\" Our legal team "
               f"pushed back on it."), A("Thanks, that's useful background on the negotiation.")]
    signed = [U("And here is the executed version we actually signed last week:\n\n" + doc),
              A("Got it. I'll treat this executed version as the governing text from now on.")]
    return dict(system="You are a contracts assistant for an in-house legal team. Quote clause numbers when you can.",
                facts=[(a, draft), (b, signed)],
                final="Under the agreement we actually signed, how much notice do we have to give to terminate for "
                      "convenience, and who exactly must the notice be addressed to?",
                filler=mixed(["hr", "retail", "warehouse", rng.choice(["farming", "transit"])]),
                needed=[p_new, attn], forbidden=[p_old],
                notes=f"long pasted contract ({len(doc)} chars, {n_clauses} clauses); the notice period and addressee are "
                      f"in clauses {c_term + 1} and {c_not + 1}; an earlier draft's notice period is the look-alike")


def k_multilingual_details(rng, i, ids, target):
    lang = ["es", "de", "fr", "pt", "it", rng.choice(["es", "de", "fr"])][i]
    L = LANG[lang]
    s_old, s_new = rng.sample(L["streets"], 2)
    num_old, num_new = distinct(rng, lambda r: str(r.randint(3, 140)), 2)
    if lang in ("fr",):
        addr_old, addr_new = f"{num_old} {s_old}", f"{num_new} {s_new}"
    else:
        addr_old, addr_new = f"{s_old} {num_old}", f"{s_new} {num_new}"
    city = rng.choice(L["cities"])
    postal = f"{digits(rng, 4)}-{digits(rng, 3)}" if lang == "pt" else digits(rng, 5)
    ref = letters(rng, 2) + "-" + digits(rng, 4) + "-" + letters(rng, 2)
    a, b = two_pos(rng, i)
    facts = [(a, [U(rng.choice(L["talk"]) + " " + L["addr"].format(addr=addr_old, city=city)
                    + " The sofa delivery should come there, I think."), A(rng.choice(L["reply"]))]),
             (b, [U(L["moved"].format(addr=addr_new, postal=postal, city=city, ref=ref)), A(L["ack"])])]
    english_final = i % 2 == 0
    final = ("Can you write the delivery confirmation for the sofa with my current address and the booking code?"
             if english_final else
             {"es": "¿Puedes escribir la confirmación de entrega del sofá con mi dirección actual y el código de reserva?",
              "de": "Kannst du die Lieferbestätigung für das Sofa mit meiner aktuellen Adresse und dem Buchungscode schreiben?",
              "fr": "Peux-tu rédiger la confirmation de livraison du canapé avec mon adresse actuelle et le code de réservation ?",
              "pt": "Podes escrever a confirmação de entrega do sofá com a minha morada atual e o código da reserva?",
              "it": "Puoi scrivere la conferma di consegna del divano con il mio indirizzo attuale e il codice di prenotazione?"}[lang])
    doms = ["retail", "renovation", rng.choice(["cycling", "music", "vet"])]

    def filler(r):
        dom = r.choice(doms)
        return lang_filler(r, dom, lang) if r.random() < 0.6 else chat_filler(r, dom)
    return dict(system="You are a delivery-scheduling assistant for a furniture retailer. Reply in the customer's "
                       "language when they write in it.",
                facts=facts, final=final, filler=filler, needed=[addr_new, ref], forbidden=[addr_old],
                notes=f"customer code-switches between {lang} and English; the address changed after a move and the "
                      f"booking code sits in a {lang} message; final question in {'English' if english_final else lang}")


VENUES = ["Quarry Hall", "the Alder Room", "Foundry Loft", "Bramble House", "the Lantern Barn", "Harbourside Pavilion",
          "the Old Mill Studio", "Cedar Court", "the Glasshouse", "Wharf 9"]


def k_group_chat_decision(rng, i, ids, target):
    people = rng.sample(PEOPLE, rng.randint(4, 6))
    lead = people[0]
    v_old, v_new = rng.sample(VENUES, 2)
    price_old = money(rng, 900, 4000)
    ref = letters(rng, 2) + digits(rng, 5)
    d_old, d_new = rng.sample(range(8, 28), 2)
    a, b = two_pos(rng, i)
    prop = [U(f"[{people[1]}]: For the team offsite, I'd say we book {v_old} on the {d_old}th, they quoted "
              f"{price_old} for the day.\n[{people[2]}]: Works for me.\n[{people[3]}]: Fine, as long as there's parking."),
            A("Sounds like a reasonable first option. It's worth asking the venue what the quote includes before committing.")]
    dec = [U(f"[{lead}]: Decision time, since the first place can't do our date after all: we're going with {v_new} "
             f"on the {d_new}th. I've paid the deposit, booking ref {ref}.\n[{people[1]}]: Fair enough, thanks for "
             f"sorting it.\n[{people[2]}]: 👍"),
            A("Great, that's settled then. Congratulations on getting it booked.")]
    doms = rng.sample(list(DOMAINS), 3)
    return dict(system="You are an assistant added to a team group chat. Several people write in each message; "
                       "each line starts with the speaker's name in brackets. Answer when someone tags @assistant.",
                facts=[(a, prop), (b, dec)],
                final=f"[{people[-1]}]: @assistant sorry, I was offline all week — what did we finally book for the "
                      "offsite, and what's the booking ref so I can forward it to finance?",
                filler=lambda r: group_filler(r, r.choice(doms), people),
                needed=[v_new, ref], forbidden=[v_old, price_old],
                notes="group chat with several speakers per message; an early venue proposal is superseded by the "
                      "lead's decision with a booking ref")


PLANS = [("car insurance", ["Basic", "Plus", "Complete"], "excess"), ("broadband", ["Lite", "Fibre 500", "Gigabit"], "setup fee"),
         ("gym membership", ["Off-peak", "Standard", "All-access"], "joining fee"),
         ("home insurance", ["Essentials", "Standard Cover", "Premier"], "excess"),
         ("mobile contract", ["SIM-only 20GB", "SIM-only Unlimited", "Handset bundle"], "upfront cost"),
         ("pet insurance", ["Accident-only", "Time-limited", "Lifetime"], "excess")]


def k_vague_backref(rng, i, ids, target):
    prod, names, extra = PLANS[i % len(PLANS)]
    cur = rng.choice(["€", "£", "$"])
    vals = distinct(rng, lambda r: cur + money(r, 12, 140), 6)
    fees = distinct(rng, lambda r: cur + str(r.randint(25, 600)), 6)
    mine = vals[:3]
    theirs = vals[3:]
    mine_f, theirs_f = fees[:3], fees[3:]
    age1, age2 = rng.randint(24, 60), rng.randint(20, 70)
    a = rng.uniform(0.02, 0.45)
    b = rng.uniform(a + 0.15, 0.93)

    def table(vs, fs):
        return "\n".join(f"{k + 1}. {names[k]}: {vs[k]}/month, {extra} {fs[k]}" for k in range(3))
    early = [U(f"Can you compare the three {prod} options for me? I'm {age1}, living in a small town, nothing unusual."),
             A(f"Here's the comparison for your situation:\n\n{table(mine, mine_f)}\n\nThe middle option is usually "
               f"the best balance for most people.")]
    later = [U(f"Could you do the same comparison for my brother? He's {age2} and lives in the city."),
             A(f"For your brother:\n\n{table(theirs, theirs_f)}\n\nCity pricing tends to be a bit different.")]
    doms = rng.sample(list(DOMAINS), 3)
    return dict(system="You are a helpful personal-finance assistant. You compare plans but do not sell them.",
                facts=[(a, early), (b, later)],
                final="Okay, circling back to my own comparison from right at the start — the middle option, what was "
                      f"the monthly price and the {extra} on that one again?",
                filler=mixed(doms), needed=[mine[1], mine_f[1]], forbidden=[theirs[1], theirs_f[1]],
                notes="vague follow-up ('the middle option ... from the start') to an early assistant table; a later "
                      "look-alike table for the brother has the same shape")


def k_email_thread_reschedule(rng, i, ids, target):
    org = rng.choice(["Fenwick Analytics", "Corrigan Freight", "Meridian Labs", "Oakhurst Foods", "Tessellate GmbH"])
    first_n, last_n = rng.choice(PEOPLE), rng.choice(SURNAMES)
    s1 = f"{first_n} {last_n} <{first_n[0].lower()}.{last_n.lower()}@{org.split()[0].lower()}.example>"
    rooms = distinct(rng, lambda r: f"{r.choice('ABCDEF')}{r.randint(1, 6)}-{r.randint(100, 499)}", 2)
    pins = distinct(rng, lambda r: f"{digits(r, 4)} {digits(r, 3)}", 2)
    t_old = f"{rng.choice(['Tuesday', 'Wednesday', 'Thursday'])} at {rng.randint(9, 11)}:{rng.choice(['00', '15', '30'])}"
    t_new = f"{rng.choice(['Friday', 'Monday'])} at {rng.randint(13, 16)}:{rng.choice(['10', '20', '40', '50'])}"
    subj = f"Quarterly vendor review with {org}"

    def thread(key, n, days):
        return "\n\n-----Original Message-----\n".join(
            email(rng, s1 if k == 0 else f"{rng.choice(PEOPLE)} {rng.choice(SURNAMES)} <team@{org.split()[0].lower()}.example>",
                  "vendor-review list", ("RE: " if k else "") + subj, key if k == 0 else None, days[k]) for k in range(n))
    days = [f"{rng.randint(1, 28)} {rng.choice(['May', 'June', 'July'])} 2026 {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
            for _ in range(12)]
    first = thread(f"We'll meet on {t_old} in room {rooms[0]}; remote participants can dial in with PIN {pins[0]}.",
                   rng.randint(3, 8), days)
    second = thread(f"Unfortunately we need to move the review to {t_new}. It is now in room {rooms[1]}, and the new "
                    f"dial-in PIN is {pins[1]}. Earlier details no longer apply.", rng.randint(2, 6), days[6:])
    a, b = two_pos(rng, i)
    facts = [(a, [U("Pasting the invite thread so you have context for the vendor review:\n\n" + first),
                  A("Thanks, I've read through the thread.")]),
             (b, [U("A new e-mail just came in from them, earlier quoted text trimmed:\n\n" + second),
                  A("Understood, I've noted the change.")])]
    return dict(system="You are an executive assistant. Keep track of meetings the user shares with you.",
                facts=facts,
                final="So where is the vendor review happening now, and what PIN do I use if I have to join remotely?",
                filler=mixed(["hr", "retail", "transit", rng.choice(["astronomy", "music", "brewing"])]),
                needed=[rooms[1], pins[1]], forbidden=[rooms[0], pins[0]],
                notes="two long pasted e-mail threads; the second moves the meeting to a new room and dial-in PIN")


REGIONS = ["eu-central-2", "eu-north-1", "us-west-2", "ap-south-1", "ca-central-1", "me-south-1", "sa-east-1", "af-south-1"]


def k_config_drift(rng, i, ids, target):
    svc = rng.choice(["orders-api", "ledger-worker", "search-gateway", "media-resizer", "notify-service"])
    c1, c2, c3 = distinct(rng, lambda r: str(r.randint(100, 999)), 3)
    r1, r2 = rng.sample(REGIONS, 2)
    k_mc, k_rg = "maxConnections", "pinnedRegion"
    v1 = yaml_config(rng, rng.randint(3000, 14000), {f"db.{k_mc}": c1, f"placement.{k_rg}": r1})
    v2 = yaml_config(rng, rng.randint(3000, 14000), {f"db.{k_mc}": c2, f"placement.{k_rg}": r2})
    _, c = two_pos(rng, i)
    a, b = sorted((rng.uniform(0.02, c - 0.08), rng.uniform(0.02, c - 0.08)))
    facts = [(a, [U(f"Here's the current values.yaml for the {svc} chart:\n\n```yaml\n{v1}\n```"),
                  A("Thanks, I have the config.")]),
             (b, [U(f"After the incident review we changed a few things, here's v2 of the whole file:\n\n```yaml\n{v2}\n```"),
                  A("Got it, v2 replaces the earlier file.")]),
             (c, [U(f"Last tweak before the freeze — only this key changed from v2, everything else stays as it was:\n\n"
                    f"```yaml\napi:\n  db.{k_mc}: {c3}\n```"),
                  A("Noted: that one key is updated, the rest of v2 stands.")])]
    return dict(system="You are a platform engineering assistant helping with Kubernetes and Helm configuration.",
                facts=facts,
                final="With all the edits applied, what is the database connection cap now, and which region is the "
                      "service pinned to?",
                filler=mixed(["webperf", "hr", rng.choice(["warehouse", "transit"])]),
                needed=[f"db.{k_mc}: {c3}", f"placement.{k_rg}: {r2}"],
                forbidden=[f"db.{k_mc}: {c1}", f"placement.{k_rg}: {r1}"],
                notes="three config pastes: v1, full v2, then a one-key patch; the answer needs the patch for one key "
                      "and v2 for the other (v2's own superseded connection cap is not listed as stale because it "
                      "shares a message with the needed region)")


def k_trip_multi_fact(rng, i, ids, target):
    city = rng.choice(["Lisbon", "Kraków", "Porto", "Ljubljana", "Edinburgh", "Bergen", "Valencia", "Tallinn"])
    air = rng.choice(["LX", "TP", "KL", "SK", "IB", "LO"])
    f_old, f_new = distinct(rng, lambda r: f"{air} {r.randint(1000, 2999)}", 2)
    conf = letters(rng, 3) + digits(rng, 6)
    car = "RC-" + digits(rng, 5) + letters(rng, 2)
    hotel = rng.choice(["Hotel Marítimo", "The Ropewalk Inn", "Casa do Largo", "Hotel Vltava", "Nordlys Suites"])
    use_tool = i % 2 == 0
    pos = spread(rng, 4, 0.03, 0.92, 0.1)
    cancel = [U(f"Booked my flight to {city}: {f_old}, leaving early on the Thursday."),
              A("Nice, that's a sensible departure time.")]
    rebook = [U(f"Bad news, the airline cancelled my morning flight. They rebooked me onto "
                f"{f_new}, same day, a bit later."), A("Annoying, but at least it's the same day.")]
    tools = None
    if use_tool:
        tools = [{"type": "function", "function": {"name": "search_email", "description": "Search the user's mailbox.",
                  "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}},
                 SEARCH_TOOL]
        hotel_seg = [U(f"Can you find my hotel confirmation for {city} in my e-mail?")] + tool_round(
            ids, "search_email", {"query": f"{hotel} confirmation"},
            {"results": [{"from": f"reservations@{hotel.split()[-1].lower()}.example", "subject": "Your booking is confirmed",
                          "snippet": f"Dear guest, your stay at {hotel} is confirmed. Confirmation number {conf}. "
                                     "Check-in from 15:00."}]}) + [A("Found it: the booking e-mail from the hotel.")]
    else:
        hotel_seg = [U(f"Hotel is sorted too: {hotel}, confirmation number {conf}."), A("Great, noted.")]
    car_seg = [U(f"And I've reserved a rental car for the last two days, reservation {car}, pick-up at the airport desk."),
               A("Good idea for the day trips.")]
    order = [hotel_seg, car_seg]
    rng.shuffle(order)
    segs = [cancel, rebook] + order
    # cancellation first, rebooking later; hotel and car anywhere after the first slot
    facts = list(zip(pos, segs))
    doms = rng.sample(list(DOMAINS), 3)
    return dict(system="You are a personal travel assistant.",
                facts=facts,
                final=f"Can you write me a short summary of my {city} trip logistics: the flight I'm actually on, the "
                      "hotel confirmation number and the car rental reservation?",
                filler=mixed(doms, tool_ids=ids if use_tool else None, tool_p=0.4 if use_tool else 0.0),
                tools=tools, needed=[f_new, conf, car], forbidden=[f_old],
                notes="three facts spread over the conversation are all needed; a cancelled flight is the stale value"
                      + ("; the hotel confirmation comes from a tool result" if use_tool else ""))


def k_account_lookalikes(rng, i, ids, target):
    k = rng.randint(3, 5)
    holders = rng.sample([f"{p} {s}" for p in PEOPLE for s in SURNAMES], k)
    accs = distinct(rng, lambda r: "AC" + digits(r, 7), k)
    bals = distinct(rng, lambda r: money(r, 200, 9000), k)
    dates = distinct(rng, lambda r: f"2026-{r.randint(1, 10):02d}-{r.randint(10, 28):02d}", k)
    target = rng.randrange(k)
    tool = {"type": "function", "function": {"name": "lookup_account", "description": "Look up a customer account.",
            "parameters": {"type": "object", "properties": {"account_id": {"type": "string"}}, "required": ["account_id"]}}}
    segs = []
    for j in range(k):
        res = {"account_id": accs[j], "holder": holders[j], "plan": rng.choice(["Business", "Standard", "Premium"]),
               "balance_due": bals[j], "currency": "EUR", "last_payment_date": dates[j],
               "status": rng.choice(["active", "active", "overdue"])}
        segs.append([U(f"Next one: can you pull up account {accs[j]}?")] + tool_round(
            ids, "lookup_account", {"account_id": accs[j]}, res) + [A("Here's that account's summary.")])
    pos = spread(rng, k, 0.03, 0.93, 0.06)
    doms = ["retail", rng.choice(["hr", "warehouse", "farming"])]
    return dict(system="You are a billing operations assistant with read access to customer accounts.",
                facts=list(zip(pos, segs)),
                final=f"Which of those accounts belonged to {holders[target]}? What do they owe and when did they last pay?",
                filler=mixed(doms, tool_ids=ids, tool_p=0.5), tools=[tool, SEARCH_TOOL],
                needed=[bals[target], dates[target]],
                forbidden=[bals[j] for j in range(k) if j != target],
                notes=f"{k} account lookups with the same JSON shape spread over the chat; the question names one holder "
                      f"(lookup {target + 1} of {k})")


ALLERGENS = ["sesame", "tree nuts", "shellfish", "celery", "mustard", "lupin", "peanuts", "soy"]


def k_early_constraint(rng, i, ids, target):
    al_mine, al_other = rng.sample(ALLERGENS, 2)
    cur = rng.choice(["CHF", "EUR", "GBP", "USD"])
    b_mine, b_other = distinct(rng, lambda r: f"{cur} {r.randint(2, 14)},{r.randint(1, 19) * 50:03d}", 2)
    event = rng.choice(["my sister's wedding reception", "our team's end-of-year dinner", "my dad's 70th birthday lunch",
                        "the charity gala", "our company conference lunch"])
    first = U(f"Quick context before we start planning {event}: I'm severely allergic to {al_mine}, so nothing on the "
              f"menu can contain it, and the hard cap for catering is {b_mine} all in. Please keep both in mind "
              f"for everything we do.")
    seg1 = [first, A("Understood, I'll keep both the allergy and the cap in mind for every suggestion.")]
    other = rng.choice(["Tomás", "Keiko", "Olu", "Greta"])
    seg2 = [U(f"Side note: my co-organiser {other} is allergic to {al_other} and has a budget of {b_other} for their own "
              f"event next month — but that's his event, not ours."),
            A("Thanks, I'll keep his event separate from ours.")]
    a = 0.0 if i % 3 != 2 else rng.uniform(0.03, 0.12)
    b = rng.uniform(0.4, 0.9)
    doms = ["farming", "renovation", rng.choice(["music", "hr", "transit"])]
    return dict(system="You are an event-planning assistant. Be practical and specific.",
                facts=[(a, seg1), (b, seg2)],
                final="Okay, let's pull it together: propose the final catering menu for our event and confirm it "
                      "respects my allergy and stays under my cap.",
                filler=mixed(doms), needed=[f"allergic to {al_mine}", b_mine],
                forbidden=[f"allergic to {al_other}", b_other],
                notes="a constraint given at the very start of a long planning session decides the final answer; "
                      "a co-organiser's look-alike constraint comes later")


KINDS = [
    ("support_order_correction", k_support_order_correction),
    ("agent_retry_tool_result", k_agent_retry_tool_result),
    ("ci_log_triage", k_ci_log_triage),
    ("contract_clause_lookup", k_contract_clause_lookup),
    ("multilingual_details", k_multilingual_details),
    ("group_chat_decision", k_group_chat_decision),
    ("vague_backref", k_vague_backref),
    ("email_thread_reschedule", k_email_thread_reschedule),
    ("config_drift", k_config_drift),
    ("trip_multi_fact", k_trip_multi_fact),
    ("account_lookalikes", k_account_lookalikes),
    ("early_constraint", k_early_constraint),
]


def seed_of(*parts) -> int:
    return int(hashlib.md5(":".join(map(str, parts)).encode()).hexdigest()[:16], 16)


def build() -> list[dict]:
    cases = []
    for kind, fn in KINDS:
        sizes = SIZES[:]
        random.Random(seed_of(BUILDER, kind, "sizes")).shuffle(sizes)
        for i in range(PER_KIND):
            rng = random.Random(seed_of(BUILDER, kind, i))
            ids = Ids(random.Random(seed_of(BUILDER, kind, i, "ids")))
            spec = fn(rng, i, ids, sizes[i])
            msgs, fact_idx = assemble(rng, sizes[i], spec["system"], spec["facts"], spec["final"], spec["filler"])
            case = {"id": f"{kind}-{i + 1:02d}-{BUILDER}", "kind": kind, "messages": msgs}
            if spec.get("tools"):
                case["tools"] = spec["tools"]
            case["needed"] = spec["needed"]
            case["forbidden_stale"] = spec["forbidden"]
            case["notes"] = spec["notes"]
            check(case, fact_idx)
            cases.append(case)
    return cases


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(HERE / "cases.jsonl"))
    ap.add_argument("--summary", action="store_true", help="print per-kind counts and sizes")
    args = ap.parse_args()
    cases = build()
    with open(args.out, "w", encoding="utf-8") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    print(f"wrote {len(cases)} cases to {args.out}")
    if args.summary:
        by: dict[str, list[dict]] = {}
        for c in cases:
            by.setdefault(c["kind"], []).append(c)
        print(f"{'kind':28} {'n':>2} {'tools':>5} {'min_tok':>8} {'med_tok':>8} {'max_tok':>8} {'msgs':>9}")
        for kind, cs in by.items():
            toks = [sum(msg_chars(m) for m in c["messages"]) // 4 for c in cs]
            nm = [len(c["messages"]) for c in cs]
            print(f"{kind:28} {len(cs):>2} {sum('tools' in c for c in cs):>5} {min(toks):>8} "
                  f"{int(statistics.median(toks)):>8} {max(toks):>8} {min(nm):>4}-{max(nm):<4}")
        allt = [sum(msg_chars(m) for m in c["messages"]) // 4 for c in cases]
        print(f"{'total':28} {len(cases):>2} {sum('tools' in c for c in cases):>5} {min(allt):>8} "
              f"{int(statistics.median(allt)):>8} {max(allt):>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
