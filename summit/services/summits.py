"""Organizers define a summit: the summit, its events, days, rooms, tracks and socials."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update

from summit.extensions import db
from summit.i18n import format_day
from summit.models import (
    Blueprint,
    Day,
    DesignSession,
    Event,
    EventKind,
    LightningSlot,
    LightningTalk,
    ProgramItem,
    Room,
    SessionStatus,
    SocialEvent,
    Summit,
    Track,
    WindowPart,
)
from summit.services import audit
from summit.services.errors import Conflict, Invalid, NotFound

# Top-level paths that a summit slug must not shadow.
RESERVED_SLUGS = frozenset(
    {
        "login",
        "logout",
        "signup",
        "account",
        "organizer",
        "api",
        "static",
        "summits",
        "my",
        "healthz",
        "claim-account",
    }
)
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80] or "item"


def get_summit(summit_id: int) -> Summit:
    summit = db.session.get(Summit, summit_id)
    if summit is None:
        raise NotFound(_("No such summit."))
    return summit


def current_summit() -> Summit | None:
    return db.session.scalar(select(Summit).where(Summit.is_current.is_(True)))


def summit_by_slug(slug: str) -> Summit | None:
    return db.session.scalar(select(Summit).where(Summit.slug == slug))


def check_timezone(name: str) -> str:
    if name not in available_timezones():
        raise Invalid(
            _("“%(name)s” is not an IANA time zone (e.g. America/Los_Angeles).", name=name),
            field="timezone",
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid(
            _("“%(name)s” is not an IANA time zone.", name=name), field="timezone"
        ) from exc
    return name


def save_summit(
    actor_id: int,
    summit_id: int | None,
    *,
    name: str,
    slug: str,
    venue: str,
    timezone: str,
    is_current: bool,
    description: str = "",
    cfp_closes_at: datetime | None = None,
    blueprints_per_person: int = 20,
) -> Summit:
    """Create or edit a summit. `cfp_closes_at` is local wall-clock time in its zone."""
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise Invalid(_("Use lower-case letters, digits and single hyphens."), field="slug")
    if slug in RESERVED_SLUGS:
        raise Invalid(
            _("“%(slug)s” is reserved by the site; pick another.", slug=slug), field="slug"
        )
    check_timezone(timezone)
    clash = summit_by_slug(slug)
    if clash is not None and clash.id != summit_id:
        raise Conflict(
            _("Another summit already uses the slug “%(slug)s”.", slug=slug), field="slug"
        )
    summit = get_summit(summit_id) if summit_id else Summit()
    if is_current:
        # The partial unique index allows one current summit: unset the others first.
        db.session.execute(
            update(Summit).where(Summit.is_current.is_(True)).values(is_current=False)
        )
    summit.name, summit.slug, summit.venue = name.strip(), slug, venue.strip()
    summit.timezone, summit.is_current = timezone, is_current
    summit.description = description.strip()
    summit.blueprints_per_person = blueprints_per_person
    summit.cfp_closes_at = (
        cfp_closes_at.replace(tzinfo=ZoneInfo(timezone)) if cfp_closes_at else None
    )
    if summit_id is None:
        db.session.add(summit)
    db.session.flush()
    audit.record(
        actor_id, "summit.create" if summit_id is None else "summit.edit", f"summit:{summit.slug}"
    )
    return summit


def save_event(
    actor_id: int,
    summit_id: int,
    kind: str,
    *,
    starts_on: date,
    ends_on: date,
    capacity: int,
    open_seats: int,
    policy: str,
    registration_opens_at: datetime | None = None,
    registration_closes_at: datetime | None = None,
) -> Event:
    summit = get_summit(summit_id)
    kind = EventKind(kind)
    if ends_on < starts_on:
        raise Invalid(_("The event cannot end before it starts."), field="ends_on")
    if capacity < 0:
        raise Invalid(_("Capacity cannot be negative."), field="capacity")
    if not 0 <= open_seats <= capacity:
        raise Invalid(_("Open seats must be between 0 and the capacity."), field="open_seats")
    event = summit.event(kind)
    if event is not None and capacity < event.confirmed_count:
        raise Conflict(
            ngettext(
                "%(num)d seat is already confirmed; capacity cannot go below that.",
                "%(num)d seats are already confirmed; capacity cannot go below that.",
                event.confirmed_count,
            ),
            field="capacity",
        )
    if (
        registration_opens_at
        and registration_closes_at
        and (registration_closes_at <= registration_opens_at)
    ):
        raise Invalid(_("Registration must close after it opens."), field="registration_closes_at")
    if event is None:
        event = Event(summit=summit, kind=kind, confirmed_count=0)
        db.session.add(event)
    outside = [d.date for d in event.days if not starts_on <= d.date <= ends_on]
    if outside:
        raise Conflict(
            _(
                "Day %(day)s is outside these dates; move or delete it first.",
                day=format_day(outside[0], "%a %d %b"),
            ),
            field="starts_on",
        )
    zone = summit.zone
    event.starts_on, event.ends_on = starts_on, ends_on
    event.capacity, event.open_seats, event.policy = capacity, open_seats, policy
    event.registration_opens_at = (
        registration_opens_at.replace(tzinfo=zone) if registration_opens_at else None
    )
    event.registration_closes_at = (
        registration_closes_at.replace(tzinfo=zone) if registration_closes_at else None
    )
    db.session.flush()
    audit.record(
        actor_id,
        "event.save",
        f"summit:{summit.slug} {kind}",
        f"capacity={capacity} open={open_seats} policy={policy}",
    )
    return event


def _lightning_grid(day: Day) -> list[tuple[datetime, datetime]]:
    step = timedelta(minutes=day.lightning_slot_minutes)
    start = day.lightning_starts_at
    return [(start + i * step, start + (i + 1) * step) for i in range(day.lightning_slot_count)]


def sync_lightning_slots(day: Day) -> None:
    """Cut the day's lightning window into slots (L1), keeping booked slots in place."""
    existing = {
        s.position: s
        for s in db.session.scalars(select(LightningSlot).where(LightningSlot.day_id == day.id))
    }
    grid = _lightning_grid(day)
    for position, (starts, ends) in enumerate(grid):
        slot = existing.pop(position, None)
        if slot is None:
            db.session.add(
                LightningSlot(day_id=day.id, position=position, starts_at=starts, ends_at=ends)
            )
        else:
            if (slot.starts_at, slot.ends_at) != (starts, ends) and slot.talk is not None:
                slot.talk.sequence += 1  # the calendars see the talk move
            slot.starts_at, slot.ends_at = starts, ends
    if not existing:
        return
    booked = db.session.scalars(
        select(LightningTalk).where(LightningTalk.slot_id.in_([s.id for s in existing.values()]))
    ).first()
    if booked is not None:
        raise Conflict(
            _(
                "This change removes lightning slots that already hold talks; "
                "remove those talks first."
            ),
            field="lightning_minutes",
        )
    for slot in existing.values():
        db.session.delete(slot)


