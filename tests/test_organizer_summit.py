"""Organizers define a summit in the web UI: summit, events, days, rooms, tracks, socials."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from summit.extensions import db
from summit.models import (
    AuditEntry,
    Day,
    Event,
    EventKind,
    LightningSlot,
    LightningTalk,
    ProgramItem,
    Room,
    SocialEvent,
    Summit,
    Track,
)
from tests.conftest import login

SUMMIT = {
    "name": "Essex Design Summit",
    "slug": "essex",
    "venue": "InterContinental, Boston",
    "timezone": "America/New_York",
    "is_current": "y",
    "description": "",
    "cfp_closes_at": "2011-09-30T23:59",
    "blueprints_per_person": "20",
}


@pytest.fixture
def organizer_client(client: FlaskClient, make_user) -> FlaskClient:
    organizer = make_user(is_organizer=True)
    db.session.commit()
    login(client, organizer)
    return client


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def create_summit(client: FlaskClient, **overrides: str) -> Summit:
    response = client.post("/organizer/summits/new", data={**SUMMIT, **overrides})
    assert response.status_code == 302, response.get_data(as_text=True)
    summit = db.session.scalar(select(Summit).where(Summit.slug == overrides.get("slug", "essex")))
    assert summit is not None
    return summit


def define_design_summit(client: FlaskClient, summit: Summit) -> None:
    response = client.post(
        f"/organizer/summits/{summit.id}/events/design_summit",
        data={
            "starts_on": "2011-10-03",
            "ends_on": "2011-10-05",
            "capacity": "250",
            "open_seats": "200",
            "policy": "review",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


DAY = {
    "event_kind": "design_summit",
    "date": "2011-10-03",
    "first_slot": "09:00",
    "slot_minutes": "40",
    "break_minutes": "10",
    "slots_before_lunch": "4",
    "lunch_minutes": "60",
    "lightning_minutes": "30",
    "lightning_slot_minutes": "5",
    "slots_after_lunch": "4",
}


def test_organizer_defines_a_whole_summit(organizer_client: FlaskClient) -> None:
    client = organizer_client
    summit = create_summit(client)
    assert summit.cfp_closes_at == datetime(2011, 10, 1, 3, 59, tzinfo=UTC)  # stored in UTC
    define_design_summit(client, summit)
    client.post(
        f"/organizer/summits/{summit.id}/events/conference",
        data={
            "starts_on": "2011-10-03",
            "ends_on": "2011-10-04",
            "capacity": "1000",
            "open_seats": "1000",
            "policy": "auto",
        },
    )
    assert client.post(f"/organizer/summits/{summit.id}/days/new", data=DAY).status_code == 302
    room = client.post(
        f"/organizer/summits/{summit.id}/room/new",
        data={"name": "Fishbowl 1", "capacity": "80", "layout": "fishbowl"},
    )
    assert room.status_code == 302
    day = db.session.scalar(select(Day))
    assert day is not None
    track = client.post(
        f"/organizer/summits/{summit.id}/track/new",
        data={
            "name": "Release management",
            "colour": "#2C3E50",
            "description": "",
            "window_day_id": str(day.id),
            "window_part": "morning",
        },
    )
    assert track.status_code == 302, track.get_data(as_text=True)
    social = client.post(
        f"/organizer/summits/{summit.id}/social/new",
        data={
            "title": "Developer party",
            "starts_at": "2011-10-04T19:00",
            "ends_at": "2011-10-04T23:00",
            "place": "Downtown",
            "sponsor": "Cloudscaling",
        },
    )
    assert social.status_code == 302
    program = client.post(
        f"/organizer/summits/{summit.id}/program/new",
        data={
            "title": "Keynotes",
            "kind": "keynote",
            "track_name": "",
            "speaker": "",
            "place": "Main hall",
            "starts_at": "2011-10-03T09:00",
            "ends_at": "2011-10-03T12:00",
        },
    )
    assert program.status_code == 302

    db.session.expire_all()
    events = {e.kind: e for e in db.session.scalars(select(Event))}
    assert events[EventKind.DESIGN_SUMMIT].capacity == 250
    assert events[EventKind.CONFERENCE].policy == "auto"
    # The day's grid: 8 slots of 40 minutes, lunch 12:10-13:10, lightning 13:10-13:40.
    slots = day.slots
    assert [s.starts_at.strftime("%H:%M") for s in slots] == [
        "09:00",
        "09:50",
        "10:40",
        "11:30",
        "13:40",
        "14:30",
        "15:20",
        "16:10",
    ]
    assert [s.block for s in slots] == ["morning"] * 4 + ["afternoon"] * 4
    # L1: the lightning window cut into 5-minute slots, stored in UTC.
    lightning = db.session.scalars(select(LightningSlot).order_by(LightningSlot.position)).all()
    assert len(lightning) == 6
    assert lightning[0].starts_at == datetime(2011, 10, 3, 17, 10, tzinfo=UTC)
    track_row = db.session.scalar(select(Track))
    assert track_row is not None
    assert track_row.colour == "#2c3e50"
    assert track_row.window_label == "Monday morning only"
    social_row = db.session.scalar(select(SocialEvent))
    assert social_row is not None
    assert social_row.starts_at == datetime(2011, 10, 4, 23, 0, tzinfo=UTC)
    assert count(ProgramItem) == 1
    page = client.get(f"/organizer/summits/{summit.id}").get_data(as_text=True)
    for text in ("Fishbowl 1", "Release management", "Developer party", "Keynotes", "13:10"):
        assert text in page
    # Every organizer action is in the audit log.
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {
        "summit.create",
        "event.save",
        "day.save",
        "room.save",
        "track.save",
        "social.save",
        "program.save",
    } <= actions


def test_everything_can_be_edited(organizer_client: FlaskClient) -> None:
    client = organizer_client
    summit = create_summit(client)
    define_design_summit(client, summit)
    client.post(f"/organizer/summits/{summit.id}/days/new", data=DAY)
    client.post(
        f"/organizer/summits/{summit.id}/room/new",
        data={"name": "Fishbowl 1", "capacity": "80", "layout": "fishbowl"},
    )
    room = db.session.scalar(select(Room))
    day = db.session.scalar(select(Day))
    assert room is not None
    assert day is not None
    assert client.get(f"/organizer/summits/{summit.id}/room/{room.id}").status_code == 200
    client.post(
        f"/organizer/summits/{summit.id}/room/{room.id}",
        data={"name": "Fishbowl One", "capacity": "90", "layout": "theatre"},
    )
    client.post(
        f"/organizer/summits/{summit.id}/days/{day.id}",
        data={**DAY, "lightning_minutes": "60", "first_slot": "08:30"},
    )
    client.post(
        f"/organizer/summits/{summit.id}/edit",
        data={**SUMMIT, "name": "Essex Summit", "venue": "Boston"},
    )
    db.session.expire_all()
    assert (room.name, room.slug, room.capacity, room.layout) == (
        "Fishbowl One",
        "fishbowl-one",
        90,
        "theatre",
    )
    assert day.slots[0].starts_at.strftime("%H:%M") == "08:30"
    assert count(LightningSlot) == 12
    assert (summit.name, summit.venue) == ("Essex Summit", "Boston")
    client.post(f"/organizer/summits/{summit.id}/room/{room.id}/delete")
    assert count(Room) == 0


def test_shrinking_the_lightning_window_keeps_booked_talks(
    organizer_client: FlaskClient, make_user
) -> None:
    client = organizer_client
    summit = create_summit(client)
    define_design_summit(client, summit)
    client.post(f"/organizer/summits/{summit.id}/days/new", data=DAY)
    last = db.session.scalars(select(LightningSlot).order_by(LightningSlot.position.desc())).first()
    assert last is not None
    db.session.add(LightningTalk(slot_id=last.id, user_id=make_user().id, title="Crazy idea"))
    db.session.commit()
    day = db.session.scalar(select(Day))
    assert day is not None
    response = client.post(
        f"/organizer/summits/{summit.id}/days/{day.id}", data={**DAY, "lightning_minutes": "10"}
    )
    assert response.status_code == 409
    assert "already hold talks" in response.get_data(as_text=True)
    db.session.expire_all()
    assert day.lightning_minutes == 30  # nothing half-written
    assert count(LightningSlot) == 6


@pytest.mark.parametrize(
    ("path_suffix", "data", "message"),
    [
        ("edit", {**SUMMIT, "timezone": "Mars/Olympus"}, "is not an IANA time zone"),
        ("edit", {**SUMMIT, "slug": "login"}, "reserved"),
        ("edit", {**SUMMIT, "slug": "Not A Slug"}, "lower-case letters"),
        (
            "events/design_summit",
            {
                "starts_on": "2011-10-03",
                "ends_on": "2011-10-05",
                "capacity": "100",
                "open_seats": "150",
                "policy": "review",
            },
            "Open seats must be between 0 and the capacity",
        ),
        (
            "events/design_summit",
            {
                "starts_on": "2011-10-05",
                "ends_on": "2011-10-03",
                "capacity": "100",
                "open_seats": "50",
                "policy": "review",
            },
            "cannot end before it starts",
        ),
        ("days/new", {**DAY, "date": "2011-12-25"}, "runs Mon 03 Oct to Wed 05 Oct"),
        ("days/new", {**DAY, "slot_minutes": "0"}, "between 5 and 240"),
        ("days/new", {**DAY, "first_slot": "22:00"}, "runs past midnight"),
        (
            "room/new",
            {"name": "Big", "capacity": "0", "layout": "fishbowl"},
            "between 1 and 100000",
        ),
        (
            "track/new",
            {"name": "Nova", "colour": "red", "window_day_id": "0", "window_part": "day"},
            "#rrggbb",
        ),
        (
            "social/new",
            {"title": "Party", "starts_at": "2011-10-04T19:00", "ends_at": "2011-10-04T18:00"},
            "must end after it starts",
        ),
    ],
)
def test_bad_input_gets_a_message_on_the_form(
    organizer_client: FlaskClient, path_suffix: str, data: dict[str, str], message: str
) -> None:
    client = organizer_client
    summit = create_summit(client)
    define_design_summit(client, summit)
    before = {m: count(m) for m in (Summit, Event, Day, Room, Track, SocialEvent)}
    response = client.post(f"/organizer/summits/{summit.id}/{path_suffix}", data=data)
    assert 400 <= response.status_code < 500
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert {m: count(m) for m in before} == before
    assert summit.slug == "essex"


def test_only_one_summit_is_current_and_past_ones_stay_readable(
    organizer_client: FlaskClient,
) -> None:
    client = organizer_client
    essex = create_summit(client)
    folsom = create_summit(client, slug="folsom", name="Folsom Design Summit")
    db.session.expire_all()
    assert folsom.is_current
    assert not essex.is_current
    assert client.get("/").get_data(as_text=True).count("Folsom Design Summit") >= 1
    past = client.get("/essex/")
    assert past.status_code == 200
    assert "stay here for the record" in past.get_data(as_text=True)
    listing = client.get("/summits").get_data(as_text=True)
    assert "Essex Design Summit" in listing
    assert "Folsom Design Summit" in listing


def test_a_slug_in_use_is_refused(organizer_client: FlaskClient) -> None:
    create_summit(organizer_client)
    response = organizer_client.post("/organizer/summits/new", data={**SUMMIT, "name": "Other"})
    assert response.status_code == 409
    assert "already uses the slug" in response.get_data(as_text=True)
    assert count(Summit) == 1


def test_deleting_a_track_in_use_is_refused(organizer_client: FlaskClient, make_user) -> None:
    from summit.models import Blueprint

    client = organizer_client
    summit = create_summit(client)
    client.post(
        f"/organizer/summits/{summit.id}/track/new",
        data={"name": "Nova", "colour": "#c0392b", "window_day_id": "0", "window_part": "day"},
    )
    track = db.session.scalar(select(Track))
    assert track is not None
    db.session.add(
        Blueprint(
            summit_id=summit.id, track_id=track.id, submitter_id=make_user().id, title="Multi NIC"
        )
    )
    db.session.commit()
    response = client.post(
        f"/organizer/summits/{summit.id}/track/{track.id}/delete", follow_redirects=True
    )
    assert "move them first" in response.get_data(as_text=True)
    assert count(Track) == 1


def test_another_summits_records_are_not_reachable(organizer_client: FlaskClient) -> None:
    client = organizer_client
    essex = create_summit(client)
    folsom = create_summit(client, slug="folsom", name="Folsom")
    client.post(
        f"/organizer/summits/{essex.id}/room/new",
        data={"name": "Fishbowl", "capacity": "30", "layout": "fishbowl"},
    )
    room = db.session.scalar(select(Room))
    assert room is not None
    assert client.get(f"/organizer/summits/{folsom.id}/room/{room.id}").status_code == 404
    response = client.post(
        f"/organizer/summits/{folsom.id}/room/{room.id}",
        data={"name": "Stolen", "capacity": "30", "layout": "fishbowl"},
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert room.name == "Fishbowl"
