"""Small helpers shared by the blueprints' views."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import abort, flash, g
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required as _login_required
from flask_wtf import FlaskForm
from wtforms import StringField

from summit.extensions import db
from summit.models import Summit
from summit.services import summits
from summit.services.errors import DomainError

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def login_required(view: F) -> F:
    """Flask-Login's decorator, typed: anonymous visitors are sent to the log-in page."""
    return cast(F, _login_required(view))


def organizer_required(view: F) -> F:
    """Log-in first; then anyone but an organizer gets a 403."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_organizer:
            abort(403, _("This page is for the summit's organizers."))
        return view(*args, **kwargs)

    return login_required(cast(F, wrapped))


def verified_required(view: F) -> F:
    """Log-in first; then an unverified address gets a 403 that says what to do (A2)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.email_verified:
            abort(
                403,
                _(
                    "Confirm your email address first: open the link we mailed you when you "
                    "signed up, or ask for a new link on your account page."
                ),
            )
        return view(*args, **kwargs)

    return login_required(cast(F, wrapped))


@dataclass(frozen=True, slots=True)
class Refused:
    """A change a service refused: rolled back, its message shown; answer with `status`."""

    error: DomainError

    @property
    def status(self) -> int:
        return self.error.status

    @property
    def message(self) -> str:
        return self.error.message


def apply(
    change: Callable[[], T], form: FlaskForm | None = None, *, show: bool = True
) -> T | Refused:
    """The one way a view writes (view → service → commit): run the service call and commit.
    On a domain error, roll the whole change back and show its message, on the form field it
    names or else as a flash (unless `show` is off); the view answers `Refused.status`."""
    try:
        result = change()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if show:
            field = getattr(form, error.field, None) if form is not None and error.field else None
            if field is not None:
                field.errors = [*field.errors, error.message]
            else:
                flash(error.message, "error")
        return Refused(error)
    return result


def form_values(form: FlaskForm, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The form's data as plain keyword values for a service."""
    skip = {"csrf_token", "submit", *exclude}
    values: dict[str, Any] = {}
    for field in form:
        if field.name in skip:
            continue
        # An optional text field left out of the POST is None to WTForms; services want "".
        missing_text = field.data is None and isinstance(field, StringField)
        values[field.name] = "" if missing_text else field.data
    return values


def summit_or_404(slug: str) -> Summit:
    """The summit at a public address, or the 404 every area answers the same way."""
    summit = summits.summit_by_slug(slug) or abort(404, _("No summit has that address."))
    g.nav_summit = summit
    return summit


def nav_summit() -> Summit | None:
    """The summit the top bar leads to: the one on this page, else the current one."""
    if "nav_summit" not in g:
        g.nav_summit = summits.current_summit()
    return cast(Summit | None, g.nav_summit)


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after log-in (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read a backslash as a slash ("/\\evil.example") and drop control characters.
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    return target


@dataclass(frozen=True)
class ListPage:
    """One page of a list built in Python, with what the page-links macro reads (the same
    names as Flask-SQLAlchemy's pagination)."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @classmethod
    def of(cls, rows: list[Any], page: int, per_page: int) -> ListPage:
        last = max(1, -(-len(rows) // per_page))
        page = min(max(page, 1), last)
        start = (page - 1) * per_page
        return cls(rows[start : start + per_page], page, per_page, len(rows))

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    def iter_pages(self, **_: int) -> list[int | None]:
        """Every page number; with many pages, the ends and the neighbours of this one."""
        if self.pages <= 9:
            return list(range(1, self.pages + 1))
        near = set(range(self.page - 2, self.page + 3)) | {1, self.pages}
        out: list[int | None] = []
        for n in range(1, self.pages + 1):
            if n in near:
                out.append(n)
            elif out and out[-1] is not None:
                out.append(None)
        return out
