"""The organizers' Schedule page: solve in the background, look at the draft, lock, move,
re-solve and publish (S5, P1)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from summit.choices import choices
from summit.extensions import db
from summit.forms import ActionForm
from summit.i18n import format_day
from summit.models import Job, JobStatus, Summit
from summit.scheduling.forms import LockForm, MoveForm, PinForm, PublishForm, SolveForm
from summit.services import scheduling, solve_job
from summit.services.changes import KINDS, ChangeKind
from summit.services.errors import NotFound
from summit.web import Refused, apply, organizer_required

bp = Blueprint("scheduling", __name__, url_prefix="/organizer/summits/<int:summit_id>/schedule")

Page = Response | str | tuple[str, int]

CHANGE_LABELS = {
    ChangeKind.NEW: _l("New"),
    ChangeKind.MOVED: _l("Moved"),
    ChangeKind.RETITLED: _l("Retitled"),
    ChangeKind.LEAD_CHANGED: _l("Lead changed"),
    ChangeKind.CANCELLED: _l("Cancelled"),
    ChangeKind.RESTORED: _l("Restored"),
    ChangeKind.DETAILS: _l("Other details (description, track, blueprints)"),
}


def _grid(ctx: scheduling.Context, only: set[int] | None = None) -> list[dict[str, Any]]:
    """Per day: its slots, and for each (room, slot) the session that starts there; with
    `only`, just those sessions (the draft's changes)."""
    days = []
    for day in ctx.days:
        cells: dict[tuple[int, int], Any] = {}
        covered: set[tuple[int, int]] = set()
        for s in ctx.sessions:
            if only is not None and s.id not in only:
                continue
            if s.day_id == day.id and s.start_slot is not None and s.room_id is not None:
                cells[(s.room_id, s.start_slot)] = s
                covered.update((s.room_id, s.start_slot + k) for k in range(1, s.length_slots))
        days.append({"day": day, "slots": day.slots, "cells": cells, "covered": covered})
    return days


def _page(summit_id: int, status: int = 200, move_form: MoveForm | None = None) -> Page:
    try:
        ctx = scheduling.load(summit_id)
    except NotFound as error:  # a refused action on a summit that does not exist
        abort(404, error.message)
    job = db.session.scalars(
        select(Job)
        .where(Job.summit_id == summit_id, Job.kind == "solve_schedule")
        .order_by(Job.id.desc())
        .limit(1)
    ).first()
    form = move_form or MoveForm(formdata=None)
    form.session_id.choices = choices(*((s.id, f"{s.track.name}: {s.title}") for s in ctx.sessions))
    form.day_id.choices = choices(*((d.id, format_day(d.date, "%A %d %B")) for d in ctx.days))
    # The slot picker shows wall-clock times: those of the day with the most slots, and the
    # other days' times too where a day's grid differs.
    times: dict[int, list[str]] = {}
    for d in sorted(ctx.days, key=lambda d: -len(d.slots)):
        for slot in d.slots:
            label = f"{slot.starts_at:%H:%M}"
            if label not in times.setdefault(slot.index, []):
                times[slot.index].append(label)
    form.slot.choices = choices(*((i, " / ".join(labels)) for i, labels in sorted(times.items())))
    form.room_id.choices = choices(*((r.id, r.name) for r in ctx.summit.rooms))
    problem = scheduling.to_problem(ctx, with_previous=True)
    clashes = scheduling.clashes(ctx, problem)
    marks: dict[int, list[str]] = {}
    for c in clashes:
        marks.setdefault(c.a.id, []).append(_clash_words(c, c.b.title))
        marks.setdefault(c.b.id, []).append(_clash_words(c, c.a.title))
    changed = scheduling.draft_changes(ctx)
    moved_by_solve: list[dict[str, Any]] = []
    if job is not None and job.status == JobStatus.DONE and job.result:
        try:
            moved_by_solve = list(json.loads(job.result).get("moved", []))
        except (ValueError, AttributeError):
            moved_by_solve = []
    changes_only = request.args.get("changes") == "1"
    return render_template(
        "scheduling/page.html",
        summit=ctx.summit,
        ctx=ctx,
        grid=_grid(ctx, set(changed) if changes_only else None),
        changed=changed,
        moved_by_solve=moved_by_solve,
        changes_only=changes_only,
        labels=CHANGE_LABELS,
        where=scheduling.where,
        pin_form=PinForm(formdata=None),
        job=job,
        solve_form=SolveForm(formdata=None),
        move_form=form,
        lock_form=LockForm(formdata=None),
        action_form=ActionForm(),
        clashes=clashes,
        marks=marks,
        broken=scheduling.broken(ctx, problem),
        goals=scheduling.goals(ctx, problem),
        unplaced=[s for s in ctx.sessions if s.day_id is None],
        JobStatus=JobStatus,
    ), status


def _clash_words(c: scheduling.Clash, other: str) -> str:
    """A draft cell's clash with another session: "same track, 3 people with “Quotas”"."""
    if c.same_track and c.people:
        return str(
            ngettext(
                "same track, %(num)d person with “%(title)s”",
                "same track, %(num)d people with “%(title)s”",
                c.people,
                title=other,
            )
        )
    if c.same_track:
        return str(_("same track with “%(title)s”", title=other))
    return str(
        ngettext(
            "%(num)d person with “%(title)s”",
            "%(num)d people with “%(title)s”",
            c.people,
            title=other,
        )
    )


@bp.get("")
@organizer_required
def page(summit_id: int) -> Page:
    db.get_or_404(Summit, summit_id, description=_("No such summit."))
    return _page(summit_id)


def _refuse(summit_id: int, refused: Refused, form: MoveForm | None = None) -> Page:
    return _page(summit_id, refused.status, form)


@bp.post("/solve")
@organizer_required
def start_solve(summit_id: int) -> Page:
    summit = db.get_or_404(Summit, summit_id, description=_("No such summit."))
    form = SolveForm()
    if not form.validate_on_submit():
        flash(_("Give a time limit between 1 and 600 seconds."), "error")
        return _page(summit_id, 422)
    started = apply(
        lambda: solve_job.start_solve(
            current_user.id,
            summit.id,
            time_limit=float(form.time_limit.data or 30),
            resolve=bool(form.resolve.data),
        )
    )
    if isinstance(started, Refused):
        return _page(summit_id, 409)
    flash(_("The solver is running in the background; this page shows its progress."), "info")
    return redirect(url_for("scheduling.page", summit_id=summit_id))


@bp.post("/sessions/<int:session_id>/lock")
@organizer_required
def lock(summit_id: int, session_id: int) -> Page:
    form = LockForm()
    session = apply(
        lambda: scheduling.set_lock(current_user.id, summit_id, session_id, bool(form.locked.data))
    )
    if isinstance(session, Refused):
        return _refuse(summit_id, session)
    if session.locked:
        flash(_("“%(title)s” locked.", title=session.title), "success")
    else:
        flash(_("“%(title)s” unlocked.", title=session.title), "success")
    return redirect(url_for("scheduling.page", summit_id=summit_id))


@bp.post("/move")
@organizer_required
def move(summit_id: int) -> Page:
    form = MoveForm()
    if not form.validate_on_submit():
        flash(_("Pick a session, a day, a slot and a room."), "error")
        return _page(summit_id, 422, form)
    session = apply(
        lambda: scheduling.move(
            current_user.id,
            summit_id,
            form.session_id.data or 0,
            day_id=form.day_id.data or 0,
            slot=form.slot.data or 0,
            room_id=form.room_id.data or 0,
        )
    )
    if isinstance(session, Refused):
        return _refuse(summit_id, session, form)
    flash(_("Moved “%(title)s”.", title=session.title), "success")
    return redirect(url_for("scheduling.page", summit_id=summit_id))


@bp.get("/review")
@organizer_required
def review(summit_id: int) -> Page:
    """Review changes (P4): what publishing now would change, with the people each change
    affects and the mails that will go. Nothing is published from here without a confirm."""
    db.get_or_404(Summit, summit_id, description=_("No such summit."))
    reviewed = apply(lambda: scheduling.review(summit_id))
    if isinstance(reviewed, Refused):
        return _refuse(summit_id, reviewed)
    form = PublishForm(formdata=None, base=reviewed.base, digest=reviewed.digest)
    return _review_page(reviewed, form)


def _review_page(reviewed: scheduling.Review, form: PublishForm, status: int = 200) -> Page:
    return render_template(
        "scheduling/review.html",
        summit=reviewed.summit,
        review=reviewed,
        groups=[(kind, reviewed.of_kind(kind)) for kind in KINDS],
        labels=CHANGE_LABELS,
        where=scheduling.where,
        form=form,
    ), status


@bp.post("/publish")
@organizer_required
def publish(summit_id: int) -> Page:
    """Publish exactly the changes the organizer reviewed: 409 when the last release or the
    draft changed since (A5)."""
    db.get_or_404(Summit, summit_id, description=_("No such summit."))
    form = PublishForm()
    if not form.validate_on_submit():
        flash(_("Review the changes, then confirm to publish."), "error")
        return redirect(url_for("scheduling.review", summit_id=summit_id))
    changed = apply(
        lambda: scheduling.publish(
            current_user.id,
            summit_id,
            base=form.base.data,
            digest=form.digest.data,
            note=form.note.data or "",
        )
    )
    if isinstance(changed, Refused):
        reviewed = apply(lambda: scheduling.review(summit_id))
        if isinstance(reviewed, Refused):
            return _page(summit_id, changed.status)
        fresh = PublishForm(formdata=None, base=reviewed.base, digest=reviewed.digest)
        return _review_page(reviewed, fresh, changed.status)
    flash(
        ngettext(
            "Published. %(num)d published session changed; its lead and the people who "
            "starred it are told.",
            "Published. %(num)d published sessions changed; their leads and the people who "
            "starred them are told.",
            changed,
        ),
        "success",
    )
    return redirect(url_for("scheduling.page", summit_id=summit_id))


@bp.post("/sessions/<int:session_id>/pin")
@organizer_required
def pin(summit_id: int, session_id: int) -> Page:
    form = PinForm()
    session = apply(
        lambda: scheduling.set_pin(current_user.id, summit_id, session_id, bool(form.pinned.data))
    )
    if isinstance(session, Refused):
        return _refuse(summit_id, session)
    if session.pinned:
        flash(_("“%(title)s” pinned.", title=session.title), "success")
    else:
        flash(_("“%(title)s” unpinned.", title=session.title), "success")
    return redirect(url_for("scheduling.page", summit_id=summit_id))
