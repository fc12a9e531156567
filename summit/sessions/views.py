"""Blueprints (B1), the organizers' review (B2), sessions and stars (B3), bulk import (B4)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from summit import jobs
from summit.choices import choices
from summit.db_utils import NUL, parse_id
from summit.extensions import db
from summit.forms import ActionForm
from summit.models import Blueprint as BlueprintRow
from summit.models import (
    BlueprintStatus,
    DesignSession,
    Job,
    JobStatus,
    SessionStatus,
    Summit,
    Track,
    User,
    utcnow,
)
from summit.services import availability, import_job, programme, scheduling
from summit.services import blueprints as bps
from summit.sessions.forms import (
    BlueprintForm,
    ImportForm,
    MergeForm,
    MoveForm,
    PickForm,
    ReasonForm,
    SessionForm,
    StarForm,
)
from summit.web import (
    ListPage,
    Refused,
    apply,
    form_values,
    login_required,
    organizer_required,
    safe_next,
    summit_or_404,
    verified_required,
)

bp = Blueprint("sessions", __name__)

Page = Response | str | tuple[str, int]


def _track_choices(summit: Summit) -> list[Any]:
    return choices(*((t.id, t.name) for t in summit.tracks))


def _track_filter(summit: Summit) -> Track | None:
    slug = request.args.get("track")
    if not slug:
        return None
    return next((t for t in summit.tracks if t.slug == slug), None) or abort(
        404, _("No such track.")
    )


# --- developers -----------------------------------------------------------------------


@bp.get("/<slug>/blueprints")
def blueprint_list(slug: str) -> Page:
    summit = summit_or_404(slug)
    track = _track_filter(summit)
    page = bps.blueprint_page(
        summit.id,
        page=parse_id(request.args.get("page", "1")) or 1,
        track_id=track.id if track else None,
        public=True,
        per_page=CATALOGUE_PAGE,
    )
    return render_template(
        "sessions/blueprints.html",
        summit=summit,
        blueprints=page.items,
        pagination=page,
        track=track,
        cfp_open=bps.cfp_open(summit),
    )


@bp.get("/<slug>/blueprints/<int:blueprint_id>")
def blueprint_page(slug: str, blueprint_id: int) -> Page:
    summit = summit_or_404(slug)
    blueprint = db.get_or_404(BlueprintRow, blueprint_id)
    if blueprint.summit_id != summit.id:
        abort(404)
    return render_template(
        "sessions/blueprint.html", summit=summit, blueprint=blueprint, form=ActionForm()
    )


def _blueprint_form(
    summit: Summit,
    blueprint: BlueprintRow | None,
    status: int = 200,
    form: BlueprintForm | None = None,
) -> Page:
    return render_template(
        "sessions/blueprint_form.html",
        summit=summit,
        blueprint=blueprint,
        form=form,
        cfp_open=bps.cfp_open(summit),
    ), status


@bp.route("/<slug>/blueprints/new", methods=["GET", "POST"])
@bp.route("/<slug>/blueprints/<int:blueprint_id>/edit", methods=["GET", "POST"])
@verified_required
def blueprint_form(slug: str, blueprint_id: int | None = None) -> Page:
    summit = summit_or_404(slug)
    blueprint = None
    if blueprint_id is not None:
        blueprint = db.get_or_404(BlueprintRow, blueprint_id)
        if blueprint.summit_id != summit.id or blueprint.submitter_id != current_user.id:
            abort(404)
    form = BlueprintForm(obj=blueprint)
    form.track_id.choices = _track_choices(summit)
    if request.method == "POST" and not bps.cfp_open(summit):
        flash(_("The call for sessions is closed: nothing was saved."), "error")
        return _blueprint_form(summit, blueprint, 403, form)
    if not form.validate_on_submit():
        return _blueprint_form(summit, blueprint, 422 if form.is_submitted() else 200, form)
    values = form_values(form)
    saved = apply(
        (lambda: bps.submit(current_user.id, summit.id, **values))
        if blueprint is None
        else (lambda: bps.edit(current_user.id, blueprint.id, **values)),
        form,
    )
    if isinstance(saved, Refused):
        return _blueprint_form(summit, blueprint, saved.status, form)
    flash(_("Blueprint saved. Organizers will review it."), "success")
    return redirect(url_for("sessions.blueprint_page", slug=slug, blueprint_id=saved.id))


@bp.post("/<slug>/blueprints/<int:blueprint_id>/withdraw")
@verified_required
def withdraw(slug: str, blueprint_id: int) -> Page:
    withdrawn = apply(lambda: bps.withdraw(current_user.id, blueprint_id))
    if isinstance(withdrawn, Refused):
        return _mine(withdrawn.status)
    flash(_("Blueprint withdrawn."), "success")
    return redirect(url_for("sessions.my_blueprints"))


def _mine(status: int = 200) -> Page:
    return render_template(
        "sessions/mine.html", blueprints=bps.my_blueprints(current_user.id), form=ActionForm()
    ), status


@bp.get("/my/blueprints")
@login_required
def my_blueprints() -> Page:
    return _mine()


# --- sessions and stars -----------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    """A line of the sessions catalogue: the latest release's facts for a published session
    (P4: draft edits stay private), the accepted session's own for one not yet scheduled."""

    id: int
    title: str
    track: Track
    people: str
    length_slots: int
    entry: programme.Entry | None  # its time and room, once published


