"""Background jobs: queued by a request, run by `flask summit worker`, never in a request.

J1, the shape of Solid Queue or GoodJob: a worker claims a job in one statement (on
PostgreSQL `FOR UPDATE SKIP LOCKED`, on SQLite a guarded update), and holds a lease on it that
a thread of its own renews while the job runs (`heartbeat`). A job whose lease ran out, because
its worker died, is taken up by any worker: run again, or failed with "the worker stopped"
after its last attempt. Each job runs in its own guard (M2): an exception is written on the
job, retried with back-off, and never stops the worker.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import OperationalError

from summit.extensions import db
from summit.i18n import DEFAULT_LOCALE, shipped
from summit.models import Job, JobStatus, utcnow
from summit.services.errors import DomainError

Handler = Callable[[Job], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}

MAX_ATTEMPTS = 2  # a job whose worker died is run once more, then failed
RETRY_AFTER = timedelta(seconds=10)
WORKER_STOPPED = "The worker stopped while running this job"  # English; worker_stopped() words it


def worker_stopped(*, again: bool | None = None) -> str:
    """WORKER_STOPPED for the organizer: alone (the last error), or as the job's message
    (it runs again, or it failed)."""
    if again is None:
        return str(_("The worker stopped while running this job"))
    if again:
        return str(_("The worker stopped while running this job; it runs again."))
    return str(_("The worker stopped while running this job."))


def job_locale(job: Job) -> str:
    """The locale of the page that queued the job: its messages are worded in it."""
    try:
        chosen = json.loads(job.payload or "{}").get("locale")
    except (ValueError, AttributeError):
        chosen = None
    return shipped(chosen if isinstance(chosen, str) else None) or DEFAULT_LOCALE


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]


def lease_length(app: Flask | None = None) -> timedelta:
    config = (app or current_app).config
    return timedelta(seconds=float(config.get("JOB_LEASE_SECONDS", 60)))


def enqueue(
    kind: str, *, summit_id: int | None, payload: dict[str, Any], actor_id: int | None
) -> Job:
    _load_handlers()
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind}")
    # The messages the worker writes are worded in the locale of the page that queued it.
    payload = {"locale": str(get_locale() or DEFAULT_LOCALE), **payload}
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


def live(now: datetime | None = None) -> Any:
    """The condition for a job that holds its place: queued, or running on a live lease."""
    now = now or utcnow()
    return or_(
        Job.status == JobStatus.QUEUED,
        and_(Job.status == JobStatus.RUNNING, Job.lease_until >= now),
    )


def heartbeat(job_id: int, *, wait: float | None = None, **values: Any) -> bool:
    """Renew the job's lease (and write `values`, e.g. progress) on a connection of its own,
    so it is visible at once and safe from another thread. False if the job is not running.

    On SQLite, which has one writer, the renewal waits up to `wait` seconds (a third of the
    lease unless told) while another transaction writes, then gives up until the next beat."""
    sqlite = db.engine.dialect.name == "sqlite"
    try:
        with db.engine.begin() as conn:
            if sqlite:
                seconds = lease_length().total_seconds() / 3 if wait is None else wait
                conn.exec_driver_sql(f"PRAGMA busy_timeout={int(seconds * 1000)}")
            try:
                result = conn.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
                    .values(lease_until=utcnow() + lease_length(), **values)
                )
            finally:
                if sqlite:
                    conn.exec_driver_sql("PRAGMA busy_timeout=30000")
    except OperationalError:
        if not sqlite:
            raise
        return False
    return result.rowcount == 1


def report_progress(job: Job, done: int, total: int, message: str = "") -> None:
    """Record progress and renew the lease; visible now, without committing the job's work.
    Called from the job's own thread: on SQLite, while the job's transaction writes, the
    beat cannot be written and is skipped at once rather than waited for."""
    values: dict[str, Any] = {"done": done, "total": total}
    if message:
        values["message"] = message
    heartbeat(job.id, wait=0, **values)


def reclaim_expired(app: Flask, now: datetime | None = None) -> int:
    """Jobs whose lease ran out: queued again, or failed after their last attempt."""
    now = now or utcnow()
    expired = db.session.scalars(
        select(Job).where(Job.status == JobStatus.RUNNING, Job.lease_until < now)
    ).all()
    count = 0
    for job in expired:
        again = job.attempts < MAX_ATTEMPTS
        with force_locale(job_locale(job)):
            said = {"message": worker_stopped(again=again), "last_error": worker_stopped()}
        values: dict[str, Any] = (
            {"status": JobStatus.QUEUED, **said}
            if again
            else {"status": JobStatus.FAILED, "finished_at": now, **said}
        )
        result = db.session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status == JobStatus.RUNNING, Job.lease_until < now)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            count += 1
            app.logger.warning(
                "job %s (%s): lease of %s expired; %s",
                job.id,
                job.kind,
                job.worker,
                "queued again" if again else "failed",
            )
    db.session.commit()
    return count


def claim_next(app: Flask, me: str, now: datetime | None = None) -> int | None:
    """Take the oldest ready job for this worker; None when there is none."""
    now = now or utcnow()
    ready = and_(Job.status == JobStatus.QUEUED, or_(Job.run_after.is_(None), Job.run_after <= now))
    values = {
        "status": JobStatus.RUNNING,
        "started_at": now,
        "lease_until": now + lease_length(app),
        "worker": me,
        "attempts": Job.attempts + 1,
    }
    if db.engine.dialect.name == "postgresql":
        pick = (
            select(Job.id)
            .where(ready)
            .order_by(Job.id)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        claimed = db.session.scalar(
            update(Job).where(Job.id == pick).values(**values).returning(Job.id)
        )
        db.session.commit()
        return claimed
    after = 0
    while True:
        candidate = db.session.scalar(
            select(Job.id).where(ready, Job.id > after).order_by(Job.id).limit(1)
        )
        if candidate is None:
            db.session.commit()
            return None
        result = db.session.execute(
            update(Job)
            .where(Job.id == candidate, ready)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if result.rowcount == 1:  # type: ignore[attr-defined]
            return candidate
        after = candidate


class _Renewer(threading.Thread):
    """Renews a job's lease every third of its length until stopped."""

    def __init__(self, app: Flask, job_id: int) -> None:
        super().__init__(daemon=True, name=f"lease-{job_id}")
        self.app, self.job_id, self.stopped = app, job_id, threading.Event()

    def run(self) -> None:
        every = lease_length(self.app).total_seconds() / 3
        while not self.stopped.wait(every):
            try:
                with self.app.app_context():
                    heartbeat(self.job_id)
            except Exception:
                self.app.logger.exception("job %s: the lease could not be renewed", self.job_id)


