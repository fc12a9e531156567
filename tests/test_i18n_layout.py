"""I1, the shipped locales hold: every page answers in German and in Simplified Chinese as it
does in English; in Chromium, at 1280 and 390 px, the grid, the Register page, the
whiteboard and My schedule do not scroll sideways (German words are long, Chinese needs its
fonts: Debian's fonts-noto-cjk); the calendars stay valid iCalendar in German.

Screenshots: test-artifacts/i18n-<locale>-<width>-<role>-<page>-<db>.png.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from babel.dates import format_skeleton
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select

from summit import create_app
from summit.demo import DEMO_PASSWORD
from summit.extensions import db
from summit.i18n import LOCALE_COOKIE
from summit.models import Day, DesignSession, Room, Track
from tests.conftest import ARTIFACTS, TEST_DB, config_for
from tests.i18n_pages import ROLES, DemoWorld, demo_world, page_paths, role_clients

LOCALES = ("de", "zh_CN")
# What a browser set to the locale sends.
ACCEPT_LANGUAGE = {"de": "de-DE,de;q=0.9,en;q=0.5", "zh_CN": "zh-CN,zh;q=0.9,en;q=0.5"}
WIDTHS = (1280, 390)
LAYOUT_PAGES = {
    "grid": "/diablo/schedule",
    "register": "/diablo/register",
    "whiteboard": "/diablo/lightning",
    "my-schedule": "/diablo/my-schedule",
}


@pytest.fixture
def served(app: Flask, database_url: str) -> Iterator[Flask]:
    """A second app on the test's database for the requests: each request then has an app
    context of its own, as in production (the `app` fixture's context would keep the first
    request's locale in `g` for every later one)."""
    served = create_app(config_for(database_url))
    try:
        yield served
    finally:
        with served.app_context():
            db.engine.dispose()


def _in(client: FlaskClient, role: str, locale: str | None, path: str) -> Any:
    """GET `path` in `locale`: anonymous visitors through Accept-Language (a first visit),
    people who log in through the footer switcher's cookie."""
    if role == "anonymous":
        headers = {"Accept-Language": ACCEPT_LANGUAGE[locale]} if locale else {}
        return client.get(path, headers=headers)
    if locale:
        client.set_cookie(LOCALE_COOKIE, locale)
    else:
        client.delete_cookie(LOCALE_COOKIE)
    return client.get(path)


def test_i1_every_page_answers_in_german_and_chinese_as_in_english(
    app: Flask, served: Flask
) -> None:
    world = demo_world(app, served.test_client())
    paths = page_paths(served, world)
    clients = role_clients(served, world)
    english = {(r, p): _in(clients[r], r, None, p).status_code for r in ROLES for p in paths}
    assert not [k for k, status in english.items() if status >= 500]
    differ = []
    for locale in LOCALES:
        for role in ROLES:
            for path in paths:
                status = _in(clients[role], role, locale, path).status_code
                if status != english[role, path]:
                    differ.append(
                        f"{locale} {role} {world.label(path)}: {status}, en {english[role, path]}"
                    )
    assert not differ, "\n".join(differ)
    # Every page is a 200 to someone; the error pages (a summit that is not there, a reset
    # link that is not one) are the only exceptions.
    nobody = {world.label(p) for p in paths if all(english[r, p] != 200 for r in ROLES)}
    assert nobody == {"/no-such-summit/", "/reset-password/not-a-real-token"}
    # The locale did reach the pages: the sessions list dates its sessions the locale's way.
    days = db.session.scalars(select(Day.date).order_by(Day.date)).all()
    for locale in LOCALES:
        listed = _in(clients["anonymous"], "anonymous", locale, "/diablo/sessions").text
        assert any(format_skeleton("MMMEd", d, locale=locale) in listed for d in days), locale


# --- in Chromium --------------------------------------------------------------------------


def _has_cjk_fonts() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run(
        [fc_list, ":lang=zh-cn", "family"], capture_output=True, text=True, check=False
    )
    return bool(found.stdout.strip())


def _browse(browser: Any, base: str, width: int, locale: str, violations: list[str]) -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": 900 if width > 400 else 844},
        is_mobile=width < 400,
        locale=locale.replace("_", "-"),
    )
    context.add_cookies([{"name": LOCALE_COOKIE, "value": locale, "url": base}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    # As the `page` fixture does: the pages must do nothing the CSP blocks, in any locale.
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return page


def _log_in(page: Any, base: str, email: str) -> None:
    # By the fields' names: the labels are in the page's locale.
    page.goto(f"{base}/login")
    form = page.locator("main form:has(input[name=email])")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert not page.url.endswith("/login"), page.url


@pytest.mark.browser
def test_i1_layout_holds_in_german_and_chinese_on_desktop_and_phone(
    app: Flask, client: FlaskClient, live_server: str, browser: Any
) -> None:
    assert _has_cjk_fonts(), (
        "no Chinese font: install fonts-noto-cjk (scripts/install-system-deps.sh)"
    )
    world = demo_world(app, client)
    ARTIFACTS.mkdir(exist_ok=True)
    wide: dict[str, int] = {}
    violations: list[str] = []
    for locale in LOCALES:
        for width in WIDTHS:
            for role in ("attendee", "organizer"):
                page = _browse(browser, live_server, width, locale, violations)
                email = world.email(role)
                assert email is not None
                _log_in(page, live_server, email)
                for name, path in LAYOUT_PAGES.items():
                    response = page.goto(f"{live_server}{path}")
                    assert response is not None and response.status == 200, (locale, path)
                    extra = page.evaluate(
                        "() => document.documentElement.scrollWidth"
                        " - document.documentElement.clientWidth"
                    )
                    if extra > 0:
                        wide[f"{locale} {width}px {role} {name}"] = extra
                    shot = ARTIFACTS / f"i18n-{locale}-{width}-{role}-{name}-{TEST_DB}.png"
                    page.screenshot(path=str(shot), full_page=True)
                page.context.close()
    assert not wide, f"pages wider than the window (px too wide): {wide}"
    assert not violations, violations


# --- calendars ----------------------------------------------------------------------------


def _feeds(world: DemoWorld) -> dict[str, str]:
    summit = world.summit
    session = db.session.scalars(
        select(DesignSession.id)
        .where(DesignSession.summit_id == summit.id, DesignSession.room_id.is_not(None))
        .order_by(DesignSession.id)
    ).first()
    room = db.session.scalars(
        select(Room.slug).where(Room.summit_id == summit.id).order_by(Room.id)
    ).first()
    track = db.session.scalars(
        select(Track.slug).where(Track.summit_id == summit.id).order_by(Track.id)
    ).first()
    return {
        "summit": f"/{summit.slug}/schedule.ics",
        "personal": f"/{summit.slug}/my/{world.attendee.feed_address}.ics",
        "track": f"/{summit.slug}/tracks/{track}.ics",
        "room": f"/{summit.slug}/rooms/{room}.ics",
        "session": f"/{summit.slug}/sessions/{session}.ics",
    }


def test_i1_calendars_in_german_and_chinese_stay_valid_icalendar(app: Flask, served: Flask) -> None:
    world = demo_world(app, served.test_client())
    client = served.test_client()
    problems = []
    for locale in LOCALES:
        for name, path in _feeds(world).items():
            response = client.get(path, headers={"Accept-Language": ACCEPT_LANGUAGE[locale]})
            assert response.status_code == 200, (locale, name, response.status)
            assert response.mimetype == "text/calendar", (locale, name, response.mimetype)
            events = Calendar.from_ical(response.data).walk("VEVENT")
            assert len(events) > (0 if name == "session" else 1), (locale, name)
            for event in events:
                missing = [k for k in ("UID", "DTSTART", "DTEND", "SUMMARY") if k not in event]
                if missing:
                    problems.append(f"{locale} {name}: {event.get('UID')} lacks {missing}")
                elif event.decoded("DTEND") <= event.decoded("DTSTART"):
                    problems.append(f"{locale} {name}: {event['UID']} ends before it starts")
    assert not problems, problems
