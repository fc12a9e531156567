"""The lightning-talk whiteboard (L1-L3): first come, first served, like the one at the venue.

A slot holds one talk: the unique constraint on `lightning_talk.slot_id` settles a race, so
two people can never both get it. The per-person daily limit is checked after the insert,
inside the same write transaction, with the person's row locked first, so two quick
bookings by one person cannot both pass it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from summit import notifications
from summit.extensions import db
from summit.models import (
    Day,
    Event,
    LightningSlot,
    LightningTalk,
    Registration,
    RegistrationStatus,
    Summit,
    User,
)
from summit.services import audit, programme
from summit.services.errors import Conflict, Forbidden, Invalid, NotFound

TITLE_MAX = 120


class SlotTaken(Conflict):
    """Someone else booked the slot first; carries the nearest free slots."""

    def __init__(self, message: str, nearest: list[LightningSlot]) -> None:
        super().__init__(message, field="slot_id")
        self.nearest = nearest


@dataclass(frozen=True, slots=True)
class BoardSlot:
    slot: LightningSlot
    talk: LightningTalk | None
    speaker: str


@dataclass(frozen=True, slots=True)
class BoardDay:
    day: Day
    slots: list[BoardSlot]

    @property
    def free(self) -> int:
        return sum(1 for s in self.slots if s.talk is None and not s.slot.blocked)


def whiteboard(summit: Summit) -> list[BoardDay]:
    """Every Design Summit day's slots with their talks, in a fixed number of queries."""
    days = programme.design_days(summit)
    rows = db.session.execute(
        select(LightningSlot, LightningTalk, User.name)
        .outerjoin(LightningTalk, LightningTalk.slot_id == LightningSlot.id)
        .outerjoin(User, LightningTalk.user_id == User.id)
        .where(LightningSlot.day_id.in_([d.id for d in days]))
        .order_by(LightningSlot.day_id, LightningSlot.position)
    ).all()
    by_day: dict[int, list[BoardSlot]] = {d.id: [] for d in days}
    for slot, talk, name in rows:
        by_day[slot.day_id].append(BoardSlot(slot, talk, str(name or "")))
    return [BoardDay(d, by_day[d.id]) for d in days]


def _slot(slot_id: int) -> tuple[LightningSlot, Summit]:
    row = db.session.execute(
        select(LightningSlot, Summit)
        .join(Day, LightningSlot.day_id == Day.id)
        .join(Event, Day.event_id == Event.id)
        .join(Summit, Event.summit_id == Summit.id)
        .where(LightningSlot.id == slot_id)
    ).first()
    if row is None:
        raise NotFound(_("No such lightning slot."))
    return row[0], row[1]


def is_registered(user_id: int, summit_id: int) -> bool:
    """A confirmed seat at either event of the summit makes a person an attendee."""
    return (
        db.session.scalar(
            select(Registration.id)
            .join(Event)
            .where(
                Registration.user_id == user_id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Event.summit_id == summit_id,
            )
            .limit(1)
        )
        is not None
    )


def nearest_free(slot: LightningSlot, limit: int = 3) -> list[LightningSlot]:
    """The free slots of the same day closest in time to `slot`."""
    free = db.session.scalars(
        select(LightningSlot)
        .outerjoin(LightningTalk, LightningTalk.slot_id == LightningSlot.id)
        .where(
            LightningSlot.day_id == slot.day_id,
            LightningSlot.blocked.is_(False),
            LightningTalk.id.is_(None),
        )
    ).all()
    return sorted(free, key=lambda s: (abs(s.position - slot.position), s.position))[:limit]


def _times(slots: list[LightningSlot], summit: Summit) -> str:
    return ", ".join(f"{s.starts_at.astimezone(summit.zone):%H:%M}" for s in slots)


