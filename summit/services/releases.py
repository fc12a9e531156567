"""Schedule releases in the database (P4): the latest one, its snapshot, and freezing a
draft into the next one. The comparing is `changes.diff`'s job, not this module's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from summit.extensions import db
from summit.i18n import format_day
from summit.models import PublishedSession, ScheduleRelease, Summit, utcnow
from summit.models.release import decode_blueprints, encode_blueprints
from summit.services import changes as ch
from summit.services import programme


def latest(summit_id: int) -> ScheduleRelease | None:
    return db.session.scalars(
        select(ScheduleRelease)
        .where(ScheduleRelease.summit_id == summit_id)
        .order_by(ScheduleRelease.number.desc())
        .limit(1)
    ).first()


def latest_number(summit_id: int) -> int:
    """The number of the latest release, 0 before the first."""
    found = db.session.scalar(
        select(func.max(ScheduleRelease.number)).where(ScheduleRelease.summit_id == summit_id)
    )
    return int(found or 0)


def every(summit_id: int) -> list[ScheduleRelease]:
    """Every release of a summit, newest first."""
    return list(
        db.session.scalars(
            select(ScheduleRelease)
            .where(ScheduleRelease.summit_id == summit_id)
            .order_by(ScheduleRelease.number.desc())
        )
    )


def by_number(summit_id: int, number: int) -> ScheduleRelease | None:
    return db.session.scalars(
        select(ScheduleRelease).where(
            ScheduleRelease.summit_id == summit_id, ScheduleRelease.number == number
        )
    ).first()


def facts(row: PublishedSession) -> ch.Facts:
    return ch.Facts(
        session_id=row.session_id,
        title=row.title,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        room_id=row.room_id,
        day_id=row.day_id,
        start_slot=row.start_slot,
        length_slots=row.length_slots,
        track_id=row.track_id,
        lead_id=row.lead_id,
        lead_name=row.lead_name,
        description=row.description,
        blueprints=decode_blueprints(row.blueprints),
        status=row.status,
        sequence=row.sequence,
    )


def rows(release: ScheduleRelease | None) -> list[PublishedSession]:
    if release is None:
        return []
    return list(
        db.session.scalars(
            select(PublishedSession)
            .where(PublishedSession.release_id == release.id)
            .order_by(PublishedSession.session_id)
        )
    )


def snapshot(release: ScheduleRelease | None) -> dict[int, ch.Facts]:
    return {r.session_id: facts(r) for r in rows(release)}


def draft_snapshot(summit: Summit) -> dict[int, ch.Facts]:
    """What the next release would show: every active, placed session of the draft."""
    loaded = programme.load(summit, draft=True)
    return {
        e.id: ch.Facts(
            session_id=e.id,
            title=e.title,
            starts_at=e.starts_at,
            ends_at=e.ends_at,
            room_id=e.room.id if e.room else None,
            day_id=e.day.id if e.day else None,
            start_slot=e.start_slot or 0,
            length_slots=e.length_slots,
            track_id=e.track.id if e.track else None,
            lead_id=e.person_id,
            lead_name=e.people,
            description=e.description,
            blueprints=tuple((b.id, b.title) for b in e.blueprints),
        )
        for e in loaded.of_kind(programme.EntryKind.SESSION)
    }


def freeze(
    summit: Summit,
    last: ScheduleRelease | None,
    draft: Mapping[int, ch.Facts],
    *,
    actor_id: int | None,
    note: str = "",
) -> ScheduleRelease:
    """Write the next release: the draft with each session's SEQUENCE from the diff rules."""
    now = utcnow()
    before_rows = {r.session_id: r for r in rows(last)}
    before = {sid: facts(r) for sid, r in before_rows.items()}
    release = ScheduleRelease(
        summit_id=summit.id,
        number=(last.number + 1) if last else 1,
        published_at=now,
        published_by_id=actor_id,
        note=note,
    )
    db.session.add(release)
    db.session.flush()
    for sid, f in ch.next_release(before, draft).items():
        old = before.get(sid)
        unchanged = old is not None and old.public() == f.public()
        db.session.add(
            PublishedSession(
                release_id=release.id,
                session_id=sid,
                title=f.title,
                description=f.description,
                lead_id=f.lead_id,
                lead_name=f.lead_name,
                track_id=f.track_id,
                length_slots=f.length_slots,
                day_id=f.day_id,
                start_slot=f.start_slot,
                starts_at=f.starts_at,
                ends_at=f.ends_at,
                room_id=f.room_id,
                blueprints=encode_blueprints(f.blueprints),
                status=f.status,
                sequence=f.sequence,
                changed_at=before_rows[sid].changed_at if unchanged else now,
            )
        )
    db.session.flush()
    return release


@dataclass(frozen=True)
class ReleaseChanges:
    release: ScheduleRelease
    changes: list[ch.Change]


def changelog(summit_id: int, number: int | None = None) -> list[ReleaseChanges]:
    """Every release of a summit with what it changed (the diff from the one before),
    newest first; or only release `number`. Two queries, whatever the number of releases."""
    every = list(
        db.session.scalars(
            select(ScheduleRelease)
            .where(ScheduleRelease.summit_id == summit_id)
            .order_by(ScheduleRelease.number)
        )
    )
    if number is not None:
        every = [r for r in every if r.number in (number - 1, number)]
    ids = [r.id for r in every]
    snapshots: dict[int, dict[int, ch.Facts]] = {i: {} for i in ids}
    if ids:
        for row in db.session.scalars(
            select(PublishedSession).where(PublishedSession.release_id.in_(ids))
        ):
            snapshots[row.release_id][row.session_id] = facts(row)
    out: list[ReleaseChanges] = []
    previous: dict[int, ch.Facts] | None = None
    for r in every:
        if number is None or r.number == number:
            out.append(ReleaseChanges(r, ch.diff(previous, snapshots[r.id])))
        previous = snapshots[r.id]
    out.reverse()
    return out


def where(summit: Summit, f: ch.Facts) -> str:
    """A session's time and room in words, in the summit's zone."""
    room = next((r.name for r in summit.rooms if r.id == f.room_id), "")
    start = f.starts_at.astimezone(summit.zone)
    end = f.ends_at.astimezone(summit.zone)
    text = _(
        "%(day)s, %(start)s–%(end)s",
        day=format_day(start, "%A %d %B"),
        start=f"{start:%H:%M}",
        end=f"{end:%H:%M}",
    )
    return str(_("%(when)s, %(room)s", when=text, room=room) if room else text)
