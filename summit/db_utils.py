"""Transaction helpers shared by views and CLI commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from summit.extensions import db


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block did, or roll all of it back on any error."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