def run_one(app: Flask, job_id: int, me: str) -> None:
    """Run a claimed job in its own guard, with its lease renewed while it runs."""
    renewer = _Renewer(app, job_id)
    renewer.start()
    try:
        # Its messages (progress, outcome, refusal) in the locale of the page that queued it.
        with force_locale(_locale_of(job_id)):
            _run_guarded(app, job_id, me)
    finally:
        renewer.stopped.set()
        renewer.join()


def _locale_of(job_id: int) -> str:
    try:
        job = db.session.get(Job, job_id)
    except Exception:  # the guard below meets the same fault and records it
        db.session.rollback()
        return DEFAULT_LOCALE
    return job_locale(job) if job is not None else DEFAULT_LOCALE


def _run_guarded(app: Flask, job_id: int, me: str) -> None:
    try:
        job = db.session.get(Job, job_id)
        if job is None:
            return
        result = HANDLERS[job.kind](job)
    except DomainError as error:  # a refusal, not a fault: no retry
        db.session.rollback()
        _finish(job_id, me, JobStatus.FAILED, error.message, {}, error=error.message)
    except Exception as error:  # a bug must not kill the worker (M2)
        db.session.rollback()
        app.logger.error("job %s failed:\n%s", job_id, traceback.format_exc())
        _failed(app, job_id, me, f"{type(error).__name__}: {error}")
    else:
        message = result.pop("message") if "message" in result else _("Done.")
        _finish(job_id, me, JobStatus.DONE, message, result)


