"""iCalendar feeds (E1): functions from the loaded programme to the bytes of a calendar.

Built with the `icalendar` library, which escapes the text, writes CRLF line ends and folds
lines at 75 octets without splitting a UTF-8 character. Every value comes from the entries,
never from the clock, so the same programme always gives the same bytes.

The words people read (a summary's "Cancelled: ", the description's labels) are in the
current locale (I1): the request's for the public feeds, the owner's for the personal feed
(the view sets it with `force_locale`). Ids, categories and URLs never change with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from flask_babel import gettext as _
from icalendar import Calendar, Component, Event, Timezone, vDDDTypes, vDuration, vInt, vText, vUri

from summit.models import Summit
from summit.services.programme import Entry, EntryKind, Programme, public_url

PRODID = "-//Summit//Design Summit schedule 1.0//EN"
REFRESH = timedelta(hours=1)
_END = b"END:VCALENDAR\r\n"
# LAST-MODIFIED of an entry that keeps no change time and belongs to an unpublished summit.
_NEVER = datetime(2000, 1, 1, tzinfo=UTC)
# Control characters are not allowed in iCalendar text (RFC 5545 §3.3.11); tabs and line
# breaks are, and icalendar escapes the line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: str) -> str:
    """For the calendar's name and description: icalendar writes X-WR-* values unescaped,
    so a line break there (an older summit name, say) would break the whole feed."""
    return " ".join(clean(text).split())


def uid(entry: Entry, server_name: str) -> str:
    """Stable across publishes (the record's kind and id) and unique across installations."""
    return f"{entry.key}@{server_name}"


def entry_url(entry: Entry, summit: Summit, base_url: str) -> str:
    return public_url(entry, summit.slug, base_url)


def summary(entry: Entry) -> str:
    title = clean(entry.title)
    if entry.kind is EntryKind.LIGHTNING:
        title = str(_("Lightning talk: %(title)s", title=title))
    # Clients that ignore STATUS (Outlook shows a subscribed event as usual) still say so.
    return str(_("Cancelled: %(title)s", title=title)) if entry.cancelled else title


def location(entry: Entry, summit: Summit) -> str:
    """The room, then the venue, so that a map lookup finds the building."""
    parts = [p for p in (clean(entry.place), clean(summit.venue)) if p]
    return ", ".join(parts)


def _people(entry: Entry) -> str:
    """Who leads or speaks, with the word for it; a social event's host as it is."""
    if entry.kind is EntryKind.SESSION:
        return str(_("Lead: %(people)s", people=entry.people))
    if entry.kind in (EntryKind.PROGRAM, EntryKind.LIGHTNING):
        return str(_("Speaker: %(people)s", people=entry.people))
    return entry.people


def description(entry: Entry, url: str) -> str:
    """Lead, track, text, linked blueprints and the session URL (Thunderbird hides URL)."""
    parts: list[str] = []
    if entry.cancelled:
        parts.append(str(_("This session has been cancelled.")))
    head: list[str] = []
    if entry.people:
        head.append(_people(entry))
    head.append(str(_("Track: %(track)s", track=entry.category)))
    parts.append("\n".join(clean(h) for h in head))
    if entry.description.strip():
        parts.append(clean(entry.description.strip()))
    if entry.blueprints:
        lines = [f"- {clean(b.title)}: {b.url}" for b in entry.blueprints]
        parts.append("\n".join([str(_("Blueprints:")), *lines]))
    parts.append(url)
    return "\n\n".join(parts)


def changed_at(entry: Entry, summit: Summit) -> datetime:
    """When the public version last changed: DTSTAMP and LAST-MODIFIED (RFC 5545 §3.8.7.2:
    without METHOD, DTSTAMP is the last revision). Programme items and social events keep
    no change time; the summit's publication stands in for them."""
    stamp = entry.modified_at or summit.published_at or _NEVER
    return stamp.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class EventValues:
    """Everything one VEVENT says, as plain values: the key of the cache of rendered events."""

    uid: str
    stamp: datetime
    sequence: int
    tzid: str  # part of the key: aware datetimes of the same instant compare equal
    start: datetime  # local, aware
    end: datetime
    summary: str
    location: str
    category: str
    description: str
    url: str
    cancelled: bool


def values(entry: Entry, summit: Summit, *, server_name: str, base_url: str) -> EventValues:
    zone = summit.zone
    url = entry_url(entry, summit, base_url)
    return EventValues(
        uid=uid(entry, server_name),
        stamp=changed_at(entry, summit),
        sequence=entry.sequence,
        tzid=summit.timezone,
        start=entry.starts_at.astimezone(zone),
        end=max(entry.ends_at, entry.starts_at).astimezone(zone),
        summary=summary(entry),
        location=location(entry, summit),
        category=clean(entry.category),
        description=description(entry, url),
        url=url,
        cancelled=entry.cancelled,
    )


def event(v: EventValues) -> Event:
    # Values go in already typed, so that icalendar need not guess a type for each.
    ev = Event()
    ev.add("uid", vText(v.uid))
    ev.add("dtstamp", vDDDTypes(v.stamp))
    ev.add("last-modified", vDDDTypes(v.stamp))
    ev.add("sequence", vInt(v.sequence))
    ev.add("dtstart", vDDDTypes(v.start))
    ev.add("dtend", vDDDTypes(v.end))
    ev.add("summary", vText(v.summary))
    ev.add("location", vText(v.location))
    ev.add("categories", [v.category])
    ev.add("description", vText(v.description))
    ev.add("url", vUri(v.url))
    ev.add("status", vText("CANCELLED" if v.cancelled else "CONFIRMED"))
    ev.add("transp", vText("OPAQUE"))
    return ev


def serialize(component: Component) -> bytes:
    """`component.to_ical()`, with a short cut for the lines that need no folding.

    icalendar folds every content line character by character, short ones too; on a feed
    of hundreds of events that is a good part of the time. A line under 75 octets comes out
    the same either way, so only the longer ones go through icalendar's folding.
    """
    out = []
    for line in component.content_lines():
        if line:
            data = line.encode("utf-8")
            out.append(data if len(data) < 75 else line.to_ical())
    return b"\r\n".join(out) + b"\r\n"


@lru_cache(maxsize=4096)
def _rendered(v: EventValues) -> bytes:
    # Rendering is most of a feed's cost and the same values always give the same bytes,
    # so a feed re-renders only the events that changed since the last request.
    return serialize(event(v))


def clear_cache() -> None:
    _rendered.cache_clear()


def span(programme: Programme) -> tuple[date, date]:
    """First and last day of the summit, for the range its VTIMEZONE has to cover."""
    dates = programme.dates
    summit = programme.summit
    first = dates[0] if dates else summit.starts_on
    last = dates[-1] if dates else summit.ends_on
    if first is None or last is None:
        anchor = (summit.published_at or _NEVER).date()
        first, last = first or anchor, last or anchor
    return first, last


@lru_cache(maxsize=64)
def _timezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    # Computing transitions is slow (icalendar asks us to cache it). Whole years keep the
    # cache small and give every feed of a summit the same VTIMEZONE.
    return Timezone.from_tzid(
        tzid, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )


def vtimezone(programme: Programme) -> Timezone:
    first, last = span(programme)
    return _timezone(programme.summit.timezone, first.year, last.year)


def calendar(
    programme: Programme,
    entries: Iterable[Entry],
    *,
    name: str,
    server_name: str,
    base_url: str,
    about: str = "",
) -> bytes:
    """A calendar of `entries`, with the summit's VTIMEZONE even when there are none."""
    summit = programme.summit
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.calendar_name = one_line(name)
    if about:
        cal.description = one_line(about)
    cal.add("x-wr-timezone", summit.timezone)
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    cal.add_component(vtimezone(programme))
    # The calendar and its VTIMEZONE from icalendar; the events, rendered by icalendar one
    # by one (and cached), go in before the calendar's last line.
    head = serialize(cal)
    if not head.endswith(_END):
        raise ValueError("icalendar ended the calendar unexpectedly")
    events = (
        _rendered(values(e, summit, server_name=server_name, base_url=base_url)) for e in entries
    )
    return b"".join([head[: -len(_END)], *events, _END])
