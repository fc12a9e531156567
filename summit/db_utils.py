"""Transaction helpers shared by views and CLI commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from summit.extensions import db

MAX_ID = 2**31 - 1  # the integer primary keys' largest value, on SQLite and PostgreSQL alike
NUL = "\x00"  # PostgreSQL cannot store it in text: refused wherever text comes in


def parse_id(text: str) -> int | None:
    """A row id from untrusted text: ASCII digits within the column's range, else None.
    (`str.isdigit` also accepts "²", which `int` refuses; a larger number overflows.)"""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block did, or roll all of it back on any error."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
