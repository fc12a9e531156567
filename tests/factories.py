"""A small published summit that the schedule, whiteboard and feed tests share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
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


def build_published(
    make_summit: Callable[..., Summit], make_user: Callable[..., User], **summit_args: Any
) -> Published:
    summit = make_summit(**summit_args)
    tracks = {t.slug: t for t in summit.tracks}
    rooms = {r.slug: r for r in summit.rooms}
    days = summit.design_days
    leads = [make_user(name=f"Lead {i}") for i in range(len(SESSIONS))]
    sessions = []
    for (title, track, day, slot, room, length), lead in zip(SESSIONS, leads, strict=True):
        sessions.append(
            DesignSession(
                summit_id=summit.id,
                track_id=tracks[track].id,
                lead_id=lead.id,
                title=title,
                description=f"About {title}.",
                length_slots=length,
                day_id=days[day].id,
                start_slot=slot,
                room_id=rooms[room].id,
            )
        )
    db.session.add_all(sessions)
    db.session.flush()
    db.session.add(
        Blueprint(
            summit_id=summit.id,
            track_id=tracks["nova"].id,
            submitter_id=leads[0].id,
            title="Versioned compute API",
            status=BlueprintStatus.ACCEPTED,
            session_id=sessions[0].id,
        )
    )
    db.session.add(
        ProgramItem(
            summit_id=summit.id,
            title="Opening keynote",
            kind="keynote",
            place="Main hall",
            speaker="Jonathan Bryce",
            starts_at=datetime(2011, 4, 26, 16, 0, tzinfo=UTC),
            ends_at=datetime(2011, 4, 26, 17, 0, tzinfo=UTC),
        )
    )
    db.session.add(
        SocialEvent(
            summit_id=summit.id,
            title="Developers' party",
            place="Techmart",
            sponsor="Rackspace",
            starts_at=datetime(2011, 4, 28, 2, 0, tzinfo=UTC),
            ends_at=datetime(2011, 4, 28, 5, 0, tzinfo=UTC),
        )
    )
    fan = make_user(name="Fan Favourite")
    organizer = make_user(name="Olga Organizer", is_organizer=True)
    confirm_seat(fan, summit)
    for i in (2, 3, 5):
        db.session.add(Interest(user_id=fan.id, session_id=sessions[i].id))
    first_slot = db.session.scalars(
        select(LightningSlot)
        .where(LightningSlot.day_id == days[0].id)
        .order_by(LightningSlot.position)
    ).first()
    assert first_slot is not None
    talk = LightningTalk(slot_id=first_slot.id, user_id=fan.id, title="Five minutes of Swift")
    db.session.add(talk)
    db.session.flush()
    scheduling.publish(organizer.id, summit.id)
    db.session.commit()
    return Published(summit, sessions, leads, fan, organizer, talk)


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
