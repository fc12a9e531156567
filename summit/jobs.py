"""Background jobs: queued by a request, run by `flask summit worker`, never in a request.

A job is claimed with a guarded update (queued → running), so two workers never run the
same job. It reports progress in its row, which any web process can show.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select, update

from summit.extensions import db
from summit.models import Job, JobStatus, utcnow
from summit.services.errors import DomainError

Handler = Callable[[Job], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def enqueue(
    kind: str, *, summit_id: int | None, payload: dict[str, Any], actor_id: int | None
) -> Job:
    _load_handlers()
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind}")
    job = Job(
        kind=kind,
        summit_id=summit_id,
        payload=json.dumps(payload),
        created_by_id=actor_id,
        status=JobStatus.QUEUED,
    )
    db.session.add(job)
    db.session.flush()
    return job


def report_progress(job: Job, done: int, total: int, message: str = "") -> None:
    """Record progress and make it visible now (commits the job's session)."""
    job.done, job.total = done, total
    if message:
        job.message = message
    db.session.commit()


def _claim(job_id: int) -> bool:
    result = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def run_pending(app: Flask) -> int:
    """Run every queued job once; returns how many ran. Needs an app context."""
    _load_handlers()
    ran = 0
    queued = db.session.scalars(
        select(Job.id).where(Job.status == JobStatus.QUEUED).order_by(Job.id)
    ).all()
    for job_id in queued:
        if not _claim(job_id):
            continue
        job = db.session.get(Job, job_id)
        if job is None:
            continue
        try:
            result = HANDLERS[job.kind](job)
        except DomainError as error:
            db.session.rollback()
            _finish(job_id, JobStatus.FAILED, error.message, {})
        except Exception:  # a bug must not kill the worker; the organizer sees the failure
            db.session.rollback()
            app.logger.error("job %s failed:\n%s", job_id, traceback.format_exc())
            _finish(job_id, JobStatus.FAILED, "The job failed unexpectedly; see the logs.", {})
        else:
            _finish(job_id, JobStatus.DONE, result.pop("message", "Done."), result)
        ran += 1
    return ran


def _finish(job_id: int, status: JobStatus, message: str, result: dict[str, Any]) -> None:
    job = db.session.get(Job, job_id)
    if job is None:
        return
    job.status, job.message, job.result = status, message, json.dumps(result)
    job.finished_at = utcnow()
    db.session.commit()


def _load_handlers() -> None:
    # Importing the modules registers their handlers.
    import summit.services.import_job
    import summit.services.solve_job  # noqa: F401


def work_loop(app: Flask, interval: float = 1.0) -> None:
    """The background worker: run jobs and deliver mail until interrupted."""
    from summit.mail import send_due

    while True:
        with app.app_context():
            run_pending(app)
            send_due(app)
            db.session.remove()
        time.sleep(interval)
