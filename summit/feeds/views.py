"""iCalendar feeds (E1) and the frab schedule.xml/json (E2) at their stable public URLs.

Subscribed calendars poll these addresses for years, so each answer carries an ETag that is
computed from cheap "version" data (a handful of aggregate queries) before anything is built:
an unchanged feed costs a 304 and no programme load.

The words in a feed follow a locale (I1): the request's for the public feeds (so their ETag
names it, and they vary on what picks it), the owner's for the personal feed, which their
calendar app reads with no say in the matter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from summit.exports import frab, ical, pdf
from summit.extensions import db
from summit.forms import ActionForm
from summit.i18n import DEFAULT_LOCALE, shipped
from summit.models import (
    Day,
    DesignSession,
    Event,
    Interest,
    LightningSlot,
    LightningTalk,
    ProgramItem,
    PublishedSession,
    Room,
    ScheduleRelease,
    SocialEvent,
    Summit,
    Track,
)
from summit.services import accounts, programme
from summit.web import login_required, safe_next, summit_or_404

bp = Blueprint("feeds", __name__)

CALENDAR = "text/calendar; charset=utf-8"
# Raise when the output of the exports changes, so that clients fetch the new form.
FORMAT_VERSION = "1"
MAX_AGE = 300


# --- versions and conditional answers -------------------------------------------------


def _version(summit: Summit, scope: str, user_id: int | None = None) -> str:
    """An ETag for everything a feed of `summit` shows, without loading the programme.

    One statement of aggregates covers the latest release (which holds every public fact of
    the sessions), the lightning talks and the user's stars; the small tables (days, rooms,
    tracks, programme items, social events) are read whole.
    """
    sid = summit.id
    ds = DesignSession
    talks = (
        select(LightningTalk.id, LightningTalk.sequence, LightningTalk.slot_id)
        .join(LightningSlot, LightningTalk.slot_id == LightningSlot.id)
        .join(Day, LightningSlot.day_id == Day.id)
        .join(Event, Day.event_id == Event.id)
        .where(Event.summit_id == sid)
        .subquery()
    )
    columns: list[Any] = [
        # The public sessions change only with a new release (P4): draft edits, blueprint
        # edits and renamed leads reach the feeds through the next release's copy.
        select(func.max(ScheduleRelease.id))
        .where(ScheduleRelease.summit_id == sid)
        .scalar_subquery(),
        select(func.count(talks.c.id)).scalar_subquery(),
        select(func.max(talks.c.id)).scalar_subquery(),
        select(func.sum(talks.c.sequence)).scalar_subquery(),
        select(func.sum(talks.c.slot_id)).scalar_subquery(),
    ]
    if user_id is not None:
        stars = (
            select(Interest.id, Interest.session_id)
            .join(ds, Interest.session_id == ds.id)
            .where(Interest.user_id == user_id, ds.summit_id == sid)
            .subquery()
        )
        columns += [
            select(func.count(stars.c.id)).scalar_subquery(),
            select(func.max(stars.c.id)).scalar_subquery(),
            select(func.sum(stars.c.session_id)).scalar_subquery(),
        ]
    aggregates = tuple(db.session.execute(select(*columns)).one())
    small = [
        db.session.execute(
            select(Day.__table__).join(Event).where(Event.summit_id == sid).order_by(Day.id)
        ).all(),
        *(
            db.session.execute(
                select(table.__table__).where(table.summit_id == sid).order_by(table.id)
            ).all()
            for table in (Room, Track, ProgramItem, SocialEvent)
        ),
    ]
    config = current_app.config
    data = (
        FORMAT_VERSION,
        scope,
        user_id,
        config["SERVER_NAME_FOR_IDS"],
        config["BASE_URL"],
        (sid, summit.slug, summit.name, summit.venue, summit.timezone, summit.published_at),
        aggregates,
        small,
    )
    return hashlib.blake2b(repr(data).encode("utf-8"), digest_size=16).hexdigest()


def _answer(
    etag: str,
    build: Callable[[], bytes],
    content_type: str,
    *,
    filename: str,
    private: bool = False,
    attachment: bool = False,
    locale: str | None = None,
) -> Response:
    """200 with the built body, or 304 when the client has this version already. The body's
    words are in `locale`, or in the request's locale when it is None."""
    cache = f"{'private' if private else 'public'}, max-age={MAX_AGE}"
    etag = f"{etag}-{locale or get_locale()}"  # the body's words are in this locale
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        with force_locale(locale) if locale else nullcontext():
            body = build()
        response = Response(body, content_type=content_type)
        disposition = "attachment" if attachment else "inline"
        response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache
    if locale is None:
        response.vary.update(("Accept-Language", "Cookie"))
    if private:
        # The address is the secret: keep it out of search engines and referrers.
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _ids() -> tuple[str, str]:
    config = current_app.config
    return str(config["SERVER_NAME_FOR_IDS"]), str(config["BASE_URL"]).rstrip("/")


