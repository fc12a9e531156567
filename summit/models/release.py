"""Schedule releases (P4): each publication freezes the draft into a numbered release.

The draft lives on the session rows; the public reads the latest release and nothing
else. A `published_session` row holds every public fact of one session in one release.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.models.base import Base, UTCDateTime, utcnow


class PublishedStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class ScheduleRelease(Base):
    __tablename__ = "schedule_release"
    __table_args__ = (
        UniqueConstraint("summit_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summit.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(Text, default="")

    sessions: Mapped[list[PublishedSession]] = relationship(
        back_populates="release", cascade="all, delete-orphan", order_by="PublishedSession.id"
    )


class PublishedSession(Base):
    """One session as release `release_id` shows it. Room and track are referenced (the
    summit's structure), everything about the session itself is copied."""

    __tablename__ = "published_session"
    __table_args__ = (
        UniqueConstraint("release_id", "session_id"),
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status_known"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_release.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(ForeignKey("design_session.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    lead_name: Mapped[str] = mapped_column(String(120), default="")
    track_id: Mapped[int | None] = mapped_column(ForeignKey("track.id", ondelete="SET NULL"))
    length_slots: Mapped[int] = mapped_column(Integer)
    day_id: Mapped[int | None] = mapped_column(ForeignKey("day.id", ondelete="SET NULL"))
    start_slot: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"))
    # The linked blueprints as JSON [[id, title], ...] in id order: a copy, like the title.
    blueprints: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=PublishedStatus.SCHEDULED)
    # iCalendar SEQUENCE, raised by the diff for time, room, title or status changes.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # When this session's public facts last changed: the calendars' LAST-MODIFIED.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    release: Mapped[ScheduleRelease] = relationship(back_populates="sessions")


def encode_blueprints(pairs: tuple[tuple[int, str], ...]) -> str:
    """`published_session.blueprints`: the linked blueprints as JSON pairs (id, title)."""
    return json.dumps([[i, title] for i, title in pairs], ensure_ascii=False)


def decode_blueprints(text: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(i), str(title)) for i, title in json.loads(text or "[]"))
