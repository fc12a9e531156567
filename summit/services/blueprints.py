"""Blueprints become sessions (B1-B3): submission, review with merge, sessions and stars."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from summit import notifications
from summit.extensions import db
from summit.forms import control_free
from summit.i18n import format_local
from summit.models import (
    Blueprint,
    BlueprintStatus,
    DesignSession,
    Interest,
    SessionStatus,
    Summit,
    Track,
    User,
    utcnow,
)
from summit.services import audit
from summit.services.accounts import find_by_email
from summit.services.errors import Conflict, Forbidden, Invalid, NotFound

TITLE_MIN, TITLE_MAX, DESCRIPTION_MAX, URL_MAX = 5, 120, 5000, 500


def _decided_already(blueprint: Blueprint, *, own: bool) -> str:
    """Why a decided blueprint cannot change: to its submitter (`own`), or by its title."""
    status, title = blueprint.status, blueprint.title
    if own:
        words = {
            BlueprintStatus.ACCEPTED: _(
                "This blueprint was accepted already; it can no longer change."
            ),
            BlueprintStatus.MERGED: _(
                "This blueprint was merged already; it can no longer change."
            ),
            BlueprintStatus.REJECTED: _(
                "This blueprint was rejected already; it can no longer change."
            ),
            BlueprintStatus.WITHDRAWN: _(
                "This blueprint was withdrawn already; it can no longer change."
            ),
        }
    else:
        words = {
            BlueprintStatus.ACCEPTED: _("“%(title)s” was accepted already.", title=title),
            BlueprintStatus.MERGED: _("“%(title)s” was merged already.", title=title),
            BlueprintStatus.REJECTED: _("“%(title)s” was rejected already.", title=title),
            BlueprintStatus.WITHDRAWN: _("“%(title)s” was withdrawn already.", title=title),
        }
    fallback = _("“%(title)s” was decided already.", title=title)
    return str(words.get(BlueprintStatus(status), fallback))


@dataclass(frozen=True)
class BlueprintValues:
    """A blueprint's fields after the checks every path shares (form, import)."""

    title: str
    description: str
    url: str
    length_slots: int


def check_values(
    title: str, description: str, url: str, length_slots: int | str
) -> BlueprintValues:
    title, description, url = title.strip(), description.strip(), url.strip()
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise Invalid(
            _("The title needs %(min)d to %(max)d characters.", min=TITLE_MIN, max=TITLE_MAX),
            field="title",
        )
    if not control_free([title, url]):
        raise Invalid(_("Keep the title and address to one line, without control characters."))
    if len(description) > DESCRIPTION_MAX:
        raise Invalid(
            _("The description is limited to %(max)d characters.", max=DESCRIPTION_MAX),
            field="description",
        )
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Invalid(_("The blueprint URL must start with http:// or https://."), field="url")
        if len(url) > URL_MAX:
            raise Invalid(_("The URL is limited to %(max)d characters.", max=URL_MAX), field="url")
    try:
        length = int(length_slots)
    except (TypeError, ValueError):
        length = 0
    if length not in (1, 2):
        raise Invalid(_("A session takes 1 or 2 slots."), field="length_slots")
    return BlueprintValues(title, description, url, length)


def _summit(summit_id: int) -> Summit:
    summit = db.session.get(Summit, summit_id)
    if summit is None:
        raise NotFound(_("No such summit."))
    return summit


def _track(summit_id: int, track_id: int) -> Track:
    track = db.session.get(Track, track_id)
    if track is None or track.summit_id != summit_id:
        raise Invalid(_("Pick one of this summit's tracks."), field="track_id")
    return track


def cfp_open(summit: Summit, now: datetime | None = None) -> bool:
    return summit.cfp_closes_at is None or (now or utcnow()) < summit.cfp_closes_at


def _require_cfp_open(summit: Summit, now: datetime | None) -> None:
    if not cfp_open(summit, now):
        closed = format_local(summit.cfp_closes_at, summit.zone, "%a %d %b %Y %H:%M")
        raise Forbidden(
            _(
                "The call for sessions closed on %(closed)s (%(zone)s).",
                closed=closed,
                zone=summit.timezone,
            )
        )