def _calendar(
    summit: Summit,
    name: str,
    pick: Callable[[programme.Programme], list[programme.Entry]],
    about: str = "",
) -> bytes:
    loaded = programme.load(summit, with_cancelled=True)
    server_name, base_url = _ids()
    return ical.calendar(
        loaded,
        pick(loaded),
        name=name,
        server_name=server_name,
        base_url=base_url,
        about=about,
    )


# --- iCalendar (E1) -------------------------------------------------------------------


@bp.get("/<slug>/schedule.ics")
def summit_ics(slug: str) -> Response:
    summit = summit_or_404(slug)
    return _answer(
        _version(summit, "summit.ics"),
        lambda: _calendar(
            summit,
            summit.name,
            lambda p: p.entries,
            about=_(
                "The programme of %(summit)s: design sessions, the conference "
                "programme, lightning talks and social events.",
                summit=summit.name,
            ),
        ),
        CALENDAR,
        filename=f"{summit.slug}.ics",
    )


@bp.get("/<slug>/schedule.pdf")
def schedule_pdf(slug: str) -> Response:
    """The published schedule on paper (P5): every Design Summit day, or `?day=YYYY-MM-DD`."""
    summit = summit_or_404(slug)
    day = _pdf_day(summit)
    scope = f"pdf:{day or 'all'}"  # the ETag names the locale too
    etag = _version(summit, scope)

    def layout() -> bytes:
        loaded = programme.load(summit)
        return pdf.render(loaded, day, release_number=loaded.release)

    name = f"{summit.slug}-schedule{'-' + day.isoformat() if day else ''}.pdf"
    return _answer(etag, lambda: pdf.cached(etag, layout), "application/pdf", filename=name)


def _pdf_day(summit: Summit) -> date | None:
    raw = request.args.get("day")
    if not raw:
        return None
    try:
        wanted = date.fromisoformat(raw)
    except ValueError:
        abort(400, _("Give the day as YYYY-MM-DD."))
    if wanted not in {d.date for d in summit.design_days}:
        abort(404, _("That day is not a Design Summit day of this summit."))
    return wanted


def _part_ics(
    summit: Summit,
    row: Track | Room,
    scope: str,
    of: Callable[[programme.Entry], Track | Room | None],
) -> Response:
    """The feed of one track or one room: the entries `of` assigns to it."""
    part_id = row.id

    def mine(p: programme.Programme) -> list[programme.Entry]:
        return [e for e in p.entries if (part := of(e)) is not None and part.id == part_id]

    return _answer(
        _version(summit, f"{scope}:{part_id}"),
        lambda: _calendar(
            summit, _("%(summit)s: %(part)s", summit=summit.name, part=row.name), mine
        ),
        CALENDAR,
        filename=f"{summit.slug}-{row.slug}.ics",
    )


@bp.get("/<slug>/tracks/<track>.ics")
def track_ics(slug: str, track: str) -> Response:
    summit = summit_or_404(slug)
    row = db.session.scalar(select(Track).where(Track.summit_id == summit.id, Track.slug == track))
    if row is None:
        abort(404, _("No such track."))
    return _part_ics(summit, row, "track", lambda e: e.track)


@bp.get("/<slug>/rooms/<room>.ics")
def room_ics(slug: str, room: str) -> Response:
    summit = summit_or_404(slug)
    row = db.session.scalar(select(Room).where(Room.summit_id == summit.id, Room.slug == room))
    if row is None:
        abort(404, _("No such room."))
    return _part_ics(summit, row, "room", lambda e: e.room)


