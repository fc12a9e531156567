"""Registration rush: 2,000 logged-in people at the Design Summit (250 seats, 200 open).

Starts a throwaway PostgreSQL server, the app under gunicorn (4 workers) on it, and fires
64 concurrent clients over loopback. Measures, in the same run, the server's rate for a
trivial page (the framework's floor) and pgbench's rate for a one-row UPDATE on the same
database (the storage's ceiling). It also measures a logged-in form post that registers
nothing (`benchmarks/rush_wsgi.py`): the floor for any logged-in form, printed before the
RESULT line.

    .venv/bin/python benchmarks/registration_rush.py [--users 2000] [--clients 64]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade
from sqlalchemy import func, insert, select
from werkzeug.security import generate_password_hash

from config import Config
from summit import create_app
from summit.extensions import db
from summit.models import Event, EventKind, Registration, Summit, User, utcnow
from tests import pg_server

SECRET = "benchmark-secret-not-for-production"  # noqa: S105 - a throwaway server's key
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def prepare(url: str, users: int) -> tuple[int, list[str]]:
    """Migrate, create the summit and the users; return the event id and session cookies."""
    config = type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    app = create_app(config)
    with app.app_context():
        upgrade()
        summit = Summit(name="Diablo Design Summit", slug="diablo", timezone="UTC", is_current=True)
        event = Event(
            summit=summit,
            kind=EventKind.DESIGN_SUMMIT,
            starts_on=date(2011, 4, 27),
            ends_on=date(2011, 4, 29),
            capacity=250,
            open_seats=200,
            confirmed_count=0,
            policy="review",
        )
        db.session.add_all([summit, event])
        password = generate_password_hash("not-used-here", method="scrypt")
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"rush{i}@example.org",
                    "name": f"Rush {i}",
                    "password_hash": password,
                    "email_verified_at": utcnow(),
                    "feed_token": f"token-{i}",
                }
                for i in range(users)
            ],
        )
        db.session.commit()
        people = db.session.execute(select(User.id, User.session_token).order_by(User.id)).all()
        # A logged-in browser holds a signed session cookie naming its login (Flask-Login,
        # summit.auth.logins: id, session token, time of login).
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        stamp = int(time.time())
        cookies = [
            serializer.dumps({"_user_id": f"{i}:{token}:{stamp}", "_fresh": True})
            for i, token in people
        ]
        event_id = event.id
        db.engine.dispose()
    return event_id, cookies


def request(
    port: int, method: str, path: str, cookie: str = "", body: str = ""
) -> tuple[int, str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body or None, headers=headers)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    set_cookie = response.getheader("Set-Cookie") or ""
    conn.close()
    return response.status, text, set_cookie


def run_clients(clients: int, jobs: list[Callable[[], None]]) -> float:
    """Run jobs with a fixed number of concurrent clients; returns the wall time."""
    lock = threading.Lock()
    queue = list(reversed(jobs))

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                job = queue.pop()
            job()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def cpu_seconds() -> dict[str, float]:
    """CPU time used so far by the app server, the database and this client (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {"app": 0.0, "database": 0.0, "client": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue  # the process ended meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        if b"gunicorn" in command:
            used["app"] += seconds
        elif b"postgres" in command:
            used["database"] += seconds
        elif int(pid) == os.getpid():
            used["client"] += seconds
    return used


def timed(clients: int, jobs: list[Callable[[], None]]) -> tuple[float, dict[str, float]]:
    """Jobs per second, and each role's CPU milliseconds per job."""
    before = cpu_seconds()
    wall = run_clients(clients, jobs)
    after = cpu_seconds()
    return len(jobs) / wall, {k: (after[k] - before[k]) * 1000 / len(jobs) for k in after}


def cpu_line(name: str, per_job: dict[str, float]) -> str:
    parts = " ".join(f"{role}={ms:.2f}" for role, ms in per_job.items())
    return f"cpu_ms_per_request {name}: {parts} total={sum(per_job.values()):.2f}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def pgbench_tps(server: pg_server.PostgresServer, clients: int, seconds: int) -> float:
    server.run_sql(
        "CREATE TABLE counter (id int primary key, n int); INSERT INTO counter VALUES (1, 0);",
        "summit_bench",
    )
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("UPDATE counter SET n = n + 1 WHERE id = 1;\n")
    os.chmod(script.name, 0o644)
    out = subprocess.run(
        [
            *server.as_user,
            pg_server._bin("pgbench"),
            "-h",
            server.socket_dir,
            "-p",
            str(server.port),
            "-U",
            "postgres",
            "-n",
            "-c",
            str(clients),
            "-j",
            "2",
            "-T",
            str(seconds),
            "-f",
            script.name,
            "summit_bench",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    os.unlink(script.name)
    match = re.search(r"tps = ([0-9.]+)", out)
    assert match, out
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--port", type=int, default=5077)
    args = parser.parse_args()

    server = pg_server.start()
    gunicorn = None
    try:
        server.run_sql("CREATE DATABASE summit_bench")
        url = server.url("summit_bench")
        event_id, cookies = prepare(url, args.users)
        env = {**os.environ, "DATABASE_URL": url, "SUMMIT_SECRET_KEY": SECRET}
        gunicorn = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "-w",
                "4",
                "-b",
                f"127.0.0.1:{args.port}",
                "--log-level",
                "warning",
                "benchmarks.rush_wsgi:app",
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(100):
            try:
                if request(args.port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        # Every worker has answered before anything is timed.
        run_clients(args.clients, [lambda: request(args.port, "GET", "/healthz")] * 400)
        # The framework's floor: the same server answering a trivial page.
        floor_jobs = [lambda: request(args.port, "GET", "/healthz")] * args.users
        floor_rate, floor_cpu = timed(args.clients, floor_jobs)

        # Each person first has the register page open, with its CSRF token (not timed).
        forms: list[tuple[str, str]] = []
        lock = threading.Lock()

        def open_page(cookie: str) -> None:
            _, page, set_cookie = request(args.port, "GET", "/diablo/register", cookie)
            token = CSRF_RE.search(page)
            assert token, page[:500]
            session = re.search(r"session=([^;]+)", set_cookie)
            with lock:
                forms.append((session.group(1) if session else cookie, token.group(1)))

        run_clients(args.clients, [lambda c=c: open_page(c) for c in cookies])

        # A logged-in form post that registers nothing: the floor for any logged-in form.
        def logged_in_post(cookie: str, token: str) -> None:
            status, _, _ = request(
                args.port, "POST", "/bench/logged-in-post", cookie, f"csrf_token={token}"
            )
            assert status == 302, status

        post_rate, post_cpu = timed(args.clients, [lambda f=f: logged_in_post(*f) for f in forms])

        # Then everybody presses "Register" at once: this is what is timed.
        latencies: list[float] = []
        outcomes: list[int] = []

        def register(cookie: str, token: str) -> None:
            started = time.perf_counter()
            status, _, _ = request(
                args.port, "POST", "/diablo/register/design_summit", cookie, f"csrf_token={token}"
            )
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                outcomes.append(status)

        rate, register_cpu = timed(args.clients, [lambda f=f: register(*f) for f in forms])

        app = create_app(
            type("C", (Config,), {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
        )
        with app.app_context():
            event = db.session.get(Event, event_id)
            assert event is not None
            statuses = dict(
                db.session.execute(
                    select(Registration.status, func.count()).group_by(Registration.status)
                ).all()
            )
            confirmed, capacity = event.confirmed_count, event.capacity
            open_seats = event.open_seats
            db.engine.dispose()
        overbooked = max(0, confirmed - capacity) + max(
            0, statuses.get("confirmed", 0) - open_seats
        )
        gunicorn.terminate()
        gunicorn.wait()
        gunicorn = None
        ceiling = pgbench_tps(server, args.clients, 10)
        ms = [x * 1000 for x in latencies]
        print(f"users={args.users} clients={args.clients} http_status={sorted(set(outcomes))}")
        print(
            f"confirmed={statuses.get('confirmed', 0)} "
            f"waitlisted={statuses.get('waitlisted', 0)} overbooked={overbooked}"
        )
        print(
            f"registrations_per_s={rate:.1f} trivial_page_per_s={floor_rate:.1f} "
            f"pgbench_update_tps={ceiling:.1f}"
        )
        print(cpu_line("trivial_page", floor_cpu))
        print(cpu_line("logged_in_post", post_cpu))
        print(cpu_line("registration", register_cpu))
        print(
            f"logged_in_post_per_s={post_rate:.1f} "
            f"registration_vs_logged_in_post={rate / post_rate:.2f} "
            f"logged_in_post_vs_trivial_page={post_rate / floor_rate:.2f}"
        )
        print(
            f"latency_ms p50={percentile(ms, 50):.1f} p95={percentile(ms, 95):.1f} "
            f"p99={percentile(ms, 99):.1f} mean={statistics.mean(ms):.1f}"
        )
        print(
            f"RESULT registrations_per_s={rate:.1f} p99_ms={percentile(ms, 99):.1f} "
            f"overbooked={overbooked} floor_ratio={rate / floor_rate:.2f} "
            f"pgbench_ratio={rate / ceiling:.3f}"
        )
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait()
        server.stop()


if __name__ == "__main__":
    main()
