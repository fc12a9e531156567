"""The OpenAPI 3.1 document of the public JSON API (E3), served at /api/v1/openapi.json.

It is built from the same constants the views check parameters with, so the two cannot
drift: `views.py` validates a query value with the very pattern and bounds written here.
Every object is closed (`additionalProperties: false`) so that schemathesis checks the
responses strictly.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from summit.models import RoomLayout
from summit.services.changes import ChangeKind

JSON = dict[str, Any]

API_VERSION = "1.0.0"
PAGE_MAX = 100_000
PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 200
# Parameter examples are the demo summit's (seed-demo), so that they answer with data.
# A summit's slug as the organizers' form enforces it (summit.services.summits.SLUG_RE).
SUMMIT_SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SUMMIT_SLUG_MAX = 40
# Room and track slugs come from slugify(): lower-case letters, digits and hyphens.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
SLUG_MAX = 80
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

# The query parameters each kind of operation takes; anything else is answered with 400.
FILTERS = ("day", "track", "room")
PAGING = ("page", "per_page")


def _ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: JSON) -> JSON:
    return {"anyOf": [schema, {"type": "null"}]}


def _closed(properties: JSON, *, description: str = "") -> JSON:
    schema: JSON = {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


STRING = {"type": "string"}
URI = {"type": "string", "format": "uri"}
DATE = {"type": "string", "format": "date"}
DATE_TIME = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601 with the offset of the summit's time zone.",
}
COUNT = {"type": "integer", "minimum": 0}
TIMEZONE = {"type": "string", "minLength": 1, "description": "IANA time zone of the summit."}
NULL = {"type": "null"}
EMPTY_LIST = {"type": "array", "maxItems": 0}

ENTRY_KINDS = {
    "session": ("Session", "A Design Summit session at its published time and room."),
    "program": ("ProgramItem", "A Conference talk or keynote."),
    "lightning": ("LightningTalk", "A five-minute lightning talk booked on the whiteboard."),
    "social": ("SocialEvent", "A social event."),
}


def _entry_schema(kind: str) -> JSON:
    """One kind of programme entry; the fields that only sessions carry are null elsewhere."""
    session = kind == "session"
    blueprint = _closed({"id": {"type": "integer"}, "title": STRING, "url": URI})
    return _closed(
        {
            "id": {"type": "integer"},
            "key": {
                "type": "string",
                "pattern": f"^{kind}-[0-9]+$",
                "description": "Stable across publishes and unique within the installation.",
            },
            "kind": {"const": kind},
            "title": STRING,
            "description": STRING,
            "starts_at": DATE_TIME,
            "ends_at": DATE_TIME,
            "timezone": TIMEZONE,
            "day": {**DATE, "description": "The date it starts on, in the summit's zone."},
            "place": {**STRING, "description": "The room, or where a talk or event is held."},
            "room": _ref("RoomRef") if session else NULL,
            "track": _ref("TrackRef") if session else NULL,
            "category": {**STRING, "description": "Track name, or the kind of entry."},
            "people": {**STRING, "description": "Lead, speaker or sponsor, for display."},
            "blueprints": ({"type": "array", "items": blueprint} if session else EMPTY_LIST),
            "sequence": {
                "type": "integer",
                "minimum": 0,
                "description": "Raised whenever a published time, room or title changes.",
            },
            "modified_at": _nullable(DATE_TIME),
            "url": URI if session else NULL,
            "api_url": URI if session else NULL,
        },
        description=ENTRY_KINDS[kind][1],
    )


def _page_schema(item: JSON, description: str) -> JSON:
    return _closed(
        {
            "summit": {"type": "string", "pattern": SUMMIT_SLUG_PATTERN},
            "timezone": TIMEZONE,
            "total": COUNT,
            "page": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX},
            "per_page": {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX},
            "pages": {"type": "integer", "minimum": 1},
            "links": _closed(
                {
                    "self": URI,
                    "first": URI,
                    "last": URI,
                    "prev": _nullable(URI),
                    "next": _nullable(URI),
                }
            ),
            "items": {"type": "array", "items": item},
        },
        description=description,
    )


def _list_schema(item: JSON, description: str) -> JSON:
    return _closed(
        {
            "summit": {"type": "string", "pattern": SUMMIT_SLUG_PATTERN},
            "total": COUNT,
            "items": {"type": "array", "items": item},
        },
        description=description,
    )


def _schemas() -> JSON:
    schemas: JSON = {
        "Error": _closed(
            {"error": {"type": "string", "minLength": 1, "description": "The reason, in words."}}
        ),
        "SummitLinks": _closed(
            dict.fromkeys(
                (
                    "self",
                    "schedule",
                    "sessions",
                    "rooms",
                    "tracks",
                    "lightning_talks",
                    "social_events",
                    "web",
                ),
                URI,
            )
        ),
        "Summit": _closed(
            {
                "slug": {"type": "string", "pattern": SUMMIT_SLUG_PATTERN},
                "name": STRING,
                "venue": STRING,
                "description": STRING,
                "timezone": TIMEZONE,
                "current": {"type": "boolean"},
                "starts_on": _nullable(DATE),
                "ends_on": _nullable(DATE),
                "design_summit_days": {"type": "array", "items": DATE},
                "published_at": {
                    **_nullable(DATE_TIME),
                    "description": "When the schedule was last published; null before that.",
                },
                "links": _ref("SummitLinks"),
            }
        ),
        "SummitList": _closed(
            {"total": COUNT, "items": {"type": "array", "items": _ref("Summit")}}
        ),
        "Room": _closed(
            {
                "slug": {"type": "string", "pattern": SLUG_PATTERN},
                "name": STRING,
                "capacity": {"type": "integer", "minimum": 1},
                "layout": {"type": "string", "enum": [v.value for v in RoomLayout]},
            }
        ),
        "Track": _closed(
            {
                "slug": {"type": "string", "pattern": SLUG_PATTERN},
                "name": STRING,
                "colour": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
                "description": STRING,
            }
        ),
        "RoomRef": _closed({"slug": {"type": "string", "pattern": SLUG_PATTERN}, "name": STRING}),
        "TrackRef": _closed(
            {
                "slug": {"type": "string", "pattern": SLUG_PATTERN},
                "name": STRING,
                "colour": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
            }
        ),
        "RoomList": _list_schema(_ref("Room"), "The summit's rooms, by name."),
        "TrackList": _list_schema(_ref("Track"), "The summit's tracks, by name."),
        "SessionPage": _page_schema(_ref("Session"), "One page of sessions, in time order."),
        "LightningTalkPage": _page_schema(
            _ref("LightningTalk"), "One page of lightning talks, in time order."
        ),
        "SocialEventPage": _page_schema(
            _ref("SocialEvent"), "One page of social events, in time order."
        ),
        "Schedule": _closed(
            {
                "summit": {"type": "string", "pattern": SUMMIT_SLUG_PATTERN},
                "timezone": TIMEZONE,
                "published_at": _nullable(DATE_TIME),
                "total": COUNT,
                "items": {
                    "type": "array",
                    "items": {"oneOf": [_ref(name) for name, _ in ENTRY_KINDS.values()]},
                },
            },
            description="Every published entry, in time order.",
        ),
    }
    side = _nullable(
        _closed(
            {
                "title": STRING,
                "starts_at": DATE_TIME,
                "ends_at": DATE_TIME,
                "room": _nullable(STRING),
                "lead": _nullable(STRING),
                "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
            },
            description="A session as one release shows it.",
        )
    )
    schemas["Release"] = _closed(
        {
            "number": {"type": "integer", "minimum": 1},
            "published_at": DATE_TIME,
            "note": STRING,
            "url": URI,
            "changes": {
                "type": "array",
                "items": _closed(
                    {
                        "kind": {"type": "string", "enum": [k.value for k in ChangeKind]},
                        "session": {"type": "integer", "minimum": 1},
                        "url": URI,
                        "before": side,
                        "after": side,
                    }
                ),
            },
        },
        description="A schedule release and what changed since the one before (P4).",
    )
    schemas["ReleaseList"] = _list_schema(_ref("Release"), "Every release, newest first.")
    for kind, (name, _) in ENTRY_KINDS.items():
        schemas[name] = _entry_schema(kind)
    return schemas


def _parameters() -> JSON:
    def query(name: str, schema: JSON, description: str, example: Any) -> JSON:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "schema": schema,
            "description": description,
            "example": example,
        }

    return {
        "slug": {
            "name": "slug",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "pattern": SUMMIT_SLUG_PATTERN, "maxLength": 40},
            "description": "The summit's slug, as in its web address.",
            "example": "diablo",
        },
        "session_id": {
            "name": "session_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
            "example": 1,
        },
        "number": {
            "name": "number",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
            "example": 1,
        },
        "day": query(
            "day",
            {"type": "string", "format": "date", "pattern": DATE_PATTERN},
            "Only what starts on this date (YYYY-MM-DD) in the summit's time zone.",
            "2011-04-27",
        ),
        "track": query(
            "track",
            {"type": "string", "pattern": SLUG_PATTERN, "maxLength": SLUG_MAX},
            "Only this track's sessions (a track slug); an unknown track is a 404.",
            "nova",
        ),
        "room": query(
            "room",
            {"type": "string", "pattern": SLUG_PATTERN, "maxLength": SLUG_MAX},
            "Only the sessions in this room (a room slug); an unknown room is a 404.",
            "bayshore",
        ),
        "page": query(
            "page",
            {"type": "integer", "minimum": 1, "maximum": PAGE_MAX, "default": 1},
            "The page, from 1; a page past the last one is empty.",
            2,
        ),
        "per_page": query(
            "per_page",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": PER_PAGE_MAX,
                "default": PER_PAGE_DEFAULT,
            },
            "Items per page.",
            2,
        ),
        "if_none_match": {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "An ETag from an earlier answer: a 304 if it still matches.",
        },
    }


def _responses() -> JSON:
    error = {"application/json": {"schema": _ref("Error")}}
    return {
        "NotModified": {
            "description": "The ETag in If-None-Match still matches; no body.",
            "headers": {"ETag": _ref_header("ETag")},
        },
        "BadRequest": {
            "description": "A malformed, unknown or repeated query parameter; the reason.",
            "content": error,
        },
        "NotFound": {
            "description": "No such summit, session, track or room (or no current summit).",
            "content": error,
        },
    }


def _ref_header(name: str) -> JSON:
    return {"$ref": f"#/components/headers/{name}"}


def _operation(
    operation_id: str,
    summary: str,
    schema: str,
    *,
    tag: str,
    params: tuple[str, ...] = (),
    not_found: bool = True,
) -> JSON:
    responses: JSON = {
        "200": {
            "description": summary,
            "headers": {
                "ETag": _ref_header("ETag"),
                "Cache-Control": _ref_header("Cache-Control"),
            },
            "content": {"application/json": {"schema": _ref(schema)}},
        },
        "304": {"$ref": "#/components/responses/NotModified"},
        "400": {"$ref": "#/components/responses/BadRequest"},
    }
    if not_found:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "tags": [tag],
            "parameters": [
                {"$ref": f"#/components/parameters/{p}"} for p in (*params, "if_none_match")
            ],
            "responses": responses,
        }
    }


# (path below /summits/{slug}, operation id stem, summary, response schema, query parameters)
SUMMIT_RESOURCES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("", "Summit", "The summit", "Summit", ()),
    ("/schedule", "Schedule", "Every published entry", "Schedule", FILTERS),
    ("/sessions", "Sessions", "Published design sessions", "SessionPage", (*FILTERS, *PAGING)),
    ("/sessions/{session_id}", "Session", "One published design session", "Session", ()),
    ("/rooms", "Rooms", "The rooms", "RoomList", ()),
    ("/tracks", "Tracks", "The tracks", "TrackList", ()),
    (
        "/lightning-talks",
        "LightningTalks",
        "Booked lightning talks",
        "LightningTalkPage",
        ("day", *PAGING),
    ),
    ("/social-events", "SocialEvents", "Social events", "SocialEventPage", ("day", *PAGING)),
    ("/releases", "Releases", "Every schedule release with its changes", "ReleaseList", ()),
    ("/releases/{number}", "Release", "One schedule release and its changes", "Release", ()),
)


def _path_params(suffix: str) -> tuple[str, ...]:
    return tuple(name for name in ("session_id", "number") if f"{{{name}}}" in suffix)


def _paths() -> JSON:
    paths: JSON = {
        "/openapi.json": {
            "get": {
                "operationId": "getOpenApiDocument",
                "summary": "This document",
                "tags": ["meta"],
                "parameters": [{"$ref": "#/components/parameters/if_none_match"}],
                "responses": {
                    "200": {
                        "description": "The OpenAPI document of this API.",
                        "headers": {
                            "ETag": _ref_header("ETag"),
                            "Cache-Control": _ref_header("Cache-Control"),
                        },
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["openapi", "info", "paths"],
                                }
                            }
                        },
                    },
                    "304": {"$ref": "#/components/responses/NotModified"},
                    "400": {"$ref": "#/components/responses/BadRequest"},
                },
            }
        },
        "/summits": _operation(
            "listSummits",
            "Every summit, newest first",
            "SummitList",
            tag="summits",
            not_found=False,
        ),
    }
    for suffix, stem, summary, schema, params in SUMMIT_RESOURCES:
        extra = _path_params(suffix)
        paths[f"/summits/{{slug}}{suffix}"] = _operation(
            f"get{stem}", summary, schema, tag="summits", params=("slug", *extra, *params)
        )
    for suffix, stem, summary, schema, params in SUMMIT_RESOURCES:
        extra = _path_params(suffix)
        short = suffix or "/summit"
        paths[short] = _operation(
            f"getCurrent{stem}",
            f"{summary}, of the current summit",
            schema,
            tag="current summit",
            params=(*extra, *params),
        )
    return paths


@cache
def document() -> JSON:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Summit public API",
            "version": API_VERSION,
            "description": (
                "Read-only, public JSON API of the published schedule: summits, sessions, "
                "rooms, tracks, lightning talks, social events and the whole schedule (E3). "
                "Paths under /summit, /schedule, /sessions, ... without a slug answer for the "
                "current summit. Every answer carries an ETag; send it back in If-None-Match "
                "for a 304. Errors are JSON objects with the reason in `error`. Times are "
                "ISO 8601 with the offset of the summit's time zone, whose name is given "
                "beside them."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "tags": [
            {"name": "summits", "description": "A summit and its schedule, by slug."},
            {"name": "current summit", "description": "The same, for the current summit."},
            {"name": "meta", "description": "About the API."},
        ],
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "parameters": _parameters(),
            "responses": _responses(),
            "headers": {
                "ETag": {
                    "description": "Identifies this answer; send it in If-None-Match.",
                    "required": True,
                    "schema": {"type": "string", "pattern": '^"[0-9a-f]+"$'},
                },
                "Cache-Control": {
                    "description": "Caches may keep the answer but must revalidate it.",
                    "required": True,
                    "schema": {"type": "string"},
                },
            },
        },
    }
