"""Bulk import of blueprints from CSV or JSON (B4).

Columns (CSV header or JSON keys): title, track, description, url, submitter_email,
submitter_name, length. `track` is a track's name or slug; `length` is 1 or 2 (default 1).
JSON is a list of objects, or {"blueprints": [...]}. Every row is checked before anything is
written; bad rows are reported with their line (CSV) or item number (JSON).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from summit.db_utils import NUL
from summit.extensions import db
from summit.models import Blueprint, BlueprintStatus, Summit, Track, User
from summit.services import audit
from summit.services.accounts import normalise_email
from summit.services.blueprints import BlueprintValues, check_values
from summit.services.errors import DomainError, Invalid

COLUMNS = ("title", "track", "description", "url", "submitter_email", "submitter_name", "length")
REQUIRED = ("title", "track", "submitter_email")
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Row:
    line: int  # CSV line, or 1-based item number for JSON
    values: dict[str, str]


@dataclass(frozen=True)
class CheckedRow:
    line: int
    blueprint: BlueprintValues
    track_id: int
    email: str
    name: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # already decided by organizers: left as they are
    new_accounts: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        return summary_of(
            self.created, self.updated, self.unchanged, self.new_accounts, len(self.errors)
        )


def summary_of(created: int, updated: int, unchanged: int, new_accounts: int, refused: int) -> str:
    """An import's counts in words, in the locale of whoever reads them."""
    return ", ".join(
        [
            ngettext("%(num)d created", "%(num)d created", created),
            ngettext("%(num)d updated", "%(num)d updated", updated),
            ngettext("%(num)d unchanged", "%(num)d unchanged", unchanged),
            ngettext("%(num)d new account", "%(num)d new accounts", new_accounts),
            ngettext("%(num)d row refused", "%(num)d rows refused", refused),
        ]
    )


