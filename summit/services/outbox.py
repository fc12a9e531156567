"""Writing mail to the outbox, in the caller's transaction (R6)."""

from __future__ import annotations

from flask import current_app

from summit.extensions import db
from summit.models import OutboxEmail


def queue_mail(to_addr: str, subject: str, body: str) -> OutboxEmail:
    """Add a mail to the outbox; it is sent only if the caller's transaction commits."""
    footer = f"\n\n-- \nSummit · {current_app.config['BASE_URL']}\n"
    mail = OutboxEmail(to_addr=to_addr, subject=subject[:200], body=body + footer)
    db.session.add(mail)
    return mail
