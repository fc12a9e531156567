"""Feeds benchmark: the calendars, frab and the API on a summit of 400 published sessions.

Builds, in a temporary SQLite database, a summit of 4 Design Summit days × 10 slots in 12
rooms holding 400 sessions (9 tracks, one linked blueprint each), 1,000 attendees who star
about eight sessions each, 24 lightning talks, a Conference programme and social events;
publishes it through the scheduling service; then asks the app in-process (Flask's test
client, so no network) for each answer many times and prints the median:

- the whole-summit iCalendar feed, a personal feed, schedule.xml, /api/v1/schedule;
- a 304 answer to a conditional request for the whole-summit feed.

    .venv/bin/python benchmarks/feeds.py [--repeat 30]

The last line reads
`RESULT summit_feed_ms=… personal_feed_ms=… frab_xml_ms=… api_schedule_ms=… not_modified_ms=…`.
Targets: whole-summit feed ≤ 100 ms, 304 ≤ 5 ms.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from big_summit import build, fetch, median_ms
from sqlalchemy import select

from config import Config
from summit import create_app
from summit.exports import ical
from summit.extensions import db
from summit.models import (
    Summit,
)
from summit.services import programme


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'feeds.db'}"
        config = type(
            "BenchConfig",
            (Config,),
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "benchmark-key-not-for-production",
                "BASE_URL": "https://summit.example.org",
                "SERVER_NAME_FOR_IDS": "summit.example.org",
            },
        )
        app = create_app(config)
        started = time.perf_counter()
        person, token = build(app)
        print(f"built in {time.perf_counter() - started:.1f} s")
        client = app.test_client()
        summit_feed = client.get("/folsom/schedule.ics")
        etag = summit_feed.headers["ETag"]
        events = summit_feed.data.count(b"BEGIN:VEVENT")
        personal = client.get(f"/folsom/my/{token}.ics")
        print(
            f"summit feed: {events} events, {len(summit_feed.data)} bytes; personal feed: "
            f"{personal.data.count(b'BEGIN:VEVENT')} events"
        )

        summit_ms = median_ms(fetch(client, "/folsom/schedule.ics"), args.repeat)
        # Rendered events are cached by their values; with nothing cached (a fresh worker,
        # or every event changed at once) the feed costs more.
        whole = fetch(client, "/folsom/schedule.ics")

        def cold() -> None:
            ical.clear_cache()
            whole()

        cold_ms = median_ms(cold, max(args.repeat // 3, 5))
        personal_ms = median_ms(fetch(client, f"/folsom/my/{token}.ics"), args.repeat)
        frab_ms = median_ms(fetch(client, "/folsom/schedule.xml"), args.repeat)
        not_modified_ms = median_ms(
            fetch(client, "/folsom/schedule.ics", 304, **{"If-None-Match": etag}), args.repeat
        )
        api = client.get("/api/v1/schedule")
        if api.status_code == 200:
            api_ms = median_ms(fetch(client, "/api/v1/schedule"), args.repeat)
            api_text = f"{api_ms:.1f}"
        else:
            print(f"/api/v1/schedule answered {api.status_code}: not measured")
            api_text = "n/a"

        # Where the whole-summit feed's time goes.
        with app.app_context():
            summit = db.session.scalar(select(Summit).where(Summit.slug == "folsom"))
            assert summit is not None
            loaded = programme.load(summit, with_cancelled=True)
            load_ms = median_ms(
                lambda: programme.load(summit, with_cancelled=True), max(args.repeat // 3, 5)
            )
            render_ms = median_ms(
                lambda: ical.calendar(
                    loaded,
                    loaded.entries,
                    name=summit.name,
                    server_name="summit.example.org",
                    base_url="https://summit.example.org",
                ),
                max(args.repeat // 3, 5),
            )
            db.engine.dispose()
        print(
            f"whole-summit feed: programme.load {load_ms:.1f} ms + iCalendar {render_ms:.1f} ms "
            f"(+ version and request); with no rendered event cached: {cold_ms:.1f} ms"
        )
        print(f"personal feed of user {person}; run at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
        print(
            f"RESULT summit_feed_ms={summit_ms:.1f} personal_feed_ms={personal_ms:.1f} "
            f"frab_xml_ms={frab_ms:.1f} api_schedule_ms={api_text} "
            f"not_modified_ms={not_modified_ms:.2f}"
        )


if __name__ == "__main__":
    main()
