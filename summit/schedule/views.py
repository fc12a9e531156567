"""The published schedule for everyone (P2, P3): day grid, track, room, lead pages,
"now and next" and "My schedule". Organizers may preview the draft with `?draft=1`."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Literal

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from summit import clock
from summit.db_utils import parse_id
from summit.exports import atom
from summit.extensions import db
from summit.forms import ActionForm
from summit.models import Room, Summit, Track, User
from summit.schedule.grid import day_grid
from summit.services import blueprints, releases, search
from summit.services import programme as prog
from summit.services.changes import KINDS, Change, ChangeKind
from summit.services.programme import Entry, EntryKind, Programme
from summit.web import ListPage, login_required, summit_or_404

bp = Blueprint("schedule", __name__)
LEAD_PAGE = 60  # a lead page lists every session and talk of one person, 60 a page

Page = Response | str | tuple[str, int]


def _load(summit: Summit) -> Programme:
    """The published programme; the draft only for organizers who ask for it."""
    draft = request.args.get("draft") == "1"
    if draft and not (current_user.is_authenticated and current_user.is_organizer):
        abort(403, _("Only organizers can preview the draft schedule."))
    return prog.load(summit, draft=draft)


def _picked(programme: Programme) -> tuple[list[Track], list[Room]]:
    """The track and room filters of the URL (repeatable `track=` and `room=` slugs)."""
    tracks = {t.slug: t for t in programme.tracks}
    rooms = {r.slug: r for r in programme.rooms}
    wanted_tracks = request.args.getlist("track")
    wanted_rooms = request.args.getlist("room")
    for slug in wanted_tracks:
        if slug not in tracks:
            abort(400, _("There is no track “%(slug)s” at this summit.", slug=slug))
    for slug in wanted_rooms:
        if slug not in rooms:
            abort(400, _("There is no room “%(slug)s” at this summit.", slug=slug))
    return [tracks[s] for s in wanted_tracks], [rooms[s] for s in wanted_rooms]


def _day(programme: Programme) -> date | None:
    dates = programme.dates
    raw = request.args.get("day")
    if raw:
        try:
            wanted = date.fromisoformat(raw)
        except ValueError:
            abort(400, _("Give the day as YYYY-MM-DD."))
        if wanted not in dates:
            abort(404, _("Nothing happens at this summit on that day."))
        return wanted
    today = clock.now().astimezone(programme.summit.zone).date()
    if today in dates:
        return today
    # Before or after the summit: open on the first Design Summit day, the busiest grid.
    return programme.days[0].date if programme.days else (dates[0] if dates else None)


@bp.get("/<slug>/schedule")
def schedule(slug: str) -> Page:
    summit = summit_or_404(slug)
    programme = _load(summit)
    tracks, rooms = _picked(programme)
    day = _day(programme)
    track_ids = {t.id for t in tracks}

    def visible(e: Entry) -> bool:
        if e.kind is EntryKind.SESSION:
            in_track = not track_ids or (e.track is not None and e.track.id in track_ids)
            in_room = not rooms or e.room in rooms
            return in_track and in_room
        return not track_ids and not rooms  # filters narrow the view to design sessions

    design_day = next((d for d in programme.days if d.date == day), None)
    grid = (
        day_grid(programme, design_day, rooms or programme.rooms, visible) if design_day else None
    )
    entries = [e for e in programme.on(day) if visible(e)] if day else []
    return render_template(
        "schedule/schedule.html",
        summit=summit,
        programme=programme,
        day=day,
        grid=grid,
        entries=entries,
        picked_tracks=tracks,
        picked_rooms=rooms,
        filtered=bool(tracks or rooms),
        star=None if programme.draft else _stars(summit),
    )


def _stars(summit: Summit) -> dict[str, object]:
    """What a star button needs on a list page: counts, the viewer's stars, the way back."""
    signed_in = bool(current_user.is_authenticated)
    return {
        "counts": blueprints.star_counts(summit.id),
        "mine": blueprints.starred_ids(current_user.id, summit.id) if signed_in else set(),
        "signed_in": signed_in,
        "next": request.full_path.rstrip("?"),
        # Worded once per page, not once per button: a day grid holds a hundred of them.
        "words": {"star": _("Star"), "starred": _("Starred"), "interested": _("interested")},
    }


@bp.get("/<slug>/tracks/<track_slug>")
def track_page(slug: str, track_slug: str) -> Page:
    return _place_page(slug, "track", track_slug)


@bp.get("/<slug>/rooms/<room_slug>")
def room_page(slug: str, room_slug: str) -> Page:
    return _place_page(slug, "room", room_slug)


def _place_page(slug: str, kind: Literal["track", "room"], place_slug: str) -> Page:
    """A track's or a room's page: what the latest release holds there, with stars."""
    summit = summit_or_404(slug)
    programme = _load(summit)
    places: list[Track] | list[Room] = programme.tracks if kind == "track" else programme.rooms
    place = next((p for p in places if p.slug == place_slug), None)
    if place is None:
        abort(
            404,
            _("No such track at this summit.")
            if kind == "track"
            else _("No such room at this summit."),
        )
    entries = [e for e in programme.entries if getattr(e, kind) is place]
    return render_template(
        f"schedule/{kind}.html",
        summit=summit,
        programme=programme,
        entries=entries,
        star=_stars(summit),
        **{kind: place},
    )


@bp.get("/<slug>/search")
def search_page(slug: str) -> Page:
    """One box finds the summit's sessions, blueprints and lightning talks (P5)."""
    summit = summit_or_404(slug)
    query = request.args.get("q", "")[:200]
    return render_template(
        "schedule/search.html",
        summit=summit,
        query=query,
        results=search.search(summit, query),
        per_kind=search.PER_KIND,
    )