def save_day(
    actor_id: int,
    summit_id: int,
    day_id: int | None,
    *,
    event_kind: str,
    date: date,
    first_slot: time,
    slot_minutes: int,
    break_minutes: int,
    slots_before_lunch: int,
    lunch_minutes: int,
    lightning_minutes: int,
    lightning_slot_minutes: int,
    slots_after_lunch: int,
) -> Day:
    summit = get_summit(summit_id)
    event = summit.event(EventKind(event_kind))
    if event is None:
        raise Invalid(
            _("Define the %(event)s event first.", event=EventKind(event_kind).label),
            field="event_kind",
        )
    if not event.starts_on <= date <= event.ends_on:
        raise Invalid(
            _(
                "The %(event)s runs %(first)s to %(last)s.",
                event=event.label,
                first=format_day(event.starts_on, "%a %d %b"),
                last=format_day(event.ends_on, "%a %d %b"),
            ),
            field="date",
        )
    if slots_before_lunch + slots_after_lunch == 0:
        raise Invalid(_("A day needs at least one session slot."), field="slots_before_lunch")
    if lightning_minutes and lightning_minutes < lightning_slot_minutes:
        raise Invalid(
            _("The lightning window is shorter than one lightning slot."),
            field="lightning_minutes",
        )
    day = db.session.get(Day, day_id) if day_id else None
    if day_id and (day is None or day.event.summit_id != summit_id):
        raise NotFound(_("No such day."))
    clash = db.session.scalar(select(Day).where(Day.event_id == event.id, Day.date == date))
    if clash is not None and clash.id != day_id:
        raise Conflict(
            _(
                "%(day)s already has a grid for the %(event)s.",
                day=format_day(date, "%a %d %b"),
                event=event.label,
            ),
            field="date",
        )
    before = [(slot.starts_at, slot.ends_at) for slot in day.slots] if day is not None else []
    if day is None:
        day = Day(event=event)
        db.session.add(day)
    day.event = event
    day.date, day.first_slot = date, first_slot
    day.slot_minutes, day.break_minutes = slot_minutes, break_minutes
    day.slots_before_lunch, day.slots_after_lunch = slots_before_lunch, slots_after_lunch
    day.lunch_minutes, day.lightning_minutes = lunch_minutes, lightning_minutes
    day.lightning_slot_minutes = lightning_slot_minutes
    if day.ends_at.date() != date:
        raise Invalid(
            _("This grid runs past midnight; start earlier or use fewer slots."),
            field="slots_after_lunch",
        )
    db.session.flush()
    sync_lightning_slots(day)
    if before:
        _keep_placed_sessions(day)
    audit.record(actor_id, "day.save", f"summit:{summit.slug} {date.isoformat()}")
    return day


