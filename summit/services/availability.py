"""S1: when a session lead cannot attend, per summit; the lead or an organizer says so.

The scheduler keeps a lead's sessions out of the parts of days marked here (the solver,
a hand move, and the draft grid, all through scheduling.to_problem)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select

from summit.extensions import db
from summit.models import Day, LeadAway, Summit, User, WindowPart
from summit.services import audit
from summit.services.errors import Forbidden, Invalid, NotFound

PARTS = (WindowPart.MORNING, WindowPart.AFTERNOON)
Mark = tuple[int, str]  # (day id, "morning" | "afternoon")


def away_of(summit: Summit, user_id: int) -> set[Mark]:
    days = [d.id for d in summit.design_days]
    rows = db.session.execute(
        select(LeadAway.day_id, LeadAway.part).where(
            LeadAway.user_id == user_id, LeadAway.day_id.in_(days)
        )
    )
    return {(day_id, part) for day_id, part in rows}


def away_by_lead(summit: Summit) -> dict[int, set[Mark]]:
    """Every lead's marks in this summit: user id → {(day id, part)}."""
    days = [d.id for d in summit.design_days]
    out: dict[int, set[Mark]] = {}
    for user_id, day_id, part in db.session.execute(
        select(LeadAway.user_id, LeadAway.day_id, LeadAway.part).where(LeadAway.day_id.in_(days))
    ):
        out.setdefault(user_id, set()).add((day_id, part))
    return out


def set_away(actor: User, summit: Summit, user_id: int, marks: set[Mark]) -> None:
    """Replace the user's marks in this summit. Only the user or an organizer may."""
    if actor.id != user_id and not actor.is_organizer:
        raise Forbidden(_("Only organizers can say when someone else can't attend."))
    if db.session.get(User, user_id) is None:
        raise NotFound(_("No such person."))
    days: dict[int, Day] = {d.id: d for d in summit.design_days}
    for day_id, part in marks:
        if day_id not in days or part not in PARTS:
            raise Invalid(_("Pick mornings or afternoons of this summit's Design Summit days."))
    db.session.execute(
        delete(LeadAway).where(LeadAway.user_id == user_id, LeadAway.day_id.in_(list(days)))
    )
    db.session.add_all(LeadAway(user_id=user_id, day_id=d, part=p) for d, p in sorted(marks))
    audit.record(
        actor.id,
        "availability.set",
        f"user:{user_id} summit:{summit.slug}",
        ", ".join(f"{days[d].date:%a %d %b} {p}" for d, p in sorted(marks)) or "always there",
    )
