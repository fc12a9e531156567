"""The read-only public JSON API under /api/v1 with its OpenAPI document (E3).

Everything here is a GET that reads the published programme (`programme.load`, never the
draft). Paths without a slug (/api/v1/schedule, /api/v1/sessions, ...) answer for the
current summit.

Every 200 carries a strong ETag, a hash of the body, so a client that sends it back in
If-None-Match gets a 304 without the body. Hashing is cheap next to loading the programme,
and a tag from the body is never stale; a 304 that skips the load would need a version
number that every change to public data bumps, which the models do not keep.

Errors are `{"error": "<reason>"}`: 400 for a malformed, unknown or repeated query
parameter; 404 for a summit, session, track or room that does not exist, including a
well-formed track or room slug in a filter (the document cannot know the slugs, and a
schema-valid request answered 400 would contradict it); 405 for any method but GET. A
catch-all route keeps Flask's HTML error pages out of /api/v1.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from hashlib import blake2b
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from summit.api import openapi, serialize
from summit.extensions import db
from summit.models import Room, Summit, Track
from summit.services import programme, releases, summits
from summit.services.programme import Entry, EntryKind

bp = Blueprint("api", __name__, url_prefix="/api/v1")

CACHE_CONTROL = "public, no-cache"  # keep it, but ask again with the ETag each time
READ_METHODS = "GET, HEAD, OPTIONS"


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- answers ------------------------------------------------------------------------------


def _json(data: Any) -> Response:
    """A 200 with a strong ETag over the body, or a bodiless 304 when If-None-Match has it."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    etag = blake2b(body, digest_size=16).hexdigest()
    if request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(body, status=200, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"error": message}, ensure_ascii=False).encode()
    response = current_app.response_class(body, status=status, mimetype="application/json")
    response.headers.update(headers or {})
    return response


@bp.after_request
def read_only_allow(response: Response) -> Response:
    """Flask answers OPTIONS itself, with the methods of every rule matching the path; the
    catch-all below would add its own, but every resource here is read-only."""
    if request.method == "OPTIONS" and "Allow" in response.headers:
        response.headers["Allow"] = READ_METHODS
    return response


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    return _error(error.status, error.message)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    """Whatever else goes wrong inside an API view is JSON too, never the HTML page."""
    headers = {"Allow": READ_METHODS} if error.code == 405 else None
    return _error(error.code or 500, error.description or error.name, headers)


# --- query parameters -------------------------------------------------------------------


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


def _query(allowed: Sequence[str]) -> dict[str, str]:
    """The query string, refusing names this resource does not take and repeated names."""
    for name in request.args:
        if name not in allowed:
            takes = f"it takes {', '.join(allowed)}" if allowed else "it takes no query parameters"
            raise ApiError(400, f"Unknown query parameter “{_shown(name)}”: {takes}.")
        if len(request.args.getlist(name)) > 1:
            raise ApiError(400, f"Give the query parameter “{name}” once.")
    return {name: request.args[name] for name in request.args}


