"""The published programme as one read model: design sessions, the Conference programme,
lightning talks and social events, loaded in a fixed number of queries (P2).

Every public view of the schedule — the pages, the calendars, frab and the API — reads
this, so they all agree on what is public. Organizers can load the draft instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from summit.extensions import db
from summit.models import (
    Blueprint,
    BlueprintStatus,
    Day,
    DesignSession,
    Event,
    LightningSlot,
    LightningTalk,
    ProgramItem,
    PublishedSession,
    PublishedStatus,
    Room,
    ScheduleRelease,
    SessionStatus,
    SocialEvent,
    Summit,
    Track,
    User,
)
from summit.models.release import decode_blueprints
from summit.services import blueprints


class EntryKind(StrEnum):
    SESSION = "session"  # a design-summit fishbowl session
    PROGRAM = "program"  # a Conference talk or keynote
    LIGHTNING = "lightning"
    SOCIAL = "social"


@dataclass(frozen=True, slots=True)
class LinkedBlueprint:
    id: int
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing on the programme at one time. Times are aware UTC datetimes."""

    kind: EntryKind
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str  # room name, or the place of a talk or social event
    room: Room | None = None
    track: Track | None = None
    day: Day | None = None  # the summit day a design session or lightning talk is on
    start_slot: int | None = None
    length_slots: int = 1
    people: str = ""  # lead, speaker or sponsor, for display
    person_id: int | None = None  # the lead or the lightning speaker
    description: str = ""
    blueprints: tuple[LinkedBlueprint, ...] = ()
    cancelled: bool = False
    sequence: int = 0
    modified_at: datetime | None = None
    track_name: str = ""  # the Conference's own track label for programme items

    @property
    def key(self) -> str:
        """Stable across publishes and unique within an installation: `session-12`."""
        return f"{self.kind.value}-{self.id}"

    @property
    def category(self) -> str:
        if self.track is not None:
            return self.track.name
        if self.kind is EntryKind.LIGHTNING:
            return str(_("Lightning talks"))
        if self.kind is EntryKind.SOCIAL:
            return str(_("Social events"))
        return self.track_name or str(_("Conference"))

    def overlaps(self, other: Entry) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


@dataclass
class Programme:
    summit: Summit
    rooms: list[Room]
    tracks: list[Track]
    days: list[Day]  # Design Summit days, in order
    entries: list[Entry]  # in time order
    draft: bool = False
    release: int = 0  # the number of the release shown, 0 before the first (P4)

    def of_kind(self, kind: EntryKind) -> list[Entry]:
        return [e for e in self.entries if e.kind is kind]

    def session(self, session_id: int) -> Entry | None:
        return next(
            (e for e in self.entries if e.kind is EntryKind.SESSION and e.id == session_id), None
        )

    @property
    def dates(self) -> list[date]:
        """Every date something happens, in the summit's zone."""
        zone = self.summit.zone
        found = {d.date for d in self.days}
        found.update(e.starts_at.astimezone(zone).date() for e in self.entries)
        return sorted(found)

    def on(self, day: date) -> list[Entry]:
        zone = self.summit.zone
        return [e for e in self.entries if e.starts_at.astimezone(zone).date() == day]


def session_entries(
    summit: Summit, session_id: int, *, with_draft: bool = False, with_cancelled: bool = False
) -> tuple[Entry | None, Entry | None]:
    """One session as the latest release shows it and (for organizers) its draft place,
    without loading the whole programme."""
    days, rooms, tracks = _places(summit)

    def one(draft: bool) -> Entry | None:
        found = _sessions(
            summit,
            days,
            rooms,
            tracks,
            draft=draft,
            with_cancelled=with_cancelled,
            only=session_id,
        )
        return found[0] if found else None

    return one(False), one(True) if with_draft else None


def _places(summit: Summit) -> tuple[list[Day], list[Room], list[Track]]:
    """The Design Summit days, and the rooms and tracks by name."""
    rooms = list(db.session.scalars(select(Room).where(Room.summit_id == summit.id)))
    tracks = list(db.session.scalars(select(Track).where(Track.summit_id == summit.id)))
    rooms.sort(key=lambda r: r.name)
    tracks.sort(key=lambda t: t.name)
    return design_days(summit), rooms, tracks


def load(summit: Summit, *, draft: bool = False, with_cancelled: bool = False) -> Programme:
    """The summit's programme: what is published, or the organizers' draft.

    A cancelled session that was published stays, marked cancelled, when `with_cancelled`
    (the calendars need it, E1); pages leave it out.
    """
    days, rooms, tracks = _places(summit)
    entries = _sessions(summit, days, rooms, tracks, draft=draft, with_cancelled=with_cancelled)
    entries += _program_items(summit)
    entries += _lightning_talks(summit, days)
    entries += _social_events(summit)
    entries.sort(key=lambda e: (e.starts_at, e.place, e.title, e.id))
    number = 0 if draft else latest_release_number(summit)
    return Programme(summit, rooms, tracks, days, entries, draft, number)


