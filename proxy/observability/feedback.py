"""`POST /v1/feedback {"id": <completion id or x-request-id>, "rating": 1-5, "comment"?}`.

Needs a client key like any /v1 call. The id must be one Bulwark saw on a successful answer
(the completion id, Bulwark's `x-request-id`, or the upstream's when it was relayed) within
`telemetry.stats.feedback_ttl_days`, answered to the same client key; otherwise 404. The
rating feeds the satisfaction metric; the record (rating, comment, key id, time) is kept in
the state backend under the request id for the same number of days.
"""
from __future__ import annotations

import re
import time
from typing import Any

import orjson
from aiohttp import web

from ..context import new_request_id, parse_json_object
from ..edge import error_response
from ..errors import BadRequest, NotFound, PayloadTooLarge, ProxyError
from .stats import id_key

ID_RE = re.compile(r"^(?:req_[A-Za-z0-9]{8,64}|(?:chatcmpl|cmpl|msg|resp|gen)[-_][A-Za-z0-9_.-]{1,160})$")
MAX_BODY = 16 * 1024
MAX_COMMENT = 4000


def feedback_key(request_id: str) -> str:
    return f"{{obs}}:fb:{request_id}"


def validate(body: dict[str, Any]) -> tuple[str, int, str | None]:
    fid = body.get("id")
    if not isinstance(fid, str) or not fid:
        raise BadRequest("Missing `id`: give the completion id (`chatcmpl-...`) or the `x-request-id` of the answer you rate.",
                         param="id", code="missing_required_parameter")
    if not ID_RE.match(fid):
        raise BadRequest(f"`id` {fid[:80]!r} is neither a completion id (chatcmpl-..., cmpl-..., msg_...) nor a request id (req_...).",
                         param="id", code="invalid_id")
    rating = body.get("rating")
    if isinstance(rating, bool) or not isinstance(rating, (int, float)) or rating != int(rating) or not 1 <= rating <= 5:
        raise BadRequest(f"`rating` must be an integer from 1 to 5, got {rating!r}.", param="rating", code="invalid_rating")
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise BadRequest("`comment` must be a string.", param="comment")
    if comment is not None and len(comment) > MAX_COMMENT:
        raise BadRequest(f"`comment` is longer than {MAX_COMMENT} characters.", param="comment")
    return fid, int(rating), comment


async def lookup(tel: Any, fid: str) -> str | None:
    """'<request id> <key id>' for a known id (the unflushed local buffer first)."""
    st = tel.stats
    pending = (st._ids.get(fid) or st.known_ids.get(fid)) if st is not None else None
    if pending:
        return pending
    raw = await tel.services.state.get(id_key(fid))
    return raw.decode() if isinstance(raw, bytes) else raw


async def handle_feedback(tel: Any, request: web.Request) -> web.StreamResponse:
    rid = new_request_id()
    try:
        gen = request.app["bulwark"].current
        identity, _ = await gen.auth.identify(request.headers, request.remote)
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise PayloadTooLarge(f"A feedback body may be at most {MAX_BODY} bytes.")
        raw = await request.content.read(MAX_BODY + 1)
        if len(raw) > MAX_BODY:
            raise PayloadTooLarge(f"A feedback body may be at most {MAX_BODY} bytes.")
        fid, rating, comment = validate(parse_json_object(raw))
        found = await lookup(tel, fid)
        req_id, _, key_id = (found or "").partition(" ")
        if not found or key_id != identity.key_id:
            days = tel.cfg.stats.feedback_ttl_days
            raise NotFound(f"No answer with id {fid!r} is known to this Bulwark for your key (ids can be rated for {days:g} days "
                           "after a successful answer).", param="id", code="unknown_id")
        state = tel.services.state
        key = feedback_key(req_id)
        prev_raw = await state.get(key)
        prev = None
        if prev_raw:
            try:
                prev = orjson.loads(prev_raw).get("rating")
            except (orjson.JSONDecodeError, AttributeError):
                prev = None
        rec = {"request_id": req_id, "id": fid, "rating": rating, "comment": comment, "key_id": key_id, "at": time.time()}
        await state.set(key, orjson.dumps(rec), ttl=tel.cfg.stats.feedback_ttl_days * 86400)
        if tel.stats is not None:
            if isinstance(prev, int):
                tel.stats.add({"fbk_sum": float(rating - prev)})
            else:
                tel.stats.add({"fbk_n": 1.0, "fbk_sum": float(rating)})
        if not isinstance(prev, int):
            tel.metrics.observe("bulwark_feedback_rating", float(rating))
        return web.json_response({"object": "feedback", "id": fid, "request_id": req_id, "rating": rating, "updated": isinstance(prev, int)},
                                 headers={"x-request-id": rid})
    except ProxyError as exc:
        return error_response(exc, None, rid)
