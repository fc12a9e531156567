"""E1: the iCalendar feeds, parsed by two independent parsers (icalendar and vobject)."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
import vobject
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from summit.extensions import db
from summit.models import (
    DesignSession,
    Interest,
    PublishedSession,
    Summit,
    User,
)
from summit.services import accounts, scheduling
from tests.conftest import login
from tests.factories import NON_ASCII_TITLE, Built, build_programme

SERVER = "summit.localhost"  # Config.SERVER_NAME_FOR_IDS when SUMMIT_SERVER_NAME is unset
ZONE = "America/Los_Angeles"


@pytest.fixture
def built(make_summit: Callable[..., Summit], make_user: Callable[..., User]) -> Built:
    return build_programme(make_summit, make_user)


# --- checking a calendar with two parsers ----------------------------------------------


def check_lines(body: bytes) -> None:
    """CRLF only; every physical line at most 75 octets and valid UTF-8 on its own."""
    assert body.endswith(b"\r\n")
    lines = body[:-2].split(b"\r\n")
    for line in lines:
        assert b"\n" not in line and b"\r" not in line, line
        assert len(line) <= 75, (len(line), line)
        line.decode("utf-8")  # raises if a fold split a character


def check_calendar(body: bytes) -> dict[str, dict[str, Any]]:
    """Parse with icalendar and with vobject, check what every feed owes, and return the
    events by UID as the two parsers agree on them."""
    check_lines(body)
    text = body.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "\r\nX-PUBLISHED-TTL:PT1H\r\n" in text

    cal = icalendar.Calendar.from_ical(body)
    assert cal["VERSION"] == "2.0"
    assert str(cal["PRODID"]).startswith("-//Summit//")
    assert str(cal["X-WR-CALNAME"])
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == [ZONE]
    assert cal.get_missing_tzids() == set()

    by_icalendar: dict[str, dict[str, Any]] = {}
    for ev in cal.walk("VEVENT"):
        for name in (
            "UID",
            "DTSTAMP",
            "LAST-MODIFIED",
            "SEQUENCE",
            "DTSTART",
            "DTEND",
            "SUMMARY",
            "LOCATION",
            "CATEGORIES",
            "DESCRIPTION",
            "URL",
            "STATUS",
        ):
            assert name in ev, (name, ev)
        assert ev["DTSTART"].params["TZID"] == ZONE
        assert ev["DTEND"].params["TZID"] == ZONE
        assert ev.decoded("DTSTART").tzinfo is not None
        assert ev.decoded("DTSTAMP").utcoffset() == timedelta(0)
        uid = str(ev["UID"])
        assert uid not in by_icalendar
        by_icalendar[uid] = {
            "summary": str(ev["SUMMARY"]),
            "sequence": int(ev["SEQUENCE"]),
            "status": str(ev["STATUS"]),
            "start": ev.decoded("DTSTART"),
            "end": ev.decoded("DTEND"),
            "last_modified": ev.decoded("LAST-MODIFIED"),
            "location": str(ev["LOCATION"]),
            "categories": [str(c) for c in ev["CATEGORIES"].cats],
            "description": str(ev["DESCRIPTION"]),
            "url": str(ev["URL"]),
        }

    parsed = vobject.readOne(text)
    assert parsed.name == "VCALENDAR"
    assert parsed.vtimezone.tzid.value == ZONE
    by_vobject = {}
    for ev in parsed.contents.get("vevent", []):
        by_vobject[ev.uid.value] = {
            "summary": ev.summary.value,
            "sequence": int(ev.sequence.value),
            "status": ev.status.value,
            "start": ev.dtstart.value,
            "end": ev.dtend.value,
            "last_modified": ev.last_modified.value,
            "location": ev.location.value,
            "categories": list(ev.categories.value),
            "description": ev.description.value,
            "url": ev.url.value,
        }
    assert by_vobject == by_icalendar
    return by_icalendar


def get_calendar(client: FlaskClient, url: str) -> dict[str, dict[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers.get("ETag")
    return check_calendar(response.data)


def uid(kind: str, record_id: int) -> str:
    return f"{kind}-{record_id}@{SERVER}"


# --- the feeds -------------------------------------------------------------------------


def test_e1_summit_feed_has_sessions_programme_lightning_talks_and_socials(
    client: FlaskClient, built: Built
) -> None:
    events = get_calendar(client, "/diablo/schedule.ics")
    s0 = built.sessions[0]
    assert set(events) == {
        *(uid("session", s.id) for s in built.sessions),
        uid("program", built.keynote.id),
        uid("social", built.party.id),
        uid("lightning", built.talk.id),
        uid("lightning", built.talk.id + 1),
    }
    session = events[uid("session", s0.id)]
    assert session["summary"] == NON_ASCII_TITLE
    assert session["status"] == "CONFIRMED"
    assert session["sequence"] == 0
    assert session["location"].startswith("Ballroom A")
    assert session["categories"] == ["Nova"]
    # 09:00 in Santa Clara on the first Design Summit day, wherever the test runs.
    assert session["start"] == datetime(2011, 4, 27, 16, 0, tzinfo=UTC)
    assert session["end"] - session["start"] == timedelta(minutes=40)
    url = f"http://summit.test/diablo/sessions/{s0.id}"
    assert session["url"] == url
    description = session["description"]
    assert "Lead: Zoë Lead" in description
    assert "Scope; API, migration \\ and who does it." in description
    assert "Container support: http://summit.test/diablo/blueprints/" in description
    assert description.endswith(url)
    two_slots = events[uid("session", built.sessions[3].id)]
    assert two_slots["end"] - two_slots["start"] == timedelta(minutes=90)

    keynote = events[uid("program", built.keynote.id)]
    assert keynote["summary"] == "Opening keynote"
    assert keynote["location"].startswith("Main hall")
    assert "Speaker: Jane Keynote" in keynote["description"]
    party = events[uid("social", built.party.id)]
    assert party["categories"] == ["Social events"]
    assert "Sponsored by Cisco" in party["description"]
    talk = events[uid("lightning", built.talk.id)]
    assert talk["summary"] == "Lightning talk: Five minutes of Ceph"
    assert talk["end"] - talk["start"] == timedelta(minutes=5)
    assert "Speaker: Sam Speaker" in talk["description"]


def test_e1_move_and_republish_keeps_the_uid_and_raises_sequence_and_last_modified(
    client: FlaskClient, built: Built
) -> None:
    moved = built.sessions[1]
    # The first publication happened an hour ago.
    db.session.execute(
        update(PublishedSession).values(changed_at=datetime.now(UTC) - timedelta(hours=1))
    )
    db.session.commit()
    before = get_calendar(client, "/diablo/schedule.ics")[uid("session", moved.id)]

    winchester = built.summit.rooms[2]
    day3 = built.summit.design_days[2]
    scheduling.move(
        built.organizer.id,
        built.summit.id,
        moved.id,
        day_id=day3.id,
        slot=5,
        room_id=winchester.id,
    )
    scheduling.publish(built.organizer.id, built.summit.id)
    db.session.commit()
    events = get_calendar(client, "/diablo/schedule.ics")

    after = events[uid("session", moved.id)]  # the same UID
    assert after["sequence"] == before["sequence"] + 1
    assert after["last_modified"] > before["last_modified"]
    assert after["start"] != before["start"]
    assert after["location"].startswith("Winchester")
    assert after["summary"] == before["summary"]
    # The others did not change.
    untouched = events[uid("session", built.sessions[0].id)]
    assert untouched["sequence"] == 0


def test_e1_cancelled_session_stays_in_the_feed_as_cancelled(
    client: FlaskClient, built: Built
) -> None:
    cancelled = built.sessions[2]
    scheduling.set_cancelled(built.organizer.id, built.summit.id, cancelled.id, True)
    scheduling.publish(built.organizer.id, built.summit.id)
    db.session.commit()
    for url in ("/diablo/schedule.ics", "/diablo/tracks/swift.ics", "/diablo/rooms/winchester.ics"):
        event = get_calendar(client, url)[uid("session", cancelled.id)]
        assert event["status"] == "CANCELLED"
        assert event["sequence"] == 1
        assert event["summary"] == "Cancelled: Swift replication"
        assert event["description"].startswith("This session has been cancelled.")
    # The person who starred it sees the cancellation too.
    mine = get_calendar(client, f"/diablo/my/{built.fan.feed_address}.ics")
    assert mine[uid("session", cancelled.id)]["status"] == "CANCELLED"


def test_e1_non_ascii_titles_survive_folding_at_75_octets(
    client: FlaskClient, built: Built
) -> None:
    body = client.get("/diablo/schedule.ics").data
    check_lines(body)
    folded = re.search(rb"\r\nSUMMARY:[^\r]*(\r\n [^\r]*)+", body)
    assert folded is not None  # the title does not fit on one line
    # At least one fold falls between two multi-byte characters, where cutting at exactly
    # 75 bytes could have split one: each side of the fold is still whole (check_lines).
    lines = folded.group(0).split(b"\r\n")[1:]
    assert any(
        left[-1:] >= b"\x80" and right[1:2] >= b"\xc0" for left, right in itertools.pairwise(lines)
    )
    events = check_calendar(body)
    assert events[uid("session", built.sessions[0].id)]["summary"] == NON_ASCII_TITLE
    single = client.get(f"/diablo/sessions/{built.sessions[0].id}.ics")
    assert check_calendar(single.data)[uid("session", built.sessions[0].id)]["summary"] == (
        NON_ASCII_TITLE
    )


def test_e1_control_characters_and_line_breaks_in_text_stay_a_valid_calendar(
    client: FlaskClient, built: Built
) -> None:
    session = built.sessions[1]
    session.description = "Bell\x07 and form feed\x0c gone;\r\nWindows line\rends, too."
    scheduling.publish(built.organizer.id, built.summit.id)
    db.session.commit()
    description = get_calendar(client, "/diablo/schedule.ics")[uid("session", session.id)][
        "description"
    ]
    assert "Bell and form feed gone;\nWindows line\nends, too." in description


def test_e1_etag_and_304(client: FlaskClient, built: Built) -> None:
    first = client.get("/diablo/schedule.ics")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public")
    again = client.get("/diablo/schedule.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    # A proxy that compresses makes the tag weak; it still matches.
    weak = client.get("/diablo/schedule.ics", headers={"If-None-Match": f"W/{etag}"})
    assert weak.status_code == 304
    other = client.get("/diablo/schedule.ics", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    assert other.data == first.data  # the same programme gives the same bytes

    scheduling.set_cancelled(built.organizer.id, built.summit.id, built.sessions[0].id, True)
    scheduling.publish(built.organizer.id, built.summit.id)
    db.session.commit()
    changed = client.get("/diablo/schedule.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    # Every feed answers conditionally.
    for url in (
        "/diablo/tracks/nova.ics",
        "/diablo/rooms/bayshore.ics",
        f"/diablo/my/{built.fan.feed_address}.ics",
        f"/diablo/sessions/{built.sessions[1].id}.ics",
    ):
        tag = client.get(url).headers["ETag"]
        assert client.get(url, headers={"If-None-Match": tag}).status_code == 304, url


def test_e1_etags_differ_between_feeds_and_follow_each_change(
    client: FlaskClient, built: Built
) -> None:
    def tag(url: str) -> str:
        return str(client.get(url).headers["ETag"])

    urls = [
        "/diablo/schedule.ics",
        "/diablo/tracks/nova.ics",
        "/diablo/rooms/bayshore.ics",
        f"/diablo/my/{built.fan.feed_address}.ics",
        f"/diablo/my/{built.speaker.feed_address}.ics",
    ]
    assert len({tag(u) for u in urls}) == len(urls)
    personal = f"/diablo/my/{built.fan.feed_address}.ics"
    before = tag(personal)
    db.session.add(Interest(user_id=built.fan.id, session_id=built.sessions[1].id))
    db.session.commit()
    assert tag(personal) != before
    summit_before = tag("/diablo/schedule.ics")
    built.party.title = "Developer party (moved indoors)"
    db.session.commit()
    assert tag("/diablo/schedule.ics") != summit_before


def test_e1_track_and_room_feeds_hold_their_sessions_only(
    client: FlaskClient, built: Built
) -> None:
    swift = get_calendar(client, "/diablo/tracks/swift.ics")
    assert set(swift) == {uid("session", s.id) for s in built.sessions[2:]}
    ballroom = get_calendar(client, "/diablo/rooms/ballroom-a.ics")
    assert set(ballroom) == {uid("session", s.id) for s in (built.sessions[0], built.sessions[3])}
    response = client.get("/diablo/tracks/swift.ics")
    assert "Swift" in response.get_data(as_text=True).split("X-WR-CALNAME:")[1].split("\r\n")[0]
    assert client.get("/diablo/tracks/nope.ics").status_code == 404
    assert client.get("/diablo/rooms/nope.ics").status_code == 404
    assert client.get("/nowhere/schedule.ics").status_code == 404


def test_e1_feed_addresses_route_to_the_feeds_beside_the_html_pages(app: Flask) -> None:
    # The programme pages at /<slug>/tracks/<track> and /<slug>/rooms/<room> take any
    # string, dots included; the .ics addresses must still reach the feeds.
    def page(**kwargs: str) -> str:
        return "page"

    app.add_url_rule("/<slug>/tracks/<track>", "test_track_page", page)
    app.add_url_rule("/<slug>/rooms/<room>", "test_room_page", page)
    app.add_url_rule("/<slug>/sessions/<int:session_id>", "test_session_page", page)
    adapter = app.url_map.bind("summit.test")
    assert adapter.match("/diablo/tracks/nova.ics") == (
        "feeds.track_ics",
        {"slug": "diablo", "track": "nova"},
    )
    assert adapter.match("/diablo/rooms/ballroom-a.ics") == (
        "feeds.room_ics",
        {"slug": "diablo", "room": "ballroom-a"},
    )
    assert adapter.match("/diablo/sessions/12.ics") == (
        "feeds.session_ics",
        {"slug": "diablo", "session_id": 12},
    )
    assert adapter.match("/diablo/my/abc_-12.ics")[0] == "feeds.personal_ics"
    assert adapter.match("/diablo/schedule.ics")[0] == "feeds.summit_ics"
    assert adapter.match("/diablo/schedule.xml")[0] == "feeds.frab_xml"
    assert adapter.match("/diablo/schedule.json")[0] == "feeds.frab_json"
    assert adapter.match("/diablo/tracks/nova")[0] != "feeds.track_ics"
    assert adapter.match("/diablo/rooms/ballroom-a")[0] != "feeds.room_ics"


def test_e1_personal_feed_holds_starred_sessions_and_own_lightning_talks(
    client: FlaskClient, built: Built, make_user: Callable[..., User]
) -> None:
    fan = get_calendar(client, f"/diablo/my/{built.fan.feed_address}.ics")
    assert set(fan) == {uid("session", built.sessions[0].id), uid("session", built.sessions[2].id)}
    speaker = get_calendar(client, f"/diablo/my/{built.speaker.feed_address}.ics")
    assert set(speaker) == {uid("session", built.sessions[1].id), uid("lightning", built.talk.id)}
    response = client.get(f"/diablo/my/{built.fan.feed_address}.ics")
    assert response.headers["Cache-Control"].startswith("private")
    assert "my schedule" in response.get_data(as_text=True)

    nobody = make_user(name="Nobody")
    db.session.commit()
    response = client.get(f"/diablo/my/{nobody.feed_address}.ics")
    assert check_calendar(response.data) == {}  # still a calendar, with its VTIMEZONE
    assert "BEGIN:VTIMEZONE" in response.get_data(as_text=True)
    assert client.get("/diablo/my/not-a-token.ics").status_code == 404


def test_e1_regenerating_the_token_retires_the_old_address(
    client: FlaskClient, built: Built
) -> None:
    old = built.fan.feed_address
    assert client.get(f"/diablo/my/{old}.ics").status_code == 200
    assert client.post("/my/calendar-token", data={"confirm": "y"}).status_code == 302  # log in
    assert db.session.get(User, built.fan.id).feed_address == old  # type: ignore[union-attr]

    login(client, built.fan)
    # Confirm before acting: without the confirmation, the address stays and a page asks.
    asked = client.post("/my/calendar-token", data={"next": "/diablo/"})
    assert asked.status_code == 303 and "/my/calendar-token" in asked.headers["Location"]
    page = client.get(asked.headers["Location"]).text
    assert "Yes, make a new address" in page and 'name="next" value="/diablo/"' in page
    assert db.session.get(User, built.fan.id).feed_address == old  # type: ignore[union-attr]
    response = client.post("/my/calendar-token", data={"next": "/diablo/", "confirm": "y"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/diablo/"
    db.session.expire_all()
    new = db.session.get(User, built.fan.id).feed_address  # type: ignore[union-attr]
    assert new != old
    assert client.get(f"/diablo/my/{old}.ics").status_code == 404
    assert client.get(f"/diablo/my/{new}.ics").status_code == 200
    # No open redirect; the profile is the default.
    response = client.post(
        "/my/calendar-token", data={"next": "https://evil.example/", "confirm": "y"}
    )
    assert response.headers["Location"].endswith("/account")
    assert "evil" not in client.get("/my/calendar-token?next=https://evil.example/").text


def test_e1_regenerating_the_token_needs_the_csrf_token(built: Built, database_url: str) -> None:
    from summit import create_app
    from tests.conftest import config_for

    guarded = create_app(config_for(database_url, WTF_CSRF_ENABLED=True))
    client = guarded.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{built.fan.id}:{built.fan.session_token}:{int(time.time())}"
        session["_fresh"] = True
    old = built.fan.feed_address
    assert client.post("/my/calendar-token").status_code == 400
    with guarded.app_context():
        assert db.session.get(User, built.fan.id).feed_address == old  # type: ignore[union-attr]
        db.session.remove()
        db.engine.dispose()


def test_e1_regenerate_feed_token_service(built: Built) -> None:
    old = built.speaker.feed_token
    new = accounts.regenerate_feed_token(built.speaker.id)
    assert new != old
    assert built.speaker.feed_token == new
    assert len(new) >= 32


def test_e1_one_session_for_add_to_calendar(
    client: FlaskClient, built: Built, make_summit: Callable[..., Summit]
) -> None:
    session = built.sessions[1]
    response = client.get(f"/diablo/sessions/{session.id}.ics")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert set(check_calendar(response.data)) == {uid("session", session.id)}

    draft = DesignSession(summit_id=built.summit.id, track_id=built.summit.tracks[0].id, title="X")
    db.session.add(draft)
    make_summit("essex", current=False)
    db.session.commit()
    assert client.get(f"/diablo/sessions/{draft.id}.ics").status_code == 404  # not published
    assert client.get(f"/essex/sessions/{session.id}.ics").status_code == 404  # other summit
    assert client.get("/diablo/sessions/999999.ics").status_code == 404


def test_e1_unpublished_summit_feed_is_a_valid_calendar(
    client: FlaskClient, make_summit: Callable[..., Summit]
) -> None:
    make_summit()
    db.session.commit()
    response = client.get("/diablo/schedule.ics")
    assert check_calendar(response.data) == {}
    assert "BEGIN:VTIMEZONE" in response.get_data(as_text=True)


def test_e1_a_personal_address_needs_the_whole_secret(client: FlaskClient, built: Built) -> None:
    """The id finds the person; the token must then match in full (compared in constant time)."""
    good = built.fan.feed_address
    assert client.get(f"/diablo/my/{good}.ics").status_code == 200
    user_id, _, token = good.partition("-")
    for wrong in (
        f"{user_id}-{token[:-1]}",
        f"{user_id}-{token}x",
        f"{built.speaker.id}-{token}",
        token,
        f"-{token}",
        f"{user_id}-",
        f"99999999999-{token}",
    ):
        assert client.get(f"/diablo/my/{wrong}.ics").status_code == 404, wrong


def test_e1_an_edited_social_event_or_talk_raises_its_sequence(
    client: FlaskClient, built: Built
) -> None:
    from summit.services import summits as summit_service

    before = icalendar.Calendar.from_ical(client.get("/diablo/schedule.ics").data)
    party_before = next(
        e for e in before.walk("VEVENT") if str(e["UID"]) == uid("social", built.party.id)
    )
    summit_service.save_social_event(
        built.organizer.id,
        built.summit.id,
        built.party.id,
        title="Developer party",
        starts_at=datetime(2011, 4, 27, 20, 0),  # noqa: DTZ001 - an hour later, venue time
        ends_at=datetime(2011, 4, 27, 23, 0),  # noqa: DTZ001 - as the form gives it
        place="Terrace",
        sponsor="Cisco",
    )
    summit_service.save_program_item(  # the same values: nothing a calendar shows changes
        built.organizer.id,
        built.summit.id,
        built.keynote.id,
        title=built.keynote.title,
        kind=built.keynote.kind,
        track_name=built.keynote.track_name,
        place=built.keynote.place,
        speaker=built.keynote.speaker,
        starts_at=built.keynote.starts_at.astimezone(built.summit.zone).replace(tzinfo=None),
        ends_at=built.keynote.ends_at.astimezone(built.summit.zone).replace(tzinfo=None),
    )
    db.session.commit()
    after = icalendar.Calendar.from_ical(client.get("/diablo/schedule.ics").data)
    events = {str(e["UID"]): e for e in after.walk("VEVENT")}
    party = events[uid("social", built.party.id)]
    assert int(party["SEQUENCE"]) == int(party_before["SEQUENCE"]) + 1
    assert party.decoded("DTSTART").hour == 20
    assert party.decoded("LAST-MODIFIED") >= party_before.decoded("LAST-MODIFIED")
    assert int(events[uid("program", built.keynote.id)]["SEQUENCE"]) == 0
