"""Worker faults (M2, J1): real `flask summit worker` processes on one PostgreSQL, a real SMTP
sink (aiosmtpd), and a SIGKILL in the middle of a solve.

Two workers start. Mail is queued in bursts while jobs run: small imports and two solves of
the 400-session summit of `big_summit.py` (each uses its whole time limit). The worker
running the first solve is killed with SIGKILL; the other takes the job up when its lease
runs out. While it solves it is the only worker left, and mail queued then is timed from
commit to the sink. At the end every mail must have reached the sink exactly once, and no
job may be left queued or running.

    .venv/bin/python benchmarks/worker_faults.py [--mails 300] [--lease 3] [--solve 12]
"""

from __future__ import annotations

import argparse
import collections
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller
from big_summit import build  # benchmarks/ is on the path when this file runs
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from config import Config
from summit import create_app, jobs
from summit.extensions import db
from summit.models import Job, JobStatus, OutboxEmail, Summit, utcnow
from summit.services.outbox import queue_mail
from tests import pg_server
from tests.conftest import _free_port
from tests.test_import import csv_bytes, row


class Sink:
    def __init__(self) -> None:
        self.received: list[tuple[float, str]] = []  # (time, recipient)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        now = time.monotonic()
        self.received.extend((now, rcpt) for rcpt in envelope.rcpt_tos)
        return "250 OK"


