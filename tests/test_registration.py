"""Registration and the waiting list, R1-R7, one behaviour at a time."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from summit.extensions import db
from summit.models import (
    AuditEntry,
    Event,
    EventKind,
    OutboxEmail,
    PriorityClass,
    Registration,
    RegistrationStatus,
    SeatPolicy,
    User,
)
from summit.services import accounts
from summit.services import registration as reg
from summit.services.errors import Conflict, Invalid
from tests.conftest import login


@pytest.fixture
def design(make_summit) -> Event:
    summit = make_summit(design_capacity=5, design_open=2)
    event = summit.event(EventKind.DESIGN_SUMMIT)
    assert event is not None
    db.session.commit()
    return event


def join(event: Event, user: User) -> Registration:
    registration_id = reg.register(user.id, event.id).registration_id
    db.session.commit()
    registration = db.session.get(Registration, registration_id)
    assert registration is not None
    return registration


def statuses(event: Event) -> dict[str, int]:
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    ).all()
    return {str(status): int(n) for status, n in rows}


def mails_to(user: User) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.to_addr == user.email).order_by(OutboxEmail.id)
        )
    )


def test_r2_open_seats_confirm_at_once_then_the_list_begins(design: Event, make_user) -> None:
    first, second, third = make_user(), make_user(), make_user()
    assert join(design, first).status == RegistrationStatus.CONFIRMED
    assert join(design, second).status == RegistrationStatus.CONFIRMED
    waiting = join(design, third)
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert reg.position(waiting) == 1
    db.session.refresh(design)
    assert design.confirmed_count == 2
    # R6: each person got a mail saying what happened, with the position.
    assert "confirmed" in mails_to(first)[0].subject
    assert "waiting list, position 1" in mails_to(third)[0].subject
    assert "/my/registrations" in mails_to(third)[0].body


def test_r2_nobody_jumps_the_queue_when_a_seat_frees_under_review(design: Event, make_user) -> None:
    a, b, c, d = (make_user() for _ in range(4))
    seat = join(design, a)
    join(design, b)
    join(design, c)  # waits
    reg.cancel(a.id, seat.id)
    db.session.commit()
    # An open seat is free, but someone waits: a newcomer joins the list behind them.
    late = join(design, d)
    assert late.status == RegistrationStatus.WAITLISTED
    assert reg.position(late) == 2


def test_r1_one_live_registration_per_person(design: Event, make_user) -> None:
    user = make_user()
    join(design, user)
    with pytest.raises(Conflict, match="already registered"):
        reg.register(user.id, design.id)
    db.session.rollback()
    db.session.refresh(design)
    assert design.confirmed_count == 1  # the refused attempt took no seat


def test_r1_a_refused_attempt_keeps_no_seat_even_if_the_caller_commits(
    design: Event, make_user
) -> None:
    user = make_user()
    join(design, user)
    with pytest.raises(Conflict, match="already registered"):
        reg.register(user.id, design.id)
    db.session.commit()  # a careless caller: no rollback first
    db.session.refresh(design)
    confirmed = db.session.scalar(
        select(func.count()).where(
            Registration.event_id == design.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    assert design.confirmed_count == confirmed == 1


def test_r2_registering_sees_a_change_not_yet_flushed(design: Event, make_user) -> None:
    user = make_user()  # loaded and held, as the logged-in person is in a request
    user_id, event_id = user.id, design.id
    design.open_seats = 0  # an organizer's change, still pending in this session
    outcome = reg.register(user_id, event_id)
    assert (outcome.status, outcome.position) == (RegistrationStatus.WAITLISTED, 1)


def test_r3_design_summit_list_is_ordered_by_verified_class_then_time(
    design: Event, make_user
) -> None:
    for _ in range(2):
        join(design, make_user())  # the open seats
    other = join(design, make_user(name="Other"))
    known = join(design, make_user(name="Known", verified=PriorityClass.KNOWN))
    claimant = make_user(
        name="Claims core", claim=PriorityClass.CORE, claim_project="Nova", claim_status="pending"
    )
    claimed = join(design, claimant)
    core = join(design, make_user(name="Core", verified=PriorityClass.CORE))
    names = [r.user.name for r in reg.waiting_list(design)]
    # A claim alone does not count.
    assert names == ["Core", "Known", "Other", "Claims core"]
    assert [reg.position(r) for r in (core, known, other, claimed)] == [1, 2, 3, 4]
    # Verified after joining: moves to its class, keeps its time of joining.
    organizer = make_user(is_organizer=True)
    accounts.decide_claim(organizer.id, claimant.id, verify=True)
    db.session.commit()
    names = [r.user.name for r in reg.waiting_list(design)]
    assert names == ["Claims core", "Core", "Known", "Other"]  # joined before "Core" did
    assert reg.position(claimed) == 1
    assert [r.user.name for r in reg.waiting_list(design, PriorityClass.KNOWN)] == ["Known"]


def test_r5_conference_list_is_plain_fifo(make_summit, make_user) -> None:
    summit = make_summit()
    conference = summit.event(EventKind.CONFERENCE)
    assert conference is not None
    conference.capacity = conference.open_seats = 1
    db.session.commit()
    join(conference, make_user())
    join(conference, make_user(name="First other"))
    join(conference, make_user(name="Later core", verified=PriorityClass.CORE))
    assert [r.user.name for r in reg.waiting_list(conference)] == ["First other", "Later core"]


def test_r4_organizer_confirms_chosen_entries_and_the_next_n(design: Event, make_user) -> None:
    organizer = make_user(is_organizer=True)
    for _ in range(2):
        join(design, make_user())
    waiting = [join(design, make_user(name=f"W{i}")) for i in range(5)]
    assert reg.confirm_entries(organizer.id, design.id, [waiting[3].id]) == 1
    db.session.commit()
    assert reg.confirm_next(organizer.id, design.id, 10) == 2  # only 2 seats were left
    db.session.commit()
    db.session.refresh(design)
    assert design.confirmed_count == design.capacity == 5
    confirmed = {r.user.name for r in reg.attendees(design)}
    assert {"W3", "W0", "W1"} <= confirmed
    with pytest.raises(Conflict, match="no seat is left"):
        reg.confirm_next(organizer.id, design.id, 1)
    db.session.rollback()
    with pytest.raises(Conflict, match="full"):
        reg.confirm_entries(organizer.id, design.id, [waiting[4].id])
    db.session.rollback()
    assert "confirmed" in mails_to(waiting[3].user)[-1].subject
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("registration.confirm") == 1
    assert actions.count("registration.confirm_next") == 1


def test_r4_decline_needs_a_reason_and_tells_the_person(design: Event, make_user) -> None:
    organizer = make_user(is_organizer=True)
    for _ in range(2):
        join(design, make_user())
    entry = join(design, make_user())
    with pytest.raises(Invalid, match="reason"):
        reg.decline(organizer.id, entry.id, "  ")
    db.session.rollback()
    reg.decline(organizer.id, entry.id, "Seats go to Nova core first")
    db.session.commit()
    assert entry.status == RegistrationStatus.DECLINED
    assert "Seats go to Nova core first" in mails_to(entry.user)[-1].body
    with pytest.raises(Conflict):
        reg.decline(organizer.id, entry.id, "again")
    db.session.rollback()


def test_r5_auto_policy_promotes_the_head_at_once(make_summit, make_user) -> None:
    summit = make_summit(design_capacity=2, design_open=2, policy=SeatPolicy.AUTO)
    event = summit.event(EventKind.DESIGN_SUMMIT)
    assert event is not None
    db.session.commit()
    first = join(event, make_user())
    join(event, make_user())
    head = join(event, make_user(name="Head"))
    behind = join(event, make_user(name="Behind"))
    reg.cancel(first.user_id, first.id)
    db.session.commit()
    assert head.status == RegistrationStatus.CONFIRMED
    assert behind.status == RegistrationStatus.WAITLISTED
    assert reg.position(behind) == 1
    db.session.refresh(event)
    assert event.confirmed_count == 2
    assert "you got a seat" in mails_to(head.user)[-1].subject


def test_r5_review_policy_returns_the_seat_to_the_organizers(design: Event, make_user) -> None:
    first = join(design, make_user())
    join(design, make_user())
    waiting = join(design, make_user())
    reg.cancel(first.user_id, first.id)
    db.session.commit()
    assert waiting.status == RegistrationStatus.WAITLISTED
    counts = reg.counts(design)
    assert (counts.confirmed, counts.review_seats_left, counts.waiting) == (1, 4, 1)


def test_r5_leave_the_list_and_register_again(design: Event, make_user) -> None:
    for _ in range(2):
        join(design, make_user())
    user = make_user()
    entry = join(design, user)
    reg.cancel(user.id, entry.id)
    db.session.commit()
    assert entry.status == RegistrationStatus.CANCELLED
    assert "left the waiting list" in mails_to(user)[-1].subject
    again = join(design, user)
    assert again.status == RegistrationStatus.WAITLISTED
    with pytest.raises(Conflict):
        reg.cancel(user.id, entry.id)
    db.session.rollback()


def test_registration_window_is_enforced(design: Event, make_user) -> None:
    now = datetime(2011, 4, 1, 12, 0, tzinfo=UTC)
    design.registration_opens_at = now + timedelta(days=1)
    design.registration_closes_at = now + timedelta(days=10)
    user = make_user()
    db.session.commit()
    with pytest.raises(Invalid, match="not open yet"):
        reg.register(user.id, design.id, now=now)
    with pytest.raises(Invalid, match="closed"):
        reg.register(user.id, design.id, now=now + timedelta(days=10))
    db.session.rollback()
    outcome = reg.register(user.id, design.id, now=now + timedelta(days=2))
    assert outcome.status == "confirmed"


def test_r6_a_change_that_rolls_back_leaves_no_mail(design: Event, make_user) -> None:
    user = make_user()
    db.session.commit()
    reg.register(user.id, design.id)
    assert mails_to(user)  # written in the same transaction...
    db.session.rollback()
    assert mails_to(user) == []  # ...and gone with it
    assert statuses(design) == {}


# --- through the web ---------------------------------------------------------------


def test_attendee_registers_and_sees_the_outcome_at_once(
    client: FlaskClient, design: Event, make_user
) -> None:
    for _ in range(2):
        join(design, make_user())
    user = make_user(claim=PriorityClass.KNOWN, claim_status="pending")
    db.session.commit()
    login(client, user)
    page = client.get("/diablo/register").get_data(as_text=True)
    # P5: the first-come seats are gone, and the card says what the button does.
    assert "Join the waiting list" in page
    assert "first-come seats are taken" in page
    assert "Register for the Conference" in page
    response = client.post("/diablo/register/design_summit", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "on the waiting list at position 1 (class: Everyone else)" in text
    assert "counts once an organizer verifies it" in text
    again = client.post("/diablo/register/design_summit")
    assert again.status_code == 409
    assert "already registered" in again.get_data(as_text=True)
    entry = db.session.scalar(select(Registration).where(Registration.user_id == user.id))
    assert entry is not None
    # Confirm before acting: the button opens a page; a POST without the confirmation asks.
    assert "Yes, leave the list" in client.get(f"/my/registrations/{entry.id}/cancel").text
    asked = client.post(f"/my/registrations/{entry.id}/cancel")
    assert asked.status_code == 303 and asked.location.endswith(f"/{entry.id}/cancel")
    db.session.refresh(entry)
    assert entry.status == RegistrationStatus.WAITLISTED
    client.post(f"/my/registrations/{entry.id}/cancel", data={"confirm": "y"})
    db.session.refresh(entry)
    assert entry.status == RegistrationStatus.CANCELLED


def test_someone_elses_registration_cannot_be_cancelled(
    client: FlaskClient, design: Event, make_user
) -> None:
    victim = join(design, make_user())
    attacker = make_user()
    db.session.commit()
    login(client, attacker)
    assert client.get(f"/my/registrations/{victim.id}/cancel").status_code == 404
    response = client.post(f"/my/registrations/{victim.id}/cancel", data={"confirm": "y"})
    assert response.status_code == 404
    assert "No such registration" in response.get_data(as_text=True)
    db.session.refresh(victim)
    assert victim.status == RegistrationStatus.CONFIRMED


def test_organizer_review_page_counts_filter_and_actions(
    client: FlaskClient, design: Event, make_user
) -> None:
    organizer = make_user(is_organizer=True)
    for _ in range(2):
        join(design, make_user())
    core = join(design, make_user(name="Core Dev", verified=PriorityClass.CORE))
    other = join(design, make_user(name="Plain Person"))
    db.session.commit()
    login(client, organizer)
    page = client.get(f"/organizer/events/{design.id}/waitlist").get_data(as_text=True)
    assert '<dd id="count-capacity">5</dd>' in page
    assert '<dd id="count-confirmed">2</dd>' in page
    assert '<dd id="count-review">3</dd>' in page
    assert '<dd id="count-waiting">2</dd>' in page
    assert page.index("Core Dev") < page.index("Plain Person")
    filtered = client.get(f"/organizer/events/{design.id}/waitlist?class=core")
    assert "Plain Person" not in filtered.get_data(as_text=True)
    assert client.get(f"/organizer/events/{design.id}/waitlist?class=boss").status_code == 400
    client.post(f"/organizer/events/{design.id}/confirm", data={"entries": [str(core.id)]})
    client.post(f"/organizer/registrations/{other.id}/decline", data={"reason": "Full"})
    db.session.expire_all()
    assert core.status == RegistrationStatus.CONFIRMED
    assert other.status == RegistrationStatus.DECLINED
    bad = client.post(
        f"/organizer/events/{design.id}/confirm-next", data={"n": "-3"}, follow_redirects=True
    )
    assert "between 1 and 10000" in bad.get_data(as_text=True)


def test_r7_csv_exports(client: FlaskClient, design: Event, make_user) -> None:
    organizer = make_user(is_organizer=True)
    join(design, make_user(name="=HYPERLINK(evil)", affiliation="Zoë Ltd"))
    join(design, make_user(name="Second"))
    join(design, make_user(name="Waiting One", verified=PriorityClass.KNOWN))
    db.session.commit()
    login(client, organizer)
    response = client.get(f"/organizer/events/{design.id}/attendees.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:2] == ["name", "email"]
    names = {r[0] for r in rows[1:]}
    assert names == {"'=HYPERLINK(evil)", "Second"}  # no formula reaches a spreadsheet
    assert any(r[2] == "Zoë Ltd" for r in rows[1:])
    waiting = client.get(f"/organizer/events/{design.id}/waitlist.csv")
    rows = list(csv.reader(io.StringIO(waiting.get_data().decode("utf-8-sig"))))
    assert rows[1][:2] == ["1", "Waiting One"]
    assert rows[1][4] == "known"


@pytest.mark.parametrize(
    "path",
    [
        "/organizer/events/{id}/waitlist",
        "/organizer/events/{id}/attendees.csv",
        "/organizer/events/{id}/waitlist.csv",
    ],
)
def test_review_pages_are_for_organizers_only(
    client: FlaskClient, design: Event, make_user, path: str
) -> None:
    user = make_user()
    db.session.commit()
    login(client, user)
    assert client.get(path.format(id=design.id)).status_code == 403
    assert (
        client.post(f"/organizer/events/{design.id}/confirm-next", data={"n": "5"}).status_code
        == 403
    )
