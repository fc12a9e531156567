"""The solve job: the worker runs the scheduler and records its progress as it goes (S5)."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import update

from scheduler import SolveOptions, Status, solve
from scheduler.types import Progress
from summit.extensions import db
from summit.jobs import handler
from summit.models import Job
from summit.services import scheduling


@handler("solve_schedule")
def run_solve(job: Job) -> dict[str, Any]:
    started = time.perf_counter()  # the organizer's limit counts loading the summit too
    payload = json.loads(job.payload)
    time_limit = float(payload.get("time_limit", 30))
    ctx = scheduling.load(job.summit_id or 0)
    resolve = bool(payload.get("resolve"))
    problem = scheduling.to_problem(ctx, with_previous=resolve)
    hint = scheduling.draft(ctx) if resolve else ()
    job_id, engine = job.id, db.engine
    db.session.commit()  # hold no lock while the solver runs

    def progress(p: Progress) -> None:
        # Called from the solver's thread: a connection of its own, not the ORM session.
        state = {
            "elapsed": round(p.seconds, 1),
            "limit": time_limit,
            "objective": p.objective,
            "bound": p.bound,
        }
        with engine.begin() as conn:
            conn.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(
                    done=min(int(p.seconds * 10), int(time_limit * 10)),
                    total=int(time_limit * 10),
                    message=f"Best schedule so far: {p.objective:g} (bound {p.bound:g})",
                    result=json.dumps({"progress": state}),
                )
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
        scheduling.record_result(job.created_by_id, job.summit_id or 0, result)
        outcome["message"] = (
            f"Solved ({result.status.value}) in {result.seconds:.1f} s: "
            f"objective {result.objective}. {scheduling.gap_in_words(result)} "
            f"{scheduling.stop_in_words(result)}"
        )
    else:
        outcome["message"] = "No schedule: " + " ".join(result.explanation)
    return outcome
