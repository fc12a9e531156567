"""Registration and the priority waiting list (R1-R7).

Seats are taken with guarded updates (STYLE.md): one statement adds a confirmed seat only
where the limit still allows it, and its row count says whether the seat was won. The same
statement takes the event row's lock (PostgreSQL) or the write lock (SQLite), so everything
after it in the transaction is serialised per event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from summit import notifications
from summit.extensions import db
from summit.models import (
    Event,
    EventKind,
    PriorityClass,
    Registration,
    RegistrationStatus,
    SeatPolicy,
    User,
    utcnow,
)
from summit.services import audit
from summit.services.errors import Conflict, Invalid, NotFound

WAITLISTED = RegistrationStatus.WAITLISTED
CONFIRMED = RegistrationStatus.CONFIRMED


# Table columns rather than mapped attributes: a statement made of these stays a plain Core
# statement, which the rush's hot path needs (see the prebuilt statements below).
_registrations = cast(Table, Registration.__table__).c
_events = cast(Table, Event.__table__).c
_users = cast(Table, User.__table__).c


def class_rank() -> ColumnElement[int]:
    """Core developers first, then well-known contributors, then everyone (R3)."""
    return case(
        (_users.verified_class == PriorityClass.CORE, 0),
        (_users.verified_class == PriorityClass.KNOWN, 1),
        else_=2,
    )


def _uses_classes(event: Event) -> bool:
    # The Design Summit orders its list by class; the Conference is plain FIFO (R5).
    return event.kind == EventKind.DESIGN_SUMMIT


def queue_query(event: Event) -> Select[tuple[Registration]]:
    """Waiting-list entries of an event in R3 order, with their users."""
    by_time: list[ColumnElement[Any]] = [
        Registration.joined_at.expression,
        Registration.id.expression,
    ]
    order = [class_rank(), *by_time] if _uses_classes(event) else by_time
    return (
        select(Registration)
        .join(User, User.id == Registration.user_id)
        .where(Registration.event_id == event.id, Registration.status == WAITLISTED)
        .order_by(*order)
    )


def waiting_list(event: Event, only_class: str | None = None) -> list[Registration]:
    query = queue_query(event)
    if only_class:
        query = query.where(User.verified_class == only_class)
    return list(db.session.scalars(query))


WAITLIST_PAGE_SIZE = 100


def waiting_list_page(event: Event, only_class: str | None, *, page: int) -> Pagination:
    """One page of the list in R3 order, with each entry's person loaded."""
    query = queue_query(event).options(contains_eager(Registration.user))
    if only_class:
        query = query.where(User.verified_class == only_class)
    return db.paginate(query, page=page, per_page=WAITLIST_PAGE_SIZE, error_out=False)


def position(registration: Registration) -> int | None:
    """1-based place on the waiting list, computed when shown (never stored)."""
    if registration.status != WAITLISTED:
        return None
    return _place(
        registration.event,
        registration.id,
        registration.joined_at,
        PriorityClass(registration.user.verified_class),
    )


# The hot path's statements are Core statements on the tables, built once with bound
# parameters: building, keying and running an ORM statement afresh costs several times more
# Python than the database spends on it, and registering is the rush's hot path.
_waiting = and_(
    _registrations.event_id == bindparam("event_id"), _registrations.status == WAITLISTED
)
_earlier = or_(
    _registrations.joined_at < bindparam("joined_at"),
    and_(_registrations.joined_at == bindparam("joined_at"), _registrations.id < bindparam("me")),
)
_count = select(func.count()).select_from(Registration.__table__)
_count_by_class = _count.join(User.__table__, _users.id == _registrations.user_id)
_rank = bindparam("rank", type_=Integer)
_class_rank = class_rank()
# The Conference: plain join order.
_PLACE_FIFO = _count.where(_waiting, _earlier)
# A better class than the lowest: those of a better class, then my class in join order.
_PLACE_RANKED = _count_by_class.where(
    _waiting, or_(_class_rank < _rank, and_(_class_rank == _rank, _earlier))
)
# The lowest class, as most people in a rush: everyone who joined earlier is ahead, and so
# is anyone of a better class who joined later. The first count needs no join with the
# users, and the second reads only the few entries younger than this one.
_PLACE_LOWEST = select(
    _count.where(_waiting, _earlier).scalar_subquery(),
    _count_by_class.where(
        _waiting, ~_earlier, _registrations.id != bindparam("me"), _class_rank < _rank
    ).scalar_subquery(),
)


def _place(event: Event, registration_id: int, joined_at: datetime, klass: PriorityClass) -> int:
    db.session.flush()  # Core statements do not autoflush pending ORM changes
    params = {
        "event_id": event.id,
        "joined_at": joined_at,
        "me": registration_id,
        "rank": klass.rank,
    }
    if not _uses_classes(event):
        return (db.session.scalar(_PLACE_FIFO, params) or 0) + 1
    if klass.rank < PriorityClass.OTHER.rank:
        return (db.session.scalar(_PLACE_RANKED, params) or 0) + 1
    before_me, better = db.session.execute(_PLACE_LOWEST, params).one()
    return int(before_me or 0) + int(better or 0) + 1


