"""A pseudo-locale for the "nothing left in English" check (I1).

`build_catalog` extracts the messages as the README's workflow does (`pybabel extract`), and
compiles a catalog where every msgstr is its msgid accented and wrapped in markers:
"Register" becomes "⟦Régístér⟧", "%(num)d people" becomes "⟦%(num)d péóplé⟧". Placeholders,
HTML tags and entities are kept as they are, so the pages render as they do in English.

`untranslated` reads a rendered page and returns the visible text outside every marker: a
string that never went through gettext. Data is left out where the template says so with
`translate="no"` (HTML's own attribute: "do not translate this element's text"); so are
scripts and styles, the value of a text box, and what is only digits, punctuation, dates and
times as Babel formats them for the locale.

The locale's code: Babel refuses the usual pseudo-locale names (`en_XA`, `qps`), and
Flask-Babel hands the selected code to `babel.Locale.parse`, which would fail on every
request. `en_001` (English, World) is a real CLDR locale that we do not ship: Babel formats
its dates (through the non-English path of summit/i18n.py, as for de and zh_CN), gettext
finds its catalog under `en_001/LC_MESSAGES`, and its plural rule is English's.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_timedelta, get_timezone_name
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PSEUDO_LOCALE = "en_001"
OPEN, CLOSE = "⟦", "⟧"
# The extraction command of the README (Translations): keep the two in step.
EXTRACT = ["extract", "-F", "babel.cfg", "-k", "_l", "--no-location"]

# --- the catalog --------------------------------------------------------------------------

_ACCENTS = str.maketrans("aeiouycnAEIOUYCN", "áéíóúýçñÁÉÍÓÚÝÇÑ")
# What a translation must keep as it is: %-placeholders (named or not, with flags and
# widths), {}-placeholders, HTML tags and character references.
_KEEP = re.compile(
    r"%(?:\([^)]*\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]"
    r"|\{[^{}]*\}"
    r"|<[^>]*>"
    r"|&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);"
)
# Attributes people read, inside a tag that is part of a message: translated too.
_READ_ATTRIBUTES = re.compile(r"""\b(title|alt|aria-label|placeholder)=(["'])(.*?)\2""")


def pseudo(text: str) -> str:
    """`text` accented and between markers; placeholders, tags and entities untouched."""
    if not text:
        return text
    out: list[str] = []
    last = 0
    for match in _KEEP.finditer(text):
        out.append(text[last : match.start()].translate(_ACCENTS))
        kept = match.group(0)
        if kept.startswith("<"):
            kept = _READ_ATTRIBUTES.sub(lambda m: f"{m[1]}={m[2]}{pseudo(m[3])}{m[2]}", kept)
        out.append(kept)
        last = match.end()
    out.append(text[last:].translate(_ACCENTS))
    return OPEN + "".join(out) + CLOSE


def extract(pot: Path) -> None:
    """`pybabel extract` into `pot`, from the project's sources."""
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", *EXTRACT, "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def build_catalog(directory: Path, locale: str = PSEUDO_LOCALE) -> int:
    """Extract, write `<directory>/<locale>/LC_MESSAGES/messages.mo` (and its .po, to read),
    and return how many messages it holds."""
    directory.mkdir(parents=True, exist_ok=True)
    pot = directory / "messages.pot"
    extract(pot)
    with pot.open("rb") as f:
        return write_catalog(read_po(f), directory, locale)


def write_catalog(template: Catalog, directory: Path, locale: str = PSEUDO_LOCALE) -> int:
    """The pseudo translation of every message of `template`, plural forms and contexts
    included, compiled under `directory`."""
    catalog = Catalog(locale=locale)
    for message in template:
        if not message.id:
            continue
        if message.pluralizable:
            singular, plural = message.id[0], message.id[1]
            strings: str | tuple[str, ...] = (
                pseudo(singular),
                *[pseudo(plural)] * (catalog.num_plurals - 1),
            )
        else:
            strings = pseudo(str(message.id))
        catalog.add(message.id, strings, context=message.context, flags=message.flags)
    out = directory / locale / "LC_MESSAGES"
    out.mkdir(parents=True, exist_ok=True)
    with (out / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    with (out / "messages.po").open("wb") as f:
        write_po(f, catalog)
    return len(catalog)


# --- what is left in English ----------------------------------------------------------------

# Elements whose content is not text on the page (a text box's content is its value).
_NOT_TEXT = {"script", "style", "textarea"}
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip
# Inside a sentence: these do not end a string ("Read <em>all</em> of it").
_PHRASING = {"b", "i", "em", "strong", "small", "abbr", "code", "kbd", "sup", "sub", "mark",
             "q", "s", "u", "bdi", "bdo", "var", "samp", "dfn", "cite"}  # fmt: skip
_READ = {"title", "alt", "aria-label", "placeholder", "aria-description", "aria-roledescription"}
_BUTTON_INPUTS = {"submit", "button", "reset"}
UNBALANCED = "(the pseudo-locale's markers do not pair up: a translation was cut or split)"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, data: translate="no" in force)
        self.hidden = 0  # inside script, style, textarea
        self.depth = 0  # inside how many markers
        self.unbalanced = False
        self.piece: list[str] = []
        self.found: list[str] = []

    @property
    def data(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _PHRASING:
            self.flush()
        values = {name: value or "" for name, value in attrs}
        translate = values.get("translate", "").strip().lower()
        data = translate == "no" or (self.data and translate != "yes")
        if not data:
            self._attributes(tag, values)
        if tag in _NOT_TEXT:
            self.hidden += 1
        if tag not in _VOID:
            self.stack.append((tag, data))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _PHRASING:
            self.flush()
        if tag in _NOT_TEXT:
            self.hidden = max(0, self.hidden - 1)
        if any(t == tag for t, _ in self.stack):
            while self.stack and self.stack.pop()[0] != tag:
                pass

    def _attributes(self, tag: str, values: dict[str, str]) -> None:
        read = [v for name, v in values.items() if name in _READ]
        if tag == "input" and values.get("type", "text").lower() in _BUTTON_INPUTS:
            read.append(values.get("value", ""))
        if tag in ("option", "optgroup") and "label" in values:
            read.append(values["label"])
        for value in read:
            self.found.extend(outside_markers(value))

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        for ch in data:
            if ch == OPEN:
                self.flush()
                self.depth += 1
            elif ch == CLOSE:
                self.flush()
                if self.depth == 0:
                    self.unbalanced = True
                self.depth = max(0, self.depth - 1)
            elif self.depth == 0:
                if self.data:
                    self.flush()
                else:
                    self.piece.append(ch)

    def flush(self) -> None:
        text = " ".join("".join(self.piece).split())
        self.piece.clear()
        if text:
            self.found.append(text)

    def close(self) -> None:
        super().close()
        self.flush()
        if self.depth or self.unbalanced:
            self.found.append(UNBALANCED)


def outside_markers(text: str) -> list[str]:
    """The pieces of `text` outside every ⟦…⟧ (markers nest: a translated placeholder)."""
    pieces, piece, depth = [], [], 0
    for ch in text:
        if ch in (OPEN, CLOSE):
            pieces.append("".join(piece))
            piece = []
            depth = depth + 1 if ch == OPEN else max(0, depth - 1)
        elif depth == 0:
            piece.append(ch)
    pieces.append("".join(piece))
    return [" ".join(p.split()) for p in pieces if p.strip()]


def visible_strings(html: str) -> list[str]:
    """Every string a reader sees on `html` outside the markers, in order, noise included."""
    page = _Page()
    page.feed(html)
    page.close()
    return page.found


class Noise:
    """What is no message: digits, punctuation, symbols, and dates and times as Babel writes
    them for the locale: month and day names, AM/PM, durations ("in 3 days"), the summits'
    time zones by name ("Pacific Time") and abbreviation ("PDT"), UTC and GMT."""

    def __init__(self, locale: str, zones: Iterable[str] = ()) -> None:
        loc = Locale.parse(locale)
        words: set[str] = {"utc", "gmt"}
        phrases: set[str] = set()

        def add(*texts: str | None) -> None:
            for text in texts:
                words.update(w.casefold() for w in _WORD.findall(text or ""))

        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated", "short"):
                add(*loc.months.get(context, {}).get(width, {}).values())
                add(*loc.days.get(context, {}).get(width, {}).values())
        add(loc.periods.get("am"), loc.periods.get("pm"))
        for seconds in (1, 60, 3600, 86400, 7 * 86400, 31 * 86400, 366 * 86400):
            for count in (1, 2, 5):
                delta = timedelta(seconds=seconds * count)
                for fmt in ("long", "short", "narrow"):
                    phrases.add(format_timedelta(delta, format=fmt, locale=loc))
                    for signed in (delta, -delta):
                        phrases.add(
                            format_timedelta(signed, format=fmt, locale=loc, add_direction=True)
                        )
        year = datetime(2011, 1, 1, tzinfo=UTC)
        for name in zones:
            zone = ZoneInfo(name)
            for width in ("long", "short"):
                phrases.add(get_timezone_name(zone, width, locale=loc))
                phrases.add(get_timezone_name(year, width, locale=loc, zone_variant=None))
            for month in range(12):
                moment = (year + timedelta(days=31 * month)).astimezone(zone)
                add(moment.strftime("%Z"))
                for width in ("long", "short"):
                    phrases.add(get_timezone_name(moment, width, locale=loc))
        patterns = {_pattern(p) for p in phrases if p}
        self.phrases = re.compile(
            r"(?<!\w)(?:" + "|".join(sorted(patterns, key=len, reverse=True)) + r")(?!\w)",
            re.IGNORECASE,
        )
        self.words = frozenset(words)

    def __call__(self, text: str) -> bool:
        rest = self.phrases.sub(" ", text)
        return all(w.casefold() in self.words for w in _WORD.findall(rest))


def _pattern(phrase: str) -> str:
    """A regular expression for `phrase` with any number and any spacing."""
    parts = re.split(r"(\d+|\s+)", phrase)
    return "".join(
        r"\d+" if p.isdigit() else r"\s+" if p.isspace() else re.escape(p) for p in parts if p
    )


# A word: letters, with inner apostrophes or dots ("o'clock", "a.m.").
_WORD = re.compile(r"[^\W\d_]+(?:['.’][^\W\d_]+)*")


def untranslated(html: str, noise: Noise) -> list[str]:
    """The strings on `html` that no catalog translated: sorted, each once."""
    return sorted({s for s in visible_strings(html) if not noise(s)})
