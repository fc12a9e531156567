"""Scheduling forms: field shape only."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from summit.forms import DATA, BaseForm


class SolveForm(BaseForm):
    time_limit = IntegerField(
        _l("Time limit (seconds)"), default=30, validators=[InputRequired(), NumberRange(1, 600)]
    )
    resolve = BooleanField(
        _l("Re-solve around locked sessions, moving as few as possible"), default=True
    )


class MoveForm(BaseForm):
    session_id = SelectField(_l("Session"), coerce=int, validate_choice=False, render_kw=DATA)
    day_id = SelectField(_l("Day"), coerce=int, validate_choice=False)
    slot = SelectField(_l("Slot"), coerce=int, validate_choice=False)
    room_id = SelectField(_l("Room"), coerce=int, validate_choice=False, render_kw=DATA)


class LockForm(BaseForm):
    locked = BooleanField(_l("Locked"))


class PinForm(BaseForm):
    pinned = BooleanField(_l("Pinned"))


class PublishForm(BaseForm):
    """The review the organizer confirms: the last release and the draft they saw."""

    base = IntegerField(_l("Last release"), validators=[InputRequired(), NumberRange(0)])
    digest = StringField(_l("Draft"), validators=[InputRequired(), Length(max=64)])
    note = StringField(_l("Note for the changelog (optional)"), validators=[Length(max=500)])
