"""Choosing a locale (I1): the footer's switcher and the profile's Language, one route.

A cookie keeps the choice for this browser; a signed-in person's profile keeps it for their
pages elsewhere and for their mail (summit/i18n.py reads both)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from summit.auth.forms import LocaleForm
from summit.i18n import LOCALE_COOKIE, LOCALE_COOKIE_AGE, LOCALES
from summit.services import accounts
from summit.web import Refused, apply, safe_next

bp = Blueprint("i18n", __name__)


def switcher_return() -> str:
    """Where the switcher brings you back: this page with its query (the day, the filters),
    less any `next` of its own, which is not the switcher's to echo or follow."""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != "next"]
    return request.path + (f"?{urlencode(kept)}" if kept else "")


def locale_form() -> LocaleForm:
    """The profile's Language field, showing the signed-in person's choice."""
    chosen = current_user.locale if current_user.is_authenticated else ""
    return LocaleForm(formdata=None, locale=chosen)


def remember_locale(response: Response, locale: str) -> Response:
    """The switcher's cookie, for a year; "" removes it, so the profile or browser decide."""
    if not locale:
        response.delete_cookie(LOCALE_COOKIE)
        return response
    response.set_cookie(
        LOCALE_COOKIE,
        locale,
        max_age=int(LOCALE_COOKIE_AGE.total_seconds()),
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
    )
    return response


@bp.post("/locale")
def set_locale() -> Response:
    """The footer's switcher and the profile's Language: a cookie for this browser (a year)
    and, for a signed-in person, their profile (mail follows it); then back to the page it
    came from (`next`, a local path only). A plain form: it works without JavaScript."""
    form = LocaleForm()
    if not form.validate_on_submit():
        offered = ", ".join(LOCALES.values())
        abort(400, _("We do not offer that language. Choose one of: %(offered)s.", offered=offered))
    locale = form.locale.data or ""
    if current_user.is_authenticated:
        saved = apply(lambda: accounts.set_locale(current_user.id, locale), show=False)
        if isinstance(saved, Refused):
            abort(saved.status, saved.message)
    back = safe_next(request.form.get("next") or request.args.get("next"))
    return remember_locale(redirect(back or url_for("public.home")), locale)
