"""The frab / C3VOC schedule (E2): schedule.xml and schedule.json from the loaded programme.

This is the format that Giggity, ConfClerk and EventFahrplan read. Events are grouped by day
(in the summit's zone) and by place. Each event has a GUID that stays the same across exports
(a UUID 5 of the server name and the record) and a numeric id unique across every kind of
entry: the record's id times ten plus a digit for its kind. Cancelled sessions are left out,
as these apps have no way of showing them as cancelled.

The one word of our own in it, the name of the place for entries without one, is in the
request's locale (I1); that place's GUID and slug come from a fixed key, so they stay the same.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from flask_babel import gettext as _

from summit.models import Summit
from summit.services.programme import Entry, EntryKind, Programme, public_url

SCHEMA_JSON = "https://c3voc.de/schedule/schema.json"
GENERATOR = "Summit"
LANGUAGE = "en"
_KIND_DIGIT = {
    EntryKind.SESSION: 1,
    EntryKind.PROGRAM: 2,
    EntryKind.LIGHTNING: 3,
    EntryKind.SOCIAL: 4,
}
_TYPE = {
    EntryKind.SESSION: "discussion",
    EntryKind.PROGRAM: "talk",
    EntryKind.LIGHTNING: "lightning_talk",
    EntryKind.SOCIAL: "social",
}
# Characters XML 1.0 cannot carry at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")
_XSD_SLUG = re.compile(r"[a-z][a-z0-9-]+")  # <track slug="…"> in the XSD
_JSON_SLUG = re.compile(r"[a-z0-9_-]+[a-z0-9]")  # slugs in the JSON schema
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# The JSON schema's pattern for time_zone_name, applied as JSON Schema does (a search):
# "Etc/GMT+5" or "EST5EDT" are real zones that it refuses, so they are left out there.
_JSON_ZONE = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
# The key (for GUID and slug) of the place of entries that have none.
_ELSEWHERE = "Elsewhere"


def clean(text: str) -> str:
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG_CHARS.sub("-", ascii_text.lower()).strip("-")


def acronym(summit: Summit) -> str:
    """The summit's slug in the shape both schemas accept: `[a-z0-9_]{4,}`, no hyphens."""
    text = summit.slug.lower().replace("-", "_")
    text = re.sub(r"[^a-z0-9_]", "", text)
    return text.ljust(4, "_")


def namespace(server_name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_DNS, server_name)


def guid(entry: Entry, server_name: str) -> str:
    return str(uuid.uuid5(namespace(server_name), entry.key))


def event_id(entry: Entry) -> int:
    return entry.id * 10 + _KIND_DIGIT[entry.kind]


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class _Event:
    """One entry with everything both formats need, computed once."""

    entry: Entry
    id: int
    guid: str
    room: str  # the place's name, as people read it
    room_key: str  # what its GUID and slug are made of
    start: datetime  # local, aware
    duration: str
    end: datetime
    slug: str
    url: str
    track: str
    type: str
    abstract: str
    description: str
    person_guid: str | None
    links: tuple[tuple[str, str], ...]  # (url, title)


@dataclass(frozen=True)
class _Day:
    index: int
    date: date
    start: datetime
    end: datetime
    rooms: dict[str, list[_Event]]


@dataclass(frozen=True)
class _Schedule:
    summit: Summit
    acronym: str
    version: str
    base_url: str
    url: str
    start: date
    end: date
    timeslot: str
    tracks: list[tuple[str, str, str | None]]  # name, slug, colour
    rooms: list[tuple[str, str, str | None]]  # name, guid, slug
    days: list[_Day]


def _entry_url(entry: Entry, summit: Summit, base_url: str) -> str:
    return public_url(entry, summit.slug, base_url)


