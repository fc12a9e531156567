"""Organizer pages: define summits, verify claims, read the audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from summit import mail
from summit.choices import choices
from summit.db_utils import parse_id
from summit.extensions import db
from summit.forms import ActionForm
from summit.i18n import format_day
from summit.models import (
    AuditEntry,
    ClaimStatus,
    Day,
    EventKind,
    MailStatus,
    OutboxEmail,
    ProgramItem,
    Room,
    SocialEvent,
    Summit,
    Track,
)
from summit.organizer.forms import (
    ClaimDecisionForm,
    DayForm,
    EventForm,
    ProgramItemForm,
    RoomForm,
    SocialEventForm,
    SummitForm,
    TrackForm,
)
from summit.services import accounts, audit, summits
from summit.web import Refused, apply, form_values, organizer_required

bp = Blueprint("organizer", __name__, url_prefix="/organizer")

Page = Response | str | tuple[str, int]


def _naive_local(summit: Summit, instant: datetime | None) -> datetime | None:
    """An instant as the venue's wall-clock time, the way the forms show it."""
    return instant.astimezone(summit.zone).replace(tzinfo=None) if instant else None


def _save_form(
    form: FlaskForm, save: Callable[[], Any], back: Callable[[Any], str], **context: Any
) -> Page:
    """The shared POST path: validate shape, call the service, commit, or show the errors.

    `back` gets what `save` returned and gives the address to go to afterwards.
    """
    status = 200
    if form.validate_on_submit():
        saved = apply(save, form)
        if isinstance(saved, Refused):
            status = saved.status
        else:
            flash(_("Saved."), "success")
            return redirect(back(saved))
    elif form.is_submitted():
        status = 422
    return render_template("organizer/form.html", form=form, **context), status


def _summit_or_404(summit_id: int) -> Summit:
    return db.get_or_404(Summit, summit_id, description=_("No such summit."))


@bp.get("/")
@organizer_required
def dashboard() -> Page:
    all_summits = db.session.scalars(select(Summit).order_by(Summit.id.desc())).all()
    return render_template(
        "organizer/dashboard.html",
        summits=all_summits,
        pending=accounts.pending_claim_count(),
        mail_failing_since=mail.failing_since(),
    )


@bp.route("/summits/new", methods=["GET", "POST"])
@bp.route("/summits/<int:summit_id>/edit", methods=["GET", "POST"])
@organizer_required
def edit_summit(summit_id: int | None = None) -> Page:
    summit = _summit_or_404(summit_id) if summit_id else None
    form = SummitForm(obj=summit)
    if summit is not None and not form.is_submitted():
        form.cfp_closes_at.data = _naive_local(summit, summit.cfp_closes_at)
    return _save_form(
        form,
        lambda: summits.save_summit(current_user.id, summit_id, **form_values(form)),
        lambda saved: url_for("organizer.summit", summit_id=saved.id),
        title=_("Edit %(name)s", name=summit.name) if summit else _("New summit"),
        summit=summit,
    )


@bp.get("/summits/<int:summit_id>")
@organizer_required
def summit(summit_id: int) -> Page:
    the_summit = _summit_or_404(summit_id)
    return render_template("organizer/summit.html", summit=the_summit, EventKind=EventKind)


@bp.route("/summits/<int:summit_id>/events/<kind>", methods=["GET", "POST"])
@organizer_required
def edit_event(summit_id: int, kind: str) -> Page:
    the_summit = _summit_or_404(summit_id)
    if kind not in {k.value for k in EventKind}:
        abort(404)
    event = the_summit.event(EventKind(kind))
    form = EventForm(obj=event)
    if event is not None and not form.is_submitted():
        form.registration_opens_at.data = _naive_local(the_summit, event.registration_opens_at)
        form.registration_closes_at.data = _naive_local(the_summit, event.registration_closes_at)
    return _save_form(
        form,
        lambda: summits.save_event(current_user.id, summit_id, kind, **form_values(form)),
        lambda _saved: url_for("organizer.summit", summit_id=summit_id),
        title=_("%(event)s of %(summit)s", event=EventKind(kind).label, summit=the_summit.name),
        summit=the_summit,
    )


@bp.route("/summits/<int:summit_id>/days/new", methods=["GET", "POST"])
@bp.route("/summits/<int:summit_id>/days/<int:day_id>", methods=["GET", "POST"])
@organizer_required
def edit_day(summit_id: int, day_id: int | None = None) -> Page:
    the_summit = _summit_or_404(summit_id)
    day = db.get_or_404(Day, day_id) if day_id else None
    if day is not None and day.event.summit_id != summit_id:
        abort(404)
    form = DayForm(obj=day)
    if day is not None and not form.is_submitted():
        form.event_kind.data = day.event.kind
    return _save_form(
        form,
        lambda: summits.save_day(current_user.id, summit_id, day_id, **form_values(form)),
        lambda _saved: url_for("organizer.summit", summit_id=summit_id),
        title=_("Day of %(summit)s", summit=the_summit.name),
        summit=the_summit,
        day=day,
    )


@dataclass(frozen=True)
class Editable:
    """A summit's simple child record and how its form meets its service."""

    model: type[Room] | type[Track] | type[SocialEvent] | type[ProgramItem]
    form: type[FlaskForm]
    save: Callable[..., Any]
    new_title: Any  # the form page's title, lazy: "New room"
    edit_title: Any  # "Edit room"
    times: tuple[str, ...] = ()  # instant fields shown as venue-local time


