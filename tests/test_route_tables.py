"""Permissions and CSRF, tested from tables built from the app's `url_map` (§9): every route is
in the table at once, so a route that loses its check fails here.

- Organizer routes: anonymous visitors are sent to log in; an attendee gets 403.
- Routes for people with an account: anonymous visitors are sent to log in.
- Every other route is public: it never asks anonymous visitors to log in.
- With CSRF on, every POST route refuses a missing or a wrong token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from summit import create_app
from summit.extensions import db
from tests.conftest import config_for, login

# Organizer pages outside /organizer/ (the whiteboard's organizer actions).
ORGANIZER_ENDPOINTS = {"lightning.limit", "lightning.block", "lightning.remove"}
# Pages for anyone logged in.
LOGIN_ENDPOINTS = {
    "auth.profile",
    "auth.change_password",
    "sessions.blueprint_form",
    "sessions.withdraw",
    "sessions.my_blueprints",
    "sessions.star",
    "registration.register",
    "registration.mine",
    "registration.cancel",
    "schedule.my_schedule",
    "lightning.book",
    "lightning.cancel",
    "feeds.new_token",
    "feeds.confirm_new_token",
    "registration.confirm_cancel",
    "sessions.availability_page",
}
# The read-only API has its own tests and answers JSON; static files are files.
NOT_PAGES = {"static"}

SAMPLE_VALUES = {"slug": "diablo", "kind": "design_summit", "token": "x", "path": "x"}


def kind_of(rule: Rule) -> str:
    if rule.rule.startswith("/organizer/") or rule.endpoint in ORGANIZER_ENDPOINTS:
        return "organizer"
    if rule.endpoint in LOGIN_ENDPOINTS:
        return "login"
    return "public"


def url_for_rule(rule: Rule) -> str:
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if converter == "int":
            return "1"
        return SAMPLE_VALUES.get(name, "x")

    return re.sub(r"<(?:(\w+):)?(\w+)>", value, rule.rule)


def routes(app: Flask) -> Iterator[tuple[str, str, str, str]]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint in NOT_PAGES or rule.rule.startswith("/api/"):
            continue
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            yield method, url_for_rule(rule), rule.endpoint, kind_of(rule)


@pytest.fixture
def table(app: Flask) -> list[tuple[str, str, str, str]]:
    return list(routes(app))


def call(client: FlaskClient, method: str, url: str, **kwargs: Any) -> Any:
    return client.open(url, method=method, **kwargs)


def test_the_table_covers_every_route_and_each_kind(table) -> None:
    kinds = {kind for *_, kind in table}
    assert kinds == {"organizer", "login", "public"}
    endpoints = {endpoint for _, _, endpoint, _ in table}
    assert endpoints >= ORGANIZER_ENDPOINTS | LOGIN_ENDPOINTS  # no stale names in the lists
    assert len(table) > 80


def test_organizer_routes_send_anonymous_visitors_to_log_in_and_refuse_attendees(
    app: Flask, table, make_summit, make_user
) -> None:
    make_summit()
    attendee = make_user()
    db.session.commit()
    anonymous, member = app.test_client(), app.test_client()
    login(member, attendee)
    wrong = []
    for method, url, endpoint, kind in table:
        if kind != "organizer":
            continue
        first = call(anonymous, method, url)
        if first.status_code != 302 or "/login" not in first.location:
            wrong.append(f"anonymous {method} {url} ({endpoint}): {first.status_code}")
        second = call(member, method, url)
        if second.status_code != 403:
            wrong.append(f"attendee {method} {url} ({endpoint}): {second.status_code}")
    assert not wrong, "\n".join(wrong)


def test_account_routes_send_anonymous_visitors_to_log_in(app: Flask, table, make_summit) -> None:
    make_summit()
    db.session.commit()
    anonymous = app.test_client()
    wrong = []
    for method, url, endpoint, kind in table:
        if kind != "login":
            continue
        response = call(anonymous, method, url)
        if response.status_code != 302 or "/login" not in response.location:
            wrong.append(f"{method} {url} ({endpoint}): {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_public_routes_never_ask_anonymous_visitors_to_log_in(
    app: Flask, table, make_summit
) -> None:
    """Keeps the table honest: a route that needs a login but is not listed fails here."""
    make_summit()
    db.session.commit()
    anonymous = app.test_client()
    wrong = []
    for method, url, endpoint, kind in table:
        if kind != "public":
            continue
        response = call(anonymous, method, url)
        if response.status_code in (401, 403) or (
            response.status_code == 302 and "/login?next" in response.location
        ):
            wrong.append(f"{method} {url} ({endpoint}): {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_every_post_route_refuses_a_missing_or_wrong_csrf_token(
    database_url: str, table, make_summit, make_user
) -> None:
    make_summit()
    organizer = make_user(is_organizer=True)
    db.session.commit()
    app = create_app(config_for(database_url, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False))
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    logged_in = client.post(
        "/login",
        data={
            "email": organizer.email,
            "password": "correct horse battery",
            "csrf_token": token[1],
        },
    )
    assert logged_in.status_code == 302
    wrong = []
    posts = [(url, endpoint) for method, url, endpoint, _ in table if method == "POST"]
    assert len(posts) > 40
    for url, endpoint in posts:
        if endpoint == "auth.logout":
            continue  # last: it would end the login the other checks need
        for data in ({}, {"csrf_token": "forged-token"}):
            response = client.post(url, data=data)
            if response.status_code != 400 or "Form expired" not in response.get_data(as_text=True):
                wrong.append(f"POST {url} ({endpoint}) {data}: {response.status_code}")
    response = client.post("/logout", data={})
    assert response.status_code == 400
    assert not wrong, "\n".join(wrong)
    with app.app_context():
        db.engine.dispose()
