"""Search benchmark (P5): `/<summit>/search?q=…` on 5,000 blueprints and 400 published sessions.

Builds the pages benchmark's summit (benchmarks/big_summit.py: 400 sessions, 1,000
attendees, every lightning slot booked) by the migrations, so that the real search indexes
are in place (SQLite FTS5 with its triggers; PostgreSQL GIN tsvector indexes), adds 5,000
blueprints of three to seven words with a description of twenty to forty, then asks for the
search page in-process (the server's time, no network) for a family of queries: a common
word, a rare one, a prefix, two and six words, a track, a lead, a speaker, a word in no
document, and a word in other scripts. Each query's median over `--repeat` requests is
printed; the RESULT line gives the median of those medians and the worst, per database.
PostgreSQL runs on a throwaway server from Debian's packages (tests/pg_server.py) when its
binaries are there; `--sqlite-only` skips it.

    .venv/bin/python benchmarks/search.py [--repeat 20] [--blueprints 5000]

The last line reads `RESULT sqlite_median_ms=… sqlite_worst_ms=… postgresql_median_ms=…
postgresql_worst_ms=… blueprints=… sessions=…`. Target: every median ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from big_summit import build, fetch, median_ms
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, insert, select

from config import Config
from summit import create_app
from summit.extensions import db
from summit.models import Blueprint, BlueprintStatus, PublishedSession, Summit, Track, User

WORDS = [
    "api",
    "scheduler",
    "volume",
    "snapshot",
    "quota",
    "network",
    "router",
    "subnet",
    "port",
    "image",
    "cache",
    "glance",
    "object",
    "container",
    "replication",
    "ring",
    "auth",
    "token",
    "federation",
    "policy",
    "role",
    "domain",
    "dashboard",
    "panel",
    "horizon",
    "upgrade",
    "rolling",
    "live",
    "migration",
    "hypervisor",
    "driver",
    "kvm",
    "xen",
    "baremetal",
    "placement",
    "cell",
    "metadata",
    "console",
    "serial",
    "rescue",
    "resize",
    "backup",
    "restore",
    "encryption",
    "key",
    "barbican",
    "secret",
    "audit",
    "logging",
    "metrics",
    "telemetry",
    "alarm",
    "notification",
    "queue",
    "message",
    "rpc",
    "database",
    "sharding",
    "partition",
    "consistency",
    "eventual",
    "tempest",
    "grenade",
    "gate",
    "devstack",
    "docs",
    "install",
    "guide",
    "release",
    "milestone",
    "freeze",
    "stable",
    "branch",
    "deprecation",
    "versioning",
    "microversion",
    "pagination",
    "filter",
    "weigher",
    "affinity",
    "group",
    "server",
    "instance",
    "flavor",
    "aggregate",
    "zone",
    "region",
]
OTHER_SCRIPTS = ["调度器", "Überwachung", "ネットワーク", "Zürich"]


def blueprints(rng: random.Random, summit_id: int, tracks: list[int], users: list[int], n: int):
    for i in range(n):
        words = rng.sample(WORDS, rng.randint(3, 7))
        if i % 250 == 0:  # a few in other scripts
            words.append(rng.choice(OTHER_SCRIPTS))
        yield {
            "summit_id": summit_id,
            "track_id": rng.choice(tracks),
            "submitter_id": rng.choice(users),
            "title": " ".join(words).capitalize()[:120],
            "description": " ".join(rng.choices(WORDS, k=rng.randint(20, 40))),
            "length_slots": 1,
            "status": BlueprintStatus.SUBMITTED,
        }


def prepare(url: str, count: int) -> tuple[Flask, dict[str, str], int]:
    config = type(
        "BenchConfig",
        (Config,),
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-key-not-for-production"},
    )
    app = create_app(config)
    with app.app_context():
        upgrade()  # the migrations make the search indexes, as on a real deployment
        db.engine.dispose()
    build(app)
    rng = random.Random(11)  # noqa: S311 - benchmark data
    with app.app_context():
        summit = db.session.scalar(select(Summit).where(Summit.slug == "folsom"))
        assert summit is not None
        tracks = list(db.session.scalars(select(Track.id).where(Track.summit_id == summit.id)))
        users = list(db.session.scalars(select(User.id)))
        db.session.execute(
            insert(Blueprint), list(blueprints(rng, summit.id, tracks, users, count))
        )
        db.session.commit()
        sessions = db.session.scalar(select(func.count(func.distinct(PublishedSession.session_id))))
        lead = db.session.scalar(select(PublishedSession.lead_name).limit(1)) or "lead"
        queries = {
            "common word": "api",
            "rare word": "barbican",
            "prefix": "repl",
            "two words": "live migration",
            "six words": "scheduler filter weigher affinity group server",
            "track": "networking",
            "lead": lead,
            "speaker": "speaker 3",
            "no match": "kubernetes",
            "other script": "调度器",
        }
        db.engine.dispose()
    return app, queries, int(sessions or 0)


def measure(app: Flask, queries: dict[str, str], repeat: int) -> list[float]:
    client = app.test_client()
    medians = []
    for name, query in queries.items():
        from urllib.parse import quote

        path = f"/folsom/search?q={quote(query)}"
        size = fetch(client, path)()
        ms = median_ms(fetch(client, path), repeat)
        medians.append(ms)
        print(f"  {name:13} {query[:40]:42} {size:>8} bytes  median {ms:6.1f} ms")
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--blueprints", type=int, default=5000)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    figures: dict[str, list[float]] = {}
    sessions = 0
    with tempfile.TemporaryDirectory() as tmp:
        app, queries, sessions = prepare(f"sqlite:///{Path(tmp) / 'search.db'}", args.blueprints)
        print(f"SQLite: {args.blueprints} blueprints, {sessions} published sessions")
        figures["sqlite"] = measure(app, queries, args.repeat)
    if not args.sqlite_only:
        from tests import pg_server

        try:
            server = pg_server.start()
        except (OSError, FileNotFoundError, RuntimeError) as error:
            print(f"PostgreSQL skipped: {error}")
        else:
            try:
                server.run_sql("CREATE DATABASE summit_search")
                app, queries, _ = prepare(server.url("summit_search"), args.blueprints)
                print(f"PostgreSQL: {args.blueprints} blueprints, {sessions} published sessions")
                figures["postgresql"] = measure(app, queries, args.repeat)
                with app.app_context():
                    db.engine.dispose()
            finally:
                server.stop()
    parts = []
    for engine, medians in figures.items():
        parts.append(f"{engine}_median_ms={statistics.median(medians):.1f}")
        parts.append(f"{engine}_worst_ms={max(medians):.1f}")
    print("RESULT " + " ".join(parts) + f" blueprints={args.blueprints} sessions={sessions}")


if __name__ == "__main__":
    main()
