"""Translations (I1): Flask-Babel, the locales we ship, and how a request picks one.

A request's locale is, in order: the footer switcher's choice (a cookie), the signed-in
person's profile, then the browser's Accept-Language; English when none of them names a
locale we ship. Mail is rendered in its recipient's locale (`force_locale` around it)."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from pathlib import Path

from babel.dates import format_date, format_skeleton
from flask import Flask, current_app, request
from flask_babel import Babel, get_locale
from flask_login import current_user

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
DEFAULT_LOCALE = "en"
# The locales we ship, each named in its own language for the switcher.
LOCALES = {"en": "English", "de": "Deutsch", "zh_CN": "简体中文"}
LOCALE_COOKIE = "locale"

babel = Babel()


def shipped(locale: str | None) -> str | None:
    """`locale` if we ship it (also from "zh-CN" or "de-AT"), else None."""
    if not locale:
        return None
    locale = locale.replace("-", "_")
    if locale in LOCALES:
        return locale
    language = locale.split("_")[0]
    if language == "zh":
        return "zh_CN"
    return language if language in LOCALES else None


def select_locale() -> str:
    if not request:
        return DEFAULT_LOCALE
    # Tests only: every request in one locale, such as the pseudo-locale of
    # tests/test_i18n_pseudo.py (whose catalog comes in BABEL_TRANSLATION_DIRECTORIES).
    forced = current_app.config.get("FORCE_LOCALE")
    if forced:
        return str(forced)
    chosen = shipped(request.cookies.get(LOCALE_COOKIE))
    if chosen:
        return chosen
    if current_user and current_user.is_authenticated:
        profile = shipped(getattr(current_user, "locale", None))
        if profile:
            return profile
    best = request.accept_languages.best_match(
        [*LOCALES, "zh", "zh-CN", "zh-Hans", "de-DE"], default=DEFAULT_LOCALE
    )
    return shipped(best) or DEFAULT_LOCALE


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        default_locale=DEFAULT_LOCALE,
        default_translation_directories=str(TRANSLATIONS),
        locale_selector=select_locale,
    )
    app.jinja_env.globals["LOCALES"] = LOCALES
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.globals["locale_tag"] = locale_tag


def locale_tag() -> str:
    """The page's locale as HTML's lang attribute spells it: "de", "zh-CN"."""
    return str(get_locale() or DEFAULT_LOCALE).replace("_", "-")


# Dates in words. English keeps the house style the pages have always had ("Thu 28 Apr");
# other locales take CLDR's pattern for the same parts, through Babel ("Do., 28. Apr.",
# "4月28日周四"). Times are on the 24-hour clock everywhere.
_SKELETONS = {
    "%A": "EEEE",
    "%a": "EEE",
    "%a %d %b": "MMMEd",
    "%A %d %B": "MMMMEEEEd",
    "%a %d %b %Y": "yMMMEd",
    "%A %d %B %Y": "yMMMMEEEEd",
    "%d %b %Y": "yMMMd",
    "%Y-%m-%d": "yMd",
}


def format_day(value: date | datetime, fmt: str = "%a %d %b") -> str:
    """`value`'s date in words, `fmt` being one of the strftime shapes above."""
    locale = str(get_locale() or DEFAULT_LOCALE)
    if locale == DEFAULT_LOCALE or fmt not in _SKELETONS:
        return value.strftime(fmt)
    skeleton = _SKELETONS[fmt]
    if skeleton in ("EEEE", "EEE"):  # a weekday alone is a pattern, not a skeleton
        return format_date(value, skeleton, locale=locale)
    return format_skeleton(skeleton, value, locale=locale)


def format_local(instant: datetime | None, zone: tzinfo, fmt: str = "%a %d %b %H:%M") -> str:
    """An instant in the summit's zone: its date part in words (format_day), then the clock."""
    if instant is None:
        return ""
    moment = instant.astimezone(zone)
    day_part, _, _clock = fmt.partition(" %H:%M")
    if day_part == "%H:%M":
        return moment.strftime("%H:%M")
    if day_part.endswith(","):  # "%A %d %B, %H:%M"
        return f"{format_day(moment, day_part[:-1])}, {moment.strftime('%H:%M')}"
    words = format_day(moment, day_part)
    return f"{words} {moment.strftime('%H:%M')}" if "%H:%M" in fmt else words