def submit(
    user_id: int,
    summit_id: int,
    *,
    track_id: int,
    title: str,
    description: str,
    url: str,
    length_slots: int,
    now: datetime | None = None,
) -> Blueprint:
    """B1: the submitter becomes the proposed session lead. A person submits at most the
    summit's `blueprints_per_person` (abuse guard); the person's row is locked first so two
    submissions at once cannot both take the last one."""
    summit = _summit(summit_id)
    _require_cfp_open(summit, now)
    db.session.execute(update(User).where(User.id == user_id).values(id=User.id))
    submitted = db.session.scalar(
        select(func.count())
        .select_from(Blueprint)
        .where(
            Blueprint.summit_id == summit_id,
            Blueprint.submitter_id == user_id,
            Blueprint.status != BlueprintStatus.WITHDRAWN,
        )
    )
    if (submitted or 0) >= summit.blueprints_per_person:
        raise Conflict(
            ngettext(
                "You have submitted %(num)d blueprint to this summit, which is the most one "
                "person may. Withdraw it to submit another, or ask the organizers.",
                "You have submitted %(num)d blueprints to this summit, which is the most one "
                "person may. Withdraw one to submit another, or ask the organizers.",
                summit.blueprints_per_person,
            )
        )
    values = check_values(title, description, url, length_slots)
    track = _track(summit_id, track_id)
    _refuse_a_second(
        select(Blueprint.id).where(
            Blueprint.summit_id == summit_id,
            Blueprint.submitter_id == user_id,
            Blueprint.status != BlueprintStatus.WITHDRAWN,
            func.lower(Blueprint.title) == values.title.lower(),
        ),
        _(
            "You have submitted “%(title)s” already, so nothing new was made. Edit it from "
            "My blueprints if something changed.",
            title=values.title,
        ),
    )
    blueprint = Blueprint(
        summit_id=summit_id,
        track_id=track.id,
        submitter_id=user_id,
        title=values.title,
        description=values.description,
        url=values.url,
        length_slots=values.length_slots,
        status=BlueprintStatus.SUBMITTED,
    )
    db.session.add(blueprint)
    db.session.flush()
    return blueprint


def _refuse_a_second(existing: Select[Any], message: str) -> None:
    """P5: Back plus Submit (or a double click) never makes a second copy of something."""
    if db.session.scalar(existing.limit(1)) is not None:
        raise Conflict(message)


def _own_undecided(user_id: int, blueprint_id: int) -> Blueprint:
    blueprint = db.session.get(Blueprint, blueprint_id)
    if blueprint is None or blueprint.submitter_id != user_id:
        raise NotFound(_("No such blueprint of yours."))
    if blueprint.status != BlueprintStatus.SUBMITTED:
        raise Conflict(_decided_already(blueprint, own=True))
    return blueprint


def edit(
    user_id: int,
    blueprint_id: int,
    *,
    track_id: int,
    title: str,
    description: str,
    url: str,
    length_slots: int,
    now: datetime | None = None,
) -> Blueprint:
    blueprint = _own_undecided(user_id, blueprint_id)
    _require_cfp_open(_summit(blueprint.summit_id), now)
    values = check_values(title, description, url, length_slots)
    blueprint.track_id = _track(blueprint.summit_id, track_id).id
    blueprint.title, blueprint.description = values.title, values.description
    blueprint.url, blueprint.length_slots = values.url, values.length_slots
    return blueprint


def withdraw(user_id: int, blueprint_id: int) -> Blueprint:
    blueprint = _own_undecided(user_id, blueprint_id)
    blueprint.status = BlueprintStatus.WITHDRAWN
    return blueprint


def my_blueprints(user_id: int) -> list[Blueprint]:
    return list(
        db.session.scalars(
            select(Blueprint)
            .where(Blueprint.submitter_id == user_id)
            .order_by(Blueprint.created_at.desc())
        )
    )


def _blueprints_query(summit_id: int, track_id: int | None, status: str | None) -> Select[Any]:
    query = select(Blueprint).where(Blueprint.summit_id == summit_id)
    if track_id:
        query = query.where(Blueprint.track_id == track_id)
    if status:
        query = query.where(Blueprint.status == status)
    return query.order_by(Blueprint.track_id, Blueprint.created_at, Blueprint.id)


def blueprints_of(
    summit_id: int, *, track_id: int | None = None, status: str | None = None
) -> list[Blueprint]:
    return list(db.session.scalars(_blueprints_query(summit_id, track_id, status)))


