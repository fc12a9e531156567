"""B1-B3: blueprints are submitted, reviewed (accept, merge, reject, move), become sessions
that attendees star."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from summit.extensions import db
from summit.models import (
    AuditEntry,
    Blueprint,
    BlueprintStatus,
    DesignSession,
    Interest,
    OutboxEmail,
    Summit,
    Track,
)
from summit.services import blueprints as bps
from tests.conftest import login

GOOD = {
    "title": "Multi-NIC support for Nova",
    "description": "Line one\nLine <b>two</b>",
    "url": "https://blueprints.launchpad.net/nova/+spec/multi-nic",
    "length_slots": "1",
}


@pytest.fixture
def summit(make_summit) -> Summit:
    summit = make_summit()
    db.session.commit()
    return summit


def track(summit: Summit, name: str = "Nova") -> Track:
    return next(t for t in summit.tracks if t.name == name)


def submit(client: FlaskClient, summit: Summit, **overrides: str):  # type: ignore[no-untyped-def]
    data = {**GOOD, "track_id": str(track(summit).id), **overrides}
    return client.post(f"/{summit.slug}/blueprints/new", data=data)


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_b1_submit_a_blueprint_and_see_it_escaped_with_line_breaks(
    client: FlaskClient, summit: Summit, make_user
) -> None:
    dev = make_user(name="Vish Ishaya")
    db.session.commit()
    login(client, dev)
    response = submit(client, summit)
    assert response.status_code == 302
    blueprint = db.session.scalar(select(Blueprint))
    assert blueprint is not None
    assert (blueprint.submitter_id, blueprint.status) == (dev.id, BlueprintStatus.SUBMITTED)
    page = client.get(response.location).get_data(as_text=True)
    assert "Line one\nLine &lt;b&gt;two&lt;/b&gt;" in page  # escaped; CSS keeps the breaks
    assert 'class="pre description"' in page
    listing = client.get(f"/{summit.slug}/blueprints?track=nova").get_data(as_text=True)
    assert "Multi-NIC support for Nova" in listing
    assert "Vish Ishaya" in listing
    assert (
        client.get(f"/{summit.slug}/blueprints?track=swift")
        .get_data(as_text=True)
        .count("Multi-NIC")
        == 0
    )
    mine = client.get("/my/blueprints").get_data(as_text=True)
    assert "submitted" in mine


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "Nova", "between 5 and 120"),
        ("title", "x" * 121, "between 5 and 120"),
        ("description", "x" * 5001, "5000"),
        ("url", "javascript:alert(1)", "http:// or https://"),
        ("url", "ftp://example.org/spec", "http:// or https://"),
        ("length_slots", "3", "Not a valid choice"),
        ("track_id", "999", "Not a valid choice"),
    ],
)
def test_b1_bad_fields_get_clear_messages(
    client: FlaskClient, summit: Summit, make_user, field: str, value: str, message: str
) -> None:
    login(client, make_user())
    db.session.commit()
    response = submit(client, summit, **{field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Blueprint) == 0


def test_b1_the_call_closes_at_its_deadline(client: FlaskClient, summit: Summit, make_user) -> None:
    summit.cfp_closes_at = datetime.now(UTC) - timedelta(minutes=1)
    dev = make_user()
    db.session.commit()
    login(client, dev)
    page = client.get(f"/{summit.slug}/blueprints/new").get_data(as_text=True)
    assert "The call for sessions closed" in page
    assert "Submit blueprint" not in page  # the form is gone
    response = submit(client, summit)
    assert response.status_code == 403
    assert "call for sessions is closed" in response.get_data(as_text=True)
    assert count(Blueprint) == 0
    # The service refuses too, with the deadline in the summit's time zone.
    with pytest.raises(Exception, match="closed on"):
        bps.submit(
            dev.id,
            summit.id,
            track_id=track(summit).id,
            title="Late idea",
            description="",
            url="",
            length_slots=1,
        )


def test_b1_edit_and_withdraw_until_an_organizer_decides(
    client: FlaskClient, summit: Summit, make_user
) -> None:
    dev, other, organizer = make_user(), make_user(), make_user(is_organizer=True)
    db.session.commit()
    login(client, dev)
    submit(client, summit)
    submit(client, summit, title="Second blueprint", url="")
    first, second = db.session.scalars(select(Blueprint).order_by(Blueprint.id)).all()
    edited = client.post(
        f"/{summit.slug}/blueprints/{first.id}/edit",
        data={
            **GOOD,
            "title": "Multi-NIC, revised",
            "track_id": str(track(summit, "Swift").id),
            "length_slots": "2",
        },
    )
    assert edited.status_code == 302
    db.session.expire_all()
    assert (first.title, first.track.name, first.length_slots) == ("Multi-NIC, revised", "Swift", 2)
    client.post(f"/{summit.slug}/blueprints/{second.id}/withdraw")
    db.session.expire_all()
    assert second.status == BlueprintStatus.WITHDRAWN
    bps.accept(organizer.id, first.id)
    db.session.commit()
    late = client.post(
        f"/{summit.slug}/blueprints/{first.id}/edit",
        data={**GOOD, "track_id": str(track(summit).id)},
    )
    assert late.status_code == 409
    assert "can no longer change" in late.get_data(as_text=True)
    client.post("/logout")
    login(client, other)
    assert client.get(f"/{summit.slug}/blueprints/{first.id}/edit").status_code == 404


def _blueprint(summit: Summit, submitter, title: str, length: int = 1) -> Blueprint:  # type: ignore[no-untyped-def]
    return bps.submit(
        submitter.id,
        summit.id,
        track_id=track(summit).id,
        title=title,
        description="",
        url="",
        length_slots=length,
    )


def test_b2_accept_merge_reject_move_and_the_mails(summit: Summit, make_user) -> None:
    organizer = make_user(is_organizer=True)
    ann, bob, cid, dan = (make_user(name=n) for n in ("Ann", "Bob", "Cid", "Dan"))
    first = _blueprint(summit, ann, "Multi-NIC support", 2)
    second = _blueprint(summit, bob, "NIC hotplug")
    third = _blueprint(summit, cid, "Rename everything")
    fourth = _blueprint(summit, dan, "Object versioning")
    session = bps.accept(organizer.id, first.id)
    bps.merge(organizer.id, second.id, session.id)
    bps.reject(organizer.id, third.id, "Out of scope for Diablo")
    bps.move(organizer.id, fourth.id, track(summit, "Swift").id)
    db.session.commit()
    assert (session.title, session.track.name, session.lead_id, session.length_slots) == (
        "Multi-NIC support",
        "Nova",
        ann.id,
        2,
    )
    assert {b.title for b in session.blueprints} == {"Multi-NIC support", "NIC hotplug"}
    assert (second.status, third.status, third.reason) == (
        BlueprintStatus.MERGED,
        BlueprintStatus.REJECTED,
        "Out of scope for Diablo",
    )
    assert fourth.track.name == "Swift"
    mails = {m.to_addr: m for m in db.session.scalars(select(OutboxEmail))}
    assert "accepted" in mails[ann.email].subject
    assert "merged" in mails[bob.email].subject
    assert "Out of scope for Diablo" in mails[cid.email].body
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert {"blueprint.accept", "blueprint.merge", "blueprint.reject", "blueprint.move"} <= set(
        actions
    )
    with pytest.raises(Exception, match="already"):
        bps.accept(organizer.id, second.id)


def test_b2_review_queue_in_the_web(client: FlaskClient, summit: Summit, make_user) -> None:
    organizer = make_user(is_organizer=True)
    dev = make_user()
    ids = [_blueprint(summit, dev, f"Blueprint number {i}").id for i in range(4)]
    _blueprint(summit, dev, "A Swift one")
    db.session.commit()
    login(client, organizer)
    nova = track(summit).id
    page = client.get(f"/organizer/summits/{summit.id}/blueprints?track={nova}")
    assert "Blueprint number 0" in page.get_data(as_text=True)
    client.post(
        f"/organizer/summits/{summit.id}/blueprints/bulk-accept",
        data={"ids": [str(ids[0]), str(ids[1])]},
    )
    assert count(DesignSession) == 2
    target = db.session.scalar(select(DesignSession).order_by(DesignSession.id))
    assert target is not None
    client.post(f"/organizer/blueprints/{ids[2]}/merge", data={"session_id": str(target.id)})
    refused = client.post(f"/organizer/blueprints/{ids[3]}/reject", data={"reason": ""})
    assert refused.status_code == 422
    assert "Give a reason" in refused.get_data(as_text=True)
    again = client.post(f"/organizer/blueprints/{ids[0]}/accept")
    assert again.status_code == 409
    session_page = client.get(f"/{summit.slug}/sessions/{target.id}").get_data(as_text=True)
    assert "Blueprint number 0" in session_page
    assert "Blueprint number 2" in session_page


def test_b2_organizers_create_and_edit_sessions(
    client: FlaskClient, summit: Summit, make_user
) -> None:
    organizer = make_user(is_organizer=True, email="ttx@example.org")
    lead = make_user(email="lead@example.org", name="Lead Person")
    db.session.commit()
    login(client, organizer)
    data = {
        "title": "Diablo release schedule",
        "track_id": str(track(summit).id),
        "description": "",
        "lead_email": "lead@example.org",
        "length_slots": "1",
        "expected_attendance": "",
    }
    made = client.post(f"/organizer/summits/{summit.id}/sessions/new", data=data)
    assert made.status_code == 302
    session = db.session.scalar(select(DesignSession))
    assert session is not None
    assert session.lead_id == lead.id
    bad = client.post(
        f"/organizer/summits/{summit.id}/sessions/{session.id}",
        data={**data, "lead_email": "nobody@example.org"},
    )
    assert bad.status_code == 422
    assert "Nobody has an account" in bad.get_data(as_text=True)
    client.post(
        f"/organizer/summits/{summit.id}/sessions/{session.id}",
        data={
            **data,
            "title": "Release schedule",
            "length_slots": "2",
            "expected_attendance": "80",
        },
    )
    db.session.expire_all()
    assert (session.title, session.length_slots, session.expected_attendance) == (
        "Release schedule",
        2,
        80,
    )


def test_b3_stars_without_javascript_and_with(
    client: FlaskClient, summit: Summit, make_user
) -> None:
    organizer, fan = make_user(is_organizer=True), make_user()
    session = bps.accept(organizer.id, _blueprint(summit, organizer, "Swift ring builder").id)
    db.session.commit()
    login(client, fan)
    plain = client.post(f"/{summit.slug}/sessions/{session.id}/star", data={"starred": "y"})
    assert plain.status_code == 302
    assert count(Interest) == 1
    twice = client.post(
        f"/{summit.slug}/sessions/{session.id}/star",
        data={"starred": "y"},
        headers={"Accept": "application/json"},
    )
    assert twice.get_json() == {"starred": True, "count": 1}
    page = client.get(f"/{summit.slug}/sessions/{session.id}").get_data(as_text=True)
    assert 'id="expected">1</dd>' in page  # stars give the expected attendance
    off = client.post(
        f"/{summit.slug}/sessions/{session.id}/star",
        data={"starred": ""},
        headers={"Accept": "application/json"},
    )
    assert off.get_json() == {"starred": False, "count": 0}
    session.expected_attendance = 70
    db.session.commit()
    page = client.get(f"/{summit.slug}/sessions/{session.id}").get_data(as_text=True)
    assert 'id="expected">70</dd>' in page  # unless an organizer overrides it
    assert (
        client.post(f"/{summit.slug}/sessions/9999/star", data={"starred": "y"}).status_code == 404
    )


def test_b2_review_is_for_organizers_only(client: FlaskClient, summit: Summit, make_user) -> None:
    dev = make_user()
    blueprint = _blueprint(summit, dev, "Something for Nova")
    db.session.commit()
    login(client, dev)
    assert client.get(f"/organizer/summits/{summit.id}/blueprints").status_code == 403
    assert client.post(f"/organizer/blueprints/{blueprint.id}/accept").status_code == 403
    assert count(DesignSession) == 0


def test_b2_bulk_accept_takes_only_this_summits_blueprints(
    summit: Summit, make_summit, make_user
) -> None:
    other = make_summit("essex", current=False)
    organizer, dev = make_user(is_organizer=True), make_user()
    ours = _blueprint(summit, dev, "Ours to accept")
    theirs = _blueprint(other, dev, "Another summit's")
    db.session.commit()
    with pytest.raises(Exception, match="not in this summit"):
        bps.bulk_accept(organizer.id, summit.id, [ours.id, theirs.id])
    db.session.rollback()
    assert count(DesignSession) == 0
    assert len(bps.bulk_accept(organizer.id, summit.id, [ours.id])) == 1


def test_p5_a_second_copy_of_a_blueprint_or_session_is_refused(
    client, make_summit, make_user
) -> None:
    from sqlalchemy import func, select

    from summit.models import Blueprint, DesignSession

    summit = make_summit()
    user = make_user()
    organizer = make_user(is_organizer=True)
    db.session.commit()
    login(client, user)
    track_id = str(summit.tracks[0].id)
    data = {"title": "Live migration", "track_id": track_id}
    assert client.post("/diablo/blueprints/new", data=data).status_code == 302
    again = client.post("/diablo/blueprints/new", data={**data, "title": "live MIGRATION"})
    assert again.status_code == 409
    assert "already, so nothing new was made" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Blueprint)) == 1
    login(client, organizer)
    session = {"title": "Release plan", "track_id": track_id, "length_slots": "1"}
    url = f"/organizer/summits/{summit.id}/sessions/new"
    assert client.post(url, data=session).status_code == 302
    twice = client.post(url, data=session)
    assert twice.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(DesignSession)) == 1
