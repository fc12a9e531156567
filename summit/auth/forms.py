"""Account forms: field shape and format only."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from summit.choices import choices
from summit.forms import BaseForm

CLAIM_CHOICES = choices(
    ("other", _l("No claim")),
    ("core", _l("Core developer of a project")),
    ("known", _l("Well-known contributor")),
)


class ProfileFields(BaseForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    affiliation = StringField(_l("Affiliation"), validators=[Optional(), Length(max=120)])
    projects = TextAreaField(
        _l("Projects you contributed to"),
        validators=[Optional(), Length(max=1000)],
        description=_l("For example: Nova, Swift, Glance"),
    )
    claim = SelectField(_l("Contributor claim"), choices=CLAIM_CHOICES, default="other")
    claim_project = StringField(
        _l("Project of the claim"),
        validators=[Optional(), Length(max=80)],
        description=_l("The project you are a core developer of"),
    )
    claim_note = TextAreaField(
        _l("Evidence for organizers"),
        validators=[Optional(), Length(max=500)],
        description=_l("Links to your reviews or commits help organizers verify the claim"),
    )


class SignupForm(ProfileFields):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", _l("Passwords differ."))],
    )


class ProfileForm(ProfileFields):
    pass


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    remember = BooleanField(_l("Keep me logged in"))


class PasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=128)]
    )
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=8, max=128)]
    )


class ClaimRequestForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class ClaimPasswordForm(BaseForm):
    password = PasswordField(
        _l("Choose a password"), validators=[DataRequired(), Length(min=8, max=128)]
    )


class EmailForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class ConfirmForm(BaseForm):
    """A button and its CSRF token: links from mail act only when the person presses it."""


# I1: each locale named in its own language, so that anyone finds theirs whatever the page's.
LOCALE_CHOICES = choices(
    ("", _l("Browser default")),
    ("en", _l("English")),
    ("de", _l("Deutsch")),
    ("zh_CN", _l("简体中文")),
)


class LocaleForm(BaseForm):
    """The language of pages and mail: the profile's choice and the footer's switcher."""

    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES, default="")
