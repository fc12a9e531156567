"""The checks of the translated strings (I1), as functions from catalogs to problems.

`tests/test_i18n_catalogs.py` runs them on the committed template and catalogs, and on a
deliberately broken catalog under `tests/data/i18n/`, so that the broken one proves the very
checks the real ones pass. Each check returns `Problem` records; an empty list is a pass.

- `template_drift`: a fresh extraction against the committed `.pot` (catalogs current).
- `completeness`: every template entry translated, none fuzzy, the right plural forms.
- `placeholder_problems`: `%(name)s`, `%d`, `{0}`, `{name}` the same in msgid and msgstr.
- `markup_problems`: HTML tags and entities of the msgid, balanced, in the msgstr.
- `msgfmt_problems`: GNU `msgfmt --check` (formats, header, domain).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from summit.i18n import catalog_name

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
MAPPING = ROOT / "babel.cfg"

Kind = Literal[
    "new",  # in the source, not in the committed template
    "stale",  # in the committed template, no longer in the source
    "missing",  # in the template, not in the catalog
    "extra",  # in the catalog, not in the template (run pybabel update)
    "untranslated",
    "fuzzy",
    "plural_forms",
    "header",
    "placeholder",
    "markup",
    "msgfmt",
]
# (msgid, msgid_plural, context): what makes an entry the same entry in two catalogs.
Key = tuple[str, str | None, str | None]


@dataclass(frozen=True, order=True)
class Problem:
    kind: Kind
    msgid: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.msgid!r}: {self.detail}"


def report(problems: Iterable[Problem]) -> str:
    """A failure message that lists every problem, one a line."""
    found = sorted(problems)
    return f"{len(found)} problem(s):\n" + "\n".join(f"  {p}" for p in found)


# --- reading and extracting ----------------------------------------------------------------


def load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, abort_invalid=True)


def extract(source: Path, output: Path, mapping: Path = MAPPING) -> Catalog:
    """`pybabel extract -F babel.cfg -k _l -o <output> .` in `source`, as the README says."""
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract"]
    command += ["-F", str(mapping), "-k", "_l", "-o", str(output), "."]
    done = subprocess.run(command, cwd=source, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pybabel extract failed:\n{done.stdout}{done.stderr}")
    return load(output)


def entries(catalog: Catalog) -> Iterator[Message]:
    """The catalog's messages, without its header entry (msgid "")."""
    return (message for message in catalog if message.id)


def key(message: Message) -> Key:
    if isinstance(message.id, tuple | list):
        return (str(message.id[0]), str(message.id[1]), message.context)
    return (str(message.id), None, message.context)


def keys(catalog: Catalog) -> set[Key]:
    return {key(message) for message in entries(catalog)}


def shown(entry: Key) -> str:
    msgid, plural, context = entry
    return (f"{context}|" if context else "") + msgid + (f" / {plural}" if plural else "")


def forms(message: Message) -> list[str]:
    if isinstance(message.string, tuple | list):
        return [str(s or "") for s in message.string]
    return [str(message.string or "")]


# --- a. catalogs current -------------------------------------------------------------------


def template_drift(committed: Catalog, fresh: Catalog) -> list[Problem]:
    """Entries a new extraction adds to, or drops from, the committed template."""
    old, new = keys(committed), keys(fresh)
    added = [Problem("new", shown(k), "in the source, not in messages.pot") for k in new - old]
    gone = [Problem("stale", shown(k), "in messages.pot, not in the source") for k in old - new]
    return sorted(added + gone)


def completeness(template: Catalog, catalog: Catalog) -> list[Problem]:
    """Every template entry is in the catalog, translated in every plural form, not fuzzy;
    the header is not fuzzy (pybabel compile skips such a catalog whole) and its
    Plural-Forms count is CLDR's for the locale."""
    problems: list[Problem] = []
    if catalog.fuzzy:
        problems.append(Problem("fuzzy", "", "the header is fuzzy: compile skips the catalog"))
    expected = get_plural(catalog.locale).num_plurals if catalog.locale else catalog.num_plurals
    if catalog.num_plurals != expected:
        name = catalog_name(catalog.locale) if catalog.locale else "?"
        detail = f"Plural-Forms has nplurals={catalog.num_plurals}; {name} has {expected}"
        problems.append(Problem("header", "", detail))
    wanted = keys(template)
    have = {key(message): message for message in entries(catalog)}
    for entry in sorted(wanted - have.keys(), key=shown):
        problems.append(Problem("missing", shown(entry), "not in the catalog"))
    for entry in sorted(have.keys() - wanted, key=shown):
        problems.append(Problem("extra", shown(entry), "not in the template: pybabel update"))
    for entry, message in sorted(have.items(), key=lambda item: shown(item[0])):
        strings = forms(message)
        if message.pluralizable and len(strings) != catalog.num_plurals:
            detail = f"{len(strings)} msgstr forms, the locale has {catalog.num_plurals}"
            problems.append(Problem("plural_forms", shown(entry), detail))
        empty = [i for i, text in enumerate(strings) if not text.strip()]
        if empty:
            where = ", ".join(f"msgstr[{i}]" for i in empty) if message.pluralizable else "msgstr"
            problems.append(Problem("untranslated", shown(entry), f"{where} empty"))
        if message.fuzzy:
            problems.append(Problem("fuzzy", shown(entry), "marked fuzzy: review it"))
    return problems


