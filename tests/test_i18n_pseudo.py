"""I1, nothing left in English: every page, for each role, on the demo summit, in a
pseudo-locale generated here (tests/pseudo_locale.py). Visible text outside the pseudo
translations' markers never went through gettext; the test lists it, page by page.

Data is not a message: templates mark it with `translate="no"` (a title, a name, an
address, a track, room or summit name, a description), and the scan leaves it out.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from babel.messages.catalog import Catalog
from babel.support import Translations
from flask import Flask
from sqlalchemy import select

from summit import create_app
from summit.extensions import db
from summit.i18n import TRANSLATIONS
from summit.models import Summit
from tests.conftest import ARTIFACTS, TEST_DB, config_for
from tests.i18n_pages import ROLES, demo_world, page_paths, role_clients
from tests.pseudo_locale import (
    CLOSE,
    OPEN,
    PSEUDO_LOCALE,
    UNBALANCED,
    Noise,
    build_catalog,
    outside_markers,
    pseudo,
    untranslated,
    write_catalog,
)


def test_i1_pseudo_translation_keeps_placeholders_tags_and_entities() -> None:
    assert pseudo("Register") == "⟦Régístér⟧"
    assert pseudo("%(num)d people in %(room)s") == "⟦%(num)d péóplé íñ %(room)s⟧"
    assert pseudo("%s of %d, 100%%") == "⟦%s óf %d, 100%%⟧"
    assert pseudo("{0} or {name}") == "⟦{0} ór {name}⟧"
    assert pseudo('Read <a href="%(url)s" class="rule">the rules</a>&nbsp;first') == (
        '⟦Réád <a href="%(url)s" class="rule">thé rúlés</a>&nbsp;fírst⟧'
    )
    assert pseudo('<abbr title="Coordinated time">UTC</abbr>') == (
        '⟦<abbr title="⟦Çóórdíñátéd tímé⟧">ÚTÇ</abbr>⟧'
    )


def test_i1_pseudo_catalog_has_plural_forms_and_contexts(tmp_path) -> None:
    template = Catalog()
    template.add("Register")
    template.add(("%(num)d person", "%(num)d people"))
    template.add("May", context="month")
    write_catalog(template, tmp_path)
    translations = Translations.load(str(tmp_path), [PSEUDO_LOCALE])
    assert translations.gettext("Register") == "⟦Régístér⟧"
    assert translations.ngettext("%(num)d person", "%(num)d people", 1) == "⟦%(num)d pérsóñ⟧"
    assert translations.ngettext("%(num)d person", "%(num)d people", 2) == "⟦%(num)d péóplé⟧"
    assert translations.pgettext("month", "May") == "⟦Máý⟧"


def test_i1_the_scan_finds_text_outside_the_markers_and_leaves_data_out() -> None:
    noise = Noise(PSEUDO_LOCALE, ["America/Los_Angeles"])
    html = f"""<html><head><title>{OPEN}Schédúlé{CLOSE} · Summit</title>
      <style>.x {{ content: "English" }}</style><script>var s = "English";</script></head>
      <body><nav><a href="/">{OPEN}Hómé{CLOSE}</a><a href="/s">Sessions</a></nav>
      <p>{OPEN}Léd bý <span translate="no">Ada Lovelace</span>{CLOSE}</p>
      <p>{OPEN}Séé <a href="#">{OPEN}áll{CLOSE}</a> tálks{CLOSE} — 3 left</p>
      <h2 translate="no">Nova: <em>live migration</em> <span translate="yes">Track</span></h2>
      <p>Thu 28 Apr, 14:00–14:40 PDT, UTC−7 · 12 · ★ · in 3 days</p>
      <input type="submit" value="Book"><input name="q" value="typed by someone"
        placeholder="{OPEN}Séárçh{CLOSE}"><img alt="A map" src="m.png">
      <button aria-label="{OPEN}Clóşé{CLOSE}" title="Close the dialog">×</button>
      <textarea name="d">A description being edited</textarea>
      <select><option>{OPEN}Ñóñé{CLOSE}</option><option>Morning</option></select>
      </body></html>"""
    assert untranslated(html, noise) == sorted(
        [
            "· Summit",
            "Sessions",
            "— 3 left",
            "Track",
            "Book",
            "A map",
            "Close the dialog",
            "Morning",
        ]
    )
    assert outside_markers(f"{OPEN}á {OPEN}b{CLOSE} ç{CLOSE} d") == ["d"]
    cut = f"<p>{OPEN}Á tráñslátíóñ cut shórt</p><p>Everything after it</p>"
    assert untranslated(cut, noise) == [UNBALANCED]


def test_i1_nothing_left_in_english_on_any_page_for_any_role(
    app: Flask, database_url: str, tmp_path
) -> None:
    directory = tmp_path / "translations"
    messages = build_catalog(directory)
    pseudo_app = create_app(
        config_for(
            database_url,
            BABEL_TRANSLATION_DIRECTORIES=f"{TRANSLATIONS};{directory}",
            FORCE_LOCALE=PSEUDO_LOCALE,
        )
    )
    # page → string → the roles that saw it
    findings: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    renders = 0
    try:
        world = demo_world(app, pseudo_app.test_client())
        paths = page_paths(pseudo_app, world)
        noise = Noise(PSEUDO_LOCALE, db.session.scalars(select(Summit.timezone)).all())
        for role, client in role_clients(pseudo_app, world).items():
            for path in paths:
                response = client.get(path)
                if response.status_code >= 500:
                    findings[world.label(path)][f"(HTTP {response.status_code})"].add(role)
                if response.mimetype != "text/html" or response.status_code in range(300, 400):
                    continue  # a feed, or a redirect's body that nobody sees
                renders += 1
                for text in untranslated(response.get_data(as_text=True), noise):
                    findings[world.label(path)][text].add(role)
    finally:
        with pseudo_app.app_context():
            db.engine.dispose()

    report, summary = _report(findings, messages, len(paths), renders)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"i18n-pseudo-findings-{TEST_DB}.txt").write_text(report + "\n")
    print(summary)
    if findings:
        pytest.fail(report, pytrace=False)


def _report(
    findings: dict[str, dict[str, set[str]]], messages: int, pages: int, renders: int
) -> tuple[str, str]:
    total = sum(len(strings) for strings in findings.values())
    by_string = Counter(s for strings in findings.values() for s in strings)
    summary = (
        f"pseudo-locale {PSEUDO_LOCALE}: {messages} messages in the catalog; {pages} pages × "
        f"{len(ROLES)} roles, {renders} HTML renders; {total} findings "
        f"({len(by_string)} distinct strings on {len(findings)} pages)"
    )
    lines = [summary, "", "Untranslated strings, page by page (roles that saw them if not all):"]
    for path in sorted(findings):
        lines.append(path)
        for text, roles in sorted(findings[path].items()):
            seen = "" if len(roles) == len(ROLES) else f"   [{', '.join(sorted(roles))}]"
            lines.append(f"    {text!r}{seen}")
    lines += ["", "Most common (pages):"]
    lines += [f"  {n:4d}  {text!r}" for text, n in by_string.most_common(20)]
    return "\n".join(lines), summary
