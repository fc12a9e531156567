"""Every mail Summit sends, in one place (M1, R6; Indico's `notifications.py`).

Services call a function here with facts (who, what, where); this module picks the template
under `templates/mail/` (one `.txt` and one `.html` per kind), the subject and the sender's
name, and writes an outbox row in the caller's transaction. It never sends and never commits:
the row is delivered only if the caller's change commits.

Mail is rendered when it is queued, and the text and HTML are stored on the row: a mail states
the facts as they were at the change (a position on the list, a session's old and new place),
the sender then needs neither templates nor the models, and the organizers' outbox page shows
exactly what went out.

Each mail is written in its recipient's locale (I1): their profile's when we ship it, else
English, never the locale of the request that queued it (an organizer's, say) and never a
browser's (the worker has none). Every public function here renders inside
`in_recipient_locale(user)`, and `_row` refuses a mail rendered in any other locale.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from summit.i18n import DEFAULT_LOCALE, format_day, format_local, shipped
from summit.models import Event, PriorityClass, Summit, User
from summit.services.outbox import MailRow, queue_rows


def mail_locale(user: User | None) -> str:
    """The locale of a mail to `user`: their profile's if we ship it, else English (also for
    an address that has no account)."""
    if user is None:
        return DEFAULT_LOCALE
    return shipped(user.locale) or DEFAULT_LOCALE


@contextmanager
def in_recipient_locale(user: User | None) -> Iterator[str]:
    """Subject, text and HTML of a mail to `user` are worded inside this block."""
    locale = mail_locale(user)
    with force_locale(locale):
        yield locale


@dataclass(frozen=True)
class Place:
    """Where and when a session is: aware datetimes and a room's name."""

    starts_at: datetime
    ends_at: datetime
    room: str

    def words(self, zone: ZoneInfo) -> str:
        """In the current locale, e.g. "Wednesday 27 April, 09:50–10:30, Winchester"."""
        return str(
            _(
                "%(start)s–%(end)s, %(room)s",
                start=format_local(self.starts_at, zone, "%A %d %B, %H:%M"),
                end=format_local(self.ends_at, zone, "%H:%M"),
                room=self.room,
            )
        )

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
    """One rendered mail to `user`; call it inside `in_recipient_locale(user)`, where the
    subject and the facts in words were made too."""
    locale = mail_locale(user)
    if get_locale() != Locale.parse(locale):
        raise RuntimeError(f"a mail to a {locale!r} reader is being worded in {get_locale()}")
    facts = {
        "name": user.name,
        "summit_name": summit_name,
        "base_url": _base_url(),
        "lang": locale.replace("_", "-"),
        **facts,
    }
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
        "event_dates": _(
            "%(first)s – %(last)s",
            first=format_day(event.starts_on, "%a %d %b"),
            last=format_day(event.ends_on, "%a %d %b %Y"),
        ),
        "venue": event.summit.venue,
        "registrations_url": f"{_base_url()}/my/registrations",
    }


def _registration(kind: str, user: User, event: Event, subject: str, **facts: Any) -> None:
    """Call it inside `in_recipient_locale(user)`, where `subject` was worded."""
    _send([_row(kind, user, event.summit.name, subject, **_event_facts(event), **facts)])


def seat_confirmed(user: User, event: Event, *, by_organizer: bool = False) -> None:
    with in_recipient_locale(user):
        subject = _("%(event)s: your seat is confirmed", event=event.label)
        _registration("seat_confirmed", user, event, subject, by_organizer=by_organizer)


def seat_waitlisted(
    user: User,
    event: Event,
    position: int,
    *,
    priority_class: PriorityClass | str = "",
    claim_pending: bool = False,
) -> None:
    """`priority_class` is the class that orders the list (worded in the recipient's
    locale), or "" when this list has no classes; a string that names no class is shown
    as it is."""
    with in_recipient_locale(user):
        subject = _(
            "%(event)s: waiting list, position %(position)s", event=event.label, position=position
        )
        _registration(
            "seat_waitlisted",
            user,
            event,
            subject,
            position=position,
            priority_class=_class_words(priority_class),
            claim_pending=claim_pending,
        )


def _class_words(priority_class: PriorityClass | str) -> str:
    if priority_class in tuple(PriorityClass):
        return PriorityClass(priority_class).label
    return str(priority_class)


def seat_promoted(user: User, event: Event) -> None:
    with in_recipient_locale(user):
        subject = _("%(event)s: you got a seat", event=event.label)
        _registration("seat_promoted", user, event, subject)


def seat_cancelled(user: User, event: Event) -> None:
    with in_recipient_locale(user):
        subject = _("%(event)s: seat cancelled", event=event.label)
        _registration("seat_cancelled", user, event, subject)


def waitlist_left(user: User, event: Event) -> None:
    with in_recipient_locale(user):
        subject = _("%(event)s: you left the waiting list", event=event.label)
        _registration("waitlist_left", user, event, subject)


def seat_declined(user: User, event: Event, reason: str) -> None:
    with in_recipient_locale(user):
        subject = _("%(event)s: not confirmed", event=event.label)
        _registration("seat_declined", user, event, subject, reason=reason)


# --- accounts -----------------------------------------------------------------------------


