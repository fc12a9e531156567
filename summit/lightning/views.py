"""The lightning-talk whiteboard (L1-L3): every day's slots, free and taken; booking is one
step; speakers cancel their own talk; organizers remove talks, block slots and set the limit."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from summit.extensions import db
from summit.forms import ActionForm
from summit.lightning.forms import BlockForm, BookForm, LimitForm
from summit.models import LightningTalk, Summit
from summit.services import lightning
from summit.web import Refused, apply, login_required, organizer_required, summit_or_404

bp = Blueprint("lightning", __name__)

Page = Response | str | tuple[str, int]


def _board(summit: Summit, status: int = 200, *, nearest: set[int] | None = None) -> Page:
    user_id = current_user.id if current_user.is_authenticated else None
    return render_template(
        "lightning/board.html",
        summit=summit,
        board=lightning.whiteboard(summit),
        can_book=user_id is not None and lightning.is_registered(user_id, summit.id),
        user_id=user_id,
        nearest=nearest or set(),
        form=ActionForm(formdata=None),
        limit_form=LimitForm(formdata=None, talks_per_day=summit.lightning_talks_per_day),
    ), status


@bp.get("/<slug>/lightning")
def board(slug: str) -> Page:
    return _board(summit_or_404(slug))


@bp.post("/<slug>/lightning/book")
@login_required
def book(slug: str) -> Page:
    summit = summit_or_404(slug)
    form = BookForm()
    if not form.validate_on_submit():
        problems = [e for errors in form.errors.values() for e in errors]
        flash(" ".join(str(p) for p in problems) or _("The form was incomplete."), "error")
        return _board(summit, 422)
    talk = apply(
        lambda: lightning.book_lightning_slot(
            current_user.id, form.slot_id.data or 0, form.title.data or ""
        )
    )
    if isinstance(talk, Refused):
        taken = talk.error
        nearest = {s.id for s in taken.nearest} if isinstance(taken, lightning.SlotTaken) else None
        return _board(summit, talk.status, nearest=nearest)
    flash(_("Booked: “%(title)s”. See you at the whiteboard!", title=talk.title), "success")
    return redirect(url_for("lightning.board", slug=slug) + f"#slot-{talk.slot_id}")


def _change(summit: Summit, change: Callable[[], object], done: str, anchor: str = "") -> Page:
    """Run one whiteboard change in its own transaction: on success a message and back to
    the board; on a refusal, nothing written and the board again with the reason."""
    changed = apply(change)
    if isinstance(changed, Refused):
        return _board(summit, changed.status)
    flash(done, "success")
    return redirect(url_for("lightning.board", slug=summit.slug) + anchor)


@bp.post("/<slug>/lightning/talks/<int:talk_id>/cancel")
@login_required
def cancel(slug: str, talk_id: int) -> Page:
    return _change(
        summit_or_404(slug),
        lambda: lightning.cancel_talk(current_user.id, talk_id),
        _("Your lightning talk is cancelled; the slot is free again."),
    )


@bp.post("/<slug>/lightning/talks/<int:talk_id>/remove")
@organizer_required
def remove(slug: str, talk_id: int) -> Page:
    talk = db.session.get(LightningTalk, talk_id)
    done = (
        _("Removed “%(title)s”; the speaker was told.", title=talk.title)
        if talk
        else _("Removed the talk; the speaker was told.")
    )
    return _change(
        summit_or_404(slug), lambda: lightning.remove_talk(current_user.id, talk_id), done
    )


@bp.post("/<slug>/lightning/slots/<int:slot_id>/block")
@organizer_required
def block(slug: str, slot_id: int) -> Page:
    form = BlockForm()
    blocked = bool(form.blocked.data)
    return _change(
        summit_or_404(slug),
        lambda: lightning.set_blocked(current_user.id, slot_id, blocked),
        _("Slot blocked.") if blocked else _("Slot open for booking again."),
        f"#slot-{slot_id}",
    )


@bp.post("/<slug>/lightning/limit")
@organizer_required
def limit(slug: str) -> Page:
    summit = summit_or_404(slug)
    form = LimitForm()
    if not form.validate_on_submit():
        flash(_("Allow between 1 and 20 talks per person per day."), "error")
        return _board(summit, 422)
    talks = form.talks_per_day.data or 0
    return _change(
        summit,
        lambda: lightning.set_talks_per_day(current_user.id, summit.id, talks),
        ngettext(
            "Each person may now book %(num)d talk a day.",
            "Each person may now book %(num)d talks a day.",
            talks,
        ),
    )