def design_days(summit: Summit) -> list[Day]:
    """The Design Summit days in date order, with their event (for the zone) in one go."""
    return list(
        db.session.scalars(
            select(Day)
            .join(Event)
            .where(Event.summit_id == summit.id, Event.kind == "design_summit")
            .options(selectinload(Day.event))
            .order_by(Day.date)
        )
    )


def _sessions(
    summit: Summit,
    days: list[Day],
    rooms: list[Room],
    tracks: list[Track],
    *,
    draft: bool,
    with_cancelled: bool,
    only: int | None = None,
) -> list[Entry]:
    if not draft:
        return _published(summit, days, rooms, tracks, with_cancelled=with_cancelled, only=only)
    query = select(DesignSession).where(
        DesignSession.summit_id == summit.id, DesignSession.status == SessionStatus.ACTIVE
    )
    if only is not None:
        query = query.where(DesignSession.id == only)
    sessions = list(db.session.scalars(query))
    leads = _names({s.lead_id for s in sessions if s.lead_id})
    linked = _blueprints(summit, only) if sessions else {}
    day_by_id = {d.id: d for d in days}
    grids = {d.id: d.slots for d in days}  # computed once: each is a dozen zone conversions
    room_by_id = {r.id: r for r in rooms}
    track_by_id = {t.id: t for t in tracks}
    base_url = _base_url()
    out = []
    for s in sessions:
        day = day_by_id.get(s.day_id) if s.day_id is not None else None
        grid = grids[day.id] if day is not None else []
        slot = s.start_slot
        if day is None or slot is None or not 0 <= slot < len(grid) or s.room_id is None:
            continue  # not placed, or its day was removed since
        last = grid[min(slot + s.length_slots - 1, len(grid) - 1)]
        room = room_by_id.get(s.room_id)
        out.append(
            Entry(
                EntryKind.SESSION,
                s.id,
                s.title,
                grid[slot].starts_at.astimezone(UTC),
                last.ends_at.astimezone(UTC),
                room.name if room else "",
                room=room,
                track=track_by_id.get(s.track_id),
                day=day,
                start_slot=slot,
                length_slots=s.length_slots,
                people=leads.get(s.lead_id or 0, ""),
                person_id=s.lead_id,
                description=s.description,
                blueprints=_links(summit, base_url, linked.get(s.id, [])),
                modified_at=s.updated_at,
            )
        )
    return out


def _links(
    summit: Summit, base_url: str, pairs: Iterable[tuple[int, str]]
) -> tuple[LinkedBlueprint, ...]:
    return tuple(
        LinkedBlueprint(b_id, b_title, f"{base_url}/{summit.slug}/blueprints/{b_id}")
        for b_id, b_title in pairs
    )


def latest_release_number(summit: Summit) -> int:
    found = db.session.scalar(
        select(func.max(ScheduleRelease.number)).where(ScheduleRelease.summit_id == summit.id)
    )
    return int(found or 0)


def latest_release_id(summit: Summit) -> int | None:
    return db.session.scalar(
        select(ScheduleRelease.id)
        .where(ScheduleRelease.summit_id == summit.id)
        .order_by(ScheduleRelease.number.desc())
        .limit(1)
    )


def _published(
    summit: Summit,
    days: list[Day],
    rooms: list[Room],
    tracks: list[Track],
    *,
    with_cancelled: bool,
    only: int | None,
    release_id: int | None = None,
) -> list[Entry]:
    """The sessions of a release (the latest by default): every fact from its copy (P4)."""
    release_id = release_id if release_id is not None else latest_release_id(summit)
    if release_id is None:
        return []
    ps = PublishedSession
    # Plain rows, not ORM objects: the grid reads hundreds of them on every request.
    query = select(
        ps.session_id,
        ps.title,
        ps.starts_at,
        ps.ends_at,
        ps.room_id,
        ps.track_id,
        ps.day_id,
        ps.start_slot,
        ps.length_slots,
        ps.lead_name,
        ps.lead_id,
        ps.description,
        ps.blueprints,
        ps.status,
        ps.sequence,
        ps.changed_at,
    ).where(ps.release_id == release_id)
    if only is not None:
        query = query.where(ps.session_id == only)
    if not with_cancelled:
        query = query.where(ps.status == PublishedStatus.SCHEDULED)
    day_by_id = {d.id: d for d in days}
    room_by_id = {r.id: r for r in rooms}
    track_by_id = {t.id: t for t in tracks}
    base_url = _base_url()
    out = []
    for p in db.session.execute(query):
        room = room_by_id.get(p.room_id) if p.room_id is not None else None
        out.append(
            Entry(
                EntryKind.SESSION,
                p.session_id,
                p.title,
                p.starts_at,
                p.ends_at,
                room.name if room else "",
                room=room,
                track=track_by_id.get(p.track_id) if p.track_id is not None else None,
                day=day_by_id.get(p.day_id) if p.day_id is not None else None,
                start_slot=p.start_slot,
                length_slots=p.length_slots,
                people=p.lead_name,
                person_id=p.lead_id,
                description=p.description,
                blueprints=_links(summit, base_url, decode_blueprints(p.blueprints))
                if p.blueprints != "[]"
                else (),
                cancelled=p.status == PublishedStatus.CANCELLED,
                sequence=p.sequence,
                modified_at=p.changed_at,
            )
        )
    return out