EDITABLES = {
    "room": Editable(Room, RoomForm, summits.save_room, _l("New room"), _l("Edit room")),
    "track": Editable(Track, TrackForm, summits.save_track, _l("New track"), _l("Edit track")),
    "social": Editable(
        SocialEvent,
        SocialEventForm,
        summits.save_social_event,
        _l("New social event"),
        _l("Edit social event"),
        ("starts_at", "ends_at"),
    ),
    "program": Editable(
        ProgramItem,
        ProgramItemForm,
        summits.save_program_item,
        _l("New conference programme item"),
        _l("Edit conference programme item"),
        ("starts_at", "ends_at"),
    ),
}


@bp.route("/summits/<int:summit_id>/<kind>/new", methods=["GET", "POST"])
@bp.route("/summits/<int:summit_id>/<kind>/<int:obj_id>", methods=["GET", "POST"])
@organizer_required
def edit_item(summit_id: int, kind: str, obj_id: int | None = None) -> Page:
    the_summit = _summit_or_404(summit_id)
    spec = EDITABLES.get(kind) or abort(404)
    obj = db.get_or_404(spec.model, obj_id) if obj_id else None
    if obj is not None and obj.summit_id != summit_id:
        abort(404)
    form = spec.form(obj=obj)
    if obj is not None and not form.is_submitted():
        for name in spec.times:
            getattr(form, name).data = _naive_local(the_summit, getattr(obj, name))
    if kind == "track":
        form.window_day_id.choices = choices(
            (0, _("Any day")),
            *(
                (
                    d.id,
                    _(
                        "%(day)s (%(event)s)",
                        day=format_day(d.date, "%A %d %B"),
                        event=d.event.label,
                    ),
                )
                for d in the_summit.design_days
            ),
        )
        if isinstance(obj, Track) and not form.is_submitted():
            form.window_day_id.data = obj.window_day_id or 0
            form.window_part.data = obj.window_part or "day"
    return _save_form(
        form,
        lambda: spec.save(current_user.id, summit_id, obj_id, **form_values(form)),
        lambda _saved: url_for("organizer.summit", summit_id=summit_id),
        title=str(spec.edit_title if obj else spec.new_title),
        summit=the_summit,
        delete_kind=kind if obj else None,
        obj_id=obj_id,
    )


@bp.post("/summits/<int:summit_id>/<kind>/<int:obj_id>/delete")
@organizer_required
def delete_item(summit_id: int, kind: str, obj_id: int) -> Page:
    if kind not in EDITABLES:
        abort(404)
    deleted = apply(lambda: summits.delete_owned(current_user.id, summit_id, kind, obj_id))
    if isinstance(deleted, Refused):
        return redirect(
            url_for("organizer.edit_item", summit_id=summit_id, kind=kind, obj_id=obj_id)
        )
    flash(_("Deleted."), "success")
    return redirect(url_for("organizer.summit", summit_id=summit_id))


@bp.get("/claims")
@organizer_required
def claims() -> Page:
    return _claims_page()


def _claims_page(status: int = 200) -> Page:
    return render_template(
        "organizer/claims.html",
        users=accounts.pending_claims(),
        form=ClaimDecisionForm(formdata=None),
    ), status


@bp.post("/claims/<int:user_id>")
@organizer_required
def decide_claim(user_id: int) -> Page:
    form = ClaimDecisionForm()
    if not form.validate_on_submit():
        abort(400, _("Pick verify or reject."))
    user = apply(
        lambda: accounts.decide_claim(
            current_user.id,
            user_id,
            verify=form.decision.data == "verify",
            note=form.note.data or "",
            seen=(form.seen_claim.data, form.seen_project.data or ""),
        )
    )
    if isinstance(user, Refused):
        return _claims_page(user.status)
    if user.claim_status == ClaimStatus.VERIFIED:
        flash(_("%(name)s: claim verified.", name=user.name), "success")
    else:
        flash(_("%(name)s: claim rejected.", name=user.name), "success")
    return redirect(url_for("organizer.claims"))


MAIL_PAGE = 50


@bp.get("/mail")
@organizer_required
def mail_outbox() -> Page:
    rows = db.session.execute(
        select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)
    ).all()
    totals = {str(status): int(count) for status, count in rows}
    status = request.args.get("status", "")
    if status not in {"", *(s.value for s in MailStatus)}:
        status = ""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = select(OutboxEmail)
    if status:
        query = query.where(OutboxEmail.status == status)
    shown = db.session.scalars(
        query.order_by(OutboxEmail.id.desc()).offset((page - 1) * MAIL_PAGE).limit(MAIL_PAGE + 1)
    ).all()
    return render_template(
        "organizer/mail.html",
        totals=totals,
        mails=shown[:MAIL_PAGE],
        status=status,
        page=page,
        has_next=len(shown) > MAIL_PAGE,
        failing_since=mail.failing_since(),
        form=ActionForm(),
    )


@bp.post("/mail/retry")
@organizer_required
def retry_mail() -> Page:
    """Every failed mail again, or one row when the form names it."""
    one = request.form.get("mail_id", type=int)
    count = mail.retry_failed([one] if one else None)
    audit.record(
        current_user.id, "mail.retry", f"outbox:{one}" if one else "outbox", f"{count} mails"
    )
    db.session.commit()
    flash(
        ngettext(
            "%(num)d failed mail will be sent again.",
            "%(num)d failed mails will be sent again.",
            count,
        ),
        "success",
    )
    return redirect(url_for("organizer.mail_outbox", status=request.args.get("status", "")))


AUDIT_PAGE_SIZE = 100


@bp.get("/audit")
@organizer_required
def audit_log() -> Page:
    page = db.paginate(
        select(AuditEntry).options(selectinload(AuditEntry.actor)).order_by(AuditEntry.id.desc()),
        page=parse_id(request.args.get("page", "1")) or 1,
        per_page=AUDIT_PAGE_SIZE,
        error_out=False,
    )
    return render_template("organizer/audit.html", entries=page.items, pagination=page)