@bp.get("/<slug>/leads/<int:user_id>")
def lead_page(slug: str, user_id: int) -> Page:
    summit = summit_or_404(slug)
    programme = _load(summit)
    entries = [
        e
        for e in programme.entries
        if e.person_id == user_id and e.kind in (EntryKind.SESSION, EntryKind.LIGHTNING)
    ]
    person = db.session.get(User, user_id)
    if person is None or not entries:
        abort(404, _("Nobody by that number leads a session or gives a talk here."))
    # The name the release shows for their sessions (P4); a lightning speaker's own name.
    name = next((e.people for e in entries if e.kind is EntryKind.SESSION), person.name)
    page = ListPage.of(entries, parse_id(request.args.get("page", "1")) or 1, LEAD_PAGE)
    return render_template(
        "schedule/lead.html",
        summit=summit,
        programme=programme,
        person=person,
        name=name,
        entries=page.items,
        pagination=page,
        star=_stars(summit),
    )


@bp.get("/<slug>/now")
def now_and_next(slug: str) -> Page:
    summit = summit_or_404(slug)
    programme = _load(summit)
    moment = clock.now()
    current = [e for e in programme.entries if e.starts_at <= moment < e.ends_at]
    upcoming = [e for e in programme.entries if e.starts_at > moment]
    # Up next: what starts in the next two hours; overnight, the first things tomorrow.
    following = [e for e in upcoming if e.starts_at <= moment + timedelta(hours=2)]
    if not following and upcoming:
        following = [e for e in upcoming if e.starts_at == upcoming[0].starts_at]
    if request.args.get("screen") == "1":
        return _hallway_screen(programme, moment)
    return render_template(
        "schedule/now.html",
        summit=summit,
        programme=programme,
        moment=moment,
        current=current,
        following=following,
    )


def _hallway_screen(programme: Programme, moment: datetime) -> Page:
    """The corridor monitor (P5): every room's session now and next, and the lightning
    talks; the page reloads itself every minute."""
    sessions = programme.of_kind(EntryKind.SESSION)
    rooms = []
    for room in programme.rooms:
        here = [e for e in sessions if e.room is not None and e.room.id == room.id]
        now = next((e for e in here if e.starts_at <= moment < e.ends_at), None)
        later = next((e for e in here if e.starts_at >= (now.ends_at if now else moment)), None)
        rooms.append((room, now, later))
    talks = programme.of_kind(EntryKind.LIGHTNING)
    talks_now = [e for e in talks if e.starts_at <= moment < e.ends_at]
    talks_next = [e for e in talks if e.starts_at > moment][:4]
    return render_template(
        "schedule/screen.html",
        summit=programme.summit,
        moment=moment,
        rooms=rooms,
        talks_now=talks_now,
        talks_next=talks_next,
    )


@bp.get("/<slug>/my-schedule")
@login_required
def my_schedule(slug: str) -> Page:
    summit = summit_or_404(slug)
    programme = prog.load(summit)
    mine = prog.personal(programme, current_user.id)
    return render_template(
        "schedule/mine.html",
        summit=summit,
        programme=programme,
        entries=mine,
        clashes=prog.clashing(mine),
        form=ActionForm(formdata=None),
    )


CHANGE_WORDS = {
    ChangeKind.NEW: _l("New"),
    ChangeKind.MOVED: _l("Moved"),
    ChangeKind.RETITLED: _l("Retitled"),
    ChangeKind.LEAD_CHANGED: _l("Lead changed"),
    ChangeKind.CANCELLED: _l("Cancelled"),
    ChangeKind.RESTORED: _l("Restored"),
    ChangeKind.DETAILS: _l("Details changed"),
}


def describe(summit: Summit, c: Change) -> str:
    """One change in words, for the changelog page and its feed."""
    label = CHANGE_WORDS[c.kind]
    after, before = c.after, c.before
    if c.kind is ChangeKind.MOVED and before is not None:
        detail = _(
            "from %(before)s to %(after)s",
            before=releases.where(summit, before),
            after=releases.where(summit, after),
        )
    elif c.kind is ChangeKind.RETITLED and before is not None:
        detail = _("was “%(title)s”", title=before.title)
    elif c.kind is ChangeKind.LEAD_CHANGED and before is not None:
        nobody = _("nobody")
        detail = f"{before.lead_name or nobody} → {after.lead_name or nobody}"
    else:
        detail = releases.where(summit, after)
    return str(
        _("%(change)s: “%(title)s”, %(detail)s", change=label, title=after.title, detail=detail)
    )


@bp.get("/<slug>/changes")
def changes(slug: str) -> Page:
    """Every release, newest first, with what it changed (P4)."""
    summit = summit_or_404(slug)
    log = releases.changelog(summit.id)
    return render_template(
        "schedule/changes.html",
        summit=summit,
        log=log,
        kinds=KINDS,
        words=CHANGE_WORDS,
        describe=describe,
    )


@bp.get("/<slug>/changes.atom")
def changes_atom(slug: str) -> Response:
    summit = summit_or_404(slug)
    log = releases.changelog(summit.id)
    body = atom.changes_feed(
        summit,
        log,
        page_url=url_for("schedule.changes", slug=summit.slug, _external=True),
        feed_url=url_for("schedule.changes_atom", slug=summit.slug, _external=True),
        describe=lambda item: [describe(summit, c) for c in item.changes],
    )
    response = current_app.response_class(body, mimetype="application/atom+xml")
    response.set_etag(hashlib.blake2b(body, digest_size=16).hexdigest())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response.make_conditional(request)
