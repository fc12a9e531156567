"""§9: an upgrade keeps every row. The demo summit, at head, is taken down to this round's
base revision and up again on both engines: every table holds as many rows as before, both
at the base and back at head. (On SQLite, a batch migration rebuilds a table; with foreign
keys on, the rebuild's DROP cascades to every row that points at it, and this test fails.)"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from summit import create_app
from summit.demo import load_demo
from summit.extensions import db
from summit.models import search_index
from tests.conftest import config_for

BASE = "3983329f745b"  # the head when this round began


@pytest.fixture
def empty_database_url(postgres: Any, tmp_path: Any) -> str:
    if postgres is None:
        return f"sqlite:///{tmp_path / 'round-trip.db'}"
    name = f"trip_{uuid.uuid4().hex[:8]}"
    postgres.run_sql(f"CREATE DATABASE {name}")
    return str(postgres.url(name))


def fresh_connections() -> None:
    """Each step as its own `flask db …` process would run it: a new connection, with the
    app's SQLite foreign keys on (a migration may have turned them off on the old one)."""
    db.session.remove()
    db.engine.dispose()


def row_counts() -> dict[str, int]:
    # The search index's own tables (FTS5 segments) are rebuilt, not kept: not data.
    names = [
        t
        for t in inspect(db.engine).get_table_names()
        if t != "alembic_version" and search_index.include_name(t, "table", {})
    ]
    with db.engine.connect() as conn:
        # Table names from the database's own catalogue, not from input.
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in names}  # noqa: S608


def test_migrations_down_to_the_base_and_up_again_keep_every_row(
    empty_database_url: str,
) -> None:
    app = create_app(config_for(empty_database_url))
    with app.app_context():
        upgrade()
        fresh_connections()
        load_demo(if_empty=False)
        db.session.commit()
        at_head = row_counts()
        assert at_head["registration"] > 100 and at_head["interest"] > 1000
        fresh_connections()
        downgrade(revision=BASE)
        fresh_connections()
        at_base = row_counts()
        lost = {t: (at_head[t], n) for t, n in at_base.items() if t in at_head and n != at_head[t]}
        assert not lost, lost
        upgrade()
        fresh_connections()
        again = row_counts()
        assert again == at_head
        db.session.remove()
        db.engine.dispose()
