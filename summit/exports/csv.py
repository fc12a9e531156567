"""CSV exports for organizers (R7): functions from loaded rows to bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from summit.models import PriorityClass, Registration

# A cell starting with one of these would be run as a formula by a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _write(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    # A byte-order mark so that spreadsheet programs read the UTF-8 names correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def attendees_csv(registrations: Iterable[Registration]) -> bytes:
    return _write(
        ["name", "email", "affiliation", "class", "confirmed_at_utc", "joined_at_utc"],
        (
            [
                r.user.name,
                r.user.email,
                r.user.affiliation,
                PriorityClass(r.user.verified_class).value,
                r.decided_at.isoformat() if r.decided_at else "",
                r.joined_at.isoformat(),
            ]
            for r in registrations
        ),
    )


def waitlist_csv(entries: Iterable[tuple[int, Registration]]) -> bytes:
    return _write(
        ["position", "name", "email", "affiliation", "class", "claim_pending", "joined_at_utc"],
        (
            [
                place,
                r.user.name,
                r.user.email,
                r.user.affiliation,
                PriorityClass(r.user.verified_class).value,
                "yes" if r.user.has_pending_claim else "no",
                r.joined_at.isoformat(),
            ]
            for place, r in entries
        ),
    )
