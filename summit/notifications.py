"""Every mail Summit sends, in one place (M1, R6; Indico's `notifications.py`).

Services call a function here with facts (who, what, where); this module picks the template
under `templates/mail/` (one `.txt` and one `.html` per kind), the subject and the sender's
name, and writes an outbox row in the caller's transaction. It never sends and never commits:
the row is delivered only if the caller's change commits.

Mail is rendered when it is queued, and the text and HTML are stored on the row: a mail states
the facts as they were at the change (a position on the list, a session's old and new place),
the sender then needs neither templates nor the models, and the organizers' outbox page shows
exactly what went out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from summit.models import Event, PriorityClass, Summit, User
from summit.services.outbox import MailRow, queue_rows


@dataclass(frozen=True)
class Place:
    """Where and when a session is: aware datetimes and a room's name."""

    starts_at: datetime
    ends_at: datetime
    room: str

    def words(self, zone: ZoneInfo) -> str:
        start, end = self.starts_at.astimezone(zone), self.ends_at.astimezone(zone)
        return f"{start:%A %d %B, %H:%M}–{end:%H:%M}, {self.room}"

    def overlaps(self, other: Place) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


def _base_url() -> str:
    return str(current_app.config["BASE_URL"]).rstrip("/")


def _render(kind: str, facts: dict[str, Any]) -> tuple[str, str]:
    env = current_app.jinja_env
    text = env.get_template(f"mail/{kind}.txt").render(**facts)
    html = env.get_template(f"mail/{kind}.html").render(**facts)
    return text.strip() + "\n", html


def _row(kind: str, user: User, summit_name: str, subject: str, **facts: Any) -> MailRow:
    facts = {"name": user.name, "summit_name": summit_name, "base_url": _base_url(), **facts}
    text, html = _render(kind, facts)
    prefix = f"[{summit_name}] " if summit_name else ""
    return MailRow(
        to_addr=user.email,
        subject=(prefix + subject)[:200],
        body=text,
        html=html,
        kind=kind,
        from_name=summit_name[:120],
    )


# While `collected(send=False)` is active, mails are gathered instead of queued: the review
# page shows what a publication would send, worded by the very same functions.
_collecting: ContextVar[list[MailRow] | None] = ContextVar("collecting", default=None)


@contextmanager
def collected(*, send: bool = True) -> Iterator[list[MailRow]]:
    """The mails the functions here make inside the block; queued too when `send`."""
    rows: list[MailRow] = []
    token = _collecting.set(rows)
    try:
        yield rows
    finally:
        _collecting.reset(token)
    if send:
        queue_rows(rows)


def _send(rows: Sequence[MailRow]) -> None:
    gathering = _collecting.get()
    if gathering is not None:
        gathering.extend(rows)
    else:
        queue_rows(list(rows))


# --- registrations (R6) -------------------------------------------------------------------


def _event_facts(event: Event) -> dict[str, Any]:
    return {
        "event_label": event.label,
        "event_dates": f"{event.starts_on:%a %d %b} – {event.ends_on:%a %d %b %Y}",
        "venue": event.summit.venue,
        "registrations_url": f"{_base_url()}/my/registrations",
    }


def _registration(kind: str, user: User, event: Event, subject: str, **facts: Any) -> None:
    summit = event.summit.name
    _send([_row(kind, user, summit, f"{event.label}: {subject}", **_event_facts(event), **facts)])


def seat_confirmed(user: User, event: Event, *, by_organizer: bool = False) -> None:
    _registration(
        "seat_confirmed", user, event, "your seat is confirmed", by_organizer=by_organizer
    )


def seat_waitlisted(
    user: User,
    event: Event,
    position: int,
    *,
    priority_class: str = "",
    claim_pending: bool = False,
) -> None:
    _registration(
        "seat_waitlisted",
        user,
        event,
        f"waiting list, position {position}",
        position=position,
        priority_class=priority_class,
        claim_pending=claim_pending,
    )


def seat_promoted(user: User, event: Event) -> None:
    _registration("seat_promoted", user, event, "you got a seat")


def seat_cancelled(user: User, event: Event) -> None:
    _registration("seat_cancelled", user, event, "seat cancelled")


def waitlist_left(user: User, event: Event) -> None:
    _registration("waitlist_left", user, event, "you left the waiting list")


def seat_declined(user: User, event: Event, reason: str) -> None:
    _registration("seat_declined", user, event, "not confirmed", reason=reason)


# --- accounts -----------------------------------------------------------------------------


def account_claim_link(user: User, link: str) -> None:
    _send([_row("account_claim", user, "", "Claim your Summit account", link=link)])


def address_verify(user: User, link: str, hours: int) -> None:
    _send(
        [
            _row(
                "address_verify",
                user,
                "",
                "Confirm your address for Summit",
                link=link,
                hours=hours,
            )
        ]
    )


def password_reset(user: User, link: str, hours: int) -> None:
    _send([_row("password_reset", user, "", "Reset your Summit password", link=link, hours=hours)])


def address_taken(user: User, link: str, hours: int) -> None:
    """Someone signed up with an address that has an account: its owner hears of it (A4)."""
    subject = "Someone tried to sign up with your address"
    _send([_row("address_taken", user, "", subject, link=link, hours=hours)])


def claim_verified(user: User, priority_class: PriorityClass) -> None:
    _send(
        [
            _row(
                "claim_verified",
                user,
                "",
                "Your contributor claim is verified",
                priority_class=priority_class.label,
                profile_url=f"{_base_url()}/profile",
            )
        ]
    )