@bp.get("/<slug>/my/<token>.ics")
def personal_ics(slug: str, token: str) -> Response:
    summit = summit_or_404(slug)
    user = accounts.user_by_feed_address(token)
    if user is None:
        abort(404, _("This calendar address is unknown or was replaced by a new one."))
    user_id = user.id
    return _answer(
        _version(summit, "personal", user_id),
        lambda: _calendar(
            summit,
            _("%(summit)s: my schedule", summit=summit.name),
            lambda p: programme.personal(p, user_id),
            about=_("The sessions you starred and your lightning talks."),
        ),
        CALENDAR,
        filename=f"{summit.slug}-my-schedule.ics",
        private=True,
        # The owner's language when their profile names one (a calendar app says nothing).
        locale=shipped(user.locale) or DEFAULT_LOCALE,
    )


@bp.get("/<slug>/sessions/<int:session_id>.ics")
def session_ics(slug: str, session_id: int) -> Response:
    """One session, for an "add to calendar" link."""
    summit = summit_or_404(slug)
    release_id = programme.latest_release_id(summit)
    published = db.session.scalar(
        select(PublishedSession.id).where(
            PublishedSession.release_id == release_id, PublishedSession.session_id == session_id
        )
    )
    if release_id is None or published is None:
        abort(404, _("No such session in the published schedule."))

    def build() -> bytes:
        loaded = programme.load(summit, with_cancelled=True)
        entry = loaded.session(session_id)
        if entry is None:
            abort(404, _("No such session in the published schedule."))
        server_name, base_url = _ids()
        return ical.calendar(
            loaded, [entry], name=entry.title, server_name=server_name, base_url=base_url
        )

    return _answer(
        _version(summit, f"session:{session_id}"),
        build,
        CALENDAR,
        filename=f"{summit.slug}-session-{session_id}.ics",
        attachment=True,
    )


# --- frab (E2) ------------------------------------------------------------------------


def _frab(summit: Summit, export: Callable[..., bytes], endpoint: str) -> bytes:
    loaded = programme.load(summit)
    server_name, base_url = _ids()
    url = f"{base_url}{url_for(endpoint, slug=summit.slug)}"
    return export(loaded, server_name=server_name, base_url=base_url, url=url)


@bp.get("/<slug>/schedule.xml")
def frab_xml(slug: str) -> Response:
    return _frab_answer(slug, "xml", frab.schedule_xml, "application/xml; charset=utf-8")


@bp.get("/<slug>/schedule.json")
def frab_json(slug: str) -> Response:
    return _frab_answer(slug, "json", frab.schedule_json, "application/json")


def _frab_answer(slug: str, ext: str, build: Callable[..., bytes], media_type: str) -> Response:
    """The frab schedule in one format, for any origin's schedule apps."""
    summit = summit_or_404(slug)
    response = _answer(
        _version(summit, f"frab.{ext}"),
        lambda: _frab(summit, build, f"feeds.frab_{ext}"),
        media_type,
        filename=f"{summit.slug}-schedule.{ext}",
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# --- the personal feed's secret -------------------------------------------------------


@bp.get("/my/calendar-token")
@login_required
def confirm_new_token() -> str:
    """Ask before retiring the personal feed's address: a page, so it works without JS."""
    return render_template(
        "feeds/confirm_new_token.html",
        form=ActionForm(),
        next=safe_next(request.args.get("next")) or "",
    )


@bp.post("/my/calendar-token")
@login_required
def new_token() -> Response:
    """A new secret address for the personal feed; the old one stops working at once."""
    if request.form.get("confirm") != "y":  # nothing happens before the person confirms
        wanted = safe_next(request.form.get("next"))
        return redirect(url_for("feeds.confirm_new_token", next=wanted), 303)
    accounts.regenerate_feed_token(current_user.id)
    db.session.commit()
    flash(
        _(
            "Your personal calendar has a new address. Subscribe to it again; "
            "the old address no longer works."
        ),
        "success",
    )
    return redirect(safe_next(request.form.get("next")) or url_for("auth.profile"))
