"""The audit log: every organizer action, who did it and when."""

from __future__ import annotations

from summit.extensions import db
from summit.models import AuditEntry


def record(actor_id: int | None, action: str, target: str = "", detail: str = "") -> None:
    db.session.add(AuditEntry(actor_id=actor_id, action=action, target=target, detail=detail))
