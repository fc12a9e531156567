"""Forms shared by several areas, and the input rules every form keeps."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, Field, StringField, TextAreaField

from summit.db_utils import MAX_ID

# Dates a summit can have: outside this, a typo (year 1, 9999) that breaks calendars later.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Line breaks and tabs are text in a long field; anywhere else a control character is not.
LONG_TEXT_ALLOWED = frozenset("\n\r\t")

# A select whose options are data (track, room and session names): not for translation,
# as the pseudo-locale check and translation tools read `translate="no"` (I1).
DATA = {"translate": "no"}


class BaseForm(FlaskForm):
    """Every form: text without control characters (newlines only in long text), dates in
    years 2000–2100 and whole numbers that fit the database, each with a message on the
    field. Exports escape what older rows hold; new input never needs it."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        for field in self:
            problem = input_problem(field)
            if problem:
                field.errors = [*field.errors, problem]
                valid = False
        return valid


def input_problem(field: Field) -> str | None:
    data = field.data
    if isinstance(field, StringField) and isinstance(data, str):
        allowed = LONG_TEXT_ALLOWED if isinstance(field, TextAreaField) else frozenset()
        if any(_is_control(c) and c not in allowed for c in data):
            if isinstance(field, TextAreaField):
                return str(_("Remove the control characters from this text."))
            return str(_("Keep this to one line: remove line breaks and other control characters."))
    dated = isinstance(field, DateField | DateTimeLocalField) and isinstance(data, date | datetime)
    if dated and not FIRST_YEAR <= data.year <= LAST_YEAR:
        return str(
            _(
                "Give a date between the years %(first)d and %(last)d.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )
    numbers = data if isinstance(data, list | tuple) else [data]
    if any(isinstance(n, int) and not isinstance(n, bool) and abs(n) > MAX_ID for n in numbers):
        return str(_("This number is too large."))
    return None


def _is_control(char: str) -> bool:
    # Cc: C0/C1 controls; Zl/Zp: the line and paragraph separators that also end a line.
    return unicodedata.category(char) in {"Cc", "Zl", "Zp"}


def control_free(values: Iterable[str]) -> bool:
    return not any(_is_control(c) for value in values for c in value)


class ActionForm(BaseForm):
    """A button that changes something: only the CSRF token travels."""