REVIEW_PAGE_SIZE = 50


def blueprint_page(
    summit_id: int,
    *,
    page: int,
    track_id: int | None = None,
    status: str | None = None,
    public: bool = False,
    per_page: int = REVIEW_PAGE_SIZE,
) -> Pagination:
    """One page of the review list (or, `public`, of the list everyone sees: no withdrawn
    blueprint), with its submitters, tracks and sessions loaded."""
    query = _blueprints_query(summit_id, track_id, status)
    if public:
        query = query.where(Blueprint.status != BlueprintStatus.WITHDRAWN)
    query = query.options(
        selectinload(Blueprint.submitter),
        selectinload(Blueprint.track),
        selectinload(Blueprint.session),
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


# --- organizers' review (B2) ----------------------------------------------------------


def _submitted(blueprint_id: int) -> Blueprint:
    blueprint = db.session.get(Blueprint, blueprint_id)
    if blueprint is None:
        raise NotFound(_("No such blueprint."))
    if blueprint.status != BlueprintStatus.SUBMITTED:
        raise Conflict(_decided_already(blueprint, own=False))
    return blueprint


def _session_url(session: DesignSession) -> str:
    return f"{current_app.config['BASE_URL']}/{session.summit.slug}/sessions/{session.id}"


def accept(organizer_id: int, blueprint_id: int) -> DesignSession:
    """A session with the blueprint's title, track, lead and length."""
    blueprint = _submitted(blueprint_id)
    session = DesignSession(
        summit_id=blueprint.summit_id,
        track_id=blueprint.track_id,
        lead_id=blueprint.submitter_id,
        title=blueprint.title,
        description=blueprint.description,
        length_slots=blueprint.length_slots,
    )
    db.session.add(session)
    db.session.flush()
    blueprint.status, blueprint.session_id = BlueprintStatus.ACCEPTED, session.id
    notifications.blueprint_accepted(
        blueprint.submitter, blueprint.track.summit, blueprint.title, session.id
    )
    audit.record(
        organizer_id,
        "blueprint.accept",
        f"blueprint:{blueprint.id}",
        f"session:{session.id} {session.title}",
    )
    return session


def merge(organizer_id: int, blueprint_id: int, session_id: int) -> DesignSession:
    """Fold a blueprint into an existing session, which then links all its blueprints."""
    blueprint = _submitted(blueprint_id)
    session = db.session.get(DesignSession, session_id)
    if session is None or session.summit_id != blueprint.summit_id:
        raise Invalid(_("Pick a session of this summit to merge into."), field="session_id")
    if session.status == SessionStatus.CANCELLED:
        raise Conflict(_("That session is cancelled; pick another."), field="session_id")
    blueprint.status, blueprint.session_id = BlueprintStatus.MERGED, session.id
    notifications.blueprint_merged(
        blueprint.submitter,
        blueprint.track.summit,
        blueprint.title,
        session.id,
        session.title,
        session.lead.name if session.lead else "",
    )
    audit.record(
        organizer_id,
        "blueprint.merge",
        f"blueprint:{blueprint.id}",
        f"into session:{session.id} {session.title}",
    )
    return session


def reject(organizer_id: int, blueprint_id: int, reason: str) -> Blueprint:
    blueprint = _submitted(blueprint_id)
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Give a reason: the submitter will read it."), field="reason")
    blueprint.status, blueprint.reason = BlueprintStatus.REJECTED, reason[:500]
    notifications.blueprint_rejected(
        blueprint.submitter, blueprint.track.summit, blueprint.title, reason
    )
    audit.record(organizer_id, "blueprint.reject", f"blueprint:{blueprint.id}", reason)
    return blueprint


def move(organizer_id: int, blueprint_id: int, track_id: int) -> Blueprint:
    blueprint = _submitted(blueprint_id)
    old = blueprint.track.name
    blueprint.track_id = _track(blueprint.summit_id, track_id).id
    db.session.flush()
    db.session.refresh(blueprint)
    audit.record(
        organizer_id,
        "blueprint.move",
        f"blueprint:{blueprint.id}",
        f"{old} → {blueprint.track.name}",
    )
    return blueprint


def bulk_accept(organizer_id: int, summit_id: int, blueprint_ids: list[int]) -> list[DesignSession]:
    """Each blueprint of this summit through the same checks as a single accept."""
    if not blueprint_ids:
        raise Invalid(_("Tick at least one blueprint."))
    for blueprint_id in blueprint_ids:
        blueprint = db.session.get(Blueprint, blueprint_id)
        if blueprint is None or blueprint.summit_id != summit_id:
            raise NotFound(_("Some of those blueprints are not in this summit."))
    return [accept(organizer_id, blueprint_id) for blueprint_id in blueprint_ids]


# --- sessions ---------------------------------------------------------------------------


def _lead_by_email(email: str) -> User:
    lead = find_by_email(email)
    if lead is None:
        raise Invalid(
            _("Nobody has an account with the email %(email)s.", email=email), field="lead_email"
        )
    return lead


def save_session(
    organizer_id: int,
    summit_id: int,
    session_id: int | None,
    *,
    title: str,
    track_id: int,
    description: str,
    lead_email: str,
    length_slots: int,
    expected_attendance: int | None,
) -> DesignSession:
    """Organizers create sessions directly (release management, ...) and edit any session."""
    _summit(summit_id)
    values = check_values(title, description, "", length_slots)
    if expected_attendance is not None and expected_attendance < 0:
        raise Invalid(_("Expected attendance cannot be negative."), field="expected_attendance")
    session = db.session.get(DesignSession, session_id) if session_id else None
    if session_id and (session is None or session.summit_id != summit_id):
        raise NotFound(_("No such session."))
    # Look everything up before a new row joins the session (no half-filled autoflush).
    track = _track(summit_id, track_id)
    lead = _lead_by_email(lead_email) if lead_email.strip() else None
    if session is None:
        _refuse_a_second(
            select(DesignSession.id).where(
                DesignSession.summit_id == summit_id,
                DesignSession.track_id == track.id,
                DesignSession.status != SessionStatus.CANCELLED,
                func.lower(DesignSession.title) == values.title.lower(),
            ),
            _(
                "The %(track)s track has a session “%(title)s” already, so nothing new was made.",
                track=track.name,
                title=values.title,
            ),
        )
        session = DesignSession(summit_id=summit_id, track_id=track.id)
        db.session.add(session)
    session.title, session.description = values.title, values.description
    session.length_slots, session.track_id = values.length_slots, track.id
    session.lead_id = lead.id if lead else None
    session.expected_attendance = expected_attendance
    db.session.flush()
    audit.record(organizer_id, "session.save", f"session:{session.id} {session.title}")
    return session


def sessions_of(summit_id: int, track_id: int | None = None) -> list[DesignSession]:
    query = select(DesignSession).where(DesignSession.summit_id == summit_id)
    if track_id:
        query = query.where(DesignSession.track_id == track_id)
    return list(db.session.scalars(query.order_by(DesignSession.track_id, DesignSession.title)))


def star_counts(summit_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(Interest.session_id, func.count())
        .join(DesignSession)
        .where(DesignSession.summit_id == summit_id)
        .group_by(Interest.session_id)
    ).all()
    return {int(session_id): int(n) for session_id, n in rows}


def star_count(session_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(Interest).where(Interest.session_id == session_id)
        )
        or 0
    )


def expected_attendance(session: DesignSession, stars: int) -> int:
    """Stars give the expected attendance unless an organizer set it (B3)."""
    return session.expected_attendance if session.expected_attendance is not None else stars


def starred_ids(user_id: int, summit_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(Interest.session_id)
            .join(DesignSession)
            .where(Interest.user_id == user_id, DesignSession.summit_id == summit_id)
        )
    )


def set_star(user_id: int, session_id: int, starred: bool) -> int:
    """Star or unstar a session; returns its new star count. Idempotent."""
    session = db.session.get(DesignSession, session_id)
    if session is None or session.status == SessionStatus.CANCELLED:
        raise NotFound(_("No such session."))
    exists = db.session.scalar(
        select(Interest.id).where(Interest.user_id == user_id, Interest.session_id == session_id)
    )
    if starred and exists is None:
        try:
            with db.session.begin_nested():  # a double click racing itself: one star holds
                db.session.add(Interest(user_id=user_id, session_id=session_id))
        except IntegrityError:
            pass
    elif not starred and exists is not None:
        db.session.execute(delete(Interest).where(Interest.id == exists))
    return star_count(session_id)
