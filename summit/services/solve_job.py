"""The solve job: the worker runs the scheduler and records its progress as it goes (S5)."""

from __future__ import annotations

import json
import time
from typing import Any

from flask import current_app
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select, update

from scheduler import SolveOptions, Status, solve
from scheduler.types import Progress
from summit.extensions import db
from summit.jobs import enqueue, handler, heartbeat, live, worker_stopped
from summit.models import Job, JobStatus, Summit, utcnow
from summit.services import scheduling
from summit.services.errors import Conflict

KIND = "solve_schedule"


def start_solve(
    actor_id: int | None, summit_id: int, *, time_limit: float, resolve: bool, seed: int = 0
) -> Job:
    """Queue a solve; one at a time per summit, counting only jobs on a live lease (J1).
    A solve whose worker died is failed here, so it neither blocks nor comes back. The
    summit's row is locked first (a no-op update; on SQLite it takes the write lock), so two
    organizers pressing Solve at once cannot both pass the check."""
    now = utcnow()
    db.session.execute(update(Summit).where(Summit.id == summit_id).values(id=Summit.id))
    db.session.execute(
        update(Job)
        .where(
            Job.summit_id == summit_id,
            Job.kind == KIND,
            Job.status == JobStatus.RUNNING,
            Job.lease_until < now,
        )
        .values(
            status=JobStatus.FAILED,
            message=worker_stopped(again=False),
            last_error=worker_stopped(),
            finished_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    running = db.session.scalar(
        select(Job.id).where(Job.summit_id == summit_id, Job.kind == KIND, live(now)).limit(1)
    )
    if running is not None:
        raise Conflict(_("A solve is already running for this summit."))
    return enqueue(
        KIND,
        summit_id=summit_id,
        actor_id=actor_id,
        payload={"time_limit": time_limit, "seed": seed, "resolve": resolve},
    )


@handler(KIND)
def run_solve(job: Job) -> dict[str, Any]:
    started = time.perf_counter()  # the organizer's limit counts loading the summit too
    payload = json.loads(job.payload)
    time_limit = float(payload.get("time_limit", 30))
    ctx = scheduling.load(job.summit_id or 0)
    resolve = bool(payload.get("resolve"))
    problem = scheduling.to_problem(ctx, with_previous=resolve)
    hint = scheduling.draft(ctx) if resolve else ()
    job_id, app = job.id, current_app._get_current_object()  # type: ignore[attr-defined]
    locale = str(get_locale())  # the job's (see jobs.run_one), for the solver's thread too
    db.session.commit()  # hold no lock while the solver runs

    def progress(p: Progress) -> None:
        # Called from the solver's thread: a connection of its own (and a renewed lease).
        state = {
            "elapsed": round(p.seconds, 1),
            "limit": time_limit,
            "objective": p.objective,
            "bound": max(p.bound, 0),
        }
        with app.app_context(), force_locale(locale):
            heartbeat(
                job_id,
                wait=0.2,  # a progress beat never holds the solver back; the renewer renews
                done=min(int(p.seconds * 10), int(time_limit * 10)),
                total=int(time_limit * 10),
                # A bound below zero says nothing: no schedule scores less than 0.
                message=_(
                    "Best schedule so far scores %(score)s; none can score below %(bound)s.",
                    score=f"{p.objective:g}",
                    bound=f"{max(p.bound, 0):g}",
                ),
                result=json.dumps({"progress": state}),
            )

    result = solve(
        problem,
        SolveOptions(time_limit=time_limit, seed=int(payload.get("seed", 0))),
        on_progress=progress,
        hint=hint,
        started=started,
    )
    outcome: dict[str, Any] = {
        "status": result.status.value,
        "seconds": round(result.seconds, 2),
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "stopped_by": result.stopped_by.value,
        "explanation": list(result.explanation),
        "goals": None
        if result.goals is None
        else {
            "attendee_conflicts": result.goals.attendee_conflicts,
            "track_parallel_pairs": result.goals.track_parallel_pairs,
            "track_extra_rooms": result.goals.track_extra_rooms,
            "moved_sessions": result.goals.moved_sessions,
        },
    }
    job = db.session.get(Job, job_id) or job
    job.done, job.total = int(time_limit * 10), int(time_limit * 10)
    if result.status in (Status.OPTIMAL, Status.FEASIBLE):
        moved = scheduling.record_result(job.created_by_id, job.summit_id or 0, result)
        outcome["moved"] = [
            {"session": m.session_id, "title": m.title, "from": m.before, "to": m.after}
            for m in moved
        ]
        solved = (
            _(
                "Solved (optimal) in %(seconds)s s: %(score)s.",
                seconds=f"{result.seconds:.1f}",
                score=scheduling.objective_in_words(result),
            )
            if result.status is Status.OPTIMAL
            else _(
                "Solved (feasible) in %(seconds)s s: %(score)s.",
                seconds=f"{result.seconds:.1f}",
                score=scheduling.objective_in_words(result),
            )
        )
        moves = ngettext(
            "%(num)d placed session moved.", "%(num)d placed sessions moved.", len(moved)
        )
        # Sentences in a row, each whole: the gap, what stopped the search, the moves.
        said = [solved, scheduling.gap_in_words(result), scheduling.stop_in_words(result), moves]
        outcome["message"] = " ".join(s for s in said if s)
    else:
        outcome["message"] = _(
            "No schedule: %(reasons)s",
            reasons=" ".join(scheduling.reason_in_words(r) for r in result.explanation),
        )
    return outcome
