"""Cases a fuzzer found on the HTML pages and feeds: each is a 4xx now, never a 500."""

from __future__ import annotations

from flask.testing import FlaskClient

from summit.extensions import db
from summit.models import Blueprint, BlueprintStatus
from tests.conftest import login
from tests.factories import Published


def test_personal_feed_addresses_with_odd_ids_are_404(
    client: FlaskClient, published: Published
) -> None:
    token = published.fan.feed_token
    for text_id in ["2147483648", "9999999999", "%C2%B2", "%E2%91%A0", "0", "-1"]:
        response = client.get(f"/diablo/my/{text_id}-{token}.ics")
        assert response.status_code == 404, text_id
    assert client.get(f"/diablo/my/{published.fan.feed_address}.ics").status_code == 200


def test_blueprint_review_refuses_a_track_filter_that_is_no_id(
    client: FlaskClient, published: Published
) -> None:
    login(client, published.organizer)
    review = f"/organizer/summits/{published.summit.id}/blueprints"
    for value in ["2147483648", "99999999999999999999", "-1", "nova", "²"]:
        response = client.get(f"{review}?track={value}")
        assert response.status_code == 400, value
        assert "Unknown track filter" in response.text
    assert client.get(f"{review}?track={published.summit.tracks[0].id}").status_code == 200


def test_p1_organizers_see_a_published_session_and_its_draft_place(
    client: FlaskClient, published: Published
) -> None:
    login(client, published.organizer)
    s = published.sessions[0]
    page = client.get(f"/diablo/sessions/{s.id}")
    assert page.status_code == 200
    assert 'id="draft-place"' not in page.text  # the draft is where the public place is
    s.room_id = next(r.id for r in published.summit.rooms if r.id != s.room_id)
    db.session.commit()
    assert 'id="draft-place"' in client.get(f"/diablo/sessions/{s.id}").text


def test_schedule_actions_on_a_summit_that_does_not_exist_are_404(
    client: FlaskClient, published: Published
) -> None:
    login(client, published.organizer)
    for summit_id in [0, 2147483647]:
        for action in ["publish", "move", "sessions/1/lock"]:
            path = f"/organizer/summits/{summit_id}/schedule/{action}"
            assert client.post(path).status_code == 404, path


def test_deciding_on_a_blueprint_returns_to_the_review_page_only(
    client: FlaskClient, published: Published
) -> None:
    login(client, published.organizer)
    blueprint = Blueprint(
        summit_id=published.summit.id,
        track_id=published.summit.tracks[0].id,
        submitter_id=published.fan.id,
        title="Something to refuse",
        status=BlueprintStatus.SUBMITTED,
    )
    db.session.add(blueprint)
    db.session.commit()
    for back in ["https://evil.example/", "/x\ny"]:
        response = client.post(
            f"/organizer/blueprints/{blueprint.id}/reject", data={"reason": "no", "back": back}
        )
        assert response.status_code == 302
        assert response.location.endswith(f"/organizer/summits/{published.summit.id}/blueprints")
        blueprint.status = BlueprintStatus.SUBMITTED
        db.session.commit()
