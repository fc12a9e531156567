"""Whiteboard forms: field shape only; the service checks the rules."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from summit.forms import BaseForm


class BookForm(BaseForm):
    slot_id = IntegerField(
        _l("Slot"),
        validators=[
            InputRequired(message=_l("Pick a slot.")),
            NumberRange(min=1, max=2**31 - 1, message=_l("No such lightning slot.")),
        ],
    )
    title = StringField(
        _l("Talk title"),
        validators=[DataRequired(message=_l("Give your talk a title.")), Length(max=120)],
    )


class BlockForm(BaseForm):
    blocked = BooleanField(_l("Blocked"))


class LimitForm(BaseForm):
    talks_per_day = IntegerField(
        _l("Talks per person per day"),
        validators=[InputRequired(), NumberRange(min=1, max=20)],
    )
