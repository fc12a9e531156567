"""The outbox sender (R6, M1, M2): delivers committed mail over SMTP, retrying with back-off.

A row is claimed one at a time by moving its next attempt a lease into the future: on
PostgreSQL with `FOR UPDATE SKIP LOCKED` (workers on several machines skip each other's
rows), on SQLite with a guarded update. It is marked sent only after the server accepted it.
Every row runs in its own guard: whatever goes wrong is written on that row, logged with its
id, and retried later; it never stops the sender.
"""

from __future__ import annotations

import contextlib
import smtplib
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from flask import Flask
from sqlalchemy import and_, func, select, update

from summit.extensions import db
from summit.models import MailStatus, OutboxEmail, utcnow

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=2)
LEASE = timedelta(minutes=2)  # default; MAIL_LEASE_SECONDS overrides it
FAILING_BANNER_AFTER = timedelta(minutes=10)


class BadMessage(ValueError):
    """The row can never be sent as it stands (a broken address): failed at once."""


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... doubling after each failed attempt, at most two hours."""
    delay: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, LONGEST_RETRY)


@dataclass(frozen=True)
class SendReport:
    sent: int
    retrying: int
    failed: int


def one_line(value: str) -> str:
    """What goes into a header: every run of whitespace and control characters is one space,
    so nothing a user typed can start a header of its own."""
    cleaned = "".join(c if c.isprintable() else " " for c in value)
    return " ".join(cleaned.split())


def _recipient(to_addr: str) -> Address:
    if to_addr != one_line(to_addr) or " " in to_addr or to_addr.count("@") != 1:
        raise BadMessage(f"not a single mail address: {to_addr!r}"[:200])
    local, domain = to_addr.split("@")
    if not local or not domain:
        raise BadMessage(f"not a single mail address: {to_addr!r}"[:200])
    return Address(addr_spec=to_addr)


def sender(app: Flask, summit_name: str = "") -> str:
    """SUMMIT_MAIL_FROM as it is when it has a display name; else "<summit name> <address>"."""
    name, address = parseaddr(app.config["MAIL_FROM"])
    return formataddr((one_line(name or summit_name or "Summit"), address))


def build_message(app: Flask, mail: OutboxEmail, *, now: datetime | None = None) -> EmailMessage:
    """The message for an outbox row: Date, Message-ID, From with a name, text and HTML."""
    message = EmailMessage(policy=policy.default)
    message["From"] = sender(app, mail.from_name)
    message["To"] = _recipient(mail.to_addr)
    message["Subject"] = one_line(mail.subject)
    message["Date"] = format_datetime(now or utcnow())
    message["Message-ID"] = f"<outbox-{mail.id}@{one_line(app.config['SERVER_NAME_FOR_IDS'])}>"
    message.set_content(mail.body)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message


def _connect(app: Flask) -> smtplib.SMTP:
    host, port = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    smtp: smtplib.SMTP
    if app.config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=10)
    else:
        smtp = smtplib.SMTP(host, port, timeout=10)
        if app.config["MAIL_USE_TLS"]:
            smtp.starttls()
    if app.config["MAIL_USERNAME"]:
        smtp.login(app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"] or "")
    return smtp


def _lease(app: Flask) -> timedelta:
    return timedelta(seconds=float(app.config.get("MAIL_LEASE_SECONDS", LEASE.total_seconds())))


def _claim_next(app: Flask, now: datetime, after_id: int) -> int | None:
    """Take the next due row (id above `after_id`) for one lease; None when there is none."""
    due = and_(
        OutboxEmail.status == MailStatus.PENDING,
        OutboxEmail.next_attempt_at <= now,
        OutboxEmail.id > after_id,
    )
    lease_end = now + _lease(app)
    if db.engine.dialect.name == "postgresql":
        pick = (
            select(OutboxEmail.id)
            .where(due)
            .order_by(OutboxEmail.id)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        claimed = db.session.scalar(
            update(OutboxEmail)
            .where(OutboxEmail.id == pick)
            .values(next_attempt_at=lease_end)
            .returning(OutboxEmail.id)
        )
        db.session.commit()
        return claimed
    while True:
        candidate = db.session.scalar(select(OutboxEmail.id).where(due).order_by(OutboxEmail.id))
        if candidate is None:
            db.session.commit()
            return None
        result = db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == candidate, due)
            .values(next_attempt_at=lease_end)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if result.rowcount == 1:  # type: ignore[attr-defined]
            return candidate
        after_id = candidate  # another sender took it


def _record_failure(app: Flask, mail_id: int, error: BaseException, now: datetime) -> str:
    """Write the error on the row; retry later, or give up. Returns the row's new state."""
    db.session.rollback()
    mail = db.session.get(OutboxEmail, mail_id)
    if mail is None:
        return "gone"
    mail.attempts += 1
    mail.last_error = f"{type(error).__name__}: {error}"[:500]
    if isinstance(error, BadMessage) or mail.attempts >= MAX_ATTEMPTS:
        mail.status = MailStatus.FAILED
        state = "failed"
    else:
        mail.next_attempt_at = now + backoff(mail.attempts)
        state = "retrying"
    db.session.commit()
    app.logger.warning(
        "mail %s to %s: attempt %s %s: %s",
        mail_id,
        mail.to_addr,
        mail.attempts,
        "failed for good" if state == "failed" else "failed, will retry",
        mail.last_error,
    )
    return state


