"""In Chromium: the day grid at desktop and phone widths (screenshots kept as artifacts), two
people racing for one whiteboard slot, and axe-core on the pages people use most."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from summit.extensions import db
from summit.models import LightningSlot, LightningTalk
from tests.conftest import ARTIFACTS, PASSWORD, TEST_DB
from tests.factories import Published, confirm_seat

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as")).to_be_visible()


def test_p2_day_grid_on_desktop_and_on_a_phone(live_server, browser, published: Published) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    url = f"{live_server}/diablo/schedule?day=2011-04-27"
    desktop = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desktop.new_page()
    page.goto(url)
    grid = page.locator("table.public-grid")
    expect(grid).to_be_visible()
    expect(grid.get_by_role("columnheader", name="Bayshore")).to_be_visible()
    expect(grid.get_by_role("link", name="Swift replication")).to_be_visible()
    # On a desktop the sessions are in the grid, not repeated in the list below it.
    expect(page.locator("ol.entries li.kind-session").first).to_be_hidden()
    expect(page.locator("ol.entries").get_by_text("Developers' party")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"day-grid-desktop-{TEST_DB}.png"), full_page=True)
    desktop.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    page.goto(url)
    expect(page.locator("table.public-grid")).to_be_hidden()
    listed = page.locator("ol.entries li.kind-session")
    expect(listed.first).to_be_visible()
    expect(listed).to_have_count(4)  # the first day's four sessions, as a list
    expect(listed.filter(has_text="Swift replication")).to_contain_text("Bayshore")
    page.screenshot(path=str(ARTIFACTS / f"day-grid-phone-{TEST_DB}.png"), full_page=True)
    phone.close()


def test_l2_two_people_racing_for_one_slot_in_two_browsers(
    live_server, browser, published: Published, make_user
) -> None:
    rival = make_user(name="Rival Speaker", email="rival@example.org")
    confirm_seat(rival, published.summit)
    db.session.commit()
    slot_id = db.session.scalars(
        select(LightningSlot.id)
        .where(LightningSlot.day_id == published.summit.design_days[1].id)
        .order_by(LightningSlot.position)
    ).first()
    pages = []
    for email in (published.fan.email, rival.email):
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(10_000)
        _log_in(page, live_server, email)
        page.goto(f"{live_server}/diablo/lightning")
        page.locator(f"#title-{slot_id}").fill(f"Talk by {email}")
        pages.append(page)
    # Both press "Book" at the same instant: each page arms a timer for one shared moment
    # on the machine's clock (Playwright's sync API drives one page at a time).
    moment = pages[0].evaluate("() => Date.now() + 700")
    for page in pages:
        page.evaluate(
            """([slot, at]) => setTimeout(
                () => document.querySelector(`#slot-${slot} form.book`).requestSubmit(),
                at - Date.now())""",
            [slot_id, moment],
        )
    for page in pages:
        page.wait_for_url("**/lightning**", wait_until="load")
        page.wait_for_timeout(0)
    outcomes = []
    for page in pages:
        page.wait_for_load_state()
        expect(page.locator(".flash")).to_be_visible()
        outcomes.append(page.locator(".flash").inner_text())
    assert sorted(o.split(":")[0] for o in outcomes) == ["Booked", "Just taken"]
    loser = pages[[o.startswith("Just taken") for o in outcomes].index(True)]
    expect(loser.locator("tr.nearest").first).to_be_visible()  # the nearest free slots
    loser.screenshot(path=str(ARTIFACTS / f"whiteboard-race-{TEST_DB}.png"), full_page=True)
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count()).select_from(LightningTalk).where(LightningTalk.slot_id == slot_id)
        )
        == 1
    )
    for page in pages:
        page.context.close()


def _serious_violations(page) -> list[str]:
    # Evaluated through the DevTools protocol: the page's CSP forbids inline script, and
    # rightly, so axe-core must not arrive as a <script> tag.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_pages_have_no_serious_accessibility_violations(
    live_server, page, published: Published
) -> None:
    assert AXE.exists(), "run `make test` (npm ci) to install axe-core"
    session_id = published.sessions[0].id
    _log_in(page, live_server, published.fan.email)
    found = {}
    for path in [
        "/",
        "/diablo/schedule?day=2011-04-27",
        f"/diablo/sessions/{session_id}",
        "/diablo/lightning",
        "/diablo/register",
        "/diablo/my-schedule",
        "/diablo/sessions",
        "/diablo/tracks/nova",
        "/diablo/now",
        "/diablo/now?screen=1",
        "/diablo/search?q=swift",
    ]:
        page.goto(f"{live_server}{path}")
        found[path] = _serious_violations(page)
    assert found == {path: [] for path in found}
