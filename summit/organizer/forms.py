"""Organizer forms for defining a summit: field shape and format only."""

from flask_babel import lazy_gettext as _l
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
# The room layouts as people read them (the values are stored).
LAYOUT_LABELS = {
    RoomLayout.FISHBOWL: _l("Fishbowl"),
    RoomLayout.THEATRE: _l("Theatre"),
    RoomLayout.CLASSROOM: _l("Classroom"),
    RoomLayout.BOARDROOM: _l("Boardroom"),
}


def _minutes(label: str, low: int, high: int, default: int) -> IntegerField:
    return IntegerField(
        label, default=default, validators=[InputRequired(), NumberRange(low, high)]
    )


class SummitForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    slug = StringField(
        _l("Slug"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("Used in addresses, e.g. diablo"),
    )
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    timezone = StringField(
        _l("Time zone"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("IANA name, e.g. America/Los_Angeles"),
    )
    is_current = BooleanField(_l("Current summit"))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    cfp_closes_at = DateTimeLocalField(
        _l("Call for sessions closes"),
        format=LOCAL,
        validators=[Optional()],
        description=_l("Venue's local time; empty keeps it open"),
    )
    blueprints_per_person = IntegerField(
        _l("Blueprints per person"),
        default=20,
        validators=[InputRequired(), NumberRange(1, 1000)],
        description=_l("The most blueprints one person may submit to this summit"),
    )


class EventForm(BaseForm):
    starts_on = DateField(_l("First day"), validators=[DataRequired()])
    ends_on = DateField(_l("Last day"), validators=[DataRequired()])
    capacity = IntegerField(_l("Capacity"), validators=[InputRequired(), NumberRange(0, 100_000)])
    open_seats = IntegerField(
        _l("Open seats (first come, first served)"),
        validators=[InputRequired(), NumberRange(0, 100_000)],
    )
    policy = SelectField(
        _l("Freed seats"),
        choices=choices(
            (SeatPolicy.REVIEW.value, _l("review: back to the organizers")),
            (SeatPolicy.AUTO.value, _l("auto: confirm the head of the waiting list")),
        ),
    )
    registration_opens_at = DateTimeLocalField(
        _l("Registration opens"), format=LOCAL, validators=[Optional()]
    )
    registration_closes_at = DateTimeLocalField(
        _l("Registration closes"), format=LOCAL, validators=[Optional()]
    )


class DayForm(BaseForm):
    event_kind = SelectField(
        _l("Event"),
        choices=choices(("design_summit", _l("Design Summit")), ("conference", _l("Conference"))),
    )
    date = DateField(_l("Date"), validators=[DataRequired()])
    first_slot = TimeField(_l("First session starts"), validators=[DataRequired()])
    slot_minutes = _minutes(_l("Session length (minutes)"), 5, 240, 40)
    break_minutes = _minutes(_l("Break between sessions (minutes)"), 0, 120, 10)
    slots_before_lunch = _minutes(_l("Sessions before lunch"), 0, 12, 4)
    lunch_minutes = _minutes(_l("Lunch (minutes)"), 0, 180, 60)
    lightning_minutes = _minutes(_l("Lightning-talk window after lunch (minutes)"), 0, 180, 30)
    lightning_slot_minutes = _minutes(_l("Lightning slot length (minutes)"), 1, 60, 5)
    slots_after_lunch = _minutes(_l("Sessions after the lightning talks"), 0, 12, 4)


class RoomForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    capacity = IntegerField(_l("Seats"), validators=[InputRequired(), NumberRange(1, 100_000)])
    layout = SelectField(
        _l("Layout"), choices=choices(*((r.value, LAYOUT_LABELS[r]) for r in RoomLayout))
    )


class TrackForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    colour = ColorField(_l("Colour"), default="#3366cc", validators=[DataRequired(), Length(max=7)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    window_day_id = SelectField(
        _l("Only on day"), coerce=int, default=0, choices=choices((0, _l("Any day")))
    )
    window_part = SelectField(
        _l("Only in"),
        default="day",
        choices=choices(
            (WindowPart.DAY.value, _l("the whole day")),
            (WindowPart.MORNING.value, _l("the morning")),
            (WindowPart.AFTERNOON.value, _l("the afternoon")),
        ),
    )


class SocialEventForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    starts_at = DateTimeLocalField(
        _l("Starts (venue time)"), format=LOCAL, validators=[DataRequired()]
    )
    ends_at = DateTimeLocalField(_l("Ends (venue time)"), format=LOCAL, validators=[Optional()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=120)])
    sponsor = StringField(_l("Sponsor"), validators=[Optional(), Length(max=120)])


class ProgramItemForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=choices(
            ("keynote", _l("Keynote")),
            ("talk", _l("Talk")),
            ("panel", _l("Panel")),
            ("break", _l("Break")),
        ),
    )
    track_name = StringField(_l("Conference track"), validators=[Optional(), Length(max=80)])
    speaker = StringField(_l("Speaker"), validators=[Optional(), Length(max=200)])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=120)])
    starts_at = DateTimeLocalField(
        _l("Starts (venue time)"), format=LOCAL, validators=[DataRequired()]
    )
    ends_at = DateTimeLocalField(_l("Ends (venue time)"), format=LOCAL, validators=[DataRequired()])


class ClaimDecisionForm(BaseForm):
    decision = SelectField(
        _l("Decision"), choices=choices(("verify", _l("Verify")), ("reject", _l("Reject")))
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])
    # A5: what the organizer was shown; the decision applies only while the claim says that.
    seen_claim = SelectField(
        "Claim seen", choices=choices(("core", "core"), ("known", "known"), ("other", "other"))
    )
    seen_project = HiddenField("Project seen", validators=[Optional(), Length(max=80)])
