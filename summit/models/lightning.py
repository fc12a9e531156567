"""The lightning-talk whiteboard: 5-minute slots after lunch and their bookings (L1-L3)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.models.base import Base, UTCDateTime, utcnow
from summit.models.people import User
from summit.models.summit import Day


class LightningSlot(Base):
    __tablename__ = "lightning_slot"
    __table_args__ = (UniqueConstraint("day_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("day.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)

    day: Mapped[Day] = relationship()
    talk: Mapped[LightningTalk | None] = relationship(back_populates="slot")


class LightningTalk(Base):
    __tablename__ = "lightning_talk"
    # One booking per slot: the database settles a race between two people.
    __table_args__ = (UniqueConstraint("slot_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("lightning_slot.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    slot: Mapped[LightningSlot] = relationship(back_populates="talk")
    user: Mapped[User] = relationship()
