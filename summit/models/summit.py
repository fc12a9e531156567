"""The summit and its calendar: events, days with their slot grid, rooms, tracks, socials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.i18n import format_day
from summit.models.base import Base, UTCDateTime, utcnow


class EventKind(StrEnum):
    CONFERENCE = "conference"
    DESIGN_SUMMIT = "design_summit"

    @property
    def label(self) -> str:
        """The event as people read it, in the page's (or the mail's) language."""
        return str(_("Conference") if self is EventKind.CONFERENCE else _("Design Summit"))


class SeatPolicy(StrEnum):
    REVIEW = "review"  # freed and remaining seats go back to the organizers' pool
    AUTO = "auto"  # the head of the list is confirmed at once


class RoomLayout(StrEnum):
    FISHBOWL = "fishbowl"
    THEATRE = "theatre"
    CLASSROOM = "classroom"
    BOARDROOM = "boardroom"


class WindowPart(StrEnum):
    DAY = "day"
    MORNING = "morning"
    AFTERNOON = "afternoon"


class Summit(Base):
    __tablename__ = "summit"
    __table_args__ = (
        # At most one current summit, on both databases.
        Index(
            "uq_summit_one_current",
            "is_current",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    venue: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    cfp_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # L2: talks one person may book per day on the whiteboard; organizers may raise it.
    lightning_talks_per_day: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Abuse guard: blueprints one person may submit to this summit.
    blueprints_per_person: Mapped[int] = mapped_column(Integer, default=20, server_default="20")

    events: Mapped[list[Event]] = relationship(
        back_populates="summit", order_by="Event.starts_on", cascade="all, delete-orphan"
    )
    rooms: Mapped[list[Room]] = relationship(
        back_populates="summit", order_by="Room.name", cascade="all, delete-orphan"
    )
    tracks: Mapped[list[Track]] = relationship(
        back_populates="summit", order_by="Track.name", cascade="all, delete-orphan"
    )
    social_events: Mapped[list[SocialEvent]] = relationship(
        back_populates="summit", order_by="SocialEvent.starts_at", cascade="all, delete-orphan"
    )
    program_items: Mapped[list[ProgramItem]] = relationship(
        back_populates="summit", order_by="ProgramItem.starts_at", cascade="all, delete-orphan"
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def event(self, kind: EventKind) -> Event | None:
        return next((e for e in self.events if e.kind == kind), None)

    @property
    def design_days(self) -> list[Day]:
        design = self.event(EventKind.DESIGN_SUMMIT)
        return list(design.days) if design else []

    @property
    def starts_on(self) -> date | None:
        return min((e.starts_on for e in self.events), default=None)

    @property
    def ends_on(self) -> date | None:
        return max((e.ends_on for e in self.events), default=None)

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.zone)

    def to_utc(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)


class Event(Base):
    """One of a summit's two registrable events."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("summit_id", "kind"),
        CheckConstraint("kind IN ('conference', 'design_summit')", name="kind_known"),
        CheckConstraint("policy IN ('review', 'auto')", name="policy_known"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("open_seats >= 0 AND open_seats <= capacity", name="open_within_capacity"),
        CheckConstraint(
            "confirmed_count >= 0 AND confirmed_count <= capacity",
            name="confirmed_within_capacity",
        ),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summit.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer)
    open_seats: Mapped[int] = mapped_column(Integer)
    # Maintained by guarded updates only (STYLE.md): the database check above
    # is the last line of defence against overbooking.
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0)
    policy: Mapped[str] = mapped_column(String(10), default=SeatPolicy.REVIEW)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    summit: Mapped[Summit] = relationship(back_populates="events")
    days: Mapped[list[Day]] = relationship(
        back_populates="event", order_by="Day.date", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        return EventKind(self.kind).label

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.confirmed_count, 0)

    @property
    def open_seats_left(self) -> int:
        return max(self.open_seats - self.confirmed_count, 0)


@dataclass(frozen=True, slots=True)
class GridSlot:
    """A session slot of a day, in the summit's local time."""

    index: int
    starts_at: datetime
    ends_at: datetime
    block: str  # "morning" or "afternoon": lunch splits the day into blocks


