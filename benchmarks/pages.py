"""Pages benchmark: the schedule pages people use most, on a summit of 400 published sessions.

Builds, in a temporary SQLite database, the same summit as `benchmarks/feeds.py`: 4 Design
Summit days × 10 slots in 12 rooms holding 400 sessions, 1,000 attendees with about 8,000
stars, every lightning slot booked, a Conference programme and social events. Then asks the
app in-process (Flask's test client, so the figure is the server's time without a network)
for each page many times and prints the median, and the number of SQL statements each page
issues:

- the day grid of a full day, a session page, "My schedule" of an attendee with stars and
  a lightning talk, the whiteboard, the sessions list, a track page, the hallway screen and a
  search; and the schedule PDF of one day and of every day, laid out cold and from the
  process's cache.

    .venv/bin/python benchmarks/pages.py [--repeat 30]

The last line reads `RESULT grid_ms=… session_ms=… my_schedule_ms=… whiteboard_ms=…
sessions_ms=… track_ms=… hallway_ms=… search_ms=… pdf_day_cold_ms=… pdf_all_cold_ms=…
pdf_cached_ms=… max_queries=…`. Target: each page median ≤ 50 ms with SQLite; a PDF's
layout takes seconds and is done once per published version.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from big_summit import build, fetch, login_id, median_ms
from sqlalchemy import event, select

from config import Config
from summit import create_app
from summit.exports import pdf
from summit.extensions import db
from summit.models import DesignSession, Summit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'pages.db'}"
        config = type(
            "BenchConfig",
            (Config,),
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "benchmark-key-not-for-production",
                "WTF_CSRF_ENABLED": True,
            },
        )
        app = create_app(config)
        started = time.perf_counter()
        person, _token = build(app)
        print(f"built in {time.perf_counter() - started:.1f} s")
        with app.app_context():
            summit = db.session.scalar(select(Summit).where(Summit.slug == "folsom"))
            assert summit is not None
            day = summit.design_days[1].date.isoformat()
            busiest = db.session.scalar(
                select(DesignSession.id).where(DesignSession.summit_id == summit.id).limit(1)
            )
            db.engine.dispose()

        client = app.test_client()
        with client.session_transaction() as session:  # logged in as `person` (Flask-Login)
            session["_user_id"] = login_id(app, person)
            session["_fresh"] = True
        pages = {
            "grid": f"/folsom/schedule?day={day}",
            "session": f"/folsom/sessions/{busiest}",
            "my_schedule": "/folsom/my-schedule",
            "whiteboard": "/folsom/lightning",
            "sessions": "/folsom/sessions",
            "track": "/folsom/tracks/compute",
            "hallway": "/folsom/now?screen=1",
            "search": "/folsom/search?q=compute",
        }
        queries: dict[str, int] = {}
        with app.app_context():
            engine = db.engine
        for name, path in pages.items():
            statements: list[str] = []

            def note(*args: object, into: list[str] = statements) -> None:
                into.append(str(args[2]))

            event.listen(engine, "before_cursor_execute", note)
            size = fetch(client, path)()
            event.remove(engine, "before_cursor_execute", note)
            queries[name] = len(statements)
            print(f"{name:12} {path:40} {size:>8} bytes {len(statements):>3} queries")

        medians = {
            name: median_ms(fetch(client, path), args.repeat) for name, path in pages.items()
        }
        for name, ms in medians.items():
            print(f"{name:12} median {ms:6.1f} ms over {args.repeat} requests")
        # The PDF: laid out once per version (cold), then served from the process's cache.
        pdf_path = f"/folsom/schedule.pdf?day={day}"

        def cold_pdf() -> int:
            pdf._CACHE.clear()
            return fetch(client, pdf_path)()

        pdf_cold = median_ms(cold_pdf, max(3, args.repeat // 6))
        pdf_all = median_ms(
            lambda: (pdf._CACHE.clear(), fetch(client, "/folsom/schedule.pdf")()), 3
        )
        pdf_cached = median_ms(fetch(client, pdf_path), args.repeat)
        print(
            f"pdf one day  cold {pdf_cold:6.1f} ms, cached {pdf_cached:6.1f} ms; "
            f"all days cold {pdf_all:6.1f} ms"
        )
        print(
            f"RESULT grid_ms={medians['grid']:.1f} session_ms={medians['session']:.1f} "
            f"my_schedule_ms={medians['my_schedule']:.1f} "
            f"whiteboard_ms={medians['whiteboard']:.1f} sessions_ms={medians['sessions']:.1f} "
            f"track_ms={medians['track']:.1f} hallway_ms={medians['hallway']:.1f} "
            f"search_ms={medians['search']:.1f} pdf_day_cold_ms={pdf_cold:.0f} "
            f"pdf_all_cold_ms={pdf_all:.0f} pdf_cached_ms={pdf_cached:.1f} "
            f"max_queries={max(queries.values())}"
        )


if __name__ == "__main__":
    main()
