"""Registration forms: field shape only."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from summit.forms import ActionForm, BaseForm

__all__ = ["ActionForm", "ConfirmChosenForm", "ConfirmNextForm", "DeclineForm"]


class ConfirmNextForm(BaseForm):
    n = IntegerField(
        _l("How many"), default=10, validators=[InputRequired(), NumberRange(1, 10_000)]
    )


class ConfirmChosenForm(BaseForm):
    entries = SelectMultipleField(
        _l("Entries"),
        coerce=int,
        validate_choice=False,
        validators=[DataRequired(_l("Tick at least one entry."))],
    )


class DeclineForm(BaseForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
