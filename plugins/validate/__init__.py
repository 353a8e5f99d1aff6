"""Response validation: check every answer before it leaves; regenerate, flag, withhold, block or fail over.

Validators (`validators/`) run on each choice of the answer. A failing validator's
`action` decides what happens:
- `regenerate`: ask again at temperature 0 with a note naming the unverified claims (up to
  `max_regenerations` times; a stream continues from what it already delivered), then `then`;
- `flag`: deliver as is, marked (`x-bulwark-validation: flagged`) and recorded in the review queue;
- `withhold`: deliver the verified part and the safe ending instead of the first unverified
  claim and what follows it (the default for numbers), recorded;
- `block`: the safe message instead (a structured request gets the API's refusal), recorded;
- `fallback`: raise `FailoverRequested` (proxy.errors) for the fallback plugin, which
  must then be an outer layer (listed before `validate` in chain.plugins; checked at startup).
When several fail, the strongest final action wins (block > fallback > withhold > flag).

Streams: `guarded` (the default) streams live and holds only what is under check (`guard.py`);
`buffer` collects the whole answer, validates, then replays the original events (or the
replacement); `passthrough` streams live, validates at the end and can only flag (a trailing
SSE comment and the review queue) or end with an error event (`passthrough_on_failure`).

Other layers see the outcome as typed facts: `ctx.verdict` (validated, grounding failed,
outcome, regenerations) and `resp.cacheable = False` on an answer that failed; the answer
checked is the attempt's one assembly (`resp.assembly`), and a guarded stream's
`resp.assembly` is the answer it delivered. A regeneration is an attempt with cause
`regeneration` in the ledger, so budgets reserve and charge it like any other; a refused one
(`AttemptRefused`) means: decide on the answer there is.
"""
from __future__ import annotations

from .config import Override, ValidateConfig, ValidatorEntry
from .plugin import Validate

__all__ = ["Override", "Validate", "ValidateConfig", "ValidatorEntry"]
