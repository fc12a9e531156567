"""The schema: migrations build it from nothing and agree with the models; rules hold in the
database itself (R1, one booking per lightning slot, capacity), on both engines."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect, update
from sqlalchemy.exc import IntegrityError

from summit import create_app
from summit.extensions import db
from summit.models import (
    Base,
    Event,
    EventKind,
    LightningSlot,
    LightningTalk,
    Registration,
    RegistrationStatus,
    Summit,
    search_index,
)
from tests.conftest import TEST_DB, config_for


@pytest.fixture
def empty_database_url(postgres, tmp_path) -> str:
    if postgres is None:
        return f"sqlite:///{tmp_path / 'empty.db'}"
    name = f"empty_{uuid.uuid4().hex[:8]}"
    postgres.run_sql(f"CREATE DATABASE {name}")
    return postgres.url(name)


def test_migrations_build_the_schema_from_nothing_and_match_the_models(
    empty_database_url: str,
) -> None:
    app = create_app(config_for(empty_database_url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_name": search_index.include_name}
            )
            diff = compare_metadata(context, Base.metadata)
            tables = set(inspect(conn).get_table_names())
        db.engine.dispose()
    assert diff == []
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_flask_db_check_is_clean(empty_database_url: str) -> None:
    app = create_app(config_for(empty_database_url))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["db", "check"])
    with app.app_context():
        db.engine.dispose()
    assert result.exit_code == 0, result.output


def _event(make_summit) -> Event:
    summit = make_summit()
    event = summit.event(EventKind.DESIGN_SUMMIT)
    assert event is not None
    return event


def test_r1_one_live_registration_per_user_and_event_is_a_database_rule(
    app, make_summit, make_user
) -> None:
    event, user = _event(make_summit), make_user()
    db.session.add(
        Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus.WAITLISTED)
    )
    db.session.flush()
    db.session.add(
        Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus.CONFIRMED)
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_r1_past_registrations_do_not_block_a_new_one(app, make_summit, make_user) -> None:
    event, user = _event(make_summit), make_user()
    for status in (
        RegistrationStatus.CANCELLED,
        RegistrationStatus.DECLINED,
        RegistrationStatus.CANCELLED,
        RegistrationStatus.CONFIRMED,
    ):
        db.session.add(Registration(event_id=event.id, user_id=user.id, status=status))
        db.session.flush()
    db.session.commit()


def test_confirmed_count_can_never_pass_capacity_in_the_database(app, make_summit) -> None:
    event = _event(make_summit)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(update(Event).where(Event.id == event.id).values(confirmed_count=251))
    db.session.rollback()


def test_one_booking_per_lightning_slot_is_a_database_rule(app, make_summit, make_user) -> None:
    make_summit()
    slot = db.session.query(LightningSlot).first()
    assert slot is not None
    db.session.add(LightningTalk(slot_id=slot.id, user_id=make_user().id, title="First"))
    db.session.flush()
    db.session.add(LightningTalk(slot_id=slot.id, user_id=make_user().id, title="Second"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_only_one_current_summit_is_a_database_rule(app, make_summit) -> None:
    make_summit("diablo", current=True)
    db.session.add(Summit(name="Essex", slug="essex", timezone="UTC", is_current=True))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_times_are_stored_in_utc_and_naive_times_are_refused(app, make_summit) -> None:
    summit = make_summit()
    summit.cfp_closes_at = datetime(2011, 4, 22, 23, 59, tzinfo=summit.zone)
    db.session.commit()
    db.session.expire_all()
    assert summit.cfp_closes_at == datetime(2011, 4, 23, 6, 59, tzinfo=UTC)
    summit.cfp_closes_at = datetime(2011, 4, 22, 23, 59)  # noqa: DTZ001 - the point of the test
    with pytest.raises(Exception, match="naive datetime"):
        db.session.flush()
    db.session.rollback()


def test_suite_runs_on_the_engine_it_says(app) -> None:
    assert db.engine.dialect.name == ("postgresql" if TEST_DB == "postgresql" else "sqlite")


def test_sessions_published_before_the_published_copy_keep_their_place(
    empty_database_url: str,
) -> None:
    """Revision 5774484da1fb copies length and track into the published copy of sessions
    that were already public, and dates their last public change to the publication."""
    from sqlalchemy import text

    app = create_app(config_for(empty_database_url))
    with app.app_context():
        upgrade(revision="2f790e0c99c5")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO summit (id, name, slug, venue, timezone, is_current, description,"
                    " published_at) VALUES (1, 'Diablo', 'diablo', '', 'UTC', false, '',"
                    " '2011-04-20 10:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO track (id, summit_id, name, slug, colour, description)"
                    " VALUES (1, 1, 'Nova', 'nova', '#c0392b', '')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO event (id, summit_id, kind, starts_on, ends_on, capacity,"
                    " open_seats, confirmed_count, policy) VALUES (1, 1, 'design_summit',"
                    " '2011-04-27', '2011-04-29', 10, 10, 0, 'review')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO day (id, event_id, date, first_slot, slot_minutes, break_minutes,"
                    " slots_before_lunch, lunch_minutes, lightning_minutes,"
                    " lightning_slot_minutes, slots_after_lunch)"
                    " VALUES (1, 1, '2011-04-27', '09:00:00', 40, 10, 4, 60, 30, 5, 4)"
                )
            )
            for sid, published in ((1, 1), (2, None)):
                conn.execute(
                    text(
                        "INSERT INTO design_session (id, summit_id, track_id, title, description,"
                        " length_slots, status, locked, sequence, published_day_id,"
                        " created_at, updated_at) VALUES (:id, 1, 1, :title, '', 2, 'active',"
                        " false, 0, :published, '2011-04-01 10:00:00', '2011-04-01 10:00:00')"
                    ),
                    {"id": sid, "title": f"S{sid}", "published": published},
                )
        upgrade(revision="5774484da1fb")
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, published_length_slots, published_track_id, changed_at"
                    " FROM design_session ORDER BY id"
                )
            ).all()
        db.engine.dispose()
    assert [(r[0], r[1], r[2], r[3] is not None) for r in rows] == [
        (1, 2, 1, True),
        (2, None, None, False),
    ]
