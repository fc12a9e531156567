"""Sign up, log in, log out and the profile."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from summit.auth.forms import (
    ClaimPasswordForm,
    ClaimRequestForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    SignupForm,
)
from summit.extensions import db
from summit.models import ClaimStatus, PriorityClass
from summit.services import accounts
from summit.services.errors import DomainError
from summit.web import form_failure, form_values, login_required, safe_next

bp = Blueprint("auth", __name__)


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> Response | str | tuple[str, int]:
    form = SignupForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.sign_up(**form_values(form, exclude=("confirm",)))
            db.session.commit()
        except DomainError as error:
            status = form_failure(form, error)
        else:
            login_user(user)
            flash(f"Welcome, {user.name}. Your account is ready.", "success")
            if user.has_pending_claim:
                flash("Your contributor claim counts once an organizer verifies it.", "info")
            return redirect(url_for("public.home"))
    elif form.is_submitted():
        status = 422
    return render_template("auth/signup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            login_user(user, remember=bool(form.remember.data))
            flash(f"Logged in as {user.name}.", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("public.home"))
        form.password.errors = ["Email or password is not right."]
        status = 401
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("public.home"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile() -> Response | str | tuple[str, int]:
    form = ProfileForm(obj=current_user)
    status = 200
    if form.validate_on_submit():
        try:
            accounts.update_profile(current_user.id, **form_values(form))
            db.session.commit()
        except DomainError as error:
            status = form_failure(form, error)
        else:
            flash("Profile saved.", "success")
            return redirect(url_for("auth.profile"))
    elif form.is_submitted():
        status = 422
    return render_template(
        "auth/profile.html",
        form=form,
        password_form=PasswordForm(formdata=None),
        user=current_user,
        classes=PriorityClass,
        ClaimStatus=ClaimStatus,
    ), status


@bp.post("/account/password")
@login_required
def change_password() -> Response | tuple[str, int]:
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user.id, form.current_password.data or "", form.new_password.data or ""
            )
            db.session.commit()
        except DomainError as error:
            status = form_failure(form, error)
        else:
            flash("Password changed.", "success")
            return redirect(url_for("auth.profile"))
    else:
        status = 422
    return render_template(
        "auth/profile.html",
        form=ProfileForm(obj=current_user, formdata=None),
        password_form=form,
        user=current_user,
        classes=PriorityClass,
        ClaimStatus=ClaimStatus,
    ), status


@bp.route("/claim-account", methods=["GET", "POST"])
def claim_request() -> Response | str | tuple[str, int]:
    """Owners of imported accounts ask for a link to set their password."""
    form = ClaimRequestForm()
    if form.validate_on_submit():
        accounts.request_account_claim(form.email.data or "")
        db.session.commit()
        flash(
            "If blueprints were imported for that address, a link to claim the account "
            "is on its way.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/claim.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/claim-account/<token>", methods=["GET", "POST"])
def claim_account(token: str) -> Response | str | tuple[str, int]:
    form = ClaimPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.claim_account(token, form.password.data or "")
            db.session.commit()
        except DomainError as error:
            status = form_failure(form, error)
        else:
            login_user(user)
            flash(f"Welcome, {user.name}: your account is yours now.", "success")
            return redirect(url_for("sessions.my_blueprints"))
    elif form.is_submitted():
        status = 422
    return render_template("auth/claim.html", form=form, token=token), status
