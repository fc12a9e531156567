"""Registering for events, "My registrations", and the organizers' waiting-list review."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager
from werkzeug.wrappers import Response

from summit.db_utils import parse_id
from summit.exports.csv import attendees_csv, waitlist_csv
from summit.extensions import db
from summit.models import (
    Event,
    EventKind,
    PriorityClass,
    Registration,
    RegistrationStatus,
    Summit,
)
from summit.registration.forms import ActionForm, ConfirmChosenForm, ConfirmNextForm, DeclineForm
from summit.services import registration as reg
from summit.web import (
    Refused,
    apply,
    login_required,
    organizer_required,
    summit_or_404,
    verified_required,
)

bp = Blueprint("registration", __name__)

Page = Response | str | tuple[str, int]


@bp.get("/<slug>/register")
def events(slug: str) -> Page:
    return _events_page(slug)


def _events_page(slug: str, status: int = 200) -> Page:
    summit = summit_or_404(slug)
    mine: dict[int, Registration] = {}
    if current_user.is_authenticated:
        for r in reg.my_registrations(current_user.id):
            if r.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED):
                mine[r.event_id] = r
    # Honest buttons: once the first-come seats are gone (or anyone waits), registering
    # means joining the waiting list, and the card says so before the click.
    counted = {e.id: reg.counts(e) for e in summit.events}  # one count query per event
    full = {i: c.open_seats_left == 0 or c.waiting > 0 for i, c in counted.items()}
    return render_template(
        "registration/events.html",
        summit=summit,
        mine=mine,
        full=full,
        position=reg.position,
        form=ActionForm(),
        EventKind=EventKind,
    ), status


# Built once: registering is the rush's hot path, and a statement built afresh is keyed
# afresh for the compiled cache on every request.
_EVENT_BY_SLUG = (
    select(Event)
    .join(Summit)
    .where(Summit.slug == bindparam("slug"), Event.kind == bindparam("kind"))
    .options(contains_eager(Event.summit))
)


@bp.post("/<slug>/register/<kind>")
@verified_required
def register(slug: str, kind: str) -> Page:
    event = db.session.scalar(_EVENT_BY_SLUG, {"slug": slug, "kind": kind}) or abort(
        404, _("No such event.")
    )
    # CSRFProtect has already checked the form's token, as for every POST.
    label, klass = event.label, PriorityClass(current_user.verified_class).label
    outcome = apply(lambda: reg.register(current_user.id, event.id))
    if isinstance(outcome, Refused):
        return _events_page(slug, outcome.status)
    if outcome.position is None:
        flash(_("You are confirmed for the %(event)s.", event=label), "success")
    else:
        flash(
            _(
                "The %(event)s is full for now: you are on the waiting list at position "
                "%(position)d (class: %(class)s).",
                event=label,
                position=outcome.position,
                **{"class": klass},
            ),
            "info",
        )
    return redirect(url_for("registration.mine"))


@bp.get("/my/registrations")
@login_required
def mine() -> Page:
    return _mine_page()


def _mine_page(status: int = 200) -> Page:
    return render_template(
        "registration/mine.html",
        registrations=reg.my_registrations(current_user.id),
        position=reg.position,
        form=ActionForm(),
        user=current_user,
        PriorityClass=PriorityClass,
    ), status


@bp.get("/my/registrations/<int:registration_id>/cancel")
@login_required
def confirm_cancel(registration_id: int) -> Page:
    """Ask before cancelling a seat or leaving the list: a page, so it works without JS."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.user_id != current_user.id:
        abort(404, _("No such registration of yours."))
    return render_template(
        "registration/confirm_cancel.html", registration=registration, form=ActionForm()
    )


@bp.post("/my/registrations/<int:registration_id>/cancel")
@login_required
def cancel(registration_id: int) -> Page:
    if request.form.get("confirm") != "y":  # nothing happens before the person confirms
        return redirect(
            url_for("registration.confirm_cancel", registration_id=registration_id), 303
        )
    registration = apply(lambda: reg.cancel(current_user.id, registration_id))
    if isinstance(registration, Refused):
        return _mine_page(registration.status)
    flash(
        _(
            "Done: your %(event)s registration is cancelled.",
            event=registration.event.label,
        ),
        "success",
    )
    return redirect(url_for("registration.mine"))


