"""Review-page benchmark (issue 12): the organizers' blueprint review with 20,000 blueprints.

Builds the 400-session summit of `benchmarks/big_summit.py` in a temporary SQLite database,
adds 20,000 submitted blueprints across its tracks from 1,000 people, then asks the app
in-process (Flask's test client: the server's time, without a network) for review pages as
an organizer: the first page, a middle one, the last, one track's first page and "all
statuses". Prints each page's size and median time, then

    RESULT review_page_kb=… review_median_ms=… review_worst_ms=… blueprints=…

(the largest page, the median of the pages' medians, the slowest single request). Targets:
every page under 500 kB and under 300 ms.

    .venv/bin/python benchmarks/review_page.py [--blueprints 20000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from big_summit import build, login_id
from sqlalchemy import insert, select, update

from config import Config
from summit import create_app
from summit.extensions import db
from summit.models import Blueprint, BlueprintStatus, Summit, Track, User
from summit.services.blueprints import REVIEW_PAGE_SIZE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--blueprints", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'review.db'}"
        config = type(
            "BenchConfig",
            (Config,),
            {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-key-not-for-production"},
        )
        app = create_app(config)
        started = time.perf_counter()
        person, _ = build(app)
        with app.app_context():
            summit = db.session.scalar(select(Summit).where(Summit.slug == "folsom"))
            assert summit is not None
            summit_id = summit.id
            tracks = list(db.session.scalars(select(Track.id).where(Track.summit_id == summit_id)))
            people = list(db.session.scalars(select(User.id).order_by(User.id)))
            db.session.execute(update(User).where(User.id == person).values(is_organizer=True))
            db.session.execute(
                insert(Blueprint),
                [
                    {
                        "summit_id": summit_id,
                        "track_id": tracks[n % len(tracks)],
                        "submitter_id": people[n % len(people)],
                        "title": f"Blueprint {n}: make the {n % 97}th thing faster",
                        "description": "A paragraph of what and why. " * 8,
                        "status": BlueprintStatus.SUBMITTED,
                    }
                    for n in range(args.blueprints)
                ],
            )
            db.session.commit()
            db.engine.dispose()
        print(f"built in {time.perf_counter() - started:.1f} s")

        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = login_id(app, person)
            session["_fresh"] = True
        base = f"/organizer/summits/{summit_id}/blueprints"
        last = -(-args.blueprints // REVIEW_PAGE_SIZE)
        pages = {
            "first": base,
            "middle": f"{base}?page={last // 2}",
            "last": f"{base}?page={last}",
            "one track": f"{base}?track={tracks[0]}",
            "all statuses": f"{base}?status=all&page=3",
        }
        sizes, medians, worst = {}, {}, 0.0
        for name, path in pages.items():
            times = []
            for attempt in range(args.repeat + 2):
                began = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - began) * 1000
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code}")
                if attempt >= 2:  # two warm-up requests
                    times.append(elapsed)
            sizes[name] = len(response.data)
            medians[name] = statistics.median(times)
            worst = max(worst, max(times))
            print(
                f"{name:13} {path:55} {sizes[name] / 1024:7.1f} kB  median {medians[name]:6.1f} ms"
                f"  worst {max(times):6.1f} ms"
            )
        print(
            f"RESULT review_page_kb={max(sizes.values()) / 1024:.1f} "
            f"review_median_ms={statistics.median(medians.values()):.1f} "
            f"review_worst_ms={worst:.1f} blueprints={args.blueprints}"
        )


if __name__ == "__main__":
    main()
