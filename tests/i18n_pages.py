"""Every GET page of the app on the demo summit, for the translation tests (I1).

`demo_world` loads the Diablo demo (solved and published), picks one person per role and
adds what the demo lacks for some pages (an import job with a result, a waiting list, a
password-reset link). `page_paths` turns every GET rule of `app.url_map` into real paths
with ids and slugs from that world, so a new page is scanned without being listed here;
a rule with an argument this module does not know fails loudly instead of being skipped.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule

from summit import jobs
from summit.demo import DEMO_ORGANIZER_EMAIL, DEMO_PASSWORD, load_demo
from summit.extensions import db
from summit.models import (
    Blueprint,
    BlueprintStatus,
    Day,
    DesignSession,
    EventKind,
    Interest,
    LightningTalk,
    ProgramItem,
    Registration,
    RegistrationStatus,
    Room,
    SocialEvent,
    Summit,
    Track,
    User,
)
from tests.conftest import mailed_link

ROLES = ("anonymous", "attendee", "lead", "organizer")
# Not pages people read: static files, the JSON API, feeds and exports (.ics, .json, .xml,
# .atom, .csv; the calendars have their own test), and the load balancers' probe.
NOT_HTML_ENDPOINTS = {"static", "public.healthz"}
FILE_RULE = re.compile(r"\.[a-z]+$")
CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
# The solver's budget for the demo's schedule: enough for a published grid.
SOLVE_SECONDS = 2.0


@dataclass
class DemoWorld:
    """The demo summit and the ids the page paths take."""

    summit: Summit
    attendee: User  # a confirmed seat, stars, a lightning talk, a place on a waiting list
    lead: User  # leads a scheduled session and submitted blueprints
    organizer: User
    values: dict[str, list[str]] = field(default_factory=dict)
    edit_items: dict[str, int] = field(default_factory=dict)  # organizer.edit_item's kinds

    def label(self, path: str) -> str:
        """`path` as a report shows it: the mailed token, which changes every run, by name."""
        token = self.values["token"][0]
        return path.replace(token, "<mailed-token>")

    def email(self, role: str) -> str | None:
        person = {"attendee": self.attendee, "lead": self.lead, "organizer": self.organizer}
        return person[role].email if role in person else None


def demo_world(app: Flask, client: FlaskClient) -> DemoWorld:
    """Load the demo and prepare one person per role. `client` (any app on the same
    database) makes the requests that leave a mail or a job behind."""
    load_demo(solve_seconds=SOLVE_SECONDS)
    summit = db.session.scalars(select(Summit).where(Summit.slug == "diablo")).one()
    design = summit.event(EventKind.DESIGN_SUMMIT)
    conference = summit.event(EventKind.CONFERENCE)
    assert design is not None and conference is not None
    organizer = db.session.scalars(select(User).where(User.email == DEMO_ORGANIZER_EMAIL)).one()
    leads = select(DesignSession.lead_id).where(DesignSession.lead_id.is_not(None))
    lead = db.session.scalars(
        select(User)
        .join(DesignSession, DesignSession.lead_id == User.id)
        .join(Blueprint, Blueprint.submitter_id == User.id)
        .where(DesignSession.room_id.is_not(None), User.is_organizer.is_(False))
        .group_by(User.id)
        .order_by(func.count(Blueprint.id.distinct()).desc(), User.id)
        .limit(1)
    ).one()
    attendee = db.session.scalars(
        select(User)
        .join(Registration, Registration.user_id == User.id)
        .join(LightningTalk, LightningTalk.user_id == User.id)
        .join(Interest, Interest.user_id == User.id)
        .where(
            Registration.status == RegistrationStatus.CONFIRMED,
            User.is_organizer.is_(False),
            User.id.not_in(leads),
        )
        .order_by(User.id)
        .limit(1)
    ).one()
    # A waiting list for the organizers' page, the attendee on the conference's list too.
    waiting = db.session.scalars(
        select(User)
        .where(User.id.not_in(select(Registration.user_id)), User.is_organizer.is_(False))
        .order_by(User.id)
        .limit(4)
    ).all()
    for person in waiting:
        db.session.add(
            Registration(
                event_id=design.id, user_id=person.id, status=RegistrationStatus.WAITLISTED
            )
        )
    conference_seat = Registration(
        event_id=conference.id, user_id=attendee.id, status=RegistrationStatus.CONFIRMED
    )
    db.session.add(conference_seat)
    conference.confirmed_count += 1
    db.session.commit()

    world = DemoWorld(summit=summit, attendee=attendee, lead=lead, organizer=organizer)
    reset_token = _reset_token(client, attendee)
    job_id = _import_job(app, client, summit)
    session = db.session.scalars(
        select(DesignSession)
        .where(DesignSession.lead_id == lead.id, DesignSession.room_id.is_not(None))
        .order_by(DesignSession.id)
    ).first()
    assert session is not None
    blueprint = db.session.scalars(
        select(Blueprint)
        .where(Blueprint.submitter_id == lead.id)
        .order_by(Blueprint.status != BlueprintStatus.SUBMITTED, Blueprint.id)
    ).first()
    assert blueprint is not None
    registration = db.session.scalars(
        select(Registration).where(
            Registration.user_id == attendee.id, Registration.event_id == design.id
        )
    ).one()

    def first(model: Any) -> Any:
        row = db.session.scalars(
            select(model).where(model.summit_id == summit.id).order_by(model.id)
        ).first()
        assert row is not None, model
        return row

    day = db.session.scalars(
        select(Day).where(Day.event_id == design.id).order_by(Day.date)
    ).first()
    assert day is not None
    world.values = {
        "slug": [summit.slug],
        "summit_id": [str(summit.id)],
        "blueprint_id": [str(blueprint.id)],
        "session_id": [str(session.id)],
        "user_id": [str(lead.id)],
        "room_slug": [first(Room).slug],
        "track_slug": [first(Track).slug],
        "registration_id": [str(registration.id)],
        "event_id": [str(design.id)],
        "job_id": [str(job_id)],
        "day_id": [str(day.id)],
        "kind": [k.value for k in EventKind],  # organizer.edit_event
        # Tokens: a link as mailed, and one that is not (the page that refuses it).
        "token": [reset_token, "not-a-real-token"],
    }
    world.edit_items = {
        "room": first(Room).id,
        "track": first(Track).id,
        "social": first(SocialEvent).id,
        "program": first(ProgramItem).id,
    }
    return world


def _reset_token(client: FlaskClient, person: User) -> str:
    response = client.post("/reset-password", data={"email": person.email})
    assert response.status_code == 302, response.status
    db.session.expire_all()
    return mailed_link(person.email, "/reset-password/").rsplit("/", 1)[1]


def _import_job(app: Flask, client: FlaskClient, summit: Summit) -> int:
    """An organizer's blueprint import, run by the worker: one row taken, one refused."""
    log_in(client, DEMO_ORGANIZER_EMAIL)
    csv = (
        "title,track,description,url,submitter_email,submitter_name,length\n"
        "Imported topic,Nova,From the import,,imported@example.org,Imported Person,1\n"
        "Refused topic,Nope,No such track,,imported@example.org,Imported Person,1\n"
    )
    response = client.post(
        f"/organizer/summits/{summit.id}/import",
        data={"file": (io.BytesIO(csv.encode()), "blueprints.csv"), "partial": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/logout")
    jobs.run_pending(app)
    db.session.expire_all()
    return int(response.location.rsplit("/", 1)[1])


def log_in(client: FlaskClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def role_clients(app: Flask, world: DemoWorld) -> dict[str, FlaskClient]:
    """One logged-in test client per role (anonymous: none)."""
    clients = {}
    for role in ROLES:
        client = app.test_client()
        email = world.email(role)
        if email:
            log_in(client, email)
        clients[role] = client
    return clients


def is_page(rule: Rule) -> bool:
    return (
        "GET" in (rule.methods or set())
        and rule.endpoint not in NOT_HTML_ENDPOINTS
        and not rule.rule.startswith("/api/")
        and not FILE_RULE.search(rule.rule)
    )


def _expand(rule: Rule, world: DemoWorld) -> Iterator[dict[str, str]]:
    names = [m.group(2) for m in CONVERTER.finditer(rule.rule)]
    if rule.endpoint == "organizer.edit_item":
        for kind, obj_id in world.edit_items.items():
            yield {"summit_id": world.values["summit_id"][0], "kind": kind, "obj_id": str(obj_id)}
        return
    unknown = [n for n in names if n not in world.values]
    if unknown:
        raise KeyError(f"{rule.rule}: no demo value for {unknown}; add one in tests/i18n_pages.py")
    combos: list[dict[str, str]] = [{}]
    for name in names:
        combos = [{**c, name: v} for c in combos for v in world.values[name]]
    yield from combos


def page_paths(app: Flask, world: DemoWorld) -> list[str]:
    """Every GET page, with real ids; plus a past summit's home and a summit that is not
    there (the 404 page)."""
    paths = set()
    for rule in app.url_map.iter_rules():
        if not is_page(rule):
            continue
        for values in _expand(rule, world):
            paths.add(CONVERTER.sub(lambda m, v=values: v[m.group(2)], rule.rule))
    paths |= {"/bexar/", "/no-such-summit/"}
    return sorted(paths)
