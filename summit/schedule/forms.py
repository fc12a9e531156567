"""Scheduling forms: field shape only."""

from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

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