def _catalogue(summit: Summit, track: Track | None) -> list[Listed]:
    released = programme.load(summit, with_cancelled=True).of_kind(programme.EntryKind.SESSION)
    published = {e.id: e for e in released}
    tracks = {t.id: t for t in summit.tracks}
    rows: list[Listed] = []
    for s in bps.sessions_of(summit.id):
        entry = published.get(s.id)
        if entry is not None:
            if not entry.cancelled and entry.track is not None:
                rows.append(
                    Listed(s.id, entry.title, entry.track, entry.people, entry.length_slots, entry)
                )
        elif s.status == SessionStatus.ACTIVE:
            lead = s.lead.name if s.lead else ""
            rows.append(Listed(s.id, s.title, tracks[s.track_id], lead, s.length_slots, None))
    if track is not None:
        rows = [r for r in rows if r.track.id == track.id]
    # Scheduled sessions in time order, then the ones still to be placed, by track and title.
    return sorted(
        rows,
        key=lambda r: (
            r.entry is None,
            r.entry.starts_at if r.entry else datetime.min.replace(tzinfo=UTC),
            r.entry.place if r.entry else "",
            r.track.name,
            r.title,
        ),
    )


CATALOGUE_PAGE = 60


@bp.get("/<slug>/sessions")
def session_list(slug: str) -> Page:
    summit = summit_or_404(slug)
    track = _track_filter(summit)
    stars = bps.star_counts(summit.id)
    mine = bps.starred_ids(current_user.id, summit.id) if current_user.is_authenticated else set()
    page = ListPage.of(
        _catalogue(summit, track), parse_id(request.args.get("page", "1")) or 1, CATALOGUE_PAGE
    )
    return render_template(
        "sessions/sessions.html",
        summit=summit,
        sessions=page.items,
        pagination=page,
        stars=stars,
        mine=mine,
        track=track,
        form=StarForm(formdata=None),
    )


@bp.get("/<slug>/sessions/<int:session_id>")
def session_page(slug: str, session_id: int) -> Page:
    summit = summit_or_404(slug)
    session = db.get_or_404(DesignSession, session_id)
    if session.summit_id != summit.id:
        abort(404)
    stars = bps.star_count(session.id)
    mine = bps.starred_ids(current_user.id, summit.id) if current_user.is_authenticated else set()
    organizer = current_user.is_authenticated and current_user.is_organizer
    # Everything public comes from the latest release (P4); the row only for a session
    # that was never published (the catalogue of sessions).
    entry, draft = programme.session_entries(
        summit, session.id, with_draft=organizer, with_cancelled=True
    )
    return render_template(
        "sessions/session.html",
        summit=summit,
        session=session,
        entry=entry,
        draft=draft,
        stars=stars,
        mine=mine,
        form=StarForm(formdata=None),
        action_form=ActionForm(formdata=None),
        expected=bps.expected_attendance(session, stars),
    )


