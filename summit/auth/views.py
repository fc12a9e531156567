"""Sign up, verify the address, log in and out, reset a password, and the profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from summit.auth import logins
from summit.auth.forms import (
    ClaimPasswordForm,
    ClaimRequestForm,
    ConfirmForm,
    EmailForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    SignupForm,
)
from summit.extensions import db, limiter
from summit.models import ClaimStatus, PriorityClass
from summit.services import accounts
from summit.services.errors import DomainError
from summit.web import Refused, apply, form_values, login_required, safe_next

bp = Blueprint("auth", __name__)

Page = Response | str | tuple[str, int]
View = TypeVar("View", bound=Callable[..., Page])


# --- A4: throttles, per address and per account -------------------------------------------


def _per_minute() -> str:
    return f"{current_app.config['LOGIN_FAILURES_PER_MINUTE']}/minute"


def _account_key() -> str:
    return "account:" + accounts.normalise_email(request.form.get("email", ""))


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _throttled(*, failures_only: bool = False) -> Callable[[View], View]:
    """Two limits on a form's POSTs: per client address and per account (the email)."""
    deduct = _failed if failures_only else None

    def decorate(view: View) -> View:
        by_address = limiter.limit(_per_minute, methods=["POST"], deduct_when=deduct)
        by_account = limiter.limit(
            _per_minute, key_func=_account_key, methods=["POST"], deduct_when=deduct
        )
        return cast(View, by_address(by_account(view)))

    return decorate


@bp.route("/signup", methods=["GET", "POST"])
@_throttled()
def signup() -> Page:
    form = SignupForm()
    status = 200
    if form.validate_on_submit():
        signed_up = apply(lambda: accounts.sign_up(**form_values(form, exclude=("confirm",))), form)
        if isinstance(signed_up, Refused):
            status = signed_up.status
        else:
            # The same answer whether or not the address had an account (A4).
            email = accounts.normalise_email(form.email.data or "")
            flash(
                _(
                    "We sent a mail to %(email)s. Open the link in it to confirm your address; "
                    "it may take a minute to arrive.",
                    email=email,
                ),
                "info",
            )
            return redirect(url_for("auth.login", next=safe_next(request.args.get("next"))))
    elif form.is_submitted():
        status = 422
    return render_template("auth/signup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@_throttled(failures_only=True)
def login() -> Page:
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            logins.log_in(user, remember=bool(form.remember.data))
            flash(_("Logged in as %(name)s.", name=user.name), "success")
            if not user.email_verified:
                flash(_("Confirm your address: open the link we mailed you."), "info")
            return redirect(safe_next(request.args.get("next")) or url_for("public.home"))
        form.password.errors = [_("The e-mail address or password is wrong.")]
        status = 401
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    # A3: logging out ends this person's every session and remember-me cookie.
    logins.log_out(current_user if current_user.is_authenticated else None)
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.home"))


# --- A2: the address --------------------------------------------------------------------


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token: str) -> Page:
    """GET shows a button, so that a mail scanner opening the link uses nothing up."""
    form = ConfirmForm()
    if form.validate_on_submit():
        user = apply(lambda: accounts.verify_email(token), show=False)
        if isinstance(user, Refused):
            return render_template("auth/verify.html", form=None, error=user.message), user.status
        logins.log_in(user)
        flash(_("Thank you: your address is confirmed."), "success")
        return redirect(url_for("public.home"))
    return render_template("auth/verify.html", form=form, error=None)


@bp.route("/verify", methods=["GET", "POST"])
@_throttled()
def resend_verification() -> Page:
    form = EmailForm()
    if request.method == "GET" and current_user.is_authenticated:
        form.email.data = current_user.email
    return _mail_a_link(
        form,
        accounts.resend_verification,
        _("If that address has an account waiting for confirmation, a new link is on its way."),
        "auth/resend.html",
    )


