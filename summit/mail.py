"""The outbox sender (R6): delivers committed mail over SMTP, retrying with back-off.

A row is claimed with a guarded update (it moves its next attempt into the future), so two
senders never deliver the same row; it is marked sent only after the server accepted it.
"""

from __future__ import annotations

import contextlib
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import Flask
from sqlalchemy import select, update

from summit.extensions import db
from summit.models import MailStatus, OutboxEmail, utcnow

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=2)
LEASE = timedelta(minutes=5)  # a claimed row is left alone this long by other senders


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... doubling after each failed attempt, at most two hours."""
    delay: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, LONGEST_RETRY)


@dataclass(frozen=True)
class SendReport:
    sent: int
    retrying: int
    failed: int


def _message(app: Flask, mail: OutboxEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = app.config["MAIL_FROM"]
    message["To"] = mail.to_addr
    message["Subject"] = mail.subject
    message["Message-ID"] = f"<outbox-{mail.id}@{app.config['SERVER_NAME_FOR_IDS']}>"
    message.set_content(mail.body)
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


def _claim(mail_id: int, now: datetime) -> bool:
    result = db.session.execute(
        update(OutboxEmail)
        .where(
            OutboxEmail.id == mail_id,
            OutboxEmail.status == MailStatus.PENDING,
            OutboxEmail.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def send_due(app: Flask, *, now: datetime | None = None, batch: int = 200) -> SendReport:
    """Deliver every pending mail whose time has come. Runs inside an app context."""
    now = now or utcnow()
    due = db.session.scalars(
        select(OutboxEmail.id)
        .where(OutboxEmail.status == MailStatus.PENDING, OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.id)
        .limit(batch)
    ).all()
    db.session.commit()
    sent = retrying = failed = 0
    smtp: smtplib.SMTP | None = None
    try:
        for mail_id in due:
            if not _claim(mail_id, now):
                continue  # another sender has it
            mail = db.session.get(OutboxEmail, mail_id)
            if mail is None:
                continue
            try:
                smtp = smtp or _connect(app)
                smtp.send_message(_message(app, mail))
            except (OSError, smtplib.SMTPException) as error:
                smtp = None
                mail.attempts += 1
                mail.last_error = f"{type(error).__name__}: {error}"[:500]
                if mail.attempts >= MAX_ATTEMPTS:
                    mail.status = MailStatus.FAILED
                    failed += 1
                else:
                    mail.next_attempt_at = now + backoff(mail.attempts)
                    retrying += 1
            else:
                mail.status, mail.sent_at = MailStatus.SENT, utcnow()
                mail.attempts += 1
                sent += 1
            db.session.commit()
    finally:
        if smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
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


def send_loop(app: Flask, interval: float = 2.0, *, stop_after: float | None = None) -> None:
    """Keep sending until interrupted (or for `stop_after` seconds)."""
    started = time.monotonic()
    while stop_after is None or time.monotonic() - started < stop_after:
        with app.app_context():
            report = send_due(app)
            db.session.remove()
        if report.sent or report.failed:
            app.logger.info(
                "mail: %s sent, %s retrying, %s failed", report.sent, report.retrying, report.failed
            )
        time.sleep(interval)
