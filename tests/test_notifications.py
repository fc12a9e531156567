"""R6 change by change, and M1's words: every state change that concerns a person leaves
exactly one outbox row for each right person when it commits, and none when it rolls back;
the moved mail says from → to and tells a starrer of their new clashes."""

from __future__ import annotations

from collections.abc import Callable
from email import message_from_bytes, policy
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from summit import mail
from summit.extensions import db
from summit.models import (
    ClaimStatus,
    DesignSession,
    Event,
    EventKind,
    OutboxEmail,
    PriorityClass,
    PublishedSession,
    Registration,
    SeatPolicy,
    Summit,
    User,
    utcnow,
)
from summit.services import accounts, scheduling
from summit.services import registration as reg
from tests.conftest import SmtpCatcher
from tests.factories import build_published

Change = Callable[[], Any]
Expected = list[tuple[str, str]]  # (kind, recipient)
Scenario = Callable[[Callable[..., Summit], Callable[..., User]], tuple[Change, Expected]]


def design(summit: Summit) -> Event:
    event = summit.event(EventKind.DESIGN_SUMMIT)
    assert event is not None
    return event


def registered(event: Event, user: User) -> Registration:
    registration = db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.user_id == user.id
        )
    )
    assert registration is not None
    return registration


def full_event(make_summit: Callable[..., Summit], make_user: Callable[..., User], **kw: Any):
    """One seat, taken by `seated`; `waiting` is on the list."""
    summit = make_summit(design_capacity=1, design_open=1, **kw)
    event = design(summit)
    seated, waiting = make_user(), make_user()
    db.session.commit()
    reg.register(seated.id, event.id)
    reg.register(waiting.id, event.id)
    db.session.commit()
    return event, seated, waiting


def confirmed(make_summit, make_user):
    event, user = design(make_summit()), make_user()
    db.session.commit()
    return lambda: reg.register(user.id, event.id), [("seat_confirmed", user.email)]


def waitlisted(make_summit, make_user):
    event, _, _ = full_event(make_summit, make_user)
    late = make_user()
    db.session.commit()
    return lambda: reg.register(late.id, event.id), [("seat_waitlisted", late.email)]


def organizer_confirmed(make_summit, make_user):
    event, _, waiting = full_event(make_summit, make_user)
    event.capacity += 1
    organizer = make_user(is_organizer=True)
    db.session.commit()
    entry = registered(event, waiting).id
    return (
        lambda: reg.confirm_entries(organizer.id, event.id, [entry]),
        [("seat_confirmed", waiting.email)],
    )


def promoted(make_summit, make_user):
    event, seated, waiting = full_event(make_summit, make_user, policy=SeatPolicy.AUTO)
    seat = registered(event, seated).id
    return (
        lambda: reg.cancel(seated.id, seat),
        [("seat_cancelled", seated.email), ("seat_promoted", waiting.email)],
    )


def cancelled(make_summit, make_user):
    event, seated, _ = full_event(make_summit, make_user)  # review: the seat goes to the pool
    seat = registered(event, seated).id
    return lambda: reg.cancel(seated.id, seat), [("seat_cancelled", seated.email)]


def left_the_list(make_summit, make_user):
    event, _, waiting = full_event(make_summit, make_user)
    entry = registered(event, waiting).id
    return lambda: reg.cancel(waiting.id, entry), [("waitlist_left", waiting.email)]


def declined(make_summit, make_user):
    event, _, waiting = full_event(make_summit, make_user)
    organizer = make_user(is_organizer=True)
    db.session.commit()
    entry = registered(event, waiting).id
    return (
        lambda: reg.decline(organizer.id, entry, "The room is small."),
        [("seat_declined", waiting.email)],
    )


def _claimant(make_user):
    user = make_user(claim=PriorityClass.CORE, claim_status=ClaimStatus.PENDING)
    organizer = make_user(is_organizer=True)
    db.session.commit()
    return user, organizer


def claim_verified(make_summit, make_user):
    user, organizer = _claimant(make_user)
    return (
        lambda: accounts.decide_claim(organizer.id, user.id, verify=True),
        [("claim_verified", user.email)],
    )


def claim_declined(make_summit, make_user):
    user, organizer = _claimant(make_user)
    return (
        lambda: accounts.decide_claim(organizer.id, user.id, verify=False, note="Not a core dev"),
        [("claim_declined", user.email)],
    )


def session_scheduled(make_summit, make_user):
    published = build_published(make_summit, make_user)
    summit, lead = published.summit, make_user(name="New Lead")
    rooms = {r.slug: r for r in summit.rooms}
    db.session.add(
        DesignSession(
            summit_id=summit.id,
            track_id=summit.tracks[0].id,
            lead_id=lead.id,
            title="A late session",
            length_slots=1,
            day_id=summit.design_days[2].id,
            start_slot=3,
            room_id=rooms["ballroom-a"].id,
        )
    )
    db.session.commit()
    return (
        lambda: scheduling.publish(published.organizer.id, summit.id),
        [("session_scheduled", lead.email)],
    )


def _move_session_3(published: Any) -> int:
    """Swift auth middleware (day 2, after lunch, Winchester) → day 1, slot 1, Winchester,
    beside the fan's other stars (sessions 2 and 5)."""
    summit, session = published.summit, published.sessions[3]
    winchester = next(r for r in summit.rooms if r.slug == "winchester")
    scheduling.move(
        published.organizer.id,
        summit.id,
        session.id,
        day_id=summit.design_days[0].id,
        slot=1,
        room_id=winchester.id,
    )
    db.session.commit()
    return scheduling.publish(published.organizer.id, summit.id)


