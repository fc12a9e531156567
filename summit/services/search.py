"""Search of one summit (P5): its published sessions, its blueprints and its lightning talks.

Sessions come from the latest release only, so a draft title is never found (P4). Text is
matched with the database's own full-text search, SQLite FTS5 or PostgreSQL's tsvector
(summit/models/search_index.py): every word of the query must match, as a word or the start
of one ("neutr" finds Neutron). A session is found by its track's name too; lightning talks,
a few dozen per summit, by their title or speaker with a plain LIKE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, text

from summit.extensions import db
from summit.models import (
    Blueprint,
    BlueprintStatus,
    LightningSlot,
    LightningTalk,
    PublishedSession,
    PublishedStatus,
    Room,
    Summit,
    Track,
    User,
)
from summit.models.search_index import pg_document
from summit.services import programme

PER_KIND = 50  # results shown per kind; a longer list asks for more words
MAX_TERMS = 8
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class SessionHit:
    id: int
    title: str
    track: Track | None
    room: Room | None
    starts_at: datetime
    ends_at: datetime
    lead: str


@dataclass(frozen=True, slots=True)
class BlueprintHit:
    id: int
    title: str
    track: Track | None
    status: str


@dataclass(frozen=True, slots=True)
class TalkHit:
    id: int
    title: str
    speaker: str
    starts_at: datetime


@dataclass
class Results:
    terms: list[str]
    sessions: list[SessionHit] = field(default_factory=list)
    blueprints: list[BlueprintHit] = field(default_factory=list)
    talks: list[TalkHit] = field(default_factory=list)
    more: set[str] = field(default_factory=set)  # kinds with more than PER_KIND matches

    @property
    def count(self) -> int:
        return len(self.sessions) + len(self.blueprints) + len(self.talks)


def terms_of(query: str) -> list[str]:
    """The words of a query, lower-cased: letters and digits only, so that no query syntax
    of either database can be typed in."""
    return [w.lower()[:40] for w in WORD.findall(query)][:MAX_TERMS]


def search(summit: Summit, query: str) -> Results:
    terms = terms_of(query)
    results = Results(terms)
    if not terms:
        return results
    release_id = programme.latest_release_id(summit)
    if release_id is not None:
        results.sessions = _sessions(summit, release_id, terms, results.more)
    results.blueprints = _blueprints(summit, terms, results.more)
    results.talks = _talks(summit, terms, results.more)
    return results


def _matching(table: str, terms: list[str]) -> tuple[str, str, dict[str, str]]:
    """(a FROM/JOIN fragment, a WHERE fragment, parameters) matching every term, for this
    database. Only the terms travel as parameters; the rest is fixed text."""
    if db.engine.dialect.name == "sqlite":
        match = " ".join(f'"{t}"*' for t in terms)  # terms hold no quotes: \w only
        return (
            f"JOIN {table}_fts ON {table}_fts.rowid = {table}.id",
            f"{table}_fts MATCH :q",
            {"q": match},
        )
    tsquery = " & ".join(f"{t}:*" for t in terms)
    return "", f"{pg_document(table)} @@ to_tsquery('simple', :q)", {"q": tsquery}


def _ids(table: str, terms: list[str], where: str, params: dict[str, object]) -> list[int]:
    join, match, match_params = _matching(table, terms)
    rank = (
        f"{table}_fts.rank"
        if db.engine.dialect.name == "sqlite"
        else f"ts_rank({pg_document(table)}, to_tsquery('simple', :q)) DESC"
    )
    sql = text(
        f"SELECT {table}.id FROM {table} {join} WHERE {match} AND {where} "  # noqa: S608
        f"ORDER BY {rank}, {table}.id LIMIT {PER_KIND + 1}"
    )
    return [row[0] for row in db.session.execute(sql, {**match_params, **params})]


def _sessions(
    summit: Summit, release_id: int, terms: list[str], more: set[str]
) -> list[SessionHit]:
    ids = _ids(
        "published_session",
        terms,
        "published_session.release_id = :release AND published_session.status = :scheduled",
        {"release": release_id, "scheduled": PublishedStatus.SCHEDULED},
    )
    # A track's name finds its sessions: "storage" finds the Swift track's sessions.
    tracks = [t.id for t in summit.tracks if all(term in t.name.lower() for term in terms)]
    query = _published(release_id).where(
        or_(PublishedSession.id.in_(ids), PublishedSession.track_id.in_(tracks))
        if tracks
        else PublishedSession.id.in_(ids)
    )
    rooms = {r.id: r for r in summit.rooms}
    track_by_id = {t.id: t for t in summit.tracks}
    # In time order, as on the schedule: people look for when and where.
    rows = sorted(db.session.execute(query), key=lambda r: (r.starts_at, r.title))
    if len(rows) > PER_KIND:
        more.add("sessions")
    return [
        SessionHit(
            r.session_id,
            r.title,
            track_by_id.get(r.track_id) if r.track_id is not None else None,
            rooms.get(r.room_id) if r.room_id is not None else None,
            r.starts_at,
            r.ends_at,
            r.lead_name,
        )
        for r in rows[:PER_KIND]
    ]


def _published(release_id: int) -> Select[Any]:
    ps = PublishedSession
    return select(
        ps.id,
        ps.session_id,
        ps.title,
        ps.track_id,
        ps.room_id,
        ps.starts_at,
        ps.ends_at,
        ps.lead_name,
    ).where(ps.release_id == release_id, ps.status == PublishedStatus.SCHEDULED)


def _blueprints(summit: Summit, terms: list[str], more: set[str]) -> list[BlueprintHit]:
    ids = _ids(
        "blueprint",
        terms,
        "blueprint.summit_id = :summit AND blueprint.status != :withdrawn",
        {"summit": summit.id, "withdrawn": BlueprintStatus.WITHDRAWN},
    )
    if len(ids) > PER_KIND:
        more.add("blueprints")
        ids = ids[:PER_KIND]
    rows = {
        b.id: b
        for b in db.session.execute(
            select(Blueprint.id, Blueprint.title, Blueprint.track_id, Blueprint.status).where(
                Blueprint.id.in_(ids)
            )
        )
    }
    track_by_id = {t.id: t for t in summit.tracks}
    return [
        BlueprintHit(b.id, b.title, track_by_id.get(b.track_id), b.status)
        for b in (rows[i] for i in ids if i in rows)
    ]


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _talks(summit: Summit, terms: list[str], more: set[str]) -> list[TalkHit]:
    day_ids = [d.id for d in programme.design_days(summit)]
    if not day_ids:
        return []
    each_term = [
        or_(
            func.lower(LightningTalk.title).like(_like(t), escape="\\"),
            func.lower(User.name).like(_like(t), escape="\\"),
        )
        for t in terms
    ]
    rows = db.session.execute(
        select(LightningTalk.id, LightningTalk.title, User.name, LightningSlot.starts_at)
        .join(LightningSlot, LightningTalk.slot_id == LightningSlot.id)
        .join(User, LightningTalk.user_id == User.id)
        .where(LightningSlot.day_id.in_(day_ids), and_(*each_term))
        .order_by(LightningSlot.starts_at)
        .limit(PER_KIND + 1)
    ).all()
    if len(rows) > PER_KIND:
        more.add("talks")
    return [TalkHit(r.id, r.title, str(r.name), r.starts_at) for r in rows[:PER_KIND]]