# --- organizers ---------------------------------------------------------------------


def _event_or_404(event_id: int) -> Event:
    return db.get_or_404(Event, event_id, description=_("No such event."))


def _waitlist_page(event: Event, status: int = 200, only: str | None = None) -> Page:
    page = reg.waiting_list_page(event, only, page=parse_id(request.args.get("page", "1")) or 1)
    return render_template(
        "registration/waitlist.html",
        event=event,
        entries=page.items,
        pagination=page,
        counts=reg.counts(event),
        position=reg.position,
        only=only,
        PriorityClass=PriorityClass,
        next_form=ConfirmNextForm(formdata=None),
        chosen_form=ConfirmChosenForm(formdata=None),
        decline_form=DeclineForm(formdata=None),
    ), status


def _refused(event_id: int, status: int, message: str = "") -> Page:
    """Show the review page again with the reason (`apply` has shown a refusal's already),
    answering with a 4xx."""
    if message:
        flash(message, "error")
    return _waitlist_page(_event_or_404(event_id), status)


@bp.get("/organizer/events/<int:event_id>/waitlist")
@organizer_required
def waitlist(event_id: int) -> Page:
    event = _event_or_404(event_id)
    only = request.args.get("class") or None
    if only is not None and only not in set(PriorityClass):
        abort(400, _("Filter by core, known or other."))
    return _waitlist_page(event, only=only)


@bp.post("/organizer/events/<int:event_id>/confirm")
@organizer_required
def confirm_chosen(event_id: int) -> Page:
    back = url_for("registration.waitlist", event_id=event_id)
    form = ConfirmChosenForm()
    if not form.validate_on_submit():
        return _refused(event_id, 422, _("Tick at least one entry to confirm."))
    done = apply(
        lambda: reg.confirm_entries(current_user.id, event_id, list(form.entries.data or []))
    )
    if isinstance(done, Refused):
        return _refused(event_id, done.status)
    flash(ngettext("Confirmed %(num)d.", "Confirmed %(num)d.", done), "success")
    return redirect(back)


@bp.post("/organizer/events/<int:event_id>/confirm-next")
@organizer_required
def confirm_next(event_id: int) -> Page:
    back = url_for("registration.waitlist", event_id=event_id)
    form = ConfirmNextForm()
    if not form.validate_on_submit():
        return _refused(event_id, 422, _("Give a number between 1 and 10000."))
    done = apply(lambda: reg.confirm_next(current_user.id, event_id, form.n.data or 0))
    if isinstance(done, Refused):
        return _refused(event_id, done.status)
    flash(
        ngettext("Confirmed the next %(num)d.", "Confirmed the next %(num)d.", done),
        "success",
    )
    return redirect(back)


@bp.post("/organizer/registrations/<int:registration_id>/decline")
@organizer_required
def decline(registration_id: int) -> Page:
    registration = db.get_or_404(Registration, registration_id)
    back = url_for("registration.waitlist", event_id=registration.event_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _refused(
            registration.event_id, 422, _("Give a reason for declining: the person will read it.")
        )
    declined = apply(lambda: reg.decline(current_user.id, registration_id, form.reason.data or ""))
    if isinstance(declined, Refused):
        return _refused(registration.event_id, declined.status)
    flash(_("Declined; the person was told why."), "success")
    return redirect(back)


def _csv(data: bytes, name: str) -> Response:
    return Response(
        data, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/organizer/events/<int:event_id>/attendees.csv")
@organizer_required
def attendees_export(event_id: int) -> Response:
    event = _event_or_404(event_id)
    return _csv(
        attendees_csv(reg.attendees(event)), f"{event.summit.slug}-{event.kind}-attendees.csv"
    )


@bp.get("/organizer/events/<int:event_id>/waitlist.csv")
@organizer_required
def waitlist_export(event_id: int) -> Response:
    event = _event_or_404(event_id)
    entries = enumerate(reg.waiting_list(event), start=1)
    return _csv(waitlist_csv(entries), f"{event.summit.slug}-{event.kind}-waitlist.csv")