class Day(Base):
    """A day of an event with its slot grid, in the venue's wall-clock time.

    The grid is a definition (first slot at 09:00 local), so it is kept as local
    times; every instant derived from it is computed through the summit's zone.
    """

    __tablename__ = "day"
    __table_args__ = (
        UniqueConstraint("event_id", "date"),
        CheckConstraint("slot_minutes BETWEEN 5 AND 240", name="slot_length_sane"),
        CheckConstraint("break_minutes BETWEEN 0 AND 120", name="break_sane"),
        CheckConstraint("slots_before_lunch BETWEEN 0 AND 12", name="morning_sane"),
        CheckConstraint("slots_after_lunch BETWEEN 0 AND 12", name="afternoon_sane"),
        CheckConstraint("lunch_minutes BETWEEN 0 AND 180", name="lunch_sane"),
        CheckConstraint("lightning_minutes BETWEEN 0 AND 180", name="lightning_sane"),
        CheckConstraint("lightning_slot_minutes BETWEEN 1 AND 60", name="lightning_slot_sane"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    first_slot: Mapped[time] = mapped_column(Time)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=40)
    break_minutes: Mapped[int] = mapped_column(Integer, default=10)
    slots_before_lunch: Mapped[int] = mapped_column(Integer, default=4)
    lunch_minutes: Mapped[int] = mapped_column(Integer, default=60)
    lightning_minutes: Mapped[int] = mapped_column(Integer, default=30)
    lightning_slot_minutes: Mapped[int] = mapped_column(Integer, default=5)
    slots_after_lunch: Mapped[int] = mapped_column(Integer, default=4)

    event: Mapped[Event] = relationship(back_populates="days")

    @property
    def summit(self) -> Summit:
        return self.event.summit

    def _at(self, minutes_after_first: int) -> datetime:
        start = datetime.combine(self.date, self.first_slot, tzinfo=self.summit.zone)
        return start + timedelta(minutes=minutes_after_first)

    @property
    def step(self) -> int:
        return self.slot_minutes + self.break_minutes

    @property
    def lunch_starts_at(self) -> datetime:
        # Lunch begins when the last morning session ends (no break after it).
        morning = self.slots_before_lunch * self.step - (
            self.break_minutes if self.slots_before_lunch else 0
        )
        return self._at(morning)

    @property
    def lightning_starts_at(self) -> datetime:
        return self.lunch_starts_at + timedelta(minutes=self.lunch_minutes)

    @property
    def afternoon_starts_at(self) -> datetime:
        return self.lightning_starts_at + timedelta(minutes=self.lightning_minutes)

    @property
    def slots(self) -> list[GridSlot]:
        out: list[GridSlot] = []
        length = timedelta(minutes=self.slot_minutes)
        step = timedelta(minutes=self.step)
        first = self._at(0)
        for i in range(self.slots_before_lunch):
            start = first + i * step
            out.append(GridSlot(i, start, start + length, WindowPart.MORNING))
        after = self.afternoon_starts_at
        for j in range(self.slots_after_lunch):
            start = after + j * step
            out.append(
                GridSlot(self.slots_before_lunch + j, start, start + length, WindowPart.AFTERNOON)
            )
        return out

    @property
    def ends_at(self) -> datetime:
        slots = self.slots
        return slots[-1].ends_at if slots else self._at(0)

    @property
    def lightning_slot_count(self) -> int:
        return self.lightning_minutes // self.lightning_slot_minutes


class Room(Base):
    __tablename__ = "room"
    __table_args__ = (
        UniqueConstraint("summit_id", "slug"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summit.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(80))
    capacity: Mapped[int] = mapped_column(Integer)
    layout: Mapped[str] = mapped_column(String(20), default=RoomLayout.FISHBOWL)

    summit: Mapped[Summit] = relationship(back_populates="rooms")


class Track(Base):
    """A category of sessions, with a colour and an optional time window."""

    __tablename__ = "track"
    __table_args__ = (
        UniqueConstraint("summit_id", "slug"),
        CheckConstraint(
            "window_part IS NULL OR window_part IN ('day', 'morning', 'afternoon')",
            name="window_part_known",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summit.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(80))
    colour: Mapped[str] = mapped_column(String(7))
    description: Mapped[str] = mapped_column(Text, default="")
    # Sessions of this track only in this part of this day, when set.
    window_day_id: Mapped[int | None] = mapped_column(ForeignKey("day.id", ondelete="SET NULL"))
    window_part: Mapped[str | None] = mapped_column(String(10))

    summit: Mapped[Summit] = relationship(back_populates="tracks")
    window_day: Mapped[Day | None] = relationship()

    @property
    def window_label(self) -> str:
        if self.window_day is None:
            return ""
        day = format_day(self.window_day.date, "%A")
        if self.window_part == WindowPart.MORNING:
            return str(_("%(day)s morning only", day=day))
        if self.window_part == WindowPart.AFTERNOON:
            return str(_("%(day)s afternoon only", day=day))
        return str(_("%(day)s only", day=day))

    @property
    def text_colour(self) -> str:
        """Black or white, whichever reads better on the track colour."""
        r, g, b = (int(self.colour[i : i + 2], 16) for i in (1, 3, 5))
        return "#000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "#ffffff"


class SocialEvent(Base):
    __tablename__ = "social_event"
    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="times_ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summit.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(120), default="")
    sponsor: Mapped[str] = mapped_column(String(120), default="")
    # For the calendars: raised when the time, title or place changes (E1).
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )

    summit: Mapped[Summit] = relationship(back_populates="social_events")


class ProgramItem(Base):
    """A Conference programme entry (keynote, track talk) that organizers enter directly."""

    __tablename__ = "program_item"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="times_ordered"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summit.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="talk")
    track_name: Mapped[str] = mapped_column(String(80), default="")
    place: Mapped[str] = mapped_column(String(120), default="")
    speaker: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )

    summit: Mapped[Summit] = relationship(back_populates="program_items")
