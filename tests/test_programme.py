"""P1-P3: the published schedule for everyone, the organizers' draft preview, My schedule."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from summit.extensions import db
from summit.models import Blueprint, BlueprintStatus, DesignSession, Interest, OutboxEmail
from summit.services import scheduling
from summit.services import summits as summit_service
from summit.services.errors import Conflict
from tests.conftest import login
from tests.factories import Published, build_published, public_sequence

DAY1 = "2011-04-27"


def grid_of(html: str) -> str:
    match = re.search(r'<table class="grid public-grid".*?</table>', html, re.S)
    assert match, "the day has no grid"
    return match.group(0)


def test_p1_the_public_sees_only_the_published_schedule(
    client: FlaskClient, published: Published
) -> None:
    moved = published.sessions[0]
    moved.start_slot = 3  # a draft move, not published yet
    db.session.commit()
    public = client.get(f"/diablo/schedule?day={DAY1}").get_data(as_text=True)
    assert "Nova API version two" in public
    assert re.search(
        r"09:00</time></th>\s*<td[^>]*>\s*<span[^>]*>Nova</span>\s*<a[^>]*>Nova API", public
    )
    assert client.get(f"/diablo/schedule?day={DAY1}&draft=1").status_code == 403

    login(client, published.organizer)
    draft = client.get(f"/diablo/schedule?day={DAY1}&draft=1").get_data(as_text=True)
    assert "draft preview" in draft
    assert re.search(
        r"11:30</time></th>\s*<td[^>]*>\s*<span[^>]*>Nova</span>\s*<a[^>]*>Nova API", draft
    )
    page = client.get(f"/diablo/sessions/{moved.id}").get_data(as_text=True)
    assert "In the organizers' draft" in page


def test_p1_an_unpublished_session_is_not_on_the_public_grid(
    client: FlaskClient, published: Published
) -> None:
    s = published.sessions[0]
    db.session.add(
        DesignSession(
            summit_id=published.summit.id,
            track_id=s.track_id,
            title="Brand new draft session",
            day_id=s.day_id,
            start_slot=4,
            room_id=s.room_id,
        )
    )
    db.session.commit()
    assert "Brand new draft session" not in client.get(f"/diablo/schedule?day={DAY1}").text


def test_p2_day_grid_has_rooms_across_tracks_labelled_and_a_legend(
    client: FlaskClient, published: Published
) -> None:
    html = client.get(f"/diablo/schedule?day={DAY1}").get_data(as_text=True)
    grid = grid_of(html)
    headings = re.findall(r'<th scope="col">(?:<a[^>]*>)?([^<]+)', grid)
    assert headings == ["Time", "Ballroom A", "Bayshore", "Winchester"]
    # Every session carries its track's name, not only its colour.
    assert grid.count(">Nova</span>") == 2 and grid.count(">Swift</span>") == 2
    assert 'rowspan="2"' in grid  # the two-slot session spans two rows
    legend = html[html.index('class="legend"') :]
    assert ">Nova</span>" in legend and ">Swift</span>" in legend
    # Lunch and the lightning talks sit between the morning and the afternoon.
    assert "Lunch" in grid and "Five minutes of Swift" in grid
    # The social event of the evening is listed with the day; the keynote on its own day.
    assert "Developers&#39; party" in html
    # Outside the summit's dates the page opens on the first Design Summit day.
    assert '<h2 id="day-h">Wednesday 27 April 2011</h2>' in client.get("/diablo/schedule").text
    keynote_day = client.get("/diablo/schedule?day=2011-04-26").get_data(as_text=True)
    assert "Opening keynote" in keynote_day and "Main hall" in keynote_day


def test_p2_times_are_in_the_summits_zone(client: FlaskClient, published: Published) -> None:
    html = client.get(f"/diablo/sessions/{published.sessions[3].id}").get_data(as_text=True)
    # The first afternoon slot, 13:40 in Santa Clara (UTC-7 in April), is 20:40 UTC.
    assert "Thursday 28 April, 13:40" in html and "America/Los_Angeles" in html
    assert 'datetime="2011-04-28T20:40:00+00:00"' in html


def test_p2_filters_by_track_and_room_keep_the_url_shareable(
    client: FlaskClient, published: Published
) -> None:
    swift_page = client.get(f"/diablo/schedule?day={DAY1}&track=swift").text
    swift_only = grid_of(swift_page)
    assert "Swift replication" in swift_only and "Nova API" not in swift_only
    one_room = client.get(f"/diablo/schedule?day={DAY1}&room=bayshore").text
    assert re.findall(r'<th scope="col">(?:<a[^>]*>)?([^<]+)', grid_of(one_room)) == [
        "Time",
        "Bayshore",
    ]
    both = client.get(f"/diablo/schedule?day={DAY1}&track=nova&track=swift&room=ballroom-a")
    assert "Nova scheduler filters" in both.text and "Swift replication" not in grid_of(both.text)
    # The day tabs keep the filter, so a link to another day stays filtered.
    tabs = re.search(r'<nav aria-label="Days".*?</nav>', swift_page, re.S)
    assert tabs and tabs.group(0).count("track=swift") == len(re.findall("<a ", tabs.group(0)))
    unknown = client.get("/diablo/schedule?track=nope")
    assert unknown.status_code == 400 and "no track" in unknown.text
    assert client.get("/diablo/schedule?day=someday").status_code == 400
    assert client.get("/diablo/schedule?day=2031-01-01").status_code == 404


def test_p2_session_page_shows_lead_track_room_time_blueprints_and_calendar_links(
    client: FlaskClient, published: Published
) -> None:
    s = published.sessions[0]
    html = client.get(f"/diablo/sessions/{s.id}").get_data(as_text=True)
    assert "Lead 0" in html and ">Nova</span>" in html
    assert "Ballroom A" in html and "Wednesday 27 April, 09:00" in html
    assert "Versioned compute API" in html  # the linked blueprint
    assert f"webcal://localhost/diablo/sessions/{s.id}.ics" in html
    assert f"http://localhost/diablo/sessions/{s.id}.ics" in html
    assert "interested" in html  # the star


def test_p2_track_room_and_lead_pages(client: FlaskClient, published: Published) -> None:
    track = client.get("/diablo/tracks/swift").get_data(as_text=True)
    assert "Swift replication" in track and "Nova API" not in track
    assert "/diablo/tracks/swift.ics" in track
    room = client.get("/diablo/rooms/winchester").get_data(as_text=True)
    assert "Swift auth middleware" in room and "Swift replication" not in room
    lead = client.get(f"/diablo/leads/{published.leads[1].id}").get_data(as_text=True)
    assert "Swift replication" in lead and "Nova API" not in lead
    speaker = client.get(f"/diablo/leads/{published.fan.id}").get_data(as_text=True)
    assert "Five minutes of Swift" in speaker
    assert client.get("/diablo/tracks/nope").status_code == 404
    assert client.get("/diablo/rooms/nope").status_code == 404
    assert client.get(f"/diablo/leads/{published.organizer.id}").status_code == 404


def test_p2_now_and_next_follows_the_clock(
    app: Flask, client: FlaskClient, published: Published
) -> None:
    # 10:00 in Santa Clara on the first Design Summit day.
    app.config["NOW"] = datetime(2011, 4, 27, 17, 0, tzinfo=UTC)
    html = client.get("/diablo/now").get_data(as_text=True)
    now = html[html.index('id="now"') : html.index('id="next"')]
    after = html[html.index('id="next"') :]
    assert "Nova scheduler filters" in now and "Swift large objects" in now
    assert "Nova API version two" not in now  # it ended at 09:40
    assert "Five minutes of Swift" in after  # the lightning talks after lunch
    app.config["NOW"] = datetime(2011, 5, 1, 0, 0, tzinfo=UTC)
    assert "the summit is over" in client.get("/diablo/now").text


def test_p3_my_schedule_lists_stars_and_my_talk_in_time_order_with_clashes(
    client: FlaskClient, published: Published
) -> None:
    assert client.get("/diablo/my-schedule").status_code == 302  # log in first
    login(client, published.fan)
    html = client.get("/diablo/my-schedule").get_data(as_text=True)
    mine = html[html.index('id="my-entries"') :]
    order = [
        "Nova scheduler filters",
        "Swift large objects",
        "Five minutes of Swift",
        "Swift auth middleware",
    ]
    positions = [mine.index(title) for title in order]
    assert positions == sorted(positions)
    assert "Nova API version two" not in mine  # not starred
    clashing = re.findall(
        r'<li class="entry kind-session clash"[^>]*>.*?<a[^>]*>([^<]+)', mine, re.S
    )
    assert sorted(clashing) == ["Nova scheduler filters", "Swift large objects"]
    assert "2 items of your schedule overlap" in html
    # P5: each clash names the other session, its time and its room.
    filters = mine[mine.index("Nova scheduler filters") :].split("</li>")[0]
    filters = re.sub(r"<[^>]+>", "", filters)  # the title and the room are marked as data
    assert "⚠ Clashes with “Swift large objects” (09:50–10:30, Bayshore)" in filters
    assert f"/diablo/my/{published.fan.feed_address}.ics" in html


def test_p3_my_schedule_holds_the_sessions_i_lead(
    client: FlaskClient, published: Published
) -> None:
    login(client, published.leads[4])
    html = client.get("/diablo/my-schedule").text
    assert "Zürich: Ünïcode für alle — 東京" in html[html.index('id="my-entries"') :]


def test_p1_cancelling_a_published_session_tells_lead_and_stargazers(
    client: FlaskClient, published: Published
) -> None:
    s = published.sessions[3]
    before = public_sequence(s)
    login(client, published.organizer)
    response = client.post(
        f"/organizer/summits/{published.summit.id}/sessions/{s.id}/cancel",
        data={"cancelled": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    s = db.session.get(DesignSession, s.id)
    assert s is not None and s.status == "cancelled"
    # P4: a cancellation is a draft change; the public and the people hear of it on publish.
    assert public_sequence(s) == before
    room_page = client.get("/diablo/rooms/winchester").text
    assert "Swift auth middleware" in room_page[room_page.index('<ol class="entries"') :]
    cancel_mails = select(OutboxEmail).where(OutboxEmail.subject.contains("cancelled"))
    assert not db.session.scalars(cancel_mails).first()
    scheduling.publish(published.organizer.id, published.summit.id)
    db.session.commit()
    assert public_sequence(s) == before + 1
    mails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.subject.contains("cancelled")))
    assert {m.to_addr for m in mails} == {published.leads[3].email, published.fan.email}
    room_page = client.get("/diablo/rooms/winchester").text
    assert "Swift auth middleware" not in room_page[room_page.index('<ol class="entries"') :]
    page = client.get(f"/diablo/sessions/{s.id}").text
    assert "cancelled" in page and "Restore the session" in page


def test_p1_moving_a_published_session_mails_its_stargazers(published: Published) -> None:
    s = published.sessions[2]
    s.room_id = next(r.id for r in published.summit.rooms if r.slug == "winchester")
    db.session.flush()
    scheduling.publish(published.organizer.id, published.summit.id)
    db.session.commit()
    mails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.subject.contains("moved")))
    assert {m.to_addr for m in mails} == {published.leads[2].email, published.fan.email}
    assert all("Winchester" in m.body for m in mails)


# --- a fixed number of queries, whatever the size of the summit -----------------------


def count_queries(app: Flask, client: FlaskClient, path: str) -> int:
    statements: list[str] = []

    def note(*args: object) -> None:
        statements.append(str(args[2]))

    with app.app_context():
        engine = db.engine
    db.session.commit()
    db.session.expire_all()  # every request starts from the database, as in production
    event.listen(engine, "before_cursor_execute", note)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert response.status_code == 200, path
    return len(statements)


PAGES = [
    f"/diablo/schedule?day={DAY1}",
    "/diablo/sessions/{session}",
    "/diablo/my-schedule",
    "/diablo/lightning",
    "/diablo/tracks/nova",
    "/diablo/now",
    "/diablo/search?q=nova",
    "/diablo/blueprints",
]


def test_p2_pages_issue_a_fixed_number_of_queries(
    app: Flask, client: FlaskClient, make_summit, make_user
) -> None:
    small = build_published(make_summit, make_user)
    login(client, small.fan)
    session_id = small.sessions[0].id
    before = {p: count_queries(app, client, p.format(session=session_id)) for p in PAGES}
    # Ten times the sessions and stars: every free cell of the first two days gets one.
    days, rooms = small.summit.design_days[:2], small.summit.rooms
    taken = {(s.day_id, s.start_slot, s.room_id) for s in small.sessions}
    taken |= {
        (s.day_id, (s.start_slot or 0) + 1, s.room_id)
        for s in small.sessions
        if s.length_slots == 2
    }
    track = small.summit.tracks[0]
    for day in days:
        for slot in range(8):
            for room in rooms:
                if (day.id, slot, room.id) in taken:
                    continue
                lead = make_user(name=f"Extra lead {day.id}-{slot}-{room.id}")
                extra = DesignSession(
                    summit_id=small.summit.id,
                    track_id=track.id,
                    lead_id=lead.id,
                    title=f"Extra session {day.id}-{slot}-{room.id}",
                    day_id=day.id,
                    start_slot=slot,
                    room_id=room.id,
                )
                db.session.add(extra)
                db.session.flush()
                db.session.add(Interest(user_id=small.fan.id, session_id=extra.id))
                db.session.add(
                    Blueprint(
                        summit_id=small.summit.id,
                        track_id=track.id,
                        submitter_id=lead.id,
                        title=f"Extra blueprint {extra.id}",
                        status=BlueprintStatus.ACCEPTED,
                        session_id=extra.id,
                    )
                )
    scheduling.publish(small.organizer.id, small.summit.id)
    db.session.commit()
    after = {p: count_queries(app, client, p.format(session=session_id)) for p in PAGES}
    assert after == before
    assert max(after.values()) <= 20


def test_p1_a_restored_session_is_public_again_only_once_published(
    client: FlaskClient, published: Published
) -> None:
    s = published.sessions[3]
    scheduling.set_cancelled(published.organizer.id, published.summit.id, s.id, True)
    scheduling.publish(published.organizer.id, published.summit.id)
    db.session.commit()
    cancelled_sequence = public_sequence(s)
    scheduling.set_cancelled(published.organizer.id, published.summit.id, s.id, False)
    db.session.commit()
    room = client.get("/diablo/rooms/winchester").text
    assert "Swift auth middleware" not in room[room.index('<ol class="entries"') :]
    s.day_id, s.start_slot = published.sessions[0].day_id, 6
    s.room_id = next(r.id for r in published.summit.rooms if r.slug == "bayshore")
    db.session.flush()
    assert "Swift auth middleware" not in client.get("/diablo/rooms/bayshore").text
    scheduling.publish(published.organizer.id, published.summit.id)
    db.session.commit()
    assert "Swift auth middleware" in client.get("/diablo/rooms/bayshore").text
    assert public_sequence(s) == cancelled_sequence + 1


def test_p1_draft_edits_stay_out_of_public_view_until_published(
    client: FlaskClient, published: Published
) -> None:
    s = published.sessions[3]
    s.length_slots, s.title = 2, "Swift auth, the sequel"
    s.track_id = next(t.id for t in published.summit.tracks if t.slug == "nova")
    db.session.commit()
    page = client.get(f"/diablo/sessions/{s.id}").text
    assert '<h1 translate="no">Swift auth middleware</h1>' in page and "13:40</time>–14:20" in page
    assert "Swift auth middleware" in client.get("/diablo/tracks/swift").text
    scheduling.publish(published.organizer.id, published.summit.id)
    db.session.commit()
    page = client.get(f"/diablo/sessions/{s.id}").text
    assert '<h1 translate="no">Swift auth, the sequel</h1>' in page and "13:40</time>–15:10" in page
    assert "Swift auth, the sequel" in client.get("/diablo/tracks/nova").text


def test_ids_too_large_for_the_database_are_404_not_500(
    client: FlaskClient, published: Published
) -> None:
    huge = 10**30
    login(client, published.organizer)
    for method, path in [
        ("get", f"/diablo/sessions/{huge}"),
        ("get", f"/diablo/sessions/{huge}.ics"),
        ("get", f"/diablo/leads/{huge}"),
        ("post", f"/diablo/lightning/slots/{huge}/block"),
        ("post", f"/organizer/summits/{published.summit.id}/sessions/{huge}/cancel"),
    ]:
        assert getattr(client, method)(path).status_code == 404, path
    booked = client.post("/diablo/lightning/book", data={"slot_id": huge, "title": "Big"})
    assert booked.status_code == 422 and "No such lightning slot" in booked.text


def test_state_changes_on_the_new_pages_need_the_csrf_token(
    database_url: str, published: Published
) -> None:
    from summit import create_app
    from tests.conftest import config_for

    live = create_app(config_for(database_url, WTF_CSRF_ENABLED=True))
    client = live.test_client()
    login_page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
    assert token
    client.post(
        "/login",
        data={"email": published.organizer.email, "password": "correct horse battery"}
        | {"csrf_token": token.group(1)},
    )
    slot = published.talk.slot_id
    for path, data in [
        (
            f"/organizer/summits/{published.summit.id}/sessions/{published.sessions[0].id}/cancel",
            {"cancelled": "y"},
        ),
        ("/diablo/lightning/book", {"slot_id": slot, "title": "No token"}),
        (f"/diablo/lightning/talks/{published.talk.id}/cancel", {}),
        (f"/diablo/lightning/talks/{published.talk.id}/remove", {}),
        (f"/diablo/lightning/slots/{slot}/block", {"blocked": "y"}),
        ("/diablo/lightning/limit", {"talks_per_day": 3}),
        ("/my/calendar-token", {}),
    ]:
        assert client.post(path, data=data).status_code == 400, path
    db.session.expire_all()
    assert (
        published.sessions[0].status == "active" and published.summit.lightning_talks_per_day == 1
    )
    with live.app_context():
        db.engine.dispose()


def _save_day(published: Published, day_index: int, **changes: object) -> None:
    day = published.summit.design_days[day_index]
    values = {
        "event_kind": "design_summit",
        "date": day.date,
        "first_slot": day.first_slot,
        "slot_minutes": day.slot_minutes,
        "break_minutes": day.break_minutes,
        "slots_before_lunch": day.slots_before_lunch,
        "lunch_minutes": day.lunch_minutes,
        "lightning_minutes": day.lightning_minutes,
        "lightning_slot_minutes": day.lightning_slot_minutes,
        "slots_after_lunch": day.slots_after_lunch,
    } | changes
    summit_service.save_day(published.organizer.id, published.summit.id, day.id, **values)  # type: ignore[arg-type]


def test_p1_a_new_day_timetable_moves_published_sessions_on_publish_and_says_so(
    client: FlaskClient, published: Published
) -> None:
    sequences = {s.id: public_sequence(s) for s in published.sessions}
    talk_sequence = published.talk.sequence
    _save_day(published, 0, first_slot=time(9, 30))
    db.session.commit()
    first_day = [s for s in published.sessions if s.day_id == published.summit.design_days[0].id]
    assert published.talk.sequence == talk_sequence + 1  # the lightning window moved at once
    page = client.get(f"/diablo/sessions/{published.sessions[0].id}").text
    assert "Wednesday 27 April, 09:00" in page  # P4: the release keeps its times
    scheduling.publish(published.organizer.id, published.summit.id)
    db.session.commit()
    assert all(public_sequence(s) == sequences[s.id] + 1 for s in first_day)
    assert all(
        public_sequence(s) == sequences[s.id] for s in published.sessions if s not in first_day
    )
    mails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.subject.contains("moved")))
    assert published.leads[0].email in {m.to_addr for m in mails}
    page = client.get(f"/diablo/sessions/{published.sessions[0].id}").text
    assert "Wednesday 27 April, 09:30" in page


def test_a_day_cannot_lose_the_slots_of_published_sessions(published: Published) -> None:
    with pytest.raises(Conflict, match="Swift auth middleware"):
        _save_day(published, 1, slots_after_lunch=0)
    db.session.rollback()
