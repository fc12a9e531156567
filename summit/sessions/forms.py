"""Blueprint, session and import forms: field shape only; services check the rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from summit.choices import choices
from summit.forms import DATA, BaseForm

LENGTHS = choices((1, _l("1 slot")), (2, _l("2 slots")))


class BlueprintForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=5, max=120)])
    track_id = SelectField(_l("Track"), coerce=int, render_kw=DATA)
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Up to 5,000 characters; line breaks are kept"),
    )
    url = StringField(
        _l("Blueprint URL"),
        validators=[Optional(), Length(max=500)],
        description=_l("Optional; http:// or https://"),
    )
    length_slots = SelectField(_l("Requested length"), coerce=int, choices=LENGTHS, default=1)


class SessionForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=5, max=120)])
    track_id = SelectField(_l("Track"), coerce=int, render_kw=DATA)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    lead_email = StringField(_l("Lead's email"), validators=[Optional(), Length(max=254)])
    length_slots = SelectField(_l("Length"), coerce=int, choices=LENGTHS, default=1)
    expected_attendance = IntegerField(
        _l("Expected attendance"),
        validators=[Optional(), NumberRange(0, 100_000)],
        description=_l("Leave empty to use the number of stars"),
    )


class ReasonForm(BaseForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class MergeForm(BaseForm):
    session_id = SelectField(
        _l("Merge into session"), coerce=int, validate_choice=False, render_kw=DATA
    )


class MoveForm(BaseForm):
    track_id = SelectField(_l("Move to track"), coerce=int, validate_choice=False, render_kw=DATA)


class PickForm(BaseForm):
    ids = SelectMultipleField(
        _l("Blueprints"),
        coerce=int,
        validate_choice=False,
        validators=[DataRequired(_l("Tick at least one blueprint."))],
    )


class StarForm(BaseForm):
    starred = BooleanField(_l("Starred"))


class ImportForm(BaseForm):
    file = FileField(_l("CSV or JSON file"), validators=[FileRequired(_l("Choose a file."))])
    partial = BooleanField(_l("Import the good rows even if some rows are bad"))
