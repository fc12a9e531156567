"""Never a 500 for bad input: every form gets missing, oversized, wrong-type, hostile and
non-UTF-8 values, and answers with a 4xx or a form error, leaving nothing half-written."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import time
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from summit import jobs
from summit.extensions import db
from summit.models import (
    Base,
    Blueprint,
    Day,
    EventKind,
    JobStatus,
    Room,
    SocialEvent,
    Summit,
    Track,
    User,
)
from summit.services import blueprints as bps
from summit.services import registration as reg
from tests.conftest import login
from tests.test_organizer_summit import DAY, SUMMIT

HOSTILE = {
    "missing": None,
    "oversized": "x" * 10_240,
    "wrong type": "twelve",
    "html and sql": "<img src=x onerror=alert(1)>'; DROP TABLE summit; --",
    "non-utf8": b"\xff\xfe\xfa",
    "nul character": "a\x00b",  # PostgreSQL cannot store it in text
}


def snapshot() -> str:
    """A digest of every row of every table: equal digests mean nothing was written."""
    db.session.expire_all()
    digest = hashlib.sha256()
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def forms(summit_id: int, ids: dict[str, int]) -> dict[str, tuple[str, dict[str, str]]]:
    base = f"/organizer/summits/{summit_id}"
    return {
        "signup": (
            "/signup",
            {
                "name": "A",
                "email": "a@example.org",
                "password": "longenough",
                "confirm": "longenough",
                "claim": "other",
            },
        ),
        "login": ("/login", {"email": "a@example.org", "password": "longenough"}),
        "profile": (
            "/account",
            {"name": "B", "affiliation": "", "projects": "", "claim": "known", "claim_project": ""},
        ),
        "password": ("/account/password", {"current_password": "x", "new_password": "longenough"}),
        "summit": (f"{base}/edit", {**SUMMIT, "slug": "hostile"}),
        "event": (
            f"{base}/events/design_summit",
            {
                "starts_on": "2011-04-27",
                "ends_on": "2011-04-29",
                "capacity": "250",
                "open_seats": "200",
                "policy": "review",
            },
        ),
        "day": (f"{base}/days/{ids['day']}", {**DAY, "date": "2011-04-28"}),
        "room": (
            f"{base}/room/{ids['room']}",
            {"name": "R", "capacity": "10", "layout": "fishbowl"},
        ),
        "track": (
            f"{base}/track/{ids['track']}",
            {"name": "T", "colour": "#112233", "window_day_id": "0", "window_part": "day"},
        ),
        "social": (
            f"{base}/social/new",
            {
                "title": "S",
                "starts_at": "2011-04-27T19:00",
                "ends_at": "",
                "place": "",
                "sponsor": "",
            },
        ),
        "program": (
            f"{base}/program/new",
            {
                "title": "P",
                "kind": "talk",
                "starts_at": "2011-04-26T09:00",
                "ends_at": "2011-04-26T10:00",
            },
        ),
        "claim": (
            f"/organizer/claims/{ids['user']}",
            {"decision": "verify", "note": "", "seen_claim": "other", "seen_project": ""},
        ),
        "delete": (f"{base}/room/{ids['room']}/delete", {}),
        "confirm next": (f"/organizer/events/{ids['event']}/confirm-next", {"n": "3"}),
        "confirm chosen": (
            f"/organizer/events/{ids['event']}/confirm",
            {"entries": str(ids["entry"])},
        ),
        "decline": (f"/organizer/registrations/{ids['entry']}/decline", {"reason": "Full"}),
        "register": ("/diablo/register/conference", {}),
        "blueprint": (
            "/diablo/blueprints/new",
            {
                "title": "A fine idea",
                "track_id": str(ids["track"]),
                "description": "",
                "url": "",
                "length_slots": "1",
            },
        ),
        "session": (
            f"{base}/sessions/new",
            {
                "title": "A direct session",
                "track_id": str(ids["track"]),
                "description": "",
                "lead_email": "",
                "length_slots": "1",
                "expected_attendance": "",
            },
        ),
        "reject blueprint": (
            f"/organizer/blueprints/{ids['blueprint']}/reject",
            {"reason": "Out of scope"},
        ),
        "merge blueprint": (
            f"/organizer/blueprints/{ids['blueprint']}/merge",
            {"session_id": str(ids["session"])},
        ),
        "star": (f"/diablo/sessions/{ids['session']}/star", {"starred": "y"}),
    }


@pytest.fixture
def setup(client: FlaskClient, make_summit, make_user) -> tuple[FlaskClient, Callable]:
    summit = make_summit()
    organizer = make_user(is_organizer=True)
    claimant = make_user(claim="core", claim_project="Nova", claim_status="pending")
    db.session.add(
        SocialEvent(
            summit_id=summit.id,
            title="Party",
            starts_at=summit.to_utc(summit.starts_on, time(19, 0)),
        )
    )
    db.session.commit()
    ids = {
        "day": db.session.scalars(select(Day.id).order_by(Day.date)).first(),
        "room": db.session.scalars(select(Room.id)).first(),
        "track": db.session.scalars(select(Track.id)).first(),
        "user": claimant.id,
    }
    design = summit.event(EventKind.DESIGN_SUMMIT)
    assert design is not None
    design.open_seats = 0
    ids["event"] = design.id
    ids["entry"] = reg.register(make_user().id, design.id).registration_id
    blueprint = bps.submit(
        organizer.id,
        summit.id,
        track_id=ids["track"],
        title="Some idea",
        description="",
        url="",
        length_slots=1,
    )
    ids["session"] = bps.save_session(
        organizer.id,
        summit.id,
        None,
        title="Existing one",
        track_id=ids["track"],
        description="",
        lead_email="",
        length_slots=1,
        expected_attendance=None,
    ).id
    ids["blueprint"] = blueprint.id
    db.session.commit()
    login(client, organizer)
    return client, lambda: forms(summit.id, ids)  # type: ignore[arg-type]


def _post(
    client: FlaskClient, path: str, data: dict[str, str], field: str, value: str | bytes | None
) -> int:
    if value is None:
        data = {k: v for k, v in data.items() if k != field}
        return client.post(path, data=data).status_code
    if isinstance(value, bytes):
        # Raw bytes in the body, as a broken client would send them.
        body = urlencode({k: v for k, v in data.items() if k != field}).encode()
        body += b"&" + field.encode() + b"=" + value
        return client.post(
            path, data=body, content_type="application/x-www-form-urlencoded"
        ).status_code
    return client.post(path, data={**data, field: value}).status_code


@pytest.mark.parametrize(
    "form_name",
    [
        "signup",
        "login",
        "profile",
        "password",
        "summit",
        "event",
        "day",
        "room",
        "track",
        "social",
        "program",
        "claim",
        "confirm next",
        "confirm chosen",
        "decline",
        "blueprint",
        "session",
        "reject blueprint",
        "merge blueprint",
        "star",
    ],
)
def test_every_form_answers_bad_input_with_4xx_or_a_form_error(setup, form_name: str) -> None:
    client, form_table = setup
    path, valid = form_table()[form_name]
    fields = list(valid) or ["anything"]
    for field in fields:
        for kind, value in HOSTILE.items():
            before = snapshot()
            status = _post(client, path, valid, field, value)
            assert status < 500, f"{form_name}.{field} with {kind} gave {status}"
            if status >= 400:
                assert snapshot() == before, f"{form_name}.{field} with {kind} wrote rows"
            if form_name == "signup" and status < 400:
                client.post("/logout")
            if form_name in {"signup", "login"}:
                # Stay the organizer for the next case.
                client.post("/logout")
                organizer = db.session.scalar(select(User).where(User.is_organizer))
                assert organizer is not None
                login(client, organizer)


def test_a_whole_garbage_body_never_fails_and_never_half_writes(setup) -> None:
    client, form_table = setup
    # Edit forms keep the stored value of a field the POST leaves out (as browsers do with
    # unchecked boxes), so garbage there is a plain save; every other form refuses it.
    # Buttons that post no field at all (delete, register) only need their CSRF token.
    edit_forms = {
        "profile",
        "summit",
        "event",
        "day",
        "room",
        "track",
        "delete",
        "register",
        "star",
    }
    for name, (path, _valid) in form_table().items():
        before = snapshot()
        response = client.post(
            path, data=b"\x00\xff" * 100, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code < 500, name
        if name not in edit_forms:
            assert response.status_code >= 400, name
        if response.status_code >= 400:
            assert snapshot() == before, name


def test_unknown_ids_are_404_not_500(setup) -> None:
    client, _ = setup
    for path in (
        "/organizer/summits/999999",
        "/organizer/summits/999999/edit",
        "/organizer/summits/1/room/999999",
        "/organizer/summits/1/days/999999",
        "/organizer/summits/1/nothing/new",
        "/organizer/summits/1/events/party",
    ):
        assert client.get(path).status_code == 404, path
    assert (
        client.post(
            "/organizer/claims/999999",
            data={"decision": "verify", "seen_claim": "core", "seen_project": ""},
            follow_redirects=True,
        ).status_code
        == 404
    )


def test_a_nul_character_anywhere_is_a_400_with_a_reason(setup) -> None:
    """PostgreSQL refuses U+0000 in text: in a path, a query or an API call it is a 400
    with a reason, before any query runs (and so on SQLite alike)."""
    client, _forms = setup
    summit = db.session.scalar(select(Summit))
    assert summit is not None
    for path in [
        "/dia%00blo/register",
        f"/{summit.slug}/schedule?track=a%00b",
        f"/{summit.slug}/sessions/1?x=%00",
        "/login?next=%00",
        "/api/v1/summits/a%00b/schedule",
        f"/api/v1/summits/{summit.slug}/sessions?track=%00",
    ]:
        response = client.get(path)
        assert response.status_code == 400, path
        assert "NUL character" in response.get_data(as_text=True), path
    assert client.get("/api/v1/summits/a%00b/schedule").is_json


def test_an_import_file_with_a_nul_character_is_refused_whole(app, setup) -> None:
    client, _forms = setup
    summit = db.session.scalar(select(Summit))
    assert summit is not None
    before = snapshot()
    blueprints = db.session.scalar(select(func.count()).select_from(Blueprint))
    path = f"/organizer/summits/{summit.id}/import"
    raw = b"title,submitter_email,track\nA\x00B,a@example.org,Nova\n"
    response = client.post(
        path, data={"file": (io.BytesIO(raw), "bps.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "NUL character" in response.get_data(as_text=True)
    assert snapshot() == before
    # Escaped in JSON, it appears only once the worker parses the file: the job fails whole.
    escaped = b'[{"title": "A\\u0000B", "submitter_email": "a@example.org", "track": "Nova"}]'
    response = client.post(
        path, data={"file": (io.BytesIO(escaped), "bps.json")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    jobs.run_pending(app)
    state = client.get(response.location + ".json").get_json()
    assert state["status"] == JobStatus.FAILED
    assert "Line 1 holds a NUL character" in state["message"]
    assert db.session.scalar(select(func.count()).select_from(Blueprint)) == blueprints
