"""Registration forms: field shape only."""

from wtforms import IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from summit.forms import ActionForm, BaseForm

__all__ = ["ActionForm", "ConfirmChosenForm", "ConfirmNextForm", "DeclineForm"]


class ConfirmNextForm(BaseForm):
    n = IntegerField("How many", default=10, validators=[InputRequired(), NumberRange(1, 10_000)])


class ConfirmChosenForm(BaseForm):
    entries = SelectMultipleField(
        "Entries",
        coerce=int,
        validate_choice=False,
        validators=[DataRequired("Tick at least one entry.")],
    )


class DeclineForm(BaseForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])
