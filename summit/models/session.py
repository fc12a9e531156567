"""Blueprints (proposals), the design sessions made from them, and interest stars."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.models.base import Base, UTCDateTime, utcnow
from summit.models.people import User
from summit.models.summit import Day, Room, Summit, Track


class BlueprintStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    MERGED = "merged"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class SessionStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class DesignSession(Base):
    """A fishbowl session of the Design Summit: the organizers' draft.

    What the public sees is a copy in the latest schedule release (`published_session`,
    P4); nothing here is public until it is published.
    """

    __tablename__ = "design_session"
    __table_args__ = (
        CheckConstraint("length_slots IN (1, 2)", name="length_one_or_two"),
        CheckConstraint("start_slot IS NULL OR start_slot >= 0", name="slot_not_negative"),
        CheckConstraint(
            "expected_attendance IS NULL OR expected_attendance >= 0",
            name="attendance_not_negative",
        ),
        CheckConstraint("status IN ('active', 'cancelled')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summit.id", ondelete="CASCADE"))
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id", ondelete="RESTRICT"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    length_slots: Mapped[int] = mapped_column(Integer, default=1)
    expected_attendance: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=SessionStatus.ACTIVE)
    day_id: Mapped[int | None] = mapped_column(ForeignKey("day.id", ondelete="SET NULL"))
    start_slot: Mapped[int | None] = mapped_column(Integer)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # A hand move pins the session: a re-solve keeps it where the organizer put it.
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    summit: Mapped[Summit] = relationship()
    track: Mapped[Track] = relationship(foreign_keys=[track_id])
    lead: Mapped[User | None] = relationship()
    day: Mapped[Day | None] = relationship(foreign_keys=[day_id])
    room: Mapped[Room | None] = relationship(foreign_keys=[room_id])
    blueprints: Mapped[list[Blueprint]] = relationship(back_populates="session")


class Blueprint(Base):
    __tablename__ = "blueprint"
    __table_args__ = (
        CheckConstraint("length_slots IN (1, 2)", name="length_one_or_two"),
        CheckConstraint(
            "status IN ('submitted', 'accepted', 'merged', 'rejected', 'withdrawn')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summit.id", ondelete="CASCADE"))
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id", ondelete="RESTRICT"))
    submitter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    length_slots: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default=BlueprintStatus.SUBMITTED)
    reason: Mapped[str] = mapped_column(String(500), default="")
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("design_session.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    track: Mapped[Track] = relationship(foreign_keys=[track_id])
    submitter: Mapped[User] = relationship()
    session: Mapped[DesignSession | None] = relationship(back_populates="blueprints")


class Interest(Base):
    """A star: this user wants to attend this session (B3)."""

    __tablename__ = "interest"
    __table_args__ = (UniqueConstraint("user_id", "session_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("design_session.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LeadAway(Base):
    """S1: a session lead cannot attend this part (morning or afternoon) of a day. Per
    summit through the day; the lead or an organizer marks it."""

    __tablename__ = "lead_away"
    __table_args__ = (
        UniqueConstraint("user_id", "day_id", "part"),
        CheckConstraint("part IN ('morning', 'afternoon')", name="part_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    day_id: Mapped[int] = mapped_column(ForeignKey("day.id", ondelete="CASCADE"))
    part: Mapped[str] = mapped_column(String(10))
