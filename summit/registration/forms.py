"""Registration forms: field shape only."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from summit.forms import ActionForm

__all__ = ["ActionForm", "ConfirmChosenForm", "ConfirmNextForm", "DeclineForm"]


class ConfirmNextForm(FlaskForm):
    n = IntegerField("How many", default=10, validators=[InputRequired(), NumberRange(1, 10_000)])


class ConfirmChosenForm(FlaskForm):
    entries = SelectMultipleField(
        "Entries",
        coerce=int,
        validate_choice=False,
        validators=[DataRequired("Tick at least one entry.")],
    )


class DeclineForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])
