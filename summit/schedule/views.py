"""The organizers' Schedule page: solve in the background, look at the draft, lock, move,
re-solve and publish (S5, P1)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from summit import jobs
from summit.choices import choices
from summit.extensions import db
from summit.forms import ActionForm
from summit.models import Job, JobStatus, Summit
from summit.schedule.forms import LockForm, MoveForm, SolveForm
from summit.services import scheduling
from summit.services.errors import DomainError, NotFound
from summit.web import organizer_required

bp = Blueprint("schedule", __name__, url_prefix="/organizer/summits/<int:summit_id>/schedule")

Page = Response | str | tuple[str, int]


def _grid(ctx: scheduling.Context) -> list[dict[str, Any]]:
    """Per day: its slots, and for each (room, slot) the session that starts there."""
    days = []
    for day in ctx.days:
        cells: dict[tuple[int, int], Any] = {}
        covered: set[tuple[int, int]] = set()
        for s in ctx.sessions:
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
    form.day_id.choices = choices(*((d.id, f"{d.date:%A %d %B}") for d in ctx.days))
    most = max((len(d.slots) for d in ctx.days), default=0)
    form.slot.choices = choices(*((i, f"Slot {i + 1}") for i in range(most)))
    form.room_id.choices = choices(*((r.id, r.name) for r in ctx.summit.rooms))
    problem = scheduling.to_problem(ctx, with_previous=True)
    clashes = scheduling.clashes(ctx, problem)
    marks: dict[int, list[str]] = {}
    for c in clashes:
        people = f"{c.people} people" if c.people else ""
        what = ", ".join(x for x in ("same track" if c.same_track else "", people) if x)
        marks.setdefault(c.a.id, []).append(f"{what} with “{c.b.title}”")
        marks.setdefault(c.b.id, []).append(f"{what} with “{c.a.title}”")
    return render_template(
        "schedule/page.html",
        summit=ctx.summit,
        ctx=ctx,
        grid=_grid(ctx),
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


@bp.get("")
@organizer_required
def page(summit_id: int) -> Page:
    db.get_or_404(Summit, summit_id, description="No such summit.")
    return _page(summit_id)


def _refuse(summit_id: int, error: DomainError, form: MoveForm | None = None) -> Page:
    db.session.rollback()
    flash(error.message, "error")
    return _page(summit_id, error.status, form)


@bp.post("/solve")
@organizer_required
def start_solve(summit_id: int) -> Page:
    summit = db.get_or_404(Summit, summit_id, description="No such summit.")
    form = SolveForm()
    if not form.validate_on_submit():
        flash("Give a time limit between 1 and 600 seconds.", "error")
        return _page(summit_id, 422)
    running = db.session.scalar(
        select(Job.id).where(
            Job.summit_id == summit_id,
            Job.kind == "solve_schedule",
            Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
        )
    )
    if running:
        flash("A solve is already running for this summit.", "error")
        return _page(summit_id, 409)
    jobs.enqueue(
        "solve_schedule",
        summit_id=summit.id,
        actor_id=current_user.id,
        payload={"time_limit": form.time_limit.data, "seed": 0, "resolve": bool(form.resolve.data)},
    )
    db.session.commit()
    flash("The solver is running in the background; this page shows its progress.", "info")
    return redirect(url_for("schedule.page", summit_id=summit_id))


@bp.post("/sessions/<int:session_id>/lock")
@organizer_required
def lock(summit_id: int, session_id: int) -> Page:
    form = LockForm()
    if not form.validate_on_submit():
        flash("The form was stale; reload and try again.", "error")
        return _page(summit_id, 400)
    try:
        session = scheduling.set_lock(
            current_user.id, summit_id, session_id, bool(form.locked.data)
        )
        db.session.commit()
    except DomainError as error:
        return _refuse(summit_id, error)
    flash(f"“{session.title}” {'locked' if session.locked else 'unlocked'}.", "success")
    return redirect(url_for("schedule.page", summit_id=summit_id))


@bp.post("/move")
@organizer_required
def move(summit_id: int) -> Page:
    form = MoveForm()
    if not form.validate_on_submit():
        flash("Pick a session, a day, a slot and a room.", "error")
        return _page(summit_id, 422, form)
    try:
        session = scheduling.move(
            current_user.id,
            summit_id,
            form.session_id.data or 0,
            day_id=form.day_id.data or 0,
            slot=form.slot.data or 0,
            room_id=form.room_id.data or 0,
        )
        db.session.commit()
    except DomainError as error:
        return _refuse(summit_id, error, form)
    flash(f"Moved “{session.title}”.", "success")
    return redirect(url_for("schedule.page", summit_id=summit_id))


@bp.post("/publish")
@organizer_required
def publish(summit_id: int) -> Page:
    if not ActionForm().validate_on_submit():
        flash("The form was stale; reload and try again.", "error")
        return _page(summit_id, 400)
    try:
        changed = scheduling.publish(current_user.id, summit_id)
        db.session.commit()
    except DomainError as error:
        return _refuse(summit_id, error)
    flash(
        f"Published. {changed} sessions changed since the last publication; their leads "
        "and the people who starred them are told.",
        "success",
    )
    return redirect(url_for("schedule.page", summit_id=summit_id))
