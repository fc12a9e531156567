"""The public changelog as an Atom feed (P4): one entry per schedule release."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from summit.models import Summit
from summit.services.releases import ReleaseChanges

ATOM = "http://www.w3.org/2005/Atom"
_NEVER = datetime(2000, 1, 1, tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def changes_feed(
    summit: Summit,
    log: list[ReleaseChanges],
    *,
    page_url: str,
    feed_url: str,
    describe: Callable[[ReleaseChanges], list[str]],
) -> bytes:
    """`log` is newest first; `describe` gives one line of text per change of a release.
    The feed's own words are in the request's locale."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    sub(feed, "id", feed_url)
    sub(feed, "title", str(_("Schedule changes · %(summit)s", summit=summit.name)))
    sub(feed, "updated", _stamp(log[0].release.published_at if log else _NEVER))
    sub(feed, "link", href=page_url, rel="alternate", type="text/html")
    sub(feed, "link", href=feed_url, rel="self", type="application/atom+xml")
    author = sub(feed, "author")
    sub(author, "name", summit.name)
    for item in log:
        r = item.release
        entry = sub(feed, "entry")
        sub(entry, "id", f"{page_url}#release-{r.number}")
        title = ngettext(
            "Release %(number)s: %(num)d change",
            "Release %(number)s: %(num)d changes",
            len(item.changes),
            number=r.number,
        )
        sub(entry, "title", str(title))
        sub(entry, "updated", _stamp(r.published_at))
        sub(entry, "link", href=f"{page_url}#release-{r.number}", rel="alternate")
        lines = ([r.note] if r.note else []) + describe(item)
        sub(entry, "content", "\n".join(lines) or str(_("No change.")), type="text")
    body = ET.tostring(feed, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'.encode()