def wait_for(app: Flask, condition: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            value = condition()
            db.session.remove()
        if value:
            return value
        time.sleep(0.05)
    raise SystemExit(f"timed out after {timeout} s waiting for {what}")


SECRET = "worker-faults-benchmark-key"  # noqa: S105 - a throwaway server's key (A1: no default)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=300)
    parser.add_argument("--imports", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lease", type=float, default=3.0)
    parser.add_argument("--solve", type=float, default=12.0, help="solve time limit, seconds")
    args = parser.parse_args()

    server = pg_server.start()
    sink = Sink()
    smtp_port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    processes: list[subprocess.Popen[bytes]] = []
    logs = Path(tempfile.mkdtemp(prefix="worker-faults-"))
    try:
        server.run_sql("CREATE DATABASE faults")
        url = server.url("faults")
        settings = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET}
        config = type("BenchConfig", (Config,), settings)
        app = create_app(config)
        with app.app_context():
            upgrade()
            # 400 sessions starred by 1,000 people: a solve that uses its whole time limit.
            built = time.monotonic()
            build(app)
            summit_id = db.session.scalar(select(Summit.id).limit(1))
            db.session.execute(OutboxEmail.__table__.delete())  # the set-up's own mail
            db.session.commit()
            db.session.remove()
            print(f"built the summit in {time.monotonic() - built:.0f} s")
        env = {
            **os.environ,
            "FLASK_APP": "wsgi",
            "DATABASE_URL": url,
            "SUMMIT_SECRET_KEY": SECRET,
            "SUMMIT_SMTP_HOST": "127.0.0.1",
            "SUMMIT_SMTP_PORT": str(smtp_port),
            "SUMMIT_JOB_LEASE_SECONDS": str(args.lease),
            "SUMMIT_MAIL_LEASE_SECONDS": str(args.lease * 2),
        }
        for i in range(args.workers):
            with (logs / f"worker{i}.log").open("wb") as log:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "flask", "summit", "worker", "--interval", "0.3"],
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )

        queued = 0

        def queue_burst(n: int, tag: str) -> None:
            nonlocal queued
            with app.app_context():
                for i in range(n):
                    queue_mail(f"{tag}{i}@example.org", f"Burst {tag} {i}", "Hello.")
                db.session.commit()
                db.session.remove()
            queued += n

        with app.app_context():
            solves = [
                jobs.enqueue(
                    "solve_schedule",
                    summit_id=summit_id,
                    actor_id=None,
                    payload={"time_limit": args.solve, "seed": n},
                ).id
                for n in range(2)
            ]
            for n in range(args.imports):
                jobs.enqueue(
                    "import_blueprints",
                    summit_id=summit_id,
                    actor_id=None,
                    payload={"data": csv_bytes([row(1000 + n)]).decode(), "filename": "x.csv"},
                )
            db.session.commit()
            db.session.remove()
        queue_burst(args.mails // 3, "a")

        def running_solve() -> tuple[str, int] | None:
            job = db.session.get(Job, solves[0])
            if (
                job
                and job.status == JobStatus.RUNNING
                and job.started_at
                and (utcnow() - job.started_at).total_seconds() > 1.5
            ):
                return job.worker, job.attempts
            return None

        try:
            worker, _ = wait_for(app, running_solve, 60, "the first solve to run")
        except SystemExit:
            with app.app_context():
                for job in db.session.scalars(select(Job)):
                    print(job.id, job.kind, job.status, job.message, job.last_error)
            raise
        pid = int(worker.split(":")[1])
        victim = next(p for p in processes if p.pid == pid)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        killed_at = time.monotonic()
        print(f"killed worker {pid} during solve {solves[0]}")
        queue_burst(args.mails // 3, "b")

        def reclaimed() -> bool:
            # Queued again by a live worker (it runs on the first free one), or running again.
            job = db.session.get(Job, solves[0])
            return bool(job and (job.status == JobStatus.QUEUED or job.attempts >= 2))

        wait_for(app, reclaimed, args.lease * 4 + 10, "the solve to be reclaimed")
        reclaim_s = time.monotonic() - killed_at
        print(f"reclaimed after {reclaim_s:.1f} s (lease {args.lease:g} s)")

        # Mail queued while the one worker left runs a solve.
        wait_for(
            app,
            lambda: db.session.scalar(
                select(func.count()).where(
                    Job.kind == "solve_schedule", Job.status == JobStatus.RUNNING
                )
            ),
            args.solve * 2 + 10,
            "a solve to run on the worker left",
        )
        delays = []
        for probe in range(3):
            before = len(sink.received)
            queue_burst(1, f"probe{probe}-")
            started = time.monotonic()
            while len(sink.received) == before and time.monotonic() - started < 30:
                time.sleep(0.02)
            delays.append(time.monotonic() - started)
            time.sleep(0.5)
        with app.app_context():
            solving = bool(
                db.session.scalar(
                    select(func.count()).where(
                        Job.kind == "solve_schedule", Job.status == JobStatus.RUNNING
                    )
                )
            )
            db.session.remove()
        print(f"mail delays during the solve: {[round(d, 2) for d in delays]} (solving: {solving})")
        queue_burst(args.mails - 2 * (args.mails // 3), "c")

        def drained() -> bool:
            pending = db.session.scalar(select(func.count()).where(OutboxEmail.status == "pending"))
            active = db.session.scalar(
                select(func.count()).where(Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
            )
            return pending == 0 and active == 0

        wait_for(app, drained, args.solve * 3 + 60, "all mail and jobs")
        time.sleep(1.0)  # a duplicate, if any, would arrive now
        with app.app_context():
            statuses = collections.Counter(
                str(s) for s in db.session.scalars(select(Job.status)).all()
            )
            stuck = db.session.scalar(
                select(func.count()).where(Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
            )
            failed_mail = db.session.scalar(
                select(func.count()).where(OutboxEmail.status == "failed")
            )
            db.session.remove()
        counts = collections.Counter(rcpt for _, rcpt in sink.received)
        duplicates = sum(n - 1 for n in counts.values() if n > 1)
        lost = queued - len(counts)
        print(f"jobs: {dict(statuses)}; failed mails: {failed_mail}")
        print(
            f"RESULT mails_sent={len(counts)} mails_lost={lost} duplicates={duplicates} "
            f"jobs_done={statuses.get('done', 0)} jobs_stuck={stuck} reclaim_s={reclaim_s:.1f} "
            f"mail_delay_during_solve_s={max(delays):.2f}"
        )
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        controller.stop()
        server.stop()


if __name__ == "__main__":
    main()