def parse(data: bytes, filename: str = "") -> list[Row]:
    """Read CSV or JSON (by extension, or by the first character) into rows."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(_("The file is not UTF-8 text.")) from exc
    is_json = filename.lower().endswith(".json") or text.lstrip()[:1] in ("[", "{")
    rows = _parse_json(text) if is_json else _parse_csv(text)
    if not rows:
        raise Invalid(_("The file holds no blueprint."))
    if len(rows) > MAX_ROWS:
        raise Invalid(_("At most %(max)d blueprints per file.", max=MAX_ROWS))
    for row in rows:
        if any(NUL in value for value in row.values.values()):
            raise Invalid(
                _(
                    "Line %(line)d holds a NUL character (U+0000), which no text can keep.",
                    line=row.line,
                )
            )
    return rows


def _parse_csv(text: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise Invalid(
            ngettext(
                "The CSV header lacks the column: %(missing)s. Expected columns: %(columns)s.",
                "The CSV header lacks the columns: %(missing)s. Expected columns: %(columns)s.",
                len(missing),
                missing=", ".join(missing),
                columns=", ".join(COLUMNS),
            )
        )
    reader.fieldnames = header
    rows = []
    try:
        for record in reader:
            values = {k: (v or "").strip() for k, v in record.items() if k in COLUMNS}
            rows.append(Row(reader.line_num, values))
    except csv.Error as exc:
        raise Invalid(
            _(
                "The CSV cannot be read near line %(line)d: %(problem)s",
                line=reader.line_num,
                problem=exc,
            )
        ) from exc
    return rows


def _parse_json(text: str) -> list[Row]:
    try:
        # Numbers stay text: a 5,000-digit number would otherwise cost (or refuse) a
        # conversion, and every field is checked as text afterwards anyway.
        document = json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise Invalid(
            _(
                "The JSON cannot be read: %(problem)s at line %(line)d.",
                problem=exc.msg,
                line=exc.lineno,
            )
        ) from exc
    except RecursionError as exc:
        raise Invalid(
            _(
                "The JSON is nested too deeply: give a list of blueprints, each an object "
                "of text fields."
            )
        ) from exc
    items = document.get("blueprints") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise Invalid(_('The JSON must be a list of blueprints, or {"blueprints": [...]}.'))
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            rows.append(Row(number, {"__error__": _("is not an object")}))
            continue
        nested = sorted(k for k, v in item.items() if k in COLUMNS and isinstance(v, dict | list))
        if nested:
            problem = _("%(column)s: give text, not a list or object", column=nested[0])
            rows.append(Row(number, {"__error__": problem}))
            continue
        rows.append(
            Row(
                number,
                {k: str(v).strip() for k, v in item.items() if k in COLUMNS and v is not None},
            )
        )
    return rows


def check_rows(summit_id: int, rows: list[Row]) -> tuple[list[CheckedRow], list[tuple[int, str]]]:
    tracks: dict[str, int] = {}
    for track in db.session.scalars(select(Track).where(Track.summit_id == summit_id)):
        tracks[track.name.lower()] = tracks[track.slug] = track.id
    good: list[CheckedRow] = []
    errors: list[tuple[int, str]] = []
    for row in rows:
        values = row.values
        if "__error__" in values:
            errors.append((row.line, values["__error__"]))
            continue
        missing = [c for c in REQUIRED if not values.get(c)]
        if missing:
            errors.append((row.line, _("missing %(columns)s", columns=", ".join(missing))))
            continue
        track_id = tracks.get(values["track"].lower())
        if track_id is None:
            errors.append((row.line, _("no track called “%(track)s”", track=values["track"])))
            continue
        try:
            email = validate_email(values["submitter_email"], check_deliverability=False).normalized
        except EmailNotValidError as exc:
            errors.append((row.line, _("submitter_email: %(problem)s", problem=exc)))
            continue
        try:
            blueprint = check_values(
                values["title"],
                values.get("description", ""),
                values.get("url", ""),
                values.get("length") or 1,
            )
        except DomainError as exc:
            errors.append((row.line, exc.message))
            continue
        name = values.get("submitter_name") or email.split("@")[0]
        good.append(CheckedRow(row.line, blueprint, track_id, normalise_email(email), name[:120]))
    return good, errors


def import_blueprints(
    actor_id: int | None,
    summit_id: int,
    rows: list[Row],
    *,
    partial: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check every row; then write them all in the caller's transaction, which the caller
    commits: all or nothing, even when the worker dies half-way (J1). With errors and not
    `partial`, nothing is written.

    The summit's row is locked first (a no-op update; on SQLite it takes the write lock), so
    two imports into one summit run one after the other and a blueprint in both is matched
    by the second, not created twice."""
    good, errors = check_rows(summit_id, rows)
    report = ImportReport(errors=errors)
    if errors and not partial:
        return report
    db.session.execute(update(Summit).where(Summit.id == summit_id).values(id=Summit.id))
    users = {
        u.email: u
        for u in db.session.scalars(select(User).where(User.email.in_({r.email for r in good})))
    }
    existing = list(db.session.scalars(select(Blueprint).where(Blueprint.summit_id == summit_id)))
    by_url = {b.url: b for b in existing if b.url}
    by_title = {(b.title.lower(), b.track_id): b for b in existing}
    for done, row in enumerate(good, start=1):
        _import_row(row, summit_id, users, by_url, by_title, report)
        if progress is not None:
            progress(done, len(good))
    audit.record(actor_id, "blueprint.import", f"summit:{summit_id}", report.summary())
    return report


def _account_for(row: CheckedRow) -> tuple[User, bool]:
    """The submitter's account, created without a password when the address is new (they
    claim it by e-mail). Created in a savepoint: a sign-up or another summit's import that
    takes the address at the same moment wins, and this row joins its account."""
    user = User(email=row.email, name=row.name, password_hash=None)
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        existing = db.session.scalar(select(User).where(User.email == row.email))
        if existing is None:
            raise
        return existing, False
    return user, True


def _import_row(
    row: CheckedRow,
    summit_id: int,
    users: dict[str, User],
    by_url: dict[str, Blueprint],
    by_title: dict[tuple[str, int], Blueprint],
    report: ImportReport,
) -> None:
    user = users.get(row.email)
    if user is None:
        user, created = _account_for(row)
        report.new_accounts += created
        users[row.email] = user
    values = row.blueprint
    fields = {
        "track_id": row.track_id,
        "submitter_id": user.id,
        "title": values.title,
        "description": values.description,
        "url": values.url,
        "length_slots": values.length_slots,
    }
    blueprint = (by_url.get(values.url) if values.url else None) or by_title.get(
        (values.title.lower(), row.track_id)
    )
    if blueprint is None:
        # Built whole before it joins the session, so no autoflush sees it half-filled.
        blueprint = Blueprint(summit_id=summit_id, status=BlueprintStatus.SUBMITTED, **fields)
        db.session.add(blueprint)
        report.created += 1
    elif blueprint.status != BlueprintStatus.SUBMITTED:
        report.unchanged += 1
        return
    else:
        for name, value in fields.items():
            setattr(blueprint, name, value)
        report.updated += 1
    if values.url:
        by_url[values.url] = blueprint
    by_title[(values.title.lower(), row.track_id)] = blueprint
