"""I1: a mail is worded in its recipient's locale (their profile's, if we ship it, else
English), whatever the locale of the request that queued it.

The mechanism: the locale Flask-Babel reports while the waiting-list mail's subject, text part
and HTML part are worded; and the outcome with the shipped catalogs: the words themselves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from babel import Locale
from flask import Flask, g
from flask_babel import get_locale
from jinja2 import pass_context
from jinja2.runtime import Context
from sqlalchemy import select

from summit import notifications
from summit.extensions import db
from summit.models import EventKind, OutboxEmail, Summit, User
from summit.services import registration as reg


@pytest.mark.parametrize(
    ("profile", "browser", "expected"),
    [("de", "zh-CN", "de"), ("zh_CN", "de", "zh_CN"), ("", "de", "en"), ("fr", "de", "en")],
)
def test_i1_waitlist_mail_is_worded_in_the_recipients_locale(
    app: Flask,
    make_summit: Callable[..., Summit],
    make_user: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
    profile: str,
    browser: str,
    expected: str,
) -> None:
    event = make_summit(design_capacity=1, design_open=1).event(EventKind.DESIGN_SUMMIT)
    assert event is not None
    seated, late = make_user(), make_user(locale=profile)
    db.session.commit()
    reg.register(seated.id, event.id)
    db.session.commit()

    seen: list[tuple[str, str]] = []  # (what was being worded, the locale at that moment)
    subject_gettext = notifications._

    def recording_gettext(string: str, **variables: Any) -> str:
        seen.append(("subject", str(get_locale())))
        return str(subject_gettext(string, **variables))

    template_gettext = app.jinja_env.globals["gettext"]

    @pass_context
    def recording_template_gettext(context: Context, string: str, **variables: Any) -> str:
        seen.append((str(context.name).rsplit(".", 1)[-1], str(get_locale())))
        return str(template_gettext(context, string, **variables))  # type: ignore[operator]

    monkeypatch.setattr(notifications, "_", recording_gettext)
    monkeypatch.setitem(app.jinja_env.globals, "gettext", recording_template_gettext)

    # The request that queues the mail asks for another locale: the mail must not follow it.
    with app.test_request_context("/", headers={"Accept-Language": browser}):
        g.pop("_flask_babel", None)  # the test's app context outlives requests
        asked = get_locale()
        assert asked != Locale.parse(expected)
        reg.register(late.id, event.id)
        assert get_locale() == asked  # and the request keeps its own locale
    db.session.commit()

    assert {part for part, _ in seen} == {"subject", "txt", "html"}
    assert {locale for _, locale in seen} == {str(Locale.parse(expected))}
    mail = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_addr == late.email)).one()
    assert mail.kind == "seat_waitlisted"
    assert f'<html lang="{expected.replace("_", "-")}">' in mail.html


@pytest.mark.parametrize(
    ("profile", "words"),
    [("de", "Warteliste"), ("zh_CN", "候补名单"), ("", "waiting list")],
)
def test_i1_waitlist_mail_reads_in_the_recipients_language(
    app: Flask,
    make_summit: Callable[..., Summit],
    make_user: Callable[..., User],
    profile: str,
    words: str,
) -> None:
    """With the shipped catalogs: the words themselves, in the subject and in both parts."""
    from email import message_from_bytes, policy

    from summit.mail import build_message

    event = make_summit(design_capacity=1, design_open=1).event(EventKind.DESIGN_SUMMIT)
    assert event is not None
    seated, late = make_user(), make_user(locale=profile)
    db.session.commit()
    reg.register(seated.id, event.id)
    reg.register(late.id, event.id)
    db.session.commit()
    row = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_addr == late.email)).one()
    message = message_from_bytes(bytes(build_message(app, row)), policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert words.lower() in (str(message["Subject"]) + text).lower()
    assert words.lower() in html.lower()
    if profile:
        assert "waiting list" not in (text + html).lower()