def _keep_placed_sessions(day: Day) -> None:
    """Slots that draft sessions use cannot go. A new grid moves the day's sessions in the
    draft only: the public keeps the release's times until the next publication, whose
    changes then raise SEQUENCE and tell the people (P4)."""
    count = len(day.slots)
    placed = db.session.scalars(
        select(DesignSession).where(
            DesignSession.day_id == day.id, DesignSession.status == SessionStatus.ACTIVE
        )
    ).all()
    for session in placed:
        if (session.start_slot or 0) + session.length_slots > count:
            raise Conflict(
                _(
                    "“%(title)s” is placed in a slot this change removes; move it first.",
                    title=session.title,
                ),
                field="slots_after_lunch",
            )


def _unique_slug(
    model: type[Room] | type[Track], summit_id: int, name: str, own_id: int | None
) -> str:
    base = slugify(name)
    slug, n = base, 2
    while True:
        clash_id = db.session.scalar(
            select(model.id).where(model.summit_id == summit_id, model.slug == slug)
        )
        if clash_id is None or clash_id == own_id:
            return slug
        slug, n = f"{base}-{n}", n + 1


Owned = TypeVar("Owned", Room, Track, SocialEvent, ProgramItem)


def _owned(model: type[Owned], summit_id: int, obj_id: int | None) -> Owned | None:
    if obj_id is None:
        return None
    obj = db.session.get(model, obj_id)
    if obj is None or obj.summit_id != summit_id:
        raise NotFound(_("Not found in this summit."))
    return obj


def save_room(
    actor_id: int, summit_id: int, room_id: int | None, *, name: str, capacity: int, layout: str
) -> Room:
    get_summit(summit_id)
    room = _owned(Room, summit_id, room_id) or Room(summit_id=summit_id)
    name = name.strip()
    if db.session.scalar(
        select(Room).where(
            Room.summit_id == summit_id, Room.name == name, Room.id != (room_id or 0)
        )
    ):
        raise Conflict(_("There is already a room called “%(name)s”.", name=name), field="name")
    if capacity <= 0:
        raise Invalid(_("A room holds at least one person."), field="capacity")
    room.name, room.capacity, room.layout = name, capacity, layout
    room.slug = _unique_slug(Room, summit_id, name, room_id)
    db.session.add(room)
    db.session.flush()
    audit.record(actor_id, "room.save", f"room:{room.id} {room.name}", f"capacity={capacity}")
    return room


