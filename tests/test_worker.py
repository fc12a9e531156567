"""M2 and J1 with real `flask summit worker` processes, a real SMTP server (aiosmtpd), and
SIGKILL: a poison mail does not stop the worker, a dead worker's job is taken up, an import
is all or nothing, mail flows during a solve, and two workers do each job and mail once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from summit import jobs
from summit.extensions import db
from summit.models import AuditEntry, Blueprint, Job, JobStatus, MailStatus, OutboxEmail, User
from summit.services import solve_job
from summit.services.errors import Conflict
from summit.services.outbox import queue_mail
from tests.conftest import SmtpCatcher, login
from tests.test_import import csv_bytes, row

ROOT = Path(__file__).resolve().parent.parent
LEASE = 2.0  # seconds: short, so that a reclaim happens within the test's bounds


class Workers:
    """Starts `flask summit worker` processes against the test's database and SMTP sink."""

    def __init__(self, database_url: str, smtp_port: int, logs: Path) -> None:
        self.env = {
            **os.environ,
            "FLASK_APP": "wsgi",
            "DATABASE_URL": database_url,
            "SUMMIT_SECRET_KEY": "worker-processes-test-key",  # A1: no default key
            "SUMMIT_SMTP_HOST": "127.0.0.1",
            "SUMMIT_SMTP_PORT": str(smtp_port),
            "SUMMIT_JOB_LEASE_SECONDS": str(LEASE),
            "SUMMIT_MAIL_LEASE_SECONDS": "5",
            "SUMMIT_BASE_URL": "http://summit.test",
        }
        self.logs = logs
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        with (self.logs / f"worker{len(self.processes)}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "summit", "worker", "--interval", "0.2"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def log(self, index: int) -> str:
        return (self.logs / f"worker{index}.log").read_text()

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(
    app: Flask, database_url: str, smtp_server: SmtpCatcher, tmp_path: Path
) -> Iterator[Workers]:
    pool = Workers(database_url, smtp_server.port, tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll until `condition` is true (a bounded wait); fail with `what` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # see what the workers committed
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def wait_for_sqlite_writer(path: str, timeout: float) -> None:
    """Poll until some connection holds the SQLite database's write lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
        except sqlite3.OperationalError:  # "database is locked": a writer is at work
            return
        finally:
            probe.close()
        time.sleep(0.005)
    pytest.fail("no worker took the write lock")


def job(job_id: int) -> Job:
    db.session.rollback()
    found = db.session.get(Job, job_id)
    assert found is not None
    db.session.refresh(found)
    return found


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_m2_a_poison_mail_is_failed_with_its_reason_and_the_worker_goes_on(
    app: Flask, workers: Workers, smtp_server: SmtpCatcher
) -> None:
    queue_mail("victim@example.org\r\nBcc: evil@example.org", "Hi", "A header injection.")
    queue_mail("lead@example.org", "A\r\nBcc: evil@example.org", "A newline in a subject.")
    for i in range(3):
        queue_mail(f"later{i}@example.org", f"Later {i}", "Queued after the poison.")
    db.session.commit()
    worker = workers.start()
    wait_for(lambda: len(smtp_server.messages) >= 4, 20, "four good mails")
    poison = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).first()
    assert poison is not None
    wait_for(lambda: job_status_of(poison.id) == MailStatus.FAILED, 5, "the poison row failed")
    db.session.refresh(poison)
    assert "not a single mail address" in poison.last_error
    assert poison.attempts == 1
    assert worker.poll() is None, "the worker died"
    recipients = sorted(r for m in smtp_server.messages for r in m.rcpt_tos)
    assert recipients == [*(f"later{i}@example.org" for i in range(3)), "lead@example.org"]
    folded = next(m for m in smtp_server.messages if m.rcpt_tos == ["lead@example.org"])
    parsed = message_from_bytes(folded.content, policy=policy.default)
    assert parsed["Subject"] == "A Bcc: evil@example.org"
    assert parsed["Bcc"] is None
    assert f"mail {poison.id}" in workers.log(0)


def job_status_of(mail_id: int) -> str:
    return db.session.scalar(select(OutboxEmail.status).where(OutboxEmail.id == mail_id)) or ""


def test_j1_one_solve_at_a_time_counts_only_live_leases(app: Flask, published: Any) -> None:
    summit_id = published.summit.id
    first = solve_job.start_solve(None, summit_id, time_limit=5, resolve=False)
    db.session.commit()
    with pytest.raises(Conflict):
        solve_job.start_solve(None, summit_id, time_limit=5, resolve=False)
    db.session.rollback()
    # It runs on a live lease: still one at a time.
    assert jobs.claim_next(app, "w1") == first.id
    with pytest.raises(Conflict):
        solve_job.start_solve(None, summit_id, time_limit=5, resolve=False)
    db.session.rollback()
    # Its worker died and the lease ran out: a new solve may start; the old one is failed.
    stale = job(first.id)
    stale.lease_until = stale.started_at
    db.session.commit()
    second = solve_job.start_solve(None, summit_id, time_limit=5, resolve=False)
    db.session.commit()
    assert job(first.id).status == JobStatus.FAILED
    assert "worker stopped" in job(first.id).message
    assert second.id != first.id


def test_j1_a_worker_killed_during_a_solve_is_reclaimed_and_mail_flows_meanwhile(
    app: Flask, workers: Workers, smtp_server: SmtpCatcher, published: Any, make_user: Any
) -> None:
    summit_id = published.summit.id
    job_id = solve_job.start_solve(None, summit_id, time_limit=5, resolve=False).id
    db.session.commit()
    first = workers.start()
    wait_for(lambda: job(job_id).status == JobStatus.RUNNING, 20, "the solve to start")
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_at = time.monotonic()
    with pytest.raises(Conflict):  # the lease is still live
        solve_job.start_solve(None, summit_id, time_limit=4, resolve=False)
    db.session.rollback()
    workers.start()
    wait_for(lambda: job(job_id).attempts == 2, 20, "a second worker to take the job up")
    reclaim = time.monotonic() - killed_at
    assert reclaim < 4 * LEASE + 5
    # Mail queued while the solve runs arrives within a few seconds.
    queue_mail("during@example.org", "During the solve", "Mail flows beside jobs.")
    db.session.commit()
    queued_at = time.monotonic()
    wait_for(lambda: smtp_server.messages, 5, "the mail sent during the solve")
    assert time.monotonic() - queued_at < 5
    assert job(job_id).status == JobStatus.RUNNING
    wait_for(lambda: job(job_id).status == JobStatus.DONE, 20, "the re-run to finish")
    assert job(job_id).last_error == jobs.WORKER_STOPPED  # the organizer sees it was re-run
    organizer = make_user(is_organizer=True)
    db.session.commit()
    client = app.test_client()
    login(client, organizer)
    page = client.get(f"/organizer/jobs/{job_id}").get_data(as_text=True)
    assert "The worker stopped while running this job (attempt 2)." in page
    schedule = client.get(f"/organizer/summits/{summit_id}/schedule").get_data(as_text=True)
    assert "The worker stopped while running this job (attempt 2)." in schedule
    # A new solve can start.
    solve_job.start_solve(None, summit_id, time_limit=1, resolve=False)
    db.session.commit()


def test_j1_a_worker_killed_during_an_import_leaves_all_rows_or_none(
    app: Flask, workers: Workers, make_summit: Callable[..., Any]
) -> None:
    summit = make_summit()
    rows = [row(i, submitter_email=f"new{i}@example.org") for i in range(1, 1201)]
    imported = jobs.enqueue(
        "import_blueprints",
        summit_id=summit.id,
        actor_id=None,
        payload={"data": csv_bytes(rows).decode(), "filename": "big.csv"},
    )
    db.session.commit()
    users_before = count(User)
    first = workers.start()
    wait_for(lambda: job(imported.id).status == JobStatus.RUNNING, 20, "the import to start")
    if db.engine.dialect.name == "postgresql":  # progress shows through the heartbeat
        wait_for(lambda: job(imported.id).done >= 250, 20, "the first rows written")
    else:  # SQLite's one writer is the import: its progress shows only at the end, so
        # kill it as soon as it holds the write lock (a fixed sleep lost the race on a fast
        # machine, where the whole import committed first).
        wait_for_sqlite_writer(db.engine.url.database or "", 20)
    first.send_signal(signal.SIGKILL)
    first.wait()
    db.session.rollback()
    assert count(Blueprint) in (0, 1200)
    assert count(User) - users_before in (0, 1200)
    workers.start()
    wait_for(
        lambda: job(imported.id).status in (JobStatus.DONE, JobStatus.FAILED),
        40,
        "the import to finish",
    )
    # The re-run outlives its lease (2 s) but renews it: it is not taken from its live worker.
    assert (job(imported.id).status, job(imported.id).attempts) == (JobStatus.DONE, 2)
    assert count(Blueprint) == 1200
    assert count(User) - users_before == 1200
    titles = db.session.scalars(select(Blueprint.title)).all()
    assert len(set(titles)) == 1200


def test_j1_two_workers_send_each_of_200_mails_once_and_run_each_of_10_jobs_once(
    app: Flask, workers: Workers, smtp_server: SmtpCatcher, make_summit: Callable[..., Any]
) -> None:
    summit = make_summit()
    for i in range(200):
        queue_mail(f"person{i}@example.org", f"Mail {i}", "Once.")
    job_ids = [
        jobs.enqueue(
            "import_blueprints",
            summit_id=summit.id,
            actor_id=None,
            payload={"data": csv_bytes([row(i)]).decode(), "filename": f"{i}.csv"},
        ).id
        for i in range(10)
    ]
    db.session.commit()
    workers.start()
    workers.start()
    wait_for(lambda: len(smtp_server.messages) >= 200, 40, "200 mails")
    wait_for(
        lambda: count_jobs(JobStatus.DONE) == 10,
        20,
        "10 jobs",
    )
    time.sleep(0.5)  # a duplicate, if any, would arrive now
    recipients = [r for m in smtp_server.messages for r in m.rcpt_tos]
    assert len(recipients) == len(set(recipients)) == 200
    runs = [(job(i).attempts, job(i).last_error) for i in job_ids]
    assert all(attempts == 1 for attempts, _ in runs), (runs, workers.log(0), workers.log(1))
    assert (
        db.session.scalar(
            select(func.count())
            .where(AuditEntry.action == "blueprint.import")
            .select_from(AuditEntry)
        )
        == 10
    )
    assert len({job(i).worker for i in job_ids}) >= 1


def count_jobs(status: str) -> int:
    return db.session.scalar(select(func.count()).where(Job.status == status)) or 0