@bp.post("/organizer/summits/<int:summit_id>/sessions/<int:session_id>/cancel")
@organizer_required
def cancel_session(summit_id: int, session_id: int) -> Page:
    """Cancel a session (it stays in the calendars as cancelled), or bring it back."""
    summit = _organizer_summit(summit_id)
    cancelled = request.form.get("cancelled") == "y"
    session = apply(
        lambda: scheduling.set_cancelled(current_user.id, summit.id, session_id, cancelled),
        show=False,
    )
    if isinstance(session, Refused):
        abort(session.status, session.message)
    if cancelled:
        flash(
            _(
                "“%(title)s” is cancelled in the draft; the public and its people hear of "
                "it when you publish.",
                title=session.title,
            ),
            "success",
        )
    else:
        flash(
            _("“%(title)s” is back; place it in the schedule and publish.", title=session.title),
            "success",
        )
    return redirect(url_for("sessions.session_page", slug=summit.slug, session_id=session_id))


@bp.post("/<slug>/sessions/<int:session_id>/star")
@login_required
def star(slug: str, session_id: int) -> Page:
    """One click: a plain POST form, or fetch() from summit.js (answered with JSON)."""
    form = StarForm()
    count = apply(
        lambda: bps.set_star(current_user.id, session_id, bool(form.starred.data)), show=False
    )
    if isinstance(count, Refused):
        abort(count.status, count.message)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(starred=bool(form.starred.data), count=count)
    back = safe_next(request.form.get("next")) or url_for(
        "sessions.session_page", slug=slug, session_id=session_id
    )
    return redirect(back)


# --- organizers: review (B2) --------------------------------------------------------------


def _organizer_summit(summit_id: int) -> Summit:
    return db.get_or_404(Summit, summit_id, description=_("No such summit."))


def _review_page(summit: Summit, status: int = 200) -> Page:
    track_text = request.args.get("track")
    track_id = parse_id(track_text) if track_text else None
    if track_text and track_id is None:
        abort(400, _("Unknown track filter."))
    shown = request.args.get("status", BlueprintStatus.SUBMITTED.value)
    if shown not in {s.value for s in BlueprintStatus} | {"all"}:
        abort(400, _("Unknown status filter."))
    page = parse_id(request.args.get("page", "1")) or 1
    rows = bps.blueprint_page(
        summit.id, page=page, track_id=track_id, status=None if shown == "all" else shown
    )
    merge_form, move_form = MergeForm(formdata=None), MoveForm(formdata=None)
    # One list of merge targets for the whole page, not a copy per row, and none chosen.
    merge_targets = [(s.id, f"{s.track.name}: {s.title}") for s in bps.sessions_of(summit.id)]
    move_form.track_id.choices = _track_choices(summit)
    return render_template(
        "sessions/review.html",
        summit=summit,
        blueprints=rows.items,
        pagination=rows,
        merge_targets=merge_targets,
        track_id=track_id,
        shown=shown,
        statuses=BlueprintStatus,
        merge_form=merge_form,
        move_form=move_form,
        reason_form=ReasonForm(formdata=None),
        pick_form=PickForm(formdata=None),
    ), status


@bp.get("/organizer/summits/<int:summit_id>/blueprints")
@organizer_required
def review(summit_id: int) -> Page:
    return _review_page(_organizer_summit(summit_id))


