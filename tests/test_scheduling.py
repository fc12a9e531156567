"""S5 and P1 in the app: solve in the worker, look at the draft, lock, move, publish."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import delete, select

from scheduler import Result, Status, Stop, check
from summit import jobs
from summit.extensions import db
from summit.models import (
    DesignSession,
    Interest,
    Job,
    JobStatus,
    OutboxEmail,
    Room,
    Summit,
    Track,
    User,
)
from summit.services import scheduling
from summit.services.errors import Conflict
from tests.conftest import login
from tests.factories import public_copy, public_sequence


@pytest.fixture
def summit(make_summit, make_user) -> Summit:
    """Three days, three rooms, two tracks, eight sessions, a few stars."""
    summit = make_summit()
    nova, swift = summit.tracks[0], summit.tracks[1]
    nova.window_day = summit.design_days[0]
    nova.window_part = "morning"  # Nova only on the first morning, like release management
    leads = [make_user(name=f"Lead {i}") for i in range(4)]
    fans = [make_user(name=f"Fan {i}") for i in range(6)]
    sessions = []
    for i in range(8):
        track = nova if i < 3 else swift
        sessions.append(
            DesignSession(
                summit_id=summit.id,
                track_id=track.id,
                lead_id=leads[i % 4].id,
                title=f"Session number {i}",
                length_slots=2 if i == 7 else 1,
            )
        )
    db.session.add_all(sessions)
    db.session.flush()
    for fan in fans:
        for s in sessions[:3] + sessions[5:6]:
            db.session.add(Interest(user_id=fan.id, session_id=s.id))
    db.session.commit()
    return summit


def solve_now(summit: Summit, time_limit: float = 2) -> None:
    ctx = scheduling.load(summit.id)
    from scheduler import SolveOptions, solve

    result = solve(scheduling.to_problem(ctx), SolveOptions(time_limit=time_limit, seed=1))
    scheduling.record_result(None, summit.id, result)
    db.session.commit()


def test_s5_the_problem_reflects_the_summit(summit: Summit) -> None:
    problem = scheduling.to_problem(scheduling.load(summit.id))
    assert len(problem.sessions) == 8
    assert [len(d.slots) for d in problem.days] == [8, 8, 8]
    assert {r.capacity for r in problem.rooms} == {160, 80, 30}
    nova = next(s for s in problem.sessions if s.title == "Session number 0")
    assert nova.allowed_windows is not None
    assert nova.allowed_windows[0].day == 0
    assert nova.allowed_windows[0].slots == (0, 1, 2, 3)
    assert nova.expected_attendance == 6  # the stars
    assert len(nova.interested) == 6
    assert next(s for s in problem.sessions if s.title == "Session number 7").duration_slots == 2


def test_s5_solving_runs_in_the_worker_and_reports_progress(
    app: Flask, client: FlaskClient, summit: Summit, make_user
) -> None:
    organizer = make_user(is_organizer=True)
    db.session.commit()
    login(client, organizer)
    response = client.post(
        f"/organizer/summits/{summit.id}/schedule/solve", data={"time_limit": "3", "resolve": ""}
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(select(DesignSession.day_id).where(DesignSession.day_id.is_not(None)))
        is None
    )  # nothing happened in the request
    again = client.post(f"/organizer/summits/{summit.id}/schedule/solve", data={"time_limit": "3"})
    assert again.status_code == 409  # one solve at a time
    assert jobs.run_pending(app) == 1
    job = db.session.scalar(select(Job))
    assert job is not None
    assert job.status == JobStatus.DONE
    assert job.done == job.total == 30
    outcome = json.loads(job.result)
    assert outcome["status"] in ("optimal", "feasible")
    assert outcome["goals"]["track_parallel_pairs"] == 0
    assert outcome["stopped_by"] in ("work", "clock", "done")
    assert "best possible schedule" in job.message  # the gap, in words
    assert "search" in job.message  # what stopped it, in words
    # P5: the score as its parts, not a bare number.
    assert f"score {outcome['objective']} (lower is better): " in job.message
    conflicts = outcome["goals"]["attendee_conflicts"]
    if conflicts:
        assert f"{conflicts} attendee clash" in job.message
    ctx = scheduling.load(summit.id)
    placements = scheduling.draft(ctx)
    assert len(placements) == 8
    assert check(scheduling.to_problem(ctx), placements) == []
    nova_days = {s.day_id for s in ctx.sessions if s.track.name == "Nova"}
    assert nova_days == {summit.design_days[0].id}
    page = client.get(f"/organizer/summits/{summit.id}/schedule").get_data(as_text=True)
    assert "Session number 7" in page
    assert 'rowspan="2"' in page  # the two-slot session spans two rows
    assert 'id="goal-parallel">0<' in page
    state = client.get(f"/organizer/jobs/{job.id}.json").get_json()
    assert state["status"] == "done"
    assert state["elapsed"] is not None


def test_s5_an_impossible_problem_is_explained(app: Flask, summit: Summit, make_user) -> None:
    for s in db.session.scalars(select(DesignSession)):
        s.expected_attendance = 500
    organizer = make_user(is_organizer=True)
    jobs.enqueue(
        "solve_schedule", summit_id=summit.id, actor_id=organizer.id, payload={"time_limit": 2}
    )
    db.session.commit()
    jobs.run_pending(app)
    job = db.session.scalar(select(Job))
    assert job is not None
    assert "expects 500 people, but the largest room holds 160" in job.message


def test_s5_lock_move_and_resolve_around_the_locks(summit: Summit, make_user) -> None:
    organizer = make_user(is_organizer=True)
    target = db.session.scalar(
        select(DesignSession).where(DesignSession.title == "Session number 3")
    )
    assert target is not None
    target.expected_attendance = 50
    solve_now(summit)
    ctx = scheduling.load(summit.id)
    swift = [s for s in ctx.sessions if s.track.name == "Swift" and s.length_slots == 1]
    days = summit.design_days
    small = next(r for r in summit.rooms if r.capacity == 30)
    # A move that breaks a rule is refused, with the reason.
    with pytest.raises(
        Conflict, match="“Session number 3” expects 50 people, but Winchester holds 30"
    ):
        scheduling.move(
            organizer.id, summit.id, target.id, day_id=days[2].id, slot=7, room_id=small.id
        )
    db.session.rollback()
    other = next(s for s in swift if s.id != target.id)
    with pytest.raises(Conflict, match="would both be in"):
        scheduling.move(
            organizer.id,
            summit.id,
            target.id,
            day_id=other.day_id or 0,
            slot=other.start_slot or 0,
            room_id=other.room_id or 0,
        )
    db.session.rollback()
    big = next(r for r in summit.rooms if r.capacity == 160)
    free_slot = _free_slot(summit, days[2].id, big.id)
    scheduling.move(
        organizer.id, summit.id, target.id, day_id=days[2].id, slot=free_slot, room_id=big.id
    )
    scheduling.set_lock(organizer.id, summit.id, target.id, True)
    db.session.commit()
    with pytest.raises(Conflict, match="unlock it before moving it"):
        scheduling.move(
            organizer.id, summit.id, target.id, day_id=days[1].id, slot=0, room_id=big.id
        )
    db.session.rollback()
    solve_now(summit)
    db.session.refresh(target)
    assert (target.day_id, target.start_slot, target.room_id) == (days[2].id, free_slot, big.id)


def _free_slot(summit: Summit, day_id: int, room_id: int) -> int:
    taken = set()
    for s in db.session.scalars(
        select(DesignSession).where(
            DesignSession.day_id == day_id, DesignSession.room_id == room_id
        )
    ):
        taken.update(range(s.start_slot or 0, (s.start_slot or 0) + s.length_slots))
    return next(i for i in range(4, 8) if i not in taken)


def test_p1_publish_raises_sequence_and_notifies_on_change(summit: Summit, make_user) -> None:
    organizer = make_user(is_organizer=True)
    db.session.commit()
    with pytest.raises(Conflict, match="no place yet"):
        scheduling.publish(organizer.id, summit.id)
    db.session.rollback()
    solve_now(summit)
    assert scheduling.publish(organizer.id, summit.id) == 0  # first publication: no change
    db.session.commit()
    # The first publication tells each lead when their session is (no calendar change).
    first = db.session.scalars(select(OutboxEmail)).all()
    assert {m.kind for m in first} == {"session_scheduled"}
    leads = db.session.scalars(
        select(DesignSession.lead_id).where(DesignSession.lead_id.is_not(None))
    )
    assert len(first) == len(list(leads))  # one per session
    db.session.execute(delete(OutboxEmail))
    db.session.commit()
    starred = db.session.scalar(
        select(DesignSession).where(DesignSession.title == "Session number 5")
    )
    assert starred is not None
    assert public_sequence(starred) == 0
    big = next(r for r in summit.rooms if r.capacity == 160)
    # A day the solver did not put it on, so that the move surely changes its time.
    day = next(d for d in reversed(summit.design_days) if d.id != starred.day_id)
    scheduling.move(
        organizer.id,
        summit.id,
        starred.id,
        day_id=day.id,
        slot=_free_slot(summit, day.id, big.id),
        room_id=big.id,
    )
    db.session.commit()
    copy = public_copy(starred)
    assert copy is not None and copy.day_id != starred.day_id  # the public sees the old place
    assert scheduling.publish(organizer.id, summit.id) == 1
    db.session.commit()
    assert public_sequence(starred) == 1
    copy = public_copy(starred)
    assert copy is not None and copy.day_id == day.id
    mails = db.session.scalars(select(OutboxEmail)).all()
    assert len(mails) == 7  # its lead and the six people who starred it
    assert all("moved: Session number 5" in m.subject for m in mails)
    assert sum("Your session moved" in m.subject for m in mails) == 1  # the lead's text
    assert all(f"{day.date:%A}" in m.body for m in mails)
    others = db.session.scalars(select(DesignSession).where(DesignSession.id != starred.id))
    assert {public_sequence(s) for s in others} == {0}


def test_schedule_command(runner: FlaskCliRunner, summit: Summit) -> None:
    result = runner.invoke(args=["summit", "schedule", "--time-limit", "2", "--publish"])
    assert result.exit_code == 0, result.output
    assert "for 8 sessions, 3 rooms, 3 days" in result.output
    assert "0 same-track pairs in parallel" in result.output
    assert "Published" in result.output
    assert db.session.scalar(select(Summit.published_at)) is not None


def test_schedule_pages_are_for_organizers(client: FlaskClient, summit: Summit, make_user) -> None:
    user = make_user()
    db.session.commit()
    login(client, user)
    assert client.get(f"/organizer/summits/{summit.id}/schedule").status_code == 403
    assert client.post(f"/organizer/summits/{summit.id}/schedule/publish").status_code == 403
    track = db.session.scalar(select(Track))
    assert track is not None


def test_s5_the_draft_grid_marks_clashes(client: FlaskClient, summit: Summit, make_user) -> None:
    organizer = make_user(is_organizer=True)
    solve_now(summit)
    a, b = db.session.scalars(
        select(DesignSession)
        .where(DesignSession.title.in_(["Session number 0", "Session number 1"]))
        .order_by(DesignSession.title)
    ).all()
    free_room = next(r for r in summit.rooms if r.id != a.room_id)
    if b.room_id == free_room.id and b.day_id == a.day_id and b.start_slot == a.start_slot:
        pass  # already parallel
    else:
        scheduling.move(
            organizer.id,
            summit.id,
            b.id,
            day_id=a.day_id or 0,
            slot=a.start_slot or 0,
            room_id=free_room.id,
        )
    db.session.commit()
    login(client, organizer)
    page = client.get(f"/organizer/summits/{summit.id}/schedule").get_data(as_text=True)
    # Same track in parallel, and six people who starred both: marked on both sessions.
    assert "⚠ clash: same track, 6 people with “Session number 1”" in page
    assert "⚠ clash: same track, 6 people with “Session number 0”" in page
    assert "Same track (Nova)</strong> in parallel" in page


@pytest.mark.parametrize(
    ("objective", "bound", "stopped", "words"),
    [
        (123, 100.0, Stop.CLOCK, "at most 23 % above the best possible schedule"),
        (100, 100.0, Stop.DONE, "It is the best possible schedule."),
        (50, 0.0, Stop.WORK, "No bound was found"),
    ],
)
def test_s3_s4_the_gap_and_what_stopped_the_search_in_words(
    objective: int, bound: float, stopped: Stop, words: str
) -> None:
    result = Result(Status.FEASIBLE, 1.0, objective, bound, 0.0, stopped_by=stopped)
    assert words in scheduling.gap_in_words(result)
    said = scheduling.stop_in_words(result)
    expected = {
        Stop.CLOCK: "The time limit stopped the search",
        Stop.WORK: "a rerun gives the same schedule",
        Stop.DONE: "ended on its own",
    }
    assert expected[stopped] in said


def test_s5_a_refused_move_says_titles_rooms_days_times_and_leads_never_ids(
    make_summit, make_user
) -> None:
    """Regression: `_words` replaced ids inside the checker's text, so with sessions 1 and
    11 "11: crosses…" became `1"Nova API": …`, and room 12 became "Ballroom2". The ids
    here have the same prefix shape (80001/800011, 70001/700012)."""
    summit = make_summit()
    organizer, lead = make_user(is_organizer=True), make_user(name="Ada Lead")
    ballroom = Room(id=70001, summit=summit, name="Ballroom", slug="ballroom-x", capacity=100)
    annex = Room(id=700012, summit=summit, name="Annex", slug="annex-x", capacity=100)
    db.session.add_all([ballroom, annex])
    nova, swift = summit.tracks[0], summit.tracks[1]
    day = summit.design_days[0]
    api = DesignSession(
        id=80001, summit_id=summit.id, track_id=nova.id, lead_id=lead.id, title="Nova API",
        length_slots=1, day_id=day.id, start_slot=0, room_id=annex.id,
    )  # fmt: skip
    images = DesignSession(
        id=800011, summit_id=summit.id, track_id=swift.id, lead_id=lead.id,
        title="Glance images", length_slots=1, day_id=day.id, start_slot=2, room_id=ballroom.id,
    )  # fmt: skip
    db.session.add_all([api, images])
    db.session.commit()
    with pytest.raises(Conflict) as taken:
        scheduling.move(organizer.id, summit.id, images.id, day_id=day.id, slot=0, room_id=annex.id)
    db.session.rollback()
    assert str(taken.value) == (
        "That move breaks a rule: “Nova API” and “Glance images” would both be in Annex on "
        "Wednesday 27 April at 09:00. Ada Lead leads both “Nova API” and “Glance images”, "
        "which would overlap on Wednesday 27 April at 09:00."
    )
    nova.window_day, nova.window_part = summit.design_days[1], "afternoon"
    db.session.commit()
    with pytest.raises(Conflict) as window:
        scheduling.move(organizer.id, summit.id, api.id, day_id=day.id, slot=1, room_id=annex.id)
    db.session.rollback()
    assert str(window.value) == (
        "That move breaks a rule: “Nova API” must stay within its track's time "
        "(Thursday 28 April afternoon)."
    )
    nova.window_day = None
    images.start_slot, images.room_id = 0, annex.id  # written around the checks
    db.session.commit()
    with pytest.raises(Conflict) as draft:
        scheduling.publish(organizer.id, summit.id)
    assert str(draft.value).startswith(
        "The draft breaks rules: “Nova API” and “Glance images” would both be in Annex on "
        "Wednesday 27 April at 09:00."
    )
    for message in (str(taken.value), str(window.value), str(draft.value)):
        assert not any(ident in message for ident in ("80001", "70001", "slot", "day 0"))


def test_s1_a_lead_marks_times_away_and_solver_hand_moves_and_grid_respect_them(
    client: FlaskClient, summit: Summit, make_user
) -> None:
    organizer, stranger = make_user(is_organizer=True), make_user()
    db.session.commit()
    lead = db.session.scalar(select(User).where(User.name == "Lead 3"))
    assert lead is not None
    days = summit.design_days
    login(client, lead)
    page = client.get(f"/{summit.slug}/availability")
    assert page.status_code == 200
    assert "Wednesday 27 April" in page.get_data(as_text=True)
    saved = client.post(
        f"/{summit.slug}/availability",
        data={"away": [f"{days[0].id}:morning", f"{days[1].id}:afternoon"]},
    )
    assert saved.status_code == 302
    ctx = scheduling.load(summit.id)
    person = next(p for p in scheduling.to_problem(ctx).people if p.id == f"u{lead.id}")
    assert {(u.day, u.slots) for u in person.unavailable} == {(0, (0, 1, 2, 3)), (1, (4, 5, 6, 7))}
    # The solver keeps the lead's sessions (3 and 7) out of those times.
    solve_now(summit)
    ctx = scheduling.load(summit.id)
    led = [s for s in ctx.sessions if s.lead_id == lead.id]
    assert len(led) == 2
    for s in led:
        taken = range(s.start_slot or 0, (s.start_slot or 0) + s.length_slots)
        assert not (s.day_id == days[0].id and any(t < 4 for t in taken)), s.title
        assert not (s.day_id == days[1].id and any(t >= 4 for t in taken)), s.title
    assert check(scheduling.to_problem(ctx), scheduling.draft(ctx)) == []
    # A hand move into a time the lead is away is refused, in words.
    three = next(s for s in led if s.title == "Session number 3")
    free = next(
        r
        for r in summit.rooms
        if not any(
            s.day_id == days[0].id and s.room_id == r.id and s.start_slot == 1 for s in ctx.sessions
        )
    )
    with pytest.raises(Conflict) as refused:
        scheduling.move(
            organizer.id, summit.id, three.id, day_id=days[0].id, slot=1, room_id=free.id
        )
    db.session.rollback()
    assert "Lead 3, who leads “Session number 3”, can't attend on Wednesday 27 April at" in str(
        refused.value
    )
    # Someone else may not mark the lead's times; an organizer may.
    login(client, stranger)
    assert client.get(f"/{summit.slug}/availability?user={lead.id}").status_code == 403
    login(client, organizer)
    where = f"{three.day_id}:{'morning' if (three.start_slot or 0) < 4 else 'afternoon'}"
    marked = client.post(f"/{summit.slug}/availability?user={lead.id}", data={"away": [where]})
    assert marked.status_code == 302
    # The draft grid now marks the session whose lead is away at its time.
    grid = client.get(f"/organizer/summits/{summit.id}/schedule").get_data(as_text=True)
    assert "breaks a rule: Lead 3, who leads “Session number 3”, can&#39;t attend" in grid
    with pytest.raises(Conflict, match="The draft breaks rules: Lead 3, who leads"):
        scheduling.publish(organizer.id, summit.id)


def test_s1_the_session_page_links_its_lead_to_their_availability(
    client: FlaskClient, summit: Summit
) -> None:
    session = db.session.scalar(
        select(DesignSession).where(DesignSession.title == "Session number 3")
    )
    assert session is not None and session.lead is not None
    login(client, session.lead)
    page = client.get(f"/{summit.slug}/sessions/{session.id}").get_data(as_text=True)
    assert f"/{summit.slug}/availability?user={session.lead.id}" in page
    assert "when you can't attend" in page