def public_url(entry: Entry, summit_slug: str, base_url: str) -> str:
    """The public page of an entry: a session's own page, else the page that lists it.
    Calendars, frab and the API all link with this."""
    if entry.kind is EntryKind.SESSION:
        return f"{base_url}/{summit_slug}/sessions/{entry.id}"
    if entry.kind is EntryKind.LIGHTNING:
        return f"{base_url}/{summit_slug}/lightning"
    return f"{base_url}/{summit_slug}/"


def _names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))
    return {int(i): str(n) for i, n in rows}


def _blueprints(summit: Summit, only: int | None) -> dict[int, list[tuple[int, str]]]:
    """The accepted and merged blueprints of every session, or of one."""
    query = select(Blueprint.session_id, Blueprint.id, Blueprint.title).where(
        Blueprint.summit_id == summit.id,
        Blueprint.session_id.is_not(None) if only is None else Blueprint.session_id == only,
        Blueprint.status.in_([BlueprintStatus.ACCEPTED, BlueprintStatus.MERGED]),
    )
    out: defaultdict[int, list[tuple[int, str]]] = defaultdict(list)
    for session_id, blueprint_id, title in db.session.execute(query.order_by(Blueprint.id)):
        out[int(session_id)].append((int(blueprint_id), str(title)))
    return out


def _program_items(summit: Summit) -> list[Entry]:
    items = db.session.scalars(select(ProgramItem).where(ProgramItem.summit_id == summit.id))
    return [
        Entry(
            EntryKind.PROGRAM,
            p.id,
            p.title,
            p.starts_at,
            p.ends_at,
            p.place,
            people=p.speaker,
            track_name=p.track_name,
            description=p.kind.capitalize() if p.kind else "",
            sequence=p.sequence,
            modified_at=p.updated_at,
        )
        for p in items
    ]


def _lightning_talks(summit: Summit, days: list[Day]) -> list[Entry]:
    day_by_id = {d.id: d for d in days}
    rows = db.session.execute(
        select(LightningTalk, LightningSlot, User.name)
        .join(LightningSlot, LightningTalk.slot_id == LightningSlot.id)
        .join(User, LightningTalk.user_id == User.id)
        .where(LightningSlot.day_id.in_(list(day_by_id)))
    ).all()
    return [
        Entry(
            EntryKind.LIGHTNING,
            talk.id,
            talk.title,
            slot.starts_at,
            slot.ends_at,
            str(_("Lightning talks")),
            day=day_by_id[slot.day_id],
            people=str(name),
            person_id=talk.user_id,
            sequence=talk.sequence,
            modified_at=talk.created_at,
        )
        for talk, slot, name in rows
    ]


def _social_events(summit: Summit) -> list[Entry]:
    socials = db.session.scalars(select(SocialEvent).where(SocialEvent.summit_id == summit.id))
    return [
        Entry(
            EntryKind.SOCIAL,
            s.id,
            s.title,
            s.starts_at,
            s.ends_at or s.starts_at,
            s.place,
            people=str(_("Sponsored by %(sponsor)s", sponsor=s.sponsor)) if s.sponsor else "",
            sequence=s.sequence,
            modified_at=s.updated_at,
        )
        for s in socials
    ]


def _base_url() -> str:
    return str(current_app.config["BASE_URL"])


def personal(programme: Programme, user_id: int) -> list[Entry]:
    """A person's own programme (P3): the sessions they starred or lead, and their
    lightning talks."""
    starred = blueprints.starred_ids(user_id, programme.summit.id)
    return [
        e
        for e in programme.entries
        if (e.kind is EntryKind.SESSION and e.id in starred)
        or (e.kind in (EntryKind.SESSION, EntryKind.LIGHTNING) and e.person_id == user_id)
    ]


def clashing(entries: list[Entry]) -> dict[str, list[Entry]]:
    """For each entry that overlaps others of the list (they are in time order): those
    others, so that My schedule can name them (P3, P5)."""
    out: dict[str, list[Entry]] = {}
    for i, a in enumerate(entries):
        for b in entries[i + 1 :]:
            if b.starts_at >= a.ends_at:
                break
            if a.overlaps(b):
                out.setdefault(a.key, []).append(b)
                out.setdefault(b.key, []).append(a)
    return out
