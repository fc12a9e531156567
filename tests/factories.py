"""A small published summit that the schedule, whiteboard and feed tests share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from summit.extensions import db
from summit.models import (
    Blueprint,
    BlueprintStatus,
    DesignSession,
    EventKind,
    Interest,
    LightningSlot,
    LightningTalk,
    ProgramItem,
    PublishedSession,
    Registration,
    RegistrationStatus,
    ScheduleRelease,
    SocialEvent,
    Summit,
    User,
)
from summit.services import scheduling

# title, track, day index, start slot, room slug, length
SESSIONS = [
    ("Nova API version two", "nova", 0, 0, "ballroom-a", 1),
    ("Swift replication", "swift", 0, 0, "bayshore", 1),
    ("Nova scheduler filters", "nova", 0, 1, "ballroom-a", 2),
    ("Swift auth middleware", "swift", 1, 4, "winchester", 1),
    ("Zürich: Ünïcode für alle — 東京", "nova", 2, 0, "bayshore", 1),
    ("Swift large objects", "swift", 0, 1, "bayshore", 1),
]


@dataclass
class Published:
    summit: Summit
    sessions: list[DesignSession]
    leads: list[User]
    fan: User  # a confirmed attendee who starred sessions 2, 3 and 5 and booked a talk
    organizer: User
    talk: LightningTalk


def confirm_seat(user: User, summit: Summit) -> None:
    """A confirmed Design Summit seat, as the organizers' review would leave it."""
    event = summit.event(EventKind.DESIGN_SUMMIT)
    assert event is not None
    db.session.add(
        Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus.CONFIRMED)
    )
    event.confirmed_count += 1
    db.session.flush()


@dataclass(frozen=True)
class Plan:
    """What a published test summit holds; `build_summit` makes it, publishes and commits.
    People are made in the order given (tests rely on their numbered e-mail addresses)."""

    people: tuple[tuple[str, bool], ...]  # (name, is an organizer)
    # title, track slug, day index, start slot, room slug, length, lead (person index)
    sessions: tuple[tuple[str, str, int, int, str, int, int], ...]
    description: str  # "{title}" is replaced by the session's title
    blueprint: tuple[str, str, int, int, str]  # title, track, submitter, session, url
    stars: tuple[tuple[int, int], ...]  # (person, session)
    seats: tuple[int, ...]  # people with a confirmed Design Summit seat
    talks: tuple[tuple[int, int, str], ...]  # (person, slot position on the first day, title)
    keynote: tuple[str, str, datetime]  # title, speaker, start (an hour long, Main hall)
    party: tuple[str, str, str, datetime, datetime]  # title, place, sponsor, start, end
    organizer: int  # the person who publishes


@dataclass
class BuiltSummit:
    summit: Summit
    people: list[User]
    sessions: list[DesignSession]
    talks: list[LightningTalk]
    keynote: ProgramItem
    party: SocialEvent