@bp.route("/reset-password", methods=["GET", "POST"])
@_throttled()
def reset_request() -> Page:
    return _mail_a_link(
        EmailForm(),
        accounts.request_password_reset,
        _("If that address has an account, a link to choose a new password is on its way."),
        "auth/reset_request.html",
    )


def _mail_a_link(form: EmailForm, send: Callable[[str], None], said: str, template: str) -> Page:
    """The forms that mail a link to an address: the same answer whether or not it has an
    account (A4)."""
    if form.validate_on_submit():
        send(form.email.data or "")
        db.session.commit()
        flash(said, "info")
        return redirect(url_for("auth.login"))
    return render_template(template, form=form), 422 if form.is_submitted() else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@_throttled()
def reset_password(token: str) -> Page:
    form = ClaimPasswordForm()
    try:
        accounts.user_for_reset(token)
    except DomainError as error:
        return render_template("auth/reset.html", form=None, error=error.message), error.status
    status = 200
    if form.validate_on_submit():
        user = apply(lambda: accounts.reset_password(token, form.password.data or ""), form)
        if isinstance(user, Refused):
            status = user.status
        else:
            logins.log_in(user)
            flash(_("Your new password is set, and every other login has ended."), "success")
            return redirect(url_for("public.home"))
    elif form.is_submitted():
        status = 422
    return render_template("auth/reset.html", form=form, error=None), status


# --- the profile ------------------------------------------------------------------------


def _profile_page(form: ProfileForm, password_form: PasswordForm, status: int) -> Page:
    return render_template(
        "auth/profile.html",
        form=form,
        password_form=password_form,
        user=current_user,
        classes=PriorityClass,
        ClaimStatus=ClaimStatus,
    ), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile() -> Page:
    form = ProfileForm(obj=current_user)
    status = 200
    if form.validate_on_submit():
        saved = apply(lambda: accounts.update_profile(current_user.id, **form_values(form)), form)
        if isinstance(saved, Refused):
            status = saved.status
        else:
            flash(_("Profile saved."), "success")
            return redirect(url_for("auth.profile"))
    elif form.is_submitted():
        status = 422
    return _profile_page(form, PasswordForm(formdata=None), status)


@bp.post("/account/password")
@login_required
def change_password() -> Page:
    form = PasswordForm()
    if form.validate_on_submit():
        changed = apply(
            lambda: accounts.change_password(
                current_user.id, form.current_password.data or "", form.new_password.data or ""
            ),
            form,
        )
        if isinstance(changed, Refused):
            status = changed.status
        else:
            logins.renew_after_password_change(current_user._get_current_object())
            flash(_("Password changed. Every other login has ended."), "success")
            return redirect(url_for("auth.profile"))
    else:
        status = 422
    return _profile_page(ProfileForm(obj=current_user, formdata=None), form, status)


# --- imported accounts -------------------------------------------------------------------


@bp.route("/claim-account", methods=["GET", "POST"])
@_throttled()
def claim_request() -> Page:
    """Owners of imported accounts ask for a link to set their password."""
    form = ClaimRequestForm()
    if form.validate_on_submit():
        accounts.request_account_claim(form.email.data or "")
        db.session.commit()
        flash(
            _(
                "If blueprints were imported for that address, a link to claim the account "
                "is on its way."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/claim.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/claim-account/<token>", methods=["GET", "POST"])
def claim_account(token: str) -> Page:
    form = ClaimPasswordForm()
    status = 200
    if form.validate_on_submit():
        user = apply(lambda: accounts.claim_account(token, form.password.data or ""), form)
        if isinstance(user, Refused):
            status = user.status
        else:
            logins.log_in(user)
            flash(_("Welcome, %(name)s: your account is yours now.", name=user.name), "success")
            return redirect(url_for("sessions.my_blueprints"))
    elif form.is_submitted():
        status = 422
    return render_template("auth/claim.html", form=form, token=token), status
