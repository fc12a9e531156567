"""In Chromium (S1): a lead marks an afternoon they can't attend, the organizer solves, and
the lead's sessions avoid it. Their track is held to that day, and without the rule this
seeded solve puts all three in that afternoon (checked by breaking the rule on purpose)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from summit.extensions import db
from summit.models import DesignSession
from tests.test_browser import _log_in, _run_worker_once

pytestmark = pytest.mark.browser


def test_a_lead_marks_an_afternoon_away_and_the_solve_keeps_it_free(
    app, live_server, page, make_summit, make_user
) -> None:
    summit = make_summit()
    first_day = summit.design_days[0]
    nova = summit.tracks[0]
    nova.window_day, nova.window_part = first_day, "day"  # Nova only on the first day
    organizer = make_user(is_organizer=True, email="org@example.org")
    lead = make_user(name="Ada Lead", email="ada@example.org")
    for i in range(6):
        db.session.add(
            DesignSession(
                summit_id=summit.id,
                track_id=nova.id if i < 3 else summit.tracks[1].id,
                lead_id=lead.id if i < 3 else organizer.id,
                title=f"Design session {i}",
            )
        )
    db.session.commit()
    _log_in(page, live_server, "ada@example.org")
    page.goto(f"{live_server}/{summit.slug}/availability")
    page.get_by_label("Can't attend Wednesday 27 April afternoon").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: the schedule will keep these times free.")).to_be_visible()
    page.context.clear_cookies()  # log out
    _log_in(page, live_server, "org@example.org")
    page.goto(f"{live_server}/organizer/summits/{summit.id}/schedule")
    page.get_by_label("Time limit (seconds)").fill("3")
    page.get_by_role("button", name="Run the solver").click()
    worker = _run_worker_once(app)
    expect(page.get_by_role("button", name="Lock Design session 0")).to_be_visible(timeout=30_000)
    worker.join()
    db.session.expire_all()
    led = db.session.scalars(select(DesignSession).where(DesignSession.lead_id == lead.id)).all()
    assert len(led) == 3
    for s in led:
        assert s.day_id is not None
        afternoon = s.day_id == first_day.id and (s.start_slot or 0) >= first_day.slots_before_lunch
        assert not afternoon, s.title