def _event(entry: Entry, summit: Summit, code: str, server_name: str, base_url: str) -> _Event:
    zone = summit.zone
    start = entry.starts_at.astimezone(zone)
    end = max(entry.ends_at, entry.starts_at).astimezone(zone)
    minutes = int((end - start).total_seconds() // 60)
    title_slug = _slug(entry.title)[:50].strip("-")
    slug = f"{code}-{entry.kind.value}-{entry.id}" + (f"-{title_slug}" if title_slug else "")
    people_ns = namespace(server_name)
    person = (
        str(uuid.uuid5(people_ns, f"user-{entry.person_id}"))
        if entry.person_id is not None
        else None
    )
    text = clean(entry.description.strip())
    return _Event(
        entry=entry,
        id=event_id(entry),
        guid=guid(entry, server_name),
        room=clean(entry.place) or str(_("Elsewhere")),
        room_key=clean(entry.place) or _ELSEWHERE,
        start=start,
        duration=_hhmm(minutes),
        end=end,
        slug=slug,
        url=_entry_url(entry, summit, base_url),
        track=clean(entry.category),
        type=_TYPE[entry.kind],
        abstract=text.split("\n\n", 1)[0] if text else "",
        description=text,
        person_guid=person,
        links=tuple((b.url, clean(b.title)) for b in entry.blueprints),
    )


def _schedule(programme: Programme, *, server_name: str, base_url: str, url: str) -> _Schedule:
    summit = programme.summit
    zone = summit.zone
    code = acronym(summit)
    shown = [e for e in programme.entries if not e.cancelled]
    events = [_event(e, summit, code, server_name, base_url) for e in shown]
    by_date: defaultdict[date, list[_Event]] = defaultdict(list)
    for ev in events:
        by_date[ev.start.date()].append(ev)
    dates = sorted(set(programme.dates) | set(by_date))
    if not dates:
        dates = [summit.starts_on or (summit.published_at or datetime.now(zone)).date()]
    days = []
    for index, day in enumerate(dates, start=1):
        todays = by_date.get(day, [])
        midnight = datetime.combine(day, time(0, 0), tzinfo=zone)
        rooms: dict[str, list[_Event]] = {}
        for ev in sorted(todays, key=lambda e: (e.room, e.start, e.id)):
            rooms.setdefault(ev.room, []).append(ev)
        days.append(
            _Day(
                index,
                day,
                min((e.start for e in todays), default=midnight),
                max((e.end for e in todays), default=midnight + timedelta(days=1)),
                rooms,
            )
        )
    places = sorted({(ev.room, ev.room_key) for ev in events})
    rooms_out = []
    for place, key in places:
        place_slug = _slug(key)
        rooms_out.append(
            (
                place,
                str(uuid.uuid5(namespace(server_name), f"{summit.slug}/room/{key}")),
                place_slug if _JSON_SLUG.fullmatch(place_slug) else None,
            )
        )
    colours = {t.name: (t.slug, t.colour) for t in programme.tracks}
    track_names = [t.name for t in programme.tracks]
    track_names += sorted({ev.track for ev in events} - set(track_names))
    tracks = []
    for name in track_names:
        slug, colour = colours.get(name, (_slug(name), None))
        tracks.append(
            (
                clean(name),
                slug,
                colour if colour and _COLOUR.fullmatch(colour) else None,
            )
        )
    minutes = [int((ev.end - ev.start).total_seconds() // 60) for ev in events if ev.end > ev.start]
    return _Schedule(
        summit=summit,
        acronym=code,
        # The release number (P4): apps compare it to tell a new schedule.
        version=str(programme.release) if programme.release else "unpublished",
        base_url=f"{base_url}/{summit.slug}/",
        url=url,
        start=dates[0],
        end=dates[-1],
        timeslot=_hhmm(min(max(min(minutes, default=15), 5), 60)),
        tracks=tracks,
        rooms=rooms_out,
        days=days,
    )


# --- schedule.xml ---------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def schedule_xml(programme: Programme, *, server_name: str, base_url: str, url: str) -> bytes:
    s = _schedule(programme, server_name=server_name, base_url=base_url, url=url)
    root = ET.Element("schedule")
    _sub(root, "generator", name=GENERATOR, system=server_name)
    _sub(root, "url", url)
    _sub(root, "version", s.version)
    conference = _sub(root, "conference")
    _sub(conference, "acronym", s.acronym)
    _sub(conference, "title", clean(s.summit.name))
    _sub(conference, "start", s.start.isoformat())
    _sub(conference, "end", s.end.isoformat())
    _sub(conference, "days", str(len(s.days)))
    _sub(conference, "timeslot_duration", s.timeslot)
    _sub(conference, "base_url", s.base_url)
    _sub(conference, "url", s.base_url)
    _sub(conference, "time_zone_name", s.summit.timezone)
    for name, slug, colour in s.tracks:
        attrs = {"name": name}
        if colour:
            attrs["color"] = colour
        if slug and _XSD_SLUG.fullmatch(slug):
            attrs["slug"] = slug
        _sub(conference, "track", **attrs)
    room_guids = {name: room_guid for name, room_guid, _ in s.rooms}
    for day in s.days:
        day_el = _sub(
            root,
            "day",
            index=str(day.index),
            date=day.date.isoformat(),
            start=day.start.isoformat(),
            end=day.end.isoformat(),
        )
        for room, events in day.rooms.items():
            room_el = _sub(day_el, "room", name=room, guid=room_guids[room])
            for ev in events:
                _xml_event(room_el, ev)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


def _xml_event(parent: ET.Element, ev: _Event) -> None:
    el = _sub(parent, "event", guid=ev.guid, id=str(ev.id))
    _sub(el, "room", ev.room)
    _sub(el, "title", clean(ev.entry.title))
    _sub(el, "subtitle", "")
    _sub(el, "type", ev.type)
    _sub(el, "date", ev.start.isoformat())
    _sub(el, "start", ev.start.strftime("%H:%M"))
    _sub(el, "duration", ev.duration)
    _sub(el, "abstract", ev.abstract)
    _sub(el, "slug", ev.slug)
    _sub(el, "track", ev.track)
    persons = _sub(el, "persons")
    if ev.entry.people and ev.entry.kind is not EntryKind.SOCIAL:
        attrs = {"guid": ev.person_guid} if ev.person_guid else {}
        if ev.entry.person_id is not None:
            attrs["id"] = str(ev.entry.person_id)
        _sub(persons, "person", clean(ev.entry.people), **attrs)
    _sub(el, "language", LANGUAGE)
    _sub(el, "description", ev.description)
    links = _sub(el, "links")
    for href, title in ev.links:
        _sub(links, "link", title, href=href)
    _sub(el, "url", ev.url)


# --- schedule.json --------------------------------------------------------------------


def schedule_json(programme: Programme, *, server_name: str, base_url: str, url: str) -> bytes:
    s = _schedule(programme, server_name=server_name, base_url=base_url, url=url)
    conference: dict[str, Any] = {
        "acronym": s.acronym,
        "title": clean(s.summit.name),
        "start": s.start.isoformat(),
        "end": s.end.isoformat(),
        "daysCount": len(s.days),
        "timeslot_duration": s.timeslot,
        "url": s.base_url,
        "tracks": [
            {"name": name}
            | ({"slug": slug} if slug and _JSON_SLUG.fullmatch(slug) else {})
            | ({"color": colour} if colour else {})
            for name, slug, colour in s.tracks
        ],
        "rooms": [
            {"name": name, "guid": room_guid} | ({"slug": slug} if slug else {})
            for name, room_guid, slug in s.rooms
        ],
        "days": [
            {
                "index": day.index,
                "date": day.date.isoformat(),
                "day_start": day.start.isoformat(),
                "day_end": day.end.isoformat(),
                "rooms": {room: [_json_event(ev) for ev in evs] for room, evs in day.rooms.items()},
            }
            for day in s.days
        ],
    }
    if _JSON_ZONE.search(s.summit.timezone):
        conference["time_zone_name"] = s.summit.timezone
    document = {
        "$schema": SCHEMA_JSON,
        "generator": {"name": GENERATOR, "url": s.base_url},
        "schedule": {
            "url": url,
            "version": s.version,
            "base_url": s.base_url,
            "conference": conference,
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _json_event(ev: _Event) -> dict[str, Any]:
    persons: list[dict[str, Any]] = []
    if ev.entry.people and ev.entry.kind is not EntryKind.SOCIAL:
        person: dict[str, Any] = {"name": clean(ev.entry.people)}
        if ev.person_guid:
            person["guid"] = ev.person_guid
        persons.append(person)
    return {
        "guid": ev.guid,
        "id": ev.id,
        "date": ev.start.isoformat(),
        "start": ev.start.strftime("%H:%M"),
        "end": ev.end.isoformat(),
        "duration": ev.duration,
        "room": ev.room,
        "slug": ev.slug,
        "url": ev.url,
        "title": clean(ev.entry.title),
        "subtitle": "",
        "track": ev.track,
        "type": ev.type,
        "language": LANGUAGE,
        "abstract": ev.abstract,
        "description": ev.description,
        "persons": persons,
        "links": [{"url": href, "title": title, "type": "related"} for href, title in ev.links],
    }
