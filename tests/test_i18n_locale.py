"""I1: which locale a page is in. The footer's switcher (a cookie), then the signed-in
person's profile, then the browser's Accept-Language; English when none names a locale we
ship. The page says its locale in <html lang>."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from summit import create_app
from summit.auth.forms import LOCALE_CHOICES
from summit.extensions import db
from summit.i18n import LOCALE_COOKIE, LOCALES
from summit.models import User
from tests.conftest import config_for, login

YEAR = 365 * 24 * 3600


def html_lang(client: FlaskClient, path: str = "/login", **headers: str) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    found = re.search(r'<html lang="([^"]*)">', response.get_data(as_text=True))
    assert found is not None, "no <html lang> on the page"
    return found[1]


def locale_cookie(response: object) -> str:
    """The Set-Cookie header that sets or removes the locale cookie."""
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("locale=")]  # type: ignore[attr-defined]
    assert len(headers) == 1, headers
    return str(headers[0])


@pytest.mark.parametrize(
    ("accept_language", "lang"),
    [
        ("de", "de"),
        ("de-DE,de;q=0.9,en;q=0.5", "de"),
        ("zh-CN,zh;q=0.9", "zh-CN"),
        ("zh", "zh-CN"),
        ("fr", "en"),
        ("fr-FR, de;q=0.5", "de"),  # the best locale we ship, not the first one asked for
        ("", "en"),
    ],
)
def test_i1_accept_language_picks_the_page_locale(
    client: FlaskClient, accept_language: str, lang: str
) -> None:
    assert html_lang(client, **{"Accept-Language": accept_language}) == lang


def test_i1_the_switcher_cookie_beats_accept_language(client: FlaskClient) -> None:
    client.set_cookie(LOCALE_COOKIE, "zh_CN")
    assert html_lang(client, **{"Accept-Language": "de"}) == "zh-CN"
    client.set_cookie(LOCALE_COOKIE, "tlh")  # a locale we do not ship counts for nothing
    assert html_lang(client, **{"Accept-Language": "de"}) == "de"


def test_i1_a_profile_locale_beats_accept_language_and_the_cookie_beats_both(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(locale="de")
    db.session.commit()
    login(client, user)
    assert html_lang(client, "/account", **{"Accept-Language": "zh-CN"}) == "de"
    client.set_cookie(LOCALE_COOKIE, "en")
    assert html_lang(client, "/account", **{"Accept-Language": "zh-CN"}) == "en"


def test_i1_an_empty_profile_locale_follows_the_browser(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(locale="")
    db.session.commit()
    login(client, user)
    assert html_lang(client, "/account", **{"Accept-Language": "zh-CN"}) == "zh-CN"


def test_i1_the_switcher_sets_the_cookie_for_a_year_and_returns_to_next(
    client: FlaskClient,
) -> None:
    response = client.post("/locale", data={"locale": "de", "next": "/summits?page=2"})
    assert response.status_code == 302
    assert response.location == "/summits?page=2"
    cookie = locale_cookie(response)
    assert cookie.startswith("locale=de;")
    assert f"Max-Age={YEAR}" in cookie
    assert "SameSite=Lax" in cookie
    assert "HttpOnly" in cookie
    assert html_lang(client, **{"Accept-Language": "zh-CN"}) == "de"


def test_i1_the_switcher_saves_a_signed_in_persons_profile(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    db.session.commit()
    login(client, user)
    response = client.post("/locale", data={"locale": "zh_CN", "next": "/account"})
    assert (response.status_code, response.location) == (302, "/account")
    db.session.refresh(user)
    assert user.locale == "zh_CN"
    # Another browser of the same person, without the cookie, follows the profile.
    other = client.application.test_client()
    login(other, user)
    assert html_lang(other, "/account", **{"Accept-Language": "de"}) == "zh-CN"


def test_i1_browser_default_clears_the_cookie_and_the_profile(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(locale="de")
    db.session.commit()
    login(client, user)
    client.set_cookie(LOCALE_COOKIE, "de")
    response = client.post("/locale?next=/account", data={"locale": ""})
    assert (response.status_code, response.location) == (302, "/account")
    assert "Max-Age=0" in locale_cookie(response) or "Expires=Thu, 01 Jan 1970" in (
        locale_cookie(response)
    )
    db.session.refresh(user)
    assert user.locale == ""
    assert html_lang(client, "/account", **{"Accept-Language": "zh-CN"}) == "zh-CN"


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
def test_i1_the_switcher_never_redirects_off_the_site(client: FlaskClient, evil: str) -> None:
    response = client.post("/locale", data={"locale": "de", "next": evil})
    assert response.status_code == 302
    assert response.location == "/"
    assert locale_cookie(response).startswith("locale=de;")


@pytest.mark.parametrize("unknown", ["fr", "xx_XX", "de; Path=/evil", "../../etc/passwd"])
def test_i1_an_unknown_locale_is_a_400_that_says_why(
    client: FlaskClient, make_user: Callable[..., User], unknown: str
) -> None:
    user = make_user(locale="de")
    db.session.commit()
    login(client, user)
    response = client.post("/locale", data={"locale": unknown, "next": "/account"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    # Said in the person's own language (their profile's German), naming what we offer.
    assert "Diese Sprache bieten wir nicht an" in page
    assert "Deutsch" in page and "简体中文" in page
    assert not [h for h in response.headers.getlist("Set-Cookie") if h.startswith("locale=")]
    db.session.refresh(user)
    assert user.locale == "de"


def test_i1_the_profile_offers_each_locale_in_its_own_language(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(locale="zh_CN")
    db.session.commit()
    login(client, user)
    page = client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    form = re.search(
        r'<form method="post" action="/locale\?next=(/|%2F)account".*?</form>', page, re.S
    )
    assert form is not None, "no Language form on the profile"
    options = re.findall(r'<option( selected)? value="([^"]*)">([^<]*)</option>', form[0])
    # The page is in the profile's Chinese; each locale is named in its own language.
    assert [(value, label) for _, value, label in options] == [
        ("", "跟随浏览器"),
        ("en", "English"),
        ("de", "Deutsch"),
        ("zh_CN", "简体中文"),
    ]
    assert [value for selected, value, _ in options if selected] == ["zh_CN"]


def test_i1_the_profile_choices_are_the_locales_we_ship() -> None:
    assert [choice.value for choice in LOCALE_CHOICES] == ["", *LOCALES]


def test_i1_every_page_has_the_switcher_and_it_works_without_javascript(
    database_url: str,
) -> None:
    """With CSRF on, as in production: the footer's own form, sent as a browser sends it."""
    app: Flask = create_app(config_for(database_url, WTF_CSRF_ENABLED=True))
    with app.app_context():
        db.create_all()
    client = app.test_client()
    page = client.get("/reset-password?x=1", headers={"Accept-Language": "de"})
    html = page.get_data(as_text=True)
    footer = re.search(r'<footer class="site">(.*?)</footer>', html, re.S)
    assert footer is not None, "no footer on the page"
    form = footer[1]
    assert 'action="/locale"' in form and 'method="post"' in form
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
    assert fields["next"] == "/reset-password?x=1"
    assert re.search(r'<option value="de" lang="de" translate="no" selected>Deutsch</option>', form)
    assert 'lang="zh-CN" translate="no">简体中文</option>' in form
    refused = client.post("/locale", data={"locale": "zh_CN", "next": fields["next"]})
    assert refused.status_code == 400  # no CSRF token
    response = client.post("/locale", data={**fields, "locale": "zh_CN"})
    assert (response.status_code, response.location) == (302, "/reset-password?x=1")
    assert html_lang(client, "/reset-password", **{"Accept-Language": "de"}) == "zh-CN"
    with app.app_context():
        db.engine.dispose()
