"""P4: schedule releases. The diff is a pure function (no app here for its tests); every
public surface reads the latest release only; publishing goes through Review changes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from summit.extensions import db
from summit.models import (
    Blueprint,
    BlueprintStatus,
    DesignSession,
    OutboxEmail,
    PublishedSession,
    ScheduleRelease,
    Summit,
    User,
)
from summit.services import scheduling
from summit.services.changes import (
    CANCELLED,
    KINDS,
    Change,
    ChangeKind,
    Facts,
    diff,
    next_release,
    sequence,
)
from summit.services.errors import Conflict
from tests.conftest import login
from tests.factories import Published, build_published, public_copy

# --- the pure diff -------------------------------------------------------------------------

T0 = datetime(2011, 4, 27, 16, 0, tzinfo=UTC)


def facts(sid: int, **changes: object) -> Facts:
    base = Facts(
        session_id=sid,
        title=f"Session {sid}",
        starts_at=T0 + timedelta(hours=sid),
        ends_at=T0 + timedelta(hours=sid, minutes=40),
        room_id=1,
        day_id=1,
        start_slot=sid,
        track_id=1,
        lead_id=100 + sid,
        lead_name=f"Lead {sid}",
        description=f"About {sid}.",
        blueprints=((sid, f"Blueprint {sid}"),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def kinds(changes: list[Change]) -> Counter[tuple[ChangeKind, int]]:
    return Counter((c.kind, c.session_id) for c in changes)


def test_p4_diff_each_kind_appears_exactly_once_and_unchanged_never() -> None:
    last = {
        1: facts(1),
        2: facts(2),
        3: facts(3),
        4: facts(4),
        5: facts(5),
        6: facts(6, status=CANCELLED),
        8: facts(8),
    }
    later = T0 + timedelta(days=1)
    draft = {
        1: facts(1),  # unchanged
        2: facts(2, starts_at=later, ends_at=later + timedelta(minutes=40), start_slot=0),
        3: facts(3, title="A new title"),
        4: facts(4, lead_id=999, lead_name="Someone else"),
        # 5 is gone from the draft: cancelled
        6: facts(6, room_id=2),  # restored, in another room: restored, not also moved
        7: facts(7),  # new
        8: facts(8, status=CANCELLED),  # cancelled explicitly
    }
    found = kinds(diff(last, draft))
    assert found == Counter(
        {
            (ChangeKind.MOVED, 2): 1,
            (ChangeKind.RETITLED, 3): 1,
            (ChangeKind.LEAD_CHANGED, 4): 1,
            (ChangeKind.CANCELLED, 5): 1,
            (ChangeKind.RESTORED, 6): 1,
            (ChangeKind.NEW, 7): 1,
            (ChangeKind.CANCELLED, 8): 1,
        }
    )
    moved = next(c for c in diff(last, draft) if c.kind is ChangeKind.MOVED)
    assert moved.before == last[2] and moved.after == draft[2]  # from → to


def test_p4_diff_of_a_first_release_is_all_new_and_a_same_draft_has_none() -> None:
    draft = {i: facts(i) for i in (1, 2, 3)}
    assert kinds(diff(None, draft)) == Counter({(ChangeKind.NEW, i): 1 for i in (1, 2, 3)})
    assert diff(draft, dict(draft)) == []
    # A session cancelled before it was ever public never shows.
    assert diff(None, {1: facts(1, status=CANCELLED)}) == []
    # One still cancelled stays out of the next diff.
    gone = {1: facts(1, status=CANCELLED)}
    assert diff(gone, {}) == []


def test_p4_a_session_moved_and_retitled_appears_once_in_each_group() -> None:
    last = {1: facts(1)}
    draft = {1: facts(1, room_id=2, title="Both")}
    assert [c.kind for c in diff(last, draft)] == [ChangeKind.MOVED, ChangeKind.RETITLED]


@pytest.mark.parametrize(
    ("change", "rises"),
    [
        ({"starts_at": T0, "ends_at": T0 + timedelta(minutes=40)}, True),
        ({"ends_at": T0 + timedelta(hours=1, minutes=90)}, True),  # a longer session
        ({"room_id": 7}, True),
        ({"title": "Renamed"}, True),
        ({"status": CANCELLED}, True),
        ({"description": "Other words"}, False),
        ({"lead_id": 5, "lead_name": "Other lead"}, False),
        ({"track_id": 9}, False),
        ({"blueprints": ()}, False),
    ],
)
def test_p4_sequence_rises_exactly_for_time_room_title_or_status(
    change: dict[str, object], rises: bool
) -> None:
    before = facts(1, sequence=3)
    after = replace(facts(1), **change)  # type: ignore[arg-type]
    assert sequence(before, after) == (4 if rises else 3)
    assert next_release({1: before}, {1: after})[1].sequence == (4 if rises else 3)
    assert diff({1: before}, {1: after}) != []  # every public fact is in the diff


FIELDS = {
    "title": st.sampled_from(["A", "B"]),
    "room_id": st.sampled_from([1, 2]),
    "lead_name": st.sampled_from(["X", "Y"]),
    "status": st.sampled_from(["scheduled", "cancelled"]),
    "description": st.sampled_from(["d", "e"]),
    "starts_at": st.sampled_from([T0, T0 + timedelta(hours=1)]),
}
snapshots = st.dictionaries(
    st.integers(1, 6),
    st.fixed_dictionaries(FIELDS),
    max_size=6,
).map(lambda d: {sid: facts(sid, **fields) for sid, fields in d.items()})


@settings(max_examples=150, deadline=None, derandomize=True)
@given(last=snapshots, draft=snapshots)
def test_p4_diff_properties(last: dict[int, Facts], draft: dict[int, Facts]) -> None:
    draft = {k: v for k, v in draft.items() if not v.cancelled}  # the draft holds no cancelled
    changes = diff(last, draft)
    counted = kinds(changes)
    assert all(n == 1 for n in counted.values())
    changed = {c.session_id for c in changes}
    frozen = next_release(last, draft)
    for sid in set(last) | set(draft):
        before, after = last.get(sid), frozen.get(sid)
        same = (before is not None and after is not None and before.public() == after.public()) or (
            before is None and after is None
        )
        assert (sid not in changed) == same
        if before is not None and after is not None:
            bump = (before.place(), before.title, before.status) != (
                after.place(),
                after.title,
                after.status,
            )
            assert after.sequence == before.sequence + bump

    # Replaying the frozen release gives the same changes: the changelog agrees with them.
    def shape(cs: list[Change]) -> list[tuple[ChangeKind, int, Facts | None, Facts]]:
        return [(c.kind, c.session_id, c.before, c.after.public()) for c in cs]

    assert shape(diff(last, frozen)) == shape(changes)
    for sid in changed:
        mine = [KINDS.index(c.kind) for c in changes if c.session_id == sid]
        assert mine == sorted(mine)


# --- every public surface reads the latest release only ----------------------------------

CSRF = re.compile(rb'name="csrf_token"[^>]*value="[^"]*"|value="[^"]*"[^>]*name="csrf_token"')
STAMP = re.compile(rb"^DTSTAMP:.*$", re.M)


def surfaces(p: Published, app: Flask) -> dict[str, str]:
    """Every public surface that shows design sessions, for the fan (who starred session 2)."""
    s = p.sessions[2]
    lead = p.leads[2]
    urls = {
        "grid": "/diablo/schedule?day=2011-04-27",
        "grid day 3": "/diablo/schedule?day=2011-04-29",
        "session page": f"/diablo/sessions/{s.id}",
        "track nova": "/diablo/tracks/nova",
        "track swift": "/diablo/tracks/swift",
        "room ballroom-a": "/diablo/rooms/ballroom-a",
        "room winchester": "/diablo/rooms/winchester",
        "lead page": f"/diablo/leads/{lead.id}",
        "now and next": "/diablo/now",
        "my schedule": "/diablo/my-schedule",
        "summit feed": "/diablo/schedule.ics",
        "track feed": "/diablo/tracks/nova.ics",
        "room feed": "/diablo/rooms/ballroom-a.ics",
        "session feed": f"/diablo/sessions/{s.id}.ics",
        "personal feed": f"/diablo/my/{p.fan.feed_address}.ics",
        "frab xml": "/diablo/schedule.xml",
        "frab json": "/diablo/schedule.json",
        "api session": f"/api/v1/summits/diablo/sessions/{s.id}",
        "api sessions": "/api/v1/summits/diablo/sessions",
        "api schedule": "/api/v1/summits/diablo/schedule",
    }
    client = app.test_client()
    login(client, p.fan)
    out = {}
    for name, url in urls.items():
        response = client.get(url)
        body = STAMP.sub(b"", CSRF.sub(b"", response.data))
        out[name] = f"{response.status_code} {response.headers.get('ETag', '')}\n" + body.decode()
    return out


def _blueprint(p: Published) -> None:
    s = p.sessions[2]
    db.session.add(
        Blueprint(
            summit_id=p.summit.id,
            track_id=s.track_id,
            submitter_id=p.leads[2].id,
            title="A freshly linked blueprint",
            status=BlueprintStatus.ACCEPTED,
            session_id=s.id,
        )
    )


def _room(p: Published, slug: str) -> int:
    return next(r.id for r in p.summit.rooms if r.slug == slug)


# Each public fact of session 2 ("Nova scheduler filters", Wed 09:50, Ballroom A, two slots,
# track Nova, Lead 2), edited in the draft; and the surfaces that must show the edit.
SESSION_PAGES = {"session page", "api session", "frab xml", "frab json", "session feed"}
LISTS = {"summit feed", "personal feed", "api sessions", "api schedule", "my schedule"}
EDITS: dict[str, tuple[Callable[[Published], None], set[str]]] = {
    "title": (
        lambda p: setattr(p.sessions[2], "title", "Filters, revisited"),
        SESSION_PAGES | LISTS | {"grid", "track nova", "room ballroom-a", "lead page"},
    ),
    "description": (
        lambda p: setattr(p.sessions[2], "description", "Entirely new words."),
        SESSION_PAGES | {"summit feed", "personal feed", "api sessions", "api schedule"},
    ),
    "lead": (
        lambda p: setattr(p.sessions[2], "lead_id", p.leads[0].id),
        SESSION_PAGES | LISTS | {"grid", "lead page"},
    ),
    "lead's name": (
        lambda p: setattr(p.leads[2], "name", "Lead Two Renamed"),
        SESSION_PAGES | LISTS | {"grid", "lead page"},
    ),
    "track": (
        lambda p: setattr(
            p.sessions[2], "track_id", next(t.id for t in p.summit.tracks if t.slug == "swift")
        ),
        SESSION_PAGES | LISTS | {"grid", "track nova", "track swift"},
    ),
    "length": (
        lambda p: setattr(p.sessions[2], "length_slots", 1),
        SESSION_PAGES | LISTS | {"grid", "track nova", "room ballroom-a", "lead page"},
    ),
    "start": (
        lambda p: setattr(p.sessions[2], "start_slot", 5),
        SESSION_PAGES | LISTS | {"grid", "track nova", "room ballroom-a", "now and next"},
    ),
    "day": (
        lambda p: setattr(p.sessions[2], "day_id", p.summit.design_days[2].id),
        SESSION_PAGES | LISTS | {"grid", "grid day 3", "track nova", "now and next"},
    ),
    "room": (
        lambda p: setattr(p.sessions[2], "room_id", _room(p, "winchester")),
        SESSION_PAGES | LISTS | {"grid", "room ballroom-a", "room winchester"},
    ),
    "blueprints": (_blueprint, SESSION_PAGES | {"api sessions", "api schedule"}),
    "status": (
        lambda p: scheduling.set_cancelled(p.organizer.id, p.summit.id, p.sessions[2].id, True),
        (SESSION_PAGES - {"session page"})
        | LISTS
        | {"grid", "track nova", "room ballroom-a", "lead page", "now and next"},
    ),
}


@pytest.mark.parametrize("fact", list(EDITS))
def test_p4_no_public_surface_shows_a_draft_edit_until_publish_then_every_one_does(
    app: Flask,
    make_summit: Callable[..., Summit],
    make_user: Callable[..., User],
    fact: str,
) -> None:
    app.config["NOW"] = datetime(2011, 4, 27, 16, 5, tzinfo=UTC)  # Wed 09:05 in Santa Clara
    p = build_published(make_summit, make_user)
    before = surfaces(p, app)
    assert all(text.startswith("200 ") for text in before.values()), [
        k for k, v in before.items() if not v.startswith("200 ")
    ]
    edit, shown_on = EDITS[fact]
    edit(p)
    db.session.commit()
    draft = surfaces(p, app)
    assert [name for name in before if draft[name] != before[name]] == []
    scheduling.publish(p.organizer.id, p.summit.id)
    db.session.commit()
    after = surfaces(p, app)
    assert {name for name in before if after[name] != before[name]} >= shown_on


# --- review changes, then publish exactly what was reviewed -------------------------------


@pytest.fixture
def published(make_summit: Callable[..., Summit], make_user: Callable[..., User]) -> Published:
    return build_published(make_summit, make_user)


def _move_session_two(p: Published) -> None:
    s = p.sessions[2]
    s.room_id, s.pinned = _room(p, "winchester"), True
    db.session.commit()


def test_p4_review_lists_the_move_with_its_people_and_mails_and_publishes_nothing(
    client: FlaskClient, published: Published
) -> None:
    _move_session_two(published)
    published.sessions[3].title = "Swift auth, renamed"
    db.session.commit()
    login(client, published.organizer)
    base = f"/organizer/summits/{published.summit.id}/schedule"
    mails_before = db.session.scalars(select(OutboxEmail.id)).all()  # the first release's
    page = client.get(f"{base}/review")
    assert page.status_code == 200
    html = page.text
    moved = html[
        html.index('id="changes-moved"') : html.index(
            "</section>", html.index('id="changes-moved"')
        )
    ]
    assert "Nova scheduler filters" in moved
    assert "from Wednesday 27 April, 09:50–11:20, Ballroom A" in moved
    assert "to Wednesday 27 April, 09:50–11:20, Winchester" in moved
    assert '<span class="affected">2</span> people affected' in moved  # its lead and the fan
    assert "Lead 2 (lead)" in moved and "Fan Favourite (starred it)" in moved
    assert 'id="changes-retitled"' in html and "was “Swift auth middleware”" in html
    assert "Mails that will go (4)" in html  # lead and fan of the move and of the rename
    # Looking published nothing and queued nothing.
    assert db.session.scalar(select(func.count()).select_from(ScheduleRelease)) == 1
    assert db.session.scalars(select(OutboxEmail.id)).all() == mails_before
    # The draft grid marks the changes and can show only them.
    grid = client.get(base).text
    assert "changed-moved" in grid and "2 sessions differ from the last release" in grid
    assert '<span class="tag pinned">pinned</span>' in grid
    only = client.get(f"{base}?changes=1").text
    assert f'data-session="{published.sessions[0].id}"' in grid
    assert f'data-session="{published.sessions[0].id}"' not in only
    assert f'data-session="{published.sessions[2].id}"' in only


def _confirm(client: FlaskClient, p: Published, **overrides: object) -> object:
    reviewed = scheduling.review(p.summit.id)
    data = {"base": reviewed.base, "digest": reviewed.digest, "note": "Room swap"} | overrides
    return client.post(f"/organizer/summits/{p.summit.id}/schedule/publish", data=data)


def test_p4_confirming_publishes_release_two_with_its_mails_and_changelog(
    client: FlaskClient, published: Published
) -> None:
    _move_session_two(published)
    login(client, published.organizer)
    first_release_mails = db.session.scalar(select(func.max(OutboxEmail.id))) or 0
    response = _confirm(client, published)
    assert response.status_code == 302  # type: ignore[attr-defined]
    latest = db.session.scalar(select(func.max(ScheduleRelease.number)))
    assert latest == 2
    mails = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.id > first_release_mails)
    ).all()
    assert {m.to_addr for m in mails} == {published.leads[2].email, published.fan.email}
    assert all("moved: Nova scheduler filters" in m.subject for m in mails)
    copy = public_copy(published.sessions[2])
    assert copy is not None and copy.sequence == 1
    changes = client.get("/diablo/changes").text
    assert changes.index("Release 2") < changes.index("Release 1")
    assert "Moved: “Nova scheduler filters”, from Wednesday 27 April, 09:50–11:20, Ballroom A" in (
        changes
    )
    assert "Room swap" in changes
    atom = ET.fromstring(client.get("/diablo/changes.atom").data)  # noqa: S314 - our own output
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = atom.findall("a:entry", ns)
    assert [e.findtext("a:title", namespaces=ns) for e in entries] == [
        "Release 2: 1 change",
        "Release 1: 6 changes",
    ]
    assert "Winchester" in (entries[0].findtext("a:content", namespaces=ns) or "")
    api = client.get("/api/v1/summits/diablo/releases").get_json()
    assert [r["number"] for r in api["items"]] == [2, 1]
    two = client.get("/api/v1/summits/diablo/releases/2").get_json()
    assert [(c["kind"], c["session"]) for c in two["changes"]] == [
        ("moved", published.sessions[2].id)
    ]
    assert two["changes"][0]["before"]["room"] == "Ballroom A"
    assert two["changes"][0]["after"]["room"] == "Winchester"
    assert client.get("/api/v1/summits/diablo/releases/3").status_code == 404
    frab = client.get("/diablo/schedule.json").get_json()
    assert frab["schedule"]["version"] == "2"


def test_p4_publishing_needs_the_confirmed_review(
    client: FlaskClient, published: Published
) -> None:
    _move_session_two(published)
    login(client, published.organizer)
    bare = client.post(f"/organizer/summits/{published.summit.id}/schedule/publish", data={})
    assert bare.status_code == 302 and bare.location.endswith("/schedule/review")
    assert db.session.scalar(select(func.count()).select_from(ScheduleRelease)) == 1


def test_p4_a_release_published_since_the_review_is_409(
    client: FlaskClient, published: Published
) -> None:
    _move_session_two(published)
    login(client, published.organizer)
    stale = scheduling.review(published.summit.id)
    published.sessions[3].title = "Swift auth, renamed"
    scheduling.publish(published.organizer.id, published.summit.id)  # another organizer
    db.session.commit()
    response = client.post(
        f"/organizer/summits/{published.summit.id}/schedule/publish",
        data={"base": stale.base, "digest": stale.digest},
    )
    assert response.status_code == 409
    assert "Release 2 was published since you reviewed" in response.text
    assert db.session.scalar(select(func.max(ScheduleRelease.number))) == 2


def test_p4_a_draft_changed_since_the_review_is_409(
    client: FlaskClient, published: Published
) -> None:
    _move_session_two(published)
    login(client, published.organizer)
    stale = scheduling.review(published.summit.id)
    published.sessions[0].title = "Edited after the review"
    db.session.commit()
    response = client.post(
        f"/organizer/summits/{published.summit.id}/schedule/publish",
        data={"base": stale.base, "digest": stale.digest},
    )
    assert response.status_code == 409
    assert "The draft changed since you reviewed it" in response.text
    assert db.session.scalar(select(func.max(ScheduleRelease.number))) == 1
    with pytest.raises(Conflict):
        scheduling.publish(
            published.organizer.id, published.summit.id, base=stale.base, digest=stale.digest
        )


def test_p4_releases_keep_every_row(published: Published) -> None:
    """Each release holds every public session; old ones stay as they were."""
    _move_session_two(published)
    scheduling.publish(published.organizer.id, published.summit.id)
    db.session.commit()
    counts = dict(
        db.session.execute(
            select(ScheduleRelease.number, func.count(PublishedSession.id))
            .join(PublishedSession)
            .group_by(ScheduleRelease.number)
        ).all()
    )
    assert counts == {1: 6, 2: 6}
    first = db.session.scalars(
        select(PublishedSession)
        .join(ScheduleRelease)
        .where(ScheduleRelease.number == 1, PublishedSession.session_id == published.sessions[2].id)
    ).one()
    assert first.room_id == _room(published, "ballroom-a") and first.sequence == 0


def test_s5_a_hand_move_is_pinned_and_a_re_solve_keeps_it(published: Published) -> None:
    s = published.sessions[2]
    scheduling.move(
        published.organizer.id,
        published.summit.id,
        s.id,
        day_id=s.day_id or 0,
        slot=5,
        room_id=_room(published, "winchester"),
    )
    assert s.pinned
    ctx = scheduling.load(published.summit.id)
    problem = scheduling.to_problem(ctx, with_previous=True)
    locked = {p.session: p for p in problem.locked}
    assert locked[str(s.id)].slot == 5 and locked[str(s.id)].room == str(s.room_id)
    scheduling.set_pin(published.organizer.id, published.summit.id, s.id, False)
    problem = scheduling.to_problem(scheduling.load(published.summit.id), with_previous=True)
    assert str(s.id) not in {p.session for p in problem.locked}


def test_s5_a_re_solve_keeps_the_pinned_hand_move_and_lists_what_it_moved(
    published: Published,
) -> None:
    from scheduler import SolveOptions, solve

    s = published.sessions[2]
    winchester = _room(published, "winchester")
    scheduling.move(
        published.organizer.id,
        published.summit.id,
        s.id,
        day_id=s.day_id or 0,
        slot=5,
        room_id=winchester,
    )
    ctx = scheduling.load(published.summit.id)
    problem = scheduling.to_problem(ctx, with_previous=True)
    result = solve(problem, SolveOptions(time_limit=5, seed=1))
    before = {x.id: (x.day_id, x.start_slot, x.room_id) for x in published.sessions}
    moved = scheduling.record_result(published.organizer.id, published.summit.id, result)
    assert (s.start_slot, s.room_id) == (5, winchester)  # the pinned hand move stays
    assert s.id not in {m.session_id for m in moved}
    changed = {
        x.id for x in published.sessions if before[x.id] != (x.day_id, x.start_slot, x.room_id)
    }
    assert {m.session_id for m in moved} == changed
    for m in moved:
        assert re.fullmatch(r"\w+day \d\d \w+, \d\d:\d\d, .+", m.before), m.before
        assert re.fullmatch(r"\w+day \d\d \w+, \d\d:\d\d, .+", m.after), m.after


def test_s5_the_schedule_page_lists_what_the_last_solve_moved(
    client: FlaskClient, published: Published
) -> None:
    import json

    from summit import jobs
    from summit.models import Job, JobStatus

    jobs.enqueue("solve_schedule", summit_id=published.summit.id, actor_id=None, payload={})
    job = db.session.scalars(select(Job)).one()
    job.status = JobStatus.DONE
    moved = [{"session": 3, "title": "Nova scheduler filters", "from": "A", "to": "B"}]
    job.result = json.dumps({"moved": moved})
    db.session.commit()
    login(client, published.organizer)
    html = client.get(f"/organizer/summits/{published.summit.id}/schedule").text
    assert "The last solve moved 1 session<" in html
    assert "<strong>Nova scheduler filters</strong>: from A → to B" in html


def test_p4_the_sessions_catalogue_shows_the_release_with_times_and_rooms(
    client: FlaskClient, published: Published
) -> None:
    """The catalogue attendees star from: a published session as released, with its day,
    time and room (P5); a session not yet scheduled by its own title."""
    session = published.sessions[0]
    old_title = session.title
    session.title = "A draft title nobody may see yet"
    db.session.commit()
    page = client.get("/diablo/sessions").text
    assert old_title in page and "A draft title nobody may see yet" not in page
    line = page[page.index(f'id="session-{session.id}"') :].split("</li>")[0]
    assert "Wed 27 Apr 09:00" in line and "Ballroom A" in line
    scheduling.publish(published.organizer.id, published.summit.id)
    db.session.add(
        DesignSession(
            summit_id=published.summit.id,
            track_id=session.track_id,
            lead_id=published.leads[1].id,
            title="Accepted, not placed",
        )
    )
    db.session.commit()
    page = client.get("/diablo/sessions").text
    assert "A draft title nobody may see yet" in page
    assert "Accepted, not placed" in page and "time to be announced" in page