def _number(params: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not low <= int(raw) <= high:
        raise ApiError(400, f"“{name}” must be a whole number from {low} to {high}.")
    return int(raw)


def _day(params: dict[str, str]) -> date | None:
    raw = params.get("day")
    if raw is None:
        return None
    try:
        if not re.search(openapi.DATE_PATTERN, raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(
            400, f"“day” must be a date as YYYY-MM-DD, such as 2011-04-27, not “{_shown(raw)}”."
        ) from None


def _slug(params: dict[str, str], name: str) -> str | None:
    """A track or room slug, checked with the document's own pattern (as its validators do)."""
    raw = params.get(name)
    if raw is None:
        return None
    if len(raw) > openapi.SLUG_MAX or not re.search(openapi.SLUG_PATTERN, raw):
        raise ApiError(
            400, f"“{name}” must be a {name} slug (lower-case letters, digits and hyphens)."
        )
    return raw


# --- lookups ------------------------------------------------------------------------------


def _summit(slug: str | None) -> Summit:
    if slug is None:
        current = summits.current_summit()
        if current is None:
            raise ApiError(404, "There is no current summit; see /api/v1/summits for them all.")
        return current
    found = None
    if len(slug) <= openapi.SUMMIT_SLUG_MAX and summits.SLUG_RE.match(slug):
        found = summits.summit_by_slug(slug)
    if found is None:
        raise ApiError(404, f"No summit has the slug “{_shown(slug)}”.")
    return found


def _named(
    things: Sequence[Room] | Sequence[Track], slug: str | None, what: str, summit: Summit
) -> int | None:
    """The id of the room or track with this slug; a 404 naming the known ones otherwise."""
    if slug is None:
        return None
    for thing in things:
        if thing.slug == slug:
            return thing.id
    known = ", ".join(t.slug for t in things) or "none"
    raise ApiError(404, f"{summit.name} has no {what} “{_shown(slug)}” (its {what}s: {known}).")


def _base() -> str:
    return str(current_app.config["BASE_URL"]).rstrip("/")


# --- the programme ------------------------------------------------------------------------


def _entries(
    slug: str | None, kind: EntryKind | None, allowed: Sequence[str]
) -> tuple[Summit, list[Entry], dict[str, str]]:
    """The published entries of one kind (or all), narrowed by day, track and room."""
    params = _query(allowed)
    day = _day(params)
    track_slug, room_slug = _slug(params, "track"), _slug(params, "room")
    if "page" in allowed:
        _page_numbers(params)  # a malformed page is a 400 before any lookup
    summit = _summit(slug)
    prog = programme.load(summit)
    track_id = _named(prog.tracks, track_slug, "track", summit)
    room_id = _named(prog.rooms, room_slug, "room", summit)
    zone = summit.zone
    chosen = [
        e
        for e in prog.entries
        if (kind is None or e.kind is kind)
        and (day is None or e.starts_at.astimezone(zone).date() == day)
        and (track_id is None or (e.track is not None and e.track.id == track_id))
        and (room_id is None or (e.room is not None and e.room.id == room_id))
    ]
    return summit, chosen, params


def _page_numbers(params: dict[str, str]) -> tuple[int, int]:
    page = _number(params, "page", 1, 1, openapi.PAGE_MAX)
    per_page = _number(params, "per_page", openapi.PER_PAGE_DEFAULT, 1, openapi.PER_PAGE_MAX)
    return page, per_page


def _paged(slug: str | None, kind: EntryKind, allowed: Sequence[str]) -> Response:
    summit, chosen, params = _entries(slug, kind, allowed)
    page, per_page = _page_numbers(params)
    total = len(chosen)
    pages = max(1, -(-total // per_page))
    filters = [(name, params[name]) for name in openapi.FILTERS if name in params]
    where = _base() + request.path

    def link(number: int) -> str:
        return where + "?" + urlencode([*filters, ("page", number), ("per_page", per_page)])

    zone, base = summit.zone, _base()
    start = (page - 1) * per_page
    return _json(
        {
            "summit": summit.slug,
            "timezone": summit.timezone,
            "total": total,
            "page": page,
            "per_page": per_page,
            "pages": pages,
            "links": {
                "self": link(page),
                "first": link(1),
                "last": link(pages),
                "prev": link(min(page - 1, pages)) if page > 1 else None,
                "next": link(page + 1) if page < pages else None,
            },
            "items": [
                serialize.entry(e, summit, zone, base) for e in chosen[start : start + per_page]
            ],
        }
    )


# --- routes -------------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi_document() -> Response:
    _query(())
    return _json(openapi.document())


@bp.get("/summits")
def summit_list() -> Response:
    _query(())
    every = db.session.scalars(select(Summit).order_by(Summit.id.desc())).all()
    base = _base()
    return _json({"total": len(every), "items": [serialize.summit(s, base) for s in every]})


@bp.get("/summit")
@bp.get("/summits/<slug>")
def summit_detail(slug: str | None = None) -> Response:
    _query(())
    return _json(serialize.summit(_summit(slug), _base()))


@bp.get("/schedule")
@bp.get("/summits/<slug>/schedule")
def schedule(slug: str | None = None) -> Response:
    summit, chosen, _ = _entries(slug, None, openapi.FILTERS)
    zone, base = summit.zone, _base()
    return _json(
        {
            "summit": summit.slug,
            "timezone": summit.timezone,
            "published_at": serialize.local_time(summit.published_at, zone),
            "total": len(chosen),
            "items": [serialize.entry(e, summit, zone, base) for e in chosen],
        }
    )


@bp.get("/sessions")
@bp.get("/summits/<slug>/sessions")
def sessions(slug: str | None = None) -> Response:
    return _paged(slug, EntryKind.SESSION, (*openapi.FILTERS, *openapi.PAGING))


@bp.get("/sessions/<int:session_id>")
@bp.get("/summits/<slug>/sessions/<int:session_id>")
def session_detail(session_id: int, slug: str | None = None) -> Response:
    _query(())
    summit = _summit(slug)
    found, _draft = programme.session_entries(summit, session_id)  # not the whole programme
    if found is None:
        raise ApiError(404, f"{summit.name} has no published session {session_id}.")
    return _json(serialize.entry(found, summit, summit.zone, _base()))


@bp.get("/releases")
@bp.get("/summits/<slug>/releases")
def release_list(slug: str | None = None) -> Response:
    """Every schedule release, newest first, each with what it changed (P4)."""
    _query(())
    summit = _summit(slug)
    log = releases.changelog(summit.id)
    base = _base()
    return _json(
        {
            "summit": summit.slug,
            "total": len(log),
            "items": [serialize.release(item, summit, base) for item in log],
        }
    )


@bp.get("/releases/<int:number>")
@bp.get("/summits/<slug>/releases/<int:number>")
def release_detail(number: int, slug: str | None = None) -> Response:
    _query(())
    summit = _summit(slug)
    found = releases.changelog(summit.id, number) if 0 < number <= 2**31 else []
    if not found:
        raise ApiError(404, f"{summit.name} has no schedule release {number}.")
    return _json(serialize.release(found[0], summit, _base()))


@bp.get("/rooms")
@bp.get("/summits/<slug>/rooms")
def rooms(slug: str | None = None) -> Response:
    _query(())
    summit = _summit(slug)
    every = sorted(summit.rooms, key=lambda r: r.name)
    return _json(
        {"summit": summit.slug, "total": len(every), "items": [serialize.room(r) for r in every]}
    )


@bp.get("/tracks")
@bp.get("/summits/<slug>/tracks")
def tracks(slug: str | None = None) -> Response:
    _query(())
    summit = _summit(slug)
    every = sorted(summit.tracks, key=lambda t: t.name)
    return _json(
        {"summit": summit.slug, "total": len(every), "items": [serialize.track(t) for t in every]}
    )


@bp.get("/lightning-talks")
@bp.get("/summits/<slug>/lightning-talks")
def lightning_talks(slug: str | None = None) -> Response:
    return _paged(slug, EntryKind.LIGHTNING, ("day", *openapi.PAGING))


@bp.get("/social-events")
@bp.get("/summits/<slug>/social-events")
def social_events(slug: str | None = None) -> Response:
    return _paged(slug, EntryKind.SOCIAL, ("day", *openapi.PAGING))


# Every method, so that nothing under /api/v1 falls through to the HTML error pages.
ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY"]


@bp.route("/", defaults={"rest": ""}, methods=ANY_METHOD, provide_automatic_options=False)
@bp.route("/<path:rest>", methods=ANY_METHOD, provide_automatic_options=False)
def not_found(rest: str) -> Response:
    """No API route matched: a 405 if the path is a resource (read-only), else a 404."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _ = adapter.match(request.path, method="GET")
    except HTTPException:
        endpoint = None
    if endpoint is not None and endpoint != "api.not_found":
        return _error(
            405, f"The API is read-only: use GET, not {request.method}.", {"Allow": READ_METHODS}
        )
    return _error(404, "No such API resource; the API is described at /api/v1/openapi.json.")
