"""The public home page of the current summit, and the demo summit it shows."""

from __future__ import annotations

import hashlib
import re

from flask.testing import FlaskClient
from sqlalchemy import func, select

from summit.demo import DEMO_ORGANIZER_EMAIL, DEMO_PASSWORD, load_demo
from summit.extensions import db
from summit.models import (
    Blueprint,
    ClaimStatus,
    Day,
    DesignSession,
    EventKind,
    Interest,
    LightningSlot,
    PriorityClass,
    Room,
    SocialEvent,
    Summit,
    Track,
    User,
)
from summit.services.accounts import authenticate
from tests.factories import public_copy


def test_home_shows_dates_venue_events_with_seats_left_and_tracks(
    client: FlaskClient, make_summit
) -> None:
    summit = make_summit()
    design = summit.event(EventKind.DESIGN_SUMMIT)
    assert design is not None
    design.confirmed_count = 40
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Diablo Design Summit" in page
    assert "Tuesday 26 April 2011 – Friday 29 April 2011" in page
    assert "Santa Clara" in page
    assert '<strong class="seats-left">210</strong> of 250 seats left' in page
    assert '<strong class="seats-left">1000</strong> of 1000 seats left' in page
    assert 'style="background: #c0392b; color: #ffffff">Nova</span>' in page


def test_home_without_a_current_summit_says_so(client: FlaskClient, make_summit) -> None:
    make_summit("bexar", current=False)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "No summit is current yet" in page
    assert "/bexar/" in page


def test_user_text_is_escaped(client: FlaskClient, make_summit) -> None:
    summit = make_summit()
    summit.venue = "<script>alert('x')</script>"
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def _digest() -> str:
    rows = [
        *(
            f"{u.email}|{u.verified_class}|{u.claim_status}"
            for u in db.session.scalars(select(User).order_by(User.email))
        ),
        *(
            f"{b.title}|{b.track.name}|{b.submitter.email}|{b.length_slots}"
            for b in db.session.scalars(select(Blueprint).order_by(Blueprint.url))
        ),
    ]
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def test_demo_is_the_diablo_summit_and_is_deterministic(app, runner) -> None:
    result = runner.invoke(args=["summit", "demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert DEMO_ORGANIZER_EMAIL in result.output
    diablo = db.session.scalar(select(Summit).where(Summit.slug == "diablo"))
    assert diablo is not None
    assert diablo.is_current
    assert diablo.timezone == "America/Los_Angeles"
    conference = diablo.event(EventKind.CONFERENCE)
    design = diablo.event(EventKind.DESIGN_SUMMIT)
    assert conference is not None
    assert design is not None
    assert (str(conference.starts_on), str(conference.ends_on)) == ("2011-04-26", "2011-04-27")
    assert (str(design.starts_on), str(design.ends_on)) == ("2011-04-27", "2011-04-29")
    assert (design.capacity, design.open_seats, conference.capacity) == (250, 200, 1000)
    rooms = db.session.scalars(select(Room).where(Room.summit_id == diablo.id)).all()
    assert len(rooms) == 6
    assert {r.layout for r in rooms} == {"fishbowl"}
    assert min(r.capacity for r in rooms) == 30
    assert max(r.capacity for r in rooms) == 160
    tracks = {
        t.name: t for t in db.session.scalars(select(Track).where(Track.summit_id == diablo.id))
    }
    assert set(tracks) == {
        "Nova",
        "Swift",
        "Glance",
        "Keystone",
        "Horizon",
        "Quantum",
        "Release management",
        "Cross-project",
    }
    assert tracks["Release management"].window_label == "Wednesday morning only"
    days = db.session.scalars(select(Day).where(Day.event_id == design.id)).all()
    assert len(days) == 3
    assert days[0].slot_minutes == 40
    assert days[0].break_minutes == 10
    assert days[0].lightning_minutes == 30
    assert db.session.scalar(select(func.count()).select_from(LightningSlot)) == 18
    socials = {
        s.title: s
        for s in db.session.scalars(select(SocialEvent).where(SocialEvent.summit_id == diablo.id))
    }
    assert socials["OpenStack Developer Gathering"].starts_at.astimezone(diablo.zone).day == 27
    assert socials["Developer party"].sponsor == "Cloudscaling"
    blueprints = db.session.scalar(select(func.count()).select_from(Blueprint))
    assert 110 <= (blueprints or 0) <= 130
    users = db.session.scalars(select(User)).all()
    assert len(users) == 300
    classes = [u.priority_class for u in users]
    assert classes.count(PriorityClass.CORE) >= 20
    assert classes.count(PriorityClass.KNOWN) >= 20
    assert sum(u.claim_status == ClaimStatus.PENDING for u in users) >= 5
    assert authenticate(DEMO_ORGANIZER_EMAIL, DEMO_PASSWORD) is not None
    # Reviewed already: sessions made from blueprints (some merged), starred by attendees.
    sessions = db.session.scalars(select(DesignSession)).all()
    assert 60 <= len(sessions) <= 100
    assert any(len(s.blueprints) > 1 for s in sessions)
    assert db.session.scalar(select(func.count()).select_from(Interest)) >= 1000
    # Solved and published, so a newcomer sees a full schedule at once.
    assert diablo.published_at is not None
    assert all(public_copy(s) is not None for s in sessions)
    # The same data every time, and a second load changes nothing.
    first = _digest()
    again = runner.invoke(args=["summit", "demo", "--if-empty"])
    assert "not loaded" in again.output
    assert _digest() == first
    db.session.commit()


def test_demo_is_identical_in_two_fresh_databases(app) -> None:
    load_demo(solve_seconds=0)
    first = _digest()
    db.session.rollback()
    load_demo(solve_seconds=0)
    assert _digest() == first
    db.session.rollback()


def test_demo_home_page(client: FlaskClient) -> None:
    load_demo(solve_seconds=0)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    for text in (
        "Diablo Design Summit",
        "Hyatt Regency, Santa Clara",
        "Design Summit",
        "Conference",
        "Release management",
        "Wednesday morning only",
        "Developer party",
    ):
        assert text in page
    assert client.get("/bexar/").status_code == 200


def test_demo_whiteboard_has_talks_and_free_slots_for_its_attendee(client: FlaskClient) -> None:
    from summit.demo import demo_attendee

    load_demo(solve_seconds=0)
    db.session.commit()
    board = client.get("/diablo/lightning").get_data(as_text=True)
    assert board.count('class="taken') == 12 and board.count('class="blocked') == 1
    free = re.findall(r'<tr id="slot-(\d+)" class="free', board)
    assert len(free) == 5  # left for newcomers to try
    email = demo_attendee()  # printed by `flask summit demo`
    assert email is not None
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    outcomes = [
        client.post("/diablo/lightning/book", data={"slot_id": slot, "title": "My first talk"})
        for slot in free
    ]
    # One talk per day: the first free slot of each day the attendee has no talk on yet.
    assert any(o.status_code == 302 for o in outcomes)
    assert all(o.status_code in (302, 409) for o in outcomes)