def _decide(blueprint_id: int, action: Any) -> Page:
    blueprint = db.get_or_404(BlueprintRow, blueprint_id)
    summit_id = blueprint.summit_id
    message = apply(lambda: action(blueprint))
    if isinstance(message, Refused):
        return _review_page(_organizer_summit(summit_id), message.status)
    flash(message, "success")
    return redirect(url_for("sessions.review", summit_id=summit_id))


@bp.post("/organizer/blueprints/<int:blueprint_id>/accept")
@organizer_required
def accept(blueprint_id: int) -> Page:
    return _decide(
        blueprint_id,
        lambda b: _(
            "Accepted: session “%(title)s” created.", title=bps.accept(current_user.id, b.id).title
        ),
    )


@bp.post("/organizer/blueprints/<int:blueprint_id>/merge")
@organizer_required
def merge(blueprint_id: int) -> Page:
    form = MergeForm()
    if not form.validate_on_submit():
        abort(400, _("Pick the session to merge into."))
    return _decide(
        blueprint_id,
        lambda b: _(
            "Merged into “%(title)s”.",
            title=bps.merge(current_user.id, b.id, form.session_id.data or 0).title,
        ),
    )


@bp.post("/organizer/blueprints/<int:blueprint_id>/reject")
@organizer_required
def reject(blueprint_id: int) -> Page:
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for rejecting: the submitter will read it."), "error")
        blueprint = db.get_or_404(BlueprintRow, blueprint_id)
        return _review_page(_organizer_summit(blueprint.summit_id), 422)
    return _decide(
        blueprint_id,
        lambda b: _(
            "Rejected “%(title)s”.",
            title=bps.reject(current_user.id, b.id, form.reason.data or "").title,
        ),
    )


@bp.post("/organizer/blueprints/<int:blueprint_id>/move")
@organizer_required
def move(blueprint_id: int) -> Page:
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400, _("Pick a track."))
    return _decide(
        blueprint_id,
        lambda b: _(
            "Moved to %(track)s.",
            track=bps.move(current_user.id, b.id, form.track_id.data or 0).track.name,
        ),
    )


@bp.post("/organizer/summits/<int:summit_id>/blueprints/bulk-accept")
@organizer_required
def bulk_accept(summit_id: int) -> Page:
    summit = _organizer_summit(summit_id)
    form = PickForm()
    if not form.validate_on_submit():
        flash(_("Tick at least one blueprint."), "error")
        return _review_page(summit, 422)
    ids = list(form.ids.data or [])
    made = apply(lambda: bps.bulk_accept(current_user.id, summit.id, ids), show=False)
    if isinstance(made, Refused):
        flash(_("Nothing was accepted: %(reason)s", reason=made.message), "error")
        return _review_page(summit, made.status)
    flash(
        ngettext("Accepted %(num)d blueprint.", "Accepted %(num)d blueprints.", len(made)),
        "success",
    )
    return redirect(url_for("sessions.review", summit_id=summit_id))


# --- organizers: sessions -----------------------------------------------------------------


@bp.route("/organizer/summits/<int:summit_id>/sessions/new", methods=["GET", "POST"])
@bp.route("/organizer/summits/<int:summit_id>/sessions/<int:session_id>", methods=["GET", "POST"])
@organizer_required
def edit_session(summit_id: int, session_id: int | None = None) -> Page:
    summit = _organizer_summit(summit_id)
    session = db.get_or_404(DesignSession, session_id) if session_id else None
    if session is not None and session.summit_id != summit_id:
        abort(404)
    form = SessionForm(obj=session)
    form.track_id.choices = _track_choices(summit)
    if session is not None and not form.is_submitted():
        form.lead_email.data = session.lead.email if session.lead else ""
    status = 200
    if form.validate_on_submit():
        saved = apply(
            lambda: bps.save_session(current_user.id, summit_id, session_id, **form_values(form)),
            form,
        )
        if isinstance(saved, Refused):
            status = saved.status
        else:
            flash(_("Session saved."), "success")
            return redirect(url_for("sessions.session_page", slug=summit.slug, session_id=saved.id))
    elif form.is_submitted():
        status = 422
    return render_template(
        "organizer/form.html",
        form=form,
        summit=summit,
        title=_("Edit session") if session else _("New session"),
    ), status


