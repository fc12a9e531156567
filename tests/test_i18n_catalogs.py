"""I1: the translated strings, tested (the point of issue 17).

a. Catalogs current: extracting again gives the committed template's entries; every shipped
   catalog has them all, translated in every plural form, none fuzzy.
b. Placeholders and markup match between msgid and msgstr, and `msgfmt --check` passes.
c. The same checks (tests/i18n_checks.py) catch each defect of a deliberately broken test
   catalog, and report nothing on a correct one.

(a) and (b) wait for the committed translations/messages.pot and skip, saying so, until it
exists; (c) always runs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from flask_babel import ngettext

from summit import create_app
from summit.extensions import db
from summit.i18n import DEFAULT_LOCALE, LOCALES
from tests import i18n_checks as checks
from tests.conftest import config_for

SHIPPED = [locale for locale in LOCALES if locale != DEFAULT_LOCALE]
DATA = Path(__file__).resolve().parent / "data" / "i18n"
HOW_TO_UPDATE = (
    "update the catalogs (README, Translations): pybabel extract -F babel.cfg -k _l "
    "-o translations/messages.pot . && pybabel update -i translations/messages.pot "
    "-d translations, then translate"
)


def committed_template() -> Catalog:
    if not checks.TEMPLATE.exists():
        pytest.skip(
            "translations/messages.pot is not committed yet: the catalog checks start once "
            "it is (the broken-catalog tests run regardless)"
        )
    return checks.load(checks.TEMPLATE)


def shipped_catalog(locale: str) -> tuple[Path, Catalog]:
    path = checks.TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"{locale} is shipped (summit/i18n.py LOCALES) but has no {path}"
    return path, checks.load(path, locale)


# --- a. catalogs current --------------------------------------------------------------------


def test_i1_extracting_again_leaves_the_template_unchanged(tmp_path: Path) -> None:
    template = committed_template()
    fresh = checks.extract(checks.ROOT, tmp_path / "messages.pot")
    drift = checks.template_drift(template, fresh)
    assert not drift, f"{checks.report(drift)}\n{HOW_TO_UPDATE}"


@pytest.mark.parametrize("locale", SHIPPED)
def test_i1_every_shipped_catalog_is_complete_and_nothing_is_fuzzy(locale: str) -> None:
    template = committed_template()
    _, catalog = shipped_catalog(locale)
    problems = checks.completeness(template, catalog)
    assert not problems, f"{locale}: {checks.report(problems)}\n{HOW_TO_UPDATE}"


def test_i1_translations_holds_the_shipped_locales_only() -> None:
    committed_template()
    found = sorted(p.parent.parent.name for p in checks.TRANSLATIONS.glob("*/LC_MESSAGES/*.po"))
    assert found == sorted(SHIPPED), "a catalog for a locale summit/i18n.py does not offer"


# --- b. placeholders, markup, msgfmt ----------------------------------------------------------


@pytest.mark.parametrize("locale", SHIPPED)
def test_i1_placeholders_and_markup_match_in_every_form(locale: str) -> None:
    committed_template()
    _, catalog = shipped_catalog(locale)
    problems = checks.placeholder_problems(catalog) + checks.markup_problems(catalog)
    assert not problems, f"{locale}: {checks.report(problems)}"


@pytest.mark.parametrize("locale", SHIPPED)
def test_i1_msgfmt_check_passes(locale: str) -> None:
    committed_template()
    if checks.msgfmt() is None:
        pytest.skip("msgfmt is missing: scripts/install-system-deps.sh installs gettext")
    path, _ = shipped_catalog(locale)
    problems = checks.msgfmt_problems(path)
    assert not problems, f"{locale}: {checks.report(problems)}"


# --- c. the checks catch what they are for ------------------------------------------------------


def catalogs_under_test() -> tuple[Catalog, Catalog, Catalog]:
    template = checks.load(DATA / "messages.pot")
    broken = checks.load(DATA / "de" / "LC_MESSAGES" / "messages.po", "de")
    clean = checks.load(DATA / "zh_CN" / "LC_MESSAGES" / "messages.po", "zh_CN")
    return template, broken, clean


def planted_defects(catalog: Catalog) -> set[tuple[str, str]]:
    """(kind, entry) for each "# BROKEN: <kind>" comment in the broken catalog."""
    planted = set()
    for message in checks.entries(catalog):
        for comment in message.user_comments:
            if comment.startswith("BROKEN:"):
                planted.add((comment.split()[1], checks.shown(checks.key(message))))
    return planted


def test_i1_the_broken_catalog_has_each_kind_of_defect() -> None:
    """Keeps the test data honest: every defect the issue names is planted."""
    _, broken, _ = catalogs_under_test()
    kinds = Counter(kind for kind, _ in planted_defects(broken))
    assert kinds["placeholder"] >= 3  # a wrong name, a renamed brace field, a plural form
    assert kinds["markup"] >= 3  # a dropped link, tags out of order, a dropped entity
    assert kinds["untranslated"] >= 2  # a msgstr and one plural form
    assert kinds["fuzzy"] >= 1


def test_i1_the_checks_report_every_planted_defect_and_nothing_else() -> None:
    template, broken, _ = catalogs_under_test()
    problems = checks.catalog_problems(template, broken)
    reported = {(p.kind, p.msgid) for p in problems}
    expected = planted_defects(broken) | {("missing", "Log out")}
    assert expected - reported == set(), f"not caught: {sorted(expected - reported)}"
    assert reported - expected == set(), f"false alarms: {checks.report(problems)}"


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("Logged in as %(name)s.", "msgstr has ['%(user)s'], the msgid ['%(name)s']"),
        ("Changed: {name}", "msgstr has ['{titel}'], the msgid ['{name}']"),
        ("%(num)d person / %(num)d people", "msgstr[1] has [], the msgid ['%(num)d']"),
        ("%(num)d row refused / %(num)d rows refused", "msgstr[1] empty"),
        ('Read <a href="%(url)s">the guide</a> first.', "msgstr has tags [], the msgid"),
        ("<strong>%(num)d</strong> seats left", "closes its tags out of order"),
        ("Schedule &amp; rooms", "msgstr has entities [], the msgid ['&amp;']"),
        ("Waiting list", "fuzzy"),
    ],
)
def test_i1_each_problem_says_what_is_wrong(entry: str, says: str) -> None:
    template, broken, _ = catalogs_under_test()
    details = [p.detail for p in checks.catalog_problems(template, broken) if p.msgid == entry]
    assert any(says in detail for detail in details), details


def test_i1_a_correct_catalog_passes_every_check() -> None:
    """One plural form (zh_CN), reordered placeholders, %% and entities: no false alarm."""
    template, _, clean = catalogs_under_test()
    problems = checks.catalog_problems(template, clean)
    assert not problems, checks.report(problems)


def test_i1_a_fuzzy_header_or_a_wrong_plural_forms_header_is_reported(tmp_path: Path) -> None:
    """A header fresh from pybabel init is fuzzy (compile then skips the whole catalog); one
    copied from the German catalog gives Chinese two plural forms."""
    text = (DATA / "zh_CN" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    text = text.replace('\nmsgid ""\n', '\n#, fuzzy\nmsgid ""\n', 1)
    text = text.replace("nplurals=1; plural=0;", "nplurals=2; plural=(n != 1);")
    (tmp_path / "messages.po").write_text(text, encoding="utf-8")
    template, _, _ = catalogs_under_test()
    problems = checks.completeness(template, checks.load(tmp_path / "messages.po", "zh_CN"))
    reported = {(p.kind, p.msgid, p.detail) for p in problems}
    assert ("fuzzy", "", "the header is fuzzy: compile skips the catalog") in reported
    assert ("header", "", "Plural-Forms has nplurals=2; zh_CN has 1") in reported
    # read_po pads the one Chinese form to the header's two: the second is untranslated.
    assert ("untranslated", "%(num)d person / %(num)d people", "msgstr[1] empty") in reported


def test_i1_msgfmt_catches_the_broken_formats_and_passes_the_correct_catalog() -> None:
    if checks.msgfmt() is None:
        pytest.skip("msgfmt is missing: scripts/install-system-deps.sh installs gettext")
    assert checks.msgfmt_problems(DATA / "zh_CN" / "LC_MESSAGES" / "messages.po") == []
    problems = checks.msgfmt_problems(DATA / "de" / "LC_MESSAGES" / "messages.po")
    lines = "\n".join(p.detail for p in problems)
    assert "argument 'name' doesn't exist in 'msgstr'" in lines
    assert "argument 'num' doesn't exist in 'msgstr[1]'" in lines


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("%(name)s has %(num)d", ["%(name)s", "%(num)d"]),
        ("%s of %d, %.1f%%", ["%s", "%d", "%.1f"]),
        ("{0} and {name} and {}, {x!r:>5}", ["{0}", "{name}", "{}", "{x!r:>5}"]),
        ("100 % sicher, 100%% voll, {{ literal }}", []),
        ("%(num)d %(num)d", ["%(num)d", "%(num)d"]),  # a multiset: twice is not once
    ],
)
def test_i1_placeholders_are_read_as_python_formats_them(text: str, found: list[str]) -> None:
    assert sorted(checks.placeholders(text).elements()) == sorted(found)


def test_i1_extraction_finds_every_kind_of_string_and_drift_names_them(tmp_path: Path) -> None:
    """The real babel.cfg on a tiny source tree: _(), _l(), ngettext, pgettext, {% trans %}
    with a plural; a string added to or dropped from the source shows as drift."""
    (tmp_path / "summit").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "summit" / "forms.py").write_text(
        "from flask_babel import gettext as _, lazy_gettext as _l, ngettext, pgettext\n"
        'LABEL = _l("Full name")\n'
        'def said(n):\n    return _("Saved."), ngettext("%(num)d row", "%(num)d rows", n),'
        ' pgettext("month", "May")\n',
        encoding="utf-8",
    )
    (tmp_path / "templates" / "page.html").write_text(
        '<p>{{ _("Register") }}</p>\n'
        "{% trans count=n %}{{ count }} person{% pluralize %}{{ count }} people{% endtrans %}\n",
        encoding="utf-8",
    )
    fresh = checks.extract(tmp_path, tmp_path / "fresh.pot", checks.MAPPING)
    assert checks.keys(fresh) == {
        ("Full name", None, None),
        ("Saved.", None, None),
        ("%(num)d row", "%(num)d rows", None),
        ("May", None, "month"),
        ("Register", None, None),
        ("%(count)s person", "%(count)s people", None),
    }
    committed = checks.extract(tmp_path, tmp_path / "committed.pot", checks.MAPPING)
    committed.delete("Saved.")
    committed.add("Dropped from the source")
    drift = checks.template_drift(committed, fresh)
    assert {(p.kind, p.msgid) for p in drift} == {
        ("new", "Saved."),
        ("stale", "Dropped from the source"),
    }, checks.report(drift)
    assert "in the source, not in messages.pot" in checks.report(drift)


def test_i1_a_compiled_catalog_reaches_the_pages(tmp_path: Path) -> None:
    """The Make step's command (pybabel compile -d DIR) builds .mo files the app reads."""
    shutil.copytree(DATA / "zh_CN", tmp_path / "zh_CN")
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", "compile"]
    subprocess.run([*command, "-d", str(tmp_path)], check=True)
    assert (tmp_path / "zh_CN" / "LC_MESSAGES" / "messages.mo").exists()
    url = f"sqlite:///{tmp_path / 'summit.db'}"
    app = create_app(config_for(url, BABEL_TRANSLATION_DIRECTORIES=str(tmp_path)))
    with app.app_context():
        db.create_all()
        page = app.test_client().get("/login", headers={"Accept-Language": "zh-CN"})
        html = page.get_data(as_text=True)
        assert re.search(r'<label for="locale-switcher">语言</label>', html), html[-1500:]
        english = app.test_client().get("/login", headers={"Accept-Language": "en"})
        assert '<label for="locale-switcher">Language</label>' in english.get_data(as_text=True)
        # One plural form in Chinese: the catalog's plural rule came along.
        with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
            assert ngettext("%(num)d person", "%(num)d people", 1) == "1 人"
            assert ngettext("%(num)d person", "%(num)d people", 5) == "5 人"
        db.engine.dispose()