def send_due(app: Flask, *, now: datetime | None = None, batch: int = 200) -> SendReport:
    """Deliver pending mail whose time has come, one row at a time. Needs an app context."""
    now = now or utcnow()
    sent = retrying = failed = 0
    smtp: smtplib.SMTP | None = None
    last_id = 0
    try:
        for _ in range(batch):
            mail_id = _claim_next(app, now, last_id)
            if mail_id is None:
                break
            last_id = mail_id
            try:
                mail = db.session.get(OutboxEmail, mail_id)
                if mail is None:
                    continue
                message = build_message(app, mail)
                if smtp is None:
                    smtp = _connect(app)
                smtp.send_message(message)
            except Exception as error:  # each row in its own guard (M2)
                if not isinstance(error, BadMessage) and smtp is not None:
                    with contextlib.suppress(Exception):
                        smtp.close()
                    smtp = None
                state = _record_failure(app, mail_id, error, now)
                failed += state == "failed"
                retrying += state == "retrying"
                continue
            mail.status, mail.sent_at = MailStatus.SENT, utcnow()
            mail.attempts += 1
            mail.last_error = ""
            db.session.commit()
            sent += 1
    finally:
        if smtp is not None:
            with contextlib.suppress(Exception):
                smtp.quit()
    return SendReport(sent=sent, retrying=retrying, failed=failed)


def retry_failed(mail_ids: list[int] | None = None) -> int:
    """An organizer sends failed mail again: back to pending, attempts from zero."""
    query = update(OutboxEmail).where(OutboxEmail.status == MailStatus.FAILED)
    if mail_ids is not None:
        query = query.where(OutboxEmail.id.in_(mail_ids))
    result = db.session.execute(
        query.values(
            status=MailStatus.PENDING, attempts=0, next_attempt_at=utcnow(), last_error=""
        ).execution_options(synchronize_session=False)
    )
    return result.rowcount  # type: ignore[attr-defined,no-any-return]


def failing_since(now: datetime | None = None) -> datetime | None:
    """When delivery started failing, if nothing has gone out for the banner's delay while a
    mail at least that old waits after a failed attempt (or gave up); else None."""
    now = now or utcnow()
    cutoff = now - FAILING_BANNER_AFTER
    oldest = db.session.scalar(
        select(func.min(OutboxEmail.created_at)).where(
            OutboxEmail.last_error != "",
            OutboxEmail.status.in_([MailStatus.PENDING, MailStatus.FAILED]),
        )
    )
    if oldest is None or oldest > cutoff:
        return None
    last_sent = db.session.scalar(select(func.max(OutboxEmail.sent_at)))
    if last_sent is not None and last_sent > cutoff:
        return None
    return oldest


def send_loop(
    app: Flask,
    interval: float = 2.0,
    *,
    stop_after: float | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Keep sending until interrupted, `stop` is set, or `stop_after` seconds have passed.
    A round that fails as a whole (the database is away) is logged and the loop goes on."""
    started = time.monotonic()
    stop = stop or threading.Event()
    while not stop.is_set() and (stop_after is None or time.monotonic() - started < stop_after):
        report = SendReport(0, 0, 0)
        try:
            with app.app_context():
                try:
                    report = send_due(app)
                finally:
                    db.session.remove()
        except Exception:
            app.logger.exception("mail: the round failed; trying again")
        if report.sent or report.failed:
            app.logger.info(
                "mail: %s sent, %s retrying, %s failed", report.sent, report.retrying, report.failed
            )
        if not report.sent:  # a full round may leave more due at once
            stop.wait(interval)