def claim_declined(user: User, note: str = "") -> None:
    _send(
        [
            _row(
                "claim_declined",
                user,
                "",
                "Your contributor claim was not verified",
                note=note,
                profile_url=f"{_base_url()}/profile",
            )
        ]
    )


# --- blueprints and lightning talks -------------------------------------------------------


def _session_url(summit: Summit, session_id: int) -> str:
    return f"{_base_url()}/{summit.slug}/sessions/{session_id}"


def blueprint_accepted(user: User, summit: Summit, blueprint_title: str, session_id: int) -> None:
    _send(
        [
            _row(
                "blueprint_accepted",
                user,
                summit.name,
                "your blueprint is accepted",
                blueprint_title=blueprint_title,
                session_url=_session_url(summit, session_id),
            )
        ]
    )


def blueprint_merged(
    user: User,
    summit: Summit,
    blueprint_title: str,
    session_id: int,
    session_title: str,
    lead_name: str,
) -> None:
    _send(
        [
            _row(
                "blueprint_merged",
                user,
                summit.name,
                "your blueprint is merged into a session",
                blueprint_title=blueprint_title,
                session_title=session_title,
                lead_name=lead_name or "the organizers",
                session_url=_session_url(summit, session_id),
            )
        ]
    )


def blueprint_rejected(user: User, summit: Summit, blueprint_title: str, reason: str) -> None:
    _send(
        [
            _row(
                "blueprint_rejected",
                user,
                summit.name,
                "your blueprint was not accepted",
                blueprint_title=blueprint_title,
                reason=reason,
            )
        ]
    )


def lightning_talk_removed(user: User, summit: Summit, title: str, starts_at: datetime) -> None:
    _send(
        [
            _row(
                "lightning_removed",
                user,
                summit.name,
                f"Lightning talk removed: {title}",
                title=title,
                when=f"{starts_at.astimezone(summit.zone):%A %H:%M}",
                board_url=f"{_base_url()}/{summit.slug}/lightning",
            )
        ]
    )


# --- sessions: facts from publishing (P1; the release diff of issue 14 can call these) -------


def _session_facts(summit: Summit, session_id: int, title: str) -> dict[str, Any]:
    return {
        "title": title,
        "session_url": _session_url(summit, session_id),
        "timezone": summit.timezone,
    }


def _lead_and_starrers(lead: User | None, starrers: Sequence[User]) -> list[tuple[User, bool]]:
    """Each person once: the lead with a lead's text, the others as starrers."""
    people: list[tuple[User, bool]] = [(lead, True)] if lead is not None else []
    seen = {lead.id} if lead is not None else set()
    for user in starrers:
        if user.id not in seen:
            seen.add(user.id)
            people.append((user, False))
    return people


def session_scheduled(
    summit: Summit, *, session_id: int, title: str, place: Place, lead: User | None
) -> None:
    """The first publication that gives a session a time: its lead hears when and where."""
    if lead is None:
        return
    facts = _session_facts(summit, session_id, title)
    _send(
        [
            _row(
                "session_scheduled",
                lead,
                summit.name,
                f"Your session is scheduled: {title}",
                place=place.words(summit.zone),
                **facts,
            )
        ]
    )


def session_moved(
    summit: Summit,
    *,
    session_id: int,
    title: str,
    before: Place,
    after: Place,
    lead: User | None,
    starrers: Sequence[User],
    clashes: Mapping[int, Sequence[str]] | None = None,
) -> None:
    """A published session moved: from → to, for its lead and its starrers; `clashes` maps a
    starrer's user id to the titles of their other starred sessions it now overlaps."""
    facts = _session_facts(summit, session_id, title)
    facts.update(before=before.words(summit.zone), after=after.words(summit.zone))
    clashes = clashes or {}
    _send(
        [
            _row(
                "session_moved",
                user,
                summit.name,
                f"{'Your session' if is_lead else 'Session'} moved: {title}",
                is_lead=is_lead,
                clashes=list(clashes.get(user.id, ())),
                **facts,
            )
            for user, is_lead in _lead_and_starrers(lead, starrers)
        ]
    )


def session_renamed(
    summit: Summit,
    *,
    session_id: int,
    old_title: str,
    title: str,
    place: Place | None,
    lead: User | None,
    starrers: Sequence[User],
) -> None:
    facts = _session_facts(summit, session_id, title)
    facts.update(old_title=old_title, place=place.words(summit.zone) if place else "")
    _send(
        [
            _row(
                "session_renamed",
                user,
                summit.name,
                f"{'Your session' if is_lead else 'Session'} renamed: {title}",
                is_lead=is_lead,
                **facts,
            )
            for user, is_lead in _lead_and_starrers(lead, starrers)
        ]
    )


def session_cancelled(
    summit: Summit,
    *,
    session_id: int,
    title: str,
    place: Place | None,
    lead: User | None,
    starrers: Sequence[User],
) -> None:
    facts = _session_facts(summit, session_id, title)
    facts.update(place=place.words(summit.zone) if place else "")
    _send(
        [
            _row(
                "session_cancelled",
                user,
                summit.name,
                f"{'Your session' if is_lead else 'Session'} cancelled: {title}",
                is_lead=is_lead,
                **facts,
            )
            for user, is_lead in _lead_and_starrers(lead, starrers)
        ]
    )
