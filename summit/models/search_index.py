"""Full-text indexes for search (P5): SQLite FTS5 tables kept by triggers, PostgreSQL GIN
indexes on a stored, generated tsvector column. Each is created where its database runs: by
`db.create_all()` (the SQLite tests) through the tables' after-create events, and by the
migration b0c41e000014 on a real database.

Blueprints are searched by title and description; a release's published sessions by
title, description and lead. A SQLite batch migration that rebuilds `blueprint` or
`published_session` drops their triggers: such a migration must run `SQLITE_DDL` again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import DDL, event

from summit.models.release import PublishedSession
from summit.models.session import Blueprint

# What each index holds; the PostgreSQL query repeats the expression so the index is used.
INDEXED = {
    "blueprint": ("title", "description"),
    "published_session": ("title", "description", "lead_name"),
}


PG_COLUMN = "search_vector"


def pg_document(table: str) -> str:
    """The table's stored tsvector, which its GIN index holds, to be matched in queries.
    (Stored, not computed in the query: ranking a thousand matches would otherwise parse
    each one's text again.)"""
    return f"{table}.{PG_COLUMN}"


def _sqlite_statements(table: str) -> list[str]:
    fts = f"{table}_fts"
    cols = ", ".join(INDEXED[table])
    new = ", ".join(f"new.{c}" for c in INDEXED[table])
    old = ", ".join(f"old.{c}" for c in INDEXED[table])
    remove = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    add = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({cols}, content='{table}', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE ON {table} "
        f"BEGIN {remove} {add} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",  # index the rows already there
    ]


def _sqlite_drop(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [
        *(f"DROP TRIGGER IF EXISTS {fts}_{what}" for what in ("insert", "delete", "update")),
        f"DROP TABLE IF EXISTS {fts}",
    ]


def _pg_statements(table: str) -> list[str]:
    # 'simple': no stemming, since a summit's words come in several languages.
    joined = " || ' ' || ".join(INDEXED[table])
    return [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
        f"GENERATED ALWAYS AS (to_tsvector('simple', {joined})) STORED",
        f"CREATE INDEX IF NOT EXISTS ix_{table}_search ON {table} USING gin ({PG_COLUMN})",
    ]


def create(connection: Any) -> None:
    """Create every search index for the connection's database (used by the migration)."""
    for table in INDEXED:
        statements = (
            _sqlite_statements(table)
            if connection.dialect.name == "sqlite"
            else _pg_statements(table)
        )
        for statement in statements:
            connection.exec_driver_sql(statement)


def drop(connection: Any) -> None:
    for table in INDEXED:
        statements = (
            _sqlite_drop(table)
            if connection.dialect.name == "sqlite"
            else [
                f"DROP INDEX IF EXISTS ix_{table}_search",
                f"ALTER TABLE {table} DROP COLUMN IF EXISTS {PG_COLUMN}",
            ]
        )
        for statement in statements:
            connection.exec_driver_sql(statement)


for _model in (Blueprint, PublishedSession):
    _name = str(_model.__tablename__)
    for _statement in _sqlite_statements(_name):
        _ddl = DDL(_statement).execute_if(dialect="sqlite")  # type: ignore[no-untyped-call]
        event.listen(_model.__table__, "after_create", _ddl)
    for _statement in _pg_statements(_name):
        _ddl = DDL(_statement).execute_if(dialect="postgresql")  # type: ignore[no-untyped-call]
        event.listen(_model.__table__, "after_create", _ddl)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """For Alembic's autogenerate: the search tables and indexes are not in the models'
    metadata (they are made by DDL above), so they are no difference to report."""
    if type_ == "table" and name and any(name.startswith(f"{t}_fts") for t in INDEXED):
        return False
    if type_ == "column" and name == PG_COLUMN:
        return False
    return not (type_ == "index" and name in {f"ix_{t}_search" for t in INDEXED})
