"""Whiteboard forms: field shape only; the service checks the rules."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange


class BookForm(FlaskForm):
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


class BlockForm(FlaskForm):
    blocked = BooleanField("Blocked")


class LimitForm(FlaskForm):
    talks_per_day = IntegerField(
        "Talks per person per day",
        validators=[InputRequired(), NumberRange(min=1, max=20)],
    )