def account_claim_link(user: User, link: str) -> None:
    with in_recipient_locale(user):
        subject = _("Claim your Summit account")
        _send([_row("account_claim", user, "", subject, link=link)])


def address_verify(user: User, link: str, hours: int) -> None:
    with in_recipient_locale(user):
        subject = _("Confirm your address for Summit")
        _send([_row("address_verify", user, "", subject, link=link, hours=hours)])


def password_reset(user: User, link: str, hours: int) -> None:
    with in_recipient_locale(user):
        subject = _("Reset your Summit password")
        _send([_row("password_reset", user, "", subject, link=link, hours=hours)])


def address_taken(user: User, link: str, hours: int) -> None:
    """Someone signed up with an address that has an account: its owner hears of it (A4),
    in the owner's locale."""
    with in_recipient_locale(user):
        subject = _("Someone tried to sign up with your address")
        _send([_row("address_taken", user, "", subject, link=link, hours=hours)])


def claim_verified(user: User, priority_class: PriorityClass) -> None:
    with in_recipient_locale(user):
        subject = _("Your contributor claim is verified")
        row = _row(
            "claim_verified",
            user,
            "",
            subject,
            priority_class=priority_class.label,
            profile_url=f"{_base_url()}/profile",
        )
    _send([row])


def claim_declined(user: User, note: str = "") -> None:
    with in_recipient_locale(user):
        subject = _("Your contributor claim was not verified")
        row = _row(
            "claim_declined", user, "", subject, note=note, profile_url=f"{_base_url()}/profile"
        )
    _send([row])


# --- blueprints and lightning talks -------------------------------------------------------


def _session_url(summit: Summit, session_id: int) -> str:
    return f"{_base_url()}/{summit.slug}/sessions/{session_id}"


def blueprint_accepted(user: User, summit: Summit, blueprint_title: str, session_id: int) -> None:
    with in_recipient_locale(user):
        row = _row(
            "blueprint_accepted",
            user,
            summit.name,
            _("your blueprint is accepted"),
            blueprint_title=blueprint_title,
            session_url=_session_url(summit, session_id),
        )
    _send([row])


def blueprint_merged(
    user: User,
    summit: Summit,
    blueprint_title: str,
    session_id: int,
    session_title: str,
    lead_name: str,
) -> None:
    with in_recipient_locale(user):
        row = _row(
            "blueprint_merged",
            user,
            summit.name,
            _("your blueprint is merged into a session"),
            blueprint_title=blueprint_title,
            session_title=session_title,
            lead_name=lead_name or _("the organizers"),
            session_url=_session_url(summit, session_id),
        )
    _send([row])


def blueprint_rejected(user: User, summit: Summit, blueprint_title: str, reason: str) -> None:
    with in_recipient_locale(user):
        row = _row(
            "blueprint_rejected",
            user,
            summit.name,
            _("your blueprint was not accepted"),
            blueprint_title=blueprint_title,
            reason=reason,
        )
    _send([row])


def lightning_talk_removed(user: User, summit: Summit, title: str, starts_at: datetime) -> None:
    with in_recipient_locale(user):
        row = _row(
            "lightning_removed",
            user,
            summit.name,
            _("Lightning talk removed: %(title)s", title=title),
            title=title,
            when=format_local(starts_at, summit.zone, "%A %H:%M"),
            board_url=f"{_base_url()}/{summit.slug}/lightning",
        )
    _send([row])


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
    with in_recipient_locale(lead):
        row = _row(
            "session_scheduled",
            lead,
            summit.name,
            _("Your session is scheduled: %(title)s", title=title),
            place=place.words(summit.zone),
            **_session_facts(summit, session_id, title),
        )
    _send([row])


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
    clashes = clashes or {}
    rows = []
    for user, is_lead in _lead_and_starrers(lead, starrers):
        with in_recipient_locale(user):
            subject = (
                _("Your session moved: %(title)s", title=title)
                if is_lead
                else _("Session moved: %(title)s", title=title)
            )
            rows.append(
                _row(
                    "session_moved",
                    user,
                    summit.name,
                    subject,
                    is_lead=is_lead,
                    clashes=list(clashes.get(user.id, ())),
                    before=before.words(summit.zone),
                    after=after.words(summit.zone),
                    **facts,
                )
            )
    _send(rows)


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
    rows = []
    for user, is_lead in _lead_and_starrers(lead, starrers):
        with in_recipient_locale(user):
            subject = (
                _("Your session renamed: %(title)s", title=title)
                if is_lead
                else _("Session renamed: %(title)s", title=title)
            )
            rows.append(
                _row(
                    "session_renamed",
                    user,
                    summit.name,
                    subject,
                    is_lead=is_lead,
                    old_title=old_title,
                    place=place.words(summit.zone) if place else "",
                    **facts,
                )
            )
    _send(rows)


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
    rows = []
    for user, is_lead in _lead_and_starrers(lead, starrers):
        with in_recipient_locale(user):
            subject = (
                _("Your session cancelled: %(title)s", title=title)
                if is_lead
                else _("Session cancelled: %(title)s", title=title)
            )
            rows.append(
                _row(
                    "session_cancelled",
                    user,
                    summit.name,
                    subject,
                    is_lead=is_lead,
                    place=place.words(summit.zone) if place else "",
                    **facts,
                )
            )
    _send(rows)