def run_pending(app: Flask, *, me: str | None = None, limit: int | None = None) -> int:
    """Reclaim expired leases, then run ready jobs one by one; returns how many ran.
    Needs an app context."""
    _load_handlers()
    me = me or worker_name()
    reclaim_expired(app)
    ran = 0
    while limit is None or ran < limit:
        job_id = claim_next(app, me)
        if job_id is None:
            break
        run_one(app, job_id, me)
        ran += 1
    return ran


def _failed(app: Flask, job_id: int, me: str, error: str) -> None:
    job = db.session.get(Job, job_id)
    if job is None:
        return
    if job.attempts < MAX_ATTEMPTS:
        db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.worker == me)
            .values(
                status=JobStatus.QUEUED,
                run_after=utcnow() + RETRY_AFTER * job.attempts,
                last_error=error[:500],
                message=_("The job failed unexpectedly; it will be tried again."),
            )
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return
    _finish(
        job_id,
        me,
        JobStatus.FAILED,
        _("The job failed unexpectedly; see the logs."),
        {},
        error=error,
    )


def _finish(
    job_id: int,
    me: str,
    status: JobStatus,
    message: str,
    result: dict[str, Any],
    *,
    error: str = "",
) -> None:
    # Guarded by the worker's name: a worker whose lease was taken over does not overwrite
    # the outcome of the one that took it.
    # A job run again after its worker died keeps "the worker stopped" as its last error,
    # so the organizer sees that it was re-run.
    extra = {"last_error": error[:500]} if error else {}
    finished = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.worker == me)
        .values(
            status=status,
            message=message,
            result=json.dumps(result),
            finished_at=utcnow(),
            lease_until=None,
            **extra,
        )
        .execution_options(synchronize_session=False)
    )
    if finished.rowcount != 1:  # type: ignore[attr-defined]
        # Taken over after this worker's lease ran out: its work (an import's rows, written
        # in this transaction) is dropped, and the worker that took the job runs it once.
        db.session.rollback()
        current_app.logger.warning("job %s: taken over by another worker; result dropped", job_id)
        return
    db.session.commit()


def _load_handlers() -> None:
    # Importing the modules registers their handlers.
    import summit.services.import_job
    import summit.services.solve_job  # noqa: F401


def job_loop(app: Flask, interval: float = 1.0, *, stop: threading.Event | None = None) -> None:
    """Run jobs until `stop` is set; a round that fails as a whole is logged, not fatal."""
    stop = stop or threading.Event()
    me = worker_name()
    while not stop.is_set():
        try:
            with app.app_context():
                try:
                    run_pending(app, me=me)
                finally:
                    db.session.remove()
        except Exception:
            app.logger.exception("jobs: the round failed; trying again")
        stop.wait(interval)


def reclaim_loop(app: Flask, *, stop: threading.Event) -> None:
    """Take up expired leases every half lease, even while this worker's job thread is busy
    with a long job: the dead worker's job is queued again (or failed) at once, and runs on
    the first free worker."""
    every = lease_length(app).total_seconds() / 2
    while not stop.wait(every):
        try:
            with app.app_context():
                try:
                    reclaim_expired(app)
                finally:
                    db.session.remove()
        except Exception:
            app.logger.exception("jobs: reclaiming expired leases failed; trying again")


def work_loop(app: Flask, interval: float = 1.0, *, stop: threading.Event | None = None) -> None:
    """The background worker: mail in a thread of its own, so it flows while a long job runs
    (M2); a thread that reclaims expired leases; jobs in this one. Runs until interrupted or
    `stop` is set."""
    from summit.mail import send_loop

    stop = stop or threading.Event()
    helpers = [
        threading.Thread(
            target=send_loop, args=(app, interval), kwargs={"stop": stop}, daemon=True, name="mail"
        ),
        threading.Thread(target=reclaim_loop, args=(app,), kwargs={"stop": stop}, daemon=True),
    ]
    for thread in helpers:
        thread.start()
    try:
        job_loop(app, interval, stop=stop)
    finally:
        stop.set()
        for thread in helpers:
            thread.join(timeout=15)
