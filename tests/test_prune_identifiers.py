"""A camelCase identifier is also its words (issue 18): "which region is it pinned to" must find
`placement.pinnedRegion` inside a long config paste, where lower-casing hid the boundary."""
import random

from plugins.prune import lexicon
from plugins.prune.excerpt import Query, excerpt_text
from plugins.prune.scoring import STOPWORDS, analyse
from plugins.prune.words import camel_parts, words

MODEL = "gpt-4o"


def _query(question: str) -> Query:
    return Query({t: 1.0 for t in words(question.lower(), STOPWORDS)}, lexicon.answer_kinds(question))


def test_camel_case_parts_are_words() -> None:
    assert camel_parts("placement.pinnedRegion: ca-central-1, maxRetryCount 3") == ["pin", "region", "max", "retry", "count"]
    assert camel_parts("no identifiers here, JavaScript starts upper") == []
    assert analyse("placement.pinnedRegion: ca-central-1").tf.get("region") == 1


def test_a_config_paste_keeps_the_key_the_question_names_in_plain_words() -> None:
    rnd = random.Random(7)
    keys = ["logging.format: text", "cache.backend: memory", "db.statementTimeoutMs: 2000", "autoscaling.minReplicas: 1",
            "featureFlags.betaSearch: false", "tracing.sampleRate: 0.05", "queue.visibilityTimeout: 60", "smtp.host: smtp.relay.svc",
            "ingress.className: nginx", "probes.readiness.periodSeconds: 30", "smtp.port: 587", "featureFlags.newCheckout: false"]
    lines = []
    for svc in range(14):
        lines.append(f"service{svc}:")
        lines += ["  " + k for k in rnd.sample(keys, len(keys))]
    lines.insert(len(lines) * 3 // 5, "  placement.pinnedRegion: ca-central-1")
    q = _query("With all the edits applied, which region is the service pinned to?")
    assert "placement.pinnedRegion: ca-central-1" in excerpt_text("\n".join(lines), 150, MODEL, q)