def book_lightning_slot(user_id: int, slot_id: int, title: str) -> LightningTalk:
    """L2: book a free slot with a title, in one step."""
    title = " ".join(title.split())
    if not title:
        raise Invalid(_("Give your talk a title."), field="title")
    if len(title) > TITLE_MAX:
        raise Invalid(_("Keep the title under %(max)d characters.", max=TITLE_MAX), field="title")
    slot, summit = _slot(slot_id)
    if not is_registered(user_id, summit.id):
        raise Forbidden(_("Only attendees with a confirmed seat can book a lightning talk."))
    if slot.blocked:
        raise Conflict(_("The organizers keep that slot free; pick another."), field="slot_id")
    # Serialise one person's bookings: a no-op update locks their row on PostgreSQL and, on
    # SQLite, opens the write transaction now, so the savepoint below nests inside it (a
    # savepoint that opens a SQLite transaction commits it on release).
    db.session.execute(update(User).where(User.id == user_id).values(name=User.name))
    talk = LightningTalk(slot_id=slot.id, user_id=user_id, title=title)
    try:
        with db.session.begin_nested():
            db.session.add(talk)
    except IntegrityError:
        holder = db.session.scalar(
            select(LightningTalk.user_id).where(LightningTalk.slot_id == slot.id)
        )
        time = f"{slot.starts_at.astimezone(summit.zone):%H:%M}"
        if holder == user_id:  # Back and Book again: the talk is there already
            raise Conflict(
                _("You booked %(time)s already: your talk is on the whiteboard.", time=time)
            ) from None
        nearest = nearest_free(slot)
        if nearest:
            message = _(
                "Just taken: someone booked %(time)s a moment before you. Nearest free: %(free)s.",
                time=time,
                free=_times(nearest, summit),
            )
        else:
            message = _(
                "Just taken: someone booked %(time)s a moment before you. That day is full.",
                time=time,
            )
        raise SlotTaken(message, nearest) from None
    mine_today = db.session.scalar(
        select(func.count())
        .select_from(LightningTalk)
        .join(LightningSlot)
        .where(LightningTalk.user_id == user_id, LightningSlot.day_id == slot.day_id)
    )
    limit = summit.lightning_talks_per_day
    if (mine_today or 0) > limit:
        raise Conflict(
            ngettext(
                "You already have a talk on that day; cancel it first or pick another day.",
                "You already have %(num)d talks on that day; cancel one first or pick another day.",
                limit,
            ),
            field="slot_id",
        )
    audit.record(user_id, "lightning.book", f"slot:{slot.id}", title)
    return talk


def _talk(talk_id: int) -> LightningTalk:
    talk = db.session.get(LightningTalk, talk_id)
    if talk is None:
        raise NotFound(_("No such lightning talk."))
    return talk


def cancel_talk(user_id: int, talk_id: int) -> None:
    """A speaker cancels their own talk; the slot is free again at once."""
    talk = _talk(talk_id)
    if talk.user_id != user_id:
        raise Forbidden(_("You can cancel only your own talk."))
    audit.record(user_id, "lightning.cancel", f"slot:{talk.slot_id}", talk.title)
    db.session.delete(talk)


def remove_talk(organizer_id: int, talk_id: int) -> None:
    """Organizers take a talk off the board; the speaker hears of it by mail."""
    talk = _talk(talk_id)
    slot, summit = _slot(talk.slot_id)
    speaker = db.session.get(User, talk.user_id)
    if speaker is not None:
        notifications.lightning_talk_removed(speaker, summit, talk.title, slot.starts_at)
    audit.record(organizer_id, "lightning.remove", f"slot:{talk.slot_id}", talk.title)
    db.session.delete(talk)


def set_blocked(organizer_id: int, slot_id: int, blocked: bool) -> LightningSlot:
    slot, _summit = _slot(slot_id)
    if blocked and db.session.scalar(
        select(LightningTalk.id).where(LightningTalk.slot_id == slot.id)
    ):
        raise Conflict(_("That slot holds a talk; remove the talk before blocking the slot."))
    slot.blocked = blocked
    audit.record(
        organizer_id, "lightning.block" if blocked else "lightning.unblock", f"slot:{slot.id}"
    )
    return slot


def set_talks_per_day(organizer_id: int, summit_id: int, talks: int) -> None:
    if not 1 <= talks <= 20:
        raise Invalid(_("Allow between 1 and 20 talks per person per day."), field="talks_per_day")
    summit = db.session.get(Summit, summit_id)
    if summit is None:
        raise NotFound(_("No such summit."))
    summit.lightning_talks_per_day = talks
    audit.record(organizer_id, "lightning.limit", f"summit:{summit.slug}", f"{talks} per day")
