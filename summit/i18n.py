"""Translations (I1): Flask-Babel, the locales we ship, and how a request picks one.

A request's locale is, in order: the footer switcher's choice (a cookie), the signed-in
person's profile, then the browser's Accept-Language; English when none of them names a
locale we ship. Mail is rendered in its recipient's locale (`force_locale` around it)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from babel import Locale, support
from babel.dates import format_date, format_skeleton
from flask import Flask, current_app, g, request
from flask_babel import Babel, Domain, get_locale
from flask_login import current_user

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
DEFAULT_LOCALE = "en"
# The locales we ship, each named in its own language for the switcher.
LOCALES = {"en": "English", "de": "Deutsch", "zh_CN": "简体中文"}
LOCALE_COOKIE = "locale"
LOCALE_COOKIE_AGE = timedelta(days=365)


def catalog_name(locale: Locale, sep: str = "_") -> str:
    """The name we ship `locale` under: Babel reads "zh_CN" as zh_Hans_CN, the catalog's
    directory (pybabel init -l zh_CN) and the page's lang say zh_CN / zh-CN."""
    return sep.join(part for part in (locale.language, locale.territory) if part)


class ShippedCatalogs(Domain):  # type: ignore[misc]  # Flask-Babel ships no types
    """Flask-Babel looks a catalog up by str(locale), "zh_Hans_CN", and gettext then tries
    translations/zh_Hans_CN and translations/zh, never translations/zh_CN: Chinese pages
    would stay English. This looks up the shipped name. The cache is keyed by directory too,
    since Flask-Babel keeps one domain for every app of the process (the tests make many)."""

    def get_translations(self) -> support.NullTranslations:
        locale = get_locale()
        if locale is None:
            return support.NullTranslations()
        directories = tuple(self.translation_directories)
        name, domain = catalog_name(locale), self.domain[0]
        cached: support.Translations | None = self.cache.get((directories, name, domain))
        if cached is not None:
            return cached
        translations = support.Translations()
        for directory in directories:
            found = support.Translations.load(directory, [name], domain)
            if isinstance(found, support.Translations):  # else no catalog there
                translations.merge(found)
                translations.plural = found.plural  # merge() leaves the plural rule behind
        self.cache[directories, name, domain] = translations
        return translations


babel = Babel()
babel.domain_instance = ShippedCatalogs()


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
    if request.path.startswith("/api/"):
        return DEFAULT_LOCALE  # the JSON API is read by programs: its words stay English
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
    app.context_processor(lambda: {"current_locale": html_lang()})
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.filters["day"] = format_day
    # The switcher's route and form live apart: they need the models, which need this module.
    from summit import locale_views

    app.register_blueprint(locale_views.bp)
    app.jinja_env.globals["locale_form"] = locale_views.locale_form
    app.jinja_env.globals["switcher_return"] = locale_views.switcher_return
    app.teardown_request(_forget_locale)


def _forget_locale(_error: BaseException | None = None) -> None:
    """Flask-Babel keeps a request's locale in `g`, which lives as long as the app context:
    where one context serves several requests (the tests, a CLI command), the next request
    would inherit this one's locale. Each request picks its own."""
    g.pop("_flask_babel", None)


def html_lang() -> str:
    """The page's locale as HTML and BCP 47 write it: "de", "zh-CN"."""
    locale = get_locale()
    return DEFAULT_LOCALE if locale is None else catalog_name(locale, "-")


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