def save_track(
    actor_id: int,
    summit_id: int,
    track_id: int | None,
    *,
    name: str,
    colour: str,
    description: str = "",
    window_day_id: int | None = None,
    window_part: str | None = None,
) -> Track:
    get_summit(summit_id)
    track = _owned(Track, summit_id, track_id) or Track(summit_id=summit_id)
    name = name.strip()
    if not COLOUR_RE.match(colour):
        raise Invalid(_("Give the colour as #rrggbb."), field="colour")
    if db.session.scalar(
        select(Track).where(
            Track.summit_id == summit_id, Track.name == name, Track.id != (track_id or 0)
        )
    ):
        raise Conflict(_("There is already a track called “%(name)s”.", name=name), field="name")
    if window_day_id:
        day = db.session.get(Day, window_day_id)
        if day is None or day.event.summit_id != summit_id:
            raise Invalid(_("Pick one of this summit's days."), field="window_day_id")
        window_part = WindowPart(window_part or WindowPart.DAY)
    else:
        window_day_id, window_part = None, None
    track.name, track.colour, track.description = name, colour.lower(), description.strip()
    track.window_day_id, track.window_part = window_day_id, window_part
    track.slug = _unique_slug(Track, summit_id, name, track_id)
    db.session.add(track)
    db.session.flush()
    audit.record(actor_id, "track.save", f"track:{track.id} {track.name}")
    return track


def _localise(summit_id: int, when: datetime | None) -> datetime | None:
    return when.replace(tzinfo=get_summit(summit_id).zone) if when else None


def _calendar_facts(thing: SocialEvent | ProgramItem) -> tuple[object, ...]:
    """What a calendar shows of it: a change here raises its SEQUENCE (E1)."""
    return (thing.title, thing.place, thing.starts_at, thing.ends_at)


def save_social_event(
    actor_id: int,
    summit_id: int,
    social_id: int | None,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None,
    place: str,
    sponsor: str,
) -> SocialEvent:
    """Times are local wall-clock times at the venue; they are stored in UTC."""
    social = _owned(SocialEvent, summit_id, social_id) or SocialEvent(summit_id=summit_id)
    if ends_at is not None and ends_at <= starts_at:
        raise Invalid(_("It must end after it starts."), field="ends_at")
    before = _calendar_facts(social)
    social.title, social.place, social.sponsor = title.strip(), place.strip(), sponsor.strip()
    social.starts_at = _localise(summit_id, starts_at)  # type: ignore[assignment]
    social.ends_at = _localise(summit_id, ends_at)
    if social.id is not None and before != _calendar_facts(social):
        social.sequence = (social.sequence or 0) + 1
    db.session.add(social)
    db.session.flush()
    audit.record(actor_id, "social.save", f"social:{social.id} {social.title}")
    return social


def save_program_item(
    actor_id: int,
    summit_id: int,
    item_id: int | None,
    *,
    title: str,
    kind: str,
    track_name: str,
    place: str,
    speaker: str,
    starts_at: datetime,
    ends_at: datetime,
) -> ProgramItem:
    item = _owned(ProgramItem, summit_id, item_id) or ProgramItem(summit_id=summit_id)
    if ends_at <= starts_at:
        raise Invalid(_("It must end after it starts."), field="ends_at")
    before = _calendar_facts(item)
    item.title, item.kind, item.track_name = title.strip(), kind, track_name.strip()
    item.place, item.speaker = place.strip(), speaker.strip()
    item.starts_at = _localise(summit_id, starts_at)  # type: ignore[assignment]
    item.ends_at = _localise(summit_id, ends_at)  # type: ignore[assignment]
    if item.id is not None and before != _calendar_facts(item):
        item.sequence = (item.sequence or 0) + 1
    db.session.add(item)
    db.session.flush()
    audit.record(actor_id, "program.save", f"program:{item.id} {item.title}")
    return item


def delete_owned(actor_id: int, summit_id: int, kind: str, obj_id: int) -> None:
    """Delete a room, track, social event or programme item of this summit."""
    model = {"room": Room, "track": Track, "social": SocialEvent, "program": ProgramItem}[kind]
    obj = _owned(model, summit_id, obj_id)  # type: ignore[type-var]
    if kind == "track":
        in_use = db.session.scalar(
            select(DesignSession.id).where(DesignSession.track_id == obj_id)
        ) or db.session.scalar(select(Blueprint.id).where(Blueprint.track_id == obj_id))
        if in_use:
            raise Conflict(_("Sessions or blueprints use this track; move them first."))
    db.session.delete(obj)
    db.session.flush()
    audit.record(actor_id, f"{kind}.delete", f"{kind}:{obj_id}")
