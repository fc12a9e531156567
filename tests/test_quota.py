"""Issue 12, item 8: one person submits at most the summit's `blueprints_per_person`; the
review page is paginated and keeps its filters."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from summit.extensions import db
from summit.models import Blueprint, BlueprintStatus, DesignSession
from summit.services import blueprints as bps
from tests.conftest import login
from tests.test_registration_concurrency import race


def count_blueprints() -> int:
    return db.session.scalar(select(func.count()).select_from(Blueprint)) or 0


def test_the_blueprint_quota_is_kept_with_a_message(
    client: FlaskClient, make_summit, make_user
) -> None:
    summit = make_summit()
    summit.blueprints_per_person = 2
    user = make_user()
    db.session.commit()
    login(client, user)
    track_id = str(summit.tracks[0].id)
    for n in range(2):
        response = client.post(
            "/diablo/blueprints/new", data={"title": f"Idea number {n}", "track_id": track_id}
        )
        assert response.status_code == 302
    third = client.post(
        "/diablo/blueprints/new", data={"title": "One idea too many", "track_id": track_id}
    )
    assert third.status_code == 409
    assert "the most one person may" in third.get_data(as_text=True)
    assert count_blueprints() == 2
    # A withdrawn blueprint frees its place.
    first = db.session.scalars(select(Blueprint).order_by(Blueprint.id)).first()
    assert first is not None
    assert client.post(f"/diablo/blueprints/{first.id}/withdraw").status_code == 302
    again = client.post(
        "/diablo/blueprints/new", data={"title": "Now it fits", "track_id": track_id}
    )
    assert again.status_code == 302


def test_the_quota_holds_when_one_person_submits_many_at_once(
    app: Flask, make_summit, make_user
) -> None:
    summit = make_summit()
    summit.blueprints_per_person = 3
    user = make_user()
    db.session.commit()
    summit_id, track_id, user_id = summit.id, summit.tracks[0].id, user.id

    def submit(n: int):  # type: ignore[no-untyped-def]
        return lambda: bps.submit(
            user_id,
            summit_id,
            track_id=track_id,
            title=f"Racing idea {n}",
            description="",
            url="",
            length_slots=1,
        )

    results, refused = race(app, [submit(n) for n in range(10)])
    assert (len(results), len(refused)) == (3, 7)
    db.session.expire_all()
    assert count_blueprints() == 3


def test_the_review_page_is_paginated_and_keeps_its_filters(
    client: FlaskClient, make_summit, make_user
) -> None:
    summit = make_summit()
    organizer = make_user(is_organizer=True)
    submitter = make_user()
    track = summit.tracks[0]
    db.session.add_all(
        Blueprint(
            summit_id=summit.id,
            track_id=track.id,
            submitter_id=submitter.id,
            title=f"Blueprint {n:03}",
            status=BlueprintStatus.SUBMITTED,
        )
        for n in range(120)
    )
    db.session.add(
        DesignSession(
            summit_id=summit.id, track_id=track.id, lead_id=submitter.id, title="Merge me"
        )
    )
    db.session.commit()
    login(client, organizer)
    url = f"/organizer/summits/{summit.id}/blueprints?track={track.id}&status=submitted"
    first = client.get(url).get_data(as_text=True)
    assert first.count('name="ids"') == bps.REVIEW_PAGE_SIZE
    assert "120 in all" in first
    pages = set(re.findall(r'href="([^"]*page=\d+[^"]*)"', first))
    assert pages and all(f"track={track.id}" in p and "status=submitted" in p for p in pages)
    last = client.get(url + "&page=3").get_data(as_text=True)
    assert last.count('name="ids"') == 120 - 2 * bps.REVIEW_PAGE_SIZE
    assert "Blueprint 119" in last and "Blueprint 000" not in last
    # No merge target is chosen for the organizer.
    merge_fields = re.findall(r'<input name="session_id"[^>]*>', first)
    assert merge_fields and not any("value=" in field for field in merge_fields)


def test_the_waiting_list_and_audit_log_are_paginated(
    client: FlaskClient, make_summit, make_user
) -> None:
    from summit.models import AuditEntry, EventKind
    from summit.services import registration as reg
    from summit.services.registration import WAITLIST_PAGE_SIZE

    summit = make_summit(design_capacity=1, design_open=1)
    design = summit.event(EventKind.DESIGN_SUMMIT)
    assert design is not None
    organizer = make_user(is_organizer=True)
    people = [make_user(name=f"Waiting {n:03}") for n in range(WAITLIST_PAGE_SIZE + 11)]
    for person in people:
        reg.register(person.id, design.id)
    db.session.add_all(AuditEntry(actor_id=None, action=f"test.{n}") for n in range(130))
    db.session.commit()
    login(client, organizer)
    second = client.get(f"/organizer/events/{design.id}/waitlist?page=2").get_data(as_text=True)
    # The first person took the seat: the list holds the others, 10 of them on page 2.
    assert second.count('name="entries"') == 10
    assert f"<td>{WAITLIST_PAGE_SIZE + 1}</td>" in second
    assert "Waiting 110" in second and "Waiting 050" not in second
    audit = client.get("/organizer/audit?page=2").get_data(as_text=True)
    assert "test.0<" in audit and "test.129<" not in audit


def test_j1_two_organizers_pressing_solve_at_once_start_one_solve(
    app: Flask, make_summit, make_user
) -> None:
    from summit.models import Job
    from summit.services import solve_job

    summit = make_summit()
    organizers = [make_user(is_organizer=True).id for _ in range(6)]
    db.session.commit()
    summit_id = summit.id

    def press(who: int):  # type: ignore[no-untyped-def]
        return lambda: solve_job.start_solve(who, summit_id, time_limit=5, resolve=False)

    results, refused = race(app, [press(who) for who in organizers])
    assert (len(results), len(refused)) == (1, 5)
    assert all("already running" in message for message in refused)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1


def test_p5_the_sessions_list_is_paginated_and_keeps_its_track_filter(
    client: FlaskClient, make_summit, make_user
) -> None:
    from summit.sessions.views import CATALOGUE_PAGE

    summit = make_summit()
    lead = make_user()
    nova = summit.tracks[0]
    db.session.add_all(
        DesignSession(summit_id=summit.id, track_id=nova.id, lead_id=lead.id, title=f"S {n:03}")
        for n in range(CATALOGUE_PAGE + 5)
    )
    db.session.commit()
    first = client.get(f"/diablo/sessions?track={nova.slug}").get_data(as_text=True)
    assert first.count('class="session"') == CATALOGUE_PAGE
    assert f"{CATALOGUE_PAGE + 5} in all" in first
    links = set(re.findall(r'href="([^"]*page=2[^"]*)"', first))
    assert links and all(f"track={nova.slug}" in link for link in links)
    second = client.get(f"/diablo/sessions?track={nova.slug}&page=2").get_data(as_text=True)
    assert second.count('class="session"') == 5
