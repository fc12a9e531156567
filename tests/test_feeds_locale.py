"""I1 for the calendars: the personal feed is worded in its owner's locale (their calendar
app has no say), a public feed in the request's; the ETag names the locale, so a client never
keeps a feed in another language. The mechanism is checked by the locale seen while the
events' descriptions are worded (the words themselves come with the catalogs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from babel import Locale
from flask import Flask, g
from flask.testing import FlaskClient
from flask_babel import get_locale

from summit.exports import ical
from summit.extensions import db
from summit.models import Summit, User
from tests.factories import Built, build_programme


@pytest.fixture
def built(make_summit: Callable[..., Summit], make_user: Callable[..., User]) -> Built:
    return build_programme(make_summit, make_user)


@pytest.fixture
def seen(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[Locale]:
    """The locale at each event description worded from now on."""
    locales: list[Locale] = []
    describe = ical.description

    def recording(*args: Any, **kwargs: Any) -> str:
        locales.append(get_locale())
        return describe(*args, **kwargs)

    monkeypatch.setattr(ical, "description", recording)

    @app.before_request
    def each_request_picks_its_locale() -> None:
        g.pop("_flask_babel", None)  # the test's app context outlives its requests

    return locales


def test_i1_personal_feed_is_worded_in_its_owners_locale(
    client: FlaskClient, built: Built, seen: list[Locale]
) -> None:
    built.fan.locale = "de"
    db.session.commit()
    url = f"/diablo/my/{built.fan.feed_address}.ics"
    response = client.get(url, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    assert seen and set(seen) == {Locale.parse("de")}

    seen.clear()
    built.fan.locale = ""  # no choice: English, whatever the calendar app sends
    db.session.commit()
    client.get(url, headers={"Accept-Language": "zh-CN"})
    assert seen and set(seen) == {Locale.parse("en")}


def test_i1_public_feed_follows_the_request_and_its_etag_names_the_locale(
    client: FlaskClient, built: Built, seen: list[Locale]
) -> None:
    chinese = client.get("/diablo/schedule.ics", headers={"Accept-Language": "zh-CN"})
    assert seen and set(seen) == {Locale.parse("zh_CN")}
    assert "Accept-Language" in chinese.headers["Vary"]
    english = client.get("/diablo/schedule.ics", headers={"Accept-Language": "en"})
    assert english.headers["ETag"] != chinese.headers["ETag"]
    again = client.get(
        "/diablo/schedule.ics",
        headers={"Accept-Language": "en", "If-None-Match": english.headers["ETag"]},
    )
    assert again.status_code == 304
    other = client.get(
        "/diablo/schedule.ics",
        headers={"Accept-Language": "de", "If-None-Match": english.headers["ETag"]},
    )
    assert other.status_code == 200
