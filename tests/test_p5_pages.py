"""P5: times say their zone with the UTC offset, and the viewer's own zone on request; the
schedule prints cleanly; the hallway screen shows every room now and next."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS, TEST_DB
from tests.factories import Published
from tests.test_browser_programme import _log_in

WEDNESDAY_MORNING = datetime(2011, 4, 27, 16, 30, tzinfo=UTC)  # 09:30 in Santa Clara


@pytest.mark.parametrize(
    ("zone", "instant", "label"),
    [
        ("America/Los_Angeles", datetime(2011, 4, 27, 12, tzinfo=UTC), "PDT, UTC−7"),
        ("America/Los_Angeles", datetime(2011, 12, 1, 12, tzinfo=UTC), "PST, UTC−8"),
        ("Asia/Kolkata", datetime(2011, 4, 27, tzinfo=UTC), "IST, UTC+5:30"),
        ("Europe/Berlin", datetime(2011, 4, 27, tzinfo=UTC), "CEST, UTC+2"),
        ("UTC", datetime(2011, 4, 27, tzinfo=UTC), "UTC"),
        ("America/Sao_Paulo", datetime(2024, 4, 27, tzinfo=UTC), "UTC−3"),  # no abbreviation
    ],
)
def test_p5_a_zone_says_its_name_and_offset(
    app: Flask, zone: str, instant: datetime, label: str
) -> None:
    assert app.jinja_env.filters["zone_label"](instant, ZoneInfo(zone)) == label


def test_p5_the_pages_say_the_zone_with_its_offset(
    client: FlaskClient, published: Published
) -> None:
    session = published.sessions[0]
    for path in ("/diablo/schedule?day=2011-04-27", f"/diablo/sessions/{session.id}"):
        assert "PDT, UTC−7" in client.get(path).text, path


def test_p5_the_hallway_screen_shows_each_room_now_and_next(
    app: Flask, client: FlaskClient, published: Published
) -> None:
    app.config["NOW"] = WEDNESDAY_MORNING
    page = client.get("/diablo/now?screen=1").text
    assert 'data-refresh="60"' in page  # summit.js reloads it every minute
    for room in published.summit.rooms:
        assert room.name in page
    ballroom = page[page.index(">Ballroom A<") :].split("</section>")[0]
    assert "Nova API version two" in ballroom  # 09:00–09:40, now
    assert "Nova scheduler filters" in ballroom  # 09:50, next
    assert "Lightning talks" in page


@pytest.mark.browser
def test_p5_local_time_toggle_is_remembered_per_browser(
    live_server, browser, published: Published
) -> None:
    context = browser.new_context(timezone_id="Europe/Berlin")
    page = context.new_page()
    page.goto(f"{live_server}/diablo/schedule?day=2011-04-27")
    expect(page.locator(".zone")).to_contain_text("PDT, UTC−7")
    toggle = page.get_by_role("button", name="Show my time zone too")
    toggle.click()
    first = page.locator(".local-time").first
    expect(first).to_contain_text("18:00")  # 09:00 in Santa Clara is 18:00 in Berlin
    page.reload()
    expect(page.locator(".local-time").first).to_contain_text("18:00")
    page.get_by_role("button", name="Hide my time zone").click()
    expect(page.locator(".local-time")).to_have_count(0)
    context.close()


@pytest.mark.browser
def test_p5_print_keeps_the_grid_and_its_colours_and_drops_the_chrome(
    live_server, page, published: Published
) -> None:
    _log_in(page, live_server, published.fan.email)
    for path in ("/diablo/schedule?day=2011-04-27", "/diablo/tracks/nova", "/diablo/my-schedule"):
        page.goto(f"{live_server}{path}")
        page.emulate_media(media="print")
        expect(page.locator("header.site")).to_be_hidden()
        filters = page.locator("nav.filters")
        if filters.count():
            expect(filters.first).to_be_hidden()
        badge = page.locator(".track").first
        colour = badge.evaluate("el => getComputedStyle(el).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), (path, colour)
        if "day=" not in path:  # a list over several days: a page per day on paper
            days = page.locator("section.print-day")
            assert days.count() >= 2, path
            breaks = days.evaluate_all("els => els.map(el => getComputedStyle(el).breakBefore)")
            assert breaks[1:] == ["page"] * (len(breaks) - 1), (path, breaks)
        ARTIFACTS.mkdir(exist_ok=True)
        name = path.strip("/").replace("/", "-").split("?")[0]
        page.pdf(path=str(ARTIFACTS / f"print-{name}-{TEST_DB}.pdf"))
        page.emulate_media(media="screen")


@pytest.mark.browser
def test_p5_the_hallway_screen_in_chromium(live_server, browser, published) -> None:
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        page.goto(f"{live_server}/diablo/now?screen=1")
        heading = page.locator("#room-" + str(published.summit.rooms[0].id))
        expect(heading).to_be_visible()
        size = heading.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
        assert size >= 24
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth > window.innerWidth + 1"
        )
        assert not overflow
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"hallway-{width}-{TEST_DB}.png"), full_page=True)
        context.close()


@pytest.mark.browser
def test_p5_the_hallway_screen_reloads_itself(live_server, browser, published) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.clock.install()
    page.goto(f"{live_server}/diablo/now?screen=1")
    with page.expect_navigation():
        page.clock.run_for(61_000)
    expect(page.locator("body.screen")).to_be_visible()
    context.close()


@pytest.mark.browser
def test_p5_star_from_the_grid_and_the_track_page_without_a_reload(
    live_server, page, published: Published
) -> None:
    _log_in(page, live_server, published.fan.email)
    for path, title in (
        ("/diablo/schedule?day=2011-04-27", "Nova API version two"),
        ("/diablo/tracks/swift", "Swift replication"),
    ):
        session_id = next(s.id for s in published.sessions if s.title == title)
        page.goto(f"{live_server}{path}")
        page.evaluate("() => { window.notReloaded = true; }")
        form = page.locator(f'form[data-star][action$="/sessions/{session_id}/star"]').first
        before = int(form.locator("[data-count]").inner_text())
        form.get_by_role("button").click()
        expect(form.locator("[data-count]")).to_have_text(str(before + 1))
        expect(form.get_by_role("button")).to_have_attribute("aria-pressed", "true")
        assert page.evaluate("() => window.notReloaded === true")  # one click, same page
        page.reload()
        expect(page.get_by_role("button", name=f"Starred {title}").first).to_be_visible()


@pytest.mark.browser
def test_p5_a_star_works_as_a_plain_form_without_javascript(
    live_server, browser, published: Published
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _log_in(page, live_server, published.fan.email)
    page.goto(f"{live_server}/diablo/rooms/bayshore")
    page.get_by_role("button", name="Star Swift replication").first.click()
    expect(page).to_have_url(f"{live_server}/diablo/rooms/bayshore")
    expect(page.get_by_role("button", name="Starred Swift replication").first).to_be_visible()
    context.close()


@pytest.mark.browser
def test_p5_organizer_pages_do_not_scroll_sideways_on_a_phone(
    live_server, browser, published: Published
) -> None:
    from summit.models import EventKind

    summit = published.summit
    design = summit.event(EventKind.DESIGN_SUMMIT)
    assert design is not None
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    _log_in(page, live_server, published.organizer.email)
    wide = {}
    for path in (
        f"/organizer/summits/{summit.id}/blueprints",
        f"/organizer/events/{design.id}/waitlist",
        f"/organizer/summits/{summit.id}/schedule",
        "/organizer/mail",
        "/organizer/",
    ):
        page.goto(f"{live_server}{path}")
        wide[path] = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        name = path.strip("/").replace("/", "-")
        page.screenshot(path=str(ARTIFACTS / f"phone-{name}-{TEST_DB}.png"), full_page=True)
    assert all(extra <= 1 for extra in wide.values()), wide
    context.close()


@pytest.mark.browser
def test_p5_search_from_the_top_bar(live_server, browser, published: Published) -> None:
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 844})
        page = context.new_page()
        page.goto(f"{live_server}/diablo/schedule")
        box = page.get_by_role("searchbox", name="Search this summit")
        box.fill("swift")
        box.press("Enter")
        expect(page).to_have_url(f"{live_server}/diablo/search?q=swift")
        sessions = page.locator("#hits-sessions + ul li")
        expect(sessions.filter(has_text="Swift replication")).to_contain_text("Bayshore")
        expect(page.locator("#hits-talks + ul")).to_contain_text("Five minutes of Swift")
        expect(page.get_by_role("status")).to_contain_text("results for “swift”")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (width, overflow)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"search-{width}-{TEST_DB}.png"), full_page=True)
        context.close()


def test_p5_the_blueprint_list_is_paged_and_keeps_its_track(
    client: FlaskClient, published: Published, make_user
) -> None:
    from summit.extensions import db
    from summit.models import Blueprint, BlueprintStatus

    someone = make_user(name="Prolific")
    nova, swift = (
        next(t for t in published.summit.tracks if t.slug == s) for s in ("nova", "swift")
    )
    db.session.add_all(
        Blueprint(
            summit_id=published.summit.id,
            track_id=(nova if i % 3 else swift).id,
            submitter_id=someone.id,
            title=f"Idea number {i:03d}",
            status=BlueprintStatus.WITHDRAWN if i == 5 else BlueprintStatus.SUBMITTED,
        )
        for i in range(150)
    )
    db.session.commit()
    pages = [client.get(f"/diablo/blueprints?page={n}").get_data(as_text=True) for n in (1, 2, 3)]
    rows = [re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a>', page) for page in pages]
    assert [len(r) for r in rows] == [60, 60, 30]  # 149 ideas and the published one
    assert 'href="/diablo/blueprints?page=3"' in pages[0]
    ideas = [t for r in rows for t in r if t.startswith("Idea")]
    assert len(set(ideas)) == 149 and "Idea number 005" not in ideas  # withdrawn: not listed
    nova_page = client.get("/diablo/blueprints?track=nova").get_data(as_text=True)
    assert 'href="/diablo/blueprints?page=2&amp;track=nova"' in nova_page
    assert "Idea number 000" not in nova_page  # a Swift one


def test_p5_a_lead_page_is_paged(client: FlaskClient, published: Published) -> None:
    lead = published.leads[0]
    page = client.get(f"/diablo/leads/{lead.id}").get_data(as_text=True)
    assert "Nova API version two" in page
    assert 'class="pager"' not in page  # one page: no page links
    assert client.get(f"/diablo/leads/{lead.id}?page=9").status_code == 200
