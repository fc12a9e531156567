"""Plain JSON shapes of the API (E3): summits, rooms, tracks and programme entries.

Every function here turns loaded rows into dicts of strings, numbers, lists and None; the
OpenAPI document in `openapi.py` describes each shape, and the tests hold the two together.
Times are ISO 8601 with the offset of the summit's zone, and the zone's name beside them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from summit.models import Room, Summit, Track
from summit.services.changes import Facts
from summit.services.programme import Entry, EntryKind
from summit.services.releases import ReleaseChanges

JSON = dict[str, Any]


def local_time(instant: datetime | None, zone: ZoneInfo) -> str | None:
    if instant is None:
        return None
    return instant.astimezone(zone).isoformat(timespec="seconds")


def summit_links(base: str, slug: str) -> JSON:
    api = f"{base}/api/v1/summits/{slug}"
    return {
        "self": api,
        "schedule": f"{api}/schedule",
        "sessions": f"{api}/sessions",
        "rooms": f"{api}/rooms",
        "tracks": f"{api}/tracks",
        "lightning_talks": f"{api}/lightning-talks",
        "social_events": f"{api}/social-events",
        "web": f"{base}/{slug}/",
    }


def summit(s: Summit, base: str) -> JSON:
    starts, ends = s.starts_on, s.ends_on
    return {
        "slug": s.slug,
        "name": s.name,
        "venue": s.venue,
        "description": s.description,
        "timezone": s.timezone,
        "current": bool(s.is_current),
        "starts_on": starts.isoformat() if starts else None,
        "ends_on": ends.isoformat() if ends else None,
        "design_summit_days": [d.date.isoformat() for d in s.design_days],
        "published_at": local_time(s.published_at, s.zone),
        "links": summit_links(base, s.slug),
    }


def room(r: Room) -> JSON:
    return {"slug": r.slug, "name": r.name, "capacity": r.capacity, "layout": r.layout}


def track(t: Track) -> JSON:
    return {"slug": t.slug, "name": t.name, "colour": t.colour, "description": t.description}


def entry(e: Entry, s: Summit, zone: ZoneInfo, base: str) -> JSON:
    starts = e.starts_at.astimezone(zone)
    is_session = e.kind is EntryKind.SESSION
    return {
        "id": e.id,
        "key": e.key,
        "kind": e.kind.value,
        "title": e.title,
        "description": e.description,
        "starts_at": starts.isoformat(timespec="seconds"),
        "ends_at": e.ends_at.astimezone(zone).isoformat(timespec="seconds"),
        "timezone": s.timezone,
        "day": starts.date().isoformat(),
        "place": e.place,
        "room": {"slug": e.room.slug, "name": e.room.name} if e.room is not None else None,
        "track": (
            {"slug": e.track.slug, "name": e.track.name, "colour": e.track.colour}
            if e.track is not None
            else None
        ),
        "category": e.category,
        "people": e.people,
        "blueprints": [{"id": b.id, "title": b.title, "url": b.url} for b in e.blueprints],
        "sequence": e.sequence,
        "modified_at": local_time(e.modified_at, zone),
        "url": f"{base}/{s.slug}/sessions/{e.id}" if is_session else None,
        "api_url": f"{base}/api/v1/summits/{s.slug}/sessions/{e.id}" if is_session else None,
    }


def release(item: ReleaseChanges, summit: Summit, base: str) -> JSON:
    """A schedule release and what it changed (P4)."""
    zone = summit.zone
    r = item.release

    def side(f: Facts | None) -> JSON | None:
        if f is None:
            return None
        room = next((x for x in summit.rooms if x.id == f.room_id), None)
        return {
            "title": f.title,
            "starts_at": local_time(f.starts_at, zone),
            "ends_at": local_time(f.ends_at, zone),
            "room": room.name if room else None,
            "lead": f.lead_name or None,
            "status": f.status,
        }

    return {
        "number": r.number,
        "published_at": local_time(r.published_at, zone),
        "note": r.note,
        "url": f"{base}/api/v1/summits/{summit.slug}/releases/{r.number}",
        "changes": [
            {
                "kind": c.kind.value,
                "session": c.session_id,
                "url": f"{base}/{summit.slug}/sessions/{c.session_id}",
                "before": side(c.before),
                "after": side(c.after),
            }
            for c in item.changes
        ],
    }
