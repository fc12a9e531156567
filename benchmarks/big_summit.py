"""The summit the pages and feeds benchmarks share: 400 published sessions.

4 Design Summit days × 10 slots in 12 rooms (9 tracks, one linked blueprint per session),
1,000 attendees who star about eight sessions each, every lightning slot booked, a
Conference programme and social events; published through the scheduling service.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from summit.extensions import db
from summit.models import (
    Blueprint,
    BlueprintStatus,
    Day,
    DesignSession,
    Event,
    EventKind,
    Interest,
    LightningSlot,
    LightningTalk,
    ProgramItem,
    Room,
    SeatPolicy,
    SocialEvent,
    Summit,
    Track,
    User,
)
from summit.services import scheduling
from summit.services.summits import slugify, sync_lightning_slots

VERIFIED_AT = datetime(2011, 3, 1, tzinfo=UTC)
DAYS, SLOTS, ROOMS, SESSIONS, LEADS, ATTENDEES = 4, 10, 12, 400, 150, 1000
TRACKS = [
    ("Compute", "#c0392b"),
    ("Networking", "#1f6fb2"),
    ("Storage", "#1e8449"),
    ("Identity", "#7d3c98"),
    ("Dashboard", "#d68910"),
    ("Operators", "#117a65"),
    ("Testing", "#2c3e50"),
    ("Documentation", "#935116"),
    ("Release management", "#566573"),
]


def build(app: Flask) -> tuple[int, str]:
    """The summit, published; returns a person's user id and personal calendar address."""
    rng = random.Random(7)  # noqa: S311 - benchmark data
    with app.app_context():
        db.create_all()
        summit = Summit(
            name="Folsom Design Summit",
            slug="folsom",
            venue="Hyatt Regency, San Francisco",
            timezone="America/Los_Angeles",
            is_current=True,
        )
        first = date(2012, 10, 15)
        conference = Event(
            summit=summit,
            kind=EventKind.CONFERENCE,
            starts_on=first,
            ends_on=first + timedelta(days=1),
            capacity=2000,
            open_seats=2000,
            policy=SeatPolicy.AUTO,
        )
        design = Event(
            summit=summit,
            kind=EventKind.DESIGN_SUMMIT,
            starts_on=first,
            ends_on=first + timedelta(days=DAYS - 1),
            capacity=600,
            open_seats=500,
            policy=SeatPolicy.REVIEW,
        )
        days = [
            Day(
                event=design,
                date=first + timedelta(days=d),
                first_slot=clock(9, 0),
                slots_before_lunch=SLOTS // 2,
                slots_after_lunch=SLOTS - SLOTS // 2,
            )
            for d in range(DAYS)
        ]
        rooms = [
            Room(summit=summit, name=f"Room {n + 1}", slug=f"room-{n + 1}", capacity=60 + 10 * n)
            for n in range(ROOMS)
        ]
        tracks = [
            Track(summit=summit, name=name, slug=slugify(name), colour=colour)
            for name, colour in TRACKS
        ]
        db.session.add_all([summit, conference, design, *days, *rooms, *tracks])
        db.session.flush()
        for day in days:
            sync_lightning_slots(day)
        password = "not-used"  # noqa: S105 - nobody logs in here
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"person{i}@example.org",
                    "name": f"Persön {i}",
                    "password_hash": password,
                    "email_verified_at": VERIFIED_AT,
                    "feed_token": f"token-{i:05d}-{rng.getrandbits(64):016x}",
                }
                for i in range(ATTENDEES)
            ],
        )
        user_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
        sessions = []
        for i in range(SESSIONS):
            day, slot, room = i // (ROOMS * SLOTS), (i // ROOMS) % SLOTS, i % ROOMS
            title = f"Session {i}: {rng.choice(['Design', 'Future', 'Cleanup', 'Über'])} of {i}"
            sessions.append(
                DesignSession(
                    summit_id=summit.id,
                    track_id=tracks[i % len(tracks)].id,
                    lead_id=user_ids[i % LEADS],
                    title=title,
                    description=f"{title}.\n\nScope, API impact, migration and who does it.",
                    expected_attendance=40,
                    day_id=days[day].id,
                    start_slot=slot,
                    room_id=rooms[room].id,
                )
            )
        db.session.add_all(sessions)
        db.session.flush()
        db.session.execute(
            insert(Blueprint),
            [
                {
                    "summit_id": summit.id,
                    "track_id": s.track_id,
                    "submitter_id": s.lead_id,
                    "title": s.title,
                    "description": "",
                    "url": f"https://blueprints.example.org/spec/{s.id}",
                    "length_slots": 1,
                    "status": BlueprintStatus.ACCEPTED,
                    "reason": "",
                    "session_id": s.id,
                }
                for s in sessions
            ],
        )
        stars = {
            (user_id, sessions[rng.randrange(SESSIONS)].id)
            for user_id in user_ids
            for _ in range(8)
        }
        db.session.execute(
            insert(Interest),
            [{"user_id": u, "session_id": s} for u, s in sorted(stars)],
        )
        slots = list(db.session.scalars(select(LightningSlot).order_by(LightningSlot.id)))
        db.session.add_all(
            LightningTalk(slot_id=slot.id, user_id=user_ids[200 + n], title=f"Lightning {n}")
            for n, slot in enumerate(slots)
        )
        for n in range(16):
            start = summit.to_utc(first + timedelta(days=n % 2), clock(9 + n // 2))
            db.session.add(
                ProgramItem(
                    summit=summit,
                    title=f"Conference talk {n}",
                    kind="keynote" if n < 2 else "talk",
                    place="Main hall" if n % 2 else "Ballroom",
                    speaker=f"Speaker {n}",
                    starts_at=start,
                    ends_at=start + timedelta(minutes=45),
                )
            )
        for n in range(4):
            start = summit.to_utc(first + timedelta(days=n), clock(19, 0))
            db.session.add(
                SocialEvent(
                    summit=summit,
                    title=f"Evening {n}",
                    place="Terrace",
                    sponsor="A sponsor",
                    starts_at=start,
                    ends_at=start + timedelta(hours=3),
                )
            )
        db.session.flush()
        scheduling.publish(None, summit.id)
        db.session.commit()
        # The personal feed of someone with stars and a lightning talk.
        person = user_ids[200]
        user = db.session.get(User, person)
        assert user is not None
        token = user.feed_address
        db.engine.dispose()
    return person, token


def login_id(app: Flask, user_id: int) -> str:
    """What Flask-Login keeps in the session for a login of `user_id` (summit.auth.logins)."""
    with app.app_context():
        token = db.session.scalar(select(User.session_token).where(User.id == user_id))
        db.engine.dispose()
    return f"{user_id}:{token}:{int(time.time())}"


def median_ms(action: Callable[[], object], repeat: int) -> float:
    for _ in range(3):  # warm caches (VTIMEZONE, compiled queries)
        action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def fetch(client: FlaskClient, url: str, expect: int = 200, **headers: str) -> Callable[[], int]:
    def run() -> int:
        response = client.get(url, headers=headers)
        if response.status_code != expect:
            raise RuntimeError(f"{url}: {response.status_code}, expected {expect}")
        return len(response.data)

    return run
