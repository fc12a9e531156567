"""Scheduling forms: field shape only."""

from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from summit.forms import BaseForm


class SolveForm(BaseForm):
    time_limit = IntegerField(
        "Time limit (seconds)", default=30, validators=[InputRequired(), NumberRange(1, 600)]
    )
    resolve = BooleanField(
        "Re-solve around locked sessions, moving as few as possible", default=True
    )


class MoveForm(BaseForm):
    session_id = SelectField("Session", coerce=int, validate_choice=False)
    day_id = SelectField("Day", coerce=int, validate_choice=False)
    slot = SelectField("Slot", coerce=int, validate_choice=False)
    room_id = SelectField("Room", coerce=int, validate_choice=False)


class LockForm(BaseForm):
    locked = BooleanField("Locked")


class PinForm(BaseForm):
    pinned = BooleanField("Pinned")


class PublishForm(BaseForm):
    """The review the organizer confirms: the last release and the draft they saw."""

    base = IntegerField("Last release", validators=[InputRequired(), NumberRange(0)])
    digest = StringField("Draft", validators=[InputRequired(), Length(max=64)])
    note = StringField("Note for the changelog (optional)", validators=[Length(max=500)])
