"""Issue 12, item 7: inputs that used to answer 500. Text with control characters, dates in
year 1 or 9999, numbers beyond the database's integers and files where text belongs get a
message and a 4xx; rows written before these rules still export."""

from __future__ import annotations

import io

import icalendar
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from summit.extensions import db
from summit.models import Blueprint, DesignSession, EventKind, Summit, Track
from summit.services import blueprints as bps
from summit.services import scheduling
from tests.conftest import login
from tests.test_hostile_input import snapshot


@pytest.fixture
def organizer_client(client: FlaskClient, make_summit, make_user) -> FlaskClient:
    make_summit()
    organizer = make_user(is_organizer=True)
    db.session.commit()
    login(client, organizer)
    return client


def test_a_file_part_where_text_belongs_is_a_400(client: FlaskClient, make_user) -> None:
    user = make_user()
    db.session.commit()
    before = snapshot()
    for path in ("/login", "/signup", "/reset-password"):
        response = client.post(
            path,
            data={"email": (io.BytesIO(b"x"), "f.txt"), "password": "whatever-long"},
            content_type="multipart/form-data",
        )
        assert response.status_code == 400, path
        assert "takes text, not files" in response.get_data(as_text=True)
    login(client, user)
    response = client.post(
        "/account",
        data={"name": (io.BytesIO(b"x"), "f.txt"), "claim": "other"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("title", ["A\nB", "Tab\there", "Bell\x07", "Line\u2028sep"])
def test_control_characters_in_a_title_get_a_message_and_nothing_is_written(
    organizer_client: FlaskClient, title: str
) -> None:
    summit = db.session.scalar(select(Summit))
    assert summit is not None
    before = snapshot()
    response = organizer_client.post(
        f"/organizer/summits/{summit.id}/track/new",
        data={"name": title, "colour": "#336699", "description": "", "window_part": "any"},
    )
    assert response.status_code == 422
    assert "one line" in response.get_data(as_text=True)
    assert snapshot() == before


def test_newlines_are_fine_in_long_text(client: FlaskClient, make_summit, make_user) -> None:
    summit = make_summit()
    user = make_user()
    db.session.commit()
    login(client, user)
    track = summit.tracks[0]
    response = client.post(
        "/diablo/blueprints/new",
        data={"title": "One line", "track_id": str(track.id), "description": "Two\nlines\tok"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Blueprint.description)) == "Two\nlines\tok"


@pytest.mark.parametrize("year", ["0001", "1999", "2101", "9999"])
def test_dates_outside_2000_to_2100_are_refused_with_a_message(
    organizer_client: FlaskClient, year: str
) -> None:
    summit = db.session.scalar(select(Summit))
    assert summit is not None
    before = snapshot()
    response = organizer_client.post(
        f"/organizer/summits/{summit.id}/social/new",
        data={"title": "Party", "starts_at": f"{year}-04-27T20:00", "ends_at": "", "place": ""},
    )
    assert response.status_code == 422
    assert "between the years 2000 and 2100" in response.get_data(as_text=True)
    assert snapshot() == before


def test_ids_beyond_the_database_integer_are_4xx(organizer_client: FlaskClient, make_user) -> None:
    summit = db.session.scalar(select(Summit))
    assert summit is not None
    submitter = make_user()
    bp = bps.submit(
        submitter.id,
        summit.id,
        track_id=summit.tracks[0].id,
        title="Big idea",
        description="",
        url="",
        length_slots=1,
    )
    db.session.commit()
    design = summit.event(EventKind.DESIGN_SUMMIT)
    assert design is not None
    huge = str(2**63)
    before = snapshot()
    posts = [
        (f"/organizer/summits/{summit.id}/blueprints/bulk-accept", {"ids": huge}),
        (f"/organizer/blueprints/{bp.id}/merge", {"session_id": huge}),
        (f"/organizer/blueprints/{bp.id}/move", {"track_id": huge}),
        (f"/organizer/events/{design.id}/confirm", {"entries": huge}),
        (
            f"/organizer/summits/{summit.id}/schedule/move",
            {"session_id": huge, "day_id": huge, "slot": huge, "room_id": huge},
        ),
    ]
    for path, data in posts:
        status = organizer_client.post(path, data=data).status_code
        assert 400 <= status < 500, (path, status)
    assert snapshot() == before


def test_feeds_escape_newlines_that_older_rows_hold(client: FlaskClient, published) -> None:
    """Rows from before the input rules: the calendars still answer and parse."""
    session = db.session.get(DesignSession, published.sessions[0].id)
    assert session is not None
    session.title = "Nova\nAPI; v3, \\ done"
    track = db.session.get(Track, session.track_id)
    assert track is not None
    track.name = "No\r\nva"
    published.summit.name = "Diablo\nSummit"
    db.session.flush()
    scheduling.publish(published.organizer.id, published.summit.id)
    db.session.commit()
    for path in (
        "/diablo/schedule.ics",
        f"/diablo/sessions/{session.id}.ics",
        f"/diablo/tracks/{track.slug}.ics",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        calendar = icalendar.Calendar.from_ical(response.get_data())
        summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
        assert any("Nova" in s for s in summaries)
    assert db.session.scalar(select(func.count()).select_from(DesignSession)) == 6
