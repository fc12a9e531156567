"""Registrations for an event: confirmed seats and the waiting list (R1-R5)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.models.base import Base, UTCDateTime, utcnow
from summit.models.people import User
from summit.models.summit import Event


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    CANCELLED = "cancelled"  # the attendee gave up a seat or left the list

    @property
    def is_live(self) -> bool:
        return self in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


LIVE_STATUSES = ("confirmed", "waitlisted")


class Registration(Base):
    __tablename__ = "registration"
    __table_args__ = (
        # R1: at most one live registration per user and event, on both databases.
        Index(
            "uq_registration_live",
            "event_id",
            "user_id",
            unique=True,
            sqlite_where=text("status IN ('confirmed', 'waitlisted')"),
            postgresql_where=text("status IN ('confirmed', 'waitlisted')"),
        ),
        Index("ix_registration_queue", "event_id", "status", "joined_at"),
        CheckConstraint(
            "status IN ('confirmed', 'waitlisted', 'declined', 'cancelled')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(String(500), default="")

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