def build_summit(
    make_summit: Callable[..., Summit],
    make_user: Callable[..., User],
    plan: Plan,
    **summit_args: Any,
) -> BuiltSummit:
    """The one published-summit builder the tests share (see the plans below)."""
    summit = make_summit(**summit_args)
    tracks = {t.slug: t for t in summit.tracks}
    rooms = {r.slug: r for r in summit.rooms}
    days = summit.design_days
    people = [make_user(name=name, is_organizer=org) for name, org in plan.people]
    sessions = [
        DesignSession(
            summit_id=summit.id,
            track_id=tracks[track].id,
            lead_id=people[lead].id,
            title=title,
            description=plan.description.replace("{title}", title),
            length_slots=length,
            day_id=days[day].id,
            start_slot=slot,
            room_id=rooms[room].id,
        )
        for title, track, day, slot, room, length, lead in plan.sessions
    ]
    db.session.add_all(sessions)
    db.session.flush()
    title, track, submitter, session, url = plan.blueprint
    db.session.add(
        Blueprint(
            summit_id=summit.id,
            track_id=tracks[track].id,
            submitter_id=people[submitter].id,
            title=title,
            url=url,
            status=BlueprintStatus.ACCEPTED,
            session_id=sessions[session].id,
        )
    )
    title, speaker, starts = plan.keynote
    keynote = ProgramItem(
        summit_id=summit.id,
        title=title,
        kind="keynote",
        place="Main hall",
        speaker=speaker,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    title, place, sponsor, starts, ends = plan.party
    party = SocialEvent(
        summit_id=summit.id,
        title=title,
        place=place,
        sponsor=sponsor,
        starts_at=starts,
        ends_at=ends,
    )
    db.session.add_all([keynote, party])
    for person in plan.seats:
        confirm_seat(people[person], summit)
    db.session.add_all(
        Interest(user_id=people[person].id, session_id=sessions[session].id)
        for person, session in plan.stars
    )
    slots = list(
        db.session.scalars(
            select(LightningSlot)
            .where(LightningSlot.day_id == days[0].id)
            .order_by(LightningSlot.position)
        )
    )
    talks = [
        LightningTalk(slot_id=slots[position].id, user_id=people[person].id, title=title)
        for person, position, title in plan.talks
    ]
    db.session.add_all(talks)
    db.session.flush()
    scheduling.publish(people[plan.organizer].id, summit.id)
    db.session.commit()
    return BuiltSummit(summit, people, sessions, talks, keynote, party)


KEYNOTE_START = datetime(2011, 4, 26, 16, 0, tzinfo=UTC)  # 09:00 in Santa Clara
PARTY = (datetime(2011, 4, 28, 2, 0, tzinfo=UTC), datetime(2011, 4, 28, 5, 0, tzinfo=UTC))

# Six leads (people 0-5), a fan (6) with a seat, stars and a talk, an organizer (7).
PUBLISHED = Plan(
    people=(
        *((f"Lead {i}", False) for i in range(len(SESSIONS))),
        ("Fan Favourite", False),
        ("Olga Organizer", True),
    ),
    sessions=tuple((*row, i) for i, row in enumerate(SESSIONS)),
    description="About {title}.",
    blueprint=("Versioned compute API", "nova", 0, 0, ""),
    stars=((6, 2), (6, 3), (6, 5)),
    seats=(6,),
    talks=((6, 0, "Five minutes of Swift"),),
    keynote=("Opening keynote", "Jonathan Bryce", KEYNOTE_START),
    party=("Developers' party", "Techmart", "Rackspace", *PARTY),
    organizer=7,
)


def build_published(
    make_summit: Callable[..., Summit], make_user: Callable[..., User], **summit_args: Any
) -> Published:
    built = build_summit(make_summit, make_user, PUBLISHED, **summit_args)
    people = built.people
    return Published(
        built.summit, built.sessions, people[: len(SESSIONS)], people[6], people[7], built.talks[0]
    )


# Long, and multi-byte almost everywhere: two-, three- and four-byte UTF-8 characters, so
# that folding at 75 octets has to fall between the bytes of some character.
NON_ASCII_TITLE = (
    "Ünïcødé façade — 日本語のセッションと設計の議論 — Ελληνικά, русский 🚀🌍🚀🌍 and “quotes”"
)

# The feeds' summit: every kind of entry, four sessions (one with a non-ASCII title and a
# linked blueprint), two lightning talks. People: organizer 0, leads 1 and 2, fan 3,
# speakers 4 and 5.
PROGRAMME = Plan(
    people=(
        ("Olga Organizer", True),
        ("Zoë Lead", False),
        ("Bob Lead", False),
        ("Fan", False),
        ("Sam Speaker", False),
        ("Other Speaker", False),
    ),
    sessions=(
        (NON_ASCII_TITLE, "nova", 0, 0, "ballroom-a", 1, 1),
        ("Nova scheduler", "nova", 0, 1, "bayshore", 1, 2),
        ("Swift replication", "swift", 1, 0, "winchester", 1, 1),
        ("Swift large objects", "swift", 1, 0, "ballroom-a", 2, 2),
    ),
    description="Why containers matter.\n\nScope; API, migration \\ and who does it.",
    blueprint=(
        "Container support",
        "nova",
        1,
        0,
        "https://blueprints.launchpad.net/nova/+spec/containers",
    ),
    stars=((3, 0), (3, 2), (4, 1)),
    seats=(),
    talks=((4, 0, "Five minutes of Ceph"), (5, 1, "Not mine")),
    keynote=("Opening keynote", "Jane Keynote", KEYNOTE_START),
    party=(
        "Developer party",
        "Terrace",
        "Cisco",
        datetime(2011, 4, 28, 2, 0, tzinfo=UTC),  # 19:00 in Santa Clara
        datetime(2011, 4, 28, 6, 0, tzinfo=UTC),
    ),
    organizer=0,
)


@dataclass
class Built:
    summit: Summit
    sessions: list[DesignSession]
    organizer: User
    fan: User
    speaker: User
    other_speaker: User
    talk: LightningTalk
    keynote: ProgramItem
    party: SocialEvent


def build_programme(make_summit: Callable[..., Summit], make_user: Callable[..., User]) -> Built:
    built = build_summit(make_summit, make_user, PROGRAMME)
    p = built.people
    return Built(
        built.summit,
        built.sessions,
        p[0],
        p[3],
        p[4],
        p[5],
        built.talks[0],
        built.keynote,
        built.party,
    )


def public_copy(session: DesignSession) -> PublishedSession | None:
    """The session as the latest release shows it (P4), or None when it is not public."""
    release_id = db.session.scalar(
        select(ScheduleRelease.id)
        .where(ScheduleRelease.summit_id == session.summit_id)
        .order_by(ScheduleRelease.number.desc())
        .limit(1)
    )
    return db.session.scalars(
        select(PublishedSession).where(
            PublishedSession.release_id == release_id,
            PublishedSession.session_id == session.id,
        )
    ).first()


def public_sequence(session: DesignSession) -> int:
    copy = public_copy(session)
    assert copy is not None, f"session {session.id} is not public"
    return copy.sequence
