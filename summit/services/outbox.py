"""Writing mail to the outbox, in the caller's transaction (R6).

`summit.notifications` is where mails are worded; it writes its rows through `queue_rows`.
`queue_mail` stays for a plain-text mail written elsewhere (it adds the footer).
"""

from __future__ import annotations

from typing import TypedDict, cast

from flask import current_app
from sqlalchemy import Table, insert

from summit.extensions import db
from summit.models import OutboxEmail

# A Core insert built once: the outbox row is written on every registration, and an ORM
# flush of it would cost more Python than the rest of the write.
_QUEUE = insert(cast(Table, OutboxEmail.__table__))


class MailRow(TypedDict):
    to_addr: str
    subject: str
    body: str
    html: str
    kind: str
    from_name: str


def queue_rows(rows: list[MailRow]) -> None:
    """Add rendered mails to the outbox in one batched statement; they are sent only if the
    caller's transaction commits."""
    if rows:
        db.session.execute(_QUEUE, rows)


def queue_mail(to_addr: str, subject: str, body: str) -> None:
    """Add a plain-text mail to the outbox; it is sent only if the caller's transaction commits."""
    queue_rows([_row(to_addr, subject, body)])


def queue_mails(mails: list[tuple[str, str, str]]) -> None:
    """Add many plain-text mails (address, subject, body) in one batched statement."""
    queue_rows([_row(*mail) for mail in mails])


def _row(to_addr: str, subject: str, body: str) -> MailRow:
    footer = f"\n\n-- \nSummit · {current_app.config['BASE_URL']}\n"
    return MailRow(
        to_addr=to_addr, subject=subject[:200], body=body + footer, html="", kind="", from_name=""
    )