def session_moved(make_summit, make_user):
    published = build_published(make_summit, make_user)
    return (
        lambda: _move_session_3(published),
        [("session_moved", published.leads[3].email), ("session_moved", published.fan.email)],
    )


def session_cancelled(make_summit, make_user):
    published = build_published(make_summit, make_user)
    session = published.sessions[2]

    def cancel_and_publish() -> None:
        # P4: a cancellation reaches people with the next release.
        scheduling.set_cancelled(published.organizer.id, published.summit.id, session.id, True)
        scheduling.publish(published.organizer.id, published.summit.id)

    return (
        cancel_and_publish,
        [
            ("session_cancelled", published.leads[2].email),
            ("session_cancelled", published.fan.email),
        ],
    )


SCENARIOS: dict[str, Scenario] = {
    "confirmed": confirmed,
    "waitlisted": waitlisted,
    "organizer_confirmed": organizer_confirmed,
    "promoted": promoted,
    "cancelled": cancelled,
    "left_the_list": left_the_list,
    "declined": declined,
    "claim_verified": claim_verified,
    "claim_declined": claim_declined,
    "session_scheduled": session_scheduled,
    "session_moved": session_moved,
    "session_cancelled": session_cancelled,
}


def last_id() -> int:
    return db.session.scalar(select(func.max(OutboxEmail.id))) or 0


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_r6_a_committed_change_leaves_one_row_for_each_right_person(
    name: str, make_summit: Callable[..., Summit], make_user: Callable[..., User]
) -> None:
    change, expected = SCENARIOS[name](make_summit, make_user)
    before = last_id()
    change()
    db.session.commit()
    rows = db.session.scalars(select(OutboxEmail).where(OutboxEmail.id > before)).all()
    assert sorted((r.kind, r.to_addr) for r in rows) == sorted(expected)
    assert all(r.html and r.body for r in rows)


def snapshot() -> tuple[list[Any], ...]:
    """The state the changes above touch: a change that committed half-way shows here."""
    return (
        db.session.execute(
            select(Registration.id, Registration.status).order_by(Registration.id)
        ).all(),
        db.session.execute(select(User.id, User.claim_status).order_by(User.id)).all(),
        db.session.execute(
            select(DesignSession.id, DesignSession.status).order_by(DesignSession.id)
        ).all(),
        db.session.execute(
            select(
                PublishedSession.release_id,
                PublishedSession.session_id,
                PublishedSession.status,
                PublishedSession.sequence,
            ).order_by(PublishedSession.release_id, PublishedSession.session_id)
        ).all(),
    )


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_r6_a_rolled_back_change_leaves_no_row_and_no_change(
    name: str, make_summit: Callable[..., Summit], make_user: Callable[..., User]
) -> None:
    change, _ = SCENARIOS[name](make_summit, make_user)
    before, state = last_id(), snapshot()
    change()
    assert snapshot() != state  # the change happened, in the open transaction
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(OutboxEmail.id > before)) == 0
    assert snapshot() == state  # and went with the rollback, mail and all


def test_m1_moved_says_from_to_and_warns_a_starrer_of_clashes_leads_get_their_own_text(
    app: Flask,
    smtp_server: SmtpCatcher,
    make_summit: Callable[..., Summit],
    make_user: Callable[..., User],
) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    published = build_published(make_summit, make_user)
    db.session.query(OutboxEmail).delete()
    db.session.commit()
    assert _move_session_3(published) == 1
    db.session.commit()
    assert mail.send_due(app).sent == 2
    by_rcpt = {
        m.rcpt_tos[0]: message_from_bytes(m.content, policy=policy.default)
        for m in smtp_server.messages
    }
    fan = by_rcpt[published.fan.email]
    lead = by_rcpt[published.leads[3].email]
    for message in (fan, lead):
        assert message["Date"] and message["Message-ID"]
        assert message["From"].addresses[0].display_name == "Diablo Design Summit"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        line = next(line for line in text.splitlines() if "→" in line)
        assert line == (
            "Thursday 28 April, 13:40–14:20, Winchester → "
            "Wednesday 27 April, 09:50–10:30, Winchester (times in America/Los_Angeles)"
        )
        assert "→ <strong>Wednesday 27 April, 09:50–10:30, Winchester</strong>" in html
    assert lead["Subject"] == "[Diablo Design Summit] Your session moved: Swift auth middleware"
    lead_text = lead.get_body(("plain",)).get_content()
    assert "you lead it" in lead_text
    assert "clashes" not in lead_text
    fan_text = fan.get_body(("plain",)).get_content()
    assert "which you starred" in fan_text
    assert "It now clashes with these sessions you starred:" in fan_text
    assert "- Nova scheduler filters" in fan_text
    assert "- Swift large objects" in fan_text


def test_m1_a_title_typed_with_newlines_stays_in_one_header(
    app: Flask, smtp_server: SmtpCatcher, make_user: Callable[..., User]
) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    from summit import notifications

    user = make_user()
    summit = Summit(name="Evil\r\nBcc: x@evil.example", slug="evil", timezone="UTC")
    notifications.lightning_talk_removed(user, summit, "A\nB\r\nBcc: y@evil.example", utcnow())
    db.session.commit()
    assert mail.send_due(app).sent == 1
    (received,) = smtp_server.messages
    assert received.rcpt_tos == [user.email]
    message = message_from_bytes(received.content, policy=policy.default)
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]
    assert message["From"].addresses[0].display_name == "Evil Bcc: x@evil.example"