# --- organizers: bulk import (B4) ---------------------------------------------------------


@bp.route("/organizer/summits/<int:summit_id>/import", methods=["GET", "POST"])
@organizer_required
def import_upload(summit_id: int) -> Page:
    summit = _organizer_summit(summit_id)
    form = ImportForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("sessions/import.html", summit=summit, form=form), status
    upload = form.file.data
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors = [_("The file is not UTF-8 text.")]
        return render_template("sessions/import.html", summit=summit, form=form), 422
    if NUL in text:
        form.file.errors = [_("The file holds a NUL character (U+0000), which no text can keep.")]
        return render_template("sessions/import.html", summit=summit, form=form), 422
    job = jobs.enqueue(
        "import_blueprints",
        summit_id=summit.id,
        actor_id=current_user.id,
        payload={
            "filename": upload.filename or "",
            "data": text,
            "partial": bool(form.partial.data),
        },
    )
    db.session.commit()
    return redirect(url_for("sessions.job_page", job_id=job.id))


def _job_message(job: Job) -> str:
    """A finished import is worded from its counts for this reader; other messages are
    stored in the words of the organizer who started the job."""
    if job.kind == "import_blueprints" and job.status == JobStatus.DONE and job.result:
        result = json.loads(job.result)
        if "created" in result:
            return import_job.outcome(result)
    return job.message


def _job_state(job: Job) -> dict[str, Any]:
    elapsed = None
    if job.started_at is not None:
        elapsed = round(((job.finished_at or utcnow()) - job.started_at).total_seconds(), 1)
    return {
        "id": job.id,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "elapsed": elapsed,
        "message": _job_message(job),
        "result": json.loads(job.result) if job.result else {},
        "attempts": job.attempts,
        "last_error": job.last_error,
    }


@bp.get("/organizer/jobs/<int:job_id>")
@organizer_required
def job_page(job_id: int) -> Page:
    job = db.get_or_404(Job, job_id)
    return render_template("sessions/job.html", job=job, state=_job_state(job))


@bp.get("/organizer/jobs/<int:job_id>.json")
@organizer_required
def job_state(job_id: int) -> Response:
    return jsonify(_job_state(db.get_or_404(Job, job_id)))


# --- leads: when they can't attend (S1) ---------------------------------------------------


@bp.route("/<slug>/availability", methods=["GET", "POST"])
@login_required
def availability_page(slug: str) -> Page:
    """A lead marks the mornings and afternoons they can't attend; organizers can do it
    for them (`?user=ID`). The scheduler keeps their sessions out of those times."""
    summit = summit_or_404(slug)
    user_id = current_user.id
    if "user" in request.args:
        user_id = parse_id(request.args["user"]) or abort(404)
        if user_id != current_user.id and not current_user.is_organizer:
            abort(403)
    person = db.get_or_404(User, user_id)
    form = ActionForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, _("The form was stale; reload and try again."))
        marks: set[tuple[int, str]] = set()
        for value in request.form.getlist("away"):
            day, _sep, part = value.partition(":")
            day_id = parse_id(day)
            if day_id is None:
                abort(400, _("Pick mornings or afternoons of the Design Summit days."))
            marks.add((day_id, part))
        saved = apply(lambda: availability.set_away(current_user, summit, user_id, marks))
        if isinstance(saved, Refused):
            status = saved.status
        else:
            flash(_("Saved: the schedule will keep these times free."), "success")
            args = {"user": user_id} if user_id != current_user.id else {}
            return redirect(url_for("sessions.availability_page", slug=slug, **args))
    return render_template(
        "sessions/availability.html",
        summit=summit,
        person=person,
        away=availability.away_of(summit, user_id),
        parts=availability.PARTS,
        form=form,
    ), status
