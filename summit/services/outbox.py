"""Writing mail to the outbox, in the caller's transaction (R6)."""

from __future__ import annotations

from typing import cast

from flask import current_app
from sqlalchemy import Table, insert

from summit.extensions import db
from summit.models import OutboxEmail

# A Core insert built once: the outbox row is written on every registration, and an ORM
# flush of it would cost more Python than the rest of the write.
_QUEUE = insert(cast(Table, OutboxEmail.__table__))


def queue_mail(to_addr: str, subject: str, body: str) -> None:
    """Add a mail to the outbox; it is sent only if the caller's transaction commits."""
    db.session.execute(_QUEUE, _row(to_addr, subject, body))


def queue_mails(mails: list[tuple[str, str, str]]) -> None:
    """Add many mails (address, subject, body) to the outbox in one batched statement."""
    if mails:
        db.session.execute(_QUEUE, [_row(*mail) for mail in mails])


def _row(to_addr: str, subject: str, body: str) -> dict[str, str]:
    footer = f"\n\n-- \nSummit · {current_app.config['BASE_URL']}\n"
    return {"to_addr": to_addr, "subject": subject[:200], "body": body + footer}
