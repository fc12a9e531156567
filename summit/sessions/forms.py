"""Blueprint, session and import forms: field shape only; services check the rules."""

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
from summit.forms import BaseForm

LENGTHS = choices((1, "1 slot"), (2, "2 slots"))


class BlueprintForm(BaseForm):
    title = StringField("Title", validators=[DataRequired(), Length(min=5, max=120)])
    track_id = SelectField("Track", coerce=int)
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=5000)],
        description="Up to 5,000 characters; line breaks are kept",
    )
    url = StringField(
        "Blueprint URL",
        validators=[Optional(), Length(max=500)],
        description="Optional; http:// or https://",
    )
    length_slots = SelectField("Requested length", coerce=int, choices=LENGTHS, default=1)


class SessionForm(BaseForm):
    title = StringField("Title", validators=[DataRequired(), Length(min=5, max=120)])
    track_id = SelectField("Track", coerce=int)
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    lead_email = StringField("Lead's email", validators=[Optional(), Length(max=254)])
    length_slots = SelectField("Length", coerce=int, choices=LENGTHS, default=1)
    expected_attendance = IntegerField(
        "Expected attendance",
        validators=[Optional(), NumberRange(0, 100_000)],
        description="Leave empty to use the number of stars",
    )


class ReasonForm(BaseForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])


class MergeForm(BaseForm):
    session_id = SelectField("Merge into session", coerce=int, validate_choice=False)


class MoveForm(BaseForm):
    track_id = SelectField("Move to track", coerce=int, validate_choice=False)


class PickForm(BaseForm):
    ids = SelectMultipleField(
        "Blueprints",
        coerce=int,
        validate_choice=False,
        validators=[DataRequired("Tick at least one blueprint.")],
    )


class StarForm(BaseForm):
    starred = BooleanField("Starred")


class ImportForm(BaseForm):
    file = FileField("CSV or JSON file", validators=[FileRequired("Choose a file.")])
    partial = BooleanField("Import the good rows even if some rows are bad")
