"""In Chromium (P4): an organizer moves a published session, re-solves (the hand move stays,
pinned), reviews the changes with the people they affect, confirms; the public changelog
and the session's calendar follow. axe-core on the new pages."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from summit import jobs
from summit.extensions import db
from tests.conftest import ARTIFACTS, PASSWORD, TEST_DB
from tests.factories import Published, confirm_seat
from tests.test_browser_programme import AXE, _serious_violations

pytestmark = pytest.mark.browser


def _log_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as")).to_be_visible()


def _run_worker_once(app) -> threading.Thread:  # type: ignore[no-untyped-def]
    def work() -> None:
        with app.app_context():
            jobs.run_pending(app)
            db.session.remove()

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_p4_move_resolve_review_confirm_then_the_changelog_and_the_feed(
    app, live_server, page, published: Published
) -> None:
    s = published.sessions[2]  # Nova scheduler filters: Wed 09:50, Ballroom A; the fan's star
    summit_id = published.summit.id
    _log_in(page, live_server, published.organizer.email)
    page.goto(f"{live_server}/organizer/summits/{summit_id}/schedule")
    page.get_by_label("Session", exact=True).select_option(label="Nova: Nova scheduler filters")
    page.get_by_label("Day", exact=True).select_option(index=0)
    page.get_by_label("Slot", exact=True).select_option(index=5)
    page.get_by_label("Room", exact=True).select_option(label="Winchester")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("Moved “Nova scheduler filters”.")).to_be_visible()
    cell = page.locator(f'td.session[data-session="{s.id}"]')
    expect(cell.locator(".tag.pinned")).to_have_text("pinned")
    expect(cell).to_contain_text("Moved: from Wednesday 27 April, 09:50–11:20, Ballroom A")

    page.get_by_label("Time limit (seconds)").fill("3")
    page.get_by_role("button", name="Run the solver").click()
    worker = _run_worker_once(app)
    expect(page.locator("#solve-status")).to_have_text("done", timeout=30_000)
    worker.join()
    page.reload()
    cell = page.locator(f'td.session[data-session="{s.id}"]')
    expect(cell.locator(".tag.pinned")).to_have_text("pinned")  # the re-solve kept it
    db.session.expire_all()
    assert (s.start_slot, s.room.slug if s.room else None) == (5, "winchester")

    page.get_by_role("link", name="Review changes and publish").click()
    moved = page.locator("#changes-moved")
    expect(moved).to_contain_text("Nova scheduler filters")
    expect(moved).to_contain_text("to Wednesday 27 April, 14:30–16:00, Winchester")
    expect(moved.locator(".affected")).to_have_text("2")
    moved.get_by_text("people affected").click()
    expect(moved).to_contain_text("Fan Favourite (starred it)")
    expect(moved).to_contain_text("Lead 2 (lead)")
    page.screenshot(path=str(ARTIFACTS / f"review-changes-{TEST_DB}.png"), full_page=True)
    assert AXE.exists(), "run `make test` (npm ci) to install axe-core"
    assert _serious_violations(page) == []
    page.get_by_label("Note for the changelog (optional)").fill("Filters move to Winchester")
    page.get_by_role("button", name="Publish release 2").click()
    expect(page.get_by_text("Published.")).to_be_visible()

    page.goto(f"{live_server}/diablo/changes")
    release = page.locator("#release-2")
    expect(release).to_contain_text("Filters move to Winchester")
    expect(release.locator(".changes-moved")).to_contain_text(
        "Moved: “Nova scheduler filters”, from Wednesday 27 April, 09:50–11:20, Ballroom A "
        "to Wednesday 27 April, 14:30–16:00, Winchester"
    )
    assert _serious_violations(page) == []
    feed = page.request.get(f"{live_server}/diablo/sessions/{s.id}.ics").text()
    assert "SEQUENCE:1" in feed and "Winchester" in feed


def test_p4_confirmation_pages_have_no_serious_accessibility_violations(
    live_server, page, published: Published
) -> None:
    confirm_seat(published.leads[0], published.summit)
    db.session.commit()
    _log_in(page, live_server, published.fan.email)
    found = {}
    page.goto(f"{live_server}/my/registrations")
    page.get_by_role("link", name="Cancel my seat").first.click()
    expect(page.get_by_role("button", name="Yes, cancel my seat")).to_be_visible()
    found["cancel a seat"] = _serious_violations(page)
    page.goto(f"{live_server}/diablo/my-schedule")
    page.get_by_role("link", name="Make a new secret address").click()
    expect(page.get_by_role("button", name="Yes, make a new address")).to_be_visible()
    found["new address"] = _serious_violations(page)
    page.get_by_role("link", name="Keep the old one").click()
    expect(page).to_have_url(f"{live_server}/diablo/my-schedule")
    assert found == {k: [] for k in found}


def test_p4_a_refused_move_names_the_right_sessions_and_times(
    live_server, page, published: Published
) -> None:
    """Moving "Swift auth middleware" onto the room and time of "Nova API version two":
    the refusal names both by title, the room by name and the time on the clock."""
    summit_id = published.summit.id
    _log_in(page, live_server, published.organizer.email)
    page.goto(f"{live_server}/organizer/summits/{summit_id}/schedule")
    page.get_by_label("Session", exact=True).select_option(label="Swift: Swift auth middleware")
    page.get_by_label("Day", exact=True).select_option(index=0)
    page.get_by_label("Slot", exact=True).select_option(value="0")
    page.get_by_label("Room", exact=True).select_option(label="Ballroom A")
    page.get_by_role("button", name="Move", exact=True).click()
    refusal = page.locator(".flash.error")
    expect(refusal).to_contain_text("“Swift auth middleware”")
    expect(refusal).to_contain_text("“Nova API version two”")
    expect(refusal).to_contain_text("Ballroom A")
    expect(refusal).to_contain_text("Wednesday 27 April")
    expect(refusal).to_contain_text("09:00")
    text = refusal.inner_text()
    assert "session " not in text.lower().replace("sessions", "")  # no "session 12"
    assert not any(ch.isdigit() for ch in text.replace("09:00", "").replace("27", ""))
