"""P4: the migration turns the published_* shadow columns into release 1 and keeps every
published fact, and every row beside them (stars, blueprint links)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from summit import create_app
from summit.extensions import db
from summit.models import Summit
from summit.services import programme
from tests.conftest import config_for

BEFORE = "3983329f745b"


@pytest.fixture
def empty_database_url(postgres: Any, tmp_path: Any) -> str:
    if postgres is None:
        return f"sqlite:///{tmp_path / 'empty.db'}"
    name = f"empty_{uuid.uuid4().hex[:8]}"
    postgres.run_sql(f"CREATE DATABASE {name}")
    return str(postgres.url(name))


ROWS = [
    "INSERT INTO summit (id, name, slug, venue, timezone, is_current, description, published_at)"
    " VALUES (1, 'Diablo', 'diablo', '', 'America/Los_Angeles', true, '', '2011-04-20 10:00:00')",
    "INSERT INTO track (id, summit_id, name, slug, colour, description)"
    " VALUES (1, 1, 'Nova', 'nova', '#c0392b', ''), (2, 1, 'Swift', 'swift', '#2980b9', '')",
    "INSERT INTO room (id, summit_id, name, slug, capacity, layout)"
    " VALUES (1, 1, 'Ballroom A', 'ballroom-a', 100, 'fishbowl'),"
    " (2, 1, 'Bayshore', 'bayshore', 50, 'fishbowl')",
    "INSERT INTO event (id, summit_id, kind, starts_on, ends_on, capacity, open_seats,"
    " confirmed_count, policy) VALUES (1, 1, 'design_summit', '2011-04-27', '2011-04-29',"
    " 10, 10, 0, 'review')",
    "INSERT INTO day (id, event_id, date, first_slot, slot_minutes, break_minutes,"
    " slots_before_lunch, lunch_minutes, lightning_minutes, lightning_slot_minutes,"
    " slots_after_lunch) VALUES (1, 1, '2011-04-27', '09:00:00', 40, 10, 4, 60, 30, 5, 4),"
    " (2, 1, '2011-04-28', '09:00:00', 40, 10, 4, 60, 30, 5, 4)",
    "INSERT INTO user_account (id, email, name, affiliation, projects, is_organizer, claim,"
    " claim_project, claim_status, claim_note, verified_class, feed_token, created_at)"
    " VALUES (1, 'lead@example.org', 'Lena Lead', '', '', false, 'other', '', 'none', '',"
    " 'other', 'tok1', '2011-04-01 10:00:00'),"
    " (2, 'fan@example.org', 'Fay Fan', '', '', false, 'other', '', 'none', '', 'other', 'tok2',"
    " '2011-04-01 10:00:00')",
    # A: published at Wed slot 5 for two slots in Ballroom A as "Public title" (Nova); the
    # draft has moved, renamed, shortened and re-tracked it since. B: published, then
    # cancelled, from before titles were copied. C: never published.
    "INSERT INTO design_session (id, summit_id, track_id, lead_id, title, description,"
    " length_slots, status, locked, sequence, day_id, start_slot, room_id, published_day_id,"
    " published_start_slot, published_room_id, published_title, published_length_slots,"
    " published_track_id, changed_at, created_at, updated_at) VALUES"
    " (1, 1, 2, 1, 'Draft title', 'About A.', 1, 'active', false, 3, 2, 0, 2, 1, 5, 1,"
    " 'Public title', 2, 1, '2011-04-21 08:00:00', '2011-04-01 10:00:00',"
    " '2011-04-22 10:00:00'),"
    " (2, 1, 1, NULL, 'B', '', 1, 'cancelled', false, 1, NULL, NULL, NULL, 1, 0, 2, NULL,"
    " NULL, NULL, NULL, '2011-04-01 10:00:00', '2011-04-23 10:00:00'),"
    " (3, 1, 1, 2, 'C', '', 1, 'active', false, 0, 2, 1, 1, NULL, NULL, NULL, NULL, NULL,"
    " NULL, NULL, '2011-04-01 10:00:00', '2011-04-01 10:00:00')",
    "INSERT INTO blueprint (id, summit_id, track_id, submitter_id, title, description, url,"
    " length_slots, status, reason, session_id, created_at, updated_at) VALUES"
    " (1, 1, 1, 1, 'Linked one', '', '', 1, 'accepted', '', 1, '2011-04-01 10:00:00',"
    " '2011-04-01 10:00:00'),"
    " (2, 1, 1, 1, 'Rejected one', '', '', 1, 'rejected', '', 1, '2011-04-01 10:00:00',"
    " '2011-04-01 10:00:00'),"
    " (3, 1, 1, 2, 'Merged one', '', '', 1, 'merged', '', 2, '2011-04-01 10:00:00',"
    " '2011-04-01 10:00:00')",
    "INSERT INTO interest (id, user_id, session_id, created_at) VALUES"
    " (1, 2, 1, '2011-04-01 10:00:00'), (2, 2, 3, '2011-04-01 10:00:00'),"
    " (3, 1, 2, '2011-04-01 10:00:00')",
]


def test_p4_the_migration_turns_the_published_copy_into_release_one(
    empty_database_url: str,
) -> None:
    app = create_app(config_for(empty_database_url))
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            for row in ROWS:
                conn.execute(text(row))
        upgrade()
        with db.engine.connect() as conn:
            releases = conn.execute(
                text("SELECT id, summit_id, number, published_at, note FROM schedule_release")
            ).all()
            copies = conn.execute(
                text(
                    "SELECT session_id, title, description, lead_id, lead_name, track_id,"
                    " length_slots, day_id, start_slot, starts_at, ends_at, room_id, blueprints,"
                    " status, sequence FROM published_session ORDER BY session_id"
                )
            ).all()
            stars = conn.execute(text("SELECT count(*) FROM interest")).scalar()
            links = conn.execute(text("SELECT id, session_id FROM blueprint ORDER BY id")).all()
            columns = {c["name"] for c in inspect(conn).get_columns("design_session")}
        summit = db.session.get(Summit, 1)
        assert summit is not None
        public = {e.id: e for e in programme.load(summit, with_cancelled=True).entries}
        db.session.remove()
        db.engine.dispose()
    assert [(r.summit_id, r.number, r.note) for r in releases] == [(1, 1, "")]
    assert str(releases[0].published_at).startswith("2011-04-20 10:00:00")
    a, b = copies
    # Wed 27 April, slot 5 (the second after lunch) is 14:30 PDT; two slots end at 16:00.
    assert (a.title, a.description, a.lead_id, a.lead_name, a.track_id) == (
        "Public title",
        "About A.",
        1,
        "Lena Lead",
        1,
    )
    assert (a.length_slots, a.day_id, a.start_slot, a.room_id) == (2, 1, 5, 1)
    assert str(a.starts_at).startswith("2011-04-27 21:30:00")
    assert str(a.ends_at).startswith("2011-04-27 23:00:00")
    assert json.loads(a.blueprints) == [[1, "Linked one"]]
    assert (a.status, a.sequence) == ("scheduled", 3)
    assert (b.title, b.lead_id, b.lead_name, b.status, b.sequence) == (
        "B",
        None,
        "",
        "cancelled",
        1,
    )
    assert str(b.starts_at).startswith("2011-04-27 16:00:00")
    assert json.loads(b.blueprints) == [[3, "Merged one"]]
    # Nothing beside them was lost: SQLite's table rebuild must not cascade.
    assert stars == 3
    assert [tuple(r) for r in links] == [(1, 1), (2, 1), (3, 2)]
    assert "pinned" in columns and not {c for c in columns if c.startswith("published_")}
    assert {"sequence", "changed_at"}.isdisjoint(columns)
    # And the app reads exactly that.
    assert set(public) >= {1, 2} and 3 not in {k for k, e in public.items() if e.kind == "session"}
    assert public[1].title == "Public title" and public[1].room is not None
    assert public[1].starts_at == datetime(2011, 4, 27, 21, 30, tzinfo=UTC)
    assert public[2].cancelled


def test_p4_the_migration_goes_back_to_the_published_copy(empty_database_url: str) -> None:
    from flask_migrate import downgrade

    app = create_app(config_for(empty_database_url))
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            for row in ROWS:
                conn.execute(text(row))
        upgrade()
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, published_day_id, published_start_slot, published_room_id,"
                    " published_title, published_track_id, sequence FROM design_session"
                    " ORDER BY id"
                )
            ).all()
            stars = conn.execute(text("SELECT count(*) FROM interest")).scalar()
        db.engine.dispose()
    assert [tuple(r) for r in rows] == [
        (1, 1, 5, 1, "Public title", 1, 3),
        (2, 1, 0, 2, "B", 1, 1),
        (3, None, None, None, None, None, 0),
    ]
    assert stars == 3
