"""Whiteboard forms: field shape only; the service checks the rules."""

from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from summit.forms import BaseForm


class BookForm(BaseForm):
    slot_id = IntegerField(
        "Slot",
        validators=[
            InputRequired(message="Pick a slot."),
            NumberRange(min=1, max=2**31 - 1, message="No such lightning slot."),
        ],
    )
    title = StringField(
        "Talk title",
        validators=[DataRequired(message="Give your talk a title."), Length(max=120)],
    )


class BlockForm(BaseForm):
    blocked = BooleanField("Blocked")


class LimitForm(BaseForm):
    talks_per_day = IntegerField(
        "Talks per person per day",
        validators=[InputRequired(), NumberRange(min=1, max=20)],
    )
