"""R6 against a real SMTP server (aiosmtpd): nothing lost while it is down, each mail
delivered exactly once when it is back, nothing sent for a change that rolled back."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from summit import mail
from summit.extensions import db
from summit.models import EventKind, MailStatus, OutboxEmail, utcnow
from summit.services import registration as reg
from summit.services.outbox import queue_mail
from tests.conftest import SmtpCatcher, login


@pytest.fixture
def mail_app(app: Flask, smtp_server: SmtpCatcher) -> Flask:
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_USE_TLS=False,
        MAIL_USE_SSL=False,
        MAIL_USERNAME=None,
    )
    return app


def burst(make_summit, make_user, n: int) -> None:
    summit = make_summit(design_capacity=5, design_open=3)
    event = summit.event(EventKind.DESIGN_SUMMIT)
    assert event is not None
    users = [make_user(email=f"dev{i}@example.org") for i in range(n)]
    db.session.commit()
    for user in users:
        reg.register(user.id, event.id)
        db.session.commit()


def status_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)
    ).all()
    return {str(s): int(n) for s, n in rows}


def test_r6_smtp_down_during_a_burst_loses_nothing_and_sends_each_once(
    mail_app: Flask, smtp_server: SmtpCatcher, make_summit, make_user
) -> None:
    smtp_server.stop()
    burst(make_summit, make_user, 20)
    report = mail.send_due(mail_app)
    assert (report.sent, report.retrying) == (0, 20)
    assert status_counts() == {"pending": 20}
    failing = db.session.scalars(select(OutboxEmail)).first()
    assert failing is not None
    assert failing.attempts == 1
    assert "Connection refused" in failing.last_error or "Errno" in failing.last_error
    # Back-off: nothing is tried again before its time.
    assert mail.send_due(mail_app).sent == 0
    smtp_server.start()
    later = utcnow() + mail.backoff(1) + timedelta(seconds=1)
    assert mail.send_due(mail_app, now=later).sent == 20
    assert mail.send_due(mail_app, now=later + timedelta(hours=3)).sent == 0
    recipients = sorted(rcpt for m in smtp_server.messages for rcpt in m.rcpt_tos)
    assert recipients == sorted(f"dev{i}@example.org" for i in range(20))
    assert status_counts() == {"sent": 20}


def test_m1_mail_has_date_message_id_named_sender_and_text_and_html_parts(
    mail_app: Flask, smtp_server: SmtpCatcher, make_summit, make_user
) -> None:
    burst(make_summit, make_user, 4)
    mail.send_due(mail_app)
    by_rcpt = {
        m.rcpt_tos[0]: message_from_bytes(m.content, policy=policy.default)
        for m in smtp_server.messages
    }
    confirmed, waiting = by_rcpt["dev0@example.org"], by_rcpt["dev3@example.org"]
    for message in by_rcpt.values():
        assert message.get_content_type() == "multipart/alternative"
        assert parsedate_to_datetime(message["Date"]).tzinfo is not None
        assert re.fullmatch(r"<outbox-\d+@summit\.localhost>", message["Message-ID"])
        assert message["From"].addresses[0].display_name == "Diablo Design Summit"
        assert message["From"].addresses[0].addr_spec == "summit@summit.localhost"
        assert message.get_body(("plain",)) is not None
        assert message.get_body(("html",)) is not None
    assert "Design Summit: your seat is confirmed" in confirmed["Subject"]
    text = waiting.get_body(("plain",)).get_content()
    html = waiting.get_body(("html",)).get_content()
    assert "waiting list, at position 1" in text
    assert "at position <strong>1</strong>" in html
    assert "Design Summit of Diablo Design Summit" in text
    assert "http://summit.test/my/registrations" in text
    assert 'href="http://summit.test/my/registrations"' in html


def test_m1_mail_from_keeps_a_configured_display_name(
    mail_app: Flask, smtp_server: SmtpCatcher, make_summit, make_user
) -> None:
    mail_app.config["MAIL_FROM"] = "Diablo Team <team@diablo.example>"
    burst(make_summit, make_user, 1)
    mail.send_due(mail_app)
    message = message_from_bytes(smtp_server.messages[0].content, policy=policy.default)
    assert str(message["From"]) == "Diablo Team <team@diablo.example>"


def test_r6_failed_after_max_attempts_is_shown_and_can_be_retried(
    mail_app: Flask, client: FlaskClient, smtp_server: SmtpCatcher, make_summit, make_user
) -> None:
    smtp_server.stop()
    burst(make_summit, make_user, 1)
    now = utcnow()
    for _ in range(mail.MAX_ATTEMPTS):
        mail.send_due(mail_app, now=now)
        now += mail.LONGEST_RETRY + timedelta(seconds=1)
    assert status_counts() == {"failed": 1}
    organizer = make_user(is_organizer=True)
    db.session.commit()
    login(client, organizer)
    page = client.get("/organizer/mail").get_data(as_text=True)
    assert '<dd id="mail-failed">1</dd>' in page
    assert "dev0@example.org" in page
    client.post("/organizer/mail/retry")
    smtp_server.start()
    assert mail.send_due(mail_app).sent == 1
    assert len(smtp_server.messages) == 1


def test_r6_two_senders_at_once_deliver_each_mail_once(
    mail_app: Flask, smtp_server: SmtpCatcher, make_summit, make_user
) -> None:
    burst(make_summit, make_user, 30)

    def sender() -> None:
        with mail_app.app_context():
            mail.send_due(mail_app)
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recipients = [rcpt for m in smtp_server.messages for rcpt in m.rcpt_tos]
    assert len(recipients) == len(set(recipients)) == 30


def test_r6_send_mail_command(
    mail_app: Flask, smtp_server: SmtpCatcher, runner, make_summit, make_user
) -> None:
    burst(make_summit, make_user, 2)
    result = runner.invoke(args=["summit", "send-mail"])
    assert result.exit_code == 0, result.output
    assert "2 sent" in result.output
    assert len(smtp_server.messages) == 2
    assert status_counts() == {MailStatus.SENT.value: 2}


def test_m2_smtp_refusing_for_ten_minutes_shows_a_banner_then_each_mail_arrives_once(
    mail_app: Flask, client: FlaskClient, smtp_server: SmtpCatcher, make_summit, make_user
) -> None:
    organizer = make_user(is_organizer=True)
    db.session.commit()
    login(client, organizer)
    smtp_server.stop()
    burst(make_summit, make_user, 5)
    assert mail.send_due(mail_app).retrying == 5
    assert 'id="mail-failing"' not in client.get("/organizer/").get_data(as_text=True)
    # Ten minutes later, still refused.
    db.session.execute(update(OutboxEmail).values(created_at=utcnow() - timedelta(minutes=11)))
    db.session.commit()
    dashboard = client.get("/organizer/").get_data(as_text=True)
    assert 'id="mail-failing"' in dashboard
    page = client.get("/organizer/mail").get_data(as_text=True)
    assert 'id="mail-failing"' in page
    assert "ConnectionRefusedError" in page or "Errno" in page
    smtp_server.start()
    later = utcnow() + mail.LONGEST_RETRY
    assert mail.send_due(mail_app, now=later).sent == 5
    assert mail.send_due(mail_app, now=later + timedelta(hours=3)).sent == 0
    recipients = [r for m in smtp_server.messages for r in m.rcpt_tos]
    assert sorted(recipients) == sorted(set(recipients)) and len(recipients) == 5
    assert 'id="mail-failing"' not in client.get("/organizer/").get_data(as_text=True)


def test_m2_outbox_page_paginates_filters_and_retries_one_row(
    mail_app: Flask, client: FlaskClient, make_user
) -> None:
    for i in range(55):
        queue_mail(f"p{i}@example.org", f"Mail {i}", "Body.")
    db.session.commit()
    failed_ids = [1, 2, 3]
    db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id.in_(failed_ids))
        .values(status=MailStatus.FAILED, attempts=8, last_error="SMTPDataError: 554 no")
    )
    organizer, attendee = make_user(is_organizer=True), make_user()
    db.session.commit()
    login(client, attendee)
    assert client.get("/organizer/mail").status_code in (302, 403)
    assert client.post("/organizer/mail/retry", data={"mail_id": 1}).status_code in (302, 403)
    client.post("/logout")
    login(client, organizer)
    first = client.get("/organizer/mail").get_data(as_text=True)
    assert first.count('<tr id="mail-') == 50
    assert 'rel="next"' in first
    second = client.get("/organizer/mail?page=2").get_data(as_text=True)
    assert second.count('<tr id="mail-') == 5
    only_failed = client.get("/organizer/mail?status=failed").get_data(as_text=True)
    assert only_failed.count('<tr id="mail-') == 3
    assert "SMTPDataError: 554 no" in only_failed
    assert "p0@example.org" in only_failed
    client.post("/organizer/mail/retry", data={"mail_id": 2})
    db.session.rollback()
    statuses = dict(db.session.execute(select(OutboxEmail.id, OutboxEmail.status)).all())
    assert [statuses[i] for i in failed_ids] == ["failed", "pending", "failed"]
    client.post("/organizer/mail/retry")
    db.session.rollback()
    assert status_counts() == {"pending": 55}


def test_m2_outbox_retry_needs_the_csrf_token(database_url: str, app: Flask, make_user) -> None:
    from summit import create_app
    from tests.conftest import PASSWORD, config_for

    organizer = make_user(is_organizer=True)
    db.session.commit()
    guarded = create_app(config_for(database_url, WTF_CSRF_ENABLED=True))
    client = guarded.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    client.post(
        "/login",
        data={"email": organizer.email, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    try:
        assert client.post("/organizer/mail/retry").status_code == 400
    finally:
        with guarded.app_context():
            db.session.remove()
            db.engine.dispose()