# --- b. placeholders and markup ------------------------------------------------------------

# printf-style, as Python's % operator reads it, without the space flag: "100 % der Plätze"
# is German typography, not a placeholder. `%%` and `{{ }}` are escapes, not placeholders.
_PLACEHOLDER = re.compile(
    r"%%|\{\{|\}\}"
    r"|%(?:\([^)]*\))?[#0+-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa]"
    r"|\{[\w]*(?:[.\[][^{}!:]*)?(?:![rsa])?(?::[^{}]*)?\}"
)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?\s*(/?)>")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")
_VOID = frozenset({"br", "hr", "img", "input", "wbr", "meta", "link", "source", "col", "area"})


def placeholders(text: str) -> Counter[str]:
    found = (m[0] for m in _PLACEHOLDER.finditer(text))
    return Counter(p for p in found if p not in ("%%", "{{", "}}"))


def tags(text: str) -> Counter[str]:
    """Tags by name and kind: "<a>", "</a>", "<br/>"; attributes do not count here (their
    placeholders do, in the placeholder check)."""
    out: Counter[str] = Counter()
    for close, name, self_closing in _TAG.findall(text):
        name = name.lower()
        void = bool(self_closing) or name in _VOID
        out["<" + name + "/>" if void else f"<{close}{name}>"] += 1
    return out


def entities(text: str) -> Counter[str]:
    return Counter(_ENTITY.findall(text))


def balanced(text: str) -> bool:
    """Each opened tag closed, in order (void elements stand alone)."""
    stack: list[str] = []
    for close, name, self_closing in _TAG.findall(text):
        name = name.lower()
        if self_closing or name in _VOID:
            continue
        if not close:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def _sources(message: Message, form: int, num_plurals: int) -> list[str]:
    """The msgid text(s) that msgstr[form] answers for: msgid_plural for every form (in a
    one-form language it covers every count); for form 0 of a language with several forms,
    the singular msgid also counts ("one session" may drop the number)."""
    if not message.pluralizable:
        return [str(message.id)]
    singular, plural = str(message.id[0]), str(message.id[1])
    return [plural, singular] if form == 0 and num_plurals > 1 else [plural]


def _pairs(catalog: Catalog) -> Iterator[tuple[Message, str, list[str]]]:
    """Each translated form with the msgid text(s) it must agree with."""
    for message in entries(catalog):
        for form, text in enumerate(forms(message)):
            if text:  # an empty form is the completeness check's to report
                label = f"msgstr[{form}]" if message.pluralizable else "msgstr"
                yield message, label, [text, *_sources(message, form, catalog.num_plurals)]


def placeholder_problems(catalog: Catalog) -> list[Problem]:
    problems = []
    for message, label, (text, *sources) in _pairs(catalog):
        got = placeholders(text)
        if all(got != placeholders(source) for source in sources):
            want = placeholders(sources[0])
            detail = f"{label} has {sorted(got.elements())}, the msgid {sorted(want.elements())}"
            problems.append(Problem("placeholder", shown(key(message)), detail))
    return problems


def markup_problems(catalog: Catalog) -> list[Problem]:
    problems = []
    for message, label, (text, *sources) in _pairs(catalog):
        entry = shown(key(message))
        if all(tags(text) != tags(source) for source in sources):
            detail = f"{label} has tags {sorted(tags(text).elements())}, the msgid "
            detail += f"{sorted(tags(sources[0]).elements())}"
            problems.append(Problem("markup", entry, detail))
        elif balanced(sources[0]) and not balanced(text):
            problems.append(Problem("markup", entry, f"{label} closes its tags out of order"))
        if all(entities(text) != entities(source) for source in sources):
            detail = f"{label} has entities {sorted(entities(text).elements())}, the msgid "
            detail += f"{sorted(entities(sources[0]).elements())}"
            problems.append(Problem("markup", entry, detail))
    return problems


def catalog_problems(template: Catalog, catalog: Catalog) -> list[Problem]:
    """Everything but msgfmt, for one shipped catalog."""
    return [
        *completeness(template, catalog),
        *placeholder_problems(catalog),
        *markup_problems(catalog),
    ]


# --- msgfmt --------------------------------------------------------------------------------


def msgfmt() -> str | None:
    return shutil.which("msgfmt")


def msgfmt_problems(path: Path) -> list[Problem]:
    """GNU gettext's own checks: `msgfmt --check` (formats of python-format entries, the
    header, the domain). Each line it prints is a problem."""
    program = msgfmt()
    if program is None:
        raise RuntimeError("msgfmt is not installed: scripts/install-system-deps.sh adds it")
    command = [program, "--check", "-o", "/dev/null", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    if done.returncode != 0 and not lines:
        lines = [f"msgfmt exited with {done.returncode}"]
    return [Problem("msgfmt", path.name, line) for line in lines] if done.returncode else []
