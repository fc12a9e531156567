"""The schedule as a PDF (P5): each Design Summit day's grid on a landscape page of its own,
with the tracks' legend and the day's lightning talks, rendered by WeasyPrint from a template
(templates/feeds/schedule_pdf.html) with Debian's fonts (DejaVu; Noto CJK for Chinese).

WeasyPrint fetches nothing: the page's style is inline and every other URL is refused, so
no text a user typed can make the server open a file or a web address.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from typing import Any

from flask import render_template

from summit.models import Day
from summit.schedule.grid import DayGrid, day_grid
from summit.services.programme import Programme

_CACHE: OrderedDict[str, bytes] = OrderedDict()  # etag → PDF: a layout takes a second
_CACHE_SIZE = 16
_LOCK = threading.Lock()


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the schedule PDF loads nothing from outside ({url[:60]})")


def grids(programme: Programme, days: list[Day]) -> list[DayGrid]:
    return [day_grid(programme, day, programme.rooms, lambda e: True) for day in days]


def render(programme: Programme, day: date | None, *, release_number: int) -> bytes:
    """The whole schedule, or one day of it, as PDF bytes."""
    from weasyprint import HTML  # imported on first use: it loads Pango

    days = [d for d in programme.days if day is None or d.date == day]
    html = render_template(
        "feeds/schedule_pdf.html",
        summit=programme.summit,
        grids=grids(programme, days),
        tracks=programme.tracks,
        release_number=release_number,
    )
    return bytes(HTML(string=html, url_fetcher=_refuse).write_pdf())


def cached(etag: str, build: Any) -> bytes:
    """The PDF of this version, built once per process and kept for the next visitors."""
    with _LOCK:
        if etag in _CACHE:
            _CACHE.move_to_end(etag)
            return _CACHE[etag]
    pdf: bytes = build()
    with _LOCK:
        _CACHE[etag] = pdf
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return pdf
