"""Organizer forms for defining a summit: field shape and format only."""

from wtforms import (
    BooleanField,
    ColorField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from summit.choices import choices
from summit.forms import BaseForm
from summit.models import RoomLayout, SeatPolicy, WindowPart

LOCAL = "%Y-%m-%dT%H:%M"


def _minutes(label: str, low: int, high: int, default: int) -> IntegerField:
    return IntegerField(
        label, default=default, validators=[InputRequired(), NumberRange(low, high)]
    )


class SummitForm(BaseForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    slug = StringField(
        "Slug",
        validators=[DataRequired(), Length(max=40)],
        description="Used in addresses, e.g. diablo",
    )
    venue = StringField("Venue", validators=[Optional(), Length(max=200)])
    timezone = StringField(
        "Time zone",
        validators=[DataRequired(), Length(max=64)],
        description="IANA name, e.g. America/Los_Angeles",
    )
    is_current = BooleanField("Current summit")
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    cfp_closes_at = DateTimeLocalField(
        "Call for sessions closes",
        format=LOCAL,
        validators=[Optional()],
        description="Venue's local time; empty keeps it open",
    )
    blueprints_per_person = IntegerField(
        "Blueprints per person",
        default=20,
        validators=[InputRequired(), NumberRange(1, 1000)],
        description="The most blueprints one person may submit to this summit",
    )


class EventForm(BaseForm):
    starts_on = DateField("First day", validators=[DataRequired()])
    ends_on = DateField("Last day", validators=[DataRequired()])
    capacity = IntegerField("Capacity", validators=[InputRequired(), NumberRange(0, 100_000)])
    open_seats = IntegerField(
        "Open seats (first come, first served)",
        validators=[InputRequired(), NumberRange(0, 100_000)],
    )
    policy = SelectField(
        "Freed seats",
        choices=choices(
            (SeatPolicy.REVIEW.value, "review: back to the organizers"),
            (SeatPolicy.AUTO.value, "auto: confirm the head of the waiting list"),
        ),
    )
    registration_opens_at = DateTimeLocalField(
        "Registration opens", format=LOCAL, validators=[Optional()]
    )
    registration_closes_at = DateTimeLocalField(
        "Registration closes", format=LOCAL, validators=[Optional()]
    )


class DayForm(BaseForm):
    event_kind = SelectField(
        "Event", choices=choices(("design_summit", "Design Summit"), ("conference", "Conference"))
    )
    date = DateField("Date", validators=[DataRequired()])
    first_slot = TimeField("First session starts", validators=[DataRequired()])
    slot_minutes = _minutes("Session length (minutes)", 5, 240, 40)
    break_minutes = _minutes("Break between sessions (minutes)", 0, 120, 10)
    slots_before_lunch = _minutes("Sessions before lunch", 0, 12, 4)
    lunch_minutes = _minutes("Lunch (minutes)", 0, 180, 60)
    lightning_minutes = _minutes("Lightning-talk window after lunch (minutes)", 0, 180, 30)
    lightning_slot_minutes = _minutes("Lightning slot length (minutes)", 1, 60, 5)
    slots_after_lunch = _minutes("Sessions after the lightning talks", 0, 12, 4)


class RoomForm(BaseForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    capacity = IntegerField("Seats", validators=[InputRequired(), NumberRange(1, 100_000)])
    layout = SelectField(
        "Layout", choices=choices(*((r.value, r.value.title()) for r in RoomLayout))
    )


class TrackForm(BaseForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    colour = ColorField("Colour", default="#3366cc", validators=[DataRequired(), Length(max=7)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    window_day_id = SelectField(
        "Only on day", coerce=int, default=0, choices=choices((0, "Any day"))
    )
    window_part = SelectField(
        "Only in",
        default="day",
        choices=choices(
            (WindowPart.DAY.value, "the whole day"),
            (WindowPart.MORNING.value, "the morning"),
            (WindowPart.AFTERNOON.value, "the afternoon"),
        ),
    )


class SocialEventForm(BaseForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=120)])
    starts_at = DateTimeLocalField("Starts (venue time)", format=LOCAL, validators=[DataRequired()])
    ends_at = DateTimeLocalField("Ends (venue time)", format=LOCAL, validators=[Optional()])
    place = StringField("Place", validators=[Optional(), Length(max=120)])
    sponsor = StringField("Sponsor", validators=[Optional(), Length(max=120)])


class ProgramItemForm(BaseForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        "Kind",
        choices=choices(
            ("keynote", "Keynote"), ("talk", "Talk"), ("panel", "Panel"), ("break", "Break")
        ),
    )
    track_name = StringField("Conference track", validators=[Optional(), Length(max=80)])
    speaker = StringField("Speaker", validators=[Optional(), Length(max=200)])
    place = StringField("Place", validators=[Optional(), Length(max=120)])
    starts_at = DateTimeLocalField("Starts (venue time)", format=LOCAL, validators=[DataRequired()])
    ends_at = DateTimeLocalField("Ends (venue time)", format=LOCAL, validators=[DataRequired()])


class ClaimDecisionForm(BaseForm):
    decision = SelectField("Decision", choices=choices(("verify", "Verify"), ("reject", "Reject")))
    note = StringField("Note", validators=[Optional(), Length(max=300)])
    # A5: what the organizer was shown; the decision applies only while the claim says that.
    seen_claim = SelectField(
        "Claim seen", choices=choices(("core", "core"), ("known", "known"), ("other", "other"))
    )
    seen_project = HiddenField("Project seen", validators=[Optional(), Length(max=80)])