@dataclass(frozen=True)
class EventCounts:
    capacity: int
    confirmed: int
    open_seats_left: int
    review_seats_left: int
    waiting: int


def counts(event: Event) -> EventCounts:
    waiting = (
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.event_id == event.id, Registration.status == WAITLISTED)
        )
        or 0
    )
    return EventCounts(
        capacity=event.capacity,
        confirmed=event.confirmed_count,
        open_seats_left=max(event.open_seats - event.confirmed_count, 0),
        review_seats_left=max(event.capacity - event.confirmed_count, 0),
        waiting=waiting,
    )


# --- the guarded seat updates ---------------------------------------------------------


_TAKE_OPEN_SEAT = (
    update(cast(Table, Event.__table__))
    .where(
        _events.id == bindparam("event_id"),
        _events.confirmed_count < _events.open_seats,
        ~exists().where(_waiting),
    )
    .values(confirmed_count=_events.confirmed_count + 1)
)


def _take_open_seat(event_id: int) -> bool:
    """R2: a first-come seat, only while seats remain and nobody waits."""
    result = db.session.execute(_TAKE_OPEN_SEAT, {"event_id": event_id})
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def _take_seat(event_id: int, within: Literal["open_seats", "capacity"]) -> bool:
    """One more confirmed seat, only while the count stays within the given limit."""
    limit = Event.open_seats if within == "open_seats" else Event.capacity
    result = db.session.execute(
        update(Event)
        .where(Event.id == event_id, Event.confirmed_count < limit)
        .values(confirmed_count=Event.confirmed_count + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def _release_seat(event_id: int) -> None:
    db.session.execute(
        update(Event)
        .where(Event.id == event_id, Event.confirmed_count > 0)
        .values(confirmed_count=Event.confirmed_count - 1)
        .execution_options(synchronize_session=False)
    )


def _set_status(registration_id: int, old: str, new: str, **values: object) -> bool:
    """Move one entry from `old` to `new`; False when someone else moved it first."""
    result = db.session.execute(
        update(Registration)
        .where(Registration.id == registration_id, Registration.status == old)
        .values(status=new, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


# --- mail: worded in summit.notifications --------------------------------------------------


def _waitlisted(user: User, event: Event, place: int) -> None:
    classes = _uses_classes(event)
    notifications.seat_waitlisted(
        user,
        event,
        place,
        priority_class=PriorityClass(user.verified_class) if classes else "",
        claim_pending=classes and user.has_pending_claim,
    )


# --- attendees ----------------------------------------------------------------------


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound(_("No such event."))
    return event


@dataclass(frozen=True)
class Registered:
    """What registering gave: the entry, its status and, on the waiting list, its place."""

    registration_id: int
    status: RegistrationStatus
    position: int | None


_INSERT_REGISTRATION = insert(cast(Table, Registration.__table__)).returning(_registrations.id)


def register(user_id: int, event_id: int, *, now: datetime | None = None) -> Registered:
    """Confirm at once while open seats remain and nobody waits (R2); else join the list (R3).

    R1 is left to the partial unique index: a second live registration fails its insert,
    and the caller's rollback also gives back any seat this attempt took. The entry is
    written with one Core statement rather than an ORM flush: this is the rush's hot path.
    """
    now = now or utcnow()
    # Core statements do not autoflush: pending ORM changes must reach the database first.
    db.session.flush()
    event, user = _event(event_id), db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such person."))
    if event.registration_opens_at and now < event.registration_opens_at:
        raise Invalid(_("Registration for the %(event)s is not open yet.", event=event.label))
    if event.registration_closes_at and now >= event.registration_closes_at:
        raise Invalid(_("Registration for the %(event)s is closed.", event=event.label))
    # The guarded update comes first: it serialises the registrations that get a seat, so
    # the time of joining below follows the order in which people really got through.
    confirmed = _take_open_seat(event_id)
    joined = utcnow()
    status = CONFIRMED if confirmed else WAITLISTED
    try:
        registration_id: int = db.session.execute(
            _INSERT_REGISTRATION,
            {
                "event_id": event_id,
                "user_id": user_id,
                "status": status,
                "joined_at": joined,
                "decided_at": joined if confirmed else None,
            },
        ).scalar_one()
    except IntegrityError as exc:
        # As a failed ORM flush would: the seat this attempt may have taken goes back even
        # if a caller forgot to roll back before committing.
        label = event.label
        db.session.rollback()
        raise Conflict(_("You are already registered for the %(event)s.", event=label)) from exc
    if confirmed:
        notifications.seat_confirmed(user, event)
        return Registered(registration_id, status, None)
    place = _place(event, registration_id, joined, PriorityClass(user.verified_class))
    _waitlisted(user, event, place)
    return Registered(registration_id, status, place)


def my_registrations(user_id: int) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.user_id == user_id)
            .order_by(Registration.joined_at.desc())
        )
    )


def cancel(user_id: int, registration_id: int) -> Registration:
    """Give up a seat or leave the list (R5). A freed seat is never lost."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.user_id != user_id:
        raise NotFound(_("No such registration."))
    event_id = registration.event_id
    if registration.status == CONFIRMED:
        if not _set_status(
            registration.id, CONFIRMED, RegistrationStatus.CANCELLED, decided_at=utcnow()
        ):
            raise Conflict(_("This registration changed meanwhile; reload the page."))
        _release_seat(event_id)
        db.session.refresh(registration)
        notifications.seat_cancelled(registration.user, registration.event)
        event = _event(event_id)
        db.session.refresh(event)
        if event.policy == SeatPolicy.AUTO:
            _promote_head(event)
    elif registration.status == WAITLISTED:
        if not _set_status(
            registration.id, WAITLISTED, RegistrationStatus.CANCELLED, decided_at=utcnow()
        ):
            raise Conflict(_("This registration changed meanwhile; reload the page."))
        db.session.refresh(registration)
        notifications.waitlist_left(registration.user, registration.event)
    else:
        raise Conflict(_("This registration is no longer active."))
    return registration


def _promote_head(event: Event) -> Registration | None:
    """Under `auto`, the head of the list takes a freed first-come seat at once."""
    head = db.session.scalars(queue_query(event).limit(1)).first()
    if head is None or not _take_seat(event.id, "open_seats"):
        return None
    if not _set_status(head.id, WAITLISTED, CONFIRMED, decided_at=utcnow()):
        raise Conflict(_("The waiting list changed meanwhile; try again."))
    db.session.refresh(head)
    notifications.seat_promoted(head.user, head.event)
    return head


# --- organizers ---------------------------------------------------------------------


def confirm_entries(organizer_id: int, event_id: int, registration_ids: list[int]) -> int:
    """Confirm chosen waiting-list entries, each through the guarded seat update (R4)."""
    event = _event(event_id)
    done = 0
    for registration_id in registration_ids:
        registration = db.session.get(Registration, registration_id)
        if registration is None or registration.event_id != event_id:
            raise NotFound(_("No such entry on this waiting list."))
        if registration.status != WAITLISTED:
            continue  # someone confirmed or declined it already
        if not _take_seat(event_id, "capacity"):
            if done == 0:
                raise Conflict(
                    _("The %(event)s is full: no seat is left to confirm.", event=event.label)
                )
            break
        if not _set_status(
            registration.id, WAITLISTED, CONFIRMED, decided_at=utcnow(), decided_by_id=organizer_id
        ):
            _release_seat(event_id)
            continue
        db.session.refresh(registration)
        notifications.seat_confirmed(registration.user, event, by_organizer=True)
        audit.record(
            organizer_id,
            "registration.confirm",
            f"registration:{registration.id}",
            f"{event.label} {registration.user.email}",
        )
        done += 1
    db.session.refresh(event)
    return done


def confirm_next(organizer_id: int, event_id: int, n: int) -> int:
    """Confirm the first n entries of the list in R3 order, as far as seats allow."""
    if n < 1:
        raise Invalid(_("Confirm at least one person."))
    event = _event(event_id)
    done = 0
    while done < n:
        # Take the seat first: that serialises organizers, so two never pick the same head.
        if not _take_seat(event_id, "capacity"):
            break
        head = db.session.scalars(queue_query(event).limit(1)).first()
        if head is None or not _set_status(
            head.id, WAITLISTED, CONFIRMED, decided_at=utcnow(), decided_by_id=organizer_id
        ):
            _release_seat(event_id)
            break
        db.session.refresh(head)
        notifications.seat_confirmed(head.user, event, by_organizer=True)
        done += 1
    if done == 0:
        left = counts(event)
        if left.waiting == 0:
            raise Conflict(_("Nobody was confirmed: nobody is waiting."))
        raise Conflict(_("Nobody was confirmed: no seat is left."))
    audit.record(
        organizer_id,
        "registration.confirm_next",
        f"event:{event_id}",
        f"{event.label}: confirmed {done} of {n} asked",
    )
    db.session.refresh(event)
    return done


def decline(organizer_id: int, registration_id: int, reason: str) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise NotFound(_("No such entry on the waiting list."))
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Give a reason: the person will read it."), field="reason")
    if not _set_status(
        registration.id,
        WAITLISTED,
        RegistrationStatus.DECLINED,
        decided_at=utcnow(),
        decided_by_id=organizer_id,
        reason=reason[:500],
    ):
        raise Conflict(_("This entry is no longer on the waiting list."))
    db.session.refresh(registration)
    notifications.seat_declined(registration.user, registration.event, reason)
    audit.record(
        organizer_id,
        "registration.decline",
        f"registration:{registration.id}",
        f"{registration.event.label} {registration.user.email}: {reason}",
    )
    return registration


def attendees(event: Event) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .join(User, User.id == Registration.user_id)
            .where(Registration.event_id == event.id, Registration.status == CONFIRMED)
            .order_by(User.name, Registration.id)
        )
    )
