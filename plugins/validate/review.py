"""The human review queue: answers that failed validation, for a person to look at.

Records live in `services.state.journal("review")`: a Redis stream when Redis is the state
backend, an append-only JSONL file (`<data_dir>/review.jsonl`) otherwise. Each record holds
the request id, who asked (key id and name, team, end user; never the key itself), the
model and provider, the validators that failed and their issues, the answer (bounded),
what Bulwark did (flag / block / fallback), timestamps and a status (`open` -> `resolved`).

Readers: `bulwark review list|show|resolve` and the admin API of the validate plugin
(`GET /admin/review`, `GET /admin/review/{id}`, `POST /admin/review/{id}/resolve`).
"""
from __future__ import annotations

import time
from typing import Any

from proxy.state.base import Journal, StateBackend

JOURNAL = "review"
STATUSES = ("open", "resolved")


def review_record(
    ctx: Any,
    *,
    action: str,
    issues: list[str],
    validators: list[str],
    answers: list[dict[str, Any]],
    model: str | None = None,
    provider: str | None = None,
    regenerations: int = 0,
    stream: bool = False,
) -> dict[str, Any]:
    ident = getattr(ctx, "identity", None)
    return {
        "request_id": getattr(ctx, "request_id", None),
        "key_id": getattr(ident, "key_id", None),
        "key_name": getattr(ident, "key_name", None),
        "team": getattr(ident, "team", None),
        "user": getattr(ident, "user", None),
        "model": model,
        "provider": provider,
        "action": action,
        "validators": validators,
        "issues": issues[:50],
        "answers": answers,
        "regenerations": regenerations,
        "stream": stream,
        "status": "open",
        "created_at": time.time(),
    }


class ReviewQueue:
    def __init__(self, state: StateBackend, name: str = JOURNAL) -> None:
        self.journal: Journal = state.journal(name)

    async def add(self, record: dict[str, Any]) -> str:
        return await self.journal.append(record)

    async def list(self, limit: int = 100, status: str | None = None) -> list[dict[str, Any]]:
        return await self.journal.list(limit=limit, status=status)

    async def get(self, record_id: str) -> dict[str, Any] | None:
        return await self.journal.get(record_id)

    async def resolve(self, record_id: str, note: str | None = None, by: str | None = None, resolution: str | None = None) -> dict[str, Any] | None:
        fields: dict[str, Any] = {"status": "resolved", "resolved_at": time.time()}
        if note:
            fields["note"] = note
        if by:
            fields["resolved_by"] = by
        if resolution:
            fields["resolution"] = resolution
        if not await self.journal.update(record_id, fields):
            return None
        return await self.journal.get(record_id)


def summary_line(rec: dict[str, Any]) -> str:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(float(rec.get("created_at") or 0)))
    issues = rec.get("issues") or []
    first = issues[0] if issues else ""
    more = f" (+{len(issues) - 1})" if len(issues) > 1 else ""
    who = rec.get("key_name") or rec.get("key_id") or "?"
    return f"{rec.get('id')}  {when}  {rec.get('status', '?'):8}  {rec.get('action', '?'):8}  {who:12}  {rec.get('model') or '-':16}  {first[:80]}{more}"
